//! Connection settings and their validation.

use std::time::Duration;

use url::Url;

use super::error::WooError;
use super::retry::RetryPolicy;
use crate::secret::{Secret, url_for_logging};

/// Everything a [`super::WooClient`] needs to reach one store.
#[derive(Debug, Clone)]
pub struct WooConfig {
    /// The store's home address, e.g. `https://shop.example.com` or `https://example.com/shop`.
    pub store_url: String,
    /// Consumer key (`ck_…`).
    pub consumer_key: String,
    /// Consumer secret (`cs_…`).
    pub consumer_secret: Secret,
    /// Permit an `http://` Store URL (then OAuth 1.0a signatures are used).
    pub allow_insecure_http: bool,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request (sending, waiting, reading the answer).
    pub request_timeout: Duration,
    /// Once the store has started its answer: the longest silence allowed, and the window in
    /// which at least 1 KiB must arrive. A store that stalls or trickles is given up on after
    /// this, not after the whole request timeout.
    pub idle_timeout: Duration,
    /// Retry behaviour for idempotent requests.
    pub retry: RetryPolicy,
    /// Requests in flight at once at the start; the client adapts between 1 and
    /// `max_concurrency` as the store answers.
    pub initial_concurrency: usize,
    /// The most requests the client ever has in flight at once (1 = strictly one at a time).
    pub max_concurrency: usize,
    /// Items per batch request (the store's limit is 100 unless its owner changed it). A store
    /// that refuses a batch as too large gets half as many per request from then on.
    pub batch_limit: usize,
    /// `User-Agent` header; firewalls treat anonymous clients worse.
    pub user_agent: String,
}

impl WooConfig {
    /// Settings with sensible defaults: 10 s connect, 60 s request and 20 s idle timeout,
    /// 4 requests at a time at first and never more than 8, batches of 100, the default
    /// [`RetryPolicy`], HTTPS only.
    pub fn new(
        store_url: impl Into<String>,
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<Secret>,
    ) -> Self {
        WooConfig {
            store_url: store_url.into(),
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            allow_insecure_http: false,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(20),
            retry: RetryPolicy::default(),
            initial_concurrency: super::limiter::DEFAULT_INITIAL_CONCURRENCY,
            max_concurrency: super::limiter::DEFAULT_MAX_CONCURRENCY,
            batch_limit: 100,
            user_agent: format!(
                "QBM-WooCommerce/{} ({}; reqwest; rustls)",
                env!("CARGO_PKG_VERSION"),
                env!("QBM_WC_TARGET")
            ),
        }
    }
}

/// A validated store address: the home URL without trailing slash, scheme http or https.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreAddress {
    home: Url,
}

impl StoreAddress {
    /// Validates and normalises a Store URL. A missing scheme means `https://`.
    pub fn parse(text: &str, allow_insecure_http: bool) -> Result<StoreAddress, WooError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(config("enter the Store URL, e.g. https://shop.example.com"));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|e| {
            config(format!(
                "the Store URL {} is not a valid web address ({e})",
                url_for_logging(trimmed)
            ))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if allow_insecure_http => {}
            "http" => {
                return Err(WooError::new(super::error::WooErrorKind::InsecureHttp)
                    .with_store_url(url_for_logging(url.as_str())));
            }
            other => {
                return Err(config(format!(
                    "the Store URL must start with https:// (found {other}://)"
                )));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(config("the Store URL has no host name"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config(
                "the Store URL must not contain a user name or password; enter the API key in its own fields",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(config(
                "the Store URL must not contain \"?\" or \"#\"; enter only the address of the store's home page",
            ));
        }
        if url.path().contains("/wp-json") || url.path().contains("/wc-api") {
            return Err(config(
                "enter the store's home address without /wp-json/… (e.g. https://shop.example.com)",
            ));
        }
        let path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&path);
        Ok(StoreAddress { home: url })
    }

    /// True for `https://`.
    pub fn is_https(&self) -> bool {
        self.home.scheme() == "https"
    }

    /// The home URL as text, without trailing slash.
    pub fn as_str(&self) -> &str {
        self.home.as_str().trim_end_matches('/')
    }

    /// Host and port for messages (`shop.example.com`, `127.0.0.1:8443`).
    pub fn host_port(&self) -> String {
        let host = self.home.host_str().unwrap_or_default();
        match self.home.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        }
    }

    /// Host name only.
    pub fn host(&self) -> String {
        self.home.host_str().unwrap_or_default().to_owned()
    }

    /// `{home}/{path}` with an already encoded query string.
    pub fn url(&self, path: &str, encoded_query: &str) -> Result<Url, WooError> {
        let mut text = format!("{}/{}", self.as_str(), path.trim_start_matches('/'));
        if !encoded_query.is_empty() {
            text.push('?');
            text.push_str(encoded_query);
        }
        Url::parse(&text).map_err(|e| config(format!("cannot build a request address ({e})")))
    }
}

/// Checks key and secret for the mistakes people make when pasting them.
pub fn validate_credentials(key: &str, secret: &Secret) -> Result<(), WooError> {
    let key = key.trim();
    let secret = secret.expose().trim();
    if key.is_empty() {
        return Err(config("enter the consumer key (it starts with ck_)"));
    }
    if secret.is_empty() {
        return Err(config("enter the consumer secret (it starts with cs_)"));
    }
    if key.starts_with("cs_") {
        return Err(config(
            "the consumer key field holds a consumer secret (cs_…); the key starts with ck_",
        ));
    }
    if secret.starts_with("ck_") {
        return Err(config(
            "the consumer secret field holds a consumer key (ck_…); the secret starts with cs_",
        ));
    }
    if key.chars().any(char::is_whitespace) || secret.chars().any(char::is_whitespace) {
        return Err(config(
            "the consumer key or secret contains spaces; copy them again without spaces",
        ));
    }
    Ok(())
}

fn config(message: impl Into<String>) -> WooError {
    WooError::config(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::woo::error::WooErrorKind;

    #[test]
    fn store_urls_are_normalised() {
        let a = StoreAddress::parse("https://shop.example.com/", false).unwrap();
        assert_eq!(a.as_str(), "https://shop.example.com");
        let a = StoreAddress::parse(" example.com/shop/ ", false).unwrap();
        assert_eq!(a.as_str(), "https://example.com/shop");
        assert_eq!(
            a.url("wp-json/wc/v3/products", "per_page=1")
                .unwrap()
                .as_str(),
            "https://example.com/shop/wp-json/wc/v3/products?per_page=1"
        );
        let a = StoreAddress::parse("http://127.0.0.1:8080", true).unwrap();
        assert_eq!(a.host_port(), "127.0.0.1:8080");
        assert!(!a.is_https());
    }

    #[test]
    fn bad_store_urls_are_refused() {
        let kind = |u: &str| StoreAddress::parse(u, false).unwrap_err().kind();
        assert_eq!(kind("http://shop.example.com"), WooErrorKind::InsecureHttp);
        assert_eq!(kind("ftp://shop.example.com"), WooErrorKind::Config);
        assert_eq!(kind(""), WooErrorKind::Config);
        assert_eq!(
            kind("https://shop.example.com/wp-json/wc/v3"),
            WooErrorKind::Config
        );
        assert_eq!(kind("https://shop.example.com/?x=1"), WooErrorKind::Config);
        assert_eq!(kind("https://u:p@shop.example.com"), WooErrorKind::Config);
        assert_eq!(kind("https://"), WooErrorKind::Config);
    }

    #[test]
    fn credentials_are_checked() {
        let s = Secret::new("cs_x");
        assert!(validate_credentials("ck_x", &s).is_ok());
        assert!(validate_credentials("", &s).is_err());
        assert!(validate_credentials("ck_x", &Secret::default()).is_err());
        assert!(validate_credentials("cs_x", &Secret::new("ck_x")).is_err());
        assert!(validate_credentials("ck_ x", &s).is_err());
    }
}
