//! The C host in `tests/c/smoke.c`, compiled with the system compiler against the committed header
//! and run against the real plugin library: as an ABI 1.1 host with a job thread, as a host built
//! for ABI 1.0, and as a host that loads, uses and closes the library three times while its own threads outlive each close.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn compile(dir: &Path) -> PathBuf {
    let root = host_sim::plugin_path::workspace_root();
    let exe = dir.join("smoke");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let compiled = Command::new(cc)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-pthread",
        ])
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
    exe
}

/// Runs the C host in `mode` and returns its output; fails when it reports a failure.
fn run(exe: &Path, mode: Option<&str>) -> String {
    let mut command = Command::new(exe);
    command.arg(common::plugin());
    command.args(mode);
    let run = command.output().expect("the C host runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "the C host ({mode:?}) reported failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("PASS: 0 failure(s)"), "{stdout}");
    stdout
}

fn checks(output: &str) -> usize {
    output.lines().filter(|l| l.starts_with("ok ")).count()
}

#[test]
fn a_c_host_drives_the_plugin_through_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let exe = compile(dir.path());

    let full = run(&exe, None);
    assert!(checks(&full) >= 45, "{full}");
    assert!(
        full.contains("ok   every callback arrived on a thread inside a plugin call"),
        "{full}"
    );

    let old_host = run(&exe, Some("v1.0"));
    assert!(checks(&old_host) >= 30, "{old_host}");
    assert!(
        old_host.contains("ok   nothing after notify in a 1.0 table was called"),
        "{old_host}"
    );

    let unloaded = run(&exe, Some("unload"));
    assert!(
        unloaded.contains("ok   the library is gone from the process after dlclose"),
        "{unloaded}"
    );
    assert!(
        unloaded.contains("ok   the worker thread ends after dlclose without a crash"),
        "{unloaded}"
    );
    assert!(
        unloaded
            .contains("ok   the library was loaded, used from two threads and closed three times"),
        "{unloaded}"
    );
}
