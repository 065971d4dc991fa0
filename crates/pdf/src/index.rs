//! The text of PDFs for the register's full-text search. Storing it in the register is
//! workflow glue and lives in `vanthu_core::index`; this crate only extracts.
//!
//! Extraction problems (a scan without text, a damaged or password-protected file, no pdfium)
//! are logged and skipped: they never block a registration.
use std::path::PathBuf;

use tracing::warn;

use crate::Document;

/// Most characters of PDF text kept per document: whole books are not what the clerk searches
/// for, and the index stays small.
pub const MAX_INDEXED_CHARS: usize = 1_000_000;

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
