//! Sync Stock: publish the quantities of selected QBM items now.
//!
//! gather: the items, what the store shows for them ([`store_view`]: the cached catalog checked
//! in one request, or reads for exactly these items), QBM quantities over the configured
//! locations, the shared stock of parents whose variations share it → plan
//! ([`crate::sync::stock::plan`]) → apply ([`apply`]: the products batch and one batch per parent
//! of variations, all at once within the client's limit) → record: links, the cache, a row per
//! item, the log.

use std::collections::HashMap;

use super::Engine;
use super::gather::{
    not_sent, pool_write, quantities, record_links, refresh_cached, selected_items, send_batches,
    store_view, variation_item,
};
use crate::host_port::Item;
use crate::integration_log::Category;
use crate::sync::catalog::WooItem;
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::matching::ItemMatch;
use crate::sync::rows::{Row, RowOutcome, RunReport, Stop};
use crate::sync::stock::{self, StockLine, StockPlan};
use crate::woo::{Batch, ItemError, VariationWrite};

/// What applying stock writes did, by store id (the product, parent or variation written).
#[derive(Debug, Default)]
pub struct Applied {
    /// Store items as the store answered after the write.
    pub written: Vec<WooItem>,
    /// Store ids whose write failed, was not sent or has an unknown outcome.
    pub failed: HashMap<u64, (RowOutcome, String)>,
    pub stopped: Option<Stop>,
}

/// A write's failure as a row outcome: unknown when the store may have applied it.
pub(super) fn item_failure(err: &ItemError) -> (RowOutcome, String) {
    let outcome = if err.outcome_unknown() {
        RowOutcome::Unknown
    } else {
        RowOutcome::Failed
    };
    (outcome, err.message.clone())
}

/// Sends the plan's writes: products (and parent pools) in one batch, variations in one batch
/// per parent, all at the same time. A failure that stops everything leaves the writes not yet
/// sent "not done".
pub fn apply(
    engine: &Engine,
    plan: &StockPlan,
    before: &HashMap<u64, WooItem>,
) -> SyncResult<Applied> {
    let mut applied = Applied::default();
    let product_writes = plan.product_writes();
    let variation_writes: Vec<(u64, Vec<(u64, i64)>)> =
        plan.variation_writes().into_iter().collect();
    let products = Batch {
        update: product_writes
            .iter()
            .map(|(id, q)| pool_write(*id, *q))
            .collect(),
        ..Batch::default()
    };
    let variations = variation_writes
        .iter()
        .map(|(parent, writes)| {
            let update = writes
                .iter()
                .map(|(id, q)| VariationWrite {
                    id: Some(*id),
                    manage_stock: Some(true),
                    stock_quantity: Some(*q),
                    ..VariationWrite::default()
                })
                .collect();
            (
                *parent,
                Batch {
                    update,
                    ..Batch::default()
                },
            )
        })
        .collect();
    let sent = send_batches(
        engine,
        products,
        variations,
        "Sending quantities to the store…",
    )?;
    match sent.products {
        None => {}
        Some(Ok(outcome)) => {
            for ((id, _), result) in product_writes.iter().zip(&outcome.update) {
                match result {
                    Ok(product) => applied.written.push(WooItem::from_product(product)),
                    Err(err) => {
                        applied.failed.insert(*id, item_failure(err));
                    }
                }
            }
        }
        Some(Err(err)) => {
            for (id, _) in &product_writes {
                applied
                    .failed
                    .insert(*id, (RowOutcome::Failed, format!("not sent: {err}")));
            }
        }
    }
    for ((parent, writes), (_, result)) in variation_writes.iter().zip(sent.variations) {
        match result {
            None => {
                let why = not_sent(sent.stopped.as_ref());
                for (id, _) in writes {
                    applied
                        .failed
                        .insert(*id, (RowOutcome::NotDone, why.clone()));
                }
            }
            Some(Ok(outcome)) => {
                for ((id, _), result) in writes.iter().zip(&outcome.update) {
                    match result {
                        Ok(variation) => {
                            applied
                                .written
                                .push(variation_item(*parent, variation, before.get(id)))
                        }
                        Err(err) => {
                            applied.failed.insert(*id, item_failure(err));
                        }
                    }
                }
            }
            Some(Err(err)) => {
                for (id, _) in writes {
                    applied
                        .failed
                        .insert(*id, (RowOutcome::Failed, format!("not sent: {err}")));
                }
            }
        }
    }
    applied.stopped = sent.stopped;
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
    let view = store_view(engine, &items, true)?;
    engine.check_cancelled()?;
    let ids: Vec<String> = items.iter().filter_map(|i| i.id.clone()).collect();
    let quantity = quantities(engine, &ids)?;
    let log_missing = engine.settings.log_missing_items;

    let mut targets = Vec::new();
    for item in &items {
        let id = item.id.clone().unwrap_or_default();
        let code = item.sku.clone().unwrap_or_else(|| item.code.clone());
        match view.matches.get(&id) {
            Some(ItemMatch::Found { woo_id, .. }) => {
                let Some(woo) = view.store.get(woo_id) else {
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
                let detail = missing_detail(view.matches.get(&id));
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
    let plan = stock::plan(&targets, &view.parents, &view.pools);
    engine.check_cancelled()?;
    let applied = apply(engine, &plan, &view.store)?;

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
    // A first match is remembered: the next run finds the item by its link.
    if let Err(err) = record_links(engine, view.new_links, &mut report.warnings) {
        report.warnings.push(format!(
            "links to the store items could not be recorded: {err}"
        ));
    }
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
