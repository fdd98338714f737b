//! Build metadata and one link flag.
//!
//! * The target triple the plugin was built for, which the WooCommerce client puts in its
//!   User-Agent so store owners can tell QBM builds apart in their server logs.
//! * On ELF systems the library is linked `-z nodelete`: `dlclose` leaves it mapped. Rust's
//!   standard library registers a per-thread cleanup (a pthread key destructor inside this
//!   library) on threads that ran some of its code, and glibc calls it when such a thread ends —
//!   after the host unloaded the library, that would jump into unmapped memory. A host that
//!   wants a newer version without restarting loads it from another file name.
//!
//! (The C header is not generated here; see tests/header.rs.)

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=QBM_WC_TARGET={target}");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "illumos"
    );
    if elf {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
