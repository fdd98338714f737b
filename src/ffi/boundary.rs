//! The panic boundary and the per-thread "last error" message.
//!
//! Since Rust 1.81 an unwind that reaches an `extern "C"` frame aborts the process, which would
//! take QBM down with the plugin. Every exported function and every function pointer handed to
//! the host therefore runs its body inside [`guard`].
//!
//! The message of a failed call belongs to the calling thread, but it is not kept in a
//! thread-local value that needs dropping: such a value registers code of this library to run
//! when QBM's thread ends, which is QBM's business, not ours. The thread only holds a number
//! (nothing to drop); the messages live in a small table shared by all threads, bounded to the
//! [`MAX_THREADS_REMEMBERED`] threads that failed most recently.

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::abi::qbm_wc_status;

/// How many threads' messages are kept; the oldest is forgotten first.
pub const MAX_THREADS_REMEMBERED: usize = 1024;

thread_local! {
    /// This thread's key into [`MESSAGES`]; 0 until its first failure.
    static THREAD_KEY: Cell<u64> = const { Cell::new(0) };
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);
static STAMP: AtomicU64 = AtomicU64::new(1);
static MESSAGES: Mutex<Option<HashMap<u64, (u64, String)>>> = Mutex::new(None);

fn thread_key() -> u64 {
    THREAD_KEY.with(|key| {
        if key.get() == 0 {
            key.set(NEXT_KEY.fetch_add(1, Ordering::Relaxed));
        }
        key.get()
    })
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
    let key = thread_key();
    let stamp = STAMP.fetch_add(1, Ordering::Relaxed);
    let mut guard = MESSAGES.lock().unwrap_or_else(PoisonError::into_inner);
    let table = guard.get_or_insert_with(HashMap::new);
    if table.len() >= MAX_THREADS_REMEMBERED
        && !table.contains_key(&key)
        && let Some(oldest) = table
            .iter()
            .min_by_key(|(_, (stamp, _))| *stamp)
            .map(|(k, _)| *k)
    {
        table.remove(&oldest);
    }
    table.insert(key, (stamp, message.to_string()));
}

/// This thread's last error message (empty when nothing failed yet).
pub fn last_error() -> String {
    let key = THREAD_KEY.with(Cell::get);
    if key == 0 {
        return String::new();
    }
    MESSAGES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .and_then(|table| table.get(&key))
        .map(|(_, message)| message.clone())
        .unwrap_or_default()
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
    fn messages_belong_to_their_thread() {
        set_last_error("on the main test thread");
        let other = std::thread::spawn(|| {
            assert_eq!(last_error(), "");
            set_last_error("on another thread");
            last_error()
        })
        .join()
        .unwrap();
        assert_eq!(other, "on another thread");
        assert_eq!(last_error(), "on the main test thread");
    }

    #[test]
    fn pointer_results_default_to_null_on_panic() {
        let ptr: *const u8 = guard(|| panic!("no pointer"));
        assert!(ptr.is_null());
    }
}
