//! Store-wide settings (WordPress options and WooCommerce settings).

use chrono::{DateTime, Duration, DurationRound as _, Utc};
use rust_decimal::Decimal;

/// The one tax rate the simulated store applies (like the recorded store's "MwSt." 19 %).
#[derive(Debug, Clone, PartialEq)]
pub struct TaxRate {
    /// Tax rate id (`rate_id`, `taxes[].id`).
    pub id: u64,
    /// Percent, e.g. 19.
    pub percent: Decimal,
    /// Label, e.g. "MwSt.".
    pub label: String,
    /// Country code the rate belongs to.
    pub country: String,
    /// Whether shipping is taxed too.
    pub shipping: bool,
}

impl TaxRate {
    /// WooCommerce's rate code, e.g. `DE-MWST.-1`.
    pub fn code(&self) -> String {
        let label = if self.label.is_empty() {
            "TAX"
        } else {
            &self.label
        };
        format!("{}-{}-1", self.country, label).to_uppercase()
    }
}

/// WordPress/WooCommerce options that the REST API exposes or obeys.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// Site title.
    pub store_name: String,
    /// Tagline.
    pub description: String,
    /// `timezone_string`.
    pub timezone: chrono_tz::Tz,
    /// Currency code.
    pub currency: String,
    /// `left`, `right`, `left_space` or `right_space`.
    pub currency_position: String,
    /// Thousands separator for HTML prices.
    pub thousand_separator: String,
    /// Decimal separator for HTML prices.
    pub decimal_separator: String,
    /// Number of decimals for money.
    pub decimals: u32,
    /// "Enable stock management".
    pub manage_stock: bool,
    /// "Out of stock threshold".
    pub out_of_stock_threshold: i64,
    /// Whether taxes are calculated.
    pub calc_taxes: bool,
    /// The standard tax rate.
    pub tax: TaxRate,
    /// Maximum number of items per batch request.
    pub batch_limit: usize,
    /// WooCommerce version string.
    pub woocommerce_version: String,
    /// WordPress version string.
    pub wp_version: String,
}

impl StoreSettings {
    /// Settings like the recorded store's, for the given currency.
    pub fn new(currency: &str, timezone: chrono_tz::Tz) -> Self {
        let euro_style = currency == "EUR";
        StoreSettings {
            store_name: "Acceptance Store".to_owned(),
            description: String::new(),
            timezone,
            currency: currency.to_owned(),
            currency_position: if euro_style { "right_space" } else { "left" }.to_owned(),
            thousand_separator: if euro_style { "." } else { "," }.to_owned(),
            decimal_separator: if euro_style { "," } else { "." }.to_owned(),
            decimals: 2,
            manage_stock: true,
            out_of_stock_threshold: 0,
            calc_taxes: true,
            tax: TaxRate {
                id: 1,
                percent: Decimal::from(19),
                label: "MwSt.".to_owned(),
                country: "DE".to_owned(),
                shipping: true,
            },
            batch_limit: 100,
            woocommerce_version: "8.9.1".to_owned(),
            wp_version: "6.5.3".to_owned(),
        }
    }

    /// The plain currency symbol (orders' `currency_symbol`).
    pub fn currency_symbol(&self) -> String {
        match self.currency.as_str() {
            "EUR" => "€",
            "USD" | "AUD" | "CAD" | "NZD" => "$",
            "GBP" => "£",
            "JPY" => "¥",
            "CHF" => "CHF",
            other => other,
        }
        .to_owned()
    }

    /// The symbol as WooCommerce writes it into HTML (`&euro;`).
    pub fn currency_symbol_html(&self) -> String {
        match self.currency.as_str() {
            "EUR" => "&euro;",
            "USD" | "AUD" | "CAD" | "NZD" => "&#36;",
            "GBP" => "&pound;",
            "JPY" => "&yen;",
            "CHF" => "&#67;&#72;&#70;",
            other => other,
        }
        .to_owned()
    }
}

/// The store's clock: the system clock, optionally frozen or shifted by tests.
///
/// Every save stamps `date_modified` from this clock, at whole seconds like WordPress.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    frozen: Option<DateTime<Utc>>,
    offset: Duration,
}

impl Clock {
    /// The current store time, truncated to whole seconds.
    pub fn now(&self) -> DateTime<Utc> {
        let base = self.frozen.unwrap_or_else(Utc::now) + self.offset;
        base.duration_trunc(Duration::seconds(1)).unwrap_or(base)
    }

    /// Stops the clock at `at`.
    pub fn freeze_at(&mut self, at: DateTime<Utc>) {
        self.frozen = Some(at);
        self.offset = Duration::zero();
    }

    /// Moves the clock forward (or back) by `by`.
    pub fn advance(&mut self, by: Duration) {
        self.offset += by;
    }

    /// Back to the system clock.
    pub fn reset(&mut self) {
        self.frozen = None;
        self.offset = Duration::zero();
    }
}
