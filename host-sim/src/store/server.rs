//! The HTTP side: how a request is classified (REST, front end, outside the site), counted,
//! redirected or faulted, authenticated and dispatched, and which headers the answer carries.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt as _;
use serde_json::{Map, Value};

use super::auth::{AuthInput, AuthOutcome, authenticate, check_key_permission};
use super::counts::RequestBook;
use super::errors::WcError;
use super::fault_bodies::trickle;
use super::faults::{FaultControl, FaultKind, fault_response};
use super::html;
use super::keys::KeyRing;
use super::model::StoreData;
use super::options::{Behaviour, Permalinks, SiteKind};
use super::query::{PhpParams, PhpValue, decode_pairs};
use super::routes::{self, RestRequest, match_route, route_description, visitor_allowed};

/// State shared by the server and the [`SimStore`](super::SimStore) handle.
pub(crate) struct Shared {
    pub data: Mutex<StoreData>,
    pub keys: Mutex<KeyRing>,
    pub behaviour: Mutex<Behaviour>,
    pub faults: FaultControl,
    pub book: Mutex<RequestBook>,
    /// `http(s)://127.0.0.1:PORT`.
    pub origin: String,
    /// `""` or `/shop`.
    pub path_prefix: String,
    pub tls: bool,
}

/// Locks a mutex, carrying on with the data if a panicking test poisoned it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn home(&self) -> String {
        format!("{}{}", self.origin, self.path_prefix)
    }
}

const JSON: &str = "application/json; charset=UTF-8";
const HTML: &str = "text/html; charset=UTF-8";
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Where a request lands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The REST API, with the route and whether the URI contains `wp-json/wc/`.
    Rest { route: String },
    /// A WordPress front-end URL, relative to the site.
    Page { relative: String },
    /// The web server answers 404 itself (outside the site, or `/wp-json` with plain permalinks).
    ServerNotFound,
    /// The whole host is not WordPress.
    OtherSite,
}

fn classify(shared: &Shared, behaviour: &Behaviour, path: &str, query: &PhpParams) -> Target {
    if behaviour.site == SiteKind::NotWordPress {
        return Target::OtherSite;
    }
    let prefix = &shared.path_prefix;
    let relative = match path.strip_prefix(prefix.as_str()) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => return Target::ServerNotFound,
    };
    let wp_json = relative == "/wp-json" || relative.starts_with("/wp-json/");
    if wp_json && behaviour.permalinks == Permalinks::Plain {
        return Target::ServerNotFound;
    }
    // WordPress reads the `rest_route` query variable on every URL it handles, whatever the
    // path (and before the route a pretty permalink would give), so a REST client pointed at a
    // wrong sub-path still reaches the API this way.
    if let Some(route) = query.get_str("rest_route") {
        return Target::Rest {
            route: normalise_route(route),
        };
    }
    if wp_json {
        return Target::Rest {
            route: normalise_route(&relative["/wp-json".len()..]),
        };
    }
    Target::Page {
        relative: relative.to_owned(),
    }
}

/// WordPress strips the trailing slash; an empty route is the index.
fn normalise_route(route: &str) -> String {
    let trimmed = route.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

fn count_key(method: &str, target: &Target, path: &str, woocommerce: bool) -> String {
    match target {
        Target::Rest { route } => match match_route(route, woocommerce) {
            Some(m) => format!("{method} {}", m.template),
            None => format!("{method} {route}"),
        },
        _ => format!("{method} page:{path}"),
    }
}

/// Counts a request as in flight until it is dropped, which for a streamed body is when the
/// body has been sent or the connection dropped.
pub(crate) struct InFlight {
    shared: Arc<Shared>,
}

impl InFlight {
    fn enter(shared: &Arc<Shared>) -> Self {
        lock(&shared.book).enter();
        InFlight {
            shared: Arc::clone(shared),
        }
    }

    /// Keeps the request in flight until `response`'s body is done.
    fn hold_until_sent(self, response: Response) -> Response {
        let (parts, body) = response.into_parts();
        let stream = body.into_data_stream().map(move |chunk| {
            let _flight = &self;
            chunk
        });
        Response::from_parts(parts, Body::from_stream(stream))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        lock(&self.shared.book).leave();
    }
}

/// The store's own endpoints under `/__sim/` (WooCommerce and WordPress use no such path):
/// `GET /__sim/requests` answers the request counts, `POST /__sim/requests/reset` clears them.
/// They are neither counted nor faulted.
fn control_endpoint(shared: &Shared, request: &Request) -> Option<Response> {
    let path = request.uri().path();
    if path != "/__sim" && !path.starts_with("/__sim/") {
        return None;
    }
    let method = request.method().as_str();
    let json = |status: u16, body: String, allow: Option<&str>| {
        let mut headers = vec![("Content-Type", JSON.to_owned())];
        if let Some(allow) = allow {
            headers.push(("Allow", allow.to_owned()));
        }
        build_response(status, Body::from(body), &headers)
    };
    let counts = |shared: &Shared| {
        serde_json::to_string(&lock(&shared.book).counts).unwrap_or_else(|_| "{}".to_owned())
    };
    Some(match (path.trim_end_matches('/'), method) {
        ("/__sim/requests", "GET" | "HEAD") => json(200, counts(shared), None),
        ("/__sim/requests/reset", "POST") => {
            lock(&shared.book).reset();
            json(200, counts(shared), None)
        }
        ("/__sim/requests", _) => json(
            405,
            "{\"error\":\"method not allowed\"}".to_owned(),
            Some("GET, HEAD"),
        ),
        ("/__sim/requests/reset", _) => json(
            405,
            "{\"error\":\"method not allowed\"}".to_owned(),
            Some("POST"),
        ),
        _ => json(404, "{\"error\":\"not found\"}".to_owned(), None),
    })
}

/// A redirect to the same path on another host: `127.0.0.2` with the store's scheme and port.
fn redirect_elsewhere(shared: &Shared, status: u16, path_and_query: &str) -> Response {
    let origin = shared.origin.replacen("127.0.0.1", "127.0.0.2", 1);
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Redirect");
    let body = format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    html_response(
        status,
        body,
        &[("Location", format!("{origin}{path_and_query}"))],
    )
}

/// The real answer with its body trickled out.
async fn trickled(response: Response, chunk: u32, every: Duration, flight: InFlight) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let body = trickle(bytes, usize::try_from(chunk).unwrap_or(1), every);
    flight.hold_until_sent(Response::from_parts(parts, body))
}

/// The axum handler for every request.
pub(crate) async fn serve(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if let Some(answer) = control_endpoint(&shared, &request) {
        return answer;
    }
    let flight = InFlight::enter(&shared);
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let behaviour = lock(&shared.behaviour).clone();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_owned());
    let query = PhpParams::parse(&raw_query);
    let target = classify(&shared, &behaviour, &path, &query);
    let woocommerce = behaviour.site == SiteKind::WooCommerce;
    lock(&shared.book).record(
        &method,
        &count_key(&method, &target, &path, woocommerce),
        &path_and_query,
    );

    if let Some(base) = &behaviour.redirect_to {
        let location = format!("{}{}", base.trim_end_matches('/'), path_and_query);
        return html_response(301, html::moved_permanently(), &[("Location", location)]);
    }

    let fault_route = match &target {
        Target::Rest { route } => route.clone(),
        _ => path.clone(),
    };
    let decision = shared.faults.decide(&method, &fault_route);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let mut deferred = None;
    match decision.fault {
        Some(FaultKind::Hang) => {
            // Far beyond any client timeout; shutting the store down drops the connection.
            tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
            return fault_response(FaultKind::ServerError(504));
        }
        Some(FaultKind::Held) => shared.faults.hold().await,
        Some(FaultKind::RevokeKeys) => lock(&shared.keys).revoke_all(),
        Some(FaultKind::RedirectElsewhere { status }) => {
            return redirect_elsewhere(&shared, status, &path_and_query);
        }
        Some(kind @ (FaultKind::Trickle { .. } | FaultKind::AppliedThen502)) => {
            deferred = Some(kind);
        }
        Some(kind) => return flight.hold_until_sent(fault_response(kind)),
        None => {}
    }

    let response = respond(
        &shared,
        &behaviour,
        Received {
            parts: &parts,
            body: &bytes,
            path: &path,
            path_and_query: &path_and_query,
            query,
            target,
            woocommerce,
        },
    );
    match deferred {
        Some(FaultKind::Trickle { chunk_bytes, every }) => {
            trickled(response, chunk_bytes, every, flight).await
        }
        // The request has been carried out; only its answer is lost on the way back.
        Some(_) => fault_response(FaultKind::ServerError(502)),
        None => response,
    }
}

/// A received request, classified.
struct Received<'a> {
    parts: &'a Parts,
    body: &'a Bytes,
    path: &'a str,
    path_and_query: &'a str,
    query: PhpParams,
    target: Target,
    woocommerce: bool,
}

/// The answer of the site to a request that no fault stopped.
fn respond(shared: &Shared, behaviour: &Behaviour, received: Received<'_>) -> Response {
    let Received {
        parts,
        body,
        path,
        path_and_query,
        query,
        target,
        woocommerce,
    } = received;
    let home = shared.home();
    let api_link = api_link_header(&home, behaviour.permalinks);
    match target {
        Target::OtherSite => {
            if path == "/" {
                html_response(200, html::other_site_page(), &[])
            } else {
                html_response(404, html::server_not_found(path), &[])
            }
        }
        Target::ServerNotFound => html_response(404, html::server_not_found(path), &[]),
        Target::Page { relative } => {
            let store_name = lock(&shared.data).settings.store_name.clone();
            if relative == "/" || relative == "/index.php" {
                html_response(200, html::front_page(&store_name), &[("Link", api_link)])
            } else {
                html_response(
                    404,
                    html::wordpress_not_found(&store_name),
                    &[
                        ("Expires", "Wed, 11 Jan 1984 05:00:00 GMT".to_owned()),
                        (
                            "Cache-Control",
                            "no-cache, must-revalidate, max-age=0".to_owned(),
                        ),
                        ("Link", api_link),
                    ],
                )
            }
        }
        Target::Rest { route } => {
            let input = RestInput {
                parts,
                body,
                route,
                query,
                path_and_query,
                woocommerce,
                strip_authorization: behaviour.strip_authorization,
                api_link,
                home,
            };
            rest(shared, input)
        }
    }
}

fn api_link_header(home: &str, permalinks: Permalinks) -> String {
    match permalinks {
        Permalinks::Pretty => format!("<{home}/wp-json/>; rel=\"https://api.w.org/\""),
        Permalinks::Plain => format!("<{home}/?rest_route=/>; rel=\"https://api.w.org/\""),
    }
}

struct RestInput<'a> {
    parts: &'a Parts,
    body: &'a Bytes,
    route: String,
    query: PhpParams,
    path_and_query: &'a str,
    woocommerce: bool,
    strip_authorization: bool,
    api_link: String,
    home: String,
}

/// How the answer's headers depend on who asked.
struct Audience {
    /// A key authenticated: WordPress adds its no-cache headers.
    user: bool,
    /// An anonymous GET: WordPress adds `Vary: Origin`.
    anonymous_read: bool,
    /// `Allow`, when the route matched and its permission checks pass.
    allow: Option<String>,
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.starts_with("application/json") || ct.contains("+json")
    })
}

fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    })
}

fn rest(shared: &Shared, input: RestInput<'_>) -> Response {
    let headers = &input.parts.headers;
    let transport = input.parts.method.as_str().to_ascii_uppercase();
    let mut method = transport.clone();
    if transport == "POST" {
        let overridden = input
            .query
            .get_str("_method")
            .map(str::to_owned)
            .or_else(|| header_text(headers, &HeaderName::from_static("x-http-method-override")));
        if let Some(m) = overridden.filter(|m| !m.is_empty()) {
            method = m.to_ascii_uppercase();
        }
    }
    let content_type = header_text(headers, &header::CONTENT_TYPE);
    let form = is_form(content_type.as_deref())
        .then(|| PhpParams::from_pairs(decode_pairs(&String::from_utf8_lossy(input.body))));
    let authorization = if input.strip_authorization {
        None
    } else {
        header_text(headers, &header::AUTHORIZATION)
    };
    let mut audience = Audience {
        user: false,
        anonymous_read: false,
        allow: None,
    };

    // WooCommerce authenticates keys only when the request URI contains `wp-json/wc/`.
    let mut permission = None;
    if input.woocommerce && input.path_and_query.contains("wp-json/wc/") {
        let origin = if shared.tls {
            shared.origin.clone()
        } else {
            shared.origin.replacen("https://", "http://", 1)
        };
        let now = chrono::Utc::now().timestamp();
        let outcome = authenticate(
            &mut lock(&shared.keys),
            &AuthInput {
                method: &transport,
                https: shared.tls,
                origin: &origin,
                raw_path: input.parts.uri.path(),
                query: &input.query,
                form: form.as_ref(),
                authorization: authorization.as_deref(),
                now,
            },
        );
        match outcome {
            AuthOutcome::Anonymous => {}
            AuthOutcome::Key(p) => permission = Some(p),
            AuthOutcome::Failed(error) => {
                audience.anonymous_read = matches!(method.as_str(), "GET" | "HEAD");
                return rest_error(&error, &audience, &input.api_link);
            }
        }
    }
    audience.user = permission.is_some();
    audience.anonymous_read = !audience.user && matches!(method.as_str(), "GET" | "HEAD");
    if let Some(p) = permission
        && let Err(error) = check_key_permission(p, &method)
    {
        return rest_error(&error, &audience, &input.api_link);
    }

    let Some(matched) = match_route(&input.route, input.woocommerce) else {
        return rest_error(&WcError::no_route(), &audience, &input.api_link);
    };
    let routing_method = if method == "HEAD" {
        "GET"
    } else {
        method.as_str()
    };
    let batch_limit = lock(&shared.data).settings.batch_limit;
    if method == "OPTIONS" {
        audience.allow = Some(matched.methods.join(", "));
        let body = serde_json::to_string(&route_description(matched.index_key))
            .unwrap_or_else(|_| "{}".to_owned());
        return rest_response(200, body, Vec::new(), &audience, &input.api_link);
    }
    if !matched.methods.contains(&routing_method) {
        return rest_error(&WcError::no_route(), &audience, &input.api_link);
    }

    {
        let data = lock(&shared.data);
        let public = matches!(
            matched.endpoint,
            routes::Endpoint::Index | routes::Endpoint::Namespace
        );
        if audience.user || public || visitor_allowed(&matched.endpoint, &data) {
            audience.allow = Some(matched.methods.join(", "));
        }
    }
    let json_body = if is_json(content_type.as_deref()) && !input.body.trim_ascii().is_empty() {
        match serde_json::from_slice::<Value>(input.body) {
            Ok(value) => Some(value),
            Err(_) => {
                return rest_error(&WcError::invalid_json(), &audience, &input.api_link);
            }
        }
    } else {
        None
    };
    let fields = merged_fields(&input.query, form.as_ref(), json_body);

    let request = RestRequest {
        method: routing_method.to_owned(),
        route: input.route.clone(),
        query: input.query.clone(),
        fields,
        home: input.home.clone(),
        authenticated: audience.user,
        batch_limit,
        woocommerce: input.woocommerce,
    };
    let result = {
        let mut data = lock(&shared.data);
        let result = routes::handle(&matched.endpoint, &request, &mut data);
        // Permission failures are the one error that never carries `Allow`.
        if let Err(e) = &result
            && e.status == 401
        {
            audience.allow = None;
        }
        result
    };
    match result {
        Ok(reply) => {
            let body = match request.query.get("_fields") {
                Some(fields) => filter_fields(&reply.body, &fields.list()),
                None => reply.body,
            };
            rest_response(
                reply.status,
                body,
                reply.headers,
                &audience,
                &input.api_link,
            )
        }
        Err(error) => rest_error(&error, &audience, &input.api_link),
    }
}

/// Query values, then form values, then JSON members: later ones win, as in WordPress.
fn merged_fields(
    query: &PhpParams,
    form: Option<&PhpParams>,
    json: Option<Value>,
) -> Map<String, Value> {
    let mut fields = Map::new();
    let mut add = |params: &PhpParams| {
        for (name, value) in params.iter() {
            let value = match value {
                PhpValue::Str(s) => Value::String(s.clone()),
                PhpValue::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|(_, v)| Value::String(v.clone()))
                        .collect(),
                ),
            };
            fields.insert(name.clone(), value);
        }
    };
    add(query);
    if let Some(form) = form {
        add(form);
    }
    if let Some(Value::Object(map)) = json {
        fields.extend(map);
    }
    fields
}

/// WordPress `_fields`: keeps the named top-level members (or `a.b` nested ones) of an object,
/// or of every object of a list.
fn filter_fields(body: &str, fields: &[String]) -> String {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return body.to_owned();
    };
    let paths: Vec<Vec<&str>> = fields
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .map(|f| f.split('.').collect())
        .collect();
    let filtered = match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| filter_value(item, &paths))
                .collect(),
        ),
        other => filter_value(other, &paths),
    };
    serde_json::to_string(&filtered).unwrap_or_else(|_| body.to_owned())
}

fn filter_value(value: Value, paths: &[Vec<&str>]) -> Value {
    let Value::Object(map) = value else {
        return value;
    };
    let mut out = Map::new();
    for (key, member) in map {
        let matching: Vec<Vec<&str>> = paths
            .iter()
            .filter(|p| p.first() == Some(&key.as_str()))
            .map(|p| p[1..].to_vec())
            .collect();
        if matching.is_empty() {
            continue;
        }
        if matching.iter().any(Vec::is_empty) {
            out.insert(key, member);
        } else {
            out.insert(key, filter_value(member, &matching));
        }
    }
    Value::Object(out)
}

fn rest_error(error: &WcError, audience: &Audience, api_link: &str) -> Response {
    rest_response(
        error.status,
        error.to_json(),
        Vec::new(),
        audience,
        api_link,
    )
}

fn rest_response(
    status: u16,
    body: String,
    extra: Vec<(&'static str, String)>,
    audience: &Audience,
    api_link: &str,
) -> Response {
    let mut headers: Vec<(&str, String)> = vec![
        ("Content-Type", JSON.to_owned()),
        ("X-Robots-Tag", "noindex".to_owned()),
    ];
    let paged_link = extra.iter().any(|(name, _)| *name == "Link");
    if !paged_link {
        headers.push(("Link", api_link.to_owned()));
    }
    headers.push(("X-Content-Type-Options", "nosniff".to_owned()));
    headers.push((
        "Access-Control-Expose-Headers",
        "X-WP-Total, X-WP-TotalPages, Link".to_owned(),
    ));
    headers.push((
        "Access-Control-Allow-Headers",
        "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type".to_owned(),
    ));
    headers.extend(extra);
    if let Some(allow) = &audience.allow {
        headers.push(("Allow", allow.clone()));
    }
    if audience.user {
        headers.push(("Expires", "Wed, 11 Jan 1984 05:00:00 GMT".to_owned()));
        headers.push((
            "Cache-Control",
            "no-cache, must-revalidate, max-age=0, no-store, private".to_owned(),
        ));
    }
    if audience.anonymous_read {
        headers.push(("Vary", "Origin".to_owned()));
    }
    build_response(status, Body::from(body), &headers)
}

fn html_response(status: u16, body: String, extra: &[(&str, String)]) -> Response {
    let mut headers = vec![("Content-Type", HTML.to_owned())];
    headers.extend(extra.iter().cloned());
    build_response(status, Body::from(body), &headers)
}

fn build_response(status: u16, body: Body, headers: &[(&str, String)]) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let map = response.headers_mut();
    for (name, value) in headers {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            continue;
        };
        let value = HeaderValue::from_str(value)
            .or_else(|_| HeaderValue::from_bytes(value.as_bytes()))
            .unwrap_or_else(|_| HeaderValue::from_static(""));
        map.append(name, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_filter_keeps_named_and_nested_members() {
        let body =
            r#"[{"id":1,"name":"a","billing":{"email":"x","phone":"y"}},{"id":2,"name":"b"}]"#;
        assert_eq!(
            filter_fields(body, &["id".to_owned(), "billing.email".to_owned()]),
            r#"[{"billing":{"email":"x"},"id":1},{"id":2}]"#
        );
    }

    #[test]
    fn routes_lose_their_trailing_slash() {
        assert_eq!(normalise_route("/wc/v3/products/"), "/wc/v3/products");
        assert_eq!(normalise_route(""), "/");
        assert_eq!(normalise_route("/"), "/");
        assert_eq!(normalise_route("wc/v3"), "/wc/v3");
    }
}
