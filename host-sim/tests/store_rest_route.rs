//! `?rest_route=` on any URL of the site: WordPress reads the query variable wherever the path
//! points, so a client configured with a wrong sub-path still reaches the REST index (which
//! names the real address), while `/wp-json/` under that sub-path is WordPress's 404 page. With
//! plain permalinks the query variable is the only way in.

mod store_support;

use host_sim::store::{Permalinks, StoreOptions};
use serde_json::json;
use store_support::Sim;

fn is_html(reply: &store_support::Reply) -> bool {
    reply
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html"))
}

#[tokio::test]
async fn a_wrong_sub_path_finds_the_api_only_through_rest_route() {
    let sim = Sim::fixtures();
    let home = sim.store.base_url();

    let page = sim.send("GET", "/shop/wp-json/", None, &[]).await;
    assert_eq!(page.status, 404);
    assert!(
        is_html(&page) && page.text.contains("Page not found"),
        "{}",
        page.text
    );
    let page = sim
        .send("GET", "/shop/wp-json/wc/v3/products", None, &[])
        .await;
    assert_eq!(page.status, 404);
    assert!(is_html(&page));

    for path in [
        "/shop/?rest_route=/",
        "/shop?rest_route=/",
        "/shop/cart/?rest_route=%2F",
    ] {
        let index = sim.send("GET", path, None, &[]).await;
        assert_eq!(index.status, 200, "{path}: {}", index.text);
        let body = index.json();
        assert_eq!(body["home"], json!(home), "{path}: the real address");
        assert_eq!(body["url"], json!(home));
        assert!(
            body["namespaces"]
                .as_array()
                .is_some_and(|n| n.contains(&json!("wc/v3")))
        );
        assert_eq!(
            index.header("link"),
            Some(format!("<{home}/wp-json/>; rel=\"https://api.w.org/\"")),
            "pretty permalinks: the API link is the pretty one"
        );
    }
    let namespace = sim.send("GET", "/shop/?rest_route=/wc/v3", None, &[]).await;
    assert_eq!(namespace.json()["namespace"], json!("wc/v3"));

    // The key is never checked on this form, wherever it is used.
    let reply = sim
        .oauth("GET", "/shop/", &[("rest_route", "/wc/v3/products")], None)
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (401, "woocommerce_rest_cannot_view".to_owned())
    );
    assert_eq!(sim.store.requests().get("GET /wc/v3/products"), 1);
    assert_eq!(sim.store.requests().get("GET /"), 3);
}

/// GET `path` on the store's host, outside its sub-directory if need be.
async fn from_origin(sim: &Sim, path: &str) -> (u16, String, String) {
    let home = sim.store.base_url();
    let origin = home.trim_end_matches("/shop");
    let response = store_support::client(None)
        .get(format!("{origin}{path}"))
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("body"))
}

#[tokio::test]
async fn a_site_in_a_sub_directory_keeps_its_prefix() {
    let sim = Sim::start(StoreOptions {
        path_prefix: "/shop".to_owned(),
        ..StoreOptions::default()
    });
    let home = sim.store.base_url();
    assert!(home.ends_with("/shop"));
    let (status, _, text) = from_origin(&sim, "/shop/produkte/?rest_route=/").await;
    assert_eq!(status, 200);
    let index: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(index["home"], json!(home));
    let (status, content_type, text) = from_origin(&sim, "/other/?rest_route=/").await;
    assert_eq!(status, 404, "outside the site");
    assert!(
        content_type.starts_with("text/html") && text.contains("Not Found"),
        "the web server's own 404"
    );
    assert_eq!(from_origin(&sim, "/shop/wp-json/").await.0, 200);
    assert_eq!(from_origin(&sim, "/wp-json/").await.0, 404);
}

#[tokio::test]
async fn plain_permalinks_answer_only_through_rest_route() {
    let sim = Sim::start(StoreOptions {
        permalinks: Permalinks::Plain,
        ..StoreOptions::default()
    });
    let home = sim.store.base_url();
    let pretty = sim.send("GET", "/wp-json/", None, &[]).await;
    assert_eq!(pretty.status, 404);
    assert!(is_html(&pretty));
    let pretty = sim.send("GET", "/wp-json/?rest_route=/", None, &[]).await;
    assert_eq!(
        pretty.status, 404,
        "no rewrite rules: /wp-json never reaches WordPress"
    );
    for path in ["/?rest_route=/", "/index.php?rest_route=/"] {
        let index = sim.send("GET", path, None, &[]).await;
        assert_eq!(index.status, 200, "{path}");
        assert_eq!(index.json()["home"], json!(home));
        assert_eq!(
            index.header("link"),
            Some(format!(
                "<{home}/?rest_route=/>; rel=\"https://api.w.org/\""
            ))
        );
    }
    let namespace = sim
        .send("GET", "/index.php?rest_route=/wc/v3", None, &[])
        .await;
    assert_eq!(namespace.json()["namespace"], json!("wc/v3"));
    let front = sim.send("GET", "/", None, &[]).await;
    assert_eq!(front.status, 200);
    assert!(is_html(&front));
    assert_eq!(
        front.header("link"),
        Some(format!(
            "<{home}/?rest_route=/>; rel=\"https://api.w.org/\""
        ))
    );
}
