//! The numbers at the top of Văn bản đến (issue 21, item 3): Việc của tôi, Sắp đến hạn, Quá
//! hạn from the register (`Registry::dashboard`), Chờ ký from the signing queue, Chưa phản hồi
//! from the sync queues' overdue recipients. Each incoming number comes with its documents, so
//! a click lists them.
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};
use vanthu_registry::Registry;

use crate::commands::CommandError;
use crate::dto::IncomingRow;
use crate::AppState;

/// A deadline this many days ahead is "sắp đến hạn" (today included).
pub const SOON_DAYS: u32 = 3;
/// The most documents one number lists (the number itself counts them all).
const LISTED: usize = 200;

/// The start page's numbers.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardView {
    pub mine: u32,
    pub mine_rows: Vec<IncomingRow>,
    pub due_soon: u32,
    pub due_soon_rows: Vec<IncomingRow>,
    pub overdue: u32,
    pub overdue_rows: Vec<IncomingRow>,
    /// Drafts waiting for a signature (Chờ ký).
    pub to_sign: u32,
    /// Recipients of what we sent that have not received or acknowledged it in time.
    pub unanswered: u32,
}

fn rows(reg: &Registry, ids: &[i64]) -> Result<Vec<IncomingRow>, CommandError> {
    ids.iter()
        .take(LISTED)
        .map(|id| Ok((&reg.get(*id)?).into()))
        .collect()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The register's part of the start page as of `today` (the sync part is the caller's).
pub fn dashboard_of(
    reg: &Registry,
    today: chrono::NaiveDate,
) -> Result<DashboardView, CommandError> {
    let d = reg.dashboard(today, SOON_DAYS)?;
    Ok(DashboardView {
        mine: count(d.mine.len()),
        mine_rows: rows(reg, &d.mine)?,
        due_soon: count(d.due_soon.len()),
        due_soon_rows: rows(reg, &d.due_soon)?,
        overdue: count(d.overdue.len()),
        overdue_rows: rows(reg, &d.overdue)?,
        to_sign: count(reg.signing_queue()?.len()),
        unanswered: 0,
    })
}

#[tauri::command(async)]
#[specta::specta]
pub fn dashboard(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, crate::sync::SyncService>,
) -> Result<DashboardView, CommandError> {
    let mut view = {
        let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
        dashboard_of(&reg, chrono::Local::now().date_naive())?
    };
    // Sync not configured or its state unreadable: nothing sent, nothing overdue.
    view.unanswered = sync.alerts(&app).map(|a| count(a.len())).unwrap_or(0);
    Ok(view)
}
