//! Listing thousands of records from the simulated store: every record exactly once, in as
//! few requests as the page size allows, with the filters the features need.

mod woo_client_support;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use host_sim::store::model::ProductKind;
use host_sim::store::{FaultKind, FaultRule, KeyPermission, SeedSpec, SimStore, StoreOptions};
use qbm_woocommerce::woo::{
    CancelToken, CustomerQuery, DateWindow, OrderQuery, ProductQuery, WooErrorKind,
};
use woo_client_support::{block_on, client};

fn seeded(spec: SeedSpec) -> SimStore {
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&spec);
    store
}

#[test]
fn thousands_of_products_arrive_once_each() {
    let store = seeded(SeedSpec {
        products: 2_345,
        ..SeedSpec::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let expected: BTreeSet<u64> = store.with_data(|d| {
        d.products
            .values()
            .filter(|p| p.kind != ProductKind::Variation && p.status != "trash")
            .map(|p| p.id)
            .collect()
    });
    let q = ProductQuery {
        fields: [
            "id",
            "sku",
            "type",
            "manage_stock",
            "stock_quantity",
            "parent_id",
        ]
        .map(String::from)
        .to_vec(),
        ..ProductQuery::default()
    };
    let listing = block_on(client.list_all_products(q, &CancelToken::new())).expect("listing");
    assert!(listing.bad_records.is_empty(), "{:?}", listing.bad_records);
    let got: Vec<u64> = listing.records.iter().map(|p| p.id).collect();
    let unique: BTreeSet<u64> = got.iter().copied().collect();
    assert_eq!(got.len(), unique.len(), "no duplicates");
    assert_eq!(unique, expected);
    let pages = expected.len().div_ceil(100) as u64;
    assert_eq!(listing.pages as u64, pages);
    assert_eq!(listing.total_at_start, Some(expected.len() as u64));
    assert!(!listing.total_changed());
    assert_eq!(store.requests().get("GET /wc/v3/products"), pages);
    assert_eq!(client.stats().count("GET products"), pages);
    // Page URLs are the client's own: every one has per_page=100 and the _fields list.
    for r in store.request_log() {
        assert!(
            r.path_and_query.contains("per_page=100"),
            "{}",
            r.path_and_query
        );
        assert!(
            r.path_and_query.contains("_fields="),
            "{}",
            r.path_and_query
        );
    }
}

#[test]
fn variations_of_a_variable_product_are_listed_with_their_parent() {
    let store = seeded(SeedSpec {
        products: 60,
        variable_share: 1.0,
        variations_per_product: 2..=200,
        ..SeedSpec::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let (parent, expected): (u64, BTreeSet<u64>) = store.with_data(|d| {
        let parent = d
            .products
            .values()
            .find(|p| p.kind == ProductKind::Variable)
            .map(|p| p.id)
            .expect("a variable product");
        let children = d
            .products
            .values()
            .filter(|p| p.kind == ProductKind::Variation && p.parent_id == parent)
            .map(|p| p.id)
            .collect();
        (parent, children)
    });
    assert!(!expected.is_empty());
    let listing =
        block_on(client.list_all_variations(parent, &CancelToken::new())).expect("variations");
    let got: BTreeSet<u64> = listing.records.iter().map(|v| v.id).collect();
    assert_eq!(got, expected);
    assert_eq!(listing.records.len(), expected.len());
    assert!(listing.records.iter().all(|v| v.parent_id == parent));
    assert_eq!(listing.pages as usize, expected.len().div_ceil(100));
}

#[test]
fn sku_lookups_find_products_and_variations_in_chunks() {
    let store = seeded(SeedSpec {
        products: 400,
        ..SeedSpec::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let wanted: Vec<(u64, String)> = store.with_data(|d| {
        let parents: std::collections::HashMap<u64, String> =
            d.products.values().map(|p| (p.id, p.sku.clone())).collect();
        d.products
            .values()
            .filter(|p| !p.sku.is_empty())
            .filter(|p| {
                p.kind != ProductKind::Variation || parents.get(&p.parent_id) != Some(&p.sku)
            })
            .map(|p| (p.id, p.sku.clone()))
            .take(250)
            .collect()
    });
    assert!(wanted.len() == 250);
    let mut skus: Vec<String> = wanted.iter().map(|(_, s)| s.clone()).collect();
    skus.push("DOES-NOT-EXIST".into());
    store.reset_requests();
    let found = block_on(client.products_by_sku(&skus, &CancelToken::new())).expect("lookup");
    let got: BTreeSet<u64> = found.records.iter().map(|p| p.id).collect();
    let expected: BTreeSet<u64> = wanted.iter().map(|(id, _)| *id).collect();
    assert_eq!(got, expected);
    assert_eq!(store.requests().get("GET /wc/v3/products"), 3);
    for r in store.request_log() {
        assert!(
            r.path_and_query.len() < 2_500,
            "URL too long: {}",
            r.path_and_query.len()
        );
    }
}

#[test]
fn customers_are_listed_completely() {
    let store = seeded(SeedSpec {
        customers: 240,
        ..SeedSpec::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let expected: BTreeSet<u64> = store.with_data(|d| {
        d.customers
            .values()
            .filter(|c| c.role == "customer")
            .map(|c| c.id)
            .collect()
    });
    let listing =
        block_on(client.list_all_customers(CustomerQuery::default(), &CancelToken::new()))
            .expect("customers");
    let got: BTreeSet<u64> = listing.records.iter().map(|c| c.id).collect();
    assert_eq!(got, expected);
    let email = listing.records[0].email.clone();
    let one = block_on(client.list_all_customers(
        CustomerQuery {
            email: Some(email.clone()),
            role: Some("all".into()),
            ..CustomerQuery::default()
        },
        &CancelToken::new(),
    ))
    .expect("by email");
    assert_eq!(one.records.len(), 1);
    assert_eq!(one.records[0].email, email);
}

#[test]
fn orders_in_a_utc_window_are_found_whatever_the_store_time_zone() {
    let store = seeded(SeedSpec {
        orders: 600,
        ..SeedSpec::default()
    });
    store.set_timezone(chrono_tz::Pacific::Auckland);
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let from = Utc.with_ymd_and_hms(2026, 10, 10, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 10, 20, 23, 59, 59).unwrap();
    let expected: BTreeSet<u64> = store.with_data(|d| {
        d.orders
            .values()
            .filter(|o| o.date_created >= from && o.date_created <= to)
            .filter(|o| o.status != "trash" && o.status != "checkout-draft")
            .map(|o| o.id)
            .collect()
    });
    assert!(expected.len() > 100, "the window spans several pages");
    let window = DateWindow::covering(from, to);
    let q = OrderQuery {
        after: Some(window.after),
        before: Some(window.before),
        ..OrderQuery::default()
    };
    let listing = block_on(client.list_all_orders(q, &CancelToken::new())).expect("orders");
    let got: BTreeSet<u64> = listing.records.iter().map(|o| o.id).collect();
    assert_eq!(got, expected);
    assert!(
        listing
            .records
            .iter()
            .all(|o| o.date_created_gmt.is_some_and(|t| t >= from && t <= to))
    );
    for r in store.request_log() {
        assert!(
            r.path_and_query.contains("dates_are_gmt=true"),
            "{}",
            r.path_and_query
        );
        assert!(!r.path_and_query.contains("Z&"), "{}", r.path_and_query);
    }
}

#[test]
fn cancelling_a_long_listing_stops_it_between_pages() {
    let store = seeded(SeedSpec {
        products: 1_500,
        ..SeedSpec::default()
    });
    store.faults().add(
        FaultRule::new(FaultKind::Latency(Duration::from_millis(40))).on_route("/wc/v3/products"),
    );
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let cancel = CancelToken::new();
    let err = block_on(async {
        let (watch_client, watch_cancel) = (client.clone(), cancel.clone());
        tokio::spawn(async move {
            while watch_client.stats().total < 3 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            watch_cancel.cancel();
        });
        client
            .list_all_products(ProductQuery::default(), &cancel)
            .await
    })
    .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Cancelled);
    // Page 1, then one wave of pages already in flight when Cancel came; none after it.
    let wave = qbm_woocommerce::woo::WooConfig::new("https://x.test", "ck", "cs")
        .initial_concurrency as u64;
    let sent = store.requests().get("GET /wc/v3/products");
    assert!(
        (2..=1 + wave).contains(&sent),
        "stopped after {sent} of 15 pages"
    );
}
