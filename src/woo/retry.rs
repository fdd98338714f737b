//! When to try a request again, and how long to wait first.
//!
//! [`decide`] is a pure function of the attempt number, what happened and the policy, so the
//! whole behaviour is one table of unit tests. Randomness (jitter) and shared state (the retry
//! budget) live outside it.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How persistent the client is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Upper bound of any computed wait.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client is willing to sleep through; a longer one ends the
    /// call with a rate-limit / store-down error that says how long to wait.
    pub max_retry_after: Duration,
    /// Capacity of the per-client retry budget (tokens); see [`RetryBudget`].
    pub budget_capacity: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            budget_capacity: 100,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (tests, probes that must be quick).
    pub fn no_retries() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }
}

/// What an attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A usable answer (2xx with readable JSON), or a definitive refusal (most 4xx).
    Answered {
        /// HTTP status.
        status: u16,
    },
    /// An HTTP status that may be transient (429, 5xx), with the server's `Retry-After`.
    Transient {
        /// HTTP status.
        status: u16,
        /// Parsed `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// A 2xx whose body was cut off or not valid JSON.
    BrokenBody,
    /// No answer within the request timeout.
    Timeout,
    /// The connection broke after the request may have reached the server.
    ConnectionLost,
    /// The request never reached the server (refused, connect timeout): safe to send again.
    ConnectFailed,
    /// Nothing a retry could fix (TLS, DNS, redirect, configuration).
    Fatal,
}

/// One attempt's outcome: the event and whether the request may be repeated safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// GET/HEAD/OPTIONS: sending it twice has no extra effect.
    pub idempotent: bool,
    /// What happened.
    pub event: Event,
}

/// Why no further attempt is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The attempt produced an answer to hand back (success or a definitive error).
    Answered,
    /// Retrying cannot help.
    NotRetryable,
    /// A write whose fate is unknown: never resent blindly.
    WriteOutcomeUnknown,
    /// `max_attempts` reached.
    AttemptsExhausted,
    /// The server asked for a longer pause than `max_retry_after`.
    WaitTooLong,
}

/// The verdict of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Stop and report.
    Stop(Stop),
    /// Try again after `delay`; `jitter` says whether the caller should randomise it
    /// (computed backoff) or not (a server-given `Retry-After`).
    Retry {
        /// Wait before the next attempt.
        delay: Duration,
        /// Randomise the delay (see [`apply_jitter`]).
        jitter: bool,
    },
}

/// Exponential backoff for the retry after attempt `attempt` (1-based), capped.
pub fn backoff(attempt: u32, policy: &RetryPolicy) -> Duration {
    let exp = attempt.saturating_sub(1).min(16);
    policy
        .initial_backoff
        .saturating_mul(1u32 << exp)
        .min(policy.max_backoff)
}

/// Decides what to do after attempt number `attempt` (1-based).
pub fn decide(attempt: u32, outcome: &Outcome, policy: &RetryPolicy) -> Decision {
    let retryable_status = |s: u16| matches!(s, 429 | 500 | 502 | 503 | 504 | 508 | 520..=524);
    match &outcome.event {
        Event::Answered { .. } => return Decision::Stop(Stop::Answered),
        Event::Fatal => return Decision::Stop(Stop::NotRetryable),
        Event::Transient { status, .. } if !retryable_status(*status) => {
            return Decision::Stop(Stop::Answered);
        }
        _ => {}
    }
    if !outcome.idempotent {
        return match &outcome.event {
            // Nothing reached the store: sending again cannot apply the write twice.
            Event::ConnectFailed => retry_or_exhausted(attempt, policy, None),
            // A 429 is refused before WordPress runs: nothing was applied, but the store asked
            // us to slow down, so the caller gets the rate-limit error rather than a storm.
            Event::Transient { status: 429, .. } => Decision::Stop(Stop::Answered),
            _ => Decision::Stop(Stop::WriteOutcomeUnknown),
        };
    }
    let retry_after = match &outcome.event {
        Event::Transient { retry_after, .. } => *retry_after,
        _ => None,
    };
    if let Some(wait) = retry_after
        && wait > policy.max_retry_after
    {
        return Decision::Stop(Stop::WaitTooLong);
    }
    retry_or_exhausted(attempt, policy, retry_after)
}

fn retry_or_exhausted(
    attempt: u32,
    policy: &RetryPolicy,
    retry_after: Option<Duration>,
) -> Decision {
    if attempt >= policy.max_attempts {
        return Decision::Stop(Stop::AttemptsExhausted);
    }
    match retry_after {
        Some(wait) => Decision::Retry {
            delay: wait.max(backoff(attempt, policy) / 2),
            jitter: false,
        },
        None => Decision::Retry {
            delay: backoff(attempt, policy),
            jitter: true,
        },
    }
}

/// "Equal jitter": half the delay fixed, the other half scaled by `unit` in `[0, 1)`.
pub fn apply_jitter(delay: Duration, unit: f64) -> Duration {
    let half = delay / 2;
    half + half.mul_f64(unit.clamp(0.0, 1.0))
}

/// Parses `Retry-After`: delta-seconds or an HTTP date (relative to `now`). Past dates give zero.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let when: SystemTime = when.with_timezone(&chrono::Utc).into();
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A token bucket shared by all calls of one client, so that a failing store is not hammered
/// by many calls retrying at once. Retries spend tokens, successes earn one back.
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    tokens: Mutex<u32>,
}

/// Tokens a retry after a timeout costs (timeouts are the most expensive for the store).
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// Tokens any other retry costs.
pub const RETRY_COST: u32 = 5;

impl RetryBudget {
    /// A full bucket.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            tokens: Mutex::new(capacity),
        }
    }

    /// Takes `cost` tokens; false (and nothing taken) when the bucket holds fewer.
    pub fn try_spend(&self, cost: u32) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    /// Gives one token back after a successful attempt.
    pub fn refill(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        *tokens = (*tokens + 1).min(self.capacity);
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(event: Event) -> Outcome {
        Outcome {
            idempotent: true,
            event,
        }
    }
    fn post(event: Event) -> Outcome {
        Outcome {
            idempotent: false,
            event,
        }
    }
    fn transient(status: u16, retry_after: Option<u64>) -> Event {
        Event::Transient {
            status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }
    fn retry(ms: u64, jitter: bool) -> Decision {
        Decision::Retry {
            delay: Duration::from_millis(ms),
            jitter,
        }
    }

    #[test]
    fn decision_table() {
        let p = RetryPolicy::default();
        let table: Vec<(u32, Outcome, Decision)> = vec![
            // Answers are handed back, whatever the method.
            (
                1,
                get(Event::Answered { status: 200 }),
                Decision::Stop(Stop::Answered),
            ),
            (
                1,
                get(Event::Answered { status: 404 }),
                Decision::Stop(Stop::Answered),
            ),
            (
                1,
                post(Event::Answered { status: 201 }),
                Decision::Stop(Stop::Answered),
            ),
            // Idempotent calls retry transient failures with growing backoff.
            (1, get(transient(503, None)), retry(500, true)),
            (2, get(transient(502, None)), retry(1000, true)),
            (3, get(transient(500, None)), retry(2000, true)),
            (1, get(transient(504, None)), retry(500, true)),
            (1, get(transient(508, None)), retry(500, true)),
            (1, get(transient(520, None)), retry(500, true)),
            (1, get(transient(524, None)), retry(500, true)),
            (1, get(Event::Timeout), retry(500, true)),
            (1, get(Event::ConnectionLost), retry(500, true)),
            (1, get(Event::ConnectFailed), retry(500, true)),
            (1, get(Event::BrokenBody), retry(500, true)),
            // Other statuses reported as transient are answers (e.g. 501, 505).
            (1, get(transient(501, None)), Decision::Stop(Stop::Answered)),
            // Retry-After is honoured exactly (no jitter), within the limit.
            (1, get(transient(429, Some(3))), retry(3000, false)),
            (1, get(transient(503, Some(0))), retry(250, false)),
            (
                1,
                get(transient(503, Some(600))),
                Decision::Stop(Stop::WaitTooLong),
            ),
            // Attempts run out.
            (
                4,
                get(transient(503, None)),
                Decision::Stop(Stop::AttemptsExhausted),
            ),
            (
                4,
                get(Event::Timeout),
                Decision::Stop(Stop::AttemptsExhausted),
            ),
            // Writes are never resent once they may have reached the store.
            (
                1,
                post(transient(503, None)),
                Decision::Stop(Stop::WriteOutcomeUnknown),
            ),
            (
                1,
                post(transient(500, None)),
                Decision::Stop(Stop::WriteOutcomeUnknown),
            ),
            (
                1,
                post(Event::Timeout),
                Decision::Stop(Stop::WriteOutcomeUnknown),
            ),
            (
                1,
                post(Event::ConnectionLost),
                Decision::Stop(Stop::WriteOutcomeUnknown),
            ),
            (
                1,
                post(Event::BrokenBody),
                Decision::Stop(Stop::WriteOutcomeUnknown),
            ),
            (
                1,
                post(transient(429, Some(1))),
                Decision::Stop(Stop::Answered),
            ),
            // ... but a write that never left may go again.
            (1, post(Event::ConnectFailed), retry(500, true)),
            (
                4,
                post(Event::ConnectFailed),
                Decision::Stop(Stop::AttemptsExhausted),
            ),
            // Fatal problems stop at once.
            (1, get(Event::Fatal), Decision::Stop(Stop::NotRetryable)),
            (1, post(Event::Fatal), Decision::Stop(Stop::NotRetryable)),
        ];
        for (attempt, outcome, expected) in table {
            assert_eq!(
                decide(attempt, &outcome, &p),
                expected,
                "attempt {attempt}, {outcome:?}"
            );
        }
    }

    #[test]
    fn backoff_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(backoff(1, &p), Duration::from_millis(500));
        assert_eq!(backoff(6, &p), Duration::from_secs(16));
        assert_eq!(backoff(7, &p), Duration::from_secs(20));
        assert_eq!(backoff(60, &p), Duration::from_secs(20));
        let one = RetryPolicy::no_retries();
        assert_eq!(
            decide(1, &get(Event::Timeout), &one),
            Decision::Stop(Stop::AttemptsExhausted)
        );
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let d = Duration::from_secs(2);
        assert_eq!(apply_jitter(d, 0.0), Duration::from_secs(1));
        assert_eq!(apply_jitter(d, 0.5), Duration::from_millis(1500));
        assert!(apply_jitter(d, 0.999) < d);
        assert_eq!(apply_jitter(d, 7.0), d);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_784_000_000);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = chrono::DateTime::<chrono::Utc>::from(now + Duration::from_secs(30));
        let http_date = later.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        assert_eq!(
            parse_retry_after(&http_date, now),
            Some(Duration::from_secs(30))
        );
        let earlier = chrono::DateTime::<chrono::Utc>::from(now - Duration::from_secs(30));
        let past = earlier.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn budget_spends_and_refills() {
        let b = RetryBudget::new(12);
        assert!(b.try_spend(RETRY_COST));
        assert!(b.try_spend(RETRY_COST));
        assert!(!b.try_spend(RETRY_COST));
        assert_eq!(b.available(), 2);
        for _ in 0..20 {
            b.refill();
        }
        assert_eq!(b.available(), 12);
        assert!(b.try_spend(TIMEOUT_RETRY_COST));
        assert!(!b.try_spend(TIMEOUT_RETRY_COST));
    }
}
