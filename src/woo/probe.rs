//! The connection check behind the "Reconnect" button: reachability, WordPress, WooCommerce,
//! key validity, write permission (without changing data), store facts.

use reqwest::Method;
use rust_decimal::Decimal;

use super::auth::AuthMode;
use super::client::{Call, WooClient};
use super::decode::decode_record;
use super::error::{WooError, WooErrorKind};
use super::model::{SettingValue, SystemStatus, WpIndex};
use super::response::Reply;
use crate::secret::url_for_logging;

/// How the store's REST API is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// Pretty permalinks: `{home}/wp-json/wc/v3/…`.
    PrettyPermalinks {
        /// The API root, e.g. `https://shop.example.com/wp-json/wc/v3`.
        api_root: String,
    },
}

/// What the API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPermission {
    /// Read and write (proved by a write that changes nothing).
    ReadWrite,
}

/// The result of a successful [`WooClient::check_connection`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionReport {
    /// Site title.
    pub store_name: String,
    /// The store's home URL as it reports it.
    pub home_url: String,
    /// WooCommerce version, when the key's user may read the system status.
    pub woocommerce_version: Option<String>,
    /// WordPress version, likewise.
    pub wordpress_version: Option<String>,
    /// Store currency (ISO 4217), likewise.
    pub currency: Option<String>,
    /// Site time zone name (`""` for a fixed offset).
    pub timezone_string: String,
    /// Site offset from UTC in hours.
    pub gmt_offset: Option<Decimal>,
    /// Authentication that works with this store.
    pub auth_mode: AuthMode,
    /// How the API is addressed.
    pub routing: Routing,
    /// What the key may do.
    pub key_permission: KeyPermission,
    /// The store's "Enable stock management" setting, when readable.
    pub stock_management_enabled: Option<bool>,
    /// Orders live in WooCommerce's own tables (HPOS), when the system status was readable;
    /// an order's admin address depends on it.
    pub hpos_enabled: Option<bool>,
    /// Things that work but deserve attention, in words for the store owner.
    pub warnings: Vec<String>,
}

const INDEX_FIELDS: &str = "name,url,home,namespaces,gmt_offset,timezone_string";

impl WooClient {
    fn index_call(&self, plain: bool) -> Call {
        let mut call = Call {
            method: Method::GET,
            path: if plain {
                String::new()
            } else {
                "wp-json/".to_owned()
            },
            template: if plain {
                "?rest_route=/".to_owned()
            } else {
                "wp-json/".to_owned()
            },
            query: Vec::new(),
            body: None,
            authenticated: false,
        };
        if plain {
            call.query.push(("rest_route".into(), "/".into()));
        }
        call.query.push(("_fields".into(), INDEX_FIELDS.into()));
        call
    }

    /// Reads the REST index; `Ok(None)` when the answer is not an API answer at all.
    async fn read_index(&self, plain: bool) -> Result<Option<WpIndex>, WooError> {
        let call = self.index_call(plain);
        match self.execute(&call, None).await {
            Ok(Reply { json, .. }) if json.get("namespaces").is_some() => {
                decode_record::<WpIndex>("REST index", json, "").map(Some)
            }
            Ok(_) => Ok(None),
            Err(e)
                if matches!(
                    e.kind(),
                    WooErrorKind::NotApiResponse
                        | WooErrorKind::BrokenResponse
                        | WooErrorKind::UnexpectedResponse
                        | WooErrorKind::NotFound
                        | WooErrorKind::NoRoute
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Proves the connection step by step and reports what it found. Each failure names its
    /// cause: unreachable store, TLS, not WordPress, plain permalinks, no WooCommerce, bad key,
    /// wrong secret, read-only key, …
    ///
    /// Requests sent: `GET /wp-json/` (and `/?rest_route=/` when that fails), an authenticated
    /// `GET products?per_page=1&_fields=id`, `POST products/batch` with `{}` (checks write
    /// permission; changes nothing), `GET system_status`, and the stock-management setting.
    pub async fn check_connection(&self) -> Result<ConnectionReport, WooError> {
        self.check_connection_steps()
            .await
            .map_err(|e| self.scrub(e))
    }

    async fn check_connection_steps(&self) -> Result<ConnectionReport, WooError> {
        let store_url = self.store_url().to_owned();
        let mut warnings = Vec::new();

        // 1. WordPress REST index.
        let index = match self.read_index(false).await? {
            Some(index) => index,
            None => {
                return Err(match self.read_index(true).await {
                    Ok(Some(index)) => diagnose_plain_index(&store_url, &index),
                    Ok(None) | Err(_) => WooError::new(WooErrorKind::NotWordPress)
                        .with_store_url(store_url)
                        .with_detail("/wp-json/ did not answer with the WordPress REST index"),
                });
            }
        };

        // 2. WooCommerce present.
        if !index.has_wc_v3() {
            return Err(WooError::new(WooErrorKind::WooCommerceMissing).with_store_url(store_url));
        }
        if !index.home.is_empty() && !same_site(&index.home, &store_url) {
            warnings.push(format!(
                "The store reports its address as {}, while the Store URL is {store_url}. If requests fail, use the store's own address.",
                index.home
            ));
        }

        // 3. The key can read.
        let read = Call::api(Method::GET, "products", "products").query(vec![
            ("per_page".into(), "1".into()),
            ("_fields".into(), "id".into()),
        ]);
        match self.execute(&read, None).await {
            Ok(_) => {}
            Err(e) if e.kind() == WooErrorKind::NoRoute => {
                return Err(
                    WooError::new(WooErrorKind::WooCommerceMissing).with_store_url(store_url)
                );
            }
            Err(e) => return Err(e),
        }
        if self.auth_mode() == AuthMode::QueryString {
            warnings.push(
                "The web server removes the Authorization header, so the API key is sent in the address instead. Ask the host to pass the Authorization header to PHP to keep the key out of server logs.".to_owned(),
            );
        }

        // 4. The key can write: an empty batch passes the permission check and changes nothing.
        let write =
            Call::api(Method::POST, "products/batch", "products/batch").json_body(b"{}".to_vec());
        self.execute(&write, None).await?;

        // 5. Versions and currency (needs a key whose user may manage WooCommerce).
        let status_call = Call::api(Method::GET, "system_status", "system_status")
            .query(vec![("_fields".into(), "environment,settings".into())]);
        let (mut wc_version, mut wp_version, mut currency) = (None, None, None);
        let mut hpos_enabled = None;
        match self.execute(&status_call, None).await {
            Ok(reply) => match decode_record::<SystemStatus>("system status", reply.json, "") {
                Ok(s) => {
                    wc_version = non_empty(s.environment.version);
                    wp_version = non_empty(s.environment.wp_version);
                    currency = non_empty(s.settings.currency);
                    hpos_enabled = Some(s.settings.hpos_enabled);
                }
                Err(e) => warnings.push(format!("The system status could not be read: {e}")),
            },
            Err(e) if e.kind() == WooErrorKind::Cancelled => return Err(e),
            Err(e) if e.kind() == WooErrorKind::Forbidden => warnings.push(
                "The WooCommerce and WordPress versions are unknown: the key's user may not read the system status (use a key of an Administrator or Shop Manager).".to_owned(),
            ),
            Err(e) => warnings.push(format!("The system status could not be read: {e}")),
        }

        // 6. Store-wide stock management.
        let setting = Call::api(
            Method::GET,
            "settings/products/woocommerce_manage_stock",
            "settings/products/woocommerce_manage_stock",
        );
        let mut stock_management_enabled = None;
        match self.execute(&setting, None).await {
            Ok(reply) => match decode_record::<SettingValue>(
                "setting",
                reply.json,
                "woocommerce_manage_stock",
            ) {
                Ok(v) => {
                    let on = v.is_yes();
                    stock_management_enabled = Some(on);
                    if !on {
                        warnings.push(
                            "Stock management is turned off in the store (WooCommerce → Settings → Products → Inventory → \"Enable stock management\"), so stock quantities sent by QBM are ignored.".to_owned(),
                        );
                    }
                }
                Err(e) => warnings.push(format!(
                    "The stock management setting could not be read: {e}"
                )),
            },
            Err(e) if e.kind() == WooErrorKind::Cancelled => return Err(e),
            Err(e) => warnings.push(format!(
                "Whether stock management is enabled could not be checked: {e}"
            )),
        }

        Ok(ConnectionReport {
            store_name: index.name,
            home_url: if index.home.is_empty() {
                store_url.clone()
            } else {
                index.home
            },
            woocommerce_version: wc_version,
            wordpress_version: wp_version,
            currency,
            timezone_string: index.timezone_string,
            hpos_enabled,
            gmt_offset: index.gmt_offset,
            auth_mode: self.auth_mode(),
            routing: Routing::PrettyPermalinks {
                api_root: format!("{store_url}/wp-json/wc/v3"),
            },
            key_permission: KeyPermission::ReadWrite,
            stock_management_enabled,
            warnings,
        })
    }
}

/// `/wp-json/` is not the REST API but `?rest_route=/` answers with the index. WordPress
/// routes `?rest_route=` on any path it serves, so this also happens when the Store URL points
/// to a sub-path of the site (or a different host in front of it): only when the site's own
/// address is the Store URL are plain permalinks the cause.
fn diagnose_plain_index(store_url: &str, index: &WpIndex) -> WooError {
    let reported: Vec<&str> = [index.home.as_str(), index.url.as_str()]
        .into_iter()
        .filter(|a| site_key(a).is_some())
        .collect();
    let matches = reported.is_empty() || reported.iter().any(|a| same_address(a, store_url));
    if matches {
        WooError::new(WooErrorKind::PlainPermalinks).with_store_url(store_url)
    } else {
        let site = reported[0].trim().trim_end_matches('/');
        WooError::new(WooErrorKind::WrongStoreUrl)
            .with_store_url(store_url)
            .with_site_address(url_for_logging(site).trim_end_matches('/').to_owned())
    }
}

/// Host, port and path of an address, normalised for comparison: scheme ignored (a site that
/// reports `http://` behind an HTTPS proxy is the same site), host in lower case, default ports
/// dropped, no trailing slash. `None` for text that is not an http(s) URL.
fn site_key(address: &str) -> Option<String> {
    let url = url::Url::parse(address.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let port = match (url.scheme(), url.port()) {
        (_, None) | ("http", Some(80)) | ("https", Some(443)) => String::new(),
        (_, Some(p)) => format!(":{p}"),
    };
    Some(format!("{host}{port}{}", url.path().trim_end_matches('/')))
}

/// Whether two addresses name the same site (see [`site_key`]).
fn same_address(a: &str, b: &str) -> bool {
    matches!((site_key(a), site_key(b)), (Some(x), Some(y)) if x == y)
}

fn non_empty(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// Same scheme, host, port and path, ignoring case and a trailing slash.
fn same_site(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('/').to_ascii_lowercase();
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_compared_without_scheme_case_slash_or_default_port() {
        let table = [
            ("https://shop.example", "https://shop.example", true),
            ("http://Shop.Example/", "https://shop.example", true),
            ("https://shop.example:443/", "https://shop.example", true),
            ("http://shop.example:80", "http://shop.example/", true),
            (
                "https://shop.example/shop",
                "https://shop.example/shop/",
                true,
            ),
            ("https://shop.example", "https://shop.example/shop", false),
            ("https://shop.example:8443", "https://shop.example", false),
            ("https://www.shop.example", "https://shop.example", false),
            ("BASE", "https://shop.example", false),
        ];
        for (a, b, same) in table {
            assert_eq!(same_address(a, b), same, "{a} vs {b}");
        }
    }

    #[test]
    fn a_plain_index_with_another_address_is_a_wrong_store_url() {
        let index = |home: &str, url: &str| WpIndex {
            home: home.into(),
            url: url.into(),
            namespaces: vec!["wc/v3".into()],
            ..WpIndex::default()
        };
        let e = diagnose_plain_index(
            "https://shop.example/wp",
            &index("https://shop.example/", "https://shop.example/wp"),
        );
        // WordPress lives in /wp but the site's address is the root: the URL still agrees
        // with one of the two, so plain permalinks are the cause.
        assert_eq!(e.kind(), WooErrorKind::PlainPermalinks);
        let e = diagnose_plain_index(
            "https://shop.example/shop/products",
            &index("https://shop.example/", "https://shop.example/"),
        );
        assert_eq!(e.kind(), WooErrorKind::WrongStoreUrl);
        assert!(
            e.to_string().contains(
                "this WordPress site's address is https://shop.example — use that as the Store URL"
            ),
            "{e}"
        );
        // An index that names no usable address cannot contradict the Store URL.
        let e = diagnose_plain_index("https://shop.example", &index("", ""));
        assert_eq!(e.kind(), WooErrorKind::PlainPermalinks);
    }

    #[test]
    fn site_comparison_ignores_case_and_slash() {
        assert!(same_site(
            "https://Shop.example.com/",
            "https://shop.example.com"
        ));
        assert!(!same_site(
            "https://www.shop.example.com",
            "https://shop.example.com"
        ));
    }
}
