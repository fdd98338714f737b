//! Start and Stop of the background jobs, from Options. Start on a job that is already started
//! asks for a run now.

use super::{ActionContext, ActionResponse};
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::jobs::{self, JobKind};

fn who(ctx: &ActionContext) -> CoreResult<String> {
    let identity = ctx.identity()?;
    Ok(format!("{} on {}", identity.user, identity.workstation))
}

fn start(ctx: &ActionContext, kind: JobKind) -> CoreResult<ActionResponse> {
    let settings = &ctx.settings;
    if !settings.enabled {
        return Err(CoreError::IntegrationDisabled);
    }
    match kind {
        JobKind::OrderPolling if !settings.allow_import_orders => {
            return Err(CoreError::Refused {
                permission: None,
                option: Some("Allow importing WooCommerce orders"),
            });
        }
        JobKind::OrderPolling if !settings.order_polling_enabled => {
            return Err(CoreError::Refused {
                permission: None,
                option: Some("Enable automatic WooCommerce order polling"),
            });
        }
        JobKind::StockSync if settings.stock_locations().is_empty() => {
            return Err(CoreError::NotConfigured(
                "choose the Primary QBM location (or the multiple locations) under Inventory Sync before starting stock sync".into(),
            ));
        }
        _ => {}
    }
    if jobs::load_state(ctx.plugin, kind)?.started {
        // Start on a started job asks for a run now, on the workstation that runs it.
        jobs::ask_run(ctx.plugin, kind)?;
        let line = jobs::status_line(ctx.plugin, kind, settings)?;
        ctx.plugin.log().info(
            kind.category(),
            &format!("{} run asked for by {}", kind.label(), who(ctx)?),
        );
        return Ok(ActionResponse::completed(
            ctx.spec.id,
            format!(
                "{} is already started; it runs now, without waiting for its interval. {line}.",
                kind.label()
            ),
        ));
    }
    jobs::set_started(ctx.plugin, kind, true, &who(ctx)?)?;
    let line = jobs::status_line(ctx.plugin, kind, settings)?;
    let mut response =
        ActionResponse::completed(ctx.spec.id, format!("{} started. {line}.", kind.label()));
    if kind == JobKind::StockSync && !settings.stock_sync_on_this_client {
        response.warnings.push(
            "\"Enable stock sync on this client\" is off on this workstation: stock sync runs on a workstation where it is on".into(),
        );
    }
    ctx.plugin.log().info(
        kind.category(),
        &format!("{} started by {}", kind.label(), who(ctx)?),
    );
    Ok(response)
}

fn stop(ctx: &ActionContext, kind: JobKind) -> CoreResult<ActionResponse> {
    jobs::set_started(ctx.plugin, kind, false, &who(ctx)?)?;
    ctx.plugin.log().info(
        kind.category(),
        &format!("{} stopped by {}", kind.label(), who(ctx)?),
    );
    Ok(ActionResponse::completed(
        ctx.spec.id,
        format!("{} stopped.", kind.label()),
    ))
}

pub fn start_stock_sync(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    start(ctx, JobKind::StockSync)
}

pub fn stop_stock_sync(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    stop(ctx, JobKind::StockSync)
}

pub fn start_order_polling(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    start(ctx, JobKind::OrderPolling)
}

pub fn stop_order_polling(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    stop(ctx, JobKind::OrderPolling)
}
