//! The HTTP transport: one `reqwest::Client` with rustls (ring) and the operating system's
//! certificate verifier, no redirects, gzip, timeouts; and the translation of transport failures
//! into [`WooError`]s.

use std::error::Error as StdError;
use std::sync::Arc;

use super::config::{StoreAddress, WooConfig};
use super::error::{TlsProblem, WooError, WooErrorKind};
use super::retry::Event;

/// Builds the TLS configuration: ring crypto and the operating system's own certificate
/// verifier, so a store is trusted exactly when the computer trusts it — company roots pushed
/// by group policy and the Windows certificate store included. On Linux the verifier reads the
/// system's PEM bundle, honouring `SSL_CERT_FILE` / `SSL_CERT_DIR`. Certificates are always
/// verified.
///
/// `require_roots`: for an `http://` store no certificate is ever checked, so a computer without
/// any trusted root is no reason to refuse it.
pub fn tls_config(require_roots: bool) -> Result<rustls::ClientConfig, WooError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = match rustls_platform_verifier::Verifier::new(provider.clone()) {
        Ok(v) => Arc::new(v) as Arc<dyn rustls::client::danger::ServerCertVerifier>,
        Err(e) if require_roots => {
            return Err(WooError::config(format!(
                "this computer's trusted certificates could not be loaded ({e}), so no HTTPS store can be verified"
            )));
        }
        Err(_) => rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(rustls::RootCertStore::empty()),
            provider.clone(),
        )
        .build()
        .map_err(|e| WooError::config(format!("TLS setup failed: {e}")))?,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| WooError::config(format!("TLS setup failed: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// The HTTP client for one store.
pub fn http_client(cfg: &WooConfig, store: &StoreAddress) -> Result<reqwest::Client, WooError> {
    let tls = tls_config(store.is_https())?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(cfg.connect_timeout)
        .timeout(cfg.request_timeout)
        .gzip(true)
        .user_agent(cfg.user_agent.clone())
        .pool_max_idle_per_host(cfg.max_concurrency.max(1))
        .build()
        .map_err(|e| {
            WooError::config(format!(
                "the HTTP client could not be built: {}",
                e.without_url()
            ))
        })
}

/// Iterates over an error and its sources, including the error wrapped inside an
/// `io::Error` (which `source()` skips).
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = next {
        out.push(e);
        // Wrapped errors can nest (an io::Error around an io::Error around the TLS error).
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            next = Some(inner);
            continue;
        }
        next = e.source();
    }
    out
}

fn tls_problem(err: &(dyn StdError + 'static)) -> Option<TlsProblem> {
    for e in chain(err) {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            use rustls::CertificateError as C;
            return Some(match tls {
                rustls::Error::InvalidCertificate(c) => match c {
                    C::UnknownIssuer | C::BadSignature | C::UnhandledCriticalExtension => {
                        TlsProblem::Untrusted
                    }
                    C::Expired | C::NotValidYet => TlsProblem::Expired,
                    C::ExpiredContext { .. } | C::NotValidYetContext { .. } => TlsProblem::Expired,
                    C::NotValidForName | C::NotValidForNameContext { .. } => {
                        TlsProblem::WrongHostName
                    }
                    other => TlsProblem::Other(format!(
                        "the store's certificate was refused ({other:?})"
                    )),
                },
                other => TlsProblem::Other(format!("TLS handshake failed ({other})")),
            });
        }
    }
    None
}

fn has_io_kind(err: &(dyn StdError + 'static), kinds: &[std::io::ErrorKind]) -> bool {
    chain(err).iter().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| kinds.contains(&io.kind()))
    })
}

/// Text of an error chain without URLs (reqwest's own `Display` names the URL, which may
/// carry query-string keys).
fn describe(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut next: Option<&(dyn StdError + 'static)> = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
        next = e.source();
    }
    if parts.is_empty() {
        "network error".to_owned()
    } else {
        parts.join(": ")
    }
}

/// Classifies a transport failure: the retry event and the error to report if it is final.
pub fn classify_transport(
    err: &reqwest::Error,
    store: &StoreAddress,
    request: &str,
    timeout: std::time::Duration,
) -> (Event, WooError) {
    let as_std: &(dyn StdError + 'static) = err;
    let tls = |problem: TlsProblem| {
        WooError::new(WooErrorKind::Tls)
            .with_host(store.host())
            .with_tls(problem)
    };
    let timed_out = || {
        WooError::new(WooErrorKind::Timeout)
            .with_request(request)
            .with_timeout(timeout)
    };
    let transport = |detail: String| {
        WooError::new(WooErrorKind::Transport)
            .with_request(request)
            .with_detail(detail)
    };
    if let Some(problem) = tls_problem(as_std) {
        return (Event::Fatal, tls(problem));
    }
    if err.is_dns() {
        return (
            Event::Fatal,
            WooError::new(WooErrorKind::Dns).with_host(store.host()),
        );
    }
    if err.is_connect() {
        if has_io_kind(as_std, &[std::io::ErrorKind::ConnectionRefused]) {
            return (
                Event::ConnectFailed,
                WooError::new(WooErrorKind::ConnectionRefused).with_host(store.host_port()),
            );
        }
        if err.is_timeout() {
            return (Event::ConnectFailed, timed_out());
        }
        let detail = describe(err);
        let lower = detail.to_ascii_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            return (Event::Fatal, tls(TlsProblem::Other(detail)));
        }
        return (Event::ConnectFailed, transport(detail));
    }
    if err.is_timeout() {
        return (Event::Timeout, timed_out());
    }
    if err.is_redirect() || err.is_builder() {
        return (Event::Fatal, transport(describe(err)));
    }
    // Request sent (or partly sent) and then the connection failed: reset, EOF, cut-off body.
    (
        Event::ConnectionLost,
        WooError::new(WooErrorKind::ConnectionLost).with_request(request),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    fn nested(e: rustls::Error) -> io::Error {
        // The shape reqwest produces: io::Error(Other, io::Error(InvalidData, rustls::Error)).
        io::Error::other(io::Error::new(io::ErrorKind::InvalidData, e))
    }

    #[test]
    fn certificate_problems_are_named() {
        use rustls::CertificateError as C;
        let cases = [
            (C::UnknownIssuer, TlsProblem::Untrusted),
            (C::BadSignature, TlsProblem::Untrusted),
            (C::Expired, TlsProblem::Expired),
            (C::NotValidYet, TlsProblem::Expired),
            (C::NotValidForName, TlsProblem::WrongHostName),
        ];
        for (cert, expected) in cases {
            let err = nested(rustls::Error::InvalidCertificate(cert));
            assert_eq!(tls_problem(&err), Some(expected));
        }
        let err = nested(rustls::Error::HandshakeNotComplete);
        assert!(matches!(tls_problem(&err), Some(TlsProblem::Other(_))));
        assert_eq!(tls_problem(&io::Error::other("plain")), None);
    }

    #[test]
    fn io_kinds_are_found_through_wrappers() {
        let err = io::Error::other(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert!(has_io_kind(&err, &[io::ErrorKind::ConnectionRefused]));
        assert!(!has_io_kind(&err, &[io::ErrorKind::TimedOut]));
    }
}
