//! The quantity published online and the stock writes that publish it.
//!
//! Online quantity = on-hand in the primary location, or the sum over the selected locations when
//! several are used; fractions are rounded down (the store counts whole units) and a negative
//! QBM quantity (oversold) is published as 0.
//!
//! Where the store manages stock:
//! * a product or a variation with its own stock gets the item's quantity;
//! * a variation whose stock is managed by its parent changes the parent's shared quantity. That
//!   pool gets the quantity of the QBM item matched to the parent product itself when there is
//!   one, otherwise the sum over the QBM items matched to the parent's variations (computed by the
//!   caller, who can see all of them).
//!
//! Items whose store stock already equals the quantity are left alone.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::host_port::StockLevel;
use crate::sync::catalog::{StockMode, WooItem};

/// The largest quantity the plugin publishes: WooCommerce keeps stock as a PHP integer, but its
/// admin screens, its lookup tables and most extensions expect a 32-bit number.
pub const MAX_STORE_QUANTITY: i64 = i32::MAX as i64;

/// A QBM quantity the store cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "QBM reports {on_hand} on hand, more than the store can hold ({MAX_STORE_QUANTITY}); check the item's stock in QBM"
)]
pub struct QuantityError {
    pub on_hand: Decimal,
}

/// Whole units for the store: rounded down, never negative, never beyond
/// [`MAX_STORE_QUANTITY`].
pub fn store_quantity(on_hand: Decimal) -> Result<i64, QuantityError> {
    on_hand
        .floor()
        .max(Decimal::ZERO)
        .to_i64()
        .filter(|q| *q <= MAX_STORE_QUANTITY)
        .ok_or(QuantityError { on_hand })
}

/// On-hand per item, summed over the given levels (all of which belong to the chosen locations).
pub fn quantities_by_item(levels: &[StockLevel]) -> HashMap<String, Decimal> {
    let mut sums: HashMap<String, Decimal> = HashMap::new();
    for level in levels {
        *sums.entry(level.item_id.clone()).or_default() += level.on_hand;
    }
    sums
}

/// One write the plan asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StockWrite {
    /// A product (simple, or a variable parent) with its own stock.
    Product { id: u64, quantity: i64 },
    /// A variation with its own stock.
    Variation {
        parent_id: u64,
        id: u64,
        quantity: i64,
    },
}

/// What happens to one QBM item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StockLine {
    /// A write is planned (`via_parent`: the quantity goes to the parent's shared stock).
    Write {
        woo_id: u64,
        quantity: i64,
        via_parent: Option<u64>,
    },
    /// The store already shows this quantity.
    Unchanged { woo_id: u64, quantity: i64 },
    /// Not pushed, with the reason.
    Skipped { woo_id: u64, reason: String },
}

/// The writes for a set of matched items and what each item's line says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StockPlan {
    pub writes: Vec<StockWrite>,
    /// Per QBM item id.
    pub lines: BTreeMap<String, StockLine>,
}

impl StockPlan {
    /// Product writes, in order.
    pub fn product_writes(&self) -> Vec<(u64, i64)> {
        self.writes
            .iter()
            .filter_map(|w| match w {
                StockWrite::Product { id, quantity } => Some((*id, *quantity)),
                StockWrite::Variation { .. } => None,
            })
            .collect()
    }

    /// Variation writes grouped by parent (one batch endpoint per parent).
    pub fn variation_writes(&self) -> BTreeMap<u64, Vec<(u64, i64)>> {
        let mut groups: BTreeMap<u64, Vec<(u64, i64)>> = BTreeMap::new();
        for write in &self.writes {
            if let StockWrite::Variation {
                parent_id,
                id,
                quantity,
            } = write
            {
                groups.entry(*parent_id).or_default().push((*id, *quantity));
            }
        }
        groups
    }
}

/// Plans the stock writes.
///
/// * `targets`: (QBM item id, quantity, matched store item);
/// * `parents`: the parent products of matched variations, by id;
/// * `pools`: the shared quantity to give each parent whose stock its variations share.
pub fn plan(
    targets: &[(String, i64, &WooItem)],
    parents: &HashMap<u64, WooItem>,
    pools: &HashMap<u64, i64>,
) -> StockPlan {
    let mut plan = StockPlan::default();
    let mut written_parents: HashMap<u64, i64> = HashMap::new();
    for (qbm_id, quantity, woo) in targets {
        let line = match (woo.stock, woo.parent_id) {
            (StockMode::Unmanaged, _) => StockLine::Skipped {
                woo_id: woo.id,
                reason: "the store does not manage stock for this item (turn on \"Manage stock?\" in WooCommerce to publish quantities)".into(),
            },
            (StockMode::Own, _) if woo.stock_quantity == Some(*quantity) => StockLine::Unchanged {
                woo_id: woo.id,
                quantity: *quantity,
            },
            (StockMode::Own, None) => {
                plan.writes.push(StockWrite::Product { id: woo.id, quantity: *quantity });
                StockLine::Write { woo_id: woo.id, quantity: *quantity, via_parent: None }
            }
            (StockMode::Own, Some(parent_id)) => {
                plan.writes.push(StockWrite::Variation { parent_id, id: woo.id, quantity: *quantity });
                StockLine::Write { woo_id: woo.id, quantity: *quantity, via_parent: None }
            }
            (StockMode::Parent, None) => StockLine::Skipped {
                woo_id: woo.id,
                reason: "the store says the stock is managed by a parent product but names none".into(),
            },
            (StockMode::Parent, Some(parent_id)) => {
                let pooled = pools.get(&parent_id).copied().unwrap_or(*quantity);
                let parent_stock = parents.get(&parent_id).and_then(|p| p.stock_quantity);
                if parent_stock == Some(pooled) || written_parents.get(&parent_id) == Some(&pooled) {
                    StockLine::Unchanged { woo_id: woo.id, quantity: pooled }
                } else {
                    if written_parents.insert(parent_id, pooled).is_none() {
                        plan.writes.push(StockWrite::Product { id: parent_id, quantity: pooled });
                    }
                    StockLine::Write { woo_id: woo.id, quantity: pooled, via_parent: Some(parent_id) }
                }
            }
        };
        plan.lines.insert(qbm_id.clone(), line);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn item(id: u64, parent: Option<u64>, stock: StockMode, quantity: Option<i64>) -> WooItem {
        WooItem {
            stock,
            stock_quantity: quantity,
            ..WooItem::sample(id, parent)
        }
    }

    #[test]
    fn quantities_round_down_and_never_go_negative() {
        assert_eq!(store_quantity(dec("7.9")), Ok(7));
        assert_eq!(store_quantity(dec("-3")), Ok(0));
        assert!(store_quantity(dec("99999999999999999999999")).is_err());
        assert!(store_quantity(dec("2147483648")).is_err());
        let levels = vec![
            StockLevel {
                item_id: "1".into(),
                location_id: "A".into(),
                on_hand: dec("2.5"),
            },
            StockLevel {
                item_id: "1".into(),
                location_id: "B".into(),
                on_hand: dec("3"),
            },
        ];
        assert_eq!(quantities_by_item(&levels)["1"], dec("5.5"));
    }

    #[test]
    fn writes_go_to_products_variations_and_parent_pools() {
        let simple = item(10, None, StockMode::Own, Some(1));
        let own_variation = item(21, Some(20), StockMode::Own, Some(0));
        let pooled_a = item(22, Some(20), StockMode::Parent, Some(9));
        let pooled_b = item(23, Some(20), StockMode::Parent, Some(9));
        let unmanaged = item(30, None, StockMode::Unmanaged, None);
        let unchanged = item(40, None, StockMode::Own, Some(5));
        let parents = HashMap::from([(20, item(20, None, StockMode::Own, Some(9)))]);
        let pools = HashMap::from([(20, 7)]);
        let targets = vec![
            ("q10".to_string(), 4, &simple),
            ("q21".to_string(), 2, &own_variation),
            ("q22".to_string(), 3, &pooled_a),
            ("q23".to_string(), 4, &pooled_b),
            ("q30".to_string(), 8, &unmanaged),
            ("q40".to_string(), 5, &unchanged),
        ];
        let plan = plan(&targets, &parents, &pools);
        assert_eq!(
            plan.product_writes(),
            vec![(10, 4), (20, 7)],
            "the pool is written once"
        );
        assert_eq!(plan.variation_writes()[&20], vec![(21, 2)]);
        assert_eq!(
            plan.lines["q22"],
            StockLine::Write {
                woo_id: 22,
                quantity: 7,
                via_parent: Some(20)
            }
        );
        assert!(matches!(plan.lines["q30"], StockLine::Skipped { .. }));
        assert_eq!(
            plan.lines["q40"],
            StockLine::Unchanged {
                woo_id: 40,
                quantity: 5
            }
        );
    }
}
