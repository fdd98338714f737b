//! The host's callback table behind the safe [`HostPort`] trait. The only code that calls host
//! function pointers.
//!
//! `create` copies the host's table, so the plugin never reads memory the host may have
//! released; what `host_ctx` points to is the host's to keep alive until `destroy`.

use std::ffi::c_void;
use std::mem::{align_of, offset_of, size_of};

use super::abi::*;
use super::boundary::{FfiError, guard};
use crate::host_port::{
    HostCall, HostCapabilities, HostError, HostPort, Identity, Level, Permission, StorageArea, Swap,
};

/// The plugin's copy of the host's table.
pub struct HostApi {
    table: qbm_wc_host,
    capabilities: HostCapabilities,
}

// SAFETY: the C contract makes every host callback callable from any host thread and keeps
// `host_ctx` alive until `destroy` returns, which drops this value first.
unsafe impl Send for HostApi {}
// SAFETY: as above; the plugin only reads its copy of the table.
unsafe impl Sync for HostApi {}

/// The smallest table this plugin understands: ABI 1.0 ends with `notify`.
const MIN_HOST_TABLE: usize = offset_of!(qbm_wc_host, notify) + size_of::<usize>();

/// `QBM_WC_STATUS_HOST_ERROR (201)`: how a status is named in messages.
pub fn status_text(status: u32) -> String {
    let name = super::status::name(status);
    let name = std::str::from_utf8(name)
        .unwrap_or("QBM_WC_STATUS_UNKNOWN")
        .trim_end_matches('\0');
    format!("{name} ({status})")
}

impl HostApi {
    /// Checks the table's size, version and required callbacks, and copies it.
    ///
    /// # Safety
    /// `table` must be NULL or point to at least `struct_size` readable bytes laid out as a
    /// `qbm_wc_host` (a shorter table of an older ABI minor is fine).
    pub unsafe fn new(table: *const qbm_wc_host) -> Result<Self, FfiError> {
        super::ptr::non_null(table, "the host table")?;
        // SAFETY: non-NULL; `struct_size` is the first field of every version of the table.
        let size = unsafe { table.cast::<usize>().read_unaligned() };
        if size < MIN_HOST_TABLE {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_STRUCT_TOO_SMALL,
                format!(
                    "the host table is {size} bytes; ABI {QBM_WC_ABI_MAJOR}.0 needs at least {MIN_HOST_TABLE} (set struct_size = sizeof(qbm_wc_host))"
                ),
            ));
        }
        // Fields the host's table does not (fully) cover stay NULL: copy whole fields only.
        let covered = size.min(size_of::<qbm_wc_host>());
        let covered = covered - covered % align_of::<usize>();
        // SAFETY: an all-zero table is valid (NULL callbacks and pointers, zero sizes).
        let mut host: qbm_wc_host = unsafe { std::mem::zeroed() };
        // SAFETY: the host guarantees `size >= covered` readable bytes; our copy has room for
        // `covered <= size_of::<qbm_wc_host>()` bytes; the two do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                table.cast::<u8>(),
                (&mut host as *mut qbm_wc_host).cast::<u8>(),
                covered,
            );
        }
        if host.abi_major != QBM_WC_ABI_MAJOR {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION,
                format!(
                    "the host table says ABI {}.{}; this plugin implements ABI {QBM_WC_ABI_MAJOR}.{QBM_WC_ABI_MINOR}",
                    host.abi_major, host.abi_minor
                ),
            ));
        }
        // `progress`, `log`, `notify`, `items_update` (never called by this version) and every
        // 1.1 callback are optional.
        let required: [(&str, bool); 15] = [
            ("get_identity", host.get_identity.is_some()),
            ("check_permission", host.check_permission.is_some()),
            ("storage_get", host.storage_get.is_some()),
            ("storage_set", host.storage_set.is_some()),
            ("items_query", host.items_query.is_some()),
            ("items_create", host.items_create.is_some()),
            ("locations_list", host.locations_list.is_some()),
            ("stock_on_hand", host.stock_on_hand.is_some()),
            ("accounts_list", host.accounts_list.is_some()),
            ("customers_find", host.customers_find.is_some()),
            ("customers_create", host.customers_create.is_some()),
            ("orders_create", host.orders_create.is_some()),
            ("orders_query", host.orders_query.is_some()),
            ("links_get", host.links_get.is_some()),
            ("links_put", host.links_put.is_some()),
        ];
        if let Some((name, _)) = required.iter().find(|(_, present)| !present) {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_HOST_CALLBACK_MISSING,
                format!("the host table has no `{name}` callback, which the plugin requires"),
            ));
        }
        let capabilities = HostCapabilities {
            abi_minor: host.abi_minor,
            storage_cas: host.storage_cas.is_some(),
            secrets: host.secret_get.is_some() && host.secret_set.is_some(),
            request_run: host.request_run.is_some(),
            stock_changes: host.stock_changes.is_some(),
        };
        Ok(Self {
            table: host,
            capabilities,
        })
    }

    fn table(&self) -> &qbm_wc_host {
        &self.table
    }
}

/// Collects what a host callback writes to a sink.
#[derive(Default)]
struct Collected {
    bytes: Vec<u8>,
    overflow: bool,
}

unsafe extern "C" fn sink_write(sink_ctx: *mut c_void, bytes: qbm_wc_str) -> u32 {
    guard(|| {
        if sink_ctx.is_null() || (bytes.ptr.is_null() && bytes.len > 0) {
            return qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT as u32;
        }
        // SAFETY: `sink_ctx` is the `Collected` that `with_sink` owns for the duration of the
        // callback that received this sink.
        let collected = unsafe { &mut *sink_ctx.cast::<Collected>() };
        if collected.bytes.len() + bytes.len > QBM_WC_MAX_INPUT_BYTES {
            collected.overflow = true;
            return qbm_wc_status::QBM_WC_STATUS_INPUT_TOO_LARGE as u32;
        }
        if bytes.len > 0 {
            // SAFETY: the host passes `len` readable bytes at `ptr` for this call.
            let slice = unsafe { std::slice::from_raw_parts(bytes.ptr.cast::<u8>(), bytes.len) };
            collected.bytes.extend_from_slice(slice);
        }
        qbm_wc_status::QBM_WC_STATUS_OK as u32
    })
}

/// Runs `f` with a fresh sink and returns the callback's status with what it wrote.
fn with_sink(f: impl FnOnce(*const qbm_wc_sink) -> u32) -> (u32, Collected) {
    let mut collected = Collected::default();
    let sink = qbm_wc_sink {
        sink_ctx: (&mut collected as *mut Collected).cast(),
        write: sink_write,
    };
    let status = f(&sink);
    (status, collected)
}

fn view(text: &str) -> qbm_wc_str {
    qbm_wc_str {
        ptr: text.as_ptr().cast(),
        len: text.len(),
    }
}

fn area_code(area: StorageArea) -> u32 {
    match area {
        StorageArea::CompanyOptions => QBM_WC_AREA_COMPANY_OPTIONS,
        StorageArea::WorkstationOptions => QBM_WC_AREA_WORKSTATION_OPTIONS,
        StorageArea::CompanyState => QBM_WC_AREA_COMPANY_STATE,
    }
}

fn permission_code(permission: Permission) -> u32 {
    match permission {
        Permission::CreateCustomers => QBM_WC_PERMISSION_CREATE_CUSTOMERS,
        Permission::CreateUpdateItems => QBM_WC_PERMISSION_CREATE_UPDATE_ITEMS,
        Permission::CreateSalesOrders => QBM_WC_PERMISSION_CREATE_SALES_ORDERS,
        Permission::AdministerOptions => QBM_WC_PERMISSION_ADMINISTER_OPTIONS,
    }
}

fn level_code(level: Level) -> u32 {
    match level {
        Level::Error => QBM_WC_LEVEL_ERROR,
        Level::Warn => QBM_WC_LEVEL_WARN,
        Level::Info => QBM_WC_LEVEL_INFO,
        Level::Debug => QBM_WC_LEVEL_DEBUG,
    }
}

/// Turns a callback's status and output into the document or a [`HostError`].
fn answer(callback: &'static str, status: u32, collected: Collected) -> Result<String, HostError> {
    let text = String::from_utf8_lossy(&collected.bytes).into_owned();
    if status == qbm_wc_status::QBM_WC_STATUS_OK as u32 {
        if collected.overflow {
            return Err(HostError::BadResponse {
                callback,
                detail: format!("the answer is larger than {QBM_WC_MAX_INPUT_BYTES} bytes"),
            });
        }
        return String::from_utf8(collected.bytes).map_err(|_| HostError::BadResponse {
            callback,
            detail: "the answer is not valid UTF-8".to_string(),
        });
    }
    let message = if text.trim().is_empty() {
        format!("it answered {} without an explanation", status_text(status))
    } else {
        text
    };
    if status == qbm_wc_status::QBM_WC_STATUS_NOT_FOUND as u32 {
        Err(HostError::NotFound { callback, message })
    } else {
        Err(HostError::Failed {
            callback,
            status,
            message,
        })
    }
}

fn none_view() -> qbm_wc_str {
    qbm_wc_str {
        ptr: std::ptr::null(),
        len: 0,
    }
}

fn optional_view(value: Option<&str>) -> qbm_wc_str {
    value.map_or_else(none_view, view)
}

fn failed(callback: &'static str, status: u32, what: String) -> HostError {
    HostError::Failed {
        callback,
        status,
        message: format!("{what} (it answered {})", status_text(status)),
    }
}

const OK: u32 = qbm_wc_status::QBM_WC_STATUS_OK as u32;

impl HostPort for HostApi {
    fn capabilities(&self) -> HostCapabilities {
        self.capabilities
    }

    fn identity(&self) -> Result<Identity, HostError> {
        let host = self.table();
        let callback = host.get_identity.expect("checked in HostApi::new");
        // SAFETY: a required callback of a validated table, given its own context and our sink.
        let (status, collected) = with_sink(|sink| unsafe { callback(host.host_ctx, sink) });
        let text = answer("get_identity", status, collected)?;
        crate::host_port::decode_document("get_identity", &text)
    }

    fn has_permission(&self, permission: Permission) -> Result<bool, HostError> {
        let host = self.table();
        let callback = host.check_permission.expect("checked in HostApi::new");
        let mut allowed: u8 = 0;
        // SAFETY: a required callback of a validated table; `allowed` outlives the call.
        let status = unsafe { callback(host.host_ctx, permission_code(permission), &mut allowed) };
        if status != OK {
            return Err(failed(
                "check_permission",
                status,
                format!("could not check the permission to {}", permission.label()),
            ));
        }
        Ok(allowed != 0)
    }

    fn storage_get(&self, area: StorageArea, key: &str) -> Result<Option<String>, HostError> {
        let host = self.table();
        let callback = host.storage_get.expect("checked in HostApi::new");
        let mut found: u8 = 0;
        // SAFETY: a required callback of a validated table; `key`, `found` and the sink outlive
        // the call.
        let (status, collected) = with_sink(|sink| unsafe {
            callback(host.host_ctx, area_code(area), view(key), &mut found, sink)
        });
        let text = answer("storage_get", status, collected)?;
        Ok((found != 0).then_some(text))
    }

    fn storage_set(
        &self,
        area: StorageArea,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), HostError> {
        let host = self.table();
        let callback = host.storage_set.expect("checked in HostApi::new");
        // SAFETY: a required callback of a validated table; the views outlive the call.
        let status = unsafe {
            callback(
                host.host_ctx,
                area_code(area),
                view(key),
                optional_view(value),
            )
        };
        if status != OK {
            return Err(failed(
                "storage_set",
                status,
                format!("could not store `{key}`"),
            ));
        }
        Ok(())
    }

    fn storage_cas(
        &self,
        area: StorageArea,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
    ) -> Result<Swap, HostError> {
        let host = self.table();
        let Some(callback) = host.storage_cas else {
            return Err(HostError::Unsupported {
                callback: "storage_cas",
            });
        };
        let mut swapped: u8 = 0;
        // SAFETY: an optional callback the host set; the views and `swapped` outlive the call.
        let status = unsafe {
            callback(
                host.host_ctx,
                area_code(area),
                view(key),
                optional_view(expected),
                optional_view(value),
                &mut swapped,
            )
        };
        if status != OK {
            return Err(failed(
                "storage_cas",
                status,
                format!("could not update `{key}`"),
            ));
        }
        Ok(if swapped != 0 {
            Swap::Done
        } else {
            Swap::Conflict
        })
    }

    fn secret_get(&self, key: &str) -> Result<Option<String>, HostError> {
        let host = self.table();
        let Some(callback) = host.secret_get.filter(|_| self.capabilities.secrets) else {
            return Err(HostError::Unsupported {
                callback: "secret_get",
            });
        };
        let mut found: u8 = 0;
        // SAFETY: an optional callback the host set; `key`, `found` and the sink outlive the call.
        let (status, collected) =
            with_sink(|sink| unsafe { callback(host.host_ctx, view(key), &mut found, sink) });
        let text = answer("secret_get", status, collected)?;
        Ok((found != 0).then_some(text))
    }

    fn secret_set(&self, key: &str, value: Option<&str>) -> Result<(), HostError> {
        let host = self.table();
        let Some(callback) = host.secret_set.filter(|_| self.capabilities.secrets) else {
            return Err(HostError::Unsupported {
                callback: "secret_set",
            });
        };
        // SAFETY: an optional callback the host set; the views outlive the call.
        let status = unsafe { callback(host.host_ctx, view(key), optional_view(value)) };
        if status != OK {
            return Err(failed(
                "secret_set",
                status,
                format!("could not keep the secret `{key}` in protected storage"),
            ));
        }
        Ok(())
    }

    fn call(&self, call: HostCall, request: &str) -> Result<String, HostError> {
        let host = self.table();
        let callback = match call {
            HostCall::ItemsQuery => host.items_query,
            HostCall::ItemsCreate => host.items_create,
            HostCall::LocationsList => host.locations_list,
            HostCall::StockOnHand => host.stock_on_hand,
            HostCall::AccountsList => host.accounts_list,
            HostCall::CustomersFind => host.customers_find,
            HostCall::CustomersCreate => host.customers_create,
            HostCall::OrdersCreate => host.orders_create,
            HostCall::OrdersQuery => host.orders_query,
            HostCall::LinksGet => host.links_get,
            HostCall::LinksPut => host.links_put,
            HostCall::StockChanges => host.stock_changes,
        };
        let Some(callback) = callback else {
            return Err(HostError::Unsupported {
                callback: call.name(),
            });
        };
        // SAFETY: a required callback of a validated table; the request view and the sink outlive
        // the call.
        let (status, collected) =
            with_sink(|sink| unsafe { callback(host.host_ctx, view(request), sink) });
        answer(call.name(), status, collected)
    }

    fn progress(&self, call_id: u64, done: u64, total: u64, message: &str) -> bool {
        let host = self.table();
        match host.progress {
            // SAFETY: an optional callback the host set; the message view outlives the call.
            Some(callback) => unsafe {
                callback(host.host_ctx, call_id, done, total, view(message))
                    != QBM_WC_PROGRESS_CANCEL
            },
            None => true,
        }
    }

    fn log(&self, level: Level, message: &str) {
        let host = self.table();
        if let Some(callback) = host.log {
            // SAFETY: an optional callback the host set; the message view outlives the call.
            unsafe { callback(host.host_ctx, level_code(level), view(message)) };
        }
    }

    fn notify(&self, level: Level, message: &str) {
        let host = self.table();
        if let Some(callback) = host.notify {
            // SAFETY: an optional callback the host set; the message view outlives the call.
            unsafe { callback(host.host_ctx, level_code(level), view(message)) };
        }
    }

    fn request_run(&self) {
        let host = self.table();
        if let Some(callback) = host.request_run {
            // SAFETY: an optional callback the host set, documented as callable from any thread.
            unsafe { callback(host.host_ctx) };
        }
    }
}
