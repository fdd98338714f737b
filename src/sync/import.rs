//! Which selected store products become QBM items, and which are skipped and why. Pure: the
//! caller reads the QBM items that could collide and the default accounts the user chose.
//!
//! Checks, in order, each with its own reason:
//! 1. duplicate within the selection (the same product, SKU or name selected twice);
//! 2. missing required fields (a name; a SKU of its own, which becomes the item code);
//! 3. a QBM item with the same SKU (or that SKU as its item code);
//! 4. a QBM item whose lookup code is that SKU (lookup-code matching would be ambiguous);
//! 5. a QBM item with the same UPC (the store's GTIN/EAN);
//! 6. a QBM item with the same name.

use std::collections::{HashMap, HashSet};

use crate::host_port::{Item, ItemAccounts, ItemType};
use crate::sync::catalog::{StockMode, WooItem};

/// The accounts chosen for imported items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultAccounts {
    pub income: String,
    pub asset: String,
    pub cogs: String,
    pub expense: Option<String>,
    pub purchase_variance: Option<String>,
}

/// QBM items a new item could collide with, keyed by the compared value (trimmed, lower case),
/// each naming the colliding item's code.
#[derive(Debug, Default, Clone)]
pub struct Existing {
    pub skus: HashMap<String, String>,
    /// QBM item id by SKU key (to repair a missing link, see [`Decision::SkuTaken`]).
    pub sku_ids: HashMap<String, String>,
    pub codes: HashMap<String, String>,
    pub lookup_codes: HashMap<String, String>,
    pub upcs: HashMap<String, String>,
    pub names: HashMap<String, String>,
}

fn key(text: &str) -> String {
    text.trim().to_lowercase()
}

impl Existing {
    /// Indexes QBM items by every value an import compares.
    pub fn from_items(items: &[Item]) -> Self {
        let mut existing = Existing::default();
        for item in items {
            let code = item.code.clone();
            let add = |map: &mut HashMap<String, String>, value: Option<&str>| {
                if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
                    map.entry(key(value)).or_insert_with(|| code.clone());
                }
            };
            add(&mut existing.skus, item.sku.as_deref());
            if let (Some(sku), Some(id)) = (
                item.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                item.id.as_deref(),
            ) {
                existing
                    .sku_ids
                    .entry(key(sku))
                    .or_insert_with(|| id.to_string());
            }
            add(&mut existing.codes, Some(&item.code));
            add(&mut existing.lookup_codes, item.lookup_code.as_deref());
            add(&mut existing.upcs, item.upc.as_deref());
            add(&mut existing.names, Some(&item.name));
        }
        existing
    }
}

/// The decision for one selected store item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Create(Box<Item>),
    Skip(String),
    /// A QBM item already has the SKU: skipped, unless that item is the one an earlier import
    /// created and could not link (the caller checks the links and repairs the link then).
    SkuTaken {
        qbm_id: String,
        reason: String,
    },
}

/// The QBM item type for a store item: counted stock makes an inventory item.
pub fn item_type(woo: &WooItem) -> ItemType {
    match woo.stock {
        StockMode::Own | StockMode::Parent => ItemType::Inventory,
        StockMode::Unmanaged if woo.is_virtual => ItemType::Service,
        StockMode::Unmanaged => ItemType::NonInventory,
    }
}

fn new_item(woo: &WooItem, sku: &str, accounts: &DefaultAccounts) -> Item {
    let kind = item_type(woo);
    let inventory = kind == ItemType::Inventory;
    Item {
        id: None,
        code: sku.to_string(),
        name: woo.name.trim().to_string(),
        sku: Some(sku.to_string()),
        lookup_code: None,
        upc: woo.barcode.clone(),
        price: woo.regular_price.or(woo.price),
        item_type: kind,
        accounts: ItemAccounts {
            income: Some(accounts.income.clone()),
            asset: inventory.then(|| accounts.asset.clone()),
            cogs: inventory.then(|| accounts.cogs.clone()),
            expense: accounts.expense.clone(),
            purchase_variance: accounts.purchase_variance.clone(),
        },
        active: true,
    }
}

/// Decides each selected store item, in selection order.
pub fn decide(
    selected: &[&WooItem],
    existing: &Existing,
    accounts: &DefaultAccounts,
) -> Vec<(u64, Decision)> {
    let mut seen_ids: HashSet<u64> = HashSet::new();
    let mut seen_skus: HashMap<String, u64> = HashMap::new();
    let mut seen_names: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::with_capacity(selected.len());
    for woo in selected {
        let decision = decide_one(
            woo,
            existing,
            accounts,
            &mut seen_ids,
            &mut seen_skus,
            &mut seen_names,
        );
        out.push((woo.id, decision));
    }
    out
}

fn decide_one(
    woo: &WooItem,
    existing: &Existing,
    accounts: &DefaultAccounts,
    seen_ids: &mut HashSet<u64>,
    seen_skus: &mut HashMap<String, u64>,
    seen_names: &mut HashMap<String, u64>,
) -> Decision {
    let skip = |reason: String| Decision::Skip(reason);
    if !seen_ids.insert(woo.id) {
        return skip("duplicate in the selection: this product was selected twice".into());
    }
    let sku = woo.sku.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let name = woo.name.trim();
    if let Some(sku) = sku
        && let Some(first) = seen_skus.get(&key(sku))
    {
        return skip(format!(
            "duplicate in the selection: store item {first} has the same SKU {sku}"
        ));
    }
    if !name.is_empty()
        && let Some(first) = seen_names.get(&key(name))
    {
        return skip(format!(
            "duplicate in the selection: store item {first} has the same name \"{name}\""
        ));
    }
    if let Some(sku) = sku {
        seen_skus.insert(key(sku), woo.id);
    }
    if !name.is_empty() {
        seen_names.insert(key(name), woo.id);
    }
    if name.is_empty() {
        return skip("missing required field: the product has no name".into());
    }
    let Some(sku) = sku else {
        let why = if woo.is_variation() {
            "missing required field: the variation has no SKU of its own (it only shows its parent's); give it one in WooCommerce"
        } else {
            "missing required field: the product has no SKU, which QBM uses as the item code and to match it"
        };
        return skip(why.into());
    };
    if let Some(code) = existing.skus.get(&key(sku)) {
        let reason = format!("a QBM item ({code}) already has the SKU {sku}");
        return match existing.sku_ids.get(&key(sku)) {
            Some(qbm_id) => Decision::SkuTaken {
                qbm_id: qbm_id.clone(),
                reason,
            },
            None => skip(reason),
        };
    }
    if let Some(code) = existing.codes.get(&key(sku)) {
        return skip(format!("a QBM item already uses {code} as its item code"));
    }
    if let Some(code) = existing.lookup_codes.get(&key(sku)) {
        return skip(format!(
            "a QBM item ({code}) already has {sku} as its lookup code"
        ));
    }
    if let Some(upc) = woo
        .barcode
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        && let Some(code) = existing.upcs.get(&key(upc))
    {
        return skip(format!("a QBM item ({code}) already has the UPC {upc}"));
    }
    if let Some(code) = existing.names.get(&key(name)) {
        return skip(format!(
            "a QBM item ({code}) already has the name \"{name}\""
        ));
    }
    Decision::Create(Box::new(new_item(woo, sku, accounts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn woo(id: u64, sku: Option<&str>, name: &str) -> WooItem {
        WooItem {
            sku: sku.map(str::to_string),
            name: name.into(),
            stock_quantity: Some(3),
            ..WooItem::sample(id, None)
        }
    }

    fn qbm(
        code: &str,
        sku: Option<&str>,
        lookup: Option<&str>,
        upc: Option<&str>,
        name: &str,
    ) -> Item {
        Item {
            id: Some(code.into()),
            code: code.into(),
            name: name.into(),
            sku: sku.map(str::to_string),
            lookup_code: lookup.map(str::to_string),
            upc: upc.map(str::to_string),
            ..Item::default()
        }
    }

    fn accounts() -> DefaultAccounts {
        DefaultAccounts {
            income: "4000".into(),
            asset: "1400".into(),
            cogs: "5000".into(),
            expense: Some("6000".into()),
            purchase_variance: None,
        }
    }

    fn reason(decision: &Decision) -> &str {
        match decision {
            Decision::Skip(reason) | Decision::SkuTaken { reason, .. } => reason,
            Decision::Create(_) => "created",
        }
    }

    #[test]
    fn every_skip_reason_in_order() {
        let existing = Existing::from_items(&[
            qbm("A-1", Some("TAKEN"), None, None, "Old Name"),
            qbm("CODE-X", None, Some("LOOK"), Some("4006381333931"), "Lamp"),
        ]);
        let mut with_upc = woo(7, Some("FRESH-UPC"), "Fresh UPC");
        with_upc.barcode = Some("4006381333931".into());
        let items = [
            woo(1, Some("OK-1"), "Fine"),
            woo(1, Some("OK-1"), "Fine"),
            woo(2, Some("ok-1"), "Other"),
            woo(3, Some("OK-3"), "fine"),
            woo(4, None, "No SKU"),
            woo(5, Some("taken"), "Taken"),
            woo(6, Some("LOOK"), "Looked up"),
            with_upc,
            woo(8, Some("NEW-8"), "old name"),
            woo(9, Some("code-x"), "Code clash"),
            woo(10, Some("EMPTY"), "  "),
        ];
        let refs: Vec<&WooItem> = items.iter().collect();
        let decisions = decide(&refs, &existing, &accounts());
        let reasons: Vec<&str> = decisions.iter().map(|(_, d)| reason(d)).collect();
        assert_eq!(reasons[0], "created");
        assert!(reasons[1].contains("selected twice"));
        assert!(
            reasons[2].contains("store item 1 has the same SKU"),
            "{}",
            reasons[2]
        );
        assert!(reasons[3].contains("same name"), "{}", reasons[3]);
        assert!(reasons[4].contains("no SKU"), "{}", reasons[4]);
        assert!(reasons[5].contains("already has the SKU"), "{}", reasons[5]);
        assert!(reasons[6].contains("lookup code"), "{}", reasons[6]);
        assert!(reasons[7].contains("UPC"), "{}", reasons[7]);
        assert!(
            reasons[8].contains("already has the name"),
            "{}",
            reasons[8]
        );
        assert!(reasons[9].contains("item code"), "{}", reasons[9]);
        assert!(reasons[10].contains("no name"), "{}", reasons[10]);
    }

    #[test]
    fn created_items_carry_code_type_price_and_accounts() {
        let mut gift = woo(1, Some("GIFT"), "Gift card");
        gift.stock = StockMode::Unmanaged;
        gift.is_virtual = true;
        gift.regular_price = Some(rust_decimal::Decimal::new(2500, 2));
        let mug = woo(2, Some("MUG"), "Mug");
        let decisions = decide(&[&gift, &mug], &Existing::default(), &accounts());
        let Decision::Create(gift) = &decisions[0].1 else {
            panic!()
        };
        assert_eq!(gift.code, "GIFT");
        assert_eq!(gift.item_type, ItemType::Service);
        assert_eq!(
            gift.accounts.asset, None,
            "no inventory account for a service"
        );
        assert_eq!(gift.price, Some(rust_decimal::Decimal::new(2500, 2)));
        let Decision::Create(mug) = &decisions[1].1 else {
            panic!()
        };
        assert_eq!(mug.item_type, ItemType::Inventory);
        assert_eq!(mug.accounts.cogs.as_deref(), Some("5000"));
        assert_eq!(mug.accounts.expense.as_deref(), Some("6000"));
    }
}
