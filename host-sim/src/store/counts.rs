//! Counting requests by method and route template.

use std::collections::BTreeMap;

/// Request counts by `"<METHOD> <route template>"`, e.g. `"GET /wc/v3/products"` or
/// `"PUT /wc/v3/products/{id}/variations/{id}"`.
///
/// REST requests count under their WooCommerce route template (`"GET /"` for the REST index,
/// `"GET /wc/v3"` for the namespace index, the raw route when nothing matches). Requests that
/// never reach the REST API count as `"<METHOD> page:<path>"`. Faulted requests count too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounts {
    by_route: BTreeMap<String, u64>,
    total: u64,
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

    pub fn reset(&mut self) {
        *self = RequestBook::default();
    }
}
