//! `GET /system_status` and `/settings/{group}/{id}`.

use std::sync::LazyLock;

use serde::Serialize;
use serde_json::{Value, json};

use super::{Reply, RestRequest};
use crate::store::errors::WcError;
use crate::store::model::StoreData;

/// The recorded store's `system_status` body; live values are written over it.
static SYSTEM_STATUS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../templates/system_status.json")).unwrap_or(Value::Null)
});

fn set(target: &mut Value, path: &[&str], value: Value) {
    let mut cursor = target;
    for key in &path[..path.len() - 1] {
        match cursor.get_mut(*key) {
            Some(next) => cursor = next,
            None => return,
        }
    }
    if let Some(object) = cursor.as_object_mut() {
        object.insert(path[path.len() - 1].to_owned(), value);
    }
}

/// `GET /system_status` (needs a key; `_fields=environment,settings` is applied by the server).
pub(super) fn status(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    if !req.authenticated {
        return Err(WcError::new(
            401,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ));
    }
    let settings = &data.settings;
    let mut body = SYSTEM_STATUS.clone();
    let https = req.home.starts_with("https://");
    set(&mut body, &["environment", "home_url"], json!(req.home));
    set(&mut body, &["environment", "site_url"], json!(req.home));
    set(
        &mut body,
        &["environment", "version"],
        json!(settings.woocommerce_version),
    );
    set(
        &mut body,
        &["environment", "wp_version"],
        json!(settings.wp_version),
    );
    set(
        &mut body,
        &["database", "wc_database_version"],
        json!(settings.woocommerce_version),
    );
    set(
        &mut body,
        &["settings", "currency"],
        json!(settings.currency),
    );
    set(
        &mut body,
        &["settings", "currency_symbol"],
        json!(settings.currency_symbol_html()),
    );
    set(
        &mut body,
        &["settings", "currency_position"],
        json!(settings.currency_position),
    );
    set(
        &mut body,
        &["settings", "thousand_separator"],
        json!(settings.thousand_separator),
    );
    set(
        &mut body,
        &["settings", "decimal_separator"],
        json!(settings.decimal_separator),
    );
    set(
        &mut body,
        &["settings", "number_of_decimals"],
        json!(settings.decimals),
    );
    set(&mut body, &["settings", "force_ssl"], json!(false));
    set(&mut body, &["security", "secure_connection"], json!(https));
    let products = data.products.values().filter(|p| !p.is_variation()).count();
    let variations = data.products.len() - products;
    set(
        &mut body,
        &["post_type_counts"],
        json!([
            { "type": "page", "count": "7" },
            { "type": "product", "count": products.to_string() },
            { "type": "product_variation", "count": variations.to_string() },
            { "type": "shop_coupon", "count": data.coupons.len().to_string() },
            { "type": "shop_order_placehold", "count": data.orders.len().to_string() },
        ]),
    );
    if let Some(plugins) = body.get_mut("active_plugins").and_then(Value::as_array_mut) {
        for plugin in plugins {
            set(plugin, &["version"], json!(settings.woocommerce_version));
            set(
                plugin,
                &["version_latest"],
                json!(settings.woocommerce_version),
            );
        }
    }
    Ok(Reply::json(200, &body))
}

#[derive(Serialize)]
struct SettingJson {
    id: String,
    label: &'static str,
    description: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    default: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tip: Option<&'static str>,
    value: String,
    group_id: String,
    _links: Value,
}

struct SettingSpec {
    label: &'static str,
    description: &'static str,
    kind: &'static str,
    default: &'static str,
}

fn spec(group: &str, id: &str) -> Option<SettingSpec> {
    let (label, description, kind, default) = match (group, id) {
        ("products", "woocommerce_manage_stock") => {
            ("Manage stock", "Enable stock management", "checkbox", "yes")
        }
        ("products", "woocommerce_notify_no_stock_amount") => (
            "Out of stock threshold",
            "When product stock reaches this amount the stock status will change to \"out of stock\" and you will be notified via email. This setting does not affect existing \"in stock\" products.",
            "number",
            "0",
        ),
        ("tax", "woocommerce_prices_include_tax") => ("Prices entered with tax", "", "radio", "no"),
        ("general", "woocommerce_currency") => (
            "Currency",
            "This controls what currency prices are listed at in the catalog and which currency gateways will take payments in.",
            "select",
            "USD",
        ),
        ("general", "woocommerce_calc_taxes") => (
            "Enable taxes",
            "Enable tax rates and calculations",
            "checkbox",
            "no",
        ),
        _ => return None,
    };
    Some(SettingSpec {
        label,
        description,
        kind,
        default,
    })
}

fn yes_no(on: bool) -> String {
    if on { "yes" } else { "no" }.to_owned()
}

fn current(data: &StoreData, id: &str) -> String {
    let settings = &data.settings;
    match id {
        "woocommerce_manage_stock" => yes_no(settings.manage_stock),
        "woocommerce_notify_no_stock_amount" => settings.out_of_stock_threshold.to_string(),
        "woocommerce_prices_include_tax" => "no".to_owned(),
        "woocommerce_currency" => settings.currency.clone(),
        "woocommerce_calc_taxes" => yes_no(settings.calc_taxes),
        _ => String::new(),
    }
}

fn setting_reply(req: &RestRequest, data: &StoreData, group: &str, id: &str) -> Reply {
    let spec = spec(group, id);
    let body = SettingJson {
        id: id.to_owned(),
        label: spec.as_ref().map_or("", |s| s.label),
        description: spec.as_ref().map_or("", |s| s.description),
        kind: spec.as_ref().map_or("text", |s| s.kind),
        default: spec.as_ref().map_or("", |s| s.default),
        options: (id == "woocommerce_prices_include_tax").then(|| {
            json!({
                "yes": "Yes, I will enter prices inclusive of tax",
                "no": "No, I will enter prices exclusive of tax"
            })
        }),
        tip: (id == "woocommerce_prices_include_tax").then_some(
            "This option is important as it will affect how you input prices. Changing it will not update existing products.",
        ),
        value: current(data, id),
        group_id: group.to_owned(),
        _links: json!({
            "self": [{ "href": req.api(&format!("/wc/v3/settings/{group}/{id}")) }],
            "collection": [{ "href": req.api(&format!("/wc/v3/settings/{group}")) }],
        }),
    };
    Reply::json(200, &body)
}

fn check(req: &RestRequest, group: &str, id: &str, editing: bool) -> Result<(), WcError> {
    if !req.authenticated {
        return Err(if editing {
            WcError::new(
                401,
                "woocommerce_rest_cannot_edit",
                "Sorry, you cannot edit this resource.",
            )
        } else {
            WcError::new(
                401,
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
            )
        });
    }
    if !["general", "products", "tax"].contains(&group) {
        return Err(WcError::new(
            404,
            "rest_setting_setting_group_invalid",
            "Invalid setting group.",
        ));
    }
    if spec(group, id).is_none() {
        return Err(WcError::new(
            404,
            "rest_setting_setting_invalid",
            "Invalid setting.",
        ));
    }
    Ok(())
}

/// `GET /settings/{group}/{id}`.
pub(super) fn get_setting(
    req: &RestRequest,
    data: &mut StoreData,
    group: &str,
    id: &str,
) -> Result<Reply, WcError> {
    check(req, group, id, false)?;
    Ok(setting_reply(req, data, group, id))
}

/// `PUT|PATCH|POST /settings/{group}/{id}` with `{"value": …}`.
pub(super) fn update_setting(
    req: &RestRequest,
    data: &mut StoreData,
    group: &str,
    id: &str,
) -> Result<Reply, WcError> {
    check(req, group, id, true)?;
    let value = req
        .fields
        .get("value")
        .map(crate::store::fields::coerce_text)
        .unwrap_or_default();
    let settings = &mut data.settings;
    match id {
        "woocommerce_manage_stock" => settings.manage_stock = value == "yes",
        "woocommerce_calc_taxes" => settings.calc_taxes = value == "yes",
        "woocommerce_currency" if !value.is_empty() => settings.currency = value,
        "woocommerce_notify_no_stock_amount" => {
            settings.out_of_stock_threshold = value.trim().parse().unwrap_or(0);
        }
        _ => {}
    }
    Ok(setting_reply(req, data, group, id))
}
