//! `/products` bodies (parents, and variations read through `/products/{id}` or the SKU filter).

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::{Links, RenderCtx, autop, price_html, price_range_html};
use crate::store::dates::wc_pair;
use crate::store::model::{
    MetaEntry, Product, ProductKind, StockOwner, StoreData, TermRef, sanitize_title,
};

#[derive(Debug, Serialize)]
pub(crate) struct DimensionsJson {
    length: String,
    width: String,
    height: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct TermJson {
    id: u64,
    name: String,
    slug: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct MetaJson {
    id: u64,
    key: String,
    value: Value,
}

#[derive(Debug, Serialize)]
struct ParentAttributeJson {
    id: u64,
    name: String,
    slug: String,
    position: i64,
    visible: bool,
    variation: bool,
    options: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct VariationAttributeJson {
    id: u64,
    name: String,
    slug: String,
    option: String,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum AttributesJson {
    Parent(Vec<ParentAttributeJson>),
    Variation(Vec<VariationAttributeJson>),
}

#[derive(Debug, Serialize)]
struct DefaultAttributeJson {
    id: u64,
    name: String,
    option: String,
}

/// A product as `/products` returns it.
#[derive(Debug, Serialize)]
pub(crate) struct ProductJson {
    id: u64,
    name: String,
    slug: String,
    permalink: String,
    date_created: String,
    date_created_gmt: String,
    date_modified: String,
    date_modified_gmt: String,
    #[serde(rename = "type")]
    kind: &'static str,
    status: String,
    featured: bool,
    catalog_visibility: String,
    description: String,
    short_description: String,
    sku: String,
    price: String,
    regular_price: String,
    sale_price: String,
    date_on_sale_from: Option<String>,
    date_on_sale_from_gmt: Option<String>,
    date_on_sale_to: Option<String>,
    date_on_sale_to_gmt: Option<String>,
    on_sale: bool,
    purchasable: bool,
    total_sales: Value,
    #[serde(rename = "virtual")]
    virtual_product: bool,
    downloadable: bool,
    downloads: Vec<Value>,
    download_limit: i64,
    download_expiry: i64,
    external_url: String,
    button_text: String,
    tax_status: String,
    tax_class: String,
    manage_stock: Value,
    stock_quantity: Option<i64>,
    backorders: String,
    backorders_allowed: bool,
    backordered: bool,
    low_stock_amount: Option<i64>,
    sold_individually: bool,
    weight: String,
    dimensions: DimensionsJson,
    shipping_required: bool,
    shipping_taxable: bool,
    shipping_class: String,
    shipping_class_id: u64,
    reviews_allowed: bool,
    average_rating: String,
    rating_count: u64,
    upsell_ids: Vec<u64>,
    cross_sell_ids: Vec<u64>,
    parent_id: u64,
    purchase_note: String,
    categories: Vec<TermJson>,
    tags: Vec<TermJson>,
    images: Vec<Value>,
    attributes: AttributesJson,
    default_attributes: Vec<DefaultAttributeJson>,
    variations: Vec<u64>,
    grouped_products: Vec<u64>,
    menu_order: i64,
    price_html: String,
    related_ids: Vec<u64>,
    meta_data: Vec<MetaJson>,
    stock_status: String,
    has_options: bool,
    post_password: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    permalink_template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generated_slug: Option<String>,
    _links: Links,
}

pub(crate) fn terms(list: &[TermRef]) -> Vec<TermJson> {
    list.iter()
        .map(|t| TermJson {
            id: t.id,
            name: t.name.clone(),
            slug: t.slug.clone(),
        })
        .collect()
}

pub(crate) fn meta(list: &[MetaEntry]) -> Vec<MetaJson> {
    list.iter()
        .map(|m| MetaJson {
            id: m.id,
            key: m.key.clone(),
            value: m.value.clone(),
        })
        .collect()
}

pub(crate) fn dimensions(item: &Product) -> DimensionsJson {
    DimensionsJson {
        length: item.dimensions.length.clone(),
        width: item.dimensions.width.clone(),
        height: item.dimensions.height.clone(),
    }
}

/// `true`, `false` or `"parent"`, after the store-wide stock switch.
pub(crate) fn manage_stock_value(data: &StoreData, item: &Product) -> Value {
    if !data.settings.manage_stock {
        return Value::Bool(false);
    }
    match data.stock_owner(item) {
        StockOwner::Own => Value::Bool(true),
        StockOwner::Parent(_) => Value::String("parent".to_owned()),
        StockOwner::Nobody => Value::Bool(false),
    }
}

pub(crate) fn variation_attributes(
    data: &StoreData,
    item: &Product,
) -> Vec<VariationAttributeJson> {
    item.variation_attributes
        .iter()
        .map(|a| VariationAttributeJson {
            id: a.id,
            name: a.name.clone(),
            slug: data
                .global_attribute(a.id)
                .map_or_else(|| sanitize_title(&a.name), |g| g.taxonomy()),
            option: a.option.clone(),
        })
        .collect()
}

/// The front-end URL of a product or variation.
pub(crate) fn permalink(data: &StoreData, item: &Product, ctx: &RenderCtx) -> String {
    if !item.is_variation() {
        return format!("{}/product/{}/", ctx.home, item.slug);
    }
    let parent_slug = data
        .products
        .get(&item.parent_id)
        .map(|p| p.slug.clone())
        .unwrap_or_default();
    let query: Vec<String> = item
        .variation_attributes
        .iter()
        .map(|a| match data.global_attribute(a.id) {
            Some(global) => {
                let slug = global
                    .term(&a.option)
                    .map_or_else(|| sanitize_title(&a.option), |(_, s)| s.clone());
                format!("attribute_{}={slug}", global.taxonomy())
            }
            None => format!("attribute_{}={}", sanitize_title(&a.name), a.option),
        })
        .collect();
    if query.is_empty() {
        format!("{}/product/{parent_slug}/", ctx.home)
    } else {
        format!("{}/product/{parent_slug}/?{}", ctx.home, query.join("&"))
    }
}

/// Renders `item` (a parent product or a variation) in the `/products` schema.
pub(crate) fn product_json(data: &StoreData, item: &Product, ctx: &RenderCtx) -> ProductJson {
    let tz = data.settings.timezone;
    let (created, created_gmt) = wc_pair(tz, item.date_created);
    let (modified, modified_gmt) = wc_pair(tz, item.date_modified);
    let is_variation = item.is_variation();
    let is_variable = item.kind == ProductKind::Variable;
    let price = data.active_price(item);
    let on_sale = data.on_sale(item);
    let (regular_price, sale_price) = if is_variable {
        (String::new(), String::new())
    } else {
        (item.regular_price.clone(), item.sale_price.clone())
    };
    let html = if is_variable {
        let prices: Vec<Decimal> = data
            .variation_prices(item.id)
            .into_iter()
            .map(|(_, d)| d)
            .collect();
        price_range_html(&data.settings, &prices)
    } else {
        price_html(&data.settings, &price, &item.regular_price, on_sale)
    };
    let purchasable = !price.is_empty() && (!is_variation || item.status == "publish");
    let stock_status = data.shown_stock_status(item);
    let backorders = data.shown_backorders(item);
    let sku = if is_variation && ctx.edit {
        item.sku.clone()
    } else {
        data.shown_sku(item)
    };
    let tax_class = if item.tax_class == "parent" && !ctx.edit {
        data.products
            .get(&item.parent_id)
            .map(|p| p.tax_class.clone())
            .unwrap_or_default()
    } else {
        item.tax_class.clone()
    };
    let name = if is_variation {
        data.variation_title(item)
    } else {
        item.name.clone()
    };
    let (description, short_description) = if ctx.edit {
        (item.description.clone(), item.short_description.clone())
    } else {
        (autop(&item.description), autop(&item.short_description))
    };
    let mut links = Links::new(
        ctx.api(&format!("/wc/v3/products/{}", item.id)),
        ctx.api("/wc/v3/products"),
    );
    if is_variation {
        links.up = Some(vec![super::Href {
            href: ctx.api(&format!("/wc/v3/products/{}", item.parent_id)),
        }]);
    }
    let attributes = if is_variation {
        AttributesJson::Variation(variation_attributes(data, item))
    } else {
        AttributesJson::Parent(
            item.attributes
                .iter()
                .map(|a| {
                    let global = data.global_attribute(a.id).filter(|_| a.id != 0);
                    let mut options = a.options.clone();
                    if global.is_some() {
                        options.sort();
                    }
                    ParentAttributeJson {
                        id: a.id,
                        name: a.name.clone(),
                        slug: global.map_or_else(|| a.name.clone(), |g| g.taxonomy()),
                        position: a.position,
                        visible: a.visible,
                        variation: a.variation,
                        options,
                    }
                })
                .collect(),
        )
    };
    ProductJson {
        id: item.id,
        name,
        slug: item.slug.clone(),
        permalink: permalink(data, item, ctx),
        date_created: created,
        date_created_gmt: created_gmt,
        date_modified: modified,
        date_modified_gmt: modified_gmt,
        kind: item.kind.as_str(),
        status: item.status.clone(),
        featured: item.featured,
        catalog_visibility: item.catalog_visibility.clone(),
        description,
        short_description,
        sku,
        price,
        regular_price,
        sale_price,
        date_on_sale_from: None,
        date_on_sale_from_gmt: None,
        date_on_sale_to: None,
        date_on_sale_to_gmt: None,
        on_sale,
        purchasable,
        // WooCommerce reads a variation's sales count as the raw meta string.
        total_sales: if is_variation {
            Value::String(item.total_sales.to_string())
        } else {
            Value::from(item.total_sales)
        },
        virtual_product: item.virtual_product,
        downloadable: item.downloadable,
        downloads: Vec::new(),
        download_limit: -1,
        download_expiry: -1,
        external_url: String::new(),
        button_text: String::new(),
        tax_status: item.tax_status.clone(),
        tax_class,
        manage_stock: manage_stock_value(data, item),
        stock_quantity: data.shown_stock_quantity(item),
        backorders_allowed: backorders != "no",
        backorders,
        backordered: stock_status == "onbackorder",
        low_stock_amount: item.low_stock_amount,
        sold_individually: item.sold_individually,
        weight: item.weight.clone(),
        dimensions: dimensions(item),
        shipping_required: !item.virtual_product,
        shipping_taxable: !item.virtual_product
            && matches!(item.tax_status.as_str(), "taxable" | "shipping"),
        shipping_class: item.shipping_class.clone(),
        shipping_class_id: 0,
        reviews_allowed: item.reviews_allowed,
        average_rating: if ctx.edit { "0" } else { "0.00" }.to_owned(),
        rating_count: 0,
        upsell_ids: Vec::new(),
        cross_sell_ids: Vec::new(),
        parent_id: item.parent_id,
        purchase_note: item.purchase_note.clone(),
        categories: terms(&item.categories),
        tags: terms(&item.tags),
        images: Vec::new(),
        attributes,
        default_attributes: item
            .default_attributes
            .iter()
            .map(|d| DefaultAttributeJson {
                id: d.id,
                name: d.name.clone(),
                option: d.option.clone(),
            })
            .collect(),
        variations: if is_variable {
            data.variation_ids(item.id)
        } else {
            Vec::new()
        },
        grouped_products: Vec::new(),
        menu_order: item.menu_order,
        price_html: html,
        related_ids: data.related_ids(item),
        meta_data: meta(&item.meta_data),
        stock_status,
        has_options: is_variable,
        post_password: String::new(),
        permalink_template: ctx
            .edit
            .then(|| format!("{}/product/%pagename%/", ctx.home)),
        generated_slug: ctx.edit.then(|| item.slug.clone()),
        _links: links,
    }
}
