//! host-sim's answers to the plugin's callbacks, over the simulated company and a session (the
//! logged-in user and the workstation).
//!
//! A [`SimHost`] is one running QBM: one workstation with one logged-in user. Several of them
//! may share one company (the same [`Company`], or the same company file opened twice, as two
//! workstations do).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::ThreadId;

use qbm_woocommerce::ffi::abi::{
    QBM_WC_AREA_COMPANY_OPTIONS, QBM_WC_AREA_COMPANY_STATE, QBM_WC_AREA_WORKSTATION_OPTIONS,
    QBM_WC_AREA_WORKSTATION_STATE, QBM_WC_PERMISSION_ADMINISTER_OPTIONS,
    QBM_WC_PERMISSION_CREATE_CUSTOMERS, QBM_WC_PERMISSION_CREATE_SALES_ORDERS,
    QBM_WC_PERMISSION_CREATE_UPDATE_ITEMS, qbm_wc_status,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::company::records::{
    AccountsQuery, Customer, CustomersQuery, Item, ItemPatch, ItemsQuery, LinkList, LinksQuery,
    Order, OrdersQuery, StockChangesQuery, StockQuery, WooRef,
};
use crate::company::{Company, CompanyError, Created};
use crate::host_table::{Arrival, Callback, HostFailure, HostServices};
use crate::job_loop::RunSignal;
use crate::progress::ProgressView;

/// One progress report received from the plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressEvent {
    pub call_id: u64,
    pub done: u64,
    pub total: u64,
    pub message: String,
}

/// The host side of a running QBM: the company, who is logged in, and what the plugin said.
pub struct SimHost {
    company: Arc<Company>,
    user: RwLock<String>,
    workstation: RwLock<String>,
    /// Answer "cancel" once a progress report reaches this many done steps.
    cancel_at: Mutex<Option<u64>>,
    /// Where progress is shown (the CLI and the demo), or nowhere (tests).
    progress_view: Option<ProgressView>,
    progress: Mutex<Vec<ProgressEvent>>,
    host_log: Mutex<Vec<(u32, String)>>,
    notifications: Mutex<Vec<(u32, String)>>,
    calls: Mutex<HashMap<Callback, usize>>,
    arrivals: Mutex<Arrivals>,
    /// Answers to lose after the change was made: (callback, how many more).
    lost_answers: Mutex<HashMap<Callback, usize>>,
    run_signal: Arc<RunSignal>,
}

/// Where callbacks arrived.
#[derive(Default)]
struct Arrivals {
    threads: HashMap<ThreadId, Option<String>>,
    violations: Vec<String>,
    count: usize,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn failure(err: CompanyError) -> HostFailure {
    let status = match &err {
        CompanyError::NotFound(_) => qbm_wc_status::QBM_WC_STATUS_NOT_FOUND,
        CompanyError::Invalid(_) => qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT,
        CompanyError::Conflict(_) | CompanyError::Sqlite(_) => {
            qbm_wc_status::QBM_WC_STATUS_HOST_ERROR
        }
    };
    HostFailure::new(status, err.to_string())
}

fn parse<T: DeserializeOwned>(request: &str) -> Result<T, HostFailure> {
    serde_json::from_str(request).map_err(|err| {
        HostFailure::new(
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
            format!("host-sim: {err}"),
        )
    })
}

fn secret_failure(err: std::io::Error) -> HostFailure {
    HostFailure::new(
        qbm_wc_status::QBM_WC_STATUS_HOST_ERROR,
        format!("host-sim: the protected storage could not be used: {err}"),
    )
}

/// A create request: the record, and since ABI 1.1 the WooCommerce record it is made from.
fn parse_create<T: DeserializeOwned>(request: &str) -> Result<(T, Option<WooRef>), HostFailure> {
    let mut document: serde_json::Value = parse(request)?;
    let woo = match document.as_object_mut().and_then(|map| map.remove("woo")) {
        None | Some(serde_json::Value::Null) => None,
        Some(woo) => Some(serde_json::from_value(woo).map_err(|err| {
            HostFailure::new(
                qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
                format!("host-sim: \"woo\": {err}"),
            )
        })?),
    };
    let record = serde_json::from_value(document).map_err(|err| {
        HostFailure::new(
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
            format!("host-sim: {err}"),
        )
    })?;
    Ok((record, woo))
}

/// The created (or already linked) record with `"existing"`.
fn created<T: Serialize>(created: Created<T>) -> Result<String, HostFailure> {
    let mut document = serde_json::to_value(&created.record).map_err(|err| {
        HostFailure::new(
            qbm_wc_status::QBM_WC_STATUS_INTERNAL,
            format!("host-sim: {err}"),
        )
    })?;
    document["existing"] = json!(created.existing);
    encode(&document)
}

fn encode(value: &impl Serialize) -> Result<String, HostFailure> {
    serde_json::to_string(value).map_err(|err| {
        HostFailure::new(
            qbm_wc_status::QBM_WC_STATUS_INTERNAL,
            format!("host-sim: {err}"),
        )
    })
}

impl SimHost {
    pub fn new(company: Arc<Company>, user: &str, workstation: &str) -> Arc<Self> {
        Self::build(company, user, workstation, false)
    }

    /// Like [`SimHost::new`], printing progress reports to standard error (for the CLI).
    pub fn printing(company: Arc<Company>, user: &str, workstation: &str) -> Arc<Self> {
        Self::build(company, user, workstation, true)
    }

    fn build(
        company: Arc<Company>,
        user: &str,
        workstation: &str,
        print_progress: bool,
    ) -> Arc<Self> {
        Arc::new(Self {
            company,
            user: RwLock::new(user.to_string()),
            workstation: RwLock::new(workstation.to_string()),
            cancel_at: Mutex::new(None),
            progress_view: print_progress.then(ProgressView::for_stderr),
            progress: Mutex::new(Vec::new()),
            host_log: Mutex::new(Vec::new()),
            notifications: Mutex::new(Vec::new()),
            calls: Mutex::new(HashMap::new()),
            arrivals: Mutex::new(Arrivals::default()),
            lost_answers: Mutex::new(HashMap::new()),
            run_signal: Arc::new(RunSignal::default()),
        })
    }

    pub fn company(&self) -> &Arc<Company> {
        &self.company
    }

    /// Clears a progress bar once the action it belonged to answered.
    pub fn finish_progress(&self) {
        if let Some(view) = &self.progress_view {
            view.finish();
        }
    }

    pub fn user(&self) -> String {
        self.user
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Logs another user in (the plugin instance stays).
    pub fn set_user(&self, login: &str) {
        *self.user.write().unwrap_or_else(PoisonError::into_inner) = login.to_string();
    }

    pub fn workstation(&self) -> String {
        self.workstation
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_workstation(&self, name: &str) {
        *self
            .workstation
            .write()
            .unwrap_or_else(PoisonError::into_inner) = name.to_string();
    }

    /// Makes the "user" press Cancel once progress reaches `done` steps (`None`: never).
    pub fn cancel_at(&self, done: Option<u64>) {
        *lock(&self.cancel_at) = done;
    }

    pub fn progress_events(&self) -> Vec<ProgressEvent> {
        lock(&self.progress).clone()
    }

    pub fn host_log(&self) -> Vec<(u32, String)> {
        lock(&self.host_log).clone()
    }

    pub fn notifications(&self) -> Vec<(u32, String)> {
        lock(&self.notifications).clone()
    }

    /// How many times the plugin called `callback`.
    pub fn call_count(&self, callback: Callback) -> usize {
        lock(&self.calls).get(&callback).copied().unwrap_or(0)
    }

    /// Callbacks that broke the ABI's threading promise or read a table field they must not:
    /// each says which callback, on which thread, and what was wrong. Tests assert it is empty.
    pub fn violations(&self) -> Vec<String> {
        lock(&self.arrivals).violations.clone()
    }

    /// The threads callbacks arrived on (except `request_run`, which may come from anywhere).
    pub fn callback_threads(&self) -> HashSet<ThreadId> {
        lock(&self.arrivals).threads.keys().copied().collect()
    }

    /// How many callbacks arrived (except `request_run`).
    pub fn callback_count(&self) -> usize {
        lock(&self.arrivals).count
    }

    /// Forgets where callbacks arrived so far.
    pub fn clear_arrivals(&self) {
        *lock(&self.arrivals) = Arrivals::default();
    }

    /// Wakes the job loop: what `request_run` does.
    pub fn run_signal(&self) -> &Arc<RunSignal> {
        &self.run_signal
    }

    /// Makes the next `times` calls of `callback` do their work and commit it, then fail as if
    /// the answer had been lost on the way back (the database connection broke after the
    /// commit). The plugin sees a failure; the company has the change.
    pub fn lose_answers(&self, callback: Callback, times: usize) {
        lock(&self.lost_answers).insert(callback, times);
    }

    fn answer_lost(&self, callback: Callback) -> bool {
        let mut lost = lock(&self.lost_answers);
        match lost.get_mut(&callback) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }

    /// The document answering one record callback.
    fn answer(&self, callback: Callback, request: &str) -> Result<String, HostFailure> {
        let company = &self.company;
        match callback {
            Callback::ItemsQuery => {
                let query: ItemsQuery = parse(request)?;
                encode(&json!({ "items": company.items_query(&query).map_err(failure)? }))
            }
            Callback::ItemsCreate => {
                let (item, woo): (Item, _) = parse_create(request)?;
                created(
                    company
                        .items_create_linked(&item, woo.as_ref())
                        .map_err(failure)?,
                )
            }
            Callback::ItemsUpdate => {
                let patch: ItemPatch = parse(request)?;
                encode(&company.items_update(&patch).map_err(failure)?)
            }
            Callback::LocationsList => {
                encode(&json!({ "locations": company.locations().map_err(failure)? }))
            }
            Callback::StockOnHand => {
                let query: StockQuery = parse(request)?;
                let levels = company
                    .stock_on_hand(&query.item_ids, &query.location_ids)
                    .map_err(failure)?;
                encode(&json!({ "quantities": levels }))
            }
            Callback::StockChanges => {
                let query: StockChangesQuery = parse(request)?;
                let (cursor, item_ids) = company
                    .stock_changes(query.cursor.as_deref(), query.since, &query.location_ids)
                    .map_err(failure)?;
                encode(&json!({ "cursor": cursor, "item_ids": item_ids }))
            }
            Callback::AccountsList => {
                let query: AccountsQuery = parse(request)?;
                encode(&json!({ "accounts": company.accounts(&query.kinds).map_err(failure)? }))
            }
            Callback::CustomersFind => {
                let query: CustomersQuery = parse(request)?;
                encode(&json!({ "customers": company.customers_find(&query).map_err(failure)? }))
            }
            Callback::CustomersCreate => {
                let (customer, woo): (Customer, _) = parse_create(request)?;
                created(
                    company
                        .customers_create_linked(&customer, woo.as_ref())
                        .map_err(failure)?,
                )
            }
            Callback::OrdersCreate => {
                let (order, woo): (Order, _) = parse_create(request)?;
                created(
                    company
                        .orders_create_linked(&order, woo.as_ref())
                        .map_err(failure)?,
                )
            }
            Callback::OrdersQuery => {
                let query: OrdersQuery = parse(request)?;
                encode(&json!({ "orders": company.orders_query(&query).map_err(failure)? }))
            }
            Callback::LinksGet => {
                let query: LinksQuery = parse(request)?;
                encode(&json!({ "links": company.links_get(&query).map_err(failure)? }))
            }
            Callback::LinksPut => {
                let list: LinkList = parse(request)?;
                company.links_put(&list.links).map_err(failure)?;
                encode(&json!({}))
            }
        }
    }

    fn scope(&self, area: u32) -> Result<String, HostFailure> {
        match area {
            QBM_WC_AREA_COMPANY_OPTIONS | QBM_WC_AREA_COMPANY_STATE => Ok(String::new()),
            QBM_WC_AREA_WORKSTATION_OPTIONS | QBM_WC_AREA_WORKSTATION_STATE => {
                Ok(self.workstation())
            }
            other => Err(HostFailure::new(
                qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT,
                format!("host-sim: unknown storage area {other}"),
            )),
        }
    }
}

impl HostServices for SimHost {
    fn identity(&self) -> Result<String, HostFailure> {
        let (company_id, company_name) = self.company.identity().map_err(failure)?;
        let login = self.user();
        let user = self.company.user(&login).map_err(failure)?;
        encode(&json!({
            "company_id": company_id,
            "company_name": company_name,
            "user": user.login,
            "user_name": user.full_name,
            "workstation": self.workstation(),
        }))
    }

    fn check_permission(&self, permission: u32) -> Result<bool, HostFailure> {
        let user = self.company.user(&self.user()).map_err(failure)?;
        match permission {
            QBM_WC_PERMISSION_CREATE_CUSTOMERS => Ok(user.create_customers),
            QBM_WC_PERMISSION_CREATE_UPDATE_ITEMS => Ok(user.create_update_items),
            QBM_WC_PERMISSION_CREATE_SALES_ORDERS => Ok(user.create_sales_orders),
            QBM_WC_PERMISSION_ADMINISTER_OPTIONS => Ok(user.administer_options),
            other => Err(HostFailure::new(
                qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT,
                format!("host-sim: unknown permission {other}"),
            )),
        }
    }

    fn storage_get(&self, area: u32, key: &str) -> Result<Option<String>, HostFailure> {
        let scope = self.scope(area)?;
        self.company.storage_get(area, &scope, key).map_err(failure)
    }

    fn storage_set(&self, area: u32, key: &str, value: Option<&str>) -> Result<(), HostFailure> {
        let scope = self.scope(area)?;
        self.company
            .storage_set(area, &scope, key, value)
            .map_err(failure)
    }

    fn storage_cas(
        &self,
        area: u32,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
    ) -> Result<bool, HostFailure> {
        let scope = self.scope(area)?;
        self.company
            .storage_cas(area, &scope, key, expected, value)
            .map_err(failure)
    }

    fn secret_get(&self, key: &str) -> Result<Option<String>, HostFailure> {
        self.company.secrets().get(key).map_err(secret_failure)
    }

    fn secret_set(&self, key: &str, value: Option<&str>) -> Result<(), HostFailure> {
        self.company
            .secrets()
            .set(key, value)
            .map_err(secret_failure)
    }

    fn call(&self, callback: Callback, request: &str) -> Result<String, HostFailure> {
        *lock(&self.calls).entry(callback).or_default() += 1;
        let answer = self.answer(callback, request)?;
        if self.answer_lost(callback) {
            return Err(HostFailure::new(
                qbm_wc_status::QBM_WC_STATUS_HOST_ERROR,
                format!(
                    "host-sim: the connection to the company database broke after {} was committed; the answer was lost",
                    callback.name()
                ),
            ));
        }
        Ok(answer)
    }

    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool {
        if let Some(view) = &self.progress_view {
            view.show(call_id, done, total, message);
        }
        lock(&self.progress).push(ProgressEvent {
            call_id,
            done,
            total,
            message: message.to_string(),
        });
        !lock(&self.cancel_at).is_some_and(|limit| done >= limit)
    }

    fn log(&self, level: u32, message: &str) {
        lock(&self.host_log).push((level, message.to_string()));
    }

    fn notify(&self, level: u32, message: &str) {
        lock(&self.notifications).push((level, message.to_string()));
    }

    fn request_run(&self) {
        self.run_signal.request();
    }

    fn arrived(&self, arrival: Arrival) {
        let mut arrivals = lock(&self.arrivals);
        arrivals.count += 1;
        let thread = match &arrival.thread_name {
            Some(name) => format!("thread \"{name}\" ({:?})", arrival.thread),
            None => format!("thread {:?}", arrival.thread),
        };
        if !arrival.inside_plugin {
            arrivals.violations.push(format!(
                "{} arrived on {thread}, which was not inside a call into the plugin",
                arrival.callback
            ));
        }
        if arrival.outside_table {
            arrivals.violations.push(format!(
                "{} was called on {thread} through a table field the plugin must not read (beyond the host's struct_size, or in a table released after create)",
                arrival.callback
            ));
        }
        arrivals.threads.insert(arrival.thread, arrival.thread_name);
    }
}

/// host-sim's company host with every `call` callback passed through `intercept`, which answers
/// it (usually by asking `sim` and changing or withholding the answer): a QBM that fails or dies
/// at one chosen callback, for tests.
pub struct Intercepted<F> {
    pub sim: Arc<SimHost>,
    intercept: F,
}

impl<F> Intercepted<F>
where
    F: Fn(&SimHost, Callback, &str) -> Result<String, HostFailure> + Send + Sync,
{
    pub fn new(sim: Arc<SimHost>, intercept: F) -> Self {
        Self { sim, intercept }
    }
}

impl<F> HostServices for Intercepted<F>
where
    F: Fn(&SimHost, Callback, &str) -> Result<String, HostFailure> + Send + Sync,
{
    fn identity(&self) -> Result<String, HostFailure> {
        self.sim.identity()
    }
    fn check_permission(&self, permission: u32) -> Result<bool, HostFailure> {
        self.sim.check_permission(permission)
    }
    fn storage_get(&self, area: u32, key: &str) -> Result<Option<String>, HostFailure> {
        self.sim.storage_get(area, key)
    }
    fn storage_set(&self, area: u32, key: &str, value: Option<&str>) -> Result<(), HostFailure> {
        self.sim.storage_set(area, key, value)
    }
    fn storage_cas(
        &self,
        area: u32,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
    ) -> Result<bool, HostFailure> {
        self.sim.storage_cas(area, key, expected, value)
    }
    fn secret_get(&self, key: &str) -> Result<Option<String>, HostFailure> {
        self.sim.secret_get(key)
    }
    fn secret_set(&self, key: &str, value: Option<&str>) -> Result<(), HostFailure> {
        self.sim.secret_set(key, value)
    }
    fn call(&self, callback: Callback, request: &str) -> Result<String, HostFailure> {
        (self.intercept)(&self.sim, callback, request)
    }
    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool {
        self.sim.progress(call_id, done, total, message)
    }
    fn log(&self, level: u32, message: &str) {
        self.sim.log(level, message);
    }
    fn notify(&self, level: u32, message: &str) {
        self.sim.notify(level, message);
    }
    fn request_run(&self) {
        self.sim.request_run();
    }
    fn arrived(&self, arrival: Arrival) {
        self.sim.arrived(arrival);
    }
}
