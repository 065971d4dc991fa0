//! Recall (thu hồi), update (cập nhật) and replace (thay thế) received from a document's
//! sender (statuses.md §3). Nothing is ever deleted: a recall marks the record, an update or
//! replace adds the new version next to the old one and links them.
//!
//! * The document is not registered yet (`received`/`arrived`): nobody has worked on it, so
//!   the system accepts — recall → `revoked`, update/replace → the old version `superseded` —
//!   and answers `15` to the sender.
//! * Registered or later: the clerk decides. The record keeps its state and shows the
//!   sender's request (`pending_action`, `pending_note`, and an entry in its history); the
//!   clerk accepts with [`Registry::append_status_event`] to `revoked`/`superseded` (→ `15`)
//!   or refuses with [`Registry::refuse_pending_action`] (→ `16`).
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use vanthu_domain::{Actor, IncomingState, StatusCode};

use crate::documents::{insert_incoming, validate_incoming, NewIncoming};
use crate::events::{enqueue, insert_event};
use crate::register::incoming_state_at;
use crate::{agencies, audit, Error, Registry, Result, WriteCtx};

/// What the sender asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceivedAction {
    /// Thu hồi: the sender withdraws the document.
    Recall,
    /// Cập nhật: the sender corrects the document's details.
    Update,
    /// Thay thế: the sender replaces the document with a new one.
    Replace,
}

impl ReceivedAction {
    /// The name stored in the database and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceivedAction::Recall => "recall",
            ReceivedAction::Update => "update",
            ReceivedAction::Replace => "replace",
        }
    }
    /// The Vietnamese word for the action, as shown to the clerk.
    pub fn label_vi(self) -> &'static str {
        match self {
            ReceivedAction::Recall => "thu hồi",
            ReceivedAction::Update => "cập nhật",
            ReceivedAction::Replace => "thay thế",
        }
    }
}

/// The effect of a received recall/update/replace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionOutcome {
    /// The document the sender acted on.
    pub original_id: i64,
    /// The new version (update/replace).
    pub new_version_id: Option<i64>,
    /// The state of the original afterwards.
    pub original_state: IncomingState,
    /// True when the clerk has to accept or refuse.
    pub awaiting_clerk: bool,
}

fn state_of(
    tx: &Transaction<'_>,
    id: i64,
) -> Result<(IncomingState, Option<String>, Option<String>)> {
    tx.query_row(
        "SELECT state, edxml_document_id, sender_code FROM documents WHERE id = ?1 AND register = 'incoming'",
        [id],
        |r| Ok((incoming_state_at(r, 0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?
    .ok_or(Error::NotFound(id))
}

/// Refuses, before anything is written, a request from anyone but the document's sender: the
/// hub-authenticated sender of the revision (or, through a relay, the agency it forwards for)
/// must be the agency the document was received from (docs/sync.md, "Who may say what").
fn check_sender(tx: &Transaction<'_>, id: i64, from: &str) -> Result<()> {
    let (_, _, owner) = state_of(tx, id)?;
    if owner.as_deref() == Some(from) {
        return Ok(());
    }
    Err(Error::ForeignSender {
        document: id,
        owner: owner.unwrap_or_default(),
        from: from.to_owned(),
    })
}

/// Queues `codes` for the sender of a hub document (never for a secret one: `enqueue`
/// refuses those, and they never came through the hub anyway).
fn queue_codes(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    edxml_id: Option<&str>,
    sender: Option<&str>,
    codes: &[StatusCode],
    note: &str,
) -> Result<()> {
    let (Some(edxml_id), Some(sender)) = (edxml_id, sender) else {
        return Ok(());
    };
    for c in codes {
        enqueue(
            tx,
            ctx,
            "status",
            Some(id),
            Some(sender),
            &serde_json::json!({
                "edxml_document_id": edxml_id, "status_code": c.code(),
                "description": c.label_vi(), "note": note,
                "timestamp": ctx.now, "staff": ctx.user,
            }),
        )?;
    }
    Ok(())
}

/// Applies the sender's action to the original inside the caller's transaction.
fn act_on_original(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    action: ReceivedAction,
    note: &str,
    new_version: Option<i64>,
) -> Result<(IncomingState, bool)> {
    let (from, edxml_id, sender) = state_of(tx, id)?;
    let detail = serde_json::json!({
        "action": action.as_str(), "from": from.as_str(), "note": note, "new_version": new_version,
    });
    if from.is_frozen() || from == IncomingState::Rejected {
        // Already out of the work queues: record that the request came, change nothing.
        audit::append(
            tx,
            ctx,
            "incoming.sender_action_ignored",
            "document",
            Some(&id.to_string()),
            &detail,
        )?;
        return Ok((from, false));
    }
    if matches!(from, IncomingState::Received | IncomingState::Arrived) {
        let to = if action == ReceivedAction::Recall {
            IncomingState::Revoked
        } else {
            IncomingState::Superseded
        };
        let codes = vec![StatusCode::RecallAccepted];
        tx.execute(
            "UPDATE documents SET state = ?2, updated_at = ?3, pending_action = NULL, pending_note = NULL WHERE id = ?1",
            params![id, to.as_str(), ctx.now],
        )?;
        insert_event(
            tx,
            ctx,
            id,
            Some(Actor::System),
            Some(from.into()),
            to.into(),
            &codes,
            Some(note),
        )?;
        audit::append(
            tx,
            ctx,
            "incoming.sender_action",
            "document",
            Some(&id.to_string()),
            &detail,
        )?;
        queue_codes(
            tx,
            ctx,
            id,
            edxml_id.as_deref(),
            sender.as_deref(),
            &codes,
            note,
        )?;
        return Ok((to, false));
    }
    tx.execute(
        "UPDATE documents SET pending_action = ?2, pending_note = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, action.as_str(), note, ctx.now],
    )?;
    insert_event(
        tx,
        ctx,
        id,
        Some(Actor::System),
        Some(from.into()),
        from.into(),
        &[],
        Some(note),
    )?;
    audit::append(
        tx,
        ctx,
        "incoming.sender_request",
        "document",
        Some(&id.to_string()),
        &detail,
    )?;
    Ok((from, true))
}

fn note_for(action: ReceivedAction, reason: Option<&str>) -> String {
    let base = format!("Bên gửi {} văn bản", action.label_vi());
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("{base}: {r}"),
        None => base,
    }
}

impl Registry {
    /// A recall received from `from` (the hub-authenticated sender) for incoming document
    /// `original_id`; [`Error::ForeignSender`] unless `from` sent that document.
    /// Idempotent: a second delivery of the same recall changes nothing.
    pub fn apply_received_recall(
        &mut self,
        original_id: i64,
        from: &str,
        reason: Option<&str>,
    ) -> Result<RevisionOutcome> {
        let note = note_for(ReceivedAction::Recall, reason);
        self.write(|tx, ctx| {
            check_sender(tx, original_id, from)?;
            let (state, _, _) = state_of(tx, original_id)?;
            let pending: Option<String> = tx.query_row(
                "SELECT pending_action FROM documents WHERE id = ?1",
                [original_id],
                |r| r.get(0),
            )?;
            if pending.as_deref() == Some("recall") {
                return Ok(RevisionOutcome {
                    original_id,
                    new_version_id: None,
                    original_state: state,
                    awaiting_clerk: true,
                });
            }
            let (state, awaiting) =
                act_on_original(tx, ctx, original_id, ReceivedAction::Recall, &note, None)?;
            Ok(RevisionOutcome {
                original_id,
                new_version_id: None,
                original_state: state,
                awaiting_clerk: awaiting,
            })
        })
    }

    /// An update or replace received from the sender of `original_id`: stores `new` as a
    /// new incoming document (state `arrived`) linked to the original, and acts on the
    /// original. `hub_message_id` makes it idempotent: the same package twice adds one version.
    /// [`Error::ForeignSender`] unless `new.sender` (the hub-authenticated sender) sent the
    /// original; nothing is written then.
    pub fn receive_revision(
        &mut self,
        original_id: i64,
        action: ReceivedAction,
        new: NewIncoming,
        hub_message_id: &str,
        reason: Option<&str>,
    ) -> Result<RevisionOutcome> {
        if action == ReceivedAction::Recall {
            return Err(Error::invalid(
                "thu hồi không kèm phiên bản mới / a recall carries no new version",
            ));
        }
        let note = note_for(action, reason);
        let v = validate_incoming(&new)?;
        let files = self.prepare_files(&new.files)?;
        self.write(|tx, ctx| {
            check_sender(tx, original_id, &v.sender)?;
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM documents WHERE hub_message_id = ?1",
                    [hub_message_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(new_id) = existing {
                let (state, _, _) = state_of(tx, original_id)?;
                let pending: Option<String> = tx.query_row(
                    "SELECT pending_action FROM documents WHERE id = ?1",
                    [original_id],
                    |r| r.get(0),
                )?;
                return Ok(RevisionOutcome {
                    original_id,
                    new_version_id: Some(new_id),
                    original_state: state,
                    awaiting_clerk: pending.is_some(),
                });
            }
            state_of(tx, original_id)?;
            let sender = agencies::resolve(tx, &v.sender)?;
            let new_id = insert_incoming(tx, ctx, &v, &sender, &files, false)?;
            tx.execute(
                "UPDATE documents SET supersedes_id = ?2, hub_message_id = ?3 WHERE id = ?1",
                params![new_id, original_id, hub_message_id],
            )?;
            let (state, awaiting) =
                act_on_original(tx, ctx, original_id, action, &note, Some(new_id))?;
            Ok(RevisionOutcome {
                original_id,
                new_version_id: Some(new_id),
                original_state: state,
                awaiting_clerk: awaiting,
            })
        })
    }

    /// The clerk accepts the sender's pending recall/update/replace: the document is frozen
    /// (Đã thu hồi for a recall, Bị thay thế for an update or a replace, which left the new
    /// version beside it) and `15` goes back, in one transaction with the history entry.
    pub fn accept_pending_action(
        &mut self,
        document_id: i64,
        note: Option<&str>,
    ) -> Result<crate::StatusEvent> {
        let event = self.write(|tx, ctx| {
            let pending: Option<String> = tx
                .query_row(
                    "SELECT pending_action FROM documents WHERE id = ?1",
                    [document_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or(Error::NotFound(document_id))?;
            let to = match pending.as_deref() {
                Some("recall") => IncomingState::Revoked,
                Some(_) => IncomingState::Superseded,
                None => {
                    return Err(Error::InvalidState(format!(
                        "văn bản {document_id} không có đề nghị nào của bên gửi / document {document_id} has no pending sender request"
                    )))
                }
            };
            crate::processing::status_event_tx(tx, ctx, document_id, to, Actor::Clerk, note)
        })?;
        self.status_event(event)
    }

    /// The clerk refuses the sender's pending recall/update/replace: answers `16` and clears
    /// the request; the document stays as it is.
    pub fn refuse_pending_action(&mut self, document_id: i64, reason: &str) -> Result<()> {
        let reason = vanthu_domain::text::nfc(reason.trim());
        if reason.is_empty() {
            return Err(Error::invalid(
                "cần ghi lý do từ chối đề nghị / a refusal needs a reason",
            ));
        }
        let reason = reason.as_str();
        self.write(|tx, ctx| {
            let (state, edxml_id, sender) = state_of(tx, document_id)?;
            let pending: Option<String> = tx.query_row(
                "SELECT pending_action FROM documents WHERE id = ?1",
                [document_id],
                |r| r.get(0),
            )?;
            let Some(pending) = pending else {
                return Err(Error::InvalidState(format!(
                    "văn bản {document_id} không có đề nghị nào của bên gửi / document {document_id} has no pending sender request"
                )));
            };
            let codes = vec![StatusCode::RecallRefused];
            tx.execute(
                "UPDATE documents SET pending_action = NULL, pending_note = NULL, updated_at = ?2 WHERE id = ?1",
                params![document_id, ctx.now],
            )?;
            insert_event(
                tx,
                ctx,
                document_id,
                Some(Actor::Clerk),
                Some(state.into()),
                state.into(),
                &codes,
                Some(reason),
            )?;
            audit::append(
                tx,
                ctx,
                "incoming.sender_request_refused",
                "document",
                Some(&document_id.to_string()),
                &serde_json::json!({"action": pending, "reason": reason}),
            )?;
            queue_codes(tx, ctx, document_id, edxml_id.as_deref(), sender.as_deref(), &codes, reason)
        })
    }

    /// The registry document a hub package became (from the registry inbox), if any.
    pub fn document_for_package(&self, package_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT document_id FROM inbox WHERE package_id = ?1",
                [package_id],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The hub packages (and their senders) a document was imported from, oldest first:
    /// how a status about the document finds its package when the package carried no edXML
    /// `DocumentId`.
    pub fn packages_of_document(&self, document_id: i64) -> Result<Vec<(String, Option<String>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT package_id, sender_code FROM inbox
             WHERE document_id = ?1 AND kind = 'edoc' ORDER BY id",
        )?;
        let rows = stmt.query_map([document_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
