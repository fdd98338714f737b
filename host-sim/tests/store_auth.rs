//! Authentication as WooCommerce does it: Basic and query-string keys only over HTTPS, OAuth
//! 1.0a on both, key permissions by method, and the URL forms and site kinds that never
//! authenticate.

mod store_support;

use base64::Engine as _;
use host_sim::store::{ApiKey, KeyPermission, Permalinks, SiteKind, StoreOptions, TlsMaterial};
use serde_json::json;
use store_support::{Sim, client, nonce, now, oauth_params, query_string, recording};

const PRODUCTS: &str = "/wp-json/wc/v3/products";

/// A signed `GET /products` URL path with full control over the OAuth parameters.
fn signed_get(
    sim: &Sim,
    key: &ApiKey,
    query: &[(&str, &str)],
    signature_method: &str,
    timestamp: i64,
    nonce: &str,
) -> String {
    let params = oauth_params(
        "GET",
        &sim.url(PRODUCTS),
        query,
        key,
        signature_method,
        timestamp,
        nonce,
    );
    format!("{PRODUCTS}?{}", query_string(&params))
}

fn recorded_message(name: &str) -> String {
    recording(name)["body"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn oauth_over_http_in_the_query_and_in_the_header() {
    let sim = Sim::fixtures();
    let reply = sim.oauth("GET", PRODUCTS, &[("per_page", "1")], None).await;
    assert_eq!(reply.status, 200);
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.contains("oauth_consumer_key="),
        "Link repeats the OAuth parameters: {link}"
    );
    assert!(link.contains("oauth_signature="));
    assert!(reply.header("expires").is_some());

    let sha1 = signed_get(
        &sim,
        &sim.key,
        &[("per_page", "1")],
        "HMAC-SHA1",
        now(),
        &nonce(),
    );
    assert_eq!(sim.send("GET", &sha1, None, &[]).await.status, 200);

    // Parameters in an `Authorization: OAuth` header: the Link is clean.
    let params = oauth_params(
        "GET",
        &sim.url(PRODUCTS),
        &[("per_page", "1")],
        &sim.key,
        "HMAC-SHA256",
        now(),
        &nonce(),
    );
    let header = format!(
        "OAuth {}",
        params
            .iter()
            .filter(|(k, _)| k.starts_with("oauth_"))
            .map(|(k, v)| format!("{k}=\"{}\"", store_support::enc(v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let reply = sim
        .send(
            "GET",
            &format!("{PRODUCTS}?per_page=1"),
            None,
            &[("Authorization", &header)],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let link = reply.header("link").unwrap_or_default();
    assert!(!link.contains("oauth_"), "{link}");
    assert!(link.contains("per_page=1&page=2"), "{link}");
}

#[tokio::test]
async fn oauth_failures_have_woocommerces_messages() {
    let sim = Sim::fixtures();
    // Only some of the five parameters.
    let partial = format!(
        "{PRODUCTS}?per_page=1&oauth_consumer_key={}&oauth_signature_method=HMAC-SHA256",
        sim.key.consumer_key
    );
    let reply = sim.send("GET", &partial, None, &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.code(),
        "woocommerce_rest_authentication_missing_parameter"
    );
    assert_eq!(
        reply.message(),
        recorded_message("ERR-oauth-missing-parameters-401.json")
    );
    assert_eq!(reply.header("vary").as_deref(), Some("Origin"));
    assert!(reply.header("allow").is_none());

    let wrong = ApiKey {
        consumer_key: sim.key.consumer_key.clone(),
        consumer_secret: "cs_wrong".to_owned(),
    };
    let path = signed_get(
        &sim,
        &wrong,
        &[("per_page", "1")],
        "HMAC-SHA256",
        now(),
        &nonce(),
    );
    let reply = sim.send("GET", &path, None, &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.message(),
        recorded_message("ERR-oauth-wrong-secret-401.json")
    );

    let path = signed_get(&sim, &sim.key, &[], "PLAINTEXT", now(), &nonce());
    let reply = sim.send("GET", &path, None, &[]).await;
    assert_eq!(
        reply.message(),
        "Invalid signature - signature method is invalid."
    );

    for skew in [-3600, 3600] {
        let path = signed_get(&sim, &sim.key, &[], "HMAC-SHA256", now() + skew, &nonce());
        let reply = sim.send("GET", &path, None, &[]).await;
        assert_eq!(reply.status, 401);
        assert_eq!(
            reply.message(),
            recorded_message("ERR-oauth-stale-timestamp-401.json")
        );
    }

    let unknown = ApiKey::random();
    let path = signed_get(&sim, &unknown, &[], "HMAC-SHA256", now(), &nonce());
    let reply = sim.send("GET", &path, None, &[]).await;
    assert_eq!(reply.code(), "woocommerce_rest_authentication_error");
    assert_eq!(
        reply.message(),
        recorded_message("ERR-revoked-key-401.json")
    );
}

#[tokio::test]
async fn nonces_are_single_use_and_a_bad_signature_does_not_spend_one() {
    let sim = Sim::fixtures();
    let used = nonce();
    let wrong = ApiKey {
        consumer_key: sim.key.consumer_key.clone(),
        consumer_secret: "cs_wrong".to_owned(),
    };
    let bad = signed_get(&sim, &wrong, &[], "HMAC-SHA256", now(), &used);
    assert_eq!(sim.send("GET", &bad, None, &[]).await.status, 401);
    let good = signed_get(&sim, &sim.key, &[], "HMAC-SHA256", now(), &used);
    assert_eq!(sim.send("GET", &good, None, &[]).await.status, 200);
    let again = signed_get(
        &sim,
        &sim.key,
        &[("per_page", "1")],
        "HMAC-SHA256",
        now() + 1,
        &used,
    );
    let reply = sim.send("GET", &again, None, &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.message(),
        recorded_message("ERR-oauth-reused-nonce-401.json")
    );
}

#[tokio::test]
async fn revoking_a_key_takes_effect_on_the_next_request() {
    let sim = Sim::fixtures();
    assert_eq!(sim.oauth("GET", PRODUCTS, &[], None).await.status, 200);
    sim.store.revoke_key(&sim.key.consumer_key);
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.message(), "Consumer key is invalid.");
}

#[tokio::test]
async fn basic_and_query_keys_are_ignored_over_http() {
    let sim = Sim::fixtures();
    let reply = sim.basic("GET", PRODUCTS, &[("per_page", "1")], None).await;
    let rec = recording("ERR-basic-over-http-401.json");
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), rec["body"]);
    assert!(
        reply.header("expires").is_none(),
        "anonymous answers are cacheable"
    );
    let query = format!(
        "{PRODUCTS}?consumer_key={}&consumer_secret={}",
        sim.key.consumer_key, sim.key.consumer_secret
    );
    assert_eq!(
        sim.send("GET", &query, None, &[]).await.code(),
        "woocommerce_rest_cannot_view"
    );
    let reply = sim
        .basic("POST", PRODUCTS, &[], Some(&json!({"name": "x"})))
        .await;
    assert_eq!(reply.code(), "woocommerce_rest_cannot_create");
}

#[tokio::test]
async fn https_takes_query_keys_then_basic() {
    let sim = Sim::fixtures_tls();
    assert!(sim.store.base_url().starts_with("https://127.0.0.1:"));
    let reply = sim
        .basic("GET", PRODUCTS, &[("per_page", "2"), ("page", "2")], None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.starts_with(&format!(
            "<{}/wp-json/wc/v3/products?per_page=2&page=1>",
            sim.store.base_url()
        )),
        "{link}"
    );

    // Query-string keys: the secret comes back in the Link header, as WooCommerce does it.
    let path = format!(
        "{PRODUCTS}?per_page=1&consumer_key={}&consumer_secret={}",
        sim.key.consumer_key, sim.key.consumer_secret
    );
    let reply = sim.send("GET", &path, None, &[]).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("link")
            .unwrap_or_default()
            .contains(&sim.key.consumer_secret)
    );

    // Wrong secret: an error, without WWW-Authenticate.
    let bad = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:cs_wrong", sim.key.consumer_key));
    let reply = sim
        .send(
            "GET",
            &format!("{PRODUCTS}?per_page=1"),
            None,
            &[("Authorization", &format!("Basic {bad}"))],
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.message(),
        recorded_message("ERR-basic-over-https-wrong-secret-401.json")
    );
    assert!(reply.header("www-authenticate").is_none());

    // Unknown (revoked) key over Basic: simply anonymous.
    sim.store.revoke_key(&sim.key.consumer_key);
    let reply = sim.basic("GET", PRODUCTS, &[("per_page", "1")], None).await;
    assert_eq!(
        reply.json(),
        recording("ERR-revoked-key-basic-https-401.json")["body"]
    );
}

#[tokio::test]
async fn oauth_over_https_signs_the_https_url() {
    let sim = Sim::fixtures_tls();
    assert_eq!(sim.oauth("GET", PRODUCTS, &[], None).await.status, 200);
    let http_base = sim.url(PRODUCTS).replacen("https://", "http://", 1);
    let params = oauth_params(
        "GET",
        &http_base,
        &[],
        &sim.key,
        "HMAC-SHA256",
        now(),
        &nonce(),
    );
    let reply = sim
        .send(
            "GET",
            &format!("{PRODUCTS}?{}", query_string(&params)),
            None,
            &[],
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.message(),
        "Invalid signature - provided signature does not match."
    );
}

#[tokio::test]
async fn the_certificate_is_trusted_only_through_the_ca() {
    let material = TlsMaterial::generate().expect("tls");
    let sim = Sim::start(StoreOptions {
        tls: Some(material.clone()),
        ..StoreOptions::default()
    });
    let port = sim
        .store
        .base_url()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let trusting = client(Some(material.ca_pem()));
    for host in ["127.0.0.1", "localhost"] {
        let reply = trusting
            .get(format!("https://{host}:{port}/wp-json/"))
            .send()
            .await
            .expect("trusted");
        assert_eq!(reply.status().as_u16(), 200, "{host}");
    }
    let stranger = client(None);
    assert!(stranger.get(sim.url("/wp-json/")).send().await.is_err());
}

#[tokio::test]
async fn key_permissions_follow_the_method() {
    let sim = Sim::fixtures();
    let read = sim.store.create_key(KeyPermission::Read);
    let write = sim.store.create_key(KeyPermission::Write);
    assert_eq!(
        sim.oauth_with(&read, "GET", PRODUCTS, &[("per_page", "1")], None)
            .await
            .status,
        200
    );
    let reply = sim
        .oauth_with(
            &read,
            "POST",
            PRODUCTS,
            &[],
            Some(&json!({"name": "FX Read-only", "regular_price": "1.00"})),
        )
        .await;
    let rec = recording("ERR-read-only-key-post-401.json");
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), rec["body"]);
    assert!(reply.header("expires").is_some() && reply.header("allow").is_none());
    assert!(reply.header("vary").is_none());
    let reply = sim.oauth_with(&write, "GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.message(),
        "The API key provided does not have read permissions."
    );
    let reply = sim
        .oauth_with(
            &write,
            "POST",
            PRODUCTS,
            &[],
            Some(&json!({"name": "Write only", "sku": "W-1"})),
        )
        .await;
    assert_eq!(reply.status, 201);
    let reply = sim.oauth_with(&read, "OPTIONS", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["namespace"], json!("wc/v3"));
    // The write probe: an empty batch answers 200 for a write key, 401 for a read key.
    let probe = json!({});
    let reply = sim
        .oauth_with(
            &write,
            "POST",
            "/wp-json/wc/v3/products/batch",
            &[],
            Some(&probe),
        )
        .await;
    assert_eq!(reply.status, 200);
    let reply = sim
        .oauth_with(
            &read,
            "POST",
            "/wp-json/wc/v3/products/batch",
            &[],
            Some(&probe),
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.message(),
        "The API key provided does not have write permissions."
    );
}

#[tokio::test]
async fn method_override_is_checked_against_the_key() {
    let sim = Sim::fixtures();
    let read = sim.store.create_key(KeyPermission::Read);
    let path = "/wp-json/wc/v3/products/1031";
    let reply = sim
        .oauth_with(
            &read,
            "POST",
            path,
            &[("_method", "PUT")],
            Some(&json!({"stock_quantity": 2})),
        )
        .await;
    assert_eq!(
        reply.message(),
        "The API key provided does not have write permissions."
    );
    let params = oauth_params(
        "POST",
        &sim.url(path),
        &[],
        &sim.key,
        "HMAC-SHA256",
        now(),
        &nonce(),
    );
    let reply = sim
        .send(
            "POST",
            &format!("{path}?{}", query_string(&params)),
            Some(r#"{"stock_quantity": 2}"#),
            &[("X-HTTP-Method-Override", "PATCH")],
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["stock_quantity"], json!(2));
}

#[tokio::test]
async fn visitors_get_the_permission_error_of_each_action() {
    let sim = Sim::fixtures();
    for (method, path, code, message) in [
        (
            "GET",
            PRODUCTS,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ),
        (
            "GET",
            "/wp-json/wc/v3/products/1029",
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
        ),
        (
            "PUT",
            "/wp-json/wc/v3/products/1029",
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
        (
            "DELETE",
            "/wp-json/wc/v3/products/1029",
            "woocommerce_rest_cannot_delete",
            "Sorry, you are not allowed to delete this resource.",
        ),
        (
            "POST",
            "/wp-json/wc/v3/products/batch",
            "woocommerce_rest_cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        ),
        (
            "POST",
            "/wp-json/wc/v3/orders",
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed to create resources.",
        ),
        (
            "GET",
            "/wp-json/wc/v3/customers/4",
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
        ),
        (
            "GET",
            "/wp-json/wc/v3/system_status",
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ),
    ] {
        let body = (method != "GET").then_some("{}");
        let reply = sim.send(method, path, body, &[]).await;
        assert_eq!(reply.status, 401, "{method} {path}");
        assert_eq!(
            (reply.code().as_str(), reply.message().as_str()),
            (code, message),
            "{method} {path}"
        );
        assert!(reply.header("allow").is_none());
    }
    // WooCommerce only refuses a visitor an object that exists.
    let reply = sim
        .send("GET", "/wp-json/wc/v3/products/999999", None, &[])
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.code(), "woocommerce_rest_product_invalid_id");
}

#[tokio::test]
async fn a_stripped_authorization_header_leaves_only_query_keys() {
    let sim = Sim::start(StoreOptions {
        tls: Some(TlsMaterial::generate().expect("tls")),
        strip_authorization: true,
        ..StoreOptions::default()
    });
    let reply = sim.basic("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.code(), "woocommerce_rest_cannot_view");
    let path = format!(
        "{PRODUCTS}?consumer_key={}&consumer_secret={}",
        sim.key.consumer_key, sim.key.consumer_secret
    );
    assert_eq!(sim.send("GET", &path, None, &[]).await.status, 200);
    sim.store.set_strip_authorization(false);
    assert_eq!(sim.basic("GET", PRODUCTS, &[], None).await.status, 200);
}

#[tokio::test]
async fn plain_permalinks_route_only_the_query_form() {
    let sim = Sim::start(StoreOptions {
        permalinks: Permalinks::Plain,
        ..StoreOptions::default()
    });
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/html; charset=UTF-8")
    );
    assert!(reply.text.contains("Not Found"));
    let reply = sim.send("GET", "/?rest_route=/", None, &[]).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["namespaces"].as_array().is_some());
    let reply = sim
        .oauth("GET", "/", &[("rest_route", "/wc/v3/products")], None)
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.code(), "woocommerce_rest_cannot_view");
    let reply = sim
        .send("GET", "/index.php?rest_route=/wc/v3", None, &[])
        .await;
    assert_eq!(reply.status, 200);
    let front = sim.send("GET", "/", None, &[]).await;
    assert_eq!(
        front.header("link").as_deref(),
        Some(
            format!(
                "<{}/?rest_route=/>; rel=\"https://api.w.org/\"",
                sim.store.base_url()
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn sites_without_woocommerce_or_wordpress() {
    let sim = Sim::start(StoreOptions {
        site: SiteKind::WordPressOnly,
        ..StoreOptions::default()
    });
    let index = sim.send("GET", "/wp-json/", None, &[]).await.json();
    let namespaces = index["namespaces"].as_array().cloned().unwrap_or_default();
    assert!(!namespaces.contains(&json!("wc/v3")));
    assert!(namespaces.contains(&json!("wp/v2")));
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json(), recording("ERR-no-route-404.json")["body"]);

    sim.store.set_site_kind(SiteKind::NotWordPress);
    let home = sim.send("GET", "/", None, &[]).await;
    assert_eq!(home.status, 200);
    assert!(
        home.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert!(home.header("link").is_none());
    let api = sim.send("GET", "/wp-json/", None, &[]).await;
    assert_eq!(api.status, 404);
    assert!(
        api.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn the_front_page_announces_the_api() {
    let sim = Sim::fixtures();
    let reply = sim.send("GET", "/", None, &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("link").as_deref(),
        Some(
            format!(
                "<{}/wp-json/>; rel=\"https://api.w.org/\"",
                sim.store.base_url()
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn every_request_is_redirected_when_asked_and_nothing_is_written() {
    let sim = Sim::fixtures();
    sim.store
        .set_redirect_to(Some("https://www.example.test".to_owned()));
    let reply = sim
        .oauth(
            "POST",
            PRODUCTS,
            &[("x", "1")],
            Some(&json!({"name": "Moved", "sku": "MOVED-1"})),
        )
        .await;
    assert_eq!(reply.status, 301);
    let location = reply.header("location").unwrap_or_default();
    assert!(
        location.starts_with("https://www.example.test/wp-json/wc/v3/products?x=1&"),
        "{location}"
    );
    let reply = sim.send("GET", "/wp-json/", None, &[]).await;
    assert_eq!(
        reply.header("location").as_deref(),
        Some("https://www.example.test/wp-json/")
    );
    sim.store.set_redirect_to(None);
    let exists = sim.store.with_data(|d| d.sku_owner("MOVED-1", 0));
    assert_eq!(exists, None);
}

#[tokio::test]
async fn a_site_in_a_sub_directory_signs_and_routes_under_it() {
    let sim = Sim::start(StoreOptions {
        path_prefix: "/shop".to_owned(),
        ..StoreOptions::default()
    });
    assert!(sim.store.base_url().ends_with("/shop"));
    let reply = sim.oauth("GET", PRODUCTS, &[], None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let index = sim.send("GET", "/wp-json/", None, &[]).await.json();
    assert_eq!(index["home"], json!(sim.store.base_url()));
    let outside = client(None)
        .get(sim.store.base_url().replace("/shop", "/wp-json/"))
        .send()
        .await
        .expect("request");
    assert_eq!(outside.status().as_u16(), 404);
}
