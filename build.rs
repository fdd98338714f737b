//! Build metadata: the target triple the plugin was built for, which the WooCommerce client puts
//! in its User-Agent so store owners can tell QBM builds apart in their server logs.
//!
//! (The C header is not generated here; see tests/header.rs.)

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=QBM_WC_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
