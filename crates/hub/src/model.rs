//! Types shared by the stores, the HTTP layer and clients.
use serde::{Deserialize, Serialize};

/// What a package is on the wire: a document package or a status package (edxml.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A document package (văn bản điện tử).
    Edoc,
    /// A status package about a document sent earlier.
    Status,
}

impl Kind {
    /// The name used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Edoc => "edoc",
            Kind::Status => "status",
        }
    }
    /// The inverse of `as_str`; `None` for any other name.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "edoc" => Some(Kind::Edoc),
            "status" => Some(Kind::Status),
            _ => None,
        }
    }
}

/// `BussinessDocType` of a document package (edxml.md §2.3); stored as its integer code
/// because the order of the enum in some SDKs differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Business {
    /// A new document.
    New,
    /// Thu hồi: the sender recalls a document it sent.
    Revoke,
    /// Cập nhật: a corrected version of a document sent earlier.
    Update,
    /// Thay thế: a document that replaces one sent earlier.
    Replace,
}

impl Business {
    /// The integer code as stored.
    pub fn code(self) -> i64 {
        match self {
            Business::New => 0,
            Business::Revoke => 1,
            Business::Update => 2,
            Business::Replace => 3,
        }
    }
    /// The inverse of `code`; `None` for an unknown code.
    pub fn from_code(c: i64) -> Option<Business> {
        match c {
            0 => Some(Business::New),
            1 => Some(Business::Revoke),
            2 => Some(Business::Update),
            3 => Some(Business::Replace),
            _ => None,
        }
    }
    /// Path segment of the operation route (`/v1/messages/{id}/recall` …).
    pub fn from_operation(op: &str) -> Option<Business> {
        match op {
            "recall" => Some(Business::Revoke),
            "update" => Some(Business::Update),
            "replace" => Some(Business::Replace),
            _ => None,
        }
    }
}

/// Declared secrecy of a document (the hub refuses everything above `Normal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredSecrecy {
    /// Thường: unclassified, the only level the hub carries.
    Normal,
    /// Mật.
    Confidential,
    /// Tối mật.
    Secret,
    /// Tuyệt mật.
    TopSecret,
}

impl DeclaredSecrecy {
    /// Accepts the ASCII forms used in headers and the Vietnamese labels.
    pub fn parse(s: &str) -> Option<DeclaredSecrecy> {
        let t = s.trim().to_lowercase();
        match t.as_str() {
            "0" | "normal" | "thuong" | "thường" => Some(DeclaredSecrecy::Normal),
            "1" | "confidential" | "mat" | "mật" => Some(DeclaredSecrecy::Confidential),
            "2" | "secret" | "toi-mat" | "toi_mat" | "tối mật" => Some(DeclaredSecrecy::Secret),
            "3" | "top-secret" | "top_secret" | "tuyet-mat" | "tuyet_mat" | "tuyệt mật" => {
                Some(DeclaredSecrecy::TopSecret)
            }
            _ => None,
        }
    }
    /// Only unclassified documents travel over the hub.
    pub fn may_send_over_hub(self) -> bool {
        self == DeclaredSecrecy::Normal
    }
}

/// A package as the sender declared it, before the hub stores it.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The id the sender gave the package, unique per sender.
    pub message_id: String,
    /// The account that uploaded it (the authenticated agency or desktop).
    pub sender: String,
    /// Document or status package.
    pub kind: Kind,
    /// New document, recall, update or replace.
    pub business: Business,
    /// The message acted on: the original for a status, recall, update or replace.
    pub related: Option<String>,
    /// The edXML status code of a status package.
    pub status_code: Option<String>,
    /// The edXML `DocumentId`, when the package carries one.
    pub document_id: Option<String>,
    /// Agency codes and `UNIT/DESKTOP` addresses to deliver it to.
    pub recipients: Vec<String>,
    /// SHA-256 of the body, lower-case hex (the blob's name in the store).
    pub sha256: String,
    /// Body size in bytes.
    pub size: u64,
    /// When the hub stored it (ms since the Unix epoch).
    pub created_at_ms: i64,
}

/// One recipient's delivery state of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The recipient: an agency code or a `UNIT/DESKTOP` address.
    pub agency: String,
    /// The delivery's place in the recipient's inbox.
    pub seq: i64,
    /// When the recipient first downloaded the body.
    pub fetched_at_ms: Option<i64>,
    /// When the recipient acknowledged it (it then leaves the inbox).
    pub acked_at_ms: Option<i64>,
}

/// A stored message with its recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageInfo {
    /// The id the sender gave the package, unique per sender.
    pub message_id: String,
    /// The account that uploaded it (the authenticated agency or desktop).
    pub sender: String,
    /// Document or status package.
    pub kind: Kind,
    /// New document, recall, update or replace.
    pub business: Business,
    /// The message acted on (the original of a status, recall, update or replace).
    pub related: Option<String>,
    /// The edXML status code of a status package.
    pub status_code: Option<String>,
    /// The edXML `DocumentId`, when the package carries one.
    pub document_id: Option<String>,
    /// SHA-256 of the body, lower-case hex (the blob's name in the store).
    pub sha256: String,
    /// Body size in bytes.
    pub size: u64,
    /// When the hub stored it (ms since the Unix epoch).
    pub created_at_ms: i64,
    /// One delivery state per recipient.
    pub recipients: Vec<Delivery>,
}

/// A pending delivery as listed to its recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    /// The recipient's cursor: the next page starts after it.
    pub seq: i64,
    /// The id the sender gave the package, unique per sender.
    pub message_id: String,
    /// The account the hub authenticated when the package was uploaded: the only sender a
    /// receiver may trust (the edXML `From` is what the sender wrote).
    pub sender: String,
    /// The sender's account is a relay (`AgencyRecord::relay`): its packages may name
    /// another agency in `From/OrganId`. Absent = false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub relay: bool,
    /// Document or status package.
    pub kind: Kind,
    /// New document, recall, update or replace.
    pub business: Business,
    /// The message acted on (the original of a status, recall, update or replace).
    pub related: Option<String>,
    /// The edXML status code of a status package.
    pub status_code: Option<String>,
    /// The edXML `DocumentId`, when the package carries one.
    pub document_id: Option<String>,
    /// SHA-256 of the body, lower-case hex (the blob's name in the store).
    pub sha256: String,
    /// Body size in bytes.
    pub size: u64,
    /// When the hub stored it (ms since the Unix epoch).
    pub created_at_ms: i64,
}

/// A status received for a message, as listed to the message's sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// The order in which the hub accepted the status.
    pub seq: i64,
    /// The id of the status package itself.
    pub status_message_id: String,
    /// The agency that sent the status.
    pub from: String,
    /// The edXML status code (01 đã đến … 06 hoàn thành, 13–16 for recalls).
    pub status_code: String,
    /// When the hub accepted it (ms since the Unix epoch).
    pub created_at_ms: i64,
}

/// Result of storing a message: new, or a replay of an identical earlier upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// Stored for the first time.
    Created(MessageInfo),
    /// The same package was uploaded before: nothing changed.
    Replayed(MessageInfo),
}

/// The hub's clock for every stored time: ms since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A desktop's request for a block of register numbers (docs/sync.md, "Numbering while
/// offline"). The unit is the authenticated agency; `request_id` makes a retry after a lost
/// answer return the same block instead of burning a second one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRequest {
    /// The desktop's id of the request; a retry repeats it.
    pub request_id: String,
    /// The desktop the numbers are for.
    pub desktop: String,
    /// `incoming` (số đến) or `outgoing` (số đi).
    pub register: String,
    /// `normal` or `secret` (mật documents have their own series).
    pub series: String,
    /// The register year the numbers belong to.
    pub year: i32,
    /// How many numbers (1 to `MAX_BLOCK_SIZE`).
    pub size: u32,
}

/// Largest block one request may take: a desktop should never sit on a year's numbers.
pub const MAX_BLOCK_SIZE: u32 = 1000;

impl BlockRequest {
    /// `None` when valid, otherwise the reason (Vietnamese / English).
    pub fn invalid_reason(&self) -> Option<String> {
        let id_ok = |s: &str, max: usize| {
            !s.is_empty()
                && s.len() <= max
                && s.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
        };
        if !id_ok(&self.request_id, 128) {
            return Some("request_id phải gồm 1–128 ký tự [A-Za-z0-9._:-] / request_id must be 1-128 chars of [A-Za-z0-9._:-]".into());
        }
        if !id_ok(&self.desktop, 64) {
            return Some("desktop phải gồm 1–64 ký tự [A-Za-z0-9._:-] / desktop must be 1-64 chars of [A-Za-z0-9._:-]".into());
        }
        if !matches!(self.register.as_str(), "incoming" | "outgoing") {
            return Some(format!(
                "Sổ không hợp lệ: {} / register must be incoming or outgoing",
                self.register
            ));
        }
        if !matches!(self.series.as_str(), "normal" | "secret") {
            return Some(format!(
                "Dãy số không hợp lệ: {} / series must be normal or secret",
                self.series
            ));
        }
        if !(1900..=9999).contains(&self.year) {
            return Some(format!("Năm không hợp lệ: {} / invalid year", self.year));
        }
        if self.size == 0 || self.size > MAX_BLOCK_SIZE {
            return Some(format!(
                "Cỡ khối số phải từ 1 đến {MAX_BLOCK_SIZE} / block size must be 1..={MAX_BLOCK_SIZE}"
            ));
        }
        None
    }
}

/// Numbers `[start, start + size)` of one register/series/year of `agency`, reserved for one
/// desktop. Blocks of one key never overlap: each is carved from a single counter row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberBlock {
    /// The unit whose register the numbers belong to.
    pub agency: String,
    /// The request that reserved it.
    pub request_id: String,
    /// The desktop that holds it.
    pub desktop: String,
    /// `incoming` or `outgoing`.
    pub register: String,
    /// `normal` or `secret`.
    pub series: String,
    /// The register year.
    pub year: i32,
    /// The first number of the block.
    pub start: i64,
    /// How many numbers it holds.
    pub size: u32,
    /// When the hub reserved it (ms since the Unix epoch).
    pub created_at_ms: i64,
}

impl NumberBlock {
    /// Whether `req` (same request id) asks for exactly this block.
    pub fn answers(&self, req: &BlockRequest) -> bool {
        self.desktop == req.desktop
            && self.register == req.register
            && self.series == req.series
            && self.year == req.year
            && self.size == req.size
    }
}
