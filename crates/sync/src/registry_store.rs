//! The engine's queues in the registry database (vanthu_registry::syncq): used whenever the
//! data directory holds a register. Opening it moves a `sync.sqlite` left by the file
//! implementation into the registry once, then renames that file (kept, never deleted).
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use vanthu_registry::{
    LegacyQueues, Registry, SyncDelivery, SyncOutboxRow, SyncPackage, SyncReceivedRow,
};

use crate::state::{
    OutboxEntry, OutboxState, OutgoingPackageView, QueueStore, Received, ReceivedBatchItem,
    StateError, SyncState, FILE_STATE,
};
use crate::transport::{Operation, OutgoingPackage};

/// The engine's queues kept in the registry database, next to the register they feed.
pub struct RegistryStore {
    reg: Mutex<Registry>,
}

/// Rows moved per transaction when migrating a `sync.sqlite` (bounds memory: bodies inline).
const LEGACY_CHUNK: i64 = 256;

pub(crate) fn to_sync_package(p: &OutgoingPackage) -> SyncPackage {
    SyncPackage {
        message_id: p.message_id.clone(),
        op: p.op.as_str().to_owned(),
        related: p.related.clone(),
        status_code: p.status_code.clone(),
        recipients: p.recipients.clone(),
        document_id: p.document_id.clone(),
        sha256: p.sha256.clone(),
    }
}

fn from_sync_package(p: SyncPackage) -> OutgoingPackage {
    OutgoingPackage {
        op: Operation::parse(&p.op).unwrap_or(Operation::Send),
        message_id: p.message_id,
        related: p.related,
        status_code: p.status_code,
        recipients: p.recipients,
        document_id: p.document_id,
        sha256: p.sha256,
    }
}

impl RegistryStore {
    /// Opens (creating if needed) the registry database of `data_dir`.
    pub fn open(data_dir: &Path) -> Result<RegistryStore, StateError> {
        let mut reg = Registry::open_existing(data_dir)?;
        reg.set_user("sync");
        migrate_file_state(&mut reg, data_dir)?;
        Ok(RegistryStore {
            reg: Mutex::new(reg),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.reg.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Moves the rows of `<data_dir>/sync.sqlite` into the registry, then renames the file to
/// `sync.sqlite.migrated` (with its WAL, if any). Outbox rows keep their order and state,
/// received rows their ack mark. Interrupted anywhere, the next open repeats it: rows already
/// moved are skipped by message id, so nothing is lost or duplicated.
pub fn migrate_file_state(reg: &mut Registry, data_dir: &Path) -> Result<bool, StateError> {
    let path = data_dir.join(FILE_STATE);
    if !path.is_file() {
        return Ok(false);
    }
    {
        // No CREATE flag: if another process finished the move meanwhile, this fails
        // instead of creating an empty file.
        let conn = match Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE) {
            Ok(c) => c,
            Err(_) if !path.exists() => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let has_tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('outbox', 'inbox', 'meta')",
            [],
            |r| r.get(0),
        )?;
        if has_tables == 3 {
            copy_legacy(&conn, reg)?;
        }
    }
    let mut dest = data_dir.join(format!("{FILE_STATE}.migrated"));
    if dest.exists() {
        dest = data_dir.join(format!("{FILE_STATE}.migrated-{}", crate::state::now_ms()));
    }
    for suffix in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", path.display()));
        if from.exists() {
            let _ = std::fs::rename(&from, format!("{}{suffix}", dest.display()));
        }
    }
    match std::fs::rename(&path, &dest) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(to = %dest.display(), "sync queues moved into the registry");
    Ok(true)
}

fn copy_legacy(conn: &Connection, reg: &mut Registry) -> Result<(), StateError> {
    let mut after = 0i64;
    loop {
        let mut stmt = conn.prepare(
            "SELECT seq, message_id, op, related, status_code, recipients, document_id, sha256,
                    state, attempts, last_error, created_ms, sent_ms, body
             FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt
            .query_map([after, LEGACY_CHUNK], |r| {
                let recipients: String = r.get(5)?;
                Ok((
                    SyncOutboxRow {
                        seq: r.get(0)?,
                        package: SyncPackage {
                            message_id: r.get(1)?,
                            op: r.get(2)?,
                            related: r.get(3)?,
                            status_code: r.get(4)?,
                            recipients: recipients
                                .split(',')
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned)
                                .collect(),
                            document_id: r.get(6)?,
                            sha256: r.get(7)?,
                        },
                        state: r.get(8)?,
                        attempts: r.get(9)?,
                        last_error: r.get(10)?,
                        created_ms: r.get(11)?,
                        sent_ms: r.get(12)?,
                    },
                    r.get::<_, Vec<u8>>(13)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let Some(last) = rows.last() else { break };
        after = last.0.seq;
        reg.sync_import_legacy(&LegacyQueues {
            outbox: rows,
            ..Default::default()
        })?;
    }
    let mut after = 0i64;
    loop {
        let mut stmt = conn.prepare(
            "SELECT local_seq, message_id, hub_seq, sender, kind, business, related, status_code,
                    document_id, sha256, received_ms, acked, body
             FROM inbox WHERE local_seq > ?1 ORDER BY local_seq LIMIT ?2",
        )?;
        let rows = stmt
            .query_map([after, LEGACY_CHUNK], |r| {
                let body: Vec<u8> = r.get(12)?;
                Ok((
                    SyncReceivedRow {
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
                            // Sync files from before relays: nothing relayed is trusted.
                            relay: false,
                        },
                        size: body.len() as u64,
                        received_ms: r.get(10)?,
                        acked: r.get::<_, i64>(11)? != 0,
                    },
                    body,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let Some(last) = rows.last() else { break };
        after = last.0.local_seq;
        reg.sync_import_legacy(&LegacyQueues {
            received: rows,
            ..Default::default()
        })?;
    }
    let meta = conn
        .prepare("SELECT key, value FROM meta ORDER BY key")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    reg.sync_import_legacy(&LegacyQueues {
        meta,
        ..Default::default()
    })?;
    Ok(())
}

impl QueueStore for RegistryStore {
    fn kind(&self) -> &'static str {
        "registry"
    }

    fn enqueue_many(&self, items: &[(OutgoingPackage, Vec<u8>)]) -> Result<Vec<bool>, StateError> {
        let pkgs: Vec<(SyncPackage, &[u8])> = items
            .iter()
            .map(|(p, b)| (to_sync_package(p), b.as_slice()))
            .collect();
        Ok(self.lock().sync_enqueue(&pkgs)?)
    }

    fn pending_outbox_count(&self) -> Result<u64, StateError> {
        Ok(self.lock().sync_pending_count()?)
    }

    fn next_pending(
        &self,
        after_seq: i64,
    ) -> Result<Option<(i64, OutgoingPackage, Vec<u8>)>, StateError> {
        Ok(self
            .lock()
            .sync_next_pending(after_seq)?
            .map(|(row, body)| (row.seq, from_sync_package(row.package), body)))
    }

    fn mark_sent(&self, seqs: &[i64]) -> Result<(), StateError> {
        Ok(self.lock().sync_mark_sent(seqs)?)
    }

    fn mark_failed(&self, seq: i64, error: &str) -> Result<(), StateError> {
        Ok(self.lock().sync_mark_failed(seq, error)?)
    }

    fn note_attempt(&self, seq: i64, error: &str) -> Result<(), StateError> {
        Ok(self.lock().sync_note_attempt(seq, error)?)
    }

    fn outbox_state(&self, message_id: &str) -> Result<Option<OutboxState>, StateError> {
        Ok(self.lock().sync_outbox_state(message_id)?)
    }

    fn outbox(&self) -> Result<Vec<OutboxEntry>, StateError> {
        Ok(self
            .lock()
            .sync_outbox()?
            .into_iter()
            .map(|r| OutboxEntry {
                seq: r.seq,
                package: OutgoingPackageView {
                    op: Operation::parse(&r.package.op).unwrap_or(Operation::Send),
                    message_id: r.package.message_id,
                    related: r.package.related,
                    status_code: r.package.status_code,
                    recipients: r.package.recipients,
                    document_id: r.package.document_id,
                    sha256: r.package.sha256,
                },
                state: r.state,
                attempts: r.attempts,
                last_error: r.last_error,
                sent_ms: r.sent_ms,
            })
            .collect())
    }

    fn has_received(&self, message_id: &str) -> Result<Option<bool>, StateError> {
        Ok(self.lock().sync_received_acked(message_id)?)
    }

    fn store_received(&self, batch: &[ReceivedBatchItem]) -> Result<Vec<bool>, StateError> {
        let items: Vec<vanthu_registry::SyncReceivedItem<'_>> = batch
            .iter()
            .map(|(item, body, follow_ups)| {
                (
                    SyncDelivery {
                        message_id: item.message_id.clone(),
                        hub_seq: item.seq,
                        sender: item.sender.clone(),
                        kind: item.kind.clone(),
                        business: item.business.clone(),
                        related: item.related.clone(),
                        status_code: item.status_code.clone(),
                        document_id: item.document_id.clone(),
                        sha256: item.sha256.clone(),
                        relay: item.relay,
                    },
                    body.as_slice(),
                    follow_ups
                        .iter()
                        .map(|(p, b)| (to_sync_package(p), b.as_slice()))
                        .collect(),
                )
            })
            .collect();
        Ok(self.lock().sync_store_received(&items)?)
    }

    fn mark_acked(&self, message_ids: &[String]) -> Result<(), StateError> {
        Ok(self.lock().sync_mark_acked(message_ids)?)
    }

    fn received(&self) -> Result<Vec<Received>, StateError> {
        Ok(self
            .lock()
            .sync_received()?
            .into_iter()
            .map(|r| Received {
                local_seq: r.local_seq,
                message_id: r.delivery.message_id,
                sender: r.delivery.sender,
                relay: r.delivery.relay,
                kind: r.delivery.kind,
                business: r.delivery.business,
                related: r.delivery.related,
                status_code: r.delivery.status_code,
                document_id: r.delivery.document_id,
                sha256: r.delivery.sha256,
                size: r.size,
                received_ms: r.received_ms,
                acked: r.acked,
            })
            .collect())
    }

    fn received_body(&self, message_id: &str) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.lock().sync_received_body(message_id)?)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StateError> {
        Ok(self.lock().set_sync_meta(key, value)?)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StateError> {
        Ok(self.lock().sync_meta(key)?)
    }

    fn insert_meta(&self, key: &str, value: &str) -> Result<bool, StateError> {
        Ok(self.lock().insert_sync_meta(key, value)?)
    }
}

impl SyncState {
    /// The queues in the register of `data_dir` (which must exist); a `sync.sqlite` left from
    /// the file implementation is moved over first.
    pub fn open_registry(data_dir: &Path) -> Result<SyncState, StateError> {
        let store = RegistryStore::open(data_dir)?;
        Self::with_store(data_dir, Arc::new(store))
    }
}
