//! Bodies for creating and updating products and variations. Fields left `None` are not sent,
//! so an update changes only what is set.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// Prices go out as strings: WooCommerce rejects numbers (400) on single requests.
fn decimal_as_string<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// A product create or update.
///
/// Send `manage_stock: Some(true)` together with `stock_quantity`: the store applies a quantity
/// only to items that manage stock after the request.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProductWrite {
    /// Product id (updates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `simple`, `variable`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// `publish`, `draft`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// GTIN (WooCommerce 9.2+; older stores drop it silently).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_unique_id: Option<String>,
    /// Regular price, sent as a string.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "decimal_as_string"
    )]
    pub regular_price: Option<Decimal>,
    /// Sale price, sent as a string.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "decimal_as_string"
    )]
    pub sale_price: Option<Decimal>,
    /// Track stock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_stock: Option<bool>,
    /// Quantity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_quantity: Option<i64>,
    /// Stock status for unmanaged items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_status: Option<String>,
    /// Short description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// Categories by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<WriteTerm>>,
    /// Attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<WriteAttribute>>,
}

/// A variation create or update (`manage_stock` is a plain boolean here).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VariationWrite {
    /// Variation id (updates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// GTIN (9.2+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_unique_id: Option<String>,
    /// `publish` or `private`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Regular price, sent as a string.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "decimal_as_string"
    )]
    pub regular_price: Option<Decimal>,
    /// Sale price, sent as a string.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "decimal_as_string"
    )]
    pub sale_price: Option<Decimal>,
    /// Track stock on the variation itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_stock: Option<bool>,
    /// Quantity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_quantity: Option<i64>,
    /// Stock status for unmanaged variations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_status: Option<String>,
    /// Attribute values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<WriteAttribute>>,
}

/// A term reference by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WriteTerm {
    /// Term id.
    pub id: u64,
}

/// An attribute on a write: global by `id`, or local by `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WriteAttribute {
    /// Global attribute id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Local attribute name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One value (variations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// Values (products).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Used for variations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variation: Option<bool>,
    /// Visible on the product page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_set_fields_are_sent_and_prices_are_strings() {
        let w = ProductWrite {
            id: Some(11),
            regular_price: Some("9.90".parse().unwrap()),
            manage_stock: Some(true),
            stock_quantity: Some(5),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"id":11,"regular_price":"9.90","manage_stock":true,"stock_quantity":5}"#
        );
        let v = VariationWrite {
            id: Some(31),
            stock_quantity: Some(2),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"id":31,"stock_quantity":2}"#
        );
    }
}
