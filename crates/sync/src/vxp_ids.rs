//! What the VXP transport must remember that the axis does not tell it
//! (docs/national-axis.md §3): the axis names packages by its own `DocId`, lists deliveries
//! without a sequence number, a hash, a business type or the message they concern, and
//! relates statuses only by the edXML `DocumentId` inside them. Kept in
//! `<data dir>/vxp-ids.sqlite`, beside the engine's state:
//!
//! * `sent`: our message id → the axis's `DocId`, so a package is never sent twice and a
//!   status about one of our documents finds our message id again;
//! * `seen`: each delivery the axis listed, in the order first seen (the sequence the engine
//!   pages by), with what its package says (kind, business, `DocumentId`, the message it
//!   concerns, SHA-256, size). The body waits in `vxp-cache/` until it is acknowledged.
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::transport::{RemoteItem, TransportError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sent (
    local_id    TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    document_id TEXT,
    sent_ms     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sent_document ON sent (document_id, kind);
CREATE TABLE IF NOT EXISTS seen (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT NOT NULL UNIQUE,
    sender      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    business    TEXT NOT NULL,
    related     TEXT,
    status_code TEXT,
    document_id TEXT,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_document ON seen (sender, document_id, kind);
";

/// The local id map and the cache of listed packages.
pub struct VxpIds {
    db: Mutex<Connection>,
    cache: PathBuf,
}

fn db_err(e: rusqlite::Error) -> TransportError {
    TransportError::Transient(format!("vxp-ids.sqlite: {e}"))
}

fn io_err(e: std::io::Error) -> TransportError {
    TransportError::Transient(format!("vxp-cache: {e}"))
}

impl VxpIds {
    /// Opens (creating) the map in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<VxpIds, TransportError> {
        std::fs::create_dir_all(data_dir).map_err(io_err)?;
        let db = Connection::open(data_dir.join("vxp-ids.sqlite")).map_err(db_err)?;
        db.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
            .map_err(db_err)?;
        db.execute_batch(SCHEMA).map_err(db_err)?;
        let cache = data_dir.join("vxp-cache");
        std::fs::create_dir_all(&cache).map_err(io_err)?;
        Ok(VxpIds {
            db: Mutex::new(db),
            cache,
        })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The axis's `DocId` of a package we sent, if the axis accepted it.
    pub fn sent_doc_id(&self, local_id: &str) -> Result<Option<String>, TransportError> {
        self.db()
            .query_row(
                "SELECT doc_id FROM sent WHERE local_id = ?1",
                [local_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)
    }

    /// Records that the axis accepted `local_id` as `doc_id`.
    pub fn record_sent(
        &self,
        local_id: &str,
        doc_id: &str,
        kind: &str,
        document_id: Option<&str>,
        at_ms: i64,
    ) -> Result<(), TransportError> {
        self.db()
            .execute(
                "INSERT OR REPLACE INTO sent (local_id, doc_id, kind, document_id, sent_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![local_id, doc_id, kind, document_id, at_ms],
            )
            .map(|_| ())
            .map_err(db_err)
    }

    /// Our message id of the document we sent with this edXML `DocumentId`.
    pub fn our_document(&self, document_id: &str) -> Result<Option<String>, TransportError> {
        self.db()
            .query_row(
                "SELECT local_id FROM sent WHERE document_id = ?1 AND kind = 'edoc'
                 ORDER BY sent_ms LIMIT 1",
                [document_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)
    }

    /// The `DocId` of the new document `sender` sent us with this `DocumentId`.
    pub fn their_document(
        &self,
        sender: &str,
        document_id: &str,
    ) -> Result<Option<String>, TransportError> {
        self.db()
            .query_row(
                "SELECT doc_id FROM seen WHERE sender = ?1 AND document_id = ?2
                 AND kind = 'edoc' AND business = 'new' ORDER BY seq LIMIT 1",
                [sender, document_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)
    }

    /// A listed delivery seen before.
    pub fn seen(&self, doc_id: &str) -> Result<Option<RemoteItem>, TransportError> {
        self.db()
            .query_row(
                "SELECT seq, doc_id, sender, kind, business, related, status_code, document_id,
                        sha256, size
                 FROM seen WHERE doc_id = ?1",
                [doc_id],
                |r| {
                    Ok(RemoteItem {
                        seq: r.get(0)?,
                        message_id: r.get(1)?,
                        sender: r.get(2)?,
                        relay: false,
                        kind: r.get(3)?,
                        business: r.get(4)?,
                        related: r.get(5)?,
                        status_code: r.get(6)?,
                        document_id: r.get(7)?,
                        sha256: r.get(8)?,
                        size: r.get::<_, i64>(9)? as u64,
                    })
                },
            )
            .optional()
            .map_err(db_err)
    }

    /// Keeps a newly listed delivery: its body in the cache first, then its row, which
    /// gives it the next sequence number. Returns it with that number.
    pub fn record_seen(
        &self,
        mut item: RemoteItem,
        body: &[u8],
    ) -> Result<RemoteItem, TransportError> {
        // No fsync: a cache file lost to a power cut is fetched again, and the engine checks
        // every body against the SHA-256 recorded here.
        let path = self.cache_path(&item.message_id);
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, body).map_err(io_err)?;
        // A body left by a run killed before its row was written is replaced (Windows too).
        vanthu_domain::paths::replace_file(&tmp, &path).map_err(io_err)?;
        let db = self.db();
        db.execute(
            "INSERT OR IGNORE INTO seen (doc_id, sender, kind, business, related, status_code,
                                         document_id, sha256, size)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                item.message_id,
                item.sender,
                item.kind,
                item.business,
                item.related,
                item.status_code,
                item.document_id,
                item.sha256,
                item.size as i64
            ],
        )
        .map_err(db_err)?;
        item.seq = db
            .query_row(
                "SELECT seq FROM seen WHERE doc_id = ?1",
                [&item.message_id],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        Ok(item)
    }

    /// Where a listed package's body waits until it is acknowledged. Axis ids are opaque,
    /// so the file is named by a hash of the id, never by the id itself.
    pub fn cache_path(&self, doc_id: &str) -> PathBuf {
        use sha2::Digest;
        self.cache
            .join(hex::encode(&sha2::Sha256::digest(doc_id.as_bytes())[..16]))
    }

    /// The cached body of a listed package, if still there.
    pub fn cached(&self, doc_id: &str) -> Result<Option<Vec<u8>>, TransportError> {
        match std::fs::read(self.cache_path(doc_id)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(e)),
        }
    }

    /// Drops the cached body once the delivery is acknowledged.
    pub fn forget_body(&self, doc_id: &str) {
        let _ = std::fs::remove_file(self.cache_path(doc_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(doc_id: &str, sender: &str, kind: &str, document_id: &str) -> RemoteItem {
        RemoteItem {
            seq: 0,
            message_id: doc_id.into(),
            sender: sender.into(),
            relay: false,
            kind: kind.into(),
            business: "new".into(),
            related: None,
            status_code: None,
            document_id: Some(document_id.into()),
            sha256: "00".into(),
            size: 3,
        }
    }

    #[test]
    fn sequence_is_the_order_first_seen_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let ids = VxpIds::open(dir.path()).unwrap();
        let a = ids
            .record_seen(item("x", "S", "edoc", "D1"), b"abc")
            .unwrap();
        let b = ids
            .record_seen(item("y", "S", "status", "D1"), b"def")
            .unwrap();
        assert!(b.seq > a.seq);
        // Seen again (listed again after a lost acknowledgement): the same number.
        let again = ids
            .record_seen(item("x", "S", "edoc", "D1"), b"abc")
            .unwrap();
        assert_eq!(again.seq, a.seq);
        drop(ids);
        let ids = VxpIds::open(dir.path()).unwrap();
        assert_eq!(ids.seen("y").unwrap().unwrap().seq, b.seq);
        assert_eq!(ids.cached("x").unwrap().as_deref(), Some(&b"abc"[..]));
        ids.forget_body("x");
        assert_eq!(ids.cached("x").unwrap(), None);
        let c = ids.record_seen(item("z", "S", "edoc", "D2"), b"g").unwrap();
        assert!(c.seq > b.seq);
        // Only a new document of that sender relates.
        assert_eq!(ids.their_document("S", "D1").unwrap().as_deref(), Some("x"));
        assert_eq!(ids.their_document("T", "D1").unwrap(), None);
    }

    #[test]
    fn sent_packages_map_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let ids = VxpIds::open(dir.path()).unwrap();
        assert_eq!(ids.sent_doc_id("m1").unwrap(), None);
        ids.record_sent("m1", "vxp-1", "edoc", Some("D9"), 1)
            .unwrap();
        ids.record_sent("s1", "vxp-2", "status", Some("D9"), 2)
            .unwrap();
        assert_eq!(ids.sent_doc_id("m1").unwrap().as_deref(), Some("vxp-1"));
        // A status we sent about D9 is not "our document D9".
        assert_eq!(ids.our_document("D9").unwrap().as_deref(), Some("m1"));
        assert_eq!(ids.our_document("D0").unwrap(), None);
    }
}
