//! What the Orders tests share: a session set up for order import, reading result rows, and the
//! QBM orders and links in the company.
#![allow(dead_code)]

use host_sim::company::Company;
use host_sim::company::records::{Item, LinksQuery, Order, OrdersQuery};
use host_sim::session::{ActionInput, Session};
use host_sim::store::{Buyer, Checkout};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::common::{self, Shop};

pub const IMPORT: &str = "orders.woo.import";
pub const REFRESH: &str = "orders.woo.refresh";
pub const IMPORTED: &str = "orders.imported.refresh";

/// The store day of the recorded orders (placed 2026-11-27 18:28 in Berlin).
pub const FIXTURE_DAY: &str = "2026-11-27";

pub fn rows(response: &Value) -> Vec<Value> {
    response["table"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The rows about store order `woo_id`.
pub fn rows_of(response: &Value, woo_id: &str) -> Vec<Value> {
    rows(response)
        .into_iter()
        .filter(|r| r["woo_id"] == woo_id)
        .collect()
}

/// The one row about store order `woo_id`.
pub fn row(response: &Value, woo_id: &str) -> Value {
    let found = rows_of(response, woo_id);
    assert_eq!(
        found.len(),
        1,
        "one row for store order {woo_id} in {:#}",
        response["table"]
    );
    found[0].clone()
}

/// Adds a QBM service item (for shipping or fees) and returns its id.
pub fn service_item(company: &Company, code: &str, name: &str) -> String {
    company
        .items_create(&Item {
            code: code.into(),
            name: name.into(),
            item_type: "service".into(),
            price: Some(Decimal::ZERO),
            active: true,
            ..Item::default()
        })
        .unwrap()
        .id
        .unwrap()
}

/// The QBM items an order import needs besides the products.
pub struct ServiceItems {
    pub shipping: String,
    pub fee: String,
}

/// A session whose options allow importing orders and customers, with a Shipping item and the
/// sample company's Gift Wrapping as the Fee item.
pub fn importing(shop: &Shop) -> (Session, ServiceItems) {
    let session = common::connected(shop);
    let items = set_up(&session);
    (session, items)
}

/// Turns order import on in `session`'s company (see [`importing`]).
pub fn set_up(session: &Session) -> ServiceItems {
    let shipping = service_item(session.company(), "SHIP", "Shipping");
    let fee = session
        .company()
        .items_query(&host_sim::company::records::ItemsQuery {
            codes: Some(vec!["SVC-GIFTWRAP".into()]),
            ..Default::default()
        })
        .unwrap()[0]
        .id
        .clone()
        .unwrap();
    session
        .set_options(json!({
            "allow_import_orders": true,
            "allow_import_customers": true,
            "shipping_item": shipping,
            "fee_item": fee,
        }))
        .unwrap();
    ServiceItems { shipping, fee }
}

pub fn import(session: &Session, ids: &[&str]) -> Value {
    session
        .action(IMPORT, &ActionInput::select(ids.iter().copied()))
        .unwrap()
}

pub fn qbm_orders(company: &Company) -> Vec<Order> {
    company.orders_query(&OrdersQuery::default()).unwrap()
}

/// `(woo_id, qbm_id)` of every order link.
pub fn order_links(company: &Company) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = company
        .links_get(&LinksQuery {
            kind: "order".into(),
            woo_ids: None,
            qbm_ids: None,
        })
        .unwrap()
        .into_iter()
        .map(|l| (l.woo_id, l.qbm_id))
        .collect();
    links.sort();
    links
}

/// The QBM order linked to store order `woo_id`.
pub fn linked_order(company: &Company, woo_id: &str) -> Order {
    let (_, qbm_id) = order_links(company)
        .into_iter()
        .find(|(woo, _)| woo == woo_id)
        .unwrap_or_else(|| panic!("store order {woo_id} is not linked"));
    company
        .orders_query(&OrdersQuery {
            ids: Some(vec![qbm_id]),
            ..OrdersQuery::default()
        })
        .unwrap()
        .remove(0)
}

/// The store's total of order `id`.
pub fn store_total(shop: &Shop, id: u64) -> Decimal {
    shop.store.with_data(|data| data.orders[&id].totals.total)
}

/// A paid checkout of one mug by Ben (store customer 5).
pub fn mug_for_ben() -> Checkout {
    Checkout::new(Buyer::Customer(5)).line(1029, 1)
}

/// Log messages of one category, newest first.
pub fn log(session: &Session, category: &str) -> Vec<String> {
    rows(
        &session
            .action(
                "logs.refresh",
                &ActionInput::default().param("category", category),
            )
            .unwrap(),
    )
    .iter()
    .map(|r| text(&r["message"]).to_string())
    .collect()
}

/// Store order `woo_id`'s row in `response` says it was skipped as already imported, naming the
/// QBM order it is linked to; that order's number.
pub fn assert_already_imported(response: &Value, woo_id: &str, company: &Company) -> String {
    let line = row(response, woo_id);
    assert_eq!(line["outcome"], "skipped", "{line}");
    let number = linked_order(company, woo_id).number.unwrap();
    assert_eq!(
        line["detail"],
        format!("already imported as QBM order {number}")
    );
    number
}
