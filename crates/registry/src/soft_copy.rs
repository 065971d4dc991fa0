//! Which files an outgoing document may carry: its PDF (the legally valid copy, what the
//! leader signs) and its editable soft copy (bản mềm), which travels with the signed PDF over
//! the hub (986/UBND-HCTC: "đồng thời gửi bản mềm (file words, excel)"; edxml.md §4).
//!
//! A soft copy is an open, current office format: Word or Excel as OOXML (.docx, .xlsx) or
//! their OpenDocument equivalents (.odt, .ods), checked to be the zip container those
//! formats are. The other editable formats are refused with what to do instead: the legacy
//! binary Office files (.doc, .xls, .ppt), RTF and presentations can carry macros or are
//! not what the letter asks for (docs/decisions.md, "Soft copy formats"). Anything that is
//! not editable (images, a zip of annexes…) is left alone, as before. Received documents are
//! never refused for their files: this applies to what the unit sends.
use std::path::Path;

use crate::{Error, Result};

/// The extensions of a soft copy, lowercase.
pub const SOFT_COPY_EXTENSIONS: [&str; 4] = ["docx", "odt", "xlsx", "ods"];

/// Editable formats refused on an outgoing document, with the format to save as instead.
const REFUSED: [(&str, &str); 9] = [
    ("doc", ".docx hoặc .odt"),
    ("dot", ".docx hoặc .odt"),
    ("rtf", ".docx hoặc .odt"),
    ("xls", ".xlsx hoặc .ods"),
    ("ppt", "PDF"),
    ("pptx", "PDF"),
    ("odp", "PDF"),
    ("docm", ".docx (không có macro)"),
    ("xlsm", ".xlsx (không có macro)"),
];

fn extension(name: &str) -> Option<String> {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// True when `name` is a soft copy by its extension (.docx, .odt, .xlsx, .ods).
pub fn is_soft_copy(name: &str) -> bool {
    extension(name).is_some_and(|e| SOFT_COPY_EXTENSIONS.contains(&e.as_str()))
}

/// Checks one file of an outgoing document by its name and first bytes: a soft copy must be
/// the zip container of its format; another editable format is refused with what to save it
/// as. Everything else passes.
pub(crate) fn check_outgoing_file(name: &str, head: &[u8]) -> Result<()> {
    let Some(ext) = extension(name) else {
        return Ok(());
    };
    if let Some((_, instead)) = REFUSED.iter().find(|(e, _)| *e == ext) {
        return Err(Error::invalid(format!(
            "{name}: bản mềm gửi kèm văn bản đi phải là .docx, .odt, .xlsx hoặc .ods; hãy lưu lại thành {instead} / \
             .{ext} is not accepted as a soft copy (use .docx, .odt, .xlsx or .ods)"
        )));
    }
    if SOFT_COPY_EXTENSIONS.contains(&ext.as_str()) && !head.starts_with(b"PK\x03\x04") {
        return Err(Error::invalid(format!(
            "{name}: không phải tệp .{ext} thật (tệp hỏng hoặc đổi đuôi) / not a real .{ext} file"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_copies_pass_legacy_formats_are_refused_others_pass() {
        assert!(check_outgoing_file("Dự thảo.DOCX", b"PK\x03\x04rest").is_ok());
        assert!(check_outgoing_file("bang.ods", b"PK\x03\x04rest").is_ok());
        assert!(check_outgoing_file("CV.pdf", b"%PDF-1.7").is_ok());
        assert!(check_outgoing_file("phu-luc.png", b"\x89PNG").is_ok());
        assert!(check_outgoing_file("noext", b"").is_ok());
        let e = check_outgoing_file("Dự thảo.doc", b"\xd0\xcf\x11\xe0").unwrap_err();
        assert!(e.to_string().contains("hãy lưu lại thành .docx"), "{e}");
        let e = check_outgoing_file("a.xls", b"").unwrap_err();
        assert!(e.to_string().contains(".xlsx hoặc .ods"), "{e}");
        let e = check_outgoing_file("a.docx", b"%PDF-1.7").unwrap_err();
        assert!(e.to_string().contains("không phải tệp .docx thật"), "{e}");
        assert!(is_soft_copy("x.Odt") && !is_soft_copy("x.pdf") && !is_soft_copy("docx"));
    }
}
