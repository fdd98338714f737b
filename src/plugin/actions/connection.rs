//! The Connection buttons of Options: Reconnect, Clear Cache and Open Logs.

use serde_json::{Value, json};

use super::{ActionContext, ActionResponse};
use crate::integration_log::Category;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::options;
use crate::woo::{ConnectionReport, Routing};

/// Applies the connection settings (saving `params.values` first when the host sends the form's
/// unsaved values) and proves them against the store.
pub fn reconnect(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let log = ctx.plugin.log();
    let settings = match ctx.request.params.get("values") {
        Some(values @ Value::Object(_)) => {
            let document = json!({ "values": values }).to_string();
            let (_, saved) = options::save(ctx.host(), &document)?;
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
        Ok(client) => client,
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
    let outcome = ctx.block_on(async {
        tokio::select! {
            result = client.check_connection() => Some(result),
            () = ctx.cancel.cancelled() => None,
        }
    });
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
    for warning in &report.warnings {
        log.warn(Category::Connection, warning);
    }
    let mut response = ActionResponse::completed(
        ctx.spec.id,
        format!("The WooCommerce connection settings were applied and work: {summary}."),
    );
    response.warnings = report.warnings.clone();
    response.details = Some(details(&report));
    Ok(response)
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
    let removed = ctx.plugin.woo_items().clear()?;
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
