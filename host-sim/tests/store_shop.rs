//! Shopper and staff actions through the Rust API: a checkout places orders priced, taxed and
//! stocked like WooCommerce; staff change statuses, refund, set stock and edit orders.

mod store_support;

use chrono::{Duration, TimeZone as _, Utc};
use host_sim::store::model::Address;
use host_sim::store::{Buyer, Checkout, RefundSpec, ShippingChoice, ShopError};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use store_support::{Sim, recording};

const ORDERS: &str = "/wp-json/wc/v3/orders";

fn stock(sim: &Sim, id: u64) -> Option<i64> {
    sim.store
        .with_data(|d| d.products.get(&id).and_then(|p| p.stock_quantity))
}

fn modified(sim: &Sim, id: u64) -> Option<chrono::DateTime<Utc>> {
    sim.store
        .with_data(|d| d.products.get(&id).map(|p| p.date_modified))
}

fn d(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

async fn order(sim: &Sim, id: u64) -> Value {
    let reply = sim.oauth("GET", &format!("{ORDERS}/{id}"), &[], None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn a_checkout_like_order_1040_comes_to_the_recorded_totals() {
    let sim = Sim::fixtures();
    let when = Utc
        .with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(when));
    let placed = sim
        .store
        .place_order(
            &Checkout::new(Buyer::Customer(4))
                .line(1029, 2)
                .line(1037, 1)
                .shipping(ShippingChoice::flat_rate(d("4.90")))
                .coupon("fx10"),
        )
        .expect("placed");
    assert_eq!(placed.number, placed.id.to_string());
    let got = order(&sim, placed.id).await;
    let recorded = recording("GET-orders-registered-coupon-shipping-tax.json")["body"].clone();
    for key in [
        "status",
        "customer_id",
        "discount_total",
        "discount_tax",
        "shipping_total",
        "shipping_tax",
        "cart_tax",
        "total",
        "total_tax",
        "billing",
        "needs_payment",
        "is_editable",
    ] {
        assert_eq!(got[key], recorded[key], "{key}");
    }
    for key in [
        "subtotal",
        "total",
        "total_tax",
        "taxes",
        "price",
        "name",
        "sku",
    ] {
        let pick = |v: &Value| -> Vec<Value> {
            v["line_items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| l[key].clone())
                .collect()
        };
        assert_eq!(pick(&got), pick(&recorded), "lines {key}");
    }
    assert_eq!(got["created_via"], json!("checkout"));
    assert_eq!(got["customer_ip_address"], json!("127.0.0.1"));
    assert_eq!(got["cart_hash"].as_str().map(str::len), Some(32));
    assert_eq!(got["date_paid_gmt"], json!("2026-12-02T10:00:00"));
    assert_eq!(
        got["shipping"]["address_2"],
        json!("Wareneingang"),
        "the account's shipping address"
    );
    assert_eq!(stock(&sim, 1029), Some(21));
    assert_eq!(stock(&sim, 1037), Some(3));
    assert_eq!(
        modified(&sim, 1036),
        Some(when),
        "a variation's sale saves its parent"
    );
    let coupon = sim.store.with_data(|d| d.coupons[0].usage_count);
    assert_eq!(coupon, 2);
    let customer = sim
        .oauth("GET", "/wp-json/wc/v3/customers/4", &[], None)
        .await
        .json();
    assert_eq!(
        customer["date_modified_gmt"],
        json!("2026-12-02T10:00:00"),
        "checkout saves the account"
    );
}

#[tokio::test]
async fn guests_parent_managed_variations_and_unpaid_checkouts() {
    let sim = Sim::fixtures();
    let gerda = Address {
        first_name: "Gerda".into(),
        last_name: "Gast".into(),
        address_1: "Bahnhofstraße 9".into(),
        city: "Köln".into(),
        postcode: "50667".into(),
        country: "DE".into(),
        email: "gerda@example.test".into(),
        phone: "0221 1".into(),
        ..Address::default()
    };
    let pending = sim
        .store
        .place_order(
            &Checkout::new(Buyer::guest(gerda.clone()))
                .line(1033, 3)
                .fee("Geschenkverpackung", d("2.50"))
                .unpaid(),
        )
        .expect("placed");
    let got = order(&sim, pending.id).await;
    assert_eq!(got["status"], json!("pending"));
    assert_eq!(got["customer_id"], json!(0));
    assert_eq!(got["needs_payment"], json!(true));
    assert_eq!(got["billing"]["email"], json!("gerda@example.test"));
    assert_eq!(
        got["shipping"]["city"],
        json!("Köln"),
        "shipped to the billing address"
    );
    assert_eq!(got["shipping"]["phone"], json!(""));
    assert_eq!(got["fee_lines"][0]["total_tax"], json!("0.48"));
    // 23.85 + 2.50 = 26.35, tax 4.5315 + 0.475 = 5.0065 → 5.01.
    assert_eq!(got["total"], json!("31.36"));
    assert_eq!(
        stock(&sim, 1033),
        Some(40),
        "an unpaid order holds no stock"
    );

    let virtual_only = sim
        .store
        .place_order(&Checkout::new(Buyer::guest(gerda)).line(1030, 1))
        .expect("placed");
    let got = order(&sim, virtual_only.id).await;
    assert_eq!(got["status"], json!("processing"));
    assert!(
        got["shipping"]
            .as_object()
            .is_some_and(|s| s.values().all(|v| v == "")),
        "nothing to ship, no shipping address"
    );

    let on_hold = sim
        .store
        .place_order(
            &Checkout::new(Buyer::Customer(5))
                .line(1038, 2)
                .bank_transfer(),
        )
        .expect("placed");
    let got = order(&sim, on_hold.id).await;
    assert_eq!(got["status"], json!("on-hold"));
    assert_eq!(got["date_paid"], Value::Null);
    assert_eq!(got["payment_method"], json!("bacs"));
    assert_eq!(stock(&sim, 1036), Some(6), "M/Blue's stock is its parent's");
    let line = &got["line_items"][0];
    assert_eq!(
        (line["product_id"].clone(), line["variation_id"].clone()),
        (json!(1036), json!(1038))
    );
}

#[tokio::test]
async fn checkouts_refuse_what_the_shop_would_refuse() {
    let sim = Sim::fixtures();
    let anna = || Checkout::new(Buyer::Customer(4));
    assert_eq!(
        sim.store.place_order(&anna().line(1031, 1)),
        Err(ShopError::NotEnoughStock {
            item: 1031,
            wanted: 1,
            available: 0
        })
    );
    assert_eq!(
        sim.store.place_order(&anna().line(1037, 3).line(1037, 2)),
        Err(ShopError::NotEnoughStock {
            item: 1037,
            wanted: 5,
            available: 4
        }),
        "lines of the same item add up"
    );
    assert_eq!(
        sim.store.place_order(&anna().line(1038, 5).line(1036, 0)),
        Err(ShopError::NotPurchasable(1036)),
        "a variable product needs a variation"
    );
    assert_eq!(
        sim.store.place_order(&anna().line(1038, 9)),
        Err(ShopError::NotEnoughStock {
            item: 1036,
            wanted: 9,
            available: 8
        })
    );
    assert_eq!(
        sim.store.place_order(&anna().line(1032, 1)),
        Err(ShopError::NotPurchasable(1032))
    );
    assert_eq!(
        sim.store.place_order(&anna().line(4242, 1)),
        Err(ShopError::UnknownItem(4242))
    );
    assert_eq!(
        sim.store
            .place_order(&Checkout::new(Buyer::Customer(99)).line(1029, 1)),
        Err(ShopError::UnknownCustomer(99))
    );
    assert_eq!(
        sim.store.place_order(&anna().line(1029, 1).coupon("nope")),
        Err(ShopError::UnknownCoupon("nope".into()))
    );
    assert_eq!(
        sim.store.with_data(|d| d.orders.len()),
        6,
        "nothing was placed"
    );
    sim.store.with_data(|d| {
        if let Some(poster) = d.products.get_mut(&1031) {
            poster.backorders = "notify".to_owned();
        }
    });
    let placed = sim
        .store
        .place_order(&anna().line(1031, 2))
        .expect("backorders allowed");
    assert_eq!(stock(&sim, 1031), Some(-2));
    assert_eq!(order(&sim, placed.id).await["status"], json!("processing"));
}

#[tokio::test]
async fn staff_change_statuses_refund_and_edit() {
    let sim = Sim::fixtures();
    let start = Utc
        .with_ymd_and_hms(2026, 12, 3, 8, 0, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(start));
    let placed = sim
        .store
        .place_order(
            &Checkout::new(Buyer::Customer(6))
                .line(1029, 3)
                .line(1037, 1)
                .bank_transfer(),
        )
        .expect("placed");
    assert_eq!((stock(&sim, 1029), stock(&sim, 1037)), (Some(20), Some(3)));

    sim.store
        .with_data(|d| d.clock.advance(Duration::minutes(10)));
    sim.store
        .set_order_status(placed.id, "processing")
        .expect("paid");
    let got = order(&sim, placed.id).await;
    assert_eq!(got["date_paid_gmt"], json!("2026-12-03T08:10:00"));
    assert_eq!(got["date_modified_gmt"], json!("2026-12-03T08:10:00"));
    assert_eq!(stock(&sim, 1029), Some(20), "stock is reduced once");
    assert_eq!(
        sim.store.set_order_status(placed.id, "shipped"),
        Err(ShopError::UnknownStatus("shipped".into()))
    );
    assert_eq!(
        sim.store.set_order_status(1, "cancelled"),
        Err(ShopError::UnknownOrder(1))
    );

    let mug_line = got["line_items"][0]["id"].as_u64().expect("line");
    sim.store
        .with_data(|d| d.clock.advance(Duration::minutes(10)));
    let refund = sim
        .store
        .refund_order(placed.id, &RefundSpec::lines(&[(mug_line, 1)], "Bruch"))
        .expect("refunded");
    let got = order(&sim, placed.id).await;
    assert_eq!(
        got["refunds"],
        json!([{"id": refund, "reason": "Bruch", "total": "-14.88"}])
    );
    assert_eq!(got["status"], json!("processing"));
    assert_eq!(got["date_modified_gmt"], json!("2026-12-03T08:20:00"));
    assert_eq!(stock(&sim, 1029), Some(21));
    let via_gateway = RefundSpec {
        via_gateway: true,
        ..RefundSpec::amount(d("1"), "")
    };
    assert_eq!(
        sim.store.refund_order(placed.id, &via_gateway),
        Err(ShopError::Refused {
            code: "woocommerce_rest_cannot_create_order_refund".into(),
            message: "The payment gateway for this order does not support automatic refunds."
                .into(),
        })
    );

    sim.store
        .edit_order(
            placed.id,
            &json!({"billing": {"phone": "040 1"}, "customer_note": "Bitte klingeln"}),
        )
        .expect("edited");
    let got = order(&sim, placed.id).await;
    assert_eq!(
        (
            got["billing"]["phone"].clone(),
            got["customer_note"].clone()
        ),
        (json!("040 1"), json!("Bitte klingeln"))
    );
    assert!(matches!(
        sim.store.edit_order(placed.id, &json!({"status": "shipped"})),
        Err(ShopError::Refused { code, .. }) if code == "rest_invalid_param"
    ));

    sim.store
        .refund_order(placed.id, &RefundSpec::everything("Storno"))
        .expect("rest");
    let got = order(&sim, placed.id).await;
    assert_eq!(got["status"], json!("refunded"));
    let refunded: Decimal = got["refunds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["total"].as_str()?.parse::<Decimal>().ok())
        .sum();
    assert_eq!(-refunded, d(got["total"].as_str().unwrap_or("0")));
    assert_eq!(
        (stock(&sim, 1029), stock(&sim, 1037)),
        (Some(23), Some(4)),
        "everything restocked"
    );

    let other = sim
        .store
        .place_order(&Checkout::new(Buyer::Customer(6)).line(1029, 1))
        .expect("placed");
    sim.store
        .set_order_status(other.id, "cancelled")
        .expect("cancelled");
    assert_eq!(stock(&sim, 1029), Some(23), "cancelling restores the stock");
}

#[tokio::test]
async fn staff_set_stock_like_an_edit_in_wp_admin() {
    let sim = Sim::fixtures();
    let when = Utc
        .with_ymd_and_hms(2026, 12, 4, 9, 30, 0)
        .single()
        .expect("date");
    sim.store.with_data(|d| d.clock.freeze_at(when));
    sim.store.set_stock(1031, 12).expect("poster");
    let poster = sim
        .oauth("GET", "/wp-json/wc/v3/products/1031", &[], None)
        .await
        .json();
    assert_eq!(poster["stock_quantity"], json!(12));
    assert_eq!(poster["stock_status"], json!("instock"));
    assert_eq!(poster["date_modified_gmt"], json!("2026-12-04T09:30:00"));

    sim.store.set_stock(1029, 0).expect("mug");
    assert_eq!(
        sim.store
            .with_data(|d| d.products.get(&1029).map(|p| p.stock_status.clone())),
        Some("outofstock".to_owned())
    );
    sim.store
        .set_stock(1030, 5)
        .expect("unmanaged gift card starts managing");
    assert_eq!(stock(&sim, 1030), Some(5));

    sim.store.with_data(|d| d.clock.advance(Duration::hours(1)));
    sim.store
        .set_stock(1039, 7)
        .expect("variation with its own stock");
    assert_eq!(stock(&sim, 1039), Some(7));
    assert_eq!(
        modified(&sim, 1036),
        Some(when + Duration::hours(1)),
        "the parent is saved too"
    );
    assert_eq!(
        sim.store.set_stock(1038, 3),
        Err(ShopError::StockManagedByParent {
            item: 1038,
            parent: 1036
        })
    );
    sim.store.set_stock(1036, 30).expect("the parent's pool");
    let variation = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/products/1036/variations/1038",
            &[],
            None,
        )
        .await
        .json();
    assert_eq!(variation["stock_quantity"], json!(30));
    assert_eq!(
        sim.store.set_stock(999, 1),
        Err(ShopError::UnknownItem(999))
    );
    sim.store.set_manage_stock_enabled(false);
    assert_eq!(
        sim.store.set_stock(1029, 1),
        Err(ShopError::NoStockManagement(1029))
    );
}
