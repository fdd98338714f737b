//! Decisions of the sync engine, free of I/O so they can be tested alone: matching QBM items to
//! store items, the quantities published online, what Create / Update and Sync Stock send, and
//! which store products an import skips.

pub mod customers;
pub mod export;
pub mod import;
pub mod matching;
pub mod orders;
pub mod stock;
pub mod store_dates;
