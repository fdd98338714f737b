//! The host's callback table behind the safe [`HostPort`] trait. The only code that calls host
//! function pointers.

use std::ffi::c_void;
use std::mem::{offset_of, size_of};

use super::abi::*;
use super::boundary::{FfiError, guard};
use crate::host_port::{HostCall, HostError, HostPort, Identity, Level, Permission, StorageArea};

/// A validated pointer to the host's table.
pub struct HostApi {
    table: *const qbm_wc_host,
}

// SAFETY: the C contract makes every host callback thread-safe and keeps the table alive until
// `destroy` returns, which drops this value first.
unsafe impl Send for HostApi {}
// SAFETY: as above; the plugin only reads the table.
unsafe impl Sync for HostApi {}

/// The smallest table this plugin understands: ABI 1.0 ends with `notify`.
const MIN_HOST_TABLE: usize = offset_of!(qbm_wc_host, notify) + size_of::<usize>();

impl HostApi {
    /// Checks the table's size, version and required callbacks.
    ///
    /// # Safety
    /// `table` must be NULL or point to a `qbm_wc_host` of at least `struct_size` bytes that stays
    /// valid, unchanged, until the returned value is dropped.
    pub unsafe fn new(table: *const qbm_wc_host) -> Result<Self, FfiError> {
        super::ptr::non_null(table, "the host table")?;
        // SAFETY: non-NULL; `struct_size` is the first field of every version of the table.
        let size = unsafe { (*table).struct_size };
        if size < MIN_HOST_TABLE {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_STRUCT_TOO_SMALL,
                format!(
                    "the host table is {size} bytes; ABI {QBM_WC_ABI_MAJOR}.0 needs at least {MIN_HOST_TABLE} (set struct_size = sizeof(qbm_wc_host))"
                ),
            ));
        }
        // SAFETY: the table covers every 1.0 field (checked above).
        let host = unsafe { &*table };
        if host.abi_major != QBM_WC_ABI_MAJOR {
            return Err(FfiError::new(
                qbm_wc_status::QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION,
                format!(
                    "the host table says ABI {}.{}; this plugin implements ABI {QBM_WC_ABI_MAJOR}.{QBM_WC_ABI_MINOR}",
                    host.abi_major, host.abi_minor
                ),
            ));
        }
        // `progress`, `log` and `notify` are optional.
        let required: [(&str, bool); 16] = [
            ("get_identity", host.get_identity.is_some()),
            ("check_permission", host.check_permission.is_some()),
            ("storage_get", host.storage_get.is_some()),
            ("storage_set", host.storage_set.is_some()),
            ("items_query", host.items_query.is_some()),
            ("items_create", host.items_create.is_some()),
            ("items_update", host.items_update.is_some()),
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
        Ok(Self { table })
    }

    fn table(&self) -> &qbm_wc_host {
        // SAFETY: validated in `new`; valid until `self` is dropped (C contract).
        unsafe { &*self.table }
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
        StorageArea::WorkstationState => QBM_WC_AREA_WORKSTATION_STATE,
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
        format!("status {status}")
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

impl HostPort for HostApi {
    fn identity(&self) -> Result<Identity, HostError> {
        let host = self.table();
        let callback = host.get_identity.expect("checked in HostApi::new");
        // SAFETY: a required callback of a validated table, given its own context and our sink.
        let (status, collected) = with_sink(|sink| unsafe { callback(host.host_ctx, sink) });
        let text = answer("get_identity", status, collected)?;
        serde_json::from_str(&text).map_err(|err| HostError::BadResponse {
            callback: "get_identity",
            detail: err.to_string(),
        })
    }

    fn has_permission(&self, permission: Permission) -> Result<bool, HostError> {
        let host = self.table();
        let callback = host.check_permission.expect("checked in HostApi::new");
        let mut allowed: u8 = 0;
        // SAFETY: a required callback of a validated table; `allowed` outlives the call.
        let status = unsafe { callback(host.host_ctx, permission_code(permission), &mut allowed) };
        if status != qbm_wc_status::QBM_WC_STATUS_OK as u32 {
            return Err(HostError::Failed {
                callback: "check_permission",
                status,
                message: format!("could not check the permission to {}", permission.label()),
            });
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
        let value = match value {
            Some(text) => view(text),
            None => qbm_wc_str {
                ptr: std::ptr::null(),
                len: 0,
            },
        };
        // SAFETY: a required callback of a validated table; the views outlive the call.
        let status = unsafe { callback(host.host_ctx, area_code(area), view(key), value) };
        if status != qbm_wc_status::QBM_WC_STATUS_OK as u32 {
            return Err(HostError::Failed {
                callback: "storage_set",
                status,
                message: format!("could not store `{key}`"),
            });
        }
        Ok(())
    }

    fn call(&self, call: HostCall, request: &str) -> Result<String, HostError> {
        let host = self.table();
        let callback = match call {
            HostCall::ItemsQuery => host.items_query,
            HostCall::ItemsCreate => host.items_create,
            HostCall::ItemsUpdate => host.items_update,
            HostCall::LocationsList => host.locations_list,
            HostCall::StockOnHand => host.stock_on_hand,
            HostCall::AccountsList => host.accounts_list,
            HostCall::CustomersFind => host.customers_find,
            HostCall::CustomersCreate => host.customers_create,
            HostCall::OrdersCreate => host.orders_create,
            HostCall::OrdersQuery => host.orders_query,
            HostCall::LinksGet => host.links_get,
            HostCall::LinksPut => host.links_put,
        }
        .expect("checked in HostApi::new");
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
}
