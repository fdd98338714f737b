//! The Items actions on catalogs with variations and parent-managed stock, against the simulated
//! store answering every request after a fixed delay (as a store on the internet does): per
//! scenario the wall time, the store's request count and the most requests it had in flight,
//! beside the lowest number of requests the WooCommerce API allows and the naive per-item peer
//! (`GET ?sku=` + `PUT` per item, and a variant that skips equal quantities) on the same store.
//!
//! `cargo bench -p host-sim --bench items` runs 500, 1,000 and 10,000 SKUs at 50 ms. Options:
//! `--latency MS`, `--skus N` (one catalog only), `--naive-max N` (the naive peer runs on
//! catalogs up to N SKUs; default 1,000, as it needs two requests per item one at a time).

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use host_sim::company::Company;
use host_sim::company::records::{Item, ItemPatch};
use host_sim::session::{ActionInput, Session};
use rust_decimal::Decimal;
use serde_json::json;
use support::{Mirrored, Row, Store, StoreSpec, full_read, pages, stock_writes};

/// The batches that write a changed price of every item: products 100 a batch, variations 100 a
/// batch per parent.
fn price_writes(items: &[Mirrored]) -> u64 {
    let mut products = 0u64;
    let mut variations: BTreeMap<u64, u64> = BTreeMap::new();
    for item in items {
        if item.fact.kind == "variation" {
            *variations.entry(item.fact.parent_id).or_default() += 1;
        } else {
            products += 1;
        }
    }
    pages(products) + variations.values().map(|n| pages(*n)).sum::<u64>()
}

/// Adds `by` to the QBM quantity of every `step`-th inventory item; returns the changed ones.
fn change_stock<'a>(
    company: &Company,
    items: &'a mut [Mirrored],
    step: usize,
    by: i64,
) -> anyhow::Result<Vec<&'a Mirrored>> {
    let mut changed = Vec::new();
    for (n, item) in items
        .iter_mut()
        .filter(|i| i.quantity.is_some())
        .enumerate()
    {
        if n % step != 0 {
            continue;
        }
        let q = item.quantity.unwrap_or(0) + by;
        company.set_on_hand(&item.qbm_id, "1", Decimal::from(q))?;
        item.quantity = Some(q);
        changed.push(&*item);
    }
    Ok(changed)
}

/// What the naive peer is asked to publish: every inventory item with its QBM quantity.
fn naive_lines(items: &[Mirrored]) -> Vec<(String, i64)> {
    items
        .iter()
        .filter_map(|i| Some((i.fact.sku.clone(), i.quantity?)))
        .collect()
}

fn run(session: &Session, action: &str, selection: &[String]) -> anyhow::Result<()> {
    let response = session.action(action, &ActionInput::select(selection.to_vec()))?;
    anyhow::ensure!(
        response["outcome"] == "completed",
        "{action}: {}",
        response["message"]
    );
    Ok(())
}

fn catalog(skus: usize, latency: Duration, naive: bool) -> anyhow::Result<Vec<Row>> {
    let store = Store::start(StoreSpec {
        skus: Some(skus),
        latency_ms: latency.as_millis() as u64,
        ..StoreSpec::default()
    })?;
    let company = Arc::new(Company::in_memory()?);
    let mut items = support::mirror(&company, &store.facts)?;
    let ids: Vec<String> = items.iter().map(|i| i.qbm_id.clone()).collect();
    let session = support::session(Arc::clone(&company), &store, json!({}))?;
    let n = ids.len();
    let label = |what: &str| format!("{skus} SKUs: {what}");
    let mut rows = Vec::new();

    rows.push(support::measure(
        &store,
        label("Refresh, full"),
        full_read(&store.facts),
        || run(&session, "items.woo.refresh", &[]),
    )?);
    rows.push(support::measure(
        &store,
        label("Refresh, nothing changed"),
        1,
        || run(&session, "items.woo.refresh", &[]),
    )?);
    rows.push(support::measure(
        &store,
        label(&format!(
            "Sync Stock {n} items, nothing changed (matched by SKU)"
        )),
        1,
        || run(&session, "items.qbm.sync_stock", &ids),
    )?);
    let mut linked = support::measure(
        &store,
        label(&format!("Sync Stock {n} items, nothing changed (linked)")),
        1,
        || run(&session, "items.qbm.sync_stock", &ids),
    )?;
    linked.notes.push(format!(
        "≤ 2 requests: {}",
        if linked.requests <= 2 {
            "met"
        } else {
            "MISSED"
        }
    ));
    rows.push(linked);
    rows.push(support::measure(
        &store,
        label(&format!("Create / Update {n} items, nothing changed")),
        1,
        || run(&session, "items.qbm.create_update", &ids),
    )?);

    let changed = change_stock(&company, &mut items, 10, 1)?;
    let bound = 1 + stock_writes(&changed);
    let count = changed.len();
    rows.push(support::measure(
        &store,
        label(&format!("Sync Stock {n} items, {count} changed (10 %)")),
        bound,
        || run(&session, "items.qbm.sync_stock", &ids),
    )?);
    let changed = change_stock(&company, &mut items, 1, 1)?;
    let bound = 1 + stock_writes(&changed);
    let all_changed = rows.len();
    rows.push(support::measure(
        &store,
        label(&format!("Sync Stock {n} items, all changed")),
        bound,
        || run(&session, "items.qbm.sync_stock", &ids),
    )?);
    rows.push(support::measure(
        &store,
        label(&format!(
            "Sync Stock {n} items, nothing changed, straight after a write"
        )),
        1,
        || run(&session, "items.qbm.sync_stock", &ids),
    )?);

    // Without a cached catalog: linked products by id, the rest by SKU, the parents that share
    // stock with all their variations.
    let writes = stock_writes(&change_stock(&company, &mut items, 1, 1)?);
    let linked_products = items.iter().filter(|i| i.fact.kind != "variation").count() as u64;
    let by_code = items.len() as u64 - linked_products;
    let pool_parents: std::collections::BTreeSet<u64> = items
        .iter()
        .filter(|i| i.fact.stock == "parent")
        .map(|i| i.fact.parent_id)
        .collect();
    let reads = pages(linked_products)
        + pages(by_code)
        + pages(pool_parents.len() as u64)
        + pool_parents.len() as u64;
    let bound = reads + writes;
    session.action("options.clear_cache", &ActionInput::default())?;
    rows.push(support::measure(
        &store,
        label(&format!(
            "Sync Stock {n} items, all changed, no cached catalog"
        )),
        bound,
        || run(&session, "items.qbm.sync_stock", &ids),
    )?);
    // The cache back, for the rest.
    run(&session, "items.woo.refresh", &[])?;

    for item in &mut items {
        let price = item.fact.regular_price.unwrap_or(Decimal::TEN) + Decimal::ONE;
        company.items_update(&ItemPatch {
            id: item.qbm_id.clone(),
            price: Some(price),
            ..ItemPatch::default()
        })?;
        item.fact.regular_price = Some(price);
    }
    rows.push(support::measure(
        &store,
        label(&format!("Create / Update {n} items, all changed (price)")),
        1 + price_writes(&items),
        || run(&session, "items.qbm.create_update", &ids),
    )?);

    let mut new_ids = Vec::new();
    for k in 0..n {
        let item = company.items_create(&Item {
            code: format!("NEW-{k:06}"),
            name: format!("New article {k}"),
            sku: Some(format!("NEW-{k:06}")),
            price: Some(Decimal::new(1999, 2)),
            item_type: "inventory".into(),
            active: true,
            ..Item::default()
        })?;
        let id = item.id.unwrap_or_default();
        company.set_on_hand(&id, "1", Decimal::from(k % 40))?;
        new_ids.push(id);
    }
    rows.push(support::measure(
        &store,
        label(&format!("Create / Update {n} items, all new")),
        1 + pages(n as u64),
        || run(&session, "items.qbm.create_update", &new_ids),
    )?);

    if naive {
        // The naive peer on the same store: the same kinds of change, one item at a time.
        change_stock(&company, &mut items, 1, 1)?;
        rows[all_changed].naive =
            Some(support::measure_naive(&store, &naive_lines(&items), false)?);
        change_stock(&company, &mut items, 10, 1)?;
        rows[all_changed - 1].naive =
            Some(support::measure_naive(&store, &naive_lines(&items), true)?);
        rows[3].naive = Some(support::measure_naive(&store, &naive_lines(&items), true)?);
    }
    drop(session);
    Ok(rows)
}

fn main() -> anyhow::Result<()> {
    support::serve_if_child();
    let latency = Duration::from_millis(support::flag("--latency", 50));
    let naive_max = support::flag("--naive-max", 1_000) as usize;
    let sizes: Vec<usize> = match support::flag("--skus", 0) {
        0 => vec![500, 1_000, 10_000],
        one => vec![one as usize],
    };
    println!(
        "Items actions at {} ms per request; {}",
        latency.as_millis(),
        support::machine()
    );
    let mut rows = Vec::new();
    for skus in sizes {
        let part = catalog(skus, latency, skus <= naive_max)?;
        support::print_table(&format!("{skus} SKUs"), latency, &part);
        rows.extend(part);
    }
    support::print_table("All catalogs", latency, &rows);
    Ok(())
}
