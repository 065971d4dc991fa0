//! Feeding the text of a document's PDF attachments into the register's full-text search.
//!
//! Called wherever a PDF enters the register (CLI registration, edXML import, hub receive, the
//! app's registration and scan drafts). Extraction problems (a scan without text, a damaged or
//! password-protected file, no pdfium) never block a registration: they are logged and skipped.
use std::path::PathBuf;

use tracing::{debug, warn};
use vanthu_registry::Registry;

use crate::Document;

/// Most characters of PDF text kept per document: whole books are not what the clerk searches
/// for, and the index stays small.
pub const MAX_INDEXED_CHARS: usize = 1_000_000;

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

/// The text of the given PDFs, pages separated by blank lines. Files that cannot be read are
/// logged and skipped.
pub fn extract_all(paths: &[PathBuf]) -> String {
    let mut out = String::new();
    for path in paths {
        match Document::open(path).and_then(|d| d.text()) {
            Ok(pages) => {
                for page in pages {
                    let page = page.trim();
                    if page.is_empty() {
                        continue;
                    }
                    if !out.is_empty() {
                        out.push_str("\n\n");
                    }
                    out.push_str(page);
                }
            }
            Err(e) => warn!(file = %path.display(), error = %e, "PDF text not indexed"),
        }
        if out.chars().count() > MAX_INDEXED_CHARS {
            out = out.chars().take(MAX_INDEXED_CHARS).collect();
            break;
        }
    }
    out
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
