//! The notices this desktop gave, kept for the header's bell: the OS notification itself
//! cannot open a document when clicked (tauri-plugin-notification has no click callback on
//! Linux and Windows desktops), so each notice is also listed in the app, and a click there
//! opens its document (or the section its documents are in).
use std::collections::VecDeque;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use vanthu_core::notices::{Notice, NoticeKind};

use crate::commands::CommandError;

/// How many notices the bell keeps (the oldest go first).
const KEEP: usize = 30;

/// A notice as the bell lists it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NoticeView {
    /// Grows with each notice: the UI knows which it has seen.
    pub seq: u32,
    /// `new_incoming` | `to_sign` | `assigned_to_me` | `due_soon`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The documents it names (several when a batch was summed up).
    pub document_ids: Vec<u32>,
    /// The section its documents are in: `incoming` | `signing`.
    pub section: String,
    /// dd/mm/yyyy hh:mm
    pub at: String,
}

/// The notices given since the app started, newest last.
#[derive(Default)]
pub struct RecentNotices {
    list: Mutex<(u32, VecDeque<NoticeView>)>,
}

fn kind_name(k: NoticeKind) -> (&'static str, &'static str) {
    match k {
        NoticeKind::NewIncoming => ("new_incoming", "incoming"),
        NoticeKind::ToSign => ("to_sign", "signing"),
        NoticeKind::AssignedToMe => ("assigned_to_me", "incoming"),
        NoticeKind::DueSoon => ("due_soon", "incoming"),
    }
}

impl RecentNotices {
    /// Keeps `n` (given now) for the bell.
    pub fn record(&self, n: &Notice, at: chrono::DateTime<chrono::Local>) -> NoticeView {
        let mut guard = self.list.lock().unwrap_or_else(|e| e.into_inner());
        guard.0 += 1;
        let (kind, section) = kind_name(n.kind);
        let view = NoticeView {
            seq: guard.0,
            kind: kind.to_owned(),
            title: n.title.clone(),
            body: n.body.clone(),
            document_ids: n.documents.iter().map(|&d| d as u32).collect(),
            section: section.to_owned(),
            at: at.format("%d/%m/%Y %H:%M").to_string(),
        };
        guard.1.push_back(view.clone());
        while guard.1.len() > KEEP {
            guard.1.pop_front();
        }
        view
    }

    /// Every notice kept, newest first.
    pub fn list(&self) -> Vec<NoticeView> {
        let guard = self.list.lock().unwrap_or_else(|e| e.into_inner());
        guard.1.iter().rev().cloned().collect()
    }
}

/// The notices given since the app started, newest first.
#[tauri::command(async)]
#[specta::specta]
pub fn recent_notices(notices: State<'_, RecentNotices>) -> Result<Vec<NoticeView>, CommandError> {
    Ok(notices.list())
}
