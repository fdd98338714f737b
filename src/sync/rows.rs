//! What an operation did, row by row: the one vocabulary of outcomes every action and job
//! reports, and the summary counted from the rows.

use serde::Serialize;

/// What happened to one row (a QBM item, a store product, a customer, an order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    Updated,
    /// Joined to an existing record (a link was recorded or repaired).
    Linked,
    /// Nothing needed changing.
    Unchanged,
    Skipped,
    /// No matching record was found.
    Missing,
    Failed,
    /// Not attempted because the operation stopped before it (cancel, a failure, a deadline).
    NotDone,
    /// A write was sent but its result could not be learned, even by reading the store again.
    Unknown,
    /// Explains other rows (a variable product standing for its variations); not counted.
    Expanded,
}

impl RowOutcome {
    pub fn id(self) -> &'static str {
        match self {
            RowOutcome::Created => "created",
            RowOutcome::Updated => "updated",
            RowOutcome::Linked => "linked",
            RowOutcome::Unchanged => "unchanged",
            RowOutcome::Skipped => "skipped",
            RowOutcome::Missing => "missing",
            RowOutcome::Failed => "failed",
            RowOutcome::NotDone => "not_done",
            RowOutcome::Unknown => "unknown",
            RowOutcome::Expanded => "expanded",
        }
    }
}

/// One row of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The QBM record (code or number), when there is one.
    pub qbm: String,
    pub woo_id: Option<u64>,
    /// SKU, e-mail or order number: how a person recognises the row.
    pub code: String,
    pub outcome: RowOutcome,
    pub detail: String,
}

impl Row {
    pub fn new(
        qbm: impl Into<String>,
        woo_id: Option<u64>,
        code: impl Into<String>,
        outcome: RowOutcome,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            qbm: qbm.into(),
            woo_id,
            code: code.into(),
            outcome,
            detail: detail.into(),
        }
    }
}

/// Counts of what was done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub processed: usize,
    pub created: usize,
    pub updated: usize,
    pub linked: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub failed: usize,
    pub not_done: usize,
    pub unknown: usize,
}

impl Summary {
    /// Counts `rows`; unchanged and missing rows count as skipped too (as the guide's
    /// processed / created / skipped / failed summary expects).
    pub fn of(rows: &[Row]) -> Summary {
        let mut summary = Summary::default();
        for row in rows.iter().filter(|r| r.outcome != RowOutcome::Expanded) {
            summary.processed += 1;
            match row.outcome {
                RowOutcome::Created => summary.created += 1,
                RowOutcome::Updated => summary.updated += 1,
                RowOutcome::Linked => summary.linked += 1,
                RowOutcome::Unchanged => {
                    summary.unchanged += 1;
                    summary.skipped += 1;
                }
                RowOutcome::Skipped | RowOutcome::Missing => summary.skipped += 1,
                RowOutcome::Failed => summary.failed += 1,
                RowOutcome::NotDone => summary.not_done += 1,
                RowOutcome::Unknown => summary.unknown += 1,
                RowOutcome::Expanded => {}
            }
        }
        summary
    }

    /// Counts by outcome for the run journal.
    pub fn counts(&self) -> std::collections::BTreeMap<String, u64> {
        [
            ("created", self.created),
            ("updated", self.updated),
            ("linked", self.linked),
            ("unchanged", self.unchanged),
            ("skipped", self.skipped - self.unchanged),
            ("failed", self.failed),
            ("not done", self.not_done),
            ("unknown", self.unknown),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), n as u64))
        .collect()
    }
}

/// Why an operation stopped before the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The user cancelled.
    Cancelled,
    /// A failure (the store refused or stopped answering, QBM failed): what to tell the user.
    Failed(String),
}

/// Everything an operation reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub rows: Vec<Row>,
    pub warnings: Vec<String>,
    pub stopped: Option<Stop>,
}

impl RunReport {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.rows)
    }
}

/// The store ids of a selection, in order and each once; a text that is not an id becomes a
/// failed row naming `what` ("customer", "order").
pub fn selected_ids(selection: &[String], what: &str, rows: &mut Vec<Row>) -> Vec<u64> {
    let mut seen = std::collections::HashSet::new();
    let mut ids = Vec::new();
    for text in selection {
        match text.trim().parse::<u64>() {
            Ok(id) if id > 0 => {
                if seen.insert(id) {
                    ids.push(id);
                }
            }
            _ => rows.push(Row::new(
                "",
                None,
                text.clone(),
                RowOutcome::Failed,
                format!("not a WooCommerce {what} id"),
            )),
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanded_rows_explain_and_are_not_counted() {
        let rows = vec![
            Row::new("A", None, "", RowOutcome::Created, ""),
            Row::new("", Some(1), "", RowOutcome::Expanded, ""),
            Row::new("B", None, "", RowOutcome::Unchanged, ""),
            Row::new("C", None, "", RowOutcome::NotDone, ""),
        ];
        let summary = Summary::of(&rows);
        assert_eq!(
            (
                summary.processed,
                summary.created,
                summary.skipped,
                summary.not_done
            ),
            (3, 1, 1, 1)
        );
        assert_eq!(summary.counts().get("unchanged"), Some(&1));
    }
}
