//! The consumer secret, and the redaction helpers that keep it out of logs and messages.
//!
//! The secret is wrapped so that formatting it by accident (`{:?}`, `{}`, a derived `Debug` on a
//! config struct, a `tracing` field) prints a placeholder. The only way to the text is
//! [`Secret::expose`], which is easy to find in review.

use std::fmt;

/// A consumer secret (`cs_…`) or any other credential that must never be printed.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself. Only for building requests and signatures.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no secret was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Replaces every occurrence of the secret in `text` by `***`: plain, percent-encoded (a secret
/// can appear inside a URL that some server echoed back), inside the Base64 of `key:secret` (a
/// firewall page quoting `Authorization: Basic …`), and the values that follow
/// `consumer_secret=`, `oauth_signature=` and `Basic `.
///
/// Short secrets (under 4 characters) are replaced too; an empty secret still gets the generic
/// clean-up of credential-bearing values.
pub fn redact(text: &str, secret: &Secret) -> String {
    Redactor::new("", secret).redact(text)
}

/// Removes one client's credentials from text. Built once per client, because it precomputes
/// every form in which the secret can come back: what a store, proxy or firewall echoes is
/// cleaned here and nowhere else.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Exact strings to replace, longest first so that a form containing another goes whole.
    needles: Vec<String>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor(***)")
    }
}

/// Base64 alphabets a server may use when it quotes credentials.
const BASE64_ENGINES: [base64::engine::GeneralPurpose; 4] = [
    base64::engine::general_purpose::STANDARD,
    base64::engine::general_purpose::STANDARD_NO_PAD,
    base64::engine::general_purpose::URL_SAFE,
    base64::engine::general_purpose::URL_SAFE_NO_PAD,
];

/// Parts of an encoded secret shorter than this are not searched for: they would match
/// ordinary text.
const MIN_ENCODED_PART: usize = 8;

/// Shorter words after "Basic " are prose ("Basic authentication"), not credentials, which are
/// the Base64 of `key:secret` and far longer.
const MIN_BASIC_TOKEN: usize = 24;

impl Redactor {
    /// A redactor for the credentials `consumer_key`/`secret`. The key itself is not secret;
    /// it is needed to recognise the Base64 of `key:secret` as a whole.
    pub fn new(consumer_key: &str, secret: &Secret) -> Redactor {
        use base64::Engine as _;
        let raw = secret.expose();
        let mut needles: Vec<String> = Vec::new();
        if !raw.is_empty() {
            needles.push(raw.to_owned());
            needles.push(crate::woo::encode::rfc3986(raw));
            needles.push(
                percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC)
                    .to_string(),
            );
            for engine in BASE64_ENGINES {
                if !consumer_key.is_empty() {
                    let whole = engine.encode(format!("{consumer_key}:{raw}"));
                    needles.push(crate::woo::encode::rfc3986(&whole));
                    needles.push(whole);
                }
                // Without the key, the secret's share of a Base64 text is still recognisable:
                // it starts at one of three byte alignments. Only whole 4-character groups
                // that depend on the secret alone are searched for.
                for align in 0..3usize {
                    let mut bytes = vec![0u8; align];
                    bytes.extend_from_slice(raw.as_bytes());
                    let encoded = engine.encode(&bytes);
                    let skip = if align == 0 { 0 } else { 4 };
                    let full_groups = bytes.len() / 3 * 4;
                    if full_groups > skip && full_groups - skip >= MIN_ENCODED_PART {
                        needles.push(encoded[skip..full_groups].to_owned());
                    }
                }
            }
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Redactor { needles }
    }

    /// A redactor that knows no secret and only cleans credential-bearing values.
    pub fn none() -> Redactor {
        Redactor::default()
    }

    /// `text` without the secret in any known form.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), "***");
            }
        }
        scrub_credential_values(&out)
    }
}

impl From<&Secret> for Redactor {
    fn from(secret: &Secret) -> Self {
        Redactor::new("", secret)
    }
}

impl From<&Redactor> for Redactor {
    fn from(redactor: &Redactor) -> Self {
        redactor.clone()
    }
}

/// Replaces the values after markers that always carry a credential, whatever the secret:
/// an echoed URL's `consumer_secret=` or `oauth_signature=`, and the token after `Basic `.
fn scrub_credential_values(text: &str) -> String {
    let mut out = text.to_owned();
    for marker in ["consumer_secret=", "oauth_signature="] {
        out = replace_after(&out, marker, |c| {
            c == '&' || c == '>' || c == '"' || c == '\'' || c == '<' || c.is_whitespace()
        });
    }
    let base64_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_');
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(pos) = find_ascii_case_insensitive(rest, "basic ") {
        let (before, after) = rest.split_at(pos + "basic ".len());
        result.push_str(before);
        let token_len = after.find(|c: char| !base64_char(c)).unwrap_or(after.len());
        if token_len >= MIN_BASIC_TOKEN {
            result.push_str("***");
        } else {
            result.push_str(&after[..token_len]);
        }
        rest = &after[token_len..];
    }
    result.push_str(rest);
    result
}

fn replace_after(text: &str, marker: &str, ends: impl Fn(char) -> bool) -> String {
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(marker) {
        let (before, after) = rest.split_at(pos + marker.len());
        result.push_str(before);
        let len = after.find(&ends).unwrap_or(after.len());
        if len > 0 {
            result.push_str("***");
        }
        rest = &after[len..];
    }
    result.push_str(rest);
    result
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A URL as it may be logged: scheme, host, port and path only.
///
/// The query string is dropped because it may carry `consumer_key`/`consumer_secret` or OAuth
/// signatures; the fragment and any user-info are dropped as well. Text that is not a URL is
/// cut at the first `?` or `#`.
pub fn url_for_logging(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_query(None);
            parsed.set_fragment(None);
            // Both calls fail only for URLs that cannot carry credentials at all.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("cs_topsecret");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "cs_topsecret");
    }

    #[test]
    fn redact_removes_plain_and_encoded_forms() {
        let s = Secret::new("cs_a+b/c");
        let text = "x cs_a+b/c y cs_a%2Bb%2Fc z";
        let out = redact(text, &s);
        assert_eq!(out, "x *** y *** z");
    }

    #[test]
    fn redact_with_empty_secret_keeps_text() {
        assert_eq!(redact("abc", &Secret::default()), "abc");
    }

    #[test]
    fn redact_removes_base64_credentials_and_signatures() {
        use base64::Engine as _;
        let secret = Secret::new("cs_fedcba9876543210fedcba9876543210fedcba98");
        let key = "ck_0123456789abcdef0123456789abcdef01234567";
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:{}", secret.expose()));
        let page = format!(
            "Blocked. authorization: Basic {basic}\nGET /x?oauth_signature=abc%2Bdef%3D&page=2 consumer_secret=zz"
        );
        let with_key = Redactor::new(key, &secret).redact(&page);
        assert!(!with_key.contains(&basic), "{with_key}");
        assert!(with_key.contains("authorization: Basic ***"), "{with_key}");
        assert!(
            with_key.contains("oauth_signature=***&page=2"),
            "{with_key}"
        );
        assert!(with_key.contains("consumer_secret=***"), "{with_key}");
        // Without the key, the part of the Base64 that encodes the secret is still found, even
        // when the text does not say "Basic".
        for prefix in ["ck_1:", "ck_12:", "ck_123:"] {
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{prefix}{}", secret.expose()));
            let out = redact(&format!("header={token}"), &secret);
            assert!(out.len() < 30, "{prefix}: {out}");
        }
    }

    #[test]
    fn short_basic_words_are_left_alone() {
        assert_eq!(
            redact("Basic authentication is off", &Secret::default()),
            "Basic authentication is off"
        );
    }

    #[test]
    fn logged_urls_have_no_query() {
        assert_eq!(
            url_for_logging(
                "https://u:p@shop.example/wp-json/wc/v3/products?consumer_secret=cs_x#f"
            ),
            "https://shop.example/wp-json/wc/v3/products"
        );
        assert_eq!(url_for_logging("/wc/v3/products?a=b"), "/wc/v3/products");
    }
}
