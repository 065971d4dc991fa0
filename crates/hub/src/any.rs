//! Picks the backend from the `--db` argument: `postgres://…` / `postgresql://…` → PostgreSQL,
//! anything else → a SQLite file.
use std::path::Path;

use bytes::Bytes;

use crate::model::{
    BlockRequest, InboxItem, MessageInfo, NewMessage, NumberBlock, PutOutcome, StatusEntry,
};
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::store::{AgencyRecord, DesktopRecord, HubStore, StoreResult, VxpSystemRecord};

/// The store `vanthu-hub --db` names: a SQLite file or a PostgreSQL URL.
#[derive(Clone)]
pub enum AnyStore {
    /// A SQLite database file (one hub process).
    Sqlite(SqliteStore),
    /// A PostgreSQL database (several hub processes may share it).
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens a PostgreSQL store for a `postgres://` URL, a SQLite file otherwise.
    pub async fn open(db: &str) -> StoreResult<AnyStore> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            Ok(AnyStore::Postgres(PgStore::connect(db).await?))
        } else {
            Ok(AnyStore::Sqlite(SqliteStore::open(Path::new(db))?))
        }
    }
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $e,
            AnyStore::Postgres($s) => $e,
        }
    };
}

impl HubStore for AnyStore {
    async fn add_agency(&self, rec: AgencyRecord) -> StoreResult<()> {
        delegate!(self, s => s.add_agency(rec).await)
    }
    async fn agency(&self, code: &str) -> StoreResult<Option<AgencyRecord>> {
        delegate!(self, s => s.agency(code).await)
    }
    async fn list_agencies(&self) -> StoreResult<Vec<AgencyRecord>> {
        delegate!(self, s => s.list_agencies().await)
    }
    async fn set_relay(&self, code: &str, relay: bool) -> StoreResult<()> {
        delegate!(self, s => s.set_relay(code, relay).await)
    }
    async fn add_desktop(&self, rec: DesktopRecord) -> StoreResult<()> {
        delegate!(self, s => s.add_desktop(rec).await)
    }
    async fn desktop(&self, unit: &str, desktop: &str) -> StoreResult<Option<DesktopRecord>> {
        delegate!(self, s => s.desktop(unit, desktop).await)
    }
    async fn list_desktops(&self, unit: &str) -> StoreResult<Vec<DesktopRecord>> {
        delegate!(self, s => s.list_desktops(unit).await)
    }
    async fn inbox_for(
        &self,
        recipients: Vec<String>,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<InboxItem>> {
        delegate!(self, s => s.inbox_for(recipients, after, limit).await)
    }
    async fn put_message(&self, msg: NewMessage, body: Bytes) -> StoreResult<PutOutcome> {
        delegate!(self, s => s.put_message(msg, body).await)
    }
    async fn message(&self, id: &str) -> StoreResult<Option<MessageInfo>> {
        delegate!(self, s => s.message(id).await)
    }
    async fn inbox(&self, agency: &str, after: i64, limit: u32) -> StoreResult<Vec<InboxItem>> {
        delegate!(self, s => s.inbox(agency, after, limit).await)
    }
    async fn read_blob(&self, sha256: &str, offset: u64, len: u64) -> StoreResult<Bytes> {
        delegate!(self, s => s.read_blob(sha256, offset, len).await)
    }
    async fn mark_fetched(&self, id: &str, agency: &str, at_ms: i64) -> StoreResult<()> {
        delegate!(self, s => s.mark_fetched(id, agency, at_ms).await)
    }
    async fn ack(&self, id: &str, agency: &str, at_ms: i64) -> StoreResult<()> {
        delegate!(self, s => s.ack(id, agency, at_ms).await)
    }
    async fn ack_many(&self, ids: Vec<String>, agency: &str, at_ms: i64) -> StoreResult<Vec<bool>> {
        delegate!(self, s => s.ack_many(ids, agency, at_ms).await)
    }
    async fn statuses(&self, id: &str) -> StoreResult<Vec<StatusEntry>> {
        delegate!(self, s => s.statuses(id).await)
    }
    async fn sent(
        &self,
        sender: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, MessageInfo)>> {
        delegate!(self, s => s.sent(sender, after, limit).await)
    }
    async fn reserve_block(
        &self,
        agency: &str,
        req: BlockRequest,
        at_ms: i64,
    ) -> StoreResult<(NumberBlock, bool)> {
        delegate!(self, s => s.reserve_block(agency, req, at_ms).await)
    }
    async fn blocks(&self, agency: &str) -> StoreResult<Vec<NumberBlock>> {
        delegate!(self, s => s.blocks(agency).await)
    }
    async fn add_vxp_system(&self, rec: VxpSystemRecord) -> StoreResult<()> {
        delegate!(self, s => s.add_vxp_system(rec).await)
    }
    async fn vxp_system(&self, system_id: &str) -> StoreResult<Option<VxpSystemRecord>> {
        delegate!(self, s => s.vxp_system(system_id).await)
    }
    async fn find_document(&self, sender: &str, document_id: &str) -> StoreResult<Option<String>> {
        delegate!(self, s => s.find_document(sender, document_id).await)
    }
}
