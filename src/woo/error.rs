//! Errors of the WooCommerce client, written for the store owner who has to fix the cause.
//!
//! No message ever contains the consumer secret: requests are named by method and path only
//! (never the query string), redirect targets are shown without their query, and text that the
//! store sent is cleaned of HTML and shortened before it is quoted.

use std::fmt;
use std::time::Duration;

use super::model::error::ApiErrorBody;

/// A stable, machine-readable category of a [`WooError`]; the plugin core maps it to ABI statuses.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WooErrorKind {
    /// The connection settings are invalid (Store URL, key format, options).
    Config,
    /// An `http://` Store URL without "Allow insecure HTTP".
    InsecureHttp,
    /// The consumer key is unknown or revoked.
    UnknownKey,
    /// The consumer secret does not belong to the key (or the OAuth signature did not match).
    WrongSecret,
    /// The key has only Read permission and a write was attempted.
    ReadOnlyKey,
    /// The key has only Write permission and a read was attempted.
    WriteOnlyKey,
    /// Another authentication refusal (OAuth parameters, nonce, …).
    AuthRejected,
    /// The OAuth timestamp was outside the store's ±15 minute window.
    ClockSkew,
    /// Authenticated, but the key's WordPress user lacks the capability (HTTP 403).
    Forbidden,
    /// The site uses plain permalinks, so API keys cannot work.
    PlainPermalinks,
    /// No WordPress REST API at the Store URL.
    NotWordPress,
    /// WordPress without an active WooCommerce REST API.
    WooCommerceMissing,
    /// TLS handshake failed (untrusted, expired, wrong host name, …).
    Tls,
    /// The host name could not be resolved.
    Dns,
    /// Nothing listens at the address.
    ConnectionRefused,
    /// The connection broke during the exchange.
    ConnectionLost,
    /// No answer in time.
    Timeout,
    /// The store answered with a server error (5xx).
    StoreDown,
    /// HTTP 429.
    RateLimited,
    /// The store answered with a redirect.
    Redirect,
    /// The answer was not a WordPress REST API answer (HTML, wrong content type).
    NotApiResponse,
    /// The answer was cut off or is not valid JSON.
    BrokenResponse,
    /// The answer was valid JSON of an unexpected shape.
    UnexpectedResponse,
    /// The REST route does not exist (`rest_no_route`): WooCommerce inactive or too old.
    NoRoute,
    /// The requested record does not exist.
    NotFound,
    /// Any other refusal by the store (HTTP 4xx with a WooCommerce error code).
    Rejected,
    /// The store refused a batch as too large even at the smallest size.
    BatchTooLarge,
    /// A write may or may not have been applied.
    OutcomeUnknown,
    /// A record could not be understood.
    Decode,
    /// The caller cancelled the operation.
    Cancelled,
    /// Another network failure.
    Transport,
}

/// What was wrong with the store's TLS certificate or handshake.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsProblem {
    /// The certificate is not signed by an authority this computer trusts.
    Untrusted,
    /// The certificate has expired or is not valid yet.
    Expired,
    /// The certificate is for another host name.
    WrongHostName,
    /// Something else went wrong during the handshake.
    Other(String),
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsProblem::Untrusted => f.write_str(
                "the store's certificate is not trusted (self-signed, or issued by an authority this computer does not know)",
            ),
            TlsProblem::Expired => {
                f.write_str("the store's certificate has expired or is not valid yet")
            }
            TlsProblem::WrongHostName => f.write_str(
                "the store's certificate was issued for a different host name than the one in the Store URL",
            ),
            TlsProblem::Other(detail) => write!(f, "{detail}"),
        }
    }
}

/// Everything that can go wrong talking to a WooCommerce store.
///
/// `request` fields read like `GET /wp-json/wc/v3/products` — method and path, never the query.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum WooError {
    /// The connection settings are invalid.
    #[error("The connection settings are not valid: {message}")]
    Config {
        /// What to correct.
        message: String,
    },
    /// `http://` without the "Allow insecure HTTP" option.
    #[error(
        "The Store URL {url} starts with http://, which would send the API key unencrypted. Use the store's https:// address, or turn on \"Allow insecure HTTP\" only if the store really has no HTTPS."
    )]
    InsecureHttp {
        /// The Store URL as configured (no query).
        url: String,
    },
    /// Unknown or revoked key (OAuth "Consumer key is invalid.", or Basic/query keys falling
    /// through to an anonymous `woocommerce_rest_cannot_*`).
    #[error(
        "WooCommerce did not accept the consumer key ({request}): the key is unknown or was revoked. Check it under WooCommerce → Settings → Advanced → REST API, or create a new key. If the key is correct, the web server may be removing the credentials before WordPress sees them."
    )]
    UnknownKey {
        /// The request that was refused.
        request: String,
    },
    /// The secret does not match the key.
    #[error(
        "The consumer secret does not match the consumer key ({request}). Copy the secret again, or create a new key under WooCommerce → Settings → Advanced → REST API (the secret is shown only once)."
    )]
    WrongSecret {
        /// The request that was refused.
        request: String,
    },
    /// A write with a read-only key.
    #[error(
        "The API key is read-only ({request}): give the key Read/Write permission under WooCommerce → Settings → Advanced → REST API, then reconnect."
    )]
    ReadOnlyKey {
        /// The write that was refused.
        request: String,
    },
    /// A read with a write-only key.
    #[error(
        "The API key is write-only ({request}): give the key Read/Write permission under WooCommerce → Settings → Advanced → REST API, then reconnect."
    )]
    WriteOnlyKey {
        /// The read that was refused.
        request: String,
    },
    /// Another authentication refusal.
    #[error("WooCommerce refused the authentication of {request}: {message} ({code})")]
    AuthRejected {
        /// The request that was refused.
        request: String,
        /// The store's error code.
        code: String,
        /// The store's message, cleaned.
        message: String,
    },
    /// OAuth timestamp outside the window.
    #[error(
        "The store rejected the time stamp of {request}: this computer's clock differs from the store's by more than 15 minutes. Correct the date and time on this computer."
    )]
    ClockSkew {
        /// The request that was refused.
        request: String,
    },
    /// HTTP 403: the key's user lacks the capability, or a firewall said no.
    #[error(
        "The store refused {request} (HTTP 403{code_part}): {message}. The WordPress user who owns the API key needs the Administrator or Shop Manager role; a security plugin or firewall can also cause this.",
        code_part = code.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
    )]
    Forbidden {
        /// The request that was refused.
        request: String,
        /// The store's error code, when the answer was JSON.
        code: Option<String>,
        /// The store's message, cleaned.
        message: String,
    },
    /// Plain permalinks: `/wp-json/` is not routed while `?rest_route=/` answers.
    #[error(
        "The store at {store_url} uses plain permalinks, and WooCommerce accepts API keys only on /wp-json/ addresses. In WordPress open Settings → Permalinks, choose any structure other than \"Plain\", save, and reconnect."
    )]
    PlainPermalinks {
        /// The Store URL.
        store_url: String,
    },
    /// No WordPress REST API at the address.
    #[error(
        "No WordPress REST API answered at {store_url} ({detail}). Check the Store URL: it must be the address of the WordPress site's home page, including any sub-folder."
    )]
    NotWordPress {
        /// The Store URL.
        store_url: String,
        /// What was found instead.
        detail: String,
    },
    /// WordPress, but no WooCommerce REST API.
    #[error(
        "WordPress answers at {store_url}, but the WooCommerce REST API (wc/v3) is missing. Check that the WooCommerce plugin is installed and active."
    )]
    WooCommerceMissing {
        /// The Store URL.
        store_url: String,
    },
    /// TLS failure.
    #[error("The secure connection to {host} failed: {problem}.")]
    Tls {
        /// Host name of the store.
        host: String,
        /// What was wrong.
        problem: TlsProblem,
    },
    /// DNS failure.
    #[error(
        "The store's address {host} could not be found (DNS). Check the Store URL and this computer's internet connection."
    )]
    Dns {
        /// Host name of the store.
        host: String,
    },
    /// Connection refused.
    #[error(
        "Nothing accepted the connection at {host}: the store's web server is down, or the port in the Store URL is wrong."
    )]
    ConnectionRefused {
        /// Host (and port) of the store.
        host: String,
    },
    /// The connection broke.
    #[error(
        "The connection to the store broke during {request}. Check the internet connection; the store may be overloaded."
    )]
    ConnectionLost {
        /// The request in flight.
        request: String,
    },
    /// No answer in time.
    #[error(
        "The store did not answer {request} within {} seconds. It may be slow or overloaded; try again later or raise the request timeout.",
        after.as_secs()
    )]
    Timeout {
        /// The request in flight.
        request: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// 5xx.
    #[error(
        "The store answered {request} with HTTP {status}: the store or its host is down or overloaded. Try again later."
    )]
    StoreDown {
        /// The request.
        request: String,
        /// The HTTP status.
        status: u16,
    },
    /// 429.
    #[error(
        "The store (or its host or firewall) is limiting requests ({request}, HTTP 429). {}",
        match retry_after { Some(d) => format!("It asked to wait {} seconds.", d.as_secs()), None => "Try again later.".to_owned() }
    )]
    RateLimited {
        /// The request.
        request: String,
        /// How long the store asked to wait.
        retry_after: Option<Duration>,
    },
    /// A redirect (never followed).
    #[error(
        "The store redirects to {location} (HTTP {status} for {request}); use that address as the Store URL."
    )]
    Redirect {
        /// The request.
        request: String,
        /// 301, 302, 307, 308…
        status: u16,
        /// Where it points, without query string.
        location: String,
    },
    /// HTML or another non-API answer.
    #[error(
        "The answer to {request} is not from the WordPress REST API (HTTP {status}, {content_type}). The Store URL may be wrong, the site may not be WordPress, or a firewall or bot protection is blocking the request."
    )]
    NotApiResponse {
        /// The request.
        request: String,
        /// The HTTP status.
        status: u16,
        /// The Content-Type received (or "no content type").
        content_type: String,
    },
    /// Invalid or truncated JSON.
    #[error(
        "The store's answer to {request} could not be read: {detail}. The answer was cut off or is not valid JSON (a plugin printing warnings into API answers can cause this)."
    )]
    BrokenResponse {
        /// The request.
        request: String,
        /// What was wrong.
        detail: String,
    },
    /// Valid JSON of the wrong shape.
    #[error("The store's answer to {request} is not what WooCommerce sends: {detail}.")]
    UnexpectedResponse {
        /// The request.
        request: String,
        /// What was wrong.
        detail: String,
    },
    /// `rest_no_route`.
    #[error(
        "The store has no REST route for {request}: WooCommerce is not active, or too old for this request."
    )]
    NoRoute {
        /// The request.
        request: String,
    },
    /// 404 for a record.
    #[error("The store has no such record ({request}): {message} ({code}).")]
    NotFound {
        /// The request.
        request: String,
        /// The store's error code.
        code: String,
        /// The store's message, cleaned.
        message: String,
    },
    /// Another 4xx with a WooCommerce error body.
    #[error("The store rejected {request} (HTTP {status}, {code}): {message}")]
    Rejected {
        /// The request.
        request: String,
        /// The HTTP status.
        status: u16,
        /// The store's error code.
        code: String,
        /// The store's message, cleaned.
        message: String,
        /// `data.resource_id`, e.g. the product that already owns a SKU.
        resource_id: Option<u64>,
    },
    /// 413 even for a single item.
    #[error(
        "The store refused a batch as too large even with a single item ({request}, HTTP 413). A web-server upload limit or a store filter may be set too low."
    )]
    BatchTooLarge {
        /// The request.
        request: String,
    },
    /// A write whose result is unknown.
    #[error(
        "It is not known whether the store applied {request}: {cause} Nothing was retried automatically; re-read the records before trying again."
    )]
    OutcomeUnknown {
        /// The write.
        request: String,
        /// What happened.
        cause: Box<WooError>,
    },
    /// A record that could not be understood.
    #[error("{record}: field `{path}`: {message}")]
    Decode {
        /// Which record, e.g. `product 1031` or `order #3 on page 2`.
        record: String,
        /// Path of the bad field inside the record (`.` for the record itself).
        path: String,
        /// What was wrong.
        message: String,
    },
    /// Cancelled by the caller.
    #[error("The operation was cancelled.")]
    Cancelled,
    /// Another network failure.
    #[error("Could not complete {request}: {detail}")]
    Transport {
        /// The request.
        request: String,
        /// What went wrong, without URLs.
        detail: String,
    },
}

impl WooError {
    /// The stable category of this error.
    pub fn kind(&self) -> WooErrorKind {
        use WooErrorKind as K;
        match self {
            WooError::Config { .. } => K::Config,
            WooError::InsecureHttp { .. } => K::InsecureHttp,
            WooError::UnknownKey { .. } => K::UnknownKey,
            WooError::WrongSecret { .. } => K::WrongSecret,
            WooError::ReadOnlyKey { .. } => K::ReadOnlyKey,
            WooError::WriteOnlyKey { .. } => K::WriteOnlyKey,
            WooError::AuthRejected { .. } => K::AuthRejected,
            WooError::ClockSkew { .. } => K::ClockSkew,
            WooError::Forbidden { .. } => K::Forbidden,
            WooError::PlainPermalinks { .. } => K::PlainPermalinks,
            WooError::NotWordPress { .. } => K::NotWordPress,
            WooError::WooCommerceMissing { .. } => K::WooCommerceMissing,
            WooError::Tls { .. } => K::Tls,
            WooError::Dns { .. } => K::Dns,
            WooError::ConnectionRefused { .. } => K::ConnectionRefused,
            WooError::ConnectionLost { .. } => K::ConnectionLost,
            WooError::Timeout { .. } => K::Timeout,
            WooError::StoreDown { .. } => K::StoreDown,
            WooError::RateLimited { .. } => K::RateLimited,
            WooError::Redirect { .. } => K::Redirect,
            WooError::NotApiResponse { .. } => K::NotApiResponse,
            WooError::BrokenResponse { .. } => K::BrokenResponse,
            WooError::UnexpectedResponse { .. } => K::UnexpectedResponse,
            WooError::NoRoute { .. } => K::NoRoute,
            WooError::NotFound { .. } => K::NotFound,
            WooError::Rejected { .. } => K::Rejected,
            WooError::BatchTooLarge { .. } => K::BatchTooLarge,
            WooError::OutcomeUnknown { .. } => K::OutcomeUnknown,
            WooError::Decode { .. } => K::Decode,
            WooError::Cancelled => K::Cancelled,
            WooError::Transport { .. } => K::Transport,
        }
    }

    /// True when the same call may succeed later without anyone changing a setting
    /// (network trouble, an overloaded store, rate limiting).
    ///
    /// [`WooErrorKind::OutcomeUnknown`] answers `false`: such a write must be checked before it
    /// is sent again.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind(),
            WooErrorKind::ConnectionLost
                | WooErrorKind::Timeout
                | WooErrorKind::StoreDown
                | WooErrorKind::RateLimited
                | WooErrorKind::ConnectionRefused
                | WooErrorKind::BrokenResponse
                | WooErrorKind::Transport
        )
    }

    /// The HTTP status the store answered with, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            WooError::StoreDown { status, .. }
            | WooError::Redirect { status, .. }
            | WooError::NotApiResponse { status, .. }
            | WooError::Rejected { status, .. } => Some(*status),
            WooError::RateLimited { .. } => Some(429),
            WooError::Forbidden { .. } => Some(403),
            WooError::NotFound { .. } | WooError::NoRoute { .. } => Some(404),
            WooError::BatchTooLarge { .. } => Some(413),
            WooError::UnknownKey { .. }
            | WooError::WrongSecret { .. }
            | WooError::ReadOnlyKey { .. }
            | WooError::WriteOnlyKey { .. }
            | WooError::AuthRejected { .. }
            | WooError::ClockSkew { .. } => Some(401),
            WooError::OutcomeUnknown { cause, .. } => cause.http_status(),
            _ => None,
        }
    }
}

/// Text the store sent (an error message, a page title), made safe to show: HTML tags removed,
/// the common entities decoded, whitespace collapsed, at most 300 characters.
pub fn clean_store_text(text: &str) -> String {
    let mut stripped = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => stripped.push(c),
            _ => {}
        }
    }
    let decoded = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&hellip;", "…")
        .replace("&amp;", "&");
    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 300 {
        let mut cut: String = collapsed.chars().take(300).collect();
        cut.push('…');
        cut
    } else {
        collapsed
    }
}

/// Turns a store's error answer (HTTP status + optional JSON error body) into a [`WooError`].
///
/// This is a pure function so the whole table can be tested. Codes are matched first; messages
/// are consulted only where WooCommerce uses one generic code for several causes
/// (`woocommerce_rest_authentication_error`), and those messages are the English originals.
pub fn classify_api_error(
    status: u16,
    body: Option<&ApiErrorBody>,
    request: &str,
    retry_after: Option<Duration>,
) -> WooError {
    let request = request.to_owned();
    let code = body.map(|b| b.code.as_str()).unwrap_or_default();
    let raw_message = body.map(|b| b.message.as_str()).unwrap_or_default();
    let message = clean_store_text(raw_message);

    if status == 429 {
        return WooError::RateLimited {
            request,
            retry_after,
        };
    }
    if status == 413 {
        return WooError::BatchTooLarge { request };
    }
    if status >= 500 {
        return WooError::StoreDown { request, status };
    }

    match (status, code) {
        (401, "woocommerce_rest_authentication_error") => {
            let lower = raw_message.to_ascii_lowercase();
            if lower.contains("consumer secret is invalid")
                || lower.contains("signature does not match")
            {
                WooError::WrongSecret { request }
            } else if lower.contains("consumer key is invalid") {
                WooError::UnknownKey { request }
            } else if lower.contains("does not have write permissions") {
                WooError::ReadOnlyKey { request }
            } else if lower.contains("does not have read permissions") {
                WooError::WriteOnlyKey { request }
            } else if lower.contains("invalid timestamp") {
                WooError::ClockSkew { request }
            } else {
                WooError::AuthRejected {
                    request,
                    code: code.to_owned(),
                    message,
                }
            }
        }
        (401, c) if c.starts_with("woocommerce_rest_cannot_") => WooError::UnknownKey { request },
        (401, "") => WooError::AuthRejected {
            request,
            code: "http_401".to_owned(),
            message: "the store asked for credentials".to_owned(),
        },
        (401, c) => WooError::AuthRejected {
            request,
            code: c.to_owned(),
            message,
        },
        (403, c) => WooError::Forbidden {
            request,
            code: (!c.is_empty()).then(|| c.to_owned()),
            message: if message.is_empty() {
                "access denied".to_owned()
            } else {
                message
            },
        },
        (404, "rest_no_route") => WooError::NoRoute { request },
        (404 | 410, c) if !c.is_empty() => WooError::NotFound {
            request,
            code: c.to_owned(),
            message,
        },
        (_, "") => WooError::Rejected {
            request,
            status,
            code: format!("http_{status}"),
            message: "the store gave no reason".to_owned(),
            resource_id: None,
        },
        (_, c) => WooError::Rejected {
            request,
            status,
            code: c.to_owned(),
            message,
            resource_id: body.and_then(|b| b.data.resource_id),
        },
    }
}

impl WooError {
    /// The same error with `secret` removed from every text it carries — a last barrier for
    /// text that came from outside (store messages, answers echoing a request).
    pub fn redacted(self, secret: &crate::secret::Secret) -> WooError {
        use crate::secret::redact;
        let r = |s: String| redact(&s, secret);
        match self {
            WooError::Config { message } => WooError::Config {
                message: r(message),
            },
            WooError::InsecureHttp { url } => WooError::InsecureHttp { url: r(url) },
            WooError::UnknownKey { request } => WooError::UnknownKey {
                request: r(request),
            },
            WooError::WrongSecret { request } => WooError::WrongSecret {
                request: r(request),
            },
            WooError::ReadOnlyKey { request } => WooError::ReadOnlyKey {
                request: r(request),
            },
            WooError::WriteOnlyKey { request } => WooError::WriteOnlyKey {
                request: r(request),
            },
            WooError::AuthRejected {
                request,
                code,
                message,
            } => WooError::AuthRejected {
                request: r(request),
                code: r(code),
                message: r(message),
            },
            WooError::ClockSkew { request } => WooError::ClockSkew {
                request: r(request),
            },
            WooError::Forbidden {
                request,
                code,
                message,
            } => WooError::Forbidden {
                request: r(request),
                code: code.map(r),
                message: r(message),
            },
            WooError::PlainPermalinks { store_url } => WooError::PlainPermalinks {
                store_url: r(store_url),
            },
            WooError::NotWordPress { store_url, detail } => WooError::NotWordPress {
                store_url: r(store_url),
                detail: r(detail),
            },
            WooError::WooCommerceMissing { store_url } => WooError::WooCommerceMissing {
                store_url: r(store_url),
            },
            WooError::Tls { host, problem } => WooError::Tls {
                host: r(host),
                problem: match problem {
                    TlsProblem::Other(detail) => TlsProblem::Other(r(detail)),
                    other => other,
                },
            },
            WooError::Dns { host } => WooError::Dns { host: r(host) },
            WooError::ConnectionRefused { host } => WooError::ConnectionRefused { host: r(host) },
            WooError::ConnectionLost { request } => WooError::ConnectionLost {
                request: r(request),
            },
            WooError::Timeout { request, after } => WooError::Timeout {
                request: r(request),
                after,
            },
            WooError::StoreDown { request, status } => WooError::StoreDown {
                request: r(request),
                status,
            },
            WooError::RateLimited {
                request,
                retry_after,
            } => WooError::RateLimited {
                request: r(request),
                retry_after,
            },
            WooError::Redirect {
                request,
                status,
                location,
            } => WooError::Redirect {
                request: r(request),
                status,
                location: r(location),
            },
            WooError::NotApiResponse {
                request,
                status,
                content_type,
            } => WooError::NotApiResponse {
                request: r(request),
                status,
                content_type: r(content_type),
            },
            WooError::BrokenResponse { request, detail } => WooError::BrokenResponse {
                request: r(request),
                detail: r(detail),
            },
            WooError::UnexpectedResponse { request, detail } => WooError::UnexpectedResponse {
                request: r(request),
                detail: r(detail),
            },
            WooError::NoRoute { request } => WooError::NoRoute {
                request: r(request),
            },
            WooError::NotFound {
                request,
                code,
                message,
            } => WooError::NotFound {
                request: r(request),
                code: r(code),
                message: r(message),
            },
            WooError::Rejected {
                request,
                status,
                code,
                message,
                resource_id,
            } => WooError::Rejected {
                request: r(request),
                status,
                code: r(code),
                message: r(message),
                resource_id,
            },
            WooError::BatchTooLarge { request } => WooError::BatchTooLarge {
                request: r(request),
            },
            WooError::OutcomeUnknown { request, cause } => WooError::OutcomeUnknown {
                request: r(request),
                cause: Box::new(cause.redacted(secret)),
            },
            WooError::Decode {
                record,
                path,
                message,
            } => WooError::Decode {
                record: r(record),
                path: r(path),
                message: r(message),
            },
            WooError::Cancelled => WooError::Cancelled,
            WooError::Transport { request, detail } => WooError::Transport {
                request: r(request),
                detail: r(detail),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::woo::model::error::ErrorData;

    fn body(code: &str, message: &str) -> ApiErrorBody {
        ApiErrorBody {
            code: code.to_owned(),
            message: message.to_owned(),
            data: ErrorData::default(),
        }
    }

    fn kind(status: u16, code: &str, message: &str) -> WooErrorKind {
        let b = body(code, message);
        classify_api_error(status, Some(&b), "GET /wp-json/wc/v3/products", None).kind()
    }

    #[test]
    fn classification_table() {
        use WooErrorKind as K;
        let table: &[(u16, &str, &str, K)] = &[
            (
                401,
                "woocommerce_rest_authentication_error",
                "Consumer secret is invalid.",
                K::WrongSecret,
            ),
            (
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
                K::WrongSecret,
            ),
            (
                401,
                "woocommerce_rest_authentication_error",
                "Consumer key is invalid.",
                K::UnknownKey,
            ),
            (
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
                K::ReadOnlyKey,
            ),
            (
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have read permissions.",
                K::WriteOnlyKey,
            ),
            (
                401,
                "woocommerce_rest_authentication_error",
                "Invalid timestamp.",
                K::ClockSkew,
            ),
            (
                401,
                "woocommerce_rest_authentication_error",
                "Invalid nonce - nonce has already been used.",
                K::AuthRejected,
            ),
            (
                401,
                "woocommerce_rest_authentication_missing_parameter",
                "Missing OAuth parameter(s) oauth_nonce",
                K::AuthRejected,
            ),
            (
                401,
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
                K::UnknownKey,
            ),
            (
                401,
                "woocommerce_rest_cannot_create",
                "Sorry, you are not allowed to create resources.",
                K::UnknownKey,
            ),
            (
                401,
                "woocommerce_rest_cannot_batch",
                "Sorry, you are not allowed to batch manipulate this resource.",
                K::UnknownKey,
            ),
            (
                401,
                "rest_forbidden",
                "Sorry, you are not allowed to do that.",
                K::AuthRejected,
            ),
            (
                403,
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
                K::Forbidden,
            ),
            (
                404,
                "rest_no_route",
                "No route was found matching the URL and request method.",
                K::NoRoute,
            ),
            (
                404,
                "woocommerce_rest_product_invalid_id",
                "Invalid ID.",
                K::NotFound,
            ),
            (
                404,
                "woocommerce_rest_invalid_product_id",
                "To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.",
                K::NotFound,
            ),
            (
                400,
                "rest_invalid_param",
                "Invalid parameter(s): per_page",
                K::Rejected,
            ),
            (
                400,
                "product_invalid_sku",
                "Invalid or duplicated SKU.",
                K::Rejected,
            ),
            (
                413,
                "woocommerce_rest_request_entity_too_large",
                "Unable to accept more than 100 items for this request.",
                K::BatchTooLarge,
            ),
            (429, "", "", K::RateLimited),
            (
                500,
                "woocommerce_rest_cannot_create_order_refund",
                "The payment gateway for this order does not support automatic refunds.",
                K::StoreDown,
            ),
            (502, "", "", K::StoreDown),
            (503, "", "", K::StoreDown),
            (508, "", "", K::StoreDown),
            (522, "", "", K::StoreDown),
        ];
        for (status, code, message, expected) in table {
            assert_eq!(
                kind(*status, code, message),
                *expected,
                "{status} {code} {message}"
            );
        }
    }

    #[test]
    fn no_body_is_classified_by_status() {
        let e = classify_api_error(403, None, "GET /x", None);
        assert_eq!(e.kind(), WooErrorKind::Forbidden);
        let e = classify_api_error(401, None, "GET /x", None);
        assert_eq!(e.kind(), WooErrorKind::AuthRejected);
        let e = classify_api_error(429, None, "GET /x", Some(Duration::from_secs(7)));
        assert!(e.to_string().contains("wait 7 seconds"), "{e}");
        assert!(e.is_transient());
    }

    #[test]
    fn messages_tell_what_to_do() {
        let e = classify_api_error(
            401,
            Some(&body(
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            )),
            "POST /wp-json/wc/v3/products/batch",
            None,
        );
        let text = e.to_string();
        assert!(text.contains("Read/Write"), "{text}");
        assert!(
            text.contains("WooCommerce → Settings → Advanced → REST API"),
            "{text}"
        );
        assert!(!e.is_transient());
    }

    #[test]
    fn store_text_is_cleaned() {
        assert_eq!(
            clean_store_text(
                "To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint."
            ),
            "To manipulate product variations you should use the /products/<product_id>/variations/<id> endpoint."
        );
        assert_eq!(
            clean_store_text(
                "An account is already registered with your email address. <a href=\"#\" class=\"showlogin\">Please log in.</a>"
            ),
            "An account is already registered with your email address. Please log in."
        );
        assert_eq!(clean_store_text(&"x".repeat(400)).chars().count(), 301);
    }

    #[test]
    fn resource_id_is_kept_on_rejections() {
        let mut b = body("product_invalid_sku", "Invalid or duplicated SKU.");
        b.data.resource_id = Some(1029);
        match classify_api_error(400, Some(&b), "POST /x", None) {
            WooError::Rejected { resource_id, .. } => assert_eq!(resource_id, Some(1029)),
            other => panic!("unexpected {other:?}"),
        }
    }
}
