//! The order rules run on the recorded WooCommerce 8.9.1 orders (1040–1045, see
//! `tests/fixtures/woocommerce-8.9.1/README.md`).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::changes::{ImportedOrder, OrderChange, changes_after_import};
use super::customer::{CustomerOptions, OrderBuyer, OrderCustomer, decide_order_customers};
use super::fixtures;
use super::money::{LineSource, MoneyProblem, ServiceItems, StoreLinks, plan_order};
use super::plan::{ImportContext, OrderOutcome, plan_orders};
use super::preflight::{ItemSources, MissingReason, ResolvedLine, resolve_lines};
use super::{ImportableStatuses, OrderStatus};
use crate::host_port::{Customer, Item, Link, LinkKind};
use crate::sync::customers::{CustomerLinks, MatchRule};
use crate::sync::store_dates::{StoreZone, day_window};
use crate::woo::model as woo;

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

/// Every recording whose answer holds orders, with the orders it holds.
fn recorded_orders() -> Vec<(&'static str, woo::Order)> {
    let singles = [
        "GET-orders-registered-coupon-shipping-tax.json",
        "GET-orders-guest-fee.json",
        "GET-orders-on-hold.json",
        "GET-orders-cancelled.json",
        "GET-orders-deleted-product.json",
        "GET-orders-refunded.json",
        "POST-orders-201.json",
        "POST-orders-guest-fee-201.json",
        "POST-orders-on-hold-201.json",
        "PUT-orders-status-cancelled.json",
    ];
    let lists = [
        "GET-orders-page1.json",
        "GET-orders-page2.json",
        "GET-orders-after-before-gmt.json",
        "GET-orders-modified_after.json",
    ];
    let mut all: Vec<(&'static str, woo::Order)> =
        singles.iter().map(|f| (*f, fixtures::one(f))).collect();
    for file in lists {
        all.extend(
            fixtures::list::<woo::Order>(file)
                .into_iter()
                .map(|o| (file, o)),
        );
    }
    all
}

fn page_orders() -> Vec<woo::Order> {
    let mut orders: Vec<woo::Order> = fixtures::list("GET-orders-page1.json");
    orders.extend(fixtures::list::<woo::Order>("GET-orders-page2.json"));
    orders
}

fn qbm_item(id: &str, sku: &str) -> Item {
    Item {
        id: Some(id.into()),
        code: id.into(),
        name: id.into(),
        sku: Some(sku.into()),
        ..Item::default()
    }
}

/// QBM as it would be after importing the recorded store's catalog by SKU.
fn sources() -> ItemSources {
    ItemSources {
        links: HashMap::new(),
        qbm_items: vec![
            qbm_item("Q-MUG", "FX-MUG"),
            qbm_item("Q-GIFT", "FX-GIFT"),
            qbm_item("Q-TSHIRT", "FX-TSHIRT"),
            qbm_item("Q-TS-S-RED", "FX-TSHIRT-S-RED"),
            qbm_item("Q-TS-M-BLUE", "FX-TSHIRT-M-BLUE"),
        ],
        deleted: HashSet::from([1034]),
        parent_skus: HashMap::from([(1036, "FX-TSHIRT".to_string())]),
        match_lookup_code: false,
    }
}

fn service_items() -> ServiceItems {
    ServiceItems {
        shipping: Some("Q-SHIP".into()),
        fee: Some("Q-FEE".into()),
    }
}

fn store() -> StoreLinks {
    StoreLinks {
        store_url: "http://127.0.0.1:8080".into(),
        hpos: true,
    }
}

/// Every line of every recorded order, given an item (as a link would), adds up to the store's
/// order total to the cent, and the tax to the store's tax total.
#[test]
fn every_recorded_order_reconciles_to_the_cent() {
    let totals: HashMap<u64, &str> = HashMap::from([
        (1040, "53.92"),
        (1041, "32.73"),
        (1042, "48.43"),
        (1043, "46.77"),
        (1044, "23.68"),
        (1045, "35.58"),
    ]);
    let recorded = recorded_orders();
    assert!(recorded.len() >= 20, "{} orders recorded", recorded.len());
    let mut seen = HashSet::new();
    for (file, order) in &recorded {
        let resolved: Vec<ResolvedLine> = order
            .line_items
            .iter()
            .map(|line| ResolvedLine {
                line_id: line.id,
                item_id: format!("Q-{}", line.id),
                by: super::preflight::ResolvedBy::Link,
            })
            .collect();
        let planned = plan_order(order, &resolved, &service_items(), &store())
            .unwrap_or_else(|e| panic!("{file} order {}: {}", order.id, e.reason("EUR")));
        let gross: Decimal = planned.lines.iter().map(|l| l.gross()).sum();
        assert_eq!(gross, order.total, "{file} order {}", order.id);
        assert_eq!(
            planned.total,
            dec(totals[&order.id]),
            "{file} order {}",
            order.id
        );
        assert_eq!(
            planned.tax_total(),
            order.total_tax,
            "{file} order {}",
            order.id
        );
        assert!(
            planned
                .warnings
                .iter()
                .all(|w| !w.contains("rounded the tax")),
            "{file}: no rounding to settle in the recordings"
        );
        seen.insert(order.id);
    }
    assert_eq!(seen, totals.keys().copied().collect());
}

#[test]
fn the_recorded_store_imported_with_the_default_options() {
    let importable = ImportableStatuses::default();
    let imported = HashMap::new();
    let items = sources();
    let context = ImportContext {
        importable: &importable,
        imported: &imported,
        items: &items,
        service_items: &service_items(),
        store: &store(),
    };
    let orders = page_orders();
    let plan = plan_orders(&orders, &context);
    let rows: Vec<(u64, String)> = plan
        .orders
        .iter()
        .map(|(id, outcome)| (*id, outcome.reason("EUR")))
        .collect();
    assert_eq!(
        rows,
        [
            (
                1045,
                "not imported: the order is \"Refunded\" in WooCommerce; only orders that are \"Processing\", \"Completed\" or \"On hold\" are imported (Options → WooCommerce → Order statuses to import)".to_string()
            ),
            (
                1044,
                "not imported: 1 line without a QBM item: FX Auslaufartikel (product deleted from the store)".to_string()
            ),
            (
                1043,
                "not imported: the order is \"Cancelled\" in WooCommerce; only orders that are \"Processing\", \"Completed\" or \"On hold\" are imported (Options → WooCommerce → Order statuses to import)".to_string()
            ),
            (1042, "ready: 2 lines, total 48.43 EUR".to_string()),
            (
                1041,
                "not imported: the order is \"Pending payment\" in WooCommerce; only orders that are \"Processing\", \"Completed\" or \"On hold\" are imported (Options → WooCommerce → Order statuses to import)".to_string()
            ),
            (1040, "ready: 3 lines, total 53.92 EUR".to_string()),
        ]
    );
    assert!(plan.blocks_manual_import());
    let missing: Vec<String> = plan.missing_lines().iter().map(|l| l.text()).collect();
    assert_eq!(
        missing,
        ["Order 1044: FX Auslaufartikel (no product id) — product deleted from the store"]
    );
    assert_eq!(plan.ready().len(), 2);

    // Imported before: never again.
    let imported = HashMap::from([(1040, "SO-7".to_string())]);
    let again = plan_orders(
        &orders,
        &ImportContext {
            imported: &imported,
            ..context
        },
    );
    assert_eq!(
        again.orders.last().unwrap().1,
        OrderOutcome::AlreadyImported {
            qbm_id: "SO-7".into()
        }
    );
}

#[test]
fn order_1040_lines_money_and_notes() {
    let order: woo::Order = fixtures::one("GET-orders-registered-coupon-shipping-tax.json");
    let resolved = resolve_lines(&order, &sources()).unwrap();
    let planned = plan_order(&order, &resolved, &service_items(), &store()).unwrap();
    let lines: Vec<(&str, &str, String, String, String, String)> = planned
        .lines
        .iter()
        .map(|l| {
            (
                l.item_id.as_str(),
                l.description.as_str(),
                l.quantity.to_string(),
                l.unit_price.to_string(),
                l.net_amount.to_string(),
                l.tax.to_string(),
            )
        })
        .collect();
    let row = |item, text, q: &str, p: &str, n: &str, t: &str| {
        (
            item,
            text,
            q.to_string(),
            p.to_string(),
            n.to_string(),
            t.to_string(),
        )
    };
    assert_eq!(
        lines,
        [
            // After the 10 % coupon: 25.00 → 22.50, so 11.25 each (not the 12.50 list price).
            row("Q-MUG", "FX Kaffeebecher", "2", "11.25", "22.50", "4.28"),
            row(
                "Q-TS-S-RED",
                "FX T-Shirt - S, Red",
                "1",
                "17.91",
                "17.91",
                "3.40"
            ),
            row("Q-SHIP", "Versand (Pauschal)", "1", "4.90", "4.90", "0.93"),
        ]
    );
    assert_eq!(planned.lines[2].source, LineSource::Shipping { line_id: 7 });
    assert_eq!(planned.reference, "1040");
    assert_eq!(planned.woo_order_id, 1040);
    assert_eq!(
        planned.date,
        Utc.with_ymd_and_hms(2026, 11, 27, 17, 28, 46).unwrap()
    );
    assert_eq!(planned.status, OrderStatus::Processing);
    assert_eq!(planned.net_total(), dec("45.31"));
    assert_eq!(
        planned.notes,
        "WooCommerce order 1040: http://127.0.0.1:8080/wp-admin/admin.php?page=wc-orders&action=edit&id=1040\n\
         Payment: Direct bank transfer\n\
         Coupons (already in the line amounts): fx10 −4.49 excl. tax\n\
         Customer note: Bitte beim Empfang abgeben."
    );
    assert_eq!(planned.warnings, Vec::<String>::new());
    let host = planned.to_host("C-ANNA", "LOC-1");
    assert_eq!(host.reference, "1040");
    assert_eq!(host.customer_id, "C-ANNA");
    assert_eq!(host.location_id, "LOC-1");
    assert_eq!(host.total, dec("53.92"));
    assert_eq!(host.lines.len(), 3);
    assert_eq!(host.lines[0].unit_price, dec("11.25"));
}

#[test]
fn order_1041_fee_line_and_missing_service_items() {
    let order: woo::Order = fixtures::one("GET-orders-guest-fee.json");
    let resolved = resolve_lines(&order, &sources()).unwrap();
    let planned = plan_order(&order, &resolved, &service_items(), &store()).unwrap();
    let fee = planned.lines.last().unwrap();
    assert_eq!(fee.source, LineSource::Fee { line_id: 11 });
    assert_eq!(
        (
            fee.item_id.as_str(),
            fee.description.as_str(),
            fee.net_amount,
            fee.tax
        ),
        ("Q-FEE", "Geschenkverpackung", dec("2.50"), dec("0.48"))
    );
    assert!(planned.notes.contains("Payment: Cash on delivery"));
    let no_fee_item = ServiceItems {
        fee: None,
        ..service_items()
    };
    let problem = plan_order(&order, &resolved, &no_fee_item, &store()).unwrap_err();
    assert_eq!(
        problem,
        MoneyProblem::NoFeeItem {
            amount: dec("2.98")
        }
    );
    assert_eq!(
        problem.reason("EUR"),
        "the order has fees (2.98 EUR) but no \"Fee item\" is chosen: choose a QBM service item in Options → WooCommerce → Orders"
    );
    let on_hold: woo::Order = fixtures::one("GET-orders-on-hold.json");
    let resolved = resolve_lines(&on_hold, &sources()).unwrap();
    let problem = plan_order(&on_hold, &resolved, &ServiceItems::default(), &store()).unwrap_err();
    assert_eq!(
        problem,
        MoneyProblem::NoShippingItem {
            amount: dec("5.83")
        }
    );
}

#[test]
fn a_variation_showing_its_parents_sku_is_not_the_parent() {
    let order: woo::Order = fixtures::one("GET-orders-cancelled.json");
    let missing = resolve_lines(&order, &sources()).unwrap_err();
    assert_eq!(missing.len(), 1);
    assert_eq!(
        missing[0].reason,
        MissingReason::ParentSkuOnly {
            parent_sku: "FX-TSHIRT".into()
        }
    );
    assert_eq!(
        missing[0].text(),
        "Order 1043: FX T-Shirt - L, Red (product 1036, variation 1039, SKU FX-TSHIRT) — the variation has no SKU of its own (it shows its parent's FX-TSHIRT); give it the SKU of its QBM item in WooCommerce"
    );
    // Linked, it imports.
    let mut linked = sources();
    linked.links.insert(1039, "Q-TS-L-RED".into());
    let resolved = resolve_lines(&order, &linked).unwrap();
    assert_eq!(resolved[1].item_id, "Q-TS-L-RED");
}

fn customer_link(woo_id: &str, qbm_id: &str) -> Link {
    Link {
        kind: LinkKind::Customer,
        woo_id: woo_id.into(),
        woo_parent_id: None,
        qbm_id: qbm_id.into(),
        created_at: None,
    }
}

#[test]
fn the_customer_of_each_recorded_order() {
    let anna_order: woo::Order = fixtures::one("GET-orders-registered-coupon-shipping-tax.json");
    let guest: woo::Order = fixtures::one("GET-orders-guest-fee.json");
    let ben_order: woo::Order = fixtures::one("GET-orders-on-hold.json");
    let mut guest_again = guest.clone();
    guest_again.id = 2041;
    guest_again.number = "2041".into();
    let buyers: Vec<OrderBuyer> = [&anna_order, &guest, &ben_order, &guest_again]
        .into_iter()
        .map(|o| OrderBuyer::new(o, None))
        .collect();
    let links = CustomerLinks::new(&[customer_link("4", "Q-ANNA")]);
    let candidates = vec![Customer {
        id: Some("Q-BEN".into()),
        first_name: "Ben".into(),
        last_name: "Müller".into(),
        email: "Ben.Mueller@example.test".into(),
        ..Customer::default()
    }];
    let allowed = CustomerOptions {
        import_allowed: true,
        may_create: true,
        fallback_customer: None,
    };
    let decisions = decide_order_customers(&buyers, &links, &candidates, &allowed);
    assert_eq!(
        decisions[0].1,
        OrderCustomer::Linked {
            qbm_id: "Q-ANNA".into()
        }
    );
    let OrderCustomer::Create {
        customer,
        link_store_customer: None,
    } = &decisions[1].1
    else {
        panic!("{:?}", decisions[1].1)
    };
    assert_eq!(customer.email, "gerda.gast@example.test");
    assert_eq!(
        decisions[2].1,
        OrderCustomer::Matched {
            qbm_id: "Q-BEN".into(),
            rule: MatchRule::Email,
            link_store_customer: Some(5),
        }
    );
    assert_eq!(
        decisions[3].1,
        OrderCustomer::SameAsEarlierOrder {
            woo_order_id: 1041,
            order_number: "1041".into()
        }
    );

    // Not allowed to create, with and without the fallback customer.
    let fallback = CustomerOptions {
        import_allowed: true,
        may_create: false,
        fallback_customer: Some("Q-WEB".into()),
    };
    let decisions = decide_order_customers(&buyers[1..2], &links, &[], &fallback);
    assert_eq!(
        decisions[0].1.describe(),
        "QBM customer Q-WEB (\"Customer for unmatched and guest orders\": guest order without a matching QBM customer)"
    );
    let nothing = CustomerOptions::default();
    let decisions = decide_order_customers(&buyers[1..2], &links, &[], &nothing);
    assert_eq!(
        decisions[0].1.describe(),
        "not imported: the guest buyer Gerda Gast is not a QBM customer yet and no QBM customer matches by e-mail, by phone and last name, or by name and company; no new customer is created because \"Allow importing WooCommerce customers\" is off. Set \"Customer for unmatched and guest orders\" in Options → WooCommerce, or allow creating customers"
    );

    // Two QBM customers with Gerda's e-mail: the order waits for the owner.
    let twins: Vec<Customer> = ["Q-G1", "Q-G2"]
        .iter()
        .map(|id| Customer {
            id: Some(id.to_string()),
            last_name: "Gast".into(),
            email: "gerda.gast@example.test".into(),
            ..Customer::default()
        })
        .collect();
    let decisions = decide_order_customers(&buyers[1..2], &links, &twins, &allowed);
    assert_eq!(
        decisions[0].1.describe(),
        "not imported: the guest buyer Gerda Gast matches several QBM customers (same e-mail: Q-G1, Q-G2); merge or correct them in QBM, then import the order again"
    );
}

#[test]
fn a_fetched_account_decides_over_the_billing_details() {
    let order: woo::Order = fixtures::one("GET-orders-registered-coupon-shipping-tax.json");
    let account: woo::Customer =
        fixtures::list::<woo::Customer>("GET-customers-by-email.json").remove(0);
    assert_eq!(
        OrderBuyer::new(&order, None).details.email,
        "buchhaltung@schmidt-soehne.example.test"
    );
    assert_eq!(
        OrderBuyer::new(&order, Some(&account)).details.email,
        "anna.schmidt@example.test"
    );
    let ben: woo::Customer = fixtures::one("GET-customers-id.json");
    assert_eq!(
        OrderBuyer::new(&order, Some(&ben)).details.email,
        "buchhaltung@schmidt-soehne.example.test",
        "another customer's account is ignored"
    );
}

#[test]
fn what_happened_after_import() {
    let cancelled: woo::Order = fixtures::one("GET-orders-cancelled.json");
    let was = ImportedOrder {
        number: "1043".into(),
        status: OrderStatus::Processing,
        total: dec("46.77"),
        currency: "EUR".into(),
    };
    assert_eq!(
        changes_after_import(&was, Some(&cancelled), &[]),
        [OrderChange::Cancelled]
    );

    let refunded: woo::Order = fixtures::one("GET-orders-refunded.json");
    let refunds: Vec<woo::Refund> = fixtures::list("GET-orders-refunds.json");
    let was = ImportedOrder {
        number: "1045".into(),
        status: OrderStatus::Processing,
        total: dec("35.58"),
        currency: "EUR".into(),
    };
    let changes = changes_after_import(&was, Some(&refunded), &refunds);
    assert_eq!(
        changes,
        [OrderChange::Refunded {
            amount: dec("35.58"),
            full: true
        }]
    );
    assert_eq!(
        changes[0].message(&was),
        "WooCommerce order 1045 was fully refunded (35.58 EUR) after it was imported; record the return or credit in QBM"
    );
    // The refund list inside the order says the same when the refunds were not fetched.
    assert_eq!(changes_after_import(&was, Some(&refunded), &[]), changes);

    let processing: woo::Order = fixtures::one("GET-orders-registered-coupon-shipping-tax.json");
    let was = ImportedOrder {
        number: "1040".into(),
        status: OrderStatus::Processing,
        total: dec("53.92"),
        currency: "EUR".into(),
    };
    assert_eq!(changes_after_import(&was, Some(&processing), &[]), []);
}

#[test]
fn recorded_dates_agree_with_the_store_calendar() {
    let berlin = StoreZone::from_settings("Europe/Berlin", Some(dec("1"))).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let window = day_window(day, day, &berlin).unwrap();
    for (file, order) in recorded_orders() {
        let gmt = order.date_created_gmt.expect("date_created_gmt");
        assert_eq!(
            Some(berlin.local(gmt)),
            order.date_created,
            "{file} order {}: the local date is the GMT date in Berlin",
            order.id
        );
        assert!(window.contains(gmt), "{file} order {}", order.id);
    }
    let next = day.succ_opt().unwrap();
    let next_window = day_window(next, next, &berlin).unwrap();
    assert!(
        page_orders()
            .iter()
            .all(|o| !next_window.contains(o.date_created_gmt.unwrap()))
    );
}
