//! The C boundary of the real plugin library, driven through host-sim's loader: negotiation,
//! instance creation, bad pointers and text, unknown ids, and a panic inside a handler — each
//! comes back as a status with a message, and the host process carries on.

mod common;

use std::sync::Arc;

use host_sim::company::Company;
use host_sim::host_table::HostTable;
use host_sim::loader::{LoadError, PluginLibrary};
use host_sim::services::SimHost;
use host_sim::session::ActionInput;
use qbm_woocommerce::ffi::abi::{QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, qbm_wc_status};
use serde_json::json;

fn status(s: qbm_wc_status) -> u32 {
    s as u32
}

fn refusal(result: Result<(), LoadError>) -> (u32, String) {
    match result {
        Err(LoadError::Refused(err)) => (err.status, err.message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_host_version_is_negotiated() {
    let path = common::plugin();
    PluginLibrary::negotiate(&path, QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR).expect("same version");
    PluginLibrary::negotiate(&path, QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR + 7)
        .expect("a newer minor is accepted");

    let (code, message) = refusal(PluginLibrary::negotiate(&path, QBM_WC_ABI_MAJOR + 1, 0));
    assert_eq!(
        code,
        status(qbm_wc_status::QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION)
    );
    assert!(
        message.contains("ABI 2.0") && message.contains("ABI 1."),
        "{message}"
    );

    let (code, _) = refusal(PluginLibrary::negotiate(&path, 0, 9));
    assert_eq!(
        code,
        status(qbm_wc_status::QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION)
    );

    let null_out = PluginLibrary::entry_with_null_out(&path).unwrap();
    assert_eq!(null_out, status(qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT));
}

#[test]
fn broken_host_tables_are_refused_by_name() {
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    let company = Arc::new(Company::in_memory().unwrap());
    let services = SimHost::new(company, "admin", "WS-01");

    let (null_host, null_out) = library.create_with_nulls(services.clone());
    assert_eq!(
        null_host,
        status(qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT)
    );
    assert_eq!(null_out, status(qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT));

    let mut missing = HostTable::new(services.clone());
    missing.table_mut().customers_create = None;
    let err = library.create_with(missing).err().expect("refused");
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_HOST_CALLBACK_MISSING)
    );
    assert!(err.message.contains("customers_create"), "{}", err.message);

    let mut small = HostTable::new(services.clone());
    small.table_mut().struct_size = 24;
    let err = library.create_with(small).err().expect("refused");
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_STRUCT_TOO_SMALL)
    );

    let mut other_major = HostTable::new(services.clone());
    other_major.table_mut().abi_major = QBM_WC_ABI_MAJOR + 1;
    let err = library.create_with(other_major).err().expect("refused");
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION)
    );

    // Optional callbacks may be missing.
    let mut minimal = HostTable::new(services);
    minimal.table_mut().progress = None;
    minimal.table_mut().log = None;
    minimal.table_mut().notify = None;
    let instance = library
        .create_with(minimal)
        .expect("optional callbacks are optional");
    assert_eq!(instance.menu().unwrap()["visible"], false);
}

#[test]
fn null_and_dangling_arguments_get_statuses() {
    let session = common::session();
    for (call, code) in session.plugin.abuse() {
        let expected = if call.contains("not an instance") {
            qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT
        } else {
            qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT
        };
        assert_eq!(code, status(expected), "{call}");
    }
    // The instance is unharmed.
    assert!(session.plugin.option_schema().is_ok());
}

#[test]
fn invalid_text_and_documents_get_statuses_with_messages() {
    let session = common::session();

    let err = session
        .plugin
        .invoke_bytes(&[0x7b, 0xff, 0xfe, 0x7d])
        .unwrap_err();
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_INVALID_UTF8)
    );
    assert!(err.message.contains("UTF-8"), "{}", err.message);

    let err = session.plugin.screen_bytes(&[0xc3, 0x28]).unwrap_err();
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_INVALID_UTF8)
    );

    let err = session.plugin.invoke_bytes(b"{\"action\": ").unwrap_err();
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_INVALID_JSON)
    );

    let err = session
        .plugin
        .invoke(&json!({"action": "items.qbm.refresh", "surprise": 1}))
        .unwrap_err();
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_INVALID_JSON)
    );
    assert!(err.message.contains("surprise"), "{}", err.message);

    let err = session.plugin.save_options_bytes(&[0xff]).unwrap_err().0;
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_INVALID_UTF8)
    );
}

#[test]
fn unknown_ids_are_refused_by_name() {
    let session = common::session();
    let err = session
        .action("items.teleport", &ActionInput::default())
        .unwrap_err();
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_UNKNOWN_ACTION)
    );
    assert!(err.message.contains("items.teleport"), "{}", err.message);
    assert_eq!(err.name, "QBM_WC_STATUS_UNKNOWN_ACTION");

    let err = session.plugin.screen("dashboard").unwrap_err();
    assert_eq!(
        err.status,
        status(qbm_wc_status::QBM_WC_STATUS_UNKNOWN_SCREEN)
    );
    assert!(err.message.contains("dashboard"));

    assert!(
        session.plugin.cancel(987_654).is_ok(),
        "cancelling an unknown call is harmless"
    );
}

#[test]
fn a_panic_in_a_handler_is_a_status_and_the_host_survives() {
    let session = common::session();
    let err = session
        .action("diagnostics.panic", &ActionInput::default())
        .unwrap_err();
    assert_eq!(err.status, status(qbm_wc_status::QBM_WC_STATUS_PANIC));
    assert!(err.message.contains("panic"), "{}", err.message);

    // The instance is poisoned from now on, with its own status …
    let err = session.plugin.menu().unwrap_err();
    assert_eq!(err.status, status(qbm_wc_status::QBM_WC_STATUS_POISONED));

    // … while the process, the library and new instances are fine.
    let session = session.reopen().expect("a new instance after the panic");
    assert_eq!(session.plugin.menu().unwrap()["visible"], false);
}

#[test]
fn last_error_reports_the_length_when_the_buffer_is_small() {
    let session = common::session();
    let err = session
        .action("an.action.with.a.rather.long.name", &ActionInput::default())
        .unwrap_err();
    assert!(err.message.len() > 20);
    // The loader reads messages with a length query first, so a full message proves that path;
    // and the status of every message read is a known one.
    assert_eq!(
        session.plugin.library().status_name(err.status),
        "QBM_WC_STATUS_UNKNOWN_ACTION"
    );
    assert_eq!(
        session.plugin.library().status_name(4242),
        "QBM_WC_STATUS_UNKNOWN"
    );
}

#[test]
fn instances_are_independent_and_can_be_created_again() {
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    let company = Arc::new(Company::in_memory().unwrap());
    let first = library
        .create(SimHost::new(company.clone(), "admin", "WS-01"))
        .unwrap();
    let second = library
        .create(SimHost::new(company, "admin", "WS-02"))
        .unwrap();
    assert_eq!(first.menu().unwrap(), second.menu().unwrap());
    drop(first);
    assert!(second.option_schema().is_ok());
    drop(second);
    let again = library
        .create(SimHost::new(
            Arc::new(Company::in_memory().unwrap()),
            "admin",
            "WS-01",
        ))
        .unwrap();
    assert!(again.menu().is_ok());
}

#[test]
fn thread_safe_calls_can_run_concurrently() {
    let session = Arc::new(common::session());
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let session = Arc::clone(&session);
            std::thread::spawn(move || {
                for _ in 0..25 {
                    assert!(session.plugin.menu().is_ok());
                    assert!(session.plugin.options().is_ok());
                    let err = session
                        .action(&format!("unknown.{i}"), &ActionInput::default())
                        .unwrap_err();
                    // Each thread sees its own last error.
                    assert!(
                        err.message.contains(&format!("unknown.{i}")),
                        "{}",
                        err.message
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no thread failed");
    }
}
