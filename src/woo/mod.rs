//! WooCommerce REST API v3 client.
//!
//! One [`WooClient`] per store: reqwest over rustls (system roots, always verified), no
//! redirects followed, HTTP Basic over HTTPS with a fallback to query-string keys, OAuth 1.0a
//! over plain HTTP when explicitly allowed. Idempotent reads are retried with capped, jittered
//! backoff that honours `Retry-After`; writes never are once they may have reached the store.
//! Lists are paged with URLs built here; batches are split at the store's limit and answered
//! item by item. Errors ([`WooError`]) tell the store owner what to check, and never contain
//! the consumer secret.

pub mod auth;
pub mod batch;
pub mod cancel;
pub mod client;
pub mod config;
pub mod dates;
pub mod decode;
pub mod encode;
pub mod error;
pub mod limiter;
pub mod listing;
pub mod model;
pub mod oauth;
pub mod paginate;
pub mod probe;
pub mod query;
pub mod response;
pub mod retry;
pub mod stats;
pub mod transport;

pub use crate::secret::Secret;
pub use auth::AuthMode;
pub use batch::{Batch, Chunk, ITEM_REQUEST_REFUSED, next_chunk, plan_chunks};
pub use cancel::CancelToken;
pub use client::WooClient;
pub use config::WooConfig;
pub use dates::{DateWindow, format_naive_utc};
pub use decode::RecordError;
pub use error::{ErrorContext, TlsProblem, WooError, WooErrorKind};
/// The stream traits, for callers of the paged listings ([`WooClient::products`], …).
pub use futures_util::{Stream, StreamExt};
pub use listing::{PageRequest, Record};
pub use model::batch::{
    BatchOutcome, ITEM_NO_ANSWER, ITEM_NOT_SENT, ITEM_OUTCOME_UNKNOWN, ITEM_UNREADABLE, ItemError,
    ItemState, item_state,
};
pub use model::{
    Customer, ManageStock, Order, Product, ProductWrite, Refund, Variation, VariationWrite,
    variation_has_own_sku,
};
pub use paginate::{Listing, Page};
pub use probe::{ConnectionReport, KeyPermission, Routing};
pub use query::{
    CustomerQuery, OrderBy, OrderQuery, ProductQuery, SortOrder, chunk_ids, chunk_skus,
};
pub use retry::RetryPolicy;
pub use stats::{OperationRequests, RequestStats, counted};
