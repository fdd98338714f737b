//! Variations (`/products/{id}/variations`).

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{Dimensions, MetaData};
use super::lenient::{self, ManageStock};
use super::product::ProductImage;

/// A variation of a variable product.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Variation {
    /// Variation id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Parent product id (sent by recent versions; [`crate::woo::WooClient::list_all_variations`]
    /// fills it from the route when absent).
    #[serde(deserialize_with = "lenient::id")]
    pub parent_id: u64,
    /// Name like `"M, Blue"` (recent versions).
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// SKU as reported — the **parent's** SKU when the variation has none of its own; see
    /// [`variation_has_own_sku`].
    #[serde(deserialize_with = "lenient::string")]
    pub sku: String,
    /// GTIN (9.2+).
    #[serde(deserialize_with = "lenient::opt_string")]
    pub global_unique_id: Option<String>,
    /// `publish` (enabled) or `private` (disabled).
    #[serde(deserialize_with = "lenient::string")]
    pub status: String,
    /// Active price.
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub price: Option<Decimal>,
    /// Regular price.
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub regular_price: Option<Decimal>,
    /// Sale price.
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub sale_price: Option<Decimal>,
    /// On sale now.
    #[serde(deserialize_with = "lenient::boolean")]
    pub on_sale: bool,
    /// `true`, `false` or `"parent"` (the quantity shown is the parent's).
    pub manage_stock: ManageStock,
    /// Quantity (the parent's when `manage_stock` is `Parent`).
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub stock_quantity: Option<i64>,
    /// Stock status.
    #[serde(deserialize_with = "lenient::string")]
    pub stock_status: String,
    /// Backorders.
    #[serde(deserialize_with = "lenient::string")]
    pub backorders: String,
    /// Low-stock threshold.
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub low_stock_amount: Option<i64>,
    /// Tax class (`"parent"` in create answers, `""` later).
    #[serde(deserialize_with = "lenient::string")]
    pub tax_class: String,
    /// Weight.
    #[serde(deserialize_with = "lenient::string")]
    pub weight: String,
    /// Dimensions.
    #[serde(deserialize_with = "lenient::object")]
    pub dimensions: Dimensions,
    /// Attribute values.
    #[serde(deserialize_with = "lenient::list")]
    pub attributes: Vec<VariationAttribute>,
    /// Image, `None` when none.
    #[serde(deserialize_with = "lenient::opt_object")]
    pub image: Option<ProductImage>,
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

impl Variation {
    /// The variation's own SKU, or `None` when it only reports its parent's (or none at all).
    pub fn own_sku(&self, parent_sku: &str) -> Option<&str> {
        variation_has_own_sku(&self.sku, parent_sku).then_some(self.sku.as_str())
    }
}

/// WooCommerce reports the parent's SKU for a variation without one, so
/// "variation SKU == parent SKU" means "no SKU of its own". Empty SKUs are never own SKUs.
/// The comparison ignores case, as the store's SKU uniqueness check does.
pub fn variation_has_own_sku(variation_sku: &str, parent_sku: &str) -> bool {
    let v = variation_sku.trim();
    !v.is_empty() && !v.eq_ignore_ascii_case(parent_sku.trim())
}

/// One attribute value of a variation: `{id, name, option}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct VariationAttribute {
    /// Global attribute id; 0 for a local attribute.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Attribute name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Value (term name, e.g. `"M"`).
    #[serde(deserialize_with = "lenient::string")]
    pub option: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_sku_rule() {
        assert!(variation_has_own_sku("FX-TSHIRT-S-RED", "FX-TSHIRT"));
        assert!(!variation_has_own_sku("FX-TSHIRT", "FX-TSHIRT"));
        assert!(!variation_has_own_sku("fx-tshirt", "FX-TSHIRT"));
        assert!(!variation_has_own_sku("", "FX-TSHIRT"));
        assert!(variation_has_own_sku("X", ""));
    }
}
