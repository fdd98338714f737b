//! Batch writes against the simulated store: split at the store's limit, halved after a 413,
//! every item answered in input order, per-item refusals kept per item.

mod woo_client_support;

use host_sim::store::{KeyPermission, SeedSpec, SimStore, StoreOptions};
use qbm_woocommerce::woo::{Batch, CancelToken, ProductWrite, VariationWrite};
use woo_client_support::{block_on, client};

fn store(spec: SeedSpec) -> SimStore {
    let store = SimStore::start(StoreOptions::default()).expect("store");
    store.seed(&spec);
    store
}

fn stock_of(store: &SimStore, id: u64) -> Option<i64> {
    store.with_data(|d| d.products.get(&id).and_then(|p| p.stock_quantity))
}

#[test]
fn per_item_errors_are_mapped_to_their_inputs() {
    let store = store(SeedSpec::fixtures());
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let batch = Batch {
        create: vec![
            ProductWrite {
                name: Some("Batch new".into()),
                product_type: Some("simple".into()),
                sku: Some("QBM-NEW-1".into()),
                regular_price: Some("3.00".parse().unwrap()),
                manage_stock: Some(true),
                stock_quantity: Some(12),
                ..ProductWrite::default()
            },
            ProductWrite {
                name: Some("Duplicate".into()),
                sku: Some("FX-MUG".into()),
                ..ProductWrite::default()
            },
        ],
        update: vec![
            ProductWrite {
                id: Some(1031),
                manage_stock: Some(true),
                stock_quantity: Some(4),
                ..ProductWrite::default()
            },
            ProductWrite {
                id: Some(999_999),
                stock_quantity: Some(1),
                ..ProductWrite::default()
            },
        ],
        delete: vec![1035, 999_998],
    };
    let out = block_on(client.batch_products(batch, &CancelToken::new())).expect("batch");
    assert!(out.stopped_by.is_none());
    let created = out.create[0].as_ref().expect("created");
    assert_eq!(
        (created.sku.as_str(), created.stock_quantity),
        ("QBM-NEW-1", Some(12))
    );
    let dup = out.create[1].as_ref().unwrap_err();
    assert_eq!(dup.code, "product_invalid_sku");
    assert_eq!(dup.resource_id, Some(1029));
    assert_eq!(
        out.update[0].as_ref().expect("updated").stock_quantity,
        Some(4)
    );
    let unknown = out.update[1].as_ref().unwrap_err();
    assert_eq!((unknown.id, unknown.status), (999_999, Some(400)));
    assert_eq!(out.delete[0].as_ref().expect("deleted").id, 1035);
    assert_eq!(out.delete[1].as_ref().unwrap_err().status, Some(404));
    assert_eq!(out.failures(), 3);
    assert_eq!(stock_of(&store, 1031), Some(4));
    assert!(store.with_data(|d| !d.products.contains_key(&1035)));
    assert_eq!(store.requests().get("POST /wc/v3/products/batch"), 1);
    assert!(
        store
            .request_log()
            .iter()
            .all(|r| !r.path_and_query.contains("_fields"))
    );
}

#[test]
fn large_batches_are_split_at_the_limit() {
    let store = store(SeedSpec {
        products: 300,
        variable_share: 0.0,
        ..SeedSpec::default()
    });
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let ids: Vec<u64> = store.with_data(|d| d.products.keys().copied().take(250).collect());
    let update: Vec<ProductWrite> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| ProductWrite {
            id: Some(*id),
            manage_stock: Some(true),
            stock_quantity: Some(1_000 + i as i64),
            ..ProductWrite::default()
        })
        .collect();
    let out = block_on(client.batch_products(
        Batch {
            update,
            ..Batch::default()
        },
        &CancelToken::new(),
    ))
    .expect("batch");
    assert!(out.all_ok(), "{:?}", out.stopped_by);
    assert_eq!(out.update.len(), 250);
    for (i, (id, r)) in ids.iter().zip(&out.update).enumerate() {
        let p = r.as_ref().expect("updated");
        assert_eq!(p.id, *id, "answers stay in input order");
        assert_eq!(stock_of(&store, *id), Some(1_000 + i as i64));
    }
    assert_eq!(store.requests().get("POST /wc/v3/products/batch"), 3);
}

#[test]
fn a_lower_store_limit_halves_the_batch() {
    let store = store(SeedSpec {
        products: 120,
        variable_share: 0.0,
        ..SeedSpec::default()
    });
    store.set_batch_limit(30);
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let ids: Vec<u64> = store.with_data(|d| d.products.keys().copied().take(100).collect());
    let update: Vec<ProductWrite> = ids
        .iter()
        .map(|id| ProductWrite {
            id: Some(*id),
            manage_stock: Some(true),
            stock_quantity: Some(7),
            ..ProductWrite::default()
        })
        .collect();
    let out = block_on(client.batch_products(
        Batch {
            update,
            ..Batch::default()
        },
        &CancelToken::new(),
    ))
    .expect("batch");
    assert!(out.all_ok(), "{:?}", out.stopped_by);
    assert_eq!(client.batch_limit(), 25);
    assert!(ids.iter().all(|id| stock_of(&store, *id) == Some(7)));
    // 100 and 50 refused, then four requests of 25.
    assert_eq!(store.requests().get("POST /wc/v3/products/batch"), 6);
}

#[test]
fn variation_batches_fill_in_the_parent() {
    let store = store(SeedSpec::fixtures());
    let key = store.create_key(KeyPermission::ReadWrite);
    let client = client(&store.base_url(), &key);
    let update = vec![
        VariationWrite {
            id: Some(1037),
            manage_stock: Some(true),
            stock_quantity: Some(9),
            ..VariationWrite::default()
        },
        VariationWrite {
            id: Some(1039),
            manage_stock: Some(true),
            stock_quantity: Some(2),
            ..VariationWrite::default()
        },
    ];
    let out = block_on(client.batch_variations(
        1036,
        Batch {
            update,
            ..Batch::default()
        },
        &CancelToken::new(),
    ))
    .expect("batch");
    let a = out.update[0].as_ref().expect("updated");
    let b = out.update[1].as_ref().expect("updated");
    assert_eq!((a.id, a.parent_id, a.stock_quantity), (1037, 1036, Some(9)));
    assert_eq!((b.id, b.stock_quantity), (1039, Some(2)));
    // The variation without its own SKU reports the parent's.
    assert_eq!(b.own_sku("FX-TSHIRT"), None);
    assert_eq!(stock_of(&store, 1037), Some(9));
    assert_eq!(
        store
            .requests()
            .get("POST /wc/v3/products/{id}/variations/batch"),
        1
    );
}
