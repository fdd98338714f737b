//! Errors of the WooCommerce client, written for the store owner who has to fix the cause.
//!
//! A [`WooError`] is a [`WooErrorKind`] (what went wrong, stable, mapped to ABI statuses by the
//! plugin) plus an [`ErrorContext`] (which request, the HTTP status, the store's code and
//! message, …). The wording lives in one place, [`WooError`]'s `Display`, per kind.
//!
//! No message ever contains the consumer secret: requests are named by method and path only
//! (never the query string), redirect targets are shown without their query, and every text
//! that came from the store passes through the client's [`Redactor`] where it enters the client
//! and once more when the error leaves it.

use std::fmt;
use std::time::Duration;

use super::model::error::ApiErrorBody;
use crate::secret::Redactor;

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
    /// WordPress answers at the Store URL only through `?rest_route=`, and says its own
    /// address is a different one: the Store URL points below or beside the site.
    WrongStoreUrl,
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

impl WooErrorKind {
    /// Every kind, in declaration order (for tables and exhaustive tests).
    pub const ALL: &'static [WooErrorKind] = &[
        WooErrorKind::Config,
        WooErrorKind::InsecureHttp,
        WooErrorKind::UnknownKey,
        WooErrorKind::WrongSecret,
        WooErrorKind::ReadOnlyKey,
        WooErrorKind::WriteOnlyKey,
        WooErrorKind::AuthRejected,
        WooErrorKind::ClockSkew,
        WooErrorKind::Forbidden,
        WooErrorKind::PlainPermalinks,
        WooErrorKind::WrongStoreUrl,
        WooErrorKind::NotWordPress,
        WooErrorKind::WooCommerceMissing,
        WooErrorKind::Tls,
        WooErrorKind::Dns,
        WooErrorKind::ConnectionRefused,
        WooErrorKind::ConnectionLost,
        WooErrorKind::Timeout,
        WooErrorKind::StoreDown,
        WooErrorKind::RateLimited,
        WooErrorKind::Redirect,
        WooErrorKind::NotApiResponse,
        WooErrorKind::BrokenResponse,
        WooErrorKind::UnexpectedResponse,
        WooErrorKind::NoRoute,
        WooErrorKind::NotFound,
        WooErrorKind::Rejected,
        WooErrorKind::BatchTooLarge,
        WooErrorKind::OutcomeUnknown,
        WooErrorKind::Decode,
        WooErrorKind::Cancelled,
        WooErrorKind::Transport,
    ];
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

/// What is known about a failure besides its kind. Every field is optional; a kind's message
/// uses the fields that matter for it.
///
/// `request` reads like `GET /wp-json/wc/v3/products` — method and path, never the query.
/// Text fields that came from the store have been cleaned of HTML and redacted.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorContext {
    /// The request concerned.
    pub request: Option<String>,
    /// The HTTP status the store answered with.
    pub status: Option<u16>,
    /// The store's error code (`woocommerce_rest_product_invalid_id`, …).
    pub code: Option<String>,
    /// The store's message, cleaned.
    pub message: Option<String>,
    /// What went wrong, in the client's words (or an excerpt of a page the store sent).
    pub detail: Option<String>,
    /// How long the store asked to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// `data.resource_id` of the store's error, e.g. the product that already owns a SKU.
    pub resource_id: Option<u64>,
    /// The Store URL as configured (no query).
    pub store_url: Option<String>,
    /// The address the WordPress site reports for itself (`home` of its REST index).
    pub site_address: Option<String>,
    /// Host (and port) of the store.
    pub host: Option<String>,
    /// Where a redirect points, without query string.
    pub location: Option<String>,
    /// The `Content-Type` received.
    pub content_type: Option<String>,
    /// The timeout that expired.
    pub timeout: Option<Duration>,
    /// What was wrong with TLS.
    pub tls: Option<TlsProblem>,
    /// The record that could not be understood, e.g. `product 1031` or `order #3 on page 2`.
    pub record: Option<String>,
    /// Path of the bad field inside the record (`.` for the record itself).
    pub field: Option<String>,
}

/// Everything that can go wrong talking to a WooCommerce store: a [`WooErrorKind`] and its
/// [`ErrorContext`].
#[derive(Clone, PartialEq, Eq)]
pub struct WooError(Box<Repr>);

#[derive(Clone, PartialEq, Eq)]
struct Repr {
    kind: WooErrorKind,
    context: ErrorContext,
    /// What happened to a write whose outcome is unknown.
    cause: Option<WooError>,
}

impl WooError {
    /// An error of `kind` without context; add it with the `with_*` methods.
    pub fn new(kind: WooErrorKind) -> WooError {
        WooError(Box::new(Repr {
            kind,
            context: ErrorContext::default(),
            cause: None,
        }))
    }

    /// Invalid connection settings; `message` says what to correct.
    pub fn config(message: impl Into<String>) -> WooError {
        WooError::new(WooErrorKind::Config).with_detail(message)
    }

    /// The caller cancelled the operation.
    pub fn cancelled() -> WooError {
        WooError::new(WooErrorKind::Cancelled)
    }

    /// `request` was answered with valid JSON of an unexpected shape.
    pub fn unexpected(request: impl Into<String>, detail: impl Into<String>) -> WooError {
        WooError::new(WooErrorKind::UnexpectedResponse)
            .with_request(request)
            .with_detail(detail)
    }

    /// A record that could not be understood.
    pub fn decode(
        record: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> WooError {
        let mut e = WooError::new(WooErrorKind::Decode).with_detail(message);
        e.0.context.record = Some(record.into());
        e.0.context.field = Some(field.into());
        e
    }

    /// The write `request` may or may not have been applied; `cause` says what happened.
    pub fn outcome_unknown(request: impl Into<String>, cause: WooError) -> WooError {
        let mut e = WooError::new(WooErrorKind::OutcomeUnknown).with_request(request);
        e.0.context.status = cause.http_status();
        e.0.cause = Some(cause);
        e
    }

    /// Sets the request concerned (method and path, never the query).
    pub fn with_request(mut self, request: impl Into<String>) -> WooError {
        self.0.context.request = Some(request.into());
        self
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> WooError {
        self.0.context.status = Some(status);
        self
    }

    /// Sets the store's error code and (cleaned) message.
    pub fn with_store_error(mut self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.0.context.code = Some(code.into());
        self.0.context.message = Some(message.into());
        self
    }

    /// Sets the store's (cleaned) message alone, e.g. the text of a firewall's page.
    pub fn with_message(mut self, message: impl Into<String>) -> WooError {
        self.0.context.message = Some(message.into());
        self
    }

    /// Sets what went wrong, in the client's words.
    pub fn with_detail(mut self, detail: impl Into<String>) -> WooError {
        self.0.context.detail = Some(detail.into());
        self
    }

    /// Sets how long the store asked to wait.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> WooError {
        self.0.context.retry_after = retry_after;
        self
    }

    /// Sets the record the store's error is about.
    pub fn with_resource_id(mut self, resource_id: Option<u64>) -> WooError {
        self.0.context.resource_id = resource_id;
        self
    }

    /// Sets the Store URL.
    pub fn with_store_url(mut self, store_url: impl Into<String>) -> WooError {
        self.0.context.store_url = Some(store_url.into());
        self
    }

    /// Sets the address the site reports for itself.
    pub fn with_site_address(mut self, address: impl Into<String>) -> WooError {
        self.0.context.site_address = Some(address.into());
        self
    }

    /// Sets the store's host (and port).
    pub fn with_host(mut self, host: impl Into<String>) -> WooError {
        self.0.context.host = Some(host.into());
        self
    }

    /// Sets where a redirect points (without query).
    pub fn with_location(mut self, location: impl Into<String>) -> WooError {
        self.0.context.location = Some(location.into());
        self
    }

    /// Sets the content type received.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> WooError {
        self.0.context.content_type = Some(content_type.into());
        self
    }

    /// Sets the timeout that expired.
    pub fn with_timeout(mut self, after: Duration) -> WooError {
        self.0.context.timeout = Some(after);
        self
    }

    /// Sets the TLS problem.
    pub fn with_tls(mut self, problem: TlsProblem) -> WooError {
        self.0.context.tls = Some(problem);
        self
    }

    /// The stable category of this error.
    pub fn kind(&self) -> WooErrorKind {
        self.0.kind
    }

    /// Everything known about the failure.
    pub fn context(&self) -> &ErrorContext {
        &self.0.context
    }

    /// For [`WooErrorKind::OutcomeUnknown`]: what happened to the write.
    pub fn cause(&self) -> Option<&WooError> {
        self.0.cause.as_ref()
    }

    /// The request concerned, as `METHOD /path`.
    pub fn request(&self) -> Option<&str> {
        self.0.context.request.as_deref()
    }

    /// The store's error code, when it sent one.
    pub fn store_code(&self) -> Option<&str> {
        self.0.context.code.as_deref()
    }

    /// The store's message (cleaned), when it sent one.
    pub fn store_message(&self) -> Option<&str> {
        self.0.context.message.as_deref()
    }

    /// How long the store asked to wait before the next request.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.context.retry_after
    }

    /// `data.resource_id` of the store's error (the owner of a duplicate SKU, …).
    pub fn resource_id(&self) -> Option<u64> {
        self.0.context.resource_id
    }

    /// What was wrong with TLS, for [`WooErrorKind::Tls`].
    pub fn tls_problem(&self) -> Option<&TlsProblem> {
        self.0.context.tls.as_ref()
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
        use WooErrorKind as K;
        if let Some(status) = self.0.context.status {
            return Some(status);
        }
        match self.kind() {
            K::RateLimited => Some(429),
            K::Forbidden => Some(403),
            K::NotFound | K::NoRoute => Some(404),
            K::BatchTooLarge => Some(413),
            K::UnknownKey
            | K::WrongSecret
            | K::ReadOnlyKey
            | K::WriteOnlyKey
            | K::AuthRejected
            | K::ClockSkew => Some(401),
            K::OutcomeUnknown => self.cause().and_then(WooError::http_status),
            _ => None,
        }
    }

    /// The same error with the secret removed from every text it carries, in every form the
    /// redactor knows — a last barrier for text that came from outside.
    pub fn redacted<'a>(mut self, redactor: impl Into<RedactWith<'a>>) -> WooError {
        let redactor = redactor.into();
        let r = redactor.get();
        let c = &mut self.0.context;
        for field in [
            &mut c.request,
            &mut c.code,
            &mut c.message,
            &mut c.detail,
            &mut c.store_url,
            &mut c.site_address,
            &mut c.host,
            &mut c.location,
            &mut c.content_type,
            &mut c.record,
            &mut c.field,
        ] {
            if let Some(text) = field.as_mut() {
                *text = r.redact(text);
            }
        }
        if let Some(TlsProblem::Other(detail)) = c.tls.as_mut() {
            *detail = r.redact(detail);
        }
        if let Some(cause) = self.0.cause.take() {
            self.0.cause = Some(cause.redacted(r));
        }
        self
    }
}

/// A redactor borrowed or built for one [`WooError::redacted`] call.
pub enum RedactWith<'a> {
    /// The client's redactor.
    Borrowed(&'a Redactor),
    /// One built from a bare secret.
    Owned(Redactor),
}

impl RedactWith<'_> {
    fn get(&self) -> &Redactor {
        match self {
            RedactWith::Borrowed(r) => r,
            RedactWith::Owned(r) => r,
        }
    }
}

impl<'a> From<&'a Redactor> for RedactWith<'a> {
    fn from(r: &'a Redactor) -> Self {
        RedactWith::Borrowed(r)
    }
}

impl From<&crate::secret::Secret> for RedactWith<'_> {
    fn from(secret: &crate::secret::Secret) -> Self {
        RedactWith::Owned(Redactor::from(secret))
    }
}

impl fmt::Debug for WooError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.0.context;
        let mut d = f.debug_struct("WooError");
        d.field("kind", &self.0.kind);
        macro_rules! some {
            ($($name:ident),*) => {$(
                if let Some(v) = &c.$name {
                    d.field(stringify!($name), v);
                }
            )*};
        }
        some!(
            request,
            status,
            code,
            message,
            detail,
            retry_after,
            resource_id,
            store_url,
            site_address,
            host,
            location,
            content_type,
            timeout,
            tls,
            record,
            field
        );
        if let Some(cause) = &self.0.cause {
            d.field("cause", cause);
        }
        d.finish()
    }
}

impl std::error::Error for WooError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .cause
            .as_ref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for WooError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use WooErrorKind as K;
        let c = &self.0.context;
        let request = c.request.as_deref().unwrap_or("the request");
        let store_url = c.store_url.as_deref().unwrap_or("the Store URL");
        let host = c.host.as_deref().unwrap_or("the store");
        let detail = c.detail.as_deref().unwrap_or("no details");
        let message = c.message.as_deref().unwrap_or("the store gave no reason");
        let code = c.code.as_deref().unwrap_or("no error code");
        let status = c
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "?".into());
        match self.0.kind {
            K::Config => write!(f, "The connection settings are not valid: {detail}"),
            K::InsecureHttp => write!(
                f,
                "The Store URL {store_url} starts with http://, which would send the API key unencrypted. Use the store's https:// address, or turn on \"Allow insecure HTTP\" only if the store really has no HTTPS."
            ),
            K::UnknownKey => write!(
                f,
                "WooCommerce did not accept the consumer key ({request}): the key is unknown or was revoked. Check it under WooCommerce → Settings → Advanced → REST API, or create a new key. If the key is correct, the web server may be removing the credentials before WordPress sees them."
            ),
            K::WrongSecret => write!(
                f,
                "The consumer secret does not match the consumer key ({request}). Copy the secret again, or create a new key under WooCommerce → Settings → Advanced → REST API (the secret is shown only once)."
            ),
            K::ReadOnlyKey => write!(
                f,
                "The API key is read-only ({request}): give the key Read/Write permission under WooCommerce → Settings → Advanced → REST API, then reconnect."
            ),
            K::WriteOnlyKey => write!(
                f,
                "The API key is write-only ({request}): give the key Read/Write permission under WooCommerce → Settings → Advanced → REST API, then reconnect."
            ),
            K::AuthRejected => write!(
                f,
                "WooCommerce refused the authentication of {request}: {message} ({code})"
            ),
            K::ClockSkew => write!(
                f,
                "The store rejected the time stamp of {request}: this computer's clock differs from the store's by more than 15 minutes. Correct the date and time on this computer."
            ),
            K::Forbidden => {
                let code_part = c
                    .code
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default();
                let message = c.message.as_deref().unwrap_or("access denied");
                write!(
                    f,
                    "The store refused {request} (HTTP 403{code_part}): {message}. The WordPress user who owns the API key needs the Administrator or Shop Manager role; a security plugin or firewall can also cause this."
                )
            }
            K::PlainPermalinks => write!(
                f,
                "The store at {store_url} uses plain permalinks, and WooCommerce accepts API keys only on /wp-json/ addresses. In WordPress open Settings → Permalinks, choose any structure other than \"Plain\", save, and reconnect."
            ),
            K::WrongStoreUrl => {
                let site = c.site_address.as_deref().unwrap_or("another address");
                write!(
                    f,
                    "The Store URL {store_url} is not the address of the WordPress site: its REST API is not at {store_url}/wp-json/, and WordPress reports that this WordPress site's address is {site} — use that as the Store URL."
                )
            }
            K::NotWordPress => write!(
                f,
                "No WordPress REST API answered at {store_url} ({detail}). Check the Store URL: it must be the address of the WordPress site's home page, including any sub-folder."
            ),
            K::WooCommerceMissing => write!(
                f,
                "WordPress answers at {store_url}, but the WooCommerce REST API (wc/v3) is missing. Check that the WooCommerce plugin is installed and active."
            ),
            K::Tls => {
                let problem = c
                    .tls
                    .clone()
                    .unwrap_or_else(|| TlsProblem::Other("the TLS handshake failed".into()));
                write!(f, "The secure connection to {host} failed: {problem}.")
            }
            K::Dns => write!(
                f,
                "The store's address {host} could not be found (DNS). Check the Store URL and this computer's internet connection."
            ),
            K::ConnectionRefused => write!(
                f,
                "Nothing accepted the connection at {host}: the store's web server is down, or the port in the Store URL is wrong."
            ),
            K::ConnectionLost => write!(
                f,
                "The connection to the store broke during {request}. Check the internet connection; the store may be overloaded."
            ),
            K::Timeout => {
                let within = crate::runtime::timeouts::spoken(c.timeout.unwrap_or_default());
                match &c.detail {
                    Some(detail) => write!(
                        f,
                        "The store did not answer {request} in time: {detail}. It may be slow or overloaded; try again later or raise the request timeout."
                    ),
                    None => write!(
                        f,
                        "The store did not answer {request} within {within}. It may be slow or overloaded; try again later or raise the request timeout."
                    ),
                }
            }
            K::StoreDown => write!(
                f,
                "The store answered {request} with HTTP {status}: the store or its host is down or overloaded. Try again later."
            ),
            K::RateLimited => {
                let wait = match c.retry_after {
                    Some(d) => format!("It asked to wait {} seconds.", d.as_secs()),
                    None => "Try again later.".to_owned(),
                };
                write!(
                    f,
                    "The store (or its host or firewall) is limiting requests ({request}, HTTP 429). {wait}"
                )
            }
            K::Redirect => {
                let location = c
                    .location
                    .as_deref()
                    .unwrap_or("an address it did not name");
                write!(
                    f,
                    "The store redirects to {location} (HTTP {status} for {request}); use that address as the Store URL."
                )
            }
            K::NotApiResponse => {
                let content_type = c.content_type.as_deref().unwrap_or("no content type");
                let page = c
                    .detail
                    .as_deref()
                    .map(|p| format!(", \"{p}\""))
                    .unwrap_or_default();
                write!(
                    f,
                    "The answer to {request} is not from the WordPress REST API (HTTP {status}, {content_type}{page}). The Store URL may be wrong, the site may not be WordPress, or a firewall or bot protection is blocking the request."
                )
            }
            K::BrokenResponse => write!(
                f,
                "The store's answer to {request} could not be read: {detail}. The answer was cut off or is not valid JSON (a plugin printing warnings into API answers can cause this)."
            ),
            K::UnexpectedResponse => write!(
                f,
                "The store's answer to {request} is not what WooCommerce sends: {detail}."
            ),
            K::NoRoute => write!(
                f,
                "The store has no REST route for {request}: WooCommerce is not active, or too old for this request."
            ),
            K::NotFound => write!(
                f,
                "The store has no such record ({request}): {message} ({code})."
            ),
            K::Rejected => write!(
                f,
                "The store rejected {request} (HTTP {status}, {code}): {message}"
            ),
            K::BatchTooLarge => write!(
                f,
                "The store refused a batch as too large even with a single item ({request}, HTTP 413). A web-server upload limit or a store filter may be set too low."
            ),
            K::OutcomeUnknown => {
                let cause = self
                    .0
                    .cause
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "the answer was lost.".to_owned());
                write!(
                    f,
                    "It is not known whether the store applied {request}: {cause} Nothing was retried automatically; re-read the records before trying again."
                )
            }
            K::Decode => {
                let record = c.record.as_deref().unwrap_or("a record");
                let field = c.field.as_deref().unwrap_or(".");
                write!(f, "{record}: field `{field}`: {detail}")
            }
            K::Cancelled => f.write_str("The operation was cancelled."),
            K::Transport => write!(f, "Could not complete {request}: {detail}"),
        }
    }
}

/// Text the store sent (an error message, a page title), made safe to show: HTML tags removed,
/// the common entities decoded, whitespace collapsed, at most 300 characters.
pub fn clean_store_text(text: &str) -> String {
    clean_store_text_with(text, &Redactor::none())
}

/// [`clean_store_text`], with the credentials removed after the entities are decoded (so an
/// encoded secret cannot slip through) and before the text is shortened (so no fragment of
/// one survives a cut).
pub fn clean_store_text_with(text: &str, redactor: &Redactor) -> String {
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
    let decoded = redactor.redact(&decoded);
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
    classify_api_error_with(status, body, request, retry_after, &Redactor::none())
}

/// [`classify_api_error`], removing the credentials from the store's code and message.
pub fn classify_api_error_with(
    status: u16,
    body: Option<&ApiErrorBody>,
    request: &str,
    retry_after: Option<Duration>,
    redactor: &Redactor,
) -> WooError {
    use WooErrorKind as K;
    let code = redactor.redact(body.map(|b| b.code.as_str()).unwrap_or_default());
    let code = code.as_str();
    let raw_message = body.map(|b| b.message.as_str()).unwrap_or_default();
    let message = clean_store_text_with(raw_message, redactor);
    let plain = |kind: WooErrorKind| WooError::new(kind).with_request(request);
    let store = |kind: WooErrorKind| {
        plain(kind)
            .with_status(status)
            .with_store_error(code, message.clone())
    };

    if status == 429 {
        return plain(K::RateLimited)
            .with_status(status)
            .with_retry_after(retry_after);
    }
    if status == 413 {
        return plain(K::BatchTooLarge).with_status(status);
    }
    if status >= 500 {
        return plain(K::StoreDown)
            .with_status(status)
            .with_retry_after(retry_after);
    }

    match (status, code) {
        (401, "woocommerce_rest_authentication_error") => {
            let lower = raw_message.to_ascii_lowercase();
            let kind = if lower.contains("consumer secret is invalid")
                || lower.contains("signature does not match")
            {
                K::WrongSecret
            } else if lower.contains("consumer key is invalid") {
                K::UnknownKey
            } else if lower.contains("does not have write permissions") {
                K::ReadOnlyKey
            } else if lower.contains("does not have read permissions") {
                K::WriteOnlyKey
            } else if lower.contains("invalid timestamp") {
                K::ClockSkew
            } else {
                K::AuthRejected
            };
            store(kind)
        }
        (401, c) if c.starts_with("woocommerce_rest_cannot_") => store(K::UnknownKey),
        (401, "") => plain(K::AuthRejected)
            .with_status(status)
            .with_store_error("http_401", "the store asked for credentials"),
        (401, _) => store(K::AuthRejected),
        (403, "") => plain(K::Forbidden).with_status(status),
        (403, _) => {
            let e = store(K::Forbidden);
            if message.is_empty() {
                e.with_store_error(code, "access denied")
            } else {
                e
            }
        }
        (404, "rest_no_route") => store(K::NoRoute),
        (404 | 410, c) if !c.is_empty() => store(K::NotFound),
        (_, "") => plain(K::Rejected)
            .with_status(status)
            .with_store_error(format!("http_{status}"), "the store gave no reason"),
        (_, _) => store(K::Rejected).with_resource_id(body.and_then(|b| b.data.resource_id)),
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
        let e = classify_api_error(400, Some(&b), "POST /x", None);
        assert_eq!(e.kind(), WooErrorKind::Rejected);
        assert_eq!(e.resource_id(), Some(1029));
    }
}
