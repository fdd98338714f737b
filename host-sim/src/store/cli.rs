//! `host-sim store serve`: run a simulated store until the process is interrupted, then stop
//! gracefully and print how many requests it served.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;

use super::counts::RequestCounts;
use super::faults::{FaultKind, FaultRule};
use super::keys::KeyPermission;
use super::options::{Permalinks, StoreOptions};
use super::seed::SeedSpec;
use super::sim::SimStore;
use super::tls::TlsMaterial;

/// Options of `host-sim store serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Serve HTTPS with a generated CA and certificate.
    #[arg(long)]
    pub tls: bool,
    /// Where the TLS material is kept (reused when present).
    #[arg(long)]
    pub cert_dir: Option<PathBuf>,
    /// Act like a site with "Plain" permalinks.
    #[arg(long)]
    pub plain_permalinks: bool,
    /// Act like a server that drops the Authorization header.
    #[arg(long)]
    pub strip_authorization: bool,
    /// Store time zone (IANA name).
    #[arg(long, default_value = "Europe/Berlin")]
    pub timezone: String,
    /// Seed of the generated catalog.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of parent products.
    #[arg(long, default_value_t = 50)]
    pub products: usize,
    /// Generate exactly this many products and variations instead (overrides --products).
    #[arg(long)]
    pub skus: Option<usize>,
    /// Number of customers.
    #[arg(long, default_value_t = 20)]
    pub customers: usize,
    /// Number of orders (spread over the last 30 days).
    #[arg(long, default_value_t = 40)]
    pub orders: usize,
    /// Load the recorded fixture store instead of generating a catalog.
    #[arg(long)]
    pub fixtures: bool,
    /// Added delay for every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests answered with 503 (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Maximum number of items per batch request.
    #[arg(long, default_value_t = 100)]
    pub batch_limit: usize,
    /// Hand out a read-only key instead of a read/write key.
    #[arg(long)]
    pub read_only_key: bool,
}

fn tls_material(args: &ServeArgs) -> anyhow::Result<(TlsMaterial, PathBuf)> {
    let dir = args
        .cert_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("host-sim-store-tls"));
    let material = match TlsMaterial::load(&dir) {
        Ok(existing) => existing,
        Err(_) => {
            let fresh = TlsMaterial::generate()?;
            fresh
                .save(&dir)
                .with_context(|| format!("writing TLS material to {}", dir.display()))?;
            fresh
        }
    };
    Ok((material, dir.join("ca.pem")))
}

/// A store started from command-line options.
pub(crate) struct Launched {
    pub store: SimStore,
    pub key: super::keys::ApiKey,
    pub ca_file: Option<PathBuf>,
}

/// Starts and seeds a store as `args` ask.
pub(crate) fn launch(args: &ServeArgs) -> anyhow::Result<Launched> {
    let timezone: chrono_tz::Tz = args
        .timezone
        .parse()
        .map_err(|e| anyhow::anyhow!("unknown time zone {:?}: {e}", args.timezone))?;
    let (tls, ca_file) = if args.tls {
        let (material, path) = tls_material(args)?;
        (Some(material), Some(path))
    } else {
        (None, None)
    };
    let options = StoreOptions {
        tls,
        permalinks: if args.plain_permalinks {
            Permalinks::Plain
        } else {
            Permalinks::Pretty
        },
        strip_authorization: args.strip_authorization,
        timezone,
        batch_limit: args.batch_limit,
        ..StoreOptions::default()
    };
    let listener = std::net::TcpListener::bind(("127.0.0.1", args.port))
        .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
    let store = SimStore::start_on(listener, options)?;
    let permission = if args.read_only_key {
        KeyPermission::Read
    } else {
        KeyPermission::ReadWrite
    };
    let key = store.create_key(permission);
    let faults = store.faults();
    faults.reseed(args.seed);
    if args.latency_ms > 0 {
        faults.add(FaultRule::new(FaultKind::Latency(Duration::from_millis(
            args.latency_ms,
        ))));
    }
    if args.error_rate > 0.0 {
        faults.add(FaultRule::new(FaultKind::ServerError(503)).with_probability(args.error_rate));
    }
    let now = Utc::now();
    store.seed(&SeedSpec {
        seed: args.seed,
        products: args.products,
        skus: args.skus,
        customers: args.customers,
        orders: args.orders,
        order_dates: (now - chrono::Duration::days(30), now),
        fixtures: args.fixtures,
        ..SeedSpec::default()
    });
    Ok(Launched {
        store,
        key,
        ca_file,
    })
}

/// What `store serve` prints: where the store is and how to authenticate.
pub(crate) fn banner(launched: &Launched, args: &ServeArgs) -> String {
    let store = &launched.store;
    let (products, variations, customers, orders) = store.with_data(|d| {
        let variations = d.products.values().filter(|p| p.is_variation()).count();
        (
            d.products.len() - variations,
            variations,
            d.customers
                .values()
                .filter(|c| c.role == "customer")
                .count(),
            d.orders.len(),
        )
    });
    let mut lines = vec![
        format!(
            "Simulated WooCommerce store listening on {}",
            store.base_url()
        ),
        format!("  REST API:        {}", store.api_url()),
        format!("  Request counts:  {}", store.requests_url()),
        format!("  Consumer key:    {}", launched.key.consumer_key),
        format!("  Consumer secret: {}", launched.key.consumer_secret),
        format!(
            "  Key permission:  {}",
            if args.read_only_key {
                "read"
            } else {
                "read/write"
            }
        ),
    ];
    if let Some(path) = &launched.ca_file {
        lines.push(format!("  TLS CA file:     {}", path.display()));
        lines.push(format!(
            "  Trust it with:   export SSL_CERT_FILE={}",
            path.display()
        ));
    }
    if args.fixtures {
        lines.push(format!(
            "Loaded the recorded fixture store: {products} products ({variations} variations), {customers} customers, {orders} orders"
        ));
    } else {
        lines.push(format!(
            "Seeded {products} products ({variations} variations), {customers} customers, {orders} orders (seed {})",
            args.seed
        ));
    }
    lines.push("Press Ctrl-C to stop.".to_owned());
    lines.join("\n")
}

/// What `store serve` prints when it ends: totals, the most requests in flight at once, and
/// the count of every route.
pub(crate) fn counts_report(counts: &RequestCounts) -> String {
    let mut lines = vec![format!(
        "Served {} requests (at most {} in flight at once)",
        counts.total(),
        counts.max_in_flight()
    )];
    let width = counts.by_route().keys().map(String::len).max().unwrap_or(0);
    for (route, count) in counts.by_route() {
        lines.push(format!("  {route:<width$}  {count:>8}"));
    }
    lines.join("\n")
}

/// How long requests still in flight may take to finish once the store is asked to stop.
const GRACE: Duration = Duration::from_secs(5);

/// Starts a store as `args` ask, writes how to reach it, serves until `until` returns, then
/// stops gracefully and writes the request counts.
pub(crate) fn serve_until(
    args: &ServeArgs,
    out: &mut dyn Write,
    until: impl FnOnce(&Launched) -> std::io::Result<()>,
) -> anyhow::Result<RequestCounts> {
    let launched = launch(args)?;
    writeln!(out, "{}", banner(&launched, args))?;
    out.flush()?;
    let waited = until(&launched);
    writeln!(
        out,
        "Stopping; requests in flight get {}s to finish.",
        GRACE.as_secs()
    )?;
    let counts = launched.store.shutdown_gracefully(GRACE);
    writeln!(out, "{}", counts_report(&counts))?;
    waited.context("waiting for Ctrl-C")?;
    Ok(counts)
}

/// Starts a store as asked, prints how to reach it, seeds it and serves until Ctrl-C, which
/// stops it gracefully and prints the request counts.
pub fn serve_cli(args: ServeArgs) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout();
    serve_until(&args, &mut stdout, |_| {
        super::interrupt::wait_for_interrupt()
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    #[derive(clap::Parser)]
    struct Command {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> ServeArgs {
        Command::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .expect("valid arguments")
            .serve
    }

    #[test]
    fn flags_configure_the_store_and_the_banner_tells_how_to_reach_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert_dir = dir.path().join("tls");
        let cert_arg = cert_dir.display().to_string();
        let args = parse(&[
            "--tls",
            "--cert-dir",
            &cert_arg,
            "--fixtures",
            "--read-only-key",
            "--batch-limit",
            "20",
            "--timezone",
            "America/New_York",
            "--latency-ms",
            "1",
        ]);
        let launched = launch(&args).expect("launch");
        assert!(launched.store.base_url().starts_with("https://127.0.0.1:"));
        let text = banner(&launched, &args);
        assert!(text.contains(&launched.key.consumer_secret));
        assert!(text.contains("Key permission:  read\n"));
        assert!(text.contains(&format!(
            "SSL_CERT_FILE={}",
            cert_dir.join("ca.pem").display()
        )));
        assert!(text.contains(
            "Loaded the recorded fixture store: 7 products (3 variations), 3 customers, 6 orders"
        ));
        launched.store.with_data(|d| {
            assert_eq!(d.settings.batch_limit, 20);
            assert_eq!(d.settings.timezone, chrono_tz::America::New_York);
        });
        let first_ca = std::fs::read_to_string(cert_dir.join("ca.pem")).expect("ca file");
        launched.store.shutdown();
        let again = launch(&args).expect("second launch");
        let second_ca = std::fs::read_to_string(cert_dir.join("ca.pem")).expect("ca file");
        assert_eq!(first_ca, second_ca, "the certificate is reused");
        again.store.shutdown();
    }

    /// A request over a raw connection, so the test needs no client library.
    fn get(store: &SimStore, path: &str) -> String {
        use std::io::Read as _;
        let address = store.base_url().replace("http://", "");
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer
    }

    #[test]
    fn serving_ends_with_the_request_counts() {
        let args = parse(&["--fixtures"]);
        let mut out = Vec::new();
        let counts = serve_until(&args, &mut out, |launched| {
            let store = &launched.store;
            assert!(get(store, "/wp-json/").starts_with("HTTP/1.1 200"));
            get(store, "/wp-json/wc/v3/products");
            get(store, "/wp-json/wc/v3/products");
            let counters = get(store, "/__sim/requests");
            assert!(counters.contains("\"total\":3"), "{counters}");
            Ok(())
        })
        .expect("served");
        assert_eq!(
            counts.total(),
            3,
            "the counters endpoint does not count itself"
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains("Request counts:  http://127.0.0.1:"),
            "{text}"
        );
        assert!(
            text.contains("Served 3 requests (at most 1 in flight at once)"),
            "{text}"
        );
        assert!(
            text.trim_end().ends_with(
                "Served 3 requests (at most 1 in flight at once)\n  GET /                       1\n  GET /wc/v3/products         2"
            ),
            "{text}"
        );
    }

    #[test]
    fn defaults_generate_a_catalog_over_http() {
        let args = parse(&[
            "--products",
            "5",
            "--skus",
            "12",
            "--customers",
            "2",
            "--orders",
            "3",
            "--seed",
            "4",
        ]);
        assert_eq!(args.port, 0);
        let launched = launch(&args).expect("launch");
        assert!(launched.store.base_url().starts_with("http://"));
        assert!(launched.ca_file.is_none());
        let text = banner(&launched, &args);
        assert!(
            launched.store.with_data(|d| d.products.len()) == 12,
            "--skus counts products and variations"
        );
        assert!(text.contains("2 customers, 3 orders (seed 4)"), "{text}");
        let bad = parse(&["--timezone", "Mars/Olympus"]);
        assert!(launch(&bad).is_err());
    }
}
