//! Which QBM customer an imported order belongs to.
//!
//! The chain, first that applies:
//! 1. the QBM customer linked to the order's store customer (it was imported before);
//! 2. the customer duplicate policy ([`crate::sync::customers`]: e-mail, then phone and last
//!    name, then name and company) on the buyer's details — the store customer's account when the
//!    caller fetched it, the order's billing details otherwise (always for guests). When a
//!    registered store customer is found this way, the link is recorded too, so later orders go
//!    straight to rule 1;
//! 3. a new QBM customer from those details, when the user may create customers **and** "Allow
//!    importing WooCommerce customers" is on (also linked for registered store customers);
//! 4. the option "Customer for unmatched and guest orders";
//! 5. otherwise the order is skipped, and the reason says which option to set.
//!
//! When the policy finds several QBM customers the order is skipped with all of them named: a
//! guess could put the order on the wrong account, and a new customer would add a third copy.
//! Within one import, orders of the same new buyer create one QBM customer: the first order
//! creates it, the later ones use it.

use crate::host_port::Customer;
use crate::sync::customers::{
    CustomerLinks, MatchRule, PartnerMatch, customer_from_order, customer_from_store, display_name,
    find_partner, invalid_reason,
};
use crate::woo::model as woo;

use super::preflight::order_number;

/// The buyer of one order, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBuyer {
    /// The WooCommerce order id.
    pub woo_order_id: u64,
    /// The order number the shop owner knows.
    pub order_number: String,
    /// The store customer id; 0 for guests.
    pub store_customer_id: u64,
    /// The details matched and, if need be, created.
    pub details: Customer,
}

impl OrderBuyer {
    /// The buyer of `order`; `account` is the store customer's record when the caller fetched
    /// it (registered customers only).
    pub fn new(order: &woo::Order, account: Option<&woo::Customer>) -> Self {
        let details = match account {
            Some(account) if order.customer_id > 0 && account.id == order.customer_id => {
                customer_from_store(account)
            }
            _ => customer_from_order(order),
        };
        OrderBuyer {
            woo_order_id: order.id,
            order_number: order_number(order),
            store_customer_id: order.customer_id,
            details,
        }
    }

    fn who(&self) -> String {
        let name = display_name(&self.details);
        match (self.store_customer_id, name.is_empty()) {
            (0, true) => "the guest buyer".to_string(),
            (0, false) => format!("the guest buyer {name}"),
            (id, true) => format!("store customer #{id}"),
            (id, false) => format!("store customer #{id} ({name})"),
        }
    }
}

/// What the user and the options allow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerOptions {
    /// "Allow importing WooCommerce customers" is on.
    pub import_allowed: bool,
    /// The QBM user may create customers.
    pub may_create: bool,
    /// "Customer for unmatched and guest orders": a QBM customer id.
    pub fallback_customer: Option<String>,
}

impl CustomerOptions {
    fn creates(&self) -> bool {
        self.import_allowed && self.may_create
    }

    fn why_not_created(&self) -> &'static str {
        match (self.import_allowed, self.may_create) {
            (false, _) => {
                "no new customer is created because \"Allow importing WooCommerce customers\" is off"
            }
            _ => "no new customer is created because your QBM user may not create customers",
        }
    }
}

/// The customer decision for one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderCustomer {
    /// The QBM customer linked to the order's store customer.
    Linked {
        /// The QBM customer.
        qbm_id: String,
    },
    /// An existing QBM customer found by the duplicate policy.
    Matched {
        /// The QBM customer.
        qbm_id: String,
        /// The rule that found it.
        rule: MatchRule,
        /// Link this store customer to it (a registered buyer not linked to anyone yet).
        link_store_customer: Option<u64>,
    },
    /// Create this QBM customer and put the order on it.
    Create {
        /// The new customer.
        customer: Box<Customer>,
        /// Link this store customer to it (registered buyers).
        link_store_customer: Option<u64>,
    },
    /// The customer an earlier order of this import creates.
    SameAsEarlierOrder {
        /// That order's WooCommerce id.
        woo_order_id: u64,
        /// That order's number.
        order_number: String,
    },
    /// The "Customer for unmatched and guest orders".
    Fallback {
        /// The QBM customer.
        qbm_id: String,
        /// Why no own customer was used.
        because: String,
    },
    /// The order cannot be imported.
    Skip {
        /// Why, and what to set.
        reason: String,
    },
}

impl OrderCustomer {
    /// A line for the result row and the log.
    pub fn describe(&self) -> String {
        match self {
            OrderCustomer::Linked { qbm_id } => format!("QBM customer {qbm_id} (linked)"),
            OrderCustomer::Matched { qbm_id, rule, .. } => {
                format!("existing QBM customer {qbm_id} ({})", rule.label())
            }
            OrderCustomer::Create { customer, .. } => {
                format!("new QBM customer {}", display_name(customer))
            }
            OrderCustomer::SameAsEarlierOrder { order_number, .. } => {
                format!("the new QBM customer created for order {order_number}")
            }
            OrderCustomer::Fallback { qbm_id, because } => format!(
                "QBM customer {qbm_id} (\"Customer for unmatched and guest orders\": {because})"
            ),
            OrderCustomer::Skip { reason } => format!("not imported: {reason}"),
        }
    }
}

/// Decides the customer of every order, in order. `links` are the customer links the caller
/// found (for the orders' store customers and the candidates); `candidates` are the QBM customers
/// returned by [`crate::sync::customers::lookups`] on the buyers' details.
pub fn decide_order_customers(
    buyers: &[OrderBuyer],
    links: &CustomerLinks,
    candidates: &[Customer],
    options: &CustomerOptions,
) -> Vec<(u64, OrderCustomer)> {
    let mut run = Run::default();
    buyers
        .iter()
        .map(|buyer| {
            let decision = run.decide(buyer, links, candidates, options);
            (buyer.woo_order_id, decision)
        })
        .collect()
}

/// What earlier orders of the same import decided.
#[derive(Default)]
struct Run<'a> {
    /// Buyers whose new customer is planned.
    planned: Vec<&'a OrderBuyer>,
    /// Store customers whose link is already planned.
    linked: Vec<u64>,
}

impl<'a> Run<'a> {
    fn decide(
        &mut self,
        buyer: &'a OrderBuyer,
        links: &CustomerLinks,
        candidates: &[Customer],
        options: &CustomerOptions,
    ) -> OrderCustomer {
        let store_id = (buyer.store_customer_id > 0).then_some(buyer.store_customer_id);
        if let Some(id) = store_id
            && let Some(qbm_id) = links.qbm_for(id)
        {
            return OrderCustomer::Linked {
                qbm_id: qbm_id.to_string(),
            };
        }
        match find_partner(&buyer.details, candidates) {
            PartnerMatch::Found { qbm_id, rule } => {
                let link = store_id.filter(|id| {
                    !self.linked.contains(id)
                        && links.other_store_customer(&qbm_id, Some(*id)).is_none()
                });
                self.linked.extend(link);
                return OrderCustomer::Matched {
                    qbm_id,
                    rule,
                    link_store_customer: link,
                };
            }
            PartnerMatch::Ambiguous { rule, qbm_ids } => {
                return OrderCustomer::Skip {
                    reason: format!(
                        "{} matches several QBM customers ({}: {}); merge or correct them in QBM, then import the order again",
                        buyer.who(),
                        rule.label(),
                        qbm_ids.join(", ")
                    ),
                };
            }
            PartnerMatch::NoMatch => {}
        }
        let earlier = self.planned.iter().find(|first| {
            (store_id.is_some() && first.store_customer_id == buyer.store_customer_id)
                || MatchRule::ORDER
                    .iter()
                    .any(|rule| rule.matches(&buyer.details, &first.details))
        });
        if let Some(first) = earlier {
            return OrderCustomer::SameAsEarlierOrder {
                woo_order_id: first.woo_order_id,
                order_number: first.order_number.clone(),
            };
        }
        if let Some(problem) = invalid_reason(&buyer.details) {
            return fallback_or_skip(buyer, options, &problem);
        }
        if options.creates() {
            self.planned.push(buyer);
            return OrderCustomer::Create {
                customer: Box::new(buyer.details.clone()),
                link_store_customer: store_id,
            };
        }
        let problem = format!(
            "{} is not a QBM customer yet and no QBM customer matches by e-mail, by phone and last name, or by name and company; {}",
            buyer.who(),
            options.why_not_created()
        );
        fallback_or_skip(buyer, options, &problem)
    }
}

fn fallback_or_skip(buyer: &OrderBuyer, options: &CustomerOptions, problem: &str) -> OrderCustomer {
    match &options.fallback_customer {
        Some(qbm_id) if !qbm_id.trim().is_empty() => OrderCustomer::Fallback {
            qbm_id: qbm_id.clone(),
            because: if buyer.store_customer_id == 0 {
                "guest order without a matching QBM customer".to_string()
            } else {
                "no matching QBM customer".to_string()
            },
        },
        _ => OrderCustomer::Skip {
            reason: format!(
                "{problem}. Set \"Customer for unmatched and guest orders\" in Options → WooCommerce, or allow creating customers"
            ),
        },
    }
}
