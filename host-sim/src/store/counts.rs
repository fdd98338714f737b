//! Counting requests by method and route template, and how many are in flight at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Request counts by `"<METHOD> <route template>"`, e.g. `"GET /wc/v3/products"` or
/// `"PUT /wc/v3/products/{id}/variations/{id}"`.
///
/// REST requests count under their WooCommerce route template (`"GET /"` for the REST index,
/// `"GET /wc/v3"` for the namespace index, the raw route when nothing matches). Requests that
/// never reach the REST API count as `"<METHOD> page:<path>"`. Faulted requests count too;
/// requests to the store's own `/__sim/` endpoints do not.
///
/// A request is in flight from its arrival until its answer is ready (for streamed or trickled
/// fault bodies, until the body ends or the connection drops). Serialised as JSON this is what
/// `GET /__sim/requests` answers: `{"total", "by_route", "in_flight", "max_in_flight"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    total: u64,
    by_route: BTreeMap<String, u64>,
    in_flight: u64,
    max_in_flight: u64,
}

impl RequestCounts {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Requests under one key, e.g. `"POST /wc/v3/products/batch"`.
    pub fn get(&self, key: &str) -> u64 {
        self.by_route.get(key).copied().unwrap_or(0)
    }

    /// Requests whose key starts with `prefix` (e.g. `"GET "` or `"POST /wc/v3/products"`).
    pub fn matching(&self, prefix: &str) -> u64 {
        self.by_route
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }

    /// Every key with its count.
    pub fn by_route(&self) -> &BTreeMap<String, u64> {
        &self.by_route
    }

    /// Requests being handled right now.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// The most requests that were in flight at the same time since the start or the last
    /// reset.
    pub fn max_in_flight(&self) -> u64 {
        self.max_in_flight
    }

    pub(crate) fn record(&mut self, key: &str) {
        *self.by_route.entry(key.to_owned()).or_insert(0) += 1;
        self.total += 1;
    }
}

/// One received request, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// HTTP method as sent.
    pub method: String,
    /// The counting key (see [`RequestCounts`]).
    pub route: String,
    /// Path and query exactly as received.
    pub path_and_query: String,
}

/// Counts plus a bounded log of recent requests.
#[derive(Debug, Default)]
pub(crate) struct RequestBook {
    pub counts: RequestCounts,
    pub log: Vec<LoggedRequest>,
}

const LOG_LIMIT: usize = 10_000;

impl RequestBook {
    pub fn record(&mut self, method: &str, key: &str, path_and_query: &str) {
        self.counts.record(key);
        if self.log.len() == LOG_LIMIT {
            self.log.remove(0);
        }
        self.log.push(LoggedRequest {
            method: method.to_owned(),
            route: key.to_owned(),
            path_and_query: path_and_query.to_owned(),
        });
    }

    /// Clears counts and log; requests still in flight stay counted as in flight.
    pub fn reset(&mut self) {
        let in_flight = self.counts.in_flight;
        *self = RequestBook::default();
        self.counts.in_flight = in_flight;
        self.counts.max_in_flight = in_flight;
    }

    pub fn enter(&mut self) {
        self.counts.in_flight += 1;
        self.counts.max_in_flight = self.counts.max_in_flight.max(self.counts.in_flight);
    }

    pub fn leave(&mut self) {
        self.counts.in_flight = self.counts.in_flight.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauge_keeps_its_maximum_until_reset() {
        let mut book = RequestBook::default();
        book.enter();
        book.enter();
        book.leave();
        book.enter();
        book.enter();
        assert_eq!(
            (book.counts.in_flight(), book.counts.max_in_flight()),
            (3, 3)
        );
        book.leave();
        book.reset();
        assert_eq!(
            (book.counts.in_flight(), book.counts.max_in_flight()),
            (2, 2)
        );
        book.leave();
        book.leave();
        book.leave();
        assert_eq!(
            (book.counts.in_flight(), book.counts.max_in_flight()),
            (0, 2)
        );
        let json = serde_json::to_value(&book.counts).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"total": 0, "by_route": {}, "in_flight": 0, "max_in_flight": 2})
        );
    }
}
