//! Reading one HTTP answer: is it an API answer, an error, a redirect, or something else?

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use super::error::{WooError, WooErrorKind, classify_api_error_with, clean_store_text_with};
use super::model::error::ApiErrorBody;
use super::retry::{Event, parse_retry_after};
use crate::secret::{Redactor, url_for_logging};

/// A successful API answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status (2xx).
    pub status: u16,
    /// The parsed body.
    pub json: serde_json::Value,
    /// `X-WP-Total`.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`.
    pub total_pages: Option<u32>,
}

/// The parts of an HTTP answer that matter.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Location`.
    pub location: Option<String>,
    /// `Retry-After`.
    pub retry_after: Option<String>,
    /// `X-WP-Total`.
    pub total: Option<String>,
    /// `X-WP-TotalPages`.
    pub total_pages: Option<String>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl RawAnswer {
    /// Picks the interesting headers.
    pub fn new(status: u16, headers: &HeaderMap, body: Vec<u8>) -> RawAnswer {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        RawAnswer {
            status,
            content_type: text("content-type"),
            location: text("location"),
            retry_after: text("retry-after"),
            total: text("x-wp-total"),
            total_pages: text("x-wp-totalpages"),
            body,
        }
    }
}

/// True for `application/json` and `…+json` content types.
pub fn is_json_content_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let main = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        main == "application/json" || main.ends_with("+json")
    })
}

/// Interprets an answer to `method` (`GET`, `POST`, …) named `request` for messages.
/// Returns the retry event and the result to hand back. Store texts are quoted unredacted;
/// the client uses [`interpret_redacted`].
pub fn interpret(
    method: &str,
    request: &str,
    answer: &RawAnswer,
    now: SystemTime,
) -> (Event, Result<Reply, WooError>) {
    interpret_redacted(method, request, answer, now, &Redactor::none())
}

/// [`interpret`], removing the client's credentials from every text taken from the answer
/// (error messages and codes, page excerpts, headers) before it becomes part of an error.
pub fn interpret_redacted(
    method: &str,
    request: &str,
    answer: &RawAnswer,
    now: SystemTime,
    redactor: &Redactor,
) -> (Event, Result<Reply, WooError>) {
    let status = answer.status;
    let content_type = answer.content_type.as_deref();
    let not_api = || {
        let e = WooError::new(WooErrorKind::NotApiResponse)
            .with_request(request)
            .with_status(status)
            .with_content_type(redactor.redact(&describe_content_type(content_type)));
        match page_excerpt(&answer.body, redactor) {
            Some(page) => e.with_detail(page),
            None => e,
        }
    };

    if (300..400).contains(&status) {
        let location = answer
            .location
            .as_deref()
            .map(|l| redactor.redact(&url_for_logging(l)))
            .unwrap_or_else(|| "an address it did not name".to_owned());
        return (
            Event::Fatal,
            Err(WooError::new(WooErrorKind::Redirect)
                .with_request(request)
                .with_status(status)
                .with_location(location)),
        );
    }

    let retry_after = answer
        .retry_after
        .as_deref()
        .and_then(|v| parse_retry_after(v, now));
    let json_type = is_json_content_type(content_type);
    let parsed: Option<Result<serde_json::Value, serde_json::Error>> =
        json_type.then(|| serde_json::from_slice(&answer.body));
    let broken = |e: &serde_json::Error| {
        WooError::new(WooErrorKind::BrokenResponse)
            .with_request(request)
            .with_status(status)
            .with_detail(describe_json_error(e, answer.body.len()))
    };

    if (200..300).contains(&status) {
        return match parsed {
            None => (Event::Answered { status }, Err(not_api())),
            Some(Err(e)) => (Event::BrokenBody, Err(broken(&e))),
            Some(Ok(json)) => {
                if method != "GET"
                    && json.as_array().is_some_and(|items| !items.is_empty())
                    && !request.ends_with("/batch")
                {
                    return (
                        Event::Answered { status },
                        Err(WooError::unexpected(
                            request,
                            "a write was answered with a list of records, which happens when a redirect turns the write into a read; nothing was changed",
                        )),
                    );
                }
                (
                    Event::Answered { status },
                    Ok(Reply {
                        status,
                        json,
                        total: answer.total.as_deref().and_then(|t| t.trim().parse().ok()),
                        total_pages: answer
                            .total_pages
                            .as_deref()
                            .and_then(|t| t.trim().parse().ok()),
                    }),
                )
            }
        };
    }

    let body = match &parsed {
        Some(Ok(json)) => ApiErrorBody::from_value(json),
        _ => None,
    };
    let transient = status == 429 || status >= 500;
    // A WooCommerce error code on a 5xx is a definitive refusal, not an outage.
    let definitive_5xx = status >= 500
        && body
            .as_ref()
            .is_some_and(|b| !b.code.is_empty() && b.code != "internal_server_error");
    let event = if transient && !definitive_5xx {
        Event::Transient {
            status,
            retry_after,
        }
    } else {
        Event::Answered { status }
    };

    // The store's own words enter the client here, and only cleaned and redacted.
    let error = match (&body, status) {
        (Some(b), _) if definitive_5xx => WooError::new(WooErrorKind::Rejected)
            .with_request(request)
            .with_status(status)
            .with_store_error(
                redactor.redact(&b.code),
                clean_store_text_with(&b.message, redactor),
            )
            .with_resource_id(b.data.resource_id),
        (Some(b), _) => classify_api_error_with(status, Some(b), request, retry_after, redactor),
        (None, 429) | (None, 500..) | (None, 401) | (None, 403) | (None, 413) => {
            let e = classify_api_error_with(status, None, request, retry_after, redactor);
            match (e.kind(), page_excerpt(&answer.body, redactor)) {
                // A firewall's page usually says why it refused.
                (WooErrorKind::Forbidden, Some(page)) => {
                    let code = e.store_code().unwrap_or_default().to_owned();
                    if code.is_empty() {
                        e.with_message(page)
                    } else {
                        e.with_store_error(code, page)
                    }
                }
                (_, Some(page)) => e.with_detail(page),
                (_, None) => e,
            }
        }
        (None, _) if !json_type => not_api(),
        (None, _) => match parsed {
            Some(Err(e)) => broken(&e),
            _ => WooError::unexpected(
                request,
                format!("HTTP {status} without a WooCommerce error code"),
            )
            .with_status(status),
        },
    };
    (event, Err(error))
}

/// The readable text of a page the store (or a proxy or firewall in front of it) sent instead
/// of JSON, cleaned and redacted, for quoting in a message; `None` when there is none.
pub fn page_excerpt(body: &[u8], redactor: &Redactor) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let mut visible = String::with_capacity(text.len().min(8192));
    let lower = text.to_ascii_lowercase();
    let mut pos = 0;
    // Script and style contents are not text a person sees on the page.
    while pos < text.len() {
        let next = ["<script", "<style", "<head"]
            .iter()
            .filter_map(|tag| lower[pos..].find(tag).map(|i| (pos + i, *tag)))
            .min_by_key(|(i, _)| *i);
        match next {
            Some((start, tag)) => {
                visible.push_str(&text[pos..start]);
                let close = format!("</{}", &tag[1..]);
                pos = match lower[start..].find(&close) {
                    Some(end) => {
                        let after = start + end;
                        lower[after..]
                            .find('>')
                            .map_or(text.len(), |gt| after + gt + 1)
                    }
                    None => text.len(),
                };
                if tag == "<head" {
                    // The title is the one part of the head worth quoting.
                    let head = &text[start..pos];
                    let head_lower = &lower[start..pos];
                    if let (Some(a), Some(b)) =
                        (head_lower.find("<title"), head_lower.find("</title"))
                        && let Some(gt) = head_lower[a..].find('>')
                        && a + gt < b
                    {
                        visible.push_str(&head[a + gt + 1..b]);
                        visible.push_str(" — ");
                    }
                }
            }
            None => {
                visible.push_str(&text[pos..]);
                break;
            }
        }
    }
    let cleaned = clean_store_text_with(&visible, redactor);
    let cleaned = cleaned.trim_end_matches(" —").trim();
    (!cleaned.is_empty()).then(|| cleaned.to_owned())
}

fn describe_content_type(ct: Option<&str>) -> String {
    match ct {
        Some(ct) if !ct.trim().is_empty() => ct.split(';').next().unwrap_or(ct).trim().to_owned(),
        _ => "no content type".to_owned(),
    }
}

fn describe_json_error(e: &serde_json::Error, len: usize) -> String {
    if len == 0 {
        return "the answer was empty".to_owned();
    }
    if e.is_eof() {
        format!("the JSON ended early after {len} bytes (truncated)")
    } else {
        format!("invalid JSON at line {}, column {}", e.line(), e.column())
    }
}

/// `Retry-After` as a duration, for error reports outside the retry loop.
pub fn retry_after_of(answer: &RawAnswer, now: SystemTime) -> Option<Duration> {
    answer
        .retry_after
        .as_deref()
        .and_then(|v| parse_retry_after(v, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::woo::error::WooErrorKind;

    fn answer(status: u16, ct: &str, body: &str) -> RawAnswer {
        RawAnswer {
            status,
            content_type: Some(ct.to_owned()),
            location: None,
            retry_after: None,
            total: Some("1018".into()),
            total_pages: Some("509".into()),
            body: body.as_bytes().to_vec(),
        }
    }
    const JSON: &str = "application/json; charset=UTF-8";

    #[test]
    fn json_answers_are_replies() {
        let (ev, r) = interpret(
            "GET",
            "GET /x",
            &answer(200, JSON, "[1]"),
            SystemTime::now(),
        );
        assert_eq!(ev, Event::Answered { status: 200 });
        let r = r.unwrap();
        assert_eq!(r.total, Some(1018));
        assert_eq!(r.total_pages, Some(509));
    }

    #[test]
    fn html_is_not_an_api_answer() {
        let (ev, r) = interpret(
            "GET",
            "GET /x",
            &answer(200, "text/html; charset=UTF-8", "<html>"),
            SystemTime::now(),
        );
        assert_eq!(ev, Event::Answered { status: 200 });
        assert_eq!(r.unwrap_err().kind(), WooErrorKind::NotApiResponse);
        let (_, r) = interpret(
            "POST",
            "POST /x",
            &answer(404, "text/html", "<html>"),
            SystemTime::now(),
        );
        assert_eq!(r.unwrap_err().kind(), WooErrorKind::NotApiResponse);
    }

    #[test]
    fn broken_json_is_retryable_and_named() {
        let (ev, r) = interpret(
            "GET",
            "GET /wp-json/wc/v3/products",
            &answer(200, JSON, "[{\"id\": 1"),
            SystemTime::now(),
        );
        assert_eq!(ev, Event::BrokenBody);
        let e = r.unwrap_err();
        assert_eq!(e.kind(), WooErrorKind::BrokenResponse);
        assert!(e.to_string().contains("truncated"), "{e}");
        assert!(e.to_string().contains("GET /wp-json/wc/v3/products"), "{e}");
    }

    #[test]
    fn redirects_name_their_target_without_query() {
        let mut a = answer(301, "text/html", "");
        a.location =
            Some("https://www.shop.example/wp-json/wc/v3/products?consumer_secret=cs_x".into());
        let (ev, r) = interpret("POST", "POST /x", &a, SystemTime::now());
        assert_eq!(ev, Event::Fatal);
        let text = r.unwrap_err().to_string();
        assert!(
            text.contains("https://www.shop.example/wp-json/wc/v3/products"),
            "{text}"
        );
        assert!(!text.contains("cs_x"), "{text}");
    }

    #[test]
    fn a_list_answering_a_write_is_an_error() {
        let (_, r) = interpret(
            "POST",
            "POST /wp-json/wc/v3/products",
            &answer(200, JSON, "[{\"id\":1}]"),
            SystemTime::now(),
        );
        assert_eq!(r.unwrap_err().kind(), WooErrorKind::UnexpectedResponse);
        let (_, r) = interpret(
            "POST",
            "POST /wp-json/wc/v3/products/batch",
            &answer(200, JSON, "[]"),
            SystemTime::now(),
        );
        assert!(r.is_ok());
    }

    #[test]
    fn transient_statuses_carry_retry_after() {
        let mut a = answer(503, "text/html", "<html>busy</html>");
        a.retry_after = Some("7".into());
        let (ev, r) = interpret("GET", "GET /x", &a, SystemTime::now());
        assert_eq!(
            ev,
            Event::Transient {
                status: 503,
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(r.unwrap_err().kind(), WooErrorKind::StoreDown);
        let (ev, r) = interpret(
            "GET",
            "GET /x",
            &answer(429, "text/plain", "slow down"),
            SystemTime::now(),
        );
        assert!(matches!(ev, Event::Transient { status: 429, .. }));
        assert_eq!(r.unwrap_err().kind(), WooErrorKind::RateLimited);
    }

    #[test]
    fn woocommerce_5xx_errors_are_definitive() {
        let body = r#"{"code":"woocommerce_rest_cannot_create_order_refund","message":"The payment gateway for this order does not support automatic refunds.","data":500}"#;
        let (ev, r) = interpret(
            "POST",
            "POST /x",
            &answer(500, JSON, body),
            SystemTime::now(),
        );
        assert_eq!(ev, Event::Answered { status: 500 });
        let e = r.unwrap_err();
        assert_eq!(e.kind(), WooErrorKind::Rejected);
        assert_eq!(e.http_status(), Some(500));
        let fatal = r#"{"code":"internal_server_error","message":"<p>There has been a critical error on this website.</p>","data":{"status":500},"additional_errors":[]}"#;
        let (ev, r) = interpret(
            "GET",
            "GET /x",
            &answer(500, JSON, fatal),
            SystemTime::now(),
        );
        assert!(matches!(ev, Event::Transient { status: 500, .. }));
        assert_eq!(r.unwrap_err().kind(), WooErrorKind::StoreDown);
    }
}
