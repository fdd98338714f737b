//! The sync service: one shape for every operation, used alike by the buttons of the screens and
//! by the background jobs.
//!
//! An operation **gathers** what it needs (QBM records through the host, store records through
//! the client), **plans** with a pure function of what was gathered (no I/O, table-tested in
//! `sync::*`), **applies** the planned writes (batched, on the plugin's I/O threads) and
//! **records** what succeeded (links, the cache, the log, the run journal). It knows nothing of
//! action requests: an [`Engine`] gives it the host, the store, the settings, a cancel token and
//! a progress sink, and it answers with a [`RunReport`](crate::sync::rows::RunReport) row by row.

pub mod catalog;
pub mod create_update;
pub mod customers;
pub mod gather;
pub mod import_items;
pub mod orders;
pub mod polling;
pub mod stock_cycle;
pub mod store_facts;
pub mod sync_stock;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::BoxFuture;

use super::catalog::CatalogCache;
use super::error::{SyncError, SyncResult};
use super::settings::Settings;
use crate::host_port::HostPort;
use crate::integration_log::IntegrationLog;
use crate::runtime::{Clock, Reporter};
use crate::woo::{CancelToken, WooClient};

/// Runs store work on the plugin's I/O threads while the calling host thread waits, relaying
/// progress. Implemented by the plugin core over its bridge.
pub trait Io: Sync {
    fn run_boxed(
        &self,
        make: Box<dyn FnOnce(Reporter) -> BoxFuture<'static, ()> + Send>,
    ) -> SyncResult<()>;
}

/// Where progress goes (the host's progress callback for a button, nowhere for a job).
pub trait ProgressSink: Sync {
    fn report(&self, done: u64, total: u64, message: &str);
}

/// Builds the store client when an operation first needs it.
pub type ClientSource<'a> = &'a (dyn Fn() -> SyncResult<Arc<WooClient>> + Sync);

/// Everything an operation works with.
pub struct Engine<'a> {
    pub host: &'a dyn HostPort,
    pub settings: &'a Settings,
    pub client: ClientSource<'a>,
    pub io: &'a dyn Io,
    pub cancel: &'a CancelToken,
    pub progress: &'a dyn ProgressSink,
    pub log: &'a IntegrationLog,
    pub catalog: &'a CatalogCache,
    pub clock: &'a dyn Clock,
}

impl Engine<'_> {
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub fn check_cancelled(&self) -> SyncResult<()> {
        if self.is_cancelled() {
            Err(SyncError::Cancelled)
        } else {
            Ok(())
        }
    }

    pub fn progress(&self, done: u64, total: u64, message: &str) {
        self.progress.report(done, total, message);
    }

    /// Runs `make(client, cancel, reporter)` on the I/O threads and returns its output.
    pub fn store<T, F>(
        &self,
        make: impl FnOnce(Arc<WooClient>, CancelToken, Reporter) -> F + Send + 'static,
    ) -> SyncResult<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let client = (self.client)()?;
        let cancel = self.cancel.clone();
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let filled = Arc::clone(&slot);
        self.io.run_boxed(Box::new(move |reporter| {
            Box::pin(async move {
                let value = make(client, cancel, reporter).await;
                *filled.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
            })
        }))?;
        let value = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        value.ok_or_else(|| SyncError::Internal("store work ended without a result".into()))
    }
}
