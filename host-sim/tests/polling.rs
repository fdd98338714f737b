//! Automatic order polling end to end through the C ABI: orders placed in the simulated store
//! arrive in the simulated company once each, run by `run_due_jobs` as QBM's job thread runs it.

mod common;
mod jobs_common;

use chrono::{DateTime, Duration, DurationRound, Utc};
use common::Shop;
use host_sim::company::Company;
use host_sim::company::records::{Item, LinksQuery, OrdersQuery};
use host_sim::host_table::{Callback, Layout};
use host_sim::session::{ActionInput, Session};
use host_sim::store::{Buyer, Checkout, FaultKind, FaultRule, PlacedOrder};
use jobs_common::*;
use serde_json::{Value, json};

/// The options polling needs: order import allowed, polling enabled, guests' and unmatched
/// orders on the Walk-in Customer.
fn polling_options(shop: &Shop) -> Value {
    let mut values = stock_options(shop);
    values["allow_import_orders"] = json!(true);
    values["order_polling_enabled"] = json!(true);
    values["guest_customer"] = json!("3");
    values
}

fn polling(shop: &Shop) -> Session {
    let session = common::session_with("admin", Layout::Complete);
    session.set_options(polling_options(shop)).unwrap();
    start_polling(&session);
    session
}

/// A shopper buys `quantity` gift cards (the store does not count their stock).
fn buy(shop: &Shop, quantity: i64) -> PlacedOrder {
    shop.store
        .place_order(&Checkout::new(Buyer::Customer(4)).line(GIFT, quantity))
        .unwrap()
}

fn qbm_orders(company: &Company) -> usize {
    company.orders_query(&OrdersQuery::default()).unwrap().len()
}

fn order_links(company: &Company, woo_id: u64) -> usize {
    company
        .links_get(&LinksQuery {
            kind: "order".into(),
            woo_ids: Some(vec![woo_id.to_string()]),
            qbm_ids: None,
        })
        .unwrap()
        .len()
}

fn last_order_sync(session: &Session) -> Option<DateTime<Utc>> {
    option(session, "last_order_sync").as_str().map(|text| {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    })
}

#[test]
fn polling_is_refused_with_a_reason_while_order_import_is_off() {
    let shop = Shop::http();
    let session = common::session_with("admin", Layout::Complete);
    let mut values = polling_options(&shop);
    values["allow_import_orders"] = json!(false);
    session.set_options(values).unwrap();
    let refused = session
        .action("options.order_polling.start", &ActionInput::default())
        .unwrap_err();
    assert!(
        refused
            .message
            .contains("Allow importing WooCommerce orders"),
        "{refused}"
    );
    assert_eq!(entry(&run(&session), POLLING)["status"], "stopped");

    session
        .set_options(json!({"allow_import_orders": true}))
        .unwrap();
    start_polling(&session);
    assert_eq!(entry(&run(&session), POLLING)["ran"], true);
    // Switched off again while started: the job stays started and says why it does not run.
    session
        .set_options(json!({"allow_import_orders": false}))
        .unwrap();
    let idle = entry(&run(&session), POLLING);
    assert_eq!(idle["status"], "idle", "{idle}");
    assert!(
        idle["message"]
            .as_str()
            .unwrap()
            .contains("\"Allow importing WooCommerce orders\" is off"),
        "{idle}"
    );
    assert_no_violations(&session);
}

#[test]
fn orders_placed_between_cycles_arrive_exactly_once() {
    let shop = Shop::http();
    let session = polling(&shop);
    // The fixture store's orders are days old: the first run looks back a day only.
    let first = entry(&run(&session), POLLING);
    assert_eq!(first["status"], "completed", "{first}");
    assert_eq!(count(&first, "created"), 0, "{first}");
    assert_eq!(qbm_orders(session.company()), 0);

    let placed = [buy(&shop, 1), buy(&shop, 2)];
    let second = run_now(&session, POLLING);
    assert_eq!(count(&second, "created"), 2, "{second}");
    assert!(
        second["message"]
            .as_str()
            .unwrap()
            .starts_with("2 new orders imported"),
        "{second}"
    );
    assert_eq!(
        notifications(&session, "2 new WooCommerce orders imported").len(),
        1
    );
    for order in &placed {
        assert_eq!(order_links(session.company(), order.id), 1);
    }
    let third = run_now(&session, POLLING);
    assert_eq!(count(&third, "created"), 0, "{third}");
    assert_eq!(qbm_orders(session.company()), 2);

    let one_more = buy(&shop, 1);
    let fourth = run_now(&session, POLLING);
    assert_eq!(count(&fourth, "created"), 1, "{fourth}");
    assert_eq!(order_links(session.company(), one_more.id), 1);
    assert_eq!(qbm_orders(session.company()), 3);
    assert_eq!(
        notifications(&session, "1 new WooCommerce order imported").len(),
        1
    );
    assert_no_violations(&session);
}

#[test]
fn an_order_saved_in_the_same_second_as_the_sync_point_is_not_missed() {
    let shop = Shop::http();
    let session = polling(&shop);
    run(&session);
    // The store's clock stands still: both orders are saved in the same second.
    let second = (Utc::now() - Duration::seconds(30))
        .duration_trunc(Duration::seconds(1))
        .unwrap();
    shop.store.with_data(|d| d.clock.freeze_at(second));
    let early = buy(&shop, 1);
    let first = run_now(&session, POLLING);
    assert_eq!(count(&first, "created"), 1, "{first}");
    assert_eq!(
        last_order_sync(&session),
        Some(second),
        "the sync point is the newest change handled"
    );
    let late = buy(&shop, 1);
    let next = run_now(&session, POLLING);
    assert_eq!(count(&next, "created"), 1, "{next}");
    assert_eq!(order_links(session.company(), early.id), 1);
    assert_eq!(order_links(session.company(), late.id), 1);
    assert_eq!(qbm_orders(session.company()), 2);
    assert_no_violations(&session);
}

#[test]
fn an_order_with_a_missing_item_waits_and_imports_once_the_item_exists() {
    let shop = Shop::http();
    let session = polling(&shop);
    run(&session);
    // 1035 (FX-BATCH-DEL) has no QBM item.
    let waiting = shop
        .store
        .place_order(&Checkout::new(Buyer::Customer(4)).line(1035, 1))
        .unwrap();
    let ready = buy(&shop, 1);
    let first = run_now(&session, POLLING);
    assert_eq!(
        count(&first, "created"),
        1,
        "the other order does not wait: {first}"
    );
    assert_eq!(count(&first, "waiting"), 1, "{first}");
    assert_eq!(order_links(session.company(), ready.id), 1);
    let reason = format!("Order {} waits for import", waiting.number);
    assert_eq!(
        log_lines(&session, &[&reason]).len(),
        1,
        "{:?}",
        log(&session)
    );

    let again = run_now(&session, POLLING);
    assert_eq!(count(&again, "waiting"), 1, "{again}");
    assert_eq!(count(&again, "created"), 0, "{again}");
    assert_eq!(
        log_lines(&session, &[&reason]).len(),
        1,
        "logged once: {:?}",
        log(&session)
    );
    // Nothing else repeats the order's problem on every cycle either.
    let about_it = format!("order {}", waiting.number);
    assert_eq!(
        log_lines(&session, &[&about_it]).len(),
        0,
        "only the one line above names it: {:?}",
        log(&session)
    );

    session
        .company()
        .items_create(&Item {
            code: "BATCH-DEL".into(),
            name: "Batch candidate".into(),
            sku: Some("FX-BATCH-DEL".into()),
            item_type: "inventory".into(),
            ..Item::default()
        })
        .unwrap();
    let fixed = run_now(&session, POLLING);
    assert_eq!(count(&fixed, "created"), 1, "{fixed}");
    assert_eq!(count(&fixed, "waiting"), 0, "{fixed}");
    assert_eq!(order_links(session.company(), waiting.id), 1);
    let after = run_now(&session, POLLING);
    assert_eq!(count(&after, "created"), 0, "{after}");
    assert_eq!(qbm_orders(session.company()), 2);
    assert_no_violations(&session);
}

#[test]
fn two_workstations_poll_through_one() {
    let shop = Shop::http();
    let stations = Workstations::new();
    let first = stations.open("WS-01");
    first.set_options(polling_options(&shop)).unwrap();
    start_polling(&first);
    assert_eq!(entry(&run(&first), POLLING)["ran"], true);
    let second = stations.open("WS-02");
    let held = entry(&run(&second), POLLING);
    assert_eq!(held["status"], "held_elsewhere", "{held}");
    assert_eq!(held["holder"], "WS-01");
    let status = option(&second, "order_polling_status");
    assert!(
        status.as_str().unwrap().contains("running on WS-01 since"),
        "{status}"
    );
    let placed = buy(&shop, 1);
    // Asked for on WS-02, the run happens on WS-01, the poller.
    press(
        &second,
        "options.order_polling.start",
        &ActionInput::default(),
    );
    let on_second = entry(&run(&second), POLLING);
    assert_eq!(on_second["status"], "held_elsewhere", "{on_second}");
    let on_first = entry(&run(&first), POLLING);
    assert_eq!(count(&on_first, "created"), 1, "{on_first}");
    assert_eq!(order_links(first.company(), placed.id), 1);
    assert_no_violations(&first);
    assert_no_violations(&second);
}

#[test]
fn a_restart_keeps_the_sync_point() {
    let shop = Shop::http();
    let session = polling(&shop);
    run(&session);
    buy(&shop, 1);
    run_now(&session, POLLING);
    let point = last_order_sync(&session).expect("a sync point after a run");
    let session = session.reopen().unwrap();
    assert_eq!(last_order_sync(&session), Some(point));
    let status = option(&session, "order_polling_status");
    assert!(status.as_str().unwrap().starts_with("Started"), "{status}");
    let after = entry(&run(&session), POLLING);
    assert_eq!(after["ran"], true, "{after}");
    assert_eq!(count(&after, "created"), 0, "{after}");
    assert_eq!(qbm_orders(session.company()), 1);
    assert_no_violations(&session);
}

#[test]
fn an_order_cancelled_after_import_is_flagged_and_never_imported_again() {
    let shop = Shop::http();
    let session = polling(&shop);
    run(&session);
    let placed = buy(&shop, 1);
    run_now(&session, POLLING);
    shop.store.set_order_status(placed.id, "cancelled").unwrap();
    let flagged = run_now(&session, POLLING);
    assert_eq!(count(&flagged, "changed after import"), 1, "{flagged}");
    let text = format!("WooCommerce order {} was cancelled", placed.number);
    assert_eq!(notifications(&session, &text).len(), 1);
    assert_eq!(log_lines(&session, &[&text]).len(), 1);
    let today = Utc::now().date_naive().to_string();
    let imported = press(
        &session,
        "orders.imported.refresh",
        &ActionInput::default()
            .param("from", today.clone())
            .param("to", today),
    );
    let row = rows(&imported)
        .into_iter()
        .find(|r| r["woo_id"].as_str() == Some(placed.id.to_string().as_str()))
        .unwrap_or_else(|| panic!("{imported}"));
    assert!(
        row["changes"]
            .as_str()
            .unwrap_or_default()
            .contains("cancelled"),
        "{row}"
    );
    let later = run_now(&session, POLLING);
    assert_eq!(count(&later, "created"), 0, "{later}");
    assert_eq!(notifications(&session, &text).len(), 1, "flagged once");
    assert_eq!(qbm_orders(session.company()), 1);
    assert_no_violations(&session);
}

#[test]
fn an_order_saved_while_the_pages_are_read_costs_no_other_order() {
    let shop = Shop::http();
    let session = polling(&shop);
    // 150 orders an hour ago, a second apart: two pages of the window, oldest change first.
    let start = (Utc::now() - Duration::hours(1))
        .duration_trunc(Duration::seconds(1))
        .unwrap();
    let placed: Vec<PlacedOrder> = (0..150)
        .map(|i| {
            shop.store
                .with_data(|d| d.clock.freeze_at(start + Duration::seconds(i)));
            buy(&shop, 1)
        })
        .collect();
    shop.store.with_data(|d| d.clock.reset());
    // The second page waits while the oldest order is edited: it moves to the end of the
    // window, and the first order of the second page slides onto the first, already read.
    shop.store.faults().add(
        FaultRule::new(FaultKind::Held)
            .on_method("GET")
            .on_route("/wc/v3/orders")
            .after(1)
            .times(1),
    );
    let report = std::thread::scope(|scope| {
        let running = scope.spawn(|| run(&session));
        assert!(
            shop.store
                .faults()
                .wait_held(1, std::time::Duration::from_secs(60)),
            "the second page was never asked for"
        );
        shop.store
            .edit_order(placed[0].id, &json!({"customer_note": "Please wrap it"}))
            .unwrap();
        shop.store.faults().release_held();
        running.join().unwrap()
    });
    let first = entry(&report, POLLING);
    assert_eq!(count(&first, "created"), 149, "{first}");
    assert_eq!(order_links(session.company(), placed[0].id), 1);
    assert_eq!(
        order_links(session.company(), placed[100].id),
        0,
        "it slid onto the page already read"
    );
    assert_eq!(
        last_order_sync(&session),
        None,
        "the pages did not hold every order: the window is read again"
    );

    let second = run_now(&session, POLLING);
    assert_eq!(count(&second, "created"), 1, "{second}");
    for order in &placed {
        assert_eq!(order_links(session.company(), order.id), 1, "{}", order.id);
    }
    assert_eq!(qbm_orders(session.company()), 150);
    assert!(last_order_sync(&session).is_some());
    assert_no_violations(&session);
}

/// Polls one new order while `meanwhile` uses the same instance (the job waits for its first
/// page meanwhile); the store requests the run reported.
fn job_requests_with(meanwhile: impl FnOnce(&Session)) -> u64 {
    let shop = Shop::http();
    let session = polling(&shop);
    run(&session);
    buy(&shop, 1);
    shop.store.faults().add(
        FaultRule::new(FaultKind::Held)
            .on_method("GET")
            .on_route("/wc/v3/orders")
            .times(1),
    );
    let ran = std::thread::scope(|scope| {
        let running = scope.spawn(|| run_now(&session, POLLING));
        assert!(
            shop.store
                .faults()
                .wait_held(1, std::time::Duration::from_secs(60)),
            "the run never asked for its page"
        );
        meanwhile(&session);
        shop.store.faults().release_held();
        running.join().unwrap()
    });
    assert_eq!(count(&ran, "created"), 1, "{ran}");
    ran["requests"].as_u64().unwrap()
}

#[test]
fn a_run_reports_its_own_requests_not_those_of_an_action_meanwhile() {
    let alone = job_requests_with(|_| {});
    let beside = job_requests_with(|session| {
        let listed = press(session, "customers.woo.refresh", &ActionInput::default());
        assert!(!rows(&listed).is_empty(), "{listed}");
    });
    assert!(alone > 0);
    assert_eq!(beside, alone);
}

#[test]
fn a_store_failing_in_the_middle_of_a_page_loses_and_duplicates_nothing() {
    let shop = Shop::http();
    let session = polling(&shop);
    run(&session);
    let placed: Vec<PlacedOrder> = (0..130).map(|_| buy(&shop, 1)).collect();
    // The second page of the changed orders breaks off half way, again and again.
    let broken = shop.store.faults().add(
        FaultRule::new(FaultKind::TruncatedBody)
            .on_method("GET")
            .on_route("/wc/v3/orders")
            .after(1),
    );
    let point = last_order_sync(&session);
    let failed = run_now(&session, POLLING);
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(qbm_orders(session.company()), 0, "{failed}");
    assert_eq!(last_order_sync(&session), point, "the sync point stays");
    assert!(shop.store.faults().fired(broken) >= 1);
    shop.store.faults().remove(broken);

    // The store is back; the answer of one order's creation is lost on the way to the plugin,
    // and so is the answer when the plugin asks again: that order waits for the next run.
    session.host.lose_answers(Callback::OrdersCreate, 2);
    let second = run_now(&session, POLLING);
    assert_eq!(count(&second, "created"), 129, "{second}");
    assert_eq!(count(&second, "waiting"), 1, "{second}");
    let third = run_now(&session, POLLING);
    assert_eq!(count(&third, "created"), 0, "{third}");
    assert_eq!(count(&third, "waiting"), 0, "{third}");
    assert_eq!(qbm_orders(session.company()), 130);
    for order in &placed {
        assert_eq!(
            order_links(session.company(), order.id),
            1,
            "order {}",
            order.id
        );
    }
    assert_no_violations(&session);
}

#[test]
fn polling_runs_before_stock_sync_when_both_are_due() {
    let shop = Shop::http();
    let session = polling(&shop);
    start_stock_sync(&session);
    let first = run(&session);
    let order: Vec<&str> = first["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["ran"] == true)
        .map(|j| j["job"].as_str().unwrap())
        .collect();
    assert_eq!(order, [POLLING, STOCK], "{first}");
    assert_eq!(store_stock(&shop, MUG), Some(38));

    let placed = shop
        .store
        .place_order(&Checkout::new(Buyer::Customer(4)).line(MUG, 2))
        .unwrap();
    assert_eq!(store_stock(&shop, MUG), Some(36));
    press(
        &session,
        "options.order_polling.start",
        &ActionInput::default(),
    );
    press(
        &session,
        "options.stock_sync.start",
        &ActionInput::default(),
    );
    let both = run(&session);
    assert_eq!(count(&entry(&both, POLLING), "created"), 1, "{both}");
    assert_eq!(entry(&both, STOCK)["ran"], true, "{both}");
    // The order was imported first: QBM's figure already has it, so only #1040 is left out.
    assert_eq!(
        log_lines(
            &session,
            &[
                "MUG-01",
                "QBM 38 − 2 on web order #1040 not yet imported = 36"
            ]
        )
        .len(),
        1,
        "{:?}",
        log(&session)
    );
    assert!(
        log_lines(
            &session,
            &[&format!("#{}", placed.number), "not yet imported"]
        )
        .is_empty()
    );
    assert_eq!(store_stock(&shop, MUG), Some(36));
    assert_no_violations(&session);
}

#[test]
fn options_show_the_last_order_sync_as_a_date_and_time() {
    let shop = Shop::http();
    let stations = Workstations::new();
    let session = stations.open("WS-01");
    session.set_options(polling_options(&shop)).unwrap();
    start_polling(&session);
    run(&session);
    buy(&shop, 1);
    run_now(&session, POLLING);
    let point = last_order_sync(&session).expect("a sync point");
    drop(session);
    let out = common::cli(&stations.path())
        .args(["options", "show"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("Last order sync"))
        .unwrap_or_else(|| panic!("{text}"));
    let shown = point.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    assert!(line.contains(&shown), "{line}");
}
