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
    /// `simple`, `variable`, `variation`, `grouped`, `external`, …
    pub kind: String,
    /// The item's own SKU (a variation that only shows its parent's SKU has none).
    pub sku: Option<String>,
    /// The product name; for variations the parent's name followed by the attribute values.
    pub name: String,
    pub regular_price: Option<Decimal>,
    pub price: Option<Decimal>,
    pub stock: StockMode,
    pub stock_quantity: Option<i64>,
    pub status: String,
    /// GTIN/UPC/EAN when the store has the field (WooCommerce 9.2+) or an `ean`/`gtin` meta.
    pub barcode: Option<String>,
    /// A virtual product (a service, a gift card …): nothing to ship or count.
    #[serde(default)]
    pub is_virtual: bool,
    pub modified_gmt: Option<DateTime<Utc>>,
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
            kind: product.product_type.clone(),
            sku: Some(product.sku.trim().to_string()).filter(|s| !s.is_empty()),
            name: product.name.clone(),
            regular_price: product.regular_price,
            price: product.price,
            stock: product.manage_stock.into(),
            stock_quantity: product.stock_quantity,
            status: product.status.clone(),
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

    pub fn from_variation(parent: &Product, variation: &Variation) -> Self {
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
            kind: "variation".to_string(),
            sku: variation
                .own_sku(&parent.sku)
                .map(|sku| sku.trim().to_string()),
            name,
            regular_price: variation.regular_price,
            price: variation.price,
            stock: variation.manage_stock.into(),
            stock_quantity: variation.stock_quantity,
            status: variation.status.clone(),
            barcode: variation.global_unique_id.clone().filter(|g| !g.is_empty()),
            is_virtual: parent.is_virtual,
            modified_gmt: variation.date_modified_gmt,
        }
    }
}

/// The cached catalog and when it was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub loaded_at: Option<DateTime<Utc>>,
    pub items: Vec<WooItem>,
}

/// What writing the cache did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Saved,
    /// QBM refused to store it (too large, storage failing): the catalog is used for this call
    /// only and read from the store again next time.
    NotCached(String),
}

/// The cache of one plugin instance, in memory and in the host's company state.
pub struct CatalogCache {
    host: Arc<dyn HostPort>,
    /// The snapshot and the stored version it came from.
    memory: Mutex<Option<(Option<String>, Arc<Snapshot>)>>,
}

impl CatalogCache {
    pub fn new(host: Arc<dyn HostPort>) -> Self {
        Self {
            host,
            memory: Mutex::new(None),
        }
    }

    /// The cached catalog, if any. Reads the stored copy only when another workstation (or
    /// instance) stored a newer one than the one in memory.
    pub fn get(&self) -> Result<Option<Arc<Snapshot>>, StateError> {
        let stored_version = chunked::version(self.host.as_ref(), CACHE_KEY)?;
        if let Some((version, snapshot)) = self
            .memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            && *version == stored_version
        {
            return Ok(Some(Arc::clone(snapshot)));
        }
        let Some(text) = chunked::read(self.host.as_ref(), CACHE_KEY)? else {
            *self.memory.lock().unwrap_or_else(PoisonError::into_inner) = None;
            return Ok(None);
        };
        // An unreadable cache is only a cache: it is read from the store again.
        let Ok(snapshot) = serde_json::from_str::<Snapshot>(&text) else {
            return Ok(None);
        };
        let snapshot = Arc::new(snapshot);
        *self.memory.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((stored_version, Arc::clone(&snapshot)));
        Ok(Some(snapshot))
    }

    /// Replaces the cached catalog. A refusal by QBM's storage degrades to "not cached".
    pub fn put(&self, snapshot: Snapshot, stamp: u64) -> Stored {
        let snapshot = Arc::new(snapshot);
        let text = match serde_json::to_string(snapshot.as_ref()) {
            Ok(text) => text,
            Err(err) => return Stored::NotCached(format!("it could not be encoded: {err}")),
        };
        let host = self.host.as_ref();
        let written = chunked::write(host, CACHE_KEY, &text, stamp);
        drop(text);
        let version = chunked::version(host, CACHE_KEY).ok().flatten();
        *self.memory.lock().unwrap_or_else(PoisonError::into_inner) = Some((version, snapshot));
        if matches!(
            host.storage_get(StorageArea::CompanyState, LEGACY_KEY),
            Ok(Some(_))
        ) {
            let _ = host.storage_set(StorageArea::CompanyState, LEGACY_KEY, None);
        }
        match written {
            Ok(()) => Stored::Saved,
            Err(err) => Stored::NotCached(err.to_string()),
        }
    }

    /// Empties the cache; returns how many items it held.
    pub fn clear(&self) -> Result<usize, StateError> {
        let held = self.get()?.map_or(0, |s| s.items.len());
        chunked::clear(self.host.as_ref(), CACHE_KEY)?;
        state::update(
            self.host.as_ref(),
            StorageArea::CompanyState,
            LEGACY_KEY,
            |_| None,
        )?;
        *self.memory.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(held)
    }
}
