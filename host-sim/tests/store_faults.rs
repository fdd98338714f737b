//! Fault injection and request counting.

mod store_support;

use std::time::{Duration, Instant};

use host_sim::store::{FaultKind, FaultRule};
use serde_json::json;
use store_support::Sim;

const PRODUCTS: &str = "/wp-json/wc/v3/products";

#[tokio::test]
async fn server_errors_fire_for_the_next_n_matching_requests() {
    let sim = Sim::fixtures();
    let faults = sim.store.faults();
    let id = faults.add(
        FaultRule::new(FaultKind::ServerError(503))
            .on_method("POST")
            .on_route("/wc/v3/products/batch")
            .times(2),
    );
    let body = json!({"update": [{"id": 1031, "stock_quantity": 77}]});
    assert_eq!(sim.oauth("GET", PRODUCTS, &[], None).await.status, 200);
    for _ in 0..2 {
        let reply = sim
            .oauth("POST", "/wp-json/wc/v3/products/batch", &[], Some(&body))
            .await;
        assert_eq!(reply.status, 503);
        assert!(
            reply
                .header("content-type")
                .unwrap_or_default()
                .starts_with("text/html")
        );
    }
    let stock = sim
        .store
        .with_data(|d| d.products.get(&1031).and_then(|p| p.stock_quantity));
    assert_eq!(stock, Some(0), "a faulted request changes nothing");
    let reply = sim
        .oauth("POST", "/wp-json/wc/v3/products/batch", &[], Some(&body))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(faults.fired(id), 2);
    let counts = sim.store.requests();
    assert_eq!(counts.get("POST /wc/v3/products/batch"), 3);
    assert_eq!(counts.get("GET /wc/v3/products"), 1);
    assert_eq!(counts.total(), 4);
}

#[tokio::test]
async fn each_fault_kind_answers_as_described() {
    let sim = Sim::fixtures();
    let faults = sim.store.faults();

    faults.add(FaultRule::new(FaultKind::ServerError(500)).times(1));
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.code(), "internal_server_error");
    assert_eq!(reply.json()["data"]["status"], json!(500));

    faults.add(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 7,
        })
        .times(1),
    );
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after").as_deref(), Some("7"));

    faults.add(FaultRule::new(FaultKind::MalformedJson).times(1));
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json; charset=UTF-8")
    );
    assert!(serde_json::from_str::<serde_json::Value>(&reply.text).is_err());

    faults.add(FaultRule::new(FaultKind::HtmlInsteadOfJson).times(1));
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );

    faults.add(FaultRule::new(FaultKind::TruncatedBody).times(1));
    let client = store_support::client(None);
    let response = client
        .get(sim.url("/wp-json/"))
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.is_err(), "the body stops mid-way");

    assert_eq!(sim.oauth("GET", PRODUCTS, &[], None).await.status, 200);
}

#[tokio::test]
async fn latency_delays_and_hangs_never_answer() {
    let sim = Sim::fixtures();
    let faults = sim.store.faults();
    let slow = faults.add(FaultRule::new(FaultKind::Latency(Duration::from_millis(
        300,
    ))));
    let started = Instant::now();
    assert_eq!(sim.send("GET", "/wp-json/", None, &[]).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    faults.remove(slow);

    faults.add(
        FaultRule::new(FaultKind::Hang)
            .on_route("/wc/v3/orders")
            .times(1),
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(400))
        .tls_backend_preconfigured(
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
        )
        .build()
        .expect("client");
    let error = client
        .get(sim.url("/wp-json/wc/v3/orders"))
        .send()
        .await
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error}");
    assert_eq!(sim.store.requests().get("GET /wc/v3/orders"), 1);
    // The store still shuts down while a request hangs.
    sim.store.shutdown();
}

#[tokio::test]
async fn probabilities_are_repeatable_with_the_seed() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let sim = Sim::fixtures();
        let faults = sim.store.faults();
        faults.reseed(seed);
        faults.add(FaultRule::new(FaultKind::ServerError(502)).with_probability(0.4));
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(sim.send("GET", "/wp-json/", None, &[]).await.status);
        }
        statuses
    }
    let first = pattern(11).await;
    assert_eq!(first, pattern(11).await);
    assert!(first.contains(&502) && first.contains(&200), "{first:?}");
    assert_ne!(first, pattern(12).await);
}

#[tokio::test]
async fn requests_are_counted_by_route_template() {
    let sim = Sim::fixtures();
    sim.oauth("GET", "/wp-json/wc/v3/products/1029", &[], None)
        .await;
    sim.oauth("GET", "/wp-json/wc/v3/products/1030", &[], None)
        .await;
    sim.oauth(
        "PUT",
        "/wp-json/wc/v3/products/1036/variations/1037",
        &[],
        Some(&json!({"stock_quantity": 3})),
    )
    .await;
    sim.send("GET", "/wp-json/", None, &[]).await;
    sim.send("GET", "/wp-json/wc/v3", None, &[]).await;
    sim.oauth("GET", "/wp-json/wc/v3/nope", &[], None).await;
    sim.send("GET", "/", None, &[]).await;
    let counts = sim.store.requests();
    assert_eq!(counts.get("GET /wc/v3/products/{id}"), 2);
    assert_eq!(counts.get("PUT /wc/v3/products/{id}/variations/{id}"), 1);
    assert_eq!(counts.get("GET /"), 1);
    assert_eq!(counts.get("GET /wc/v3"), 1);
    assert_eq!(counts.get("GET /wc/v3/nope"), 1);
    assert_eq!(counts.get("GET page:/"), 1);
    assert_eq!(counts.matching("GET "), 6);
    assert_eq!(counts.total(), 7);
    let log = sim.store.request_log();
    assert_eq!(log.len(), 7);
    assert!(
        log[0]
            .path_and_query
            .starts_with("/wp-json/wc/v3/products/1029?")
    );
    sim.store.reset_requests();
    assert_eq!(sim.store.requests().total(), 0);
}
