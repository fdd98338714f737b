//! Small shapes shared by several records.

use serde::{Deserialize, Serialize};

use super::lenient;

/// One `meta_data` entry. `value` can be any JSON (strings, numbers, objects).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct MetaData {
    /// Meta row id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Meta key, e.g. `ean`.
    #[serde(deserialize_with = "lenient::string")]
    pub key: String,
    /// Meta value as sent.
    pub value: serde_json::Value,
}

impl MetaData {
    /// The value as text when it is a string or a number.
    pub fn value_text(&self) -> Option<String> {
        match &self.value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// A billing or shipping address. Shipping has no `email`; `phone` exists on recent versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct Address {
    /// First name.
    #[serde(deserialize_with = "lenient::string")]
    pub first_name: String,
    /// Last name.
    #[serde(deserialize_with = "lenient::string")]
    pub last_name: String,
    /// Company.
    #[serde(deserialize_with = "lenient::string")]
    pub company: String,
    /// Address line 1.
    #[serde(deserialize_with = "lenient::string")]
    pub address_1: String,
    /// Address line 2.
    #[serde(deserialize_with = "lenient::string")]
    pub address_2: String,
    /// City.
    #[serde(deserialize_with = "lenient::string")]
    pub city: String,
    /// State code or free text.
    #[serde(deserialize_with = "lenient::string")]
    pub state: String,
    /// Postal code.
    #[serde(deserialize_with = "lenient::string")]
    pub postcode: String,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(deserialize_with = "lenient::string")]
    pub country: String,
    /// E-mail (billing only; may be `null` on orders → `""`).
    #[serde(deserialize_with = "lenient::string")]
    pub email: String,
    /// Phone (`""` when none).
    #[serde(deserialize_with = "lenient::string")]
    pub phone: String,
}

impl Address {
    /// True when every field is empty (a guest order's shipping address, for example).
    pub fn is_empty(&self) -> bool {
        [
            &self.first_name,
            &self.last_name,
            &self.company,
            &self.address_1,
            &self.address_2,
            &self.city,
            &self.state,
            &self.postcode,
            &self.country,
            &self.email,
            &self.phone,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// Product dimensions, as text in the store's unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct Dimensions {
    /// Length.
    #[serde(deserialize_with = "lenient::string")]
    pub length: String,
    /// Width.
    #[serde(deserialize_with = "lenient::string")]
    pub width: String,
    /// Height.
    #[serde(deserialize_with = "lenient::string")]
    pub height: String,
}

/// A category, tag or brand reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct TermRef {
    /// Term id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Display name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Slug.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
}
