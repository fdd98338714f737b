//! QBM ⇄ WooCommerce integration: a plugin library that QBM loads through a C ABI
//! (see `include/qbm_woocommerce.h` and `docs/ABI.md`), with the WooCommerce REST client and the
//! sync engine inside.

// Public: the ABI types (for hosts written in Rust, like host-sim), the WooCommerce client and
// the secret wrapper (tested on their own). Everything else is the plugin's inside, so the
// compiler reports what nothing uses.
pub mod ffi;
pub(crate) mod host_port;
pub(crate) mod integration_log;
pub(crate) mod plugin;
pub(crate) mod runtime;
pub mod secret;
pub(crate) mod state;
pub(crate) mod sync;
pub mod woo;
