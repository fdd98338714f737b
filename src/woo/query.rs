//! List filters for products, customers and orders, rendered as query parameters.

use chrono::{DateTime, Utc};

use super::dates::format_naive_utc;

/// Page size the client always uses (the store refuses more than 100).
pub const MAX_PER_PAGE: u32 = 100;

/// `orderby` values common to the list endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderBy {
    /// By id (stable; best for full scans).
    Id,
    /// By creation date.
    Date,
    /// By modification date.
    Modified,
    /// By title (products/orders).
    Title,
    /// By name (customers).
    Name,
    /// By registration date (customers).
    RegisteredDate,
    /// In `include` order.
    Include,
}

impl OrderBy {
    fn as_str(self) -> &'static str {
        match self {
            OrderBy::Id => "id",
            OrderBy::Date => "date",
            OrderBy::Modified => "modified",
            OrderBy::Title => "title",
            OrderBy::Name => "name",
            OrderBy::RegisteredDate => "registered_date",
            OrderBy::Include => "include",
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl SortOrder {
    fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// Collects parameters in a fixed order.
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn add(&mut self, name: &str, value: impl Into<String>) {
        self.0.push((name.to_owned(), value.into()));
    }
    fn opt(&mut self, name: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.add(name, v.clone());
        }
    }
    fn list(&mut self, name: &str, values: &[String]) {
        if !values.is_empty() {
            self.add(name, values.join(","));
        }
    }
    fn ids(&mut self, name: &str, values: &[u64]) {
        if !values.is_empty() {
            let text: Vec<String> = values.iter().map(u64::to_string).collect();
            self.add(name, text.join(","));
        }
    }
    fn dates(&mut self, pairs: [(&str, Option<DateTime<Utc>>); 4]) {
        let mut any = false;
        for (name, value) in pairs {
            if let Some(t) = value {
                self.add(name, format_naive_utc(t));
                any = true;
            }
        }
        if any {
            self.add("dates_are_gmt", "true");
        }
    }
    fn sort(&mut self, orderby: Option<OrderBy>, order: Option<SortOrder>) {
        if let Some(o) = orderby {
            self.add("orderby", o.as_str());
        }
        if let Some(o) = order {
            self.add("order", o.as_str());
        }
    }
}

/// Filters for `GET /products`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    /// Exact SKUs (comma list; also returns variations). Long lists belong in
    /// [`super::WooClient::products_by_sku`], which chunks them.
    pub sku: Vec<String>,
    /// Only these ids.
    pub include: Vec<u64>,
    /// Text search (title/content, not SKU).
    pub search: Option<String>,
    /// `simple`, `variable`, … (excludes variations).
    pub product_type: Option<String>,
    /// `any` (default), `publish`, `draft`, …
    pub status: Option<String>,
    /// Created after (exclusive).
    pub after: Option<DateTime<Utc>>,
    /// Created before (exclusive).
    pub before: Option<DateTime<Utc>>,
    /// Modified after (exclusive).
    pub modified_after: Option<DateTime<Utc>>,
    /// Modified before (exclusive).
    pub modified_before: Option<DateTime<Utc>>,
    /// Sort field (full listings default to `id`).
    pub orderby: Option<OrderBy>,
    /// Sort direction (full listings default to ascending).
    pub order: Option<SortOrder>,
    /// `_fields`: only these top-level fields (much faster on big catalogs).
    pub fields: Vec<String>,
}

impl ProductQuery {
    /// The filter parameters (without paging).
    pub fn params(&self) -> Vec<(String, String)> {
        let mut p = Params::default();
        p.list("sku", &self.sku);
        p.ids("include", &self.include);
        p.opt("search", &self.search);
        p.opt("type", &self.product_type);
        p.opt("status", &self.status);
        p.dates([
            ("after", self.after),
            ("before", self.before),
            ("modified_after", self.modified_after),
            ("modified_before", self.modified_before),
        ]);
        p.sort(self.orderby, self.order);
        p.list("_fields", &self.fields);
        p.0
    }
}

/// Filters for `GET /customers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    /// Exact account e-mail.
    pub email: Option<String>,
    /// WordPress role; `all` for every role (the store's default is `customer`).
    pub role: Option<String>,
    /// Wildcard search.
    pub search: Option<String>,
    /// Only these ids.
    pub include: Vec<u64>,
    /// Sort field.
    pub orderby: Option<OrderBy>,
    /// Sort direction.
    pub order: Option<SortOrder>,
    /// `_fields`.
    pub fields: Vec<String>,
}

impl CustomerQuery {
    /// The filter parameters (without paging).
    pub fn params(&self) -> Vec<(String, String)> {
        let mut p = Params::default();
        p.opt("email", &self.email);
        p.opt("role", &self.role);
        p.opt("search", &self.search);
        p.ids("include", &self.include);
        p.sort(self.orderby, self.order);
        p.list("_fields", &self.fields);
        p.0
    }
}

/// Filters for `GET /orders`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Statuses (`processing`, `completed`, …); empty = the store's `any`.
    pub status: Vec<String>,
    /// Created after (exclusive).
    pub after: Option<DateTime<Utc>>,
    /// Created before (exclusive).
    pub before: Option<DateTime<Utc>>,
    /// Modified after (exclusive).
    pub modified_after: Option<DateTime<Utc>>,
    /// Modified before (exclusive).
    pub modified_before: Option<DateTime<Utc>>,
    /// Customer user id (0 = guests).
    pub customer: Option<u64>,
    /// Only these ids.
    pub include: Vec<u64>,
    /// Order search.
    pub search: Option<String>,
    /// Sort field.
    pub orderby: Option<OrderBy>,
    /// Sort direction.
    pub order: Option<SortOrder>,
    /// `_fields`.
    pub fields: Vec<String>,
}

impl OrderQuery {
    /// Orders created inside a window (UTC, exclusive at both ends as the store compares):
    /// `after`/`before` with `dates_are_gmt=true`. Narrow it with [`status`](Self::status).
    pub fn created_between(after: DateTime<Utc>, before: DateTime<Utc>) -> OrderQuery {
        OrderQuery {
            after: Some(after),
            before: Some(before),
            ..OrderQuery::default()
        }
    }

    /// Orders modified inside a window (UTC, exclusive), oldest change first
    /// (`orderby=modified&order=asc`), for polling: a closed window in the past can only
    /// shrink while it is paged. See [`super::DateWindow`] for overlapping windows.
    pub fn modified_between(after: DateTime<Utc>, before: DateTime<Utc>) -> OrderQuery {
        OrderQuery {
            modified_after: Some(after),
            modified_before: Some(before),
            orderby: Some(OrderBy::Modified),
            order: Some(SortOrder::Asc),
            ..OrderQuery::default()
        }
    }

    /// The filter parameters (without paging).
    pub fn params(&self) -> Vec<(String, String)> {
        let mut p = Params::default();
        p.list("status", &self.status);
        p.dates([
            ("after", self.after),
            ("before", self.before),
            ("modified_after", self.modified_after),
            ("modified_before", self.modified_before),
        ]);
        if let Some(c) = self.customer {
            p.add("customer", c.to_string());
        }
        p.ids("include", &self.include);
        p.opt("search", &self.search);
        p.sort(self.orderby, self.order);
        p.list("_fields", &self.fields);
        p.0
    }
}

/// Adds `orderby=id&order=asc` unless the caller chose a sort: paging over a stable order
/// avoids skipped and repeated records.
pub(crate) fn with_stable_order(mut params: Vec<(String, String)>) -> Vec<(String, String)> {
    if !params.iter().any(|(k, _)| k == "orderby") {
        params.push(("orderby".into(), "id".into()));
        if !params.iter().any(|(k, _)| k == "order") {
            params.push(("order".into(), "asc".into()));
        }
    }
    params
}

/// Splits SKUs for `?sku=` lookups: trimmed, empty ones dropped, duplicates (ignoring case, as
/// the store does) removed, at most `max_count` per chunk and at most `max_encoded_len`
/// characters of encoded list per URL. A SKU containing a comma cannot be part of a list and
/// gets a chunk of its own.
pub fn chunk_skus(skus: &[String], max_count: usize, max_encoded_len: usize) -> Vec<Vec<String>> {
    let max_count = max_count.max(1);
    let mut seen = std::collections::HashSet::new();
    let mut chunks: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut current_len = 0usize;
    for raw in skus {
        let sku = raw.trim();
        if sku.is_empty() || !seen.insert(sku.to_lowercase()) {
            continue;
        }
        if sku.contains(',') {
            chunks.push(vec![sku.to_owned()]);
            continue;
        }
        let len = super::encode::rfc3986(sku).len() + 3; // "%2C" separator
        if !current.is_empty()
            && (current.len() >= max_count || current_len + len > max_encoded_len)
        {
            chunks.push(std::mem::take(&mut current));
            current_len = 0;
        }
        current.push(sku.to_owned());
        current_len += len;
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Splits ids for `?include=` reads: duplicates and 0 dropped, order kept, at most `max_count`
/// per chunk and at most `max_encoded_len` characters of encoded list per URL.
pub fn chunk_ids(ids: &[u64], max_count: usize, max_encoded_len: usize) -> Vec<Vec<u64>> {
    let max_count = max_count.max(1);
    let mut seen = std::collections::HashSet::new();
    let mut chunks: Vec<Vec<u64>> = Vec::new();
    let mut current: Vec<u64> = Vec::new();
    let mut current_len = 0usize;
    for &id in ids {
        if id == 0 || !seen.insert(id) {
            continue;
        }
        let len = id.to_string().len() + 3; // "%2C" separator
        if !current.is_empty()
            && (current.len() >= max_count || current_len + len > max_encoded_len)
        {
            chunks.push(std::mem::take(&mut current));
            current_len = 0;
        }
        current.push(id);
        current_len += len;
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn dates_go_out_as_naive_utc_with_dates_are_gmt() {
        let q = OrderQuery {
            status: s(&["processing", "completed"]),
            modified_after: Some(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()),
            orderby: Some(OrderBy::Modified),
            order: Some(SortOrder::Asc),
            ..Default::default()
        };
        assert_eq!(
            q.params(),
            vec![
                ("status".to_owned(), "processing,completed".to_owned()),
                (
                    "modified_after".to_owned(),
                    "2024-05-01T00:00:00".to_owned()
                ),
                ("dates_are_gmt".to_owned(), "true".to_owned()),
                ("orderby".to_owned(), "modified".to_owned()),
                ("order".to_owned(), "asc".to_owned()),
            ]
        );
        assert!(
            !OrderQuery::default()
                .params()
                .iter()
                .any(|(k, _)| k == "dates_are_gmt")
        );
    }

    #[test]
    fn product_filters() {
        let q = ProductQuery {
            sku: s(&["A", "B"]),
            include: vec![1, 2],
            product_type: Some("simple".into()),
            fields: s(&["id", "sku"]),
            ..Default::default()
        };
        let p = q.params();
        assert!(p.contains(&("sku".into(), "A,B".into())));
        assert!(p.contains(&("include".into(), "1,2".into())));
        assert!(p.contains(&("type".into(), "simple".into())));
        assert!(p.contains(&("_fields".into(), "id,sku".into())));
        let stable = with_stable_order(p);
        assert!(stable.contains(&("orderby".into(), "id".into())));
        let c = CustomerQuery {
            email: Some("anna@example.test".into()),
            role: Some("all".into()),
            ..Default::default()
        };
        assert_eq!(c.params()[0], ("email".into(), "anna@example.test".into()));
    }

    #[test]
    fn skus_are_chunked_by_count_and_length() {
        let many: Vec<String> = (0..250).map(|i| format!("SKU-{i:04}")).collect();
        let chunks = chunk_skus(&many, 100, 10_000);
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![100, 100, 50]
        );
        assert_eq!(chunks.concat(), many);

        let chunks = chunk_skus(&many, 100, 300);
        assert!(chunks.iter().all(|c| c.len() < 100));
        assert!(
            chunks
                .iter()
                .all(|c| c.iter().map(|x| x.len() + 3).sum::<usize>() <= 300)
        );
        assert_eq!(chunks.concat(), many);
    }

    #[test]
    fn ids_are_chunked_by_count_and_length_in_order() {
        let ids: Vec<u64> = (1..=250).collect();
        let chunks = chunk_ids(&ids, 100, 10_000);
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![100, 100, 50]
        );
        assert_eq!(chunks.concat(), ids);
        let big: Vec<u64> = (1_000_000..1_000_100).collect();
        let chunks = chunk_ids(&big, 100, 200);
        assert!(chunks.iter().all(|c| c.len() * 10 <= 200));
        assert_eq!(chunks.concat(), big);
        assert_eq!(chunk_ids(&[3, 0, 3, 1], 100, 100), vec![vec![3, 1]]);
    }

    #[test]
    fn order_windows() {
        let a = Utc.with_ymd_and_hms(2026, 11, 27, 17, 28, 43).unwrap();
        let b = Utc.with_ymd_and_hms(2026, 11, 27, 17, 28, 49).unwrap();
        let p = OrderQuery::modified_between(a, b).params();
        for pair in [
            ("modified_after", "2026-11-27T17:28:43"),
            ("modified_before", "2026-11-27T17:28:49"),
            ("dates_are_gmt", "true"),
            ("orderby", "modified"),
            ("order", "asc"),
        ] {
            assert!(p.contains(&(pair.0.into(), pair.1.into())), "{p:?}");
        }
        let p = OrderQuery {
            status: s(&["processing", "on-hold"]),
            ..OrderQuery::created_between(a, b)
        }
        .params();
        assert!(p.contains(&("after".into(), "2026-11-27T17:28:43".into())));
        assert!(p.contains(&("dates_are_gmt".into(), "true".into())));
        assert!(p.contains(&("status".into(), "processing,on-hold".into())));
    }

    #[test]
    fn skus_are_cleaned() {
        let chunks = chunk_skus(&s(&[" A ", "", "a", "B,C", "D"]), 100, 1000);
        assert_eq!(chunks, vec![s(&["B,C"]), s(&["A", "D"])]);
        assert!(chunk_skus(&[], 100, 1000).is_empty());
    }
}
