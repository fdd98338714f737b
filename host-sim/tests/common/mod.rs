//! Shared set-up for the tests that drive the real plugin library through its C ABI.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use host_sim::company::Company;
use host_sim::host_table::Layout;
use host_sim::plugin_path;
use host_sim::services::SimHost;
use host_sim::session::Session;

/// The plugin library built for tests (with the `test-panic` feature).
pub fn plugin() -> PathBuf {
    plugin_path::build_for_tests()
}

/// host-sim's command line on the company file `company`, with the plugin the tests load.
pub fn cli(company: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_host-sim"));
    command
        .arg("--company")
        .arg(company)
        .arg("--plugin")
        .arg(plugin());
    command
}

/// Runs `command` to its end: whether it succeeded, and what it printed (stdout, then stderr).
pub fn cli_run(command: &mut Command) -> (bool, String) {
    let out = command.output().expect("host-sim runs");
    let printed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}

/// Runs `command`, which must succeed; what it printed.
pub fn cli_ok(command: &mut Command) -> String {
    let (success, printed) = cli_run(command);
    assert!(success, "{command:?} failed:\n{printed}");
    printed
}

/// The lines of `output` that mention `text`.
pub fn lines_with<'a>(output: &'a str, text: &str) -> Vec<&'a str> {
    output.lines().filter(|l| l.contains(text)).collect()
}

/// The company file at `path` opened by admin on workstation `name`, with `library` loaded: one
/// of several workstations sharing a company.
pub fn workstation(
    library: &Arc<host_sim::loader::PluginLibrary>,
    path: &Path,
    name: &str,
) -> Session {
    let host = SimHost::new(Arc::new(Company::open(path).unwrap()), "admin", name);
    Session::create(library, host, Layout::Complete).unwrap()
}

/// A fresh sample company in memory, with `user` logged in on workstation WS-01.
pub fn session_as(user: &str) -> Session {
    session_with(user, Layout::Complete)
}

/// Like [`session_as`], with the host table of `layout` (an ABI 1.0 host, or a 1.1 host without
/// some optional callbacks).
pub fn session_with(user: &str, layout: Layout) -> Session {
    let company = Arc::new(Company::in_memory().expect("the sample company can be created"));
    let host = SimHost::new(company, user, "WS-01");
    Session::open_with(&plugin(), host, layout).expect("the plugin loads")
}

pub fn session() -> Session {
    session_as("admin")
}

use host_sim::store::{ApiKey, KeyPermission, SeedSpec, SimStore, StoreOptions, TlsMaterial};
use serde_json::{Value, json};

/// A simulated store with the recorded fixture catalog and a read/write key.
pub struct Shop {
    pub store: SimStore,
    pub key: ApiKey,
    /// The certificate material when the store serves HTTPS.
    pub tls: Option<TlsMaterial>,
}

impl Shop {
    pub fn start(options: StoreOptions) -> Shop {
        let tls = options.tls.clone();
        let store = SimStore::start(options).expect("the simulated store starts");
        store.seed(&SeedSpec::fixtures());
        let key = store.create_key(KeyPermission::ReadWrite);
        Shop { store, key, tls }
    }

    /// HTTPS with a freshly generated certificate.
    pub fn https() -> Shop {
        Shop::start(StoreOptions {
            tls: Some(TlsMaterial::generate().expect("a certificate can be generated")),
            ..StoreOptions::default()
        })
    }

    /// Plain HTTP (OAuth 1.0a), the default store options.
    pub fn http() -> Shop {
        Shop::start(StoreOptions::default())
    }

    /// The connection options that point the plugin at this store with `key`.
    pub fn connection(&self, key: &ApiKey) -> Value {
        let url = self.store.base_url();
        json!({
            "enabled": true,
            "store_url": url,
            "allow_insecure_http": url.starts_with("http://"),
            "consumer_key": key.consumer_key,
            "consumer_secret": key.consumer_secret,
        })
    }

    /// `host-sim options set` with [`Shop::connection`] for its key and location 1 as the
    /// primary location, then `more` (`name=value` each).
    pub fn options_set(&self, more: &[&str]) -> Vec<String> {
        let url = self.store.base_url();
        let mut args = vec![
            "options".to_string(),
            "set".to_string(),
            "enabled=true".to_string(),
            format!("store_url={url}"),
            format!("allow_insecure_http={}", url.starts_with("http://")),
            format!("consumer_key={}", self.key.consumer_key),
            format!("consumer_secret={}", self.key.consumer_secret),
            "primary_location=1".to_string(),
        ];
        args.extend(more.iter().map(|arg| arg.to_string()));
        args
    }
}

/// A session as admin whose options point at `shop`, with the primary location set and both item
/// options on.
pub fn connected(shop: &Shop) -> Session {
    connected_with(shop, Layout::Complete)
}

/// [`connected`] over the host table of `layout`.
pub fn connected_with(shop: &Shop, layout: Layout) -> Session {
    let session = session_with("admin", layout);
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    values["allow_create_items"] = json!(true);
    values["allow_import_items"] = json!(true);
    session
        .set_options(values)
        .expect("the connection options are valid");
    session
}

const CHILD: &str = "HOST_SIM_TEST_CHILD";
const CHILD_URL: &str = "HOST_SIM_TEST_STORE_URL";
const CHILD_KEY: &str = "HOST_SIM_TEST_KEY";
const CHILD_SECRET: &str = "HOST_SIM_TEST_SECRET";

/// Inside the child process of [`run_trusting`]: the store's URL and key.
pub fn child_store() -> Option<(String, ApiKey)> {
    std::env::var_os(CHILD)?;
    let var = |name: &str| std::env::var(name).expect("child environment");
    Some((
        var(CHILD_URL),
        ApiKey {
            consumer_key: var(CHILD_KEY),
            consumer_secret: var(CHILD_SECRET),
        },
    ))
}

/// Re-runs test `name` of this binary in a child process whose system trust store is only the
/// store's CA (`SSL_CERT_FILE`), as a QBM machine that trusts the shop's certificate would be.
/// The environment of a running multi-threaded test cannot be changed soundly, hence the child.
/// Returns the child's output; fails when the child fails.
pub fn run_trusting(name: &str, shop: &Shop) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = dir.path().join("ca.pem");
    let material = shop.tls.as_ref().expect("the store serves TLS");
    material.write_ca_file(&ca).expect("the CA can be written");
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("SSL_CERT_FILE", &ca)
        .env_remove("SSL_CERT_DIR")
        .env(CHILD_URL, shop.store.base_url())
        .env(CHILD_KEY, &shop.key.consumer_key)
        .env(CHILD_SECRET, &shop.key.consumer_secret)
        .output()
        .expect("the child test runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child test {name} failed:\n{text}");
    assert!(
        text.contains("1 passed"),
        "the child did not run {name}:\n{text}"
    );
    text
}

/// The rows of an action response's table.
pub fn rows(response: &Value) -> Vec<Value> {
    response["table"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The row whose `key` column is `value`.
pub fn row<'a>(rows: &'a [Value], key: &str, value: &str) -> &'a Value {
    rows.iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value} in {rows:?}"))
}

/// The QBM id of the item with `code`.
pub fn item_id(company: &Company, code: &str) -> String {
    company
        .items_query(&host_sim::company::records::ItemsQuery {
            codes: Some(vec![code.into()]),
            ..Default::default()
        })
        .expect("the company answers")
        .first()
        .unwrap_or_else(|| panic!("no item {code}"))
        .id
        .clone()
        .expect("stored items have ids")
}
