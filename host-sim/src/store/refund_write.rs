//! Refunds as `wc_create_refund()` makes them: negative copies of the refunded items and a tax
//! summary, the payment gateway asked first when `api_refund` is on (none of the store's gateways
//! can refund, so that always fails after the refund id is used up), refunded items put back into
//! stock, the order's modified date moved to the refund's, and the order set to `refunded` once
//! nothing is left to refund.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::errors::WcError;
use super::fields::{FieldReader, Mode, coerce_text, php_intval};
use super::model::{
    FeeLine, ItemMeta, ItemTax, LineItem, MetaEntry, Order, Refund, ShippingLine, StoreData,
    TaxLine, parse_decimal,
};
use super::order_write::{adjust_stock, change_status, line_stock_owner};
use super::render::round_money;

/// The payment gateways the store has (bank transfer, cheque, cash on delivery): none of them
/// supports automatic refunds.
const GATEWAYS: [&str; 3] = ["bacs", "cheque", "cod"];

/// One order item to refund, in the form `wc_create_refund()` receives it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RefundItem {
    /// The order item (product, fee or shipping line).
    pub item_id: u64,
    /// Units refunded (product lines).
    pub qty: i64,
    /// Amount refunded, excluding tax (positive).
    pub refund_total: Decimal,
    /// Tax refunded per tax rate id (positive).
    pub refund_tax: Vec<(u64, Decimal)>,
}

/// A refund request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RefundArgs {
    pub amount: Decimal,
    pub reason: Option<String>,
    pub items: Vec<RefundItem>,
    /// Ask the payment gateway to pay the money back (`api_refund`).
    pub refund_payment: bool,
    /// Put refunded units back into stock (`api_restock`).
    pub restock_items: bool,
    pub meta: Vec<(String, Value)>,
}

fn cannot_create(message: &str) -> WcError {
    // `wc_create_refund()` errors reach the client with `data` set to the bare status.
    WcError::bare(500, "woocommerce_rest_cannot_create_order_refund", message)
}

fn invalid_order_id() -> WcError {
    WcError::new(
        404,
        "woocommerce_rest_invalid_order_id",
        "Invalid order ID.",
    )
}

/// `get_remaining_refund_amount()`: the total less every refund, rounded to the store's
/// decimals (refund amounts themselves keep whatever decimals they were given).
pub(crate) fn remaining_refund_amount(order: &Order, decimals: u32) -> Decimal {
    round_money(
        order.totals.total - order.refunds.iter().map(|r| r.amount).sum::<Decimal>(),
        decimals,
    )
}

/// Units ordered less units refunded.
fn remaining_refund_items(order: &Order) -> i64 {
    let ordered: i64 = order.line_items.iter().map(|l| l.quantity).sum();
    let refunded: i64 = order
        .refunds
        .iter()
        .flat_map(|r| &r.line_items)
        .map(|l| l.quantity.abs())
        .sum();
    (ordered - refunded).abs()
}

/// Refunds order `order_id`; returns the refund id.
pub(crate) fn create_refund(
    data: &mut StoreData,
    order_id: u64,
    args: &RefundArgs,
) -> Result<u64, WcError> {
    let Some(mut order) = data.orders.remove(&order_id) else {
        return Err(invalid_order_id());
    };
    let result = refund_detached(data, &mut order, args);
    data.orders.insert(order_id, order);
    result
}

fn refunded_item_meta(data: &mut StoreData, item_id: u64) -> Vec<ItemMeta> {
    let value = item_id.to_string();
    vec![ItemMeta {
        id: data.alloc_meta_id(),
        key: "_refunded_item_id".to_owned(),
        value: value.clone(),
        display_key: "_refunded_item_id".to_owned(),
        display_value: value,
    }]
}

/// `array_filter()` on the taxes: zero amounts are dropped.
fn negative_taxes(item: &RefundItem, with_subtotal: bool) -> Vec<ItemTax> {
    item.refund_tax
        .iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(rate_id, amount)| ItemTax {
            rate_id: *rate_id,
            total: -*amount,
            subtotal: with_subtotal.then_some(-*amount),
        })
        .collect()
}

fn tax_sum(taxes: &[ItemTax]) -> Decimal {
    round_money(taxes.iter().map(|t| t.total).sum(), 2)
}

fn wanted(args: &RefundArgs, item_id: u64) -> Option<&RefundItem> {
    args.items
        .iter()
        .find(|i| i.item_id == item_id)
        .filter(|i| i.qty != 0 || !i.refund_total.is_zero() || !i.refund_tax.is_empty())
}

/// `update_taxes()` of the refund: one tax line per rate, each item's tax rounded first.
fn refund_tax_lines(data: &mut StoreData, refund: &Refund) -> Vec<TaxLine> {
    let mut rates: Vec<(u64, Decimal, Decimal)> = Vec::new();
    let mut add = |rate_id: u64, cart: Decimal, shipping: Decimal| match rates
        .iter_mut()
        .find(|(id, _, _)| *id == rate_id)
    {
        Some(entry) => {
            entry.1 += cart;
            entry.2 += shipping;
        }
        None => rates.push((rate_id, cart, shipping)),
    };
    let cart_taxes = refund
        .line_items
        .iter()
        .flat_map(|l| &l.taxes)
        .chain(refund.fee_lines.iter().flat_map(|f| &f.taxes));
    for tax in cart_taxes {
        add(tax.rate_id, round_money(tax.total, 2), Decimal::ZERO);
    }
    for tax in refund.shipping_lines.iter().flat_map(|s| &s.taxes) {
        add(tax.rate_id, Decimal::ZERO, round_money(tax.total, 2));
    }
    let rate = data.settings.tax.clone();
    rates
        .into_iter()
        .filter(|(id, _, _)| *id > 0)
        .map(|(rate_id, cart, shipping)| {
            let known = rate_id == rate.id;
            TaxLine {
                id: data.alloc_item_id(),
                rate_code: if known { rate.code() } else { String::new() },
                rate_id,
                label: if known {
                    rate.label.clone()
                } else {
                    String::new()
                },
                compound: false,
                tax_total: cart,
                shipping_tax_total: shipping,
                rate_percent: if known { rate.percent } else { Decimal::ZERO },
            }
        })
        .collect()
}

/// Refunds an order that is out of the store's map while it is being changed (a status
/// change to `refunded` refunds the rest from inside the status change).
pub(crate) fn refund_detached(
    data: &mut StoreData,
    order: &mut Order,
    args: &RefundArgs,
) -> Result<u64, WcError> {
    let remaining = remaining_refund_amount(order, data.settings.decimals);
    let remaining_items = remaining_refund_items(order);
    if args.amount < Decimal::ZERO || args.amount > remaining {
        return Err(cannot_create("Invalid refund amount."));
    }
    let now = data.now();
    let mut refund = Refund {
        id: data.alloc_post_id(),
        date_created: now,
        amount: args.amount,
        reason: args.reason.clone().unwrap_or_default(),
        refunded_by: 1,
        refunded_payment: false,
        meta_data: Vec::new(),
        line_items: Vec::new(),
        shipping_lines: Vec::new(),
        fee_lines: Vec::new(),
        tax_lines: Vec::new(),
    };
    let mut refunded_units = 0;
    // Product lines, then fees, then shipping: the order `get_items()` returns them in.
    for line in &order.line_items {
        let Some(item) = wanted(args, line.id) else {
            continue;
        };
        let taxes = negative_taxes(item, true);
        let tax = tax_sum(&taxes);
        refund.line_items.push(LineItem {
            id: data.alloc_item_id(),
            name: line.name.clone(),
            product_id: line.product_id,
            variation_id: line.variation_id,
            quantity: -item.qty,
            tax_class: line.tax_class.clone(),
            subtotal: -item.refund_total,
            subtotal_tax: tax,
            total: -item.refund_total,
            total_tax: tax,
            taxes,
            meta_data: refunded_item_meta(data, line.id),
        });
        refunded_units += item.qty;
    }
    for fee in &order.fee_lines {
        let Some(item) = wanted(args, fee.id) else {
            continue;
        };
        let taxes = negative_taxes(item, false);
        refund.fee_lines.push(FeeLine {
            id: data.alloc_item_id(),
            name: fee.name.clone(),
            tax_class: fee.tax_class.clone(),
            tax_status: fee.tax_status.clone(),
            total: -item.refund_total,
            total_tax: tax_sum(&taxes),
            taxes,
            meta_data: refunded_item_meta(data, fee.id),
        });
    }
    for shipping in &order.shipping_lines {
        let Some(item) = wanted(args, shipping.id) else {
            continue;
        };
        let taxes = negative_taxes(item, false);
        refund.shipping_lines.push(ShippingLine {
            id: data.alloc_item_id(),
            method_title: shipping.method_title.clone(),
            method_id: shipping.method_id.clone(),
            instance_id: shipping.instance_id.clone(),
            total: -item.refund_total,
            total_tax: tax_sum(&taxes),
            taxes,
            meta_data: refunded_item_meta(data, shipping.id),
        });
    }
    refund.tax_lines = refund_tax_lines(data, &refund);

    // The refund is saved before the gateway is asked; when the gateway refuses it is deleted
    // again, so its id stays used up.
    if args.refund_payment {
        let message = if GATEWAYS.contains(&order.payment_method.as_str()) {
            "The payment gateway for this order does not support automatic refunds."
        } else {
            "The payment gateway for this order does not exist."
        };
        return Err(cannot_create(message));
    }
    for (key, value) in &args.meta {
        refund.meta_data.push(MetaEntry {
            id: data.alloc_meta_id(),
            key: key.clone(),
            value: value.clone(),
        });
    }
    if args.restock_items {
        restock(data, order, args);
    }
    let refund_id = refund.id;
    order.refunds.insert(0, refund);
    order.date_modified = now;
    let has_free_item = order.line_items.iter().any(|l| l.total.is_zero());
    let partial = remaining - args.amount > Decimal::ZERO
        || (has_free_item && remaining_items - refunded_units > 0);
    if !partial {
        change_status(data, order, "refunded");
    }
    Ok(refund_id)
}

fn set_item_meta(data: &mut StoreData, line: &mut LineItem, key: &str, value: String) {
    match line.meta_data.iter_mut().find(|m| m.key == key) {
        Some(meta) => {
            meta.value = value.clone();
            meta.display_value = value;
        }
        None => {
            let id = data.alloc_meta_id();
            line.meta_data.push(ItemMeta {
                id,
                key: key.to_owned(),
                value: value.clone(),
                display_key: key.to_owned(),
                display_value: value,
            });
        }
    }
}

fn item_meta_int(line: &LineItem, key: &str) -> i64 {
    line.meta_data
        .iter()
        .find(|m| m.key == key)
        .map_or(0, |m| php_intval(&Value::String(m.value.clone())))
}

/// `wc_restock_refunded_items()`: only lines whose stock was reduced, by the refunded units.
fn restock(data: &mut StoreData, order: &mut Order, args: &RefundArgs) {
    for item in &args.items {
        if item.qty == 0 {
            continue;
        }
        let Some(line) = order.line_items.iter_mut().find(|l| l.id == item.item_id) else {
            continue;
        };
        let reduced = item_meta_int(line, "_reduced_stock");
        if reduced == 0 {
            continue;
        }
        let Some((owner, also)) = line_stock_owner(data, line) else {
            continue;
        };
        adjust_stock(data, owner, also, item.qty);
        let restocked = item_meta_int(line, "_restock_refunded_items") + item.qty;
        set_item_meta(
            data,
            line,
            "_reduced_stock",
            (reduced - item.qty).to_string(),
        );
        set_item_meta(data, line, "_restock_refunded_items", restocked.to_string());
    }
}

/// Everything still refundable: every line with its remaining units, amounts and taxes, and the
/// remaining amount, restocked, without asking the gateway (what "Refund manually" does for the
/// whole order in WP admin).
pub(crate) fn full_refund_args(order: &Order, decimals: u32, reason: &str) -> RefundArgs {
    let refunded = |item_id: u64| -> (i64, Decimal, Vec<(u64, Decimal)>) {
        let mut qty = 0;
        let mut total = Decimal::ZERO;
        let mut taxes: Vec<(u64, Decimal)> = Vec::new();
        let lines = order.refunds.iter().flat_map(|r| {
            r.line_items
                .iter()
                .map(|l| (l.quantity, l.total, &l.taxes, &l.meta_data))
                .chain(
                    r.fee_lines
                        .iter()
                        .map(|f| (0, f.total, &f.taxes, &f.meta_data)),
                )
                .chain(
                    r.shipping_lines
                        .iter()
                        .map(|s| (0, s.total, &s.taxes, &s.meta_data)),
                )
        });
        for (q, t, tx, meta) in lines {
            let of_item = meta
                .iter()
                .any(|m| m.key == "_refunded_item_id" && m.value == item_id.to_string());
            if !of_item {
                continue;
            }
            qty += q.abs();
            total += t.abs();
            for tax in tx {
                match taxes.iter_mut().find(|(id, _)| *id == tax.rate_id) {
                    Some(entry) => entry.1 += tax.total.abs(),
                    None => taxes.push((tax.rate_id, tax.total.abs())),
                }
            }
        }
        (qty, total, taxes)
    };
    let rest = |item_id: u64, qty: i64, total: Decimal, taxes: &[ItemTax]| {
        let (done_qty, done_total, done_taxes) = refunded(item_id);
        RefundItem {
            item_id,
            qty: (qty - done_qty).max(0),
            refund_total: total - done_total,
            refund_tax: taxes
                .iter()
                .map(|t| {
                    let done = done_taxes
                        .iter()
                        .find(|(id, _)| *id == t.rate_id)
                        .map_or(Decimal::ZERO, |(_, amount)| *amount);
                    (t.rate_id, t.total - done)
                })
                .collect(),
        }
    };
    let mut items: Vec<RefundItem> = Vec::new();
    for line in &order.line_items {
        items.push(rest(line.id, line.quantity, line.total, &line.taxes));
    }
    for fee in &order.fee_lines {
        items.push(rest(fee.id, 0, fee.total, &fee.taxes));
    }
    for shipping in &order.shipping_lines {
        items.push(rest(shipping.id, 0, shipping.total, &shipping.taxes));
    }
    RefundArgs {
        amount: remaining_refund_amount(order, decimals),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        items,
        refund_payment: false,
        restock_items: true,
        meta: Vec::new(),
    }
}

/// A number as PHP's `is_numeric()` accepts it (JSON numbers and numeric strings).
fn numeric(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => parse_decimal(&n.to_string())
            .or_else(|| n.as_f64().and_then(|f| Decimal::try_from(f).ok())),
        Value::String(s) => parse_decimal(s),
        _ => None,
    }
}

/// Items keyed by id, in the order given: a JSON object already is (`{"23": {...}}`), a list of
/// objects with an `id` is converted as `RestApiUtil` does, anything else is used as it is.
fn keyed(value: &Value) -> Vec<(String, &Value)> {
    match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) if items.iter().all(|i| i.get("id").is_some()) => items
            .iter()
            .map(|i| (i.get("id").map(coerce_text).unwrap_or_default(), i))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(n, i)| (n.to_string(), i))
            .collect(),
        _ => Vec::new(),
    }
}

/// The body of `POST /orders/{id}/refunds`, adjusted like `RestApiUtil` does: `api_refund` and
/// `api_restock` default to true, line items and their taxes may be lists with ids, and a
/// missing `amount` is the sum of the items when every one of them has numeric amounts.
pub(crate) fn refund_args_from_request(fields: &Map<String, Value>) -> Result<RefundArgs, WcError> {
    let mut reader = FieldReader::new(fields, Mode::Schema);
    let amount = reader.string("amount");
    let reason = reader.string("reason");
    let api_refund = reader.boolean("api_refund");
    let api_restock = reader.boolean("api_restock");
    let meta = reader.array("meta_data").cloned().unwrap_or_default();
    reader.finish()?;

    let mut items = Vec::new();
    let mut all_numeric = true;
    let lines = fields.get("line_items").map(keyed).unwrap_or_default();
    for (key, item) in &lines {
        let Ok(item_id) = key.trim().parse::<u64>() else {
            continue;
        };
        let qty = item
            .get("qty")
            .or_else(|| item.get("quantity"))
            .map_or(0, php_intval);
        let total = item.get("refund_total").and_then(numeric);
        all_numeric &= total.is_some();
        let mut taxes = Vec::new();
        for (rate, amount) in item.get("refund_tax").map(keyed).unwrap_or_default() {
            let amount = amount.get("refund_total").unwrap_or(amount);
            let value = numeric(amount);
            all_numeric &= value.is_some();
            if let (Ok(rate_id), Some(value)) = (rate.trim().parse::<u64>(), value) {
                taxes.push((rate_id, value));
            }
        }
        items.push(RefundItem {
            item_id,
            qty,
            refund_total: total.unwrap_or_default(),
            refund_tax: taxes,
        });
    }
    let amount = match amount {
        Some(text) => parse_decimal(&text).unwrap_or_default(),
        None if all_numeric && !items.is_empty() => items
            .iter()
            .map(|i| i.refund_total + i.refund_tax.iter().map(|(_, t)| *t).sum::<Decimal>())
            .sum(),
        None => Decimal::ZERO,
    };
    if amount < Decimal::ZERO {
        return Err(WcError::new(
            400,
            "woocommerce_rest_invalid_order_refund",
            "Refund amount must be greater than zero.",
        ));
    }
    Ok(RefundArgs {
        amount,
        reason: reason.filter(|r| !r.is_empty()),
        items,
        refund_payment: api_refund.unwrap_or(true),
        restock_items: api_restock.unwrap_or(true),
        meta: meta
            .iter()
            .filter_map(|m| {
                let key = m.get("key").map(coerce_text)?;
                Some((key, m.get("value").cloned().unwrap_or(Value::Null)))
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn request_items_and_taxes_are_keyed_by_id_and_the_amount_is_derived() {
        let args = refund_args_from_request(&fields(json!({
            "line_items": [
                {"id": 23, "quantity": 2, "refund_total": "25.00",
                 "refund_tax": [{"id": 1, "refund_total": "4.75"}]},
                {"id": "24", "refund_total": 4.9, "refund_tax": {"1": "0.931"}}
            ]
        })))
        .expect("valid");
        assert_eq!(args.items.len(), 2);
        assert_eq!(args.items[0].item_id, 23);
        assert_eq!(args.items[0].qty, 2);
        assert_eq!(args.items[1].refund_tax, vec![(1, Decimal::new(931, 3))]);
        assert_eq!(args.amount, Decimal::new(35581, 3));
        assert!(args.refund_payment && args.restock_items);
        let negative = refund_args_from_request(&fields(json!({"amount": "-1"})));
        assert_eq!(
            negative.map_err(|e| e.code),
            Err("woocommerce_rest_invalid_order_refund".to_owned())
        );
        let typed = refund_args_from_request(&fields(json!({"amount": 5})));
        assert_eq!(
            typed.map_err(|e| e.code),
            Err("rest_invalid_param".to_owned())
        );
    }
}
