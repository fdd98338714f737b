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
    let entries = ctx.plugin.log().entries(category);
    let mut table = Table::new(tab_columns("logs", "log"));
    for entry in &entries {
        table.push(json!({
            "id": entry.id.to_string(),
            "time": entry.time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "category": entry.category.id(),
            "level": entry.level,
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
    ctx.plugin.log().clear();
    let mut response = ActionResponse::completed(ctx.spec.id, "The WooCommerce log was cleared.");
    response.table = Some(Table::new(tab_columns("logs", "log")));
    Ok(response)
}
