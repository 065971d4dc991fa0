//! SQLite backend (rusqlite): the embedded choice for one unit or a demo. Blobs live in a
//! directory next to the database, content-addressed, written temp → fsync → rename so a
//! crash never leaves a half-written blob under its final name.
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{
    Business, Delivery, InboxItem, Kind, MessageInfo, NewMessage, PutOutcome, StatusEntry,
};
use crate::store::{AgencyRecord, HubStore, StoreError, StoreResult};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    salt TEXT NOT NULL,
    secret_hash TEXT NOT NULL
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
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL REFERENCES messages(message_id),
    recipient TEXT NOT NULL,
    fetched_at_ms INTEGER,
    acked_at_ms INTEGER,
    UNIQUE (message_id, recipient)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(recipient, acked_at_ms, seq);
"#;

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    blob_dir: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`; blobs go to `<path>.blobs/`.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
        )?;
        conn.execute_batch(SCHEMA)?;
        let mut blob_dir = path.as_os_str().to_owned();
        blob_dir.push(".blobs");
        let blob_dir = PathBuf::from(blob_dir);
        std::fs::create_dir_all(&blob_dir)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            blob_dir,
        })
    }

    fn blob_path(&self, sha: &str) -> StoreResult<PathBuf> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        Ok(self.blob_dir.join(&sha[..2]).join(sha))
    }

    fn write_blob(&self, sha: &str, body: &[u8]) -> StoreResult<()> {
        let path = self.blob_path(sha)?;
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().expect("blob path has a parent");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", rand::random::<u64>()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(body)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)?;
        // The rename itself must reach the disk before the row that points at it commits.
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
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
    async fn add_agency(&self, rec: AgencyRecord) -> StoreResult<()> {
        self.with_conn(move |c| {
            let n = c.execute(
                "INSERT INTO agencies (code, name, salt, secret_hash) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(code) DO NOTHING",
                params![rec.code, rec.name, rec.salt, rec.secret_hash],
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
                "SELECT code, name, salt, secret_hash FROM agencies WHERE code = ?1",
                params![code],
                |r| {
                    Ok(AgencyRecord {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        salt: r.get(2)?,
                        secret_hash: r.get(3)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn list_agencies(&self) -> StoreResult<Vec<AgencyRecord>> {
        self.with_conn(|c| {
            let mut stmt =
                c.prepare("SELECT code, name, salt, secret_hash FROM agencies ORDER BY code")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(AgencyRecord {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        salt: r.get(2)?,
                        secret_hash: r.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn put_message(&self, msg: NewMessage, body: Bytes) -> StoreResult<PutOutcome> {
        // Fast path for replays: no blob write needed.
        let id = msg.message_id.clone();
        if let Some(existing) = self.with_conn(move |c| load_message(c, &id)).await? {
            return replay_or_conflict(existing, &msg);
        }
        let me = self.clone();
        let sha = msg.sha256.clone();
        tokio::task::spawn_blocking(move || me.write_blob(&sha, &body))
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))??;
        self.with_conn(move |c| {
            let tx = c.transaction()?;
            if let Some(existing) = load_message(&tx, &msg.message_id)? {
                return replay_or_conflict(existing, &msg);
            }
            for r in &msg.recipients {
                let known: Option<i64> = tx
                    .query_row("SELECT 1 FROM agencies WHERE code = ?1", params![r], |r| r.get(0))
                    .optional()?;
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
            let info = load_message(&tx, &msg.message_id)?.ok_or(StoreError::NotFound)?;
            tx.commit()?;
            Ok(PutOutcome::Created(info))
        })
        .await
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
                .query_map(params![agency, after, limit], |r| {
                    Ok(InboxItem {
                        seq: r.get(0)?,
                        message_id: r.get(1)?,
                        sender: r.get(2)?,
                        kind: Kind::parse(&r.get::<_, String>(3)?).unwrap_or(Kind::Edoc),
                        business: Business::from_code(r.get(4)?).unwrap_or(Business::New),
                        related: r.get(5)?,
                        status_code: r.get(6)?,
                        document_id: r.get(7)?,
                        sha256: r.get(8)?,
                        size: r.get::<_, i64>(9)? as u64,
                        created_at_ms: r.get(10)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn read_blob(&self, sha256: &str, offset: u64, len: u64) -> StoreResult<Bytes> {
        let path = self.blob_path(sha256)?;
        tokio::task::spawn_blocking(move || {
            let mut f = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(StoreError::NotFound)
                }
                Err(e) => return Err(e.into()),
            };
            f.seek(SeekFrom::Start(offset))?;
            let mut buf = Vec::with_capacity(len.min(64 << 20) as usize);
            f.take(len).read_to_end(&mut buf)?;
            Ok(Bytes::from(buf))
        })
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?
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
