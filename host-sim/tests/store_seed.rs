//! Seed data: the same spec builds the same store, and the fixture store can be loaded.

mod store_support;

use host_sim::store::{SeedSpec, StoreOptions, fixture_catalog};
use serde_json::Value;
use store_support::Sim;

fn spec(seed: u64) -> SeedSpec {
    SeedSpec {
        seed,
        products: 40,
        variable_share: 0.25,
        variations_per_product: 2..=6,
        customers: 12,
        orders: 30,
        ..SeedSpec::default()
    }
}

async fn snapshot(sim: &Sim) -> Vec<String> {
    let mut pages = Vec::new();
    for path in [
        "/wp-json/wc/v3/products",
        "/wp-json/wc/v3/customers",
        "/wp-json/wc/v3/orders",
    ] {
        let reply = sim
            .oauth(
                "GET",
                path,
                &[("per_page", "100"), ("orderby", "id"), ("order", "asc")],
                None,
            )
            .await;
        assert_eq!(reply.status, 200);
        pages.push(reply.text.replace(&sim.store.base_url(), "BASE"));
    }
    pages
}

#[tokio::test]
async fn the_same_seed_serves_the_same_store() {
    let first = Sim::start(StoreOptions::default());
    first.store.seed(&spec(5));
    let second = Sim::start(StoreOptions::default());
    second.store.seed(&spec(5));
    assert_eq!(snapshot(&first).await, snapshot(&second).await);
    second.store.seed(&spec(6));
    assert_ne!(snapshot(&first).await, snapshot(&second).await);
}

#[tokio::test]
async fn generated_data_looks_like_a_shop() {
    let sim = Sim::start(StoreOptions::default());
    sim.store.seed(&spec(9));
    let products: Value = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/products",
            &[("per_page", "100")],
            None,
        )
        .await
        .json();
    let products = products.as_array().cloned().unwrap_or_default();
    assert_eq!(products.len(), 40);
    assert!(products.iter().all(|p| {
        let sku = p["sku"].as_str().unwrap_or_default();
        sku.len() == 10 && sku.starts_with("SKU-")
    }));
    let variable = products
        .iter()
        .find(|p| p["type"] == "variable")
        .expect("some variable products");
    let id = variable["id"].as_u64().unwrap_or_default();
    let variations = sim
        .oauth(
            "GET",
            &format!("/wp-json/wc/v3/products/{id}/variations"),
            &[],
            None,
        )
        .await
        .json();
    let sku = variations[0]["sku"].as_str().unwrap_or_default().to_owned();
    assert!(
        sku.starts_with(variable["sku"].as_str().unwrap_or("?")),
        "{sku}"
    );
    let orders = sim
        .oauth("GET", "/wp-json/wc/v3/orders", &[("per_page", "100")], None)
        .await
        .json();
    let orders = orders.as_array().cloned().unwrap_or_default();
    assert_eq!(orders.len(), 30);
    assert!(orders.iter().any(|o| o["customer_id"] == 0));
    assert!(
        orders
            .iter()
            .any(|o| !o["shipping_lines"].as_array().is_none_or(Vec::is_empty))
    );
    for order in &orders {
        let total: rust_decimal::Decimal = order["total"]
            .as_str()
            .unwrap_or("0")
            .parse()
            .unwrap_or_default();
        let lines: rust_decimal::Decimal = order["line_items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                l["total"]
                    .as_str()
                    .unwrap_or("0")
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_default()
            })
            .sum();
        let rest: rust_decimal::Decimal = ["shipping_total", "total_tax"]
            .iter()
            .map(|k| {
                order[*k]
                    .as_str()
                    .unwrap_or("0")
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_default()
            })
            .sum();
        let fees: rust_decimal::Decimal = order["fee_lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                l["total"]
                    .as_str()
                    .unwrap_or("0")
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_default()
            })
            .sum();
        assert_eq!(total, lines + rest + fees, "order {}", order["id"]);
    }
}

#[tokio::test]
async fn the_fixture_store_loads_through_seed() {
    let sim = Sim::start(StoreOptions::default());
    sim.store.seed(&SeedSpec::fixtures());
    let loaded = sim
        .store
        .with_data(|d| (d.products.clone(), d.orders.clone(), d.customers.clone()));
    let direct = fixture_catalog();
    assert_eq!(loaded.0, direct.products);
    assert_eq!(loaded.1, direct.orders);
    assert_eq!(loaded.2, direct.customers);
    let mug = sim
        .oauth("GET", "/wp-json/wc/v3/products/1029", &[], None)
        .await
        .json();
    assert_eq!(mug["sku"], "FX-MUG");
}
