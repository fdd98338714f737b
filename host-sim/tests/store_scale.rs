//! Large catalogs: seeding by SKU count with parent-managed stock. How long seeding and serving a
//! 100,000-product catalog takes is measured by the benchmarks (`host-sim/benches`), not here.

use std::time::Instant;

use host_sim::store::model::{ProductKind, StockOwner, StoreSettings};
use host_sim::store::{SeedSpec, generate};

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
