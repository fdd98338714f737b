//! The Items screen: both tabs, Create / Update, Sync Stock and Import. What they share lives
//! here: reading the store fresh for writes, QBM quantities, parent stock pools and links.

mod catalog;
mod export;
mod import;
mod qbm_list;
mod stock;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Value, json};

pub use catalog::refresh as woo_refresh;
pub use export::create_update;
pub use import::import;
pub use qbm_list::refresh as qbm_refresh;
pub use stock::sync_stock;

use super::{ActionContext, Summary, Table};
use crate::host_port::{Host, Item, ItemsQuery, Link, LinkKind, LinksQuery, StockQuery};
use crate::integration_log::Category;
use crate::plugin::error::{CoreError, CoreResult};
use crate::sync::catalog::{StockMode, WooItem};
use crate::sync::matching::{self, ItemMatch, SkuIndex};
use crate::sync::stock::{quantities_by_item, store_quantity};
use crate::woo::{ProductWrite, RecordError, Variation, WooClient};

/// The selected QBM items, in selection order; unknown ids come back separately.
fn selected_items(ctx: &ActionContext) -> CoreResult<(Vec<Item>, Vec<String>)> {
    let query = ItemsQuery {
        ids: Some(ctx.request.selection.clone()),
        ..ItemsQuery::default()
    };
    let found = ctx.host().items_query(&query)?;
    let by_id: HashMap<&str, &Item> = found
        .iter()
        .filter_map(|i| i.id.as_deref().map(|id| (id, i)))
        .collect();
    let mut items = Vec::new();
    let mut unknown = Vec::new();
    let mut seen = HashSet::new();
    for id in &ctx.request.selection {
        if !seen.insert(id.as_str()) {
            continue;
        }
        match by_id.get(id.as_str()) {
            Some(item) => items.push((*item).clone()),
            None => unknown.push(id.clone()),
        }
    }
    Ok((items, unknown))
}

/// The selected QBM items read, matched fresh against the store and with their quantities: what
/// Create / Update and Sync Stock start from.
struct Prepared {
    client: Arc<WooClient>,
    items: Vec<Item>,
    /// Lines for selected ids that are not QBM items.
    lines: Vec<ResultLine>,
    matches: HashMap<String, ItemMatch>,
    store: HashMap<u64, WooItem>,
    quantities: HashMap<String, i64>,
}

fn prepare(ctx: &ActionContext) -> CoreResult<Prepared> {
    let client = ctx.client()?;
    let (items, unknown) = selected_items(ctx)?;
    let lines = unknown
        .into_iter()
        .map(|id| ResultLine {
            qbm: id,
            woo_id: None,
            code: String::new(),
            outcome: "failed",
            detail: "there is no QBM item with this id".into(),
        })
        .collect();
    ctx.progress(0, items.len() as u64, "Looking the items up in the store…");
    let found = lookup_in_store(ctx, &client, &items)?;
    cancelled_check(ctx)?;
    let matches = match_all(&items, &found, ctx.settings.match_by_lookup_code);
    let store = found.into_iter().map(|w| (w.id, w)).collect();
    let ids: Vec<String> = items.iter().filter_map(|i| i.id.clone()).collect();
    let quantities = quantities(ctx, &ids)?;
    Ok(Prepared {
        client,
        items,
        lines,
        matches,
        store,
        quantities,
    })
}

/// Logs records the store sent that could not be read (they are skipped, never guessed).
fn log_bad_records(ctx: &ActionContext, bad: &[RecordError]) {
    for record in bad {
        ctx.plugin.log().warn(
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
fn lookup_in_store(
    ctx: &ActionContext,
    client: &Arc<WooClient>,
    items: &[Item],
) -> CoreResult<Vec<WooItem>> {
    let by_lookup = ctx.settings.match_by_lookup_code;
    let codes: BTreeSet<String> = items
        .iter()
        .flat_map(|item| matching::codes_to_look_up(item, by_lookup))
        .collect();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<String> = codes.into_iter().collect();
    let listing = ctx.store(client, |client, cancel, _| async move {
        client.products_by_sku(&codes, &cancel).await
    })??;
    log_bad_records(ctx, &listing.bad_records);
    Ok(listing.records.iter().map(WooItem::from_product).collect())
}

/// Matches each item against `store`, keyed by QBM item id.
fn match_all(items: &[Item], store: &[WooItem], by_lookup: bool) -> HashMap<String, ItemMatch> {
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
/// when no location is configured.
fn quantities(ctx: &ActionContext, item_ids: &[String]) -> CoreResult<HashMap<String, i64>> {
    let locations = ctx.settings.stock_locations();
    if locations.is_empty() || item_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let levels = ctx.host().stock_on_hand(&StockQuery {
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
fn parent_pools(
    ctx: &ActionContext,
    client: &Arc<WooClient>,
    parents: &BTreeSet<u64>,
) -> CoreResult<(HashMap<u64, WooItem>, HashMap<u64, i64>)> {
    let by_lookup = ctx.settings.match_by_lookup_code;
    let mut products = HashMap::new();
    let mut pools = HashMap::new();
    for &parent_id in parents {
        let (parent, variations) = ctx.store(client, move |client, cancel, _| async move {
            let parent = client.get_product(parent_id).await?;
            let variations = client.list_all_variations(parent_id, &cancel).await?;
            Ok::<_, crate::woo::WooError>((parent, variations))
        })??;
        log_bad_records(ctx, &variations.bad_records);
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
        let query = ItemsQuery {
            lookup_codes: by_lookup.then(|| codes.clone()),
            skus: Some(codes),
            ..ItemsQuery::default()
        };
        let candidates = ctx.host().items_query(&query)?;
        let ids: Vec<String> = candidates.iter().filter_map(|i| i.id.clone()).collect();
        let quantity_of = quantities(ctx, &ids)?;
        let matched = match_all(&candidates, std::slice::from_ref(&parent_item), by_lookup);
        let pool = match matched
            .iter()
            .find(|(_, m)| matches!(m, ItemMatch::Found { .. }))
        {
            Some((qbm_id, _)) => quantity_of.get(qbm_id).copied().unwrap_or(0),
            None => {
                members.retain(|m| m.sku.is_some());
                let matched = match_all(&candidates, &members, by_lookup);
                matched
                    .iter()
                    .filter(|(_, m)| matches!(m, ItemMatch::Found { .. }))
                    .map(|(qbm_id, _)| quantity_of.get(qbm_id).copied().unwrap_or(0))
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
fn record_links(
    ctx: &ActionContext,
    links: Vec<Link>,
    warnings: &mut Vec<String>,
) -> CoreResult<()> {
    if links.is_empty() {
        return Ok(());
    }
    let existing = ctx.host().links_get(&LinksQuery {
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
    ctx.host().links_put(fresh)?;
    Ok(())
}

fn item_link(qbm_id: &str, woo: &WooItem) -> Link {
    Link {
        kind: LinkKind::Item,
        woo_id: woo.id.to_string(),
        woo_parent_id: woo.parent_id.map(|p| p.to_string()),
        qbm_id: qbm_id.to_string(),
        created_at: None,
    }
}

/// Replaces or adds written store items in the cached catalog, when there is one.
fn refresh_cached(ctx: &ActionContext, written: &[WooItem]) -> CoreResult<()> {
    if written.is_empty() {
        return Ok(());
    }
    if let Some(cached) = ctx.plugin.catalog().get()? {
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
        catalog::remember(ctx, snapshot);
    }
    Ok(())
}

/// One line of a result table.
struct ResultLine {
    qbm: String,
    woo_id: Option<u64>,
    code: String,
    outcome: &'static str,
    detail: String,
}

fn result_table(lines: &[ResultLine], first: (&str, &str)) -> Table {
    let mut table = Table::with_columns(&[
        first,
        ("code", "Code / SKU"),
        ("outcome", "Result"),
        ("woo_id", "WooCommerce id"),
        ("detail", "Details"),
    ]);
    for line in lines {
        table.push(json!({
            first.0: line.qbm,
            "code": line.code,
            "outcome": line.outcome,
            "woo_id": line.woo_id.map_or(Value::Null, |id| Value::String(id.to_string())),
            "detail": line.detail,
        }));
    }
    table
}

/// Counts the outcomes; `expanded` lines (a variable product standing for its variations) are
/// explanations, not processed items.
fn summarise(lines: &[ResultLine]) -> Summary {
    let mut summary = Summary::default();
    for line in lines.iter().filter(|l| l.outcome != "expanded") {
        summary.processed += 1;
        match line.outcome {
            "created" => summary.created += 1,
            "updated" => summary.updated += 1,
            "failed" => summary.failed += 1,
            _ => summary.skipped += 1,
        }
    }
    summary
}

fn cancelled_check(ctx: &ActionContext) -> CoreResult<()> {
    if ctx.is_cancelled() {
        Err(CoreError::Cancelled)
    } else {
        Ok(())
    }
}

/// A write for the parent's shared stock.
fn pool_write(parent: u64, quantity: i64) -> ProductWrite {
    ProductWrite {
        id: Some(parent),
        manage_stock: Some(true),
        stock_quantity: Some(quantity),
        ..ProductWrite::default()
    }
}

/// A written variation as a cache entry (the batch answer lacks the parent's name).
fn variation_item(parent: u64, variation: &Variation, before: Option<&WooItem>) -> WooItem {
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
