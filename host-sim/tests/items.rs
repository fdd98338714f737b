//! The Items screen through the C ABI against the simulated store: both tabs, Create / Update,
//! Sync Stock and Import, with their refusals, skip reasons, variations, prompts, per-item store
//! failures, request bounds and the cache.

mod common;

use common::Shop;
use common::rows;
use host_sim::company::records::{ItemPatch, ItemsQuery, Link, LinksQuery};
use host_sim::session::{ActionInput, Session};
use serde_json::{Value, json};

fn id_of(session: &Session, code: &str) -> String {
    let query = ItemsQuery {
        codes: Some(vec![code.to_string()]),
        ..ItemsQuery::default()
    };
    session.company().items_query(&query).unwrap()[0]
        .id
        .clone()
        .unwrap()
}

fn row_of<'a>(rows: &'a [Value], key: &str, value: &str) -> &'a Value {
    rows.iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value} in {rows:#?}"))
}

fn store_product(shop: &Shop, id: u64) -> Value {
    shop.store.with_data(|d| {
        let p = &d.products[&id];
        json!({"name": p.name, "sku": p.sku, "stock": p.stock_quantity, "manage_stock": p.manage_stock, "price": p.regular_price})
    })
}

fn set_option(session: &Session, key: &str, value: Value) {
    session.set_options(json!({ key: value })).unwrap();
}

#[test]
fn the_woocommerce_tab_lists_products_and_variations_with_their_qbm_match() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let response = session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    let rows = rows(&response);
    let tshirt = row_of(&rows, "woo_id", "1036");
    assert_eq!(tshirt["type"], "variable");
    let small_red = row_of(&rows, "woo_id", "1037");
    assert_eq!(small_red["parent_id"], "1036");
    assert_eq!(small_red["sku"], "FX-TSHIRT-S-RED");
    assert_eq!(small_red["qbm_match"], "TS-S-RED");
    assert!(
        small_red["name"]
            .as_str()
            .unwrap()
            .starts_with("FX T-Shirt - "),
        "{small_red}"
    );
    assert_eq!(row_of(&rows, "woo_id", "1038")["manage_stock"], "by parent");
    assert_eq!(
        row_of(&rows, "woo_id", "1039")["sku"],
        Value::Null,
        "a variation without its own SKU"
    );
    assert_eq!(row_of(&rows, "woo_id", "1029")["qbm_match"], "MUG-01");
    assert_eq!(
        row_of(&rows, "woo_id", "1030")["stock"],
        Value::Null,
        "unmanaged stock shows nothing"
    );
    // Variations follow their parent.
    let order: Vec<&str> = rows.iter().map(|r| r["woo_id"].as_str().unwrap()).collect();
    let parent = order.iter().position(|id| *id == "1036").unwrap();
    assert_eq!(&order[parent..parent + 4], ["1036", "1037", "1038", "1039"]);
}

#[test]
fn the_qbm_tab_matches_by_sku_and_by_lookup_code_only_when_allowed() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let response = session
        .action("items.qbm.refresh", &ActionInput::default())
        .unwrap();
    let listed = rows(&response);
    let mug = row_of(&listed, "code", "MUG-01");
    assert_eq!(mug["matched_by"], "SKU");
    assert_eq!(mug["online_stock"], 23, "25 less the 2 mugs of order 1040");
    assert_eq!(mug["online_price"], "12.50");
    assert_eq!(mug["qbm_stock"], 40, "MAIN only");
    assert_eq!(row_of(&listed, "code", "NOTE-A5")["match"], Value::Null);
    assert_eq!(row_of(&listed, "code", "CABLE-USBC")["match"], Value::Null);

    set_option(&session, "match_by_lookup_code", json!(true));
    let listed = rows(
        &session
            .action("items.qbm.refresh", &ActionInput::default())
            .unwrap(),
    );
    let note = row_of(&listed, "code", "NOTE-A5");
    assert_eq!(note["matched_by"], "lookup code");
    assert!(note["match"].as_str().unwrap().contains("1033"), "{note}");
}

#[test]
fn sync_stock_pushes_products_variations_and_parent_pools() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let selection: Vec<String> = [
        "MUG-01",
        "TS-S-RED",
        "TS-M-BLUE",
        "CABLE-USBC",
        "GIFT-25",
        "POSTER-A2",
    ]
    .iter()
    .map(|c| id_of(&session, c))
    .collect();
    let response = session
        .action("items.qbm.sync_stock", &ActionInput::select(selection))
        .unwrap();
    let lines = rows(&response);
    assert_eq!(store_product(&shop, 1029)["stock"], 40);
    assert_eq!(store_product(&shop, 1037)["stock"], 7);
    assert_eq!(
        store_product(&shop, 1036)["stock"],
        3,
        "the parent's pool gets the M/Blue quantity"
    );
    assert_eq!(store_product(&shop, 1031)["stock"], 12);
    let blue = row_of(&lines, "code", "FX-TSHIRT-M-BLUE");
    assert_eq!(blue["outcome"], "updated");
    assert!(
        blue["detail"]
            .as_str()
            .unwrap()
            .contains("managed by parent product 1036"),
        "{blue}"
    );
    assert_eq!(row_of(&lines, "code", "QBM-CABLE-1M")["outcome"], "missing");
    let gift = row_of(&lines, "code", "FX-GIFT");
    assert_eq!(gift["outcome"], "skipped");
    assert!(
        gift["detail"]
            .as_str()
            .unwrap()
            .contains("does not manage stock")
    );
    assert_eq!(response["summary"]["updated"], 4);

    // The unmatched item is in the log as a missing item.
    let log = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "missing_item"),
        )
        .unwrap();
    assert!(rows_contain(&log, "CABLE-USBC"), "{log}");

    // Pushing again changes nothing.
    let before = shop.store.requests().matching("POST");
    let again = session
        .action(
            "items.qbm.sync_stock",
            &ActionInput::select([id_of(&session, "MUG-01")]),
        )
        .unwrap();
    assert_eq!(rows(&again)[0]["outcome"], "unchanged");
    assert_eq!(
        shop.store.requests().matching("POST"),
        before,
        "no write for an unchanged quantity"
    );

    // With several locations the sum is published.
    session
        .set_options(json!({"use_multiple_locations": true, "multiple_locations": ["1", "2"]}))
        .unwrap();
    session
        .action(
            "items.qbm.sync_stock",
            &ActionInput::select([id_of(&session, "MUG-01")]),
        )
        .unwrap();
    assert_eq!(store_product(&shop, 1029)["stock"], 46);
}

fn rows_contain(response: &Value, text: &str) -> bool {
    rows(response).iter().any(|r| r.to_string().contains(text))
}

#[test]
fn missing_items_are_logged_only_when_that_option_is_on() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    set_option(&session, "log_missing_items", json!(false));
    session
        .action(
            "items.qbm.sync_stock",
            &ActionInput::select([id_of(&session, "CABLE-USBC")]),
        )
        .unwrap();
    let log = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "missing_item"),
        )
        .unwrap();
    assert!(rows(&log).is_empty(), "{log}");
}

#[test]
fn sync_stock_by_lookup_code_and_without_a_location() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let note = id_of(&session, "NOTE-A5");
    let response = session
        .action("items.qbm.sync_stock", &ActionInput::select([note.clone()]))
        .unwrap();
    assert_eq!(rows(&response)[0]["outcome"], "missing");
    set_option(&session, "match_by_lookup_code", json!(true));
    session
        .action("items.qbm.sync_stock", &ActionInput::select([note.clone()]))
        .unwrap();
    assert_eq!(store_product(&shop, 1033)["stock"], 30);

    set_option(&session, "primary_location", Value::Null);
    let err = session
        .action("items.qbm.sync_stock", &ActionInput::select([note]))
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_NOT_CONFIGURED");
    assert!(
        err.message.contains("Primary QBM location"),
        "{}",
        err.message
    );
}

#[test]
fn create_update_updates_matches_creates_the_rest_and_links_them() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let selection: Vec<String> = ["MUG-01", "CABLE-USBC", "SVC-GIFTWRAP", "TS-S-RED"]
        .iter()
        .map(|c| id_of(&session, c))
        .collect();
    let response = session
        .action(
            "items.qbm.create_update",
            &ActionInput::select(selection.clone()),
        )
        .unwrap();
    let table = rows(&response);
    assert_eq!(row_of(&table, "code", "FX-MUG")["outcome"], "updated");
    let mug = store_product(&shop, 1029);
    assert_eq!(mug["name"], "Ceramic Coffee Mug");
    assert_eq!(mug["price"], "12.50");
    assert_eq!(mug["stock"], 40);
    let cable = row_of(&table, "code", "QBM-CABLE-1M");
    assert_eq!(cable["outcome"], "created");
    let cable_id: u64 = cable["woo_id"].as_str().unwrap().parse().unwrap();
    let created = store_product(&shop, cable_id);
    assert_eq!(created["sku"], "QBM-CABLE-1M");
    assert_eq!(created["stock"], 120);
    let service = row_of(&table, "code", "SVC-GIFTWRAP");
    assert_eq!(service["outcome"], "skipped");
    assert!(service["detail"].as_str().unwrap().contains("no SKU"));
    assert_eq!(
        row_of(&table, "code", "FX-TSHIRT-S-RED")["outcome"],
        "updated"
    );
    assert_eq!(store_product(&shop, 1037)["price"], "19.90");
    assert_eq!(
        response["summary"],
        json!({"processed": 4, "created": 1, "updated": 2, "linked": 0, "unchanged": 0,
               "skipped": 1, "failed": 0, "not_done": 0, "unknown": 0})
    );

    let links = session
        .company()
        .links_get(&host_sim::company::records::LinksQuery {
            kind: "item".into(),
            woo_ids: None,
            qbm_ids: None,
        })
        .unwrap();
    let linked: Vec<(&str, &str)> = links
        .iter()
        .map(|l| (l.woo_id.as_str(), l.qbm_id.as_str()))
        .collect();
    assert!(
        linked.contains(&("1029", selection[0].as_str())),
        "{linked:?}"
    );
    assert!(
        linked.contains(&(cable_id.to_string().as_str(), selection[1].as_str())),
        "{linked:?}"
    );
    let variation_link = links.iter().find(|l| l.woo_id == "1037").unwrap();
    assert_eq!(variation_link.woo_parent_id.as_deref(), Some("1036"));
}

#[test]
fn per_item_store_failures_do_not_stop_the_others() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let company = session.company();
    let mut ids = Vec::new();
    for (code, sku) in [
        ("DUP-A", "DUP-SKU"),
        ("DUP-B", "DUP-SKU"),
        ("FINE-1", "FINE-SKU"),
    ] {
        let item = company
            .items_create(&host_sim::company::records::Item {
                code: code.into(),
                name: format!("Item {code}"),
                sku: Some(sku.into()),
                item_type: "non_inventory".into(),
                active: true,
                ..Default::default()
            })
            .unwrap();
        ids.push(item.id.unwrap());
    }
    let response = session
        .action("items.qbm.create_update", &ActionInput::select(ids))
        .unwrap();
    assert_eq!(response["summary"]["created"], 2);
    assert_eq!(response["summary"]["failed"], 1);
    let failed = rows(&response)
        .into_iter()
        .find(|r| r["outcome"] == "failed")
        .unwrap();
    assert!(
        failed["detail"].as_str().unwrap().contains("SKU"),
        "{failed}"
    );
}

#[test]
fn refusals_name_the_missing_option_and_permission() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let mug = id_of(&session, "MUG-01");
    set_option(&session, "allow_create_items", json!(false));
    let err = session
        .action(
            "items.qbm.create_update",
            &ActionInput::select([mug.clone()]),
        )
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_ACTION_NOT_ALLOWED");
    assert!(
        err.message
            .contains("Allow creating new items in WooCommerce"),
        "{}",
        err.message
    );

    session.host.set_user("clerk");
    let err = session
        .action(
            "items.qbm.create_update",
            &ActionInput::select([mug.clone()]),
        )
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
    assert!(
        err.message.contains("Allow creating new items")
            && err.message.contains("create or update items"),
        "{}",
        err.message
    );

    session.host.set_user("admin");
    set_option(&session, "allow_create_items", json!(true));
    session.host.set_user("clerk");
    let err = session
        .action(
            "items.qbm.create_update",
            &ActionInput::select([mug.clone()]),
        )
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
    assert!(!err.message.contains("Allow creating"), "{}", err.message);

    let err = session
        .action("items.woo.import", &ActionInput::select(["1029"]))
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
    session.host.set_user("admin");
    set_option(&session, "allow_import_items", json!(false));
    let err = session
        .action("items.woo.import", &ActionInput::select(["1029"]))
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_ACTION_NOT_ALLOWED");
    assert!(err.message.contains("Allow importing WooCommerce items"));

    let err = session
        .action("items.qbm.create_update", &ActionInput::default())
        .unwrap_err();
    assert_eq!(
        err.name, "QBM_WC_STATUS_INVALID_ARGUMENT",
        "a selection is needed"
    );

    set_option(&session, "enabled", json!(false));
    let err = session
        .action("items.qbm.refresh", &ActionInput::default())
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_INTEGRATION_DISABLED");
}

fn accounts_answer() -> Value {
    json!({"income": "4100", "asset": "1410", "cogs": "5000", "expense": "6000", "purchase_variance": "5100"})
}

#[test]
fn import_asks_for_the_default_accounts_then_creates_items() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let input = ActionInput::select(["1031", "1037"]);
    // 1031 is the poster, which QBM has under its SKU: remove that SKU so the import can create it.
    let poster = id_of(&session, "POSTER-A2");
    session
        .company()
        .items_update(&ItemPatch {
            id: poster,
            sku: Some(String::new()),
            name: Some("Old poster".into()),
            ..ItemPatch::default()
        })
        .unwrap();

    let first = session.action("items.woo.import", &input).unwrap();
    assert_eq!(first["outcome"], "needs_input");
    let prompt = &first["prompt"];
    assert_eq!(prompt["id"], "default_accounts");
    let labels: Vec<&str> = prompt["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Income Account",
            "Asset / Inventory",
            "COGS",
            "Expense (Default)",
            "Purchase Variance"
        ]
    );
    let income = &prompt["fields"][0];
    let choices: Vec<&str> = income["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        choices,
        ["4000", "4100"],
        "only income accounts are offered"
    );
    assert_eq!(
        session
            .company()
            .items_query(&ItemsQuery {
                skus: Some(vec!["FX-POSTER".into()]),
                ..Default::default()
            })
            .unwrap()
            .len(),
        0,
        "nothing happens before the answers"
    );

    let bad = session
        .action(
            "items.woo.import",
            &input.clone().answer(
                "default_accounts",
                json!({"income": "1400", "asset": "1410", "cogs": "5000"}),
            ),
        )
        .unwrap_err();
    assert_eq!(bad.name, "QBM_WC_STATUS_INVALID_ARGUMENT");
    assert!(bad.message.contains("Income Account"), "{}", bad.message);

    let done = session
        .action(
            "items.woo.import",
            &input.clone().answer("default_accounts", accounts_answer()),
        )
        .unwrap();
    assert_eq!(done["outcome"], "completed");
    assert_eq!(done["summary"]["created"], 1, "{done}");
    let created = session
        .company()
        .items_query(&ItemsQuery {
            skus: Some(vec!["FX-POSTER".into()]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].code, "FX-POSTER");
    assert_eq!(created[0].item_type, "inventory");
    assert_eq!(created[0].accounts.income.as_deref(), Some("4100"));
    assert_eq!(created[0].accounts.asset.as_deref(), Some("1410"));
    let done_rows = rows(&done);
    // QBM's TS-S-RED has 1037's SKU and no link to any store item: the import links it (the
    // plugin takes it for an item an earlier import created) instead of creating a second one.
    let small_red = row_of(&done_rows, "woo_id", "1037");
    assert_eq!(small_red["outcome"], "linked", "{small_red}");
    let red = id_of(&session, "TS-S-RED");
    let links = session
        .company()
        .links_get(&LinksQuery {
            kind: "item".into(),
            woo_ids: Some(vec!["1037".into()]),
            qbm_ids: None,
        })
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].qbm_id, red);
    assert_eq!(
        session
            .company()
            .items_query(&ItemsQuery {
                skus: Some(vec!["FX-TSHIRT-S-RED".into()]),
                ..Default::default()
            })
            .unwrap()
            .len(),
        1,
        "no second item with the SKU"
    );

    // The chosen accounts are offered first next time.
    let next = session
        .action("items.woo.import", &ActionInput::select(["1030"]))
        .unwrap();
    assert_eq!(next["prompt"]["fields"][0]["default"], "4100");
}

#[test]
fn import_skips_with_every_reason_and_imports_variations_by_name() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let company = session.company();
    // A QBM item with the name of the store's 1032, another whose lookup code is freed for the UPC test.
    company
        .items_create(&host_sim::company::records::Item {
            code: "NAME-CLASH".into(),
            name: shop.store.with_data(|d| d.products[&1032].name.clone()),
            item_type: "inventory".into(),
            active: true,
            ..Default::default()
        })
        .unwrap();
    // QBM items that carry the store's SKUs but are linked to other store items (since deleted
    // from the store): the import must not take them over.
    company
        .links_put(&[
            Link {
                kind: "item".into(),
                woo_id: "2001".into(),
                woo_parent_id: None,
                qbm_id: id_of(&session, "MUG-01"),
                created_at: None,
            },
            Link {
                kind: "item".into(),
                woo_id: "2002".into(),
                woo_parent_id: None,
                qbm_id: id_of(&session, "TS-S-RED"),
                created_at: None,
            },
        ])
        .unwrap();
    // Variations 1037/1038 are in QBM already; free 1038's SKU so it is imported by name, and the
    // gift card's so the virtual product is imported.
    for code in ["TS-M-BLUE", "GIFT-25"] {
        let id = id_of(&session, code);
        company
            .items_update(&ItemPatch {
                id,
                sku: Some(String::new()),
                ..ItemPatch::default()
            })
            .unwrap();
    }

    let input = ActionInput::select(["1029", "1033", "1032", "1036", "1030", "1030"])
        .answer("default_accounts", accounts_answer());
    let done = session.action("items.woo.import", &input).unwrap();
    let table = rows(&done);
    let reason = |id: &str| {
        table
            .iter()
            .filter(|r| r["woo_id"] == id)
            .map(|r| {
                format!(
                    "{}: {}",
                    r["outcome"].as_str().unwrap(),
                    r["detail"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(
        reason("1029")[0].contains("already has the SKU FX-MUG"),
        "{:?}",
        reason("1029")
    );
    assert!(
        reason("1033")[0].contains("lookup code"),
        "{:?}",
        reason("1033")
    );
    assert!(
        reason("1032")[0].contains("already has the name"),
        "{:?}",
        reason("1032")
    );
    assert!(
        reason("1036")[0].contains("variations are imported as separate items"),
        "{:?}",
        reason("1036")
    );
    assert!(
        reason("1037")[0].contains("already has the SKU"),
        "{:?}",
        reason("1037")
    );
    assert!(
        reason("1039")[0].contains("no SKU of its own"),
        "{:?}",
        reason("1039")
    );
    let gift = reason("1030");
    assert!(gift[0].starts_with("created"), "{gift:?}");
    assert!(gift[1].contains("selected twice"), "{gift:?}");
    let blue = reason("1038");
    assert!(blue[0].starts_with("created"), "{blue:?}");
    let imported = company
        .items_query(&ItemsQuery {
            skus: Some(vec!["FX-TSHIRT-M-BLUE".into(), "FX-GIFT".into()]),
            ..Default::default()
        })
        .unwrap();
    let blue = imported
        .iter()
        .find(|i| i.sku.as_deref() == Some("FX-TSHIRT-M-BLUE"))
        .unwrap();
    assert!(blue.name.starts_with("FX T-Shirt - "), "{}", blue.name);
    assert_eq!(blue.item_type, "inventory");
    let gift = imported
        .iter()
        .find(|i| i.sku.as_deref() == Some("FX-GIFT"))
        .unwrap();
    assert_eq!(gift.item_type, "service", "a virtual product without stock");
    assert_eq!(gift.accounts.asset, None);
    assert_eq!(done["summary"]["created"], 2);

    // The UPC rule: free NOTE-A5's lookup code; its UPC equals 1033's EAN.
    let note = id_of(&session, "NOTE-A5");
    company
        .items_update(&ItemPatch {
            id: note,
            lookup_code: Some(String::new()),
            ..ItemPatch::default()
        })
        .unwrap();
    let again = session
        .action(
            "items.woo.import",
            &ActionInput::select(["1033"]).answer("default_accounts", accounts_answer()),
        )
        .unwrap();
    let line = &rows(&again)[0];
    assert!(line["detail"].as_str().unwrap().contains("UPC"), "{line}");
}

#[test]
fn a_stale_cache_shows_old_data_until_clear_cache() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    // A change the store does not date (as a plugin writing to the database directly would).
    shop.store.with_data(|d| {
        let poster = d.products.get_mut(&1031).unwrap();
        poster.name = "FX Poster (changed)".into();
    });
    let cached = rows(
        &session
            .action("items.woo.refresh", &ActionInput::default())
            .unwrap(),
    );
    assert_eq!(row_of(&cached, "woo_id", "1031")["name"], "FX Poster");
    session
        .action("options.clear_cache", &ActionInput::default())
        .unwrap();
    let fresh = rows(
        &session
            .action("items.woo.refresh", &ActionInput::default())
            .unwrap(),
    );
    assert_eq!(
        row_of(&fresh, "woo_id", "1031")["name"],
        "FX Poster (changed)"
    );
}

#[test]
fn refresh_reads_only_what_changed_once_the_cache_is_warm() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    let full = shop.store.requests().total();
    shop.store.reset_requests();
    let response = session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    let incremental = shop.store.requests().total();
    assert!(
        incremental < full,
        "{incremental} requests after a full load of {full}"
    );
    assert!(
        response["message"]
            .as_str()
            .unwrap()
            .contains("changed products"),
        "{response}"
    );
}

#[test]
fn import_can_be_cancelled_between_items() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    session.host.cancel_at(Some(1));
    let done = session
        .action(
            "items.woo.import",
            &ActionInput::select(["1032", "1035"]).answer("default_accounts", accounts_answer()),
        )
        .unwrap();
    assert_eq!(done["outcome"], "cancelled");
    assert_eq!(
        done["summary"]["created"], 1,
        "what was done before Cancel is reported"
    );
}

#[test]
fn a_thousand_items_cost_ten_writes_plus_the_reads_to_match_them() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let company = session.company();
    let mut ids = Vec::new();
    for n in 0..1000 {
        let item = company
            .items_create(&host_sim::company::records::Item {
                code: format!("BULK-{n:04}"),
                name: format!("Bulk article {n}"),
                sku: Some(format!("BULK-{n:04}")),
                price: Some(rust_decimal::Decimal::new(995, 2)),
                item_type: "inventory".into(),
                active: true,
                ..Default::default()
            })
            .unwrap();
        let id = item.id.unwrap();
        company
            .set_on_hand(&id, "1", rust_decimal::Decimal::from(n % 17))
            .unwrap();
        ids.push(id);
    }
    shop.store.reset_requests();
    let response = session
        .action("items.qbm.create_update", &ActionInput::select(ids.clone()))
        .unwrap();
    assert_eq!(response["summary"]["created"], 1000);
    let counts = shop.store.requests();
    assert_eq!(
        counts.get("POST /wc/v3/products/batch"),
        10,
        "{:?}",
        counts.by_route()
    );
    assert!(
        counts.get("GET /wc/v3/products") <= 10,
        "{:?}",
        counts.by_route()
    );
    assert_eq!(
        counts.total(),
        counts.get("POST /wc/v3/products/batch") + counts.get("GET /wc/v3/products")
    );

    for id in &ids {
        company
            .set_on_hand(id, "1", rust_decimal::Decimal::from(99))
            .unwrap();
    }
    shop.store.reset_requests();
    let response = session
        .action("items.qbm.sync_stock", &ActionInput::select(ids))
        .unwrap();
    assert_eq!(response["summary"]["updated"], 1000);
    let counts = shop.store.requests();
    assert_eq!(
        counts.get("POST /wc/v3/products/batch"),
        10,
        "{:?}",
        counts.by_route()
    );
    assert!(
        counts.get("GET /wc/v3/products") <= 10,
        "{:?}",
        counts.by_route()
    );
}

#[test]
fn cancel_action_from_another_thread_stops_a_long_refresh() {
    use host_sim::store::{FaultKind, FaultRule, SeedSpec};
    use std::time::{Duration, Instant};

    let shop = Shop::http();
    shop.store.seed(&SeedSpec {
        products: 400,
        customers: 0,
        orders: 0,
        ..SeedSpec::default()
    });
    let session = common::connected(&shop);
    shop.store
        .faults()
        .add(FaultRule::new(FaultKind::Latency(Duration::from_millis(
            100,
        ))));
    let call_id = session.next_call_id();
    let started = Instant::now();
    let result = std::thread::scope(|scope| {
        let running = scope.spawn(|| session.action("items.woo.refresh", &ActionInput::default()));
        // Wait until the refresh has reported progress, then press Cancel from this thread.
        while !session
            .host
            .progress_events()
            .iter()
            .any(|e| e.call_id == call_id)
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the refresh never reported progress"
            );
            std::thread::yield_now();
        }
        session.plugin.cancel(call_id).unwrap();
        running.join().unwrap()
    });
    let err = result.expect_err("the refresh was cancelled");
    assert_eq!(err.name, "QBM_WC_STATUS_CANCELLED", "{}", err.message);
    // It stopped before reading everything: a full read needs a request per page of products
    // and one per variable product.
    let (parents, variable) = shop.store.catalog_size();
    let sent = shop.store.requests().matching("GET /wc/v3/products");
    assert!(
        sent < parents.div_ceil(100) + variable,
        "{sent} requests: the refresh ran to the end"
    );
    // Nothing half-loaded was cached.
    let err = session
        .action("options.clear_cache", &ActionInput::default())
        .unwrap();
    assert!(
        err["message"].as_str().unwrap().contains("(0 entries)"),
        "{err}"
    );
}

#[test]
fn with_a_warm_cache_a_sync_with_nothing_to_change_costs_one_request() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    session
        .action("items.woo.refresh", &ActionInput::default())
        .unwrap();
    let selection: Vec<String> = ["MUG-01", "TS-S-RED", "TS-M-BLUE", "POSTER-A2"]
        .iter()
        .map(|c| id_of(&session, c))
        .collect();
    session
        .action(
            "items.qbm.sync_stock",
            &ActionInput::select(selection.clone()),
        )
        .unwrap();
    // Again, straight after the writes: the cache is checked in one request and nothing is
    // read or written.
    shop.store.reset_requests();
    let again = session
        .action("items.qbm.sync_stock", &ActionInput::select(selection))
        .unwrap();
    assert!(
        rows(&again)
            .iter()
            .all(|r| r["outcome"] == "unchanged" || r["outcome"] == "skipped"),
        "{again}"
    );
    let counts = shop.store.requests();
    assert_eq!(counts.total(), 1, "{:?}", counts.by_route());
    assert_eq!(counts.get("GET /wc/v3/products"), 1);
}

#[test]
fn without_a_cache_linked_items_are_read_by_id_and_the_rest_by_sku() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let mug = id_of(&session, "MUG-01");
    let shirt = id_of(&session, "TS-S-RED");
    // The first sync matches by SKU and links the items.
    session
        .action(
            "items.qbm.sync_stock",
            &ActionInput::select([mug.clone(), shirt.clone()]),
        )
        .unwrap();
    let links = session
        .company()
        .links_get(&LinksQuery {
            kind: "item".into(),
            woo_ids: None,
            qbm_ids: Some(vec![mug.clone(), shirt.clone()]),
        })
        .unwrap();
    assert_eq!(links.len(), 2, "{links:?}");
    shop.store.reset_requests();
    session
        .action("items.qbm.sync_stock", &ActionInput::select([mug, shirt]))
        .unwrap();
    let lookups: Vec<String> = shop
        .store
        .request_log()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path_and_query)
        .collect();
    assert!(
        lookups.iter().any(|q| q.contains("include=1029")),
        "the linked product is read by id: {lookups:?}"
    );
    assert!(
        !lookups
            .iter()
            .any(|q| q.contains("sku=") && q.contains("FX-MUG")),
        "no SKU lookup for a linked product: {lookups:?}"
    );
}

#[test]
fn the_woocommerce_tab_answers_one_page_when_asked() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let all = rows(
        &session
            .action("items.woo.refresh", &ActionInput::default())
            .unwrap(),
    );
    let page = session
        .action(
            "items.woo.refresh",
            &ActionInput::default().param("page", 2).param("per_page", 3),
        )
        .unwrap();
    assert_eq!(rows(&page), all[3..6].to_vec());
    assert_eq!(page["paging"]["total"], all.len());
    assert_eq!(page["paging"]["total_pages"], all.len().div_ceil(3));
    // The tab says it is shown page by page, so a host knows to ask for pages.
    let screen = session.plugin.screen("items").unwrap();
    let tab = screen["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "woocommerce")
        .unwrap();
    assert!(
        tab["filters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "page" && f["type"] == "page"),
        "{tab}"
    );
}
