//! Creating, updating and deleting products and variations with WooCommerce's rules:
//! stock only applied when managed (after this request's `manage_stock`), the store-wide stock
//! switch, SKU uniqueness across products and variations, `inventory_delta`, and a
//! `date_modified` bump on every save (a variation's save also saves its parent).

use serde_json::{Map, Value};

use super::errors::WcError;
use super::fields::{FieldReader, Mode, clean_text, coerce_text, format_price};
use super::model::{
    DefaultAttribute, MetaEntry, Product, ProductAttribute, ProductKind, StoreData,
    VariationAttribute, sanitize_title,
};

const PRODUCT_TYPES: [&str; 4] = ["simple", "grouped", "external", "variable"];
const POST_STATUSES: [&str; 7] = [
    "draft",
    "pending",
    "private",
    "publish",
    "future",
    "auto-draft",
    "trash",
];
const STOCK_STATUSES: [&str; 3] = ["instock", "outofstock", "onbackorder"];
const BACKORDERS: [&str; 3] = ["no", "notify", "yes"];
const TAX_STATUSES: [&str; 3] = ["taxable", "shipping", "none"];
const VISIBILITIES: [&str; 4] = ["visible", "catalog", "search", "hidden"];

/// Creates a product from a request body; returns its id.
pub(crate) fn create_product(
    data: &mut StoreData,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<u64, WcError> {
    if fields.get("id").is_some_and(|v| !is_zero(v)) {
        return Err(WcError::new(
            400,
            "woocommerce_rest_product_exists",
            "Cannot create existing product.",
        ));
    }
    let mut reader = FieldReader::new(fields, mode);
    let kind = reader
        .one_of("type", &PRODUCT_TYPES)
        .and_then(|t| ProductKind::parse(&t))
        .unwrap_or(ProductKind::Simple);
    let now = data.now();
    let mut product = Product::new(0, kind, now);
    apply_product_fields(data, &mut product, &mut reader)?;
    reader.finish()?;
    check_sku(data, &product)?;
    product.id = data.alloc_post_id();
    product.slug = data.unique_product_slug(
        if product.slug.is_empty() {
            &product.name
        } else {
            &product.slug
        },
        product.id,
    );
    let id = product.id;
    data.index_product(&product);
    data.products.insert(id, product);
    data.recompute_stock_status(id);
    Ok(id)
}

/// Updates a product (not a variation) from a request body.
pub(crate) fn update_product(
    data: &mut StoreData,
    id: u64,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<(), WcError> {
    let Some(existing) = data.products.get(&id) else {
        return Err(WcError::invalid_id("product", 400));
    };
    if existing.is_variation() {
        return Err(invalid_product_id_for_variation());
    }
    let mut product = existing.clone();
    let mut reader = FieldReader::new(fields, mode);
    if let Some(kind) = reader
        .one_of("type", &PRODUCT_TYPES)
        .and_then(|t| ProductKind::parse(&t))
    {
        product.kind = kind;
    }
    apply_product_fields(data, &mut product, &mut reader)?;
    reader.finish()?;
    check_sku(data, &product)?;
    if fields.contains_key("slug") || product.slug.is_empty() {
        product.slug = data.unique_product_slug(
            if product.slug.is_empty() {
                &product.name
            } else {
                &product.slug
            },
            id,
        );
    }
    product.date_modified = data.now();
    store_changed(data, product);
    data.recompute_stock_status(id);
    Ok(())
}

/// Stores a changed product or variation, keeping the lookups by SKU, slug and parent right.
fn store_changed(data: &mut StoreData, item: Product) {
    if let Some(old) = data.products.get(&item.id) {
        if old.sku != item.sku || old.slug != item.slug || old.parent_id != item.parent_id {
            data.unindex(old);
            data.index_product(&item);
        } else if old.status != item.status || old.kind != item.kind {
            data.publication_changed();
        }
    }
    data.products.insert(item.id, item);
}

/// The 404 WooCommerce gives for a variation id sent to `/products/{id}` for writing.
pub(crate) fn invalid_product_id_for_variation() -> WcError {
    WcError::new(
        404,
        "woocommerce_rest_invalid_product_id",
        "To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.",
    )
}

/// Creates a variation under `parent_id`; returns its id.
pub(crate) fn create_variation(
    data: &mut StoreData,
    parent_id: u64,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<u64, WcError> {
    if data
        .products
        .get(&parent_id)
        .is_none_or(Product::is_variation)
    {
        return Err(WcError::invalid_id("product", 404));
    }
    if fields.get("id").is_some_and(|v| !is_zero(v)) {
        return Err(WcError::new(
            400,
            "woocommerce_rest_product_variation_exists",
            "Cannot create existing product_variation.",
        ));
    }
    let now = data.now();
    let mut variation = Product::new(0, ProductKind::Variation, now);
    variation.parent_id = parent_id;
    let mut reader = FieldReader::new(fields, mode);
    apply_variation_fields(data, &mut variation, &mut reader)?;
    reader.finish()?;
    check_sku(data, &variation)?;
    variation.id = data.alloc_post_id();
    variation.menu_order = variation.menu_order.max(0);
    let id = variation.id;
    variation.slug = sanitize_title(&data.variation_title(&variation));
    data.index_product(&variation);
    data.products.insert(id, variation);
    data.recompute_stock_status(id);
    data.touch_product(parent_id);
    Ok(id)
}

/// Updates a variation. `parent_id` is the route's product id: WooCommerce writes it into the
/// variation, so a variation updated through another product's batch moves to that product.
pub(crate) fn update_variation(
    data: &mut StoreData,
    id: u64,
    parent_id: u64,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<(), WcError> {
    let Some(existing) = data.products.get(&id).filter(|p| p.is_variation()) else {
        return Err(WcError::invalid_id("product_variation", 400));
    };
    let old_parent = existing.parent_id;
    let mut variation = existing.clone();
    if data
        .products
        .get(&parent_id)
        .is_some_and(|p| !p.is_variation())
    {
        variation.parent_id = parent_id;
    }
    let mut reader = FieldReader::new(fields, mode);
    apply_variation_fields(data, &mut variation, &mut reader)?;
    reader.finish()?;
    check_sku(data, &variation)?;
    variation.date_modified = data.now();
    let new_parent = variation.parent_id;
    store_changed(data, variation);
    data.recompute_stock_status(id);
    data.touch_product(new_parent);
    if old_parent != new_parent {
        data.touch_product(old_parent);
    }
    Ok(())
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_u64() == Some(0),
        Value::String(s) => s.trim() == "0" || s.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

fn check_sku(data: &StoreData, item: &Product) -> Result<(), WcError> {
    match data.sku_owner(&item.sku, item.id) {
        Some(owner) => Err(WcError::duplicate_sku(
            owner,
            data.unique_sku_suggestion(&item.sku),
        )),
        None => Ok(()),
    }
}

fn apply_product_fields(
    data: &mut StoreData,
    product: &mut Product,
    reader: &mut FieldReader<'_>,
) -> Result<(), WcError> {
    if let Some(name) = reader.string("name") {
        product.name = name;
    }
    if let Some(slug) = reader.string("slug") {
        product.slug = sanitize_title(&slug);
    }
    if let Some(status) = reader.one_of("status", &POST_STATUSES) {
        product.status = status;
    }
    if let Some(featured) = reader.boolean("featured") {
        product.featured = featured;
    }
    if let Some(visibility) = reader.one_of("catalog_visibility", &VISIBILITIES) {
        product.catalog_visibility = visibility;
    }
    if let Some(text) = reader.string("description") {
        product.description = text;
    }
    if let Some(text) = reader.string("short_description") {
        product.short_description = text;
    }
    if let Some(sku) = reader.string("sku") {
        product.sku = clean_text(&sku);
    }
    let separator = data.settings.decimal_separator.clone();
    if let Some(price) = reader.string("regular_price") {
        product.regular_price = format_price(&price, &separator);
    }
    if let Some(price) = reader.string("sale_price") {
        product.sale_price = format_price(&price, &separator);
    }
    if matches!(product.kind, ProductKind::Variable | ProductKind::Grouped) {
        product.regular_price.clear();
        product.sale_price.clear();
    }
    apply_dates(data, product, reader);
    apply_common_fields(product, reader);
    if let Some(flag) = reader.boolean("sold_individually") {
        product.sold_individually = flag;
    }
    if let Some(note) = reader.string("purchase_note") {
        product.purchase_note = note;
    }
    if let Some(flag) = reader.boolean("reviews_allowed") {
        product.reviews_allowed = flag;
    }
    apply_product_stock(data.settings.manage_stock, product, reader);
    if let Some(items) = reader.array("categories") {
        product.categories = items
            .iter()
            .filter_map(|c| c.get("id").map(super::fields::php_intval))
            .filter_map(|id| {
                data.categories
                    .iter()
                    .find(|t| i64::try_from(t.id).is_ok_and(|t_id| t_id == id))
                    .cloned()
            })
            .collect();
    }
    if let Some(items) = reader.array("attributes") {
        product.attributes = parse_attributes(data, items);
    }
    if let Some(items) = reader.array("default_attributes") {
        product.default_attributes = parse_default_attributes(data, items);
    }
    if let Some(items) = reader.array("meta_data") {
        apply_meta(data, &mut product.meta_data, items);
    }
    Ok(())
}

fn apply_dates(data: &StoreData, item: &mut Product, reader: &mut FieldReader<'_>) {
    let tz = data.settings.timezone;
    if let Some(text) = reader.string("date_created_gmt") {
        if let Some(super::dates::QueryDate::Naive(n)) = super::dates::QueryDate::parse(&text) {
            item.date_created = n.and_utc();
        }
    } else if let Some(text) = reader.string("date_created") {
        match super::dates::QueryDate::parse(&text) {
            Some(super::dates::QueryDate::Naive(n)) => {
                item.date_created = super::dates::from_local(tz, n);
            }
            Some(super::dates::QueryDate::Instant(t)) => item.date_created = t,
            None => {}
        }
    }
}

fn apply_common_fields(item: &mut Product, reader: &mut FieldReader<'_>) {
    if let Some(flag) = reader.boolean("virtual") {
        item.virtual_product = flag;
    }
    if let Some(flag) = reader.boolean("downloadable") {
        item.downloadable = flag;
    }
    if let Some(status) = reader.one_of("tax_status", &TAX_STATUSES) {
        item.tax_status = status;
    }
    if let Some(class) = reader.string("tax_class") {
        item.tax_class = class;
    }
    if let Some(weight) = reader.string("weight") {
        item.weight = weight;
    }
    if let Some(dimensions) = reader.object("dimensions") {
        let text = |key: &str| dimensions.get(key).map(coerce_text);
        if let Some(v) = text("length") {
            item.dimensions.length = v;
        }
        if let Some(v) = text("width") {
            item.dimensions.width = v;
        }
        if let Some(v) = text("height") {
            item.dimensions.height = v;
        }
    }
    if let Some(class) = reader.string("shipping_class") {
        item.shipping_class = class;
    }
    if let Some(order) = reader.integer("menu_order") {
        item.menu_order = order;
    }
    if let Some(amount) = reader.nullable_integer("low_stock_amount") {
        item.low_stock_amount = amount;
    }
}

/// Stock fields of a product. With "Enable stock management" off only `stock_status` is applied.
fn apply_product_stock(global_on: bool, product: &mut Product, reader: &mut FieldReader<'_>) {
    let stock_status = reader.one_of("stock_status", &STOCK_STATUSES);
    let manage = reader.boolean("manage_stock");
    let backorders = reader.one_of("backorders", &BACKORDERS);
    let quantity = reader.integer("stock_quantity");
    let delta = reader.loose_integer("inventory_delta");
    if global_on {
        if let Some(manage) = manage {
            product.manage_stock = manage;
        }
        if let Some(backorders) = backorders {
            product.backorders = backorders;
        }
        if product.manage_stock {
            if let Some(quantity) = quantity {
                product.stock_quantity = Some(quantity);
            } else if let Some(delta) = delta {
                product.stock_quantity = Some(product.stock_quantity.unwrap_or(0) + delta);
            }
        } else if let Some(status) = stock_status {
            product.stock_status = status;
        }
    } else if product.kind != ProductKind::Variable
        && let Some(status) = stock_status
    {
        product.stock_status = status;
    }
    if matches!(product.kind, ProductKind::Grouped | ProductKind::External) {
        product.manage_stock = false;
    }
    if !product.manage_stock {
        product.stock_quantity = None;
        product.backorders = "no".to_owned();
        product.low_stock_amount = None;
    }
}

fn apply_variation_fields(
    data: &mut StoreData,
    variation: &mut Product,
    reader: &mut FieldReader<'_>,
) -> Result<(), WcError> {
    if let Some(status) = reader.one_of("status", &POST_STATUSES) {
        variation.status = status;
    }
    if let Some(sku) = reader.string("sku") {
        variation.sku = clean_text(&sku);
    }
    apply_common_fields(variation, reader);
    let separator = data.settings.decimal_separator.clone();
    if let Some(price) = reader.string("regular_price") {
        variation.regular_price = format_price(&price, &separator);
    }
    if let Some(price) = reader.string("sale_price") {
        variation.sale_price = format_price(&price, &separator);
    }
    if let Some(text) = reader.string("description") {
        variation.description = text;
    }
    apply_dates(data, variation, reader);
    // The variation schema types manage_stock as boolean: "parent" fails a single request,
    // while a batch item's "parent" reaches the setter as "does not manage its own stock".
    let manage = match reader.raw("manage_stock") {
        Some(Value::String(s)) if s == "parent" && reader.mode() == Mode::Batch => Some(false),
        _ => reader.boolean("manage_stock"),
    };
    let backorders = reader.one_of("backorders", &BACKORDERS);
    let quantity = reader.integer("stock_quantity");
    let delta = reader.loose_integer("inventory_delta");
    let stock_status = reader.one_of("stock_status", &STOCK_STATUSES);
    if let Some(manage) = manage {
        variation.manage_stock = manage;
    }
    if let Some(backorders) = backorders {
        variation.backorders = backorders;
    }
    let parent_manages = data
        .products
        .get(&variation.parent_id)
        .is_some_and(|p| p.manage_stock);
    if variation.manage_stock || parent_manages {
        // With a managing parent this lands in the variation's own hidden quantity.
        if let Some(quantity) = quantity {
            variation.stock_quantity = Some(quantity);
        } else if let Some(delta) = delta {
            variation.stock_quantity = Some(variation.stock_quantity.unwrap_or(0) + delta);
        }
    } else {
        variation.backorders = "no".to_owned();
        variation.stock_quantity = None;
        variation.low_stock_amount = None;
    }
    if let Some(status) = stock_status {
        variation.stock_status = status;
    }
    if let Some(items) = reader.array("attributes") {
        variation.variation_attributes = parse_variation_attributes(data, variation, items);
    }
    if let Some(items) = reader.array("meta_data") {
        apply_meta(data, &mut variation.meta_data, items);
    }
    Ok(())
}

fn option_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .map(coerce_text)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::String(s)) => s
            .split(['|', ','])
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

fn parse_attributes(data: &mut StoreData, items: &[Value]) -> Vec<ProductAttribute> {
    let mut result = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let id = item
            .get("id")
            .map(super::fields::php_intval)
            .unwrap_or(0)
            .max(0)
            .unsigned_abs();
        let name = item.get("name").map(coerce_text).unwrap_or_default();
        let options = option_list(item.get("options"));
        let position = item
            .get("position")
            .map(super::fields::php_intval)
            .unwrap_or(i64::try_from(index).unwrap_or(0));
        let flag = |key: &str| {
            item.get(key)
                .is_some_and(|v| matches!(v, Value::Bool(true)) || coerce_text(v) == "1")
        };
        let attribute = if id > 0 {
            let Some(global) = data.attributes.iter_mut().find(|a| a.id == id) else {
                continue;
            };
            for option in &options {
                if global.term(option).is_none() {
                    global.terms.push((option.clone(), sanitize_title(option)));
                }
            }
            let names: Vec<String> = options
                .iter()
                .filter_map(|o| global.term(o).map(|(n, _)| n.clone()))
                .collect();
            ProductAttribute {
                id,
                name: global.name.clone(),
                position,
                visible: flag("visible"),
                variation: flag("variation"),
                options: names,
            }
        } else if !name.is_empty() {
            ProductAttribute {
                id: 0,
                name,
                position,
                visible: flag("visible"),
                variation: flag("variation"),
                options,
            }
        } else {
            continue;
        };
        result.push(attribute);
    }
    result
}

fn parse_default_attributes(data: &StoreData, items: &[Value]) -> Vec<DefaultAttribute> {
    items
        .iter()
        .filter_map(|item| {
            let id = item
                .get("id")
                .map(super::fields::php_intval)
                .unwrap_or(0)
                .max(0)
                .unsigned_abs();
            let option = item.get("option").map(coerce_text).unwrap_or_default();
            if id > 0 {
                let global = data.global_attribute(id)?;
                let slug = global
                    .term(&option)
                    .map_or_else(|| sanitize_title(&option), |(_, s)| s.clone());
                Some(DefaultAttribute {
                    id,
                    name: global.name.clone(),
                    option: slug,
                })
            } else {
                let name = item.get("name").map(coerce_text).unwrap_or_default();
                (!name.is_empty()).then_some(DefaultAttribute {
                    id: 0,
                    name,
                    option,
                })
            }
        })
        .collect()
}

fn parse_variation_attributes(
    data: &StoreData,
    variation: &Product,
    items: &[Value],
) -> Vec<VariationAttribute> {
    let parent_attributes = data
        .products
        .get(&variation.parent_id)
        .map(|p| p.attributes.clone())
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|item| {
            let id = item
                .get("id")
                .map(super::fields::php_intval)
                .unwrap_or(0)
                .max(0)
                .unsigned_abs();
            let option = item.get("option").map(coerce_text).unwrap_or_default();
            if id > 0 {
                let global = data.global_attribute(id)?;
                let name = global
                    .term(&option)
                    .map_or_else(|| option.clone(), |(n, _)| n.clone());
                Some(VariationAttribute {
                    id,
                    name: global.name.clone(),
                    option: name,
                })
            } else {
                let raw_name = item.get("name").map(coerce_text).unwrap_or_default();
                if raw_name.is_empty() {
                    return None;
                }
                let name = parent_attributes
                    .iter()
                    .find(|a| a.id == 0 && a.name.eq_ignore_ascii_case(&raw_name))
                    .map_or(raw_name, |a| a.name.clone());
                Some(VariationAttribute {
                    id: 0,
                    name,
                    option,
                })
            }
        })
        .collect()
}

fn apply_meta(data: &mut StoreData, meta: &mut Vec<MetaEntry>, items: &[Value]) {
    for item in items {
        let Some(key) = item.get("key").map(coerce_text) else {
            continue;
        };
        let value = item.get("value").cloned().unwrap_or(Value::Null);
        let by_id = item
            .get("id")
            .map(super::fields::php_intval)
            .filter(|id| *id > 0)
            .and_then(|id| {
                meta.iter_mut()
                    .find(|m| i64::try_from(m.id).is_ok_and(|m_id| m_id == id))
            });
        if let Some(entry) = by_id {
            entry.key = key;
            entry.value = value;
            continue;
        }
        if let Some(entry) = meta.iter_mut().find(|m| m.key == key) {
            entry.value = value;
            continue;
        }
        let id = data.alloc_meta_id();
        meta.push(MetaEntry { id, key, value });
    }
}

/// Deletes (force) or trashes a product or variation. Deleting a variable product deletes its
/// variations too.
pub(crate) fn delete_product(data: &mut StoreData, id: u64, force: bool) -> Result<(), WcError> {
    let Some(item) = data.products.get(&id) else {
        return Err(WcError::invalid_id("product", 404));
    };
    let parent = item.parent_id;
    let is_variation = item.is_variation();
    if !force {
        if item.is_trashed() {
            return Err(WcError::new(
                410,
                "woocommerce_rest_already_trashed",
                "The product has already been deleted.",
            ));
        }
        let now = data.now();
        if let Some(item) = data.products.get_mut(&id) {
            item.status = "trash".to_owned();
            item.date_modified = now;
        }
        data.publication_changed();
        return Ok(());
    }
    for child in data.variation_ids(id) {
        if let Some(gone) = data.products.remove(&child) {
            data.unindex(&gone);
        }
    }
    if let Some(gone) = data.products.remove(&id) {
        data.unindex(&gone);
    }
    if is_variation {
        data.touch_product(parent);
    }
    Ok(())
}
