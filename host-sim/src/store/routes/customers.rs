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

/// WordPress's `display_name`: the name when there is one, else the login.
fn display_name(c: &Customer) -> String {
    let full = format!("{} {}", c.first_name, c.last_name);
    let full = full.trim();
    if full.is_empty() {
        c.username.to_lowercase()
    } else {
        full.to_lowercase()
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
        .filter(|c| {
            email
                .as_ref()
                .is_none_or(|e| c.email.eq_ignore_ascii_case(e.trim()))
        })
        .filter(|c| include.is_empty() || include.contains(&c.id))
        .filter(|c| !exclude.contains(&c.id))
        .filter(|c| {
            search.as_ref().is_none_or(|term| {
                let term = term.trim_matches('*').to_lowercase();
                [&c.email, &c.username, &c.first_name, &c.last_name]
                    .iter()
                    .any(|field| field.to_lowercase().contains(&term))
            })
        })
        .collect();
    match orderby.as_str() {
        "id" => sort_by(&mut items, descending, |c| c.id),
        "registered_date" => sort_by(&mut items, descending, |c| (c.date_created, c.id)),
        "include" => sort_by(&mut items, descending, |c| {
            include
                .iter()
                .position(|i| *i == c.id)
                .unwrap_or(usize::MAX)
        }),
        _ => sort_by(&mut items, descending, |c| (display_name(c), c.id)),
    }
    let page = paging.apply(items);
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
