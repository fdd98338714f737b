//! The host callback table host-sim hands to the plugin: `extern "C"` functions that decode their
//! arguments and forward to a [`HostServices`] implementation. One of the two files of host-sim
//! with `unsafe` code (the other is `loader.rs`).
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use qbm_woocommerce::ffi::abi::{
    QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, QBM_WC_PROGRESS_CANCEL, QBM_WC_PROGRESS_CONTINUE,
    qbm_wc_host, qbm_wc_sink, qbm_wc_status, qbm_wc_str,
};

/// The record callbacks, named as in the C table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Callback {
    ItemsQuery,
    ItemsCreate,
    ItemsUpdate,
    LocationsList,
    StockOnHand,
    AccountsList,
    CustomersFind,
    CustomersCreate,
    OrdersCreate,
    OrdersQuery,
    LinksGet,
    LinksPut,
}

/// A callback's failure: the status to return and an explanation for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFailure {
    pub status: u32,
    pub message: String,
}

impl HostFailure {
    pub fn new(status: qbm_wc_status, message: impl Into<String>) -> Self {
        Self {
            status: status as u32,
            message: message.into(),
        }
    }
}

/// What host-sim does when the plugin calls back. Must be usable from several threads at once.
pub trait HostServices: Send + Sync {
    fn identity(&self) -> Result<String, HostFailure>;
    fn check_permission(&self, permission: u32) -> Result<bool, HostFailure>;
    fn storage_get(&self, area: u32, key: &str) -> Result<Option<String>, HostFailure>;
    fn storage_set(&self, area: u32, key: &str, value: Option<&str>) -> Result<(), HostFailure>;
    fn call(&self, callback: Callback, request: &str) -> Result<String, HostFailure>;
    /// Returns `false` when the user asked to cancel.
    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool;
    fn log(&self, level: u32, message: &str);
    fn notify(&self, level: u32, message: &str);
}

/// The C table and the context it points to; boxed so the addresses never move.
pub struct HostTable {
    table: qbm_wc_host,
    _services: Box<Arc<dyn HostServices>>,
}

// SAFETY: the table holds function pointers and a pointer to the boxed, thread-safe services.
unsafe impl Send for HostTable {}
// SAFETY: as above.
unsafe impl Sync for HostTable {}

const OK: u32 = qbm_wc_status::QBM_WC_STATUS_OK as u32;
const INTERNAL: u32 = qbm_wc_status::QBM_WC_STATUS_INTERNAL as u32;

fn services<'a>(ctx: *mut c_void) -> &'a dyn HostServices {
    // SAFETY: `ctx` is the `Box<Arc<dyn HostServices>>` owned by the `HostTable`, which outlives
    // every plugin instance created with it.
    unsafe { &**ctx.cast::<Arc<dyn HostServices>>() }
}

fn text<'a>(view: qbm_wc_str) -> Result<&'a str, HostFailure> {
    if view.len == 0 {
        return Ok("");
    }
    if view.ptr.is_null() {
        return Err(HostFailure::new(
            qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT,
            "host-sim: NULL string with a length",
        ));
    }
    // SAFETY: the plugin passes `len` readable bytes valid for this call.
    let bytes = unsafe { std::slice::from_raw_parts(view.ptr.cast::<u8>(), view.len) };
    std::str::from_utf8(bytes).map_err(|_| {
        HostFailure::new(
            qbm_wc_status::QBM_WC_STATUS_INVALID_UTF8,
            "host-sim: not UTF-8",
        )
    })
}

fn write(sink: *const qbm_wc_sink, text: &str) -> u32 {
    if sink.is_null() {
        return qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT as u32;
    }
    // SAFETY: the plugin's sink is valid until the callback returns.
    let sink = unsafe { &*sink };
    let view = qbm_wc_str {
        ptr: text.as_ptr().cast(),
        len: text.len(),
    };
    // SAFETY: the plugin's own write function with its own context.
    unsafe { (sink.write)(sink.sink_ctx, view) }
}

/// Runs a callback body, catching panics so none crosses into the plugin.
fn guarded(body: impl FnOnce() -> u32) -> u32 {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(INTERNAL)
}

fn respond(result: Result<String, HostFailure>, out: *const qbm_wc_sink) -> u32 {
    match result {
        Ok(document) => {
            let status = write(out, &document);
            if status == OK { OK } else { status }
        }
        Err(failure) => {
            write(out, &failure.message);
            failure.status
        }
    }
}

unsafe extern "C" fn get_identity(ctx: *mut c_void, out: *const qbm_wc_sink) -> u32 {
    guarded(|| respond(services(ctx).identity(), out))
}

unsafe extern "C" fn check_permission(
    ctx: *mut c_void,
    permission: u32,
    out_allowed: *mut u8,
) -> u32 {
    guarded(|| {
        if out_allowed.is_null() {
            return qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT as u32;
        }
        match services(ctx).check_permission(permission) {
            Ok(allowed) => {
                // SAFETY: checked non-NULL; the plugin passes a writable byte.
                unsafe { out_allowed.write(u8::from(allowed)) };
                OK
            }
            Err(failure) => failure.status,
        }
    })
}

unsafe extern "C" fn storage_get(
    ctx: *mut c_void,
    area: u32,
    key: qbm_wc_str,
    out_found: *mut u8,
    out: *const qbm_wc_sink,
) -> u32 {
    guarded(|| {
        if out_found.is_null() {
            return qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT as u32;
        }
        let result = text(key).and_then(|key| services(ctx).storage_get(area, key));
        match result {
            Ok(found) => {
                // SAFETY: checked non-NULL; the plugin passes a writable byte.
                unsafe { out_found.write(u8::from(found.is_some())) };
                match found {
                    Some(value) => write(out, &value),
                    None => OK,
                }
            }
            Err(failure) => respond(Err(failure), out),
        }
    })
}

unsafe extern "C" fn storage_set(
    ctx: *mut c_void,
    area: u32,
    key: qbm_wc_str,
    value: qbm_wc_str,
) -> u32 {
    guarded(|| {
        let result = text(key).and_then(|key| {
            let value = if value.ptr.is_null() {
                None
            } else {
                Some(text(value)?)
            };
            services(ctx).storage_set(area, key, value)
        });
        match result {
            Ok(()) => OK,
            Err(failure) => failure.status,
        }
    })
}

macro_rules! record_callbacks {
    ($($fn_name:ident => $variant:ident),* $(,)?) => {
        $(
            unsafe extern "C" fn $fn_name(ctx: *mut c_void, request: qbm_wc_str, out: *const qbm_wc_sink) -> u32 {
                guarded(|| {
                    let result = text(request).and_then(|request| services(ctx).call(Callback::$variant, request));
                    respond(result, out)
                })
            }
        )*
    };
}

record_callbacks!(
    items_query => ItemsQuery,
    items_create => ItemsCreate,
    items_update => ItemsUpdate,
    locations_list => LocationsList,
    stock_on_hand => StockOnHand,
    accounts_list => AccountsList,
    customers_find => CustomersFind,
    customers_create => CustomersCreate,
    orders_create => OrdersCreate,
    orders_query => OrdersQuery,
    links_get => LinksGet,
    links_put => LinksPut,
);

unsafe extern "C" fn progress(
    ctx: *mut c_void,
    call_id: u64,
    done: u64,
    total: u64,
    message: qbm_wc_str,
) -> u32 {
    guarded(|| {
        let message = text(message).unwrap_or("");
        if services(ctx).progress(call_id, done, total, message) {
            QBM_WC_PROGRESS_CONTINUE
        } else {
            QBM_WC_PROGRESS_CANCEL
        }
    })
}

unsafe extern "C" fn log(ctx: *mut c_void, level: u32, message: qbm_wc_str) {
    let _ = guarded(|| {
        services(ctx).log(level, text(message).unwrap_or("(not UTF-8)"));
        OK
    });
}

unsafe extern "C" fn notify(ctx: *mut c_void, level: u32, message: qbm_wc_str) {
    let _ = guarded(|| {
        services(ctx).notify(level, text(message).unwrap_or("(not UTF-8)"));
        OK
    });
}

impl HostTable {
    /// A complete ABI-1.0 table over `services`.
    pub fn new(services: Arc<dyn HostServices>) -> Box<Self> {
        let mut boxed_services = Box::new(services);
        let ctx = (&mut *boxed_services as *mut Arc<dyn HostServices>).cast::<c_void>();
        Box::new(Self {
            table: qbm_wc_host {
                struct_size: std::mem::size_of::<qbm_wc_host>(),
                abi_major: QBM_WC_ABI_MAJOR,
                abi_minor: QBM_WC_ABI_MINOR,
                host_ctx: ctx,
                get_identity: Some(get_identity),
                check_permission: Some(check_permission),
                storage_get: Some(storage_get),
                storage_set: Some(storage_set),
                items_query: Some(items_query),
                items_create: Some(items_create),
                items_update: Some(items_update),
                locations_list: Some(locations_list),
                stock_on_hand: Some(stock_on_hand),
                accounts_list: Some(accounts_list),
                customers_find: Some(customers_find),
                customers_create: Some(customers_create),
                orders_create: Some(orders_create),
                orders_query: Some(orders_query),
                links_get: Some(links_get),
                links_put: Some(links_put),
                progress: Some(progress),
                log: Some(log),
                notify: Some(notify),
            },
            _services: boxed_services,
        })
    }

    /// The table, for tests that break it on purpose (missing callbacks, wrong sizes or versions).
    pub fn table_mut(&mut self) -> &mut qbm_wc_host {
        &mut self.table
    }

    pub fn as_ptr(&self) -> *const qbm_wc_host {
        &self.table
    }
}
