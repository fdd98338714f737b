//! Two workstations on one company file doing everything at once: actions, job runs, log
//! writes and option saves on both, concurrently. Afterwards: no duplicate records, no lost log
//! lines, and no callback that broke the threading promise.

mod common;
mod faults_support;

use common::item_id;
use std::sync::Arc;

use common::Shop;
use faults_support::{CompanyView, FAST, StoreView, set_timeouts};
use host_sim::company::Company;
use host_sim::host_table::Layout;
use host_sim::loader::PluginLibrary;
use host_sim::services::SimHost;
use host_sim::session::{ActionInput, Session};
use serde_json::{Value, json};

fn accounts() -> Value {
    json!({"income": "4100", "asset": "1410", "cogs": "5000", "expense": "6000", "purchase_variance": "5100"})
}

#[test]
fn two_workstations_doing_everything_at_once_lose_and_duplicate_nothing() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("company.sqlite");
    let lib = PluginLibrary::load(&common::plugin()).unwrap();
    let open = |name: &str| {
        let company = Arc::new(Company::open(&file).unwrap());
        set_timeouts(&company, name, &FAST);
        let host = SimHost::new(company, "admin", name);
        Session::create(&lib, host, Layout::Complete).unwrap()
    };
    let a = open("WS-01");
    let b = open("WS-02");
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    values["allow_create_items"] = json!(true);
    values["allow_import_items"] = json!(true);
    values["stock_sync_on_this_client"] = json!(true);
    a.set_options(values).unwrap();
    b.set_options(json!({"stock_sync_on_this_client": true}))
        .unwrap();
    a.action("options.stock_sync.start", &ActionInput::default())
        .unwrap();
    let company = Arc::clone(a.company());
    let selection = vec![
        item_id(&company, "MUG-01"),
        item_id(&company, "CABLE-USBC"),
        item_id(&company, "TS-S-RED"),
    ];
    const ROUNDS: usize = 4;
    std::thread::scope(|scope| {
        for session in [&a, &b] {
            let selection = selection.clone();
            scope.spawn(move || {
                for round in 0..ROUNDS {
                    let steps: Vec<(&str, ActionInput)> = vec![
                        ("items.woo.refresh", ActionInput::default()),
                        (
                            "items.qbm.create_update",
                            ActionInput::select(selection.clone()),
                        ),
                        (
                            "items.woo.import",
                            ActionInput::select(["1032"]).answer("default_accounts", accounts()),
                        ),
                        (
                            "items.qbm.sync_stock",
                            ActionInput::select(selection.clone()),
                        ),
                        ("options.clear_cache", ActionInput::default()),
                    ];
                    for (action, input) in steps {
                        let answer = session.action(action, &input);
                        assert!(answer.is_ok(), "{action} round {round}: {answer:?}");
                    }
                    session.run_due_jobs().unwrap();
                    session
                        .set_options(json!({"stock_check_hours": 12 + round}))
                        .unwrap();
                }
            });
        }
    });
    let store = StoreView::of(&shop.store);
    assert!(
        store.duplicate_skus().is_empty(),
        "{:?}",
        store.duplicate_skus()
    );
    let view = CompanyView::of(&company);
    assert!(view.duplicates().is_empty(), "{:?}", view.duplicates());
    // Every Clear Cache of both workstations left its line.
    let logs = a.action("logs.refresh", &ActionInput::default()).unwrap();
    let cleared: Vec<&Value> = logs["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["message"]
                .as_str()
                .unwrap_or_default()
                .contains("Cached WooCommerce item data cleared")
        })
        .collect();
    for ws in ["WS-01", "WS-02"] {
        assert_eq!(
            cleared.iter().filter(|r| r["workstation"] == ws).count(),
            ROUNDS,
            "{ws}'s log lines"
        );
    }
    assert!(a.host.violations().is_empty(), "{:?}", a.host.violations());
    assert!(b.host.violations().is_empty(), "{:?}", b.host.violations());
}
