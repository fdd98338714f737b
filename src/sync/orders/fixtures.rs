//! The recorded WooCommerce 8.9.1 answers (`tests/fixtures/woocommerce-8.9.1/`), decoded with the
//! client's models, for the planners' tests.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde_json::Value;

fn body(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/woocommerce-8.9.1")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let recording: Value = serde_json::from_str(&text).expect("a recording is JSON");
    recording["body"].clone()
}

/// The one record a recording answered.
pub(crate) fn one<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(body(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The list a recording answered.
pub(crate) fn list<T: DeserializeOwned>(name: &str) -> Vec<T> {
    serde_json::from_value(body(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
