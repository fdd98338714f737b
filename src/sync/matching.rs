//! Which WooCommerce product or variation belongs to which QBM item: by SKU first, then — when
//! "Match by lookup code when SKU is not found" is on — by the QBM lookup code compared with the
//! store's SKUs. Pure: no I/O.
//!
//! Store SKUs are compared trimmed and ignoring case, as WooCommerce's database does. A variation
//! that only shows its parent's SKU has no SKU of its own and is never matched by it. When several
//! store items carry the same SKU the match is ambiguous and reported, not guessed.

use std::collections::HashMap;

use crate::host_port::Item;
use crate::sync::catalog::WooItem;

/// How a match was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    Sku,
    LookupCode,
}

impl MatchedBy {
    pub fn label(self) -> &'static str {
        match self {
            MatchedBy::Sku => "SKU",
            MatchedBy::LookupCode => "lookup code",
        }
    }
}

/// The outcome of matching one QBM item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemMatch {
    /// Exactly one store item.
    Found { woo_id: u64, by: MatchedBy },
    /// Several store items share the code; nothing is chosen.
    Ambiguous { code: String, woo_ids: Vec<u64> },
    /// Nothing in the store; `tried` lists the codes compared.
    Missing { tried: Vec<String> },
}

/// The key under which SKUs are compared.
pub fn sku_key(sku: &str) -> String {
    sku.trim().to_lowercase()
}

/// An index of store items by their own SKU.
pub struct SkuIndex<'a> {
    by_sku: HashMap<String, Vec<&'a WooItem>>,
}

impl<'a> SkuIndex<'a> {
    pub fn new(items: impl IntoIterator<Item = &'a WooItem>) -> Self {
        let mut by_sku: HashMap<String, Vec<&'a WooItem>> = HashMap::new();
        for item in items {
            if let Some(sku) = item.sku.as_deref().filter(|s| !s.trim().is_empty()) {
                let entry = by_sku.entry(sku_key(sku)).or_default();
                if !entry.iter().any(|known| known.id == item.id) {
                    entry.push(item);
                }
            }
        }
        Self { by_sku }
    }

    pub fn lookup(&self, code: &str) -> &[&'a WooItem] {
        self.by_sku.get(&sku_key(code)).map_or(&[], Vec::as_slice)
    }

    fn resolve(&self, code: &str, by: MatchedBy) -> Option<ItemMatch> {
        match self.lookup(code) {
            [] => None,
            [one] => Some(ItemMatch::Found { woo_id: one.id, by }),
            many => Some(ItemMatch::Ambiguous {
                code: code.trim().to_string(),
                woo_ids: many.iter().map(|i| i.id).collect(),
            }),
        }
    }
}

fn present(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Matches one QBM item against the index.
pub fn match_item(item: &Item, index: &SkuIndex, by_lookup_code: bool) -> ItemMatch {
    let mut tried = Vec::new();
    if let Some(sku) = present(&item.sku) {
        if let Some(found) = index.resolve(sku, MatchedBy::Sku) {
            return found;
        }
        tried.push(format!("SKU {sku}"));
    }
    if by_lookup_code && let Some(code) = present(&item.lookup_code) {
        if let Some(found) = index.resolve(code, MatchedBy::LookupCode) {
            return found;
        }
        tried.push(format!("lookup code {code}"));
    }
    ItemMatch::Missing { tried }
}

/// The codes under which a QBM item may be found in the store (to look them up there).
pub fn codes_to_look_up(item: &Item, by_lookup_code: bool) -> Vec<String> {
    let mut codes: Vec<String> = present(&item.sku).map(str::to_string).into_iter().collect();
    if by_lookup_code && let Some(code) = present(&item.lookup_code) {
        codes.push(code.to_string());
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn woo(id: u64, sku: Option<&str>) -> WooItem {
        WooItem {
            sku: sku.map(str::to_string),
            name: format!("P{id}"),
            stock_quantity: Some(1),
            ..WooItem::sample(id, None)
        }
    }

    fn qbm(sku: Option<&str>, lookup: Option<&str>) -> Item {
        Item {
            id: Some("1".into()),
            code: "C".into(),
            name: "N".into(),
            sku: sku.map(str::to_string),
            lookup_code: lookup.map(str::to_string),
            ..Item::default()
        }
    }

    #[test]
    fn sku_first_then_lookup_code_only_when_enabled() {
        let store = [woo(1, Some("FX-MUG")), woo(2, Some("LAMP"))];
        let index = SkuIndex::new(&store);
        assert_eq!(
            match_item(&qbm(Some(" fx-mug "), None), &index, false),
            ItemMatch::Found {
                woo_id: 1,
                by: MatchedBy::Sku
            }
        );
        let by_lookup = qbm(Some("QBM-LAMP"), Some("LAMP"));
        assert_eq!(
            match_item(&by_lookup, &index, true),
            ItemMatch::Found {
                woo_id: 2,
                by: MatchedBy::LookupCode
            }
        );
        assert_eq!(
            match_item(&by_lookup, &index, false),
            ItemMatch::Missing {
                tried: vec!["SKU QBM-LAMP".into()]
            }
        );
    }

    #[test]
    fn duplicate_store_skus_are_ambiguous() {
        let store = [woo(1, Some("DUP")), woo(2, Some("dup"))];
        let index = SkuIndex::new(&store);
        assert!(matches!(
            match_item(&qbm(Some("DUP"), None), &index, false),
            ItemMatch::Ambiguous { woo_ids, .. } if woo_ids == vec![1, 2]
        ));
    }

    #[test]
    fn items_without_codes_are_missing_with_nothing_tried() {
        let index = SkuIndex::new(&[]);
        assert_eq!(
            match_item(&qbm(None, None), &index, true),
            ItemMatch::Missing { tried: vec![] }
        );
        assert_eq!(
            codes_to_look_up(&qbm(Some("A"), Some("B")), true),
            ["A", "B"]
        );
        assert_eq!(codes_to_look_up(&qbm(Some("A"), Some("B")), false), ["A"]);
    }
}
