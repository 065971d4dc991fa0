//! Acting on an incoming document of this unit from the detail pane: vào sổ, từ chối (with
//! the reason), phân công (with the handler), bắt đầu xử lý, hoàn thành, and the answer to a
//! sender's pending recall/update/replace. What is offered and what each does is
//! `Registry::offered_actions` / `take_action`; these commands map them to the UI's
//! `(to, actor)` pair.
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use vanthu_domain::{Actor, IncomingState, ProcessingStep};
use vanthu_registry::{IncomingAction, OfferedAction};

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
