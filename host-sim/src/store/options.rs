//! How a simulated store is set up when it starts.

use super::tls::TlsMaterial;

/// Which permalink structure the simulated WordPress site uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Permalinks {
    /// Any structure other than "Plain": `/wp-json/...` is routed.
    #[default]
    Pretty,
    /// "Plain": only `/?rest_route=/...` (and `/index.php?rest_route=...`) reaches the REST API,
    /// and WooCommerce never authenticates API keys on that form.
    Plain,
}

/// What kind of site answers at the base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SiteKind {
    /// WordPress with WooCommerce active.
    #[default]
    WooCommerce,
    /// WordPress without WooCommerce: the REST index has no `wc/v3` namespace.
    WordPressOnly,
    /// Some other web site: every path answers HTML.
    NotWordPress,
}

/// Settings of a simulated store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Serve HTTPS with this certificate; `None` serves plain HTTP.
    pub tls: Option<TlsMaterial>,
    /// Permalink structure of the site.
    pub permalinks: Permalinks,
    /// What answers at the base URL.
    pub site: SiteKind,
    /// Act like a web server that does not pass the `Authorization` header to PHP.
    pub strip_authorization: bool,
    /// Store time zone (WordPress `timezone_string`).
    pub timezone: chrono_tz::Tz,
    /// Maximum number of items in one batch request (WooCommerce default 100).
    pub batch_limit: usize,
    /// WooCommerce → Settings → Products → Inventory → "Enable stock management".
    pub manage_stock_enabled: bool,
    /// Store currency (ISO 4217).
    pub currency: String,
    /// Sub-directory the site lives in: `""` or e.g. `"/shop"`.
    pub path_prefix: String,
    /// Answer every request with a 301 to this base URL plus the same path and query.
    pub redirect_to: Option<String>,
    /// Site title (`name` in the REST index).
    pub store_name: String,
    /// WooCommerce version reported by `system_status` and on orders.
    pub woocommerce_version: String,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            tls: None,
            permalinks: Permalinks::Pretty,
            site: SiteKind::WooCommerce,
            strip_authorization: false,
            timezone: chrono_tz::Europe::Berlin,
            batch_limit: 100,
            manage_stock_enabled: true,
            currency: "EUR".to_owned(),
            path_prefix: String::new(),
            redirect_to: None,
            store_name: "Acceptance Store".to_owned(),
            woocommerce_version: "8.9.1".to_owned(),
        }
    }
}

/// The switches that may change while the store runs.
#[derive(Debug, Clone)]
pub(crate) struct Behaviour {
    pub permalinks: Permalinks,
    pub site: SiteKind,
    pub strip_authorization: bool,
    pub redirect_to: Option<String>,
}

/// Normalises a path prefix to `""` or `"/segment[/segment…]"` without a trailing slash.
pub(crate) fn normalise_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim().trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_prefix;

    #[test]
    fn prefixes_are_normalised() {
        assert_eq!(normalise_prefix(""), "");
        assert_eq!(normalise_prefix("/"), "");
        assert_eq!(normalise_prefix("shop"), "/shop");
        assert_eq!(normalise_prefix("/shop/"), "/shop");
    }
}
