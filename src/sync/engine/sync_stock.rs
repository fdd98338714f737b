//! Sync Stock: publish the quantities of selected QBM items now.
//!
//! gather: the items, their matches read fresh by SKU (lookup code when on), QBM quantities over
//! the configured locations, the shared stock of parents whose variations share it → plan
//! ([`crate::sync::stock::plan`]) → apply ([`apply`]: one products batch, one batch per parent
//! of variations) → record: the cache, a row per item, the log.

use std::collections::{BTreeSet, HashMap};

use super::Engine;
use super::create_update::stops_everything;
use super::gather::{
    lookup_in_store, match_all, parent_pools, pool_write, quantities, refresh_cached,
    selected_items, variation_item,
};
use crate::host_port::Item;
use crate::integration_log::Category;
use crate::sync::catalog::{StockMode, WooItem};
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::matching::ItemMatch;
use crate::sync::rows::{Row, RowOutcome, RunReport, Stop};
use crate::sync::stock::{self, StockLine, StockPlan};
use crate::woo::{Batch, VariationWrite, WooErrorKind};

/// What applying stock writes did, by store id (the product, parent or variation written).
#[derive(Debug, Default)]
pub struct Applied {
    /// Store items as the store answered after the write.
    pub written: Vec<WooItem>,
    /// Store ids whose write failed, was not sent or has an unknown outcome.
    pub failed: HashMap<u64, (RowOutcome, String)>,
    pub stopped: Option<Stop>,
}

/// Sends the plan's writes: products (and parent pools) in one batch, variations in one batch
/// per parent. A failure that stops everything leaves the remaining writes "not done".
pub fn apply(
    engine: &Engine,
    plan: &StockPlan,
    before: &HashMap<u64, WooItem>,
) -> SyncResult<Applied> {
    let mut applied = Applied::default();
    let total = plan.writes.len() as u64;
    engine.progress(0, total, "Sending quantities to the store…");
    let product_writes = plan.product_writes();
    let mut done = 0u64;
    if !product_writes.is_empty() {
        let batch = Batch {
            update: product_writes
                .iter()
                .map(|(id, q)| pool_write(*id, *q))
                .collect(),
            ..Batch::default()
        };
        match engine.store(move |client, cancel, _| async move {
            client.batch_products(batch, &cancel).await
        })? {
            Ok(outcome) => {
                for ((id, _), result) in product_writes.iter().zip(&outcome.update) {
                    match result {
                        Ok(product) => applied.written.push(WooItem::from_product(product)),
                        Err(err) => {
                            let outcome = if err.outcome_unknown() {
                                RowOutcome::Unknown
                            } else {
                                RowOutcome::Failed
                            };
                            applied.failed.insert(*id, (outcome, err.message.clone()));
                        }
                    }
                }
                if let Some(err) = outcome.stopped_by.filter(stops_everything) {
                    applied.stopped = Some(Stop::Failed(err.to_string()));
                }
            }
            Err(err) => {
                for (id, _) in &product_writes {
                    applied
                        .failed
                        .insert(*id, (RowOutcome::Failed, format!("not sent: {err}")));
                }
                applied.stopped = Some(match err.kind() {
                    WooErrorKind::Cancelled => Stop::Cancelled,
                    _ => Stop::Failed(err.to_string()),
                });
            }
        }
        done += product_writes.len() as u64;
        engine.progress(done, total, "Sending quantities to the store…");
    }
    for (parent, writes) in plan.variation_writes() {
        if applied.stopped.is_none() && engine.is_cancelled() {
            applied.stopped = Some(Stop::Cancelled);
        }
        if let Some(stop) = &applied.stopped {
            let why = match stop {
                Stop::Cancelled => "not sent: cancelled first".to_string(),
                Stop::Failed(cause) => format!("not sent: the operation stopped earlier ({cause})"),
            };
            for (id, _) in &writes {
                applied
                    .failed
                    .insert(*id, (RowOutcome::NotDone, why.clone()));
            }
            continue;
        }
        let batch = Batch {
            update: writes
                .iter()
                .map(|(id, q)| VariationWrite {
                    id: Some(*id),
                    manage_stock: Some(true),
                    stock_quantity: Some(*q),
                    ..VariationWrite::default()
                })
                .collect(),
            ..Batch::default()
        };
        match engine.store(move |client, cancel, _| async move {
            client.batch_variations(parent, batch, &cancel).await
        })? {
            Ok(outcome) => {
                for ((id, _), result) in writes.iter().zip(&outcome.update) {
                    match result {
                        Ok(variation) => {
                            applied
                                .written
                                .push(variation_item(parent, variation, before.get(id)))
                        }
                        Err(err) => {
                            let outcome = if err.outcome_unknown() {
                                RowOutcome::Unknown
                            } else {
                                RowOutcome::Failed
                            };
                            applied.failed.insert(*id, (outcome, err.message.clone()));
                        }
                    }
                }
                if let Some(err) = outcome.stopped_by.filter(stops_everything) {
                    applied.stopped = Some(Stop::Failed(err.to_string()));
                }
            }
            Err(err) => {
                for (id, _) in &writes {
                    applied
                        .failed
                        .insert(*id, (RowOutcome::Failed, format!("not sent: {err}")));
                }
                if stops_everything(&err) {
                    applied.stopped = Some(match err.kind() {
                        WooErrorKind::Cancelled => Stop::Cancelled,
                        _ => Stop::Failed(err.to_string()),
                    });
                }
            }
        }
        done += writes.len() as u64;
        engine.progress(done, total, "Sending quantities to the store…");
    }
    Ok(applied)
}

/// The row of one item after the writes.
pub fn row_of(
    item: &Item,
    planned: &StockLine,
    applied: &Applied,
    arithmetic: Option<&str>,
) -> Row {
    let code = item.sku.clone().unwrap_or_else(|| item.code.clone());
    let because = arithmetic.map_or(String::new(), |a| format!(" ({a})"));
    let row = |woo_id: u64, outcome, detail: String| {
        Row::new(
            item.code.clone(),
            Some(woo_id),
            code.clone(),
            outcome,
            detail,
        )
    };
    match planned {
        StockLine::Write {
            woo_id,
            quantity,
            via_parent,
        } => {
            let target = via_parent.unwrap_or(*woo_id);
            match applied.failed.get(&target) {
                Some((outcome, message)) => row(*woo_id, *outcome, message.clone()),
                None => row(
                    *woo_id,
                    RowOutcome::Updated,
                    match via_parent {
                        Some(parent) => format!(
                            "stock is managed by parent product {parent}: the parent's shared stock was set to {quantity}{because}"
                        ),
                        None => format!("stock set to {quantity}{because}"),
                    },
                ),
            }
        }
        StockLine::Unchanged { woo_id, quantity } => row(
            *woo_id,
            RowOutcome::Unchanged,
            format!("the store already shows {quantity}{because}"),
        ),
        StockLine::Skipped { woo_id, reason } => row(*woo_id, RowOutcome::Skipped, reason.clone()),
    }
}

/// Why an item has no store match, for its row and the log.
pub fn missing_detail(found: Option<&ItemMatch>) -> String {
    let tried = match found {
        Some(ItemMatch::Missing { tried }) if !tried.is_empty() => {
            format!("tried {}", tried.join(", "))
        }
        _ => "the item has no SKU to look up".to_string(),
    };
    format!("no matching product or variation in the store ({tried})")
}

pub fn run(engine: &Engine, selection: &[String]) -> SyncResult<RunReport> {
    if engine.settings.stock_locations().is_empty() {
        return Err(SyncError::NotConfigured(
            "choose the Primary QBM location (or the multiple locations) in Options → Integrations → WooCommerce → Inventory Sync before syncing stock".into(),
        ));
    }
    let (items, mut rows) = selected_items(engine, selection)?;
    engine.progress(0, items.len() as u64, "Looking the items up in the store…");
    let found = lookup_in_store(engine, &items)?;
    engine.check_cancelled()?;
    let matches = match_all(&items, &found, engine.settings.match_by_lookup_code);
    let store: HashMap<u64, WooItem> = found.into_iter().map(|w| (w.id, w)).collect();
    let ids: Vec<String> = items.iter().filter_map(|i| i.id.clone()).collect();
    let quantity = quantities(engine, &ids)?;
    let log_missing = engine.settings.log_missing_items;

    let mut targets = Vec::new();
    for item in &items {
        let id = item.id.clone().unwrap_or_default();
        let code = item.sku.clone().unwrap_or_else(|| item.code.clone());
        match matches.get(&id) {
            Some(ItemMatch::Found { woo_id, .. }) => {
                let Some(woo) = store.get(woo_id) else {
                    continue;
                };
                match quantity.get(&id) {
                    Some(Ok(q)) => targets.push((id, *q, woo)),
                    Some(Err(err)) => rows.push(Row::new(
                        item.code.clone(),
                        Some(woo.id),
                        code,
                        RowOutcome::Failed,
                        err.to_string(),
                    )),
                    None => targets.push((id, 0, woo)),
                }
            }
            Some(ItemMatch::Ambiguous {
                code: shared,
                woo_ids,
            }) => {
                let detail = format!(
                    "several store items have the code {shared} ({woo_ids:?}); nothing was changed"
                );
                if log_missing {
                    engine.log.warn(
                        Category::MissingItem,
                        &format!("Sync Stock {code}: {detail}"),
                    );
                }
                rows.push(Row::new(
                    item.code.clone(),
                    None,
                    code,
                    RowOutcome::Skipped,
                    detail,
                ));
            }
            Some(ItemMatch::Missing { .. }) | None => {
                let detail = missing_detail(matches.get(&id));
                if log_missing {
                    engine.log.warn(
                        Category::MissingItem,
                        &format!("{} {}: {detail}", item.code, item.name),
                    );
                }
                rows.push(Row::new(
                    item.code.clone(),
                    None,
                    code,
                    RowOutcome::Missing,
                    detail,
                ));
            }
        }
    }
    let shared_parents: BTreeSet<u64> = targets
        .iter()
        .filter(|(_, _, w)| w.stock == StockMode::Parent)
        .filter_map(|(_, _, w)| w.parent_id)
        .collect();
    let (parents, pools) = parent_pools(engine, &shared_parents)?;
    let plan = stock::plan(&targets, &parents, &pools);
    engine.check_cancelled()?;
    let applied = apply(engine, &plan, &store)?;

    let by_id: HashMap<&str, &Item> = items
        .iter()
        .filter_map(|i| i.id.as_deref().map(|id| (id, i)))
        .collect();
    for (qbm_id, planned) in &plan.lines {
        if let Some(item) = by_id.get(qbm_id.as_str()) {
            rows.push(row_of(item, planned, &applied, None));
        }
    }
    let mut report = RunReport::default();
    if let Err(err) = refresh_cached(engine, &applied.written) {
        report
            .warnings
            .push(format!("the cached catalog could not be updated: {err}"));
    }
    for row in rows.iter().filter(|r| r.outcome == RowOutcome::Failed) {
        engine.log.warn(
            Category::StockSync,
            &format!("Sync Stock {}: {}", row.code, row.detail),
        );
    }
    report.rows = rows;
    report.stopped = applied.stopped;
    Ok(report)
}
