//! How many requests a client keeps in flight: an adaptive limit shared by every request of one
//! client, so a big store is read quickly while a struggling one is given air.
//!
//! WooCommerce has no rate limit of its own; the limit is the store's PHP workers, and hosts
//! and firewalls in front of it answer 429/503 or slow down when it is reached. The client
//! starts at a small limit, adds one request after a run of healthy answers, halves on a sign
//! of overload (429, 5xx, timeouts, a sharp rise in latency) and never leaves `1..=max`. A 429
//! with `Retry-After` pauses every request of the client, not only the one that got it.
//!
//! [`next_limit`] is the pure decision, table-tested like [`super::retry::decide`]; [`Limiter`]
//! holds the shared state and hands out permits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::cancel::CancelToken;

/// Requests in flight when a client starts.
pub const DEFAULT_INITIAL_CONCURRENCY: usize = 4;
/// The most requests in flight a client ever allows by default: shared hosting often runs only
/// a handful of PHP workers, and a sync must not take all of them from the shop's customers.
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;
/// Healthy answers in a row, per request of the current limit, before the limit grows by one:
/// at a limit of 4, eight healthy answers.
pub const GROWTH_STREAK_PER_SLOT: u32 = 2;
/// A healthy answer this many times slower than usual for its route is a sign of overload …
pub const LATENCY_FACTOR: u32 = 3;
/// … provided it is also at least this much slower (small answers vary a lot in relative terms).
pub const LATENCY_MIN_RISE: Duration = Duration::from_secs(2);

/// Bounds of the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Limit at start (clamped to `1..=max`).
    pub initial: usize,
    /// Ceiling.
    pub max: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            initial: DEFAULT_INITIAL_CONCURRENCY,
            max: DEFAULT_MAX_CONCURRENCY,
        }
    }
}

/// What an attempt told about the store's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// An answer (success or a definitive refusal) after `latency`; `baseline` is the usual
    /// latency of the same route, when known.
    Answered {
        /// Time from sending to the end of the answer.
        latency: Duration,
        /// Usual latency of this route.
        baseline: Option<Duration>,
    },
    /// 429, a retryable 5xx, a timeout or a connection broken mid-answer.
    Overloaded,
    /// Nothing about load (refused connection, TLS, redirect, cancelled).
    Neutral,
}

/// The limiter's decision state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitState {
    /// Requests allowed in flight.
    pub limit: usize,
    /// Healthy answers since the last change.
    pub streak: u32,
    /// Incremented on every slow-down; a request started under an older epoch was sent at a
    /// higher limit, so its failure has already been answered.
    pub epoch: u64,
}

impl LimitState {
    /// The state at start.
    pub fn new(settings: LimitSettings) -> LimitState {
        LimitState {
            limit: settings.initial.clamp(1, settings.max.max(1)),
            streak: 0,
            epoch: 0,
        }
    }
}

/// What [`next_limit`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing.
    Unchanged,
    /// One more request allowed.
    Grew,
    /// The limit was halved (or stayed at 1 while the store still struggles).
    SlowedDown,
}

/// The next state after an attempt that was started in `started_epoch` ended with `signal`.
pub fn next_limit(
    state: LimitState,
    started_epoch: u64,
    signal: Signal,
    settings: LimitSettings,
) -> (LimitState, Change) {
    let max = settings.max.max(1);
    let slow_down = |s: LimitState| {
        if started_epoch != s.epoch {
            // Sent before the last slow-down: the store's trouble was already answered.
            return (s, Change::Unchanged);
        }
        (
            LimitState {
                limit: (s.limit / 2).max(1),
                streak: 0,
                epoch: s.epoch + 1,
            },
            Change::SlowedDown,
        )
    };
    match signal {
        Signal::Neutral => (state, Change::Unchanged),
        Signal::Overloaded => slow_down(state),
        Signal::Answered { latency, baseline } => {
            let sharp_rise = baseline.is_some_and(|b| {
                latency > b.saturating_mul(LATENCY_FACTOR) && latency > b + LATENCY_MIN_RISE
            });
            if sharp_rise {
                return slow_down(state);
            }
            let streak = state.streak + 1;
            if state.limit < max && streak >= GROWTH_STREAK_PER_SLOT * state.limit as u32 {
                (
                    LimitState {
                        limit: state.limit + 1,
                        streak: 0,
                        epoch: state.epoch,
                    },
                    Change::Grew,
                )
            } else {
                (
                    LimitState {
                        streak: if state.limit >= max { 0 } else { streak },
                        ..state
                    },
                    Change::Unchanged,
                )
            }
        }
    }
}

/// Usual latency of a route: an exponentially weighted average that follows slow drifts but
/// not single outliers.
pub fn update_baseline(previous: Option<Duration>, latency: Duration) -> Duration {
    match previous {
        None => latency,
        Some(b) => (b * 4 + latency) / 5,
    }
}

/// A snapshot of the limiter's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimiterCounters {
    /// Current limit.
    pub limit: usize,
    /// The most requests that were in flight at once.
    pub max_in_flight: usize,
    /// How often the limit was lowered.
    pub slow_downs: u64,
    /// How often every request was paused for a `Retry-After`.
    pub pauses: u64,
}

/// Why no permit was handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The caller cancelled while waiting.
    Cancelled,
    /// The store asked every request to wait longer than the caller accepts.
    Paused(Duration),
}

#[derive(Debug)]
struct Shared {
    state: LimitState,
    in_flight: usize,
    max_in_flight: usize,
    paused_until: Option<Instant>,
    slow_downs: u64,
    pauses: u64,
    baselines: HashMap<String, Duration>,
}

/// The limit shared by every request of one client.
#[derive(Debug)]
pub(crate) struct Limiter {
    settings: LimitSettings,
    shared: Mutex<Shared>,
    changed: Notify,
}

/// A slot for one attempt; given back when dropped.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    limiter: &'a Limiter,
    epoch: u64,
}

impl Limiter {
    pub(crate) fn new(settings: LimitSettings) -> Limiter {
        Limiter {
            settings,
            shared: Mutex::new(Shared {
                state: LimitState::new(settings),
                in_flight: 0,
                max_in_flight: 0,
                paused_until: None,
                slow_downs: 0,
                pauses: 0,
                baselines: HashMap::new(),
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The ceiling: how many requests an operation may usefully prepare at once.
    pub(crate) fn ceiling(&self) -> usize {
        self.settings.max.max(1)
    }

    pub(crate) fn counters(&self) -> LimiterCounters {
        let s = self.lock();
        LimiterCounters {
            limit: s.state.limit,
            max_in_flight: s.max_in_flight,
            slow_downs: s.slow_downs,
            pauses: s.pauses,
        }
    }

    /// Waits for a slot (and for any pause the store asked for). A pause longer than
    /// `max_pause` is refused at once rather than slept through.
    pub(crate) async fn acquire(
        &self,
        cancel: Option<&CancelToken>,
        max_pause: Duration,
    ) -> Result<Permit<'_>, Refusal> {
        loop {
            // Registered before the state is checked, so a release in between is not missed.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let pause_until = {
                let mut s = self.lock();
                let now = Instant::now();
                match s.paused_until {
                    Some(until) if until > now => {
                        if until - now > max_pause {
                            return Err(Refusal::Paused(until - now));
                        }
                        Some(until)
                    }
                    _ => {
                        s.paused_until = None;
                        if s.in_flight < s.state.limit {
                            s.in_flight += 1;
                            s.max_in_flight = s.max_in_flight.max(s.in_flight);
                            return Ok(Permit {
                                limiter: self,
                                epoch: s.state.epoch,
                            });
                        }
                        None
                    }
                }
            };
            let wait = async {
                match pause_until {
                    Some(until) => tokio::time::sleep_until(until.into()).await,
                    None => changed.await,
                }
            };
            match cancel {
                Some(token) => {
                    tokio::select! {
                        () = wait => {}
                        () = token.cancelled() => return Err(Refusal::Cancelled),
                    }
                }
                None => wait.await,
            }
        }
    }

    /// Every request of the client waits `wait` from now (a longer pause already set stays).
    pub(crate) fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.lock();
        if s.paused_until.is_none_or(|u| u < until) {
            s.paused_until = Some(until);
            s.pauses += 1;
        }
    }

    /// Usual latency of `route`, when known.
    pub(crate) fn baseline(&self, route: &str) -> Option<Duration> {
        self.lock().baselines.get(route).copied()
    }

    fn record(&self, epoch: u64, route: &str, signal: Signal) {
        let change = {
            let mut s = self.lock();
            let (next, change) = next_limit(s.state, epoch, signal, self.settings);
            s.state = next;
            if change == Change::SlowedDown {
                s.slow_downs += 1;
            }
            if let Signal::Answered { latency, .. } = signal
                && change != Change::SlowedDown
            {
                let previous = s.baselines.get(route).copied();
                s.baselines
                    .insert(route.to_owned(), update_baseline(previous, latency));
            }
            change
        };
        if change != Change::Unchanged {
            tracing::debug!(?change, "request concurrency changed");
        }
        if change == Change::Grew {
            self.changed.notify_waiters();
        }
    }
}

impl Permit<'_> {
    /// Reports what the attempt told about the store's load; the slot is given back on drop.
    pub(crate) fn finish(self, route: &str, signal: Signal) {
        self.limiter.record(self.epoch, route, signal);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter.lock().in_flight -= 1;
        self.limiter.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: LimitSettings = LimitSettings { initial: 4, max: 8 };

    fn st(limit: usize, streak: u32, epoch: u64) -> LimitState {
        LimitState {
            limit,
            streak,
            epoch,
        }
    }
    fn ok(ms: u64, baseline_ms: Option<u64>) -> Signal {
        Signal::Answered {
            latency: Duration::from_millis(ms),
            baseline: baseline_ms.map(Duration::from_millis),
        }
    }

    #[test]
    fn decision_table() {
        use Change::*;
        let table: Vec<(LimitState, u64, Signal, LimitState, Change)> = vec![
            // Healthy answers build a streak; 2 × limit of them add one request.
            (st(4, 0, 0), 0, ok(100, None), st(4, 1, 0), Unchanged),
            (st(4, 6, 0), 0, ok(100, Some(100)), st(4, 7, 0), Unchanged),
            (st(4, 7, 0), 0, ok(100, Some(100)), st(5, 0, 0), Grew),
            (st(1, 1, 3), 3, ok(100, None), st(2, 0, 3), Grew),
            // Never above the ceiling.
            (st(8, 40, 0), 0, ok(100, None), st(8, 0, 0), Unchanged),
            // Overload halves, at least 1, and starts a new epoch.
            (st(8, 5, 0), 0, Signal::Overloaded, st(4, 0, 1), SlowedDown),
            (st(5, 0, 2), 2, Signal::Overloaded, st(2, 0, 3), SlowedDown),
            (st(1, 0, 7), 7, Signal::Overloaded, st(1, 0, 8), SlowedDown),
            // A failure of a request sent before the last slow-down changes nothing more.
            (st(4, 0, 1), 0, Signal::Overloaded, st(4, 0, 1), Unchanged),
            // A sharp rise in latency counts as overload …
            (
                st(6, 3, 0),
                0,
                ok(4_000, Some(500)),
                st(3, 0, 1),
                SlowedDown,
            ),
            // … a rise that is large only in relative terms does not,
            (st(6, 3, 0), 0, ok(1_900, Some(100)), st(6, 4, 0), Unchanged),
            // nor does a moderate one on a slow route.
            (
                st(6, 3, 0),
                0,
                ok(9_000, Some(4_000)),
                st(6, 4, 0),
                Unchanged,
            ),
            // Neutral outcomes change nothing.
            (st(3, 2, 0), 0, Signal::Neutral, st(3, 2, 0), Unchanged),
        ];
        for (state, epoch, signal, expected, change) in table {
            assert_eq!(
                next_limit(state, epoch, signal, S),
                (expected, change),
                "{state:?} epoch {epoch} {signal:?}"
            );
        }
    }

    #[test]
    fn initial_limit_is_clamped() {
        assert_eq!(LimitState::new(S).limit, 4);
        assert_eq!(
            LimitState::new(LimitSettings { initial: 9, max: 2 }).limit,
            2
        );
        assert_eq!(
            LimitState::new(LimitSettings { initial: 0, max: 0 }).limit,
            1
        );
    }

    #[test]
    fn a_steady_store_is_read_at_the_ceiling_and_a_failing_one_at_one() {
        let mut s = LimitState::new(S);
        for _ in 0..200 {
            s = next_limit(s, s.epoch, ok(50, Some(50)), S).0;
        }
        assert_eq!(s.limit, 8);
        for _ in 0..10 {
            s = next_limit(s, s.epoch, Signal::Overloaded, S).0;
        }
        assert_eq!(s.limit, 1);
    }

    #[test]
    fn baselines_follow_drifts_not_outliers() {
        let b = update_baseline(None, Duration::from_millis(100));
        assert_eq!(b, Duration::from_millis(100));
        let b = update_baseline(Some(b), Duration::from_millis(600));
        assert_eq!(b, Duration::from_millis(200));
    }

    #[tokio::test]
    async fn permits_respect_the_limit_and_count_the_peak() {
        let l = Limiter::new(LimitSettings { initial: 2, max: 2 });
        let a = l.acquire(None, Duration::ZERO).await.unwrap();
        let b = l.acquire(None, Duration::ZERO).await.unwrap();
        let cancel = CancelToken::new();
        cancel.cancel();
        assert_eq!(
            l.acquire(Some(&cancel), Duration::ZERO).await.unwrap_err(),
            Refusal::Cancelled
        );
        drop(a);
        let c = l.acquire(None, Duration::ZERO).await.unwrap();
        drop((b, c));
        assert_eq!(l.counters().max_in_flight, 2);
    }

    #[tokio::test]
    async fn a_long_pause_is_refused_and_a_short_one_waited() {
        let l = Limiter::new(S);
        l.pause(Duration::from_secs(120));
        match l.acquire(None, Duration::from_secs(60)).await.unwrap_err() {
            Refusal::Paused(left) => assert!(left > Duration::from_secs(100)),
            other => panic!("{other:?}"),
        }
        let l = Limiter::new(S);
        l.pause(Duration::from_millis(50));
        let started = Instant::now();
        let p = l.acquire(None, Duration::from_secs(60)).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(50));
        p.finish("GET x", Signal::Neutral);
        assert_eq!(l.counters().pauses, 1);
    }
}
