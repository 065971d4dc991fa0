//! The link between the engine's queues and the registry (crates/registry):
//! * received document packages become incoming documents in state `arrived`
//!   (`Registry::receive_incoming`), attachments included;
//! * the status codes the registry queues on each transition (clerk registers → 03, rejects →
//!   02, leader assigns → 04, handler opens → 05, completes → 06) become status packages in the
//!   engine's outbox, addressed to the document's sender.
//!
//! Both directions are idempotent across crashes: a received package is recorded in the
//! registry inbox under its hub message id (unique), a new document commits together with
//! that inbox row's processed mark, and an existing document with the same edXML
//! `DocumentId` is reused rather than created twice. When the engine's queues are in
//! the registry database (a data directory with a register), a registry outbox row becomes
//! its package in the one transaction that marks the row sent; with the file queues it is
//! queued under a deterministic message id before it is marked sent.
use std::path::Path;

use vanthu_domain::{Secrecy, Urgency};
use vanthu_registry::{NewIncoming, ReceivedAction, Registry};

use crate::engine::status_message_id;
use crate::registry_store::to_sync_package;
use crate::state::{Received, SyncState};
use crate::status::{status_package, vn_time, StatusInfo};
use crate::transport::{Operation, OutgoingPackage};

pub use crate::error::BridgeError;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BridgeReport {
    pub imported: u64,
    /// Packages that could not become documents (kept in the registry inbox with the error).
    pub failed: u64,
    /// Packages refused because of who sent them (a From that is not the hub account, a
    /// revision of another agency's document): entered as refused (status 02) or kept in the
    /// registry inbox with the reason, audited either way.
    pub refused: u64,
    pub statuses_queued: u64,
}

/// True when the engine's queues live in `reg`'s own database (the registry implementation
/// on the same data directory): the handoffs are then single transactions.
fn shares_database(reg: &Registry, state: &SyncState) -> bool {
    state.kind() == "registry" && same_dir(reg.data_dir(), state.data_dir())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Imports every received document package not yet in the registry.
pub fn import_received(reg: &mut Registry, state: &SyncState) -> Result<BridgeReport, BridgeError> {
    let mut report = BridgeReport::default();
    if shares_database(reg, state) {
        // Both queues are in this database: one transaction records what is new.
        reg.sync_record_received_documents()?;
    } else {
        let received: Vec<Received> = state
            .received()?
            .into_iter()
            // Internal packages (a desktop's submission) are not documents from a sender:
            // crate::desks handles them.
            .filter(|r| r.kind == "edoc" && !crate::desks::is_internal(&r.sender))
            .collect();
        for r in &received {
            let payload = serde_json::json!({
                "hub_message_id": r.message_id, "sha256": r.sha256,
                "business": r.business, "related": r.related, "relay": r.relay,
            });
            reg.record_inbox(&r.message_id, "edoc", Some(&r.sender), &payload)?;
        }
    }
    // Everything recorded but not processed, including what a crash interrupted.
    loop {
        let pending = reg.pending_inbox(100)?;
        let pending: Vec<_> = pending.into_iter().filter(|i| i.kind == "edoc").collect();
        if pending.is_empty() {
            break;
        }
        for item in pending {
            let body = state.received_body(&item.package_id)?;
            let outcome = match body {
                None => Err("gói tin không còn trong hàng đợi / package body missing".to_owned()),
                Some(body) => match import_one(
                    reg,
                    &body,
                    Hub {
                        sender: item.sender_code.as_deref(),
                        relay: item.payload["relay"].as_bool().unwrap_or(false),
                    },
                    (item.id, &item.package_id),
                    item.payload["related"].as_str(),
                ) {
                    Ok(Imported::Committed) => {
                        report.imported += 1;
                        continue;
                    }
                    Ok(Imported::Refused) => {
                        report.refused += 1;
                        continue;
                    }
                    Ok(Imported::Found(id)) => Ok(id),
                    Err(Failure::Refused { reason, detail }) => {
                        tracing::warn!("refused {}: {reason}", item.package_id);
                        reg.refuse_inbox(item.id, &reason, &detail)?;
                        report.refused += 1;
                        continue;
                    }
                    Err(Failure::Permanent(e)) => Err(e),
                    // Not the package's fault (unit not initialised, database busy, disk):
                    // leave it pending and try again next round.
                    Err(Failure::Retry(e)) => return Err(e.into()),
                },
            };
            match outcome {
                Ok(doc_id) => {
                    reg.mark_inbox_processed(item.id, Some(doc_id), None)?;
                    report.imported += 1;
                }
                Err(e) => {
                    tracing::warn!("cannot import {}: {e}", item.package_id);
                    reg.mark_inbox_processed(item.id, None, Some(&e))?;
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

enum Failure {
    Permanent(String),
    /// Refused for who sent it: nothing is written to any document; the inbox row keeps
    /// the reason and the audit log the details.
    Refused {
        reason: String,
        detail: serde_json::Value,
    },
    Retry(vanthu_registry::Error),
}

impl From<String> for Failure {
    fn from(s: String) -> Failure {
        Failure::Permanent(s)
    }
}

impl From<&str> for Failure {
    fn from(s: &str) -> Failure {
        Failure::Permanent(s.to_owned())
    }
}

impl From<vanthu_registry::Error> for Failure {
    fn from(e: vanthu_registry::Error) -> Failure {
        use vanthu_registry::Error as E;
        match e {
            E::NotInitialised | E::Sql(_) | E::Io(_) | E::File { .. } | E::NewerSchema { .. } => {
                Failure::Retry(e)
            }
            other => Failure::Permanent(other.to_string()),
        }
    }
}

/// What became of a package.
enum Imported {
    /// A new document, committed together with the inbox row's processed mark.
    Committed,
    /// Entered as refused (sender mismatch), committed with the inbox row's processed mark.
    Refused,
    /// A document that already existed or a revision of one; the inbox row is still to mark.
    Found(i64),
}

/// What the hub said about a package's sender.
struct Hub<'a> {
    /// The account the hub authenticated for the upload.
    sender: Option<&'a str>,
    /// That account is a relay (may forward packages of other agencies).
    relay: bool,
}

/// The reason a package is refused when its `From/OrganId` is not the hub account.
pub const SENDER_MISMATCH: &str = "nơi gửi không khớp tài khoản trục";

fn import_one(
    reg: &mut Registry,
    body: &[u8],
    hub: Hub<'_>,
    (inbox_id, package_id): (i64, &str),
    related: Option<&str>,
) -> Result<Imported, Failure> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let opts = vanthu_edxml::ReadOptions {
        attachment_dir: Some(tmp.path().to_path_buf()),
        ..Default::default()
    };
    let pkg = vanthu_edxml::read_package(body, &opts).map_err(|e| e.to_string())?;
    let h = &pkg.header;
    let business = h.business.as_ref().and_then(|b| b.doc_type).unwrap_or(0);
    // The sender is the agency the hub authenticated, never what the header claims
    // (docs/sync.md, "Who may say what"). Only a relay account forwards for others, and then
    // the register names both.
    let hub_sender = hub
        .sender
        .ok_or("gói tin không có tài khoản gửi trên trục / no authenticated sender")?;
    let (sender, via) = match h.from.organ_id.as_deref() {
        None => (hub_sender, None),
        Some(claimed) if claimed == hub_sender => (hub_sender, None),
        Some(claimed) if hub.relay => (claimed, Some(hub_sender)),
        Some(claimed) => {
            let detail = serde_json::json!({
                "package": package_id, "hub_sender": hub_sender, "claimed_sender": claimed,
                "claimed_name": h.from.organ_name, "document_id": h.document_id,
                "business": business,
            });
            let reason = format!(
                "{SENDER_MISMATCH}: gói tin ghi nơi gửi {claimed}, tài khoản trục là {hub_sender} / From/OrganId {claimed} is not the authenticated agency {hub_sender}"
            );
            if business != 0 {
                // A revision in another agency's name: nothing to enter, nothing to change.
                return Err(Failure::Refused { reason, detail });
            }
            // Entered under the authenticated account, refused (02): the clerk sees it, the
            // claimed agency's name appears nowhere but in the note.
            let mut new = match new_incoming(reg, &pkg, hub_sender, None, tmp.path()) {
                Ok(n) => n,
                Err(Failure::Retry(e)) => return Err(Failure::Retry(e)),
                Err(_) => return Err(Failure::Refused { reason, detail }),
            };
            new.notes = Some(format!(
                "Từ chối tự động: {SENDER_MISMATCH} (gói tin ghi nơi gửi {claimed}{}, tài khoản trục {hub_sender})",
                h.from
                    .organ_name
                    .as_deref()
                    .map(|n| format!(" – {n}"))
                    .unwrap_or_default()
            ));
            reg.receive_refused_from_inbox(inbox_id, new, SENDER_MISMATCH, &detail)?;
            return Ok(Imported::Refused);
        }
    };
    if business != 0 {
        // Recall/update/replace act on the record the original package became, visibly and
        // without deleting anything (statuses.md §3, vanthu_registry::revisions), and only
        // when it comes from that record's own sender.
        let action = match business {
            1 => ReceivedAction::Recall,
            2 => ReceivedAction::Update,
            3 => ReceivedAction::Replace,
            other => {
                return Err(format!(
                    "loại nghiệp vụ không hỗ trợ: {other} / unsupported BussinessDocType {other}"
                )
                .into())
            }
        };
        let detail = |original: Option<i64>| {
            serde_json::json!({
                "package": package_id, "action": action.as_str(), "sender": sender,
                "via": via, "related": related, "document_id": h.document_id,
                "original": original,
            })
        };
        // The hub only lets the original's sender address a recall/update/replace to its
        // recipients (`related`); a DocumentId is looked up among this sender's documents
        // only, so another agency's DocumentId finds nothing.
        let original = match related.map(|r| reg.document_for_package(r)).transpose()? {
            Some(Some(id)) => Some(id),
            _ => match &h.document_id {
                Some(d) => reg.find_incoming_by_edxml_id(sender, d)?.map(|r| r.id),
                None => None,
            },
        };
        let Some(original) = original else {
            return Err(Failure::Refused {
                reason: format!(
                    "không tìm thấy văn bản gốc của {sender} để {} / no document from {sender} to {}",
                    action.label_vi(),
                    action.as_str()
                ),
                detail: detail(None),
            });
        };
        let reason = h.business.as_ref().and_then(|b| b.reason.clone());
        let outcome = if action == ReceivedAction::Recall {
            reg.apply_received_recall(original, sender, reason.as_deref())
        } else {
            let new = new_incoming(reg, &pkg, sender, via, tmp.path())?;
            reg.receive_revision(original, action, new, package_id, reason.as_deref())
        };
        let outcome = match outcome {
            Ok(o) => o,
            Err(e @ vanthu_registry::Error::ForeignSender { .. }) => {
                return Err(Failure::Refused {
                    reason: e.to_string(),
                    detail: detail(Some(original)),
                })
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(id) = outcome.new_version_id {
            vanthu_pdf::index::index_document_text_logged(reg, id);
        }
        return Ok(Imported::Found(
            outcome.new_version_id.unwrap_or(outcome.original_id),
        ));
    }
    if let Some(id) = &h.document_id {
        if let Some(existing) = reg.find_incoming_by_edxml_id(sender, id)? {
            return Ok(Imported::Found(existing.id));
        }
    }
    let new = new_incoming(reg, &pkg, sender, via, tmp.path())?;
    let rec = reg.receive_incoming_from_inbox(inbox_id, new)?;
    vanthu_pdf::index::index_document_text_logged(reg, rec.id);
    Ok(Imported::Committed)
}

/// The incoming document a package describes (attachments copied into `tmp`).
/// `sender` is the agency the document is entered under (the hub account, or the agency a
/// relay forwards for); `via` the relay.
fn new_incoming(
    reg: &mut Registry,
    pkg: &vanthu_edxml::Package,
    sender: &str,
    via: Option<&str>,
    tmp: &Path,
) -> Result<NewIncoming, Failure> {
    let h = &pkg.header;
    let sender_code = sender.to_owned();
    // The header's name describes the header's From: used only when that is the sender.
    let sender_name = h
        .from
        .organ_name
        .clone()
        .filter(|_| h.from.organ_id.as_deref() == Some(sender))
        .unwrap_or_else(|| sender_code.clone());
    reg.learn_agency(&sender_code, &sender_name)?;
    let via = via.map(|gw| match reg.resolve_agency(gw) {
        Ok(a) => a.name,
        Err(_) => gw.to_owned(),
    });
    let notation = match (&h.code.number, &h.code.notation) {
        (Some(n), Some(t)) => format!("{n}/{t}"),
        (None, Some(t)) => t.clone(),
        (Some(n), None) => n.clone(),
        (None, None) => return Err("gói tin không có số, ký hiệu / no number or notation".into()),
    };
    let mut files = Vec::new();
    for (i, a) in pkg.attachments.iter().enumerate() {
        let Some(f) = &a.file else { continue };
        let name = a
            .meta
            .name
            .as_deref()
            .map(safe_name)
            .unwrap_or_else(|| format!("tep-{i}"));
        let dest = tmp.join(format!("{i}-{name}"));
        // The official library zips attachments: the register keeps the original file.
        vanthu_edxml::zip::copy_unwrapped(f.path(), &dest, &name).map_err(|e| e.to_string())?;
        files.push(dest);
    }
    let today = chrono::Local::now().date_naive();
    let new = NewIncoming {
        sender: sender_code,
        notation,
        document_date: h.promulgation.date.unwrap_or(today),
        arrival_date: None,
        doc_type: h
            .document_type
            .type_name
            .clone()
            .unwrap_or_else(|| "Công văn".to_owned()),
        subject: h
            .subject
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "(không có trích yếu)".to_owned()),
        signer: h.signer.full_name.clone(),
        urgency: Urgency::from_edxml_priority(
            h.other_info.as_ref().and_then(|o| o.priority).unwrap_or(0),
        ),
        secrecy: Secrecy::Normal,
        deadline: h.due_date,
        handler: None,
        notes: None,
        files,
        body_text: h.content.clone(),
        edxml_document_id: h.document_id.clone(),
        expected_number: None,
        via,
    };
    Ok(new)
}

/// The attachment's name as a file name Linux and Windows accept (vanthu_domain::paths).
fn safe_name(n: &str) -> String {
    vanthu_domain::paths::portable_file_name(n).unwrap_or_else(|| "tep".to_owned())
}

/// Moves the registry's queued status codes, and the outgoing documents the clerk sent
/// "qua trục" (crate::dispatch), into the engine's outbox; documents the hub has accepted
/// become Đã gửi. Returns the number of packages queued.
pub fn queue_registry_statuses(
    reg: &mut Registry,
    state: &SyncState,
    agency: &str,
    agency_name: &str,
) -> Result<u64, BridgeError> {
    crate::dispatch::reflect_dispatched(reg, state)?;
    let mut queued = crate::dispatch::queue_dispatches(reg, state, agency, agency_name)?;
    let received: Vec<Received> = state
        .received()?
        .into_iter()
        .filter(|r| r.kind == "edoc")
        .collect();
    for item in reg.pending_outbox(1000)? {
        if item.kind != "status" || item.attempts > 0 && item.last_error.is_some() {
            continue;
        }
        let p = &item.payload;
        let edxml_id = p["edxml_document_id"].as_str().unwrap_or_default();
        let code = p["status_code"].as_str().unwrap_or_default().to_owned();
        let sender = item.recipient_code.as_deref().unwrap_or_default();
        let by_edxml_id = || {
            received.iter().find(|r| {
                !edxml_id.is_empty()
                    && r.document_id.as_deref() == Some(edxml_id)
                    && r.sender == sender
            })
        };
        // A package sent without a hub-level DocumentId: the registry inbox knows which
        // package the document came from.
        let by_inbox = || -> Result<Option<&Received>, BridgeError> {
            let Some(doc) = item.document_id else {
                return Ok(None);
            };
            let packages = reg.packages_of_document(doc)?;
            Ok(received
                .iter()
                .find(|r| r.sender == sender && packages.iter().any(|(id, _)| *id == r.message_id)))
        };
        let found = match by_edxml_id() {
            Some(r) => Some(r),
            None => by_inbox()?,
        };
        let Some(original) = found else {
            reg.mark_outbox_failed(
                item.id,
                &format!("không có gói tin trục cho {edxml_id} / no hub message for {edxml_id}"),
            )?;
            continue;
        };
        // 04 and 05 may legitimately repeat (re-assignment, new handler): one package per
        // registry row; the other codes are sent at most once per document and agency.
        let message_id = if code == "04" || code == "05" {
            format!(
                "{}-r{}",
                status_message_id(&original.message_id, &code, agency),
                item.id
            )
        } else {
            status_message_id(&original.message_id, &code, agency)
        };
        let response_id = if edxml_id.is_empty() {
            original
                .document_id
                .as_deref()
                .unwrap_or(&original.message_id)
        } else {
            edxml_id
        };
        let description = p["note"]
            .as_str()
            .filter(|s| !s.is_empty())
            .or(p["description"].as_str())
            .unwrap_or_default();
        // The time of the transition the registry recorded, not the time of this handoff.
        let timestamp = p["timestamp"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .unwrap_or_else(|| vn_time(crate::state::now_ms()));
        let body = status_package(&StatusInfo {
            response_for_organ: sender,
            response_for_document_id: response_id,
            from_organ: agency,
            from_name: agency_name,
            code: &code,
            description,
            timestamp,
            staff: p["staff"].as_str(),
        })?;
        let pkg = OutgoingPackage {
            message_id,
            op: Operation::Status,
            related: Some(original.message_id.clone()),
            status_code: Some(code),
            recipients: Vec::new(),
            document_id: Some(response_id.to_owned()),
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
        };
        if shares_database(reg, state) {
            // The package is queued and the registry row marked sent in one transaction.
            if reg.sync_enqueue_for_outbox(item.id, &to_sync_package(&pkg), &body)? {
                queued += 1;
            }
            continue;
        }
        state.enqueue(&pkg, &body)?;
        reg.mark_outbox_sent(item.id)?;
        queued += 1;
    }
    Ok(queued)
}
