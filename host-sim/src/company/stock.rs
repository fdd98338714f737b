//! On-hand stock and its movements.
//!
//! `stock.on_hand` is what is available to sell at a location: a customer order takes its
//! quantities off when it is created (as QBM commits stock to an order), so `stock_on_hand`
//! never reports stock that an order already holds. Every change of on-hand appends a movement
//! (sequence number, item, location, time, change), and `stock_changes` answers which items
//! moved after a sequence number: the cursor the plugin keeps.
//!
//! A movement's sequence number comes from an AUTOINCREMENT key inside the write transaction that
//! changes the stock. SQLite lets one transaction write at a time, so a movement committed later
//! always has a larger number than every movement a reader could already see: a cursor never
//! skips a movement that commits after it was handed out.

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};
use rust_decimal::Decimal;
use serde::Serialize;

use super::records::StockLevel;
use super::{Company, CompanyError, CompanyResult, placeholders};

/// One change of on-hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub seq: i64,
    pub item_id: String,
    pub location_id: String,
    pub at: DateTime<Utc>,
    pub change: Decimal,
    pub reason: String,
}

/// Times are stored in one fixed-width form so that comparing the text compares the times.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn on_hand(conn: &Connection, item_id: i64, location_id: &str) -> rusqlite::Result<Decimal> {
    let text: Option<String> = conn
        .query_row(
            "SELECT on_hand FROM stock WHERE item_id = ?1 AND location_id = ?2",
            params![item_id, location_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(text
        .and_then(|t| Decimal::from_str(&t).ok())
        .unwrap_or_default())
}

fn write(
    conn: &Connection,
    item_id: i64,
    location_id: &str,
    before: Decimal,
    after: Decimal,
    reason: &str,
) -> rusqlite::Result<()> {
    if before == after {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO stock (item_id, location_id, on_hand) VALUES (?1, ?2, ?3)
         ON CONFLICT (item_id, location_id) DO UPDATE SET on_hand = excluded.on_hand",
        params![item_id, location_id, after.normalize().to_string()],
    )?;
    conn.execute(
        "INSERT INTO stock_movements (item_id, location_id, at, change, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            item_id,
            location_id,
            stamp(Utc::now()),
            (after - before).normalize().to_string(),
            reason
        ],
    )?;
    Ok(())
}

/// Sets on-hand and records the movement; call inside a write transaction.
pub(super) fn set(
    conn: &Connection,
    item_id: i64,
    location_id: &str,
    quantity: Decimal,
    reason: &str,
) -> rusqlite::Result<()> {
    let before = on_hand(conn, item_id, location_id)?;
    write(conn, item_id, location_id, before, quantity, reason)
}

/// Adds `change` (negative: takes off) to on-hand and records the movement; call inside a write
/// transaction. On-hand may go below zero, as QBM allows selling stock not yet received.
pub(super) fn adjust(
    conn: &Connection,
    item_id: i64,
    location_id: &str,
    change: Decimal,
    reason: &str,
) -> rusqlite::Result<()> {
    let before = on_hand(conn, item_id, location_id)?;
    write(conn, item_id, location_id, before, before + change, reason)
}

fn item_number(item_id: &str) -> CompanyResult<i64> {
    item_id
        .parse::<i64>()
        .map_err(|_| CompanyError::Invalid(format!("bad item id {item_id}")))
}

impl Company {
    /// Available on-hand quantities for every (item, location) pair that has stock recorded:
    /// what is left to sell, customer orders already taken off. An empty list of items or
    /// locations matches nothing.
    pub fn stock_on_hand(
        &self,
        item_ids: &[String],
        location_ids: &[String],
    ) -> CompanyResult<Vec<StockLevel>> {
        if item_ids.is_empty() || location_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT item_id, location_id, on_hand FROM stock WHERE CAST(item_id AS TEXT) IN ({}) AND location_id IN ({})
             ORDER BY item_id, location_id",
            placeholders(item_ids.len()),
            placeholders(location_ids.len())
        );
        let db = self.db();
        let mut stmt = db.prepare(&sql)?;
        let rows = stmt
            .query_map(
                params_from_iter(item_ids.iter().chain(location_ids)),
                |row| {
                    let on_hand: String = row.get(2)?;
                    Ok(StockLevel {
                        item_id: row.get::<_, i64>(0)?.to_string(),
                        location_id: row.get(1)?,
                        on_hand: Decimal::from_str(&on_hand).unwrap_or_default(),
                    })
                },
            )?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Sets the on-hand quantity of one item at one location (a stock count, a goods receipt:
    /// the CLI and tests), recording the movement.
    pub fn set_on_hand(
        &self,
        item_id: &str,
        location_id: &str,
        on_hand: Decimal,
    ) -> CompanyResult<()> {
        let item = item_number(item_id)?;
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: bool = tx.query_row(
            "SELECT (SELECT COUNT(*) FROM items WHERE id = ?1) > 0 AND (SELECT COUNT(*) FROM locations WHERE id = ?2) > 0",
            params![item, location_id],
            |row| row.get(0),
        )?;
        if !known {
            return Err(CompanyError::NotFound(format!(
                "there is no QBM item {item_id} or no location {location_id}"
            )));
        }
        set(&tx, item, location_id, on_hand, "stock set")?;
        tx.commit()?;
        Ok(())
    }

    /// `stock_changes`: the items with a movement at one of `location_ids` after `cursor` (a
    /// sequence number this method answered before), or, without a cursor, at or after `since`
    /// (every movement when `since` is absent too). Answers the cursor to ask from next time
    /// (the last sequence number) and the items, in id order. An empty list of locations matches
    /// nothing, but the cursor still moves on. A cursor beyond the last movement (a company
    /// restored from a backup) counts as no cursor.
    pub fn stock_changes(
        &self,
        cursor: Option<&str>,
        since: Option<DateTime<Utc>>,
        location_ids: &[String],
    ) -> CompanyResult<(String, Vec<String>)> {
        let after = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
            Some(text) => Some(text.parse::<i64>().map_err(|_| {
                CompanyError::Invalid(format!(
                    "\"{text}\" is not a cursor this QBM answered (a whole number)"
                ))
            })?),
            None => None,
        };
        let db = self.db();
        // The last number first: movements committed while this runs are left for next time.
        let last: i64 = db.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM stock_movements",
            [],
            |row| row.get(0),
        )?;
        let after = after.filter(|a| *a <= last);
        if location_ids.is_empty() {
            return Ok((last.to_string(), Vec::new()));
        }
        let mut sql = format!(
            "SELECT DISTINCT item_id FROM stock_movements WHERE seq > ? AND seq <= ? AND location_id IN ({})",
            placeholders(location_ids.len())
        );
        let mut values: Vec<rusqlite::types::Value> = vec![after.unwrap_or(0).into(), last.into()];
        values.extend(location_ids.iter().map(|l| l.clone().into()));
        if let (None, Some(since)) = (after, since) {
            sql.push_str(" AND at >= ?");
            values.push(stamp(since).into());
        }
        sql.push_str(" ORDER BY item_id");
        let mut stmt = db.prepare(&sql)?;
        let items = stmt
            .query_map(params_from_iter(values), |row| {
                Ok(row.get::<_, i64>(0)?.to_string())
            })?
            .collect::<Result<_, _>>()?;
        Ok((last.to_string(), items))
    }

    /// Every movement, oldest first (tests and the CLI).
    pub fn stock_movements(&self) -> CompanyResult<Vec<Movement>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT seq, item_id, location_id, at, change, reason FROM stock_movements ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([], |row| {
                let at: String = row.get(3)?;
                let change: String = row.get(4)?;
                Ok(Movement {
                    seq: row.get(0)?,
                    item_id: row.get::<_, i64>(1)?.to_string(),
                    location_id: row.get(2)?,
                    at: DateTime::parse_from_rfc3339(&at)
                        .map(|d| d.with_timezone(&Utc))
                        .unwrap_or_default(),
                    change: Decimal::from_str(&change).unwrap_or_default(),
                    reason: row.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
