//! Misuse through the C ABI: bad text, bad documents, oversize input, foreign and destroyed
//! handles, and every host callback failing, answering garbage, answering nothing, answering
//! huge or calling back into the plugin. Each time: a status and a message, never a panic across
//! the boundary, and the instance still usable afterwards.

mod common;
mod faults_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::Shop;
use faults_support::{Cb, FAST, Hooked, Raw, Reply, invoke_on, set_timeouts};
use host_sim::company::Company;
use host_sim::host_table::{Callback, Layout};
use host_sim::loader::PluginLibrary;
use host_sim::services::SimHost;
use qbm_woocommerce::ffi::abi::{QBM_WC_MAX_INPUT_BYTES, qbm_wc_status};
use serde_json::json;

const BROKEN: [&str; 3] = [
    "QBM_WC_STATUS_PANIC",
    "QBM_WC_STATUS_POISONED",
    "QBM_WC_STATUS_INTERNAL",
];

fn request(action: &str, selection: &[&str]) -> Vec<u8> {
    json!({"schema": "qbm.wc.action-request/1", "action": action, "call_id": 3, "selection": selection})
        .to_string()
        .into_bytes()
}

fn connected(shop: &Shop, lib: &Arc<PluginLibrary>) -> (Arc<Hooked>, Raw) {
    let company = Arc::new(Company::in_memory().unwrap());
    set_timeouts(&company, "WS-01", &FAST);
    let host = Hooked::new(SimHost::new(company, "admin", "WS-01"));
    let raw = Raw::create(lib, host.clone(), &Layout::Complete);
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    values["allow_create_items"] = json!(true);
    values["allow_import_items"] = json!(true);
    values["allow_import_customers"] = json!(true);
    assert!(raw.options_save(&json!({ "values": values })).ok());
    (host, raw)
}

#[test]
fn bad_requests_get_a_status_and_a_message() {
    let shop = Shop::http();
    let lib = PluginLibrary::load(&common::plugin()).unwrap();
    let (_, raw) = connected(&shop, &lib);
    let oversize = vec![b' '; QBM_WC_MAX_INPUT_BYTES + 1];
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>, qbm_wc_status)> = vec![
        (
            "bad UTF-8",
            b"{\"action\":\"\xff\xfe\"}".to_vec(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_UTF8,
        ),
        (
            "not JSON",
            b"{action".to_vec(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        ),
        (
            "empty",
            Vec::new(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        ),
        (
            "a list",
            b"[]".to_vec(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        ),
        (
            "deeply nested",
            deep.into_bytes(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        ),
        (
            "unknown field",
            br#"{"action":"logs.refresh","colour":1}"#.to_vec(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        ),
        (
            "wrong type",
            br#"{"action":"logs.refresh","call_id":"x"}"#.to_vec(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        ),
        (
            "negative call id",
            br#"{"action":"logs.refresh","call_id":-1}"#.to_vec(),
            qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        ),
        (
            "unknown action",
            request("items.delete_everything", &[]),
            qbm_wc_status::QBM_WC_STATUS_UNKNOWN_ACTION,
        ),
        (
            "no selection",
            request("items.qbm.create_update", &[]),
            qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT,
        ),
        (
            "oversize",
            oversize,
            qbm_wc_status::QBM_WC_STATUS_INPUT_TOO_LARGE,
        ),
    ];
    for (label, bytes, expected) in cases {
        let answer = raw.invoke(&bytes);
        assert_eq!(
            answer.status, expected as u32,
            "{label}: {}: {}",
            answer.name, answer.message
        );
        assert!(!answer.message.is_empty(), "{label}: a message");
    }
    // A selection of ids that do not exist: rows, not a failure of the call.
    let answer = raw.invoke(&request(
        "items.qbm.sync_stock",
        &["no-such-item", "\u{0}", "💥"],
    ));
    assert!(
        !BROKEN.contains(&answer.name.as_str()),
        "{}",
        answer.message
    );
    assert!(
        raw.invoke(&request("logs.refresh", &[])).ok(),
        "still usable"
    );
}

#[test]
fn foreign_and_destroyed_handles_are_refused() {
    let lib = PluginLibrary::load(&common::plugin()).unwrap();
    let company = Arc::new(Company::in_memory().unwrap());
    let other = Raw::create(
        &lib,
        Hooked::new(SimHost::new(Arc::clone(&company), "admin", "WS-01")),
        &Layout::Complete,
    );
    let doomed = Raw::create(
        &lib,
        Hooked::new(SimHost::new(company, "admin", "WS-02")),
        &Layout::Complete,
    );
    let handle = doomed.handle;
    assert_eq!(doomed.destroy(), "", "destroy released it");
    let a_local = 7u64;
    for (label, foreign) in [
        ("destroyed", handle),
        ("an address", &a_local as *const u64 as usize),
        ("one", 1),
        ("all ones", usize::MAX),
    ] {
        let answer = invoke_on(&lib, foreign, &request("logs.refresh", &[]));
        assert_eq!(
            answer.status,
            qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT as u32,
            "{label}: {}",
            answer.message
        );
        assert!(
            answer.message.contains("not a live instance"),
            "{label}: {}",
            answer.message
        );
    }
    // A handle destroyed twice is refused the second time, and never reaches another instance.
    assert!(doomed.destroy().contains("not a live"));
    assert!(other.invoke(&request("logs.refresh", &[])).ok());
}

/// How a callback misbehaves.
type Misbehaviour = Arc<dyn Fn() -> Reply + Send + Sync>;
/// Which callbacks misbehave.
type Target = fn(&Cb) -> bool;

#[test]
fn every_host_callback_misbehaving_gets_a_status_and_a_message() {
    let shop = Shop::http();
    let lib = PluginLibrary::load(&common::plugin()).unwrap();
    let huge = format!(
        "{{\"items\":[{}]}}",
        vec!["{\"id\":\"x\"}"; 30_000].join(",")
    );
    let ways: Vec<(&str, Misbehaviour)> = vec![
        (
            "failing",
            Arc::new(|| Reply::Fail(qbm_wc_status::QBM_WC_STATUS_HOST_ERROR, String::new())),
        ),
        (
            "failing with a message",
            Arc::new(|| Reply::Fail(qbm_wc_status::QBM_WC_STATUS_HOST_ERROR, "disk full".into())),
        ),
        (
            "failing with an unknown status",
            Arc::new(|| Reply::Fail(qbm_wc_status::QBM_WC_STATUS_PANIC, "?".into())),
        ),
        (
            "answering garbage",
            Arc::new(|| Reply::Text("<html>not json".into())),
        ),
        ("answering nothing", Arc::new(|| Reply::Text(String::new()))),
        (
            "answering the wrong document",
            Arc::new(|| Reply::Text("{\"items\":7,\"quantities\":\"x\",\"links\":null}".into())),
        ),
        (
            "answering huge",
            Arc::new(move || Reply::Text(huge.clone())),
        ),
    ];
    let targets: Vec<(&str, Target)> = vec![
        ("get_identity", |cb| matches!(cb, Cb::Identity)),
        ("check_permission", |cb| matches!(cb, Cb::Permission(_))),
        ("storage_get", |cb| matches!(cb, Cb::StorageGet { .. })),
        ("storage_set", |cb| matches!(cb, Cb::StorageSet { .. })),
        ("storage_cas", |cb| matches!(cb, Cb::StorageCas { .. })),
        ("secret_get", |cb| matches!(cb, Cb::SecretGet)),
        ("items_query", |cb| {
            matches!(cb, Cb::Call(Callback::ItemsQuery, _))
        }),
        ("stock_on_hand", |cb| {
            matches!(cb, Cb::Call(Callback::StockOnHand, _))
        }),
        ("locations_list", |cb| {
            matches!(cb, Cb::Call(Callback::LocationsList, _))
        }),
        ("links_get", |cb| {
            matches!(cb, Cb::Call(Callback::LinksGet, _))
        }),
        ("links_put", |cb| {
            matches!(cb, Cb::Call(Callback::LinksPut, _))
        }),
        ("items_create", |cb| {
            matches!(cb, Cb::Call(Callback::ItemsCreate, _))
        }),
        ("accounts_list", |cb| {
            matches!(cb, Cb::Call(Callback::AccountsList, _))
        }),
        ("customers_find", |cb| {
            matches!(cb, Cb::Call(Callback::CustomersFind, _))
        }),
    ];
    let (host, raw) = connected(&shop, &lib);
    let mug = host
        .sim
        .company()
        .items_query(&host_sim::company::records::ItemsQuery {
            codes: Some(vec!["MUG-01".into()]),
            ..Default::default()
        })
        .unwrap()[0]
        .id
        .clone()
        .unwrap();
    let presses: Vec<Vec<u8>> = vec![
        request("items.qbm.refresh", &[]),
        request("items.qbm.sync_stock", &[&mug]),
        request("logs.refresh", &[]),
        json!({"action": "items.woo.import", "selection": ["1032"], "answers": {"default_accounts": {"income": "4100", "asset": "1410", "cogs": "5000"}}})
            .to_string()
            .into_bytes(),
    ];
    let mut cells = 0;
    for (target, matches) in &targets {
        for (way, reply) in &ways {
            let reply = Arc::clone(reply);
            let matches = *matches;
            host.set_hook(move |cb| if matches(cb) { reply() } else { Reply::Pass });
            for press in &presses {
                let answer = raw.invoke(press);
                let cell = format!("{target} {way}: {}: {}", answer.name, answer.message);
                assert!(!BROKEN.contains(&answer.name.as_str()), "{cell}");
                assert!(
                    answer.ok() || !answer.message.is_empty(),
                    "a message: {cell}"
                );
                if answer.ok() {
                    assert!(answer.text.contains("qbm.wc.action-response/1"), "{cell}");
                }
                cells += 1;
            }
            let options = raw.options_get();
            assert!(
                !BROKEN.contains(&options.name.as_str()),
                "{target} {way}: {}",
                options.message
            );
        }
    }
    host.clear_hook();
    assert!(
        raw.invoke(&request("logs.refresh", &[])).ok(),
        "the instance is still usable"
    );
    assert!(cells > 300);
}

#[test]
fn callbacks_that_call_back_into_the_plugin_are_served_or_refused() {
    let shop = Shop::http();
    let lib = PluginLibrary::load(&common::plugin()).unwrap();
    let (host, raw) = connected(&shop, &lib);
    let handle = raw.handle;
    let inner_lib = Arc::clone(&lib);
    let busy = Arc::new(AtomicBool::new(false));
    let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    {
        let seen = Arc::clone(&seen);
        host.set_hook(move |cb| {
            // From every kind of callback, once at a time (a nested call's own callbacks pass).
            if busy.swap(true, Ordering::SeqCst) {
                return Reply::Pass;
            }
            for press in [
                &request("logs.refresh", &[])[..],
                &request("items.woo.refresh", &[])[..],
            ] {
                let answer = invoke_on(&inner_lib, handle, press);
                seen.lock()
                    .unwrap()
                    .push(format!("{cb:?}: {} {}", answer.name, answer.message));
            }
            let destroyed = faults_support::destroy_on(&inner_lib, handle);
            seen.lock()
                .unwrap()
                .push(format!("{cb:?}: destroy {destroyed:?}"));
            busy.store(false, Ordering::SeqCst);
            Reply::Pass
        });
    }
    for press in [
        request("items.woo.refresh", &[]),
        request("items.qbm.refresh", &[]),
    ] {
        let answer = raw.invoke(&press);
        assert!(answer.ok(), "{}: {}", answer.name, answer.message);
    }
    host.clear_hook();
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() > 10, "{seen:?}");
    for line in &seen {
        assert!(!BROKEN.iter().any(|b| line.contains(b)), "{line}");
        if line.contains("destroy") {
            assert!(
                line.contains("still running"),
                "destroy from a callback is refused: {line}"
            );
        }
    }
    assert!(raw.invoke(&request("logs.refresh", &[])).ok());
}
