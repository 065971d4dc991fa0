//! SQLite backend (rusqlite): the embedded choice for one unit or a demo. Blobs are stored
//! in the database itself, content-addressed, in the same transaction as the message rows:
//! one WAL append and one fsync per upload (a blob directory with temp → fsync → rename
//! costs two more fsyncs per package, which dominated the sync benchmark).
//! Uploads commit with `synchronous=FULL` (acknowledged means on disk); acks and fetch
//! marks use `NORMAL`: losing one in a power cut only makes a recipient see a package again,
//! which the clients treat as a re-acknowledgement.
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{
    BlockRequest, Business, Delivery, InboxItem, Kind, MessageInfo, NewMessage, NumberBlock,
    PutOutcome, StatusEntry,
};
use crate::store::{
    AgencyRecord, DesktopRecord, HubStore, StoreError, StoreResult, VxpSystemRecord,
};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    salt TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    relay INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS desktops (
    unit TEXT NOT NULL REFERENCES agencies(code),
    desktop TEXT NOT NULL,
    salt TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    receiving INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, desktop)
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    ord INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    sender TEXT NOT NULL,
    kind TEXT NOT NULL,
    business INTEGER NOT NULL,
    related TEXT,
    status_code TEXT,
    document_id TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_related ON messages(related);
CREATE INDEX IF NOT EXISTS messages_sender ON messages(sender, kind, ord);
CREATE INDEX IF NOT EXISTS messages_document ON messages(sender, document_id);
CREATE TABLE IF NOT EXISTS vxp_systems (
    system_id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL REFERENCES messages(message_id),
    recipient TEXT NOT NULL,
    fetched_at_ms INTEGER,
    acked_at_ms INTEGER,
    UNIQUE (message_id, recipient)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(recipient, acked_at_ms, seq);
CREATE TABLE IF NOT EXISTS number_counters (
    agency TEXT NOT NULL,
    register TEXT NOT NULL,
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    next_number INTEGER NOT NULL,
    PRIMARY KEY (agency, register, series, year)
);
CREATE TABLE IF NOT EXISTS number_blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency TEXT NOT NULL,
    request_id TEXT NOT NULL,
    desktop TEXT NOT NULL,
    register TEXT NOT NULL,
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    start INTEGER NOT NULL,
    size INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (agency, request_id)
);
"#;

/// The store in one SQLite file, for a single hub process.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    pending: Arc<Mutex<Vec<PutRequest>>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
        )?;
        conn.execute_batch(SCHEMA)?;
        // Databases created before the relay attribute (docs/hub-api.md): add the column,
        // off for every existing agency.
        let has_relay: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('agencies') WHERE name = 'relay'")?
            .exists([])?;
        if !has_relay {
            conn.execute_batch("ALTER TABLE agencies ADD COLUMN relay INTEGER NOT NULL DEFAULT 0")?;
        }
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            pending: Arc::new(Mutex::new(Vec::new())),
        })
    }

    async fn with_conn<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?
    }
}

fn load_message(conn: &Connection, id: &str) -> StoreResult<Option<MessageInfo>> {
    let row = conn
        .query_row(
            "SELECT message_id, sender, kind, business, related, status_code, document_id, sha256, size, created_at_ms
             FROM messages WHERE message_id = ?1",
            params![id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, i64>(9)?,
                ))
            },
        )
        .optional()?;
    let Some((
        message_id,
        sender,
        kind,
        business,
        related,
        status_code,
        document_id,
        sha256,
        size,
        created_at_ms,
    )) = row
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT recipient, seq, fetched_at_ms, acked_at_ms FROM deliveries WHERE message_id = ?1 ORDER BY seq",
    )?;
    let recipients = stmt
        .query_map(params![id], |r| {
            Ok(Delivery {
                agency: r.get(0)?,
                seq: r.get(1)?,
                fetched_at_ms: r.get(2)?,
                acked_at_ms: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(MessageInfo {
        message_id,
        sender,
        kind: Kind::parse(&kind).ok_or_else(|| StoreError::Backend(format!("bad kind {kind}")))?,
        business: Business::from_code(business)
            .ok_or_else(|| StoreError::Backend(format!("bad business {business}")))?,
        related,
        status_code,
        document_id,
        sha256,
        size: size as u64,
        created_at_ms,
        recipients,
    }))
}

impl HubStore for SqliteStore {
    async fn add_vxp_system(&self, rec: VxpSystemRecord) -> StoreResult<()> {
        self.with_conn(move |c| {
            let known: bool = c
                .prepare("SELECT 1 FROM agencies WHERE code = ?1")?
                .exists(params![rec.agency])?;
            if !known {
                return Err(StoreError::UnknownAgency(rec.agency));
            }
            let n = c.execute(
                "INSERT INTO vxp_systems (system_id, agency, secret) VALUES (?1, ?2, ?3) ON CONFLICT(system_id) DO NOTHING",
                params![rec.system_id, rec.agency, rec.secret],
            )?;
            if n == 0 {
                return Err(StoreError::AgencyExists(rec.system_id));
            }
            Ok(())
        })
        .await
    }

    async fn vxp_system(&self, system_id: &str) -> StoreResult<Option<VxpSystemRecord>> {
        let id = system_id.to_owned();
        self.with_conn(move |c| {
            Ok(c.query_row(
                "SELECT system_id, agency, secret FROM vxp_systems WHERE system_id = ?1",
                params![id],
                |r| {
                    Ok(VxpSystemRecord {
                        system_id: r.get(0)?,
                        agency: r.get(1)?,
                        secret: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn find_document(&self, sender: &str, document_id: &str) -> StoreResult<Option<String>> {
        let (sender, document_id) = (sender.to_owned(), document_id.to_owned());
        self.with_conn(move |c| {
            Ok(c.query_row(
                "SELECT message_id FROM messages WHERE sender = ?1 AND document_id = ?2 AND kind = 'edoc' ORDER BY ord DESC LIMIT 1",
                params![sender, document_id],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn add_agency(&self, rec: AgencyRecord) -> StoreResult<()> {
        self.with_conn(move |c| {
            let n = c.execute(
                "INSERT INTO agencies (code, name, salt, secret_hash, relay) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(code) DO NOTHING",
                params![rec.code, rec.name, rec.salt, rec.secret_hash, rec.relay],
            )?;
            if n == 0 {
                return Err(StoreError::AgencyExists(rec.code));
            }
            Ok(())
        })
        .await
    }

    async fn agency(&self, code: &str) -> StoreResult<Option<AgencyRecord>> {
        let code = code.to_owned();
        self.with_conn(move |c| {
            Ok(c.query_row(
                "SELECT code, name, salt, secret_hash, relay FROM agencies WHERE code = ?1",
                params![code],
                |r| {
                    Ok(AgencyRecord {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        salt: r.get(2)?,
                        secret_hash: r.get(3)?,
                        relay: r.get(4)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn list_agencies(&self) -> StoreResult<Vec<AgencyRecord>> {
        self.with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT code, name, salt, secret_hash, relay FROM agencies ORDER BY code",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(AgencyRecord {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        salt: r.get(2)?,
                        secret_hash: r.get(3)?,
                        relay: r.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn set_relay(&self, code: &str, relay: bool) -> StoreResult<()> {
        let code = code.to_owned();
        self.with_conn(move |c| {
            let n = c.execute(
                "UPDATE agencies SET relay = ?2 WHERE code = ?1",
                params![code, relay],
            )?;
            if n == 0 {
                return Err(StoreError::UnknownAgency(code));
            }
            Ok(())
        })
        .await
    }

    async fn add_desktop(&self, rec: DesktopRecord) -> StoreResult<()> {
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let unit: Option<i64> = tx
                .query_row("SELECT 1 FROM agencies WHERE code = ?1", params![rec.unit], |r| {
                    r.get(0)
                })
                .optional()?;
            if unit.is_none() {
                return Err(StoreError::UnknownAgency(rec.unit));
            }
            if rec.receiving {
                tx.execute(
                    "UPDATE desktops SET receiving = 0 WHERE unit = ?1",
                    params![rec.unit],
                )?;
            }
            let n = tx.execute(
                "INSERT INTO desktops (unit, desktop, salt, secret_hash, receiving) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(unit, desktop) DO NOTHING",
                params![rec.unit, rec.desktop, rec.salt, rec.secret_hash, rec.receiving],
            )?;
            if n == 0 {
                return Err(StoreError::DesktopExists(rec.login()));
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn desktop(&self, unit: &str, desktop: &str) -> StoreResult<Option<DesktopRecord>> {
        let (unit, desktop) = (unit.to_owned(), desktop.to_owned());
        self.with_conn(move |c| {
            Ok(c.query_row(
                "SELECT unit, desktop, salt, secret_hash, receiving FROM desktops WHERE unit = ?1 AND desktop = ?2",
                params![unit, desktop],
                desktop_row,
            )
            .optional()?)
        })
        .await
    }

    async fn list_desktops(&self, unit: &str) -> StoreResult<Vec<DesktopRecord>> {
        let unit = unit.to_owned();
        self.with_conn(move |c| {
            let mut stmt = c.prepare(
                "SELECT unit, desktop, salt, secret_hash, receiving FROM desktops WHERE unit = ?1 ORDER BY desktop",
            )?;
            let rows = stmt
                .query_map(params![unit], desktop_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn inbox_for(
        &self,
        recipients: Vec<String>,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<InboxItem>> {
        self.with_conn(move |c| {
            let marks = vec!["?"; recipients.len()].join(", ");
            let mut stmt = c.prepare_cached(&format!(
                "SELECT d.seq, m.message_id, m.sender, m.kind, m.business, m.related, m.status_code, m.document_id, m.sha256, m.size, m.created_at_ms
                 FROM deliveries d JOIN messages m ON m.message_id = d.message_id
                 WHERE d.recipient IN ({marks}) AND d.acked_at_ms IS NULL AND d.seq > ?
                 ORDER BY d.seq LIMIT ?"
            ))?;
            let mut args: Vec<rusqlite::types::Value> =
                recipients.into_iter().map(Into::into).collect();
            args.push(after.into());
            args.push(i64::from(limit).into());
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args), inbox_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn put_message(&self, msg: NewMessage, body: Bytes) -> StoreResult<PutOutcome> {
        // Replays (a client retrying after a lost answer) need no durable write.
        let id = msg.message_id.clone();
        if let Some(existing) = self.with_conn(move |c| load_message(c, &id)).await? {
            return replay_or_conflict(existing, &msg);
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(PutRequest { msg, body, reply });
        // Whoever gets the connection first commits everything queued so far, ours included
        // (or ours was already taken by an earlier writer).
        let pending = self.pending.clone();
        self.with_conn(move |c| flush_puts(c, &pending)).await?;
        answer
            .await
            .map_err(|_| StoreError::Backend("upload dropped by the writer".into()))?
    }

    async fn message(&self, id: &str) -> StoreResult<Option<MessageInfo>> {
        let id = id.to_owned();
        self.with_conn(move |c| load_message(c, &id)).await
    }

    async fn inbox(&self, agency: &str, after: i64, limit: u32) -> StoreResult<Vec<InboxItem>> {
        let agency = agency.to_owned();
        self.with_conn(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT d.seq, m.message_id, m.sender, m.kind, m.business, m.related, m.status_code, m.document_id, m.sha256, m.size, m.created_at_ms
                 FROM deliveries d JOIN messages m ON m.message_id = d.message_id
                 WHERE d.recipient = ?1 AND d.acked_at_ms IS NULL AND d.seq > ?2
                 ORDER BY d.seq LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(params![agency, after, limit], inbox_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn read_blob(&self, sha256: &str, offset: u64, len: u64) -> StoreResult<Bytes> {
        let sha = sha256.to_owned();
        self.with_conn(move |c| {
            let start = i64::try_from(offset + 1).map_err(|_| StoreError::NotFound)?;
            let len = i64::try_from(len).unwrap_or(i64::MAX);
            let data: Option<Vec<u8>> = c
                .query_row(
                    "SELECT substr(data, ?2, ?3) FROM blobs WHERE sha256 = ?1",
                    params![sha, start, len],
                    |r| r.get(0),
                )
                .optional()?;
            data.map(Bytes::from).ok_or(StoreError::NotFound)
        })
        .await
    }

    async fn mark_fetched(&self, id: &str, agency: &str, at_ms: i64) -> StoreResult<()> {
        let (id, agency) = (id.to_owned(), agency.to_owned());
        self.with_conn(move |c| {
            c.execute(
                "UPDATE deliveries SET fetched_at_ms = ?3 WHERE message_id = ?1 AND recipient = ?2 AND fetched_at_ms IS NULL",
                params![id, agency, at_ms],
            )?;
            Ok(())
        })
        .await
    }

    async fn ack(&self, id: &str, agency: &str, at_ms: i64) -> StoreResult<()> {
        let (id, agency) = (id.to_owned(), agency.to_owned());
        self.with_conn(move |c| {
            let n = c.execute(
                "UPDATE deliveries SET acked_at_ms = COALESCE(acked_at_ms, ?3), fetched_at_ms = COALESCE(fetched_at_ms, ?3)
                 WHERE message_id = ?1 AND recipient = ?2",
                params![id, agency, at_ms],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }

    async fn ack_many(&self, ids: Vec<String>, agency: &str, at_ms: i64) -> StoreResult<Vec<bool>> {
        let agency = agency.to_owned();
        self.with_conn(move |c| {
            let tx = c.transaction()?;
            let mut out = Vec::with_capacity(ids.len());
            {
                let mut stmt = tx.prepare_cached(
                    "UPDATE deliveries SET acked_at_ms = COALESCE(acked_at_ms, ?3), fetched_at_ms = COALESCE(fetched_at_ms, ?3)
                     WHERE message_id = ?1 AND recipient = ?2",
                )?;
                for id in &ids {
                    out.push(stmt.execute(params![id, agency, at_ms])? > 0);
                }
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn statuses(&self, id: &str) -> StoreResult<Vec<StatusEntry>> {
        let id = id.to_owned();
        self.with_conn(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT d.seq, m.message_id, m.sender, m.status_code, m.created_at_ms
                 FROM messages m JOIN deliveries d ON d.message_id = m.message_id
                 WHERE m.kind = 'status' AND m.related = ?1 ORDER BY d.seq",
            )?;
            let rows = stmt
                .query_map(params![id], |r| {
                    Ok(StatusEntry {
                        seq: r.get(0)?,
                        status_message_id: r.get(1)?,
                        from: r.get(2)?,
                        status_code: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        created_at_ms: r.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn sent(
        &self,
        sender: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, MessageInfo)>> {
        let sender = sender.to_owned();
        self.with_conn(move |c| {
            let ids: Vec<(i64, String)> = {
                let mut stmt = c.prepare_cached(
                    "SELECT ord, message_id FROM messages WHERE sender = ?1 AND kind = 'edoc' AND ord > ?2 ORDER BY ord LIMIT ?3",
                )?;
                let rows = stmt
                    .query_map(params![sender, after, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                rows
            };
            let mut out = Vec::with_capacity(ids.len());
            for (ord, id) in ids {
                if let Some(m) = load_message(c, &id)? {
                    out.push((ord, m));
                }
            }
            Ok(out)
        })
        .await
    }

    async fn reserve_block(
        &self,
        agency: &str,
        req: BlockRequest,
        at_ms: i64,
    ) -> StoreResult<(NumberBlock, bool)> {
        let agency = agency.to_owned();
        self.with_conn(move |c| {
            c.execute_batch("PRAGMA synchronous=FULL")?;
            let out = reserve_rows(c, &agency, &req, at_ms);
            c.execute_batch("PRAGMA synchronous=NORMAL")?;
            out
        })
        .await
    }

    async fn blocks(&self, agency: &str) -> StoreResult<Vec<NumberBlock>> {
        let agency = agency.to_owned();
        self.with_conn(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {BLOCK_COLUMNS} FROM number_blocks WHERE agency = ?1 ORDER BY id"
            ))?;
            let rows = stmt
                .query_map(params![agency], block_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }
}

fn inbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InboxItem> {
    Ok(InboxItem {
        seq: r.get(0)?,
        message_id: r.get(1)?,
        sender: r.get(2)?,
        relay: false,
        kind: Kind::parse(&r.get::<_, String>(3)?).unwrap_or(Kind::Edoc),
        business: Business::from_code(r.get(4)?).unwrap_or(Business::New),
        related: r.get(5)?,
        status_code: r.get(6)?,
        document_id: r.get(7)?,
        sha256: r.get(8)?,
        size: r.get::<_, i64>(9)? as u64,
        created_at_ms: r.get(10)?,
    })
}

fn desktop_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DesktopRecord> {
    Ok(DesktopRecord {
        unit: r.get(0)?,
        desktop: r.get(1)?,
        salt: r.get(2)?,
        secret_hash: r.get(3)?,
        receiving: r.get(4)?,
    })
}

const BLOCK_COLUMNS: &str =
    "agency, request_id, desktop, register, series, year, start, size, created_at_ms";

fn block_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NumberBlock> {
    Ok(NumberBlock {
        agency: r.get(0)?,
        request_id: r.get(1)?,
        desktop: r.get(2)?,
        register: r.get(3)?,
        series: r.get(4)?,
        year: r.get(5)?,
        start: r.get(6)?,
        size: r.get(7)?,
        created_at_ms: r.get(8)?,
    })
}

/// The counter bump and the block row commit together with `synchronous=FULL`: a block the
/// hub answered must never be handed out again after a power cut.
fn reserve_rows(
    c: &mut Connection,
    agency: &str,
    req: &BlockRequest,
    at_ms: i64,
) -> StoreResult<(NumberBlock, bool)> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let existing = tx
        .query_row(
            &format!(
                "SELECT {BLOCK_COLUMNS} FROM number_blocks WHERE agency = ?1 AND request_id = ?2"
            ),
            params![agency, req.request_id],
            block_row,
        )
        .optional()?;
    if let Some(b) = existing {
        return if b.answers(req) {
            Ok((b, true))
        } else {
            Err(StoreError::Conflict(req.request_id.clone()))
        };
    }
    let size = i64::from(req.size);
    let start: i64 = tx.query_row(
        "INSERT INTO number_counters (agency, register, series, year, next_number)
         VALUES (?1, ?2, ?3, ?4, 1 + ?5)
         ON CONFLICT (agency, register, series, year) DO UPDATE SET next_number = next_number + ?5
         RETURNING next_number - ?5",
        params![agency, req.register, req.series, req.year, size],
        |r| r.get(0),
    )?;
    tx.execute(
        &format!("INSERT INTO number_blocks ({BLOCK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        params![agency, req.request_id, req.desktop, req.register, req.series, req.year, start, size, at_ms],
    )?;
    tx.commit()?;
    Ok((
        NumberBlock {
            agency: agency.to_owned(),
            request_id: req.request_id.clone(),
            desktop: req.desktop.clone(),
            register: req.register.clone(),
            series: req.series.clone(),
            year: req.year,
            start,
            size: req.size,
            created_at_ms: at_ms,
        },
        false,
    ))
}

/// The rows of one upload, inside the caller's transaction/savepoint.
fn put_rows(tx: &Connection, msg: &NewMessage, body: &[u8]) -> StoreResult<PutOutcome> {
    if let Some(existing) = load_message(tx, &msg.message_id)? {
        return replay_or_conflict(existing, msg);
    }
    tx.execute(
        "INSERT INTO blobs (sha256, data) VALUES (?1, ?2) ON CONFLICT(sha256) DO NOTHING",
        params![msg.sha256, body],
    )?;
    for r in &msg.recipients {
        // `UNIT/DESKTOP` is a desktop of a unit (internal message), anything else an agency.
        let known: Option<i64> = match r.split_once('/') {
            Some((unit, desktop)) => tx
                .query_row(
                    "SELECT 1 FROM desktops WHERE unit = ?1 AND desktop = ?2",
                    params![unit, desktop],
                    |r| r.get(0),
                )
                .optional()?,
            None => tx
                .query_row("SELECT 1 FROM agencies WHERE code = ?1", params![r], |r| {
                    r.get(0)
                })
                .optional()?,
        };
        if known.is_none() {
            return Err(StoreError::UnknownRecipient(r.clone()));
        }
    }
    tx.execute(
        "INSERT INTO messages (message_id, sender, kind, business, related, status_code, document_id, sha256, size, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            msg.message_id,
            msg.sender,
            msg.kind.as_str(),
            msg.business.code(),
            msg.related,
            msg.status_code,
            msg.document_id,
            msg.sha256,
            msg.size as i64,
            msg.created_at_ms
        ],
    )?;
    for r in &msg.recipients {
        tx.execute(
            "INSERT INTO deliveries (message_id, recipient) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![msg.message_id, r],
        )?;
    }
    let info = load_message(tx, &msg.message_id)?.ok_or(StoreError::NotFound)?;
    Ok(PutOutcome::Created(info))
}

/// Group commit: every upload waiting when the writer takes the lock goes into one
/// transaction (one savepoint each, so one refused upload does not undo the others) and one
/// fsync. With a single client this is one upload per commit; with several clients or a
/// pipelining one, the fsync cost is shared.
fn flush_puts(c: &mut Connection, pending: &Mutex<Vec<PutRequest>>) -> StoreResult<()> {
    let batch: Vec<PutRequest> =
        std::mem::take(&mut *pending.lock().unwrap_or_else(|p| p.into_inner()));
    if batch.is_empty() {
        return Ok(());
    }
    let run =
        |c: &mut Connection, batch: &[PutRequest]| -> StoreResult<Vec<StoreResult<PutOutcome>>> {
            // IMMEDIATE: take the write lock before reading, so two processes sharing the file
            // wait for each other instead of failing to upgrade a read snapshot.
            let mut tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut results = Vec::with_capacity(batch.len());
            for req in batch {
                let sp = tx.savepoint()?;
                let r = put_rows(&sp, &req.msg, &req.body);
                if r.is_ok() {
                    sp.commit()?;
                }
                results.push(r);
            }
            tx.commit()?;
            Ok(results)
        };
    c.execute_batch("PRAGMA synchronous=FULL")?;
    let outcome = run(c, &batch);
    c.execute_batch("PRAGMA synchronous=NORMAL")?;
    match outcome {
        Ok(results) => {
            for (req, r) in batch.into_iter().zip(results) {
                let _ = req.reply.send(r);
            }
        }
        Err(e) => {
            let msg = e.to_string();
            for req in batch {
                let _ = req.reply.send(Err(StoreError::Backend(msg.clone())));
            }
        }
    }
    Ok(())
}

struct PutRequest {
    msg: NewMessage,
    body: Bytes,
    reply: tokio::sync::oneshot::Sender<StoreResult<PutOutcome>>,
}

/// Decides what a second upload under an existing message id means.
pub(crate) fn replay_or_conflict(
    existing: MessageInfo,
    msg: &NewMessage,
) -> StoreResult<PutOutcome> {
    if existing.sender == msg.sender && existing.sha256 == msg.sha256 && existing.kind == msg.kind {
        Ok(PutOutcome::Replayed(existing))
    } else {
        Err(StoreError::Conflict(msg.message_id.clone()))
    }
}
