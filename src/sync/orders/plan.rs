//! The order rules put together for a selection of store orders: status, already imported,
//! items, money. The customer is decided afterwards for the orders that are ready
//! ([`super::customer`]), because it needs host lookups on the ready orders' buyers.
//!
//! The manual import stops before creating anything when any selected order has missing items
//! ([`ImportPlan::blocks_manual_import`]), and lists every missing line; polling imports the
//! ready orders and logs the others.

use std::collections::HashMap;

use super::ImportableStatuses;
use super::OrderStatus;
use super::money::{MoneyProblem, PlannedOrder, ServiceItems, StoreLinks, plan_order};
use super::preflight::{ItemSources, MissingLine, resolve_lines};
use crate::woo::model as woo;

/// Everything the order rules need besides the orders.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    /// "Order statuses to import".
    pub importable: &'a ImportableStatuses,
    /// QBM order id per WooCommerce order id already imported (the order links).
    pub imported: &'a HashMap<u64, String>,
    /// Links and QBM items for the lines.
    pub items: &'a ItemSources,
    /// "Shipping item" and "Fee item".
    pub service_items: &'a ServiceItems,
    /// The store's admin, for the link in the notes.
    pub store: &'a StoreLinks,
}

/// What happens to one store order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOutcome {
    /// Ready to create once its customer is decided.
    Ready(Box<PlannedOrder>),
    /// Imported before.
    AlreadyImported {
        /// The QBM order.
        qbm_id: String,
    },
    /// Its status is not imported.
    StatusSkipped {
        /// The status.
        status: OrderStatus,
        /// Why, for the shop owner.
        reason: String,
    },
    /// Lines without a QBM item.
    MissingItems(Vec<MissingLine>),
    /// The money does not work out (or an item option is missing).
    Money(MoneyProblem),
}

impl OrderOutcome {
    /// The result row's text.
    pub fn reason(&self, currency: &str) -> String {
        match self {
            OrderOutcome::Ready(order) => format!(
                "ready: {} lines, total {} {}",
                order.lines.len(),
                order.total,
                order.currency
            ),
            OrderOutcome::AlreadyImported { qbm_id } => {
                format!("already imported as QBM order {qbm_id}")
            }
            OrderOutcome::StatusSkipped { reason, .. } => format!("not imported: {reason}"),
            OrderOutcome::MissingItems(lines) => format!(
                "not imported: {} without a QBM item: {}",
                if lines.len() == 1 {
                    "1 line".to_string()
                } else {
                    format!("{} lines", lines.len())
                },
                lines
                    .iter()
                    .map(|l| match l.line_name.trim() {
                        "" => l.reason_text(),
                        name => format!("{name} ({})", l.reason_text()),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            OrderOutcome::Money(problem) => problem.reason(currency),
        }
    }
}

/// The outcome of every selected order, in selection order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    /// WooCommerce order id and its outcome.
    pub orders: Vec<(u64, OrderOutcome)>,
}

impl ImportPlan {
    /// Every line of every order that has no QBM item.
    pub fn missing_lines(&self) -> Vec<&MissingLine> {
        self.orders
            .iter()
            .filter_map(|(_, outcome)| match outcome {
                OrderOutcome::MissingItems(lines) => Some(lines.iter()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Whether a manual import must stop before creating anything (the user guide: "If products
    /// are missing, QBM stops the import and shows the missing SKU or product list").
    pub fn blocks_manual_import(&self) -> bool {
        !self.missing_lines().is_empty()
    }

    /// The orders ready to create.
    #[cfg(test)]
    pub fn ready(&self) -> Vec<&PlannedOrder> {
        self.orders
            .iter()
            .filter_map(|(_, outcome)| match outcome {
                OrderOutcome::Ready(order) => Some(order.as_ref()),
                _ => None,
            })
            .collect()
    }
}

/// Applies the order rules to each order.
pub fn plan_orders<'a>(
    orders: impl IntoIterator<Item = &'a woo::Order>,
    context: &ImportContext,
) -> ImportPlan {
    ImportPlan {
        orders: orders
            .into_iter()
            .map(|order| (order.id, plan_one(order, context)))
            .collect(),
    }
}

fn plan_one(order: &woo::Order, context: &ImportContext) -> OrderOutcome {
    if let Some(qbm_id) = context.imported.get(&order.id) {
        return OrderOutcome::AlreadyImported {
            qbm_id: qbm_id.clone(),
        };
    }
    let status = OrderStatus::of(order);
    if let Err(reason) = context.importable.check(&status) {
        return OrderOutcome::StatusSkipped { status, reason };
    }
    let resolved = match resolve_lines(order, context.items) {
        Ok(resolved) => resolved,
        Err(missing) => return OrderOutcome::MissingItems(missing),
    };
    match plan_order(order, &resolved, context.service_items, context.store) {
        Ok(planned) => OrderOutcome::Ready(Box::new(planned)),
        Err(problem) => OrderOutcome::Money(problem),
    }
}
