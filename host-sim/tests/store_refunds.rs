//! Refunds: `/orders/{id}/refunds` against the recordings, refund creation with WooCommerce's
//! gateway error, restocking, partial refunds, automatic refunds from the `refunded` status,
//! and the modified date of the refunded order.

mod store_support;

use chrono::{Duration, TimeZone as _, Utc};
use serde_json::{Value, json};
use store_support::{Reply, Sim, assert_shape, recording};

const ORDERS: &str = "/wp-json/wc/v3/orders";

fn localise(value: &Value, base: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("http://127.0.0.1:8080", base)),
        Value::Array(items) => Value::Array(items.iter().map(|v| localise(v, base)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), localise(v, base)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The recording's body without the ids the simulator numbers differently (meta ids).
fn without_meta_ids(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(without_meta_ids).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    if k == "meta_data" {
                        let stripped = v
                            .as_array()
                            .map(|metas| {
                                metas
                                    .iter()
                                    .map(|m| {
                                        let mut m = m.clone();
                                        m.as_object_mut().map(|o| o.remove("id"));
                                        m
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        (k.clone(), Value::Array(stripped))
                    } else {
                        (k.clone(), without_meta_ids(v))
                    }
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn assert_headers_like(name: &str, rec: &Value, reply: &Reply) {
    let headers = rec["headers"].as_object().cloned().unwrap_or_default();
    for header in ["Allow", "X-WP-Total", "X-WP-TotalPages", "Location"] {
        assert_eq!(
            reply.header(header).is_some(),
            headers.contains_key(header),
            "{name}: presence of {header}"
        );
    }
    if let Some(allow) = headers.get("Allow").and_then(Value::as_str) {
        assert_eq!(reply.header("allow").as_deref(), Some(allow), "{name}");
    }
    assert_eq!(
        reply.header("content-type").as_deref(),
        headers.get("Content-Type").and_then(Value::as_str),
        "{name}"
    );
}

#[tokio::test]
async fn the_fixture_refund_reads_like_the_recordings() {
    let sim = Sim::fixtures();
    let base = sim.store.base_url();
    let rec = recording("GET-orders-refunds.json");
    let reply = sim
        .oauth("GET", "/wp-json/wc/v3/orders/1045/refunds", &[], None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_headers_like("refunds list", &rec, &reply);
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("1"));
    assert_eq!(reply.header("x-wp-totalpages").as_deref(), Some("1"));
    assert_shape("refunds list", &rec["body"], &reply.json(), &[]);
    assert_eq!(
        without_meta_ids(&reply.json()),
        without_meta_ids(&localise(&rec["body"], &base)),
        "every value but the meta ids"
    );

    let rec = recording("GET-orders-refunds-id.json");
    let reply = sim
        .oauth("GET", "/wp-json/wc/v3/orders/1045/refunds/1047", &[], None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_headers_like("one refund", &rec, &reply);
    assert_eq!(
        without_meta_ids(&reply.json()),
        without_meta_ids(&localise(&rec["body"], &base))
    );
}

#[tokio::test]
async fn refund_lookups_fail_like_woocommerce() {
    let sim = Sim::fixtures();
    let get = |path: String| {
        let sim = &sim;
        async move { sim.oauth("GET", &path, &[], None).await }
    };
    let reply = get(format!("{ORDERS}/1045/refunds/999999")).await;
    assert_eq!(
        (reply.status, reply.code()),
        (
            404,
            "woocommerce_rest_shop_order_refund_invalid_id".to_owned()
        )
    );
    let reply = get(format!("{ORDERS}/1040/refunds/1047")).await;
    assert_eq!(
        (reply.status, reply.code()),
        (404, "woocommerce_rest_invalid_order_refund_id".to_owned())
    );
    assert_eq!(reply.message(), "Invalid order refund ID.");
    let reply = get(format!("{ORDERS}/1045/refunds/1044")).await;
    assert_eq!(
        reply.code(),
        "woocommerce_rest_invalid_order_refund_id",
        "an order is not a refund"
    );
    let reply = get(format!("{ORDERS}/999999/refunds/1047")).await;
    assert_eq!(
        (reply.status, reply.code()),
        (404, "woocommerce_rest_invalid_order_id".to_owned())
    );
    let reply = get(format!("{ORDERS}/999999/refunds")).await;
    assert_eq!(
        (reply.status, reply.text.as_str()),
        (200, "[]"),
        "an unknown order has no refunds"
    );
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("0"));

    let visitor = sim
        .send("GET", &format!("{ORDERS}/1045/refunds"), None, &[])
        .await;
    assert_eq!(
        (visitor.status, visitor.code()),
        (401, "woocommerce_rest_cannot_view".to_owned())
    );
    let visitor = sim
        .send("GET", &format!("{ORDERS}/1045/refunds/1047"), None, &[])
        .await;
    assert_eq!(visitor.message(), "Sorry, you cannot view this resource.");
    let visitor = sim
        .send("POST", &format!("{ORDERS}/1045/refunds"), Some("{}"), &[])
        .await;
    assert_eq!(
        (visitor.status, visitor.code()),
        (401, "woocommerce_rest_cannot_create".to_owned())
    );
}

/// A paid order like 1045 (Clara, two mugs, flat rate), created at a known time.
async fn paid_order(sim: &Sim) -> Value {
    let reply = sim
        .oauth(
            "POST",
            ORDERS,
            &[],
            Some(&json!({
                "customer_id": 6, "payment_method": "bacs", "payment_method_title": "Direct bank transfer",
                "set_paid": true,
                "line_items": [{"product_id": 1029, "quantity": 2}],
                "shipping_lines": [{"method_id": "flat_rate", "instance_id": "1",
                                    "method_title": "Versand (Pauschal)", "total": "4.90"}]
            })),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

fn stock(sim: &Sim, id: u64) -> Option<i64> {
    sim.store
        .with_data(|d| d.products.get(&id).and_then(|p| p.stock_quantity))
}

fn meta(line: &Value, key: &str) -> Option<String> {
    line["meta_data"]
        .as_array()?
        .iter()
        .find(|m| m["key"] == json!(key))
        .and_then(|m| m["value"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn a_manual_refund_is_created_after_the_gateway_refused_like_the_recordings() {
    let sim = Sim::fixtures();
    let placed = Utc
        .with_ymd_and_hms(2026, 11, 28, 9, 0, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(placed));
    let order = paid_order(&sim).await;
    let id = order["id"].as_u64().expect("id");
    assert_eq!(order["total"], json!("35.58"));
    assert_eq!(stock(&sim, 1029), Some(21));
    let line = order["line_items"][0]["id"].clone();
    let shipping = order["shipping_lines"][0]["id"].clone();
    let path = format!("{ORDERS}/{id}/refunds");
    let mut body =
        recording("POST-orders-refunds-api_refund-default-error.json")["request"]["body"].clone();
    body["line_items"][0]["id"] = line;
    body["line_items"][1]["id"] = shipping;

    sim.store
        .with_data(|d| d.clock.freeze_at(placed + Duration::minutes(5)));
    let rec = recording("POST-orders-refunds-api_refund-default-error.json");
    let reply = sim.oauth("POST", &path, &[], Some(&body)).await;
    assert_eq!(reply.status, 500);
    assert_headers_like("gateway refusal", &rec, &reply);
    assert_eq!(reply.json(), rec["body"], "data is the bare status");
    assert_eq!(stock(&sim, 1029), Some(21), "nothing was restocked");
    let after_refusal = sim
        .oauth("GET", &format!("{ORDERS}/{id}"), &[], None)
        .await
        .json();
    assert_eq!(after_refusal["status"], json!("processing"));
    assert_eq!(
        after_refusal["date_modified_gmt"],
        json!("2026-11-28T09:00:00")
    );
    let used_up = sim.store.with_data(|d| d.next_post_id) - 1;

    sim.store
        .with_data(|d| d.clock.freeze_at(placed + Duration::minutes(6)));
    body["api_refund"] = json!(false);
    body["api_restock"] = json!(true);
    let rec = recording("POST-orders-refunds-201.json");
    let reply = sim.oauth("POST", &path, &[], Some(&body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_headers_like("refund created", &rec, &reply);
    let refund = reply.json();
    assert_shape("refund created", &rec["body"], &refund, &[]);
    assert_eq!(
        refund["id"],
        json!(used_up + 1),
        "the refused refund used up an id"
    );
    assert_eq!(
        reply.header("location"),
        Some(format!(
            "{}/wp-json/wc/v3/orders/(?P<order_id>[\\d]+)/refunds/{}",
            sim.store.base_url(),
            refund["id"]
        )),
        "WooCommerce does not fill the order id into the route pattern"
    );
    for key in [
        "amount",
        "reason",
        "refunded_by",
        "refunded_payment",
        "fee_lines",
    ] {
        assert_eq!(refund[key], rec["body"][key], "{key}");
    }
    assert_eq!(refund["date_created_gmt"], json!("2026-11-28T09:06:00"));
    assert_eq!(refund["date_created"], json!("2026-11-28T10:06:00"));
    let recorded_line = &rec["body"]["line_items"][0];
    let line = &refund["line_items"][0];
    for key in [
        "name",
        "product_id",
        "quantity",
        "subtotal",
        "subtotal_tax",
        "total",
        "total_tax",
        "taxes",
        "sku",
        "price",
        "image",
    ] {
        assert_eq!(line[key], recorded_line[key], "line {key}");
    }
    assert_eq!(
        meta(line, "_refunded_item_id"),
        Some(order["line_items"][0]["id"].to_string())
    );
    for key in ["total", "total_tax", "taxes", "method_id"] {
        assert_eq!(
            refund["shipping_lines"][0][key], rec["body"]["shipping_lines"][0][key],
            "shipping {key}"
        );
    }
    let strip_id = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().map(|o| o.remove("id"));
        v
    };
    assert_eq!(
        strip_id(&refund["tax_lines"][0]),
        strip_id(&rec["body"]["tax_lines"][0])
    );

    let after = sim
        .oauth("GET", &format!("{ORDERS}/{id}"), &[], None)
        .await
        .json();
    assert_eq!(after["status"], json!("refunded"));
    assert_eq!(
        after["date_modified_gmt"],
        json!("2026-11-28T09:06:00"),
        "moved to the refund's date"
    );
    assert_eq!(
        after["refunds"],
        json!([{"id": refund["id"], "reason": "Kunde hat die Ware zurückgeschickt", "total": "-35.58"}])
    );
    assert_eq!(
        after["total"],
        json!("35.58"),
        "refunds do not change the total"
    );
    assert_eq!(
        meta(&after["line_items"][0], "_reduced_stock").as_deref(),
        Some("0")
    );
    assert_eq!(
        meta(&after["line_items"][0], "_restock_refunded_items").as_deref(),
        Some("2")
    );
    assert_eq!(stock(&sim, 1029), Some(23), "restocked");
    let listed = sim
        .oauth(
            "GET",
            ORDERS,
            &[
                ("modified_after", "2026-11-28T09:05:00"),
                ("dates_are_gmt", "true"),
            ],
            None,
        )
        .await
        .json();
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "a poll by modified date sees the refund"
    );

    // Cancelling later does not put the refunded units back a second time.
    sim.oauth(
        "PUT",
        &format!("{ORDERS}/{id}"),
        &[],
        Some(&json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(stock(&sim, 1029), Some(23));
}

#[tokio::test]
async fn partial_refunds_keep_the_status_until_nothing_is_left() {
    let sim = Sim::fixtures();
    let start = Utc
        .with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(start));
    let order = paid_order(&sim).await;
    let id = order["id"].as_u64().expect("id");
    let line = order["line_items"][0]["id"].as_u64().expect("line");
    let path = format!("{ORDERS}/{id}/refunds");

    sim.store
        .with_data(|d| d.clock.freeze_at(start + Duration::hours(1)));
    let one_mug = json!({"api_refund": false, "reason": "",
        "line_items": [{"id": line, "quantity": 1, "refund_total": "12.50",
                        "refund_tax": [{"id": 1, "refund_total": "2.375"}]}]});
    let reply = sim.oauth("POST", &path, &[], Some(&one_mug)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        reply.json()["amount"],
        json!("14.88"),
        "derived from the line: 12.50 + 2.375"
    );
    assert_eq!(reply.json()["line_items"][0]["total_tax"], json!("-2.38"));
    assert_eq!(
        reply.json()["line_items"][0]["taxes"][0]["total"],
        json!("-2.375")
    );
    let after = sim
        .oauth("GET", &format!("{ORDERS}/{id}"), &[], None)
        .await
        .json();
    assert_eq!(after["status"], json!("processing"));
    assert_eq!(after["date_modified_gmt"], json!("2026-12-01T13:00:00"));
    assert_eq!(after["refunds"][0]["reason"], json!(""));
    assert_eq!(
        meta(&after["line_items"][0], "_reduced_stock").as_deref(),
        Some("1")
    );
    assert_eq!(stock(&sim, 1029), Some(22));

    let too_much = sim
        .oauth(
            "POST",
            &path,
            &[],
            Some(&json!({"amount": "25.00", "api_refund": false})),
        )
        .await;
    assert_eq!(too_much.status, 500);
    assert_eq!(
        too_much.json(),
        json!({"code": "woocommerce_rest_cannot_create_order_refund", "message": "Invalid refund amount.", "data": 500})
    );
    let negative = sim
        .oauth(
            "POST",
            &path,
            &[],
            Some(&json!({"amount": "-1", "api_refund": false})),
        )
        .await;
    assert_eq!(
        (negative.status, negative.code()),
        (400, "woocommerce_rest_invalid_order_refund".to_owned())
    );
    let typed = sim
        .oauth(
            "POST",
            &path,
            &[],
            Some(&json!({"amount": 1, "api_refund": false})),
        )
        .await;
    assert_eq!(
        (typed.status, typed.code()),
        (400, "rest_invalid_param".to_owned())
    );
    let unknown = sim
        .oauth(
            "POST",
            &format!("{ORDERS}/999999/refunds"),
            &[],
            Some(&json!({"amount": "1"})),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (404, "woocommerce_rest_invalid_order_id".to_owned())
    );

    sim.store
        .with_data(|d| d.clock.freeze_at(start + Duration::hours(2)));
    let amount_only = sim
        .oauth(
            "POST",
            &path,
            &[],
            Some(&json!({"amount": "5", "api_refund": false})),
        )
        .await;
    assert_eq!(amount_only.status, 201);
    assert_eq!(amount_only.json()["line_items"], json!([]));
    // 35.58 - 14.875 - 5 leaves 15.705, which WooCommerce rounds to 15.71 before comparing.
    let rest = sim
        .oauth(
            "POST",
            &path,
            &[],
            Some(&json!({"amount": "15.71", "api_refund": false, "reason": "Rest"})),
        )
        .await;
    assert_eq!(rest.status, 201, "{}", rest.text);
    let after = sim
        .oauth("GET", &format!("{ORDERS}/{id}"), &[], None)
        .await
        .json();
    assert_eq!(after["status"], json!("refunded"));
    let totals: Vec<&str> = after["refunds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["total"].as_str())
        .collect();
    assert_eq!(totals, ["-15.71", "-5.00", "-14.88"], "newest first");
    assert_eq!(
        stock(&sim, 1029),
        Some(22),
        "amount-only refunds restock nothing"
    );

    let list = sim
        .oauth(
            "GET",
            &path,
            &[("per_page", "2"), ("order", "asc"), ("orderby", "id")],
            None,
        )
        .await;
    assert_eq!(list.header("x-wp-total").as_deref(), Some("3"));
    assert_eq!(list.header("x-wp-totalpages").as_deref(), Some("2"));
    let link = list.header("link").unwrap_or_default();
    assert!(
        link.contains("page=2") && link.contains("dp=2") && link.ends_with("rel=\"next\""),
        "{link}"
    );
    assert_eq!(list.json()[0]["amount"], json!("14.88"));
}

#[tokio::test]
async fn status_changes_move_the_modified_date() {
    let sim = Sim::fixtures();
    let rec = recording("PUT-orders-status-cancelled.json");
    let at = Utc
        .with_ymd_and_hms(2026, 12, 5, 7, 30, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(at));
    let reply = sim
        .oauth(
            "PUT",
            &format!("{ORDERS}/1040"),
            &[],
            Some(&rec["request"]["body"]),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let order = reply.json();
    assert_eq!(order["status"], json!("cancelled"));
    assert_eq!(order["date_modified_gmt"], json!("2026-12-05T07:30:00"));
    assert_eq!(order["date_modified"], json!("2026-12-05T08:30:00"));
    assert_eq!(
        order["date_paid_gmt"],
        json!("2026-11-27T17:28:46"),
        "the paid date stays"
    );
    assert_eq!(stock(&sim, 1029), Some(25), "cancelling restores the mugs");
}

#[tokio::test]
async fn the_refunded_status_refunds_the_rest_without_restocking() {
    let sim = Sim::fixtures();
    let order = paid_order(&sim).await;
    let id = order["id"].as_u64().expect("id");
    let reply = sim
        .oauth(
            "PUT",
            &format!("{ORDERS}/{id}"),
            &[],
            Some(&json!({"status": "refunded"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let refunds = reply.json()["refunds"].clone();
    assert_eq!(refunds[0]["reason"], json!("Order fully refunded."));
    assert_eq!(refunds[0]["total"], json!("-35.58"));
    assert_eq!(stock(&sim, 1029), Some(21), "stock stays reduced");
    let refund_id = refunds[0]["id"].as_u64().expect("refund id");
    let refund = sim
        .oauth(
            "GET",
            &format!("{ORDERS}/{id}/refunds/{refund_id}"),
            &[],
            None,
        )
        .await
        .json();
    assert_eq!(refund["line_items"], json!([]));
    assert_eq!(refund["amount"], json!("35.58"));

    let path = format!("{ORDERS}/{id}/refunds/{refund_id}");
    let trash = sim
        .oauth("DELETE", &path, &[("force", "false")], None)
        .await;
    assert_eq!(
        (trash.status, trash.code()),
        (501, "woocommerce_rest_trash_not_supported".to_owned())
    );
    let deleted = sim.oauth("DELETE", &path, &[], None).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.json()["id"], json!(refund_id));
    let gone = sim.oauth("GET", &path, &[], None).await;
    assert_eq!(gone.code(), "woocommerce_rest_shop_order_refund_invalid_id");
    let after = sim
        .oauth("GET", &format!("{ORDERS}/{id}"), &[], None)
        .await
        .json();
    assert_eq!(
        (after["status"].clone(), after["refunds"].clone()),
        (json!("refunded"), json!([]))
    );
}
