//! Received document packages become incoming records: the receiving half of the link
//! between the sync engine's queues and the registry (the sending half is
//! `vanthu_sync::bridge`). Each package is mapped by [`crate::incoming`] (the mapping the
//! file import uses too) and its PDF text indexed ([`crate::index`]).
//!
//! Idempotent across crashes: a received package is recorded in the registry inbox under its
//! hub message id (unique), a new document commits together with that inbox row's processed
//! mark, and an existing document with the same edXML `DocumentId` is reused rather than
//! created twice. Who may say what (the sender is the hub account, relays, revisions only
//! from the original sender) is decided here, in `import_one` (docs/sync.md).
use std::path::Path;

use vanthu_registry::{NewIncoming, ReceivedAction, Registry};
use vanthu_sync::bridge::{shares_database, BridgeError};
use vanthu_sync::state::{Received, SyncState};

use crate::incoming::{incoming_from_package, MapError, Missing, Origin};

/// What one receive pass did with the packages the hub delivered.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReceiveReport {
    /// Packages entered in the incoming register.
    pub imported: u64,
    /// Packages that could not become documents (kept in the registry inbox with the error).
    pub failed: u64,
    /// Packages refused because of who sent them (a From that is not the hub account, a
    /// revision of another agency's document): entered as refused (status 02) or kept in the
    /// registry inbox with the reason, audited either way.
    pub refused: u64,
}

/// Imports every received document package not yet in the registry.
pub fn import_received(
    reg: &mut Registry,
    state: &SyncState,
) -> Result<ReceiveReport, BridgeError> {
    let mut report = ReceiveReport::default();
    if shares_database(reg, state) {
        // Both queues are in this database: one transaction records what is new.
        reg.sync_record_received_documents()?;
    } else {
        let received: Vec<Received> = state
            .received()?
            .into_iter()
            // Internal packages (a desktop's submission) are not documents from a sender:
            // crate::desks handles them.
            .filter(|r| r.kind == "edoc" && !vanthu_sync::desks::is_internal(&r.sender))
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
        // Packages found already imported or failing to map are marked per chunk, in one
        // transaction, before the next chunk is read.
        let mut marks: Vec<(i64, Option<i64>, Option<String>)> = Vec::new();
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
                    Err(Failure::Retry(e)) => {
                        reg.mark_inbox_processed_many(&marks)?;
                        return Err(e.into());
                    }
                },
            };
            match outcome {
                Ok(doc_id) => {
                    marks.push((item.id, Some(doc_id), None));
                    report.imported += 1;
                }
                Err(e) => {
                    tracing::warn!("cannot import {}: {e}", item.package_id);
                    marks.push((item.id, None, Some(e)));
                    report.failed += 1;
                }
            }
        }
        reg.mark_inbox_processed_many(&marks)?;
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
            let refused = format!(
                "Từ chối tự động: {SENDER_MISMATCH} (gói tin ghi nơi gửi {claimed}{}, tài khoản trục {hub_sender})",
                h.from
                    .organ_name
                    .as_deref()
                    .map(|n| format!(" – {n}"))
                    .unwrap_or_default()
            );
            // Whatever the mapping noted (a number kept as sent, broken attachments) stays.
            new.notes = Some(match new.notes.take() {
                Some(n) => format!("{refused}\n{n}"),
                None => refused,
            });
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
            crate::index::index_document_text_logged(reg, id);
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
    crate::index::index_document_text_logged(reg, rec.id);
    Ok(Imported::Committed)
}

/// The incoming document a package describes (attachments copied into `tmp`), entered under
/// `sender` (the hub account, or the agency a relay forwards for); `via` the relay.
fn new_incoming(
    reg: &mut Registry,
    pkg: &vanthu_edxml::Package,
    sender: &str,
    via: Option<&str>,
    tmp: &Path,
) -> Result<NewIncoming, Failure> {
    let mapped = incoming_from_package(
        reg,
        pkg,
        Origin { sender, via },
        &tmp.join("files"),
        Missing::Fill,
    )?;
    for w in &mapped.warnings {
        tracing::info!(sender, "received package: {w}");
    }
    Ok(mapped.new)
}

impl From<MapError> for Failure {
    fn from(e: MapError) -> Failure {
        match e {
            MapError::Registry(e) => e.into(),
            other => Failure::Permanent(other.to_string()),
        }
    }
}
