//! A single WooCommerce setting (`/settings/{group}/{id}`).

use serde::{Deserialize, Serialize};

use super::lenient;

/// One setting; `value` is text (`"yes"`/`"no"` for checkboxes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct SettingValue {
    /// Setting id, e.g. `woocommerce_manage_stock`.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Label.
    #[serde(deserialize_with = "lenient::string")]
    pub label: String,
    /// `checkbox`, `select`, …
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub setting_type: String,
    /// Current value as text.
    #[serde(deserialize_with = "lenient::string")]
    pub value: String,
    /// Default value as text.
    #[serde(deserialize_with = "lenient::string")]
    pub default: String,
}

impl SettingValue {
    /// The value of a checkbox setting.
    pub fn is_yes(&self) -> bool {
        self.value.eq_ignore_ascii_case("yes")
    }
}
