//! No overselling: the quantity published online leaves out what web orders already took.
//!
//! WooCommerce lowers its own stock when an order is placed, but QBM only knows of the sale once
//! the order is imported. Publishing QBM's figure in between would hand those units back to the
//! shop and let them be sold twice. So:
//!
//! * published = QBM quantity − units on store orders that are Processing or On hold and not yet
//!   imported into QBM, in whole units (rounded down) and never below 0;
//! * the units of an order line are what WooCommerce took from stock for it (the line's
//!   `_reduced_stock`, which drops to 0 when the stock is given back, e.g. on a refund with
//!   restock); a line without that record counts its whole quantity, so in doubt less is
//!   published, never more;
//! * a line counts against the stock it was taken from: its variation when the variation keeps
//!   its own stock; the parent product when the variations share the parent's stock ("parent
//!   pool"); the product itself for simple products. Lines of products that are not pushed are
//!   ignored.
//!
//! The arithmetic is kept as text for the result rows and the log:
//! "QBM 12 − 2 on web order #1042 not yet imported = 10".

#![warn(missing_docs)]

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;

use crate::sync::orders::OrderStatus;
use crate::sync::orders::preflight::order_number;
use crate::sync::stock::{MAX_STORE_QUANTITY, store_quantity};
use crate::woo::model as woo;

/// Orders listed by number in the text before the rest are counted.
const ORDERS_SHOWN: usize = 3;

/// Stock a web order took and QBM does not know about yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpenLine {
    /// The WooCommerce order id.
    pub order_id: u64,
    /// The order number the shop owner knows.
    pub order_number: String,
    /// The product id (the parent for variations).
    pub product_id: u64,
    /// The variation id; 0 for simple products.
    pub variation_id: u64,
    /// Units taken from the store's stock.
    pub units: Decimal,
}

/// Whether WooCommerce has already taken an order's units from its stock without QBM knowing.
fn holds_stock(order: &woo::Order) -> bool {
    matches!(
        OrderStatus::of(order),
        OrderStatus::Processing | OrderStatus::OnHold
    )
}

fn reduced_stock(line: &woo::LineItem) -> Option<Decimal> {
    line.meta_data
        .iter()
        .find(|m| m.key == "_reduced_stock")
        .and_then(|m| match &m.value {
            serde_json::Value::String(text) => Decimal::from_str_exact(text.trim()).ok(),
            serde_json::Value::Number(number) => Decimal::from_str_exact(&number.to_string()).ok(),
            _ => None,
        })
}

/// The open lines of store orders: Processing or On hold, not among `imported` (WooCommerce
/// order ids already imported into QBM).
pub fn open_lines<'a>(
    orders: impl IntoIterator<Item = &'a woo::Order>,
    imported: &HashSet<u64>,
) -> Vec<OpenLine> {
    let mut lines = Vec::new();
    for order in orders {
        if !holds_stock(order) || imported.contains(&order.id) {
            continue;
        }
        for line in &order.line_items {
            let units = reduced_stock(line).unwrap_or(line.quantity);
            if line.product_id == 0 || units <= Decimal::ZERO {
                continue;
            }
            lines.push(OpenLine {
                order_id: order.id,
                order_number: order_number(order),
                product_id: line.product_id,
                variation_id: line.variation_id,
                units,
            });
        }
    }
    lines
}

/// Units one order holds of one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// The WooCommerce order id.
    pub order_id: u64,
    /// The order number.
    pub order_number: String,
    /// Units.
    pub units: Decimal,
}

/// The quantity to publish for one store product, variation or parent pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// QBM's quantity for it.
    pub qbm: Decimal,
    /// Orders holding units of it, by order id.
    pub holds: Vec<Hold>,
    /// The whole units to publish.
    pub quantity: i64,
}

impl Published {
    /// Units held by open web orders.
    pub fn held(&self) -> Decimal {
        self.holds.iter().map(|h| h.units).sum()
    }

    /// The arithmetic for the result row and the log.
    pub fn explanation(&self) -> String {
        let qbm = self.qbm.normalize();
        if self.holds.is_empty() {
            return if Decimal::from(self.quantity) == qbm {
                format!("QBM {qbm}")
            } else {
                format!("QBM {qbm} = {} (whole units, never below 0)", self.quantity)
            };
        }
        let mut listed: Vec<String> = self
            .holds
            .iter()
            .take(ORDERS_SHOWN)
            .map(|h| {
                let number = h.order_number.trim_start_matches('#');
                if self.holds.len() == 1 {
                    format!("#{number}")
                } else {
                    format!("#{number} ({})", h.units.normalize())
                }
            })
            .collect();
        let more = self.holds.len().saturating_sub(ORDERS_SHOWN);
        if more > 0 {
            listed.push(format!("{more} more"));
        }
        let orders = match listed.as_slice() {
            [one] => format!("web order {one}"),
            [init @ .., last] => format!("web orders {} and {last}", init.join(", ")),
            [] => String::new(),
        };
        let exact = self.qbm - self.held();
        let note = if Decimal::from(self.quantity) == exact {
            ""
        } else if exact < Decimal::ZERO {
            " (never below 0)"
        } else {
            " (whole units)"
        };
        format!(
            "QBM {qbm} − {} on {orders} not yet imported = {}{note}",
            self.held().normalize(),
            self.quantity
        )
    }
}

/// The target a line's units were taken from, if it is one of `targets`. A variation's units
/// come from the variation when it keeps its own stock, and from its parent only when it shares
/// the parent's stock (`shares_parent`): a variation with stock of its own that is not among the
/// targets of this run must not lower its parent's figure.
fn target_of(
    line: &OpenLine,
    targets: &HashMap<u64, Decimal>,
    shares_parent: &HashSet<u64>,
) -> Option<u64> {
    if line.variation_id > 0 {
        if targets.contains_key(&line.variation_id) {
            return Some(line.variation_id);
        }
        return (shares_parent.contains(&line.variation_id)
            && targets.contains_key(&line.product_id))
        .then_some(line.product_id);
    }
    targets
        .contains_key(&line.product_id)
        .then_some(line.product_id)
}

/// The quantities to publish. `qbm` has QBM's quantity per target (a simple product's id, a
/// variation's id when it keeps its own stock, a parent's id when its variations share its
/// stock); `shares_parent` lists the variations whose stock is their parent's (from the store's
/// catalog); `lines` are the open lines ([`open_lines`]).
pub fn published_quantities(
    qbm: &HashMap<u64, Decimal>,
    lines: &[OpenLine],
    shares_parent: &HashSet<u64>,
) -> BTreeMap<u64, Published> {
    let mut held: HashMap<u64, BTreeMap<u64, Hold>> = HashMap::new();
    for line in lines {
        let Some(target) = target_of(line, qbm, shares_parent) else {
            continue;
        };
        held.entry(target)
            .or_default()
            .entry(line.order_id)
            .or_insert_with(|| Hold {
                order_id: line.order_id,
                order_number: line.order_number.clone(),
                units: Decimal::ZERO,
            })
            .units += line.units;
    }
    qbm.iter()
        .map(|(target, quantity)| {
            let holds: Vec<Hold> = held
                .remove(target)
                .map(|by_order| by_order.into_values().collect())
                .unwrap_or_default();
            let taken: Decimal = holds.iter().map(|h| h.units).sum();
            let published = Published {
                qbm: *quantity,
                // Quantities beyond what the store holds were refused before this point (the
                // engine reports them per item), so the cap is never what gets published.
                quantity: store_quantity(*quantity - taken).unwrap_or(MAX_STORE_QUANTITY),
                holds,
            };
            (*target, published)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::orders::fixtures;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn open(order: u64, product: u64, variation: u64, units: &str) -> OpenLine {
        OpenLine {
            order_id: order,
            order_number: order.to_string(),
            product_id: product,
            variation_id: variation,
            units: dec(units),
        }
    }

    #[test]
    fn published_quantity_and_its_arithmetic() {
        // (QBM quantity, open lines against target 10, published, text)
        let cases: Vec<(&str, Vec<OpenLine>, i64, &str)> = vec![
            ("12", vec![], 12, "QBM 12"),
            (
                "12",
                vec![open(1042, 10, 0, "2")],
                10,
                "QBM 12 − 2 on web order #1042 not yet imported = 10",
            ),
            (
                "12",
                vec![
                    open(1042, 10, 0, "2"),
                    open(1043, 10, 0, "3"),
                    open(1042, 10, 0, "1"),
                ],
                6,
                "QBM 12 − 6 on web orders #1042 (3) and #1043 (3) not yet imported = 6",
            ),
            (
                "20",
                vec![
                    open(1, 10, 0, "1"),
                    open(2, 10, 0, "1"),
                    open(3, 10, 0, "1"),
                    open(4, 10, 0, "1"),
                    open(5, 10, 0, "2"),
                ],
                14,
                "QBM 20 − 6 on web orders #1 (1), #2 (1), #3 (1) and 2 more not yet imported = 14",
            ),
            (
                "1",
                vec![open(1042, 10, 0, "3")],
                0,
                "QBM 1 − 3 on web order #1042 not yet imported = 0 (never below 0)",
            ),
            (
                "7.5",
                vec![open(1042, 10, 0, "2")],
                5,
                "QBM 7.5 − 2 on web order #1042 not yet imported = 5 (whole units)",
            ),
            ("-3", vec![], 0, "QBM -3 = 0 (whole units, never below 0)"),
            ("4.9", vec![], 4, "QBM 4.9 = 4 (whole units, never below 0)"),
            // Lines of other products do not count.
            ("12", vec![open(1042, 11, 0, "2")], 12, "QBM 12"),
        ];
        for (quantity, lines, expected, text) in cases {
            let qbm = HashMap::from([(10, dec(quantity))]);
            let published = published_quantities(&qbm, &lines, &HashSet::new());
            assert_eq!(published[&10].quantity, expected, "{text}");
            assert_eq!(published[&10].explanation(), text);
        }
    }

    #[test]
    fn lines_count_against_the_stock_they_came_from() {
        // Product 20 is a parent pool; variation 21 keeps its own stock, 22 shares the pool;
        // product 30 is a variable product whose variations keep their own stock.
        let qbm = HashMap::from([
            (20, dec("10")),
            (21, dec("5")),
            (30, dec("9")),
            (31, dec("4")),
        ]);
        let shares_parent = HashSet::from([22]);
        let lines = vec![
            open(1, 20, 21, "1"),
            open(1, 20, 22, "2"),
            open(2, 20, 22, "1"),
            // A variation of a product that is not a pool and is not pushed itself: ignored.
            open(2, 30, 32, "4"),
            open(3, 30, 31, "1"),
        ];
        let published = published_quantities(&qbm, &lines, &shares_parent);
        let quantities: Vec<(u64, i64)> =
            published.iter().map(|(id, p)| (*id, p.quantity)).collect();
        assert_eq!(quantities, [(20, 7), (21, 4), (30, 9), (31, 3)]);
        // A run that publishes only the pool: the units of variation 21, which keeps its own
        // stock, still do not come off the pool.
        let pool_only = HashMap::from([(20, dec("10"))]);
        let published = published_quantities(&pool_only, &lines, &shares_parent);
        assert_eq!(published[&20].quantity, 7);
        assert_eq!(
            published[&20].explanation(),
            "QBM 10 − 3 on web orders #1 (2) and #2 (1) not yet imported = 7"
        );
    }

    #[test]
    fn the_recorded_store() {
        // All fixture orders as the store lists them: 1040 processing, 1042 on-hold, others
        // pending, cancelled, completed or refunded.
        let mut orders: Vec<woo::Order> = fixtures::list("GET-orders-page1.json");
        orders.extend(fixtures::list::<woo::Order>("GET-orders-page2.json"));
        let lines = open_lines(&orders, &HashSet::new());
        assert_eq!(
            lines,
            [
                open(1042, 1036, 1038, "2"),
                open(1040, 1029, 0, "2"),
                open(1040, 1036, 1037, "1"),
            ]
        );
        // QBM's figures equal the store's before the orders: mug 25, S/Red 5, the T-shirt
        // pool 10 (M/Blue shares it).
        let qbm = HashMap::from([(1029, dec("25")), (1037, dec("5")), (1036, dec("10"))]);
        let published = published_quantities(&qbm, &lines, &HashSet::from([1038]));
        let texts: Vec<String> = published.values().map(Published::explanation).collect();
        assert_eq!(
            texts,
            [
                "QBM 25 − 2 on web order #1040 not yet imported = 23",
                "QBM 10 − 2 on web order #1042 not yet imported = 8",
                "QBM 5 − 1 on web order #1040 not yet imported = 4",
            ]
        );
        // Once 1040 is imported, QBM's own quantity carries the sale and nothing is held.
        let lines = open_lines(&orders, &HashSet::from([1040]));
        assert!(lines.iter().all(|l| l.order_id == 1042));
    }

    #[test]
    fn given_back_stock_is_not_held() {
        let mut order: woo::Order = fixtures::one("GET-orders-refunded.json");
        // A refunded order that went back to processing keeps `_reduced_stock` "0".
        order.status = "processing".into();
        assert_eq!(open_lines([&order], &HashSet::new()), []);
        // Without the record the whole quantity counts.
        order.line_items[0].meta_data.clear();
        assert_eq!(
            open_lines([&order], &HashSet::new()),
            [open(1045, 1029, 0, "2")]
        );
    }

    proptest::proptest! {
        /// Never negative, never more than QBM has, and exactly QBM less what the orders hold.
        #[test]
        fn published_is_bounded(
            qbm in -50i64..500,
            units in proptest::collection::vec(1i64..20, 0..8),
        ) {
            let lines: Vec<OpenLine> = units
                .iter()
                .enumerate()
                .map(|(i, u)| open(i as u64 + 1, 10, 0, &u.to_string()))
                .collect();
            let qbm_quantities = HashMap::from([(10, Decimal::from(qbm))]);
            let published = &published_quantities(&qbm_quantities, &lines, &HashSet::new())[&10];
            let held: i64 = units.iter().sum();
            proptest::prop_assert!(published.quantity >= 0);
            proptest::prop_assert!(published.quantity <= qbm.max(0));
            proptest::prop_assert_eq!(published.quantity, (qbm - held).max(0));
            let text = published.explanation();
            if units.is_empty() && qbm >= 0 {
                proptest::prop_assert_eq!(text, format!("QBM {qbm}"));
            } else {
                let shown = format!("= {}", published.quantity);
                proptest::prop_assert!(text.contains(&shown), "{}", text);
            }
        }
    }
}
