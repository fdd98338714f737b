//! Where the plugin library is: beside host-sim's executable for the CLI, or freshly built (with
//! the test-only `test-panic` feature) for the tests.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The plugin's file name on this platform (`libqbm_woocommerce.so`, `qbm_woocommerce.dll`, …).
pub fn library_file_name() -> OsString {
    libloading::library_filename("qbm_woocommerce")
}

/// The plugin built together with the running executable: cargo puts the cdylib in the same
/// target directory (`target/debug/`) when the plugin itself is built, and in its `deps/` folder
/// when it is built as host-sim's dependency. The newest of them is the current one.
pub fn beside_executable() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    // Test binaries live one level down (`target/debug/deps`).
    let dirs = [Some(dir), dir.parent()];
    dirs.into_iter()
        .flatten()
        .flat_map(|d| {
            [
                d.join(library_file_name()),
                d.join("deps").join(library_file_name()),
            ]
        })
        .filter_map(|candidate| {
            let modified = candidate.metadata().ok()?.modified().ok()?;
            Some((modified, candidate))
        })
        .max()
        .map(|(_, newest)| newest)
}

/// The workspace's root folder (where the plugin's `Cargo.toml` is).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host-sim lives inside the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Builds the plugin for tests (debug, with the `test-panic` feature) once per process, in its own
/// target folder so the feature never leaks into the library the CLI loads, and returns its path.
///
/// Panics with cargo's output when the build fails: tests cannot run without the library.
pub fn build_for_tests() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let output = Command::new(cargo)
                .arg("build")
                .arg("--quiet")
                .arg("--manifest-path")
                .arg(workspace_root().join("Cargo.toml"))
                .args(["-p", "qbm_woocommerce", "--lib", "--features", "test-panic"])
                .arg("--target-dir")
                .arg(target_dir().join("plugin-under-test"))
                .arg("--message-format=json-render-diagnostics")
                .output()
                .expect("cargo can be started");
            assert!(
                output.status.success(),
                "building the plugin failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let wanted = library_file_name();
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .filter(|msg| msg["reason"] == "compiler-artifact")
                .flat_map(|msg| {
                    msg["filenames"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|f| f.as_str().map(PathBuf::from))
                })
                .find(|path| path.file_name() == Some(wanted.as_os_str()))
                .expect("cargo reported the plugin library among its artifacts")
        })
        .clone()
}
