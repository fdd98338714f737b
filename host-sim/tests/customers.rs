//! The Customers screen through the C ABI against the simulated store: the paged list with its
//! search and links, Import with every rule of the duplicate policy, the refusals, the mapping
//! of the recorded customers field by field, non-ASCII text, a store failure part way, and
//! creation exactly once (repeats, two workstations at once, a lost answer).

mod common;

use common::rows;

use common::{Shop, workstation};
use host_sim::company::Company;
use host_sim::company::records::{Address, Customer, CustomersQuery, LinksQuery};
use host_sim::host_table::Callback;
use host_sim::loader::PluginLibrary;
use host_sim::session::{ActionInput, Session};
use host_sim::store::model::{Address as StoreAddress, Customer as StoreCustomer};
use host_sim::store::{FaultKind, FaultRule};
use serde_json::{Value, json};

const IMPORT: &str = "customers.woo.import";
const REFRESH: &str = "customers.woo.refresh";

fn row<'a>(rows: &'a [Value], woo_id: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["woo_id"] == woo_id)
        .unwrap_or_else(|| panic!("no row for store customer {woo_id} in {rows:#?}"))
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// A session whose options allow importing customers.
fn importing(shop: &Shop) -> Session {
    let session = common::connected(shop);
    session
        .set_options(json!({"allow_import_customers": true}))
        .unwrap();
    session
}

fn all_customers(company: &Company) -> Vec<Customer> {
    // Every customer has an id from 1 up; a generous list of ids reads them all.
    company
        .customers_find(&CustomersQuery {
            ids: Some((1..=500).map(|i| i.to_string()).collect()),
            ..CustomersQuery::default()
        })
        .unwrap()
}

fn customer_links(company: &Company) -> Vec<(String, String)> {
    company
        .links_get(&LinksQuery {
            kind: "customer".into(),
            woo_ids: None,
            qbm_ids: None,
        })
        .unwrap()
        .into_iter()
        .map(|l| (l.woo_id, l.qbm_id))
        .collect()
}

fn qbm_customer(company: &Company, id: &str) -> Customer {
    company
        .customers_find(&CustomersQuery {
            ids: Some(vec![id.to_string()]),
            ..CustomersQuery::default()
        })
        .unwrap()
        .remove(0)
}

/// The QBM customer linked to store customer `woo_id`.
fn linked_customer(company: &Company, woo_id: &str) -> Customer {
    let (_, qbm_id) = customer_links(company)
        .into_iter()
        .find(|(woo, _)| woo == woo_id)
        .unwrap_or_else(|| panic!("store customer {woo_id} is not linked"));
    qbm_customer(company, &qbm_id)
}

/// Adds a QBM customer as a clerk would type it in QBM.
fn add_qbm_customer(
    company: &Company,
    first: &str,
    last: &str,
    company_name: &str,
    email: &str,
    phone: &str,
) -> String {
    let billing = Address {
        first_name: first.into(),
        last_name: last.into(),
        company: company_name.into(),
        country: "DE".into(),
        email: email.into(),
        phone: phone.into(),
        ..Address::default()
    };
    company
        .customers_create(&Customer {
            id: None,
            first_name: first.into(),
            last_name: last.into(),
            company: company_name.into(),
            email: email.into(),
            phone: phone.into(),
            billing,
            shipping: Address::default(),
        })
        .unwrap()
        .id
        .unwrap()
}

/// Registers a store account (as WordPress does for a shop manager, a subscriber or a checkout).
fn add_store_customer(
    shop: &Shop,
    role: &str,
    account: (&str, &str, &str),
    billing: StoreAddress,
) -> u64 {
    let (first, last, email) = account;
    shop.store.with_data(|data| {
        let id = data.next_user_id;
        data.next_user_id += 1;
        let login = format!("user{id}");
        let mut customer = StoreCustomer::new(id, email, &login, data.now());
        customer.first_name = first.into();
        customer.last_name = last.into();
        customer.role = role.into();
        customer.billing = billing;
        data.customers.insert(id, customer);
        id
    })
}

fn store_address(first: &str, last: &str, email: &str, phone: &str) -> StoreAddress {
    StoreAddress {
        first_name: first.into(),
        last_name: last.into(),
        address_1: "Ringstraße 1".into(),
        city: "Leipzig".into(),
        postcode: "04109".into(),
        country: "DE".into(),
        email: email.into(),
        phone: phone.into(),
        ..StoreAddress::default()
    }
}

/// The requests the store received for `GET /customers` so far.
fn customer_list_requests(shop: &Shop) -> Vec<String> {
    shop.store
        .request_log()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path_and_query.contains("/wc/v3/customers?"))
        .map(|r| r.path_and_query)
        .collect()
}

#[test]
fn the_list_is_paged_by_the_store_searched_and_shows_the_linked_qbm_customer() {
    let shop = Shop::http();
    // Nine more accounts: a shop manager and a subscriber among them. Every role is listed, so
    // the store's administrator (user 1) is too: 3 + 9 + 1.
    let mut extra = Vec::new();
    for n in 0..9 {
        let role = match n {
            0 => "shop_manager",
            1 => "subscriber",
            _ => "customer",
        };
        let email = format!("kunde{n}@example.test");
        let name = format!("Kunde{n}");
        extra.push(add_store_customer(
            &shop,
            role,
            (&name, "Beispiel", &email),
            store_address(&name, "Beispiel", &email, ""),
        ));
    }
    let session = importing(&shop);
    shop.store.reset_requests();

    let mut seen = Vec::new();
    for page in 1..=3 {
        let response = session
            .action(
                REFRESH,
                &ActionInput::default()
                    .param("page", page)
                    .param("per_page", 5),
            )
            .unwrap();
        assert_eq!(
            response["paging"],
            json!({"page": page, "per_page": 5, "total": 13, "total_pages": 3}),
            "the response says how many there are"
        );
        let listed = rows(&response);
        assert_eq!(listed.len(), if page < 3 { 5 } else { 3 }, "{listed:#?}");
        seen.extend(listed.iter().map(|r| text(&r["woo_id"]).to_string()));
        if page == 1 {
            assert!(
                text(&response["message"]).contains("1–5 of 13"),
                "{}",
                response["message"]
            );
        }
    }
    let requests = customer_list_requests(&shop);
    assert_eq!(
        requests.len(),
        3,
        "one store request per page: {requests:?}"
    );
    assert!(
        requests.iter().all(|q| q.contains("per_page=5")),
        "only the page shown is read: {requests:?}"
    );
    seen.sort();
    let mut expected: Vec<String> = [1, 4, 5, 6]
        .into_iter()
        .chain(extra.iter().copied())
        .map(|id| id.to_string())
        .collect();
    expected.sort();
    assert_eq!(seen, expected, "every account once, whatever its role");

    // The columns, from the store's account.
    let all = rows(
        &session
            .action(REFRESH, &ActionInput::default().param("per_page", 50))
            .unwrap(),
    );
    let anna = row(&all, "4");
    assert_eq!(anna["name"], "Anna Schmidt");
    assert_eq!(anna["company"], "Schmidt & Söhne GmbH");
    assert_eq!(anna["email"], "anna.schmidt@example.test");
    assert_eq!(anna["phone"], "+49 30 1234567");
    assert_eq!(
        (&anna["city"], &anna["country"]),
        (&json!("Berlin"), &json!("DE"))
    );
    assert_eq!(anna["registered"], "2026-11-27");
    assert_eq!(anna["qbm_match"], Value::Null, "not imported yet");
    assert_eq!(row(&all, "5")["phone"], "", "Ben has no phone");

    // The search is the store's own (WooCommerce searches the e-mail, the user name and the
    // display name, comparing as MySQL does: case and accents ignored), one page at a time.
    for (term, wanted, total) in [
        ("MUELLER", Some("5"), 1),
        ("clara.weber@example.test", Some("6"), 1),
        ("@example.test", None, 13),
    ] {
        let found = session
            .action(
                REFRESH,
                &ActionInput::default()
                    .param("search", term)
                    .param("per_page", 1),
            )
            .unwrap();
        let ids: Vec<String> = rows(&found)
            .iter()
            .map(|r| text(&r["woo_id"]).to_string())
            .collect();
        assert_eq!(ids.len(), 1, "one per page: {ids:?}");
        if let Some(wanted) = wanted {
            assert_eq!(ids, [wanted], "search {term}");
        }
        assert_eq!(found["paging"]["total"], total, "search {term}");
        assert!(
            text(&found["message"]).contains(&format!("matching \"{term}\"")),
            "{}",
            found["message"]
        );
    }

    // A number (a user id, as WordPress searches digits) may come as a JSON number.
    let by_id = session
        .action(REFRESH, &ActionInput::default().param("search", 6))
        .unwrap();
    assert_eq!(rows(&by_id).len(), 1, "{by_id:#}");
    assert_eq!(rows(&by_id)[0]["woo_id"], "6");

    // Once imported, the row names the QBM customer.
    session.action(IMPORT, &ActionInput::select(["4"])).unwrap();
    let qbm_id = linked_customer(session.company(), "4").id.unwrap();
    let again = rows(
        &session
            .action(REFRESH, &ActionInput::default().param("search", "anna"))
            .unwrap(),
    );
    assert_eq!(
        row(&again, "4")["qbm_match"],
        format!("{qbm_id} Anna Schmidt (Schmidt & Söhne GmbH)")
    );
    assert_eq!(session.host.violations(), Vec::<String>::new());
}

#[test]
fn a_store_customer_found_by_a_duplicate_rule_is_linked_and_says_which_rule() {
    let shop = Shop::http();
    let session = importing(&shop);
    let company = session.company();
    // Same e-mail, written with other case and spaces.
    let ben = add_qbm_customer(
        company,
        "B.",
        "Müller",
        "",
        "  BEN.Mueller@EXAMPLE.test ",
        "",
    );
    // Same phone (written another way) and last name, another e-mail.
    let clara = add_qbm_customer(
        company,
        "Clara",
        "Weber",
        "",
        "c.weber@old-mail.example.test",
        "040 / 98 76 54",
    );
    // Same name and company, nothing else.
    let anna = add_qbm_customer(company, "anna", "SCHMIDT", "Schmidt & Söhne GmbH", "", "");
    let before = all_customers(company).len();

    let response = session
        .action(IMPORT, &ActionInput::select(["4", "5", "6"]))
        .unwrap();
    let listed = rows(&response);
    for (woo_id, qbm_id, rule) in [
        ("4", &anna, "same name and company"),
        ("5", &ben, "same e-mail"),
        ("6", &clara, "same phone and last name"),
    ] {
        let line = row(&listed, woo_id);
        assert_eq!(line["outcome"], "linked", "{line}");
        let detail = text(&line["detail"]);
        assert!(
            detail.contains(&format!("existing QBM customer {qbm_id}")) && detail.contains(rule),
            "{line}"
        );
        assert!(
            text(&line["qbm_customer"]).starts_with(&format!("{qbm_id} ")),
            "{line}"
        );
    }
    assert_eq!(response["summary"]["linked"], 3, "{}", response["summary"]);
    assert_eq!(response["summary"]["created"], 0);
    assert_eq!(all_customers(company).len(), before, "nothing created");
    let mut links = customer_links(company);
    links.sort();
    assert_eq!(
        links,
        [
            ("4".to_string(), anna.clone()),
            ("5".to_string(), ben.clone()),
            ("6".to_string(), clara.clone())
        ]
    );

    // Imported again: each is skipped as already imported, naming its QBM customer.
    let again = session
        .action(IMPORT, &ActionInput::select(["4", "5", "6"]))
        .unwrap();
    for (woo_id, qbm_id) in [("4", &anna), ("5", &ben), ("6", &clara)] {
        let line = row(&rows(&again), woo_id).clone();
        assert_eq!(line["outcome"], "skipped", "{line}");
        assert_eq!(
            line["detail"],
            format!("already imported as QBM customer {qbm_id}"),
            "{line}"
        );
    }
    assert_eq!(again["summary"]["skipped"], 3);
    assert_eq!(all_customers(company).len(), before);
}

#[test]
fn ambiguous_matches_and_two_store_customers_for_one_partner_are_reported() {
    let shop = Shop::http();
    let dora = add_store_customer(
        &shop,
        "customer",
        ("A.", "Schmidt", "a.schmidt@privat.example.test"),
        store_address(
            "A.",
            "Schmidt",
            "a.schmidt@privat.example.test",
            "030 1234567",
        ),
    );

    // Two QBM customers with Anna's e-mail: no guess, both named.
    let session = importing(&shop);
    let company = session.company();
    let first = add_qbm_customer(
        company,
        "Anna",
        "Schmidt",
        "",
        "anna.schmidt@example.test",
        "",
    );
    let second = add_qbm_customer(
        company,
        "A.",
        "Schmidt",
        "",
        "Anna.Schmidt@example.test",
        "",
    );
    let before = all_customers(company).len();
    let response = session.action(IMPORT, &ActionInput::select(["4"])).unwrap();
    let line = row(&rows(&response), "4").clone();
    assert_eq!(line["outcome"], "skipped", "{line}");
    let detail = text(&line["detail"]);
    assert!(
        detail.contains(&format!("QBM customers {first} and {second}"))
            && detail.contains("e-mail"),
        "{line}"
    );
    assert!(
        text(&line["qbm_customer"]).contains(&first)
            && text(&line["qbm_customer"]).contains(&second),
        "{line}"
    );
    assert_eq!(all_customers(company).len(), before);
    assert_eq!(customer_links(company), []);

    // Anna (by e-mail) and the other account of hers (by phone and last name, "A." being her
    // initial) resolve to one QBM customer: the first is linked, the second reported.
    let session = importing(&shop);
    let company = session.company();
    let partner = add_qbm_customer(
        company,
        "Anna",
        "Schmidt",
        "",
        "anna.schmidt@example.test",
        "+49 30 1234567",
    );
    let before = all_customers(company).len();
    let response = session
        .action(
            IMPORT,
            &ActionInput::select(["4".to_string(), dora.to_string()]),
        )
        .unwrap();
    let listed = rows(&response);
    assert_eq!(row(&listed, "4")["outcome"], "linked");
    let second = row(&listed, &dora.to_string()).clone();
    assert_eq!(second["outcome"], "skipped", "{second}");
    assert_eq!(
        second["detail"],
        format!(
            "duplicate in the selection: store customer #4 already resolves to QBM customer {partner}"
        )
    );
    assert_eq!(all_customers(company).len(), before, "not merged silently");
    assert_eq!(customer_links(company), [("4".to_string(), partner)]);

    // Hans Becker shares Anna's phone but not her name: not a match, Anna is created.
    let session = importing(&shop);
    let response = session.action(IMPORT, &ActionInput::select(["4"])).unwrap();
    assert_eq!(row(&rows(&response), "4")["outcome"], "created");
}

#[test]
fn import_is_refused_naming_the_option_the_permission_or_both() {
    let shop = Shop::http();
    let session = common::connected(&shop);
    let before = all_customers(session.company()).len();
    let import = ActionInput::select(["4"]);

    // Option off (the administrator may create customers).
    let err = session.action(IMPORT, &import).unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_ACTION_NOT_ALLOWED");
    assert!(
        err.message
            .contains("Allow importing WooCommerce customers"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("may not"), "{}", err.message);

    // Both missing: the viewer may not create customers either.
    session.host.set_user("viewer");
    let err = session.action(IMPORT, &import).unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
    assert!(
        err.message
            .contains("Allow importing WooCommerce customers")
            && err.message.contains("create customers"),
        "{}",
        err.message
    );

    // Permission missing only.
    session.host.set_user("admin");
    session
        .set_options(json!({"allow_import_customers": true}))
        .unwrap();
    session.host.set_user("buyer");
    let err = session.action(IMPORT, &import).unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_PERMISSION_DENIED");
    assert!(err.message.contains("create customers"), "{}", err.message);
    assert!(!err.message.contains("Allow importing"), "{}", err.message);

    // The list stays readable for everyone: the three customers and the store's administrator.
    assert_eq!(
        rows(&session.action(REFRESH, &ActionInput::default()).unwrap()).len(),
        4
    );
    assert_eq!(all_customers(session.company()).len(), before);
    assert_eq!(customer_links(session.company()), []);
}

/// The recorded store's answer to `GET /customers?per_page=10`.
fn recorded_customers() -> Vec<Value> {
    let path = host_sim::plugin_path::workspace_root()
        .join("tests/fixtures/woocommerce-8.9.1/GET-customers-per_page-10.json");
    let recording: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    recording["body"].as_array().unwrap().clone()
}

const ADDRESS_FIELDS: [&str; 9] = [
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
];

fn address_field<'a>(address: &'a Address, field: &str) -> &'a str {
    match field {
        "first_name" => &address.first_name,
        "last_name" => &address.last_name,
        "company" => &address.company,
        "address_1" => &address.address_1,
        "address_2" => &address.address_2,
        "city" => &address.city,
        "state" => &address.state,
        "postcode" => &address.postcode,
        "country" => &address.country,
        "email" => &address.email,
        "phone" => &address.phone,
        other => panic!("no address field {other}"),
    }
}

#[test]
fn the_recorded_customers_map_field_by_field() {
    let shop = Shop::http();
    let session = importing(&shop);
    let response = session
        .action(IMPORT, &ActionInput::select(["4", "5", "6"]))
        .unwrap();
    assert_eq!(response["summary"]["created"], 3, "{response:#}");
    for line in rows(&response) {
        assert_eq!(line["outcome"], "created", "{line}");
        assert!(
            text(&line["detail"]).starts_with("new QBM customer "),
            "{line}"
        );
    }
    let company = session.company();
    let recorded = recorded_customers();
    for id in ["4", "5", "6"] {
        let store = recorded
            .iter()
            .find(|c| c["id"].as_u64() == id.parse().ok())
            .unwrap();
        let qbm = linked_customer(company, id);
        let what = format!("store customer {id}");
        assert_eq!(qbm.first_name, text(&store["first_name"]), "{what}");
        assert_eq!(qbm.last_name, text(&store["last_name"]), "{what}");
        assert_eq!(
            qbm.email,
            text(&store["email"]),
            "{what}: the account e-mail"
        );
        assert_eq!(qbm.phone, text(&store["billing"]["phone"]), "{what}");
        assert_eq!(qbm.company, text(&store["billing"]["company"]), "{what}");
        for field in ADDRESS_FIELDS.iter().chain(&["email", "phone"]) {
            assert_eq!(
                address_field(&qbm.billing, field),
                text(&store["billing"][*field]),
                "{what}: billing {field}"
            );
        }
        for field in ADDRESS_FIELDS.iter().chain(&["phone"]) {
            assert_eq!(
                address_field(&qbm.shipping, field),
                text(&store["shipping"][*field]),
                "{what}: shipping {field}"
            );
        }
    }
    // Anna's billing e-mail (her accounting mailbox) stays on the billing address.
    let anna = linked_customer(company, "4");
    assert_eq!(anna.email, "anna.schmidt@example.test");
    assert_eq!(
        anna.billing.email,
        "buchhaltung@schmidt-soehne.example.test"
    );
    // Ben has no phone and no company: imported all the same, with empty fields.
    let ben = linked_customer(company, "5");
    assert_eq!((ben.phone.as_str(), ben.company.as_str()), ("", ""));
    assert_eq!(ben.shipping.address_2, "c/o Packstation 101");
}

#[test]
fn non_ascii_text_and_checkout_accounts_survive_the_round_trip() {
    let shop = Shop::http();
    // An account created at checkout: names only in the billing address.
    let mut billing = store_address("Zoë", "Straße-Éclair", "zoe@example.test", "+49 221 123456");
    billing.company = "Café Ñandú GmbH".into();
    billing.city = "Köln".into();
    let zoe = add_store_customer(&shop, "customer", ("", "", "zoe@example.test"), billing);
    let kanji = add_store_customer(
        &shop,
        "customer",
        ("太郎", "山田", "yamada@example.test"),
        store_address("太郎", "山田", "yamada@example.test", ""),
    );
    let session = importing(&shop);
    let response = session
        .action(
            IMPORT,
            &ActionInput::select([zoe.to_string(), kanji.to_string()]),
        )
        .unwrap();
    assert_eq!(response["summary"]["created"], 2, "{response:#}");
    let company = session.company();
    let imported = linked_customer(company, &zoe.to_string());
    assert_eq!(imported.first_name.as_bytes(), "Zoë".as_bytes());
    assert_eq!(imported.last_name.as_bytes(), "Straße-Éclair".as_bytes());
    assert_eq!(imported.company, "Café Ñandú GmbH");
    assert_eq!(imported.billing.city, "Köln");
    assert_eq!(imported.email, "zoe@example.test");
    assert_eq!(
        imported.shipping,
        Address::default(),
        "no shipping address in the store: none in QBM (ship to the billing address)"
    );
    let yamada = linked_customer(company, &kanji.to_string());
    assert_eq!(
        (yamada.first_name.as_str(), yamada.last_name.as_str()),
        ("太郎", "山田")
    );

    // Back on the screen: the same text in the list and in the linked QBM customer.
    let listed = rows(
        &session
            .action(REFRESH, &ActionInput::default().param("per_page", 50))
            .unwrap(),
    );
    let line = row(&listed, &zoe.to_string());
    assert_eq!(line["name"], "Zoë Straße-Éclair");
    assert_eq!(line["company"], "Café Ñandú GmbH");
    assert_eq!(
        line["qbm_match"],
        format!(
            "{} Zoë Straße-Éclair (Café Ñandú GmbH)",
            imported.id.unwrap()
        )
    );
    assert_eq!(row(&listed, &kanji.to_string())["name"], "太郎 山田");

    // And the duplicate policy finds them again by their non-ASCII name and company.
    let again = session
        .action(IMPORT, &ActionInput::select([zoe.to_string()]))
        .unwrap();
    assert_eq!(row(&rows(&again), &zoe.to_string())["outcome"], "skipped");
}

#[test]
fn a_store_failure_on_one_page_is_reported_and_nothing_is_half_done() {
    let shop = Shop::http();
    let mut ids = vec!["4".to_string(), "5".to_string(), "6".to_string()];
    for n in 0..120 {
        let email = format!("kunde{n:03}@example.test");
        let first = format!("Kunde{n:03}");
        ids.push(
            add_store_customer(
                &shop,
                "customer",
                (&first, "Muster", &email),
                store_address(&first, "Muster", &email, ""),
            )
            .to_string(),
        );
    }
    let session = importing(&shop);
    let company = session.company();
    let before = all_customers(company).len();

    // The list: page 1 is fine, the store fails on page 2.
    let fault = shop.store.faults().add(
        FaultRule::new(FaultKind::ServerError(500))
            .on_method("GET")
            .on_route("/wc/v3/customers")
            .after(1),
    );
    let first = session
        .action(REFRESH, &ActionInput::default().param("page", 1))
        .unwrap();
    assert_eq!(rows(&first).len(), 50);
    let err = session
        .action(REFRESH, &ActionInput::default().param("page", 2))
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_STORE_UNAVAILABLE", "{err:?}");
    assert!(err.message.contains("500"), "{}", err.message);
    shop.store.faults().remove(fault);

    // Import of 123 customers reads them in two pages; the second fails: nothing is created.
    let fault = shop.store.faults().add(
        FaultRule::new(FaultKind::ServerError(500))
            .on_method("GET")
            .on_route("/wc/v3/customers")
            .after(1),
    );
    let err = session
        .action(IMPORT, &ActionInput::select(ids.clone()))
        .unwrap_err();
    assert_eq!(err.name, "QBM_WC_STATUS_STORE_UNAVAILABLE", "{err:?}");
    assert!(err.message.contains("500"), "{}", err.message);
    assert!(shop.store.faults().fired(fault) >= 1);
    assert_eq!(all_customers(company).len(), before, "nothing created");
    assert_eq!(customer_links(company), [], "nothing linked");
    shop.store.faults().remove(fault);

    // Once the store answers again the same import does everything.
    let response = session
        .action(IMPORT, &ActionInput::select(ids.clone()))
        .unwrap();
    assert_eq!(
        response["summary"]["created"], 123,
        "{}",
        response["summary"]
    );
    assert_eq!(all_customers(company).len(), before + 123);
}

#[test]
fn two_workstations_importing_the_same_customer_at_once_make_one_partner() {
    let shop = Shop::http();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let library = PluginLibrary::load(&common::plugin()).unwrap();
    let sessions = [
        workstation(&library, &path, "WS-01"),
        workstation(&library, &path, "WS-02"),
    ];
    let mut values = shop.connection(&shop.key);
    values["primary_location"] = json!("1");
    values["allow_import_customers"] = json!(true);
    sessions[0].set_options(values).unwrap();
    let before = all_customers(sessions[0].company()).len();
    // Both find no link and no partner, then meet before writing: the company's unique link
    // key has to decide.
    Company::line_up_creates(&[sessions[0].company(), sessions[1].company()]);
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let running: Vec<_> = sessions
            .iter()
            .map(|session| {
                scope.spawn(move || session.action(IMPORT, &ActionInput::select(["6"])).unwrap())
            })
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut outcomes: Vec<String> = answers
        .iter()
        .map(|a| text(&row(&rows(a), "6")["outcome"]).to_string())
        .collect();
    outcomes.sort();
    assert_eq!(outcomes, ["created", "skipped"], "{answers:#?}");
    let skipped = answers
        .iter()
        .map(|a| row(&rows(a), "6").clone())
        .find(|r| r["outcome"] == "skipped")
        .unwrap();
    assert!(
        text(&skipped["detail"]).starts_with("already imported as QBM customer"),
        "{skipped}"
    );
    let company = sessions[1].company();
    assert_eq!(all_customers(company).len(), before + 1, "one partner");
    assert_eq!(customer_links(company).len(), 1);
    for session in &sessions {
        assert_eq!(session.host.violations(), Vec::<String>::new());
    }
}

#[test]
fn a_lost_answer_is_retried_and_the_host_answers_the_partner_it_made() {
    let shop = Shop::http();
    let session = importing(&shop);
    let company = session.company();
    let before = all_customers(company).len();

    // The host commits Clara, then its answer is lost: the plugin asks again with the same
    // WooCommerce identity and is answered with the record it made (`existing`).
    session.host.lose_answers(Callback::CustomersCreate, 1);
    let response = session.action(IMPORT, &ActionInput::select(["6"])).unwrap();
    let line = row(&rows(&response), "6").clone();
    assert_eq!(line["outcome"], "created", "{line}");
    assert!(text(&line["detail"]).contains("answer was lost"), "{line}");
    assert_eq!(session.host.call_count(Callback::CustomersCreate), 2);
    assert_eq!(all_customers(company).len(), before + 1);
    let clara = linked_customer(company, "6");
    assert_eq!(clara.last_name, "Weber");

    // Lost twice in a row: reported as failed, and the next import finds it imported.
    session.host.lose_answers(Callback::CustomersCreate, 2);
    let response = session.action(IMPORT, &ActionInput::select(["5"])).unwrap();
    let line = row(&rows(&response), "5").clone();
    assert_eq!(line["outcome"], "failed", "{line}");
    assert_eq!(response["summary"]["failed"], 1);
    let again = session.action(IMPORT, &ActionInput::select(["5"])).unwrap();
    let line = row(&rows(&again), "5").clone();
    assert_eq!(line["outcome"], "skipped", "{line}");
    assert!(
        text(&line["detail"]).starts_with("already imported as QBM customer"),
        "{line}"
    );
    assert_eq!(
        all_customers(company).len(),
        before + 2,
        "one Ben, one Clara"
    );

    // Failures are in the log (processing), one line each, and the runs too.
    let log = session
        .action(
            "logs.refresh",
            &ActionInput::default().param("category", "processing"),
        )
        .unwrap();
    let messages: Vec<String> = rows(&log)
        .iter()
        .map(|r| text(&r["message"]).to_string())
        .collect();
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.contains("store customer #5"))
            .count(),
        1,
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .filter(|m| m.starts_with("Customer import:"))
            .count()
            >= 3,
        "{messages:#?}"
    );
}
