//! `/products/{id}/variations` bodies.

use serde::Serialize;
use serde_json::Value;

use super::product::{
    DimensionsJson, MetaJson, VariationAttributeJson, dimensions, manage_stock_value, meta,
    permalink, variation_attributes,
};
use super::{Href, Links, RenderCtx, autop};
use crate::store::dates::wc_pair;
use crate::store::model::{Product, StoreData};

/// A variation as the variations endpoints return it.
#[derive(Debug, Serialize)]
pub(crate) struct VariationJson {
    id: u64,
    date_created: String,
    date_created_gmt: String,
    date_modified: String,
    date_modified_gmt: String,
    description: String,
    permalink: String,
    sku: String,
    price: String,
    regular_price: String,
    sale_price: String,
    date_on_sale_from: Option<String>,
    date_on_sale_from_gmt: Option<String>,
    date_on_sale_to: Option<String>,
    date_on_sale_to_gmt: Option<String>,
    on_sale: bool,
    status: String,
    purchasable: bool,
    #[serde(rename = "virtual")]
    virtual_product: bool,
    downloadable: bool,
    downloads: Vec<Value>,
    download_limit: i64,
    download_expiry: i64,
    tax_status: String,
    tax_class: String,
    manage_stock: Value,
    stock_quantity: Option<i64>,
    stock_status: String,
    backorders: String,
    backorders_allowed: bool,
    backordered: bool,
    low_stock_amount: Option<i64>,
    weight: String,
    dimensions: DimensionsJson,
    shipping_class: String,
    shipping_class_id: u64,
    image: Option<Value>,
    attributes: Vec<VariationAttributeJson>,
    menu_order: i64,
    meta_data: Vec<MetaJson>,
    name: String,
    parent_id: u64,
    _links: Links,
}

/// Renders a variation for the variations endpoints.
pub(crate) fn variation_json(data: &StoreData, item: &Product, ctx: &RenderCtx) -> VariationJson {
    let tz = data.settings.timezone;
    let (created, created_gmt) = wc_pair(tz, item.date_created);
    let (modified, modified_gmt) = wc_pair(tz, item.date_modified);
    let price = data.active_price(item);
    let stock_status = data.shown_stock_status(item);
    let backorders = data.shown_backorders(item);
    let tax_class = if item.tax_class == "parent" && !ctx.edit {
        data.products
            .get(&item.parent_id)
            .map(|p| p.tax_class.clone())
            .unwrap_or_default()
    } else {
        item.tax_class.clone()
    };
    let mut links = Links::new(
        ctx.api(&format!(
            "/wc/v3/products/{}/variations/{}",
            item.parent_id, item.id
        )),
        ctx.api(&format!("/wc/v3/products/{}/variations", item.parent_id)),
    );
    links.up = Some(vec![Href {
        href: ctx.api(&format!("/wc/v3/products/{}", item.parent_id)),
    }]);
    VariationJson {
        id: item.id,
        date_created: created,
        date_created_gmt: created_gmt,
        date_modified: modified,
        date_modified_gmt: modified_gmt,
        description: if ctx.edit {
            item.description.clone()
        } else {
            autop(&item.description)
        },
        permalink: permalink(data, item, ctx),
        // The variations endpoints always read the SKU with the parent fallback.
        sku: data.shown_sku(item),
        purchasable: !price.is_empty() && item.status == "publish",
        on_sale: data.on_sale(item),
        price,
        regular_price: item.regular_price.clone(),
        sale_price: item.sale_price.clone(),
        date_on_sale_from: None,
        date_on_sale_from_gmt: None,
        date_on_sale_to: None,
        date_on_sale_to_gmt: None,
        status: item.status.clone(),
        virtual_product: item.virtual_product,
        downloadable: item.downloadable,
        downloads: Vec::new(),
        download_limit: -1,
        download_expiry: -1,
        tax_status: item.tax_status.clone(),
        tax_class,
        manage_stock: manage_stock_value(data, item),
        stock_quantity: data.shown_stock_quantity(item),
        backordered: stock_status == "onbackorder",
        stock_status,
        backorders_allowed: backorders != "no",
        backorders,
        low_stock_amount: item.low_stock_amount,
        weight: item.weight.clone(),
        dimensions: dimensions(item),
        shipping_class: item.shipping_class.clone(),
        shipping_class_id: 0,
        image: None,
        attributes: variation_attributes(data, item),
        menu_order: item.menu_order,
        meta_data: meta(&item.meta_data),
        name: data.variation_label(item),
        parent_id: item.parent_id,
        _links: links,
    }
}
