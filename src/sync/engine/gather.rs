//! Gathering shared by the Items operations: the selected QBM items, what the store shows for
//! them, their quantities, the shared stock of parent products, sending the planned batches and
//! recording what was written (links and the cached catalog).
//!
//! **What the store shows** comes from the cached catalog when there is one: one request checks
//! it is current (the incremental Refresh, which also reads whatever changed), and nothing else
//! is read. Without a cache, the store is asked for exactly the selection: linked items by id
//! (products 100 a request, variations 100 a request per parent), the others by SKU (100 a
//! request), and the parents whose variations share their stock with their variations; all of it
//! several requests at once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use futures_util::StreamExt;

use super::Engine;
use super::catalog;
use super::create_update::stops_everything;
use crate::host_port::{Host, Item, ItemsQuery, Link, LinkKind, LinksQuery, StockQuery};
use crate::integration_log::Category;
use crate::sync::catalog::{Changes, ParentFacts, Snapshot, StockMode, Stored, WooItem};
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::matching::{self, ItemMatch, MatchedBy, SkuIndex};
use crate::sync::names::{PostStatus, ProductType};
use crate::sync::rows::{Row, RowOutcome, Stop};
use crate::sync::stock::{QuantityError, quantities_by_item, store_quantity};
use crate::woo::{
    Batch, BatchOutcome, CancelToken, ItemError, Product, ProductWrite, RecordError, Variation,
    VariationWrite, WooClient, WooError, WooErrorKind,
};

/// Requests of one kind kept waiting for the client: its own adaptive limit decides how many
/// are really in flight (4 at first, at most 8); this only keeps it supplied.
const AHEAD: usize = 16;

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

/// Matches each item against `store` by SKU (and lookup code), keyed by QBM item id, with the
/// store items matched, by id. Only store items carrying one of the items' codes are indexed:
/// matching a few items against a large catalog costs little memory.
pub fn match_all<'a>(
    items: &[Item],
    store: &'a [WooItem],
    by_lookup: bool,
) -> (HashMap<String, ItemMatch>, HashMap<u64, &'a WooItem>) {
    let codes = wanted_codes(items, by_lookup);
    let coded: Vec<&WooItem> = store.iter().filter(|w| carries(w, &codes)).collect();
    let by_id: HashMap<u64, &WooItem> = coded.iter().map(|w| (w.id, *w)).collect();
    let index = SkuIndex::new(coded);
    let mut found = HashMap::new();
    let matches = items
        .iter()
        .map(|item| {
            let matched = matching::match_item(item, &index, by_lookup);
            if let ItemMatch::Found { woo_id, .. } = &matched
                && let Some(woo) = by_id.get(woo_id)
            {
                found.insert(*woo_id, *woo);
            }
            (item.id.clone().unwrap_or_default(), matched)
        })
        .collect();
    (matches, found)
}

/// The codes under which `items` may be found in the store, as the store compares them.
fn wanted_codes(items: &[Item], by_lookup: bool) -> HashSet<String> {
    items
        .iter()
        .flat_map(|item| matching::codes_to_look_up(item, by_lookup))
        .map(|code| matching::sku_key(&code))
        .collect()
}

fn carries(woo: &WooItem, codes: &HashSet<String>) -> bool {
    woo.sku
        .as_deref()
        .is_some_and(|sku| codes.contains(&matching::sku_key(sku)))
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

/// What the store shows for a selection of QBM items.
#[derive(Debug, Default)]
pub struct StoreView {
    /// How each item (by QBM id) matches: by its link first, then by SKU, then by lookup code
    /// when that option is on. A linked item is reported as found by SKU (links are made by
    /// matches).
    pub matches: HashMap<String, ItemMatch>,
    /// The matched store items, by id.
    pub store: HashMap<u64, WooItem>,
    /// Parents of matched variations whose stock the parent manages, by id.
    pub parents: HashMap<u64, WooItem>,
    /// The shared quantity each of those parents should get: the quantity of the QBM item
    /// matched to the parent itself, else the sum of the QBM items matched to its stock-sharing
    /// variations. Empty when no location is configured.
    pub pools: HashMap<u64, i64>,
    /// First matches by a code, to record as links.
    pub new_links: Vec<Link>,
}

/// Store items read for a selection without a cached catalog.
#[derive(Default)]
struct Selection {
    /// Read by id through the items' links.
    linked: Vec<WooItem>,
    /// Found by SKU.
    by_code: Vec<WooItem>,
}

/// What is known of the store, for matching.
struct Known<'a> {
    by_id: HashMap<u64, &'a WooItem>,
    index: SkuIndex<'a>,
}

fn links_of(engine: &Engine, items: &[Item]) -> SyncResult<HashMap<String, Link>> {
    let ids: Vec<String> = items.iter().filter_map(|i| i.id.clone()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(engine
        .host
        .links_get(&LinksQuery {
            kind: LinkKind::Item,
            woo_ids: None,
            qbm_ids: Some(ids),
        })?
        .into_iter()
        .map(|l| (l.qbm_id.clone(), l))
        .collect())
}

fn woo_id(link: &Link) -> Option<u64> {
    link.woo_id.parse().ok()
}

fn parent_of(link: &Link) -> Option<u64> {
    link.woo_parent_id.as_deref().and_then(|p| p.parse().ok())
}

/// Reads what a selection needs from the store. Linked products by id (100 a request); every
/// other item by its codes (100 a request, products and variations alike): a variation read by
/// id costs a request per parent, by code a hundredth of one. Linked items not found that way
/// (the store changed their SKU, or no longer has them) are read by id, or looked up by code.
fn read_selection(
    engine: &Engine,
    items: &[Item],
    links: &HashMap<String, Link>,
) -> SyncResult<Selection> {
    let by_lookup = engine.settings.match_by_lookup_code;
    let mut products = Vec::new();
    let mut codes: BTreeSet<String> = BTreeSet::new();
    for item in items {
        match item
            .id
            .as_deref()
            .and_then(|id| links.get(id))
            .and_then(|l| Some((woo_id(l)?, parent_of(l))))
        {
            Some((id, None)) => products.push(id),
            _ => codes.extend(matching::codes_to_look_up(item, by_lookup)),
        }
    }
    let codes: Vec<String> = codes.into_iter().collect();
    let (linked, found) = read_by_id_and_code(engine, products, BTreeMap::new(), codes)?;
    let mut selection = Selection {
        linked,
        by_code: found.iter().map(WooItem::from_product).collect(),
    };
    // Linked items not found: variations by id per parent, products by code.
    let read: HashSet<u64> = selection
        .linked
        .iter()
        .chain(&selection.by_code)
        .map(|w| w.id)
        .collect();
    let mut variations: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let mut lost: BTreeSet<String> = BTreeSet::new();
    for item in items {
        let Some(link) = item.id.as_deref().and_then(|id| links.get(id)) else {
            continue;
        };
        match (woo_id(link), parent_of(link)) {
            (Some(id), _) if read.contains(&id) => {}
            (Some(id), Some(parent)) => variations.entry(parent).or_default().push(id),
            _ => lost.extend(matching::codes_to_look_up(item, by_lookup)),
        }
    }
    if variations.is_empty() && lost.is_empty() {
        return Ok(selection);
    }
    let lost: Vec<String> = lost.into_iter().collect();
    let (linked, found) = read_by_id_and_code(engine, Vec::new(), variations, lost)?;
    selection.linked.extend(linked);
    selection
        .by_code
        .extend(found.iter().map(WooItem::from_product));
    Ok(selection)
}

/// Store items by id ([`read_by_id`]) and products by SKU, at the same time; records the store
/// sent that could not be read are logged.
fn read_by_id_and_code(
    engine: &Engine,
    products: Vec<u64>,
    variations: BTreeMap<u64, Vec<u64>>,
    codes: Vec<String>,
) -> SyncResult<(Vec<WooItem>, Vec<Product>)> {
    let (linked, found, bad) = engine.store(move |client, cancel, _| async move {
        let by_id = read_by_id(&client, &products, variations, &cancel);
        let by_sku = async {
            if codes.is_empty() {
                Ok(Default::default())
            } else {
                client.products_by_sku(&codes, &cancel).await
            }
        };
        let (by_id, by_sku) = tokio::join!(by_id, by_sku);
        let (linked, mut bad) = by_id?;
        let by_sku = by_sku?;
        bad.extend(by_sku.bad_records);
        Ok::<_, WooError>((linked, by_sku.records, bad))
    })??;
    log_bad_records(engine, &bad);
    Ok((linked, found))
}

/// Products by id in bulk, and variations by id in bulk per parent, several requests at once.
pub(super) async fn read_by_id(
    client: &Arc<WooClient>,
    products: &[u64],
    variations: BTreeMap<u64, Vec<u64>>,
    cancel: &CancelToken,
) -> Result<(Vec<WooItem>, Vec<RecordError>), WooError> {
    let products = async {
        if products.is_empty() {
            Ok(Default::default())
        } else {
            client.products_by_ids(products, cancel).await
        }
    };
    let variations = futures_util::stream::iter(variations)
        .map(|(parent, ids)| async move {
            let listing = client.variations_by_ids(parent, &ids, cancel).await?;
            Ok::<_, WooError>((parent, listing))
        })
        .buffer_unordered(AHEAD)
        .collect::<Vec<_>>();
    let (products, variations) = tokio::join!(products, variations);
    let products = products?;
    let mut bad = products.bad_records;
    let mut items: Vec<WooItem> = products.records.iter().map(WooItem::from_product).collect();
    for result in variations {
        let (parent, listing) = result?;
        bad.extend(listing.bad_records);
        items.extend(
            listing
                .records
                .iter()
                .map(|v| variation_item(parent, v, None)),
        );
    }
    Ok((items, bad))
}

/// Parents (by id) with all their variations, for parents whose variations share their stock.
async fn read_families(
    client: &Arc<WooClient>,
    parents: Vec<u64>,
    cancel: &CancelToken,
) -> Result<(Vec<WooItem>, Vec<RecordError>), WooError> {
    let products = client.products_by_ids(&parents, cancel).await?;
    let mut bad = products.bad_records;
    let mut items = Vec::new();
    let lists = futures_util::stream::iter(products.records)
        .map(|parent| async move {
            let listing = client.list_all_variations(parent.id, cancel).await?;
            Ok::<_, WooError>((parent, listing))
        })
        .buffer_unordered(AHEAD)
        .collect::<Vec<_>>()
        .await;
    for result in lists {
        let (parent, listing) = result?;
        let facts = ParentFacts::of(&parent);
        bad.extend(listing.bad_records);
        items.push(WooItem::from_product(&parent));
        items.extend(
            listing
                .records
                .iter()
                .map(|v| WooItem::from_variation_of(&facts, v)),
        );
    }
    Ok((items, bad))
}

/// What the store shows for `items`: from the cached catalog once it is checked to be current
/// (one request when nothing changed), else read for exactly these items. `with_pools` also
/// works out the shared stock of parents whose variations share it.
pub fn store_view(engine: &Engine, items: &[Item], with_pools: bool) -> SyncResult<StoreView> {
    let by_lookup = engine.settings.match_by_lookup_code;
    let links = links_of(engine, items)?;
    let cached = match engine.catalog.get()? {
        Some(_) => Some(catalog::refresh(engine)?.snapshot),
        None => None,
    };
    engine.check_cancelled()?;
    let read = match cached {
        Some(_) => Selection::default(),
        None => read_selection(engine, items, &links)?,
    };
    let codes = wanted_codes(items, by_lookup);
    let known = match &cached {
        Some(snapshot) => {
            // Only what the selection can match: its linked items and those with its codes.
            let coded: Vec<&WooItem> = snapshot
                .items
                .iter()
                .filter(|w| carries(w, &codes))
                .collect();
            let linked = links.values().filter_map(|l| {
                let id = woo_id(l)?;
                match parent_of(l) {
                    Some(parent) => snapshot.variation(parent, id),
                    None => snapshot.product(id),
                }
            });
            Known {
                by_id: coded
                    .iter()
                    .copied()
                    .chain(linked)
                    .map(|w| (w.id, w))
                    .collect(),
                index: SkuIndex::new(coded),
            }
        }
        None => Known {
            by_id: read
                .linked
                .iter()
                .chain(&read.by_code)
                .map(|w| (w.id, w))
                .collect(),
            index: SkuIndex::new(read.by_code.iter().filter(|w| carries(w, &codes))),
        },
    };

    let mut view = StoreView::default();
    for item in items {
        let Some(id) = item.id.clone() else { continue };
        let linked = links
            .get(&id)
            .and_then(woo_id)
            .and_then(|w| known.by_id.get(&w).copied());
        let found = match linked {
            Some(woo) => ItemMatch::Found {
                woo_id: woo.id,
                by: MatchedBy::Sku,
            },
            None => {
                let found = matching::match_item(item, &known.index, by_lookup);
                if let ItemMatch::Found { woo_id, .. } = &found
                    && let Some(woo) = known.by_id.get(woo_id)
                {
                    view.new_links.push(item_link(&id, woo));
                }
                found
            }
        };
        if let ItemMatch::Found { woo_id, .. } = &found
            && let Some(woo) = known.by_id.get(woo_id)
        {
            view.store.insert(woo.id, (*woo).clone());
        }
        view.matches.insert(id, found);
    }
    if !with_pools {
        return Ok(view);
    }
    let sharing: BTreeSet<u64> = view
        .store
        .values()
        .filter(|w| w.stock == StockMode::Parent)
        .filter_map(|w| w.parent_id)
        .collect();
    if sharing.is_empty() {
        return Ok(view);
    }
    // Each parent with all its variations.
    let families: Vec<WooItem> = match &cached {
        Some(snapshot) => sharing
            .iter()
            .filter_map(|p| snapshot.product(*p))
            .flat_map(|p| std::iter::once(p).chain(snapshot.variations_of(p.id)))
            .cloned()
            .collect(),
        None => {
            let parents: Vec<u64> = sharing.iter().copied().collect();
            let (items, bad) = engine.store(move |client, cancel, _| async move {
                read_families(&client, parents, &cancel).await
            })??;
            log_bad_records(engine, &bad);
            items
        }
    };
    for parent in families.iter().filter(|w| sharing.contains(&w.id)) {
        view.parents.insert(parent.id, parent.clone());
    }
    view.pools = pools(engine, &families, &sharing)?;
    Ok(view)
}

/// The shared quantity of each parent in `sharing` (`families`: the parents and all their
/// variations): the QBM item matched to the parent itself (by link, else by code), else the sum
/// of the QBM items matched to its stock-sharing variations. A few host calls for all parents
/// together.
fn pools(
    engine: &Engine,
    families: &[WooItem],
    sharing: &BTreeSet<u64>,
) -> SyncResult<HashMap<u64, i64>> {
    let by_lookup = engine.settings.match_by_lookup_code;
    // The store items that count, and the pool each belongs to.
    let pool_of: HashMap<u64, u64> = families
        .iter()
        .filter_map(|w| match w.parent_id {
            None if sharing.contains(&w.id) => Some((w.id, w.id)),
            Some(parent) if sharing.contains(&parent) && w.stock == StockMode::Parent => {
                Some((w.id, parent))
            }
            _ => None,
        })
        .collect();
    let members: Vec<&WooItem> = families
        .iter()
        .filter(|w| pool_of.contains_key(&w.id))
        .collect();
    let linked_to = engine.host.links_get(&LinksQuery {
        kind: LinkKind::Item,
        woo_ids: Some(members.iter().map(|w| w.id.to_string()).collect()),
        qbm_ids: None,
    })?;
    let codes: Vec<String> = members.iter().filter_map(|w| w.sku.clone()).collect();
    let candidates = if codes.is_empty() {
        Vec::new()
    } else {
        engine.host.items_query(&ItemsQuery {
            lookup_codes: by_lookup.then(|| codes.clone()),
            skus: Some(codes),
            ..ItemsQuery::default()
        })?
    };
    // A QBM item linked to another store item is not counted here by its code.
    let candidate_ids: Vec<String> = candidates.iter().filter_map(|i| i.id.clone()).collect();
    let linked_elsewhere: HashSet<String> = if candidate_ids.is_empty() {
        HashSet::new()
    } else {
        engine
            .host
            .links_get(&LinksQuery {
                kind: LinkKind::Item,
                woo_ids: None,
                qbm_ids: Some(candidate_ids),
            })?
            .into_iter()
            .filter(|l| !woo_id(l).is_some_and(|w| pool_of.contains_key(&w)))
            .map(|l| l.qbm_id)
            .collect()
    };
    // Each QBM item's store item among the members: its link, else its code.
    let mut target: BTreeMap<String, u64> = BTreeMap::new();
    for link in &linked_to {
        if let Some(w) = woo_id(link).filter(|w| pool_of.contains_key(w)) {
            target.insert(link.qbm_id.clone(), w);
        }
    }
    let index = SkuIndex::new(members.iter().copied());
    for item in &candidates {
        let Some(id) = item.id.clone() else { continue };
        if target.contains_key(&id) || linked_elsewhere.contains(&id) {
            continue;
        }
        if let ItemMatch::Found { woo_id, .. } = matching::match_item(item, &index, by_lookup) {
            target.insert(id, woo_id);
        }
    }
    let ids: Vec<String> = target.keys().cloned().collect();
    let quantity = quantities(engine, &ids)?;
    let of = |qbm_id: &str| {
        quantity
            .get(qbm_id)
            .and_then(|q| q.as_ref().ok())
            .copied()
            .unwrap_or(0)
    };
    let mut owner: HashMap<u64, i64> = HashMap::new();
    let mut sums: HashMap<u64, i64> = HashMap::new();
    for (qbm_id, woo) in &target {
        let pool = pool_of[woo];
        if *woo == pool {
            // The first QBM item (by id) matched to the parent itself takes the whole pool.
            owner.entry(pool).or_insert_with(|| of(qbm_id));
        } else {
            *sums.entry(pool).or_default() += of(qbm_id);
        }
    }
    Ok(sharing
        .iter()
        .map(|parent| {
            let pool = owner
                .get(parent)
                .or_else(|| sums.get(parent))
                .copied()
                .unwrap_or(0);
            (*parent, pool)
        })
        .collect())
}

/// What a variation batch of one parent did (`None`: not sent, the operation stopped first).
pub type ParentSent = (u64, Option<Result<BatchOutcome<Variation>, WooError>>);

/// What sending a products batch and the variation batches of several parents did.
pub struct Sent {
    /// The products batch (`None` when there was nothing to send).
    pub products: Option<Result<BatchOutcome<Product>, WooError>>,
    /// Per parent, in the order given; `None` when it was not sent because the operation
    /// stopped first (see `stopped`).
    pub variations: Vec<ParentSent>,
    /// Why the writes stopped, when they did.
    pub stopped: Option<Stop>,
}

fn stop_of(err: &WooError) -> Stop {
    match err.kind() {
        WooErrorKind::Cancelled => Stop::Cancelled,
        _ => Stop::Failed(err.to_string()),
    }
}

/// Sends the products batch and the variation batches of every parent at the same time, within
/// the client's limit. A failure after which sending more is pointless or harmful (see
/// [`stops_everything`]; any failure of the products batch as a whole) stops the batches not yet
/// sent; so does Cancel.
pub fn send_batches(
    engine: &Engine,
    products: Batch<ProductWrite>,
    variations: Vec<(u64, Batch<VariationWrite>)>,
    message: &'static str,
) -> SyncResult<Sent> {
    let total = (products.len() + variations.iter().map(|(_, b)| b.len()).sum::<usize>()) as u64;
    engine.progress(0, total, message);
    let (products, mut variations) = engine.store(move |client, cancel, reporter| async move {
        let stop = CancelToken::new();
        let done = std::sync::atomic::AtomicU64::new(0);
        let progress = |n: usize| {
            let now = done.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed) + n as u64;
            reporter.report(now, total, message);
        };
        let products = async {
            if products.is_empty() {
                return None;
            }
            let n = products.len();
            let result = client.batch_products(products, &cancel).await;
            let stops = match &result {
                Err(_) => true,
                Ok(outcome) => outcome.stopped_by.as_ref().is_some_and(stops_everything),
            };
            if stops {
                stop.cancel();
            }
            progress(n);
            Some(result)
        };
        let variations = futures_util::stream::iter(variations.into_iter().enumerate())
            .map(|(at, (parent, batch))| {
                let (client, cancel, stop, progress) = (&client, &cancel, &stop, &progress);
                async move {
                    if stop.is_cancelled() || cancel.is_cancelled() {
                        return (at, parent, None);
                    }
                    let n = batch.len();
                    let result = client.batch_variations(parent, batch, cancel).await;
                    let stops = match &result {
                        Err(err) => stops_everything(err),
                        Ok(outcome) => outcome.stopped_by.as_ref().is_some_and(stops_everything),
                    };
                    if stops {
                        stop.cancel();
                    }
                    progress(n);
                    (at, parent, Some(result))
                }
            })
            .buffer_unordered(AHEAD)
            .collect::<Vec<_>>();
        tokio::join!(products, variations)
    })?;
    variations.sort_unstable_by_key(|(at, ..)| *at);
    let mut stopped = None;
    match &products {
        Some(Err(err)) => stopped = Some(stop_of(err)),
        Some(Ok(outcome)) => {
            if let Some(err) = outcome.stopped_by.as_ref().filter(|e| stops_everything(e)) {
                stopped = Some(stop_of(err));
            }
        }
        None => {}
    }
    for (_, _, result) in &variations {
        if stopped.is_some() {
            break;
        }
        match result {
            Some(Err(err)) if stops_everything(err) => stopped = Some(stop_of(err)),
            Some(Ok(outcome)) => {
                if let Some(err) = outcome.stopped_by.as_ref().filter(|e| stops_everything(e)) {
                    stopped = Some(stop_of(err));
                }
            }
            None => stopped = Some(Stop::Cancelled),
            _ => {}
        }
    }
    // A cancel that left writes unanswered, with nothing after them left unsent, still stops
    // the operation: its answer says "cancelled", not "completed".
    let left_unanswered = match &products {
        Some(Ok(o)) => unanswered(&o.create) || unanswered(&o.update),
        _ => false,
    } || variations
        .iter()
        .any(|(_, _, r)| matches!(r, Some(Ok(o)) if unanswered(&o.update)));
    if stopped.is_none() && engine.is_cancelled() && left_unanswered {
        stopped = Some(Stop::Cancelled);
    }
    Ok(Sent {
        products,
        variations: variations
            .into_iter()
            .map(|(_, parent, result)| (parent, result))
            .collect(),
        stopped,
    })
}

/// Whether some of the writes got no answer (given up on, or not sent).
fn unanswered<T>(results: &[Result<T, ItemError>]) -> bool {
    results.iter().any(|r| {
        r.as_ref()
            .is_err_and(|e| e.outcome_unknown() || e.code == crate::woo::ITEM_NOT_SENT)
    })
}

/// Why a batch that was not sent was not sent.
pub fn not_sent(stopped: Option<&Stop>) -> String {
    match stopped {
        Some(Stop::Failed(cause)) => format!("not sent: the operation stopped earlier ({cause})"),
        _ => "not sent: the action was cancelled first".to_string(),
    }
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
    let mut taken = HashSet::new();
    for link in links {
        match known.get(link.woo_id.as_str()) {
            Some(qbm_id) if *qbm_id == link.qbm_id => {}
            Some(qbm_id) => warnings.push(format!(
                "store item {} stays linked to QBM item {qbm_id}; it now also matches QBM item {}",
                link.woo_id, link.qbm_id
            )),
            None if taken.insert(link.woo_id.clone()) => fresh.push(link),
            None => {}
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

fn stamp(engine: &Engine) -> u64 {
    engine.clock.now().timestamp_millis().max(0) as u64
}

/// Stores a freshly read catalog and returns it, shared; a refusal of QBM's storage only costs
/// the cache.
pub fn remember(engine: &Engine, snapshot: Snapshot) -> Arc<Snapshot> {
    let (kept, stored) = engine.catalog.put(snapshot, stamp(engine));
    if let Stored::NotCached(why) = stored {
        engine.log.warn(
            Category::Processing,
            &format!(
                "The WooCommerce catalog was read but not cached ({why}); the next action reads the store again"
            ),
        );
    }
    kept
}

/// Replaces or adds written store items in the cached catalog, when there is one. Costs the
/// size of what was written, not of the catalog.
pub fn refresh_cached(engine: &Engine, written: &[WooItem]) -> SyncResult<()> {
    if written.is_empty() {
        return Ok(());
    }
    match engine
        .catalog
        .record(Changes::written(written), stamp(engine))?
    {
        Stored::Saved => Ok(()),
        Stored::NotCached(why) => Err(SyncError::Internal(why)),
    }
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

/// A written variation as a cache entry (the batch answer lacks the parent's name). The SKU is
/// the one known before: the answer shows the parent's SKU for a variation without its own,
/// which must not become the variation's (a writer that changed the SKU sets it afterwards).
pub fn variation_item(parent: u64, variation: &Variation, before: Option<&WooItem>) -> WooItem {
    let answered = Some(variation.sku.trim().to_string()).filter(|s| !s.is_empty());
    WooItem {
        id: variation.id,
        parent_id: Some(parent),
        kind: ProductType::Variation,
        sku: match before {
            Some(known) => known.sku.clone(),
            None => answered,
        },
        name: before.map_or_else(|| variation.name.clone(), |b| b.name.clone()),
        regular_price: variation.regular_price,
        price: variation.price,
        stock: variation.manage_stock.into(),
        stock_quantity: variation.stock_quantity,
        status: PostStatus::parse(&variation.status),
        barcode: before.and_then(|b| b.barcode.clone()),
        is_virtual: before.is_some_and(|b| b.is_virtual),
        modified_gmt: variation.date_modified_gmt,
    }
}
