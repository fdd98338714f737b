//! Orders (`/orders`) and refunds (`/orders/{id}/refunds`).

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{Address, MetaData};
use super::lenient;

/// An order.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Order {
    /// Internal id (the key to use).
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Parent order id (0 when none).
    #[serde(deserialize_with = "lenient::id")]
    pub parent_id: u64,
    /// Customer-facing order number (text; may differ from `id`).
    #[serde(deserialize_with = "lenient::string")]
    pub number: String,
    /// `wc_order_…`.
    #[serde(deserialize_with = "lenient::string")]
    pub order_key: String,
    /// `checkout`, `admin`, `rest-api`, …
    #[serde(deserialize_with = "lenient::string")]
    pub created_via: String,
    /// WooCommerce version that created the order.
    #[serde(deserialize_with = "lenient::string")]
    pub version: String,
    /// Status without `wc-` (`processing`, `completed`, …).
    #[serde(deserialize_with = "lenient::string")]
    pub status: String,
    /// ISO 4217 currency.
    #[serde(deserialize_with = "lenient::string")]
    pub currency: String,
    /// Currency symbol (`€`).
    #[serde(deserialize_with = "lenient::string")]
    pub currency_symbol: String,
    /// Store setting at order time (line totals are ex-tax regardless).
    #[serde(deserialize_with = "lenient::boolean")]
    pub prices_include_tax: bool,
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
    /// Paid, site-local.
    #[serde(deserialize_with = "lenient::local_date")]
    pub date_paid: Option<NaiveDateTime>,
    /// Paid, UTC.
    #[serde(deserialize_with = "lenient::gmt_date")]
    pub date_paid_gmt: Option<DateTime<Utc>>,
    /// Completed, site-local.
    #[serde(deserialize_with = "lenient::local_date")]
    pub date_completed: Option<NaiveDateTime>,
    /// Completed, UTC.
    #[serde(deserialize_with = "lenient::gmt_date")]
    pub date_completed_gmt: Option<DateTime<Utc>>,
    /// Discount total.
    #[serde(deserialize_with = "lenient::decimal")]
    pub discount_total: Decimal,
    /// Discount tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub discount_tax: Decimal,
    /// Shipping total.
    #[serde(deserialize_with = "lenient::decimal")]
    pub shipping_total: Decimal,
    /// Shipping tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub shipping_tax: Decimal,
    /// Cart tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub cart_tax: Decimal,
    /// Grand total including tax (refunds do not reduce it).
    #[serde(deserialize_with = "lenient::decimal")]
    pub total: Decimal,
    /// Total tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub total_tax: Decimal,
    /// Customer user id; 0 for guests.
    #[serde(deserialize_with = "lenient::id")]
    pub customer_id: u64,
    /// Note from the customer.
    #[serde(deserialize_with = "lenient::string")]
    pub customer_note: String,
    /// Billing address.
    #[serde(deserialize_with = "lenient::object")]
    pub billing: Address,
    /// Shipping address.
    #[serde(deserialize_with = "lenient::object")]
    pub shipping: Address,
    /// Payment method id.
    #[serde(deserialize_with = "lenient::string")]
    pub payment_method: String,
    /// Payment method title.
    #[serde(deserialize_with = "lenient::string")]
    pub payment_method_title: String,
    /// Transaction id.
    #[serde(deserialize_with = "lenient::string")]
    pub transaction_id: String,
    /// Product lines.
    #[serde(deserialize_with = "lenient::list")]
    pub line_items: Vec<LineItem>,
    /// Tax summary lines.
    #[serde(deserialize_with = "lenient::list")]
    pub tax_lines: Vec<TaxLine>,
    /// Shipping lines.
    #[serde(deserialize_with = "lenient::list")]
    pub shipping_lines: Vec<ShippingLine>,
    /// Fee lines.
    #[serde(deserialize_with = "lenient::list")]
    pub fee_lines: Vec<FeeLine>,
    /// Coupon lines.
    #[serde(deserialize_with = "lenient::list")]
    pub coupon_lines: Vec<CouponLine>,
    /// Refunds (`total` negative).
    #[serde(deserialize_with = "lenient::list")]
    pub refunds: Vec<OrderRefundRef>,
    /// Meta data.
    #[serde(deserialize_with = "lenient::list")]
    pub meta_data: Vec<MetaData>,
    /// Still needs payment.
    #[serde(deserialize_with = "lenient::boolean")]
    pub needs_payment: bool,
    /// Needs processing (shipping).
    #[serde(deserialize_with = "lenient::boolean")]
    pub needs_processing: bool,
    /// Editable in admin.
    #[serde(deserialize_with = "lenient::boolean")]
    pub is_editable: bool,
}

impl Order {
    /// `total` plus the (negative) refund totals: what the customer finally paid.
    pub fn net_total(&self) -> Decimal {
        self.total + self.refunds.iter().map(|r| r.total).sum::<Decimal>()
    }
}

/// A product line of an order or refund.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct LineItem {
    /// Line id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Name at order time.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Product id (the parent for variations); 0 if the product was deleted.
    #[serde(deserialize_with = "lenient::id")]
    pub product_id: u64,
    /// Variation id; 0 for simple products.
    #[serde(deserialize_with = "lenient::id")]
    pub variation_id: u64,
    /// Quantity (negative in refunds; decimal with quantity plugins).
    #[serde(deserialize_with = "lenient::decimal")]
    pub quantity: Decimal,
    /// Tax class.
    #[serde(deserialize_with = "lenient::string")]
    pub tax_class: String,
    /// Before discounts, ex-tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub subtotal: Decimal,
    /// Tax before discounts.
    #[serde(deserialize_with = "lenient::decimal")]
    pub subtotal_tax: Decimal,
    /// After discounts, ex-tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub total: Decimal,
    /// Tax after discounts.
    #[serde(deserialize_with = "lenient::decimal")]
    pub total_tax: Decimal,
    /// Per-rate taxes (unrounded).
    #[serde(deserialize_with = "lenient::list")]
    pub taxes: Vec<LineTax>,
    /// SKU looked up live from the product; `None` when the product was deleted.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub sku: Option<String>,
    /// Unit price ex-tax after discounts (a JSON number on the wire).
    #[serde(deserialize_with = "lenient::decimal")]
    pub price: Decimal,
    /// Current product image (`id` may be `""`).
    #[serde(deserialize_with = "lenient::object")]
    pub image: LineImage,
    /// Parent product title for variations.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub parent_name: Option<String>,
    /// GTIN (recent versions only).
    #[serde(deserialize_with = "lenient::opt_string")]
    pub global_unique_id: Option<String>,
    /// Line meta (variation attributes, `_reduced_stock`, …).
    #[serde(deserialize_with = "lenient::list")]
    pub meta_data: Vec<LineMeta>,
}

/// Image reference of a line item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct LineImage {
    /// Media id; `""` and 0 both mean none.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// URL.
    #[serde(deserialize_with = "lenient::string")]
    pub src: String,
}

/// One tax rate's share of a line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct LineTax {
    /// Tax rate id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Tax after discounts (unrounded).
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub total: Option<Decimal>,
    /// Tax before discounts (`""` on shipping and fees → `None`).
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub subtotal: Option<Decimal>,
}

/// Line meta with display texts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct LineMeta {
    /// Meta id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Key (`pa_size`, `_reduced_stock`).
    #[serde(deserialize_with = "lenient::string")]
    pub key: String,
    /// Raw value.
    pub value: serde_json::Value,
    /// Display key (`Size`).
    #[serde(deserialize_with = "lenient::string")]
    pub display_key: String,
    /// Display value (`S`).
    pub display_value: serde_json::Value,
}

/// A tax summary line.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct TaxLine {
    /// Line id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Rate code (`DE-MWST.-1`).
    #[serde(deserialize_with = "lenient::string")]
    pub rate_code: String,
    /// Tax rate id.
    #[serde(deserialize_with = "lenient::id")]
    pub rate_id: u64,
    /// Label (`MwSt.`).
    #[serde(deserialize_with = "lenient::string")]
    pub label: String,
    /// Compound rate.
    #[serde(deserialize_with = "lenient::boolean")]
    pub compound: bool,
    /// Tax on items.
    #[serde(deserialize_with = "lenient::decimal")]
    pub tax_total: Decimal,
    /// Tax on shipping.
    #[serde(deserialize_with = "lenient::decimal")]
    pub shipping_tax_total: Decimal,
    /// Rate in percent (a number on the wire).
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub rate_percent: Option<Decimal>,
}

/// A shipping line.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ShippingLine {
    /// Line id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Title shown to the customer.
    #[serde(deserialize_with = "lenient::string")]
    pub method_title: String,
    /// Method id (`flat_rate`).
    #[serde(deserialize_with = "lenient::string")]
    pub method_id: String,
    /// Method instance (text on the wire).
    #[serde(deserialize_with = "lenient::string")]
    pub instance_id: String,
    /// Total ex-tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub total: Decimal,
    /// Tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub total_tax: Decimal,
    /// Per-rate taxes.
    #[serde(deserialize_with = "lenient::list")]
    pub taxes: Vec<LineTax>,
}

/// A fee line (can be negative).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct FeeLine {
    /// Line id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Tax class.
    #[serde(deserialize_with = "lenient::string")]
    pub tax_class: String,
    /// `taxable` or `none`.
    #[serde(deserialize_with = "lenient::string")]
    pub tax_status: String,
    /// The amount as entered (`""` when computed).
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub amount: Option<Decimal>,
    /// Total ex-tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub total: Decimal,
    /// Tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub total_tax: Decimal,
    /// Per-rate taxes.
    #[serde(deserialize_with = "lenient::list")]
    pub taxes: Vec<LineTax>,
}

/// A coupon line.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct CouponLine {
    /// Line id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Coupon code.
    #[serde(deserialize_with = "lenient::string")]
    pub code: String,
    /// Discount ex-tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub discount: Decimal,
    /// Discount tax.
    #[serde(deserialize_with = "lenient::decimal")]
    pub discount_tax: Decimal,
    /// `percent`, `fixed_cart`, … (recent versions).
    #[serde(deserialize_with = "lenient::opt_string")]
    pub discount_type: Option<String>,
    /// Coupon amount as configured (a number on the wire).
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub nominal_amount: Option<Decimal>,
    /// Grants free shipping.
    #[serde(deserialize_with = "lenient::boolean")]
    pub free_shipping: bool,
}

/// A refund as listed inside its order.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct OrderRefundRef {
    /// Refund id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Reason.
    #[serde(deserialize_with = "lenient::string")]
    pub reason: String,
    /// Refunded amount, negative (`-35.58`).
    #[serde(deserialize_with = "lenient::decimal")]
    pub total: Decimal,
}

/// A refund (`/orders/{id}/refunds`): lines carry negative quantities and totals, `amount` is
/// positive.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Refund {
    /// Refund id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Created, site-local.
    #[serde(deserialize_with = "lenient::local_date")]
    pub date_created: Option<NaiveDateTime>,
    /// Created, UTC.
    #[serde(deserialize_with = "lenient::gmt_date")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    /// Refunded amount (positive).
    #[serde(deserialize_with = "lenient::decimal")]
    pub amount: Decimal,
    /// Reason.
    #[serde(deserialize_with = "lenient::string")]
    pub reason: String,
    /// User id who refunded.
    #[serde(deserialize_with = "lenient::id")]
    pub refunded_by: u64,
    /// Refunded through the payment gateway.
    #[serde(deserialize_with = "lenient::boolean")]
    pub refunded_payment: bool,
    /// Refunded lines (negative).
    #[serde(deserialize_with = "lenient::list")]
    pub line_items: Vec<LineItem>,
    /// Refunded shipping.
    #[serde(deserialize_with = "lenient::list")]
    pub shipping_lines: Vec<ShippingLine>,
    /// Refunded taxes.
    #[serde(deserialize_with = "lenient::list")]
    pub tax_lines: Vec<TaxLine>,
    /// Refunded fees.
    #[serde(deserialize_with = "lenient::list")]
    pub fee_lines: Vec<FeeLine>,
    /// Meta data.
    #[serde(deserialize_with = "lenient::list")]
    pub meta_data: Vec<MetaData>,
}
