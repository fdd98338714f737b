//! The plugin core's error: every way an ABI call can fail, in words for the person at the screen.

use thiserror::Error;

use super::options::OptionReport;
use crate::host_port::{HostError, Permission};
use crate::state::StateError;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CoreError {
    #[error("the request is not a valid document: {0}")]
    InvalidJson(String),
    #[error("the WooCommerce plugin has no action `{0}`")]
    UnknownAction(String),
    #[error("the WooCommerce plugin has no screen `{0}`")]
    UnknownScreen(String),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("the options were not saved: {summary}")]
    InvalidOptions {
        report: Box<OptionReport>,
        summary: String,
    },
    #[error("{}", refusal_message(*.permission, *.option))]
    Refused {
        /// The QBM permission the user lacks, if any.
        permission: Option<Permission>,
        /// The label of the WooCommerce option that is off, if any.
        option: Option<&'static str>,
    },
    #[error(
        "the WooCommerce integration is turned off: select \"Enable WooCommerce integration\" in Options → Integrations → WooCommerce"
    )]
    IntegrationDisabled,
    #[error("the WooCommerce connection is not set up: {0}")]
    NotConfigured(String),
    #[error("{0}")]
    NotAvailable(String),
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Store(#[from] crate::woo::WooError),
    #[error("the action was cancelled before it changed anything")]
    Cancelled,
    #[error("{0}")]
    Busy(String),
    #[error("internal error in the WooCommerce plugin: {0}")]
    Internal(String),
}

fn refusal_message(permission: Option<Permission>, option: Option<&'static str>) -> String {
    match (permission, option) {
        (Some(permission), Some(option)) => format!(
            "not allowed: \"{option}\" is off in Options → Integrations → WooCommerce, and your QBM user may not {} (ask an administrator)",
            permission.label()
        ),
        (Some(permission), None) => format!(
            "not allowed: your QBM user may not {}; ask an administrator to grant that permission",
            permission.label()
        ),
        (None, Some(option)) => {
            format!("not allowed: \"{option}\" is off in Options → Integrations → WooCommerce")
        }
        (None, None) => "not allowed".to_string(),
    }
}

impl From<StateError> for CoreError {
    fn from(err: StateError) -> Self {
        match err {
            StateError::Host(err) => CoreError::Host(err),
            // The host's storage answers that cannot be reconciled: a host problem with a
            // message, not an internal error of the plugin.
            contended @ StateError::Contended { .. } => CoreError::Host(HostError::BadResponse {
                callback: "storage_cas",
                detail: contended.to_string(),
            }),
        }
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
