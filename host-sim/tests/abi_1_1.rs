//! The promises of ABI 1.1, through the C ABI: host callbacks arrive only on host threads inside
//! calls into the plugin, the host table may be released after `create`, background jobs run on
//! the host's job thread and are woken by `request_run`, a create whose answer was lost is not
//! repeated, and a host built for ABI 1.0 (or a 1.1 host without the optional callbacks) still
//! goes live.

mod common;

use common::{item_id, row, rows};
use std::sync::Arc;
use std::time::Duration;

use common::Shop;
use host_sim::company::Company;
use host_sim::company::records::{ItemsQuery, LinksQuery};
use host_sim::host_table::{ABI_1_1_CALLBACKS, Callback, HostServices, HostTable, Layout};
use host_sim::job_loop::{JobLoop, JobRun};
use host_sim::loader::PluginLibrary;
use host_sim::services::SimHost;
use host_sim::session::{ActionInput, Session};
use serde_json::{Value, json};

/// Long enough for anything these tests wait for; a promise that broke fails the wait instead.
const PATIENCE: Duration = Duration::from_secs(60);

fn accounts() -> Value {
    json!({"income": "4100", "asset": "1410", "cogs": "5000"})
}

fn job<'a>(run: &'a JobRun, id: &str) -> Option<&'a Value> {
    let report = &run.result.as_ref().ok()?.report;
    report["jobs"].as_array()?.iter().find(|j| j["job"] == id)
}

fn start_stock_sync(session: &Session) {
    session
        .set_options(json!({"stock_sync_on_this_client": true}))
        .unwrap();
    let started = session
        .action("options.stock_sync.start", &ActionInput::default())
        .unwrap();
    assert_eq!(started["outcome"], "completed", "{started}");
}

#[test]
fn callbacks_arrive_only_on_the_job_thread_and_the_action_thread_inside_calls() {
    let shop = Shop::http();
    let session = Arc::new(common::connected(&shop));
    start_stock_sync(&session);
    session.host.clear_arrivals();

    // A short cap keeps the job thread calling the plugin while the actions run.
    let jobs = JobLoop::start_with(Arc::clone(&session), Duration::from_millis(20)).unwrap();
    let first = jobs
        .next_run(PATIENCE)
        .expect("the job thread runs the jobs");
    assert_eq!(first.thread, jobs.thread_id());
    assert!(
        job(&first, "stock_sync").is_some_and(|j| j["ran"] == true),
        "{:?}",
        first.result
    );

    let actions = {
        let session = Arc::clone(&session);
        std::thread::Builder::new()
            .name("qbm-ui".into())
            .spawn(move || {
                let mug = item_id(session.company(), "MUG-01");
                for (action, selection) in [
                    ("options.reconnect", vec![]),
                    ("items.woo.refresh", vec![]),
                    ("items.qbm.refresh", vec![]),
                    ("items.qbm.sync_stock", vec![mug]),
                    ("logs.refresh", vec![]),
                ] {
                    let response = session
                        .action(action, &ActionInput::select(selection))
                        .unwrap_or_else(|err| panic!("{action}: {err}"));
                    assert_eq!(response["outcome"], "completed", "{action}");
                }
                std::thread::current().id()
            })
            .unwrap()
    };
    let action_thread = actions.thread().id();
    actions.join().unwrap();
    // One more full run after the actions, then the job thread stops.
    let later = jobs
        .run_where(PATIENCE, |run| run.result.is_ok())
        .expect("the jobs keep running");
    assert_eq!(later.thread, jobs.thread_id());
    let job_thread = jobs.thread_id();
    jobs.stop();

    assert_eq!(session.host.violations(), Vec::<String>::new());
    let threads = session.host.callback_threads();
    assert_eq!(
        threads,
        [job_thread, action_thread].into_iter().collect(),
        "every callback came from one of the two host threads"
    );
    assert!(session.host.callback_count() > 20);
}

#[test]
fn the_host_table_may_be_released_right_after_create() {
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    let host = SimHost::new(Arc::new(Company::in_memory().unwrap()), "admin", "WS-01");
    let instance = library
        .create_releasing_table(HostTable::new(host.clone()))
        .unwrap();
    let report = instance
        .save_options(&json!({"schema": "qbm.wc.option-values/1", "values": {
            "enabled": true,
            "store_url": "https://shop.example.test",
            "consumer_key": "ck_0123456789abcdef0123456789abcdef01234567",
            "consumer_secret": "cs_fedcba9876543210fedcba9876543210fedcba98",
        }}))
        .unwrap();
    assert_eq!(report["saved"], true);
    assert_eq!(instance.menu().unwrap()["visible"], true);
    let jobs = instance.run_due_jobs().unwrap();
    assert_eq!(jobs.report["schema"], "qbm.wc.jobs-report/1");
    assert!(host.callback_count() > 0);
    assert_eq!(
        host.violations(),
        Vec::<String>::new(),
        "the plugin called only its own copy of the table"
    );
    assert!(
        host.company()
            .secrets()
            .get("consumer_secret")
            .unwrap()
            .is_some()
    );
}

/// The checklist of going live: options, Reconnect, both Items tabs, Sync Stock, Create / Update
/// and Import. Returns the session, the store and Reconnect's warnings.
fn go_live(layout: Layout) -> (Session, Shop, Vec<String>) {
    let shop = Shop::http();
    let session = common::connected_with(&shop, layout);
    let company = Arc::clone(session.company());
    let reconnect = session
        .action("options.reconnect", &ActionInput::default())
        .unwrap();
    assert_eq!(reconnect["outcome"], "completed", "{reconnect}");
    let warnings: Vec<String> = reconnect["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| w.as_str().unwrap_or_default().to_string())
        .collect();
    let woo = session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    assert!(rows(&woo).len() > 5, "{woo}");
    let qbm = session
        .action("items.qbm.refresh", &ActionInput::default())
        .unwrap();
    assert!(rows(&qbm).len() > 5, "{qbm}");

    company
        .set_on_hand(&item_id(&company, "MUG-01"), "1", 33.into())
        .unwrap();
    let synced = session
        .action(
            "items.qbm.sync_stock",
            &ActionInput::select([item_id(&company, "MUG-01")]),
        )
        .unwrap();
    assert_eq!(synced["outcome"], "completed", "{synced}");
    assert_eq!(
        shop.store
            .with_data(|d| d.products[&1029].stock_quantity.map(|q| q.to_string())),
        Some("33".to_string())
    );

    let created = session
        .action(
            "items.qbm.create_update",
            &ActionInput::select([item_id(&company, "CABLE-USBC")]),
        )
        .unwrap();
    assert_eq!(
        row(&rows(&created), "code", "QBM-CABLE-1M")["outcome"],
        "created"
    );
    assert!(
        shop.store
            .with_data(|d| d.products.values().any(|p| p.sku == "QBM-CABLE-1M"))
    );

    let imported = session
        .action(
            "items.woo.import",
            &ActionInput::select(["1032"]).answer("default_accounts", accounts()),
        )
        .unwrap();
    assert_eq!(
        row(&rows(&imported), "woo_id", "1032")["outcome"],
        "created",
        "{imported}"
    );
    let links = company
        .links_get(&LinksQuery {
            kind: "item".into(),
            woo_ids: Some(vec!["1032".into()]),
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(links.len(), 1, "the imported item is linked");
    assert_eq!(session.host.violations(), Vec::<String>::new());
    (session, shop, warnings)
}

#[test]
fn a_host_built_for_abi_1_0_goes_live() {
    let (session, _shop, warnings) = go_live(Layout::V1_0);
    // Nothing beyond the 1.0 table was read (its traps were never called) …
    assert_eq!(session.host.violations(), Vec::<String>::new());
    // … and the plugin says what a 1.0 host cannot do.
    let all = warnings.join("\n");
    assert!(all.contains("protected storage"), "{all}");
    assert!(all.contains("storage_cas"), "{all}");
    assert!(
        session
            .company()
            .secrets()
            .get("consumer_secret")
            .unwrap()
            .is_none()
    );
    // The jobs entry works too; there is simply no early wake-up.
    let jobs = session.run_due_jobs().unwrap();
    assert!(jobs.next_due_ms <= qbm_woocommerce::ffi::abi::QBM_WC_MAX_JOB_WAIT_MS);
}

#[test]
fn a_1_1_host_without_the_optional_callbacks_goes_live() {
    let (session, _shop, warnings) = go_live(Layout::Without(ABI_1_1_CALLBACKS.to_vec()));
    let all = warnings.join("\n");
    assert!(all.contains("protected storage"), "{all}");
    start_stock_sync(&session);
    assert_eq!(
        session.host.run_signal().requests(),
        0,
        "no request_run to call"
    );
    session.stock_changed(["1"]).unwrap();
    assert!(session.run_due_jobs().is_ok());
}

#[test]
fn a_complete_1_1_host_is_warned_about_nothing_it_offers() {
    let (session, _shop, warnings) = go_live(Layout::Complete);
    let all = warnings.join("\n");
    assert!(!all.contains("protected storage"), "{all}");
    assert!(!all.contains("storage_cas"), "{all}");
    assert_eq!(
        session.plugin.options().unwrap()["secrets"]["consumer_secret"]["protected"],
        true
    );
}

#[test]
fn a_create_whose_answer_was_lost_is_not_made_twice() {
    // Through the plugin: the import's create is committed but its answer lost.
    let shop = Shop::http();
    let session = common::connected(&shop);
    let company = Arc::clone(session.company());
    session.host.lose_answers(Callback::ItemsCreate, 1);
    let input = ActionInput::select(["1032"]).answer("default_accounts", accounts());
    let first = session.action("items.woo.import", &input).unwrap();
    let line = row(&rows(&first), "woo_id", "1032").clone();
    assert_eq!(line["outcome"], "failed", "{line}");
    assert!(
        line["detail"].as_str().unwrap().contains("answer was lost"),
        "{line}"
    );
    let again = session.action("items.woo.import", &input).unwrap();
    let line = row(&rows(&again), "woo_id", "1032").clone();
    assert_eq!(line["outcome"], "skipped", "{line}");
    assert!(
        line["detail"]
            .as_str()
            .unwrap()
            .contains("already imported"),
        "{line}"
    );
    let made = company
        .items_query(&ItemsQuery {
            skus: Some(vec!["FX-NOPRICE".into()]),
            ..ItemsQuery::default()
        })
        .unwrap();
    assert_eq!(made.len(), 1, "one item, linked: {made:?}");

    // At the callback: the retry of the same create answers the first record as existing.
    let host = &session.host;
    host.lose_answers(Callback::OrdersCreate, 1);
    let order = json!({
        "customer_id": "1", "location_id": "1", "date": "2026-11-30T10:00:00Z",
        "lines": [{"item_id": made[0].id, "quantity": "1", "unit_price": "5", "tax": "0"}],
        "woo": {"woo_id": "7001", "number": "7001"}
    })
    .to_string();
    let lost = host.call(Callback::OrdersCreate, &order).unwrap_err();
    assert!(lost.message.contains("answer was lost"), "{}", lost.message);
    let retry: Value =
        serde_json::from_str(&host.call(Callback::OrdersCreate, &order).unwrap()).unwrap();
    assert_eq!(retry["existing"], true);
    assert_eq!(
        company
            .orders_query(&host_sim::company::records::OrdersQuery::default())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn stock_changed_wakes_the_job_thread_through_request_run() {
    let shop = Shop::http();
    let session = Arc::new(common::connected(&shop));
    start_stock_sync(&session);
    let requests = session.host.run_signal().requests();
    assert!(requests >= 1, "Start asks for an early run");

    let jobs = JobLoop::start(Arc::clone(&session)).unwrap();
    let first = jobs.next_run(PATIENCE).unwrap();
    let waited = first.result.as_ref().unwrap().next_due_ms;
    assert!(waited > 1_000, "nothing is due for a while: {waited} ms");
    // Without a wake-up the job thread would sleep `waited` ms; the change makes it run now.
    let mug = item_id(session.company(), "MUG-01");
    session.company().set_on_hand(&mug, "1", 12.into()).unwrap();
    session.stock_changed([mug]).unwrap();
    assert_eq!(session.host.run_signal().requests(), requests + 1);
    let woken = jobs
        .next_run(Duration::from_millis(waited / 2))
        .expect("request_run woke the job thread before the plugin's wait was over");
    let stock = job(&woken, "stock_sync").expect("the report lists stock sync");
    assert_eq!(stock["ran"], true, "{stock}");
    jobs.stop();
    assert_eq!(session.host.violations(), Vec::<String>::new());
}

#[test]
fn a_job_held_by_another_workstation_says_which() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    let open = |workstation: &str| {
        let host = SimHost::new(
            Arc::new(Company::open(&path).unwrap()),
            "admin",
            workstation,
        );
        Session::create(&library, host, Layout::Complete).unwrap()
    };
    let first = open("WS-01");
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    first.set_options(values).unwrap();
    start_stock_sync(&first);
    let ran = first.run_due_jobs().unwrap();
    let entry = &ran.report["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["job"] == "stock_sync")
        .unwrap()
        .clone();
    assert_eq!(entry["ran"], true, "{entry}");

    let second = open("WS-02");
    second
        .set_options(json!({"stock_sync_on_this_client": true}))
        .unwrap();
    let held = second.run_due_jobs().unwrap();
    let entry = held.report["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["job"] == "stock_sync")
        .unwrap()
        .clone();
    assert_eq!(entry["status"], "held_elsewhere", "{entry}");
    assert_eq!(entry["holder"], "WS-01");
    assert!(
        host_sim::job_loop::describe(&entry).contains("held by workstation WS-01"),
        "{entry}"
    );
    let polling = held.report["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["job"] == "order_polling")
        .unwrap()
        .clone();
    assert_eq!(polling["status"], "stopped", "{polling}");
}
