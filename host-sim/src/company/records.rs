//! The host side of the JSON documents in `docs/ABI.md`, written from that description (host-sim
//! plays a host that knows nothing of the plugin's Rust code).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemAccounts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cogs: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expense: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_variance: Option<String>,
}

/// `qbm.wc.item/1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upc: Option<String>,
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub price: Option<Decimal>,
    #[serde(rename = "type", default = "inventory")]
    pub item_type: String,
    #[serde(default)]
    pub accounts: ItemAccounts,
    #[serde(default = "yes")]
    pub active: bool,
}

fn inventory() -> String {
    "inventory".to_string()
}

fn yes() -> bool {
    true
}

/// An `items_update` request: `id` plus the fields to change.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemPatch {
    pub id: String,
    pub code: Option<String>,
    pub name: Option<String>,
    pub sku: Option<String>,
    pub lookup_code: Option<String>,
    pub upc: Option<String>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub price: Option<Decimal>,
    #[serde(rename = "type")]
    pub item_type: Option<String>,
    pub accounts: Option<ItemAccounts>,
    pub active: Option<bool>,
}

/// The WooCommerce record a create request comes from (`"woo"` in `items_create`,
/// `customers_create` and `orders_create` requests since ABI 1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooRef {
    pub woo_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub woo_parent_id: Option<String>,
    /// The order number people see (orders only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

/// `qbm.wc.items-query/1`: each list filters (absent: no filter; empty: matches nothing); the
/// lists combine with OR; `offset`/`limit` page in id order.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemsQuery {
    pub ids: Option<Vec<String>>,
    pub codes: Option<Vec<String>>,
    pub skus: Option<Vec<String>>,
    pub lookup_codes: Option<Vec<String>>,
    pub upcs: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub id: String,
    pub code: String,
    pub name: String,
    pub is_default: bool,
}

/// `qbm.wc.stock-query/1`: an empty list of items or locations matches nothing.
#[derive(Debug, Clone, Deserialize)]
pub struct StockQuery {
    pub item_ids: Vec<String>,
    pub location_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockLevel {
    pub item_id: String,
    pub location_id: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub on_hand: Decimal,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountsQuery {
    #[serde(default)]
    pub kinds: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: String,
    pub number: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub address_1: String,
    #[serde(default)]
    pub address_2: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

/// `qbm.wc.customer/1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub billing: Address,
    #[serde(default)]
    pub shipping: Address,
}

/// `qbm.wc.customers-query/1`: a customer is answered when it matches any criterion given
/// (`ids`: an empty list matches nothing).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CustomersQuery {
    pub ids: Option<Vec<String>>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub item_id: String,
    #[serde(default)]
    pub description: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub quantity: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    #[serde(default, with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    /// The exact amount of the line before tax (since ABI 1.1); without it the line is
    /// quantity × unit price.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub net_amount: Option<Decimal>,
}

impl OrderLine {
    /// What the line adds to the order before tax.
    pub fn net(&self) -> Decimal {
        self.net_amount
            .unwrap_or_else(|| self.quantity * self.unit_price)
    }
}

/// `qbm.wc.order/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub customer_id: String,
    pub location_id: String,
    pub date: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub currency: String,
    pub lines: Vec<OrderLine>,
    #[serde(default, with = "rust_decimal::serde::str")]
    pub total: Decimal,
    #[serde(default)]
    pub notes: String,
}

/// `qbm.wc.orders-query/1`: the criteria given must all hold (`ids`: an empty list matches
/// nothing; `from`/`to`: orders linked to WooCommerce dated in `[from, to)`), in date order.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrdersQuery {
    pub ids: Option<Vec<String>>,
    pub reference: Option<String>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub kind: String,
    pub woo_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub woo_parent_id: Option<String>,
    pub qbm_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `qbm.wc.links-query/1`: links of one kind; `woo_ids` and `qbm_ids` filter (absent: no filter;
/// empty: matches nothing) and combine with OR.
#[derive(Debug, Clone, Deserialize)]
pub struct LinksQuery {
    pub kind: String,
    pub woo_ids: Option<Vec<String>>,
    pub qbm_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LinkList {
    pub links: Vec<Link>,
}

/// `qbm.wc.stock-changes-query/1` (ABI 1.1).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StockChangesQuery {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub location_ids: Vec<String>,
}
