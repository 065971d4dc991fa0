//! Timing marks from the UI (bench/app): the page reports when something became visible,
//! stamped with its own clock (`performance.timeOrigin + performance.now()`, Unix ms), and
//! the mark lands in the log where the benchmark reads it.

/// Logs a UI timing mark.
#[tauri::command]
#[specta::specta]
pub fn ui_mark(name: String, epoch_ms: f64) {
    tracing::info!(target: "vanthu::ui_mark", mark = %name, epoch_ms = format!("{epoch_ms:.3}"), "ui mark");
}
