//! Results of batch calls, item by item.

use serde::Serialize;

use crate::woo::error::WooError;

/// Item error code: the item was never sent because an earlier request of the batch failed.
pub const ITEM_NOT_SENT: &str = "qbm_not_sent";
/// Item error code: the request carrying the item failed in a way that leaves its fate unknown.
pub const ITEM_OUTCOME_UNKNOWN: &str = "qbm_outcome_unknown";
/// Item error code: the store's answer did not contain this item.
pub const ITEM_NO_ANSWER: &str = "qbm_no_answer";
/// Item error code: the store applied the item but its answer could not be understood.
pub const ITEM_UNREADABLE: &str = "qbm_unreadable";

/// Why one batch item failed: the store's per-item error, or one of the `qbm_*` codes above.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemError {
    /// The id the store reported for the item (0 for a failed create).
    pub id: u64,
    /// WooCommerce error code (`product_invalid_sku`, …) or a `qbm_*` code.
    pub code: String,
    /// Message, cleaned of HTML.
    pub message: String,
    /// `data.status` of the item error.
    pub status: Option<u16>,
    /// `data.resource_id`: e.g. the product that already owns a duplicate SKU.
    pub resource_id: Option<u64>,
    /// `data.unique_sku`: a free SKU the store suggests.
    pub unique_sku: Option<String>,
}

impl ItemError {
    /// An error produced by the client rather than the store.
    pub fn client(code: &str, message: impl Into<String>) -> Self {
        ItemError {
            code: code.to_owned(),
            message: message.into(),
            ..ItemError::default()
        }
    }

    /// True when the store may have applied the item even though no success was seen.
    pub fn outcome_unknown(&self) -> bool {
        self.code == ITEM_OUTCOME_UNKNOWN || self.code == ITEM_NO_ANSWER
    }
}

/// What happened to every item of a batch, in input order, per section.
#[derive(Debug)]
pub struct BatchOutcome<T> {
    /// One result per `create` input.
    pub create: Vec<Result<T, ItemError>>,
    /// One result per `update` input.
    pub update: Vec<Result<T, ItemError>>,
    /// One result per `delete` input (the deleted record on success).
    pub delete: Vec<Result<T, ItemError>>,
    /// When a request after the first failed: the error that stopped the batch. Items it
    /// concerned carry [`ITEM_OUTCOME_UNKNOWN`] or [`ITEM_NOT_SENT`].
    pub stopped_by: Option<WooError>,
}

impl<T> Default for BatchOutcome<T> {
    fn default() -> Self {
        BatchOutcome {
            create: Vec::new(),
            update: Vec::new(),
            delete: Vec::new(),
            stopped_by: None,
        }
    }
}

impl<T> BatchOutcome<T> {
    /// Number of failed items over all sections.
    pub fn failures(&self) -> usize {
        self.create
            .iter()
            .chain(&self.update)
            .chain(&self.delete)
            .filter(|r| r.is_err())
            .count()
    }

    /// True when every item succeeded.
    pub fn all_ok(&self) -> bool {
        self.failures() == 0 && self.stopped_by.is_none()
    }
}
