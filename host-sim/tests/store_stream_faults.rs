//! Faults beyond error statuses: huge and gzip-bomb bodies, redirects to another host, headers
//! without a body, trickling bodies, writes whose answer is lost, API keys revoked after some
//! requests. Each ends when the store shuts down.

mod store_support;

use std::time::{Duration, Instant};

use host_sim::store::{FaultKind, FaultRule};
use serde_json::{Value, json};
use store_support::{Sim, recording};

const PRODUCTS: &str = "/wp-json/wc/v3/products";

fn raw_client(timeout: Duration) -> reqwest::Client {
    store_support::client_builder(None)
        .no_gzip()
        .timeout(timeout)
        .build()
        .expect("client")
}

#[tokio::test]
async fn huge_bodies_with_and_without_content_length() {
    let sim = Sim::fixtures();
    let faults = sim.store.faults();
    const SIZE: u64 = 3 * 1024 * 1024 + 17;
    faults.add(
        FaultRule::new(FaultKind::HugeBody {
            bytes: SIZE,
            content_length: true,
        })
        .times(1),
    );
    let client = raw_client(Duration::from_secs(60));
    let response = client.get(sim.url(PRODUCTS)).send().await.expect("head");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok()),
        Some(SIZE.to_string().as_str())
    );
    let body = response.bytes().await.expect("body");
    assert_eq!(body.len() as u64, SIZE);
    let list: Value = serde_json::from_slice(&body).expect("valid JSON");
    assert!(list.as_array().is_some_and(|items| items.len() > 10_000));

    // 200 MB without a length: chunked; the client stops after a few chunks and goes away.
    faults.add(
        FaultRule::new(FaultKind::HugeBody {
            bytes: 200 * 1024 * 1024,
            content_length: false,
        })
        .times(1),
    );
    let mut response = client.get(sim.url(PRODUCTS)).send().await.expect("head");
    assert!(response.headers().get("content-length").is_none());
    assert_eq!(
        response
            .headers()
            .get("transfer-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("chunked")
    );
    let mut read = 0;
    while read < 1024 * 1024 {
        read += response.chunk().await.expect("chunk").expect("more").len();
    }
    drop(response);
    assert_eq!(
        sim.oauth("GET", PRODUCTS, &[], None).await.status,
        200,
        "the store goes on"
    );
}

#[tokio::test]
async fn a_gzip_bomb_is_small_on_the_wire_and_huge_inflated() {
    let sim = Sim::fixtures();
    const EXPANDED: u64 = 16 * 1024 * 1024 + 7;
    sim.store.faults().add(FaultRule::new(FaultKind::GzipBomb {
        expanded_bytes: EXPANDED,
    }));
    let response = raw_client(Duration::from_secs(60))
        .get(sim.url(PRODUCTS))
        .send()
        .await
        .expect("head");
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let compressed = response.bytes().await.expect("body");
    assert!(
        compressed.len() < 20_000,
        "{} bytes on the wire",
        compressed.len()
    );

    // A client that inflates sees every byte, and the gzip trailer (CRC and size) checks out.
    let inflating = store_support::client_builder(None)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    let mut response = inflating.get(sim.url(PRODUCTS)).send().await.expect("head");
    let mut total = 0u64;
    while let Some(chunk) = response.chunk().await.expect("inflates cleanly") {
        assert!(chunk.iter().all(|b| *b == b' '));
        total += chunk.len() as u64;
    }
    assert_eq!(total, EXPANDED);
}

#[tokio::test]
async fn redirects_point_at_another_host_and_change_nothing() {
    let sim = Sim::fixtures();
    sim.store.faults().add(
        FaultRule::new(FaultKind::RedirectElsewhere { status: 302 })
            .on_method("PUT")
            .times(1),
    );
    let reply = sim
        .oauth(
            "PUT",
            &format!("{PRODUCTS}/1029"),
            &[],
            Some(&json!({"stock_quantity": 3})),
        )
        .await;
    assert_eq!(reply.status, 302);
    let location = reply.header("location").unwrap_or_default();
    let expected_origin = sim.store.base_url().replace("127.0.0.1", "127.0.0.2");
    assert!(
        location.starts_with(&format!(
            "{expected_origin}{PRODUCTS}/1029?oauth_consumer_key="
        )),
        "{location}"
    );
    assert_eq!(
        sim.store
            .with_data(|d| d.products.get(&1029).and_then(|p| p.stock_quantity)),
        Some(23)
    );
    assert_eq!(sim.store.requests().get("PUT /wc/v3/products/{id}"), 1);
}

#[tokio::test]
async fn headers_then_silence_ends_with_the_store() {
    let sim = Sim::fixtures();
    sim.store
        .faults()
        .add(FaultRule::new(FaultKind::HeadersThenSilence));
    let client = raw_client(Duration::from_secs(30));
    let response = client
        .get(sim.url(PRODUCTS))
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json; charset=UTF-8")
    );
    let body = tokio::spawn(response.bytes());
    // Shutting the store down ends the silent body instead of leaving it open forever.
    let store = sim.store;
    tokio::task::spawn_blocking(move || store.shutdown())
        .await
        .expect("the store stops");
    assert!(
        body.await.expect("task").is_err(),
        "the body never completes"
    );
}

#[tokio::test]
async fn every_streaming_fault_ends_with_the_store() {
    let sim = Sim::fixtures();
    let faults = sim.store.faults();
    let kinds = [
        FaultKind::HugeBody {
            bytes: 1 << 40,
            content_length: true,
        },
        FaultKind::GzipBomb {
            expanded_bytes: 1 << 40,
        },
        FaultKind::HeadersThenSilence,
        FaultKind::Trickle {
            chunk_bytes: 1,
            every: Duration::from_secs(3600),
        },
        FaultKind::TruncatedBody,
    ];
    let client = raw_client(Duration::from_secs(60));
    let mut bodies = Vec::new();
    for kind in kinds {
        faults.add(FaultRule::new(kind).times(1));
        let response = client
            .get(sim.url("/wp-json/"))
            .send()
            .await
            .expect("headers");
        assert_eq!(response.status().as_u16(), 200, "{kind:?}");
        bodies.push((kind, tokio::spawn(response.bytes())));
    }
    assert!(
        sim.store.requests().in_flight() >= 4,
        "the bodies keep them in flight"
    );
    let started = Instant::now();
    let store = sim.store;
    tokio::task::spawn_blocking(move || store.shutdown())
        .await
        .expect("the store stops");
    // Generating bodies yields between chunks, so the connections see the shutdown at once
    // even while the client reads as fast as it can.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    for (kind, body) in bodies {
        assert!(
            body.await.expect("task").is_err(),
            "{kind:?} never completes"
        );
    }
}

#[tokio::test]
async fn trickled_bodies_arrive_complete_but_slowly() {
    let sim = Sim::fixtures();
    let path = format!("{PRODUCTS}/1029");
    let plain = sim.oauth("GET", &path, &[], None).await.text;
    sim.store.faults().add(
        FaultRule::new(FaultKind::Trickle {
            chunk_bytes: 512,
            every: Duration::from_millis(40),
        })
        .times(1),
    );
    let started = Instant::now();
    let trickled = sim.oauth("GET", &path, &[], None).await.text;
    let chunks = plain.len().div_ceil(512) as u32;
    assert!(chunks >= 4, "{} bytes", plain.len());
    assert!(started.elapsed() >= Duration::from_millis(40) * chunks);
    assert_eq!(trickled, plain, "the real answer, only slower");
}

#[tokio::test]
async fn an_applied_write_can_lose_its_answer() {
    let sim = Sim::fixtures();
    sim.store.faults().add(
        FaultRule::new(FaultKind::AppliedThen502)
            .on_method("POST")
            .on_route("/wc/v3/products/batch")
            .times(1),
    );
    let reply = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/products/batch",
            &[],
            Some(&json!({"update": [{"id": 1031, "stock_quantity": 77}]})),
        )
        .await;
    assert_eq!(reply.status, 502);
    assert!(reply.text.contains("502 Bad Gateway"));
    assert_eq!(
        sim.store
            .with_data(|d| d.products.get(&1031).and_then(|p| p.stock_quantity)),
        Some(77),
        "the write reached the data"
    );
}

#[tokio::test]
async fn keys_revoked_after_some_requests_answer_like_a_deleted_key() {
    let sim = Sim::fixtures();
    let rule = sim.store.faults().add(
        FaultRule::new(FaultKind::RevokeKeys)
            .on_route("/wc/v3/products")
            .after(2)
            .times(1),
    );
    for _ in 0..2 {
        assert_eq!(
            sim.oauth("GET", PRODUCTS, &[("per_page", "1")], None)
                .await
                .status,
            200
        );
    }
    let rec = recording("ERR-revoked-key-401.json");
    for _ in 0..2 {
        let reply = sim.oauth("GET", PRODUCTS, &[("per_page", "1")], None).await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.json(), rec["body"]);
    }
    let orders = sim.oauth("GET", "/wp-json/wc/v3/orders", &[], None).await;
    assert_eq!(
        orders.code(),
        "woocommerce_rest_authentication_error",
        "every route"
    );
    assert_eq!(sim.store.faults().fired(rule), 1);
}

#[tokio::test]
async fn after_delays_any_fault() {
    let sim = Sim::fixtures();
    sim.store
        .faults()
        .add(FaultRule::new(FaultKind::ServerError(503)).after(3));
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(sim.send("GET", "/wp-json/", None, &[]).await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 503, 503]);
}
