//! Products (`/products`), including variations returned in product shape by `?sku=` lookups.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{Dimensions, MetaData, TermRef};
use super::lenient::{self, ManageStock};

/// A product as `/products` returns it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Product {
    /// Product id (for `type == "variation"`, the variation id).
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Slug.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Public URL.
    #[serde(deserialize_with = "lenient::string")]
    pub permalink: String,
    /// `simple`, `variable`, `grouped`, `external`, `variation`, or a plugin type.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub product_type: String,
    /// `publish`, `draft`, `pending`, `private`, …
    #[serde(deserialize_with = "lenient::string")]
    pub status: String,
    /// SKU, `""` when none.
    #[serde(deserialize_with = "lenient::string")]
    pub sku: String,
    /// GTIN/UPC/EAN/ISBN (WooCommerce 9.2+; absent before).
    #[serde(deserialize_with = "lenient::opt_string")]
    pub global_unique_id: Option<String>,
    /// Active price; `None` when empty.
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub price: Option<Decimal>,
    /// Regular price; `None` when empty.
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub regular_price: Option<Decimal>,
    /// Sale price; `None` when empty.
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub sale_price: Option<Decimal>,
    /// On sale now.
    #[serde(deserialize_with = "lenient::boolean")]
    pub on_sale: bool,
    /// Can be bought (false e.g. without a price).
    #[serde(deserialize_with = "lenient::boolean")]
    pub purchasable: bool,
    /// Virtual product.
    #[serde(rename = "virtual", deserialize_with = "lenient::boolean")]
    pub is_virtual: bool,
    /// Downloadable product.
    #[serde(deserialize_with = "lenient::boolean")]
    pub downloadable: bool,
    /// `taxable`, `shipping`, `none`.
    #[serde(deserialize_with = "lenient::string")]
    pub tax_status: String,
    /// Tax class, `""` = standard.
    #[serde(deserialize_with = "lenient::string")]
    pub tax_class: String,
    /// Stock tracking (`"parent"` for variations seen through `/products`).
    pub manage_stock: ManageStock,
    /// Quantity; `None` when not managed.
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub stock_quantity: Option<i64>,
    /// `instock`, `outofstock`, `onbackorder`, …
    #[serde(deserialize_with = "lenient::string")]
    pub stock_status: String,
    /// `no`, `notify`, `yes`.
    #[serde(deserialize_with = "lenient::string")]
    pub backorders: String,
    /// Low-stock threshold.
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub low_stock_amount: Option<i64>,
    /// Weight as text.
    #[serde(deserialize_with = "lenient::string")]
    pub weight: String,
    /// Dimensions.
    #[serde(deserialize_with = "lenient::object")]
    pub dimensions: Dimensions,
    /// Parent of a variation or grouped child; 0 when none.
    #[serde(deserialize_with = "lenient::id")]
    pub parent_id: u64,
    /// Variation ids of a variable product.
    #[serde(deserialize_with = "lenient::ids")]
    pub variations: Vec<u64>,
    /// Attributes.
    #[serde(deserialize_with = "lenient::list")]
    pub attributes: Vec<ProductAttribute>,
    /// Categories.
    #[serde(deserialize_with = "lenient::list")]
    pub categories: Vec<TermRef>,
    /// Tags.
    #[serde(deserialize_with = "lenient::list")]
    pub tags: Vec<TermRef>,
    /// Images.
    #[serde(deserialize_with = "lenient::list")]
    pub images: Vec<ProductImage>,
    /// Short description (HTML).
    #[serde(deserialize_with = "lenient::string")]
    pub short_description: String,
    /// Description (HTML).
    #[serde(deserialize_with = "lenient::string")]
    pub description: String,
    /// Created, site-local.
    #[serde(deserialize_with = "lenient::local_date")]
    pub date_created: Option<NaiveDateTime>,
    /// Created, UTC.
    #[serde(deserialize_with = "lenient::gmt_date")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    /// Modified, site-local.
    #[serde(deserialize_with = "lenient::local_date")]
    pub date_modified: Option<NaiveDateTime>,
    /// Modified, UTC.
    #[serde(deserialize_with = "lenient::gmt_date")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
    /// Meta data.
    #[serde(deserialize_with = "lenient::list")]
    pub meta_data: Vec<MetaData>,
}

impl Product {
    /// True for a variation returned through `/products` (e.g. by a SKU lookup).
    pub fn is_variation(&self) -> bool {
        self.product_type == "variation"
    }

    /// The first `meta_data` value with this key, as text (e.g. `ean` on stores before 9.2).
    pub fn meta_text(&self, key: &str) -> Option<String> {
        self.meta_data
            .iter()
            .find(|m| m.key == key)
            .and_then(MetaData::value_text)
    }
}

/// A product attribute (`options` on parents; variations use [`super::VariationAttribute`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ProductAttribute {
    /// Global attribute id; 0 for a local attribute.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Slug (`pa_size` for global ones).
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Used for variations.
    #[serde(deserialize_with = "lenient::boolean")]
    pub variation: bool,
    /// Shown on the product page.
    #[serde(deserialize_with = "lenient::boolean")]
    pub visible: bool,
    /// Values.
    #[serde(deserialize_with = "lenient::list")]
    pub options: Vec<String>,
    /// Value of a variation seen through `/products`.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub option: Option<String>,
}

/// A product image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ProductImage {
    /// Media id (0 for the placeholder).
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// URL.
    #[serde(deserialize_with = "lenient::string")]
    pub src: String,
    /// Alt text.
    #[serde(deserialize_with = "lenient::string")]
    pub alt: String,
}
