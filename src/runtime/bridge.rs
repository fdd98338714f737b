//! Host threads wait; plugin threads do the I/O.
//!
//! A [`Bridge`] owns one plugin thread (the driver), started without touching the calling
//! thread's thread-locals, which builds the tokio runtime and spawns onto it the futures host
//! threads hand over. A host thread waits on a plain mutex and condition variable (no runtime
//! state, no thread-local values) until the future's result arrives, handling the progress it
//! reports on the way: those reports are where host callbacks happen, on the host thread.
//!
//! No lock of the bridge is held while the waiting thread runs its handler, so the handler may
//! call the host, and the host may call back into the plugin.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::FutureExt as _;

use crate::ffi::os_thread::{self, PluginThread};

/// How long `destroy` lets running I/O finish before the runtime is torn down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How often a waiting host thread wakes up even when nothing arrived (to flush the log).
const WAKE_INTERVAL: Duration = Duration::from_millis(200);

type Job = Box<dyn FnOnce(&tokio::runtime::Handle) + Send>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a handed-over future gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    #[error("the plugin's network threads could not be started: {0}")]
    Start(String),
    #[error("internal error in the WooCommerce plugin (a network task panicked: {0})")]
    Panicked(String),
    #[error("the plugin is shutting down; the operation was abandoned")]
    ShuttingDown,
}

#[derive(Default)]
struct DriverState {
    jobs: VecDeque<Job>,
    stop: bool,
    started: Option<Result<(), String>>,
}

struct Driver {
    state: Mutex<DriverState>,
    changed: Condvar,
}

/// The plugin's I/O runtime, reachable from host threads.
pub struct Bridge {
    driver: Arc<Driver>,
    thread: Mutex<Option<PluginThread>>,
}

impl Bridge {
    /// Starts the driver thread and its runtime with `workers` worker threads.
    pub fn start(workers: usize) -> Result<Bridge, BridgeError> {
        let driver = Arc::new(Driver {
            state: Mutex::new(DriverState::default()),
            changed: Condvar::new(),
        });
        let inside = Arc::clone(&driver);
        let thread = os_thread::spawn("qbm-wc-driver", move || drive(&inside, workers))
            .map_err(|err| BridgeError::Start(err.to_string()))?;
        let mut state = lock(&driver.state);
        while state.started.is_none() {
            state = driver
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let started = state.started.clone().unwrap_or(Ok(()));
        drop(state);
        let bridge = Bridge {
            driver,
            thread: Mutex::new(Some(thread)),
        };
        started.map_err(BridgeError::Start)?;
        Ok(bridge)
    }

    fn submit(&self, job: Job) -> Result<(), BridgeError> {
        let mut state = lock(&self.driver.state);
        if state.stop {
            return Err(BridgeError::ShuttingDown);
        }
        state.jobs.push_back(job);
        drop(state);
        self.driver.changed.notify_all();
        Ok(())
    }

    /// Runs the future `make(reporter)` on the plugin's threads and waits for it on this (host)
    /// thread, calling `waiting` for every progress report and periodically in between.
    pub fn run_reporting<T, F>(
        &self,
        make: impl FnOnce(Reporter) -> F,
        waiting: &mut dyn FnMut(Waiting),
    ) -> Result<T, BridgeError>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let mailbox = Arc::new(Mailbox::<T>::new());
        let reporter = Reporter {
            sink: Arc::clone(&mailbox) as Arc<dyn EventSink>,
        };
        let future = make(reporter);
        let inside = Arc::clone(&mailbox);
        self.submit(Box::new(move |handle| {
            handle.spawn(async move {
                // Reports "abandoned" if the runtime drops the task before it finishes; after a
                // result it changes nothing (the first outcome wins).
                let _guard = AbandonGuard(Arc::clone(&inside));
                let outcome = AssertUnwindSafe(future).catch_unwind().await;
                match outcome {
                    Ok(value) => inside.finish(Finished::Value(value)),
                    Err(payload) => inside.finish(Finished::Panicked(panic_text(&payload))),
                }
            });
        }))?;
        mailbox.wait(waiting)
    }

    /// Stops the runtime (letting running I/O end for a short while) and the driver thread.
    pub fn shutdown(&self) {
        {
            let mut state = lock(&self.driver.state);
            state.stop = true;
        }
        self.driver.changed.notify_all();
        if let Some(thread) = lock(&self.thread).take() {
            thread.join();
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn drive(driver: &Driver, workers: usize) {
    // The runtime's threads that have started and not yet stopped.
    let running = Arc::new(AtomicUsize::new(0));
    let (started, stopped) = (Arc::clone(&running), Arc::clone(&running));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .thread_name("qbm-wc-io")
        .on_thread_start(move || {
            started.fetch_add(1, Ordering::SeqCst);
        })
        .on_thread_stop(move || {
            stopped.fetch_sub(1, Ordering::SeqCst);
        })
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(runtime) => {
            lock(&driver.state).started = Some(Ok(()));
            driver.changed.notify_all();
            runtime
        }
        Err(err) => {
            lock(&driver.state).started = Some(Err(err.to_string()));
            driver.changed.notify_all();
            return;
        }
    };
    loop {
        let mut state = lock(&driver.state);
        while state.jobs.is_empty() && !state.stop {
            state = driver
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.stop {
            state.jobs.clear();
            break;
        }
        let jobs: Vec<Job> = state.jobs.drain(..).collect();
        drop(state);
        for job in jobs {
            job(runtime.handle());
        }
    }
    let shutting_down = std::time::Instant::now();
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    // Within the grace period every thread was joined. Past it, one may still run this
    // library's code: the library must then stay loaded after the host unloads it.
    if shutting_down.elapsed() >= SHUTDOWN_GRACE || running.load(Ordering::SeqCst) > 0 {
        crate::ffi::keep_loaded::keep_loaded();
    }
}

fn panic_text(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "no message".to_string()
    }
}

/// What a waiting host thread is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// The work reported progress.
    Progress(Progress),
    /// Nothing new arrived for a while.
    Idle,
}

/// A progress report: `done` of `total` steps (`total` 0 when unknown) and what is happening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub message: String,
}

trait EventSink: Send + Sync {
    fn push(&self, event: Waiting);
}

/// Handed to async work so it can report progress to the waiting host thread. Cheap to clone;
/// never blocks and never calls the host itself.
#[derive(Clone)]
pub struct Reporter {
    sink: Arc<dyn EventSink>,
}

impl Reporter {
    pub fn report(&self, done: u64, total: u64, message: impl Into<String>) {
        self.sink.push(Waiting::Progress(Progress {
            done,
            total,
            message: message.into(),
        }));
    }
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reporter")
    }
}

enum Finished<T> {
    Value(T),
    Panicked(String),
    Abandoned,
}

struct MailState<T> {
    events: VecDeque<Waiting>,
    finished: Option<Finished<T>>,
    /// The waiting thread took the outcome; later ones are ignored.
    delivered: bool,
}

struct Mailbox<T> {
    state: Mutex<MailState<T>>,
    changed: Condvar,
}

impl<T> Mailbox<T> {
    fn new() -> Self {
        Self {
            state: Mutex::new(MailState {
                events: VecDeque::new(),
                finished: None,
                delivered: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn finish(&self, finished: Finished<T>) {
        let mut state = lock(&self.state);
        if state.finished.is_none() && !state.delivered {
            state.finished = Some(finished);
        }
        drop(state);
        self.changed.notify_all();
    }

    fn wait(&self, waiting: &mut dyn FnMut(Waiting)) -> Result<T, BridgeError> {
        loop {
            let mut state = lock(&self.state);
            if state.events.is_empty() && state.finished.is_none() {
                state = self
                    .changed
                    .wait_timeout(state, WAKE_INTERVAL)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            let events: Vec<Waiting> = state.events.drain(..).collect();
            let finished = state.finished.take();
            state.delivered = finished.is_some();
            drop(state);
            // The handler runs without any lock held: it may call the host.
            if events.is_empty() && finished.is_none() {
                waiting(Waiting::Idle);
            }
            for event in events {
                waiting(event);
            }
            match finished {
                Some(Finished::Value(value)) => return Ok(value),
                Some(Finished::Panicked(text)) => return Err(BridgeError::Panicked(text)),
                Some(Finished::Abandoned) => return Err(BridgeError::ShuttingDown),
                None => {}
            }
        }
    }
}

impl<T: Send> EventSink for Mailbox<T> {
    fn push(&self, event: Waiting) {
        let mut state = lock(&self.state);
        // Only the newest progress matters to a person watching; keep the queue short.
        if let (Some(Waiting::Progress(_)), Waiting::Progress(_)) = (state.events.back(), &event) {
            state.events.pop_back();
        }
        state.events.push_back(event);
        drop(state);
        self.changed.notify_all();
    }
}

struct AbandonGuard<T>(Arc<Mailbox<T>>);

impl<T> Drop for AbandonGuard<T> {
    fn drop(&mut self) {
        self.0.finish(Finished::Abandoned);
    }
}

#[cfg(test)]
impl Bridge {
    fn run<T, F>(&self, future: F, waiting: &mut dyn FnMut(Waiting)) -> Result<T, BridgeError>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        self.run_reporting(|_| future, waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_and_progress_arrive_on_the_waiting_thread() {
        let bridge = Bridge::start(1).unwrap();
        let waiter = std::thread::current().id();
        let mut seen = Vec::new();
        let value = bridge
            .run_reporting(
                |reporter| async move {
                    reporter.report(1, 2, "half");
                    tokio::task::yield_now().await;
                    std::thread::current().id()
                },
                &mut |event| {
                    assert_eq!(std::thread::current().id(), waiter);
                    if let Waiting::Progress(p) = event {
                        seen.push(p.done);
                    }
                },
            )
            .unwrap();
        assert_ne!(value, waiter, "the future ran on a plugin thread");
        assert!(seen.iter().all(|d| *d == 1));
    }

    #[test]
    fn a_panicking_task_is_reported_not_hung() {
        let bridge = Bridge::start(1).unwrap();
        let result: Result<(), _> = bridge.run(async { panic!("boom") }, &mut |_| {});
        assert_eq!(result, Err(BridgeError::Panicked("boom".into())));
        assert_eq!(bridge.run(async { 7 }, &mut |_| {}), Ok(7));
    }

    #[test]
    fn work_after_shutdown_is_refused() {
        let bridge = Bridge::start(1).unwrap();
        bridge.shutdown();
        assert_eq!(
            bridge.run(async { 1 }, &mut |_| {}),
            Err(BridgeError::ShuttingDown)
        );
    }
}
