//! Items, locations and the chart of accounts.

use std::str::FromStr;

use rusqlite::{Connection, Row, TransactionBehavior, params_from_iter, types::Value as SqlValue};
use rust_decimal::Decimal;

use super::records::{Account, Item, ItemAccounts, ItemPatch, ItemsQuery, Location, WooRef};
use super::{Company, CompanyError, CompanyResult, Created, placeholders};

const ITEM_COLUMNS: &str = "id, code, name, sku, lookup_code, upc, price, type, income_account, asset_account, \
                            cogs_account, expense_account, variance_account, active";

const ITEM_TYPES: [&str; 3] = ["inventory", "non_inventory", "service"];
const ACCOUNT_KINDS: [&str; 5] = ["income", "asset", "cogs", "expense", "purchase_variance"];

fn item_from_row(row: &Row) -> rusqlite::Result<Item> {
    let price: Option<String> = row.get(6)?;
    Ok(Item {
        id: Some(row.get::<_, i64>(0)?.to_string()),
        code: row.get(1)?,
        name: row.get(2)?,
        sku: row.get(3)?,
        lookup_code: row.get(4)?,
        upc: row.get(5)?,
        price: price.and_then(|p| Decimal::from_str(&p).ok()),
        item_type: row.get(7)?,
        accounts: ItemAccounts {
            income: row.get(8)?,
            asset: row.get(9)?,
            cogs: row.get(10)?,
            expense: row.get(11)?,
            purchase_variance: row.get(12)?,
        },
        active: row.get(13)?,
    })
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `items_query`. Each list of the query is a filter: an absent list does not filter, an empty
/// list matches nothing, a value matches exactly (trimmed, ignoring case); an item is answered
/// when it matches any value of any list given (the lists combine with OR), and with no list at
/// all every item is answered. `offset`/`limit` page through the answer in id order, which a
/// create only ever extends at the end.
pub(super) fn query_items(db: &Connection, query: &ItemsQuery) -> CompanyResult<Vec<Item>> {
    let mut clauses = Vec::new();
    let mut values: Vec<SqlValue> = Vec::new();
    let lists = [
        ("CAST(id AS TEXT)", &query.ids),
        ("code", &query.codes),
        ("sku", &query.skus),
        ("lookup_code", &query.lookup_codes),
        ("upc", &query.upcs),
        ("name", &query.names),
    ];
    let mut any_list = false;
    for (column, list) in lists {
        if let Some(list) = list {
            any_list = true;
            if list.is_empty() {
                continue;
            }
            clauses.push(format!(
                "lower(trim({column})) IN ({})",
                placeholders(list.len())
            ));
            values.extend(list.iter().map(|v| SqlValue::Text(v.trim().to_lowercase())));
        }
    }
    let filter = match (any_list, clauses.is_empty()) {
        (false, _) => String::new(),
        (true, true) => return Ok(Vec::new()),
        (true, false) => format!("WHERE {}", clauses.join(" OR ")),
    };
    let limit = query.limit.map_or(-1, |l| l as i64);
    let offset = query.offset.unwrap_or(0) as i64;
    values.push(SqlValue::Integer(limit));
    values.push(SqlValue::Integer(offset));
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items {filter} ORDER BY id LIMIT ? OFFSET ?");
    let mut stmt = db.prepare(&sql)?;
    let items = stmt
        .query_map(params_from_iter(values), item_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(items)
}

pub(super) fn load_item(db: &Connection, id: &str) -> CompanyResult<Item> {
    let query = ItemsQuery {
        ids: Some(vec![id.to_string()]),
        ..ItemsQuery::default()
    };
    query_items(db, &query)?
        .into_iter()
        .next()
        .ok_or_else(|| CompanyError::NotFound(format!("there is no QBM item with id {id}")))
}

fn check_item(db: &Connection, item: &Item) -> CompanyResult<()> {
    if item.code.trim().is_empty() {
        return Err(CompanyError::Invalid("an item needs a code".into()));
    }
    if item.name.trim().is_empty() {
        return Err(CompanyError::Invalid("an item needs a name".into()));
    }
    if !ITEM_TYPES.contains(&item.item_type.as_str()) {
        return Err(CompanyError::Invalid(format!(
            "unknown item type \"{}\"",
            item.item_type
        )));
    }
    let accounts = &item.accounts;
    for id in [
        &accounts.income,
        &accounts.asset,
        &accounts.cogs,
        &accounts.expense,
        &accounts.purchase_variance,
    ]
    .into_iter()
    .flatten()
    {
        let exists: bool = db.query_row(
            "SELECT COUNT(*) > 0 FROM accounts WHERE id = ?1",
            [id],
            |row| row.get(0),
        )?;
        if !exists {
            return Err(CompanyError::Invalid(format!(
                "there is no account with id \"{id}\""
            )));
        }
    }
    Ok(())
}

fn insert_item(db: &Connection, item: &Item) -> CompanyResult<i64> {
    if item.id.is_some() {
        return Err(CompanyError::Invalid(
            "a new item must not carry an id".into(),
        ));
    }
    check_item(db, item)?;
    let duplicate: bool = db.query_row(
        "SELECT COUNT(*) > 0 FROM items WHERE code = ?1",
        [item.code.trim()],
        |row| row.get(0),
    )?;
    if duplicate {
        return Err(CompanyError::Conflict(format!(
            "an item with code \"{}\" already exists",
            item.code.trim()
        )));
    }
    db.execute(
        "INSERT INTO items (code, name, sku, lookup_code, upc, price, type, income_account, asset_account,
                            cogs_account, expense_account, variance_account, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        rusqlite::params![
            item.code.trim(),
            item.name.trim(),
            blank_to_none(item.sku.clone()),
            blank_to_none(item.lookup_code.clone()),
            blank_to_none(item.upc.clone()),
            item.price.map(|p| p.to_string()),
            item.item_type,
            item.accounts.income,
            item.accounts.asset,
            item.accounts.cogs,
            item.accounts.expense,
            item.accounts.purchase_variance,
            item.active,
        ],
    )?;
    Ok(db.last_insert_rowid())
}

impl Company {
    /// See [`query_items`] for how the query's lists filter.
    pub fn items_query(&self, query: &ItemsQuery) -> CompanyResult<Vec<Item>> {
        query_items(&self.db(), query)
    }

    pub fn item(&self, id: &str) -> CompanyResult<Item> {
        load_item(&self.db(), id)
    }

    pub fn items_create(&self, item: &Item) -> CompanyResult<Item> {
        Ok(self.items_create_linked(item, None)?.record)
    }

    /// `items_create`: with `woo`, the item and its link are created together, or the item
    /// already linked to that WooCommerce id is answered (`existing`).
    pub fn items_create_linked(
        &self,
        item: &Item,
        woo: Option<&WooRef>,
    ) -> CompanyResult<Created<Item>> {
        self.create_linked("item", woo, |db| insert_item(db, item), load_item)
    }

    /// `items_update`: the fields the patch carries change, the others stay; read and written
    /// in one transaction so a change another workstation makes at the same time is not undone.
    pub fn items_update(&self, patch: &ItemPatch) -> CompanyResult<Item> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut item = load_item(&tx, &patch.id)?;
        if let Some(code) = &patch.code {
            item.code = code.clone();
        }
        if let Some(name) = &patch.name {
            item.name = name.clone();
        }
        if let Some(sku) = &patch.sku {
            item.sku = blank_to_none(Some(sku.clone()));
        }
        if let Some(lookup) = &patch.lookup_code {
            item.lookup_code = blank_to_none(Some(lookup.clone()));
        }
        if let Some(upc) = &patch.upc {
            item.upc = blank_to_none(Some(upc.clone()));
        }
        if patch.price.is_some() {
            item.price = patch.price;
        }
        if let Some(kind) = &patch.item_type {
            item.item_type = kind.clone();
        }
        if let Some(accounts) = &patch.accounts {
            item.accounts = accounts.clone();
        }
        if let Some(active) = patch.active {
            item.active = active;
        }
        check_item(&tx, &item)?;
        tx.execute(
            "UPDATE items SET code = ?1, name = ?2, sku = ?3, lookup_code = ?4, upc = ?5, price = ?6, type = ?7,
                income_account = ?8, asset_account = ?9, cogs_account = ?10, expense_account = ?11,
                variance_account = ?12, active = ?13 WHERE id = ?14",
            rusqlite::params![
                item.code,
                item.name,
                item.sku,
                item.lookup_code,
                item.upc,
                item.price.map(|p| p.to_string()),
                item.item_type,
                item.accounts.income,
                item.accounts.asset,
                item.accounts.cogs,
                item.accounts.expense,
                item.accounts.purchase_variance,
                item.active,
                patch.id,
            ],
        )?;
        tx.commit()?;
        Ok(item)
    }

    pub fn locations(&self) -> CompanyResult<Vec<Location>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT id, code, name, is_default FROM locations ORDER BY is_default DESC, code",
        )?;
        let list = stmt
            .query_map([], |row| {
                Ok(Location {
                    id: row.get(0)?,
                    code: row.get(1)?,
                    name: row.get(2)?,
                    is_default: row.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(list)
    }

    pub fn accounts(&self, kinds: &[String]) -> CompanyResult<Vec<Account>> {
        if let Some(bad) = kinds.iter().find(|k| !ACCOUNT_KINDS.contains(&k.as_str())) {
            return Err(CompanyError::Invalid(format!(
                "unknown account kind \"{bad}\""
            )));
        }
        let kinds: Vec<&str> = if kinds.is_empty() {
            ACCOUNT_KINDS.to_vec()
        } else {
            kinds.iter().map(String::as_str).collect()
        };
        let sql = format!(
            "SELECT id, number, name, kind FROM accounts WHERE kind IN ({}) ORDER BY number",
            placeholders(kinds.len())
        );
        let db = self.db();
        let mut stmt = db.prepare(&sql)?;
        let list = stmt
            .query_map(params_from_iter(kinds), |row| {
                Ok(Account {
                    id: row.get(0)?,
                    number: row.get(1)?,
                    name: row.get(2)?,
                    kind: row.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(list)
    }
}
