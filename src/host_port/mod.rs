//! What the plugin needs from QBM, as a safe Rust trait.
//!
//! `ffi::host` implements it over the host's C callback table; tests implement it in memory.
//! Records cross as the JSON documents described in `docs/ABI.md`; [`Host`] adds typed methods
//! on top of the raw calls so the rest of the plugin never touches JSON by hand.
//!
//! Every method must be called on a host thread inside a call into the plugin (the ABI's
//! threading promise); nothing here may be called from the plugin's I/O threads.

mod decode;
mod exactly_once;
mod records;

pub(crate) use decode::document as decode_document;
pub use decode::host_id;
pub use exactly_once::{Created, LinkedRecord, WooIdentity};
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
}

/// The record-level host callbacks, each taking one JSON request and answering one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostCall {
    ItemsQuery,
    ItemsCreate,
    LocationsList,
    StockOnHand,
    AccountsList,
    CustomersFind,
    CustomersCreate,
    OrdersCreate,
    OrdersQuery,
    LinksGet,
    LinksPut,
    /// Optional (ABI 1.1).
    StockChanges,
}

impl HostCall {
    /// The callback's field name in the C table, used in messages.
    pub fn name(self) -> &'static str {
        match self {
            HostCall::ItemsQuery => "items_query",
            HostCall::ItemsCreate => "items_create",
            HostCall::LocationsList => "locations_list",
            HostCall::StockOnHand => "stock_on_hand",
            HostCall::AccountsList => "accounts_list",
            HostCall::CustomersFind => "customers_find",
            HostCall::CustomersCreate => "customers_create",
            HostCall::OrdersCreate => "orders_create",
            HostCall::OrdersQuery => "orders_query",
            HostCall::LinksGet => "links_get",
            HostCall::LinksPut => "links_put",
            HostCall::StockChanges => "stock_changes",
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

/// What this host offers beyond ABI 1.0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostCapabilities {
    /// The ABI minor version the host implements (1: creates with `"woo"` are exactly once).
    pub abi_minor: u32,
    /// `storage_cas`: workstations can be coordinated.
    pub storage_cas: bool,
    /// `secret_get`/`secret_set`: the consumer secret can be kept protected.
    pub secrets: bool,
    /// `request_run`: the plugin can ask for an early `run_due_jobs`.
    pub request_run: bool,
    /// `stock_changes`: the host reports which items' stock moved.
    pub stock_changes: bool,
}

impl HostCapabilities {
    /// The host creates a record and its link in one transaction (ABI 1.1).
    pub fn exactly_once_creates(&self) -> bool {
        self.abi_minor >= 1
    }
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
    #[error(
        "this QBM does not offer `{callback}` (it implements an older version of the plugin interface)"
    )]
    Unsupported { callback: &'static str },
    #[error(
        "QBM's answers to `{callback}` never end: {detail}. The host must honour `offset` and `limit`"
    )]
    Unbounded {
        callback: &'static str,
        detail: String,
    },
}

/// The outcome of a compare-and-set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swap {
    /// The value was replaced.
    Done,
    /// Another writer changed it first; nothing was written.
    Conflict,
}

/// Raw access to the host.
pub trait HostPort: Send + Sync {
    fn capabilities(&self) -> HostCapabilities;
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
    /// Replaces the value under `key` when it is still `expected` (`None`: absent). Fails with
    /// [`HostError::Unsupported`] when the host has no `storage_cas`.
    fn storage_cas(
        &self,
        area: StorageArea,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
    ) -> Result<Swap, HostError>;
    /// Reads a secret from the host's protected storage ([`HostError::Unsupported`] without it).
    fn secret_get(&self, key: &str) -> Result<Option<String>, HostError>;
    /// Stores (or with `None` removes) a secret in the host's protected storage.
    fn secret_set(&self, key: &str, value: Option<&str>) -> Result<(), HostError>;
    /// One record-level call: a JSON request in, a JSON document out.
    fn call(&self, call: HostCall, request: &str) -> Result<String, HostError>;
    /// Reports progress; returns `false` when the user asked to cancel.
    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool;
    fn log(&self, level: Level, message: &str);
    fn notify(&self, level: Level, message: &str);
    /// Asks for an early `run_due_jobs` (does nothing when the host cannot be asked).
    fn request_run(&self);
}

/// Largest number of items [`Host::all_items`] accepts before it decides the host is not paging.
const MAX_ITEMS: usize = 2_000_000;

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
        decode::document(call.name(), &answer)
    }

    fn items_query(&self, query: &ItemsQuery) -> Result<Vec<Item>, HostError> {
        let items: ItemList = self.call_json(HostCall::ItemsQuery, query)?;
        Ok(items.items)
    }

    /// Every QBM item, fetched in pages. Stops with [`HostError::Unbounded`] when the host
    /// ignores `offset`/`limit` (a page repeats, or more items arrive than any company has), and
    /// with `Ok(None)` when `cancelled` says so between pages.
    fn all_items(&self, cancelled: &dyn Fn() -> bool) -> Result<Option<Vec<Item>>, HostError> {
        let mut all: Vec<Item> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let page_size = 1000;
        loop {
            if cancelled() {
                return Ok(None);
            }
            let query = ItemsQuery {
                offset: Some(all.len()),
                limit: Some(page_size),
                ..ItemsQuery::default()
            };
            let page = self.items_query(&query)?;
            if page.len() > page_size {
                return Err(HostError::Unbounded {
                    callback: HostCall::ItemsQuery.name(),
                    detail: format!(
                        "asked for {page_size} items, it answered {} (it ignored `limit`)",
                        page.len()
                    ),
                });
            }
            let short = page.len() < page_size;
            for item in page {
                let id = item.id.clone().unwrap_or_default();
                if !seen.insert(id.clone()) {
                    return Err(HostError::Unbounded {
                        callback: HostCall::ItemsQuery.name(),
                        detail: format!(
                            "item {id} came again at offset {} (it ignored `offset`)",
                            all.len()
                        ),
                    });
                }
                all.push(item);
            }
            if all.len() > MAX_ITEMS {
                return Err(HostError::Unbounded {
                    callback: HostCall::ItemsQuery.name(),
                    detail: format!("more than {MAX_ITEMS} items were listed"),
                });
            }
            if short {
                return Ok(Some(all));
            }
        }
    }

    fn locations(&self) -> Result<Vec<Location>, HostError> {
        let list: LocationList = self.call_json(HostCall::LocationsList, &serde_json::json!({}))?;
        Ok(list.locations)
    }

    fn stock_on_hand(&self, query: &StockQuery) -> Result<Vec<StockLevel>, HostError> {
        let stock: StockList = self.call_json(HostCall::StockOnHand, query)?;
        Ok(stock.quantities)
    }

    /// Items whose stock moved since `cursor` (ABI 1.1, optional).
    fn stock_changes(&self, query: &StockChangesQuery) -> Result<StockChanges, HostError> {
        if !self.capabilities().stock_changes {
            return Err(HostError::Unsupported {
                callback: HostCall::StockChanges.name(),
            });
        }
        self.call_json(HostCall::StockChanges, query)
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

    fn orders_query(&self, query: &OrdersQuery) -> Result<Vec<Order>, HostError> {
        let list: OrderList = self.call_json(HostCall::OrdersQuery, query)?;
        Ok(list.orders)
    }

    fn links_get(&self, query: &LinksQuery) -> Result<Vec<Link>, HostError> {
        let list: LinkList = self.call_json(HostCall::LinksGet, query)?;
        Ok(list.links)
    }

    fn links_put(&self, links: Vec<Link>) -> Result<(), HostError> {
        if links.is_empty() {
            return Ok(());
        }
        let _: serde_json::Value = self.call_json(HostCall::LinksPut, &LinkList { links })?;
        Ok(())
    }

    /// Creates a QBM record made from a WooCommerce record exactly once: with an ABI 1.1 host
    /// the record and its link are created in one host transaction (a repeat answers the
    /// existing record); with a 1.0 host the link is looked up first, then the record created
    /// and linked in two calls (see [`exactly_once`](self::exactly_once)).
    fn create_linked<T: LinkedRecord>(
        &self,
        record: &T,
        woo: &WooIdentity,
    ) -> Result<Created<T>, HostError> {
        exactly_once::create(self, record, woo)
    }
}

impl<T: HostPort + ?Sized> Host for T {}
