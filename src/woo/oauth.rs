//! OAuth 1.0a one-legged request signing, exactly as `WC_REST_Authentication` checks it.
//!
//! Only the consumer key and secret take part (no token); all `oauth_*` values travel in the query
//! string, so the signature covers precisely the URL that is sent. A JSON body is never signed.

use base64::Engine as _;
use rand::Rng as _;
use rand::distr::Alphanumeric;
use url::Url;

use super::encode::rfc3986;
use crate::secret::Secret;

/// The HMAC used for the signature. WooCommerce accepts both; SHA-256 is what its own clients use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureMethod {
    /// `HMAC-SHA1` (RFC 5849).
    HmacSha1,
    /// `HMAC-SHA256`.
    HmacSha256,
}

impl SignatureMethod {
    /// The value of `oauth_signature_method`.
    pub fn name(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
        }
    }
}

/// A fresh nonce: 32 random letters and digits from the thread-local CSPRNG (about 190 bits),
/// so two requests never share one; a new nonce is drawn for every attempt.
pub fn new_nonce() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// `scheme://host[:port]/path` of a URL, the "base URI" that is signed (no query, no fragment,
/// default ports left out).
pub fn base_uri(url: &Url) -> String {
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    out.push_str(url.path());
    out
}

/// The signature base string: `METHOD&enc(base_uri)&enc(sorted, encoded name=value pairs)`.
///
/// Parameters are sorted by name with a byte-wise comparison (PHP `strcmp`); names do not repeat
/// in WooCommerce requests, so values only break ties for completeness.
pub fn signature_base_string(method: &str, base_uri: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .filter(|(name, _)| name != "oauth_signature")
        .map(|(name, value)| (rfc3986(name), rfc3986(value)))
        .collect();
    encoded.sort();
    let joined = encoded
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        rfc3986(base_uri),
        rfc3986(&joined)
    )
}

/// base64(HMAC(base string, key)). The key is `consumer_secret&token_secret`; for WooCommerce the
/// token secret is empty, see [`sign`].
pub fn sign_with_key(method: SignatureMethod, base_string: &str, key: &str) -> String {
    let algorithm = match method {
        // SHA-1 is what OAuth 1.0a specifies; WooCommerce still accepts it.
        SignatureMethod::HmacSha1 => ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        SignatureMethod::HmacSha256 => ring::hmac::HMAC_SHA256,
    };
    let key = ring::hmac::Key::new(algorithm, key.as_bytes());
    let tag = ring::hmac::sign(&key, base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

/// The WooCommerce signature of a request: key = `consumer_secret&`.
pub fn sign(
    method: SignatureMethod,
    http_method: &str,
    base_uri: &str,
    params: &[(String, String)],
    consumer_secret: &Secret,
) -> String {
    let base = signature_base_string(http_method, base_uri, params);
    let key = format!("{}&", consumer_secret.expose());
    sign_with_key(method, &base, &key)
}

/// Inputs of one signature apart from the request itself.
#[derive(Debug, Clone)]
pub struct OAuthStamp {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_timestamp`, Unix seconds (already corrected for the store's clock).
    pub timestamp: i64,
    /// `oauth_nonce`, never reused.
    pub nonce: String,
    /// `oauth_signature_method`.
    pub method: SignatureMethod,
}

/// Signs `url` (which already carries every non-OAuth query parameter, encoded with
/// [`rfc3986`]) and returns it with the five `oauth_*` parameters appended.
pub fn sign_url(http_method: &str, url: &Url, stamp: &OAuthStamp, secret: &Secret) -> Url {
    // The server signs the decoded query parameters; decode exactly what will be sent.
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let oauth = [
        ("oauth_consumer_key", stamp.consumer_key.clone()),
        ("oauth_nonce", stamp.nonce.clone()),
        ("oauth_signature_method", stamp.method.name().to_owned()),
        ("oauth_timestamp", stamp.timestamp.to_string()),
    ];
    params.extend(oauth.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let signature = sign(stamp.method, http_method, &base_uri(url), &params, secret);
    let mut query = url.query().unwrap_or_default().to_owned();
    for (name, value) in oauth
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(std::iter::once(("oauth_signature", signature.as_str())))
    {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        query.push_str(&rfc3986(value));
    }
    let mut signed = url.clone();
    signed.set_query(Some(&query));
    signed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const KEY: &str = "ck_0123456789abcdef0123456789abcdef01234567";
    const SECRET: &str = "cs_fedcba9876543210fedcba9876543210fedcba98";

    fn reference_params() -> Vec<(String, String)> {
        p(&[
            ("per_page", "100"),
            ("status", "processing,completed"),
            ("modified_after", "2024-05-01T00:00:00"),
            ("dates_are_gmt", "true"),
            ("oauth_consumer_key", KEY),
            ("oauth_nonce", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", "1714521600"),
        ])
    }

    /// Reference §2.5.4, pretty-permalink form.
    #[test]
    fn woocommerce_reference_vector_pretty() {
        let base = signature_base_string(
            "GET",
            "http://shop.example.com/wp-json/wc/v3/orders",
            &reference_params(),
        );
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fshop.example.com%2Fwp-json%2Fwc%2Fv3%2Forders&dates_are_gmt%3Dtrue%26modified_after%3D2024-05-01T00%253A00%253A00%26oauth_consumer_key%3Dck_0123456789abcdef0123456789abcdef01234567%26oauth_nonce%3Da1b2c3d4e5f60718293a4b5c6d7e8f90%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1714521600%26per_page%3D100%26status%3Dprocessing%252Ccompleted"
        );
        let sig = sign(
            SignatureMethod::HmacSha256,
            "GET",
            "http://shop.example.com/wp-json/wc/v3/orders",
            &reference_params(),
            &Secret::new(SECRET),
        );
        assert_eq!(sig, "3rtAuLNXGQDe2S2J7QdOC17rf7SxfHJUTW4aJyaJnZg=");
        assert_eq!(
            rfc3986(&sig),
            "3rtAuLNXGQDe2S2J7QdOC17rf7SxfHJUTW4aJyaJnZg%3D"
        );
    }

    /// Reference §2.5.4, `?rest_route=` form.
    #[test]
    fn woocommerce_reference_vector_rest_route() {
        let mut params = reference_params();
        params.push(("rest_route".into(), "/wc/v3/orders".into()));
        let sig = sign(
            SignatureMethod::HmacSha256,
            "GET",
            "http://shop.example.com/",
            &params,
            &Secret::new(SECRET),
        );
        assert_eq!(sig, "IECnW3cNsMlrbnV3iYd0L0ZiurxzZKJCyzNN0tFyU0c=");
    }

    /// The same vector through `sign_url`: the URL carries the parameters, the signature is
    /// appended, and it matches the published one.
    #[test]
    fn sign_url_signs_what_is_sent() {
        let url = Url::parse(
            "http://shop.example.com/wp-json/wc/v3/orders?per_page=100&status=processing%2Ccompleted&modified_after=2024-05-01T00%3A00%3A00&dates_are_gmt=true",
        )
        .unwrap();
        let stamp = OAuthStamp {
            consumer_key: KEY.into(),
            timestamp: 1_714_521_600,
            nonce: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
            method: SignatureMethod::HmacSha256,
        };
        let signed = sign_url("GET", &url, &stamp, &Secret::new(SECRET));
        assert!(
            signed
                .as_str()
                .ends_with("&oauth_signature=3rtAuLNXGQDe2S2J7QdOC17rf7SxfHJUTW4aJyaJnZg%3D"),
            "{signed}"
        );
        assert!(signed.as_str().starts_with(url.as_str()));
    }

    /// OAuth Core 1.0a, Appendix A.5 (the `photos.example.net` example, with a token secret),
    /// which is the worked example behind RFC 5849 §1.2: HMAC-SHA1 through the same code.
    #[test]
    fn oauth_core_appendix_vector_hmac_sha1() {
        let params = p(&[
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1191242096"),
            ("oauth_nonce", "kllo9940pd9333jh"),
            ("oauth_version", "1.0"),
        ]);
        let base = signature_base_string("GET", "http://photos.example.net/photos", &params);
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        );
        let sig = sign_with_key(
            SignatureMethod::HmacSha1,
            &base,
            "kd94hf93k423kf44&pfkkdhi9sl3r4s00",
        );
        assert_eq!(sig, "tR3+Ty81lMeYAr/Fid0kMTYa/WM=");
    }

    #[test]
    fn nonces_are_32_alphanumerics_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let n = new_nonce();
            assert_eq!(n.len(), 32);
            assert!(n.chars().all(|c| c.is_ascii_alphanumeric()));
            assert!(seen.insert(n), "nonce repeated");
        }
    }

    #[test]
    fn base_uri_keeps_port_and_path_and_drops_query() {
        let u = Url::parse("http://127.0.0.1:8080/?rest_route=/wc/v3").unwrap();
        assert_eq!(base_uri(&u), "http://127.0.0.1:8080/");
        let u = Url::parse("https://Shop.Example.com:443/shop/wp-json/wc/v3/products/").unwrap();
        assert_eq!(
            base_uri(&u),
            "https://shop.example.com/shop/wp-json/wc/v3/products/"
        );
    }
}

#[cfg(test)]
mod rfc5849 {
    use super::*;

    /// RFC 5849 §1.2: the signed request for `photos.example.net` (HMAC-SHA1, token secret).
    #[test]
    fn rfc5849_section_1_2_example() {
        let params: Vec<(String, String)> = [
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let base = signature_base_string("GET", "http://photos.example.net/photos", &params);
        let sig = sign_with_key(
            SignatureMethod::HmacSha1,
            &base,
            "kd94hf93k423kf44&pfkkdhi9sl3r4s00",
        );
        assert_eq!(sig, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
        assert_eq!(rfc3986(&sig), "MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D");
    }
}
