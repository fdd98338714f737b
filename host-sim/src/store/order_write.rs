//! Creating and updating orders: line items by product, variation or SKU, coupons, shipping and
//! fees, one tax rate, and the status side effects WooCommerce has (paid date, stock reduction
//! and restoration, sales counts, paying customer).

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::errors::WcError;
use super::fields::{FieldReader, Mode, coerce_text, php_intval};
use super::model::{
    Address, Coupon, CouponLine, FeeLine, ItemMeta, ItemTax, LineItem, ORDER_STATUSES, Order,
    OrderTotals, Product, ShippingLine, StockOwner, StoreData, TaxLine, parse_decimal,
    sanitize_title,
};
use super::render::round_money;

/// Creates an order from a request body; returns its id.
pub(crate) fn create_order(
    data: &mut StoreData,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<u64, WcError> {
    if fields.get("id").is_some_and(|v| php_intval(v) != 0) {
        return Err(WcError::new(
            400,
            "woocommerce_rest_shop_order_exists",
            "Cannot create existing shop_order.",
        ));
    }
    let mut reader = FieldReader::new(fields, mode);
    let status = reader.one_of("status", &ORDER_STATUSES);
    let customer_id = reader.integer("customer_id").unwrap_or(0);
    let set_paid = reader.boolean("set_paid").unwrap_or(false);
    let currency = reader.string("currency");
    let billing = reader.object("billing");
    let shipping = reader.object("shipping");
    let texts: Vec<(&str, Option<String>)> = [
        "payment_method",
        "payment_method_title",
        "transaction_id",
        "customer_note",
    ]
    .iter()
    .map(|name| (*name, reader.string(name)))
    .collect();
    let lines = reader.array("line_items").cloned().unwrap_or_default();
    let shipping_lines = reader.array("shipping_lines").cloned().unwrap_or_default();
    let fee_lines = reader.array("fee_lines").cloned().unwrap_or_default();
    let coupon_lines = reader.array("coupon_lines").cloned().unwrap_or_default();
    reader.finish()?;

    let customer_id = customer_id.max(0).unsigned_abs();
    if customer_id > 0 && !data.customers.contains_key(&customer_id) {
        return Err(WcError::new(
            400,
            "woocommerce_rest_invalid_customer_id",
            "Customer ID is invalid.",
        ));
    }
    let mut resolved = Vec::with_capacity(lines.len());
    for line in &lines {
        resolved.push(resolve_line(data, line)?);
    }
    let mut coupons = Vec::new();
    for line in &coupon_lines {
        let code = line.get("code").map(coerce_text).unwrap_or_default();
        let found = data
            .coupons
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
            .cloned();
        match found {
            Some(coupon) => coupons.push(coupon),
            None => {
                return Err(WcError::new(
                    400,
                    "woocommerce_rest_invalid_coupon",
                    format!("Coupon \"{code}\" does not exist!"),
                ));
            }
        }
    }

    let id = data.alloc_post_id();
    let now = data.now();
    let mut order = Order {
        id,
        parent_id: 0,
        status: "pending".to_owned(),
        currency: currency.unwrap_or_else(|| data.settings.currency.clone()),
        version: data.settings.woocommerce_version.clone(),
        prices_include_tax: false,
        date_created: now,
        date_modified: now,
        date_paid: None,
        date_completed: None,
        customer_id,
        order_key: new_order_key(id, now),
        billing: billing.map_or_else(Address::default, |b| address(b, &Address::default())),
        shipping: shipping.map_or_else(Address::default, |s| address(s, &Address::default())),
        payment_method: String::new(),
        payment_method_title: String::new(),
        transaction_id: String::new(),
        customer_ip_address: String::new(),
        customer_user_agent: String::new(),
        created_via: "rest-api".to_owned(),
        customer_note: String::new(),
        cart_hash: String::new(),
        number: id.to_string(),
        meta_data: Vec::new(),
        line_items: Vec::new(),
        tax_lines: Vec::new(),
        shipping_lines: Vec::new(),
        fee_lines: Vec::new(),
        coupon_lines: Vec::new(),
        refunds: Vec::new(),
        totals: OrderTotals::default(),
        stock_reduced: false,
        sales_recorded: false,
    };
    for (name, value) in texts {
        if let Some(value) = value {
            set_text(&mut order, name, value);
        }
    }
    for line in resolved {
        let item = build_line(data, line);
        order.line_items.push(item);
    }
    for line in &shipping_lines {
        let item_id = data.alloc_item_id();
        order.shipping_lines.push(ShippingLine {
            id: item_id,
            method_title: line
                .get("method_title")
                .map(coerce_text)
                .unwrap_or_default(),
            method_id: line.get("method_id").map(coerce_text).unwrap_or_default(),
            instance_id: line.get("instance_id").map(coerce_text).unwrap_or_default(),
            total: money_field(line, "total").unwrap_or_default(),
            total_tax: Decimal::ZERO,
            taxes: Vec::new(),
            meta_data: Vec::new(),
        });
    }
    for line in &fee_lines {
        let item_id = data.alloc_item_id();
        order.fee_lines.push(FeeLine {
            id: item_id,
            name: line.get("name").map(coerce_text).unwrap_or_default(),
            tax_class: line.get("tax_class").map(coerce_text).unwrap_or_default(),
            tax_status: line
                .get("tax_status")
                .map(coerce_text)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "taxable".to_owned()),
            total: money_field(line, "total").unwrap_or_default(),
            total_tax: Decimal::ZERO,
            taxes: Vec::new(),
            meta_data: Vec::new(),
        });
    }
    let discounts = apply_coupons(&mut order, &coupons);
    calculate_taxes(data, &mut order);
    if order.totals.cart_tax > Decimal::ZERO || order.totals.shipping_tax > Decimal::ZERO {
        let tax = data.settings.tax.clone();
        order.tax_lines.push(TaxLine {
            id: data.alloc_item_id(),
            rate_code: tax.code(),
            rate_id: tax.id,
            label: tax.label.clone(),
            compound: false,
            tax_total: order.totals.cart_tax,
            shipping_tax_total: order.totals.shipping_tax,
            rate_percent: tax.percent,
        });
    }
    let rate = tax_rate(data);
    for (coupon, per_line) in coupons.iter().zip(discounts) {
        let discount: Decimal = per_line.iter().sum();
        let discount_tax: Decimal = per_line.iter().map(|d| round_money(*d * rate, 2)).sum();
        let info = format!(
            "[{},\"{}\",\"{}\",{}]",
            coupon.id,
            coupon.code,
            coupon.discount_type,
            coupon.amount.normalize()
        );
        let item_id = data.alloc_item_id();
        let meta_id = data.alloc_meta_id();
        order.coupon_lines.push(CouponLine {
            id: item_id,
            code: coupon.code.clone(),
            discount,
            discount_tax,
            discount_type: coupon.discount_type.clone(),
            nominal_amount: coupon.amount,
            free_shipping: false,
            meta_data: vec![ItemMeta {
                id: meta_id,
                key: "coupon_info".to_owned(),
                value: info.clone(),
                display_key: "coupon_info".to_owned(),
                display_value: info,
            }],
        });
    }
    if let Some(status) = status.filter(|s| s != "pending") {
        change_status(data, &mut order, &status);
    }
    if set_paid {
        payment_complete(data, &mut order);
    }
    order.date_modified = data.now();
    data.orders.insert(id, order);
    Ok(id)
}

/// Updates an order from a request body.
pub(crate) fn update_order(
    data: &mut StoreData,
    id: u64,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<(), WcError> {
    if !data.orders.contains_key(&id) {
        return Err(WcError::invalid_id("shop_order", 400));
    }
    let mut reader = FieldReader::new(fields, mode);
    let status = reader.one_of("status", &ORDER_STATUSES);
    let set_paid = reader.boolean("set_paid").unwrap_or(false);
    let billing = reader.object("billing");
    let shipping = reader.object("shipping");
    let texts: Vec<(&str, Option<String>)> = [
        "payment_method",
        "payment_method_title",
        "transaction_id",
        "customer_note",
    ]
    .iter()
    .map(|name| (*name, reader.string(name)))
    .collect();
    reader.finish()?;
    let Some(mut order) = data.orders.remove(&id) else {
        return Err(WcError::invalid_id("shop_order", 400));
    };
    if let Some(b) = billing {
        order.billing = address(b, &order.billing);
    }
    if let Some(s) = shipping {
        order.shipping = address(s, &order.shipping);
    }
    for (name, value) in texts {
        if let Some(value) = value {
            set_text(&mut order, name, value);
        }
    }
    if let Some(status) = status {
        change_status(data, &mut order, &status);
    }
    if set_paid {
        payment_complete(data, &mut order);
    }
    order.date_modified = data.now();
    data.orders.insert(id, order);
    Ok(())
}

/// Deletes (force) or trashes an order.
pub(crate) fn delete_order(data: &mut StoreData, id: u64, force: bool) -> Result<(), WcError> {
    let Some(order) = data.orders.get(&id) else {
        return Err(WcError::invalid_id("shop_order", 404));
    };
    if force {
        data.orders.remove(&id);
        return Ok(());
    }
    if order.status == "trash" {
        return Err(WcError::new(
            410,
            "woocommerce_rest_already_trashed",
            "The order has already been deleted.",
        ));
    }
    let now = data.now();
    if let Some(order) = data.orders.get_mut(&id) {
        order.status = "trash".to_owned();
        order.date_modified = now;
    }
    Ok(())
}

fn set_text(order: &mut Order, name: &str, value: String) {
    match name {
        "payment_method" => order.payment_method = value,
        "payment_method_title" => order.payment_method_title = value,
        "transaction_id" => order.transaction_id = value,
        "customer_note" => order.customer_note = value,
        _ => {}
    }
}

/// A pseudo-random but reproducible `wc_order_…` key.
fn new_order_key(id: u64, now: chrono::DateTime<chrono::Utc>) -> String {
    use rand::{Rng as _, SeedableRng as _};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let seed = id ^ now.timestamp().unsigned_abs().rotate_left(17);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let suffix: String = (0..13)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("wc_order_{suffix}")
}

/// Applies the posted fields of an address over `base`.
pub(crate) fn address(posted: &Map<String, Value>, base: &Address) -> Address {
    let mut a = base.clone();
    let get = |key: &str| posted.get(key).filter(|v| !v.is_null()).map(coerce_text);
    let targets: [(&str, &mut String); 11] = [
        ("first_name", &mut a.first_name),
        ("last_name", &mut a.last_name),
        ("company", &mut a.company),
        ("address_1", &mut a.address_1),
        ("address_2", &mut a.address_2),
        ("city", &mut a.city),
        ("state", &mut a.state),
        ("postcode", &mut a.postcode),
        ("country", &mut a.country),
        ("email", &mut a.email),
        ("phone", &mut a.phone),
    ];
    for (key, target) in targets {
        if let Some(value) = get(key) {
            *target = value;
        }
    }
    a
}

fn money_field(item: &Value, key: &str) -> Option<Decimal> {
    item.get(key)
        .filter(|v| !v.is_null())
        .and_then(|v| parse_decimal(&coerce_text(v)))
}

struct ResolvedLine {
    product: Product,
    quantity: i64,
    name: Option<String>,
    subtotal: Option<Decimal>,
    total: Option<Decimal>,
}

fn resolve_line(data: &StoreData, line: &Value) -> Result<ResolvedLine, WcError> {
    let invalid = || {
        WcError::new(
            400,
            "woocommerce_rest_invalid_product_id",
            "Product ID provided is invalid.",
        )
    };
    let variation_id = line.get("variation_id").map_or(0, php_intval);
    let product_id = line.get("product_id").map_or(0, php_intval);
    let sku = line.get("sku").map(coerce_text).unwrap_or_default();
    let product = if variation_id > 0 {
        data.products
            .get(&variation_id.unsigned_abs())
            .filter(|p| p.is_variation())
            .ok_or_else(invalid)?
    } else if product_id > 0 {
        data.products
            .get(&product_id.unsigned_abs())
            .ok_or_else(invalid)?
    } else if !sku.trim().is_empty() {
        data.sku_owner(sku.trim(), 0)
            .and_then(|id| data.products.get(&id))
            .ok_or_else(invalid)?
    } else {
        return Err(WcError::new(
            400,
            "woocommerce_rest_required_product_reference",
            "Product ID or SKU is required.",
        ));
    };
    let quantity = line.get("quantity").map_or(1, php_intval);
    if quantity <= 0 {
        return Err(WcError::new(
            400,
            "woocommerce_rest_invalid_product_quantity",
            "Product quantity must be a positive float.",
        ));
    }
    Ok(ResolvedLine {
        product: product.clone(),
        quantity,
        name: line.get("name").map(coerce_text).filter(|n| !n.is_empty()),
        subtotal: money_field(line, "subtotal"),
        total: money_field(line, "total"),
    })
}

fn build_line(data: &mut StoreData, line: ResolvedLine) -> LineItem {
    let product = &line.product;
    let unit = parse_decimal(&data.active_price(product)).unwrap_or_default();
    let subtotal = line
        .subtotal
        .unwrap_or_else(|| unit * Decimal::from(line.quantity));
    let total = line.total.unwrap_or(subtotal);
    let (product_id, variation_id, name) = if product.is_variation() {
        (product.parent_id, product.id, data.variation_title(product))
    } else {
        (product.id, 0, product.name.clone())
    };
    let tax_class = if product.tax_class == "parent" {
        data.products
            .get(&product.parent_id)
            .map(|p| p.tax_class.clone())
            .unwrap_or_default()
    } else {
        product.tax_class.clone()
    };
    let id = data.alloc_item_id();
    let mut meta_data = Vec::new();
    for attribute in &product.variation_attributes {
        let (key, value, display_key) = match data.global_attribute(attribute.id) {
            Some(global) => (
                global.taxonomy(),
                global
                    .term(&attribute.option)
                    .map_or_else(|| sanitize_title(&attribute.option), |(_, s)| s.clone()),
                global.name.clone(),
            ),
            None => (
                sanitize_title(&attribute.name),
                attribute.option.clone(),
                attribute.name.clone(),
            ),
        };
        let meta_id = data.alloc_meta_id();
        meta_data.push(ItemMeta {
            id: meta_id,
            key,
            value,
            display_key,
            display_value: attribute.option.clone(),
        });
    }
    LineItem {
        id,
        name: line.name.unwrap_or(name),
        product_id,
        variation_id,
        quantity: line.quantity,
        tax_class,
        subtotal,
        subtotal_tax: Decimal::ZERO,
        total,
        total_tax: Decimal::ZERO,
        // Marks "taxable" until taxes are calculated; see calculate_taxes.
        taxes: if product.tax_status == "none" {
            Vec::new()
        } else {
            vec![ItemTax {
                rate_id: 0,
                total: Decimal::ZERO,
                subtotal: None,
            }]
        },
        meta_data,
    }
}

/// Applies coupons in order to the line totals; returns each coupon's discount per line.
fn apply_coupons(order: &mut Order, coupons: &[Coupon]) -> Vec<Vec<Decimal>> {
    let mut result = Vec::with_capacity(coupons.len());
    for coupon in coupons {
        let mut per_line = vec![Decimal::ZERO; order.line_items.len()];
        match coupon.discount_type.as_str() {
            "percent" => {
                for (line, slot) in order.line_items.iter_mut().zip(per_line.iter_mut()) {
                    let discount =
                        round_money(line.subtotal * coupon.amount / Decimal::from(100), 2)
                            .min(line.total);
                    line.total -= discount;
                    *slot = discount;
                }
            }
            _ => {
                let base: Decimal = order.line_items.iter().map(|l| l.total).sum();
                let amount = coupon.amount.min(base);
                let mut left = amount;
                let count = order.line_items.len();
                for (index, (line, slot)) in order
                    .line_items
                    .iter_mut()
                    .zip(per_line.iter_mut())
                    .enumerate()
                {
                    let share = if index + 1 == count || base.is_zero() {
                        left
                    } else {
                        round_money(amount * line.total / base, 2)
                    }
                    .min(line.total);
                    line.total -= share;
                    left -= share;
                    *slot = share;
                }
            }
        }
        result.push(per_line);
    }
    result
}

fn tax_rate(data: &StoreData) -> Decimal {
    data.settings.tax.percent / Decimal::from(100)
}

/// Per-item taxes (unrounded per rate, rounded per item) and the order totals.
fn calculate_taxes(data: &StoreData, order: &mut Order) {
    let calc = data.settings.calc_taxes;
    let rate = tax_rate(data);
    let rate_id = data.settings.tax.id;
    let mut cart_tax_raw = Decimal::ZERO;
    let mut discount_tax_raw = Decimal::ZERO;
    for line in &mut order.line_items {
        let taxable = calc && !line.taxes.is_empty();
        if taxable {
            let total_tax = line.total * rate;
            let subtotal_tax = line.subtotal * rate;
            line.taxes = vec![ItemTax {
                rate_id,
                total: total_tax,
                subtotal: Some(subtotal_tax),
            }];
            line.total_tax = round_money(total_tax, 2);
            line.subtotal_tax = round_money(subtotal_tax, 2);
            cart_tax_raw += total_tax;
            discount_tax_raw += subtotal_tax - total_tax;
        } else {
            line.taxes.clear();
        }
    }
    for fee in &mut order.fee_lines {
        if calc && fee.tax_status == "taxable" {
            let tax = fee.total * rate;
            fee.taxes = vec![ItemTax {
                rate_id,
                total: tax,
                subtotal: None,
            }];
            fee.total_tax = round_money(tax, 2);
            cart_tax_raw += tax;
        }
    }
    let mut shipping_tax_raw = Decimal::ZERO;
    for line in &mut order.shipping_lines {
        if calc && data.settings.tax.shipping {
            let tax = line.total * rate;
            line.taxes = vec![ItemTax {
                rate_id,
                total: tax,
                subtotal: None,
            }];
            line.total_tax = round_money(tax, 2);
            shipping_tax_raw += tax;
        }
    }
    let cart_tax = round_money(cart_tax_raw, 2);
    let shipping_tax = round_money(shipping_tax_raw, 2);
    let shipping_total: Decimal = order.shipping_lines.iter().map(|s| s.total).sum();
    let items_total: Decimal = order.line_items.iter().map(|l| l.total).sum();
    let fees_total: Decimal = order.fee_lines.iter().map(|f| f.total).sum();
    let discount_total: Decimal = order.line_items.iter().map(|l| l.subtotal - l.total).sum();
    order.totals = OrderTotals {
        discount_total,
        discount_tax: round_money(discount_tax_raw, 2),
        shipping_total,
        shipping_tax,
        cart_tax,
        total_tax: cart_tax + shipping_tax,
        total: items_total + fees_total + shipping_total + cart_tax + shipping_tax,
    };
}

/// `WC_Order::payment_complete()`.
fn payment_complete(data: &mut StoreData, order: &mut Order) {
    if matches!(
        order.status.as_str(),
        "pending" | "on-hold" | "failed" | "cancelled"
    ) {
        if order.date_paid.is_none() {
            order.date_paid = Some(data.now());
        }
        change_status(data, order, "processing");
    }
}

/// Sets the status and runs WooCommerce's status hooks.
pub(crate) fn change_status(data: &mut StoreData, order: &mut Order, status: &str) {
    if order.status == status {
        return;
    }
    order.status = status.to_owned();
    let now = data.now();
    match status {
        "processing" | "completed" | "on-hold" => {
            if status != "on-hold" && order.date_paid.is_none() {
                order.date_paid = Some(now);
            }
            if status == "completed" {
                order.date_completed = Some(now);
            }
            reduce_stock(data, order);
            record_sales(data, order, true);
            if status != "on-hold"
                && let Some(customer) = data.customers.get_mut(&order.customer_id)
            {
                customer.is_paying_customer = true;
            }
        }
        "cancelled" => {
            restore_stock(data, order);
            record_sales(data, order, false);
        }
        "pending" => restore_stock(data, order),
        "refunded" => refund_rest(data, order),
        _ => {}
    }
}

/// `wc_order_fully_refunded()`: setting the status to refunded refunds whatever is left, as an
/// amount only, without restocking and without asking the gateway.
fn refund_rest(data: &mut StoreData, order: &mut Order) {
    let rest = super::refund_write::remaining_refund_amount(order, data.settings.decimals);
    if rest <= Decimal::ZERO {
        return;
    }
    let args = super::refund_write::RefundArgs {
        amount: rest,
        reason: Some("Order fully refunded.".to_owned()),
        items: Vec::new(),
        refund_payment: false,
        restock_items: false,
        meta: Vec::new(),
    };
    // Cannot fail: the amount is exactly what is left and the gateway is not asked.
    let _ = super::refund_write::refund_detached(data, order, &args);
}

/// Whose stock a line moves: `(owner, also touched)`, or `None` when nobody manages it.
pub(crate) fn line_stock_owner(data: &StoreData, line: &LineItem) -> Option<(u64, Option<u64>)> {
    let key = if line.variation_id > 0 {
        line.variation_id
    } else {
        line.product_id
    };
    let product = data.products.get(&key)?;
    match data.stock_owner(product) {
        StockOwner::Own if product.is_variation() => Some((key, Some(product.parent_id))),
        StockOwner::Own => Some((key, None)),
        StockOwner::Parent(parent) => Some((parent, None)),
        StockOwner::Nobody => None,
    }
}

/// Changes a stock quantity as `wc_update_product_stock()` does, saving the item (and the
/// variation's parent).
pub(crate) fn adjust_stock(data: &mut StoreData, owner: u64, also_touch: Option<u64>, change: i64) {
    if let Some(item) = data.products.get_mut(&owner) {
        item.stock_quantity = Some(item.stock_quantity.unwrap_or(0) + change);
    }
    data.recompute_stock_status(owner);
    data.touch_product(owner);
    if let Some(parent) = also_touch {
        data.touch_product(parent);
    }
}

fn reduce_stock(data: &mut StoreData, order: &mut Order) {
    if order.stock_reduced || !data.settings.manage_stock {
        return;
    }
    for line in &mut order.line_items {
        if line.meta_data.iter().any(|m| m.key == "_reduced_stock") {
            continue;
        }
        let Some((owner, also)) = line_stock_owner(data, line) else {
            continue;
        };
        adjust_stock(data, owner, also, -line.quantity);
        let meta_id = data.alloc_meta_id();
        let quantity = line.quantity.to_string();
        line.meta_data.push(ItemMeta {
            id: meta_id,
            key: "_reduced_stock".to_owned(),
            value: quantity.clone(),
            display_key: "_reduced_stock".to_owned(),
            display_value: quantity,
        });
    }
    order.stock_reduced = true;
}

fn restore_stock(data: &mut StoreData, order: &mut Order) {
    if !order.stock_reduced {
        return;
    }
    for line in &mut order.line_items {
        let Some(position) = line
            .meta_data
            .iter()
            .position(|m| m.key == "_reduced_stock")
        else {
            continue;
        };
        let reduced: i64 = line.meta_data[position].value.parse().unwrap_or(0);
        // A line whose units were all refunded and restocked keeps its "0".
        if reduced == 0 {
            continue;
        }
        line.meta_data.remove(position);
        if let Some((owner, also)) = line_stock_owner(data, line) {
            adjust_stock(data, owner, also, reduced);
        }
    }
    order.stock_reduced = false;
}

fn record_sales(data: &mut StoreData, order: &mut Order, increase: bool) {
    if order.sales_recorded == increase {
        return;
    }
    order.sales_recorded = increase;
    for line in &order.line_items {
        if let Some(product) = data.products.get_mut(&line.product_id) {
            let quantity = line.quantity.unsigned_abs();
            product.total_sales = if increase {
                product.total_sales + quantity
            } else {
                product.total_sales.saturating_sub(quantity)
            };
        }
    }
    let user = if order.customer_id > 0 {
        order.customer_id.to_string()
    } else {
        order.billing.email.clone()
    };
    for line in &order.coupon_lines {
        if let Some(coupon) = data
            .coupons
            .iter_mut()
            .find(|c| c.code.eq_ignore_ascii_case(&line.code))
        {
            if increase {
                coupon.usage_count += 1;
                coupon.used_by.push(user.clone());
            } else {
                coupon.usage_count = coupon.usage_count.saturating_sub(1);
                if let Some(i) = coupon.used_by.iter().position(|u| *u == user) {
                    coupon.used_by.remove(i);
                }
            }
        }
    }
}
