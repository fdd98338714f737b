//! The exported symbols, version negotiation and the static function table.

use std::ffi::c_char;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::abi::*;
use super::boundary::{self, FfiError, guard};
use super::instance;
use super::ptr;

static PLUGIN_ID: &[u8] = b"qbm.woocommerce\0";
static PLUGIN_VERSION: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();

/// Number of `init` calls not yet matched by `deinit`.
static INIT_COUNT: AtomicUsize = AtomicUsize::new(0);

struct EntryTable(qbm_wc_api);

// SAFETY: the table only holds pointers to immutable statics and function pointers.
unsafe impl Sync for EntryTable {}

static ENTRY: EntryTable = EntryTable(qbm_wc_api {
    struct_size: std::mem::size_of::<qbm_wc_api>(),
    abi_major: QBM_WC_ABI_MAJOR,
    abi_minor: QBM_WC_ABI_MINOR,
    plugin_id: PLUGIN_ID.as_ptr().cast(),
    plugin_version: PLUGIN_VERSION.as_ptr().cast(),
    init,
    deinit,
    create: instance::create,
    destroy: instance::destroy,
    buffer_free,
    last_error: qbm_wc_last_error,
    status_name,
    describe_menu: instance::describe_menu,
    describe_screen: instance::describe_screen,
    option_schema: instance::option_schema,
    options_get: instance::options_get,
    options_validate: instance::options_validate,
    options_save: instance::options_save,
    invoke_action: instance::invoke_action,
    cancel_action: instance::cancel_action,
    run_due_jobs: instance::run_due_jobs,
    stock_changed: instance::stock_changed,
});

/// The plugin's only entry point: negotiates the ABI version and hands out the function table.
///
/// `[any-thread]` The host passes the ABI version it was built for. A different major version is
/// refused with `QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION` and `*out_entry` is left untouched; any
/// minor version of the same major is accepted. On success `*out_entry` points at a static table
/// valid until the library is unloaded. A NULL `out_entry` gives `QBM_WC_STATUS_NULL_ARGUMENT`.
/// The message of a failure is available from `qbm_wc_last_error`.
///
/// # Safety
/// `out_entry` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qbm_wc_entry(
    host_abi_major: u32,
    host_abi_minor: u32,
    out_entry: *mut *const qbm_wc_api,
) -> qbm_wc_status {
    boundary::call(|| {
        ptr::non_null(out_entry, "out_entry")?;
        if host_abi_major != QBM_WC_ABI_MAJOR {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION,
                format!(
                    "this WooCommerce plugin implements ABI {QBM_WC_ABI_MAJOR}.{QBM_WC_ABI_MINOR}; the host speaks ABI {host_abi_major}.{host_abi_minor}. Install the plugin version made for this QBM version"
                ),
            ));
        }
        // SAFETY: checked non-NULL; writable by the caller's contract.
        unsafe { out_entry.write(&ENTRY.0) };
        Ok(())
    })
}

/// Copies the message of the last failed call on this thread into `buf`.
///
/// `[thread-safe]` Writes at most `cap` bytes including a terminating NUL, cutting at a character
/// boundary, and the full message length (without NUL) to `*out_len` when `out_len` is not NULL.
/// Returns `QBM_WC_STATUS_BUFFER_TOO_SMALL` when the message did not fit (call again with
/// `*out_len + 1` bytes), `QBM_WC_STATUS_NULL_ARGUMENT` when `buf` is NULL but `cap` is not 0.
/// Pass `buf = NULL, cap = 0` to learn the length only.
///
/// # Safety
/// `buf` must be NULL or point to `cap` writable bytes; `out_len` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qbm_wc_last_error(
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> qbm_wc_status {
    guard(|| {
        let message = boundary::last_error();
        // SAFETY: forwarded caller guarantees.
        unsafe { ptr::copy_message(&message, buf, cap, out_len) }
    })
}

unsafe extern "C" fn init() -> qbm_wc_status {
    guard(|| {
        INIT_COUNT.fetch_add(1, Ordering::SeqCst);
        qbm_wc_status::QBM_WC_STATUS_OK
    })
}

unsafe extern "C" fn deinit() {
    guard(|| {
        // Unmatched calls are ignored rather than wrapping below zero.
        let _ = INIT_COUNT.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    })
}

unsafe extern "C" fn buffer_free(buffer: *mut qbm_wc_buffer) {
    // SAFETY: the caller passes NULL or a buffer this plugin filled (C contract).
    guard(|| unsafe { ptr::free_buffer(buffer) })
}

unsafe extern "C" fn status_name(status: u32) -> *const c_char {
    guard(|| super::status::name(status).as_ptr().cast())
}
