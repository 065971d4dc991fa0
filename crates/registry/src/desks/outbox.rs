//! What this desktop queues for the other desktops of the unit (answers, new number labels)
//! and the package bodies the sync engine reads back from those queue rows.
use base64::Engine as _;
use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use vanthu_domain::{Actor, IncomingState, StatusCode};

use crate::register::{state_str, Register};
use crate::{events, Error, Registry, Result, WriteCtx};

use super::wire::*;

const INSTALL_KEY: &str = "desks.install_id";

/// This database's installation id, made on first use: distinguishes its submission ids from
/// a reinstalled desktop's.
pub(super) fn install_id(tx: &Transaction<'_>, ctx: &WriteCtx<'_>) -> Result<String> {
    if let Some(v) = tx
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [INSTALL_KEY],
            |r| r.get::<_, String>(0),
        )
        .optional()?
    {
        return Ok(v);
    }
    let mut h = Sha256::new();
    h.update(ctx.now.as_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
    let v = hex::encode(h.finalize())[..12].to_owned();
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![INSTALL_KEY, v],
    )?;
    Ok(v)
}

/// On the register's own desktop, after an assignment: a handler's copy (a submission with
/// the assignment) for every assignee who works at another desktop of the unit (`people.desktop`),
/// in the caller's transaction. A document marked mật or above never travels; an assignee
/// already holding a copy, or whose desktop holds the trình lãnh đạo, gets none.
pub(crate) fn queue_handling_copies(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
) -> Result<u32> {
    let normal: bool = tx.query_row(
        "SELECT secrecy = 'normal' AND mirror_of IS NULL FROM documents WHERE id = ?1",
        [document_id],
        |r| r.get(0),
    )?;
    if !normal {
        return Ok(0);
    }
    let targets: Vec<(i64, String, String, String)> = tx
        .prepare_cached(
            "SELECT a.id, a.assignee, a.role, p.desktop FROM assignments a
             JOIN people p ON p.full_name = a.assignee AND p.active = 1
             WHERE a.document_id = ?1 AND a.replaced_at IS NULL
               AND p.desktop IS NOT NULL AND p.desktop != ''
             ORDER BY a.id",
        )?
        .query_map([document_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut queued = 0;
    for (assignment, assignee, role, to) in targets {
        let held: bool = tx
            .prepare_cached("SELECT 1 FROM submissions WHERE document_id = ?1 AND to_desktop = ?2")?
            .exists(params![document_id, to])?;
        if held || split_desktop(&to).is_none() {
            continue;
        }
        let install = install_id(tx, ctx)?;
        let desktop = to.rsplit('/').next().unwrap_or_default();
        let message_id = format!("sub-{install}-{document_id}-{desktop}");
        tx.execute(
            "INSERT INTO submissions (document_id, to_desktop, message_id, note, created_at, assignment_id)
             SELECT ?1, ?2, ?3, instruction, ?4, id FROM assignments WHERE id = ?5",
            params![document_id, to, message_id, ctx.now, assignment],
        )?;
        let role_vi = HandlingRole::parse(&role)
            .unwrap_or(HandlingRole::Support)
            .label_vi();
        let state: String = tx.query_row(
            "SELECT state FROM documents WHERE id = ?1",
            [document_id],
            |r| r.get(0),
        )?;
        let state: vanthu_domain::DocumentState = state
            .parse()
            .map_err(|e| Error::invalid(format!("trạng thái hỏng / bad state: {e}")))?;
        events::insert_event(
            tx,
            ctx,
            document_id,
            Some(Actor::Leader),
            Some(state),
            state,
            &[],
            Some(&format!(
                "Chuyển tới máy {to} để xử lý ({assignee}, {role_vi})"
            )),
        )?;
        crate::audit::append(
            tx,
            ctx,
            "incoming.handling_copy",
            "document",
            Some(&document_id.to_string()),
            &serde_json::json!({"to": to, "assignee": assignee, "role": role,
                "message_id": message_id}),
        )?;
        queued += 1;
    }
    Ok(queued)
}

/// Queues a handling note for another desktop along a submission (outbox kind
/// `desk_handling`), in the caller's transaction; the package is built from the note row
/// when the sync engine takes it.
pub(crate) fn queue_handling(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    to: &str,
    submission_message_id: &str,
    note_id: i64,
    to_state: Option<IncomingState>,
) -> Result<()> {
    events::enqueue(
        tx,
        ctx,
        "desk_handling",
        Some(document_id),
        Some(to),
        &serde_json::json!({
            "submission_message_id": submission_message_id, "note_id": note_id,
            "to_state": to_state.map(|s| s.as_str()),
        }),
    )?;
    Ok(())
}

/// Where a mirror record came from (its origin desktop and submission), inside the caller's
/// transaction; `None` for a document of this desktop's own register.
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

impl Registry {
    pub(super) fn submission(&self, id: i64) -> Result<Submission> {
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

    /// Records that the sync engine has taken submission `id`, so it is not queued twice.
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
            assignment: self.copy_assignment(sub, &rec)?,
        })
    }

    /// The assignment a handler's copy carries (`None` for a trình lãnh đạo).
    fn copy_assignment(
        &self,
        sub: &Submission,
        rec: &crate::DocumentRecord,
    ) -> Result<Option<HandlingAssignment>> {
        let Some(id) = sub.assignment_id else {
            return Ok(None);
        };
        let all = current_assignments(&self.conn, rec.id)?;
        let mine = self.conn.query_row(
            &format!("SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?1"),
            [id],
            assignment_row,
        )?;
        let lead = all
            .iter()
            .find(|a| a.role == HandlingRole::Lead)
            .map(|a| a.assignee.clone())
            .or_else(|| rec.handler.clone())
            .unwrap_or_default();
        Ok(Some(HandlingAssignment {
            assignee: mine.assignee,
            role: mine.role,
            lead,
            supporters: all
                .iter()
                .filter(|a| a.role == HandlingRole::Support)
                .map(|a| a.assignee.clone())
                .collect(),
            deadline: mine.deadline.or(rec.deadline),
            instruction: mine.instruction,
            assigned_by: mine.assigned_by,
            assigned_at: mine.assigned_at,
        }))
    }

    /// The package a `desk_handling` outbox row becomes (its note, with a reply draft's file).
    pub fn desk_handling_package(&self, item: &crate::OutboxItem) -> Result<DeskHandling> {
        let p = &item.payload;
        let sub = p["submission_message_id"].as_str().unwrap_or_default();
        let note_id = p["note_id"].as_i64().unwrap_or_default();
        let note = self
            .conn
            .query_row(
                &format!("SELECT {NOTE_COLUMNS} FROM handling_notes WHERE id = ?1"),
                [note_id],
                note_row,
            )
            .optional()?
            .ok_or_else(|| {
                Error::invalid(format!(
                    "ghi chú xử lý {note_id} không còn / no note {note_id}"
                ))
            })?;
        let file = match (&note.file_name, &note.file_sha256) {
            (Some(name), Some(sha)) => {
                let bytes = self.blobs.read(sha)?;
                Some(SubmittedFile {
                    file_name: name.clone(),
                    // Informational: the receiving desktop sniffs the content itself.
                    media_type: if bytes.starts_with(b"%PDF-") {
                        "application/pdf"
                    } else {
                        "application/octet-stream"
                    }
                    .to_owned(),
                    sha256: sha.clone(),
                    data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                })
            }
            _ => None,
        };
        Ok(DeskHandling {
            format: HANDLING_FORMAT.to_owned(),
            submission_message_id: sub.to_owned(),
            kind: note.kind,
            body: note.body,
            deadline: note.deadline,
            file,
            to_state: p["to_state"].as_str().and_then(|s| s.parse().ok()),
            author: note.author,
            at: note.created_at,
        })
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
}
