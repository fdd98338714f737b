//! `/products/{product_id}/variations` and `/products/{product_id}/variations/{id}`.

use super::products::read_filter;
use super::{Action, Reply, RestRequest, paging_headers, read_context};
use crate::store::errors::WcError;
use crate::store::fields::Mode;
use crate::store::model::{Product, StoreData};
use crate::store::params::Checker;
use crate::store::product_write;
use crate::store::render::variation_json;

const ORDERBY: [&str; 7] = [
    "date",
    "id",
    "include",
    "title",
    "slug",
    "modified",
    "menu_order",
];

fn not_found(status: u16) -> WcError {
    WcError::invalid_id("product_variation", status)
}

/// `GET /products/{pid}/variations`.
pub(super) fn list(req: &RestRequest, data: &mut StoreData, parent: u64) -> Result<Reply, WcError> {
    let filter = read_filter(req, data, &ORDERBY, false)?;
    req.require(Action::List)?;
    let mut items: Vec<&Product> = data
        .variations_of(parent)
        .into_iter()
        .filter(|p| filter.accepts(data, p))
        .collect();
    filter.sort(data, &mut items);
    let page = filter.paging.apply(items);
    let ctx = req.render_ctx(filter.edit);
    let body: Vec<_> = page
        .items
        .iter()
        .map(|p| variation_json(data, p, &ctx))
        .collect();
    Ok(paging_headers(
        Reply::json(200, &body),
        req,
        &req.query,
        page.total,
        page.total_pages,
        page.page,
    ))
}

/// `GET /products/{pid}/variations/{id}`.
pub(super) fn get(
    req: &RestRequest,
    data: &mut StoreData,
    _parent: u64,
    id: u64,
) -> Result<Reply, WcError> {
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    c.finish()?;
    let item = data.products.get(&id).filter(|p| p.is_variation());
    req.require_item(Action::View, item.is_some())?;
    let item = item.ok_or_else(|| not_found(404))?;
    Ok(Reply::json(
        200,
        &variation_json(data, item, &req.render_ctx(edit)),
    ))
}

/// `POST /products/{pid}/variations`.
pub(super) fn create(
    req: &RestRequest,
    data: &mut StoreData,
    parent: u64,
) -> Result<Reply, WcError> {
    req.require(Action::Create)?;
    let id = product_write::create_variation(data, parent, &req.fields, Mode::Schema)?;
    let item = data.products.get(&id).ok_or_else(|| not_found(500))?;
    // WooCommerce 8.9.1 builds this Location from the route pattern, not the parent id.
    let location = req.api(&format!(
        "/wc/v3/products/(?P<product_id>[\\d]+)/variations/{id}"
    ));
    Ok(
        Reply::json(201, &variation_json(data, item, &req.render_ctx(true)))
            .with_header("Location", location),
    )
}

/// `PUT|PATCH|POST /products/{pid}/variations/{id}`.
pub(super) fn update(
    req: &RestRequest,
    data: &mut StoreData,
    parent: u64,
    id: u64,
) -> Result<Reply, WcError> {
    let existing = data.products.get(&id).filter(|p| p.is_variation());
    req.require_item(Action::Edit, existing.is_some())?;
    if let Some(variation) = existing
        && variation.parent_id != parent
    {
        let status = if req.authenticated { 403 } else { 401 };
        return Err(WcError::new(
            status,
            "woocommerce_rest_cannot_edit",
            "Parent product does not match current variation.",
        ));
    }
    product_write::update_variation(data, id, parent, &req.fields, Mode::Schema)?;
    let item = data.products.get(&id).ok_or_else(|| not_found(400))?;
    Ok(Reply::json(
        200,
        &variation_json(data, item, &req.render_ctx(true)),
    ))
}

/// `DELETE /products/{pid}/variations/{id}` (variations cannot be trashed).
pub(super) fn delete(
    req: &RestRequest,
    data: &mut StoreData,
    _parent: u64,
    id: u64,
) -> Result<Reply, WcError> {
    let existing = data.products.get(&id).filter(|p| p.is_variation());
    req.require_item(Action::Delete, existing.is_some())?;
    let Some(item) = existing else {
        return Err(not_found(404));
    };
    if !req.force() {
        return Err(WcError::new(
            501,
            "woocommerce_rest_trash_not_supported",
            "The product_variation does not support trashing.",
        ));
    }
    let body = variation_json(data, item, &req.render_ctx(true));
    product_write::delete_product(data, id, true)?;
    Ok(Reply::json(200, &body))
}
