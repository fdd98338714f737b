//! What Create / Update sends for selected QBM items: an update of the matched product or
//! variation (name, SKU, regular price, stock management and quantity), or a new simple product
//! when nothing matches. Pure: the caller has matched the items and read the quantities.
//!
//! Rules:
//! * an item without a SKU is matched by lookup code when that is on, but is never created: a
//!   product without a SKU could not be matched again;
//! * an ambiguous match (several store items with one SKU) is skipped;
//! * variable parents keep their prices (prices live on the variations); variations keep their
//!   names (WooCommerce derives them from the attributes);
//! * inventory items publish their quantity when locations are configured; a variation whose
//!   stock its parent manages keeps doing so, and the quantity goes to the parent (see
//!   [`super::stock`]); other item types leave the store's stock settings alone;
//! * only fields that differ from what the store shows are sent; an item with nothing to change
//!   is reported unchanged and costs no request.

use std::collections::{BTreeMap, HashMap};

use crate::host_port::{Item, ItemType};
use crate::sync::catalog::{StockMode, WooItem};
use crate::sync::matching::ItemMatch;
use crate::sync::names::ProductType;
use crate::woo::{ProductWrite, VariationWrite};

/// Writes for a selection, each tagged with the QBM item id it comes from.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ExportPlan {
    pub creates: Vec<(String, ProductWrite)>,
    pub product_updates: Vec<(String, ProductWrite)>,
    /// Per variable product: its variation updates.
    pub variation_updates: BTreeMap<u64, Vec<(String, VariationWrite)>>,
    /// Parent stock pools written because of parent-managed variations: (parent id, quantity,
    /// QBM item ids whose lines mention it).
    pub pool_updates: Vec<(u64, i64, Vec<String>)>,
    /// Items not sent, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Matched items whose store record already shows every value: (QBM id, store id).
    pub unchanged: Vec<(String, u64)>,
}

impl ExportPlan {
    /// Number of write requests at the given batch limit.
    #[cfg(test)]
    pub fn write_requests(&self, batch_limit: usize) -> usize {
        let limit = batch_limit.max(1);
        let products = self.creates.len() + self.product_updates.len() + self.pool_updates.len();
        products.div_ceil(limit)
            + self
                .variation_updates
                .values()
                .map(|updates| updates.len().div_ceil(limit))
                .sum::<usize>()
    }
}

fn sku_of(item: &Item) -> Option<String> {
    item.sku
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Plans the writes. `quantities` holds the online quantity of each inventory item when stock
/// locations are configured; `pools` the shared quantity of parents whose variations share stock.
pub fn plan(
    selected: &[Item],
    matches: &HashMap<String, ItemMatch>,
    store: &HashMap<u64, WooItem>,
    quantities: &HashMap<String, i64>,
    pools: &HashMap<u64, i64>,
) -> ExportPlan {
    let mut plan = plan_writes(selected, matches, store, quantities, pools);
    keep_differences(&mut plan, store);
    plan
}

/// Leaves only the fields that differ from the store in each update; updates left empty become
/// "unchanged".
fn keep_differences(plan: &mut ExportPlan, store: &HashMap<u64, WooItem>) {
    let stock_same = |woo: &WooItem, manage: Option<bool>, quantity: Option<i64>| {
        let managed_same = manage.is_none_or(|m| m == (woo.stock == StockMode::Own));
        let quantity_same = quantity.is_none_or(|q| woo.stock_quantity == Some(q));
        managed_same && quantity_same
    };
    let mut unchanged = Vec::new();
    plan.product_updates.retain_mut(|(qbm, write)| {
        let Some(woo) = write.id.and_then(|id| store.get(&id)) else {
            return true;
        };
        if write.name.as_deref() == Some(woo.name.trim()) {
            write.name = None;
        }
        if write.sku.is_some() && write.sku == woo.sku {
            write.sku = None;
        }
        if write.regular_price.is_some() && write.regular_price == woo.regular_price {
            write.regular_price = None;
        }
        if stock_same(woo, write.manage_stock, write.stock_quantity) {
            write.manage_stock = None;
            write.stock_quantity = None;
        }
        let empty = write.name.is_none()
            && write.sku.is_none()
            && write.regular_price.is_none()
            && write.manage_stock.is_none()
            && write.stock_quantity.is_none();
        if empty {
            unchanged.push((qbm.clone(), woo.id));
        }
        !empty
    });
    for updates in plan.variation_updates.values_mut() {
        updates.retain_mut(|(qbm, write)| {
            let Some(woo) = write.id.and_then(|id| store.get(&id)) else {
                return true;
            };
            if write.sku.is_some() && write.sku == woo.sku {
                write.sku = None;
            }
            if write.regular_price.is_some() && write.regular_price == woo.regular_price {
                write.regular_price = None;
            }
            if stock_same(woo, write.manage_stock, write.stock_quantity) {
                write.manage_stock = None;
                write.stock_quantity = None;
            }
            let empty = write.sku.is_none()
                && write.regular_price.is_none()
                && write.manage_stock.is_none()
                && write.stock_quantity.is_none();
            if empty {
                unchanged.push((qbm.clone(), woo.id));
            }
            !empty
        });
    }
    plan.variation_updates
        .retain(|_, updates| !updates.is_empty());
    plan.unchanged = unchanged;
}

fn plan_writes(
    selected: &[Item],
    matches: &HashMap<String, ItemMatch>,
    store: &HashMap<u64, WooItem>,
    quantities: &HashMap<String, i64>,
    pools: &HashMap<u64, i64>,
) -> ExportPlan {
    let mut plan = ExportPlan::default();
    let mut pool_lines: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for item in selected {
        let id = item.id.clone().unwrap_or_default();
        let quantity = (item.item_type == ItemType::Inventory)
            .then(|| quantities.get(&id).copied())
            .flatten();
        match matches.get(&id) {
            Some(ItemMatch::Ambiguous { code, woo_ids }) => plan.skipped.push((
                id,
                format!(
                    "several store items have the code {code} ({}); make the SKUs unique in WooCommerce",
                    woo_ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                ),
            )),
            Some(ItemMatch::Found { woo_id, .. }) => {
                let Some(woo) = store.get(woo_id) else {
                    plan.skipped.push((id, format!("store item {woo_id} could not be read")));
                    continue;
                };
                match woo.parent_id {
                    Some(parent) => {
                        let mut write = VariationWrite {
                            id: Some(woo.id),
                            sku: sku_of(item),
                            regular_price: item.price,
                            ..VariationWrite::default()
                        };
                        match (woo.stock, quantity) {
                            (StockMode::Parent, Some(_)) => {
                                pool_lines.entry(parent).or_default().push(id.clone());
                            }
                            (_, Some(quantity)) => {
                                write.manage_stock = Some(true);
                                write.stock_quantity = Some(quantity);
                            }
                            (_, None) => {}
                        }
                        plan.variation_updates.entry(parent).or_default().push((id, write));
                    }
                    None => {
                        let mut write = ProductWrite {
                            id: Some(woo.id),
                            name: Some(item.name.trim().to_string()),
                            sku: sku_of(item),
                            ..ProductWrite::default()
                        };
                        if woo.kind != ProductType::Variable {
                            write.regular_price = item.price;
                        }
                        if let Some(quantity) = quantity {
                            write.manage_stock = Some(true);
                            write.stock_quantity = Some(quantity);
                        }
                        plan.product_updates.push((id, write));
                    }
                }
            }
            Some(ItemMatch::Missing { .. }) | None => match sku_of(item) {
                None => plan.skipped.push((
                    id,
                    "the item has no SKU; give it one so QBM and WooCommerce can match it".to_string(),
                )),
                Some(sku) => {
                    let mut write = ProductWrite {
                        name: Some(item.name.trim().to_string()),
                        product_type: Some("simple".to_string()),
                        status: Some("publish".to_string()),
                        sku: Some(sku),
                        regular_price: item.price,
                        ..ProductWrite::default()
                    };
                    match quantity {
                        Some(quantity) => {
                            write.manage_stock = Some(true);
                            write.stock_quantity = Some(quantity);
                        }
                        None => write.manage_stock = Some(false),
                    }
                    plan.creates.push((id, write));
                }
            },
        }
    }
    let updated: HashMap<u64, usize> = plan
        .product_updates
        .iter()
        .enumerate()
        .filter_map(|(at, (_, w))| Some((w.id?, at)))
        .collect();
    for (parent, lines) in pool_lines {
        let Some(quantity) = pools.get(&parent).copied() else {
            continue;
        };
        // A parent updated as a product of its own carries the pool; no second write.
        if let Some(at) = updated.get(&parent) {
            let write = &mut plan.product_updates[*at].1;
            write.manage_stock = Some(true);
            write.stock_quantity = Some(quantity);
        } else {
            plan.pool_updates.push((parent, quantity, lines));
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::matching::MatchedBy;
    use rust_decimal::Decimal;

    fn qbm(id: &str, sku: Option<&str>, kind: ItemType) -> Item {
        Item {
            id: Some(id.into()),
            code: id.into(),
            name: format!("Item {id}"),
            sku: sku.map(str::to_string),
            price: Some(Decimal::new(1250, 2)),
            item_type: kind,
            ..Item::default()
        }
    }

    fn woo(id: u64, parent: Option<u64>, kind: &str, stock: StockMode) -> WooItem {
        WooItem {
            kind: ProductType::parse(kind),
            name: format!("W{id}"),
            stock,
            stock_quantity: Some(0),
            ..WooItem::sample(id, parent)
        }
    }

    fn found(id: u64) -> ItemMatch {
        ItemMatch::Found {
            woo_id: id,
            by: MatchedBy::Sku,
        }
    }

    #[test]
    fn updates_creates_and_skips() {
        let selected = vec![
            qbm("1", Some("S10"), ItemType::Inventory),
            qbm("2", Some("NEW"), ItemType::Inventory),
            qbm("3", None, ItemType::Inventory),
            qbm("4", Some("S21"), ItemType::Inventory),
            qbm("5", Some("GIFT"), ItemType::Service),
            qbm("6", Some("DUP"), ItemType::Inventory),
        ];
        let matches = HashMap::from([
            ("1".to_string(), found(10)),
            ("2".to_string(), ItemMatch::Missing { tried: vec![] }),
            ("3".to_string(), ItemMatch::Missing { tried: vec![] }),
            ("4".to_string(), found(21)),
            ("5".to_string(), ItemMatch::Missing { tried: vec![] }),
            (
                "6".to_string(),
                ItemMatch::Ambiguous {
                    code: "DUP".into(),
                    woo_ids: vec![7, 8],
                },
            ),
        ]);
        let store = HashMap::from([
            (10, woo(10, None, "simple", StockMode::Own)),
            (21, woo(21, Some(20), "variation", StockMode::Own)),
        ]);
        let quantities = HashMap::from([
            ("1".to_string(), 4),
            ("2".to_string(), 6),
            ("4".to_string(), 2),
        ]);
        let plan = plan(&selected, &matches, &store, &quantities, &HashMap::new());

        assert_eq!(plan.product_updates.len(), 1);
        let (_, update) = &plan.product_updates[0];
        assert_eq!(
            (update.id, update.stock_quantity, update.manage_stock),
            (Some(10), Some(4), Some(true))
        );
        assert_eq!(update.regular_price, Some(Decimal::new(1250, 2)));

        let created: Vec<_> = plan
            .creates
            .iter()
            .map(|(id, w)| (id.as_str(), w.sku.clone(), w.manage_stock))
            .collect();
        assert_eq!(
            created,
            vec![
                ("2", Some("NEW".into()), Some(true)),
                ("5", Some("GIFT".into()), Some(false))
            ]
        );
        let variation = &plan.variation_updates[&20][0].1;
        assert_eq!(
            (variation.id, variation.stock_quantity),
            (Some(21), Some(2))
        );
        let skipped: Vec<&str> = plan.skipped.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(skipped, ["3", "6"]);
        assert_eq!(plan.write_requests(100), 2);
    }

    #[test]
    fn parent_managed_variations_update_the_parent_pool_once() {
        let selected = vec![
            qbm("1", Some("S22"), ItemType::Inventory),
            qbm("2", Some("S23"), ItemType::Inventory),
        ];
        let matches = HashMap::from([("1".to_string(), found(22)), ("2".to_string(), found(23))]);
        let store = HashMap::from([
            (22, woo(22, Some(20), "variation", StockMode::Parent)),
            (23, woo(23, Some(20), "variation", StockMode::Parent)),
        ]);
        let quantities = HashMap::from([("1".to_string(), 3), ("2".to_string(), 4)]);
        let pools = HashMap::from([(20, 7)]);
        let plan = plan(&selected, &matches, &store, &quantities, &pools);
        assert_eq!(
            plan.pool_updates,
            vec![(20, 7, vec!["1".to_string(), "2".to_string()])]
        );
        assert!(
            plan.variation_updates[&20]
                .iter()
                .all(|(_, w)| w.stock_quantity.is_none())
        );
    }

    #[test]
    fn only_differences_are_sent_and_equal_items_cost_nothing() {
        let same = qbm("1", Some("S10"), ItemType::Inventory);
        let renamed = Item {
            name: "A new name".into(),
            ..qbm("2", Some("S11"), ItemType::Inventory)
        };
        let mut woo_same = woo(10, None, "simple", StockMode::Own);
        woo_same.name = "Item 1".into();
        woo_same.regular_price = Some(Decimal::new(125, 1));
        woo_same.stock_quantity = Some(4);
        let mut woo_renamed = woo(11, None, "simple", StockMode::Own);
        woo_renamed.regular_price = Some(Decimal::new(1250, 2));
        woo_renamed.stock_quantity = Some(6);
        let matches = HashMap::from([("1".to_string(), found(10)), ("2".to_string(), found(11))]);
        let store = HashMap::from([(10, woo_same), (11, woo_renamed)]);
        let quantities = HashMap::from([("1".to_string(), 4), ("2".to_string(), 6)]);
        let plan = plan(
            &[same, renamed],
            &matches,
            &store,
            &quantities,
            &HashMap::new(),
        );
        assert_eq!(plan.unchanged, vec![("1".to_string(), 10)]);
        assert_eq!(plan.product_updates.len(), 1);
        let (_, write) = &plan.product_updates[0];
        assert_eq!(write.name.as_deref(), Some("A new name"));
        assert_eq!(
            (
                write.sku.as_ref(),
                write.regular_price,
                write.stock_quantity
            ),
            (None, None, None),
            "equal fields are left out"
        );
        assert_eq!(plan.write_requests(100), 1);
    }

    #[test]
    fn a_thousand_simple_items_take_ten_write_requests() {
        let selected: Vec<Item> = (0..1000)
            .map(|i| qbm(&i.to_string(), Some(&format!("N{i}")), ItemType::Inventory))
            .collect();
        let plan = plan(
            &selected,
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
        );
        assert_eq!(plan.creates.len(), 1000);
        assert_eq!(plan.write_requests(100), 10);
    }
}
