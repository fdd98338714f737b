//! Automatic stock sync: one run of the job.

use crate::plugin::Plugin;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::jobs::CycleReport;
use crate::plugin::options::Settings;

/// One stock sync run.
pub fn cycle(_plugin: &Plugin, _settings: &Settings) -> CoreResult<CycleReport> {
    Err(CoreError::NotAvailable(
        "automatic stock sync is not available in this version".into(),
    ))
}
