//! Creating and updating customers.

use serde_json::{Map, Value};

use super::errors::WcError;
use super::fields::{FieldReader, Mode, php_intval};
use super::model::{Customer, MetaEntry, StoreData};
use super::order_write::address;
use super::params::is_email;

const EMAIL_EXISTS: &str = "An account is already registered with your email address. <a href=\"#\" class=\"showlogin\">Please log in.</a>";

/// Creates a customer; returns the new user id.
pub(crate) fn create_customer(
    data: &mut StoreData,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<u64, WcError> {
    if fields.get("id").is_some_and(|v| php_intval(v) != 0) {
        return Err(WcError::new(
            400,
            "woocommerce_rest_customer_exists",
            "Cannot create existing resource.",
        ));
    }
    if mode == Mode::Schema && fields.get("email").is_none_or(Value::is_null) {
        return Err(WcError::missing_params(vec!["email".to_owned()]));
    }
    let mut reader = FieldReader::new(fields, mode);
    let email = reader.string("email").unwrap_or_default();
    let username = reader.string("username");
    let first_name = reader.string("first_name");
    let last_name = reader.string("last_name");
    let billing = reader.object("billing");
    let shipping = reader.object("shipping");
    let meta = reader.array("meta_data").cloned();
    reader.finish()?;
    let email = email.trim().to_owned();
    if mode == Mode::Schema && !is_email(&email) {
        return Err(WcError::invalid_param(
            "email",
            "rest_invalid_email",
            "Invalid email address.",
        ));
    }
    if email.is_empty() || !is_email(&email) {
        return Err(WcError::new(
            400,
            "registration-error-invalid-email",
            "Please provide a valid email address.",
        ));
    }
    if data
        .customers
        .values()
        .any(|c| c.email.eq_ignore_ascii_case(&email))
    {
        return Err(WcError::new(
            400,
            "registration-error-email-exists",
            EMAIL_EXISTS,
        ));
    }
    let username = match username
        .map(|u| sanitize_user(&u))
        .filter(|u| !u.is_empty())
    {
        Some(name) => {
            if data
                .customers
                .values()
                .any(|c| c.username.eq_ignore_ascii_case(&name))
            {
                return Err(WcError::new(
                    400,
                    "registration-error-username-exists",
                    "An account is already registered with that username. Please choose another.",
                ));
            }
            name
        }
        None => generate_username(data, &email),
    };
    let id = data.alloc_user_id();
    let now = data.now();
    let mut customer = Customer::new(id, &email, &username, now);
    if let Some(first) = first_name {
        customer.first_name = first;
    }
    if let Some(last) = last_name {
        customer.last_name = last;
    }
    if let Some(b) = billing {
        customer.billing = address(b, &customer.billing);
    }
    if let Some(s) = shipping {
        customer.shipping = address(s, &customer.shipping);
        customer.shipping.email.clear();
    }
    if let Some(items) = meta {
        apply_customer_meta(data, &mut customer.meta_data, &items);
    }
    data.customers.insert(id, customer);
    Ok(id)
}

/// Updates a customer.
pub(crate) fn update_customer(
    data: &mut StoreData,
    id: u64,
    fields: &Map<String, Value>,
    mode: Mode,
) -> Result<(), WcError> {
    let Some(existing) = data.customers.get(&id) else {
        return Err(WcError::new(
            400,
            "woocommerce_rest_invalid_id",
            "Invalid resource ID.",
        ));
    };
    let mut customer = existing.clone();
    let mut reader = FieldReader::new(fields, mode);
    let email = reader.string("email");
    let username = reader.string("username");
    let first_name = reader.string("first_name");
    let last_name = reader.string("last_name");
    let billing = reader.object("billing");
    let shipping = reader.object("shipping");
    let meta = reader.array("meta_data").cloned();
    reader.finish()?;
    if let Some(email) = email.map(|e| e.trim().to_owned()) {
        if mode == Mode::Schema && !is_email(&email) {
            return Err(WcError::invalid_param(
                "email",
                "rest_invalid_email",
                "Invalid email address.",
            ));
        }
        let taken = data
            .customers
            .values()
            .any(|c| c.id != id && c.email.eq_ignore_ascii_case(&email));
        if taken {
            return Err(WcError::new(
                400,
                "woocommerce_rest_customer_invalid_email",
                "Email address is invalid.",
            ));
        }
        customer.email = email;
    }
    if let Some(name) = username
        && name != customer.username
    {
        return Err(WcError::new(
            400,
            "woocommerce_rest_customer_invalid_argument",
            "Username isn't editable.",
        ));
    }
    if let Some(first) = first_name {
        customer.first_name = first;
    }
    if let Some(last) = last_name {
        customer.last_name = last;
    }
    if let Some(b) = billing {
        customer.billing = address(b, &customer.billing);
    }
    if let Some(s) = shipping {
        customer.shipping = address(s, &customer.shipping);
        customer.shipping.email.clear();
    }
    if let Some(items) = meta {
        apply_customer_meta(data, &mut customer.meta_data, &items);
    }
    customer.date_modified = Some(data.now());
    data.customers.insert(id, customer);
    Ok(())
}

/// Deletes a customer (users cannot be trashed).
pub(crate) fn delete_customer(data: &mut StoreData, id: u64, force: bool) -> Result<(), WcError> {
    if !data.customers.contains_key(&id) {
        return Err(WcError::new(
            404,
            "woocommerce_rest_invalid_id",
            "Invalid resource ID.",
        ));
    }
    if !force {
        return Err(WcError::new(
            501,
            "woocommerce_rest_trash_not_supported",
            "Customers do not support trashing.",
        ));
    }
    data.customers.remove(&id);
    Ok(())
}

fn apply_customer_meta(data: &mut StoreData, meta: &mut Vec<MetaEntry>, items: &[Value]) {
    for item in items {
        let Some(key) = item.get("key").map(super::fields::coerce_text) else {
            continue;
        };
        let value = item.get("value").cloned().unwrap_or(Value::Null);
        if let Some(entry) = meta.iter_mut().find(|m| m.key == key) {
            entry.value = value;
        } else {
            let id = data.alloc_meta_id();
            meta.push(MetaEntry { id, key, value });
        }
    }
}

/// WordPress `sanitize_user` (strict): letters, digits, ` _.-@`.
fn sanitize_user(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || " _.-@".contains(*c))
        .collect()
}

/// WooCommerce's generated login: the e-mail's local part, made unique.
fn generate_username(data: &StoreData, email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    let base = sanitize_user(local).to_lowercase();
    let base = if base.is_empty() {
        "customer".to_owned()
    } else {
        base
    };
    let taken = |candidate: &str| {
        data.customers
            .values()
            .any(|c| c.username.eq_ignore_ascii_case(candidate))
    };
    if !taken(&base) {
        return base;
    }
    (2u64..)
        .map(|n| format!("{base}{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}
