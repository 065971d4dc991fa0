//! Types shared by the stores, the HTTP layer and clients.
use serde::{Deserialize, Serialize};

/// What a package is on the wire: a document package or a status package (edxml.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Edoc,
    Status,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Edoc => "edoc",
            Kind::Status => "status",
        }
    }
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
    New,
    Revoke,
    Update,
    Replace,
}

impl Business {
    pub fn code(self) -> i64 {
        match self {
            Business::New => 0,
            Business::Revoke => 1,
            Business::Update => 2,
            Business::Replace => 3,
        }
    }
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
    Normal,
    Confidential,
    Secret,
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
    pub fn may_send_over_hub(self) -> bool {
        self == DeclaredSecrecy::Normal
    }
}

/// A package as the sender declared it, before the hub stores it.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub message_id: String,
    pub sender: String,
    pub kind: Kind,
    pub business: Business,
    /// The message acted on: the original for a status, recall, update or replace.
    pub related: Option<String>,
    pub status_code: Option<String>,
    pub document_id: Option<String>,
    pub recipients: Vec<String>,
    pub sha256: String,
    pub size: u64,
    pub created_at_ms: i64,
}

/// One recipient's delivery state of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub agency: String,
    pub seq: i64,
    pub fetched_at_ms: Option<i64>,
    pub acked_at_ms: Option<i64>,
}

/// A stored message with its recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageInfo {
    pub message_id: String,
    pub sender: String,
    pub kind: Kind,
    pub business: Business,
    pub related: Option<String>,
    pub status_code: Option<String>,
    pub document_id: Option<String>,
    pub sha256: String,
    pub size: u64,
    pub created_at_ms: i64,
    pub recipients: Vec<Delivery>,
}

/// A pending delivery as listed to its recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub seq: i64,
    pub message_id: String,
    pub sender: String,
    pub kind: Kind,
    pub business: Business,
    pub related: Option<String>,
    pub status_code: Option<String>,
    pub document_id: Option<String>,
    pub sha256: String,
    pub size: u64,
    pub created_at_ms: i64,
}

/// A status received for a message, as listed to the message's sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub seq: i64,
    pub status_message_id: String,
    pub from: String,
    pub status_code: String,
    pub created_at_ms: i64,
}

/// Result of storing a message: new, or a replay of an identical earlier upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    Created(MessageInfo),
    Replayed(MessageInfo),
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
