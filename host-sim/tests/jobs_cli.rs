//! `host-sim run` as a person watches it: the job loop in the foreground noticing stock set from
//! another process within a second, and `run --cycles N` showing stock sync and polling cycles.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::{Shop, lines_with};
use host_sim::store::{Buyer, Checkout};

/// Long enough for anything these tests wait for; a broken promise fails the wait instead.
const PATIENCE: Duration = Duration::from_secs(60);

fn host_sim(company: &Path, workstation: &str, user: &str) -> Command {
    let mut command = common::cli(company);
    command.args(["--workstation", workstation, "--user", user]);
    command
}

fn ok(company: &Path, args: &[&str]) -> String {
    common::cli_ok(host_sim(company, "WS-01", "admin").args(args))
}

/// A company file connected to `shop` with stock sync started on WS-01.
fn stock_sync_company(shop: &Shop, company: &Path) {
    let set = shop.options_set(&[
        "stock_sync_on_this_client=true",
        "allow_import_orders=true",
        "order_polling_enabled=true",
        "guest_customer=3",
    ]);
    common::cli_ok(host_sim(company, "WS-01", "admin").args(set));
    ok(company, &["action", "options.stock_sync.start"]);
}

/// `host-sim run` in the foreground, its output line by line.
struct Foreground {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Foreground {
    fn start(company: &Path) -> Foreground {
        let mut child = host_sim(company, "WS-01", "admin")
            .arg("run")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("host-sim run starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Foreground {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The next line containing every one of `parts`, waiting for it.
    fn wait_for(&mut self, parts: &[&str]) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if parts.iter().all(|p| line.contains(p)) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {parts:?}; the loop printed:\n{:#?}",
                    self.seen
                ),
            }
        }
    }
}

impl Drop for Foreground {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_foreground_loop_publishes_stock_set_from_another_process_within_a_second() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    stock_sync_company(&shop, &company);
    let mut running = Foreground::start(&company);
    let first = running.wait_for(&["stock_sync: completed:"]);
    assert!(first.contains("4 pushed"), "{first}");
    assert!(first.contains("store requests"), "{first}");

    shop.store.reset_requests();
    let set = ok(&company, &["stock", "set", "MUG-01", "MAIN", "17"]);
    assert!(set.contains("40 → 17"), "{set}");
    // No interval passes: the loop hears of the movement and publishes that item alone.
    let early = running.wait_for(&["stock_sync: completed: 1 pushed"]);
    assert!(early.contains("0 failed"), "{early}");
    let stock = shop
        .store
        .with_data(|d| d.products.get(&1029).and_then(|p| p.stock_quantity));
    assert_eq!(stock, Some(17 - 2), "order #1040 still holds 2");
    assert_eq!(
        shop.store.requests().get("POST /wc/v3/products/batch"),
        1,
        "{:?}",
        shop.store.requests()
    );
}

#[test]
fn run_cycles_shows_each_cycle_of_both_jobs_and_who_holds_them() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    stock_sync_company(&shop, &company);
    ok(&company, &["action", "options.order_polling.start"]);
    let placed = shop
        .store
        .place_order(&Checkout::new(Buyer::Customer(4)).line(1030, 1))
        .unwrap();

    let runs = ok(&company, &["run", "--cycles", "3"]);
    let polling = lines_with(&runs, "order_polling: completed:");
    assert_eq!(polling.len(), 3, "{runs}");
    assert!(polling[0].contains("1 new order imported"), "{runs}");
    assert!(polling[1].contains("0 new orders imported"), "{runs}");
    assert!(
        polling.iter().all(|l| l.contains("store requests")),
        "{runs}"
    );
    let stock = lines_with(&runs, "stock_sync: completed:");
    assert_eq!(stock.len(), 3, "{runs}");
    assert!(stock[0].contains("store quantities checked"), "{runs}");
    // The second stock cycle found nothing to publish and asked the store nothing.
    assert!(
        stock[2].contains("0 pushed") && stock[2].contains("(0 store requests)"),
        "{runs}"
    );
    let links = host_sim::company::Company::open(&company)
        .unwrap()
        .links_get(&host_sim::company::records::LinksQuery {
            kind: "order".into(),
            woo_ids: Some(vec![placed.id.to_string()]),
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(links.len(), 1, "imported once");

    // Another workstation is told, in one line per job, who runs it.
    let out = host_sim(&company, "WS-02", "admin")
        .args(["run", "--cycles", "2"])
        .output()
        .unwrap();
    let elsewhere = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{elsewhere}");
    let held = lines_with(&elsewhere, "held by workstation WS-01");
    assert_eq!(
        held.len(),
        1,
        "polling (stock sync is off on WS-02): {elsewhere}"
    );
    assert!(
        held[0].contains("order_polling: held by workstation WS-01"),
        "{elsewhere}"
    );
    assert_eq!(
        lines_with(&elsewhere, "stock_sync: idle").len(),
        1,
        "{elsewhere}"
    );

    // A user who may not press Start in Options gets one cycle and the reason.
    let out = host_sim(&company, "WS-01", "clerk")
        .args(["run", "--cycles", "2"])
        .output()
        .unwrap();
    let clerk = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{clerk}");
    assert_eq!(
        lines_with(&clerk, "stock_sync: completed:").len(),
        1,
        "{clerk}"
    );
    assert_eq!(
        lines_with(&clerk, "cannot be asked for").len(),
        1,
        "{clerk}"
    );
}
