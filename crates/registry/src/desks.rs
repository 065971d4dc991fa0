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
use vanthu_domain::{Actor, IncomingState, Secrecy, StatusCode, Urgency};

use crate::documents::{media_type, state_str, PreparedFile, Register};
use crate::{agencies, audit, events, Error, Registry, Result, WriteCtx};

/// Format tag of a submission package body (JSON).
pub const SUBMISSION_FORMAT: &str = "vanthu-submission/1";
/// Format tag of the leader's answer (JSON body of an internal status package).
pub const ANSWER_FORMAT: &str = "vanthu-desk-answer/1";

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
    })
}

const SUBMISSION_COLUMNS: &str =
    "id, document_id, to_desktop, message_id, note, created_at, queued_at, answered_at";

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

impl Registry {
    /// Trình lãnh đạo: submits a registered incoming document to a desktop of this unit
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
            let row: Option<(String, String, String, Option<String>)> = tx
                .query_row(
                    "SELECT register, state, secrecy, mirror_of FROM documents WHERE id = ?1",
                    [document_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let (register, state, secrecy, mirror) = row.ok_or(Error::NotFound(document_id))?;
            if register != Register::Incoming.as_str() || mirror.is_some() {
                return Err(Error::InvalidState(
                    "chỉ trình văn bản đến của sổ này / only incoming documents of this register can be submitted".into(),
                ));
            }
            if state != IncomingState::Registered.as_str() {
                return Err(Error::InvalidState(format!(
                    "chỉ trình văn bản đã vào sổ, chưa phân công (trạng thái: {state}) / only registered, unassigned documents can be submitted"
                )));
            }
            if secrecy != Secrecy::Normal.as_str() {
                return Err(Error::SecretNotSendable);
            }
            if let Some(id) = tx
                .query_row(
                    "SELECT id FROM submissions WHERE document_id = ?1 AND to_desktop = ?2",
                    params![document_id, to],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
            {
                return Ok(id);
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
                Some(&state),
                &state,
                &[],
                Some(&format!(
                    "Trình lãnh đạo ({to}){}",
                    note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
                )),
            )?;
            audit::append(
                tx,
                ctx,
                "incoming.submit",
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
        Ok(SubmissionPackage {
            format: SUBMISSION_FORMAT.to_owned(),
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
        if pkg.format != SUBMISSION_FORMAT {
            return Err(Error::invalid(format!(
                "định dạng gói trình không hỗ trợ / unsupported submission format {}",
                pkg.format
            )));
        }
        if let Some(id) = self.document_by_hub_message(message_id)? {
            return Ok(id);
        }
        let sender_code = pkg
            .sender_code
            .clone()
            .ok_or_else(|| Error::invalid("gói trình không có cơ quan gửi / no sender"))?;
        self.learn_agency(
            &sender_code,
            pkg.sender_name.as_deref().unwrap_or(&sender_code),
        )?;
        let mut files = Vec::with_capacity(pkg.files.len());
        for f in &pkg.files {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&f.data_base64)
                .map_err(|e| Error::invalid(format!("tệp trình hỏng / bad file data: {e}")))?;
            let blob = self.blobs.put_bytes(&bytes)?;
            if blob.sha256 != f.sha256 {
                return Err(Error::invalid(format!(
                    "tệp {} sai SHA-256 / file {} SHA-256 mismatch",
                    f.file_name, f.file_name
                )));
            }
            files.push(PreparedFile {
                media_type: media_type(std::path::Path::new(&f.file_name), &bytes).to_string(),
                file_name: vanthu_domain::text::nfc(&f.file_name),
                blob,
            });
        }
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
                Some(IncomingState::Arrived.as_str()),
                IncomingState::Registered.as_str(),
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

    /// The record a hub message became (a mirror, a received version), if any.
    pub fn document_by_hub_message(&self, message_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM documents WHERE hub_message_id = ?1",
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
        if answer.format != ANSWER_FORMAT {
            return Err(Error::invalid(format!(
                "định dạng trả lời không hỗ trợ / unsupported answer format {}",
                answer.format
            )));
        }
        self.write(|tx, ctx| {
            let n = tx.execute(
                "INSERT INTO inbox (package_id, kind, sender_code, payload, received_at)
                 VALUES (?1, 'desk_answer', ?2, ?3, ?4) ON CONFLICT (package_id) DO NOTHING",
                params![
                    package_id,
                    from,
                    serde_json::to_string(answer).expect("answer serialises"),
                    ctx.now
                ],
            )?;
            if n == 0 {
                return Ok(false);
            }
            let inbox_id = tx.last_insert_rowid();
            let sub = tx
                .query_row(
                    &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE message_id = ?1"),
                    [&answer.submission_message_id],
                    submission_row,
                )
                .optional()?
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "không có bản trình {} / unknown submission {}",
                        answer.submission_message_id, answer.submission_message_id
                    ))
                })?;
            if sub.to_desktop != from {
                return Err(Error::invalid(format!(
                    "{from} không phải máy được trình / {from} is not the desktop the document was submitted to"
                )));
            }
            let doc = sub.document_id;
            let note = answer.note.as_deref().filter(|n| !n.is_empty());
            events::status_event_tx(tx, ctx, doc, answer.to_state, answer.actor, note)?;
            if let Some(h) = answer.handler.as_deref().filter(|h| !h.trim().is_empty()) {
                let passed_on = crate::today().to_string();
                tx.execute(
                    "UPDATE documents SET handler = ?2, passed_on_date = ?3 WHERE id = ?1",
                    params![doc, h, passed_on],
                )?;
                audit::append(
                    tx,
                    ctx,
                    "incoming.handler",
                    "document",
                    Some(&doc.to_string()),
                    &serde_json::json!({"handler": h, "passed_on_date": passed_on, "by": from}),
                )?;
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
            tx.execute(
                "UPDATE inbox SET processed_at = ?2, document_id = ?3 WHERE id = ?1",
                params![inbox_id, ctx.now, doc],
            )?;
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
}
