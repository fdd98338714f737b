//! The option values as the engine uses them (read from Options by the plugin core).

use chrono::NaiveDate;

use crate::secret::Secret;

/// The option values as the features use them.
#[derive(Clone)]
pub struct Settings {
    pub enabled: bool,
    pub store_url: String,
    pub consumer_key: String,
    pub consumer_secret: Option<Secret>,
    pub allow_insecure_http: bool,
    pub stock_sync_on_this_client: bool,
    pub stock_sync_interval_minutes: u32,
    pub primary_location: Option<String>,
    pub use_multiple_locations: bool,
    pub multiple_locations: Vec<String>,
    pub stock_sync_start_date: Option<NaiveDate>,
    pub match_by_lookup_code: bool,
    pub log_missing_items: bool,
    pub subtract_unimported_orders: bool,
    pub stock_check_hours: u32,
    pub allow_import_orders: bool,
    pub allow_import_customers: bool,
    pub order_import_statuses: Vec<String>,
    pub shipping_item: Option<String>,
    pub fee_item: Option<String>,
    pub guest_customer: Option<String>,
    pub order_import_location: Option<String>,
    pub order_polling_enabled: bool,
    pub order_polling_interval_minutes: u32,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("enabled", &self.enabled)
            .field("store_url", &self.store_url)
            .field("consumer_secret", &self.consumer_secret)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The QBM locations whose quantities make up the online stock.
    pub fn stock_locations(&self) -> Vec<String> {
        if self.use_multiple_locations {
            self.multiple_locations.clone()
        } else {
            self.primary_location.iter().cloned().collect()
        }
    }

    /// Where automatically imported orders go: the chosen location, else the primary one.
    pub fn polled_order_location(&self) -> Option<String> {
        self.order_import_location
            .clone()
            .or_else(|| self.primary_location.clone())
    }
}
