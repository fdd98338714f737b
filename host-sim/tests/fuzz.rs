//! Fuzzing `invoke_action` requests and the host's answers, through the C ABI, with proptest on
//! the stable toolchain. Seeded, so a failure is reproduced by running it again; CI runs a few
//! hundred cases (seconds). A longer run:
//!
//! ```sh
//! QBM_WC_FUZZ_CASES=20000 QBM_WC_FUZZ_SEED=7 cargo test -p host-sim --test fuzz -- --nocapture
//! ```
//!
//! Every case must end with a status and a message, or a response document: never a panic
//! across the boundary, never a poisoned instance, never an internal error.

mod common;
mod faults_support;

use std::sync::{Arc, Mutex};

use common::Shop;
use faults_support::{FAST, Hooked, Raw, Reply, set_timeouts};
use host_sim::company::Company;
use host_sim::host_table::Layout;
use host_sim::loader::PluginLibrary;
use host_sim::services::SimHost;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

const ACTIONS: &[&str] = &[
    "options.reconnect",
    "options.clear_cache",
    "options.open_logs",
    "options.stock_sync.preview",
    "items.qbm.refresh",
    "items.qbm.sync_stock",
    "items.qbm.create_update",
    "items.woo.refresh",
    "items.woo.import",
    "items.check.refresh",
    "customers.woo.refresh",
    "customers.woo.import",
    "orders.woo.refresh",
    "orders.woo.import",
    "orders.imported.refresh",
    "logs.refresh",
    "logs.runs.refresh",
    "no.such.action",
];

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,6}",
        "[A-Z-]{1,10}",
        "\\PC{0,40}",
        Just("1032".to_string()),
        Just("99999999999999999999999".to_string()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A well-formed request with odd contents.
fn document() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(ACTIONS),
        any::<u64>(),
        prop::collection::vec(text(), 0..5),
        json_value(),
        json_value(),
    )
        .prop_map(|(action, call_id, selection, params, answers)| {
            let mut doc = json!({"action": action, "call_id": call_id % 4, "selection": selection});
            if params.is_object() {
                doc["params"] = params;
            }
            if answers.is_object() {
                doc["answers"] = answers;
            }
            doc.to_string().into_bytes()
        })
}

/// A request: mostly well-formed with odd contents, sometimes mangled bytes.
fn request() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => document(),
        1 => (document(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(mut bytes, at, byte)| {
            let i = at.index(bytes.len());
            bytes[i] = byte;
            bytes
        }),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

/// What a host callback answers: nothing special, a failure, or a fuzzed document.
#[derive(Debug, Clone)]
enum HostAnswer {
    Pass,
    Fail,
    Text(String),
}

fn host_answer() -> impl Strategy<Value = HostAnswer> {
    prop_oneof![
        6 => Just(HostAnswer::Pass),
        1 => Just(HostAnswer::Fail),
        2 => json_value().prop_map(|v| HostAnswer::Text(v.to_string())),
        1 => "\\PC{0,30}".prop_map(HostAnswer::Text),
    ]
}

#[test]
fn fuzzed_requests_and_host_answers_never_break_the_instance() {
    let cases = env("QBM_WC_FUZZ_CASES", 150) as u32;
    let seed = env("QBM_WC_FUZZ_SEED", 1);
    let shop = Shop::http();
    let lib = PluginLibrary::load(&common::plugin()).unwrap();
    let company = Arc::new(Company::in_memory().unwrap());
    set_timeouts(&company, "WS-01", &FAST);
    let host = Hooked::new(SimHost::new(company, "admin", "WS-01"));
    let raw = Raw::create(&lib, host.clone(), &Layout::Complete);
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    values["allow_create_items"] = json!(true);
    values["allow_import_items"] = json!(true);
    values["allow_import_customers"] = json!(true);
    assert!(raw.options_save(&json!({ "values": values })).ok());

    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    // Which callback (by its position among the call's callbacks) answers what.
    let plan: Arc<Mutex<(Vec<HostAnswer>, usize)>> = Arc::default();
    {
        let plan = Arc::clone(&plan);
        host.set_hook(move |_| {
            let mut plan = plan.lock().unwrap();
            let (answers, next) = &mut *plan;
            let answer = answers.get(*next).cloned().unwrap_or(HostAnswer::Pass);
            *next += 1;
            match answer {
                HostAnswer::Pass => Reply::Pass,
                HostAnswer::Fail => Reply::Fail(
                    qbm_woocommerce::ffi::abi::qbm_wc_status::QBM_WC_STATUS_HOST_ERROR,
                    "fuzzed failure".into(),
                ),
                HostAnswer::Text(text) => Reply::Text(text),
            }
        });
    }
    let result = runner.run(
        &(request(), prop::collection::vec(host_answer(), 0..40)),
        |(request, answers)| {
            *plan.lock().unwrap() = (answers, 0);
            let answer = raw.invoke(&request);
            let broken = [
                "QBM_WC_STATUS_PANIC",
                "QBM_WC_STATUS_POISONED",
                "QBM_WC_STATUS_INTERNAL",
            ];
            prop_assert!(
                !broken.contains(&answer.name.as_str()),
                "{}: {}",
                answer.name,
                answer.message
            );
            if answer.ok() {
                prop_assert!(answer.text.contains("qbm.wc.action-response/1"));
            } else {
                prop_assert!(
                    !answer.message.is_empty(),
                    "{} without a message",
                    answer.name
                );
            }
            Ok(())
        },
    );
    host.clear_hook();
    if let Err(failure) = result {
        panic!("seed {seed}: {failure}");
    }
    let logs = raw.invoke(br#"{"action":"logs.refresh"}"#);
    assert!(logs.ok(), "the instance is still usable: {}", logs.message);
}
