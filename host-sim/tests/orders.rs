//! The Orders screen through the C ABI against the simulated store: the WooCommerce tab's store
//! days (across a daylight-saving change), columns and paging; the import of the recorded orders
//! with totals that reconcile to the cent; every refusal and skip reason; the missing-items
//! list; and the Imported tab with the store's current status of each imported order.

mod common;
mod orders_support;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use common::Shop;
use host_sim::company::records::{CustomersQuery, LinksQuery};
use host_sim::session::ActionInput;
use host_sim::store::{Buyer, Checkout, RefundSpec, ShippingChoice};
use orders_support::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// The UTC instant of a Berlin wall time; `later` picks the second of a repeated hour.
fn berlin(day: &str, time: &str, later: bool) -> DateTime<Utc> {
    let local = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_time(time.parse().unwrap());
    let mapped = Berlin.from_local_datetime(&local);
    let at = if later {
        mapped.latest()
    } else {
        mapped.earliest()
    };
    at.unwrap().with_timezone(&Utc)
}

/// Places `checkout` with the store clock at `at`.
fn place_at(shop: &Shop, at: DateTime<Utc>, checkout: &Checkout) -> u64 {
    shop.store.with_data(|data| data.clock.freeze_at(at));
    shop.store.place_order(checkout).unwrap().id
}

fn listed(session: &host_sim::session::Session, from: &str, to: &str) -> Value {
    session
        .action(
            REFRESH,
            &ActionInput::default()
                .param("from", from)
                .param("to", to)
                .param("per_page", 100),
        )
        .unwrap()
}

fn ids(response: &Value) -> Vec<String> {
    let mut ids: Vec<String> = rows(response)
        .iter()
        .map(|r| text(&r["woo_id"]).to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_date_range_is_the_stores_calendar_days_across_a_daylight_saving_change() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    // Berlin leaves summer time on 2026-10-25 at 03:00 (back to 02:00): that day has 25 hours.
    let day_before = place_at(&shop, berlin("2026-10-23", "23:30", false), &mug_for_ben());
    let first = place_at(&shop, berlin("2026-10-24", "00:30", false), &mug_for_ben());
    let repeated = place_at(&shop, berlin("2026-10-25", "02:30", true), &mug_for_ben());
    let last = place_at(&shop, berlin("2026-10-25", "23:30", false), &mug_for_ben());
    let day_after = place_at(&shop, berlin("2026-10-26", "00:30", false), &mug_for_ben());
    // The last one in and the first one out fall on the same UTC day, and the first one in on
    // the UTC day before: only the store's days tell them apart.
    assert_eq!(
        berlin("2026-10-25", "23:30", false).date_naive(),
        berlin("2026-10-26", "00:30", false).date_naive()
    );
    shop.store.reset_requests();

    let response = listed(&session, "2026-10-24", "2026-10-25");
    let mut wanted = vec![first.to_string(), repeated.to_string(), last.to_string()];
    wanted.sort();
    assert_eq!(ids(&response), wanted, "{:#}", response["table"]);
    assert!(!ids(&response).contains(&day_before.to_string()));
    assert!(!ids(&response).contains(&day_after.to_string()));
    let dates: Vec<(String, String)> = rows(&response)
        .iter()
        .map(|r| (text(&r["woo_id"]).to_string(), text(&r["date"]).to_string()))
        .collect();
    for (id, date) in [
        (first, "2026-10-24 00:30"),
        (repeated, "2026-10-25 02:30"),
        (last, "2026-10-25 23:30"),
    ] {
        assert!(
            dates.contains(&(id.to_string(), date.to_string())),
            "{id} shown at {date} store time: {dates:?}"
        );
    }
    assert!(
        text(&response["message"]).contains("store time, Europe/Berlin"),
        "{}",
        response["message"]
    );

    // Asked through the GMT fields: 00:00 CEST on the first day is 22:00 UTC, 00:00 CET after
    // the last day is 23:00 UTC, and WooCommerce compares strictly.
    let query = shop
        .store
        .request_log()
        .into_iter()
        .find(|r| r.method == "GET" && r.path_and_query.contains("/wc/v3/orders?"))
        .expect("the list was read from the store")
        .path_and_query
        .replace("%3A", ":");
    for part in [
        "after=2026-10-23T21:59:59",
        "before=2026-10-25T23:00:00",
        "dates_are_gmt=true",
    ] {
        assert!(query.contains(part), "{part} in {query}");
    }

    // One day at a time gives the same orders, none twice and none lost.
    let mut by_day = ids(&listed(&session, "2026-10-24", "2026-10-24"));
    by_day.extend(ids(&listed(&session, "2026-10-25", "2026-10-25")));
    by_day.sort();
    assert_eq!(by_day, wanted);
    assert_eq!(
        ids(&listed(&session, "2026-10-26", "2026-10-26")),
        [day_after.to_string()]
    );
}

#[test]
fn the_woocommerce_tab_pages_and_shows_each_column() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    let page = |number: u32| {
        session
            .action(
                REFRESH,
                &ActionInput::default()
                    .param("from", FIXTURE_DAY)
                    .param("to", FIXTURE_DAY)
                    .param("page", number)
                    .param("per_page", 4),
            )
            .unwrap()
    };
    let first = page(1);
    let second = page(2);
    assert_eq!(
        first["paging"],
        json!({"page": 1, "per_page": 4, "total": 6, "total_pages": 2})
    );
    assert_eq!(rows(&first).len(), 4);
    assert_eq!(rows(&second).len(), 2);
    let mut all = ids(&first);
    all.extend(ids(&second));
    all.sort();
    assert_eq!(all, ["1040", "1041", "1042", "1043", "1044", "1045"]);

    let both: Vec<Value> = rows(&first).into_iter().chain(rows(&second)).collect();
    let find = |id: &str| both.iter().find(|r| r["woo_id"] == id).unwrap().clone();
    let anna = find("1040");
    assert_eq!(anna["number"], "1040");
    assert_eq!(anna["date"], "2026-11-27 18:28", "Berlin time, not UTC");
    assert_eq!(anna["status"], "Processing");
    assert_eq!(anna["customer"], "#4 Anna Schmidt");
    assert_eq!(anna["email"], "buchhaltung@schmidt-soehne.example.test");
    assert_eq!(anna["items"], "3");
    assert_eq!(anna["total"], "53.92");
    assert_eq!(anna["currency"], "EUR");
    assert_eq!(anna["payment"], "Direct bank transfer");
    assert_eq!(anna["qbm_order"], Value::Null);
    let guest = find("1041");
    assert_eq!(guest["customer"], "guest Gerda Gast");
    assert_eq!(guest["status"], "Pending payment");
    assert_eq!(find("1042")["status"], "On hold");
    assert_eq!(find("1045")["status"], "Refunded");

    // Once imported, the row names the QBM order.
    import(&session, &["1040"]);
    let number = linked_order(session.company(), "1040").number.unwrap();
    let again = listed(&session, FIXTURE_DAY, FIXTURE_DAY);
    let anna = rows(&again)
        .into_iter()
        .find(|r| r["woo_id"] == "1040")
        .unwrap();
    assert_eq!(anna["qbm_order"], number);

    // A range that ends before it starts, and a date that is not one, are refused.
    for (from, to) in [("2026-11-28", "2026-11-27"), ("27.11.2026", "2026-11-27")] {
        let err = session
            .action(
                REFRESH,
                &ActionInput::default().param("from", from).param("to", to),
            )
            .unwrap_err();
        assert_eq!(err.name, "QBM_WC_STATUS_INVALID_ARGUMENT", "{from}..{to}");
    }
}

/// Checks that the QBM order of store order `id` reconciles with the store to the cent.
fn assert_reconciles(shop: &Shop, session: &host_sim::session::Session, id: u64) {
    let order = linked_order(session.company(), &id.to_string());
    let store = store_total(shop, id);
    let lines: Decimal = order
        .lines
        .iter()
        .map(|l| l.net_amount.expect("every line carries its exact amount") + l.tax)
        .sum();
    assert_eq!(order.total, store, "order {id}: QBM total = store total");
    assert_eq!(lines, store, "order {id}: Σ lines = store total");
    assert_eq!(order.reference, id.to_string(), "the WooCommerce number");
}

#[test]
fn the_recorded_orders_import_with_totals_that_reconcile_to_the_cent() {
    let shop = Shop::http();
    let (session, items) = importing(&shop);
    // Pending (the guest's order) and refunded imported too, to reconcile every recorded order
    // whose lines all have a QBM item.
    session
        .set_options(json!({"order_import_statuses": ["processing", "completed", "on-hold", "pending", "refunded"]}))
        .unwrap();
    let response = import(&session, &["1040", "1041", "1042", "1045"]);
    assert_eq!(response["summary"]["created"], 4, "{response:#}");
    assert_eq!(response["outcome"], "completed");
    for id in [1040, 1041, 1042, 1045] {
        assert_reconciles(&shop, &session, id);
        let line = row(&response, &id.to_string());
        assert_eq!(line["outcome"], "created", "{line}");
        assert_eq!(line["code"], format!("order {id}"));
        let number = linked_order(session.company(), &id.to_string())
            .number
            .unwrap();
        assert_eq!(line["qbm_order"], number);
        assert!(
            text(&line["detail"]).starts_with(&format!("QBM order {number} for ")),
            "{line}"
        );
    }
    let company = session.company();
    let mug = "1"; // MUG-01
    let small_red = "3"; // TS-S-RED

    // 1040: a registered customer, a 10 % coupon, shipping and tax. Line amounts are after the
    // coupon, as WooCommerce spread it.
    let anna = linked_order(company, "1040");
    let lines: Vec<(String, String, String, String, String)> = anna
        .lines
        .iter()
        .map(|l| {
            (
                l.item_id.clone(),
                l.description.clone(),
                l.quantity.to_string(),
                l.net_amount.unwrap().to_string(),
                l.tax.to_string(),
            )
        })
        .collect();
    let owned = |v: [&str; 5]| -> (String, String, String, String, String) {
        (
            v[0].into(),
            v[1].into(),
            v[2].into(),
            v[3].into(),
            v[4].into(),
        )
    };
    assert_eq!(
        lines,
        [
            owned([mug, "FX Kaffeebecher", "2", "22.50", "4.28"]),
            owned([small_red, "FX T-Shirt - S, Red", "1", "17.91", "3.40"]),
            owned([&items.shipping, "Versand (Pauschal)", "1", "4.90", "0.93"]),
        ]
    );
    assert_eq!(anna.lines[0].unit_price, dec("11.25"));
    assert_eq!(anna.total, dec("53.92"));
    assert_eq!(anna.currency, "EUR");
    assert_eq!(anna.location_id, "1", "the primary location by default");
    assert_eq!(anna.date.to_rfc3339(), "2026-11-27T17:28:46+00:00");
    for part in [
        "WooCommerce order 1040",
        "/wp-admin/",
        "Payment: Direct bank transfer",
        "fx10",
        "Bitte beim Empfang abgeben.",
    ] {
        assert!(anna.notes.contains(part), "{part} in {}", anna.notes);
    }
    // Her store account became a QBM customer, linked, so her next order finds it.
    let customer_links = company
        .links_get(&LinksQuery {
            kind: "customer".into(),
            woo_ids: Some(vec!["4".into()]),
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(customer_links.len(), 1);
    assert_eq!(customer_links[0].qbm_id, anna.customer_id);

    // 1041: a guest with a fee line on the Fee item; the guest became a customer of her own.
    let gerda = linked_order(company, "1041");
    assert_eq!(gerda.lines.len(), 2);
    let fee = &gerda.lines[1];
    assert_eq!(
        (fee.item_id.as_str(), fee.description.as_str()),
        (items.fee.as_str(), "Geschenkverpackung")
    );
    assert_eq!((fee.net_amount, fee.tax), (Some(dec("2.50")), dec("0.48")));
    let buyer = company
        .customers_find(&CustomersQuery {
            ids: Some(vec![gerda.customer_id.clone()]),
            ..CustomersQuery::default()
        })
        .unwrap()
        .remove(0);
    assert_eq!(
        (buyer.first_name.as_str(), buyer.last_name.as_str()),
        ("Gerda", "Gast")
    );
    assert_eq!(buyer.billing.city, "Köln");

    // 1045 was refunded before the import: QBM gets the order as placed, and is told.
    let refunded = row(&response, "1045");
    assert!(
        text(&refunded["detail"]).contains("already refunded in WooCommerce before the import"),
        "{refunded}"
    );

    // One order per store order, each linked once.
    assert_eq!(qbm_orders(company).len(), 4);
    assert_eq!(order_links(company).len(), 4);
    assert_eq!(session.host.violations(), Vec::<String>::new());
}

#[test]
fn import_is_refused_naming_the_option_the_permission_or_both() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let selection = ActionInput::select(["1042"]);

    let err = session.action(IMPORT, &selection).unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_ACTION_NOT_ALLOWED");
    assert!(
        err.message.contains("Allow importing WooCommerce orders"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("may not"), "{}", err.message);

    session.host.set_user("viewer");
    let err = session.action(IMPORT, &selection).unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
    assert!(
        err.message.contains("Allow importing WooCommerce orders")
            && err.message.contains("create sales orders"),
        "{}",
        err.message
    );

    session.host.set_user("admin");
    set_up(&session);
    session.host.set_user("buyer");
    let err = session.action(IMPORT, &selection).unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
    assert!(
        err.message.contains("create sales orders"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("Allow importing"), "{}", err.message);

    session.host.set_user("admin");
    let err = session.action(IMPORT, &ActionInput::default()).unwrap_err();
    assert_eq!(
        err.name, "QBM_WC_STATUS_INVALID_ARGUMENT",
        "a selection is needed"
    );
    assert!(qbm_orders(session.company()).is_empty());
}

#[test]
fn each_skip_reason_is_given_and_nothing_is_created_for_it() {
    let shop = Shop::http();
    let (session, items) = importing(&shop);
    let company = session.company();

    // Statuses that are not imported by default.
    let response = import(&session, &["1041", "1043", "1045"]);
    for (id, label) in [
        ("1041", "Pending payment"),
        ("1043", "Cancelled"),
        ("1045", "Refunded"),
    ] {
        let line = row(&response, id);
        assert_eq!(line["outcome"], "skipped", "{line}");
        assert_eq!(
            line["detail"],
            format!(
                "not imported: the order is \"{label}\" in WooCommerce; only orders that are \"Processing\", \"Completed\" or \"On hold\" are imported (Options → WooCommerce → Order statuses to import)"
            )
        );
    }

    // No Shipping item, no Fee item.
    session
        .set_options(json!({"shipping_item": null, "order_import_statuses": ["processing", "on-hold", "pending"]}))
        .unwrap();
    let response = import(&session, &["1042"]);
    let line = row(&response, "1042");
    assert_eq!(line["outcome"], "skipped", "{line}");
    assert!(
        text(&line["detail"]).contains("shipping (5.83 EUR)")
            && text(&line["detail"]).contains("\"Shipping item\""),
        "{line}"
    );
    session
        .set_options(json!({"shipping_item": items.shipping, "fee_item": null}))
        .unwrap();
    let line = row(&import(&session, &["1041"]), "1041");
    assert!(
        text(&line["detail"]).contains("fees (2.98 EUR)")
            && text(&line["detail"]).contains("\"Fee item\""),
        "{line}"
    );
    session.set_options(json!({"fee_item": items.fee})).unwrap();

    // A guest when no customer may be created and no customer for guests is chosen: the reason
    // names the option to set. With it chosen, the order goes to that customer.
    session
        .set_options(json!({"allow_import_customers": false}))
        .unwrap();
    let line = row(&import(&session, &["1041"]), "1041");
    assert_eq!(line["outcome"], "skipped", "{line}");
    assert!(
        text(&line["detail"]).contains("Customer for unmatched and guest orders"),
        "{line}"
    );
    assert!(qbm_orders(company).is_empty());
    // Customer import on, but the clerk may not create customers: the reason says so.
    session
        .set_options(json!({"allow_import_customers": true}))
        .unwrap();
    company
        .set_permission("clerk", "create_customers", false)
        .unwrap();
    session.host.set_user("clerk");
    let line = row(&import(&session, &["1041"]), "1041");
    assert_eq!(line["outcome"], "skipped", "{line}");
    assert!(
        text(&line["detail"]).contains("your QBM user may not create customers")
            && text(&line["detail"]).contains("Customer for unmatched and guest orders"),
        "{line}"
    );
    session.host.set_user("admin");
    session
        .set_options(json!({"allow_import_customers": false}))
        .unwrap();
    session.set_options(json!({"guest_customer": "3"})).unwrap();
    let line = row(&import(&session, &["1041"]), "1041");
    assert_eq!(line["outcome"], "created", "{line}");
    assert_eq!(
        linked_order(company, "1041").customer_id,
        "3",
        "Walk-in Customer"
    );

    // Already imported.
    let again = import(&session, &["1041"]);
    let number = assert_already_imported(&again, "1041", company);
    assert_eq!(row(&again, "1041")["qbm_order"], number);

    // Two QBM customers with the buyer's e-mail: no guess, not even the guest customer.
    for first in ["Ben", "Benjamin"] {
        company
            .customers_create(&host_sim::company::records::Customer {
                id: None,
                first_name: first.into(),
                last_name: "Müller".into(),
                company: String::new(),
                email: "ben.mueller@example.test".into(),
                phone: String::new(),
                billing: Default::default(),
                shipping: Default::default(),
            })
            .unwrap();
    }
    let line = row(&import(&session, &["1042"]), "1042");
    assert_eq!(line["outcome"], "skipped", "{line}");
    assert!(
        text(&line["detail"]).contains(
            "store customer #5 (Ben Müller) matches several QBM customers (same e-mail: "
        ),
        "{line}"
    );

    // Lines that do not add up to the store's total (an order a plugin changed behind
    // WooCommerce's back): not created, the difference shown.
    shop.store.with_data(|data| {
        let order = data.orders.get_mut(&1042).unwrap();
        order.totals.total += dec("0.05");
    });
    let line = row(&import(&session, &["1042"]), "1042");
    assert_eq!(line["outcome"], "skipped", "{line}");
    assert!(
        text(&line["detail"]).starts_with(
            "not imported: the lines come to 48.43 EUR but the order total in WooCommerce is 48.48 EUR (difference 0.05 EUR)"
        ),
        "{line}"
    );
    assert_eq!(qbm_orders(company).len(), 1);

    // A selection id the store does not have.
    let line = row(&import(&session, &["999999"]), "999999");
    assert_eq!(line["outcome"], "failed", "{line}");
    assert_eq!(qbm_orders(company).len(), 1);
}

#[test]
fn missing_products_stop_the_whole_import_and_every_missing_line_is_listed() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    let company = session.company();
    // A new order with a product QBM knows only by lookup code and a variation without a SKU
    // of its own.
    let notebook = shop
        .store
        .place_order(
            &Checkout::new(Buyer::Customer(6))
                .line(1033, 2)
                .line(1039, 1),
        )
        .unwrap()
        .id;
    let selection = ["1040", "1042", "1044", &notebook.to_string()];
    let response = import(&session, &selection);
    assert!(qbm_orders(company).is_empty(), "nothing is created");
    assert!(order_links(company).is_empty());
    let missing: Vec<String> = rows(&response)
        .iter()
        .filter(|r| r["outcome"] == "missing")
        .map(|r| text(&r["detail"]).to_string())
        .collect();
    let expected = [
        "Order 1044: FX Auslaufartikel (no product id) — product deleted from the store"
            .to_string(),
        format!(
            "Order {notebook}: FX Notizbuch A5 (product 1033, SKU FX-NOTEBOOK) — no QBM item has the SKU FX-NOTEBOOK"
        ),
        format!(
            "Order {notebook}: FX T-Shirt - L, Red (product 1036, variation 1039, SKU FX-TSHIRT) — the variation has no SKU of its own (it shows its parent's FX-TSHIRT); give it the SKU of its QBM item in WooCommerce"
        ),
    ];
    assert_eq!(missing, expected);
    for id in ["1040", "1042"] {
        let line = row(&response, id);
        assert_eq!(line["outcome"], "not_done", "{line}");
    }
    assert_eq!(
        response["warnings"],
        json!([
            "Products are missing: nothing was imported, because 3 line(s) of 2 order(s) have no QBM item; each is listed below",
            "Create the missing items in QBM (or link them), or give them the store's SKU, then import again"
        ]),
        "{response:#}"
    );
    // The log has the whole list in one entry (category missing item).
    let logged = log(&session, "missing_item");
    assert!(
        logged
            .iter()
            .any(|m| expected.iter().all(|line| m.contains(line.as_str()))),
        "{logged:#?}"
    );

    // With lookup codes the notebook is found; the variation still is not, so still nothing.
    session
        .set_options(json!({"match_by_lookup_code": true}))
        .unwrap();
    let response = import(&session, &selection);
    let missing: Vec<Value> = rows(&response)
        .into_iter()
        .filter(|r| r["outcome"] == "missing")
        .collect();
    assert_eq!(missing.len(), 2, "{missing:#?}");
    assert!(qbm_orders(company).is_empty());

    // Without the orders that cannot be imported, the rest is.
    let response = import(&session, &["1040", "1042"]);
    assert_eq!(response["summary"]["created"], 2, "{response:#}");
}

#[test]
fn orders_go_to_the_chosen_location() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    // A number, as some hosts send ids, or text.
    for (id, location, expected) in [("1040", json!(3), "3"), ("1042", json!("2"), "2")] {
        let response = session
            .action(
                IMPORT,
                &ActionInput::select([id]).param("location_id", location),
            )
            .unwrap();
        assert_eq!(row(&response, id)["outcome"], "created");
        assert_eq!(linked_order(session.company(), id).location_id, expected);
    }
    let err = session
        .action(
            IMPORT,
            &ActionInput::select(["1040"]).param("location_id", "99"),
        )
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_INVALID_ARGUMENT");
    assert!(err.message.contains("99"), "{}", err.message);
}

fn imported_tab(session: &host_sim::session::Session, from: &str, to: &str) -> Value {
    session
        .action(
            IMPORTED,
            &ActionInput::default().param("from", from).param("to", to),
        )
        .unwrap()
}

#[test]
fn the_imported_tab_shows_the_stores_current_status_and_logs_each_change_once() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    import(&session, &["1040", "1042"]);
    let company = session.company();
    let anna = linked_order(company, "1040");
    let ben = linked_order(company, "1042");

    let response = imported_tab(&session, FIXTURE_DAY, FIXTURE_DAY);
    let listed = rows(&response);
    assert_eq!(listed.len(), 2, "{listed:#?}");
    let first = listed.iter().find(|r| r["woo_id"] == "1040").unwrap();
    assert_eq!(first["qbm_id"], anna.id.clone().unwrap());
    assert_eq!(first["qbm_number"], anna.number.clone().unwrap());
    assert_eq!(first["reference"], "1040");
    assert_eq!(first["customer"], "Anna Schmidt (Schmidt & Söhne GmbH)");
    assert_eq!(first["location"], "Main Warehouse");
    assert_eq!(first["total"], "53.92");
    assert_eq!(first["date"], "2026-11-27T17:28:46Z");
    assert!(first["imported_at"].is_string(), "{first}");
    assert_eq!(first["store_status"], "Processing");
    assert_eq!(first["changes"], Value::Null);
    let second = listed.iter().find(|r| r["woo_id"] == "1042").unwrap();
    assert_eq!(second["store_status"], "On hold");
    assert_eq!(second["qbm_number"], ben.number.clone().unwrap());

    // Ranges: the store days of the QBM order date, overlapping ranges show the same orders.
    assert_eq!(
        rows(&imported_tab(&session, "2026-11-28", "2026-11-30")).len(),
        0
    );
    assert_eq!(
        rows(&imported_tab(&session, "2026-11-20", "2026-11-27")).len(),
        2
    );

    // In the store, 1042 is cancelled and 1040 partly refunded after the import.
    shop.store.set_order_status(1042, "cancelled").unwrap();
    shop.store
        .refund_order(1040, &RefundSpec::amount(dec("10.00"), "Kulanz"))
        .unwrap();
    let warnings_before = log(&session, "processing").len();
    let response = imported_tab(&session, FIXTURE_DAY, FIXTURE_DAY);
    let listed = rows(&response);
    let first = listed.iter().find(|r| r["woo_id"] == "1040").unwrap();
    let second = listed.iter().find(|r| r["woo_id"] == "1042").unwrap();
    assert_eq!(second["store_status"], "Cancelled");
    assert!(
        text(&second["changes"]).contains("was cancelled in the store after it was imported"),
        "{second}"
    );
    assert_eq!(first["store_status"], "Processing");
    assert!(
        text(&first["changes"]).contains("partly refunded (10.00 EUR)"),
        "{first}"
    );
    assert!(
        text(&response["message"]).contains("2 of them changed in the store after import"),
        "{}",
        response["message"]
    );
    let changed = |messages: &[String]| {
        messages
            .iter()
            .filter(|m| m.contains("was changed after it was imported as QBM order"))
            .count()
    };
    let logged = log(&session, "processing");
    assert_eq!(changed(&logged), 2, "{logged:#?}");
    let cancelled = format!(
        "WooCommerce order 1042 was changed after it was imported as QBM order {}: WooCommerce order 1042 was cancelled",
        ben.number.clone().unwrap()
    );
    assert!(
        logged.iter().any(|m| m.starts_with(&cancelled)),
        "the QBM order by its number: {logged:#?}"
    );
    assert_eq!(logged.len(), warnings_before + 2, "{logged:#?}");
    assert_eq!(session.host.notifications().len(), 2);

    // Looking again logs nothing new; a further refund is a new change, logged once.
    imported_tab(&session, FIXTURE_DAY, FIXTURE_DAY);
    assert_eq!(changed(&log(&session, "processing")), 2);
    shop.store
        .refund_order(1040, &RefundSpec::amount(dec("5.00"), "Kulanz"))
        .unwrap();
    let response = imported_tab(&session, FIXTURE_DAY, FIXTURE_DAY);
    let first = rows(&response)
        .into_iter()
        .find(|r| r["woo_id"] == "1040")
        .unwrap();
    assert!(
        text(&first["changes"]).contains("partly refunded (15.00 EUR)"),
        "{first}"
    );
    imported_tab(&session, FIXTURE_DAY, FIXTURE_DAY);
    assert_eq!(changed(&log(&session, "processing")), 3);
    // The QBM orders themselves are never changed by this.
    assert_eq!(linked_order(company, "1042").total, ben.total);
}

#[test]
fn an_order_refunded_before_its_import_is_not_reported_as_changed_after_it() {
    let shop = Shop::http();
    let (session, _) = importing(&shop);
    shop.store
        .refund_order(1042, &RefundSpec::amount(dec("5.00"), "Rabatt"))
        .unwrap();
    let line = row(&import(&session, &["1042"]), "1042");
    assert_eq!(line["outcome"], "created", "{line}");
    assert!(
        text(&line["detail"]).contains("5.00 EUR of this order was already refunded"),
        "{line}"
    );
    let response = imported_tab(&session, FIXTURE_DAY, FIXTURE_DAY);
    let listed = rows(&response)[0].clone();
    assert_eq!(listed["changes"], Value::Null, "{listed}");
    assert_eq!(session.host.notifications(), []);

    // A refund after the import is.
    shop.store
        .refund_order(1042, &RefundSpec::amount(dec("3.00"), "Rabatt"))
        .unwrap();
    let listed = rows(&imported_tab(&session, FIXTURE_DAY, FIXTURE_DAY))[0].clone();
    assert!(
        text(&listed["changes"]).contains("partly refunded (8.00 EUR)"),
        "{listed}"
    );
}

#[test]
fn the_buyer_is_found_by_the_customer_rules_and_negative_fees_import() {
    let shop = Shop::http();
    let (session, items) = importing(&shop);
    let company = session.company();
    // Ben is already a QBM customer, typed in QBM with his e-mail in capitals.
    let ben = company
        .customers_create(&host_sim::company::records::Customer {
            id: None,
            first_name: "Ben".into(),
            last_name: "Müller".into(),
            company: String::new(),
            email: "BEN.MUELLER@example.test".into(),
            phone: String::new(),
            billing: Default::default(),
            shipping: Default::default(),
        })
        .unwrap()
        .id
        .unwrap();
    // A new order of his with a discount given as a negative fee, and shipping.
    let discounted = shop
        .store
        .place_order(
            &Checkout::new(Buyer::Customer(5))
                .line(1029, 3)
                .fee("Treuerabatt", dec("-3.00"))
                .shipping(ShippingChoice::flat_rate(dec("4.90"))),
        )
        .unwrap()
        .id;
    let response = import(&session, &["1042", &discounted.to_string()]);
    for id in [1042, discounted] {
        let line = row(&response, &id.to_string());
        assert_eq!(line["outcome"], "created", "{line}");
        assert_reconciles(&shop, &session, id);
        assert_eq!(linked_order(company, &id.to_string()).customer_id, ben);
    }
    let first = row(&response, "1042");
    assert!(
        text(&first["detail"]).contains(&format!("existing QBM customer {ben} (same e-mail)")),
        "{first}"
    );
    // His store account is linked now, so the next order goes straight to him.
    let links = company
        .links_get(&LinksQuery {
            kind: "customer".into(),
            woo_ids: Some(vec!["5".into()]),
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].qbm_id, ben);
    let next = shop
        .store
        .place_order(&mug_for_ben())
        .unwrap()
        .id
        .to_string();
    let line = row(&import(&session, &[&next]), &next);
    assert!(
        text(&line["detail"]).contains(&format!("QBM customer {ben} (linked)")),
        "{line}"
    );
    let order = linked_order(company, &discounted.to_string());
    let fee = order
        .lines
        .iter()
        .find(|l| l.item_id == items.fee)
        .expect("a fee line");
    assert_eq!(fee.description, "Treuerabatt");
    assert!(fee.net_amount.unwrap() < Decimal::ZERO, "{fee:?}");
    assert_eq!(qbm_orders(company).len(), 3);
}
