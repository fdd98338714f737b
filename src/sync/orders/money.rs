//! The QBM order's lines and money, built from a WooCommerce order whose product lines resolved.
//!
//! Rules:
//! * Every amount is an exact decimal as the store sent it; nothing goes through floating point.
//! * A product line carries the quantity, its **net amount after coupons** (`total`, not
//!   `subtotal`: coupons are already spread over the lines by WooCommerce, whatever their type)
//!   and its tax (`total_tax`). Because `total / quantity` may not divide exactly (10.00 / 3),
//!   each line carries its exact `net_amount` and the host books that amount; the unit price is
//!   for display: exact when it has at most 4 decimals, otherwise rounded to 4 decimals, half away
//!   from zero, and never shown with fewer than 2.
//! * Each shipping line becomes one line of the "Shipping item", each fee line one line of the
//!   "Fee item" (quantity 1, the fee may be negative), described by the method or fee name. Lines
//!   with no amount and no tax (free shipping) are left out and named in the notes. An order that
//!   has a shipping or fee amount but no item chosen for it is not created.
//! * Tax: each line carries the store's rounded tax of that line. A store that rounds tax per
//!   order ("Round tax at subtotal level") may show an order tax that differs from the sum of the
//!   rounded line taxes by a cent per line at most; that difference goes onto the lines with the
//!   largest tax, one cent each, so the order matches what the customer paid, and the order's
//!   warnings say so.
//! * The lines must add up to the store's order total (`total`, which includes tax and is not
//!   reduced by refunds) to the cent: Σ (net amount + tax) = total. Otherwise the order is not
//!   created and the difference is reported with its likely cause.
//! * Notes: the WooCommerce order number and its link in WooCommerce admin, the payment method,
//!   the coupon codes with their discounts, free shipping methods, and the customer's note.

use rust_decimal::{Decimal, RoundingStrategy};

use chrono::{DateTime, Utc};

use super::OrderStatus;
use super::preflight::{ResolvedLine, order_number};
use crate::host_port::{Order, OrderLine};
use crate::woo::model as woo;

/// Decimals a unit price is rounded to when it does not divide exactly.
const UNIT_PRICE_DECIMALS: u32 = 4;

/// The service items the options name for shipping and fees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceItems {
    /// "Shipping item": the QBM item for shipping lines.
    pub shipping: Option<String>,
    /// "Fee item": the QBM item for fee lines.
    pub fee: Option<String>,
}

/// Where the shop's admin is, to link each order from its notes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreLinks {
    /// The store's home URL (`https://shop.example`).
    pub store_url: String,
    /// The store keeps orders in WooCommerce's own tables (HPOS, `system_status` →
    /// `settings.HPOS_enabled`), which changes the admin URL of an order.
    pub hpos: bool,
}

/// The WooCommerce admin page of an order.
pub fn order_admin_url(links: &StoreLinks, order_id: u64) -> String {
    let base = links.store_url.trim().trim_end_matches('/');
    if links.hpos {
        format!("{base}/wp-admin/admin.php?page=wc-orders&action=edit&id={order_id}")
    } else {
        format!("{base}/wp-admin/post.php?post={order_id}&action=edit")
    }
}

/// What a planned line comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineSource {
    /// A product line (`line_items`).
    Product {
        /// The WooCommerce line id.
        line_id: u64,
    },
    /// A shipping line.
    Shipping {
        /// The WooCommerce line id.
        line_id: u64,
    },
    /// A fee line.
    Fee {
        /// The WooCommerce line id.
        line_id: u64,
    },
}

/// A line of the QBM order to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    /// Where it comes from.
    pub source: LineSource,
    /// The QBM item.
    pub item_id: String,
    /// The text of the line (product, shipping method or fee name at order time).
    pub description: String,
    /// Quantity.
    pub quantity: Decimal,
    /// Net unit price for display (see the module rules); the booked amount is `net_amount`.
    pub unit_price: Decimal,
    /// The exact net amount of the line, after coupons.
    pub net_amount: Decimal,
    /// The line's tax.
    pub tax: Decimal,
}

impl PlannedLine {
    /// Net amount plus tax.
    pub fn gross(&self) -> Decimal {
        self.net_amount + self.tax
    }

    /// The shared record's line; the host posts `net_amount` as the line amount.
    pub fn to_host(&self) -> OrderLine {
        OrderLine {
            item_id: self.item_id.clone(),
            description: self.description.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            tax: self.tax,
            net_amount: Some(self.net_amount),
        }
    }
}

/// The QBM customer order to create for one WooCommerce order (without its customer and
/// location, which the caller adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOrder {
    /// The WooCommerce order id: the order's identity and the key of its link.
    pub woo_order_id: u64,
    /// The WooCommerce order number: the QBM order's reference.
    pub reference: String,
    /// When the order was placed (`date_created_gmt`).
    pub date: DateTime<Utc>,
    /// The status it had when imported.
    pub status: OrderStatus,
    /// ISO currency.
    pub currency: String,
    /// The lines, product lines first, then shipping, then fees.
    pub lines: Vec<PlannedLine>,
    /// The store's order total, equal to Σ (net amount + tax) of the lines.
    pub total: Decimal,
    /// The order's notes.
    pub notes: String,
    /// Things the log should mention (tax rounding moved, refunds already made …).
    pub warnings: Vec<String>,
}

impl PlannedOrder {
    /// Σ net amounts.
    #[cfg(test)]
    pub fn net_total(&self) -> Decimal {
        self.lines.iter().map(|l| l.net_amount).sum()
    }

    /// Σ taxes.
    #[cfg(test)]
    pub fn tax_total(&self) -> Decimal {
        self.lines.iter().map(|l| l.tax).sum()
    }

    /// The shared record to send to the host.
    pub fn to_host(&self, customer_id: &str, location_id: &str) -> Order {
        Order {
            id: None,
            number: None,
            customer_id: customer_id.to_string(),
            location_id: location_id.to_string(),
            date: self.date,
            reference: self.reference.clone(),
            currency: self.currency.clone(),
            lines: self.lines.iter().map(PlannedLine::to_host).collect(),
            total: self.total,
            notes: self.notes.clone(),
        }
    }
}

/// Why an order's money cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyProblem {
    /// The order has shipping but no "Shipping item" is chosen.
    NoShippingItem {
        /// Shipping net plus tax.
        amount: Decimal,
    },
    /// The order has fees but no "Fee item" is chosen.
    NoFeeItem {
        /// Fees net plus tax.
        amount: Decimal,
    },
    /// A product line was not resolved (the caller skipped the preflight).
    UnresolvedLine {
        /// The WooCommerce line id.
        line_id: u64,
    },
    /// The store sent no creation date.
    NoDate,
    /// The lines do not add up to the order total.
    Unreconciled {
        /// The store's order total.
        expected: Decimal,
        /// What the lines add up to.
        produced: Decimal,
        /// `expected − produced`.
        difference: Decimal,
        /// What it most likely is.
        likely: String,
    },
}

impl MoneyProblem {
    /// The reason shown for the order.
    pub fn reason(&self, currency: &str) -> String {
        match self {
            MoneyProblem::NoShippingItem { amount } => format!(
                "the order has shipping ({amount} {currency}) but no \"Shipping item\" is chosen: choose a QBM service item in Options → WooCommerce → Orders"
            ),
            MoneyProblem::NoFeeItem { amount } => format!(
                "the order has fees ({amount} {currency}) but no \"Fee item\" is chosen: choose a QBM service item in Options → WooCommerce → Orders"
            ),
            MoneyProblem::UnresolvedLine { line_id } => {
                format!("line {line_id} has no QBM item")
            }
            MoneyProblem::NoDate => "the store sent no creation date for the order".to_string(),
            MoneyProblem::Unreconciled {
                expected,
                produced,
                difference,
                likely,
            } => format!(
                "not imported: the lines come to {produced} {currency} but the order total in WooCommerce is {expected} {currency} (difference {difference} {currency}); {likely}"
            ),
        }
    }
}

/// The display unit price of a line (see the module rules).
pub fn unit_price(net_amount: Decimal, quantity: Decimal) -> Decimal {
    let mut price = if quantity.is_zero() {
        Decimal::ZERO
    } else {
        net_amount / quantity
    }
    .round_dp_with_strategy(UNIT_PRICE_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
    .normalize();
    if price.scale() < 2 {
        price.rescale(2);
    }
    price
}

fn is_nothing(net: Decimal, tax: Decimal) -> bool {
    net.is_zero() && tax.is_zero()
}

/// Builds the QBM order for a WooCommerce order whose product lines are all resolved.
pub fn plan_order(
    order: &woo::Order,
    resolved: &[ResolvedLine],
    items: &ServiceItems,
    store: &StoreLinks,
) -> Result<PlannedOrder, MoneyProblem> {
    let date = order.date_created_gmt.ok_or(MoneyProblem::NoDate)?;
    let mut lines = Vec::new();
    let mut free_shipping = Vec::new();
    for line in &order.line_items {
        let item = resolved
            .iter()
            .find(|r| r.line_id == line.id)
            .ok_or(MoneyProblem::UnresolvedLine { line_id: line.id })?;
        lines.push(PlannedLine {
            source: LineSource::Product { line_id: line.id },
            item_id: item.item_id.clone(),
            description: line.name.trim().to_string(),
            quantity: line.quantity,
            unit_price: unit_price(line.total, line.quantity),
            net_amount: line.total,
            tax: line.total_tax,
        });
    }
    let charged_shipping: Vec<&woo::ShippingLine> = order
        .shipping_lines
        .iter()
        .filter(|s| {
            let nothing = is_nothing(s.total, s.total_tax);
            if nothing {
                free_shipping.push(s.method_title.trim().to_string());
            }
            !nothing
        })
        .collect();
    if !charged_shipping.is_empty() {
        let Some(item_id) = &items.shipping else {
            return Err(MoneyProblem::NoShippingItem {
                amount: charged_shipping.iter().map(|s| s.total + s.total_tax).sum(),
            });
        };
        for shipping in charged_shipping {
            lines.push(service_line(
                LineSource::Shipping {
                    line_id: shipping.id,
                },
                item_id,
                &shipping.method_title,
                "Shipping",
                shipping.total,
                shipping.total_tax,
            ));
        }
    }
    let charged_fees: Vec<&woo::FeeLine> = order
        .fee_lines
        .iter()
        .filter(|f| !is_nothing(f.total, f.total_tax))
        .collect();
    if !charged_fees.is_empty() {
        let Some(item_id) = &items.fee else {
            return Err(MoneyProblem::NoFeeItem {
                amount: charged_fees.iter().map(|f| f.total + f.total_tax).sum(),
            });
        };
        for fee in charged_fees {
            lines.push(service_line(
                LineSource::Fee { line_id: fee.id },
                item_id,
                &fee.name,
                "Fee",
                fee.total,
                fee.total_tax,
            ));
        }
    }
    let mut warnings = Vec::new();
    if let Some(moved) = settle_tax_rounding(order, &mut lines) {
        warnings.push(moved);
    }
    let refunded: Decimal = order.refunds.iter().map(|r| -r.total).sum();
    if !refunded.is_zero() {
        warnings.push(format!(
            "{refunded} {} of this order was already refunded in WooCommerce before the import; QBM gets the order as placed",
            order.currency
        ));
    }
    let produced: Decimal = lines.iter().map(PlannedLine::gross).sum();
    if produced != order.total {
        return Err(MoneyProblem::Unreconciled {
            expected: order.total,
            produced,
            difference: order.total - produced,
            likely: likely_cause(order, &lines),
        });
    }
    Ok(PlannedOrder {
        woo_order_id: order.id,
        reference: order_number(order),
        date,
        status: OrderStatus::of(order),
        currency: order.currency.clone(),
        lines,
        total: order.total,
        notes: notes(order, store, &free_shipping),
        warnings,
    })
}

fn service_line(
    source: LineSource,
    item_id: &str,
    name: &str,
    fallback_name: &str,
    net: Decimal,
    tax: Decimal,
) -> PlannedLine {
    let name = name.trim();
    PlannedLine {
        source,
        item_id: item_id.to_string(),
        description: if name.is_empty() { fallback_name } else { name }.to_string(),
        quantity: Decimal::ONE,
        unit_price: unit_price(net, Decimal::ONE),
        net_amount: net,
        tax,
    }
}

/// Moves the store's per-order tax rounding onto the lines (see the module rules); returns the
/// warning when it did.
fn settle_tax_rounding(order: &woo::Order, lines: &mut [PlannedLine]) -> Option<String> {
    let net: Decimal = lines.iter().map(|l| l.net_amount).sum();
    let tax: Decimal = lines.iter().map(|l| l.tax).sum();
    let gap = order.total_tax - tax;
    let cent = Decimal::new(1, 2);
    let taxed = lines.iter().filter(|l| !l.tax.is_zero()).count();
    // Only a rounding gap qualifies: the order's own tax total explains its total exactly, and
    // the gap is at most a cent per taxed line.
    if gap.is_zero()
        || net + order.total_tax != order.total
        || gap.abs() > cent * Decimal::from(taxed)
    {
        return None;
    }
    let mut by_size: Vec<usize> = (0..lines.len())
        .filter(|i| !lines[*i].tax.is_zero())
        .collect();
    by_size.sort_by(|a, b| lines[*b].tax.abs().cmp(&lines[*a].tax.abs()).then(a.cmp(b)));
    let step = if gap.is_sign_positive() { cent } else { -cent };
    let mut left = gap;
    let mut touched = Vec::new();
    for index in by_size {
        if left.is_zero() {
            break;
        }
        // A gap with more decimals than cents: the last step takes what is left.
        let part = if left.abs() < cent { left } else { step };
        lines[index].tax += part;
        left -= part;
        touched.push(lines[index].description.clone());
    }
    Some(format!(
        "WooCommerce rounded the tax per order: {gap} {} moved onto the tax of {} so the order matches the store's total",
        order.currency,
        touched.join(", ")
    ))
}

fn likely_cause(order: &woo::Order, lines: &[PlannedLine]) -> String {
    let net: Decimal = lines.iter().map(|l| l.net_amount).sum();
    let tax: Decimal = lines.iter().map(|l| l.tax).sum();
    let difference = order.total - net - tax;
    if net + order.total_tax == order.total {
        return format!(
            "the order's tax total is {} but its lines carry {tax}: the store has tax that is on no line",
            order.total_tax
        );
    }
    let discount = order.discount_total + order.discount_tax;
    if !discount.is_zero() && difference == -discount {
        return "it equals the order's discount: a coupon or discount was applied outside the line totals (likely by a plugin)".to_string();
    }
    let shipping = order.shipping_total + order.shipping_tax;
    if order.shipping_lines.is_empty() && !shipping.is_zero() && difference == shipping {
        return "it equals the order's shipping total, but the order has no shipping line"
            .to_string();
    }
    "the difference is on no product, shipping or fee line: a line type this import does not handle (for example a gift card or store credit added by a plugin)".to_string()
}

fn notes(order: &woo::Order, store: &StoreLinks, free_shipping: &[String]) -> String {
    let mut notes = vec![format!(
        "WooCommerce order {}: {}",
        order_number(order),
        order_admin_url(store, order.id)
    )];
    let payment = order.payment_method_title.trim();
    let payment = if payment.is_empty() {
        order.payment_method.trim()
    } else {
        payment
    };
    if !payment.is_empty() {
        notes.push(format!("Payment: {payment}"));
    }
    let coupons: Vec<String> = order
        .coupon_lines
        .iter()
        .filter(|c| !c.code.trim().is_empty())
        .map(|c| {
            if c.discount.is_zero() {
                c.code.trim().to_string()
            } else {
                format!("{} −{} excl. tax", c.code.trim(), c.discount)
            }
        })
        .collect();
    if !coupons.is_empty() {
        notes.push(format!(
            "Coupons (already in the line amounts): {}",
            coupons.join(", ")
        ));
    }
    let free: Vec<&str> = free_shipping
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if !free.is_empty() {
        notes.push(format!("Shipping: {} (free)", free.join(", ")));
    }
    let customer_note = order.customer_note.trim();
    if !customer_note.is_empty() {
        notes.push(format!("Customer note: {customer_note}"));
    }
    notes.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn unit_prices_are_exact_or_rounded_to_four_decimals() {
        // (net amount, quantity, unit price shown)
        let cases = [
            ("22.50", "2", "11.25"),
            ("15.00", "3", "5.00"),
            ("10.00", "3", "3.3333"),
            ("20.00", "3", "6.6667"),
            ("-10.00", "3", "-3.3333"),
            ("-20.00", "3", "-6.6667"),
            ("0.01", "3", "0.0033"),
            ("0.00005", "1", "0.0001"),
            ("1", "8", "0.125"),
            ("17.91", "1", "17.91"),
            ("5", "1", "5.00"),
            ("7.50", "2.5", "3.00"),
            ("12.00", "0", "0.00"),
        ];
        for (net, quantity, expected) in cases {
            let price = unit_price(dec(net), dec(quantity));
            assert_eq!(price.to_string(), expected, "{net} / {quantity}");
        }
    }

    /// Order 1040 as recorded, with lines resolved.
    fn recorded() -> (woo::Order, Vec<ResolvedLine>) {
        let order: woo::Order =
            crate::sync::orders::fixtures::one("GET-orders-registered-coupon-shipping-tax.json");
        let resolved = order
            .line_items
            .iter()
            .map(|l| ResolvedLine {
                line_id: l.id,
                item_id: format!("Q-{}", l.id),
                by: crate::sync::orders::preflight::ResolvedBy::Link,
            })
            .collect();
        (order, resolved)
    }

    fn items() -> ServiceItems {
        ServiceItems {
            shipping: Some("Q-SHIP".into()),
            fee: Some("Q-FEE".into()),
        }
    }

    #[test]
    fn tax_rounded_per_order_moves_onto_the_largest_taxes() {
        // (order tax, order total, line taxes after, warning)
        let cases = [
            // The store rounded 7.6779 + 0.931 per order to 8.60: one cent less than the lines.
            ("8.60", "53.91", ["4.27", "3.40", "0.93"], true),
            // Three cents more on three taxed lines: one each.
            ("8.64", "53.95", ["4.29", "3.41", "0.94"], true),
            // As recorded: nothing to move.
            ("8.61", "53.92", ["4.28", "3.40", "0.93"], false),
        ];
        for (tax, total, taxes, warned) in cases {
            let (mut order, resolved) = recorded();
            order.total_tax = dec(tax);
            order.total = dec(total);
            let planned = plan_order(&order, &resolved, &items(), &StoreLinks::default()).unwrap();
            let got: Vec<String> = planned.lines.iter().map(|l| l.tax.to_string()).collect();
            assert_eq!(got, taxes, "order tax {tax}");
            assert_eq!(planned.tax_total(), dec(tax));
            assert_eq!(
                planned
                    .warnings
                    .iter()
                    .any(|w| w.contains("rounded the tax per order")),
                warned
            );
        }
    }

    #[test]
    fn an_order_that_does_not_add_up_is_explained() {
        // (change to the recorded order, difference, likely cause)
        type Change = fn(&mut woo::Order);
        let cases: [(Change, &str, &str); 4] = [
            (
                |o| o.total -= dec("10.00"),
                "-10.00",
                "a line type this import does not handle",
            ),
            (
                |o| {
                    o.total_tax += dec("0.50");
                    o.total += dec("0.50");
                },
                "0.50",
                "the store has tax that is on no line",
            ),
            (
                |o| o.total -= dec("5.34"),
                "-5.34",
                "it equals the order's discount",
            ),
            (
                |o| {
                    o.shipping_lines.clear();
                },
                "5.83",
                "it equals the order's shipping total, but the order has no shipping line",
            ),
        ];
        for (change, difference, likely) in cases {
            let (mut order, resolved) = recorded();
            change(&mut order);
            let problem =
                plan_order(&order, &resolved, &items(), &StoreLinks::default()).unwrap_err();
            let MoneyProblem::Unreconciled {
                difference: got,
                likely: why,
                expected,
                produced,
            } = &problem
            else {
                panic!("{problem:?}")
            };
            assert_eq!(*got, dec(difference));
            assert_eq!(*expected - *produced, *got);
            assert!(why.contains(likely), "{why}");
            assert!(
                problem
                    .reason("EUR")
                    .starts_with("not imported: the lines come to ")
            );
        }
    }

    #[test]
    fn free_shipping_and_empty_fees_make_no_line() {
        let (mut order, resolved) = recorded();
        order.shipping_lines[0].method_title = "Kostenloser Versand".into();
        order.shipping_lines[0].total = Decimal::ZERO;
        order.shipping_lines[0].total_tax = Decimal::ZERO;
        order.fee_lines.push(woo::FeeLine {
            id: 99,
            name: "Nothing".into(),
            ..woo::FeeLine::default()
        });
        order.total -= dec("5.83");
        order.total_tax -= dec("0.93");
        let planned = plan_order(
            &order,
            &resolved,
            &ServiceItems::default(),
            &StoreLinks::default(),
        )
        .unwrap();
        assert_eq!(planned.lines.len(), 2);
        assert!(
            planned
                .notes
                .contains("Shipping: Kostenloser Versand (free)")
        );
    }

    #[test]
    fn negative_fees_are_lines_too() {
        let (mut order, resolved) = recorded();
        order.fee_lines.push(woo::FeeLine {
            id: 99,
            name: "Treuerabatt".into(),
            total: dec("-5.00"),
            total_tax: dec("-0.95"),
            ..woo::FeeLine::default()
        });
        order.total -= dec("5.95");
        order.total_tax -= dec("0.95");
        let planned = plan_order(&order, &resolved, &items(), &StoreLinks::default()).unwrap();
        let fee = planned.lines.last().unwrap();
        assert_eq!(
            (
                fee.item_id.as_str(),
                fee.unit_price,
                fee.net_amount,
                fee.tax
            ),
            ("Q-FEE", dec("-5.00"), dec("-5.00"), dec("-0.95"))
        );
        assert_eq!(planned.total, dec("47.97"));
    }

    #[test]
    fn refunds_before_import_are_mentioned_and_a_missing_date_stops() {
        let (mut order, resolved) = recorded();
        order.refunds.push(woo::OrderRefundRef {
            id: 1,
            reason: String::new(),
            total: dec("-10.00"),
        });
        let planned = plan_order(&order, &resolved, &items(), &StoreLinks::default()).unwrap();
        assert_eq!(
            planned.warnings,
            [
                "10.00 EUR of this order was already refunded in WooCommerce before the import; QBM gets the order as placed"
            ]
        );
        assert_eq!(planned.total, dec("53.92"), "the order as placed");
        order.date_created_gmt = None;
        assert_eq!(
            plan_order(&order, &resolved, &items(), &StoreLinks::default()),
            Err(MoneyProblem::NoDate)
        );
        assert_eq!(
            plan_order(&order, &resolved[..1], &items(), &StoreLinks::default()),
            Err(MoneyProblem::NoDate),
            "the date is checked first"
        );
    }

    #[test]
    fn admin_urls() {
        let hpos = StoreLinks {
            store_url: "https://shop.example/".into(),
            hpos: true,
        };
        assert_eq!(
            order_admin_url(&hpos, 1040),
            "https://shop.example/wp-admin/admin.php?page=wc-orders&action=edit&id=1040"
        );
        let posts = StoreLinks {
            store_url: "https://shop.example".into(),
            hpos: false,
        };
        assert_eq!(
            order_admin_url(&posts, 17),
            "https://shop.example/wp-admin/post.php?post=17&action=edit"
        );
    }

    proptest::proptest! {
        /// The shown unit price is within half a unit of its 4th decimal of the exact one, so
        /// quantity × unit price misses the booked net amount by less than quantity × 0.00005.
        #[test]
        fn unit_prices_stay_close(cents in -100_000_000i64..100_000_000, quantity in 1i64..1000) {
            let net = Decimal::new(cents, 2);
            let quantity = Decimal::from(quantity);
            let price = unit_price(net, quantity);
            proptest::prop_assert!((2..=4).contains(&price.scale()));
            let gap = (price * quantity - net).abs();
            proptest::prop_assert!(gap <= quantity * Decimal::new(5, 5), "{net} / {quantity} → {price}");
        }
    }
}
