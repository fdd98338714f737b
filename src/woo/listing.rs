//! Listing and reading records: products, variations, customers, orders, refunds.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::cancel::CancelToken;
use super::client::{Call, WooClient};
use super::decode::{decode_list, decode_record, json_type_name, raw_id};
use super::error::WooError;
use super::model::{Customer, Order, Product, Refund, Variation};
use super::paginate::{Listing, MAX_PAGES, Page, PageStep, next_step};
use super::query::{
    CustomerQuery, MAX_PER_PAGE, OrderQuery, ProductQuery, chunk_ids, chunk_skus, with_stable_order,
};

/// A record with a WooCommerce id, so listings can drop duplicates that paging over changing
/// data produces.
pub trait Record {
    /// The record's id (0 when unknown, e.g. `_fields` left it out).
    fn record_id(&self) -> u64;
}

macro_rules! record_id {
    ($($t:ty),*) => {$(
        impl Record for $t {
            fn record_id(&self) -> u64 {
                self.id
            }
        }
    )*};
}
record_id!(Product, Variation, Customer, Order, Refund);

/// SKUs per `?sku=` request at most (the store's page size).
pub const SKUS_PER_REQUEST: usize = 100;
/// Encoded length of the `sku` list per request at most, to keep URLs well below the limits of
/// common servers and proxies.
pub const SKU_LIST_MAX_ENCODED_LEN: usize = 1500;
/// Ids per `?include=` request at most: one full page, so each chunk is one request.
pub const IDS_PER_REQUEST: usize = 100;
/// Encoded length of the `include` list per request at most (100 six-digit ids need ~900).
pub const ID_LIST_MAX_ENCODED_LEN: usize = 1500;

/// Which page of a listing to read, and how many records per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub number: u32,
    /// Records per page, 1..=100 (the store refuses more).
    pub per_page: u32,
}

impl PageRequest {
    /// Page `number` with `per_page` records, both clamped to what the store accepts.
    pub fn new(number: u32, per_page: u32) -> PageRequest {
        PageRequest {
            number: number.max(1),
            per_page: per_page.clamp(1, MAX_PER_PAGE),
        }
    }
}

/// What to list and how to name its records.
#[derive(Debug, Clone)]
struct ListSpec {
    kind: &'static str,
    route: String,
    template: &'static str,
    params: Vec<(String, String)>,
}

/// One page as the store sent it, not yet decoded.
struct Fetched {
    page: u32,
    request: String,
    route: String,
    items: Vec<serde_json::Value>,
    total: Option<u64>,
    total_pages: Option<u32>,
}

/// One entry per item: its id, or a hash of its JSON when it has none.
fn fingerprint(items: &[serde_json::Value]) -> Vec<u64> {
    items
        .iter()
        .map(|item| {
            raw_id(item).unwrap_or_else(|| {
                let mut h = DefaultHasher::new();
                item.to_string().hash(&mut h);
                h.finish()
            })
        })
        .collect()
}

/// Where the next page of a walk comes from.
enum Source {
    /// Request this page next, alone.
    Sequential(u32),
    /// Pages up to `last` are being fetched concurrently and arrive in order.
    Ahead {
        pages: BoxStream<'static, Result<Fetched, WooError>>,
        last: u32,
    },
    Done,
}

impl WooClient {
    async fn fetch_page(
        &self,
        spec: &ListSpec,
        page: u32,
        per_page: u32,
        cancel: &CancelToken,
    ) -> Result<Fetched, WooError> {
        if cancel.is_cancelled() {
            return Err(WooError::cancelled());
        }
        let mut params = spec.params.clone();
        params.push(("per_page".into(), per_page.to_string()));
        params.push(("page".into(), page.to_string()));
        let call = Call::api(Method::GET, &spec.route, spec.template).query(params);
        let reply = self.execute(&call, Some(cancel)).await?;
        let items = match reply.json {
            serde_json::Value::Array(items) => items,
            other => {
                return Err(WooError::unexpected(
                    call.name(),
                    format!(
                        "expected a list of records, found {}",
                        json_type_name(&other)
                    ),
                ));
            }
        };
        Ok(Fetched {
            page,
            request: call.name(),
            route: format!("/{}", call.path),
            items,
            total: reply.total,
            total_pages: reply.total_pages,
        })
    }

    /// Pages `from..=to`, fetched concurrently (within the client's limit), in page order.
    fn prefetch(
        &self,
        spec: &ListSpec,
        from: u32,
        to: u32,
        cancel: &CancelToken,
    ) -> BoxStream<'static, Result<Fetched, WooError>> {
        let (client, spec, cancel) = (self.clone(), spec.clone(), cancel.clone());
        let ahead = self.inner.limiter.ceiling();
        futures_util::stream::iter(from..=to)
            .map(move |n| {
                let (client, spec, cancel) = (client.clone(), spec.clone(), cancel.clone());
                async move { client.fetch_page(&spec, n, MAX_PER_PAGE, &cancel).await }
            })
            .buffered(ahead)
            .boxed()
    }

    fn decode_page<T: DeserializeOwned>(&self, kind: &str, fetched: Fetched) -> Page<T> {
        let (records, mut bad_records) = decode_list(kind, fetched.items, fetched.page);
        for bad in &mut bad_records {
            let e = std::mem::replace(&mut bad.error, WooError::cancelled());
            bad.error = self.scrub(e);
        }
        Page {
            number: fetched.page,
            total_pages: fetched.total_pages,
            total_items: fetched.total,
            records,
            bad_records,
        }
    }

    /// Every page of a listing, in order. Page 1 comes alone; once it tells how many pages
    /// there are, the others are fetched concurrently. The stop rules are applied to the pages
    /// in order, exactly as when walking one by one: an empty page or the last page ends the
    /// walk (also when the total shrank meanwhile), a page equal to the one before is an error,
    /// and pages added meanwhile are walked one by one after the planned ones.
    fn page_stream<T>(
        &self,
        spec: ListSpec,
        cancel: CancelToken,
    ) -> impl Stream<Item = Result<Page<T>, WooError>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        struct State {
            client: WooClient,
            spec: ListSpec,
            cancel: CancelToken,
            source: Source,
            previous: Option<Vec<u64>>,
        }
        let state = State {
            client: self.clone(),
            spec,
            cancel,
            source: Source::Sequential(1),
            previous: None,
        };
        futures_util::stream::unfold(state, |mut st| async move {
            let fetched = match &mut st.source {
                Source::Done => return None,
                Source::Sequential(n) => {
                    let n = *n;
                    st.client
                        .fetch_page(&st.spec, n, MAX_PER_PAGE, &st.cancel)
                        .await
                }
                Source::Ahead { pages, .. } => match pages.next().await {
                    Some(fetched) => fetched,
                    None => return None,
                },
            };
            let fetched = match fetched {
                Ok(f) => f,
                Err(e) => {
                    st.source = Source::Done;
                    return Some((Err(e), st));
                }
            };
            let page = fetched.page;
            let print = fingerprint(&fetched.items);
            match next_step(page, fetched.total_pages, &print, st.previous.as_deref()) {
                PageStep::Next(n) => {
                    let next = match std::mem::replace(&mut st.source, Source::Done) {
                        Source::Ahead { pages, last } if n <= last => Source::Ahead { pages, last },
                        Source::Sequential(1) => match fetched.total_pages {
                            Some(total) if total >= 2 => {
                                let last = total.min(MAX_PAGES);
                                Source::Ahead {
                                    pages: st.client.prefetch(&st.spec, 2, last, &st.cancel),
                                    last,
                                }
                            }
                            _ => Source::Sequential(n),
                        },
                        _ => Source::Sequential(n),
                    };
                    st.source = next;
                }
                PageStep::Done => st.source = Source::Done,
                PageStep::Repeated => {
                    st.source = Source::Done;
                    let err = WooError::unexpected(
                        fetched.request,
                        format!(
                            "page {page} repeated page {} exactly; a cache in front of the store may be ignoring the page number",
                            page - 1
                        ),
                    );
                    return Some((Err(err), st));
                }
                PageStep::TooManyPages => {
                    tracing::warn!(route = %fetched.route, page, "stopping a listing at the page limit");
                    st.source = Source::Done;
                }
            }
            st.previous = Some(print);
            let out = st.client.decode_page(st.spec.kind, fetched);
            Some((Ok(out), st))
        })
    }

    async fn collect<T>(&self, spec: ListSpec, cancel: &CancelToken) -> Result<Listing<T>, WooError>
    where
        T: DeserializeOwned + Record + Send + 'static,
    {
        let mut listing = Listing::default();
        let mut seen = HashSet::new();
        let stream = self.page_stream::<T>(spec, cancel.clone());
        futures_util::pin_mut!(stream);
        while let Some(page) = stream.next().await {
            let page = page?;
            if listing.pages == 0 {
                listing.total_at_start = page.total_items;
            }
            listing.pages += 1;
            listing.total_at_end = page.total_items;
            for record in page.records {
                let id = record.record_id();
                if id == 0 || seen.insert(id) {
                    listing.records.push(record);
                }
            }
            listing.bad_records.extend(page.bad_records);
        }
        Ok(listing)
    }

    /// One page, with the store's totals, for screens that show "page 2 of 40".
    async fn one_page<T: DeserializeOwned>(
        &self,
        spec: ListSpec,
        page: PageRequest,
        cancel: &CancelToken,
    ) -> Result<Page<T>, WooError> {
        let fetched = self
            .fetch_page(&spec, page.number, page.per_page, cancel)
            .await?;
        Ok(self.decode_page(spec.kind, fetched))
    }

    /// Several listings at once (within the client's limit); results in the order of `specs`,
    /// records without duplicates by id. The first error ends the call.
    async fn collect_many<T>(
        &self,
        specs: Vec<ListSpec>,
        cancel: &CancelToken,
    ) -> Result<Listing<T>, WooError>
    where
        T: DeserializeOwned + Record + Send + 'static,
    {
        let parts: Vec<Result<Listing<T>, WooError>> = futures_util::stream::iter(specs)
            .map(|spec| self.collect::<T>(spec, cancel))
            .buffered(self.inner.limiter.ceiling())
            .collect()
            .await;
        let mut all = Listing::default();
        let mut seen = HashSet::new();
        for part in parts {
            let part = part?;
            all.pages += part.pages;
            for record in part.records {
                let id = record.record_id();
                if id == 0 || seen.insert(id) {
                    all.records.push(record);
                }
            }
            all.bad_records.extend(part.bad_records);
        }
        Ok(all)
    }

    /// Records by id, `include=` in chunks, in the order of `ids` (duplicates and 0 dropped;
    /// ids the store does not have are simply absent).
    async fn by_ids<T>(
        &self,
        ids: &[u64],
        spec: impl Fn(Vec<u64>) -> ListSpec,
        cancel: &CancelToken,
    ) -> Result<Listing<T>, WooError>
    where
        T: DeserializeOwned + Record + Send + 'static,
    {
        let chunks = chunk_ids(ids, IDS_PER_REQUEST, ID_LIST_MAX_ENCODED_LEN);
        let mut listing: Listing<T> = self
            .collect_many(chunks.into_iter().map(spec).collect(), cancel)
            .await?;
        let position: std::collections::HashMap<u64, usize> = ids
            .iter()
            .enumerate()
            .rev()
            .map(|(i, id)| (*id, i))
            .collect();
        listing
            .records
            .sort_by_key(|r| position.get(&r.record_id()).copied().unwrap_or(usize::MAX));
        Ok(listing)
    }

    /// Products page by page, as a stream (drop it to stop). Pages are requested with
    /// `per_page=100`; filters from `q`. A cancel ends the page being read.
    pub fn products(
        &self,
        q: ProductQuery,
        cancel: &CancelToken,
    ) -> impl Stream<Item = Result<Page<Product>, WooError>> + Send + 'static {
        self.page_stream(product_spec(&q), cancel.clone())
    }

    /// All products matching `q` (sorted by id unless `q` says otherwise).
    pub async fn list_all_products(
        &self,
        q: ProductQuery,
        cancel: &CancelToken,
    ) -> Result<Listing<Product>, WooError> {
        self.collect(product_spec(&q), cancel).await
    }

    /// All variations of product `parent_id`. `parent_id` is filled in on records whose store
    /// does not send it.
    pub async fn list_all_variations(
        &self,
        parent_id: u64,
        cancel: &CancelToken,
    ) -> Result<Listing<Variation>, WooError> {
        let spec = variation_spec(parent_id, Vec::new());
        let mut listing: Listing<Variation> = self.collect(spec, cancel).await?;
        fill_parent(&mut listing, parent_id);
        Ok(listing)
    }

    /// Products **and variations** whose SKU is exactly one of `skus` (case as the store
    /// compares it). Sent in chunks of at most 100 SKUs and short URLs, several at once;
    /// records come in the order of the chunks.
    /// A variation without its own SKU is not found by its parent's SKU.
    pub async fn products_by_sku(
        &self,
        skus: &[String],
        cancel: &CancelToken,
    ) -> Result<Listing<Product>, WooError> {
        if cancel.is_cancelled() {
            return Err(WooError::cancelled());
        }
        let specs = chunk_skus(skus, SKUS_PER_REQUEST, SKU_LIST_MAX_ENCODED_LEN)
            .into_iter()
            .map(|sku| {
                product_spec(&ProductQuery {
                    sku,
                    ..ProductQuery::default()
                })
            })
            .collect();
        self.collect_many(specs, cancel).await
    }

    /// Products by id (`include=`, at most 100 ids and a short URL per request, several
    /// requests at once), in the order of `ids`. Variations are not products here: read them
    /// with [`variations_by_ids`](Self::variations_by_ids).
    pub async fn products_by_ids(
        &self,
        ids: &[u64],
        cancel: &CancelToken,
    ) -> Result<Listing<Product>, WooError> {
        self.by_ids(
            ids,
            |include| {
                product_spec(&ProductQuery {
                    include,
                    ..ProductQuery::default()
                })
            },
            cancel,
        )
        .await
    }

    /// Variations of `parent_id` by id, like [`products_by_ids`](Self::products_by_ids).
    pub async fn variations_by_ids(
        &self,
        parent_id: u64,
        ids: &[u64],
        cancel: &CancelToken,
    ) -> Result<Listing<Variation>, WooError> {
        let mut listing: Listing<Variation> = self
            .by_ids(ids, |include| variation_spec(parent_id, include), cancel)
            .await?;
        fill_parent(&mut listing, parent_id);
        Ok(listing)
    }

    /// All customers matching `q`.
    pub async fn list_all_customers(
        &self,
        q: CustomerQuery,
        cancel: &CancelToken,
    ) -> Result<Listing<Customer>, WooError> {
        self.collect(customer_spec(with_stable_order(q.params())), cancel)
            .await
    }

    /// Customers page by page, as a stream.
    pub fn customers(
        &self,
        q: CustomerQuery,
    ) -> impl Stream<Item = Result<Page<Customer>, WooError>> + Send + 'static {
        self.page_stream(customer_spec(q.params()), CancelToken::new())
    }

    /// One page of customers with the store's totals (`X-WP-Total`, `X-WP-TotalPages`), for a
    /// screen that pages through them. Without a role in `q`, every role is listed (`role=all`)
    /// rather than the store's default of `customer` only, so shop managers who buy are found.
    pub async fn customers_page(
        &self,
        q: CustomerQuery,
        page: PageRequest,
        cancel: &CancelToken,
    ) -> Result<Page<Customer>, WooError> {
        let mut params = q.params();
        if q.role.is_none() {
            params.push(("role".into(), "all".into()));
        }
        self.one_page(customer_spec(params), page, cancel).await
    }

    /// All orders matching `q`.
    pub async fn list_all_orders(
        &self,
        q: OrderQuery,
        cancel: &CancelToken,
    ) -> Result<Listing<Order>, WooError> {
        self.collect(order_spec(with_stable_order(q.params())), cancel)
            .await
    }

    /// Orders page by page, as a stream.
    pub fn orders(
        &self,
        q: OrderQuery,
    ) -> impl Stream<Item = Result<Page<Order>, WooError>> + Send + 'static {
        self.page_stream(order_spec(q.params()), CancelToken::new())
    }

    /// Every order matching `q` — e.g. [`OrderQuery::created_between`] for a whole date range,
    /// or [`OrderQuery::modified_between`] for polling — page by page as a stream, honouring
    /// `cancel`. Pages after the first are fetched concurrently and arrive in order. Without a
    /// sort in `q`, orders come by id.
    pub fn orders_stream(
        &self,
        q: OrderQuery,
        cancel: CancelToken,
    ) -> impl Stream<Item = Result<Page<Order>, WooError>> + Send + 'static {
        self.page_stream(order_spec(with_stable_order(q.params())), cancel)
    }

    /// One page of orders with the store's totals, e.g. of [`OrderQuery::created_between`]
    /// (a GMT window and a status list) for a screen.
    pub async fn orders_page(
        &self,
        q: OrderQuery,
        page: PageRequest,
        cancel: &CancelToken,
    ) -> Result<Page<Order>, WooError> {
        self.one_page(order_spec(q.params()), page, cancel).await
    }

    /// Orders by id (`include=`, chunked and concurrent like
    /// [`products_by_ids`](Self::products_by_ids)), in the order of `ids`.
    pub async fn orders_by_ids(
        &self,
        ids: &[u64],
        cancel: &CancelToken,
    ) -> Result<Listing<Order>, WooError> {
        self.by_ids(
            ids,
            |include| {
                order_spec(with_stable_order(
                    OrderQuery {
                        include,
                        ..OrderQuery::default()
                    }
                    .params(),
                ))
            },
            cancel,
        )
        .await
    }

    /// The refunds of order `order_id`.
    pub async fn list_all_refunds(
        &self,
        order_id: u64,
        cancel: &CancelToken,
    ) -> Result<Listing<Refund>, WooError> {
        let spec = ListSpec {
            kind: "refund",
            route: format!("orders/{order_id}/refunds"),
            template: "orders/{id}/refunds",
            params: Vec::new(),
        };
        self.collect(spec, cancel).await
    }

    async fn get_one<T: DeserializeOwned>(
        &self,
        kind: &str,
        route: String,
        template: &str,
    ) -> Result<T, WooError> {
        let call = Call::api(Method::GET, &route, template);
        let reply = self.execute(&call, None).await?;
        decode_record(kind, reply.json, &format!("(answer to {})", call.name()))
            .map_err(|e| self.scrub(e))
    }

    /// One product (or a variation in product shape, when `id` is a variation's).
    pub async fn get_product(&self, id: u64) -> Result<Product, WooError> {
        self.get_one("product", format!("products/{id}"), "products/{id}")
            .await
    }

    /// One variation.
    pub async fn get_variation(&self, parent_id: u64, id: u64) -> Result<Variation, WooError> {
        let mut v: Variation = self
            .get_one(
                "variation",
                format!("products/{parent_id}/variations/{id}"),
                "products/{id}/variations/{id}",
            )
            .await?;
        if v.parent_id == 0 {
            v.parent_id = parent_id;
        }
        Ok(v)
    }

    /// One order.
    pub async fn get_order(&self, id: u64) -> Result<Order, WooError> {
        self.get_one("order", format!("orders/{id}"), "orders/{id}")
            .await
    }

    /// One customer.
    pub async fn get_customer(&self, id: u64) -> Result<Customer, WooError> {
        self.get_one("customer", format!("customers/{id}"), "customers/{id}")
            .await
    }
}

fn product_spec(q: &ProductQuery) -> ListSpec {
    ListSpec {
        kind: "product",
        route: "products".into(),
        template: "products",
        params: with_stable_order(q.params()),
    }
}

fn variation_spec(parent_id: u64, include: Vec<u64>) -> ListSpec {
    let mut params = Vec::new();
    if !include.is_empty() {
        let text: Vec<String> = include.iter().map(u64::to_string).collect();
        params.push(("include".to_owned(), text.join(",")));
    }
    ListSpec {
        kind: "variation",
        route: format!("products/{parent_id}/variations"),
        template: "products/{id}/variations",
        params: with_stable_order(params),
    }
}

fn customer_spec(params: Vec<(String, String)>) -> ListSpec {
    ListSpec {
        kind: "customer",
        route: "customers".into(),
        template: "customers",
        params,
    }
}

fn order_spec(params: Vec<(String, String)>) -> ListSpec {
    ListSpec {
        kind: "order",
        route: "orders".into(),
        template: "orders",
        params,
    }
}

fn fill_parent(listing: &mut Listing<Variation>, parent_id: u64) {
    for v in &mut listing.records {
        if v.parent_id == 0 {
            v.parent_id = parent_id;
        }
    }
}
