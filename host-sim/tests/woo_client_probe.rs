//! The connection check ("Reconnect") against the simulated store in its various set-ups.

mod woo_client_support;

use host_sim::store::{KeyPermission, Permalinks, SeedSpec, SimStore, SiteKind, StoreOptions};
use qbm_woocommerce::woo::{AuthMode, KeyPermission as Granted, Routing, WooErrorKind};
use woo_client_support::{assert_error_clean, block_on, client};

fn store_with(opts: StoreOptions) -> SimStore {
    let store = SimStore::start(opts).expect("store");
    store.seed(&SeedSpec::fixtures());
    store
}

#[test]
fn a_healthy_store_is_reported_with_its_facts() {
    let store = store_with(StoreOptions::default());
    let key = store.create_key(KeyPermission::ReadWrite);
    let before = store.with_data(|d| (d.products.len(), d.next_post_id));
    let report = block_on(client(&store.base_url(), &key).check_connection()).expect("report");
    assert_eq!(report.store_name, "Acceptance Store");
    assert_eq!(report.home_url, store.base_url());
    assert_eq!(report.woocommerce_version.as_deref(), Some("8.9.1"));
    assert!(report.wordpress_version.is_some());
    assert_eq!(report.currency.as_deref(), Some("EUR"));
    assert_eq!(report.timezone_string, "Europe/Berlin");
    assert!(report.gmt_offset.is_some());
    assert_eq!(report.auth_mode, AuthMode::OAuth1);
    assert_eq!(report.key_permission, Granted::ReadWrite);
    assert_eq!(
        report.routing,
        Routing::PrettyPermalinks {
            api_root: store.api_url()
        }
    );
    assert_eq!(report.stock_management_enabled, Some(true));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    // The write check changed nothing.
    assert_eq!(
        store.with_data(|d| (d.products.len(), d.next_post_id)),
        before
    );
    let counts = store.requests();
    assert_eq!(counts.get("POST /wc/v3/products/batch"), 1);
    assert_eq!(counts.get("GET /wc/v3/products"), 1);
    assert_eq!(counts.get("GET /wc/v3/system_status"), 1);
    assert_eq!(counts.total(), 5, "{counts:?}");
}

#[test]
fn stock_management_off_is_a_warning() {
    let store = store_with(StoreOptions {
        manage_stock_enabled: false,
        ..StoreOptions::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let report = block_on(client(&store.base_url(), &key).check_connection()).expect("report");
    assert_eq!(report.stock_management_enabled, Some(false));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("Enable stock management")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_store_in_a_sub_folder_works() {
    let store = store_with(StoreOptions {
        path_prefix: "/shop".into(),
        ..StoreOptions::default()
    });
    assert!(store.base_url().ends_with("/shop"));
    let key = store.create_key(KeyPermission::ReadWrite);
    let report = block_on(client(&store.base_url(), &key).check_connection()).expect("report");
    assert_eq!(report.home_url, store.base_url());
}

#[test]
fn plain_permalinks_are_detected_with_their_fix() {
    let store = store_with(StoreOptions {
        permalinks: Permalinks::Plain,
        ..StoreOptions::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let err = block_on(client(&store.base_url(), &key).check_connection()).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::PlainPermalinks);
    assert!(err.to_string().contains("Settings → Permalinks"), "{err}");
    assert_error_clean(&err, &key.consumer_secret);
}

#[test]
fn a_site_that_is_not_wordpress_is_named() {
    let store = store_with(StoreOptions {
        site: SiteKind::NotWordPress,
        ..StoreOptions::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let err = block_on(client(&store.base_url(), &key).check_connection()).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::NotWordPress);
}

#[test]
fn wordpress_without_woocommerce_is_named() {
    let store = store_with(StoreOptions {
        site: SiteKind::WordPressOnly,
        ..StoreOptions::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let err = block_on(client(&store.base_url(), &key).check_connection()).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::WooCommerceMissing);
    assert!(err.to_string().contains("WooCommerce plugin"), "{err}");
}

#[test]
fn a_redirecting_store_is_reported_not_followed() {
    let target = "https://www.shop.example";
    let store = store_with(StoreOptions {
        redirect_to: Some(target.into()),
        ..StoreOptions::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let err = block_on(client(&store.base_url(), &key).check_connection()).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Redirect);
    let text = err.to_string();
    assert!(text.contains("https://www.shop.example/wp-json/"), "{text}");
    assert!(text.contains("use that address as the Store URL"), "{text}");
    assert_eq!(store.requests().total(), 1);
}

#[test]
fn a_write_only_key_cannot_read() {
    let store = store_with(StoreOptions::default());
    let key = store.create_key(KeyPermission::Write);
    let err = block_on(client(&store.base_url(), &key).check_connection()).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::WriteOnlyKey);
}
