//! Batch endpoints: the item limit, per-item errors in request position, processing order,
//! setter coercion instead of schema checks, and SKU uniqueness across products and variations.

mod store_support;

use serde_json::{Value, json};
use store_support::Sim;

const BATCH: &str = "/wp-json/wc/v3/products/batch";

fn stock(sim: &Sim, id: u64) -> Option<i64> {
    sim.store
        .with_data(|d| d.products.get(&id).and_then(|p| p.stock_quantity))
}

#[tokio::test]
async fn too_many_items_are_refused_whole() {
    let sim = Sim::fixtures();
    let mut updates: Vec<Value> = (0..100)
        .map(|_| json!({"id": 1031, "stock_quantity": 50}))
        .collect();
    updates.push(json!({"id": 1033, "stock_quantity": 1}));
    let body = json!({"create": [{"name": "Never", "sku": "NEVER-1"}], "update": updates});
    let reply = sim.oauth("POST", BATCH, &[], Some(&body)).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.code(), "woocommerce_rest_request_entity_too_large");
    assert_eq!(
        reply.message(),
        "Unable to accept more than 100 items for this request."
    );
    assert_eq!(stock(&sim, 1031), Some(0));
    assert_eq!(stock(&sim, 1033), Some(40));
    assert_eq!(sim.store.with_data(|d| d.sku_owner("NEVER-1", 0)), None);

    sim.store.set_batch_limit(2);
    let body = json!({"update": [{"id": 1031, "stock_quantity": 1}], "delete": [1035, 1030]});
    let reply = sim.oauth("POST", BATCH, &[], Some(&body)).await;
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.message(),
        "Unable to accept more than 2 items for this request."
    );
    let body = json!({"update": [{"id": 1031, "stock_quantity": 1}], "delete": [1035]});
    assert_eq!(sim.oauth("POST", BATCH, &[], Some(&body)).await.status, 200);
}

#[tokio::test]
async fn an_empty_batch_is_a_cheap_write_probe() {
    let sim = Sim::fixtures();
    let reply = sim.oauth("POST", BATCH, &[], Some(&json!({}))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text, "[]", "PHP's empty array");
    sim.store.reset_requests();
    let reply = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/products/1036/variations/batch",
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        sim.store
            .requests()
            .get("POST /wc/v3/products/{id}/variations/batch"),
        1
    );
}

#[tokio::test]
async fn items_fail_alone_in_their_position() {
    let sim = Sim::fixtures();
    let body = json!({
        "create": [
            {"name": "Takes the SKU of a variation", "sku": "fx-tshirt-s-red", "regular_price": "1.00"},
            {"name": "No SKU at all", "regular_price": "2.00"},
            {"name": "No SKU either", "regular_price": "3.00"}
        ],
        "update": [
            {"id": 1037, "stock_quantity": 1},
            {"stock_quantity": 1},
            {"id": 1031, "regular_price": 4.5, "manage_stock": "yes", "stock_quantity": "12"}
        ],
        "delete": [0, 1030, 424242]
    });
    let reply = sim.oauth("POST", BATCH, &[], Some(&body)).await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["create"][0]["id"], json!(0));
    assert_eq!(
        body["create"][0]["error"]["code"],
        json!("product_invalid_sku")
    );
    assert_eq!(
        body["create"][0]["error"]["data"],
        json!({"status": 400, "resource_id": 1037, "unique_sku": "fx-tshirt-s-red-1"})
    );
    assert_eq!(
        body["create"][1]["sku"],
        json!(""),
        "empty SKUs never clash"
    );
    assert_eq!(body["create"][2]["sku"], json!(""));
    assert_eq!(
        body["update"][0]["error"]["code"],
        json!("woocommerce_rest_invalid_product_id")
    );
    assert_eq!(body["update"][0]["error"]["data"]["status"], json!(404));
    assert_eq!(body["update"][1]["id"], Value::Null);
    assert_eq!(body["update"][1]["error"]["data"]["status"], json!(400));
    assert_eq!(
        body["update"][2]["regular_price"],
        json!("4.5"),
        "batch items are coerced, not validated"
    );
    assert_eq!(body["update"][2]["stock_quantity"], json!(12));
    let deletes = body["delete"].as_array().cloned().unwrap_or_default();
    assert_eq!(deletes.len(), 2, "id 0 is skipped");
    assert_eq!(deletes[0]["id"], json!(1030));
    assert_eq!(deletes[1]["error"]["data"]["status"], json!(404));
    // The same money as a number in a single request is a schema error.
    let reply = sim
        .oauth(
            "PUT",
            "/wp-json/wc/v3/products/1031",
            &[],
            Some(&json!({"regular_price": 4.5})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "rest_invalid_param");
    assert_eq!(
        reply.json()["data"]["params"]["regular_price"],
        json!("regular_price is not of type string.")
    );
}

#[tokio::test]
async fn creates_run_before_deletes() {
    let sim = Sim::fixtures();
    // The delete of FX-BATCH-DEL runs after the create that wants its SKU.
    let body = json!({
        "create": [{"name": "Successor", "sku": "FX-BATCH-DEL"}],
        "delete": [1035]
    });
    let reply = sim.oauth("POST", BATCH, &[], Some(&body)).await.json();
    assert_eq!(
        reply["create"][0]["error"]["code"],
        json!("product_invalid_sku")
    );
    assert_eq!(reply["delete"][0]["id"], json!(1035));
    let again = sim
        .oauth(
            "POST",
            BATCH,
            &[],
            Some(&json!({"create": [{"name": "Successor", "sku": "FX-BATCH-DEL"}]})),
        )
        .await;
    assert!(again.json()["create"][0]["id"].as_u64().unwrap_or(0) > 0);
}

#[tokio::test]
async fn sku_uniqueness_spans_products_and_variations() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/products/1036/variations",
            &[],
            Some(&json!({"sku": "fx-mug", "regular_price": "1.00"})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["data"]["resource_id"], json!(1029));
    let reply = sim
        .oauth(
            "PUT",
            "/wp-json/wc/v3/products/1030",
            &[],
            Some(&json!({"sku": "FX-TSHIRT-M-BLUE"})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["data"]["resource_id"], json!(1038));
    assert_eq!(
        sim.store
            .with_data(|d| d.products.get(&1030).map(|p| p.sku.clone())),
        Some("FX-GIFT".to_owned()),
        "a failed update changes nothing"
    );
    // Moving a SKU: free it first, then take it.
    let reply = sim
        .oauth(
            "POST",
            BATCH,
            &[],
            Some(&json!({"update": [{"id": 1031, "sku": ""}, {"id": 1032, "sku": "FX-POSTER"}]})),
        )
        .await
        .json();
    assert_eq!(reply["update"][1]["sku"], json!("FX-POSTER"));
}

#[tokio::test]
async fn variation_batches_inject_the_routes_product() {
    let sim = Sim::fixtures();
    let other = sim
        .oauth(
            "POST",
            "/wp-json/wc/v3/products",
            &[],
            Some(&json!({"name": "Other shirt", "type": "variable", "sku": "OTHER"})),
        )
        .await
        .json()["id"]
        .as_u64()
        .unwrap_or_default();
    let body =
        json!({"update": [{"id": 1037, "stock_quantity": 9}, {"id": 1029, "stock_quantity": 1}]});
    let reply = sim
        .oauth(
            "POST",
            &format!("/wp-json/wc/v3/products/{other}/variations/batch"),
            &[],
            Some(&body),
        )
        .await
        .json();
    assert_eq!(reply["update"][0]["parent_id"], json!(other));
    assert_eq!(reply["update"][0]["stock_quantity"], json!(9));
    assert_eq!(
        reply["update"][1]["error"]["code"],
        json!("woocommerce_rest_product_variation_invalid_id")
    );
    let children = sim.store.with_data(|d| d.variation_ids(1036));
    assert_eq!(
        children,
        vec![1038, 1039],
        "WooCommerce moved the variation"
    );
    // A single update checks the parent instead.
    let reply = sim
        .oauth(
            "PUT",
            "/wp-json/wc/v3/products/1036/variations/1037",
            &[],
            Some(&json!({"stock_quantity": 1})),
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.code(), "woocommerce_rest_cannot_edit");
    assert_eq!(
        reply.message(),
        "Parent product does not match current variation."
    );
}
