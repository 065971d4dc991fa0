//! The durable outbox and inbox behind one trait, [`QueueStore`], with two implementations:
//! * [`RegistryStore`]: tables `sync_outbox` / `sync_received` / `sync_meta` in the registry
//!   database (`vanthu.db`), bodies in its blob store — used whenever the data directory holds
//!   a register, so a status row and the package carrying it commit together;
//! * [`FileStore`]: a small SQLite file of its own (`<data dir>/sync.sqlite`) for where no
//!   register exists (a relay, `vanthu sync send` of files, bench/sync).
//!
//! Every engine step that changes a queue is one transaction, so a kill at any instant leaves
//! a state the next run resumes from. Opening the registry implementation on a data directory
//! that still has a `sync.sqlite` moves its rows over once (idempotently) and renames the file.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::transport::{Operation, OutgoingPackage, RemoteItem};
pub use vanthu_registry::OutboxState;

/// Why the engine's queues could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The SQLite queue database failed.
    #[error("lỗi cơ sở dữ liệu đồng bộ / sync database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// A queue file could not be read or written.
    #[error("lỗi tệp / file error: {0}")]
    Io(#[from] std::io::Error),
    /// The registry database failed.
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    op TEXT NOT NULL,
    related TEXT,
    status_code TEXT,
    recipients TEXT NOT NULL,
    document_id TEXT,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_ms INTEGER NOT NULL,
    sent_ms INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(state, seq);
CREATE TABLE IF NOT EXISTS inbox (
    local_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    hub_seq INTEGER NOT NULL,
    sender TEXT NOT NULL,
    kind TEXT NOT NULL,
    business TEXT NOT NULL,
    related TEXT,
    status_code TEXT,
    document_id TEXT,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL,
    received_ms INTEGER NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0,
    relay INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS inbox_related ON inbox(related);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"#;

/// One queued outgoing package and how its delivery is going.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Queue order.
    pub seq: i64,
    /// The package, without its body.
    pub package: OutgoingPackageView,
    /// Pending, sent or failed.
    pub state: OutboxState,
    /// Upload attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the hub accepted it (ms since the epoch).
    #[serde(default)]
    pub sent_ms: Option<i64>,
}

/// Serializable view of an outgoing package (without its body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingPackageView {
    /// Hub message id.
    pub message_id: String,
    /// What the package does.
    pub op: Operation,
    /// Message id of the package a status, recall, update or replacement concerns.
    pub related: Option<String>,
    /// Status code, for a status package.
    pub status_code: Option<String>,
    /// Agency codes to deliver to.
    pub recipients: Vec<String>,
    /// The edXML `DocumentId`, when known.
    pub document_id: Option<String>,
    /// SHA-256 (hex) of the body.
    pub sha256: String,
}

impl From<&OutgoingPackageView> for OutgoingPackage {
    fn from(v: &OutgoingPackageView) -> OutgoingPackage {
        OutgoingPackage {
            message_id: v.message_id.clone(),
            op: v.op,
            related: v.related.clone(),
            status_code: v.status_code.clone(),
            recipients: v.recipients.clone(),
            document_id: v.document_id.clone(),
            sha256: v.sha256.clone(),
        }
    }
}

/// A package downloaded from the hub and kept until the register takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    /// Local arrival order.
    pub local_seq: i64,
    /// Hub message id.
    pub message_id: String,
    /// The account the hub authenticated ([`RemoteItem::sender`]).
    pub sender: String,
    /// That account is a relay ([`RemoteItem::relay`]).
    #[serde(default)]
    pub relay: bool,
    /// `edoc` for a document package, `status` for a status.
    pub kind: String,
    /// The edXML business of a document (`new`, ...).
    pub business: String,
    /// Message id of the package a status or follow-up concerns.
    pub related: Option<String>,
    /// Status code, for a status package.
    pub status_code: Option<String>,
    /// The edXML `DocumentId`, when known.
    pub document_id: Option<String>,
    /// SHA-256 (hex) of the body.
    pub sha256: String,
    /// Body size in bytes.
    pub size: u64,
    /// When it was stored (ms since the epoch).
    pub received_ms: i64,
    /// The hub was told it arrived (it will not be delivered again).
    pub acked: bool,
}

/// Runs `f` with `synchronous=FULL`: for the writes that must survive a power cut (a queued
/// package; a received package before it is acknowledged). Bookkeeping writes (sent marks,
/// ack marks) stay `NORMAL`: losing one only repeats an idempotent step.
fn durable<T>(
    c: &mut Connection,
    f: impl FnOnce(&mut Connection) -> Result<T, StateError>,
) -> Result<T, StateError> {
    c.execute_batch("PRAGMA synchronous=FULL")?;
    let r = f(c);
    c.execute_batch("PRAGMA synchronous=NORMAL")?;
    r
}

/// A downloaded package, its body and the packages its arrival queues.
pub type ReceivedBatchItem = (RemoteItem, Vec<u8>, Vec<(OutgoingPackage, Vec<u8>)>);

/// The queue operations the engine needs; see the module doc for the two implementations.
/// Contract shared by both: re-queuing or re-storing a message id is a no-op; `store_received`
/// is one durable transaction for the packages and the follow-ups their arrival queues.
pub trait QueueStore: Send + Sync {
    /// "registry" or "file".
    fn kind(&self) -> &'static str;
    /// Queues packages in one durable transaction, in order; per package whether it was new.
    fn enqueue_many(&self, items: &[(OutgoingPackage, Vec<u8>)]) -> Result<Vec<bool>, StateError>;
    /// Packages still waiting to be uploaded.
    fn pending_outbox_count(&self) -> Result<u64, StateError>;
    /// The oldest pending package after `after_seq`, with its body.
    fn next_pending(
        &self,
        after_seq: i64,
    ) -> Result<Option<(i64, OutgoingPackage, Vec<u8>)>, StateError>;
    /// Records that the hub accepted these packages (one transaction).
    fn mark_sent(&self, seqs: &[i64]) -> Result<(), StateError>;
    /// Gives up on the package for good, with the reason.
    fn mark_failed(&self, seq: i64, error: &str) -> Result<(), StateError>;
    /// Records a failed attempt; the package stays pending.
    fn note_attempt(&self, seq: i64, error: &str) -> Result<(), StateError>;
    /// Every queued package, oldest first.
    fn outbox(&self) -> Result<Vec<OutboxEntry>, StateError>;
    /// `pending`, `sent` or `failed` for a queued message; `None` when never queued.
    fn outbox_state(&self, message_id: &str) -> Result<Option<OutboxState>, StateError>;
    /// None when never stored, else whether it was acknowledged.
    fn has_received(&self, message_id: &str) -> Result<Option<bool>, StateError>;
    /// Stores downloaded packages and their follow-ups in one durable transaction; per item whether it was new.
    fn store_received(&self, batch: &[ReceivedBatchItem]) -> Result<Vec<bool>, StateError>;
    /// Records that the hub was told of these arrivals (one transaction).
    fn mark_acked(&self, message_ids: &[String]) -> Result<(), StateError>;
    /// Every received package, in arrival order.
    fn received(&self) -> Result<Vec<Received>, StateError>;
    /// The body of a received package; `None` when unknown.
    fn received_body(&self, message_id: &str) -> Result<Option<Vec<u8>>, StateError>;
    /// Sets a small persistent setting or marker.
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StateError>;
    /// Reads a value set by `set_meta`.
    fn meta(&self, key: &str) -> Result<Option<String>, StateError>;
    /// Sets `key` only when absent; true when set now.
    fn insert_meta(&self, key: &str, value: &str) -> Result<bool, StateError>;
}

/// A handle on the engine's queues (cheap to clone) plus the partial-download directory.
#[derive(Clone)]
pub struct SyncState {
    store: Arc<dyn QueueStore>,
    data_dir: PathBuf,
    partial_dir: PathBuf,
}

/// Milliseconds since the Unix epoch, the time unit of the queues.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The file the register-less implementation keeps its queues in.
pub const FILE_STATE: &str = "sync.sqlite";

fn parse_recipients(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl SyncState {
    /// The registry implementation when `data_dir` holds a register (`vanthu.db`), else the
    /// file implementation.
    pub fn open(data_dir: &Path) -> Result<SyncState, StateError> {
        if data_dir.join(vanthu_registry::DB_FILE).is_file() {
            Self::open_registry(data_dir)
        } else {
            Self::open_file(data_dir)
        }
    }

    /// The queues in `<data_dir>/sync.sqlite`.
    pub fn open_file(data_dir: &Path) -> Result<SyncState, StateError> {
        std::fs::create_dir_all(data_dir)?;
        let store = FileStore::open(&data_dir.join(FILE_STATE))?;
        Self::with_store(data_dir, Arc::new(store))
    }

    /// Any other implementation (e.g. a test double, or a store shared with the caller).
    pub fn with_store(
        data_dir: &Path,
        store: Arc<dyn QueueStore>,
    ) -> Result<SyncState, StateError> {
        let partial_dir = data_dir.join("sync-partial");
        std::fs::create_dir_all(&partial_dir)?;
        Ok(SyncState {
            store,
            data_dir: data_dir.to_path_buf(),
            partial_dir,
        })
    }

    /// "registry" or "file".
    pub fn kind(&self) -> &'static str {
        self.store.kind()
    }

    /// The data directory the queues live in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where a download in progress accumulates; its length is the resume offset.
    pub fn partial_path(&self, message_id: &str) -> PathBuf {
        let safe: String = message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.partial_dir.join(format!("{safe}.part"))
    }

    /// Queues a package. Re-queuing the same message id is a no-op (returns false).
    pub fn enqueue(&self, pkg: &OutgoingPackage, body: &[u8]) -> Result<bool, StateError> {
        Ok(self.enqueue_many(&[(pkg.clone(), body.to_vec())])?[0])
    }

    /// Queues several packages in one durable transaction, in order.
    pub fn enqueue_many(
        &self,
        items: &[(OutgoingPackage, Vec<u8>)],
    ) -> Result<Vec<bool>, StateError> {
        self.store.enqueue_many(items)
    }

    /// Packages still waiting to be uploaded.
    pub fn pending_outbox_count(&self) -> Result<u64, StateError> {
        self.store.pending_outbox_count()
    }

    /// The oldest pending package with its body.
    pub fn next_pending(
        &self,
        after_seq: i64,
    ) -> Result<Option<(i64, OutgoingPackage, Vec<u8>)>, StateError> {
        self.store.next_pending(after_seq)
    }

    /// Records that the hub accepted these packages (one transaction).
    pub fn mark_sent(&self, seqs: &[i64]) -> Result<(), StateError> {
        if seqs.is_empty() {
            return Ok(());
        }
        self.store.mark_sent(seqs)
    }

    /// Gives up on the package for good, with the reason.
    pub fn mark_failed(&self, seq: i64, error: &str) -> Result<(), StateError> {
        self.store.mark_failed(seq, error)
    }

    /// Records a failed attempt; the package stays pending.
    pub fn note_attempt(&self, seq: i64, error: &str) -> Result<(), StateError> {
        self.store.note_attempt(seq, error)
    }

    /// Every queued package, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StateError> {
        self.store.outbox()
    }

    /// `pending`, `sent` or `failed` for a queued message; `None` when never queued.
    pub fn outbox_state(&self, message_id: &str) -> Result<Option<OutboxState>, StateError> {
        self.store.outbox_state(message_id)
    }

    /// `None` when never stored, else whether it was acknowledged.
    pub fn has_received(&self, message_id: &str) -> Result<Option<bool>, StateError> {
        self.store.has_received(message_id)
    }

    /// Stores downloaded packages and, in the same transaction, the packages their arrival
    /// must trigger (the automatic "01 đã đến" status). One durable commit for the batch.
    /// Returns, per item, whether it was new.
    pub fn store_received(&self, batch: &[ReceivedBatchItem]) -> Result<Vec<bool>, StateError> {
        self.store.store_received(batch)
    }

    /// Records that the hub was told of these arrivals (one transaction).
    pub fn mark_acked(&self, message_ids: &[String]) -> Result<(), StateError> {
        if message_ids.is_empty() {
            return Ok(());
        }
        self.store.mark_acked(message_ids)
    }

    /// Every received package, in arrival order.
    pub fn received(&self) -> Result<Vec<Received>, StateError> {
        self.store.received()
    }

    /// The body of a received package; `None` when unknown.
    pub fn received_body(&self, message_id: &str) -> Result<Option<Vec<u8>>, StateError> {
        self.store.received_body(message_id)
    }

    /// Sets a small persistent setting or marker.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StateError> {
        self.store.set_meta(key, value)
    }

    /// Reads a value set by `set_meta`.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StateError> {
        self.store.meta(key)
    }

    /// Sets `key` only when absent; true when set now.
    pub fn insert_meta(&self, key: &str, value: &str) -> Result<bool, StateError> {
        self.store.insert_meta(key, value)
    }
}

/// The register-less implementation: `<data dir>/sync.sqlite`, bodies inline.
pub struct FileStore {
    conn: Mutex<Connection>,
}

const INSERT_OUTBOX: &str = "INSERT INTO outbox (message_id, op, related, status_code, recipients, document_id, sha256, body, created_ms)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(message_id) DO NOTHING";

fn insert_outbox(
    tx: &rusqlite::Transaction<'_>,
    pkg: &OutgoingPackage,
    body: &[u8],
) -> Result<bool, StateError> {
    let n = tx.prepare_cached(INSERT_OUTBOX)?.execute(params![
        pkg.message_id,
        pkg.op.as_str(),
        pkg.related,
        pkg.status_code,
        pkg.recipients.join(","),
        pkg.document_id,
        pkg.sha256,
        body,
        now_ms()
    ])?;
    Ok(n == 1)
}

/// Status packages queued in the old `edXML:Status` form and never tried are rewritten in the
/// official form (as registry migration 11 does for the queues in the registry database); one
/// already tried may be on the hub under its message id and stays as it is.
fn upgrade_old_statuses(conn: &Connection) -> Result<(), StateError> {
    let rows: Vec<(i64, Vec<u8>)> = conn
        .prepare(
            "SELECT seq, body FROM outbox WHERE op = 'status' AND state = 'pending' AND attempts = 0",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (seq, body) in rows {
        if let Some(new) = vanthu_registry::upgrade_status_body(&body) {
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&new));
            conn.execute(
                "UPDATE outbox SET body = ?1, sha256 = ?2 WHERE seq = ?3",
                params![new, sha, seq],
            )?;
        }
    }
    Ok(())
}

impl FileStore {
    /// Opens (creating if needed) the SQLite queue file at `path`.
    pub fn open(path: &Path) -> Result<FileStore, StateError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        )?;
        conn.execute_batch(SCHEMA)?;
        upgrade_old_statuses(&conn)?;
        // Files from before the hub reported relays: the column, false for what they hold.
        let has_relay = conn
            .prepare("SELECT 1 FROM pragma_table_info('inbox') WHERE name = 'relay'")?
            .exists([])?;
        if !has_relay {
            conn.execute_batch("ALTER TABLE inbox ADD COLUMN relay INTEGER NOT NULL DEFAULT 0")?;
        }
        Ok(FileStore {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl QueueStore for FileStore {
    fn kind(&self) -> &'static str {
        "file"
    }

    fn enqueue_many(&self, items: &[(OutgoingPackage, Vec<u8>)]) -> Result<Vec<bool>, StateError> {
        let mut c = self.lock();
        durable(&mut c, |c| {
            let tx = c.transaction()?;
            let mut out = Vec::with_capacity(items.len());
            for (pkg, body) in items {
                out.push(insert_outbox(&tx, pkg, body)?);
            }
            tx.commit()?;
            Ok(out)
        })
    }

    fn pending_outbox_count(&self) -> Result<u64, StateError> {
        Ok(self.lock().query_row(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    fn next_pending(
        &self,
        after_seq: i64,
    ) -> Result<Option<(i64, OutgoingPackage, Vec<u8>)>, StateError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT seq, message_id, op, related, status_code, recipients, document_id, sha256, body
             FROM outbox WHERE state = 'pending' AND seq > ?1 ORDER BY seq LIMIT 1",
            params![after_seq],
            |r| {
                let op: String = r.get(2)?;
                let recipients: String = r.get(5)?;
                Ok((
                    r.get(0)?,
                    OutgoingPackage {
                        message_id: r.get(1)?,
                        op: Operation::parse(&op).unwrap_or(Operation::Send),
                        related: r.get(3)?,
                        status_code: r.get(4)?,
                        recipients: parse_recipients(&recipients),
                        document_id: r.get(6)?,
                        sha256: r.get(7)?,
                    },
                    r.get(8)?,
                ))
            },
        )
        .optional()?)
    }

    fn mark_sent(&self, seqs: &[i64]) -> Result<(), StateError> {
        let now = now_ms();
        let mut c = self.lock();
        let tx = c.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE outbox SET state = 'sent', sent_ms = ?2, last_error = NULL WHERE seq = ?1",
            )?;
            for seq in seqs {
                stmt.execute(params![seq, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn mark_failed(&self, seq: i64, error: &str) -> Result<(), StateError> {
        self.lock().execute(
            "UPDATE outbox SET state = 'failed', last_error = ?2, attempts = attempts + 1 WHERE seq = ?1",
            params![seq, error],
        )?;
        Ok(())
    }

    fn note_attempt(&self, seq: i64, error: &str) -> Result<(), StateError> {
        self.lock().execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
            params![seq, error],
        )?;
        Ok(())
    }

    fn outbox_state(&self, message_id: &str) -> Result<Option<OutboxState>, StateError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT state FROM outbox WHERE message_id = ?1",
                [message_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn outbox(&self) -> Result<Vec<OutboxEntry>, StateError> {
        let c = self.lock();
        let mut stmt = c.prepare(
            "SELECT seq, message_id, op, related, status_code, recipients, document_id, sha256, state, attempts, last_error, sent_ms
             FROM outbox ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let op: String = r.get(2)?;
                let recipients: String = r.get(5)?;
                Ok(OutboxEntry {
                    seq: r.get(0)?,
                    package: OutgoingPackageView {
                        message_id: r.get(1)?,
                        op: Operation::parse(&op).unwrap_or(Operation::Send),
                        related: r.get(3)?,
                        status_code: r.get(4)?,
                        recipients: parse_recipients(&recipients),
                        document_id: r.get(6)?,
                        sha256: r.get(7)?,
                    },
                    state: r.get(8)?,
                    attempts: r.get(9)?,
                    last_error: r.get(10)?,
                    sent_ms: r.get(11)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn has_received(&self, message_id: &str) -> Result<Option<bool>, StateError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT acked FROM inbox WHERE message_id = ?1",
                params![message_id],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .map(|a| a != 0))
    }

    fn store_received(&self, batch: &[ReceivedBatchItem]) -> Result<Vec<bool>, StateError> {
        let mut c = self.lock();
        durable(&mut c, |c| {
            let tx = c.transaction()?;
            let mut out = Vec::with_capacity(batch.len());
            for (item, body, follow_ups) in batch {
                let n = tx.execute(
                    "INSERT INTO inbox (message_id, hub_seq, sender, kind, business, related, status_code, document_id, sha256, body, received_ms, relay)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(message_id) DO NOTHING",
                    params![
                        item.message_id,
                        item.seq,
                        item.sender,
                        item.kind,
                        item.business,
                        item.related,
                        item.status_code,
                        item.document_id,
                        item.sha256,
                        body,
                        now_ms(),
                        item.relay
                    ],
                )?;
                out.push(n == 1);
                if n == 0 {
                    continue;
                }
                for (pkg, pbody) in follow_ups {
                    insert_outbox(&tx, pkg, pbody)?;
                }
            }
            tx.commit()?;
            Ok(out)
        })
    }

    fn mark_acked(&self, message_ids: &[String]) -> Result<(), StateError> {
        let mut c = self.lock();
        let tx = c.transaction()?;
        {
            let mut stmt = tx.prepare_cached("UPDATE inbox SET acked = 1 WHERE message_id = ?1")?;
            for id in message_ids {
                stmt.execute(params![id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn received(&self) -> Result<Vec<Received>, StateError> {
        let c = self.lock();
        let mut stmt = c.prepare(
            "SELECT local_seq, message_id, sender, kind, business, related, status_code, document_id, sha256, length(body), received_ms, acked, relay
             FROM inbox ORDER BY local_seq",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Received {
                    local_seq: r.get(0)?,
                    message_id: r.get(1)?,
                    sender: r.get(2)?,
                    kind: r.get(3)?,
                    business: r.get(4)?,
                    related: r.get(5)?,
                    status_code: r.get(6)?,
                    document_id: r.get(7)?,
                    sha256: r.get(8)?,
                    size: r.get::<_, i64>(9)? as u64,
                    received_ms: r.get(10)?,
                    acked: r.get::<_, i64>(11)? != 0,
                    relay: r.get(12)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn received_body(&self, message_id: &str) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT body FROM inbox WHERE message_id = ?1",
                params![message_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StateError> {
        self.lock().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StateError> {
        Ok(self
            .lock()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn insert_meta(&self, key: &str, value: &str) -> Result<bool, StateError> {
        let n = self.lock().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            params![key, value],
        )?;
        Ok(n == 1)
    }
}
