//! The WooCommerce client against the simulated store: every authentication mode and its
//! refusals, over HTTP and over HTTPS with a CA trusted only through `SSL_CERT_FILE`.

mod woo_client_support;

use host_sim::store::{KeyPermission, SeedSpec, SimStore, StoreOptions, TlsMaterial};
use qbm_woocommerce::woo::{
    AuthMode, Batch, CancelToken, ProductQuery, ProductWrite, TlsProblem, WooClient, WooErrorKind,
};
use woo_client_support::{
    assert_error_clean, assert_no_secret, block_on, child, client, config, run_child, show,
};

fn http_store() -> SimStore {
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&SeedSpec::fixtures());
    store
}

fn https_store(tls: &TlsMaterial, strip_authorization: bool) -> SimStore {
    let store = SimStore::start(StoreOptions {
        tls: Some(tls.clone()),
        strip_authorization,
        ..StoreOptions::default()
    })
    .expect("store");
    store.seed(&SeedSpec::fixtures());
    store
}

#[test]
fn oauth_over_http_reads_and_writes() {
    let store = http_store();
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    assert_eq!(client.auth_mode(), AuthMode::OAuth1);
    block_on(async {
        let mug = client.get_product(1029).await.expect("read");
        assert_eq!(mug.sku, "FX-MUG");
        let stock = store.with_data(|d| d.products.get(&1029).and_then(|p| p.stock_quantity));
        assert_eq!(mug.stock_quantity, stock);
        let batch = Batch {
            update: vec![ProductWrite {
                id: Some(1029),
                manage_stock: Some(true),
                stock_quantity: Some(21),
                ..ProductWrite::default()
            }],
            ..Batch::default()
        };
        let out = client
            .batch_products(batch, &CancelToken::new())
            .await
            .expect("write");
        assert_eq!(
            out.update[0].as_ref().expect("updated").stock_quantity,
            Some(21)
        );
        // Many requests in a row: every one signed with a fresh nonce.
        for _ in 0..20 {
            client.get_product(1029).await.expect("nonce never reused");
        }
    });
    let counts = store.requests();
    assert_eq!(counts.get("GET /wc/v3/products/{id}"), 21);
    assert_eq!(counts.get("POST /wc/v3/products/batch"), 1);
    assert!(
        store
            .request_log()
            .iter()
            .all(|r| !r.path_and_query.contains(&key.consumer_secret))
    );
}

#[test]
fn http_is_refused_unless_allowed() {
    let store = http_store();
    let key = store.create_key(KeyPermission::ReadWrite);
    let mut cfg = config(&store.base_url(), &key.consumer_key, &key.consumer_secret);
    cfg.allow_insecure_http = false;
    let err = WooClient::new(cfg).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::InsecureHttp);
    assert_error_clean(&err, &key.consumer_secret);
    assert_eq!(store.requests().total(), 0);
}

#[test]
fn wrong_secret_over_oauth() {
    let store = http_store();
    let mut key = store.create_key(KeyPermission::ReadWrite);
    key.consumer_secret = format!("cs_{}", "0".repeat(40));
    let err = block_on(client(&store.base_url(), &key).get_product(1029)).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::WrongSecret);
    assert_error_clean(&err, &key.consumer_secret);
}

#[test]
fn unknown_key_over_oauth() {
    let store = http_store();
    let key = host_sim::store::ApiKey::random();
    let err = block_on(client(&store.base_url(), &key).check_connection()).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::UnknownKey);
    assert!(err.to_string().contains("unknown or was revoked"), "{err}");
}

#[test]
fn read_only_key_is_refused_on_writes_and_by_the_connection_check() {
    let store = http_store();
    let key = store.create_key(KeyPermission::Read);
    let client = client(&store.base_url(), &key);
    let before = block_on(async {
        let mug = client.get_product(1029).await.expect("reading works");
        let batch = Batch {
            update: vec![ProductWrite {
                id: Some(1029),
                stock_quantity: Some(1),
                ..ProductWrite::default()
            }],
            ..Batch::default()
        };
        let err = client
            .batch_products(batch, &CancelToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), WooErrorKind::ReadOnlyKey);
        assert!(err.to_string().contains("Read/Write"), "{err}");
        let err = client.check_connection().await.unwrap_err();
        assert_eq!(err.kind(), WooErrorKind::ReadOnlyKey);
        assert_error_clean(&err, &key.consumer_secret);
        mug.stock_quantity
    });
    // The refused writes changed nothing.
    let stock = store.with_data(|d| d.products.get(&1029).and_then(|p| p.stock_quantity));
    assert_eq!(stock, before);
}

#[test]
fn a_key_revoked_mid_listing_stops_the_listing_with_a_clear_error() {
    use qbm_woocommerce::woo::StreamExt as _;
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&SeedSpec {
        products: 350,
        ..SeedSpec::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    block_on(async {
        let pages = client.products(ProductQuery::default(), &CancelToken::new());
        let mut pages = std::pin::pin!(pages);
        let first = pages.next().await.expect("a page").expect("page 1");
        assert_eq!(first.records.len(), 100);
        store.revoke_key(&key.consumer_key);
        let err = pages.next().await.expect("an item").unwrap_err();
        assert_eq!(err.kind(), WooErrorKind::UnknownKey);
        assert_error_clean(&err, &key.consumer_secret);
        assert!(
            pages.next().await.is_none(),
            "the listing ends after the error"
        );
    });
}

#[test]
fn basic_auth_over_https() {
    if let Some(ctx) = child() {
        block_on(async {
            let client = ctx.client();
            assert_eq!(client.auth_mode(), AuthMode::Basic);
            let report = client.check_connection().await.expect("connected");
            assert_eq!(report.auth_mode, AuthMode::Basic);
            assert_eq!(report.currency.as_deref(), Some("EUR"));
            assert_eq!(report.woocommerce_version.as_deref(), Some("8.9.1"));
            println!("report: {report:?}");
            let listing = client
                .list_all_products(ProductQuery::default(), &CancelToken::new())
                .await
                .expect("listing");
            assert!(listing.records.iter().any(|p| p.sku == "FX-MUG"));
        });
        return;
    }
    let tls = TlsMaterial::generate().expect("tls");
    let store = https_store(&tls, false);
    let key = store.create_key(KeyPermission::ReadWrite);
    assert!(store.base_url().starts_with("https://"));
    let out = run_child(
        "basic_auth_over_https",
        tls.ca_pem(),
        &store.base_url(),
        &key,
    );
    assert_no_secret(&out, &key.consumer_secret);
    // Basic puts nothing in the URL.
    assert!(
        store
            .request_log()
            .iter()
            .all(|r| !r.path_and_query.contains("consumer_"))
    );
}

#[test]
fn wrong_secret_and_revoked_key_over_basic() {
    if let Some(ctx) = child() {
        block_on(async {
            let mut wrong = ctx.key.clone();
            wrong.consumer_secret = format!("cs_{}", "1".repeat(40));
            let err = woo_client_support::client(&ctx.base_url, &wrong)
                .get_product(1029)
                .await
                .unwrap_err();
            show("wrong secret", &err);
            assert_eq!(err.kind(), WooErrorKind::WrongSecret);
            let unknown = host_sim::store::ApiKey::random();
            let err = woo_client_support::client(&ctx.base_url, &unknown)
                .get_product(1029)
                .await
                .unwrap_err();
            show("unknown key", &err);
            assert_eq!(err.kind(), WooErrorKind::UnknownKey);
        });
        return;
    }
    let tls = TlsMaterial::generate().expect("tls");
    let store = https_store(&tls, false);
    let key = store.create_key(KeyPermission::ReadWrite);
    let out = run_child(
        "wrong_secret_and_revoked_key_over_basic",
        tls.ca_pem(),
        &store.base_url(),
        &key,
    );
    assert!(
        out.contains("wrong secret: The consumer secret does not match"),
        "{out}"
    );
    assert_no_secret(&out, &key.consumer_secret);
}

#[test]
fn query_string_keys_when_the_server_strips_authorization() {
    if let Some(ctx) = child() {
        block_on(async {
            let client = ctx.client();
            let report = client.check_connection().await.expect("connected");
            println!("report: {report:?}");
            assert_eq!(report.auth_mode, AuthMode::QueryString);
            assert!(
                report
                    .warnings
                    .iter()
                    .any(|w| w.contains("Authorization header"))
            );
            assert_eq!(client.auth_mode(), AuthMode::QueryString);
            let before = client.stats().total;
            client.get_order(1040).await.expect("read with query keys");
            assert_eq!(
                client.stats().total,
                before + 1,
                "the working mode is remembered"
            );
            // Errors keep the secret out even though it is in every URL now.
            let err = client.get_product(999_999).await.unwrap_err();
            show("missing product", &err);
            assert_eq!(err.kind(), WooErrorKind::NotFound);
        });
        return;
    }
    let tls = TlsMaterial::generate().expect("tls");
    let store = https_store(&tls, true);
    let key = store.create_key(KeyPermission::ReadWrite);
    let out = run_child(
        "query_string_keys_when_the_server_strips_authorization",
        tls.ca_pem(),
        &store.base_url(),
        &key,
    );
    assert_no_secret(&out, &key.consumer_secret);
    let log = store.request_log();
    // One Basic attempt was refused, then every authenticated request carried the keys.
    let basic_tries = log
        .iter()
        .filter(|r| r.route.contains("/wc/v3/") && !r.path_and_query.contains("consumer_key="))
        .count();
    assert_eq!(basic_tries, 1, "{log:#?}");
}

#[test]
fn an_untrusted_certificate_is_refused() {
    if let Some(ctx) = child() {
        let err = block_on(ctx.client().get_product(1029)).unwrap_err();
        show("untrusted", &err);
        match &err {
            e if e.kind() == WooErrorKind::Tls => {
                assert_eq!(*e.tls_problem().unwrap(), TlsProblem::Untrusted)
            }
            other => panic!("expected a TLS error, got {other:?}"),
        }
        assert!(err.to_string().contains("not trusted"), "{err}");
        return;
    }
    let tls = TlsMaterial::generate().expect("tls");
    let other_ca = TlsMaterial::generate().expect("tls");
    let store = https_store(&tls, false);
    let key = store.create_key(KeyPermission::ReadWrite);
    let out = run_child(
        "an_untrusted_certificate_is_refused",
        other_ca.ca_pem(),
        &store.base_url(),
        &key,
    );
    assert_no_secret(&out, &key.consumer_secret);
    assert!(
        store.request_log().is_empty(),
        "nothing was sent over the refused connection"
    );
}
