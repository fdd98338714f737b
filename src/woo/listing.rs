//! Listing and reading records: products, variations, customers, orders, refunds.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use futures_util::{Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::cancel::CancelToken;
use super::client::{Call, WooClient};
use super::decode::{decode_list, decode_record, json_type_name, raw_id};
use super::error::WooError;
use super::model::{Customer, Order, Product, Refund, Variation};
use super::paginate::{Listing, Page, PageStep, next_step};
use super::query::{
    CustomerQuery, MAX_PER_PAGE, OrderQuery, ProductQuery, chunk_skus, with_stable_order,
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

/// What to list and how to name its records.
#[derive(Debug, Clone)]
struct ListSpec {
    kind: &'static str,
    route: String,
    template: &'static str,
    params: Vec<(String, String)>,
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

impl WooClient {
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
            next: Option<u32>,
            previous: Option<Vec<u64>>,
        }
        let state = State {
            client: self.clone(),
            spec,
            cancel,
            next: Some(1),
            previous: None,
        };
        futures_util::stream::unfold(state, |mut st| async move {
            let page = st.next.take()?;
            if st.cancel.is_cancelled() {
                return Some((Err(WooError::cancelled()), st));
            }
            let mut params = st.spec.params.clone();
            params.push(("per_page".into(), MAX_PER_PAGE.to_string()));
            params.push(("page".into(), page.to_string()));
            let call = Call::api(Method::GET, &st.spec.route, st.spec.template).query(params);
            let reply = match st.client.execute(&call, Some(&st.cancel)).await {
                Ok(r) => r,
                Err(e) => return Some((Err(e), st)),
            };
            let items = match reply.json {
                serde_json::Value::Array(items) => items,
                other => {
                    let err = WooError::unexpected(
                        call.name(),
                        format!(
                            "expected a list of records, found {}",
                            json_type_name(&other)
                        ),
                    );
                    return Some((Err(err), st));
                }
            };
            let print = fingerprint(&items);
            match next_step(page, reply.total_pages, &print, st.previous.as_deref()) {
                PageStep::Next(n) => st.next = Some(n),
                PageStep::Done => {}
                PageStep::Repeated => {
                    let err = WooError::unexpected(
                        call.name(),
                        format!(
                            "page {page} repeated page {} exactly; a cache in front of the store may be ignoring the page number",
                            page - 1
                        ),
                    );
                    return Some((Err(err), st));
                }
                PageStep::TooManyPages => {
                    tracing::warn!(route = %format!("/{}", call.path), page, "stopping a listing at the page limit");
                }
            }
            st.previous = Some(print);
            let (records, mut bad_records) = decode_list(st.spec.kind, items, page);
            for bad in &mut bad_records {
                let e = std::mem::replace(&mut bad.error, WooError::cancelled());
                bad.error = st.client.scrub(e);
            }
            let out = Page {
                number: page,
                total_pages: reply.total_pages,
                total_items: reply.total,
                records,
                bad_records,
            };
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

    /// Products page by page, as a stream (drop it to stop). Pages are requested with
    /// `per_page=100`; filters from `q`.
    pub fn products(
        &self,
        q: ProductQuery,
    ) -> impl Stream<Item = Result<Page<Product>, WooError>> + Send + 'static {
        self.page_stream(product_spec(&q), CancelToken::new())
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
        let spec = ListSpec {
            kind: "variation",
            route: format!("products/{parent_id}/variations"),
            template: "products/{id}/variations",
            params: with_stable_order(Vec::new()),
        };
        let mut listing: Listing<Variation> = self.collect(spec, cancel).await?;
        for v in &mut listing.records {
            if v.parent_id == 0 {
                v.parent_id = parent_id;
            }
        }
        Ok(listing)
    }

    /// Products **and variations** whose SKU is exactly one of `skus` (case as the store
    /// compares it). Sent in chunks of at most 100 SKUs and short URLs.
    /// A variation without its own SKU is not found by its parent's SKU.
    pub async fn products_by_sku(
        &self,
        skus: &[String],
        cancel: &CancelToken,
    ) -> Result<Listing<Product>, WooError> {
        let mut all = Listing::default();
        let mut seen = HashSet::new();
        for chunk in chunk_skus(skus, SKUS_PER_REQUEST, SKU_LIST_MAX_ENCODED_LEN) {
            if cancel.is_cancelled() {
                return Err(WooError::cancelled());
            }
            let q = ProductQuery {
                sku: chunk,
                ..ProductQuery::default()
            };
            let part: Listing<Product> = self.collect(product_spec(&q), cancel).await?;
            all.pages += part.pages;
            for p in part.records {
                if seen.insert(p.id) {
                    all.records.push(p);
                }
            }
            all.bad_records.extend(part.bad_records);
        }
        Ok(all)
    }

    /// All customers matching `q`.
    pub async fn list_all_customers(
        &self,
        q: CustomerQuery,
        cancel: &CancelToken,
    ) -> Result<Listing<Customer>, WooError> {
        let spec = ListSpec {
            kind: "customer",
            route: "customers".into(),
            template: "customers",
            params: with_stable_order(q.params()),
        };
        self.collect(spec, cancel).await
    }

    /// Customers page by page, as a stream.
    pub fn customers(
        &self,
        q: CustomerQuery,
    ) -> impl Stream<Item = Result<Page<Customer>, WooError>> + Send + 'static {
        let spec = ListSpec {
            kind: "customer",
            route: "customers".into(),
            template: "customers",
            params: q.params(),
        };
        self.page_stream(spec, CancelToken::new())
    }

    /// All orders matching `q`.
    pub async fn list_all_orders(
        &self,
        q: OrderQuery,
        cancel: &CancelToken,
    ) -> Result<Listing<Order>, WooError> {
        let spec = ListSpec {
            kind: "order",
            route: "orders".into(),
            template: "orders",
            params: with_stable_order(q.params()),
        };
        self.collect(spec, cancel).await
    }

    /// Orders page by page, as a stream.
    pub fn orders(
        &self,
        q: OrderQuery,
    ) -> impl Stream<Item = Result<Page<Order>, WooError>> + Send + 'static {
        let spec = ListSpec {
            kind: "order",
            route: "orders".into(),
            template: "orders",
            params: q.params(),
        };
        self.page_stream(spec, CancelToken::new())
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
