//! The consumer secret appears nowhere but where it is needed: every action and failure path is
//! run, then every response, error, log line (the integration log and the host's own log), stored
//! plugin state and host-sim's printed output is searched for it. The host offers protected
//! storage (ABI 1.1 `secret_get`/`secret_set`), so the secret is kept there and nowhere in the
//! company database, not even in the raw bytes of its file.

mod common;

use common::Shop;
use host_sim::session::{ActionInput, Session};
use host_sim::store::{FaultKind, FaultRule, KeyPermission, StoreOptions, TlsMaterial};
use qbm_woocommerce::ffi::abi::{
    QBM_WC_AREA_COMPANY_OPTIONS, QBM_WC_AREA_COMPANY_STATE, QBM_WC_AREA_WORKSTATION_OPTIONS,
    QBM_WC_AREA_WORKSTATION_STATE,
};
use serde_json::json;

/// Everything the user or support could see.
struct Seen(String);

impl Seen {
    fn record(&mut self, label: &str, text: impl std::fmt::Display) {
        self.0.push_str(&format!("\n--- {label}\n{text}"));
    }

    fn act(&mut self, session: &Session, action: &str, input: ActionInput) {
        match session.action(action, &input) {
            Ok(response) => self.record(action, response),
            Err(err) => self.record(action, format!("{err}\n{err:?}")),
        }
    }

    fn everything_stored_and_logged(&mut self, session: &Session) {
        let company = session.company();
        for (area, scope) in [
            (QBM_WC_AREA_COMPANY_OPTIONS, String::new()),
            (QBM_WC_AREA_WORKSTATION_OPTIONS, session.host.workstation()),
            (QBM_WC_AREA_COMPANY_STATE, String::new()),
            (QBM_WC_AREA_WORKSTATION_STATE, session.host.workstation()),
        ] {
            // The host offers protected storage, so the secret is in no stored value at all.
            for key in company.storage_keys(area, &scope).unwrap() {
                let value = company
                    .storage_get(area, &scope, &key)
                    .unwrap()
                    .unwrap_or_default();
                self.record(&format!("storage {area}/{key}"), value);
            }
        }
        for (level, line) in session.host.host_log() {
            self.record(&format!("host log {level}"), line);
        }
        for (level, line) in session.host.notifications() {
            self.record(&format!("notification {level}"), line);
        }
        self.record("options", session.plugin.options().unwrap());
    }

    fn assert_clean(&self, secret: &str) {
        assert!(!self.0.is_empty());
        assert!(
            !self.0.contains(secret),
            "the consumer secret leaked:{}",
            self.0
        );
        // Any long piece of it (e.g. a truncated or re-encoded copy) counts too.
        let middle = &secret[3..23];
        assert!(
            !self.0.contains(middle),
            "part of the consumer secret leaked:{}",
            self.0
        );
    }
}

/// Presses every button the plugin has, on the happy path and with the store failing.
fn exercise(session: &Session, shop: &Shop, seen: &mut Seen) {
    let select_all: Vec<String> = (1..=9).map(|id| id.to_string()).collect();
    let accounts = json!({"income": "4000", "asset": "1400", "cogs": "5000"});
    for action in [
        "options.reconnect",
        "items.woo.refresh",
        "items.qbm.refresh",
        "options.open_logs",
    ] {
        seen.act(session, action, ActionInput::default());
    }
    seen.act(
        session,
        "items.qbm.create_update",
        ActionInput::select(select_all.clone()),
    );
    seen.act(
        session,
        "items.qbm.sync_stock",
        ActionInput::select(select_all),
    );
    seen.act(
        session,
        "items.woo.import",
        ActionInput::select(["1030", "1032", "1036"]),
    );
    seen.act(
        session,
        "items.woo.import",
        ActionInput::select(["1030", "1032", "1036"]).answer("default_accounts", accounts),
    );
    for action in [
        "options.stock_sync.start",
        "customers.woo.refresh",
        "orders.woo.refresh",
        "no.such.action",
    ] {
        seen.act(session, action, ActionInput::default());
    }

    // The store misbehaving.
    for kind in [
        FaultKind::ServerError(503),
        FaultKind::MalformedJson,
        FaultKind::TruncatedBody,
        FaultKind::HtmlInsteadOfJson,
        FaultKind::TooManyRequests {
            retry_after_secs: 600,
        },
    ] {
        let fault = shop.store.faults().add(FaultRule::new(kind));
        seen.act(session, "options.clear_cache", ActionInput::default());
        seen.act(session, "items.woo.refresh", ActionInput::default());
        seen.act(session, "options.reconnect", ActionInput::default());
        shop.store.faults().remove(fault);
    }

    // Keys that do not work.
    let read_only = shop.store.create_key(KeyPermission::Read);
    let mut values = shop.connection(&read_only);
    seen.act(
        session,
        "options.reconnect",
        ActionInput::default().param("values", values.clone()),
    );
    values["consumer_secret"] = json!("cs_00000000000000000000000000000000000000ff");
    seen.act(
        session,
        "options.reconnect",
        ActionInput::default().param("values", values),
    );
    seen.act(
        session,
        "options.reconnect",
        ActionInput::default().param("values", shop.connection(&shop.key)),
    );
    shop.store.revoke_key(&shop.key.consumer_key);
    seen.act(session, "options.reconnect", ActionInput::default());
    seen.act(session, "items.qbm.sync_stock", ActionInput::select(["1"]));
    seen.act(session, "logs.refresh", ActionInput::default());
    seen.everything_stored_and_logged(session);
}

#[test]
fn the_secret_never_appears_with_oauth_over_http() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let mut seen = Seen(String::new());
    exercise(&session, &shop, &mut seen);
    seen.assert_clean(&shop.key.consumer_secret);
}

#[test]
fn the_secret_never_appears_with_keys_in_the_query_string() {
    if let Some((url, key)) = common::child_store() {
        // The store strips the Authorization header, so the client falls back to sending the
        // key and the secret in every URL: the riskiest mode for logs.
        let shop_key = key.clone();
        let session = common::session();
        session
            .set_options(json!({
                "enabled": true, "store_url": url, "consumer_key": key.consumer_key,
                "consumer_secret": key.consumer_secret, "primary_location": "1",
                "allow_create_items": true, "allow_import_items": true,
            }))
            .unwrap();
        let mut seen = Seen(String::new());
        for action in [
            "options.reconnect",
            "items.woo.refresh",
            "items.qbm.refresh",
        ] {
            seen.act(&session, action, ActionInput::default());
        }
        seen.act(
            &session,
            "items.qbm.sync_stock",
            ActionInput::select(["1", "3", "4"]),
        );
        seen.everything_stored_and_logged(&session);
        assert!(
            seen.0.contains("query string"),
            "the fallback was used:{}",
            seen.0
        );
        seen.assert_clean(&shop_key.consumer_secret);
        println!("{}", seen.0);
        return;
    }
    let shop = Shop::start(StoreOptions {
        tls: Some(TlsMaterial::generate().unwrap()),
        strip_authorization: true,
        ..StoreOptions::default()
    });
    let output = common::run_trusting(
        "the_secret_never_appears_with_keys_in_the_query_string",
        &shop,
    );
    Seen(output).assert_clean(&shop.key.consumer_secret);
}

#[test]
fn the_secret_never_appears_in_host_sim_output() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    let run = |args: &[&str]| common::cli_run(common::cli(&company).args(args)).1;
    let mut seen = Seen(String::new());
    seen.record(
        "options set",
        common::cli_run(common::cli(&company).args(shop.options_set(&[]))).1,
    );
    for args in [
        vec!["options", "show"],
        vec!["action", "options.reconnect"],
        vec!["screen", "items", "--tab", "woocommerce"],
        vec!["screen", "items"],
        vec!["action", "items.qbm.sync_stock", "--select", "1,2,3,4,7"],
        vec!["screen", "logs"],
    ] {
        seen.record(&args.join(" "), run(&args));
    }
    assert!(seen.0.contains("FX-MUG"), "the commands worked:{}", seen.0);
    seen.assert_clean(&shop.key.consumer_secret);
}

/// Every piece of the raw bytes of the company's database files.
fn raw_database(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-journal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let mut name = path.as_os_str().to_os_string();
            name.push(suffix);
            let file = std::path::PathBuf::from(name);
            std::fs::read(&file)
                .ok()
                .map(|bytes| (file.display().to_string(), bytes))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_company_file_holds_no_trace_of_the_secret() {
    use base64::Engine as _;
    use host_sim::company::Company;
    use host_sim::services::SimHost;
    use std::sync::Arc;

    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let company = Arc::new(Company::open(&path).unwrap());
    let session = Session::open(
        &common::plugin(),
        SimHost::new(Arc::clone(&company), "admin", "WS-01"),
    )
    .unwrap();
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    session.set_options(values).unwrap();
    for action in [
        "options.reconnect",
        "items.woo.refresh",
        "items.qbm.refresh",
    ] {
        session.action(action, &ActionInput::default()).unwrap();
    }
    let secret = &shop.key.consumer_secret;
    assert_eq!(
        company.secrets().get("consumer_secret").unwrap().as_deref(),
        Some(secret.as_str()),
        "the secret is in the protected storage"
    );
    let options = session.plugin.options().unwrap();
    assert_eq!(options["secrets"]["consumer_secret"]["set"], true);
    assert_eq!(options["secrets"]["consumer_secret"]["protected"], true);

    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", shop.key.consumer_key, secret));
    let secret_alone = base64::engine::general_purpose::STANDARD.encode(secret);
    let files = raw_database(&path);
    assert!(
        files
            .iter()
            .any(|(name, _)| name.ends_with("company.sqlite"))
    );
    for (name, bytes) in &files {
        for needle in [
            secret.as_str(),
            &secret[3..23],
            &basic,
            &basic[..24],
            &secret_alone,
        ] {
            assert!(
                !contains(bytes, needle.as_bytes()),
                "{name} contains {needle:?}"
            );
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = company.secrets().file().unwrap();
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "{} is private: {mode:o}",
            file.display()
        );
    }
}
