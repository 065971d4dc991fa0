//! Acting on an incoming document of this unit from the detail pane: vào sổ, từ chối (with
//! the reason), phân công (with the handler), bắt đầu xử lý, hoàn thành, and the answer to a
//! sender's pending recall/update/replace. What is offered and what each does is
//! `Registry::offered_actions` / `take_action`; these commands map them to the UI's
//! `(to, actor)` pair.
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use vanthu_domain::{Actor, IncomingState, ProcessingStep};
use vanthu_registry::desks::{HandlingKind, HandlingNote};
use vanthu_registry::{Assignment, IncomingAction, NewHandlingNote, OfferedAction, Registry};

use crate::commands::CommandError;
use crate::sync::SyncService;
use crate::AppState;

type Res<T> = Result<T, CommandError>;

/// One action the detail pane may offer.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// Target state (`registered`, `rejected`, `assigned`, `in_progress`, `completed`), or
    /// `accept_request` / `refuse_request` for the answer to a sender's request.
    pub to: String,
    /// clerk | leader | handler
    pub actor: String,
    pub label: String,
    pub needs_reason: bool,
    pub needs_handler: bool,
}

const ACCEPT_REQUEST: &str = "accept_request";
const REFUSE_REQUEST: &str = "refuse_request";

fn actor_str(a: Actor) -> &'static str {
    match a {
        Actor::System => "system",
        Actor::Clerk => "clerk",
        Actor::Leader => "leader",
        Actor::Handler => "handler",
    }
}

impl From<OfferedAction> for StepView {
    fn from(o: OfferedAction) -> Self {
        let (to, actor) = match o.action {
            IncomingAction::Step(s) => (s.to.as_str(), actor_str(s.actor)),
            IncomingAction::AcceptRequest => (ACCEPT_REQUEST, "clerk"),
            IncomingAction::RefuseRequest => (REFUSE_REQUEST, "clerk"),
        };
        StepView {
            to: to.to_owned(),
            actor: actor.to_owned(),
            label: o.label,
            needs_reason: o.needs_reason,
            needs_handler: o.needs_handler,
        }
    }
}

fn parse_action(to: &str, actor: &str) -> Res<IncomingAction> {
    match to {
        ACCEPT_REQUEST => return Ok(IncomingAction::AcceptRequest),
        REFUSE_REQUEST => return Ok(IncomingAction::RefuseRequest),
        _ => {}
    }
    let to: IncomingState = to.parse().map_err(CommandError::invalid)?;
    let actor = match actor {
        "clerk" => Actor::Clerk,
        "leader" => Actor::Leader,
        "handler" => Actor::Handler,
        other => {
            return Err(CommandError::invalid(format!(
                "vai trò không hợp lệ / bad actor {other}"
            )))
        }
    };
    Ok(IncomingAction::Step(ProcessingStep { to, actor }))
}

fn registry<'a>(
    state: &'a State<'_, AppState>,
) -> std::sync::MutexGuard<'a, vanthu_registry::Registry> {
    state.registry.lock().unwrap_or_else(|e| e.into_inner())
}

/// The actions offered for a document now.
#[tauri::command(async)]
#[specta::specta]
pub fn incoming_steps(state: State<'_, AppState>, id: u32) -> Res<Vec<StepView>> {
    Ok(registry(&state)
        .offered_actions(id.into())?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Takes one action; the sender's status leaves at the next sync round, which starts now.
#[tauri::command(async)]
#[specta::specta]
pub fn process_incoming(
    app: AppHandle,
    state: State<'_, AppState>,
    id: u32,
    to: String,
    actor: String,
    note: Option<String>,
    handler: Option<String>,
) -> Res<()> {
    let action = parse_action(&to, &actor)?;
    registry(&state).take_action(id.into(), action, note.as_deref(), handler.as_deref())?;
    crate::events::send(&app, crate::events::IncomingChanged);
    app.state::<SyncService>().wake();
    Ok(())
}

/// Phân công as the leader gives it: chủ trì, phối hợp, hạn xử lý, ý kiến chỉ đạo.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssignForm {
    pub lead: String,
    pub supporters: Vec<String>,
    /// yyyy-mm-dd
    pub deadline: Option<String>,
    pub instruction: Option<String>,
}

/// One person's part in the assignment.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView {
    pub assignee: String,
    /// `lead` (chủ trì) | `support` (phối hợp)
    pub role: String,
    /// dd/mm/yyyy
    pub deadline: Option<String>,
    pub instruction: Option<String>,
    pub assigned_by: String,
    /// dd/mm/yyyy hh:mm
    pub assigned_at: String,
}

/// A progress note, reply draft, extension request or decision.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HandlingNoteView {
    pub id: u32,
    /// `note` | `reply_draft` | `extension_request` | `extension_granted` | `extension_refused`
    pub kind: String,
    /// "Tiến độ", "Dự thảo trả lời", …
    pub label: String,
    pub author: String,
    pub body: Option<String>,
    /// dd/mm/yyyy: the deadline asked for or granted.
    pub deadline: Option<String>,
    pub file_name: Option<String>,
    /// The outgoing draft a reply draft became (on the văn thư's desktop).
    pub reply_document_id: Option<u32>,
    pub from_desktop: Option<String>,
    /// dd/mm/yyyy hh:mm
    pub at: String,
}

/// What the detail pane shows about the handling of a document.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HandlingView {
    pub assignments: Vec<AssignmentView>,
    pub notes: Vec<HandlingNoteView>,
    /// On a handler's copy: `lead` | `support`.
    pub role: Option<String>,
    pub pending_extension: Option<HandlingNoteView>,
    pub may_note: bool,
    pub may_decide: bool,
}

fn day(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%d/%m/%Y").to_string())
}

fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn note_label(k: HandlingKind) -> &'static str {
    match k {
        HandlingKind::Note => "Tiến độ",
        HandlingKind::ReplyDraft => "Dự thảo trả lời",
        HandlingKind::ExtensionRequest => "Xin gia hạn",
        HandlingKind::ExtensionGranted => "Đồng ý gia hạn",
        HandlingKind::ExtensionRefused => "Không đồng ý gia hạn",
    }
}

impl From<&HandlingNote> for HandlingNoteView {
    fn from(n: &HandlingNote) -> Self {
        HandlingNoteView {
            id: n.id as u32,
            kind: n.kind.as_str().to_owned(),
            label: note_label(n.kind).to_owned(),
            author: n.author.clone(),
            body: n.body.clone(),
            deadline: day(n.deadline),
            file_name: n.file_name.clone(),
            reply_document_id: n.reply_document_id.map(|i| i as u32),
            from_desktop: n.from_desktop.clone(),
            at: local_time(&n.created_at),
        }
    }
}

/// The view of `reg`'s handling of document `id`.
pub fn handling_of(reg: &Registry, id: i64) -> Res<HandlingView> {
    let h = reg.handling(id)?;
    Ok(HandlingView {
        assignments: h
            .assignments
            .iter()
            .map(|a| AssignmentView {
                assignee: a.assignee.clone(),
                role: a.role.as_str().to_owned(),
                deadline: day(a.deadline),
                instruction: a.instruction.clone(),
                assigned_by: a.assigned_by.clone(),
                assigned_at: local_time(&a.assigned_at),
            })
            .collect(),
        notes: h.notes.iter().map(Into::into).collect(),
        role: h.role.map(|r| r.as_str().to_owned()),
        pending_extension: h.pending_extension.as_ref().map(Into::into),
        may_note: h.may_note,
        may_decide: h.may_decide,
    })
}

fn parse_day(s: Option<&str>) -> Res<Option<chrono::NaiveDate>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| CommandError::invalid(format!("ngày không hợp lệ / bad date {s}"))),
    }
}

/// Assigns document `id` in `reg` as the form says.
pub fn assign_in(reg: &mut Registry, id: i64, form: &AssignForm) -> Res<()> {
    reg.assign(
        id,
        &Assignment {
            lead: form.lead.clone(),
            supporters: form.supporters.clone(),
            deadline: parse_day(form.deadline.as_deref())?,
            instruction: form.instruction.clone(),
        },
    )?;
    Ok(())
}

/// Adds a handler's note (`note` | `reply_draft` | `extension_request`) in `reg`.
pub fn add_note_in(
    reg: &mut Registry,
    id: i64,
    kind: &str,
    body: Option<String>,
    deadline: Option<String>,
    file: Option<String>,
) -> Res<HandlingView> {
    let kind = HandlingKind::parse(kind).ok_or_else(|| {
        CommandError::invalid(format!("loại ghi chú không hợp lệ / bad kind {kind}"))
    })?;
    reg.add_handling_note(
        id,
        &NewHandlingNote {
            kind: Some(kind),
            body,
            deadline: parse_day(deadline.as_deref())?,
            file: file.filter(|f| !f.trim().is_empty()).map(Into::into),
        },
    )?;
    handling_of(reg, id)
}

/// Phân công with chủ trì, phối hợp, deadline and instruction; the answer or the handlers'
/// copies leave at the next sync round, which starts now.
#[tauri::command(async)]
#[specta::specta]
pub fn assign_incoming(
    app: AppHandle,
    state: State<'_, AppState>,
    id: u32,
    form: AssignForm,
) -> Res<()> {
    assign_in(&mut registry(&state), id.into(), &form)?;
    crate::events::send(&app, crate::events::IncomingChanged);
    app.state::<SyncService>().wake();
    Ok(())
}

/// The handling of a document: assignment, notes, what may be done here.
#[tauri::command(async)]
#[specta::specta]
pub fn incoming_handling(state: State<'_, AppState>, id: u32) -> Res<HandlingView> {
    handling_of(&registry(&state), id.into())
}

/// Ghi tiến độ, gửi dự thảo trả lời (a file path) or xin gia hạn (a later date, a reason).
#[tauri::command(async)]
#[specta::specta]
pub fn add_handling_note(
    app: AppHandle,
    state: State<'_, AppState>,
    id: u32,
    kind: String,
    body: Option<String>,
    deadline: Option<String>,
    file: Option<String>,
) -> Res<HandlingView> {
    let view = add_note_in(
        &mut registry(&state),
        id.into(),
        &kind,
        body,
        deadline,
        file,
    )?;
    crate::events::send(&app, crate::events::IncomingChanged);
    app.state::<SyncService>().wake();
    Ok(view)
}

/// The leader grants or refuses the pending extension request.
#[tauri::command(async)]
#[specta::specta]
pub fn decide_extension(
    app: AppHandle,
    state: State<'_, AppState>,
    id: u32,
    granted: bool,
    note: Option<String>,
) -> Res<HandlingView> {
    let view = {
        let mut reg = registry(&state);
        reg.decide_extension(id.into(), granted, note.as_deref())?;
        handling_of(&reg, id.into())?
    };
    crate::events::send(&app, crate::events::IncomingChanged);
    app.state::<SyncService>().wake();
    Ok(view)
}
