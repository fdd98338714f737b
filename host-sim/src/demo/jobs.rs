//! The demo's background jobs: automatic stock sync and order polling, started in Options and run
//! through `run_due_jobs` as QBM's job thread runs them, with the store's own request counter
//! beside each cycle.

use serde_json::{Value, json};

use super::{Walk, ids_of, show, step, store_stock};
use crate::session::{ActionInput, Session};
use crate::store::{Buyer, Checkout, SimStore};

/// One call of `run_due_jobs`: a line per job, and the requests the store counted.
fn cycle(session: &Session, store: &SimStore, title: &str) -> anyhow::Result<Value> {
    let before = store.requests().total();
    let run = session.run_due_jobs()?;
    println!("{title}:");
    for entry in crate::job_loop::entries(&run.report) {
        println!("  {}", crate::job_loop::describe(entry));
    }
    println!(
        "  The store counted {} request(s); the next call of run_due_jobs is due in {} s.",
        store.requests().total() - before,
        run.next_due_ms / 1000
    );
    Ok(run.report)
}

/// Start on a started job: a run now, without waiting for the interval.
fn ask(session: &Session, job: &str) -> anyhow::Result<()> {
    let response = session.action(&format!("options.{job}.start"), &ActionInput::default())?;
    println!("{}", response["message"].as_str().unwrap_or_default());
    Ok(())
}

pub(crate) fn walk(walk: &Walk) -> anyhow::Result<()> {
    let session = walk.session;
    let store = walk.store;

    step("Automatic stock sync: Start in Options");
    session
        .set_options(json!({ "stock_sync_on_this_client": true }))
        .map_err(|(err, _)| err)?;
    show(session.action("options.stock_sync.start", &ActionInput::default()))?;

    step("Preview Stock Sync: what the first run will write");
    show(session.action("options.stock_sync.preview", &ActionInput::default()))?;

    step("QBM's job thread calls run_due_jobs: the first run publishes every matched item");
    cycle(session, store, "First cycle")?;
    store_stock(store, &[1029, 1031, 1036, 1037]);

    step("The next cycle: nothing changed in QBM, so nothing is read or written in the store");
    ask(session, "stock_sync")?;
    cycle(session, store, "Second cycle")?;

    step("A sale at the till: QBM tells the plugin (stock_changed), the next call publishes it");
    let mug = ids_of(session, &["MUG-01"])?;
    session
        .company()
        .set_on_hand(&mug[0], "1", rust_decimal::Decimal::from(25))?;
    let asked = session.host.run_signal().requests();
    session.stock_changed(mug)?;
    println!(
        "MUG-01 now 25 in the Main Warehouse; the plugin asked the job thread for an early run (request_run: {} → {}).",
        asked,
        session.host.run_signal().requests()
    );
    cycle(session, store, "Early cycle for the moved item")?;
    store_stock(store, &[1029]);

    step("Stock Check: someone typed a figure into WooCommerce");
    store.set_stock(1031, 5)?;
    println!("Store item 1031 (FX-POSTER) set to 5 in WP admin.");
    let check = show(session.action("items.check.refresh", &ActionInput::default()))?;
    let drifted: Vec<String> = check["table"]["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["woo_id"].as_str().map(str::to_string))
        .collect();
    if !drifted.is_empty() {
        step("Fix selected: QBM's figure goes back to the store");
        show(session.action("items.check.fix", &ActionInput::select(drifted)))?;
        store_stock(store, &[1031]);
    }

    step("Stop Stock Sync");
    show(session.action("options.stock_sync.stop", &ActionInput::default()))?;
    cycle(session, store, "A cycle after Stop")?;

    step("Automatic order polling: Start in Options");
    session
        .set_options(json!({
            "allow_import_orders": true,
            "order_polling_enabled": true,
            "guest_customer": "3",
        }))
        .map_err(|(err, _)| err)?;
    show(session.action("options.order_polling.start", &ActionInput::default()))?;
    cycle(session, store, "First polling cycle")?;

    step("A shopper buys a gift card in the store; the next polling cycle brings the order in");
    let placed = store.place_order(&Checkout::new(Buyer::Customer(4)).line(1030, 1))?;
    println!("Order #{} placed in the store (processing).", placed.number);
    ask(session, "order_polling")?;
    cycle(session, store, "Next polling cycle")?;
    for (_, text) in session.host.notifications() {
        println!("QBM notification: {text}");
    }
    let options = session.plugin.options()?;
    println!(
        "Options → Order Polling → Last order sync: {}",
        options["values"]["last_order_sync"]
            .as_str()
            .unwrap_or("(none)")
    );
    show(session.action("options.order_polling.stop", &ActionInput::default()))?;
    Ok(())
}
