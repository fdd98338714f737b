//! Reading one HTTP answer: is it an API answer, an error, a redirect, or something else?

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use super::error::{WooError, classify_api_error, clean_store_text};
use super::model::error::ApiErrorBody;
use super::retry::{Event, parse_retry_after};
use crate::secret::url_for_logging;

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
/// Returns the retry event and the result to hand back.
pub fn interpret(
    method: &str,
    request: &str,
    answer: &RawAnswer,
    now: SystemTime,
) -> (Event, Result<Reply, WooError>) {
    let status = answer.status;
    let content_type = answer.content_type.as_deref();

    if (300..400).contains(&status) {
        let location = answer
            .location
            .as_deref()
            .map(url_for_logging)
            .unwrap_or_else(|| "an address it did not name".to_owned());
        return (
            Event::Fatal,
            Err(WooError::Redirect {
                request: request.to_owned(),
                status,
                location,
            }),
        );
    }

    let retry_after = answer
        .retry_after
        .as_deref()
        .and_then(|v| parse_retry_after(v, now));
    let json_type = is_json_content_type(content_type);
    let parsed: Option<Result<serde_json::Value, serde_json::Error>> =
        json_type.then(|| serde_json::from_slice(&answer.body));

    if (200..300).contains(&status) {
        return match parsed {
            None => (
                Event::Answered { status },
                Err(WooError::NotApiResponse {
                    request: request.to_owned(),
                    status,
                    content_type: describe_content_type(content_type),
                }),
            ),
            Some(Err(e)) => (
                Event::BrokenBody,
                Err(WooError::BrokenResponse {
                    request: request.to_owned(),
                    detail: describe_json_error(&e, answer.body.len()),
                }),
            ),
            Some(Ok(json)) => {
                if method != "GET"
                    && json.as_array().is_some_and(|items| !items.is_empty())
                    && !request.ends_with("/batch")
                {
                    return (
                        Event::Answered { status },
                        Err(WooError::UnexpectedResponse {
                            request: request.to_owned(),
                            detail: "a write was answered with a list of records, which happens when a redirect turns the write into a read; nothing was changed".to_owned(),
                        }),
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

    let error = match (&body, status) {
        (Some(b), _) if definitive_5xx => WooError::Rejected {
            request: request.to_owned(),
            status,
            code: b.code.clone(),
            message: clean_store_text(&b.message),
            resource_id: b.data.resource_id,
        },
        (Some(b), _) => classify_api_error(status, Some(b), request, retry_after),
        (None, 429) | (None, 500..) | (None, 401) | (None, 403) | (None, 413) => {
            classify_api_error(status, None, request, retry_after)
        }
        (None, _) if !json_type => WooError::NotApiResponse {
            request: request.to_owned(),
            status,
            content_type: describe_content_type(content_type),
        },
        (None, _) => match parsed {
            Some(Err(e)) => WooError::BrokenResponse {
                request: request.to_owned(),
                detail: describe_json_error(&e, answer.body.len()),
            },
            _ => WooError::UnexpectedResponse {
                request: request.to_owned(),
                detail: format!("HTTP {status} without a WooCommerce error code"),
            },
        },
    };
    (event, Err(error))
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
