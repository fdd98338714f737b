//! How requests prove who they are: HTTP Basic, query-string keys, or OAuth 1.0a signatures.

use std::sync::atomic::{AtomicU8, Ordering};

use url::Url;

use super::encode::rfc3986;
use super::oauth::{OAuthStamp, SignatureMethod, new_nonce, sign_url};
use crate::secret::Secret;

/// The authentication in use for a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMode {
    /// `Authorization: Basic` over HTTPS (preferred).
    Basic,
    /// `consumer_key`/`consumer_secret` in the query string over HTTPS, for servers that drop
    /// the `Authorization` header.
    QueryString,
    /// OAuth 1.0a one-legged signatures in the query string (plain HTTP).
    OAuth1,
}

impl AuthMode {
    /// Short description for reports and logs.
    pub fn describe(self) -> &'static str {
        match self {
            AuthMode::Basic => "HTTP Basic over HTTPS",
            AuthMode::QueryString => "API keys in the query string over HTTPS",
            AuthMode::OAuth1 => "OAuth 1.0a signatures over HTTP",
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            AuthMode::Basic => 0,
            AuthMode::QueryString => 1,
            AuthMode::OAuth1 => 2,
        }
    }

    fn from_u8(v: u8) -> AuthMode {
        match v {
            1 => AuthMode::QueryString,
            2 => AuthMode::OAuth1,
            _ => AuthMode::Basic,
        }
    }
}

/// The mode a client currently uses; switches from Basic to query-string keys once Basic is
/// shown not to reach WordPress.
#[derive(Debug)]
pub(crate) struct AuthState(AtomicU8);

impl AuthState {
    pub(crate) fn new(mode: AuthMode) -> Self {
        AuthState(AtomicU8::new(mode.to_u8()))
    }
    pub(crate) fn get(&self) -> AuthMode {
        AuthMode::from_u8(self.0.load(Ordering::SeqCst))
    }
    pub(crate) fn set(&self, mode: AuthMode) {
        self.0.store(mode.to_u8(), Ordering::SeqCst);
    }
}

/// Credentials of one client.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) key: String,
    pub(crate) secret: Secret,
}

/// Adds what `mode` needs to the URL. `unsigned` already carries every other parameter.
/// Basic credentials are added to the request as a header by the caller instead.
pub(crate) fn authorize_url(
    unsigned: Url,
    mode: AuthMode,
    creds: &Credentials,
    http_method: &str,
    timestamp: i64,
) -> Url {
    match mode {
        AuthMode::Basic => unsigned,
        AuthMode::QueryString => {
            let mut url = unsigned;
            let mut query = url.query().unwrap_or_default().to_owned();
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str("consumer_key=");
            query.push_str(&rfc3986(&creds.key));
            query.push_str("&consumer_secret=");
            query.push_str(&rfc3986(creds.secret.expose()));
            url.set_query(Some(&query));
            url
        }
        AuthMode::OAuth1 => {
            let stamp = OAuthStamp {
                consumer_key: creds.key.clone(),
                timestamp,
                nonce: new_nonce(),
                method: SignatureMethod::HmacSha256,
            };
            sign_url(http_method, &unsigned, &stamp, &creds.secret)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials {
            key: "ck_1".into(),
            secret: Secret::new("cs_2+3"),
        }
    }

    #[test]
    fn query_string_mode_appends_encoded_keys() {
        let u = Url::parse("https://s.example/wp-json/wc/v3/products?per_page=1").unwrap();
        let out = authorize_url(u, AuthMode::QueryString, &creds(), "GET", 0);
        assert_eq!(
            out.as_str(),
            "https://s.example/wp-json/wc/v3/products?per_page=1&consumer_key=ck_1&consumer_secret=cs_2%2B3"
        );
    }

    #[test]
    fn oauth_mode_uses_a_fresh_nonce_every_time() {
        let u = Url::parse("http://s.example/wp-json/wc/v3/products").unwrap();
        let a = authorize_url(u.clone(), AuthMode::OAuth1, &creds(), "GET", 1);
        let b = authorize_url(u, AuthMode::OAuth1, &creds(), "GET", 1);
        let nonce = |u: &Url| {
            u.query_pairs()
                .find(|(k, _)| k == "oauth_nonce")
                .map(|(_, v)| v.into_owned())
                .unwrap()
        };
        assert_ne!(nonce(&a), nonce(&b));
        assert!(
            a.query()
                .unwrap()
                .contains("oauth_signature_method=HMAC-SHA256")
        );
        assert!(!a.as_str().contains("cs_2"));
    }

    #[test]
    fn modes_round_trip_through_state() {
        let s = AuthState::new(AuthMode::Basic);
        s.set(AuthMode::QueryString);
        assert_eq!(s.get(), AuthMode::QueryString);
        s.set(AuthMode::OAuth1);
        assert_eq!(s.get(), AuthMode::OAuth1);
    }
}
