//! QBM ⇄ WooCommerce integration: a plugin library that QBM loads through a C ABI
//! (see `include/qbm_woocommerce.h` and `docs/ABI.md`), with the WooCommerce REST client and the
//! sync engine inside.
#![deny(unsafe_code)]

pub mod ffi;
pub mod host_port;
pub mod integration_log;
pub mod plugin;
pub mod runtime;
pub mod secret;
pub mod state;
pub mod sync;
pub mod woo;
