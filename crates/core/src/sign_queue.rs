//! Signing the leader's "Chờ ký" queue (outgoing drafts with a PDF, kept by the registry):
//! one login for a batch, each document signed, stored as a new attachment through the
//! registry and verified at once. The app's "Chờ ký" screen and `vanthu sign queue` both
//! call [`sign_queue`]; they only differ in how they ask for the PIN and show progress.
//!
//! The visible appearance shows the images kept in the register (`registry/sign_images.rs`):
//! a leader's signature carries the signed-in person's signature image, an organisation
//! signature the unit's seal image. Without an image the appearance is text only, as before.
//!
//! The PIN is moved in as zeroizing memory, used for one login and dropped before the
//! first document is signed. It is never logged, stored or put in an error message.
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use vanthu_registry::{Registry, SignedFile, SigningQueueItem};
use vanthu_sign::token::Module;
use vanthu_sign::{
    plan_placement, sign_pdf, verify_pdf_with, Role, SignError, SignRequest, TrustStore,
    VerifyReport,
};
use zeroize::Zeroizing;

/// What to sign and how.
#[derive(Debug, Clone, Default)]
pub struct Batch<'a> {
    /// Registry ids of outgoing drafts, signed in this order.
    pub ids: &'a [i64],
    /// The signer's role, which decides where the signature goes on the page.
    pub role: Role,
    /// 1-based page; `None` = the rules of [`plan_placement`] (last page for a leader).
    pub page: Option<u32>,
    /// A rectangle chosen on screen (x, y, w, h in points, page as displayed); `None` =
    /// automatic placement.
    pub rect: Option<[f64; 4]>,
    /// The label of the token key to sign with; `None` = the first key with a certificate.
    pub key_label: Option<&'a str>,
    /// The label of the token to use when several are plugged in; `None` = the first one found.
    pub token_label: Option<&'a str>,
}

/// One document of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentResult {
    /// The register id of the draft.
    pub id: i64,
    /// Its notation (số, ký hiệu), for the batch report.
    pub notation: String,
    /// Its subject (trích yếu), for the batch report.
    pub subject: String,
    /// The signed file when it is stored and the document is now "Đã ký"; otherwise why not.
    pub outcome: Result<SignedDocument, String>,
}

/// A document signed and stored by a batch.
#[derive(Debug, Clone, Serialize)]
pub struct SignedDocument {
    /// Content hash of the stored signed PDF (its attachment).
    pub sha256: String,
    /// The name of the signature field written into the PDF.
    pub field: String,
    /// The verification of the stored file, or why it could not be verified.
    pub verification: Result<VerifyReport, String>,
}

/// Why a batch could not start (a failure of one document is in its [`DocumentResult`]).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The batch has no document ids.
    #[error("chưa chọn văn bản nào / no document selected")]
    Empty,
    /// The token could not be opened or the PIN was refused.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The register could not be read for the drafts.
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    /// The scratch folder for the signed files could not be created.
    #[error("không tạo được thư mục tạm / cannot create a scratch folder: {0}")]
    Scratch(std::io::Error),
}

/// Logs in once with `pin` and signs every document of the batch in order; `progress`
/// gets (0-based index, total, document id) before each document.
///
/// Errors before the first document (wrong PIN, locked or missing token, a document not
/// waiting) are returned as `Err` and nothing changes. Per-document problems become
/// results with an `Err` outcome; a token pulled out mid-batch stops the batch and the
/// documents not yet signed stay in the queue untouched.
pub fn sign_queue(
    registry: &Mutex<Registry>,
    module: &Module,
    trust: &TrustStore,
    batch: &Batch<'_>,
    pin: Zeroizing<String>,
    mut progress: impl FnMut(usize, usize, i64),
) -> Result<Vec<DocumentResult>, BatchError> {
    if batch.ids.is_empty() {
        return Err(BatchError::Empty);
    }
    let items: Vec<SigningQueueItem> = batch
        .ids
        .iter()
        .map(|id| lock(registry).signing_item_as(*id, batch.role == Role::Organization))
        .collect::<Result<_, _>>()?;
    let (image, seal) = appearance_images(&lock(registry), batch.role)?;
    let slot = module.find_slot(batch.token_label)?;
    let session = module.login(slot, &pin)?;
    drop(pin);
    let key = session.key(batch.key_label)?;
    let scratch = tempfile::Builder::new()
        .prefix(".signing-")
        .tempdir_in(lock(registry).data_dir())
        .map_err(BatchError::Scratch)?;
    let total = items.len();
    let mut results = Vec::with_capacity(total);
    let mut stopped: Option<String> = None;
    for (i, item) in items.iter().enumerate() {
        let result = |outcome| DocumentResult {
            id: item.document.id,
            notation: item.document.notation.clone(),
            subject: item.document.subject.clone(),
            outcome,
        };
        if let Some(why) = &stopped {
            results.push(result(Err(why.clone())));
            continue;
        }
        progress(i, total, item.document.id);
        let input = lock(registry).attachment_path(&item.pdf);
        let output = scratch.path().join(format!("{}.pdf", item.document.id));
        let signed = request_rect(&input, batch).and_then(|rect| {
            sign_pdf(
                &SignRequest {
                    input: input.clone(),
                    output: output.clone(),
                    role: batch.role,
                    image: image.clone(),
                    seal: seal.clone(),
                    page: batch.page,
                    rect,
                    ..Default::default()
                },
                &key,
            )
        });
        let signed = match signed {
            Ok(o) => o,
            Err(e) if token_gone(&e) => {
                let why = format!(
                    "chưa ký: token đã bị rút ra, văn bản vẫn ở hàng chờ / not signed: token removed ({e})"
                );
                tracing::warn!(document = item.document.id, "token removed during a batch");
                results.push(result(Err(why.clone())));
                stopped = Some(why);
                continue;
            }
            Err(e) => {
                tracing::warn!(document = item.document.id, %e, "document not signed");
                results.push(result(Err(e.to_string())));
                continue;
            }
        };
        // The signed scratch file is moved into the attachment store under the hash the
        // signing computed while writing it: no copy, no second read.
        let recorded = lock(registry).record_signed_adopting(
            item.document.id,
            &output,
            &vanthu_registry::Written {
                sha256: signed.sha256.clone(),
                size: signed.size,
            },
            &signed_name(&item.pdf.file_name),
            &SignedFile {
                role: role_name(batch.role),
                signer: signed.signer.clone(),
                field: signed.field.clone(),
                signing_time: signed.signing_time.clone(),
            },
        );
        let stored = match recorded {
            Ok(rec) => rec.attachments.last().cloned(),
            Err(e) => {
                results.push(result(Err(e.to_string())));
                continue;
            }
        };
        let Some(stored) = stored else {
            results.push(result(Err(
                "tệp đã ký không được lưu / the signed file was not stored".into(),
            )));
            continue;
        };
        let path = lock(registry).attachment_path(&stored);
        let verification = verify_pdf_with(&path, trust)
            .map_err(|e| format!("Không kiểm tra được chữ ký / cannot verify: {e}"));
        tracing::info!(document = item.document.id, field = %signed.field, "document signed");
        results.push(result(Ok(SignedDocument {
            sha256: stored.sha256,
            field: signed.field,
            verification,
        })));
    }
    Ok(results)
}

/// The name the signed copy is stored under, next to the draft: "Tờ trình (đã ký).pdf".
pub fn signed_name(original: &str) -> String {
    let stem = original
        .strip_suffix(".pdf")
        .or_else(|| original.strip_suffix(".PDF"))
        .unwrap_or(original);
    // A further signature (the seal after the leader's) keeps the name it had.
    if stem.ends_with(" (đã ký)") {
        return format!("{stem}.pdf");
    }
    format!("{stem} (đã ký).pdf")
}

/// The images a signature in `role` shows: (signature image, seal image) as
/// [`SignRequest::image`] and [`SignRequest::seal`] take them.
pub fn appearance_images(
    reg: &Registry,
    role: Role,
) -> Result<(Option<PathBuf>, Option<PathBuf>), vanthu_registry::Error> {
    let found = match role {
        Role::Leader => (reg.own_signature_image()?, None),
        Role::Organization => (None, reg.seal_image()?.map(|i| reg.sign_image_path(&i))),
        // The stamp on an attachment or a copy has no image (NĐ 30, Phụ lục I).
        Role::Attachment => (None, None),
    };
    if found == (None, None) && role != Role::Attachment {
        tracing::info!(
            ?role,
            "no signature or seal image set: text-only appearance"
        );
    }
    Ok(found)
}

fn lock(registry: &Mutex<Registry>) -> MutexGuard<'_, Registry> {
    registry.lock().unwrap_or_else(|e| e.into_inner())
}

fn request_rect(pdf: &Path, batch: &Batch<'_>) -> Result<Option<[f64; 4]>, SignError> {
    match batch.rect {
        None => Ok(None),
        Some(r) => Ok(Some(
            plan_placement(pdf, batch.role, batch.page, Some(r))?.request_rect(),
        )),
    }
}

fn token_gone(e: &SignError) -> bool {
    matches!(e, SignError::TokenNotFound(_))
        || matches!(e, SignError::Token(m) if m.contains("logged out"))
}

fn role_name(role: Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_file_names_keep_the_original_name() {
        assert_eq!(signed_name("Tờ trình.pdf"), "Tờ trình (đã ký).pdf");
        assert_eq!(signed_name("SCAN.PDF"), "SCAN (đã ký).pdf");
        assert_eq!(signed_name("noext"), "noext (đã ký).pdf");
    }

    #[test]
    fn roles_are_stored_by_their_serde_name() {
        assert_eq!(role_name(Role::Leader), "leader");
        assert_ne!(role_name(Role::Organization), role_name(Role::Leader));
    }
}
