//! Customer orders with their lines, and links between WooCommerce ids and QBM records.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};
use rust_decimal::Decimal;

use super::records::{Link, LinksQuery, Order, OrderLine, OrdersQuery, WooRef};
use super::{Company, CompanyError, CompanyResult, Created, placeholders, stock};

const LINK_KINDS: [&str; 3] = ["item", "customer", "order"];

fn decimal(text: String) -> Decimal {
    Decimal::from_str(&text).unwrap_or_default()
}

fn order_ids(db: &Connection, query: &OrdersQuery) -> CompanyResult<Vec<i64>> {
    let mut sql = "SELECT id FROM customer_orders WHERE 1 = 1".to_string();
    let mut values: Vec<String> = Vec::new();
    if let Some(ids) = &query.ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(
            " AND CAST(id AS TEXT) IN ({})",
            placeholders(ids.len())
        ));
        values.extend(ids.iter().cloned());
    }
    if let Some(reference) = &query.reference {
        sql.push_str(" AND reference = ?");
        values.push(reference.clone());
    }
    if query.from.is_some() || query.to.is_some() {
        sql.push_str(" AND id IN (SELECT CAST(qbm_id AS INTEGER) FROM links WHERE kind = 'order')");
    }
    if let Some(from) = query.from {
        sql.push_str(" AND date >= ?");
        values.push(from.to_rfc3339());
    }
    if let Some(to) = query.to {
        sql.push_str(" AND date < ?");
        values.push(to.to_rfc3339());
    }
    sql.push_str(" ORDER BY date, id");
    let mut stmt = db.prepare(&sql)?;
    let ids = stmt
        .query_map(params_from_iter(values), |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

fn load_order(db: &Connection, id: &str) -> CompanyResult<Order> {
    let id: i64 = id
        .parse()
        .map_err(|_| CompanyError::NotFound(format!("there is no customer order with id {id}")))?;
    let mut order = db
        .query_row(
            "SELECT number, customer_id, location_id, date, reference, currency, total, notes FROM customer_orders WHERE id = ?1",
            [id],
            |row| {
                let date: String = row.get(3)?;
                Ok(Order {
                    id: Some(id.to_string()),
                    number: Some(row.get(0)?),
                    customer_id: row.get::<_, i64>(1)?.to_string(),
                    location_id: row.get(2)?,
                    date: DateTime::parse_from_rfc3339(&date).map(|d| d.with_timezone(&Utc)).unwrap_or_default(),
                    reference: row.get(4)?,
                    currency: row.get(5)?,
                    lines: Vec::new(),
                    total: decimal(row.get(6)?),
                    notes: row.get(7)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| CompanyError::NotFound(format!("there is no customer order with id {id}")))?;
    let mut stmt = db.prepare(
        "SELECT item_id, description, quantity, unit_price, tax, net_amount FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
    )?;
    order.lines = stmt
        .query_map([id], |row| {
            Ok(OrderLine {
                item_id: row.get::<_, i64>(0)?.to_string(),
                description: row.get(1)?,
                quantity: decimal(row.get(2)?),
                unit_price: decimal(row.get(3)?),
                tax: decimal(row.get(4)?),
                net_amount: row.get::<_, Option<String>>(5)?.map(decimal),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(order)
}

/// Writes a new order with its lines, taking the quantities of inventory items off the
/// order's location; inside the caller's write transaction.
fn insert_order(tx: &Connection, order: &Order, woo: Option<&WooRef>) -> CompanyResult<i64> {
    if order.id.is_some() {
        return Err(CompanyError::Invalid(
            "a new order must not carry an id".into(),
        ));
    }
    if order.lines.is_empty() {
        return Err(CompanyError::Invalid(
            "an order needs at least one line".into(),
        ));
    }
    let customer_ok: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM customers WHERE CAST(id AS TEXT) = ?1",
        [&order.customer_id],
        |r| r.get(0),
    )?;
    if !customer_ok {
        return Err(CompanyError::Invalid(format!(
            "there is no customer with id {}",
            order.customer_id
        )));
    }
    let location_ok: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM locations WHERE id = ?1",
        [&order.location_id],
        |r| r.get(0),
    )?;
    if !location_ok {
        return Err(CompanyError::Invalid(format!(
            "there is no location with id {}",
            order.location_id
        )));
    }
    // QBM posts each line's exact amount: the total is computed here, never taken on trust.
    let total: Decimal = order.lines.iter().map(|line| line.net() + line.tax).sum();
    let reference = match (
        order.reference.trim(),
        woo.and_then(|w| w.number.as_deref()),
    ) {
        ("", Some(number)) => number.to_string(),
        (reference, _) => reference.to_string(),
    };
    let next: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM customer_orders",
        [],
        |r| r.get(0),
    )?;
    let number = format!("CO-{next:05}");
    tx.execute(
        "INSERT INTO customer_orders (number, customer_id, location_id, date, reference, currency, total, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            number,
            order.customer_id,
            order.location_id,
            order.date.to_rfc3339(),
            reference,
            order.currency,
            total.to_string(),
            order.notes
        ],
    )?;
    let id = tx.last_insert_rowid();
    for (line_no, line) in order.lines.iter().enumerate() {
        let kind: Option<String> = tx
            .query_row(
                "SELECT type FROM items WHERE CAST(id AS TEXT) = ?1",
                [&line.item_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(kind) = kind else {
            return Err(CompanyError::Invalid(format!(
                "line {}: there is no item with id {}",
                line_no + 1,
                line.item_id
            )));
        };
        tx.execute(
            "INSERT INTO order_lines (order_id, line_no, item_id, description, quantity, unit_price, tax, net_amount)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                line_no as i64 + 1,
                line.item_id,
                line.description,
                line.quantity.to_string(),
                line.unit_price.to_string(),
                line.tax.to_string(),
                line.net_amount.map(|n| n.to_string())
            ],
        )?;
        if kind == "inventory" {
            let item: i64 = line
                .item_id
                .parse()
                .map_err(|_| CompanyError::Invalid(format!("bad item id {}", line.item_id)))?;
            stock::adjust(
                tx,
                item,
                &order.location_id,
                -line.quantity,
                &format!("customer order {number}"),
            )?;
        }
    }
    Ok(id)
}

impl Company {
    pub fn orders_query(&self, query: &OrdersQuery) -> CompanyResult<Vec<Order>> {
        let db = self.db();
        order_ids(&db, query)?
            .into_iter()
            .map(|id| load_order(&db, &id.to_string()))
            .collect()
    }

    pub fn orders_create(&self, order: &Order) -> CompanyResult<Order> {
        Ok(self.orders_create_linked(order, None)?.record)
    }

    /// `orders_create`: every line's item, the customer and the location must exist. The order
    /// takes its inventory quantities off the order's location, and its total is the sum of the
    /// lines' net amounts (`net_amount`, else quantity × unit price) and taxes. With `woo`, the
    /// order and its link are created together, or the order already linked to that WooCommerce
    /// order is answered (`existing`), with nothing created and no stock taken off twice.
    pub fn orders_create_linked(
        &self,
        order: &Order,
        woo: Option<&WooRef>,
    ) -> CompanyResult<Created<Order>> {
        self.create_linked("order", woo, |tx| insert_order(tx, order, woo), load_order)
    }

    /// `links_get`: links of one kind; see [`LinksQuery`] for the filters.
    pub fn links_get(&self, query: &LinksQuery) -> CompanyResult<Vec<Link>> {
        if !LINK_KINDS.contains(&query.kind.as_str()) {
            return Err(CompanyError::Invalid(format!(
                "unknown link kind \"{}\"",
                query.kind
            )));
        }
        let mut sql =
            "SELECT kind, woo_id, woo_parent_id, qbm_id, created_at FROM links WHERE kind = ?"
                .to_string();
        let mut values = vec![query.kind.clone()];
        let mut any_list = false;
        let mut clauses = Vec::new();
        for (column, list) in [("woo_id", &query.woo_ids), ("qbm_id", &query.qbm_ids)] {
            if let Some(list) = list {
                any_list = true;
                if !list.is_empty() {
                    clauses.push(format!("{column} IN ({})", placeholders(list.len())));
                    values.extend(list.iter().cloned());
                }
            }
        }
        if any_list && clauses.is_empty() {
            return Ok(Vec::new());
        }
        if !clauses.is_empty() {
            sql.push_str(&format!(" AND ({})", clauses.join(" OR ")));
        }
        sql.push_str(" ORDER BY created_at, woo_id");
        let db = self.db();
        let mut stmt = db.prepare(&sql)?;
        let links = stmt
            .query_map(params_from_iter(values), |row| {
                let created: String = row.get(4)?;
                Ok(Link {
                    kind: row.get(0)?,
                    woo_id: row.get(1)?,
                    woo_parent_id: row.get(2)?,
                    qbm_id: row.get(3)?,
                    created_at: DateTime::parse_from_rfc3339(&created)
                        .ok()
                        .map(|d| d.with_timezone(&Utc)),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(links)
    }

    /// Records links; re-recording the same link is harmless, linking a WooCommerce id to a
    /// different QBM record is refused and nothing of the batch is written.
    pub fn links_put(&self, links: &[Link]) -> CompanyResult<()> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for link in links {
            if !LINK_KINDS.contains(&link.kind.as_str()) {
                return Err(CompanyError::Invalid(format!(
                    "unknown link kind \"{}\"",
                    link.kind
                )));
            }
            let existing: Option<String> = tx
                .query_row(
                    "SELECT qbm_id FROM links WHERE kind = ?1 AND woo_id = ?2",
                    params![link.kind, link.woo_id],
                    |row| row.get(0),
                )
                .optional()?;
            match existing {
                Some(qbm_id) if qbm_id == link.qbm_id => continue,
                Some(qbm_id) => {
                    return Err(CompanyError::Conflict(format!(
                        "WooCommerce {} {} is already linked to QBM record {qbm_id}",
                        link.kind, link.woo_id
                    )));
                }
                None => {
                    let created = link.created_at.unwrap_or_else(Utc::now).to_rfc3339();
                    tx.execute(
                        "INSERT INTO links (kind, woo_id, woo_parent_id, qbm_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![link.kind, link.woo_id, link.woo_parent_id, link.qbm_id, created],
                    )?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}
