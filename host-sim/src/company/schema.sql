-- The simulated QBM company. Money and quantities are decimal strings; dates are RFC 3339 UTC.
PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS company (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    login               TEXT PRIMARY KEY,
    full_name           TEXT NOT NULL,
    create_customers    INTEGER NOT NULL DEFAULT 0,
    create_update_items INTEGER NOT NULL DEFAULT 0,
    create_sales_orders INTEGER NOT NULL DEFAULT 0,
    administer_options  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS accounts (
    id     TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL CHECK (kind IN ('income', 'asset', 'cogs', 'expense', 'purchase_variance'))
);

CREATE TABLE IF NOT EXISTS locations (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    code             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name             TEXT NOT NULL,
    sku              TEXT,
    lookup_code      TEXT,
    upc              TEXT,
    price            TEXT,
    type             TEXT NOT NULL CHECK (type IN ('inventory', 'non_inventory', 'service')),
    income_account   TEXT REFERENCES accounts(id),
    asset_account    TEXT REFERENCES accounts(id),
    cogs_account     TEXT REFERENCES accounts(id),
    expense_account  TEXT REFERENCES accounts(id),
    variance_account TEXT REFERENCES accounts(id),
    active           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS items_sku ON items (sku COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS items_lookup_code ON items (lookup_code COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS items_upc ON items (upc COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS items_name ON items (name COLLATE NOCASE);

-- Available to sell: customer orders take their quantities off when they are created.
CREATE TABLE IF NOT EXISTS stock (
    item_id     INTEGER NOT NULL REFERENCES items(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    on_hand     TEXT NOT NULL,
    PRIMARY KEY (item_id, location_id)
);

-- Every change of on-hand; `seq` is the cursor of `stock_changes` and is never reused.
CREATE TABLE IF NOT EXISTS stock_movements (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    at          TEXT NOT NULL,
    change      TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_movements_at ON stock_movements (at);

CREATE TABLE IF NOT EXISTS customers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    first_name TEXT NOT NULL DEFAULT '',
    last_name  TEXT NOT NULL DEFAULT '',
    company    TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS customers_email ON customers (email COLLATE NOCASE);

CREATE TABLE IF NOT EXISTS addresses (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    kind        TEXT NOT NULL CHECK (kind IN ('billing', 'shipping')),
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    company     TEXT NOT NULL DEFAULT '',
    address_1   TEXT NOT NULL DEFAULT '',
    address_2   TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT '',
    postcode    TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (customer_id, kind)
);

CREATE TABLE IF NOT EXISTS customer_orders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    number      TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    date        TEXT NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    currency    TEXT NOT NULL DEFAULT '',
    total       TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id    INTEGER NOT NULL REFERENCES customer_orders(id),
    line_no     INTEGER NOT NULL,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity    TEXT NOT NULL,
    unit_price  TEXT NOT NULL,
    tax         TEXT NOT NULL DEFAULT '0',
    -- The exact line amount before tax when the order gave one (NULL: quantity × unit price).
    net_amount  TEXT,
    PRIMARY KEY (order_id, line_no)
);

-- One QBM record per WooCommerce record and kind: the primary key is what makes a create that
-- carries a WooCommerce identity happen once, whichever workstation gets there first.
CREATE TABLE IF NOT EXISTS links (
    kind          TEXT NOT NULL CHECK (kind IN ('item', 'customer', 'order')),
    woo_id        TEXT NOT NULL,
    woo_parent_id TEXT,
    qbm_id        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (kind, woo_id)
);
CREATE INDEX IF NOT EXISTS links_qbm ON links (kind, qbm_id);

-- Option values and plugin state; `scope` is '' for company areas and the workstation name for
-- workstation areas.
CREATE TABLE IF NOT EXISTS storage (
    area  INTEGER NOT NULL,
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (area, scope, key)
);
