//! Batch create/update/delete, split at the store's limit, with results item by item.

use std::ops::Range;
use std::sync::atomic::Ordering;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cancel::CancelToken;
use super::client::{Call, WooClient};
use super::decode::{decode_record, raw_id};
use super::error::{WooError, WooErrorKind, clean_store_text_with};
use super::model::batch::{
    BatchOutcome, ITEM_NO_ANSWER, ITEM_NOT_SENT, ITEM_OUTCOME_UNKNOWN, ITEM_UNREADABLE, ItemError,
};
use super::model::error::ApiErrorBody;
use super::model::{Product, ProductWrite, Variation, VariationWrite};
use crate::secret::Redactor;
use futures_util::StreamExt;

pub use super::model::batch::ITEM_REQUEST_REFUSED;

/// The input of a batch call.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<T> {
    /// Records to create.
    pub create: Vec<T>,
    /// Records to update (each with its `id`).
    pub update: Vec<T>,
    /// Ids to delete (permanently: the store forces `force=true` in batches).
    pub delete: Vec<u64>,
}

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Batch {
            create: Vec::new(),
            update: Vec::new(),
            delete: Vec::new(),
        }
    }
}

impl<T> Batch<T> {
    /// Total number of items.
    pub fn len(&self) -> usize {
        self.create.len() + self.update.len() + self.delete.len()
    }

    /// True when there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The slice of each section that one request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Indexes into `create`.
    pub create: Range<usize>,
    /// Indexes into `update`.
    pub update: Range<usize>,
    /// Indexes into `delete`.
    pub delete: Range<usize>,
}

impl Chunk {
    /// Items in the chunk.
    pub fn len(&self) -> usize {
        self.create.len() + self.update.len() + self.delete.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The next request of a batch: up to `limit` items starting at `start` (the items already
/// handled per section), filling creates first, then updates, then deletes — the order in
/// which the store processes them.
pub fn next_chunk(
    start: (usize, usize, usize),
    lens: (usize, usize, usize),
    limit: usize,
) -> Chunk {
    let mut room = limit.max(1);
    let mut take = |from: usize, len: usize| {
        let n = len.saturating_sub(from).min(room);
        room -= n;
        from..from + n
    };
    let create = take(start.0, lens.0);
    let update = take(start.1, lens.1);
    let delete = take(start.2, lens.2);
    Chunk {
        create,
        update,
        delete,
    }
}

/// All requests of a batch at a fixed limit (what [`next_chunk`] produces in a row).
pub fn plan_chunks(lens: (usize, usize, usize), limit: usize) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut pos = (0, 0, 0);
    loop {
        let chunk = next_chunk(pos, lens, limit);
        if chunk.is_empty() {
            return out;
        }
        pos = (chunk.create.end, chunk.update.end, chunk.delete.end);
        out.push(chunk);
    }
}

#[derive(Serialize)]
struct Body<'a, T: Serialize> {
    #[serde(skip_serializing_if = "<[T]>::is_empty")]
    create: &'a [T],
    #[serde(skip_serializing_if = "<[T]>::is_empty")]
    update: &'a [T],
    #[serde(skip_serializing_if = "<[u64]>::is_empty")]
    delete: &'a [u64],
}

/// Turns one section of a batch answer into per-item results, matched to the inputs by
/// position. Missing answers become [`ITEM_NO_ANSWER`].
pub fn decode_section<T: DeserializeOwned>(
    kind: &str,
    section: Option<&serde_json::Value>,
    expected: usize,
) -> Vec<Result<T, ItemError>> {
    decode_section_with(kind, section, expected, &Redactor::none())
}

/// [`decode_section`], removing the credentials from the store's per-item messages.
pub fn decode_section_with<T: DeserializeOwned>(
    kind: &str,
    section: Option<&serde_json::Value>,
    expected: usize,
    redactor: &Redactor,
) -> Vec<Result<T, ItemError>> {
    let items: &[serde_json::Value] = section
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    (0..expected)
        .map(|i| match items.get(i) {
            None => Err(ItemError::client(
                ITEM_NO_ANSWER,
                "the store's answer did not include this item; it may or may not have been applied",
            )),
            Some(item) => decode_item(kind, item, i, redactor),
        })
        .collect()
}

fn decode_item<T: DeserializeOwned>(
    kind: &str,
    item: &serde_json::Value,
    index: usize,
    redactor: &Redactor,
) -> Result<T, ItemError> {
    if let Some(err) = item.get("error").filter(|e| e.is_object()) {
        let body = ApiErrorBody::from_value(err).unwrap_or_default();
        return Err(ItemError {
            id: raw_id(item).unwrap_or(0),
            code: redactor.redact(&body.code),
            message: clean_store_text_with(&body.message, redactor),
            status: body.data.status,
            resource_id: body.data.resource_id,
            unique_sku: body.data.unique_sku,
        });
    }
    decode_record::<T>(
        kind,
        item.clone(),
        &format!("#{} of the batch answer", index + 1),
    )
    .map_err(|e| ItemError {
        id: raw_id(item).unwrap_or(0),
        ..ItemError::client(ITEM_UNREADABLE, e.to_string())
    })
}

/// Errors after which the items of the failed request were certainly not applied.
fn nothing_applied(e: &WooError) -> bool {
    !matches!(
        e.kind(),
        WooErrorKind::OutcomeUnknown
            | WooErrorKind::ConnectionLost
            | WooErrorKind::Timeout
            | WooErrorKind::StoreDown
            | WooErrorKind::BrokenResponse
    )
}

/// How one request of a batch ended.
enum ChunkEnd {
    /// The store answered; its per-item results are in the reply.
    Answered(serde_json::Value),
    /// Not sent: the caller cancelled, or an earlier request failed.
    NotSent,
    /// The request failed as a whole.
    Failed(WooError),
    /// An answer that is not a batch answer (e.g. a list, after a redirect turned the write
    /// into a read): what the store did is unknown.
    Garbled(WooError),
}

/// Per-item results being collected, by section and input position.
struct Slots<T> {
    create: Vec<Option<Result<T, ItemError>>>,
    update: Vec<Option<Result<T, ItemError>>>,
    delete: Vec<Option<Result<T, ItemError>>>,
}

impl<T> Slots<T> {
    fn new(lens: (usize, usize, usize)) -> Self {
        let none = |n: usize| (0..n).map(|_| None).collect();
        Slots {
            create: none(lens.0),
            update: none(lens.1),
            delete: none(lens.2),
        }
    }

    fn fill(&mut self, chunk: &Chunk, mut item: impl FnMut(usize) -> Vec<Result<T, ItemError>>) {
        for (section, range, slots) in [
            (0, &chunk.create, &mut self.create),
            (1, &chunk.update, &mut self.update),
            (2, &chunk.delete, &mut self.delete),
        ] {
            for (slot, result) in slots[range.clone()].iter_mut().zip(item(section)) {
                *slot = Some(result);
            }
        }
    }

    fn mark(&mut self, chunk: &Chunk, code: &str, message: &str) {
        self.fill(chunk, |section| {
            let n = [&chunk.create, &chunk.update, &chunk.delete][section].len();
            (0..n)
                .map(|_| Err(ItemError::client(code, message)))
                .collect()
        });
    }

    fn into_outcome(self, stopped_by: Option<WooError>) -> BatchOutcome<T> {
        // Every slot is filled by then; an empty one would be a bug, reported as unknown
        // rather than as success.
        let done = |v: Vec<Option<Result<T, ItemError>>>| -> Vec<Result<T, ItemError>> {
            v.into_iter()
                .map(|r| {
                    r.unwrap_or_else(|| {
                        Err(ItemError::client(
                            ITEM_OUTCOME_UNKNOWN,
                            "the client lost track of this item; re-read it",
                        ))
                    })
                })
                .collect()
        };
        BatchOutcome {
            create: done(self.create),
            update: done(self.update),
            delete: done(self.delete),
            stopped_by,
        }
    }
}

impl WooClient {
    /// Creates, updates and deletes products in batches of at most the store's limit.
    ///
    /// Every input item gets a result in [`BatchOutcome`], in input order, and
    /// [`ItemError::state`] tells applied / refused by the store / not sent / outcome unknown
    /// apart. Per-item refusals (duplicate SKU, unknown id) are item errors, not a failure of
    /// the call. The first request goes alone; the rest are sent several at once. The call
    /// fails as a whole only when nothing can have been applied (bad key, read-only key,
    /// cancelled before sending, …); a failure after that stops the requests not yet sent and
    /// is reported in [`BatchOutcome::stopped_by`], with the affected items marked.
    pub async fn batch_products(
        &self,
        batch: Batch<ProductWrite>,
        cancel: &CancelToken,
    ) -> Result<BatchOutcome<Product>, WooError> {
        self.run_batch(
            "product",
            "products/batch".into(),
            "products/batch",
            batch,
            cancel,
        )
        .await
    }

    /// Like [`batch_products`](Self::batch_products) for the variations of `parent_id`.
    pub async fn batch_variations(
        &self,
        parent_id: u64,
        batch: Batch<VariationWrite>,
        cancel: &CancelToken,
    ) -> Result<BatchOutcome<Variation>, WooError> {
        let mut outcome: BatchOutcome<Variation> = self
            .run_batch(
                "variation",
                format!("products/{parent_id}/variations/batch"),
                "products/{id}/variations/batch",
                batch,
                cancel,
            )
            .await?;
        for v in outcome
            .create
            .iter_mut()
            .chain(outcome.update.iter_mut())
            .chain(outcome.delete.iter_mut())
            .flatten()
        {
            if v.parent_id == 0 {
                v.parent_id = parent_id;
            }
        }
        Ok(outcome)
    }

    /// Variation batches of several parents, several parents at once (within the client's
    /// limit). One result per input, in input order, each as
    /// [`batch_variations`](Self::batch_variations) returns it.
    pub async fn batch_variations_of_parents(
        &self,
        batches: Vec<(u64, Batch<VariationWrite>)>,
        cancel: &CancelToken,
    ) -> Vec<(u64, Result<BatchOutcome<Variation>, WooError>)> {
        futures_util::stream::iter(batches)
            .map(|(parent_id, batch)| async move {
                (
                    parent_id,
                    self.batch_variations(parent_id, batch, cancel).await,
                )
            })
            .buffered(self.inner.limiter.ceiling())
            .collect()
            .await
    }

    async fn send_chunk<W: Serialize>(
        &self,
        route: &str,
        template: &str,
        batch: &Batch<W>,
        chunk: &Chunk,
        cancel: &CancelToken,
        stop: &CancelToken,
    ) -> ChunkEnd {
        let body = Body {
            create: &batch.create[chunk.create.clone()],
            update: &batch.update[chunk.update.clone()],
            delete: &batch.delete[chunk.delete.clone()],
        };
        let bytes = match serde_json::to_vec(&body) {
            Ok(b) => b,
            Err(e) => {
                return ChunkEnd::Failed(WooError::config(format!(
                    "a batch item could not be encoded: {e}"
                )));
            }
        };
        let call = Call::api(Method::POST, route, template).json_body(bytes);
        match self.execute_unless_stopped(&call, cancel, stop).await {
            Ok(reply) => {
                if !reply.json.is_object() && !reply.json.as_array().is_some_and(Vec::is_empty) {
                    return ChunkEnd::Garbled(WooError::unexpected(
                        call.name(),
                        "a batch answer must be an object with create/update/delete lists",
                    ));
                }
                ChunkEnd::Answered(reply.json)
            }
            Err(e) if e.kind() == WooErrorKind::Cancelled => ChunkEnd::NotSent,
            Err(e) => ChunkEnd::Failed(e),
        }
    }

    /// Sends one chunk; a chunk the store refuses as too large is split in halves (lowering
    /// the client's batch size for everything after) until it passes or is one item.
    async fn send_splitting<W: Serialize>(
        &self,
        route: &str,
        template: &str,
        batch: &Batch<W>,
        chunk: Chunk,
        cancel: &CancelToken,
        stop: &CancelToken,
    ) -> Vec<(Chunk, ChunkEnd)> {
        let mut queue = vec![chunk];
        let mut done = Vec::new();
        while let Some(chunk) = queue.pop() {
            match self
                .send_chunk(route, template, batch, &chunk, cancel, stop)
                .await
            {
                ChunkEnd::Failed(e)
                    if e.kind() == WooErrorKind::BatchTooLarge && chunk.len() > 1 =>
                {
                    let smaller = (chunk.len() / 2).max(1);
                    tracing::warn!(route = %format!("/wp-json/wc/v3/{route}"), from = chunk.len(), to = smaller, "the store refused the batch size; halving it");
                    self.inner.batch_limit.fetch_min(smaller, Ordering::SeqCst);
                    let start = (chunk.create.start, chunk.update.start, chunk.delete.start);
                    let end = end_of(&chunk);
                    let lens = (end.0, end.1, end.2);
                    let first = next_chunk(start, lens, smaller);
                    let second = Chunk {
                        create: first.create.end..end.0,
                        update: first.update.end..end.1,
                        delete: first.delete.end..end.2,
                    };
                    // Popped from the end: the first half goes first.
                    queue.push(second);
                    queue.push(first);
                }
                end @ (ChunkEnd::Failed(_) | ChunkEnd::Garbled(_)) => {
                    stop.cancel();
                    done.push((chunk, end));
                }
                end => done.push((chunk, end)),
            }
        }
        done
    }

    async fn run_batch<W: Serialize + Sync, T: DeserializeOwned>(
        &self,
        kind: &str,
        route: String,
        template: &str,
        batch: Batch<W>,
        cancel: &CancelToken,
    ) -> Result<BatchOutcome<T>, WooError> {
        let lens = (batch.create.len(), batch.update.len(), batch.delete.len());
        let mut slots: Slots<T> = Slots::new(lens);
        let stop = CancelToken::new();
        let fill = |slots: &mut Slots<T>, chunk: &Chunk, json: &serde_json::Value| {
            let sections = ["create", "update", "delete"];
            let lens = [chunk.create.len(), chunk.update.len(), chunk.delete.len()];
            slots.fill(chunk, |section| {
                decode_section_with(
                    kind,
                    json.get(sections[section]),
                    lens[section],
                    &self.inner.redactor,
                )
                .into_iter()
                .map(|r| {
                    r.map_err(|mut e| {
                        e.message = self.scrub_text(&e.message);
                        e
                    })
                })
                .collect()
            });
        };

        // The first request alone: it finds the store's batch size and proves the key may
        // write before anything else is sent.
        let mut pos = (0usize, 0usize, 0usize);
        loop {
            let chunk = next_chunk(pos, lens, self.batch_limit());
            if chunk.is_empty() {
                return Ok(slots.into_outcome(None));
            }
            if cancel.is_cancelled() {
                return Err(WooError::cancelled());
            }
            match self
                .send_chunk(&route, template, &batch, &chunk, cancel, &stop)
                .await
            {
                ChunkEnd::Answered(json) => {
                    fill(&mut slots, &chunk, &json);
                    pos = end_of(&chunk);
                    break;
                }
                ChunkEnd::NotSent => return Err(WooError::cancelled()),
                ChunkEnd::Failed(e)
                    if e.kind() == WooErrorKind::BatchTooLarge && chunk.len() > 1 =>
                {
                    let smaller = (chunk.len() / 2).max(1);
                    tracing::warn!(route = %format!("/wp-json/wc/v3/{route}"), from = chunk.len(), to = smaller, "the store refused the batch size; halving it");
                    self.inner.batch_limit.fetch_min(smaller, Ordering::SeqCst);
                }
                ChunkEnd::Failed(e) if nothing_applied(&e) => return Err(e),
                ChunkEnd::Failed(e) | ChunkEnd::Garbled(e) => {
                    slots.mark(&chunk, ITEM_OUTCOME_UNKNOWN, &e.to_string());
                    slots.mark(
                        &rest_of(end_of(&chunk), lens),
                        ITEM_NOT_SENT,
                        "not sent after an earlier request failed",
                    );
                    return Ok(slots.into_outcome(Some(e)));
                }
            }
        }

        // The rest, several requests at once.
        let mut chunks = Vec::new();
        loop {
            let chunk = next_chunk(pos, lens, self.batch_limit());
            if chunk.is_empty() {
                break;
            }
            pos = end_of(&chunk);
            chunks.push(chunk);
        }
        let ends: Vec<Vec<(Chunk, ChunkEnd)>> = futures_util::stream::iter(chunks)
            .map(|chunk| self.send_splitting(&route, template, &batch, chunk, cancel, &stop))
            .buffered(self.inner.limiter.ceiling())
            .collect()
            .await;
        let mut stopped_by = None;
        for (chunk, end) in ends.into_iter().flatten() {
            match end {
                ChunkEnd::Answered(json) => fill(&mut slots, &chunk, &json),
                ChunkEnd::NotSent => {
                    let why = if cancel.is_cancelled() {
                        "cancelled before this item was sent"
                    } else {
                        "not sent after an earlier request failed"
                    };
                    slots.mark(&chunk, ITEM_NOT_SENT, why);
                }
                ChunkEnd::Garbled(e) => {
                    slots.mark(&chunk, ITEM_OUTCOME_UNKNOWN, &e.to_string());
                    stopped_by.get_or_insert(e);
                }
                ChunkEnd::Failed(e) => {
                    let code = if nothing_applied(&e) {
                        ITEM_REQUEST_REFUSED
                    } else {
                        ITEM_OUTCOME_UNKNOWN
                    };
                    slots.mark(&chunk, code, &e.to_string());
                    stopped_by.get_or_insert(e);
                }
            }
        }
        if stopped_by.is_none() && cancel.is_cancelled() && stop_marked_any(&slots) {
            stopped_by = Some(WooError::cancelled());
        }
        Ok(slots.into_outcome(stopped_by))
    }
}

/// True when some item was left unsent (after a cancel).
fn stop_marked_any<T>(slots: &Slots<T>) -> bool {
    slots
        .create
        .iter()
        .chain(&slots.update)
        .chain(&slots.delete)
        .any(|s| matches!(s, Some(Err(e)) if e.code == ITEM_NOT_SENT))
}

fn end_of(chunk: &Chunk) -> (usize, usize, usize) {
    (chunk.create.end, chunk.update.end, chunk.delete.end)
}

fn rest_of(from: (usize, usize, usize), lens: (usize, usize, usize)) -> Chunk {
    Chunk {
        create: from.0..lens.0,
        update: from.1..lens.1,
        delete: from.2..lens.2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_fill_creates_then_updates_then_deletes() {
        let plan = plan_chunks((150, 60, 5), 100);
        assert_eq!(
            plan,
            vec![
                Chunk {
                    create: 0..100,
                    update: 0..0,
                    delete: 0..0
                },
                Chunk {
                    create: 100..150,
                    update: 0..50,
                    delete: 0..0
                },
                Chunk {
                    create: 150..150,
                    update: 50..60,
                    delete: 0..5
                },
            ]
        );
        assert!(plan.iter().all(|c| c.len() <= 100));
        assert_eq!(plan.iter().map(Chunk::len).sum::<usize>(), 215);
    }

    #[test]
    fn chunk_limits_and_edges() {
        assert!(plan_chunks((0, 0, 0), 100).is_empty());
        assert_eq!(plan_chunks((3, 0, 0), 1).len(), 3);
        assert_eq!(plan_chunks((0, 250, 0), 100).len(), 3);
        // A zero limit is treated as one rather than looping forever.
        assert_eq!(plan_chunks((2, 0, 0), 0).len(), 2);
        // Re-planning from the middle with a smaller limit (after a 413).
        let c = next_chunk((40, 0, 0), (100, 10, 0), 50);
        assert_eq!(
            c,
            Chunk {
                create: 40..90,
                update: 0..0,
                delete: 0..0
            }
        );
    }

    #[test]
    fn per_item_errors_are_mapped_by_position() {
        let answer: serde_json::Value = serde_json::from_str(
            r#"{"create":[{"id":1048,"sku":"NEW"},{"id":0,"error":{"code":"product_invalid_sku","message":"Invalid or duplicated SKU.","data":{"status":400,"resource_id":1029,"unique_sku":"FX-MUG-1"}}}],
                "update":[{"id":999999,"error":{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.","data":{"status":400}}}]}"#,
        )
        .unwrap();
        let create: Vec<Result<Product, ItemError>> =
            decode_section("product", answer.get("create"), 2);
        assert_eq!(create[0].as_ref().unwrap().id, 1048);
        let e = create[1].as_ref().unwrap_err();
        assert_eq!(e.code, "product_invalid_sku");
        assert_eq!(e.resource_id, Some(1029));
        assert_eq!(e.unique_sku.as_deref(), Some("FX-MUG-1"));
        assert_eq!(e.status, Some(400));
        // Three updates sent, one answered: the rest are reported, not lost.
        let update: Vec<Result<Product, ItemError>> =
            decode_section("product", answer.get("update"), 3);
        assert_eq!(update.len(), 3);
        assert_eq!(update[0].as_ref().unwrap_err().id, 999_999);
        assert_eq!(update[1].as_ref().unwrap_err().code, ITEM_NO_ANSWER);
        assert!(update[2].as_ref().unwrap_err().outcome_unknown());
        // No delete section at all.
        let delete: Vec<Result<Product, ItemError>> =
            decode_section("product", answer.get("delete"), 0);
        assert!(delete.is_empty());
    }

    #[test]
    fn an_unreadable_success_is_an_item_error_naming_the_record() {
        let answer: serde_json::Value =
            serde_json::from_str(r#"{"update":[{"id":7,"stock_quantity":"many"}]}"#).unwrap();
        let update: Vec<Result<Product, ItemError>> =
            decode_section("product", answer.get("update"), 1);
        let e = update[0].as_ref().unwrap_err();
        assert_eq!(e.code, ITEM_UNREADABLE);
        assert_eq!(e.id, 7);
        assert!(
            e.message.starts_with("product 7: field `stock_quantity`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn batch_body_leaves_out_empty_sections() {
        let w = vec![ProductWrite {
            id: Some(1),
            stock_quantity: Some(2),
            ..Default::default()
        }];
        let body = Body {
            create: &[],
            update: &w,
            delete: &[],
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"update":[{"id":1,"stock_quantity":2}]}"#
        );
    }
}
