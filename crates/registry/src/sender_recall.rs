//! Thu hồi, cập nhật, thay thế from the sender's side (statuses.md §3): the clerk recalls a
//! document the hub delivered, or sends its corrected version (an update, or a replacement),
//! with a reason; the recipients answer 15 (accepted) or 16 (refused), and the document
//! follows: Đã gửi → Chờ thu hồi → Đã thu hồi, or → Bị từ chối thu hồi (it may be asked
//! again); Đã gửi → Chờ cập nhật / Chờ thay thế → Đã gửi once every recipient answered. Each
//! recipient's answer is a line of the document's history.
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

/// Registry outbox kind of a recall, update or replacement to send.
pub const RECALL_KIND: &str = "edoc_recall";

/// What the sender asks of the recipients of a sent document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderRevision {
    /// Thu hồi: withdraw it.
    Recall,
    /// Cập nhật: the same document, corrected.
    Update,
    /// Thay thế: a new version replaces it.
    Replace,
}

impl SenderRevision {
    /// edXML `BussinessDocType` (edxml.md §2.3).
    pub fn business(self) -> u8 {
        match self {
            SenderRevision::Recall => 1,
            SenderRevision::Update => 2,
            SenderRevision::Replace => 3,
        }
    }
    fn from_business(b: u8) -> Self {
        match b {
            2 => SenderRevision::Update,
            3 => SenderRevision::Replace,
            _ => SenderRevision::Recall,
        }
    }
    /// The stored name, also the message id's tag.
    pub fn as_str(self) -> &'static str {
        match self {
            SenderRevision::Recall => "recall",
            SenderRevision::Update => "update",
            SenderRevision::Replace => "replace",
        }
    }
    /// "Thu hồi", "Cập nhật", "Thay thế".
    pub fn label_vi(self) -> &'static str {
        match self {
            SenderRevision::Recall => "Thu hồi",
            SenderRevision::Update => "Cập nhật",
            SenderRevision::Replace => "Thay thế",
        }
    }
    fn pending(self) -> OutgoingState {
        match self {
            SenderRevision::Recall => OutgoingState::RecallPending,
            SenderRevision::Update => OutgoingState::UpdatePending,
            SenderRevision::Replace => OutgoingState::ReplacePending,
        }
    }
}

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
    /// Recall, update or replacement (absent in rows of older versions: a recall).
    pub revision: SenderRevision,
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
        revision: SenderRevision::from_business(v["business"].as_u64().unwrap_or(1) as u8),
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
        self.revise_outgoing(id, SenderRevision::Recall, reason, &[])
    }

    /// Sends the recipients of a delivered document a recall, or its corrected version: an
    /// update or a replacement carries the document as it is now, with `files` attached first
    /// (the corrected PDF, its soft copy). In one transaction: the files, the pending state,
    /// the history line, the audit entry and the outbox row the sync bridge packages
    /// (BussinessDocType 1, 2 or 3, the original's DocumentId, the reason). Refused, with
    /// nothing written, without a reason, for a document not sent over the hub or not in a
    /// state that allows it (an update or replacement only from Đã gửi), or for someone who
    /// may not send (văn thư's duty).
    pub fn revise_outgoing(
        &mut self,
        id: i64,
        revision: SenderRevision,
        reason: &str,
        files: &[std::path::PathBuf],
    ) -> Result<RecallRequest> {
        self.require(vanthu_domain::roles::Duty::SendOverHub)?;
        let reason = nfc(reason.trim());
        if reason.is_empty() {
            return Err(Error::invalid(format!(
                "cần ghi lý do {} / a {} needs a reason",
                revision.label_vi().to_lowercase(),
                revision.as_str()
            )));
        }
        let Some(dispatch) = self.dispatch_of(id)? else {
            return Err(Error::InvalidState(format!(
                "văn bản {id} chưa gửi qua trục nên không {} qua trục được / document {id} was not sent over the hub",
                revision.label_vi().to_lowercase()
            )));
        };
        if revision == SenderRevision::Recall && !files.is_empty() {
            return Err(Error::invalid(
                "thu hồi không kèm tệp / a recall carries no files",
            ));
        }
        // The corrected files follow the outgoing files' rules (soft copies, soft_copy.rs).
        crate::documents::check_outgoing_files(files)?;
        let prepared = self.prepare_files(files)?;
        let requested_ms = chrono::Utc::now().timestamp_millis();
        self.write(|tx, ctx| {
            let from = state_of(tx, id)?.ok_or(Error::NotFound(id))?;
            let allowed = match revision {
                SenderRevision::Recall => {
                    matches!(from, OutgoingState::Sent | OutgoingState::RecallRefused)
                }
                _ => from == OutgoingState::Sent,
            };
            if !allowed {
                return Err(Error::InvalidState(format!(
                    "chỉ {} được văn bản đã gửi (đang: {}) / only a sent document can be revised",
                    revision.label_vi().to_lowercase(),
                    from.label_vi()
                )));
            }
            for f in &prepared {
                crate::documents::insert_attachment(tx, ctx, id, f)?;
            }
            let earlier: i64 = tx.query_row(
                "SELECT count(*) FROM outbox WHERE kind = ?1 AND document_id = ?2",
                params![RECALL_KIND, id],
                |r| r.get(0),
            )?;
            let message_id = format!(
                "{}-{}-{}",
                dispatch.message_id,
                revision.as_str(),
                earlier + 1
            );
            let payload = serde_json::json!({
                "message_id": message_id, "related": dispatch.message_id,
                "recipients": dispatch.recipients, "reason": reason,
                "requested_ms": requested_ms, "business": revision.business(),
                "files": prepared.iter().map(|f| &f.file_name).collect::<Vec<_>>(),
            });
            let to = revision.pending();
            tx.execute(
                "UPDATE documents SET state = ?3, updated_at = ?2 WHERE id = ?1",
                params![id, ctx.now, to.as_str()],
            )?;
            events::insert_event(
                tx,
                ctx,
                id,
                None,
                Some(from.into()),
                to.into(),
                &[],
                Some(&format!("{}: {reason}", revision.label_vi())),
            )?;
            let outbox_id = events::enqueue(tx, ctx, RECALL_KIND, Some(id), None, &payload)?;
            audit::append(
                tx,
                ctx,
                match revision {
                    SenderRevision::Recall => "outgoing.recall",
                    SenderRevision::Update => "outgoing.update",
                    SenderRevision::Replace => "outgoing.replace",
                },
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
                revision,
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

    /// Moves each document waiting on its recall, update or replacement on, from the
    /// recipients' answers received since it was asked. A recall: any 16 → Bị từ chối thu
    /// hồi; a 15 from every recipient → Đã thu hồi. An update or replacement: once every
    /// recipient answered → Đã gửi again. The history line names each recipient's answer.
    /// Returns how many documents moved.
    pub fn settle_recalls(&mut self) -> Result<u64> {
        let waiting: Vec<RecallRequest> = self
            .conn
            .prepare_cached(
                "SELECT o.id, o.document_id, o.payload FROM outbox o
                 JOIN documents d ON d.id = o.document_id
                 WHERE o.kind = ?1 AND d.state IN (?2, ?3, ?4)
                   AND o.id = (SELECT max(id) FROM outbox WHERE kind = ?1 AND document_id = o.document_id)",
            )?
            .query_map(
                params![
                    RECALL_KIND,
                    OutgoingState::RecallPending.as_str(),
                    OutgoingState::UpdatePending.as_str(),
                    OutgoingState::ReplacePending.as_str()
                ],
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
            // Only the recipients' answers count: another agency's 16 refuses nothing. A
            // recipient's latest answer is its answer.
            let answer_of = |to: &str| {
                answers
                    .iter()
                    .rev()
                    .find(|(s, _)| s == to)
                    .map(|(_, c)| c.as_str())
            };
            let refused: Vec<&str> = r
                .recipients
                .iter()
                .filter(|to| answer_of(to) == Some("16"))
                .map(String::as_str)
                .collect();
            let all_answered = r.recipients.iter().all(|to| answer_of(to).is_some());
            let to = match r.revision {
                SenderRevision::Recall if !refused.is_empty() => OutgoingState::RecallRefused,
                SenderRevision::Recall if refused.is_empty() && all_answered => {
                    OutgoingState::Recalled
                }
                SenderRevision::Update | SenderRevision::Replace if all_answered => {
                    OutgoingState::Sent
                }
                _ => continue,
            };
            let what = r.revision.label_vi().to_lowercase();
            let names: Vec<String> = r
                .recipients
                .iter()
                .filter_map(|to| {
                    let a = answer_of(to)?;
                    let name = self
                        .resolve_agency(to)
                        .map(|a| a.name)
                        .unwrap_or_else(|_| to.clone());
                    Some(if a == "15" {
                        format!("{name} đồng ý {what} (15)")
                    } else {
                        format!("{name} từ chối {what} (16)")
                    })
                })
                .collect();
            let note = names.join("; ");
            let from = r.revision.pending();
            self.write(|tx, ctx| {
                let n = tx.execute(
                    "UPDATE documents SET state = ?3, updated_at = ?2 WHERE id = ?1 AND state = ?4",
                    params![r.document_id, ctx.now, to.as_str(), from.as_str()],
                )?;
                if n == 0 {
                    return Ok(());
                }
                events::insert_event(
                    tx,
                    ctx,
                    r.document_id,
                    Some(vanthu_domain::Actor::System),
                    Some(from.into()),
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
                    &serde_json::json!({ "state": to.as_str(), "refused_by": refused,
                        "revision": r.revision.as_str() }),
                )
            })?;
            moved += 1;
        }
        Ok(moved)
    }
}
