//! Field decoders that accept what real stores send, not only what the schema promises.
//!
//! Plugins and PHP quirks produce numbers as strings, strings as numbers, `""` for "none",
//! `null` for empty lists and `[]` for empty objects. Each helper is used with
//! `#[serde(default, deserialize_with = "…")]` and fails only on values that cannot mean anything
//! sensible, so the error names the field.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Decimal from a JSON string or number. Numbers go through their shortest round-trip text
/// (`17.91` → `"17.91"`), never through arithmetic on `f64`.
fn decimal_from_text<E: de::Error>(text: &str) -> Result<Decimal, E> {
    let t = text.trim();
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map_err(|_| E::custom(format!("expected a decimal amount, found {text:?}")))
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount as a string or number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            decimal_from_text(v).map(Some)
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if !v.is_finite() {
            return Err(E::custom("expected a finite amount"));
        }
        // `Display` for f64 prints the shortest text that round-trips, without exponent.
        decimal_from_text(&v.to_string()).map(Some)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

/// Money or quantity that may be absent: `""`/`null` → `None`; `"12.50"`, `12.5`, `5` → `Some`.
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    d.deserialize_any(DecimalVisitor)
}

/// Money that is always meant to be there: `""`/`null` → zero.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ok(opt_decimal(d)?.unwrap_or_default())
}

struct IntVisitor;

impl IntVisitor {
    fn from_f64<E: de::Error>(v: f64) -> Result<Option<i64>, E> {
        if v.fract() == 0.0 && v.is_finite() && v.abs() < 9.0e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::custom(format!("expected an integer, found {v}")))
        }
    }
}

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (as a number or a string)")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        IntVisitor::from_f64(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(n) = t.parse::<i64>() {
            return Ok(Some(n));
        }
        match t.parse::<f64>() {
            Ok(f) => IntVisitor::from_f64(f),
            Err(_) => Err(E::custom(format!("expected an integer, found {v:?}"))),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

/// Integer that may be absent (`null`, `""`): stock quantities, thresholds.
/// Accepts numeric strings and integral floats; rejects fractions and text.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// A record id: a non-negative integer, also from a numeric string; `""`/`null` → 0 ("none").
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match d.deserialize_any(IntVisitor)? {
        None => Ok(0),
        Some(n) if n >= 0 => Ok(n as u64),
        Some(n) => Err(de::Error::custom(format!(
            "expected a record id, found {n}"
        ))),
    }
}

/// An id that may be absent (`null`/`""`/missing) — 0 stays 0.
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match d.deserialize_any(IntVisitor)? {
        None => Ok(None),
        Some(n) if n >= 0 => Ok(Some(n as u64)),
        Some(n) => Err(de::Error::custom(format!(
            "expected a record id, found {n}"
        ))),
    }
}

/// A list of ids; `null` → empty, ids may be strings (`used_by: ["4"]`).
pub fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    #[derive(Deserialize)]
    struct One(#[serde(deserialize_with = "id")] u64);
    let list: Option<Vec<One>> = Option::deserialize(d)?;
    Ok(list.unwrap_or_default().into_iter().map(|o| o.0).collect())
}

struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

/// Text; numbers and booleans are turned into their text, `null` → `""`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(d.deserialize_any(StringVisitor)?.unwrap_or_default())
}

/// Text that may be `null` (kept as `None`); numbers become text.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(StringVisitor)
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean (true/false, \"yes\"/\"no\", 1/0)")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Ok(v != 0)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        Ok(v != 0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => Ok(true),
            "false" | "no" | "0" | "off" | "" => Ok(false),
            _ => Err(E::custom(format!("expected a boolean, found {v:?}"))),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

/// Boolean from `true`/`false`, `"yes"`/`"no"`, `1`/`0`; `null` → false.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(BoolVisitor)
}

/// A list that may arrive as `null` (→ empty) or as an object (PHP's associative arrays; the
/// values are taken in order).
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct ListVisitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<T>()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some((_, item)) = map.next_entry::<IgnoredAny, T>()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_any(ListVisitor(std::marker::PhantomData))
        }
    }
    d.deserialize_any(ListVisitor(std::marker::PhantomData))
}

/// An object that PHP may have serialised as `[]` (empty array) or that may be `null`:
/// both give the type's default.
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(d)?;
    match value {
        serde_json::Value::Null => Ok(T::default()),
        serde_json::Value::Array(ref items) if items.is_empty() => Ok(T::default()),
        other => T::deserialize(other).map_err(de::Error::custom),
    }
}

/// Like [`object`], for optional objects (`null`, `[]` or `""` → `None`).
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(d)?;
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Array(ref items) if items.is_empty() => Ok(None),
        serde_json::Value::String(ref s) if s.is_empty() => Ok(None),
        other => T::deserialize(other).map(Some).map_err(de::Error::custom),
    }
}

/// Parses a WooCommerce date: `YYYY-MM-DDTHH:MM:SS`, optionally with fractions; an offset or `Z`
/// (sent by some plugins) is accepted and dropped after conversion to that clock.
fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt);
        }
    }
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|dt| dt.naive_local())
}

/// A `*_gmt` date: naive text that is UTC. `null`/`""` → `None`.
pub fn gmt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let text: Option<String> = d.deserialize_any(StringVisitor)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => {
            if let Ok(with_offset) = DateTime::parse_from_rfc3339(t) {
                return Ok(Some(with_offset.with_timezone(&Utc)));
            }
            parse_naive(t)
                .map(|n| Some(n.and_utc()))
                .ok_or_else(|| de::Error::custom(format!("expected a date, found {t:?}")))
        }
    }
}

/// A site-local date, kept without a zone. `null`/`""` → `None`.
pub fn local_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
    let text: Option<String> = d.deserialize_any(StringVisitor)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_naive(t)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected a date, found {t:?}"))),
    }
}

/// `manage_stock` as stores send it: `true`, `false`, or `"parent"` on variations whose parent
/// manages the stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ManageStock {
    /// Stock is not tracked.
    #[default]
    No,
    /// The item tracks its own quantity.
    Yes,
    /// A variation whose quantity is the parent's (`"parent"`).
    Parent,
}

impl ManageStock {
    /// True when some quantity applies to the item (its own or the parent's).
    pub fn is_managed(self) -> bool {
        !matches!(self, ManageStock::No)
    }
}

impl<'de> Deserialize<'de> for ManageStock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ManageStock;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or \"parent\"")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ManageStock, E> {
                Ok(if v { ManageStock::Yes } else { ManageStock::No })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ManageStock, E> {
                Ok(if v != 0 {
                    ManageStock::Yes
                } else {
                    ManageStock::No
                })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ManageStock, E> {
                self.visit_i64(i64::from(v != 0))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ManageStock, E> {
                if v.eq_ignore_ascii_case("parent") {
                    Ok(ManageStock::Parent)
                } else {
                    BoolVisitor.visit_str(v).map(
                        |b| {
                            if b { ManageStock::Yes } else { ManageStock::No }
                        },
                    )
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<ManageStock, E> {
                Ok(ManageStock::No)
            }
            fn visit_none<E: de::Error>(self) -> Result<ManageStock, E> {
                Ok(ManageStock::No)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<ManageStock, D::Error> {
                d.deserialize_any(V)
            }
        }
        d.deserialize_any(V)
    }
}

/// Free-form JSON kept as is (meta values can be anything).
pub type AnyJson = serde_json::Value;

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    /// `Decimal` literals without the macro crate.
    mod rust_decimal_macros_free {
        pub fn dec(s: &str) -> rust_decimal::Decimal {
            s.parse().expect("test literal")
        }
    }

    #[derive(Deserialize, Debug, Default)]
    #[serde(default)]
    struct Probe {
        #[serde(deserialize_with = "opt_decimal")]
        price: Option<Decimal>,
        #[serde(deserialize_with = "decimal")]
        total: Decimal,
        #[serde(deserialize_with = "opt_i64")]
        stock: Option<i64>,
        #[serde(deserialize_with = "id")]
        id: u64,
        #[serde(deserialize_with = "boolean")]
        flag: bool,
        manage: ManageStock,
        #[serde(deserialize_with = "gmt_date")]
        gmt: Option<DateTime<Utc>>,
        #[serde(deserialize_with = "local_date")]
        local: Option<NaiveDateTime>,
        #[serde(deserialize_with = "string")]
        text: String,
        #[serde(deserialize_with = "list")]
        items: Vec<u32>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).expect(json)
    }

    #[test]
    fn numbers_become_exact_decimals() {
        assert_eq!(probe(r#"{"price": 17.91}"#).price, Some(dec("17.91")));
        assert_eq!(probe(r#"{"price": 12.5}"#).price, Some(dec("12.5")));
        assert_eq!(probe(r#"{"price": 5}"#).price, Some(dec("5")));
        assert_eq!(probe(r#"{"price": "4.275"}"#).price, Some(dec("4.275")));
        assert_eq!(probe(r#"{"price": "-35.58"}"#).price, Some(dec("-35.58")));
        assert_eq!(probe(r#"{"price": ""}"#).price, None);
        assert_eq!(probe(r#"{"price": null}"#).price, None);
        assert_eq!(probe(r#"{"total": ""}"#).total, Decimal::ZERO);
        assert_eq!(probe(r#"{"price": 0.1}"#).price, Some(dec("0.1")));
        assert!(serde_json::from_str::<Probe>(r#"{"price": "abc"}"#).is_err());
    }

    #[test]
    fn integers_are_tolerant() {
        assert_eq!(probe(r#"{"stock": 25}"#).stock, Some(25));
        assert_eq!(probe(r#"{"stock": "25"}"#).stock, Some(25));
        assert_eq!(probe(r#"{"stock": 25.0}"#).stock, Some(25));
        assert_eq!(probe(r#"{"stock": -3}"#).stock, Some(-3));
        assert_eq!(probe(r#"{"stock": null}"#).stock, None);
        assert!(serde_json::from_str::<Probe>(r#"{"stock": 2.5}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"stock": "lots"}"#).is_err());
        assert_eq!(probe(r#"{"id": ""}"#).id, 0);
        assert_eq!(probe(r#"{"id": "42"}"#).id, 42);
        assert!(serde_json::from_str::<Probe>(r#"{"id": {}}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"id": -1}"#).is_err());
    }

    #[test]
    fn booleans_strings_lists() {
        assert!(probe(r#"{"flag": "yes"}"#).flag);
        assert!(!probe(r#"{"flag": 0}"#).flag);
        assert_eq!(probe(r#"{"text": 12}"#).text, "12");
        assert_eq!(probe(r#"{"text": null}"#).text, "");
        assert_eq!(probe(r#"{"items": null}"#).items, Vec::<u32>::new());
        assert_eq!(probe(r#"{"items": {"a": 1, "b": 2}}"#).items, vec![1, 2]);
    }

    #[test]
    fn manage_stock_variants() {
        assert_eq!(probe(r#"{"manage": true}"#).manage, ManageStock::Yes);
        assert_eq!(probe(r#"{"manage": false}"#).manage, ManageStock::No);
        assert_eq!(probe(r#"{"manage": "parent"}"#).manage, ManageStock::Parent);
        assert_eq!(probe(r#"{"manage": "yes"}"#).manage, ManageStock::Yes);
        assert!(ManageStock::Parent.is_managed());
    }

    #[test]
    fn dates() {
        let p = probe(r#"{"gmt": "2026-11-27T17:28:46", "local": "2026-11-27T18:28:46"}"#);
        assert_eq!(p.gmt.unwrap().to_rfc3339(), "2026-11-27T17:28:46+00:00");
        assert_eq!(p.local.unwrap().to_string(), "2026-11-27 18:28:46");
        let p = probe(r#"{"gmt": "2026-11-27T18:28:46+01:00"}"#);
        assert_eq!(p.gmt.unwrap().to_rfc3339(), "2026-11-27T17:28:46+00:00");
        assert_eq!(probe(r#"{"gmt": null}"#).gmt, None);
        assert_eq!(probe(r#"{"gmt": ""}"#).gmt, None);
        assert!(serde_json::from_str::<Probe>(r#"{"gmt": "yesterday"}"#).is_err());
    }
}
