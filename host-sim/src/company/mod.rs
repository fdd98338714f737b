//! The simulated QBM company: items, locations and stock, accounts, customers, customer orders,
//! users with permissions, option values, plugin state and links, kept in SQLite.
//!
//! Several host-sim processes (or several [`Company`] values in one process) may open the same
//! file, as the workstations of one QBM company share one database: every write that reads
//! first runs in an IMMEDIATE transaction, so it holds the database's write lock from its first
//! read and no other workstation's write can slip in between. Secrets are not kept here at all
//! (see [`secrets`]).

mod created;
mod items;
mod orders;
mod partners;
pub mod records;
mod sample;
pub mod secrets;
mod stock;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use thiserror::Error;

pub use created::Created;
pub use sample::SAMPLE_COMPANY_NAME;
pub use secrets::SecretStore;

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

/// Called between the lookup of an existing link and the write transaction of a create.
pub type CreatePause = Arc<dyn Fn() + Send + Sync>;

/// The company database; usable from several threads (one connection behind a mutex).
pub struct Company {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    secrets: SecretStore,
    create_pause: RwLock<Option<CreatePause>>,
}

/// How long a write waits for another workstation's transaction to end.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Company {
    /// Opens (creating and filling with the sample company on first use) the database at `path`.
    /// Its secrets live beside it, in `<path>.secrets`.
    pub fn open(path: &Path) -> CompanyResult<Self> {
        let conn = Connection::open(path)?;
        // WAL lets workstations read while one writes; the setting is kept in the file.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        Self::prepare(
            conn,
            Some(path.to_path_buf()),
            SecretStore::beside(path).map_err(|err| {
                CompanyError::Invalid(format!("the secret store cannot be used: {err}"))
            })?,
        )
    }

    /// A fresh sample company in memory (its secrets in memory too).
    pub fn in_memory() -> CompanyResult<Self> {
        Self::prepare(
            Connection::open_in_memory()?,
            None,
            SecretStore::in_memory(),
        )
    }

    fn prepare(
        conn: Connection,
        path: Option<PathBuf>,
        secrets: SecretStore,
    ) -> CompanyResult<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Deleted rows are overwritten, so a value that once held a secret (a plugin that kept
        // it in plain text before moving it to protected storage) leaves nothing in the file.
        conn.execute_batch("PRAGMA secure_delete = ON;")?;
        conn.execute_batch(include_str!("schema.sql"))?;
        migrate(&conn)?;
        let company = Self {
            conn: Mutex::new(conn),
            path,
            secrets,
            create_pause: RwLock::new(None),
        };
        let mut db = company.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let empty: bool = tx.query_row("SELECT COUNT(*) = 0 FROM company", [], |row| row.get(0))?;
        if empty {
            sample::fill(&tx)?;
        }
        tx.commit()?;
        drop(db);
        Ok(company)
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The database file (`None` for an in-memory company).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where the plugin's secrets are kept: outside the database.
    pub fn secrets(&self) -> &SecretStore {
        &self.secrets
    }

    /// Runs `pause` in every create that carries a WooCommerce identity, after it looked for an
    /// existing link and before it starts writing. Tests use it to line two workstations up so
    /// both miss each other's link and the database's unique key has to decide.
    pub fn set_create_pause(&self, pause: Option<CreatePause>) {
        *self
            .create_pause
            .write()
            .unwrap_or_else(PoisonError::into_inner) = pause;
    }

    /// Lines these companies (two workstations' views of one company file, usually) up at every
    /// create: each waits in [`Company::set_create_pause`] until all of them have reached it.
    pub fn line_up_creates(companies: &[&Company]) {
        let lined_up = Arc::new(std::sync::Barrier::new(companies.len()));
        for company in companies {
            let lined_up = Arc::clone(&lined_up);
            company.set_create_pause(Some(Arc::new(move || {
                lined_up.wait();
            })));
        }
    }

    fn pause_before_create(&self) {
        let pause = self
            .create_pause
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(pause) = pause {
            pause();
        }
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

    /// Compare-and-set: when the value under `key` is byte for byte `expected` (`None`: no value),
    /// stores `value` (`None` removes the key) and answers `true`; otherwise changes nothing and
    /// answers `false`. The read and the write are one IMMEDIATE transaction, so two
    /// workstations (processes) can never both see the old value and both write.
    pub fn storage_cas(
        &self,
        area: u32,
        scope: &str,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
    ) -> CompanyResult<bool> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<Vec<u8>> = tx
            .query_row(
                "SELECT CAST(value AS BLOB) FROM storage WHERE area = ?1 AND scope = ?2 AND key = ?3",
                params![area, scope, key],
                |row| row.get(0),
            )
            .optional()?;
        if current.as_deref() != expected.map(str::as_bytes) {
            return Ok(false);
        }
        write_storage(&tx, area, scope, key, value)?;
        tx.commit()?;
        Ok(true)
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
        write_storage(&self.db(), area, scope, key, value)?;
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

fn write_storage(
    db: &Connection,
    area: u32,
    scope: &str,
    key: &str,
    value: Option<&str>,
) -> rusqlite::Result<()> {
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

/// Brings a company file made by an older host-sim up to the current schema (new tables are
/// created by `schema.sql` itself).
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let has_net_amount: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('order_lines') WHERE name = 'net_amount'",
        [],
        |row| row.get(0),
    )?;
    if !has_net_amount {
        conn.execute_batch("ALTER TABLE order_lines ADD COLUMN net_amount TEXT")?;
    }
    Ok(())
}

/// `IN (?, ?, …)` placeholders for `n` values.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}
