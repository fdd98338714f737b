//! Reconnect, Clear Cache, Open Logs and the Logs screen, through the C ABI against the simulated
//! store: the connection works with good settings, and every cause of failure has its own status
//! and a message that says what to check.

mod common;

use std::net::TcpListener;

use common::Shop;
use host_sim::session::ActionInput;
use host_sim::store::{FaultKind, FaultRule, KeyPermission, Permalinks, SiteKind, StoreOptions};
use qbm_woocommerce::ffi::abi::{
    QBM_WC_AREA_COMPANY_OPTIONS, QBM_WC_AREA_WORKSTATION_OPTIONS, qbm_wc_status,
};
use serde_json::{Value, json};

fn reconnect(session: &host_sim::session::Session) -> Result<Value, host_sim::loader::PluginError> {
    session.action("options.reconnect", &ActionInput::default())
}

/// Points the plugin at `url` with `key`/`secret`, bypassing nothing: options are validated.
fn configure(session: &host_sim::session::Session, url: &str, key: &str, secret: &str) {
    session
        .set_options(json!({
            "store_url": url,
            "allow_insecure_http": url.starts_with("http://"),
            "consumer_key": key,
            "consumer_secret": secret,
        }))
        .expect("the options are valid");
}

fn expect_failure(
    session: &host_sim::session::Session,
    status: qbm_wc_status,
    words: &[&str],
) -> String {
    let err = reconnect(session).expect_err("reconnect must fail");
    assert_eq!(err.name, format!("{status:?}"), "{}", err.message);
    for word in words {
        assert!(
            err.message.contains(word),
            "\"{word}\" missing from: {}",
            err.message
        );
    }
    let log = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "connection"),
        )
        .unwrap();
    let newest = log["table"]["rows"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        newest.starts_with("Reconnect failed") || newest.starts_with("Reconnect:"),
        "{newest}"
    );
    err.message
}

const KEY: &str = "ck_0123456789abcdef0123456789abcdef01234567";
const SECRET: &str = "cs_fedcba9876543210fedcba9876543210fedcba98";

#[test]
fn reconnect_over_https_uses_basic_auth_and_reports_the_store() {
    if let Some((url, key)) = common::child_store() {
        let session = common::session();
        configure(&session, &url, &key.consumer_key, &key.consumer_secret);
        let response = reconnect(&session).expect("the connection works");
        println!("{response}");
        assert_eq!(response["outcome"], "completed");
        let details = &response["details"];
        assert_eq!(details["authentication"], "HTTP Basic over HTTPS");
        assert_eq!(details["woocommerce_version"], "8.9.1");
        assert_eq!(details["currency"], "EUR");
        assert_eq!(details["key_permission"], "read/write");
        assert_eq!(details["timezone"], "Europe/Berlin");
        assert!(response["message"].as_str().unwrap().contains("applied"));
        return;
    }
    let shop = Shop::https();
    let before = shop.store.with_data(|d| d.products.len());
    let output = common::run_trusting(
        "reconnect_over_https_uses_basic_auth_and_reports_the_store",
        &shop,
    );
    assert!(!output.contains(&shop.key.consumer_secret), "{output}");
    // The write permission was proved without changing data.
    assert_eq!(shop.store.requests().get("POST /wc/v3/products/batch"), 1);
    assert_eq!(shop.store.with_data(|d| d.products.len()), before);
}

#[test]
fn reconnect_over_http_signs_with_oauth_and_logs_the_connection() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let response = reconnect(&session).unwrap();
    assert_eq!(
        response["details"]["authentication"],
        "OAuth 1.0a signatures over HTTP"
    );
    assert_eq!(response["details"]["stock_management_enabled"], true);
    let logs = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "connection"),
        )
        .unwrap();
    let messages: Vec<&str> = logs["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].starts_with("Connected:"), "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Reconnect: checking")),
        "{messages:?}"
    );
}

#[test]
fn reconnect_saves_the_form_values_it_is_given_first() {
    let shop = Shop::http();
    let session = common::session();
    let values = shop.connection(&shop.key);
    let response = session
        .action(
            "options.reconnect",
            &ActionInput::default().param("values", values.clone()),
        )
        .unwrap();
    assert_eq!(response["outcome"], "completed");
    assert_eq!(
        session.plugin.options().unwrap()["values"]["store_url"],
        values["store_url"]
    );

    let clerk = common::session_as("clerk");
    let err = clerk
        .action(
            "options.reconnect",
            &ActionInput::default().param("values", values),
        )
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
}

#[test]
fn missing_settings_are_named() {
    let session = common::session();
    let err = reconnect(&session).unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_NOT_CONFIGURED");
    assert!(
        err.message.contains("Consumer Secret") || err.message.contains("Store URL"),
        "{}",
        err.message
    );
}

#[test]
fn refused_connection() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let session = common::session();
    configure(&session, &format!("http://127.0.0.1:{port}"), KEY, SECRET);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_STORE_UNREACHABLE,
        &["Nothing accepted the connection"],
    );
}

#[test]
fn unknown_host_name() {
    let session = common::session();
    configure(&session, "https://qbm-wc-test.invalid", KEY, SECRET);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_STORE_UNREACHABLE,
        &["could not be found"],
    );
}

#[test]
fn a_store_that_does_not_answer_times_out() {
    let shop = Shop::http();
    shop.store.faults().add(FaultRule::new(FaultKind::Hang));
    let session = common::connected(&shop);
    // Reconnect's own limit (20 s by default) shortened through the workstation's timeouts, so
    // the test proves the limit without waiting it out.
    session
        .company()
        .storage_set(
            QBM_WC_AREA_WORKSTATION_OPTIONS,
            "WS-01",
            "network_timeouts",
            Some(r#"{"probe_ms":1500}"#),
        )
        .unwrap();
    let started = std::time::Instant::now();
    let message = expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_STORE_UNREACHABLE,
        &["did not answer", "seconds"],
    );
    assert!(message.contains("1.5 seconds"), "{message}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "Reconnect waited {:?} for a store that never answers",
        started.elapsed()
    );
}

#[test]
fn an_untrusted_certificate_is_a_tls_error() {
    // This process trusts only the system's authorities, which never signed the store's CA.
    let shop = Shop::https();
    let session = common::connected(&shop);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_TLS_ERROR,
        &["secure connection", "not trusted"],
    );
}

#[test]
fn a_site_that_is_not_wordpress() {
    let shop = Shop::start(StoreOptions {
        site: SiteKind::NotWordPress,
        ..StoreOptions::default()
    });
    let session = common::connected(&shop);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_NOT_WOOCOMMERCE,
        &["No WordPress REST API"],
    );
}

#[test]
fn wordpress_without_woocommerce() {
    let shop = Shop::start(StoreOptions {
        site: SiteKind::WordPressOnly,
        ..StoreOptions::default()
    });
    let session = common::connected(&shop);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_NOT_WOOCOMMERCE,
        &["WooCommerce REST API", "active"],
    );
}

#[test]
fn plain_permalinks_are_detected_with_their_fix() {
    let shop = Shop::start(StoreOptions {
        permalinks: Permalinks::Plain,
        ..StoreOptions::default()
    });
    let session = common::connected(&shop);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_NOT_WOOCOMMERCE,
        &["plain permalinks", "Settings → Permalinks"],
    );
}

#[test]
fn an_unknown_key() {
    let shop = Shop::http();
    let session = common::session();
    configure(&session, &shop.store.base_url(), KEY, SECRET);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_AUTH_FAILED,
        &["consumer key", "REST API"],
    );
}

#[test]
fn a_wrong_secret() {
    let shop = Shop::http();
    let session = common::session();
    configure(
        &session,
        &shop.store.base_url(),
        &shop.key.consumer_key,
        SECRET,
    );
    let message = expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_AUTH_FAILED,
        &["secret"],
    );
    assert!(!message.contains(SECRET));
}

#[test]
fn a_revoked_key() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    reconnect(&session).expect("works before the key is revoked");
    shop.store.revoke_key(&shop.key.consumer_key);
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_AUTH_FAILED,
        &["revoked"],
    );
}

#[test]
fn a_read_only_key_is_caught_without_changing_data() {
    let shop = Shop::http();
    let read_only = shop.store.create_key(KeyPermission::Read);
    let session = common::session();
    configure(
        &session,
        &shop.store.base_url(),
        &read_only.consumer_key,
        &read_only.consumer_secret,
    );
    let before = shop.store.with_data(|d| d.products.len());
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_KEY_READ_ONLY,
        &["read-only", "Read/Write"],
    );
    assert_eq!(shop.store.with_data(|d| d.products.len()), before);
}

#[test]
fn http_without_permission() {
    let shop = Shop::http();
    let session = common::session();
    // The Options form refuses the address outright …
    let (err, report) = session
        .set_options(json!({"store_url": shop.store.base_url(), "allow_insecure_http": false}))
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_INVALID_OPTIONS");
    assert!(report.unwrap().to_string().contains("Allow insecure HTTP"));
    // … and settings stored before the rule (or by another tool) are refused at Reconnect.
    configure(
        &session,
        "https://placeholder.example",
        &shop.key.consumer_key,
        &shop.key.consumer_secret,
    );
    // Options live in one document per option area.
    let company = session.company();
    let stored = company
        .storage_get(QBM_WC_AREA_COMPANY_OPTIONS, "", "options")
        .unwrap()
        .expect("the company options are stored");
    let mut document: serde_json::Value = serde_json::from_str(&stored).unwrap();
    document["store_url"] = json!(shop.store.base_url());
    company
        .storage_set(
            QBM_WC_AREA_COMPANY_OPTIONS,
            "",
            "options",
            Some(&document.to_string()),
        )
        .unwrap();
    expect_failure(
        &session,
        qbm_wc_status::QBM_WC_STATUS_INSECURE_HTTP_REFUSED,
        &["http://", "Allow insecure HTTP"],
    );
}

#[test]
fn store_stock_management_switched_off_is_a_warning() {
    let shop = Shop::start(StoreOptions {
        manage_stock_enabled: false,
        ..StoreOptions::default()
    });
    let session = common::connected(&shop);
    let response = reconnect(&session).unwrap();
    assert_eq!(response["details"]["stock_management_enabled"], false);
    let warnings = response["warnings"].to_string();
    assert!(warnings.contains("stock management"), "{warnings}");
    let log = session
        .action("logs.refresh", &ActionInput::default())
        .unwrap();
    assert!(
        log["table"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["level"] == "warning")
    );
}

#[test]
fn logs_are_kept_filtered_cleared_and_survive_a_restart() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    reconnect(&session).unwrap();
    session
        .action("options.clear_cache", &ActionInput::default())
        .unwrap();

    let all = session
        .action("logs.refresh", &ActionInput::default())
        .unwrap();
    let rows = all["table"]["rows"].as_array().unwrap().clone();
    assert!(rows.len() >= 3);
    let ids: Vec<u64> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    for row in &rows {
        for column in ["time", "category", "level", "message"] {
            assert!(row[column].as_str().is_some_and(|v| !v.is_empty()), "{row}");
        }
    }
    let processing = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "processing"),
        )
        .unwrap();
    assert!(
        processing["table"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["category"] == "processing")
    );
    let err = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "gossip"),
        )
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_INVALID_ARGUMENT");

    let session = session.reopen().unwrap();
    let again = session
        .action("logs.refresh", &ActionInput::default())
        .unwrap();
    assert_eq!(
        again["table"]["rows"].as_array().unwrap().len(),
        rows.len(),
        "the log survived the restart"
    );

    let opened = session
        .action("options.open_logs", &ActionInput::default())
        .unwrap();
    assert_eq!(opened["open_screen"], "logs");

    session
        .action("logs.clear", &ActionInput::default())
        .unwrap();
    let cleared = session
        .action("logs.refresh", &ActionInput::default())
        .unwrap();
    assert_eq!(cleared["table"]["rows"].as_array().unwrap().len(), 0);
}

#[test]
fn the_log_keeps_a_bounded_number_of_entries() {
    let session = common::session();
    // Each failed Reconnect writes one entry.
    for _ in 0..2100 {
        let _ = reconnect(&session);
    }
    let log = session
        .action("logs.refresh", &ActionInput::default())
        .unwrap();
    let rows = log["table"]["rows"].as_array().unwrap();
    assert!(rows.len() <= 2000 && rows.len() >= 1800, "{}", rows.len());
    assert_eq!(rows[0]["id"], "2099", "the newest entries are kept");
}

#[test]
fn clear_cache_forgets_the_cached_catalog() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    let response = session
        .action("options.clear_cache", &ActionInput::default())
        .unwrap();
    assert!(
        response["message"].as_str().unwrap().contains("cleared"),
        "{response}"
    );
    let nothing = session
        .action("options.clear_cache", &ActionInput::default())
        .unwrap();
    assert!(
        nothing["message"].as_str().unwrap().contains("(0 entries)"),
        "{nothing}"
    );
}

#[test]
fn tracing_events_of_the_client_reach_the_log() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    shop.store.faults().add(
        FaultRule::new(FaultKind::ServerError(503))
            .on_route("/wc/v3/products")
            .times(1),
    );
    session
        .action("items.woo.refresh", &ActionInput::default())
        .expect("the retry succeeds");
    let log = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "connection"),
        )
        .unwrap();
    let retry = log["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["message"]
                .as_str()
                .unwrap()
                .starts_with("retrying store request")
        })
        .unwrap_or_else(|| panic!("no retry entry in {log}"));
    assert_eq!(retry["level"], "warning");
    assert!(
        retry["message"]
            .as_str()
            .unwrap()
            .contains("/wc/v3/products"),
        "{retry}"
    );
}

#[test]
fn logs_survive_unloading_and_reloading_the_library() {
    let shop = Shop::http();
    let company = std::sync::Arc::new(host_sim::company::Company::in_memory().unwrap());
    let open = || {
        let host = host_sim::services::SimHost::new(company.clone(), "admin", "WS-01");
        host_sim::session::Session::open(&common::plugin(), host).unwrap()
    };
    let session = open();
    session.set_options(shop.connection(&shop.key)).unwrap();
    reconnect(&session).unwrap();
    let before = session
        .action("logs.refresh", &ActionInput::default())
        .unwrap()["table"]["rows"]
        .clone();
    // Dropping the only session destroys the instance, calls deinit and unloads the library.
    drop(session);
    let session = open();
    let after = session
        .action("logs.refresh", &ActionInput::default())
        .unwrap()["table"]["rows"]
        .clone();
    assert_eq!(after, before);
    assert!(!after.as_array().unwrap().is_empty());
}
