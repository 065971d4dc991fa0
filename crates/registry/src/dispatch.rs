//! "Gửi qua trục": sending an issued outgoing document to its recipients over the hub.
//!
//! The clerk's action only records the intent, in one transaction: the document moves
//! Đã cấp số → Sẵn sàng gửi (`ready`) and a registry outbox row of kind `edoc` names the
//! hub message id and the recipients' agency codes. The sync bridge turns that row into
//! an edXML package in the engine's outbox (building the package needs the edXML writer,
//! which the registry does not depend on), and moves the document to Đã gửi once the hub
//! has accepted the package. The message id is derived from the unit and the document, so
//! a repeated action or a replayed handoff can never produce a second package.
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use vanthu_domain::OutgoingState;

use crate::{audit, events, Error, Registry, Result};

/// Registry outbox kind of a document to send (status codes use `status`).
pub const DISPATCH_KIND: &str = "edoc";

/// A document waiting to be handed to the sync engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    /// Registry outbox row.
    pub outbox_id: i64,
    /// The register id of the document.
    pub document_id: i64,
    /// The message id its package is sent under.
    pub message_id: String,
    /// Agency codes (định danh) of the recipients that receive it electronically.
    pub recipients: Vec<String>,
}

/// The hub message id of an outgoing document: stable for the unit and the document.
pub fn dispatch_message_id(unit_code: &str, document_id: i64) -> String {
    format!("out-{unit_code}-{document_id}")
}

impl Registry {
    /// Queues an issued outgoing document for the hub. Refused, with nothing written, when
    /// the document is not issued, still carries a Số tạm, is marked mật or above, has no
    /// recipient with an agency code or no file. Asking again for a document already
    /// queued returns the same dispatch.
    pub fn queue_dispatch(&mut self, id: i64) -> Result<Dispatch> {
        self.require(vanthu_domain::roles::Duty::SendOverHub)?;
        let (unit, _) = self.own_unit()?.ok_or_else(|| {
            Error::invalid("chưa khai báo đơn vị / the unit is not set up (init-unit)")
        })?;
        let rec = self.get(id)?;
        let Some(state) = rec.outgoing_state() else {
            return Err(Error::InvalidState(format!(
                "văn bản {id} không phải văn bản đi / document {id} is not outgoing"
            )));
        };
        let message_id = dispatch_message_id(&unit, id);
        if matches!(state, OutgoingState::Ready | OutgoingState::Sent) {
            if let Some(d) = self.dispatch_of(id)? {
                return Ok(d);
            }
        }
        if rec.secrecy != vanthu_domain::Secrecy::Normal {
            return Err(Error::SecretNotSendable);
        }
        if rec.is_provisional() {
            return Err(Error::InvalidState(format!(
                "văn bản {id} đang mang {}: chưa có số chính thức nên chưa gửi được / \
                 document {id} has only a provisional number and cannot be sent yet",
                rec.number_label().unwrap_or_default()
            )));
        }
        if state != OutgoingState::Issued {
            return Err(Error::InvalidState(format!(
                "văn bản {id} chưa phát hành ({}) — cần cấp số trước khi gửi / \
                 document {id} must be issued before it is sent",
                rec.state_label
            )));
        }
        let recipients: Vec<String> = rec
            .recipients
            .iter()
            .filter_map(|r| r.agency_code.clone())
            .collect();
        if recipients.is_empty() {
            return Err(Error::invalid(format!(
                "văn bản {id} không có nơi nhận nào có mã định danh / document {id} has no recipient with an agency code"
            )));
        }
        if !rec
            .attachments
            .iter()
            .any(|a| a.media_type == "application/pdf")
        {
            return Err(Error::invalid(format!(
                "văn bản {id} chưa có tệp PDF / document {id} has no PDF to send"
            )));
        }
        let payload = serde_json::json!({
            "message_id": message_id,
            "recipients": recipients,
        });
        let outbox_id = self.write(|tx, ctx| {
            let n = tx.execute(
                "UPDATE documents SET state = ?3, updated_at = ?2 WHERE id = ?1 AND state = ?4",
                params![
                    id,
                    ctx.now,
                    OutgoingState::Ready.as_str(),
                    OutgoingState::Issued.as_str()
                ],
            )?;
            if n == 0 {
                return Err(Error::InvalidState(format!(
                    "văn bản {id} vừa thay đổi, hãy thử lại / document {id} changed meanwhile"
                )));
            }
            events::insert_event(
                tx,
                ctx,
                id,
                None,
                Some(OutgoingState::Issued.into()),
                OutgoingState::Ready.into(),
                &[],
                Some("Gửi qua trục"),
            )?;
            let outbox_id = events::enqueue(tx, ctx, DISPATCH_KIND, Some(id), None, &payload)?;
            audit::append(
                tx,
                ctx,
                "outgoing.dispatch",
                "document",
                Some(&id.to_string()),
                &payload,
            )?;
            Ok(outbox_id)
        })?;
        Ok(Dispatch {
            outbox_id,
            document_id: id,
            message_id,
            recipients,
        })
    }

    /// The dispatch recorded for a document, if any.
    pub fn dispatch_of(&self, id: i64) -> Result<Option<Dispatch>> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, payload FROM outbox WHERE kind = ?1 AND document_id = ?2 ORDER BY id LIMIT 1",
                params![DISPATCH_KIND, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.map(|(outbox_id, payload)| dispatch_from(outbox_id, id, &payload)))
    }

    /// Dispatches not yet handed to the sync engine, oldest first.
    pub fn pending_dispatches(&self, limit: usize) -> Result<Vec<Dispatch>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, document_id, payload FROM outbox
             WHERE kind = ?1 AND sent_at IS NULL ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![DISPATCH_KIND, limit as i64], dispatch_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Documents handed to the engine and waiting for the hub to accept them.
    pub fn awaiting_hub(&self) -> Result<Vec<Dispatch>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.id, o.document_id, o.payload FROM outbox o JOIN documents d ON d.id = o.document_id
             WHERE o.kind = ?1 AND o.sent_at IS NOT NULL AND d.state = ?2 ORDER BY o.id",
        )?;
        let rows = stmt.query_map([DISPATCH_KIND, OutgoingState::Ready.as_str()], dispatch_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The hub accepted the package: Sẵn sàng gửi → Đã gửi with the date sent. Idempotent.
    pub fn mark_dispatched(&mut self, id: i64, date: NaiveDate) -> Result<()> {
        self.write(|tx, ctx| {
            let n = tx.execute(
                "UPDATE documents SET state = ?4, dispatched_date = coalesce(dispatched_date, ?2),
                        updated_at = ?3 WHERE id = ?1 AND state = ?5",
                params![
                    id,
                    date.to_string(),
                    ctx.now,
                    OutgoingState::Sent.as_str(),
                    OutgoingState::Ready.as_str()
                ],
            )?;
            if n == 0 {
                return Ok(());
            }
            events::insert_event(
                tx,
                ctx,
                id,
                None,
                Some(OutgoingState::Ready.into()),
                OutgoingState::Sent.into(),
                &[],
                Some("Trục đã nhận gói tin"),
            )?;
            audit::append(
                tx,
                ctx,
                "outgoing.sent",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({"date": date.to_string()}),
            )
        })
    }
}

/// A row of (outbox id, document id, payload).
fn dispatch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Dispatch> {
    Ok(dispatch_from(r.get(0)?, r.get(1)?, &r.get::<_, String>(2)?))
}

fn dispatch_from(outbox_id: i64, document_id: i64, payload: &str) -> Dispatch {
    let v: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    Dispatch {
        outbox_id,
        document_id,
        message_id: v["message_id"].as_str().unwrap_or_default().to_string(),
        recipients: v["recipients"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    }
}
