//! The sync engine: the catalog model the decisions work on, the pure decisions themselves
//! (matching QBM items to store items, the quantities published online, what Create / Update
//! and Sync Stock send, which store products an import skips, the customer duplicate policy, the
//! order import rules, the store's calendar days, the oversell guard), the operations built on
//! them ([`engine`]: gather → plan → apply → record), their row-by-row reports and the run
//! journal. Nothing here imports from `plugin`.

pub mod catalog;
pub mod customers;
pub mod engine;
pub mod error;
pub mod export;
pub mod import;
pub mod journal;
pub mod matching;
pub mod names;
pub mod orders;
pub mod oversell;
pub mod rows;
pub mod settings;
pub mod stock;
pub mod store_dates;
