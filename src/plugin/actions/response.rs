//! The action response document (`qbm.wc.action-response/1`) and its parts.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::plugin::screens::Column;
pub use crate::sync::rows::Summary;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It ran to the end (some rows may still have been skipped or failed: see `summary`).
    Completed,
    /// It needs answers first: show `prompt`, then invoke again with `answers`.
    NeedsInput,
    /// The user cancelled; `summary` and the rows tell what was done before stopping and what
    /// was not.
    Cancelled,
    /// It stopped part way because of a failure (the store refused or stopped answering, QBM
    /// failed); `message` names the cause, and the rows tell what was done and what was not.
    Incomplete,
}

/// Rows for a list, with the columns they fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: Vec<Value>,
    pub rows: Vec<Map<String, Value>>,
}

impl Table {
    pub fn new(columns: &[Column]) -> Self {
        Self {
            columns: columns.iter().map(Column::document).collect(),
            rows: Vec::new(),
        }
    }

    /// A table with ad-hoc columns (`(id, label)`), for result lists.
    pub fn with_columns(columns: &[(&str, &str)]) -> Self {
        Self {
            columns: columns
                .iter()
                .map(|(id, label)| serde_json::json!({"id": id, "label": label, "type": "text"}))
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Value) {
        if let Value::Object(map) = row {
            self.rows.push(map);
        }
    }
}

/// One choice of a prompt field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptChoice {
    pub value: String,
    pub label: String,
}

/// One input of a prompt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromptField {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: PromptFieldKind,
    pub required: bool,
    pub choices: Vec<PromptChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// How a prompt field is answered (`type` in the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptFieldKind {
    /// One of the field's `choices`, answered by its value. (A type added later that a host
    /// does not know is shown as a text box: see docs/ABI.md.)
    Choice,
}

/// A question for the user; answers come back in the request's `answers[id]` as an object
/// `{field id: value}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prompt {
    pub id: String,
    pub title: String,
    pub message: String,
    pub fields: Vec<PromptField>,
}

/// The response to an action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionResponse {
    pub schema: &'static str,
    pub action: String,
    pub outcome: Outcome,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<Table>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Prompt>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// A screen the host should open (e.g. "logs" for Open Logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_screen: Option<String>,
    /// Structured facts about the result (e.g. the connection report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// For a list shown page by page: `{"page","per_page","total","total_pages"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paging: Option<Value>,
}

impl ActionResponse {
    pub fn completed(action: &str, message: impl Into<String>) -> Self {
        Self {
            schema: "qbm.wc.action-response/1",
            action: action.to_string(),
            outcome: Outcome::Completed,
            message: message.into(),
            summary: None,
            table: None,
            prompt: None,
            warnings: Vec::new(),
            open_screen: None,
            details: None,
            paging: None,
        }
    }

    pub fn needs_input(action: &str, prompt: Prompt) -> Self {
        Self {
            outcome: Outcome::NeedsInput,
            message: prompt.message.clone(),
            prompt: Some(prompt),
            ..Self::completed(action, "")
        }
    }
}
