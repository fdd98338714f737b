//! Automatic order polling through `run_due_jobs`: 1,000 store orders from the last hours polled
//! and imported into QBM at 50 ms per request, with the time, the store's requests beside the
//! pages the listing needs (100 orders a page), the most requests in flight and the host calls
//! per imported order; then a run with nothing new.
//!
//! `cargo bench -p host-sim --bench orders` (`--orders N`, `--latency MS`).

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use host_sim::company::Company;
use host_sim::company::records::Item;
use host_sim::session::{ActionInput, Session};
use serde_json::{Value, json};
use support::{Store, StoreSpec};

fn poll(session: &Session) -> anyhow::Result<Value> {
    let jobs = session.run_due_jobs()?;
    let entry = jobs.report["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["job"] == "order_polling"))
        .cloned()
        .unwrap_or_default();
    anyhow::ensure!(entry["ran"] == true, "order polling: {entry}");
    Ok(entry)
}

fn service(company: &Company, code: &str, name: &str) -> anyhow::Result<String> {
    let item = company.items_create(&Item {
        code: code.into(),
        name: name.into(),
        item_type: "service".into(),
        active: true,
        ..Item::default()
    })?;
    item.id
        .ok_or_else(|| anyhow::anyhow!("created items have ids"))
}

fn main() -> anyhow::Result<()> {
    support::serve_if_child();
    let latency = Duration::from_millis(support::flag("--latency", 50));
    // About 6 % of the seeded orders change after the polling window (cancelled later, refunded
    // just now): 1,060 seeded leave about 1,000 to poll.
    let orders = support::flag("--orders", 1_060) as usize;
    println!(
        "Order polling at {} ms per request; {}",
        latency.as_millis(),
        support::machine()
    );
    let store = Store::start(StoreSpec {
        skus: Some(300),
        orders,
        order_hours: 20,
        latency_ms: latency.as_millis() as u64,
        ..StoreSpec::default()
    })?;
    let dir = tempfile::tempdir()?;
    let company = Arc::new(Company::open(&dir.path().join("company.sqlite"))?);
    support::mirror(&company, &store.facts)?;
    let shipping = service(&company, "SHIP", "Shipping")?;
    let fee = service(&company, "FEE", "Fees")?;
    support::reset_peak_rss();
    let mut session = support::session(
        Arc::clone(&company),
        &store,
        json!({
            "allow_import_orders": true,
            "order_polling_enabled": true,
            "guest_customer": "1",
            "shipping_item": shipping,
            "fee_item": fee,
        }),
    )?;
    let started = session.action("options.order_polling.start", &ActionInput::default())?;
    anyhow::ensure!(started["outcome"] == "completed", "{started}");

    // The first run reads every order modified since a day before polling was started, up to
    // ten seconds ago.
    let now = chrono::Utc::now();
    let window = (now - chrono::Duration::hours(24) - chrono::Duration::minutes(5))
        ..(now - chrono::Duration::seconds(10));
    let polled = store
        .orders
        .iter()
        .filter(|o| window.contains(&o.modified))
        .count() as u64;
    let importable = store
        .orders
        .iter()
        .filter(|o| window.contains(&o.modified))
        .filter(|o| matches!(o.status.as_str(), "processing" | "completed" | "on-hold"))
        .count();
    let calls_before = session.host.callback_count();
    let mut entry = Value::Null;
    let mut first = support::measure(
        &store,
        format!("{polled} orders polled, {importable} importable"),
        polled.div_ceil(100),
        || {
            entry = poll(&session)?;
            Ok(())
        },
    )?;
    let calls = session.host.callback_count() - calls_before;
    let first_routes = store.routes()?;
    let imported = entry["counts"]["imported"]
        .as_u64()
        .or_else(|| entry["counts"]["created"].as_u64())
        .unwrap_or(0);
    first.notes.push(format!(
        "{imported} imported; {:.1} host calls per imported order",
        calls as f64 / imported.max(1) as f64
    ));
    let mut rows = vec![first];
    let summary = entry.clone();

    session = session.reopen()?;
    let calls_before = session.host.callback_count();
    let mut again = support::measure(&store, "nothing new since", 1, || poll(&session).map(drop))?;
    again.notes.push(format!(
        "{} host calls",
        session.host.callback_count() - calls_before
    ));
    let again_routes = store.routes()?;
    rows.push(again);
    let peak = support::peak_rss();

    support::print_table("Order polling", latency, &rows);
    println!(
        "\nFirst run: {} ({})",
        summary["message"], summary["counts"]
    );
    println!("\nRequests by route:\n\n- first run: {first_routes}\n- nothing new: {again_routes}");
    println!(
        "Peak memory of the host process: {} (VmHWM).",
        support::mib(peak)
    );
    Ok(())
}
