//! `/system_status` (only the sections the connection check reads).

use serde::{Deserialize, Serialize};

use super::lenient;

/// `GET /system_status?_fields=environment,settings`. Sections may come as `[]` when empty.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SystemStatus {
    /// Versions and URLs.
    #[serde(deserialize_with = "lenient::object")]
    pub environment: SystemEnvironment,
    /// Store settings.
    #[serde(deserialize_with = "lenient::object")]
    pub settings: SystemSettings,
}

/// The `environment` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct SystemEnvironment {
    /// Home URL.
    #[serde(deserialize_with = "lenient::string")]
    pub home_url: String,
    /// Site URL.
    #[serde(deserialize_with = "lenient::string")]
    pub site_url: String,
    /// WooCommerce version.
    #[serde(deserialize_with = "lenient::string")]
    pub version: String,
    /// WordPress version.
    #[serde(deserialize_with = "lenient::string")]
    pub wp_version: String,
    /// PHP version.
    #[serde(deserialize_with = "lenient::string")]
    pub php_version: String,
    /// Site language.
    #[serde(deserialize_with = "lenient::string")]
    pub language: String,
}

/// The `settings` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct SystemSettings {
    /// ISO 4217 currency.
    #[serde(deserialize_with = "lenient::string")]
    pub currency: String,
    /// Symbol (HTML entity, e.g. `&euro;`).
    #[serde(deserialize_with = "lenient::string")]
    pub currency_symbol: String,
    /// `left`, `right_space`, …
    #[serde(deserialize_with = "lenient::string")]
    pub currency_position: String,
    /// Thousand separator.
    #[serde(deserialize_with = "lenient::string")]
    pub thousand_separator: String,
    /// Decimal separator.
    #[serde(deserialize_with = "lenient::string")]
    pub decimal_separator: String,
    /// Decimals.
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub number_of_decimals: Option<i64>,
    /// HPOS on (recent versions).
    #[serde(rename = "HPOS_enabled", deserialize_with = "lenient::boolean")]
    pub hpos_enabled: bool,
}
