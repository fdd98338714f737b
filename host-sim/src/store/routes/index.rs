//! `GET /wp-json/` and `GET /wp-json/wc/v3`: public discovery documents.

use std::sync::LazyLock;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Reply, RestRequest};
use crate::store::dates::gmt_offset_hours;
use crate::store::model::StoreData;

/// The recorded `wc/v3` route descriptions of the routes this store serves.
static WC_ROUTES: LazyLock<Map<String, Value>> =
    LazyLock::new(
        || match serde_json::from_str(include_str!("../templates/wc_v3_routes.json")) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
    );

#[derive(Serialize)]
struct IndexJson {
    name: String,
    description: String,
    url: String,
    home: String,
    gmt_offset: Value,
    timezone_string: String,
    namespaces: Vec<&'static str>,
    authentication: Value,
    routes: Map<String, Value>,
    site_logo: u64,
    site_icon: u64,
    site_icon_url: String,
    _links: Value,
}

#[derive(Serialize)]
struct NamespaceJson {
    namespace: &'static str,
    routes: Map<String, Value>,
    _links: Value,
}

/// Route descriptions with `_links.self` on the routes that are plain paths.
fn wc_routes(req: &RestRequest) -> Map<String, Value> {
    WC_ROUTES
        .iter()
        .map(|(route, entry)| {
            let mut entry = entry.clone();
            if !route.contains('(')
                && let Value::Object(map) = &mut entry
            {
                map.insert(
                    "_links".to_owned(),
                    json!({ "self": [{ "href": req.api(route) }] }),
                );
            }
            (route.clone(), entry)
        })
        .collect()
}

/// The description of one route, answered to `OPTIONS`.
pub(crate) fn route_description(index_key: &str) -> Value {
    WC_ROUTES.get(index_key).cloned().unwrap_or_else(|| {
        json!({
            "namespace": "",
            "methods": ["GET"],
            "endpoints": [{ "methods": ["GET"], "args": {} }],
        })
    })
}

/// `GET /wp-json/`.
pub(crate) fn rest_index(req: &RestRequest, data: &StoreData, woocommerce: bool) -> Reply {
    let settings = &data.settings;
    let offset = gmt_offset_hours(settings.timezone, data.now());
    // WordPress sends a whole-hour offset as an integer (`1`), others as a float (`5.5`).
    let gmt_offset = if offset.fract() == 0.0 {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(offset as i64)
    } else {
        json!(offset)
    };
    let mut namespaces = vec!["oembed/1.0"];
    if woocommerce {
        namespaces.extend(["wc/v3", "wc/store", "wc/store/v1", "wc/v1", "wc/v2"]);
    }
    namespaces.extend(["wp/v2", "wp-site-health/v1", "wp-block-editor/v1"]);
    let mut routes = Map::new();
    routes.insert(
        "/".to_owned(),
        json!({
            "namespace": "",
            "methods": ["GET"],
            "endpoints": [{ "methods": ["GET"], "args": { "context": { "default": "view", "required": false } } }],
            "_links": { "self": [{ "href": format!("{}/wp-json/", req.home) }] },
        }),
    );
    if woocommerce {
        routes.extend(wc_routes(req));
    }
    let body = IndexJson {
        name: settings.store_name.clone(),
        description: settings.description.clone(),
        url: req.home.clone(),
        home: req.home.clone(),
        gmt_offset,
        timezone_string: settings.timezone.name().to_owned(),
        namespaces,
        authentication: json!({
            "application-passwords": {
                "endpoints": { "authorization": format!("{}/wp-admin/authorize-application.php", req.home) }
            }
        }),
        routes,
        site_logo: 0,
        site_icon: 0,
        site_icon_url: String::new(),
        _links: json!({ "help": [{ "href": "https://developer.wordpress.org/rest-api/" }] }),
    };
    Reply::json(200, &body)
}

/// `GET /wp-json/wc/v3`.
pub(crate) fn namespace_index(req: &RestRequest) -> Reply {
    let body = NamespaceJson {
        namespace: "wc/v3",
        routes: wc_routes(req),
        _links: json!({ "up": [{ "href": format!("{}/wp-json/", req.home) }] }),
    };
    Reply::json(200, &body)
}
