//! The consumer secret never shows up in Debug or Display output of configuration, clients or
//! errors, whatever text an error was built from.

use std::time::Duration;

use qbm_woocommerce::secret::{Secret, redact, url_for_logging};
use qbm_woocommerce::woo::{TlsProblem, WooClient, WooConfig, WooError, WooErrorKind};

const SECRET: &str = "cs_0f1e2d3c4b5a69788796a5b4c3d2e1f0deadbeef";

/// Text as a careless server or caller might produce it: the secret raw, percent-encoded and
/// inside a URL query.
fn tainted(label: &str) -> String {
    format!(
        "{label} {SECRET} https://shop.example/wp-json/wc/v3/products?consumer_key=ck_1&consumer_secret={SECRET} {}",
        qbm_woocommerce::woo::encode::rfc3986(SECRET)
    )
}

/// One value of every variant, each string field tainted.
fn every_variant() -> Vec<WooError> {
    let t = tainted;
    vec![
        WooError::Config {
            message: t("config"),
        },
        WooError::InsecureHttp { url: t("url") },
        WooError::UnknownKey { request: t("req") },
        WooError::WrongSecret { request: t("req") },
        WooError::ReadOnlyKey { request: t("req") },
        WooError::WriteOnlyKey { request: t("req") },
        WooError::AuthRejected {
            request: t("req"),
            code: t("code"),
            message: t("msg"),
        },
        WooError::ClockSkew { request: t("req") },
        WooError::Forbidden {
            request: t("req"),
            code: Some(t("code")),
            message: t("msg"),
        },
        WooError::PlainPermalinks {
            store_url: t("url"),
        },
        WooError::NotWordPress {
            store_url: t("url"),
            detail: t("detail"),
        },
        WooError::WooCommerceMissing {
            store_url: t("url"),
        },
        WooError::Tls {
            host: t("host"),
            problem: TlsProblem::Other(t("tls")),
        },
        WooError::Dns { host: t("host") },
        WooError::ConnectionRefused { host: t("host") },
        WooError::ConnectionLost { request: t("req") },
        WooError::Timeout {
            request: t("req"),
            after: Duration::from_secs(60),
        },
        WooError::StoreDown {
            request: t("req"),
            status: 503,
        },
        WooError::RateLimited {
            request: t("req"),
            retry_after: Some(Duration::from_secs(5)),
        },
        WooError::Redirect {
            request: t("req"),
            status: 301,
            location: t("loc"),
        },
        WooError::NotApiResponse {
            request: t("req"),
            status: 200,
            content_type: t("ct"),
        },
        WooError::BrokenResponse {
            request: t("req"),
            detail: t("detail"),
        },
        WooError::UnexpectedResponse {
            request: t("req"),
            detail: t("detail"),
        },
        WooError::NoRoute { request: t("req") },
        WooError::NotFound {
            request: t("req"),
            code: t("code"),
            message: t("msg"),
        },
        WooError::Rejected {
            request: t("req"),
            status: 400,
            code: t("code"),
            message: t("msg"),
            resource_id: Some(1),
        },
        WooError::BatchTooLarge { request: t("req") },
        WooError::OutcomeUnknown {
            request: t("req"),
            cause: Box::new(WooError::Transport {
                request: t("inner"),
                detail: t("inner"),
            }),
        },
        WooError::Decode {
            record: t("record"),
            path: t("path"),
            message: t("msg"),
        },
        WooError::Cancelled,
        WooError::Transport {
            request: t("req"),
            detail: t("detail"),
        },
    ]
}

fn assert_clean(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked: {text}");
    let encoded = qbm_woocommerce::woo::encode::rfc3986(SECRET);
    assert!(!text.contains(&encoded), "encoded secret leaked: {text}");
    // Even a long fragment of it must not survive.
    assert!(
        !text.contains(&SECRET[3..20]),
        "part of the secret leaked: {text}"
    );
}

#[test]
fn every_error_variant_is_clean_after_redaction() {
    let secret = Secret::new(SECRET);
    let all = every_variant();
    let kinds: std::collections::BTreeSet<WooErrorKind> = all.iter().map(WooError::kind).collect();
    assert_eq!(kinds.len(), all.len(), "one value per variant");
    assert_eq!(all.len(), 31);
    for e in all {
        let e = e.redacted(&secret);
        assert_clean(&e.to_string());
        assert_clean(&format!("{e:?}"));
        assert_clean(&format!("{e:#?}"));
    }
}

#[test]
fn every_error_message_says_something() {
    for e in every_variant() {
        let text = e.redacted(&Secret::new(SECRET)).to_string();
        assert!(text.len() > 20, "{text}");
        assert!(
            text.ends_with('.') || text.ends_with(')') || text.contains(": "),
            "{text}"
        );
    }
}

#[test]
fn config_and_client_debug_hide_the_secret() {
    let mut cfg = WooConfig::new("https://shop.example.com", "ck_1234", SECRET);
    assert_clean(&format!("{cfg:?}"));
    assert_clean(&format!("{cfg:#?}"));
    assert_clean(&format!("{:?}", cfg.consumer_secret));
    assert_clean(&format!("{}", cfg.consumer_secret));
    let client = WooClient::new(cfg.clone()).expect("client");
    assert_clean(&format!("{client:?}"));

    // Configuration errors built from what the user typed.
    cfg.store_url = format!("https://shop.example.com/?consumer_secret={SECRET}");
    let e = WooClient::new(cfg.clone()).unwrap_err();
    assert_clean(&format!("{e} {e:?}"));
    cfg.store_url = format!("http://shop.example.com/{SECRET}");
    let e = WooClient::new(cfg.clone()).unwrap_err();
    assert_eq!(e.kind(), WooErrorKind::InsecureHttp);
    assert_clean(&format!("{e} {e:?}"));
    cfg.store_url = format!("https://{SECRET} bad host");
    let e = WooClient::new(cfg).unwrap_err();
    assert_clean(&format!("{e} {e:?}"));
}

#[test]
fn logging_helpers() {
    let s = Secret::new(SECRET);
    assert_clean(&redact(&tainted("log line"), &s));
    assert_clean(&url_for_logging(&format!(
        "https://shop.example/wp-json/wc/v3/products?consumer_key=ck_1&consumer_secret={SECRET}"
    )));
}
