//! Request counters read from outside the process: `GET /__sim/requests` (totals, counts by
//! route template, requests in flight now and at most) and `POST /__sim/requests/reset`, which
//! never count themselves.

mod store_support;

use std::time::Duration;

use host_sim::store::{FaultKind, FaultRule, RequestCounts};
use serde_json::{Value, json};
use store_support::Sim;

async fn counters(sim: &Sim) -> Value {
    let reply = sim.send("GET", "/__sim/requests", None, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json; charset=UTF-8")
    );
    reply.json()
}

#[tokio::test]
async fn counts_are_served_as_json_and_reset_over_http() {
    let sim = Sim::fixtures();
    sim.oauth("GET", "/wp-json/wc/v3/products", &[], None).await;
    sim.oauth("GET", "/wp-json/wc/v3/products/1029", &[], None)
        .await;
    sim.oauth("GET", "/wp-json/wc/v3/products/1030", &[], None)
        .await;
    sim.send("GET", "/shop/", None, &[]).await;
    let body = counters(&sim).await;
    assert_eq!(
        body,
        json!({
            "total": 4,
            "by_route": {
                "GET /wc/v3/products": 1,
                "GET /wc/v3/products/{id}": 2,
                "GET page:/shop/": 1
            },
            "in_flight": 0,
            "max_in_flight": 1
        })
    );
    let parsed: RequestCounts = serde_json::from_value(body).expect("the Rust type reads it");
    assert_eq!(
        parsed,
        sim.store.requests(),
        "the same counts as the Rust API"
    );
    assert_eq!(
        counters(&sim).await["total"],
        json!(4),
        "reading does not count"
    );

    let reset = sim
        .send("POST", "/__sim/requests/reset", Some("{}"), &[])
        .await;
    assert_eq!(reset.status, 200);
    assert_eq!(reset.json()["total"], json!(0));
    assert_eq!(sim.store.requests().total(), 0);
    assert!(sim.store.request_log().is_empty());

    let wrong = sim.send("GET", "/__sim/requests/reset", None, &[]).await;
    assert_eq!(
        (wrong.status, wrong.header("allow")),
        (405, Some("POST".to_owned()))
    );
    let wrong = sim.send("DELETE", "/__sim/requests", None, &[]).await;
    assert_eq!(wrong.status, 405);
    assert_eq!(sim.send("GET", "/__sim/nope", None, &[]).await.status, 404);
    assert_eq!(sim.store.requests().total(), 0, "none of these counted");
    assert_eq!(
        sim.store.requests_url(),
        format!("{}/__sim/requests", sim.store.base_url())
    );
}

#[tokio::test]
async fn faults_do_not_touch_the_counters_endpoint() {
    let sim = Sim::fixtures();
    sim.store
        .faults()
        .add(FaultRule::new(FaultKind::ServerError(503)));
    assert_eq!(sim.send("GET", "/wp-json/", None, &[]).await.status, 503);
    assert_eq!(counters(&sim).await["total"], json!(1));
}

#[tokio::test]
async fn the_most_requests_in_flight_at_once_are_remembered() {
    let sim = Sim::fixtures();
    sim.store.faults().add(
        FaultRule::new(FaultKind::Hang)
            .on_route("/wc/v3/orders")
            .times(3),
    );
    let client = store_support::client_builder(None)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut hanging = Vec::new();
    for _ in 0..3 {
        let request = client.get(sim.url("/wp-json/wc/v3/orders")).send();
        hanging.push(tokio::spawn(request));
    }
    // Each check is a request of its own; the three hung ones stay in flight meanwhile.
    let mut seen = 0;
    for _ in 0..5_000 {
        seen = counters(&sim).await["in_flight"].as_u64().unwrap_or(0);
        if seen == 3 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(seen, 3);
    assert_eq!(sim.store.requests().max_in_flight(), 3);
    // A reset keeps what is still in flight.
    sim.store.reset_requests();
    let counts = sim.store.requests();
    assert_eq!(
        (counts.in_flight(), counts.max_in_flight(), counts.total()),
        (3, 3, 0)
    );
    assert_eq!(
        sim.oauth("GET", "/wp-json/wc/v3/products", &[], None)
            .await
            .status,
        200
    );
    assert_eq!(sim.store.requests().max_in_flight(), 4);
    for task in hanging {
        task.abort();
    }
    let store = sim.store;
    tokio::task::spawn_blocking(move || store.shutdown())
        .await
        .expect("stops with requests hanging");
}

#[tokio::test]
async fn requests_leave_the_gauge_when_answered() {
    let sim = Sim::fixtures();
    sim.store
        .faults()
        .add(FaultRule::new(FaultKind::Latency(Duration::from_millis(
            200,
        ))));
    let (a, b) = tokio::join!(
        sim.oauth("GET", "/wp-json/wc/v3/products", &[], None),
        sim.oauth("GET", "/wp-json/wc/v3/orders", &[], None),
    );
    assert_eq!((a.status, b.status), (200, 200));
    let counts = sim.store.requests();
    assert_eq!(counts.in_flight(), 0);
    assert_eq!(counts.max_in_flight(), 2);
}
