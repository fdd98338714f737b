//! Response bodies, field for field in the order and with the JSON types of the recordings.

mod customer;
mod order;
mod product;
mod refund;
mod variation;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::model::StoreSettings;

pub(crate) use customer::customer_json;
pub(crate) use order::order_json;
pub(crate) use product::product_json;
pub(crate) use refund::refund_json;
pub(crate) use variation::variation_json;

/// `view` or `edit` context, and the URL everything links to.
#[derive(Debug, Clone)]
pub(crate) struct RenderCtx {
    /// The site's home URL as the client sees it (`http(s)://127.0.0.1:PORT[/prefix]`).
    pub home: String,
    /// `context=edit` (write responses use it).
    pub edit: bool,
    /// Decimals for order money (`dp`).
    pub dp: u32,
}

impl RenderCtx {
    pub fn api(&self, route: &str) -> String {
        format!("{}/wp-json{route}", self.home)
    }
}

/// `{"href": …}`.
#[derive(Debug, Serialize)]
pub(crate) struct Href {
    pub href: String,
}

/// `_links` of an item.
#[derive(Debug, Serialize)]
pub(crate) struct Links {
    #[serde(rename = "self")]
    pub self_link: Vec<Href>,
    pub collection: Vec<Href>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<Vec<Href>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up: Option<Vec<Href>>,
}

impl Links {
    pub fn new(self_url: String, collection_url: String) -> Self {
        Links {
            self_link: vec![Href { href: self_url }],
            collection: vec![Href {
                href: collection_url,
            }],
            customer: None,
            up: None,
        }
    }
}

/// Money with exactly `dp` decimals, rounded half away from zero like PHP.
pub(crate) fn money(value: Decimal, dp: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(dp);
    rounded.to_string()
}

/// Rounds like PHP's `round()`.
pub(crate) fn round_money(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount with all its decimals and no trailing zeros (`"4.275"`, `"4.75"`).
pub(crate) fn unrounded(value: Decimal) -> String {
    value.normalize().to_string()
}

/// A JSON number: an integer when the value is whole (`5`), else a float (`11.25`).
pub(crate) fn json_number(value: Decimal) -> serde_json::Value {
    let normalized = value.normalize();
    if normalized.scale() == 0
        && let Ok(int) = i64::try_from(normalized)
    {
        return serde_json::Value::from(int);
    }
    normalized
        .to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// `wc_price()`: the amount in the store's number format inside WooCommerce's price markup.
pub(crate) fn wc_price(settings: &StoreSettings, amount: Decimal) -> String {
    let number = format_number(settings, amount);
    let symbol = format!(
        "<span class=\"woocommerce-Price-currencySymbol\">{}</span>",
        settings.currency_symbol_html()
    );
    let inner = match settings.currency_position.as_str() {
        "right_space" => format!("{number}&nbsp;{symbol}"),
        "right" => format!("{number}{symbol}"),
        "left_space" => format!("{symbol}&nbsp;{number}"),
        _ => format!("{symbol}{number}"),
    };
    format!("<span class=\"woocommerce-Price-amount amount\"><bdi>{inner}</bdi></span>")
}

/// The same amount as plain text for screen-reader strings.
fn plain_price(settings: &StoreSettings, amount: Decimal) -> String {
    let number = format_number(settings, amount);
    let symbol = settings.currency_symbol();
    match settings.currency_position.as_str() {
        "right_space" => format!("{number} {symbol}"),
        "right" => format!("{number}{symbol}"),
        "left_space" => format!("{symbol} {number}"),
        _ => format!("{symbol}{number}"),
    }
}

fn format_number(settings: &StoreSettings, amount: Decimal) -> String {
    let fixed = money(amount, settings.decimals);
    let (sign, digits) = fixed
        .strip_prefix('-')
        .map_or(("", fixed.as_str()), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push_str(&settings.thousand_separator);
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{}{frac}", settings.decimal_separator)
    }
}

/// `price_html` of a simple product or variation.
pub(crate) fn price_html(
    settings: &StoreSettings,
    price: &str,
    regular: &str,
    on_sale: bool,
) -> String {
    let Some(active) = super::model::parse_decimal(price) else {
        return String::new();
    };
    match super::model::parse_decimal(regular) {
        Some(regular) if on_sale => format!(
            "<del aria-hidden=\"true\">{}</del> <span class=\"screen-reader-text\">Original price was: {}.</span><ins aria-hidden=\"true\">{}</ins><span class=\"screen-reader-text\">Current price is: {}.</span>",
            wc_price(settings, regular),
            plain_price(settings, regular),
            wc_price(settings, active),
            plain_price(settings, active)
        ),
        _ => wc_price(settings, active),
    }
}

/// `price_html` of a variable product: the range of its variation prices.
pub(crate) fn price_range_html(settings: &StoreSettings, prices: &[Decimal]) -> String {
    match (prices.first(), prices.last()) {
        (Some(min), Some(max)) if min != max => format!(
            "{} &ndash; {}",
            wc_price(settings, *min),
            wc_price(settings, *max)
        ),
        (Some(min), _) => wc_price(settings, *min),
        _ => String::new(),
    }
}

/// `wpautop()` for the `view` context.
pub(crate) fn autop(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    let paragraphs: Vec<String> = trimmed
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", p.trim().replace('\n', "<br />\n")))
        .collect();
    format!("{}\n", paragraphs.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr as _;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(money(d("4.275"), 2), "4.28");
        assert_eq!(money(d("7.6779"), 2), "7.68");
        assert_eq!(money(d("25"), 2), "25.00");
        assert_eq!(money(d("-35.58"), 2), "-35.58");
        assert_eq!(unrounded(d("4.7500")), "4.75");
        assert_eq!(unrounded(d("3.4029")), "3.4029");
    }

    #[test]
    fn numbers_are_integers_when_whole() {
        assert_eq!(json_number(d("25.00")), serde_json::json!(25));
        assert_eq!(json_number(d("11.25")), serde_json::json!(11.25));
        assert_eq!(json_number(d("17.90")), serde_json::json!(17.9));
    }

    #[test]
    fn price_markup_matches_the_recording() {
        let settings = StoreSettings::new("EUR", chrono_tz::Europe::Berlin);
        assert_eq!(
            price_html(&settings, "12.50", "12.50", false),
            "<span class=\"woocommerce-Price-amount amount\"><bdi>12,50&nbsp;<span class=\"woocommerce-Price-currencySymbol\">&euro;</span></bdi></span>"
        );
        assert_eq!(
            price_range_html(&settings, &[d("17.90"), d("21.90")]),
            "<span class=\"woocommerce-Price-amount amount\"><bdi>17,90&nbsp;<span class=\"woocommerce-Price-currencySymbol\">&euro;</span></bdi></span> &ndash; <span class=\"woocommerce-Price-amount amount\"><bdi>21,90&nbsp;<span class=\"woocommerce-Price-currencySymbol\">&euro;</span></bdi></span>"
        );
        assert_eq!(format_number(&settings, d("1234567.5")), "1.234.567,50");
        assert_eq!(price_html(&settings, "", "", false), "");
    }

    #[test]
    fn autop_wraps_paragraphs() {
        assert_eq!(autop("Steingut, 300 ml"), "<p>Steingut, 300 ml</p>\n");
        assert_eq!(autop(""), "");
    }
}
