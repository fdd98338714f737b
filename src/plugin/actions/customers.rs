//! The Customers screen's adapters: the paged list of store customers and Import.

use serde_json::json;

use super::{ActionContext, ActionResponse, Table};
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::screens::tab_columns;
use crate::sync::engine::customers::{self, DEFAULT_PER_PAGE};

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

/// Refresh: one page of store customers (`params.page`, `params.per_page`, `params.search`).
pub fn refresh(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let page_number = number_param(ctx, "page", 1)?;
    let per_page = number_param(ctx, "per_page", DEFAULT_PER_PAGE)?;
    // A search for a number (a user id or a login made of digits) may arrive as a JSON number.
    let search = match ctx.request.params.get("search") {
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => ctx.request.param_text("search").map(str::to_string),
    };
    let page =
        ctx.engine(|engine| customers::page(engine, search.clone(), page_number, per_page))?;
    for bad in &page.bad_records {
        ctx.plugin.log().warn(
            crate::integration_log::Category::Processing,
            &format!(
                "A store customer was skipped because it could not be read: {}",
                bad.error
            ),
        );
    }
    let mut table = Table::new(tab_columns("customers", "woocommerce"));
    for customer in &page.customers {
        let mapped = crate::sync::customers::customer_from_store(customer);
        let linked = page.linked.get(&customer.id);
        table.push(json!({
            "woo_id": customer.id.to_string(),
            "name": format!("{} {}", mapped.first_name, mapped.last_name).trim(),
            "company": mapped.company,
            "email": mapped.email,
            "phone": mapped.phone,
            "city": mapped.billing.city,
            "country": mapped.billing.country,
            "registered": customers::registered(customer),
            "orders_count": customers::orders_count(customer),
            "qbm_match": linked.map(|(id, name)| format!("{id} {name}").trim().to_string()),
        }));
    }
    let shown = page.customers.len();
    let first = (u64::from(page.page) - 1) * u64::from(page.per_page) + 1;
    let filter = search
        .as_deref()
        .map_or(String::new(), |s| format!(" matching \"{s}\""));
    let message = match (page.total, page.total_pages) {
        (Some(total), Some(pages)) if shown > 0 => format!(
            "Customers {first}–{} of {total}{filter} (page {} of {pages}).",
            first + shown as u64 - 1,
            page.page
        ),
        (Some(total), _) => format!(
            "No customers on page {}; {total} customers{filter} in all.",
            page.page
        ),
        _ => format!("{shown} customers{filter} on page {}.", page.page),
    };
    let mut response = ActionResponse::completed(ctx.spec.id, message);
    response.table = Some(table);
    response.paging = Some(json!({
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "total_pages": page.total_pages,
    }));
    Ok(response)
}

/// Import: the selected store customers become (or are linked to) QBM customers.
pub fn import(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let report = ctx.engine(|engine| customers::import(engine, &ctx.request.selection))?;
    Ok(ctx.render("Customer import", ("qbm_customer", "QBM customer"), report))
}
