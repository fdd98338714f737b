//! The menu and the screens the host renders: tabs, list columns, filters and buttons.

use serde::Serialize;
use serde_json::{Value, json};

use super::actions::catalog::{ActionSpec, tab_actions};

/// What a column holds, so the host can align, format and sort it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Text,
    Number,
    Money,
    Date,
    Datetime,
}

/// A column of a list.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub id: &'static str,
    pub label: &'static str,
    pub kind: ColumnKind,
}

impl Column {
    /// The column as the host sees it in a screen or a result table.
    pub fn document(&self) -> Value {
        json!({"id": self.id, "label": self.label, "type": self.kind})
    }
}

const fn col(id: &'static str, label: &'static str, kind: ColumnKind) -> Column {
    Column { id, label, kind }
}

/// The input a filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterKind {
    /// A day, `YYYY-MM-DD`.
    Date,
    /// A QBM location id.
    Location,
    /// One of the filter's `choices`.
    Choice,
    /// Free text, such as a search.
    Text,
    /// A page number from 1 (the load response's `paging` says how many there are).
    Page,
}

/// An input above a list whose value travels in the action request's `params`.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub id: &'static str,
    pub label: &'static str,
    pub kind: FilterKind,
    pub choices: &'static [(&'static str, &'static str)],
}

/// A tab of a screen.
#[derive(Debug, Clone, Copy)]
pub struct Tab {
    pub id: &'static str,
    pub label: &'static str,
    /// The column whose value identifies a row in an action's `selection`.
    pub row_key: &'static str,
    /// The action that fills the list (run when the tab opens and on Refresh).
    pub load_action: &'static str,
    pub columns: &'static [Column],
    pub filters: &'static [Filter],
}

/// A screen of the WooCommerce menu.
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    pub id: &'static str,
    pub menu_label: &'static str,
    pub title: &'static str,
    pub tabs: &'static [Tab],
}

const DATE_RANGE: [Filter; 2] = [
    Filter {
        id: "from",
        label: "From",
        kind: FilterKind::Date,
        choices: &[],
    },
    Filter {
        id: "to",
        label: "To",
        kind: FilterKind::Date,
        choices: &[],
    },
];

/// The page of a list shown page by page (the response's `paging` says how many there are).
const PAGE: Filter = Filter {
    id: "page",
    label: "Page",
    kind: FilterKind::Page,
    choices: &[],
};

/// The menu entries under Integrations → WooCommerce, in order.
pub const SCREENS: &[Screen] = &[
    Screen {
        id: "items",
        menu_label: "Items",
        title: "WooCommerce Items",
        tabs: &[
            Tab {
                id: "qbm",
                label: "QBM Items",
                row_key: "item_id",
                load_action: "items.qbm.refresh",
                columns: &[
                    col("item_id", "QBM id", ColumnKind::Text),
                    col("code", "Code", ColumnKind::Text),
                    col("name", "Name", ColumnKind::Text),
                    col("sku", "SKU", ColumnKind::Text),
                    col("lookup_code", "Lookup code", ColumnKind::Text),
                    col("price", "Price", ColumnKind::Money),
                    col("qbm_stock", "QBM stock", ColumnKind::Number),
                    col("match", "WooCommerce match", ColumnKind::Text),
                    col("matched_by", "Matched by", ColumnKind::Text),
                    col("online_price", "Online price", ColumnKind::Money),
                    col("online_stock", "Online stock", ColumnKind::Number),
                ],
                filters: &[],
            },
            Tab {
                id: "stock_check",
                label: "Stock Check",
                row_key: "woo_id",
                load_action: "items.check.refresh",
                columns: &[
                    col("woo_id", "WooCommerce id", ColumnKind::Text),
                    col("qbm_items", "QBM items", ColumnKind::Text),
                    col("store_now", "Store now", ColumnKind::Number),
                    col("should_be", "Should be", ColumnKind::Number),
                    col("because", "Because", ColumnKind::Text),
                    col("cause", "Likely cause", ColumnKind::Text),
                ],
                filters: &[],
            },
            Tab {
                id: "woocommerce",
                label: "WooCommerce Items",
                row_key: "woo_id",
                load_action: "items.woo.refresh",
                columns: &[
                    col("woo_id", "ID", ColumnKind::Text),
                    col("parent_id", "Parent", ColumnKind::Text),
                    col("sku", "SKU", ColumnKind::Text),
                    col("name", "Name", ColumnKind::Text),
                    col("type", "Type", ColumnKind::Text),
                    col("price", "Price", ColumnKind::Money),
                    col("stock", "Stock", ColumnKind::Number),
                    col("manage_stock", "Stock managed", ColumnKind::Text),
                    col("qbm_match", "QBM item", ColumnKind::Text),
                ],
                // A catalog of 100,000 items is shown a page at a time; every row at once costs
                // the host a table of that size (the cache itself stays small).
                filters: &[PAGE],
            },
        ],
    },
    Screen {
        id: "customers",
        menu_label: "Customers",
        title: "WooCommerce Customers",
        tabs: &[Tab {
            id: "woocommerce",
            label: "WooCommerce",
            row_key: "woo_id",
            load_action: "customers.woo.refresh",
            columns: &[
                col("woo_id", "ID", ColumnKind::Text),
                col("name", "Name", ColumnKind::Text),
                col("company", "Company", ColumnKind::Text),
                col("email", "E-mail", ColumnKind::Text),
                col("phone", "Phone", ColumnKind::Text),
                col("city", "City", ColumnKind::Text),
                col("country", "Country", ColumnKind::Text),
                col("registered", "Registered", ColumnKind::Date),
                col("orders_count", "Orders", ColumnKind::Number),
                col("qbm_match", "QBM customer", ColumnKind::Text),
            ],
            filters: &[
                Filter {
                    id: "search",
                    label: "Search (e-mail or user name)",
                    kind: FilterKind::Text,
                    choices: &[],
                },
                PAGE,
            ],
        }],
    },
    Screen {
        id: "orders",
        menu_label: "Orders",
        title: "WooCommerce Orders",
        tabs: &[
            Tab {
                id: "woocommerce",
                label: "WooCommerce",
                row_key: "woo_id",
                load_action: "orders.woo.refresh",
                columns: &[
                    col("woo_id", "ID", ColumnKind::Text),
                    col("number", "Order", ColumnKind::Text),
                    col("date", "Date (store time)", ColumnKind::Text),
                    col("status", "Status", ColumnKind::Text),
                    col("customer", "Customer", ColumnKind::Text),
                    col("email", "E-mail", ColumnKind::Text),
                    col("items", "Items", ColumnKind::Number),
                    col("total", "Total", ColumnKind::Money),
                    col("currency", "Currency", ColumnKind::Text),
                    col("payment", "Payment", ColumnKind::Text),
                    col("qbm_order", "QBM order", ColumnKind::Text),
                ],
                filters: &[
                    DATE_RANGE[0],
                    DATE_RANGE[1],
                    Filter {
                        id: "location_id",
                        label: "Import into location",
                        kind: FilterKind::Location,
                        choices: &[],
                    },
                    PAGE,
                ],
            },
            Tab {
                id: "imported",
                label: "Imported",
                row_key: "qbm_id",
                load_action: "orders.imported.refresh",
                columns: &[
                    col("qbm_id", "QBM id", ColumnKind::Text),
                    col("qbm_number", "QBM order", ColumnKind::Text),
                    col("reference", "WooCommerce order", ColumnKind::Text),
                    col("woo_id", "WooCommerce id", ColumnKind::Text),
                    col("date", "Date", ColumnKind::Datetime),
                    col("customer", "Customer", ColumnKind::Text),
                    col("location", "Location", ColumnKind::Text),
                    col("total", "Total", ColumnKind::Money),
                    col("imported_at", "Imported at", ColumnKind::Datetime),
                    col("store_status", "Store status now", ColumnKind::Text),
                    col("changes", "Changes since import", ColumnKind::Text),
                ],
                filters: &DATE_RANGE,
            },
        ],
    },
    Screen {
        id: "logs",
        menu_label: "Logs",
        title: "WooCommerce Logs",
        tabs: &[
            Tab {
                id: "log",
                label: "Log",
                row_key: "id",
                load_action: "logs.refresh",
                columns: &[
                    col("id", "Entry", ColumnKind::Text),
                    col("time", "Time", ColumnKind::Datetime),
                    col("category", "Category", ColumnKind::Text),
                    col("level", "Level", ColumnKind::Text),
                    col("workstation", "Workstation", ColumnKind::Text),
                    col("message", "Message", ColumnKind::Text),
                ],
                filters: &[Filter {
                    id: "category",
                    label: "Category",
                    kind: FilterKind::Choice,
                    choices: &[
                        ("", "All"),
                        ("connection", "Connection"),
                        ("stock_sync", "Stock sync"),
                        ("missing_item", "Missing item"),
                        ("processing", "Processing"),
                    ],
                }],
            },
            Tab {
                id: "runs",
                label: "Runs",
                row_key: "id",
                load_action: "logs.runs.refresh",
                columns: &[
                    col("id", "Run", ColumnKind::Text),
                    col("started", "Started", ColumnKind::Datetime),
                    col("ended", "Ended", ColumnKind::Datetime),
                    col("what", "What", ColumnKind::Text),
                    col("who", "By", ColumnKind::Text),
                    col("outcome", "Result", ColumnKind::Text),
                    col("counts", "Counts", ColumnKind::Text),
                    col("requests", "Store requests", ColumnKind::Number),
                    col("message", "Message", ColumnKind::Text),
                ],
                filters: &[],
            },
        ],
    },
];

/// The screen with this id.
pub fn screen(id: &str) -> Option<&'static Screen> {
    SCREENS.iter().find(|screen| screen.id == id)
}

/// The columns of one tab, for action responses that fill its list.
pub fn tab_columns(screen_id: &str, tab_id: &str) -> &'static [Column] {
    screen(screen_id)
        .and_then(|s| s.tabs.iter().find(|t| t.id == tab_id))
        .map_or(&[], |t| t.columns)
}

fn action_document(spec: &ActionSpec) -> Value {
    json!({
        "id": spec.id,
        "label": spec.label,
        "needs_selection": spec.needs_selection,
        "permission": spec.permission.map(|p| p.id()),
        "requires_option": spec.option,
        "available": spec.unavailable.is_none(),
        "unavailable_reason": spec.unavailable,
    })
}

/// The screen document (`qbm.wc.screen/1`).
pub fn screen_document(screen: &Screen) -> Value {
    let tabs: Vec<Value> = screen
        .tabs
        .iter()
        .map(|tab| {
            json!({
                "id": tab.id,
                "label": tab.label,
                "row_key": tab.row_key,
                "selection": "multiple",
                "load_action": tab.load_action,
                "columns": tab.columns.iter().map(Column::document).collect::<Vec<_>>(),
                "filters": tab.filters.iter().map(|f| json!({
                    "id": f.id,
                    "label": f.label,
                    "type": f.kind,
                    "choices": f.choices.iter().map(|(value, label)| json!({"value": value, "label": label})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "actions": tab_actions(screen.id, tab.id).map(action_document).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "schema": "qbm.wc.screen/1",
        "id": screen.id,
        "title": screen.title,
        "tabs": tabs,
    })
}

/// The menu document (`qbm.wc.menu/1`); empty and invisible while the integration is off.
pub fn menu_document(enabled: bool) -> Value {
    let items: Vec<Value> = if enabled {
        SCREENS
            .iter()
            .map(|s| json!({"id": s.id, "label": s.menu_label, "screen": s.id}))
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "schema": "qbm.wc.menu/1",
        "visible": enabled,
        "path": ["Integrations", "WooCommerce"],
        "hidden_reason": (!enabled).then_some(
            "Select \"Enable WooCommerce integration\" in Options → Integrations → WooCommerce to show this menu."
        ),
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::actions::catalog::action_spec;

    #[test]
    fn every_load_action_exists_and_belongs_to_its_tab() {
        for screen in SCREENS {
            for tab in screen.tabs {
                let spec = action_spec(tab.load_action).expect(tab.load_action);
                assert!(tab_actions(screen.id, tab.id).any(|a| a.id == spec.id));
                assert!(
                    tab.columns.iter().any(|c| c.id == tab.row_key),
                    "{}/{}: the row key {} is not a column",
                    screen.id,
                    tab.id,
                    tab.row_key
                );
            }
        }
    }

    #[test]
    fn the_menu_is_empty_while_disabled() {
        let off = menu_document(false);
        assert_eq!(off["visible"], false);
        assert_eq!(off["items"].as_array().unwrap().len(), 0);
        let on = menu_document(true);
        let labels: Vec<_> = on["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["Items", "Customers", "Orders", "Logs"]);
    }
}
