//! Loads the plugin library and calls it exactly as QBM does: through the exported entry symbol and
//! the function table, never through Rust calls into the plugin crate. One of the two files of
//! host-sim with `unsafe` code (the other is `host_table.rs`).
//!
//! Every call through the table counts the calling thread as inside the plugin for its duration
//! ([`crate::threads`]), so the host table can tell callbacks made from inside a call from any
//! others.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qbm_woocommerce::ffi::abi::{
    QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, qbm_wc_api, qbm_wc_buffer, qbm_wc_entry_fn, qbm_wc_host,
    qbm_wc_last_error_fn, qbm_wc_plugin, qbm_wc_status, qbm_wc_str,
};
use serde_json::Value;
use thiserror::Error;

use crate::host_table::{HostContext, HostServices, HostTable};
use crate::threads::in_plugin;

const OK: u32 = qbm_wc_status::QBM_WC_STATUS_OK as u32;

/// A failed plugin call: its status and the plugin's message.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{name} ({status}): {message}")]
pub struct PluginError {
    pub status: u32,
    pub name: String,
    pub message: String,
}

/// Why the library could not be loaded.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot open the plugin library {path}: {source}")]
    Open {
        path: PathBuf,
        source: libloading::Error,
    },
    #[error("{path} is not a QBM WooCommerce plugin: symbol `{symbol}` is missing ({source})")]
    MissingSymbol {
        path: PathBuf,
        symbol: &'static str,
        source: libloading::Error,
    },
    #[error("the plugin refused this host: {0}")]
    Refused(PluginError),
}

/// A loaded plugin library whose ABI version was accepted.
pub struct PluginLibrary {
    entry: *const qbm_wc_api,
    last_error_fn: qbm_wc_last_error_fn,
    path: PathBuf,
    // Dropped last: every pointer above points into it.
    _library: libloading::Library,
}

// SAFETY: the entry table is static and immutable for the life of the library, and its
// functions are documented `[any-thread]`/`[thread-safe]`.
unsafe impl Send for PluginLibrary {}
// SAFETY: as above.
unsafe impl Sync for PluginLibrary {}

fn open(
    path: &Path,
) -> Result<(libloading::Library, qbm_wc_entry_fn, qbm_wc_last_error_fn), LoadError> {
    // SAFETY: loading runs the library's initialisers; the plugin has none with side effects.
    let library = unsafe { libloading::Library::new(path) }.map_err(|source| LoadError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    // SAFETY: the symbol types are the ones the C header declares.
    let entry: qbm_wc_entry_fn = unsafe { library.get::<qbm_wc_entry_fn>(b"qbm_wc_entry\0") }
        .map(|symbol| *symbol)
        .map_err(|source| LoadError::MissingSymbol {
            path: path.to_path_buf(),
            symbol: "qbm_wc_entry",
            source,
        })?;
    // SAFETY: as above.
    let last_error: qbm_wc_last_error_fn =
        unsafe { library.get::<qbm_wc_last_error_fn>(b"qbm_wc_last_error\0") }
            .map(|symbol| *symbol)
            .map_err(|source| LoadError::MissingSymbol {
                path: path.to_path_buf(),
                symbol: "qbm_wc_last_error",
                source,
            })?;
    Ok((library, entry, last_error))
}

fn read_last_error(last_error: qbm_wc_last_error_fn) -> String {
    let mut needed = 0usize;
    // SAFETY: a length-only query with a NULL buffer and a writable length.
    in_plugin(|| unsafe { last_error(std::ptr::null_mut(), 0, &mut needed) });
    let mut buf = vec![0u8; needed + 1];
    // SAFETY: `buf` has `needed + 1` writable bytes.
    in_plugin(|| unsafe { last_error(buf.as_mut_ptr().cast(), buf.len(), &mut needed) });
    buf.truncate(needed);
    String::from_utf8_lossy(&buf).into_owned()
}

fn status_name(entry: &qbm_wc_api, status: u32) -> String {
    // SAFETY: `status_name` returns a static NUL-terminated string for any value.
    let name = in_plugin(|| unsafe { (entry.status_name)(status) });
    // SAFETY: as above.
    unsafe { CStr::from_ptr(name) }
        .to_string_lossy()
        .into_owned()
}

fn fallback_status_name(status: u32) -> String {
    match status {
        s if s == qbm_wc_status::QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION as u32 => {
            "QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION".to_string()
        }
        s if s == qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT as u32 => {
            "QBM_WC_STATUS_NULL_ARGUMENT".to_string()
        }
        other => format!("status {other}"),
    }
}

impl PluginLibrary {
    /// Opens the library, negotiates this host's ABI version and calls `init`.
    pub fn load(path: &Path) -> Result<Arc<Self>, LoadError> {
        let (library, entry_fn, last_error_fn) = open(path)?;
        let mut entry: *const qbm_wc_api = std::ptr::null();
        // SAFETY: the exported entry function with a writable out pointer.
        let status =
            in_plugin(|| unsafe { entry_fn(QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, &mut entry) })
                as u32;
        if status != OK || entry.is_null() {
            return Err(LoadError::Refused(PluginError {
                status,
                name: fallback_status_name(status),
                message: read_last_error(last_error_fn),
            }));
        }
        let lib = Self {
            entry,
            last_error_fn,
            path: path.to_path_buf(),
            _library: library,
        };
        let table = lib.entry();
        if table.struct_size < std::mem::size_of::<qbm_wc_api>() {
            return Err(LoadError::Refused(PluginError {
                status: qbm_wc_status::QBM_WC_STATUS_STRUCT_TOO_SMALL as u32,
                name: "QBM_WC_STATUS_STRUCT_TOO_SMALL".into(),
                message: format!(
                    "the plugin's table is {} bytes, this host needs {}",
                    table.struct_size,
                    std::mem::size_of::<qbm_wc_api>()
                ),
            }));
        }
        // SAFETY: `init` from a validated table; repeatable by contract.
        let status = in_plugin(|| unsafe { (table.init)() }) as u32;
        if status != OK {
            return Err(LoadError::Refused(lib.error(status)));
        }
        Ok(Arc::new(lib))
    }

    /// Opens the library and asks for the given ABI version only, returning the refusal, if any.
    /// Used to prove that other hosts are refused cleanly.
    pub fn negotiate(path: &Path, major: u32, minor: u32) -> Result<(), LoadError> {
        let (_library, entry_fn, last_error_fn) = open(path)?;
        let mut entry: *const qbm_wc_api = std::ptr::null();
        // SAFETY: the exported entry function with a writable out pointer.
        let status = in_plugin(|| unsafe { entry_fn(major, minor, &mut entry) }) as u32;
        if status == OK && !entry.is_null() {
            return Ok(());
        }
        Err(LoadError::Refused(PluginError {
            status,
            name: fallback_status_name(status),
            message: read_last_error(last_error_fn),
        }))
    }

    /// The entry function called with a NULL out pointer; returns its status.
    pub fn entry_with_null_out(path: &Path) -> Result<u32, LoadError> {
        let (_library, entry_fn, _) = open(path)?;
        // SAFETY: the entry function must cope with a NULL out pointer (C contract).
        Ok(in_plugin(|| unsafe {
            entry_fn(QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, std::ptr::null_mut())
        }) as u32)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The plugin's function table.
    pub fn entry(&self) -> &qbm_wc_api {
        // SAFETY: non-NULL after negotiation; static for as long as `library` is loaded.
        unsafe { &*self.entry }
    }

    pub fn plugin_id(&self) -> String {
        // SAFETY: a static NUL-terminated string (C contract).
        unsafe { CStr::from_ptr(self.entry().plugin_id) }
            .to_string_lossy()
            .into_owned()
    }

    pub fn plugin_version(&self) -> String {
        // SAFETY: a static NUL-terminated string (C contract).
        unsafe { CStr::from_ptr(self.entry().plugin_version) }
            .to_string_lossy()
            .into_owned()
    }

    /// The error for a failed call made on this thread just now.
    pub fn error(&self, status: u32) -> PluginError {
        PluginError {
            status,
            name: status_name(self.entry(), status),
            message: read_last_error(self.last_error_fn),
        }
    }

    /// Reads this thread's last error into a buffer of `cap` bytes, as a host with a fixed
    /// buffer would: returns the status, the text written and the full length reported.
    pub fn last_error_into(&self, cap: usize) -> (u32, String, usize) {
        let mut buf = vec![0xAAu8; cap];
        let mut len = 0usize;
        // SAFETY: `buf` has `cap` writable bytes; `len` is writable.
        let status = in_plugin(|| unsafe {
            (self.entry().last_error)(buf.as_mut_ptr().cast(), cap, &mut len)
        }) as u32;
        let text = CStr::from_bytes_until_nul(&buf)
            .map(|c| c.to_string_lossy().into_owned())
            .unwrap_or_default();
        (status, text, len)
    }

    pub fn status_name(&self, status: u32) -> String {
        status_name(self.entry(), status)
    }

    /// Creates an instance over `services` with the complete ABI 1.1 host table.
    pub fn create(
        self: &Arc<Self>,
        services: Arc<dyn HostServices>,
    ) -> Result<PluginInstance, PluginError> {
        self.create_with(HostTable::new(services))
    }

    /// Creates an instance over a host table the caller chose or altered (other layouts, tests
    /// of the checks). The table is kept until the instance is destroyed, as a host that also
    /// loads ABI 1.0 plugins (which kept the pointer) must.
    pub fn create_with(
        self: &Arc<Self>,
        host: Box<HostTable>,
    ) -> Result<PluginInstance, PluginError> {
        let raw = self.raw_create(&host)?;
        Ok(PluginInstance {
            lib: Arc::clone(self),
            raw,
            _context: host.context(),
            _table: Some(host),
        })
    }

    /// Creates an instance and releases the table right after `create` returns, as ABI 1.1
    /// allows: the table's callbacks are first replaced with traps (as if the memory were
    /// reused), so a plugin that kept the pointer would be caught calling them. The callbacks'
    /// context stays alive until the instance is destroyed.
    pub fn create_releasing_table(
        self: &Arc<Self>,
        mut host: Box<HostTable>,
    ) -> Result<PluginInstance, PluginError> {
        let raw = self.raw_create(&host)?;
        let context = host.context();
        host.scribble();
        drop(host);
        Ok(PluginInstance {
            lib: Arc::clone(self),
            raw,
            _context: context,
            _table: None,
        })
    }

    fn raw_create(&self, host: &HostTable) -> Result<*mut qbm_wc_plugin, PluginError> {
        let mut raw: *mut qbm_wc_plugin = std::ptr::null_mut();
        // SAFETY: a complete table (whose callbacks' context outlives the instance) and a
        // writable out pointer.
        let status = in_plugin(|| unsafe { (self.entry().create)(host.as_ptr(), &mut raw) }) as u32;
        if status != OK {
            return Err(self.error(status));
        }
        Ok(raw)
    }

    /// `create` with NULL arguments, for the boundary tests: (host NULL, out NULL) statuses.
    pub fn create_with_nulls(&self, services: Arc<dyn HostServices>) -> (u32, u32) {
        let host = HostTable::new(services);
        let mut raw: *mut qbm_wc_plugin = std::ptr::null_mut();
        // SAFETY: the plugin must refuse NULL arguments without touching them.
        let null_host = in_plugin(|| unsafe {
            (self.entry().create)(std::ptr::null::<qbm_wc_host>(), &mut raw)
        }) as u32;
        // SAFETY: as above.
        let null_out =
            in_plugin(|| unsafe { (self.entry().create)(host.as_ptr(), std::ptr::null_mut()) })
                as u32;
        (null_host, null_out)
    }
}

impl Drop for PluginLibrary {
    fn drop(&mut self) {
        // SAFETY: matches the `init` made in `load`.
        in_plugin(|| unsafe { (self.entry().deinit)() });
    }
}

fn view(bytes: &[u8]) -> qbm_wc_str {
    qbm_wc_str {
        ptr: bytes.as_ptr().cast::<c_char>(),
        len: bytes.len(),
    }
}

fn empty_buffer() -> qbm_wc_buffer {
    qbm_wc_buffer {
        ptr: std::ptr::null_mut(),
        len: 0,
    }
}

/// What one `run_due_jobs` call answered.
#[derive(Debug, Clone, PartialEq)]
pub struct JobsReport {
    /// How long to wait before the next call, in milliseconds.
    pub next_due_ms: u64,
    /// `qbm.wc.jobs-report/1`.
    pub report: Value,
}

/// A live plugin instance; destroyed on drop.
pub struct PluginInstance {
    lib: Arc<PluginLibrary>,
    raw: *mut qbm_wc_plugin,
    // Must outlive `raw`: every callback receives a pointer to it.
    _context: HostContext,
    // Kept for plugins that keep the table pointer (ABI 1.0); `None` once released.
    _table: Option<Box<HostTable>>,
}

// SAFETY: every instance function except `destroy` is `[thread-safe]`; `destroy` runs in Drop,
// which has exclusive access.
unsafe impl Send for PluginInstance {}
// SAFETY: as above.
unsafe impl Sync for PluginInstance {}

impl PluginInstance {
    pub fn library(&self) -> &Arc<PluginLibrary> {
        &self.lib
    }

    /// Takes ownership of a filled buffer: copies its text and frees it with `buffer_free`.
    fn take(&self, mut buf: qbm_wc_buffer) -> String {
        let text = if buf.ptr.is_null() {
            String::new()
        } else {
            // SAFETY: the plugin wrote `len` bytes at `ptr`.
            let bytes = unsafe { std::slice::from_raw_parts(buf.ptr.cast::<u8>(), buf.len) };
            String::from_utf8_lossy(bytes).into_owned()
        };
        // SAFETY: a buffer the plugin filled, freed once.
        in_plugin(|| unsafe { (self.lib.entry().buffer_free)(&mut buf) });
        text
    }

    fn document(&self, status: u32, buf: qbm_wc_buffer) -> Result<Value, PluginError> {
        if status != OK {
            let err = self.lib.error(status);
            self.take(buf);
            return Err(err);
        }
        let text = self.take(buf);
        serde_json::from_str(&text).map_err(|err| PluginError {
            status: qbm_wc_status::QBM_WC_STATUS_INTERNAL as u32,
            name: "HOST_SIM_BAD_DOCUMENT".into(),
            message: format!("the plugin returned a document that is not JSON: {err}"),
        })
    }

    pub fn menu(&self) -> Result<Value, PluginError> {
        let mut buf = empty_buffer();
        // SAFETY: live instance, writable buffer.
        let status =
            in_plugin(|| unsafe { (self.lib.entry().describe_menu)(self.raw, &mut buf) }) as u32;
        self.document(status, buf)
    }

    pub fn screen(&self, id: &str) -> Result<Value, PluginError> {
        self.screen_bytes(id.as_bytes())
    }

    /// `describe_screen` with arbitrary bytes as the id (for invalid UTF-8 tests).
    pub fn screen_bytes(&self, id: &[u8]) -> Result<Value, PluginError> {
        let mut buf = empty_buffer();
        // SAFETY: live instance, the view points at `id`, writable buffer.
        let status = in_plugin(|| unsafe {
            (self.lib.entry().describe_screen)(self.raw, view(id), &mut buf)
        }) as u32;
        self.document(status, buf)
    }

    pub fn option_schema(&self) -> Result<Value, PluginError> {
        let mut buf = empty_buffer();
        // SAFETY: live instance, writable buffer.
        let status =
            in_plugin(|| unsafe { (self.lib.entry().option_schema)(self.raw, &mut buf) }) as u32;
        self.document(status, buf)
    }

    pub fn options(&self) -> Result<Value, PluginError> {
        let mut buf = empty_buffer();
        // SAFETY: live instance, writable buffer.
        let status =
            in_plugin(|| unsafe { (self.lib.entry().options_get)(self.raw, &mut buf) }) as u32;
        self.document(status, buf)
    }

    pub fn validate_options(&self, values: &Value) -> Result<Value, PluginError> {
        let text = values.to_string();
        let mut buf = empty_buffer();
        // SAFETY: live instance, the view points at `text`, writable buffer.
        let status = in_plugin(|| unsafe {
            (self.lib.entry().options_validate)(self.raw, view(text.as_bytes()), &mut buf)
        }) as u32;
        self.document(status, buf)
    }

    /// Saves options; on failure also returns the report the plugin wrote, if any.
    pub fn save_options(&self, values: &Value) -> Result<Value, (PluginError, Option<Value>)> {
        self.save_options_bytes(values.to_string().as_bytes())
    }

    pub fn save_options_bytes(&self, values: &[u8]) -> Result<Value, (PluginError, Option<Value>)> {
        let mut buf = empty_buffer();
        // SAFETY: live instance, the view points at `values`, writable buffer.
        let status = in_plugin(|| unsafe {
            (self.lib.entry().options_save)(self.raw, view(values), &mut buf)
        }) as u32;
        if status == OK {
            return self.document(status, buf).map_err(|err| (err, None));
        }
        let err = self.lib.error(status);
        let report = (!buf.ptr.is_null())
            .then(|| self.take(buf))
            .and_then(|text| serde_json::from_str(&text).ok());
        Err((err, report))
    }

    pub fn invoke(&self, request: &Value) -> Result<Value, PluginError> {
        self.invoke_bytes(request.to_string().as_bytes())
    }

    /// `invoke_action` with arbitrary bytes as the request (for invalid UTF-8 and JSON tests).
    pub fn invoke_bytes(&self, request: &[u8]) -> Result<Value, PluginError> {
        let mut buf = empty_buffer();
        // SAFETY: live instance, the view points at `request`, writable buffer.
        let status = in_plugin(|| unsafe {
            (self.lib.entry().invoke_action)(self.raw, view(request), &mut buf)
        }) as u32;
        self.document(status, buf)
    }

    /// `run_due_jobs`: runs the due background jobs on this thread. `QBM_WC_STATUS_BUSY` comes
    /// back as an error when another call of it is still running on this instance.
    pub fn run_due_jobs(&self) -> Result<JobsReport, PluginError> {
        let mut buf = empty_buffer();
        let mut next_due_ms = 0u64;
        // SAFETY: live instance, writable outputs.
        let status = in_plugin(|| unsafe {
            (self.lib.entry().run_due_jobs)(self.raw, &mut next_due_ms, &mut buf)
        }) as u32;
        let report = self.document(status, buf)?;
        Ok(JobsReport {
            next_due_ms,
            report,
        })
    }

    /// `stock_changed`: tells the plugin these items' on-hand just changed.
    pub fn stock_changed(&self, item_ids: &[String]) -> Result<(), PluginError> {
        let text = serde_json::json!({ "item_ids": item_ids }).to_string();
        // SAFETY: live instance; the view points at `text`.
        let status = in_plugin(|| unsafe {
            (self.lib.entry().stock_changed)(self.raw, view(text.as_bytes()))
        }) as u32;
        if status == OK {
            Ok(())
        } else {
            Err(self.lib.error(status))
        }
    }

    pub fn cancel(&self, call_id: u64) -> Result<(), PluginError> {
        // SAFETY: live instance; `cancel_action` is `[thread-safe]`.
        let status =
            in_plugin(|| unsafe { (self.lib.entry().cancel_action)(self.raw, call_id) }) as u32;
        if status == OK {
            Ok(())
        } else {
            Err(self.lib.error(status))
        }
    }

    /// Every instance function called with NULL or dangling arguments, with the status each
    /// returned, for the boundary tests.
    pub fn abuse(&self) -> Vec<(&'static str, u32)> {
        let e = self.lib.entry();
        let null_plugin: *mut qbm_wc_plugin = std::ptr::null_mut();
        let mut not_an_instance = [0u8; 64];
        let stale = not_an_instance.as_mut_ptr().cast::<qbm_wc_plugin>();
        let mut buf = empty_buffer();
        let null_view = qbm_wc_str {
            ptr: std::ptr::null(),
            len: 5,
        };
        let json = b"{}";
        let mut next_due = 0u64;
        let _inside = crate::threads::enter_plugin();
        // SAFETY: each call passes arguments the plugin must reject without dereferencing them:
        // NULL pointers, a pointer that was never an instance, or a NULL view with a length.
        unsafe {
            let out = vec![
                (
                    "describe_menu(NULL plugin)",
                    (e.describe_menu)(null_plugin, &mut buf),
                ),
                (
                    "describe_menu(NULL out)",
                    (e.describe_menu)(self.raw, std::ptr::null_mut()),
                ),
                (
                    "describe_menu(not an instance)",
                    (e.describe_menu)(stale, &mut buf),
                ),
                (
                    "describe_screen(NULL view)",
                    (e.describe_screen)(self.raw, null_view, &mut buf),
                ),
                (
                    "describe_screen(NULL out)",
                    (e.describe_screen)(self.raw, view(b"items"), std::ptr::null_mut()),
                ),
                (
                    "option_schema(NULL out)",
                    (e.option_schema)(self.raw, std::ptr::null_mut()),
                ),
                (
                    "options_get(NULL plugin)",
                    (e.options_get)(null_plugin, &mut buf),
                ),
                (
                    "options_validate(NULL view)",
                    (e.options_validate)(self.raw, null_view, &mut buf),
                ),
                (
                    "options_save(NULL out)",
                    (e.options_save)(self.raw, view(json), std::ptr::null_mut()),
                ),
                (
                    "invoke_action(NULL view)",
                    (e.invoke_action)(self.raw, null_view, &mut buf),
                ),
                (
                    "invoke_action(NULL out)",
                    (e.invoke_action)(self.raw, view(json), std::ptr::null_mut()),
                ),
                (
                    "cancel_action(NULL plugin)",
                    (e.cancel_action)(null_plugin, 1),
                ),
                (
                    "last_error(NULL buffer, cap 8)",
                    (e.last_error)(std::ptr::null_mut(), 8, std::ptr::null_mut()),
                ),
                (
                    "run_due_jobs(NULL plugin)",
                    (e.run_due_jobs)(null_plugin, &mut next_due, &mut buf),
                ),
                (
                    "run_due_jobs(NULL out_next_due_ms)",
                    (e.run_due_jobs)(self.raw, std::ptr::null_mut(), &mut buf),
                ),
                (
                    "run_due_jobs(NULL out_report)",
                    (e.run_due_jobs)(self.raw, &mut next_due, std::ptr::null_mut()),
                ),
                (
                    "run_due_jobs(not an instance)",
                    (e.run_due_jobs)(stale, &mut next_due, &mut buf),
                ),
                (
                    "stock_changed(NULL plugin)",
                    (e.stock_changed)(null_plugin, view(br#"{"item_ids":["1"]}"#)),
                ),
                (
                    "stock_changed(NULL view)",
                    (e.stock_changed)(self.raw, null_view),
                ),
            ];
            (e.destroy)(null_plugin);
            (e.destroy)(stale);
            (e.buffer_free)(std::ptr::null_mut());
            (e.buffer_free)(&mut buf);
            out.into_iter()
                .map(|(name, status)| (name, status as u32))
                .collect()
        }
    }
}

impl Drop for PluginInstance {
    fn drop(&mut self) {
        // SAFETY: the instance was created by this library and is destroyed exactly once.
        in_plugin(|| unsafe { (self.lib.entry().destroy)(self.raw) });
    }
}
