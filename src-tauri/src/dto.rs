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

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// Free text; diacritics and case are ignored by the register's search. Empty lists
    /// the register newest first.
    pub search: String,
    pub urgency: Option<Urgency>,
    pub status: Option<String>,
    /// `nextCursor` of the previous page (keyset pagination).
    pub cursor: Option<String>,
    pub limit: u32,
    /// Column order; none = newest first (or by relevance when searching).
    pub sort: Option<ListSort>,
}

/// A sortable column of the incoming list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    ArrivalNumber,
    ArrivalDate,
    Notation,
    Sender,
    Subject,
    Deadline,
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ListSort {
    pub column: SortColumn,
    pub descending: bool,
}

impl From<ListSort> for vanthu_registry::Sort {
    fn from(s: ListSort) -> Self {
        use vanthu_registry::SortKey as K;
        let key = match s.column {
            SortColumn::ArrivalNumber => K::ArrivalNumber,
            SortColumn::ArrivalDate => K::ArrivalDate,
            SortColumn::Notation => K::Notation,
            SortColumn::Sender => K::Sender,
            SortColumn::Subject => K::Subject,
            SortColumn::Deadline => K::Deadline,
            SortColumn::Status => K::State,
        };
        vanthu_registry::Sort {
            key,
            descending: s.descending,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IncomingRow {
    pub id: u32,
    pub arrival_number: u32,
    /// The số đến as the clerk reads it: "M11" in the secret series, "Số tạm T-VT1-3" while
    /// it waits for its final number, on the leader's desktop the clerk desktop's number;
    /// empty without one.
    pub number_label: String,
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
    /// Số tạm ("T-<desktop>-n") while the document waits for its final number.
    pub provisional_number: Option<String>,
    /// A recall/update/replace from the sender awaiting the clerk: recall | update | replace.
    pub pending_action: Option<String>,
    /// On the leader's desktop, a document the clerk's desktop submitted ("trình"): that
    /// desktop (`UNIT/VT1`) and the số đến it gave (this record has none of its own).
    pub mirror_origin: Option<String>,
    pub mirror_number: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    pub rows: Vec<IncomingRow>,
    pub next_cursor: Option<String>,
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
    /// The sender's reason for a pending recall/update/replace.
    pub pending_note: Option<String>,
    /// This version replaces/updates document `supersedes_id`.
    pub supersedes_id: Option<u32>,
    /// A newer version received from the sender.
    pub superseded_by_id: Option<u32>,
    /// Lịch sử xử lý, oldest first.
    pub history: Vec<HistoryEntry>,
    /// "Đóng dấu đến" is offered: registered with its số đến, a PDF not yet stamped, and
    /// the signed-in person a văn thư (the registry's decision).
    pub offers_arrival_stamp: bool,
}

/// One step of a document's processing history.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// RFC 3339, local time of the desktop that wrote it.
    pub at: String,
    pub user: String,
    /// "Văn thư", "Lãnh đạo", "Chuyên viên", "Hệ thống".
    pub actor_label: Option<String>,
    /// The state it moved to ("Đã phân công").
    pub state_label: String,
    /// The reason, instruction or message that came with it.
    pub note: Option<String>,
}

impl From<&vanthu_registry::StatusEvent> for HistoryEntry {
    fn from(e: &vanthu_registry::StatusEvent) -> Self {
        HistoryEntry {
            at: e.at.clone(),
            user: e.user.clone(),
            actor_label: e.actor.map(|a| a.label_vi().to_owned()),
            state_label: e.to_state.label_vi().to_owned(),
            note: e.note.clone(),
        }
    }
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
    /// Text of the first page (none for a scan without a text layer).
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub scan_folder: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    /// The unit this register belongs to; None until the first-run set-up.
    pub unit: Option<Agency>,
}

impl From<vanthu_domain::Urgency> for Urgency {
    fn from(u: vanthu_domain::Urgency) -> Self {
        use vanthu_domain::Urgency as U;
        match u {
            U::Normal => Urgency::Normal,
            U::Urgent => Urgency::Urgent,
            U::VeryUrgent => Urgency::VeryUrgent,
            U::Flash => Urgency::Flash,
        }
    }
}

impl From<Urgency> for vanthu_domain::Urgency {
    fn from(u: Urgency) -> Self {
        use vanthu_domain::Urgency as U;
        match u {
            Urgency::Normal => U::Normal,
            Urgency::Urgent => U::Urgent,
            Urgency::VeryUrgent => U::VeryUrgent,
            Urgency::Flash => U::Flash,
        }
    }
}

impl From<vanthu_domain::Secrecy> for Secrecy {
    fn from(s: vanthu_domain::Secrecy) -> Self {
        use vanthu_domain::Secrecy as S;
        match s {
            S::Normal => Secrecy::Normal,
            S::Confidential => Secrecy::Confidential,
            S::Secret => Secrecy::Secret,
            S::TopSecret => Secrecy::TopSecret,
        }
    }
}

impl From<Secrecy> for vanthu_domain::Secrecy {
    fn from(s: Secrecy) -> Self {
        use vanthu_domain::Secrecy as S;
        match s {
            Secrecy::Normal => S::Normal,
            Secrecy::Confidential => S::Confidential,
            Secrecy::Secret => S::Secret,
            Secrecy::TopSecret => S::TopSecret,
        }
    }
}

fn iso(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Ids are SQLite rowids; a register never reaches 2^32 documents.
fn id32(id: i64) -> u32 {
    u32::try_from(id).unwrap_or(u32::MAX)
}

impl From<&vanthu_registry::SearchHit> for IncomingRow {
    fn from(h: &vanthu_registry::SearchHit) -> Self {
        IncomingRow {
            id: id32(h.id),
            arrival_number: h.arrival_number.unwrap_or(0),
            number_label: if h.number.is_some() || h.provisional_number.is_some() {
                h.number_label()
            } else {
                String::new()
            },
            arrival_date: iso(h.arrival_date),
            notation: h.notation.clone(),
            document_date: iso(h.date),
            sender: h.sender.clone().unwrap_or_default(),
            sender_code: h.sender_code.clone(),
            doc_type: h.doc_type.clone(),
            subject: h.subject.clone(),
            urgency: h.urgency.into(),
            urgency_label: h.urgency.label_vi().to_string(),
            secrecy: h.secrecy.into(),
            secrecy_label: h.secrecy.label_vi().to_string(),
            status: h.state.as_str().to_owned(),
            status_label: h.state_label.clone(),
            deadline: h.deadline.map(|d| d.to_string()),
            provisional_number: h.provisional_number.clone(),
            pending_action: h.pending_action.clone(),
            mirror_origin: None,
            mirror_number: None,
        }
    }
}

impl From<&vanthu_registry::DocumentRecord> for IncomingRow {
    fn from(r: &vanthu_registry::DocumentRecord) -> Self {
        IncomingRow {
            id: id32(r.id),
            arrival_number: r.arrival_number.unwrap_or(0),
            number_label: r.number_label().unwrap_or_default(),
            arrival_date: iso(r.arrival_date),
            notation: r.notation.clone(),
            document_date: iso(r.document_date),
            sender: r.sender.clone().unwrap_or_default(),
            sender_code: r.sender_code.clone(),
            doc_type: r.doc_type.clone(),
            subject: r.subject.clone(),
            urgency: r.urgency.into(),
            urgency_label: r.urgency.label_vi().to_string(),
            secrecy: r.secrecy.into(),
            secrecy_label: r.secrecy.label_vi().to_string(),
            status: r.state.as_str().to_owned(),
            status_label: r.state_label.clone(),
            deadline: r.deadline.map(|d| d.to_string()),
            provisional_number: r.provisional_number.clone(),
            pending_action: r.pending_action.clone(),
            mirror_origin: None,
            mirror_number: None,
        }
    }
}

impl From<&vanthu_registry::DocumentRecord> for IncomingDetail {
    fn from(r: &vanthu_registry::DocumentRecord) -> Self {
        IncomingDetail {
            row: r.into(),
            signer: r.signer.clone(),
            handler: r.handler.clone(),
            notes: r.notes.clone(),
            pending_note: r.pending_note.clone(),
            supersedes_id: r.supersedes_id.map(id32),
            superseded_by_id: r.superseded_by_id.map(id32),
            history: Vec::new(),
            offers_arrival_stamp: false,
            attachments: r
                .attachments
                .iter()
                .map(|a| Attachment {
                    name: a.file_name.clone(),
                    sha256: a.sha256.clone(),
                    size: a.size as f64,
                })
                .collect(),
        }
    }
}

impl From<&vanthu_registry::Agency> for Agency {
    fn from(a: &vanthu_registry::Agency) -> Self {
        Agency {
            code: a.code.clone(),
            name: a.name.clone(),
        }
    }
}

impl From<&vanthu_domain::DocumentType> for DocType {
    fn from(t: &vanthu_domain::DocumentType) -> Self {
        DocType {
            abbreviation: t.abbreviation.clone(),
            name: t.name.clone(),
        }
    }
}

impl From<vanthu_registry::scan_drafts::ScanDraft> for Draft {
    fn from(d: vanthu_registry::scan_drafts::ScanDraft) -> Self {
        Draft {
            // Row ids of one desktop's scans: far below u32::MAX.
            id: d.id as u32,
            file_name: d.file_name,
            sha256: d.sha256,
            size: d.size as f64,
            received_at: d.received_at,
            text: d.text,
        }
    }
}
