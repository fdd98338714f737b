//! A running "QBM": the loaded plugin, one instance of it, and the company and user it serves.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value, json};

use crate::company::Company;
use crate::host_table::{HostTable, Layout};
use crate::loader::{JobsReport, PluginError, PluginInstance, PluginLibrary};
use crate::services::SimHost;

pub struct Session {
    pub host: Arc<SimHost>,
    pub plugin: PluginInstance,
    layout: Layout,
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
    /// Loads the library at `path` and creates an instance over `host` with the complete ABI 1.1
    /// host table.
    pub fn open(path: &Path, host: Arc<SimHost>) -> anyhow::Result<Self> {
        Self::open_with(path, host, Layout::Complete)
    }

    /// Like [`Session::open`], handing the plugin the host table of `layout` (an ABI 1.0 host,
    /// or a 1.1 host without some optional callbacks).
    pub fn open_with(path: &Path, host: Arc<SimHost>, layout: Layout) -> anyhow::Result<Self> {
        let library = PluginLibrary::load(path)?;
        Self::create(&library, host, layout)
    }

    /// A new instance on an already loaded library (another workstation in the same process).
    pub fn create(
        library: &Arc<PluginLibrary>,
        host: Arc<SimHost>,
        layout: Layout,
    ) -> anyhow::Result<Self> {
        let plugin = library.create_with(HostTable::with_layout(host.clone(), &layout))?;
        Ok(Self {
            host,
            plugin,
            layout,
            next_call: AtomicU64::new(1),
        })
    }

    /// A new plugin instance on the same library, company, host and table layout (as after a
    /// QBM restart that kept the library loaded).
    pub fn reopen(self) -> anyhow::Result<Self> {
        let library = Arc::clone(self.plugin.library());
        let host = Arc::clone(&self.host);
        let layout = self.layout.clone();
        drop(self);
        Self::create(&library, host, layout)
    }

    /// The host table layout this session's instance was created with.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Runs the due background jobs on the calling thread (`run_due_jobs`).
    pub fn run_due_jobs(&self) -> Result<JobsReport, PluginError> {
        self.plugin.run_due_jobs()
    }

    /// Tells the plugin that these items' on-hand changed (`stock_changed`).
    pub fn stock_changed<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        item_ids: I,
    ) -> Result<(), PluginError> {
        let ids: Vec<String> = item_ids.into_iter().map(Into::into).collect();
        self.plugin.stock_changed(&ids)
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
        let answer = self.plugin.invoke(&self.request(action, input));
        self.host.finish_progress();
        answer
    }

    /// Saves option values (`{"key": value, …}`) as the current user.
    pub fn set_options(&self, values: Value) -> Result<Value, (PluginError, Option<Value>)> {
        self.plugin
            .save_options(&json!({ "schema": "qbm.wc.option-values/1", "values": values }))
    }
}
