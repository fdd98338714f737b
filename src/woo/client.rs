//! The client object and its request loop: authentication, retries, concurrency, counters,
//! cancellation and logging all happen here, once, for every call.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use rand::Rng as _;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};

use super::auth::{AuthMode, AuthState, Credentials, authorize_url};
use super::cancel::CancelToken;
use super::config::{StoreAddress, WooConfig, validate_credentials};
use super::encode::query_string;
use super::error::{WooError, WooErrorKind};
use super::limiter::{LimitSettings, Limiter, Refusal, Signal};
use super::response::{RawAnswer, Reply, interpret_redacted};
use super::retry::{
    Decision, Event, Outcome, RETRY_COST, RetryBudget, Stop, TIMEOUT_RETRY_COST, apply_jitter,
    decide,
};
use super::stats::{RequestStats, StatsRecorder};
use super::transport::{classify_transport, http_client};
use crate::secret::{Redactor, Secret};

/// Largest answer the client reads. A page of 100 full products or orders, or the answer to a
/// batch of 100, is a few MiB at most; anything far beyond is refused rather than buffered.
/// The cap counts the bytes after decompression, so a small gzip answer that expands without
/// end ("gzip bomb") is refused as well.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// An answer arriving slower than this many bytes per idle timeout is treated as stalled: a
/// store (or a proxy) that trickles bytes would otherwise hold the request for the whole
/// request timeout, and again for every retry.
pub const MIN_BYTES_PER_IDLE_WINDOW: usize = 1024;

/// A WooCommerce REST v3 client for one store. Cheap to clone; clones share the connection
/// pool, the concurrency limit, the retry budget, the counters and the learned auth mode.
#[derive(Clone)]
pub struct WooClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for WooClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WooClient")
            .field("store", &self.inner.store.as_str())
            .field("auth_mode", &self.inner.auth.get())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) cfg: WooConfig,
    pub(crate) store: StoreAddress,
    creds: Credentials,
    /// Removes the credentials from every text that came from the store.
    pub(crate) redactor: Redactor,
    http: reqwest::Client,
    pub(crate) auth: AuthState,
    pub(crate) limiter: Limiter,
    budget: RetryBudget,
    stats: StatsRecorder,
    clock_skew_secs: AtomicI64,
    pub(crate) batch_limit: AtomicUsize,
}

/// One API call before authentication is added.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: Method,
    /// Path below the home URL, e.g. `wp-json/wc/v3/products`.
    pub(crate) path: String,
    /// Route template for the counters, e.g. `products/{id}`.
    pub(crate) template: String,
    /// Non-auth query parameters.
    pub(crate) query: Vec<(String, String)>,
    /// JSON body.
    pub(crate) body: Option<Vec<u8>>,
    /// Whether to authenticate.
    pub(crate) authenticated: bool,
}

impl Call {
    /// An authenticated call to `wp-json/wc/v3/{route}`.
    pub(crate) fn api(method: Method, route: &str, template: &str) -> Call {
        Call {
            method,
            path: format!("wp-json/wc/v3/{route}"),
            template: template.to_owned(),
            query: Vec::new(),
            body: None,
            authenticated: true,
        }
    }

    pub(crate) fn query(mut self, params: Vec<(String, String)>) -> Call {
        self.query.extend(params);
        self
    }

    pub(crate) fn json_body(mut self, body: Vec<u8>) -> Call {
        self.body = Some(body);
        self
    }

    /// `METHOD /path` — how requests are named in errors and logs (never with the query).
    pub(crate) fn name(&self) -> String {
        let mut name = format!("{} /{}", self.method, self.path);
        if let Some((_, route)) = self.query.iter().find(|(k, _)| k == "rest_route") {
            name.push_str("?rest_route=");
            name.push_str(route);
        }
        name
    }

    fn idempotent(&self) -> bool {
        matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

impl WooClient {
    /// Validates the settings and builds the HTTP client (no request is sent).
    ///
    /// Fails with [`WooErrorKind::InsecureHttp`] for an `http://` URL unless
    /// `allow_insecure_http` is set, and with [`WooErrorKind::Config`] for other mistakes.
    pub fn new(cfg: WooConfig) -> Result<Self, WooError> {
        let secret = Secret::new(cfg.consumer_secret.expose().trim());
        let redactor = Redactor::new(cfg.consumer_key.trim(), &secret);
        WooClient::build(cfg).map_err(|e| e.redacted(&redactor))
    }

    fn build(cfg: WooConfig) -> Result<Self, WooError> {
        let store = StoreAddress::parse(&cfg.store_url, cfg.allow_insecure_http)?;
        validate_credentials(&cfg.consumer_key, &cfg.consumer_secret)?;
        if cfg.max_concurrency == 0 {
            return Err(WooError::config(
                "at least one request at a time must be allowed",
            ));
        }
        let http = http_client(&cfg, &store)?;
        let creds = Credentials {
            key: cfg.consumer_key.trim().to_owned(),
            secret: Secret::new(cfg.consumer_secret.expose().trim()),
        };
        let mode = if store.is_https() {
            AuthMode::Basic
        } else {
            AuthMode::OAuth1
        };
        let redactor = Redactor::new(&creds.key, &creds.secret);
        let inner = Inner {
            redactor,
            limiter: Limiter::new(LimitSettings {
                initial: cfg.initial_concurrency,
                max: cfg.max_concurrency,
            }),
            budget: RetryBudget::new(cfg.retry.budget_capacity),
            batch_limit: AtomicUsize::new(cfg.batch_limit.max(1)),
            cfg,
            store,
            creds,
            http,
            auth: AuthState::new(mode),
            stats: StatsRecorder::default(),
            clock_skew_secs: AtomicI64::new(0),
        };
        Ok(WooClient {
            inner: Arc::new(inner),
        })
    }

    /// Requests sent so far, by method and route template, and how the concurrency limit
    /// fared.
    pub fn stats(&self) -> RequestStats {
        let mut stats = self.inner.stats.snapshot();
        let limiter = self.inner.limiter.counters();
        stats.max_in_flight = limiter.max_in_flight as u64;
        stats.concurrency_limit = limiter.limit as u64;
        stats.slow_downs = limiter.slow_downs;
        stats.pauses = limiter.pauses;
        stats
    }

    /// The authentication currently used (it changes from Basic to query-string keys when the
    /// server turns out to drop the `Authorization` header).
    pub fn auth_mode(&self) -> AuthMode {
        self.inner.auth.get()
    }

    /// The validated store address (home URL, no trailing slash).
    pub fn store_url(&self) -> &str {
        self.inner.store.as_str()
    }

    /// The batch size in use: the configured limit, lowered after a store refused a batch as
    /// too large.
    pub fn batch_limit(&self) -> usize {
        self.inner.batch_limit.load(Ordering::SeqCst)
    }

    fn oauth_timestamp(&self) -> i64 {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        now + self.inner.clock_skew_secs.load(Ordering::SeqCst)
    }

    /// Remembers how far the store's clock is from ours, for OAuth timestamps.
    fn observe_date(&self, headers: &HeaderMap) {
        let Some(date) = headers.get("date").and_then(|v| v.to_str().ok()) else {
            return;
        };
        if let Ok(server) = chrono::DateTime::parse_from_rfc2822(date) {
            let skew = server.timestamp() - chrono::Utc::now().timestamp();
            // Differences of a few seconds are transfer time, not skew.
            let skew = if skew.abs() <= 5 { 0 } else { skew };
            self.inner.clock_skew_secs.store(skew, Ordering::SeqCst);
        }
    }

    async fn send_once(&self, call: &Call, mode: Option<AuthMode>) -> Result<RawAnswer, SendError> {
        let unsigned = self
            .inner
            .store
            .url(&call.path, &query_string(&call.query))
            .map_err(SendError::Woo)?;
        let url = match mode {
            Some(mode) => authorize_url(
                unsigned,
                mode,
                &self.inner.creds,
                call.method.as_str(),
                self.oauth_timestamp(),
            ),
            None => unsigned,
        };
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .header(ACCEPT, "application/json");
        if mode == Some(AuthMode::Basic) {
            request = request.basic_auth(
                &self.inner.creds.key,
                Some(self.inner.creds.secret.expose()),
            );
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body.clone());
        }
        let mut response = request.send().await.map_err(SendError::Http)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.observe_date(&headers);
        // Read in pieces so a runaway answer is refused before it fills the memory of QBM.
        let too_large = || {
            SendError::Woo(WooError::unexpected(
                call.name(),
                format!(
                    "the answer is larger than {} MiB, far more than a page or a batch of records",
                    MAX_ANSWER_BYTES / (1024 * 1024)
                ),
            ))
        };
        if response
            .content_length()
            .is_some_and(|len| len > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let idle = self.inner.cfg.idle_timeout;
        let stalled = |detail: String| {
            SendError::Stalled(
                WooError::new(WooErrorKind::Timeout)
                    .with_request(call.name())
                    .with_timeout(idle)
                    .with_detail(detail),
            )
        };
        let mut body = Vec::new();
        let mut window_started = Instant::now();
        let mut window_bytes = 0usize;
        loop {
            // reqwest hands out decompressed bytes: the cap below is on what would be kept.
            let chunk = match tokio::time::timeout(idle, response.chunk()).await {
                Err(_) => {
                    return Err(stalled(format!(
                        "it started the answer and then sent nothing for {}",
                        crate::runtime::timeouts::spoken(idle)
                    )));
                }
                Ok(chunk) => chunk.map_err(SendError::Http)?,
            };
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
            window_bytes += chunk.len();
            if window_started.elapsed() >= idle {
                if window_bytes < MIN_BYTES_PER_IDLE_WINDOW {
                    return Err(stalled(format!(
                        "it sent the answer too slowly ({} bytes in {})",
                        window_bytes,
                        crate::runtime::timeouts::spoken(Duration::from_millis(
                            window_started.elapsed().as_millis() as u64
                        ))
                    )));
                }
                window_started = Instant::now();
                window_bytes = 0;
            }
        }
        Ok(RawAnswer::new(status, &headers, body))
    }

    /// Removes the consumer secret from text before it leaves the client.
    pub(crate) fn scrub_text(&self, text: &str) -> String {
        self.inner.redactor.redact(text)
    }

    /// Removes the consumer secret from an error before it leaves the client.
    pub(crate) fn scrub(&self, err: WooError) -> WooError {
        err.redacted(&self.inner.redactor)
    }

    /// Sends `call` with authentication, retries, the concurrency limit and cancellation.
    pub(crate) async fn execute(
        &self,
        call: &Call,
        cancel: Option<&CancelToken>,
    ) -> Result<Reply, WooError> {
        self.execute_unscrubbed(call, cancel, None)
            .await
            .map_err(|e| self.scrub(e))
    }

    /// [`execute`](Self::execute) for one request of a larger operation: once `stop` is set
    /// (another request of the operation failed), the call ends as cancelled if it has not
    /// been sent yet — also when it was waiting for a slot.
    pub(crate) async fn execute_unless_stopped(
        &self,
        call: &Call,
        cancel: &CancelToken,
        stop: &CancelToken,
    ) -> Result<Reply, WooError> {
        self.execute_unscrubbed(call, Some(cancel), Some(stop))
            .await
            .map_err(|e| self.scrub(e))
    }

    async fn execute_unscrubbed(
        &self,
        call: &Call,
        cancel: Option<&CancelToken>,
        stop: Option<&CancelToken>,
    ) -> Result<Reply, WooError> {
        let name = call.name();
        // Logged instead of the URL: the path only, never the query string.
        let route = format!("/{}", call.path);
        let idempotent = call.idempotent();
        let policy = &self.inner.cfg.retry;
        let mut attempt: u32 = 0;
        let mut sent_before = false;
        let mut mode_override: Option<AuthMode> = None;
        let mut fallback_tried = false;
        let mut skew_retry_tried = false;

        loop {
            attempt += 1;
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(WooError::cancelled());
            }
            let mode = call
                .authenticated
                .then(|| mode_override.unwrap_or_else(|| self.inner.auth.get()));

            // Waiting for a slot sends nothing, so it may always be interrupted.
            let permit = match self
                .inner
                .limiter
                .acquire(cancel, policy.max_retry_after)
                .await
            {
                Ok(p) => p,
                Err(Refusal::Cancelled) => return Err(WooError::cancelled()),
                Err(Refusal::Paused(left)) => {
                    return Err(WooError::new(WooErrorKind::RateLimited)
                        .with_request(name)
                        .with_status(429)
                        .with_retry_after(Some(Duration::from_secs(
                            left.as_secs_f64().ceil() as u64
                        ))));
                }
            };
            // A cancel that arrived while waiting for the slot: nothing has been sent yet.
            if cancel.is_some_and(CancelToken::is_cancelled)
                || (!sent_before && stop.is_some_and(CancelToken::is_cancelled))
            {
                return Err(WooError::cancelled());
            }
            self.inner
                .stats
                .record(call.method.as_str(), &call.template, sent_before);
            sent_before = true;
            let route_key = format!("{} {}", call.method, call.template);
            let baseline = self.inner.limiter.baseline(&route_key);
            let started = Instant::now();
            // A cancel while the store is working on a write gives up waiting too: the person
            // at the screen is not held for the request timeout. The write may have been
            // applied, so it ends as "outcome unknown" and the caller reads the store again.
            let sent = cancellable(cancel, self.send_once(call, mode)).await;
            let latency = started.elapsed();
            let elapsed_ms = latency.as_millis() as u64;

            let (event, result) = match sent {
                None => {
                    permit.finish(&route_key, Signal::Neutral);
                    if idempotent {
                        return Err(WooError::cancelled());
                    }
                    return Err(WooError::outcome_unknown(name, WooError::cancelled()));
                }
                Some(Err(SendError::Woo(e))) => (Event::Fatal, Err(e)),
                Some(Err(SendError::Stalled(e))) => {
                    tracing::debug!(
                        method = %call.method,
                        route = %route,
                        attempt,
                        elapsed_ms,
                        "store answer stalled"
                    );
                    (Event::Timeout, Err(e))
                }
                Some(Err(SendError::Http(e))) => {
                    let (event, err) = classify_transport(
                        &e,
                        &self.inner.store,
                        &name,
                        self.inner.cfg.request_timeout,
                    );
                    tracing::debug!(
                        method = %call.method,
                        route = %route,
                        attempt,
                        elapsed_ms,
                        error = ?err.kind(),
                        "store request failed"
                    );
                    (event, Err(err))
                }
                Some(Ok(answer)) => {
                    tracing::debug!(
                        method = %call.method,
                        route = %route,
                        status = answer.status,
                        attempt,
                        elapsed_ms,
                        "store request"
                    );
                    interpret_redacted(
                        call.method.as_str(),
                        &name,
                        &answer,
                        SystemTime::now(),
                        &self.inner.redactor,
                    )
                }
            };
            let signal = match &event {
                Event::Answered { .. } => Signal::Answered { latency, baseline },
                Event::Transient { status, .. } if is_overload_status(*status) => {
                    Signal::Overloaded
                }
                Event::Timeout | Event::ConnectionLost => Signal::Overloaded,
                _ => Signal::Neutral,
            };
            permit.finish(&route_key, signal);
            // The store asked for a pause: every request of this client honours it.
            if let Event::Transient {
                status: 429,
                retry_after: Some(wait),
            } = &event
            {
                self.inner.limiter.pause(*wait);
            }

            // Basic credentials that never reached WordPress look like an unknown key; try the
            // same request once with the keys in the query string.
            if mode == Some(AuthMode::Basic)
                && !fallback_tried
                && matches!(&result, Err(e) if e.kind() == WooErrorKind::UnknownKey)
            {
                fallback_tried = true;
                mode_override = Some(AuthMode::QueryString);
                attempt -= 1;
                tracing::info!(route = %route, "Basic authentication was not accepted; trying the keys in the query string");
                continue;
            }
            if mode_override == Some(AuthMode::QueryString) && proves_auth_worked(&result) {
                if self.inner.auth.get() != AuthMode::QueryString {
                    tracing::warn!(
                        "the store ignores the Authorization header; using API keys in the query string from now on"
                    );
                }
                self.inner.auth.set(AuthMode::QueryString);
                mode_override = None;
            }
            // The Date header of the refusal corrected the clock offset: sign once more.
            if mode == Some(AuthMode::OAuth1)
                && !skew_retry_tried
                && matches!(&result, Err(e) if e.kind() == WooErrorKind::ClockSkew)
            {
                skew_retry_tried = true;
                attempt -= 1;
                continue;
            }

            let outcome = Outcome { idempotent, event };
            match decide(attempt, &outcome, policy) {
                Decision::Stop(Stop::WriteOutcomeUnknown) => {
                    return match result {
                        Ok(reply) => Ok(reply),
                        Err(cause) => Err(WooError::outcome_unknown(name, cause)),
                    };
                }
                Decision::Stop(_) => {
                    if result.is_ok() {
                        self.inner.budget.refill();
                    }
                    return result;
                }
                Decision::Retry { delay, jitter } => {
                    let cost = if outcome.event == Event::Timeout {
                        TIMEOUT_RETRY_COST
                    } else {
                        RETRY_COST
                    };
                    if !self.inner.budget.try_spend(cost) {
                        tracing::warn!(route = %route, "retry budget exhausted; not retrying");
                        return result;
                    }
                    let delay = if jitter {
                        apply_jitter(delay, rand::rng().random::<f64>())
                    } else {
                        delay
                    };
                    tracing::warn!(
                        method = %call.method,
                        route = %route,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %result.as_ref().err().map(|e| format!("{:?}", e.kind())).unwrap_or_default(),
                        "retrying store request"
                    );
                    if cancellable(cancel, tokio::time::sleep(delay))
                        .await
                        .is_none()
                    {
                        return Err(WooError::cancelled());
                    }
                }
            }
        }
    }
}

/// Failures of one send: building the URL or refusing the answer, an answer that stalled, or
/// the HTTP exchange.
enum SendError {
    Woo(WooError),
    Stalled(WooError),
    Http(reqwest::Error),
}

/// Statuses that say the store (or its host) cannot keep up.
fn is_overload_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504 | 508 | 520..=524)
}

/// After query-string keys were tried: did the store accept them (the request got past the
/// authentication layer)?
fn proves_auth_worked(result: &Result<Reply, WooError>) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => matches!(
            e.kind(),
            WooErrorKind::Rejected
                | WooErrorKind::NotFound
                | WooErrorKind::ReadOnlyKey
                | WooErrorKind::WriteOnlyKey
                | WooErrorKind::Forbidden
                | WooErrorKind::WrongSecret
                | WooErrorKind::BatchTooLarge
        ),
    }
}

/// Runs `fut`, or gives up (`None`) when the token is cancelled first.
async fn cancellable<F: std::future::Future>(
    cancel: Option<&CancelToken>,
    fut: F,
) -> Option<F::Output> {
    match cancel {
        Some(token) => {
            tokio::select! {
                out = fut => Some(out),
                () = token.cancelled() => None,
            }
        }
        None => Some(fut.await),
    }
}
