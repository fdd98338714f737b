//! `/orders/{id}/refunds` bodies.

use serde::Serialize;

use super::order::{
    FeeLineJson, LineItemJson, ShippingLineJson, TaxLineJson, fee_line, line_item, shipping_line,
    tax_line,
};
use super::product::{MetaJson, meta};
use super::{Href, Links, RenderCtx, money};
use crate::store::dates::wc_pair;
use crate::store::model::{Refund, StoreData};

/// A refund as `/orders/{id}/refunds` returns it.
#[derive(Debug, Serialize)]
pub(crate) struct RefundJson {
    id: u64,
    date_created: String,
    date_created_gmt: String,
    amount: String,
    reason: String,
    refunded_by: u64,
    refunded_payment: bool,
    meta_data: Vec<MetaJson>,
    line_items: Vec<LineItemJson>,
    shipping_lines: Vec<ShippingLineJson>,
    tax_lines: Vec<TaxLineJson>,
    fee_lines: Vec<FeeLineJson>,
    _links: Links,
}

/// Renders a refund of order `order_id`.
pub(crate) fn refund_json(
    data: &StoreData,
    order_id: u64,
    refund: &Refund,
    ctx: &RenderCtx,
) -> RefundJson {
    let dp = ctx.dp;
    let (created, created_gmt) = wc_pair(data.settings.timezone, refund.date_created);
    let collection = ctx.api(&format!("/wc/v3/orders/{order_id}/refunds"));
    let mut links = Links::new(format!("{collection}/{}", refund.id), collection);
    links.up = Some(vec![Href {
        href: ctx.api(&format!("/wc/v3/orders/{order_id}")),
    }]);
    RefundJson {
        id: refund.id,
        date_created: created,
        date_created_gmt: created_gmt,
        amount: money(refund.amount, dp),
        reason: refund.reason.clone(),
        refunded_by: refund.refunded_by,
        refunded_payment: refund.refunded_payment,
        meta_data: meta(&refund.meta_data),
        line_items: refund
            .line_items
            .iter()
            .map(|l| line_item(data, l, dp))
            .collect(),
        shipping_lines: refund
            .shipping_lines
            .iter()
            .map(|l| shipping_line(l, dp))
            .collect(),
        tax_lines: refund.tax_lines.iter().map(|t| tax_line(t, dp)).collect(),
        fee_lines: refund.fee_lines.iter().map(|f| fee_line(f, dp)).collect(),
        _links: links,
    }
}
