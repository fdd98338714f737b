//! The C boundary. All `unsafe` code of the plugin lives in this module.
//!
//! Each exported function or table entry does four things: enter the panic boundary, check and
//! convert its arguments, call one function of the safe core, and write its outputs.
#![allow(unsafe_code)]

pub mod abi;
mod boundary;
mod entry;
mod host;
mod instance;
pub(crate) mod keep_loaded;
pub(crate) mod os_thread;
mod ptr;
mod status;

pub use entry::{qbm_wc_entry, qbm_wc_last_error};
