//! Orders and customers through the REST API: creation, validation, filters.

mod store_support;

use serde_json::{Value, json};
use store_support::{Sim, assert_shape, recording};

const ORDERS: &str = "/wp-json/wc/v3/orders";
const CUSTOMERS: &str = "/wp-json/wc/v3/customers";

fn ids(body: &Value) -> Vec<u64> {
    body.as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_u64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn guest_orders_by_sku_have_the_recorded_shape() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth(
            "POST",
            ORDERS,
            &[],
            Some(&json!({
                "customer_id": 0,
                "billing": {"first_name": "Gerda", "email": "gerda@example.test"},
                "line_items": [{"sku": "FX-NOTEBOOK", "quantity": 3}, {"sku": "FX-TSHIRT-S-RED", "quantity": 1}],
                "fee_lines": [{"name": "Verpackung", "total": "1.00"}]
            })),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let order = reply.json();
    assert_shape(
        "guest order",
        &recording("GET-orders-guest-fee.json")["body"],
        &order,
        // The recording's only line is a simple product; here the second one is a variation.
        &["value", "display_value", "id", "parent_name"],
    );
    assert_eq!(order["status"], json!("pending"));
    assert_eq!(order["customer_id"], json!(0));
    assert!(
        order["shipping"]
            .as_object()
            .is_some_and(|s| s.values().all(|v| v == ""))
    );
    let lines = order["line_items"].as_array().cloned().unwrap_or_default();
    assert_eq!(lines[0]["product_id"], json!(1033));
    assert_eq!(lines[0]["subtotal"], json!("23.85"));
    assert_eq!(lines[0]["taxes"][0]["total"], json!("4.5315"), "unrounded");
    assert_eq!(lines[0]["total_tax"], json!("4.53"));
    assert_eq!(lines[0]["price"], json!(7.95));
    assert_eq!(lines[1]["product_id"], json!(1036));
    assert_eq!(lines[1]["variation_id"], json!(1037));
    assert_eq!(lines[1]["name"], json!("FX T-Shirt - S, Red"));
    assert_eq!(lines[1]["parent_name"], json!("FX T-Shirt"));
    assert_eq!(lines[1]["image"], json!({"id": 0, "src": ""}));
    assert_eq!(lines[0]["image"], json!({"id": "", "src": ""}));
    // 23.85 + 19.90 + 1.00 = 44.75; tax 4.5315 + 3.781 + 0.19 = 8.5025 → 8.50.
    assert_eq!(order["cart_tax"], json!("8.50"));
    assert_eq!(order["total"], json!("53.25"));
    let stock = sim
        .store
        .with_data(|d| d.products.get(&1033).and_then(|p| p.stock_quantity));
    assert_eq!(stock, Some(40), "pending orders do not reduce stock");
    let reply = sim
        .oauth(
            "PUT",
            &format!("{ORDERS}/{}", order["id"]),
            &[],
            Some(&json!({"status": "processing"})),
        )
        .await
        .json();
    assert!(reply["date_paid_gmt"].is_string());
    let stock = sim
        .store
        .with_data(|d| d.products.get(&1033).and_then(|p| p.stock_quantity));
    assert_eq!(stock, Some(37));
}

#[tokio::test]
async fn order_requests_are_validated() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth(
            "PUT",
            &format!("{ORDERS}/1042"),
            &[],
            Some(&json!({"status": "shipped"})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        recording("ERR-orders-invalid-status-400.json")["body"]
    );
    let reply = sim
        .oauth(
            "POST",
            ORDERS,
            &[],
            Some(&json!({"line_items": [{"sku": "NOPE", "quantity": 1}]})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "woocommerce_rest_invalid_product_id");
    let reply = sim
        .oauth(
            "POST",
            ORDERS,
            &[],
            Some(
                &json!({"line_items": [{"product_id": 1029}], "coupon_lines": [{"code": "nope"}]}),
            ),
        )
        .await;
    assert_eq!(reply.code(), "woocommerce_rest_invalid_coupon");
    let reply = sim
        .oauth("POST", ORDERS, &[], Some(&json!({"customer_id": 999})))
        .await;
    assert_eq!(reply.code(), "woocommerce_rest_invalid_customer_id");
    let reply = sim
        .oauth(
            "PUT",
            &format!("{ORDERS}/999999"),
            &[],
            Some(&json!({"status": "completed"})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "woocommerce_rest_shop_order_invalid_id");
    assert_eq!(
        sim.store.with_data(|d| d.orders.len()),
        6,
        "nothing was created"
    );
}

#[tokio::test]
async fn order_filters() {
    let sim = Sim::fixtures();
    let get = |query: Vec<(&'static str, &'static str)>| {
        let sim = &sim;
        async move {
            let reply = sim.oauth("GET", ORDERS, &query, None).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            ids(&reply.json())
        }
    };
    assert_eq!(
        get(vec![
            ("status", "processing,completed"),
            ("orderby", "id"),
            ("order", "asc")
        ])
        .await,
        vec![1040, 1044]
    );
    // PHP array parameters are signed with their index (`status[0]`), as WooCommerce reads them.
    assert_eq!(
        get(vec![("status[0]", "on-hold"), ("status[1]", "pending")]).await,
        vec![1042, 1041]
    );
    assert_eq!(get(vec![("customer", "0")]).await, vec![1041]);
    assert_eq!(get(vec![("customer", "6")]).await, vec![1045, 1043]);
    assert_eq!(get(vec![("product", "1038")]).await, vec![1042]);
    assert_eq!(
        get(vec![
            ("include", "1041,1040"),
            ("orderby", "id"),
            ("order", "asc")
        ])
        .await,
        vec![1040, 1041]
    );
    assert_eq!(
        get(vec![("orderby", "modified"), ("per_page", "2")]).await,
        vec![1045, 1043],
        "the cancelled and the refunded order changed last"
    );
}

#[tokio::test]
async fn customers_create_filter_and_update() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth("GET", CUSTOMERS, &[("email", "not-an-email")], None)
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["data"]["details"]["email"]["code"],
        json!("rest_invalid_email")
    );
    let reply = sim
        .oauth(
            "GET",
            CUSTOMERS,
            &[("email", "ANNA.SCHMIDT@example.test")],
            None,
        )
        .await;
    assert_eq!(ids(&reply.json()), vec![4]);
    let reply = sim
        .oauth("GET", CUSTOMERS, &[("search", "weber")], None)
        .await;
    assert_eq!(ids(&reply.json()), vec![6]);
    let reply = sim
        .oauth(
            "POST",
            CUSTOMERS,
            &[],
            Some(&json!({"first_name": "No mail"})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "rest_missing_callback_param");
    let reply = sim
        .oauth(
            "POST",
            CUSTOMERS,
            &[],
            Some(&json!({"email": "dora@example.test", "first_name": "Dora"})),
        )
        .await;
    assert_eq!(reply.status, 201);
    let dora = reply.json();
    assert_eq!(dora["username"], json!("dora"));
    assert_eq!(dora["role"], json!("customer"));
    assert_eq!(
        reply.header("location"),
        Some(format!(
            "{}/wp-json/wc/v3/customers/{}",
            sim.store.base_url(),
            dora["id"]
        ))
    );
    let path = format!("{CUSTOMERS}/{}", dora["id"]);
    let reply = sim
        .oauth(
            "PUT",
            &path,
            &[],
            Some(&json!({"email": "anna.schmidt@example.test"})),
        )
        .await;
    assert_eq!(reply.code(), "woocommerce_rest_customer_invalid_email");
    let reply = sim
        .oauth("PUT", &path, &[], Some(&json!({"username": "someone"})))
        .await;
    assert_eq!(reply.code(), "woocommerce_rest_customer_invalid_argument");
    let reply = sim
        .oauth(
            "PUT",
            &path,
            &[],
            Some(&json!({"billing": {"phone": "030 1"}, "last_name": "Dorf"})),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["billing"]["phone"], json!("030 1"));
    assert_eq!(reply.json()["last_name"], json!("Dorf"));
    let reply = sim
        .oauth("GET", &format!("{CUSTOMERS}/999"), &[], None)
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.code(), "woocommerce_rest_invalid_id");
}
