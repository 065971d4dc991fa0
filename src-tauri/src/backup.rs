//! Cài đặt → Sao lưu dữ liệu: the schedule (`vanthu_core::backup_schedule`), "Sao lưu ngay",
//! and the background thread that takes a backup when one is due. The backup reads the
//! register through its own connection, so registering goes on while it runs.
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use vanthu_core::backup_schedule::{self, BackupSchedule};
use vanthu_registry::Registry;

use crate::error::{vietnamese, CommandError};
use crate::events;

type Res<T> = Result<T, CommandError>;

/// How often the background thread looks whether a backup is due.
const CHECK_EVERY: Duration = Duration::from_secs(10 * 60);
/// The first look, a little after start so the app opens first.
const FIRST_CHECK: Duration = Duration::from_secs(60);

/// The outcome of the last scheduled backup, shown in Cài đặt.
#[derive(Default)]
pub struct BackupState {
    data_dir: PathBuf,
    last_error: Mutex<Option<String>>,
    /// One backup at a time (the thread and "Sao lưu ngay").
    running: Mutex<()>,
}

/// The schedule and the backups in its folder.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupSettings {
    pub folder: Option<String>,
    pub every_hours: u32,
    pub keep: u32,
    /// RFC 3339; None without a folder. In the past when a backup is due now.
    pub next_due: Option<String>,
    /// Newest first.
    pub backups: Vec<BackupFile>,
    /// Why the last scheduled backup failed (cleared by the next success).
    pub last_error: Option<String>,
}

/// One backup in the folder.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    pub path: String,
    /// Bytes; f64 because sizes may pass 4 GiB.
    pub size: f64,
    /// RFC 3339, local time.
    pub taken_at: String,
}

/// What the user changes in Cài đặt.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupScheduleInput {
    /// None or empty: no scheduled backups.
    pub folder: Option<String>,
    pub every_hours: u32,
    pub keep: u32,
}

fn settings_of(state: &BackupState) -> Res<BackupSettings> {
    let s = BackupSchedule::load(&state.data_dir)?;
    let backups = match &s.folder {
        Some(f) => backup_schedule::list_backups(f)?,
        None => Vec::new(),
    };
    Ok(BackupSettings {
        folder: s.folder.as_ref().map(|f| f.display().to_string()),
        every_hours: s.every_hours,
        keep: u32::try_from(s.keep).unwrap_or(u32::MAX),
        next_due: s.next_due(&backups).map(|t| t.to_rfc3339()),
        backups: backups
            .iter()
            .map(|b| BackupFile {
                path: b.path.display().to_string(),
                size: b.size as f64,
                taken_at: b.taken_at.to_rfc3339(),
            })
            .collect(),
        last_error: state
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
    })
}

/// Takes a backup now if `force`, else only if the schedule says one is due; false when
/// nothing was taken. The register is opened only for a backup.
fn run(state: &BackupState, force: bool) -> Res<bool> {
    let _one_at_a_time = state.running.lock().unwrap_or_else(|e| e.into_inner());
    let schedule = BackupSchedule::load(&state.data_dir)?;
    if schedule.folder.is_none() {
        return if force {
            Err(CommandError::not_configured("Chưa chọn thư mục sao lưu"))
        } else {
            Ok(false)
        };
    }
    if !force && !schedule.is_due(chrono::Local::now())? {
        return Ok(false);
    }
    let reg = Registry::open_existing(&state.data_dir)?;
    Ok(schedule.run_now(&reg)?.is_some())
}

fn record(state: &BackupState, outcome: &Res<bool>) {
    let mut last = state.last_error.lock().unwrap_or_else(|e| e.into_inner());
    match outcome {
        Ok(_) => *last = None,
        Err(e) => *last = Some(vietnamese(e.message())),
    }
}

/// Starts the background thread; a unit without a schedule costs one small file read
/// every ten minutes.
pub fn init(app: &AppHandle, data_dir: &Path) {
    app.manage(BackupState {
        data_dir: data_dir.to_path_buf(),
        ..Default::default()
    });
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("backup-schedule".into())
        .spawn(move || {
            std::thread::sleep(FIRST_CHECK);
            loop {
                let state = app.state::<BackupState>();
                let outcome = run(&state, false);
                if let Err(e) = &outcome {
                    tracing::warn!(error = e.message(), "scheduled backup failed");
                }
                if !matches!(outcome, Ok(false)) {
                    record(&state, &outcome);
                    events::send(&app, events::BackupsChanged);
                }
                std::thread::sleep(CHECK_EVERY);
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "scheduled backups not started");
    }
}

#[tauri::command(async)]
#[specta::specta]
pub fn backup_settings(state: State<'_, BackupState>) -> Res<BackupSettings> {
    settings_of(&state)
}

#[tauri::command(async)]
#[specta::specta]
pub fn set_backup_schedule(
    state: State<'_, BackupState>,
    input: BackupScheduleInput,
) -> Res<BackupSettings> {
    let schedule = BackupSchedule {
        folder: input
            .folder
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .map(PathBuf::from),
        every_hours: input.every_hours,
        keep: input.keep as usize,
    };
    schedule.save(&state.data_dir)?;
    settings_of(&state)
}

#[tauri::command(async)]
#[specta::specta]
pub fn backup_now(app: AppHandle, state: State<'_, BackupState>) -> Res<BackupSettings> {
    let outcome = run(&state, true);
    record(&state, &outcome);
    outcome?;
    events::send(&app, events::BackupsChanged);
    settings_of(&state)
}
