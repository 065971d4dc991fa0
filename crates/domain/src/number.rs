//! Số và ký hiệu văn bản (document number and notation).
//!
//! Forms: `12/QĐ-UBND` (typed), `986/UBND-HCTC` (công văn: issuing org + drafting unit),
//! `28/2018/QĐ-TTg` (normative, with the year). Real input is messy (seed letters):
//! `986 /UBND-HCTC`, a `Số:` prefix, a lost number (`/TTTH-ATANTT`), `Ð` for `Đ`.
//! Parsing keeps the raw string and normalises the parts: inner spaces removed, NFC, `Ð`→`Đ`.
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::doc_type::DocumentType;
use crate::text::nfc;

/// Why a string is not a số, ký hiệu.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentNumberError {
    /// No number/notation shape was found (e.g. `986/UBND-HCTC`, `12/2020/NĐ-CP`).
    #[error("số, ký hiệu không hợp lệ / malformed document number {0:?}: expected e.g. 986/UBND-HCTC or 12/2020/NĐ-CP")]
    Malformed(String),
}

/// A parsed document number. Equality and order ignore `raw`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentNumber {
    /// The sequence number; `None` when the source lost it.
    pub number: Option<u32>,
    /// The year of a normative document (`28/2018/QĐ-TTg`).
    pub year: Option<u16>,
    /// Everything after the number (and year): `QĐ-UBND`, `UBND-HCTC`.
    pub notation: String,
    /// The input as given.
    pub raw: String,
}

impl DocumentNumber {
    /// Splits a số, ký hiệu into number, year and notation, NFC-normalised; tolerant of the spacing
    /// and look-alike letters found in real registers.
    pub fn parse(input: &str) -> Result<Self, DocumentNumberError> {
        let bad = || DocumentNumberError::Malformed(input.to_string());
        let cleaned: String = nfc(input)
            .chars()
            .map(|c| if c == 'Ð' { 'Đ' } else { c })
            .filter(|c| !c.is_whitespace())
            .collect();
        let body = cleaned
            .strip_prefix("Số:")
            .or_else(|| cleaned.strip_prefix("số:"))
            .unwrap_or(&cleaned);
        let (head, rest) = body.split_once('/').ok_or_else(bad)?;
        let number = if head.is_empty() {
            None
        } else if head.bytes().all(|b| b.is_ascii_digit()) && head.len() <= 9 {
            Some(head.parse().map_err(|_| bad())?)
        } else {
            return Err(bad());
        };
        let (year, notation) = match rest.split_once('/') {
            Some((y, n)) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(y.parse().map_err(|_| bad())?), n)
            }
            _ => (None, rest),
        };
        let valid_char = |c: char| c.is_alphanumeric() || c == '-' || c == '.' || c == '&';
        if notation.is_empty()
            || !notation.chars().any(char::is_alphabetic)
            || !notation.chars().all(valid_char)
            || notation.starts_with('-')
        {
            return Err(bad());
        }
        Ok(DocumentNumber {
            number,
            year,
            notation: notation.to_string(),
            raw: input.to_string(),
        })
    }

    /// Builds a number from its parts (as edXML carries them: `CodeNumber`, `CodeNotation`).
    pub fn from_parts(number: Option<u32>, notation: &str) -> Result<Self, DocumentNumberError> {
        let raw = match number {
            Some(n) => format!("{n}/{notation}"),
            None => format!("/{notation}"),
        };
        Self::parse(&raw)
    }

    /// The type abbreviation the notation starts with (`QĐ` in `12/QĐ-UBND`), if it is a
    /// known one; `None` for a công văn (`986/UBND-HCTC`).
    pub fn type_abbreviation(&self) -> Option<&'static str> {
        let first = self.notation.split('-').next()?;
        DocumentType::by_abbreviation(first).and_then(|t| t.abbreviation.as_deref())
    }

    fn key(&self) -> (Option<u16>, Option<u32>, &str) {
        (self.year, self.number, &self.notation)
    }
}

impl fmt::Display for DocumentNumber {
    /// Canonical form; numbers below 10 take a leading zero (Nghị định 30/2020).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number {
            Some(n) => write!(f, "{n:02}/")?,
            None => f.write_str("/")?,
        }
        if let Some(y) = self.year {
            write!(f, "{y}/")?;
        }
        f.write_str(&self.notation)
    }
}

impl PartialEq for DocumentNumber {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for DocumentNumber {}

impl std::hash::Hash for DocumentNumber {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

impl PartialOrd for DocumentNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Year first (documents without a year first), then number, then notation.
impl Ord for DocumentNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl FromStr for DocumentNumber {
    type Err = DocumentNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> DocumentNumber {
        DocumentNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_the_three_forms() {
        let cv = p("986/UBND-HCTC");
        assert_eq!(
            (cv.number, cv.year, cv.notation.as_str()),
            (Some(986), None, "UBND-HCTC")
        );
        assert_eq!(cv.type_abbreviation(), None);
        let nd = p("12/2020/NĐ-CP");
        assert_eq!(
            (nd.number, nd.year, nd.notation.as_str()),
            (Some(12), Some(2020), "NĐ-CP")
        );
        assert_eq!(nd.type_abbreviation(), Some("NĐ"));
        let ct = p("04/CT-TTg");
        assert_eq!((ct.number, ct.notation.as_str()), (Some(4), "CT-TTg"));
        assert_eq!(ct.to_string(), "04/CT-TTg");
        assert_eq!(ct.type_abbreviation(), Some("CT"));
        assert_eq!(p("05/QyĐ-UBND").type_abbreviation(), Some("QyĐ"));
    }

    #[test]
    fn tolerates_real_world_noise() {
        assert_eq!(p("986 /UBND-HCTC"), p("986/UBND-HCTC"));
        assert_eq!(p("Số: 986 / UBND-HCTC").to_string(), "986/UBND-HCTC");
        assert_eq!(p("12/QÐ-UBND").notation, "QĐ-UBND");
        let lost = p("/TTTH-ATANTT");
        assert_eq!(
            (lost.number, lost.to_string()),
            (None, "/TTTH-ATANTT".to_string())
        );
        let nfd = "12/Q\u{0110}-UBND"; // Đ written as a single code point already
        assert_eq!(p(nfd), p("12/QĐ-UBND"));
        assert_eq!(p("986 /UBND-HCTC").raw, "986 /UBND-HCTC");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "", "986", "986/", "abc/UBND", "12/2020/", "1/-UBND", "1/UB ND?", "1/123",
        ] {
            assert!(DocumentNumber::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn orders_by_year_then_number() {
        let mut v = [
            p("12/2020/NĐ-CP"),
            p("986/UBND-HCTC"),
            p("5/UBND-HCTC"),
            p("3/2019/NĐ-CP"),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(
            s,
            [
                "05/UBND-HCTC",
                "986/UBND-HCTC",
                "03/2019/NĐ-CP",
                "12/2020/NĐ-CP"
            ]
        );
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(n in proptest::option::of(0u32..100_000),
                                    y in proptest::option::of(1990u16..2100),
                                    org in "[A-ZĐ]{1,6}", unit in proptest::option::of("[A-Za-zĐ]{1,6}")) {
            let notation = match unit { Some(u) => format!("{org}-{u}"), None => org };
            let d = DocumentNumber { number: n, year: y, notation, raw: String::new() };
            let back = DocumentNumber::parse(&d.to_string()).unwrap();
            prop_assert_eq!(back, d);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = DocumentNumber::parse(&s);
        }
    }
}
