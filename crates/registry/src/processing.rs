//! What a person can do next on an incoming document of this unit, and doing it: the
//! processing steps of the state machine (vào sổ, từ chối, phân công, bắt đầu xử lý, hoàn
//! thành) and, while a sender's recall/update/replace waits, the clerk's answer to it.
//! Every action is one transaction with what it writes, so the sender's status and the
//! register entry never disagree.
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use vanthu_domain::text::nfc;
use vanthu_domain::{
    processing_steps, transition, Actor, DocumentState, IncomingState, ProcessingStep,
};

use crate::desks::outbox::{mirror_in_tx, queue_answer, queue_handling_copies};
use crate::desks::wire::{handling_role_tx, record_assignments_tx, HandlingRole};
use crate::events::{enqueue, insert_event, StatusEvent};
use crate::register::{state_at, state_str, Register, Series};
use crate::{audit, numbering, Error, Registry, Result, WriteCtx};

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
    /// The action the clerk would take.
    pub action: IncomingAction,
    /// Its Vietnamese label for the button.
    pub label: String,
    /// Whether the clerk must give a reason (a refusal, a return).
    pub needs_reason: bool,
    /// Whether the clerk must name who handles the document.
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

/// An assignment as the leader gives it (phiếu giải quyết, part 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Chủ trì: the person or department whose progress moves the document.
    pub lead: String,
    /// Phối hợp, if any.
    pub supporters: Vec<String>,
    /// Hạn xử lý.
    pub deadline: Option<NaiveDate>,
    /// Ý kiến chỉ đạo.
    pub instruction: Option<String>,
}

impl Registry {
    /// The actions a desktop offers for a document now: none for an outgoing document; on
    /// the leader's copy of a submission only Phân công (its answer goes back to the clerk's
    /// desktop, crate::desks); on a handler's copy the chủ trì's steps (bắt đầu xử lý, hoàn
    /// thành; a phối hợp has none); otherwise the answer to a pending sender request first,
    /// then the steps of its state.
    pub fn offered_actions(&self, document_id: i64) -> Result<Vec<OfferedAction>> {
        let rec = self.get(document_id)?;
        let Some(from) = rec.incoming_state() else {
            return Ok(Vec::new());
        };
        if let Some(role) = self.handling_role(document_id)? {
            if role != HandlingRole::Lead {
                return Ok(Vec::new());
            }
            return Ok(processing_steps(from)
                .into_iter()
                .filter(|s| s.actor == Actor::Handler)
                .map(OfferedAction::step)
                .collect());
        }
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

    /// On a handler's copy of an assigned document (a mirror from the clerk's desktop): this
    /// copy's role; `None` for every other record.
    pub fn handling_role(&self, document_id: i64) -> Result<Option<HandlingRole>> {
        handling_role_tx(&self.conn, document_id)
    }

    /// Phân công: the leader assigns an incoming document to a chủ trì, with phối hợp, a
    /// deadline and an instruction, in one transaction with the transition (04 to the
    /// sender, or the answer to the clerk's desktop on a mirror). On the register's own
    /// desktop each assignee who works at another desktop of the unit gets a handler's copy
    /// there (`people.desktop`; crate::desks).
    pub fn assign(&mut self, document_id: i64, a: &Assignment) -> Result<StatusEvent> {
        self.require(vanthu_domain::roles::Duty::Assign)?;
        let lead = nfc(a.lead.trim());
        if lead.is_empty() {
            return Err(Error::invalid(
                "chưa nhập người/đơn vị xử lý (chủ trì) / an assignment needs a handler",
            ));
        }
        let mut supporters: Vec<String> = Vec::new();
        for s in &a.supporters {
            let s = nfc(s.trim());
            if !s.is_empty() && s != lead && !supporters.contains(&s) {
                supporters.push(s);
            }
        }
        if let Some(d) = a.deadline {
            if d < crate::today() {
                return Err(Error::invalid(format!(
                    "hạn xử lý {} đã qua / the deadline is in the past",
                    d.format("%d/%m/%Y")
                )));
            }
        }
        let instruction = a
            .instruction
            .as_deref()
            .map(|n| nfc(n.trim()))
            .filter(|n| !n.is_empty());
        let step = ProcessingStep {
            to: IncomingState::Assigned,
            actor: Actor::Leader,
        };
        let id = self.write(|tx, ctx| {
            let from = incoming_state_tx(tx, document_id)?;
            if !processing_steps(from).contains(&step) {
                return Err(Error::InvalidState(format!(
                    "không thể phân công văn bản ở trạng thái {} / cannot assign from {}",
                    from.label_vi(),
                    from.as_str()
                )));
            }
            if let Some(d) = a.deadline {
                tx.execute(
                    "UPDATE documents SET deadline = ?2 WHERE id = ?1",
                    params![document_id, d.to_string()],
                )?;
            }
            let event = status_event_tx(
                tx,
                ctx,
                document_id,
                step.to,
                step.actor,
                instruction.as_deref(),
            )?;
            crate::documents::set_handler_tx(tx, ctx, document_id, &lead, crate::today())?;
            record_assignments_tx(
                tx,
                ctx,
                document_id,
                &lead,
                &supporters,
                a.deadline,
                instruction.as_deref(),
                ctx.user,
            )?;
            queue_handling_copies(tx, ctx, document_id)?;
            Ok(event)
        })?;
        self.status_event(id)
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
        if step.to == IncomingState::Assigned && step.actor == Actor::Leader {
            return self.assign(
                document_id,
                &Assignment {
                    lead: handler.unwrap_or_default().to_owned(),
                    instruction: note.map(str::to_owned),
                    ..Default::default()
                },
            );
        }
        if let Some(duty) = vanthu_domain::roles::Duty::of_actor(step.actor) {
            self.require(duty)?;
        }
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
            let from = incoming_state_tx(tx, document_id)?;
            if !processing_steps(from).contains(&step) {
                return Err(Error::InvalidState(format!(
                    "không thể {} văn bản ở trạng thái {} / step not offered from {}",
                    step.label_vi().to_lowercase(),
                    from.label_vi(),
                    from.as_str()
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

/// The state of an incoming document, inside the caller's transaction.
fn incoming_state_tx(tx: &Transaction<'_>, document_id: i64) -> Result<IncomingState> {
    let state: DocumentState = tx
        .query_row(
            "SELECT state FROM documents WHERE id = ?1",
            [document_id],
            |r| state_at(r, 0),
        )
        .optional()?
        .ok_or(Error::NotFound(document_id))?;
    state.incoming().ok_or_else(|| {
        Error::InvalidState(format!(
            "văn bản {document_id} không phải văn bản đến / document {document_id} is not incoming"
        ))
    })
}

/// register, state, edxml id, sender code, arrival date, number.
type IncomingRow = (
    String,
    DocumentState,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
);

/// The body of [`Registry::append_status_event`], inside the caller's transaction (the
/// answer of a leader's desktop is applied together with its bookkeeping, crates/registry
/// desks.rs).
pub(crate) fn status_event_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    to: IncomingState,
    actor: Actor,
    note: Option<&str>,
) -> Result<i64> {
    let row: Option<IncomingRow> = tx
        .query_row(
            "SELECT register, state, edxml_document_id, sender_code, arrival_date,
                    coalesce(number, CASE WHEN provisional_number IS NOT NULL THEN 0 END)
             FROM documents WHERE id = ?1",
            [document_id],
            |r| {
                Ok((
                    r.get(0)?,
                    state_at(r, 1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((register, state, edxml_id, sender, arrival, number)) = row else {
        return Err(Error::NotFound(document_id));
    };
    let (Some(from), "incoming") = (state.incoming(), register.as_str()) else {
        return Err(Error::InvalidState(format!(
            "văn bản {document_id} không phải văn bản đến / document {document_id} is not incoming"
        )));
    };
    let codes = transition(from, to, actor)?;
    // A copy submitted by the clerk's desktop (desks.rs): the leader only assigns it; its
    // number is the clerk's, and the answer goes back to the clerk's desktop, not the sender.
    let mirror = mirror_in_tx(tx, document_id)?;
    if mirror.is_some() {
        // A handler's copy: only its chủ trì moves it (bắt đầu xử lý, hoàn thành), and the
        // clerk's desktop applies the same step to the register entry.
        let allowed = match handling_role_tx(tx, document_id)? {
            Some(HandlingRole::Lead) => {
                matches!(to, IncomingState::InProgress | IncomingState::Completed)
            }
            Some(HandlingRole::Support) => false,
            None => to == IncomingState::Assigned,
        };
        if !allowed {
            return Err(Error::InvalidState(
                "bản trình chỉ được phân công tại máy lãnh đạo; bản giao xử lý chỉ do người chủ trì xử lý / a submitted copy can only be assigned on the leader's desktop, a handler's copy only handled by its chủ trì".into(),
            ));
        }
    }
    let needs_number = mirror.is_none()
        && number.is_none()
        && matches!(
            to,
            IncomingState::Registered
                | IncomingState::Assigned
                | IncomingState::InProgress
                | IncomingState::Completed
        );
    if needs_number {
        let arrival =
            NaiveDate::parse_from_str(&arrival, "%Y-%m-%d").unwrap_or_else(|_| crate::today());
        let series: String = tx.query_row(
            "SELECT series FROM documents WHERE id = ?1",
            [document_id],
            |r| r.get(0),
        )?;
        let series = if series == "secret" {
            Series::Secret
        } else {
            Series::Normal
        };
        // A provisional number (blocks used up offline) is replaced at the next sync.
        let a = numbering::allocate(tx, Register::Incoming, series, arrival.year())?;
        tx.execute(
            "UPDATE documents SET year = ?2, number = ?3, provisional_number = ?4 WHERE id = ?1",
            params![
                document_id,
                arrival.year(),
                a.final_number(),
                a.provisional()
            ],
        )?;
        audit::append(
            tx,
            ctx,
            "incoming.number",
            "document",
            Some(&document_id.to_string()),
            &serde_json::json!({"year": arrival.year(), "number": a.final_number(),
                "provisional_number": a.provisional()}),
        )?;
    }
    // Accepting the sender's recall/update/replace settles its pending request.
    if to.is_frozen() {
        tx.execute(
            "UPDATE documents SET pending_action = NULL, pending_note = NULL WHERE id = ?1",
            [document_id],
        )?;
    }
    tx.execute(
        "UPDATE documents SET state = ?2, updated_at = ?3 WHERE id = ?1",
        params![document_id, to.as_str(), ctx.now],
    )?;
    let event_id = insert_event(
        tx,
        ctx,
        document_id,
        Some(actor),
        Some(from.into()),
        to.into(),
        &codes,
        note,
    )?;
    audit::append(
        tx,
        ctx,
        "document.status",
        "document",
        Some(&document_id.to_string()),
        &serde_json::json!({
            "from": from.as_str(), "to": to.as_str(), "actor": state_str(actor),
            "codes": codes.iter().map(|c| c.code()).collect::<Vec<_>>(), "note": note,
        }),
    )?;
    if let Some(m) = &mirror {
        queue_answer(tx, ctx, document_id, m, to, actor, &codes, note)?;
        return Ok(event_id);
    }
    // Status feedback goes back only for documents that came through the hub: with an edXML
    // DocumentId, or imported from a hub package that had none (the inbox row says so).
    let via_hub = edxml_id.is_some()
        || tx
            .prepare_cached("SELECT 1 FROM inbox WHERE document_id = ?1 AND kind = 'edoc'")?
            .exists([document_id])?;
    if let (true, Some(sender)) = (via_hub, sender) {
        let secret: bool = tx.query_row(
            "SELECT secrecy != 'normal' FROM documents WHERE id = ?1",
            [document_id],
            |r| r.get(0),
        )?;
        if !secret {
            for c in &codes {
                enqueue(
                    tx,
                    ctx,
                    "status",
                    Some(document_id),
                    Some(&sender),
                    &serde_json::json!({
                        "edxml_document_id": edxml_id, "status_code": c.code(),
                        "description": c.label_vi(), "note": note,
                        "timestamp": ctx.now, "staff": ctx.user,
                    }),
                )?;
            }
        }
    }
    Ok(event_id)
}

impl Registry {
    /// Moves an incoming document to `to` as `actor`, if the state machine allows it
    /// (statuses.md §4.1). Registering (`arrived` → `registered`) allocates the số đến.
    /// For a document received through the hub, the emitted status codes are queued in
    /// the outbox for its sender.
    pub fn append_status_event(
        &mut self,
        document_id: i64,
        to: IncomingState,
        actor: Actor,
        note: Option<&str>,
    ) -> Result<StatusEvent> {
        if let Some(duty) = vanthu_domain::roles::Duty::of_actor(actor) {
            self.require(duty)?;
        }
        let id = self.write(|tx, ctx| status_event_tx(tx, ctx, document_id, to, actor, note))?;
        self.status_event(id)
    }
}
