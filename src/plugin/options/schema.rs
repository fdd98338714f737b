//! The WooCommerce tab under Options → Integrations: every field and button, described once.
//! Validation, storage, the schema document and the typed settings are all driven by this table.

use serde::Serialize;
use serde_json::{Value, json};

use crate::host_port::StorageArea;

/// The groups of the tab, in display order: the guide's four, and the rules of order import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Connection,
    InventorySync,
    ImportPermissions,
    OrderImport,
    OrderPolling,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Connection,
        Section::InventorySync,
        Section::ImportPermissions,
        Section::OrderImport,
        Section::OrderPolling,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Section::Connection => "Connection",
            Section::InventorySync => "Inventory Sync",
            Section::ImportPermissions => "Import Permissions",
            Section::OrderImport => "Order Import",
            Section::OrderPolling => "Order Polling",
        }
    }
}

/// Where a value is kept and who shares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One value for the whole company.
    Company,
    /// One value per workstation or server.
    Workstation,
}

/// What a field holds and how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Bool,
    /// An `http(s)://` address.
    Url,
    /// Text that must match `prefix` followed by `hex_len` lowercase hexadecimal digits.
    Credential {
        prefix: &'static str,
        hex_len: usize,
    },
    /// Whole minutes within `[min, max]`; values below `warn_below` are accepted with a warning.
    Minutes {
        min: i64,
        max: i64,
        warn_below: i64,
    },
    /// Whole hours within `[min, max]`.
    Hours {
        min: i64,
        max: i64,
    },
    /// One QBM location id.
    Location,
    /// Several QBM location ids.
    Locations,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A point in time shown to the user, RFC 3339; only the plugin writes it.
    Timestamp,
    /// One QBM item id (e.g. the service item for shipping lines).
    Item,
    /// One QBM customer id.
    Customer,
    /// Several WooCommerce order statuses, from [`ORDER_STATUSES`].
    OrderStatuses,
    /// A line of text the plugin writes (a status line).
    Status,
}

/// The order statuses of WooCommerce that the import option can list, with their labels.
pub const ORDER_STATUSES: &[(&str, &str)] = &[
    ("pending", "Pending payment"),
    ("processing", "Processing"),
    ("on-hold", "On hold"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
    ("refunded", "Refunded"),
    ("failed", "Failed"),
    ("checkout-draft", "Draft"),
];

impl FieldKind {
    fn type_name(self) -> &'static str {
        match self {
            FieldKind::Bool => "bool",
            FieldKind::Url => "url",
            FieldKind::Credential { .. } => "text",
            FieldKind::Minutes { .. } => "integer",
            FieldKind::Location => "location",
            FieldKind::Locations => "locations",
            FieldKind::Date => "date",
            FieldKind::Timestamp => "timestamp",
            FieldKind::Hours { .. } => "integer",
            FieldKind::Item => "item",
            FieldKind::Customer => "customer",
            FieldKind::OrderStatuses => "choices",
            FieldKind::Status => "status",
        }
    }
}

/// One option of the tab.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub key: &'static str,
    pub section: Section,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: FieldKind,
    pub scope: Scope,
    /// The value is never sent back to the host (only whether it is set).
    pub secret: bool,
    /// Shown but never accepted from the host.
    pub read_only: bool,
    /// Only editable (and only used) while this boolean field is on.
    pub enabled_by: Option<&'static str>,
    /// Must be filled in before "Enable WooCommerce integration" can be on.
    pub required_when_enabled: bool,
}

impl FieldSpec {
    /// Value used while nothing is stored.
    pub fn default_value(&self) -> Value {
        match self.key {
            keys::LOG_MISSING_ITEMS | keys::SUBTRACT_UNIMPORTED_ORDERS => json!(true),
            keys::STOCK_SYNC_INTERVAL => json!(15),
            keys::ORDER_POLLING_INTERVAL => json!(10),
            keys::STOCK_CHECK_HOURS => json!(24),
            keys::ORDER_IMPORT_STATUSES => json!(["processing", "completed", "on-hold"]),
            _ => match self.kind {
                FieldKind::Bool => json!(false),
                FieldKind::Url | FieldKind::Credential { .. } | FieldKind::Status => json!(""),
                FieldKind::Locations | FieldKind::OrderStatuses => json!([]),
                FieldKind::Minutes { min, .. } | FieldKind::Hours { min, .. } => json!(min),
                FieldKind::Location
                | FieldKind::Date
                | FieldKind::Timestamp
                | FieldKind::Item
                | FieldKind::Customer => Value::Null,
            },
        }
    }

    /// Where a value set in Options is stored: the option document of its scope.
    pub fn area(&self) -> StorageArea {
        match self.scope {
            Scope::Company => StorageArea::CompanyOptions,
            Scope::Workstation => StorageArea::WorkstationOptions,
        }
    }

    /// Where plugin version 0.1 stored the value, one key per field (read once to migrate).
    pub fn legacy_key(&self) -> String {
        format!("option.{}", self.key)
    }

    fn validation(&self) -> Value {
        match self.kind {
            FieldKind::Url => json!({
                "schemes": ["https", "http"],
                "http_requires": keys::ALLOW_INSECURE_HTTP,
            }),
            FieldKind::Credential { prefix, hex_len } => json!({
                "pattern": format!("^{prefix}[0-9a-f]{{{hex_len}}}$"),
            }),
            FieldKind::Minutes {
                min,
                max,
                warn_below,
            } => json!({ "min": min, "max": max, "warn_below": warn_below, "unit": "minutes" }),
            FieldKind::Location | FieldKind::Locations => {
                json!({ "must_exist_in": "locations_list" })
            }
            FieldKind::Date => json!({ "format": "YYYY-MM-DD" }),
            FieldKind::Hours { min, max } => json!({ "min": min, "max": max, "unit": "hours" }),
            FieldKind::Item => json!({ "must_exist_in": "items_query" }),
            FieldKind::Customer => json!({ "must_exist_in": "customers_find" }),
            FieldKind::OrderStatuses => json!({
                "choices": ORDER_STATUSES
                    .iter()
                    .map(|(value, label)| json!({"value": value, "label": label}))
                    .collect::<Vec<_>>(),
            }),
            FieldKind::Bool | FieldKind::Timestamp | FieldKind::Status => json!({}),
        }
    }

    fn document(&self, secrets_protected: bool) -> Value {
        let help = if self.secret && !secrets_protected {
            CONSUMER_SECRET_HELP_UNPROTECTED
        } else {
            self.help
        };
        json!({
            "key": self.key,
            "label": self.label,
            "help": help,
            "type": self.kind.type_name(),
            "default": self.default_value(),
            "scope": self.scope,
            "secret": self.secret,
            "read_only": self.read_only,
            "enabled_by": self.enabled_by,
            "required_when_enabled": self.required_when_enabled,
            "validation": self.validation(),
        })
    }
}

/// A button of the tab; pressing it invokes the action `action`.
#[derive(Debug, Clone, Copy)]
pub struct ButtonSpec {
    pub action: &'static str,
    pub section: Section,
    pub label: &'static str,
    pub help: &'static str,
}

/// Option keys, as stored and as exchanged with the host.
pub mod keys {
    pub const ENABLED: &str = "enabled";
    pub const STORE_URL: &str = "store_url";
    pub const CONSUMER_KEY: &str = "consumer_key";
    pub const CONSUMER_SECRET: &str = "consumer_secret";
    pub const ALLOW_INSECURE_HTTP: &str = "allow_insecure_http";
    pub const STOCK_SYNC_ON_THIS_CLIENT: &str = "stock_sync_on_this_client";
    pub const STOCK_SYNC_INTERVAL: &str = "stock_sync_interval_minutes";
    pub const PRIMARY_LOCATION: &str = "primary_location";
    pub const USE_MULTIPLE_LOCATIONS: &str = "use_multiple_locations";
    pub const MULTIPLE_LOCATIONS: &str = "multiple_locations";
    pub const STOCK_SYNC_START_DATE: &str = "stock_sync_start_date";
    pub const MATCH_BY_LOOKUP_CODE: &str = "match_by_lookup_code";
    pub const LOG_MISSING_ITEMS: &str = "log_missing_items";
    pub const ALLOW_IMPORT_ORDERS: &str = "allow_import_orders";
    pub const ALLOW_IMPORT_CUSTOMERS: &str = "allow_import_customers";
    pub const ALLOW_IMPORT_ITEMS: &str = "allow_import_items";
    pub const ALLOW_CREATE_ITEMS: &str = "allow_create_items";
    pub const ORDER_POLLING_ENABLED: &str = "order_polling_enabled";
    pub const ORDER_POLLING_INTERVAL: &str = "order_polling_interval_minutes";
    pub const LAST_ORDER_SYNC: &str = "last_order_sync";
    pub const SUBTRACT_UNIMPORTED_ORDERS: &str = "subtract_unimported_orders";
    pub const STOCK_CHECK_HOURS: &str = "stock_check_hours";
    pub const STOCK_SYNC_STATUS: &str = "stock_sync_status";
    pub const ORDER_IMPORT_STATUSES: &str = "order_import_statuses";
    pub const SHIPPING_ITEM: &str = "shipping_item";
    pub const FEE_ITEM: &str = "fee_item";
    pub const GUEST_CUSTOMER: &str = "guest_customer";
    pub const ORDER_IMPORT_LOCATION: &str = "order_import_location";
    pub const ORDER_POLLING_STATUS: &str = "order_polling_status";
}

/// The consumer secret's help when the host offers no protected storage for it.
const CONSUMER_SECRET_HELP_UNPROTECTED: &str = "The secret shown once when the key was generated; it starts with cs_. This QBM keeps it in the company's option storage as plain text (it offers no protected storage to plugins), so limit who can read the company database; it is never displayed again. Generate a new key if it was exposed.";

const fn field(
    key: &'static str,
    section: Section,
    label: &'static str,
    kind: FieldKind,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        section,
        label,
        help,
        kind,
        scope: Scope::Company,
        secret: false,
        read_only: false,
        enabled_by: None,
        required_when_enabled: false,
    }
}

/// Every option of the tab, in display order.
pub const FIELDS: &[FieldSpec] = &[
    field(
        keys::ENABLED,
        Section::Connection,
        "Enable WooCommerce integration",
        FieldKind::Bool,
        "Shows the WooCommerce menu and lets QBM talk to the store. Fill in the store address and API key first.",
    ),
    FieldSpec {
        required_when_enabled: true,
        ..field(
            keys::STORE_URL,
            Section::Connection,
            "Store URL",
            FieldKind::Url,
            "Address of the online store's home page, e.g. https://shop.example.com (include a sub-folder if the shop lives in one).",
        )
    },
    FieldSpec {
        required_when_enabled: true,
        ..field(
            keys::CONSUMER_KEY,
            Section::Connection,
            "Consumer Key",
            FieldKind::Credential {
                prefix: "ck_",
                hex_len: 40,
            },
            "The key WooCommerce shows under Settings → Advanced → REST API; it starts with ck_.",
        )
    },
    FieldSpec {
        secret: true,
        required_when_enabled: true,
        ..field(
            keys::CONSUMER_SECRET,
            Section::Connection,
            "Consumer Secret",
            FieldKind::Credential {
                prefix: "cs_",
                hex_len: 40,
            },
            "The secret shown once when the key was generated; it starts with cs_. It is stored protected and never displayed again. Generate a new key if it was exposed.",
        )
    },
    field(
        keys::ALLOW_INSECURE_HTTP,
        Section::Connection,
        "Allow insecure HTTP",
        FieldKind::Bool,
        "Lets QBM use a store address that starts with http://. Traffic is then unencrypted: use it for a test store only.",
    ),
    FieldSpec {
        scope: Scope::Workstation,
        ..field(
            keys::STOCK_SYNC_ON_THIS_CLIENT,
            Section::InventorySync,
            "Enable stock sync on this client",
            FieldKind::Bool,
            "Lets this computer run the automatic stock synchronization. Turn it on for one workstation or server only.",
        )
    },
    field(
        keys::STOCK_SYNC_INTERVAL,
        Section::InventorySync,
        "Sync interval (minutes)",
        FieldKind::Minutes {
            min: 1,
            max: 1440,
            warn_below: 5,
        },
        "How often stock quantities are checked and sent to the store. Intervals under 5 minutes add load to the store for little gain.",
    ),
    field(
        keys::PRIMARY_LOCATION,
        Section::InventorySync,
        "Primary QBM location",
        FieldKind::Location,
        "The QBM store/location whose on-hand quantity is published online when a single location is used.",
    ),
    field(
        keys::USE_MULTIPLE_LOCATIONS,
        Section::InventorySync,
        "Use multiple QBM locations",
        FieldKind::Bool,
        "Publish the sum of several locations' quantities instead of the primary location alone.",
    ),
    FieldSpec {
        enabled_by: Some(keys::USE_MULTIPLE_LOCATIONS),
        ..field(
            keys::MULTIPLE_LOCATIONS,
            Section::InventorySync,
            "Multiple locations",
            FieldKind::Locations,
            "The locations whose quantities are added up for the online stock. Available when \"Use multiple QBM locations\" is on.",
        )
    },
    field(
        keys::STOCK_SYNC_START_DATE,
        Section::InventorySync,
        "Sync start date",
        FieldKind::Date,
        "Stock movements from this date on are tracked for synchronization; use the agreed go-live or test date.",
    ),
    field(
        keys::MATCH_BY_LOOKUP_CODE,
        Section::InventorySync,
        "Match by lookup code when SKU is not found",
        FieldKind::Bool,
        "When no QBM item has the store's SKU, also compare the SKU with QBM lookup codes.",
    ),
    field(
        keys::LOG_MISSING_ITEMS,
        Section::InventorySync,
        "Write missing item matches to WooCommerce logs",
        FieldKind::Bool,
        "Adds a log entry for every item that could be matched neither by SKU nor by lookup code.",
    ),
    field(
        keys::SUBTRACT_UNIMPORTED_ORDERS,
        Section::InventorySync,
        "Subtract web orders not yet imported",
        FieldKind::Bool,
        "WooCommerce lowers its stock when a web order is placed; until that order is imported, QBM does not know. Publishes QBM's quantity minus the units on store orders that are processing or on hold and not yet imported, so sold units are not offered again.",
    ),
    field(
        keys::STOCK_CHECK_HOURS,
        Section::InventorySync,
        "Stock check interval (hours)",
        FieldKind::Hours { min: 1, max: 168 },
        "How often the automatic stock sync also reads the store's quantities and corrects differences made in WooCommerce or by other tools.",
    ),
    FieldSpec {
        read_only: true,
        ..field(
            keys::STOCK_SYNC_STATUS,
            Section::InventorySync,
            "Stock sync status",
            FieldKind::Status,
            "Whether automatic stock sync runs, on which workstation, its last and next run and the last result.",
        )
    },
    field(
        keys::ALLOW_IMPORT_ORDERS,
        Section::ImportPermissions,
        "Allow importing WooCommerce orders",
        FieldKind::Bool,
        "Users with the right to create sales orders may import selected store orders as QBM customer orders.",
    ),
    field(
        keys::ALLOW_IMPORT_CUSTOMERS,
        Section::ImportPermissions,
        "Allow importing WooCommerce customers",
        FieldKind::Bool,
        "Users with the right to create customers may import selected store customers as QBM partners.",
    ),
    field(
        keys::ALLOW_IMPORT_ITEMS,
        Section::ImportPermissions,
        "Allow importing WooCommerce items",
        FieldKind::Bool,
        "Users with the right to create items may import selected store products as QBM items. Review naming, SKU, UPC, lookup code and default accounts first.",
    ),
    field(
        keys::ALLOW_CREATE_ITEMS,
        Section::ImportPermissions,
        "Allow creating new items in WooCommerce",
        FieldKind::Bool,
        "Users with the right to create or update items may send selected QBM items to the store as new or updated products.",
    ),
    field(
        keys::ORDER_IMPORT_STATUSES,
        Section::OrderImport,
        "Order statuses to import",
        FieldKind::OrderStatuses,
        "Store orders in these statuses can be imported; others are skipped with their status as the reason. Processing, completed and on hold by default.",
    ),
    field(
        keys::SHIPPING_ITEM,
        Section::OrderImport,
        "Shipping item",
        FieldKind::Item,
        "The QBM service item that carries an order's shipping charge. Orders with shipping are not imported until it is chosen.",
    ),
    field(
        keys::FEE_ITEM,
        Section::OrderImport,
        "Fee item",
        FieldKind::Item,
        "The QBM service item that carries an order's fees (negative fees are discounts). Orders with fees are not imported until it is chosen.",
    ),
    field(
        keys::GUEST_CUSTOMER,
        Section::OrderImport,
        "Customer for unmatched and guest orders",
        FieldKind::Customer,
        "Used for an order whose customer is not linked, not found by the duplicate rules and not created (customer import off or not permitted). Leave empty to skip such orders.",
    ),
    field(
        keys::ORDER_IMPORT_LOCATION,
        Section::OrderImport,
        "Location for polled orders",
        FieldKind::Location,
        "The QBM location automatically polled orders are imported into. Empty: the primary location.",
    ),
    field(
        keys::ORDER_POLLING_ENABLED,
        Section::OrderPolling,
        "Enable automatic WooCommerce order polling",
        FieldKind::Bool,
        "Lets QBM look for new and changed store orders on its own. Test a manual order import first.",
    ),
    field(
        keys::ORDER_POLLING_INTERVAL,
        Section::OrderPolling,
        "Polling interval (minutes)",
        FieldKind::Minutes {
            min: 1,
            max: 1440,
            warn_below: 2,
        },
        "How often QBM asks the store for new orders; match it to the order volume.",
    ),
    FieldSpec {
        read_only: true,
        ..field(
            keys::LAST_ORDER_SYNC,
            Section::OrderPolling,
            "Last order sync",
            FieldKind::Timestamp,
            "The point up to which store orders have been checked. Useful when an order seems to be missing.",
        )
    },
    FieldSpec {
        read_only: true,
        ..field(
            keys::ORDER_POLLING_STATUS,
            Section::OrderPolling,
            "Order polling status",
            FieldKind::Status,
            "Whether automatic order polling runs, on which workstation, its last and next run and the last result.",
        )
    },
];

/// Every button of the tab, in display order.
pub const BUTTONS: &[ButtonSpec] = &[
    ButtonSpec {
        action: "options.reconnect",
        section: Section::Connection,
        label: "Reconnect",
        help: "Applies the connection settings and proves them against the store.",
    },
    ButtonSpec {
        action: "options.clear_cache",
        section: Section::Connection,
        label: "Clear Cache",
        help: "Forgets the store's products kept in QBM, so the next refresh loads them anew.",
    },
    ButtonSpec {
        action: "options.open_logs",
        section: Section::Connection,
        label: "Open Logs",
        help: "Opens the WooCommerce log window.",
    },
    ButtonSpec {
        action: "options.stock_sync.start",
        section: Section::InventorySync,
        label: "Start Stock Sync",
        help: "Starts the automatic stock synchronization on this workstation.",
    },
    ButtonSpec {
        action: "options.stock_sync.stop",
        section: Section::InventorySync,
        label: "Stop Stock Sync",
        help: "Stops the automatic stock synchronization.",
    },
    ButtonSpec {
        action: "options.stock_sync.preview",
        section: Section::InventorySync,
        label: "Preview Stock Sync",
        help: "Shows exactly what the next stock sync run would write (store now → new, and why), without writing.",
    },
    ButtonSpec {
        action: "options.stock_sync.check",
        section: Section::InventorySync,
        label: "Stock Check",
        help: "Compares QBM with the store for every matched item and names the likely cause of each difference; fix them from Items → Stock Check.",
    },
    ButtonSpec {
        action: "options.order_polling.start",
        section: Section::OrderPolling,
        label: "Start Order Polling",
        help: "Starts looking for store orders automatically.",
    },
    ButtonSpec {
        action: "options.order_polling.stop",
        section: Section::OrderPolling,
        label: "Stop Order Polling",
        help: "Stops looking for store orders automatically.",
    },
];

/// The field with this key.
pub fn field_spec(key: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|spec| spec.key == key)
}

/// The schema document (`qbm.wc.option-schema/1`). `secrets_protected`: the host keeps secrets
/// in protected storage (the consumer secret's help text says where it lives).
pub fn schema_document(secrets_protected: bool) -> Value {
    let sections: Vec<Value> = Section::ALL
        .iter()
        .map(|section| {
            json!({
                "id": section,
                "label": section.label(),
                "fields": FIELDS.iter().filter(|f| f.section == *section).map(|f| f.document(secrets_protected)).collect::<Vec<_>>(),
                "buttons": BUTTONS.iter().filter(|b| b.section == *section).map(|b| json!({
                    "action": b.action, "label": b.label, "help": b.help,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "schema": "qbm.wc.option-schema/1",
        "tab": { "path": ["Options", "Integrations", "WooCommerce"], "label": "WooCommerce" },
        "save": "Values are saved with the Options form's Save buttons through options_save.",
        "sections": sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_dependencies_point_at_booleans() {
        let mut seen = std::collections::HashSet::new();
        for spec in FIELDS {
            assert!(seen.insert(spec.key), "duplicate key {}", spec.key);
            if let Some(parent) = spec.enabled_by {
                assert_eq!(field_spec(parent).map(|p| p.kind), Some(FieldKind::Bool));
            }
        }
    }

    #[test]
    fn only_stock_sync_on_this_client_is_per_workstation() {
        let per_workstation: Vec<_> = FIELDS
            .iter()
            .filter(|f| f.scope == Scope::Workstation)
            .map(|f| f.key)
            .collect();
        assert_eq!(per_workstation, vec![keys::STOCK_SYNC_ON_THIS_CLIENT]);
    }
}
