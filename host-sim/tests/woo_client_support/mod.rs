//! Shared set-up for the WooCommerce client tests against the simulated store.
//!
//! HTTPS tests trust the store's generated CA only through `SSL_CERT_FILE`. Setting an
//! environment variable inside a multi-threaded test process is not sound, so such a test
//! writes the CA to a temporary file and re-runs its own test binary for just that test, with
//! `SSL_CERT_FILE` and a marker variable set; the child does the client work, the parent keeps
//! the store and checks what arrived there.
#![allow(dead_code)]

use std::future::Future;
use std::process::Command;
use std::time::Duration;

use host_sim::store::ApiKey;
use qbm_woocommerce::woo::{RetryPolicy, WooClient, WooConfig, WooError};

const CHILD: &str = "QBM_WOO_CLIENT_TEST_CHILD";
const BASE_URL: &str = "QBM_WOO_CLIENT_TEST_BASE_URL";
const KEY: &str = "QBM_WOO_CLIENT_TEST_KEY";
const SECRET: &str = "QBM_WOO_CLIENT_TEST_SECRET";

/// Runs a future on a fresh single-threaded runtime (the store has its own).
pub fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// Client settings for tests: fast retries, generous timeouts.
pub fn config(base_url: &str, key: &str, secret: &str) -> WooConfig {
    let mut cfg = WooConfig::new(base_url, key, secret);
    cfg.allow_insecure_http = base_url.starts_with("http://");
    cfg.request_timeout = Duration::from_secs(20);
    cfg.retry = RetryPolicy {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    cfg
}

/// A client for `key` on the store at `base_url`.
pub fn client(base_url: &str, key: &ApiKey) -> WooClient {
    WooClient::new(config(base_url, &key.consumer_key, &key.consumer_secret)).expect("client")
}

/// What a child process works with.
pub struct ChildContext {
    /// The store's home URL.
    pub base_url: String,
    /// The API key.
    pub key: ApiKey,
}

impl ChildContext {
    /// A client with the test settings.
    pub fn client(&self) -> WooClient {
        client(&self.base_url, &self.key)
    }
}

/// `Some` inside the re-run child process.
pub fn child() -> Option<ChildContext> {
    std::env::var_os(CHILD)?;
    let var = |name: &str| std::env::var(name).expect("child environment");
    Some(ChildContext {
        base_url: var(BASE_URL),
        key: ApiKey {
            consumer_key: var(KEY),
            consumer_secret: var(SECRET),
        },
    })
}

/// Re-runs test `name` of this binary as a child trusting only `ca_pem`, and returns its
/// output. Fails when the child fails or did not run exactly that test.
pub fn run_child(name: &str, ca_pem: &str, base_url: &str, key: &ApiKey) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ca_pem).expect("CA written");
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("SSL_CERT_FILE", &ca)
        .env_remove("SSL_CERT_DIR")
        .env(BASE_URL, base_url)
        .env(KEY, &key.consumer_key)
        .env(SECRET, &key.consumer_secret)
        .output()
        .expect("child runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child test {name} failed:\n{text}");
    assert!(
        text.contains("1 passed"),
        "child did not run {name}:\n{text}"
    );
    text
}

/// Prints an error both ways, so the parent can check the child's output for the secret.
pub fn show(label: &str, e: &WooError) {
    println!("{label}: {e}");
    println!("{label} (debug): {e:?}");
}

/// Asserts `secret` (or a long piece of it) appears nowhere in `text`.
pub fn assert_no_secret(text: &str, secret: &str) {
    assert!(
        !text.contains(secret),
        "the consumer secret leaked:\n{text}"
    );
    assert!(
        !text.contains(&secret[3..19]),
        "part of the consumer secret leaked:\n{text}"
    );
}

/// Formats an error both ways and checks for the secret.
pub fn assert_error_clean(e: &WooError, secret: &str) {
    assert_no_secret(&format!("{e}\n{e:?}"), secret);
}
