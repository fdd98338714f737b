//! The simulated store's data: catalog, customers, orders and settings.
//!
//! Tests may read and change [`StoreData`] directly through
//! [`SimStore::with_data`](crate::store::SimStore::with_data); the REST handlers apply
//! WooCommerce's rules on top of it.

mod customer;
mod order;
mod product;
mod settings;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

pub use customer::{Address, Customer};
pub use order::{
    Coupon, CouponLine, FeeLine, ItemMeta, ItemTax, LineItem, ORDER_STATUSES, Order, OrderTotals,
    Refund, ShippingLine, TaxLine,
};
pub use product::{
    DefaultAttribute, Dimensions, GlobalAttribute, MetaEntry, Product, ProductAttribute,
    ProductKind, TermRef, VariationAttribute, uncategorized,
};
pub use settings::{Clock, StoreSettings, TaxRate};

/// Who manages the stock an item shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockOwner {
    /// The item itself.
    Own,
    /// The parent product (a variation with `manage_stock` off under a managing parent).
    Parent(u64),
    /// Nobody: no quantity.
    Nobody,
}

/// Lookups of products by SKU, slug and parent, so that creating, checking and listing stay
/// fast in catalogs of 100,000 items. Entries are candidates only: every lookup re-checks the
/// product itself, so an entry left behind does no harm; a missing one would.
#[derive(Debug, Clone, Default)]
struct CatalogIndex {
    /// Lower-case SKU → ids.
    by_sku: HashMap<String, BTreeSet<u64>>,
    /// Slug → ids.
    by_slug: HashMap<String, BTreeSet<u64>>,
    /// Parent id → variation ids.
    children: HashMap<u64, BTreeSet<u64>>,
    /// Base slug → the lowest suffix that may still be free (all below are taken).
    slug_hint: HashMap<String, u64>,
    /// Published parent products by id; `None` once products were added or changed status.
    published: Option<Vec<u64>>,
}

impl CatalogIndex {
    fn build(products: &BTreeMap<u64, Product>) -> Self {
        let mut index = CatalogIndex::default();
        for product in products.values() {
            index.insert(product);
        }
        index
    }

    fn insert(&mut self, p: &Product) {
        if !p.sku.is_empty() {
            self.by_sku
                .entry(p.sku.to_lowercase())
                .or_default()
                .insert(p.id);
        }
        if !p.slug.is_empty() {
            self.by_slug.entry(p.slug.clone()).or_default().insert(p.id);
        }
        if p.is_variation() {
            self.children.entry(p.parent_id).or_default().insert(p.id);
        }
        self.published = None;
    }

    fn remove(&mut self, p: &Product) {
        if let Some(ids) = self.by_sku.get_mut(&p.sku.to_lowercase()) {
            ids.remove(&p.id);
        }
        if let Some(ids) = self.by_slug.get_mut(&p.slug) {
            ids.remove(&p.id);
        }
        if let Some(ids) = self.children.get_mut(&p.parent_id) {
            ids.remove(&p.id);
        }
        // A freed slug may be lower than a hint.
        self.slug_hint.clear();
        self.published = None;
    }
}

/// Everything the simulated store holds.
///
/// The store keeps lookups by SKU, slug and parent next to the products. Code that changes
/// `products` directly (rather than through the REST API or [`SimStore`](crate::store::SimStore)
/// methods) must call [`StoreData::reindex`] afterwards; [`SimStore::with_data`] does that.
///
/// [`SimStore::with_data`]: crate::store::SimStore::with_data
#[derive(Debug, Clone)]
pub struct StoreData {
    /// Options and settings.
    pub settings: StoreSettings,
    /// Clock used for every date the store stamps.
    pub clock: Clock,
    /// Products and variations by id.
    pub products: BTreeMap<u64, Product>,
    /// Users by id (customers and staff).
    pub customers: BTreeMap<u64, Customer>,
    /// Orders by id.
    pub orders: BTreeMap<u64, Order>,
    /// Coupons.
    pub coupons: Vec<Coupon>,
    /// Global attributes (`pa_*`).
    pub attributes: Vec<GlobalAttribute>,
    /// Product categories that products may reference by id.
    pub categories: Vec<TermRef>,
    /// Next post id (products, variations, orders, refunds and coupons share it, like WordPress posts).
    pub next_post_id: u64,
    /// Next user id.
    pub next_user_id: u64,
    /// Next order item id.
    pub next_item_id: u64,
    /// Next meta id.
    pub next_meta_id: u64,
    /// Built on first use, dropped by [`StoreData::reindex`].
    index: RefCell<Option<CatalogIndex>>,
}

impl StoreData {
    /// An empty store with an administrator account (user 1) and a global "Size" attribute.
    pub fn new(settings: StoreSettings) -> Self {
        let clock = Clock::default();
        let now = clock.now();
        let mut admin = Customer::new(1, "admin@example.test", "admin", now);
        admin.role = "administrator".to_owned();
        admin.first_name = "Store".to_owned();
        admin.last_name = "Admin".to_owned();
        let mut customers = BTreeMap::new();
        customers.insert(1, admin);
        StoreData {
            settings,
            clock,
            products: BTreeMap::new(),
            customers,
            orders: BTreeMap::new(),
            coupons: Vec::new(),
            attributes: vec![size_attribute()],
            categories: vec![uncategorized()],
            next_post_id: 10,
            next_user_id: 2,
            next_item_id: 1,
            next_meta_id: 1,
            index: RefCell::new(None),
        }
    }

    /// Forgets the lookups by SKU, slug and parent; they are rebuilt on next use. Needed after
    /// changing products directly.
    pub fn reindex(&self) {
        *self.index.borrow_mut() = None;
    }

    fn with_index<R>(&self, f: impl FnOnce(&mut CatalogIndex) -> R) -> R {
        let mut slot = self.index.borrow_mut();
        let index = slot.get_or_insert_with(|| CatalogIndex::build(&self.products));
        f(index)
    }

    /// Records a product the write paths are about to store (after [`Self::unindex`] of its
    /// previous state when it changes).
    pub(crate) fn index_product(&self, product: &Product) {
        if let Some(index) = self.index.borrow_mut().as_mut() {
            index.insert(product);
        }
    }

    /// Notes that a product's status or type changed (which products are published).
    pub(crate) fn publication_changed(&self) {
        if let Some(index) = self.index.borrow_mut().as_mut() {
            index.published = None;
        }
    }

    /// The "related products" of `item`: five published parent products picked by turns from
    /// the catalog (WooCommerce's pick looks random; this one is repeatable).
    pub fn related_ids(&self, item: &Product) -> Vec<u64> {
        if item.is_variation() {
            return Vec::new();
        }
        self.with_index(|i| {
            let list = i.published.get_or_insert_with(|| {
                self.products
                    .values()
                    .filter(|p| !p.is_variation() && p.status == "publish")
                    .map(|p| p.id)
                    .collect()
            });
            // The others: the list without `item`, addressed through the skipped position.
            let own = list.binary_search(&item.id).ok();
            let len = list.len() - usize::from(own.is_some());
            if len == 0 {
                return Vec::new();
            }
            let start = usize::try_from(item.id).unwrap_or(0) % len;
            (0..len.min(5))
                .map(|k| {
                    let j = (start + k) % len;
                    match own {
                        Some(pos) if j >= pos => list[j + 1],
                        _ => list[j],
                    }
                })
                .collect()
        })
    }

    /// Forgets a product's SKU, slug and parent (it is removed, or about to change).
    pub(crate) fn unindex(&self, product: &Product) {
        if let Some(index) = self.index.borrow_mut().as_mut() {
            index.remove(product);
        }
    }

    /// The store's current time (whole seconds).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Takes the next post id.
    pub fn alloc_post_id(&mut self) -> u64 {
        let id = self.next_post_id;
        self.next_post_id += 1;
        id
    }

    /// Takes the next user id.
    pub fn alloc_user_id(&mut self) -> u64 {
        let id = self.next_user_id;
        self.next_user_id += 1;
        id
    }

    /// Takes the next order item id.
    pub fn alloc_item_id(&mut self) -> u64 {
        let id = self.next_item_id;
        self.next_item_id += 1;
        id
    }

    /// Takes the next meta id.
    pub fn alloc_meta_id(&mut self) -> u64 {
        let id = self.next_meta_id;
        self.next_meta_id += 1;
        id
    }

    /// Turns the store-wide "Enable stock management" switch on or off.
    pub fn set_manage_stock_enabled(&mut self, on: bool) {
        self.settings.manage_stock = on;
    }

    /// A product's variations, trashed ones included, by id.
    pub fn variations_of(&self, parent_id: u64) -> Vec<&Product> {
        let candidates = self.with_index(|i| i.children.get(&parent_id).cloned());
        candidates
            .iter()
            .flatten()
            .filter_map(|id| self.products.get(id))
            .filter(|p| p.is_variation() && p.parent_id == parent_id)
            .collect()
    }

    /// Ids of a product's variations (not trashed), by menu order then id.
    pub fn variation_ids(&self, parent_id: u64) -> Vec<u64> {
        let mut children: Vec<&Product> = self
            .variations_of(parent_id)
            .into_iter()
            .filter(|p| !p.is_trashed())
            .collect();
        children.sort_by_key(|p| (p.menu_order, p.id));
        children.iter().map(|p| p.id).collect()
    }

    /// The item that owns `sku` (compared case-insensitively, trash ignored), except `exclude`.
    pub fn sku_owner(&self, sku: &str, exclude: u64) -> Option<u64> {
        if sku.is_empty() {
            return None;
        }
        let key = sku.to_lowercase();
        self.with_index(|i| {
            i.by_sku.get(&key).and_then(|ids| {
                ids.iter().copied().find(|id| {
                    *id != exclude
                        && self
                            .products
                            .get(id)
                            .is_some_and(|p| !p.is_trashed() && p.sku.to_lowercase() == key)
                })
            })
        })
    }

    /// WooCommerce's suggestion for a free SKU: `sku-1`, `sku-2`, …
    pub fn unique_sku_suggestion(&self, sku: &str) -> String {
        (1u64..)
            .map(|n| format!("{sku}-{n}"))
            .find(|candidate| self.sku_owner(candidate, 0).is_none())
            .unwrap_or_else(|| sku.to_owned())
    }

    /// A slug for `name` that no other product uses: the name's, else with `-2`, `-3`, … as
    /// WordPress numbers them.
    pub fn unique_product_slug(&self, name: &str, exclude: u64) -> String {
        let base = sanitize_title(name);
        let base = if base.is_empty() {
            exclude.to_string()
        } else {
            base
        };
        // A product not stored yet takes the slug next: the suffixes it skips stay taken.
        let creating = !self.products.contains_key(&exclude);
        self.with_index(|i| {
            let taken = |i: &CatalogIndex, slug: &str| {
                i.by_slug.get(slug).is_some_and(|ids| {
                    ids.iter().any(|id| {
                        *id != exclude && self.products.get(id).is_some_and(|p| p.slug == slug)
                    })
                })
            };
            if !taken(i, &base) {
                return base;
            }
            let start = if creating {
                i.slug_hint.get(&base).copied().unwrap_or(2)
            } else {
                2
            };
            let free = (start..)
                .find(|n| !taken(i, &format!("{base}-{n}")))
                .unwrap_or(start);
            if creating {
                i.slug_hint.insert(base.clone(), free + 1);
            }
            format!("{base}-{free}")
        })
    }

    /// Who manages the stock `item` shows.
    pub fn stock_owner(&self, item: &Product) -> StockOwner {
        if item.manage_stock {
            return StockOwner::Own;
        }
        if item.is_variation()
            && let Some(parent) = self.products.get(&item.parent_id)
            && parent.manage_stock
        {
            return StockOwner::Parent(parent.id);
        }
        StockOwner::Nobody
    }

    /// The quantity shown for `item`: its own, the parent's, or none.
    pub fn shown_stock_quantity(&self, item: &Product) -> Option<i64> {
        match self.stock_owner(item) {
            StockOwner::Own => item.stock_quantity,
            StockOwner::Parent(parent) => self.products.get(&parent).and_then(|p| p.stock_quantity),
            StockOwner::Nobody => None,
        }
    }

    /// The stock status shown for `item`.
    pub fn shown_stock_status(&self, item: &Product) -> String {
        match self.stock_owner(item) {
            StockOwner::Parent(parent) => self
                .products
                .get(&parent)
                .map_or_else(|| item.stock_status.clone(), |p| p.stock_status.clone()),
            StockOwner::Own => item.stock_status.clone(),
            StockOwner::Nobody if item.kind == ProductKind::Variable => {
                let statuses: Vec<String> = self
                    .variation_ids(item.id)
                    .iter()
                    .filter_map(|id| self.products.get(id))
                    .filter(|v| v.status == "publish")
                    .map(|v| self.shown_stock_status(v))
                    .collect();
                if statuses.is_empty() {
                    item.stock_status.clone()
                } else if statuses.iter().any(|s| s == "instock") {
                    "instock".to_owned()
                } else if statuses.iter().any(|s| s == "onbackorder") {
                    "onbackorder".to_owned()
                } else {
                    "outofstock".to_owned()
                }
            }
            StockOwner::Nobody => item.stock_status.clone(),
        }
    }

    /// The backorder setting shown for `item` (a parent-managed variation shows the parent's).
    pub fn shown_backorders(&self, item: &Product) -> String {
        match self.stock_owner(item) {
            StockOwner::Parent(parent) => self
                .products
                .get(&parent)
                .map_or_else(|| item.backorders.clone(), |p| p.backorders.clone()),
            _ => item.backorders.clone(),
        }
    }

    /// Recomputes the stored stock status of a managed item from its quantity.
    pub fn recompute_stock_status(&mut self, id: u64) {
        let threshold = self.settings.out_of_stock_threshold;
        if let Some(item) = self.products.get_mut(&id)
            && item.manage_stock
        {
            let quantity = item.stock_quantity.unwrap_or(0);
            item.stock_status = if quantity > threshold {
                "instock"
            } else if item.backorders != "no" {
                "onbackorder"
            } else {
                "outofstock"
            }
            .to_owned();
        }
    }

    /// The SKU shown for `item`: a variation without its own SKU shows its parent's.
    pub fn shown_sku(&self, item: &Product) -> String {
        if item.sku.is_empty()
            && item.is_variation()
            && let Some(parent) = self.products.get(&item.parent_id)
        {
            return parent.sku.clone();
        }
        item.sku.clone()
    }

    /// The active price of `item` (for a variable product: its cheapest published variation).
    pub fn active_price(&self, item: &Product) -> String {
        if item.kind == ProductKind::Variable {
            return self
                .variation_prices(item.id)
                .first()
                .map(|(text, _)| text.clone())
                .unwrap_or_default();
        }
        if is_on_sale(item) {
            item.sale_price.clone()
        } else {
            item.regular_price.clone()
        }
    }

    /// Whether `item` is on sale (a variable product: any of its variations).
    pub fn on_sale(&self, item: &Product) -> bool {
        if item.kind == ProductKind::Variable {
            return self
                .variation_ids(item.id)
                .iter()
                .filter_map(|id| self.products.get(id))
                .any(|v| v.status == "publish" && is_on_sale(v));
        }
        is_on_sale(item)
    }

    /// Active prices of a variable product's published variations, cheapest first.
    pub fn variation_prices(&self, parent_id: u64) -> Vec<(String, Decimal)> {
        let mut prices: Vec<(String, Decimal)> = self
            .variation_ids(parent_id)
            .iter()
            .filter_map(|id| self.products.get(id))
            .filter(|v| v.status == "publish")
            .filter_map(|v| {
                let text = self.active_price(v);
                parse_decimal(&text).map(|d| (text, d))
            })
            .collect();
        prices.sort_by_key(|p| p.1);
        prices
    }

    /// The variation's attribute summary ("S, Red").
    pub fn variation_label(&self, item: &Product) -> String {
        item.variation_attributes
            .iter()
            .map(|a| a.option.clone())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The variation's post title ("FX T-Shirt - S, Red").
    pub fn variation_title(&self, item: &Product) -> String {
        let parent = self
            .products
            .get(&item.parent_id)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let label = self.variation_label(item);
        if label.is_empty() {
            parent
        } else {
            format!("{parent} - {label}")
        }
    }

    /// A global attribute by id.
    pub fn global_attribute(&self, id: u64) -> Option<&GlobalAttribute> {
        self.attributes.iter().find(|a| a.id == id)
    }

    /// Sets `date_modified` of an item to now.
    pub fn touch_product(&mut self, id: u64) {
        let now = self.now();
        if let Some(item) = self.products.get_mut(&id) {
            item.date_modified = now;
        }
    }
}

/// Whether a simple product or variation has an effective sale price.
pub fn is_on_sale(item: &Product) -> bool {
    match (
        parse_decimal(&item.sale_price),
        parse_decimal(&item.regular_price),
    ) {
        (Some(sale), Some(regular)) => sale < regular,
        _ => false,
    }
}

/// Parses a money string as WooCommerce stores it.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        None
    } else {
        trimmed.parse::<Decimal>().ok()
    }
}

/// WordPress `sanitize_title`: lower case, accents removed, runs of other characters as `-`.
pub fn sanitize_title(text: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in text.chars() {
        let mapped: Option<&str> = match c {
            'ä' | 'Ä' | 'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => {
                Some("a")
            }
            'ö' | 'Ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'ø' => Some("o"),
            'ü' | 'Ü' | 'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => Some("u"),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => Some("e"),
            'í' | 'ì' | 'î' | 'ï' => Some("i"),
            'ß' => Some("ss"),
            'ç' => Some("c"),
            'ñ' => Some("n"),
            _ => None,
        };
        let piece = match mapped {
            Some(s) => s.to_owned(),
            None if c.is_ascii_alphanumeric() || c == '_' => c.to_ascii_lowercase().to_string(),
            None => {
                pending_dash = !out.is_empty();
                continue;
            }
        };
        if pending_dash {
            out.push('-');
            pending_dash = false;
        }
        out.push_str(&piece);
    }
    out
}

/// The recorded store's global attribute "Size" (`pa_size`, id 1) with S, M, L, XL.
pub fn size_attribute() -> GlobalAttribute {
    GlobalAttribute {
        id: 1,
        name: "Size".to_owned(),
        slug: "size".to_owned(),
        terms: ["S", "M", "L", "XL"]
            .iter()
            .map(|t| ((*t).to_owned(), t.to_lowercase()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_sanitised_like_wordpress() {
        assert_eq!(sanitize_title("FX Kaffeebecher"), "fx-kaffeebecher");
        assert_eq!(sanitize_title("FX T-Shirt - S, Red"), "fx-t-shirt-s-red");
        assert_eq!(sanitize_title("Müller & Söhne"), "muller-sohne");
        assert_eq!(sanitize_title("  "), "");
    }

    #[test]
    fn related_products_rotate_through_the_published_catalog() {
        let spec = crate::store::SeedSpec {
            products: 40,
            ..crate::store::SeedSpec::default()
        };
        let data =
            crate::store::generate(&spec, StoreSettings::new("EUR", chrono_tz::Europe::Berlin));
        for item in data.products.values() {
            let expected: Vec<u64> = if item.is_variation() {
                Vec::new()
            } else {
                let others: Vec<u64> = data
                    .products
                    .values()
                    .filter(|p| !p.is_variation() && p.id != item.id && p.status == "publish")
                    .map(|p| p.id)
                    .collect();
                let start = usize::try_from(item.id).unwrap_or(0) % others.len();
                others.iter().cycle().skip(start).take(5).copied().collect()
            };
            assert_eq!(data.related_ids(item), expected, "{}", item.id);
        }
    }

    #[test]
    fn lookups_follow_direct_changes_after_reindex() {
        let mut data = StoreData::new(StoreSettings::new("EUR", chrono_tz::Europe::Berlin));
        let now = data.now();
        let mut a = Product::new(100, ProductKind::Simple, now);
        a.sku = "ABC".to_owned();
        a.slug = "abc".to_owned();
        data.products.insert(100, a);
        assert_eq!(data.sku_owner("abc", 0), Some(100));
        assert_eq!(data.unique_product_slug("ABC", 0), "abc-2");
        if let Some(p) = data.products.get_mut(&100) {
            p.sku = "XYZ".to_owned();
        }
        data.reindex();
        assert_eq!(data.sku_owner("abc", 0), None);
        assert_eq!(data.sku_owner("xyz", 0), Some(100));
    }

    #[test]
    fn sku_uniqueness_is_case_insensitive_and_ignores_trash() {
        let mut data = StoreData::new(StoreSettings::new("EUR", chrono_tz::Europe::Berlin));
        let now = data.now();
        let mut a = Product::new(100, ProductKind::Simple, now);
        a.sku = "ABC".to_owned();
        data.products.insert(100, a);
        assert_eq!(data.sku_owner("abc", 0), Some(100));
        assert_eq!(data.sku_owner("abc", 100), None);
        assert_eq!(data.unique_sku_suggestion("ABC"), "ABC-1");
        if let Some(p) = data.products.get_mut(&100) {
            p.status = "trash".to_owned();
        }
        assert_eq!(data.sku_owner("ABC", 0), None);
    }
}
