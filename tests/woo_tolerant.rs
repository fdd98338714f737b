//! Odd but real payloads decode; broken ones fail with an error that names the record and field.

use std::time::SystemTime;

use qbm_woocommerce::woo::WooErrorKind;
use qbm_woocommerce::woo::decode::{decode_list, decode_record};
use qbm_woocommerce::woo::model::{
    ApiErrorBody, Customer, ManageStock, Order, Product, SystemStatus, Variation, WpIndex,
};
use qbm_woocommerce::woo::response::{RawAnswer, interpret};
use serde_json::json;

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

#[test]
fn odd_product_payloads_decode() {
    let p: Product = decode_record(
        "product",
        json!({
            "id": "1031",
            "sku": 4006381,
            "price": 9.5,
            "regular_price": "",
            "sale_price": null,
            "manage_stock": "parent",
            "stock_quantity": "12",
            "low_stock_amount": "",
            "dimensions": [],
            "variations": null,
            "categories": {"0": {"id": 3, "name": "Cups", "slug": "cups"}},
            "on_sale": "yes",
            "date_modified_gmt": "2026-11-27T17:28:46.000",
            "some_plugin_field": {"nested": [1, 2, 3]},
            "meta_data": [{"id": "5", "key": "ean", "value": 4006381333931u64}]
        }),
        "",
    )
    .expect("tolerated");
    assert_eq!(p.id, 1031);
    assert_eq!(p.sku, "4006381");
    assert_eq!(p.price, Some(dec("9.5")));
    assert_eq!((p.regular_price, p.sale_price), (None, None));
    assert_eq!(p.manage_stock, ManageStock::Parent);
    assert_eq!((p.stock_quantity, p.low_stock_amount), (Some(12), None));
    assert!(p.variations.is_empty());
    assert_eq!(p.categories[0].name, "Cups");
    assert!(p.on_sale);
    assert_eq!(p.meta_text("ean").as_deref(), Some("4006381333931"));
    assert!(p.date_modified_gmt.is_some());
}

#[test]
fn missing_fields_are_defaulted() {
    let v: Variation = decode_record("variation", json!({"id": 7}), "").unwrap();
    assert_eq!(
        (v.id, v.sku.as_str(), v.manage_stock, v.stock_quantity),
        (7, "", ManageStock::No, None)
    );
    let c: Customer = decode_record(
        "customer",
        json!({"id": 1, "billing": [], "shipping": null}),
        "",
    )
    .unwrap();
    assert!(c.billing.is_empty() && c.shipping.is_empty());
}

#[test]
fn odd_order_payloads_decode() {
    let o: Order = decode_record(
        "order",
        json!({
            "id": 12,
            "number": 12,
            "total": "10",
            "discount_total": "",
            "billing": {"email": null, "phone": 4930123},
            "line_items": [
                {"id": 1, "quantity": "2", "price": 4.1, "sku": null, "image": {"id": "", "src": ""}, "taxes": [{"id": 1, "total": "0.779", "subtotal": ""}]},
                {"id": 2, "quantity": 1.5, "price": "3", "image": [], "meta_data": [{"id": 1, "key": "k", "value": {"a": 1}, "display_key": "K", "display_value": 5}]}
            ],
            "refunds": [{"id": 3, "total": "-1.00"}]
        }),
        "",
    )
    .unwrap();
    assert_eq!(o.number, "12");
    assert_eq!((o.total, o.discount_total), (dec("10"), dec("0")));
    assert_eq!(
        (o.billing.email.as_str(), o.billing.phone.as_str()),
        ("", "4930123")
    );
    assert_eq!(o.line_items[0].price, dec("4.1"));
    assert_eq!(o.line_items[0].quantity, dec("2"));
    assert_eq!(o.line_items[0].taxes[0].subtotal, None);
    assert_eq!(o.line_items[1].quantity, dec("1.5"));
    assert_eq!(o.line_items[1].image.id, 0);
    assert_eq!(o.net_total(), dec("9.00"));
}

#[test]
fn odd_index_and_status_payloads_decode() {
    let i: WpIndex = decode_record(
        "REST index",
        json!({"name": "S", "home": "https://s.example", "gmt_offset": "5.5", "timezone_string": "", "namespaces": ["wc/v3"]}),
        "",
    )
    .unwrap();
    assert_eq!(i.gmt_offset, Some(dec("5.5")));
    assert!(i.has_wc_v3());
    let s: SystemStatus = decode_record(
        "system status",
        json!({"environment": {"version": "9.1.0"}, "settings": []}),
        "",
    )
    .unwrap();
    assert_eq!(s.environment.version, "9.1.0");
    assert_eq!(s.settings.currency, "");
    let e: ApiErrorBody =
        serde_json::from_value(json!({"code": "x", "message": "m", "data": 500})).unwrap();
    assert_eq!(e.data.status, Some(500));
    let e: ApiErrorBody = serde_json::from_value(json!({"code": "x", "message": "m"})).unwrap();
    assert_eq!(e.data.status, None);
}

#[test]
fn broken_records_name_themselves() {
    let err = decode_record::<Order>("order", json!({"id": 12, "total": "abc"}), "").unwrap_err();
    assert_eq!(err.kind(), WooErrorKind::Decode);
    let text = err.to_string();
    assert!(text.starts_with("order 12: field `total`:"), "{text}");
    assert!(text.contains("abc"), "{text}");

    let err = decode_record::<Order>(
        "order",
        json!({"id": 12, "line_items": [{"id": 1}, {"id": 2, "price": "x"}]}),
        "",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("order 12: field `line_items[1].price`:"),
        "{err}"
    );

    let err = decode_record::<Product>("product", json!({"id": [1], "sku": "A"}), "#2 on page 4")
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("product #2 on page 4: field `id`:"),
        "{err}"
    );

    let err =
        decode_record::<Product>("product", json!({"id": 5, "manage_stock": "sometimes"}), "")
            .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("product 5: field `manage_stock`:"),
        "{err}"
    );

    let err = decode_record::<Product>(
        "product",
        json!({"id": 5, "date_modified_gmt": "yesterday"}),
        "",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("product 5: field `date_modified_gmt`:"),
        "{err}"
    );
}

#[test]
fn one_bad_record_does_not_lose_or_duplicate_the_others() {
    let items =
        json!([{"id": 1}, {"id": 2, "stock_quantity": {}}, {"id": 3}, "garbage", {"id": 4}]);
    let (good, bad) = decode_list::<Product>("product", items.as_array().unwrap().clone(), 1);
    assert_eq!(good.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 3, 4]);
    assert_eq!(
        bad.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![Some(2), None]
    );
    assert!(bad[1].error.to_string().starts_with("product #4 on page 1"));
}

#[test]
fn truncated_and_non_json_bodies_are_not_api_answers() {
    let answer = |ct: &str, body: &str| RawAnswer {
        status: 200,
        content_type: Some(ct.to_owned()),
        location: None,
        retry_after: None,
        total: None,
        total_pages: None,
        body: body.as_bytes().to_vec(),
    };
    let (_, r) = interpret(
        "GET",
        "GET /wp-json/wc/v3/orders",
        &answer("application/json", r#"[{"id":1,"total":"1"#),
        SystemTime::now(),
    );
    let e = r.unwrap_err();
    assert_eq!(e.kind(), WooErrorKind::BrokenResponse);
    assert!(e.to_string().contains("GET /wp-json/wc/v3/orders"));
    let (_, r) = interpret(
        "GET",
        "GET /x",
        &answer("application/json", "<br />\n<b>Warning</b>: x in y"),
        SystemTime::now(),
    );
    assert_eq!(r.unwrap_err().kind(), WooErrorKind::BrokenResponse);
    let (_, r) = interpret(
        "GET",
        "GET /x",
        &answer("application/json", ""),
        SystemTime::now(),
    );
    assert!(r.unwrap_err().to_string().contains("empty"));
    let (_, r) = interpret(
        "GET",
        "GET /x",
        &answer("text/html", "[]"),
        SystemTime::now(),
    );
    assert_eq!(r.unwrap_err().kind(), WooErrorKind::NotApiResponse);
}
