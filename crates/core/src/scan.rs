//! Scan drafts: a scanner's PDF taken into the register as a draft (its first-page text read
//! for the subject and the search), registered as an incoming document or discarded. The app's
//! scan-folder watcher and `vanthu scan …` both come here; the drafts are rows of the register
//! (`vanthu_registry::scan_drafts`), no longer a JSON file of the app, which is moved in once
//! ([`migrate_json_drafts`]).
use std::path::Path;

use serde::Deserialize;
use vanthu_registry::scan_drafts::{KnownScanDraft, ScanDraft};
use vanthu_registry::{DocumentRecord, NewIncoming, Registry};

/// The app's old list of drafts, next to the register.
pub const JSON_DRAFTS: &str = "scan-drafts.json";

/// Why a scan draft could not be taken in, read or moved.
#[derive(Debug, thiserror::Error)]
pub enum ScanDraftError {
    /// No scan draft with this id (already registered or discarded).
    #[error("không có bản quét số {0} / no scan draft {0}")]
    NoDraft(i64),
    /// The app's old list of drafts ([`JSON_DRAFTS`]) is not valid, so it is not moved in.
    #[error(
        "danh sách bản quét cũ {path} bị hỏng / old scan draft list {path} is corrupt: {reason}"
    )]
    CorruptList {
        /// The old list's file.
        path: String,
        /// Why it could not be parsed.
        reason: String,
    },
    /// The register refused the draft or its file.
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    /// A scan file or the old list could not be read, copied or renamed.
    #[error("lỗi đọc/ghi tệp / I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Text of a scan's first page, used to prefill the subject and indexed for search. None for
/// a scan without a text layer; a file pdfium cannot read is logged, never an error (the draft
/// is still taken in).
pub fn first_page_text(pdf: &Path) -> Option<String> {
    match vanthu_pdf::Document::open(pdf).and_then(|d| d.page_text(0)) {
        Ok(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        Err(err) => {
            tracing::warn!(%err, file = %pdf.display(), "no first-page text for the scan");
            None
        }
    }
}

/// Takes `file` in as a draft under its own name. `text` is its first-page text, read by the
/// caller ([`first_page_text`]) so that the app reads it without holding the register.
/// Only after this returns Ok may the caller delete the original.
pub fn take_in(
    reg: &mut Registry,
    file: &Path,
    text: Option<String>,
) -> Result<ScanDraft, ScanDraftError> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scan.pdf".into());
    Ok(reg.add_scan_draft(file, &name, text)?)
}

/// The scan draft `id`, or [`ScanDraftError::NoDraft`] when it is gone.
pub fn draft(reg: &Registry, id: i64) -> Result<ScanDraft, ScanDraftError> {
    reg.scan_draft(id)?.ok_or(ScanDraftError::NoDraft(id))
}

/// Drops the draft `id` and its stored file, for a scan the clerk does not want to register.
pub fn discard(reg: &mut Registry, id: i64) -> Result<(), ScanDraftError> {
    if reg.remove_scan_draft(id, None)? {
        Ok(())
    } else {
        Err(ScanDraftError::NoDraft(id))
    }
}

/// Registers draft `id` in the incoming register: its file becomes the first attachment
/// (under the scanner's name), its first-page text the search text unless `new` has one, and
/// the draft is removed once the registration committed (a crash in between leaves the draft
/// listed, never a document without its file). The caller indexes the document's PDF text
/// ([`crate::index`]; the app does it off the register's lock).
pub fn register(
    reg: &mut Registry,
    id: i64,
    mut new: NewIncoming,
) -> Result<DocumentRecord, ScanDraftError> {
    let d = draft(reg, id)?;
    // The file under its own name, so the register records that name for the attachment.
    let staging = tempfile::Builder::new()
        .prefix(".scan-")
        .tempdir_in(reg.data_dir())?;
    let name = vanthu_domain::paths::portable_file_name(&d.file_name)
        .unwrap_or_else(|| "scan.pdf".to_owned());
    let path = staging.path().join(name);
    let src = reg.blobs().path_of(&d.sha256);
    if std::fs::hard_link(&src, &path).is_err() {
        std::fs::copy(&src, &path)?;
    }
    new.files.insert(0, path);
    if new.body_text.is_none() {
        new.body_text = d.text.clone();
    }
    let rec = reg.register_incoming(new)?;
    drop(staging);
    reg.remove_scan_draft(id, Some(rec.id))?;
    Ok(rec)
}

#[derive(Deserialize)]
struct JsonDraft {
    file_name: String,
    sha256: String,
    size: u64,
    received_at: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct JsonDrafts {
    drafts: Vec<JsonDraft>,
}

/// Moves the drafts of the app's old `scan-drafts.json` (next to the register) into the
/// register, once: the rows and a marker commit together, then the file is renamed
/// `scan-drafts.json.migrated`. Returns how many drafts were moved (0 when there was no file,
/// or it had been moved before a crash kept it from being renamed).
pub fn migrate_json_drafts(reg: &mut Registry) -> Result<usize, ScanDraftError> {
    let path = reg.data_dir().join(JSON_DRAFTS);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let list: JsonDrafts =
        serde_json::from_slice(&bytes).map_err(|e| ScanDraftError::CorruptList {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let drafts: Vec<KnownScanDraft> = list
        .drafts
        .into_iter()
        // A draft whose content is not in the store cannot be registered: not carried over.
        .filter(|d| reg.blobs().path_of(&d.sha256).is_file())
        .map(|d| KnownScanDraft {
            file_name: d.file_name,
            sha256: d.sha256,
            size: d.size,
            received_at: d.received_at,
            text: d.text,
        })
        .collect();
    let moved = reg.import_scan_drafts(JSON_DRAFTS, &drafts)?;
    std::fs::rename(&path, path.with_extension("json.migrated"))?;
    tracing::info!(
        moved,
        "scan drafts moved from {JSON_DRAFTS} into the register"
    );
    Ok(moved)
}
