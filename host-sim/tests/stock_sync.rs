//! Automatic stock sync end to end through the C ABI: the real plugin library, the simulated
//! store over HTTP and the simulated company in SQLite. Runs are driven the way QBM drives them:
//! `run_due_jobs` on a host thread, Start/Stop and the other buttons through `invoke_action`,
//! `stock_changed` when stock moves. Store requests are counted by the store itself.

mod common;
mod jobs_common;

use std::sync::Barrier;

use chrono::{Duration, Utc};
use common::Shop;
use host_sim::company::Company;
use host_sim::company::records::Item;
use host_sim::host_table::{Callback, Layout, Optional};
use host_sim::session::{ActionInput, Session};
use host_sim::store::{Buyer, Checkout, FaultKind, FaultRule, SeedSpec};
use jobs_common::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn without_stock_changes() -> Layout {
    Layout::Without(vec![Optional::StockChanges])
}

/// Connected, stock sync started and run once (the first run publishes every matched item).
fn first_run(shop: &Shop, layout: Layout) -> (Session, Value) {
    let session = connected(shop, layout);
    start_stock_sync(&session);
    let report = run(&session);
    let stock = entry(&report, STOCK);
    assert_eq!(stock["ran"], true, "{report}");
    assert_eq!(stock["status"], "completed", "{report}");
    (session, stock)
}

fn set_on_hand(session: &Session, code: &str, location: &str, quantity: i64) -> String {
    let id = item_id(session.company(), code);
    session
        .company()
        .set_on_hand(&id, location, Decimal::from(quantity))
        .unwrap();
    id
}

fn store_modified(shop: &Shop, id: u64) -> chrono::DateTime<Utc> {
    shop.store
        .with_data(|d| d.products.get(&id).map(|p| p.date_modified))
        .unwrap()
}

#[test]
fn the_first_run_publishes_qbm_less_what_unimported_web_orders_hold() {
    let shop = Shop::http();
    let (session, stock) = first_run(&shop, Layout::Complete);
    // Main Warehouse quantities; the fixture store's processing order #1040 (2 mugs, 1 red S
    // shirt) and on-hold order #1042 (2 blue M shirts, stock kept by the parent) are not in QBM.
    assert_eq!(store_stock(&shop, MUG), Some(40 - 2));
    assert_eq!(store_stock(&shop, POSTER), Some(12));
    assert_eq!(store_stock(&shop, TSHIRT_S_RED), Some(7 - 1));
    assert_eq!(
        store_stock(&shop, TSHIRT),
        Some(3 - 2),
        "the blue M shirt's stock is its parent's"
    );
    assert_eq!(count(&stock, "pushed"), 4, "{stock}");
    assert!(
        stock["message"]
            .as_str()
            .unwrap()
            .contains("store quantities checked"),
        "{stock}"
    );
    // The arithmetic is in the log for each figure that leaves web orders out.
    let lines = log_lines(
        &session,
        &[
            "MUG-01",
            "QBM 40 − 2 on web order #1040 not yet imported = 38",
        ],
    );
    assert_eq!(lines.len(), 1, "{:?}", log(&session));
    assert_no_violations(&session);
}

#[test]
fn a_cycle_where_nothing_changed_makes_no_store_request() {
    for layout in [Layout::Complete, without_stock_changes()] {
        let shop = Shop::http();
        let (session, _) = first_run(&shop, layout.clone());
        let on_hand_reads = session.host.call_count(Callback::StockOnHand);
        shop.store.reset_requests();
        for _ in 0..2 {
            let again = run_now(&session, STOCK);
            assert_eq!(again["status"], "completed", "{again}");
            assert_eq!(again["requests"], 0, "{layout:?}: {again}");
            assert_eq!(count(&again, "pushed"), 0, "{again}");
        }
        assert_eq!(
            shop.store.requests().total(),
            0,
            "{layout:?}: {:?}",
            shop.store.requests()
        );
        let reads = session.host.call_count(Callback::StockOnHand) - on_hand_reads;
        if layout == Layout::Complete {
            // The host's change list said nothing moved: not even QBM's quantities are read.
            assert_eq!(reads, 0, "stock_on_hand calls");
        } else {
            // Without it, one bulk read of the matched items per cycle.
            assert_eq!(reads, 2, "stock_on_hand calls");
        }
        assert_no_violations(&session);
    }
}

#[test]
fn moved_stock_is_published_on_the_next_call_and_nothing_else_is_touched() {
    for layout in [Layout::Complete, without_stock_changes()] {
        let shop = Shop::http();
        let (session, _) = first_run(&shop, layout.clone());
        let untouched = [POSTER, TSHIRT, TSHIRT_S_RED].map(|id| (id, store_modified(&shop, id)));
        // Nothing is due for a while …
        let waiting = entry(&run(&session), STOCK);
        assert_eq!(waiting["status"], "waiting", "{waiting}");
        let requests = session.host.run_signal().requests();

        // … until a sale at the till moves the mug's stock.
        let mug = set_on_hand(&session, "MUG-01", "1", 31);
        shop.store.reset_requests();
        session.stock_changed([mug]).unwrap();
        assert_eq!(
            session.host.run_signal().requests(),
            requests + 1,
            "stock_changed asks for an early run"
        );
        let report = run(&session);
        let stock = entry(&report, STOCK);
        assert_eq!(stock["ran"], true, "{layout:?}: {report}");
        assert_eq!(count(&stock, "pushed"), 1, "{stock}");
        assert_eq!(store_stock(&shop, MUG), Some(31 - 2));
        let counts = shop.store.requests();
        assert_eq!(counts.get("POST /wc/v3/products/batch"), 1, "{counts:?}");
        assert_eq!(
            counts.matching("GET /wc/v3/products"),
            0,
            "no catalog read: {counts:?}"
        );
        assert_eq!(
            counts.matching("POST /wc/v3/products/{id}"),
            0,
            "{counts:?}"
        );
        for (id, modified) in untouched {
            assert_eq!(
                store_modified(&shop, id),
                modified,
                "store item {id} was written"
            );
        }
        assert_no_violations(&session);
    }
}

#[test]
fn one_runner_among_two_workstations_and_a_stale_holder_is_taken_over() {
    let shop = Shop::http();
    let stations = Workstations::new();
    let first = stations.open("WS-01");
    first.set_options(stock_options(&shop)).unwrap();
    start_stock_sync(&first);
    let second = stations.open("WS-02");
    second
        .set_options(json!({"stock_sync_on_this_client": true}))
        .unwrap();

    // Both job threads call at the same moment: one runs, the other names it and stays idle.
    let barrier = Barrier::new(2);
    let reports: Vec<(String, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = [&first, &second]
            .into_iter()
            .map(|session| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    (session.host.workstation(), entry(&run(session), STOCK))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ran: Vec<&(String, Value)> = reports.iter().filter(|(_, e)| e["ran"] == true).collect();
    assert_eq!(ran.len(), 1, "exactly one runner: {reports:?}");
    let runner = ran[0].0.clone();
    let (idle, held) = reports.iter().find(|(ws, _)| *ws != runner).unwrap();
    assert_eq!(held["status"], "held_elsewhere", "{held}");
    assert_eq!(held["holder"], runner.as_str());
    assert!(
        held["message"]
            .as_str()
            .unwrap()
            .contains(&format!("running on {runner} since ")),
        "{held}"
    );
    let (runner, idle) = if runner == "WS-01" {
        (&first, &second)
    } else {
        assert_eq!(idle, "WS-01");
        (&second, &first)
    };
    let status = option(idle, "stock_sync_status");
    assert!(
        status
            .as_str()
            .unwrap()
            .contains(&format!("running on {} since", runner.host.workstation())),
        "{status}"
    );

    // The runner's QBM is closed without a goodbye: its turn is left to expire (written here as
    // the runner's own lease that expired a minute ago).
    let lease: Value = serde_json::from_str(
        &company_state(runner.company(), "lease.stock_sync").expect("the runner holds a lease"),
    )
    .unwrap();
    assert_eq!(lease["workstation"], runner.host.workstation().as_str());
    let mut stale = lease.clone();
    stale["expires"] = json!((Utc::now() - Duration::minutes(1)).to_rfc3339());
    set_company_state(runner.company(), "lease.stock_sync", &stale.to_string());

    let taken = run_now(idle, STOCK);
    assert_eq!(taken["status"], "completed", "{taken}");
    let lines = log_lines(
        idle,
        &[
            &runner.host.workstation(),
            "stopped renewing",
            &format!("this workstation ({}) takes over", idle.host.workstation()),
        ],
    );
    assert_eq!(lines.len(), 1, "{:?}", log(idle));
    // The old holder comes back and finds the job held by the new one.
    press(runner, "options.stock_sync.start", &ActionInput::default());
    let back = entry(&run(runner), STOCK);
    assert_eq!(back["status"], "held_elsewhere", "{back}");
    assert_eq!(back["holder"], idle.host.workstation().as_str());
    assert_no_violations(&first);
    assert_no_violations(&second);
}

#[test]
fn a_restart_keeps_the_started_state_the_last_run_and_what_was_published() {
    let shop = Shop::http();
    let (session, _) = first_run(&shop, Layout::Complete);
    let status = option(&session, "stock_sync_status");
    let session = session.reopen().unwrap();
    let after = option(&session, "stock_sync_status");
    let after = after.as_str().unwrap();
    assert!(after.starts_with("Started"), "{after}");
    assert!(after.contains("last run"), "{after}");
    assert!(after.contains("4 pushed"), "{after}");
    assert_eq!(status.as_str().unwrap(), after);

    // The published quantities survived: the restarted instance finds nothing to publish.
    shop.store.reset_requests();
    let report = run(&session);
    let stock = entry(&report, STOCK);
    assert_eq!(stock["ran"], true, "{report}");
    assert_eq!(stock["requests"], 0, "{stock}");
    assert_eq!(count(&stock, "pushed"), 0, "{stock}");
    assert_eq!(shop.store.requests().total(), 0);
    assert_no_violations(&session);
}

#[test]
fn nothing_is_published_before_the_start_date_and_movements_are_tracked_from_it() {
    let shop = Shop::http();
    let session = connected(&shop, Layout::Complete);
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive();
    session
        .set_options(json!({"stock_sync_start_date": tomorrow.to_string()}))
        .unwrap();
    start_stock_sync(&session);
    shop.store.reset_requests();
    let waiting = entry(&run(&session), STOCK);
    assert!(
        waiting["message"]
            .as_str()
            .unwrap()
            .contains(&format!("waiting for the start date ({tomorrow})")),
        "{waiting}"
    );
    assert_eq!(shop.store.requests().total(), 0);
    assert_eq!(store_stock(&shop, MUG), Some(23), "nothing was pushed");
    assert_eq!(session.host.call_count(Callback::StockChanges), 0);
    let preview = press(
        &session,
        "options.stock_sync.preview",
        &ActionInput::default(),
    );
    assert!(
        preview["message"]
            .as_str()
            .unwrap()
            .contains("waits for the start date"),
        "{preview}"
    );

    // The start date arrives: the first run publishes, the host's change list is asked from
    // then on.
    let today = Utc::now().date_naive();
    session
        .set_options(json!({"stock_sync_start_date": today.to_string()}))
        .unwrap();
    let first = run_now(&session, STOCK);
    assert_eq!(count(&first, "pushed"), 4, "{first}");
    assert!(session.host.call_count(Callback::StockChanges) >= 1);
    // A movement the till did not report is found through the change list.
    set_on_hand(&session, "POSTER-A2", "1", 20);
    let next = run_now(&session, STOCK);
    assert_eq!(count(&next, "pushed"), 1, "{next}");
    assert_eq!(store_stock(&shop, POSTER), Some(20));
    assert_no_violations(&session);
}

#[test]
fn several_locations_are_summed_and_a_deleted_one_is_reported() {
    let shop = Shop::http();
    let stations = Workstations::new();
    let session = stations.open("WS-01");
    let mut values = stock_options(&shop);
    values["use_multiple_locations"] = json!(true);
    values["multiple_locations"] = json!(["1", "3"]);
    session.set_options(values).unwrap();
    start_stock_sync(&session);
    run(&session);
    assert_eq!(store_stock(&shop, POSTER), Some(12 + 3), "Main and Web");
    assert_eq!(store_stock(&shop, MUG), Some(40 - 2));

    // Web Fulfilment is closed in QBM: its stock is gone and the location deleted.
    company_sql(
        &stations.path(),
        "DELETE FROM stock WHERE location_id = '3';
         DELETE FROM stock_movements WHERE location_id = '3';
         DELETE FROM locations WHERE id = '3';",
    );
    let after = run_now(&session, STOCK);
    let message = after["message"].as_str().unwrap();
    assert!(
        message.contains("\"3\"") && message.contains("no longer exist"),
        "{after}"
    );
    assert_eq!(store_stock(&shop, POSTER), Some(12), "{after}");
    run_now(&session, STOCK);
    let warned = log_lines(&session, &["\"3\"", "no longer exist"]);
    assert_eq!(warned.len(), 1, "reported once: {:?}", log(&session));
    assert_no_violations(&session);
}

#[test]
fn variations_that_share_their_parents_stock_update_the_parent() {
    let shop = Shop::http();
    let (session, _) = first_run(&shop, Layout::Complete);
    assert_eq!(store_stock(&shop, TSHIRT), Some(1));
    let blue = set_on_hand(&session, "TS-M-BLUE", "1", 9);
    shop.store.reset_requests();
    session.stock_changed([blue]).unwrap();
    let stock = entry(&run(&session), STOCK);
    assert_eq!(count(&stock, "pushed"), 1, "{stock}");
    // 9 in QBM, 2 on the on-hold web order #1042: the parent's shared stock is 7.
    assert_eq!(store_stock(&shop, TSHIRT), Some(7));
    let counts = shop.store.requests();
    assert_eq!(counts.get("POST /wc/v3/products/batch"), 1, "{counts:?}");
    assert_eq!(counts.matching("POST /wc/v3/products/{id}/variations"), 0);
    let lines = log_lines(
        &session,
        &[
            "TS-M-BLUE",
            "QBM 9 − 2 on web order #1042 not yet imported = 7",
        ],
    );
    assert_eq!(lines.len(), 1, "{:?}", log(&session));
    assert_no_violations(&session);
}

#[test]
fn the_store_keeps_its_own_decrement_for_a_web_order_not_yet_imported() {
    let shop = Shop::http();
    let (session, _) = first_run(&shop, Layout::Complete);
    assert_eq!(store_stock(&shop, POSTER), Some(12));
    // A shopper buys two posters; WooCommerce lowers its stock, QBM does not know yet.
    let placed = shop
        .store
        .place_order(&Checkout::new(Buyer::Customer(4)).line(POSTER, 2))
        .unwrap();
    assert_eq!(store_stock(&shop, POSTER), Some(10));

    // QBM's figure did not change: a scheduled run leaves the store alone …
    run_now(&session, STOCK);
    assert_eq!(store_stock(&shop, POSTER), Some(10));
    // … and when the poster is reported moved (a count that found 12 again), the figure
    // published leaves the order's units out.
    let poster = set_on_hand(&session, "POSTER-A2", "1", 12);
    session.stock_changed([poster]).unwrap();
    let stock = entry(&run(&session), STOCK);
    assert_eq!(stock["ran"], true, "{stock}");
    assert_eq!(store_stock(&shop, POSTER), Some(10), "{stock}");
    let arithmetic = format!(
        "QBM 12 − 2 on web order #{} not yet imported = 10",
        placed.number
    );
    assert_eq!(
        log_lines(&session, &["POSTER-A2", &arithmetic]).len(),
        1,
        "{:?}",
        log(&session)
    );
    // The stock check agrees with the store, and the preview has nothing to write for it.
    let check = press(&session, "items.check.refresh", &ActionInput::default());
    let poster = POSTER.to_string();
    assert!(
        rows(&check)
            .iter()
            .all(|r| r["woo_id"].as_str() != Some(poster.as_str())),
        "{check}"
    );
    let preview = press(&session, "items.qbm.preview_stock", &ActionInput::default());
    assert!(
        !preview.to_string().contains("POSTER-A2"),
        "nothing to write for the poster: {preview}"
    );
    assert_no_violations(&session);
}

#[test]
fn the_stock_check_finds_and_fixes_a_figure_edited_in_the_store() {
    let shop = Shop::http();
    let (session, _) = first_run(&shop, Layout::Complete);
    // Someone types 5 into WooCommerce's stock field.
    shop.store.set_stock(POSTER, 5).unwrap();
    // A scheduled run does not read the store when QBM did not change …
    run_now(&session, STOCK);
    assert_eq!(store_stock(&shop, POSTER), Some(5));
    // … the stock check does, from the Items screen and from Options alike.
    for action in ["items.check.refresh", "options.stock_sync.check"] {
        let check = press(&session, action, &ActionInput::default());
        let found = rows(&check);
        assert_eq!(found.len(), 1, "{action}: {check}");
        let row = &found[0];
        assert_eq!(row["woo_id"], POSTER.to_string());
        assert_eq!(row["store_now"], 5);
        assert_eq!(row["should_be"], 12);
        assert!(
            row["cause"]
                .as_str()
                .unwrap()
                .contains("edited in the store since the last push"),
            "{row}"
        );
    }
    // Meanwhile the mugs are counted again in QBM; the till did not say so.
    set_on_hand(&session, "MUG-01", "1", 41);
    shop.store.reset_requests();
    let fixed = press(
        &session,
        "items.check.fix",
        &ActionInput::select([POSTER.to_string()]),
    );
    assert_eq!(store_stock(&shop, POSTER), Some(12), "{fixed}");
    assert_eq!(fixed["summary"]["updated"], 1, "{fixed}");
    assert_eq!(shop.store.requests().get("POST /wc/v3/products/batch"), 1);
    assert_eq!(
        store_stock(&shop, MUG),
        Some(38),
        "only the selected row is fixed"
    );
    // The mug's movement was not used up by the fix: the next run publishes it.
    let next = run_now(&session, STOCK);
    assert_eq!(count(&next, "pushed"), 1, "{next}");
    assert_eq!(store_stock(&shop, MUG), Some(41 - 2));
    let again = press(&session, "items.check.refresh", &ActionInput::default());
    assert!(rows(&again).is_empty(), "{again}");
    assert_no_violations(&session);
}

/// Moves the engine's last stock check back by `by`, as if that much time had passed since:
/// the engine's state is company state, one chunk for a small catalog.
fn backdate_last_check(company: &Company, by: Duration) {
    let meta_text = company_state(company, "stock.state.meta").expect("stock sync ran");
    let mut meta: Value = serde_json::from_str(&meta_text).unwrap();
    assert_eq!(meta["chunks"], 1, "{meta}");
    let key = format!("stock.state.{}.0", meta["generation"].as_str().unwrap());
    let mut state: Value = serde_json::from_str(&company_state(company, &key).unwrap()).unwrap();
    let checked: chrono::DateTime<Utc> =
        serde_json::from_value(state["last_check"].clone()).unwrap();
    state["last_check"] = json!(checked - by);
    let text = state.to_string();
    set_company_state(company, &key, &text);
    meta["bytes"] = json!(text.len());
    set_company_state(company, "stock.state.meta", &meta.to_string());
}

#[test]
fn the_daily_stock_check_fixes_drift_on_its_own() {
    let shop = Shop::http();
    let (session, _) = first_run(&shop, Layout::Complete);
    shop.store.set_stock(POSTER, 5).unwrap();
    let quiet = run_now(&session, STOCK);
    assert!(
        !quiet["message"].as_str().unwrap().contains("checked"),
        "{quiet}"
    );
    assert_eq!(store_stock(&shop, POSTER), Some(5));
    // A day later (the default "Stock check interval" is 24 hours) the run checks the store.
    backdate_last_check(session.company(), Duration::hours(25));
    let checked = run_now(&session, STOCK);
    assert!(
        checked["message"]
            .as_str()
            .unwrap()
            .contains("store quantities checked"),
        "{checked}"
    );
    assert_eq!(count(&checked, "pushed"), 1, "{checked}");
    assert_eq!(store_stock(&shop, POSTER), Some(12));
    let after = run_now(&session, STOCK);
    assert_eq!(
        after["requests"], 0,
        "the next check is a day away: {after}"
    );
    assert_no_violations(&session);
}

#[test]
fn preview_shows_exactly_what_the_next_run_writes() {
    let shop = Shop::http();
    let session = connected(&shop, Layout::Complete);
    start_stock_sync(&session);
    for action in ["options.stock_sync.preview", "items.qbm.preview_stock"] {
        let preview = press(&session, action, &ActionInput::default());
        let rows = rows(&preview);
        let mug = rows
            .iter()
            .find(|r| r["code"] == "MUG-01" || r["qbm_item"] == "MUG-01")
            .unwrap_or_else(|| panic!("{preview}"));
        assert!(
            mug["detail"]
                .as_str()
                .unwrap()
                .contains("store 23 → 38 (QBM 40 − 2 on web order #1040 not yet imported = 38)"),
            "{mug}"
        );
        let gift = rows
            .iter()
            .find(|r| r["qbm_item"] == "GIFT-25")
            .unwrap_or_else(|| panic!("{preview}"));
        assert_eq!(gift["outcome"], "skipped");
        assert!(
            gift["detail"]
                .as_str()
                .unwrap()
                .contains("does not manage stock"),
            "{gift}"
        );
    }
    assert_eq!(
        store_stock(&shop, MUG),
        Some(23),
        "a preview writes nothing"
    );
    run(&session);
    set_on_hand(&session, "MUG-01", "1", 44);
    let preview = press(&session, "items.qbm.preview_stock", &ActionInput::default());
    let planned: Vec<Value> = rows(&preview)
        .into_iter()
        .filter(|r| r["outcome"] == "updated")
        .collect();
    assert_eq!(planned.len(), 1, "{preview}");
    assert!(
        planned[0]["detail"]
            .as_str()
            .unwrap()
            .contains("store 38 → 42"),
        "{preview}"
    );
    let ran = run_now(&session, STOCK);
    assert_eq!(count(&ran, "pushed"), 1, "{ran}");
    assert_eq!(store_stock(&shop, MUG), Some(42));
    assert_no_violations(&session);
}

#[test]
fn missing_matches_are_logged_once_per_item_until_they_change() {
    let shop = Shop::http();
    let (session, stock) = first_run(&shop, Layout::Complete);
    assert_eq!(
        count(&stock, "missing"),
        2,
        "CABLE-USBC and LAMP-DESK: {stock}"
    );
    let cable = log_lines(&session, &["CABLE-USBC", "QBM-CABLE-1M"]);
    assert_eq!(cable.len(), 1, "{:?}", log(&session));
    // The cable moves twice and the check runs: still one line.
    let id = set_on_hand(&session, "CABLE-USBC", "1", 100);
    session.stock_changed([id.clone()]).unwrap();
    run(&session);
    press(&session, "items.check.refresh", &ActionInput::default());
    set_on_hand(&session, "CABLE-USBC", "1", 90);
    run_now(&session, STOCK);
    assert_eq!(
        log_lines(&session, &["CABLE-USBC"]).len(),
        1,
        "{:?}",
        log(&session)
    );
    // Its SKU changes: that is news.
    session
        .company()
        .items_update(&serde_json::from_value(json!({"id": id, "sku": "QBM-CABLE-2M"})).unwrap())
        .unwrap();
    set_on_hand(&session, "CABLE-USBC", "1", 80);
    run_now(&session, STOCK);
    assert_eq!(
        log_lines(&session, &["CABLE-USBC", "QBM-CABLE-2M"]).len(),
        1,
        "{:?}",
        log(&session)
    );
    assert_no_violations(&session);
}

/// A store with `products` simple products whose stock it manages, and a QBM item for each (same
/// SKU) with 500 on hand in the Main Warehouse.
fn big_catalog(shop: &Shop, company: &Company, products: usize) -> Vec<u64> {
    shop.store.seed(&SeedSpec {
        products,
        variable_share: 0.0,
        customers: 0,
        orders: 0,
        ..SeedSpec::default()
    });
    let managed: Vec<(u64, String)> = shop.store.with_data(|d| {
        d.products
            .values()
            .filter(|p| p.manage_stock && p.parent_id == 0)
            .map(|p| (p.id, p.sku.clone()))
            .collect()
    });
    for (n, (_, sku)) in managed.iter().enumerate() {
        let item = company
            .items_create(&Item {
                code: format!("BIG-{n:04}"),
                name: format!("Catalog item {n}"),
                sku: Some(sku.clone()),
                item_type: "inventory".into(),
                ..Item::default()
            })
            .unwrap();
        company
            .set_on_hand(item.id.as_ref().unwrap(), "1", Decimal::from(500))
            .unwrap();
    }
    managed.into_iter().map(|(id, _)| id).collect()
}

#[test]
fn a_run_cut_short_goes_on_from_where_it_stopped() {
    let shop = Shop::http();
    let session = connected(&shop, Layout::Complete);
    let ids = big_catalog(&shop, session.company(), 260);
    assert!(ids.len() > 200, "at least three batches: {}", ids.len());
    start_stock_sync(&session);
    // The store falls over on the second batch write.
    shop.store.faults().add(
        FaultRule::new(FaultKind::ServerError(503))
            .on_method("POST")
            .on_route("/wc/v3/products/batch")
            .after(1)
            .times(1),
    );
    let first = entry(&run(&session), STOCK);
    assert_eq!(first["ran"], true, "{first}");
    assert_ne!(first["status"], "completed", "{first}");
    let pushed = count(&first, "pushed");
    let written = ids
        .iter()
        .filter(|id| store_stock(&shop, **id) == Some(500))
        .count() as u64;
    assert!(pushed < ids.len() as u64, "{first}");
    assert!(written >= pushed, "{written} written, {pushed} pushed");

    // The next run writes only what is left, without reading the catalog again.
    shop.store.reset_requests();
    let second = run_now(&session, STOCK);
    assert_eq!(second["status"], "completed", "{second}");
    let left = ids.len() as u64 - written;
    assert!(count(&second, "pushed") >= left, "{second}");
    assert!(
        count(&second, "pushed") <= ids.len() as u64 - pushed,
        "{second}"
    );
    let counts = shop.store.requests();
    assert_eq!(counts.matching("GET /wc/v3/products"), 0, "{counts:?}");
    assert_eq!(
        counts.get("POST /wc/v3/products/batch"),
        left.div_ceil(100).max(1),
        "{counts:?}"
    );
    assert!(ids.iter().all(|id| store_stock(&shop, *id) == Some(500)));
    assert_no_violations(&session);
}

#[test]
fn a_429_with_retry_after_slows_the_engine_down() {
    let shop = Shop::http();
    let session = connected(&shop, Layout::Complete);
    start_stock_sync(&session);
    let rule = shop.store.faults().add(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 1,
        })
        .on_method("GET")
        .on_route("/wc/v3/products")
        .times(1),
    );
    let stock = entry(&run(&session), STOCK);
    assert_eq!(shop.store.faults().fired(rule), 1);
    assert_eq!(stock["status"], "completed", "{stock}");
    assert!(stock["pauses"].as_u64().unwrap_or(0) >= 1, "{stock}");
    assert!(stock["slow_downs"].as_u64().unwrap_or(0) >= 1, "{stock}");
    assert!(stock["retries"].as_u64().unwrap_or(0) >= 1, "{stock}");
    assert_eq!(
        store_stock(&shop, MUG),
        Some(38),
        "the run finished its work"
    );
    assert_no_violations(&session);
}

#[test]
fn a_failure_streak_is_notified_once_and_a_revoked_key_stops_the_job() {
    let shop = Shop::http();
    let (session, _) = first_run(&shop, Layout::Complete);
    let down = shop.store.faults().add(
        FaultRule::new(FaultKind::ServerError(503))
            .on_method("POST")
            .on_route("/wc/v3/products/batch"),
    );
    let mug = item_id(session.company(), "MUG-01");
    for quantity in [30, 31, 32] {
        set_on_hand(&session, "MUG-01", "1", quantity);
        session.stock_changed([mug.clone()]).unwrap();
        let failed = run_now(&session, STOCK);
        assert_eq!(failed["status"], "failed", "{failed}");
    }
    assert_eq!(
        notifications(&session, "stock sync failed").len(),
        1,
        "{:?}",
        session.host.notifications()
    );
    shop.store.faults().remove(down);
    let ok = run_now(&session, STOCK);
    assert_eq!(ok["status"], "completed", "{ok}");
    assert_eq!(store_stock(&shop, MUG), Some(30));
    let down = shop.store.faults().add(
        FaultRule::new(FaultKind::ServerError(503))
            .on_method("POST")
            .on_route("/wc/v3/products/batch"),
    );
    set_on_hand(&session, "MUG-01", "1", 33);
    run_now(&session, STOCK);
    assert_eq!(notifications(&session, "stock sync failed").len(), 2);
    shop.store.faults().remove(down);

    // The key is deleted in WooCommerce: the engine stops itself and says so once.
    shop.store.revoke_key(&shop.key.consumer_key);
    set_on_hand(&session, "MUG-01", "1", 34);
    session.stock_changed([mug]).unwrap();
    let revoked = run_now(&session, STOCK);
    assert_eq!(revoked["status"], "failed", "{revoked}");
    assert_eq!(notifications(&session, "stopped itself").len(), 1);
    let status = option(&session, "stock_sync_status");
    assert!(
        status
            .as_str()
            .unwrap()
            .starts_with("Stopped by the plugin"),
        "{status}"
    );
    let stopped = entry(&run(&session), STOCK);
    assert_eq!(stopped["status"], "stopped", "{stopped}");
    assert_eq!(notifications(&session, "stopped itself").len(), 1);
    assert_no_violations(&session);
}

#[test]
fn start_and_stop_need_the_options_permission_and_run_only_where_enabled() {
    let shop = Shop::http();
    let session = connected(&shop, Layout::Complete);
    session.host.set_user("clerk");
    let refused = session
        .action("options.stock_sync.start", &ActionInput::default())
        .unwrap_err();
    assert_eq!(refused.name, "QBM_WC_STATUS_PERMISSION_DENIED", "{refused}");
    session.host.set_user("admin");
    session
        .set_options(json!({"stock_sync_on_this_client": false}))
        .unwrap();
    let started = start_stock_sync(&session);
    assert!(
        started
            .to_string()
            .contains("Enable stock sync on this client"),
        "{started}"
    );
    let idle = entry(&run(&session), STOCK);
    assert_eq!(idle["status"], "idle", "{idle}");
    assert!(
        idle["message"]
            .as_str()
            .unwrap()
            .contains("\"Enable stock sync on this client\" is off"),
        "{idle}"
    );
    session
        .set_options(json!({"stock_sync_on_this_client": true}))
        .unwrap();
    let ran = run_now(&session, STOCK);
    assert_eq!(ran["status"], "completed", "{ran}");
    press(&session, "options.stock_sync.stop", &ActionInput::default());
    let stopped = entry(&run(&session), STOCK);
    assert_eq!(stopped["status"], "stopped", "{stopped}");
    assert!(
        company_state(session.company(), "lease.stock_sync").is_none(),
        "Stop gives the turn up"
    );
    assert_no_violations(&session);
}
