//! The leader's signing queue ("Chờ ký"): outgoing drafts that carry a PDF, and the
//! transition to `signed` once a signed PDF comes back from the token; and the arrival
//! stamp (dấu đến) on a registered incoming document, which adds a stamped copy without
//! changing the document's state.
use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use vanthu_domain::text::nfc;
use vanthu_domain::{DocumentState, IncomingState, OutgoingState};

use crate::documents::media_type;
use crate::register::state_at;
use crate::{audit, AttachmentInfo, DocumentRecord, Error, Registry, Result, WriteCtx};

/// One outgoing document waiting for the leader's signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningQueueItem {
    /// The draft to sign.
    pub document: DocumentRecord,
    /// The PDF to sign: the newest PDF attachment.
    pub pdf: AttachmentInfo,
    /// Who drafted it (the user who created the draft).
    pub drafted_by: Option<String>,
}

/// What [`Registry::record_signed`] stores besides the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignedFile {
    /// leader | organization | attachment
    pub role: String,
    /// The signer's name from the certificate.
    pub signer: String,
    /// The signature field the signature went into.
    pub field: String,
    /// When the signature was made (RFC 3339), as written in the signature.
    pub signing_time: String,
}

/// A registered incoming document and the PDF its arrival stamp goes on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrivalStampItem {
    /// The incoming document; it has its số đến.
    pub document: DocumentRecord,
    /// The PDF to stamp: the newest PDF attachment.
    pub pdf: AttachmentInfo,
}

/// States in which an incoming document has its số đến and is still the unit's to keep:
/// registered and every processing state after it.
const STAMPABLE: [IncomingState; 4] = [
    IncomingState::Registered,
    IncomingState::Assigned,
    IncomingState::InProgress,
    IncomingState::Completed,
];

impl Registry {
    /// The document and PDF an arrival stamp would go on; [`Error::InvalidState`] when the
    /// document is not an incoming one registered with its final số đến (a số tạm given
    /// offline is not stamped: it changes at the next sync), has no PDF, or its newest PDF
    /// is already the stamped copy.
    pub fn arrival_stamp_item(&self, id: i64) -> Result<ArrivalStampItem> {
        let document = self.get(id)?;
        let registered = document
            .incoming_state()
            .is_some_and(|s| STAMPABLE.contains(&s));
        if !registered || document.number.is_none() {
            return Err(Error::InvalidState(format!(
                "văn bản {id} chưa được vào sổ với số đến chính thức ({}) nên chưa đóng dấu đến được / document {id} has no số đến yet",
                document.state_label
            )));
        }
        let pdf = document
            .attachments
            .iter()
            .rev()
            .find(|a| a.media_type == "application/pdf")
            .cloned()
            .ok_or_else(|| {
                Error::InvalidState(format!(
                    "văn bản {id} không có tệp PDF / document {id} has no PDF attachment"
                ))
            })?;
        // The newest PDF being a stamped copy means the stamp is on it already: a second
        // "ĐẾN" box on the same page would be a second arrival.
        let stamped: bool = self
            .conn
            .prepare_cached(
                "SELECT count(*) > 0 FROM audit_log
                 WHERE action = 'incoming.arrival_stamp' AND entity = 'document'
                   AND entity_id = ?1 AND json_extract(detail, '$.sha256') = ?2",
            )?
            .query_row(params![id.to_string(), pdf.sha256], |r| r.get(0))?;
        if stamped {
            return Err(Error::InvalidState(format!(
                "văn bản {id} đã được đóng dấu đến / document {id} already carries the arrival stamp"
            )));
        }
        Ok(ArrivalStampItem { document, pdf })
    }

    /// Stores the arrival-stamped copy of an incoming document's PDF (signed by the unit's
    /// seal key, `info.role` = `organization`) as its newest attachment, with a history line
    /// (a status event that keeps the state) and an `incoming.arrival_stamp` audit entry,
    /// in one transaction. The stamp is the văn thư's (Duty::SealAsOrganisation). As for
    /// [`Registry::record_signed_adopting`], the file, written with its SHA-256 and size
    /// known, is moved into the blob store; `stamped_from_sha256` is the PDF that was
    /// stamped, which must still be the newest, else nothing is written.
    pub fn record_arrival_stamp_adopting(
        &mut self,
        id: i64,
        stamped_pdf: &Path,
        written: &crate::Written,
        file_name: &str,
        stamped_from_sha256: &str,
        info: &SignedFile,
    ) -> Result<DocumentRecord> {
        self.require(vanthu_domain::roles::Duty::SealAsOrganisation)?;
        let before = self.arrival_stamp_item(id)?;
        if before.pdf.sha256 != stamped_from_sha256 {
            return Err(stale_pdf(id));
        }
        let blob = self.blobs.adopt(stamped_pdf, written)?;
        let file = self.prepared_signed(blob, file_name)?;
        let number = before.document.number_label().unwrap_or_default();
        self.write(|tx, ctx| {
            // Re-read inside the write lock: another window may have changed it meanwhile.
            let state: Option<DocumentState> = tx
                .prepare_cached("SELECT state FROM documents WHERE id = ?1")?
                .query_row([id], |r| state_at(r, 0))
                .optional()?;
            let state = state.ok_or(Error::NotFound(id))?;
            if !state.incoming().is_some_and(|s| STAMPABLE.contains(&s)) {
                return Err(Error::InvalidState(format!(
                    "văn bản {id} vừa đổi trạng thái ({state}) / document {id} changed meanwhile"
                )));
            }
            let newest: Option<String> = tx
                .prepare_cached(
                    "SELECT sha256 FROM attachments WHERE document_id = ?1 AND media_type = 'application/pdf'
                     ORDER BY id DESC LIMIT 1",
                )?
                .query_row([id], |r| r.get(0))
                .optional()?;
            if newest.as_deref() != Some(stamped_from_sha256) {
                return Err(stale_pdf(id));
            }
            let att = crate::documents::insert_attachment(tx, ctx, id, &file)?;
            tx.prepare_cached("UPDATE documents SET updated_at = ?2 WHERE id = ?1")?
                .execute(params![id, ctx.now])?;
            let note = format!("Đóng dấu đến (số đến {number}, ký số lúc {})", info.signing_time);
            crate::events::insert_event(
                tx,
                ctx,
                id,
                Some(vanthu_domain::Actor::Clerk),
                Some(state),
                state,
                &[],
                Some(&note),
            )?;
            audit::append(
                tx,
                ctx,
                "incoming.arrival_stamp",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({
                    "attachment_id": att, "arrival_number": number,
                    "stamped_from_sha256": stamped_from_sha256, "sha256": file.blob.sha256,
                    "role": info.role, "signer": info.signer, "field": info.field,
                    "signing_time": info.signing_time,
                }),
            )?;
            Ok(())
        })?;
        self.get(id)
    }

    /// Outgoing drafts with a PDF attachment, oldest first (the order they were drafted).
    pub fn signing_queue(&self) -> Result<Vec<SigningQueueItem>> {
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT d.id FROM documents d
                 WHERE d.register = 'outgoing' AND d.mirror_returned_at IS NULL
                   AND EXISTS (SELECT 1 FROM attachments a
                               WHERE a.document_id = d.id AND a.media_type = 'application/pdf')
                   AND (d.state = ?1
                        -- issued after a signature made here, not sealed yet: the văn thư's
                        -- organisation signature (NĐ 30). Documents issued without one (a
                        -- register imported from CSV, an older year) are not waiting for it.
                        OR (d.state = ?2 AND d.mirror_of IS NULL
                            AND EXISTS (SELECT 1 FROM status_events e
                                        WHERE e.document_id = d.id AND e.to_state = ?3)
                            AND NOT EXISTS (
                              SELECT 1 FROM audit_log l
                              WHERE l.action = 'outgoing.sign' AND l.entity = 'document'
                                AND l.entity_id = CAST(d.id AS TEXT)
                                AND json_extract(l.detail, '$.role') = 'organization')))
                 ORDER BY d.created_at, d.id",
            )?
            .query_map(
                [
                    OutgoingState::Draft.as_str(),
                    OutgoingState::Issued.as_str(),
                    OutgoingState::Signed.as_str(),
                ],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter().map(|id| self.signing_item(id)).collect()
    }

    /// One queue entry; [`Error::InvalidState`] when the document is not an outgoing
    /// document waiting for a signature with a PDF.
    pub fn signing_item(&self, id: i64) -> Result<SigningQueueItem> {
        self.signing_item_as(id, true)
    }

    /// [`Registry::signing_item`] for a signature in a role: an issued document takes only
    /// the seal (`organisation`), checked before the token is touched.
    pub fn signing_item_as(&self, id: i64, organisation: bool) -> Result<SigningQueueItem> {
        let document = self.get(id)?;
        let waiting = match document.outgoing_state() {
            Some(OutgoingState::Draft | OutgoingState::Signed) => true,
            Some(OutgoingState::Issued) => organisation,
            _ => false,
        };
        if !waiting {
            return Err(Error::InvalidState(format!(
                "văn bản {id} không chờ ký ({}{}) / document {id} is not waiting for a signature",
                document.state_label,
                if document.outgoing_state() == Some(OutgoingState::Issued) {
                    ": chỉ còn đóng dấu của cơ quan"
                } else {
                    ""
                }
            )));
        }
        let pdf = document
            .attachments
            .iter()
            .rev()
            .find(|a| a.media_type == "application/pdf")
            .cloned()
            .ok_or_else(|| {
                Error::InvalidState(format!(
                    "văn bản {id} không có tệp PDF / document {id} has no PDF attachment"
                ))
            })?;
        let drafted_by: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT user FROM status_events WHERE document_id = ?1 AND to_state = ?2
                 ORDER BY id LIMIT 1",
            )?
            .query_row(params![id, OutgoingState::Draft.as_str()], |r| r.get(0))
            .optional()?;
        Ok(SigningQueueItem {
            document,
            pdf,
            drafted_by,
        })
    }

    /// Stores a signed PDF as the document's newest attachment and moves a draft to
    /// `signed` (a later organisation signature keeps it `signed`), with a status event
    /// and an audit entry, all in one transaction. The file is copied into the blob store
    /// (temp name, fsync, rename) before the transaction, so a failure leaves the
    /// document as it was. On a mirror of a clerk's draft (docs/sync.md, "Several
    /// desktops of one unit") the same transaction queues the signed copy for the clerk's
    /// desktop (outbox kind `desk_signed`).
    pub fn record_signed(
        &mut self,
        id: i64,
        signed_pdf: &Path,
        file_name: &str,
        info: &SignedFile,
    ) -> Result<DocumentRecord> {
        self.require_signing_role(info)?;
        let before = self.signing_item_as(id, info.role == "organization")?;
        let blob = self.blobs.put_file(signed_pdf)?;
        self.record_signed_blob(id, &before, blob, file_name, info)
    }

    /// [`Registry::record_signed`] for a signed file whose SHA-256 and size its writer
    /// computed while writing it (`vanthu_sign::SignOutcome`): the file, already durable,
    /// is moved into the blob store instead of copied and read again. It must be on the
    /// data directory's filesystem (the signing scratch folder is); it is gone afterwards.
    pub fn record_signed_adopting(
        &mut self,
        id: i64,
        signed_pdf: &Path,
        written: &crate::Written,
        file_name: &str,
        info: &SignedFile,
    ) -> Result<DocumentRecord> {
        self.require_signing_role(info)?;
        let before = self.signing_item_as(id, info.role == "organization")?;
        let blob = self.blobs.adopt(signed_pdf, written)?;
        self.record_signed_blob(id, &before, blob, file_name, info)
    }

    /// Only a lãnh đạo signs as the signer, only a văn thư puts the unit's seal (NĐ 30);
    /// checked before the signed file is stored (the signature itself is made by the
    /// token, which the crate cannot stop; what it refuses is recording it).
    fn require_signing_role(&self, info: &SignedFile) -> Result<()> {
        use vanthu_domain::roles::Duty;
        match info.role.as_str() {
            "leader" => self.require(Duty::SignAsLeader),
            "organization" => self.require(Duty::SealAsOrganisation),
            _ => Ok(()),
        }
    }

    fn record_signed_blob(
        &mut self,
        id: i64,
        before: &SigningQueueItem,
        blob: crate::blobs::StoredBlob,
        file_name: &str,
        info: &SignedFile,
    ) -> Result<DocumentRecord> {
        let file = self.prepared_signed(blob, file_name)?;
        self.write(|tx, ctx| {
            let att = sign_in_tx(
                tx,
                ctx,
                id,
                before.document.outgoing_state(),
                &before.pdf.sha256,
                &file,
                info,
                None,
            )?;
            if let Some(m) = crate::desks::outbox::mirror_in_tx(tx, id)? {
                queue_signed(tx, ctx, id, &m, att, &before.pdf.sha256, &file, info)?;
            }
            Ok(())
        })?;
        self.get(id)
    }

    /// A signed PDF already in the blob store, checked by content (the token must have
    /// produced a PDF), ready for [`sign_in_tx`].
    pub(crate) fn prepared_signed(
        &self,
        blob: crate::blobs::StoredBlob,
        file_name: &str,
    ) -> Result<crate::documents::PreparedFile> {
        let head = self.blobs.read_head(&blob.sha256)?;
        if !head.starts_with(b"%PDF-") {
            return Err(Error::invalid(
                "tệp đã ký không phải PDF / signed file is not a PDF",
            ));
        }
        Ok(crate::documents::PreparedFile {
            media_type: media_type(Path::new(file_name), &head).to_string(),
            file_name: nfc(file_name),
            blob,
        })
    }
}

fn stale_pdf(id: i64) -> Error {
    Error::InvalidState(format!(
        "tệp PDF của văn bản {id} đã đổi, bản đóng dấu không khớp / the PDF of document {id} changed meanwhile"
    ))
}

/// The signing transition inside a write transaction: the document must still be an
/// outgoing draft (or signed, for a further signature) in `expected_state` when given,
/// whose newest PDF is `signed_from_sha256` — what was signed — else nothing is written
/// ([`Error::InvalidState`]). Stores `file` as the newest attachment, moves the document to
/// `signed` with a status event (`note`) and appends the `outgoing.sign` audit entry.
/// Returns the new attachment's id.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_in_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    expected_state: Option<OutgoingState>,
    signed_from_sha256: &str,
    file: &crate::documents::PreparedFile,
    info: &SignedFile,
    note: Option<&str>,
) -> Result<i64> {
    // Re-read inside the write lock: another window may have signed it meanwhile.
    let row: Option<(DocumentState, bool)> = tx
        .prepare_cached(
            "SELECT state, mirror_returned_at IS NOT NULL FROM documents WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((state_at(r, 0)?, r.get(1)?)))
        .optional()?;
    let (state, returned) = row.ok_or(Error::NotFound(id))?;
    let seal = info.role == "organization";
    // A returned mirror waits for the clerk's desktop to submit it again. An issued document
    // takes only the seal (the number and date come before it, NĐ 30).
    let from = match state {
        DocumentState::Outgoing(s @ (OutgoingState::Draft | OutgoingState::Signed))
            if !returned && expected_state.is_none_or(|e| e == s) =>
        {
            s
        }
        DocumentState::Outgoing(s @ OutgoingState::Issued)
            if seal && expected_state.is_none_or(|e| e == s) =>
        {
            s
        }
        _ => {
            return Err(Error::InvalidState(format!(
                "văn bản {id} vừa đổi trạng thái ({state}) / document {id} changed meanwhile"
            )))
        }
    };
    let newest: Option<String> = tx
        .prepare_cached(
            "SELECT sha256 FROM attachments WHERE document_id = ?1 AND media_type = 'application/pdf'
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if newest.as_deref() != Some(signed_from_sha256) {
        return Err(Error::InvalidState(format!(
            "tệp PDF của văn bản {id} đã đổi, bản đã ký không khớp / the PDF of document {id} changed meanwhile: the signed copy is of an older version"
        )));
    }
    let att = crate::documents::insert_attachment(tx, ctx, id, file)?;
    let to = if from == OutgoingState::Issued {
        OutgoingState::Issued
    } else {
        OutgoingState::Signed
    };
    tx.prepare_cached("UPDATE documents SET state = ?3, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, ctx.now, to.as_str()])?;
    if seal {
        // The seal keeps the state; the history says it was put.
        crate::events::insert_event(
            tx,
            ctx,
            id,
            Some(vanthu_domain::Actor::Clerk),
            Some(state),
            to.into(),
            &[],
            Some(&format!(
                "Văn thư đóng dấu (chữ ký số của cơ quan: {})",
                info.signer
            )),
        )?;
    } else if from != OutgoingState::Signed {
        crate::events::insert_event(
            tx,
            ctx,
            id,
            Some(vanthu_domain::Actor::Leader),
            Some(state),
            OutgoingState::Signed.into(),
            &[],
            note,
        )?;
    }
    audit::append(
        tx,
        ctx,
        "outgoing.sign",
        "document",
        Some(&id.to_string()),
        &serde_json::json!({
            "from_state": state.as_str(), "attachment_id": att,
            "signed_from_sha256": signed_from_sha256, "sha256": file.blob.sha256,
            "role": info.role, "signer": info.signer, "field": info.field,
            "signing_time": info.signing_time,
        }),
    )?;
    Ok(att)
}

/// Queues the leader's signed copy of a mirrored draft for the clerk's desktop (outbox kind
/// `desk_signed`), in the transaction that stored the signature. The PDF stays in the blob
/// store; [`Registry::desk_signed_package`] reads it when the sync engine takes the row.
#[allow(clippy::too_many_arguments)]
pub(crate) fn queue_signed(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    document_id: i64,
    m: &crate::desks::wire::MirrorInfo,
    attachment_id: i64,
    signed_from_sha256: &str,
    file: &crate::documents::PreparedFile,
    info: &SignedFile,
) -> Result<()> {
    crate::events::enqueue(
        tx,
        ctx,
        "desk_signed",
        Some(document_id),
        Some(&m.origin),
        &serde_json::json!({
            "submission_message_id": m.submission_message_id,
            "origin_document_id": m.origin_document_id,
            "attachment_id": attachment_id, "file_name": file.file_name,
            "sha256": file.blob.sha256, "signed_from_sha256": signed_from_sha256,
            "role": info.role, "signer": info.signer, "field": info.field,
            "signing_time": info.signing_time, "user": ctx.user, "at": ctx.now,
        }),
    )?;
    Ok(())
}
