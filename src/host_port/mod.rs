//! What the plugin needs from QBM, as a safe Rust trait.
//!
//! `ffi::host` implements it over the host's C callback table; tests implement it in memory.
//! Records cross as the JSON documents described in `docs/ABI.md`; [`Host`] adds typed methods
//! on top of the raw calls so the rest of the plugin never touches JSON by hand.

mod records;

pub use records::*;

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

/// A QBM permission the plugin asks about before it changes QBM data or options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    CreateCustomers,
    CreateUpdateItems,
    CreateSalesOrders,
    AdministerOptions,
}

impl Permission {
    /// How the permission is called in QBM's security settings.
    pub fn label(self) -> &'static str {
        match self {
            Permission::CreateCustomers => "create customers",
            Permission::CreateUpdateItems => "create or update items",
            Permission::CreateSalesOrders => "create sales orders",
            Permission::AdministerOptions => "change Options",
        }
    }

    /// Stable id used in screen descriptions.
    pub fn id(self) -> &'static str {
        match self {
            Permission::CreateCustomers => "create_customers",
            Permission::CreateUpdateItems => "create_update_items",
            Permission::CreateSalesOrders => "create_sales_orders",
            Permission::AdministerOptions => "administer_options",
        }
    }
}

/// Where a stored value lives: company-wide or on this workstation; options or plugin state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageArea {
    CompanyOptions,
    WorkstationOptions,
    CompanyState,
    WorkstationState,
}

/// The record-level host callbacks, each taking one JSON request and answering one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostCall {
    ItemsQuery,
    ItemsCreate,
    ItemsUpdate,
    LocationsList,
    StockOnHand,
    AccountsList,
    CustomersFind,
    CustomersCreate,
    OrdersCreate,
    OrdersQuery,
    LinksGet,
    LinksPut,
}

impl HostCall {
    /// The callback's field name in the C table, used in messages.
    pub fn name(self) -> &'static str {
        match self {
            HostCall::ItemsQuery => "items_query",
            HostCall::ItemsCreate => "items_create",
            HostCall::ItemsUpdate => "items_update",
            HostCall::LocationsList => "locations_list",
            HostCall::StockOnHand => "stock_on_hand",
            HostCall::AccountsList => "accounts_list",
            HostCall::CustomersFind => "customers_find",
            HostCall::CustomersCreate => "customers_create",
            HostCall::OrdersCreate => "orders_create",
            HostCall::OrdersQuery => "orders_query",
            HostCall::LinksGet => "links_get",
            HostCall::LinksPut => "links_put",
        }
    }
}

/// Severity of a message sent to the host's log or shown as a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

/// A host callback failed or answered something unreadable.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum HostError {
    #[error("QBM could not complete `{callback}`: {message}")]
    Failed {
        callback: &'static str,
        status: u32,
        message: String,
    },
    #[error("QBM answered `{callback}` with a document the plugin cannot read: {detail}")]
    BadResponse {
        callback: &'static str,
        detail: String,
    },
    #[error("QBM reports that the record does not exist ({callback}): {message}")]
    NotFound {
        callback: &'static str,
        message: String,
    },
}

/// Raw access to the host. Implementations must be usable from several threads at once, as the
/// C contract promises for the callbacks.
pub trait HostPort: Send + Sync {
    fn identity(&self) -> Result<Identity, HostError>;
    fn has_permission(&self, permission: Permission) -> Result<bool, HostError>;
    fn storage_get(&self, area: StorageArea, key: &str) -> Result<Option<String>, HostError>;
    /// Stores `value` under `key`, or removes the key when `value` is `None`.
    fn storage_set(
        &self,
        area: StorageArea,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), HostError>;
    /// One record-level call: a JSON request in, a JSON document out.
    fn call(&self, call: HostCall, request: &str) -> Result<String, HostError>;
    /// Reports progress; returns `false` when the user asked to cancel.
    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool;
    fn log(&self, level: Level, message: &str);
    fn notify(&self, level: Level, message: &str);
}

/// Typed record operations over any [`HostPort`].
pub trait Host: HostPort {
    fn call_json<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        call: HostCall,
        request: &Req,
    ) -> Result<Resp, HostError> {
        let body = serde_json::to_string(request).map_err(|err| HostError::BadResponse {
            callback: call.name(),
            detail: format!("request could not be encoded: {err}"),
        })?;
        let answer = self.call(call, &body)?;
        serde_json::from_str(&answer).map_err(|err| HostError::BadResponse {
            callback: call.name(),
            detail: err.to_string(),
        })
    }

    fn items_query(&self, query: &ItemsQuery) -> Result<Vec<Item>, HostError> {
        let items: ItemList = self.call_json(HostCall::ItemsQuery, query)?;
        Ok(items.items)
    }

    /// Every QBM item, fetched in pages.
    fn all_items(&self) -> Result<Vec<Item>, HostError> {
        let mut all = Vec::new();
        let page_size = 1000;
        loop {
            let query = ItemsQuery {
                offset: Some(all.len()),
                limit: Some(page_size),
                ..ItemsQuery::default()
            };
            let page = self.items_query(&query)?;
            let short = page.len() < page_size;
            all.extend(page);
            if short {
                return Ok(all);
            }
        }
    }

    fn items_create(&self, item: &Item) -> Result<Item, HostError> {
        self.call_json(HostCall::ItemsCreate, item)
    }

    fn items_update(&self, item: &Item) -> Result<Item, HostError> {
        self.call_json(HostCall::ItemsUpdate, item)
    }

    fn locations(&self) -> Result<Vec<Location>, HostError> {
        let list: LocationList = self.call_json(HostCall::LocationsList, &serde_json::json!({}))?;
        Ok(list.locations)
    }

    fn stock_on_hand(&self, query: &StockQuery) -> Result<Vec<StockLevel>, HostError> {
        let stock: StockList = self.call_json(HostCall::StockOnHand, query)?;
        Ok(stock.quantities)
    }

    fn accounts(&self, kinds: &[AccountKind]) -> Result<Vec<Account>, HostError> {
        let query = AccountsQuery {
            kinds: kinds.to_vec(),
        };
        let list: AccountList = self.call_json(HostCall::AccountsList, &query)?;
        Ok(list.accounts)
    }

    fn customers_find(&self, query: &CustomersQuery) -> Result<Vec<Customer>, HostError> {
        let list: CustomerList = self.call_json(HostCall::CustomersFind, query)?;
        Ok(list.customers)
    }

    fn customers_create(&self, customer: &Customer) -> Result<Customer, HostError> {
        self.call_json(HostCall::CustomersCreate, customer)
    }

    fn orders_create(&self, order: &Order) -> Result<Order, HostError> {
        self.call_json(HostCall::OrdersCreate, order)
    }

    fn orders_query(&self, query: &OrdersQuery) -> Result<Vec<Order>, HostError> {
        let list: OrderList = self.call_json(HostCall::OrdersQuery, query)?;
        Ok(list.orders)
    }

    fn links_get(&self, query: &LinksQuery) -> Result<Vec<Link>, HostError> {
        let list: LinkList = self.call_json(HostCall::LinksGet, query)?;
        Ok(list.links)
    }

    fn links_put(&self, links: Vec<Link>) -> Result<(), HostError> {
        let _: serde_json::Value = self.call_json(HostCall::LinksPut, &LinkList { links })?;
        Ok(())
    }
}

impl<T: HostPort + ?Sized> Host for T {}
