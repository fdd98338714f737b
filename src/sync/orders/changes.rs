//! What happened in the store to an order after QBM imported it, for the "Imported" tab and a
//! one-time log warning. QBM's order is never changed by this; the shop owner decides.
//!
//! Compared with what was imported (status and total):
//! * the order is gone from the store, or in the trash → deleted;
//! * the status is now Cancelled → cancelled;
//! * refunds exist → refunded, fully when the status is Refunded or the refunds reach the order
//!   total, otherwise partly, with the amount (from the refunds when the caller fetched them,
//!   from the order's refund list otherwise);
//! * the total differs from the imported total → edited (WooCommerce never lowers `total` for a
//!   refund, so a different total means the order itself was changed);
//! * the status went back to one that means "not paid" (Pending payment, Failed, Draft) or to a
//!   status added by a plugin → status changed. Moves among Processing, On hold and Completed are
//!   the normal course of an order and are not reported.
//!
//! Several changes can apply at once (edited and partly refunded); all are listed, the most
//! serious first.

use rust_decimal::Decimal;

use super::OrderStatus;
use crate::woo::model as woo;

/// What QBM imported, kept with the order link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedOrder {
    /// The order number imported.
    pub number: String,
    /// The store status at import.
    pub status: OrderStatus,
    /// The store total at import.
    pub total: Decimal,
    /// The currency.
    pub currency: String,
}

/// One change since the import.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderChange {
    /// Deleted from the store or moved to the trash.
    Deleted,
    /// Cancelled in the store.
    Cancelled,
    /// Money was refunded.
    Refunded {
        /// How much in total.
        amount: Decimal,
        /// Whether it is the whole order.
        full: bool,
    },
    /// The order total changed.
    Edited {
        /// The total imported.
        was: Decimal,
        /// The total now.
        now: Decimal,
    },
    /// The status moved to one that is not the normal course of an order.
    StatusChanged {
        /// At import.
        from: OrderStatus,
        /// Now.
        to: OrderStatus,
    },
}

impl OrderChange {
    /// The change as a shop owner reads it.
    pub fn message(&self, imported: &ImportedOrder) -> String {
        let number = &imported.number;
        let currency = &imported.currency;
        match self {
            OrderChange::Deleted => format!(
                "WooCommerce order {number} was deleted in the store after it was imported; check the QBM order"
            ),
            OrderChange::Cancelled => format!(
                "WooCommerce order {number} was cancelled in the store after it was imported; cancel or adjust the QBM order"
            ),
            OrderChange::Refunded { amount, full: true } => format!(
                "WooCommerce order {number} was fully refunded ({amount} {currency}) after it was imported; record the return or credit in QBM"
            ),
            OrderChange::Refunded {
                amount,
                full: false,
            } => format!(
                "WooCommerce order {number} was partly refunded ({amount} {currency}) after it was imported; record the return or credit in QBM"
            ),
            OrderChange::Edited { was, now } => format!(
                "WooCommerce order {number} was edited after it was imported: its total changed from {was} to {now} {currency}; adjust the QBM order"
            ),
            OrderChange::StatusChanged { from, to } => format!(
                "WooCommerce order {number} went from \"{from}\" to \"{to}\" after it was imported; check the payment before delivering"
            ),
        }
    }
}

/// The changes to an imported order. `current` is the store's order now (`None` when the store
/// answered that it does not exist); `refunds` are its refunds when the caller fetched them.
pub fn changes_after_import(
    imported: &ImportedOrder,
    current: Option<&woo::Order>,
    refunds: &[woo::Refund],
) -> Vec<OrderChange> {
    let Some(order) = current else {
        return vec![OrderChange::Deleted];
    };
    let status = OrderStatus::of(order);
    let mut changes = Vec::new();
    match status {
        OrderStatus::Trash => changes.push(OrderChange::Deleted),
        OrderStatus::Cancelled if imported.status != OrderStatus::Cancelled => {
            changes.push(OrderChange::Cancelled)
        }
        _ => {}
    }
    let refunded: Decimal = if refunds.is_empty() {
        order.refunds.iter().map(|r| -r.total).sum()
    } else {
        refunds.iter().map(|r| r.amount).sum()
    };
    if refunded > Decimal::ZERO {
        changes.push(OrderChange::Refunded {
            amount: refunded,
            full: status == OrderStatus::Refunded || refunded >= order.total,
        });
    }
    if order.total != imported.total {
        changes.push(OrderChange::Edited {
            was: imported.total,
            now: order.total,
        });
    }
    let unusual = matches!(
        status,
        OrderStatus::Pending
            | OrderStatus::Failed
            | OrderStatus::CheckoutDraft
            | OrderStatus::Other(_)
    );
    if unusual && status != imported.status {
        changes.push(OrderChange::StatusChanged {
            from: imported.status.clone(),
            to: status,
        });
    }
    changes
}

/// All changes in one text ("" when nothing changed).
#[cfg(test)]
pub fn describe(imported: &ImportedOrder, changes: &[OrderChange]) -> String {
    changes
        .iter()
        .map(|c| c.message(imported))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn imported(status: &str, total: &str) -> ImportedOrder {
        ImportedOrder {
            number: "1042".into(),
            status: OrderStatus::parse(status),
            total: dec(total),
            currency: "EUR".into(),
        }
    }

    fn order(status: &str, total: &str, refunds: &[&str]) -> woo::Order {
        woo::Order {
            id: 1042,
            number: "1042".into(),
            status: status.into(),
            total: dec(total),
            currency: "EUR".into(),
            refunds: refunds
                .iter()
                .enumerate()
                .map(|(i, r)| woo::OrderRefundRef {
                    id: 2000 + i as u64,
                    reason: String::new(),
                    total: dec(r),
                })
                .collect(),
            ..woo::Order::default()
        }
    }

    #[test]
    fn every_kind_of_change() {
        use OrderChange::*;
        // (imported status, imported total, current, expected)
        let cases: Vec<(&str, &str, Option<woo::Order>, Vec<OrderChange>)> = vec![
            (
                "processing",
                "48.43",
                Some(order("processing", "48.43", &[])),
                vec![],
            ),
            (
                "on-hold",
                "48.43",
                Some(order("completed", "48.43", &[])),
                vec![],
            ),
            (
                "processing",
                "48.43",
                Some(order("on-hold", "48.43", &[])),
                vec![],
            ),
            ("processing", "48.43", None, vec![Deleted]),
            (
                "processing",
                "48.43",
                Some(order("trash", "48.43", &[])),
                vec![Deleted],
            ),
            (
                "processing",
                "48.43",
                Some(order("cancelled", "48.43", &[])),
                vec![Cancelled],
            ),
            (
                "completed",
                "35.58",
                Some(order("refunded", "35.58", &["-35.58"])),
                vec![Refunded {
                    amount: dec("35.58"),
                    full: true,
                }],
            ),
            (
                "processing",
                "48.43",
                Some(order("processing", "48.43", &["-10.00", "-5.00"])),
                vec![Refunded {
                    amount: dec("15.00"),
                    full: false,
                }],
            ),
            (
                "processing",
                "48.43",
                Some(order("processing", "60.00", &["-5.00"])),
                vec![
                    Refunded {
                        amount: dec("5.00"),
                        full: false,
                    },
                    Edited {
                        was: dec("48.43"),
                        now: dec("60.00"),
                    },
                ],
            ),
            (
                "processing",
                "48.43",
                Some(order("pending", "48.43", &[])),
                vec![StatusChanged {
                    from: OrderStatus::Processing,
                    to: OrderStatus::Pending,
                }],
            ),
            (
                "processing",
                "48.43",
                Some(order("failed", "48.43", &[])),
                vec![StatusChanged {
                    from: OrderStatus::Processing,
                    to: OrderStatus::Failed,
                }],
            ),
            (
                "processing",
                "48.43",
                Some(order("shipped", "48.43", &[])),
                vec![StatusChanged {
                    from: OrderStatus::Processing,
                    to: OrderStatus::Other("shipped".into()),
                }],
            ),
            // Cancelled orders imported on purpose (the option lists "cancelled") are not news.
            (
                "cancelled",
                "48.43",
                Some(order("cancelled", "48.43", &[])),
                vec![],
            ),
        ];
        for (status, total, current, expected) in cases {
            let was = imported(status, total);
            assert_eq!(
                changes_after_import(&was, current.as_ref(), &[]),
                expected,
                "{status} {total} → {:?}",
                current.as_ref().map(|o| (&o.status, o.total))
            );
        }
    }

    #[test]
    fn fetched_refunds_count_over_the_order_list() {
        let refund = woo::Refund {
            id: 1047,
            amount: dec("12.00"),
            ..woo::Refund::default()
        };
        let changes = changes_after_import(
            &imported("processing", "48.43"),
            Some(&order("processing", "48.43", &["-10.00"])),
            &[refund],
        );
        assert_eq!(
            changes,
            [OrderChange::Refunded {
                amount: dec("12.00"),
                full: false
            }]
        );
    }

    #[test]
    fn messages_name_the_order_and_the_amounts() {
        let was = imported("processing", "48.43");
        let changes =
            changes_after_import(&was, Some(&order("processing", "50.00", &["-5.00"])), &[]);
        assert_eq!(
            describe(&was, &changes),
            "WooCommerce order 1042 was partly refunded (5.00 EUR) after it was imported; record the return or credit in QBM; WooCommerce order 1042 was edited after it was imported: its total changed from 48.43 to 50.00 EUR; adjust the QBM order"
        );
        assert_eq!(describe(&was, &[]), "");
    }
}
