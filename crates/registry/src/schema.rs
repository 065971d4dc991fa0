//! Versioned schema migrations. `PRAGMA user_version` holds the number of migrations applied;
//! each migration runs in the same transaction as the version bump, so a crash mid-upgrade
//! leaves the previous version intact. Never edit a released migration: append a new one.
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::{agencies, Error, Result};

/// `PRAGMA application_id` of a vanthu database ("VTHU"), to refuse foreign SQLite files.
pub const APPLICATION_ID: i64 = 0x5654_4855;

/// One step of the database schema, applied in its own transaction.
pub struct Migration {
    /// What the step changes, for the log.
    pub description: &'static str,
    /// Applies the step.
    pub up: fn(&Transaction<'_>) -> Result<()>,
}

/// All migrations, oldest first; migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        description: "registers, agencies, numbering, status events, audit log",
        up: v1_core,
    },
    Migration {
        description: "attachments",
        up: v2_attachments,
    },
    Migration {
        description: "full-text search over folded text",
        up: v3_search,
    },
    Migration {
        description: "sync outbox and inbox",
        up: v4_sync,
    },
    Migration {
        description: "numbering blocks, provisional numbers, received revisions",
        up: v5_blocks,
    },
    Migration {
        description: "indexes for sorted listings",
        up: v6_sort_indexes,
    },
    Migration {
        description: "index for sorting by subject (trích yếu)",
        up: v7_subject_index,
    },
    Migration {
        description: "desktops of one unit: submissions to the leader, mirror records",
        up: v8_desks,
    },
    Migration {
        description: "sync engine queues (sync_outbox, sync_received, sync_meta)",
        up: crate::syncq::migrate_v9,
    },
    Migration {
        description: "trình ký: drafts returned unsigned by the leader's desktop",
        up: v10_desk_returns,
    },
    Migration {
        description: "queued status packages rewritten in the official edXML header form",
        up: crate::status_upgrade::migrate_v11,
    },
    Migration {
        description: "trusted senders: DocumentId per sender, relay flag of received packages",
        up: v12_trusted_senders,
    },
    Migration {
        description: "scan drafts in the register (were the app's scan-drafts.json)",
        up: crate::scan_drafts::migrate_v13,
    },
    Migration {
        description: "indexes for the reports over the sync queues (by time, by related message)",
        up: v14_report_indexes,
    },
    Migration {
        description: "the unit's departments and people with their roles",
        up: crate::people::migrate_v15,
    },
    Migration {
        description: "handling between desktops: assignments, handling notes, people's desktops",
        up: v16_handling,
    },
    Migration {
        description: "signature images of leaders and the unit's seal image",
        up: crate::sign_images::migrate_v17,
    },
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// The schema version stored in the database (`PRAGMA user_version`).
pub fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the database up to [`LATEST`].
pub fn migrate(conn: &Connection) -> Result<()> {
    migrate_to(conn, LATEST)
}

/// Applies migrations up to `target` (tests use it to build databases of older versions).
pub fn migrate_to(conn: &Connection, target: i64) -> Result<()> {
    check_identity(conn)?;
    let found = user_version(conn)?;
    if found > LATEST {
        return Err(Error::NewerSchema {
            found,
            supported: LATEST,
        });
    }
    if found >= target {
        return Ok(());
    }
    // Safe against a second process opening the same fresh database: the version is
    // re-read under the write lock.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let mut version = user_version(&tx)?;
    if version > LATEST {
        return Err(Error::NewerSchema {
            found: version,
            supported: LATEST,
        });
    }
    if version == 0 {
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    while version < target {
        let m = &MIGRATIONS[version as usize];
        tracing::info!(version = version + 1, m.description, "migrating");
        (m.up)(&tx)?;
        version += 1;
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
}

fn check_identity(conn: &Connection) -> Result<()> {
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
        let path = conn.path().unwrap_or_default();
        return Err(Error::NotVanthu(path.into()));
    }
    Ok(())
}

fn v1_core(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE agencies (
    code              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    grp               TEXT,
    kind              TEXT,
    parent_code       TEXT,
    transitional_code TEXT,
    source            TEXT NOT NULL CHECK (source IN ('seed', 'user', 'hub')),
    note              TEXT,
    created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX agencies_transitional ON agencies (transitional_code);

-- Last number handed out per register, series and year. Only ever touched inside the
-- transaction that inserts the numbered document, which keeps the series gapless.
CREATE TABLE counters (
    register    TEXT NOT NULL,
    series      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (register, series, year)
) STRICT;

CREATE TABLE documents (
    id                  INTEGER PRIMARY KEY,
    register            TEXT NOT NULL CHECK (register IN ('incoming', 'outgoing')),
    series              TEXT NOT NULL CHECK (series IN ('normal', 'secret')),
    year                INTEGER,
    number              INTEGER,
    arrival_date        TEXT,
    sender_code         TEXT REFERENCES agencies (code),
    sender_name         TEXT,
    notation            TEXT NOT NULL,
    code_notation       TEXT,
    document_date       TEXT,
    doc_type            TEXT NOT NULL,
    type_abbr           TEXT,
    subject             TEXT NOT NULL,
    signer              TEXT,
    urgency             TEXT NOT NULL,
    secrecy             TEXT NOT NULL,
    deadline            TEXT,
    handler             TEXT,
    passed_on_date      TEXT,
    notes               TEXT,
    copies              INTEGER,
    archive_copy_holder TEXT,
    drafting_unit       TEXT,
    dispatched_date     TEXT,
    state               TEXT NOT NULL,
    edxml_document_id   TEXT,
    body_text           TEXT,
    sort_date           TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK (number IS NULL OR (number > 0 AND year IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX documents_number ON documents (register, series, year, number)
    WHERE number IS NOT NULL;
CREATE INDEX documents_sort ON documents (sort_date, id);
CREATE INDEX documents_sender ON documents (sender_code);
CREATE INDEX documents_edxml ON documents (edxml_document_id)
    WHERE edxml_document_id IS NOT NULL;

CREATE VIEW incoming_register AS
    SELECT id, year, series, number AS arrival_number, arrival_date, sender_code, sender_name,
           notation, document_date, doc_type, subject, signer, urgency, secrecy, deadline,
           handler, passed_on_date, notes, state
    FROM documents WHERE register = 'incoming';
CREATE VIEW outgoing_register AS
    SELECT id, year, series, number, notation, document_date AS issued_date, doc_type, subject,
           signer, copies, archive_copy_holder, drafting_unit, dispatched_date, urgency,
           secrecy, deadline, notes, state
    FROM documents WHERE register = 'outgoing';

CREATE TABLE recipients (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    position    INTEGER NOT NULL,
    agency_code TEXT REFERENCES agencies (code),
    name        TEXT NOT NULL
) STRICT;
CREATE INDEX recipients_document ON recipients (document_id);

CREATE TABLE status_events (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    at          TEXT NOT NULL,
    user        TEXT NOT NULL,
    actor       TEXT,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    codes       TEXT NOT NULL,
    note        TEXT
) STRICT;
CREATE INDEX status_events_document ON status_events (document_id);
CREATE TRIGGER status_events_no_update BEFORE UPDATE ON status_events
    BEGIN SELECT RAISE(ABORT, 'status_events is append-only'); END;
CREATE TRIGGER status_events_no_delete BEFORE DELETE ON status_events
    BEGIN SELECT RAISE(ABORT, 'status_events is append-only'); END;

-- hash = sha256(prev_hash || canonical JSON of the row); see audit.rs.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user      TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"#,
    )?;
    agencies::seed(tx)?;
    Ok(())
}

fn v2_attachments(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    sha256      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_document ON attachments (document_id);
CREATE INDEX attachments_sha256 ON attachments (sha256);
"#,
    )?;
    Ok(())
}

fn v3_search(tx: &Transaction<'_>) -> Result<()> {
    // The index holds folded text (vanthu_domain::text::fold), so the tokenizer only has to
    // split words; folding in Rust is what makes đ match d, which unicode61 cannot do.
    tx.execute_batch(
        r#"
CREATE VIRTUAL TABLE doc_fts USING fts5 (
    notation, subject, sender, signer, body,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO doc_fts (doc_fts, rank) VALUES ('rank', 'bm25(8.0, 4.0, 2.0, 2.0, 1.0)');
CREATE INDEX documents_register_year ON documents (register, year);
"#,
    )?;
    let mut select = tx.prepare(
        "SELECT id, notation, subject, sender_name, signer, body_text FROM documents ORDER BY id",
    )?;
    let mut rows = select.query([])?;
    let mut pending = Vec::new();
    while let Some(r) = rows.next()? {
        pending.push(crate::search::fts_row(
            r.get(0)?,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?.as_deref(),
            r.get::<_, Option<String>>(4)?.as_deref(),
            r.get::<_, Option<String>>(5)?.as_deref(),
        ));
    }
    drop(rows);
    drop(select);
    crate::search::flush_index(tx, pending)
}

fn v4_sync(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    document_id    INTEGER REFERENCES documents (id),
    recipient_code TEXT,
    payload        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    sent_at        TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (sent_at, id);

CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    package_id  TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    sender_code TEXT,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    document_id INTEGER REFERENCES documents (id),
    processed_at TEXT,
    error       TEXT
) STRICT;
"#,
    )?;
    Ok(())
}

fn v5_blocks(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
-- Numbers reserved for this desktop by the unit's hub (docs/sync.md, "Numbering while
-- offline"): [start, start + size), handed out in order; next = the first unused one.
CREATE TABLE number_blocks (
    id          INTEGER PRIMARY KEY,
    register    TEXT NOT NULL,
    series      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    start       INTEGER NOT NULL CHECK (start > 0),
    size        INTEGER NOT NULL CHECK (size > 0),
    next        INTEGER NOT NULL,
    request_id  TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    CHECK (next >= start AND next <= start + size)
) STRICT;
CREATE INDEX number_blocks_key ON number_blocks (register, series, year, start);

-- A block request is written before it is sent, so a retry after a lost answer repeats the
-- same request id and the hub returns the same block instead of burning another.
CREATE TABLE number_block_requests (
    request_id   TEXT PRIMARY KEY,
    register     TEXT NOT NULL,
    series       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    fulfilled_at TEXT
) STRICT;

-- Số tạm "T-<desktop>-<n>" given offline once the blocks ran out; kept after the final
-- number is assigned, so the paper trail stays readable.
ALTER TABLE documents ADD COLUMN provisional_number TEXT;
CREATE UNIQUE INDEX documents_provisional ON documents (provisional_number)
    WHERE provisional_number IS NOT NULL;
CREATE INDEX documents_unresolved ON documents (register, series, year, id)
    WHERE provisional_number IS NOT NULL AND number IS NULL;

-- Received update/replace: the new version points at the one it supersedes.
ALTER TABLE documents ADD COLUMN supersedes_id INTEGER REFERENCES documents (id);
-- The hub message a received version or recall came from (idempotent imports).
ALTER TABLE documents ADD COLUMN hub_message_id TEXT;
CREATE UNIQUE INDEX documents_hub_message ON documents (hub_message_id)
    WHERE hub_message_id IS NOT NULL;
-- A recall/update/replace the sender asked for, waiting for the clerk's decision
-- ('recall' | 'update' | 'replace'), with the sender's reason.
ALTER TABLE documents ADD COLUMN pending_action TEXT;
ALTER TABLE documents ADD COLUMN pending_note TEXT;
"#,
    )?;
    Ok(())
}

/// One index per indexed listing order (sort.rs: the expressions must match `SortKey::exprs`
/// exactly, or the planner sorts the whole register). Trích yếu is left out (long text).
fn v6_sort_indexes(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE INDEX documents_by_number ON documents (register, ifnull(year, 0), ifnull(number, 0), id);
CREATE INDEX documents_by_date ON documents (register, sort_date, id);
CREATE INDEX documents_by_notation ON documents (register, notation, id);
CREATE INDEX documents_by_sender ON documents (register, ifnull(sender_name, ''), id);
CREATE INDEX documents_by_deadline ON documents (register, ifnull(deadline, '9999-12-31'), id);
CREATE INDEX documents_by_state ON documents (register, state, id);
"#,
    )?;
    Ok(())
}

/// Without it, sorting a 1M register by trích yếu read and sorted every row (0.6 s warm,
/// ~9 s with a cold page cache); the index costs ~90 bytes a document (~5 % of the file).
fn v7_subject_index(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("CREATE INDEX documents_by_subject ON documents (register, subject, id);")?;
    Ok(())
}

/// Several desktops of one unit (docs/sync.md; desks.rs). On the leader's desktop a submitted
/// document is a *mirror*: `mirror_of` = `<UNIT/DESKTOP of the clerk>:<its id there>`, the
/// clerk's số đến as a label (never a number of this register, so it cannot collide with the
/// desktop's own numbering) and the submission's hub message id in `hub_message_id`.
fn v8_desks(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
ALTER TABLE documents ADD COLUMN mirror_of TEXT;
ALTER TABLE documents ADD COLUMN mirror_number TEXT;
CREATE UNIQUE INDEX documents_mirror ON documents (mirror_of) WHERE mirror_of IS NOT NULL;

-- On the clerk's desktop: each "trình" of a document to a desktop of the unit; the sync
-- bridge queues `message_id` once (queued_at) and applies the answer once (answered_at).
CREATE TABLE submissions (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    to_desktop  TEXT NOT NULL,
    message_id  TEXT NOT NULL UNIQUE,
    note        TEXT,
    created_at  TEXT NOT NULL,
    queued_at   TEXT,
    answered_at TEXT,
    UNIQUE (document_id, to_desktop)
) STRICT;
"#,
    )?;
    Ok(())
}

/// Trả lại (docs/sync.md; desks.rs): on the leader's desktop a mirror of a draft returned
/// unsigned leaves the signing queue (`mirror_returned_at`) until the clerk submits it again;
/// on the clerk's desktop the submission remembers the return, which allows submitting the
/// same draft to the same desktop again under a new message id.
fn v10_desk_returns(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
ALTER TABLE documents ADD COLUMN mirror_returned_at TEXT;
ALTER TABLE submissions ADD COLUMN returned_at TEXT;
"#,
    )?;
    Ok(())
}

/// The reports (registry/report_facts.rs) read a period of the sync queues and the statuses
/// about the packages of that period; without these a month of a busy unit's queues read
/// every row of a year's (~1M statuses). The status indexes cover what the reports read, so
/// the statuses of a month's packages come from the index alone (bench/reports).
/// Handling (xử lý) between desktops (docs/sync.md, "Handling between desktops"): who a
/// document was assigned to, in which role (chủ trì / phối hợp), with what deadline and
/// instruction; the handlers' progress notes, reply drafts and extension requests with the
/// leader's decisions; the desktop each person works at; and, on the clerk's desktop, which
/// submission is a handler's copy of an assignment rather than a trình lãnh đạo.
fn v16_handling(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
ALTER TABLE people ADD COLUMN desktop TEXT;
-- a handler's copy of an assigned document (a mirror): lead | support
ALTER TABLE documents ADD COLUMN handling_role TEXT;
CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    assignee    TEXT NOT NULL,
    -- lead (chủ trì) | support (phối hợp)
    role        TEXT NOT NULL,
    deadline    TEXT,
    instruction TEXT,
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    -- a later assignment of the document replaces this one (kept for the record)
    replaced_at TEXT
) STRICT;
CREATE INDEX assignments_document ON assignments (document_id, id);
ALTER TABLE submissions ADD COLUMN assignment_id INTEGER REFERENCES assignments (id);

CREATE TABLE handling_notes (
    id                INTEGER PRIMARY KEY,
    document_id       INTEGER NOT NULL REFERENCES documents (id),
    -- note | reply_draft | extension_request | extension_granted | extension_refused
    kind              TEXT NOT NULL,
    author            TEXT NOT NULL,
    body              TEXT,
    -- the deadline asked for (request) or set (granted)
    deadline          TEXT,
    file_name         TEXT,
    file_sha256       TEXT,
    -- on the clerk's desktop: the outgoing draft a reply draft became
    reply_document_id INTEGER REFERENCES documents (id),
    -- the desktop it came from; NULL when written on this desktop
    from_desktop      TEXT,
    -- an extension request: when the leader decided it
    settled_at        TEXT,
    created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX handling_notes_document ON handling_notes (document_id, id);
"#,
    )?;
    Ok(())
}

fn v14_report_indexes(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE INDEX sync_outbox_sent_at ON sync_outbox (state, sent_ms, op);
CREATE INDEX sync_outbox_related ON sync_outbox (related, op, state, status_code, sent_ms);
CREATE INDEX sync_received_at ON sync_received (kind, received_ms);
DROP INDEX sync_received_related;
CREATE INDEX sync_received_related ON sync_received (related, kind, status_code, sender, received_ms);
"#,
    )?;
    Ok(())
}

/// Who may say what (docs/sync.md): a received `DocumentId` is looked up per sender, and a
/// received package remembers whether the hub said its sender's account is a relay (the only
/// accounts whose packages may name another agency in `From/OrganId`).
fn v12_trusted_senders(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE INDEX documents_sender_edxml ON documents (sender_code, edxml_document_id)
    WHERE edxml_document_id IS NOT NULL;
ALTER TABLE sync_received ADD COLUMN relay INTEGER NOT NULL DEFAULT 0;
"#,
    )?;
    Ok(())
}
