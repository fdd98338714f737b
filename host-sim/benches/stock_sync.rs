//! Automatic stock sync through `run_due_jobs`, as QBM's job thread calls it, on a catalog of
//! 10,000 SKUs with variations and parent-managed stock at 50 ms per request: the first run
//! (a full stock check), a run after 1,000 items changed in QBM (requests beside one batch per
//! 100 changes per batch endpoint, and no reads of linked items), a run after the host reported
//! ten items moved, a run where nothing changed, and the host process's peak memory.
//!
//! `cargo bench -p host-sim --bench stock_sync` (`--skus N`, `--changed N`, `--latency MS`).

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use host_sim::company::Company;
use host_sim::session::{ActionInput, Session};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::{Mirrored, Row, Store, StoreSpec};

/// One run after the host reported `moved` items, measured against the batches that publish them
/// plus one read of the open web orders.
fn publish_moved(
    store: &Store,
    session: &Session,
    items: &[Mirrored],
    moved: &[String],
    what: String,
) -> anyhow::Result<Row> {
    let moved_set: BTreeSet<&String> = moved.iter().collect();
    let changed: Vec<&Mirrored> = items
        .iter()
        .filter(|i| moved_set.contains(&i.qbm_id))
        .collect();
    let writes = support::stock_writes(&changed);
    let mut run = support::measure(store, what, writes + 1, || {
        session.stock_changed(moved.iter().cloned())?;
        cycle(session).map(drop)
    })?;
    run.notes.push(format!(
        "bound: {writes} batches + 1 read of open web orders"
    ));
    Ok(run)
}

/// Runs the due jobs and checks stock sync ran without failures.
fn cycle(session: &Session) -> anyhow::Result<Value> {
    let jobs = session.run_due_jobs()?;
    let entry = jobs.report["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["job"] == "stock_sync"))
        .cloned()
        .unwrap_or_default();
    anyhow::ensure!(
        entry["ran"] == true && entry["status"] == "completed",
        "stock sync: {entry}"
    );
    Ok(entry)
}

fn main() -> anyhow::Result<()> {
    support::serve_if_child();
    let latency = Duration::from_millis(support::flag("--latency", 50));
    let skus = support::flag("--skus", 10_000) as usize;
    let wanted = support::flag("--changed", 1_000) as usize;
    println!(
        "Automatic stock sync at {} ms per request; {}",
        latency.as_millis(),
        support::machine()
    );
    let store = Store::start(StoreSpec {
        skus: Some(skus),
        latency_ms: latency.as_millis() as u64,
        ..StoreSpec::default()
    })?;
    let dir = tempfile::tempdir()?;
    let company = Arc::new(Company::open(&dir.path().join("company.sqlite"))?);
    let mut items = support::mirror(&company, &store.facts)?;
    support::reset_peak_rss();
    let mut session = support::session(
        Arc::clone(&company),
        &store,
        json!({"stock_sync_on_this_client": true}),
    )?;
    let started = session.action("options.stock_sync.start", &ActionInput::default())?;
    anyhow::ensure!(started["outcome"] == "completed", "{started}");
    let mut rows: Vec<Row> = Vec::new();
    let mut routes = Vec::new();

    let mut first = support::measure(
        &store,
        format!("{skus} SKUs: first run (reads the catalog, checks every item)"),
        support::full_read(&store.facts),
        || cycle(&session).map(drop),
    )?;
    first.notes.push("nothing to write".into());
    routes.push((first.what.clone(), store.routes()?));
    rows.push(first);

    // 1,000 items change in QBM, spread over products, variations and shared parent stocks.
    let inventory = items.iter().filter(|i| i.quantity.is_some()).count();
    let step = (inventory / wanted.max(1)).max(1);
    let mut moved = Vec::new();
    for (n, item) in items
        .iter_mut()
        .filter(|i| i.quantity.is_some())
        .enumerate()
    {
        if n % step != 0 || moved.len() == wanted {
            continue;
        }
        let q = item.quantity.unwrap_or(0) + 3;
        company.set_on_hand(&item.qbm_id, "1", Decimal::from(q))?;
        item.quantity = Some(q);
        moved.push(item.qbm_id.clone());
    }
    let what = format!("{skus} SKUs: {} items changed in QBM", moved.len());
    let run = publish_moved(&store, &session, &items, &moved, what)?;
    routes.push((run.what.clone(), store.routes()?));
    rows.push(run);

    // The host reports ten items moved (a sale at the till): published at once.
    let few: Vec<String> = items
        .iter_mut()
        .filter(|i| i.quantity.is_some())
        .step_by(97)
        .take(10)
        .map(|item| {
            let q = item.quantity.unwrap_or(0) + 1;
            item.quantity = Some(q);
            company
                .set_on_hand(&item.qbm_id, "1", Decimal::from(q))
                .map(|()| item.qbm_id.clone())
        })
        .collect::<Result<_, _>>()?;
    let what = format!("{skus} SKUs: 10 items reported moved by the host");
    let run = publish_moved(&store, &session, &items, &few, what)?;
    routes.push((run.what.clone(), store.routes()?));
    rows.push(run);

    // Nothing changed: a new instance (as after a restart of QBM) finds every job due at once.
    session = session.reopen()?;
    let mut idle = support::measure(&store, format!("{skus} SKUs: nothing changed"), 0, || {
        cycle(&session).map(drop)
    })?;
    idle.notes.push(format!(
        "0 requests: {}",
        if idle.requests == 0 { "met" } else { "MISSED" }
    ));
    rows.push(idle);
    let peak = support::peak_rss();

    support::print_table("Automatic stock sync", latency, &rows);
    println!("\nRequests by route:\n");
    for (what, routes) in routes {
        println!("- {what}: {routes}");
    }
    println!(
        "\nPeak memory of the host process (QBM's side, with the plugin; the store runs in its own process): {} (VmHWM), {} now.",
        support::mib(peak),
        support::mib(support::rss())
    );
    Ok(())
}
