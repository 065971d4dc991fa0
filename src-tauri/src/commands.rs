//! Tauri commands: argument mapping plus one crate call each. No logic lives here.
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::AppState;

/// Errors cross the IPC boundary as one Vietnamese line the UI can show as is.
#[derive(Debug, Serialize, Type)]
#[serde(transparent)]
pub struct CommandError(pub String);

impl<E: std::fmt::Display> From<E> for CommandError {
    fn from(err: E) -> Self {
        CommandError(err.to_string())
    }
}

#[derive(Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: state.data_dir.display().to_string(),
    }
}
