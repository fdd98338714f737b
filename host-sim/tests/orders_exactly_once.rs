//! One QBM order per WooCommerce order, whatever happens, through the C ABI: re-selecting an
//! imported order, overlapping date ranges, two workstations importing the same selection at
//! the same moment, a retry after a lost answer, and the QBM process dying between "QBM order
//! created" and "answer received".

mod common;
mod orders_support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::{Shop, workstation};
use host_sim::company::Company;
use host_sim::company::records::{CustomersQuery, ItemsQuery, LinksQuery};
use host_sim::host_table::{Callback, HostServices};
use host_sim::loader::PluginLibrary;
use host_sim::services::{Intercepted, SimHost};
use host_sim::session::{ActionInput, Session};
use orders_support::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn mug_on_hand(company: &Company) -> Decimal {
    let mug = company
        .items_query(&ItemsQuery {
            codes: Some(vec!["MUG-01".into()]),
            ..ItemsQuery::default()
        })
        .unwrap()[0]
        .id
        .clone()
        .unwrap();
    company
        .stock_on_hand(&[mug], &["1".to_string()])
        .unwrap()
        .first()
        .map_or(Decimal::ZERO, |level| level.on_hand)
}

fn customers_count(company: &Company) -> usize {
    company
        .customers_find(&CustomersQuery {
            ids: Some((1..=100).map(|i| i.to_string()).collect()),
            ..CustomersQuery::default()
        })
        .unwrap()
        .len()
}

fn customer_links(company: &Company) -> usize {
    company
        .links_get(&LinksQuery {
            kind: "customer".into(),
            woo_ids: None,
            qbm_ids: None,
        })
        .unwrap()
        .len()
}

/// The store orders a WooCommerce tab lists for a range.
fn listed(session: &Session, from: &str, to: &str) -> Vec<Value> {
    rows(
        &session
            .action(
                REFRESH,
                &ActionInput::default().param("from", from).param("to", to),
            )
            .unwrap(),
    )
}

#[test]
fn re_selecting_and_overlapping_date_ranges_import_each_order_once() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    let company = session.company();
    let mugs_before = mug_on_hand(company);

    // The shop owner imports what 26–27 November shows …
    let first_range = listed(&session, "2026-11-26", "2026-11-27");
    assert_eq!(first_range.len(), 6);
    let response = import(&session, &["1040", "1042"]);
    assert_eq!(response["summary"]["created"], 2, "{response:#}");
    let anna = linked_order(company, "1040");

    // … selects 1040 again …
    let again = import(&session, &["1040"]);
    assert_already_imported(&again, "1040", company);

    // … then 27–28 November, which overlaps, with a new order of the 28th.
    shop.store.with_data(|data| {
        data.clock
            .freeze_at("2026-11-28T09:00:00Z".parse().unwrap())
    });
    let new = shop
        .store
        .place_order(&mug_for_ben())
        .unwrap()
        .id
        .to_string();
    let second_range = listed(&session, "2026-11-27", "2026-11-28");
    let shown: Vec<(String, Value)> = second_range
        .iter()
        .map(|r| (text(&r["woo_id"]).to_string(), r["qbm_order"].clone()))
        .collect();
    assert!(
        shown.contains(&("1040".to_string(), json!(anna.number.clone().unwrap()))),
        "both ranges show 1040 as imported: {shown:?}"
    );
    assert!(shown.contains(&(new.clone(), Value::Null)), "{shown:?}");
    let response = import(&session, &["1040", "1042", &new]);
    assert_eq!(row(&response, "1040")["outcome"], "skipped");
    assert_eq!(row(&response, "1042")["outcome"], "skipped");
    assert_eq!(row(&response, &new)["outcome"], "created");

    assert_eq!(
        qbm_orders(company).len(),
        3,
        "one QBM order per store order"
    );
    assert_eq!(order_links(company).len(), 3);
    // 2 mugs of 1040 and 1 of the new order, taken off once.
    assert_eq!(mug_on_hand(company), mugs_before - Decimal::from(3));
}

fn connect(shop: &Shop, session: &Session) {
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    session.set_options(values).unwrap();
    set_up(session);
}

#[test]
fn two_workstations_importing_the_same_selection_at_once_make_one_order_each() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    let sessions = [
        workstation(&library, &path, "WS-01"),
        workstation(&library, &path, "WS-02"),
    ];
    connect(&shop, &sessions[0]);
    let company = sessions[0].company();
    let mugs_before = mug_on_hand(company);
    let customers_before = customers_count(company);
    // Both plan with nothing imported, then meet before every create (the customers, then the
    // orders): each time the company's unique link key has to decide.
    Company::line_up_creates(&[sessions[0].company(), sessions[1].company()]);
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let running: Vec<_> = sessions
            .iter()
            .map(|session| scope.spawn(move || import(session, &["1040", "1042"])))
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for id in ["1040", "1042"] {
        let mut outcomes: Vec<String> = answers
            .iter()
            .map(|a| text(&row(a, id)["outcome"]).to_string())
            .collect();
        outcomes.sort();
        assert_eq!(outcomes, ["created", "skipped"], "order {id}: {answers:#?}");
        for answer in &answers {
            if row(answer, id)["outcome"] == "skipped" {
                assert_already_imported(answer, id, company);
            }
        }
    }
    assert_eq!(qbm_orders(company).len(), 2, "exactly one QBM order each");
    assert_eq!(order_links(company).len(), 2);
    assert_eq!(
        customers_count(company),
        customers_before + 2,
        "one QBM customer for Anna, one for Ben"
    );
    assert_eq!(customer_links(company), 2);
    assert_eq!(mug_on_hand(company), mugs_before - Decimal::from(2));
    for session in &sessions {
        assert_eq!(session.host.violations(), Vec::<String>::new());
    }
}

#[test]
fn a_lost_answer_is_asked_again_and_never_makes_a_second_order() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    let company = session.company();
    let mugs_before = mug_on_hand(company);

    // Lost once: the plugin asks again with the same WooCommerce order and gets the QBM order
    // the first call made.
    session.host.lose_answers(Callback::OrdersCreate, 1);
    let response = import(&session, &["1040"]);
    let line = row(&response, "1040");
    assert_eq!(line["outcome"], "created", "{line}");
    assert!(text(&line["detail"]).contains("answer was lost"), "{line}");
    assert_eq!(session.host.call_count(Callback::OrdersCreate), 2);
    assert_eq!(qbm_orders(company).len(), 1);
    assert_eq!(mug_on_hand(company), mugs_before - Decimal::from(2));

    // Lost on both calls: reported as failed; the next import finds it imported.
    session.host.lose_answers(Callback::OrdersCreate, 2);
    let response = import(&session, &["1042"]);
    let line = row(&response, "1042");
    assert_eq!(line["outcome"], "failed", "{line}");
    assert_eq!(
        qbm_orders(company).len(),
        2,
        "the host made it all the same"
    );
    let again = import(&session, &["1042"]);
    assert_already_imported(&again, "1042", company);
    assert_eq!(qbm_orders(company).len(), 2);

    // Its state was kept on the way: a later cancellation is reported, once.
    shop.store.set_order_status(1042, "cancelled").unwrap();
    for _ in 0..2 {
        session
            .action(
                IMPORTED,
                &ActionInput::default()
                    .param("from", FIXTURE_DAY)
                    .param("to", FIXTURE_DAY),
            )
            .unwrap();
    }
    let cancelled = log(&session, "processing")
        .into_iter()
        .filter(|m| m.contains("1042 was cancelled in the store"))
        .count();
    assert_eq!(cancelled, 1);
}

const CHILD_COMPANY: &str = "QBM_WC_TEST_CRASH_COMPANY";
const CHILD_PLUGIN: &str = "QBM_WC_TEST_CRASH_PLUGIN";

/// The QBM process of [`the_process_dying_after_the_order_was_created_leaves_one_order`]: the
/// test binary started again with [`CHILD_COMPANY`] set imports order 1040 and dies inside
/// `orders_create`, after the commit.
fn child_imports_and_dies_after_the_order_commits(
    company: &std::ffi::OsStr,
    plugin: &std::ffi::OsStr,
) -> ! {
    let library = PluginLibrary::load(Path::new(plugin)).unwrap();
    let host = SimHost::new(
        Arc::new(Company::open(Path::new(company)).unwrap()),
        "admin",
        "WS-01",
    );
    // A QBM that dies the moment its order transaction has committed, before it can answer.
    let dies_after_order_commit = Intercepted::new(host, |sim, callback, request| {
        let answer = sim.call(callback, request);
        if callback == Callback::OrdersCreate && answer.is_ok() {
            // The order and its link are in the company file; the answer never leaves.
            std::process::abort();
        }
        answer
    });
    let instance = library.create(Arc::new(dies_after_order_commit)).unwrap();
    let answer = instance.invoke(&json!({
        "schema": "qbm.wc.action-request/1",
        "action": IMPORT,
        "call_id": 1,
        "selection": ["1040"],
    }));
    panic!("QBM should have died when the order was committed; the plugin answered {answer:?}");
}

#[test]
fn the_process_dying_after_the_order_was_created_leaves_one_order() {
    if let (Some(company), Some(plugin)) = (
        std::env::var_os(CHILD_COMPANY),
        std::env::var_os(CHILD_PLUGIN),
    ) {
        child_imports_and_dies_after_the_order_commits(&company, &plugin);
    }
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    let session = workstation(&library, &path, "WS-01");
    connect(&shop, &session);
    let company = session.company();
    let mugs_before = mug_on_hand(company);

    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "the_process_dying_after_the_order_was_created_leaves_one_order",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_COMPANY, &path)
        .env(CHILD_PLUGIN, common::plugin())
        .output()
        .unwrap();
    let output = format!(
        "{}\n{}",
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(!child.status.success(), "the child lived: {output}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            child.status.signal(),
            Some(6),
            "the child died of SIGABRT inside orders_create: {output}"
        );
    }
    assert!(
        !output.contains("QBM should have died"),
        "the child got an answer: {output}"
    );
    // The dead process committed the order, its link and its stock movement.
    assert_eq!(qbm_orders(company).len(), 1, "{output}");
    let made = linked_order(company, "1040");
    assert_eq!(mug_on_hand(company), mugs_before - Decimal::from(2));

    // QBM is started again and the same order imported: it is found, not made again.
    let response = import(&session, &["1040"]);
    assert_eq!(
        assert_already_imported(&response, "1040", company),
        made.number.clone().unwrap()
    );
    assert_eq!(qbm_orders(company).len(), 1, "exactly one QBM order");
    assert_eq!(
        order_links(company),
        [("1040".to_string(), made.id.clone().unwrap())]
    );
    assert_eq!(mug_on_hand(company), mugs_before - Decimal::from(2));
    assert_eq!(
        customer_links(company),
        1,
        "Anna was created once, before the order"
    );

    // The Imported tab has it, and a cancellation in the store is reported once although the
    // dead process could not keep the order's state.
    shop.store.set_order_status(1040, "cancelled").unwrap();
    for _ in 0..2 {
        let tab = session
            .action(
                IMPORTED,
                &ActionInput::default()
                    .param("from", FIXTURE_DAY)
                    .param("to", FIXTURE_DAY),
            )
            .unwrap();
        let listed = row(&tab, "1040");
        assert_eq!(listed["store_status"], "Cancelled");
        assert!(
            text(&listed["changes"]).contains("cancelled in the store"),
            "{listed}"
        );
    }
    let cancelled = log(&session, "processing")
        .into_iter()
        .filter(|m| m.contains("1040 was cancelled in the store"))
        .count();
    assert_eq!(cancelled, 1);
}
