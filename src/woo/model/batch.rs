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

/// Item error code: the request carrying the item was refused as a whole; nothing of it was
/// applied. (Re-exported as `woo::ITEM_REQUEST_REFUSED`.)
pub const ITEM_REQUEST_REFUSED: &str = "qbm_request_refused";

/// What became of one batch item — what the engine needs to decide whether to re-read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ItemState {
    /// The store applied it (its answer may still have been unreadable: see the code).
    Applied,
    /// The store refused it (a per-item error, or the whole request was refused); nothing of
    /// it was applied.
    Refused,
    /// It was never sent (cancelled, or an earlier request of the batch failed).
    NotSent,
    /// It was sent, but whether the store applied it is unknown (timeout after sending, lost
    /// connection, 502/504, no answer for it): re-read by SKU or id before trying again.
    OutcomeUnknown,
}

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
        self.state() == ItemState::OutcomeUnknown
    }

    /// What became of the item.
    pub fn state(&self) -> ItemState {
        match self.code.as_str() {
            ITEM_NOT_SENT => ItemState::NotSent,
            ITEM_OUTCOME_UNKNOWN | ITEM_NO_ANSWER => ItemState::OutcomeUnknown,
            ITEM_UNREADABLE => ItemState::Applied,
            _ => ItemState::Refused,
        }
    }
}

/// What became of one item of a [`BatchOutcome`].
pub fn item_state<T>(result: &Result<T, ItemError>) -> ItemState {
    match result {
        Ok(_) => ItemState::Applied,
        Err(e) => e.state(),
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

    /// How many items of every section ended in `state`.
    pub fn count(&self, state: ItemState) -> usize {
        self.create
            .iter()
            .chain(&self.update)
            .chain(&self.delete)
            .filter(|r| item_state(r) == state)
            .count()
    }

    /// True when every item succeeded.
    pub fn all_ok(&self) -> bool {
        self.failures() == 0 && self.stopped_by.is_none()
    }
}
