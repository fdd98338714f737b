//! Create / Update: the selected QBM items become new or updated store products and variations.
//!
//! gather: the items, what the store shows for them ([`store_view`]: the cached catalog checked
//! in one request, or reads for exactly these items), quantities, parent pools → plan
//! ([`crate::sync::export::plan`]: only differences are sent) → apply: one products batch (split
//! at the store's limit) and one batch per variable product, all at once within the client's
//! limit → record: links, the cache, a row per item. A failure part way (the store rate-limits, goes down) stops the writes; every row
//! says what was done, what failed and what was not attempted. A write whose outcome is unknown
//! (the answer was lost) is checked by reading the store again before it is reported.

use std::collections::{BTreeSet, HashMap};

use super::Engine;
use super::gather::{
    item_link, not_sent, pool_write, quantities, record_links, refresh_cached, selected_items,
    send_batches, store_view, variation_item,
};
use crate::host_port::Item;
use crate::integration_log::Category;
use crate::sync::catalog::WooItem;
use crate::sync::error::SyncResult;
use crate::sync::export;
use crate::sync::rows::{Row, RowOutcome, RunReport};
use crate::woo::{Batch, ItemError, Product, WooError, WooErrorKind};

/// Store failures after which sending more writes is pointless or harmful (the store is
/// overloaded, gone, or refuses the key): the rest of the operation is not attempted.
pub fn stops_everything(err: &WooError) -> bool {
    use WooErrorKind as K;
    matches!(
        err.kind(),
        K::RateLimited
            | K::StoreDown
            | K::Timeout
            | K::ConnectionLost
            | K::ConnectionRefused
            | K::Dns
            | K::Tls
            | K::Transport
            | K::UnknownKey
            | K::WrongSecret
            | K::ReadOnlyKey
            | K::AuthRejected
            | K::Forbidden
            | K::Cancelled
    )
}

fn failure(err: &ItemError) -> String {
    match err.resource_id {
        Some(owner) => format!("{} (the store item {owner} already has it)", err.message),
        None => err.message.clone(),
    }
}

/// How rows are named: the QBM item code and its SKU (or code).
struct Names(HashMap<String, (String, String)>);

impl Names {
    fn of(items: &[Item]) -> Self {
        Names(
            items
                .iter()
                .map(|i| {
                    (
                        i.id.clone().unwrap_or_default(),
                        (
                            i.code.clone(),
                            i.sku.clone().unwrap_or_else(|| i.code.clone()),
                        ),
                    )
                })
                .collect(),
        )
    }

    fn row(&self, qbm: &str, woo_id: Option<u64>, outcome: RowOutcome, detail: String) -> Row {
        let (code, sku) = self
            .0
            .get(qbm)
            .cloned()
            .unwrap_or_else(|| (qbm.to_string(), String::new()));
        Row::new(code, woo_id, sku, outcome, detail)
    }

    fn sku(&self, qbm: &str) -> String {
        self.0
            .get(qbm)
            .map(|(_, sku)| sku.clone())
            .unwrap_or_default()
    }
}

pub fn run(engine: &Engine, selection: &[String]) -> SyncResult<RunReport> {
    let (items, mut rows) = selected_items(engine, selection)?;
    engine.progress(0, items.len() as u64, "Looking the items up in the store…");
    let with_stock = !engine.settings.stock_locations().is_empty();
    let view = store_view(engine, &items, with_stock)?;
    engine.check_cancelled()?;
    let ids: Vec<String> = items.iter().filter_map(|i| i.id.clone()).collect();
    let names = Names::of(&items);
    let mut report = RunReport::default();
    if !with_stock {
        report.warnings.push(
            "no QBM location is chosen for stock (Options → Integrations → WooCommerce → Inventory Sync), so quantities were not sent".to_string(),
        );
    }
    let mut quantity = HashMap::new();
    let mut refused = BTreeSet::new();
    for (id, result) in quantities(engine, &ids)? {
        match result {
            Ok(q) => {
                quantity.insert(id, q);
            }
            Err(err) => {
                rows.push(names.row(&id, None, RowOutcome::Failed, err.to_string()));
                refused.insert(id);
            }
        }
    }
    let items: Vec<Item> = items
        .into_iter()
        .filter(|i| !refused.contains(i.id.as_deref().unwrap_or_default()))
        .collect();
    let store = &view.store;
    let mut plan = export::plan(&items, &view.matches, store, &quantity, &view.pools);
    // A pool the parent already shows costs nothing.
    plan.pool_updates.retain(|(parent, q, _)| {
        view.parents.get(parent).and_then(|p| p.stock_quantity) != Some(*q)
    });
    engine.check_cancelled()?;

    for (qbm, reason) in &plan.skipped {
        rows.push(names.row(qbm, None, RowOutcome::Skipped, reason.clone()));
    }
    let mut links = Vec::new();
    for (qbm, woo_id) in &plan.unchanged {
        rows.push(names.row(
            qbm,
            Some(*woo_id),
            RowOutcome::Unchanged,
            "the store already shows every value".into(),
        ));
        if let Some(woo) = store.get(woo_id) {
            links.push(item_link(qbm, woo));
        }
    }

    let mut written: Vec<WooItem> = Vec::new();
    // Simple products, variable parents and shared parent stock go through /products/batch;
    // variations through their parent's batch; all of it at once.
    let products = Batch {
        create: plan.creates.iter().map(|(_, w)| w.clone()).collect(),
        update: plan
            .product_updates
            .iter()
            .map(|(_, w)| w.clone())
            .chain(plan.pool_updates.iter().map(|(p, q, _)| pool_write(*p, *q)))
            .collect(),
        delete: Vec::new(),
    };
    let variation_batches = plan
        .variation_updates
        .iter()
        .map(|(parent, updates)| {
            (
                *parent,
                Batch {
                    update: updates.iter().map(|(_, w)| w.clone()).collect(),
                    ..Batch::default()
                },
            )
        })
        .collect();
    let sent = send_batches(
        engine,
        products,
        variation_batches,
        "Sending products to the store…",
    )?;
    let stopped = sent.stopped.clone();
    match sent.products {
        None => {}
        Some(Ok(outcome)) => {
            let creates: Vec<Result<Product, ItemError>> =
                settle_creates(engine, &plan.creates, outcome.create)?;
            for ((qbm, _), result) in plan.creates.iter().zip(creates) {
                match result {
                    Ok(product) => {
                        let woo = WooItem::from_product(&product);
                        links.push(item_link(qbm, &woo));
                        rows.push(names.row(
                            qbm,
                            Some(product.id),
                            RowOutcome::Created,
                            format!("new simple product \"{}\"", product.name),
                        ));
                        written.push(woo);
                    }
                    Err(err) => rows.push(names.row(qbm, None, outcome_of(&err), failure(&err))),
                }
            }
            let (updates, pool_results) = outcome
                .update
                .split_at(plan.product_updates.len().min(outcome.update.len()));
            for ((qbm, write), result) in plan.product_updates.iter().zip(updates) {
                match result {
                    Ok(product) => {
                        let woo = WooItem::from_product(product);
                        links.push(item_link(qbm, &woo));
                        rows.push(names.row(
                            qbm,
                            write.id,
                            RowOutcome::Updated,
                            updated_detail(product),
                        ));
                        written.push(woo);
                    }
                    Err(err) => rows.push(names.row(qbm, write.id, outcome_of(err), failure(err))),
                }
            }
            for ((parent, quantity, members), result) in plan.pool_updates.iter().zip(pool_results)
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
                    report
                        .warnings
                        .push(format!("{}: {note}", names.sku(member)));
                }
            }
            if let Some(err) = &outcome.stopped_by {
                report
                    .warnings
                    .push(format!("the store stopped answering part way: {err}"));
            }
        }
        Some(Err(err)) => {
            let detail = format!("not sent: {err}");
            for (qbm, _) in &plan.creates {
                rows.push(names.row(qbm, None, RowOutcome::Failed, detail.clone()));
            }
            for (qbm, write) in &plan.product_updates {
                rows.push(names.row(qbm, write.id, RowOutcome::Failed, detail.clone()));
            }
        }
    }

    for ((parent, updates), (_, result)) in plan.variation_updates.iter().zip(sent.variations) {
        match result {
            None => {
                let why = not_sent(stopped.as_ref());
                for (qbm, write) in updates {
                    rows.push(names.row(qbm, write.id, RowOutcome::NotDone, why.clone()));
                }
            }
            Some(Ok(outcome)) => {
                for ((qbm, write), result) in updates.iter().zip(&outcome.update) {
                    match result {
                        Ok(variation) => {
                            let mut woo =
                                variation_item(*parent, variation, store.get(&variation.id));
                            if write.sku.is_some() {
                                woo.sku = write.sku.clone();
                            }
                            links.push(item_link(qbm, &woo));
                            rows.push(names.row(
                                qbm,
                                write.id,
                                RowOutcome::Updated,
                                format!("variation of product {parent}"),
                            ));
                            written.push(woo);
                        }
                        Err(err) => {
                            rows.push(names.row(qbm, write.id, outcome_of(err), failure(err)))
                        }
                    }
                }
            }
            Some(Err(err)) => {
                for (qbm, write) in updates {
                    rows.push(names.row(
                        qbm,
                        write.id,
                        RowOutcome::Failed,
                        format!("not sent: {err}"),
                    ));
                }
            }
        }
    }

    // What was written is recorded whatever stopped the rest.
    if let Err(err) = record_links(engine, links, &mut report.warnings) {
        report.warnings.push(format!(
            "links to the store items could not be recorded: {err}"
        ));
    }
    if let Err(err) = refresh_cached(engine, &written) {
        report
            .warnings
            .push(format!("the cached catalog could not be updated: {err}"));
    }
    for row in rows.iter().filter(|r| r.outcome == RowOutcome::Failed) {
        engine.log.warn(
            Category::Processing,
            &format!("Create / Update {}: {}", row.code, row.detail),
        );
    }
    report.rows = rows;
    report.stopped = stopped;
    Ok(report)
}

fn outcome_of(err: &ItemError) -> RowOutcome {
    if err.outcome_unknown() {
        RowOutcome::Unknown
    } else if err.code == crate::woo::ITEM_NOT_SENT {
        RowOutcome::NotDone
    } else {
        RowOutcome::Failed
    }
}

/// Creates whose answer was lost may have been applied: the store is asked by SKU, and a
/// product found with that SKU is what was created (WooCommerce refuses a second product with
/// the same SKU, so it cannot be someone else's).
fn settle_creates(
    engine: &Engine,
    creates: &[(String, crate::woo::ProductWrite)],
    results: Vec<Result<Product, ItemError>>,
) -> SyncResult<Vec<Result<Product, ItemError>>> {
    let unknown: Vec<String> = creates
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.as_ref().is_err_and(ItemError::outcome_unknown))
        .filter_map(|((_, w), _)| w.sku.clone())
        .collect();
    if unknown.is_empty() {
        return Ok(results);
    }
    let looked_up = engine.store(move |client, cancel, _| async move {
        client.products_by_sku(&unknown, &cancel).await
    })?;
    let Ok(listing) = looked_up else {
        // The store cannot be asked either: the rows stay "unknown" and say so.
        return Ok(results);
    };
    let by_sku: HashMap<String, Product> = listing
        .records
        .into_iter()
        .map(|p| (p.sku.trim().to_lowercase(), p))
        .collect();
    Ok(creates
        .iter()
        .zip(results)
        .map(|((_, write), result)| match result {
            Err(err) if err.outcome_unknown() => {
                let sku = write.sku.as_deref().unwrap_or_default().trim().to_lowercase();
                match by_sku.get(&sku) {
                    Some(product) => Ok(product.clone()),
                    None => Err(ItemError {
                        code: "qbm_not_applied".into(),
                        message: format!(
                            "the store's answer was lost and the product is not in the store: it was not created ({})",
                            err.message
                        ),
                        ..err
                    }),
                }
            }
            other => other,
        })
        .collect())
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
