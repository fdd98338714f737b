//! Field-by-field validation of option values, with cross-field rules.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::schema::{FieldKind, FieldSpec, ORDER_STATUSES, field_spec, keys};
use crate::host_port::HostError;

/// What validation needs to know about QBM's records.
pub trait Lookup {
    /// The ids of QBM's locations, or why they cannot be read.
    fn locations(&self) -> Result<Vec<String>, String>;
    fn item_exists(&self, id: &str) -> Result<bool, HostError>;
    fn customer_exists(&self, id: &str) -> Result<bool, HostError>;
}

/// A problem or remark about one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldMessage {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// The answer to validating or saving options (`qbm.wc.option-report/1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionReport {
    pub schema: &'static str,
    pub valid: bool,
    pub saved: bool,
    pub errors: Vec<FieldMessage>,
    pub warnings: Vec<FieldMessage>,
    /// Keys whose stored value changed (empty unless saved).
    pub changed: Vec<String>,
}

impl OptionReport {
    pub fn summary(&self) -> String {
        self.errors
            .iter()
            .map(|e| format!("{}: {}", e.label, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Validation state for one run: the merged values and what was found.
pub struct Validation<'a> {
    values: &'a BTreeMap<&'static str, Value>,
    errors: Vec<FieldMessage>,
    warnings: Vec<FieldMessage>,
}

fn message(key: &str, text: impl Into<String>) -> FieldMessage {
    FieldMessage {
        field: key.to_string(),
        label: field_spec(key).map_or(key, |spec| spec.label).to_string(),
        message: text.into(),
    }
}

impl<'a> Validation<'a> {
    pub fn new(values: &'a BTreeMap<&'static str, Value>) -> Self {
        Self {
            values,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn error(&mut self, key: &str, text: impl Into<String>) {
        self.errors.push(message(key, text));
    }

    fn warn(&mut self, key: &str, text: impl Into<String>) {
        self.warnings.push(message(key, text));
    }

    fn flag(&self, key: &str) -> bool {
        self.values
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn text(&self, key: &str) -> &str {
        self.values.get(key).and_then(Value::as_str).unwrap_or("")
    }

    /// Checks one field's value against its kind.
    pub fn check_field(&mut self, spec: &FieldSpec, value: &Value, lookup: &dyn Lookup) {
        let known_locations = || lookup.locations();
        match spec.kind {
            FieldKind::Bool => {
                if !value.is_boolean() {
                    self.error(spec.key, "must be true or false");
                }
            }
            FieldKind::Url => self.check_url(spec, value),
            FieldKind::Credential { prefix, hex_len } => self.check_credential(spec, value, prefix, hex_len),
            FieldKind::Minutes { min, max, warn_below } => match value.as_i64() {
                Some(minutes) if minutes < min || minutes > max => {
                    self.error(spec.key, format!("must be between {min} and {max} minutes"))
                }
                Some(minutes) if minutes < warn_below => self.warn(
                    spec.key,
                    format!(
                        "{minutes} minute(s) is very short: every run costs the store requests; {warn_below} minutes or more is recommended"
                    ),
                ),
                Some(_) => {}
                None => self.error(spec.key, "must be a whole number of minutes"),
            },
            FieldKind::Location => match value {
                Value::Null => {}
                Value::String(id) if id.trim().is_empty() => {}
                Value::String(id) => self.check_locations_exist(spec, std::slice::from_ref(id), &known_locations),
                _ => self.error(spec.key, "must be a QBM location id"),
            },
            FieldKind::Locations => match value.as_array() {
                Some(list) => {
                    let ids: Option<Vec<String>> = list.iter().map(|v| v.as_str().map(str::to_string)).collect();
                    match ids {
                        Some(ids) => {
                            let mut unique = ids.clone();
                            unique.sort();
                            unique.dedup();
                            if unique.len() != ids.len() {
                                self.error(spec.key, "lists the same location more than once");
                            }
                            self.check_locations_exist(spec, &ids, &known_locations);
                        }
                        None => self.error(spec.key, "must be a list of QBM location ids"),
                    }
                }
                None => self.error(spec.key, "must be a list of QBM location ids"),
            },
            FieldKind::Date => match value {
                Value::Null => {}
                Value::String(text) if text.is_empty() => {}
                Value::String(text) => {
                    if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
                        self.error(spec.key, format!("\"{text}\" is not a valid date; use YYYY-MM-DD"));
                    }
                }
                _ => self.error(spec.key, "must be a date written YYYY-MM-DD"),
            },
            FieldKind::Hours { min, max } => match value.as_i64() {
                Some(hours) if hours < min || hours > max => {
                    self.error(spec.key, format!("must be between {min} and {max} hours"))
                }
                Some(_) => {}
                None => self.error(spec.key, "must be a whole number of hours"),
            },
            FieldKind::Item | FieldKind::Customer => match value {
                Value::Null => {}
                Value::String(id) if id.trim().is_empty() => {}
                Value::String(id) => {
                    let (found, what) = if spec.kind == FieldKind::Item {
                        (lookup.item_exists(id), "item")
                    } else {
                        (lookup.customer_exists(id), "customer")
                    };
                    match found {
                        Ok(true) => {}
                        Ok(false) => self.error(spec.key, format!("there is no QBM {what} with id \"{id}\"")),
                        Err(err) => self.error(
                            spec.key,
                            format!("QBM's {what}s could not be read, so the choice cannot be checked ({err})"),
                        ),
                    }
                }
                _ => self.error(spec.key, "must be a QBM record id"),
            },
            FieldKind::OrderStatuses => match value.as_array() {
                Some(list) => {
                    for status in list {
                        match status.as_str() {
                            Some(s) if ORDER_STATUSES.iter().any(|(v, _)| *v == s) => {}
                            _ => self.error(
                                spec.key,
                                format!(
                                    "{status} is not a WooCommerce order status; choose from {}",
                                    ORDER_STATUSES.iter().map(|(v, _)| *v).collect::<Vec<_>>().join(", ")
                                ),
                            ),
                        }
                    }
                }
                None => self.error(spec.key, "must be a list of order statuses"),
            },
            FieldKind::Timestamp | FieldKind::Status => {}
        }
    }

    fn check_url(&mut self, spec: &FieldSpec, value: &Value) {
        let Some(text) = value.as_str() else {
            self.error(spec.key, "must be text");
            return;
        };
        if text.is_empty() {
            return;
        }
        let parsed = match url::Url::parse(text) {
            Ok(parsed) => parsed,
            Err(err) => {
                self.error(
                    spec.key,
                    format!("\"{text}\" is not a web address ({err}); write it like https://shop.example.com"),
                );
                return;
            }
        };
        match parsed.scheme() {
            "https" => {}
            "http" => {
                if !self.flag(keys::ALLOW_INSECURE_HTTP) {
                    self.error(
                        spec.key,
                        "the address starts with http://, which is unencrypted: use https://, or turn on \"Allow insecure HTTP\" for a test store",
                    );
                }
            }
            other => self.error(
                spec.key,
                format!("must start with https:// (not {other}://)"),
            ),
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            self.error(spec.key, "has no host name");
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            self.error(
                spec.key,
                "must not contain ? or #: give the store's home address only",
            );
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            self.error(spec.key, "must not contain a user name or password");
        }
        if parsed.path().contains("/wp-json") {
            self.error(
                spec.key,
                "give the store's home address, without /wp-json/…; the plugin finds the REST API itself",
            );
        }
    }

    fn check_credential(&mut self, spec: &FieldSpec, value: &Value, prefix: &str, hex_len: usize) {
        let Some(text) = value.as_str() else {
            if !(spec.secret && value.is_null()) {
                self.error(spec.key, "must be text");
            }
            return;
        };
        if text.is_empty() {
            return;
        }
        let well_formed = text.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() == hex_len
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if !well_formed {
            // Never echo the value: it may be the secret.
            self.error(
                spec.key,
                format!(
                    "does not look like a WooCommerce {}: it should be {prefix} followed by {hex_len} characters 0-9/a-f; copy it again from WooCommerce → Settings → Advanced → REST API",
                    spec.label.to_lowercase()
                ),
            );
        }
    }

    fn check_locations_exist(
        &mut self,
        spec: &FieldSpec,
        ids: &[String],
        known: &dyn Fn() -> Result<Vec<String>, String>,
    ) {
        let known = match known() {
            Ok(known) => known,
            Err(why) => {
                self.error(
                    spec.key,
                    format!(
                        "QBM's locations could not be read, so the choice cannot be checked ({why})"
                    ),
                );
                return;
            }
        };
        for id in ids {
            if !known.iter().any(|k| k == id) {
                self.error(
                    spec.key,
                    format!("there is no QBM location with id \"{id}\""),
                );
            }
        }
    }

    /// Rules that involve several fields, checked on the values as they will be after the save
    /// (stored and changed). A conflict is reported on the field being changed now, so the
    /// person sees it where they made the change. `changed` are the keys set now.
    pub fn check_rules(&mut self, changed: &[&str], secret_is_set: bool) {
        let insecure_url = self
            .text(keys::STORE_URL)
            .to_ascii_lowercase()
            .starts_with("http://");
        if insecure_url
            && !self.flag(keys::ALLOW_INSECURE_HTTP)
            && changed.contains(&keys::ALLOW_INSECURE_HTTP)
            && !changed.contains(&keys::STORE_URL)
        {
            self.error(
                keys::ALLOW_INSECURE_HTTP,
                "cannot be turned off while the Store URL starts with http://: change the Store URL to https:// first (or in the same save)",
            );
        }
        if self.flag(keys::ENABLED) {
            for key in [keys::STORE_URL, keys::CONSUMER_KEY] {
                if self.text(key).is_empty() {
                    self.error(
                        key,
                        "is required while \"Enable WooCommerce integration\" is on",
                    );
                }
            }
            if !secret_is_set {
                self.error(
                    keys::CONSUMER_SECRET,
                    "is required while \"Enable WooCommerce integration\" is on",
                );
            }
        }
        let multiple = self
            .values
            .get(keys::MULTIPLE_LOCATIONS)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if self.flag(keys::USE_MULTIPLE_LOCATIONS) {
            if multiple == 0 {
                self.error(
                    keys::MULTIPLE_LOCATIONS,
                    "choose at least one location while \"Use multiple QBM locations\" is on",
                );
            }
        } else if changed.contains(&keys::MULTIPLE_LOCATIONS) && multiple > 0 {
            self.error(
                keys::MULTIPLE_LOCATIONS,
                "can only be chosen while \"Use multiple QBM locations\" is on",
            );
        }
        if self.flag(keys::STOCK_SYNC_ON_THIS_CLIENT)
            && !self.flag(keys::USE_MULTIPLE_LOCATIONS)
            && self.text(keys::PRIMARY_LOCATION).is_empty()
        {
            self.error(
                keys::PRIMARY_LOCATION,
                "choose the location whose stock is published before enabling stock sync on this client",
            );
        }
    }

    pub fn finish(self, saved: bool, changed: Vec<String>) -> OptionReport {
        OptionReport {
            schema: "qbm.wc.option-report/1",
            valid: self.errors.is_empty(),
            saved,
            errors: self.errors,
            warnings: self.warnings,
            changed,
        }
    }
}
