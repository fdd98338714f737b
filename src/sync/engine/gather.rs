//! Gathering shared by the Items operations: the selected QBM items, their store matches read
//! fresh, their quantities, the shared stock of parent products, and recording what was
//! written (links and the cached catalog).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use super::Engine;
use crate::host_port::{Host, Item, ItemsQuery, Link, LinkKind, LinksQuery, StockQuery};
use crate::integration_log::Category;
use crate::sync::catalog::{Snapshot, StockMode, Stored, WooItem};
use crate::sync::error::SyncResult;
use crate::sync::matching::{self, ItemMatch, SkuIndex};
use crate::sync::rows::{Row, RowOutcome};
use crate::sync::stock::{QuantityError, quantities_by_item, store_quantity};
use crate::woo::{ProductWrite, RecordError, Variation, WooError};

/// The selected QBM items in selection order (each once), and rows for ids QBM does not know.
pub fn selected_items(engine: &Engine, selection: &[String]) -> SyncResult<(Vec<Item>, Vec<Row>)> {
    let found = engine.host.items_query(&ItemsQuery {
        ids: Some(selection.to_vec()),
        ..ItemsQuery::default()
    })?;
    let by_id: HashMap<&str, &Item> = found
        .iter()
        .filter_map(|i| i.id.as_deref().map(|id| (id, i)))
        .collect();
    let mut items = Vec::new();
    let mut unknown = Vec::new();
    let mut seen = HashSet::new();
    for id in selection {
        if !seen.insert(id.as_str()) {
            continue;
        }
        match by_id.get(id.as_str()) {
            Some(item) => items.push((*item).clone()),
            None => unknown.push(Row::new(
                id.clone(),
                None,
                "",
                RowOutcome::Failed,
                "there is no QBM item with this id",
            )),
        }
    }
    Ok((items, unknown))
}

/// Logs records the store sent that could not be read (they are skipped, never guessed).
pub fn log_bad_records(engine: &Engine, bad: &[RecordError]) {
    for record in bad {
        engine.log.warn(
            Category::Processing,
            &format!(
                "A store record was skipped because it could not be read: {}",
                record.error
            ),
        );
    }
}

/// The store items that may match `items`, read fresh by SKU (and lookup code when that option
/// is on): what writes are based on.
pub fn lookup_in_store(engine: &Engine, items: &[Item]) -> SyncResult<Vec<WooItem>> {
    let by_lookup = engine.settings.match_by_lookup_code;
    let codes: BTreeSet<String> = items
        .iter()
        .flat_map(|item| matching::codes_to_look_up(item, by_lookup))
        .collect();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<String> = codes.into_iter().collect();
    let listing = engine.store(move |client, cancel, _| async move {
        client.products_by_sku(&codes, &cancel).await
    })??;
    log_bad_records(engine, &listing.bad_records);
    Ok(listing.records.iter().map(WooItem::from_product).collect())
}

/// Matches each item against `store`, keyed by QBM item id.
pub fn match_all(items: &[Item], store: &[WooItem], by_lookup: bool) -> HashMap<String, ItemMatch> {
    let index = SkuIndex::new(store);
    items
        .iter()
        .map(|item| {
            (
                item.id.clone().unwrap_or_default(),
                matching::match_item(item, &index, by_lookup),
            )
        })
        .collect()
}

/// Online quantities (whole units) of the given QBM items over the configured locations; empty
/// when no location is configured. A quantity the store cannot hold is reported per item.
pub fn quantities(
    engine: &Engine,
    item_ids: &[String],
) -> SyncResult<HashMap<String, Result<i64, QuantityError>>> {
    let locations = engine.settings.stock_locations();
    if locations.is_empty() || item_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let levels = engine.host.stock_on_hand(&StockQuery {
        item_ids: item_ids.to_vec(),
        location_ids: locations,
    })?;
    let sums = quantities_by_item(&levels);
    Ok(item_ids
        .iter()
        .map(|id| {
            (
                id.clone(),
                store_quantity(sums.get(id).copied().unwrap_or_default()),
            )
        })
        .collect())
}

/// For parents whose variations share the parent's stock: the parent products and the shared
/// quantity each should get (the QBM item matched to the parent itself, else the sum of the QBM
/// items matched to its stock-sharing variations).
pub fn parent_pools(
    engine: &Engine,
    parents: &BTreeSet<u64>,
) -> SyncResult<(HashMap<u64, WooItem>, HashMap<u64, i64>)> {
    let by_lookup = engine.settings.match_by_lookup_code;
    let mut products = HashMap::new();
    let mut pools = HashMap::new();
    for &parent_id in parents {
        engine.check_cancelled()?;
        let (parent, variations) = engine.store(move |client, cancel, _| async move {
            let parent = client.get_product(parent_id).await?;
            let variations = client.list_all_variations(parent_id, &cancel).await?;
            Ok::<_, WooError>((parent, variations))
        })??;
        log_bad_records(engine, &variations.bad_records);
        let mut members: Vec<WooItem> = variations
            .records
            .iter()
            .map(|v| WooItem::from_variation(&parent, v))
            .filter(|v| v.stock == StockMode::Parent)
            .collect();
        let parent_item = WooItem::from_product(&parent);
        let codes: Vec<String> = members
            .iter()
            .chain(std::iter::once(&parent_item))
            .filter_map(|w| w.sku.clone())
            .collect();
        let candidates = engine.host.items_query(&ItemsQuery {
            lookup_codes: by_lookup.then(|| codes.clone()),
            skus: Some(codes),
            ..ItemsQuery::default()
        })?;
        let ids: Vec<String> = candidates.iter().filter_map(|i| i.id.clone()).collect();
        let quantity_of = quantities(engine, &ids)?;
        let of = |qbm_id: &str| {
            quantity_of
                .get(qbm_id)
                .and_then(|q| q.as_ref().ok())
                .copied()
                .unwrap_or(0)
        };
        let matched = match_all(&candidates, std::slice::from_ref(&parent_item), by_lookup);
        let pool = match matched
            .iter()
            .find(|(_, m)| matches!(m, ItemMatch::Found { .. }))
        {
            Some((qbm_id, _)) => of(qbm_id),
            None => {
                members.retain(|m| m.sku.is_some());
                match_all(&candidates, &members, by_lookup)
                    .iter()
                    .filter(|(_, m)| matches!(m, ItemMatch::Found { .. }))
                    .map(|(qbm_id, _)| of(qbm_id))
                    .sum()
            }
        };
        pools.insert(parent_id, pool);
        products.insert(parent_id, parent_item);
    }
    Ok((products, pools))
}

/// Records links between QBM items and store items; a store item already linked to another QBM
/// item keeps its link and is reported as a warning.
pub fn record_links(
    engine: &Engine,
    links: Vec<Link>,
    warnings: &mut Vec<String>,
) -> SyncResult<()> {
    if links.is_empty() {
        return Ok(());
    }
    let existing = engine.host.links_get(&LinksQuery {
        kind: LinkKind::Item,
        woo_ids: Some(links.iter().map(|l| l.woo_id.clone()).collect()),
        qbm_ids: None,
    })?;
    let known: HashMap<&str, &str> = existing
        .iter()
        .map(|l| (l.woo_id.as_str(), l.qbm_id.as_str()))
        .collect();
    let mut fresh = Vec::new();
    for link in links {
        match known.get(link.woo_id.as_str()) {
            Some(qbm_id) if *qbm_id == link.qbm_id => {}
            Some(qbm_id) => warnings.push(format!(
                "store item {} stays linked to QBM item {qbm_id}; it now also matches QBM item {}",
                link.woo_id, link.qbm_id
            )),
            None => fresh.push(link),
        }
    }
    engine.host.links_put(fresh)?;
    Ok(())
}

pub fn item_link(qbm_id: &str, woo: &WooItem) -> Link {
    Link {
        kind: LinkKind::Item,
        woo_id: woo.id.to_string(),
        woo_parent_id: woo.parent_id.map(|p| p.to_string()),
        qbm_id: qbm_id.to_string(),
        created_at: None,
    }
}

/// Stores a freshly read catalog; a refusal of QBM's storage only costs the cache.
pub fn remember(engine: &Engine, snapshot: Snapshot) -> Arc<Snapshot> {
    let stamp = engine.clock.now().timestamp_millis().max(0) as u64;
    let kept = Arc::new(snapshot.clone());
    if let Stored::NotCached(why) = engine.catalog.put(snapshot, stamp) {
        engine.log.warn(
            Category::Processing,
            &format!(
                "The WooCommerce catalog was read but not cached ({why}); the next action reads the store again"
            ),
        );
        return kept;
    }
    engine.catalog.get().ok().flatten().unwrap_or(kept)
}

/// Replaces or adds written store items in the cached catalog, when there is one.
pub fn refresh_cached(engine: &Engine, written: &[WooItem]) -> SyncResult<()> {
    if written.is_empty() {
        return Ok(());
    }
    if let Some(cached) = engine.catalog.get()? {
        let mut snapshot = (*cached).clone();
        let position: HashMap<u64, usize> = snapshot
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| (item.id, index))
            .collect();
        for item in written {
            match position.get(&item.id) {
                Some(index) => snapshot.items[*index] = item.clone(),
                None => snapshot.items.push(item.clone()),
            }
        }
        remember(engine, snapshot);
    }
    Ok(())
}

/// A write for the parent's shared stock.
pub fn pool_write(parent: u64, quantity: i64) -> ProductWrite {
    ProductWrite {
        id: Some(parent),
        manage_stock: Some(true),
        stock_quantity: Some(quantity),
        ..ProductWrite::default()
    }
}

/// A written variation as a cache entry (the batch answer lacks the parent's name).
pub fn variation_item(parent: u64, variation: &Variation, before: Option<&WooItem>) -> WooItem {
    WooItem {
        id: variation.id,
        parent_id: Some(parent),
        kind: "variation".into(),
        sku: Some(variation.sku.trim().to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| before.and_then(|b| b.sku.clone())),
        name: before.map_or_else(|| variation.name.clone(), |b| b.name.clone()),
        regular_price: variation.regular_price,
        price: variation.price,
        stock: variation.manage_stock.into(),
        stock_quantity: variation.stock_quantity,
        status: variation.status.clone(),
        barcode: before.and_then(|b| b.barcode.clone()),
        is_virtual: before.is_some_and(|b| b.is_virtual),
        modified_gmt: variation.date_modified_gmt,
    }
}
