//! Reading the host's answers: documents decoded with the path of a bad field in the message,
//! money accepted as a decimal string or as a JSON number read exactly from its text (hosts in
//! C# or Delphi write numbers), and ids accepted as text or whole numbers.

use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::value::RawValue;

use super::HostError;

/// Decodes a host document; a failure names the field and what was expected, in plain words.
pub(crate) fn document<T: DeserializeOwned>(
    callback: &'static str,
    text: &str,
) -> Result<T, HostError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = plain(&err.into_inner().to_string());
        let detail = if path == "." || path.is_empty() {
            inner
        } else {
            format!("the field `{path}` {inner}")
        };
        HostError::BadResponse { callback, detail }
    })
}

/// serde's wording, made readable for a person configuring a host.
fn plain(message: &str) -> String {
    message
        .replace("invalid type: ", "has the wrong type: it is ")
        .replace(", expected ", ", but the plugin expects ")
        .replace("missing field ", "lacks the required field ")
}

fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let trimmed = text.trim();
    Decimal::from_str_exact(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| format!("is \"{trimmed}\", which is not a decimal number such as \"12.50\""))
}

/// Money and quantities: a decimal string (`"12.50"`) or a JSON number (`12.50`), read exactly
/// from its text, never through binary floating point. Written as a string.
pub mod host_decimal {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let raw = <Box<RawValue>>::deserialize(deserializer)?;
        from_raw(raw.get()).map_err(D::Error::custom)
    }

    pub(super) fn from_raw(raw: &str) -> Result<Decimal, String> {
        let raw = raw.trim();
        if let Some(quoted) = raw.strip_prefix('"') {
            let text: String = serde_json::from_str(&format!("\"{quoted}"))
                .map_err(|_| "is not a valid text value".to_string())?;
            parse_decimal(&text)
        } else if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            parse_decimal(raw)
        } else {
            Err(format!(
                "is {raw}, but the plugin expects a decimal number such as \"12.50\" (as text or as a number)"
            ))
        }
    }

    /// The same for optional values (`null` or absent: `None`).
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.serialize_str(&value.to_string()),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Decimal>, D::Error> {
            let raw = <Option<Box<RawValue>>>::deserialize(deserializer)?;
            match raw {
                None => Ok(None),
                Some(raw) if raw.get().trim() == "null" => Ok(None),
                Some(raw) => from_raw(raw.get()).map(Some).map_err(D::Error::custom),
            }
        }
    }
}

/// Ids: text (`"42"`, `"A-7"`, a GUID) or a whole number (`42`), always kept as text.
pub mod host_id {
    use super::*;

    pub fn serialize<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        let raw = <Box<RawValue>>::deserialize(deserializer)?;
        from_raw(raw.get()).map_err(D::Error::custom)
    }

    pub(super) fn from_raw(raw: &str) -> Result<String, String> {
        let raw = raw.trim();
        if raw.starts_with('"') {
            serde_json::from_str::<String>(raw).map_err(|_| "is not valid text".to_string())
        } else if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            Ok(raw.to_string())
        } else {
            Err(format!(
                "is {raw}, but the plugin expects an id (text, or a whole number)"
            ))
        }
    }

    /// A list of ids.
    pub mod list {
        use super::*;

        pub fn serialize<S: Serializer>(
            value: &[String],
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(value)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Vec<String>, D::Error> {
            let raw = <Vec<Box<RawValue>>>::deserialize(deserializer)?;
            raw.iter()
                .map(|r| from_raw(r.get()))
                .collect::<Result<_, _>>()
                .map_err(D::Error::custom)
        }
    }

    /// The same for optional ids.
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            value: &Option<String>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.serialize_str(value),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<String>, D::Error> {
            let raw = <Option<Box<RawValue>>>::deserialize(deserializer)?;
            match raw {
                None => Ok(None),
                Some(raw) if raw.get().trim() == "null" => Ok(None),
                Some(raw) => from_raw(raw.get()).map(Some).map_err(D::Error::custom),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Money {
        #[serde(with = "host_decimal")]
        amount: Decimal,
        #[serde(default, with = "host_decimal::option")]
        optional: Option<Decimal>,
        #[serde(with = "host_id")]
        id: String,
    }

    #[test]
    fn numbers_are_read_exactly_from_their_text() {
        let doc: Money = document(
            "test",
            r#"{"amount": 12345678901234567.891, "optional": "0.10", "id": 42}"#,
        )
        .unwrap();
        assert_eq!(doc.amount.to_string(), "12345678901234567.891");
        assert_eq!(doc.optional.unwrap().to_string(), "0.10");
        assert_eq!(doc.id, "42");
        let doc: Money = document(
            "test",
            r#"{"amount": "12.50", "optional": null, "id": "A-7"}"#,
        )
        .unwrap();
        assert_eq!(doc.amount, Decimal::new(1250, 2));
        assert_eq!(doc.optional, None);
        let doc: Money = document("test", r#"{"amount": 1.5e2, "id": "x"}"#).unwrap();
        assert_eq!(doc.amount, Decimal::from(150));
    }

    #[test]
    fn a_bad_field_is_named_in_plain_words() {
        let err = document::<Money>("stock_on_hand", r#"{"amount": true, "id": "1"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`amount`"), "{err}");
        assert!(err.contains("decimal number such as"), "{err}");
        assert!(!err.contains("Decimal type"), "{err}");
        let err = document::<Money>("stock_on_hand", r#"{"amount": "1"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("lacks the required field `id`"), "{err}");
    }
}
