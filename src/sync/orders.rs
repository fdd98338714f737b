//! Order import rules. Pure: the caller fetches orders, links, QBM items and customers; these
//! functions decide what becomes a QBM customer order and why anything is left out.
//!
//! **Which orders.** Orders whose status is on the "statuses to import" list — by default
//! Processing, Completed and On hold — are imported. Pending payment, Failed, Cancelled,
//! Refunded, Draft (`checkout-draft`), Trash and statuses added by plugins are skipped with the
//! status named, unless the list names them. An order already linked to a QBM order is never
//! imported again.
//!
//! **Items** ([`preflight`]). Every line must resolve to a QBM item: through the item link of
//! its variation (for a variation) or of its product, then by the line's SKU compared with QBM
//! SKUs, then — with "Match by lookup code when SKU is not found" — with QBM lookup codes. A
//! variation that only shows its parent's SKU has no SKU of its own and is not matched by it.
//! A line whose product is gone from the store (`product_id` 0, or known to be deleted) is
//! "product deleted from the store" unless its link still names a QBM item. An order with any
//! unresolved line is not created; every such line of every order is listed.
//!
//! **Customer** ([`customer`]). The QBM customer linked to the order's store customer; otherwise
//! the customer duplicate policy ([`crate::sync::customers`]) on the buyer's details; otherwise a
//! new QBM customer from the billing details, when the user may create customers and importing
//! customers is allowed; otherwise the option "Customer for unmatched and guest orders";
//! otherwise the order is skipped with a reason naming the option to set.
//!
//! **Lines and money** ([`money`]). Exact decimals throughout. Product lines carry the
//! quantity, the net line amount after coupons (WooCommerce `total`, not `subtotal`) and its tax
//! (`total_tax`); shipping lines and fee lines (negative fees included) become lines of the
//! service items chosen as "Shipping item" and "Fee item". Coupon codes, the payment method, the
//! customer's note and a link to the order in WooCommerce admin go into the order's notes. The
//! order's reference is the WooCommerce order **number** (what the customer sees), its identity
//! the WooCommerce order **id** (numbering plugins may change numbers), its date
//! `date_created_gmt`. The produced lines must add up to the store's order total to the cent, or
//! the order is not created and the difference is explained.
//!
//! **After import** ([`changes`]). A later look at the store tells whether an imported order was
//! cancelled, refunded (fully or partly), edited, moved back to an unpaid state or deleted.

#![warn(missing_docs)]

pub mod changes;
pub mod customer;
pub mod money;
pub mod plan;
pub mod preflight;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
pub(crate) mod fixtures;

use std::fmt;

use crate::woo::model as woo;

/// A WooCommerce order status, as the REST API sends it (without `wc-`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderStatus {
    /// `pending`: awaiting payment.
    Pending,
    /// `processing`: paid, to be shipped.
    Processing,
    /// `on-hold`: awaiting confirmation of payment (bank transfer).
    OnHold,
    /// `completed`.
    Completed,
    /// `cancelled`.
    Cancelled,
    /// `refunded`: fully refunded.
    Refunded,
    /// `failed`: payment failed.
    Failed,
    /// `checkout-draft`: a block checkout not yet placed.
    CheckoutDraft,
    /// `trash`.
    Trash,
    /// A status added by a plugin (`shipped`, `awaiting-shipment` …), as sent.
    Other(String),
}

impl OrderStatus {
    /// Reads a status slug; `wc-` prefixes and case are tolerated.
    pub fn parse(text: &str) -> OrderStatus {
        let slug = text.trim().to_lowercase();
        let slug = slug.strip_prefix("wc-").unwrap_or(&slug);
        match slug {
            "pending" => OrderStatus::Pending,
            "processing" => OrderStatus::Processing,
            "on-hold" => OrderStatus::OnHold,
            "completed" => OrderStatus::Completed,
            "cancelled" => OrderStatus::Cancelled,
            "refunded" => OrderStatus::Refunded,
            "failed" => OrderStatus::Failed,
            "checkout-draft" => OrderStatus::CheckoutDraft,
            "trash" => OrderStatus::Trash,
            other => OrderStatus::Other(other.to_string()),
        }
    }

    /// The status of an order.
    pub fn of(order: &woo::Order) -> OrderStatus {
        OrderStatus::parse(&order.status)
    }

    /// The slug WooCommerce uses in the REST API.
    pub fn slug(&self) -> &str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Processing => "processing",
            OrderStatus::OnHold => "on-hold",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Failed => "failed",
            OrderStatus::CheckoutDraft => "checkout-draft",
            OrderStatus::Trash => "trash",
            OrderStatus::Other(slug) => slug,
        }
    }

    /// The name WooCommerce admin shows.
    pub fn label(&self) -> &str {
        match self {
            OrderStatus::Pending => "Pending payment",
            OrderStatus::Processing => "Processing",
            OrderStatus::OnHold => "On hold",
            OrderStatus::Completed => "Completed",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Refunded => "Refunded",
            OrderStatus::Failed => "Failed",
            OrderStatus::CheckoutDraft => "Draft",
            OrderStatus::Trash => "Trash",
            OrderStatus::Other(slug) => slug,
        }
    }
}

/// Kept as its slug, the text the REST API uses.
impl serde::Serialize for OrderStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.slug())
    }
}

impl<'de> serde::Deserialize<'de> for OrderStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let slug = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(OrderStatus::parse(&slug))
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The option "Order statuses to import".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportableStatuses(Vec<OrderStatus>);

impl Default for ImportableStatuses {
    /// Paid or payment-confirmed orders: Processing, Completed, On hold.
    fn default() -> Self {
        ImportableStatuses(vec![
            OrderStatus::Processing,
            OrderStatus::Completed,
            OrderStatus::OnHold,
        ])
    }
}

impl ImportableStatuses {
    /// The statuses named by slugs (as the option stores them); repeats are dropped.
    pub fn from_slugs<'a>(slugs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut statuses: Vec<OrderStatus> = Vec::new();
        for status in slugs.into_iter().map(OrderStatus::parse) {
            if !status.slug().is_empty() && !statuses.contains(&status) {
                statuses.push(status);
            }
        }
        ImportableStatuses(statuses)
    }

    /// Whether orders in this status are imported.
    pub fn contains(&self, status: &OrderStatus) -> bool {
        self.0.contains(status)
    }

    /// The statuses, in the option's order.
    #[cfg(test)]
    pub fn statuses(&self) -> &[OrderStatus] {
        &self.0
    }

    /// Whether an order in `status` is imported, and if not, why.
    pub fn check(&self, status: &OrderStatus) -> Result<(), String> {
        if self.contains(status) {
            return Ok(());
        }
        let listed: Vec<&str> = self.0.iter().map(OrderStatus::label).collect();
        Err(format!(
            "the order is \"{}\" in WooCommerce; only orders that are {} are imported (Options → WooCommerce → Order statuses to import)",
            status.label(),
            or_list(&listed)
        ))
    }
}

fn or_list(items: &[&str]) -> String {
    match items {
        [] => "in no status".to_string(),
        [one] => format!("\"{one}\""),
        [init @ .., last] => format!(
            "{} or \"{last}\"",
            init.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_import_by_default_only_when_paid_or_confirmed() {
        let importable = ImportableStatuses::default();
        // (status as sent, imported)
        let cases = [
            ("processing", true),
            ("completed", true),
            ("on-hold", true),
            ("wc-on-hold", true),
            ("Processing", true),
            ("pending", false),
            ("failed", false),
            ("cancelled", false),
            ("refunded", false),
            ("checkout-draft", false),
            ("trash", false),
            ("shipped", false),
            ("", false),
        ];
        for (text, imported) in cases {
            let status = OrderStatus::parse(text);
            assert_eq!(importable.check(&status).is_ok(), imported, "{text}");
            assert_eq!(
                OrderStatus::parse(status.slug()),
                status,
                "{text} survives a round trip"
            );
        }
        let reason = importable.check(&OrderStatus::Pending).unwrap_err();
        assert_eq!(
            reason,
            "the order is \"Pending payment\" in WooCommerce; only orders that are \"Processing\", \"Completed\" or \"On hold\" are imported (Options → WooCommerce → Order statuses to import)"
        );
        let reason = importable
            .check(&OrderStatus::parse("awaiting-shipment"))
            .unwrap_err();
        assert!(reason.contains("\"awaiting-shipment\""), "{reason}");
    }

    #[test]
    fn the_option_may_list_other_statuses() {
        let importable = ImportableStatuses::from_slugs(["completed", "shipped", "completed"]);
        assert_eq!(
            importable.statuses(),
            [OrderStatus::Completed, OrderStatus::Other("shipped".into())]
        );
        assert!(importable.check(&OrderStatus::parse("shipped")).is_ok());
        assert!(importable.check(&OrderStatus::Processing).is_err());
    }
}
