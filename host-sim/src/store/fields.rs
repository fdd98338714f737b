//! Reading request body fields.
//!
//! Single requests are checked against the item schema first (a number sent where the schema says
//! string is a 400 `rest_invalid_param`). Batch items skip that check and go straight to
//! WooCommerce's setters, which coerce whatever they get — so the simulator does the same.

use serde_json::{Map, Value};

use super::errors::{ParamIssue, WcError, english_list};
use super::params::{parse_bool, parse_integer};

/// Schema checking or setter coercion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Schema,
    Batch,
}

/// Reads typed fields from a JSON object.
pub(crate) struct FieldReader<'a> {
    map: &'a Map<String, Value>,
    mode: Mode,
    issues: Vec<ParamIssue>,
}

impl<'a> FieldReader<'a> {
    pub fn new(map: &'a Map<String, Value>, mode: Mode) -> Self {
        FieldReader {
            map,
            mode,
            issues: Vec::new(),
        }
    }

    /// The raw value, when present and not `null` (PHP `isset`).
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Whether the schema is checked.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    fn schema(&self) -> bool {
        self.mode == Mode::Schema
    }

    fn type_issue(&mut self, name: &str, kind: &str) {
        self.issues.push(ParamIssue {
            param: name.to_owned(),
            code: "rest_invalid_type".to_owned(),
            message: format!("{name} is not of type {kind}."),
        });
    }

    /// A string field. Under the schema `null` is a type error too.
    pub fn string(&mut self, name: &str) -> Option<String> {
        let value = self.map.get(name)?;
        match value {
            Value::String(s) => Some(s.clone()),
            _ if self.schema() => {
                self.type_issue(name, "string");
                None
            }
            Value::Null => None,
            other => Some(coerce_text(other)),
        }
    }

    /// A string restricted to `allowed` (schema) or taken as is (batch).
    pub fn one_of(&mut self, name: &str, allowed: &[&str]) -> Option<String> {
        let value = self.string(name)?;
        if self.schema() && !allowed.contains(&value.as_str()) {
            self.issues.push(ParamIssue {
                param: name.to_owned(),
                code: "rest_not_in_enum".to_owned(),
                message: format!("{name} is not one of {}.", english_list(allowed)),
            });
            return None;
        }
        Some(value)
    }

    /// A boolean field.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let value = self.map.get(name)?;
        let parsed = match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Some(n.as_i64() == Some(1))
            }
            Value::String(s) => parse_bool(s),
            _ => None,
        };
        match (parsed, self.mode) {
            (Some(b), _) => Some(b),
            (None, Mode::Schema) => {
                self.type_issue(name, "boolean");
                None
            }
            (None, Mode::Batch) => match value {
                Value::Null => None,
                // wc_string_to_bool: only true, "yes", "true" and "1" are true.
                Value::String(s) => Some(matches!(
                    s.to_ascii_lowercase().as_str(),
                    "yes" | "true" | "1"
                )),
                _ => Some(false),
            },
        }
    }

    /// An integer field (numeric strings accepted, as WordPress does).
    pub fn integer(&mut self, name: &str) -> Option<i64> {
        let value = self.map.get(name)?;
        let parsed = match value {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().and_then(|f| parse_integer(&f.to_string()))),
            Value::String(s) => parse_integer(s),
            _ => None,
        };
        match (parsed, self.mode) {
            (Some(i), _) => Some(i),
            (None, Mode::Schema) => {
                self.type_issue(name, "integer");
                None
            }
            (None, Mode::Batch) => match value {
                Value::Null => None,
                other => Some(php_intval(other)),
            },
        }
    }

    /// An integer that may also be `null` in the schema (`low_stock_amount`).
    pub fn nullable_integer(&mut self, name: &str) -> Option<Option<i64>> {
        match self.map.get(name)? {
            Value::Null => Some(None),
            _ => self.integer(name).map(Some),
        }
    }

    /// An integer that is not part of the schema and is always coerced (`inventory_delta`).
    pub fn loose_integer(&self, name: &str) -> Option<i64> {
        self.raw(name).map(php_intval)
    }

    /// An array field.
    pub fn array(&mut self, name: &str) -> Option<&'a Vec<Value>> {
        match self.map.get(name)? {
            Value::Array(items) => Some(items),
            Value::Null if !self.schema() => None,
            _ => {
                if self.schema() {
                    self.type_issue(name, "array");
                }
                None
            }
        }
    }

    /// An object field.
    pub fn object(&mut self, name: &str) -> Option<&'a Map<String, Value>> {
        match self.map.get(name)? {
            Value::Object(map) => Some(map),
            // PHP decodes `[]` as an empty array, which WordPress accepts for objects.
            Value::Array(items) if items.is_empty() => None,
            Value::Null if !self.schema() => None,
            _ => {
                if self.schema() {
                    self.type_issue(name, "object");
                }
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), WcError> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(WcError::invalid_params(self.issues))
        }
    }
}

/// How PHP turns a scalar into text (`(string)`).
pub(crate) fn coerce_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "1".to_owned(),
        Value::Bool(false) | Value::Null => String::new(),
        Value::Array(_) => "Array".to_owned(),
        Value::Object(_) => String::new(),
    }
}

/// PHP `intval`: leading digits of a string, truncation of a float.
pub(crate) fn php_intval(value: &Value) -> i64 {
    match value {
        Value::Number(n) => n.as_i64().unwrap_or_else(|| {
            // Truncation toward zero is what intval() does to a float.
            #[allow(clippy::cast_possible_truncation)]
            n.as_f64().map_or(0, |f| f.trunc() as i64)
        }),
        Value::String(s) => {
            let trimmed = s.trim_start();
            let end = trimmed
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))))
                .map_or(trimmed.len(), |(i, _)| i);
            trimmed[..end].parse().unwrap_or(0)
        }
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `sanitize_text_field`: tags stripped, whitespace collapsed and trimmed.
pub(crate) fn clean_text(text: &str) -> String {
    let mut stripped = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => stripped.push(c),
            _ => {}
        }
    }
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `wc_format_decimal` for prices: `""` stays empty, otherwise only digits, `-` and `.` remain.
pub(crate) fn format_price(text: &str, decimal_separator: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    if trimmed.parse::<rust_decimal::Decimal>().is_ok() {
        return trimmed.to_owned();
    }
    let localised = if decimal_separator == "." {
        trimmed.to_owned()
    } else {
        trimmed.replace(decimal_separator, ".")
    };
    localised
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-' || *c == '.')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn schema_mode_rejects_wrong_types() {
        let map =
            object(json!({"regular_price": 9.9, "manage_stock": "parent", "stock_quantity": "5"}));
        let mut reader = FieldReader::new(&map, Mode::Schema);
        assert_eq!(reader.string("regular_price"), None);
        assert_eq!(reader.boolean("manage_stock"), None);
        assert_eq!(reader.integer("stock_quantity"), Some(5));
        let error = reader.finish().expect_err("invalid");
        assert_eq!(error.code, "rest_invalid_param");
        assert_eq!(
            error.message,
            "Invalid parameter(s): regular_price, manage_stock"
        );
    }

    #[test]
    fn batch_mode_coerces_like_the_setters() {
        let map =
            object(json!({"regular_price": 9.9, "manage_stock": "parent", "stock_quantity": "7x"}));
        let mut reader = FieldReader::new(&map, Mode::Batch);
        assert_eq!(reader.string("regular_price").as_deref(), Some("9.9"));
        assert_eq!(reader.boolean("manage_stock"), Some(false));
        assert_eq!(reader.integer("stock_quantity"), Some(7));
        assert!(reader.finish().is_ok());
    }

    #[test]
    fn text_and_prices_are_cleaned() {
        assert_eq!(clean_text("  <b>SKU</b>   1 \n"), "SKU 1");
        assert_eq!(format_price("12.50", ","), "12.50");
        assert_eq!(format_price("12,50", ","), "12.50");
        assert_eq!(format_price("", ","), "");
    }
}
