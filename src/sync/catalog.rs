//! The WooCommerce catalog as the engine sees it (products and variations as [`WooItem`]s), and
//! its cache in the host's company state, which the Items screen, matching and stock pushes
//! read. The cache survives restarts, is shared by workstations (stored in chunks, switched
//! atomically, see [`crate::state::chunked`]) and is shared in memory, not copied, per call.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::host_port::{HostPort, StorageArea};
use crate::state::{self, StateError, chunked};
use crate::sync::names::{PostStatus, ProductType};
use crate::woo::{ManageStock, Product, Variation};

const CACHE_KEY: &str = "cache.catalog";
/// Where plugin version 0.1 kept the whole cache in one value; removed on the next write.
const LEGACY_KEY: &str = "cache.woo_items";

/// How an item's stock is kept in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockMode {
    /// Not tracked.
    Unmanaged,
    /// The item's own quantity.
    Own,
    /// A variation sharing its parent's quantity.
    Parent,
}

impl From<ManageStock> for StockMode {
    fn from(value: ManageStock) -> Self {
        match value {
            ManageStock::No => StockMode::Unmanaged,
            ManageStock::Yes => StockMode::Own,
            ManageStock::Parent => StockMode::Parent,
        }
    }
}

/// A product or a variation as the plugin needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooItem {
    pub id: u64,
    /// The variable product, for variations.
    pub parent_id: Option<u64>,
    pub kind: ProductType,
    /// The item's own SKU (a variation that only shows its parent's SKU has none).
    pub sku: Option<String>,
    /// The product name; for variations the parent's name followed by the attribute values.
    pub name: String,
    pub regular_price: Option<Decimal>,
    pub price: Option<Decimal>,
    pub stock: StockMode,
    pub stock_quantity: Option<i64>,
    pub status: PostStatus,
    /// GTIN/UPC/EAN when the store has the field (WooCommerce 9.2+) or an `ean`/`gtin` meta.
    pub barcode: Option<String>,
    /// A virtual product (a service, a gift card …): nothing to ship or count.
    #[serde(default)]
    pub is_virtual: bool,
    pub modified_gmt: Option<DateTime<Utc>>,
}

#[cfg(test)]
impl WooItem {
    /// A published item for tests: a simple product, or a variation of `parent`, with SKU
    /// `S{id}`, name `N{id}`, stock of its own and no quantity yet.
    pub(crate) fn sample(id: u64, parent: Option<u64>) -> WooItem {
        WooItem {
            id,
            parent_id: parent,
            kind: if parent.is_some() {
                ProductType::Variation
            } else {
                ProductType::Simple
            },
            sku: Some(format!("S{id}")),
            name: format!("N{id}"),
            regular_price: None,
            price: None,
            stock: StockMode::Own,
            stock_quantity: None,
            status: PostStatus::Publish,
            barcode: None,
            is_virtual: false,
            modified_gmt: None,
        }
    }
}

impl WooItem {
    pub fn is_variation(&self) -> bool {
        self.parent_id.is_some()
    }

    pub fn from_product(product: &Product) -> Self {
        WooItem {
            id: product.id,
            parent_id: (product.product_type == "variation" && product.parent_id > 0)
                .then_some(product.parent_id),
            kind: ProductType::parse(&product.product_type),
            sku: Some(product.sku.trim().to_string()).filter(|s| !s.is_empty()),
            name: product.name.clone(),
            regular_price: product.regular_price,
            price: product.price,
            stock: product.manage_stock.into(),
            stock_quantity: product.stock_quantity,
            status: PostStatus::parse(&product.status),
            barcode: product
                .global_unique_id
                .clone()
                .filter(|g| !g.is_empty())
                .or_else(|| {
                    ["ean", "gtin", "_ean", "_gtin", "upc"]
                        .iter()
                        .find_map(|key| product.meta_text(key))
                }),
            is_virtual: product.is_virtual,
            modified_gmt: product.date_modified_gmt,
        }
    }

    /// A variation as the cache keeps it, with what it takes from its parent (only that is kept
    /// of a parent while a large catalog is read).
    pub fn from_variation_of(parent: &ParentFacts, variation: &Variation) -> Self {
        let attributes: Vec<&str> = variation
            .attributes
            .iter()
            .map(|a| a.option.as_str())
            .collect();
        let name = if attributes.is_empty() {
            parent.name.clone()
        } else {
            format!("{} - {}", parent.name, attributes.join(", "))
        };
        WooItem {
            id: variation.id,
            parent_id: Some(parent.id),
            kind: ProductType::Variation,
            sku: variation
                .own_sku(&parent.sku)
                .map(|sku| sku.trim().to_string()),
            name,
            regular_price: variation.regular_price,
            price: variation.price,
            stock: variation.manage_stock.into(),
            stock_quantity: variation.stock_quantity,
            status: PostStatus::parse(&variation.status),
            barcode: variation.global_unique_id.clone().filter(|g| !g.is_empty()),
            is_virtual: parent.is_virtual,
            modified_gmt: variation.date_modified_gmt,
        }
    }

    /// Where the item sits in a [`Snapshot`]: parents by id, each followed by its variations by
    /// id.
    pub fn order_key(&self) -> (u64, bool, u64) {
        (
            self.parent_id.unwrap_or(self.id),
            self.parent_id.is_some(),
            self.id,
        )
    }
}

/// What a variation takes from its parent product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentFacts {
    pub id: u64,
    pub name: String,
    pub sku: String,
    pub is_virtual: bool,
}

impl ParentFacts {
    pub fn of(parent: &Product) -> Self {
        ParentFacts {
            id: parent.id,
            name: parent.name.clone(),
            sku: parent.sku.clone(),
            is_virtual: parent.is_virtual,
        }
    }
}

/// The cached catalog and when it was loaded.
///
/// `items` are in [`WooItem::order_key`] order (parents by id, each followed by its variations),
/// so an item is found by binary search and a product's variations are one slice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub loaded_at: Option<DateTime<Utc>>,
    #[serde(with = "rows")]
    pub items: Vec<WooItem>,
}

/// Items stored as rows (JSON arrays) rather than objects: a third of the size, which is what
/// the host stores and what the plugin holds while it writes or reads the cache. A cache stored
/// in another shape does not read and is loaded from the store again.
mod rows {
    use super::{PostStatus, ProductType, StockMode, WooItem};
    use chrono::{DateTime, Utc};
    use rust_decimal::Decimal;
    use serde::de::{SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};
    use std::borrow::Cow;

    type Row<'a> = (
        u64,
        Option<u64>,
        &'a str,
        Option<&'a str>,
        &'a str,
        Option<Decimal>,
        Option<Decimal>,
        StockMode,
        Option<i64>,
        &'a str,
        Option<&'a str>,
        bool,
        Option<DateTime<Utc>>,
    );

    type Owned<'a> = (
        u64,
        Option<u64>,
        Cow<'a, str>,
        Option<String>,
        String,
        Option<Decimal>,
        Option<Decimal>,
        StockMode,
        Option<i64>,
        Cow<'a, str>,
        Option<String>,
        bool,
        Option<DateTime<Utc>>,
    );

    fn row(w: &WooItem) -> Row<'_> {
        (
            w.id,
            w.parent_id,
            w.kind.as_str(),
            w.sku.as_deref(),
            &w.name,
            w.regular_price,
            w.price,
            w.stock,
            w.stock_quantity,
            w.status.as_str(),
            w.barcode.as_deref(),
            w.is_virtual,
            w.modified_gmt,
        )
    }

    pub fn serialize<S: Serializer>(items: &[WooItem], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(items.iter().map(row))
    }

    struct Rows;

    impl<'de> Visitor<'de> for Rows {
        type Value = Vec<WooItem>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of catalog rows")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(r) = seq.next_element::<Owned<'de>>()? {
                items.push(WooItem {
                    id: r.0,
                    parent_id: r.1,
                    kind: ProductType::parse(&r.2),
                    sku: r.3,
                    name: r.4,
                    regular_price: r.5,
                    price: r.6,
                    stock: r.7,
                    stock_quantity: r.8,
                    status: PostStatus::parse(&r.9),
                    barcode: r.10,
                    is_virtual: r.11,
                    modified_gmt: r.12,
                });
            }
            items.shrink_to_fit();
            Ok(items)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<WooItem>, D::Error> {
        d.deserialize_seq(Rows)
    }
}

impl Snapshot {
    /// A snapshot of `items`, put in order.
    pub fn new(loaded_at: Option<DateTime<Utc>>, mut items: Vec<WooItem>) -> Self {
        items.sort_unstable_by_key(WooItem::order_key);
        items.shrink_to_fit();
        Snapshot { loaded_at, items }
    }

    fn position(&self, key: (u64, bool, u64)) -> Result<usize, usize> {
        self.items.binary_search_by_key(&key, WooItem::order_key)
    }

    /// The product (not a variation) with this id.
    pub fn product(&self, id: u64) -> Option<&WooItem> {
        self.position((id, false, id))
            .ok()
            .map(|at| &self.items[at])
    }

    /// Variation `id` of product `parent`.
    pub fn variation(&self, parent: u64, id: u64) -> Option<&WooItem> {
        self.position((parent, true, id))
            .ok()
            .map(|at| &self.items[at])
    }

    /// The variations of product `parent`, by id.
    pub fn variations_of(&self, parent: u64) -> &[WooItem] {
        let start = self
            .items
            .partition_point(|i| i.order_key() < (parent, true, 0));
        let end = self
            .items
            .partition_point(|i| i.order_key() <= (parent, true, u64::MAX));
        &self.items[start..end]
    }

    /// The newest modification date of a product (variations excluded: the store's
    /// `modified_after` filter lists products only).
    pub fn newest_product_change(&self) -> Option<DateTime<Utc>> {
        self.items
            .iter()
            .filter(|i| !i.is_variation())
            .filter_map(|i| i.modified_gmt)
            .max()
    }

    /// Applies changes in place: O(changes × log items), plus one pass when items are removed
    /// and one sort when items are added.
    pub fn apply(&mut self, changes: &Changes) {
        if let Some(at) = changes.loaded_at {
            self.loaded_at = Some(self.loaded_at.map_or(at, |old| old.max(at)));
        }
        if !changes.removed.is_empty() {
            let gone: std::collections::HashSet<(u64, bool, u64)> =
                changes.removed.iter().map(Removed::key).collect();
            self.items.retain(|i| !gone.contains(&i.order_key()));
        }
        let mut added = Vec::new();
        for item in &changes.items {
            match self.position(item.order_key()) {
                Ok(at) => self.items[at] = item.clone(),
                Err(_) => added.push(item.clone()),
            }
        }
        if !added.is_empty() {
            self.items.extend(added);
            self.items.sort_unstable_by_key(WooItem::order_key);
        }
        for (parent, at) in &changes.touched {
            if let Ok(pos) = self.position((*parent, false, *parent)) {
                let item = &mut self.items[pos];
                item.modified_gmt = Some(item.modified_gmt.map_or(*at, |old| old.max(*at)));
            }
        }
    }
}

/// A store item that left the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub id: u64,
    pub parent_id: Option<u64>,
}

impl Removed {
    pub fn of(item: &WooItem) -> Self {
        Removed {
            id: item.id,
            parent_id: item.parent_id,
        }
    }

    fn key(&self) -> (u64, bool, u64) {
        (
            self.parent_id.unwrap_or(self.id),
            self.parent_id.is_some(),
            self.id,
        )
    }
}

/// Changes to a cached catalog: what a write or an incremental Refresh learnt. Small next to the
/// catalog, so recording them does not rewrite (or copy) the whole cache.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Items as the store now has them (replacing the cached ones, or new).
    #[serde(default, with = "rows")]
    pub items: Vec<WooItem>,
    /// Items the store no longer has.
    #[serde(default)]
    pub removed: Vec<Removed>,
    /// Parents the store saved again because one of their variations was written: their
    /// modification date moves on (as WooCommerce's does), and the next freshness check does
    /// not take that for a change made by someone else.
    #[serde(default)]
    pub touched: Vec<(u64, DateTime<Utc>)>,
    /// When the store was last read.
    #[serde(default)]
    pub loaded_at: Option<DateTime<Utc>>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
            && self.removed.is_empty()
            && self.touched.is_empty()
            && self.loaded_at.is_none()
    }

    fn len(&self) -> usize {
        self.items.len() + self.removed.len() + self.touched.len()
    }

    /// Changes for written items; written variations touch their parents.
    pub fn written(items: &[WooItem]) -> Self {
        let mut touched: std::collections::BTreeMap<u64, DateTime<Utc>> = Default::default();
        for item in items {
            if let (Some(parent), Some(at)) = (item.parent_id, item.modified_gmt) {
                let entry = touched.entry(parent).or_insert(at);
                *entry = (*entry).max(at);
            }
        }
        Changes {
            items: items.to_vec(),
            touched: touched.into_iter().collect(),
            ..Changes::default()
        }
    }

    /// Adds `later` on top of these changes (later ones win).
    pub fn merge(&mut self, later: Changes) {
        let keys: std::collections::HashSet<(u64, bool, u64)> = later
            .items
            .iter()
            .map(WooItem::order_key)
            .chain(later.removed.iter().map(Removed::key))
            .collect();
        self.items.retain(|i| !keys.contains(&i.order_key()));
        self.removed.retain(|r| !keys.contains(&r.key()));
        self.items.extend(later.items);
        self.removed.extend(later.removed);
        self.touched.extend(later.touched);
        if let Some(at) = later.loaded_at {
            self.loaded_at = Some(self.loaded_at.map_or(at, |old| old.max(at)));
        }
    }
}

/// What writing the cache did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Saved,
    /// QBM refused to store it (too large, storage failing): the catalog is used for this call
    /// only and read from the store again next time.
    NotCached(String),
}

/// Where the changes recorded since the catalog was last stored in full are kept.
const CHANGES_KEY: &str = "cache.catalog.changes";
/// Recorded changes are folded into the stored catalog once they exceed this many entries or a
/// tenth of the catalog, whichever is more: reading them stays cheap, and the catalog is not
/// rewritten for every write.
const FOLD_AT_LEAST: usize = 2_000;

/// The snapshot in memory and the stored versions it reflects.
struct Memory {
    base: Option<String>,
    changes: Option<String>,
    snapshot: Arc<Snapshot>,
    /// Changes recorded but not yet applied to `snapshot` (applied on the next [`CatalogCache::get`]).
    pending: Changes,
}

/// The cache of one plugin instance, in memory and in the host's company state.
///
/// Stored as the catalog (written in full by a full Refresh) plus the changes recorded since
/// (written items, incremental Refreshes), so a write costs the size of the change. In memory the
/// snapshot is shared (`Arc`) and changed in place when no caller still holds it.
pub struct CatalogCache {
    host: Arc<dyn HostPort>,
    memory: Mutex<Option<Memory>>,
}

fn read_changes(host: &dyn HostPort) -> Result<Changes, StateError> {
    Ok(chunked::read(host, CHANGES_KEY)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// Items per stored part: the catalog is written and read a part at a time, so the plugin never
/// holds the text of the whole catalog (tens of megabytes for 100,000 products).
const PART_ITEMS: usize = 10_000;

static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What `CACHE_KEY` holds: the stored parts of one version of the catalog. Written last, in one
/// switch, so a reader sees either the previous version or this one.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    generation: String,
    parts: usize,
    items: usize,
    loaded_at: Option<DateTime<Utc>>,
}

/// The stored shape of the catalog (a cache stored in an earlier shape does not read, and is
/// loaded from the store again).
const FORMAT: u32 = 2;

fn part_key(generation: &str, index: usize) -> String {
    format!("{CACHE_KEY}.part.{generation}.{index}")
}

#[derive(Serialize)]
struct PartOut<'a>(#[serde(serialize_with = "rows_of_slice")] &'a [WooItem]);

fn rows_of_slice<S: serde::Serializer>(items: &&[WooItem], s: S) -> Result<S::Ok, S::Error> {
    rows::serialize(items, s)
}

#[derive(Deserialize)]
struct PartIn(#[serde(with = "rows")] Vec<WooItem>);

fn remove_parts(host: &dyn HostPort, manifest: &Manifest) {
    for index in 0..manifest.parts {
        // Leftover parts of an old version are only wasted space.
        let _ = chunked::clear(host, &part_key(&manifest.generation, index));
    }
}

fn read_manifest(host: &dyn HostPort) -> Result<Option<Manifest>, StateError> {
    Ok(chunked::read(host, CACHE_KEY)?
        .and_then(|text| serde_json::from_str::<Manifest>(&text).ok())
        .filter(|m| m.format == FORMAT))
}

/// Writes the catalog part by part, then switches readers to it and removes the previous
/// version's parts.
fn write_snapshot(host: &dyn HostPort, snapshot: &Snapshot, stamp: u64) -> Result<(), String> {
    let previous = read_manifest(host).ok().flatten();
    let generation = format!(
        "{stamp:x}-{:x}",
        GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let parts: Vec<&[WooItem]> = snapshot.items.chunks(PART_ITEMS).collect();
    let manifest = Manifest {
        format: FORMAT,
        generation: generation.clone(),
        parts: parts.len(),
        items: snapshot.items.len(),
        loaded_at: snapshot.loaded_at,
    };
    for (index, part) in parts.iter().enumerate() {
        let written = serde_json::to_string(&PartOut(part))
            .map_err(|err| format!("it could not be encoded: {err}"))
            .and_then(|text| {
                chunked::write(host, &part_key(&generation, index), &text, stamp)
                    .map_err(|err| err.to_string())
            });
        if let Err(why) = written {
            remove_parts(
                host,
                &Manifest {
                    parts: index + 1,
                    ..manifest
                },
            );
            return Err(why);
        }
    }
    let text = serde_json::to_string(&manifest).map_err(|err| err.to_string())?;
    if let Err(err) = chunked::write(host, CACHE_KEY, &text, stamp) {
        remove_parts(host, &manifest);
        return Err(err.to_string());
    }
    if let Some(old) = previous.filter(|old| old.generation != generation) {
        remove_parts(host, &old);
    }
    Ok(())
}

/// Reads the stored catalog part by part (`None` when there is none, or it does not read).
fn read_snapshot(host: &dyn HostPort) -> Result<Option<Snapshot>, StateError> {
    // A writer may replace the version while it is read: then read the new one.
    for _ in 0..3 {
        let Some(manifest) = read_manifest(host)? else {
            return Ok(None);
        };
        let mut items = Vec::with_capacity(manifest.items);
        let mut complete = true;
        for index in 0..manifest.parts {
            let part = chunked::read(host, &part_key(&manifest.generation, index))?
                .and_then(|text| serde_json::from_str::<PartIn>(&text).ok());
            match part {
                Some(PartIn(part)) => items.extend(part),
                None => {
                    complete = false;
                    break;
                }
            }
        }
        if complete {
            return Ok(Some(Snapshot {
                loaded_at: manifest.loaded_at,
                items,
            }));
        }
    }
    Ok(None)
}

impl CatalogCache {
    pub fn new(host: Arc<dyn HostPort>) -> Self {
        Self {
            host,
            memory: Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Memory>> {
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached catalog, if any. Reads storage only when another workstation (or instance)
    /// stored something newer than what is in memory.
    pub fn get(&self) -> Result<Option<Arc<Snapshot>>, StateError> {
        let host = self.host.as_ref();
        let base = chunked::version(host, CACHE_KEY)?;
        let changes = chunked::version(host, CHANGES_KEY)?;
        if base.is_none() {
            *self.lock() = None;
            return Ok(None);
        }
        let same_base = self.lock().as_ref().is_some_and(|m| m.base == base);
        if same_base {
            // Only changes moved on elsewhere: read them (small) and apply them again; applying
            // changes twice gives the same catalog.
            let elsewhere = {
                let memory = self.lock();
                memory.as_ref().is_some_and(|m| m.changes != changes)
            };
            let reread = if elsewhere {
                Some(read_changes(host)?)
            } else {
                None
            };
            let mut memory = self.lock();
            if let Some(m) = memory.as_mut().filter(|m| m.base == base) {
                if let Some(recorded) = reread {
                    m.pending.merge(recorded);
                    m.changes = changes;
                }
                if !m.pending.is_empty() {
                    let pending = std::mem::take(&mut m.pending);
                    Arc::make_mut(&mut m.snapshot).apply(&pending);
                }
                return Ok(Some(Arc::clone(&m.snapshot)));
            }
        }
        let Some(mut snapshot) = read_snapshot(host)? else {
            *self.lock() = None;
            return Ok(None);
        };
        if !snapshot.items.is_sorted_by_key(WooItem::order_key) {
            snapshot.items.sort_unstable_by_key(WooItem::order_key);
        }
        if changes.is_some() {
            snapshot.apply(&read_changes(host)?);
        }
        let snapshot = Arc::new(snapshot);
        *self.lock() = Some(Memory {
            base,
            changes,
            snapshot: Arc::clone(&snapshot),
            pending: Changes::default(),
        });
        Ok(Some(snapshot))
    }

    /// Replaces the cached catalog and returns it, shared. A refusal by QBM's storage degrades
    /// to "not cached" (the returned snapshot is still good for this call).
    pub fn put(&self, snapshot: Snapshot, stamp: u64) -> (Arc<Snapshot>, Stored) {
        let snapshot = Arc::new(snapshot);
        let stored = self.store(&snapshot, stamp);
        (snapshot, stored)
    }

    fn store(&self, snapshot: &Arc<Snapshot>, stamp: u64) -> Stored {
        let host = self.host.as_ref();
        let written = write_snapshot(host, snapshot, stamp);
        let cleared = chunked::clear(host, CHANGES_KEY);
        let base = chunked::version(host, CACHE_KEY).ok().flatten();
        *self.lock() = Some(Memory {
            base,
            changes: None,
            snapshot: Arc::clone(snapshot),
            pending: Changes::default(),
        });
        if matches!(
            host.storage_get(StorageArea::CompanyState, LEGACY_KEY),
            Ok(Some(_))
        ) {
            let _ = host.storage_set(StorageArea::CompanyState, LEGACY_KEY, None);
        }
        match (written, cleared) {
            (Ok(()), Ok(())) => Stored::Saved,
            (Err(why), _) => Stored::NotCached(why),
            (_, Err(err)) => Stored::NotCached(err.to_string()),
        }
    }

    /// Records changes to the cached catalog (nothing when there is none). Costs the size of the
    /// changes recorded since the last full store; past a limit they are folded into the
    /// catalog, which is then stored in full once.
    pub fn record(&self, changes: Changes, stamp: u64) -> Result<Stored, StateError> {
        if changes.is_empty() {
            return Ok(Stored::Saved);
        }
        let host = self.host.as_ref();
        let Some(base) = chunked::version(host, CACHE_KEY)? else {
            return Ok(Stored::Saved);
        };
        let seen = chunked::version(host, CHANGES_KEY)?;
        let mut recorded = read_changes(host)?;
        recorded.merge(changes.clone());
        let held = self.lock().as_ref().map_or(0, |m| m.snapshot.items.len());
        if recorded.len() > FOLD_AT_LEAST.max(held / 10) {
            // Fold: the catalog with every change, stored in full (changed in place when no
            // caller holds it any more).
            let Some(mut snapshot) = self.get()? else {
                return Ok(Stored::Saved);
            };
            *self.lock() = None;
            Arc::make_mut(&mut snapshot).apply(&changes);
            return Ok(self.store(&snapshot, stamp));
        }
        let text = match serde_json::to_string(&recorded) {
            Ok(text) => text,
            Err(err) => return Ok(Stored::NotCached(format!("it could not be encoded: {err}"))),
        };
        chunked::write(host, CHANGES_KEY, &text, stamp)?;
        drop(text);
        let version = chunked::version(host, CHANGES_KEY)?;
        let mut memory = self.lock();
        match memory.as_mut() {
            Some(m) if m.base.as_deref() == Some(base.as_str()) => {
                // Changes another instance recorded meanwhile come along.
                m.pending
                    .merge(if m.changes == seen { changes } else { recorded });
                m.changes = version;
            }
            // What is in memory belongs to another version: the next get reads it again.
            _ => *memory = None,
        }
        Ok(Stored::Saved)
    }

    /// Empties the cache; returns how many items it held.
    pub fn clear(&self) -> Result<usize, StateError> {
        let held = self.get()?.map_or(0, |s| s.items.len());
        let manifest = read_manifest(self.host.as_ref())?;
        chunked::clear(self.host.as_ref(), CACHE_KEY)?;
        if let Some(manifest) = manifest {
            remove_parts(self.host.as_ref(), &manifest);
        }
        chunked::clear(self.host.as_ref(), CHANGES_KEY)?;
        state::update(
            self.host.as_ref(),
            StorageArea::CompanyState,
            LEGACY_KEY,
            |_| None,
        )?;
        *self.lock() = None;
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::memory::MemoryHost;
    use chrono::TimeZone;

    fn at(second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, second).unwrap()
    }

    fn item(id: u64, parent: Option<u64>, quantity: i64, second: u32) -> WooItem {
        WooItem {
            stock_quantity: Some(quantity),
            modified_gmt: Some(at(second)),
            ..WooItem::sample(id, parent)
        }
    }

    fn catalog() -> Snapshot {
        Snapshot::new(
            Some(at(0)),
            vec![
                item(30, None, 1, 1),
                item(10, None, 1, 1),
                item(12, Some(10), 1, 1),
                item(11, Some(10), 1, 1),
                item(20, None, 1, 1),
            ],
        )
    }

    #[test]
    fn items_are_found_by_position_and_variations_are_one_slice() {
        let snapshot = catalog();
        let ids: Vec<u64> = snapshot.items.iter().map(|i| i.id).collect();
        assert_eq!(ids, [10, 11, 12, 20, 30]);
        assert_eq!(snapshot.product(20).map(|i| i.id), Some(20));
        assert_eq!(snapshot.product(11), None, "a variation is not a product");
        assert_eq!(snapshot.variation(10, 11).map(|i| i.id), Some(11));
        let variations: Vec<u64> = snapshot.variations_of(10).iter().map(|i| i.id).collect();
        assert_eq!(variations, [11, 12]);
        assert!(snapshot.variations_of(20).is_empty());
    }

    #[test]
    fn changes_replace_add_remove_and_touch_parents() {
        let mut snapshot = catalog();
        let mut changes = Changes::written(&[item(11, Some(10), 7, 9), item(40, None, 2, 9)]);
        changes.merge(Changes {
            removed: vec![Removed::of(&item(12, Some(10), 0, 0))],
            ..Changes::default()
        });
        snapshot.apply(&changes);
        let ids: Vec<u64> = snapshot.items.iter().map(|i| i.id).collect();
        assert_eq!(ids, [10, 11, 20, 30, 40]);
        assert_eq!(snapshot.variations_of(10)[0].stock_quantity, Some(7));
        assert_eq!(
            snapshot.product(10).unwrap().modified_gmt,
            Some(at(9)),
            "the parent of a written variation is saved too"
        );
        assert_eq!(snapshot.newest_product_change(), Some(at(9)));
    }

    #[test]
    fn recorded_changes_are_stored_small_and_seen_by_another_instance() {
        let host: Arc<dyn HostPort> = Arc::new(MemoryHost {
            cas: true,
            ..MemoryHost::default()
        });
        let first = CatalogCache::new(Arc::clone(&host));
        let (_, stored) = first.put(catalog(), 1);
        assert_eq!(stored, Stored::Saved);
        let base = chunked::version(host.as_ref(), CACHE_KEY).unwrap();
        let held = first.get().unwrap().unwrap();
        first
            .record(Changes::written(&[item(20, None, 5, 3)]), 2)
            .unwrap();
        assert_eq!(
            chunked::version(host.as_ref(), CACHE_KEY).unwrap(),
            base,
            "the catalog is not rewritten for a write"
        );
        assert_eq!(held.product(20).unwrap().stock_quantity, Some(1));
        let now = first.get().unwrap().unwrap();
        assert_eq!(now.product(20).unwrap().stock_quantity, Some(5));

        let second = CatalogCache::new(Arc::clone(&host));
        let there = second.get().unwrap().unwrap();
        assert_eq!(there.product(20).unwrap().stock_quantity, Some(5));
        second
            .record(Changes::written(&[item(30, None, 9, 4)]), 3)
            .unwrap();
        let back = first.get().unwrap().unwrap();
        assert_eq!(back.product(30).unwrap().stock_quantity, Some(9));
        assert_eq!(back.product(20).unwrap().stock_quantity, Some(5));

        assert_eq!(first.clear().unwrap(), 5);
        assert!(second.get().unwrap().is_none());
    }

    #[test]
    fn a_large_catalog_is_stored_in_parts_and_replaced_whole() {
        let host: Arc<dyn HostPort> = Arc::new(MemoryHost {
            cas: true,
            ..MemoryHost::default()
        });
        let big = |quantity| {
            Snapshot::new(
                Some(at(0)),
                (1..=(2 * PART_ITEMS as u64 + 5))
                    .map(|id| item(id, None, quantity, 1))
                    .collect(),
            )
        };
        let cache = CatalogCache::new(Arc::clone(&host));
        let _ = cache.put(big(1), 1);
        let first = read_manifest(host.as_ref()).unwrap().unwrap();
        assert_eq!(first.parts, 3);
        let _ = cache.put(big(2), 2);
        let again = CatalogCache::new(Arc::clone(&host)).get().unwrap().unwrap();
        assert_eq!(again.items.len(), 2 * PART_ITEMS + 5);
        assert!(again.items.iter().all(|i| i.stock_quantity == Some(2)));
        assert!(
            chunked::read(host.as_ref(), &part_key(&first.generation, 0))
                .unwrap()
                .is_none(),
            "the parts of the replaced version are removed"
        );
    }

    #[test]
    fn many_changes_are_folded_into_the_catalog() {
        let host: Arc<dyn HostPort> = Arc::new(MemoryHost {
            cas: true,
            ..MemoryHost::default()
        });
        let cache = CatalogCache::new(Arc::clone(&host));
        let _ = cache.put(catalog(), 1);
        let base = chunked::version(host.as_ref(), CACHE_KEY).unwrap();
        let many: Vec<WooItem> = (100..100 + FOLD_AT_LEAST as u64 + 1)
            .map(|id| item(id, None, 1, 2))
            .collect();
        cache.record(Changes::written(&many), 2).unwrap();
        assert_ne!(chunked::version(host.as_ref(), CACHE_KEY).unwrap(), base);
        assert_eq!(chunked::version(host.as_ref(), CHANGES_KEY).unwrap(), None);
        let fresh = CatalogCache::new(host);
        assert_eq!(
            fresh.get().unwrap().unwrap().items.len(),
            5 + FOLD_AT_LEAST + 1
        );
    }
}
