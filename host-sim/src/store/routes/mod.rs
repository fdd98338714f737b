//! The REST routes the simulated store serves, and what every handler shares.

mod batch;
mod customers;
mod index;
mod orders;
mod products;
mod refunds;
mod system;
mod variations;

use serde::Serialize;
use serde_json::{Map, Value};

use super::errors::WcError;
use super::model::StoreData;
use super::query::PhpParams;
use super::render::RenderCtx;

pub(crate) use index::route_description;

/// A matched REST endpoint with its path ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Index,
    Namespace,
    Products,
    ProductsBatch,
    Product(u64),
    Variations(u64),
    VariationsBatch(u64),
    Variation(u64, u64),
    Customers,
    Customer(u64),
    Orders,
    Order(u64),
    Refunds(u64),
    Refund(u64, u64),
    SystemStatus,
    Setting(String, String),
}

/// A matched route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteMatch {
    pub endpoint: Endpoint,
    /// Counting key template, e.g. `/wc/v3/products/{id}/variations/{id}`.
    pub template: &'static str,
    /// Methods the route accepts (the `Allow` list).
    pub methods: &'static [&'static str],
    /// The route's key in WordPress's route index.
    pub index_key: &'static str,
}

const COLLECTION: &[&str] = &["GET", "POST"];
const ITEM: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
const BATCH: &[&str] = &["POST", "PUT", "PATCH"];
const READ_ONLY: &[&str] = &["GET"];
const READ_DELETE: &[&str] = &["GET", "DELETE"];
const SETTING: &[&str] = &["GET", "POST", "PUT", "PATCH"];

fn id(segment: &str) -> Option<u64> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // WordPress's (int) cast of an out-of-range number never finds anything.
    Some(segment.parse().unwrap_or(0))
}

fn word(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Matches a REST route (trailing slash already removed).
pub(crate) fn match_route(route: &str, woocommerce: bool) -> Option<RouteMatch> {
    let m = |endpoint, template, methods, index_key| {
        Some(RouteMatch {
            endpoint,
            template,
            methods,
            index_key,
        })
    };
    if route == "/" {
        return m(Endpoint::Index, "/", READ_ONLY, "/");
    }
    if !woocommerce {
        return None;
    }
    let rest = route.strip_prefix("/wc/v3")?;
    if rest.is_empty() {
        return m(Endpoint::Namespace, "/wc/v3", READ_ONLY, "/wc/v3");
    }
    let parts: Vec<&str> = rest.strip_prefix('/')?.split('/').collect();
    match parts.as_slice() {
        ["products"] => m(
            Endpoint::Products,
            "/wc/v3/products",
            COLLECTION,
            "/wc/v3/products",
        ),
        ["products", "batch"] => m(
            Endpoint::ProductsBatch,
            "/wc/v3/products/batch",
            BATCH,
            "/wc/v3/products/batch",
        ),
        ["products", pid] => m(
            Endpoint::Product(id(pid)?),
            "/wc/v3/products/{id}",
            ITEM,
            "/wc/v3/products/(?P<id>[\\d]+)",
        ),
        ["products", pid, "variations"] => m(
            Endpoint::Variations(id(pid)?),
            "/wc/v3/products/{id}/variations",
            COLLECTION,
            "/wc/v3/products/(?P<product_id>[\\d]+)/variations",
        ),
        ["products", pid, "variations", "batch"] => m(
            Endpoint::VariationsBatch(id(pid)?),
            "/wc/v3/products/{id}/variations/batch",
            BATCH,
            "/wc/v3/products/(?P<product_id>[\\d]+)/variations/batch",
        ),
        ["products", pid, "variations", vid] => m(
            Endpoint::Variation(id(pid)?, id(vid)?),
            "/wc/v3/products/{id}/variations/{id}",
            ITEM,
            "/wc/v3/products/(?P<product_id>[\\d]+)/variations/(?P<id>[\\d]+)",
        ),
        ["customers"] => m(
            Endpoint::Customers,
            "/wc/v3/customers",
            COLLECTION,
            "/wc/v3/customers",
        ),
        ["customers", cid] => m(
            Endpoint::Customer(id(cid)?),
            "/wc/v3/customers/{id}",
            ITEM,
            "/wc/v3/customers/(?P<id>[\\d]+)",
        ),
        ["orders"] => m(
            Endpoint::Orders,
            "/wc/v3/orders",
            COLLECTION,
            "/wc/v3/orders",
        ),
        ["orders", oid] => m(
            Endpoint::Order(id(oid)?),
            "/wc/v3/orders/{id}",
            ITEM,
            "/wc/v3/orders/(?P<id>[\\d]+)",
        ),
        ["orders", oid, "refunds"] => m(
            Endpoint::Refunds(id(oid)?),
            "/wc/v3/orders/{id}/refunds",
            COLLECTION,
            "/wc/v3/orders/(?P<order_id>[\\d]+)/refunds",
        ),
        ["orders", oid, "refunds", rid] => m(
            Endpoint::Refund(id(oid)?, id(rid)?),
            "/wc/v3/orders/{id}/refunds/{id}",
            READ_DELETE,
            "/wc/v3/orders/(?P<order_id>[\\d]+)/refunds/(?P<id>[\\d]+)",
        ),
        ["system_status"] => m(
            Endpoint::SystemStatus,
            "/wc/v3/system_status",
            READ_ONLY,
            "/wc/v3/system_status",
        ),
        ["settings", group, setting] if word(group) && word(setting) => m(
            Endpoint::Setting((*group).to_owned(), (*setting).to_owned()),
            "/wc/v3/settings/{group}/{id}",
            SETTING,
            "/wc/v3/settings/(?P<group_id>[\\w-]+)/(?P<id>[\\w-]+)",
        ),
        _ => None,
    }
}

/// A dispatched REST request.
#[derive(Debug)]
pub(crate) struct RestRequest {
    /// Effective method (after `_method` / `X-HTTP-Method-Override`); HEAD reads as GET.
    pub method: String,
    /// The REST route.
    pub route: String,
    /// Query parameters.
    pub query: PhpParams,
    /// Body parameters merged over the query (JSON, then form, then query win in that order).
    pub fields: Map<String, Value>,
    /// Home URL as the client sees it.
    pub home: String,
    /// Whether a key authenticated the request.
    pub authenticated: bool,
    /// Batch limit in force.
    pub batch_limit: usize,
    /// Whether WooCommerce is active (the REST index lists its namespaces).
    pub woocommerce: bool,
}

/// What a handler answers.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json<T: Serialize>(status: u16, body: &T) -> Reply {
        Reply {
            status,
            body: serde_json::to_string(body).unwrap_or_else(|_| "null".to_owned()),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// The permission a handler needs from a visitor.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    List,
    View,
    Create,
    Edit,
    Delete,
    Batch,
}

impl Action {
    fn error(self) -> WcError {
        let (code, message) = match self {
            Action::List => (
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
            ),
            Action::View => (
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot view this resource.",
            ),
            Action::Create => (
                "woocommerce_rest_cannot_create",
                "Sorry, you are not allowed to create resources.",
            ),
            Action::Edit => (
                "woocommerce_rest_cannot_edit",
                "Sorry, you are not allowed to edit this resource.",
            ),
            Action::Delete => (
                "woocommerce_rest_cannot_delete",
                "Sorry, you are not allowed to delete this resource.",
            ),
            Action::Batch => (
                "woocommerce_rest_cannot_batch",
                "Sorry, you are not allowed to batch manipulate this resource.",
            ),
        };
        WcError::new(401, code, message)
    }
}

impl RestRequest {
    /// A visitor may not do `action`.
    pub fn require(&self, action: Action) -> Result<(), WcError> {
        if self.authenticated {
            Ok(())
        } else {
            Err(action.error())
        }
    }

    /// WooCommerce's item checks only refuse a visitor when the object exists; a missing
    /// object passes and the handler answers "Invalid ID.".
    pub fn require_item(&self, action: Action, exists: bool) -> Result<(), WcError> {
        if exists { self.require(action) } else { Ok(()) }
    }

    pub fn render_ctx(&self, edit: bool) -> RenderCtx {
        RenderCtx {
            home: self.home.clone(),
            edit,
            dp: 2,
        }
    }

    pub fn api(&self, route: &str) -> String {
        format!("{}/wp-json{route}", self.home)
    }

    /// `force` from the query or body.
    pub fn force(&self) -> bool {
        self.fields.get("force").is_some_and(|v| match v {
            Value::Bool(b) => *b,
            Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
            Value::Number(n) => n.as_i64() == Some(1),
            _ => false,
        })
    }
}

/// Whether a visitor would pass the route's permission checks (for `Allow`).
pub(crate) fn visitor_allowed(endpoint: &Endpoint, data: &StoreData) -> bool {
    match endpoint {
        Endpoint::Index | Endpoint::Namespace => true,
        Endpoint::Product(id) => !data.products.contains_key(id),
        Endpoint::Variation(_, id) => !data.products.contains_key(id),
        Endpoint::Order(id) => !data.orders.contains_key(id),
        Endpoint::Refund(_, id) => !refunds::order_object_exists(data, *id),
        _ => false,
    }
}

/// Runs the handler of a matched route.
pub(crate) fn handle(
    endpoint: &Endpoint,
    req: &RestRequest,
    data: &mut StoreData,
) -> Result<Reply, WcError> {
    let method = req.method.as_str();
    match (endpoint, method) {
        (Endpoint::Products, "GET") => products::list(req, data),
        (Endpoint::Products, "POST") => products::create(req, data),
        (Endpoint::ProductsBatch, _) => batch::products(req, data),
        (Endpoint::Product(id), "GET") => products::get(req, data, *id),
        (Endpoint::Product(id), "DELETE") => products::delete(req, data, *id),
        (Endpoint::Product(id), _) => products::update(req, data, *id),
        (Endpoint::Variations(pid), "GET") => variations::list(req, data, *pid),
        (Endpoint::Variations(pid), "POST") => variations::create(req, data, *pid),
        (Endpoint::VariationsBatch(pid), _) => batch::variations(req, data, *pid),
        (Endpoint::Variation(pid, id), "GET") => variations::get(req, data, *pid, *id),
        (Endpoint::Variation(pid, id), "DELETE") => variations::delete(req, data, *pid, *id),
        (Endpoint::Variation(pid, id), _) => variations::update(req, data, *pid, *id),
        (Endpoint::Customers, "GET") => customers::list(req, data),
        (Endpoint::Customers, "POST") => customers::create(req, data),
        (Endpoint::Customer(id), "GET") => customers::get(req, data, *id),
        (Endpoint::Customer(id), "DELETE") => customers::delete(req, data, *id),
        (Endpoint::Customer(id), _) => customers::update(req, data, *id),
        (Endpoint::Orders, "GET") => orders::list(req, data),
        (Endpoint::Orders, "POST") => orders::create(req, data),
        (Endpoint::Order(id), "GET") => orders::get(req, data, *id),
        (Endpoint::Order(id), "DELETE") => orders::delete(req, data, *id),
        (Endpoint::Order(id), _) => orders::update(req, data, *id),
        (Endpoint::Refunds(oid), "GET") => refunds::list(req, data, *oid),
        (Endpoint::Refunds(oid), "POST") => refunds::create(req, data, *oid),
        (Endpoint::Refund(oid, id), "GET") => refunds::get(req, data, *oid, *id),
        (Endpoint::Refund(oid, id), "DELETE") => refunds::delete(req, data, *oid, *id),
        (Endpoint::SystemStatus, _) => system::status(req, data),
        (Endpoint::Setting(group, id), "GET") => system::get_setting(req, data, group, id),
        (Endpoint::Setting(group, id), _) => system::update_setting(req, data, group, id),
        (Endpoint::Index, _) => Ok(index::rest_index(req, data, req.woocommerce)),
        (Endpoint::Namespace, _) => Ok(index::namespace_index(req)),
        _ => Err(WcError::no_route()),
    }
}

/// `context` (`view`/`edit`), validated; true for edit.
pub(crate) fn read_context(checker: &mut super::params::Checker<'_>) -> bool {
    checker.one_of("context", &["view", "edit"]).as_deref() == Some("edit")
}

/// Sorts with a key and the request's direction.
pub(crate) fn sort_by<T, K: Ord>(items: &mut [T], descending: bool, key: impl Fn(&T) -> K) {
    items.sort_by(|a, b| {
        let ordering = key(a).cmp(&key(b));
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

/// The `X-WP-Total`, `X-WP-TotalPages` and `Link` headers of a list answer.
pub(crate) fn paging_headers(
    reply: Reply,
    req: &RestRequest,
    link_params: &PhpParams,
    total: u64,
    total_pages: u64,
    page: u64,
) -> Reply {
    let mut reply = reply
        .with_header("X-WP-Total", total.to_string())
        .with_header("X-WP-TotalPages", total_pages.to_string());
    if let Some(link) =
        super::paging::link_header(&req.api(&req.route), link_params, page, total_pages)
    {
        reply = reply.with_header("Link", link);
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_with_templates() {
        let m = match_route("/wc/v3/products/1036/variations/1038", true).expect("match");
        assert_eq!(m.endpoint, Endpoint::Variation(1036, 1038));
        assert_eq!(m.template, "/wc/v3/products/{id}/variations/{id}");
        assert_eq!(
            match_route("/wc/v3/products/batch", true).map(|m| m.endpoint),
            Some(Endpoint::ProductsBatch)
        );
        assert!(match_route("/wc/v3/nope", true).is_none());
        assert!(match_route("/wc/v3/products", false).is_none());
        assert_eq!(
            match_route("/", false).map(|m| m.endpoint),
            Some(Endpoint::Index)
        );
        assert!(match_route("/wc/v3/products/abc", true).is_none());
    }
}
