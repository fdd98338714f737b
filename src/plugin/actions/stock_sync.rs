//! Automatic stock sync: the job's run, the Preview of the next run and the Stock check (with
//! "Fix selected").

use std::collections::BTreeSet;

use serde_json::json;

use super::{ActionContext, ActionResponse, Table};
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::jobs::{CycleReport, JobRun, RunOutcome};
use crate::plugin::screens::tab_columns;
use crate::sync::engine::stock_cycle::{self, CycleOutcome, Mode};
use crate::sync::rows::{RowOutcome, Stop};

fn summary_text(outcome: &CycleOutcome) -> String {
    if let Some(start) = outcome.waiting_for_start {
        return format!(
            "waiting for the start date ({}): nothing is published before it",
            start.format("%Y-%m-%d")
        );
    }
    let mut parts = vec![
        format!("{} pushed", outcome.pushed),
        format!("{} unchanged", outcome.unchanged),
        format!("{} missing", outcome.missing),
        format!("{} failed", outcome.failed),
    ];
    if outcome.checked {
        parts.push("store quantities checked".into());
    }
    parts.join(", ")
}

/// One stock sync run of the job; `early`: ahead of the interval, for the items the host
/// reported moved.
pub fn cycle(run: &JobRun, early: bool) -> CoreResult<CycleReport> {
    let moved = run.plugin.jobs().take_moved_items();
    let mode = if early { Mode::Moved } else { Mode::Scheduled };
    let result = run.engine(|engine| stock_cycle::run(engine, &moved, mode, None));
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(err) => {
            // Nothing was planned: what the host reported moved is published by the next run.
            run.plugin.jobs().return_moved_items(moved);
            return Err(err.into());
        }
    };
    let mut message = summary_text(&outcome);
    // A run that wrote nothing of what it tried failed, whether the store refused every batch
    // or stopped answering.
    let run_outcome = match (&outcome.report.stopped, outcome.failed) {
        (Some(Stop::Failed(cause)), _) => {
            message.push_str(&format!(
                "; stopped part way: {cause} (it goes on from there next run)"
            ));
            RunOutcome::Failed
        }
        (_, 0) => RunOutcome::Completed,
        _ if outcome.pushed == 0 => RunOutcome::Failed,
        _ => RunOutcome::CompletedWithFailures,
    };
    let stop = outcome
        .stopped_by
        .filter(|kind| crate::plugin::jobs::stops_the_job(*kind))
        .and_then(|_| match &outcome.report.stopped {
            Some(Stop::Failed(cause)) => Some(cause.clone()),
            _ => None,
        });
    let counts = [
        ("pushed", outcome.pushed),
        ("unchanged", outcome.unchanged),
        ("missing", outcome.missing),
        ("failed", outcome.failed),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n as u64))
    .collect();
    Ok(CycleReport {
        outcome: run_outcome,
        message,
        warnings: outcome.report.warnings,
        counts,
        stop,
        ..CycleReport::default()
    })
}

fn require_locations(ctx: &ActionContext) -> CoreResult<()> {
    if ctx.settings.stock_locations().is_empty() {
        return Err(CoreError::NotConfigured(
            "choose the Primary QBM location (or the multiple locations) in Options → Integrations → WooCommerce → Inventory Sync first".into(),
        ));
    }
    Ok(())
}

/// Preview: exactly what the next run would write, without writing.
pub fn preview(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    require_locations(ctx)?;
    let moved = BTreeSet::new();
    let outcome = ctx.engine(|engine| stock_cycle::run(engine, &moved, Mode::Preview, None))?;
    let message = if let Some(start) = outcome.waiting_for_start {
        format!(
            "Nothing would be published: stock sync waits for the start date {}.",
            start.format("%Y-%m-%d")
        )
    } else {
        format!(
            "The next stock sync run would write {} store item(s); {} are already right; {} QBM item(s) have no match.",
            outcome.planned.len(),
            outcome.unchanged,
            outcome.missing
        )
    };
    let mut response = ctx.render("Preview", ("qbm_item", "QBM item"), outcome.report);
    response.message = message;
    Ok(response)
}

/// Stock check: QBM against the store for every matched item, each difference with its likely
/// cause.
pub fn check(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    require_locations(ctx)?;
    let moved = BTreeSet::new();
    let outcome =
        ctx.engine(|engine| stock_cycle::run(engine, &moved, Mode::CheckPreview, None))?;
    let mut table = Table::new(tab_columns("items", "stock_check"));
    for line in &outcome.planned {
        table.push(json!({
            "woo_id": line.target.to_string(),
            "qbm_items": line.items.iter().map(|(code, _)| code.as_str()).collect::<Vec<_>>().join(", "),
            "store_now": line.store_now,
            "should_be": line.new,
            "because": line.because,
            "cause": line.cause,
        }));
    }
    let mut response = ActionResponse::completed(
        ctx.spec.id,
        format!(
            "{} store item(s) differ from QBM; {} match. Select rows and press \"Fix selected\" to write QBM's figure.",
            outcome.planned.len(),
            outcome.unchanged
        ),
    );
    response.table = Some(table);
    response.warnings = outcome.report.warnings;
    Ok(response)
}

/// Fix selected: writes QBM's figure (less what open web orders hold) to the selected store
/// items.
pub fn fix(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    require_locations(ctx)?;
    let only: BTreeSet<u64> = ctx
        .request
        .selection
        .iter()
        .map(|s| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| CoreError::InvalidArgument(format!("\"{s}\" is not a store item id")))
        })
        .collect::<CoreResult<_>>()?;
    let moved = BTreeSet::new();
    let outcome =
        ctx.engine(|engine| stock_cycle::run(engine, &moved, Mode::Check, Some(&only)))?;
    let mut report = outcome.report;
    report.rows.retain(|r| {
        r.woo_id.is_some_and(|id| only.contains(&id)) || r.outcome == RowOutcome::Failed
    });
    Ok(ctx.render("Fix selected", ("qbm_item", "QBM item"), report))
}
