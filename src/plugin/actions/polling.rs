//! Automatic order polling: one run of the job, and the "Last order sync" point.

use chrono::{DateTime, Utc};

use crate::host_port::{HostPort, StorageArea};
use crate::plugin::Plugin;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::jobs::CycleReport;
use crate::plugin::options::Settings;

/// Where the point up to which store orders were handled is kept.
pub const LAST_ORDER_SYNC_KEY: &str = "sync.last_order_sync";

/// The point up to which store orders have been handled, if polling ever ran.
pub fn last_order_sync(host: &dyn HostPort) -> CoreResult<Option<DateTime<Utc>>> {
    Ok(host
        .storage_get(StorageArea::CompanyState, LAST_ORDER_SYNC_KEY)?
        .and_then(|text| serde_json::from_str::<String>(&text).ok().or(Some(text)))
        .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
        .map(|at| at.with_timezone(&Utc)))
}

/// One polling run.
pub fn cycle(_plugin: &Plugin, _settings: &Settings) -> CoreResult<CycleReport> {
    Err(CoreError::NotAvailable(
        "automatic order polling is not available in this version".into(),
    ))
}
