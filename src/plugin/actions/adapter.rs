//! What every action adapter shares: an [`Engine`] for the action (the host, the store through
//! the plugin's I/O threads, progress to the host for the action's `call_id`, its cancel token)
//! and the rendering of the engine's [`RunReport`] as a response, with a run journal record.

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::{ActionContext, ActionResponse, Outcome, Table};
use crate::plugin::error::CoreError;
use crate::runtime::Reporter;
use crate::sync::engine::{Engine, Io, ProgressSink};
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::journal::{self, RunEnd, RunRecord};
use crate::sync::rows::{RunReport, Stop};

impl From<CoreError> for SyncError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Host(err) => SyncError::Host(err),
            CoreError::Store(err) => SyncError::Store(err),
            CoreError::NotConfigured(text) => SyncError::NotConfigured(text),
            CoreError::Cancelled => SyncError::Cancelled,
            other => SyncError::Internal(other.to_string()),
        }
    }
}

impl From<SyncError> for CoreError {
    fn from(err: SyncError) -> Self {
        match err {
            SyncError::Host(err) => CoreError::Host(err),
            SyncError::Store(err) => CoreError::Store(err),
            SyncError::State(err) => err.into(),
            SyncError::Cancelled => CoreError::Cancelled,
            SyncError::NotConfigured(text) => CoreError::NotConfigured(text),
            SyncError::Invalid(text) => CoreError::InvalidArgument(text),
            SyncError::Internal(text) => CoreError::Internal(text),
        }
    }
}

impl Io for ActionContext<'_> {
    fn run_boxed(
        &self,
        make: Box<dyn FnOnce(Reporter) -> BoxFuture<'static, ()> + Send>,
    ) -> SyncResult<()> {
        self.check_deadline();
        self.plugin
            .io_waiting(Some(self.request.call_id), &self.cancel, make, &|| {
                self.check_deadline()
            })
            .map_err(SyncError::from)
    }
}

impl ProgressSink for ActionContext<'_> {
    fn report(&self, done: u64, total: u64, message: &str) {
        self.progress(done, total, message);
    }
}

impl ActionContext<'_> {
    /// Runs `operation` with an engine for this action.
    pub fn engine<R>(&self, operation: impl FnOnce(&Engine) -> R) -> R {
        let client = || self.plugin.client(&self.settings).map_err(SyncError::from);
        let engine = Engine {
            host: self.plugin.host(),
            settings: &self.settings,
            client: &client,
            io: self,
            cancel: &self.cancel,
            progress: self,
            log: self.plugin.log(),
            catalog: self.plugin.catalog(),
            clock: self.plugin.clock(),
        };
        operation(&engine)
    }

    /// The response for an operation's report: rows as a table (first column `first`), the
    /// summary, the outcome (cancelled or incomplete when it stopped part way), a log line and a
    /// run journal record.
    pub fn render(&self, title: &str, first: (&str, &str), report: RunReport) -> ActionResponse {
        let started = self.plugin.clock().now();
        let summary = report.summary();
        let mut parts = vec![format!("{} processed", summary.processed)];
        for (n, what) in [
            (summary.created, "created"),
            (summary.updated, "updated"),
            (summary.linked, "linked"),
            (summary.unchanged, "already up to date"),
            (summary.skipped - summary.unchanged, "skipped"),
            (summary.failed, "failed"),
            (summary.not_done, "not done"),
            (summary.unknown, "unknown"),
        ] {
            if n > 0 || matches!(what, "created" | "skipped" | "failed") {
                parts.push(format!("{n} {what}"));
            }
        }
        let (outcome, ending) = match &report.stopped {
            None => (Outcome::Completed, String::new()),
            Some(Stop::Cancelled) if self.timed_out.load(std::sync::atomic::Ordering::SeqCst) => (
                Outcome::Incomplete,
                format!(
                    " It stopped after {} because the store answers too slowly: the rows say what was done and what was not; run it again for the rest.",
                    crate::runtime::timeouts::spoken(self.allowed)
                ),
            ),
            Some(Stop::Cancelled) => (
                Outcome::Cancelled,
                " It was cancelled part way: the rows say what was done and what was not."
                    .to_string(),
            ),
            Some(Stop::Failed(cause)) => (
                Outcome::Incomplete,
                format!(
                    " It stopped part way: {cause}. The rows say what was done and what was not."
                ),
            ),
        };
        let message = format!("{title}: {}.{ending}", parts.join(", "));
        let log = self.plugin.log();
        let category = match self.spec.id {
            super::catalog::ids::QBM_ITEMS_SYNC_STOCK => {
                crate::integration_log::Category::StockSync
            }
            _ => crate::integration_log::Category::Processing,
        };
        if report.stopped.is_some() {
            log.warn(category, &message);
        } else {
            log.info(category, &message);
        }
        let mut table = Table::with_columns(&[
            first,
            ("code", "Code / SKU"),
            ("outcome", "Result"),
            ("woo_id", "WooCommerce id"),
            ("detail", "Details"),
        ]);
        for row in &report.rows {
            table.push(json!({
                first.0: row.qbm,
                "code": row.code,
                "outcome": row.outcome.id(),
                "woo_id": row.woo_id.map_or(Value::Null, |id| Value::String(id.to_string())),
                "detail": row.detail,
            }));
        }
        self.journal(&summary.counts(), outcome, &message, started);
        let mut response = ActionResponse::completed(self.spec.id, message);
        response.outcome = outcome;
        response.summary = Some(summary);
        response.table = Some(table);
        response.warnings = report.warnings;
        response
    }

    /// Leaves a record of this run in the run journal (a failure to record is logged only).
    pub fn journal(
        &self,
        counts: &std::collections::BTreeMap<String, u64>,
        outcome: Outcome,
        message: &str,
        started: chrono::DateTime<chrono::Utc>,
    ) {
        let identity = self.plugin.host().identity().unwrap_or_default();
        let record = RunRecord {
            id: 0,
            what: self.spec.id.to_string(),
            automatic: false,
            user: identity.user,
            workstation: identity.workstation,
            started,
            ended: self.plugin.clock().now(),
            outcome: match outcome {
                Outcome::Completed => RunEnd::Completed,
                Outcome::Cancelled => RunEnd::Cancelled,
                Outcome::Incomplete => RunEnd::Incomplete,
                Outcome::NeedsInput => RunEnd::NeedsInput,
            },
            counts: counts.clone(),
            requests: 0,
            message: message.to_string(),
        };
        if let Err(err) = journal::record(self.plugin.host(), record) {
            self.plugin.log().warn(
                crate::integration_log::Category::Processing,
                &format!("the run could not be recorded in the run journal: {err}"),
            );
        }
    }
}
