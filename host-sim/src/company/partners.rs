//! Customers/partners with their billing and shipping addresses.

use rusqlite::{Connection, OptionalExtension, params};

use super::records::{Address, Customer, CustomersQuery, WooRef};
use super::{Company, CompanyError, CompanyResult, Created};

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn load_address(db: &Connection, customer_id: i64, kind: &str) -> rusqlite::Result<Address> {
    db.query_row(
        "SELECT first_name, last_name, company, address_1, address_2, city, state, postcode, country, email, phone
         FROM addresses WHERE customer_id = ?1 AND kind = ?2",
        params![customer_id, kind],
        |row| {
            Ok(Address {
                first_name: row.get(0)?,
                last_name: row.get(1)?,
                company: row.get(2)?,
                address_1: row.get(3)?,
                address_2: row.get(4)?,
                city: row.get(5)?,
                state: row.get(6)?,
                postcode: row.get(7)?,
                country: row.get(8)?,
                email: row.get(9)?,
                phone: row.get(10)?,
            })
        },
    )
    .optional()
    .map(Option::unwrap_or_default)
}

fn save_address(
    db: &Connection,
    customer_id: i64,
    kind: &str,
    a: &Address,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO addresses (customer_id, kind, first_name, last_name, company, address_1, address_2, city, state,
                                postcode, country, email, phone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            customer_id,
            kind,
            a.first_name,
            a.last_name,
            a.company,
            a.address_1,
            a.address_2,
            a.city,
            a.state,
            a.postcode,
            a.country,
            a.email,
            a.phone
        ],
    )?;
    Ok(())
}

impl Company {
    fn all_customers(&self) -> CompanyResult<Vec<Customer>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT id, first_name, last_name, company, email, phone FROM customers ORDER BY id",
        )?;
        let rows: Vec<(i64, Customer)> = stmt
            .query_map([], |row| {
                let id: i64 = row.get(0)?;
                Ok((
                    id,
                    Customer {
                        id: Some(id.to_string()),
                        first_name: row.get(1)?,
                        last_name: row.get(2)?,
                        company: row.get(3)?,
                        email: row.get(4)?,
                        phone: row.get(5)?,
                        billing: Address::default(),
                        shipping: Address::default(),
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        rows.into_iter()
            .map(|(id, mut customer)| {
                customer.billing = load_address(&db, id, "billing")?;
                customer.shipping = load_address(&db, id, "shipping")?;
                Ok(customer)
            })
            .collect()
    }

    /// Customers matching any criterion of the query (see `docs/ABI.md`); `ids: []` matches
    /// nothing, absent criteria do not match.
    pub fn customers_find(&self, query: &CustomersQuery) -> CompanyResult<Vec<Customer>> {
        let wanted_phone = query.phone.as_deref().map(digits).filter(|p| !p.is_empty());
        let wanted_email = query
            .email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty());
        let wanted_name = query
            .name
            .as_deref()
            .map(|n| n.trim().to_lowercase())
            .filter(|n| !n.is_empty());
        let wanted_company = query
            .company
            .as_deref()
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty());
        let all = self.all_customers()?;
        Ok(all
            .into_iter()
            .filter(|c| {
                let by_id = query
                    .ids
                    .as_ref()
                    .is_some_and(|ids| ids.iter().any(|id| Some(id) == c.id.as_ref()));
                let by_email = wanted_email
                    .as_ref()
                    .is_some_and(|e| c.email.trim().to_lowercase() == *e);
                let by_phone = wanted_phone
                    .as_ref()
                    .is_some_and(|p| digits(&c.phone) == *p);
                let full_name =
                    format!("{} {}", c.first_name.trim(), c.last_name.trim()).to_lowercase();
                let by_name = match (&wanted_name, &wanted_company) {
                    (Some(name), Some(company)) => {
                        full_name == *name && c.company.trim().to_lowercase() == *company
                    }
                    (Some(name), None) => full_name == *name,
                    (None, Some(company)) => c.company.trim().to_lowercase() == *company,
                    (None, None) => false,
                };
                by_id || by_email || by_phone || by_name
            })
            .collect())
    }

    pub fn customers_create(&self, customer: &Customer) -> CompanyResult<Customer> {
        Ok(self.customers_create_linked(customer, None)?.record)
    }

    /// `customers_create`: with `woo`, the customer and its link are created together, or the
    /// customer already linked to that WooCommerce customer is answered (`existing`).
    pub fn customers_create_linked(
        &self,
        customer: &Customer,
        woo: Option<&WooRef>,
    ) -> CompanyResult<Created<Customer>> {
        if customer.id.is_some() {
            return Err(CompanyError::Invalid(
                "a new customer must not carry an id".into(),
            ));
        }
        if customer.first_name.trim().is_empty()
            && customer.last_name.trim().is_empty()
            && customer.company.trim().is_empty()
        {
            return Err(CompanyError::Invalid(
                "a customer needs a name or a company".into(),
            ));
        }
        self.create_linked(
            "customer",
            woo,
            |tx| {
                tx.execute(
                    "INSERT INTO customers (first_name, last_name, company, email, phone) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![customer.first_name, customer.last_name, customer.company, customer.email, customer.phone],
                )?;
                let id = tx.last_insert_rowid();
                save_address(tx, id, "billing", &customer.billing)?;
                save_address(tx, id, "shipping", &customer.shipping)?;
                Ok(id)
            },
            load_customer,
        )
    }
}

fn load_customer(db: &Connection, id: &str) -> CompanyResult<Customer> {
    let not_found = || CompanyError::NotFound(format!("there is no customer with id {id}"));
    let number: i64 = id.parse().map_err(|_| not_found())?;
    let mut customer = db
        .query_row(
            "SELECT first_name, last_name, company, email, phone FROM customers WHERE id = ?1",
            [number],
            |row| {
                Ok(Customer {
                    id: Some(number.to_string()),
                    first_name: row.get(0)?,
                    last_name: row.get(1)?,
                    company: row.get(2)?,
                    email: row.get(3)?,
                    phone: row.get(4)?,
                    billing: Address::default(),
                    shipping: Address::default(),
                })
            },
        )
        .optional()?
        .ok_or_else(not_found)?;
    customer.billing = load_address(db, number, "billing")?;
    customer.shipping = load_address(db, number, "shipping")?;
    Ok(customer)
}
