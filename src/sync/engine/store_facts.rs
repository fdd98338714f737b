//! What the plugin remembers about the store between calls: its time zone (the calendar days
//! of the Orders screen are the store's days), whether orders live in HPOS tables (the admin
//! link of an order differs), its address and currency. Written by Reconnect; read again from
//! the store when missing.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Engine;
use crate::host_port::StorageArea;
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::store_dates::StoreZone;
use crate::woo::ConnectionReport;

const KEY: &str = "store.facts";

/// The facts, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFacts {
    /// The Store URL of the options these facts were read with (new URL: read again).
    #[serde(default)]
    pub store_url: String,
    pub home_url: String,
    pub timezone_string: String,
    pub gmt_offset: Option<Decimal>,
    #[serde(default)]
    pub hpos: bool,
    #[serde(default)]
    pub currency: Option<String>,
}

impl StoreFacts {
    pub fn from_report(store_url: &str, report: &ConnectionReport) -> Self {
        Self {
            store_url: store_url.to_string(),
            home_url: report.home_url.clone(),
            timezone_string: report.timezone_string.clone(),
            gmt_offset: report.gmt_offset,
            hpos: report.hpos_enabled.unwrap_or(false),
            currency: report.currency.clone(),
        }
    }

    /// The store's time zone.
    pub fn zone(&self) -> SyncResult<StoreZone> {
        StoreZone::from_settings(&self.timezone_string, self.gmt_offset).map_err(|err| {
            SyncError::Invalid(format!(
                "the store's time zone is not usable ({err}); check WordPress → Settings → General → Timezone"
            ))
        })
    }
}

/// Remembers the facts (a failure only means they are read again next time).
pub fn save(engine: &Engine, facts: &StoreFacts) {
    if let Ok(text) = serde_json::to_string(facts) {
        let _ = engine
            .host
            .storage_set(StorageArea::CompanyState, KEY, Some(&text));
    }
}

/// The stored facts, or reads them from the store (the connection check) and stores them.
pub fn get(engine: &Engine) -> SyncResult<StoreFacts> {
    if let Some(facts) = engine
        .host
        .storage_get(StorageArea::CompanyState, KEY)?
        .and_then(|text| serde_json::from_str::<StoreFacts>(&text).ok())
        .filter(|f| f.store_url == engine.settings.store_url)
    {
        return Ok(facts);
    }
    // The checks honour cancel (and so the action's deadline): a store that hangs must not
    // hold the person at the screen for every check's request timeout.
    let report = engine
        .store(|client, cancel, _| async move {
            tokio::select! {
                report = client.check_connection() => Some(report),
                () = cancel.cancelled() => None,
            }
        })?
        .ok_or(SyncError::Cancelled)??;
    let facts = StoreFacts::from_report(&engine.settings.store_url, &report);
    save(engine, &facts);
    Ok(facts)
}
