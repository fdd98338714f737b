//! Action requests, responses and dispatch: the checks every action passes before its handler
//! runs (integration on, option on, permission held, selection made), then the handler.

pub mod catalog;
mod connection;
mod items;
mod logs;
mod response;

use serde::Deserialize;
use serde_json::{Map, Value};

pub use response::{ActionResponse, Outcome, Prompt, PromptChoice, PromptField, Summary, Table};

use super::Plugin;
use super::error::{CoreError, CoreResult};
use super::options::{OptionValues, Settings};
use crate::host_port::HostPort;
use crate::woo::CancelToken;
use catalog::{ActionSpec, action_spec, ids};

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
}

impl ActionContext<'_> {
    pub fn host(&self) -> &dyn HostPort {
        self.plugin.host()
    }

    /// Reports progress to the host; a cancel answer from the host cancels the action.
    pub fn progress(&self, done: u64, total: u64, message: &str) {
        if !self
            .host()
            .progress(self.request.call_id, done, total, message)
        {
            self.cancel.cancel();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Runs async work on the plugin's runtime until it finishes.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.plugin.block_on(future)
    }
}

/// Checks that the action may run now, for this user, with these options.
fn check_gates(
    plugin: &Plugin,
    spec: &ActionSpec,
    request: &ActionRequest,
    values: &OptionValues,
) -> CoreResult<()> {
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
    let values = plugin.option_values()?;
    check_gates(plugin, spec, &request, &values)?;
    let settings = values.settings();
    let cancel = plugin.register_call(request.call_id);
    let context = ActionContext {
        plugin,
        request: &request,
        spec,
        settings,
        cancel,
    };
    let result = run(&context);
    plugin.finish_call(request.call_id);
    result
}

fn run(context: &ActionContext) -> CoreResult<ActionResponse> {
    match context.spec.id {
        ids::RECONNECT => connection::reconnect(context),
        ids::CLEAR_CACHE => connection::clear_cache(context),
        ids::OPEN_LOGS => connection::open_logs(context),
        ids::LOGS_REFRESH => logs::listing(context),
        ids::LOGS_CLEAR => logs::clear(context),
        ids::QBM_ITEMS_REFRESH => items::qbm_refresh(context),
        ids::QBM_ITEMS_CREATE_UPDATE => items::create_update(context),
        ids::QBM_ITEMS_SYNC_STOCK => items::sync_stock(context),
        ids::WOO_ITEMS_REFRESH => items::woo_refresh(context),
        ids::WOO_ITEMS_IMPORT => items::import(context),
        ids::DIAGNOSTICS_PANIC => {
            panic!("diagnostics.panic was invoked to test the panic boundary")
        }
        other => Err(CoreError::NotAvailable(format!(
            "\"{}\" ({other}) is not available in this version of the WooCommerce plugin",
            context.spec.label
        ))),
    }
}
