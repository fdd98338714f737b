//! The panic boundary and the per-thread "last error" message.
//!
//! Since Rust 1.81 an unwind that reaches an `extern "C"` frame aborts the process, which would
//! take QBM down with the plugin. Every exported function and every function pointer handed to
//! the host therefore runs its body inside [`guard`].

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::abi::qbm_wc_status;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A failure on its way out through the C boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FfiError {
    pub status: qbm_wc_status,
    pub message: String,
}

impl FfiError {
    pub fn new(status: qbm_wc_status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

/// Records `message` as this thread's last error.
pub fn set_last_error(message: &str) {
    LAST_ERROR.with(|slot| {
        let mut slot = slot.borrow_mut();
        slot.clear();
        slot.push_str(message);
    });
}

/// This thread's last error message (empty when nothing failed yet).
pub fn last_error() -> String {
    LAST_ERROR.with(|slot| slot.borrow().clone())
}

/// What an `extern "C"` function returns when its body panicked.
pub trait PanicDefault {
    fn on_panic() -> Self;
}

impl PanicDefault for qbm_wc_status {
    fn on_panic() -> Self {
        qbm_wc_status::QBM_WC_STATUS_PANIC
    }
}

impl PanicDefault for u32 {
    fn on_panic() -> Self {
        qbm_wc_status::QBM_WC_STATUS_PANIC as u32
    }
}

impl PanicDefault for () {
    fn on_panic() -> Self {}
}

impl<T> PanicDefault for *const T {
    fn on_panic() -> Self {
        std::ptr::null()
    }
}

/// Runs `body`, turning a panic into `R::on_panic()` and a last-error message.
pub fn guard<R: PanicDefault>(body: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            set_last_error(&format!(
                "internal error in the WooCommerce plugin (it panicked: {}); the plugin instance must be restarted",
                panic_message(payload.as_ref())
            ));
            R::on_panic()
        }
    }
}

/// Runs a status-returning body inside [`guard`], recording the message of any failure.
pub fn call(body: impl FnOnce() -> Result<(), FfiError>) -> qbm_wc_status {
    guard(|| match body() {
        Ok(()) => qbm_wc_status::QBM_WC_STATUS_OK,
        Err(err) => {
            set_last_error(&err.message);
            err.status
        }
    })
}

/// The text of a panic payload (`&str` or `String`), or a generic description.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "no message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = call(|| panic!("boom"));
        assert_eq!(status, qbm_wc_status::QBM_WC_STATUS_PANIC);
        assert!(last_error().contains("boom"), "{}", last_error());
    }

    #[test]
    fn an_error_sets_the_message_and_success_returns_ok() {
        let status = call(|| {
            Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
                "bad json",
            ))
        });
        assert_eq!(status, qbm_wc_status::QBM_WC_STATUS_INVALID_JSON);
        assert_eq!(last_error(), "bad json");
        assert_eq!(call(|| Ok(())), qbm_wc_status::QBM_WC_STATUS_OK);
    }

    #[test]
    fn pointer_results_default_to_null_on_panic() {
        let ptr: *const u8 = guard(|| panic!("no pointer"));
        assert!(ptr.is_null());
    }
}
