//! The WooCommerce Items tab: loading products and variations into the cache, and the list.
//!
//! Without a cache, Refresh reads every product (100 a page) and the variations of every variable
//! product. With one, it reads only the products changed since the newest change it holds (less a
//! second, because the store compares strictly) and the variations of changed variable products.
//! Deletions and changes that do not touch a product's modification date (a variation edited on
//! its own, a plugin writing to the database) are not seen that way: Clear Cache forces the full
//! reload.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, Utc};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use std::sync::Arc;

use super::{ActionContext, log_bad_records};
use crate::host_port::Host;
use crate::integration_log::Category;
use crate::plugin::actions::{ActionResponse, Table};
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::screens::tab_columns;
use crate::sync::catalog::{Snapshot, StockMode, Stored, WooItem};
use crate::sync::matching::sku_key;
use crate::woo::{CancelToken, Product, ProductQuery, WooClient, WooError};

/// Variable products whose variations are read at the same time.
const VARIATION_READS_IN_PARALLEL: usize = 4;

/// What a load did.
pub struct Loaded {
    pub snapshot: Snapshot,
    /// `true` when only changes were read.
    pub incremental: bool,
    pub products_read: usize,
    pub variations_read: usize,
}

async fn variations_of(
    client: Arc<WooClient>,
    parents: Vec<Product>,
    cancel: CancelToken,
) -> Result<(Vec<WooItem>, Vec<crate::woo::RecordError>), WooError> {
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

/// Reads the store into a new snapshot, or updates `previous` with what changed since it.
pub fn load(ctx: &ActionContext, previous: Option<Snapshot>) -> CoreResult<Loaded> {
    let client = ctx.client()?;
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
    ctx.progress(0, 0, "Reading products from the store…");
    let products = ctx.store(&client, |client, cancel, _| async move {
        client.list_all_products(query, &cancel).await
    })??;
    log_bad_records(ctx, &products.bad_records);
    let variable: Vec<Product> = products
        .records
        .iter()
        .filter(|p| p.product_type == "variable")
        .cloned()
        .collect();
    ctx.progress(
        products.records.len() as u64,
        0,
        &format!(
            "Read {} products; reading the variations of {} variable products…",
            products.records.len(),
            variable.len()
        ),
    );
    let parents = variable.clone();
    let (variations, bad) = ctx.store(&client, |client, cancel, _| {
        variations_of(client, parents, cancel)
    })??;
    log_bad_records(ctx, &bad);
    if ctx.is_cancelled() {
        return Err(CoreError::Cancelled);
    }
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
        Some(mut snapshot) => {
            // Changed variable products bring their complete, current list of variations.
            snapshot.items.retain(|item| {
                let replaced = fresh.iter().any(|f| f.id == item.id);
                let variation_of_reloaded = item
                    .parent_id
                    .is_some_and(|parent| variable.iter().any(|v| v.id == parent));
                !replaced && !variation_of_reloaded
            });
            snapshot.items.extend(fresh);
            snapshot.items
        }
        None => fresh,
    };
    Ok(Loaded {
        snapshot: Snapshot {
            loaded_at: Some(Utc::now()),
            items: order(items),
        },
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

/// Stores a freshly read catalog; a refusal of QBM's storage only costs the cache.
pub fn remember(ctx: &ActionContext, snapshot: Snapshot) -> Arc<Snapshot> {
    let stamp = ctx.plugin.clock().now().timestamp_millis().max(0) as u64;
    let cache = ctx.plugin.catalog();
    if let Stored::NotCached(why) = cache.put(snapshot, stamp) {
        ctx.plugin.log().warn(
            Category::Processing,
            &format!("The WooCommerce catalog was read but not cached ({why}); the next action reads the store again"),
        );
    }
    cache
        .get()
        .ok()
        .flatten()
        .unwrap_or_else(|| Arc::new(Snapshot::default()))
}

/// The cached catalog, loading it first when there is none.
pub fn ensure(ctx: &ActionContext) -> CoreResult<Arc<Snapshot>> {
    if let Some(snapshot) = ctx.plugin.catalog().get()? {
        return Ok(snapshot);
    }
    let loaded = load(ctx, None)?;
    Ok(remember_or_keep(ctx, loaded.snapshot))
}

/// Caches `snapshot` and returns it (also when it could not be cached).
fn remember_or_keep(ctx: &ActionContext, snapshot: Snapshot) -> Arc<Snapshot> {
    let kept = Arc::new(snapshot.clone());
    let cached = remember(ctx, snapshot);
    if cached.items.len() == kept.items.len() {
        cached
    } else {
        kept
    }
}

fn stock_text(item: &WooItem) -> Value {
    match item.stock {
        StockMode::Unmanaged => Value::Null,
        _ => item.stock_quantity.map_or(Value::Null, |q| json!(q)),
    }
}

fn managed_text(item: &WooItem) -> &'static str {
    match item.stock {
        StockMode::Unmanaged => "no",
        StockMode::Own => "yes",
        StockMode::Parent => "by parent",
    }
}

/// Refresh on the WooCommerce Items tab.
pub fn refresh(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let previous = ctx.plugin.catalog().get()?.map(|s| (*s).clone());
    let loaded = load(ctx, previous)?;
    let incremental = loaded.incremental;
    let (products_read, variations_read) = (loaded.products_read, loaded.variations_read);
    let snapshot = remember_or_keep(ctx, loaded.snapshot);

    let qbm_items = ctx
        .host()
        .all_items(&|| ctx.is_cancelled())?
        .ok_or(CoreError::Cancelled)?;
    let by_lookup = ctx.settings.match_by_lookup_code;
    let mut by_sku: HashMap<String, &str> = HashMap::new();
    let mut by_lookup_code: HashMap<String, &str> = HashMap::new();
    for item in &qbm_items {
        if let Some(sku) = item.sku.as_deref().filter(|s| !s.trim().is_empty()) {
            by_sku.entry(sku_key(sku)).or_insert(&item.code);
        }
        if let Some(code) = item.lookup_code.as_deref().filter(|s| !s.trim().is_empty()) {
            by_lookup_code.entry(sku_key(code)).or_insert(&item.code);
        }
    }
    let mut table = Table::new(tab_columns("items", "woocommerce"));
    for item in &snapshot.items {
        let qbm_match = item.sku.as_deref().and_then(|sku| {
            by_sku
                .get(&sku_key(sku))
                .map(|code| code.to_string())
                .or_else(|| {
                    by_lookup
                        .then(|| {
                            by_lookup_code
                                .get(&sku_key(sku))
                                .map(|code| format!("{code} (lookup code)"))
                        })
                        .flatten()
                })
        });
        table.push(json!({
            "woo_id": item.id.to_string(),
            "parent_id": item.parent_id.map(|p| p.to_string()),
            "sku": item.sku,
            "name": item.name,
            "type": item.kind,
            "price": item.price.or(item.regular_price).map(|p| p.to_string()),
            "stock": stock_text(item),
            "manage_stock": managed_text(item),
            "qbm_match": qbm_match,
        }));
    }
    let products = snapshot.items.iter().filter(|i| !i.is_variation()).count();
    let variations = snapshot.items.len() - products;
    let how = if incremental {
        format!(
            "{products_read} changed products and {variations_read} of their variations were read"
        )
    } else {
        format!(
            "the whole catalog was read ({products_read} products, {variations_read} variations)"
        )
    };
    ctx.plugin.log().info(
        Category::Processing,
        &format!("WooCommerce Items refreshed: {how}; {products} products and {variations} variations listed"),
    );
    let mut response = ActionResponse::completed(
        ctx.spec.id,
        format!("{products} products and {variations} variations from WooCommerce; {how}."),
    );
    response.table = Some(table);
    Ok(response)
}
