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

/// Replaces every occurrence of the secret in `text` by `***`, also in its percent-encoded form
/// (a secret can appear inside a URL that some server echoed back).
///
/// Short secrets (under 4 characters) are replaced too; an empty secret leaves the text unchanged.
pub fn redact(text: &str, secret: &Secret) -> String {
    let raw = secret.expose();
    if raw.is_empty() {
        return text.to_owned();
    }
    let mut out = text.replace(raw, "***");
    for encoded in [
        crate::woo::encode::rfc3986(raw),
        percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string(),
    ] {
        if encoded != raw {
            out = out.replace(&encoded, "***");
        }
    }
    out
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
