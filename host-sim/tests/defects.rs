//! The nine defects that hosts written from the header alone, a misbehaving store and a proxy
//! found (issue 9), each proved fixed through the C ABI: every test here fails on the old
//! behaviour. Waits are bounded ([`faults_support::BOUND`]): a deadlock or an endless loop fails
//! the test instead of hanging it; nothing sleeps to synchronise.

mod common;
mod faults_support;

use common::{item_id, row, rows};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Shop;
use faults_support::{
    BOUND, Cb, CompanyView, FAST, Gate, Hooked, Raw, Reply, StoreView, destroy_on, invoke_on,
    set_timeouts,
};
use host_sim::company::Company;
use host_sim::company::records::{Item, LinksQuery};
use host_sim::host_table::{Callback, Layout};
use host_sim::loader::PluginLibrary;
use host_sim::services::SimHost;
use host_sim::store::{FaultKind, FaultRule};
use qbm_woocommerce::ffi::abi::{
    QBM_WC_AREA_COMPANY_OPTIONS, QBM_WC_AREA_COMPANY_STATE, qbm_wc_status,
};
use serde_json::{Value, json};

fn status(s: qbm_wc_status) -> u32 {
    s as u32
}

fn request(action: &str, call_id: u64, selection: &[&str], answers: Value) -> Vec<u8> {
    json!({
        "schema": "qbm.wc.action-request/1",
        "action": action,
        "call_id": call_id,
        "selection": selection,
        "answers": answers,
    })
    .to_string()
    .into_bytes()
}

fn accounts() -> Value {
    json!({"income": "4100", "asset": "1410", "cogs": "5000", "expense": "6000", "purchase_variance": "5100"})
}

/// A company, the hooked host over it, and an instance created through the raw table, whose
/// options point at `shop` (when given).
struct Rig {
    company: Arc<Company>,
    host: Arc<Hooked>,
    raw: Arc<Raw>,
}

fn rig(shop: Option<&Shop>, layout: Layout) -> Rig {
    rig_on(
        Arc::new(Company::in_memory().unwrap()),
        "WS-01",
        shop,
        layout,
        &PluginLibrary::load(&common::plugin()).unwrap(),
    )
}

fn rig_on(
    company: Arc<Company>,
    workstation: &str,
    shop: Option<&Shop>,
    layout: Layout,
    lib: &Arc<PluginLibrary>,
) -> Rig {
    let sim = SimHost::new(Arc::clone(&company), "admin", workstation);
    let host = Hooked::new(sim);
    let raw = Arc::new(Raw::create(lib, host.clone(), &layout));
    if let Some(shop) = shop {
        let mut values = shop.connection(&shop.key);
        values["primary_location"] = json!("1");
        values["allow_create_items"] = json!(true);
        values["allow_import_items"] = json!(true);
        let saved = raw.options_save(&json!({ "values": values }));
        assert!(saved.ok(), "{}: {}", saved.name, saved.message);
    }
    Rig { company, host, raw }
}

/// Runs `body` on another thread and waits for it at most [`BOUND`]: a deadlock fails the test.
fn bounded<T: Send + 'static>(what: &str, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(body());
    });
    rx.recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("{what} did not return within {BOUND:?}: a deadlock"))
}

fn is_log_write(cb: &Cb) -> bool {
    matches!(cb, Cb::StorageSet { area, key } | Cb::StorageCas { area, key }
        if *area == QBM_WC_AREA_COMPANY_STATE && key.starts_with("integration-log"))
}

fn log_messages(raw: &Raw) -> Vec<String> {
    let logs = raw.invoke(&request("logs.refresh", 0, &[], json!({})));
    assert!(logs.ok(), "{}: {}", logs.name, logs.message);
    rows(&logs.json())
        .iter()
        .map(|r| r["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

// 1. Deadlock: no plugin lock is held while a host callback runs.

#[test]
fn a_host_whose_storage_waits_for_another_call_does_not_deadlock() {
    let rig = rig(None, Layout::Complete);
    // The host stores the log on its "UI thread", which is busy inside another invoke_action:
    // the first log write waits until that other call has returned.
    let gate = Arc::new(Gate::default());
    let blocked_once = Arc::new(AtomicBool::new(false));
    {
        let gate = Arc::clone(&gate);
        let blocked_once = Arc::clone(&blocked_once);
        rig.host.set_hook(move |cb| {
            if is_log_write(cb) && !blocked_once.swap(true, Ordering::SeqCst) {
                assert!(
                    gate.arrive_and_wait(),
                    "the other call never returned while this storage write waited: a deadlock"
                );
            }
            Reply::Pass
        });
    }
    let first = {
        let raw = Arc::clone(&rig.raw);
        std::thread::spawn(move || raw.invoke(&request("options.clear_cache", 1, &[], json!({}))))
    };
    assert!(gate.wait_for(1), "the first call never wrote its log");
    // While the first call waits inside storage, a second call runs to its end, writing the log
    // too. With a lock held across the callback it would wait for the first call forever.
    let raw = Arc::clone(&rig.raw);
    let second = bounded("a call made while another waits in storage", move || {
        raw.invoke(&request("options.clear_cache", 2, &[], json!({})))
    });
    assert!(second.ok(), "{}: {}", second.name, second.message);
    gate.open();
    let first = first.join().unwrap();
    assert!(first.ok(), "{}: {}", first.name, first.message);
    let cleared = log_messages(&rig.raw)
        .iter()
        .filter(|m| m.contains("Cached WooCommerce item data cleared"))
        .count();
    assert_eq!(cleared, 2, "both calls' log entries are kept");
}

#[test]
fn storage_set_may_call_back_into_the_plugin() {
    let rig = rig(None, Layout::Complete);
    let handle = rig.raw.handle;
    let lib = Arc::clone(&rig.raw.lib);
    let inner: Arc<std::sync::Mutex<Option<(u32, String, String)>>> = Arc::default();
    let once = Arc::new(AtomicBool::new(false));
    {
        let inner = Arc::clone(&inner);
        rig.host.set_hook(move |cb| {
            if is_log_write(cb) && !once.swap(true, Ordering::SeqCst) {
                let answer = invoke_on(&lib, handle, &request("logs.refresh", 5, &[], json!({})));
                *inner.lock().unwrap() = Some((answer.status, answer.message, answer.text));
            }
            Reply::Pass
        });
    }
    let raw = Arc::clone(&rig.raw);
    let outer = bounded("a call whose storage_set re-enters the plugin", move || {
        raw.invoke(&request("options.clear_cache", 1, &[], json!({})))
    });
    assert!(outer.ok(), "{}: {}", outer.name, outer.message);
    let (code, message, text) = inner.lock().unwrap().clone().expect("the hook ran");
    assert_eq!(code, 0, "the call made from inside storage_set: {message}");
    assert!(text.contains("qbm.wc.action-response/1"), "{text}");
    assert!(log_messages(&rig.raw).iter().any(|m| m.contains("cleared")));
}

// 2. Re-entry from the log callback.

#[test]
fn the_log_callback_may_call_back_into_the_plugin_but_not_destroy_it() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    let handle = rig.raw.handle;
    let lib = Arc::clone(&rig.raw.lib);
    let answers: Arc<std::sync::Mutex<Vec<(String, u32, String)>>> = Arc::default();
    let once = Arc::new(AtomicBool::new(false));
    {
        let answers = Arc::clone(&answers);
        rig.host.set_hook(move |cb| {
            if matches!(cb, Cb::Log(_)) && !once.swap(true, Ordering::SeqCst) {
                let mut seen = answers.lock().unwrap();
                // An action that talks to the store (its tracing events run through the
                // instance's dispatcher), one that reads the log, and destroy.
                for action in ["items.woo.refresh", "logs.refresh"] {
                    let a = invoke_on(&lib, handle, &request(action, 40, &[], json!({})));
                    seen.push((action.to_string(), a.status, a.message));
                }
                let refused = destroy_on(&lib, handle);
                seen.push((
                    "destroy".into(),
                    u32::from(refused.is_some()),
                    refused.unwrap_or_default(),
                ));
            }
            Reply::Pass
        });
    }
    let raw = Arc::clone(&rig.raw);
    let outer = bounded("an action whose log callback re-enters", move || {
        raw.invoke(&request("items.woo.refresh", 1, &[], json!({})))
    });
    assert!(outer.ok(), "{}: {}", outer.name, outer.message);
    let seen = answers.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    for (what, code, message) in &seen[..2] {
        assert_eq!(*code, 0, "{what} from inside the log callback: {message}");
    }
    let (_, refused, message) = &seen[2];
    assert_eq!(
        *refused, 1,
        "destroy from inside a callback must be refused"
    );
    assert!(message.contains("still running"), "{message}");
    // Not poisoned: the instance still works.
    let after = rig
        .raw
        .invoke(&request("items.woo.refresh", 2, &[], json!({})));
    assert!(after.ok(), "{}: {}", after.name, after.message);
    assert!(
        rig.host.sim.violations().is_empty(),
        "{:?}",
        rig.host.sim.violations()
    );
}

// 3. Partial success is answered row by row.

#[test]
fn create_update_stopped_by_429_on_variations_reports_what_was_done() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    let company = &rig.company;
    let selection: Vec<String> = ["MUG-01", "CABLE-USBC", "TS-S-RED"]
        .iter()
        .map(|c| item_id(company, c))
        .collect();
    let selected: Vec<&str> = selection.iter().map(String::as_str).collect();
    // Products go through; the variations' batch is refused with a long Retry-After.
    shop.store.faults().add(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 600,
        })
        .on_route("/wc/v3/products/1036/variations/batch"),
    );
    let answer = rig
        .raw
        .invoke(&request("items.qbm.create_update", 1, &selected, json!({})));
    assert!(
        answer.ok(),
        "partial success is not a failure status: {}: {}",
        answer.name,
        answer.message
    );
    let response = answer.json();
    assert_eq!(response["outcome"], "incomplete", "{response}");
    assert!(
        response["message"].as_str().unwrap().contains("wait"),
        "the message names the cause: {response}"
    );
    let table = rows(&response);
    assert_eq!(row(&table, "code", "FX-MUG")["outcome"], "updated");
    let cable = row(&table, "code", "QBM-CABLE-1M");
    assert_eq!(cable["outcome"], "created");
    let shirt = row(&table, "code", "FX-TSHIRT-S-RED")["outcome"].clone();
    assert!(shirt == "failed" || shirt == "not_done", "{shirt}");
    // What was done is linked.
    let links = company
        .links_get(&LinksQuery {
            kind: "item".into(),
            woo_ids: None,
            qbm_ids: Some(selection.clone()),
        })
        .unwrap();
    let linked: Vec<&str> = links.iter().map(|l| l.qbm_id.as_str()).collect();
    assert!(linked.contains(&selection[0].as_str()), "{links:?}");
    assert!(linked.contains(&selection[1].as_str()), "{links:?}");
    assert!(!linked.contains(&selection[2].as_str()), "{links:?}");
    assert!(
        log_messages(&rig.raw)
            .iter()
            .any(|m| m.starts_with("Create / Update:") && m.contains("stopped part way")),
        "a log entry says it stopped part way"
    );
}

#[test]
fn an_import_whose_link_was_not_recorded_is_linked_by_the_next_run() {
    let shop = Shop::http();
    // A 1.0 host creates the item, then links it in a second call, which fails here.
    let rig = rig(Some(&shop), Layout::V1_0);
    rig.host.set_hook(|cb| match cb {
        Cb::Call(Callback::LinksPut, _) => Reply::Fail(
            qbm_wc_status::QBM_WC_STATUS_HOST_ERROR,
            "the company database is locked".into(),
        ),
        _ => Reply::Pass,
    });
    let answer = rig.raw.invoke(&request(
        "items.woo.import",
        1,
        &["1032"],
        json!({"default_accounts": accounts()}),
    ));
    assert!(answer.ok(), "{}: {}", answer.name, answer.message);
    let first = answer.json();
    let created = row(&rows(&first), "woo_id", "1032").clone();
    assert_eq!(created["outcome"], "created", "{first}");
    assert!(
        created["detail"].as_str().unwrap().contains("link"),
        "the row says the link is missing: {created}"
    );
    rig.host.clear_hook();
    let again = rig.raw.invoke(&request(
        "items.woo.import",
        2,
        &["1032"],
        json!({"default_accounts": accounts()}),
    ));
    assert!(again.ok(), "{}: {}", again.name, again.message);
    let repaired = again.json();
    assert_eq!(
        row(&rows(&repaired), "woo_id", "1032")["outcome"],
        "linked",
        "{repaired}"
    );
    let view = CompanyView::of(&rig.company);
    assert!(view.duplicates().is_empty(), "{:?}", view.duplicates());
    assert_eq!(
        view.links.iter().filter(|l| l.woo_id == "1032").count(),
        1,
        "linked once"
    );
}

// 4. A host that ignores paging.

fn item_page(from: usize, count: usize) -> String {
    let items: Vec<Item> = (from..from + count)
        .map(|n| Item {
            id: Some(format!("G{n}")),
            code: format!("GEN-{n}"),
            name: format!("Generated {n}"),
            item_type: "inventory".into(),
            active: true,
            ..Item::default()
        })
        .collect();
    json!({ "items": items }).to_string()
}

#[test]
fn a_host_that_ignores_offset_or_limit_is_named_not_looped_on() {
    for (label, answer) in [
        ("the same page again", item_page(0, 1000)),
        ("more than asked for", item_page(0, 1500)),
    ] {
        let shop = Shop::http();
        let rig = rig(Some(&shop), Layout::Complete);
        let answer = answer.clone();
        rig.host.set_hook(move |cb| match cb {
            Cb::Call(Callback::ItemsQuery, _) => Reply::Text(answer.clone()),
            _ => Reply::Pass,
        });
        let raw = Arc::clone(&rig.raw);
        let started = Instant::now();
        let result = bounded("a listing over a host that ignores paging", move || {
            raw.invoke(&request("items.qbm.refresh", 1, &[], json!({})))
        });
        assert_eq!(
            result.status,
            status(qbm_wc_status::QBM_WC_STATUS_HOST_BAD_RESPONSE),
            "{label}: {}: {}",
            result.name,
            result.message
        );
        assert!(
            result.message.contains("items_query") && result.message.contains("offset"),
            "{label}: {}",
            result.message
        );
        let calls = rig
            .host
            .seen()
            .iter()
            .filter(|c| matches!(c, Cb::Call(Callback::ItemsQuery, _)))
            .count();
        assert!(calls <= 2, "{label}: {calls} pages were asked for");
        assert!(started.elapsed() < BOUND);
    }
}

#[test]
fn a_listing_that_never_ends_can_be_cancelled() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    // Full pages of new items, forever: the listing is bounded only by cancel (and a limit
    // far beyond any company).
    let pages = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Gate::default());
    {
        let pages = Arc::clone(&pages);
        let gate = Arc::clone(&gate);
        rig.host.set_hook(move |cb| match cb {
            Cb::Call(Callback::ItemsQuery, request) => {
                let query: Value = serde_json::from_str(request).unwrap();
                let offset = query["offset"].as_u64().unwrap_or(0) as usize;
                let n = pages.fetch_add(1, Ordering::SeqCst);
                if n == 3 {
                    gate.arrive_and_wait();
                }
                Reply::Text(item_page(offset, 1000))
            }
            _ => Reply::Pass,
        });
    }
    let running = {
        let raw = Arc::clone(&rig.raw);
        std::thread::spawn(move || raw.invoke(&request("items.qbm.refresh", 77, &[], json!({}))))
    };
    assert!(
        gate.wait_for(1),
        "the listing never reached its fourth page"
    );
    assert_eq!(rig.raw.cancel(77), 0);
    gate.open();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(running.join().unwrap());
    });
    let result = rx
        .recv_timeout(BOUND)
        .expect("cancel stops a listing that never ends");
    assert_eq!(
        result.status,
        status(qbm_wc_status::QBM_WC_STATUS_CANCELLED),
        "{}: {}",
        result.name,
        result.message
    );
    assert!(pages.load(Ordering::SeqCst) <= 6, "it went on after cancel");
}

// 5. Credentials in error messages.

/// A "firewall" on 127.0.0.1 that answers every request with `status` and a page quoting the
/// credentials the way such pages do. Returns its URL.
fn echoing_firewall(status_line: &'static str, body: String, content_type: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let reply = format!(
                "HTTP/1.1 {status_line}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    url
}

#[test]
fn a_page_quoting_the_credentials_leaves_no_trace_of_them() {
    use base64::Engine as _;
    let key = "ck_0123456789abcdef0123456789abcdef01234567";
    let secret = "cs_fedcba9876543210fedcba9876543210fedcba98";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    let encoded: String =
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let quoted = format!(
        "Request blocked. Authorization: Basic {basic} GET /wp-json/wc/v3/products?consumer_key={key}&consumer_secret={secret} \
         oauth_signature=abcdEFGH1234%3D retry with {encoded}"
    );
    // Pages whose text the plugin quotes: a bot challenge served with 200, a proxy's 503, and a
    // WordPress error whose message repeats the request.
    let pages = [
        (
            "200 OK",
            format!("<html><body><h1>Checking your browser</h1><pre>{quoted}</pre></body></html>"),
            "text/html",
            true,
        ),
        (
            "503 Service Unavailable",
            format!("<html><body><h1>Service unavailable</h1><p>{quoted}</p></body></html>"),
            "text/html",
            false,
        ),
        (
            "400 Bad Request",
            json!({"code": "rest_invalid_param", "message": quoted, "data": {"status": 400}})
                .to_string(),
            "application/json",
            true,
        ),
    ];
    for (status_line, body, content_type, quoted_in_messages) in pages {
        let url = echoing_firewall(status_line, body, content_type);
        let rig = rig(None, Layout::Complete);
        set_timeouts(&rig.company, "WS-01", &FAST);
        let saved = rig.raw.options_save(&json!({"values": {
            "enabled": true, "store_url": url, "allow_insecure_http": true,
            "consumer_key": key, "consumer_secret": secret, "primary_location": "1",
        }}));
        assert!(saved.ok(), "{}", saved.message);
        let mut seen = Vec::new();
        for action in [
            "options.reconnect",
            "items.woo.refresh",
            "customers.woo.refresh",
        ] {
            let answer = rig.raw.invoke(&request(action, 1, &[], json!({})));
            assert!(!answer.ok(), "{action} against the firewall failed");
            seen.push(format!("{action}: {} {}", answer.message, answer.text));
        }
        seen.extend(log_messages(&rig.raw));
        seen.extend(rig.host.sim.host_log().into_iter().map(|(_, m)| m));
        seen.extend(rig.host.sim.notifications().into_iter().map(|(_, m)| m));
        let all = seen.join("\n");
        for (form, text) in [
            ("the secret", secret),
            ("its Base64 with the key", basic.as_str()),
            ("its percent-encoded form", encoded.as_str()),
            ("the OAuth signature", "abcdEFGH1234"),
            ("a part of the secret", "fedcba9876543210"),
        ] {
            assert!(
                !all.contains(text),
                "{status_line}: {form} is shown:\n{all}"
            );
        }
        assert!(
            !quoted_in_messages || all.contains("Request blocked"),
            "{status_line}: the page is quoted (so its credentials were removed, not just never shown):\n{all}"
        );
    }
}

// 6. Two instances writing the log at once (the two-workstation test does everything at once;
// this one writes the log only, as fast as it can).

#[test]
fn two_instances_writing_the_log_at_once_lose_no_entry() {
    let company = Arc::new(Company::in_memory().unwrap());
    let lib = PluginLibrary::load(&common::plugin()).unwrap();
    let a = rig_on(Arc::clone(&company), "WS-01", None, Layout::Complete, &lib);
    let b = rig_on(Arc::clone(&company), "WS-02", None, Layout::Complete, &lib);
    const CALLS: usize = 40;
    std::thread::scope(|scope| {
        for rig in [&a, &b] {
            scope.spawn(move || {
                for n in 0..CALLS {
                    let answer = rig.raw.invoke(&request(
                        "options.clear_cache",
                        n as u64 + 1,
                        &[],
                        json!({}),
                    ));
                    assert!(answer.ok(), "{}", answer.message);
                }
            });
        }
    });
    let cleared = log_messages(&a.raw)
        .iter()
        .filter(|m| m.contains("Cached WooCommerce item data cleared"))
        .count();
    assert_eq!(
        cleared,
        2 * CALLS,
        "every entry of both workstations is kept"
    );
}

// 7. Cancel with shared or missing call ids.

/// The call id whose first progress report waits, and the gate it waits at.
type Held = Option<(u64, Arc<Gate>)>;

#[test]
fn every_running_call_stays_cancellable_and_a_running_id_is_busy() {
    let shop = Shop::http();
    shop.store.faults().add(
        FaultRule::new(FaultKind::Latency(Duration::from_millis(150))).on_route("/wc/v3/products"),
    );
    let rig = rig(Some(&shop), Layout::Complete);
    // The first progress report of the call being held waits at a gate until the test lets
    // it go, so the test knows the call is running without sleeping.
    let round: Arc<std::sync::Mutex<Held>> = Arc::default();
    {
        let round = Arc::clone(&round);
        rig.host.set_hook(move |cb| {
            if let Cb::Progress { call_id, .. } = cb {
                let held = round.lock().unwrap().take_if(|(id, _)| id == call_id);
                if let Some((_, gate)) = held {
                    gate.arrive_and_wait();
                }
            }
            Reply::Pass
        });
    }
    for call_id in [0u64, 9] {
        let gate = Arc::new(Gate::default());
        *round.lock().unwrap() = Some((call_id, Arc::clone(&gate)));
        let running = {
            let raw = Arc::clone(&rig.raw);
            std::thread::spawn(move || {
                raw.invoke(&request("items.woo.refresh", call_id, &[], json!({})))
            })
        };
        assert!(gate.wait_for(1), "the refresh never reported progress");
        // Another call with the same id: refused while the first runs (a non-zero id), or run
        // to its end (no id, 0). Either way the first stays reachable by cancel afterwards
        // (the old registry forgot it when the other call with its id ended).
        let other = rig
            .raw
            .invoke(&request("logs.refresh", call_id, &[], json!({})));
        if call_id == 0 {
            assert!(other.ok(), "{}", other.message);
        } else {
            assert_eq!(
                other.status,
                status(qbm_wc_status::QBM_WC_STATUS_BUSY),
                "{}",
                other.message
            );
            assert!(other.message.contains("call_id 9"), "{}", other.message);
        }
        assert_eq!(rig.raw.cancel(call_id), 0);
        gate.open();
        let result = running.join().unwrap();
        assert_eq!(
            result.status,
            status(qbm_wc_status::QBM_WC_STATUS_CANCELLED),
            "call_id {call_id}: {}: {}",
            result.name,
            result.message
        );
    }
}

// 8. Deadlines, cancellable writes, unknown outcomes re-read.

#[test]
fn a_store_that_stops_mid_answer_ends_a_read_within_the_deadline() {
    for fault in [FaultKind::HeadersThenSilence, FaultKind::Hang] {
        let shop = Shop::http();
        let rig = rig(Some(&shop), Layout::Complete);
        set_timeouts(&rig.company, "WS-01", &FAST);
        shop.store
            .faults()
            .add(FaultRule::new(fault).on_route("/wc/v3/products"));
        let started = Instant::now();
        let answer = rig
            .raw
            .invoke(&request("items.woo.refresh", 1, &[], json!({})));
        let took = started.elapsed();
        assert!(!answer.ok(), "{fault:?}: {}", answer.text);
        assert!(
            answer.message.contains("did not answer") || answer.message.contains("in time"),
            "{fault:?}: {}: {}",
            answer.name,
            answer.message
        );
        assert!(
            took <= FAST.deadline() + Duration::from_secs(3),
            "{fault:?}: took {took:?}, the deadline is {:?}",
            FAST.deadline()
        );
    }
}

#[test]
fn a_hung_write_is_cancellable() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    // The default request timeout (60 s): only cancel can end this write early.
    shop.store.faults().add(
        FaultRule::new(FaultKind::Hang)
            .on_method("POST")
            .on_route("/wc/v3/products/batch"),
    );
    let cable = item_id(&rig.company, "CABLE-USBC");
    let running = {
        let raw = Arc::clone(&rig.raw);
        std::thread::spawn(move || {
            raw.invoke(&request(
                "items.qbm.create_update",
                31,
                &[&cable],
                json!({}),
            ))
        })
    };
    let waited = Instant::now();
    while shop.store.requests().matching("POST /wc/v3/products/batch") == 0 {
        assert!(waited.elapsed() < BOUND, "the write was never sent");
        std::thread::yield_now();
    }
    let cancelled_at = Instant::now();
    assert_eq!(rig.raw.cancel(31), 0);
    let result = running.join().unwrap();
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(10),
        "cancel took {:?}: the write was waited for",
        cancelled_at.elapsed()
    );
    assert!(result.ok(), "{}: {}", result.name, result.message);
    let response = result.json();
    let outcome = row(&rows(&response), "code", "QBM-CABLE-1M")["outcome"].clone();
    assert!(
        outcome == "unknown" || outcome == "not_done",
        "a write given up on is not reported as failed: {response}"
    );
    assert_eq!(
        response["outcome"], "cancelled",
        "the action says it was cancelled, with its rows: {response}"
    );
}

#[test]
fn a_write_applied_then_answered_502_is_reported_created_and_linked() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    shop.store.faults().add(
        FaultRule::new(FaultKind::AppliedThen502)
            .on_method("POST")
            .on_route("/wc/v3/products/batch")
            .times(1),
    );
    let before = StoreView::of(&shop.store);
    let cable = item_id(&rig.company, "CABLE-USBC");
    let answer = rig
        .raw
        .invoke(&request("items.qbm.create_update", 1, &[&cable], json!({})));
    assert!(answer.ok(), "{}: {}", answer.name, answer.message);
    let response = answer.json();
    let created = row(&rows(&response), "code", "QBM-CABLE-1M").clone();
    assert_eq!(created["outcome"], "created", "{response}");
    let after = StoreView::of(&shop.store);
    assert_eq!(after.products.len(), before.products.len() + 1, "made once");
    assert!(after.duplicate_skus().is_empty());
    let woo_id = created["woo_id"].as_str().unwrap().to_string();
    let links = rig
        .company
        .links_get(&LinksQuery {
            kind: "item".into(),
            woo_ids: Some(vec![woo_id]),
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(links.len(), 1, "the created product is linked");
}

// 9. Smaller ones.

#[test]
fn an_unreadable_stored_option_is_reported_not_defaulted() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    let stored = rig
        .company
        .storage_get(QBM_WC_AREA_COMPANY_OPTIONS, "", "options")
        .unwrap()
        .unwrap();
    let mut document: Value = serde_json::from_str(&stored).unwrap();
    document["enabled"] = json!("yes");
    rig.company
        .storage_set(
            QBM_WC_AREA_COMPANY_OPTIONS,
            "",
            "options",
            Some(&document.to_string()),
        )
        .unwrap();
    let options = rig.raw.options_get();
    assert!(options.ok(), "{}", options.message);
    let problems = options.json()["problems"].clone();
    assert!(
        problems.as_array().is_some_and(|p| p
            .iter()
            .any(|p| p["field"] == "enabled" && p["message"].as_str().unwrap().contains("yes"))),
        "{problems}"
    );
    assert!(
        log_messages(&rig.raw)
            .iter()
            .any(|m| m.contains("Enable WooCommerce integration") && m.contains("yes")),
        "the log says so"
    );
}

#[test]
fn an_on_hand_beyond_the_stores_range_is_refused_for_that_item() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    let mug = item_id(&rig.company, "MUG-01");
    let cable = item_id(&rig.company, "CABLE-USBC");
    rig.company
        .set_on_hand(&mug, "1", "99999999999999999999999".parse().unwrap())
        .unwrap();
    let before = StoreView::of(&shop.store);
    for action in ["items.qbm.sync_stock", "items.qbm.create_update"] {
        let answer = rig
            .raw
            .invoke(&request(action, 1, &[&mug, &cable], json!({})));
        assert!(answer.ok(), "{action}: {}: {}", answer.name, answer.message);
        let response = answer.json();
        let mug_row = row(&rows(&response), "code", "FX-MUG").clone();
        assert_eq!(mug_row["outcome"], "failed", "{action}: {response}");
        assert!(
            mug_row["detail"]
                .as_str()
                .unwrap()
                .contains("99999999999999999999999"),
            "{action}: {mug_row}"
        );
        assert_ne!(
            row(&rows(&response), "code", "QBM-CABLE-1M")["outcome"],
            "failed",
            "{action}: the other item goes on: {response}"
        );
    }
    assert_eq!(
        StoreView::of(&shop.store).products[&1029],
        before.products[&1029],
        "the mug's stock in the store is untouched"
    );
}

#[test]
fn the_identity_names_the_workstation_in_the_log() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    rig.host.sim.set_workstation("TILL-7");
    let fresh = rig_on(
        Arc::clone(&rig.company),
        "TILL-7",
        None,
        Layout::Complete,
        &rig.raw.lib,
    );
    let answer = fresh
        .raw
        .invoke(&request("options.clear_cache", 1, &[], json!({})));
    assert!(answer.ok(), "{}", answer.message);
    assert!(
        fresh.host.seen().contains(&Cb::Identity),
        "get_identity is called"
    );
    let logs = fresh
        .raw
        .invoke(&request("logs.refresh", 2, &[], json!({})));
    let table = rows(&logs.json());
    let cleared = table
        .iter()
        .find(|r| {
            r["message"]
                .as_str()
                .unwrap_or_default()
                .contains("Cached WooCommerce item data cleared")
        })
        .expect("the entry is there");
    assert_eq!(cleared["workstation"], "TILL-7", "{cleared}");
}

/// Rewrites the stored catalog's `loaded_at` to `when`.
fn age_cache(company: &Company, when: &str) -> usize {
    let mut changed = 0;
    for key in company.storage_keys(QBM_WC_AREA_COMPANY_STATE, "").unwrap() {
        let Some(value) = company
            .storage_get(QBM_WC_AREA_COMPANY_STATE, "", &key)
            .unwrap()
        else {
            continue;
        };
        if let Some(start) = value.find("\"loaded_at\":\"") {
            let from = start + "\"loaded_at\":\"".len();
            let end = from + value[from..].find('"').unwrap();
            let aged = format!("{}{when}{}", &value[..from], &value[end..]);
            company
                .storage_set(QBM_WC_AREA_COMPANY_STATE, "", &key, Some(&aged))
                .unwrap();
            changed += 1;
        }
    }
    changed
}

#[test]
fn import_says_how_old_the_cache_is_and_refuses_one_too_old() {
    let shop = Shop::http();
    let rig = rig(Some(&shop), Layout::Complete);
    let refreshed = rig
        .raw
        .invoke(&request("items.woo.refresh", 1, &[], json!({})));
    assert!(refreshed.ok(), "{}", refreshed.message);
    let prompt = rig
        .raw
        .invoke(&request("items.woo.import", 2, &["1032"], json!({})));
    assert!(prompt.ok(), "{}", prompt.message);
    let message = prompt.json()["prompt"]["message"].clone();
    assert!(
        message.as_str().unwrap().contains("loaded"),
        "the prompt says when the items were loaded: {message}"
    );
    // Every store request fails from now on; a cache of two days ago must not be imported from.
    shop.store
        .faults()
        .add(FaultRule::new(FaultKind::ServerError(503)));
    let fresh = rig_on(
        Arc::clone(&rig.company),
        "WS-01",
        None,
        Layout::Complete,
        &rig.raw.lib,
    );
    let two_days_ago = (chrono::Utc::now() - chrono::Duration::days(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(
        age_cache(&rig.company, &two_days_ago) > 0,
        "the cache was found"
    );
    let refused = fresh.raw.invoke(&request(
        "items.woo.import",
        3,
        &["1032"],
        json!({"default_accounts": accounts()}),
    ));
    assert!(!refused.ok(), "{}", refused.text);
    assert!(
        refused.message.contains("2 days") && refused.message.contains("Refresh"),
        "{}: {}",
        refused.name,
        refused.message
    );
    assert!(
        CompanyView::of(&rig.company)
            .links
            .iter()
            .all(|l| l.woo_id != "1032"),
        "nothing was imported"
    );
}
