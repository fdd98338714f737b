//! [`SimStore`]: a running simulated store on its own thread and Tokio runtime.

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::Context as _;
use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

use super::counts::{LoggedRequest, RequestBook, RequestCounts};
use super::faults::FaultControl;
use super::keys::{ApiKey, KeyPermission, KeyRing};
use super::model::{StoreData, StoreSettings};
use super::options::{Behaviour, Permalinks, SiteKind, StoreOptions, normalise_prefix};
use super::seed::{SeedSpec, generate};
use super::server::{Shared, lock, serve};
use super::shop::{self, Checkout, PlacedOrder, RefundSpec, ShopError};

/// A simulated WooCommerce store listening on `127.0.0.1`.
///
/// Dropping it (or calling [`SimStore::shutdown`]) stops the server; connections still open,
/// including hung ones, are closed.
pub struct SimStore {
    shared: Arc<Shared>,
    handle: Handle<SocketAddr>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimStore")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl SimStore {
    /// Starts a store on a random port; returns once it accepts connections.
    pub fn start(opts: StoreOptions) -> anyhow::Result<SimStore> {
        let listener =
            TcpListener::bind(("127.0.0.1", 0)).context("binding 127.0.0.1 on a random port")?;
        Self::start_on(listener, opts)
    }

    /// Starts a store on an already bound listener (e.g. a fixed port).
    pub fn start_on(listener: TcpListener, opts: StoreOptions) -> anyhow::Result<SimStore> {
        let port = listener.local_addr()?.port();
        let tls_config = opts
            .tls
            .as_ref()
            .map(super::tls::TlsMaterial::server_config)
            .transpose()?;
        let scheme = if tls_config.is_some() {
            "https"
        } else {
            "http"
        };
        let mut settings = StoreSettings::new(&opts.currency, opts.timezone);
        settings.store_name = opts.store_name.clone();
        settings.woocommerce_version = opts.woocommerce_version.clone();
        settings.manage_stock = opts.manage_stock_enabled;
        settings.batch_limit = opts.batch_limit;
        let shared = Arc::new(Shared {
            data: Mutex::new(StoreData::new(settings)),
            keys: Mutex::new(KeyRing::default()),
            behaviour: Mutex::new(Behaviour {
                permalinks: opts.permalinks,
                site: opts.site,
                strip_authorization: opts.strip_authorization,
                redirect_to: opts.redirect_to.clone(),
            }),
            faults: FaultControl::default(),
            book: Mutex::new(RequestBook::default()),
            origin: format!("{scheme}://127.0.0.1:{port}"),
            path_prefix: normalise_prefix(&opts.path_prefix),
            tls: tls_config.is_some(),
        });
        let app = Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&shared));
        let handle: Handle<SocketAddr> = Handle::new();
        let server_handle = handle.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<()>>();
        let thread = std::thread::Builder::new()
            .name(format!("sim-store-{port}"))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.into()));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let service = app.into_make_service();
                    let result = match tls_config {
                        Some(config) => {
                            match axum_server::tls_rustls::from_tcp_rustls(
                                listener,
                                RustlsConfig::from_config(config),
                            ) {
                                Ok(server) => {
                                    let _ = ready_tx.send(Ok(()));
                                    server.handle(server_handle).serve(service).await
                                }
                                Err(e) => Err(e),
                            }
                        }
                        None => match axum_server::from_tcp(listener) {
                            Ok(server) => {
                                let _ = ready_tx.send(Ok(()));
                                server.handle(server_handle).serve(service).await
                            }
                            Err(e) => Err(e),
                        },
                    };
                    if let Err(e) = result {
                        // The caller is already gone if serving failed after start-up.
                        let _ = ready_tx.send(Err(e.into()));
                    }
                });
            })
            .context("spawning the store thread")?;
        ready_rx
            .recv()
            .context("the store thread ended before it was ready")??;
        Ok(SimStore {
            shared,
            handle,
            thread: Some(thread),
        })
    }

    /// The site's home URL: `http(s)://127.0.0.1:PORT` plus the path prefix.
    pub fn base_url(&self) -> String {
        self.shared.home()
    }

    /// The REST root of WooCommerce (`{base_url}/wp-json/wc/v3`).
    pub fn api_url(&self) -> String {
        format!("{}/wp-json/wc/v3", self.base_url())
    }

    /// Whether the store serves HTTPS.
    pub fn is_tls(&self) -> bool {
        self.shared.tls
    }

    /// Creates a new random API key with `permission`.
    pub fn create_key(&self, permission: KeyPermission) -> ApiKey {
        let key = ApiKey::random();
        self.add_key(key.clone(), permission);
        key
    }

    /// Adds a key with known values (for repeatable set-ups).
    pub fn add_key(&self, key: ApiKey, permission: KeyPermission) {
        lock(&self.shared.keys).insert(key, permission);
    }

    /// Deletes a key; the next request with it is treated as WooCommerce treats a deleted key.
    pub fn revoke_key(&self, consumer_key: &str) {
        lock(&self.shared.keys).revoke(consumer_key);
    }

    /// Fault injection for this store.
    pub fn faults(&self) -> FaultControl {
        self.shared.faults.clone()
    }

    /// Request counts since the start or the last [`SimStore::reset_requests`].
    pub fn requests(&self) -> RequestCounts {
        lock(&self.shared.book).counts.clone()
    }

    /// The most recent requests in arrival order (bounded).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.book).log.clone()
    }

    /// Where the request counts can be read over HTTP: `GET` answers them as JSON, `POST` to
    /// `…/reset` clears them. Neither is counted.
    pub fn requests_url(&self) -> String {
        format!("{}/__sim/requests", self.shared.origin)
    }

    /// Clears counts and log (requests still in flight stay in flight).
    pub fn reset_requests(&self) {
        lock(&self.shared.book).reset();
    }

    /// Replaces catalog, customers and orders with generated (or fixture) data; settings stay.
    pub fn seed(&self, spec: &SeedSpec) {
        let settings = lock(&self.shared.data).settings.clone();
        let fresh = generate(spec, settings);
        *lock(&self.shared.data) = fresh;
    }

    /// `(products, variable products)` in the catalog, variations not counted: with them, the
    /// fewest requests a full read of the catalog needs is `ceil(products / 100) + variable`.
    pub fn catalog_size(&self) -> (u64, u64) {
        self.with_data(|data| {
            let parents = data.products.values().filter(|p| p.parent_id == 0);
            let (mut products, mut variable) = (0, 0);
            for product in parents {
                products += 1;
                if product.kind.as_str() == "variable" {
                    variable += 1;
                }
            }
            (products, variable)
        })
    }

    /// Runs `f` on the store's data while no request is being handled.
    ///
    /// `f` must not call back into this `SimStore` (the data lock is held). The store clock in
    /// [`StoreData::clock`] stamps data only; OAuth timestamps and the `Date` header use the
    /// system clock, as a real server's would.
    pub fn with_data<R>(&self, f: impl FnOnce(&mut StoreData) -> R) -> R {
        let mut data = lock(&self.shared.data);
        let result = f(&mut data);
        // `f` may have changed SKUs, slugs or parents behind the lookups' back.
        data.reindex();
        result
    }

    /// A shopper checks out: places an order as WooCommerce's checkout does (prices, taxes and
    /// totals from the catalog; stock reduced for `processing` and `on-hold` orders, on the
    /// parent for parent-managed variations; the account's addresses saved).
    pub fn place_order(&self, checkout: &Checkout) -> Result<PlacedOrder, ShopError> {
        shop::place_order(&mut lock(&self.shared.data), checkout)
    }

    /// Staff change an order's status in WP admin, with WooCommerce's side effects (cancelling
    /// restores reduced stock, `refunded` refunds what is left, the paid date is stamped).
    pub fn set_order_status(&self, order_id: u64, status: &str) -> Result<(), ShopError> {
        shop::set_order_status(&mut lock(&self.shared.data), order_id, status)
    }

    /// Staff refund an order; returns the refund id.
    pub fn refund_order(&self, order_id: u64, refund: &RefundSpec) -> Result<u64, ShopError> {
        shop::refund_order(&mut lock(&self.shared.data), order_id, refund)
    }

    /// Staff set the stock of a product or variation in WP admin (its modified date, and a
    /// variation's parent's, move on).
    pub fn set_stock(&self, item_id: u64, quantity: i64) -> Result<(), ShopError> {
        shop::set_stock(&mut lock(&self.shared.data), item_id, quantity)
    }

    /// Staff edit an order; `changes` is a body as `PUT /orders/{id}` takes it.
    pub fn edit_order(&self, order_id: u64, changes: &serde_json::Value) -> Result<(), ShopError> {
        shop::edit_order(&mut lock(&self.shared.data), order_id, changes)
    }

    /// Turns "Enable stock management" on or off.
    pub fn set_manage_stock_enabled(&self, on: bool) {
        lock(&self.shared.data).settings.manage_stock = on;
    }

    /// Changes the batch item limit.
    pub fn set_batch_limit(&self, limit: usize) {
        lock(&self.shared.data).settings.batch_limit = limit;
    }

    /// Changes the store time zone.
    pub fn set_timezone(&self, timezone: chrono_tz::Tz) {
        lock(&self.shared.data).settings.timezone = timezone;
    }

    /// Starts or stops dropping the `Authorization` header.
    pub fn set_strip_authorization(&self, on: bool) {
        lock(&self.shared.behaviour).strip_authorization = on;
    }

    /// Switches the permalink structure.
    pub fn set_permalinks(&self, permalinks: Permalinks) {
        lock(&self.shared.behaviour).permalinks = permalinks;
    }

    /// Switches what kind of site answers.
    pub fn set_site_kind(&self, site: SiteKind) {
        lock(&self.shared.behaviour).site = site;
    }

    /// Redirects every request to `base` (or stops redirecting).
    pub fn set_redirect_to(&self, base: Option<String>) {
        lock(&self.shared.behaviour).redirect_to = base;
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop();
    }

    /// Stops accepting connections, gives the requests in flight up to `grace` to finish, then
    /// stops; returns the final request counts.
    pub fn shutdown_gracefully(mut self, grace: std::time::Duration) -> RequestCounts {
        self.handle.graceful_shutdown(Some(grace));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.requests()
    }

    fn stop(&mut self) {
        self.handle.shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SimStore {
    fn drop(&mut self) {
        self.stop();
    }
}
