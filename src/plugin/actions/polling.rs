//! Automatic order polling: the job's run, from the engine's report to the jobs report.

use chrono::{DateTime, Utc};

use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::jobs::{CycleReport, JobRun, RunOutcome};
use crate::sync::engine::polling;
use crate::sync::rows::Stop;

/// One polling run.
pub fn cycle(run: &JobRun, started_at: DateTime<Utc>) -> CoreResult<CycleReport> {
    let location = run.settings.polled_order_location().ok_or_else(|| {
        CoreError::NotConfigured(
            "choose the Location for polled orders (or the Primary QBM location) in Options → Integrations → WooCommerce".into(),
        )
    })?;
    let polled = run.engine(|engine| polling::run(engine, &location, started_at))?;
    let summary = polled.report.summary();
    let mut parts = vec![format!(
        "{} new order{} imported",
        polled.imported,
        if polled.imported == 1 { "" } else { "s" }
    )];
    if polled.waiting > 0 {
        parts.push(format!("{} waiting (see the log)", polled.waiting));
    }
    if polled.flagged > 0 {
        parts.push(format!(
            "{} imported order{} changed in the store (cancelled, refunded or edited)",
            polled.flagged,
            if polled.flagged == 1 { "" } else { "s" }
        ));
    }
    if summary.failed > 0 {
        parts.push(format!("{} failed", summary.failed));
    }
    let outcome = match (&polled.report.stopped, summary.failed) {
        (Some(Stop::Failed(_)), _) => RunOutcome::Failed,
        (_, 0) => RunOutcome::Completed,
        _ => RunOutcome::CompletedWithFailures,
    };
    let mut message = parts.join(", ");
    if !polled.advanced {
        message.push_str("; the same orders are read again next time");
    }
    Ok(CycleReport {
        outcome,
        message,
        warnings: polled.report.warnings.clone(),
        counts: polling::counts(&polled),
        ..CycleReport::default()
    })
}
