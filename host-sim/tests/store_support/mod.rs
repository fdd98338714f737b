//! Shared helpers of the simulated store's tests: an HTTP client, a small OAuth 1.0a signer
//! written independently of the store's verifier, the recordings, and a shape comparison.

#![allow(dead_code)]

use std::sync::Arc;

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use host_sim::store::{ApiKey, KeyPermission, SeedSpec, SimStore, StoreOptions, TlsMaterial};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use serde_json::Value;

const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// RFC 3986 percent-encoding.
pub fn enc(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// A recorded exchange from `tests/fixtures/woocommerce-8.9.1/`.
pub fn recording(name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/woocommerce-8.9.1/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }

    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A client that trusts the store's CA only (never "accept any certificate").
pub fn client(ca_pem: Option<&str>) -> reqwest::Client {
    client_builder(ca_pem).build().expect("client")
}

/// The builder of [`client`], for tests that need other settings (no gzip, other timeouts).
pub fn client_builder(ca_pem: Option<&str>) -> reqwest::ClientBuilder {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.expect("CA PEM")).expect("CA certificate");
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
}

/// OAuth parameters appended to `params`, signed for `method` and `url` (no query).
pub fn oauth_params(
    method: &str,
    url: &str,
    params: &[(&str, &str)],
    key: &ApiKey,
    signature_method: &str,
    timestamp: i64,
    nonce: &str,
) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.push(("oauth_consumer_key".into(), key.consumer_key.clone()));
    all.push(("oauth_nonce".into(), nonce.to_owned()));
    all.push(("oauth_signature_method".into(), signature_method.to_owned()));
    all.push(("oauth_timestamp".into(), timestamp.to_string()));
    let signature = oauth_signature(method, url, &all, &key.consumer_secret, signature_method);
    all.push(("oauth_signature".into(), signature));
    all
}

/// The signature over `params` (which must not contain `oauth_signature`).
pub fn oauth_signature(
    method: &str,
    url: &str,
    params: &[(String, String)],
    secret: &str,
    signature_method: &str,
) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let normalized = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let base = format!("{}&{}&{}", method, enc(url), enc(&normalized));
    let key = format!("{secret}&");
    let bytes = if signature_method == "HMAC-SHA1" {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).expect("hmac");
        mac.update(base.as_bytes());
        mac.finalize().into_bytes().to_vec()
    } else {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("hmac");
        mac.update(base.as_bytes());
        mac.finalize().into_bytes().to_vec()
    };
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn query_string(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn nonce() -> String {
    use rand::Rng as _;
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A running store, a read/write key and a client.
pub struct Sim {
    pub store: SimStore,
    pub key: ApiKey,
    pub tls: Option<TlsMaterial>,
    http: reqwest::Client,
}

impl Sim {
    pub fn start(options: StoreOptions) -> Sim {
        let tls = options.tls.clone();
        let store = SimStore::start(options).expect("store starts");
        let key = store.create_key(KeyPermission::ReadWrite);
        let http = client(tls.as_ref().map(TlsMaterial::ca_pem));
        Sim {
            store,
            key,
            tls,
            http,
        }
    }

    /// The fixture store over plain HTTP.
    pub fn fixtures() -> Sim {
        let sim = Sim::start(StoreOptions::default());
        sim.store.seed(&SeedSpec::fixtures());
        sim
    }

    /// The fixture store over HTTPS.
    pub fn fixtures_tls() -> Sim {
        let sim = Sim::start(StoreOptions {
            tls: Some(TlsMaterial::generate().expect("tls")),
            ..StoreOptions::default()
        });
        sim.store.seed(&SeedSpec::fixtures());
        sim
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.store.base_url())
    }

    /// Sends a request with no credentials of its own.
    pub async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, self.url(path_and_query));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json; charset=utf-8")
                .body(body.to_owned());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Reply {
            status,
            headers,
            text,
        }
    }

    /// OAuth 1.0a (HMAC-SHA256) with the parameters in the query string, signed over `path`.
    pub async fn oauth(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        self.oauth_with(&self.key, method, path, query, body).await
    }

    pub async fn oauth_with(
        &self,
        key: &ApiKey,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let params = oauth_params(
            method,
            &self.url(path),
            query,
            key,
            "HMAC-SHA256",
            now(),
            &nonce(),
        );
        let body = body.map(Value::to_string);
        self.send(
            method,
            &format!("{path}?{}", query_string(&params)),
            body.as_deref(),
            &[],
        )
        .await
    }

    /// HTTP Basic with the store's key.
    pub async fn basic(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.key.consumer_key, self.key.consumer_secret
        ));
        let auth = format!("Basic {credentials}");
        let pairs: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let path_and_query = if pairs.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", query_string(&pairs))
        };
        let body = body.map(Value::to_string);
        self.send(
            method,
            &path_and_query,
            body.as_deref(),
            &[("Authorization", &auth)],
        )
        .await
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Differences in shape: keys present at every level and JSON type per key. Keys named in
/// `lenient` may differ in type (e.g. `null` vs a number when the records differ in content).
pub fn shape_diff(expected: &Value, actual: &Value, lenient: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    walk("$", expected, actual, lenient, &mut out);
    out
}

fn walk(path: &str, expected: &Value, actual: &Value, lenient: &[&str], out: &mut Vec<String>) {
    let key = path.rsplit('.').next().unwrap_or(path);
    if type_name(expected) != type_name(actual) {
        if !lenient.contains(&key) {
            out.push(format!(
                "{path}: expected {}, got {}",
                type_name(expected),
                type_name(actual)
            ));
        }
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for k in e.keys() {
                if !a.contains_key(k) {
                    out.push(format!("{path}.{k}: missing"));
                }
            }
            for k in a.keys() {
                if !e.contains_key(k) {
                    out.push(format!("{path}.{k}: unexpected"));
                }
            }
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    walk(&format!("{path}.{k}"), ev, av, lenient, out);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if !e.is_empty() && !a.is_empty() => {
            for (i, av) in a.iter().enumerate() {
                let ev = e.get(i).unwrap_or(&e[0]);
                walk(&format!("{path}[{i}]"), ev, av, lenient, out);
            }
        }
        _ => {}
    }
}

/// Asserts equal shapes, printing every difference.
pub fn assert_shape(context: &str, expected: &Value, actual: &Value, lenient: &[&str]) {
    let diff = shape_diff(expected, actual, lenient);
    assert!(
        diff.is_empty(),
        "{context}: shape differs from the recording:\n  {}",
        diff.join("\n  ")
    );
}
