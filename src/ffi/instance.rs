//! The per-instance functions of the table: each checks its arguments, calls one core function
//! and writes its output. A panic poisons the instance.
//!
//! A `qbm_wc_plugin *` is not an address but a number from a registry of live instances: a
//! handle is never reused, so a destroyed instance's handle can never reach a newer instance
//! that happens to live at the same address, and looking a handle up, counting the call as
//! running and `destroy` all happen under the registry's lock.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::abi::*;
use super::boundary::{self, FfiError, panic_message};
use super::host::HostApi;
use super::ptr::{non_null, str_from, write_buffer};
use super::status;
use crate::plugin::{CoreError, Plugin};

/// What a handle refers to.
struct Instance {
    core: Plugin,
    poisoned: AtomicBool,
    /// Calls running on this instance (including calls made from inside host callbacks).
    active: AtomicUsize,
}

struct Registry {
    next: usize,
    live: HashMap<usize, Arc<Instance>>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

/// Handles start here and grow by 16, so they look like aligned pointers to a host that stores
/// them as such, and are never NULL.
const FIRST_HANDLE: usize = 0x5157_0000;

fn registry() -> std::sync::MutexGuard<'static, Option<Registry>> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A call counted as running on an instance until dropped.
struct Entered(Arc<Instance>);

impl Drop for Entered {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

fn enter(plugin: *mut qbm_wc_plugin) -> Result<Entered, FfiError> {
    non_null(plugin, "the plugin instance")?;
    let guard = registry();
    let found = guard
        .as_ref()
        .and_then(|r| r.live.get(&(plugin as usize)))
        .cloned();
    match found {
        Some(instance) => {
            instance.active.fetch_add(1, Ordering::AcqRel);
            Ok(Entered(instance))
        }
        None => Err(FfiError::new(
            qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT,
            "the plugin instance handle is not a live instance (already destroyed, or never created)",
        )),
    }
}

/// Runs `body` on a live, healthy instance; a panic inside it poisons the instance. With
/// `flush`, the log entries the call produced are written before it returns.
fn with_instance(
    plugin: *mut qbm_wc_plugin,
    flush: bool,
    body: impl FnOnce(&Instance) -> Result<(), FfiError>,
) -> qbm_wc_status {
    boundary::call(|| {
        let entered = enter(plugin)?;
        let inst = entered.0.as_ref();
        if inst.poisoned.load(Ordering::SeqCst) {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_POISONED,
                "an earlier internal error left this WooCommerce plugin instance unusable; reload the integration",
            ));
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let result = body(inst);
            if flush {
                inst.core.after_call();
            }
            result
        }));
        match outcome {
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
        // SAFETY: `host` is NULL or a readable table of `struct_size` bytes (C contract); the
        // table is copied, so the host may release it after this call.
        let api = unsafe { HostApi::new(host) }?;
        let core = Plugin::new(Arc::new(api)).map_err(core_err)?;
        let instance = Arc::new(Instance {
            core,
            poisoned: AtomicBool::new(false),
            active: AtomicUsize::new(0),
        });
        let handle = {
            let mut guard = registry();
            let registry = guard.get_or_insert_with(|| Registry {
                next: FIRST_HANDLE,
                live: HashMap::new(),
            });
            let handle = registry.next;
            registry.next = registry.next.checked_add(16).ok_or_else(|| {
                FfiError::new(
                    qbm_wc_status::QBM_WC_STATUS_INTERNAL,
                    "no more instance handles are available in this process",
                )
            })?;
            registry.live.insert(handle, instance);
            handle
        };
        // SAFETY: checked non-NULL; writable by the caller's contract.
        unsafe { out_plugin.write(handle as *mut qbm_wc_plugin) };
        Ok(())
    })
}

pub(super) unsafe extern "C" fn destroy(plugin: *mut qbm_wc_plugin) {
    boundary::guard(|| {
        if plugin.is_null() {
            return;
        }
        let removed = {
            let mut guard = registry();
            let Some(registry) = guard.as_mut() else {
                boundary::set_last_error(
                    "destroy: the handle is not a live plugin instance; nothing was released",
                );
                return;
            };
            match registry.live.get(&(plugin as usize)) {
                None => {
                    boundary::set_last_error(
                        "destroy: the handle is not a live plugin instance; nothing was released",
                    );
                    return;
                }
                Some(instance) if instance.active.load(Ordering::Acquire) > 0 => {
                    boundary::set_last_error(
                        "destroy: a call on this instance is still running (destroy must not be called from inside a host callback or concurrently); nothing was released",
                    );
                    return;
                }
                Some(_) => registry.live.remove(&(plugin as usize)),
            }
        };
        // No call is running and none can start (the handle is gone), so this is the only
        // reference left.
        if let Some(instance) = removed.and_then(|arc| Arc::try_unwrap(arc).ok()) {
            instance.core.shutdown();
        }
    })
}

pub(super) unsafe extern "C" fn describe_menu(
    plugin: *mut qbm_wc_plugin,
    out: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, true, |inst| {
        non_null(out, "out")?;
        answer(out, &inst.core.menu().map_err(core_err)?)
    })
}

pub(super) unsafe extern "C" fn describe_screen(
    plugin: *mut qbm_wc_plugin,
    screen_id: qbm_wc_str,
    out: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, true, |inst| {
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
    with_instance(plugin, true, |inst| {
        non_null(out, "out")?;
        answer(out, &inst.core.option_schema())
    })
}

pub(super) unsafe extern "C" fn options_get(
    plugin: *mut qbm_wc_plugin,
    out: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, true, |inst| {
        non_null(out, "out")?;
        answer(out, &inst.core.options_document().map_err(core_err)?)
    })
}

pub(super) unsafe extern "C" fn options_validate(
    plugin: *mut qbm_wc_plugin,
    values: qbm_wc_str,
    out_report: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, true, |inst| {
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
    with_instance(plugin, true, |inst| {
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
    with_instance(plugin, true, |inst| {
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
    // Calls no host callback: the log is not flushed here.
    with_instance(plugin, false, |inst| {
        inst.core.cancel(call_id);
        Ok(())
    })
}

pub(super) unsafe extern "C" fn run_due_jobs(
    plugin: *mut qbm_wc_plugin,
    out_next_due_ms: *mut u64,
    out_report: *mut qbm_wc_buffer,
) -> qbm_wc_status {
    with_instance(plugin, true, |inst| {
        non_null(out_next_due_ms, "out_next_due_ms")?;
        non_null(out_report, "out_report")?;
        let (report, next_due_ms) = inst.core.run_due_jobs().map_err(core_err)?;
        let text = to_json(&report)?;
        // SAFETY: both outputs are non-NULL and writable (checked, and the C contract).
        unsafe {
            out_next_due_ms.write(next_due_ms);
            write_buffer(out_report, text);
        }
        Ok(())
    })
}

pub(super) unsafe extern "C" fn stock_changed(
    plugin: *mut qbm_wc_plugin,
    item_ids: qbm_wc_str,
) -> qbm_wc_status {
    // Calls no host callback except `request_run`: the log is not flushed here.
    with_instance(plugin, false, |inst| {
        // SAFETY: the view is valid for this call (C contract).
        let item_ids = unsafe { str_from(item_ids, "item_ids") }?;
        inst.core.stock_changed(item_ids).map_err(core_err)
    })
}
