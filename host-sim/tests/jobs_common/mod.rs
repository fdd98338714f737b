//! Set-up shared by the background job tests (`stock_sync.rs`, `polling.rs`, `jobs_*.rs`): a
//! company (in memory, or a file that two workstations open), the simulated store, the jobs
//! started from Options, and readers for the jobs report, the log and the store.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use host_sim::company::Company;
use host_sim::company::records::ItemsQuery;
use host_sim::host_table::Layout;
use host_sim::loader::PluginLibrary;
use host_sim::services::SimHost;
use host_sim::session::{ActionInput, Session};
use qbm_woocommerce::ffi::abi::QBM_WC_AREA_COMPANY_STATE;
use serde_json::{Value, json};

use crate::common::{self, Shop};

pub const STOCK: &str = "stock_sync";
pub const POLLING: &str = "order_polling";

/// The store ids of the fixture catalog the sample company's items match.
pub const MUG: u64 = 1029;
pub const GIFT: u64 = 1030;
pub const POSTER: u64 = 1031;
pub const TSHIRT: u64 = 1036;
pub const TSHIRT_S_RED: u64 = 1037;
pub const TSHIRT_M_BLUE: u64 = 1038;

/// A QBM item's id by its code.
pub fn item_id(company: &Company, code: &str) -> String {
    company
        .items_query(&ItemsQuery {
            codes: Some(vec![code.into()]),
            ..ItemsQuery::default()
        })
        .unwrap()
        .first()
        .and_then(|item| item.id.clone())
        .unwrap_or_else(|| panic!("the sample company has no item {code}"))
}

/// The connection options for `shop`, the Main Warehouse as the primary location, stock sync
/// allowed on this workstation.
pub fn stock_options(shop: &Shop) -> Value {
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    values["stock_sync_on_this_client"] = json!(true);
    values
}

/// A connected admin session over a fresh in-memory company with the host table of `layout`.
pub fn connected(shop: &Shop, layout: Layout) -> Session {
    let session = common::session_with("admin", layout);
    session.set_options(stock_options(shop)).unwrap();
    session
}

/// Presses a button as the session's user and expects it to complete.
pub fn press(session: &Session, action: &str, input: &ActionInput) -> Value {
    let response = session
        .action(action, input)
        .unwrap_or_else(|err| panic!("{action}: {err}"));
    assert_eq!(response["outcome"], "completed", "{action}: {response}");
    response
}

pub fn start_stock_sync(session: &Session) -> Value {
    press(session, "options.stock_sync.start", &ActionInput::default())
}

pub fn start_polling(session: &Session) -> Value {
    press(
        session,
        "options.order_polling.start",
        &ActionInput::default(),
    )
}

/// One call of `run_due_jobs`, which must succeed.
pub fn run(session: &Session) -> Value {
    session
        .run_due_jobs()
        .unwrap_or_else(|err| panic!("run_due_jobs: {err}"))
        .report
}

/// The entry of `job` in a jobs report.
pub fn entry(report: &Value, job: &str) -> Value {
    report["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["job"] == job))
        .cloned()
        .unwrap_or_else(|| panic!("no {job} in {report}"))
}

/// Asks for a run of `job` now (Start on a started job) and runs the jobs: what a person does
/// with "Start" in Options while the job is already started.
pub fn run_now(session: &Session, job: &str) -> Value {
    let action = format!("options.{job}.start");
    press(session, &action, &ActionInput::default());
    let report = run(session);
    let ran = entry(&report, job);
    assert_eq!(ran["ran"], true, "asked for a run of {job}: {report}");
    ran
}

/// A counter from a job entry (`pushed`, `unchanged`, `imported`, …), 0 when absent.
pub fn count(entry: &Value, what: &str) -> u64 {
    entry["counts"][what].as_u64().unwrap_or(0)
}

/// The store's stock of a product or variation.
pub fn store_stock(shop: &Shop, id: u64) -> Option<i64> {
    shop.store
        .with_data(|d| d.products.get(&id).and_then(|p| p.stock_quantity))
}

/// The integration log, newest first: `(level, category, message)`.
pub fn log(session: &Session) -> Vec<(String, String, String)> {
    let response = press(session, "logs.refresh", &ActionInput::default());
    rows(&response)
        .iter()
        .map(|row| {
            (
                row["level"].as_str().unwrap_or_default().to_string(),
                row["category"].as_str().unwrap_or_default().to_string(),
                row["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Log messages containing every one of `parts`.
pub fn log_lines(session: &Session, parts: &[&str]) -> Vec<String> {
    log(session)
        .into_iter()
        .map(|(_, _, message)| message)
        .filter(|message| parts.iter().all(|p| message.contains(p)))
        .collect()
}

pub fn rows(response: &Value) -> Vec<Value> {
    response["table"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Notifications the host received that contain `part`.
pub fn notifications(session: &Session, part: &str) -> Vec<String> {
    session
        .host
        .notifications()
        .into_iter()
        .map(|(_, text)| text)
        .filter(|text| text.contains(part))
        .collect()
}

/// A value of the Options document (`options_get`).
pub fn option(session: &Session, key: &str) -> Value {
    session.plugin.options().unwrap()["values"][key].clone()
}

/// Two workstations, WS-01 and WS-02, on one company file: each its own database connection,
/// host and plugin instance, one library loaded once in the process.
pub struct Workstations {
    pub dir: tempfile::TempDir,
    pub library: Arc<PluginLibrary>,
}

impl Workstations {
    pub fn new() -> Self {
        Workstations {
            dir: tempfile::tempdir().unwrap(),
            library: PluginLibrary::load(&common::plugin()).unwrap(),
        }
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("company.sqlite")
    }

    /// QBM started on `workstation` as admin.
    pub fn open(&self, workstation: &str) -> Session {
        self.open_with(workstation, Layout::Complete)
    }

    pub fn open_with(&self, workstation: &str, layout: Layout) -> Session {
        let company = Arc::new(Company::open(&self.path()).unwrap());
        let host = SimHost::new(company, "admin", workstation);
        Session::create(&self.library, host, layout).unwrap()
    }
}

impl Default for Workstations {
    fn default() -> Self {
        Self::new()
    }
}

/// The company-wide plugin state under `key` (leases, job states), as QBM stores it.
pub fn company_state(company: &Company, key: &str) -> Option<String> {
    company
        .storage_get(QBM_WC_AREA_COMPANY_STATE, "", key)
        .unwrap()
}

/// Writes company-wide plugin state directly, as another workstation's plugin would.
pub fn set_company_state(company: &Company, key: &str, value: &str) {
    company
        .storage_set(QBM_WC_AREA_COMPANY_STATE, "", key, Some(value))
        .unwrap();
}

/// Runs SQL on the company file, as QBM's own screens would change it (deleting a location).
pub fn company_sql(path: &Path, sql: &str) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(sql).unwrap();
}

/// No callback broke the ABI's threading promise.
pub fn assert_no_violations(session: &Session) {
    assert_eq!(session.host.violations(), Vec::<String>::new());
}
