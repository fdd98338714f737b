//! The JSON error body of the WordPress REST API: `{code, message, data}`.

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use super::lenient;

/// `{"code": "...", "message": "...", "data": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiErrorBody {
    /// Stable machine code, e.g. `woocommerce_rest_product_invalid_id`.
    #[serde(deserialize_with = "lenient::string")]
    pub code: String,
    /// Human text (translated, may contain HTML).
    #[serde(deserialize_with = "lenient::string")]
    pub message: String,
    /// Extra data; see [`ErrorData`].
    pub data: ErrorData,
}

impl ApiErrorBody {
    /// Reads an error body out of any JSON value; `None` when it is not one (no `code`).
    pub fn from_value(value: &serde_json::Value) -> Option<ApiErrorBody> {
        let obj = value.as_object()?;
        if !obj.contains_key("code") {
            return None;
        }
        ApiErrorBody::deserialize(value).ok()
    }
}

/// `data` of an error: normally `{"status": 400, …}`, but sometimes a bare integer
/// (`"data": 500` on a failed refund) or missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorData {
    /// HTTP status the store meant.
    pub status: Option<u16>,
    /// The record the error is about (`resource_id`, e.g. the owner of a duplicate SKU).
    pub resource_id: Option<u64>,
    /// A suggested free SKU (`unique_sku`) on SKU conflicts.
    pub unique_sku: Option<String>,
    /// Per-parameter messages of `rest_invalid_param`.
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for ErrorData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Object {
            #[serde(deserialize_with = "lenient::opt_i64")]
            status: Option<i64>,
            #[serde(deserialize_with = "lenient::opt_id")]
            resource_id: Option<u64>,
            #[serde(deserialize_with = "lenient::opt_string")]
            unique_sku: Option<String>,
            params: Option<serde_json::Map<String, serde_json::Value>>,
        }
        let value = serde_json::Value::deserialize(d)?;
        let status_of = |n: i64| u16::try_from(n).ok();
        Ok(match value {
            serde_json::Value::Number(n) => ErrorData {
                status: n.as_i64().and_then(status_of),
                ..ErrorData::default()
            },
            serde_json::Value::Object(_) => {
                let o = Object::deserialize(value).unwrap_or_default();
                ErrorData {
                    status: o.status.and_then(status_of),
                    resource_id: o.resource_id,
                    unique_sku: o.unique_sku,
                    params: o.params.unwrap_or_default(),
                }
            }
            _ => ErrorData::default(),
        })
    }
}
