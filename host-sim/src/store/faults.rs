//! Fault injection: latency, 5xx, 429, hung responses, broken, huge, compressed-bomb, silent and
//! trickling bodies, HTML instead of JSON, redirects to another host, writes whose answer is
//! lost, and API keys revoked mid-run.
//!
//! Rules match by method and route prefix (the REST route such as `/wc/v3/products`, or the URL
//! path for non-REST requests) and fire for the next N matching requests, always, or with a
//! probability drawn from a seeded generator so a run can be repeated exactly; any of these can
//! start only after the first N matching requests. A request that a fault answers never reaches
//! the store's data, except where a kind says otherwise. Every fault ends when the store shuts
//! down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use super::fault_bodies::{gzip_bomb, huge_json, silence};

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Delay the answer by this long, then answer normally.
    Latency(Duration),
    /// Answer with this 5xx status (500 as WordPress's JSON critical error, others as proxy HTML).
    ServerError(u16),
    /// Answer 429 with `Retry-After` in seconds.
    TooManyRequests {
        /// Value of the `Retry-After` header.
        retry_after_secs: u64,
    },
    /// Accept the request and never answer (until the store shuts down).
    Hang,
    /// Hold the request until [`FaultControl::release_held`], then answer it normally, from the
    /// data as it is then: a test changes the store while a client waits between two pages.
    Held,
    /// 200 with a JSON content type and a body that is not JSON (a PHP warning before the data).
    MalformedJson,
    /// 200 with a JSON content type whose body stops mid-way and the connection closes.
    TruncatedBody,
    /// 200 with an HTML page (a bot challenge) instead of JSON.
    HtmlInsteadOfJson,
    /// 200 with a JSON list of `bytes` bytes, streamed as it is generated; with
    /// `content_length` the size is announced in `Content-Length`, else the body is chunked.
    HugeBody {
        /// Size of the body.
        bytes: u64,
        /// Whether `Content-Length` announces it.
        content_length: bool,
    },
    /// 200 with `Content-Encoding: gzip`: about `expanded_bytes / 1000` bytes on the wire that
    /// inflate to `expanded_bytes` of JSON whitespace.
    GzipBomb {
        /// Size after decompression.
        expanded_bytes: u64,
    },
    /// A redirect (`status`, e.g. 301 or 302) to the same path and query on another host:
    /// `127.0.0.2` with the store's port and scheme, where nothing listens.
    RedirectElsewhere {
        /// The 3xx status.
        status: u16,
    },
    /// 200 with a JSON content type: the status line and headers arrive, the body never does.
    HeadersThenSilence,
    /// The real answer, its body sent `chunk_bytes` bytes at a time, one chunk per `every`.
    Trickle {
        /// Bytes per chunk.
        chunk_bytes: u32,
        /// Pause before each chunk.
        every: Duration,
    },
    /// The request is carried out (a write changes the data), then the client gets the
    /// proxy's 502 page instead of the answer.
    AppliedThen502,
    /// Every API key of the store is deleted (as in WP admin) before the request is handled:
    /// it and every later request made with them get WooCommerce's answer for a deleted key.
    RevokeKeys,
}

impl FaultKind {
    /// A trickle of `bytes` bytes per second.
    pub fn trickle_per_second(bytes: u32) -> Self {
        FaultKind::Trickle {
            chunk_bytes: bytes,
            every: Duration::from_secs(1),
        }
    }
}

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultTrigger {
    /// Every matching request.
    Always,
    /// The next N matching requests.
    Next(u32),
    /// Each matching request with this probability (0.0–1.0), from the seeded generator.
    Probability(f64),
}

/// A fault rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// Only this method (case-insensitive); `None` matches all.
    pub method: Option<String>,
    /// Only routes starting with this (e.g. `/wc/v3/products`); `None` matches all.
    pub route_prefix: Option<String>,
    /// What happens.
    pub kind: FaultKind,
    /// When it happens.
    pub trigger: FaultTrigger,
    /// Matching requests that pass untouched before the trigger is consulted at all.
    pub after: u32,
}

impl FaultRule {
    /// A rule for every request, always firing.
    pub fn new(kind: FaultKind) -> Self {
        FaultRule {
            method: None,
            route_prefix: None,
            kind,
            trigger: FaultTrigger::Always,
            after: 0,
        }
    }

    /// Lets the first `n` matching requests through untouched; the trigger applies from the
    /// next one on (`after(3).times(1)` fires on the fourth matching request only).
    pub fn after(mut self, n: u32) -> Self {
        self.after = n;
        self
    }

    /// Restricts the rule to one method.
    pub fn on_method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Restricts the rule to routes starting with `prefix`.
    pub fn on_route(mut self, prefix: &str) -> Self {
        self.route_prefix = Some(prefix.to_owned());
        self
    }

    /// Fires for the next `n` matching requests only.
    pub fn times(mut self, n: u32) -> Self {
        self.trigger = FaultTrigger::Next(n);
        self
    }

    /// Fires with probability `p`.
    pub fn with_probability(mut self, p: f64) -> Self {
        self.trigger = FaultTrigger::Probability(p.clamp(0.0, 1.0));
        self
    }

    fn matches(&self, method: &str, route: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .route_prefix
                .as_deref()
                .is_none_or(|p| route.starts_with(p))
    }
}

/// Identifies an added rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultId(u64);

#[derive(Debug)]
struct ActiveRule {
    id: FaultId,
    rule: FaultRule,
    fired: u64,
    /// Matching requests seen (for `after`).
    seen: u64,
}

#[derive(Debug)]
struct FaultState {
    rules: Vec<ActiveRule>,
    rng: ChaCha8Rng,
    next_id: u64,
}

/// Controls the faults of a running store; cheap to clone, changes apply to the next request.
#[derive(Debug, Clone)]
pub struct FaultControl {
    inner: Arc<Mutex<FaultState>>,
    held: Arc<Held>,
}

/// Requests held by [`FaultKind::Held`]: how many arrived, and whether they were let go.
#[derive(Debug)]
struct Held {
    arrived: Mutex<u64>,
    arrival: std::sync::Condvar,
    released: tokio::sync::watch::Sender<bool>,
}

/// What the faults decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct FaultDecision {
    pub latency: Duration,
    pub fault: Option<FaultKind>,
}

impl Default for FaultControl {
    fn default() -> Self {
        FaultControl {
            inner: Arc::new(Mutex::new(FaultState {
                rules: Vec::new(),
                rng: ChaCha8Rng::seed_from_u64(0),
                next_id: 1,
            })),
            held: Arc::new(Held {
                arrived: Mutex::new(0),
                arrival: std::sync::Condvar::new(),
                released: tokio::sync::watch::Sender::new(false),
            }),
        }
    }
}

impl FaultControl {
    fn state(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a rule; rules are evaluated in the order they were added.
    pub fn add(&self, rule: FaultRule) -> FaultId {
        let mut state = self.state();
        let id = FaultId(state.next_id);
        state.next_id += 1;
        state.rules.push(ActiveRule {
            id,
            rule,
            fired: 0,
            seen: 0,
        });
        id
    }

    /// Removes a rule.
    pub fn remove(&self, id: FaultId) {
        self.state().rules.retain(|r| r.id != id);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.state().rules.clear();
    }

    /// Restarts the probability generator from `seed`.
    pub fn reseed(&self, seed: u64) {
        self.state().rng = ChaCha8Rng::seed_from_u64(seed);
    }

    /// Waits (at most `limit`) until `n` requests in all have been held by [`FaultKind::Held`];
    /// `false` when they were not.
    pub fn wait_held(&self, n: u64, limit: Duration) -> bool {
        let arrived = self.held.arrived.lock().unwrap_or_else(|e| e.into_inner());
        let (arrived, _) = self
            .held
            .arrival
            .wait_timeout_while(arrived, limit, |arrived| *arrived < n)
            .unwrap_or_else(|e| e.into_inner());
        *arrived >= n
    }

    /// Lets every held request go on, and every later one a [`FaultKind::Held`] rule catches.
    pub fn release_held(&self) {
        self.held.released.send_replace(true);
    }

    /// Holds one request until [`FaultControl::release_held`].
    pub(crate) async fn hold(&self) {
        let mut released = self.held.released.subscribe();
        *self.held.arrived.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.held.arrival.notify_all();
        // The sender lives as long as this control does: an error means the store is gone.
        let _ = released.wait_for(|released| *released).await;
    }

    /// How often a rule has fired.
    pub fn fired(&self, id: FaultId) -> u64 {
        self.state()
            .rules
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.fired)
    }

    /// Decides the faults for one request.
    pub(crate) fn decide(&self, method: &str, route: &str) -> FaultDecision {
        let mut state = self.state();
        let FaultState { rules, rng, .. } = &mut *state;
        let mut decision = FaultDecision::default();
        for active in rules.iter_mut() {
            if !active.rule.matches(method, route) {
                continue;
            }
            let is_latency = matches!(active.rule.kind, FaultKind::Latency(_));
            if decision.fault.is_some() && !is_latency {
                continue;
            }
            active.seen += 1;
            if active.seen <= u64::from(active.rule.after) {
                continue;
            }
            let fires = match &mut active.rule.trigger {
                FaultTrigger::Always => true,
                FaultTrigger::Next(left) => {
                    if *left > 0 {
                        *left -= 1;
                        true
                    } else {
                        false
                    }
                }
                FaultTrigger::Probability(p) => rng.random_bool(*p),
            };
            if !fires {
                continue;
            }
            active.fired += 1;
            match active.rule.kind {
                FaultKind::Latency(d) => decision.latency += d,
                kind => decision.fault = Some(kind),
            }
        }
        decision
    }
}

fn with_type(mut response: Response, content_type: &'static str) -> Response {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn status_response(status: u16, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

const JSON: &str = "application/json; charset=UTF-8";
const HTML: &str = "text/html; charset=UTF-8";

/// The answer a fault gives (`Hang` is handled by the server, which never answers).
pub(crate) fn fault_response(kind: FaultKind) -> Response {
    match kind {
        FaultKind::ServerError(500) => with_type(
            status_response(
                500,
                Body::from(
                    "{\"code\":\"internal_server_error\",\"message\":\"<p>There has been a critical error on this website.<\\/p><p><a href=\\\"https:\\/\\/wordpress.org\\/documentation\\/article\\/faq-troubleshooting\\/\\\">Learn more about troubleshooting WordPress.<\\/a><\\/p>\",\"data\":{\"status\":500},\"additional_errors\":[]}",
                ),
            ),
            JSON,
        ),
        FaultKind::ServerError(status) => {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            with_type(
                status_response(
                    status,
                    Body::from(format!(
                        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
                    )),
                ),
                HTML,
            )
        }
        FaultKind::TooManyRequests { retry_after_secs } => {
            let mut response = with_type(
                status_response(
                    429,
                    Body::from(
                        "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1><p>Please slow down.</p></body></html>",
                    ),
                ),
                HTML,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        FaultKind::MalformedJson => with_type(
            status_response(
                200,
                Body::from(
                    "<br />\n<b>Warning</b>:  Undefined array key \"id\" in <b>/var/www/shop/wp-content/plugins/some-plugin/functions.php</b> on line <b>42</b><br />\n[{\"id\":1,\"name\":\"Item\"}]",
                ),
            ),
            JSON,
        ),
        FaultKind::TruncatedBody => {
            // The pause lets the status, headers and first bytes reach the client before the
            // connection breaks, as when a PHP worker dies mid-response.
            let stream = futures_util::stream::unfold(0u8, |step| async move {
                match step {
                    0 => Some((
                        Ok(Bytes::from_static(
                            b"[{\"id\":1029,\"name\":\"FX Kaffeebecher\",\"sku\":\"FX-",
                        )),
                        1,
                    )),
                    1 => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Some((
                            Err(std::io::Error::new(
                                std::io::ErrorKind::ConnectionAborted,
                                "connection closed mid-body",
                            )),
                            2,
                        ))
                    }
                    _ => None,
                }
            });
            with_type(status_response(200, Body::from_stream(stream)), JSON)
        }
        FaultKind::HtmlInsteadOfJson => with_type(
            status_response(
                200,
                Body::from(
                    "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head><body><h1>Checking your browser before accessing the site.</h1></body></html>",
                ),
            ),
            HTML,
        ),
        FaultKind::HugeBody {
            bytes,
            content_length,
        } => {
            let mut response = with_type(status_response(200, huge_json(bytes)), JSON);
            if content_length {
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
            }
            response
        }
        FaultKind::GzipBomb { expanded_bytes } => {
            let mut response = with_type(status_response(200, gzip_bomb(expanded_bytes)), JSON);
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        FaultKind::HeadersThenSilence => with_type(status_response(200, silence()), JSON),
        FaultKind::AppliedThen502 => fault_response(FaultKind::ServerError(502)),
        // The others need the request or the real answer and are handled by the server; reaching
        // here means a plain 500.
        FaultKind::Latency(_)
        | FaultKind::Hang
        | FaultKind::Held
        | FaultKind::RedirectElsewhere { .. }
        | FaultKind::Trickle { .. }
        | FaultKind::RevokeKeys => status_response(500, Body::empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_fires_exactly_n_times_and_only_on_matching_requests() {
        let control = FaultControl::default();
        let id = control.add(
            FaultRule::new(FaultKind::ServerError(503))
                .on_method("post")
                .on_route("/wc/v3/products/batch")
                .times(2),
        );
        assert_eq!(control.decide("GET", "/wc/v3/products/batch").fault, None);
        assert_eq!(control.decide("POST", "/wc/v3/orders").fault, None);
        for _ in 0..2 {
            assert_eq!(
                control.decide("POST", "/wc/v3/products/batch").fault,
                Some(FaultKind::ServerError(503))
            );
        }
        assert_eq!(control.decide("POST", "/wc/v3/products/batch").fault, None);
        assert_eq!(control.fired(id), 2);
    }

    #[test]
    fn probabilities_repeat_with_the_seed() {
        let run = || {
            let control = FaultControl::default();
            control.reseed(42);
            control.add(FaultRule::new(FaultKind::HtmlInsteadOfJson).with_probability(0.3));
            (0..200)
                .map(|_| control.decide("GET", "/wc/v3/products").fault.is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let fired = first.iter().filter(|f| **f).count();
        assert!((30..=90).contains(&fired), "fired {fired} of 200");
    }

    #[test]
    fn after_lets_the_first_matching_requests_through() {
        let control = FaultControl::default();
        let id = control.add(
            FaultRule::new(FaultKind::RevokeKeys)
                .on_route("/wc/v3/orders")
                .after(2)
                .times(1),
        );
        let fault = |route: &str| control.decide("GET", route).fault;
        assert_eq!(fault("/wc/v3/products"), None, "not matching, not counted");
        assert_eq!(fault("/wc/v3/orders"), None);
        assert_eq!(fault("/wc/v3/orders"), None);
        assert_eq!(fault("/wc/v3/orders"), Some(FaultKind::RevokeKeys));
        assert_eq!(fault("/wc/v3/orders"), None);
        assert_eq!(control.fired(id), 1);
    }

    #[test]
    fn latency_adds_up_and_combines_with_a_fault() {
        let control = FaultControl::default();
        control.add(FaultRule::new(FaultKind::Latency(Duration::from_millis(5))));
        control.add(FaultRule::new(FaultKind::Latency(Duration::from_millis(7))));
        control.add(
            FaultRule::new(FaultKind::TooManyRequests {
                retry_after_secs: 3,
            })
            .times(1),
        );
        let decision = control.decide("GET", "/");
        assert_eq!(decision.latency, Duration::from_millis(12));
        assert_eq!(
            decision.fault,
            Some(FaultKind::TooManyRequests {
                retry_after_secs: 3
            })
        );
        assert_eq!(control.decide("GET", "/").fault, None);
    }
}
