//! The Orders screen's operations, and the import that automatic polling shares.
//!
//! **List** (WooCommerce tab): one page of the orders created on the store's calendar days
//! `from`..=`to` (the days a shop owner sees in WooCommerce admin, in the store's time zone),
//! queried through the GMT fields, with the QBM order each was imported as.
//!
//! **Import**: gather the selected orders, their links, the QBM items their lines resolve to,
//! their buyers → plan ([`crate::sync::orders::plan::plan_orders`]: status, already imported,
//! preflight of every line, money that reconciles to the cent; then the customer of each ready
//! order) → apply: the customer when one must be created, then the order together with its link,
//! exactly once ([`crate::host_port::Host::create_linked`]) → record: a row per order, the state
//! each order was imported in (to notice later cancellations and refunds), the log.
//! A manual import creates nothing when any line of any selected order has no QBM item, and
//! lists every such line; polling imports the ready orders and keeps the others for a retry.
//!
//! **Imported** tab: the QBM orders linked to WooCommerce in a date range, with the store's
//! current state of each (cancelled, refunded, edited since import), each change logged once.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Engine;
use super::customers::{CreatedOnce, create_once};
use super::store_facts::{self, StoreFacts};
use crate::host_port::{
    Created, Customer, CustomersQuery, Host, HostCall, ItemsQuery, Link, LinkKind, LinksQuery,
    OrdersQuery, Permission, StorageArea, WooIdentity,
};
use crate::integration_log::Category;
use crate::state;
use crate::sync::customers::{CustomerLinks, display_name, lookups};
use crate::sync::error::{SyncError, SyncResult};
use crate::sync::orders::changes::{ImportedOrder, OrderChange, changes_after_import};
use crate::sync::orders::customer::{
    CustomerOptions, OrderBuyer, OrderCustomer, decide_order_customers,
};
use crate::sync::orders::money::{PlannedOrder, ServiceItems, StoreLinks};
use crate::sync::orders::plan::{ImportContext, ImportPlan, OrderOutcome, plan_orders};
use crate::sync::orders::preflight::{ItemSources, codes_to_find, link_ids_to_find, order_number};
use crate::sync::orders::{ImportableStatuses, OrderStatus};
use crate::sync::rows::{Row, RowOutcome, RunReport, Stop};
use crate::sync::store_dates::{GmtWindow, StoreZone, day_window, local_text};
use crate::woo::{Order, OrderQuery, PageRequest, RecordError, Refund};

/// Orders shown per page unless the host asks for another size.
pub const DEFAULT_PER_PAGE: u32 = 100;

/// The store's calendar days and zone for a from/to filter.
pub fn window(
    engine: &Engine,
    from: NaiveDate,
    to: NaiveDate,
) -> SyncResult<(GmtWindow, StoreZone, StoreFacts)> {
    let facts = store_facts::get(engine)?;
    let zone = facts.zone()?;
    let window = day_window(from, to, &zone).map_err(|err| SyncError::Invalid(err.to_string()))?;
    Ok((window, zone, facts))
}

/// One page of store orders of a date range.
pub struct OrderPage {
    pub orders: Vec<Order>,
    /// QBM order (id, number) by WooCommerce order id, for the imported ones.
    pub imported: HashMap<u64, (String, String)>,
    pub zone: StoreZone,
    pub page: u32,
    pub per_page: u32,
    pub total: Option<u64>,
    pub total_pages: Option<u32>,
    pub bad_records: Vec<RecordError>,
}

/// QBM order ids by WooCommerce order id, for the given store orders.
fn order_links(engine: &Engine, woo_ids: &[u64]) -> SyncResult<HashMap<u64, String>> {
    if woo_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(engine
        .host
        .links_get(&LinksQuery {
            kind: LinkKind::Order,
            woo_ids: Some(woo_ids.iter().map(u64::to_string).collect()),
            qbm_ids: None,
        })?
        .into_iter()
        .filter_map(|l| Some((l.woo_id.parse().ok()?, l.qbm_id)))
        .collect())
}

/// Reads one page of the orders created on the store's days `from`..=`to`.
pub fn page(
    engine: &Engine,
    from: NaiveDate,
    to: NaiveDate,
    page: u32,
    per_page: u32,
) -> SyncResult<OrderPage> {
    let (window, zone, _) = window(engine, from, to)?;
    let request = PageRequest::new(page, per_page);
    let query =
        OrderQuery::created_between(window.start - chrono::Duration::seconds(1), window.end);
    engine.progress(0, 0, "Reading orders from the store…");
    let found = engine.store(move |client, cancel, _| async move {
        client.orders_page(query, request, &cancel).await
    })??;
    let ids: Vec<u64> = found.records.iter().map(|o| o.id).collect();
    let links = order_links(engine, &ids)?;
    let numbers: HashMap<String, String> = if links.is_empty() {
        HashMap::new()
    } else {
        engine
            .host
            .orders_query(&OrdersQuery {
                ids: Some(links.values().cloned().collect()),
                ..OrdersQuery::default()
            })?
            .into_iter()
            .filter_map(|o| Some((o.id.clone()?, o.number.clone().unwrap_or_default())))
            .collect()
    };
    let imported = links
        .into_iter()
        .map(|(woo, qbm)| {
            let number = numbers.get(&qbm).cloned().unwrap_or_default();
            (woo, (qbm, number))
        })
        .collect();
    Ok(OrderPage {
        orders: found.records,
        imported,
        zone,
        page: request.number,
        per_page: request.per_page,
        total: found.total_items,
        total_pages: found.total_pages,
        bad_records: found.bad_records,
    })
}

/// How an import treats orders that cannot be imported yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// A person pressed Import: if any line of any selected order has no QBM item, nothing is
    /// created and every such line is listed.
    Manual,
    /// Polling: the ready orders are imported; the others are reported and retried later.
    Polling,
}

/// The state an order was imported in, kept to notice later changes (and each change is logged
/// once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedState {
    pub qbm_id: String,
    /// The QBM order's number, which people know it by (states kept before it was added have
    /// none and show the id).
    #[serde(default)]
    pub qbm_number: Option<String>,
    pub number: String,
    pub status: OrderStatus,
    pub total: Decimal,
    pub currency: String,
    pub imported_at: DateTime<Utc>,
    /// What the store had refunded when the order was imported: the import row said so, and
    /// only refunds beyond it are changes after the import.
    #[serde(default)]
    pub refunded: Decimal,
    /// Changes already reported (warned in the log and notified).
    #[serde(default)]
    pub reported: Vec<String>,
}

impl ImportedState {
    /// The state for an order imported as `qbm` when none was kept (the plugin stopped between
    /// creating the QBM order and keeping its state): what QBM's order says, and a status that
    /// was importable (only such orders are imported).
    fn recovered(qbm: &crate::host_port::Order, imported_at: DateTime<Utc>) -> Self {
        ImportedState {
            qbm_id: qbm.id.clone().unwrap_or_default(),
            qbm_number: qbm.number.clone(),
            number: qbm.reference.clone(),
            status: OrderStatus::Processing,
            total: qbm.total,
            currency: qbm.currency.clone(),
            imported_at,
            refunded: Decimal::ZERO,
            reported: Vec::new(),
        }
    }

    /// The order as it was imported, to compare with what the store shows now.
    pub(super) fn at_import(&self) -> ImportedOrder {
        ImportedOrder {
            number: self.number.clone(),
            status: self.status.clone(),
            total: self.total,
            currency: self.currency.clone(),
        }
    }

    /// The changes that happened after the import: refunds the import already knew of are not.
    pub fn since_import(&self, changes: &[OrderChange]) -> Vec<OrderChange> {
        changes
            .iter()
            .filter(|change| match change {
                OrderChange::Refunded { amount, .. } => *amount > self.refunded,
                _ => true,
            })
            .cloned()
            .collect()
    }
}

/// What the store had refunded of an order.
fn refunded(order: &Order) -> Decimal {
    order.refunds.iter().map(|r| -r.total).sum()
}

fn state_key(woo_id: u64) -> String {
    format!("order.{woo_id}")
}

pub fn imported_state(engine: &Engine, woo_id: u64) -> SyncResult<Option<ImportedState>> {
    Ok(engine
        .host
        .storage_get(StorageArea::CompanyState, &state_key(woo_id))?
        .and_then(|text| serde_json::from_str(&text).ok()))
}

/// Keeps the state of an imported order unless one is kept already (an earlier import that
/// stopped after creating the QBM order left none).
fn keep_state_once(engine: &Engine, woo_id: u64, record: &ImportedState, reference: &str) {
    let kept = imported_state(engine, woo_id).map(|s| s.is_some());
    if matches!(kept, Ok(true)) {
        return;
    }
    if let Err(err) = save_imported_state(engine, woo_id, record) {
        engine.log.warn(
            Category::Processing,
            &format!(
                "Order {reference}: its import state could not be kept ({err}); later cancellations are still found by its link"
            ),
        );
    }
}

fn save_imported_state(engine: &Engine, woo_id: u64, record: &ImportedState) -> SyncResult<()> {
    let text = serde_json::to_string(record)
        .map_err(|err| SyncError::Internal(format!("order state: {err}")))?;
    engine
        .host
        .storage_set(StorageArea::CompanyState, &state_key(woo_id), Some(&text))?;
    Ok(())
}

/// What an import did, besides its rows.
#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub report: RunReport,
    /// WooCommerce order ids that could not be imported yet (items missing, no customer, money
    /// not reconciled), with the reason: polling retries them.
    pub waiting: Vec<(u64, String)>,
    /// WooCommerce order ids handled for good (imported now or before, or skipped by status).
    pub handled: Vec<u64>,
}

/// The orders of `selection`, read from the store in one go (ids that are not numbers or no
/// longer exist become rows).
fn selected_orders(
    engine: &Engine,
    selection: &[String],
    rows: &mut Vec<Row>,
) -> SyncResult<Vec<Order>> {
    let ids = crate::sync::rows::selected_ids(selection, "order", rows);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = ids.clone();
    let listing = engine.store(move |client, cancel, _| async move {
        client.orders_by_ids(&wanted, &cancel).await
    })??;
    for bad in &listing.bad_records {
        engine.log.warn(
            Category::Processing,
            &format!(
                "A store order was skipped because it could not be read: {}",
                bad.error
            ),
        );
    }
    let by_id: HashMap<u64, Order> = listing.records.into_iter().map(|o| (o.id, o)).collect();
    let mut orders = Vec::new();
    for id in ids {
        match by_id.get(&id) {
            Some(order) => orders.push(order.clone()),
            None => rows.push(Row::new(
                "",
                Some(id),
                id.to_string(),
                RowOutcome::Failed,
                "the store has no order with this id (deleted?); Refresh the list",
            )),
        }
    }
    Ok(orders)
}

/// Item links, QBM items by the lines' codes, and the SKUs of variable products (so a variation
/// line that only shows its parent's SKU is recognised).
fn item_sources(engine: &Engine, orders: &[Order]) -> SyncResult<ItemSources> {
    let link_ids = link_ids_to_find(orders.iter());
    let links: HashMap<u64, String> = if link_ids.is_empty() {
        HashMap::new()
    } else {
        engine
            .host
            .links_get(&LinksQuery {
                kind: LinkKind::Item,
                woo_ids: Some(link_ids.iter().map(u64::to_string).collect()),
                qbm_ids: None,
            })?
            .into_iter()
            .filter_map(|l| Some((l.woo_id.parse().ok()?, l.qbm_id)))
            .collect()
    };
    let codes = codes_to_find(orders.iter(), &links);
    let by_lookup = engine.settings.match_by_lookup_code;
    let qbm_items = if codes.is_empty() {
        Vec::new()
    } else {
        engine.host.items_query(&ItemsQuery {
            lookup_codes: by_lookup.then(|| codes.clone()),
            skus: Some(codes),
            ..ItemsQuery::default()
        })?
    };
    let parents: BTreeSet<u64> = orders
        .iter()
        .flat_map(|o| o.line_items.iter())
        .filter(|l| l.variation_id > 0 && l.product_id > 0)
        .map(|l| l.product_id)
        .collect();
    let mut parent_skus: HashMap<u64, String> = HashMap::new();
    if let Some(cached) = engine.catalog.get()? {
        for item in cached.items.iter().filter(|i| parents.contains(&i.id)) {
            parent_skus.insert(item.id, item.sku.clone().unwrap_or_default());
        }
    }
    let unknown: Vec<u64> = parents
        .iter()
        .copied()
        .filter(|id| !parent_skus.contains_key(id))
        .collect();
    if !unknown.is_empty() {
        let listing = engine.store(move |client, cancel, _| async move {
            client.products_by_ids(&unknown, &cancel).await
        })??;
        for product in listing.records {
            parent_skus.insert(product.id, product.sku.clone());
        }
    }
    Ok(ItemSources {
        links,
        qbm_items,
        deleted: HashSet::new(),
        parent_skus,
        match_lookup_code: by_lookup,
    })
}

/// The QBM customer of each ready order: store accounts of registered buyers, their links, the
/// QBM customers the duplicate policy could match.
fn order_customers(engine: &Engine, ready: &[&Order]) -> SyncResult<HashMap<u64, OrderCustomer>> {
    if ready.is_empty() {
        return Ok(HashMap::new());
    }
    let account_ids: Vec<u64> = ready
        .iter()
        .map(|o| o.customer_id)
        .filter(|id| *id > 0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let accounts: HashMap<u64, crate::woo::Customer> = if account_ids.is_empty() {
        HashMap::new()
    } else {
        let wanted = account_ids.clone();
        engine
            .store(move |client, cancel, _| async move {
                client
                    .list_all_customers(
                        crate::woo::CustomerQuery {
                            include: wanted,
                            role: Some("all".into()),
                            ..crate::woo::CustomerQuery::default()
                        },
                        &cancel,
                    )
                    .await
            })??
            .records
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let buyers: Vec<OrderBuyer> = ready
        .iter()
        .map(|o| OrderBuyer::new(o, accounts.get(&o.customer_id)))
        .collect();
    let mut candidates: Vec<Customer> = Vec::new();
    let mut seen = HashSet::new();
    for query in lookups(buyers.iter().map(|b| &b.details)) {
        for customer in engine.host.customers_find(&query)? {
            if let Some(id) = customer.id.clone()
                && seen.insert(id)
            {
                candidates.push(customer);
            }
        }
    }
    let mut links = if account_ids.is_empty() {
        Vec::new()
    } else {
        engine.host.links_get(&LinksQuery {
            kind: LinkKind::Customer,
            woo_ids: Some(account_ids.iter().map(u64::to_string).collect()),
            qbm_ids: None,
        })?
    };
    let candidate_ids: Vec<String> = candidates.iter().filter_map(|c| c.id.clone()).collect();
    if !candidate_ids.is_empty() {
        links.extend(engine.host.links_get(&LinksQuery {
            kind: LinkKind::Customer,
            woo_ids: None,
            qbm_ids: Some(candidate_ids),
        })?);
    }
    let options = CustomerOptions {
        import_allowed: engine.settings.allow_import_customers,
        may_create: engine
            .host
            .has_permission(Permission::CreateCustomers)
            .unwrap_or(false),
        fallback_customer: engine.settings.guest_customer.clone(),
    };
    Ok(
        decide_order_customers(&buyers, &CustomerLinks::new(&links), &candidates, &options)
            .into_iter()
            .collect(),
    )
}

/// Imports the selected store orders into `location_id`.
pub fn import(
    engine: &Engine,
    selection: &[String],
    location_id: &str,
    mode: ImportMode,
) -> SyncResult<ImportOutcome> {
    let mut rows = Vec::new();
    let orders = selected_orders(engine, selection, &mut rows)?;
    import_orders(engine, orders, rows, location_id, mode)
}

/// Imports store orders already read (polling reads them itself).
pub fn import_orders(
    engine: &Engine,
    orders: Vec<Order>,
    mut rows: Vec<Row>,
    location_id: &str,
    mode: ImportMode,
) -> SyncResult<ImportOutcome> {
    let mut outcome = ImportOutcome::default();
    if orders.is_empty() {
        outcome.report.rows = rows;
        return Ok(outcome);
    }
    let facts = store_facts::get(engine)?;
    let imported = order_links(engine, &orders.iter().map(|o| o.id).collect::<Vec<_>>())?;
    let items = item_sources(engine, &orders)?;
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
    let service_items = ServiceItems {
        shipping: engine.settings.shipping_item.clone(),
        fee: engine.settings.fee_item.clone(),
    };
    let store = StoreLinks {
        store_url: facts.home_url.clone(),
        hpos: facts.hpos,
    };
    let plan: ImportPlan = plan_orders(
        orders.iter(),
        &ImportContext {
            importable: &importable,
            imported: &imported,
            items: &items,
            service_items: &service_items,
            store: &store,
        },
    );
    let by_id: HashMap<u64, &Order> = orders.iter().map(|o| (o.id, o)).collect();
    let number_of = |id: u64| by_id.get(&id).map_or(id.to_string(), |o| order_number(o));

    if mode == ImportMode::Manual && plan.blocks_manual_import() {
        let missing = plan.missing_lines();
        let orders_missing: BTreeSet<u64> = missing.iter().map(|l| l.order_id).collect();
        for line in &missing {
            rows.push(Row::new(
                "",
                Some(line.order_id),
                format!("order {}", line.order_number),
                RowOutcome::Missing,
                line.text(),
            ));
        }
        for (woo_id, _) in plan
            .orders
            .iter()
            .filter(|(id, _)| !orders_missing.contains(id))
        {
            rows.push(Row::new(
                "",
                Some(*woo_id),
                format!("order {}", number_of(*woo_id)),
                RowOutcome::NotDone,
                "not imported: other selected orders have lines without a QBM item, so nothing was imported",
            ));
        }
        let text = format!(
            "Nothing was imported: {} line(s) of {} order(s) have no QBM item: {}",
            missing.len(),
            orders_missing.len(),
            missing
                .iter()
                .map(|l| l.text())
                .collect::<Vec<_>>()
                .join("; ")
        );
        engine.log.warn(Category::MissingItem, &text);
        outcome.report.warnings.push(format!(
            "Products are missing: nothing was imported, because {} line(s) of {} order(s) have no QBM item; each is listed below",
            missing.len(),
            orders_missing.len()
        ));
        outcome.report.warnings.push(
            "Create the missing items in QBM (or link them), or give them the store's SKU, then import again".into(),
        );
        outcome.report.rows = rows;
        return Ok(outcome);
    }

    let ready: Vec<&Order> = plan
        .orders
        .iter()
        .filter(|(_, o)| matches!(o, OrderOutcome::Ready(_)))
        .filter_map(|(id, _)| by_id.get(id).copied())
        .collect();
    let customers = order_customers(engine, &ready)?;
    let earlier = earlier_imports(engine, &plan)?;
    let total = plan.orders.len() as u64;
    // New customers created in this run, by the order that created them.
    let mut created_for: HashMap<u64, String> = HashMap::new();
    let mut stopped = None;
    for (done, (woo_id, planned)) in plan.orders.iter().enumerate() {
        let woo_id = *woo_id;
        let number = number_of(woo_id);
        let code = format!("order {number}");
        let currency = by_id
            .get(&woo_id)
            .map_or(String::new(), |o| o.currency.clone());
        if stopped.is_none() {
            engine.progress(done as u64, total, &format!("Importing order {number}"));
            if engine.is_cancelled() {
                stopped = Some(Stop::Cancelled);
            }
        }
        if stopped.is_some() {
            rows.push(Row::new(
                "",
                Some(woo_id),
                code,
                RowOutcome::NotDone,
                "not imported: the import was cancelled first",
            ));
            continue;
        }
        let row = match planned {
            OrderOutcome::AlreadyImported { qbm_id } => {
                outcome.handled.push(woo_id);
                let qbm = earlier.get(qbm_id);
                // People know QBM orders by their number; the id is QBM's internal key.
                let shown = qbm
                    .and_then(|o| o.number.clone())
                    .unwrap_or_else(|| qbm_id.clone());
                if let (Some(qbm), Some(store)) = (qbm, by_id.get(&woo_id)) {
                    let mut state = ImportedState::recovered(qbm, engine.clock.now());
                    let status = OrderStatus::of(store);
                    if importable.contains(&status) {
                        state.status = status;
                    }
                    keep_state_once(engine, woo_id, &state, &number);
                }
                Row::new(
                    shown.clone(),
                    Some(woo_id),
                    code,
                    RowOutcome::Skipped,
                    format!("already imported as QBM order {shown}"),
                )
            }
            OrderOutcome::StatusSkipped { .. } => {
                outcome.handled.push(woo_id);
                Row::new(
                    "",
                    Some(woo_id),
                    code,
                    RowOutcome::Skipped,
                    planned.reason(&currency),
                )
            }
            OrderOutcome::MissingItems(_) | OrderOutcome::Money(_) => {
                let reason = planned.reason(&currency);
                outcome.waiting.push((woo_id, reason.clone()));
                let outcome_kind = if matches!(planned, OrderOutcome::MissingItems(_)) {
                    RowOutcome::Missing
                } else {
                    RowOutcome::Skipped
                };
                Row::new("", Some(woo_id), code, outcome_kind, reason)
            }
            OrderOutcome::Ready(order) => {
                let decided = customers
                    .get(&woo_id)
                    .cloned()
                    .unwrap_or(OrderCustomer::Skip {
                        reason: "the customer could not be decided".into(),
                    });
                let refunded_before = by_id.get(&woo_id).map_or(Decimal::ZERO, |o| refunded(o));
                match create_one(
                    engine,
                    woo_id,
                    order,
                    refunded_before,
                    &decided,
                    location_id,
                    &mut created_for,
                ) {
                    Ok((row, handled)) => {
                        if handled {
                            outcome.handled.push(woo_id);
                        } else {
                            outcome.waiting.push((woo_id, row.detail.clone()));
                        }
                        row
                    }
                    Err(err) => {
                        let text = err.to_string();
                        outcome.waiting.push((woo_id, text.clone()));
                        Row::new("", Some(woo_id), code, RowOutcome::Failed, text)
                    }
                }
            }
        };
        rows.push(row);
    }
    // Polling logs a waiting order once per reason itself; logging it here would repeat the line
    // on every cycle until the order imports.
    for row in rows.iter().filter(|_| mode == ImportMode::Manual) {
        if matches!(row.outcome, RowOutcome::Failed | RowOutcome::Missing) {
            engine.log.warn(
                Category::Processing,
                &format!("Order import {}: {}", row.code, row.detail),
            );
        }
    }
    outcome.report.rows = rows;
    outcome.report.stopped = stopped;
    Ok(outcome)
}

/// The QBM orders the plan found already imported, by QBM id.
fn earlier_imports(
    engine: &Engine,
    plan: &ImportPlan,
) -> SyncResult<HashMap<String, crate::host_port::Order>> {
    let ids: Vec<String> = plan
        .orders
        .iter()
        .filter_map(|(_, outcome)| match outcome {
            OrderOutcome::AlreadyImported { qbm_id } => Some(qbm_id.clone()),
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(engine
        .host
        .orders_query(&OrdersQuery {
            ids: Some(ids),
            ..OrdersQuery::default()
        })?
        .into_iter()
        .filter_map(|o| Some((o.id.clone()?, o)))
        .collect())
}

/// Creates one ready order: its customer first when one must be created, then the order and
/// its link in one host transaction. Returns the row and whether the order is handled for good.
fn create_one(
    engine: &Engine,
    woo_id: u64,
    order: &PlannedOrder,
    refunded_before: Decimal,
    decided: &OrderCustomer,
    location_id: &str,
    created_for: &mut HashMap<u64, String>,
) -> SyncResult<(Row, bool)> {
    let code = format!("order {}", order.reference);
    let customer_id = match decided {
        OrderCustomer::Linked { qbm_id } | OrderCustomer::Fallback { qbm_id, .. } => qbm_id.clone(),
        OrderCustomer::Matched {
            qbm_id,
            link_store_customer,
            ..
        } => {
            if let Some(store_id) = link_store_customer {
                let link = Link {
                    kind: LinkKind::Customer,
                    woo_id: store_id.to_string(),
                    woo_parent_id: None,
                    qbm_id: qbm_id.clone(),
                    created_at: None,
                };
                // A link refused (another QBM customer got it meanwhile) does not stop the order.
                if let Err(err) = engine.host.links_put(vec![link]) {
                    engine.log.warn(
                        Category::Processing,
                        &format!("Order {}: the store customer #{store_id} could not be linked to QBM customer {qbm_id}: {err}", order.reference),
                    );
                }
            }
            qbm_id.clone()
        }
        OrderCustomer::Create {
            customer,
            link_store_customer,
        } => {
            let created = match link_store_customer {
                Some(store_id) => {
                    create_once(engine, customer.as_ref(), &WooIdentity::new(store_id))?
                        .created
                        .record
                }
                // A guest has no store customer to link; the duplicate policy finds this
                // customer by e-mail if the order has to be imported again.
                None => engine.host.call_json::<Customer, Customer>(
                    HostCall::CustomersCreate,
                    customer.as_ref(),
                )?,
            };
            let id = created
                .id
                .clone()
                .ok_or_else(|| SyncError::Internal("the created customer has no id".into()))?;
            created_for.insert(woo_id, id.clone());
            id
        }
        OrderCustomer::SameAsEarlierOrder {
            woo_order_id,
            order_number,
        } => match created_for.get(woo_order_id) {
            Some(id) => id.clone(),
            None => {
                return Ok((
                    Row::new(
                        "",
                        Some(woo_id),
                        code,
                        RowOutcome::Skipped,
                        format!(
                            "not imported: its customer was to be created with order {order_number}, which was not imported"
                        ),
                    ),
                    false,
                ));
            }
        },
        OrderCustomer::Skip { reason } => {
            return Ok((
                Row::new(
                    "",
                    Some(woo_id),
                    code,
                    RowOutcome::Skipped,
                    format!("not imported: {reason}"),
                ),
                false,
            ));
        }
    };
    let record = order.to_host(&customer_id, location_id);
    let identity = WooIdentity {
        woo_id: woo_id.to_string(),
        woo_parent_id: None,
        number: Some(order.reference.clone()),
    };
    let CreatedOnce {
        created:
            Created {
                record: created,
                existing,
                link_error,
            },
        lost,
    } = create_once(engine, &record, &identity)?;
    let qbm_id = created.id.clone().unwrap_or_default();
    let qbm_number = created.number.clone().unwrap_or_else(|| qbm_id.clone());
    let state = ImportedState {
        qbm_id: qbm_id.clone(),
        qbm_number: Some(qbm_number.clone()),
        number: order.reference.clone(),
        status: order.status.clone(),
        total: order.total,
        currency: order.currency.clone(),
        imported_at: engine.clock.now(),
        refunded: refunded_before,
        reported: Vec::new(),
    };
    if existing && lost.is_none() {
        // Made by another workstation a moment ago, or by an import that stopped before it
        // could keep the order's state.
        keep_state_once(engine, woo_id, &state, &order.reference);
        return Ok((
            Row::new(
                qbm_number.clone(),
                Some(woo_id),
                code,
                RowOutcome::Skipped,
                format!("already imported as QBM order {qbm_number}"),
            ),
            true,
        ));
    }
    if existing {
        keep_state_once(engine, woo_id, &state, &order.reference);
    } else if let Err(err) = save_imported_state(engine, woo_id, &state) {
        engine.log.warn(Category::Processing, &format!("Order {}: its import state could not be kept ({err}); later cancellations are still found by its link", order.reference));
    }
    let mut detail = format!(
        "QBM order {qbm_number} for {}: {} lines, total {} {}",
        decided.describe(),
        order.lines.len(),
        order.total,
        order.currency
    );
    for warning in &order.warnings {
        detail.push_str(&format!("; {warning}"));
    }
    if let Some(err) = lost {
        detail.push_str(&format!(
            "; QBM's first answer was lost ({err}), and asked again for this store order it answered the QBM order it had made, so none was made twice"
        ));
    }
    if let Some(err) = link_error {
        detail.push_str(&format!(
            "; its link to the store order could not be recorded ({err})"
        ));
    }
    engine.log.info(
        Category::Processing,
        &format!(
            "Order {} imported as QBM order {qbm_number}",
            order.reference
        ),
    );
    Ok((
        Row::new(qbm_number, Some(woo_id), code, RowOutcome::Created, detail),
        true,
    ))
}

/// An imported order with what the store says about it now.
pub struct ImportedEntry {
    pub qbm: crate::host_port::Order,
    pub woo_id: Option<u64>,
    pub customer: String,
    pub linked_at: Option<DateTime<Utc>>,
    /// The store's current status, when the order could be read.
    pub store_status: Option<OrderStatus>,
    /// Changes since import, as text (empty: none).
    pub changes: Vec<String>,
}

/// The QBM orders linked to WooCommerce dated on the store's days `from`..=`to`, with the
/// store's current state of each. Each change since import is logged once (warning).
pub fn imported(engine: &Engine, from: NaiveDate, to: NaiveDate) -> SyncResult<Vec<ImportedEntry>> {
    let (window, _, _) = window(engine, from, to)?;
    let orders = engine.host.orders_query(&OrdersQuery {
        from: Some(window.start),
        to: Some(window.end),
        ..OrdersQuery::default()
    })?;
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let qbm_ids: Vec<String> = orders.iter().filter_map(|o| o.id.clone()).collect();
    let links = engine.host.links_get(&LinksQuery {
        kind: LinkKind::Order,
        woo_ids: None,
        qbm_ids: Some(qbm_ids),
    })?;
    let link_of: HashMap<String, (u64, Option<DateTime<Utc>>)> = links
        .into_iter()
        .filter_map(|l| Some((l.qbm_id, (l.woo_id.parse().ok()?, l.created_at))))
        .collect();
    let customer_ids: Vec<String> = orders
        .iter()
        .map(|o| o.customer_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: HashMap<String, String> = engine
        .host
        .customers_find(&CustomersQuery {
            ids: Some(customer_ids),
            ..CustomersQuery::default()
        })?
        .into_iter()
        .filter_map(|c| Some((c.id.clone()?, display_name(&c))))
        .collect();
    let woo_ids: Vec<u64> = link_of.values().map(|(id, _)| *id).collect();
    let current: HashMap<u64, Order> = if woo_ids.is_empty() {
        HashMap::new()
    } else {
        let wanted = woo_ids.clone();
        engine
            .store(move |client, cancel, _| async move {
                client.orders_by_ids(&wanted, &cancel).await
            })??
            .records
            .into_iter()
            .map(|o| (o.id, o))
            .collect()
    };
    let mut entries = Vec::new();
    for qbm in orders {
        let qbm_id = qbm.id.clone().unwrap_or_default();
        let (woo_id, linked_at) = match link_of.get(&qbm_id) {
            Some((woo, at)) => (Some(*woo), *at),
            None => (None, None),
        };
        let mut changes = Vec::new();
        let mut store_status = None;
        if let Some(woo_id) = woo_id {
            let now = current.get(&woo_id);
            store_status = now.map(OrderStatus::of);
            let state = imported_state(engine, woo_id)?.unwrap_or_else(|| {
                ImportedState::recovered(&qbm, linked_at.unwrap_or_else(|| engine.clock.now()))
            });
            let at_import = state.at_import();
            let refunds: Vec<Refund> = match now {
                Some(order) if !order.refunds.is_empty() => {
                    engine
                        .store(move |client, cancel, _| async move {
                            client.list_all_refunds(woo_id, &cancel).await
                        })??
                        .records
                }
                _ => Vec::new(),
            };
            let found = state.since_import(&changes_after_import(&at_import, now, &refunds));
            changes = found.iter().map(|c| c.message(&at_import)).collect();
            report_changes_once(engine, woo_id, Some(state), &found, &at_import);
        }
        entries.push(ImportedEntry {
            customer: names
                .get(&qbm.customer_id)
                .cloned()
                .unwrap_or_else(|| qbm.customer_id.clone()),
            qbm,
            woo_id,
            linked_at,
            store_status,
            changes,
        });
    }
    Ok(entries)
}

/// Logs (warning) and notifies each change of an imported order once, remembering it.
pub fn report_changes_once(
    engine: &Engine,
    woo_id: u64,
    state: Option<ImportedState>,
    changes: &[OrderChange],
    at_import: &ImportedOrder,
) {
    let Some(mut state) = state else {
        return;
    };
    let mut fresh = Vec::new();
    for change in &state.since_import(changes) {
        let key = format!("{change:?}");
        if !state.reported.contains(&key) {
            state.reported.push(key);
            fresh.push(change.message(at_import));
        }
    }
    if fresh.is_empty() {
        return;
    }
    for message in &fresh {
        let text = format!(
            "WooCommerce order {} was changed after it was imported as QBM order {}: {message}",
            state.number,
            state.qbm_number.as_deref().unwrap_or(&state.qbm_id)
        );
        engine.log.warn(Category::Processing, &text);
        engine.host.notify(crate::host_port::Level::Warn, &text);
    }
    let key = state_key(woo_id);
    let text = serde_json::to_string(&state).unwrap_or_default();
    let _ = state::update(engine.host, StorageArea::CompanyState, &key, |_| {
        Some(text.clone())
    });
}

/// The store-local text of a GMT time.
pub fn store_time(at: Option<DateTime<Utc>>, zone: &StoreZone) -> Option<String> {
    at.map(|at| local_text(at, zone))
}
