//! `GET /orders` filters as WooCommerce 8.9.1 runs them on the orders table (HPOS): dates against
//! the GMT columns (local bounds converted through the store zone), statuses with `any`,
//! ordering, include/exclude/customer/parent, paging headers and the `Link` parameters.

mod store_support;

use chrono::{DateTime, TimeZone as _, Utc};
use serde_json::{Value, json};
use store_support::{Sim, recording};

const ORDERS: &str = "/wp-json/wc/v3/orders";

fn ids(body: &Value) -> Vec<u64> {
    body.as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_u64()).collect())
        .unwrap_or_default()
}

async fn list(sim: &Sim, query: &[(&str, &str)]) -> Vec<u64> {
    let reply = sim.oauth("GET", ORDERS, query, None).await;
    assert_eq!(reply.status, 200, "{query:?}: {}", reply.text);
    ids(&reply.json())
}

#[tokio::test]
async fn date_windows_match_the_recordings_and_are_strict() {
    let sim = Sim::fixtures();
    for name in [
        "GET-orders-after-before-gmt.json",
        "GET-orders-after-before-local.json",
        "GET-orders-modified_after.json",
    ] {
        let rec = recording(name);
        let query: Vec<(String, String)> = rec["request"]["query"]
            .as_object()
            .map(|q| {
                q.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let refs: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let reply = sim.oauth("GET", ORDERS, &refs, None).await;
        assert_eq!(ids(&reply.json()), ids(&rec["body"]), "{name}");
        for header in ["X-WP-Total", "X-WP-TotalPages"] {
            assert_eq!(
                reply.header(header).as_deref(),
                rec["headers"][header].as_str(),
                "{name}: {header}"
            );
        }
    }
    // Orders 1040-1043 were created at 17:28:46 UTC: a bound at that second excludes them.
    let gmt = [
        ("dates_are_gmt", "true"),
        ("orderby", "id"),
        ("order", "asc"),
    ];
    let mut query = gmt.to_vec();
    query.push(("after", "2026-11-27T17:28:46"));
    assert_eq!(list(&sim, &query).await, vec![1044, 1045]);
    let mut query = gmt.to_vec();
    query.push(("before", "2026-11-27T17:28:47"));
    assert_eq!(list(&sim, &query).await, vec![1040, 1041, 1042, 1043]);
    // The same instant as Berlin wall time (UTC+1 in November).
    let local = [
        ("after", "2026-11-27T18:28:46"),
        ("orderby", "id"),
        ("order", "asc"),
    ];
    assert_eq!(list(&sim, &local).await, vec![1044, 1045]);
    let modified = [
        ("modified_before", "2026-11-27T17:28:52"),
        ("dates_are_gmt", "true"),
        ("orderby", "id"),
        ("order", "asc"),
    ];
    assert_eq!(list(&sim, &modified).await, vec![1040, 1041, 1042, 1044]);
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("date")
}

#[tokio::test]
async fn local_bounds_become_instants_even_when_the_clock_falls_back() {
    let sim = Sim::fixtures();
    // 25 October 2026, Berlin: 02:00-03:00 local happens twice (00:00-01:00 UTC in summer
    // time, then 01:00-02:00 UTC in winter time).
    let mut created = Vec::new();
    for when in [at(2026, 10, 25, 0, 15), at(2026, 10, 25, 1, 15)] {
        sim.store.with_data(|d| d.clock.freeze_at(when));
        let reply = sim
            .oauth(
                "POST",
                ORDERS,
                &[],
                Some(&json!({"line_items": [{"product_id": 1030}]})),
            )
            .await;
        assert_eq!(reply.status, 201);
        let order = reply.json();
        assert_eq!(
            order["date_created"],
            json!(format!("2026-10-25T02:15:00")),
            "both at 02:15 local"
        );
        created.push(order["id"].as_u64().expect("id"));
    }
    // The bound 02:30 local is the earlier 02:30 (00:30 UTC): only the second order is after it,
    // although its wall time (02:15) is earlier.
    let query = [
        ("after", "2026-10-25T02:30:00"),
        ("before", "2026-10-26T00:00:00"),
    ];
    assert_eq!(list(&sim, &query).await, vec![created[1]]);
    let query = [
        ("before", "2026-10-25T02:30:00"),
        ("after", "2026-10-24T00:00:00"),
    ];
    assert_eq!(list(&sim, &query).await, vec![created[0]]);
}

#[tokio::test]
async fn statuses_any_and_invalid_values() {
    let sim = Sim::fixtures();
    sim.oauth("DELETE", &format!("{ORDERS}/1041"), &[], None)
        .await;
    let asc = [("orderby", "id"), ("order", "asc")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut q = asc.to_vec();
        q.extend_from_slice(extra);
        q
    };
    assert_eq!(list(&sim, &asc).await, vec![1040, 1042, 1043, 1044, 1045]);
    assert_eq!(list(&sim, &with(&[("status", "trash")])).await, vec![1041]);
    assert_eq!(
        list(&sim, &with(&[("status", "any,trash")])).await,
        vec![1040, 1042, 1043, 1044, 1045],
        "any stands for the registered statuses; the rest of the list is ignored"
    );
    assert_eq!(
        list(&sim, &with(&[("status", "cancelled,refunded")])).await,
        vec![1043, 1045]
    );
    let reply = sim
        .oauth("GET", ORDERS, &[("status", "processing,shipped")], None)
        .await;
    assert_eq!(reply.status, 400);
    let body = reply.json();
    assert_eq!(body["code"], json!("rest_invalid_param"));
    assert_eq!(body["message"], json!("Invalid parameter(s): status"));
    assert_eq!(
        body["data"]["params"]["status"],
        json!(
            "status[1] is not one of any, trash, auto-draft, pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft."
        )
    );
    assert_eq!(
        body["data"]["details"]["status"]["code"],
        json!("rest_not_in_enum")
    );
}

#[tokio::test]
async fn ordering_and_narrowing() {
    let sim = Sim::fixtures();
    assert_eq!(
        list(&sim, &[]).await,
        vec![1045, 1044, 1043, 1042, 1041, 1040],
        "date, then id, descending"
    );
    assert_eq!(
        list(&sim, &[("order", "asc")]).await,
        vec![1040, 1041, 1042, 1043, 1044, 1045]
    );
    assert_eq!(
        list(&sim, &[("orderby", "modified"), ("order", "asc")]).await,
        vec![1040, 1041, 1042, 1044, 1043, 1045]
    );
    assert_eq!(
        list(
            &sim,
            &[
                ("include", "1044,1040,1042"),
                ("orderby", "include"),
                ("order", "desc")
            ]
        )
        .await,
        vec![1044, 1040, 1042],
        "the include list's order, whatever the direction"
    );
    assert_eq!(
        list(&sim, &[("orderby", "title"), ("order", "desc")]).await,
        vec![1040, 1041, 1042, 1043, 1044, 1045],
        "the orders table has no title: rows come by id"
    );
    assert_eq!(
        list(&sim, &[("exclude", "1045,1044"), ("per_page", "2")]).await,
        vec![1043, 1042]
    );
    assert_eq!(list(&sim, &[("customer", "4")]).await, vec![1044, 1040]);
    assert_eq!(list(&sim, &[("customer", "0")]).await, vec![1041]);
    assert_eq!(list(&sim, &[("parent", "1040")]).await, Vec::<u64>::new());
    assert_eq!(
        list(&sim, &[("parent_exclude", "0")]).await,
        Vec::<u64>::new()
    );
    let reply = sim
        .oauth("GET", ORDERS, &[("orderby", "total")], None)
        .await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn paging_headers_and_link_parameters() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth(
            "GET",
            ORDERS,
            &[("customer", "6"), ("per_page", "1"), ("status", "any")],
            None,
        )
        .await;
    assert_eq!(ids(&reply.json()), vec![1045]);
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("2"));
    assert_eq!(reply.header("x-wp-totalpages").as_deref(), Some("2"));
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.ends_with("&status%5B0%5D=any&customer=6&dp=2&context=view&page=2>; rel=\"next\""),
        "{link}"
    );
    assert!(
        link.contains("/wp-json/wc/v3/orders?per_page=1&oauth_consumer_key="),
        "{link}"
    );

    let reply = sim
        .oauth(
            "GET",
            ORDERS,
            &[("per_page", "4"), ("page", "3"), ("dp", "3")],
            None,
        )
        .await;
    assert_eq!(reply.text, "[]");
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("6"));
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.contains("?per_page=4&page=2&dp=3&oauth_consumer_key="),
        "{link}"
    );
    assert!(
        !link.contains("context=view"),
        "no order was prepared: {link}"
    );
    assert!(
        link.ends_with("&status%5B0%5D=any>; rel=\"prev\""),
        "{link}"
    );

    let reply = sim
        .oauth(
            "GET",
            ORDERS,
            &[("per_page", "2"), ("page", "2"), ("dp", "3")],
            None,
        )
        .await;
    assert_eq!(ids(&reply.json()), vec![1043, 1042]);
    assert_eq!(reply.json()[0]["total"], json!("46.770"), "dp=3");
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.contains("rel=\"prev\", <") && link.ends_with("rel=\"next\""),
        "{link}"
    );
}
