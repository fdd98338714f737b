//! What shoppers and shop staff do outside the REST API: a checkout placing an order, staff
//! changing an order's status, refunding it, editing stock in WP admin. Everything goes through
//! the same write paths as the REST handlers, so prices, taxes, totals, stock and dates follow
//! the same WooCommerce rules.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use sha2::Digest as _;

use super::errors::WcError;
use super::fields::Mode;
use super::model::{Address, ORDER_STATUSES, ProductKind, StockOwner, StoreData};
use super::order_write::{change_status, create_order, update_order};
use super::product_write::{update_product, update_variation};
use super::refund_write::{RefundArgs, RefundItem, create_refund, full_refund_args};
use super::render::round_money;

/// Why a shop action could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShopError {
    /// No product or variation has this id.
    #[error("there is no product or variation {0}")]
    UnknownItem(u64),
    /// A variable product (a variation must be chosen), an unpublished item, or one without a
    /// price or out of stock: the shop does not sell it.
    #[error("item {0} cannot be bought")]
    NotPurchasable(u64),
    /// More units than the managed stock holds, and backorders are not allowed.
    #[error("not enough stock of item {item}: {wanted} wanted, {available} available")]
    NotEnoughStock {
        /// The product or variation whose stock is short (a parent for parent-managed stock).
        item: u64,
        /// Units the order needs from it.
        wanted: i64,
        /// Units in stock.
        available: i64,
    },
    /// No customer has this id.
    #[error("there is no customer {0}")]
    UnknownCustomer(u64),
    /// No coupon has this code.
    #[error("there is no coupon {0:?}")]
    UnknownCoupon(String),
    /// No order has this id.
    #[error("there is no order {0}")]
    UnknownOrder(u64),
    /// Not one of WooCommerce's order statuses.
    #[error("{0:?} is not an order status")]
    UnknownStatus(String),
    /// The variation's stock is its parent's: WP admin shows no stock field for it.
    #[error("the stock of {item} is managed by its parent product {parent}")]
    StockManagedByParent {
        /// The variation.
        item: u64,
        /// The product that holds the stock.
        parent: u64,
    },
    /// Stock management is off for the store, or the product type has no stock.
    #[error("the stock of item {0} cannot be managed")]
    NoStockManagement(u64),
    /// WooCommerce refused the change with this error.
    #[error("{code}: {message}")]
    Refused {
        /// The error code WooCommerce gave.
        code: String,
        /// Its message.
        message: String,
    },
}

impl From<WcError> for ShopError {
    fn from(e: WcError) -> Self {
        ShopError::Refused {
            code: e.code,
            message: e.message,
        }
    }
}

/// Who checks out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Buyer {
    /// A registered customer (user id): the checkout is filled from the account.
    Customer(u64),
    /// A guest with this billing address (its `email` is the order's contact).
    Guest(Box<Address>),
}

/// The status a checkout leaves the order in, which depends on the payment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutStatus {
    /// Paid (e.g. card, or cash on delivery): `processing`, stock reduced, paid date set.
    Processing,
    /// Awaiting a bank transfer: `on-hold`, stock reduced.
    OnHold,
    /// Payment not finished (e.g. the shopper left the payment page): `pending`, stock untouched.
    Pending,
}

/// A shipping method chosen at checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingChoice {
    /// Method id, e.g. `flat_rate`.
    pub method_id: String,
    /// Instance id of the method in its zone.
    pub instance_id: String,
    /// Title shown to the shopper.
    pub method_title: String,
    /// Cost excluding tax.
    pub total: Decimal,
}

impl ShippingChoice {
    /// The store's flat rate ("Versand (Pauschal)", instance 1) at `total`.
    pub fn flat_rate(total: Decimal) -> Self {
        ShippingChoice {
            method_id: "flat_rate".to_owned(),
            instance_id: "1".to_owned(),
            method_title: "Versand (Pauschal)".to_owned(),
            total,
        }
    }
}

/// A fee added at checkout (e.g. gift wrapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    /// Name of the fee line.
    pub name: String,
    /// Amount excluding tax (negative for a discount).
    pub total: Decimal,
    /// Whether the store's tax applies to it.
    pub taxable: bool,
}

/// A checkout: what a shopper puts in the cart and chooses on the checkout page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// Who buys.
    pub buyer: Buyer,
    /// Cart lines: product or variation id and quantity.
    pub lines: Vec<(u64, i64)>,
    /// The status the payment method leaves the order in.
    pub status: CheckoutStatus,
    /// Payment method id (`bacs`, `cod`, …).
    pub payment_method: String,
    /// Payment method title.
    pub payment_method_title: String,
    /// Shipping method, if the cart is shipped.
    pub shipping: Option<ShippingChoice>,
    /// Fees.
    pub fees: Vec<Fee>,
    /// Coupon code.
    pub coupon: Option<String>,
    /// Billing address typed at checkout (default: the account's, or the guest's).
    pub billing: Option<Address>,
    /// Shipping address typed at checkout (default: the account's, else the billing address).
    pub shipping_address: Option<Address>,
    /// Order note of the shopper.
    pub customer_note: String,
}

impl Buyer {
    /// A guest with this billing address.
    pub fn guest(billing: Address) -> Self {
        Buyer::Guest(Box::new(billing))
    }
}

impl Checkout {
    /// An empty cart for `buyer`, paid by cash on delivery (so `processing`).
    pub fn new(buyer: Buyer) -> Self {
        Checkout {
            buyer,
            lines: Vec::new(),
            status: CheckoutStatus::Processing,
            payment_method: "cod".to_owned(),
            payment_method_title: "Cash on delivery".to_owned(),
            shipping: None,
            fees: Vec::new(),
            coupon: None,
            billing: None,
            shipping_address: None,
            customer_note: String::new(),
        }
    }

    /// Adds `quantity` of product or variation `item_id`.
    pub fn line(mut self, item_id: u64, quantity: i64) -> Self {
        self.lines.push((item_id, quantity));
        self
    }

    /// Pays by bank transfer: the order waits `on-hold`.
    pub fn bank_transfer(mut self) -> Self {
        self.payment_method = "bacs".to_owned();
        self.payment_method_title = "Direct bank transfer".to_owned();
        self.status = CheckoutStatus::OnHold;
        self
    }

    /// Leaves the payment unfinished: the order stays `pending`.
    pub fn unpaid(mut self) -> Self {
        self.status = CheckoutStatus::Pending;
        self
    }

    /// Ships with `choice`.
    pub fn shipping(mut self, choice: ShippingChoice) -> Self {
        self.shipping = Some(choice);
        self
    }

    /// Adds a taxable fee.
    pub fn fee(mut self, name: &str, total: Decimal) -> Self {
        self.fees.push(Fee {
            name: name.to_owned(),
            total,
            taxable: true,
        });
        self
    }

    /// Applies a coupon.
    pub fn coupon(mut self, code: &str) -> Self {
        self.coupon = Some(code.to_owned());
        self
    }
}

/// An order placed by a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    /// Order id.
    pub id: u64,
    /// Order number shown to the shopper.
    pub number: String,
}

/// What to refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundSpec {
    /// Reason shown on the refund.
    pub reason: String,
    /// Everything that is left, line by line (like refunding every line in WP admin).
    pub everything: bool,
    /// Units of product lines to refund: `(order item id, quantity)`, each at the line's price
    /// and tax per unit.
    pub lines: Vec<(u64, i64)>,
    /// An amount on top of the lines (or alone).
    pub amount: Decimal,
    /// Put refunded units back into stock.
    pub restock: bool,
    /// Refund through the payment gateway (none of the store's gateways can, so this fails as
    /// WooCommerce does, using up a refund id).
    pub via_gateway: bool,
}

impl RefundSpec {
    /// Everything that is left, restocked.
    pub fn everything(reason: &str) -> Self {
        RefundSpec {
            reason: reason.to_owned(),
            everything: true,
            lines: Vec::new(),
            amount: Decimal::ZERO,
            restock: true,
            via_gateway: false,
        }
    }

    /// An amount only (no items, nothing restocked).
    pub fn amount(amount: Decimal, reason: &str) -> Self {
        RefundSpec {
            everything: false,
            amount,
            restock: false,
            ..RefundSpec::everything(reason)
        }
    }

    /// Units of order lines, restocked.
    pub fn lines(lines: &[(u64, i64)], reason: &str) -> Self {
        RefundSpec {
            everything: false,
            lines: lines.to_vec(),
            ..RefundSpec::everything(reason)
        }
    }
}

fn address_json(a: &Address, with_email: bool) -> Value {
    let mut value = json!({
        "first_name": a.first_name, "last_name": a.last_name, "company": a.company,
        "address_1": a.address_1, "address_2": a.address_2, "city": a.city, "state": a.state,
        "postcode": a.postcode, "country": a.country, "phone": a.phone,
    });
    if with_email {
        value["email"] = json!(a.email);
    }
    value
}

fn is_empty_address(a: &Address) -> bool {
    a.first_name.is_empty() && a.last_name.is_empty() && a.address_1.is_empty()
}

/// Checks what a cart and checkout page would refuse: items that cannot be bought, and more
/// units than the managed stock holds when backorders are not allowed.
fn check_cart(data: &StoreData, lines: &[(u64, i64)]) -> Result<(), ShopError> {
    let mut needed: Vec<(u64, i64)> = Vec::new();
    for &(item_id, quantity) in lines {
        let item = data
            .products
            .get(&item_id)
            .ok_or(ShopError::UnknownItem(item_id))?;
        let parent_published = !item.is_variation()
            || data
                .products
                .get(&item.parent_id)
                .is_some_and(|p| p.status == "publish");
        let buyable = item.kind != ProductKind::Variable
            && item.kind != ProductKind::Grouped
            && item.status == "publish"
            && parent_published
            && !data.active_price(item).is_empty()
            && quantity > 0;
        if !buyable {
            return Err(ShopError::NotPurchasable(item_id));
        }
        let owner = match data.stock_owner(item) {
            StockOwner::Own if data.settings.manage_stock => Some(item_id),
            StockOwner::Parent(parent) if data.settings.manage_stock => Some(parent),
            _ => None,
        };
        match owner {
            Some(owner) => match needed.iter_mut().find(|(id, _)| *id == owner) {
                Some(entry) => entry.1 += quantity,
                None => needed.push((owner, quantity)),
            },
            None if data.shown_stock_status(item) == "outofstock" => {
                return Err(ShopError::NotPurchasable(item_id));
            }
            None => {}
        }
    }
    for (owner, wanted) in needed {
        let Some(product) = data.products.get(&owner) else {
            continue;
        };
        let available = product.stock_quantity.unwrap_or(0);
        if product.backorders == "no" && wanted > available {
            return Err(ShopError::NotEnoughStock {
                item: owner,
                wanted,
                available,
            });
        }
    }
    Ok(())
}

/// Places an order as WooCommerce's checkout does.
pub(crate) fn place_order(
    data: &mut StoreData,
    checkout: &Checkout,
) -> Result<PlacedOrder, ShopError> {
    check_cart(data, &checkout.lines)?;
    if let Some(code) = &checkout.coupon
        && !data
            .coupons
            .iter()
            .any(|c| c.code.eq_ignore_ascii_case(code.trim()))
    {
        return Err(ShopError::UnknownCoupon(code.clone()));
    }
    let (customer_id, billing, shipping) = match &checkout.buyer {
        Buyer::Customer(id) => {
            let customer = data
                .customers
                .get(id)
                .ok_or(ShopError::UnknownCustomer(*id))?;
            let billing = checkout
                .billing
                .clone()
                .unwrap_or_else(|| customer.billing.clone());
            let shipping = checkout.shipping_address.clone().unwrap_or_else(|| {
                if is_empty_address(&customer.shipping) {
                    billing.clone()
                } else {
                    customer.shipping.clone()
                }
            });
            (*id, billing, shipping)
        }
        Buyer::Guest(address) => {
            let billing = checkout
                .billing
                .clone()
                .unwrap_or_else(|| address.as_ref().clone());
            let shipping = checkout
                .shipping_address
                .clone()
                .unwrap_or_else(|| billing.clone());
            (0, billing, shipping)
        }
    };
    let needs_shipping = checkout
        .lines
        .iter()
        .any(|(id, _)| data.products.get(id).is_some_and(|p| !p.virtual_product));
    let mut shipping = if needs_shipping {
        shipping
    } else {
        Address::default()
    };
    // The checkout has no shipping phone or e-mail field.
    shipping.email.clear();
    if checkout.shipping_address.is_none() {
        shipping.phone.clear();
    }
    let lines: Vec<Value> = checkout
        .lines
        .iter()
        .map(|&(item_id, quantity)| {
            match data.products.get(&item_id).filter(|p| p.is_variation()) {
                Some(v) => json!({"product_id": v.parent_id, "variation_id": item_id, "quantity": quantity}),
                None => json!({"product_id": item_id, "quantity": quantity}),
            }
        })
        .collect();
    let mut body = json!({
        "customer_id": customer_id,
        "payment_method": checkout.payment_method,
        "payment_method_title": checkout.payment_method_title,
        "customer_note": checkout.customer_note,
        "billing": address_json(&billing, true),
        "shipping": address_json(&shipping, false),
        "line_items": lines,
    });
    if let Some(choice) = &checkout.shipping {
        body["shipping_lines"] = json!([{
            "method_id": choice.method_id, "instance_id": choice.instance_id,
            "method_title": choice.method_title, "total": choice.total.to_string(),
        }]);
    }
    if !checkout.fees.is_empty() {
        body["fee_lines"] = Value::Array(
            checkout
                .fees
                .iter()
                .map(|f| {
                    json!({"name": f.name, "total": f.total.to_string(), "tax_class": "",
                           "tax_status": if f.taxable { "taxable" } else { "none" }})
                })
                .collect(),
        );
    }
    if let Some(code) = &checkout.coupon {
        body["coupon_lines"] = json!([{"code": code}]);
    }
    match checkout.status {
        CheckoutStatus::Processing => body["set_paid"] = json!(true),
        CheckoutStatus::OnHold => body["status"] = json!("on-hold"),
        CheckoutStatus::Pending => {}
    }
    let fields = match body {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let id = create_order(data, &fields, Mode::Schema)?;
    let now = data.now();
    let number = match data.orders.get_mut(&id) {
        Some(order) => {
            order.created_via = "checkout".to_owned();
            order.customer_ip_address = "127.0.0.1".to_owned();
            order.customer_user_agent =
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0".to_owned();
            order.cart_hash = cart_hash(&checkout.lines);
            order.number.clone()
        }
        None => id.to_string(),
    };
    // The checkout saves the addresses it was given to the account.
    if let Some(customer) = data.customers.get_mut(&customer_id) {
        customer.billing = billing;
        if needs_shipping {
            customer.shipping = shipping;
        }
        customer.date_modified = Some(now);
    }
    Ok(PlacedOrder { id, number })
}

/// An md5-sized digest of the cart, like the checkout's `cart_hash`.
fn cart_hash(lines: &[(u64, i64)]) -> String {
    let mut hasher = sha2::Sha256::new();
    for (item, quantity) in lines {
        hasher.update(format!("{item}:{quantity};"));
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Changes an order's status as staff do in WP admin (with all of WooCommerce's side effects).
pub(crate) fn set_order_status(
    data: &mut StoreData,
    order_id: u64,
    status: &str,
) -> Result<(), ShopError> {
    let status = status.strip_prefix("wc-").unwrap_or(status);
    if !ORDER_STATUSES.contains(&status) {
        return Err(ShopError::UnknownStatus(status.to_owned()));
    }
    let mut order = data
        .orders
        .remove(&order_id)
        .ok_or(ShopError::UnknownOrder(order_id))?;
    change_status(data, &mut order, status);
    order.date_modified = data.now();
    data.orders.insert(order_id, order);
    Ok(())
}

/// Refunds an order as staff do with "Refund manually" (or through the gateway) in WP admin.
pub(crate) fn refund_order(
    data: &mut StoreData,
    order_id: u64,
    spec: &RefundSpec,
) -> Result<u64, ShopError> {
    let order = data
        .orders
        .get(&order_id)
        .ok_or(ShopError::UnknownOrder(order_id))?;
    let mut args = if spec.everything {
        full_refund_args(order, data.settings.decimals, &spec.reason)
    } else {
        let mut items = Vec::new();
        for &(item_id, qty) in &spec.lines {
            let line = order
                .line_items
                .iter()
                .find(|l| l.id == item_id)
                .ok_or_else(|| ShopError::Refused {
                    code: "invalid_item".to_owned(),
                    message: format!("order {order_id} has no product line {item_id}"),
                })?;
            let share = |amount: Decimal| {
                if line.quantity == 0 {
                    Decimal::ZERO
                } else {
                    round_money(
                        amount / Decimal::from(line.quantity) * Decimal::from(qty),
                        2,
                    )
                }
            };
            items.push(RefundItem {
                item_id,
                qty,
                refund_total: share(line.total),
                refund_tax: line
                    .taxes
                    .iter()
                    .map(|t| (t.rate_id, share(t.total)))
                    .collect(),
            });
        }
        let lines_total: Decimal = items
            .iter()
            .map(|i| i.refund_total + i.refund_tax.iter().map(|(_, t)| *t).sum::<Decimal>())
            .sum();
        RefundArgs {
            amount: lines_total + spec.amount,
            reason: (!spec.reason.is_empty()).then(|| spec.reason.clone()),
            items,
            refund_payment: false,
            restock_items: true,
            meta: Vec::new(),
        }
    };
    args.restock_items = spec.restock;
    args.refund_payment = spec.via_gateway;
    Ok(create_refund(data, order_id, &args)?)
}

/// Sets a stock quantity as an edit in WP admin does: the item starts managing its stock if it
/// did not, its stock status follows, and it (and a variation's parent) is saved.
pub(crate) fn set_stock(
    data: &mut StoreData,
    item_id: u64,
    quantity: i64,
) -> Result<(), ShopError> {
    let item = data
        .products
        .get(&item_id)
        .ok_or(ShopError::UnknownItem(item_id))?;
    if let StockOwner::Parent(parent) = data.stock_owner(item) {
        return Err(ShopError::StockManagedByParent {
            item: item_id,
            parent,
        });
    }
    if !data.settings.manage_stock
        || matches!(item.kind, ProductKind::Grouped | ProductKind::External)
    {
        return Err(ShopError::NoStockManagement(item_id));
    }
    let mut fields = Map::new();
    fields.insert("manage_stock".to_owned(), Value::Bool(true));
    fields.insert("stock_quantity".to_owned(), Value::from(quantity));
    if item.is_variation() {
        let parent = item.parent_id;
        update_variation(data, item_id, parent, &fields, Mode::Batch)?;
    } else {
        update_product(data, item_id, &fields, Mode::Batch)?;
    }
    Ok(())
}

/// Edits an order with a body as `PUT /orders/{id}` takes it.
pub(crate) fn edit_order(
    data: &mut StoreData,
    order_id: u64,
    changes: &Value,
) -> Result<(), ShopError> {
    if !data.orders.contains_key(&order_id) {
        return Err(ShopError::UnknownOrder(order_id));
    }
    let fields = match changes {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    Ok(update_order(data, order_id, &fields, Mode::Schema)?)
}
