//! Request counters, per method and route template (`GET products/{id}/variations`).

use std::collections::BTreeMap;
use std::sync::Mutex;

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

/// The live counters inside a client.
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    inner: Mutex<RequestStats>,
}

impl StatsRecorder {
    pub(crate) fn record(&self, method: &str, template: &str, is_retry: bool) {
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
