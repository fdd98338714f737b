//! The C host in `tests/c/smoke.c`, compiled with the system compiler against the committed header
//! and run against the real plugin library.

mod common;

use std::process::Command;

#[test]
fn a_c_host_drives_the_plugin_through_the_header() {
    let root = host_sim::plugin_path::workspace_root();
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("smoke");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let compiled = Command::new(cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join("tests/c/smoke.c"))
        .arg("-o")
        .arg(&exe)
        .arg("-ldl")
        .output()
        .expect("the C compiler can be started");
    assert!(
        compiled.status.success(),
        "tests/c/smoke.c does not compile:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let run = Command::new(&exe)
        .arg(common::plugin())
        .output()
        .expect("the C host runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the C host reported failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("PASS: 0 failure(s)"), "{stdout}");
    assert!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count() >= 30,
        "{stdout}"
    );
}
