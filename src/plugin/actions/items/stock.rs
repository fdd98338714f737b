//! Sync Stock on the QBM Items tab: push the selected items' quantities now.

use std::collections::{BTreeSet, HashMap};

use super::{
    ActionContext, Prepared, ResultLine, cancelled_check, parent_pools, pool_write, prepare,
    refresh_cached, result_table, summarise, variation_item,
};
use crate::integration_log::Category;
use crate::plugin::actions::ActionResponse;
use crate::plugin::error::{CoreError, CoreResult};
use crate::sync::catalog::{StockMode, WooItem};
use crate::sync::matching::ItemMatch;
use crate::sync::stock::{self, StockLine};
use crate::woo::{Batch, VariationWrite};

pub fn sync_stock(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    if ctx.settings.stock_locations().is_empty() {
        return Err(CoreError::NotConfigured(
            "choose the Primary QBM location (or the multiple locations) in Options → Integrations → WooCommerce → Inventory Sync before syncing stock".into(),
        ));
    }
    let log = ctx.plugin.log();
    let Prepared {
        client,
        items,
        mut lines,
        matches,
        store,
        quantities: quantity,
    } = prepare(ctx)?;

    let mut targets = Vec::new();
    let code_of =
        |item: &crate::host_port::Item| item.sku.clone().unwrap_or_else(|| item.code.clone());
    for item in &items {
        let id = item.id.clone().unwrap_or_default();
        match matches.get(&id) {
            Some(ItemMatch::Found { woo_id, .. }) => {
                if let Some(woo) = store.get(woo_id) {
                    let online = quantity.get(&id).copied().unwrap_or(0);
                    targets.push((id, online, woo));
                }
            }
            Some(ItemMatch::Ambiguous { code, woo_ids }) => {
                let detail = format!(
                    "several store items have the code {code} ({woo_ids:?}); nothing was changed"
                );
                if ctx.settings.log_missing_items {
                    log.warn(
                        Category::MissingItem,
                        &format!("Sync Stock {}: {detail}", code_of(item)),
                    );
                }
                lines.push(ResultLine {
                    qbm: item.code.clone(),
                    woo_id: None,
                    code: code_of(item),
                    outcome: "skipped",
                    detail,
                });
            }
            Some(ItemMatch::Missing { .. }) | None => {
                let detail = format!(
                    "no matching product or variation in the store ({})",
                    tried_text(matches.get(&id))
                );
                if ctx.settings.log_missing_items {
                    log.warn(
                        Category::MissingItem,
                        &format!("{} {}: {detail}", item.code, item.name),
                    );
                }
                lines.push(ResultLine {
                    qbm: item.code.clone(),
                    woo_id: None,
                    code: code_of(item),
                    outcome: "missing",
                    detail,
                });
            }
        }
    }
    let shared_parents: BTreeSet<u64> = targets
        .iter()
        .filter(|(_, _, w)| w.stock == StockMode::Parent)
        .filter_map(|(_, _, w)| w.parent_id)
        .collect();
    let (parents, pools) = parent_pools(ctx, &client, &shared_parents)?;
    let plan = stock::plan(&targets, &parents, &pools);
    cancelled_check(ctx)?;

    let total = plan.writes.len() as u64;
    ctx.progress(0, total, "Sending quantities to the store…");
    let mut written: Vec<WooItem> = Vec::new();
    let mut failed: HashMap<u64, String> = HashMap::new();
    let product_writes = plan.product_writes();
    if !product_writes.is_empty() {
        let batch = Batch {
            update: product_writes
                .iter()
                .map(|(id, q)| pool_write(*id, *q))
                .collect(),
            ..Batch::default()
        };
        let outcome = ctx.store(&client, |client, cancel, _| async move {
            client.batch_products(batch, &cancel).await
        })??;
        for ((id, _), result) in product_writes.iter().zip(&outcome.update) {
            match result {
                Ok(product) => written.push(WooItem::from_product(product)),
                Err(err) => {
                    failed.insert(*id, err.message.clone());
                }
            }
        }
    }
    for (parent, writes) in plan.variation_writes() {
        cancelled_check(ctx)?;
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
        let outcome = ctx.store(&client, move |client, cancel, _| async move {
            client.batch_variations(parent, batch, &cancel).await
        })??;
        for ((id, _), result) in writes.iter().zip(&outcome.update) {
            match result {
                Ok(variation) => written.push(variation_item(parent, variation, store.get(id))),
                Err(err) => {
                    failed.insert(*id, err.message.clone());
                }
            }
        }
    }

    let by_id: HashMap<String, &crate::host_port::Item> = items
        .iter()
        .filter_map(|i| i.id.clone().map(|id| (id, i)))
        .collect();
    for (qbm_id, planned) in &plan.lines {
        let code = by_id.get(qbm_id).map(|i| code_of(i)).unwrap_or_default();
        let qbm = by_id
            .get(qbm_id)
            .map_or_else(|| qbm_id.clone(), |i| i.code.clone());
        let qbm = &qbm;
        let line = match planned {
            StockLine::Write {
                woo_id,
                quantity,
                via_parent,
            } => {
                let target = via_parent.unwrap_or(*woo_id);
                match failed.get(&target) {
                    Some(message) => ResultLine {
                        qbm: qbm.clone(),
                        woo_id: Some(*woo_id),
                        code,
                        outcome: "failed",
                        detail: message.clone(),
                    },
                    None => ResultLine {
                        qbm: qbm.clone(),
                        woo_id: Some(*woo_id),
                        code,
                        outcome: "updated",
                        detail: match via_parent {
                            Some(parent) => format!(
                                "stock is managed by parent product {parent}: the parent's shared stock was set to {quantity}"
                            ),
                            None => format!("stock set to {quantity}"),
                        },
                    },
                }
            }
            StockLine::Unchanged { woo_id, quantity } => ResultLine {
                qbm: qbm.clone(),
                woo_id: Some(*woo_id),
                code,
                outcome: "unchanged",
                detail: format!("the store already shows {quantity}"),
            },
            StockLine::Skipped { woo_id, reason } => ResultLine {
                qbm: qbm.clone(),
                woo_id: Some(*woo_id),
                code,
                outcome: "skipped",
                detail: reason.clone(),
            },
        };
        lines.push(line);
    }
    refresh_cached(ctx, &written)?;

    let summary = summarise(&lines);
    let missing = lines.iter().filter(|l| l.outcome == "missing").count();
    for line in lines.iter().filter(|l| l.outcome == "failed") {
        log.warn(
            Category::StockSync,
            &format!("Sync Stock {}: {}", line.code, line.detail),
        );
    }
    let message = format!(
        "Sync Stock: {} processed, {} updated, {} already up to date or skipped, {} not found in the store, {} failed.",
        summary.processed,
        summary.updated,
        summary.skipped - missing,
        missing,
        summary.failed
    );
    log.info(Category::StockSync, &message);
    let mut response = ActionResponse::completed(ctx.spec.id, message);
    response.summary = Some(summary);
    response.table = Some(result_table(&lines, ("qbm_item", "QBM item")));
    Ok(response)
}

fn tried_text(found: Option<&ItemMatch>) -> String {
    match found {
        Some(ItemMatch::Missing { tried }) if !tried.is_empty() => {
            format!("tried {}", tried.join(", "))
        }
        _ => "the item has no SKU to look up".to_string(),
    }
}
