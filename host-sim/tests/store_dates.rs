//! Date filters: naive values in store-local time unless `dates_are_gmt=true`, strict bounds,
//! offsets converted to store time, and local/GMT pairs in the answers.

mod store_support;

use chrono::{TimeZone as _, Utc};
use serde_json::{Value, json};
use store_support::Sim;

fn ids(body: &Value) -> Vec<u64> {
    body.as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_u64()).collect())
        .unwrap_or_default()
}

/// An empty store over HTTP (Europe/Berlin, which is UTC+1 in January).
fn store() -> Sim {
    Sim::start(host_sim::store::StoreOptions::default())
}

/// Creates a product at `hour`:00 UTC on 10 January 2026.
async fn create_at(sim: &Sim, hour: u32, sku: &str) -> u64 {
    let at = Utc
        .with_ymd_and_hms(2026, 1, 10, hour, 0, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(at));
    let reply = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/products",
            &[],
            Some(&json!({"name": format!("Item {sku}"), "sku": sku})),
        )
        .await;
    assert_eq!(reply.status, 201);
    let body = reply.json();
    assert_eq!(
        body["date_created_gmt"],
        json!(format!("2026-01-10T{hour:02}:00:00"))
    );
    assert_eq!(
        body["date_created"],
        json!(format!("2026-01-10T{:02}:00:00", hour + 1))
    );
    body["id"].as_u64().unwrap_or_default()
}

async fn list(sim: &Sim, query: &[(&str, &str)]) -> Vec<u64> {
    let mut q = vec![("orderby", "id"), ("order", "asc")];
    q.extend_from_slice(query);
    let reply = sim.oauth("GET", "/wp-json/wc/v3/products", &q, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    ids(&reply.json())
}

#[tokio::test]
async fn naive_dates_are_local_unless_dates_are_gmt() {
    let sim = store();
    let a = create_at(&sim, 9, "A").await;
    let b = create_at(&sim, 10, "B").await;
    let c = create_at(&sim, 11, "C").await;
    // 10:00 UTC is 11:00 in Berlin.
    assert_eq!(
        list(
            &sim,
            &[("after", "2026-01-10T10:00:00"), ("dates_are_gmt", "true")]
        )
        .await,
        vec![c],
        "strictly after"
    );
    assert_eq!(
        list(&sim, &[("after", "2026-01-10T10:00:00")]).await,
        vec![b, c],
        "read as Berlin time: after 09:00 UTC"
    );
    assert_eq!(
        list(
            &sim,
            &[("before", "2026-01-10T11:00:00"), ("dates_are_gmt", "true")]
        )
        .await,
        vec![a, b]
    );
    assert_eq!(
        list(
            &sim,
            &[
                ("after", "2026-01-10T08:59:59"),
                ("before", "2026-01-10T10:00:00"),
                ("dates_are_gmt", "true")
            ]
        )
        .await,
        vec![a]
    );
    // A value with an offset is turned into Berlin wall time first, also for the GMT column.
    assert_eq!(
        list(&sim, &[("after", "2026-01-10T09:30:00Z")]).await,
        vec![b, c]
    );
    assert_eq!(
        list(
            &sim,
            &[("after", "2026-01-10T09:30:00Z"), ("dates_are_gmt", "true")]
        )
        .await,
        vec![c],
        "shifted by the store's offset"
    );
    let reply = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/products",
            &[("after", "2026-01-10")],
            None,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["data"]["details"]["after"]["code"],
        json!("rest_invalid_date")
    );
}

#[tokio::test]
async fn modified_dates_filter_products_and_orders() {
    let sim = store();
    let a = create_at(&sim, 9, "A").await;
    let b = create_at(&sim, 10, "B").await;
    let later = Utc
        .with_ymd_and_hms(2026, 2, 1, 12, 0, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(later));
    let reply = sim
        .oauth(
            "PUT",
            &format!("/wp-json/wc/v3/products/{a}"),
            &[],
            Some(&json!({"regular_price": "3"})),
        )
        .await;
    assert_eq!(
        reply.json()["date_modified_gmt"],
        json!("2026-02-01T12:00:00")
    );
    assert_eq!(
        list(
            &sim,
            &[
                ("modified_after", "2026-01-31T00:00:00"),
                ("dates_are_gmt", "true")
            ]
        )
        .await,
        vec![a]
    );
    assert_eq!(
        list(
            &sim,
            &[
                ("modified_before", "2026-01-31T00:00:00"),
                ("dates_are_gmt", "true")
            ]
        )
        .await,
        vec![b]
    );
    let order = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/orders",
            &[],
            Some(&json!({"line_items": [{"sku": "B", "quantity": 1}]})),
        )
        .await
        .json();
    assert_eq!(order["date_created_gmt"], json!("2026-02-01T12:00:00"));
    assert_eq!(order["date_created"], json!("2026-02-01T13:00:00"));
    let found = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/orders",
            &[
                ("modified_after", "2026-02-01T11:59:59"),
                ("dates_are_gmt", "true"),
            ],
            None,
        )
        .await
        .json();
    assert_eq!(ids(&found), vec![order["id"].as_u64().unwrap_or_default()]);
    let none = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/orders",
            &[
                ("modified_after", "2026-02-01T12:00:00"),
                ("dates_are_gmt", "true"),
            ],
            None,
        )
        .await
        .json();
    assert_eq!(ids(&none), Vec::<u64>::new());
}

#[tokio::test]
async fn the_time_zone_is_configurable() {
    let sim = Sim::start(host_sim::store::StoreOptions {
        timezone: chrono_tz::America::New_York,
        ..host_sim::store::StoreOptions::default()
    });
    let at = Utc
        .with_ymd_and_hms(2026, 7, 1, 12, 0, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(at));
    let product = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/products",
            &[],
            Some(&json!({"name": "Summer"})),
        )
        .await
        .json();
    assert_eq!(product["date_created"], json!("2026-07-01T08:00:00"));
    assert_eq!(product["date_created_gmt"], json!("2026-07-01T12:00:00"));
    let index = sim.send("GET", "/wp-json/", None, &[]).await.json();
    assert_eq!(index["timezone_string"], json!("America/New_York"));
    assert_eq!(index["gmt_offset"], json!(-4));
    sim.store.set_timezone(chrono_tz::Asia::Kolkata);
    let index = sim.send("GET", "/wp-json/", None, &[]).await.json();
    assert_eq!(index["gmt_offset"], json!(5.5));
}
