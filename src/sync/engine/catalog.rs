//! Reading the store's catalog (products and variations) into the cache.
//!
//! Without a cache, a load reads every product (100 a page) and the variations of every
//! variable product. With one, it reads only the products changed since the newest change it
//! holds (less a second, because the store compares strictly) and the variations of changed
//! variable products. Deletions and changes that do not touch a product's modification date (a
//! variation edited on its own, a plugin writing to the database) are not seen that way: Clear
//! Cache forces the full reload.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::Duration;
use futures_util::{StreamExt, stream};

use super::Engine;
use super::gather::{log_bad_records, remember};
use crate::sync::catalog::{Snapshot, WooItem};
use crate::sync::error::{SyncError, SyncResult};
use crate::woo::{CancelToken, Product, ProductQuery, RecordError, WooClient, WooError};

/// Variable products whose variations are read at the same time.
const VARIATION_READS_IN_PARALLEL: usize = 4;

/// What a load did.
pub struct Loaded {
    pub snapshot: Arc<Snapshot>,
    /// `true` when only changes were read.
    pub incremental: bool,
    pub products_read: usize,
    pub variations_read: usize,
}

async fn variations_of(
    client: Arc<WooClient>,
    parents: Vec<Product>,
    cancel: CancelToken,
) -> Result<(Vec<WooItem>, Vec<RecordError>), WooError> {
    let results: Vec<_> = stream::iter(parents)
        .map(|parent| {
            let client = Arc::clone(&client);
            let cancel = cancel.clone();
            async move {
                let listing = client.list_all_variations(parent.id, &cancel).await?;
                let items: Vec<WooItem> = listing
                    .records
                    .iter()
                    .map(|v| WooItem::from_variation(&parent, v))
                    .collect();
                Ok::<_, WooError>((items, listing.bad_records))
            }
        })
        .buffered(VARIATION_READS_IN_PARALLEL)
        .collect()
        .await;
    let mut items = Vec::new();
    let mut bad = Vec::new();
    for result in results {
        let (part, part_bad) = result?;
        items.extend(part);
        bad.extend(part_bad);
    }
    Ok((items, bad))
}

/// Reads the store into a new snapshot, or updates the cached one with what changed since it,
/// and caches the result.
pub fn refresh(engine: &Engine) -> SyncResult<Loaded> {
    let previous = engine.catalog.get()?;
    let since = previous
        .as_ref()
        .and_then(|s| {
            s.items
                .iter()
                .filter(|i| !i.is_variation())
                .filter_map(|i| i.modified_gmt)
                .max()
        })
        .map(|newest| newest - Duration::seconds(1));
    let query = ProductQuery {
        modified_after: since,
        ..ProductQuery::default()
    };
    engine.progress(0, 0, "Reading products from the store…");
    let products = engine.store(move |client, cancel, _| async move {
        client.list_all_products(query, &cancel).await
    })??;
    log_bad_records(engine, &products.bad_records);
    let variable: Vec<Product> = products
        .records
        .iter()
        .filter(|p| p.product_type == "variable")
        .cloned()
        .collect();
    engine.progress(
        products.records.len() as u64,
        0,
        &format!(
            "Read {} products; reading the variations of {} variable products…",
            products.records.len(),
            variable.len()
        ),
    );
    let parents = variable.clone();
    let (variations, bad) =
        engine.store(move |client, cancel, _| variations_of(client, parents, cancel))??;
    log_bad_records(engine, &bad);
    engine.check_cancelled()?;
    let products_read = products.records.len();
    let variations_read = variations.len();
    let fresh: Vec<WooItem> = products
        .records
        .iter()
        .map(WooItem::from_product)
        .chain(variations)
        .collect();
    let incremental = since.is_some();
    let items = match previous.filter(|_| incremental) {
        Some(cached) => {
            // Changed variable products bring their complete, current list of variations.
            let replaced: HashSet<u64> = fresh.iter().map(|f| f.id).collect();
            let reloaded: HashSet<u64> = variable.iter().map(|v| v.id).collect();
            let mut items: Vec<WooItem> = cached
                .items
                .iter()
                .filter(|item| {
                    !replaced.contains(&item.id)
                        && !item.parent_id.is_some_and(|p| reloaded.contains(&p))
                })
                .cloned()
                .collect();
            items.extend(fresh);
            items
        }
        None => fresh,
    };
    let snapshot = remember(
        engine,
        Snapshot {
            loaded_at: Some(engine.clock.now()),
            items: order(items),
        },
    );
    Ok(Loaded {
        snapshot,
        incremental,
        products_read,
        variations_read,
    })
}

/// Parents by id, each followed by its variations.
fn order(items: Vec<WooItem>) -> Vec<WooItem> {
    let mut parents: BTreeMap<u64, (Option<WooItem>, Vec<WooItem>)> = BTreeMap::new();
    for item in items {
        match item.parent_id {
            Some(parent) => parents.entry(parent).or_default().1.push(item),
            None => {
                let id = item.id;
                parents.entry(id).or_default().0 = Some(item);
            }
        }
    }
    parents
        .into_values()
        .flat_map(|(parent, mut variations)| {
            variations.sort_by_key(|v| v.id);
            parent.into_iter().chain(variations)
        })
        .collect()
}

/// The cached catalog, loading it first when there is none.
pub fn ensure(engine: &Engine) -> SyncResult<Arc<Snapshot>> {
    if let Some(snapshot) = engine.catalog.get()? {
        return Ok(snapshot);
    }
    let loaded = refresh(engine)?;
    if engine.is_cancelled() {
        return Err(SyncError::Cancelled);
    }
    Ok(loaded.snapshot)
}
