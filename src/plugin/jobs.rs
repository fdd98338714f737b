//! Background jobs, run by the host through `run_due_jobs` on a thread it chooses.
//!
//! Two jobs exist: order polling and automatic stock sync. Whether a job is started, its last
//! run and its failure streak are company state (`job.<id>`), so they survive restarts and every
//! workstation sees them; one workstation per company runs each job, holding a lease
//! ([`crate::state::lease`]) that it renews on every run. When both are due, polling runs first:
//! imported orders change QBM's stock, and the store has already counted them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Plugin;
use super::error::{CoreError, CoreResult};
use super::options::{Settings, keys};
use crate::ffi::abi::QBM_WC_MAX_JOB_WAIT_MS;
use crate::host_port::{Level, StorageArea};
use crate::integration_log::Category;
use crate::state::{self, lease};
use crate::sync::journal::{self, RunEnd, RunRecord};

/// The background jobs, in the order they run when both are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    OrderPolling,
    StockSync,
}

impl JobKind {
    pub const ALL: [JobKind; 2] = [JobKind::OrderPolling, JobKind::StockSync];

    pub fn id(self) -> &'static str {
        match self {
            JobKind::OrderPolling => "order_polling",
            JobKind::StockSync => "stock_sync",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            JobKind::OrderPolling => "Order polling",
            JobKind::StockSync => "Stock sync",
        }
    }

    pub(crate) fn category(self) -> Category {
        match self {
            JobKind::OrderPolling => Category::Processing,
            JobKind::StockSync => Category::StockSync,
        }
    }

    fn state_key(self) -> String {
        format!("job.{}", self.id())
    }

    /// Minutes between runs, from the options.
    pub fn interval(self, settings: &Settings) -> Duration {
        let minutes = match self {
            JobKind::OrderPolling => settings.order_polling_interval_minutes,
            JobKind::StockSync => settings.stock_sync_interval_minutes,
        };
        Duration::minutes(i64::from(minutes.max(1)))
    }

    /// How long this job's lease lasts without renewal (see [`lease_ttl`]).
    pub fn lease_ttl(self, settings: &Settings, run_deadline: std::time::Duration) -> Duration {
        lease_ttl(self.interval(settings), run_deadline)
    }
}

/// How long a lease lasts without renewal: a holder that missed three runs (and at least ten
/// minutes) is considered gone. The lease is renewed when a run starts, so it also outlasts two
/// run deadlines: a run that is still working is never taken over.
fn lease_ttl(interval: Duration, run_deadline: std::time::Duration) -> Duration {
    // The deadline is at most an hour (`runtime::timeouts::MAX`).
    let deadline = Duration::from_std(run_deadline).unwrap_or(Duration::hours(1));
    (interval * 3).max(Duration::minutes(10)).max(deadline * 2)
}

/// How a run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    #[default]
    Completed,
    /// Some rows failed; the rest was done.
    CompletedWithFailures,
    Failed,
}

/// The last run of a job, as shown in Options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    pub workstation: String,
    pub outcome: RunOutcome,
    pub message: String,
}

/// A job's company-wide state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobState {
    pub started: bool,
    /// Who started or stopped it, and when.
    #[serde(default)]
    pub changed_by: String,
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_run: Option<LastRun>,
    /// Failed runs in a row (a notification is shown once per streak).
    #[serde(default)]
    pub failure_streak: u32,
    /// Why the engine stopped the job itself (key revoked, store gone).
    #[serde(default)]
    pub stopped_reason: Option<String>,
    /// Runs asked for ahead of the interval (Start pressed while started), counted; a counter
    /// rather than a time, so workstations whose clocks differ agree on whether it was answered.
    #[serde(default)]
    pub run_asked: u64,
    /// The value of `run_asked` the last run started with: asks up to it are answered.
    #[serde(default)]
    pub run_asked_done: u64,
}

impl JobState {
    /// A run was asked for that no run has answered yet.
    pub fn run_asked_open(&self) -> bool {
        self.run_asked > self.run_asked_done
    }
}

pub fn load_state(plugin: &Plugin, kind: JobKind) -> CoreResult<JobState> {
    Ok(plugin
        .host()
        .storage_get(StorageArea::CompanyState, &kind.state_key())?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

pub fn update_state(
    plugin: &Plugin,
    kind: JobKind,
    mut change: impl FnMut(&mut JobState),
) -> CoreResult<JobState> {
    let mut result = JobState::default();
    state::update(
        plugin.host(),
        StorageArea::CompanyState,
        &kind.state_key(),
        |current| {
            let mut job: JobState = current
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default();
            change(&mut job);
            result = job.clone();
            serde_json::to_string(&job).ok()
        },
    )?;
    Ok(result)
}

/// An engine for one job run: no progress is shown (nobody watches a job), its cancel token is
/// reached by `destroy`, its own store requests are counted for the report (not those of an
/// action running on the same instance meanwhile). A run is bounded like an
/// action: the host's job thread is not held longer than the action deadline by a store that
/// stopped answering, and the next run continues where this one stopped.
pub struct JobRun<'a> {
    pub plugin: &'a Plugin,
    pub settings: &'a Settings,
    pub cancel: crate::woo::CancelToken,
    pub deadline: std::time::Instant,
    pub timed_out: std::sync::atomic::AtomicBool,
    pub requests: Arc<crate::woo::OperationRequests>,
}

impl crate::sync::engine::Io for JobRun<'_> {
    fn run_boxed(
        &self,
        make: Box<
            dyn FnOnce(crate::runtime::Reporter) -> futures_util::future::BoxFuture<'static, ()>
                + Send,
        >,
    ) -> crate::sync::error::SyncResult<()> {
        self.check_deadline();
        let requests = Arc::clone(&self.requests);
        self.plugin
            .io_waiting(
                None,
                &self.cancel,
                move |reporter| crate::woo::counted(requests, make(reporter)),
                &|| self.check_deadline(),
            )
            .map_err(crate::sync::error::SyncError::from)
    }
}

impl crate::sync::engine::ProgressSink for JobRun<'_> {
    fn report(&self, _: u64, _: u64, _: &str) {}
}

impl JobRun<'_> {
    /// Stops the run (as `destroy` does) once its deadline passed.
    fn check_deadline(&self) {
        if std::time::Instant::now() >= self.deadline && !self.cancel.is_cancelled() {
            self.timed_out
                .store(true, std::sync::atomic::Ordering::SeqCst);
            self.cancel.cancel();
        }
    }

    /// Runs `operation` with an engine for this run.
    pub fn engine<R>(&self, operation: impl FnOnce(&crate::sync::engine::Engine) -> R) -> R {
        let client = || {
            self.plugin
                .client(self.settings)
                .map_err(crate::sync::error::SyncError::from)
        };
        let engine = crate::sync::engine::Engine {
            host: self.plugin.host(),
            settings: self.settings,
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

    /// What the configured client has sent so far (nothing when it cannot be built).
    pub fn stats(&self) -> crate::woo::RequestStats {
        self.plugin
            .client(self.settings)
            .map(|c| c.stats())
            .unwrap_or_default()
    }
}

/// What one run of a job did, for the report, the log and Options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CycleReport {
    pub outcome: RunOutcome,
    pub message: String,
    /// Problems of the set-up the run worked around (a chosen location that no longer exists):
    /// in every report, logged by the engine once until they change.
    pub warnings: Vec<String>,
    /// Store requests the run made.
    pub requests: u64,
    /// How the client adapted to the store during the run: retried requests, times it lowered
    /// its concurrency, times every request paused for the store's `Retry-After`.
    pub retries: u64,
    pub slow_downs: u64,
    pub pauses: u64,
    /// Counts by row outcome (`pushed`, `unchanged`, `imported`, …).
    pub counts: BTreeMap<String, u64>,
    /// The job must stop itself (the key was revoked, the store is gone): the reason.
    pub stop: Option<String>,
}

impl CycleReport {
    /// The message with the warnings, for the jobs report and Options.
    pub fn full_message(&self) -> String {
        std::iter::once(self.message.as_str())
            .chain(self.warnings.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The per-instance side of the jobs: a guard against concurrent runs, items whose stock the
/// host reported moved, when each job is due next on this workstation, and the asks for a run
/// this workstation found held by another one.
#[derive(Default)]
pub struct Jobs {
    running: AtomicBool,
    moved: Mutex<BTreeSet<String>>,
    due: Mutex<BTreeMap<JobKind, DateTime<Utc>>>,
    /// The job's `run_asked` count when this workstation last answered it or found the job held
    /// elsewhere: the same ask does not make it try for the lease on every call.
    asked_seen: Mutex<BTreeMap<JobKind, u64>>,
}

impl Jobs {
    /// Items whose stock moved since the last stock sync run (and forgets them).
    pub fn take_moved_items(&self) -> BTreeSet<String> {
        std::mem::take(&mut *self.moved.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts items back (a run that could not publish them).
    pub fn return_moved_items(&self, items: BTreeSet<String>) {
        self.moved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(items);
    }

    fn has_moved_items(&self) -> bool {
        !self
            .moved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    fn due_at(&self, kind: JobKind) -> Option<DateTime<Utc>> {
        self.due
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&kind)
            .copied()
    }

    fn set_due(&self, kind: JobKind, at: DateTime<Utc>) {
        self.due
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(kind, at);
    }

    fn asked_seen(&self, kind: JobKind) -> u64 {
        self.asked_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&kind)
            .copied()
            .unwrap_or(0)
    }

    fn set_asked_seen(&self, kind: JobKind, asked: u64) {
        self.asked_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(kind, asked);
    }

    /// Makes a job due at once on this workstation (after Start).
    pub fn wake(&self, kind: JobKind) {
        self.due
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&kind);
    }
}

struct RunningGuard<'a>(&'a AtomicBool);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Why a started job does not run on this workstation now, or `None` when it may.
fn blocked_here(kind: JobKind, settings: &Settings) -> Option<String> {
    if !settings.enabled {
        return Some("the WooCommerce integration is turned off".into());
    }
    match kind {
        JobKind::StockSync if !settings.stock_sync_on_this_client => {
            Some("\"Enable stock sync on this client\" is off on this workstation".into())
        }
        JobKind::StockSync if settings.stock_locations().is_empty() => {
            Some("no QBM location is chosen for stock (Options → Inventory Sync)".into())
        }
        JobKind::OrderPolling if !settings.allow_import_orders => {
            Some("\"Allow importing WooCommerce orders\" is off".into())
        }
        JobKind::OrderPolling if !settings.order_polling_enabled => {
            Some("\"Enable automatic WooCommerce order polling\" is off".into())
        }
        _ => None,
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `run_due_jobs`: runs what is due and says when to call again.
pub fn run_due(plugin: &Plugin) -> CoreResult<(Value, u64)> {
    let jobs = plugin.jobs();
    if jobs.running.swap(true, Ordering::AcqRel) {
        return Err(CoreError::Busy(
            "background jobs are already running on this instance".into(),
        ));
    }
    let _guard = RunningGuard(&jobs.running);
    let values = plugin.option_values()?;
    let settings = values.settings();
    let workstation = plugin.host().identity()?.workstation;
    let mut entries = Vec::new();
    let mut next_due: Option<DateTime<Utc>> = None;
    for kind in JobKind::ALL {
        let now = plugin.clock().now();
        let job = load_state(plugin, kind)?;
        if !job.started {
            // A turn this workstation still holds is given back (Stop was pressed elsewhere).
            lease::release(plugin.host(), kind.id(), &workstation)?;
            let message = match &job.stopped_reason {
                Some(reason) => format!("{} was stopped by the plugin: {reason}", kind.label()),
                None => format!("{} is not started", kind.label()),
            };
            entries.push(
                json!({"job": kind.id(), "ran": false, "status": "stopped", "message": message}),
            );
            continue;
        }
        if let Some(reason) = blocked_here(kind, &settings) {
            // Another workstation where it may run need not wait for this one's turn to expire.
            lease::release(plugin.host(), kind.id(), &workstation)?;
            entries.push(json!({"job": kind.id(), "ran": false, "status": "idle",
                "message": format!("{} is started but does not run on this workstation: {reason}", kind.label())}));
            continue;
        }
        let asked = job.run_asked > job.run_asked_done.max(jobs.asked_seen(kind));
        let due = jobs.due_at(kind).unwrap_or(now);
        let due_now = due <= now || asked;
        // Stock the host reported moved is published at once, unless the last run failed (then
        // the interval applies, so a failing store is not asked again in a loop).
        let early = !due_now
            && kind == JobKind::StockSync
            && jobs.has_moved_items()
            && job.failure_streak == 0;
        if !due_now && !early {
            next_due = Some(next_due.map_or(due, |n| n.min(due)));
            entries.push(json!({"job": kind.id(), "ran": false, "status": "waiting",
                "message": format!("next run at {}", when(due)), "next_run": due}));
            continue;
        }
        let held = lease::acquire(
            plugin.host(),
            kind.id(),
            &workstation,
            now,
            kind.lease_ttl(&settings, plugin.timeouts().action_deadline),
        )?;
        match &held {
            lease::LeaseOutcome::HeldBy(holder) => {
                jobs.set_asked_seen(kind, job.run_asked);
                let retry = now + kind.interval(&settings);
                jobs.set_due(kind, retry);
                next_due = Some(next_due.map_or(retry, |n| n.min(retry)));
                entries.push(json!({"job": kind.id(), "ran": false, "status": "held_elsewhere",
                    "message": format!("{} is running on {} since {}", kind.label(), holder.workstation, when(holder.since)),
                    "holder": holder.workstation}));
                continue;
            }
            lease::LeaseOutcome::TakenOver { from } => plugin.log().warn(
                kind.category(),
                &format!(
                    "{}: {} stopped renewing its turn (last seen until {}); this workstation ({workstation}) takes over",
                    kind.label(),
                    from.workstation,
                    when(from.expires)
                ),
            ),
            _ => {}
        }
        let started = plugin.clock().now();
        let report = run_cycle(
            plugin,
            kind,
            &settings,
            early,
            job.changed_at.unwrap_or(started),
        );
        let ended = plugin.clock().now();
        record_run(
            plugin,
            kind,
            &workstation,
            started,
            ended,
            &report,
            job.run_asked,
        )?;
        jobs.set_asked_seen(kind, job.run_asked);
        // An early run for moved stock leaves the interval's run where it was.
        let next = if early {
            due
        } else {
            ended + kind.interval(&settings)
        };
        jobs.set_due(kind, next);
        next_due = Some(next_due.map_or(next, |n| n.min(next)));
        entries.push(json!({
            "job": kind.id(),
            "ran": true,
            "status": match report.outcome {
                RunOutcome::Completed => "completed",
                RunOutcome::CompletedWithFailures => "completed_with_failures",
                RunOutcome::Failed => "failed",
            },
            "message": report.full_message(),
            "requests": report.requests,
            "retries": report.retries,
            "slow_downs": report.slow_downs,
            "pauses": report.pauses,
            "counts": report.counts,
            "next_run": next,
        }));
    }
    let now = plugin.clock().now();
    let wait_ms = next_due
        .map(|due| (due - now).num_milliseconds().max(0) as u64)
        .unwrap_or(QBM_WC_MAX_JOB_WAIT_MS)
        .min(QBM_WC_MAX_JOB_WAIT_MS);
    // Stock reported moved during this call is due at once (the run above already took what
    // was reported before it).
    let stock_runs_here = load_state(plugin, JobKind::StockSync)
        .map(|job| job.started && job.failure_streak == 0)
        .unwrap_or(false)
        && blocked_here(JobKind::StockSync, &settings).is_none();
    let wait_ms = if jobs.has_moved_items() && stock_runs_here {
        0
    } else {
        wait_ms
    };
    Ok((
        json!({"schema": "qbm.wc.jobs-report/1", "jobs": entries, "next_due_ms": wait_ms}),
        wait_ms,
    ))
}

/// A store error after which running again is pointless until someone fixes it: the key was
/// revoked or lost its write permission, or the address no longer leads to a WooCommerce store.
pub fn stops_the_job(kind: crate::woo::WooErrorKind) -> bool {
    use crate::woo::WooErrorKind as K;
    matches!(
        kind,
        K::UnknownKey
            | K::WrongSecret
            | K::ReadOnlyKey
            | K::NotWordPress
            | K::WooCommerceMissing
            | K::PlainPermalinks
    )
}

/// A failure after which running again is pointless until someone fixes it.
fn stop_reason(err: &CoreError) -> Option<String> {
    match err {
        CoreError::Store(store) if stops_the_job(store.kind()) => Some(err.to_string()),
        CoreError::NotConfigured(_) => Some(err.to_string()),
        _ => None,
    }
}

/// One run of `kind`. `early`: a stock sync run for the items the host reported moved, ahead of
/// the interval; `started_at`: when the job was started (the first polling run looks back from
/// it). A failure becomes a failed run, with the store requests it cost.
fn run_cycle(
    plugin: &Plugin,
    kind: JobKind,
    settings: &Settings,
    early: bool,
    started_at: DateTime<Utc>,
) -> CycleReport {
    let failed = |err: CoreError| CycleReport {
        outcome: RunOutcome::Failed,
        message: err.to_string(),
        stop: stop_reason(&err),
        ..CycleReport::default()
    };
    let call = match plugin.calls.register(0) {
        Ok(call) => call,
        Err(err) => return failed(err),
    };
    let allowed = plugin.timeouts().action_deadline;
    let run = JobRun {
        plugin,
        settings,
        cancel: call.cancel.clone(),
        deadline: std::time::Instant::now() + allowed,
        timed_out: std::sync::atomic::AtomicBool::new(false),
        requests: Arc::default(),
    };
    let before = run.stats();
    let result = match kind {
        JobKind::OrderPolling => super::actions::polling::cycle(&run, started_at),
        JobKind::StockSync => super::actions::stock_sync::cycle(&run, early),
    };
    // Stopped by the deadline: say so, not "cancelled".
    let result = match result {
        Err(_) if run.timed_out.load(std::sync::atomic::Ordering::SeqCst) => Err(CoreError::Store(
            crate::woo::WooError::new(crate::woo::WooErrorKind::Timeout)
                .with_request(format!("the {} run", kind.label()))
                .with_timeout(allowed),
        )),
        other => other,
    };
    let mut report = result.unwrap_or_else(failed);
    let after = run.stats();
    report.requests = run.requests.total();
    report.retries = run.requests.retries();
    report.slow_downs = after.slow_downs.saturating_sub(before.slow_downs);
    report.pauses = after.pauses.saturating_sub(before.pauses);
    report
}

fn record_run(
    plugin: &Plugin,
    kind: JobKind,
    workstation: &str,
    started: DateTime<Utc>,
    ended: DateTime<Utc>,
    report: &CycleReport,
    asked: u64,
) -> CoreResult<()> {
    let failed = report.outcome == RunOutcome::Failed;
    let job = update_state(plugin, kind, |job| {
        job.last_run = Some(LastRun {
            started,
            ended,
            workstation: workstation.to_string(),
            outcome: report.outcome,
            message: report.full_message(),
        });
        job.failure_streak = if failed { job.failure_streak + 1 } else { 0 };
        job.run_asked_done = job.run_asked_done.max(asked);
        if let Some(reason) = &report.stop {
            job.started = false;
            job.stopped_reason = Some(reason.clone());
            job.changed_by = format!("the plugin on {workstation}");
            job.changed_at = Some(ended);
        }
    })?;
    let log = plugin.log();
    // The warnings are logged by the engine once until they change, not with every run.
    let line = format!("{} run: {}", kind.label(), report.message);
    match report.outcome {
        RunOutcome::Completed => log.info(kind.category(), &line),
        RunOutcome::CompletedWithFailures => log.warn(kind.category(), &line),
        RunOutcome::Failed => log.error(kind.category(), &line),
    }
    if let Some(reason) = &report.stop {
        let text = format!(
            "WooCommerce {} stopped itself: {reason}. Fix the cause, then start it again in Options.",
            kind.label().to_lowercase()
        );
        log.error(kind.category(), &text);
        plugin.host().notify(Level::Error, &text);
        lease::release(plugin.host(), kind.id(), workstation)?;
    } else if failed && job.failure_streak == 1 {
        plugin.host().notify(
            Level::Warn,
            &format!(
                "WooCommerce {} failed: {} (further failures are only logged until a run succeeds)",
                kind.label().to_lowercase(),
                report.message
            ),
        );
    }
    journal::record(
        plugin.host(),
        RunRecord {
            id: 0,
            what: kind.id().to_string(),
            automatic: true,
            user: String::new(),
            workstation: workstation.to_string(),
            started,
            ended,
            outcome: match report.outcome {
                RunOutcome::Completed => RunEnd::Completed,
                RunOutcome::CompletedWithFailures => RunEnd::CompletedWithFailures,
                RunOutcome::Failed => RunEnd::Failed,
            },
            counts: report.counts.clone(),
            requests: report.requests,
            message: report.full_message(),
        },
    )?;
    Ok(())
}

/// `stock_changed`: remembers the items and asks the host for an early run. Calls nothing on
/// the host except `request_run`.
pub fn stock_changed(plugin: &Plugin, json: &str) -> CoreResult<()> {
    #[derive(Deserialize)]
    struct Moved {
        #[serde(with = "crate::host_port::host_id::list")]
        item_ids: Vec<String>,
    }
    let moved: Moved = serde_json::from_str(json).map_err(|err| {
        CoreError::InvalidJson(format!(
            "stock_changed expects {{\"item_ids\": [\"7\", …]}}: {err}"
        ))
    })?;
    if moved.item_ids.is_empty() {
        return Ok(());
    }
    plugin
        .jobs()
        .moved
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .extend(moved.item_ids);
    plugin.host().request_run();
    Ok(())
}

/// Start or Stop from Options.
pub fn set_started(
    plugin: &Plugin,
    kind: JobKind,
    started: bool,
    who: &str,
) -> CoreResult<JobState> {
    let now = plugin.clock().now();
    let job = update_state(plugin, kind, |job| {
        job.started = started;
        job.changed_by = who.to_string();
        job.changed_at = Some(now);
        if started {
            job.stopped_reason = None;
            job.failure_streak = 0;
        }
    })?;
    if started {
        plugin.jobs().wake(kind);
        plugin.host().request_run();
    } else if let Ok(identity) = plugin.host().identity() {
        lease::release(plugin.host(), kind.id(), &identity.workstation)?;
    }
    Ok(job)
}

/// Asks for a run of a started job now, ahead of its interval (Start pressed while the job is
/// started). The ask is company state: the workstation that runs the job answers it at its next
/// `run_due_jobs` call, whichever workstation asked; this one is woken at once.
pub fn ask_run(plugin: &Plugin, kind: JobKind) -> CoreResult<JobState> {
    let job = update_state(plugin, kind, |job| job.run_asked += 1)?;
    plugin.jobs().wake(kind);
    plugin.host().request_run();
    Ok(job)
}

/// One line for Options: started or not, where it runs, the last run and its result.
pub fn status_line(plugin: &Plugin, kind: JobKind, settings: &Settings) -> CoreResult<String> {
    let job = load_state(plugin, kind)?;
    let mut parts = Vec::new();
    if job.started {
        parts.push("Started".to_string());
        match lease::holder(plugin.host(), kind.id())? {
            Some(holder) if holder.expires > plugin.clock().now() => parts.push(format!(
                "running on {} since {}",
                holder.workstation,
                when(holder.since)
            )),
            _ => parts.push(match blocked_here(kind, settings) {
                Some(reason) => format!("not running here: {reason}"),
                None => "waiting for a workstation to run it".to_string(),
            }),
        }
        if job.run_asked_open() {
            parts.push("a run was asked for".to_string());
        }
    } else {
        parts.push(match &job.stopped_reason {
            Some(reason) => format!("Stopped by the plugin: {reason}"),
            None => "Stopped".to_string(),
        });
    }
    if let Some(run) = &job.last_run {
        parts.push(format!(
            "last run {} on {}: {}",
            when(run.ended),
            run.workstation,
            run.message
        ));
        if job.started {
            parts.push(format!(
                "next run about {}",
                when(run.ended + kind.interval(settings))
            ));
        }
    }
    Ok(parts.join("; "))
}

/// The read-only option values: the last order sync point and the two status lines.
pub fn read_only_values(plugin: &Plugin, settings: &Settings) -> BTreeMap<&'static str, Value> {
    let mut values = BTreeMap::new();
    let last_sync = crate::sync::engine::polling::last_order_sync(plugin.host())
        .ok()
        .flatten();
    values.insert(
        keys::LAST_ORDER_SYNC,
        last_sync.map_or(Value::Null, |at| {
            Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        }),
    );
    for (key, kind) in [
        (keys::STOCK_SYNC_STATUS, JobKind::StockSync),
        (keys::ORDER_POLLING_STATUS, JobKind::OrderPolling),
    ] {
        let line = status_line(plugin, kind, settings).unwrap_or_else(|err| err.to_string());
        values.insert(key, Value::String(line));
    }
    values
}

#[cfg(test)]
mod tests {
    use super::lease_ttl;
    use chrono::Duration;

    #[test]
    fn a_lease_outlasts_three_intervals_ten_minutes_and_two_run_deadlines() {
        let minutes = |m: u64| std::time::Duration::from_secs(m * 60);
        assert_eq!(
            lease_ttl(Duration::minutes(1), minutes(5)),
            Duration::minutes(10)
        );
        assert_eq!(
            lease_ttl(Duration::minutes(15), minutes(5)),
            Duration::minutes(45)
        );
        assert_eq!(
            lease_ttl(Duration::minutes(1), minutes(60)),
            Duration::minutes(120)
        );
    }
}
