//! Reading the recorded fixture store through the client: the odd but real payload details
//! (empty prices, parent-managed stock, inherited SKUs, deleted products in orders, refunds,
//! float line prices) arrive as the typed models promise.

mod woo_client_support;

use host_sim::store::{KeyPermission, SeedSpec, SimStore, StoreOptions};
use qbm_woocommerce::woo::{CancelToken, CustomerQuery, ManageStock, OrderQuery, WooErrorKind};
use rust_decimal::Decimal;
use woo_client_support::{block_on, client};

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn fixture_client() -> (SimStore, qbm_woocommerce::woo::WooClient) {
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&SeedSpec::fixtures());
    let key = store.create_key(KeyPermission::ReadWrite);
    let c = client(&store.base_url(), &key);
    (store, c)
}

#[test]
fn products_and_variations_keep_their_quirks() {
    let (_store, client) = fixture_client();
    block_on(async {
        let no_price = client.get_product(1032).await.expect("product");
        assert_eq!((no_price.price, no_price.regular_price), (None, None));
        let gift = client.get_product(1030).await.expect("product");
        assert_eq!(
            (gift.manage_stock, gift.stock_quantity),
            (ManageStock::No, None)
        );
        let as_product = client
            .get_product(1037)
            .await
            .expect("variation as product");
        assert!(as_product.is_variation());
        assert_eq!(as_product.parent_id, 1036);

        let vs = client
            .list_all_variations(1036, &CancelToken::new())
            .await
            .expect("variations");
        let blue = vs.records.iter().find(|v| v.id == 1038).expect("1038");
        assert_eq!(blue.manage_stock, ManageStock::Parent);
        let no_sku = vs.records.iter().find(|v| v.id == 1039).expect("1039");
        assert_eq!(no_sku.sku, "FX-TSHIRT");
        assert_eq!(no_sku.own_sku("FX-TSHIRT"), None);

        let by_sku = client
            .products_by_sku(
                &["FX-MUG".to_owned(), "FX-TSHIRT-S-RED".to_owned()],
                &CancelToken::new(),
            )
            .await
            .expect("lookup");
        let mut ids: Vec<u64> = by_sku.records.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![1029, 1037]);

        let err = client.get_product(999_999).await.unwrap_err();
        assert_eq!(err.kind(), WooErrorKind::NotFound);
    });
}

#[test]
fn orders_keep_exact_money_and_their_odd_lines() {
    let (_store, client) = fixture_client();
    block_on(async {
        let o = client.get_order(1040).await.expect("order");
        assert_eq!(o.total, dec("53.92"));
        assert_eq!(o.line_items[0].taxes[0].total, Some(dec("4.275")));
        assert_eq!(o.line_items[1].price, dec("17.91"));
        assert_eq!(o.line_items[0].image.id, 0);
        let deleted = client.get_order(1044).await.expect("order");
        let line = &deleted.line_items[0];
        assert_eq!((line.product_id, line.sku.as_deref()), (0, None));
        assert_eq!(line.price, dec("5"));
        let refunded = client.get_order(1045).await.expect("order");
        assert_eq!(refunded.refunds[0].total, dec("-35.58"));
        let guest = client.get_order(1041).await.expect("order");
        assert_eq!(guest.customer_id, 0);
        assert!(guest.shipping.is_empty());
        assert_eq!(guest.fee_lines[0].amount, None);

        let all = client
            .list_all_orders(OrderQuery::default(), &CancelToken::new())
            .await
            .expect("orders");
        assert!(all.bad_records.is_empty());
        for id in 1040..=1045 {
            assert!(all.records.iter().any(|o| o.id == id), "order {id}");
        }
        let customers = client
            .list_all_customers(CustomerQuery::default(), &CancelToken::new())
            .await
            .expect("customers");
        let ben = customers.records.iter().find(|c| c.id == 5).expect("Ben");
        assert_eq!(ben.billing.phone, "");
        assert_eq!(ben.last_name, "Müller");
    });
}
