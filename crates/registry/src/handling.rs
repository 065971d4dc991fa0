//! Handling an assigned incoming document (xử lý; docs/sync.md, "Handling between desktops"):
//! the handler's progress notes, reply draft and deadline extension request, the leader's
//! decision on the request, and where each travels.
//!
//! The register's own desktop (the văn thư's) holds the document and its sender's statuses;
//! a handler at another desktop works on a copy (crate::desks, `handling_role`), and the
//! leader may decide at a third (the trình lãnh đạo mirror). Everything passes through the
//! register's desktop: a handler's note arrives there (a reply draft becomes an outgoing
//! draft the văn thư can issue), an extension request goes on to the leader's desktop, and
//! the leader's decision comes back and goes on to the handlers' copies. Each hop is one
//! transaction with the note row it records, so nothing is applied twice or half.
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use vanthu_domain::roles::Duty;
use vanthu_domain::text::nfc;
use vanthu_domain::{Actor, DocumentState, IncomingState};

use crate::desks::outbox::{mirror_in_tx, queue_handling};
use crate::desks::wire::{
    current_assignments, handling_role_tx, note_row, AssignmentRow, HandlingKind, HandlingNote,
    HandlingRole, NOTE_COLUMNS,
};
use crate::documents::PreparedFile;
use crate::register::state_at;
use crate::{audit, events, Error, Registry, Result, WriteCtx};

/// A note as the handler writes it.
#[derive(Debug, Clone, Default)]
pub struct NewHandlingNote {
    /// Ghi tiến độ, dự thảo trả lời or xin gia hạn.
    pub kind: Option<HandlingKind>,
    /// The note, or the reason of a request.
    pub body: Option<String>,
    /// The deadline asked for (xin gia hạn).
    pub deadline: Option<NaiveDate>,
    /// The reply draft's file (.docx, .odt or .pdf).
    pub file: Option<PathBuf>,
}

/// What the detail pane shows about the handling of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    /// The current assignment, chủ trì first.
    pub assignments: Vec<AssignmentRow>,
    /// Notes, requests and decisions, oldest first.
    pub notes: Vec<HandlingNote>,
    /// On a handler's copy: this copy's role.
    pub role: Option<HandlingRole>,
    /// The extension request waiting for the leader, if any.
    pub pending_extension: Option<HandlingNote>,
    /// Whether notes, reply drafts and requests may be written here now (an assigned or
    /// in-progress document of this register, or a handler's copy of one).
    pub may_note: bool,
    /// Whether the leader may decide the pending request here (not on a handler's copy).
    pub may_decide: bool,
}

/// A reply draft becomes an outgoing draft, so it follows the outgoing files' rules: a real
/// .docx/.odt soft copy (`soft_copy.rs`) or a PDF, checked by content, here and on the
/// register's desktop when it arrives from a handler's (who may not send anything else).
pub(crate) fn check_reply_draft(file: &PreparedFile, head: &[u8]) -> Result<()> {
    let ext = std::path::Path::new(&file.file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let ok = match ext.as_deref() {
        Some("pdf") => head.starts_with(b"%PDF-"),
        Some("docx" | "odt") => true,
        _ => false,
    };
    if !ok {
        return Err(Error::invalid(format!(
            "dự thảo trả lời phải là tệp .docx, .odt hoặc .pdf: {} / a reply draft must be .docx, .odt or .pdf",
            file.file_name
        )));
    }
    crate::soft_copy::check_outgoing_file(&file.file_name, head)
}

/// Inserts a note row and its history line, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_note_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    kind: HandlingKind,
    author: &str,
    body: Option<&str>,
    deadline: Option<NaiveDate>,
    file: Option<&PreparedFile>,
    from_desktop: Option<&str>,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO handling_notes (document_id, kind, author, body, deadline, file_name,
            file_sha256, from_desktop, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            document_id,
            kind.as_str(),
            author,
            body,
            deadline.map(|d| d.to_string()),
            file.map(|f| f.file_name.as_str()),
            file.map(|f| f.blob.sha256.as_str()),
            from_desktop,
            ctx.now
        ],
    )?;
    let id = tx.last_insert_rowid();
    let state: DocumentState = tx.query_row(
        "SELECT state FROM documents WHERE id = ?1",
        [document_id],
        |r| state_at(r, 0),
    )?;
    let day = |d: Option<NaiveDate>| {
        d.map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default()
    };
    let what = match kind {
        HandlingKind::Note => "Tiến độ".to_owned(),
        HandlingKind::ReplyDraft => format!(
            "Dự thảo trả lời ({})",
            file.map(|f| f.file_name.as_str()).unwrap_or_default()
        ),
        HandlingKind::ExtensionRequest => format!("Xin gia hạn đến {}", day(deadline)),
        HandlingKind::ExtensionGranted => format!("Đồng ý gia hạn đến {}", day(deadline)),
        HandlingKind::ExtensionRefused => "Không đồng ý gia hạn".to_owned(),
    };
    let line = format!(
        "{what} — {author}{}{}",
        from_desktop.map(|d| format!(" ({d})")).unwrap_or_default(),
        body.map(|b| format!(": {b}")).unwrap_or_default()
    );
    let actor = match kind {
        HandlingKind::ExtensionGranted | HandlingKind::ExtensionRefused => Actor::Leader,
        _ => Actor::Handler,
    };
    events::insert_event(
        tx,
        ctx,
        document_id,
        Some(actor),
        Some(state),
        state,
        &[],
        Some(&line),
    )?;
    audit::append(
        tx,
        ctx,
        "incoming.handling_note",
        "document",
        Some(&document_id.to_string()),
        &serde_json::json!({"note_id": id, "kind": kind.as_str(), "author": author,
            "deadline": deadline.map(|d| d.to_string()), "from": from_desktop,
            "file_sha256": file.map(|f| f.blob.sha256.as_str())}),
    )?;
    Ok(id)
}

/// The submissions of a document of this register: `(message id, desktop)` of the trình
/// lãnh đạo (`handlers == false`) or of the handlers' copies (`true`).
fn submissions_of(
    tx: &Transaction<'_>,
    document_id: i64,
    handlers: bool,
) -> Result<Vec<(String, String)>> {
    Ok(tx
        .prepare_cached(
            "SELECT message_id, to_desktop FROM submissions
             WHERE document_id = ?1 AND (assignment_id IS NOT NULL) = ?2 ORDER BY id",
        )?
        .query_map(params![document_id, handlers], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Settles the document's open extension requests, in the caller's transaction.
fn settle_requests(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, document_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE handling_notes SET settled_at = ?2
         WHERE document_id = ?1 AND kind = 'extension_request' AND settled_at IS NULL",
        params![document_id, ctx.now],
    )?;
    Ok(())
}

/// On the register's own desktop, what a note written or received here sets off: a reply
/// draft becomes an outgoing draft; a request goes on to the leader's desktops; a decision
/// settles the request, moves the deadline and goes on to the handlers' copies; a handler's
/// step goes on to the leader's desktops.
pub(crate) fn on_register_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    note_id: i64,
    file: Option<&PreparedFile>,
    to_state: Option<IncomingState>,
) -> Result<()> {
    let note = tx.query_row(
        &format!("SELECT {NOTE_COLUMNS} FROM handling_notes WHERE id = ?1"),
        [note_id],
        note_row,
    )?;
    match note.kind {
        HandlingKind::ReplyDraft => {
            let Some(file) = file else {
                return Err(Error::invalid(
                    "dự thảo trả lời cần một tệp / a reply draft needs a file",
                ));
            };
            let reply = reply_draft_tx(tx, ctx, document_id, &note, file)?;
            tx.execute(
                "UPDATE handling_notes SET reply_document_id = ?2 WHERE id = ?1",
                params![note_id, reply],
            )?;
        }
        HandlingKind::ExtensionRequest => {
            for (message, desktop) in submissions_of(tx, document_id, false)? {
                queue_handling(tx, ctx, document_id, &desktop, &message, note_id, None)?;
            }
        }
        HandlingKind::ExtensionGranted | HandlingKind::ExtensionRefused => {
            settle_requests(tx, ctx, document_id)?;
            if let (HandlingKind::ExtensionGranted, Some(d)) = (note.kind, note.deadline) {
                tx.execute(
                    "UPDATE documents SET deadline = ?2, updated_at = ?3 WHERE id = ?1",
                    params![document_id, d.to_string(), ctx.now],
                )?;
            }
            for (message, desktop) in submissions_of(tx, document_id, true)? {
                queue_handling(tx, ctx, document_id, &desktop, &message, note_id, None)?;
            }
        }
        HandlingKind::Note => {
            if to_state.is_some() {
                for (message, desktop) in submissions_of(tx, document_id, false)? {
                    queue_handling(tx, ctx, document_id, &desktop, &message, note_id, to_state)?;
                }
            }
        }
    }
    Ok(())
}

/// The outgoing draft a handler's reply draft becomes on the register's desktop: a công văn
/// to the incoming document's sender, with the file, which the văn thư then checks, has
/// signed and issues as any draft. The ký hiệu is the register's latest outgoing one
/// (docs/decisions.md), changed at issuing if needed.
fn reply_draft_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    note: &HandlingNote,
    file: &PreparedFile,
) -> Result<i64> {
    let (subject, notation, number, sender, deadline): (
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
    ) = tx.query_row(
        "SELECT subject, notation, number, sender_code, deadline FROM documents WHERE id = ?1",
        [document_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let code_notation: Option<String> = tx
        .query_row(
            "SELECT code_notation FROM documents WHERE register = 'outgoing'
               AND code_notation IS NOT NULL AND code_notation NOT LIKE '%/%'
             ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let new = crate::NewOutgoing {
        notation: code_notation.unwrap_or_else(|| "VP".to_owned()),
        doc_type: "Công văn".to_owned(),
        subject: format!("V/v trả lời văn bản số {notation}: {subject}"),
        recipients: sender.into_iter().collect(),
        drafting_unit: Some(note.author.clone()),
        deadline: deadline.and_then(|d| d.parse().ok()),
        notes: Some(format!(
            "Dự thảo trả lời văn bản đến số {} ({notation}) do {} soạn{}",
            number.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            note.author,
            note.body
                .as_deref()
                .map(|b| format!(": {b}"))
                .unwrap_or_default()
        )),
        ..Default::default()
    };
    let v = crate::documents::validate_outgoing(&new)?;
    let id = crate::documents::insert_outgoing(tx, ctx, &v, std::slice::from_ref(file))?;
    audit::append(
        tx,
        ctx,
        "outgoing.reply_draft",
        "document",
        Some(&id.to_string()),
        &serde_json::json!({"reply_to": document_id, "note_id": note.id, "author": note.author}),
    )?;
    Ok(id)
}

/// On a mirror (a handler's copy or the leader's), what a note received from the register's
/// desktop sets off: a decision settles this copy's request and moves its deadline; a
/// handler's step moves the leader's mirror along.
pub(crate) fn on_mirror_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    kind: HandlingKind,
    deadline: Option<NaiveDate>,
    to_state: Option<IncomingState>,
    note: Option<&str>,
) -> Result<()> {
    match kind {
        HandlingKind::ExtensionGranted | HandlingKind::ExtensionRefused => {
            settle_requests(tx, ctx, document_id)?;
            if let (HandlingKind::ExtensionGranted, Some(d)) = (kind, deadline) {
                tx.execute(
                    "UPDATE documents SET deadline = ?2, updated_at = ?3 WHERE id = ?1",
                    params![document_id, d.to_string(), ctx.now],
                )?;
            }
        }
        HandlingKind::Note => {
            if let Some(to) = to_state {
                let from: DocumentState = tx.query_row(
                    "SELECT state FROM documents WHERE id = ?1",
                    [document_id],
                    |r| state_at(r, 0),
                )?;
                // The leader's mirror follows the register entry; the state machine ran there.
                tx.execute(
                    "UPDATE documents SET state = ?2, updated_at = ?3 WHERE id = ?1",
                    params![document_id, to.as_str(), ctx.now],
                )?;
                events::insert_event(
                    tx,
                    ctx,
                    document_id,
                    Some(Actor::Handler),
                    Some(from),
                    to.into(),
                    &[],
                    note,
                )?;
            }
        }
        HandlingKind::ReplyDraft | HandlingKind::ExtensionRequest => {}
    }
    Ok(())
}

fn open_for_handling(state: DocumentState) -> bool {
    matches!(
        state.incoming(),
        Some(IncomingState::Assigned | IncomingState::InProgress)
    )
}

impl Registry {
    /// The handling of a document: assignment, notes, what may be done here.
    pub fn handling(&self, document_id: i64) -> Result<Handling> {
        let rec = self.get(document_id)?;
        let assignments = current_assignments(&self.conn, document_id)?;
        let notes: Vec<HandlingNote> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {NOTE_COLUMNS} FROM handling_notes WHERE document_id = ?1 ORDER BY id"
            ))?
            .query_map([document_id], note_row)?
            .collect::<rusqlite::Result<_>>()?;
        let role = self.handling_role(document_id)?;
        let pending_extension = notes
            .iter()
            .rev()
            .find(|n| n.kind == HandlingKind::ExtensionRequest && n.settled_at.is_none())
            .cloned();
        let open = open_for_handling(rec.state);
        let mirror = self.mirror_info(document_id)?.is_some();
        Ok(Handling {
            may_note: open && (role.is_some() || !mirror),
            may_decide: open && role.is_none() && pending_extension.is_some(),
            assignments,
            notes,
            role,
            pending_extension,
        })
    }

    /// A handler writes a progress note, sends a reply draft (a file) or asks the leader
    /// for a later deadline (with the reason). On a handler's copy it goes to the register's
    /// desktop; on the register's own desktop it takes effect here (on_register_tx).
    pub fn add_handling_note(
        &mut self,
        document_id: i64,
        new: &NewHandlingNote,
    ) -> Result<HandlingNote> {
        self.require(Duty::Handle)?;
        let kind = new.kind.unwrap_or(HandlingKind::Note);
        let body = new
            .body
            .as_deref()
            .map(|b| nfc(b.trim()))
            .filter(|b| !b.is_empty());
        match kind {
            HandlingKind::Note if body.is_none() => {
                return Err(Error::invalid("chưa nhập nội dung tiến độ / the note is empty"))
            }
            HandlingKind::ReplyDraft if new.file.is_none() => {
                return Err(Error::invalid(
                    "chưa chọn tệp dự thảo trả lời / a reply draft needs a file",
                ))
            }
            HandlingKind::ExtensionRequest => {
                let rec = self.get(document_id)?;
                let Some(until) = new.deadline else {
                    return Err(Error::invalid(
                        "chưa chọn hạn mới / an extension request needs the new deadline",
                    ));
                };
                if body.is_none() {
                    return Err(Error::invalid(
                        "cần ghi lý do xin gia hạn / an extension request needs a reason",
                    ));
                }
                if until <= rec.deadline.unwrap_or_else(crate::today) {
                    return Err(Error::invalid(
                        "hạn mới phải sau hạn hiện tại / the new deadline must be later than the current one",
                    ));
                }
            }
            HandlingKind::ExtensionGranted | HandlingKind::ExtensionRefused => {
                return Err(Error::invalid(
                    "quyết định gia hạn do lãnh đạo ghi / decisions are the leader's (decide_extension)",
                ))
            }
            _ => {}
        }
        let file = match &new.file {
            Some(path) => {
                let file = self.prepare_files(std::slice::from_ref(path))?.pop();
                if let Some(f) = &file {
                    check_reply_draft(f, &self.blobs.read_head(&f.blob.sha256)?)?;
                }
                file
            }
            None => None,
        };
        let deadline = match kind {
            HandlingKind::ExtensionRequest => new.deadline,
            _ => None,
        };
        let id = self.write(|tx, ctx| {
            let state: DocumentState = tx
                .query_row(
                    "SELECT state FROM documents WHERE id = ?1",
                    [document_id],
                    |r| state_at(r, 0),
                )
                .optional()?
                .ok_or(Error::NotFound(document_id))?;
            if !open_for_handling(state) {
                return Err(Error::InvalidState(format!(
                    "chỉ ghi tiến độ cho văn bản đã phân công, chưa hoàn thành (trạng thái: {state}) / only an assigned document in progress takes notes"
                )));
            }
            let role = handling_role_tx(tx, document_id)?;
            let mirror = mirror_in_tx(tx, document_id)?;
            let id = insert_note_tx(
                tx,
                ctx,
                document_id,
                kind,
                ctx.user,
                body.as_deref(),
                deadline,
                file.as_ref(),
                None,
            )?;
            match (mirror, role) {
                (Some(m), Some(_)) => queue_handling(
                    tx,
                    ctx,
                    document_id,
                    &m.origin,
                    &m.submission_message_id,
                    id,
                    None,
                )?,
                (None, _) => on_register_tx(tx, ctx, document_id, id, file.as_ref(), None)?,
                (Some(_), None) => {
                    return Err(Error::InvalidState(
                        "bản trình của lãnh đạo không nhận ghi tiến độ / the leader's copy takes no handling notes".into(),
                    ))
                }
            }
            Ok(id)
        })?;
        self.handling_note(id)
    }

    /// The leader decides the pending extension request: granted (the deadline becomes the
    /// one asked for) or refused, with an optional note. On the leader's mirror the decision
    /// goes to the register's desktop, which passes it on to the handlers' copies.
    pub fn decide_extension(
        &mut self,
        document_id: i64,
        granted: bool,
        note: Option<&str>,
    ) -> Result<HandlingNote> {
        self.require(Duty::Assign)?;
        let note = note.map(|n| nfc(n.trim())).filter(|n| !n.is_empty());
        let id = self.write(|tx, ctx| {
            let pending = tx
                .query_row(
                    &format!(
                        "SELECT {NOTE_COLUMNS} FROM handling_notes WHERE document_id = ?1
                           AND kind = 'extension_request' AND settled_at IS NULL
                         ORDER BY id DESC LIMIT 1"
                    ),
                    [document_id],
                    note_row,
                )
                .optional()?
                .ok_or_else(|| {
                    Error::InvalidState(
                        "không có đề nghị gia hạn đang chờ / no extension request is waiting"
                            .into(),
                    )
                })?;
            if handling_role_tx(tx, document_id)?.is_some() {
                return Err(Error::InvalidState(
                    "gia hạn do lãnh đạo quyết định trên bản của mình / the leader decides on the leader's copy".into(),
                ));
            }
            let kind = if granted {
                HandlingKind::ExtensionGranted
            } else {
                HandlingKind::ExtensionRefused
            };
            let until = granted.then_some(pending.deadline).flatten();
            let id = insert_note_tx(
                tx,
                ctx,
                document_id,
                kind,
                ctx.user,
                note.as_deref(),
                until,
                None,
                None,
            )?;
            match mirror_in_tx(tx, document_id)? {
                Some(m) => {
                    on_mirror_tx(tx, ctx, document_id, kind, until, None, None)?;
                    queue_handling(
                        tx,
                        ctx,
                        document_id,
                        &m.origin,
                        &m.submission_message_id,
                        id,
                        None,
                    )?;
                }
                None => on_register_tx(tx, ctx, document_id, id, None, None)?,
            }
            Ok(id)
        })?;
        self.handling_note(id)
    }

    fn handling_note(&self, id: i64) -> Result<HandlingNote> {
        Ok(self.conn.query_row(
            &format!("SELECT {NOTE_COLUMNS} FROM handling_notes WHERE id = ?1"),
            [id],
            note_row,
        )?)
    }
}
