//! RFC 3986 percent-encoding, the one encoder used both to build request URLs and to sign them.
//!
//! WooCommerce signs with PHP's `rawurlencode`: only `A–Z a–z 0–9 - . _ ~` stay as they are,
//! everything else becomes `%XX` with upper-case hex (space → `%20`, plus → `%2B`). Building the
//! URL with the same encoder guarantees that what the server decodes is what was signed.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters that RFC 3986 calls "unreserved" are left alone; every other byte is encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `text` the way PHP's `rawurlencode` does.
pub fn rfc3986(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

/// Renders `name=value&…` with both sides encoded, in the order given.
pub fn query_string(params: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&rfc3986(name));
        out.push('=');
        out.push_str(&rfc3986(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_characters_stay() {
        assert_eq!(rfc3986("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn reserved_and_special_characters_are_encoded_upper_case() {
        assert_eq!(rfc3986("a b"), "a%20b");
        assert_eq!(rfc3986("a+b"), "a%2Bb");
        assert_eq!(rfc3986("/wc/v3"), "%2Fwc%2Fv3");
        assert_eq!(rfc3986("2024-05-01T00:00:00"), "2024-05-01T00%3A00%3A00");
        assert_eq!(rfc3986("a,b"), "a%2Cb");
        assert_eq!(rfc3986("="), "%3D");
        assert_eq!(rfc3986("%"), "%25");
        assert_eq!(rfc3986("*"), "%2A");
        assert_eq!(rfc3986("ü"), "%C3%BC");
        assert_eq!(rfc3986("€"), "%E2%82%AC");
    }

    #[test]
    fn query_string_keeps_order() {
        let q = vec![
            ("sku".to_owned(), "A B,C".to_owned()),
            ("page".to_owned(), "2".to_owned()),
        ];
        assert_eq!(query_string(&q), "sku=A%20B%2CC&page=2");
    }
}
