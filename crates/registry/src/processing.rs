//! What a person can do next on an incoming document of this unit, and doing it: the
//! processing steps of the state machine (vào sổ, từ chối, phân công, bắt đầu xử lý, hoàn
//! thành) and, while a sender's recall/update/replace waits, the clerk's answer to it.
//! Every action is one transaction with what it writes, so the sender's status and the
//! register entry never disagree.
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use vanthu_domain::text::nfc;
use vanthu_domain::{processing_steps, DocumentState, IncomingState, ProcessingStep};

use crate::documents::state_at;
use crate::events::{status_event_tx, StatusEvent};
use crate::{Error, Registry, Result};

/// One action on an incoming document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IncomingAction {
    /// A step of the state machine.
    Step(ProcessingStep),
    /// The sender's pending recall/update/replace is accepted (15).
    AcceptRequest,
    /// … or refused, with a reason (16).
    RefuseRequest,
}

/// An action offered now, as a desktop shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedAction {
    pub action: IncomingAction,
    pub label: String,
    pub needs_reason: bool,
    pub needs_handler: bool,
}

impl OfferedAction {
    fn step(s: ProcessingStep) -> Self {
        OfferedAction {
            action: IncomingAction::Step(s),
            label: s.label_vi().to_owned(),
            needs_reason: s.needs_reason(),
            needs_handler: s.needs_handler(),
        }
    }
}

impl Registry {
    /// The actions a desktop offers for a document now: none for an outgoing document; on
    /// the leader's copy of a submission only Phân công (its answer goes back to the clerk's
    /// desktop, crate::desks); otherwise the answer to a pending sender request first, then
    /// the steps of its state.
    pub fn offered_actions(&self, document_id: i64) -> Result<Vec<OfferedAction>> {
        let rec = self.get(document_id)?;
        let Some(from) = rec.incoming_state() else {
            return Ok(Vec::new());
        };
        if self.mirror_info(document_id)?.is_some() {
            return Ok(processing_steps(from)
                .into_iter()
                .filter(|s| s.to == IncomingState::Assigned && from == IncomingState::Registered)
                .map(OfferedAction::step)
                .collect());
        }
        let mut out = Vec::new();
        if let Some(request) = rec.pending_action.as_deref() {
            let accept = if request == "recall" {
                "Đồng ý thu hồi"
            } else {
                "Đồng ý thay thế"
            };
            out.push(OfferedAction {
                action: IncomingAction::AcceptRequest,
                label: accept.to_owned(),
                needs_reason: false,
                needs_handler: false,
            });
            out.push(OfferedAction {
                action: IncomingAction::RefuseRequest,
                label: "Từ chối đề nghị".to_owned(),
                needs_reason: true,
                needs_handler: false,
            });
        }
        out.extend(processing_steps(from).into_iter().map(OfferedAction::step));
        Ok(out)
    }

    /// Takes one action (see [`Registry::offered_actions`]); `note` is the reason or the
    /// instruction, `handler` who an assignment goes to.
    pub fn take_action(
        &mut self,
        document_id: i64,
        action: IncomingAction,
        note: Option<&str>,
        handler: Option<&str>,
    ) -> Result<()> {
        match action {
            IncomingAction::Step(step) => {
                self.process_incoming(document_id, step, note, handler)?;
            }
            IncomingAction::AcceptRequest => {
                self.accept_pending_action(document_id, note)?;
            }
            IncomingAction::RefuseRequest => {
                self.refuse_pending_action(document_id, note.unwrap_or_default())?;
            }
        }
        Ok(())
    }

    /// One processing step on an incoming document from the desktop (vào sổ, từ chối with
    /// its reason, phân công to a handler, bắt đầu xử lý, hoàn thành): the transition and,
    /// for an assignment, the handler and the date passed on, in one transaction, so the
    /// sender's status and the register entry never disagree. Refused with nothing written
    /// when the step is not one `vanthu_domain::processing_steps` offers from the current
    /// state, a rejection has no reason or an assignment no handler.
    pub fn process_incoming(
        &mut self,
        document_id: i64,
        step: ProcessingStep,
        note: Option<&str>,
        handler: Option<&str>,
    ) -> Result<StatusEvent> {
        let note = note.map(|n| nfc(n.trim())).filter(|n| !n.is_empty());
        let handler = handler.map(|h| nfc(h.trim())).filter(|h| !h.is_empty());
        if step.needs_reason() && note.is_none() {
            return Err(Error::invalid(
                "cần ghi lý do từ chối / a rejection needs a reason",
            ));
        }
        if step.needs_handler() && handler.is_none() {
            return Err(Error::invalid(
                "chưa nhập người/đơn vị xử lý / an assignment needs a handler",
            ));
        }
        let id = self.write(|tx, ctx| {
            let state: DocumentState = tx
                .query_row(
                    "SELECT state FROM documents WHERE id = ?1",
                    [document_id],
                    |r| state_at(r, 0),
                )
                .optional()?
                .ok_or(Error::NotFound(document_id))?;
            let Some(from) = state.incoming() else {
                return Err(Error::InvalidState(format!(
                    "văn bản {document_id} không phải văn bản đến / document {document_id} is not incoming"
                )));
            };
            if !processing_steps(from).contains(&step) {
                return Err(Error::InvalidState(format!(
                    "không thể {} văn bản ở trạng thái {} / step not offered from {state}",
                    step.label_vi().to_lowercase(),
                    from.label_vi()
                )));
            }
            let event =
                status_event_tx(tx, ctx, document_id, step.to, step.actor, note.as_deref())?;
            if let Some(h) = &handler {
                crate::documents::set_handler_tx(tx, ctx, document_id, h, crate::today())?;
            }
            Ok(event)
        })?;
        self.status_event(id)
    }
}
