//! Option values: loading from the host's storage, validating, saving, and the typed view the rest
//! of the plugin reads.

pub mod schema;
mod validate;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

pub use schema::{FIELDS, FieldKind, FieldSpec, Scope, Section, keys};
use validate::Validation;
pub use validate::{FieldMessage, OptionReport};

use super::error::{CoreError, CoreResult};
use crate::host_port::{Host, HostPort, Permission};
use crate::secret::Secret;

/// Every option's current value (stored, or the default), keyed by option key.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionValues(BTreeMap<&'static str, Value>);

impl OptionValues {
    /// Reads every option from the host.
    pub fn load(host: &dyn HostPort) -> CoreResult<Self> {
        let mut values = BTreeMap::new();
        for spec in FIELDS {
            let (area, key) = spec.storage();
            let stored = host.storage_get(area, &key)?;
            let value = stored
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .unwrap_or_else(|| spec.default_value());
            values.insert(spec.key, value);
        }
        Ok(Self(values))
    }

    pub fn get(&self, key: &str) -> &Value {
        self.0.get(key).unwrap_or(&Value::Null)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key).as_bool().unwrap_or(false)
    }

    pub fn text(&self, key: &str) -> &str {
        self.get(key).as_str().unwrap_or("")
    }

    fn secret_is_set(&self) -> bool {
        !self.text(keys::CONSUMER_SECRET).is_empty()
    }

    /// The values document for the host (`qbm.wc.option-values/1`); secrets only say whether
    /// they are set.
    pub fn document(&self) -> Value {
        let mut values = Map::new();
        let mut secrets = Map::new();
        for spec in FIELDS {
            let value = self.get(spec.key);
            if spec.secret {
                secrets.insert(
                    spec.key.to_string(),
                    json!({ "set": value.as_str().is_some_and(|s| !s.is_empty()) }),
                );
                values.insert(spec.key.to_string(), Value::Null);
            } else {
                values.insert(spec.key.to_string(), value.clone());
            }
        }
        json!({ "schema": "qbm.wc.option-values/1", "values": values, "secrets": secrets })
    }

    /// The typed settings used by the features.
    pub fn settings(&self) -> Settings {
        // Stored values were validated; the schema's default covers a value that was never set.
        let minutes = |key: &str| {
            self.get(key)
                .as_i64()
                .or_else(|| schema::field_spec(key).and_then(|f| f.default_value().as_i64()))
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or_default()
        };
        Settings {
            enabled: self.flag(keys::ENABLED),
            store_url: self.text(keys::STORE_URL).to_string(),
            consumer_key: self.text(keys::CONSUMER_KEY).to_string(),
            consumer_secret: Some(self.text(keys::CONSUMER_SECRET))
                .filter(|s| !s.is_empty())
                .map(|s| Secret::new(s.to_string())),
            allow_insecure_http: self.flag(keys::ALLOW_INSECURE_HTTP),
            stock_sync_on_this_client: self.flag(keys::STOCK_SYNC_ON_THIS_CLIENT),
            stock_sync_interval_minutes: minutes(keys::STOCK_SYNC_INTERVAL),
            primary_location: Some(self.text(keys::PRIMARY_LOCATION).to_string())
                .filter(|s| !s.is_empty()),
            use_multiple_locations: self.flag(keys::USE_MULTIPLE_LOCATIONS),
            multiple_locations: self
                .get(keys::MULTIPLE_LOCATIONS)
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            stock_sync_start_date: NaiveDate::parse_from_str(
                self.text(keys::STOCK_SYNC_START_DATE),
                "%Y-%m-%d",
            )
            .ok(),
            match_by_lookup_code: self.flag(keys::MATCH_BY_LOOKUP_CODE),
            log_missing_items: self.flag(keys::LOG_MISSING_ITEMS),
            allow_import_orders: self.flag(keys::ALLOW_IMPORT_ORDERS),
            allow_import_customers: self.flag(keys::ALLOW_IMPORT_CUSTOMERS),
            allow_import_items: self.flag(keys::ALLOW_IMPORT_ITEMS),
            allow_create_items: self.flag(keys::ALLOW_CREATE_ITEMS),
            order_polling_enabled: self.flag(keys::ORDER_POLLING_ENABLED),
            order_polling_interval_minutes: minutes(keys::ORDER_POLLING_INTERVAL),
        }
    }
}

/// The option values as the features use them.
#[derive(Debug, Clone)]
pub struct Settings {
    pub enabled: bool,
    pub store_url: String,
    pub consumer_key: String,
    pub consumer_secret: Option<Secret>,
    pub allow_insecure_http: bool,
    pub stock_sync_on_this_client: bool,
    pub stock_sync_interval_minutes: u32,
    pub primary_location: Option<String>,
    pub use_multiple_locations: bool,
    pub multiple_locations: Vec<String>,
    pub stock_sync_start_date: Option<NaiveDate>,
    pub match_by_lookup_code: bool,
    pub log_missing_items: bool,
    pub allow_import_orders: bool,
    pub allow_import_customers: bool,
    pub allow_import_items: bool,
    pub allow_create_items: bool,
    pub order_polling_enabled: bool,
    pub order_polling_interval_minutes: u32,
}

impl Settings {
    /// The QBM locations whose quantities make up the online stock.
    pub fn stock_locations(&self) -> Vec<String> {
        if self.use_multiple_locations {
            self.multiple_locations.clone()
        } else {
            self.primary_location.iter().cloned().collect()
        }
    }
}

/// Reads `{"values": {...}}` (the `schema` field, when present, must be `qbm.wc.option-values/1`).
fn parse_input(json: &str) -> CoreResult<Map<String, Value>> {
    let document: Value = serde_json::from_str(json)
        .map_err(|err| CoreError::InvalidJson(format!("option values: {err}")))?;
    if let Some(schema) = document.get("schema")
        && schema != "qbm.wc.option-values/1"
    {
        return Err(CoreError::InvalidJson(format!(
            "option values: schema {schema} is not qbm.wc.option-values/1"
        )));
    }
    match document.get("values") {
        Some(Value::Object(values)) => Ok(values.clone()),
        _ => Err(CoreError::InvalidJson(
            "option values: expected an object {\"values\": {\"key\": value, …}}".to_string(),
        )),
    }
}

/// Trims what users paste (spaces around keys and addresses, a trailing slash on the URL).
fn normalise(spec: &FieldSpec, value: Value) -> Value {
    match (spec.kind, value) {
        (FieldKind::Url, Value::String(text)) => {
            Value::String(text.trim().trim_end_matches('/').to_string())
        }
        (
            FieldKind::Credential { .. } | FieldKind::Date | FieldKind::Location,
            Value::String(text),
        ) => Value::String(text.trim().to_string()),
        (_, value) => value,
    }
}

/// The outcome of checking proposed changes against the current values.
struct Checked {
    merged: OptionValues,
    changed: Vec<&'static str>,
    report: OptionReport,
}

fn check(host: &dyn HostPort, current: &OptionValues, json: &str) -> CoreResult<Checked> {
    let input = parse_input(json)?;
    let mut merged = current.clone();
    let mut changed = Vec::new();
    let mut unknown = Vec::new();
    let mut read_only = Vec::new();
    for (key, value) in input {
        let Some(spec) = schema::field_spec(&key) else {
            unknown.push(key);
            continue;
        };
        if spec.read_only {
            read_only.push(spec.key);
            continue;
        }
        if spec.secret && value.is_null() {
            continue; // "keep the stored secret"
        }
        merged.0.insert(spec.key, normalise(spec, value));
        changed.push(spec.key);
    }

    let locations = std::cell::OnceCell::new();
    let known_locations = || {
        locations
            .get_or_init(|| {
                host.locations()
                    .ok()
                    .map(|list| list.into_iter().map(|l| l.id).collect::<Vec<_>>())
            })
            .clone()
    };
    let mut validation = Validation::new(&merged.0);
    for key in &unknown {
        validation.error(key, "is not an option of the WooCommerce tab");
    }
    for key in &read_only {
        validation.error(key, "is read-only: the plugin updates it itself");
    }
    for key in &changed {
        let spec = schema::field_spec(key).expect("only known keys are collected");
        validation.check_field(spec, merged.get(key), &known_locations);
    }
    validation.check_rules(&changed, merged.secret_is_set());
    let report = validation.finish(false, Vec::new());
    Ok(Checked {
        merged,
        changed,
        report,
    })
}

/// Validates proposed values without saving them.
pub fn validate(host: &dyn HostPort, json: &str) -> CoreResult<OptionReport> {
    let current = OptionValues::load(host)?;
    Ok(check(host, &current, json)?.report)
}

/// Validates and saves proposed values; nothing is saved unless every field is valid.
pub fn save(host: &dyn HostPort, json: &str) -> CoreResult<(OptionReport, OptionValues)> {
    if !host.has_permission(Permission::AdministerOptions)? {
        return Err(CoreError::Refused {
            permission: Some(Permission::AdministerOptions),
            option: None,
        });
    }
    let current = OptionValues::load(host)?;
    let Checked {
        merged,
        changed,
        mut report,
    } = check(host, &current, json)?;
    if !report.valid {
        let summary = report.summary();
        return Err(CoreError::InvalidOptions {
            report: Box::new(report),
            summary,
        });
    }
    let mut really_changed = Vec::new();
    for key in changed {
        let value = merged.get(key);
        if value == current.get(key) {
            continue;
        }
        let spec = schema::field_spec(key).expect("only known keys are collected");
        let (area, storage_key) = spec.storage();
        host.storage_set(area, &storage_key, Some(&value.to_string()))?;
        really_changed.push(key.to_string());
    }
    report.saved = true;
    report.changed = really_changed;
    Ok((report, merged))
}

/// Writes a read-only value that only the plugin maintains (e.g. the last order sync point).
pub fn set_read_only(host: &dyn HostPort, key: &str, value: &Value) -> CoreResult<()> {
    let spec = schema::field_spec(key)
        .filter(|spec| spec.read_only)
        .ok_or_else(|| CoreError::Internal(format!("`{key}` is not a read-only option")))?;
    let (area, storage_key) = spec.storage();
    host.storage_set(area, &storage_key, Some(&value.to_string()))?;
    Ok(())
}
