//! The storage trait both backends implement. Every method is one transaction, so several
//! hub processes can share a PostgreSQL database: nothing that matters lives in memory.
use std::future::Future;

use bytes::Bytes;

use crate::model::{
    BlockRequest, InboxItem, MessageInfo, NewMessage, NumberBlock, PutOutcome, StatusEntry,
};

/// What a store operation can refuse or fail at; the HTTP layer maps each to a status code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An agency with this code is already registered.
    #[error("agency {0} already exists")]
    AgencyExists(String),
    /// A package names a recipient the hub has no account for.
    #[error("unknown recipient agency {0}")]
    UnknownRecipient(String),
    /// The unit already has a desktop of this name.
    #[error("desktop {0} already exists")]
    DesktopExists(String),
    /// No account with this code.
    #[error("unknown agency {0}")]
    UnknownAgency(String),
    /// The id was used before by this sender for another package (or request).
    #[error("message id {0} already used for a different package")]
    Conflict(String),
    /// No such message, or the caller is not one of its recipients.
    #[error("not found")]
    NotFound,
    /// The database failed (SQLite or PostgreSQL), with its message.
    #[error("storage error: {0}")]
    Backend(String),
    /// Reading or writing a blob failed.
    #[error("blob I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// The result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Stored credentials of one agency: `sha256(salt || secret)`, both hex.
#[derive(Debug, Clone)]
pub struct AgencyRecord {
    /// The agency code (mã định danh), also the Basic user name.
    pub code: String,
    /// The agency's name, for the operator's listings.
    pub name: String,
    /// Random per-account salt, hex.
    pub salt: String,
    /// The salted hash of the secret ([`crate::auth::hash_secret`]); the secret is never stored.
    pub secret_hash: String,
    /// A relay (cổng chuyển tiếp): a gateway that legitimately forwards packages written by
    /// other agencies (the province's link to the national axis), so its packages may name
    /// another sender in `From/OrganId`. Off unless an operator sets it
    /// (`vanthu hub set-relay`); receivers show such documents "qua <gateway>".
    pub relay: bool,
}

/// Stored credentials of one desktop (máy trạm) of a unit, Basic user `UNIT/DESKTOP`
/// (docs/sync.md, "Several desktops of one unit"). `receiving` marks the văn thư's desktop:
/// it reads the unit's deliveries and speaks for the unit outside; at most one per unit.
#[derive(Debug, Clone)]
pub struct DesktopRecord {
    /// The agency code of the unit the desktop belongs to.
    pub unit: String,
    /// The desktop's name within the unit (1–16 letters/digits).
    pub desktop: String,
    /// Random per-account salt, hex.
    pub salt: String,
    /// The salted hash of the secret ([`crate::auth::hash_secret`]).
    pub secret_hash: String,
    /// The văn thư's desktop, which reads the unit's deliveries.
    pub receiving: bool,
}

impl DesktopRecord {
    /// The hub address of this desktop: `UNIT/DESKTOP`.
    pub fn login(&self) -> String {
        format!("{}/{}", self.unit, self.desktop)
    }
}

/// An agency's credentials on the VXP API (docs/national-axis.md): the SDK signs each request
/// with HMAC-SHA256 over this secret, so the hub must keep the secret itself, not a hash of it.
/// Separate from the Basic secret, so leaking one does not give away the other.
#[derive(Debug, Clone)]
pub struct VxpSystemRecord {
    /// The systemId the SDK sends in its signed header.
    pub system_id: String,
    /// The agency account this systemId speaks for (the authenticated sender).
    pub agency: String,
    /// The shared HMAC secret, in clear because verifying an HMAC needs it.
    pub secret: String,
}

/// What the HTTP layer needs from storage; implemented by the SQLite and the PostgreSQL store.
pub trait HubStore: Clone + Send + Sync + 'static {
    /// Registers an agency account (`AgencyExists` if the code is taken).
    fn add_agency(&self, rec: AgencyRecord) -> impl Future<Output = StoreResult<()>> + Send;
    /// The account with this code, if any.
    fn agency(&self, code: &str) -> impl Future<Output = StoreResult<Option<AgencyRecord>>> + Send;
    /// Every agency account, by code.
    fn list_agencies(&self) -> impl Future<Output = StoreResult<Vec<AgencyRecord>>> + Send;
    /// Turns the relay attribute of an agency on or off (`UnknownAgency` if there is none).
    fn set_relay(&self, code: &str, relay: bool) -> impl Future<Output = StoreResult<()>> + Send;
    /// Adds a desktop under an existing unit (`UnknownAgency` otherwise). A receiving desktop
    /// takes the role from any other desktop of the unit, in the same transaction.
    fn add_desktop(&self, rec: DesktopRecord) -> impl Future<Output = StoreResult<()>> + Send;
    /// The desktop `desktop` of `unit`, if any.
    fn desktop(
        &self,
        unit: &str,
        desktop: &str,
    ) -> impl Future<Output = StoreResult<Option<DesktopRecord>>> + Send;
    /// The desktops of `unit`, by name.
    fn list_desktops(
        &self,
        unit: &str,
    ) -> impl Future<Output = StoreResult<Vec<DesktopRecord>>> + Send;
    /// Unacknowledged deliveries addressed to any of `recipients` (a receiving desktop reads
    /// the unit's queue and its own), seq > `after`, in seq order.
    fn inbox_for(
        &self,
        recipients: Vec<String>,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<InboxItem>>> + Send;
    /// Stores the blob and the message with one delivery row per recipient, atomically.
    /// Same id + same sender + same sha256 → `Replayed`; otherwise a reused id → `Conflict`.
    fn put_message(
        &self,
        msg: NewMessage,
        body: Bytes,
    ) -> impl Future<Output = StoreResult<PutOutcome>> + Send;
    /// A stored message with its deliveries, if any.
    fn message(&self, id: &str) -> impl Future<Output = StoreResult<Option<MessageInfo>>> + Send;
    /// Unacknowledged deliveries for `agency` with seq > `after`, in seq order.
    fn inbox(
        &self,
        agency: &str,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<InboxItem>>> + Send;
    /// `len` bytes (or fewer at the end) of the blob starting at `offset`.
    fn read_blob(
        &self,
        sha256: &str,
        offset: u64,
        len: u64,
    ) -> impl Future<Output = StoreResult<Bytes>> + Send;
    /// Records the first fetch of a delivery (idempotent).
    fn mark_fetched(
        &self,
        id: &str,
        agency: &str,
        at_ms: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Acknowledges a delivery; `NotFound` when `agency` is not a recipient. Idempotent.
    fn ack(
        &self,
        id: &str,
        agency: &str,
        at_ms: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Acknowledges several deliveries of `agency` at once (one transaction); per id, whether
    /// it was one of `agency`'s deliveries. Idempotent.
    fn ack_many(
        &self,
        ids: Vec<String>,
        agency: &str,
        at_ms: i64,
    ) -> impl Future<Output = StoreResult<Vec<bool>>> + Send;
    /// Statuses whose `related` is `id`, in the order the hub accepted them.
    fn statuses(&self, id: &str) -> impl Future<Output = StoreResult<Vec<StatusEntry>>> + Send;
    /// Document packages sent by `sender`, oldest first, after the given creation order key.
    fn sent(
        &self,
        sender: &str,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<(i64, MessageInfo)>>> + Send;
    /// Reserves the next `req.size` numbers of (agency, register, series, year) for a desktop,
    /// in one transaction. A repeated `request_id` returns the block it got the first time
    /// (`true` = replayed); the same id for a different request is `Conflict`.
    fn reserve_block(
        &self,
        agency: &str,
        req: BlockRequest,
        at_ms: i64,
    ) -> impl Future<Output = StoreResult<(NumberBlock, bool)>> + Send;
    /// Registers a VXP system id for an existing agency (`UnknownAgency` otherwise;
    /// `AgencyExists` when the id is taken).
    fn add_vxp_system(&self, rec: VxpSystemRecord) -> impl Future<Output = StoreResult<()>> + Send;
    /// The credentials of a VXP system id, if registered.
    fn vxp_system(
        &self,
        system_id: &str,
    ) -> impl Future<Output = StoreResult<Option<VxpSystemRecord>>> + Send;
    /// The latest document package `sender` sent with this edXML DocumentId: what a VXP
    /// status (ResponseFor) or revision names instead of a hub message id.
    fn find_document(
        &self,
        sender: &str,
        document_id: &str,
    ) -> impl Future<Output = StoreResult<Option<String>>> + Send;
    /// Every block handed out to `agency`'s desktops, oldest first.
    fn blocks(&self, agency: &str) -> impl Future<Output = StoreResult<Vec<NumberBlock>>> + Send;
}
