//! QBM's job thread: a host thread of its own that calls `run_due_jobs`, then waits as long as
//! the plugin said (`next_due_ms`, at most `QBM_WC_MAX_JOB_WAIT_MS`) or until the plugin asks for
//! an early run with `request_run`; and QBM's stock module, which tells the plugin when on-hand
//! moves ([`StockWatch`]).

use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use qbm_woocommerce::ffi::abi::QBM_WC_MAX_JOB_WAIT_MS;

use crate::loader::{JobsReport, PluginError};
use crate::session::Session;

/// Why a wait of the job thread ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The plugin called `request_run`.
    Requested,
    /// The job loop is to end.
    Stopped,
    /// The time the plugin asked for has passed.
    TimedOut,
}

#[derive(Default)]
struct SignalState {
    requested: bool,
    requests: u64,
    stopped: bool,
}

/// What `request_run` sets and the job thread waits on. `request` never blocks for longer than
/// it takes to set a flag, as the ABI requires of `request_run`.
#[derive(Default)]
pub struct RunSignal {
    state: Mutex<SignalState>,
    changed: Condvar,
}

impl RunSignal {
    fn state(&self) -> std::sync::MutexGuard<'_, SignalState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks for an early run.
    pub fn request(&self) {
        let mut state = self.state();
        state.requested = true;
        state.requests += 1;
        drop(state);
        self.changed.notify_all();
    }

    /// How many times an early run was asked for.
    pub fn requests(&self) -> u64 {
        self.state().requests
    }

    /// Ends the job loop waiting on this signal.
    pub fn stop(&self) {
        self.state().stopped = true;
        self.changed.notify_all();
    }

    /// Ready for a new loop, whose first call runs at once: earlier requests are answered by it.
    fn restart(&self) {
        let mut state = self.state();
        state.stopped = false;
        state.requested = false;
    }

    /// Waits up to `timeout` for a request or a stop; a request is used up by the wait it ends.
    pub fn wait(&self, timeout: Duration) -> Wake {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        loop {
            if state.stopped {
                return Wake::Stopped;
            }
            if state.requested {
                state.requested = false;
                return Wake::Requested;
            }
            let now = Instant::now();
            if now >= deadline {
                return Wake::TimedOut;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// One call of `run_due_jobs` made by the loop.
#[derive(Debug, Clone)]
pub struct JobRun {
    /// The thread it was made on (the loop's own).
    pub thread: ThreadId,
    pub result: Result<JobsReport, PluginError>,
}

/// How long the loop waits after a call that failed (or found jobs already running).
const AFTER_FAILURE: Duration = Duration::from_secs(5);

/// The job thread of a running QBM, calling `run_due_jobs` on the session's plugin instance.
pub struct JobLoop {
    session: Arc<Session>,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
    runs: Receiver<JobRun>,
}

impl JobLoop {
    /// Starts the job thread. Only one job loop may run per session's host at a time.
    pub fn start(session: Arc<Session>) -> std::io::Result<JobLoop> {
        Self::start_with(session, Duration::from_millis(QBM_WC_MAX_JOB_WAIT_MS))
    }

    /// Like [`JobLoop::start`], never waiting longer than `max_wait` between calls.
    pub fn start_with(session: Arc<Session>, max_wait: Duration) -> std::io::Result<JobLoop> {
        let signal = Arc::clone(session.host.run_signal());
        signal.restart();
        let (sender, runs) = mpsc::channel();
        let inside = Arc::clone(&session);
        let thread = std::thread::Builder::new()
            .name("qbm-jobs".into())
            .spawn(move || {
                loop {
                    let result = inside.plugin.run_due_jobs();
                    // A failure (or BUSY: another thread is running the jobs) is retried later.
                    let wait = match &result {
                        Ok(report) => Duration::from_millis(report.next_due_ms).min(max_wait),
                        Err(_) => AFTER_FAILURE.min(max_wait),
                    };
                    let run = JobRun {
                        thread: std::thread::current().id(),
                        result,
                    };
                    // Nobody listening any more is not a reason to stop running jobs.
                    let _ = sender.send(run);
                    if signal.wait(wait) == Wake::Stopped {
                        break;
                    }
                }
            })?;
        let thread_id = thread.thread().id();
        Ok(JobLoop {
            session,
            thread: Some(thread),
            thread_id,
            runs,
        })
    }

    /// The job thread's id.
    pub fn thread_id(&self) -> ThreadId {
        self.thread_id
    }

    /// The next call the loop made, waiting up to `timeout` for it.
    pub fn next_run(&self, timeout: Duration) -> Option<JobRun> {
        self.runs.recv_timeout(timeout).ok()
    }

    /// Waits up to `timeout` for a call whose report satisfies `wanted`, passing over others.
    pub fn run_where(
        &self,
        timeout: Duration,
        mut wanted: impl FnMut(&JobRun) -> bool,
    ) -> Option<JobRun> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let run = self.next_run(left)?;
            if wanted(&run) {
                return Some(run);
            }
        }
    }

    /// Ends the loop (after the call it is in, if any) and waits for the thread.
    pub fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        self.session.host.run_signal().stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for JobLoop {
    fn drop(&mut self) {
        self.finish();
    }
}

/// QBM's stock module as the plugin sees it: every movement of on-hand in the company — a sale at
/// the till in this QBM, a goods receipt on another workstation, `host-sim stock set` in another
/// process — is reported to the plugin with `stock_changed`, which asks the job thread for an
/// early run. It reads the company's movement list (one indexed query) every `every`; QBM itself
/// would report at the moment it books the movement.
pub struct StockWatch {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl StockWatch {
    /// Starts watching from the movements the company has now: only later ones are reported.
    pub fn start(session: Arc<Session>, every: Duration) -> anyhow::Result<StockWatch> {
        let company = Arc::clone(session.company());
        // No location: the answer is only the cursor after the last movement.
        let (mut cursor, _) = company.stock_changes(None, None, &[])?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("qbm-stock".into())
            .spawn(move || {
                let (flag, changed) = &*stopped;
                let mut done = flag.lock().unwrap_or_else(PoisonError::into_inner);
                loop {
                    done = changed
                        .wait_timeout(done, every)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                    if *done {
                        return;
                    }
                    let moved = company.locations().and_then(|locations| {
                        let ids: Vec<String> = locations.into_iter().map(|l| l.id).collect();
                        company.stock_changes(Some(&cursor), None, &ids)
                    });
                    match moved {
                        Ok((next, items)) => {
                            cursor = next;
                            if !items.is_empty()
                                && let Err(err) = session.stock_changed(items)
                            {
                                eprintln!("stock_changed failed: {err}");
                            }
                        }
                        Err(err) => eprintln!("the stock movements could not be read: {err}"),
                    }
                }
            })?;
        Ok(StockWatch {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops watching and waits for the thread.
    pub fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        let (flag, changed) = &*self.stop;
        *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
        changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for StockWatch {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The jobs of a `qbm.wc.jobs-report/1` document: `(job, status, message)` and the rest.
pub fn entries(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["jobs"].as_array().into_iter().flatten().collect()
}

/// One line for a job entry of a report: what ran and how it went, or why it did not run
/// (naming the workstation that holds the job).
pub fn describe(entry: &serde_json::Value) -> String {
    let job = entry["job"].as_str().unwrap_or("?");
    let status = entry["status"].as_str().unwrap_or("?");
    let message = entry["message"].as_str().unwrap_or("");
    match status {
        "held_elsewhere" => format!(
            "{job}: held by workstation {}: {message}",
            entry["holder"].as_str().unwrap_or("?")
        ),
        _ if entry["ran"] == true => {
            let mut cost = format!("{} store requests", entry["requests"].as_u64().unwrap_or(0));
            for (key, what) in [
                ("retries", "retried"),
                ("slow_downs", "slowed down for the store"),
                ("pauses", "paused for the store's Retry-After"),
            ] {
                match entry[key].as_u64().unwrap_or(0) {
                    0 => {}
                    1 => cost.push_str(&format!(", {what} once")),
                    n => cost.push_str(&format!(", {what} {n} times")),
                }
            }
            format!("{job}: {status}: {message} ({cost})")
        }
        _ => format!("{job}: {status}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_ends_one_wait_and_a_stop_every_wait() {
        let signal = Arc::new(RunSignal::default());
        assert_eq!(signal.wait(Duration::ZERO), Wake::TimedOut);
        signal.request();
        assert_eq!(signal.wait(Duration::from_secs(60)), Wake::Requested);
        assert_eq!(signal.wait(Duration::ZERO), Wake::TimedOut, "used up");
        let waiter = {
            let signal = Arc::clone(&signal);
            std::thread::spawn(move || signal.wait(Duration::from_secs(600)))
        };
        signal.stop();
        assert_eq!(waiter.join().unwrap(), Wake::Stopped);
        assert_eq!(signal.requests(), 1);
    }

    #[test]
    fn entries_are_described_in_one_line_each() {
        let held = serde_json::json!({"job": "stock_sync", "ran": false, "status": "held_elsewhere",
            "message": "Stock sync is running on WS-02 since …", "holder": "WS-02"});
        assert!(describe(&held).contains("held by workstation WS-02"));
        let ran = serde_json::json!({"job": "order_polling", "ran": true, "status": "failed",
            "message": "no store", "requests": 0});
        assert_eq!(
            describe(&ran),
            "order_polling: failed: no store (0 store requests)"
        );
        let slowed = serde_json::json!({"job": "stock_sync", "ran": true, "status": "completed",
            "message": "1 pushed", "requests": 3, "retries": 1, "pauses": 1, "slow_downs": 0});
        assert_eq!(
            describe(&slowed),
            "stock_sync: completed: 1 pushed (3 store requests, retried once, paused for the store's Retry-After once)"
        );
    }
}
