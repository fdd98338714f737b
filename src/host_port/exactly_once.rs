//! Creating a QBM record from a WooCommerce record exactly once.
//!
//! An ABI 1.1 host receives the WooCommerce identity with the record (`"woo"`) and creates the
//! record and its link in one transaction; when a record is already linked to that WooCommerce
//! id it creates nothing and answers that record with `"existing": true`. A crash, a lost
//! answer, a retry or a second workstation therefore never produce a second record.
//!
//! An ABI 1.0 host cannot promise that. The plugin then looks the link up first and creates the
//! record and its link in two calls; a crash between those two calls leaves a record without a
//! link (reported, and repaired by the next run where the records can be matched again, e.g.
//! items by SKU).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{
    Customer, Host, HostCall, HostError, Item, ItemsQuery, Link, LinkKind, LinksQuery, Order,
    OrdersQuery,
};

/// The WooCommerce record a QBM record is made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooIdentity {
    /// The product, variation, customer or order id.
    pub woo_id: String,
    /// The variable product of a variation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub woo_parent_id: Option<String>,
    /// The order number shown to people (orders only; numbering plugins may differ from the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

impl WooIdentity {
    pub fn new(woo_id: impl ToString) -> Self {
        Self {
            woo_id: woo_id.to_string(),
            woo_parent_id: None,
            number: None,
        }
    }

    fn link(&self, kind: LinkKind, qbm_id: &str) -> Link {
        Link {
            kind,
            woo_id: self.woo_id.clone(),
            woo_parent_id: self.woo_parent_id.clone(),
            qbm_id: qbm_id.to_string(),
            created_at: None,
        }
    }
}

/// What a create call produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Created<T> {
    pub record: T,
    /// The record existed already (linked to this WooCommerce id); nothing was created.
    pub existing: bool,
    /// ABI 1.0 hosts only: the record was created but its link could not be recorded.
    pub link_error: Option<HostError>,
}

/// A QBM record that can be created from a WooCommerce record.
pub trait LinkedRecord: Serialize + DeserializeOwned + Sized {
    const KIND: LinkKind;
    const CREATE: HostCall;
    /// The QBM id of a record the host answered.
    fn qbm_id(&self) -> Option<&str>;
    /// Reads records by QBM id.
    fn fetch<H: Host + ?Sized>(host: &H, ids: Vec<String>) -> Result<Vec<Self>, HostError>;
}

impl LinkedRecord for Item {
    const KIND: LinkKind = LinkKind::Item;
    const CREATE: HostCall = HostCall::ItemsCreate;

    fn qbm_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn fetch<H: Host + ?Sized>(host: &H, ids: Vec<String>) -> Result<Vec<Self>, HostError> {
        host.items_query(&ItemsQuery {
            ids: Some(ids),
            ..ItemsQuery::default()
        })
    }
}

impl LinkedRecord for Customer {
    const KIND: LinkKind = LinkKind::Customer;
    const CREATE: HostCall = HostCall::CustomersCreate;

    fn qbm_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn fetch<H: Host + ?Sized>(host: &H, ids: Vec<String>) -> Result<Vec<Self>, HostError> {
        host.customers_find(&super::CustomersQuery {
            ids: Some(ids),
            ..super::CustomersQuery::default()
        })
    }
}

impl LinkedRecord for Order {
    const KIND: LinkKind = LinkKind::Order;
    const CREATE: HostCall = HostCall::OrdersCreate;

    fn qbm_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn fetch<H: Host + ?Sized>(host: &H, ids: Vec<String>) -> Result<Vec<Self>, HostError> {
        host.orders_query(&OrdersQuery {
            ids: Some(ids),
            ..OrdersQuery::default()
        })
    }
}

#[derive(Deserialize)]
struct ExistingFlag {
    #[serde(default)]
    existing: bool,
}

pub(super) fn create<H: Host + ?Sized, T: LinkedRecord>(
    host: &H,
    record: &T,
    woo: &WooIdentity,
) -> Result<Created<T>, HostError> {
    let callback = T::CREATE.name();
    if host.capabilities().exactly_once_creates() {
        let mut request = serde_json::to_value(record).map_err(|err| HostError::BadResponse {
            callback,
            detail: format!("request could not be encoded: {err}"),
        })?;
        request["woo"] = serde_json::to_value(woo).unwrap_or_default();
        let answer = host.call(T::CREATE, &request.to_string())?;
        let flag: ExistingFlag = super::decode::document(callback, &answer)?;
        let created: T = super::decode::document(callback, &answer)?;
        if created.qbm_id().is_none_or(str::is_empty) {
            return Err(HostError::BadResponse {
                callback,
                detail: "the created record has no `id`".into(),
            });
        }
        return Ok(Created {
            record: created,
            existing: flag.existing,
            link_error: None,
        });
    }
    let linked = host.links_get(&LinksQuery {
        kind: T::KIND,
        woo_ids: Some(vec![woo.woo_id.clone()]),
        qbm_ids: None,
    })?;
    if let Some(link) = linked.into_iter().find(|l| l.woo_id == woo.woo_id)
        && let Some(found) = T::fetch(host, vec![link.qbm_id.clone()])?
            .into_iter()
            .find(|r| r.qbm_id() == Some(link.qbm_id.as_str()))
    {
        return Ok(Created {
            record: found,
            existing: true,
            link_error: None,
        });
    }
    let created: T = host.call_json(T::CREATE, record)?;
    let qbm_id = created.qbm_id().unwrap_or_default().to_string();
    if qbm_id.is_empty() {
        return Err(HostError::BadResponse {
            callback,
            detail: "the created record has no `id`".into(),
        });
    }
    let link_error = host.links_put(vec![woo.link(T::KIND, &qbm_id)]).err();
    Ok(Created {
        record: created,
        existing: false,
        link_error,
    })
}
