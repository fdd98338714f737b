//! The demo's Customers and Orders screens: the guide's checklist rows "Import one customer",
//! "Import one order" and "Review Imported tab", and the troubleshooting rows "Customer import
//! is blocked", "Order import is blocked" and "Order import says products are missing".
//!
//! Every step checks what it shows, so the demo fails (in CI too) when the product stops doing
//! what the guide promises.

use anyhow::{bail, ensure};
use serde_json::{Value, json};

use super::{Walk, show, step};
use crate::company::records::{Item, ItemsQuery};
use crate::render;
use crate::session::{ActionInput, Session};

/// The store day of the recorded orders (placed 2026-11-27 18:28 in Berlin).
const ORDER_DAY: &str = "2026-11-27";

pub(crate) fn walk(walk: &Walk) -> anyhow::Result<()> {
    customers(walk.session)?;
    orders(walk)
}

/// The rows about one store record.
fn rows_of(response: &Value, woo_id: &str) -> Vec<Value> {
    response["table"]["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["woo_id"] == woo_id)
        .cloned()
        .collect()
}

/// The outcome of the one row about `woo_id` (`created`, `skipped`, …).
fn outcome_of(response: &Value, woo_id: &str) -> String {
    let rows = rows_of(response, woo_id);
    match rows.as_slice() {
        [one] => one["outcome"].as_str().unwrap_or_default().to_string(),
        _ => format!("{} rows", rows.len()),
    }
}

/// Shows a refusal; an answer instead of a refusal is a failure of the demo.
fn refused(result: Result<Value, crate::loader::PluginError>, what: &str) -> anyhow::Result<()> {
    match result {
        Ok(response) => {
            print!("{}", render::response(&response));
            bail!("{what} was not refused")
        }
        Err(err) => {
            println!("Refused ({}): {}", err.name, err.message);
            Ok(())
        }
    }
}

fn customers(session: &Session) -> anyhow::Result<()> {
    let import = ActionInput::select(["5"]);
    step("Troubleshooting: Customer import is blocked");
    println!(
        "\"Allow importing WooCommerce customers\" is still off, so Import on the Customers screen is refused with what is missing:"
    );
    refused(
        session.action("customers.woo.import", &import),
        "Customer import with the option off",
    )?;
    println!(
        "What to check (the guide): importing customers is allowed, and the user may create customers."
    );
    session
        .set_options(json!({ "allow_import_customers": true }))
        .map_err(|(err, _)| err)?;
    println!("\"Allow importing WooCommerce customers\" is switched on.");

    step("WooCommerce Customers: the store's customers, one page at a time");
    show(session.action(
        "customers.woo.refresh",
        &ActionInput::default().param("per_page", 10),
    ))?;

    step("Checklist: Import one customer (Ben Müller, who has no phone)");
    let first = show(session.action("customers.woo.import", &import))?;
    ensure!(
        outcome_of(&first, "5") == "created",
        "the customer was not created"
    );
    println!("The same customer again:");
    let again = show(session.action("customers.woo.import", &import))?;
    ensure!(
        outcome_of(&again, "5") == "skipped",
        "the second import of the customer was not skipped"
    );
    Ok(())
}

/// The QBM service item that carries shipping charges, as an administrator would add it.
fn shipping_item(session: &Session) -> anyhow::Result<String> {
    let company = session.company();
    let existing = company.items_query(&ItemsQuery {
        codes: Some(vec!["SVC-SHIPPING".into()]),
        ..ItemsQuery::default()
    })?;
    if let Some(id) = existing.into_iter().find_map(|i| i.id) {
        return Ok(id);
    }
    let created = company.items_create(&Item {
        code: "SVC-SHIPPING".into(),
        name: "Shipping".into(),
        item_type: "service".into(),
        active: true,
        ..Item::default()
    })?;
    created
        .id
        .ok_or_else(|| anyhow::anyhow!("the shipping item has no id"))
}

fn orders(walk: &Walk) -> anyhow::Result<()> {
    let session = walk.session;
    let day = || {
        ActionInput::default()
            .param("from", ORDER_DAY)
            .param("to", ORDER_DAY)
    };

    step("Troubleshooting: Order import is blocked");
    println!("\"Allow importing WooCommerce orders\" is still off:");
    refused(
        session.action("orders.woo.import", &ActionInput::select(["1040"])),
        "Order import with the option off",
    )?;
    println!(
        "What to check (the guide): importing orders is allowed, and the user may create sales orders."
    );
    let shipping = shipping_item(session)?;
    let fee = super::ids_of(session, &["SVC-GIFTWRAP"])?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("the sample company has no gift wrapping item"))?;
    session
        .set_options(json!({
            "allow_import_orders": true,
            "shipping_item": shipping,
            "fee_item": fee,
        }))
        .map_err(|(err, _)| err)?;
    println!(
        "\"Allow importing WooCommerce orders\" is on; shipping goes to the service item Shipping, fees to Gift Wrapping."
    );

    step(
        "WooCommerce Orders tab: the orders of 27 November 2026 (the store's days, Europe/Berlin)",
    );
    show(session.action("orders.woo.refresh", &day()))?;

    step("Troubleshooting: Order import says products are missing");
    println!(
        "Orders 1040 and 1044 are selected; a product of 1044 was deleted from the store, so nothing is imported and every missing line is listed:"
    );
    let blocked =
        show(session.action("orders.woo.import", &ActionInput::select(["1040", "1044"])))?;
    ensure!(
        outcome_of(&blocked, "1044") == "missing" && outcome_of(&blocked, "1040") == "not_done",
        "the missing product did not stop the import"
    );
    println!(
        "What to check (the guide): every order line's SKU matches a QBM item SKU or lookup code."
    );

    step("Checklist: Import one order (1040: coupon, shipping and tax)");
    let import = ActionInput::select(["1040"]).param("location_id", "1");
    let first = show(session.action("orders.woo.import", &import))?;
    ensure!(
        outcome_of(&first, "1040") == "created",
        "the order was not created"
    );
    let number = rows_of(&first, "1040")[0]["qbm_order"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let links = session
        .company()
        .links_get(&crate::company::records::LinksQuery {
            kind: "order".into(),
            woo_ids: Some(vec!["1040".into()]),
            qbm_ids: None,
        })?;
    ensure!(links.len() == 1, "the order was not linked");
    println!(
        "QBM order {number} is linked to WooCommerce order 1040 (QBM id {}); its reference is the WooCommerce number.",
        links[0].qbm_id
    );
    println!("The same order again:");
    let again = show(session.action("orders.woo.import", &import))?;
    ensure!(
        outcome_of(&again, "1040") == "skipped",
        "the second import of the order was not skipped"
    );

    step("Checklist: Review Imported tab");
    let imported = show(session.action("orders.imported.refresh", &day()))?;
    ensure!(
        rows_of(&imported, "1040").len() == 1,
        "the imported order is not on the Imported tab"
    );
    println!("In WooCommerce admin the shop cancels order 1040 after it was imported:");
    walk.store.set_order_status(1040, "cancelled")?;
    let changed = show(session.action("orders.imported.refresh", &day()))?;
    ensure!(
        rows_of(&changed, "1040")[0]["store_status"] == "Cancelled",
        "the Imported tab does not show the store's current status"
    );
    Ok(())
}
