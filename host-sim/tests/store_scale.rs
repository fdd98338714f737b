//! Large catalogs: seeding by SKU count with parent-managed stock, linear seeding time, and a
//! 100,000-product catalog seeded and served (ignored by default; run it to measure).

mod store_support;

use std::time::{Duration, Instant};

use host_sim::store::model::{ProductKind, StockOwner, StoreSettings};
use host_sim::store::{SeedSpec, StoreOptions, generate};
use store_support::Sim;

fn settings() -> StoreSettings {
    StoreSettings::new("EUR", chrono_tz::Europe::Berlin)
}

fn skus(n: usize, orders: usize) -> SeedSpec {
    SeedSpec {
        skus: Some(n),
        orders,
        customers: 100,
        ..SeedSpec::default()
    }
}

#[test]
fn ten_thousand_skus_with_parent_managed_stock_and_a_thousand_orders() {
    let started = Instant::now();
    let data = generate(&skus(10_000, 1_000), settings());
    eprintln!(
        "10,000 SKUs and 1,000 orders seeded in {:?}",
        started.elapsed()
    );
    assert_eq!(data.products.len(), 10_000);
    assert_eq!(data.orders.len(), 1_000);
    let variations: Vec<_> = data
        .products
        .values()
        .filter(|p| p.is_variation())
        .collect();
    let parent_managed = variations
        .iter()
        .filter(|v| matches!(data.stock_owner(v), StockOwner::Parent(_)))
        .count();
    assert!(variations.len() > 2_000, "{}", variations.len());
    assert!(
        parent_managed > variations.len() / 10,
        "{parent_managed} of {}",
        variations.len()
    );
    let none = generate(
        &SeedSpec {
            parent_managed_share: 0.0,
            ..skus(2_000, 0)
        },
        settings(),
    );
    assert!(
        none.products
            .values()
            .all(|p| !matches!(none.stock_owner(p), StockOwner::Parent(_))),
        "no parent manages stock when the share is 0"
    );
    assert!(
        none.products
            .values()
            .any(|p| p.kind == ProductKind::Variable)
    );
}

#[test]
fn seeding_time_grows_linearly() {
    let time = |n: usize| {
        let started = Instant::now();
        let data = generate(&skus(n, 0), settings());
        assert_eq!(data.products.len(), n);
        started.elapsed()
    };
    time(500);
    let small = time(2_500);
    let large = time(10_000);
    // Four times the catalog: about four times the time; a quadratic step would be sixteen.
    assert!(
        large < small * 9 + Duration::from_millis(200),
        "2,500 SKUs: {small:?}, 10,000 SKUs: {large:?}"
    );
}

#[tokio::test]
#[ignore = "takes a while: run it to measure a 100,000-product catalog"]
async fn a_catalog_of_100_000_products_seeds_and_serves() {
    let sim = Sim::start(StoreOptions::default());
    let started = Instant::now();
    sim.store.seed(&SeedSpec {
        products: 100_000,
        orders: 1_000,
        customers: 1_000,
        ..SeedSpec::default()
    });
    let items = sim.store.with_data(|d| d.products.len());
    eprintln!(
        "seeded 100,000 products ({items} items) in {:?}",
        started.elapsed()
    );
    let started = Instant::now();
    let mut seen = 0;
    let mut page = 1;
    loop {
        let p = page.to_string();
        let reply = sim
            .oauth(
                "GET",
                "/wp-json/wc/v3/products",
                &[
                    ("per_page", "100"),
                    ("page", &p),
                    ("orderby", "id"),
                    ("order", "asc"),
                ],
                None,
            )
            .await;
        assert_eq!(reply.status, 200);
        if page == 1 {
            assert_eq!(reply.header("x-wp-total").as_deref(), Some("100000"));
        }
        seen += reply.json().as_array().map_or(0, Vec::len);
        if page == 50 {
            break;
        }
        page += 1;
    }
    let per_page = started.elapsed() / 50;
    eprintln!("50 full pages of 100 products: {per_page:?} per page");
    assert_eq!(seen, 5_000);
    let started = Instant::now();
    let reply = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/products",
            &[("sku", "SKU-050000,SKU-099999"), ("per_page", "100")],
            None,
        )
        .await;
    assert_eq!(reply.json().as_array().map(Vec::len), Some(2));
    eprintln!("a lookup of 2 SKUs: {:?}", started.elapsed());
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        let peak = status.lines().find(|l| l.starts_with("VmHWM"));
        eprintln!(
            "peak memory of the test process: {}",
            peak.unwrap_or("unknown")
        );
    }
}
