//! API key authentication in the order `WC_REST_Authentication` performs it.
//!
//! Over HTTPS, query-string keys and then HTTP Basic are tried; an unknown key there simply does
//! not authenticate (the request goes on as anonymous) while a wrong secret is an error. Then
//! OAuth 1.0a (query string, form body and `Authorization: OAuth` header) is tried, on HTTP and
//! HTTPS alike. Key permissions are checked against the method afterwards.

use base64::Engine as _;

use super::errors::WcError;
use super::keys::{KeyPermission, KeyRing};
use super::oauth::{SignatureMethod, base_string, sign, signatures_match};
use super::query::{PhpParams, PhpValue};

/// Seconds a timestamp may be off, and a nonce is remembered.
const WINDOW_SECONDS: i64 = 15 * 60;

const OAUTH_PARAMS: [&str; 5] = [
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
];

/// Result of authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthOutcome {
    /// No usable credentials: the request runs as a visitor.
    Anonymous,
    /// A key authenticated.
    Key(KeyPermission),
    /// Authentication failed with this error (always 401).
    Failed(WcError),
}

/// What authentication looks at.
pub(crate) struct AuthInput<'a> {
    /// Transport method (what OAuth signs).
    pub method: &'a str,
    /// Whether the request arrived over TLS.
    pub https: bool,
    /// `scheme://host:port` the server rebuilds OAuth URLs from (its home URL, scheme swapped).
    pub origin: &'a str,
    /// The request path exactly as received.
    pub raw_path: &'a str,
    /// `$_GET`.
    pub query: &'a PhpParams,
    /// `$_POST` (form-encoded bodies only).
    pub form: Option<&'a PhpParams>,
    /// The `Authorization` header as PHP sees it.
    pub authorization: Option<&'a str>,
    /// Server time (Unix seconds).
    pub now: i64,
}

fn auth_error(message: &str) -> WcError {
    WcError::new(401, "woocommerce_rest_authentication_error", message)
}

/// Authenticates a request to a `wp-json/wc/` URL.
pub(crate) fn authenticate(keys: &mut KeyRing, input: &AuthInput<'_>) -> AuthOutcome {
    let mut error = None;
    if input.https {
        match basic(keys, input) {
            Some(Ok(permission)) => return AuthOutcome::Key(permission),
            Some(Err(e)) => error = Some(e),
            None => {}
        }
    }
    match oauth(keys, input) {
        Some(Ok(permission)) => AuthOutcome::Key(permission),
        Some(Err(e)) => AuthOutcome::Failed(e),
        None => error.map_or(AuthOutcome::Anonymous, AuthOutcome::Failed),
    }
}

fn basic(keys: &KeyRing, input: &AuthInput<'_>) -> Option<Result<KeyPermission, WcError>> {
    let (key, secret) = match (
        input.query.non_empty("consumer_key"),
        input.query.non_empty("consumer_secret"),
    ) {
        (Some(k), Some(s)) => (k.to_owned(), s.to_owned()),
        _ => basic_header(input.authorization?)?,
    };
    if key.is_empty() || secret.is_empty() {
        return None;
    }
    let record = keys.find(&key)?;
    if signatures_match(&record.key.consumer_secret, &secret) {
        Some(Ok(record.permission))
    } else {
        Some(Err(auth_error("Consumer secret is invalid.")))
    }
}

fn basic_header(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn oauth(keys: &mut KeyRing, input: &AuthInput<'_>) -> Option<Result<KeyPermission, WcError>> {
    let mut params = input.query.clone();
    if let Some(form) = input.form {
        params.merge(form);
    }
    if let Some(header) = input.authorization {
        for (name, value) in super::oauth::parse_authorization_header(header) {
            params.set(name, PhpValue::Str(value));
        }
    }
    let missing: Vec<&str> = OAUTH_PARAMS
        .iter()
        .copied()
        .filter(|name| params.non_empty(name).is_none())
        .collect();
    if missing.len() == OAUTH_PARAMS.len() {
        return None;
    }
    if !missing.is_empty() {
        let noun = if missing.len() == 1 {
            "parameter"
        } else {
            "parameters"
        };
        return Some(Err(WcError::new(
            401,
            "woocommerce_rest_authentication_missing_parameter",
            format!("Missing OAuth {noun} {}", missing.join(", ")),
        )));
    }
    let field = |name: &str| params.get_str(name).unwrap_or_default().to_owned();
    let consumer_key = field("oauth_consumer_key");
    let Some(record) = keys.find_mut(&consumer_key) else {
        return Some(Err(auth_error("Consumer key is invalid.")));
    };
    let base_uri = format!("{}{}", input.origin, input.raw_path);
    let base = base_string(input.method, &base_uri, &params);
    let Some(method) = SignatureMethod::parse(&field("oauth_signature_method")) else {
        return Some(Err(auth_error(
            "Invalid signature - signature method is invalid.",
        )));
    };
    // PHP: rawurldecode(str_replace(' ', '+', $signature)) on the already decoded value.
    let provided =
        percent_encoding::percent_decode_str(&field("oauth_signature").replace(' ', "+"))
            .decode_utf8_lossy()
            .into_owned();
    let expected = sign(method, &base, &record.key.consumer_secret);
    if !signatures_match(&expected, &provided) {
        return Some(Err(auth_error(
            "Invalid signature - provided signature does not match.",
        )));
    }
    let timestamp = super::params::parse_integer(&field("oauth_timestamp")).unwrap_or(0);
    if timestamp < input.now - WINDOW_SECONDS || timestamp > input.now + WINDOW_SECONDS {
        return Some(Err(auth_error("Invalid timestamp.")));
    }
    let nonce = field("oauth_nonce");
    if record.nonces.values().any(|used| *used == nonce) {
        return Some(Err(auth_error(
            "Invalid nonce - nonce has already been used.",
        )));
    }
    record.nonces.insert(timestamp, nonce);
    record
        .nonces
        .retain(|ts, _| *ts >= input.now - WINDOW_SECONDS);
    Some(Ok(record.permission))
}

/// The key permission check WooCommerce runs before dispatch (`check_user_permissions`).
pub(crate) fn check_key_permission(permission: KeyPermission, method: &str) -> Result<(), WcError> {
    match method {
        "GET" | "HEAD" if !permission.can_read() => Err(auth_error(
            "The API key provided does not have read permissions.",
        )),
        "POST" | "PUT" | "PATCH" | "DELETE" if !permission.can_write() => Err(auth_error(
            "The API key provided does not have write permissions.",
        )),
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => Ok(()),
        _ => Err(auth_error("Unknown request method.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys::ApiKey;

    fn ring() -> (KeyRing, ApiKey) {
        let mut ring = KeyRing::default();
        let key = ApiKey {
            consumer_key: "ck_0123456789abcdef0123456789abcdef01234567".to_owned(),
            consumer_secret: "cs_fedcba9876543210fedcba9876543210fedcba98".to_owned(),
        };
        ring.insert(key.clone(), KeyPermission::ReadWrite);
        (ring, key)
    }

    fn input<'a>(query: &'a PhpParams, https: bool, now: i64) -> AuthInput<'a> {
        AuthInput {
            method: "GET",
            https,
            origin: "http://shop.example.com",
            raw_path: "/wp-json/wc/v3/orders",
            query,
            form: None,
            authorization: None,
            now,
        }
    }

    #[test]
    fn accepts_the_reference_test_vector_once() {
        let (mut ring, _) = ring();
        let query = PhpParams::parse(
            "per_page=100&status=processing%2Ccompleted&modified_after=2024-05-01T00%3A00%3A00&dates_are_gmt=true&oauth_consumer_key=ck_0123456789abcdef0123456789abcdef01234567&oauth_nonce=a1b2c3d4e5f60718293a4b5c6d7e8f90&oauth_signature_method=HMAC-SHA256&oauth_timestamp=1714521600&oauth_signature=3rtAuLNXGQDe2S2J7QdOC17rf7SxfHJUTW4aJyaJnZg%3D",
        );
        let now = 1_714_521_600;
        assert_eq!(
            authenticate(&mut ring, &input(&query, false, now)),
            AuthOutcome::Key(KeyPermission::ReadWrite)
        );
        match authenticate(&mut ring, &input(&query, false, now)) {
            AuthOutcome::Failed(e) => {
                assert_eq!(e.message, "Invalid nonce - nonce has already been used.");
            }
            other => panic!("expected a nonce error, got {other:?}"),
        }
    }

    #[test]
    fn bad_signature_does_not_consume_the_nonce() {
        let (mut ring, _) = ring();
        let good = "per_page=100&status=processing%2Ccompleted&modified_after=2024-05-01T00%3A00%3A00&dates_are_gmt=true&oauth_consumer_key=ck_0123456789abcdef0123456789abcdef01234567&oauth_nonce=a1b2c3d4e5f60718293a4b5c6d7e8f90&oauth_signature_method=HMAC-SHA256&oauth_timestamp=1714521600&oauth_signature=3rtAuLNXGQDe2S2J7QdOC17rf7SxfHJUTW4aJyaJnZg%3D";
        let bad = PhpParams::parse(&good.replace("3rtAu", "4rtAu"));
        let now = 1_714_521_600;
        assert!(matches!(
            authenticate(&mut ring, &input(&bad, false, now)),
            AuthOutcome::Failed(_)
        ));
        let good = PhpParams::parse(good);
        assert_eq!(
            authenticate(&mut ring, &input(&good, false, now)),
            AuthOutcome::Key(KeyPermission::ReadWrite)
        );
    }

    #[test]
    fn query_keys_count_only_over_https() {
        let (mut ring, key) = ring();
        let query = PhpParams::from_pairs([
            ("consumer_key".to_owned(), key.consumer_key.clone()),
            ("consumer_secret".to_owned(), key.consumer_secret.clone()),
        ]);
        assert_eq!(
            authenticate(&mut ring, &input(&query, false, 0)),
            AuthOutcome::Anonymous
        );
        assert_eq!(
            authenticate(&mut ring, &input(&query, true, 0)),
            AuthOutcome::Key(KeyPermission::ReadWrite)
        );
        let wrong = PhpParams::from_pairs([
            ("consumer_key".to_owned(), key.consumer_key.clone()),
            ("consumer_secret".to_owned(), "cs_wrong".to_owned()),
        ]);
        assert!(matches!(
            authenticate(&mut ring, &input(&wrong, true, 0)),
            AuthOutcome::Failed(e) if e.message == "Consumer secret is invalid."
        ));
        let unknown = PhpParams::from_pairs([
            ("consumer_key".to_owned(), "ck_unknown".to_owned()),
            ("consumer_secret".to_owned(), "cs_x".to_owned()),
        ]);
        assert_eq!(
            authenticate(&mut ring, &input(&unknown, true, 0)),
            AuthOutcome::Anonymous
        );
    }

    #[test]
    fn key_permissions_follow_the_method() {
        assert!(check_key_permission(KeyPermission::Read, "GET").is_ok());
        assert!(check_key_permission(KeyPermission::Read, "POST").is_err());
        assert!(check_key_permission(KeyPermission::Write, "GET").is_err());
        assert!(check_key_permission(KeyPermission::Write, "OPTIONS").is_ok());
    }
}
