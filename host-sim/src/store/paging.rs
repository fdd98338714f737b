//! Paging: `page`/`per_page`/`offset`, the `X-WP-Total*` headers and the `Link` header.
//!
//! WooCommerce builds the `Link` URLs from the request's own query parameters — including
//! `consumer_key`/`consumer_secret` and every `oauth_*` value — with only `page` replaced.

use super::params::Checker;
use super::query::{PhpParams, PhpValue};

/// Validated paging parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub page: u64,
    pub per_page: u64,
    pub offset: Option<u64>,
}

/// One page of a result set and the totals.
#[derive(Debug)]
pub(crate) struct PageOf<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub total_pages: u64,
    pub page: u64,
}

impl Paging {
    /// Reads `page`, `per_page` and `offset` in the schema's order.
    pub fn read(checker: &mut Checker<'_>) -> Paging {
        let page = checker.integer("page", Some(1), None).unwrap_or(1);
        let per_page = checker
            .integer("per_page", Some(1), Some(100))
            .unwrap_or(10);
        Paging {
            page: page.unsigned_abs(),
            per_page: per_page.unsigned_abs(),
            offset: None,
        }
    }

    /// Reads `offset` (it comes later in the schema than the other two).
    pub fn read_offset(&mut self, checker: &mut Checker<'_>) {
        self.offset = checker.integer("offset", None, None).map(i64::unsigned_abs);
    }

    pub fn apply<T>(&self, items: Vec<T>) -> PageOf<T> {
        let total = items.len() as u64;
        let total_pages = total.div_ceil(self.per_page);
        let start = self
            .offset
            .unwrap_or_else(|| (self.page - 1).saturating_mul(self.per_page));
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        let per_page = usize::try_from(self.per_page).unwrap_or(100);
        let items = items.into_iter().skip(start).take(per_page).collect();
        PageOf {
            items,
            total,
            total_pages,
            page: self.page,
        }
    }
}

/// The `Link` header value (`rel="prev"`, `rel="next"`), or `None` when there is neither.
pub(crate) fn link_header(
    collection_url: &str,
    params: &PhpParams,
    page: u64,
    total_pages: u64,
) -> Option<String> {
    let mut links = Vec::new();
    if page > 1 {
        let prev = (page - 1).min(total_pages);
        links.push(format!(
            "<{}>; rel=\"prev\"",
            url_with_page(collection_url, params, prev)
        ));
    }
    if total_pages > page {
        links.push(format!(
            "<{}>; rel=\"next\"",
            url_with_page(collection_url, params, page + 1)
        ));
    }
    if links.is_empty() {
        None
    } else {
        Some(links.join(", "))
    }
}

fn url_with_page(collection_url: &str, params: &PhpParams, page: u64) -> String {
    let mut params = params.clone();
    params.set("page".to_owned(), PhpValue::Str(page.to_string()));
    let mut parts = Vec::new();
    for (name, value) in params.iter() {
        let name = encode_name(name);
        match value {
            PhpValue::Str(v) => parts.push(format!("{name}={}", php_urlencode(v))),
            PhpValue::Array(items) => {
                for (key, v) in items {
                    parts.push(format!(
                        "{name}%5B{}%5D={}",
                        php_urlencode(key),
                        php_urlencode(v)
                    ));
                }
            }
        }
    }
    if parts.is_empty() {
        collection_url.to_owned()
    } else {
        format!("{collection_url}?{}", parts.join("&"))
    }
}

/// PHP `urlencode`: alphanumerics and `-_.` stay, space is `+`, everything else `%XX`.
pub(crate) fn php_urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(byte as char),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Names are written as received; only bytes that cannot appear in a header are escaped.
fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_graphic() && !matches!(byte, b'&' | b'=' | b'#' | b'<' | b'>' | b'%') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:8080/wp-json/wc/v3/products";

    #[test]
    fn middle_page_links_both_ways_and_keeps_parameter_order() {
        let params = PhpParams::parse(
            "per_page=2&page=2&oauth_consumer_key=ck_1&oauth_signature=a%2Bb%3D&oauth_timestamp=1",
        );
        let link = link_header(BASE, &params, 2, 509).expect("link");
        assert_eq!(
            link,
            "<http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=1&oauth_consumer_key=ck_1&oauth_signature=a%2Bb%3D&oauth_timestamp=1>; rel=\"prev\", <http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=3&oauth_consumer_key=ck_1&oauth_signature=a%2Bb%3D&oauth_timestamp=1>; rel=\"next\""
        );
    }

    #[test]
    fn page_is_appended_when_absent_and_past_the_end_points_back() {
        let params = PhpParams::parse("per_page=1");
        assert_eq!(
            link_header(BASE, &params, 1, 3).as_deref(),
            Some("<http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=1&page=2>; rel=\"next\"")
        );
        let params = PhpParams::parse("per_page=2&page=510");
        assert_eq!(
            link_header(BASE, &params, 510, 509).as_deref(),
            Some(
                "<http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=509>; rel=\"prev\""
            )
        );
        assert_eq!(link_header(BASE, &PhpParams::default(), 1, 1), None);
    }

    #[test]
    fn slices_pages() {
        let paging = Paging {
            page: 2,
            per_page: 2,
            offset: None,
        };
        let page = paging.apply((1..=5).collect::<Vec<_>>());
        assert_eq!(page.items, vec![3, 4]);
        assert_eq!((page.total, page.total_pages), (5, 3));
        let beyond = Paging {
            page: 9,
            per_page: 2,
            offset: None,
        }
        .apply((1..=5).collect::<Vec<_>>());
        assert!(beyond.items.is_empty());
    }
}
