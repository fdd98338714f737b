//! Reading the store's catalog (products and variations) into the cache.
//!
//! Without a cache, a load reads every product (100 a page) and the variations of every
//! variable product. With one, it reads only the products changed since the newest change it
//! holds (less a second, because the store compares strictly and dates have whole seconds) and
//! the variations of variable products whose modification date moved (saving a variation saves
//! its parent). Variations are read while the product pages still arrive, several at once.
//!
//! The newest second is always listed again, and after a large write of this plugin it holds
//! hundreds of products the cache already has exactly (their dates came back with the write).
//! When the first page says the listing holds exactly as many products as the cache has in that
//! window, and every product on it is one the cache has with the same date, the rest is those
//! same products and is not read: the check costs one request however much was written.
//!
//! What is missed this way: deletions, changes that do not touch a product's modification date
//! (a plugin writing to the database), and a change made by someone else within the same second
//! as a write of this plugin to the same product. Clear Cache forces the full reload.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use chrono::Duration;
use futures_util::stream::FuturesUnordered;
use futures_util::{Stream, StreamExt};

use super::Engine;
use super::gather::{log_bad_records, remember};
use crate::integration_log::Category;
use crate::runtime::Reporter;
use crate::sync::catalog::{Changes, ParentFacts, Removed, Snapshot, Stored, WooItem};
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::names::ProductType;
use crate::woo::{CancelToken, Page, Product, ProductQuery, RecordError, WooClient, WooError};

/// Variation reads kept waiting for the client: its own adaptive limit decides how many are
/// really in flight; this only keeps it supplied.
const VARIATION_READS_AHEAD: usize = 16;

/// What a load did.
pub struct Loaded {
    pub snapshot: Arc<Snapshot>,
    /// `true` when only changes were read.
    pub incremental: bool,
    pub products_read: usize,
    pub variations_read: usize,
}

/// What the store sent, already in the cache's shape (a page's products are not kept), products
/// and variations in one list: grown in place, it is never copied into a second one.
#[derive(Default)]
struct Read {
    items: Vec<WooItem>,
    products: usize,
    variations: usize,
    /// Variable products whose variations were read.
    reloaded: HashSet<u64>,
    bad: Vec<RecordError>,
}

async fn variations_of(
    client: Arc<WooClient>,
    parent: ParentFacts,
    cancel: CancelToken,
) -> Result<(Vec<WooItem>, Vec<RecordError>), WooError> {
    let listing = client.list_all_variations(parent.id, &cancel).await?;
    let items = listing
        .records
        .iter()
        .map(|v| WooItem::from_variation_of(&parent, v))
        .collect();
    Ok((items, listing.bad_records))
}

/// Reads the listed products and, as their pages arrive, the variations of the variable ones
/// that are new or changed (`cached` says what is known).
async fn read_catalog(
    client: Arc<WooClient>,
    pages: impl Stream<Item = Result<Page<Product>, WooError>>,
    cached: Option<(Arc<Snapshot>, usize)>,
    cancel: CancelToken,
    reporter: Reporter,
) -> Result<Read, WooError> {
    let mut read = Read::default();
    let mut pages = std::pin::pin!(pages);
    let mut pages_done = false;
    let mut waiting: VecDeque<ParentFacts> = VecDeque::new();
    let mut reads = FuturesUnordered::new();
    let mut variable = 0usize;
    loop {
        if cancel.is_cancelled() {
            return Err(WooError::cancelled());
        }
        while reads.len() < VARIATION_READS_AHEAD {
            let Some(parent) = waiting.pop_front() else {
                break;
            };
            reads.push(variations_of(Arc::clone(&client), parent, cancel.clone()));
        }
        if pages_done && reads.is_empty() {
            return Ok(read);
        }
        tokio::select! {
            page = pages.next(), if !pages_done => match page {
                None => pages_done = true,
                Some(page) => {
                    let page = page?;
                    read.bad.extend(page.bad_records);
                    let mut all_known = true;
                    for product in page.records {
                        let item = WooItem::from_product(&product);
                        let known = cached.as_ref().and_then(|(c, _)| c.product(product.id));
                        let same_date = known.is_some_and(|k| k.modified_gmt == item.modified_gmt);
                        all_known &= same_date;
                        if product.product_type == "variable" && !same_date {
                            read.reloaded.insert(product.id);
                            waiting.push_back(ParentFacts::of(&product));
                            variable += 1;
                        }
                        read.items.push(item);
                        read.products += 1;
                    }
                    let echo = cached.as_ref().is_some_and(|(_, window)| {
                        page.number == 1 && page.total_items == Some(*window as u64)
                    });
                    if echo && all_known {
                        pages_done = true;
                    }
                    reporter.report(
                        read.products as u64,
                        page.total_items.unwrap_or(0),
                        format!(
                            "Read {} products; reading the variations of {variable} variable products…",
                            read.products
                        ),
                    );
                }
            },
            done = reads.next(), if !reads.is_empty() => {
                if let Some(done) = done {
                    let (items, bad) = done?;
                    read.variations += items.len();
                    read.items.extend(items);
                    read.bad.extend(bad);
                }
            }
            else => return Ok(read),
        }
    }
}

/// What an incremental read changes in the cached catalog: the products and variations read
/// that differ from the cached ones, and the cached variations of reloaded (or no longer
/// variable) products that the store no longer lists. Empty when nothing changed: the cache
/// then stays as it is and is not written again.
fn changes_of(cached: &Snapshot, read: &Read, loaded_at: chrono::DateTime<chrono::Utc>) -> Changes {
    let fresh: HashSet<u64> = read
        .items
        .iter()
        .filter(|i| i.is_variation())
        .map(|v| v.id)
        .collect();
    let mut removed = Vec::new();
    for product in read.items.iter().filter(|i| !i.is_variation()) {
        let reloaded = read.reloaded.contains(&product.id);
        if !reloaded && product.kind == ProductType::Variable {
            continue;
        }
        removed.extend(
            cached
                .variations_of(product.id)
                .iter()
                .filter(|v| !reloaded || !fresh.contains(&v.id))
                .map(Removed::of),
        );
    }
    // Only what differs: the window repeats what the cache has.
    let differs = |item: &&WooItem| match item.parent_id {
        None => cached.product(item.id) != Some(*item),
        Some(parent) => cached.variation(parent, item.id) != Some(*item),
    };
    Changes {
        items: read.items.iter().filter(differs).cloned().collect(),
        removed,
        touched: Vec::new(),
        loaded_at: Some(loaded_at),
    }
}

/// Reads the store into a new snapshot, or updates the cached one with what changed since it,
/// and caches the result.
pub fn refresh(engine: &Engine) -> SyncResult<Loaded> {
    let previous = engine.catalog.get()?;
    let since = previous
        .as_ref()
        .and_then(|s| s.newest_product_change())
        .map(|newest| newest - Duration::seconds(1));
    let query = ProductQuery {
        modified_after: since,
        ..ProductQuery::default()
    };
    engine.progress(0, 0, "Reading products from the store…");
    // How many cached products the listing repeats when nothing else changed.
    let cached = previous.clone().zip(since).map(|(snapshot, since)| {
        let window = snapshot
            .items
            .iter()
            .filter(|i| !i.is_variation() && i.modified_gmt.is_some_and(|m| m > since))
            .count();
        (snapshot, window)
    });
    let read = engine.store(move |client, cancel, reporter| async move {
        let pages = client.products(query, &cancel);
        read_catalog(client, pages, cached, cancel, reporter).await
    })??;
    log_bad_records(engine, &read.bad);
    engine.check_cancelled()?;
    let products_read = read.products;
    let variations_read = read.variations;
    let now = engine.clock.now();
    let snapshot = match previous.filter(|_| since.is_some()) {
        Some(cached) => {
            let changes = changes_of(&cached, &read, now);
            drop(read);
            if changes.items.is_empty() && changes.removed.is_empty() {
                // Nothing changed: the cache stays as it is (and is not written again).
                return Ok(Loaded {
                    snapshot: cached,
                    incremental: true,
                    products_read,
                    variations_read,
                });
            }
            let stamp = now.timestamp_millis().max(0) as u64;
            let recorded = engine.catalog.record(changes.clone(), stamp);
            let stored = match &recorded {
                Ok(Stored::Saved) => engine.catalog.get().ok().flatten(),
                _ => None,
            };
            match stored {
                Some(snapshot) => snapshot,
                None => {
                    let why = match recorded {
                        Ok(Stored::NotCached(why)) => why,
                        Err(err) => err.to_string(),
                        Ok(Stored::Saved) => "it could not be read back".into(),
                    };
                    engine.log.warn(
                        Category::Processing,
                        &format!(
                            "The WooCommerce catalog was read but not cached ({why}); the next action reads the store again"
                        ),
                    );
                    let mut snapshot = (*cached).clone();
                    snapshot.apply(&changes);
                    Arc::new(snapshot)
                }
            }
        }
        None => remember(engine, Snapshot::new(Some(now), read.items)),
    };
    Ok(Loaded {
        snapshot,
        incremental: since.is_some(),
        products_read,
        variations_read,
    })
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
