//! The host callback table host-sim hands to the plugin: `extern "C"` functions that decode their
//! arguments and forward to a [`HostServices`] implementation. One of the two files of host-sim
//! with `unsafe` code (the other is `loader.rs`).
//!
//! Tables come in the layouts real hosts have: the complete ABI 1.1 table ([`HostTable::new`]),
//! an ABI 1.1 table with some optional callbacks left NULL ([`HostTable::without`]), and the
//! ABI 1.0 table ([`HostTable::v1_0`]), whose `struct_size` ends at `notify`. Every callback but
//! `request_run` first tells the services where it arrived ([`Arrival`]), so host-sim can check
//! the ABI's threading promise.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::mem::{offset_of, size_of};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::ThreadId;

use qbm_woocommerce::ffi::abi::{
    QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, QBM_WC_PROGRESS_CANCEL, QBM_WC_PROGRESS_CONTINUE,
    qbm_wc_host, qbm_wc_sink, qbm_wc_status, qbm_wc_str,
};

use crate::threads;

/// `struct_size` of an ABI 1.0 host table: it ends with `notify`.
pub const V1_0_TABLE_SIZE: usize = offset_of!(qbm_wc_host, notify) + size_of::<usize>();

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
    /// Optional, since ABI 1.1.
    StockChanges,
}

impl Callback {
    /// The field's name in the C table.
    pub fn name(self) -> &'static str {
        match self {
            Callback::ItemsQuery => "items_query",
            Callback::ItemsCreate => "items_create",
            Callback::ItemsUpdate => "items_update",
            Callback::LocationsList => "locations_list",
            Callback::StockOnHand => "stock_on_hand",
            Callback::AccountsList => "accounts_list",
            Callback::CustomersFind => "customers_find",
            Callback::CustomersCreate => "customers_create",
            Callback::OrdersCreate => "orders_create",
            Callback::OrdersQuery => "orders_query",
            Callback::LinksGet => "links_get",
            Callback::LinksPut => "links_put",
            Callback::StockChanges => "stock_changes",
        }
    }
}

/// The callbacks a host may leave NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Optional {
    Progress,
    Log,
    Notify,
    RequestRun,
    StorageCas,
    SecretGet,
    SecretSet,
    StockChanges,
}

/// The optional callbacks ABI 1.1 added.
pub const ABI_1_1_CALLBACKS: [Optional; 5] = [
    Optional::RequestRun,
    Optional::StorageCas,
    Optional::SecretGet,
    Optional::SecretSet,
    Optional::StockChanges,
];

/// Which table a host hands over.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Layout {
    /// ABI 1.1 with every callback.
    #[default]
    Complete,
    /// ABI 1.1 with these optional callbacks NULL.
    Without(Vec<Optional>),
    /// ABI 1.0: `struct_size` ends at `notify`, `abi_minor` is 0.
    V1_0,
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

/// Where a callback arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The table field that was called.
    pub callback: &'static str,
    pub thread: ThreadId,
    pub thread_name: Option<String>,
    /// The thread was inside a call into the plugin (see [`crate::threads`]).
    pub inside_plugin: bool,
    /// The plugin called a field its copy of the table must not have: beyond the host's
    /// `struct_size`, or in a table the host released after `create`.
    pub outside_table: bool,
}

/// What host-sim does when the plugin calls back. Must be usable from several threads at once.
pub trait HostServices: Send + Sync {
    fn identity(&self) -> Result<String, HostFailure>;
    fn check_permission(&self, permission: u32) -> Result<bool, HostFailure>;
    fn storage_get(&self, area: u32, key: &str) -> Result<Option<String>, HostFailure>;
    fn storage_set(&self, area: u32, key: &str, value: Option<&str>) -> Result<(), HostFailure>;
    /// Stores `value` when the current value is `expected` (`None`: absent); `true` when it did.
    fn storage_cas(
        &self,
        area: u32,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
    ) -> Result<bool, HostFailure>;
    fn secret_get(&self, key: &str) -> Result<Option<String>, HostFailure>;
    fn secret_set(&self, key: &str, value: Option<&str>) -> Result<(), HostFailure>;
    fn call(&self, callback: Callback, request: &str) -> Result<String, HostFailure>;
    /// Returns `false` when the user asked to cancel.
    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool;
    fn log(&self, level: u32, message: &str);
    fn notify(&self, level: u32, message: &str);
    /// Must not block and must not call into the plugin.
    fn request_run(&self);
    /// Called first by every callback except `request_run`.
    fn arrived(&self, arrival: Arrival) {
        let _ = arrival;
    }
}

/// What `host_ctx` points to: kept alive by the table and by every instance created with it,
/// so the table itself may be released after `create`.
#[derive(Clone)]
pub struct HostContext(Arc<ContextInner>);

struct ContextInner {
    services: Arc<dyn HostServices>,
}

impl HostContext {
    fn pointer(&self) -> *mut c_void {
        Arc::as_ptr(&self.0).cast_mut().cast()
    }

    pub fn services(&self) -> &Arc<dyn HostServices> {
        &self.0.services
    }
}

/// The C table and the context it points to; boxed so the table's address never moves.
pub struct HostTable {
    table: qbm_wc_host,
    context: HostContext,
}

// SAFETY: the table holds function pointers and a pointer to the shared, thread-safe context.
unsafe impl Send for HostTable {}
// SAFETY: as above.
unsafe impl Sync for HostTable {}

const OK: u32 = qbm_wc_status::QBM_WC_STATUS_OK as u32;
const INTERNAL: u32 = qbm_wc_status::QBM_WC_STATUS_INTERNAL as u32;
const HOST_ERROR: u32 = qbm_wc_status::QBM_WC_STATUS_HOST_ERROR as u32;
const NULL_ARGUMENT: u32 = qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT as u32;

fn services<'a>(ctx: *mut c_void) -> &'a dyn HostServices {
    // SAFETY: `ctx` is the `ContextInner` of a `HostContext` that the table and every instance
    // created with it keep alive until the instance is destroyed.
    unsafe { &*(*ctx.cast::<ContextInner>()).services }
}

/// Tells the services where `callback` arrived and returns them.
fn arrive<'a>(
    ctx: *mut c_void,
    callback: &'static str,
    outside_table: bool,
) -> &'a dyn HostServices {
    let services = services(ctx);
    let thread = std::thread::current();
    services.arrived(Arrival {
        callback,
        thread: thread.id(),
        thread_name: thread.name().map(str::to_string),
        inside_plugin: threads::inside_plugin(),
        outside_table,
    });
    services
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

/// A view that may be NULL: NULL means "no value" (removal, absence).
fn optional_text<'a>(view: qbm_wc_str) -> Result<Option<&'a str>, HostFailure> {
    if view.ptr.is_null() && view.len == 0 {
        Ok(None)
    } else {
        text(view).map(Some)
    }
}

fn write(sink: *const qbm_wc_sink, text: &str) -> u32 {
    if sink.is_null() {
        return NULL_ARGUMENT;
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
        Ok(document) => write(out, &document),
        Err(failure) => {
            write(out, &failure.message);
            failure.status
        }
    }
}

/// Writes a found flag, then the value when there is one.
fn found(
    result: Result<Option<String>, HostFailure>,
    out_found: *mut u8,
    out: *const qbm_wc_sink,
) -> u32 {
    if out_found.is_null() {
        return NULL_ARGUMENT;
    }
    match result {
        Ok(value) => {
            // SAFETY: checked non-NULL; the plugin passes a writable byte.
            unsafe { out_found.write(u8::from(value.is_some())) };
            match value {
                Some(value) => write(out, &value),
                None => OK,
            }
        }
        Err(failure) => respond(Err(failure), out),
    }
}

fn status_of(result: Result<(), HostFailure>) -> u32 {
    match result {
        Ok(()) => OK,
        Err(failure) => failure.status,
    }
}

unsafe extern "C" fn get_identity(ctx: *mut c_void, out: *const qbm_wc_sink) -> u32 {
    guarded(|| respond(arrive(ctx, "get_identity", false).identity(), out))
}

unsafe extern "C" fn check_permission(
    ctx: *mut c_void,
    permission: u32,
    out_allowed: *mut u8,
) -> u32 {
    guarded(|| {
        let services = arrive(ctx, "check_permission", false);
        if out_allowed.is_null() {
            return NULL_ARGUMENT;
        }
        match services.check_permission(permission) {
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
        let services = arrive(ctx, "storage_get", false);
        let result = text(key).and_then(|key| services.storage_get(area, key));
        found(result, out_found, out)
    })
}

unsafe extern "C" fn storage_set(
    ctx: *mut c_void,
    area: u32,
    key: qbm_wc_str,
    value: qbm_wc_str,
) -> u32 {
    guarded(|| {
        let services = arrive(ctx, "storage_set", false);
        status_of(text(key).and_then(|key| services.storage_set(area, key, optional_text(value)?)))
    })
}

unsafe extern "C" fn storage_cas(
    ctx: *mut c_void,
    area: u32,
    key: qbm_wc_str,
    expected: qbm_wc_str,
    value: qbm_wc_str,
    out_swapped: *mut u8,
) -> u32 {
    guarded(|| {
        let services = arrive(ctx, "storage_cas", false);
        if out_swapped.is_null() {
            return NULL_ARGUMENT;
        }
        let result = text(key).and_then(|key| {
            services.storage_cas(area, key, optional_text(expected)?, optional_text(value)?)
        });
        match result {
            Ok(swapped) => {
                // SAFETY: checked non-NULL; the plugin passes a writable byte.
                unsafe { out_swapped.write(u8::from(swapped)) };
                OK
            }
            Err(failure) => failure.status,
        }
    })
}

unsafe extern "C" fn secret_get(
    ctx: *mut c_void,
    key: qbm_wc_str,
    out_found: *mut u8,
    out: *const qbm_wc_sink,
) -> u32 {
    guarded(|| {
        let services = arrive(ctx, "secret_get", false);
        let result = text(key).and_then(|key| services.secret_get(key));
        found(result, out_found, out)
    })
}

unsafe extern "C" fn secret_set(ctx: *mut c_void, key: qbm_wc_str, value: qbm_wc_str) -> u32 {
    guarded(|| {
        let services = arrive(ctx, "secret_set", false);
        status_of(text(key).and_then(|key| services.secret_set(key, optional_text(value)?)))
    })
}

macro_rules! record_callbacks {
    ($($fn_name:ident => $variant:ident),* $(,)?) => {
        $(
            unsafe extern "C" fn $fn_name(ctx: *mut c_void, request: qbm_wc_str, out: *const qbm_wc_sink) -> u32 {
                guarded(|| {
                    let services = arrive(ctx, Callback::$variant.name(), false);
                    let result = text(request).and_then(|request| services.call(Callback::$variant, request));
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
    stock_changes => StockChanges,
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
        if arrive(ctx, "progress", false).progress(call_id, done, total, message) {
            QBM_WC_PROGRESS_CONTINUE
        } else {
            QBM_WC_PROGRESS_CANCEL
        }
    })
}

unsafe extern "C" fn log(ctx: *mut c_void, level: u32, message: qbm_wc_str) {
    let _ = guarded(|| {
        arrive(ctx, "log", false).log(level, text(message).unwrap_or("(not UTF-8)"));
        OK
    });
}

unsafe extern "C" fn notify(ctx: *mut c_void, level: u32, message: qbm_wc_str) {
    let _ = guarded(|| {
        arrive(ctx, "notify", false).notify(level, text(message).unwrap_or("(not UTF-8)"));
        OK
    });
}

unsafe extern "C" fn request_run(ctx: *mut c_void) {
    // Documented as callable from any thread: not checked against the threading promise.
    let _ = guarded(|| {
        services(ctx).request_run();
        OK
    });
}

/// Callbacks the plugin must never reach: the fields of a 1.0 table beyond its `struct_size`,
/// and every field of a table released after `create`. Each records the call and fails.
mod trap {
    use super::*;

    fn caught(ctx: *mut c_void, callback: &'static str) -> u32 {
        guarded(|| {
            arrive(ctx, callback, true);
            HOST_ERROR
        })
    }

    pub unsafe extern "C" fn get_identity(ctx: *mut c_void, _: *const qbm_wc_sink) -> u32 {
        caught(ctx, "get_identity")
    }
    pub unsafe extern "C" fn check_permission(ctx: *mut c_void, _: u32, _: *mut u8) -> u32 {
        caught(ctx, "check_permission")
    }
    pub unsafe extern "C" fn storage_get(
        ctx: *mut c_void,
        _: u32,
        _: qbm_wc_str,
        _: *mut u8,
        _: *const qbm_wc_sink,
    ) -> u32 {
        caught(ctx, "storage_get")
    }
    pub unsafe extern "C" fn storage_set(
        ctx: *mut c_void,
        _: u32,
        _: qbm_wc_str,
        _: qbm_wc_str,
    ) -> u32 {
        caught(ctx, "storage_set")
    }
    pub unsafe extern "C" fn record(ctx: *mut c_void, _: qbm_wc_str, _: *const qbm_wc_sink) -> u32 {
        caught(ctx, "a record callback")
    }
    pub unsafe extern "C" fn progress(
        ctx: *mut c_void,
        _: u64,
        _: u64,
        _: u64,
        _: qbm_wc_str,
    ) -> u32 {
        caught(ctx, "progress")
    }
    pub unsafe extern "C" fn log(ctx: *mut c_void, _: u32, _: qbm_wc_str) {
        caught(ctx, "log");
    }
    pub unsafe extern "C" fn notify(ctx: *mut c_void, _: u32, _: qbm_wc_str) {
        caught(ctx, "notify");
    }
    pub unsafe extern "C" fn request_run(ctx: *mut c_void) {
        caught(ctx, "request_run");
    }
    pub unsafe extern "C" fn storage_cas(
        ctx: *mut c_void,
        _: u32,
        _: qbm_wc_str,
        _: qbm_wc_str,
        _: qbm_wc_str,
        _: *mut u8,
    ) -> u32 {
        caught(ctx, "storage_cas")
    }
    pub unsafe extern "C" fn secret_get(
        ctx: *mut c_void,
        _: qbm_wc_str,
        _: *mut u8,
        _: *const qbm_wc_sink,
    ) -> u32 {
        caught(ctx, "secret_get")
    }
    pub unsafe extern "C" fn secret_set(ctx: *mut c_void, _: qbm_wc_str, _: qbm_wc_str) -> u32 {
        caught(ctx, "secret_set")
    }
}

impl HostTable {
    /// The complete ABI 1.1 table over `services`.
    pub fn new(services: Arc<dyn HostServices>) -> Box<Self> {
        let context = HostContext(Arc::new(ContextInner { services }));
        Box::new(Self {
            table: qbm_wc_host {
                struct_size: size_of::<qbm_wc_host>(),
                abi_major: QBM_WC_ABI_MAJOR,
                abi_minor: QBM_WC_ABI_MINOR,
                host_ctx: context.pointer(),
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
                request_run: Some(request_run),
                storage_cas: Some(storage_cas),
                secret_get: Some(secret_get),
                secret_set: Some(secret_set),
                stock_changes: Some(stock_changes),
            },
            context,
        })
    }

    /// An ABI 1.1 table whose `missing` optional callbacks are NULL.
    pub fn without(services: Arc<dyn HostServices>, missing: &[Optional]) -> Box<Self> {
        let mut host = Self::new(services);
        let table = &mut host.table;
        for callback in missing {
            match callback {
                Optional::Progress => table.progress = None,
                Optional::Log => table.log = None,
                Optional::Notify => table.notify = None,
                Optional::RequestRun => table.request_run = None,
                Optional::StorageCas => table.storage_cas = None,
                Optional::SecretGet => table.secret_get = None,
                Optional::SecretSet => table.secret_set = None,
                Optional::StockChanges => table.stock_changes = None,
            }
        }
        host
    }

    /// The table of a host built against the ABI 1.0 header: `struct_size` ends at `notify`
    /// and `abi_minor` is 0. The memory after it holds traps, not NULL, so a plugin that read
    /// beyond `struct_size` would be caught calling them.
    pub fn v1_0(services: Arc<dyn HostServices>) -> Box<Self> {
        let mut host = Self::new(services);
        let table = &mut host.table;
        table.struct_size = V1_0_TABLE_SIZE;
        table.abi_minor = 0;
        table.request_run = Some(trap::request_run);
        table.storage_cas = Some(trap::storage_cas);
        table.secret_get = Some(trap::secret_get);
        table.secret_set = Some(trap::secret_set);
        table.stock_changes = Some(trap::record);
        host
    }

    /// The table for `layout`.
    pub fn with_layout(services: Arc<dyn HostServices>, layout: &Layout) -> Box<Self> {
        match layout {
            Layout::Complete => Self::new(services),
            Layout::Without(missing) => Self::without(services, missing),
            Layout::V1_0 => Self::v1_0(services),
        }
    }

    /// Replaces every callback with a trap, as if the memory had been reused: what a host that
    /// releases its table after `create` leaves behind.
    pub fn scribble(&mut self) {
        let t = &mut self.table;
        t.get_identity = Some(trap::get_identity);
        t.check_permission = Some(trap::check_permission);
        t.storage_get = Some(trap::storage_get);
        t.storage_set = Some(trap::storage_set);
        for field in [
            &mut t.items_query,
            &mut t.items_create,
            &mut t.items_update,
            &mut t.locations_list,
            &mut t.stock_on_hand,
            &mut t.accounts_list,
            &mut t.customers_find,
            &mut t.customers_create,
            &mut t.orders_create,
            &mut t.orders_query,
            &mut t.links_get,
            &mut t.links_put,
            &mut t.stock_changes,
        ] {
            *field = Some(trap::record);
        }
        t.progress = Some(trap::progress);
        t.log = Some(trap::log);
        t.notify = Some(trap::notify);
        t.request_run = Some(trap::request_run);
        t.storage_cas = Some(trap::storage_cas);
        t.secret_get = Some(trap::secret_get);
        t.secret_set = Some(trap::secret_set);
    }

    /// The table, for tests that break it on purpose (missing callbacks, wrong sizes or versions).
    pub fn table_mut(&mut self) -> &mut qbm_wc_host {
        &mut self.table
    }

    pub fn as_ptr(&self) -> *const qbm_wc_host {
        &self.table
    }

    /// What `host_ctx` points to; whoever holds it keeps the callbacks' context alive.
    pub fn context(&self) -> HostContext {
        self.context.clone()
    }
}
