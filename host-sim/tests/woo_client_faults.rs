//! Every injected fault kind against the client: retried where that is safe (reads), a clear
//! error where it is not (writes, hopeless answers).

mod woo_client_support;

use std::time::{Duration, Instant};

use host_sim::store::{FaultKind, FaultRule, KeyPermission, SeedSpec, SimStore, StoreOptions};
use qbm_woocommerce::woo::{
    Batch, CancelToken, ITEM_OUTCOME_UNKNOWN, ProductQuery, ProductWrite, RetryPolicy, WooClient,
    WooErrorKind,
};
use woo_client_support::{assert_error_clean, block_on, config};

const ONE: &str = "GET /wc/v3/products/{id}";
const BATCH: &str = "POST /wc/v3/products/batch";

fn fixture_store() -> SimStore {
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&SeedSpec::fixtures());
    store
}

fn client_with(
    store: &SimStore,
    tweak: impl FnOnce(&mut qbm_woocommerce::woo::WooConfig),
) -> (WooClient, String) {
    let key = store.create_key(KeyPermission::ReadWrite);
    let mut cfg = config(&store.base_url(), &key.consumer_key, &key.consumer_secret);
    cfg.request_timeout = Duration::from_secs(2);
    tweak(&mut cfg);
    (WooClient::new(cfg).expect("client"), key.consumer_secret)
}

fn stock_write() -> Batch<ProductWrite> {
    Batch {
        update: vec![ProductWrite {
            id: Some(1031),
            manage_stock: Some(true),
            stock_quantity: Some(77),
            ..ProductWrite::default()
        }],
        ..Batch::default()
    }
}

#[test]
fn latency_is_waited_out() {
    let store = fixture_store();
    store.faults().add(
        FaultRule::new(FaultKind::Latency(Duration::from_millis(300))).on_route("/wc/v3/products"),
    );
    let (client, _) = client_with(&store, |_| {});
    let started = Instant::now();
    let p = block_on(client.get_product(1029)).expect("slow but fine");
    assert_eq!(p.sku, "FX-MUG");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(store.requests().get(ONE), 1);
}

#[test]
fn server_errors_on_reads_are_retried() {
    for status in [500, 502, 503, 504, 508, 520, 524] {
        let store = fixture_store();
        store.faults().add(
            FaultRule::new(FaultKind::ServerError(status))
                .on_method("GET")
                .times(2),
        );
        let (client, _) = client_with(&store, |_| {});
        let p = block_on(client.get_product(1029)).unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(p.id, 1029);
        assert_eq!(store.requests().get(ONE), 3, "{status}");
        assert_eq!(client.stats().retries, 2);
    }
}

#[test]
fn a_store_that_stays_down_gives_a_clear_error_after_the_attempt_limit() {
    let store = fixture_store();
    store
        .faults()
        .add(FaultRule::new(FaultKind::ServerError(503)));
    let (client, secret) = client_with(&store, |_| {});
    let err = block_on(client.get_product(1029)).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::StoreDown);
    assert!(err.is_transient());
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert_error_clean(&err, &secret);
    assert_eq!(
        store.requests().get(ONE),
        RetryPolicy::default().max_attempts as u64
    );
}

#[test]
fn rate_limits_honour_retry_after() {
    let store = fixture_store();
    store.faults().add(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 1,
        })
        .times(1),
    );
    let (client, _) = client_with(&store, |_| {});
    let started = Instant::now();
    block_on(client.get_product(1029)).expect("after waiting");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(store.requests().get(ONE), 2);

    // A pause longer than the client accepts is reported, not slept through.
    let store = fixture_store();
    store
        .faults()
        .add(FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 3_600,
        }));
    let (client, _) = client_with(&store, |_| {});
    let err = block_on(client.get_product(1029)).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::RateLimited);
    assert!(err.to_string().contains("3600 seconds"), "{err}");
    assert_eq!(store.requests().get(ONE), 1);
}

#[test]
fn hung_requests_time_out_and_reads_are_retried() {
    let store = fixture_store();
    store
        .faults()
        .add(FaultRule::new(FaultKind::Hang).on_method("GET").times(1));
    let (client, _) = client_with(&store, |c| c.request_timeout = Duration::from_millis(500));
    block_on(client.get_product(1029)).expect("second attempt answers");
    assert_eq!(store.requests().get(ONE), 2);

    let store = fixture_store();
    store.faults().add(FaultRule::new(FaultKind::Hang));
    let (client, _) = client_with(&store, |c| {
        c.request_timeout = Duration::from_millis(300);
        c.retry = RetryPolicy::no_retries();
    });
    let err = block_on(client.get_product(1029)).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Timeout);
}

#[test]
fn malformed_and_truncated_reads_are_retried_then_named() {
    for kind in [FaultKind::MalformedJson, FaultKind::TruncatedBody] {
        let store = fixture_store();
        store
            .faults()
            .add(FaultRule::new(kind).on_method("GET").times(1));
        let (client, _) = client_with(&store, |_| {});
        block_on(client.get_product(1029)).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(store.requests().get(ONE), 2, "{kind:?}");

        let store = fixture_store();
        store.faults().add(FaultRule::new(kind).on_method("GET"));
        let (client, secret) = client_with(&store, |_| {});
        let err = block_on(client.get_product(1029)).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                WooErrorKind::BrokenResponse | WooErrorKind::ConnectionLost
            ),
            "{kind:?}: {err:?}"
        );
        assert!(
            err.to_string().contains("/wp-json/wc/v3/products/1029"),
            "{err}"
        );
        assert!(err.is_transient());
        assert_error_clean(&err, &secret);
    }
}

#[test]
fn html_instead_of_json_is_not_retried() {
    let store = fixture_store();
    store
        .faults()
        .add(FaultRule::new(FaultKind::HtmlInsteadOfJson));
    let (client, _) = client_with(&store, |_| {});
    let err = block_on(client.get_product(1029)).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::NotApiResponse);
    assert!(
        err.to_string().contains("firewall or bot protection"),
        "{err}"
    );
    assert_eq!(store.requests().get(ONE), 1);
}

#[test]
fn writes_hit_by_faults_are_never_resent() {
    for kind in [
        FaultKind::ServerError(503),
        FaultKind::ServerError(502),
        FaultKind::Hang,
        FaultKind::TruncatedBody,
        FaultKind::MalformedJson,
    ] {
        let store = fixture_store();
        store.faults().add(FaultRule::new(kind).on_method("POST"));
        let (client, secret) =
            client_with(&store, |c| c.request_timeout = Duration::from_millis(500));
        let out = block_on(client.batch_products(stock_write(), &CancelToken::new()))
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(store.requests().get(BATCH), 1, "{kind:?}: sent once");
        let item = out.update[0].as_ref().unwrap_err();
        assert_eq!(item.code, ITEM_OUTCOME_UNKNOWN, "{kind:?}");
        let stopped = out.stopped_by.expect("stopped");
        assert_eq!(stopped.kind(), WooErrorKind::OutcomeUnknown, "{kind:?}");
        assert!(
            stopped.to_string().contains("re-read the records"),
            "{stopped}"
        );
        assert_error_clean(&stopped, &secret);
    }
}

#[test]
fn refused_writes_fail_as_a_whole() {
    for (kind, expected) in [
        (
            FaultKind::TooManyRequests {
                retry_after_secs: 5,
            },
            WooErrorKind::RateLimited,
        ),
        (FaultKind::HtmlInsteadOfJson, WooErrorKind::NotApiResponse),
    ] {
        let store = fixture_store();
        store.faults().add(FaultRule::new(kind).on_method("POST"));
        let (client, _) = client_with(&store, |_| {});
        let err = block_on(client.batch_products(stock_write(), &CancelToken::new())).unwrap_err();
        assert_eq!(err.kind(), expected, "{kind:?}");
        assert_eq!(store.requests().get(BATCH), 1, "{kind:?}");
    }
}

#[test]
fn a_flaky_store_still_yields_a_complete_listing() {
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&SeedSpec {
        products: 1_200,
        ..SeedSpec::default()
    });
    store.faults().reseed(7);
    store.faults().add(
        FaultRule::new(FaultKind::ServerError(503))
            .on_route("/wc/v3/products")
            .with_probability(0.2),
    );
    let (client, _) = client_with(&store, |_| {});
    let listing = block_on(client.list_all_products(ProductQuery::default(), &CancelToken::new()))
        .expect("complete listing");
    let expected = store.with_data(|d| {
        d.products
            .values()
            .filter(|p| p.kind != host_sim::store::model::ProductKind::Variation)
            .count()
    });
    assert_eq!(listing.records.len(), expected);
    let stats = client.stats();
    assert_eq!(stats.total, store.requests().get("GET /wc/v3/products"));
    assert!(stats.retries > 0, "some pages needed a retry");
    assert!(stats.slow_downs > 0, "each failure lowers the concurrency");
}

#[test]
fn a_healthy_store_is_read_with_several_requests_at_once() {
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&SeedSpec {
        products: 1_500,
        ..SeedSpec::default()
    });
    let (client, _) = client_with(&store, |_| {});
    let listing = block_on(client.list_all_products(ProductQuery::default(), &CancelToken::new()))
        .expect("complete listing");
    let ids: Vec<u64> = listing.records.iter().map(|p| p.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "in id order, each once");
    assert_eq!(
        store.requests().get("GET /wc/v3/products") as u32,
        listing.pages,
        "each page asked for once"
    );
    let stats = client.stats();
    assert!(stats.max_in_flight > 1, "{stats:?}");
    assert!(stats.max_in_flight <= 8, "{stats:?}");
    assert_eq!(stats.slow_downs, 0);
}
