//! `/orders` and `/orders/{id}`.

use super::{Action, Reply, RestRequest, paging_headers, read_context, sort_by};
use crate::store::dates::DateWindow;
use crate::store::errors::WcError;
use crate::store::fields::Mode;
use crate::store::model::{Order, StoreData};
use crate::store::order_write;
use crate::store::paging::Paging;
use crate::store::params::Checker;
use crate::store::query::{PhpParams, PhpValue};
use crate::store::render::order_json;

const LIST_STATUSES: [&str; 11] = [
    "any",
    "trash",
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
];

/// `GET /orders`.
pub(super) fn list(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    let tz = data.settings.timezone;
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    let mut paging = Paging::read(&mut c);
    let search = c.string("search").filter(|s| !s.is_empty());
    let created = DateWindow::new(c.date("after"), c.date("before"), tz);
    let modified = DateWindow::new(c.date("modified_after"), c.date("modified_before"), tz);
    let gmt = c.boolean("dates_are_gmt").unwrap_or(false);
    let exclude = c.id_list("exclude");
    let include = c.id_list("include");
    paging.read_offset(&mut c);
    let descending = c.one_of("order", &["asc", "desc"]).as_deref() != Some("asc");
    let orderby = c
        .one_of(
            "orderby",
            &["date", "id", "include", "title", "slug", "modified"],
        )
        .unwrap_or_else(|| "date".to_owned());
    let parent = c.id_list("parent");
    let parent_exclude = c.id_list("parent_exclude");
    let statuses = c
        .list_of("status", &LIST_STATUSES)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| vec!["any".to_owned()]);
    let customer = c.integer("customer", None, None);
    let product = c.integer("product", None, None);
    // absint(), as WooCommerce reads it.
    let dp = c.integer("dp", None, None).unwrap_or(2).abs().min(8);
    c.finish()?;
    req.require(Action::List)?;
    // `any` replaces the whole list with the registered statuses that are not excluded from
    // search, so it never brings in trash, auto-drafts or checkout drafts.
    let any = statuses.iter().any(|s| s == "any");
    let mut items: Vec<&Order> = data
        .orders
        .values()
        .filter(|o| {
            if any {
                !matches!(o.status.as_str(), "trash" | "auto-draft" | "checkout-draft")
            } else {
                statuses.contains(&o.status)
            }
        })
        .filter(|o| parent.is_empty() || parent.contains(&o.parent_id))
        .filter(|o| !parent_exclude.contains(&o.parent_id))
        .filter(|o| customer.is_none_or(|id| i64::try_from(o.customer_id).is_ok_and(|c| c == id)))
        .filter(|o| {
            product.is_none_or(|id| {
                o.line_items.iter().any(|l| {
                    i64::try_from(l.product_id).is_ok_and(|p| p == id)
                        || i64::try_from(l.variation_id).is_ok_and(|v| v == id)
                })
            })
        })
        .filter(|o| include.is_empty() || include.contains(&o.id))
        .filter(|o| !exclude.contains(&o.id))
        .filter(|o| created.contains_hpos(o.date_created, tz, gmt))
        .filter(|o| modified.contains_hpos(o.date_modified, tz, gmt))
        .filter(|o| {
            search.as_ref().is_none_or(|term| {
                let term = term.to_lowercase();
                [
                    &o.billing.first_name,
                    &o.billing.last_name,
                    &o.billing.email,
                    &o.billing.company,
                    &o.number,
                ]
                .iter()
                .any(|f| f.to_lowercase().contains(&term))
            })
        })
        .collect();
    match orderby.as_str() {
        "id" => sort_by(&mut items, descending, |o| o.id),
        "modified" => sort_by(&mut items, descending, |o| (o.date_modified, o.id)),
        // FIELD(id, …) over the include list: no direction; without a list, no ORDER BY.
        "include" => sort_by(&mut items, false, |o| {
            include
                .iter()
                .position(|i| *i == o.id)
                .unwrap_or(usize::MAX)
        }),
        // The orders table has neither column, so the query has no ORDER BY: rows by id.
        "title" | "slug" => sort_by(&mut items, false, |o| o.id),
        _ => sort_by(&mut items, descending, |o| (o.date_created, o.id)),
    }
    let page = paging.apply(items);
    let mut ctx = req.render_ctx(edit);
    ctx.dp = u32::try_from(dp).unwrap_or(2);
    let body: Vec<_> = page
        .items
        .iter()
        .map(|o| order_json(data, o, &ctx))
        .collect();
    let link_params = link_params(
        &req.query,
        &statuses,
        customer,
        (!body.is_empty()).then_some(dp),
    );
    Ok(paging_headers(
        Reply::json(200, &body),
        req,
        &link_params,
        page.total,
        page.total_pages,
        page.page,
    ))
}

/// The orders controller writes parameters back into the request, and the `Link` URLs are built
/// from it: `status` (and, on the orders table, `customer`) is taken out and put back, so it
/// moves to the end, `status` as `status[0]=…`; preparing each order sets `dp` and `context`,
/// which are added at the end unless the client sent them (an empty page prepares no order and
/// adds neither).
fn link_params(
    query: &PhpParams,
    statuses: &[String],
    customer: Option<i64>,
    prepared_dp: Option<i64>,
) -> PhpParams {
    let mut params = query.clone();
    params.remove("status");
    params.remove("customer");
    let status = PhpValue::Array(
        statuses
            .iter()
            .enumerate()
            .map(|(i, s)| (i.to_string(), s.clone()))
            .collect(),
    );
    params.set("status".to_owned(), status);
    if let Some(customer) = customer {
        params.set("customer".to_owned(), PhpValue::Str(customer.to_string()));
    }
    if let Some(dp) = prepared_dp {
        params.set("dp".to_owned(), PhpValue::Str(dp.to_string()));
        if !params.contains("context") {
            params.set("context".to_owned(), PhpValue::Str("view".to_owned()));
        }
    }
    params
}

fn dp(req: &RestRequest) -> u32 {
    req.query
        .get_str("dp")
        .and_then(crate::store::params::parse_integer)
        .and_then(|d| u32::try_from(d.clamp(0, 8)).ok())
        .unwrap_or(2)
}

/// `GET /orders/{id}`.
pub(super) fn get(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    c.integer("dp", None, None);
    c.finish()?;
    let order = data.orders.get(&id);
    req.require_item(Action::View, order.is_some())?;
    let order = order.ok_or_else(|| WcError::invalid_id("shop_order", 404))?;
    let mut ctx = req.render_ctx(edit);
    ctx.dp = dp(req);
    Ok(Reply::json(200, &order_json(data, order, &ctx)))
}

/// `POST /orders`.
pub(super) fn create(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    req.require(Action::Create)?;
    let id = order_write::create_order(data, &req.fields, Mode::Schema)?;
    let order = data
        .orders
        .get(&id)
        .ok_or_else(|| WcError::invalid_id("shop_order", 500))?;
    Ok(
        Reply::json(201, &order_json(data, order, &req.render_ctx(true)))
            .with_header("Location", req.api(&format!("/wc/v3/orders/{id}"))),
    )
}

/// `PUT|PATCH|POST /orders/{id}`.
pub(super) fn update(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    req.require_item(Action::Edit, data.orders.contains_key(&id))?;
    order_write::update_order(data, id, &req.fields, Mode::Schema)?;
    let order = data
        .orders
        .get(&id)
        .ok_or_else(|| WcError::invalid_id("shop_order", 400))?;
    Ok(Reply::json(
        200,
        &order_json(data, order, &req.render_ctx(true)),
    ))
}

/// `DELETE /orders/{id}`.
pub(super) fn delete(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    req.require_item(Action::Delete, data.orders.contains_key(&id))?;
    let force = req.force();
    let before = data
        .orders
        .get(&id)
        .map(|o| order_json(data, o, &req.render_ctx(true)));
    order_write::delete_order(data, id, force)?;
    if force {
        let body = before.ok_or_else(|| WcError::invalid_id("shop_order", 404))?;
        return Ok(Reply::json(200, &body));
    }
    let order = data
        .orders
        .get(&id)
        .ok_or_else(|| WcError::invalid_id("shop_order", 404))?;
    Ok(Reply::json(
        200,
        &order_json(data, order, &req.render_ctx(true)),
    ))
}
