//! Stock rules: quantities only when managed, status recomputed, the store-wide switch,
//! parent-managed variations, `inventory_delta`, prices, and `date_modified` on every save.

mod store_support;

use chrono::{Duration, TimeZone as _, Utc};
use serde_json::{Value, json};
use store_support::Sim;

async fn put(sim: &Sim, path: &str, body: Value) -> Value {
    let reply = sim.oauth("PUT", path, &[], Some(&body)).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.json()
}

#[tokio::test]
async fn quantities_apply_only_to_managed_items() {
    let sim = Sim::fixtures();
    let gift = put(
        &sim,
        "/wp-json/wc/v3/products/1030",
        json!({"stock_quantity": 7}),
    )
    .await;
    assert_eq!(gift["manage_stock"], json!(false));
    assert_eq!(gift["stock_quantity"], Value::Null);
    let gift = put(
        &sim,
        "/wp-json/wc/v3/products/1030",
        json!({"manage_stock": true, "stock_quantity": 7}),
    )
    .await;
    assert_eq!(
        (gift["manage_stock"].clone(), gift["stock_quantity"].clone()),
        (json!(true), json!(7))
    );
    let poster = put(
        &sim,
        "/wp-json/wc/v3/products/1031",
        json!({"stock_quantity": 0, "stock_status": "instock"}),
    )
    .await;
    assert_eq!(
        poster["stock_status"],
        json!("outofstock"),
        "recomputed, the sent status is ignored"
    );
    assert_eq!(poster["purchasable"], json!(true));
    let poster = put(
        &sim,
        "/wp-json/wc/v3/products/1031",
        json!({"backorders": "notify"}),
    )
    .await;
    assert_eq!(poster["stock_status"], json!("onbackorder"));
    assert_eq!(poster["backorders_allowed"], json!(true));
    let unmanaged = put(
        &sim,
        "/wp-json/wc/v3/products/1031",
        json!({"manage_stock": false, "stock_status": "outofstock"}),
    )
    .await;
    assert_eq!(unmanaged["stock_quantity"], Value::Null);
    assert_eq!(unmanaged["backorders"], json!("no"));
    assert_eq!(unmanaged["stock_status"], json!("outofstock"));
    let notebook = put(
        &sim,
        "/wp-json/wc/v3/products/1033",
        json!({"inventory_delta": -2}),
    )
    .await;
    assert_eq!(notebook["stock_quantity"], json!(38));
    let notebook = put(
        &sim,
        "/wp-json/wc/v3/products/1033",
        json!({"stock_quantity": 5, "inventory_delta": 100}),
    )
    .await;
    assert_eq!(
        notebook["stock_quantity"],
        json!(5),
        "stock_quantity wins over inventory_delta"
    );
}

#[tokio::test]
async fn the_store_wide_switch_hides_and_ignores_stock() {
    let sim = Sim::fixtures();
    sim.store.set_manage_stock_enabled(false);
    let mug = sim
        .oauth("GET", "/wp-json/wc/v3/products/1029", &[], None)
        .await
        .json();
    assert_eq!(mug["manage_stock"], json!(false));
    assert_eq!(
        mug["stock_quantity"],
        json!(23),
        "the stored quantity is still shown"
    );
    let variations = sim
        .oauth("GET", "/wp-json/wc/v3/products/1036/variations", &[], None)
        .await
        .json();
    for v in variations.as_array().into_iter().flatten() {
        assert_eq!(v["manage_stock"], json!(false));
    }
    let gift = put(
        &sim,
        "/wp-json/wc/v3/products/1030",
        json!({"manage_stock": true, "stock_quantity": 9}),
    )
    .await;
    assert_eq!(
        gift["stock_quantity"],
        Value::Null,
        "ignored while the switch is off"
    );
    let mug = put(
        &sim,
        "/wp-json/wc/v3/products/1029",
        json!({"stock_quantity": 1}),
    )
    .await;
    assert_eq!(mug["stock_quantity"], json!(23));
    let setting = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/settings/products/woocommerce_manage_stock",
            &[],
            None,
        )
        .await
        .json();
    assert_eq!(setting["value"], json!("no"));
    let setting = put(
        &sim,
        "/wp-json/wc/v3/settings/products/woocommerce_manage_stock",
        json!({"value": "yes"}),
    )
    .await;
    assert_eq!(setting["value"], json!("yes"));
    assert!(sim.store.with_data(|d| d.settings.manage_stock));
}

#[tokio::test]
async fn parent_managed_variations_show_and_keep_the_parents_stock() {
    let sim = Sim::fixtures();
    let variation = put(
        &sim,
        "/wp-json/wc/v3/products/1036/variations/1038",
        json!({"stock_quantity": 4}),
    )
    .await;
    assert_eq!(variation["manage_stock"], json!("parent"));
    assert_eq!(variation["stock_quantity"], json!(8));
    let parent = sim
        .oauth("GET", "/wp-json/wc/v3/products/1036", &[], None)
        .await
        .json();
    assert_eq!(parent["stock_quantity"], json!(8));
    let hidden = sim
        .store
        .with_data(|d| d.products.get(&1038).and_then(|p| p.stock_quantity));
    assert_eq!(
        hidden,
        Some(4),
        "kept in the variation's own, invisible field"
    );
    let parent = put(
        &sim,
        "/wp-json/wc/v3/products/1036",
        json!({"stock_quantity": 3}),
    )
    .await;
    assert_eq!(parent["stock_quantity"], json!(3));
    let variation = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/products/1036/variations/1038",
            &[],
            None,
        )
        .await
        .json();
    assert_eq!(variation["stock_quantity"], json!(3));
    let by_product_route = sim
        .oauth("GET", "/wp-json/wc/v3/products/1038", &[], None)
        .await
        .json();
    assert_eq!(by_product_route["manage_stock"], json!("parent"));
    assert_eq!(by_product_route["type"], json!("variation"));
    // "parent" is not a boolean for a single request.
    let reply = sim
        .oauth(
            "PUT",
            "/wp-json/wc/v3/products/1036/variations/1037",
            &[],
            Some(&json!({"manage_stock": "parent"})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["data"]["params"]["manage_stock"],
        json!("manage_stock is not of type boolean.")
    );
}

#[tokio::test]
async fn prices_and_purchasability() {
    let sim = Sim::fixtures();
    let created = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/products",
            &[],
            Some(&json!({"name": "No price", "regular_price": ""})),
        )
        .await
        .json();
    assert_eq!(created["price"], json!(""));
    assert_eq!(created["purchasable"], json!(false));
    assert_eq!(created["price_html"], json!(""));
    let sale = put(
        &sim,
        &format!("/wp-json/wc/v3/products/{}", created["id"]),
        json!({"regular_price": "10", "sale_price": "7.5"}),
    )
    .await;
    assert_eq!(sale["price"], json!("7.5"));
    assert_eq!(sale["regular_price"], json!("10"), "stored as entered");
    assert_eq!(sale["on_sale"], json!(true));
    assert!(
        sale["price_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<del")
    );
    let variable = sim
        .oauth("GET", "/wp-json/wc/v3/products/1036", &[], None)
        .await
        .json();
    assert_eq!(variable["price"], json!("17.90"), "the cheapest variation");
    assert_eq!(variable["regular_price"], json!(""));
}

#[tokio::test]
async fn every_save_bumps_date_modified() {
    let sim = Sim::fixtures();
    let at = Utc
        .with_ymd_and_hms(2027, 1, 15, 9, 30, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(at));
    let mug = put(
        &sim,
        "/wp-json/wc/v3/products/1029",
        json!({"name": "FX Kaffeebecher"}),
    )
    .await;
    assert_eq!(mug["date_modified_gmt"], json!("2027-01-15T09:30:00"));
    assert_eq!(
        mug["date_modified"],
        json!("2027-01-15T10:30:00"),
        "Berlin time"
    );
    sim.store
        .with_data(|d| d.clock.advance(Duration::minutes(5)));
    put(
        &sim,
        "/wp-json/wc/v3/products/1036/variations/1037",
        json!({"regular_price": "19.90"}),
    )
    .await;
    let parent = sim
        .oauth("GET", "/wp-json/wc/v3/products/1036", &[], None)
        .await
        .json();
    assert_eq!(
        parent["date_modified_gmt"],
        json!("2027-01-15T09:35:00"),
        "saving a variation saves its parent"
    );

    // An order reduces the parent's pool for a parent-managed variation and bumps the parent.
    sim.store
        .with_data(|d| d.clock.advance(Duration::minutes(5)));
    let order = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/orders",
            &[],
            Some(&json!({"status": "processing", "line_items": [{"variation_id": 1038, "product_id": 1036, "quantity": 3}]})),
        )
        .await
        .json();
    let parent = sim
        .oauth("GET", "/wp-json/wc/v3/products/1036", &[], None)
        .await
        .json();
    assert_eq!(parent["stock_quantity"], json!(5));
    assert_eq!(parent["date_modified_gmt"], json!("2027-01-15T09:40:00"));
    assert_eq!(
        order["line_items"][0]["meta_data"][2]["key"],
        json!("_reduced_stock")
    );
    sim.store
        .with_data(|d| d.clock.advance(Duration::minutes(5)));
    put(
        &sim,
        &format!("/wp-json/wc/v3/orders/{}", order["id"]),
        json!({"status": "cancelled"}),
    )
    .await;
    let parent = sim
        .oauth("GET", "/wp-json/wc/v3/products/1036", &[], None)
        .await
        .json();
    assert_eq!(parent["stock_quantity"], json!(8));
    assert_eq!(parent["date_modified_gmt"], json!("2027-01-15T09:45:00"));
}
