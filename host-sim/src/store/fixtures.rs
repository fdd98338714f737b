//! The recorded WooCommerce 8.9.1 fixture store (ids 1029–1047), rebuilt through the same write
//! paths the REST handlers use, at the recorded times, so that its answers can be compared with
//! the recordings in `tests/fixtures/woocommerce-8.9.1/`.
//!
//! The state is the one the read recordings show: orders 1040–1045 placed, 1043 cancelled,
//! 1045 refunded, product 1034 deleted, 1035 not yet deleted by the batch, 1048/1049 not yet
//! created.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::customer_write::create_customer;
use super::fields::Mode;
use super::model::{Coupon, StoreData, StoreSettings};
use super::order_write::{change_status, create_order};
use super::product_write::{create_product, create_variation, delete_product};
use super::refund_write::{create_refund, refund_args_from_request};

fn at(seconds: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, 11, 27)
        .and_then(|d| d.and_hms_opt(17, 28, seconds))
        .map_or_else(Utc::now, |t| t.and_utc())
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The fixture store with the recorded store's settings (EUR, Europe/Berlin, 19 % tax).
pub fn fixture_catalog() -> StoreData {
    let mut settings = StoreSettings::new("EUR", chrono_tz::Europe::Berlin);
    settings.store_name = "Acceptance Store".to_owned();
    fixture_catalog_with(settings)
}

/// The fixture store with the given settings.
pub fn fixture_catalog_with(settings: StoreSettings) -> StoreData {
    let mut data = StoreData::new(settings);
    build(&mut data).expect("the built-in fixture data is valid");
    data.clock.reset();
    data
}

fn build(data: &mut StoreData) -> Result<(), super::errors::WcError> {
    data.coupons.push(Coupon {
        id: 1028,
        code: "fx10".to_owned(),
        discount_type: "percent".to_owned(),
        amount: Decimal::from(10),
        usage_count: 0,
        used_by: Vec::new(),
    });
    if let Some(size) = data.attributes.iter_mut().find(|a| a.id == 1) {
        size.terms = vec![
            ("S".to_owned(), "s".to_owned()),
            ("M".to_owned(), "m".to_owned()),
            ("L".to_owned(), "l".to_owned()),
        ];
    }
    data.next_post_id = 1029;
    data.next_user_id = 4;
    data.next_item_id = 5;
    data.next_meta_id = 61;

    data.clock.freeze_at(at(38));
    let simple = [
        json!({"name": "FX Kaffeebecher", "type": "simple", "status": "publish", "sku": "FX-MUG",
               "regular_price": "12.50", "manage_stock": true, "stock_quantity": 25,
               "short_description": "Steingut, 300 ml", "weight": "0.35",
               "dimensions": {"length": "12", "width": "9", "height": "10"}}),
        json!({"name": "FX Geschenkgutschein", "type": "simple", "status": "publish", "sku": "FX-GIFT",
               "regular_price": "25.00", "manage_stock": false, "stock_status": "instock", "virtual": true}),
        json!({"name": "FX Poster", "type": "simple", "status": "publish", "sku": "FX-POSTER",
               "regular_price": "9.90", "manage_stock": true, "stock_quantity": 0}),
        json!({"name": "FX Muster ohne Preis", "type": "simple", "status": "publish", "sku": "FX-NOPRICE",
               "regular_price": "", "manage_stock": true, "stock_quantity": 3}),
        json!({"name": "FX Notizbuch A5", "type": "simple", "status": "publish", "sku": "FX-NOTEBOOK",
               "regular_price": "7.95", "manage_stock": true, "stock_quantity": 40,
               "meta_data": [{"key": "ean", "value": "4006381333931"}]}),
        json!({"name": "FX Auslaufartikel", "type": "simple", "status": "publish", "sku": "FX-DELETEME",
               "regular_price": "5.00", "manage_stock": true, "stock_quantity": 10}),
        json!({"name": "FX Batch-Loeschkandidat", "type": "simple", "status": "publish",
               "sku": "FX-BATCH-DEL", "regular_price": "1.00"}),
    ];
    for body in simple {
        create_product(data, &object(body), Mode::Schema)?;
    }

    data.clock.freeze_at(at(39));
    let shirt = create_product(
        data,
        &object(json!({
            "name": "FX T-Shirt", "type": "variable", "status": "publish", "sku": "FX-TSHIRT",
            "manage_stock": true, "stock_quantity": 10,
            "attributes": [
                {"id": 1, "position": 0, "visible": true, "variation": true, "options": ["S", "M", "L"]},
                {"name": "Color", "position": 1, "visible": true, "variation": true, "options": ["Red", "Blue"]}
            ],
            "default_attributes": [{"id": 1, "option": "M"}, {"name": "Color", "option": "Blue"}]
        })),
        Mode::Schema,
    )?;
    let variations = [
        (
            json!({"sku": "FX-TSHIRT-S-RED", "regular_price": "19.90", "manage_stock": true, "stock_quantity": 5,
                   "attributes": [{"id": 1, "option": "S"}, {"name": "Color", "option": "Red"}]}),
            Mode::Schema,
        ),
        (
            json!({"sku": "FX-TSHIRT-M-BLUE", "regular_price": "19.90", "sale_price": "17.90", "manage_stock": false,
                   "attributes": [{"id": 1, "option": "M"}, {"name": "Color", "option": "Blue"}]}),
            Mode::Batch,
        ),
        (
            json!({"regular_price": "21.90", "manage_stock": true, "stock_quantity": 3,
                   "attributes": [{"id": 1, "option": "L"}, {"name": "Color", "option": "Red"}]}),
            Mode::Batch,
        ),
    ];
    for (body, mode) in variations {
        create_variation(data, shirt, &object(body), mode)?;
    }

    data.clock.freeze_at(at(43));
    let anna = json!({
        "email": "anna.schmidt@example.test", "first_name": "Anna", "last_name": "Schmidt",
        "billing": {"first_name": "Anna", "last_name": "Schmidt", "company": "Schmidt & Söhne GmbH",
                    "address_1": "Friedrichstraße 123", "address_2": "3. OG", "city": "Berlin", "state": "",
                    "postcode": "10117", "country": "DE",
                    "email": "buchhaltung@schmidt-soehne.example.test", "phone": "+49 30 1234567"},
        "shipping": {"first_name": "Anna", "last_name": "Schmidt", "company": "Schmidt & Söhne GmbH",
                     "address_1": "Friedrichstraße 123", "address_2": "Wareneingang", "city": "Berlin",
                     "state": "", "postcode": "10117", "country": "DE"}
    });
    let ben = json!({
        "email": "ben.mueller@example.test", "first_name": "Ben", "last_name": "Müller", "username": "ben.mueller",
        "billing": {"first_name": "Ben", "last_name": "Müller", "company": "", "address_1": "Hauptstraße 5",
                    "address_2": "", "city": "München", "state": "BY", "postcode": "80331", "country": "DE",
                    "email": "ben.mueller@example.test"},
        "shipping": {"first_name": "Ben", "last_name": "Müller", "company": "", "address_1": "Lindwurmstraße 77",
                     "address_2": "c/o Packstation 101", "city": "München", "state": "BY", "postcode": "80337",
                     "country": "DE"}
    });
    let clara = json!({
        "email": "clara.weber@example.test", "first_name": "Clara", "last_name": "Weber",
        "billing": {"first_name": "Clara", "last_name": "Weber", "company": "", "address_1": "Am Markt 1",
                    "address_2": "", "city": "Hamburg", "state": "HH", "postcode": "20095", "country": "DE",
                    "email": "clara.weber@example.test", "phone": "040 987654"},
        "shipping": {"first_name": "Clara", "last_name": "Weber", "company": "", "address_1": "Am Markt 1",
                     "address_2": "", "city": "Hamburg", "state": "HH", "postcode": "20095", "country": "DE"}
    });
    create_customer(data, &object(anna.clone()), Mode::Schema)?;
    create_customer(data, &object(ben.clone()), Mode::Schema)?;
    data.clock.freeze_at(at(44));
    create_customer(data, &object(clara.clone()), Mode::Schema)?;

    let flat_rate = json!([{"method_id": "flat_rate", "instance_id": "1",
                            "method_title": "Versand (Pauschal)", "total": "4.90"}]);
    let bacs = |customer: u64, address: &Value, status: Option<&str>, paid: bool, lines: Value| {
        let mut order = json!({
            "customer_id": customer, "payment_method": "bacs", "payment_method_title": "Direct bank transfer",
            "billing": address["billing"], "shipping": address["shipping"],
            "line_items": lines, "shipping_lines": flat_rate
        });
        if let Some(status) = status {
            order["status"] = json!(status);
        }
        if paid {
            order["set_paid"] = json!(true);
        }
        order
    };

    data.clock.freeze_at(at(46));
    let mut first = bacs(
        4,
        &anna,
        None,
        true,
        json!([{"product_id": 1029, "quantity": 2}, {"product_id": 1036, "variation_id": 1037, "quantity": 1}]),
    );
    first["customer_note"] = json!("Bitte beim Empfang abgeben.");
    first["coupon_lines"] = json!([{"code": "fx10"}]);
    let guest = json!({
        "customer_id": 0, "payment_method": "cod", "payment_method_title": "Cash on delivery",
        "billing": {"first_name": "Gerda", "last_name": "Gast", "company": "", "address_1": "Bahnhofstraße 9",
                    "address_2": "", "city": "Köln", "state": "NW", "postcode": "50667", "country": "DE",
                    "email": "gerda.gast@example.test", "phone": "0221 55555"},
        "line_items": [{"product_id": 1030, "quantity": 1}],
        "fee_lines": [{"name": "Geschenkverpackung", "total": "2.50", "tax_status": "taxable", "tax_class": ""}]
    });
    let on_hold = bacs(
        5,
        &ben,
        Some("on-hold"),
        false,
        json!([{"product_id": 1036, "variation_id": 1038, "quantity": 2}]),
    );
    let later_cancelled = bacs(
        6,
        &clara,
        Some("processing"),
        false,
        json!([{"product_id": 1029, "quantity": 1}, {"product_id": 1036, "variation_id": 1039, "quantity": 1}]),
    );
    let keys = [
        "wc_order_4nWjCi6ajLfO4",
        "wc_order_GjV7hvLAZsMHQ",
        "wc_order_KrbD4G7Blq1cC",
        "wc_order_y1DSJDWqbJcjK",
        "wc_order_Cto6dhvc14n3k",
        "wc_order_1li7WliLwIixI",
    ];
    let mut created = Vec::new();
    for body in [first, guest, on_hold, later_cancelled] {
        created.push(create_order(data, &object(body), Mode::Schema)?);
    }
    data.clock.freeze_at(at(47));
    let deleted_product = bacs(
        4,
        &anna,
        Some("completed"),
        false,
        json!([{"product_id": 1034, "quantity": 3}]),
    );
    let refunded = bacs(
        6,
        &clara,
        None,
        true,
        json!([{"product_id": 1029, "quantity": 2}]),
    );
    for body in [deleted_product, refunded] {
        created.push(create_order(data, &object(body), Mode::Schema)?);
    }
    for (id, key) in created.iter().zip(keys) {
        if let Some(order) = data.orders.get_mut(id) {
            order.order_key = key.to_owned();
        }
    }
    delete_product(data, 1034, true)?;

    data.clock.freeze_at(at(52));
    if let Some(mut order) = data.orders.remove(&1043) {
        change_status(data, &mut order, "cancelled");
        order.date_modified = data.now();
        data.orders.insert(1043, order);
    }
    data.clock.freeze_at(at(53));
    let (line, shipping) = data
        .orders
        .get(&1045)
        .map(|o| (o.line_items[0].id, o.shipping_lines[0].id))
        .unwrap_or_default();
    let mut refund = json!({
        "amount": "35.58", "reason": "Kunde hat die Ware zurückgeschickt",
        "line_items": [
            {"id": line, "quantity": 2, "refund_total": "25.00",
             "refund_tax": [{"id": 1, "refund_total": "4.75"}]},
            {"id": shipping, "refund_total": "4.90", "refund_tax": [{"id": 1, "refund_total": "0.931"}]}
        ]
    });
    // The first attempt left api_refund at its default: bank transfer cannot refund, and the
    // refund's id 1046 stayed used up. The manual refund that followed is 1047.
    let refused = create_refund(
        data,
        1045,
        &refund_args_from_request(&object(refund.clone()))?,
    );
    debug_assert!(refused.is_err());
    refund["api_refund"] = json!(false);
    refund["api_restock"] = json!(true);
    create_refund(data, 1045, &refund_args_from_request(&object(refund))?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_store_has_the_recorded_state() {
        let data = fixture_catalog();
        let stock = |id: u64| data.products.get(&id).and_then(|p| p.stock_quantity);
        assert_eq!(stock(1029), Some(23));
        assert_eq!(stock(1031), Some(0));
        assert_eq!(stock(1036), Some(8));
        assert_eq!(stock(1037), Some(4));
        assert_eq!(stock(1039), Some(3));
        assert!(!data.products.contains_key(&1034));
        assert_eq!(data.variation_ids(1036), vec![1037, 1038, 1039]);
        let statuses: Vec<(u64, &str)> = data
            .orders
            .values()
            .map(|o| (o.id, o.status.as_str()))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (1040, "processing"),
                (1041, "pending"),
                (1042, "on-hold"),
                (1043, "cancelled"),
                (1044, "completed"),
                (1045, "refunded"),
            ]
        );
        assert_eq!(data.next_post_id, 1048);
        assert_eq!(data.products.get(&1029).map(|p| p.total_sales), Some(4));
        assert_eq!(data.products.get(&1036).map(|p| p.total_sales), Some(3));
    }
}
