//! Option values: loading from the host's storage, validating, saving, and the typed view the rest
//! of the plugin reads.
//!
//! Values live in one document per storage area (`options` in company options and in
//! workstation options), so one call into the plugin reads its options with two storage reads,
//! not one per field. The consumer secret lives in the host's protected storage when it offers
//! one (ABI 1.1), otherwise in the company document. A stored value the plugin cannot read is
//! reported (in the values document, the log and Reconnect's report), never silently replaced.

pub mod schema;
mod validate;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

pub use schema::{FIELDS, FieldKind, FieldSpec, Scope, keys};
use validate::Validation;
pub use validate::{FieldMessage, OptionReport};

use super::error::{CoreError, CoreResult};
use crate::host_port::{
    CustomersQuery, Host, HostError, HostPort, ItemsQuery, Permission, StorageArea,
};
use crate::secret::Secret;
use crate::state;
pub use crate::sync::settings::Settings;

/// The key of the option document in each option area.
const DOCUMENT_KEY: &str = "options";
/// The key of the consumer secret in the host's protected storage.
const SECRET_KEY: &str = "consumer_secret";

/// Where the consumer secret is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretStore {
    /// The host's protected storage (`secret_get`/`secret_set`).
    Protected,
    /// The company's option document, as plain text (hosts without protected storage).
    CompanyOptions,
}

/// Every option's current value (stored, or the default), keyed by option key.
#[derive(Clone, PartialEq)]
pub struct OptionValues {
    values: BTreeMap<&'static str, Value>,
    /// Stored values that could not be read (the default is used in their place).
    problems: Vec<FieldMessage>,
    secret_store: SecretStore,
}

impl std::fmt::Debug for OptionValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values hold the consumer secret: only the keys are printed.
        f.debug_struct("OptionValues")
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

/// Whether `value` has the shape `spec` needs (its range is checked on save).
fn readable(spec: &FieldSpec, value: &Value) -> bool {
    match spec.kind {
        FieldKind::Bool => value.is_boolean(),
        FieldKind::Minutes { .. } | FieldKind::Hours { .. } => value.as_i64().is_some(),
        FieldKind::Locations | FieldKind::OrderStatuses => value
            .as_array()
            .is_some_and(|list| list.iter().all(Value::is_string)),
        FieldKind::Location
        | FieldKind::Date
        | FieldKind::Timestamp
        | FieldKind::Item
        | FieldKind::Customer => value.is_null() || value.is_string(),
        FieldKind::Url | FieldKind::Credential { .. } | FieldKind::Status => value.is_string(),
    }
}

fn problem(spec: &FieldSpec, text: String) -> FieldMessage {
    FieldMessage {
        field: spec.key.to_string(),
        label: spec.label.to_string(),
        message: text,
    }
}

/// Reads the option document of `area`, migrating plugin 0.1's one-key-per-field storage once.
fn read_document(
    host: &dyn HostPort,
    area: StorageArea,
    problems: &mut Vec<FieldMessage>,
) -> CoreResult<Map<String, Value>> {
    if let Some(text) = host.storage_get(area, DOCUMENT_KEY)? {
        return match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => Ok(map),
            _ => {
                problems.push(FieldMessage {
                    field: String::new(),
                    label: "Options".into(),
                    message: format!(
                        "the stored option values ({}) are not readable; defaults are shown until the options are saved again",
                        area_label(area)
                    ),
                });
                Ok(Map::new())
            }
        };
    }
    let mut legacy = Map::new();
    let mut legacy_keys = Vec::new();
    for spec in FIELDS.iter().filter(|f| !f.read_only && f.area() == area) {
        if let Some(text) = host.storage_get(area, &spec.legacy_key())? {
            legacy_keys.push(spec.legacy_key());
            match serde_json::from_str::<Value>(&text) {
                Ok(value) => {
                    legacy.insert(spec.key.to_string(), value);
                }
                Err(_) => problems.push(problem(
                    spec,
                    format!("the stored value {text:?} is not readable; the default is used until it is saved again"),
                )),
            }
        }
    }
    if !legacy_keys.is_empty() {
        let text = Value::Object(legacy.clone()).to_string();
        if state::insert_new(host, area, DOCUMENT_KEY, &text).map_err(state_error)? {
            for key in legacy_keys {
                host.storage_set(area, &key, None)?;
            }
        }
    }
    Ok(legacy)
}

fn area_label(area: StorageArea) -> &'static str {
    match area {
        StorageArea::CompanyOptions => "company options",
        StorageArea::WorkstationOptions => "this workstation's options",
        StorageArea::CompanyState => "company state",
    }
}

pub(crate) fn state_error(err: state::StateError) -> CoreError {
    err.into()
}

impl OptionValues {
    /// Reads every option from the host: the two option documents and, where the host keeps it,
    /// the protected secret.
    pub fn load(host: &dyn HostPort) -> CoreResult<Self> {
        let mut problems = Vec::new();
        let company = read_document(host, StorageArea::CompanyOptions, &mut problems)?;
        let workstation = read_document(host, StorageArea::WorkstationOptions, &mut problems)?;
        let secret_store = if host.capabilities().secrets {
            SecretStore::Protected
        } else {
            SecretStore::CompanyOptions
        };
        let mut values = BTreeMap::new();
        for spec in FIELDS.iter().filter(|f| !f.read_only) {
            let document = match spec.scope {
                Scope::Company => &company,
                Scope::Workstation => &workstation,
            };
            let value = match document.get(spec.key) {
                Some(value) if readable(spec, value) => value.clone(),
                Some(value) => {
                    problems.push(problem(
                        spec,
                        format!("the stored value {value} is not readable; the default is used until it is saved again"),
                    ));
                    spec.default_value()
                }
                None => spec.default_value(),
            };
            values.insert(spec.key, value);
        }
        if secret_store == SecretStore::Protected {
            let stored = host.secret_get(SECRET_KEY)?;
            let plain = company
                .get(keys::CONSUMER_SECRET)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let secret = match (stored, plain) {
                (Some(secret), _) => secret,
                (None, Some(plain)) => {
                    // Kept in plain text by an older version: move it to protected storage.
                    host.secret_set(SECRET_KEY, Some(&plain))?;
                    state::update(host, StorageArea::CompanyOptions, DOCUMENT_KEY, |current| {
                        let mut doc: Map<String, Value> = current
                            .and_then(|t| serde_json::from_str(t).ok())
                            .unwrap_or_default();
                        doc.remove(keys::CONSUMER_SECRET);
                        Some(Value::Object(doc).to_string())
                    })
                    .map_err(state_error)?;
                    plain
                }
                (None, None) => String::new(),
            };
            values.insert(keys::CONSUMER_SECRET, Value::String(secret));
        }
        Ok(Self {
            values,
            problems,
            secret_store,
        })
    }

    pub fn get(&self, key: &str) -> &Value {
        self.values.get(key).unwrap_or(&Value::Null)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key).as_bool().unwrap_or(false)
    }

    pub fn text(&self, key: &str) -> &str {
        self.get(key).as_str().unwrap_or("")
    }

    /// Stored values that could not be read.
    pub fn problems(&self) -> &[FieldMessage] {
        &self.problems
    }

    fn secret_is_set(&self) -> bool {
        !self.text(keys::CONSUMER_SECRET).is_empty()
    }

    /// The values document for the host (`qbm.wc.option-values/1`); secrets only say whether
    /// they are set. `read_only` holds the values the plugin maintains (sync points, status
    /// lines).
    pub fn document(&self, read_only: &BTreeMap<&'static str, Value>) -> Value {
        let mut values = Map::new();
        let mut secrets = Map::new();
        for spec in FIELDS {
            if spec.read_only {
                let value = read_only.get(spec.key).cloned().unwrap_or(Value::Null);
                values.insert(spec.key.to_string(), value);
                continue;
            }
            let value = self.get(spec.key);
            if spec.secret {
                secrets.insert(
                    spec.key.to_string(),
                    json!({
                        "set": value.as_str().is_some_and(|s| !s.is_empty()),
                        "protected": self.secret_store == SecretStore::Protected,
                    }),
                );
                values.insert(spec.key.to_string(), Value::Null);
            } else {
                values.insert(spec.key.to_string(), value.clone());
            }
        }
        json!({
            "schema": "qbm.wc.option-values/1",
            "values": values,
            "secrets": secrets,
            "problems": self.problems,
        })
    }

    /// The typed settings used by the features.
    pub fn settings(&self) -> Settings {
        // Stored values were validated; the schema's default covers a value that was never set.
        let number = |key: &str| {
            self.get(key)
                .as_i64()
                .or_else(|| schema::field_spec(key).and_then(|f| f.default_value().as_i64()))
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or_default()
        };
        let text_list = |key: &str| -> Vec<String> {
            self.get(key)
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let id = |key: &str| Some(self.text(key).trim().to_string()).filter(|s| !s.is_empty());
        Settings {
            enabled: self.flag(keys::ENABLED),
            store_url: self.text(keys::STORE_URL).to_string(),
            consumer_key: self.text(keys::CONSUMER_KEY).to_string(),
            consumer_secret: Some(self.text(keys::CONSUMER_SECRET))
                .filter(|s| !s.is_empty())
                .map(|s| Secret::new(s.to_string())),
            allow_insecure_http: self.flag(keys::ALLOW_INSECURE_HTTP),
            stock_sync_on_this_client: self.flag(keys::STOCK_SYNC_ON_THIS_CLIENT),
            stock_sync_interval_minutes: number(keys::STOCK_SYNC_INTERVAL),
            primary_location: id(keys::PRIMARY_LOCATION),
            use_multiple_locations: self.flag(keys::USE_MULTIPLE_LOCATIONS),
            multiple_locations: text_list(keys::MULTIPLE_LOCATIONS),
            stock_sync_start_date: NaiveDate::parse_from_str(
                self.text(keys::STOCK_SYNC_START_DATE),
                "%Y-%m-%d",
            )
            .ok(),
            match_by_lookup_code: self.flag(keys::MATCH_BY_LOOKUP_CODE),
            log_missing_items: self.flag(keys::LOG_MISSING_ITEMS),
            subtract_unimported_orders: self.flag(keys::SUBTRACT_UNIMPORTED_ORDERS),
            stock_check_hours: number(keys::STOCK_CHECK_HOURS),
            allow_import_orders: self.flag(keys::ALLOW_IMPORT_ORDERS),
            allow_import_customers: self.flag(keys::ALLOW_IMPORT_CUSTOMERS),
            order_import_statuses: text_list(keys::ORDER_IMPORT_STATUSES),
            shipping_item: id(keys::SHIPPING_ITEM),
            fee_item: id(keys::FEE_ITEM),
            guest_customer: id(keys::GUEST_CUSTOMER),
            order_import_location: id(keys::ORDER_IMPORT_LOCATION),
            order_polling_enabled: self.flag(keys::ORDER_POLLING_ENABLED),
            order_polling_interval_minutes: number(keys::ORDER_POLLING_INTERVAL),
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
            FieldKind::Credential { .. }
            | FieldKind::Date
            | FieldKind::Location
            | FieldKind::Item
            | FieldKind::Customer,
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

/// Looks up what a value refers to in QBM (locations, items, customers), once per check.
struct References<'a> {
    host: &'a dyn HostPort,
    locations: std::cell::OnceCell<Result<Vec<String>, String>>,
}

impl validate::Lookup for References<'_> {
    fn locations(&self) -> Result<Vec<String>, String> {
        self.locations
            .get_or_init(|| {
                self.host
                    .locations()
                    .map(|list| list.into_iter().map(|l| l.id).collect::<Vec<_>>())
                    .map_err(|err| err.to_string())
            })
            .clone()
    }

    fn item_exists(&self, id: &str) -> Result<bool, HostError> {
        let found = self.host.items_query(&ItemsQuery {
            ids: Some(vec![id.to_string()]),
            ..ItemsQuery::default()
        })?;
        Ok(found.iter().any(|i| i.id.as_deref() == Some(id)))
    }

    fn customer_exists(&self, id: &str) -> Result<bool, HostError> {
        let found = self.host.customers_find(&CustomersQuery {
            ids: Some(vec![id.to_string()]),
            ..CustomersQuery::default()
        })?;
        Ok(found.iter().any(|c| c.id.as_deref() == Some(id)))
    }
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
        merged.values.insert(spec.key, normalise(spec, value));
        changed.push(spec.key);
    }

    let references = References {
        host,
        locations: std::cell::OnceCell::new(),
    };
    let mut validation = Validation::new(&merged.values);
    for key in &unknown {
        validation.error(key, "is not an option of the WooCommerce tab");
    }
    for key in &read_only {
        validation.error(key, "is read-only: the plugin updates it itself");
    }
    for key in &changed {
        let spec = schema::field_spec(key).expect("only known keys are collected");
        validation.check_field(spec, merged.get(key), &references);
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
pub fn validate(
    host: &dyn HostPort,
    current: &OptionValues,
    json: &str,
) -> CoreResult<OptionReport> {
    Ok(check(host, current, json)?.report)
}

/// Validates and saves proposed values; nothing is saved unless every field is valid.
pub fn save(
    host: &dyn HostPort,
    current: &OptionValues,
    json: &str,
) -> CoreResult<(OptionReport, OptionValues)> {
    if !host.has_permission(Permission::AdministerOptions)? {
        return Err(CoreError::Refused {
            permission: Some(Permission::AdministerOptions),
            option: None,
        });
    }
    let Checked {
        merged,
        changed,
        mut report,
    } = check(host, current, json)?;
    if !report.valid {
        let summary = report.summary();
        return Err(CoreError::InvalidOptions {
            report: Box::new(report),
            summary,
        });
    }
    let really_changed: Vec<&'static str> = changed
        .into_iter()
        .filter(|key| merged.get(key) != current.get(key))
        .collect();
    for area in [StorageArea::CompanyOptions, StorageArea::WorkstationOptions] {
        let mine: Vec<&'static str> = really_changed
            .iter()
            .copied()
            .filter(|key| {
                let spec = schema::field_spec(key).expect("known key");
                spec.area() == area
                    && !(spec.secret && merged.secret_store == SecretStore::Protected)
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        // Only the fields changed now are written into the stored document, so a save on
        // another workstation in between keeps its own changes.
        state::update(host, area, DOCUMENT_KEY, |stored| {
            let mut doc: Map<String, Value> = stored
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            for key in &mine {
                doc.insert(key.to_string(), merged.get(key).clone());
            }
            Some(Value::Object(doc).to_string())
        })
        .map_err(state_error)?;
    }
    if merged.secret_store == SecretStore::Protected
        && really_changed.contains(&keys::CONSUMER_SECRET)
    {
        let secret = merged.text(keys::CONSUMER_SECRET);
        host.secret_set(SECRET_KEY, Some(secret).filter(|s| !s.is_empty()))?;
    }
    report.saved = true;
    report.changed = really_changed.iter().map(|k| k.to_string()).collect();
    Ok((report, merged))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values hold the consumer secret; a `{:?}` in a log line or a panic message must not
    /// print it (issue 9: `OptionValues` derived `Debug`).
    #[test]
    fn debug_output_never_shows_the_secret() {
        let mut values = BTreeMap::new();
        values.insert(keys::CONSUMER_SECRET, json!("cs_topsecret0123456789abcdef"));
        values.insert(keys::STORE_URL, json!("https://shop.example.com"));
        let options = OptionValues {
            values,
            problems: Vec::new(),
            secret_store: SecretStore::CompanyOptions,
        };
        let text = format!("{options:?} {options:#?}");
        assert!(!text.contains("topsecret"), "{text}");
        assert!(
            text.contains("consumer_secret"),
            "the keys are shown: {text}"
        );
        assert!(
            !format!("{:?}", options.settings().consumer_secret).contains("topsecret"),
            "the typed settings' secret prints as a placeholder"
        );
    }
}
