//! Trình lãnh đạo and its undoing: submitting a document to another desktop of the unit,
//! and the leader returning a submitted draft unsigned.
use rusqlite::{params, OptionalExtension, Transaction};
use vanthu_domain::{Actor, DocumentState, IncomingState, OutgoingState, Secrecy};

use crate::register::{state_at, Register};
use crate::DocumentRecord;
use crate::{audit, events, Error, Registry, Result};

use super::outbox::{install_id, mirror_in_tx};
use super::wire::*;

pub(super) fn has_pdf(tx: &Transaction<'_>, document_id: i64) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM attachments WHERE document_id = ?1 AND media_type = 'application/pdf')",
        [document_id],
        |r| r.get(0),
    )?)
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
            let install = install_id(tx, ctx)?;
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
}
