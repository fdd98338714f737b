//! The Connection buttons of Options: Reconnect, Clear Cache and Open Logs.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{ActionContext, ActionResponse};
use crate::integration_log::Category;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::options;
use crate::sync::engine::store_facts::{self, StoreFacts};
use crate::woo::{ConnectionReport, Routing};

/// Applies the connection settings (saving `params.values` first when the host sends the form's
/// unsaved values) and proves them against the store.
pub fn reconnect(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let log = ctx.plugin.log();
    let settings = match ctx.request.params.get("values") {
        Some(values @ Value::Object(_)) => {
            let document = json!({ "values": values }).to_string();
            let current = ctx.plugin.option_values()?;
            let (_, saved) = options::save(ctx.host(), &current, &document)?;
            saved.settings()
        }
        Some(_) => {
            return Err(CoreError::InvalidArgument(
                "params.values must be an object of option values".into(),
            ));
        }
        None => ctx.settings.clone(),
    };
    let client = match ctx.plugin.probe_client(&settings) {
        Ok(client) => Arc::new(client),
        Err(err) => {
            log.error(Category::Connection, &format!("Reconnect: {err}"));
            return Err(err);
        }
    };
    log.info(
        Category::Connection,
        &format!("Reconnect: checking {}", settings.store_url),
    );
    ctx.progress(0, 0, "Contacting the store…");
    let outcome = ctx.store(&client, |client, cancel, _| async move {
        tokio::select! {
            result = client.check_connection() => Some(result),
            () = cancel.cancelled() => None,
        }
    })?;
    let report = match outcome {
        None => return Err(CoreError::Cancelled),
        Some(Ok(report)) => report,
        Some(Err(err)) => {
            log.error(Category::Connection, &format!("Reconnect failed: {err}"));
            return Err(err.into());
        }
    };
    let summary = describe(&report);
    log.info(Category::Connection, &format!("Connected: {summary}"));
    let facts = StoreFacts::from_report(&settings.store_url, &report);
    ctx.engine(|engine| store_facts::save(engine, &facts));
    let mut warnings = report.warnings.clone();
    warnings.extend(host_warnings(ctx)?);
    for warning in &warnings {
        log.warn(Category::Connection, warning);
    }
    let mut response = ActionResponse::completed(
        ctx.spec.id,
        format!("The WooCommerce connection settings were applied and work: {summary}."),
    );
    response.warnings = warnings;
    let mut facts = details(&report);
    let capabilities = ctx.host().capabilities();
    facts["workstations_coordinated"] = json!(capabilities.storage_cas);
    facts["secret_storage"] = json!(if capabilities.secrets {
        "protected by QBM"
    } else {
        "company options, plain text"
    });
    response.details = Some(facts);
    Ok(response)
}

/// What Reconnect says about the host itself: coordination, where the secret lives, option
/// values it could not read.
fn host_warnings(ctx: &ActionContext) -> CoreResult<Vec<String>> {
    let capabilities = ctx.host().capabilities();
    let mut warnings = Vec::new();
    if !capabilities.storage_cas {
        warnings.push(
            "this QBM cannot coordinate workstations (no storage_cas): run automatic stock sync and order polling on one workstation only, and expect that two workstations writing the WooCommerce log at the same moment may lose an entry".to_string(),
        );
    }
    if !capabilities.secrets {
        warnings.push(
            "this QBM offers no protected storage for secrets: the Consumer Secret is kept in the company's option storage as plain text; limit who can read the company database".to_string(),
        );
    }
    if !capabilities.exactly_once_creates() {
        warnings.push(
            "this QBM implements plugin interface 1.0: an import interrupted between creating a record and linking it can leave the record unlinked (the next run repairs items by SKU)".to_string(),
        );
    }
    for problem in ctx.plugin.option_values()?.problems() {
        warnings.push(format!("Options: {}: {}", problem.label, problem.message));
    }
    Ok(warnings)
}

fn describe(report: &ConnectionReport) -> String {
    let name = if report.store_name.is_empty() {
        report.home_url.as_str()
    } else {
        report.store_name.as_str()
    };
    let version = report
        .woocommerce_version
        .as_deref()
        .map_or("WooCommerce (version not readable)".to_string(), |v| {
            format!("WooCommerce {v}")
        });
    let currency = report
        .currency
        .as_deref()
        .unwrap_or("currency not readable");
    format!(
        "{name} at {}, {version}, {currency}, {}",
        report.home_url,
        report.auth_mode.describe()
    )
}

fn details(report: &ConnectionReport) -> Value {
    let Routing::PrettyPermalinks { api_root } = &report.routing;
    json!({
        "store_name": report.store_name,
        "home_url": report.home_url,
        "woocommerce_version": report.woocommerce_version,
        "wordpress_version": report.wordpress_version,
        "currency": report.currency,
        "timezone": if report.timezone_string.is_empty() {
            report.gmt_offset.map(|o| format!("UTC{o:+}"))
        } else {
            Some(report.timezone_string.clone())
        },
        "authentication": report.auth_mode.describe(),
        "api_root": api_root,
        "key_permission": "read/write",
        "stock_management_enabled": report.stock_management_enabled,
    })
}

/// Forgets the cached WooCommerce item data, so the next Refresh reads the store again.
pub fn clear_cache(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let removed = ctx.plugin.catalog().clear()?;
    // What stock sync published belongs to the store's data too: its next run starts afresh.
    ctx.engine(crate::sync::engine::stock_cycle::forget)?;
    ctx.plugin.log().info(
        Category::Processing,
        &format!(
            "Cached WooCommerce item data cleared ({removed} products and variations forgotten)"
        ),
    );
    Ok(ActionResponse::completed(
        ctx.spec.id,
        format!(
            "The cached WooCommerce item data was cleared ({removed} entries); Refresh on the WooCommerce Items tab loads the store's products again."
        ),
    ))
}

/// Opens the Logs screen.
pub fn open_logs(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let mut response = super::logs::listing(ctx)?;
    response.open_screen = Some("logs".to_string());
    Ok(response)
}
