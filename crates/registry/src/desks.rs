//! Several desktops of one unit (docs/sync.md, "Several desktops of one unit"): the clerk's
//! desktop submits ("trình lãnh đạo") a registered incoming document to the leader's desktop;
//! the leader's desktop keeps it as a *mirror* record (never numbered: the số đến travels with
//! it) and the leader's assignment on the mirror goes back as an answer the clerk's desktop
//! applies with the normal transition, so the external sender gets its 04 as usual.
//!
//! The registry only keeps the bookkeeping (`submissions`, mirror columns, outbox rows of
//! kind `desk_answer`); the sync bridge turns them into internal hub packages.
use base64::Engine as _;
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vanthu_domain::{
    Actor, DocumentState, IncomingState, OutgoingState, Secrecy, StatusCode, Urgency,
};

use crate::documents::{media_type, state_at, state_str, PreparedFile, Register};
use crate::DocumentRecord;
use crate::{agencies, audit, events, Error, Registry, Result, WriteCtx};

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

const INSTALL_KEY: &str = "desks.install_id";

/// One "trình" of a document to a desktop of the unit, on the submitting desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub id: i64,
    pub document_id: i64,
    /// `UNIT/DESKTOP` of the leader's desktop.
    pub to_desktop: String,
    /// Hub message id of the internal package (deterministic, so re-queuing is a no-op).
    pub message_id: String,
    pub note: Option<String>,
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
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub data_base64: String,
}

/// What travels to the leader's desktop: the register entry as the clerk's desktop holds
/// it (số đến included, which edXML cannot carry) and its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionPackage {
    pub format: String,
    /// Which register the document is in: an incoming document to assign, or an outgoing
    /// draft to sign. Absent in packages of older versions (incoming only).
    #[serde(default = "incoming_register")]
    pub register: Register,
    pub origin_document_id: i64,
    pub number: Option<u32>,
    pub provisional_number: Option<String>,
    pub year: Option<i32>,
    pub arrival_date: Option<NaiveDate>,
    pub sender_code: Option<String>,
    pub sender_name: Option<String>,
    pub notation: String,
    pub document_date: Option<NaiveDate>,
    pub doc_type: String,
    pub subject: String,
    pub signer: Option<String>,
    pub urgency: Urgency,
    pub deadline: Option<NaiveDate>,
    pub handler: Option<String>,
    pub notes: Option<String>,
    pub edxml_document_id: Option<String>,
    pub body_text: Option<String>,
    /// The clerk's note with the submission ("Kính trình …").
    pub note: Option<String>,
    pub submitted_by: String,
    pub submitted_at: String,
    pub files: Vec<SubmittedFile>,
    /// Outgoing drafts: the ký hiệu without number ("UBND-VP").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_notation: Option<String>,
    /// Outgoing drafts: nơi nhận.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<crate::Recipient>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_copy_holder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drafting_unit: Option<String>,
}

fn incoming_register() -> Register {
    Register::Incoming
}

/// The leader's signed copy of a submitted draft, as sent back to the clerk's desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskSigned {
    pub format: String,
    pub submission_message_id: String,
    pub origin_document_id: i64,
    /// The PDF that was signed (the draft's newest PDF, on both desktops).
    pub signed_from_sha256: String,
    /// "<name> (đã ký).pdf"
    pub file_name: String,
    pub sha256: String,
    pub data_base64: String,
    pub role: String,
    pub signer: String,
    pub field: String,
    pub signing_time: String,
    pub user: String,
    pub at: String,
}

/// The leader's return of a submitted draft (trả lại), as sent back to the clerk's desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskReturned {
    pub format: String,
    pub submission_message_id: String,
    pub origin_document_id: i64,
    /// Why (mandatory): what the clerk should change.
    pub note: String,
    pub user: String,
    pub at: String,
}

/// A mirror's số đến after the clerk's desktop resolved its Số tạm, as sent to the
/// leader's desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskLabel {
    pub format: String,
    pub submission_message_id: String,
    pub origin_document_id: i64,
    pub number: u32,
    pub provisional: Option<String>,
    /// What the mirror shows from now on ("15").
    pub number_label: String,
    pub at: String,
}

/// The leader's decision on a mirror, as sent back to the clerk's desktop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskAnswer {
    pub format: String,
    pub submission_message_id: String,
    pub to_state: IncomingState,
    pub actor: Actor,
    pub note: Option<String>,
    pub handler: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub user: String,
    pub at: String,
}

/// Where a mirror record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorInfo {
    /// `UNIT/DESKTOP` of the clerk's desktop.
    pub origin: String,
    pub origin_document_id: i64,
    /// The số đến as the clerk's desktop gave it ("15", or "Số tạm T-VT1-3").
    pub number_label: Option<String>,
    pub submission_message_id: String,
}

fn submission_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Submission> {
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

const SUBMISSION_COLUMNS: &str =
    "id, document_id, to_desktop, message_id, note, created_at, queued_at, answered_at, returned_at";

/// `UNIT/DESKTOP` with the desktop rule of the hub (1–16 ASCII letters/digits).
fn split_desktop(to: &str) -> Option<(&str, &str)> {
    let (unit, desktop) = to.split_once('/')?;
    ((1..=16).contains(&desktop.len()) && desktop.bytes().all(|c| c.is_ascii_alphanumeric()))
        .then_some((unit, desktop))
}

pub(crate) fn mirror_in_tx(tx: &Transaction<'_>, document_id: i64) -> Result<Option<MirrorInfo>> {
    Ok(tx
        .prepare_cached(
            "SELECT mirror_of, mirror_number, hub_message_id FROM documents
             WHERE id = ?1 AND mirror_of IS NOT NULL",
        )?
        .query_row([document_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
        .map(|(of, number, msg)| mirror_info(&of, number, msg)))
}

fn mirror_info(of: &str, number: Option<String>, msg: Option<String>) -> MirrorInfo {
    let (origin, id) = of.rsplit_once(':').unwrap_or((of, "0"));
    MirrorInfo {
        origin: origin.to_owned(),
        origin_document_id: id.parse().unwrap_or(0),
        number_label: number,
        submission_message_id: msg.unwrap_or_default(),
    }
}

/// Queues the leader's decision on a mirror for the clerk's desktop (outbox kind
/// `desk_answer`), in the transaction of the transition.
#[allow(clippy::too_many_arguments)]
pub(crate) fn queue_answer(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    m: &MirrorInfo,
    to: IncomingState,
    actor: Actor,
    codes: &[StatusCode],
    note: Option<&str>,
) -> Result<()> {
    events::enqueue(
        tx,
        ctx,
        "desk_answer",
        Some(document_id),
        Some(&m.origin),
        &serde_json::json!({
            "submission_message_id": m.submission_message_id,
            "origin_document_id": m.origin_document_id,
            "to_state": to.as_str(), "actor": state_str(actor),
            "status_code": codes.last().map(|c| c.code()).unwrap_or("04"),
            "note": note, "user": ctx.user, "at": ctx.now,
        }),
    )?;
    Ok(())
}

/// Queues the leader's signed copy of a mirrored draft for the clerk's desktop (outbox kind
/// `desk_signed`), in the transaction that stored the signature. The PDF stays in the blob
/// store; [`Registry::desk_signed_package`] reads it when the sync engine takes the row.
#[allow(clippy::too_many_arguments)]
pub(crate) fn queue_signed(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    m: &MirrorInfo,
    attachment_id: i64,
    signed_from_sha256: &str,
    file: &PreparedFile,
    info: &crate::SignedFile,
) -> Result<()> {
    events::enqueue(
        tx,
        ctx,
        "desk_signed",
        Some(document_id),
        Some(&m.origin),
        &serde_json::json!({
            "submission_message_id": m.submission_message_id,
            "origin_document_id": m.origin_document_id,
            "attachment_id": attachment_id, "file_name": file.file_name,
            "sha256": file.blob.sha256, "signed_from_sha256": signed_from_sha256,
            "role": info.role, "signer": info.signer, "field": info.field,
            "signing_time": info.signing_time, "user": ctx.user, "at": ctx.now,
        }),
    )?;
    Ok(())
}

/// On the clerk's desktop, when a document's Số tạm became its final number: queues the new
/// label for every desktop the document was submitted to (outbox kind `desk_label`), in the
/// transaction that resolved it, so their mirrors stop showing the provisional number.
pub(crate) fn queue_labels(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    provisional: Option<&str>,
    number: u32,
) -> Result<()> {
    let subs: Vec<(String, String)> = tx
        .prepare_cached(
            "SELECT s.message_id, s.to_desktop FROM submissions s JOIN documents d ON d.id = s.document_id
             WHERE s.document_id = ?1 AND d.register = 'incoming' AND d.secrecy = 'normal'
             ORDER BY s.id",
        )?
        .query_map([document_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (message_id, to) in subs {
        events::enqueue(
            tx,
            ctx,
            "desk_label",
            Some(document_id),
            Some(&to),
            &serde_json::json!({
                "submission_message_id": message_id, "origin_document_id": document_id,
                "number": number, "provisional": provisional,
                "number_label": number.to_string(), "at": ctx.now,
            }),
        )?;
    }
    Ok(())
}

fn has_pdf(tx: &Transaction<'_>, document_id: i64) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM attachments WHERE document_id = ?1 AND media_type = 'application/pdf')",
        [document_id],
        |r| r.get(0),
    )?)
}

/// Refuses a package body of another format (a newer desktop's, or not ours).
fn check_format(actual: &str, expected: &str, what_vi: &str, what_en: &str) -> Result<()> {
    if actual == expected {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "định dạng {what_vi} không hỗ trợ / unsupported {what_en} format {actual}"
    )))
}

/// Records an internal package in the inbox under its hub message id, in the transaction
/// that applies it: `None` when it was recorded before (applied once, never twice).
fn claim_inbox(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    package_id: &str,
    kind: &str,
    from: &str,
    payload: &impl Serialize,
) -> Result<Option<i64>> {
    let payload = serde_json::to_string(payload).expect("package payload serialises");
    let n = tx.execute(
        "INSERT INTO inbox (package_id, kind, sender_code, payload, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (package_id) DO NOTHING",
        params![package_id, kind, from, payload, ctx.now],
    )?;
    Ok((n == 1).then(|| tx.last_insert_rowid()))
}

impl Registry {
    /// Trình lãnh đạo: submits a registered incoming document (to be assigned) or an
    /// outgoing draft with a PDF (trình ký, to be signed) to a desktop of this unit
    /// (`UNIT/DESKTOP`). Refused for documents marked mật or above (they never travel over
    /// the hub, even inside the unit). Submitting the same document to the same desktop again
    /// returns the first submission.
    pub fn submit_document(
        &mut self,
        document_id: i64,
        to: &str,
        note: Option<&str>,
    ) -> Result<Submission> {
        let to = to.trim().to_owned();
        let (unit, _) = split_desktop(&to).ok_or_else(|| {
            Error::invalid(format!(
                "máy nhận phải có dạng MÃ-ĐƠN-VỊ/MÁY (1–16 chữ cái/chữ số) / the desktop must be UNIT/DESKTOP: {to}"
            ))
        })?;
        let own = self.own_unit()?.ok_or(Error::NotInitialised)?.0;
        if unit != own {
            return Err(Error::invalid(format!(
                "chỉ trình tới máy của đơn vị mình ({own}) / only desktops of this unit ({own}): {to}"
            )));
        }
        let note = note
            .map(|n| vanthu_domain::text::nfc(n.trim()))
            .filter(|n| !n.is_empty());
        let id = self.write(|tx, ctx| {
            let row: Option<(String, DocumentState, String, Option<String>)> = tx
                .query_row(
                    "SELECT register, state, secrecy, mirror_of FROM documents WHERE id = ?1",
                    [document_id],
                    |r| Ok((r.get(0)?, state_at(r, 1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let (register, state, secrecy, mirror) = row.ok_or(Error::NotFound(document_id))?;
            if mirror.is_some() {
                return Err(Error::InvalidState(
                    "không trình lại bản trình từ máy khác / a copy submitted from another desktop cannot be submitted".into(),
                ));
            }
            let outgoing = register == Register::Outgoing.as_str();
            if secrecy != Secrecy::Normal.as_str() {
                return Err(Error::SecretNotSendable);
            }
            if outgoing {
                if state != OutgoingState::Draft.into() {
                    return Err(Error::InvalidState(format!(
                        "chỉ trình ký văn bản đi còn là dự thảo (trạng thái: {state}) / only outgoing drafts can be submitted for signature"
                    )));
                }
                if !has_pdf(tx, document_id)? {
                    return Err(Error::InvalidState(
                        "dự thảo chưa có tệp PDF để ký / the draft has no PDF to sign".into(),
                    ));
                }
            } else if state != IncomingState::Registered.into() {
                return Err(Error::InvalidState(format!(
                    "chỉ trình văn bản đã vào sổ, chưa phân công (trạng thái: {state}) / only registered, unassigned documents can be submitted"
                )));
            }
            let earlier: Option<(i64, String, Option<String>)> = tx
                .query_row(
                    "SELECT id, message_id, returned_at FROM submissions
                     WHERE document_id = ?1 AND to_desktop = ?2",
                    params![document_id, to],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            match earlier {
                Some((id, _, None)) => return Ok(id),
                // Returned unsigned: the same draft goes again, under a new message id (the
                // leader's desktop updates its mirror in place).
                Some((id, old, Some(_))) => {
                    let (base, round) = match old.rsplit_once("-r") {
                        Some((b, n)) if n.parse::<u32>().is_ok() => (b, n.parse::<u32>().unwrap_or(1)),
                        _ => (old.as_str(), 1),
                    };
                    let message_id = format!("{base}-r{}", round + 1);
                    tx.execute(
                        "UPDATE submissions SET message_id = ?2, note = ?3, created_at = ?4,
                            queued_at = NULL, answered_at = NULL, returned_at = NULL WHERE id = ?1",
                        params![id, message_id, note, ctx.now],
                    )?;
                    events::insert_event(
                        tx,
                        ctx,
                        document_id,
                        Some(Actor::Clerk),
                        Some(state),
                        state,
                        &[],
                        Some(&format!(
                            "Trình ký lại lãnh đạo ({to}){}",
                            note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
                        )),
                    )?;
                    audit::append(
                        tx,
                        ctx,
                        "outgoing.submit",
                        "document",
                        Some(&document_id.to_string()),
                        &serde_json::json!({"to": to, "message_id": message_id, "note": note,
                            "replaces_message_id": old}),
                    )?;
                    return Ok(id);
                }
                None => {}
            }
            let install = match tx
                .query_row("SELECT value FROM meta WHERE key = ?1", [INSTALL_KEY], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
            {
                Some(v) => v,
                None => {
                    // Distinguishes this database's message ids from a reinstalled desktop's.
                    let mut h = Sha256::new();
                    h.update(ctx.now.as_bytes());
                    h.update(std::process::id().to_le_bytes());
                    h.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
                    let v = hex::encode(h.finalize())[..12].to_owned();
                    tx.execute(
                        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                        params![INSTALL_KEY, v],
                    )?;
                    v
                }
            };
            let desktop = to.rsplit('/').next().unwrap_or_default();
            let message_id = format!("sub-{install}-{document_id}-{desktop}");
            tx.execute(
                "INSERT INTO submissions (document_id, to_desktop, message_id, note, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![document_id, to, message_id, note, ctx.now],
            )?;
            let id = tx.last_insert_rowid();
            events::insert_event(
                tx,
                ctx,
                document_id,
                Some(Actor::Clerk),
                Some(state),
                state,
                &[],
                Some(&format!(
                    "{} ({to}){}",
                    if outgoing { "Trình ký lãnh đạo" } else { "Trình lãnh đạo" },
                    note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
                )),
            )?;
            audit::append(
                tx,
                ctx,
                if outgoing { "outgoing.submit" } else { "incoming.submit" },
                "document",
                Some(&document_id.to_string()),
                &serde_json::json!({"to": to, "message_id": message_id, "note": note}),
            )?;
            Ok(id)
        })?;
        self.submission(id)
    }

    fn submission(&self, id: i64) -> Result<Submission> {
        Ok(self.conn.query_row(
            &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?1"),
            [id],
            submission_row,
        )?)
    }

    /// Submissions of a document (or all), oldest first.
    pub fn submissions(&self, document_id: Option<i64>) -> Result<Vec<Submission>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE ?1 IS NULL OR document_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([document_id], submission_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Submissions the sync engine has not taken yet, oldest first.
    pub fn unqueued_submissions(&self) -> Result<Vec<Submission>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE queued_at IS NULL ORDER BY id"
        ))?;
        let rows = stmt.query_map([], submission_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mark_submission_queued(&mut self, id: i64) -> Result<()> {
        self.write(|tx, ctx| {
            tx.execute(
                "UPDATE submissions SET queued_at = ?2 WHERE id = ?1 AND queued_at IS NULL",
                params![id, ctx.now],
            )?;
            Ok(())
        })
    }

    /// The package body of a submission: the register entry and its files.
    pub fn submission_package(&self, sub: &Submission) -> Result<SubmissionPackage> {
        let rec = self.get(sub.document_id)?;
        let mut files = Vec::with_capacity(rec.attachments.len());
        for a in &rec.attachments {
            files.push(SubmittedFile {
                file_name: a.file_name.clone(),
                media_type: a.media_type.clone(),
                sha256: a.sha256.clone(),
                data_base64: base64::engine::general_purpose::STANDARD
                    .encode(self.blobs.read(&a.sha256)?),
            });
        }
        let outgoing = rec.register == Register::Outgoing;
        let code_notation: Option<String> = if outgoing {
            self.conn.query_row(
                "SELECT code_notation FROM documents WHERE id = ?1",
                [rec.id],
                |r| r.get(0),
            )?
        } else {
            None
        };
        Ok(SubmissionPackage {
            format: SUBMISSION_FORMAT.to_owned(),
            register: rec.register,
            origin_document_id: rec.id,
            number: rec.number,
            provisional_number: rec.provisional_number.clone(),
            year: rec.year,
            arrival_date: rec.arrival_date,
            sender_code: rec.sender_code.clone(),
            sender_name: rec.sender.clone(),
            notation: rec.notation.clone(),
            document_date: rec.document_date,
            doc_type: rec.doc_type.clone(),
            subject: rec.subject.clone(),
            signer: rec.signer.clone(),
            urgency: rec.urgency,
            deadline: rec.deadline,
            handler: rec.handler.clone(),
            notes: rec.notes.clone(),
            edxml_document_id: rec.edxml_document_id.clone(),
            body_text: None,
            note: sub.note.clone(),
            submitted_by: self.user().to_owned(),
            submitted_at: sub.created_at.clone(),
            files,
            code_notation,
            recipients: rec.recipients.clone(),
            copies: rec.copies,
            archive_copy_holder: rec.archive_copy_holder.clone(),
            drafting_unit: rec.drafting_unit.clone(),
        })
    }

    /// On the leader's desktop: stores a received submission as a mirror record (state
    /// `registered`, no number of its own, files in the blob store). Idempotent by the hub
    /// message id: a package seen again returns the same record.
    pub fn receive_submission(
        &mut self,
        message_id: &str,
        origin: &str,
        pkg: &SubmissionPackage,
    ) -> Result<i64> {
        check_format(&pkg.format, SUBMISSION_FORMAT, "gói trình", "submission")?;
        if let Some(id) = self.document_by_hub_message(message_id)? {
            return Ok(id);
        }
        if pkg.register == Register::Outgoing {
            return self.receive_draft(message_id, origin, pkg);
        }
        let sender_code = pkg
            .sender_code
            .clone()
            .ok_or_else(|| Error::invalid("gói trình không có cơ quan gửi / no sender"))?;
        self.learn_agency(
            &sender_code,
            pkg.sender_name.as_deref().unwrap_or(&sender_code),
        )?;
        let files = self.submitted_files(&pkg.files)?;
        let new = crate::NewIncoming {
            sender: sender_code,
            notation: pkg.notation.clone(),
            document_date: pkg.document_date.unwrap_or_else(crate::today),
            arrival_date: pkg.arrival_date,
            doc_type: pkg.doc_type.clone(),
            subject: pkg.subject.clone(),
            signer: pkg.signer.clone(),
            urgency: pkg.urgency,
            secrecy: Secrecy::Normal,
            deadline: pkg.deadline,
            handler: pkg.handler.clone(),
            notes: pkg.notes.clone(),
            body_text: pkg.body_text.clone(),
            edxml_document_id: pkg.edxml_document_id.clone(),
            ..Default::default()
        };
        let v = crate::documents::validate_incoming(&new)?;
        let number_label = match (pkg.number, &pkg.provisional_number) {
            (Some(n), _) => Some(n.to_string()),
            (None, Some(p)) => Some(format!("Số tạm {p}")),
            _ => None,
        };
        let mirror_of = format!("{origin}:{}", pkg.origin_document_id);
        self.write(|tx, ctx| {
            let sender = agencies::resolve(tx, &v.sender)?;
            let id = crate::documents::insert_incoming(tx, ctx, &v, &sender, &files, false)?;
            tx.execute(
                "UPDATE documents SET state = ?2, mirror_of = ?3, mirror_number = ?4, hub_message_id = ?5
                 WHERE id = ?1",
                params![id, IncomingState::Registered.as_str(), mirror_of, number_label, message_id],
            )?;
            events::insert_event(
                tx,
                ctx,
                id,
                Some(Actor::Clerk),
                Some(IncomingState::Arrived.into()),
                IncomingState::Registered.into(),
                &[],
                Some(&format!(
                    "Văn thư trình ({origin}, số đến {}){}",
                    number_label.as_deref().unwrap_or("—"),
                    pkg.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
                )),
            )?;
            audit::append(
                tx,
                ctx,
                "incoming.mirror",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({"mirror_of": mirror_of, "number": number_label,
                    "message_id": message_id, "submitted_by": pkg.submitted_by}),
            )?;
            Ok(id)
        })
    }

    /// The files of a submission, checked (SHA-256) and stored in the blob store before the
    /// transaction that attaches them.
    fn submitted_files(&self, submitted: &[SubmittedFile]) -> Result<Vec<PreparedFile>> {
        let mut files = Vec::with_capacity(submitted.len());
        for f in submitted {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&f.data_base64)
                .map_err(|e| Error::invalid(format!("tệp trình hỏng / bad file data: {e}")))?;
            if hex::encode(Sha256::digest(&bytes)) != f.sha256 {
                return Err(Error::invalid(format!(
                    "tệp {} sai SHA-256 / file {} SHA-256 mismatch",
                    f.file_name, f.file_name
                )));
            }
            let blob = self.blobs.put_bytes(&bytes)?;
            files.push(PreparedFile {
                media_type: media_type(std::path::Path::new(&f.file_name), &bytes).to_string(),
                file_name: vanthu_domain::text::nfc(&f.file_name),
                blob,
            });
        }
        Ok(files)
    }

    /// The leader's copy of a clerk's outgoing draft (trình ký): an outgoing draft that is
    /// never numbered here, with the draft's PDF, so it shows in the signing queue.
    fn receive_draft(
        &mut self,
        message_id: &str,
        origin: &str,
        pkg: &SubmissionPackage,
    ) -> Result<i64> {
        let mut recipients = Vec::with_capacity(pkg.recipients.len());
        for r in &pkg.recipients {
            match &r.agency_code {
                // Known to the clerk's desktop: learnt here, so the mirror shows the same name.
                Some(code) => recipients.push(self.learn_agency(code, &r.name)?.code),
                None => recipients.push(r.name.clone()),
            }
        }
        let code_notation = pkg
            .code_notation
            .clone()
            .unwrap_or_else(|| pkg.notation.trim_start_matches('/').to_owned());
        let new = crate::NewOutgoing {
            notation: code_notation,
            doc_type: pkg.doc_type.clone(),
            subject: pkg.subject.clone(),
            signer: pkg.signer.clone(),
            recipients,
            copies: pkg.copies,
            archive_copy_holder: pkg.archive_copy_holder.clone(),
            drafting_unit: pkg.drafting_unit.clone(),
            urgency: pkg.urgency,
            secrecy: Secrecy::Normal,
            deadline: pkg.deadline,
            notes: pkg.notes.clone(),
            body_text: pkg.body_text.clone(),
            ..Default::default()
        };
        let v = crate::documents::validate_outgoing(&new)?;
        let files = self.submitted_files(&pkg.files)?;
        if !files.iter().any(|f| f.media_type == "application/pdf") {
            return Err(Error::invalid(
                "bản trình ký không có tệp PDF / the submitted draft has no PDF",
            ));
        }
        let mirror_of = format!("{origin}:{}", pkg.origin_document_id);
        self.write(|tx, ctx| {
            let existing: Option<(i64, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT id, mirror_returned_at, hub_message_id FROM documents WHERE mirror_of = ?1",
                    [&mirror_of],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if let Some((id, returned, old)) = existing {
                if returned.is_none() {
                    return Err(Error::invalid(format!(
                        "bản trình {mirror_of} đang chờ ký, chưa trả lại / {mirror_of} is already waiting for a signature"
                    )));
                }
                return resubmitted(tx, ctx, id, old.as_deref(), message_id, origin, pkg, &files);
            }
            let id = crate::documents::insert_outgoing(tx, ctx, &v, &files)?;
            tx.execute(
                "UPDATE documents SET mirror_of = ?2, hub_message_id = ?3 WHERE id = ?1",
                params![id, mirror_of, message_id],
            )?;
            events::insert_event(
                tx,
                ctx,
                id,
                Some(Actor::Clerk),
                Some(OutgoingState::Draft.into()),
                OutgoingState::Draft.into(),
                &[],
                Some(&format!(
                    "Văn thư trình ký ({origin}){}",
                    pkg.note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                )),
            )?;
            audit::append(
                tx,
                ctx,
                "outgoing.mirror",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({"mirror_of": mirror_of, "message_id": message_id,
                    "submitted_by": pkg.submitted_by}),
            )?;
            Ok(id)
        })
    }

    /// The record a hub message became (a mirror, a received version), if any; also a
    /// submission a mirror was made from before it was submitted again.
    pub fn document_by_hub_message(&self, message_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM documents WHERE hub_message_id = ?1
                 UNION ALL
                 SELECT document_id FROM inbox WHERE package_id = ?1 AND kind = 'desk_submission'
                 LIMIT 1",
                [message_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Where a mirror record came from (`None` for the unit's own records).
    pub fn mirror_info(&self, document_id: i64) -> Result<Option<MirrorInfo>> {
        Ok(self
            .conn
            .query_row(
                "SELECT mirror_of, mirror_number, hub_message_id FROM documents
                 WHERE id = ?1 AND mirror_of IS NOT NULL",
                [document_id],
                |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .map(|(of, number, msg)| mirror_info(&of, number, msg)))
    }

    /// On the clerk's desktop: applies the leader's answer (`package_id` = the hub message it
    /// came in) with the normal transition, so the sender's status (04) is queued as for any
    /// assignment, and records the handler and deadline the leader set. One transaction; a
    /// package applied before is recognised by its id and changes nothing (returns `false`).
    pub fn apply_desk_answer(
        &mut self,
        package_id: &str,
        from: &str,
        answer: &DeskAnswer,
    ) -> Result<bool> {
        check_format(&answer.format, ANSWER_FORMAT, "trả lời", "answer")?;
        self.write(|tx, ctx| {
            let Some(inbox_id) = claim_inbox(tx, ctx, package_id, "desk_answer", from, answer)?
            else {
                return Ok(false);
            };
            let sub = submission_for_answer(tx, &answer.submission_message_id, from)?;
            let doc = sub.document_id;
            let note = answer.note.as_deref().filter(|n| !n.is_empty());
            events::status_event_tx(tx, ctx, doc, answer.to_state, answer.actor, note)?;
            if let Some(h) = answer
                .handler
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())
            {
                crate::documents::set_handler_tx(tx, ctx, doc, h, crate::today())?;
            }
            if let Some(d) = answer.deadline {
                tx.execute(
                    "UPDATE documents SET deadline = ?2 WHERE id = ?1",
                    params![doc, d.to_string()],
                )?;
            }
            tx.execute(
                "UPDATE submissions SET answered_at = ?2 WHERE id = ?1",
                params![sub.id, ctx.now],
            )?;
            crate::events::set_inbox_processed(tx, ctx, inbox_id, Some(doc), None)?;
            audit::append(
                tx,
                ctx,
                "incoming.desk_answer",
                "document",
                Some(&doc.to_string()),
                &serde_json::json!({"from": from, "package_id": package_id,
                    "to_state": answer.to_state.as_str(), "user": answer.user, "at": answer.at}),
            )?;
            Ok(true)
        })
    }

    /// On the leader's desktop: the body of a `desk_signed` outbox row — the signed PDF
    /// (read from the blob store) and what was recorded with it.
    pub fn desk_signed_package(&self, item: &crate::OutboxItem) -> Result<DeskSigned> {
        let p = &item.payload;
        let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
        let sha256 = text("sha256");
        if item.kind != "desk_signed" || sha256.is_empty() {
            return Err(Error::invalid(format!(
                "hàng đợi {} không phải bản đã ký / outbox row {} is not a signed copy",
                item.id, item.id
            )));
        }
        let bytes = self.blobs.read(&sha256)?;
        Ok(DeskSigned {
            format: SIGNED_FORMAT.to_owned(),
            submission_message_id: text("submission_message_id"),
            origin_document_id: p["origin_document_id"].as_i64().unwrap_or(0),
            signed_from_sha256: text("signed_from_sha256"),
            file_name: text("file_name"),
            sha256,
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            role: text("role"),
            signer: text("signer"),
            field: text("field"),
            signing_time: text("signing_time"),
            user: text("user"),
            at: text("at"),
        })
    }

    /// On the clerk's desktop: applies the leader's signed copy of a submitted draft
    /// (`package_id` = the hub message it came in). In one transaction: the registry inbox
    /// row (unique package id: a package seen again changes nothing, `Ok(false)`), the signed
    /// PDF as the draft's newest attachment, `draft → signed` with the history entry "Lãnh
    /// đạo đã ký trên máy …" and the `outgoing.sign` audit entry (the same code as
    /// [`Registry::record_signed`]), `outgoing.desk_signed`, and the submission answered.
    ///
    /// Refused, with the document untouched, when the bytes do not match their SHA-256,
    /// are not a PDF, name an unknown submission or come from another desktop, or when the
    /// clerk changed the draft meanwhile (no longer a draft, or a newer PDF than the one
    /// signed). A refusal for the document's sake is recorded once (inbox row with the
    /// error, audit `outgoing.desk_signed_refused`) so it is not retried every round.
    pub fn apply_desk_signed(
        &mut self,
        package_id: &str,
        from: &str,
        pkg: &DeskSigned,
    ) -> Result<bool> {
        check_format(&pkg.format, SIGNED_FORMAT, "bản đã ký", "signed-copy")?;
        let seen: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM inbox WHERE package_id = ?1)",
            [package_id],
            |r| r.get(0),
        )?;
        if seen {
            return Ok(false);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&pkg.data_base64)
            .map_err(|e| Error::invalid(format!("bản đã ký hỏng / bad signed file data: {e}")))?;
        if hex::encode(Sha256::digest(&bytes)) != pkg.sha256 {
            return Err(Error::invalid(format!(
                "bản đã ký sai SHA-256 / signed copy SHA-256 mismatch ({})",
                pkg.file_name
            )));
        }
        let blob = self.blobs.put_bytes(&bytes)?;
        let file = self.prepared_signed(blob, &pkg.file_name)?;
        let info = crate::SignedFile {
            role: pkg.role.clone(),
            signer: pkg.signer.clone(),
            field: pkg.field.clone(),
            signing_time: pkg.signing_time.clone(),
        };
        let payload = serde_json::json!({
            "submission_message_id": pkg.submission_message_id, "sha256": pkg.sha256,
            "signed_from_sha256": pkg.signed_from_sha256, "file_name": pkg.file_name,
            "signer": pkg.signer, "user": pkg.user, "at": pkg.at,
        });
        let applied = self.write(|tx, ctx| {
            let Some(inbox_id) = claim_inbox(tx, ctx, package_id, "desk_signed", from, &payload)?
            else {
                return Ok(false);
            };
            let sub = submission_for_answer(tx, &pkg.submission_message_id, from)?;
            let doc = sub.document_id;
            let signer = if pkg.signer.is_empty() {
                String::new()
            } else {
                format!(" ({})", pkg.signer)
            };
            crate::signing::sign_in_tx(
                tx,
                ctx,
                doc,
                None,
                &pkg.signed_from_sha256,
                &file,
                &info,
                Some(&format!("Lãnh đạo đã ký trên máy {from}{signer}")),
            )?;
            tx.execute(
                "UPDATE submissions SET answered_at = ?2 WHERE id = ?1",
                params![sub.id, ctx.now],
            )?;
            crate::events::set_inbox_processed(tx, ctx, inbox_id, Some(doc), None)?;
            audit::append(
                tx,
                ctx,
                "outgoing.desk_signed",
                "document",
                Some(&doc.to_string()),
                &serde_json::json!({"from": from, "package_id": package_id,
                    "sha256": pkg.sha256, "signer": pkg.signer, "user": pkg.user, "at": pkg.at}),
            )?;
            Ok(true)
        });
        match applied {
            Err(e @ Error::InvalidState(_)) => {
                // The draft moved on here: the leader's copy can never apply; keep the
                // refusal (and the package id) so it is visible and not retried.
                let doc: Option<i64> = self
                    .conn
                    .query_row(
                        "SELECT document_id FROM submissions WHERE message_id = ?1",
                        [&pkg.submission_message_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let why = e.to_string();
                self.write(|tx, ctx| {
                    tx.execute(
                        "INSERT INTO inbox (package_id, kind, sender_code, payload, received_at,
                            processed_at, document_id, error)
                         VALUES (?1, 'desk_signed', ?2, ?3, ?4, ?4, ?5, ?6)
                         ON CONFLICT (package_id) DO NOTHING",
                        params![package_id, from, payload.to_string(), ctx.now, doc, why],
                    )?;
                    audit::append(
                        tx,
                        ctx,
                        "outgoing.desk_signed_refused",
                        "document",
                        doc.map(|d| d.to_string()).as_deref(),
                        &serde_json::json!({"from": from, "package_id": package_id,
                            "sha256": pkg.sha256, "error": why}),
                    )
                })?;
                Err(e)
            }
            other => other,
        }
    }

    /// On the clerk's desktop: the body of a `desk_label` outbox row (applied on the
    /// leader's desktop by [`Registry::apply_desk_label`]).
    pub fn desk_label_package(&self, item: &crate::OutboxItem) -> Result<DeskLabel> {
        let p = &item.payload;
        let (Some(sub), Some(number), Some(label)) = (
            p["submission_message_id"].as_str(),
            p["number"].as_u64(),
            p["number_label"].as_str(),
        ) else {
            return Err(Error::invalid(format!(
                "hàng đợi {} không phải số đến mới / outbox row {} is not a number label",
                item.id, item.id
            )));
        };
        Ok(DeskLabel {
            format: LABEL_FORMAT.to_owned(),
            submission_message_id: sub.to_owned(),
            origin_document_id: p["origin_document_id"].as_i64().unwrap_or(0),
            number: number as u32,
            provisional: p["provisional"].as_str().map(str::to_owned),
            number_label: label.to_owned(),
            at: p["at"].as_str().unwrap_or_default().to_owned(),
        })
    }

    /// On the leader's desktop: the clerk's desktop gave a submitted document its final số
    /// đến; the mirror shows it from now on. One transaction (inbox row, label, history,
    /// audit `incoming.mirror_number`); a package seen again changes nothing (`Ok(false)`).
    /// A label for a mirror not here (yet) is refused and tried again next round.
    pub fn apply_desk_label(
        &mut self,
        package_id: &str,
        from: &str,
        pkg: &DeskLabel,
    ) -> Result<bool> {
        check_format(&pkg.format, LABEL_FORMAT, "số đến mới", "label")?;
        self.write(|tx, ctx| {
            let Some(inbox_id) = claim_inbox(tx, ctx, package_id, "desk_label", from, pkg)? else {
                return Ok(false);
            };
            let row: Option<(i64, String, Option<String>)> = tx
                .query_row(
                    "SELECT id, mirror_of, mirror_number FROM documents
                     WHERE hub_message_id = ?1 AND mirror_of IS NOT NULL",
                    [&pkg.submission_message_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((doc, mirror_of, old)) = row else {
                return Err(Error::invalid(format!(
                    "chưa có bản trình {} / no mirror of submission {}",
                    pkg.submission_message_id, pkg.submission_message_id
                )));
            };
            if mirror_info(&mirror_of, None, None).origin != from {
                return Err(Error::invalid(format!(
                    "{from} không phải máy đã trình / {from} did not submit this document"
                )));
            }
            tx.execute(
                "UPDATE documents SET mirror_number = ?2, updated_at = ?3 WHERE id = ?1",
                params![doc, pkg.number_label, ctx.now],
            )?;
            let state = tx.query_row("SELECT state FROM documents WHERE id = ?1", [doc], |r| {
                state_at(r, 0)
            })?;
            events::insert_event(
                tx,
                ctx,
                doc,
                Some(Actor::Clerk),
                Some(state),
                state,
                &[],
                Some(&format!(
                    "Văn thư cấp số đến {} (thay {})",
                    pkg.number_label,
                    old.as_deref().unwrap_or("—")
                )),
            )?;
            crate::events::set_inbox_processed(tx, ctx, inbox_id, Some(doc), None)?;
            audit::append(
                tx,
                ctx,
                "incoming.mirror_number",
                "document",
                Some(&doc.to_string()),
                &serde_json::json!({"from": from, "package_id": package_id,
                    "number_label": pkg.number_label, "previous": old}),
            )?;
            Ok(true)
        })
    }
}

/// A returned mirror submitted again: the same record takes the new submission's message id
/// (the previous one stays known through an inbox row, so its package is never imported
/// again), the files it does not hold yet, and goes back to the signing queue.
#[allow(clippy::too_many_arguments)]
fn resubmitted(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    old_message_id: Option<&str>,
    message_id: &str,
    origin: &str,
    pkg: &SubmissionPackage,
    files: &[PreparedFile],
) -> Result<i64> {
    if let Some(old) = old_message_id {
        tx.execute(
            "INSERT INTO inbox (package_id, kind, sender_code, payload, received_at, processed_at, document_id)
             VALUES (?1, 'desk_submission', ?2, ?3, ?4, ?4, ?5) ON CONFLICT (package_id) DO NOTHING",
            params![
                old,
                origin,
                serde_json::json!({"replaced_by": message_id}).to_string(),
                ctx.now,
                id
            ],
        )?;
    }
    tx.execute(
        "UPDATE documents SET hub_message_id = ?2, mirror_returned_at = NULL, updated_at = ?3
         WHERE id = ?1",
        params![id, message_id, ctx.now],
    )?;
    let held: Vec<String> = tx
        .prepare_cached("SELECT sha256 FROM attachments WHERE document_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let newest_pdf = |tx: &Transaction<'_>| -> Result<Option<String>> {
        Ok(tx
            .query_row(
                "SELECT sha256 FROM attachments WHERE document_id = ?1 AND media_type = 'application/pdf'
                 ORDER BY id DESC LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    };
    for f in files {
        if !held.contains(&f.blob.sha256) {
            crate::documents::insert_attachment(tx, ctx, id, f)?;
        }
    }
    // What the leader signs must be what the clerk's desktop holds as its newest PDF.
    let wanted = files
        .iter()
        .rev()
        .find(|f| f.media_type == "application/pdf")
        .map(|f| f.blob.sha256.clone());
    if wanted.is_some() && newest_pdf(tx)? != wanted {
        let f = files
            .iter()
            .rev()
            .find(|f| f.media_type == "application/pdf")
            .expect("checked above");
        crate::documents::insert_attachment(tx, ctx, id, f)?;
    }
    events::insert_event(
        tx,
        ctx,
        id,
        Some(Actor::Clerk),
        Some(OutgoingState::Draft.into()),
        OutgoingState::Draft.into(),
        &[],
        Some(&format!(
            "Văn thư trình ký lại ({origin}){}",
            pkg.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        )),
    )?;
    audit::append(
        tx,
        ctx,
        "outgoing.mirror_resubmit",
        "document",
        Some(&id.to_string()),
        &serde_json::json!({"message_id": message_id, "previous": old_message_id,
            "submitted_by": pkg.submitted_by}),
    )?;
    Ok(id)
}

/// The submission an answer or signed copy from `from` is about; refused when unknown or
/// when `from` is not the desktop it was submitted to.
fn submission_for_answer(tx: &Transaction<'_>, message_id: &str, from: &str) -> Result<Submission> {
    let sub = tx
        .query_row(
            &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE message_id = ?1"),
            [message_id],
            submission_row,
        )
        .optional()?
        .ok_or_else(|| {
            Error::invalid(format!(
                "không có bản trình {message_id} / unknown submission {message_id}"
            ))
        })?;
    if sub.to_desktop != from {
        return Err(Error::invalid(format!(
            "{from} không phải máy được trình / {from} is not the desktop the document was submitted to"
        )));
    }
    Ok(sub)
}

impl Registry {
    /// On the leader's desktop: returns a mirror of a clerk's draft unsigned (trả lại) with
    /// a note saying what to change. The mirror leaves the signing queue until the clerk
    /// submits the draft again; the return goes back to the clerk's desktop (outbox kind
    /// `desk_returned`), in the same transaction as the history entry and the audit entry.
    pub fn return_submission(&mut self, id: i64, note: &str) -> Result<DocumentRecord> {
        let note = vanthu_domain::text::nfc(note.trim());
        if note.is_empty() {
            return Err(Error::invalid(
                "cần ghi lý do trả lại / a return needs a note saying why",
            ));
        }
        self.write(|tx, ctx| {
            let row: Option<(String, DocumentState, Option<String>)> = tx
                .query_row(
                    "SELECT register, state, mirror_returned_at FROM documents WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, state_at(r, 1)?, r.get(2)?)),
                )
                .optional()?;
            let (register, state, returned) = row.ok_or(Error::NotFound(id))?;
            let mirror = mirror_in_tx(tx, id)?;
            let Some(m) = mirror.filter(|_| register == Register::Outgoing.as_str()) else {
                return Err(Error::InvalidState(format!(
                    "văn bản {id} không phải bản trình ký từ máy văn thư / document {id} is not a draft submitted for signature"
                )));
            };
            if state != OutgoingState::Draft.into() || returned.is_some() {
                return Err(Error::InvalidState(format!(
                    "văn bản {id} không còn chờ ký / document {id} no longer waits for a signature"
                )));
            }
            tx.execute(
                "UPDATE documents SET mirror_returned_at = ?2, updated_at = ?2 WHERE id = ?1",
                params![id, ctx.now],
            )?;
            events::insert_event(
                tx,
                ctx,
                id,
                Some(Actor::Leader),
                Some(OutgoingState::Draft.into()),
                OutgoingState::Draft.into(),
                &[],
                Some(&format!("Trả lại, chưa ký: {note}")),
            )?;
            audit::append(
                tx,
                ctx,
                "outgoing.desk_return",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({"submission_message_id": m.submission_message_id, "note": note}),
            )?;
            events::enqueue(
                tx,
                ctx,
                "desk_returned",
                Some(id),
                Some(&m.origin),
                &serde_json::json!({
                    "submission_message_id": m.submission_message_id,
                    "origin_document_id": m.origin_document_id,
                    "note": note, "user": ctx.user, "at": ctx.now,
                }),
            )?;
            Ok(())
        })?;
        self.get(id)
    }

    /// Whether a mirror was returned unsigned and waits for the clerk's desktop.
    pub fn mirror_returned_at(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT mirror_returned_at FROM documents WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// On the leader's desktop: the body of a `desk_returned` outbox row.
    pub fn desk_returned_package(&self, item: &crate::OutboxItem) -> Result<DeskReturned> {
        let p = &item.payload;
        let (Some(sub), Some(note)) = (p["submission_message_id"].as_str(), p["note"].as_str())
        else {
            return Err(Error::invalid(format!(
                "hàng đợi {} không phải trả lại / outbox row {} is not a return",
                item.id, item.id
            )));
        };
        Ok(DeskReturned {
            format: RETURNED_FORMAT.to_owned(),
            submission_message_id: sub.to_owned(),
            origin_document_id: p["origin_document_id"].as_i64().unwrap_or(0),
            note: note.to_owned(),
            user: p["user"].as_str().unwrap_or_default().to_owned(),
            at: p["at"].as_str().unwrap_or_default().to_owned(),
        })
    }

    /// On the clerk's desktop: the leader returned the draft unsigned. One transaction:
    /// inbox row (a package seen again changes nothing, `Ok(false)`), a history entry "Lãnh
    /// đạo trả lại (máy …): <note>" on the draft (its state is left as it is), the
    /// submission marked returned — which lets the clerk submit it again — and audit
    /// `outgoing.desk_returned`.
    pub fn apply_desk_returned(
        &mut self,
        package_id: &str,
        from: &str,
        pkg: &DeskReturned,
    ) -> Result<bool> {
        check_format(&pkg.format, RETURNED_FORMAT, "trả lại", "return")?;
        self.write(|tx, ctx| {
            let Some(inbox_id) = claim_inbox(tx, ctx, package_id, "desk_returned", from, pkg)?
            else {
                return Ok(false);
            };
            let sub = submission_for_answer(tx, &pkg.submission_message_id, from)?;
            let doc = sub.document_id;
            let (register, state): (String, DocumentState) = tx.query_row(
                "SELECT register, state FROM documents WHERE id = ?1",
                [doc],
                |r| Ok((r.get(0)?, state_at(r, 1)?)),
            )?;
            if register != Register::Outgoing.as_str() {
                return Err(Error::invalid(
                    "chỉ dự thảo văn bản đi mới được trả lại / only outgoing drafts are returned",
                ));
            }
            events::insert_event(
                tx,
                ctx,
                doc,
                Some(Actor::Leader),
                Some(state),
                state,
                &[],
                Some(&format!("Lãnh đạo trả lại (máy {from}): {}", pkg.note)),
            )?;
            tx.execute(
                "UPDATE submissions SET answered_at = ?2, returned_at = ?2 WHERE id = ?1",
                params![sub.id, ctx.now],
            )?;
            crate::events::set_inbox_processed(tx, ctx, inbox_id, Some(doc), None)?;
            audit::append(
                tx,
                ctx,
                "outgoing.desk_returned",
                "document",
                Some(&doc.to_string()),
                &serde_json::json!({"from": from, "package_id": package_id, "note": pkg.note,
                    "user": pkg.user, "at": pkg.at}),
            )?;
            Ok(true)
        })
    }
}
