//! Automatic stock sync: one run, a preview of the next run, and the stock check.
//!
//! **Cost follows change.** The engine remembers, per store target (a simple product, a variation
//! with its own stock, or a parent whose variations share its stock), the QBM quantity it last
//! published and the quantity it sent. A run reads QBM's quantities of the items that may have
//! moved — those the host's `stock_changes` names since the last cursor (the sync start date is
//! the first cursor), else every linked item in one bulk `stock_on_hand` — plus the items the
//! host reported through `stock_changed` and the items whose last write did not go through, and
//! writes only the targets whose QBM quantity differs from what was published. A run where
//! nothing changed in QBM makes no request to the store. The store's own data comes from the
//! cached catalog (read in full on the first run and at each stock check, incrementally when an
//! item that moved has no match yet).
//!
//! An early run for items the host just reported (`stock_changed`, [`Mode::Moved`]) looks at
//! those items only, so a sale at the till costs one write whatever the size of the catalog.
//!
//! **No overselling.** Before writing, the open web orders (processing or on hold, not yet
//! imported) are read incrementally and what they hold is left out: "QBM 12 − 2 on web order
//! #1042 not yet imported = 10". Each figure that leaves orders out is logged with that text.
//!
//! **Resuming.** Before the first write, every planned write is recorded as pending together
//! with the new change cursor; each wave of batches (concurrent, at the store's own pace) then
//! clears what the store accepted. A run cut short by a crash, a stop or a network loss leaves
//! exactly the unwritten targets pending, and the next run writes those without reading again.
//!
//! **Stock check** (every "Stock check interval" hours, and on demand): the store's quantities
//! are read again for every published target and differences are written back (stock edited by
//! hand in WooCommerce, another tool, a lost write), each with its likely cause. A change of the
//! locations the figures come from makes the next run a check too.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Engine;
use super::catalog;
use super::create_update::stops_everything;
use super::gather::{log_bad_records, pool_write, read_by_id, refresh_cached, variation_item};
use super::sync_stock::item_failure;
use crate::host_port::{
    Host, Item, ItemsQuery, Link, LinkKind, LinksQuery, StockChangesQuery, StockQuery,
};
use crate::integration_log::Category;
use crate::state::chunked;
use crate::sync::catalog::{Snapshot, StockMode, WooItem};
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::matching::{self, ItemMatch, SkuIndex};
use crate::sync::names::ProductType;
use crate::sync::oversell::{OpenLine, open_lines, published_quantities};
use crate::sync::rows::{Row, RowOutcome, RunReport, Stop};
use crate::sync::stock::{QuantityError, quantities_by_item, store_quantity};
use crate::woo::{
    Batch, BatchOutcome, OrderQuery, Product, Variation, VariationWrite, WooError, WooErrorKind,
};

const STATE_KEY: &str = "stock.state";
/// Product writes in one wave (eight batches of 100) and parents of variations in one wave. The
/// run's state is saved after each wave, and a wave waits for its slowest batch: a parent's batch
/// is often a handful of variations, so a wave holds many parents to keep the client's ceiling
/// of requests in flight busy.
const WAVE_PRODUCTS: usize = 800;
const WAVE_PARENTS: usize = 64;
/// How far back each incremental read of the open web orders looks again before the last one:
/// an order saved while the last read ran, or stamped by a store clock a little behind QBM's,
/// is not missed.
const ORDERS_OVERLAP: Duration = Duration::minutes(5);

/// What kind of store stock a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TargetKind {
    /// A product with its own stock.
    Product,
    /// A variation with its own stock.
    Variation { parent: u64 },
    /// A parent product whose variations share its stock.
    Pool,
}

/// What was last published for a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedTarget {
    pub kind: TargetKind,
    /// QBM's quantity then (before web orders were left out).
    pub qbm: Decimal,
    /// What was sent.
    pub quantity: i64,
    pub at: DateTime<Utc>,
}

/// The engine's memory between runs (company state, stored in chunks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub published: BTreeMap<u64, PublishedTarget>,
    /// The host's `stock_changes` cursor.
    pub cursor: Option<String>,
    /// When the store's quantities were last checked in full.
    pub last_check: Option<DateTime<Utc>>,
    /// Items reported missing, with what was tried (logged again only when that changes).
    pub missing: BTreeMap<String, String>,
    /// Open web orders not yet imported, by order id, and up to when they were read.
    pub open_orders: BTreeMap<u64, Vec<OpenLine>>,
    pub orders_read_until: Option<DateTime<Utc>>,
    /// QBM items whose store figure still has to be written: planned before the first write of
    /// a run and cleared as the store accepts them, so a run cut short goes on from there.
    #[serde(default)]
    pub pending: BTreeSet<String>,
    /// The QBM locations the published figures were summed over (another choice in Options
    /// makes every figure stale).
    #[serde(default)]
    pub locations: Vec<String>,
    /// Locations chosen in Options that no longer exist in QBM, as last reported in the log.
    #[serde(default)]
    pub gone_locations: Vec<String>,
}

pub fn load_state(engine: &Engine) -> SyncResult<SyncState> {
    Ok(chunked::read(engine.host, STATE_KEY)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

fn save_state(engine: &Engine, state: &SyncState) -> SyncResult<()> {
    let text = serde_json::to_string(state).map_err(|err| SyncError::Internal(err.to_string()))?;
    let stamp = engine.clock.now().timestamp_millis().max(0) as u64;
    chunked::write(engine.host, STATE_KEY, &text, stamp)?;
    Ok(())
}

/// Forgets what was published (Clear Cache, or a new store): the next run is a full one.
pub fn forget(engine: &Engine) -> SyncResult<()> {
    chunked::clear(engine.host, STATE_KEY)?;
    Ok(())
}

/// How a run decides what to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A scheduled run: only what changed in QBM (a stock check when it is due).
    Scheduled,
    /// An early run for the items the host reported moved (`stock_changed`) before the interval
    /// came round: those items (and the host's change list when it offers one), nothing else.
    Moved,
    /// The stock check: every target against the store's quantities, differences written.
    Check,
    /// Like a scheduled run, without writing (the preview).
    Preview,
    /// A stock check without writing (the Stock check list).
    CheckPreview,
}

impl Mode {
    fn writes(self) -> bool {
        matches!(self, Mode::Scheduled | Mode::Moved | Mode::Check)
    }
}

/// One planned or done change of a target, for the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetLine {
    pub target: u64,
    pub kind: TargetKind,
    /// The QBM items behind it (codes), and their ids.
    pub items: Vec<(String, String)>,
    /// What the store shows (from the catalog, or read now in a check).
    pub store_now: Option<i64>,
    pub new: i64,
    /// The arithmetic: "QBM 12 − 2 on web order #1042 not yet imported = 10".
    pub because: String,
    /// Web orders not yet imported hold some of QBM's units.
    pub held: bool,
    /// Why the store differs (stock check only).
    pub cause: Option<String>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct CycleOutcome {
    pub report: RunReport,
    pub pushed: usize,
    pub unchanged: usize,
    pub missing: usize,
    pub failed: usize,
    /// Planned changes (the preview, the stock check list), also when written.
    pub planned: Vec<TargetLine>,
    /// A stock check ran (scheduled, or on demand).
    pub checked: bool,
    /// Waiting for the sync start date.
    pub waiting_for_start: Option<DateTime<Utc>>,
    /// The kind of store error that stopped the writes part way, if one did.
    pub stopped_by: Option<WooErrorKind>,
}

/// The targets the run looks at, with their QBM items.
struct Targets {
    /// Target id → (kind, QBM item ids behind it).
    members: BTreeMap<u64, (TargetKind, Vec<String>)>,
    /// QBM item id → target id.
    target_of: HashMap<String, u64>,
}

/// The start of the sync start date (UTC midnight of that date, as entered in Options).
fn start_instant(engine: &Engine) -> Option<DateTime<Utc>> {
    engine
        .settings
        .stock_sync_start_date
        .map(|date| date.and_time(NaiveTime::MIN).and_utc())
}

/// Runs one stock sync in `mode`; `moved` are the items the host reported through
/// `stock_changed` (published in this run whatever else changed); `only` limits the writes to
/// these targets ("Fix selected" of the stock check).
pub fn run(
    engine: &Engine,
    moved: &BTreeSet<String>,
    mode: Mode,
    only: Option<&BTreeSet<u64>>,
) -> SyncResult<CycleOutcome> {
    let mut outcome = CycleOutcome::default();
    let now = engine.clock.now();
    if let Some(start) = start_instant(engine).filter(|start| *start > now) {
        outcome.waiting_for_start = Some(start);
        return Ok(outcome);
    }
    let chosen = engine.settings.stock_locations();
    let known: HashSet<String> = engine.host.locations()?.into_iter().map(|l| l.id).collect();
    let gone: Vec<String> = chosen
        .iter()
        .filter(|l| !known.contains(*l))
        .cloned()
        .collect();
    if !gone.is_empty() {
        outcome.report.warnings.push(format!(
            "the stock location(s) {} chosen in Options no longer exist in QBM and are not counted; choose the locations again under Inventory Sync",
            gone.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
        ));
    }
    let locations: Vec<String> = chosen.into_iter().filter(|l| known.contains(l)).collect();
    if locations.is_empty() {
        return Err(SyncError::NotConfigured(
            "no existing QBM location is chosen for stock (Options → Inventory Sync)".into(),
        ));
    }
    let mut state = load_state(engine)?;
    let loaded = state.clone();
    if mode.writes() && state.gone_locations != gone {
        // Said once in the log (every run's report repeats it), and again when it changes.
        for warning in &outcome.report.warnings {
            engine
                .log
                .warn(Category::StockSync, &format!("Stock sync: {warning}"));
        }
        state.gone_locations = gone;
    }
    let locations_changed = !state.published.is_empty() && state.locations != locations;
    let check_due = state.last_check.is_none_or(|at| {
        now - at >= Duration::hours(i64::from(engine.settings.stock_check_hours.max(1)))
    });
    let full = match mode {
        Mode::Check | Mode::CheckPreview => true,
        Mode::Scheduled | Mode::Preview => {
            check_due || state.published.is_empty() || locations_changed
        }
        Mode::Moved => state.published.is_empty() || locations_changed,
    };
    outcome.checked = full;

    // The store's catalog: brought up to date for a check (the targets' quantities are then read
    // again one by one, below, unless the whole catalog was just read), else the cache.
    let (mut snapshot, catalog_read_in_full) = if full {
        let loaded = catalog::refresh(engine)?;
        (loaded.snapshot, !loaded.incremental)
    } else {
        (catalog::ensure(engine)?, false)
    };

    // Which QBM items may have moved. The change cursor is taken before QBM's quantities are
    // read, so a movement made while this run reads is found by the next one.
    let links = engine.host.links_get(&LinksQuery {
        kind: LinkKind::Item,
        woo_ids: None,
        qbm_ids: None,
    })?;
    let linked_items: BTreeSet<String> = links.iter().map(|l| l.qbm_id.clone()).collect();
    let changes = moved_items(engine, &state, &linked_items, &locations, mode, full)?;
    let new_cursor = changes.cursor.clone();
    // Items something happened to: reported by the host, or left unwritten by an earlier run.
    let touched: BTreeSet<String> = changes
        .moved
        .iter()
        .chain(moved)
        .chain(&state.pending)
        .cloned()
        .collect();
    let candidates = if full {
        engine
            .host
            .all_items(&|| engine.is_cancelled())?
            .ok_or(SyncError::Cancelled)?
    } else {
        let ids: BTreeSet<String> = touched.iter().chain(&changes.compare).cloned().collect();
        items_by_id(engine, ids)?
    };
    engine.check_cancelled()?;

    // An item that moved and has no match yet may have just appeared in the store: read what
    // changed there. Items already known to be missing are looked up again only when they move
    // (or at the next check), so a standing gap costs nothing per run.
    if !full {
        let by_id: HashSet<u64> = snapshot.items.iter().map(|w| w.id).collect();
        let valid_link: HashSet<&str> = links
            .iter()
            .filter(|l| l.woo_id.parse().is_ok_and(|id: u64| by_id.contains(&id)))
            .map(|l| l.qbm_id.as_str())
            .collect();
        let look_up = candidates.iter().any(|item| {
            item.id.as_deref().is_some_and(|id| {
                !valid_link.contains(id)
                    && (touched.contains(id) || !state.missing.contains_key(id))
            }) && !matching::codes_to_look_up(item, engine.settings.match_by_lookup_code).is_empty()
        });
        if look_up {
            snapshot = catalog::refresh(engine)?.snapshot;
        }
    }
    let (mut targets, mut new_links, mut rows) =
        match_targets(engine, &snapshot, &links, &candidates, &mut state, mode)?;
    // A target's figure is the sum of every QBM item behind it, also those that did not move.
    let partners = partners_of(&snapshot, &links, &targets, &candidates);
    let candidates = if partners.is_empty() {
        candidates
    } else {
        let mut all = candidates;
        all.extend(items_by_id(engine, partners)?);
        (targets, new_links, rows) =
            match_targets(engine, &snapshot, &links, &all, &mut state, mode)?;
        all
    };
    if mode.writes() {
        // An item left unwritten that no longer has a store figure (unlinked, no longer managed)
        // has nothing left to write.
        state
            .pending
            .retain(|item| targets.target_of.contains_key(item));
    }
    outcome.missing = rows
        .iter()
        .filter(|r| r.outcome == RowOutcome::Missing)
        .count();
    outcome.report.rows.extend(rows);
    if mode.writes()
        && !new_links.is_empty()
        && let Err(err) = engine.host.links_put(new_links)
    {
        outcome
            .report
            .warnings
            .push(format!("new item matches could not be linked: {err}"));
    }

    // QBM quantities of every item behind the targets.
    let all_members: Vec<String> = targets
        .members
        .values()
        .flat_map(|(_, items)| items.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let levels = if all_members.is_empty() {
        Vec::new()
    } else {
        engine.host.stock_on_hand(&StockQuery {
            item_ids: all_members,
            location_ids: locations.clone(),
        })?
    };
    let sums = quantities_by_item(&levels);
    let qbm_of_target = |target: u64| -> Decimal {
        targets
            .members
            .get(&target)
            .map_or(Decimal::ZERO, |(_, items)| {
                items
                    .iter()
                    .map(|i| sums.get(i).copied().unwrap_or_default())
                    .sum()
            })
    };
    let item_code: HashMap<&str, &str> = candidates
        .iter()
        .filter_map(|i| Some((i.id.as_deref()?, i.code.as_str())))
        .collect();

    // Which targets to write: those whose QBM quantity moved, those behind items the host
    // reported or a run left unwritten (or, in a check, whose store quantity differs from what
    // should be published, read fresh: drift does not always change the modification dates an
    // incremental read relies on).
    let fresh = if full && !catalog_read_in_full {
        read_targets(engine, &targets)?
    } else {
        HashMap::new()
    };
    let mut store_of: HashMap<u64, &WooItem> = snapshot.items.iter().map(|w| (w.id, w)).collect();
    for (id, item) in &fresh {
        store_of.insert(*id, item);
    }
    let mut qbm: HashMap<u64, Decimal> = HashMap::new();
    let mut refused: Vec<(u64, QuantityError)> = Vec::new();
    for &target in targets.members.keys() {
        let quantity = qbm_of_target(target);
        if let Err(err) = store_quantity(quantity) {
            refused.push((target, err));
            continue;
        }
        qbm.insert(target, quantity);
    }
    let reported_targets: HashSet<u64> = moved
        .iter()
        .filter_map(|item| targets.target_of.get(item).copied())
        .collect();
    let pending_targets: HashSet<u64> = state
        .pending
        .iter()
        .filter_map(|item| targets.target_of.get(item).copied())
        .collect();
    let changed: BTreeSet<u64> = qbm
        .iter()
        .filter(|(target, quantity)| {
            full || reported_targets.contains(target)
                || pending_targets.contains(target)
                || state
                    .published
                    .get(target)
                    .is_none_or(|p| p.qbm != **quantity)
        })
        .map(|(target, _)| *target)
        .collect();
    let describe_items = |target: u64| -> Vec<(String, String)> {
        targets
            .members
            .get(&target)
            .map_or(Vec::new(), |(_, items)| {
                items
                    .iter()
                    .map(|id| {
                        (
                            item_code
                                .get(id.as_str())
                                .map_or(id.clone(), |c| c.to_string()),
                            id.clone(),
                        )
                    })
                    .collect()
            })
    };
    for (target, err) in refused {
        outcome.failed += 1;
        for (code, _) in describe_items(target) {
            outcome.report.rows.push(Row::new(
                code,
                Some(target),
                "",
                RowOutcome::Failed,
                err.to_string(),
            ));
        }
    }

    // What open web orders hold, read only when something is to be written.
    let holds = if changed.is_empty() || !engine.settings.subtract_unimported_orders {
        Vec::new()
    } else {
        open_orders(engine, &mut state, full)?
    };
    let shares_parent: HashSet<u64> = snapshot
        .items
        .iter()
        .filter(|w| w.parent_id.is_some() && w.stock == StockMode::Parent)
        .map(|w| w.id)
        .collect();
    let changed_qbm: HashMap<u64, Decimal> = changed
        .iter()
        .filter_map(|t| qbm.get(t).map(|q| (*t, *q)))
        .collect();
    let publish = published_quantities(&changed_qbm, &holds, &shares_parent);
    let mut writes: Vec<Write> = Vec::new();
    for (target, published) in &publish {
        let Some((kind, _)) = targets.members.get(target) else {
            continue;
        };
        let store_now = store_of.get(target).and_then(|w| w.stock_quantity);
        let previously = state.published.get(target);
        let differs = if full {
            store_now != Some(published.quantity)
        } else {
            pending_targets.contains(target)
                || previously.is_none_or(|p| p.quantity != published.quantity)
                // Stock the host reported moved is compared with the store's figure too, so a
                // figure edited in the store is corrected when QBM's stock moves.
                || store_now != Some(published.quantity) && reported_targets.contains(target)
        };
        let line = TargetLine {
            target: *target,
            kind: *kind,
            items: describe_items(*target),
            store_now,
            new: published.quantity,
            because: published.explanation(),
            held: !published.holds.is_empty(),
            cause: full.then(|| {
                likely_cause(
                    store_now,
                    published,
                    previously,
                    store_of.get(target).copied(),
                )
            }),
        };
        if only.is_some_and(|only| !only.contains(target)) {
            continue;
        }
        if differs {
            writes.push((*target, *kind, published.quantity, published.qbm));
            outcome.planned.push(line);
        } else {
            outcome.unchanged += 1;
            // Already right in the store: remember it as published.
            if mode.writes() {
                state.published.insert(
                    *target,
                    PublishedTarget {
                        kind: *kind,
                        qbm: published.qbm,
                        quantity: published.quantity,
                        at: now,
                    },
                );
                for (_, item) in &line.items {
                    state.pending.remove(item);
                }
            }
        }
    }
    if !mode.writes() {
        for line in &outcome.planned {
            for (code, _) in &line.items {
                outcome.report.rows.push(Row::new(
                    code.clone(),
                    Some(line.target),
                    "",
                    RowOutcome::Updated,
                    preview_text(line),
                ));
            }
        }
        return Ok(outcome);
    }

    // Recorded before the first write: what is planned is pending until the store takes it, the
    // cursor moves past what this run read, and a check that read everything counts as done
    // (its writes are pending). A run cut short goes on from here next time.
    let lines_by_target: HashMap<u64, TargetLine> = outcome
        .planned
        .iter()
        .map(|l| (l.target, l.clone()))
        .collect();
    for line in &outcome.planned {
        state
            .pending
            .extend(line.items.iter().map(|(_, id)| id.clone()));
    }
    // "Fix selected" writes some targets only: what else moved is left for the next run.
    if only.is_none() {
        if let Some(cursor) = new_cursor {
            state.cursor = Some(cursor);
        }
        if full {
            state.last_check = Some(now);
        }
        state.locations = locations;
    }
    if !writes.is_empty() {
        save_state(engine, &state)?;
    }

    // Write in waves, recording after each what the store accepted.
    let mut stopped = None;
    let mut failed_targets = 0usize;
    for wave in waves(&writes) {
        if stopped.is_none() && engine.is_cancelled() {
            stopped = Some(Stop::Cancelled);
        }
        if let Some(stop) = &stopped {
            for (target, ..) in &wave {
                for (code, _) in describe_items(*target) {
                    outcome.report.rows.push(Row::new(
                        code,
                        Some(*target),
                        "",
                        RowOutcome::NotDone,
                        match stop {
                            Stop::Cancelled => {
                                "not sent: the run was stopped; sent on the next run".to_string()
                            }
                            Stop::Failed(cause) => format!(
                                "not sent: the run stopped earlier ({cause}); sent on the next run"
                            ),
                        },
                    ));
                }
            }
            continue;
        }
        let sent = send_wave(engine, &wave, &store_of)?;
        for (target, kind, quantity, qbm_quantity) in &wave {
            let line = &lines_by_target[target];
            match sent.failed.get(target) {
                Some((row_outcome, message)) => {
                    failed_targets += 1;
                    for (code, _) in &line.items {
                        outcome.report.rows.push(Row::new(
                            code.clone(),
                            Some(*target),
                            "",
                            *row_outcome,
                            format!("{message}; tried again on the next run"),
                        ));
                    }
                }
                None => {
                    outcome.pushed += 1;
                    state.published.insert(
                        *target,
                        PublishedTarget {
                            kind: *kind,
                            qbm: *qbm_quantity,
                            quantity: *quantity,
                            at: now,
                        },
                    );
                    for (code, item) in &line.items {
                        state.pending.remove(item);
                        outcome.report.rows.push(Row::new(
                            code.clone(),
                            Some(*target),
                            "",
                            RowOutcome::Updated,
                            done_text(line),
                        ));
                    }
                    if line.held {
                        // The arithmetic of every figure that leaves web orders out, so the shop
                        // owner sees why the store shows less than QBM.
                        let codes: Vec<&str> =
                            line.items.iter().map(|(code, _)| code.as_str()).collect();
                        engine.log.info(
                            Category::StockSync,
                            &format!(
                                "Stock sync {} → store item {} set to {}: {}",
                                codes.join(", "),
                                line.target,
                                line.new,
                                line.because
                            ),
                        );
                    }
                }
            }
        }
        if let Err(err) = refresh_cached(engine, &sent.written) {
            outcome
                .report
                .warnings
                .push(format!("the cached catalog could not be updated: {err}"));
        }
        save_state(engine, &state)?;
        if let Some(err) = sent.stopped {
            outcome.stopped_by = Some(err.kind());
            stopped = Some(Stop::Failed(err.to_string()));
        }
    }
    outcome.failed += failed_targets;
    // A run that found nothing to do leaves QBM's storage alone too.
    if state != loaded {
        save_state(engine, &state)?;
    }
    outcome.report.stopped = stopped;
    Ok(outcome)
}

/// QBM items by id (none asked, none read).
fn items_by_id(engine: &Engine, ids: BTreeSet<String>) -> SyncResult<Vec<Item>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(engine.host.items_query(&ItemsQuery {
        ids: Some(ids.into_iter().collect()),
        ..ItemsQuery::default()
    })?)
}

/// The linked QBM items behind the targets that are not among `candidates`: the other items of
/// a parent's shared stock, or a second QBM item linked to the same store item.
fn partners_of(
    snapshot: &Snapshot,
    links: &[Link],
    targets: &Targets,
    candidates: &[Item],
) -> BTreeSet<String> {
    let known: HashSet<&str> = candidates.iter().filter_map(|i| i.id.as_deref()).collect();
    let by_id: HashMap<u64, &WooItem> = snapshot.items.iter().map(|w| (w.id, w)).collect();
    links
        .iter()
        .filter(|link| !known.contains(link.qbm_id.as_str()))
        .filter(|link| {
            let Some(woo) = link
                .woo_id
                .parse::<u64>()
                .ok()
                .and_then(|id| by_id.get(&id))
            else {
                return false;
            };
            let target = match (woo.stock, woo.parent_id) {
                (StockMode::Parent, Some(parent)) => parent,
                _ => woo.id,
            };
            targets.members.contains_key(&target)
        })
        .map(|link| link.qbm_id.clone())
        .collect()
}

/// The targets read again by id: products in bulk, the variations of each parent in bulk, several
/// parents at once.
fn read_targets(engine: &Engine, targets: &Targets) -> SyncResult<HashMap<u64, WooItem>> {
    let products: Vec<u64> = targets
        .members
        .iter()
        .filter(|(_, (kind, _))| !matches!(kind, TargetKind::Variation { .. }))
        .map(|(id, _)| *id)
        .collect();
    let mut variations: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for (id, (kind, _)) in &targets.members {
        if let TargetKind::Variation { parent } = kind {
            variations.entry(*parent).or_default().push(*id);
        }
    }
    let (items, bad) = engine.store(move |client, cancel, _| async move {
        read_by_id(&client, &products, variations, &cancel).await
    })??;
    log_bad_records(engine, &bad);
    Ok(items.into_iter().map(|item| (item.id, item)).collect())
}

fn preview_text(line: &TargetLine) -> String {
    let now = line
        .store_now
        .map_or("not tracked".to_string(), |q| q.to_string());
    let target = match line.kind {
        TargetKind::Pool => format!("shared stock of parent product {}", line.target),
        TargetKind::Variation { parent } => format!("variation {} of {parent}", line.target),
        TargetKind::Product => format!("product {}", line.target),
    };
    let cause = line
        .cause
        .as_deref()
        .map_or(String::new(), |c| format!("; {c}"));
    format!(
        "{target}: store {now} → {} ({}){cause}",
        line.new, line.because
    )
}

fn done_text(line: &TargetLine) -> String {
    let target = match line.kind {
        TargetKind::Pool => format!(
            "stock is managed by parent product {}: its shared stock was set to {}",
            line.target, line.new
        ),
        _ => format!("stock set to {}", line.new),
    };
    format!("{target} ({})", line.because)
}

/// Why the store's figure differs from what should be published (stock check). The store's
/// figure is compared with what this engine last sent: web orders lower both the store's
/// figure and what should be published by the same units, so a store figure that moved away from
/// what was sent was changed by someone else.
fn likely_cause(
    store_now: Option<i64>,
    published: &crate::sync::oversell::Published,
    previously: Option<&PublishedTarget>,
    store_item: Option<&WooItem>,
) -> String {
    if store_item.is_some_and(|w| w.stock == StockMode::Unmanaged) {
        return "the store does not manage stock for it".to_string();
    }
    match (store_now, previously) {
        (None, _) => "the store shows no quantity".to_string(),
        (Some(now), _) if now == published.quantity => "matches".to_string(),
        (_, None) => "not published by the automatic sync yet".to_string(),
        (Some(now), Some(p)) if now != p.quantity => {
            // A store save is stamped in whole seconds: a modification before the second of the
            // push means the store never took it.
            let before_push = store_item
                .and_then(|w| w.modified_gmt)
                .is_some_and(|modified| modified < p.at - Duration::seconds(1));
            if before_push {
                format!(
                    "the last push did not reach the store ({} was sent, the store still shows {now})",
                    p.quantity
                )
            } else {
                format!(
                    "edited in the store since the last push (it was set to {}; by hand in WooCommerce or by another tool)",
                    p.quantity
                )
            }
        }
        (Some(_), Some(p)) if p.qbm != published.qbm => {
            "changed in QBM since the last push".to_string()
        }
        _ => "web orders placed or imported since the last push changed what is held".to_string(),
    }
}

/// What may have moved since the last run.
struct Changes {
    /// Items the host's change list names.
    moved: BTreeSet<String>,
    /// Items to compare with what was published although nothing says they moved (every linked
    /// item when the host keeps no change list).
    compare: BTreeSet<String>,
    /// The host's cursor after this read.
    cursor: Option<String>,
}

/// The items whose stock may have moved: from the host's change list when it offers one (asked
/// in a full run too, for the cursor the next run starts from), else every linked item in a
/// scheduled run; an early run for reported items adds nothing.
fn moved_items(
    engine: &Engine,
    state: &SyncState,
    linked_items: &BTreeSet<String>,
    locations: &[String],
    mode: Mode,
    full: bool,
) -> SyncResult<Changes> {
    if engine.host.capabilities().stock_changes {
        let changes = engine.host.stock_changes(&StockChangesQuery {
            cursor: state.cursor.clone(),
            since: if state.cursor.is_none() {
                start_instant(engine)
            } else {
                None
            },
            location_ids: locations.to_vec(),
        })?;
        return Ok(Changes {
            moved: if full {
                BTreeSet::new()
            } else {
                changes.item_ids.into_iter().collect()
            },
            compare: BTreeSet::new(),
            cursor: Some(changes.cursor),
        });
    }
    // Without the host's change list, one bulk read of the linked items' quantities; the targets
    // whose QBM quantity moved are found when they are compared with what was published.
    let compare = if full || mode == Mode::Moved {
        BTreeSet::new()
    } else {
        linked_items.clone()
    };
    Ok(Changes {
        moved: BTreeSet::new(),
        compare,
        cursor: None,
    })
}

/// Reads the open web orders and returns the lines they hold: all of them on the first read and
/// at each check (which also bounds what an incremental read could ever miss to one check
/// interval), else only the orders modified since the last read, in any status (an order leaving
/// "processing" must leave the list too), looking back [`ORDERS_OVERLAP`] further. The window is
/// open-ended: an order saved in the store after QBM's clock read "now" is still in it.
fn open_orders(engine: &Engine, state: &mut SyncState, full: bool) -> SyncResult<Vec<OpenLine>> {
    let now = engine.clock.now();
    let query = match state.orders_read_until.filter(|_| !full) {
        Some(until) => OrderQuery {
            modified_after: Some(until - ORDERS_OVERLAP),
            ..OrderQuery::default()
        },
        None => {
            state.open_orders.clear();
            OrderQuery {
                status: vec!["processing".into(), "on-hold".into()],
                ..OrderQuery::default()
            }
        }
    };
    let listing = engine.store(move |client, cancel, _| async move {
        client.list_all_orders(query, &cancel).await
    })??;
    let ids: Vec<String> = listing.records.iter().map(|o| o.id.to_string()).collect();
    let imported: HashSet<u64> = if ids.is_empty() {
        HashSet::new()
    } else {
        engine
            .host
            .links_get(&LinksQuery {
                kind: LinkKind::Order,
                woo_ids: Some(ids),
                qbm_ids: None,
            })?
            .into_iter()
            .filter_map(|l| l.woo_id.parse().ok())
            .collect()
    };
    for order in &listing.records {
        let lines = open_lines(std::iter::once(order), &imported);
        if lines.is_empty() {
            state.open_orders.remove(&order.id);
        } else {
            state.open_orders.insert(order.id, lines);
        }
    }
    // Orders imported since (through polling or by hand) no longer hold anything.
    let kept: Vec<String> = state.open_orders.keys().map(u64::to_string).collect();
    if !kept.is_empty() {
        let now_imported: HashSet<u64> = engine
            .host
            .links_get(&LinksQuery {
                kind: LinkKind::Order,
                woo_ids: Some(kept),
                qbm_ids: None,
            })?
            .into_iter()
            .filter_map(|l| l.woo_id.parse().ok())
            .collect();
        state.open_orders.retain(|id, _| !now_imported.contains(id));
    }
    state.orders_read_until = Some(now);
    Ok(state.open_orders.values().flatten().cloned().collect())
}

/// Matches the candidate items to store targets; new first matches to link, and rows for items
/// without a match (logged once until what was tried changes, by the runs that write: a preview
/// neither logs nor remembers) or without managed stock.
fn match_targets(
    engine: &Engine,
    snapshot: &Arc<Snapshot>,
    links: &[Link],
    candidates: &[Item],
    state: &mut SyncState,
    mode: Mode,
) -> SyncResult<(Targets, Vec<Link>, Vec<Row>)> {
    let by_id: HashMap<u64, &WooItem> = snapshot.items.iter().map(|w| (w.id, w)).collect();
    let link_of: HashMap<&str, u64> = links
        .iter()
        .filter_map(|l| Some((l.qbm_id.as_str(), l.woo_id.parse().ok()?)))
        .collect();
    let index = SkuIndex::new(snapshot.items.iter());
    let by_lookup = engine.settings.match_by_lookup_code;
    let mut targets = Targets {
        members: BTreeMap::new(),
        target_of: HashMap::new(),
    };
    let mut new_links = Vec::new();
    let mut rows = Vec::new();
    // Items matched to a parent itself take the whole pool; otherwise the pool is the sum of
    // the items matched to its stock-sharing variations.
    let mut pool_owner: HashMap<u64, String> = HashMap::new();
    let mut pool_members: HashMap<u64, Vec<String>> = HashMap::new();
    for item in candidates {
        let Some(id) = item.id.clone() else { continue };
        let code = item.sku.clone().unwrap_or_else(|| item.code.clone());
        let found = match link_of.get(id.as_str()).and_then(|w| by_id.get(w)) {
            Some(woo) => Some(*woo),
            None => match matching::match_item(item, &index, by_lookup) {
                ItemMatch::Found { woo_id, .. } => {
                    let woo = by_id.get(&woo_id).copied();
                    if let Some(woo) = woo {
                        new_links.push(super::gather::item_link(&id, woo));
                    }
                    woo
                }
                ItemMatch::Ambiguous {
                    code: shared,
                    woo_ids,
                } => {
                    rows.push(Row::new(
                        item.code.clone(),
                        None,
                        code,
                        RowOutcome::Skipped,
                        format!("several store items have the code {shared} ({woo_ids:?}); nothing is published for it"),
                    ));
                    continue;
                }
                missing @ ItemMatch::Missing { .. } => {
                    if matching::codes_to_look_up(item, by_lookup).is_empty() {
                        // No SKU and no lookup code: not meant for the store.
                        continue;
                    }
                    let detail = super::sync_stock::missing_detail(Some(&missing));
                    if mode.writes() && state.missing.get(&id) != Some(&detail) {
                        if engine.settings.log_missing_items {
                            engine.log.warn(
                                Category::MissingItem,
                                &format!("Stock sync {} {}: {detail}", item.code, item.name),
                            );
                        }
                        state.missing.insert(id.clone(), detail.clone());
                    }
                    rows.push(Row::new(
                        item.code.clone(),
                        None,
                        code,
                        RowOutcome::Missing,
                        detail,
                    ));
                    continue;
                }
            },
        };
        let Some(woo) = found else { continue };
        if mode.writes() {
            state.missing.remove(&id);
        }
        match (woo.stock, woo.parent_id) {
            (StockMode::Unmanaged, _) => rows.push(Row::new(
                item.code.clone(),
                Some(woo.id),
                code,
                RowOutcome::Skipped,
                "the store does not manage stock for this item (turn on \"Manage stock?\" in WooCommerce to publish quantities)",
            )),
            (StockMode::Own, None) => {
                if woo.kind == ProductType::Variable {
                    pool_owner.insert(woo.id, id.clone());
                } else {
                    targets
                        .members
                        .entry(woo.id)
                        .or_insert((TargetKind::Product, Vec::new()))
                        .1
                        .push(id.clone());
                    targets.target_of.insert(id, woo.id);
                }
            }
            (StockMode::Own, Some(parent)) => {
                targets
                    .members
                    .entry(woo.id)
                    .or_insert((TargetKind::Variation { parent }, Vec::new()))
                    .1
                    .push(id.clone());
                targets.target_of.insert(id, woo.id);
            }
            (StockMode::Parent, Some(parent)) => {
                pool_members.entry(parent).or_default().push(id);
            }
            (StockMode::Parent, None) => rows.push(Row::new(
                item.code.clone(),
                Some(woo.id),
                code,
                RowOutcome::Skipped,
                "the store says the stock is managed by a parent product but names none",
            )),
        }
    }
    for (parent, members) in pool_members {
        let owner = pool_owner.remove(&parent);
        let items = owner.clone().map_or(members.clone(), |o| vec![o]);
        for member in members.iter().chain(owner.iter()) {
            targets.target_of.insert(member.clone(), parent);
        }
        targets.members.insert(parent, (TargetKind::Pool, items));
    }
    for (parent, owner) in pool_owner {
        // A variable product that keeps its own stock, matched by itself.
        targets.target_of.insert(owner.clone(), parent);
        targets
            .members
            .insert(parent, (TargetKind::Pool, vec![owner]));
    }
    Ok((targets, new_links, rows))
}

type Write = (u64, TargetKind, i64, Decimal);

/// Splits writes into waves: up to [`WAVE_PRODUCTS`] product writes and [`WAVE_PARENTS`]
/// parents of variations each.
fn waves(writes: &[Write]) -> Vec<Vec<Write>> {
    let products: Vec<Write> = writes
        .iter()
        .copied()
        .filter(|(_, kind, ..)| !matches!(kind, TargetKind::Variation { .. }))
        .collect();
    let mut by_parent: BTreeMap<u64, Vec<Write>> = BTreeMap::new();
    for write in writes {
        if let (_, TargetKind::Variation { parent }, ..) = write {
            by_parent.entry(*parent).or_default().push(*write);
        }
    }
    let parents: Vec<Vec<Write>> = by_parent.into_values().collect();
    let mut out = Vec::new();
    let mut products = products.chunks(WAVE_PRODUCTS);
    let mut parents = parents.chunks(WAVE_PARENTS);
    loop {
        let mut wave: Vec<Write> = products.next().map(<[Write]>::to_vec).unwrap_or_default();
        if let Some(group) = parents.next() {
            wave.extend(group.iter().flatten().copied());
        }
        if wave.is_empty() {
            return out;
        }
        out.push(wave);
    }
}

/// What one wave of writes did.
struct Sent {
    written: Vec<WooItem>,
    failed: HashMap<u64, (RowOutcome, String)>,
    /// A failure after which the run stops (the store is overloaded, gone, refuses the key).
    stopped: Option<WooError>,
}

/// Sends one wave: the products batch and the variation batches of its parents, concurrently.
fn send_wave(
    engine: &Engine,
    wave: &[Write],
    store_of: &HashMap<u64, &WooItem>,
) -> SyncResult<Sent> {
    let products: Vec<(u64, i64)> = wave
        .iter()
        .filter(|(_, kind, ..)| !matches!(kind, TargetKind::Variation { .. }))
        .map(|(id, _, q, _)| (*id, *q))
        .collect();
    let mut by_parent: BTreeMap<u64, Vec<(u64, i64)>> = BTreeMap::new();
    for (id, kind, q, _) in wave {
        if let TargetKind::Variation { parent } = kind {
            by_parent.entry(*parent).or_default().push((*id, *q));
        }
    }
    let product_batch = Batch {
        update: products.iter().map(|(id, q)| pool_write(*id, *q)).collect(),
        ..Batch::default()
    };
    let variation_batches: Vec<(u64, Batch<VariationWrite>)> = by_parent
        .iter()
        .map(|(parent, writes)| {
            (
                *parent,
                Batch {
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
                },
            )
        })
        .collect();
    type ProductResult = Option<Result<BatchOutcome<Product>, WooError>>;
    type VariationResults = Vec<(u64, Result<BatchOutcome<Variation>, WooError>)>;
    let (product_result, variation_results): (ProductResult, VariationResults) =
        engine.store(move |client, cancel, _| async move {
            let products = async {
                if product_batch.update.is_empty() {
                    None
                } else {
                    Some(client.batch_products(product_batch, &cancel).await)
                }
            };
            let variations = client.batch_variations_of_parents(variation_batches, &cancel);
            tokio::join!(products, variations)
        })?;
    let mut sent = Sent {
        written: Vec::new(),
        failed: HashMap::new(),
        stopped: None,
    };
    let stop = |err: &WooError, sent: &mut Sent| {
        if stops_everything(err) && sent.stopped.is_none() {
            sent.stopped = Some(err.clone());
        }
    };
    match product_result {
        None => {}
        Some(Ok(outcome)) => {
            for ((id, _), result) in products.iter().zip(&outcome.update) {
                match result {
                    Ok(product) => sent.written.push(WooItem::from_product(product)),
                    Err(err) => {
                        sent.failed.insert(*id, item_failure(err));
                    }
                }
            }
            if let Some(err) = &outcome.stopped_by {
                stop(err, &mut sent);
            }
        }
        Some(Err(err)) => {
            for (id, _) in &products {
                sent.failed
                    .insert(*id, (RowOutcome::Failed, format!("not sent: {err}")));
            }
            stop(&err, &mut sent);
        }
    }
    for (parent, result) in variation_results {
        let writes = by_parent.get(&parent).cloned().unwrap_or_default();
        match result {
            Ok(outcome) => {
                for ((id, _), result) in writes.iter().zip(&outcome.update) {
                    match result {
                        Ok(variation) => sent.written.push(variation_item(
                            parent,
                            variation,
                            store_of.get(id).copied(),
                        )),
                        Err(err) => {
                            sent.failed.insert(*id, item_failure(err));
                        }
                    }
                }
                if let Some(err) = &outcome.stopped_by {
                    stop(err, &mut sent);
                }
            }
            Err(err) => {
                for (id, _) in &writes {
                    sent.failed
                        .insert(*id, (RowOutcome::Failed, format!("not sent: {err}")));
                }
                stop(&err, &mut sent);
            }
        }
    }
    Ok(sent)
}
