//! host-sim: loads the QBM WooCommerce plugin through its C ABI exactly as QBM does, over a
//! simulated QBM company (SQLite) and a simulated WooCommerce store (HTTP on 127.0.0.1).

pub mod cli;
pub mod company;
pub mod demo;
pub mod host_table;
pub mod job_loop;
pub mod loader;
pub mod plugin_path;
pub mod progress;
pub mod render;
pub mod services;
pub mod session;
pub mod store;
pub mod threads;
