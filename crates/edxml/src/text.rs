//! Text normalisation applied to every text field on ingest (edxml.md §9 cases 5, 6).
use unicode_normalization::UnicodeNormalization;

/// Canonical form of a text field: characters XML 1.0 cannot carry are dropped, the result is
/// Unicode NFC and trimmed of XML whitespace. Empty becomes `None` (an empty element equals an
/// absent one). Idempotent, and the writer/reader pair preserves it exactly.
pub fn normalize_text(raw: &str) -> Option<String> {
    let cleaned: String = raw.chars().filter(|c| is_xml_char(*c)).collect();
    let nfc: String = cleaned.nfc().collect();
    let trimmed = nfc.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.to_string())
    }
}

/// Notations (`VPCP-TTĐT`) sometimes carry the Icelandic eth `Ð` (U+00D0) instead of `Đ`
/// (U+0110); they are indistinguishable on screen and must match.
pub fn normalize_notation(raw: &str) -> Option<String> {
    normalize_text(&raw.replace('\u{00D0}', "\u{0110}"))
}

/// XML 1.0 `Char` production.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Whitespace-collapsed, NFC form used to compare names and notations.
pub fn comparable(raw: &str) -> String {
    let nfc: String = raw.replace('\u{00D0}', "\u{0110}").nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_becomes_nfc() {
        let nfd = "Ha\u{0300} No\u{0302}\u{0323}i";
        assert_eq!(normalize_text(nfd).unwrap(), "Hà Nội");
    }

    #[test]
    fn empty_and_blank_are_none() {
        assert_eq!(normalize_text(""), None);
        assert_eq!(normalize_text(" \n\t "), None);
    }

    #[test]
    fn eth_in_notation_becomes_d_stroke() {
        assert_eq!(
            normalize_notation("VPCP-TT\u{00D0}T").unwrap(),
            "VPCP-TT\u{0110}T"
        );
    }

    #[test]
    fn control_chars_dropped() {
        assert_eq!(normalize_text("a\u{1}b").unwrap(), "ab");
    }

    #[test]
    fn comparable_collapses_whitespace() {
        assert_eq!(comparable("  UBND   Tỉnh\nNghệ An "), "UBND Tỉnh Nghệ An");
    }
}
