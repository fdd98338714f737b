//! `/orders/{order_id}/refunds` and `/orders/{order_id}/refunds/{id}`.

use super::{Action, Reply, RestRequest, paging_headers, read_context, sort_by};
use crate::store::dates::DateWindow;
use crate::store::errors::WcError;
use crate::store::model::{Refund, StoreData};
use crate::store::paging::Paging;
use crate::store::params::Checker;
use crate::store::query::{PhpParams, PhpValue};
use crate::store::refund_write;
use crate::store::render::refund_json;

fn invalid_id() -> WcError {
    WcError::invalid_id("shop_order_refund", 404)
}

/// The refund with `id` and the order it belongs to, wherever it is.
fn find_refund(data: &StoreData, id: u64) -> Option<(u64, &Refund)> {
    data.orders
        .values()
        .find_map(|o| o.refunds.iter().find(|r| r.id == id).map(|r| (o.id, r)))
}

/// Whether `id` names an order or a refund (what `wc_get_order()` finds).
pub(super) fn order_object_exists(data: &StoreData, id: u64) -> bool {
    data.orders.contains_key(&id) || find_refund(data, id).is_some()
}

fn dp(checker: &mut Checker<'_>) -> u32 {
    checker
        .integer("dp", None, None)
        .and_then(|d| u32::try_from(d.clamp(0, 8)).ok())
        .unwrap_or(2)
}

/// `GET /orders/{order_id}/refunds`: the order's refunds, paged; an unknown order has none.
pub(super) fn list(
    req: &RestRequest,
    data: &mut StoreData,
    order_id: u64,
) -> Result<Reply, WcError> {
    let tz = data.settings.timezone;
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    let mut paging = Paging::read(&mut c);
    c.string("search");
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
    c.id_list("parent");
    c.id_list("parent_exclude");
    let dp = dp(&mut c);
    c.finish()?;
    req.require(Action::List)?;
    let mut items: Vec<&Refund> = data
        .orders
        .get(&order_id)
        .map(|o| o.refunds.iter().collect())
        .unwrap_or_default();
    items.retain(|r| {
        (include.is_empty() || include.contains(&r.id))
            && !exclude.contains(&r.id)
            && created.contains_hpos(r.date_created, tz, gmt)
            && modified.contains_hpos(r.date_created, tz, gmt)
    });
    match orderby.as_str() {
        "id" => sort_by(&mut items, descending, |r| r.id),
        // Refunds are ordered by FIELD() over the ids, which has no direction.
        "include" => sort_by(&mut items, false, |r| {
            include
                .iter()
                .position(|i| *i == r.id)
                .unwrap_or(usize::MAX)
        }),
        // The orders table has no title or slug: the rows come in id order.
        "title" | "slug" => sort_by(&mut items, false, |r| r.id),
        _ => sort_by(&mut items, descending, |r| (r.date_created, r.id)),
    }
    let page = paging.apply(items);
    let mut ctx = req.render_ctx(edit);
    ctx.dp = dp;
    let body: Vec<_> = page
        .items
        .iter()
        .map(|r| refund_json(data, order_id, r, &ctx))
        .collect();
    // Preparing an item writes `dp` back into the request, so it reaches the `Link` URLs.
    let mut link_params: PhpParams = req.query.clone();
    if !body.is_empty() {
        link_params.set("dp".to_owned(), PhpValue::Str(dp.to_string()));
    }
    Ok(paging_headers(
        Reply::json(200, &body),
        req,
        &link_params,
        page.total,
        page.total_pages,
        page.page,
    ))
}

/// The refund `id` of order `order_id`, with WooCommerce's errors: an unknown id, an unknown
/// order, or a refund (or order) that is not one of this order's refunds.
fn refund_of(data: &StoreData, order_id: u64, id: u64) -> Result<&Refund, WcError> {
    let belongs = find_refund(data, id);
    if belongs.is_none() && !data.orders.contains_key(&id) {
        return Err(invalid_id());
    }
    if !data.orders.contains_key(&order_id) {
        return Err(WcError::new(
            404,
            "woocommerce_rest_invalid_order_id",
            "Invalid order ID.",
        ));
    }
    match belongs {
        Some((parent, refund)) if parent == order_id => Ok(refund),
        _ => Err(WcError::new(
            404,
            "woocommerce_rest_invalid_order_refund_id",
            "Invalid order refund ID.",
        )),
    }
}

/// `GET /orders/{order_id}/refunds/{id}`.
pub(super) fn get(
    req: &RestRequest,
    data: &mut StoreData,
    order_id: u64,
    id: u64,
) -> Result<Reply, WcError> {
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    let dp = dp(&mut c);
    c.finish()?;
    req.require_item(Action::View, order_object_exists(data, id))?;
    let refund = refund_of(data, order_id, id)?;
    let mut ctx = req.render_ctx(edit);
    ctx.dp = dp;
    Ok(Reply::json(200, &refund_json(data, order_id, refund, &ctx)))
}

/// `POST /orders/{order_id}/refunds`.
pub(super) fn create(
    req: &RestRequest,
    data: &mut StoreData,
    order_id: u64,
) -> Result<Reply, WcError> {
    req.require(Action::Create)?;
    if req
        .fields
        .get("id")
        .is_some_and(|v| crate::store::fields::php_intval(v) != 0)
    {
        return Err(WcError::new(
            400,
            "woocommerce_rest_shop_order_refund_exists",
            "Cannot create existing shop_order_refund.",
        ));
    }
    if !data.orders.contains_key(&order_id) {
        return Err(WcError::new(
            404,
            "woocommerce_rest_invalid_order_id",
            "Invalid order ID.",
        ));
    }
    let args = refund_write::refund_args_from_request(&req.fields)?;
    let id = refund_write::create_refund(data, order_id, &args)?;
    let refund = refund_of(data, order_id, id)?;
    let mut ctx = req.render_ctx(true);
    ctx.dp = req
        .query
        .get_str("dp")
        .and_then(crate::store::params::parse_integer)
        .and_then(|d| u32::try_from(d.clamp(0, 8)).ok())
        .unwrap_or(2);
    // WooCommerce builds this URL from the route pattern without filling in the order id.
    let location = req.api(&format!("/wc/v3/orders/(?P<order_id>[\\d]+)/refunds/{id}"));
    Ok(Reply::json(201, &refund_json(data, order_id, refund, &ctx))
        .with_header("Location", location))
}

/// `DELETE /orders/{order_id}/refunds/{id}` (refunds cannot be trashed, `force` defaults to true).
pub(super) fn delete(
    req: &RestRequest,
    data: &mut StoreData,
    order_id: u64,
    id: u64,
) -> Result<Reply, WcError> {
    let force = req.fields.get("force").is_none_or(|_| req.force());
    if !order_object_exists(data, id) {
        return Err(invalid_id());
    }
    req.require(Action::Delete)?;
    // The answer is prepared before deleting, but the delete happens even when preparing it
    // failed (a refund of another order): WooCommerce returns that error after deleting.
    let answer = refund_of(data, order_id, id)
        .map(|refund| refund_json(data, order_id, refund, &req.render_ctx(true)));
    if !force {
        return Err(WcError::new(
            501,
            "woocommerce_rest_trash_not_supported",
            "The shop_order_refund does not support trashing.",
        ));
    }
    for order in data.orders.values_mut() {
        order.refunds.retain(|r| r.id != id);
    }
    answer.map(|body| Reply::json(200, &body))
}
