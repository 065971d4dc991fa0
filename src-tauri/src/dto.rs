//! The shapes that cross the IPC boundary (TypeScript types are generated from these).
//! Integers are u32 because the webview's numbers cannot hold every i64/u64.
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Urgent,
    VeryUrgent,
    Flash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Secrecy {
    Normal,
    Confidential,
    Secret,
    TopSecret,
}

/// Columns the incoming list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum IncomingSort {
    ArrivalNumber,
    ArrivalDate,
    DocumentDate,
    Sender,
    Notation,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// Free text; diacritics and case are ignored by the register's search.
    pub search: String,
    pub sort: IncomingSort,
    pub descending: bool,
    pub urgency: Option<Urgency>,
    pub status: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IncomingRow {
    pub id: u32,
    pub arrival_number: u32,
    /// yyyy-mm-dd
    pub arrival_date: String,
    pub notation: String,
    pub document_date: String,
    pub sender: String,
    pub sender_code: Option<String>,
    pub doc_type: String,
    pub subject: String,
    pub urgency: Urgency,
    pub urgency_label: String,
    pub secrecy: Secrecy,
    pub secrecy_label: String,
    pub status: String,
    pub status_label: String,
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<IncomingRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub name: String,
    pub sha256: String,
    /// Bytes; f64 because sizes may pass 4 GiB.
    pub size: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IncomingDetail {
    pub row: IncomingRow,
    pub signer: Option<String>,
    pub handler: Option<String>,
    pub notes: Option<String>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RegisterIncoming {
    /// Agency code of the sender (chosen in the autocomplete).
    pub sender_code: String,
    pub notation: String,
    /// yyyy-mm-dd
    pub document_date: String,
    pub arrival_date: String,
    pub doc_type: String,
    pub subject: String,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    pub deadline: Option<String>,
    pub signer: Option<String>,
    pub notes: Option<String>,
    /// Absolute paths of attachments dropped on the form.
    pub files: Vec<String>,
    /// The scan-folder draft this registration completes.
    pub draft_id: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Agency {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DocType {
    pub abbreviation: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub id: u32,
    pub file_name: String,
    pub sha256: String,
    pub size: f64,
    /// When the file was taken in from the scan folder, RFC 3339.
    pub received_at: String,
    /// Text of the first page, once the PDF crate provides it.
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub scan_folder: Option<String>,
}
