//! Every type and constant that crosses the C boundary, and nothing else.
//!
//! cbindgen turns this module into `include/qbm_woocommerce.h`, so the doc comments here are the
//! reference documentation of the ABI. Conventions used by every item (also in `docs/ABI.md`):
//!
//! * Thread tags: `[any-thread]` — may be called from any thread, but not concurrently with
//!   other calls on the same instance; `[thread-safe]` — may be called from any thread,
//!   concurrently with any call except `destroy` of the same instance.
//! * Host threads (since 1.1): the plugin calls host callbacks only on a thread that is inside a
//!   call into the plugin (the thread the host chose for that call), never on a thread of its
//!   own; its own threads do network I/O only. Background work runs when the host calls
//!   `run_due_jobs`.
//! * Re-entry (since 1.1): the plugin holds no lock while a host callback runs, so a callback may
//!   call back into the same instance; `destroy` from inside a callback is refused, and
//!   `run_due_jobs` answers `QBM_WC_STATUS_BUSY` while jobs are already running. Host callbacks
//!   must return normally: a C++ exception, a .NET exception or a Delphi exception must never
//!   unwind through the plugin's frames.
//! * Strings passed in are `qbm_wc_str` views: UTF-8, not NUL-terminated, borrowed for the
//!   duration of the call only.
//! * Results are written to out-parameters only when the call returns `QBM_WC_STATUS_OK`
//!   (the one documented exception is `options_save`, which also writes its report on
//!   `QBM_WC_STATUS_INVALID_OPTIONS`).
//! * Memory the plugin hands out is released only with `qbm_wc_api.buffer_free`; memory the
//!   host hands to the plugin is copied by the plugin and never freed by it.
//! * Every failure sets a readable message for the calling thread, fetched with
//!   `qbm_wc_api.last_error` (or the exported `qbm_wc_last_error`).
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

use std::ffi::{c_char, c_void};

/// Major version of this ABI. A host built for another major version is refused by
/// `qbm_wc_entry`. Since 1.0.
pub const QBM_WC_ABI_MAJOR: u32 = 1;

/// Minor version of this ABI. Minor versions only append fields to the end of tables; a host
/// and a plugin with different minor versions of the same major work together, each reading
/// only the fields the other's `struct_size` covers. Since 1.0.
pub const QBM_WC_ABI_MINOR: u32 = 1;

/// Largest input document (request, option values) the plugin accepts, in bytes. Larger inputs
/// are refused with `QBM_WC_STATUS_INPUT_TOO_LARGE`. Since 1.0.
pub const QBM_WC_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Result of every plugin function that can fail, and of every host callback.
///
/// Values are grouped in ranges and never reused: 0 success; 100s argument and ABI problems;
/// 200s host problems; 300s options and integration state; 400s connection and authentication;
/// 500s problems reported by the WooCommerce store; 900s internal failures.
/// Callers must accept values they do not know (a newer plugin may add some) and treat them as
/// failures. Since 1.0.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum qbm_wc_status {
    /// The call succeeded; its outputs are written.
    QBM_WC_STATUS_OK = 0,
    /// A required pointer argument was NULL.
    QBM_WC_STATUS_NULL_ARGUMENT = 100,
    /// A string argument was not valid UTF-8.
    QBM_WC_STATUS_INVALID_UTF8 = 101,
    /// An argument had a value outside its documented range.
    QBM_WC_STATUS_INVALID_ARGUMENT = 102,
    /// A JSON document was malformed or did not match its documented schema.
    QBM_WC_STATUS_INVALID_JSON = 103,
    /// The host asked for an ABI major version this plugin does not implement.
    QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION = 104,
    /// A caller-provided buffer was too small; the required size was written to the length output.
    QBM_WC_STATUS_BUFFER_TOO_SMALL = 105,
    /// The action id is not one this plugin offers.
    QBM_WC_STATUS_UNKNOWN_ACTION = 106,
    /// The screen id is not one this plugin offers.
    QBM_WC_STATUS_UNKNOWN_SCREEN = 107,
    /// A table passed by the host is smaller than the oldest layout this plugin understands.
    QBM_WC_STATUS_STRUCT_TOO_SMALL = 108,
    /// An input document was larger than `QBM_WC_MAX_INPUT_BYTES`.
    QBM_WC_STATUS_INPUT_TOO_LARGE = 109,
    /// The instance is already doing this (jobs running, an action with the same `call_id`
    /// running, `destroy` called from inside a host callback); try again when it ends. Since 1.1.
    QBM_WC_STATUS_BUSY = 110,
    /// The host table lacks a callback this plugin needs; the message names it.
    QBM_WC_STATUS_HOST_CALLBACK_MISSING = 200,
    /// A host callback failed; the message carries the host's explanation.
    QBM_WC_STATUS_HOST_ERROR = 201,
    /// The QBM user lacks the permission the action needs; the message names it.
    QBM_WC_STATUS_PERMISSION_DENIED = 202,
    /// A host callback answered with a document the plugin could not read.
    QBM_WC_STATUS_HOST_BAD_RESPONSE = 203,
    /// A record the host was asked for does not exist.
    QBM_WC_STATUS_NOT_FOUND = 204,
    /// Option values failed validation; the report lists each field's problem.
    QBM_WC_STATUS_INVALID_OPTIONS = 300,
    /// "Enable WooCommerce integration" is off.
    QBM_WC_STATUS_INTEGRATION_DISABLED = 301,
    /// An option in Options → Integrations → WooCommerce does not allow this action; the
    /// message names the option.
    QBM_WC_STATUS_ACTION_NOT_ALLOWED = 302,
    /// The connection settings are incomplete (store URL, consumer key or secret missing).
    QBM_WC_STATUS_NOT_CONFIGURED = 303,
    /// The action exists but is not available in this version of the plugin.
    QBM_WC_STATUS_NOT_AVAILABLE = 304,
    /// The store could not be reached (name lookup, refused connection, timeout).
    QBM_WC_STATUS_STORE_UNREACHABLE = 400,
    /// The secure connection to the store failed (certificate not trusted, expired, wrong name).
    QBM_WC_STATUS_TLS_ERROR = 401,
    /// The consumer key or secret was refused, or the key was revoked.
    QBM_WC_STATUS_AUTH_FAILED = 402,
    /// The key works but may only read; WooCommerce refused a write.
    QBM_WC_STATUS_KEY_READ_ONLY = 403,
    /// The address is not a WordPress site with the WooCommerce REST API reachable by API keys
    /// (not WordPress, WooCommerce inactive, plain permalinks, redirects).
    QBM_WC_STATUS_NOT_WOOCOMMERCE = 404,
    /// The store URL uses `http://` and "Allow insecure HTTP" is off.
    QBM_WC_STATUS_INSECURE_HTTP_REFUSED = 405,
    /// The store answered with an error that is not about the connection.
    QBM_WC_STATUS_STORE_ERROR = 500,
    /// The store answered with something that is not a WooCommerce response.
    QBM_WC_STATUS_STORE_BAD_RESPONSE = 501,
    /// The store (or its host) is rate limiting; try again later.
    QBM_WC_STATUS_RATE_LIMITED = 502,
    /// The store is down or overloaded (HTTP 5xx).
    QBM_WC_STATUS_STORE_UNAVAILABLE = 503,
    /// The action was cancelled before it did anything.
    QBM_WC_STATUS_CANCELLED = 900,
    /// A bug inside the plugin; the message describes it.
    QBM_WC_STATUS_INTERNAL = 901,
    /// The plugin caught a panic; the instance is now poisoned.
    QBM_WC_STATUS_PANIC = 902,
    /// An earlier panic left this instance unusable; destroy it and create a new one.
    QBM_WC_STATUS_POISONED = 903,
}

/// Answer of the host's `progress` callback: keep going. Since 1.0.
pub const QBM_WC_PROGRESS_CONTINUE: u32 = 0;
/// Answer of the host's `progress` callback: the user asked to cancel. Since 1.0.
pub const QBM_WC_PROGRESS_CANCEL: u32 = 1;

/// Permission asked of the host: create customers/partners. Since 1.0.
pub const QBM_WC_PERMISSION_CREATE_CUSTOMERS: u32 = 1;
/// Permission asked of the host: create or update items. Since 1.0.
pub const QBM_WC_PERMISSION_CREATE_UPDATE_ITEMS: u32 = 2;
/// Permission asked of the host: create sales (customer) orders. Since 1.0.
pub const QBM_WC_PERMISSION_CREATE_SALES_ORDERS: u32 = 3;
/// Permission asked of the host: change Options (administrator or authorised power user). Since 1.0.
pub const QBM_WC_PERMISSION_ADMINISTER_OPTIONS: u32 = 4;

/// Storage area: option values shared by the whole company. Since 1.0.
pub const QBM_WC_AREA_COMPANY_OPTIONS: u32 = 1;
/// Storage area: option values of this workstation only. Since 1.0.
pub const QBM_WC_AREA_WORKSTATION_OPTIONS: u32 = 2;
/// Storage area: plugin state shared by the company (logs, caches, sync points). Since 1.0.
pub const QBM_WC_AREA_COMPANY_STATE: u32 = 3;
/// Storage area: plugin state of this workstation only. Since 1.0.
pub const QBM_WC_AREA_WORKSTATION_STATE: u32 = 4;

/// Message level for the host's `log` and `notify` callbacks: error. Since 1.0.
pub const QBM_WC_LEVEL_ERROR: u32 = 1;
/// Message level: warning. Since 1.0.
pub const QBM_WC_LEVEL_WARN: u32 = 2;
/// Message level: information. Since 1.0.
pub const QBM_WC_LEVEL_INFO: u32 = 3;
/// Message level: debugging detail. Since 1.0.
pub const QBM_WC_LEVEL_DEBUG: u32 = 4;

/// The longest wait `run_due_jobs` asks for, in milliseconds: a host calls it again at the
/// latest after this long even when nothing is scheduled, so that a job started on another
/// workstation, or a lease another workstation let expire, is noticed. Since 1.1.
pub const QBM_WC_MAX_JOB_WAIT_MS: u64 = 60_000;

/// The largest value the plugin stores under one key with `storage_set` or `storage_cas`, in
/// bytes. Larger state (the cached catalog) is split over several keys. Since 1.1.
pub const QBM_WC_MAX_STORED_VALUE_BYTES: usize = 256 * 1024;

/// A borrowed UTF-8 string: `len` bytes at `ptr`, not NUL-terminated.
///
/// `ptr` may be NULL only when `len` is 0. The memory belongs to whoever passes the view and
/// stays valid only for the duration of the call it is passed to; the receiver copies what it
/// keeps. Since 1.0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct qbm_wc_str {
    /// First byte, or NULL when `len` is 0.
    pub ptr: *const c_char,
    /// Number of bytes.
    pub len: usize,
}

/// A string owned by the plugin and handed to the host: UTF-8, `len` bytes at `ptr`, followed by
/// a NUL byte that `len` does not count (so `ptr` can also be read as a C string).
///
/// Written by plugin functions only when they return `QBM_WC_STATUS_OK`. The host owns it from
/// then on and must release it exactly once with `qbm_wc_api.buffer_free`, which sets both
/// fields back to NULL/0; the host must not change `ptr` or `len`. A zeroed buffer
/// (`{NULL, 0}`) is empty and may be freed too. Since 1.0.
#[repr(C)]
#[derive(Debug)]
pub struct qbm_wc_buffer {
    /// First byte, or NULL for an empty buffer.
    pub ptr: *mut c_char,
    /// Number of bytes, not counting the trailing NUL.
    pub len: usize,
}

/// Where a host callback writes a result document: the host calls
/// `write(sink_ctx, bytes)` one or more times and the plugin appends what it receives.
///
/// Owned by the plugin; valid only until the callback it was passed to returns.
/// `write` returns `QBM_WC_STATUS_OK`, or `QBM_WC_STATUS_INPUT_TOO_LARGE` when the document grows
/// beyond `QBM_WC_MAX_INPUT_BYTES`. When a callback fails, the host may write a human-readable
/// explanation to the same sink instead of a result; the plugin shows it to the user. Since 1.0.
#[repr(C)]
#[derive(Debug)]
pub struct qbm_wc_sink {
    /// The plugin's context; pass it back unchanged.
    pub sink_ctx: *mut c_void,
    /// `[thread-safe]` Appends `bytes` (UTF-8) to the document.
    pub write: unsafe extern "C" fn(sink_ctx: *mut c_void, bytes: qbm_wc_str) -> u32,
}

/// A host callback that receives a JSON request document and writes a JSON result document to
/// `out`. Returns a `qbm_wc_status` value (as `uint32_t`). See `docs/ABI.md` for every request and
/// result schema. `[thread-safe]`. Since 1.0.
pub type qbm_wc_host_call = Option<
    unsafe extern "C" fn(
        host_ctx: *mut c_void,
        request: qbm_wc_str,
        out: *const qbm_wc_sink,
    ) -> u32,
>;

/// The host's callback table, passed to `qbm_wc_api.create`.
///
/// `create` copies the table (the first `struct_size` bytes, the rest read as NULL), so the host
/// may release or reuse the table itself once `create` returns; what `host_ctx` points to must
/// stay valid until `qbm_wc_api.destroy` returns. (ABI 1.0 plugins kept the pointer: a host that
/// also loads those keeps the table alive until `destroy`.) Append-only: a minor version adds
/// fields at the end, and the plugin reads a field only when `struct_size` covers it.
///
/// Threading (since 1.1): the plugin calls a callback only on a thread that is inside a call into
/// the plugin, and only from that call, so a host whose database belongs to one thread may make
/// every call into the plugin from that thread. Several host threads may be inside calls at the
/// same time, so callbacks may run concurrently when the host calls the plugin concurrently.
/// The plugin holds no lock of its own while a callback runs. A callback must return normally
/// (no exception may unwind through the plugin) and must not call `destroy`.
///
/// Every callback receives `host_ctx` first and returns a `qbm_wc_status` value as `uint32_t`;
/// on failure it may write an explanation to its `out` sink. Callbacks marked required must not
/// be NULL: `create` fails with `QBM_WC_STATUS_HOST_CALLBACK_MISSING` naming the first missing one.
/// Since 1.0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct qbm_wc_host {
    /// `sizeof(qbm_wc_host)` as the host was compiled.
    pub struct_size: usize,
    /// ABI major version the host implements (`QBM_WC_ABI_MAJOR`).
    pub abi_major: u32,
    /// ABI minor version the host implements (`QBM_WC_ABI_MINOR`).
    pub abi_minor: u32,
    /// Opaque host pointer passed back as the first argument of every callback.
    pub host_ctx: *mut c_void,
    /// Required. Writes the identity document
    /// `{"company_id","company_name","user","user_name","workstation"}`.
    pub get_identity:
        Option<unsafe extern "C" fn(host_ctx: *mut c_void, out: *const qbm_wc_sink) -> u32>,
    /// Required. Asks whether the current QBM user holds `permission` (a `QBM_WC_PERMISSION_*`
    /// value); writes 1 (allowed) or 0 to `out_allowed`.
    pub check_permission: Option<
        unsafe extern "C" fn(host_ctx: *mut c_void, permission: u32, out_allowed: *mut u8) -> u32,
    >,
    /// Required. Reads the value stored under `key` in `area` (a `QBM_WC_AREA_*` value) into
    /// `out` and writes 1 to `out_found`; writes 0 to `out_found` and nothing to `out` when the
    /// key has no value. Values survive restarts of QBM.
    pub storage_get: Option<
        unsafe extern "C" fn(
            host_ctx: *mut c_void,
            area: u32,
            key: qbm_wc_str,
            out_found: *mut u8,
            out: *const qbm_wc_sink,
        ) -> u32,
    >,
    /// Required. Stores `value` under `key` in `area`, replacing any earlier value. A value with
    /// `ptr == NULL` removes the key.
    pub storage_set: Option<
        unsafe extern "C" fn(
            host_ctx: *mut c_void,
            area: u32,
            key: qbm_wc_str,
            value: qbm_wc_str,
        ) -> u32,
    >,
    /// Required. Lists or finds QBM items (`qbm.wc.items-query/1` → `qbm.wc.items/1`).
    pub items_query: qbm_wc_host_call,
    /// Required. Creates a QBM item (`qbm.wc.item/1` without `id` → the created item). Since 1.1
    /// an item made from a WooCommerce product carries `"woo"`: the host creates the item and its
    /// link in one transaction, or answers the already linked item with `"existing": true`.
    pub items_create: qbm_wc_host_call,
    /// Updates a QBM item (`qbm.wc.item/1` with `id`; absent fields unchanged → the item).
    /// Required by ABI 1.0 plugins; since 1.1 optional, as this version never updates QBM items
    /// (a host that also loads 1.0 plugins keeps providing it).
    pub items_update: qbm_wc_host_call,
    /// Required. Lists the QBM stores/locations (`{}` → `qbm.wc.locations/1`).
    pub locations_list: qbm_wc_host_call,
    /// Required. On-hand quantities of items per location, in bulk
    /// (`qbm.wc.stock-query/1` → `qbm.wc.stock/1`).
    pub stock_on_hand: qbm_wc_host_call,
    /// Required. Chart of accounts by kind (`qbm.wc.accounts-query/1` → `qbm.wc.accounts/1`).
    pub accounts_list: qbm_wc_host_call,
    /// Required. Finds customers/partners by e-mail, phone or name and company
    /// (`qbm.wc.customers-query/1` → `qbm.wc.customers/1`).
    pub customers_find: qbm_wc_host_call,
    /// Required. Creates a customer/partner with billing and shipping addresses
    /// (`qbm.wc.customer/1` without `id` → the created customer). Since 1.1 with `"woo"`:
    /// created together with its link, or the linked customer answered with `"existing": true`.
    pub customers_create: qbm_wc_host_call,
    /// Required. Creates a customer order with its lines (`qbm.wc.order/1` → the created order).
    /// Since 1.1 with `"woo"` (the WooCommerce order id and number): created together with its
    /// link in one transaction, or the linked order answered with `"existing": true`, so an order
    /// is never created twice whatever the plugin retries.
    pub orders_create: qbm_wc_host_call,
    /// Required. Finds customer orders by id or reference, or lists those linked to WooCommerce in
    /// a date range (`qbm.wc.orders-query/1` → `qbm.wc.orders/1`).
    pub orders_query: qbm_wc_host_call,
    /// Required. Reads links between WooCommerce ids and QBM records
    /// (`qbm.wc.links-query/1` → `qbm.wc.links/1`).
    pub links_get: qbm_wc_host_call,
    /// Required. Records links (`qbm.wc.links/1` → `{}`); a link whose WooCommerce id is already
    /// linked to another QBM record of the same kind is refused with `QBM_WC_STATUS_HOST_ERROR`.
    pub links_put: qbm_wc_host_call,
    /// Optional. Reports progress of the action `call_id`: `done` of `total` steps (`total` 0 when
    /// unknown) and a short message. Returns `QBM_WC_PROGRESS_CONTINUE` or `QBM_WC_PROGRESS_CANCEL`.
    pub progress: Option<
        unsafe extern "C" fn(
            host_ctx: *mut c_void,
            call_id: u64,
            done: u64,
            total: u64,
            message: qbm_wc_str,
        ) -> u32,
    >,
    /// Optional. Writes a line to the host's own diagnostic log (`level` is a `QBM_WC_LEVEL_*`).
    pub log: Option<unsafe extern "C" fn(host_ctx: *mut c_void, level: u32, message: qbm_wc_str)>,
    /// Optional. Shows the user a notification from background work (`level` is a `QBM_WC_LEVEL_*`).
    pub notify:
        Option<unsafe extern "C" fn(host_ctx: *mut c_void, level: u32, message: qbm_wc_str)>,
    /// Optional, since 1.1. `[thread-safe]` Asks the host to call `run_due_jobs` soon (work became
    /// due early, e.g. after `stock_changed`). May be called from any thread, including a thread
    /// of the host that is inside another call; must not block and must not call into the plugin:
    /// set a flag or post a message to the thread that runs the jobs. Without it the host calls
    /// `run_due_jobs` when the previous call said.
    pub request_run: Option<unsafe extern "C" fn(host_ctx: *mut c_void)>,
    /// Optional, since 1.1. Atomic compare-and-set on stored values: in one step, if the value
    /// under `key` in `area` equals `expected` (byte for byte; `expected.ptr == NULL` means "no
    /// value"), stores `value` (`value.ptr == NULL` removes the key) and writes 1 to
    /// `out_swapped`; otherwise changes nothing and writes 0. Atomic across every workstation of
    /// the company (a database transaction or a conditional UPDATE). The plugin uses it for one
    /// stock-sync runner and one order poller per company, the last order sync point, and a log
    /// and caches that lose nothing when two workstations write at once. Without it the plugin
    /// falls back to `storage_get` + `storage_set` and says in Reconnect's report that
    /// workstations are not coordinated.
    pub storage_cas: Option<
        unsafe extern "C" fn(
            host_ctx: *mut c_void,
            area: u32,
            key: qbm_wc_str,
            expected: qbm_wc_str,
            value: qbm_wc_str,
            out_swapped: *mut u8,
        ) -> u32,
    >,
    /// Optional, since 1.1 (with `secret_set`). Reads the secret stored under `key` from the
    /// host's protected storage (Windows DPAPI, the macOS Keychain, a secret service) into `out`
    /// and writes 1 to `out_found`, or writes 0 when there is none. Used for the consumer
    /// secret; without these callbacks the secret is kept in company options and Reconnect's
    /// report says so.
    pub secret_get: Option<
        unsafe extern "C" fn(
            host_ctx: *mut c_void,
            key: qbm_wc_str,
            out_found: *mut u8,
            out: *const qbm_wc_sink,
        ) -> u32,
    >,
    /// Optional, since 1.1 (with `secret_get`). Stores `value` under `key` in the host's
    /// protected storage; `value.ptr == NULL` removes it. The secret must never be written to
    /// the company database in readable form.
    pub secret_set: Option<
        unsafe extern "C" fn(host_ctx: *mut c_void, key: qbm_wc_str, value: qbm_wc_str) -> u32,
    >,
    /// Optional, since 1.1. Items whose on-hand quantity changed since a cursor
    /// (`qbm.wc.stock-changes-query/1` → `qbm.wc.stock-changes/1`), so automatic stock sync reads
    /// on-hand for those items only. Without it the plugin reads on-hand of every matched item
    /// once per cycle.
    pub stock_changes: qbm_wc_host_call,
}

/// An instance of the plugin, created by `qbm_wc_api.create` and released by
/// `qbm_wc_api.destroy`. Opaque to the host. Since 1.0.
pub struct qbm_wc_plugin {
    _private: [u8; 0],
}

/// The plugin's function table, returned by `qbm_wc_entry`. Static: valid until the library is
/// unloaded. Append-only: the host must check `abi_minor` (or `struct_size`) before using a field
/// added after 1.0. Since 1.0.
#[repr(C)]
pub struct qbm_wc_api {
    /// `sizeof(qbm_wc_api)` as the plugin was compiled.
    pub struct_size: usize,
    /// ABI major version the plugin implements.
    pub abi_major: u32,
    /// ABI minor version the plugin implements.
    pub abi_minor: u32,
    /// Stable identifier of the plugin, a static NUL-terminated string: `"qbm.woocommerce"`.
    pub plugin_id: *const c_char,
    /// Version of the plugin, a static NUL-terminated string (semantic version).
    pub plugin_version: *const c_char,
    /// `[thread-safe]` Prepares the library. Call before `create`. Repeatable: calls are counted and
    /// each must be matched by `deinit`. Returns `QBM_WC_STATUS_OK`.
    pub init: unsafe extern "C" fn() -> qbm_wc_status,
    /// `[thread-safe]` Undoes one `init`. Call after every instance is destroyed and before
    /// unloading the library.
    pub deinit: unsafe extern "C" fn(),
    /// `[thread-safe]` Creates an instance bound to `host` (borrowed until `destroy`; see
    /// `qbm_wc_host`) and writes it to `*out_plugin`. Fails with `QBM_WC_STATUS_NULL_ARGUMENT`,
    /// `QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION`, `QBM_WC_STATUS_STRUCT_TOO_SMALL` or
    /// `QBM_WC_STATUS_HOST_CALLBACK_MISSING`. Calls no host callback that needs a user.
    pub create: unsafe extern "C" fn(
        host: *const qbm_wc_host,
        out_plugin: *mut *mut qbm_wc_plugin,
    ) -> qbm_wc_status,
    /// `[any-thread]` Stops background work, waits for it, and releases the instance. NULL is
    /// ignored. The pointer is invalid afterwards. Must not run concurrently with another call on
    /// the same instance.
    pub destroy: unsafe extern "C" fn(plugin: *mut qbm_wc_plugin),
    /// `[thread-safe]` Releases a buffer the plugin returned and zeroes it. NULL and empty buffers
    /// are ignored.
    pub buffer_free: unsafe extern "C" fn(buffer: *mut qbm_wc_buffer),
    /// `[thread-safe]` Copies the message of the last failed call made on this thread into `buf`
    /// (`cap` bytes, NUL-terminated) and writes the message length (without NUL) to `*out_len`.
    /// Returns `QBM_WC_STATUS_BUFFER_TOO_SMALL` (after writing what fits and the full length) when
    /// `cap` is too small; an empty message when nothing has failed on this thread.
    pub last_error:
        unsafe extern "C" fn(buf: *mut c_char, cap: usize, out_len: *mut usize) -> qbm_wc_status,
    /// `[thread-safe]` Name of a status value (`"QBM_WC_STATUS_OK"` …), a static NUL-terminated
    /// string; `"QBM_WC_STATUS_UNKNOWN"` for values this plugin does not know.
    pub status_name: unsafe extern "C" fn(status: u32) -> *const c_char,
    /// `[thread-safe]` Writes the menu document (`qbm.wc.menu/1`): Integrations → WooCommerce →
    /// Items, Customers, Orders, Logs, with `"visible": false` and no entries while "Enable
    /// WooCommerce integration" is off.
    pub describe_menu:
        unsafe extern "C" fn(plugin: *mut qbm_wc_plugin, out: *mut qbm_wc_buffer) -> qbm_wc_status,
    /// `[thread-safe]` Writes the description of one screen (`qbm.wc.screen/1`): tabs, list columns,
    /// filters and actions. Unknown ids fail with `QBM_WC_STATUS_UNKNOWN_SCREEN`.
    pub describe_screen: unsafe extern "C" fn(
        plugin: *mut qbm_wc_plugin,
        screen_id: qbm_wc_str,
        out: *mut qbm_wc_buffer,
    ) -> qbm_wc_status,
    /// `[thread-safe]` Writes the option schema of the WooCommerce tab under Options →
    /// Integrations (`qbm.wc.option-schema/1`).
    pub option_schema:
        unsafe extern "C" fn(plugin: *mut qbm_wc_plugin, out: *mut qbm_wc_buffer) -> qbm_wc_status,
    /// `[thread-safe]` Writes the current option values (`qbm.wc.option-values/1`). Secret fields
    /// are never returned; the document only says whether they are set.
    pub options_get:
        unsafe extern "C" fn(plugin: *mut qbm_wc_plugin, out: *mut qbm_wc_buffer) -> qbm_wc_status,
    /// `[thread-safe]` Validates option values (`qbm.wc.option-values/1`, any subset of fields)
    /// without saving and writes the report (`qbm.wc.option-report/1`). Returns
    /// `QBM_WC_STATUS_OK` whether or not the values are valid; the report says which.
    pub options_validate: unsafe extern "C" fn(
        plugin: *mut qbm_wc_plugin,
        values: qbm_wc_str,
        out_report: *mut qbm_wc_buffer,
    ) -> qbm_wc_status,
    /// `[thread-safe]` Validates and saves option values (any subset of fields; absent fields keep
    /// their value; a secret field given as null keeps its value). Needs
    /// `QBM_WC_PERMISSION_ADMINISTER_OPTIONS`. Writes the report (`qbm.wc.option-report/1`) on
    /// `QBM_WC_STATUS_OK` and on `QBM_WC_STATUS_INVALID_OPTIONS` (then nothing was saved).
    pub options_save: unsafe extern "C" fn(
        plugin: *mut qbm_wc_plugin,
        values: qbm_wc_str,
        out_report: *mut qbm_wc_buffer,
    ) -> qbm_wc_status,
    /// `[thread-safe]` Runs an action (`qbm.wc.action-request/1`) and writes its response
    /// (`qbm.wc.action-response/1`). Blocks until the action ends; reports progress through the
    /// host's `progress` callback with the request's `call_id`. An action that needs input answers
    /// with `"outcome": "needs_input"` and a prompt; the host calls again with the same request
    /// plus `answers`. Fails with `QBM_WC_STATUS_UNKNOWN_ACTION`, `QBM_WC_STATUS_PERMISSION_DENIED`,
    /// `QBM_WC_STATUS_ACTION_NOT_ALLOWED` and the connection/store statuses.
    pub invoke_action: unsafe extern "C" fn(
        plugin: *mut qbm_wc_plugin,
        request: qbm_wc_str,
        out_response: *mut qbm_wc_buffer,
    ) -> qbm_wc_status,
    /// `[thread-safe]` Asks the running action `call_id` to stop at its next safe point; it then
    /// returns with `"outcome": "cancelled"` and what it finished. Unknown or finished ids are
    /// ignored. Returns `QBM_WC_STATUS_OK`. Calls no host callback.
    pub cancel_action:
        unsafe extern "C" fn(plugin: *mut qbm_wc_plugin, call_id: u64) -> qbm_wc_status,
    /// `[thread-safe]` Since 1.1. Runs the background jobs that are due (order polling first,
    /// then automatic stock sync), on the calling thread, calling host callbacks on it; a host
    /// calls it from the thread it wants those callbacks on. Writes the report
    /// (`qbm.wc.jobs-report/1`) to `out_report` and to `*out_next_due_ms` how many milliseconds
    /// to wait before the next call (0: call again now; at most `QBM_WC_MAX_JOB_WAIT_MS`).
    /// Answers `QBM_WC_STATUS_BUSY` (writing nothing) when another call of it is still running
    /// on this instance. Job failures are reported in the document, not as a status.
    pub run_due_jobs: unsafe extern "C" fn(
        plugin: *mut qbm_wc_plugin,
        out_next_due_ms: *mut u64,
        out_report: *mut qbm_wc_buffer,
    ) -> qbm_wc_status,
    /// `[thread-safe]` Since 1.1. Tells the plugin that the on-hand quantity of these QBM items
    /// just changed (a sale at the till, a goods receipt): `item_ids` is
    /// `{"item_ids":["7","12"]}`. Never blocks and calls no host callback except `request_run`;
    /// the items are published on the next `run_due_jobs` while automatic stock sync runs.
    pub stock_changed:
        unsafe extern "C" fn(plugin: *mut qbm_wc_plugin, item_ids: qbm_wc_str) -> qbm_wc_status,
}

/// Signature of the exported entry symbol `qbm_wc_entry`, for hosts that look it up by name.
/// Since 1.0.
pub type qbm_wc_entry_fn = unsafe extern "C" fn(
    host_abi_major: u32,
    host_abi_minor: u32,
    out_entry: *mut *const qbm_wc_api,
) -> qbm_wc_status;

/// Signature of the exported symbol `qbm_wc_last_error` (the same function as
/// `qbm_wc_api.last_error`, usable when negotiation failed). Since 1.0.
pub type qbm_wc_last_error_fn =
    unsafe extern "C" fn(buf: *mut c_char, cap: usize, out_len: *mut usize) -> qbm_wc_status;
