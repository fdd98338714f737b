//! WordPress/WooCommerce error bodies: `{"code", "message", "data": {"status", …}}`.

use serde::Serialize;
use serde::ser::{SerializeMap as _, Serializer};

/// One invalid parameter of a `rest_invalid_param` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParamIssue {
    pub param: String,
    /// `rest_out_of_bounds`, `rest_not_in_enum`, `rest_invalid_type`, …
    pub code: String,
    pub message: String,
}

/// Extra members of `data`, after `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ErrorData {
    Status,
    InvalidParams(Vec<ParamIssue>),
    MissingParams(Vec<String>),
    Sku {
        resource_id: u64,
        unique_sku: String,
    },
    InvalidJson {
        code: i64,
        message: String,
    },
    /// `data` is the bare status number instead of an object: what a `WP_Error` created with
    /// a plain integer as its data looks like (WooCommerce's refund errors).
    BareStatus,
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WcError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub data: ErrorData,
}

impl WcError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        WcError {
            status,
            code: code.to_owned(),
            message: message.into(),
            data: ErrorData::Status,
        }
    }

    pub fn invalid_params(issues: Vec<ParamIssue>) -> Self {
        let names: Vec<&str> = issues.iter().map(|i| i.param.as_str()).collect();
        WcError {
            status: 400,
            code: "rest_invalid_param".to_owned(),
            message: format!("Invalid parameter(s): {}", names.join(", ")),
            data: ErrorData::InvalidParams(issues),
        }
    }

    pub fn invalid_param(param: &str, code: &str, message: impl Into<String>) -> Self {
        Self::invalid_params(vec![ParamIssue {
            param: param.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }])
    }

    pub fn missing_params(params: Vec<String>) -> Self {
        WcError {
            status: 400,
            code: "rest_missing_callback_param".to_owned(),
            message: format!("Missing parameter(s): {}", params.join(", ")),
            data: ErrorData::MissingParams(params),
        }
    }

    pub fn invalid_json() -> Self {
        WcError {
            status: 400,
            code: "rest_invalid_json".to_owned(),
            message: "Invalid JSON body passed.".to_owned(),
            data: ErrorData::InvalidJson {
                code: 4,
                message: "Syntax error".to_owned(),
            },
        }
    }

    /// An error whose `data` is the bare status number.
    pub fn bare(status: u16, code: &str, message: impl Into<String>) -> Self {
        WcError {
            data: ErrorData::BareStatus,
            ..Self::new(status, code, message)
        }
    }

    pub fn no_route() -> Self {
        Self::new(
            404,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        )
    }

    pub fn duplicate_sku(resource_id: u64, unique_sku: String) -> Self {
        WcError {
            status: 400,
            code: "product_invalid_sku".to_owned(),
            message: "Invalid or duplicated SKU.".to_owned(),
            data: ErrorData::Sku {
                resource_id,
                unique_sku,
            },
        }
    }

    /// `woocommerce_rest_{post_type}_invalid_id` "Invalid ID.".
    pub fn invalid_id(post_type: &str, status: u16) -> Self {
        Self::new(
            status,
            &format!("woocommerce_rest_{post_type}_invalid_id"),
            "Invalid ID.",
        )
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            format!(
                "{{\"code\":\"{}\",\"message\":\"\",\"data\":{{\"status\":{}}}}}",
                self.code, self.status
            )
        })
    }
}

impl Serialize for WcError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("message", &self.message)?;
        if self.data == ErrorData::BareStatus {
            map.serialize_entry("data", &self.status)?;
        } else {
            map.serialize_entry("data", &DataView(self))?;
        }
        map.end()
    }
}

struct DataView<'a>(&'a WcError);

impl Serialize for DataView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let error = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &error.status)?;
        match &error.data {
            ErrorData::Status | ErrorData::BareStatus => {}
            ErrorData::InvalidParams(issues) => {
                map.serialize_entry("params", &ParamsView(issues))?;
                map.serialize_entry("details", &DetailsView(issues))?;
            }
            ErrorData::MissingParams(names) => map.serialize_entry("params", names)?,
            ErrorData::Sku {
                resource_id,
                unique_sku,
            } => {
                map.serialize_entry("resource_id", resource_id)?;
                map.serialize_entry("unique_sku", unique_sku)?;
            }
            ErrorData::InvalidJson { code, message } => {
                map.serialize_entry("json_error_code", code)?;
                map.serialize_entry("json_error_message", message)?;
            }
        }
        map.end()
    }
}

struct ParamsView<'a>(&'a [ParamIssue]);

impl Serialize for ParamsView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for issue in self.0 {
            map.serialize_entry(&issue.param, &issue.message)?;
        }
        map.end()
    }
}

struct DetailsView<'a>(&'a [ParamIssue]);

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: &'a str,
    data: Option<()>,
}

impl Serialize for DetailsView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for issue in self.0 {
            map.serialize_entry(
                &issue.param,
                &Detail {
                    code: &issue.code,
                    message: &issue.message,
                    data: None,
                },
            )?;
        }
        map.end()
    }
}

/// WordPress's `%l` list: "a, b, and c" / "a and b".
pub(crate) fn english_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_page_error_matches_the_recording() {
        let error = WcError::invalid_param(
            "per_page",
            "rest_out_of_bounds",
            "per_page must be between 1 (inclusive) and 100 (inclusive)",
        );
        assert_eq!(
            error.to_json(),
            r#"{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400,"params":{"per_page":"per_page must be between 1 (inclusive) and 100 (inclusive)"},"details":{"per_page":{"code":"rest_out_of_bounds","message":"per_page must be between 1 (inclusive) and 100 (inclusive)","data":null}}}}"#
        );
    }

    #[test]
    fn refund_errors_carry_a_bare_status() {
        let error = WcError::bare(
            500,
            "woocommerce_rest_cannot_create_order_refund",
            "The payment gateway for this order does not support automatic refunds.",
        );
        assert_eq!(
            error.to_json(),
            r#"{"code":"woocommerce_rest_cannot_create_order_refund","message":"The payment gateway for this order does not support automatic refunds.","data":500}"#
        );
    }

    #[test]
    fn lists_read_like_wordpress() {
        assert_eq!(english_list(&["a", "b", "c"]), "a, b, and c");
        assert_eq!(english_list(&["a", "b"]), "a and b");
    }
}
