//! Timing marks (bench/app): the back end marks its own start-up steps, the page reports
//! when something became visible, stamped with its own clock
//! (`performance.timeOrigin + performance.now()`, Unix ms). Every mark lands in the log as
//! `mark=<name> epoch_ms=<ms>`, where the benchmark reads it.
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (the page's clock uses the same origin).
pub fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Logs a mark taken at `epoch_ms`.
pub fn mark_at(name: &str, epoch_ms: f64) {
    tracing::info!(target: "vanthu::ui_mark", mark = %name, epoch_ms = format!("{epoch_ms:.3}"), "ui mark");
}

/// Logs a mark taken now.
pub fn mark(name: &str) {
    mark_at(name, now_ms());
}

/// Logs a UI timing mark.
#[tauri::command]
#[specta::specta]
pub fn ui_mark(name: String, epoch_ms: f64) {
    mark_at(&name, epoch_ms);
}
