//! The engine's error: what stops an operation as a whole (rows that fail are reported as rows).

use thiserror::Error;

use crate::host_port::HostError;
use crate::state::StateError;
use crate::woo::WooError;

#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Store(#[from] WooError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("the action was cancelled before it changed anything")]
    Cancelled,
    #[error("the WooCommerce connection is not set up: {0}")]
    NotConfigured(String),
    #[error("{0}")]
    Invalid(String),
    #[error("internal error in the WooCommerce plugin: {0}")]
    Internal(String),
}

pub type SyncResult<T> = Result<T, SyncError>;
