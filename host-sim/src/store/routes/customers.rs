//! `/customers` and `/customers/{id}`.

use super::{Action, Reply, RestRequest, paging_headers, read_context, sort_by};
use crate::store::customer_write;
use crate::store::errors::WcError;
use crate::store::fields::Mode;
use crate::store::model::{Customer, StoreData};
use crate::store::paging::Paging;
use crate::store::params::Checker;
use crate::store::render::customer_json;

const ROLES: [&str; 8] = [
    "all",
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
    "customer",
    "shop_manager",
];

fn invalid_id(status: u16) -> WcError {
    WcError::new(
        status,
        "woocommerce_rest_invalid_id",
        "Invalid resource ID.",
    )
}

/// Text as MySQL's case- and accent-insensitive collation compares it.
fn collate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ä' | 'Ä' | 'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => {
                out.push('a')
            }
            'ö' | 'Ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Õ' => out.push('o'),
            'ü' | 'Ü' | 'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => out.push('u'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => out.push('i'),
            'ß' => out.push_str("ss"),
            'ç' | 'Ç' => out.push('c'),
            'ñ' | 'Ñ' => out.push('n'),
            other => out.extend(other.to_lowercase()),
        }
    }
    out
}

/// `WP_User_Query`'s search as the customers controller uses it: the term is wrapped in `*`, so
/// it matches anywhere (`LIKE '%term%'`) in the columns WordPress picks from its shape: the
/// e-mail when it has an `@`, the login and the exact id when it is numeric, the website when
/// it is a URL, else login, website, e-mail, nicename and display name.
fn search_matches(c: &Customer, raw: &str) -> bool {
    let term = raw.trim().trim_matches('*');
    let needle = collate(term);
    let like = |field: &str| collate(field).contains(&needle);
    if term.contains('@') {
        like(&c.email)
    } else if !term.is_empty() && term.trim().parse::<f64>().is_ok() {
        like(&c.username) || term.trim().parse::<u64>().is_ok_and(|id| id == c.id)
    } else if term.starts_with("http://") || term.starts_with("https://") {
        like(&c.url)
    } else {
        like(&c.username)
            || like(&c.url)
            || like(&c.email)
            || like(&c.nicename())
            || like(&c.display_name)
    }
}

/// `GET /customers`.
pub(super) fn list(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    let mut paging = Paging::read(&mut c);
    let search = c.string("search").filter(|s| !s.is_empty());
    let exclude = c.id_list("exclude");
    let include = c.id_list("include");
    paging.read_offset(&mut c);
    let descending = c.one_of("order", &["asc", "desc"]).as_deref() == Some("desc");
    let orderby = c
        .one_of("orderby", &["id", "include", "name", "registered_date"])
        .unwrap_or_else(|| "name".to_owned());
    let email = c.email("email");
    let role = c
        .one_of("role", &ROLES)
        .unwrap_or_else(|| "customer".to_owned());
    c.finish()?;
    req.require(Action::List)?;
    let mut items: Vec<&Customer> = data
        .customers
        .values()
        .filter(|c| role == "all" || c.role == role)
        // `email` replaces the search with an exact match on the account e-mail.
        .filter(|c| match &email {
            Some(e) => collate(&c.email) == collate(e.trim()),
            None => search.as_ref().is_none_or(|term| search_matches(c, term)),
        })
        .filter(|c| include.is_empty() || include.contains(&c.id))
        .filter(|c| !exclude.contains(&c.id))
        .collect();
    match orderby.as_str() {
        "id" => sort_by(&mut items, descending, |c| c.id),
        "registered_date" => sort_by(&mut items, descending, |c| (c.date_created, c.id)),
        "include" if !include.is_empty() => sort_by(&mut items, descending, |c| {
            include
                .iter()
                .position(|i| *i == c.id)
                .unwrap_or(usize::MAX)
        }),
        // Without an include list WordPress falls back to the login.
        "include" => sort_by(&mut items, descending, |c| (collate(&c.username), c.id)),
        _ => sort_by(&mut items, descending, |c| (collate(&c.display_name), c.id)),
    }
    // An offset of 0 counts as none (`! empty()`), and the page of the `Link` URLs is derived
    // from the offset the controller queried with.
    paging.offset = paging.offset.filter(|o| *o > 0);
    let mut page = paging.apply(items);
    if let Some(offset) = paging.offset {
        page.page = offset.div_ceil(paging.per_page) + 1;
    }
    let ctx = req.render_ctx(edit);
    let body: Vec<_> = page
        .items
        .iter()
        .map(|c| customer_json(data, c, &ctx))
        .collect();
    Ok(paging_headers(
        Reply::json(200, &body),
        req,
        &req.query,
        page.total,
        page.total_pages,
        page.page,
    ))
}

/// `GET /customers/{id}`.
pub(super) fn get(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    let mut c = Checker::new(&req.query);
    let edit = read_context(&mut c);
    c.finish()?;
    req.require(Action::View)?;
    let customer = data.customers.get(&id).ok_or_else(|| invalid_id(404))?;
    Ok(Reply::json(
        200,
        &customer_json(data, customer, &req.render_ctx(edit)),
    ))
}

/// `POST /customers`.
pub(super) fn create(req: &RestRequest, data: &mut StoreData) -> Result<Reply, WcError> {
    req.require(Action::Create)?;
    let id = customer_write::create_customer(data, &req.fields, Mode::Schema)?;
    let customer = data.customers.get(&id).ok_or_else(|| invalid_id(500))?;
    Ok(
        Reply::json(201, &customer_json(data, customer, &req.render_ctx(true)))
            .with_header("Location", req.api(&format!("/wc/v3/customers/{id}"))),
    )
}

/// `PUT|PATCH|POST /customers/{id}`.
pub(super) fn update(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    req.require(Action::Edit)?;
    customer_write::update_customer(data, id, &req.fields, Mode::Schema)?;
    let customer = data.customers.get(&id).ok_or_else(|| invalid_id(400))?;
    Ok(Reply::json(
        200,
        &customer_json(data, customer, &req.render_ctx(true)),
    ))
}

/// `DELETE /customers/{id}?force=true`.
pub(super) fn delete(req: &RestRequest, data: &mut StoreData, id: u64) -> Result<Reply, WcError> {
    req.require(Action::Delete)?;
    let before = data
        .customers
        .get(&id)
        .map(|c| customer_json(data, c, &req.render_ctx(true)));
    customer_write::delete_customer(data, id, req.force())?;
    let body = before.ok_or_else(|| invalid_id(404))?;
    Ok(Reply::json(200, &body))
}
