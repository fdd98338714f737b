//! The simulated QBM company: items, locations and stock, accounts, customers, customer orders,
//! users with permissions, option values, plugin state and links, kept in SQLite.

mod items;
mod orders;
mod partners;
pub mod records;
mod sample;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;

pub use sample::SAMPLE_COMPANY_NAME;

#[derive(Debug, Error)]
pub enum CompanyError {
    #[error("company database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
}

pub type CompanyResult<T> = Result<T, CompanyError>;

/// A user of the company and what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub full_name: String,
    pub create_customers: bool,
    pub create_update_items: bool,
    pub create_sales_orders: bool,
    pub administer_options: bool,
}

/// The company database; usable from several threads (one connection behind a mutex).
pub struct Company {
    conn: Mutex<Connection>,
}

impl Company {
    /// Opens (creating and filling with the sample company on first use) the database at `path`.
    pub fn open(path: &Path) -> CompanyResult<Self> {
        Self::prepare(Connection::open(path)?)
    }

    /// A fresh sample company in memory.
    pub fn in_memory() -> CompanyResult<Self> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(conn: Connection) -> CompanyResult<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(include_str!("schema.sql"))?;
        let company = Self {
            conn: Mutex::new(conn),
        };
        let empty: bool =
            company
                .db()
                .query_row("SELECT COUNT(*) = 0 FROM company", [], |row| row.get(0))?;
        if empty {
            sample::fill(&mut company.db())?;
        }
        Ok(company)
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `(id, name)` of the company.
    pub fn identity(&self) -> CompanyResult<(String, String)> {
        Ok(self
            .db()
            .query_row("SELECT id, name FROM company LIMIT 1", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?)
    }

    pub fn user(&self, login: &str) -> CompanyResult<User> {
        self.db()
            .query_row(
                "SELECT login, full_name, create_customers, create_update_items, create_sales_orders, administer_options
                 FROM users WHERE login = ?1",
                [login],
                |row| {
                    Ok(User {
                        login: row.get(0)?,
                        full_name: row.get(1)?,
                        create_customers: row.get(2)?,
                        create_update_items: row.get(3)?,
                        create_sales_orders: row.get(4)?,
                        administer_options: row.get(5)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| CompanyError::NotFound(format!("there is no QBM user \"{login}\"")))
    }

    pub fn users(&self) -> CompanyResult<Vec<User>> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT login FROM users ORDER BY login")?;
        let logins: Vec<String> = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        drop(db);
        logins.iter().map(|login| self.user(login)).collect()
    }

    /// Grants or withdraws one permission (`create_customers`, `create_update_items`,
    /// `create_sales_orders`, `administer_options`).
    pub fn set_permission(
        &self,
        login: &str,
        permission: &str,
        allowed: bool,
    ) -> CompanyResult<()> {
        let column = match permission {
            "create_customers"
            | "create_update_items"
            | "create_sales_orders"
            | "administer_options" => permission,
            other => {
                return Err(CompanyError::Invalid(format!(
                    "unknown permission \"{other}\""
                )));
            }
        };
        let changed = self.db().execute(
            &format!("UPDATE users SET {column} = ?1 WHERE login = ?2"),
            params![allowed, login],
        )?;
        if changed == 0 {
            return Err(CompanyError::NotFound(format!(
                "there is no QBM user \"{login}\""
            )));
        }
        Ok(())
    }

    pub fn storage_get(&self, area: u32, scope: &str, key: &str) -> CompanyResult<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT value FROM storage WHERE area = ?1 AND scope = ?2 AND key = ?3",
                params![area, scope, key],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn storage_set(
        &self,
        area: u32,
        scope: &str,
        key: &str,
        value: Option<&str>,
    ) -> CompanyResult<()> {
        let db = self.db();
        match value {
            Some(value) => db.execute(
                "INSERT INTO storage (area, scope, key, value) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (area, scope, key) DO UPDATE SET value = excluded.value",
                params![area, scope, key, value],
            )?,
            None => db.execute(
                "DELETE FROM storage WHERE area = ?1 AND scope = ?2 AND key = ?3",
                params![area, scope, key],
            )?,
        };
        Ok(())
    }

    /// Every stored key of one area and scope (for inspection in tests and the CLI).
    pub fn storage_keys(&self, area: u32, scope: &str) -> CompanyResult<Vec<String>> {
        let db = self.db();
        let mut stmt =
            db.prepare("SELECT key FROM storage WHERE area = ?1 AND scope = ?2 ORDER BY key")?;
        let keys = stmt
            .query_map(params![area, scope], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(keys)
    }
}

/// `IN (?, ?, …)` placeholders for `n` values.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}
