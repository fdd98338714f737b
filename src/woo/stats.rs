//! Request counters, per method and route template (`GET products/{id}/variations`).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A snapshot of what a client has sent so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// Every HTTP attempt, retries included.
    pub total: u64,
    /// Attempts that were retries of an earlier one.
    pub retries: u64,
    /// Attempts per `"METHOD template"`, e.g. `"GET products"`, `"POST products/{id}/variations/batch"`.
    pub by_route: BTreeMap<String, u64>,
    /// The most requests that were in flight at once.
    pub max_in_flight: u64,
    /// Requests currently allowed in flight (adapts to the store).
    pub concurrency_limit: u64,
    /// How often the client lowered its concurrency because the store struggled.
    pub slow_downs: u64,
    /// How often every request was paused because the store asked to wait (429 + Retry-After).
    pub pauses: u64,
}

impl RequestStats {
    /// Attempts for one `"METHOD template"` key (0 when none).
    pub fn count(&self, key: &str) -> u64 {
        self.by_route.get(key).copied().unwrap_or(0)
    }

    /// Attempts with one method (`"GET"`, `"POST"`, …) over all routes.
    pub fn by_method(&self, method: &str) -> u64 {
        let prefix = format!("{method} ");
        self.by_route
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The requests of one operation (a job's run), whatever else the same client sends meanwhile
/// (a person's action on the same instance).
#[derive(Debug, Default)]
pub struct OperationRequests {
    total: AtomicU64,
    retries: AtomicU64,
}

impl OperationRequests {
    /// Every HTTP attempt of the operation, retries included.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Attempts that were retries of an earlier one.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    static OPERATION: Arc<OperationRequests>;
}

/// Runs `work`, counting the requests it sends (on any client) in `counter`.
pub async fn counted<F: Future>(counter: Arc<OperationRequests>, work: F) -> F::Output {
    OPERATION.scope(counter, work).await
}

/// The live counters inside a client.
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    inner: Mutex<RequestStats>,
}

impl StatsRecorder {
    pub(crate) fn record(&self, method: &str, template: &str, is_retry: bool) {
        // Outside an operation's scope there is nothing to add to.
        let _ = OPERATION.try_with(|operation| {
            operation.total.fetch_add(1, Ordering::Relaxed);
            if is_retry {
                operation.retries.fetch_add(1, Ordering::Relaxed);
            }
        });
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.total += 1;
        if is_retry {
            s.retries += 1;
        }
        *s.by_route
            .entry(format!("{method} {template}"))
            .or_insert(0) += 1;
    }

    pub(crate) fn snapshot(&self) -> RequestStats {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_method_and_total() {
        let r = StatsRecorder::default();
        r.record("GET", "products", false);
        r.record("GET", "products", true);
        r.record("POST", "products/batch", false);
        let s = r.snapshot();
        assert_eq!((s.total, s.retries), (3, 1));
        assert_eq!(s.count("GET products"), 2);
        assert_eq!(s.by_method("GET"), 2);
        assert_eq!(s.by_method("POST"), 1);
        assert_eq!(s.count("DELETE products"), 0);
    }
}
