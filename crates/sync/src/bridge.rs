//! The link between the engine's queues and the registry (crates/registry), sending side:
//! * (received document packages become incoming documents in `vanthu_core::receive`, which
//!   also indexes their PDF text, so that the one package → record mapping lives above both
//!   this crate and the PDF crate);
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

use vanthu_registry::Registry;

use crate::engine::status_message_id;
use crate::registry_store::to_sync_package;
use crate::state::{Received, SyncState};
use crate::status::{status_package, vn_time, StatusInfo};
use crate::transport::{Operation, OutgoingPackage};

pub use crate::error::BridgeError;

/// True when the engine's queues live in `reg`'s own database (the registry implementation
/// on the same data directory): the handoffs are then single transactions.
pub fn shares_database(reg: &Registry, state: &SyncState) -> bool {
    state.kind() == "registry" && same_dir(reg.data_dir(), state.data_dir())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
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
