//! Agency identifiers (mã định danh) of Thông tư 10/2016/TT-BTTTT.
//!
//! A code has four groups `AAA.BB.CC.DDD`. `DDD` (a letter and two digits) is the level-1
//! agency: `A` Party, `G` ministries and Government bodies, `H` provinces. `CC` numbers the
//! level-2 unit under it (a sở, a huyện), `BB` the level-3 unit under that, `AAA` the level-4
//! unit; `00`/`000` where a level is absent. So `000.00.00.H34` is UBND tỉnh Kon Tum,
//! `000.00.20.H34` a level-2 unit and `000.03.20.H34` a level-3 unit under it.
//! The digit widths are accepted loosely (`\d{2,3}.\d{2}.\d{2}.[A-Z]\d{2}`, see
//! shared/spec/agencies.md and docs/decisions.md).
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a string is not an agency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyCodeError {
    /// Not of the form `000.00.00.H34` (four dot-separated groups, a letter and two digits last).
    #[error(
        "mã định danh không hợp lệ / invalid agency code {0:?}: expected the form 000.00.00.H34"
    )]
    Malformed(String),
}

/// A validated agency code, stored in canonical form (trimmed, upper-case letter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

impl AgencyCode {
    /// Checks the four groups and returns the code in canonical form (trimmed, letter upper-cased).
    pub fn parse(input: &str) -> Result<Self, AgencyCodeError> {
        let s = input.trim();
        let bad = || AgencyCodeError::Malformed(input.to_string());
        let groups: Vec<&str> = s.split('.').collect();
        if groups.len() != 4 {
            return Err(bad());
        }
        let digits = |g: &str, min: usize, max: usize| {
            (min..=max).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(groups[0], 2, 3) || !digits(groups[1], 2, 2) || !digits(groups[2], 2, 2) {
            return Err(bad());
        }
        let top = groups[3].as_bytes();
        if top.len() != 3 || !top[0].is_ascii_alphabetic() || !digits(&groups[3][1..], 2, 2) {
            return Err(bad());
        }
        Ok(AgencyCode(format!(
            "{}.{}.{}.{}",
            groups[0],
            groups[1],
            groups[2],
            groups[3].to_ascii_uppercase()
        )))
    }

    /// The canonical text, as stored and as written in edXML `OrganId`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn groups(&self) -> [&str; 4] {
        let mut it = self.0.split('.');
        let mut next = || it.next().unwrap_or_default();
        [next(), next(), next(), next()]
    }

    /// 1 for a level-1 agency (`000.00.00.H34`) up to 4 for a level-4 unit.
    pub fn level(&self) -> u8 {
        let [l4, l3, l2, _] = self.groups();
        let set = |g: &str| g.bytes().any(|b| b != b'0');
        if set(l4) {
            4
        } else if set(l3) {
            3
        } else if set(l2) {
            2
        } else {
            1
        }
    }

    /// The unit directly above: the most specific non-zero group is zeroed.
    pub fn parent(&self) -> Option<AgencyCode> {
        let [l4, l3, l2, top] = self.groups();
        let zero = |g: &str| "0".repeat(g.len());
        let code = match self.level() {
            1 => return None,
            2 => format!("{l4}.{l3}.{}.{top}", zero(l2)),
            3 => format!("{l4}.{}.{l2}.{top}", zero(l3)),
            _ => format!("{}.{l3}.{l2}.{top}", zero(l4)),
        };
        Some(AgencyCode(code))
    }

    /// The level-1 agency this code belongs to.
    pub fn root(&self) -> AgencyCode {
        let top = self.groups()[3];
        AgencyCode(format!("000.00.00.{top}"))
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AgencyCode {
    type Err = AgencyCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for AgencyCode {
    type Error = AgencyCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AgencyCode> for String {
    fn from(c: AgencyCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_levels_and_parents() {
        let province = AgencyCode::parse("000.00.00.H34").unwrap();
        assert_eq!(province.level(), 1);
        assert_eq!(province.parent(), None);
        let unit = AgencyCode::parse(" 000.03.20.h34 ").unwrap();
        assert_eq!(unit.as_str(), "000.03.20.H34");
        assert_eq!(unit.level(), 3);
        let parent = unit.parent().unwrap();
        assert_eq!(parent.as_str(), "000.00.20.H34");
        assert_eq!(parent.level(), 2);
        assert_eq!(parent.parent(), Some(province.clone()));
        assert_eq!(unit.root(), province);
        let l4 = AgencyCode::parse("001.03.20.H34").unwrap();
        assert_eq!((l4.level(), l4.parent()), (4, Some(unit)));
        assert_eq!(AgencyCode::parse("00.00.00.G22").unwrap().level(), 1);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "H34",
            "01.01.G22",
            "000.00.00.34H",
            "000.0.00.H34",
            "0000.00.00.H34",
            "000.00.00.H345",
            "000.00.00.HH4",
            "000.00.00.H34.",
            "a00.00.00.H34",
        ] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn serde_as_string() {
        let c = AgencyCode::parse("000.00.00.G22").unwrap();
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(j, "\"000.00.00.G22\"");
        assert_eq!(serde_json::from_str::<AgencyCode>(&j).unwrap(), c);
        assert!(serde_json::from_str::<AgencyCode>("\"x\"").is_err());
    }

    proptest! {
        #[test]
        fn valid_codes_round_trip(a in 0u16..1000, b in 0u8..100, c in 0u8..100,
                                  l in proptest::sample::select(vec!['A','G','H']), n in 0u8..100) {
            let s = format!("{a:03}.{b:02}.{c:02}.{l}{n:02}");
            let code = AgencyCode::parse(&s).unwrap();
            prop_assert_eq!(code.as_str(), s.as_str());
            // Walking up the parents always ends at the root, each step one level or more up.
            let mut cur = code.clone();
            while let Some(p) = cur.parent() {
                prop_assert!(p.level() < cur.level());
                cur = p;
            }
            prop_assert_eq!(cur, code.root());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = AgencyCode::parse(&s);
        }
    }
}
