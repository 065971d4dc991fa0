//! Feeding the text of a document's PDF attachments into the register's full-text search.
//!
//! Called wherever a PDF enters the register (CLI registration, edXML import, hub receive, the
//! app's registration and scan drafts). Extraction (`vanthu_pdf::index::extract_all`) never
//! blocks a registration: a file without usable text is logged and skipped.
use std::path::PathBuf;

use tracing::{debug, warn};
use vanthu_registry::Registry;

pub use vanthu_pdf::index::{extract_all, MAX_INDEXED_CHARS};

/// The stored PDF attachments of a document (by file name or sniffed media type).
pub fn pdf_attachments(reg: &Registry, id: i64) -> vanthu_registry::Result<Vec<PathBuf>> {
    Ok(reg
        .attachments(id)?
        .iter()
        .filter(|a| {
            a.media_type == "application/pdf" || a.file_name.to_lowercase().ends_with(".pdf")
        })
        .map(|a| reg.attachment_path(a))
        .collect())
}

/// Adds `pdf_text` to the document's search text, keeping what was there (an edXML package's
/// content, a scan's first page). Returns false when there was nothing new to add.
pub fn merge_text(reg: &mut Registry, id: i64, pdf_text: &str) -> vanthu_registry::Result<bool> {
    let pdf_text = pdf_text.trim();
    if pdf_text.is_empty() {
        return Ok(false);
    }
    let existing: Option<String> = reg
        .connection()
        .query_row("SELECT body_text FROM documents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .ok()
        .flatten();
    let existing = existing.unwrap_or_default();
    let existing = existing.trim();
    let text = if existing.contains(pdf_text) {
        return Ok(false);
    } else if existing.is_empty() || pdf_text.contains(existing) {
        pdf_text.to_owned()
    } else {
        format!("{existing}\n\n{pdf_text}")
    };
    reg.set_document_text(id, &text)?;
    Ok(true)
}

/// Extracts and indexes the text of document `id`'s PDF attachments. Holds `reg` for the whole
/// extraction; the app, which shares its register between threads, calls the three steps
/// itself and extracts without the lock.
pub fn index_document_text(reg: &mut Registry, id: i64) -> vanthu_registry::Result<bool> {
    let paths = pdf_attachments(reg, id)?;
    if paths.is_empty() {
        return Ok(false);
    }
    let text = extract_all(&paths);
    merge_text(reg, id, &text)
}

/// [`index_document_text`] for callers that must not fail because of it: errors are logged.
pub fn index_document_text_logged(reg: &mut Registry, id: i64) {
    match index_document_text(reg, id) {
        Ok(added) => debug!(id, added, "PDF text indexed"),
        Err(e) => warn!(id, error = %e, "PDF text not indexed"),
    }
}
