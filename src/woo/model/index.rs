//! The WordPress REST index (`/wp-json/`), used to discover the site and WooCommerce.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lenient;

/// `GET /wp-json/?_fields=name,url,home,namespaces,gmt_offset,timezone_string`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct WpIndex {
    /// Site title.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Tagline.
    #[serde(deserialize_with = "lenient::string")]
    pub description: String,
    /// Site URL (WordPress files).
    #[serde(deserialize_with = "lenient::string")]
    pub url: String,
    /// Home URL (what OAuth signatures are checked against).
    #[serde(deserialize_with = "lenient::string")]
    pub home: String,
    /// Hours from UTC; a number or numeric string on the wire.
    #[serde(deserialize_with = "lenient::opt_decimal")]
    pub gmt_offset: Option<Decimal>,
    /// Time zone name, `""` when the site uses a fixed offset.
    #[serde(deserialize_with = "lenient::string")]
    pub timezone_string: String,
    /// REST namespaces, e.g. `wc/v3`.
    #[serde(deserialize_with = "lenient::list")]
    pub namespaces: Vec<String>,
}

impl WpIndex {
    /// True when WooCommerce's v3 REST API is loaded.
    pub fn has_wc_v3(&self) -> bool {
        self.namespaces.iter().any(|n| n == "wc/v3")
    }
}
