//! Preflight: every product line of an order must resolve to a QBM item before anything is
//! created.
//!
//! Order of resolution for one line:
//! 1. the item link of the line's variation (`variation_id` > 0) or, for a simple product, of its
//!    product — a variation is never resolved through its parent's link, which names another item;
//! 2. a product gone from the store (`product_id` 0, or a product or variation the caller knows
//!    was deleted) is "product deleted from the store";
//! 3. the line's SKU compared with QBM item SKUs (trimmed, ignoring case, as [`sku_key`]); a
//!    variation showing its parent's SKU has no SKU of its own and is reported as such;
//! 4. with "Match by lookup code when SKU is not found", the SKU compared with QBM lookup codes.
//!
//! Two QBM items with the same SKU (or lookup code) are ambiguous and reported, not guessed.

use std::collections::{HashMap, HashSet};

use crate::host_port::Item;
use crate::sync::matching::{MatchedBy, sku_key};
use crate::woo::model as woo;
use crate::woo::model::variation_has_own_sku;

/// What the caller gathered to resolve order lines.
#[derive(Debug, Clone, Default)]
pub struct ItemSources {
    /// QBM item id per store product or variation id (the item links).
    pub links: HashMap<u64, String>,
    /// The QBM items found by the lines' SKUs and, with the option on, by lookup code.
    pub qbm_items: Vec<Item>,
    /// Store products or variations known to be permanently deleted (their GET answered 404).
    pub deleted: HashSet<u64>,
    /// The SKU of each variable product, by id, so that a variation line showing it is known to
    /// have no SKU of its own.
    pub parent_skus: HashMap<u64, String>,
    /// "Match by lookup code when SKU is not found".
    pub match_lookup_code: bool,
}

/// How a line found its QBM item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolvedBy {
    /// The item link of the product or variation.
    Link,
    /// SKU or lookup code.
    Code(MatchedBy),
}

/// A product line with its QBM item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLine {
    /// The WooCommerce line id.
    pub line_id: u64,
    /// The QBM item.
    pub item_id: String,
    /// How it was found.
    pub by: ResolvedBy,
}

/// Why a line has no QBM item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingReason {
    /// The order has no product line at all (the user guide requires valid line items).
    NoProductLines,
    /// The product (or variation) no longer exists in the store.
    ProductDeleted,
    /// The product has no SKU and no link.
    NoSku,
    /// A variation showing only its parent's SKU.
    ParentSkuOnly {
        /// The parent's SKU the line shows.
        parent_sku: String,
    },
    /// No QBM item has this SKU (nor lookup code, when tried).
    NotFound {
        /// The SKU.
        sku: String,
        /// Whether lookup codes were compared too.
        tried_lookup_code: bool,
    },
    /// Several QBM items have this code.
    Ambiguous {
        /// The code.
        code: String,
        /// Which QBM field carries it.
        by: MatchedBy,
        /// The QBM items.
        item_ids: Vec<String>,
    },
}

/// A line that stops its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingLine {
    /// The WooCommerce order id.
    pub order_id: u64,
    /// The order number the shop owner knows.
    pub order_number: String,
    /// The WooCommerce line id.
    pub line_id: u64,
    /// The line's name at order time.
    pub line_name: String,
    /// The product id (0 when deleted).
    pub product_id: u64,
    /// The variation id (0 for simple products).
    pub variation_id: u64,
    /// The SKU the line shows, if any.
    pub sku: Option<String>,
    /// Why it has no QBM item.
    pub reason: MissingReason,
}

impl MissingLine {
    /// The store id shown in the list: the variation's, else the product's.
    pub fn store_id_text(&self) -> String {
        match (self.product_id, self.variation_id) {
            (0, 0) => "no product id".to_string(),
            (product, 0) => format!("product {product}"),
            (product, variation) => format!("product {product}, variation {variation}"),
        }
    }

    /// What is wrong, for the shop owner.
    pub fn reason_text(&self) -> String {
        match &self.reason {
            MissingReason::NoProductLines => "the order has no product lines".to_string(),
            MissingReason::ProductDeleted => "product deleted from the store".to_string(),
            MissingReason::NoSku => {
                "the product has no SKU in WooCommerce; give it the SKU of its QBM item".to_string()
            }
            MissingReason::ParentSkuOnly { parent_sku } => format!(
                "the variation has no SKU of its own (it shows its parent's {parent_sku}); give it the SKU of its QBM item in WooCommerce"
            ),
            MissingReason::NotFound {
                sku,
                tried_lookup_code: false,
            } => format!("no QBM item has the SKU {sku}"),
            MissingReason::NotFound {
                sku,
                tried_lookup_code: true,
            } => format!("no QBM item has the SKU or lookup code {sku}"),
            MissingReason::Ambiguous { code, by, item_ids } => format!(
                "QBM items {} all have the {} {code}; keep it on one item",
                item_ids.join(", "),
                by.label()
            ),
        }
    }

    /// One row of the missing-items list: "Order 1044: FX Auslaufartikel (no product id) —
    /// product deleted from the store".
    pub fn text(&self) -> String {
        if self.reason == MissingReason::NoProductLines {
            return format!("Order {}: {}", self.order_number, self.reason_text());
        }
        let sku = match &self.sku {
            Some(sku) if !sku.trim().is_empty() => format!(", SKU {}", sku.trim()),
            _ => String::new(),
        };
        format!(
            "Order {}: {} ({}{sku}) — {}",
            self.order_number,
            self.line_name.trim(),
            self.store_id_text(),
            self.reason_text()
        )
    }
}

/// QBM items indexed by the codes a line's SKU is compared with.
struct CodeIndex<'a> {
    by_sku: HashMap<String, Vec<&'a str>>,
    by_lookup: HashMap<String, Vec<&'a str>>,
}

impl<'a> CodeIndex<'a> {
    fn new(items: &'a [Item]) -> Self {
        let mut index = CodeIndex {
            by_sku: HashMap::new(),
            by_lookup: HashMap::new(),
        };
        for item in items {
            let Some(id) = item.id.as_deref() else {
                continue;
            };
            for (map, code) in [
                (&mut index.by_sku, item.sku.as_deref()),
                (&mut index.by_lookup, item.lookup_code.as_deref()),
            ] {
                if let Some(code) = code.filter(|c| !c.trim().is_empty()) {
                    let ids = map.entry(sku_key(code)).or_default();
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
        index
    }

    fn find(&self, code: &str, by: MatchedBy) -> &[&'a str] {
        let map = match by {
            MatchedBy::Sku => &self.by_sku,
            MatchedBy::LookupCode => &self.by_lookup,
        };
        map.get(&sku_key(code)).map_or(&[], Vec::as_slice)
    }
}

/// The store id whose item link resolves a line.
fn link_id(line: &woo::LineItem) -> u64 {
    if line.variation_id > 0 {
        line.variation_id
    } else {
        line.product_id
    }
}

fn is_deleted(line: &woo::LineItem, sources: &ItemSources) -> bool {
    line.product_id == 0
        || sources.deleted.contains(&line.product_id)
        || (line.variation_id > 0 && sources.deleted.contains(&line.variation_id))
}

fn line_sku(line: &woo::LineItem) -> Option<&str> {
    line.sku.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn resolve_line(
    line: &woo::LineItem,
    sources: &ItemSources,
    index: &CodeIndex,
) -> Result<ResolvedLine, MissingReason> {
    let resolved = |item_id: &str, by| ResolvedLine {
        line_id: line.id,
        item_id: item_id.to_string(),
        by,
    };
    let id = link_id(line);
    if id > 0
        && let Some(item_id) = sources.links.get(&id)
    {
        return Ok(resolved(item_id, ResolvedBy::Link));
    }
    if is_deleted(line, sources) {
        return Err(MissingReason::ProductDeleted);
    }
    let Some(sku) = line_sku(line) else {
        return Err(MissingReason::NoSku);
    };
    if line.variation_id > 0
        && let Some(parent_sku) = sources.parent_skus.get(&line.product_id)
        && !variation_has_own_sku(sku, parent_sku)
    {
        return Err(MissingReason::ParentSkuOnly {
            parent_sku: parent_sku.trim().to_string(),
        });
    }
    let mut order = vec![MatchedBy::Sku];
    if sources.match_lookup_code {
        order.push(MatchedBy::LookupCode);
    }
    for by in order {
        match index.find(sku, by) {
            [] => continue,
            [one] => return Ok(resolved(one, ResolvedBy::Code(by))),
            many => {
                return Err(MissingReason::Ambiguous {
                    code: sku.to_string(),
                    by,
                    item_ids: many.iter().map(|id| id.to_string()).collect(),
                });
            }
        }
    }
    Err(MissingReason::NotFound {
        sku: sku.to_string(),
        tried_lookup_code: sources.match_lookup_code,
    })
}

/// Resolves every product line of an order: all of them, or the list of every line that has no
/// QBM item.
pub fn resolve_lines(
    order: &woo::Order,
    sources: &ItemSources,
) -> Result<Vec<ResolvedLine>, Vec<MissingLine>> {
    if order.line_items.is_empty() {
        return Err(vec![MissingLine {
            order_id: order.id,
            order_number: order_number(order),
            line_id: 0,
            line_name: String::new(),
            product_id: 0,
            variation_id: 0,
            sku: None,
            reason: MissingReason::NoProductLines,
        }]);
    }
    let index = CodeIndex::new(&sources.qbm_items);
    let mut resolved = Vec::with_capacity(order.line_items.len());
    let mut missing = Vec::new();
    for line in &order.line_items {
        match resolve_line(line, sources, &index) {
            Ok(found) => resolved.push(found),
            Err(reason) => missing.push(MissingLine {
                order_id: order.id,
                order_number: order_number(order),
                line_id: line.id,
                line_name: line.name.clone(),
                product_id: line.product_id,
                variation_id: line.variation_id,
                sku: line.sku.clone(),
                reason,
            }),
        }
    }
    if missing.is_empty() {
        Ok(resolved)
    } else {
        Err(missing)
    }
}

/// The number the shop owner knows the order by (its id when the store sent no number).
pub fn order_number(order: &woo::Order) -> String {
    let number = order.number.trim();
    if number.is_empty() {
        order.id.to_string()
    } else {
        number.to_string()
    }
}

/// The SKUs to look up among QBM items (by SKU, and by lookup code when that option is on):
/// those of lines that no link resolves, once each, in order of appearance.
pub fn codes_to_find<'a>(
    orders: impl IntoIterator<Item = &'a woo::Order>,
    links: &HashMap<u64, String>,
) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut codes = Vec::new();
    for order in orders {
        for line in &order.line_items {
            let id = link_id(line);
            if id > 0 && links.contains_key(&id) {
                continue;
            }
            if let Some(sku) = line_sku(line)
                && seen.insert(sku_key(sku))
            {
                codes.push(sku.to_string());
            }
        }
    }
    codes
}

/// The store ids whose item links resolve the orders' lines (variation ids for variations,
/// product ids otherwise), once each.
pub fn link_ids_to_find<'a>(orders: impl IntoIterator<Item = &'a woo::Order>) -> Vec<u64> {
    let mut seen: HashSet<u64> = HashSet::new();
    orders
        .into_iter()
        .flat_map(|order| order.line_items.iter().map(link_id))
        .filter(|id| *id > 0 && seen.insert(*id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: u64, product: u64, variation: u64, sku: Option<&str>) -> woo::LineItem {
        woo::LineItem {
            id,
            name: format!("Line {id}"),
            product_id: product,
            variation_id: variation,
            quantity: 1.into(),
            sku: sku.map(str::to_string),
            ..woo::LineItem::default()
        }
    }

    fn qbm(id: &str, sku: Option<&str>, lookup: Option<&str>) -> Item {
        Item {
            id: Some(id.into()),
            code: id.into(),
            name: id.into(),
            sku: sku.map(str::to_string),
            lookup_code: lookup.map(str::to_string),
            ..Item::default()
        }
    }

    fn sources(lookup: bool) -> ItemSources {
        ItemSources {
            links: HashMap::from([(1029, "Q-MUG".to_string()), (1037, "Q-TS-S".to_string())]),
            qbm_items: vec![
                qbm("Q-POSTER", Some("fx-poster"), None),
                qbm("Q-LAMP", Some("QBM-LAMP"), Some("LAMP")),
                qbm("Q-DUP1", Some("DUP"), None),
                qbm("Q-DUP2", Some(" dup "), None),
                qbm("Q-PARENT", Some("FX-TSHIRT"), None),
                qbm("Q-M-BLUE", Some("FX-TSHIRT-M-BLUE"), None),
            ],
            deleted: HashSet::from([1050]),
            parent_skus: HashMap::from([(1036, "FX-TSHIRT".to_string())]),
            match_lookup_code: lookup,
        }
    }

    fn outcome(
        line: &woo::LineItem,
        sources: &ItemSources,
    ) -> Result<(String, ResolvedBy), MissingReason> {
        let index = CodeIndex::new(&sources.qbm_items);
        resolve_line(line, sources, &index).map(|r| (r.item_id, r.by))
    }

    #[test]
    fn every_resolution_rule_in_order() {
        let by_sku = ResolvedBy::Code(MatchedBy::Sku);
        let by_lookup = ResolvedBy::Code(MatchedBy::LookupCode);
        let found = |id: &str, by| Ok((id.to_string(), by));
        // (line, lookup option, expected)
        let cases = [
            // A link wins over a SKU that would find another item.
            (
                line(1, 1029, 0, Some("FX-POSTER")),
                false,
                found("Q-MUG", ResolvedBy::Link),
            ),
            // A variation's own link.
            (
                line(2, 1036, 1037, Some("FX-TSHIRT-S-RED")),
                false,
                found("Q-TS-S", ResolvedBy::Link),
            ),
            // A variation without a link is not resolved through its parent's product link.
            (
                line(3, 1029, 1099, Some("FX-POSTER")),
                false,
                found("Q-POSTER", by_sku),
            ),
            // SKU compared trimmed and ignoring case.
            (
                line(4, 1031, 0, Some(" FX-POSTER ")),
                false,
                found("Q-POSTER", by_sku),
            ),
            (
                line(5, 1036, 1038, Some("FX-TSHIRT-M-BLUE")),
                false,
                found("Q-M-BLUE", by_sku),
            ),
            // Lookup code only when the option is on.
            (
                line(6, 1060, 0, Some("LAMP")),
                true,
                found("Q-LAMP", by_lookup),
            ),
            (
                line(7, 1060, 0, Some("LAMP")),
                false,
                Err(MissingReason::NotFound {
                    sku: "LAMP".into(),
                    tried_lookup_code: false,
                }),
            ),
            (
                line(8, 1061, 0, Some("NOPE")),
                true,
                Err(MissingReason::NotFound {
                    sku: "NOPE".into(),
                    tried_lookup_code: true,
                }),
            ),
            // Deleted: product id 0 (as the store reports it), or known deleted.
            (
                line(9, 0, 0, None),
                false,
                Err(MissingReason::ProductDeleted),
            ),
            (
                line(10, 1050, 0, Some("FX-POSTER")),
                false,
                Err(MissingReason::ProductDeleted),
            ),
            (
                line(11, 1036, 1050, Some("FX-POSTER")),
                false,
                Err(MissingReason::ProductDeleted),
            ),
            // No SKU at all.
            (
                line(12, 1062, 0, Some("  ")),
                false,
                Err(MissingReason::NoSku),
            ),
            (line(13, 1062, 0, None), false, Err(MissingReason::NoSku)),
            // The variation shows its parent's SKU: never matched to the parent's item.
            (
                line(14, 1036, 1039, Some("FX-TSHIRT")),
                false,
                Err(MissingReason::ParentSkuOnly {
                    parent_sku: "FX-TSHIRT".into(),
                }),
            ),
            // Two QBM items share the SKU.
            (
                line(15, 1063, 0, Some("dup")),
                false,
                Err(MissingReason::Ambiguous {
                    code: "dup".into(),
                    by: MatchedBy::Sku,
                    item_ids: vec!["Q-DUP1".into(), "Q-DUP2".into()],
                }),
            ),
        ];
        for (line, lookup, expected) in cases {
            assert_eq!(
                outcome(&line, &sources(lookup)),
                expected,
                "line {}",
                line.id
            );
        }
    }

    #[test]
    fn every_missing_line_of_an_order_is_listed() {
        let order = woo::Order {
            id: 2001,
            number: "WC-2001".into(),
            line_items: vec![
                line(1, 1029, 0, Some("FX-MUG")),
                line(2, 0, 0, None),
                line(3, 1070, 0, Some("GONE")),
            ],
            ..woo::Order::default()
        };
        let missing = resolve_lines(&order, &sources(false)).unwrap_err();
        let texts: Vec<String> = missing.iter().map(MissingLine::text).collect();
        assert_eq!(
            texts,
            [
                "Order WC-2001: Line 2 (no product id) — product deleted from the store",
                "Order WC-2001: Line 3 (product 1070, SKU GONE) — no QBM item has the SKU GONE",
            ]
        );
        assert_eq!(missing[1].order_id, 2001);
    }

    #[test]
    fn what_to_look_up() {
        let orders = [
            woo::Order {
                line_items: vec![
                    line(1, 1029, 0, Some("FX-MUG")),
                    line(2, 1031, 0, Some("FX-POSTER")),
                    line(3, 1036, 1038, Some("FX-TSHIRT-M-BLUE")),
                ],
                ..woo::Order::default()
            },
            woo::Order {
                line_items: vec![line(4, 1031, 0, Some("fx-poster")), line(5, 0, 0, None)],
                ..woo::Order::default()
            },
        ];
        let links = HashMap::from([(1029, "Q-MUG".to_string())]);
        assert_eq!(
            codes_to_find(&orders, &links),
            ["FX-POSTER", "FX-TSHIRT-M-BLUE"]
        );
        assert_eq!(link_ids_to_find(&orders), [1029, 1031, 1038]);
    }
}
