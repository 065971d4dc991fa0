//! Tauri commands: argument mapping plus one crate call each. No logic lives here.
//!
//! Every command that reads the register or a file is `#[tauri::command(async)]`: a plain
//! command runs on the main thread, which also serves the webview's requests and paints the
//! window, so a query there (a count over a 1M register, a sort) froze the UI meanwhile.
use std::sync::MutexGuard;

use chrono::{Datelike, NaiveDate};
use tauri::{AppHandle, State};
use vanthu_registry::{NewIncoming, Register, Registry, SearchQuery, Series};

use crate::dto::*;
use crate::AppState;

pub use crate::error::CommandError;

type Res<T> = Result<T, CommandError>;

fn registry<'a>(state: &'a State<'_, AppState>) -> MutexGuard<'a, Registry> {
    // A panic while holding the lock leaves SQLite consistent (transactions roll back).
    state.registry.lock().unwrap_or_else(|e| e.into_inner())
}

fn date(field: &str, text: &str) -> Res<NaiveDate> {
    text.parse().map_err(|_| {
        CommandError::invalid(format!(
            "{field} không hợp lệ / invalid date: {text:?} (yyyy-mm-dd)"
        ))
    })
}

pub(crate) fn opt_date(field: &str, text: Option<String>) -> Res<Option<NaiveDate>> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| date(field, &t))
        .transpose()
}

impl RegisterIncoming {
    fn to_new(&self) -> Res<NewIncoming> {
        Ok(NewIncoming {
            sender: self.sender_code.clone(),
            notation: self.notation.clone(),
            document_date: date("Ngày văn bản", &self.document_date)?,
            arrival_date: Some(date("Ngày đến", &self.arrival_date)?),
            doc_type: self.doc_type.clone(),
            subject: self.subject.clone(),
            signer: self.signer.clone(),
            urgency: self.urgency.into(),
            secrecy: self.secrecy.into(),
            deadline: opt_date("Hạn xử lý", self.deadline.clone())?,
            notes: self.notes.clone(),
            files: self.files.iter().map(Into::into).collect(),
            ..Default::default()
        })
    }
}

#[tauri::command(async)]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> Res<AppInfo> {
    let unit = registry(&state).own_unit()?;
    Ok(AppInfo {
        // The same line as `vanthu --version`: what a clerk reads out when reporting a problem.
        version: concat!(
            env!("CARGO_PKG_VERSION"),
            " (commit ",
            env!("VANTHU_COMMIT"),
            ", build ",
            env!("VANTHU_BUILD_DATE"),
            ")"
        )
        .to_string(),
        data_dir: state.data_dir.display().to_string(),
        unit: unit.map(|(code, name)| Agency { code, name }),
    })
}

/// First run: records which unit this register belongs to.
#[tauri::command(async)]
#[specta::specta]
pub fn init_unit(state: State<'_, AppState>, code: String, name: String) -> Res<Agency> {
    Ok((&registry(&state).init_unit(code.trim(), name.trim())?).into())
}

#[tauri::command(async)]
#[specta::specta]
pub fn list_incoming(state: State<'_, AppState>, query: ListQuery) -> Res<ListPage> {
    let page = registry(&state).search(&SearchQuery {
        text: query.search,
        register: Some(Register::Incoming),
        urgency: query.urgency.map(Into::into),
        state: query.status,
        limit: query.limit as usize,
        cursor: query.cursor,
        sort: query.sort.map(Into::into),
        ..Default::default()
    })?;
    let mut rows: Vec<IncomingRow> = page.hits.iter().map(Into::into).collect();
    crate::desks::fill_mirrors(&registry(&state), &mut rows)?;
    Ok(ListPage {
        rows,
        next_cursor: page.next_cursor,
    })
}

#[tauri::command(async)]
#[specta::specta]
pub fn count_incoming(state: State<'_, AppState>) -> Res<u32> {
    let n = registry(&state).count(Some(Register::Incoming))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_incoming(state: State<'_, AppState>, id: u32) -> Res<IncomingDetail> {
    let reg = registry(&state);
    let mut detail: IncomingDetail = (&reg.get(id.into())?).into();
    crate::desks::fill_mirrors(&reg, std::slice::from_mut(&mut detail.row))?;
    detail.history = reg
        .status_events(id.into())?
        .iter()
        .map(Into::into)
        .collect();
    detail.offers_arrival_stamp = offers_arrival_stamp(&reg, id.into());
    Ok(detail)
}

/// Whether "Đóng dấu đến" is offered on document `id`: the registry's rules, asked
/// without a token.
pub(crate) fn offers_arrival_stamp(reg: &vanthu_registry::Registry, id: i64) -> bool {
    reg.require(vanthu_domain::roles::Duty::SealAsOrganisation)
        .is_ok()
        && reg.arrival_stamp_item(id).is_ok()
}

/// The số đến the next registration would get (mật and above have their own series).
#[tauri::command(async)]
#[specta::specta]
pub fn next_arrival_number(
    state: State<'_, AppState>,
    secrecy: Secrecy,
    arrival_date: String,
) -> Res<u32> {
    let year = date("Ngày đến", &arrival_date)?.year();
    Ok(registry(&state).next_number(
        Register::Incoming,
        Series::for_secrecy(secrecy.into()),
        year,
    )?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn register_incoming(
    app: AppHandle,
    state: State<'_, AppState>,
    input: RegisterIncoming,
) -> Res<IncomingRow> {
    let new = input.to_new()?;
    let rec = match input.draft_id {
        None => registry(&state).register_incoming(new)?,
        Some(id) => {
            let rec = vanthu_core::scan::register(&mut registry(&state), id.into(), new)?;
            crate::notify_drafts_changed(&app);
            rec
        }
    };
    crate::viewer::index_text_in_background(&app, rec.id);
    Ok((&rec).into())
}

#[tauri::command(async)]
#[specta::specta]
pub fn search_agencies(state: State<'_, AppState>, query: String, limit: u32) -> Res<Vec<Agency>> {
    let found = registry(&state).find_agencies(&query)?;
    Ok(found.iter().take(limit as usize).map(Into::into).collect())
}

#[tauri::command]
#[specta::specta]
pub fn list_doc_types() -> Vec<DocType> {
    vanthu_domain::DocumentType::all()
        .iter()
        .map(Into::into)
        .collect()
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> Res<Settings> {
    Ok(crate::settings(&state)?)
}

/// Sets (or clears, with None) the scan folder and restarts the watcher on it.
#[tauri::command(async)]
#[specta::specta]
pub fn set_scan_folder(
    app: AppHandle,
    state: State<'_, AppState>,
    path: Option<String>,
) -> Res<Settings> {
    Ok(crate::set_scan_folder(
        &app,
        &state,
        path.filter(|p| !p.trim().is_empty()).map(Into::into),
    )?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn list_drafts(state: State<'_, AppState>) -> Res<Vec<Draft>> {
    Ok(registry(&state)
        .scan_drafts()?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Drops a scan from "Chờ vào sổ" (a blank page, a duplicate scan).
#[tauri::command(async)]
#[specta::specta]
pub fn discard_draft(app: AppHandle, state: State<'_, AppState>, id: u32) -> Res<()> {
    vanthu_core::scan::discard(&mut registry(&state), id.into())?;
    crate::notify_drafts_changed(&app);
    Ok(())
}
