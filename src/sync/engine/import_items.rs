//! Import: selected store products and variations become QBM items with the chosen default
//! accounts.
//!
//! gather: the cached catalog (loaded when there is none), the QBM items a new item could
//! collide with, and the links of the selection → plan ([`crate::sync::import::decide`]: every
//! skip with its reason) → apply: each item created together with its link, exactly once
//! ([`crate::host_port::Host::create_linked`]) → record: a row per item, the log. A QBM item
//! that has the SKU and no link at all is the one an earlier import created and could not link:
//! it is linked now instead of being skipped forever.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Engine;
use super::catalog::ensure;
use super::gather::record_links;
use crate::host_port::{
    Created, Host, ItemType, ItemsQuery, Link, LinkKind, LinksQuery, WooIdentity,
};
use crate::integration_log::Category;
use crate::sync::catalog::{Snapshot, WooItem};
use crate::sync::error::SyncResult;
use crate::sync::import::{self, Decision, DefaultAccounts, Existing};
use crate::sync::names::ProductType;
use crate::sync::rows::{Row, RowOutcome, RunReport, Stop};

fn type_label(kind: ItemType) -> &'static str {
    match kind {
        ItemType::Inventory => "inventory",
        ItemType::NonInventory => "non-inventory",
        ItemType::Service => "service",
    }
}

/// The store items to import, in selection order; a variable product stands for its variations.
/// One pass over the catalog finds the selected ids (products and variations alike), so a large
/// catalog costs no index of its own.
fn candidates(snapshot: &Snapshot, selection: &[String], rows: &mut Vec<Row>) -> Vec<WooItem> {
    let wanted: HashSet<u64> = selection.iter().filter_map(|id| id.parse().ok()).collect();
    let by_id: HashMap<u64, &WooItem> = snapshot
        .items
        .iter()
        .filter(|w| wanted.contains(&w.id))
        .map(|w| (w.id, w))
        .collect();
    let mut out = Vec::new();
    for id in selection {
        let Some(item) = id.parse::<u64>().ok().and_then(|id| by_id.get(&id)) else {
            rows.push(Row::new(
                id.clone(),
                id.parse().ok(),
                "",
                RowOutcome::Failed,
                "not in the loaded WooCommerce items; Refresh the WooCommerce Items tab",
            ));
            continue;
        };
        if item.kind == ProductType::Variable {
            let variations = snapshot.variations_of(item.id);
            let (outcome, detail) = if variations.is_empty() {
                (
                    RowOutcome::Skipped,
                    "variable product without variations: nothing to import".to_string(),
                )
            } else {
                (
                    RowOutcome::Expanded,
                    format!(
                        "variable product: its {} variations are imported as separate items",
                        variations.len()
                    ),
                )
            };
            rows.push(Row::new(
                "",
                Some(item.id),
                item.sku.clone().unwrap_or_default(),
                outcome,
                detail,
            ));
            out.extend(variations.iter().cloned());
        } else {
            out.push((*item).clone());
        }
    }
    out
}

pub fn run(
    engine: &Engine,
    selection: &[String],
    defaults: &DefaultAccounts,
) -> SyncResult<RunReport> {
    let snapshot = ensure(engine)?;
    let mut rows = Vec::new();
    let wanted = candidates(&snapshot, selection, &mut rows);

    // Every QBM item any candidate could collide with, in one query.
    let mut values: BTreeSet<String> = BTreeSet::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut upcs: BTreeSet<String> = BTreeSet::new();
    for item in &wanted {
        values.extend(item.sku.clone());
        names.insert(item.name.trim().to_string());
        upcs.extend(item.barcode.clone());
    }
    let values: Vec<String> = values.into_iter().collect();
    let existing_items = engine.host.items_query(&ItemsQuery {
        skus: Some(values.clone()),
        codes: Some(values.clone()),
        lookup_codes: Some(values),
        upcs: Some(upcs.into_iter().collect()),
        names: Some(names.into_iter().collect()),
        ..ItemsQuery::default()
    })?;
    let existing = Existing::from_items(&existing_items);
    let refs: Vec<&WooItem> = wanted.iter().collect();
    let decisions = import::decide(&refs, &existing, defaults);
    let by_id: HashMap<u64, &WooItem> = wanted.iter().map(|w| (w.id, w)).collect();
    let linked_woo: HashMap<String, String> = engine
        .host
        .links_get(&LinksQuery {
            kind: LinkKind::Item,
            woo_ids: Some(wanted.iter().map(|w| w.id.to_string()).collect()),
            qbm_ids: None,
        })?
        .into_iter()
        .map(|l| (l.woo_id, l.qbm_id))
        .collect();
    let linked_qbm: HashSet<String> = engine
        .host
        .links_get(&LinksQuery {
            kind: LinkKind::Item,
            woo_ids: None,
            qbm_ids: Some(existing.sku_ids.values().cloned().collect()),
        })?
        .into_iter()
        .map(|l| l.qbm_id)
        .collect();
    let code_of: HashMap<&str, &str> = existing_items
        .iter()
        .filter_map(|i| i.id.as_deref().map(|id| (id, i.code.as_str())))
        .collect();
    let code = |qbm_id: &str| {
        code_of
            .get(qbm_id)
            .map_or(qbm_id.to_string(), |c| c.to_string())
    };

    let total = decisions.len() as u64;
    let mut repaired = Vec::new();
    let mut stopped = None;
    for (done, (woo_id, decision)) in decisions.into_iter().enumerate() {
        let woo = by_id[&woo_id];
        let sku = woo.sku.clone().unwrap_or_default();
        if stopped.is_none() {
            engine.progress(done as u64, total, &format!("Importing {}", woo.name));
        }
        if stopped.is_some() || engine.is_cancelled() {
            stopped.get_or_insert(Stop::Cancelled);
            rows.push(Row::new(
                "",
                Some(woo_id),
                sku,
                RowOutcome::NotDone,
                "not imported: the import was cancelled first",
            ));
            continue;
        }
        if let Some(qbm_id) = linked_woo.get(&woo_id.to_string()) {
            rows.push(Row::new(
                code(qbm_id),
                Some(woo_id),
                sku,
                RowOutcome::Skipped,
                format!("already imported as QBM item {}", code(qbm_id)),
            ));
            continue;
        }
        let row = match decision {
            Decision::SkuTaken { qbm_id, .. } if !linked_qbm.contains(&qbm_id) => {
                repaired.push(Link {
                    kind: LinkKind::Item,
                    woo_id: woo_id.to_string(),
                    woo_parent_id: woo.parent_id.map(|p| p.to_string()),
                    qbm_id: qbm_id.clone(),
                    created_at: None,
                });
                Row::new(
                    code(&qbm_id),
                    Some(woo_id),
                    sku,
                    RowOutcome::Linked,
                    "a QBM item with this SKU existed without a link to any store item (made by hand, or by an import whose link was lost): it is linked to this store item now instead of a second item being created",
                )
            }
            Decision::SkuTaken { reason, .. } | Decision::Skip(reason) => {
                Row::new("", Some(woo_id), sku, RowOutcome::Skipped, reason)
            }
            Decision::Create(item) => {
                let identity = WooIdentity {
                    woo_id: woo_id.to_string(),
                    woo_parent_id: woo.parent_id.map(|p| p.to_string()),
                    number: None,
                };
                match engine.host.create_linked(item.as_ref(), &identity) {
                    Ok(Created {
                        record,
                        existing: true,
                        ..
                    }) => Row::new(
                        record.code.clone(),
                        Some(woo_id),
                        sku,
                        RowOutcome::Skipped,
                        format!("already imported as QBM item {}", record.code),
                    ),
                    Ok(Created {
                        record, link_error, ..
                    }) => {
                        let mut detail = format!(
                            "new {} item {} \"{}\"",
                            type_label(record.item_type),
                            record.code,
                            record.name
                        );
                        if let Some(err) = link_error {
                            detail.push_str(&format!(
                                "; its link to the store item could not be recorded ({err}): importing it again links it"
                            ));
                        }
                        Row::new(
                            record.code.clone(),
                            Some(woo_id),
                            sku,
                            RowOutcome::Created,
                            detail,
                        )
                    }
                    Err(err) => {
                        Row::new("", Some(woo_id), sku, RowOutcome::Failed, err.to_string())
                    }
                }
            }
        };
        rows.push(row);
    }
    let mut report = RunReport::default();
    if let Err(err) = record_links(engine, repaired, &mut report.warnings) {
        report.warnings.push(format!(
            "links of repaired items could not be recorded: {err}"
        ));
        for row in rows.iter_mut().filter(|r| r.outcome == RowOutcome::Linked) {
            row.outcome = RowOutcome::Failed;
            row.detail = format!("the link could not be recorded: {err}");
        }
    }
    for row in rows.iter().filter(|r| r.outcome != RowOutcome::Created) {
        if let Some(id) = row.woo_id {
            engine.log.info(
                Category::Processing,
                &format!(
                    "Import of store item {id} {}: {} ({})",
                    row.code,
                    row.outcome.id(),
                    row.detail
                ),
            );
        }
    }
    report.rows = rows;
    report.stopped = stopped;
    Ok(report)
}
