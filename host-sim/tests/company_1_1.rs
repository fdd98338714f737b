//! The simulated company's side of ABI 1.1, through host-sim's callback services: compare-and-set
//! across workstations, creates that happen exactly once, stock movements and the query rules.
//!
//! Two workstations are two `SimHost`s over two connections to one company file, as two QBM
//! processes would be; SQLite locks the file for connections of one process the same way as for
//! connections of two.

use std::sync::{Arc, Barrier};

use chrono::{Duration, Utc};
use host_sim::company::Company;
use host_sim::company::records::{ItemsQuery, LinksQuery};
use host_sim::host_table::{Callback, HostServices};
use host_sim::services::SimHost;
use qbm_woocommerce::ffi::abi::QBM_WC_AREA_COMPANY_STATE;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn workstation(path: &std::path::Path, name: &str) -> Arc<SimHost> {
    SimHost::new(Arc::new(Company::open(path).unwrap()), "admin", name)
}

fn call(host: &SimHost, callback: Callback, request: Value) -> Value {
    let answer = host
        .call(callback, &request.to_string())
        .unwrap_or_else(|err| panic!("{} failed: {}", callback.name(), err.message));
    serde_json::from_str(&answer).unwrap()
}

fn on_hand(company: &Company, item: &str, location: &str) -> Decimal {
    company
        .stock_on_hand(&[item.to_string()], &[location.to_string()])
        .unwrap()
        .first()
        .map_or(Decimal::ZERO, |level| level.on_hand)
}

fn item_id(company: &Company, code: &str) -> String {
    company
        .items_query(&ItemsQuery {
            codes: Some(vec![code.into()]),
            ..ItemsQuery::default()
        })
        .unwrap()[0]
        .id
        .clone()
        .unwrap()
}

fn order_request(woo_id: &str, mug: &str) -> Value {
    json!({
        "customer_id": "1",
        "location_id": "1",
        "date": "2026-11-30T10:00:00Z",
        "reference": "",
        "currency": "EUR",
        "lines": [
            {"item_id": mug, "description": "Mug", "quantity": "3", "unit_price": "12.50",
             "tax": "6.03", "net_amount": "31.73"},
            {"item_id": mug, "description": "Mug (gift)", "quantity": "1", "unit_price": "0", "tax": "0"}
        ],
        "total": "999",
        "woo": {"woo_id": woo_id, "number": format!("W-{woo_id}")}
    })
}

#[test]
fn compare_and_set_loses_no_update_between_workstations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let hosts = [workstation(&path, "WS-01"), workstation(&path, "WS-02")];
    let area = QBM_WC_AREA_COMPANY_STATE;
    assert!(
        hosts[0]
            .storage_cas(area, "counter", None, Some("0"))
            .unwrap()
    );
    assert!(
        !hosts[1]
            .storage_cas(area, "counter", None, Some("9"))
            .unwrap(),
        "absent is not the same as a value"
    );
    let rounds = 40;
    let start = Arc::new(Barrier::new(hosts.len()));
    let threads: Vec<_> = hosts
        .iter()
        .map(|host| {
            let host = Arc::clone(host);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let mut conflicts = 0;
                for _ in 0..rounds {
                    loop {
                        let current = host.storage_get(area, "counter").unwrap().unwrap();
                        let next = (current.parse::<u32>().unwrap() + 1).to_string();
                        if host
                            .storage_cas(area, "counter", Some(&current), Some(&next))
                            .unwrap()
                        {
                            break;
                        }
                        conflicts += 1;
                    }
                }
                conflicts
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(
        hosts[0].storage_get(area, "counter").unwrap().as_deref(),
        Some((2 * rounds).to_string().as_str()),
        "every increment of both workstations is kept"
    );
    // Byte for byte, and removal.
    assert!(
        !hosts[1]
            .storage_cas(area, "counter", Some("80 "), None)
            .unwrap()
    );
    assert!(
        hosts[1]
            .storage_cas(area, "counter", Some("80"), None)
            .unwrap()
    );
    assert_eq!(hosts[0].storage_get(area, "counter").unwrap(), None);
}

#[test]
fn a_repeated_create_answers_the_first_record() {
    let company = Arc::new(Company::in_memory().unwrap());
    let host = SimHost::new(Arc::clone(&company), "admin", "WS-01");
    let item = json!({"code": "FX-NEW", "name": "New product", "type": "inventory",
        "woo": {"woo_id": "4711", "woo_parent_id": "4700"}});
    let first = call(&host, Callback::ItemsCreate, item.clone());
    assert_eq!(first["existing"], false);
    let again = call(&host, Callback::ItemsCreate, item);
    assert_eq!(again["existing"], true);
    assert_eq!(again["id"], first["id"]);
    let links = company
        .links_get(&LinksQuery {
            kind: "item".into(),
            woo_ids: Some(vec!["4711".into()]),
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].woo_parent_id.as_deref(), Some("4700"));
    assert_eq!(Some(links[0].qbm_id.as_str()), first["id"].as_str());

    let customer = json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.test",
        "billing": {"city": "London"}, "woo": {"woo_id": "55"}});
    let first = call(&host, Callback::CustomersCreate, customer.clone());
    let again = call(&host, Callback::CustomersCreate, customer);
    assert_eq!(
        (first["existing"].clone(), again["existing"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["billing"]["city"], "London");

    // Without "woo" (ABI 1.0 requests) every create creates.
    let plain = json!({"code": "FX-PLAIN", "name": "Plain", "type": "service"});
    assert_eq!(call(&host, Callback::ItemsCreate, plain)["existing"], false);
}

#[test]
fn two_workstations_creating_the_same_order_at_once_make_one_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let hosts = [workstation(&path, "WS-01"), workstation(&path, "WS-02")];
    let mug = item_id(hosts[0].company(), "MUG-01");
    let before = on_hand(hosts[0].company(), &mug, "1");
    // Both look for the link before either writes, so the links table's key has to decide.
    Company::line_up_creates(&[hosts[0].company(), hosts[1].company()]);
    let threads: Vec<_> = hosts
        .iter()
        .map(|host| {
            let host = Arc::clone(host);
            let request = order_request("9001", &mug);
            std::thread::spawn(move || call(&host, Callback::OrdersCreate, request))
        })
        .collect();
    let answers: Vec<Value> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let mut existing: Vec<bool> = answers
        .iter()
        .map(|a| a["existing"].as_bool().unwrap())
        .collect();
    existing.sort();
    assert_eq!(existing, [false, true], "{answers:?}");
    assert_eq!(answers[0]["id"], answers[1]["id"]);
    let company = hosts[1].company();
    let orders = company
        .orders_query(&host_sim::company::records::OrdersQuery::default())
        .unwrap();
    assert_eq!(orders.len(), 1, "exactly one order");
    assert_eq!(orders[0].reference, "W-9001", "the WooCommerce number");
    assert_eq!(
        on_hand(company, &mug, "1"),
        before - Decimal::from(4),
        "its stock was taken off once"
    );
    let movements = company.stock_movements().unwrap();
    assert_eq!(
        movements
            .iter()
            .filter(|m| m.reason.starts_with("customer order"))
            .count(),
        2,
        "one movement per line of the one order"
    );
}

#[test]
fn an_order_carries_exact_net_amounts_and_takes_its_stock_off() {
    let company = Arc::new(Company::in_memory().unwrap());
    let host = SimHost::new(Arc::clone(&company), "admin", "WS-01");
    let mug = item_id(&company, "MUG-01");
    let before = on_hand(&company, &mug, "1");
    let created = call(&host, Callback::OrdersCreate, order_request("9002", &mug));
    // 31.73 (net, not 3 × 12.50) + 6.03 tax + 1 × 0: the request's total is not taken on trust.
    assert_eq!(created["total"], "37.76");
    assert_eq!(created["lines"][0]["net_amount"], "31.73");
    assert!(created["lines"][1].get("net_amount").is_none());
    assert_eq!(on_hand(&company, &mug, "1"), before - Decimal::from(4));
    let found = call(
        &host,
        Callback::OrdersQuery,
        json!({"ids": [created["id"].clone()]}),
    );
    assert_eq!(found["orders"][0]["lines"][0]["net_amount"], "31.73");
    assert_eq!(
        call(&host, Callback::OrdersQuery, json!({"ids": []}))["orders"],
        json!([]),
        "an empty list matches nothing"
    );
}

#[test]
fn stock_changes_follow_a_cursor_per_location() {
    let company = Arc::new(Company::in_memory().unwrap());
    let host = SimHost::new(Arc::clone(&company), "admin", "WS-01");
    let mug = item_id(&company, "MUG-01");
    let poster = item_id(&company, "POSTER-A2");
    // The opening balances of the sample company are movements too.
    let everything = call(
        &host,
        Callback::StockChanges,
        json!({"cursor": null, "location_ids": ["1"]}),
    );
    assert!(
        everything["item_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(mug))
    );
    let cursor = everything["cursor"].clone();
    let quiet = call(
        &host,
        Callback::StockChanges,
        json!({"cursor": cursor, "location_ids": ["1"]}),
    );
    assert_eq!(quiet["item_ids"], json!([]));
    assert_eq!(quiet["cursor"], cursor);

    company.set_on_hand(&poster, "2", Decimal::from(5)).unwrap();
    company.set_on_hand(&mug, "1", Decimal::from(39)).unwrap();
    company.set_on_hand(&mug, "1", Decimal::from(39)).unwrap();
    let moved = call(
        &host,
        Callback::StockChanges,
        json!({"cursor": cursor, "location_ids": ["1", "3"]}),
    );
    assert_eq!(
        moved["item_ids"],
        json!([mug]),
        "location 2 is not asked for"
    );
    assert_ne!(moved["cursor"], cursor);
    let both = call(
        &host,
        Callback::StockChanges,
        json!({"cursor": cursor, "location_ids": ["1", "2"]}),
    );
    let mut expected = vec![mug.clone(), poster.clone()];
    expected.sort_by_key(|id| id.parse::<i64>().unwrap());
    assert_eq!(both["item_ids"], json!(expected));
    assert_eq!(
        company
            .stock_movements()
            .unwrap()
            .iter()
            .filter(|m| m.reason == "stock set")
            .count(),
        2,
        "setting the same quantity again is no movement"
    );

    let future = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let none_since = call(
        &host,
        Callback::StockChanges,
        json!({"cursor": null, "since": future, "location_ids": ["1", "2"]}),
    );
    assert_eq!(none_since["item_ids"], json!([]));
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let since = call(
        &host,
        Callback::StockChanges,
        json!({"cursor": null, "since": past, "location_ids": ["2"]}),
    );
    assert!(
        since["item_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(poster))
    );
    assert_eq!(
        call(
            &host,
            Callback::StockChanges,
            json!({"cursor": cursor, "location_ids": []}),
        )["item_ids"],
        json!([]),
        "no location matches nothing"
    );
    let bad = host
        .call(
            Callback::StockChanges,
            &json!({"cursor": "abc", "location_ids": ["1"]}).to_string(),
        )
        .unwrap_err();
    assert!(bad.message.contains("cursor"), "{}", bad.message);
}

#[test]
fn queries_filter_by_lists_combined_with_or_and_page_stably() {
    let company = Company::in_memory().unwrap();
    let all = company.items_query(&ItemsQuery::default()).unwrap();
    assert!(all.len() > 5);
    let none = company
        .items_query(&ItemsQuery {
            skus: Some(vec![]),
            ..ItemsQuery::default()
        })
        .unwrap();
    assert!(none.is_empty(), "an empty list matches nothing");
    let either = company
        .items_query(&ItemsQuery {
            skus: Some(vec![" fx-mug ".into()]),
            codes: Some(vec!["POSTER-A2".into()]),
            names: Some(vec![]),
            ..ItemsQuery::default()
        })
        .unwrap();
    let codes: Vec<&str> = either.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["MUG-01", "POSTER-A2"], "lists combine with OR");
    let mut paged = Vec::new();
    for page in 0.. {
        let items = company
            .items_query(&ItemsQuery {
                offset: Some(page * 2),
                limit: Some(2),
                ..ItemsQuery::default()
            })
            .unwrap();
        if items.is_empty() {
            break;
        }
        paged.extend(items);
    }
    assert_eq!(
        paged, all,
        "pages add up to the whole list, in the same order"
    );

    let links = company
        .links_get(&LinksQuery {
            kind: "item".into(),
            woo_ids: Some(vec![]),
            qbm_ids: None,
        })
        .unwrap();
    assert!(links.is_empty());
}
