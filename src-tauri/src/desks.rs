//! Several desktops of one unit (docs/sync.md, "Several desktops of one unit"): "Trình lãnh
//! đạo" from the clerk's desktop, the submissions a document went through, where a mirror
//! record on the leader's desktop came from, and the block-numbering desktop id. The rules
//! live in the registry (`Registry::submit_document`, `mirror_info`, `set_numbering_desktop`)
//! and the sync bridge (`vanthu_sync::desks`); these commands map arguments and results.
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use vanthu_registry::desks::Submission;
use vanthu_registry::{OutboxState, Registry};

use crate::commands::CommandError;
use crate::dto::IncomingRow;
use crate::sync::SyncService;
use crate::AppState;

type Res<T> = Result<T, CommandError>;

/// Where a submission stands, as the clerk sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    /// Not yet handed to the hub (no sync round since, or offline).
    Waiting,
    /// The hub accepted the package for the leader's desktop.
    Delivered,
    /// The leader's answer came back and was applied to the document.
    Answered,
}

impl SubmissionState {
    pub fn label_vi(self) -> &'static str {
        match self {
            SubmissionState::Waiting => "chờ đồng bộ",
            SubmissionState::Delivered => "đã chuyển",
            SubmissionState::Answered => "lãnh đạo đã cho ý kiến",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionView {
    pub id: u32,
    /// `UNIT/DESKTOP` of the leader's desktop.
    pub to_desktop: String,
    pub note: Option<String>,
    /// RFC 3339, local time of this desktop.
    pub created_at: String,
    pub state: SubmissionState,
    pub state_label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MirrorView {
    /// `UNIT/DESKTOP` of the clerk's desktop that submitted the document.
    pub origin: String,
    /// The số đến the clerk's desktop gave ("15", "Số tạm T-VT1-3").
    pub number_label: Option<String>,
    /// A handler's copy of an assigned document: `lead` (chủ trì) | `support` (phối hợp).
    pub handling_role: Option<String>,
}

/// What the detail pane shows about the desktops of the unit for one document.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeskInfo {
    pub submissions: Vec<SubmissionView>,
    /// Set on the leader's desktop for a document submitted by the clerk's desktop.
    pub mirror: Option<MirrorView>,
    /// "Trình lãnh đạo" is offered (vanthu_core::offer::offers_submit_to_leader).
    pub offers_submit_to_leader: bool,
}

fn view(sub: Submission, outbox_state: Option<OutboxState>) -> SubmissionView {
    let state = if sub.answered_at.is_some() {
        SubmissionState::Answered
    } else if outbox_state == Some(OutboxState::Sent) {
        SubmissionState::Delivered
    } else {
        SubmissionState::Waiting
    };
    SubmissionView {
        id: u32::try_from(sub.id).unwrap_or(u32::MAX),
        to_desktop: sub.to_desktop,
        note: sub.note,
        created_at: sub.created_at,
        state,
        state_label: state.label_vi().to_owned(),
    }
}

/// The submissions and mirror origin of a document; `outbox_state` gives where a package
/// stands in the sync outbox, by message id.
pub fn desk_info(
    reg: &Registry,
    document_id: i64,
    outbox_state: impl Fn(&str) -> Option<OutboxState>,
) -> Result<DeskInfo, vanthu_registry::Error> {
    let submissions = reg
        .submissions(Some(document_id))?
        .into_iter()
        .map(|s| {
            let st = outbox_state(&s.message_id);
            view(s, st)
        })
        .collect();
    let role = reg.handling_role(document_id)?;
    let mirror = reg.mirror_info(document_id)?.map(|m| MirrorView {
        origin: m.origin,
        number_label: m.number_label,
        handling_role: role.map(|r| r.as_str().to_owned()),
    });
    Ok(DeskInfo {
        submissions,
        mirror,
        offers_submit_to_leader: vanthu_core::offer::offers_submit_to_leader(reg, document_id)?,
    })
}

/// Adds the origin and số đến of mirror records to list rows. Only rows without a number
/// of their own can be mirrors, so a page of the unit's own documents costs no query.
pub fn fill_mirrors(
    reg: &Registry,
    rows: &mut [IncomingRow],
) -> Result<(), vanthu_registry::Error> {
    for row in rows
        .iter_mut()
        .filter(|r| r.arrival_number == 0 && r.provisional_number.is_none())
    {
        if let Some(m) = reg.mirror_info(row.id.into())? {
            row.mirror_origin = Some(m.origin);
            row.number_label = m.number_label.clone().unwrap_or_default();
            row.mirror_number = m.number_label;
        }
    }
    Ok(())
}

fn registry<'a>(state: &'a State<'_, AppState>) -> std::sync::MutexGuard<'a, Registry> {
    state.registry.lock().unwrap_or_else(|e| e.into_inner())
}

fn info(app: &AppHandle, reg: &Registry, id: u32) -> Res<DeskInfo> {
    let svc = app.state::<SyncService>();
    Ok(desk_info(reg, id.into(), |m| svc.outbox_state(m))?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn desk_info_of(app: AppHandle, state: State<'_, AppState>, id: u32) -> Res<DeskInfo> {
    info(&app, &registry(&state), id)
}

/// "Trình lãnh đạo": queues the document for the leader's desktop (`UNIT/DESKTOP`) and
/// wakes the sync engine so it leaves now when the hub is reachable.
#[tauri::command(async)]
#[specta::specta]
pub fn submit_to_desktop(
    app: AppHandle,
    state: State<'_, AppState>,
    id: u32,
    to: String,
    note: Option<String>,
) -> Res<DeskInfo> {
    let info = {
        let mut reg = registry(&state);
        reg.submit_document(id.into(), &to, note.as_deref())?;
        info(&app, &reg, id)?
    };
    // Not configured yet: the submission waits in the register for the first round.
    app.state::<SyncService>().wake();
    Ok(info)
}

/// The desktop id of block numbering (`vanthu sync numbering --desktop`), None when this
/// desktop numbers alone.
#[tauri::command(async)]
#[specta::specta]
pub fn numbering_desktop(state: State<'_, AppState>) -> Res<Option<String>> {
    Ok(registry(&state).numbering_desktop()?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn set_numbering_desktop(
    state: State<'_, AppState>,
    desktop: Option<String>,
) -> Res<Option<String>> {
    let mut reg = registry(&state);
    let desktop = desktop
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    reg.set_numbering_desktop(desktop.as_deref())?;
    Ok(reg.numbering_desktop()?)
}

/// One year of the numbering as Cài đặt shows it: whether it is closed (khóa sổ), when, and
/// the unused numbers that closing voided.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NumberingYear {
    pub year: i32,
    /// RFC 3339; None while the year is open.
    pub closed_at: Option<String>,
    /// "Sổ đến 41–50", one per voided range.
    pub voided: Vec<String>,
}

fn voided_labels(reg: &Registry, year: i32) -> Res<Vec<String>> {
    Ok(reg
        .voided_numbers()?
        .into_iter()
        .filter(|v| v.year == year)
        .map(|v| {
            let book = if v.register == "outgoing" {
                "Sổ đi"
            } else {
                "Sổ đến"
            };
            let series = if v.series == "secret" { " (mật)" } else { "" };
            format!("{book}{series} {}–{}", v.first, v.last)
        })
        .collect())
}

/// The numbering of `year` in `reg`: open, or closed and when, with its void ranges.
pub fn numbering_year_of(reg: &Registry, year: i32) -> Res<NumberingYear> {
    Ok(NumberingYear {
        year,
        closed_at: reg.numbering_closed_at(year)?,
        voided: voided_labels(reg, year)?,
    })
}

/// The numbering of `year`: open, or closed and when.
#[tauri::command(async)]
#[specta::specta]
pub fn numbering_year(state: State<'_, AppState>, year: i32) -> Res<NumberingYear> {
    numbering_year_of(&registry(&state), year)
}

/// Khóa sổ: closes `year`'s numbering (the registry refuses while documents of that year
/// still wait for their number); a second call changes nothing.
#[tauri::command(async)]
#[specta::specta]
pub fn close_numbering_year(state: State<'_, AppState>, year: i32) -> Res<NumberingYear> {
    let mut reg = registry(&state);
    reg.close_numbering_year(year)?;
    numbering_year_of(&reg, year)
}
