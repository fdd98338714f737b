//! What the benchmarks share: a simulated store in a child process (so the host process's memory
//! is the host's own), its request counters, a QBM company that mirrors the store, the naive
//! per-item peer, peak memory, and the printed table.
//!
//! Every figure printed comes from a counter: the store's request counts and most requests in
//! flight (`GET /__sim/requests`), the wall clock, and `/proc/self/status`.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use host_sim::company::Company;
use host_sim::company::records::Item;
use host_sim::plugin_path;
use host_sim::services::SimHost;
use host_sim::session::Session;
use host_sim::store::model::StockOwner;
use host_sim::store::{FaultKind, FaultRule, KeyPermission, RequestCounts, SeedSpec, SimStore};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The environment variable that turns a benchmark binary into the store's child process.
const CHILD: &str = "QBM_BENCH_STORE";

/// The client's ceiling of requests in flight (`woo::limiter::DEFAULT_MAX_CONCURRENCY`).
pub const CONCURRENCY: u64 = qbm_woocommerce::woo::limiter::DEFAULT_MAX_CONCURRENCY as u64;

/// How the child store is seeded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoreSpec {
    /// Exactly this many products and variations (simple, variable, variations).
    pub skus: Option<usize>,
    /// Or this many parent products (with their variations).
    pub products: Option<usize>,
    pub parent_managed_share: Option<f64>,
    pub orders: usize,
    /// Orders are dated in the last this many hours (and set to "processing").
    pub order_hours: i64,
    pub latency_ms: u64,
    /// Where the child writes the catalog's facts.
    pub facts: Option<String>,
    /// Leave the catalog's facts out (a benchmark of the host's memory must not hold them).
    pub no_facts: bool,
}

/// One product or variation of the seeded store, as the benchmarks need it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fact {
    pub id: u64,
    pub parent_id: u64,
    pub kind: String,
    pub sku: String,
    /// `own`, `parent` (a variation whose parent manages the stock) or `no`.
    pub stock: String,
    /// The quantity shown (the parent's for `parent`).
    pub quantity: Option<i64>,
    pub name: String,
    pub regular_price: Option<Decimal>,
}

/// One order of the seeded store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderFact {
    pub id: u64,
    pub status: String,
    pub modified: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct Facts {
    catalog: Vec<Fact>,
    orders: Vec<OrderFact>,
}

/// If this process was started as the store's child, serves the store until stdin closes and
/// exits; otherwise returns.
pub fn serve_if_child() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let code = match serve_child(&spec) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("store child: {err:#}");
            1
        }
    };
    std::process::exit(code);
}

fn serve_child(spec: &str) -> anyhow::Result<()> {
    let spec: StoreSpec = serde_json::from_str(spec)?;
    let store = SimStore::start(Default::default())?;
    let now = Utc::now();
    let hours = chrono::Duration::hours(spec.order_hours.max(1));
    // The catalog is dated well in the past (90 days before the orders, one product every 37
    // minutes), so the store's own clock is after every date in it, as on a real store.
    let span_days = spec.skus.or(spec.products).unwrap_or(50) as i64 * 37 / (60 * 24) + 1;
    let first_order = now - chrono::Duration::days(span_days) - hours;
    let seed_orders = if spec.orders > 0 {
        (now - hours, now - chrono::Duration::minutes(5))
    } else {
        (first_order, first_order + chrono::Duration::hours(1))
    };
    let mut seed = SeedSpec {
        skus: spec.skus,
        products: spec.products.unwrap_or(0),
        customers: 0,
        orders: spec.orders,
        order_dates: seed_orders,
        ..SeedSpec::default()
    };
    if let Some(share) = spec.parent_managed_share {
        seed.parent_managed_share = share;
    }
    store.seed(&seed);
    if spec.orders > 0 {
        // Orders waiting for payment are paid, without touching their dates: every order but
        // the cancelled and refunded ones is waiting to be imported.
        store.with_data(|d| {
            for order in d.orders.values_mut() {
                if matches!(order.status.as_str(), "pending" | "on-hold") {
                    order.status = "processing".to_owned();
                }
            }
        });
    }
    let key = store.create_key(KeyPermission::ReadWrite);
    let (products, items) = store.with_data(|d| {
        let items = d.products.len();
        (
            items - d.products.values().filter(|p| p.is_variation()).count(),
            items,
        )
    });
    if let Some(path) = &spec.facts {
        let facts = store.with_data(|d| {
            if spec.no_facts {
                return Vec::new();
            }
            d.products
                .values()
                .map(|p| {
                    let stock = match d.stock_owner(p) {
                        StockOwner::Own => "own",
                        StockOwner::Parent(_) => "parent",
                        StockOwner::Nobody => "no",
                    };
                    Fact {
                        id: p.id,
                        parent_id: p.parent_id,
                        kind: p.kind.as_str().to_owned(),
                        sku: p.sku.clone(),
                        stock: stock.to_owned(),
                        quantity: d.shown_stock_quantity(p),
                        name: if p.is_variation() {
                            d.variation_title(p)
                        } else {
                            p.name.clone()
                        },
                        regular_price: p.regular_price.parse().ok(),
                    }
                })
                .collect::<Vec<_>>()
        });
        let orders = store.with_data(|d| {
            d.orders
                .values()
                .map(|o| OrderFact {
                    id: o.id,
                    status: o.status.clone(),
                    modified: o.date_modified,
                })
                .collect::<Vec<_>>()
        });
        std::fs::write(
            path,
            serde_json::to_vec(&Facts {
                catalog: facts,
                orders,
            })?,
        )?;
    }
    if spec.latency_ms > 0 {
        store
            .faults()
            .add(FaultRule::new(FaultKind::Latency(Duration::from_millis(
                spec.latency_ms,
            ))));
    }
    store.reset_requests();
    let ready = json!({
        "products": products,
        "items": items,
        "url": store.base_url(),
        "key": key.consumer_key,
        "secret": key.consumer_secret,
    });
    println!("READY {ready}");
    std::io::stdout().flush()?;
    // Serve until the parent closes stdin (or exits).
    let mut line = String::new();
    while std::io::stdin().read_line(&mut line)? > 0 {
        line.clear();
    }
    Ok(())
}

/// A simulated store in a child process.
pub struct Store {
    child: Child,
    _stdin: ChildStdin,
    pub url: String,
    pub key: String,
    pub secret: String,
    pub facts: Vec<Fact>,
    pub orders: Vec<OrderFact>,
    /// Products (not variations) and all items in the store as seeded.
    pub products: u64,
    pub items: u64,
    http: reqwest::Client,
    runtime: Arc<tokio::runtime::Runtime>,
    nonce: AtomicU64,
}

impl Store {
    pub fn start(mut spec: StoreSpec) -> anyhow::Result<Store> {
        let facts_file = tempfile::NamedTempFile::new()?;
        spec.facts = Some(facts_file.path().display().to_string());
        let mut child = Command::new(std::env::current_exe()?)
            .env(CHILD, serde_json::to_string(&spec)?)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the store process")?;
        let stdin = child.stdin.take().context("the store's stdin")?;
        let stdout = child.stdout.take().context("the store's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready: Value = loop {
            let line = lines
                .next()
                .context("the store process ended before it was ready")??;
            if let Some(rest) = line.strip_prefix("READY ") {
                break serde_json::from_str(rest)?;
            }
        };
        let facts: Facts = serde_json::from_slice(&std::fs::read(facts_file.path())?)?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = Arc::new(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?,
        );
        let text = |k: &str| ready[k].as_str().unwrap_or_default().to_string();
        Ok(Store {
            child,
            _stdin: stdin,
            url: text("url"),
            key: text("key"),
            secret: text("secret"),
            facts: facts.catalog,
            orders: facts.orders,
            products: ready["products"].as_u64().unwrap_or(0),
            items: ready["items"].as_u64().unwrap_or(0),
            http: reqwest::Client::builder().build()?,
            runtime,
            nonce: AtomicU64::new(1),
        })
    }

    /// The store's request counts since the last reset.
    pub fn requests(&self) -> anyhow::Result<RequestCounts> {
        let url = format!("{}/__sim/requests", self.url);
        let body = self.runtime.block_on(async {
            let reply = self.http.get(url).send().await?;
            reply.bytes().await
        })?;
        Ok(serde_json::from_slice(&body)?)
    }

    /// The store's requests since the last reset, by route: "3 × GET /wc/v3/orders, …".
    pub fn routes(&self) -> anyhow::Result<String> {
        Ok(self
            .requests()?
            .by_route()
            .iter()
            .map(|(route, n)| format!("{n} × {route}"))
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// CPU time the store process has used so far.
    pub fn cpu(&self) -> Duration {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }

    pub fn reset(&self) -> anyhow::Result<()> {
        let url = format!("{}/__sim/requests/reset", self.url);
        self.runtime
            .block_on(async { self.http.post(url).send().await?.bytes().await })?;
        Ok(())
    }

    /// One REST request signed with OAuth 1.0a (plain HTTP, as WooCommerce requires there).
    fn call(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}/wp-json/wc/v3/{path}", self.url);
        let nonce = format!(
            "n{}x{}",
            self.nonce.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut params: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        params.push(("oauth_consumer_key".into(), self.key.clone()));
        params.push(("oauth_nonce".into(), nonce));
        params.push(("oauth_signature_method".into(), "HMAC-SHA256".into()));
        params.push(("oauth_timestamp".into(), Utc::now().timestamp().to_string()));
        let mut sorted: Vec<(String, String)> =
            params.iter().map(|(k, v)| (enc(k), enc(v))).collect();
        sorted.sort();
        let normalized = sorted
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let base = format!("{method}&{}&{}", enc(&url), enc(&normalized));
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(format!("{}&", self.secret).as_bytes())?;
        mac.update(base.as_bytes());
        use base64::Engine as _;
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        params.push(("oauth_signature".into(), signature));
        let query = params
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let full = format!("{url}?{query}");
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let reply = self.runtime.block_on(async {
            let mut request = self.http.request(method, full);
            if let Some(body) = body {
                request = request
                    .header("content-type", "application/json")
                    .body(serde_json::to_vec(&body).unwrap_or_default());
            }
            let reply = request.send().await?;
            let status = reply.status();
            let bytes = reply.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        })?;
        let (status, bytes) = reply;
        anyhow::ensure!(
            status.is_success(),
            "{path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// The naive per-item peer: for each (SKU, quantity), `GET products?sku=` and a `PUT` of the
    /// stock to the item that holds it (the parent, for a variation whose parent manages it);
    /// with `skip_equal`, no `PUT` when the store already shows the quantity. One request at a
    /// time, as such loops are written.
    pub fn naive_sync(&self, lines: &[(String, i64)], skip_equal: bool) -> anyhow::Result<()> {
        for (sku, quantity) in lines {
            let found = self.call(
                "GET",
                "products",
                &[("sku", sku.clone()), ("per_page", "1".into())],
                None,
            )?;
            let Some(item) = found.as_array().and_then(|a| a.first()) else {
                continue;
            };
            let id = item["id"].as_u64().unwrap_or(0);
            let parent = item["parent_id"].as_u64().unwrap_or(0);
            if skip_equal && item["stock_quantity"].as_i64() == Some(*quantity) {
                continue;
            }
            let path = match (item["type"].as_str(), item["manage_stock"].as_str()) {
                (Some("variation"), Some("parent")) => format!("products/{parent}"),
                (Some("variation"), _) => format!("products/{parent}/variations/{id}"),
                _ => format!("products/{id}"),
            };
            self.call(
                "PUT",
                &path,
                &[],
                Some(json!({"manage_stock": true, "stock_quantity": quantity})),
            )?;
        }
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn enc(text: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, SET).to_string()
}

/// A QBM item mirroring one store item.
#[derive(Debug, Clone)]
pub struct Mirrored {
    pub qbm_id: String,
    pub fact: Fact,
    /// The quantity QBM holds now (for items whose stock the store manages).
    pub quantity: Option<i64>,
}

/// A QBM company whose items mirror the store's simple products and variations (variable parents
/// are not items): same SKU, name and price; inventory items with the store's quantity where the
/// store manages stock (the first variation of a parent that manages its variations' stock holds
/// the parent's quantity, the others 0), non-inventory items where it does not.
pub fn mirror(company: &Company, facts: &[Fact]) -> anyhow::Result<Vec<Mirrored>> {
    let mut first_of_pool: BTreeMap<u64, bool> = BTreeMap::new();
    let mut out = Vec::new();
    for fact in facts {
        if fact.sku.trim().is_empty() || fact.kind == "variable" {
            continue;
        }
        let quantity = match fact.stock.as_str() {
            "own" => Some(fact.quantity.unwrap_or(0)),
            "parent" => {
                let first = first_of_pool.insert(fact.parent_id, true).is_none();
                Some(if first { fact.quantity.unwrap_or(0) } else { 0 })
            }
            _ => None,
        };
        let item = company.items_create(&Item {
            code: fact.sku.clone(),
            name: fact.name.clone(),
            sku: Some(fact.sku.clone()),
            price: fact.regular_price,
            item_type: if quantity.is_some() {
                "inventory"
            } else {
                "non_inventory"
            }
            .into(),
            active: true,
            ..Item::default()
        })?;
        let qbm_id = item.id.context("created items have ids")?;
        if let Some(q) = quantity {
            company.set_on_hand(&qbm_id, "1", Decimal::from(q))?;
        }
        out.push(Mirrored {
            qbm_id,
            fact: fact.clone(),
            quantity,
        });
    }
    Ok(out)
}

/// Opens the plugin on `company`, connected to `store`.
pub fn session(company: Arc<Company>, store: &Store, extra: Value) -> anyhow::Result<Session> {
    let plugin = plugin_path::beside_executable().unwrap_or_else(plugin_path::build_for_tests);
    let session = Session::open(&plugin, SimHost::new(company, "admin", "BENCH"))?;
    let mut options = json!({
        "enabled": true, "store_url": store.url, "allow_insecure_http": true,
        "consumer_key": store.key, "consumer_secret": store.secret,
        "primary_location": "1", "allow_create_items": true,
    });
    if let (Some(options), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
        options.extend(extra.clone());
    }
    session.set_options(options).map_err(|(err, _)| err)?;
    Ok(session)
}

/// CPU time (user and system) of a process, from its `/proc/…/stat`.
fn cpu_of(path: &str) -> Duration {
    let ticks = std::fs::read_to_string(path)
        .ok()
        .and_then(|stat| {
            // The fields after the command name (which may contain spaces) in parentheses.
            let rest = &stat[stat.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let user: u64 = fields.get(11)?.parse().ok()?;
            let system: u64 = fields.get(12)?.parse().ok()?;
            Some(user + system)
        })
        .unwrap_or(0);
    // Linux reports 100 ticks a second to user space.
    Duration::from_millis(ticks * 10)
}

/// CPU time this (the host) process has used so far.
pub fn host_cpu() -> Duration {
    cpu_of("/proc/self/stat")
}

/// Peak resident memory of this process (`VmHWM`), in bytes.
pub fn peak_rss() -> u64 {
    status_field("VmHWM:")
}

/// Resident memory now (`VmRSS`), in bytes.
pub fn rss() -> u64 {
    status_field("VmRSS:")
}

fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Starts a new peak (`VmHWM` back to the current RSS).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// One measured scenario.
#[derive(Debug, Clone)]
pub struct Row {
    pub what: String,
    pub elapsed: Duration,
    pub requests: u64,
    pub max_in_flight: u64,
    pub lower_bound: u64,
    /// The naive peer on the same change, when it ran: (time, requests).
    pub naive: Option<(Duration, u64)>,
    /// CPU time the host process (QBM with the plugin) and the store process used meanwhile.
    pub host_cpu: Duration,
    pub store_cpu: Duration,
    /// Targets that apply only to this row (name, met).
    pub notes: Vec<String>,
}

impl Row {
    pub fn requests_ratio(&self) -> f64 {
        self.requests as f64 / self.lower_bound.max(1) as f64
    }

    /// Wall time allowed by the target: lower-bound requests ÷ concurrency × latency.
    pub fn time_bound(&self, latency: Duration) -> Duration {
        latency.mul_f64(self.lower_bound as f64 / CONCURRENCY as f64)
    }

    pub fn time_ratio(&self, latency: Duration) -> f64 {
        self.elapsed.as_secs_f64() / self.time_bound(latency).as_secs_f64().max(1e-9)
    }
}

/// Runs `work` and measures it against the store's counters.
pub fn measure(
    store: &Store,
    what: impl Into<String>,
    lower_bound: u64,
    work: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<Row> {
    store.reset()?;
    let (host_cpu, store_cpu) = (host_cpu(), store.cpu());
    let started = Instant::now();
    work()?;
    let elapsed = started.elapsed();
    let (host_cpu, store_cpu) = (self::host_cpu() - host_cpu, store.cpu() - store_cpu);
    let counts = store.requests()?;
    Ok(Row {
        what: what.into(),
        elapsed,
        requests: counts.total(),
        max_in_flight: counts.max_in_flight(),
        lower_bound,
        naive: None,
        notes: Vec::new(),
        host_cpu,
        store_cpu,
    })
}

/// Runs the naive peer and measures it.
pub fn measure_naive(
    store: &Store,
    lines: &[(String, i64)],
    skip_equal: bool,
) -> anyhow::Result<(Duration, u64)> {
    store.reset()?;
    let started = Instant::now();
    store.naive_sync(lines, skip_equal)?;
    let elapsed = started.elapsed();
    Ok((elapsed, store.requests()?.total()))
}

fn secs(d: Duration) -> String {
    if d.as_secs_f64() >= 10.0 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "" } else { " MISS" }
}

/// Prints the table of a run (Markdown, so it can be pasted as it is).
pub fn print_table(title: &str, latency: Duration, rows: &[Row]) {
    println!("\n### {title}\n");
    println!(
        "| Scenario | Time | Requests | Lower bound | Requests ÷ bound (≤ 1.05) | Most in flight | Time bound | Time ÷ bound (≤ 1.3) | CPU host / store | Naive peer | Faster than naive |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for row in rows {
        let ratio = row.requests_ratio();
        let time_ratio = row.time_ratio(latency);
        let (ratio_text, bound_text, time_text) = if row.lower_bound == 0 {
            // Nothing needs to be sent: any request is a miss, and there is no time bound.
            (
                format!("{}{}", row.requests, mark(row.requests == 0)),
                "—".to_string(),
                "—".to_string(),
            )
        } else {
            (
                format!("{ratio:.2}{}", mark(ratio <= 1.05)),
                secs(row.time_bound(latency)),
                format!("{time_ratio:.2}{}", mark(time_ratio <= 1.3)),
            )
        };
        let naive = row
            .naive
            .map_or("—".to_string(), |(t, n)| format!("{} / {n} req", secs(t)));
        let faster = row.naive.map_or("—".to_string(), |(t, _)| {
            format!(
                "{:.1}×",
                t.as_secs_f64() / row.elapsed.as_secs_f64().max(1e-9)
            )
        });
        println!(
            "| {}{} | {} | {} | {} | {ratio_text} | {} | {bound_text} | {time_text} | {} / {} | {naive} | {faster} |",
            row.what,
            if row.notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", row.notes.join("; "))
            },
            secs(row.elapsed),
            row.requests,
            row.lower_bound,
            row.max_in_flight,
            secs(row.host_cpu),
            secs(row.store_cpu),
        );
    }
}

/// The machine, for the table's heading.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{cpus} CPUs ({model}), {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
}

/// A date, for logs.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Arguments `--name value` (or the default).
pub fn flag(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .find(|w| w[0] == name)
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(default)
}

pub fn switch(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// Requests for `n` records, 100 a request.
pub fn pages(n: u64) -> u64 {
    n.div_ceil(100)
}

/// Requests a full read of the catalog needs: the product pages, and the variations of every
/// variable product (one listing each, 100 a page).
pub fn full_read(facts: &[Fact]) -> u64 {
    let products = facts.iter().filter(|f| f.kind != "variation").count() as u64;
    let mut variations: BTreeMap<u64, u64> = facts
        .iter()
        .filter(|f| f.kind == "variable")
        .map(|f| (f.id, 0))
        .collect();
    for f in facts.iter().filter(|f| f.kind == "variation") {
        *variations.entry(f.parent_id).or_default() += 1;
    }
    pages(products) + variations.values().map(|n| pages(*n).max(1)).sum::<u64>()
}

/// The batches that publish new quantities of `changed` QBM items: one products batch per 100
/// products and shared parent stocks, and one batch per 100 variations of each parent.
pub fn stock_writes(changed: &[&Mirrored]) -> u64 {
    let mut products = 0u64;
    let mut pools = BTreeSet::new();
    let mut variations: BTreeMap<u64, u64> = BTreeMap::new();
    for item in changed {
        match (item.fact.kind.as_str(), item.fact.stock.as_str()) {
            (_, "parent") => {
                pools.insert(item.fact.parent_id);
            }
            ("variation", "own") => *variations.entry(item.fact.parent_id).or_default() += 1,
            (_, "own") => products += 1,
            _ => {}
        }
    }
    pages(products + pools.len() as u64) + variations.values().map(|n| pages(*n)).sum::<u64>()
}
