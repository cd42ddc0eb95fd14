-- Barid's schema for SQLite. The PostgreSQL migration of the same number has the same tables,
-- columns and constraints; only the column types and the ID generation differ.
--
-- Conventions (the one SQL implementation reads both databases through sqlx's Any driver,
-- which knows only integers, text, floats and bytes):
-- * Every table is STRICT and every column is INTEGER or TEXT.
-- * `x_at` is RFC 3339 text that keeps the original UTC offset (event times keep the offset of
--   the office); `x_at_utc` is the same instant in unix microseconds, for ordering and
--   filtering. Plain record timestamps have only `x_at_utc`.
-- * Booleans are 0/1, UUIDs and JSON are text, money is minor units plus a currency code.
-- * Every row of an operator's data has an `operator` column (its ISO 3166 country code), and
--   child rows reference their parent through (operator, id), so a row can never point at
--   another operator's data.
--
-- Never edit this file once released: add 0002_... instead.

CREATE TABLE operators (
    code TEXT NOT NULL PRIMARY KEY CHECK (length(code) = 2),
    name_en TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    default_language TEXT NOT NULL CHECK (default_language IN ('ar', 'en')),
    currency TEXT NOT NULL,
    hosted INTEGER NOT NULL CHECK (hosted IN (0, 1)),
    created_at_utc INTEGER NOT NULL
) STRICT;

CREATE TABLE offices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    -- Unique on the node; equals the IMPC code for an office of exchange.
    code TEXT NOT NULL UNIQUE,
    impc TEXT UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('counter', 'exchange', 'delivery', 'headquarters')),
    name_en TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    city_en TEXT NOT NULL,
    city_ar TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_at_utc INTEGER NOT NULL,
    UNIQUE (operator, code)
) STRICT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    -- Unique on the node, so login needs no operator.
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at_utc INTEGER NOT NULL,
    updated_at_utc INTEGER NOT NULL,
    UNIQUE (operator, id)
) STRICT;

CREATE TABLE user_roles (
    operator TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'clerk', 'oe_operator', 'customs',
                                       'delivery', 'merchant', 'partner')),
    PRIMARY KEY (user_id, role),
    FOREIGN KEY (operator, user_id) REFERENCES users (operator, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE user_offices (
    operator TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    office TEXT NOT NULL,
    PRIMARY KEY (user_id, office),
    FOREIGN KEY (operator, user_id) REFERENCES users (operator, id) ON DELETE CASCADE,
    -- The office must be one of the user's operator's offices.
    FOREIGN KEY (operator, office) REFERENCES offices (operator, code)
) STRICT;
CREATE INDEX user_offices_office ON user_offices (operator, office);

-- The cookie holds a random secret; only its SHA-256 hash is kept.
CREATE TABLE sessions (
    secret_hash TEXT NOT NULL PRIMARY KEY,
    operator TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at_utc INTEGER NOT NULL,
    expires_at_utc INTEGER NOT NULL,
    FOREIGN KEY (operator, user_id) REFERENCES users (operator, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at_utc);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'clerk', 'oe_operator', 'customs',
                                       'delivery', 'merchant', 'partner')),
    office TEXT,
    -- For partner tokens: the partner operator holding it.
    partner TEXT,
    created_at_utc INTEGER NOT NULL,
    revoked_at_utc INTEGER,
    FOREIGN KEY (operator, office) REFERENCES offices (operator, code)
) STRICT;
CREATE INDEX api_tokens_operator ON api_tokens (operator, id);

CREATE TABLE s10_ranges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    indicator TEXT NOT NULL CHECK (length(indicator) = 2),
    country TEXT NOT NULL CHECK (length(country) = 2),
    first_serial INTEGER NOT NULL CHECK (first_serial BETWEEN 0 AND 99999999),
    last_serial INTEGER NOT NULL CHECK (last_serial BETWEEN 0 AND 99999999),
    -- The serial the next issue takes; NULL once the range is used up.
    next_serial INTEGER,
    created_at_utc INTEGER NOT NULL,
    CHECK (first_serial <= last_serial),
    CHECK (next_serial IS NULL OR next_serial BETWEEN first_serial AND last_serial),
    UNIQUE (operator, id)
) STRICT;
CREATE INDEX s10_ranges_series ON s10_ranges (operator, indicator, country);

CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    s10 TEXT NOT NULL CHECK (length(s10) = 13),
    -- The range the S10 ID was issued from; NULL for IDs given by the origin post.
    range_id INTEGER REFERENCES s10_ranges (id),
    service TEXT NOT NULL,
    origin_country TEXT NOT NULL,
    destination_country TEXT NOT NULL,
    office TEXT NOT NULL,
    weight_grams INTEGER NOT NULL CHECK (weight_grams >= 0),
    length_mm INTEGER,
    width_mm INTEGER,
    height_mm INTEGER,
    contents TEXT NOT NULL,
    postage_minor INTEGER,
    postage_currency TEXT,
    -- Derived from the events by the lifecycle; kept for lists and searches.
    status TEXT NOT NULL,
    leg TEXT NOT NULL CHECK (leg IN ('outbound', 'return')),
    -- Bumped on every event; record_event refuses a stale version.
    version INTEGER NOT NULL,
    created_at_utc INTEGER NOT NULL,
    updated_at_utc INTEGER NOT NULL,
    CHECK ((postage_minor IS NULL) = (postage_currency IS NULL)),
    UNIQUE (operator, s10),
    UNIQUE (operator, id)
) STRICT;
CREATE INDEX items_status ON items (operator, status, updated_at_utc);
CREATE INDEX items_created ON items (operator, created_at_utc);

CREATE TABLE item_parties (
    operator TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('sender', 'addressee')),
    name TEXT NOT NULL,
    business_name TEXT,
    -- JSON array of 1 to 4 lines.
    address_lines TEXT NOT NULL,
    city TEXT NOT NULL,
    postcode TEXT,
    country TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    -- The Latin transliteration, all three or none.
    latin_name TEXT,
    latin_address_lines TEXT,
    latin_city TEXT,
    PRIMARY KEY (item_id, role),
    FOREIGN KEY (operator, item_id) REFERENCES items (operator, id)
) STRICT;
CREATE INDEX item_parties_name ON item_parties (operator, name);
CREATE INDEX item_parties_latin_name ON item_parties (operator, latin_name);
CREATE INDEX item_parties_phone ON item_parties (operator, phone);

-- The validated CN 22 / CN 23 of an item; read back through the domain's validation.
CREATE TABLE customs_declarations (
    operator TEXT NOT NULL,
    item_id INTEGER NOT NULL PRIMARY KEY,
    form TEXT NOT NULL CHECK (form IN ('cn22', 'cn23')),
    category TEXT NOT NULL,
    explanation TEXT,
    currency TEXT NOT NULL,
    total_value_minor INTEGER NOT NULL,
    total_net_weight_grams INTEGER NOT NULL,
    gross_weight_grams INTEGER NOT NULL,
    postal_charges_minor INTEGER,
    postal_charges_currency TEXT,
    comments TEXT,
    -- JSON arrays of strings.
    licence_numbers TEXT NOT NULL,
    certificate_numbers TEXT NOT NULL,
    invoice_number TEXT,
    importer_reference TEXT,
    sender_customs_reference TEXT,
    UNIQUE (operator, item_id),
    FOREIGN KEY (operator, item_id) REFERENCES items (operator, id)
) STRICT;

CREATE TABLE customs_lines (
    operator TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    net_weight_grams INTEGER NOT NULL,
    value_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    hs_code TEXT,
    origin TEXT NOT NULL,
    PRIMARY KEY (item_id, line_no),
    FOREIGN KEY (operator, item_id) REFERENCES customs_declarations (operator, item_id)
) STRICT;
CREATE INDEX customs_lines_hs_code ON customs_lines (operator, hs_code);

-- Append-only: the triggers below refuse updates and deletes.
CREATE TABLE item_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    milestone TEXT NOT NULL,
    at TEXT NOT NULL,
    at_utc INTEGER NOT NULL,
    office TEXT NOT NULL,
    reason TEXT,
    next_action TEXT,
    signatory TEXT,
    note TEXT,
    source TEXT NOT NULL CHECK (source IN ('local', 'partner')),
    reported_by TEXT,
    -- Duty and charges collected from the addressee on delivery (EMI).
    collected_minor INTEGER CHECK (collected_minor >= 0),
    collected_currency TEXT,
    recorded_at_utc INTEGER NOT NULL,
    -- The same event twice is stored once.
    UNIQUE (item_id, code, at_utc, office),
    CHECK ((collected_minor IS NULL) = (collected_currency IS NULL)),
    FOREIGN KEY (operator, item_id) REFERENCES items (operator, id)
) STRICT;
CREATE INDEX item_events_item ON item_events (item_id, id);
CREATE INDEX item_events_at ON item_events (operator, at_utc);

-- Duty assessed by import customs on an item, collected on delivery (see item_events). One
-- per item: a new assessment replaces the last (the audit log keeps each).
CREATE TABLE item_duties (
    item_id INTEGER NOT NULL PRIMARY KEY,
    operator TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL,
    office TEXT NOT NULL,
    note TEXT,
    assessed_at_utc INTEGER NOT NULL,
    FOREIGN KEY (operator, item_id) REFERENCES items (operator, id)
) STRICT;
CREATE TRIGGER item_events_no_update BEFORE UPDATE ON item_events
BEGIN
    SELECT RAISE(ABORT, 'item_events is append-only');
END;
CREATE TRIGGER item_events_no_delete BEFORE DELETE ON item_events
BEGIN
    SELECT RAISE(ABORT, 'item_events is append-only');
END;

-- A dispatch as one operator sees it: its own outward dispatch (created when it closes, with
-- its number), or a partner's dispatch it expects as transit or inward office (from PREDES, or
-- entered by hand when no pre-advice came).
CREATE TABLE dispatches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    -- The 20-character S8 ID.
    s8 TEXT NOT NULL CHECK (length(s8) = 20),
    origin_office TEXT NOT NULL,
    destination_office TEXT NOT NULL,
    transit_office TEXT,
    mail_class TEXT NOT NULL,
    category TEXT NOT NULL,
    subclass TEXT NOT NULL,
    -- The full year; the S8 ID carries only its last digit.
    year INTEGER NOT NULL,
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9999),
    direction TEXT NOT NULL CHECK (direction IN ('outward', 'inward', 'transit')),
    -- The office of this operator handling it: origin, transit or destination office.
    office TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Whether a pre-advice (PREDES) described it, or it was entered by hand on arrival.
    advised INTEGER NOT NULL CHECK (advised IN (0, 1)),
    closed_at TEXT NOT NULL,
    closed_at_utc INTEGER NOT NULL,
    received_at TEXT,
    received_at_utc INTEGER,
    forwarded_at TEXT,
    forwarded_at_utc INTEGER,
    -- JSON array of the verification note's discrepancies, once verified.
    discrepancies TEXT,
    created_at_utc INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (operator, direction, s8, year),
    UNIQUE (operator, id)
) STRICT;
CREATE INDEX dispatches_office ON dispatches (operator, office, direction, status, closed_at_utc);

-- Dispatch numbers run from 1 without gaps per series (origin, destination, category,
-- subclass) and year; the counter moves in the transaction that closes the dispatch, so a
-- rollback returns the number.
CREATE TABLE dispatch_counters (
    operator TEXT NOT NULL REFERENCES operators (code),
    origin_office TEXT NOT NULL,
    destination_office TEXT NOT NULL,
    category TEXT NOT NULL,
    subclass TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL CHECK (last_number BETWEEN 1 AND 9999),
    PRIMARY KEY (operator, origin_office, destination_office, category, subclass, year)
) STRICT;

-- Outward: opened for a series, filled, closed with its weight, and given its serial and S9 ID
-- when its dispatch closes. Inward and transit: known from the pre-advice (or the label scanned
-- on arrival) with its S9 ID from the start.
CREATE TABLE receptacles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL,
    office TEXT NOT NULL,
    origin_office TEXT NOT NULL,
    destination_office TEXT NOT NULL,
    mail_class TEXT NOT NULL,
    category TEXT NOT NULL,
    subclass TEXT NOT NULL,
    dispatch_id INTEGER,
    -- The 29-character S9 ID, fixed when the dispatch closes.
    s9 TEXT CHECK (s9 IS NULL OR length(s9) = 29),
    gross_weight_grams INTEGER CHECK (gross_weight_grams IS NULL OR gross_weight_grams > 0),
    -- Outward: open, closed, dispatched. Inward/transit: advised, received, missing, opened.
    status TEXT NOT NULL,
    -- Inward/transit receipt: whether it was advised, its weight on arrival and its condition.
    advised INTEGER NOT NULL CHECK (advised IN (0, 1)),
    received_weight_grams INTEGER,
    damaged INTEGER NOT NULL CHECK (damaged IN (0, 1)),
    opened_at_utc INTEGER NOT NULL,
    closed_at_utc INTEGER,
    received_at_utc INTEGER,
    version INTEGER NOT NULL,
    UNIQUE (operator, id),
    FOREIGN KEY (operator, dispatch_id) REFERENCES dispatches (operator, id)
) STRICT;
CREATE INDEX receptacles_office ON receptacles (operator, office, status);
CREATE INDEX receptacles_dispatch ON receptacles (dispatch_id);
CREATE INDEX receptacles_s9 ON receptacles (operator, s9);

-- The items listed in a receptacle, in the order bagged (outward) or advised (inward), and on
-- an inward receptacle the items found when it was opened (`scanned`), advised or not.
CREATE TABLE receptacle_items (
    operator TEXT NOT NULL,
    receptacle_id INTEGER NOT NULL,
    s10 TEXT NOT NULL CHECK (length(s10) = 13),
    -- Our copy of the item, when we have one.
    item_id INTEGER,
    position INTEGER NOT NULL,
    advised INTEGER NOT NULL CHECK (advised IN (0, 1)),
    scanned INTEGER NOT NULL CHECK (scanned IN (0, 1)),
    damaged INTEGER NOT NULL CHECK (damaged IN (0, 1)),
    added_at_utc INTEGER NOT NULL,
    PRIMARY KEY (receptacle_id, s10),
    FOREIGN KEY (operator, receptacle_id) REFERENCES receptacles (operator, id),
    FOREIGN KEY (operator, item_id) REFERENCES items (operator, id)
) STRICT;
CREATE INDEX receptacle_items_item ON receptacle_items (item_id);
CREATE INDEX receptacle_items_s10 ON receptacle_items (operator, s10);

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    partner TEXT NOT NULL REFERENCES operators (code),
    reference TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'suspended', 'ended')),
    version INTEGER NOT NULL,
    -- JSON until the agreements issue gives the terms types.
    terms TEXT NOT NULL,
    created_at_utc INTEGER NOT NULL,
    updated_at_utc INTEGER NOT NULL,
    UNIQUE (operator, partner, reference),
    UNIQUE (operator, id)
) STRICT;

-- Every version of every agreement, the current one included.
CREATE TABLE agreement_versions (
    operator TEXT NOT NULL,
    agreement_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    terms TEXT NOT NULL,
    updated_at_utc INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version),
    FOREIGN KEY (operator, agreement_id) REFERENCES agreements (operator, id)
) STRICT;

CREATE TABLE partner_endpoints (
    operator TEXT NOT NULL REFERENCES operators (code),
    partner TEXT NOT NULL REFERENCES operators (code),
    url TEXT NOT NULL,
    -- The token the partner issued to us; needed in clear to send.
    outbound_token TEXT NOT NULL,
    paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
    updated_at_utc INTEGER NOT NULL,
    PRIMARY KEY (operator, partner)
) STRICT;

-- The last sequence number given per (sender, recipient); outbox sequences run from 1
-- without gaps because the counter moves in the transaction that writes the message.
CREATE TABLE outbox_sequences (
    operator TEXT NOT NULL REFERENCES operators (code),
    recipient TEXT NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (operator, recipient)
) STRICT;

-- `operator` is the sender.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL,
    recipient TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence >= 1),
    message_id TEXT NOT NULL UNIQUE,
    message_type TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at_utc INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at_utc INTEGER NOT NULL,
    last_error TEXT,
    delivered_at_utc INTEGER,
    UNIQUE (operator, recipient, sequence),
    FOREIGN KEY (operator, recipient) REFERENCES outbox_sequences (operator, recipient)
) STRICT;
CREATE INDEX outbox_pending ON outbox (operator, recipient, sequence)
    WHERE delivered_at_utc IS NULL;

-- `operator` is the recipient.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL REFERENCES operators (code),
    sender TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    message_type TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at_utc INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'quarantined')),
    error TEXT,
    applied_at_utc INTEGER,
    quarantined_at_utc INTEGER,
    UNIQUE (operator, sender, message_id)
) STRICT;
CREATE INDEX inbox_pending ON inbox (operator, sender, sequence) WHERE state = 'pending';
CREATE INDEX inbox_quarantined ON inbox (operator, id) WHERE state = 'quarantined';

-- Who changed what, when, from which office. Append-only.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The operator whose data changed.
    operator TEXT NOT NULL REFERENCES operators (code),
    actor TEXT NOT NULL,
    -- The operator the actor acts for (the node's CLI may act on a hosted operator).
    actor_operator TEXT NOT NULL,
    user_id INTEGER,
    token_id INTEGER,
    office TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    -- JSON: what changed. Never secrets.
    details TEXT NOT NULL,
    at TEXT NOT NULL,
    at_utc INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_operator ON audit_log (operator, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Idempotent API requests (Idempotency-Key): the first response is replayed for a retry with
-- the same key and request, and a different request under the same key is refused.
CREATE TABLE idempotency_keys (
    operator TEXT NOT NULL REFERENCES operators (code),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    created_at_utc INTEGER NOT NULL,
    completed_at_utc INTEGER,
    PRIMARY KEY (operator, idempotency_key)
) STRICT;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_utc);
