//! The arrival stamp (dấu đến, Nghị định 30/2020 Phụ lục IV) on a registered incoming
//! document: its newest PDF signed with the unit's seal key on the token, the appearance
//! being the "ĐẾN" box (agency, số đến, ngày đến, chuyển) in the top margin of page 1,
//! stored as the document's newest attachment "<name> (dấu đến).pdf" with a history line
//! and an audit entry in one registry transaction. `vanthu incoming stamp` and the app's
//! "Đóng dấu đến" both call [`stamp_arrival`].
//!
//! The stamp is an incremental update, so the sender's signatures stay intact; the PDF
//! as received stays an attachment too. The PIN is moved in as zeroizing memory, used
//! for one login and dropped before signing; it is never logged, stored or put in an
//! error message.
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use vanthu_domain::roles::Duty;
use vanthu_registry::{AttachmentInfo, DocumentRecord, Registry, SignedFile};
use vanthu_sign::token::Module;
use vanthu_sign::{
    sign_pdf, verify_pdf_with, ArrivalStamp, Role, SignError, SignRequest, TrustStore, VerifyReport,
};
use zeroize::Zeroizing;

/// Which key signs the stamp.
#[derive(Debug, Clone, Copy, Default)]
pub struct StampKey<'a> {
    /// The label of the token key; `None` = the first key with a certificate.
    pub key_label: Option<&'a str>,
    /// The label of the token when several are plugged in; `None` = the first one found.
    pub token_label: Option<&'a str>,
}

/// What a stamping did.
#[derive(Debug, Clone, Serialize)]
pub struct StampOutcome {
    /// The document as stored afterwards (the stamped copy is its newest attachment).
    pub document: DocumentRecord,
    /// The stamped copy.
    pub attachment: AttachmentInfo,
    /// The signature field the stamp went into.
    pub field: String,
    /// The signer (the seal certificate's name).
    pub signer: String,
    /// When the stamp was signed (RFC 3339).
    pub signing_time: String,
    /// The stamp's box on page 1 (x, y, w, h in points).
    pub rect: Option<[f64; 4]>,
    /// The verification of the stored file, or why it could not be verified.
    pub verification: Result<VerifyReport, String>,
}

/// Why a document was not stamped; nothing is stored in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    /// The token could not be opened, the PIN was refused, or the stamp could not be
    /// placed or signed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The register refused: not registered yet, no PDF, no permission, changed meanwhile.
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    /// The scratch folder for the stamped file could not be created.
    #[error("không tạo được thư mục tạm / cannot create a scratch folder: {0}")]
    Scratch(std::io::Error),
}

/// The name the stamped copy is stored under: "Công văn 412 (dấu đến).pdf".
pub fn stamped_name(original: &str) -> String {
    let stem = original
        .strip_suffix(".pdf")
        .or_else(|| original.strip_suffix(".PDF"))
        .unwrap_or(original);
    format!("{stem} (dấu đến).pdf")
}

/// What the stamp shows for `document` of the unit named `agency` (empty: the seal
/// certificate's organisation is printed instead).
pub fn stamp_fields(document: &DocumentRecord, agency: &str) -> ArrivalStamp {
    let date = document
        .arrival_date
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(&document.created_at)
                .ok()
                .map(|t| t.date_naive())
        })
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default();
    ArrivalStamp {
        agency: agency.to_string(),
        number: document.number_label().unwrap_or_default(),
        date,
        handler: document.handler.clone().filter(|h| !h.trim().is_empty()),
        file_notation: None,
    }
}

/// Stamps incoming document `id` with the token's seal key (logging in with `pin`),
/// records the stamped copy and verifies it.
///
/// Refused before the PIN is used: a document without its số đến (not yet registered, or
/// only a số tạm), without a PDF, or a person without the văn thư's duty. A page with no
/// free space for the stamp is refused too ([`SignError::NoFreeSpace`]): the stamp never
/// covers the document's text.
pub fn stamp_arrival(
    registry: &Mutex<Registry>,
    module: &Module,
    trust: &TrustStore,
    id: i64,
    key: StampKey<'_>,
    pin: Zeroizing<String>,
) -> Result<StampOutcome, StampError> {
    let (item, agency, input, scratch) = {
        let reg = lock(registry);
        reg.require(Duty::SealAsOrganisation)?;
        let item = reg.arrival_stamp_item(id)?;
        let agency = reg.own_unit()?.map(|(_, name)| name).unwrap_or_default();
        let input = reg.attachment_path(&item.pdf);
        let scratch = tempfile::Builder::new()
            .prefix(".stamping-")
            .tempdir_in(reg.data_dir())
            .map_err(StampError::Scratch)?;
        (item, agency, input, scratch)
    };
    let slot = module.find_slot(key.token_label)?;
    let session = module.login(slot, &pin)?;
    drop(pin);
    let signer = session.key(key.key_label)?;
    let output = scratch.path().join(format!("{id}.pdf"));
    let signed = sign_pdf(
        &SignRequest {
            input,
            output: output.clone(),
            role: Role::Organization,
            arrival: Some(stamp_fields(&item.document, &agency)),
            reason: Some("Dấu đến".into()),
            ..Default::default()
        },
        &signer,
    )?;
    let document = lock(registry).record_arrival_stamp_adopting(
        id,
        &output,
        &vanthu_registry::Written {
            sha256: signed.sha256.clone(),
            size: signed.size,
        },
        &stamped_name(&item.pdf.file_name),
        &item.pdf.sha256,
        &SignedFile {
            role: "organization".into(),
            signer: signed.signer.clone(),
            field: signed.field.clone(),
            signing_time: signed.signing_time.clone(),
        },
    )?;
    let attachment = document
        .attachments
        .iter()
        .rev()
        .find(|a| a.sha256 == signed.sha256)
        .cloned()
        .ok_or_else(|| {
            vanthu_registry::Error::InvalidState(
                "tệp đóng dấu không được lưu / the stamped file was not stored".into(),
            )
        })?;
    let path = lock(registry).attachment_path(&attachment);
    let verification = verify_pdf_with(&path, trust)
        .map_err(|e| format!("Không kiểm tra được chữ ký / cannot verify: {e}"));
    tracing::info!(document = id, field = %signed.field, "arrival stamp applied");
    Ok(StampOutcome {
        document,
        attachment,
        field: signed.field,
        signer: signed.signer,
        signing_time: signed.signing_time,
        rect: signed.rect,
        verification,
    })
}

fn lock(registry: &Mutex<Registry>) -> MutexGuard<'_, Registry> {
    registry.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamped_file_names_keep_the_original_name() {
        assert_eq!(
            stamped_name("Công văn 412.pdf"),
            "Công văn 412 (dấu đến).pdf"
        );
        assert_eq!(stamped_name("SCAN.PDF"), "SCAN (dấu đến).pdf");
    }
}
