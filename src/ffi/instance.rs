//! The per-instance functions of the table: each checks its arguments, calls one core function
//! and writes its output. A panic poisons the instance.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::abi::*;
use super::boundary::{self, FfiError, panic_message};
use super::host::HostApi;
use super::ptr::{non_null, str_from, write_buffer};
use super::status;
use crate::plugin::{CoreError, Plugin};

/// What a `qbm_wc_plugin *` points at.
struct Instance {
    core: Plugin,
    poisoned: AtomicBool,
}

/// Addresses of live instances, so a stale or foreign handle is refused instead of dereferenced.
static LIVE: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

fn live() -> std::sync::MutexGuard<'static, Option<HashSet<usize>>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn instance<'a>(plugin: *mut qbm_wc_plugin) -> Result<&'a Instance, FfiError> {
    non_null(plugin, "the plugin instance")?;
    let known = live()
        .as_ref()
        .is_some_and(|set| set.contains(&(plugin as usize)));
    if !known {
        return Err(FfiError::new(
            qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT,
            "the plugin instance pointer is not a live instance (already destroyed?)",
        ));
    }
    // SAFETY: the address is registered, so it came from `Box::into_raw` in `create` and has not
    // been released by `destroy` (which unregisters first).
    Ok(unsafe { &*plugin.cast::<Instance>() })
}

/// Runs `body` on a live, healthy instance; a panic inside it poisons the instance.
fn with_instance(
    plugin: *mut qbm_wc_plugin,
    body: impl FnOnce(&Instance) -> Result<(), FfiError>,
) -> qbm_wc_status {
    boundary::call(|| {
        let inst = instance(plugin)?;
        if inst.poisoned.load(Ordering::SeqCst) {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_POISONED,
                "an earlier internal error left this WooCommerce plugin instance unusable; reload the integration",
            ));
        }
        match catch_unwind(AssertUnwindSafe(|| body(inst))) {
            Ok(result) => result,
            Err(payload) => {
                inst.poisoned.store(true, Ordering::SeqCst);
                Err(FfiError::new(
                    qbm_wc_status::QBM_WC_STATUS_PANIC,
                    format!(
                        "internal error in the WooCommerce plugin (it panicked: {}); reload the integration",
                        panic_message(payload.as_ref())
                    ),
                ))
            }
        }
    })
}

fn to_json(value: &impl Serialize) -> Result<String, FfiError> {
    serde_json::to_string(value).map_err(|err| {
        FfiError::new(
            qbm_wc_status::QBM_WC_STATUS_INTERNAL,
            format!("could not encode the answer: {err}"),
        )
    })
}

fn core_err(err: CoreError) -> FfiError {
    status::ffi_error(&err)
}

/// Writes a successful answer; `out` was checked for NULL by the caller.
fn answer(out: *mut qbm_wc_buffer, value: &impl Serialize) -> Result<(), FfiError> {
    let text = to_json(value)?;
    // SAFETY: `out` is non-NULL and writable (checked, and the C contract).
    unsafe { write_buffer(out, text) };
    Ok(())
}

pub(super) unsafe extern "C" fn create(
    host: *const qbm_wc_host,
    out_plugin: *mut *mut qbm_wc_plugin,
) -> qbm_wc_status {
    boundary::call(|| {
        non_null(out_plugin, "out_plugin")?;
        // SAFETY: the host table stays valid until `destroy` (C contract); `new` checks its size.
        let api = unsafe { HostApi::new(host) }?;
        let core = Plugin::new(Arc::new(api)).map_err(core_err)?;
        let boxed = Box::new(Instance {
            core,
            poisoned: AtomicBool::new(false),
        });
        let raw = Box::into_raw(boxed).cast::<qbm_wc_plugin>();
        live().get_or_insert_with(HashSet::new).insert(raw as usize);
        // SAFETY: checked non-NULL; writable by the caller's contract.
        unsafe { out_plugin.write(raw) };
        Ok(())
    })
}

pub(super) unsafe extern "C" fn destroy(plugin: *mut qbm_wc_plugin) {
    boundary::guard(|| {
        if plugin.is_null() {
            return;
        }
        let registered = live()
            .as_mut()
            .is_some_and(|set| set.remove(&(plugin as usize)));
        if !registered {
            boundary::set_last_error(
                "destroy: the pointer is not a live plugin instance; nothing was released",
            );
            return;
        }
        // SAFETY: registered, so it is the `Box<Instance>` leaked by `create`, released once.
        let inst = unsafe { Box::from_raw(plugin.cast::<Instance>()) };
        inst.core.shutdown();
    })
}

pub(super) unsafe extern "C" fn describe_menu(
    plugin: *mut qbm_wc_plugin,
    out: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, |inst| {
        non_null(out, "out")?;
        answer(out, &inst.core.menu().map_err(core_err)?)
    })
}

pub(super) unsafe extern "C" fn describe_screen(
    plugin: *mut qbm_wc_plugin,
    screen_id: qbm_wc_str,
    out: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, |inst| {
        non_null(out, "out")?;
        // SAFETY: the view is valid for this call (C contract).
        let id = unsafe { str_from(screen_id, "screen_id") }?;
        answer(out, &inst.core.screen(id).map_err(core_err)?)
    })
}

pub(super) unsafe extern "C" fn option_schema(
    plugin: *mut qbm_wc_plugin,
    out: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, |inst| {
        non_null(out, "out")?;
        answer(out, &inst.core.option_schema())
    })
}

pub(super) unsafe extern "C" fn options_get(
    plugin: *mut qbm_wc_plugin,
    out: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, |inst| {
        non_null(out, "out")?;
        answer(out, &inst.core.options_document().map_err(core_err)?)
    })
}

pub(super) unsafe extern "C" fn options_validate(
    plugin: *mut qbm_wc_plugin,
    values: qbm_wc_str,
    out_report: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, |inst| {
        non_null(out_report, "out_report")?;
        // SAFETY: the view is valid for this call (C contract).
        let values = unsafe { str_from(values, "values") }?;
        answer(
            out_report,
            &inst.core.validate_options(values).map_err(core_err)?,
        )
    })
}

pub(super) unsafe extern "C" fn options_save(
    plugin: *mut qbm_wc_plugin,
    values: qbm_wc_str,
    out_report: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, |inst| {
        non_null(out_report, "out_report")?;
        // SAFETY: the view is valid for this call (C contract).
        let values = unsafe { str_from(values, "values") }?;
        match inst.core.save_options(values) {
            Ok(report) => answer(out_report, &report),
            Err(err) => {
                // The one documented exception to "outputs only on success": the host needs the
                // field-by-field report to show what to fix.
                if let CoreError::InvalidOptions { report, .. } = &err {
                    answer(out_report, report.as_ref())?;
                }
                Err(core_err(err))
            }
        }
    })
}

pub(super) unsafe extern "C" fn invoke_action(
    plugin: *mut qbm_wc_plugin,
    request: qbm_wc_str,
    out_response: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, |inst| {
        non_null(out_response, "out_response")?;
        // SAFETY: the view is valid for this call (C contract).
        let request = unsafe { str_from(request, "request") }?;
        answer(out_response, &inst.core.invoke(request).map_err(core_err)?)
    })
}

pub(super) unsafe extern "C" fn cancel_action(
    plugin: *mut qbm_wc_plugin,
    call_id: u64,
) -> qbm_wc_status {
    boundary::call(|| {
        instance(plugin)?.core.cancel(call_id);
        Ok(())
    })
}
