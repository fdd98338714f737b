//! The demo's background jobs: automatic stock sync and order polling, run by QBM's job thread.

use serde_json::json;

use super::{Walk, ids_of, show, step};
use crate::session::ActionInput;

pub(crate) fn walk(walk: &Walk) -> anyhow::Result<()> {
    let session = walk.session;
    step("Automatic stock sync: started in Options, run by QBM's job thread");
    session
        .set_options(json!({ "stock_sync_on_this_client": true }))
        .map_err(|(err, _)| err)?;
    show(session.action("options.stock_sync.start", &ActionInput::default()))?;
    let mug = ids_of(session, &["MUG-01"])?;
    session
        .company()
        .set_on_hand(&mug[0], "1", rust_decimal::Decimal::from(25))?;
    session.stock_changed(mug)?;
    println!(
        "MUG-01 was counted at 25 in the Main Warehouse; the plugin was told (stock_changed) and asked for an early run {} time(s).",
        session.host.run_signal().requests()
    );
    let jobs = session.run_due_jobs()?;
    for entry in crate::job_loop::entries(&jobs.report) {
        println!("  {}", crate::job_loop::describe(entry));
    }
    println!("Next call of run_due_jobs in {} ms.", jobs.next_due_ms);

    Ok(())
}
