//! Peak memory of the host process with the catalog of a 100,000-product store (and its
//! variations) cached: the store runs in a child process, the host (this process) loads the
//! plugin through the C ABI and keeps its company in a SQLite file, as QBM does. Reported from
//! `/proc/self/status` (`VmHWM`, the peak resident set).
//!
//! `cargo bench -p host-sim --bench memory` (`--products N` parent products, default 100,000;
//! `--skus N` for a catalog of exactly N products and variations instead; `--latency MS`,
//! default 0: this measures memory, not time).

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use host_sim::company::Company;
use host_sim::company::records::Item;
use host_sim::session::{ActionInput, Session};
use rust_decimal::Decimal;
use serde_json::json;
use support::{Store, StoreSpec};

/// The most the host process may hold with the cache loaded.
const LIMIT: u64 = 100 * 1024 * 1024;

struct Step {
    what: String,
    elapsed: Duration,
    requests: u64,
    peak: u64,
    after: u64,
}

fn step(
    store: &Store,
    what: &str,
    run: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<Step> {
    store.reset()?;
    support::reset_peak_rss();
    let started = Instant::now();
    run()?;
    Ok(Step {
        what: what.to_string(),
        elapsed: started.elapsed(),
        requests: store.requests()?.total(),
        peak: support::peak_rss(),
        after: support::rss(),
    })
}

fn action(session: &Session, id: &str, selection: &[String]) -> anyhow::Result<()> {
    let response = session.action(id, &ActionInput::select(selection.to_vec()))?;
    anyhow::ensure!(
        response["outcome"] == "completed",
        "{id}: {}",
        response["message"]
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    support::serve_if_child();
    let latency = support::flag("--latency", 0);
    let skus = support::flag("--skus", 0) as usize;
    let products = support::flag("--products", 100_000) as usize;
    println!(
        "Peak memory with a large cached catalog; {}",
        support::machine()
    );
    let store = Store::start(StoreSpec {
        skus: (skus > 0).then_some(skus),
        products: (skus == 0).then_some(products),
        latency_ms: latency,
        no_facts: true,
        ..StoreSpec::default()
    })?;
    let (parents, variations) = (store.products, store.items - store.products);
    let dir = tempfile::tempdir()?;
    let company = Arc::new(Company::open(&dir.path().join("company.sqlite"))?);
    let mut session = support::session(Arc::clone(&company), &store, json!({}))?;

    // A hundred QBM items with SKUs of the store (simple products and variable parents).
    let mut ids = Vec::new();
    for n in 1..=100 {
        let item = company.items_create(&Item {
            code: format!("Q-{n:03}"),
            name: format!("QBM article {n}"),
            sku: Some(format!("SKU-{n:06}")),
            item_type: "inventory".into(),
            active: true,
            ..Item::default()
        })?;
        let id = item.id.unwrap_or_default();
        company.set_on_hand(&id, "1", Decimal::from(n))?;
        ids.push(id);
    }

    let baseline = support::rss();
    let mut steps = Vec::new();
    // The QBM Items tab loads the catalog into the cache when there is none (its own table
    // lists QBM's items, about a hundred here): the cache's cost on its own.
    steps.push(step(
        &store,
        "QBM Items tab: the catalog read into the cache",
        || action(&session, "items.qbm.refresh", &[]),
    )?);
    steps.push(step(
        &store,
        "Sync Stock of 100 items (cache checked in 1 request)",
        || action(&session, "items.qbm.sync_stock", &ids),
    )?);
    // A restart: a new instance reads the cache back from QBM's storage.
    session = session.reopen()?;
    steps.push(step(
        &store,
        "After a restart: the cache read back from QBM's storage",
        || action(&session, "items.qbm.refresh", &[]),
    )?);
    // The WooCommerce Items tab, one page at a time (`params.page`), and all at once: a row per
    // product and variation, which the host holds too.
    steps.push(step(
        &store,
        "WooCommerce Items tab, one page of 500 rows",
        || {
            let response = session.action(
                "items.woo.refresh",
                &ActionInput::default().param("page", 1),
            )?;
            anyhow::ensure!(
                response["outcome"] == "completed",
                "{}",
                response["message"]
            );
            Ok(())
        },
    )?);
    steps.push(step(
        &store,
        "WooCommerce Items tab, every row at once",
        || action(&session, "items.woo.refresh", &[]),
    )?);

    println!(
        "\n{} products and {} variations ({} items); host process before the first load: {}.\n",
        parents,
        variations,
        parents + variations,
        support::mib(baseline),
    );
    println!("| Step | Time | Requests | Peak RSS (VmHWM) | RSS after | ≤ 100 MiB |");
    println!("|---|---:|---:|---:|---:|---|");
    for s in &steps {
        println!(
            "| {} | {:.2} s | {} | {} | {} | {} |",
            s.what,
            s.elapsed.as_secs_f64(),
            s.requests,
            support::mib(s.peak),
            support::mib(s.after),
            if s.peak <= LIMIT { "met" } else { "MISSED" }
        );
    }
    drop(session);
    Ok(())
}
