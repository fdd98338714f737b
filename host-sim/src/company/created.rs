//! Creating a record made from a WooCommerce record exactly once (ABI 1.1).
//!
//! The record and its link are written in one transaction, and the links table's primary key
//! (kind, woo_id) admits one link per WooCommerce record. So a retry after a lost answer, a
//! plugin restarted half way, or two workstations importing the same order at the same moment
//! all end with one record: whoever comes second gets the first one's record, marked
//! `existing`.

use chrono::Utc;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::records::WooRef;
use super::{Company, CompanyError, CompanyResult};

/// What a create produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created<T> {
    pub record: T,
    /// The record was already linked to the WooCommerce id; nothing was created.
    pub existing: bool,
}

fn linked(db: &Connection, kind: &str, woo_id: &str) -> rusqlite::Result<Option<String>> {
    db.query_row(
        "SELECT qbm_id FROM links WHERE kind = ?1 AND woo_id = ?2",
        params![kind, woo_id],
        |row| row.get(0),
    )
    .optional()
}

/// The insert broke the links table's key: another writer linked that WooCommerce id first.
fn is_duplicate_link(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == ErrorCode::ConstraintViolation
                && matches!(
                    failure.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY | rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                )
    )
}

impl Company {
    /// Creates a record with `insert` (inside the write transaction; it answers the new id) and,
    /// with `woo`, its link in the same transaction. When the WooCommerce id is linked already,
    /// nothing is created and the linked record is answered with `existing`.
    ///
    /// The link is looked up before the write transaction, so the common repeat costs no write
    /// lock; a link another workstation commits after that lookup is caught by the key when this
    /// create inserts its own, and the whole create is rolled back.
    pub(super) fn create_linked<T>(
        &self,
        kind: &str,
        woo: Option<&WooRef>,
        insert: impl FnOnce(&Connection) -> CompanyResult<i64>,
        load: impl Fn(&Connection, &str) -> CompanyResult<T>,
    ) -> CompanyResult<Created<T>> {
        if let Some(woo) = woo {
            let db = self.db();
            if let Some(qbm_id) = linked(&db, kind, &woo.woo_id)? {
                return Ok(Created {
                    record: load(&db, &qbm_id)?,
                    existing: true,
                });
            }
            drop(db);
            self.pause_before_create();
        }
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert(&tx)?;
        if let Some(woo) = woo {
            let inserted = tx.execute(
                "INSERT INTO links (kind, woo_id, woo_parent_id, qbm_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kind, woo.woo_id, woo.woo_parent_id, id.to_string(), Utc::now().to_rfc3339()],
            );
            match inserted {
                Ok(_) => {}
                Err(err) if is_duplicate_link(&err) => {
                    // Dropping the transaction rolls the record back with everything it did.
                    drop(tx);
                    let qbm_id = linked(&db, kind, &woo.woo_id)?.ok_or_else(|| {
                        CompanyError::Conflict(format!(
                            "WooCommerce {kind} {} was linked and unlinked while it was being created; try again",
                            woo.woo_id
                        ))
                    })?;
                    return Ok(Created {
                        record: load(&db, &qbm_id)?,
                        existing: true,
                    });
                }
                Err(err) => return Err(err.into()),
            }
        }
        tx.commit()?;
        Ok(Created {
            record: load(&db, &id.to_string())?,
            existing: false,
        })
    }
}
