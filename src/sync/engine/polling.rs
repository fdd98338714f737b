//! Automatic order polling: one run.
//!
//! Each run asks the store for the orders **modified** after the last sync point less a safety
//! overlap ([`OVERLAP`]: an order saved in the same second as the point, or committed a moment
//! after its timestamp, is never missed), every status, oldest change first, page by page. The
//! window is open-ended: the sync point is a time of the store's clock (the newest change
//! handled), so a workstation whose clock differs from the store's misses nothing.
//!
//! * An order already imported is recognised by its link and never imported again; if the store
//!   cancelled or refunded it since, that is flagged once (log warning, notification).
//! * An order in an importable status is imported exactly like a manual import would, into the
//!   polled-order location.
//! * An order that cannot be imported yet (an item missing, no customer rule, money that does not
//!   reconcile) goes on the retry list with its reason, logged once, and is tried again on every
//!   run until it imports (or leaves the importable statuses); it does not hold back the others.
//!
//! "Last order sync" advances to the newest change read only when every page of the window was
//! read and handled and the pages agree with each other; a store failing in the middle of a page,
//! or orders changing while the pages were read (which shifts orders between pages), leaves it
//! where it was, and the next run reads the window again (already imported orders are
//! recognised, so nothing is duplicated).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::Engine;
use super::orders::{
    ImportMode, ImportedState, import_orders, imported_state, report_changes_once,
};
use crate::host_port::{Host, Level, LinkKind, LinksQuery, StorageArea};
use crate::integration_log::Category;
use crate::state;
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::orders::changes::changes_after_import;
use crate::sync::orders::{ImportableStatuses, OrderStatus};
use crate::sync::rows::{RowOutcome, RunReport, Summary};
use crate::woo::{Order, OrderBy, OrderQuery, SortOrder};

/// Where the point up to which store orders were handled is kept.
pub const LAST_ORDER_SYNC_KEY: &str = "sync.last_order_sync";
const RETRY_KEY: &str = "polling.retry";

/// How far before the last sync point each run looks again.
pub const OVERLAP: Duration = Duration::minutes(5);
/// How far back the first run looks from the moment polling was started.
pub const FIRST_LOOK_BACK: Duration = Duration::hours(24);

/// An order waiting to be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub number: String,
    pub reason: String,
    pub since: DateTime<Utc>,
}

/// The point up to which store orders have been handled, if polling ever ran.
pub fn last_order_sync(
    engine_host: &dyn crate::host_port::HostPort,
) -> SyncResult<Option<DateTime<Utc>>> {
    Ok(engine_host
        .storage_get(StorageArea::CompanyState, LAST_ORDER_SYNC_KEY)?
        .and_then(|text| serde_json::from_str::<DateTime<Utc>>(&text).ok()))
}

fn retry_list(engine: &Engine) -> SyncResult<BTreeMap<u64, Waiting>> {
    Ok(engine
        .host
        .storage_get(StorageArea::CompanyState, RETRY_KEY)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

fn save_retry_list(engine: &Engine, list: &BTreeMap<u64, Waiting>) -> SyncResult<()> {
    let text = serde_json::to_string(list).map_err(|err| SyncError::Internal(err.to_string()))?;
    state::update(engine.host, StorageArea::CompanyState, RETRY_KEY, |_| {
        Some(text.clone())
    })?;
    Ok(())
}

/// What one run did.
#[derive(Debug, Default)]
pub struct PollReport {
    pub report: RunReport,
    /// Orders created in QBM by this run.
    pub imported: usize,
    /// Orders on the retry list after the run.
    pub waiting: usize,
    /// Imported orders found cancelled or refunded in the store (newly flagged).
    pub flagged: usize,
    pub advanced: bool,
}

/// Whether the pages of a window hold every order the store counted. Orders saved while the
/// pages were read move to the end of the window and push others across a page boundary, where
/// one can be skipped: the pages then give different totals, or fewer orders arrived than the
/// store counted. `read`: distinct orders read (unreadable ones included); `totals`: the total
/// each page gave (`None`: the store did not say).
fn window_read_whole(read: usize, totals: &BTreeSet<Option<u64>>) -> bool {
    match totals.iter().collect::<Vec<_>>().as_slice() {
        [Some(total)] => read as u64 >= *total,
        [None] | [] => true,
        _ => false,
    }
}

/// One polling run. `started_at`: when polling was started (the first run looks back from it).
pub fn run(
    engine: &Engine,
    location_id: &str,
    started_at: DateTime<Utc>,
) -> SyncResult<PollReport> {
    let now = engine.clock.now();
    let point = last_order_sync(engine.host)?;
    let from = point.unwrap_or(started_at - FIRST_LOOK_BACK) - OVERLAP;
    let mut outcome = PollReport::default();
    let query = OrderQuery {
        modified_after: Some(from),
        orderby: Some(OrderBy::Modified),
        order: Some(SortOrder::Asc),
        ..OrderQuery::default()
    };
    let read = engine.store(move |client, cancel, reporter| async move {
        let mut stream = Box::pin(client.orders_stream(query, cancel));
        let mut orders: Vec<Order> = Vec::new();
        let mut bad = Vec::new();
        let mut totals = BTreeSet::new();
        while let Some(page) = stream.next().await {
            let page = page?;
            reporter.report(
                u64::from(page.number),
                page.total_pages.map_or(0, u64::from),
                "Reading changed store orders…",
            );
            totals.insert(page.total_items);
            orders.extend(page.records);
            bad.extend(page.bad_records);
        }
        Ok::<_, crate::woo::WooError>((orders, bad, totals))
    })?;
    // A failure part way: nothing is skipped for good, the point stays, the run is retried.
    let (orders, bad, totals) = read?;
    let distinct: HashSet<u64> = orders.iter().map(|o| o.id).collect();
    let complete = window_read_whole(distinct.len() + bad.len(), &totals);
    let newest = orders.iter().filter_map(|o| o.date_modified_gmt).max();
    for record in &bad {
        engine.log.warn(
            Category::Processing,
            &format!(
                "A store order was skipped because it could not be read: {}",
                record.error
            ),
        );
    }
    let mut retry = retry_list(engine)?;
    // Orders on the retry list that did not change are read again: their cause may be fixed.
    let unchanged_waiting: Vec<u64> = retry
        .keys()
        .copied()
        .filter(|id| !orders.iter().any(|o| o.id == *id))
        .collect();
    let mut candidates = orders;
    if !unchanged_waiting.is_empty() {
        let listing = engine.store(move |client, cancel, _| async move {
            client.orders_by_ids(&unchanged_waiting, &cancel).await
        })??;
        candidates.extend(listing.records);
    }
    let mut latest: HashMap<u64, Order> = HashMap::new();
    for order in candidates {
        latest.insert(order.id, order);
    }
    let ids: Vec<String> = latest.keys().map(u64::to_string).collect();
    let linked: HashMap<u64, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        engine
            .host
            .links_get(&LinksQuery {
                kind: LinkKind::Order,
                woo_ids: Some(ids),
                qbm_ids: None,
            })?
            .into_iter()
            .filter_map(|l| Some((l.woo_id.parse().ok()?, l.qbm_id)))
            .collect()
    };
    let importable = if engine.settings.order_import_statuses.is_empty() {
        ImportableStatuses::default()
    } else {
        ImportableStatuses::from_slugs(
            engine
                .settings
                .order_import_statuses
                .iter()
                .map(String::as_str),
        )
    };
    let mut to_import = Vec::new();
    let mut ordered: Vec<&Order> = latest.values().collect();
    ordered.sort_by_key(|o| (o.date_created_gmt, o.id));
    for order in ordered {
        if linked.contains_key(&order.id) {
            retry.remove(&order.id);
            outcome.flagged += flag_changes(engine, order)?;
            continue;
        }
        if importable.contains(&OrderStatus::of(order)) {
            to_import.push(order.clone());
        } else if retry.remove(&order.id).is_some() {
            engine.log.info(
                Category::Processing,
                &format!(
                    "Order {} is no longer waiting for import: its status is now {}",
                    order.number,
                    OrderStatus::of(order).label()
                ),
            );
        }
    }
    let imported = import_orders(
        engine,
        to_import,
        Vec::new(),
        location_id,
        ImportMode::Polling,
    )?;
    outcome.imported = imported
        .report
        .rows
        .iter()
        .filter(|r| r.outcome == RowOutcome::Created)
        .count();
    for id in &imported.handled {
        retry.remove(id);
    }
    for (id, reason) in &imported.waiting {
        let number = latest.get(id).map_or(id.to_string(), |o| o.number.clone());
        let known = retry.get(id).is_some_and(|w| w.reason == *reason);
        if !known {
            // Logged once per reason: the list is retried every run without repeating itself.
            engine.log.warn(
                Category::Processing,
                &format!("Order {number} waits for import (retried on every run): {reason}"),
            );
        }
        let since = retry.get(id).map_or(now, |w| w.since);
        retry.insert(
            *id,
            Waiting {
                number,
                reason: reason.clone(),
                since,
            },
        );
    }
    outcome.waiting = retry.len();
    save_retry_list(engine, &retry)?;
    // The point moves to the newest change read, never past QBM's own clock (a store order
    // dated in the future must not make the window skip what comes before that date).
    let advance = newest
        .map(|newest| point.map_or(newest, |point| point.max(newest)).min(now))
        .filter(|next| Some(*next) != point);
    if imported.report.stopped.is_none() && complete {
        if let Some(next) = advance {
            let text =
                serde_json::to_string(&next).map_err(|err| SyncError::Internal(err.to_string()))?;
            state::update(
                engine.host,
                StorageArea::CompanyState,
                LAST_ORDER_SYNC_KEY,
                |_| Some(text.clone()),
            )?;
        }
        outcome.advanced = true;
    }
    if outcome.imported > 0 {
        engine.host.notify(
            Level::Info,
            &format!(
                "{} new WooCommerce order{} imported",
                outcome.imported,
                if outcome.imported == 1 { "" } else { "s" }
            ),
        );
    }
    outcome.report = imported.report;
    Ok(outcome)
}

/// Flags an imported order the store changed since (cancelled, refunded, edited), once each.
fn flag_changes(engine: &Engine, order: &Order) -> SyncResult<usize> {
    let state: Option<ImportedState> = imported_state(engine, order.id)?;
    let Some(known) = state.clone() else {
        return Ok(0);
    };
    let at_import = known.at_import();
    let refunds = if order.refunds.is_empty() {
        Vec::new()
    } else {
        let id = order.id;
        engine
            .store(
                move |client, cancel, _| async move { client.list_all_refunds(id, &cancel).await },
            )??
            .records
    };
    let changes = changes_after_import(&at_import, Some(order), &refunds);
    let fresh = changes
        .iter()
        .filter(|c| !known.reported.contains(&format!("{c:?}")))
        .count();
    report_changes_once(engine, order.id, state, &changes, &at_import);
    Ok(fresh)
}

/// The counts of a run for the report and the journal.
pub fn counts(report: &PollReport) -> BTreeMap<String, u64> {
    let mut counts = Summary::of(&report.report.rows).counts();
    counts.insert("waiting".into(), report.waiting as u64);
    if report.flagged > 0 {
        counts.insert("changed after import".into(), report.flagged as u64);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::window_read_whole;
    use std::collections::BTreeSet;

    fn totals(each: &[Option<u64>]) -> BTreeSet<Option<u64>> {
        each.iter().copied().collect()
    }

    #[test]
    fn pages_that_agree_and_hold_every_counted_order_are_whole() {
        assert!(window_read_whole(
            250,
            &totals(&[Some(250), Some(250), Some(250)])
        ));
        assert!(window_read_whole(0, &totals(&[])));
        assert!(window_read_whole(40, &totals(&[None])));
    }

    #[test]
    fn an_order_saved_while_the_pages_were_read_makes_the_window_read_again() {
        // The total grew between page 1 and page 2: an order moved to the end of the window.
        assert!(!window_read_whole(251, &totals(&[Some(250), Some(251)])));
        // The pages agree but one order slid back across a boundary and was never seen.
        assert!(!window_read_whole(249, &totals(&[Some(250)])));
        // Some pages gave a total and some did not.
        assert!(!window_read_whole(250, &totals(&[Some(250), None])));
    }
}
