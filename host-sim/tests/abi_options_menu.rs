//! The menu, the screens and the option schema through the C ABI, and saving options with
//! field-by-field validation, per-workstation scope and permissions.

mod common;

use host_sim::session::ActionInput;
use qbm_woocommerce::ffi::abi::qbm_wc_status;
use serde_json::{Value, json};

const KEY: &str = "ck_0123456789abcdef0123456789abcdef01234567";
const SECRET: &str = "cs_fedcba9876543210fedcba9876543210fedcba98";

fn errors_by_field(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

fn fields(schema: &Value) -> Vec<Value> {
    schema["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn the_schema_has_every_option_of_the_guide_with_its_properties() {
    let session = common::session();
    let schema = session.plugin.option_schema().unwrap();
    assert_eq!(schema["schema"], "qbm.wc.option-schema/1");
    let sections: Vec<&str> = schema["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        sections,
        [
            "Connection",
            "Inventory Sync",
            "Import Permissions",
            "Order Import",
            "Order Polling"
        ]
    );

    let guide_options = [
        "Enable WooCommerce integration",
        "Store URL",
        "Consumer Key",
        "Consumer Secret",
        "Allow insecure HTTP",
        "Enable stock sync on this client",
        "Sync interval (minutes)",
        "Primary QBM location",
        "Use multiple QBM locations",
        "Multiple locations",
        "Sync start date",
        "Match by lookup code when SKU is not found",
        "Write missing item matches to WooCommerce logs",
        "Subtract web orders not yet imported",
        "Stock check interval (hours)",
        "Stock sync status",
        "Allow importing WooCommerce orders",
        "Allow importing WooCommerce customers",
        "Allow importing WooCommerce items",
        "Allow creating new items in WooCommerce",
        "Order statuses to import",
        "Shipping item",
        "Fee item",
        "Customer for unmatched and guest orders",
        "Location for polled orders",
        "Enable automatic WooCommerce order polling",
        "Polling interval (minutes)",
        "Last order sync",
        "Order polling status",
    ];
    let all = fields(&schema);
    let labels: Vec<&str> = all.iter().map(|f| f["label"].as_str().unwrap()).collect();
    assert_eq!(labels, guide_options);
    for field in &all {
        for property in [
            "key",
            "type",
            "default",
            "help",
            "scope",
            "secret",
            "read_only",
            "validation",
        ] {
            assert!(
                field.get(property).is_some(),
                "{} lacks {property}",
                field["label"]
            );
        }
        assert!(!field["help"].as_str().unwrap().is_empty());
    }
    let by_label = |label: &str| all.iter().find(|f| f["label"] == label).unwrap().clone();
    assert_eq!(
        by_label("Enable stock sync on this client")["scope"],
        "workstation"
    );
    assert_eq!(by_label("Store URL")["scope"], "company");
    assert_eq!(by_label("Consumer Secret")["secret"], true);
    assert_eq!(by_label("Last order sync")["read_only"], true);
    assert_eq!(
        by_label("Multiple locations")["enabled_by"],
        "use_multiple_locations"
    );
    assert_eq!(by_label("Sync interval (minutes)")["validation"]["min"], 1);

    let buttons: Vec<&str> = schema["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["buttons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["label"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        buttons,
        [
            "Reconnect",
            "Clear Cache",
            "Open Logs",
            "Start Stock Sync",
            "Stop Stock Sync",
            "Preview Stock Sync",
            "Stock Check",
            "Start Order Polling",
            "Stop Order Polling"
        ]
    );
}

#[test]
fn the_menu_follows_the_enable_option() {
    let session = common::session();
    let menu = session.plugin.menu().unwrap();
    assert_eq!(menu["visible"], false);
    assert!(menu["items"].as_array().unwrap().is_empty());
    assert!(
        menu["hidden_reason"]
            .as_str()
            .unwrap()
            .contains("Enable WooCommerce integration")
    );

    session
        .set_options(json!({"enabled": true, "store_url": "https://shop.example.test", "consumer_key": KEY, "consumer_secret": SECRET}))
        .unwrap();
    let menu = session.plugin.menu().unwrap();
    assert_eq!(menu["visible"], true);
    assert_eq!(menu["path"], json!(["Integrations", "WooCommerce"]));
    let labels: Vec<&str> = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Items", "Customers", "Orders", "Logs"]);

    session.set_options(json!({"enabled": false})).unwrap();
    assert_eq!(session.plugin.menu().unwrap()["visible"], false);
}

#[test]
fn screens_describe_tabs_columns_and_actions() {
    let session = common::session();
    let items = session.plugin.screen("items").unwrap();
    let tabs: Vec<&str> = items["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(tabs, ["QBM Items", "Stock Check", "WooCommerce Items"]);
    let qbm_actions = &items["tabs"][0]["actions"];
    let create = qbm_actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"] == "Create / Update")
        .unwrap();
    assert_eq!(create["needs_selection"], true);
    assert_eq!(create["permission"], "create_update_items");
    assert_eq!(create["requires_option"], "allow_create_items");
    let refresh = qbm_actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"] == "Refresh")
        .unwrap();
    assert_eq!(refresh["needs_selection"], false);

    let orders = session.plugin.screen("orders").unwrap();
    let tabs: Vec<&str> = orders["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(tabs, ["WooCommerce", "Imported"]);
    let filters: Vec<&str> = orders["tabs"][0]["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(filters, ["from", "to", "location_id", "page"]);

    for screen in ["customers", "logs"] {
        let doc = session.plugin.screen(screen).unwrap();
        assert!(
            !doc["tabs"][0]["columns"].as_array().unwrap().is_empty(),
            "{screen}"
        );
    }
}

#[test]
fn saving_checks_every_field_and_saves_nothing_on_error() {
    let session = common::session();
    let (err, report) = session
        .set_options(json!({
            "enabled": true,
            "store_url": "http://shop.example.test",
            "consumer_key": "ck_short",
            "consumer_secret": "not-a-secret",
            "stock_sync_interval_minutes": 0,
            "order_polling_interval_minutes": 100000,
            "primary_location": "99",
            "multiple_locations": ["1"],
            "stock_sync_start_date": "2026-02-30",
            "last_order_sync": "2026-01-01T00:00:00Z",
            "teleport": true,
        }))
        .unwrap_err();
    assert_eq!(
        err.status,
        qbm_wc_status::QBM_WC_STATUS_INVALID_OPTIONS as u32
    );
    let report = report.expect("the report comes back with the refusal");
    assert_eq!(report["valid"], false);
    assert_eq!(report["saved"], false);
    let mut fields = errors_by_field(&report);
    fields.sort();
    fields.dedup();
    assert_eq!(
        fields,
        [
            "consumer_key",
            "consumer_secret",
            "last_order_sync",
            "multiple_locations",
            "order_polling_interval_minutes",
            "primary_location",
            "stock_sync_interval_minutes",
            "stock_sync_start_date",
            "store_url",
            "teleport"
        ]
    );
    // The secret is never echoed in a message.
    assert!(!report.to_string().contains("not-a-secret"));
    // Nothing was saved.
    assert_eq!(
        session.plugin.options().unwrap()["values"]["enabled"],
        false
    );
}

#[test]
fn valid_values_are_saved_normalised_and_secrets_stay_hidden() {
    let session = common::session();
    let report = session
        .set_options(json!({
            "enabled": true,
            "store_url": "  https://shop.example.test/shop/ ",
            "consumer_key": KEY,
            "consumer_secret": SECRET,
            "stock_sync_interval_minutes": 3,
            "use_multiple_locations": true,
            "multiple_locations": ["1", "2"],
            "stock_sync_start_date": "2026-11-01",
        }))
        .unwrap();
    assert_eq!(report["saved"], true);
    let warned: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        warned,
        ["stock_sync_interval_minutes"],
        "a very short interval is accepted with a warning"
    );

    let values = session.plugin.options().unwrap();
    assert_eq!(
        values["values"]["store_url"],
        "https://shop.example.test/shop"
    );
    assert_eq!(values["values"]["consumer_secret"], Value::Null);
    assert_eq!(values["secrets"]["consumer_secret"]["set"], true);
    assert!(!values.to_string().contains(SECRET));

    // A secret sent as null keeps the stored one; an http URL is fine once insecure HTTP is allowed.
    session
        .set_options(json!({"consumer_secret": null, "allow_insecure_http": true, "store_url": "http://127.0.0.1:8080"}))
        .unwrap();
    assert_eq!(
        session.plugin.options().unwrap()["secrets"]["consumer_secret"]["set"],
        true
    );

    // The values survive a new plugin instance (QBM restarted).
    let session = session.reopen().unwrap();
    assert_eq!(
        session.plugin.options().unwrap()["values"]["multiple_locations"],
        json!(["1", "2"])
    );
}

#[test]
fn validate_does_not_save() {
    let session = common::session();
    let report = session
        .plugin
        .validate_options(
            &json!({"values": {"allow_import_items": true, "stock_sync_interval_minutes": 2000}}),
        )
        .unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(errors_by_field(&report), ["stock_sync_interval_minutes"]);
    let report = session
        .plugin
        .validate_options(&json!({"values": {"allow_import_items": true}}))
        .unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(
        session.plugin.options().unwrap()["values"]["allow_import_items"],
        false
    );
}

#[test]
fn stock_sync_on_this_client_is_kept_per_workstation() {
    let session = common::session();
    session
        .set_options(json!({"stock_sync_on_this_client": true, "primary_location": "1", "allow_import_orders": true}))
        .unwrap();
    assert_eq!(
        session.plugin.options().unwrap()["values"]["stock_sync_on_this_client"],
        true
    );
    session.host.set_workstation("WS-02");
    let there = session.plugin.options().unwrap();
    assert_eq!(
        there["values"]["stock_sync_on_this_client"], false,
        "another workstation has its own value"
    );
    assert_eq!(
        there["values"]["allow_import_orders"], true,
        "company options are shared"
    );
}

#[test]
fn only_users_allowed_to_administer_options_may_save() {
    let session = common::session_as("clerk");
    let (err, report) = session
        .set_options(json!({"allow_import_orders": true}))
        .unwrap_err();
    assert_eq!(
        err.status,
        qbm_wc_status::QBM_WC_STATUS_PERMISSION_DENIED as u32
    );
    assert!(err.message.contains("change Options"), "{}", err.message);
    assert!(report.is_none());
    // Reading is allowed.
    assert!(session.plugin.options().is_ok());
}

/// Presses `action` with `selection`, answering a prompt with its defaults once.
fn press(
    session: &host_sim::session::Session,
    action: &str,
    selection: &[String],
) -> Result<Value, host_sim::loader::PluginError> {
    let input = ActionInput::select(selection.to_vec());
    let first = session.action(action, &input)?;
    if first["outcome"] != "needs_input" {
        return Ok(first);
    }
    let prompt = &first["prompt"];
    let answers: serde_json::Map<String, Value> = prompt["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["default"].is_null())
        .map(|f| (f["id"].as_str().unwrap().to_string(), f["default"].clone()))
        .collect();
    session.action(
        action,
        &input.answer(prompt["id"].as_str().unwrap(), Value::Object(answers)),
    )
}

#[test]
fn every_action_of_every_screen_works_or_is_marked_unavailable() {
    let shop = common::Shop::http();
    let session = common::connected(&shop);
    session
        .set_options(json!({"allow_import_orders": true, "allow_import_customers": true}))
        .unwrap();
    let menu = session.plugin.menu().unwrap();
    let mut pressed = 0;
    let mut unavailable = 0;
    let mut listed = 0;
    for entry in menu["items"].as_array().unwrap() {
        let screen = session
            .plugin
            .screen(entry["screen"].as_str().unwrap())
            .unwrap();
        for tab in screen["tabs"].as_array().unwrap() {
            let load = tab["load_action"].as_str().unwrap();
            let mut actions: Vec<Value> = tab["actions"].as_array().unwrap().clone();
            // The load action is pressed first so its rows can be selected for the others.
            actions.sort_by_key(|a| a["id"] != load);
            assert!(
                actions.iter().any(|a| a["id"] == load),
                "tab {} lists its load action {load}",
                tab["id"]
            );
            let mut selection: Vec<String> = Vec::new();
            for action in &actions {
                listed += 1;
                let id = action["id"].as_str().unwrap();
                let result = press(&session, id, &selection);
                if action["available"] == false {
                    let err = result.expect_err(id);
                    assert_eq!(err.name, "QBM_WC_STATUS_NOT_AVAILABLE", "{id}: {err}");
                    let reason = action["unavailable_reason"].as_str().unwrap();
                    assert!(err.message.contains(reason), "{id}: {err}");
                    unavailable += 1;
                    continue;
                }
                assert_eq!(action["available"], true, "{id}");
                let response =
                    result.unwrap_or_else(|err| panic!("{id} is offered but fails: {err}"));
                assert_eq!(response["outcome"], "completed", "{id}: {response}");
                pressed += 1;
                if id == load {
                    let key = tab["row_key"].as_str().unwrap();
                    selection = response["table"]["rows"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|row| match &row[key] {
                            Value::String(text) => Some(text.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .take(3)
                        .collect();
                }
            }
        }
    }
    assert!(pressed >= 6, "{pressed} actions were pressed");
    // Nothing listed is left unmarked: every action either worked or said it is unavailable.
    assert_eq!(
        pressed + unavailable,
        listed,
        "{pressed} pressed, {unavailable} unavailable"
    );
}
