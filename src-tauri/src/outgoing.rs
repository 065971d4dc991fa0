//! Văn bản đi: the outgoing register, issuing a number and "Gửi qua trục" (docs/sync.md).
//! Commands map arguments and results; the rules live in the registry.
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use vanthu_core::offer::{offered_outgoing, DeskPosition, OutgoingOffer};
use vanthu_domain::OutgoingState;
use vanthu_registry::{DocumentRecord, Register, Registry, SearchQuery};

use crate::commands::CommandError;
use crate::dto::{Secrecy, Urgency};
use crate::AppState;

type Res<T> = Result<T, CommandError>;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingRow {
    pub id: u32,
    /// Số, ký hiệu ("12/UBND-VP"; "/UBND-VP" before it is issued).
    pub notation: String,
    /// "12", or "Số tạm T-VT1-3" while the final number waits for the next sync.
    pub number_label: Option<String>,
    /// Ngày ban hành, yyyy-mm-dd.
    pub document_date: Option<String>,
    pub doc_type: String,
    pub subject: String,
    pub recipients: Vec<String>,
    /// Recipients reached over the hub (those with an agency code).
    pub hub_recipients: u32,
    pub secrecy: Secrecy,
    pub secrecy_label: String,
    pub status: String,
    pub status_label: String,
    /// Ngày gửi, yyyy-mm-dd.
    pub dispatched_date: Option<String>,
    /// A PDF is attached (what the leader signs).
    pub has_pdf: bool,
    /// On the leader's desktop: the clerk's desktop that submitted this draft.
    pub mirror_origin: Option<String>,
    /// On the clerk's desktop: the leader's desktop of the latest trình ký, while it is
    /// neither signed nor returned.
    pub submitted_to: Option<String>,
    /// On the clerk's desktop: the latest trình ký came back unsigned (trả lại).
    pub returned: bool,
    /// The leader's reason with the return.
    pub returned_note: Option<String>,
    /// What this desktop may do next (decided by the registry, shown as is).
    pub actions: OutgoingActions,
}

/// The actions offered on an outgoing row (`vanthu_registry::outgoing_offer`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingActions {
    /// "Cấp số".
    pub issue: bool,
    /// "Gửi qua trục".
    pub send: bool,
    /// "Trình ký" to the leader's desktop.
    pub submit_for_signing: bool,
    /// The number is a Số tạm (waits for the next sync).
    pub provisional_number: bool,
    /// "Thu hồi": recall it from its recipients.
    pub recall: bool,
    /// "Cập nhật" / "Thay thế": send its corrected version.
    pub revise: bool,
}

impl From<OutgoingOffer> for OutgoingActions {
    fn from(o: OutgoingOffer) -> Self {
        OutgoingActions {
            issue: o.issue,
            send: o.send,
            submit_for_signing: o.submit_for_signing,
            provisional_number: o.provisional_number,
            recall: o.recall,
            revise: o.revise,
        }
    }
}

impl From<&DocumentRecord> for OutgoingRow {
    fn from(r: &DocumentRecord) -> Self {
        OutgoingRow {
            id: u32::try_from(r.id).unwrap_or(u32::MAX),
            notation: r.notation.clone(),
            number_label: r.number_label(),
            document_date: r.document_date.map(|d| d.to_string()),
            doc_type: r.doc_type.clone(),
            subject: r.subject.clone(),
            recipients: r.recipients.iter().map(|x| x.name.clone()).collect(),
            hub_recipients: r
                .recipients
                .iter()
                .filter(|x| x.agency_code.is_some())
                .count() as u32,
            secrecy: r.secrecy.into(),
            secrecy_label: r.secrecy.label_vi().to_string(),
            status: r.state.as_str().to_owned(),
            status_label: r.state_label.clone(),
            dispatched_date: r.dispatched_date.map(|d| d.to_string()),
            has_pdf: r
                .attachments
                .iter()
                .any(|a| a.media_type == "application/pdf"),
            mirror_origin: None,
            submitted_to: None,
            returned: false,
            returned_note: None,
            actions: OutgoingActions::default(),
        }
    }
}

/// "Soạn dự thảo": a new outgoing draft (no number yet), as the clerk types it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewDraft {
    /// Ký hiệu without the number ("UBND-VP", "QĐ-UBND").
    pub notation: String,
    pub doc_type: String,
    pub subject: String,
    pub signer: Option<String>,
    /// Nơi nhận: agency codes (from the directory) or free text ("Lưu: VT").
    pub recipients: Vec<String>,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    pub notes: Option<String>,
    /// Absolute paths of the draft's files (the PDF to sign first).
    pub files: Vec<String>,
}

fn registry<'a>(state: &'a State<'_, AppState>) -> std::sync::MutexGuard<'a, Registry> {
    state.registry.lock().unwrap_or_else(|e| e.into_inner())
}

/// The newest outgoing documents (at most `limit`).
#[tauri::command(async)]
#[specta::specta]
pub fn list_outgoing(state: State<'_, AppState>, limit: u32) -> Res<Vec<OutgoingRow>> {
    let reg = registry(&state);
    let page = reg.list(&SearchQuery {
        register: Some(Register::Outgoing),
        limit: limit as usize,
        ..Default::default()
    })?;
    page.hits.iter().map(|h| row(&reg, h.id)).collect()
}

/// A list row with where the document stands between the unit's desktops.
fn row(reg: &Registry, id: i64) -> Res<OutgoingRow> {
    let rec = reg.get(id)?;
    let mut row = OutgoingRow::from(&rec);
    row.mirror_origin = reg.mirror_info(id)?.map(|m| m.origin);
    if let Some(last) = reg.submissions(Some(id))?.pop() {
        let draft = rec.outgoing_state() == Some(OutgoingState::Draft);
        row.returned = last.returned_at.is_some() && draft;
        if row.returned {
            // The return's history entry is the latest one of the draft.
            row.returned_note = reg.status_events(id)?.pop().and_then(|e| e.note);
        }
        if last.returned_at.is_none() && draft {
            row.submitted_to = Some(last.to_desktop);
        }
    }
    row.actions = offered_outgoing(
        &rec,
        DeskPosition {
            mirror: row.mirror_origin.is_some(),
            awaiting_leader: row.submitted_to.is_some(),
        },
    )
    .into();
    Ok(row)
}

/// Trình ký: submits an outgoing draft with its PDF to the leader's desktop (`UNIT/DESKTOP`);
/// it travels at the next sync round, which starts now. The registry refuses mật and above,
/// a draft without a PDF and other units' desktops.
#[tauri::command(async)]
#[specta::specta]
pub fn submit_for_signing(
    state: State<'_, AppState>,
    sync: State<'_, crate::sync::SyncService>,
    id: u32,
    to: String,
    note: Option<String>,
) -> Res<OutgoingRow> {
    let row = {
        let mut reg = registry(&state);
        reg.submit_document(id.into(), &to, note.as_deref())?;
        row(&reg, id.into())?
    };
    sync.wake();
    Ok(row)
}

/// Thu hồi: recalls a document the hub delivered, with the reason; the recall leaves at
/// once when online, and the recipients' answers (15/16) move the document on.
#[tauri::command(async)]
#[specta::specta]
pub fn recall_outgoing(
    state: State<'_, AppState>,
    sync: State<'_, crate::sync::SyncService>,
    id: u32,
    reason: String,
) -> Res<OutgoingRow> {
    let row = {
        let mut reg = registry(&state);
        reg.recall_outgoing(id.into(), &reason)?;
        row(&reg, id.into())?
    };
    sync.wake();
    Ok(row)
}

/// Cập nhật (`update`) or thay thế (`replace`): sends the recipients the corrected document,
/// with the reason and the files to attach first (paths); it leaves at once when online and
/// the recipients' answers (15/16) bring it back to Đã gửi.
#[tauri::command(async)]
#[specta::specta]
pub fn revise_outgoing(
    state: State<'_, AppState>,
    sync: State<'_, crate::sync::SyncService>,
    id: u32,
    kind: String,
    reason: String,
    files: Vec<String>,
) -> Res<OutgoingRow> {
    let revision = match kind.as_str() {
        "update" => vanthu_registry::SenderRevision::Update,
        "replace" => vanthu_registry::SenderRevision::Replace,
        other => {
            return Err(CommandError::invalid(format!(
                "không rõ thao tác {other} / unknown revision {other} (update|replace)"
            )))
        }
    };
    let files: Vec<std::path::PathBuf> = files
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .map(Into::into)
        .collect();
    let row = {
        let mut reg = registry(&state);
        reg.revise_outgoing(id.into(), revision, &reason, &files)?;
        row(&reg, id.into())?
    };
    sync.wake();
    Ok(row)
}

/// A group of recipients from the directory ("Sở, ban, ngành", "Huyện, thị xã, thành phố").
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecipientGroup {
    pub label: String,
    pub members: Vec<crate::dto::Agency>,
}

/// The directory grouped for "Nơi nhận" (`Registry::recipient_groups`).
#[tauri::command(async)]
#[specta::specta]
pub fn recipient_groups(state: State<'_, AppState>) -> Res<Vec<RecipientGroup>> {
    Ok(registry(&state)
        .recipient_groups()?
        .into_iter()
        .map(|(g, members)| RecipientGroup {
            label: g.label_vi().to_owned(),
            members: members.iter().map(Into::into).collect(),
        })
        .collect())
}

/// Where a sent document stands with each recipient: the latest status and when, and
/// whether it is overdue (the sender's side of the 01…06 feedback).
#[tauri::command(async)]
#[specta::specta]
pub fn outgoing_recipients(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, crate::sync::SyncService>,
    id: u32,
) -> Res<Vec<crate::sync::SyncAlert>> {
    let message_id = {
        let reg = registry(&state);
        reg.dispatch_of(id.into())?.map(|d| d.message_id)
    };
    let Some(message_id) = message_id else {
        return Ok(Vec::new());
    };
    Ok(sync.recipients_of(&app, &message_id)?)
}

/// Trả lại: on the leader's desktop, returns a submitted draft unsigned with a note saying
/// what to change; it leaves Chờ ký and the clerk's desktop gets the note at the next round.
#[tauri::command(async)]
#[specta::specta]
pub fn return_for_changes(
    state: State<'_, AppState>,
    sync: State<'_, crate::sync::SyncService>,
    id: u32,
    note: String,
) -> Res<()> {
    registry(&state).return_submission(id.into(), &note)?;
    sync.wake();
    Ok(())
}

/// Soạn dự thảo: stores a new outgoing draft with its files; it then waits in Chờ ký (with
/// a PDF) or for "Cấp số".
#[tauri::command(async)]
#[specta::specta]
pub fn create_outgoing(state: State<'_, AppState>, draft: NewDraft) -> Res<OutgoingRow> {
    let mut reg = registry(&state);
    let rec = reg.create_outgoing(vanthu_registry::NewOutgoing {
        notation: draft.notation,
        doc_type: draft.doc_type,
        subject: draft.subject,
        signer: draft.signer.filter(|s| !s.trim().is_empty()),
        recipients: draft.recipients,
        urgency: draft.urgency.into(),
        secrecy: draft.secrecy.into(),
        notes: draft.notes.filter(|s| !s.trim().is_empty()),
        files: draft.files.iter().map(Into::into).collect(),
        ..Default::default()
    })?;
    // The row with what it offers (Cấp số, Trình ký), as the list shows it.
    row(&reg, rec.id)
}

/// Cấp số: gives a draft its number with the issue date `date` (yyyy-mm-dd).
#[tauri::command(async)]
#[specta::specta]
pub fn issue_outgoing(state: State<'_, AppState>, id: u32, date: String) -> Res<OutgoingRow> {
    let date = date.parse().map_err(|_| {
        CommandError::invalid(format!("Ngày ban hành không hợp lệ / invalid date: {date}"))
    })?;
    let mut reg = registry(&state);
    reg.issue_outgoing(id.into(), date)?;
    row(&reg, id.into())
}

/// Gửi qua trục: queues an issued document for its coded recipients; the background sync
/// sends it. Refused for mật and above, a Số tạm, or no coded recipient.
#[tauri::command(async)]
#[specta::specta]
pub fn send_outgoing(
    state: State<'_, AppState>,
    sync: State<'_, crate::sync::SyncService>,
    id: u32,
) -> Res<OutgoingRow> {
    let row = {
        let mut reg = registry(&state);
        reg.queue_dispatch(id.into())?;
        row(&reg, id.into())?
    };
    // Online: it leaves now rather than at the next scheduled round. Offline or not
    // configured: it waits in the queue, which is the point.
    sync.wake();
    Ok(row)
}
