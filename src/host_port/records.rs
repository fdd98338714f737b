//! The JSON documents exchanged with the host's record callbacks (`docs/ABI.md` describes them
//! for host authors). Ids are strings, so a host may use numbers, codes or GUIDs (whole numbers
//! are accepted too); money and quantities are written as decimal strings and read from strings
//! or exact JSON numbers; dates are RFC 3339 with an offset. Unknown fields are ignored.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::decode::{host_decimal, host_id};

/// Who is working: `get_identity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    #[serde(with = "host_id")]
    pub company_id: String,
    #[serde(default)]
    pub company_name: String,
    #[serde(with = "host_id")]
    pub user: String,
    #[serde(default)]
    pub user_name: String,
    #[serde(with = "host_id")]
    pub workstation: String,
}

/// How an item posts and whether QBM counts its stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    #[default]
    Inventory,
    NonInventory,
    Service,
}

/// The accounts an item posts to; each is an account id from `accounts_list`.
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

/// A QBM item (`qbm.wc.item/1`). `id` is absent when asking the host to create one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    #[serde(
        default,
        with = "host_id::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upc: Option<String>,
    #[serde(
        default,
        with = "host_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub price: Option<Decimal>,
    #[serde(rename = "type", default)]
    pub item_type: ItemType,
    #[serde(default)]
    pub accounts: ItemAccounts,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Finds items (`qbm.wc.items-query/1`). An item is returned when it matches any value of any
/// list given (exact match, ignoring case and surrounding spaces); with no list, every item.
/// `offset`/`limit` page through the result in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skus: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_codes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// `qbm.wc.items/1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemList {
    pub items: Vec<Item>,
}

/// A QBM store/location.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    #[serde(with = "host_id")]
    pub id: String,
    #[serde(default)]
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
}

/// `qbm.wc.locations/1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationList {
    pub locations: Vec<Location>,
}

/// On-hand quantities of these items at these locations (`qbm.wc.stock-query/1`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockQuery {
    pub item_ids: Vec<String>,
    pub location_ids: Vec<String>,
}

/// One item's quantity at one location; pairs the host does not list are zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    #[serde(with = "host_id")]
    pub item_id: String,
    #[serde(with = "host_id")]
    pub location_id: String,
    #[serde(with = "host_decimal")]
    pub on_hand: Decimal,
}

/// `qbm.wc.stock/1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockList {
    pub quantities: Vec<StockLevel>,
}

/// The kinds of account an item needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Income,
    Asset,
    Cogs,
    Expense,
    PurchaseVariance,
}

impl AccountKind {
    pub const ALL: [AccountKind; 5] = [
        AccountKind::Income,
        AccountKind::Asset,
        AccountKind::Cogs,
        AccountKind::Expense,
        AccountKind::PurchaseVariance,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AccountKind::Income => "income",
            AccountKind::Asset => "asset",
            AccountKind::Cogs => "cogs",
            AccountKind::Expense => "expense",
            AccountKind::PurchaseVariance => "purchase_variance",
        }
    }
}

/// `qbm.wc.accounts-query/1`: accounts of these kinds (all kinds when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsQuery {
    pub kinds: Vec<AccountKind>,
}

/// An account of the chart of accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    #[serde(with = "host_id")]
    pub id: String,
    #[serde(default)]
    pub number: String,
    pub name: String,
    pub kind: AccountKind,
}

/// `qbm.wc.accounts/1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    pub accounts: Vec<Account>,
}

/// A postal address of a customer.
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

/// A QBM customer/partner (`qbm.wc.customer/1`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    #[serde(
        default,
        with = "host_id::option",
        skip_serializing_if = "Option::is_none"
    )]
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

/// `qbm.wc.customers-query/1`: customers matching any of the given criteria (exact, ignoring case;
/// phone compared on digits only; `name` against "first last", together with `company` when both
/// are given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomersQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

/// `qbm.wc.customers/1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerList {
    pub customers: Vec<Customer>,
}

/// A line of a customer order. `net_amount` is the line's exact amount before tax: WooCommerce
/// line totals (after coupons) do not always divide evenly by the quantity, so a host must post
/// `net_amount` as the line amount and treat `unit_price` as informative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    #[serde(with = "host_id")]
    pub item_id: String,
    #[serde(default)]
    pub description: String,
    #[serde(with = "host_decimal")]
    pub quantity: Decimal,
    #[serde(with = "host_decimal")]
    pub unit_price: Decimal,
    #[serde(default, with = "host_decimal")]
    pub tax: Decimal,
    /// Since ABI 1.1; hosts written for 1.0 may not answer it.
    #[serde(
        default,
        with = "host_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub net_amount: Option<Decimal>,
}

/// A QBM customer order (`qbm.wc.order/1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    #[serde(
        default,
        with = "host_id::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    #[serde(
        default,
        with = "host_id::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub number: Option<String>,
    #[serde(with = "host_id")]
    pub customer_id: String,
    #[serde(with = "host_id")]
    pub location_id: String,
    pub date: DateTime<Utc>,
    /// The WooCommerce order number this order was imported from.
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub currency: String,
    pub lines: Vec<OrderLine>,
    #[serde(default, with = "host_decimal")]
    pub total: Decimal,
    #[serde(default)]
    pub notes: String,
}

/// `qbm.wc.orders-query/1`: by ids, by reference, or those linked to WooCommerce whose date lies in
/// `[from, to)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
}

/// `qbm.wc.orders/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderList {
    pub orders: Vec<Order>,
}

/// What a link joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Item,
    Customer,
    Order,
}

/// A WooCommerce record joined to a QBM record. For variations `woo_parent_id` is the variable
/// product's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    #[serde(with = "host_id")]
    pub woo_id: String,
    #[serde(
        default,
        with = "host_id::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub woo_parent_id: Option<String>,
    #[serde(with = "host_id")]
    pub qbm_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

/// `qbm.wc.links-query/1`: links of one kind, by WooCommerce ids or QBM ids (all when neither).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinksQuery {
    pub kind: LinkKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub woo_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qbm_ids: Option<Vec<String>>,
}

/// `qbm.wc.links/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkList {
    pub links: Vec<Link>,
}

/// `qbm.wc.stock-changes-query/1` (ABI 1.1): items whose on-hand quantity changed at these
/// locations since `cursor` (`null`: since `since`, the sync start date).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockChangesQuery {
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    pub location_ids: Vec<String>,
}

/// `qbm.wc.stock-changes/1`: the items that moved and the cursor to ask from next time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockChanges {
    #[serde(with = "host_id")]
    pub cursor: String,
    #[serde(default, with = "host_id::list")]
    pub item_ids: Vec<String>,
}
