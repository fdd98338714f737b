//! The Logs screen: the entries newest first, filtered by category, and Clear.

use serde_json::json;

use super::{ActionContext, ActionResponse, Table};
use crate::integration_log::Category;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::screens::tab_columns;

/// The log as a table, filtered by `params.category` when given.
pub fn listing(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let category = match ctx.request.param_text("category") {
        None => None,
        Some(text) => Some(Category::parse(text).ok_or_else(|| {
            CoreError::InvalidArgument(format!(
                "unknown log category \"{text}\": use connection, stock_sync, missing_item or processing"
            ))
        })?),
    };
    let entries = ctx.plugin.log().entries(category)?;
    let mut table = Table::new(tab_columns("logs", "log"));
    for entry in &entries {
        table.push(json!({
            "id": entry.id.to_string(),
            "time": entry.time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "category": entry.category.id(),
            "level": entry.level.id(),
            "workstation": entry.workstation,
            "message": entry.message,
        }));
    }
    let what = category.map_or("entries".to_string(), |c| format!("{} entries", c.id()));
    let mut response = ActionResponse::completed(
        ctx.spec.id,
        format!("{} {what}, newest first.", entries.len()),
    );
    response.table = Some(table);
    Ok(response)
}

/// Empties the log view.
pub fn clear(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    ctx.plugin.log().clear()?;
    let mut response = ActionResponse::completed(ctx.spec.id, "The WooCommerce log was cleared.");
    response.table = Some(Table::new(tab_columns("logs", "log")));
    Ok(response)
}

/// The run journal: every action and background run, newest first.
pub fn runs(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let (runs, problems) = crate::sync::journal::runs(ctx.host())?;
    let mut table = Table::new(tab_columns("logs", "runs"));
    for run in &runs {
        let counts: Vec<String> = run
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(what, n)| format!("{n} {what}"))
            .collect();
        table.push(json!({
            "id": run.id.to_string(),
            "started": run.started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "ended": run.ended.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "what": run.what,
            "who": if run.automatic { format!("automatic on {}", run.workstation) } else { format!("{} on {}", run.user, run.workstation) },
            "outcome": run.outcome,
            "counts": counts.join(", "),
            "requests": run.requests,
            "message": run.message,
        }));
    }
    let mut response =
        ActionResponse::completed(ctx.spec.id, format!("{} runs, newest first.", runs.len()));
    response.warnings = problems
        .unreadable
        .into_iter()
        .map(|p| format!("part of the run journal could not be read: {p}"))
        .collect();
    response.table = Some(table);
    Ok(response)
}
