//! Decoding records one by one, so one record the client cannot understand is reported by name
//! and the others survive.

use serde::de::DeserializeOwned;

use super::error::WooError;

/// A record of a list page that could not be decoded.
#[derive(Debug)]
pub struct RecordError {
    /// The record's id when it could be read.
    pub id: Option<u64>,
    /// Page number it came from (0 for answers that are not paged).
    pub page: u32,
    /// The decode error, naming the record and the field.
    pub error: WooError,
}

/// The `id` of a raw record, when it is a non-negative integer or a numeric string.
pub fn raw_id(value: &serde_json::Value) -> Option<u64> {
    match value.get("id")? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Decodes one record. `kind` names it (`product`), `fallback` says where it was when it has no
/// readable id (`#3 on page 2`).
pub fn decode_record<T: DeserializeOwned>(
    kind: &str,
    value: serde_json::Value,
    fallback: &str,
) -> Result<T, WooError> {
    let name = match raw_id(&value) {
        Some(id) => format!("{kind} {id}"),
        None => format!("{kind} {fallback}"),
    };
    if !value.is_object() {
        return Err(WooError::decode(
            name,
            ".",
            format!("expected an object, found {}", json_type_name(&value)),
        ));
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path.is_empty() {
            ".".to_owned()
        } else {
            path
        };
        WooError::decode(name, field, e.into_inner().to_string())
    })
}

/// Decodes every element of a JSON array, keeping good and bad records apart.
pub fn decode_list<T: DeserializeOwned>(
    kind: &str,
    items: Vec<serde_json::Value>,
    page: u32,
) -> (Vec<T>, Vec<RecordError>) {
    let mut good = Vec::with_capacity(items.len());
    let mut bad = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let id = raw_id(&item);
        let fallback = if page == 0 {
            format!("#{}", i + 1)
        } else {
            format!("#{} on page {page}", i + 1)
        };
        match decode_record::<T>(kind, item, &fallback) {
            Ok(record) => good.push(record),
            Err(error) => bad.push(RecordError { id, page, error }),
        }
    }
    (good, bad)
}

/// `object`, `array`, … for messages.
pub fn json_type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::woo::model::Product;

    #[test]
    fn a_bad_record_is_named_and_the_rest_survive() {
        let items: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"id": 1, "sku": "A"}, {"id": 1031, "stock_quantity": "lots"}, {"id": {"x": 1}}, 7, {"id": 3}]"#,
        )
        .unwrap();
        let (good, bad) = decode_list::<Product>("product", items, 2);
        assert_eq!(good.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(bad.len(), 3);
        let first = bad[0].error.to_string();
        assert!(
            first.starts_with("product 1031: field `stock_quantity`: "),
            "{first}"
        );
        assert!(first.contains("integer"), "{first}");
        assert_eq!(bad[0].id, Some(1031));
        let second = bad[1].error.to_string();
        assert!(
            second.starts_with("product #3 on page 2: field `id`"),
            "{second}"
        );
        let third = bad[2].error.to_string();
        assert_eq!(
            third,
            "product #4 on page 2: field `.`: expected an object, found a number"
        );
    }
}
