//! The leader's signing queue ("Chờ ký"): outgoing drafts that carry a PDF, and the
//! transition to `signed` once a signed PDF comes back from the token.
use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use vanthu_domain::text::nfc;

use crate::documents::media_type;
use crate::{audit, AttachmentInfo, DocumentRecord, Error, Registry, Result};

/// One outgoing document waiting for the leader's signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningQueueItem {
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
    pub signing_time: String,
}

impl Registry {
    /// Outgoing drafts with a PDF attachment, oldest first (the order they were drafted).
    pub fn signing_queue(&self) -> Result<Vec<SigningQueueItem>> {
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT d.id FROM documents d
                 WHERE d.register = 'outgoing' AND d.state = 'draft'
                   AND EXISTS (SELECT 1 FROM attachments a
                               WHERE a.document_id = d.id AND a.media_type = 'application/pdf')
                 ORDER BY d.created_at, d.id",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter().map(|id| self.signing_item(id)).collect()
    }

    /// One queue entry; [`Error::InvalidState`] when the document is not an outgoing
    /// document waiting for a signature with a PDF.
    pub fn signing_item(&self, id: i64) -> Result<SigningQueueItem> {
        let document = self.get(id)?;
        if document.register != crate::Register::Outgoing
            || !(document.state == "draft" || document.state == "signed")
        {
            return Err(Error::InvalidState(format!(
                "văn bản {id} không chờ ký ({}) / document {id} is not waiting for a signature",
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
        let drafted_by: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT user FROM status_events WHERE document_id = ?1 AND to_state = 'draft'
                 ORDER BY id LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
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
    /// document as it was.
    pub fn record_signed(
        &mut self,
        id: i64,
        signed_pdf: &Path,
        file_name: &str,
        info: &SignedFile,
    ) -> Result<DocumentRecord> {
        let before = self.signing_item(id)?;
        let blob = self.blobs.put_file(signed_pdf)?;
        let head = self.blobs.read_head(&blob.sha256)?;
        // By content, not by name: the token must have produced a PDF.
        let media = media_type(Path::new(file_name), &head);
        if !head.starts_with(b"%PDF-") {
            return Err(Error::invalid(
                "tệp đã ký không phải PDF / signed file is not a PDF",
            ));
        }
        let file = crate::documents::PreparedFile {
            blob,
            file_name: nfc(file_name),
            media_type: media.to_string(),
        };
        self.write(|tx, ctx| {
            // Re-read inside the write lock: another window may have signed it meanwhile.
            let state: Option<String> = tx
                .prepare_cached("SELECT state FROM documents WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            let state = state.ok_or(Error::NotFound(id))?;
            if state != before.document.state {
                return Err(Error::InvalidState(format!(
                    "văn bản {id} vừa đổi trạng thái ({state}) / document {id} changed meanwhile"
                )));
            }
            let att = crate::documents::insert_attachment(tx, ctx, id, &file)?;
            tx.prepare_cached(
                "UPDATE documents SET state = 'signed', updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, ctx.now])?;
            if state != "signed" {
                crate::events::insert_event(
                    tx,
                    ctx,
                    id,
                    Some(vanthu_domain::Actor::Leader),
                    Some(&state),
                    "signed",
                    &[],
                    None,
                )?;
            }
            audit::append(
                tx,
                ctx,
                "outgoing.sign",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({
                    "from_state": state, "attachment_id": att,
                    "signed_from_sha256": before.pdf.sha256, "sha256": file.blob.sha256,
                    "role": info.role, "signer": info.signer, "field": info.field,
                    "signing_time": info.signing_time,
                }),
            )
        })?;
        self.get(id)
    }
}
