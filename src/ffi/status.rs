//! Status values: names, decoding from `u32`, and the one mapping from core errors.

use super::abi::qbm_wc_status::{self, *};
use super::boundary::FfiError;
use crate::host_port::HostError;
use crate::plugin::CoreError;
use crate::woo::WooErrorKind;

macro_rules! known_statuses {
    ($($status:ident),* $(,)?) => {
        /// Every status this plugin can return, in value order.
        #[cfg(test)]
        pub const ALL: &[qbm_wc_status] = &[$($status),*];

        /// The constant's name as a NUL-terminated string.
        pub fn name(value: u32) -> &'static [u8] {
            $(if value == $status as u32 {
                return concat!(stringify!($status), "\0").as_bytes();
            })*
            b"QBM_WC_STATUS_UNKNOWN\0"
        }
    };
}

known_statuses!(
    QBM_WC_STATUS_OK,
    QBM_WC_STATUS_NULL_ARGUMENT,
    QBM_WC_STATUS_INVALID_UTF8,
    QBM_WC_STATUS_INVALID_ARGUMENT,
    QBM_WC_STATUS_INVALID_JSON,
    QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION,
    QBM_WC_STATUS_BUFFER_TOO_SMALL,
    QBM_WC_STATUS_UNKNOWN_ACTION,
    QBM_WC_STATUS_UNKNOWN_SCREEN,
    QBM_WC_STATUS_STRUCT_TOO_SMALL,
    QBM_WC_STATUS_INPUT_TOO_LARGE,
    QBM_WC_STATUS_BUSY,
    QBM_WC_STATUS_HOST_CALLBACK_MISSING,
    QBM_WC_STATUS_HOST_ERROR,
    QBM_WC_STATUS_PERMISSION_DENIED,
    QBM_WC_STATUS_HOST_BAD_RESPONSE,
    QBM_WC_STATUS_NOT_FOUND,
    QBM_WC_STATUS_INVALID_OPTIONS,
    QBM_WC_STATUS_INTEGRATION_DISABLED,
    QBM_WC_STATUS_ACTION_NOT_ALLOWED,
    QBM_WC_STATUS_NOT_CONFIGURED,
    QBM_WC_STATUS_NOT_AVAILABLE,
    QBM_WC_STATUS_STORE_UNREACHABLE,
    QBM_WC_STATUS_TLS_ERROR,
    QBM_WC_STATUS_AUTH_FAILED,
    QBM_WC_STATUS_KEY_READ_ONLY,
    QBM_WC_STATUS_NOT_WOOCOMMERCE,
    QBM_WC_STATUS_INSECURE_HTTP_REFUSED,
    QBM_WC_STATUS_STORE_ERROR,
    QBM_WC_STATUS_STORE_BAD_RESPONSE,
    QBM_WC_STATUS_RATE_LIMITED,
    QBM_WC_STATUS_STORE_UNAVAILABLE,
    QBM_WC_STATUS_CANCELLED,
    QBM_WC_STATUS_INTERNAL,
    QBM_WC_STATUS_PANIC,
    QBM_WC_STATUS_POISONED,
);

/// The status that reports `err` to the host.
pub fn of(err: &CoreError) -> qbm_wc_status {
    match err {
        CoreError::InvalidJson(_) => QBM_WC_STATUS_INVALID_JSON,
        CoreError::UnknownAction(_) => QBM_WC_STATUS_UNKNOWN_ACTION,
        CoreError::UnknownScreen(_) => QBM_WC_STATUS_UNKNOWN_SCREEN,
        CoreError::InvalidArgument(_) => QBM_WC_STATUS_INVALID_ARGUMENT,
        CoreError::InvalidOptions { .. } => QBM_WC_STATUS_INVALID_OPTIONS,
        CoreError::Refused {
            permission: Some(_),
            ..
        } => QBM_WC_STATUS_PERMISSION_DENIED,
        CoreError::Refused { .. } => QBM_WC_STATUS_ACTION_NOT_ALLOWED,
        CoreError::IntegrationDisabled => QBM_WC_STATUS_INTEGRATION_DISABLED,
        CoreError::NotConfigured(_) => QBM_WC_STATUS_NOT_CONFIGURED,
        CoreError::NotAvailable(_) => QBM_WC_STATUS_NOT_AVAILABLE,
        CoreError::Host(HostError::Failed { .. }) => QBM_WC_STATUS_HOST_ERROR,
        CoreError::Host(HostError::BadResponse { .. }) => QBM_WC_STATUS_HOST_BAD_RESPONSE,
        CoreError::Host(HostError::NotFound { .. }) => QBM_WC_STATUS_NOT_FOUND,
        CoreError::Host(HostError::Unsupported { .. }) => QBM_WC_STATUS_HOST_CALLBACK_MISSING,
        CoreError::Host(HostError::Unbounded { .. }) => QBM_WC_STATUS_HOST_BAD_RESPONSE,
        CoreError::Store(err) => of_store(err.kind()),
        CoreError::Cancelled => QBM_WC_STATUS_CANCELLED,
        CoreError::Busy(_) => QBM_WC_STATUS_BUSY,
        CoreError::Internal(_) => QBM_WC_STATUS_INTERNAL,
    }
}

fn of_store(kind: WooErrorKind) -> qbm_wc_status {
    use WooErrorKind as K;
    match kind {
        K::Config => QBM_WC_STATUS_NOT_CONFIGURED,
        K::InsecureHttp => QBM_WC_STATUS_INSECURE_HTTP_REFUSED,
        K::UnknownKey
        | K::WrongSecret
        | K::WriteOnlyKey
        | K::AuthRejected
        | K::ClockSkew
        | K::Forbidden => QBM_WC_STATUS_AUTH_FAILED,
        K::ReadOnlyKey => QBM_WC_STATUS_KEY_READ_ONLY,
        K::PlainPermalinks
        | K::WrongStoreUrl
        | K::NotWordPress
        | K::WooCommerceMissing
        | K::Redirect => QBM_WC_STATUS_NOT_WOOCOMMERCE,
        K::Tls => QBM_WC_STATUS_TLS_ERROR,
        K::Dns | K::ConnectionRefused | K::ConnectionLost | K::Timeout | K::Transport => {
            QBM_WC_STATUS_STORE_UNREACHABLE
        }
        K::StoreDown => QBM_WC_STATUS_STORE_UNAVAILABLE,
        K::RateLimited => QBM_WC_STATUS_RATE_LIMITED,
        K::NotApiResponse | K::BrokenResponse | K::UnexpectedResponse | K::Decode => {
            QBM_WC_STATUS_STORE_BAD_RESPONSE
        }
        K::Cancelled => QBM_WC_STATUS_CANCELLED,
        _ => QBM_WC_STATUS_STORE_ERROR,
    }
}

/// A core error on its way to the host.
pub fn ffi_error(err: &CoreError) -> FfiError {
    FfiError::new(of(err), err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_name_and_value() {
        let mut values: Vec<u32> = ALL.iter().map(|s| *s as u32).collect();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), ALL.len());
        for status in ALL {
            let name = std::str::from_utf8(name(*status as u32)).unwrap();
            assert!(name.starts_with("QBM_WC_STATUS_") && name.ends_with('\0'));
            assert_eq!(name.trim_end_matches('\0'), format!("{status:?}"));
        }
        assert_eq!(name(4242), b"QBM_WC_STATUS_UNKNOWN\0");
    }
}
