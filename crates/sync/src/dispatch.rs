//! The sender's side of the bridge: outgoing documents the clerk sent "qua trục"
//! (`Registry::queue_dispatch`) become edXML packages in the engine's outbox, and the
//! registry learns when the hub has accepted them (Sẵn sàng gửi → Đã gửi).
//!
//! Crash safety: the package is queued under the registry's deterministic message id
//! before the registry row is marked handed over, so a kill between the two re-runs the
//! handoff and the engine's unique message id drops the copy.
use vanthu_domain::DocumentNumber;
use vanthu_edxml as ed;
use vanthu_registry::{DocumentRecord, Registry, SenderRevision};

use crate::error::BridgeError;
use crate::state::{OutboxState, SyncState};
use crate::transport::{Operation, OutgoingPackage};

/// One registry outbox row to turn into a package in the engine's outbox.
struct Handoff {
    outbox_id: i64,
    document_id: i64,
    message_id: String,
    op: Operation,
    related: Option<String>,
    recipients: Vec<String>,
    /// `BussinessDocType`: 0 a new document, 1 its recall, 2 an update, 3 a replacement.
    business: u8,
    reason: String,
    /// A recall carries no files.
    with_files: bool,
}

/// Hands every pending dispatch, then every recall the clerk asked for, to the engine;
/// returns how many were queued. A recall is a revocation package (the original's header and
/// DocumentId, BussinessDocType 1, the reason, no files) about the original's message, to the
/// recipients it was sent to.
pub fn queue_dispatches(
    reg: &mut Registry,
    state: &SyncState,
    agency: &str,
    agency_name: &str,
) -> Result<u64, BridgeError> {
    let mut work: Vec<Handoff> = reg
        .pending_dispatches(100)?
        .into_iter()
        .map(|d| Handoff {
            outbox_id: d.outbox_id,
            document_id: d.document_id,
            message_id: d.message_id,
            op: Operation::Send,
            related: None,
            recipients: d.recipients,
            business: 0,
            reason: "Văn bản điện tử mới".into(),
            with_files: true,
        })
        .collect();
    work.extend(reg.pending_recalls(100)?.into_iter().map(|r| Handoff {
        outbox_id: r.outbox_id,
        document_id: r.document_id,
        message_id: r.message_id,
        op: match r.revision {
            SenderRevision::Recall => Operation::Recall,
            SenderRevision::Update => Operation::Update,
            SenderRevision::Replace => Operation::Replace,
        },
        related: Some(r.related),
        recipients: r.recipients,
        business: r.revision.business(),
        reason: r.reason,
        // An update or replacement carries the document as it is now.
        with_files: r.revision != SenderRevision::Recall,
    }));
    let mut queued = 0;
    for h in work {
        let rec = reg.get(h.document_id)?;
        let document_id = rec
            .edxml_document_id
            .clone()
            .or_else(|| edxml_id(&rec, agency));
        let business = ed::Business {
            // A recall, update or replacement names the document it revises.
            document_id: (h.business != 0).then(|| document_id.clone()).flatten(),
            doc_type: Some(h.business),
            reason: Some(h.reason.clone()),
            paper: Some(0),
            // An update changes the document's information (the corrected files), not who
            // receives it.
            document_info: (h.business == 2).then_some(1),
            document_receiver: (h.business == 2).then_some(0),
            // A replacement lists the document it replaces, for the same recipients.
            replacements: if h.business == 3 {
                vec![ed::Replacement {
                    document_id: document_id.clone(),
                    organ_ids: h.recipients.clone(),
                }]
            } else {
                Vec::new()
            },
            ..Default::default()
        };
        let built = package(
            reg,
            &rec,
            &h.recipients,
            agency,
            agency_name,
            business,
            h.with_files,
        );
        let body = match built {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(document = h.document_id, op = h.op.as_str(), %e, "not packaged");
                reg.mark_outbox_failed(h.outbox_id, &e.to_string())?;
                continue;
            }
        };
        let pkg = OutgoingPackage {
            message_id: h.message_id,
            op: h.op,
            related: h.related,
            status_code: None,
            recipients: h.recipients,
            document_id,
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
        };
        state.enqueue(&pkg, &body)?;
        reg.mark_outbox_sent(h.outbox_id)?;
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
    // app; the draft it was made from stays home), first; the editable soft copy (.docx,
    // .odt…, 986/UBND-HCTC) and any other file travel after it as they are. The soft copy
    // says in its description that it is not the valid copy (edxml.md §4).
    let newest_pdf = rec
        .attachments
        .iter()
        .rev()
        .find(|a| a.media_type == "application/pdf")
        .map(|a| a.id);
    let mut files: Vec<_> = rec
        .attachments
        .iter()
        .filter(|_| with_files)
        .filter(|a| a.media_type != "application/pdf" || Some(a.id) == newest_pdf)
        .collect();
    files.sort_by_key(|a| Some(a.id) != newest_pdf);
    let mut atts: Vec<ed::OutAttachment<'_>> = files
        .into_iter()
        .map(|a| ed::OutAttachment {
            meta: ed::AttachmentMeta {
                content_id: Some(a.sha256[..32.min(a.sha256.len())].to_string()),
                name: Some(a.file_name.clone()),
                content_type: Some(a.media_type.clone()),
                description: Some(if vanthu_registry::soft_copy::is_soft_copy(&a.file_name) {
                    format!(
                        "Bản mềm (tệp chỉnh sửa được, bản có giá trị là PDF đã ký số): {}",
                        a.file_name
                    )
                } else {
                    a.file_name.clone()
                }),
            },
            data: ed::AttachmentData::Path(reg.attachment_path(a)),
        })
        .collect();
    let mut out = Vec::new();
    ed::write_package(&mut out, &h, &mut atts, rec.secrecy).map_err(|e| e.to_string())?;
    Ok(out)
}
