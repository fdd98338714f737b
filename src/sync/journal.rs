//! The run journal: every run of an action or a background job leaves a small durable record
//! (what, who and on which workstation, when, counts, outcome), shared by every workstation of
//! the company. Options' status lines and the Logs screen's Runs tab read it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::host_port::HostPort;
use crate::state::StateError;
use crate::state::segments::{ReadProblems, Segments, Sequenced};

const STORE: Segments = Segments {
    prefix: "journal",
    per_segment: 50,
    keep_segments: 10,
};

/// How a run ended, as the journal keeps it and the Logs screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunEnd {
    #[serde(rename = "completed")]
    Completed,
    /// Some rows failed; the rest was done.
    #[serde(rename = "completed with failures")]
    CompletedWithFailures,
    #[serde(rename = "cancelled")]
    Cancelled,
    /// Stopped part way (the deadline, the store); the rows say what was done.
    #[serde(rename = "incomplete")]
    Incomplete,
    /// Waiting for the user's answer to a question.
    #[serde(rename = "needs input")]
    NeedsInput,
    #[serde(rename = "failed")]
    Failed,
    /// Written by a later version of the plugin.
    #[serde(other, rename = "unknown")]
    Unknown,
}

/// One run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: u64,
    /// The action or job id (`items.qbm.sync_stock`, `stock_sync`, …).
    pub what: String,
    /// Started by a background job rather than a person.
    pub automatic: bool,
    pub user: String,
    pub workstation: String,
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    pub outcome: RunEnd,
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
    /// Store requests the run made.
    #[serde(default)]
    pub requests: u64,
    pub message: String,
}

impl Sequenced for RunRecord {
    fn id(&self) -> u64 {
        self.id
    }
    fn set_id(&mut self, id: u64) {
        self.id = id;
    }
}

/// Adds a run.
pub fn record(host: &dyn HostPort, run: RunRecord) -> Result<(), StateError> {
    STORE.append(host, vec![run]).map(|_| ())
}

/// The kept runs, newest first.
pub fn runs(host: &dyn HostPort) -> Result<(Vec<RunRecord>, ReadProblems), StateError> {
    STORE.read(host)
}

#[cfg(test)]
mod tests {
    use super::RunEnd;

    #[test]
    fn run_ends_are_kept_as_the_words_the_logs_screen_shows() {
        let kept = serde_json::to_string(&[
            RunEnd::Completed,
            RunEnd::CompletedWithFailures,
            RunEnd::NeedsInput,
        ])
        .unwrap();
        assert_eq!(
            kept,
            r#"["completed","completed with failures","needs input"]"#
        );
        let read: Vec<RunEnd> = serde_json::from_str(
            r#"["incomplete","failed","cancelled","paused by a later version"]"#,
        )
        .unwrap();
        assert_eq!(
            read,
            [
                RunEnd::Incomplete,
                RunEnd::Failed,
                RunEnd::Cancelled,
                RunEnd::Unknown
            ]
        );
    }
}
