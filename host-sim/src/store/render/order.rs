//! `/orders` bodies. Item SKUs, images and names of parents are read live from the catalog.

use serde::Serialize;
use serde_json::Value;

use super::product::{MetaJson, meta};
use super::{Href, Links, RenderCtx, json_number, money, unrounded};
use crate::store::dates::wc_pair;
use crate::store::model::{
    Address, FeeLine, ItemMeta, ItemTax, LineItem, Order, ShippingLine, StoreData, TaxLine,
};

#[derive(Debug, Serialize)]
struct BillingJson {
    first_name: String,
    last_name: String,
    company: String,
    address_1: String,
    address_2: String,
    city: String,
    state: String,
    postcode: String,
    country: String,
    email: String,
    phone: String,
}

#[derive(Debug, Serialize)]
struct ShippingJson {
    first_name: String,
    last_name: String,
    company: String,
    address_1: String,
    address_2: String,
    city: String,
    state: String,
    postcode: String,
    country: String,
    phone: String,
}

#[derive(Debug, Serialize)]
pub(super) struct TaxJson {
    id: u64,
    total: String,
    subtotal: String,
}

#[derive(Debug, Serialize)]
pub(super) struct ItemMetaJson {
    id: u64,
    key: String,
    value: String,
    display_key: String,
    display_value: String,
}

#[derive(Debug, Serialize)]
pub(super) struct ImageJson {
    id: Value,
    src: String,
}

#[derive(Debug, Serialize)]
pub(super) struct LineItemJson {
    id: u64,
    name: String,
    product_id: u64,
    variation_id: u64,
    quantity: i64,
    tax_class: String,
    subtotal: String,
    subtotal_tax: String,
    total: String,
    total_tax: String,
    taxes: Vec<TaxJson>,
    meta_data: Vec<ItemMetaJson>,
    sku: Option<String>,
    price: Value,
    image: ImageJson,
    parent_name: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct TaxLineJson {
    id: u64,
    rate_code: String,
    rate_id: u64,
    label: String,
    compound: bool,
    tax_total: String,
    shipping_tax_total: String,
    rate_percent: Value,
    meta_data: Vec<ItemMetaJson>,
}

#[derive(Debug, Serialize)]
pub(super) struct ShippingLineJson {
    id: u64,
    method_title: String,
    method_id: String,
    instance_id: String,
    total: String,
    total_tax: String,
    taxes: Vec<TaxJson>,
    meta_data: Vec<ItemMetaJson>,
}

#[derive(Debug, Serialize)]
pub(super) struct FeeLineJson {
    id: u64,
    name: String,
    tax_class: String,
    tax_status: String,
    amount: String,
    total: String,
    total_tax: String,
    taxes: Vec<TaxJson>,
    meta_data: Vec<ItemMetaJson>,
}

#[derive(Debug, Serialize)]
struct CouponLineJson {
    id: u64,
    code: String,
    discount: String,
    discount_tax: String,
    meta_data: Vec<ItemMetaJson>,
    discount_type: String,
    nominal_amount: Value,
    free_shipping: bool,
}

#[derive(Debug, Serialize)]
struct RefundJson {
    id: u64,
    reason: String,
    total: String,
}

/// An order as `/orders` returns it.
#[derive(Debug, Serialize)]
pub(crate) struct OrderJson {
    id: u64,
    parent_id: u64,
    status: String,
    currency: String,
    version: String,
    prices_include_tax: bool,
    date_created: String,
    date_modified: String,
    discount_total: String,
    discount_tax: String,
    shipping_total: String,
    shipping_tax: String,
    cart_tax: String,
    total: String,
    total_tax: String,
    customer_id: u64,
    order_key: String,
    billing: BillingJson,
    shipping: ShippingJson,
    payment_method: String,
    payment_method_title: String,
    transaction_id: String,
    customer_ip_address: String,
    customer_user_agent: String,
    created_via: String,
    customer_note: String,
    date_completed: Option<String>,
    date_paid: Option<String>,
    cart_hash: String,
    number: String,
    meta_data: Vec<MetaJson>,
    line_items: Vec<LineItemJson>,
    tax_lines: Vec<TaxLineJson>,
    shipping_lines: Vec<ShippingLineJson>,
    fee_lines: Vec<FeeLineJson>,
    coupon_lines: Vec<CouponLineJson>,
    refunds: Vec<RefundJson>,
    payment_url: String,
    is_editable: bool,
    needs_payment: bool,
    needs_processing: bool,
    date_created_gmt: String,
    date_modified_gmt: String,
    date_completed_gmt: Option<String>,
    date_paid_gmt: Option<String>,
    currency_symbol: String,
    _links: Links,
}

pub(super) fn taxes(list: &[ItemTax]) -> Vec<TaxJson> {
    list.iter()
        .map(|t| TaxJson {
            id: t.rate_id,
            total: unrounded(t.total),
            subtotal: t.subtotal.map(unrounded).unwrap_or_default(),
        })
        .collect()
}

pub(super) fn item_meta(list: &[ItemMeta]) -> Vec<ItemMetaJson> {
    list.iter()
        .map(|m| ItemMetaJson {
            id: m.id,
            key: m.key.clone(),
            value: m.value.clone(),
            display_key: m.display_key.clone(),
            display_value: m.display_value.clone(),
        })
        .collect()
}

pub(super) fn line_item(data: &StoreData, item: &LineItem, dp: u32) -> LineItemJson {
    let product_key = if item.variation_id > 0 {
        item.variation_id
    } else {
        item.product_id
    };
    let product = data.products.get(&product_key);
    let (product_id, variation_id, sku, image_id, parent_name) = match product {
        Some(p) if p.is_variation() => (
            item.product_id,
            item.variation_id,
            Some(data.shown_sku(p)),
            Value::from(0),
            data.products
                .get(&p.parent_id)
                .map(|parent| parent.name.clone()),
        ),
        Some(p) => (
            item.product_id,
            0,
            Some(p.sku.clone()),
            Value::String(String::new()),
            None,
        ),
        None => (0, 0, None, Value::from(0), None),
    };
    let price = if item.quantity == 0 {
        Value::from(0)
    } else {
        json_number(item.total / rust_decimal::Decimal::from(item.quantity))
    };
    LineItemJson {
        id: item.id,
        name: item.name.clone(),
        product_id,
        variation_id,
        quantity: item.quantity,
        tax_class: item.tax_class.clone(),
        subtotal: money(item.subtotal, dp),
        subtotal_tax: money(item.subtotal_tax, dp),
        total: money(item.total, dp),
        total_tax: money(item.total_tax, dp),
        taxes: taxes(&item.taxes),
        meta_data: item_meta(&item.meta_data),
        sku,
        price,
        image: ImageJson {
            id: image_id,
            src: String::new(),
        },
        parent_name,
    }
}

pub(super) fn tax_line(t: &TaxLine, dp: u32) -> TaxLineJson {
    TaxLineJson {
        id: t.id,
        rate_code: t.rate_code.clone(),
        rate_id: t.rate_id,
        label: t.label.clone(),
        compound: t.compound,
        tax_total: money(t.tax_total, dp),
        shipping_tax_total: money(t.shipping_tax_total, dp),
        rate_percent: json_number(t.rate_percent),
        meta_data: Vec::new(),
    }
}

pub(super) fn shipping_line(s: &ShippingLine, dp: u32) -> ShippingLineJson {
    ShippingLineJson {
        id: s.id,
        method_title: s.method_title.clone(),
        method_id: s.method_id.clone(),
        instance_id: s.instance_id.clone(),
        total: money(s.total, dp),
        total_tax: money(s.total_tax, dp),
        taxes: taxes(&s.taxes),
        meta_data: item_meta(&s.meta_data),
    }
}

pub(super) fn fee_line(f: &FeeLine, dp: u32) -> FeeLineJson {
    FeeLineJson {
        id: f.id,
        name: f.name.clone(),
        tax_class: f.tax_class.clone(),
        tax_status: f.tax_status.clone(),
        amount: String::new(),
        total: money(f.total, dp),
        total_tax: money(f.total_tax, dp),
        taxes: taxes(&f.taxes),
        meta_data: item_meta(&f.meta_data),
    }
}

fn billing(a: &Address) -> BillingJson {
    BillingJson {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        company: a.company.clone(),
        address_1: a.address_1.clone(),
        address_2: a.address_2.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        postcode: a.postcode.clone(),
        country: a.country.clone(),
        email: a.email.clone(),
        phone: a.phone.clone(),
    }
}

fn shipping(a: &Address) -> ShippingJson {
    ShippingJson {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        company: a.company.clone(),
        address_1: a.address_1.clone(),
        address_2: a.address_2.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        postcode: a.postcode.clone(),
        country: a.country.clone(),
        phone: a.phone.clone(),
    }
}

/// Whether any line needs shipping or handling (not virtual-and-downloadable, or gone).
fn needs_processing(data: &StoreData, order: &Order) -> bool {
    order.line_items.iter().any(|line| {
        let key = if line.variation_id > 0 {
            line.variation_id
        } else {
            line.product_id
        };
        data.products
            .get(&key)
            .is_none_or(|p| !(p.virtual_product && p.downloadable))
    })
}

/// Renders an order.
pub(crate) fn order_json(data: &StoreData, order: &Order, ctx: &RenderCtx) -> OrderJson {
    let tz = data.settings.timezone;
    let dp = ctx.dp;
    let (created, created_gmt) = wc_pair(tz, order.date_created);
    let (modified, modified_gmt) = wc_pair(tz, order.date_modified);
    let completed = order.date_completed.map(|d| wc_pair(tz, d));
    let paid = order.date_paid.map(|d| wc_pair(tz, d));
    let totals = &order.totals;
    let mut links = Links::new(
        ctx.api(&format!("/wc/v3/orders/{}", order.id)),
        ctx.api("/wc/v3/orders"),
    );
    if order.customer_id > 0 {
        links.customer = Some(vec![Href {
            href: ctx.api(&format!("/wc/v3/customers/{}", order.customer_id)),
        }]);
    }
    OrderJson {
        id: order.id,
        parent_id: order.parent_id,
        status: order.status.clone(),
        currency: order.currency.clone(),
        version: order.version.clone(),
        prices_include_tax: order.prices_include_tax,
        date_created: created,
        date_modified: modified,
        discount_total: money(totals.discount_total, dp),
        discount_tax: money(totals.discount_tax, dp),
        shipping_total: money(totals.shipping_total, dp),
        shipping_tax: money(totals.shipping_tax, dp),
        cart_tax: money(totals.cart_tax, dp),
        total: money(totals.total, dp),
        total_tax: money(totals.total_tax, dp),
        customer_id: order.customer_id,
        order_key: order.order_key.clone(),
        billing: billing(&order.billing),
        shipping: shipping(&order.shipping),
        payment_method: order.payment_method.clone(),
        payment_method_title: order.payment_method_title.clone(),
        transaction_id: order.transaction_id.clone(),
        customer_ip_address: order.customer_ip_address.clone(),
        customer_user_agent: order.customer_user_agent.clone(),
        created_via: order.created_via.clone(),
        customer_note: order.customer_note.clone(),
        date_completed: completed.as_ref().map(|d| d.0.clone()),
        date_paid: paid.as_ref().map(|d| d.0.clone()),
        cart_hash: order.cart_hash.clone(),
        number: order.number.clone(),
        meta_data: meta(&order.meta_data),
        line_items: order
            .line_items
            .iter()
            .map(|l| line_item(data, l, dp))
            .collect(),
        tax_lines: order.tax_lines.iter().map(|t| tax_line(t, dp)).collect(),
        shipping_lines: order
            .shipping_lines
            .iter()
            .map(|l| shipping_line(l, dp))
            .collect(),
        fee_lines: order.fee_lines.iter().map(|f| fee_line(f, dp)).collect(),
        coupon_lines: order
            .coupon_lines
            .iter()
            .map(|c| CouponLineJson {
                id: c.id,
                code: c.code.clone(),
                discount: money(c.discount, dp),
                discount_tax: money(c.discount_tax, dp),
                meta_data: item_meta(&c.meta_data),
                discount_type: c.discount_type.clone(),
                nominal_amount: json_number(c.nominal_amount),
                free_shipping: c.free_shipping,
            })
            .collect(),
        refunds: order
            .refunds
            .iter()
            .map(|r| RefundJson {
                id: r.id,
                reason: r.reason.clone(),
                // WooCommerce prefixes the formatted amount with a minus sign.
                total: format!("-{}", money(r.amount, dp)),
            })
            .collect(),
        payment_url: format!(
            "{}/checkout/order-pay/{}/?pay_for_order=true&key={}",
            ctx.home, order.id, order.order_key
        ),
        is_editable: matches!(order.status.as_str(), "pending" | "on-hold" | "auto-draft"),
        needs_payment: matches!(order.status.as_str(), "pending" | "failed")
            && totals.total > rust_decimal::Decimal::ZERO,
        needs_processing: needs_processing(data, order),
        date_created_gmt: created_gmt,
        date_modified_gmt: modified_gmt,
        date_completed_gmt: completed.map(|d| d.1),
        date_paid_gmt: paid.map(|d| d.1),
        currency_symbol: data.settings.currency_symbol(),
        _links: links,
    }
}
