//! Processing an incoming document of this unit from the detail pane: vào sổ, từ chối (with
//! the reason), phân công (with the handler), bắt đầu xử lý, hoàn thành. Which steps a state
//! offers is `vanthu_domain::processing_steps`; the step and its register columns are one
//! transaction in `Registry::process_incoming`, which also queues the sender's status.
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Emitter, Manager, State};
use vanthu_domain::{processing_steps, Actor, IncomingState, ProcessingStep};

use crate::commands::CommandError;
use crate::sync::SyncService;
use crate::AppState;

type Res<T> = Result<T, CommandError>;

/// One step the detail pane may offer.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// Target state (`registered`, `rejected`, `assigned`, `in_progress`, `completed`).
    pub to: String,
    /// clerk | leader | handler
    pub actor: String,
    pub label: String,
    pub needs_reason: bool,
    pub needs_handler: bool,
}

fn actor_str(a: Actor) -> &'static str {
    match a {
        Actor::System => "system",
        Actor::Clerk => "clerk",
        Actor::Leader => "leader",
        Actor::Handler => "handler",
    }
}

fn parse_step(to: &str, actor: &str) -> Res<ProcessingStep> {
    let to: IncomingState = to.parse().map_err(CommandError)?;
    let actor = match actor {
        "clerk" => Actor::Clerk,
        "leader" => Actor::Leader,
        "handler" => Actor::Handler,
        other => {
            return Err(CommandError(format!(
                "vai trò không hợp lệ / bad actor {other}"
            )))
        }
    };
    Ok(ProcessingStep { to, actor })
}

fn registry<'a>(
    state: &'a State<'_, AppState>,
) -> std::sync::MutexGuard<'a, vanthu_registry::Registry> {
    state.registry.lock().unwrap_or_else(|e| e.into_inner())
}

/// The steps offered for a document now: none for an outgoing document or a leader's copy
/// of a submission (Phân công on a mirror is the desks flow).
#[tauri::command(async)]
#[specta::specta]
pub fn incoming_steps(state: State<'_, AppState>, id: u32) -> Res<Vec<StepView>> {
    let reg = registry(&state);
    let rec = reg.get(id.into())?;
    if rec.register != vanthu_registry::Register::Incoming || reg.mirror_info(id.into())?.is_some()
    {
        return Ok(Vec::new());
    }
    let Ok(from) = rec.state.parse::<IncomingState>() else {
        return Ok(Vec::new());
    };
    let mut steps: Vec<StepView> = processing_steps(from)
        .into_iter()
        .map(|s| StepView {
            to: s.to.as_str().to_owned(),
            actor: actor_str(s.actor).to_owned(),
            label: s.label_vi().to_owned(),
            needs_reason: s.needs_reason(),
            needs_handler: s.needs_handler(),
        })
        .collect();
    // The sender asked to recall/update/replace it: the clerk decides first.
    if let Some(action) = rec.pending_action.as_deref() {
        let accept = if action == "recall" {
            "Đồng ý thu hồi"
        } else {
            "Đồng ý thay thế"
        };
        let decision = |to: &str, label: &str, needs_reason| StepView {
            to: to.to_owned(),
            actor: "clerk".to_owned(),
            label: label.to_owned(),
            needs_reason,
            needs_handler: false,
        };
        steps.insert(0, decision(REFUSE_REQUEST, "Từ chối đề nghị", true));
        steps.insert(0, decision(ACCEPT_REQUEST, accept, false));
    }
    Ok(steps)
}

/// Pseudo-steps: the clerk's answer to a sender's pending recall/update/replace.
const ACCEPT_REQUEST: &str = "accept_request";
const REFUSE_REQUEST: &str = "refuse_request";

/// Takes one step; the sender's status leaves at the next sync round, which starts now.
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
    let mut reg = registry(&state);
    match to.as_str() {
        ACCEPT_REQUEST => {
            reg.accept_pending_action(id.into(), note.as_deref())?;
        }
        REFUSE_REQUEST => {
            reg.refuse_pending_action(id.into(), note.as_deref().unwrap_or_default())?;
        }
        _ => {
            let step = parse_step(&to, &actor)?;
            reg.process_incoming(id.into(), step, note.as_deref(), handler.as_deref())?;
        }
    }
    drop(reg);
    let _ = app.emit(crate::sync::INCOMING_CHANGED, ());
    app.state::<SyncService>().wake();
    Ok(())
}
