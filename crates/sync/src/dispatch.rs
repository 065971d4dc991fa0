//! The sender's side of the bridge: outgoing documents the clerk sent "qua trục"
//! (`Registry::queue_dispatch`) become edXML packages in the engine's outbox, and the
//! registry learns when the hub has accepted them (Sẵn sàng gửi → Đã gửi).
//!
//! Crash safety: the package is queued under the registry's deterministic message id
//! before the registry row is marked handed over, so a kill between the two re-runs the
//! handoff and the engine's unique message id drops the copy.
use vanthu_domain::DocumentNumber;
use vanthu_edxml as ed;
use vanthu_registry::{DocumentRecord, Registry};

use crate::error::BridgeError;
use crate::state::{OutboxState, SyncState};
use crate::transport::{Operation, OutgoingPackage};

/// Hands every pending dispatch to the engine; returns how many were queued.
pub fn queue_dispatches(
    reg: &mut Registry,
    state: &SyncState,
    agency: &str,
    agency_name: &str,
) -> Result<u64, BridgeError> {
    let mut queued = 0;
    for d in reg.pending_dispatches(100)? {
        let rec = reg.get(d.document_id)?;
        let business = ed::Business {
            doc_type: Some(0),
            reason: Some("Văn bản điện tử mới".into()),
            paper: Some(0),
            ..Default::default()
        };
        let body = match package(
            reg,
            &rec,
            &d.recipients,
            agency,
            agency_name,
            business,
            true,
        ) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(document = d.document_id, %e, "outgoing document not packaged");
                reg.mark_outbox_failed(d.outbox_id, &e.to_string())?;
                continue;
            }
        };
        let pkg = OutgoingPackage {
            message_id: d.message_id.clone(),
            op: Operation::Send,
            related: None,
            status_code: None,
            recipients: d.recipients.clone(),
            document_id: rec
                .edxml_document_id
                .clone()
                .or_else(|| edxml_id(&rec, agency)),
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
        };
        state.enqueue(&pkg, &body)?;
        reg.mark_outbox_sent(d.outbox_id)?;
        queued += 1;
    }
    queued += queue_recalls(reg, state, agency, agency_name)?;
    Ok(queued)
}

/// Hands every recall the clerk asked for to the engine: a revocation package (the
/// original's header and DocumentId, BussinessDocType 1, the reason, no files) about the
/// original's message, to the recipients it was sent to.
fn queue_recalls(
    reg: &mut Registry,
    state: &SyncState,
    agency: &str,
    agency_name: &str,
) -> Result<u64, BridgeError> {
    let mut queued = 0;
    for r in reg.pending_recalls(100)? {
        let rec = reg.get(r.document_id)?;
        let document_id = rec
            .edxml_document_id
            .clone()
            .or_else(|| edxml_id(&rec, agency));
        let business = ed::Business {
            document_id: document_id.clone(),
            doc_type: Some(1),
            reason: Some(r.reason.clone()),
            paper: Some(0),
            ..Default::default()
        };
        let body = match package(
            reg,
            &rec,
            &r.recipients,
            agency,
            agency_name,
            business,
            false,
        ) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(document = r.document_id, %e, "recall not packaged");
                reg.mark_outbox_failed(r.outbox_id, &e.to_string())?;
                continue;
            }
        };
        let pkg = OutgoingPackage {
            message_id: r.message_id.clone(),
            op: Operation::Recall,
            related: Some(r.related.clone()),
            status_code: None,
            recipients: r.recipients.clone(),
            document_id,
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
        };
        state.enqueue(&pkg, &body)?;
        reg.mark_outbox_sent(r.outbox_id)?;
        queued += 1;
    }
    Ok(queued)
}

/// Moves documents the hub has accepted to Đã gửi; returns how many.
pub fn reflect_dispatched(reg: &mut Registry, state: &SyncState) -> Result<u64, BridgeError> {
    let mut done = 0;
    for d in reg.awaiting_hub()? {
        if state.outbox_state(&d.message_id)? == Some(OutboxState::Sent) {
            reg.mark_dispatched(d.document_id, chrono::Local::now().date_naive())?;
            done += 1;
        }
    }
    Ok(done)
}

/// The edXML `DocumentId` in the government SDK's form: `<sender>,<yyyy/MM/dd>,<số/ký hiệu>`.
fn edxml_id(rec: &DocumentRecord, agency: &str) -> Option<String> {
    let date = rec.document_date?;
    Some(format!(
        "{agency},{},{}",
        ed::dates::format_date(date),
        rec.notation
    ))
}

/// The edXML package of `rec` for `recipients`: its header, `business`, and its files when
/// `with_files` (a revocation carries none).
fn package(
    reg: &Registry,
    rec: &DocumentRecord,
    recipients: &[String],
    agency: &str,
    agency_name: &str,
    business: ed::Business,
    with_files: bool,
) -> Result<Vec<u8>, String> {
    let number = DocumentNumber::parse(&rec.notation).map_err(|e| e.to_string())?;
    let mut h = ed::Header {
        from: ed::Organization {
            organ_id: Some(agency.to_string()),
            organ_name: Some(agency_name.to_string()),
            organ_in_charge: Some(agency_name.to_string()),
            ..Default::default()
        },
        document_id: edxml_id(rec, agency),
        subject: Some(rec.subject.clone()),
        due_date: rec.deadline,
        ..Default::default()
    };
    for r in &rec.recipients {
        if let Some(code) = r.agency_code.as_ref().filter(|c| recipients.contains(c)) {
            h.to.push(ed::Organization {
                organ_id: Some(code.clone()),
                organ_name: Some(r.name.clone()),
                ..Default::default()
            });
        }
    }
    h.code.number = number.number.map(|n| n.to_string());
    h.code.notation = Some(number.notation.clone());
    h.promulgation.date = rec.document_date;
    h.document_type.type_name = Some(rec.doc_type.clone());
    h.signer.full_name = rec.signer.clone();
    h.other_info = Some(ed::OtherInfo {
        priority: Some(rec.urgency.edxml_priority()),
        promulgation_amount: rec.copies,
        ..Default::default()
    });
    h.trace.push(ed::TraceHeader {
        organ_id: Some(agency.to_string()),
        timestamp: Some(ed::dates::now_vn()),
    });
    h.business = Some(business);
    // The newest PDF is the one to send (the signed copy when the leader signed in the
    // app; the draft it was made from stays home); other files travel as they are.
    let newest_pdf = rec
        .attachments
        .iter()
        .rev()
        .find(|a| a.media_type == "application/pdf")
        .map(|a| a.id);
    let mut atts: Vec<ed::OutAttachment<'_>> = rec
        .attachments
        .iter()
        .filter(|_| with_files)
        .filter(|a| a.media_type != "application/pdf" || Some(a.id) == newest_pdf)
        .map(|a| ed::OutAttachment {
            meta: ed::AttachmentMeta {
                content_id: Some(a.sha256[..32.min(a.sha256.len())].to_string()),
                name: Some(a.file_name.clone()),
                content_type: Some(a.media_type.clone()),
                description: Some(a.file_name.clone()),
            },
            data: ed::AttachmentData::Path(reg.attachment_path(a)),
        })
        .collect();
    let mut out = Vec::new();
    ed::write_package(&mut out, &h, &mut atts, rec.secrecy).map_err(|e| e.to_string())?;
    Ok(out)
}
