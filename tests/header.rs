//! The committed header is exactly what cbindgen generates from the Rust source, compiles as C
//! and C++ without warnings, and describes the same memory layout as the Rust ABI types.
//!
//! `QBM_BLESS=1 cargo test --test header` rewrites `include/qbm_woocommerce.h`.

use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

use qbm_woocommerce::ffi::abi::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    root().join("include/qbm_woocommerce.h")
}

fn generate() -> String {
    let config =
        cbindgen::Config::from_file(root().join("cbindgen.toml")).expect("cbindgen.toml is valid");
    // Only the ABI files: the rest of the crate has public items that are not part of the ABI.
    let bindings = cbindgen::Builder::new()
        .with_src(root().join("src/ffi/abi.rs"))
        .with_src(root().join("src/ffi/entry.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen can read the crate");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn committed_header_matches_the_source() {
    let fresh = generate();
    if std::env::var_os("QBM_BLESS").is_some() {
        std::fs::write(header_path(), &fresh).expect("the header can be written");
        return;
    }
    let committed = std::fs::read_to_string(header_path()).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/qbm_woocommerce.h is stale: the ABI in src/ffi changed. Regenerate it with\n    QBM_BLESS=1 cargo test --test header\nand commit the result."
    );
}

#[test]
fn every_abi_item_is_documented_in_the_header() {
    let header = generate();
    for name in [
        "qbm_wc_entry(",
        "qbm_wc_last_error(",
        "struct qbm_wc_host",
        "struct qbm_wc_api",
        "struct qbm_wc_str",
        "struct qbm_wc_buffer",
        "struct qbm_wc_sink",
        "QBM_WC_STATUS_PANIC",
    ] {
        let at = header
            .find(name)
            .unwrap_or_else(|| panic!("{name} is missing from the header"));
        let line_start = header[..at].rfind('\n').map_or(0, |i| i + 1);
        let above = header[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|line| !line.is_empty() && *line != "QBM_WC_EXPORT")
            .unwrap_or("");
        assert!(
            above.starts_with("//") || above.ends_with("*/"),
            "{name} has no documentation comment in the header"
        );
    }
}

fn compiler() -> Option<String> {
    std::env::var("CC").ok().or_else(|| Some("cc".to_string()))
}

fn compile(source: &Path, language: &str, standard: &str, out: &Path) {
    let cc = compiler().expect("a C compiler");
    let status = Command::new(if language == "c++" {
        "c++".to_string()
    } else {
        cc
    })
    .args([
        "-x",
        language,
        &format!("-std={standard}"),
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
    ])
    .arg("-I")
    .arg(root().join("include"))
    .arg(source)
    .arg("-o")
    .arg(out)
    .status()
    .expect("the system compiler can be started");
    assert!(
        status.success(),
        "the header does not compile as {language} ({standard})"
    );
}

/// A C program printing `name size` and `name.field offset` lines for every ABI struct.
fn layout_program() -> String {
    let structs: &[(&str, &[&str])] = &[
        ("qbm_wc_str", &["ptr", "len"]),
        ("qbm_wc_buffer", &["ptr", "len"]),
        ("qbm_wc_sink", &["sink_ctx", "write"]),
        (
            "qbm_wc_host",
            &[
                "struct_size",
                "abi_major",
                "abi_minor",
                "host_ctx",
                "get_identity",
                "check_permission",
                "storage_get",
                "storage_set",
                "items_query",
                "items_create",
                "items_update",
                "locations_list",
                "stock_on_hand",
                "accounts_list",
                "customers_find",
                "customers_create",
                "orders_create",
                "orders_query",
                "links_get",
                "links_put",
                "progress",
                "log",
                "notify",
                "request_run",
                "storage_cas",
                "secret_get",
                "secret_set",
                "stock_changes",
            ],
        ),
        (
            "qbm_wc_api",
            &[
                "struct_size",
                "abi_major",
                "abi_minor",
                "plugin_id",
                "plugin_version",
                "init",
                "deinit",
                "create",
                "destroy",
                "buffer_free",
                "last_error",
                "status_name",
                "describe_menu",
                "describe_screen",
                "option_schema",
                "options_get",
                "options_validate",
                "options_save",
                "invoke_action",
                "cancel_action",
                "run_due_jobs",
                "stock_changed",
            ],
        ),
    ];
    let mut body = String::new();
    for (name, fields) in structs {
        body.push_str(&format!("  printf(\"{name} %zu\\n\", sizeof({name}));\n"));
        for field in *fields {
            body.push_str(&format!(
                "  printf(\"{name}.{field} %zu\\n\", offsetof({name}, {field}));\n"
            ));
        }
    }
    body.push_str("  printf(\"status %zu\\n\", sizeof(qbm_wc_status));\n");
    format!(
        "#include <stdio.h>\n#include <stddef.h>\n#include \"qbm_woocommerce.h\"\nint main(void) {{\n{body}  return 0;\n}}\n"
    )
}

fn rust_layout() -> Vec<String> {
    macro_rules! layout {
        ($out:ident, $ty:ident, [$($field:ident),*]) => {
            $out.push(format!("{} {}", stringify!($ty), size_of::<$ty>()));
            $($out.push(format!("{}.{} {}", stringify!($ty), stringify!($field), offset_of!($ty, $field)));)*
        };
    }
    let mut out = Vec::new();
    layout!(out, qbm_wc_str, [ptr, len]);
    layout!(out, qbm_wc_buffer, [ptr, len]);
    layout!(out, qbm_wc_sink, [sink_ctx, write]);
    layout!(
        out,
        qbm_wc_host,
        [
            struct_size,
            abi_major,
            abi_minor,
            host_ctx,
            get_identity,
            check_permission,
            storage_get,
            storage_set,
            items_query,
            items_create,
            items_update,
            locations_list,
            stock_on_hand,
            accounts_list,
            customers_find,
            customers_create,
            orders_create,
            orders_query,
            links_get,
            links_put,
            progress,
            log,
            notify,
            request_run,
            storage_cas,
            secret_get,
            secret_set,
            stock_changes
        ]
    );
    layout!(
        out,
        qbm_wc_api,
        [
            struct_size,
            abi_major,
            abi_minor,
            plugin_id,
            plugin_version,
            init,
            deinit,
            create,
            destroy,
            buffer_free,
            last_error,
            status_name,
            describe_menu,
            describe_screen,
            option_schema,
            options_get,
            options_validate,
            options_save,
            invoke_action,
            cancel_action,
            run_due_jobs,
            stock_changed
        ]
    );
    out.push(format!("status {}", size_of::<qbm_wc_status>()));
    out
}

#[test]
fn header_compiles_as_c_and_cpp_with_the_rust_layout() {
    let dir = std::env::temp_dir().join(format!("qbm-wc-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("layout.c");
    std::fs::write(&source, layout_program()).unwrap();

    for (language, standard) in [("c", "c11"), ("c", "c17"), ("c++", "c++17")] {
        let exe = dir.join(format!("layout-{}", standard.replace('+', "p")));
        compile(&source, language, standard, &exe);
        let output = Command::new(&exe)
            .output()
            .expect("the layout program runs");
        let printed: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(
            printed,
            rust_layout(),
            "C ({standard}) and Rust disagree about the ABI layout"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
