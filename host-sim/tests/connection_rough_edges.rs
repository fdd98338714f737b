//! Rough edges of Connection and Options found on a real store and by hosts in other languages:
//! a wrong sub-path told apart from plain permalinks, options validated as they will be after
//! the save, host failures named by status, the default accounts remembered, and plain progress
//! lines when the output is not a terminal.

mod common;

use std::sync::Arc;

use common::Shop;
use host_sim::company::Company;
use host_sim::host_table::{Callback, HostFailure, HostServices};
use host_sim::loader::PluginLibrary;
use host_sim::services::{Intercepted, SimHost};
use host_sim::session::ActionInput;
use host_sim::store::{Permalinks, StoreOptions};
use qbm_woocommerce::ffi::abi::qbm_wc_status;
use serde_json::{Value, json};

fn reconnect_error(session: &host_sim::session::Session) -> host_sim::loader::PluginError {
    session
        .action("options.reconnect", &ActionInput::default())
        .expect_err("Reconnect must fail")
}

#[test]
fn a_wrong_sub_path_names_the_sites_real_address() {
    let shop = Shop::http();
    let session = common::session();
    let mut values = shop.connection(&shop.key);
    let root = shop.store.base_url();
    values["store_url"] = json!(format!("{root}/shop"));
    session.set_options(values).unwrap();
    let err = reconnect_error(&session);
    assert_eq!(err.name, "QBM_WC_STATUS_NOT_WOOCOMMERCE", "{}", err.message);
    assert!(
        err.message.contains(&root) && err.message.contains("use that as the Store URL"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("Plain"), "{}", err.message);
}

#[test]
fn plain_permalinks_are_diagnosed_when_the_addresses_agree() {
    let shop = Shop::start(StoreOptions {
        permalinks: Permalinks::Plain,
        ..StoreOptions::default()
    });
    let session = common::connected(&shop);
    let err = reconnect_error(&session);
    assert_eq!(err.name, "QBM_WC_STATUS_NOT_WOOCOMMERCE", "{}", err.message);
    assert!(err.message.contains("Plain"), "{}", err.message);
    assert!(
        !err.message.contains("use that as the Store URL"),
        "{}",
        err.message
    );
}

#[test]
fn turning_insecure_http_off_under_an_http_address_is_refused_on_that_field() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let (err, report) = session
        .set_options(json!({"allow_insecure_http": false}))
        .expect_err("the contradiction is refused");
    assert_eq!(err.name, "QBM_WC_STATUS_INVALID_OPTIONS");
    let report = report.expect("the report comes with the refusal");
    let fields: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["allow_insecure_http"], "{report}");
    // Changing both together is fine: the address moves to https in the same save.
    let https = shop.store.base_url().replace("http://", "https://");
    session
        .set_options(json!({"allow_insecure_http": false, "store_url": https}))
        .expect("a consistent save is accepted");
}

#[test]
fn a_host_failure_without_a_message_is_named_by_its_status() {
    let company = Arc::new(Company::in_memory().unwrap());
    let host = SimHost::new(company, "admin", "WS-01");
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    // A host whose `locations_list` fails without writing an explanation.
    let silent = Intercepted::new(host, |sim, callback, request| {
        if callback == Callback::LocationsList {
            return Err(HostFailure::new(
                qbm_wc_status::QBM_WC_STATUS_HOST_ERROR,
                "",
            ));
        }
        sim.call(callback, request)
    });
    let plugin = library.create(Arc::new(silent)).unwrap();
    // Choosing a location makes the plugin check it against QBM's locations.
    let report = plugin
        .validate_options(&json!({"values": {"primary_location": "1"}}))
        .unwrap();
    let text = report["errors"].to_string();
    assert!(
        text.contains("QBM_WC_STATUS_HOST_ERROR (201)"),
        "the status is named: {text}"
    );
    assert!(!text.contains("status 201"), "{text}");
}

#[test]
fn the_import_offers_the_accounts_chosen_last_time_and_says_so() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let first = session
        .action("items.woo.import", &ActionInput::select(["1032"]))
        .unwrap();
    assert_eq!(first["outcome"], "needs_input");
    assert!(
        !first["prompt"]["message"]
            .as_str()
            .unwrap()
            .contains("last import"),
        "nothing was chosen before: {}",
        first["prompt"]["message"]
    );
    let fields = first["prompt"]["fields"].as_array().unwrap();
    // Choose, for every account kind, an account that is not the first of its list.
    let mut chosen = serde_json::Map::new();
    for field in fields {
        let choices = field["choices"].as_array().unwrap();
        let pick = choices.last().unwrap()["value"].clone();
        chosen.insert(field["id"].as_str().unwrap().to_string(), pick);
    }
    session
        .action(
            "items.woo.import",
            &ActionInput::select(["1032"])
                .answer("default_accounts", Value::Object(chosen.clone())),
        )
        .unwrap();
    let second = session
        .action("items.woo.import", &ActionInput::select(["1030"]))
        .unwrap();
    assert_eq!(second["outcome"], "needs_input");
    assert!(
        second["prompt"]["message"]
            .as_str()
            .unwrap()
            .contains("last import"),
        "{}",
        second["prompt"]["message"]
    );
    for field in second["prompt"]["fields"].as_array().unwrap() {
        let id = field["id"].as_str().unwrap();
        assert_eq!(
            field["default"], chosen[id],
            "{id} offers last time's account"
        );
    }
}

#[test]
fn piped_output_shows_progress_as_plain_lines() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    let host_sim = |args: &[&str]| {
        common::cli(&company)
            .args(args)
            .output()
            .expect("host-sim runs")
    };
    let set = common::cli(&company)
        .args(shop.options_set(&[]))
        .output()
        .expect("host-sim runs");
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let refresh = host_sim(&["action", "items.woo.refresh"]);
    let stderr = String::from_utf8_lossy(&refresh.stderr);
    assert!(refresh.status.success(), "{stderr}");
    assert!(stderr.contains("  … "), "progress lines: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no terminal escapes in a pipe: {stderr}"
    );
}
