//! Shared by the defect, fault-matrix, misuse, fuzz and two-workstation tests: a host whose
//! callbacks a test can make fail, block, answer garbage or call back into the plugin; an
//! instance driven through the raw C table (for what host-sim's loader never does on purpose,
//! such as `destroy` from inside a callback); short network timeouts set through the plugin's
//! own configuration; and before/after views of the store and the company.
#![allow(dead_code)]
#![allow(unsafe_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use host_sim::company::Company;
use host_sim::company::records::{Item, ItemsQuery, Link, LinksQuery, OrdersQuery};
use host_sim::host_table::{Arrival, Callback, HostFailure, HostServices, HostTable, Layout};
use host_sim::loader::PluginLibrary;
use host_sim::services::SimHost;
use host_sim::store::SimStore;
use host_sim::threads::in_plugin;
use qbm_woocommerce::ffi::abi::{
    QBM_WC_AREA_WORKSTATION_OPTIONS, qbm_wc_buffer, qbm_wc_plugin, qbm_wc_status, qbm_wc_str,
};
use serde_json::{Value, json};

/// The longest any of these tests waits for something that must happen; a broken promise (a
/// deadlock, a loop that never ends) fails the wait instead of hanging the suite.
pub const BOUND: Duration = Duration::from_secs(60);

/// The network timeouts the fault tests run with, set through the plugin's configuration
/// (`network_timeouts` in the workstation's option storage): every deadline the plugin
/// promises is then proved in seconds. The store's latency faults stay below `request_ms`, and
/// the fixtures' pages answer far quicker than it even on a loaded machine.
pub const FAST: Fast = Fast {
    connect_ms: 2_000,
    request_ms: 3_000,
    idle_ms: 1_000,
    probe_ms: 3_000,
    action_deadline_ms: 6_000,
    retry_backoff_ms: 10,
};

/// Network timeouts in milliseconds, as the plugin reads them.
#[derive(Debug, Clone, Copy)]
pub struct Fast {
    pub connect_ms: u64,
    pub request_ms: u64,
    pub idle_ms: u64,
    pub probe_ms: u64,
    pub action_deadline_ms: u64,
    pub retry_backoff_ms: u64,
}

impl Fast {
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.action_deadline_ms)
    }

    /// The longest a read may take with retries: every attempt to its request timeout.
    pub fn document(&self) -> Value {
        json!({
            "connect_ms": self.connect_ms,
            "request_ms": self.request_ms,
            "idle_ms": self.idle_ms,
            "probe_ms": self.probe_ms,
            "action_deadline_ms": self.action_deadline_ms,
            "retry_backoff_ms": self.retry_backoff_ms,
        })
    }
}

/// Stores `timeouts` as workstation `workstation`'s network timeouts in `company`.
pub fn set_timeouts(company: &Company, workstation: &str, timeouts: &Fast) {
    company
        .storage_set(
            QBM_WC_AREA_WORKSTATION_OPTIONS,
            workstation,
            "network_timeouts",
            Some(&timeouts.document().to_string()),
        )
        .expect("the timeouts can be stored");
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A host callback as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cb {
    Identity,
    Permission(u32),
    StorageGet { area: u32, key: String },
    StorageSet { area: u32, key: String },
    StorageCas { area: u32, key: String },
    SecretGet,
    SecretSet,
    Call(Callback, String),
    Progress { call_id: u64, done: u64 },
    Log(String),
    Notify(String),
}

/// What a hook makes the callback do.
pub enum Reply {
    /// What host-sim's company would answer.
    Pass,
    /// Fail with this status and message.
    Fail(qbm_wc_status, String),
    /// Answer this text (a record callback's document, a stored value, the identity).
    Text(String),
    /// A stored value that is absent.
    Absent,
    /// For `progress`: `false` asks the plugin to cancel.
    Continue(bool),
}

pub type Hook = Arc<dyn Fn(&Cb) -> Reply + Send + Sync>;

/// host-sim's company host with a hook in front of every callback.
pub struct Hooked {
    pub sim: Arc<SimHost>,
    hook: Mutex<Option<Hook>>,
    /// Callbacks that arrived, in order (only their kind and key, not their documents).
    seen: Mutex<Vec<Cb>>,
}

impl Hooked {
    pub fn new(sim: Arc<SimHost>) -> Arc<Self> {
        Arc::new(Self {
            sim,
            hook: Mutex::new(None),
            seen: Mutex::new(Vec::new()),
        })
    }

    pub fn set_hook(&self, hook: impl Fn(&Cb) -> Reply + Send + Sync + 'static) {
        *lock(&self.hook) = Some(Arc::new(hook));
    }

    pub fn clear_hook(&self) {
        *lock(&self.hook) = None;
    }

    pub fn seen(&self) -> Vec<Cb> {
        lock(&self.seen).clone()
    }

    fn run(&self, cb: Cb) -> Reply {
        let hook = lock(&self.hook).clone();
        let short = match &cb {
            Cb::Call(callback, _) => Cb::Call(*callback, String::new()),
            other => other.clone(),
        };
        lock(&self.seen).push(short);
        // The hook runs without any lock of this host held: it may block or call the plugin.
        hook.map_or(Reply::Pass, |hook| hook(&cb))
    }
}

fn fail(status: qbm_wc_status, message: String) -> HostFailure {
    HostFailure::new(status, message)
}

impl HostServices for Hooked {
    fn identity(&self) -> Result<String, HostFailure> {
        match self.run(Cb::Identity) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            Reply::Text(t) => Ok(t),
            _ => self.sim.identity(),
        }
    }

    fn check_permission(&self, permission: u32) -> Result<bool, HostFailure> {
        match self.run(Cb::Permission(permission)) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            Reply::Continue(allowed) => Ok(allowed),
            _ => self.sim.check_permission(permission),
        }
    }

    fn storage_get(&self, area: u32, key: &str) -> Result<Option<String>, HostFailure> {
        match self.run(Cb::StorageGet {
            area,
            key: key.to_string(),
        }) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            Reply::Text(t) => Ok(Some(t)),
            Reply::Absent => Ok(None),
            _ => self.sim.storage_get(area, key),
        }
    }

    fn storage_set(&self, area: u32, key: &str, value: Option<&str>) -> Result<(), HostFailure> {
        match self.run(Cb::StorageSet {
            area,
            key: key.to_string(),
        }) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            _ => self.sim.storage_set(area, key, value),
        }
    }

    fn storage_cas(
        &self,
        area: u32,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
    ) -> Result<bool, HostFailure> {
        match self.run(Cb::StorageCas {
            area,
            key: key.to_string(),
        }) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            Reply::Continue(swapped) => Ok(swapped),
            _ => self.sim.storage_cas(area, key, expected, value),
        }
    }

    fn secret_get(&self, key: &str) -> Result<Option<String>, HostFailure> {
        match self.run(Cb::SecretGet) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            Reply::Text(t) => Ok(Some(t)),
            Reply::Absent => Ok(None),
            _ => self.sim.secret_get(key),
        }
    }

    fn secret_set(&self, key: &str, value: Option<&str>) -> Result<(), HostFailure> {
        match self.run(Cb::SecretSet) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            _ => self.sim.secret_set(key, value),
        }
    }

    fn call(&self, callback: Callback, request: &str) -> Result<String, HostFailure> {
        match self.run(Cb::Call(callback, request.to_string())) {
            Reply::Fail(s, m) => Err(fail(s, m)),
            Reply::Text(t) => Ok(t),
            _ => self.sim.call(callback, request),
        }
    }

    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool {
        let keep_going = self.sim.progress(call_id, done, total, message);
        match self.run(Cb::Progress { call_id, done }) {
            Reply::Continue(go) => go && keep_going,
            _ => keep_going,
        }
    }

    fn log(&self, level: u32, message: &str) {
        self.sim.log(level, message);
        self.run(Cb::Log(message.to_string()));
    }

    fn notify(&self, level: u32, message: &str) {
        self.sim.notify(level, message);
        self.run(Cb::Notify(message.to_string()));
    }

    fn request_run(&self) {
        self.sim.request_run();
    }

    fn arrived(&self, arrival: Arrival) {
        self.sim.arrived(arrival);
    }
}

/// An instance made and driven through the raw C function table, as a host written from the
/// header alone would; its handle can be handed to code running inside callbacks.
pub struct Raw {
    pub lib: Arc<PluginLibrary>,
    pub handle: usize,
    // Kept until the instance is destroyed: its callbacks point into it.
    table: Box<HostTable>,
    destroyed: std::sync::atomic::AtomicBool,
}

// SAFETY: the handle is a number the plugin looks up; every function but `destroy` is
// `[thread-safe]`, and `destroy` runs once (in `destroy` or Drop).
unsafe impl Send for Raw {}
// SAFETY: as above.
unsafe impl Sync for Raw {}

fn view(bytes: &[u8]) -> qbm_wc_str {
    qbm_wc_str {
        ptr: bytes.as_ptr().cast(),
        len: bytes.len(),
    }
}

/// The plugin's answer to one raw call: its status, its document (on success) and its message.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u32,
    pub name: String,
    pub text: String,
    pub message: String,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.status == qbm_wc_status::QBM_WC_STATUS_OK as u32
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

impl Raw {
    pub fn create(
        lib: &Arc<PluginLibrary>,
        services: Arc<dyn HostServices>,
        layout: &Layout,
    ) -> Raw {
        let table = HostTable::with_layout(services, layout);
        let mut raw: *mut qbm_wc_plugin = std::ptr::null_mut();
        // SAFETY: a complete table that lives as long as the instance, a writable out pointer.
        let status = in_plugin(|| unsafe { (lib.entry().create)(table.as_ptr(), &mut raw) });
        assert_eq!(status as u32, 0, "create: {}", lib.error(status as u32));
        Raw {
            lib: Arc::clone(lib),
            handle: raw as usize,
            table,
            destroyed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn plugin(&self) -> *mut qbm_wc_plugin {
        self.handle as *mut qbm_wc_plugin
    }

    fn finish(&self, status: u32, mut buf: qbm_wc_buffer) -> Answer {
        let message = if status == 0 {
            String::new()
        } else {
            self.lib.error(status).message
        };
        let text = if buf.ptr.is_null() {
            String::new()
        } else {
            // SAFETY: the plugin wrote `len` bytes at `ptr`.
            let bytes = unsafe { std::slice::from_raw_parts(buf.ptr.cast::<u8>(), buf.len) };
            String::from_utf8_lossy(bytes).into_owned()
        };
        // SAFETY: a buffer the plugin filled (or an empty one), freed once.
        in_plugin(|| unsafe { (self.lib.entry().buffer_free)(&mut buf) });
        Answer {
            status,
            name: self.lib.status_name(status),
            text,
            message,
        }
    }

    /// `invoke_action` with arbitrary bytes.
    pub fn invoke(&self, request: &[u8]) -> Answer {
        invoke_on(&self.lib, self.handle, request)
    }

    /// `options_save` with a document; the report is the answer's text also on failure.
    pub fn options_save(&self, document: &Value) -> Answer {
        let text = document.to_string();
        let mut buf = qbm_wc_buffer {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        // SAFETY: the plugin checks the handle; the view points at `text`; writable buffer.
        let status = in_plugin(|| unsafe {
            (self.lib.entry().options_save)(self.plugin(), view(text.as_bytes()), &mut buf)
        });
        self.finish(status as u32, buf)
    }

    pub fn options_get(&self) -> Answer {
        let mut buf = qbm_wc_buffer {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        // SAFETY: a handle (live or not, the plugin checks) and a writable buffer.
        let status =
            in_plugin(|| unsafe { (self.lib.entry().options_get)(self.plugin(), &mut buf) });
        self.finish(status as u32, buf)
    }

    pub fn cancel(&self, call_id: u64) -> u32 {
        // SAFETY: `cancel_action` takes any handle and checks it.
        in_plugin(|| unsafe { (self.lib.entry().cancel_action)(self.plugin(), call_id) }) as u32
    }

    /// `destroy`; returns the last error it left on this thread (empty when it released the
    /// instance).
    pub fn destroy(&self) -> String {
        destroy_on(&self.lib, self.handle).unwrap_or_else(|| {
            self.destroyed.store(true, Ordering::SeqCst);
            String::new()
        })
    }
}

/// `invoke_action` on handle `handle` of `lib` (possibly from inside a callback).
pub fn invoke_on(lib: &PluginLibrary, handle: usize, request: &[u8]) -> Answer {
    let mut buf = qbm_wc_buffer {
        ptr: std::ptr::null_mut(),
        len: 0,
    };
    // SAFETY: the plugin checks the handle; the view points at `request`; writable buffer.
    let status = in_plugin(|| unsafe {
        (lib.entry().invoke_action)(handle as *mut qbm_wc_plugin, view(request), &mut buf)
    }) as u32;
    let message = if status == 0 {
        String::new()
    } else {
        lib.error(status).message
    };
    let text = if buf.ptr.is_null() {
        String::new()
    } else {
        // SAFETY: the plugin wrote `len` bytes at `ptr`.
        let bytes = unsafe { std::slice::from_raw_parts(buf.ptr.cast::<u8>(), buf.len) };
        String::from_utf8_lossy(bytes).into_owned()
    };
    // SAFETY: freed once.
    in_plugin(|| unsafe { (lib.entry().buffer_free)(&mut buf) });
    Answer {
        status,
        name: lib.status_name(status),
        text,
        message,
    }
}

/// `destroy(handle)`: `None` when it released something (no message was set), else the
/// message it left. The message is cleared first, so an old one is not mistaken for it.
pub fn destroy_on(lib: &PluginLibrary, handle: usize) -> Option<String> {
    // A refused destroy sets the last error; a successful one leaves it as it was. A length
    // query cannot clear it, so a marker call that fails with a known text goes first.
    let marker = invoke_on(lib, 0x10, b"marker");
    assert_ne!(marker.status, 0);
    // SAFETY: `destroy` checks the handle and never dereferences it.
    in_plugin(|| unsafe { (lib.entry().destroy)(handle as *mut qbm_wc_plugin) });
    let (_, after, _) = lib.last_error_into(4096);
    (after != marker.message).then_some(after)
}

impl Drop for Raw {
    fn drop(&mut self) {
        if !self.destroyed.load(Ordering::SeqCst) {
            // SAFETY: created by this library, destroyed once.
            in_plugin(|| unsafe { (self.lib.entry().destroy)(self.plugin()) });
        }
        let _ = &self.table;
    }
}

/// What the store holds, for before/after comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreView {
    /// Product and variation ids with their SKU and stock.
    pub products: BTreeMap<u64, (String, Option<i64>)>,
    pub customers: usize,
    pub orders: usize,
}

impl StoreView {
    pub fn of(store: &SimStore) -> StoreView {
        store.with_data(|d| StoreView {
            products: d
                .products
                .values()
                .map(|p| (p.id, (p.sku.clone(), p.stock_quantity)))
                .collect(),
            customers: d.customers.len(),
            orders: d.orders.len(),
        })
    }

    /// SKUs held by more than one product: duplicates a retry would have made.
    pub fn duplicate_skus(&self) -> Vec<String> {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for (sku, _) in self.products.values() {
            if !sku.trim().is_empty() {
                *count.entry(sku.trim().to_lowercase()).or_default() += 1;
            }
        }
        count
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(sku, _)| sku)
            .collect()
    }
}

/// What the company holds, for before/after comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyView {
    pub items: Vec<Item>,
    pub links: Vec<Link>,
    pub customers: usize,
    pub orders: usize,
}

impl CompanyView {
    pub fn of(company: &Company) -> CompanyView {
        let items = company
            .items_query(&ItemsQuery::default())
            .expect("items can be listed");
        let mut links = Vec::new();
        for kind in ["item", "customer", "order"] {
            links.extend(
                company
                    .links_get(&LinksQuery {
                        kind: kind.into(),
                        woo_ids: None,
                        qbm_ids: None,
                    })
                    .expect("links can be listed"),
            );
        }
        let customers = company
            .customers_find(&Default::default())
            .map(|c| c.len())
            .unwrap_or(0);
        let orders = company
            .orders_query(&OrdersQuery {
                ids: None,
                reference: None,
                from: None,
                to: None,
            })
            .map(|o| o.len())
            .unwrap_or(0);
        CompanyView {
            items,
            links,
            customers,
            orders,
        }
    }

    /// Items that share a SKU, and WooCommerce ids or QBM records linked twice.
    pub fn duplicates(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut skus = BTreeSet::new();
        for item in &self.items {
            if let Some(sku) = item.sku.as_deref().map(str::trim).filter(|s| !s.is_empty())
                && !skus.insert(sku.to_lowercase())
            {
                out.push(format!("two items with SKU {sku}"));
            }
        }
        let mut woo = BTreeSet::new();
        let mut qbm = BTreeSet::new();
        for link in &self.links {
            if !woo.insert((link.kind.clone(), link.woo_id.clone())) {
                out.push(format!("{} {} linked twice", link.kind, link.woo_id));
            }
            if !qbm.insert((link.kind.clone(), link.qbm_id.clone())) {
                out.push(format!("QBM {} {} linked twice", link.kind, link.qbm_id));
            }
        }
        out
    }

    /// Item ids that were here in `before` and are gone now.
    pub fn lost_since(&self, before: &CompanyView) -> Vec<String> {
        let now: BTreeSet<_> = self.items.iter().filter_map(|i| i.id.clone()).collect();
        let mut lost: Vec<String> = before
            .items
            .iter()
            .filter_map(|i| i.id.clone())
            .filter(|id| !now.contains(id))
            .collect();
        let links_now: BTreeSet<_> = self
            .links
            .iter()
            .map(|l| (l.kind.clone(), l.woo_id.clone()))
            .collect();
        lost.extend(
            before
                .links
                .iter()
                .filter(|l| !links_now.contains(&(l.kind.clone(), l.woo_id.clone())))
                .map(|l| format!("link {} {}", l.kind, l.woo_id)),
        );
        lost
    }
}

/// Counts calls so a test can wait for "the n-th callback arrived" without sleeping.
#[derive(Default)]
pub struct Gate {
    count: Mutex<usize>,
    changed: std::sync::Condvar,
    open: Mutex<bool>,
    opened: std::sync::Condvar,
}

impl Gate {
    /// Counts one arrival and waits (at most [`BOUND`]) until the gate is opened. `false` when
    /// it was never opened: the caller reports the deadlock.
    pub fn arrive_and_wait(&self) -> bool {
        *lock(&self.count) += 1;
        self.changed.notify_all();
        let open = lock(&self.open);
        let (open, timeout) = self
            .opened
            .wait_timeout_while(open, BOUND, |open| !*open)
            .unwrap_or_else(PoisonError::into_inner);
        !timeout.timed_out() || *open
    }

    /// Waits (at most [`BOUND`]) until `n` arrivals were counted.
    pub fn wait_for(&self, n: usize) -> bool {
        let count = lock(&self.count);
        let (count, _) = self
            .changed
            .wait_timeout_while(count, BOUND, |count| *count < n)
            .unwrap_or_else(PoisonError::into_inner);
        *count >= n
    }

    pub fn arrivals(&self) -> usize {
        *lock(&self.count)
    }

    pub fn open(&self) {
        *lock(&self.open) = true;
        self.opened.notify_all();
    }
}

/// A counter shared with hooks.
pub fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}
