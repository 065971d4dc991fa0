//! The package formats desktops of one unit exchange, and the rows they map to.
use chrono::NaiveDate;
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
    })
}
pub(super) const SUBMISSION_COLUMNS: &str =
    "id, document_id, to_desktop, message_id, note, created_at, queued_at, answered_at, returned_at";
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
