//! Create / Update on the QBM Items tab: send the selected QBM items to the store.

use std::collections::{BTreeSet, HashMap};

use super::{
    ActionContext, Prepared, ResultLine, cancelled_check, item_link, parent_pools, pool_write,
    prepare, record_links, refresh_cached, result_table, summarise, variation_item,
};
use crate::integration_log::Category;
use crate::plugin::actions::ActionResponse;
use crate::plugin::error::CoreResult;
use crate::sync::catalog::{StockMode, WooItem};
use crate::sync::export;
use crate::sync::matching::ItemMatch;
use crate::woo::{Batch, ItemError, Product};

fn failure(err: &ItemError) -> String {
    match err.resource_id {
        Some(owner) => format!("{} (the store item {owner} already has it)", err.message),
        None => err.message.clone(),
    }
}

pub fn create_update(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let Prepared {
        client,
        items,
        mut lines,
        matches,
        store,
        quantities: quantity,
    } = prepare(ctx)?;
    let mut warnings = Vec::new();
    if ctx.settings.stock_locations().is_empty() {
        warnings.push(
            "no QBM location is chosen for stock (Options → Integrations → WooCommerce → Inventory Sync), so quantities were not sent".to_string(),
        );
    }
    let shared_parents: BTreeSet<u64> = matches
        .values()
        .filter_map(|m| match m {
            ItemMatch::Found { woo_id, .. } => store.get(woo_id),
            _ => None,
        })
        .filter(|w| w.stock == StockMode::Parent)
        .filter_map(|w| w.parent_id)
        .collect();
    let (_, pools) = if quantity.is_empty() {
        Default::default()
    } else {
        parent_pools(ctx, &client, &shared_parents)?
    };
    let plan = export::plan(&items, &matches, &store, &quantity, &pools);
    cancelled_check(ctx)?;

    let code_of: HashMap<String, String> = items
        .iter()
        .map(|i| {
            (
                i.id.clone().unwrap_or_default(),
                i.sku.clone().unwrap_or_else(|| i.code.clone()),
            )
        })
        .collect();
    let item_code: HashMap<String, String> = items
        .iter()
        .map(|i| (i.id.clone().unwrap_or_default(), i.code.clone()))
        .collect();
    let line = |qbm: &str, woo_id: Option<u64>, outcome: &'static str, detail: String| ResultLine {
        qbm: item_code
            .get(qbm)
            .cloned()
            .unwrap_or_else(|| qbm.to_string()),
        woo_id,
        code: code_of.get(qbm).cloned().unwrap_or_default(),
        outcome,
        detail,
    };
    for (qbm, reason) in &plan.skipped {
        lines.push(line(qbm, None, "skipped", reason.clone()));
    }

    let mut links = Vec::new();
    let mut written: Vec<WooItem> = Vec::new();
    let total = (plan.creates.len()
        + plan.product_updates.len()
        + plan.variation_updates.values().map(Vec::len).sum::<usize>()) as u64;
    ctx.progress(0, total, "Sending products to the store…");

    // Simple products, variable parents and shared parent stock go through /products/batch.
    let batch = Batch {
        create: plan.creates.iter().map(|(_, w)| w.clone()).collect(),
        update: plan
            .product_updates
            .iter()
            .map(|(_, w)| w.clone())
            .chain(
                plan.pool_updates
                    .iter()
                    .map(|(parent, q, _)| pool_write(*parent, *q)),
            )
            .collect(),
        delete: Vec::new(),
    };
    if !batch.create.is_empty() || !batch.update.is_empty() {
        let outcome = ctx.store(&client, |client, cancel, _| async move {
            client.batch_products(batch, &cancel).await
        })??;
        for ((qbm, _), result) in plan.creates.iter().zip(&outcome.create) {
            match result {
                Ok(product) => {
                    let woo = WooItem::from_product(product);
                    links.push(item_link(qbm, &woo));
                    lines.push(line(
                        qbm,
                        Some(product.id),
                        "created",
                        format!("new simple product \"{}\"", product.name),
                    ));
                    written.push(woo);
                }
                Err(err) => lines.push(line(qbm, None, "failed", failure(err))),
            }
        }
        let updates = outcome.update.iter();
        for ((qbm, write), result) in plan.product_updates.iter().zip(updates.clone()) {
            let woo_id = write.id;
            match result {
                Ok(product) => {
                    let woo = WooItem::from_product(product);
                    links.push(item_link(qbm, &woo));
                    lines.push(line(qbm, woo_id, "updated", updated_detail(product)));
                    written.push(woo);
                }
                Err(err) => lines.push(line(qbm, woo_id, "failed", failure(err))),
            }
        }
        for ((parent, quantity, members), result) in plan
            .pool_updates
            .iter()
            .zip(updates.skip(plan.product_updates.len()))
        {
            let note = match result {
                Ok(product) => {
                    written.push(WooItem::from_product(product));
                    format!(
                        "stock is managed by parent product {parent}: its shared stock was set to {quantity}"
                    )
                }
                Err(err) => format!(
                    "the shared stock of parent product {parent} could not be set: {}",
                    failure(err)
                ),
            };
            for member in members {
                warnings.push(format!(
                    "{}: {note}",
                    code_of.get(member).cloned().unwrap_or_default()
                ));
            }
        }
        if let Some(err) = &outcome.stopped_by {
            warnings.push(format!("the store stopped answering part way: {err}"));
        }
    }

    for (parent, updates) in &plan.variation_updates {
        cancelled_check(ctx)?;
        let batch = Batch {
            update: updates.iter().map(|(_, w)| w.clone()).collect(),
            ..Batch::default()
        };
        let parent_id = *parent;
        let outcome = ctx.store(&client, move |client, cancel, _| async move {
            client.batch_variations(parent_id, batch, &cancel).await
        })??;
        for ((qbm, write), result) in updates.iter().zip(&outcome.update) {
            match result {
                Ok(variation) => {
                    let woo = variation_item(*parent, variation, store.get(&variation.id));
                    links.push(item_link(qbm, &woo));
                    lines.push(line(
                        qbm,
                        write.id,
                        "updated",
                        format!("variation of product {parent}"),
                    ));
                    written.push(woo);
                }
                Err(err) => lines.push(line(qbm, write.id, "failed", failure(err))),
            }
        }
    }

    record_links(ctx, links, &mut warnings)?;
    refresh_cached(ctx, &written)?;
    let summary = summarise(&lines);
    let log = ctx.plugin.log();
    for line in lines.iter().filter(|l| l.outcome == "failed") {
        log.warn(
            Category::Processing,
            &format!("Create / Update {}: {}", line.code, line.detail),
        );
    }
    let message = format!(
        "Create / Update: {} processed, {} created, {} updated, {} skipped, {} failed.",
        summary.processed, summary.created, summary.updated, summary.skipped, summary.failed
    );
    log.info(Category::Processing, &message);
    let mut response = ActionResponse::completed(ctx.spec.id, message);
    response.summary = Some(summary);
    response.table = Some(result_table(&lines, ("qbm_item", "QBM item")));
    response.warnings = warnings;
    Ok(response)
}

fn updated_detail(product: &Product) -> String {
    let stock = product
        .stock_quantity
        .map_or(String::new(), |q| format!(", stock {q}"));
    format!(
        "{} {} \"{}\"{stock}",
        product.product_type, product.id, product.name
    )
}
