//! Applying what another desktop of the unit sent: a submission becomes a mirror record,
//! and the leader's answers, signed copies, returns and number labels update the original.
use base64::Engine as _;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};
use vanthu_domain::{Actor, DocumentState, IncomingState, OutgoingState, Secrecy};

use crate::documents::{media_type, PreparedFile};
use crate::register::{state_at, Register};
use crate::{agencies, audit, events, Error, Registry, Result, WriteCtx};

use super::outbox::queue_handling_copies;
use super::wire::handling_role_tx;
use super::wire::*;

/// Records an internal package in the inbox under its hub message id, in the transaction
/// that applies it: `None` when it was recorded before (applied once, never twice).
pub(super) fn claim_inbox(
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
/// A returned mirror submitted again: the same record takes the new submission's message id
/// (the previous one stays known through an inbox row, so its package is never imported
/// again), the files it does not hold yet, and goes back to the signing queue.
#[allow(clippy::too_many_arguments)]
pub(super) fn resubmitted(
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
pub(super) fn submission_for_answer(
    tx: &Transaction<'_>,
    message_id: &str,
    from: &str,
) -> Result<Submission> {
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

/// The mirror a package from `from` about submission `message_id` concerns; refused when
/// there is none here or `from` is not the desktop that submitted it.
fn mirror_for(tx: &Transaction<'_>, message_id: &str, from: &str) -> Result<i64> {
    let row: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, mirror_of FROM documents WHERE hub_message_id = ?1 AND mirror_of IS NOT NULL",
            [message_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((doc, mirror_of)) = row else {
        return Err(Error::invalid(format!(
            "chưa có bản trình {message_id} / no mirror of submission {message_id}"
        )));
    };
    if mirror_info(&mirror_of, None, None).origin != from {
        return Err(Error::invalid(format!(
            "{from} không phải máy đã trình / {from} did not submit this document"
        )));
    }
    Ok(doc)
}

/// On the register's desktop: a handler's step (bắt đầu xử lý, hoàn thành) from the desktop
/// holding its copy. Only the chủ trì's copy moves the document, and only by a handler's
/// step; the step then goes on to the leader's mirrors.
fn handler_step(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    doc: i64,
    assignment: i64,
    answer: &DeskAnswer,
    from: &str,
) -> Result<()> {
    let role: String = tx.query_row(
        "SELECT role FROM assignments WHERE id = ?1",
        [assignment],
        |r| r.get(0),
    )?;
    let step = matches!(
        answer.to_state,
        IncomingState::InProgress | IncomingState::Completed
    );
    if role != HandlingRole::Lead.as_str() || answer.actor != Actor::Handler || !step {
        return Err(Error::invalid(format!(
            "{from} chỉ được gửi bước xử lý của người chủ trì / {from} may only send the lead handler's steps"
        )));
    }
    let note = answer.note.as_deref().filter(|n| !n.is_empty());
    crate::processing::status_event_tx(tx, ctx, doc, answer.to_state, Actor::Handler, note)?;
    let label = answer.to_state.label_vi();
    let note_id = crate::handling::insert_note_tx(
        tx,
        ctx,
        doc,
        HandlingKind::Note,
        &answer.user,
        Some(&match note {
            Some(n) => format!("{label}: {n}"),
            None => label.to_owned(),
        }),
        None,
        None,
        Some(from),
    )?;
    crate::handling::on_register_tx(tx, ctx, doc, note_id, None, Some(answer.to_state))?;
    audit::append(
        tx,
        ctx,
        "incoming.handler_step",
        "document",
        Some(&doc.to_string()),
        &serde_json::json!({"from": from, "to_state": answer.to_state.as_str(),
            "user": answer.user, "at": answer.at}),
    )?;
    Ok(())
}

impl Registry {
    /// A handling event from another desktop of the unit (`package_id` = the hub message
    /// it came in), applied once, in one transaction with its note row:
    ///
    /// * on the register's desktop, from a handler's copy: a progress note, a reply draft
    ///   (which becomes an outgoing draft) or an extension request (passed on to the leader's
    ///   desktops); from the leader's mirror: the decision on a request (passed on to the
    ///   handlers' copies);
    /// * on a mirror, from the register's desktop: a request to decide (the leader's), a
    ///   decision (a handler's copy), a handler's step (the leader's mirror follows).
    ///
    /// Anything else, or from a desktop the submission does not join, is refused.
    pub fn apply_desk_handling(
        &mut self,
        package_id: &str,
        from: &str,
        pkg: &DeskHandling,
    ) -> Result<bool> {
        check_format(&pkg.format, HANDLING_FORMAT, "ghi chú xử lý", "handling")?;
        let file = match &pkg.file {
            Some(f) => self.submitted_files(std::slice::from_ref(f))?.pop(),
            None => None,
        };
        match (&file, pkg.kind) {
            (None, HandlingKind::ReplyDraft) => {
                return Err(Error::invalid(
                    "dự thảo trả lời không có tệp / a reply draft without its file",
                ))
            }
            (Some(f), HandlingKind::ReplyDraft) => {
                crate::handling::check_reply_draft(f, &self.blobs.read_head(&f.blob.sha256)?)?
            }
            // Only a reply draft carries a file.
            (Some(_), _) => {
                return Err(Error::invalid(
                    "ghi chú xử lý không kèm tệp / only a reply draft carries a file",
                ))
            }
            (None, _) => {}
        }
        let author = vanthu_domain::text::nfc(pkg.author.trim());
        let body = pkg.body.as_deref().map(vanthu_domain::text::nfc);
        self.write(|tx, ctx| {
            let Some(inbox_id) = claim_inbox(tx, ctx, package_id, "desk_handling", from, pkg)?
            else {
                return Ok(false);
            };
            let here: Option<(i64, Option<i64>, String)> = tx
                .query_row(
                    "SELECT document_id, assignment_id, to_desktop FROM submissions WHERE message_id = ?1",
                    [&pkg.submission_message_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let refused = || {
                Error::invalid(format!(
                    "{from} không được gửi {} cho văn bản này / {from} may not send a {} here",
                    pkg.kind.as_str(),
                    pkg.kind.as_str()
                ))
            };
            let doc = match here {
                Some((doc, assignment, to)) => {
                    if to != from {
                        return Err(refused());
                    }
                    let allowed = match assignment {
                        Some(_) => matches!(
                            pkg.kind,
                            HandlingKind::Note
                                | HandlingKind::ReplyDraft
                                | HandlingKind::ExtensionRequest
                        ),
                        None => matches!(
                            pkg.kind,
                            HandlingKind::ExtensionGranted | HandlingKind::ExtensionRefused
                        ),
                    };
                    if !allowed || pkg.to_state.is_some() {
                        return Err(refused());
                    }
                    let note_id = crate::handling::insert_note_tx(
                        tx,
                        ctx,
                        doc,
                        pkg.kind,
                        &author,
                        body.as_deref(),
                        pkg.deadline,
                        file.as_ref(),
                        Some(from),
                    )?;
                    crate::handling::on_register_tx(tx, ctx, doc, note_id, file.as_ref(), None)?;
                    doc
                }
                None => {
                    let doc = mirror_for(tx, &pkg.submission_message_id, from)?;
                    let role = handling_role_tx(tx, doc)?;
                    let allowed = match role {
                        // A handler's copy hears the leader's decision.
                        Some(_) => matches!(
                            pkg.kind,
                            HandlingKind::ExtensionGranted | HandlingKind::ExtensionRefused
                        ),
                        // The leader's mirror hears requests and the handler's steps.
                        None => matches!(
                            pkg.kind,
                            HandlingKind::ExtensionRequest | HandlingKind::Note
                        ),
                    };
                    if !allowed || (pkg.to_state.is_some() && pkg.kind != HandlingKind::Note) {
                        return Err(refused());
                    }
                    crate::handling::insert_note_tx(
                        tx,
                        ctx,
                        doc,
                        pkg.kind,
                        &author,
                        body.as_deref(),
                        pkg.deadline,
                        file.as_ref(),
                        Some(from),
                    )?;
                    crate::handling::on_mirror_tx(
                        tx,
                        ctx,
                        doc,
                        pkg.kind,
                        pkg.deadline,
                        pkg.to_state,
                        body.as_deref(),
                    )?;
                    doc
                }
            };
            crate::events::set_inbox_processed(tx, ctx, inbox_id, Some(doc), None)?;
            Ok(true)
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
            // A handler's copy arrives assigned, to its assignee, with the assignment's
            // deadline; a trình lãnh đạo arrives registered, to be assigned.
            let (state, handler, deadline, role) = match &pkg.assignment {
                Some(a) => (
                    IncomingState::Assigned,
                    Some(a.assignee.clone()),
                    a.deadline.or(pkg.deadline),
                    Some(a.role.as_str()),
                ),
                None => (IncomingState::Registered, pkg.handler.clone(), pkg.deadline, None),
            };
            tx.execute(
                "UPDATE documents SET state = ?2, mirror_of = ?3, mirror_number = ?4, hub_message_id = ?5,
                    handler = ?6, deadline = ?7, handling_role = ?8
                 WHERE id = ?1",
                params![id, state.as_str(), mirror_of, number_label, message_id,
                    handler, deadline.map(|d| d.to_string()), role],
            )?;
            let line = match &pkg.assignment {
                Some(a) => {
                    record_assignments_tx(
                        tx,
                        ctx,
                        id,
                        &a.lead,
                        &a.supporters,
                        a.deadline,
                        a.instruction.as_deref(),
                        &a.assigned_by,
                    )?;
                    format!(
                        "Được giao xử lý ({}, {origin}, số đến {}): {} giao{}{}",
                        a.role.label_vi(),
                        number_label.as_deref().unwrap_or("—"),
                        a.assigned_by,
                        a.deadline
                            .map(|d| format!(", hạn {}", d.format("%d/%m/%Y")))
                            .unwrap_or_default(),
                        a.instruction.as_deref().map(|n| format!(" — {n}")).unwrap_or_default()
                    )
                }
                None => format!(
                    "Văn thư trình ({origin}, số đến {}){}",
                    number_label.as_deref().unwrap_or("—"),
                    pkg.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
                ),
            };
            // A handler's copy records the leader's assignment; a trình, the clerk's step.
            let actor = if pkg.assignment.is_some() {
                Actor::Leader
            } else {
                Actor::Clerk
            };
            events::insert_event(
                tx,
                ctx,
                id,
                Some(actor),
                Some(IncomingState::Arrived.into()),
                state.into(),
                &[],
                Some(&line),
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
    pub(super) fn submitted_files(&self, submitted: &[SubmittedFile]) -> Result<Vec<PreparedFile>> {
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
    pub(super) fn receive_draft(
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
            if let Some(assignment) = sub.assignment_id {
                handler_step(tx, ctx, doc, assignment, answer, from)?;
                tx.execute(
                    "UPDATE submissions SET answered_at = ?2 WHERE id = ?1",
                    params![sub.id, ctx.now],
                )?;
                crate::events::set_inbox_processed(tx, ctx, inbox_id, Some(doc), None)?;
                return Ok(true);
            }
            crate::processing::status_event_tx(tx, ctx, doc, answer.to_state, answer.actor, note)?;
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
            if let (IncomingState::Assigned, Some(lead)) = (
                answer.to_state,
                answer
                    .handler
                    .as_deref()
                    .map(str::trim)
                    .filter(|h| !h.is_empty()),
            ) {
                record_assignments_tx(
                    tx,
                    ctx,
                    doc,
                    &vanthu_domain::text::nfc(lead),
                    &answer.supporters,
                    answer.deadline,
                    note,
                    &answer.user,
                )?;
                queue_handling_copies(tx, ctx, doc)?;
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
            let doc = mirror_for(tx, &pkg.submission_message_id, from)?;
            let old: Option<String> = tx.query_row(
                "SELECT mirror_number FROM documents WHERE id = ?1",
                [doc],
                |r| r.get(0),
            )?;
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
