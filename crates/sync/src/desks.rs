//! Trình lãnh đạo through the hub (docs/sync.md, "Several desktops of one unit"): moves the
//! registry's submissions and the leader's answers between the registry and the engine's
//! queues, as internal packages addressed to `UNIT/DESKTOP`.
//!
//! * clerk's desktop: each submission becomes a document package to the leader's desktop
//!   under the submission's deterministic message id ([`queue_submissions`]);
//! * leader's desktop: a received submission becomes a mirror record ([`import_submissions`]);
//!   the leader's assignment on it (registry outbox kind `desk_answer`) becomes a status
//!   package on the submission, to the clerk's desktop ([`queue_answers`]);
//! * clerk's desktop: the answer is applied with the normal transition
//!   ([`apply_answers`]), which queues the external 04 for the sender.
//!
//! Trình ký works the same way: a submitted outgoing draft becomes a mirror in the leader's
//! signing queue; signing it (registry outbox kind `desk_signed`) becomes a status package on
//! the submission carrying the signed PDF ([`queue_returns`]), which signs the clerk's draft
//! ([`apply_answers`]). When the clerk's desktop resolves the Số tạm of a submitted
//! document (outbox kind `desk_label`), a status package from the submitting side tells the
//! mirror its final số đến. Status packages are used because the hub lets the recipient of a
//! message answer its sender and the sender address its recipients, and their bodies have the
//! same size limit as documents (`--max-package-bytes`, 64 MiB by default).
//!
//! Every handoff is idempotent: ids are deterministic, the registry refuses a second mirror
//! or a second application of one hub message, and a package leaves the hub's queue only
//! after the transaction that stored it committed (the engine's ack-after-commit).
use vanthu_registry::desks::{
    DeskAnswer, DeskHandling, DeskLabel, DeskReturned, DeskSigned, HandlingRole, SubmissionPackage,
    ANSWER_FORMAT, HANDLING_FORMAT, LABEL_FORMAT, RETURNED_FORMAT, SIGNED_FORMAT,
};
use vanthu_registry::Registry;

use crate::addressing::status_message_id;
use crate::error::BridgeError;
use crate::state::SyncState;
use crate::transport::{Operation, OutgoingPackage};

pub use crate::addressing::is_internal;

fn sha_hex(b: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b))
}

fn json_err(e: serde_json::Error) -> BridgeError {
    BridgeError::Io(std::io::Error::other(e))
}

/// Clerk's desktop: queues every submission the engine has not taken yet.
pub fn queue_submissions(reg: &mut Registry, state: &SyncState) -> Result<u64, BridgeError> {
    let mut queued = 0;
    for sub in reg.unqueued_submissions()? {
        let pkg = reg.submission_package(&sub)?;
        let body = serde_json::to_vec(&pkg).map_err(json_err)?;
        let out = OutgoingPackage {
            message_id: sub.message_id.clone(),
            op: Operation::Send,
            related: None,
            status_code: None,
            recipients: vec![sub.to_desktop.clone()],
            document_id: pkg.edxml_document_id.clone(),
            sha256: sha_hex(&body),
        };
        // A crash between the two steps re-queues the same id next round: a no-op.
        state.enqueue(&out, &body)?;
        reg.mark_submission_queued(sub.id)?;
        queued += 1;
    }
    Ok(queued)
}

/// Leader's desktop: stores every received submission as a mirror record.
pub fn import_submissions(reg: &mut Registry, state: &SyncState) -> Result<u64, BridgeError> {
    let mut imported = 0;
    for r in state.received()? {
        if r.kind != "edoc" || r.business != "new" || !is_internal(&r.sender) {
            continue;
        }
        if reg.document_by_hub_message(&r.message_id)?.is_some() {
            continue;
        }
        let Some(body) = state.received_body(&r.message_id)? else {
            continue;
        };
        let pkg: SubmissionPackage = match serde_json::from_slice(&body) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("bad submission package {}: {e}", r.message_id);
                continue;
            }
        };
        match reg.receive_submission(&r.message_id, &r.sender, &pkg) {
            Ok(_) => imported += 1,
            Err(
                e @ (vanthu_registry::Error::Invalid(_) | vanthu_registry::Error::Transition(_)),
            ) => {
                tracing::warn!("cannot store submission {}: {e}", r.message_id)
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(imported)
}

/// Leader's desktop: turns the registry's `desk_answer` rows into status packages on the
/// submission, addressed (by the hub) to the submitting desktop.
pub fn queue_answers(reg: &mut Registry, state: &SyncState) -> Result<u64, BridgeError> {
    let mut queued = 0;
    for item in reg.pending_outbox(1000)? {
        if item.kind != "desk_answer" {
            continue;
        }
        let p = &item.payload;
        let sub_id = p["submission_message_id"].as_str().unwrap_or_default();
        let to_state = serde_json::from_value(p["to_state"].clone());
        let actor = serde_json::from_value(p["actor"].clone());
        let (Ok(to_state), Ok(actor), false) = (to_state, actor, sub_id.is_empty()) else {
            reg.mark_outbox_failed(item.id, "bản ghi trả lời hỏng / malformed answer row")?;
            continue;
        };
        // The handler and deadline as the record holds them now: the CLI and the app set the
        // handler right after the transition.
        let (handler, deadline) = match item.document_id.map(|id| reg.get(id)).transpose()? {
            Some(rec) => (rec.handler, rec.deadline),
            None => (None, None),
        };
        let supporters = match item.document_id {
            Some(id) => reg
                .handling(id)?
                .assignments
                .into_iter()
                .filter(|a| a.role == HandlingRole::Support)
                .map(|a| a.assignee)
                .collect(),
            None => Vec::new(),
        };
        let answer = DeskAnswer {
            format: ANSWER_FORMAT.to_owned(),
            submission_message_id: sub_id.to_owned(),
            to_state,
            actor,
            note: p["note"].as_str().map(str::to_owned),
            handler,
            deadline,
            supporters,
            user: p["user"].as_str().unwrap_or_default().to_owned(),
            at: p["at"].as_str().unwrap_or_default().to_owned(),
        };
        let body = serde_json::to_vec(&answer).map_err(json_err)?;
        let code = p["status_code"].as_str().unwrap_or("04").to_owned();
        // One package per registry row (a re-assignment is a new answer); deterministic, so a
        // crash before the row is marked re-queues the same id.
        let message_id = status_message_id(sub_id, &code, &format!("da{}", item.id));
        let out = OutgoingPackage {
            message_id,
            op: Operation::Status,
            related: Some(sub_id.to_owned()),
            status_code: Some(code),
            recipients: Vec::new(),
            document_id: None,
            sha256: sha_hex(&body),
        };
        state.enqueue(&out, &body)?;
        reg.mark_outbox_sent(item.id)?;
        queued += 1;
    }
    Ok(queued)
}

/// Status code of the internal package carrying the leader's signed copy.
pub const SIGNED_CODE: &str = "06";
/// Status code of the internal package carrying a mirror's new số đến.
pub const LABEL_CODE: &str = "03";
/// Status code of the internal package returning a draft unsigned (trả lại).
pub const RETURNED_CODE: &str = "02";
/// Status code of the internal package carrying a handling event (progress, reply draft,
/// extension request or decision).
pub const HANDLING_CODE: &str = "05";

/// Leader's desktop: turns `desk_signed` rows into status packages on the submission (to the
/// clerk's desktop) carrying the signed PDF, and `desk_returned` rows (trả lại) into status
/// packages with the leader's note; clerk's desktop: turns `desk_label` rows into
/// status packages on the submission (to the leader's desktop). Ids are deterministic
/// (`st06-ds<row>-<submission>`, `st02-dr<row>-<submission>`, `st03-dl<row>-<submission>`),
/// so a crash before the row is
/// marked re-queues the same id.
pub fn queue_returns(reg: &mut Registry, state: &SyncState) -> Result<u64, BridgeError> {
    let mut queued = 0;
    for item in reg.pending_outbox(1000)? {
        let (built, code, tag) = match item.kind.as_str() {
            "desk_signed" => {
                let b = reg.desk_signed_package(&item);
                let b = row_package(reg, item.id, b, |p| p.submission_message_id.clone())?;
                (b, SIGNED_CODE, "ds")
            }
            "desk_returned" => {
                let b = reg.desk_returned_package(&item);
                let b = row_package(reg, item.id, b, |p| p.submission_message_id.clone())?;
                (b, RETURNED_CODE, "dr")
            }
            "desk_label" => {
                let b = reg.desk_label_package(&item);
                let b = row_package(reg, item.id, b, |p| p.submission_message_id.clone())?;
                (b, LABEL_CODE, "dl")
            }
            "desk_handling" => {
                let b = reg.desk_handling_package(&item);
                let b = row_package(reg, item.id, b, |p| p.submission_message_id.clone())?;
                (b, HANDLING_CODE, "dh")
            }
            _ => continue,
        };
        let Some((body, sub_id)) = built else {
            continue;
        };
        let out = OutgoingPackage {
            message_id: status_message_id(&sub_id, code, &format!("{tag}{}", item.id)),
            op: Operation::Status,
            related: Some(sub_id),
            status_code: Some(code.to_owned()),
            recipients: Vec::new(),
            document_id: None,
            sha256: sha_hex(&body),
        };
        state.enqueue(&out, &body)?;
        reg.mark_outbox_sent(item.id)?;
        queued += 1;
    }
    Ok(queued)
}

/// The JSON body and submission id of the package an outbox row becomes; `None` when the
/// row cannot make one (marked failed, kept for the log).
fn row_package<T: serde::Serialize>(
    reg: &mut Registry,
    row_id: i64,
    built: vanthu_registry::Result<T>,
    submission: impl FnOnce(&T) -> String,
) -> Result<Option<(Vec<u8>, String)>, BridgeError> {
    match built {
        Ok(p) => Ok(Some((
            serde_json::to_vec(&p).map_err(json_err)?,
            submission(&p),
        ))),
        Err(e @ vanthu_registry::Error::Invalid(_)) => {
            reg.mark_outbox_failed(row_id, &e.to_string())?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A received internal status package, by the format of its JSON body.
enum DeskStatus {
    Answer(DeskAnswer),
    Signed(DeskSigned),
    Label(DeskLabel),
    Returned(DeskReturned),
    Handling(DeskHandling),
}

fn parse_status(body: &[u8]) -> Result<DeskStatus, String> {
    #[derive(serde::Deserialize)]
    struct Tag {
        format: String,
    }
    let tag: Tag = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let parsed = match tag.format.as_str() {
        ANSWER_FORMAT => serde_json::from_slice(body).map(DeskStatus::Answer),
        SIGNED_FORMAT => serde_json::from_slice(body).map(DeskStatus::Signed),
        LABEL_FORMAT => serde_json::from_slice(body).map(DeskStatus::Label),
        RETURNED_FORMAT => serde_json::from_slice(body).map(DeskStatus::Returned),
        HANDLING_FORMAT => serde_json::from_slice(body).map(DeskStatus::Handling),
        other => return Err(format!("unknown format {other}")),
    };
    parsed.map_err(|e| e.to_string())
}

/// Applies every internal status package not applied yet: on the clerk's desktop the
/// leader's answers and signed copies, on the leader's desktop the mirrors' new labels.
pub fn apply_answers(reg: &mut Registry, state: &SyncState) -> Result<u64, BridgeError> {
    let mut applied = 0;
    for r in state.received()? {
        if r.kind != "status" || !is_internal(&r.sender) {
            continue;
        }
        if reg.document_for_package(&r.message_id)?.is_some() {
            continue;
        }
        let Some(body) = state.received_body(&r.message_id)? else {
            continue;
        };
        let outcome = match parse_status(&body) {
            Ok(DeskStatus::Answer(a)) => reg.apply_desk_answer(&r.message_id, &r.sender, &a),
            Ok(DeskStatus::Signed(s)) => reg.apply_desk_signed(&r.message_id, &r.sender, &s),
            Ok(DeskStatus::Label(l)) => reg.apply_desk_label(&r.message_id, &r.sender, &l),
            Ok(DeskStatus::Returned(d)) => reg.apply_desk_returned(&r.message_id, &r.sender, &d),
            Ok(DeskStatus::Handling(h)) => reg.apply_desk_handling(&r.message_id, &r.sender, &h),
            Err(e) => {
                tracing::warn!("bad internal status package {}: {e}", r.message_id);
                continue;
            }
        };
        match outcome {
            Ok(true) => applied += 1,
            Ok(false) => {}
            // The clerk moved the document on meanwhile, or the answer names an unknown
            // submission (or a mirror not here yet): logged, nothing half-applied (one
            // transaction); a signed copy that can never apply is recorded by the registry.
            Err(
                e @ (vanthu_registry::Error::Invalid(_)
                | vanthu_registry::Error::InvalidState(_)
                | vanthu_registry::Error::Transition(_)),
            ) => tracing::warn!("cannot apply answer {}: {e}", r.message_id),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(applied)
}

/// Everything above, in the order a round needs it; a no-op for a desktop that neither
/// submits nor receives submissions. Returns how many records of this register changed
/// (mirrors stored, answers, signed copies, labels and returns applied), so a UI knows
/// when to reload.
pub fn run_all(reg: &mut Registry, state: &SyncState) -> Result<u64, BridgeError> {
    let changed = import_submissions(reg, state)? + apply_answers(reg, state)?;
    queue_submissions(reg, state)?;
    queue_answers(reg, state)?;
    // After the submissions: a label is a status on a submission the hub must already hold.
    queue_returns(reg, state)?;
    Ok(changed)
}
