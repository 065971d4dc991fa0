//! The events the shell sends to the UI, typed like the commands: each is registered with
//! the specta builder, so ui/src/bindings.ts has `events.<name>.listen(...)` with its payload
//! type and the UI never spells an event name.
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::AppHandle;
use tauri_specta::Event;

use crate::signing::{SignProgress, TokenStatus};
use crate::sync::SyncStatus;

/// The scan folder produced or consumed a draft ("Chờ vào sổ" changed).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct DraftsChanged;

impl Event for DraftsChanged {
    const NAME: &'static str = "drafts-changed";
}

/// Documents were added or changed outside the UI's own commands (received through the hub,
/// an answer or a signed copy from another desktop, a processing step).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct IncomingChanged;

impl Event for IncomingChanged {
    const NAME: &'static str = "incoming-changed";
}

/// The sync engine's state changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SyncStatusChanged(pub SyncStatus);

impl Event for SyncStatusChanged {
    const NAME: &'static str = "sync-status-changed";
}

/// A token was inserted or pulled out, or its PIN state changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TokenChanged(pub TokenStatus);

impl Event for TokenChanged {
    const NAME: &'static str = "token-changed";
}

/// One more document of a signing batch is being signed.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SigningProgress(pub SignProgress);

impl Event for SigningProgress {
    const NAME: &'static str = "signing-progress";
}

/// A backup was written to the backup folder, or a scheduled one failed (Cài đặt reloads).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct BackupsChanged;

impl Event for BackupsChanged {
    const NAME: &'static str = "backups-changed";
}

/// A notice was given (the header's bell lists it).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct NoticeGiven(pub crate::notices::NoticeView);

impl Event for NoticeGiven {
    const NAME: &'static str = "notice-given";
}

/// Every event, for the specta builder.
pub fn all() -> tauri_specta::Events {
    tauri_specta::collect_events![
        DraftsChanged,
        IncomingChanged,
        SyncStatusChanged,
        TokenChanged,
        SigningProgress,
        BackupsChanged,
        NoticeGiven
    ]
}

/// Sends `event`; a closed window only loses a refresh, so failures are logged, not returned.
pub fn send<E: Event + Serialize + Clone>(app: &AppHandle, event: E) {
    if let Err(err) = event.emit(app) {
        tracing::warn!(%err, event = E::NAME, "cannot send an event to the UI");
    }
}
