//! Client contract tests against a scripted HTTP server on 127.0.0.1: the exact request
//! sequence, paging, retries, refusals, batches, the connection check and cancellation.
//!
//! The server is plain HTTP, so the client runs with "allow insecure HTTP" and OAuth 1.0a;
//! HTTPS, Basic and query-string keys are exercised against the simulated store in host-sim.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use qbm_woocommerce::woo::oauth::{SignatureMethod, base_uri, sign};
use qbm_woocommerce::woo::{
    AuthMode, Batch, CancelToken, CustomerQuery, ITEM_NOT_SENT, ITEM_OUTCOME_UNKNOWN, OrderQuery,
    ProductQuery, ProductWrite, RetryPolicy, Secret, WooClient, WooConfig, WooErrorKind,
};

const KEY: &str = "ck_mock0123456789";
const SECRET: &str = "cs_mocksecret_9f8e7d6c5b4a";

#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    raw_query: String,
    query: HashMap<String, String>,
    body: String,
    headers_accept_gzip: bool,
}

impl Req {
    fn q(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }
}

enum Answer {
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Close the connection without answering.
    Drop,
    /// Wait, then close.
    Hang(Duration),
    /// Headers and the first bytes of the body, then nothing until the client gives up.
    Stall,
    /// Headers, then one byte of the body every `interval` until the client gives up.
    Trickle(Duration),
    /// A binary body (e.g. gzip).
    Bytes {
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

/// Holds the first `n` requests that reach it until all `n` have arrived, so a test can see
/// that they were in flight together. Later requests pass at once. The wait is bounded so a
/// client that never sends `n` at once fails the test instead of hanging it.
#[derive(Clone)]
struct Gate(Arc<(Mutex<usize>, std::sync::Condvar)>, usize);

impl Gate {
    fn new(n: usize) -> Gate {
        Gate(Arc::new((Mutex::new(0), std::sync::Condvar::new())), n)
    }

    /// Waits for the others; the request that completes the group runs `then` before any of
    /// them is released. Returns whether the whole group arrived.
    fn pass_then(&self, then: impl FnOnce()) -> bool {
        let (count, cv) = &*self.0;
        let mut n = count.lock().unwrap();
        *n += 1;
        if *n == self.1 {
            then();
            cv.notify_all();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while *n < self.1 {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            n = cv.wait_timeout(n, left).unwrap().0;
        }
        *n >= self.1
    }

    fn pass(&self) -> bool {
        self.pass_then(|| {})
    }

    fn reached(&self) -> bool {
        *self.0.0.lock().unwrap() >= self.1
    }
}

fn json(status: u16, body: &str) -> Answer {
    Answer::Http {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=UTF-8".into(),
        )],
        body: body.to_owned(),
    }
}

fn json_paged(body: &str, total: usize, pages: usize) -> Answer {
    Answer::Http {
        status: 200,
        headers: vec![
            (
                "Content-Type".into(),
                "application/json; charset=UTF-8".into(),
            ),
            ("X-WP-Total".into(), total.to_string()),
            ("X-WP-TotalPages".into(), pages.to_string()),
            // A Link that must never be followed.
            (
                "Link".into(),
                "<http://127.0.0.1:1/never?page=2>; rel=\"next\"".into(),
            ),
        ],
        body: body.to_owned(),
    }
}

fn html(status: u16, body: &str) -> Answer {
    Answer::Http {
        status,
        headers: vec![("Content-Type".into(), "text/html; charset=UTF-8".into())],
        body: body.to_owned(),
    }
}

type Handler = dyn Fn(&Req, usize) -> Answer + Send + Sync;

struct Mock {
    base: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Mock {
    fn start(handler: impl Fn(&Req, usize) -> Answer + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let counter = Arc::new(AtomicUsize::new(0));
        let log2 = log.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (handler, log, counter) = (handler.clone(), log2.clone(), counter.clone());
                thread::spawn(move || serve(stream, &*handler, &log, &counter));
            }
        });
        Mock { base, log }
    }

    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }

    fn client(&self) -> WooClient {
        self.client_with(|_| {})
    }

    fn client_with(&self, tweak: impl FnOnce(&mut WooConfig)) -> WooClient {
        let mut cfg = WooConfig::new(self.base.clone(), KEY, SECRET);
        cfg.allow_insecure_http = true;
        cfg.request_timeout = Duration::from_secs(5);
        cfg.retry = RetryPolicy {
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..RetryPolicy::default()
        };
        tweak(&mut cfg);
        WooClient::new(cfg).expect("client")
    }
}

fn decode_pct(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Req>>, counter: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut content_length = 0usize;
        let mut accept_gzip = false;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    content_length = v.trim().parse().unwrap_or(0);
                }
                if k.eq_ignore_ascii_case("accept-encoding") && v.contains("gzip") {
                    accept_gzip = true;
                }
            }
        }
        let mut body = vec![0u8; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (path, raw_query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (target.clone(), String::new()),
        };
        let query = raw_query
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (decode_pct(k), decode_pct(v))
            })
            .collect();
        let req = Req {
            method,
            path,
            raw_query,
            query,
            body: String::from_utf8_lossy(&body).into_owned(),
            headers_accept_gzip: accept_gzip,
        };
        let n = counter.fetch_add(1, Ordering::SeqCst);
        log.lock().unwrap().push(req.clone());
        match handler(&req, n) {
            Answer::Drop => return,
            Answer::Hang(d) => {
                thread::sleep(d);
                return;
            }
            Answer::Stall => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[{\"id\":1},";
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                // Until the client closes the connection (bounded, in case it never does).
                let _ = writer.set_read_timeout(Some(Duration::from_secs(30)));
                let _ = reader.read(&mut [0u8; 1]);
                return;
            }
            Answer::Trickle(interval) => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[";
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for _ in 0..2_000 {
                    thread::sleep(interval);
                    if writer
                        .write_all(b" ")
                        .and_then(|()| writer.flush())
                        .is_err()
                    {
                        return;
                    }
                }
                return;
            }
            Answer::Bytes { headers, body } => {
                let mut out = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                if writer.write_all(out.as_bytes()).is_err() || writer.write_all(&body).is_err() {
                    return;
                }
            }
            Answer::Http {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                if writer.write_all(out.as_bytes()).is_err() {
                    return;
                }
            }
        }
    }
}

/// Checks the OAuth signature the way WooCommerce does, from the URL as received.
fn oauth_valid(req: &Req, base: &str) -> bool {
    let Some(sig) = req.q("oauth_signature") else {
        return false;
    };
    let params: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| *k != "oauth_signature")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let url = url::Url::parse(&format!("{base}{}", req.path)).unwrap();
    let expected = sign(
        SignatureMethod::HmacSha256,
        &req.method,
        &base_uri(&url),
        &params,
        &Secret::new(SECRET),
    );
    expected == sig
}

fn products_json(ids: std::ops::Range<usize>) -> String {
    let items: Vec<String> = ids
        .map(|i| format!(r#"{{"id":{i},"sku":"SKU-{i}","manage_stock":true,"stock_quantity":{i},"price":"1.50"}}"#))
        .collect();
    format!("[{}]", items.join(","))
}

fn page_of(req: &Req) -> usize {
    req.q("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

#[tokio::test]
async fn listing_pages_builds_its_own_urls_and_signs_each_request() {
    let base = Arc::new(Mutex::new(String::new()));
    let b2 = base.clone();
    let mock = Mock::start(move |req, _| {
        if !oauth_valid(req, &b2.lock().unwrap()) {
            return json(
                401,
                r#"{"code":"woocommerce_rest_authentication_error","message":"Invalid signature - provided signature does not match.","data":{"status":401}}"#,
            );
        }
        let page = page_of(req);
        let start = (page - 1) * 100 + 1;
        let end = (start + 100).min(251);
        json_paged(&products_json(start..end), 250, 3)
    });
    *base.lock().unwrap() = mock.base.clone();
    // One request at a time, so the log is in page order.
    let client = mock.client_with(|c| c.max_concurrency = 1);
    assert_eq!(client.auth_mode(), AuthMode::OAuth1);
    let listing = client
        .list_all_products(ProductQuery::default(), &CancelToken::new())
        .await
        .expect("listing");
    assert_eq!(listing.records.len(), 250);
    assert_eq!(listing.records[249].stock_quantity, Some(250));
    assert_eq!(listing.pages, 3);
    assert!(!listing.total_changed());
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    let nonces: std::collections::HashSet<_> = reqs
        .iter()
        .map(|r| r.q("oauth_nonce").unwrap().to_owned())
        .collect();
    assert_eq!(nonces.len(), 3, "every request has its own nonce");
    for (i, r) in reqs.iter().enumerate() {
        assert_eq!(r.path, "/wp-json/wc/v3/products");
        assert_eq!(r.q("per_page"), Some("100"));
        assert_eq!(r.q("page"), Some((i + 1).to_string().as_str()));
        assert_eq!(r.q("orderby"), Some("id"));
        assert!(!r.raw_query.contains(SECRET));
    }
    let stats = client.stats();
    assert_eq!(stats.total, 3);
    assert_eq!(stats.count("GET products"), 3);
}

#[tokio::test]
async fn a_runaway_answer_is_refused_not_buffered() {
    let huge = format!("[{}]", "{\"id\":1},".repeat(4 * 1024 * 1024));
    let mock = Mock::start(move |_, _| json_paged(&huge, 1, 1));
    let err = mock
        .client()
        .list_all_products(ProductQuery::default(), &CancelToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::UnexpectedResponse);
    assert!(err.to_string().contains("larger than 32 MiB"), "{err}");
    assert_eq!(
        mock.requests().len(),
        1,
        "such an answer is not asked for again"
    );
}

#[tokio::test]
async fn a_repeated_page_stops_the_listing_with_an_error() {
    let mock = Mock::start(|_, _| json_paged(&products_json(1..101), 500, 5));
    // One request at a time, so nothing is asked for after the repeated page.
    let err = mock
        .client_with(|c| c.max_concurrency = 1)
        .list_all_products(ProductQuery::default(), &CancelToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::UnexpectedResponse);
    assert!(err.to_string().contains("repeated page 1"), "{err}");
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn bad_records_are_reported_by_name_and_good_ones_kept() {
    let mock = Mock::start(|_, _| {
        json_paged(
            r#"[{"id":1,"sku":"A"},{"id":1031,"sku":"B","stock_quantity":"lots"},{"id":3,"sku":"C"}]"#,
            3,
            1,
        )
    });
    let listing = mock
        .client()
        .list_all_products(ProductQuery::default(), &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(
        listing.records.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![1, 3]
    );
    assert_eq!(listing.bad_records.len(), 1);
    let text = listing.bad_records[0].error.to_string();
    assert!(
        text.starts_with("product 1031: field `stock_quantity`"),
        "{text}"
    );
}

#[tokio::test]
async fn sku_lookups_are_chunked() {
    let mock = Mock::start(|req, _| {
        let skus: Vec<&str> = req.q("sku").unwrap_or_default().split(',').collect();
        let items: Vec<String> = skus
            .iter()
            .map(|s| {
                let id: u64 = s.trim_start_matches("S").parse().unwrap();
                format!(r#"{{"id":{id},"sku":"{s}","type":"simple"}}"#)
            })
            .collect();
        json_paged(&format!("[{}]", items.join(",")), skus.len(), 1)
    });
    let skus: Vec<String> = (1..=230).map(|i| format!("S{i}")).collect();
    let found = mock
        .client()
        .products_by_sku(&skus, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(found.records.len(), 230);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    assert!(
        reqs.iter()
            .all(|r| r.q("sku").unwrap().split(',').count() <= 100)
    );
    assert!(
        reqs.iter().all(|r| r.raw_query.len() < 2500),
        "URLs stay short"
    );
}

#[tokio::test]
async fn transient_failures_of_reads_are_retried_honouring_retry_after() {
    let mock = Mock::start(|_, n| match n {
        0 => Answer::Http {
            status: 503,
            headers: vec![
                ("Retry-After".into(), "0".into()),
                ("Content-Type".into(), "text/html".into()),
            ],
            body: "<html>maintenance</html>".into(),
        },
        1 => json(
            429,
            r#"{"code":"too_many","message":"slow down","data":{"status":429}}"#,
        ),
        2 => Answer::Drop,
        _ => json(200, r#"{"id":5,"number":"5","total":"1.00"}"#),
    });
    let client = mock.client();
    let order = client.get_order(5).await.expect("order after retries");
    assert_eq!(order.id, 5);
    let stats = client.stats();
    assert_eq!((stats.total, stats.retries), (4, 3));
}

#[tokio::test]
async fn reads_give_up_after_the_attempt_limit_with_a_clear_error() {
    let mock = Mock::start(|_, _| html(502, "<html>Bad Gateway</html>"));
    let client = mock.client();
    let err = client.get_product(1).await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::StoreDown);
    assert!(err.is_transient());
    assert!(err.to_string().contains("HTTP 502"), "{err}");
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn a_long_retry_after_is_reported_not_slept_through() {
    let mock = Mock::start(|_, _| Answer::Http {
        status: 429,
        headers: vec![("Retry-After".into(), "3600".into())],
        body: String::new(),
    });
    let err = mock.client().get_product(1).await.unwrap_err();
    match err {
        e if e.kind() == WooErrorKind::RateLimited => {
            assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn writes_are_never_resent_and_report_an_unknown_outcome() {
    for (label, answer) in [
        ("503", 0usize),
        ("dropped connection", 1),
        ("truncated JSON", 2),
        ("timeout", 3),
    ] {
        let mock = Mock::start(move |_, _| match answer {
            0 => html(503, "busy"),
            1 => Answer::Drop,
            2 => json(200, r#"{"update":[{"id":1"#),
            _ => Answer::Hang(Duration::from_millis(1500)),
        });
        let client = mock.client_with(|c| c.request_timeout = Duration::from_millis(500));
        let batch = Batch {
            update: vec![ProductWrite {
                id: Some(1),
                stock_quantity: Some(3),
                manage_stock: Some(true),
                ..Default::default()
            }],
            ..Batch::default()
        };
        let out = client
            .batch_products(batch, &CancelToken::new())
            .await
            .expect(label);
        assert_eq!(mock.requests().len(), 1, "{label}: a write is sent once");
        let item = out.update[0].as_ref().unwrap_err();
        assert_eq!(item.code, ITEM_OUTCOME_UNKNOWN, "{label}");
        let stopped = out.stopped_by.expect("stopped");
        assert_eq!(stopped.kind(), WooErrorKind::OutcomeUnknown, "{label}");
        assert!(
            stopped.to_string().contains(
                "It is not known whether the store applied POST /wp-json/wc/v3/products/batch"
            ),
            "{stopped}"
        );
    }
}

#[tokio::test]
async fn truncated_and_broken_reads_are_retried_then_named() {
    let mock = Mock::start(|_, _| json(200, r#"[{"id": 1, "sku": "A""#));
    let err = mock
        .client()
        .list_all_orders(OrderQuery::default(), &CancelToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::BrokenResponse);
    assert!(
        err.to_string().contains("GET /wp-json/wc/v3/orders"),
        "{err}"
    );
    assert!(err.to_string().contains("truncated"), "{err}");
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn a_hanging_store_times_out() {
    let mock = Mock::start(|_, _| Answer::Hang(Duration::from_secs(3)));
    let client = mock.client_with(|c| {
        c.request_timeout = Duration::from_millis(300);
        c.retry = RetryPolicy::no_retries();
    });
    let err = client.get_customer(1).await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Timeout);
    assert!(err.is_transient());
}

#[tokio::test]
async fn redirects_are_reported_never_followed() {
    let mock = Mock::start(|_, _| Answer::Http {
        status: 301,
        headers: vec![(
            "Location".into(),
            "https://www.shop.example/wp-json/wc/v3/products/batch?oauth_nonce=x".into(),
        )],
        body: String::new(),
    });
    let err = mock
        .client()
        .batch_products(
            Batch {
                delete: vec![1],
                ..Batch::default()
            },
            &CancelToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Redirect);
    let text = err.to_string();
    assert!(
        text.contains("https://www.shop.example/wp-json/wc/v3/products/batch"),
        "{text}"
    );
    assert!(!text.contains("oauth_nonce"), "{text}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_list_answering_a_post_is_a_bug_signal() {
    // What a redirect that turned the POST into a GET produces.
    let mock = Mock::start(|_, _| json(200, r#"[{"id":1},{"id":2}]"#));
    let err = mock
        .client()
        .batch_products(
            Batch {
                create: vec![ProductWrite {
                    name: Some("x".into()),
                    ..Default::default()
                }],
                ..Batch::default()
            },
            &CancelToken::new(),
        )
        .await
        .expect("outcome");
    let item = err.create[0].as_ref().unwrap_err();
    assert_eq!(item.code, ITEM_OUTCOME_UNKNOWN);
    assert_eq!(
        err.stopped_by.unwrap().kind(),
        WooErrorKind::UnexpectedResponse
    );
}

#[tokio::test]
async fn batches_are_split_halved_on_413_and_answered_per_item() {
    let mock = Mock::start(|req, _| {
        let body: serde_json::Value = serde_json::from_str(&req.body).unwrap();
        let updates = body["update"].as_array().cloned().unwrap_or_default();
        if updates.len() > 30 {
            return json(
                413,
                r#"{"code":"woocommerce_rest_request_entity_too_large","message":"Unable to accept more than 30 items for this request.","data":{"status":413}}"#,
            );
        }
        let answered: Vec<String> = updates
            .iter()
            .map(|u| {
                let id = u["id"].as_u64().unwrap();
                if id % 10 == 0 {
                    format!(r#"{{"id":{id},"error":{{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.","data":{{"status":400}}}}}}"#)
                } else {
                    format!(r#"{{"id":{id},"stock_quantity":{}}}"#, u["stock_quantity"])
                }
            })
            .collect();
        json(200, &format!(r#"{{"update":[{}]}}"#, answered.join(",")))
    });
    let client = mock.client_with(|c| c.batch_limit = 100);
    let update: Vec<ProductWrite> = (1..=120)
        .map(|i| ProductWrite {
            id: Some(i),
            manage_stock: Some(true),
            stock_quantity: Some(i as i64 * 2),
            ..Default::default()
        })
        .collect();
    let out = client
        .batch_products(
            Batch {
                update,
                ..Batch::default()
            },
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(out.stopped_by.is_none());
    assert_eq!(out.update.len(), 120);
    for (i, r) in out.update.iter().enumerate() {
        let id = i as u64 + 1;
        match r {
            Ok(p) => {
                assert_eq!(p.id, id);
                assert_eq!(p.stock_quantity, Some(id as i64 * 2));
            }
            Err(e) => {
                assert_eq!(id % 10, 0, "only ids divisible by 10 fail");
                assert_eq!(
                    (e.id, e.code.as_str()),
                    (id, "woocommerce_rest_product_invalid_id")
                );
            }
        }
    }
    assert_eq!(out.failures(), 12);
    assert_eq!(client.batch_limit(), 25);
    // 100 → 413, 50 → 413, then 25-item chunks: 2 refusals + 5 accepted requests.
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 7);
    assert!(reqs.iter().all(|r| !r.raw_query.contains("_fields")));
}

#[tokio::test]
async fn a_failure_after_the_first_chunk_marks_the_rest() {
    let mock = Mock::start(|req, n| {
        if n == 0 {
            let body: serde_json::Value = serde_json::from_str(&req.body).unwrap();
            let ids: Vec<String> = body["create"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, _)| format!(r#"{{"id":{}}}"#, i + 1))
                .collect();
            json(200, &format!(r#"{{"create":[{}]}}"#, ids.join(",")))
        } else {
            json(
                401,
                r#"{"code":"woocommerce_rest_authentication_error","message":"The API key provided does not have write permissions.","data":{"status":401}}"#,
            )
        }
    });
    // One request at a time: the refusal of the second request stops the third before it is
    // sent.
    let client = mock.client_with(|c| {
        c.batch_limit = 2;
        c.max_concurrency = 1;
    });
    let create: Vec<ProductWrite> = (0..5)
        .map(|i| ProductWrite {
            sku: Some(format!("N{i}")),
            ..Default::default()
        })
        .collect();
    let out = client
        .batch_products(
            Batch {
                create,
                ..Batch::default()
            },
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(out.create[0].is_ok() && out.create[1].is_ok());
    assert_eq!(
        out.create[2].as_ref().unwrap_err().code,
        qbm_woocommerce::woo::ITEM_REQUEST_REFUSED
    );
    assert_eq!(out.create[4].as_ref().unwrap_err().code, ITEM_NOT_SENT);
    assert_eq!(out.stopped_by.unwrap().kind(), WooErrorKind::ReadOnlyKey);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn a_read_only_key_fails_the_first_chunk_as_a_whole() {
    let mock = Mock::start(|_, _| {
        json(
            401,
            r#"{"code":"woocommerce_rest_authentication_error","message":"The API key provided does not have write permissions.","data":{"status":401}}"#,
        )
    });
    let err = mock
        .client()
        .batch_products(
            Batch {
                delete: vec![7],
                ..Batch::default()
            },
            &CancelToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::ReadOnlyKey);
}

#[tokio::test]
async fn cancellation_stops_a_listing_between_pages() {
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    let mock = Mock::start(move |req, _| {
        if page_of(req) == 2 {
            c2.cancel();
        }
        let page = page_of(req);
        json_paged(
            &products_json((page - 1) * 100 + 1..page * 100 + 1),
            1000,
            10,
        )
    });
    // One request at a time; the concurrent case is
    // `a_cancel_while_pages_are_in_flight_sends_nothing_more`.
    let err = mock
        .client_with(|c| c.max_concurrency = 1)
        .list_all_products(ProductQuery::default(), &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Cancelled);
    assert!(mock.requests().len() <= 3);
}

#[tokio::test]
async fn cancellation_interrupts_a_backoff() {
    // The first answer is a 503; Cancel is pressed once it went out, so the client is in (or
    // about to enter) its 30-second backoff when the cancel arrives.
    let answered = Arc::new(tokio::sync::Notify::new());
    let signal = answered.clone();
    let mock = Mock::start(move |_, _| {
        signal.notify_one();
        html(503, "busy")
    });
    let client = mock.client_with(|c| {
        c.retry.initial_backoff = Duration::from_secs(30);
        c.retry.max_backoff = Duration::from_secs(30);
    });
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        answered.notified().await;
        c2.cancel();
    });
    let started = std::time::Instant::now();
    let err = client
        .list_all_customers(CustomerQuery::default(), &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(10));
}

fn index_json(namespaces: &str) -> String {
    format!(
        r#"{{"name":"Mock Store","url":"BASE","home":"BASE","gmt_offset":"1","timezone_string":"Europe/Berlin","namespaces":{namespaces}}}"#
    )
}

#[tokio::test]
async fn check_connection_reports_store_facts_and_warnings() {
    let base = Arc::new(Mutex::new(String::new()));
    let b2 = base.clone();
    let mock = Mock::start(move |req, _| {
        let base = b2.lock().unwrap().clone();
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/wp-json/") => {
                assert_eq!(
                    req.q("_fields"),
                    Some("name,url,home,namespaces,gmt_offset,timezone_string")
                );
                assert!(
                    req.q("oauth_signature").is_none(),
                    "the index is read without credentials"
                );
                json(
                    200,
                    &index_json(r#"["wp/v2","wc/v3"]"#).replace("BASE", &base),
                )
            }
            ("GET", "/wp-json/wc/v3/products") => {
                assert!(oauth_valid(req, &base));
                assert_eq!(
                    (req.q("per_page"), req.q("_fields")),
                    (Some("1"), Some("id"))
                );
                json_paged(r#"[{"id":1}]"#, 1, 1)
            }
            ("POST", "/wp-json/wc/v3/products/batch") => {
                assert_eq!(req.body, "{}");
                json(200, "[]")
            }
            ("GET", "/wp-json/wc/v3/system_status") => json(
                403,
                r#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":403}}"#,
            ),
            ("GET", "/wp-json/wc/v3/settings/products/woocommerce_manage_stock") => json(
                200,
                r#"{"id":"woocommerce_manage_stock","type":"checkbox","value":"no"}"#,
            ),
            _ => html(500, "unexpected request"),
        }
    });
    *base.lock().unwrap() = mock.base.clone();
    let report = mock.client().check_connection().await.expect("report");
    assert_eq!(report.store_name, "Mock Store");
    assert_eq!(report.timezone_string, "Europe/Berlin");
    assert_eq!(report.gmt_offset, Some("1".parse().unwrap()));
    assert_eq!(report.auth_mode, AuthMode::OAuth1);
    assert_eq!(report.woocommerce_version, None);
    assert_eq!(report.stock_management_enabled, Some(false));
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("Enable stock management"))
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("versions are unknown"))
    );
    assert_eq!(mock.requests().len(), 5);
}

#[tokio::test]
async fn check_connection_detects_plain_permalinks() {
    let mock = Mock::start(|req, _| match req.path.as_str() {
        "/wp-json/" => html(404, "<html>Not found</html>"),
        "/" if req.q("rest_route") == Some("/") => json(200, &index_json(r#"["wc/v3"]"#)),
        _ => html(404, "<html>Not found</html>"),
    });
    let err = mock.client().check_connection().await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::PlainPermalinks);
    assert!(err.to_string().contains("Settings → Permalinks"), "{err}");
}

#[tokio::test]
async fn check_connection_tells_the_site_address_when_the_store_url_is_a_sub_path() {
    let base = Arc::new(Mutex::new(String::new()));
    let b2 = base.clone();
    // WordPress's front controller serves `?rest_route=` under any path, so a Store URL that
    // points into the site finds the index there, naming the real address.
    let mock = Mock::start(move |req, _| match req.path.as_str() {
        "/shop/products/" if req.q("rest_route") == Some("/") => json(
            200,
            &index_json(r#"["wc/v3"]"#).replace("BASE", &b2.lock().unwrap()),
        ),
        _ => html(404, "<html>Not found</html>"),
    });
    *base.lock().unwrap() = format!("{}/", mock.base);
    let client = mock.client_with(|c| c.store_url = format!("{}/shop/products", mock.base));
    let err = client.check_connection().await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::WrongStoreUrl, "{err}");
    let expected = format!(
        "this WordPress site's address is {} — use that as the Store URL",
        mock.base
    );
    assert!(err.to_string().contains(&expected), "{err}");
    let paths: Vec<String> = mock.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/shop/products/wp-json/", "/shop/products/"]);
}

#[tokio::test]
async fn check_connection_diagnoses_plain_permalinks_when_the_addresses_agree() {
    let base = Arc::new(Mutex::new(String::new()));
    let b2 = base.clone();
    let mock = Mock::start(move |req, _| match req.path.as_str() {
        "/" if req.q("rest_route") == Some("/") => json(
            200,
            &index_json(r#"["wc/v3"]"#).replace("BASE", &b2.lock().unwrap()),
        ),
        _ => html(404, "<html>Not found</html>"),
    });
    // The site reports itself over https (a proxy terminates TLS), with a trailing slash:
    // still the same address.
    *base.lock().unwrap() = format!("{}/", mock.base.replace("http://", "HTTPS://"));
    let err = mock.client().check_connection().await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::PlainPermalinks, "{err}");
}

#[tokio::test]
async fn check_connection_detects_a_site_that_is_not_wordpress() {
    let mock = Mock::start(|_, _| html(200, "<html>Welcome</html>"));
    let err = mock.client().check_connection().await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::NotWordPress);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn check_connection_detects_missing_woocommerce() {
    let mock = Mock::start(|_, _| json(200, &index_json(r#"["wp/v2"]"#)));
    let err = mock.client().check_connection().await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::WooCommerceMissing);
}

#[tokio::test]
async fn check_connection_names_key_problems() {
    for (answer, kind) in [
        (
            r#"{"code":"woocommerce_rest_authentication_error","message":"Consumer key is invalid.","data":{"status":401}}"#,
            WooErrorKind::UnknownKey,
        ),
        (
            r#"{"code":"woocommerce_rest_authentication_error","message":"Invalid signature - provided signature does not match.","data":{"status":401}}"#,
            WooErrorKind::WrongSecret,
        ),
    ] {
        let mock = Mock::start(move |req, _| match req.path.as_str() {
            "/wp-json/" => json(200, &index_json(r#"["wc/v3"]"#)),
            _ => json(401, answer),
        });
        let err = mock.client().check_connection().await.unwrap_err();
        assert_eq!(err.kind(), kind);
    }
    let mock = Mock::start(|req, _| match (req.method.as_str(), req.path.as_str()) {
        (_, "/wp-json/") => json(200, &index_json(r#"["wc/v3"]"#)),
        ("GET", _) => json_paged("[]", 0, 0),
        _ => json(
            401,
            r#"{"code":"woocommerce_rest_authentication_error","message":"The API key provided does not have write permissions.","data":{"status":401}}"#,
        ),
    });
    let err = mock.client().check_connection().await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::ReadOnlyKey);
    assert!(err.to_string().contains("Read/Write"));
}

#[tokio::test]
async fn the_secret_never_appears_in_errors_even_when_the_store_echoes_it() {
    let mock = Mock::start(|_, _| {
        json(
            400,
            &format!(
                r#"{{"code":"rest_invalid_param","message":"bad consumer_secret={SECRET}","data":{{"status":400}}}}"#
            ),
        )
    });
    let err = mock.client().get_product(1).await.unwrap_err();
    assert!(!format!("{err}{err:?}").contains(SECRET), "{err:?}");
    assert!(err.to_string().contains("consumer_secret=***"), "{err}");
}

#[tokio::test]
async fn a_firewall_page_echoing_the_credentials_is_quoted_without_them() {
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"));
    let page_basic = basic.clone();
    // What some web application firewalls answer: the refused request, headers and all.
    let mock = Mock::start(move |req, _| {
        html(
            403,
            &format!(
                "<html><head><title>Request blocked</title><style>p {{ color: red }}</style></head>\
                 <body><h1>Request blocked by the firewall</h1>\
                 <pre>Authorization: Basic {page_basic}</pre><p>GET {}?{}</p></body></html>",
                req.path, req.raw_query
            ),
        )
    });
    let err = mock.client().get_product(1).await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Forbidden);
    let text = format!("{err}\n{err:?}");
    assert!(
        text.contains("Request blocked by the firewall"),
        "the page is quoted: {text}"
    );
    assert!(text.contains("Authorization: Basic ***"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(&basic), "{text}");
    assert!(!text.contains(&basic[8..40]), "{text}");
    assert!(!text.contains("color: red"), "style is not text: {text}");
    // The echoed query carried a signature; its value is gone too.
    assert!(text.contains("oauth_signature=***"), "{text}");
    let sig = mock.requests()[0].q("oauth_signature").unwrap().to_owned();
    assert!(!text.contains(&sig), "{text}");
}

#[tokio::test]
async fn refusals_without_a_server() {
    let mut cfg = WooConfig::new("http://shop.example.com", KEY, SECRET);
    let err = WooClient::new(cfg.clone()).unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::InsecureHttp);
    assert!(err.to_string().contains("Allow insecure HTTP"), "{err}");
    cfg.store_url = "https://shop.example.com/wp-json/wc/v3".into();
    assert_eq!(
        WooClient::new(cfg).unwrap_err().kind(),
        WooErrorKind::Config
    );

    // Nothing listens on a port that was just released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = WooConfig::new(format!("http://127.0.0.1:{port}"), KEY, SECRET);
    cfg.allow_insecure_http = true;
    cfg.retry = RetryPolicy::no_retries();
    let err = WooClient::new(cfg)
        .unwrap()
        .get_product(1)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::ConnectionRefused);
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

/// Collects every tracing event as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct FieldText(String);

impl tracing::field::Visit for FieldText {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut text = FieldText(format!(
            "{} {}",
            event.metadata().level(),
            event.metadata().target()
        ));
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }
}

#[tokio::test]
async fn logs_name_routes_without_query_strings_or_secrets() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = Mock::start(|req, n| match (req.path.as_str(), n) {
        ("/wp-json/wc/v3/products", 0) => html(503, "busy"),
        ("/wp-json/wc/v3/products", _) => json_paged(&products_json(1..3), 2, 1),
        _ => json(
            400,
            &format!(r#"{{"code":"x","message":"echo {SECRET}","data":{{"status":400}}}}"#),
        ),
    });
    let client = mock.client();
    client
        .list_all_products(
            ProductQuery {
                sku: vec!["A B".into()],
                ..Default::default()
            },
            &CancelToken::new(),
        )
        .await
        .unwrap();
    let _ = client.get_order(1).await.unwrap_err();

    let lines = capture.0.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("route=/wp-json/wc/v3/products")
                || l.contains("route=wp-json/wc/v3/products")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("retrying store request")),
        "{lines:#?}"
    );
    for line in &lines {
        assert!(!line.contains(SECRET), "secret in log: {line}");
        assert!(!line.contains("oauth_signature"), "query in log: {line}");
        assert!(!line.contains("per_page="), "query in log: {line}");
        assert!(!line.contains("sku="), "query in log: {line}");
    }
}

#[tokio::test]
async fn an_unknown_host_name_is_a_dns_error() {
    // `.invalid` never resolves (RFC 2606).
    let mut cfg = WooConfig::new("https://qbm-store.invalid", KEY, SECRET);
    cfg.retry = RetryPolicy::no_retries();
    cfg.connect_timeout = Duration::from_secs(10);
    let err = WooClient::new(cfg)
        .unwrap()
        .get_product(1)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Dns, "{err:?}");
    assert!(err.to_string().contains("qbm-store.invalid"), "{err}");
    assert!(!err.is_transient());
}

/// The plugin runs calls on a multi-threaded runtime: clients and every call's future must be
/// `Send`, and the client shareable.
#[test]
fn clients_and_their_futures_can_move_between_threads() {
    fn send<T: Send>(_: &T) {}
    fn shared<T: Send + Sync + Clone + 'static>(_: &T) {}
    let mut cfg = WooConfig::new("https://shop.example.com", KEY, SECRET);
    cfg.retry = RetryPolicy::no_retries();
    let client = WooClient::new(cfg).unwrap();
    shared(&client);
    let cancel = CancelToken::new();
    send(&client.check_connection());
    send(&client.get_product(1));
    send(&client.get_order(1));
    send(&client.list_all_products(ProductQuery::default(), &cancel));
    send(&client.list_all_variations(1, &cancel));
    send(&client.list_all_customers(CustomerQuery::default(), &cancel));
    send(&client.list_all_orders(OrderQuery::default(), &cancel));
    send(&client.products_by_sku(&[], &cancel));
    send(&client.batch_products(Batch::default(), &cancel));
    send(&client.batch_variations(1, Batch::default(), &cancel));
    send(&client.products(ProductQuery::default(), &cancel));
    send(&client.products_by_ids(&[1], &cancel));
    send(&client.variations_by_ids(1, &[2], &cancel));
    send(&client.orders_by_ids(&[1], &cancel));
    let page = qbm_woocommerce::woo::PageRequest::new(1, 50);
    send(&client.customers_page(CustomerQuery::default(), page, &cancel));
    send(&client.orders_page(OrderQuery::default(), page, &cancel));
    send(&client.orders_stream(OrderQuery::default(), cancel.clone()));
    send(&client.batch_variations_of_parents(Vec::new(), &cancel));
}

// ---- Concurrency, limits and timeouts ----

fn page_items(page: usize, per_page: usize, total: usize) -> String {
    let start = (page - 1) * per_page + 1;
    let end = (start + per_page).min(total + 1);
    products_json(start..end.max(start))
}

#[tokio::test]
async fn listing_pages_after_the_first_are_fetched_concurrently_and_kept_in_order() {
    let gate = Gate::new(4);
    let g2 = gate.clone();
    let mock = Mock::start(move |req, _| {
        let page = page_of(req);
        if page >= 2 {
            g2.pass();
        }
        json_paged(&page_items(page, 100, 1000), 1000, 10)
    });
    let client = mock.client();
    let listing = client
        .list_all_products(ProductQuery::default(), &CancelToken::new())
        .await
        .expect("listing");
    assert!(gate.reached(), "pages 2-5 were in flight together");
    assert_eq!(listing.pages, 10);
    let ids: Vec<u64> = listing.records.iter().map(|p| p.id).collect();
    assert_eq!(ids, (1..=1000).collect::<Vec<u64>>());
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 10);
    assert_eq!(reqs[0].q("page"), Some("1"), "page 1 goes first, alone");
    let mut pages: Vec<usize> = reqs.iter().map(page_of).collect();
    pages.sort_unstable();
    assert_eq!(pages, (1..=10).collect::<Vec<_>>(), "each page once");
    let stats = client.stats();
    assert_eq!(stats.total, 10);
    assert!((4..=8).contains(&stats.max_in_flight), "{stats:?}");
}

#[tokio::test]
async fn a_store_that_answers_well_gets_more_requests_at_once() {
    let mock = Mock::start(|req, _| json_paged(&page_items(page_of(req), 100, 3000), 3000, 30));
    let client = mock.client();
    client
        .list_all_products(ProductQuery::default(), &CancelToken::new())
        .await
        .unwrap();
    let stats = client.stats();
    assert!(stats.concurrency_limit > 4, "{stats:?}");
    assert!(stats.concurrency_limit <= 8, "{stats:?}");
    assert_eq!(stats.slow_downs, 0);
}

#[tokio::test]
async fn a_struggling_store_gets_fewer_requests_at_once() {
    let mock = Mock::start(|_, _| html(503, "busy"));
    let client = mock.client();
    let err = client.get_product(1).await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::StoreDown);
    let stats = client.stats();
    // 4 → 2 → 1, and it stays at 1 while the store keeps failing.
    assert_eq!(stats.concurrency_limit, 1, "{stats:?}");
    assert!(stats.slow_downs >= 2, "{stats:?}");
}

#[tokio::test]
async fn a_cancel_while_pages_are_in_flight_sends_nothing_more() {
    let cancel = CancelToken::new();
    let gate = Gate::new(4);
    let (c2, g2) = (cancel.clone(), gate.clone());
    let mock = Mock::start(move |req, _| {
        let page = page_of(req);
        if page >= 2 {
            // The four requests in flight hold every slot; the cancel comes before any answer.
            g2.pass_then(|| c2.cancel());
        }
        json_paged(&page_items(page, 100, 1000), 1000, 10)
    });
    let err = mock
        .client()
        .list_all_products(ProductQuery::default(), &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Cancelled);
    assert!(gate.reached());
    assert_eq!(mock.requests().len(), 5, "page 1 and the four in flight");
}

#[tokio::test]
async fn a_long_retry_after_pauses_every_request_of_the_client() {
    let mock = Mock::start(|req, _| match req.path.as_str() {
        "/wp-json/wc/v3/products/1" => Answer::Http {
            status: 429,
            headers: vec![("Retry-After".into(), "120".into())],
            body: String::new(),
        },
        _ => json(200, r#"{"id":2}"#),
    });
    let client = mock.client_with(|c| c.retry.max_retry_after = Duration::from_secs(5));
    let first = client.get_product(1).await.unwrap_err();
    assert_eq!(first.kind(), WooErrorKind::RateLimited);
    // Another call of the same client does not even ask: the store said to wait.
    let second = client.get_product(2).await.unwrap_err();
    assert_eq!(second.kind(), WooErrorKind::RateLimited);
    let left = second.retry_after().expect("how long to wait");
    assert!(
        left > Duration::from_secs(100) && left <= Duration::from_secs(120),
        "{left:?}"
    );
    assert!(second.to_string().contains("It asked to wait"), "{second}");
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(client.stats().pauses, 1);
}

#[tokio::test]
async fn sku_chunks_are_looked_up_concurrently_in_input_order() {
    let gate = Gate::new(3);
    let g2 = gate.clone();
    let mock = Mock::start(move |req, _| {
        g2.pass();
        let skus: Vec<&str> = req.q("sku").unwrap_or_default().split(',').collect();
        let items: Vec<String> = skus
            .iter()
            .map(|s| {
                let id: u64 = s.trim_start_matches('S').parse().unwrap();
                format!(r#"{{"id":{id},"sku":"{s}","type":"simple"}}"#)
            })
            .collect();
        json_paged(&format!("[{}]", items.join(",")), skus.len(), 1)
    });
    let skus: Vec<String> = (1..=300).map(|i| format!("S{i}")).collect();
    let client = mock.client();
    let found = client
        .products_by_sku(&skus, &CancelToken::new())
        .await
        .unwrap();
    assert!(gate.reached(), "the three chunks were in flight together");
    let ids: Vec<u64> = found.records.iter().map(|p| p.id).collect();
    assert_eq!(ids, (1..=300).collect::<Vec<u64>>());
    assert_eq!(mock.requests().len(), 3);
    assert!(client.stats().max_in_flight >= 3);
}

#[tokio::test]
async fn records_are_read_by_id_in_chunks_in_the_order_asked() {
    let mock = Mock::start(|req, _| {
        let mut ids: Vec<u64> = req
            .q("include")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.parse().unwrap())
            .collect();
        // The store answers in its own order and does not know some ids.
        ids.sort_unstable();
        ids.retain(|id| !id.is_multiple_of(50));
        let kind = if req.path.contains("/variations") {
            "variation"
        } else {
            "simple"
        };
        let items: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"id":{id},"type":"{kind}","total":"1.50"}}"#))
            .collect();
        json_paged(&format!("[{}]", items.join(",")), ids.len(), 1)
    });
    let client = mock.client();
    let cancel = CancelToken::new();
    let mut asked: Vec<u64> = (1..=230).rev().collect();
    asked.insert(10, 7); // asked twice: its first place counts
    let products = client.products_by_ids(&asked, &cancel).await.unwrap();
    let mut expected: Vec<u64> = (1..=230)
        .rev()
        .filter(|id: &u64| !id.is_multiple_of(50) && *id != 7)
        .collect();
    expected.insert(10, 7);
    assert_eq!(
        products.records.iter().map(|p| p.id).collect::<Vec<_>>(),
        expected
    );
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(r.path, "/wp-json/wc/v3/products");
        assert!(r.q("include").unwrap().split(',').count() <= 100);
        assert_eq!(r.q("per_page"), Some("100"));
        assert!(r.raw_query.len() < 2500, "URLs stay short");
    }

    let variations = client
        .variations_by_ids(1036, &[1039, 1037, 1038], &cancel)
        .await
        .unwrap();
    assert_eq!(
        variations
            .records
            .iter()
            .map(|v| (v.id, v.parent_id))
            .collect::<Vec<_>>(),
        vec![(1039, 1036), (1037, 1036), (1038, 1036)]
    );
    let orders = client.orders_by_ids(&[1045, 1040], &cancel).await.unwrap();
    assert_eq!(
        orders.records.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![1045, 1040]
    );
    let reqs = mock.requests();
    assert_eq!(reqs[3].path, "/wp-json/wc/v3/products/1036/variations");
    assert_eq!(reqs[4].path, "/wp-json/wc/v3/orders");
    assert_eq!(reqs[4].q("include"), Some("1045,1040"));

    // Nothing is asked for once cancelled.
    cancel.cancel();
    let err = client.products_by_ids(&[1, 2], &cancel).await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Cancelled);
    assert_eq!(mock.requests().len(), 5);
}

/// An update batch answer for the ids in `body`; ids divisible by 7 are refused.
fn batch_answer(body: &str) -> Answer {
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    let answered: Vec<String> = body["update"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let id = u["id"].as_u64().unwrap();
            if id.is_multiple_of(7) {
                format!(r#"{{"id":{id},"error":{{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.","data":{{"status":400}}}}}}"#)
            } else {
                format!(r#"{{"id":{id},"stock_quantity":{}}}"#, u["stock_quantity"])
            }
        })
        .collect();
    json(200, &format!(r#"{{"update":[{}]}}"#, answered.join(",")))
}

fn first_id(body: &str) -> u64 {
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    body["update"][0]["id"].as_u64().unwrap()
}

fn stock_updates(ids: std::ops::RangeInclusive<u64>) -> Batch<ProductWrite> {
    Batch {
        update: ids
            .map(|i| ProductWrite {
                id: Some(i),
                manage_stock: Some(true),
                stock_quantity: Some(i as i64),
                ..Default::default()
            })
            .collect(),
        ..Batch::default()
    }
}

#[tokio::test]
async fn batch_chunks_go_out_concurrently_and_every_item_says_what_became_of_it() {
    use qbm_woocommerce::woo::ItemState;
    let gate = Gate::new(4);
    let g2 = gate.clone();
    let mock = Mock::start(move |req, _| {
        let first = first_id(&req.body);
        if first > 1 {
            g2.pass();
        }
        // The gateway gives up on the chunk starting at 101 after the store may have saved it.
        if first == 101 {
            return html(504, "<html>Gateway Timeout</html>");
        }
        batch_answer(&req.body)
    });
    let client = mock.client_with(|c| c.batch_limit = 50);
    let out = client
        .batch_products(stock_updates(1..=250), &CancelToken::new())
        .await
        .unwrap();
    assert!(
        gate.reached(),
        "the four chunks after the first were in flight together"
    );
    assert_eq!(mock.requests().len(), 5, "each chunk sent once");
    assert_eq!(out.update.len(), 250);
    for (i, r) in out.update.iter().enumerate() {
        let id = i as u64 + 1;
        let state = qbm_woocommerce::woo::item_state(r);
        let expected = if (101..=150).contains(&id) {
            ItemState::OutcomeUnknown
        } else if id.is_multiple_of(7) {
            ItemState::Refused
        } else {
            ItemState::Applied
        };
        assert_eq!(state, expected, "item {id}");
        if let Ok(p) = r {
            assert_eq!(p.id, id, "results stay in input order");
        }
    }
    let stopped = out.stopped_by.as_ref().expect("the 504 is reported");
    assert_eq!(stopped.kind(), WooErrorKind::OutcomeUnknown);
    assert!(stopped.to_string().contains("HTTP 504"), "{stopped}");
    assert_eq!(out.count(ItemState::NotSent), 0);
}

#[tokio::test]
async fn chunks_not_yet_sent_when_a_write_fails_are_reported_as_not_sent() {
    use qbm_woocommerce::woo::ItemState;
    let mock = Mock::start(|req, _| {
        if first_id(&req.body) == 101 {
            return Answer::Drop;
        }
        batch_answer(&req.body)
    });
    let client = mock.client_with(|c| {
        c.batch_limit = 50;
        c.max_concurrency = 1;
    });
    let out = client
        .batch_products(stock_updates(1..=250), &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(mock.requests().len(), 3);
    assert_eq!(out.count(ItemState::OutcomeUnknown), 50);
    assert_eq!(out.count(ItemState::NotSent), 100);
    assert!(
        out.update[150..]
            .iter()
            .all(|r| r.as_ref().unwrap_err().code == ITEM_NOT_SENT)
    );
    assert_eq!(out.stopped_by.unwrap().kind(), WooErrorKind::OutcomeUnknown);
}

#[tokio::test]
async fn variation_batches_of_several_parents_go_out_concurrently() {
    let gate = Gate::new(3);
    let g2 = gate.clone();
    let mock = Mock::start(move |req, _| {
        g2.pass();
        batch_answer(&req.body)
    });
    let client = mock.client();
    let batches: Vec<(u64, Batch<qbm_woocommerce::woo::VariationWrite>)> = [10u64, 20, 30]
        .iter()
        .map(|parent| {
            (
                *parent,
                Batch {
                    update: vec![qbm_woocommerce::woo::VariationWrite {
                        id: Some(parent + 2),
                        stock_quantity: Some(5),
                        ..Default::default()
                    }],
                    ..Batch::default()
                },
            )
        })
        .collect();
    let out = client
        .batch_variations_of_parents(batches, &CancelToken::new())
        .await;
    assert!(gate.reached());
    let got: Vec<(u64, u64, u64)> = out
        .iter()
        .map(|(parent, r)| {
            let v = r.as_ref().unwrap().update[0].as_ref().unwrap();
            (*parent, v.id, v.parent_id)
        })
        .collect();
    assert_eq!(got, vec![(10, 12, 10), (20, 22, 20), (30, 32, 30)]);
    let mut paths: Vec<String> = mock.requests().iter().map(|r| r.path.clone()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/wp-json/wc/v3/products/10/variations/batch",
            "/wp-json/wc/v3/products/20/variations/batch",
            "/wp-json/wc/v3/products/30/variations/batch"
        ]
    );
}

#[tokio::test]
async fn a_stalled_answer_is_given_up_after_the_idle_timeout_not_the_request_timeout() {
    for (label, answer) in [("stall", 0), ("trickle", 1)] {
        let mock = Mock::start(move |_, _| match answer {
            0 => Answer::Stall,
            _ => Answer::Trickle(Duration::from_millis(20)),
        });
        let client = mock.client_with(|c| {
            c.request_timeout = Duration::from_secs(60);
            c.idle_timeout = Duration::from_millis(300);
        });
        let started = std::time::Instant::now();
        let err = client.get_product(1).await.unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.kind(), WooErrorKind::Timeout, "{label}: {err}");
        assert!(err.is_transient());
        assert_eq!(mock.requests().len(), 4, "{label}: a read is retried");
        assert!(took < Duration::from_secs(20), "{label}: took {took:?}");
        let text = err.to_string();
        let expected = if answer == 0 {
            "sent nothing for"
        } else {
            "too slowly"
        };
        assert!(text.contains(expected), "{label}: {text}");
        assert!(text.contains("GET /wp-json/wc/v3/products/1"), "{text}");
    }
}

#[tokio::test]
async fn a_write_whose_answer_stalls_has_an_unknown_outcome() {
    let mock = Mock::start(|_, _| Answer::Stall);
    let client = mock.client_with(|c| c.idle_timeout = Duration::from_millis(300));
    let out = client
        .batch_products(stock_updates(1..=3), &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(mock.requests().len(), 1);
    assert!(
        out.update
            .iter()
            .all(|r| r.as_ref().unwrap_err().outcome_unknown())
    );
    assert_eq!(out.stopped_by.unwrap().kind(), WooErrorKind::OutcomeUnknown);
}

#[tokio::test]
async fn the_answer_cap_counts_decompressed_bytes() {
    use std::io::Write as _;
    // 40 MiB of JSON that compresses to a few dozen KiB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"[").unwrap();
    let chunk = " ".repeat(1024 * 1024);
    for _ in 0..40 {
        gz.write_all(chunk.as_bytes()).unwrap();
    }
    gz.write_all(b"]").unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024);
    let mock = Mock::start(move |req, _| {
        assert!(
            req.headers_accept_gzip,
            "the client asks for compressed answers"
        );
        Answer::Bytes {
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body: bomb.clone(),
        }
    });
    let err = mock.client().get_product(1).await.unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::UnexpectedResponse);
    assert!(err.to_string().contains("larger than 32 MiB"), "{err}");
    assert_eq!(mock.requests().len(), 1);
}

// ---- Listings for screens ----

#[tokio::test]
async fn one_page_of_customers_with_the_store_totals() {
    let mock = Mock::start(|req, _| {
        assert_eq!(req.path, "/wp-json/wc/v3/customers");
        Answer::Http {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-WP-Total".into(), "3912".into()),
                ("X-WP-TotalPages".into(), "40".into()),
            ],
            body: r#"[{"id":4,"email":"anna.schmidt@example.test","first_name":"Anna","role":"customer","date_created_gmt":"2026-11-27T17:28:40","billing":{"company":"Schmidt & Söhne GmbH","phone":"+49 30 1234567"}},
                      {"id":5,"email":"ben@example.test","role":"shop_manager","date_created":"2026-11-27T18:28:41","date_created_gmt":"2026-11-27T17:28:41"}]"#.into(),
        }
    });
    let client = mock.client();
    let q = CustomerQuery {
        search: Some("schmidt".into()),
        orderby: Some(qbm_woocommerce::woo::OrderBy::Name),
        order: Some(qbm_woocommerce::woo::SortOrder::Desc),
        ..CustomerQuery::default()
    };
    let page = client
        .customers_page(
            q,
            qbm_woocommerce::woo::PageRequest::new(2, 250),
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(page.number, 2);
    assert_eq!(page.total_items, Some(3912));
    assert_eq!(page.total_pages, Some(40));
    assert_eq!(page.records.len(), 2);
    assert_eq!(page.records[0].billing.company, "Schmidt & Söhne GmbH");
    assert_eq!(
        page.records[1].date_created_gmt.unwrap().to_rfc3339(),
        "2026-11-27T17:28:41+00:00"
    );
    let r = &mock.requests()[0];
    assert_eq!(r.q("search"), Some("schmidt"));
    assert_eq!(r.q("role"), Some("all"), "every role unless asked");
    assert_eq!(r.q("orderby"), Some("name"));
    assert_eq!(r.q("order"), Some("desc"));
    assert_eq!(r.q("page"), Some("2"));
    assert_eq!(
        r.q("per_page"),
        Some("100"),
        "clamped to the store's maximum"
    );
}

fn order_json(id: u64) -> String {
    format!(
        r#"{{"id":{id},"number":"{id}","status":"processing","currency":"EUR","total":"53.92","total_tax":"8.61","date_created":"2026-11-27T18:28:46","date_created_gmt":"2026-11-27T17:28:46","date_modified_gmt":"2026-11-27T17:30:00","line_items":[{{"id":1,"product_id":1029,"quantity":2,"total":"22.50","price":11.25,"sku":"FX-MUG"}}]}}"#
    )
}

#[tokio::test]
async fn orders_in_a_gmt_window_by_page_and_as_a_stream() {
    use chrono::TimeZone;
    let mock = Mock::start(|req, _| {
        let page = page_of(req);
        let ids: Vec<String> = ((page - 1) * 100 + 1..=(page * 100).min(250))
            .map(|i| order_json(i as u64))
            .collect();
        json_paged(&format!("[{}]", ids.join(",")), 250, 3)
    });
    let client = mock.client();
    let after = chrono::Utc
        .with_ymd_and_hms(2026, 11, 27, 17, 28, 43)
        .unwrap();
    let before = chrono::Utc
        .with_ymd_and_hms(2026, 11, 27, 17, 28, 49)
        .unwrap();
    let q = OrderQuery {
        status: vec!["processing".into(), "on-hold".into()],
        ..OrderQuery::created_between(after, before)
    };
    let page = client
        .orders_page(
            q.clone(),
            qbm_woocommerce::woo::PageRequest::new(3, 100),
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!((page.total_items, page.total_pages), (Some(250), Some(3)));
    assert_eq!(page.records.len(), 50);
    let o = &page.records[0];
    assert_eq!(o.total, "53.92".parse().unwrap());
    assert_eq!(o.line_items[0].price, "11.25".parse().unwrap());
    assert_eq!(
        o.date_created_gmt.unwrap(),
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 27, 17, 28, 46)
            .unwrap()
    );
    let r = &mock.requests()[0];
    assert_eq!(r.q("after"), Some("2026-11-27T17:28:43"));
    assert_eq!(r.q("before"), Some("2026-11-27T17:28:49"));
    assert_eq!(r.q("dates_are_gmt"), Some("true"));
    assert_eq!(r.q("status"), Some("processing,on-hold"));
    assert_eq!(r.q("page"), Some("3"));

    // The whole window as a stream: pages in order, every order once.
    let stream = client.orders_stream(q, CancelToken::new());
    futures_util::pin_mut!(stream);
    let mut seen = Vec::new();
    while let Some(page) = futures_util::StreamExt::next(&mut stream).await {
        let page = page.unwrap();
        seen.push(page.number);
        assert_eq!(page.total_items, Some(250));
    }
    assert_eq!(seen, vec![1, 2, 3]);
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn orders_modified_in_a_window_are_polled_oldest_change_first() {
    use chrono::TimeZone;
    let mock = Mock::start(|req, _| match req.path.as_str() {
        "/wp-json/wc/v3/orders/1045/refunds" => json_paged(
            r#"[{"id":1047,"amount":"35.58","date_created_gmt":"2026-11-27T17:29:10","line_items":[{"id":9,"quantity":-2,"total":"-25.00","price":12.5}]}]"#,
            1,
            1,
        ),
        _ => json_paged(
            &format!("[{},{}]", order_json(1043), order_json(1045)),
            2,
            1,
        ),
    });
    let client = mock.client();
    let after = chrono::Utc
        .with_ymd_and_hms(2026, 11, 27, 17, 28, 50)
        .unwrap();
    let before = chrono::Utc
        .with_ymd_and_hms(2026, 11, 27, 17, 40, 0)
        .unwrap();
    let listing = client
        .list_all_orders(
            OrderQuery::modified_between(after, before),
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        listing.records.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![1043, 1045]
    );
    let r = &mock.requests()[0];
    assert_eq!(r.q("modified_after"), Some("2026-11-27T17:28:50"));
    assert_eq!(r.q("modified_before"), Some("2026-11-27T17:40:00"));
    assert_eq!(r.q("dates_are_gmt"), Some("true"));
    assert_eq!(r.q("orderby"), Some("modified"));
    assert_eq!(r.q("order"), Some("asc"));

    let refunds = client
        .list_all_refunds(1045, &CancelToken::new())
        .await
        .unwrap();
    let refund = &refunds.records[0];
    assert_eq!(refund.amount, "35.58".parse().unwrap());
    assert_eq!(refund.line_items[0].total, "-25.00".parse().unwrap());
}
