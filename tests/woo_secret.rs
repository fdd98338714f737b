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

/// One value of every kind, with every text of its context tainted.
fn every_variant() -> Vec<WooError> {
    let t = tainted;
    WooErrorKind::ALL
        .iter()
        .map(|kind| {
            let e = match kind {
                WooErrorKind::Decode => WooError::decode(t("record"), t("path"), t("msg")),
                WooErrorKind::OutcomeUnknown => WooError::outcome_unknown(
                    t("req"),
                    WooError::new(WooErrorKind::Transport)
                        .with_request(t("inner"))
                        .with_detail(t("inner")),
                ),
                other => WooError::new(*other),
            };
            e.with_request(t("req"))
                .with_status(400)
                .with_store_error(t("code"), t("msg"))
                .with_detail(t("detail"))
                .with_retry_after(Some(Duration::from_secs(5)))
                .with_resource_id(Some(1))
                .with_store_url(t("url"))
                .with_site_address(t("site"))
                .with_host(t("host"))
                .with_location(t("loc"))
                .with_content_type(t("ct"))
                .with_timeout(Duration::from_secs(60))
                .with_tls(TlsProblem::Other(t("tls")))
        })
        .collect()
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
    assert_eq!(all.len(), 32);
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
