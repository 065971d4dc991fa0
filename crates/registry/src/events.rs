//! Append-only status events, and the outbox/inbox queues the sync engine drains.
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use vanthu_domain::{Actor, DocumentState, OutgoingState, StatusCode};

use crate::register::{state_at, state_str};
use crate::{audit, Error, Registry, Result, WriteCtx};

/// A recorded state change of a document: its processing history (lịch sử xử lý).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEvent {
    /// Row id, in the order the events were recorded.
    pub id: i64,
    /// The register id of the document.
    pub document_id: i64,
    /// When it happened (RFC 3339).
    pub at: String,
    /// Who did it (the registry user).
    pub user: String,
    /// In which role.
    pub actor: Option<Actor>,
    /// The state before; `None` for the document's creation.
    pub from_state: Option<DocumentState>,
    /// The state after.
    pub to_state: DocumentState,
    /// edXML status codes the transition emits, in order.
    pub codes: Vec<String>,
    /// The clerk's note or reason (a refusal, a return).
    pub note: Option<String>,
}

/// A message waiting to be sent to another agency (a status or a package).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// Row id of the outbox.
    pub id: i64,
    /// What to send, such as a status or a document package.
    pub kind: String,
    /// The document it concerns, if any.
    pub document_id: Option<i64>,
    /// The agency to send it to.
    pub recipient_code: Option<String>,
    /// What the sender needs to build the message.
    pub payload: serde_json::Value,
    /// When it was queued (RFC 3339).
    pub created_at: String,
    /// How many sends were tried.
    pub attempts: i64,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When it was sent; `None` while pending.
    pub sent_at: Option<String>,
}

/// A package received from the hub, kept until it has been entered in the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    /// Row id of the inbox.
    pub id: i64,
    /// The package's id on the hub, which makes a re-delivery a duplicate.
    pub package_id: String,
    /// What was received, such as a document or a status.
    pub kind: String,
    /// The agency code of the sender, when known.
    pub sender_code: Option<String>,
    /// The package as received, for processing or a retry.
    pub payload: serde_json::Value,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// The document it became or concerns, once processed.
    pub document_id: Option<i64>,
    /// When it was processed; `None` while pending.
    pub processed_at: Option<String>,
    /// Why processing failed, kept for the clerk.
    pub error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_event(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    actor: Option<Actor>,
    from_state: Option<DocumentState>,
    to_state: DocumentState,
    codes: &[StatusCode],
    note: Option<&str>,
) -> Result<i64> {
    let codes: Vec<&str> = codes.iter().map(|c| c.code()).collect();
    tx.prepare_cached(
        "INSERT INTO status_events (document_id, at, user, actor, from_state, to_state, codes, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        document_id,
        ctx.now,
        ctx.user,
        actor.map(state_str),
        from_state.map(DocumentState::as_str),
        to_state.as_str(),
        serde_json::to_string(&codes).expect("codes serialise"),
        note
    ])?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    kind: &str,
    document_id: Option<i64>,
    recipient_code: Option<&str>,
    payload: &serde_json::Value,
) -> Result<i64> {
    if let Some(id) = document_id {
        let secrecy: Option<String> = tx
            .query_row("SELECT secrecy FROM documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let secrecy = secrecy.ok_or(Error::NotFound(id))?;
        if secrecy != "normal" {
            return Err(Error::SecretNotSendable);
        }
    }
    tx.prepare_cached(
        "INSERT INTO outbox (kind, document_id, recipient_code, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        kind,
        document_id,
        recipient_code,
        payload.to_string(),
        ctx.now
    ])?;
    let id = tx.last_insert_rowid();
    audit::append(
        tx,
        ctx,
        "outbox.enqueue",
        "outbox",
        Some(&id.to_string()),
        &serde_json::json!({"kind": kind, "document_id": document_id, "recipient_code": recipient_code}),
    )?;
    Ok(id)
}

fn event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatusEvent> {
    let actor: Option<String> = r.get(4)?;
    let codes: String = r.get(7)?;
    Ok(StatusEvent {
        id: r.get(0)?,
        document_id: r.get(1)?,
        at: r.get(2)?,
        user: r.get(3)?,
        actor: actor.and_then(|a| serde_json::from_value(serde_json::Value::String(a)).ok()),
        from_state: match r.get::<_, Option<String>>(5)? {
            Some(_) => Some(state_at(r, 5)?),
            None => None,
        },
        to_state: state_at(r, 6)?,
        codes: serde_json::from_str(&codes).unwrap_or_default(),
        note: r.get(8)?,
    })
}

/// Marks an inbox row processed, without an audit entry of its own: for callers whose
/// transaction audits what the package did.
pub(crate) fn set_inbox_processed(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    document_id: Option<i64>,
    error: Option<&str>,
) -> Result<()> {
    tx.execute(
        "UPDATE inbox SET processed_at = ?2, document_id = ?3, error = ?4 WHERE id = ?1",
        params![id, ctx.now, document_id, error],
    )?;
    Ok(())
}

/// Marks an inbox row processed (with the document it became, or the error), audited;
/// inside the caller's transaction so it commits with what the package produced.
pub(crate) fn mark_inbox_processed_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    document_id: Option<i64>,
    error: Option<&str>,
) -> Result<()> {
    set_inbox_processed(tx, ctx, id, document_id, error)?;
    audit::append(
        tx,
        ctx,
        "inbox.processed",
        "inbox",
        Some(&id.to_string()),
        &serde_json::json!({"document_id": document_id, "error": error}),
    )
}

impl Registry {
    /// Moves an outgoing document along the sender-side machine (statuses.md §4.2).
    /// Issuing (number allocation) is [`Registry::issue_outgoing`].
    pub fn set_outgoing_state(
        &mut self,
        document_id: i64,
        to: OutgoingState,
        note: Option<&str>,
    ) -> Result<StatusEvent> {
        if to == OutgoingState::Issued {
            return Err(Error::InvalidState(
                "dùng issue_outgoing để cấp số / use issue_outgoing to issue".into(),
            ));
        }
        let id = self.write(|tx, ctx| {
            let row: Option<(String, DocumentState, String, bool)> = tx
                .query_row(
                    "SELECT register, state, secrecy, mirror_of IS NOT NULL FROM documents WHERE id = ?1",
                    [document_id],
                    |r| Ok((r.get(0)?, state_at(r, 1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((register, state, secrecy, mirror)) = row else {
                return Err(Error::NotFound(document_id));
            };
            if mirror {
                return Err(Error::InvalidState(
                    "bản trình ký chỉ được ký tại máy lãnh đạo / a copy submitted for signature can only be signed here".into(),
                ));
            }
            let (Some(from), "outgoing") = (state.outgoing(), register.as_str()) else {
                return Err(Error::InvalidState(format!(
                    "văn bản {document_id} không phải văn bản đi / document {document_id} is not outgoing"
                )));
            };
            if !from.can_move_to(to) {
                return Err(Error::InvalidState(format!(
                    "{} → {}",
                    from.label_vi(),
                    to.label_vi()
                )));
            }
            if secrecy != "normal" && matches!(to, OutgoingState::Ready | OutgoingState::Sent) {
                return Err(Error::SecretNotSendable);
            }
            tx.execute(
                "UPDATE documents SET state = ?2, updated_at = ?3 WHERE id = ?1",
                params![document_id, to.as_str(), ctx.now],
            )?;
            let event_id =
                insert_event(tx, ctx, document_id, None, Some(state), to.into(), &[], note)?;
            audit::append(
                tx,
                ctx,
                "document.status",
                "document",
                Some(&document_id.to_string()),
                &serde_json::json!({"from": state.as_str(), "to": to.as_str(), "note": note}),
            )?;
            Ok(event_id)
        })?;
        self.status_event(id)
    }

    pub(crate) fn status_event(&self, id: i64) -> Result<StatusEvent> {
        Ok(self.conn.query_row(
            "SELECT id, document_id, at, user, actor, from_state, to_state, codes, note
             FROM status_events WHERE id = ?1",
            [id],
            event_from_row,
        )?)
    }

    /// A document's status history, oldest first.
    pub fn status_events(&self, document_id: i64) -> Result<Vec<StatusEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, document_id, at, user, actor, from_state, to_state, codes, note
             FROM status_events WHERE document_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([document_id], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Queues a package for the hub. Refused for documents marked mật or above.
    pub fn enqueue_outbox(
        &mut self,
        kind: &str,
        document_id: Option<i64>,
        recipient_code: Option<&str>,
        payload: &serde_json::Value,
    ) -> Result<i64> {
        self.write(|tx, ctx| enqueue(tx, ctx, kind, document_id, recipient_code, payload))
    }

    /// Unsent outbox items, oldest first.
    pub fn pending_outbox(&self, limit: usize) -> Result<Vec<OutboxItem>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, document_id, recipient_code, payload, created_at, attempts, last_error, sent_at
             FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let payload: String = r.get(4)?;
            Ok(OutboxItem {
                id: r.get(0)?,
                kind: r.get(1)?,
                document_id: r.get(2)?,
                recipient_code: r.get(3)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                created_at: r.get(5)?,
                attempts: r.get(6)?,
                last_error: r.get(7)?,
                sent_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records that outbox item `id` was delivered, so it is not sent again.
    pub fn mark_outbox_sent(&mut self, id: i64) -> Result<()> {
        self.write(|tx, ctx| {
            let n = tx.execute(
                "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1 WHERE id = ?1 AND sent_at IS NULL",
                params![id, ctx.now],
            )?;
            if n == 0 {
                return Err(Error::InvalidState(format!("outbox {id} is unknown or already sent")));
            }
            audit::append(tx, ctx, "outbox.sent", "outbox", Some(&id.to_string()), &serde_json::json!({}))
        })
    }

    /// Counts a failed send of outbox item `id` and keeps the error; it stays pending.
    pub fn mark_outbox_failed(&mut self, id: i64, error: &str) -> Result<()> {
        self.write(|tx, _ctx| {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, error],
            )?;
            Ok(())
        })
    }

    /// Records a package fetched from the hub. Returns `None` when this package id was
    /// already recorded (the hub may deliver twice).
    pub fn record_inbox(
        &mut self,
        package_id: &str,
        kind: &str,
        sender_code: Option<&str>,
        payload: &serde_json::Value,
    ) -> Result<Option<i64>> {
        self.write(|tx, ctx| {
            let n = tx.execute(
                "INSERT INTO inbox (package_id, kind, sender_code, payload, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (package_id) DO NOTHING",
                params![package_id, kind, sender_code, payload.to_string(), ctx.now],
            )?;
            if n == 0 {
                return Ok(None);
            }
            let id = tx.last_insert_rowid();
            audit::append(
                tx,
                ctx,
                "inbox.record",
                "inbox",
                Some(&id.to_string()),
                &serde_json::json!({"package_id": package_id, "kind": kind, "sender_code": sender_code}),
            )?;
            Ok(Some(id))
        })
    }

    /// Marks an inbox item handled (with the document it became, or the error).
    pub fn mark_inbox_processed(
        &mut self,
        id: i64,
        document_id: Option<i64>,
        error: Option<&str>,
    ) -> Result<()> {
        self.write(|tx, ctx| mark_inbox_processed_tx(tx, ctx, id, document_id, error))
    }

    /// [`Registry::mark_inbox_processed`] for several items in one transaction (a receive
    /// pass marks each chunk of packages it could not or need not import at once).
    pub fn mark_inbox_processed_many(
        &mut self,
        items: &[(i64, Option<i64>, Option<String>)],
    ) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        self.write(|tx, ctx| {
            for (id, document_id, error) in items {
                mark_inbox_processed_tx(tx, ctx, *id, *document_id, error.as_deref())?;
            }
            Ok(())
        })
    }

    /// Marks inbox item `id` processed without a document because of who sent it (a From
    /// that is not the hub account, a revision of another agency's document): the row keeps
    /// `reason` for the clerk, the audit log the details, and nothing else is written.
    pub fn refuse_inbox(
        &mut self,
        id: i64,
        reason: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.write(|tx, ctx| {
            mark_inbox_processed_tx(tx, ctx, id, None, Some(reason))?;
            audit::append(
                tx,
                ctx,
                "inbox.refused",
                "inbox",
                Some(&id.to_string()),
                &serde_json::json!({"reason": reason, "detail": detail}),
            )
        })
    }

    /// Inbox items not yet processed, oldest first.
    pub fn pending_inbox(&self, limit: usize) -> Result<Vec<InboxItem>> {
        self.inbox_where("processed_at IS NULL ORDER BY id", limit)
    }

    /// Received packages that did not become documents (refused for their sender, or
    /// unreadable), newest first, with the reason: what the clerk must look at
    /// (`vanthu sync list`).
    pub fn failed_inbox(&self, limit: usize) -> Result<Vec<InboxItem>> {
        self.inbox_where("error IS NOT NULL ORDER BY id DESC", limit)
    }

    fn inbox_where(&self, filter: &str, limit: usize) -> Result<Vec<InboxItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, package_id, kind, sender_code, payload, received_at, document_id, processed_at, error
             FROM inbox WHERE {filter} LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], |r| {
            let payload: String = r.get(4)?;
            Ok(InboxItem {
                id: r.get(0)?,
                package_id: r.get(1)?,
                kind: r.get(2)?,
                sender_code: r.get(3)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                received_at: r.get(5)?,
                document_id: r.get(6)?,
                processed_at: r.get(7)?,
                error: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
