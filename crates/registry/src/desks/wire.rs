//! The package formats desktops of one unit exchange, and the rows they map to.
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use vanthu_domain::{Actor, IncomingState, Urgency};

use crate::register::Register;
use crate::{Error, Result};

/// Format tag of a submission package body (JSON).
pub const SUBMISSION_FORMAT: &str = "vanthu-submission/1";
/// Format tag of the leader's answer (JSON body of an internal status package).
pub const ANSWER_FORMAT: &str = "vanthu-desk-answer/1";
/// Format tag of the leader's signed copy of a submitted draft (JSON body of an internal
/// status package from the leader's desktop).
pub const SIGNED_FORMAT: &str = "vanthu-desk-signed/1";
/// Format tag of the leader's return of a submitted draft, unsigned, with a note (JSON body
/// of an internal status package from the leader's desktop).
pub const RETURNED_FORMAT: &str = "vanthu-desk-returned/1";
/// Format tag of a mirror's new number label (JSON body of an internal status package from
/// the clerk's desktop).
pub const LABEL_FORMAT: &str = "vanthu-desk-label/1";
/// Format tag of a handling event between desktops: a handler's progress note, reply draft or
/// extension request, the leader's decision on it, or the handler's step relayed to the
/// leader's mirror (JSON body of an internal status package on the submission).
pub const HANDLING_FORMAT: &str = "vanthu-desk-handling/1";
/// In which role a person handles an assigned document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingRole {
    /// Chủ trì: the one whose progress moves the document (05, 06).
    Lead,
    /// Phối hợp: contributes notes, does not move the document.
    Support,
}
impl HandlingRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandlingRole::Lead => "lead",
            HandlingRole::Support => "support",
        }
    }
    /// How a slip names it ("chủ trì").
    pub fn label_vi(self) -> &'static str {
        match self {
            HandlingRole::Lead => "chủ trì",
            HandlingRole::Support => "phối hợp",
        }
    }
    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "lead" => Some(HandlingRole::Lead),
            "support" => Some(HandlingRole::Support),
            _ => None,
        }
    }
}
/// What a handling note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingKind {
    /// Ghi tiến độ: a progress note.
    Note,
    /// Dự thảo trả lời: a file the clerk's desktop turns into an outgoing draft.
    ReplyDraft,
    /// Xin gia hạn: a later deadline asked of the leader, with the reason.
    ExtensionRequest,
    /// The leader granted the extension (the new deadline).
    ExtensionGranted,
    /// The leader refused it.
    ExtensionRefused,
}
impl HandlingKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandlingKind::Note => "note",
            HandlingKind::ReplyDraft => "reply_draft",
            HandlingKind::ExtensionRequest => "extension_request",
            HandlingKind::ExtensionGranted => "extension_granted",
            HandlingKind::ExtensionRefused => "extension_refused",
        }
    }
    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            HandlingKind::Note,
            HandlingKind::ReplyDraft,
            HandlingKind::ExtensionRequest,
            HandlingKind::ExtensionGranted,
            HandlingKind::ExtensionRefused,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}
/// The assignment a handler's copy of a document carries (phiếu giải quyết, part 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlingAssignment {
    /// Who this copy is for.
    pub assignee: String,
    /// Their role.
    pub role: HandlingRole,
    /// The chủ trì.
    pub lead: String,
    /// The phối hợp, if any.
    pub supporters: Vec<String>,
    /// Hạn xử lý.
    pub deadline: Option<NaiveDate>,
    /// Ý kiến chỉ đạo.
    pub instruction: Option<String>,
    /// Who assigned it.
    pub assigned_by: String,
    /// When (RFC 3339).
    pub assigned_at: String,
}
/// A handling event sent to another desktop of the unit along a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskHandling {
    /// Format tag, [`HANDLING_FORMAT`]; a package of another format is refused.
    pub format: String,
    /// The submission (handler's copy or trình lãnh đạo) the event travels along.
    pub submission_message_id: String,
    /// What it is.
    pub kind: HandlingKind,
    /// The note, the reason of a request or decision.
    pub body: Option<String>,
    /// The deadline asked for or granted.
    pub deadline: Option<NaiveDate>,
    /// A reply draft's file.
    pub file: Option<SubmittedFile>,
    /// A handler's step relayed to the leader's mirror (bắt đầu xử lý, hoàn thành).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_state: Option<IncomingState>,
    /// Who wrote it.
    pub author: String,
    /// When (RFC 3339).
    pub at: String,
}
/// One person's part in an assignment, as the register keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    /// Row id.
    pub id: i64,
    /// Who.
    pub assignee: String,
    /// Chủ trì or phối hợp.
    pub role: HandlingRole,
    /// Hạn xử lý.
    pub deadline: Option<NaiveDate>,
    /// Ý kiến chỉ đạo.
    pub instruction: Option<String>,
    /// Who assigned it.
    pub assigned_by: String,
    /// When (RFC 3339).
    pub assigned_at: String,
}
pub(crate) const ASSIGNMENT_COLUMNS: &str =
    "id, assignee, role, deadline, instruction, assigned_by, assigned_at";
pub(crate) fn assignment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AssignmentRow> {
    Ok(AssignmentRow {
        id: r.get(0)?,
        assignee: r.get(1)?,
        role: HandlingRole::parse(&r.get::<_, String>(2)?).unwrap_or(HandlingRole::Support),
        deadline: r.get::<_, Option<String>>(3)?.and_then(|d| d.parse().ok()),
        instruction: r.get(4)?,
        assigned_by: r.get(5)?,
        assigned_at: r.get(6)?,
    })
}
/// The current assignment of a document (chủ trì first), inside any connection.
pub(crate) fn current_assignments(
    conn: &rusqlite::Connection,
    document_id: i64,
) -> Result<Vec<AssignmentRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE document_id = ?1 AND replaced_at IS NULL
         ORDER BY role = 'support', id"
    ))?;
    let rows = stmt.query_map([document_id], assignment_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
/// On a handler's copy of an assigned document: its role; `None` for every other record.
pub(crate) fn handling_role_tx(
    conn: &rusqlite::Connection,
    document_id: i64,
) -> Result<Option<HandlingRole>> {
    let role: Option<Option<String>> = conn
        .prepare_cached("SELECT handling_role FROM documents WHERE id = ?1")?
        .query_row([document_id], |r| r.get(0))
        .optional()?;
    Ok(role.flatten().as_deref().and_then(HandlingRole::parse))
}
/// Records an assignment (chủ trì and phối hợp) of a document, replacing the one before, in
/// the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_assignments_tx(
    tx: &rusqlite::Transaction<'_>,
    ctx: &crate::WriteCtx<'_>,
    document_id: i64,
    lead: &str,
    supporters: &[String],
    deadline: Option<NaiveDate>,
    instruction: Option<&str>,
    assigned_by: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE assignments SET replaced_at = ?2 WHERE document_id = ?1 AND replaced_at IS NULL",
        rusqlite::params![document_id, ctx.now],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO assignments (document_id, assignee, role, deadline, instruction, assigned_by, assigned_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let people = std::iter::once((lead, HandlingRole::Lead)).chain(
        supporters
            .iter()
            .map(|s| (s.as_str(), HandlingRole::Support)),
    );
    for (who, role) in people {
        insert.execute(rusqlite::params![
            document_id,
            who,
            role.as_str(),
            deadline.map(|d| d.to_string()),
            instruction,
            assigned_by,
            ctx.now
        ])?;
    }
    Ok(())
}
/// A handling note of a document: progress, reply draft, extension request or decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlingNote {
    /// Row id.
    pub id: i64,
    /// What it is.
    pub kind: HandlingKind,
    /// Who wrote it.
    pub author: String,
    /// The note, reason or decision.
    pub body: Option<String>,
    /// The deadline asked for or granted.
    pub deadline: Option<NaiveDate>,
    /// A reply draft's file name.
    pub file_name: Option<String>,
    /// A reply draft's content (blob store).
    pub file_sha256: Option<String>,
    /// On the clerk's desktop: the outgoing draft a reply draft became.
    pub reply_document_id: Option<i64>,
    /// The desktop it came from (`None`: written here).
    pub from_desktop: Option<String>,
    /// An extension request: when the leader decided it.
    pub settled_at: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
}
pub(crate) const NOTE_COLUMNS: &str = "id, kind, author, body, deadline, file_name, file_sha256, \
     reply_document_id, from_desktop, settled_at, created_at";
pub(crate) fn note_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HandlingNote> {
    Ok(HandlingNote {
        id: r.get(0)?,
        kind: HandlingKind::parse(&r.get::<_, String>(1)?).unwrap_or(HandlingKind::Note),
        author: r.get(2)?,
        body: r.get(3)?,
        deadline: r.get::<_, Option<String>>(4)?.and_then(|d| d.parse().ok()),
        file_name: r.get(5)?,
        file_sha256: r.get(6)?,
        reply_document_id: r.get(7)?,
        from_desktop: r.get(8)?,
        settled_at: r.get(9)?,
        created_at: r.get(10)?,
    })
}
/// One "trình" of a document to a desktop of the unit, on the submitting desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Row id of the submission.
    pub id: i64,
    /// The register id of the submitted document on this desktop.
    pub document_id: i64,
    /// `UNIT/DESKTOP` of the leader's desktop.
    pub to_desktop: String,
    /// Hub message id of the internal package (deterministic, so re-queuing is a no-op).
    pub message_id: String,
    /// The clerk's note with the submission ("Kính trình …").
    pub note: Option<String>,
    /// When it was submitted (RFC 3339).
    pub created_at: String,
    /// When the sync engine took the package into its outbox.
    pub queued_at: Option<String>,
    /// When the leader's answer was applied here.
    pub answered_at: Option<String>,
    /// When the leader's desktop returned the draft unsigned (trả lại); the draft may then be
    /// submitted again.
    pub returned_at: Option<String>,
    /// A handler's copy of an assignment (row of `assignments`), not a trình lãnh đạo.
    pub assignment_id: Option<i64>,
}
/// A file of a submitted document, inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedFile {
    /// The attachment's file name.
    pub file_name: String,
    /// The attachment's media type.
    pub media_type: String,
    /// SHA-256 of the content, checked on arrival.
    pub sha256: String,
    /// The content, base64-encoded.
    pub data_base64: String,
}
/// What travels to the leader's desktop: the register entry as the clerk's desktop holds
/// it (số đến included, which edXML cannot carry) and its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionPackage {
    /// Format tag, [`SUBMISSION_FORMAT`]; a package of another format is refused.
    pub format: String,
    /// Which register the document is in: an incoming document to assign, or an outgoing
    /// draft to sign. Absent in packages of older versions (incoming only).
    #[serde(default = "incoming_register")]
    pub register: Register,
    /// The document's register id on the clerk's desktop, which answers refer to.
    pub origin_document_id: i64,
    /// Register number (số đến or số văn bản đi), once final.
    pub number: Option<u32>,
    /// Số tạm while the document waits for its final number.
    pub provisional_number: Option<String>,
    /// The register year of the number.
    pub year: Option<i32>,
    /// Ngày đến (incoming).
    pub arrival_date: Option<NaiveDate>,
    /// Agency code of the issuing agency (incoming).
    pub sender_code: Option<String>,
    /// Name of the issuing agency (incoming).
    pub sender_name: Option<String>,
    /// Số, ký hiệu as in the register.
    pub notation: String,
    /// Ngày tháng văn bản.
    pub document_date: Option<NaiveDate>,
    /// Name of the document type (loại văn bản).
    pub doc_type: String,
    /// Trích yếu.
    pub subject: String,
    /// Người ký.
    pub signer: Option<String>,
    /// Độ khẩn.
    pub urgency: Urgency,
    /// Hạn giải quyết.
    pub deadline: Option<NaiveDate>,
    /// Đơn vị hoặc người nhận, if already set.
    pub handler: Option<String>,
    /// Ghi chú of the register entry.
    pub notes: Option<String>,
    /// edXML `DocumentId` when the document came through the hub.
    pub edxml_document_id: Option<String>,
    /// Extracted text, indexed for search on the leader's desktop too.
    pub body_text: Option<String>,
    /// The clerk's note with the submission ("Kính trình …").
    pub note: Option<String>,
    /// The registry user who submitted it.
    pub submitted_by: String,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
    /// The document's attachments, inline.
    pub files: Vec<SubmittedFile>,
    /// Outgoing drafts: the ký hiệu without number ("UBND-VP").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_notation: Option<String>,
    /// Outgoing drafts: nơi nhận.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<crate::Recipient>,
    /// Outgoing drafts: số lượng bản.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
    /// Outgoing drafts: đơn vị, người nhận bản lưu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_copy_holder: Option<String>,
    /// Outgoing drafts: đơn vị soạn thảo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drafting_unit: Option<String>,
    /// A handler's copy of an assigned document: the assignment (absent for trình lãnh đạo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<HandlingAssignment>,
}
pub(super) fn incoming_register() -> Register {
    Register::Incoming
}
/// The leader's signed copy of a submitted draft, as sent back to the clerk's desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskSigned {
    /// Format tag, [`SIGNED_FORMAT`]; a package of another format is refused.
    pub format: String,
    /// The message id of the submission this answers.
    pub submission_message_id: String,
    /// The draft's register id on the clerk's desktop.
    pub origin_document_id: i64,
    /// The PDF that was signed (the draft's newest PDF, on both desktops).
    pub signed_from_sha256: String,
    /// "<name> (đã ký).pdf"
    pub file_name: String,
    /// SHA-256 of the signed PDF, checked on arrival.
    pub sha256: String,
    /// The signed PDF, base64-encoded.
    pub data_base64: String,
    /// The signer's role (leader | organization | attachment).
    pub role: String,
    /// The signer's name from the certificate.
    pub signer: String,
    /// The signature field the signature went into.
    pub field: String,
    /// When the signature was made (RFC 3339).
    pub signing_time: String,
    /// The registry user on the leader's desktop who signed.
    pub user: String,
    /// When the leader's desktop recorded the signing (RFC 3339).
    pub at: String,
}
/// The leader's return of a submitted draft (trả lại), as sent back to the clerk's desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskReturned {
    /// Format tag, [`RETURNED_FORMAT`]; a package of another format is refused.
    pub format: String,
    /// The message id of the submission this answers.
    pub submission_message_id: String,
    /// The draft's register id on the clerk's desktop.
    pub origin_document_id: i64,
    /// Why (mandatory): what the clerk should change.
    pub note: String,
    /// The registry user on the leader's desktop who returned it.
    pub user: String,
    /// When it was returned (RFC 3339).
    pub at: String,
}
/// A mirror's số đến after the clerk's desktop resolved its Số tạm, as sent to the
/// leader's desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskLabel {
    /// Format tag, [`LABEL_FORMAT`]; a package of another format is refused.
    pub format: String,
    /// The message id of the submission the mirror came from.
    pub submission_message_id: String,
    /// The document's register id on the clerk's desktop.
    pub origin_document_id: i64,
    /// The final số đến.
    pub number: u32,
    /// The Số tạm it replaces, if the mirror showed one.
    pub provisional: Option<String>,
    /// What the mirror shows from now on ("15").
    pub number_label: String,
    /// When the number was resolved (RFC 3339).
    pub at: String,
}
/// The leader's decision on a mirror, as sent back to the clerk's desktop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskAnswer {
    /// Format tag, [`ANSWER_FORMAT`]; a package of another format is refused.
    pub format: String,
    /// The message id of the submission this answers.
    pub submission_message_id: String,
    /// The state the leader moved the document to.
    pub to_state: IncomingState,
    /// In which role the leader acted.
    pub actor: Actor,
    /// The leader's note or reason.
    pub note: Option<String>,
    /// Who the leader assigned the document to.
    pub handler: Option<String>,
    /// The deadline the leader set.
    pub deadline: Option<NaiveDate>,
    /// The phối hợp the leader named besides the handler (chủ trì).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supporters: Vec<String>,
    /// The registry user on the leader's desktop who decided.
    pub user: String,
    /// When the decision was made (RFC 3339).
    pub at: String,
}
/// Where a mirror record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorInfo {
    /// `UNIT/DESKTOP` of the clerk's desktop.
    pub origin: String,
    /// The document's register id on the clerk's desktop.
    pub origin_document_id: i64,
    /// The số đến as the clerk's desktop gave it ("15", or "Số tạm T-VT1-3").
    pub number_label: Option<String>,
    /// The message id of the submission the mirror came from.
    pub submission_message_id: String,
}
pub(super) fn submission_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Submission> {
    Ok(Submission {
        id: r.get(0)?,
        document_id: r.get(1)?,
        to_desktop: r.get(2)?,
        message_id: r.get(3)?,
        note: r.get(4)?,
        created_at: r.get(5)?,
        queued_at: r.get(6)?,
        answered_at: r.get(7)?,
        returned_at: r.get(8)?,
        assignment_id: r.get(9)?,
    })
}
pub(super) const SUBMISSION_COLUMNS: &str =
    "id, document_id, to_desktop, message_id, note, created_at, queued_at, answered_at, returned_at, assignment_id";
/// `UNIT/DESKTOP` with the desktop rule of the hub (1–16 ASCII letters/digits).
pub(super) fn split_desktop(to: &str) -> Option<(&str, &str)> {
    let (unit, desktop) = to.split_once('/')?;
    ((1..=16).contains(&desktop.len()) && desktop.bytes().all(|c| c.is_ascii_alphanumeric()))
        .then_some((unit, desktop))
}
pub(super) fn mirror_info(of: &str, number: Option<String>, msg: Option<String>) -> MirrorInfo {
    let (origin, id) = of.rsplit_once(':').unwrap_or((of, "0"));
    MirrorInfo {
        origin: origin.to_owned(),
        origin_document_id: id.parse().unwrap_or(0),
        number_label: number,
        submission_message_id: msg.unwrap_or_default(),
    }
}
/// Refuses a package body of another format (a newer desktop's, or not ours).
pub(super) fn check_format(
    actual: &str,
    expected: &str,
    what_vi: &str,
    what_en: &str,
) -> Result<()> {
    if actual == expected {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "định dạng {what_vi} không hỗ trợ / unsupported {what_en} format {actual}"
    )))
}
