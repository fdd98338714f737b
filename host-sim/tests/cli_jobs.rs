//! `host-sim stock set` and `host-sim run --cycles N`, run as a person would from a terminal,
//! against one company file shared by two workstations.

mod common;

use std::path::Path;

use common::{Shop, lines_with};

fn host_sim(company: &Path, workstation: &str, args: &[&str]) -> (bool, String) {
    common::cli_run(
        common::cli(company)
            .args(["--workstation", workstation])
            .args(args),
    )
}

fn ok(company: &Path, workstation: &str, args: &[&str]) -> String {
    common::cli_ok(
        common::cli(company)
            .args(["--workstation", workstation])
            .args(args),
    )
}

#[test]
fn stock_set_and_the_job_loop_from_the_command_line() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");

    let set = ok(&company, "WS-01", &["stock", "set", "MUG-01", "MAIN", "17"]);
    assert!(set.contains("MUG-01") && set.contains("40 → 17"), "{set}");
    assert!(set.contains("stock_changed"), "{set}");
    let (failed, output) = host_sim(&company, "WS-01", &["stock", "set", "NO-SUCH", "MAIN", "1"]);
    assert!(!failed && output.contains("NO-SUCH"), "{output}");

    // Nothing started: each job says so once, and the loop ends.
    let idle = ok(&company, "WS-01", &["run", "--cycles", "3"]);
    assert_eq!(lines_with(&idle, "stock_sync: stopped").len(), 1, "{idle}");
    assert_eq!(
        lines_with(&idle, "order_polling: stopped").len(),
        1,
        "{idle}"
    );
    assert!(idle.contains("No job ran on WS-01"), "{idle}");

    common::cli_ok(
        common::cli(&company)
            .args(["--workstation", "WS-01"])
            .args(shop.options_set(&["stock_sync_on_this_client=true"])),
    );
    ok(&company, "WS-01", &["action", "options.stock_sync.start"]);

    // Started: stock sync runs once per cycle on WS-01 …
    let runs = ok(&company, "WS-01", &["run", "--cycles", "2"]);
    let stock_lines = lines_with(&runs, "stock_sync:");
    assert_eq!(stock_lines.len(), 2, "{runs}");
    assert!(
        stock_lines.iter().all(|l| l.contains("store requests")),
        "{runs}"
    );
    assert_eq!(
        lines_with(&runs, "order_polling: stopped").len(),
        1,
        "{runs}"
    );

    // … and another workstation is told, in one line, who holds it.
    ok(
        &company,
        "WS-02",
        &["options", "set", "stock_sync_on_this_client=true"],
    );
    let elsewhere = ok(&company, "WS-02", &["run", "--cycles", "2"]);
    let held = lines_with(&elsewhere, "stock_sync:");
    assert_eq!(held.len(), 1, "{elsewhere}");
    assert!(held[0].contains("held by workstation WS-01"), "{elsewhere}");
}
