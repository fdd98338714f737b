//! Orders and their items. Money is `Decimal`; per-rate tax amounts keep all their decimals.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::customer::Address;
use super::product::MetaEntry;

/// One tax amount of an item for one rate (`taxes[]`), unrounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTax {
    /// Tax rate id.
    pub rate_id: u64,
    /// Tax on the item total.
    pub total: Decimal,
    /// Tax on the item subtotal; `None` for shipping and fees (shown as `""`).
    pub subtotal: Option<Decimal>,
}

/// An order item meta entry (`meta_data[]` of a line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMeta {
    /// Meta id.
    pub id: u64,
    /// Key (`pa_size`, `_reduced_stock`, …).
    pub key: String,
    /// Value.
    pub value: String,
    /// Label shown for the key.
    pub display_key: String,
    /// Label shown for the value.
    pub display_value: String,
}

/// A product line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    /// Order item id.
    pub id: u64,
    /// Product name at order time ("Parent - S, Red" for variations).
    pub name: String,
    /// Product id (the parent for variations).
    pub product_id: u64,
    /// Variation id or 0.
    pub variation_id: u64,
    /// Quantity.
    pub quantity: i64,
    /// Tax class.
    pub tax_class: String,
    /// Before discounts, excluding tax.
    pub subtotal: Decimal,
    /// Tax on `subtotal`, rounded.
    pub subtotal_tax: Decimal,
    /// After discounts, excluding tax.
    pub total: Decimal,
    /// Tax on `total`, rounded.
    pub total_tax: Decimal,
    /// Per-rate taxes, unrounded.
    pub taxes: Vec<ItemTax>,
    /// Item meta.
    pub meta_data: Vec<ItemMeta>,
}

/// A shipping line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingLine {
    /// Order item id.
    pub id: u64,
    /// Title.
    pub method_title: String,
    /// Method id (`flat_rate`).
    pub method_id: String,
    /// Instance id (a string on the wire).
    pub instance_id: String,
    /// Cost excluding tax.
    pub total: Decimal,
    /// Tax, rounded.
    pub total_tax: Decimal,
    /// Per-rate taxes.
    pub taxes: Vec<ItemTax>,
    /// Item meta.
    pub meta_data: Vec<ItemMeta>,
}

/// A fee line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLine {
    /// Order item id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Tax class.
    pub tax_class: String,
    /// `taxable` or `none`.
    pub tax_status: String,
    /// Amount excluding tax (may be negative).
    pub total: Decimal,
    /// Tax, rounded.
    pub total_tax: Decimal,
    /// Per-rate taxes.
    pub taxes: Vec<ItemTax>,
    /// Item meta.
    pub meta_data: Vec<ItemMeta>,
}

/// A coupon line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponLine {
    /// Order item id.
    pub id: u64,
    /// Coupon code.
    pub code: String,
    /// Discount excluding tax.
    pub discount: Decimal,
    /// Tax part of the discount.
    pub discount_tax: Decimal,
    /// `percent` or `fixed_cart`.
    pub discount_type: String,
    /// Coupon amount as configured.
    pub nominal_amount: Decimal,
    /// Free shipping flag.
    pub free_shipping: bool,
    /// Item meta (`coupon_info`).
    pub meta_data: Vec<ItemMeta>,
}

/// A tax summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxLine {
    /// Order item id.
    pub id: u64,
    /// `DE-MWST.-1`.
    pub rate_code: String,
    /// Rate id.
    pub rate_id: u64,
    /// Label.
    pub label: String,
    /// Compound flag.
    pub compound: bool,
    /// Tax on items and fees, rounded.
    pub tax_total: Decimal,
    /// Tax on shipping, rounded.
    pub shipping_tax_total: Decimal,
    /// Rate in percent.
    pub rate_percent: Decimal,
}

/// A refund (`shop_order_refund`): negative copies of the refunded items of its order.
#[derive(Debug, Clone, PartialEq)]
pub struct Refund {
    /// Post id (shared sequence with products and orders).
    pub id: u64,
    /// Creation time.
    pub date_created: DateTime<Utc>,
    /// Refunded amount (positive).
    pub amount: Decimal,
    /// Reason (`""` when none was given).
    pub reason: String,
    /// User id of whoever refunded.
    pub refunded_by: u64,
    /// Whether the payment gateway refunded the money.
    pub refunded_payment: bool,
    /// Meta data.
    pub meta_data: Vec<MetaEntry>,
    /// Refunded product lines (negative quantities and amounts).
    pub line_items: Vec<LineItem>,
    /// Refunded shipping.
    pub shipping_lines: Vec<ShippingLine>,
    /// Refunded fees.
    pub fee_lines: Vec<FeeLine>,
    /// Tax summary of the refund.
    pub tax_lines: Vec<TaxLine>,
}

/// Order totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderTotals {
    /// Discounts excluding tax.
    pub discount_total: Decimal,
    /// Tax part of discounts.
    pub discount_tax: Decimal,
    /// Shipping excluding tax.
    pub shipping_total: Decimal,
    /// Shipping tax.
    pub shipping_tax: Decimal,
    /// Tax on items and fees.
    pub cart_tax: Decimal,
    /// Grand total including tax.
    pub total: Decimal,
    /// All tax.
    pub total_tax: Decimal,
}

/// An order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Post id (shared sequence with products).
    pub id: u64,
    /// Parent order id.
    pub parent_id: u64,
    /// Status without the `wc-` prefix.
    pub status: String,
    /// Currency.
    pub currency: String,
    /// WooCommerce version that created it.
    pub version: String,
    /// Prices entered including tax.
    pub prices_include_tax: bool,
    /// Creation time.
    pub date_created: DateTime<Utc>,
    /// Last save.
    pub date_modified: DateTime<Utc>,
    /// Payment time.
    pub date_paid: Option<DateTime<Utc>>,
    /// Completion time.
    pub date_completed: Option<DateTime<Utc>>,
    /// Customer user id, 0 for guests.
    pub customer_id: u64,
    /// `wc_order_…`.
    pub order_key: String,
    /// Billing address.
    pub billing: Address,
    /// Shipping address.
    pub shipping: Address,
    /// Payment method id.
    pub payment_method: String,
    /// Payment method title.
    pub payment_method_title: String,
    /// Transaction id.
    pub transaction_id: String,
    /// Customer IP.
    pub customer_ip_address: String,
    /// Customer user agent.
    pub customer_user_agent: String,
    /// `rest-api`, `checkout`, `admin`, …
    pub created_via: String,
    /// Customer note.
    pub customer_note: String,
    /// Cart hash.
    pub cart_hash: String,
    /// Order number shown to customers.
    pub number: String,
    /// Meta data.
    pub meta_data: Vec<MetaEntry>,
    /// Product lines.
    pub line_items: Vec<LineItem>,
    /// Tax summary lines.
    pub tax_lines: Vec<TaxLine>,
    /// Shipping lines.
    pub shipping_lines: Vec<ShippingLine>,
    /// Fee lines.
    pub fee_lines: Vec<FeeLine>,
    /// Coupon lines.
    pub coupon_lines: Vec<CouponLine>,
    /// Refunds, newest first.
    pub refunds: Vec<Refund>,
    /// Totals.
    pub totals: OrderTotals,
    /// Whether the order currently holds reduced stock.
    pub stock_reduced: bool,
    /// Whether the order was counted in `total_sales`.
    pub sales_recorded: bool,
}

/// A coupon definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coupon {
    /// Coupon post id.
    pub id: u64,
    /// Code (lower case).
    pub code: String,
    /// `percent` or `fixed_cart`.
    pub discount_type: String,
    /// Amount.
    pub amount: Decimal,
    /// Times used.
    pub usage_count: u64,
    /// Customer ids (as strings) or e-mails that used it.
    pub used_by: Vec<String>,
}

/// Statuses an order may be set to (the REST schema's enum, in its order).
pub const ORDER_STATUSES: [&str; 9] = [
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
];
