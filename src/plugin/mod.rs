//! The plugin core: one instance per `create`, talking to QBM only through [`HostPort`] and to
//! the store only through the [`Bridge`] to its own I/O threads.
//!
//! Every call into an instance runs on the host's thread: it reads the options once, does its
//! work (host callbacks happen here, and only here), hands network work to the bridge and waits
//! for it, and writes the log entries the call produced before it returns. No lock of the
//! instance is held while the host is called.

pub mod actions;
mod calls;
pub mod error;
pub mod jobs;
pub mod options;
pub mod screens;

use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

pub use error::{CoreError, CoreResult};

use crate::host_port::HostPort;
use crate::integration_log::{Category, IntegrationLog, LogLayer};
use crate::runtime::{Bridge, Clock, Reporter, SystemClock, Timeouts, Waiting};
use crate::secret::Secret;
use crate::sync::catalog::CatalogCache;
use crate::woo::{CancelToken, WooClient, WooConfig};
use actions::ActionResponse;
use calls::CallRegistry;
use options::{OptionReport, OptionValues, Settings};

/// Worker threads of the I/O runtime: network waits, not computation.
const IO_THREADS: usize = 2;

/// The connection settings a cached client was built from.
#[derive(Clone, PartialEq, Eq)]
struct ClientKey {
    store_url: String,
    consumer_key: String,
    consumer_secret: Secret,
    allow_insecure_http: bool,
    timeouts: Timeouts,
}

/// `base64(key:secret)`, the HTTP Basic form of the credentials.
fn basic_credentials(key: &str, secret: &Secret) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        key.trim(),
        secret.expose().trim()
    ))
}

/// One plugin instance.
pub struct Plugin {
    host: Arc<dyn HostPort>,
    clock: Arc<dyn Clock>,
    bridge: Bridge,
    calls: CallRegistry,
    log: Arc<IntegrationLog>,
    /// Routes this instance's `tracing` events (raised on the I/O threads) to its own log.
    dispatch: tracing::Dispatch,
    client: Mutex<Option<(ClientKey, Arc<WooClient>)>>,
    catalog: CatalogCache,
    jobs: jobs::Jobs,
    /// Stored option problems already written to the log by this instance.
    reported: Mutex<HashSet<String>>,
}

impl Plugin {
    /// Creates an instance: starts its I/O thread, calls nothing on the host yet.
    pub fn new(host: Arc<dyn HostPort>) -> CoreResult<Self> {
        Self::with_clock(host, Arc::new(SystemClock))
    }

    pub fn with_clock(host: Arc<dyn HostPort>, clock: Arc<dyn Clock>) -> CoreResult<Self> {
        let bridge =
            Bridge::start(IO_THREADS).map_err(|err| CoreError::Internal(err.to_string()))?;
        let log = Arc::new(IntegrationLog::new(Arc::clone(&host), Arc::clone(&clock)));
        let dispatch = tracing::Dispatch::new(tracing_subscriber::layer::SubscriberExt::with(
            tracing_subscriber::registry(),
            LogLayer::new(Arc::clone(&log)),
        ));
        Ok(Self {
            catalog: CatalogCache::new(Arc::clone(&host)),
            host,
            clock,
            bridge,
            calls: CallRegistry::default(),
            log,
            dispatch,
            client: Mutex::new(None),
            jobs: jobs::Jobs::default(),
            reported: Mutex::new(HashSet::new()),
        })
    }

    /// The cached WooCommerce catalog.
    pub fn catalog(&self) -> &CatalogCache {
        &self.catalog
    }

    /// The integration log.
    pub fn log(&self) -> &IntegrationLog {
        &self.log
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn host(&self) -> &dyn HostPort {
        self.host.as_ref()
    }

    pub fn jobs(&self) -> &jobs::Jobs {
        &self.jobs
    }

    /// Writes the log entries this call produced (host thread, end of every call).
    pub fn after_call(&self) {
        self.log.flush();
    }

    /// The waits this workstation bounds: the defaults, or the override in its option storage
    /// (see [`crate::runtime::timeouts`]). An unreadable override is logged once and ignored.
    pub fn timeouts(&self) -> Timeouts {
        let stored = match self.host.storage_get(
            crate::host_port::StorageArea::WorkstationOptions,
            crate::runtime::timeouts::STORAGE_KEY,
        ) {
            Ok(stored) => stored,
            Err(err) => {
                self.warn_once(format!(
                    "the network timeouts of this workstation could not be read ({err}); the defaults apply"
                ));
                return Timeouts::default();
            }
        };
        match stored.as_deref().map(Timeouts::parse) {
            None => Timeouts::default(),
            Some(Ok(timeouts)) => timeouts,
            Some(Err(err)) => {
                self.warn_once(format!(
                    "the stored network timeouts of this workstation are not readable ({err}); the defaults apply"
                ));
                Timeouts::default()
            }
        }
    }

    /// Logs `text` as a connection warning, once per instance.
    fn warn_once(&self, text: String) {
        if self
            .reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(text.clone())
        {
            self.log.warn(Category::Connection, &text);
        }
    }

    fn client_config(
        settings: &Settings,
        timeouts: Timeouts,
    ) -> CoreResult<(ClientKey, WooConfig)> {
        let secret = settings.consumer_secret.clone().ok_or_else(|| {
            CoreError::NotConfigured(
                "the Consumer Secret is empty: paste it in Options → Integrations → WooCommerce"
                    .into(),
            )
        })?;
        if settings.store_url.is_empty() {
            return Err(CoreError::NotConfigured(
                "the Store URL is empty: enter it in Options → Integrations → WooCommerce".into(),
            ));
        }
        if settings.consumer_key.is_empty() {
            return Err(CoreError::NotConfigured(
                "the Consumer Key is empty: paste it in Options → Integrations → WooCommerce"
                    .into(),
            ));
        }
        let key = ClientKey {
            store_url: settings.store_url.clone(),
            consumer_key: settings.consumer_key.clone(),
            consumer_secret: secret.clone(),
            allow_insecure_http: settings.allow_insecure_http,
            timeouts,
        };
        let mut config = WooConfig::new(
            settings.store_url.clone(),
            settings.consumer_key.clone(),
            secret,
        );
        config.allow_insecure_http = settings.allow_insecure_http;
        config.connect_timeout = timeouts.connect;
        config.request_timeout = timeouts.request;
        config.idle_timeout = timeouts.idle;
        config.retry.initial_backoff = timeouts.retry_backoff;
        Ok((key, config))
    }

    fn build_client(&self, config: WooConfig) -> CoreResult<WooClient> {
        // Built on an I/O thread: its connection pool belongs to the I/O runtime.
        self.io(
            None,
            &CancelToken::new(),
            async move { WooClient::new(config) },
        )?
        .map_err(CoreError::from)
    }

    /// The client for the store in `settings`: the cached one while the connection settings are
    /// unchanged, else a new one.
    pub fn client(&self, settings: &Settings) -> CoreResult<Arc<WooClient>> {
        let (key, config) = Self::client_config(settings, self.timeouts())?;
        if let Some((cached_key, client)) = self
            .client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            && *cached_key == key
        {
            return Ok(Arc::clone(client));
        }
        let client = Arc::new(self.build_client(config)?);
        *self.client.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((key, Arc::clone(&client)));
        Ok(client)
    }

    /// A one-off client for Reconnect: it answers quickly (no retries, a shorter timeout) so the
    /// person at the Options screen hears the cause at once. The cached client is dropped, so the
    /// next action connects with the settings just proved.
    pub fn probe_client(&self, settings: &Settings) -> CoreResult<WooClient> {
        let timeouts = self.timeouts();
        let (_, mut config) = Self::client_config(settings, timeouts)?;
        config.retry = crate::woo::RetryPolicy::no_retries();
        config.request_timeout = timeouts.probe;
        config.idle_timeout = config.idle_timeout.min(timeouts.probe);
        *self.client.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.build_client(config)
    }

    /// Runs `future` on the I/O threads while this (host) thread waits. Progress reported
    /// through the [`Reporter`] goes to the host's `progress` callback for `call_id` (a cancel
    /// answer cancels `cancel`); the log is written while waiting.
    pub fn io_reporting<T, F>(
        &self,
        call_id: Option<u64>,
        cancel: &CancelToken,
        make: impl FnOnce(Reporter) -> F,
    ) -> CoreResult<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        self.io_waiting(call_id, cancel, make, &|| {})
    }

    /// [`Plugin::io_reporting`], calling `tick` each time the waiting thread wakes up (to stop
    /// the work at a deadline).
    pub fn io_waiting<T, F>(
        &self,
        call_id: Option<u64>,
        cancel: &CancelToken,
        make: impl FnOnce(Reporter) -> F,
        tick: &dyn Fn(),
    ) -> CoreResult<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        use tracing::instrument::WithSubscriber;
        let dispatch = self.dispatch.clone();
        let mut waiting = |event: Waiting| {
            if let (Waiting::Progress(p), Some(call_id)) = (&event, call_id)
                && !self.host.progress(call_id, p.done, p.total, &p.message)
            {
                cancel.cancel();
            }
            tick();
            self.log.flush();
        };
        self.bridge
            .run_reporting(
                |reporter| make(reporter).with_subscriber(dispatch),
                &mut waiting,
            )
            .map_err(|err| CoreError::Internal(err.to_string()))
    }

    /// [`Plugin::io_reporting`] for work that reports no progress.
    pub fn io<T, F>(&self, call_id: Option<u64>, cancel: &CancelToken, future: F) -> CoreResult<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        self.io_reporting(call_id, cancel, |_| future)
    }

    /// Current option values, read from the host once for this call. Also tells the log which
    /// secrets to remove, and logs stored values that could not be read (once per instance).
    pub fn option_values(&self) -> CoreResult<OptionValues> {
        let values = OptionValues::load(self.host())?;
        if !self.log.has_workstation()
            && let Ok(identity) = self.host.identity()
        {
            self.log.set_workstation(&identity.workstation);
        }
        let settings = values.settings();
        let mut secrets = Vec::new();
        if let Some(secret) = settings.consumer_secret {
            // A page that echoes the request's Authorization header shows them this way.
            secrets.push(Secret::new(basic_credentials(
                &settings.consumer_key,
                &secret,
            )));
            secrets.push(secret);
        }
        self.log.set_secrets(secrets);
        for problem in values.problems() {
            let text = format!("{}: {}", problem.label, problem.message);
            if self
                .reported
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(text.clone())
            {
                self.log
                    .warn(Category::Connection, &format!("Options: {text}"));
            }
        }
        Ok(values)
    }

    pub fn menu(&self) -> CoreResult<Value> {
        let enabled = self.option_values()?.flag(options::keys::ENABLED);
        Ok(screens::menu_document(enabled))
    }

    pub fn screen(&self, id: &str) -> CoreResult<Value> {
        let screen = screens::screen(id).ok_or_else(|| CoreError::UnknownScreen(id.to_string()))?;
        Ok(screens::screen_document(screen))
    }

    pub fn option_schema(&self) -> Value {
        options::schema::schema_document(self.host.capabilities().secrets)
    }

    pub fn options_document(&self) -> CoreResult<Value> {
        let values = self.option_values()?;
        let read_only = self.read_only_values(&values.settings());
        Ok(values.document(&read_only))
    }

    /// The values only the plugin writes: the last order sync point and the job status lines.
    fn read_only_values(&self, settings: &Settings) -> BTreeMap<&'static str, Value> {
        jobs::read_only_values(self, settings)
    }

    pub fn validate_options(&self, json: &str) -> CoreResult<OptionReport> {
        let current = self.option_values()?;
        options::validate(self.host(), &current, json)
    }

    pub fn save_options(&self, json: &str) -> CoreResult<OptionReport> {
        let current = self.option_values()?;
        let (report, _) = options::save(self.host(), &current, json)?;
        Ok(report)
    }

    pub fn invoke(&self, json: &str) -> CoreResult<ActionResponse> {
        actions::invoke(self, json)
    }

    /// Asks a running action to stop (0: every running action that came without a call id).
    /// Unknown ids are ignored. Calls no host callback.
    pub fn cancel(&self, call_id: u64) {
        self.calls.cancel(call_id);
    }

    /// Runs the background jobs that are due; the report and how long to wait for the next call.
    pub fn run_due_jobs(&self) -> CoreResult<(Value, u64)> {
        jobs::run_due(self)
    }

    /// Notes that these items' stock moved; they are published on the next job run.
    pub fn stock_changed(&self, json: &str) -> CoreResult<()> {
        jobs::stock_changed(self, json)
    }

    /// Stops background work and waits for it (bounded), before the host may unload the library.
    pub fn shutdown(self) {
        self.calls.cancel_all();
        self.bridge.shutdown();
    }
}
