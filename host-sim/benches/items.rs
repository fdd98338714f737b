//! Request counts and wall time of the Items actions on a large catalog, against the simulated
//! store answering every request after a fixed delay (as a real store on the internet would),
//! printed beside the lowest number of requests the WooCommerce API allows.
//!
//! `cargo bench -p host-sim --bench items` (optional arguments: products, items, latency in ms).

use std::sync::Arc;
use std::time::{Duration, Instant};

use host_sim::company::Company;
use host_sim::company::records::Item;
use host_sim::plugin_path;
use host_sim::services::SimHost;
use host_sim::session::{ActionInput, Session};
use host_sim::store::{FaultKind, FaultRule, KeyPermission, SeedSpec, SimStore, StoreOptions};
use rust_decimal::Decimal;
use serde_json::json;

struct Row {
    what: String,
    requests: u64,
    lower_bound: u64,
    writes: u64,
    elapsed: Duration,
}

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .filter(|a| !a.starts_with('-'))
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let products = arg(1, 2000) as usize;
    let items = arg(2, 1000) as usize;
    let latency = Duration::from_millis(arg(3, 20));

    let store = SimStore::start(StoreOptions::default())?;
    store.seed(&SeedSpec {
        products,
        customers: 0,
        orders: 0,
        ..SeedSpec::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let (parents, variable) = store.catalog_size();
    let simple_skus: Vec<String> = store.with_data(|d| {
        d.products
            .values()
            .filter(|p| p.parent_id == 0 && p.kind.as_str() == "simple")
            .map(|p| p.sku.clone())
            .collect()
    });
    let items = items.min(simple_skus.len());

    let company = Arc::new(Company::in_memory()?);
    let mut ids = Vec::with_capacity(items);
    for (n, sku) in simple_skus.iter().take(items).enumerate() {
        let item = company.items_create(&Item {
            code: format!("B-{n:05}"),
            name: format!("Benchmark article {n}"),
            sku: Some(sku.clone()),
            price: Some(Decimal::new(1999, 2)),
            item_type: "inventory".into(),
            active: true,
            ..Item::default()
        })?;
        let id = item.id.expect("created items have ids");
        company.set_on_hand(&id, "1", Decimal::from(n % 50))?;
        ids.push(id);
    }
    let plugin = plugin_path::beside_executable().unwrap_or_else(plugin_path::build_for_tests);
    let session = Session::open(&plugin, SimHost::new(company.clone(), "admin", "BENCH"))?;
    session
        .set_options(json!({
            "enabled": true, "store_url": store.base_url(), "allow_insecure_http": true,
            "consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret,
            "primary_location": "1", "allow_create_items": true,
        }))
        .map_err(|(err, _)| err)?;
    store
        .faults()
        .add(FaultRule::new(FaultKind::Latency(latency)));

    let mut rows = Vec::new();
    let mut measure = |what: &str,
                       lower_bound: u64,
                       run: &mut dyn FnMut() -> anyhow::Result<()>|
     -> anyhow::Result<()> {
        store.reset_requests();
        let start = Instant::now();
        run()?;
        let elapsed = start.elapsed();
        let counts = store.requests();
        rows.push(Row {
            what: what.to_string(),
            requests: counts.total(),
            lower_bound,
            writes: counts.matching("POST") + counts.matching("PUT"),
            elapsed,
        });
        Ok(())
    };
    let pages = |n: u64| n.div_ceil(100);
    let batch = ActionInput::select(ids.clone());

    measure(
        "Refresh WooCommerce Items (full)",
        pages(parents) + variable,
        &mut || {
            session.action("items.woo.refresh", &ActionInput::default())?;
            Ok(())
        },
    )?;
    measure(
        "Refresh WooCommerce Items (nothing changed)",
        1,
        &mut || {
            session.action("items.woo.refresh", &ActionInput::default())?;
            Ok(())
        },
    )?;
    let n = ids.len() as u64;
    measure(
        &format!("Create / Update {n} matched items"),
        pages(n) * 2,
        &mut || {
            session.action("items.qbm.create_update", &batch)?;
            Ok(())
        },
    )?;
    for id in &ids {
        company.set_on_hand(id, "1", Decimal::from(77))?;
    }
    measure(
        &format!("Sync Stock {n} items, all changed"),
        pages(n) * 2,
        &mut || {
            session.action("items.qbm.sync_stock", &batch)?;
            Ok(())
        },
    )?;
    measure(
        &format!("Sync Stock {n} items, none changed"),
        pages(n),
        &mut || {
            session.action("items.qbm.sync_stock", &batch)?;
            Ok(())
        },
    )?;

    println!(
        "\nCatalog: {parents} products ({variable} variable) · {n} QBM items · {} ms per request\n",
        latency.as_millis()
    );
    println!(
        "{:<46} {:>9} {:>12} {:>7} {:>10}",
        "operation", "requests", "lower bound", "writes", "time"
    );
    for row in rows {
        println!(
            "{:<46} {:>9} {:>12} {:>7} {:>9.2}s",
            row.what,
            row.requests,
            row.lower_bound,
            row.writes,
            row.elapsed.as_secs_f64()
        );
    }
    Ok(())
}
