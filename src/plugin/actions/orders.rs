//! The Orders screen's adapters: the WooCommerce tab (orders of a date range, Import) and the
//! Imported tab.

use chrono::NaiveDate;
use serde_json::json;

use super::{ActionContext, ActionResponse, Table};
use crate::host_port::Host;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::screens::tab_columns;
use crate::sync::engine::orders::{self, DEFAULT_PER_PAGE, ImportMode};
use crate::sync::engine::store_facts;
use crate::sync::orders::OrderStatus;
use crate::sync::orders::preflight::order_number;

fn number_param(ctx: &ActionContext, key: &str, default: u32) -> CoreResult<u32> {
    match ctx.request.params.get(key) {
        None | Some(serde_json::Value::Null) => Ok(default),
        Some(value) => value
            .as_u64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                CoreError::InvalidArgument(format!("params.{key} must be a whole number from 1"))
            }),
    }
}

/// `params.from` / `params.to` as store days; by default the last seven days of the store.
fn date_range(ctx: &ActionContext) -> CoreResult<(NaiveDate, NaiveDate)> {
    let parse = |key: &str| -> CoreResult<Option<NaiveDate>> {
        match ctx.request.param_text(key) {
            None => Ok(None),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    CoreError::InvalidArgument(format!(
                        "params.{key} \"{text}\" is not a date; write it YYYY-MM-DD"
                    ))
                }),
        }
    };
    let (from, to) = (parse("from")?, parse("to")?);
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (from, to) => {
            let today = ctx.engine(|engine| -> CoreResult<NaiveDate> {
                let zone = store_facts::get(engine)?.zone()?;
                Ok(zone.local_date(engine.clock.now()))
            })?;
            let to = to.unwrap_or(today);
            (from.unwrap_or(to - chrono::Duration::days(6)), to)
        }
    };
    if from > to {
        return Err(CoreError::InvalidArgument(format!(
            "the date range ends ({to}) before it starts ({from})"
        )));
    }
    Ok((from, to))
}

/// The location imported orders go to: `params.location_id`, else the primary location.
fn location(ctx: &ActionContext) -> CoreResult<String> {
    // Ids are text, but hosts written in C# or Delphi often send a number: both are read, so a
    // chosen location is never silently replaced by the primary one.
    let given = match ctx.request.params.get("location_id") {
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => ctx.request.param_text("location_id").map(str::to_string),
    };
    let chosen = given
        .or_else(|| ctx.settings.primary_location.clone())
        .ok_or_else(|| {
            CoreError::InvalidArgument(
                "choose the QBM location to import into (the filter above the list, or the Primary QBM location in Options)".into(),
            )
        })?;
    let known = ctx.host().locations()?;
    if !known.iter().any(|l| l.id == chosen) {
        return Err(CoreError::InvalidArgument(format!(
            "there is no QBM location with id \"{chosen}\""
        )));
    }
    Ok(chosen)
}

/// Refresh on the WooCommerce tab.
pub fn refresh(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let (from, to) = date_range(ctx)?;
    let page_number = number_param(ctx, "page", 1)?;
    let per_page = number_param(ctx, "per_page", DEFAULT_PER_PAGE)?;
    let page = ctx.engine(|engine| orders::page(engine, from, to, page_number, per_page))?;
    for bad in &page.bad_records {
        ctx.plugin.log().warn(
            crate::integration_log::Category::Processing,
            &format!(
                "A store order was skipped because it could not be read: {}",
                bad.error
            ),
        );
    }
    let mut table = Table::new(tab_columns("orders", "woocommerce"));
    for order in &page.orders {
        let customer = if order.customer_id == 0 {
            let name = format!("{} {}", order.billing.first_name, order.billing.last_name);
            format!("guest {}", name.trim()).trim().to_string()
        } else {
            let name = format!("{} {}", order.billing.first_name, order.billing.last_name);
            format!("#{} {}", order.customer_id, name.trim())
                .trim()
                .to_string()
        };
        let items: rust_decimal::Decimal = order.line_items.iter().map(|l| l.quantity).sum();
        table.push(json!({
            "woo_id": order.id.to_string(),
            "number": order_number(order),
            "date": orders::store_time(order.date_created_gmt, &page.zone),
            "status": OrderStatus::of(order).label(),
            "customer": customer,
            "email": order.billing.email,
            "items": items.normalize().to_string(),
            "total": order.total.to_string(),
            "currency": order.currency,
            "payment": if order.payment_method_title.is_empty() { order.payment_method.clone() } else { order.payment_method_title.clone() },
            "qbm_order": page.imported.get(&order.id).map(|(_, number)| number.clone()),
        }));
    }
    let shown = page.orders.len();
    let message = match (page.total, page.total_pages) {
        (Some(total), Some(pages)) if shown > 0 => format!(
            "{total} orders from {from} to {to} (store time, {}); page {} of {pages}.",
            page.zone.label(),
            page.page
        ),
        _ => format!(
            "{shown} orders from {from} to {to} (store time, {}).",
            page.zone.label()
        ),
    };
    let mut response = ActionResponse::completed(ctx.spec.id, message);
    response.table = Some(table);
    response.paging = Some(json!({
        "page": page.page, "per_page": page.per_page,
        "total": page.total, "total_pages": page.total_pages,
    }));
    Ok(response)
}

/// Import on the WooCommerce tab.
pub fn import(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let location = location(ctx)?;
    let outcome = ctx.engine(|engine| {
        orders::import(
            engine,
            &ctx.request.selection,
            &location,
            ImportMode::Manual,
        )
    })?;
    Ok(ctx.render("Order import", ("qbm_order", "QBM order"), outcome.report))
}

/// Refresh on the Imported tab.
pub fn imported(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let (from, to) = date_range(ctx)?;
    let entries = ctx.engine(|engine| orders::imported(engine, from, to))?;
    let locations = ctx.host().locations()?;
    let mut table = Table::new(tab_columns("orders", "imported"));
    let mut changed = 0;
    for entry in &entries {
        if !entry.changes.is_empty() {
            changed += 1;
        }
        let location = locations
            .iter()
            .find(|l| l.id == entry.qbm.location_id)
            .map_or(entry.qbm.location_id.clone(), |l| l.name.clone());
        table.push(json!({
            "qbm_id": entry.qbm.id,
            "qbm_number": entry.qbm.number,
            "reference": entry.qbm.reference,
            "woo_id": entry.woo_id.map(|id| id.to_string()),
            "date": entry.qbm.date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "customer": entry.customer,
            "location": location,
            "total": entry.qbm.total.to_string(),
            "imported_at": entry.linked_at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "store_status": entry.store_status.as_ref().map(|s| s.label().to_string()),
            "changes": if entry.changes.is_empty() { None } else { Some(entry.changes.join("; ")) },
        }));
    }
    let mut message = format!("{} imported orders dated {from} to {to}.", entries.len());
    if changed > 0 {
        message.push_str(&format!(
            " {changed} of them changed in the store after import (see Changes): check them before shipping."
        ));
    }
    let mut response = ActionResponse::completed(ctx.spec.id, message);
    response.table = Some(table);
    Ok(response)
}
