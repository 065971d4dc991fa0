//! The sync engine's durable queues inside the registry database (docs/sync.md, "Queues in
//! the registry database"): `sync_outbox` (packages to send, in queue order), `sync_received`
//! (packages fetched from the hub, with the ack bookkeeping) and `sync_meta` (cursors such as
//! the last sync time). Package bodies live in the content-addressed blob store, written
//! temp → fsync → rename before the row that names them commits, so a row never points at a
//! missing body.
//!
//! Every call is one transaction. Queuing and storing received packages are durable
//! (the connection runs `synchronous=FULL`); re-queuing or re-storing a message id is a no-op,
//! which together with "acknowledge only after the store committed" gives exactly-once.
//! Queue bookkeeping is transport state, not a change to the registers, so it is not written
//! to the audit log (the registry's own outbox/inbox rows it relates to are).
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::{Error, Registry, Result};

/// An outgoing package as queued (its body is stored separately, by SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncPackage {
    /// The package's message id, unique across the hub.
    pub message_id: String,
    /// send | recall | update | replace | status
    pub op: String,
    /// The message id of the package a revision or status is about.
    pub related: Option<String>,
    /// The edXML status code, for a status.
    pub status_code: Option<String>,
    /// Agency codes of the recipients.
    pub recipients: Vec<String>,
    /// The edXML document id the package carries.
    pub document_id: Option<String>,
    /// SHA-256 of the package body in the attachment store.
    pub sha256: String,
}

/// Where a queued package stands: the `state` column of `sync_outbox` (its CHECK lists the
/// same three names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for the hub to accept it.
    Pending,
    /// The hub accepted it.
    Sent,
    /// The hub refused it for good (the error is kept).
    Failed,
}

impl OutboxState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

impl std::str::FromStr for OutboxState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Pending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!("trạng thái hàng đợi không xác định / unknown outbox state {s:?}")
            })
    }
}

impl std::fmt::Display for OutboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read straight from a `state` column (the registry's and the legacy sync store's): an
/// unknown name is a conversion error, never a state that silently matches nothing.
impl rusqlite::types::FromSql for OutboxState {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        v.as_str()?
            .parse()
            .map_err(|e: String| rusqlite::types::FromSqlError::Other(e.into()))
    }
}

impl rusqlite::types::ToSql for OutboxState {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// A `sync_outbox` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncOutboxRow {
    /// Queue position: packages are sent in this order.
    pub seq: i64,
    /// What is sent.
    pub package: SyncPackage,
    /// Whether it waits for the hub, was accepted or was refused for good.
    pub state: OutboxState,
    /// How many sends were tried.
    pub attempts: i64,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When it was queued, in Unix milliseconds.
    pub created_ms: i64,
    /// When the hub accepted it, in Unix milliseconds.
    pub sent_ms: Option<i64>,
}

/// What the hub told us about a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDelivery {
    /// The package's message id, unique across the hub.
    pub message_id: String,
    /// The hub's sequence number of the delivery.
    pub hub_seq: i64,
    /// The account the hub authenticated as the sender.
    pub sender: String,
    /// What the package is (an edXML document or a status).
    pub kind: String,
    /// The edXML business kind (new, recall, update, replace).
    pub business: String,
    /// The message id of the package a revision or status is about.
    pub related: Option<String>,
    /// The edXML status code, for a status.
    pub status_code: Option<String>,
    /// The edXML document id the package carries.
    pub document_id: Option<String>,
    /// SHA-256 of the package body in the attachment store.
    pub sha256: String,
    /// The hub said the sender's account is a relay (may forward for other agencies).
    #[serde(default)]
    pub relay: bool,
}

/// A `sync_received` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReceivedRow {
    /// Order of arrival on this desktop.
    pub local_seq: i64,
    /// What the hub said about it.
    pub delivery: SyncDelivery,
    /// Size of the package body in bytes.
    pub size: u64,
    /// When it arrived, in Unix milliseconds.
    pub received_ms: i64,
    /// Whether the hub was told it arrived (it is then not delivered again).
    pub acked: bool,
}

/// message id, sender, sha256, business, related, relay of a received package not in
/// `inbox` yet.
type UnrecordedRow = (String, String, String, String, Option<String>, bool);

/// A downloaded package, its body, and the packages its arrival queues (the automatic "01").
pub type SyncReceivedItem<'a> = (SyncDelivery, &'a [u8], Vec<(SyncPackage, &'a [u8])>);

pub(crate) fn migrate_v9(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE TABLE sync_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  TEXT NOT NULL UNIQUE,
    op          TEXT NOT NULL,
    related     TEXT,
    status_code TEXT,
    recipients  TEXT NOT NULL,
    document_id TEXT,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_ms  INTEGER NOT NULL,
    sent_ms     INTEGER
) STRICT;
CREATE INDEX sync_outbox_pending ON sync_outbox (state, seq);

CREATE TABLE sync_received (
    local_seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  TEXT NOT NULL UNIQUE,
    hub_seq     INTEGER NOT NULL,
    sender      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    business    TEXT NOT NULL,
    related     TEXT,
    status_code TEXT,
    document_id TEXT,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    acked       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sync_received_related ON sync_received (related);
CREATE INDEX sync_received_document ON sync_received (document_id, sender);

CREATE TABLE sync_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
"#,
    )?;
    Ok(())
}

/// The current time in Unix milliseconds, the clock of the sync tables.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn split_recipients(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Inserts one outbox row in the caller's transaction; its body must already be in the blob
/// store. Returns false when the message id was queued before (nothing changes).
pub fn enqueue_in(tx: &Transaction<'_>, pkg: &SyncPackage, size: u64) -> Result<bool> {
    enqueue_row(tx, pkg, size, OutboxState::Pending, 0, None, now_ms(), None)
}

#[allow(clippy::too_many_arguments)]
fn enqueue_row(
    tx: &Transaction<'_>,
    pkg: &SyncPackage,
    size: u64,
    state: OutboxState,
    attempts: i64,
    last_error: Option<&str>,
    created_ms: i64,
    sent_ms: Option<i64>,
) -> Result<bool> {
    if pkg.message_id.is_empty() || pkg.sha256.len() != 64 {
        return Err(Error::invalid(
            "gói tin thiếu mã / package without id or hash",
        ));
    }
    let n = tx
        .prepare_cached(
            "INSERT INTO sync_outbox (message_id, op, related, status_code, recipients, document_id,
                                      sha256, size, state, attempts, last_error, created_ms, sent_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (message_id) DO NOTHING",
        )?
        .execute(params![
            pkg.message_id,
            pkg.op,
            pkg.related,
            pkg.status_code,
            pkg.recipients.join(","),
            pkg.document_id,
            pkg.sha256,
            size as i64,
            state,
            attempts,
            last_error,
            created_ms,
            sent_ms
        ])?;
    Ok(n == 1)
}

fn insert_received(
    tx: &Transaction<'_>,
    d: &SyncDelivery,
    size: u64,
    received_ms: i64,
    acked: bool,
) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT INTO sync_received (message_id, hub_seq, sender, kind, business, related,
                                        status_code, document_id, sha256, size, received_ms, acked,
                                        relay)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (message_id) DO NOTHING",
        )?
        .execute(params![
            d.message_id,
            d.hub_seq,
            d.sender,
            d.kind,
            d.business,
            d.related,
            d.status_code,
            d.document_id,
            d.sha256,
            size as i64,
            received_ms,
            acked as i64,
            d.relay
        ])?;
    Ok(n == 1)
}

const OUTBOX_COLS: &str = "seq, message_id, op, related, status_code, recipients, document_id, sha256, state, attempts, last_error, created_ms, sent_ms";

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncOutboxRow> {
    let recipients: String = r.get(5)?;
    Ok(SyncOutboxRow {
        seq: r.get(0)?,
        package: SyncPackage {
            message_id: r.get(1)?,
            op: r.get(2)?,
            related: r.get(3)?,
            status_code: r.get(4)?,
            recipients: split_recipients(&recipients),
            document_id: r.get(6)?,
            sha256: r.get(7)?,
        },
        state: r.get(8)?,
        attempts: r.get(9)?,
        last_error: r.get(10)?,
        created_ms: r.get(11)?,
        sent_ms: r.get(12)?,
    })
}

const RECEIVED_COLS: &str = "local_seq, message_id, hub_seq, sender, kind, business, related, status_code, document_id, sha256, size, received_ms, acked, relay";

fn received_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncReceivedRow> {
    Ok(SyncReceivedRow {
        local_seq: r.get(0)?,
        delivery: SyncDelivery {
            message_id: r.get(1)?,
            hub_seq: r.get(2)?,
            sender: r.get(3)?,
            kind: r.get(4)?,
            business: r.get(5)?,
            related: r.get(6)?,
            status_code: r.get(7)?,
            document_id: r.get(8)?,
            sha256: r.get(9)?,
            relay: r.get(13)?,
        },
        size: r.get::<_, i64>(10)? as u64,
        received_ms: r.get(11)?,
        acked: r.get::<_, i64>(12)? != 0,
    })
}

/// What [`Registry::sync_import_legacy`] moves: the rows of a `sync.sqlite` written by the
/// file implementation, bodies inline.
#[derive(Debug, Default)]
pub struct LegacyQueues {
    /// Outbox rows in queue order, with their bodies.
    pub outbox: Vec<(SyncOutboxRow, Vec<u8>)>,
    /// Received rows in local order, with their bodies.
    pub received: Vec<(SyncReceivedRow, Vec<u8>)>,
    /// The sync engine's key/value state (`sync_meta`), such as the last sync time.
    pub meta: Vec<(String, String)>,
}

/// How many rows an import added (rows already present are skipped).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyImport {
    /// Outbox rows added.
    pub outbox: u64,
    /// Received rows added.
    pub received: u64,
    /// `sync_meta` entries added.
    pub meta: u64,
}

impl Registry {
    /// Stores `body` in the blob store (durably) and checks it matches `sha256`.
    fn put_sync_body(&self, sha256: &str, body: &[u8]) -> Result<u64> {
        Ok(self.put_sync_bodies(&[(sha256, body)])?[0])
    }

    /// Stores package bodies in one blob-store batch; each must match its declared SHA-256.
    /// Returns their sizes.
    fn put_sync_bodies(&self, bodies: &[(&str, &[u8])]) -> Result<Vec<u64>> {
        let contents: Vec<&[u8]> = bodies.iter().map(|(_, b)| *b).collect();
        let stored = self.blobs.put_many(&contents)?;
        // A body that is not what its row will say is refused before the row is written; the
        // blob stored under its real hash is then simply unreferenced.
        for ((sha256, _), s) in bodies.iter().zip(&stored) {
            if s.sha256 != *sha256 {
                return Err(Error::invalid(format!(
                    "nội dung gói tin không khớp SHA-256 / package body does not match its SHA-256 {sha256}"
                )));
            }
        }
        Ok(stored.into_iter().map(|s| s.size).collect())
    }

    /// Queues packages, in order, in one transaction (bodies are stored first). Returns per
    /// package whether it was new; a message id already queued changes nothing.
    pub fn sync_enqueue(&mut self, items: &[(SyncPackage, &[u8])]) -> Result<Vec<bool>> {
        let bodies: Vec<(&str, &[u8])> = items
            .iter()
            .map(|(pkg, body)| (pkg.sha256.as_str(), *body))
            .collect();
        let sizes = self.put_sync_bodies(&bodies)?;
        self.write(|tx, _| {
            items
                .iter()
                .zip(&sizes)
                .map(|((pkg, _), size)| enqueue_in(tx, pkg, *size))
                .collect()
        })
    }

    /// Turns the registry outbox row `outbox_id` (a status code the registry queued) into the
    /// package that carries it, in one transaction: the package is queued and the row marked
    /// sent together, so a crash leaves either both or neither. Returns false when the row was
    /// already handed over (or the package id already queued).
    pub fn sync_enqueue_for_outbox(
        &mut self,
        outbox_id: i64,
        pkg: &SyncPackage,
        body: &[u8],
    ) -> Result<bool> {
        let size = self.put_sync_body(&pkg.sha256, body)?;
        self.write(|tx, ctx| {
            let n = tx.execute(
                "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1 WHERE id = ?1 AND sent_at IS NULL",
                params![outbox_id, ctx.now],
            )?;
            if n == 0 {
                return Ok(false);
            }
            crate::audit::append(
                tx,
                ctx,
                "outbox.sent",
                "outbox",
                Some(&outbox_id.to_string()),
                &serde_json::json!({"message_id": pkg.message_id}),
            )?;
            enqueue_in(tx, pkg, size)
        })
    }

    /// How many queued packages are still to send, for the status bar.
    pub fn sync_pending_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM sync_outbox WHERE state = ?1",
            [OutboxState::Pending],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The oldest pending package after `after_seq`, with its body.
    pub fn sync_next_pending(&self, after_seq: i64) -> Result<Option<(SyncOutboxRow, Vec<u8>)>> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {OUTBOX_COLS} FROM sync_outbox WHERE state = ?2 AND seq > ?1
                 ORDER BY seq LIMIT 1"
            ))?
            .query_row(params![after_seq, OutboxState::Pending], outbox_row)
            .optional()?;
        match row {
            None => Ok(None),
            Some(row) => {
                let body = self.blobs.read(&row.package.sha256)?;
                Ok(Some((row, body)))
            }
        }
    }

    /// The hub accepted these packages (or already had them): one transaction.
    pub fn sync_mark_sent(&mut self, seqs: &[i64]) -> Result<()> {
        let now = now_ms();
        self.write(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "UPDATE sync_outbox SET state = ?3, sent_ms = ?2, last_error = NULL WHERE seq = ?1",
            )?;
            for seq in seqs {
                stmt.execute(params![seq, now, OutboxState::Sent])?;
            }
            Ok(())
        })
    }

    /// The hub refused the package for good; the queue moves on.
    pub fn sync_mark_failed(&mut self, seq: i64, error: &str) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "UPDATE sync_outbox SET state = ?3, last_error = ?2, attempts = attempts + 1 WHERE seq = ?1",
                params![seq, error, OutboxState::Failed],
            )?;
            Ok(())
        })
    }

    /// A transient failure: the package stays pending.
    pub fn sync_note_attempt(&mut self, seq: i64, error: &str) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
                params![seq, error],
            )?;
            Ok(())
        })
    }

    /// The whole outbox, in queue order.
    pub fn sync_outbox(&self) -> Result<Vec<SyncOutboxRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLS} FROM sync_outbox ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], outbox_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Where a queued message stands; `None` when never queued.
    pub fn sync_outbox_state(&self, message_id: &str) -> Result<Option<OutboxState>> {
        Ok(self
            .conn
            .prepare_cached("SELECT state FROM sync_outbox WHERE message_id = ?1")?
            .query_row([message_id], |r| r.get(0))
            .optional()?)
    }

    /// None when never stored, else whether it was acknowledged.
    pub fn sync_received_acked(&self, message_id: &str) -> Result<Option<bool>> {
        Ok(self
            .conn
            .prepare_cached("SELECT acked FROM sync_received WHERE message_id = ?1")?
            .query_row([message_id], |r| r.get::<_, i64>(0))
            .optional()?
            .map(|a| a != 0))
    }

    /// Stores downloaded packages and the packages their arrival queues, in one durable
    /// transaction (bodies first). Returns per package whether it was new; the follow-ups of
    /// a package stored before are not queued again.
    pub fn sync_store_received(&mut self, batch: &[SyncReceivedItem<'_>]) -> Result<Vec<bool>> {
        let mut bodies: Vec<(&str, &[u8])> = Vec::new();
        for (d, body, follow_ups) in batch {
            bodies.push((d.sha256.as_str(), body));
            bodies.extend(follow_ups.iter().map(|(p, b)| (p.sha256.as_str(), *b)));
        }
        let mut stored = self.put_sync_bodies(&bodies)?.into_iter();
        let mut sizes = Vec::with_capacity(batch.len());
        for (_, _, follow_ups) in batch {
            let size = stored.next().expect("one size per body");
            let fsizes: Vec<u64> = stored.by_ref().take(follow_ups.len()).collect();
            sizes.push((size, fsizes));
        }
        let now = now_ms();
        self.write(|tx, _| {
            let mut out = Vec::with_capacity(batch.len());
            for ((d, _, follow_ups), (size, fsizes)) in batch.iter().zip(&sizes) {
                let new = insert_received(tx, d, *size, now, false)?;
                out.push(new);
                if new {
                    for ((p, _), s) in follow_ups.iter().zip(fsizes) {
                        enqueue_in(tx, p, *s)?;
                    }
                }
            }
            Ok(out)
        })
    }

    /// Records that receipt of these packages was acknowledged to the hub, which then stops
    /// delivering them (one transaction for the whole batch).
    pub fn sync_mark_acked<S: AsRef<str>>(&mut self, message_ids: &[S]) -> Result<()> {
        self.write(|tx, _| {
            let mut stmt =
                tx.prepare_cached("UPDATE sync_received SET acked = 1 WHERE message_id = ?1")?;
            for id in message_ids {
                stmt.execute([id.as_ref()])?;
            }
            Ok(())
        })
    }

    /// Every received package, in the order it was stored.
    pub fn sync_received(&self) -> Result<Vec<SyncReceivedRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECEIVED_COLS} FROM sync_received ORDER BY local_seq"
        ))?;
        let rows = stmt.query_map([], received_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The received package `message_id` with its body.
    pub fn sync_received_body(&self, message_id: &str) -> Result<Option<Vec<u8>>> {
        let sha: Option<String> = self
            .conn
            .prepare_cached("SELECT sha256 FROM sync_received WHERE message_id = ?1")?
            .query_row([message_id], |r| r.get(0))
            .optional()?;
        sha.map(|s| self.blobs.read(&s)).transpose()
    }

    /// Records every received document package (`kind = edoc`) that the registry inbox does
    /// not know yet, in one transaction, as [`Registry::record_inbox`] would one by one; the
    /// import then works from the registry inbox. Returns how many were recorded.
    pub fn sync_record_received_documents(&mut self) -> Result<u64> {
        self.write(|tx, ctx| {
            let rows: Vec<UnrecordedRow> = tx
                .prepare_cached(
                    "SELECT s.message_id, s.sender, s.sha256, s.business, s.related, s.relay
                     FROM sync_received s
                     WHERE s.kind = 'edoc'
                       -- a desktop's submission (sender UNIT/DESKTOP) is not a document
                       -- from a sender: the desks exchange handles it
                       AND instr(s.sender, '/') = 0
                       AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.package_id = s.message_id)
                     ORDER BY s.local_seq",
                )?
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            for (message_id, sender, sha256, business, related, relay) in &rows {
                // `sender` is the account the hub authenticated; `relay` whether that account
                // may forward for others (the bridge checks From/OrganId against both).
                let payload = serde_json::json!({
                    "hub_message_id": message_id, "sha256": sha256,
                    "business": business, "related": related, "relay": relay,
                });
                tx.prepare_cached(
                    "INSERT INTO inbox (package_id, kind, sender_code, payload, received_at)
                     VALUES (?1, 'edoc', ?2, ?3, ?4)",
                )?
                .execute(params![message_id, sender, payload.to_string(), ctx.now])?;
                let id = tx.last_insert_rowid();
                crate::audit::append(
                    tx,
                    ctx,
                    "inbox.record",
                    "inbox",
                    Some(&id.to_string()),
                    &serde_json::json!({"package_id": message_id, "kind": "edoc", "sender_code": sender}),
                )?;
            }
            Ok(rows.len() as u64)
        })
    }

    /// The sync engine's stored value for `key`, if any.
    pub fn sync_meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Stores the sync engine's value for `key`, replacing any earlier one.
    pub fn set_sync_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO sync_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
    }

    /// Sets `key` only if absent; true when it was set now.
    pub fn insert_sync_meta(&mut self, key: &str, value: &str) -> Result<bool> {
        self.write(|tx, _| {
            let n = tx.execute(
                "INSERT INTO sync_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![key, value],
            )?;
            Ok(n == 1)
        })
    }

    /// Moves the queues of a file-based sync state into the registry in one transaction,
    /// keeping order and states. Rows whose message id is already here are skipped, so a
    /// migration interrupted before its source was renamed can simply run again.
    pub fn sync_import_legacy(&mut self, legacy: &LegacyQueues) -> Result<LegacyImport> {
        let mut out_sizes = Vec::with_capacity(legacy.outbox.len());
        for (row, body) in &legacy.outbox {
            out_sizes.push(self.put_sync_body(&row.package.sha256, body)?);
        }
        let mut in_sizes = Vec::with_capacity(legacy.received.len());
        for (row, body) in &legacy.received {
            in_sizes.push(self.put_sync_body(&row.delivery.sha256, body)?);
        }
        let report = self.write(|tx, ctx| {
            let mut report = LegacyImport::default();
            for ((row, _), size) in legacy.outbox.iter().zip(&out_sizes) {
                if enqueue_row(
                    tx,
                    &row.package,
                    *size,
                    row.state,
                    row.attempts,
                    row.last_error.as_deref(),
                    row.created_ms,
                    row.sent_ms,
                )? {
                    report.outbox += 1;
                }
            }
            for ((row, _), size) in legacy.received.iter().zip(&in_sizes) {
                if insert_received(tx, &row.delivery, *size, row.received_ms, row.acked)? {
                    report.received += 1;
                }
            }
            for (k, v) in &legacy.meta {
                report.meta += tx.execute(
                    "INSERT INTO sync_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                    params![k, v],
                )? as u64;
            }
            crate::audit::append(
                tx,
                ctx,
                "sync.import_legacy",
                "sync",
                None,
                &serde_json::to_value(&report).expect("report serialises"),
            )?;
            Ok(report)
        })?;
        Ok(report)
    }
}
