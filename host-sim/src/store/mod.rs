//! A simulated WooCommerce 8.9.1 store.
//!
//! A real HTTP(S) server on `127.0.0.1` with an in-memory catalog, customers and orders, that
//! answers the `wc/v3` REST API the way the recordings in `tests/fixtures/woocommerce-8.9.1/`
//! show a real store doing it: payload shapes, status codes, headers, error bodies and the
//! authentication rules (Basic and query-string keys only over HTTPS, OAuth 1.0a on both,
//! `?rest_route=` never authenticated), plus fault injection and request counting for tests.
//!
//! Besides the REST API, [`SimStore`] acts out what shoppers and staff do ([`SimStore::place_order`],
//! [`SimStore::set_order_status`], [`SimStore::refund_order`], [`SimStore::set_stock`]) through
//! the same write paths, and serves its request counts at `/__sim/requests`.
//!
//! ```no_run
//! use host_sim::store::{KeyPermission, SeedSpec, SimStore, StoreOptions};
//!
//! let store = SimStore::start(StoreOptions::default())?;
//! store.seed(&SeedSpec::fixtures());
//! let key = store.create_key(KeyPermission::ReadWrite);
//! println!("{} {}", store.base_url(), key.consumer_key);
//! # Ok::<(), anyhow::Error>(())
//! ```

mod auth;
mod cli;
mod counts;
mod customer_write;
mod dates;
mod errors;
mod fault_bodies;
mod faults;
mod fields;
mod fixtures;
mod html;
mod interrupt;
mod keys;
pub mod model;
mod oauth;
mod options;
mod order_write;
mod paging;
mod params;
mod product_write;
mod query;
mod refund_write;
mod render;
mod routes;
mod seed;
mod server;
mod shop;
mod sim;
mod tls;

pub use cli::{ServeArgs, serve_cli};
pub use counts::{LoggedRequest, RequestCounts};
pub use faults::{FaultControl, FaultId, FaultKind, FaultRule, FaultTrigger};
pub use fixtures::{fixture_catalog, fixture_catalog_with};
pub use keys::{ApiKey, KeyPermission};
pub use model::StoreData;
pub use options::{Permalinks, SiteKind, StoreOptions};
pub use seed::{SeedSpec, generate};
pub use shop::{
    Buyer, Checkout, CheckoutStatus, Fee, PlacedOrder, RefundSpec, ShippingChoice, ShopError,
};
pub use sim::SimStore;
pub use tls::TlsMaterial;
