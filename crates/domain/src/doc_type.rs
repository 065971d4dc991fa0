//! Document types (tên loại văn bản) and their abbreviations, from
//! `data/document-types.csv` (a copy of shared/spec/document-types.csv; Nghị định 30/2020
//! Điều 7 and Phụ lục III, plus the normative and copy forms).
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::text::fold;

const CSV: &str = include_str!("../data/document-types.csv");

/// One row of the document-type table: what a notation's abbreviation stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentType {
    /// Canonical abbreviation, mixed case significant (`QyĐ`, `TTr`); `None` for Công văn.
    pub abbreviation: Option<String>,
    /// Tên loại, e.g. `Quyết định (cá biệt)`.
    pub name: String,
    /// `văn bản hành chính`, `văn bản quy phạm pháp luật`, `copy form`, or other.
    pub category: String,
    /// Item number in the Nghị định 30 list of 29 types.
    pub nd30_item: Option<u8>,
}

impl DocumentType {
    /// Every known type, in the order of the reference table.
    pub fn all() -> &'static [DocumentType] {
        static ALL: OnceLock<Vec<DocumentType>> = OnceLock::new();
        ALL.get_or_init(|| parse_table(CSV))
    }

    /// The first type with this abbreviation (administrative before normative), compared
    /// case-insensitively so that third-party spellings like `QYĐ` or `TTR` resolve.
    pub fn by_abbreviation(abbr: &str) -> Option<&'static DocumentType> {
        let wanted = abbr.trim().to_lowercase();
        Self::all().iter().find(|t| {
            t.abbreviation
                .as_deref()
                .is_some_and(|a| a.to_lowercase() == wanted)
        })
    }

    /// The type with exactly this name (ignoring case and diacritics).
    pub fn by_name(name: &str) -> Option<&'static DocumentType> {
        let wanted = fold(name.trim());
        Self::all().iter().find(|t| fold(&t.name) == wanted)
    }

    /// Resolves user or sender text: an abbreviation, a full name, or a name without its
    /// parenthesised qualifier ("Quyết định" → `Quyết định (cá biệt)`).
    pub fn resolve(text: &str) -> Option<&'static DocumentType> {
        if text.trim().is_empty() {
            return None;
        }
        Self::by_abbreviation(text)
            .or_else(|| Self::by_name(text))
            .or_else(|| {
                let wanted = fold(text.trim());
                Self::all()
                    .iter()
                    .find(|t| fold(t.name.split(" (").next().unwrap_or_default()) == wanted)
            })
    }
}

fn parse_table(csv: &str) -> Vec<DocumentType> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f = split_csv_line(line);
            let get = |i: usize| f.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
            let abbr = get(0);
            DocumentType {
                abbreviation: (!abbr.is_empty()).then_some(abbr),
                name: get(1),
                category: get(2),
                nd30_item: get(3).parse().ok(),
            }
        })
        .collect()
}

/// Splits one CSV line (RFC 4180 quoting; the table has no embedded newlines).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("non-empty").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            _ => fields.last_mut().expect("non-empty").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_the_29_nd30_types() {
        let items: Vec<u8> = DocumentType::all()
            .iter()
            .filter_map(|t| t.nd30_item)
            .collect();
        assert_eq!(items, (1..=29).collect::<Vec<u8>>());
        let no_abbr: Vec<&str> = DocumentType::all()
            .iter()
            .filter(|t| t.nd30_item.is_some() && t.abbreviation.is_none())
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(no_abbr, ["Công văn", "Thư công"]);
    }

    #[test]
    fn lookups() {
        assert_eq!(
            DocumentType::by_abbreviation("QYĐ")
                .unwrap()
                .abbreviation
                .as_deref(),
            Some("QyĐ")
        );
        assert_eq!(
            DocumentType::by_abbreviation("TTR").unwrap().name,
            "Tờ trình"
        );
        assert_eq!(
            DocumentType::by_abbreviation("QĐ").unwrap().category,
            "văn bản hành chính"
        );
        assert_eq!(DocumentType::resolve("cong van").unwrap().name, "Công văn");
        assert_eq!(
            DocumentType::resolve("Quyết định")
                .unwrap()
                .abbreviation
                .as_deref(),
            Some("QĐ")
        );
        assert_eq!(
            DocumentType::resolve("Bản sao y")
                .unwrap()
                .abbreviation
                .as_deref(),
            Some("SY")
        );
        assert!(DocumentType::resolve("Không có loại này").is_none());
        assert!(DocumentType::resolve("").is_none());
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(
            split_csv_line(r#"a,"b, c","d ""e""",,"#),
            ["a", "b, c", "d \"e\"", "", ""]
        );
    }
}
