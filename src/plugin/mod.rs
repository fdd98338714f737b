//! The plugin core: one instance per `create`, owning its async runtime and talking to QBM only
//! through [`HostPort`].

pub mod actions;
pub mod error;
pub mod options;
pub mod screens;
pub mod woo_items;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;

pub use error::{CoreError, CoreResult};

use crate::host_port::HostPort;
use crate::integration_log::{IntegrationLog, LogLayer};
use crate::secret::Secret;
use crate::woo::{CancelToken, WooClient, WooConfig};
use actions::ActionResponse;
use options::{OptionReport, OptionValues, Settings};

/// How long Reconnect waits for each answer of the store.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// How long `destroy` waits for background work to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The connection settings a cached client was built from.
#[derive(Clone, PartialEq, Eq)]
struct ClientKey {
    store_url: String,
    consumer_key: String,
    consumer_secret: Secret,
    allow_insecure_http: bool,
}

/// One plugin instance.
pub struct Plugin {
    host: Arc<dyn HostPort>,
    runtime: tokio::runtime::Runtime,
    running: Mutex<HashMap<u64, CancelToken>>,
    log: Arc<IntegrationLog>,
    /// Routes this instance's `tracing` events to its own log (several instances may share a
    /// process, so no global subscriber is installed).
    dispatch: tracing::Dispatch,
    client: Mutex<Option<(ClientKey, Arc<WooClient>)>>,
    woo_items: woo_items::WooItemCache,
}

impl Plugin {
    /// Creates an instance; builds its runtime but calls nothing on the host yet.
    pub fn new(host: Arc<dyn HostPort>) -> CoreResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("qbm-wc-worker")
            .enable_all()
            .build()
            .map_err(|err| CoreError::Internal(format!("could not start worker threads: {err}")))?;
        let log = Arc::new(IntegrationLog::new(Arc::clone(&host)));
        // `host` moves into the struct below; the cache needs its own handle.
        let host_for_cache = Arc::clone(&host);
        let dispatch = tracing::Dispatch::new(tracing_subscriber::layer::SubscriberExt::with(
            tracing_subscriber::registry(),
            LogLayer::new(Arc::clone(&log)),
        ));
        Ok(Self {
            host,
            runtime,
            running: Mutex::new(HashMap::new()),
            log,
            dispatch,
            client: Mutex::new(None),
            woo_items: woo_items::WooItemCache::new(host_for_cache),
        })
    }

    /// The cached WooCommerce catalog.
    pub fn woo_items(&self) -> &woo_items::WooItemCache {
        &self.woo_items
    }

    /// The integration log.
    pub fn log(&self) -> &IntegrationLog {
        &self.log
    }

    /// Runs `f` with this instance's `tracing` events going to its log.
    pub fn traced<R>(&self, f: impl FnOnce() -> R) -> R {
        tracing::dispatcher::with_default(&self.dispatch, f)
    }

    fn client_config(settings: &Settings) -> CoreResult<(ClientKey, WooConfig)> {
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
        };
        let mut config = WooConfig::new(
            settings.store_url.clone(),
            settings.consumer_key.clone(),
            secret,
        );
        config.allow_insecure_http = settings.allow_insecure_http;
        Ok((key, config))
    }

    fn build_client(&self, config: WooConfig) -> CoreResult<WooClient> {
        // The client's connection pool belongs to this instance's runtime.
        let _enter = self.runtime.enter();
        Ok(WooClient::new(config)?)
    }

    /// The client for the store in `settings`: the cached one while the connection settings are
    /// unchanged, else a new one.
    pub fn client(&self, settings: &Settings) -> CoreResult<Arc<WooClient>> {
        let (key, config) = Self::client_config(settings)?;
        let mut cached = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((cached_key, client)) = cached.as_ref()
            && *cached_key == key
        {
            return Ok(Arc::clone(client));
        }
        let client = Arc::new(self.build_client(config)?);
        *cached = Some((key, Arc::clone(&client)));
        Ok(client)
    }

    /// A one-off client for Reconnect: it answers quickly (no retries, a shorter timeout) so the
    /// person at the Options screen hears the cause at once. The cached client is dropped, so the
    /// next action connects with the settings just proved.
    pub fn probe_client(&self, settings: &Settings) -> CoreResult<WooClient> {
        let (_, mut config) = Self::client_config(settings)?;
        config.retry = crate::woo::RetryPolicy::no_retries();
        config.request_timeout = PROBE_TIMEOUT;
        *self.client.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.build_client(config)
    }

    pub fn host(&self) -> &dyn HostPort {
        self.host.as_ref()
    }

    /// Runs async work on this instance's runtime from a host thread.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        use tracing::instrument::WithSubscriber;
        self.runtime
            .block_on(future.with_subscriber(self.dispatch.clone()))
    }

    /// Current option values, read from the host. Also tells the log which secret to remove.
    pub fn option_values(&self) -> CoreResult<OptionValues> {
        let values = OptionValues::load(self.host())?;
        self.log
            .set_secrets(values.settings().consumer_secret.into_iter().collect());
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
        options::schema::schema_document()
    }

    pub fn options_document(&self) -> CoreResult<Value> {
        Ok(self.option_values()?.document())
    }

    pub fn validate_options(&self, json: &str) -> CoreResult<OptionReport> {
        options::validate(self.host(), json)
    }

    pub fn save_options(&self, json: &str) -> CoreResult<OptionReport> {
        let (report, _) = options::save(self.host(), json)?;
        Ok(report)
    }

    pub fn invoke(&self, json: &str) -> CoreResult<ActionResponse> {
        self.traced(|| actions::invoke(self, json))
    }

    /// Asks a running action to stop; unknown ids are ignored.
    pub fn cancel(&self, call_id: u64) {
        if let Some(token) = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&call_id)
        {
            token.cancel();
        }
    }

    fn register_call(&self, call_id: u64) -> CancelToken {
        let token = CancelToken::new();
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(call_id, token.clone());
        token
    }

    fn finish_call(&self, call_id: u64) {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&call_id);
    }

    /// Stops background work and waits for it (bounded), before the host may unload the library.
    pub fn shutdown(self) {
        for token in self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
        {
            token.cancel();
        }
        self.runtime.shutdown_timeout(SHUTDOWN_GRACE);
    }
}
