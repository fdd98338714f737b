//! A running "QBM": the loaded plugin, one instance of it, and the company and user it serves.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value, json};

use crate::company::Company;
use crate::loader::{PluginError, PluginInstance, PluginLibrary};
use crate::services::SimHost;

pub struct Session {
    pub host: Arc<SimHost>,
    pub plugin: PluginInstance,
    next_call: AtomicU64,
}

/// What an action request carries besides its id.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub selection: Vec<String>,
    pub params: Map<String, Value>,
    pub answers: Map<String, Value>,
}

impl ActionInput {
    pub fn select<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        Self {
            selection: ids.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    pub fn param(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.params.insert(key.to_string(), value.into());
        self
    }

    pub fn answer(mut self, prompt: &str, value: Value) -> Self {
        self.answers.insert(prompt.to_string(), value);
        self
    }
}

impl Session {
    /// Loads the library at `path` and creates an instance for `user` on `workstation`.
    pub fn open(path: &Path, host: Arc<SimHost>) -> anyhow::Result<Self> {
        let library = PluginLibrary::load(path)?;
        let plugin = library.create(host.clone())?;
        Ok(Self {
            host,
            plugin,
            next_call: AtomicU64::new(1),
        })
    }

    /// A new plugin instance on the same library, company and host (as after a QBM restart that
    /// kept the library loaded).
    pub fn reopen(self) -> anyhow::Result<Self> {
        let library = Arc::clone(self.plugin.library());
        let host = Arc::clone(&self.host);
        drop(self);
        let plugin = library.create(host.clone())?;
        Ok(Self {
            host,
            plugin,
            next_call: AtomicU64::new(1),
        })
    }

    pub fn company(&self) -> &Arc<Company> {
        self.host.company()
    }

    /// The call id the next action will use.
    pub fn next_call_id(&self) -> u64 {
        self.next_call.load(Ordering::SeqCst)
    }

    /// Builds the request document for an action.
    pub fn request(&self, action: &str, input: &ActionInput) -> Value {
        json!({
            "schema": "qbm.wc.action-request/1",
            "action": action,
            "call_id": self.next_call.fetch_add(1, Ordering::SeqCst),
            "selection": input.selection,
            "params": input.params,
            "answers": input.answers,
        })
    }

    /// Presses a button.
    pub fn action(&self, action: &str, input: &ActionInput) -> Result<Value, PluginError> {
        self.plugin.invoke(&self.request(action, input))
    }

    /// Saves option values (`{"key": value, …}`) as the current user.
    pub fn set_options(&self, values: Value) -> Result<Value, (PluginError, Option<Value>)> {
        self.plugin
            .save_options(&json!({ "schema": "qbm.wc.option-values/1", "values": values }))
    }
}
