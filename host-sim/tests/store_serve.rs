//! `host-sim store serve` as a process: Ctrl-C (SIGINT) stops it gracefully and it prints the
//! request counts on the way out.
#![cfg(unix)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn get(origin: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(origin).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn ctrl_c_stops_the_store_and_prints_the_counts() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_host-sim"))
        .args(["store", "serve", "--fixtures"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("host-sim starts");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let origin = first
        .rsplit("http://")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        first.starts_with("Simulated WooCommerce store listening on http://"),
        "{first}"
    );
    for line in lines.by_ref() {
        if line.expect("banner").starts_with("Press Ctrl-C") {
            break;
        }
    }
    assert!(get(&origin, "/wp-json/").starts_with("HTTP/1.1 200"));
    assert!(get(&origin, "/wp-json/wc/v3/orders").starts_with("HTTP/1.1 401"));

    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let (done_tx, done_rx) = mpsc::channel();
    let rest = std::thread::spawn(move || {
        let text: Vec<String> = lines.map_while(Result::ok).collect();
        let exit = child.wait().expect("wait");
        let _ = done_tx.send(());
        (text, exit)
    });
    if done_rx.recv_timeout(Duration::from_secs(30)).is_err() {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        panic!("host-sim did not stop on SIGINT");
    }
    let (text, exit) = rest.join().expect("reader");
    assert!(exit.success(), "{exit:?}");
    let text = text.join("\n");
    assert!(
        text.contains("Served 2 requests (at most 1 in flight at once)"),
        "{text}"
    );
    assert!(text.contains("GET /wc/v3/orders"), "{text}");
}
