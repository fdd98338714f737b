//! Decisions of the sync engine, free of I/O so they can be tested alone: matching QBM items to
//! store items, the quantities published online (and what unimported web orders hold back),
//! what Create / Update and Sync Stock send, which store products an import skips, how store
//! customers and orders become QBM customers and customer orders, and the store's calendar days.

pub mod customers;
pub mod export;
pub mod import;
pub mod matching;
pub mod orders;
pub mod oversell;
pub mod stock;
pub mod store_dates;
