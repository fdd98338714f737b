//! `POST /products/batch` and `POST /products/{id}/variations/batch`.
//!
//! Creates run first, then updates, then deletes; every item is saved on its own and a failed
//! item becomes `{"id", "error"}` in its position. More items than the limit are refused with
//! 413 before anything happens. With nothing to do the answer is PHP's empty array, `[]`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Action, Reply, RestRequest};
use crate::store::errors::WcError;
use crate::store::fields::{Mode, php_intval};
use crate::store::model::StoreData;
use crate::store::product_write;
use crate::store::render::{product_json, variation_json};

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum BatchItem<T> {
    Done(T),
    Failed { id: Value, error: WcError },
}

#[derive(Debug, Serialize)]
struct BatchResponse<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    create: Option<Vec<BatchItem<T>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update: Option<Vec<BatchItem<T>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete: Option<Vec<BatchItem<T>>>,
}

impl<T: Serialize> BatchResponse<T> {
    fn into_reply(self) -> Reply {
        if self.create.is_none() && self.update.is_none() && self.delete.is_none() {
            return Reply::json(200, &Vec::<Value>::new());
        }
        Reply::json(200, &self)
    }
}

/// The three lists of a batch body (PHP's `array_filter` drops empty ones).
struct Batch {
    create: Vec<Map<String, Value>>,
    update: Vec<(Value, Map<String, Value>)>,
    delete: Vec<u64>,
}

fn list(fields: &Map<String, Value>, key: &str) -> Vec<Value> {
    match fields.get(key) {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(map)) => map.values().cloned().collect(),
        _ => Vec::new(),
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn read_batch(req: &RestRequest) -> Result<Batch, WcError> {
    let create = list(&req.fields, "create");
    let update = list(&req.fields, "update");
    let delete = list(&req.fields, "delete");
    let total = create.len() + update.len() + delete.len();
    if total > req.batch_limit {
        return Err(WcError::new(
            413,
            "woocommerce_rest_request_entity_too_large",
            format!(
                "Unable to accept more than {} items for this request.",
                req.batch_limit
            ),
        ));
    }
    Ok(Batch {
        create: create.into_iter().map(object).collect(),
        update: update
            .into_iter()
            .map(|item| {
                let map = object(item);
                let id = map.get("id").cloned().unwrap_or(Value::Null);
                (id, map)
            })
            .collect(),
        delete: delete
            .iter()
            .map(php_intval)
            .filter(|id| *id > 0)
            .map(i64::unsigned_abs)
            .collect(),
    })
}

fn failed<T>(id: Value, error: WcError) -> BatchItem<T> {
    BatchItem::Failed { id, error }
}

/// `POST /products/batch`.
pub(super) fn products(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    req.require(Action::Batch)?;
    let batch = read_batch(req)?;
    let ctx = req.render_ctx(true);
    let mut response = BatchResponse {
        create: None,
        update: None,
        delete: None,
    };
    if !batch.create.is_empty() {
        let mut results = Vec::new();
        for item in &batch.create {
            results.push(
                match product_write::create_product(data, item, Mode::Batch) {
                    Ok(id) => match data.products.get(&id) {
                        Some(p) => BatchItem::Done(product_json(data, p, &ctx)),
                        None => failed(Value::from(0), WcError::invalid_id("product", 500)),
                    },
                    Err(e) => failed(Value::from(0), e),
                },
            );
        }
        response.create = Some(results);
    }
    if !batch.update.is_empty() {
        let mut results = Vec::new();
        for (raw_id, item) in &batch.update {
            let id = php_intval(raw_id).max(0).unsigned_abs();
            results.push(
                match product_write::update_product(data, id, item, Mode::Batch) {
                    Ok(()) => match data.products.get(&id) {
                        Some(p) => BatchItem::Done(product_json(data, p, &ctx)),
                        None => failed(raw_id.clone(), WcError::invalid_id("product", 400)),
                    },
                    Err(e) => failed(raw_id.clone(), e),
                },
            );
        }
        response.update = Some(results);
    }
    if !batch.delete.is_empty() {
        let mut results = Vec::new();
        for id in &batch.delete {
            let before = data.products.get(id).map(|p| product_json(data, p, &ctx));
            results.push(match product_write::delete_product(data, *id, true) {
                Ok(()) => match before {
                    Some(body) => BatchItem::Done(body),
                    None => failed(Value::from(*id), WcError::invalid_id("product", 404)),
                },
                Err(e) => failed(Value::from(*id), e),
            });
        }
        response.delete = Some(results);
    }
    Ok(response.into_reply())
}

/// `POST /products/{pid}/variations/batch`: the route's product id goes into every item.
pub(super) fn variations(
    req: &RestRequest,
    data: &mut StoreData,
    parent: u64,
) -> Result<Reply, WcError> {
    req.require(Action::Batch)?;
    let batch = read_batch(req)?;
    let ctx = req.render_ctx(true);
    let mut response = BatchResponse {
        create: None,
        update: None,
        delete: None,
    };
    if !batch.create.is_empty() {
        let mut results = Vec::new();
        for item in &batch.create {
            results.push(
                match product_write::create_variation(data, parent, item, Mode::Batch) {
                    Ok(id) => match data.products.get(&id) {
                        Some(v) => BatchItem::Done(variation_json(data, v, &ctx)),
                        None => failed(
                            Value::from(0),
                            WcError::invalid_id("product_variation", 500),
                        ),
                    },
                    Err(e) => failed(Value::from(0), e),
                },
            );
        }
        response.create = Some(results);
    }
    if !batch.update.is_empty() {
        let mut results = Vec::new();
        for (raw_id, item) in &batch.update {
            let id = php_intval(raw_id).max(0).unsigned_abs();
            results.push(
                match product_write::update_variation(data, id, parent, item, Mode::Batch) {
                    Ok(()) => match data.products.get(&id) {
                        Some(v) => BatchItem::Done(variation_json(data, v, &ctx)),
                        None => failed(
                            raw_id.clone(),
                            WcError::invalid_id("product_variation", 400),
                        ),
                    },
                    Err(e) => failed(raw_id.clone(), e),
                },
            );
        }
        response.update = Some(results);
    }
    if !batch.delete.is_empty() {
        let mut results = Vec::new();
        for id in &batch.delete {
            let before = data
                .products
                .get(id)
                .filter(|p| p.is_variation())
                .map(|v| variation_json(data, v, &ctx));
            results.push(match before {
                Some(body) => match product_write::delete_product(data, *id, true) {
                    Ok(()) => BatchItem::Done(body),
                    Err(e) => failed(Value::from(*id), e),
                },
                None => failed(
                    Value::from(*id),
                    WcError::invalid_id("product_variation", 404),
                ),
            });
        }
        response.delete = Some(results);
    }
    Ok(response.into_reply())
}
