//! `/products` and `/products/{id}`.

use super::{Action, Reply, RestRequest, paging_headers, read_context, sort_by};
use crate::store::dates::DateWindow;
use crate::store::errors::WcError;
use crate::store::fields::Mode;
use crate::store::model::{Product, StoreData, parse_decimal};
use crate::store::paging::Paging;
use crate::store::params::Checker;
use crate::store::product_write;
use crate::store::render::product_json;

const ORDERBY: [&str; 14] = [
    "date",
    "id",
    "include",
    "title",
    "slug",
    "modified",
    "popularity",
    "rating",
    "popularity",
    "rating",
    "menu_order",
    "price",
    "popularity",
    "rating",
];
pub(super) const LIST_STATUSES: [&str; 7] = [
    "any", "future", "trash", "draft", "pending", "private", "publish",
];
pub(super) const STOCK_STATUSES: [&str; 3] = ["instock", "outofstock", "onbackorder"];

/// Filters shared by the products and variations lists.
pub(super) struct CatalogFilter {
    pub edit: bool,
    pub paging: Paging,
    pub search: Option<String>,
    pub created: DateWindow,
    pub modified: DateWindow,
    pub gmt: bool,
    pub include: Vec<u64>,
    pub exclude: Vec<u64>,
    pub descending: bool,
    pub orderby: String,
    pub slug: Option<String>,
    pub status: String,
    pub sku: Option<String>,
    /// The SKUs asked for, lower-cased: each comma-separated item as sent, plus the whole string.
    skus: Option<Vec<String>>,
    pub stock_status: Option<String>,
    pub kind: Option<String>,
}

/// Reads the list parameters in the route schema's order.
pub(super) fn read_filter(
    req: &RestRequest,
    data: &StoreData,
    orderby: &[&str],
    with_type: bool,
) -> Result<CatalogFilter, WcError> {
    let tz = data.settings.timezone;
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    let mut paging = Paging::read(&mut c);
    let search = c.string("search");
    let after = c.date("after");
    let before = c.date("before");
    let modified_after = c.date("modified_after");
    let modified_before = c.date("modified_before");
    let gmt = c.boolean("dates_are_gmt").unwrap_or(false);
    let exclude = c.id_list("exclude");
    let include = c.id_list("include");
    paging.read_offset(&mut c);
    let descending = c.one_of("order", &["asc", "desc"]).as_deref() != Some("asc");
    let orderby = c
        .one_of("orderby", orderby)
        .unwrap_or_else(|| "date".to_owned());
    let slug = c.string("slug");
    let status = c
        .one_of("status", &LIST_STATUSES)
        .unwrap_or_else(|| "any".to_owned());
    let kind = if with_type {
        c.one_of("type", &["simple", "grouped", "external", "variable"])
    } else {
        None
    };
    let sku = c.string("sku");
    let stock_status = c.one_of("stock_status", &STOCK_STATUSES);
    c.finish()?;
    let sku = sku.filter(|s| !s.is_empty());
    let skus = sku.as_ref().map(|s| {
        let mut list: Vec<String> = s.split(',').map(str::to_lowercase).collect();
        list.push(s.to_lowercase());
        list
    });
    Ok(CatalogFilter {
        edit,
        paging,
        search: search.filter(|s| !s.is_empty()),
        created: DateWindow::new(after, before, tz),
        modified: DateWindow::new(modified_after, modified_before, tz),
        gmt,
        include,
        exclude,
        descending,
        orderby,
        slug,
        status,
        sku,
        skus,
        stock_status,
        kind,
    })
}

impl CatalogFilter {
    pub fn accepts(&self, data: &StoreData, item: &Product) -> bool {
        let tz = data.settings.timezone;
        let status_ok = match self.status.as_str() {
            "any" => !item.is_trashed() && item.status != "auto-draft",
            other => item.status == other,
        };
        let sku_ok = self.skus.as_ref().is_none_or(|skus| {
            // The asked SKUs are lower-cased already; an ASCII SKU compares without allocating.
            !item.sku.is_empty()
                && if item.sku.is_ascii() {
                    skus.iter().any(|s| s.eq_ignore_ascii_case(&item.sku))
                } else {
                    let own = item.sku.to_lowercase();
                    skus.contains(&own)
                }
        });
        let search_ok = self.search.as_ref().is_none_or(|term| {
            let term = term.to_lowercase();
            let name = if item.is_variation() {
                data.variation_title(item)
            } else {
                item.name.clone()
            };
            name.to_lowercase().contains(&term)
                || item.description.to_lowercase().contains(&term)
                || item.short_description.to_lowercase().contains(&term)
        });
        status_ok
            && sku_ok
            && search_ok
            && (self.include.is_empty() || self.include.contains(&item.id))
            && !self.exclude.contains(&item.id)
            && self.slug.as_ref().is_none_or(|s| item.slug == *s)
            && self
                .stock_status
                .as_ref()
                .is_none_or(|s| data.shown_stock_status(item) == *s)
            && self
                .kind
                .as_ref()
                .is_none_or(|k| item.kind.as_str() == k.as_str())
            && self.created.contains(item.date_created, tz, self.gmt)
            && self.modified.contains(item.date_modified, tz, self.gmt)
    }

    pub fn sort(&self, data: &StoreData, items: &mut [&Product]) {
        let desc = self.descending;
        match self.orderby.as_str() {
            "id" => sort_by(items, desc, |p| p.id),
            "title" => sort_by(items, desc, |p| (p.name.to_lowercase(), p.id)),
            "slug" => sort_by(items, desc, |p| (p.slug.clone(), p.id)),
            "modified" => sort_by(items, desc, |p| (p.date_modified, p.id)),
            "menu_order" => sort_by(items, desc, |p| (p.menu_order, p.name.to_lowercase())),
            "include" => sort_by(items, desc, |p| {
                self.include
                    .iter()
                    .position(|i| *i == p.id)
                    .unwrap_or(usize::MAX)
            }),
            "price" => sort_by(items, desc, |p| {
                (
                    parse_decimal(&data.active_price(p)).unwrap_or_default(),
                    p.id,
                )
            }),
            "popularity" => sort_by(items, desc, |p| (p.total_sales, p.id)),
            _ => sort_by(items, desc, |p| (p.date_created, p.id)),
        }
    }
}

/// `GET /products`.
pub(super) fn list(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    let filter = read_filter(req, data, &ORDERBY, true)?;
    req.require(Action::List)?;
    // Variations only appear when the SKU filter asks for them (and never under `type`).
    let with_variations = filter.sku.is_some() && filter.kind.is_none();
    let mut items: Vec<&Product> = data
        .products
        .values()
        .filter(|p| with_variations || !p.is_variation())
        .filter(|p| filter.accepts(data, p))
        .collect();
    filter.sort(data, &mut items);
    let page = filter.paging.apply(items);
    let ctx = req.render_ctx(filter.edit);
    let body: Vec<_> = page
        .items
        .iter()
        .map(|p| product_json(data, p, &ctx))
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

/// `GET /products/{id}` (a variation id answers in the product schema).
pub(super) fn get(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    c.finish()?;
    let item = data.products.get(&id);
    req.require_item(Action::View, item.is_some())?;
    let item = item.ok_or_else(|| WcError::invalid_id("product", 404))?;
    Ok(Reply::json(
        200,
        &product_json(data, item, &req.render_ctx(edit)),
    ))
}

/// `POST /products`.
pub(super) fn create(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    req.require(Action::Create)?;
    let id = product_write::create_product(data, &req.fields, Mode::Schema)?;
    let item = data
        .products
        .get(&id)
        .ok_or_else(|| WcError::invalid_id("product", 500))?;
    Ok(
        Reply::json(201, &product_json(data, item, &req.render_ctx(true)))
            .with_header("Location", req.api(&format!("/wc/v3/products/{id}"))),
    )
}

/// `PUT|PATCH|POST /products/{id}`.
pub(super) fn update(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    req.require_item(Action::Edit, data.products.contains_key(&id))?;
    product_write::update_product(data, id, &req.fields, Mode::Schema)?;
    let item = data
        .products
        .get(&id)
        .ok_or_else(|| WcError::invalid_id("product", 400))?;
    Ok(Reply::json(
        200,
        &product_json(data, item, &req.render_ctx(true)),
    ))
}

/// `DELETE /products/{id}`.
pub(super) fn delete(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    req.require_item(Action::Delete, data.products.contains_key(&id))?;
    let force = req.force();
    let before = data
        .products
        .get(&id)
        .map(|p| product_json(data, p, &req.render_ctx(true)));
    product_write::delete_product(data, id, force)?;
    if force {
        let body = before.ok_or_else(|| WcError::invalid_id("product", 404))?;
        return Ok(Reply::json(200, &body));
    }
    let item = data
        .products
        .get(&id)
        .ok_or_else(|| WcError::invalid_id("product", 404))?;
    Ok(Reply::json(
        200,
        &product_json(data, item, &req.render_ctx(true)),
    ))
}
