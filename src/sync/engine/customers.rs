//! The Customers screen's operations.
//!
//! **List**: one page of store customers (the store counts them, so a store with tens of
//! thousands shows page 1 without loading the rest), with the QBM customer each is linked to.
//!
//! **Import**: gather the selected store customers (by id, every role), their links, and the QBM
//! customers the duplicate policy could match → plan ([`crate::sync::customers::decide_customers`]:
//! already linked → skipped; same e-mail → linked; same phone and last name → linked; same name
//! and company → linked; several matches → skipped with all named; else created) → apply: each
//! new customer is created together with its link, exactly once; each match is linked → record:
//! a row per customer naming the rule that matched, a log line per failure and per run.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Engine;
use crate::ffi::abi::qbm_wc_status;
use crate::host_port::{
    Created, Customer, CustomersQuery, Host, HostError, Link, LinkKind, LinkedRecord, LinksQuery,
    WooIdentity,
};
use crate::integration_log::Category;
use crate::sync::customers::{
    CustomerDecision, CustomerLinks, customer_from_store, decide_customers, display_name, lookups,
};
use crate::sync::error::SyncResult;
use crate::sync::rows::{Row, RowOutcome, RunReport, Stop};
use crate::woo::{Customer as StoreCustomer, CustomerQuery, PageRequest, RecordError};

/// Customers shown per page unless the host asks for another size.
pub const DEFAULT_PER_PAGE: u32 = 50;

/// One page of store customers.
pub struct CustomerPage {
    pub customers: Vec<StoreCustomer>,
    /// QBM customer (id, display name) by store customer id, for the linked ones.
    pub linked: HashMap<u64, (String, String)>,
    pub page: u32,
    pub per_page: u32,
    pub total: Option<u64>,
    pub total_pages: Option<u32>,
    pub bad_records: Vec<RecordError>,
}

/// Reads page `page` of the store's customers (every role), optionally filtered by `search`
/// as WooCommerce searches customers (the e-mail, the user name and the display name, not the
/// first and last names), with their links.
pub fn page(
    engine: &Engine,
    search: Option<String>,
    page: u32,
    per_page: u32,
) -> SyncResult<CustomerPage> {
    let request = PageRequest::new(page, per_page);
    // WooCommerce lists only the `customer` role unless asked for all: accounts that buy while
    // being shop managers or subscribers are customers of the shop too.
    let query = CustomerQuery {
        search,
        role: Some("all".into()),
        ..CustomerQuery::default()
    };
    engine.progress(0, 0, "Reading customers from the store…");
    let found = engine.store(move |client, cancel, _| async move {
        client.customers_page(query, request, &cancel).await
    })??;
    let ids: Vec<String> = found.records.iter().map(|c| c.id.to_string()).collect();
    let links = if ids.is_empty() {
        Vec::new()
    } else {
        engine.host.links_get(&LinksQuery {
            kind: LinkKind::Customer,
            woo_ids: Some(ids),
            qbm_ids: None,
        })?
    };
    let qbm_ids: Vec<String> = links.iter().map(|l| l.qbm_id.clone()).collect();
    let names: HashMap<String, String> = if qbm_ids.is_empty() {
        HashMap::new()
    } else {
        engine
            .host
            .customers_find(&CustomersQuery {
                ids: Some(qbm_ids),
                ..CustomersQuery::default()
            })?
            .into_iter()
            .filter_map(|c| c.id.clone().map(|id| (id, display_name(&c))))
            .collect()
    };
    let linked = links
        .into_iter()
        .filter_map(|l| {
            let woo_id = l.woo_id.parse::<u64>().ok()?;
            let name = names.get(&l.qbm_id).cloned().unwrap_or_default();
            Some((woo_id, (l.qbm_id, name)))
        })
        .collect();
    Ok(CustomerPage {
        customers: found.records,
        linked,
        page: request.number,
        per_page: request.per_page,
        total: found.total_items,
        total_pages: found.total_pages,
        bad_records: found.bad_records,
    })
}

/// Reads the selected store customers (every role), in selection order; rows for ids the store
/// does not have (any more).
fn selected_customers(
    engine: &Engine,
    selection: &[String],
    rows: &mut Vec<Row>,
) -> SyncResult<Vec<StoreCustomer>> {
    let ids = crate::sync::rows::selected_ids(selection, "customer", rows);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = ids.clone();
    let listing = engine.store(move |client, cancel, _| async move {
        client
            .list_all_customers(
                CustomerQuery {
                    include: wanted,
                    role: Some("all".into()),
                    ..CustomerQuery::default()
                },
                &cancel,
            )
            .await
    })??;
    for bad in &listing.bad_records {
        engine.log.warn(
            Category::Processing,
            &format!(
                "A store customer was skipped because it could not be read: {}",
                bad.error
            ),
        );
    }
    let by_id: HashMap<u64, StoreCustomer> =
        listing.records.into_iter().map(|c| (c.id, c)).collect();
    let mut out = Vec::new();
    for id in ids {
        match by_id.get(&id) {
            Some(customer) => out.push(customer.clone()),
            None => rows.push(Row::new(
                "",
                Some(id),
                "",
                RowOutcome::Failed,
                "the store has no customer with this id (deleted?); Refresh the list",
            )),
        }
    }
    Ok(out)
}

/// The QBM customers the duplicate policy could match, each once.
fn candidates(engine: &Engine, wanted: &[Customer]) -> SyncResult<Vec<Customer>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for query in lookups(wanted.iter()) {
        engine.check_cancelled()?;
        for customer in engine.host.customers_find(&query)? {
            if let Some(id) = customer.id.clone()
                && seen.insert(id)
            {
                out.push(customer);
            }
        }
    }
    Ok(out)
}

/// An exactly-once create, and the failure that made the plugin ask a second time.
pub struct CreatedOnce<T> {
    pub created: Created<T>,
    /// The first call's failure when the answer had to be asked for again.
    pub lost: Option<HostError>,
}

/// Whether a failed create may have been carried out all the same: the host failed without
/// saying the request was wrong (a connection that broke after the commit, a garbled answer).
fn outcome_unknown(err: &HostError) -> bool {
    const REFUSALS: [qbm_wc_status; 4] = [
        qbm_wc_status::QBM_WC_STATUS_INVALID_ARGUMENT,
        qbm_wc_status::QBM_WC_STATUS_INVALID_JSON,
        qbm_wc_status::QBM_WC_STATUS_PERMISSION_DENIED,
        qbm_wc_status::QBM_WC_STATUS_NOT_FOUND,
    ];
    match err {
        HostError::Failed { status, .. } => !REFUSALS.iter().any(|r| *r as u32 == *status),
        HostError::BadResponse { .. } => true,
        HostError::NotFound { .. }
        | HostError::Unsupported { .. }
        | HostError::Unbounded { .. } => false,
    }
}

/// Creates a QBM record from a WooCommerce record together with its link, exactly once.
///
/// When the host fails in a way that leaves it unknown whether the record was made (its answer
/// was lost after the commit), an ABI 1.1 host is asked once more with the same WooCommerce
/// identity: it answers the record the first call made (`existing`), or makes it now, and never
/// a second one. An ABI 1.0 host is not asked again, because without the identity in the request
/// a second call could make a second record; the next import finds the first one by its link.
pub fn create_once<T: LinkedRecord>(
    engine: &Engine,
    record: &T,
    woo: &WooIdentity,
) -> Result<CreatedOnce<T>, HostError> {
    match engine.host.create_linked(record, woo) {
        Ok(created) => Ok(CreatedOnce {
            created,
            lost: None,
        }),
        Err(first)
            if engine.host.capabilities().exactly_once_creates() && outcome_unknown(&first) =>
        {
            let created = engine.host.create_linked(record, woo)?;
            Ok(CreatedOnce {
                created,
                lost: Some(first),
            })
        }
        Err(err) => Err(err),
    }
}

pub fn import(engine: &Engine, selection: &[String]) -> SyncResult<RunReport> {
    let mut rows = Vec::new();
    let store = selected_customers(engine, selection, &mut rows)?;
    let selected: Vec<(u64, Customer)> = store
        .iter()
        .map(|c| (c.id, customer_from_store(c)))
        .collect();
    let email_of: HashMap<u64, String> = store.iter().map(|c| (c.id, c.email.clone())).collect();
    let wanted: Vec<Customer> = selected.iter().map(|(_, c)| c.clone()).collect();
    let found = candidates(engine, &wanted)?;
    let mut links = engine.host.links_get(&LinksQuery {
        kind: LinkKind::Customer,
        woo_ids: Some(selected.iter().map(|(id, _)| id.to_string()).collect()),
        qbm_ids: None,
    })?;
    let candidate_ids: Vec<String> = found.iter().filter_map(|c| c.id.clone()).collect();
    if !candidate_ids.is_empty() {
        links.extend(engine.host.links_get(&LinksQuery {
            kind: LinkKind::Customer,
            woo_ids: None,
            qbm_ids: Some(candidate_ids),
        })?);
    }
    let names: HashMap<String, String> = found
        .iter()
        .filter_map(|c| c.id.clone().map(|id| (id, display_name(c))))
        .collect();
    let named = |qbm_id: &str| match names.get(qbm_id) {
        Some(name) => format!("{qbm_id} {name}"),
        None => qbm_id.to_string(),
    };
    let decisions = decide_customers(&selected, &CustomerLinks::new(&links), &found);
    let total = decisions.len() as u64;
    let mut stopped = None;
    for (done, (woo_id, decision)) in decisions.into_iter().enumerate() {
        let email = email_of.get(&woo_id).cloned().unwrap_or_default();
        if stopped.is_none() {
            engine.progress(done as u64, total, &format!("Importing customer #{woo_id}"));
        }
        if stopped.is_some() || engine.is_cancelled() {
            stopped.get_or_insert(Stop::Cancelled);
            rows.push(Row::new(
                "",
                Some(woo_id),
                email,
                RowOutcome::NotDone,
                "not imported: the import was cancelled first",
            ));
            continue;
        }
        let row = match &decision {
            CustomerDecision::AlreadyLinked { qbm_id } => Row::new(
                named(qbm_id),
                Some(woo_id),
                email,
                RowOutcome::Skipped,
                decision.reason(),
            ),
            CustomerDecision::Link { qbm_id, .. } => {
                let link = Link {
                    kind: LinkKind::Customer,
                    woo_id: woo_id.to_string(),
                    woo_parent_id: None,
                    qbm_id: qbm_id.clone(),
                    created_at: None,
                };
                match engine.host.links_put(vec![link]) {
                    Ok(()) => Row::new(
                        named(qbm_id),
                        Some(woo_id),
                        email,
                        RowOutcome::Linked,
                        decision.reason(),
                    ),
                    Err(err) => Row::new(
                        named(qbm_id),
                        Some(woo_id),
                        email,
                        RowOutcome::Failed,
                        format!("the link to QBM customer {qbm_id} could not be recorded: {err}"),
                    ),
                }
            }
            CustomerDecision::Create(customer) => {
                match create_once(engine, customer.as_ref(), &WooIdentity::new(woo_id)) {
                    Ok(CreatedOnce {
                        created:
                            Created {
                                record,
                                existing: true,
                                ..
                            },
                        lost: None,
                    }) => {
                        let id = record.id.clone().unwrap_or_default();
                        Row::new(
                            format!("{id} {}", display_name(&record)),
                            Some(woo_id),
                            email,
                            RowOutcome::Skipped,
                            format!("already imported as QBM customer {id}"),
                        )
                    }
                    Ok(CreatedOnce {
                        created:
                            Created {
                                record, link_error, ..
                            },
                        lost,
                    }) => {
                        let id = record.id.clone().unwrap_or_default();
                        let mut detail = format!("new QBM customer {id} {}", display_name(&record));
                        if let Some(err) = lost {
                            detail.push_str(&format!(
                                "; QBM's first answer was lost ({err}), and asked again for this store customer it answered this customer, so none was made twice"
                            ));
                        }
                        if let Some(err) = link_error {
                            detail.push_str(&format!(
                                "; its link to the store customer could not be recorded ({err})"
                            ));
                        }
                        Row::new(
                            format!("{id} {}", display_name(&record)),
                            Some(woo_id),
                            email,
                            RowOutcome::Created,
                            detail,
                        )
                    }
                    Err(err) => {
                        Row::new("", Some(woo_id), email, RowOutcome::Failed, err.to_string())
                    }
                }
            }
            CustomerDecision::Ambiguous { qbm_ids, .. } => Row::new(
                qbm_ids
                    .iter()
                    .map(|id| named(id))
                    .collect::<Vec<_>>()
                    .join(", "),
                Some(woo_id),
                email,
                RowOutcome::Skipped,
                decision.reason(),
            ),
            CustomerDecision::LinkedToOther { qbm_id, .. } => Row::new(
                named(qbm_id),
                Some(woo_id),
                email,
                RowOutcome::Skipped,
                decision.reason(),
            ),
            CustomerDecision::DuplicateInSelection { .. } | CustomerDecision::Invalid { .. } => {
                Row::new(
                    "",
                    Some(woo_id),
                    email,
                    RowOutcome::Skipped,
                    decision.reason(),
                )
            }
        };
        rows.push(row);
    }
    for row in rows.iter().filter(|r| r.outcome == RowOutcome::Failed) {
        engine.log.warn(
            Category::Processing,
            &format!(
                "Customer import of store customer {}: {}",
                row.woo_id.map_or(row.code.clone(), |id| format!("#{id}")),
                row.detail
            ),
        );
    }
    Ok(RunReport {
        rows,
        warnings: Vec::new(),
        stopped,
    })
}

/// The text of a page's rows for the list: registered date in UTC, city/country of billing.
pub fn registered(customer: &StoreCustomer) -> Option<String> {
    customer
        .date_created_gmt
        .map(|at| at.format("%Y-%m-%d").to_string())
}

/// An order count when the store sends one (older API versions and some plugins add
/// `orders_count`; WooCommerce 8.9's v3 does not).
pub fn orders_count(customer: &StoreCustomer) -> Option<u64> {
    let counted: BTreeMap<&str, u64> = customer
        .meta_data
        .iter()
        .filter_map(|m| {
            let value = m
                .value
                .as_u64()
                .or_else(|| m.value.as_str()?.parse().ok())?;
            Some((m.key.as_str(), value))
        })
        .collect();
    counted
        .get("_order_count")
        .or_else(|| counted.get("orders_count"))
        .copied()
}
