//! Every action the plugin offers, with where it appears and what it needs. Screens, the option
//! schema's buttons and the gate checks before a handler runs all read this one table.

use super::{
    ActionContext, ActionResponse, connection, customers, items, jobs, logs, orders, stock_sync,
};
use crate::host_port::Permission;
use crate::plugin::error::CoreResult;
use crate::plugin::options::keys;

/// Runs an action whose gates passed.
pub type Handler = fn(&ActionContext) -> CoreResult<ActionResponse>;

/// Where an action's button lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A button on a tab of a screen.
    Screen {
        screen: &'static str,
        tab: &'static str,
    },
    /// A button of the WooCommerce tab under Options → Integrations.
    Options,
    /// Not shown anywhere; invoked by tests and diagnostics only.
    Hidden,
}

/// One action.
#[derive(Clone, Copy)]
pub struct ActionSpec {
    pub id: &'static str,
    pub label: &'static str,
    pub place: Place,
    /// The user must select at least one row first.
    pub needs_selection: bool,
    /// The QBM permission the user must hold.
    pub permission: Option<Permission>,
    /// The option that must be on (its key).
    pub option: Option<&'static str>,
    /// Refused while "Enable WooCommerce integration" is off.
    pub needs_integration: bool,
    /// Why the action cannot be used in this version (marked in the screen documents), or
    /// `None` when it works.
    pub unavailable: Option<&'static str>,
    pub handler: Handler,
}

impl std::fmt::Debug for ActionSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionSpec")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

const fn screen_action(
    id: &'static str,
    label: &'static str,
    screen: &'static str,
    tab: &'static str,
    handler: Handler,
) -> ActionSpec {
    ActionSpec {
        id,
        label,
        place: Place::Screen { screen, tab },
        needs_selection: false,
        permission: None,
        option: None,
        needs_integration: true,
        unavailable: None,
        handler,
    }
}

const fn options_action(id: &'static str, label: &'static str, handler: Handler) -> ActionSpec {
    ActionSpec {
        id,
        label,
        place: Place::Options,
        needs_selection: false,
        permission: None,
        option: None,
        needs_integration: false,
        unavailable: None,
        handler,
    }
}

/// Handler of actions this version does not offer; their specs are marked `unavailable`, so
/// the gates refuse them before it could run.
fn not_offered(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    Err(crate::plugin::CoreError::NotAvailable(format!(
        "\"{}\" is not available in this version of the WooCommerce plugin",
        ctx.spec.label
    )))
}

#[cfg(feature = "test-panic")]
fn panic_on_purpose(_: &ActionContext) -> CoreResult<ActionResponse> {
    panic!("diagnostics.panic was invoked to test the panic boundary")
}

#[cfg(not(feature = "test-panic"))]
fn panic_on_purpose(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    not_offered(ctx)
}

/// Action ids, as used in requests.
pub mod ids {
    pub const RECONNECT: &str = "options.reconnect";
    pub const CLEAR_CACHE: &str = "options.clear_cache";
    pub const OPEN_LOGS: &str = "options.open_logs";
    pub const STOCK_SYNC_START: &str = "options.stock_sync.start";
    pub const STOCK_SYNC_STOP: &str = "options.stock_sync.stop";
    pub const STOCK_SYNC_PREVIEW: &str = "options.stock_sync.preview";
    pub const STOCK_SYNC_CHECK: &str = "options.stock_sync.check";
    pub const QBM_ITEMS_PREVIEW_STOCK: &str = "items.qbm.preview_stock";
    pub const STOCK_CHECK_REFRESH: &str = "items.check.refresh";
    pub const STOCK_CHECK_FIX: &str = "items.check.fix";
    pub const ORDER_POLLING_START: &str = "options.order_polling.start";
    pub const ORDER_POLLING_STOP: &str = "options.order_polling.stop";
    pub const QBM_ITEMS_REFRESH: &str = "items.qbm.refresh";
    pub const QBM_ITEMS_CREATE_UPDATE: &str = "items.qbm.create_update";
    pub const QBM_ITEMS_SYNC_STOCK: &str = "items.qbm.sync_stock";
    pub const WOO_ITEMS_REFRESH: &str = "items.woo.refresh";
    pub const WOO_ITEMS_IMPORT: &str = "items.woo.import";
    pub const CUSTOMERS_REFRESH: &str = "customers.woo.refresh";
    pub const CUSTOMERS_IMPORT: &str = "customers.woo.import";
    pub const ORDERS_REFRESH: &str = "orders.woo.refresh";
    pub const ORDERS_IMPORT: &str = "orders.woo.import";
    pub const IMPORTED_ORDERS_REFRESH: &str = "orders.imported.refresh";
    pub const LOGS_REFRESH: &str = "logs.refresh";
    pub const LOGS_CLEAR: &str = "logs.clear";
    pub const RUNS_REFRESH: &str = "logs.runs.refresh";
    pub const DIAGNOSTICS_PANIC: &str = "diagnostics.panic";
}

/// Every action, in display order.
pub const ACTIONS: &[ActionSpec] = &[
    options_action(ids::RECONNECT, "Reconnect", connection::reconnect),
    options_action(ids::CLEAR_CACHE, "Clear Cache", connection::clear_cache),
    options_action(ids::OPEN_LOGS, "Open Logs", connection::open_logs),
    ActionSpec {
        permission: Some(Permission::AdministerOptions),
        ..options_action(
            ids::STOCK_SYNC_START,
            "Start Stock Sync",
            jobs::start_stock_sync,
        )
    },
    ActionSpec {
        permission: Some(Permission::AdministerOptions),
        ..options_action(
            ids::STOCK_SYNC_STOP,
            "Stop Stock Sync",
            jobs::stop_stock_sync,
        )
    },
    options_action(
        ids::STOCK_SYNC_PREVIEW,
        "Preview Stock Sync",
        stock_sync::preview,
    ),
    options_action(ids::STOCK_SYNC_CHECK, "Stock Check", stock_sync::check),
    ActionSpec {
        permission: Some(Permission::AdministerOptions),
        ..options_action(
            ids::ORDER_POLLING_START,
            "Start Order Polling",
            jobs::start_order_polling,
        )
    },
    ActionSpec {
        permission: Some(Permission::AdministerOptions),
        ..options_action(
            ids::ORDER_POLLING_STOP,
            "Stop Order Polling",
            jobs::stop_order_polling,
        )
    },
    screen_action(
        ids::QBM_ITEMS_REFRESH,
        "Refresh",
        "items",
        "qbm",
        items::qbm_refresh,
    ),
    ActionSpec {
        needs_selection: true,
        permission: Some(Permission::CreateUpdateItems),
        option: Some(keys::ALLOW_CREATE_ITEMS),
        ..screen_action(
            ids::QBM_ITEMS_CREATE_UPDATE,
            "Create / Update",
            "items",
            "qbm",
            items::create_update,
        )
    },
    ActionSpec {
        needs_selection: true,
        ..screen_action(
            ids::QBM_ITEMS_SYNC_STOCK,
            "Sync Stock",
            "items",
            "qbm",
            items::sync_stock,
        )
    },
    screen_action(
        ids::QBM_ITEMS_PREVIEW_STOCK,
        "Preview Stock Sync",
        "items",
        "qbm",
        stock_sync::preview,
    ),
    screen_action(
        ids::STOCK_CHECK_REFRESH,
        "Refresh",
        "items",
        "stock_check",
        stock_sync::check,
    ),
    ActionSpec {
        needs_selection: true,
        ..screen_action(
            ids::STOCK_CHECK_FIX,
            "Fix selected",
            "items",
            "stock_check",
            stock_sync::fix,
        )
    },
    screen_action(
        ids::WOO_ITEMS_REFRESH,
        "Refresh",
        "items",
        "woocommerce",
        items::woo_refresh,
    ),
    ActionSpec {
        needs_selection: true,
        permission: Some(Permission::CreateUpdateItems),
        option: Some(keys::ALLOW_IMPORT_ITEMS),
        ..screen_action(
            ids::WOO_ITEMS_IMPORT,
            "Import",
            "items",
            "woocommerce",
            items::import,
        )
    },
    screen_action(
        ids::CUSTOMERS_REFRESH,
        "Refresh",
        "customers",
        "woocommerce",
        customers::refresh,
    ),
    ActionSpec {
        needs_selection: true,
        permission: Some(Permission::CreateCustomers),
        option: Some(keys::ALLOW_IMPORT_CUSTOMERS),
        ..screen_action(
            ids::CUSTOMERS_IMPORT,
            "Import",
            "customers",
            "woocommerce",
            customers::import,
        )
    },
    screen_action(
        ids::ORDERS_REFRESH,
        "Refresh",
        "orders",
        "woocommerce",
        orders::refresh,
    ),
    ActionSpec {
        needs_selection: true,
        permission: Some(Permission::CreateSalesOrders),
        option: Some(keys::ALLOW_IMPORT_ORDERS),
        ..screen_action(
            ids::ORDERS_IMPORT,
            "Import",
            "orders",
            "woocommerce",
            orders::import,
        )
    },
    screen_action(
        ids::IMPORTED_ORDERS_REFRESH,
        "Refresh",
        "orders",
        "imported",
        orders::imported,
    ),
    ActionSpec {
        needs_integration: false,
        ..screen_action(ids::LOGS_REFRESH, "Refresh", "logs", "log", logs::listing)
    },
    ActionSpec {
        needs_integration: false,
        ..screen_action(ids::LOGS_CLEAR, "Clear", "logs", "log", logs::clear)
    },
    ActionSpec {
        needs_integration: false,
        ..screen_action(ids::RUNS_REFRESH, "Refresh", "logs", "runs", logs::runs)
    },
    ActionSpec {
        place: Place::Hidden,
        ..options_action(
            ids::DIAGNOSTICS_PANIC,
            "Panic (diagnostics)",
            panic_on_purpose,
        )
    },
];

/// The action with this id, if this build offers it.
pub fn action_spec(id: &str) -> Option<&'static ActionSpec> {
    ACTIONS
        .iter()
        .find(|spec| spec.id == id)
        .filter(|spec| spec.id != ids::DIAGNOSTICS_PANIC || cfg!(feature = "test-panic"))
}

/// The actions shown on one tab of a screen.
pub fn tab_actions<'a>(
    screen: &'a str,
    tab: &'a str,
) -> impl Iterator<Item = &'static ActionSpec> + 'a {
    ACTIONS.iter().filter(move |spec| {
        matches!(spec.place, Place::Screen { screen: s, tab: t } if s == screen && t == tab)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::options::schema::BUTTONS;

    #[test]
    fn every_options_button_has_an_action_and_back() {
        for button in BUTTONS {
            let spec = action_spec(button.action).expect(button.action);
            assert_eq!(spec.place, Place::Options);
            assert_eq!(spec.label, button.label);
        }
        let options_actions = ACTIONS.iter().filter(|a| a.place == Place::Options).count();
        assert_eq!(options_actions, BUTTONS.len());
    }

    /// A shipped build (`cargo test` without features) must not offer the action that panics
    /// on purpose, although the table lists it: only the lookup hides it.
    #[test]
    #[cfg(not(feature = "test-panic"))]
    fn the_panic_action_is_hidden_from_a_shipped_build() {
        assert!(ACTIONS.iter().any(|a| a.id == ids::DIAGNOSTICS_PANIC));
        assert!(action_spec(ids::DIAGNOSTICS_PANIC).is_none());
    }

    /// The library the host-sim tests load is built with `test-panic`, and offers it there.
    #[test]
    #[cfg(feature = "test-panic")]
    fn the_panic_action_exists_in_test_builds() {
        assert!(action_spec(ids::DIAGNOSTICS_PANIC).is_some());
    }
}
