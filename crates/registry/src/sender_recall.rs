//! Thu hồi from the sender's side (statuses.md §3): the clerk recalls a document the hub
//! delivered, with a reason; the recipients answer 15 (accepted) or 16 (refused), and the
//! document follows: Đã gửi → Đang thu hồi → Đã thu hồi, or → Thu hồi bị từ chối (it may be
//! asked again).
//!
//! As with sending ([`crate::dispatch`]), the clerk's action only records the intent in one
//! transaction: the state, a status event, an audit entry and a registry outbox row of kind
//! [`RECALL_KIND`] naming the recall's message id, the original's and the recipients. The sync
//! bridge builds the revocation package (BussinessDocType 1, the original's DocumentId, the
//! reason) and hands it to the engine under that id, so a repeated handoff is one package.
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use vanthu_domain::text::nfc;
use vanthu_domain::OutgoingState;

use crate::{audit, events, Error, Registry, Result};

/// Registry outbox kind of a recall to send.
pub const RECALL_KIND: &str = "edoc_recall";

/// A recall waiting to be handed to the sync engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallRequest {
    /// Registry outbox row.
    pub outbox_id: i64,
    /// The register id of the recalled document.
    pub document_id: i64,
    /// The message id the recall travels under.
    pub message_id: String,
    /// The message id of the document recalled.
    pub related: String,
    /// Agency codes of the recipients the document was sent to.
    pub recipients: Vec<String>,
    /// Lý do thu hồi.
    pub reason: String,
    /// When the clerk asked (ms since the epoch): answers from before belong to an earlier
    /// recall.
    pub requested_ms: i64,
}

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecallRequest> {
    let payload: String = r.get(2)?;
    let v: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    Ok(RecallRequest {
        outbox_id: r.get(0)?,
        document_id: r.get(1)?,
        message_id: s("message_id"),
        related: s("related"),
        recipients: v["recipients"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        reason: s("reason"),
        requested_ms: v["requested_ms"].as_i64().unwrap_or_default(),
    })
}

fn state_of(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<Option<OutgoingState>> {
    let state: Option<String> = tx
        .query_row("SELECT state FROM documents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(state.and_then(|s| s.parse::<OutgoingState>().ok()))
}

impl Registry {
    /// Recalls a document the hub delivered (Đã gửi, or Thu hồi bị từ chối to ask again),
    /// with its reason. Refused, with nothing written, without a reason, for a document not
    /// sent over the hub, or for someone who may not send (văn thư's duty).
    pub fn recall_outgoing(&mut self, id: i64, reason: &str) -> Result<RecallRequest> {
        self.require(vanthu_domain::roles::Duty::SendOverHub)?;
        let reason = nfc(reason.trim());
        if reason.is_empty() {
            return Err(Error::invalid(
                "cần ghi lý do thu hồi / a recall needs a reason",
            ));
        }
        let Some(dispatch) = self.dispatch_of(id)? else {
            return Err(Error::InvalidState(format!(
                "văn bản {id} chưa gửi qua trục nên không thu hồi qua trục được / document {id} was not sent over the hub"
            )));
        };
        let requested_ms = chrono::Utc::now().timestamp_millis();
        self.write(|tx, ctx| {
            let from = state_of(tx, id)?.ok_or(Error::NotFound(id))?;
            if !matches!(from, OutgoingState::Sent | OutgoingState::RecallRefused) {
                return Err(Error::InvalidState(format!(
                    "chỉ thu hồi được văn bản đã gửi (đang: {}) / only a sent document can be recalled",
                    from.label_vi()
                )));
            }
            let earlier: i64 = tx.query_row(
                "SELECT count(*) FROM outbox WHERE kind = ?1 AND document_id = ?2",
                params![RECALL_KIND, id],
                |r| r.get(0),
            )?;
            let message_id = format!("{}-recall-{}", dispatch.message_id, earlier + 1);
            let payload = serde_json::json!({
                "message_id": message_id, "related": dispatch.message_id,
                "recipients": dispatch.recipients, "reason": reason,
                "requested_ms": requested_ms,
            });
            tx.execute(
                "UPDATE documents SET state = ?3, updated_at = ?2 WHERE id = ?1",
                params![id, ctx.now, OutgoingState::RecallPending.as_str()],
            )?;
            events::insert_event(
                tx,
                ctx,
                id,
                None,
                Some(from.into()),
                OutgoingState::RecallPending.into(),
                &[],
                Some(&format!("Thu hồi: {reason}")),
            )?;
            let outbox_id = events::enqueue(tx, ctx, RECALL_KIND, Some(id), None, &payload)?;
            audit::append(
                tx,
                ctx,
                "outgoing.recall",
                "document",
                Some(&id.to_string()),
                &payload,
            )?;
            Ok(RecallRequest {
                outbox_id,
                document_id: id,
                message_id,
                related: dispatch.message_id.clone(),
                recipients: dispatch.recipients.clone(),
                reason: reason.clone(),
                requested_ms,
            })
        })
    }

    /// Recalls not yet handed to the sync engine, oldest first.
    pub fn pending_recalls(&self, limit: usize) -> Result<Vec<RecallRequest>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, document_id, payload FROM outbox
             WHERE kind = ?1 AND sent_at IS NULL ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![RECALL_KIND, limit as i64], request_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Moves each document waiting on its recall on, from the recipients' answers received
    /// since it was asked: any 16 → Thu hồi bị từ chối; a 15 from every recipient → Đã thu hồi.
    /// Returns how many documents moved.
    pub fn settle_recalls(&mut self) -> Result<u64> {
        let waiting: Vec<RecallRequest> = self
            .conn
            .prepare_cached(
                "SELECT o.id, o.document_id, o.payload FROM outbox o
                 JOIN documents d ON d.id = o.document_id
                 WHERE o.kind = ?1 AND d.state = ?2
                   AND o.id = (SELECT max(id) FROM outbox WHERE kind = ?1 AND document_id = o.document_id)",
            )?
            .query_map(
                params![RECALL_KIND, OutgoingState::RecallPending.as_str()],
                request_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        let mut moved = 0;
        for r in waiting {
            let answers: Vec<(String, String)> = self
                .conn
                .prepare_cached(
                    "SELECT sender, status_code FROM sync_received
                     WHERE kind = 'status' AND related = ?1 AND status_code IN ('15', '16')
                       AND received_ms >= ?2
                     ORDER BY local_seq",
                )?
                .query_map(params![r.related, r.requested_ms], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            // Only the recipients' answers count: another agency's 16 refuses nothing.
            let refused: Vec<&str> = answers
                .iter()
                .filter(|(s, c)| c == "16" && r.recipients.contains(s))
                .map(|(s, _)| s.as_str())
                .collect();
            let accepted = r
                .recipients
                .iter()
                .all(|to| answers.iter().any(|(s, c)| s == to && c == "15"));
            let to = if !refused.is_empty() {
                OutgoingState::RecallRefused
            } else if accepted {
                OutgoingState::Recalled
            } else {
                continue;
            };
            let note = if refused.is_empty() {
                "Các nơi nhận đã đồng ý thu hồi".to_owned()
            } else {
                format!("Nơi nhận từ chối thu hồi: {}", refused.join(", "))
            };
            self.write(|tx, ctx| {
                let n = tx.execute(
                    "UPDATE documents SET state = ?3, updated_at = ?2 WHERE id = ?1 AND state = ?4",
                    params![
                        r.document_id,
                        ctx.now,
                        to.as_str(),
                        OutgoingState::RecallPending.as_str()
                    ],
                )?;
                if n == 0 {
                    return Ok(());
                }
                events::insert_event(
                    tx,
                    ctx,
                    r.document_id,
                    Some(vanthu_domain::Actor::System),
                    Some(OutgoingState::RecallPending.into()),
                    to.into(),
                    &[],
                    Some(&note),
                )?;
                audit::append(
                    tx,
                    ctx,
                    "outgoing.recall_answered",
                    "document",
                    Some(&r.document_id.to_string()),
                    &serde_json::json!({ "state": to.as_str(), "refused_by": refused }),
                )
            })?;
            moved += 1;
        }
        Ok(moved)
    }
}
