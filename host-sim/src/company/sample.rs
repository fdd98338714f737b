//! The sample company a new database starts with: a small outfitter whose catalog overlaps the
//! simulated store's recorded catalog (`FX-…` SKUs), plus items the store does not have.

use std::str::FromStr;

use rusqlite::{Connection, params};
use rust_decimal::Decimal;

use super::{CompanyResult, stock};

pub const SAMPLE_COMPANY_NAME: &str = "Nordwind Outfitters GmbH";

const USERS: &[(&str, &str, [bool; 4])] = &[
    // login, name, [customers, items, sales orders, options]
    ("admin", "Administrator", [true, true, true, true]),
    ("clerk", "Sales Clerk", [true, false, true, false]),
    ("buyer", "Inventory Buyer", [false, true, false, false]),
    ("viewer", "Read-only User", [false, false, false, false]),
];

const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("4000", "Sales", "income"),
    ("4100", "Online Sales", "income"),
    ("1400", "Inventory", "asset"),
    ("1410", "Inventory - Web Shop", "asset"),
    ("5000", "Cost of Goods Sold", "cogs"),
    ("6000", "General Expense", "expense"),
    ("6100", "Shipping Expense", "expense"),
    ("5100", "Purchase Price Variance", "purchase_variance"),
];

const LOCATIONS: &[(&str, &str, &str, bool)] = &[
    ("1", "MAIN", "Main Warehouse", true),
    ("2", "SHOP", "City Store", false),
    ("3", "WEB", "Web Fulfilment", false),
];

struct SampleItem {
    code: &'static str,
    name: &'static str,
    sku: Option<&'static str>,
    lookup_code: Option<&'static str>,
    upc: Option<&'static str>,
    price: &'static str,
    kind: &'static str,
    /// On hand at MAIN, SHOP, WEB.
    stock: [&'static str; 3],
}

const ITEMS: &[SampleItem] = &[
    SampleItem {
        code: "MUG-01",
        name: "Ceramic Coffee Mug",
        sku: Some("FX-MUG"),
        lookup_code: None,
        upc: Some("4006381333900"),
        price: "12.50",
        kind: "inventory",
        stock: ["40", "6", "0"],
    },
    SampleItem {
        code: "POSTER-A2",
        name: "Art Poster A2",
        sku: Some("FX-POSTER"),
        lookup_code: None,
        upc: None,
        price: "19.90",
        kind: "inventory",
        stock: ["12", "0", "3"],
    },
    SampleItem {
        code: "TS-S-RED",
        name: "Organic T-Shirt S Red",
        sku: Some("FX-TSHIRT-S-RED"),
        lookup_code: None,
        upc: None,
        price: "19.90",
        kind: "inventory",
        stock: ["7", "2", "0"],
    },
    SampleItem {
        code: "TS-M-BLUE",
        name: "Organic T-Shirt M Blue",
        sku: Some("FX-TSHIRT-M-BLUE"),
        lookup_code: None,
        upc: None,
        price: "19.90",
        kind: "inventory",
        stock: ["3", "1", "0"],
    },
    SampleItem {
        code: "NOTE-A5",
        name: "Dotted Notebook A5",
        sku: None,
        lookup_code: Some("FX-NOTEBOOK"),
        upc: Some("4006381333931"),
        price: "8.90",
        kind: "inventory",
        stock: ["30", "10", "5"],
    },
    SampleItem {
        code: "GIFT-25",
        name: "Gift Card 25 EUR",
        sku: Some("FX-GIFT"),
        lookup_code: None,
        upc: None,
        price: "25.00",
        kind: "non_inventory",
        stock: ["0", "0", "0"],
    },
    SampleItem {
        code: "CABLE-USBC",
        name: "USB-C Cable 1 m",
        sku: Some("QBM-CABLE-1M"),
        lookup_code: None,
        upc: Some("4006381333962"),
        price: "9.99",
        kind: "inventory",
        stock: ["120", "15", "0"],
    },
    SampleItem {
        code: "LAMP-DESK",
        name: "LED Desk Lamp",
        sku: Some("QBM-LAMP"),
        lookup_code: Some("LAMP"),
        upc: None,
        price: "34.00",
        kind: "inventory",
        stock: ["18", "4", "0"],
    },
    SampleItem {
        code: "SVC-GIFTWRAP",
        name: "Gift Wrapping",
        sku: None,
        lookup_code: None,
        upc: None,
        price: "3.50",
        kind: "service",
        stock: ["0", "0", "0"],
    },
];

struct SampleCustomer {
    first: &'static str,
    last: &'static str,
    company: &'static str,
    email: &'static str,
    phone: &'static str,
    street: &'static str,
    postcode: &'static str,
    city: &'static str,
}

const CUSTOMERS: &[SampleCustomer] = &[
    SampleCustomer {
        first: "Hans",
        last: "Becker",
        company: "",
        email: "hans.becker@example.test",
        phone: "+49 30 1234567",
        street: "Lindenstraße 4",
        postcode: "10969",
        city: "Berlin",
    },
    SampleCustomer {
        first: "Maria",
        last: "Keller",
        company: "Keller Design",
        email: "maria@keller-design.example.test",
        phone: "+49 89 765432",
        street: "Sendlinger Str. 12",
        postcode: "80331",
        city: "München",
    },
    SampleCustomer {
        first: "Walk-in",
        last: "Customer",
        company: "",
        email: "",
        phone: "",
        street: "",
        postcode: "",
        city: "",
    },
];

/// Writes the sample company into an empty database, inside the caller's transaction.
pub fn fill(tx: &Connection) -> CompanyResult<()> {
    tx.execute(
        "INSERT INTO company (id, name) VALUES ('NWO', ?1)",
        [SAMPLE_COMPANY_NAME],
    )?;
    for (login, name, [customers, items, orders, options]) in USERS {
        tx.execute(
            "INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![login, name, customers, items, orders, options],
        )?;
    }
    for (number, name, kind) in ACCOUNTS {
        tx.execute(
            "INSERT INTO accounts (id, number, name, kind) VALUES (?1, ?1, ?2, ?3)",
            params![number, name, kind],
        )?;
    }
    for (id, code, name, is_default) in LOCATIONS {
        tx.execute(
            "INSERT INTO locations VALUES (?1, ?2, ?3, ?4)",
            params![id, code, name, is_default],
        )?;
    }
    for item in ITEMS {
        let (income, asset, cogs) = match item.kind {
            "inventory" => (Some("4000"), Some("1400"), Some("5000")),
            _ => (Some("4000"), None, None),
        };
        tx.execute(
            "INSERT INTO items (code, name, sku, lookup_code, upc, price, type, income_account, asset_account,
                                cogs_account, expense_account, variance_account)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '6000', '5100')",
            params![
                item.code,
                item.name,
                item.sku,
                item.lookup_code,
                item.upc,
                item.price,
                item.kind,
                income,
                asset,
                cogs
            ],
        )?;
        let id = tx.last_insert_rowid();
        for ((location, _, _, _), on_hand) in LOCATIONS.iter().zip(item.stock) {
            if item.kind == "inventory" {
                let on_hand = Decimal::from_str(on_hand).expect("sample quantities are decimals");
                stock::set(tx, id, location, on_hand, "opening balance")?;
            }
        }
    }
    for c in CUSTOMERS {
        tx.execute(
            "INSERT INTO customers (first_name, last_name, company, email, phone) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.first, c.last, c.company, c.email, c.phone],
        )?;
        let id = tx.last_insert_rowid();
        for kind in ["billing", "shipping"] {
            tx.execute(
                "INSERT INTO addresses (customer_id, kind, first_name, last_name, company, address_1, city, postcode,
                                        country, email, phone)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'DE', ?9, ?10)",
                params![id, kind, c.first, c.last, c.company, c.street, c.city, c.postcode, c.email, c.phone],
            )?;
        }
    }
    Ok(())
}
