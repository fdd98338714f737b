//! `/customers` bodies.

use serde::Serialize;
use sha2::Digest as _;

use super::product::{MetaJson, meta};
use super::{Links, RenderCtx};
use crate::store::dates::wc_pair;
use crate::store::model::{Address, Customer, StoreData};

#[derive(Debug, Serialize)]
struct BillingJson {
    first_name: String,
    last_name: String,
    company: String,
    address_1: String,
    address_2: String,
    city: String,
    postcode: String,
    country: String,
    state: String,
    email: String,
    phone: String,
}

#[derive(Debug, Serialize)]
struct ShippingJson {
    first_name: String,
    last_name: String,
    company: String,
    address_1: String,
    address_2: String,
    city: String,
    postcode: String,
    country: String,
    state: String,
    phone: String,
}

/// A customer as `/customers` returns it.
#[derive(Debug, Serialize)]
pub(crate) struct CustomerJson {
    id: u64,
    date_created: String,
    date_created_gmt: String,
    date_modified: Option<String>,
    date_modified_gmt: Option<String>,
    email: String,
    first_name: String,
    last_name: String,
    role: String,
    username: String,
    billing: BillingJson,
    shipping: ShippingJson,
    is_paying_customer: bool,
    avatar_url: String,
    meta_data: Vec<MetaJson>,
    _links: Links,
}

fn billing(a: &Address) -> BillingJson {
    BillingJson {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        company: a.company.clone(),
        address_1: a.address_1.clone(),
        address_2: a.address_2.clone(),
        city: a.city.clone(),
        postcode: a.postcode.clone(),
        country: a.country.clone(),
        state: a.state.clone(),
        email: a.email.clone(),
        phone: a.phone.clone(),
    }
}

fn shipping(a: &Address) -> ShippingJson {
    ShippingJson {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        company: a.company.clone(),
        address_1: a.address_1.clone(),
        address_2: a.address_2.clone(),
        city: a.city.clone(),
        postcode: a.postcode.clone(),
        country: a.country.clone(),
        state: a.state.clone(),
        phone: a.phone.clone(),
    }
}

/// A Gravatar-style URL (a stable hash of the address; not Gravatar's own MD5).
fn avatar_url(email: &str) -> String {
    let digest = sha2::Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let server = digest.first().map_or(0, |b| b % 3);
    format!("http://{server}.gravatar.com/avatar/{hex}?s=96&d=mm&r=g")
}

/// Renders a customer.
pub(crate) fn customer_json(data: &StoreData, c: &Customer, ctx: &RenderCtx) -> CustomerJson {
    let tz = data.settings.timezone;
    let (created, created_gmt) = wc_pair(tz, c.date_created);
    let modified = c.date_modified.map(|m| wc_pair(tz, m));
    CustomerJson {
        id: c.id,
        date_created: created,
        date_created_gmt: created_gmt,
        date_modified: modified.as_ref().map(|m| m.0.clone()),
        date_modified_gmt: modified.map(|m| m.1),
        email: c.email.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        role: c.role.clone(),
        username: c.username.clone(),
        billing: billing(&c.billing),
        shipping: shipping(&c.shipping),
        is_paying_customer: c.is_paying_customer,
        avatar_url: avatar_url(&c.email),
        meta_data: meta(&c.meta_data),
        _links: Links::new(
            ctx.api(&format!("/wc/v3/customers/{}", c.id)),
            ctx.api("/wc/v3/customers"),
        ),
    }
}
