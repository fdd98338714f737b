//! Action requests, responses and dispatch: the checks every action passes before its handler
//! runs (integration on, option on, permission held, selection made), then the handler found in
//! the one table of known actions ([`catalog::ACTIONS`]).

mod adapter;
pub mod catalog;
mod connection;
mod customers;
mod items;
mod jobs;
mod logs;
mod orders;
pub mod polling;
mod response;
pub mod stock_sync;

use std::future::Future;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

pub use response::{
    ActionResponse, Outcome, Prompt, PromptChoice, PromptField, PromptFieldKind, Table,
};

use super::Plugin;
use super::error::{CoreError, CoreResult};
use super::options::{OptionValues, Settings};
use crate::host_port::{HostPort, Identity};
use crate::runtime::Reporter;
use crate::woo::{CancelToken, WooClient};
use catalog::{ActionSpec, action_spec};

/// An action request from the host (`qbm.wc.action-request/1`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    #[serde(default)]
    pub schema: Option<String>,
    pub action: String,
    /// Chosen by the host; progress reports and `cancel_action` use it.
    #[serde(default)]
    pub call_id: u64,
    /// Row keys of the selected rows.
    #[serde(default)]
    pub selection: Vec<String>,
    /// Filter values and other inputs of the screen.
    #[serde(default)]
    pub params: Map<String, Value>,
    /// Answers to prompts, keyed by prompt id.
    #[serde(default)]
    pub answers: Map<String, Value>,
}

impl ActionRequest {
    pub fn parse(json: &str) -> CoreResult<Self> {
        let request: ActionRequest = serde_json::from_str(json)
            .map_err(|err| CoreError::InvalidJson(format!("action request: {err}")))?;
        if let Some(schema) = &request.schema
            && schema != "qbm.wc.action-request/1"
        {
            return Err(CoreError::InvalidJson(format!(
                "action request: schema \"{schema}\" is not qbm.wc.action-request/1"
            )));
        }
        Ok(request)
    }

    /// A text parameter, trimmed; `None` when absent or empty.
    pub fn param_text(&self, key: &str) -> Option<&str> {
        self.params
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// What a handler gets to work with.
pub struct ActionContext<'a> {
    pub plugin: &'a Plugin,
    pub request: &'a ActionRequest,
    pub spec: &'static ActionSpec,
    pub settings: Settings,
    pub cancel: CancelToken,
    /// When the action must stop: [`Timeouts::action_deadline`](crate::runtime::Timeouts) after
    /// it started (5 minutes unless this workstation's `network_timeouts` say otherwise): long
    /// enough for a large catalog on a slow store, short enough that a person at the screen is
    /// never left waiting on a store that hangs. What was done by then is reported row by row.
    pub deadline: std::time::Instant,
    /// How long that is.
    pub allowed: std::time::Duration,
    /// Set when the deadline, not the user, stopped it.
    pub timed_out: std::sync::atomic::AtomicBool,
}

impl ActionContext<'_> {
    pub fn host(&self) -> &dyn HostPort {
        self.plugin.host()
    }

    /// Who pressed the button, on which workstation.
    pub fn identity(&self) -> CoreResult<Identity> {
        Ok(self.host().identity()?)
    }

    /// Reports progress to the host; a cancel answer from the host cancels the action.
    pub fn progress(&self, done: u64, total: u64, message: &str) {
        if !self
            .host()
            .progress(self.request.call_id, done, total, message)
        {
            self.cancel.cancel();
        }
        self.check_deadline();
    }

    /// Stops the action (as a cancel does) once its deadline passed.
    pub fn check_deadline(&self) {
        if std::time::Instant::now() >= self.deadline && !self.cancel.is_cancelled() {
            self.timed_out
                .store(true, std::sync::atomic::Ordering::SeqCst);
            self.cancel.cancel();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Runs store work on the plugin's I/O threads while this host thread waits, relaying the
    /// progress it reports to the host. `make` receives the client, this action's cancel token
    /// and a progress reporter.
    pub fn store<T, F>(
        &self,
        client: &Arc<WooClient>,
        make: impl FnOnce(Arc<WooClient>, CancelToken, Reporter) -> F,
    ) -> CoreResult<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let client = Arc::clone(client);
        let cancel = self.cancel.clone();
        // The deadline is checked while waiting too: a store that hangs is given up on at the
        // deadline, not after every retry of the request has timed out.
        self.check_deadline();
        self.plugin.io_waiting(
            Some(self.request.call_id),
            &self.cancel,
            move |reporter| make(client, cancel, reporter),
            &|| self.check_deadline(),
        )
    }
}

/// Checks that the action may run now, for this user, with these options.
fn check_gates(
    plugin: &Plugin,
    spec: &ActionSpec,
    request: &ActionRequest,
    values: &OptionValues,
) -> CoreResult<()> {
    if let Some(why) = spec.unavailable {
        return Err(CoreError::NotAvailable(format!(
            "\"{}\" is not available in this version of the WooCommerce plugin: {why}",
            spec.label
        )));
    }
    if spec.needs_integration && !values.flag(super::options::keys::ENABLED) {
        return Err(CoreError::IntegrationDisabled);
    }
    let option_off = spec
        .option
        .filter(|key| !values.flag(key))
        .and_then(|key| super::options::schema::field_spec(key).map(|f| f.label));
    let permission_missing = match spec.permission {
        Some(permission) if !plugin.host().has_permission(permission)? => Some(permission),
        _ => None,
    };
    if option_off.is_some() || permission_missing.is_some() {
        return Err(CoreError::Refused {
            permission: permission_missing,
            option: option_off,
        });
    }
    if spec.needs_selection && request.selection.is_empty() {
        return Err(CoreError::InvalidArgument(format!(
            "\"{}\" works on the selected rows: select at least one row first",
            spec.label
        )));
    }
    Ok(())
}

/// Runs one action request.
pub fn invoke(plugin: &Plugin, json: &str) -> CoreResult<ActionResponse> {
    let request = ActionRequest::parse(json)?;
    let spec = action_spec(&request.action)
        .ok_or_else(|| CoreError::UnknownAction(request.action.clone()))?;
    let call = plugin.calls.register(request.call_id)?;
    let values = plugin.option_values()?;
    check_gates(plugin, spec, &request, &values)?;
    let allowed = plugin.timeouts().action_deadline;
    let context = ActionContext {
        plugin,
        request: &request,
        spec,
        settings: values.settings(),
        cancel: call.cancel.clone(),
        deadline: std::time::Instant::now() + allowed,
        allowed,
        timed_out: std::sync::atomic::AtomicBool::new(false),
    };
    let result = (spec.handler)(&context);
    match result {
        // Stopped by the deadline before anything was reported: say so, not "cancelled".
        Err(_) if context.timed_out.load(std::sync::atomic::Ordering::SeqCst) => {
            Err(CoreError::Store(
                crate::woo::WooError::new(crate::woo::WooErrorKind::Timeout)
                    .with_request(format!("\"{}\"", spec.label))
                    .with_timeout(context.allowed),
            ))
        }
        other => other,
    }
}
