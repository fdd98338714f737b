//! The Customers and Orders screens from the command line, as a person would use host-sim in a
//! terminal: `screen customers`, `action customers.woo.import`, `screen orders` on both tabs and
//! `action orders.woo.import` into a chosen location, against one company file.

mod common;

use std::path::Path;

use common::{Shop, lines_with};
use host_sim::company::Company;
use host_sim::company::records::{Item, LinksQuery, OrdersQuery};

fn host_sim(company: &Path, args: &[&str]) -> String {
    common::cli_ok(common::cli(company).args(args))
}

#[test]
fn customers_and_orders_from_the_command_line() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let shipping = {
        let company = Company::open(&path).unwrap();
        company
            .items_create(&Item {
                code: "SVC-SHIPPING".into(),
                name: "Shipping".into(),
                item_type: "service".into(),
                active: true,
                ..Item::default()
            })
            .unwrap()
            .id
            .unwrap()
    };
    let shipping_item = format!("shipping_item={shipping}");
    // Ids typed as numbers stay ids, a list of statuses may be written with commas.
    let saved = common::cli_ok(common::cli(&path).args(shop.options_set(&[
        "allow_import_customers=true",
        "allow_import_orders=true",
        &shipping_item,
        "fee_item=9",
        "order_import_statuses=processing,on-hold,completed",
    ])));
    assert!(saved.contains("Saved."), "{saved}");

    let customers = host_sim(&path, &["screen", "customers"]);
    assert!(customers.contains("customers.woo.refresh"), "{customers}");
    for name in ["Anna Schmidt", "Ben Müller", "Clara Weber"] {
        assert_eq!(lines_with(&customers, name).len(), 1, "{customers}");
    }
    let searched = host_sim(
        &path,
        &[
            "screen",
            "customers",
            "--param",
            "search=clara.weber@example.test",
        ],
    );
    assert!(searched.contains("Clara Weber"), "{searched}");
    assert!(!searched.contains("Ben Müller"), "{searched}");

    let imported = host_sim(
        &path,
        &["action", "customers.woo.import", "--select", "4,5"],
    );
    assert!(
        imported.contains("Customer import: 2 processed, 2 created"),
        "{imported}"
    );

    let listed = host_sim(
        &path,
        &[
            "screen",
            "orders",
            "--tab",
            "woocommerce",
            "--param",
            "from=2026-11-27",
            "--param",
            "to=2026-11-27",
        ],
    );
    assert!(
        listed.contains("6 orders from 2026-11-27 to 2026-11-27 (store time, Europe/Berlin)"),
        "{listed}"
    );
    assert_eq!(lines_with(&listed, "guest Gerda Gast").len(), 1, "{listed}");

    let orders = host_sim(
        &path,
        &[
            "action",
            "orders.woo.import",
            "--select",
            "1040,1042",
            "--param",
            "location_id=3",
        ],
    );
    assert!(
        orders.contains("Order import: 2 processed, 2 created"),
        "{orders}"
    );
    let company = Company::open(&path).unwrap();
    let made = company.orders_query(&OrdersQuery::default()).unwrap();
    assert_eq!(made.len(), 2);
    assert!(made.iter().all(|o| o.location_id == "3"), "{made:?}");
    let links = company
        .links_get(&LinksQuery {
            kind: "order".into(),
            woo_ids: None,
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(links.len(), 2);
    // Anna and Ben were imported as customers first: their orders use those customers.
    let customers = company
        .links_get(&LinksQuery {
            kind: "customer".into(),
            woo_ids: None,
            qbm_ids: None,
        })
        .unwrap();
    for order in &made {
        assert!(
            customers.iter().any(|l| l.qbm_id == order.customer_id),
            "{order:?} is on an imported customer"
        );
    }

    let tab = host_sim(
        &path,
        &[
            "screen",
            "orders",
            "--tab",
            "imported",
            "--param",
            "from=2026-11-27",
            "--param",
            "to=2026-11-27",
        ],
    );
    assert!(
        tab.contains("2 imported orders dated 2026-11-27 to 2026-11-27."),
        "{tab}"
    );
    assert!(tab.contains("(2 rows)"), "{tab}");
}
