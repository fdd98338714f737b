//! The Items screen's adapters: each parses the request, runs one engine operation
//! ([`crate::sync::engine`]) and renders its answer.

mod catalog;
mod import;
mod qbm_list;

pub use catalog::refresh as woo_refresh;
pub use import::import;
pub use qbm_list::refresh as qbm_refresh;

use super::{ActionContext, ActionResponse};
use crate::plugin::error::CoreResult;
use crate::sync::engine::{create_update as create_update_op, sync_stock as sync_stock_op};

/// Create / Update on the QBM Items tab.
pub fn create_update(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let report = ctx.engine(|engine| create_update_op::run(engine, &ctx.request.selection))?;
    Ok(ctx.render("Create / Update", ("qbm_item", "QBM item"), report))
}

/// Sync Stock on the QBM Items tab.
pub fn sync_stock(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let report = ctx.engine(|engine| sync_stock_op::run(engine, &ctx.request.selection))?;
    Ok(ctx.render("Sync Stock", ("qbm_item", "QBM item"), report))
}
