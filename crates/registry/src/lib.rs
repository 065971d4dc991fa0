//! vanthu-registry: the local SQLite store of a unit's registers (sổ văn bản đến/đi).
//!
//! One [`Registry`] handle owns one database file (`<data_dir>/vanthu.db`) and the
//! content-addressed attachment store next to it (`<data_dir>/blobs/`). See docs/registry.md
//! for the schema, the numbering rules and the search folding.
//!
//! ```no_run
//! use vanthu_registry::{Registry, NewIncoming, SearchQuery};
//! let mut reg = Registry::open("/tmp/vanthu-data")?;
//! let rec = reg.register_incoming(NewIncoming {
//!     sender: "000.00.00.G22".into(),
//!     notation: "2887/VPCP-KSTT".into(),
//!     document_date: "2019-04-01".parse().unwrap(),
//!     doc_type: "Công văn".into(),
//!     subject: "Đôn đốc gửi, nhận văn bản điện tử".into(),
//!     ..Default::default()
//! })?;
//! let page = reg.search(&SearchQuery::text("van ban dien tu"))?;
//! # Ok::<(), vanthu_registry::Error>(())
//! ```
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction that also appends to the hash-chained
//! audit log, so a crash leaves either all of a change or none of it.

mod agencies;
mod archive_restore;
mod audit;
mod blobs;
mod bulk;
pub mod csvio;
mod dashboard;
pub mod desks;
mod dispatch;
mod documents;
mod error;
mod events;
mod handling;
mod numbering;
pub mod outgoing_offer;
mod people;
mod processing;
mod rank;
mod register;
mod report_facts;
mod revisions;
pub mod scan_drafts;
pub mod schema;
mod search;
mod sender_recall;
mod sign_images;
mod signing;
mod snapshot;
pub mod soft_copy;
mod sort;
mod status_upgrade;
pub mod syncq;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use agencies::{Agency, AgencySource, NewAgency};
pub use archive_restore::ArchivedRecord;
pub use audit::{AuditEntry, AuditReport};
pub use blobs::{BlobStore, Written};
pub use dashboard::Dashboard;
pub use dispatch::{dispatch_message_id, Dispatch, DISPATCH_KIND};
pub use documents::{
    AttachmentInfo, DocumentRecord, IncomingRecord, ListQuery, NewIncoming, NewOutgoing,
    OutgoingRecord, Recipient,
};
pub use error::{Error, Result};
pub use events::{InboxItem, OutboxItem, StatusEvent};
pub use handling::{Handling, NewHandlingNote};
pub use numbering::{
    BlockRequest, NumberBlockInfo, ProvisionalDocument, ResolvedNumber, VoidedNumbers, YearClosure,
    MAX_BLOCK_SIZE,
};
pub use people::{Department, NewPerson, Person};
pub use processing::{Assignment, IncomingAction, OfferedAction};
pub use register::{Register, Series};
pub use report_facts::{ExchangeFact, FactWindow, IncomingFact, IssuedFact, StatusFact};
pub use revisions::{ReceivedAction, RevisionOutcome};
pub use rusqlite;
pub use search::{match_expression, SearchHit, SearchPage, SearchQuery, RECENT_WINDOW};
pub use sender_recall::{RecallRequest, SenderRevision, RECALL_KIND};
pub use sign_images::{check_png, PngInfo, SignImage, MAX_IMAGE_BYTES};
pub use signing::{ArrivalStampItem, SignedFile, SigningQueueItem};
pub use sort::{Sort, SortKey};
pub use status_upgrade::upgrade_status_body;
pub use syncq::{
    LegacyImport, LegacyQueues, OutboxState, SyncDelivery, SyncOutboxRow, SyncPackage,
    SyncReceivedItem, SyncReceivedRow,
};

/// The database file name inside a data directory.
pub const DB_FILE: &str = "vanthu.db";

/// A handle on one unit's register store.
pub struct Registry {
    conn: Connection,
    data_dir: PathBuf,
    blobs: BlobStore,
    user: String,
    /// Matches per ranking window (search.rs); [`search::RECENT_WINDOW`] unless a test shrinks it.
    search_window: usize,
}

impl Registry {
    /// Opens (creating if needed) the store in `data_dir`, applies pending migrations and
    /// sweeps stray temporary files left by a crashed writer.
    ///
    /// Fails with [`Error::NewerSchema`] when the database was written by a newer vanthu.
    pub fn open(data_dir: impl AsRef<Path>) -> Result<Self> {
        let data_dir = data_dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&data_dir).map_err(|e| Error::file(&data_dir, e))?;
        let conn = open_connection(&data_dir.join(DB_FILE))?;
        schema::migrate(&conn)?;
        let blobs = BlobStore::open(data_dir.join("blobs"))?;
        blobs.sweep_temp_files()?;
        // The person this desktop is signed in as is who the audit log names.
        let user = match people::signed_in(&conn)? {
            Some(p) => p.audit_name(),
            None => default_user(),
        };
        Ok(Registry {
            conn,
            data_dir,
            blobs,
            user,
            search_window: search::RECENT_WINDOW,
        })
    }

    /// Opens an existing store; [`Error::NoRegister`] when `data_dir` holds none.
    pub fn open_existing(data_dir: impl AsRef<Path>) -> Result<Self> {
        let data_dir = data_dir.as_ref();
        if !data_dir.join(DB_FILE).is_file() {
            return Err(Error::NoRegister(data_dir.to_path_buf()));
        }
        Self::open(data_dir)
    }

    /// The name recorded as "who" in the audit log and status events.
    pub fn set_user(&mut self, user: impl Into<String>) {
        self.user = user.into();
    }

    /// The name recorded as "who" in the audit log and status events.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The data directory holding the database and the attachment store.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The content-addressed store of attachments.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Read access for callers that need a query the API does not offer (reports, benches).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so
    /// numbers allocated inside it cannot race another process.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &WriteCtx<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ctx = WriteCtx {
            user: &self.user,
            now: now_string(),
            fts_pending: Default::default(),
            recipient_cache: Default::default(),
        };
        let out = f(&tx, &ctx)?;
        search::flush_index(&tx, ctx.fts_pending.take())?;
        tx.commit()?;
        Ok(out)
    }
}

/// What every write knows: who does it and when.
pub(crate) struct WriteCtx<'a> {
    pub user: &'a str,
    pub now: String,
    /// Search-index rows written just before commit (see search::index_row).
    pub fts_pending: std::cell::RefCell<Vec<search::FtsRow>>,
    /// Recipients resolved in this transaction (bulk imports repeat the same few).
    pub recipient_cache:
        std::cell::RefCell<std::collections::HashMap<String, documents::Recipient>>,
}

fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    // Long enough for another process's bulk import to finish its transaction.
    conn.busy_timeout(Duration::from_secs(60))?;
    // Bulk imports cycle through a dozen statements per row; none may be re-prepared.
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "could not switch the database to WAL");
    }
    // FULL: a registration the clerk saw succeed survives a power cut, not only a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // 64 MiB page cache (allocated as used): a bulk import's transaction then stays in memory
    // until commit instead of spilling pages to the WAL and rewriting them, and a search over
    // a large register keeps its FTS5 doclist pages between queries.
    conn.pragma_update(None, "cache_size", -65536)?;
    rank::register(&conn)?;
    Ok(conn)
}

fn default_user() -> String {
    std::env::var("VANTHU_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "system".to_string())
}

/// Local wall-clock time, RFC 3339 with offset (what the audit log records as "when").
pub(crate) fn now_string() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// Today's date in local time (arrival dates default to it).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
