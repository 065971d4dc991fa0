//! The sender groups of the processing report (shared/spec/reports.md §3: bộ/ngành, tỉnh,
//! sở/ban/ngành, huyện, xã). Level-1 agencies are classified by the directory's group or
//! the code's letter; lower units, which the seed directory does not list, by the name a
//! unit registered them under (docs/reports.md, "Sender groups", an inferred rule).
use serde::{Deserialize, Serialize};

use crate::text::fold;
use crate::AgencyCode;

/// Where a sender stands in the administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderGroup {
    /// Bộ, ngành trung ương (and the Party's and Government's central bodies).
    Ministry,
    /// Tỉnh, thành phố trực thuộc Trung ương.
    Province,
    /// Sở, ban, ngành (level-2 units that are not a district).
    Department,
    /// Huyện, quận, thị xã, thành phố thuộc tỉnh.
    District,
    /// Xã, phường, thị trấn.
    Commune,
    /// Anything the rules cannot place (no code and an unknown name).
    Other,
}

impl SenderGroup {
    /// Every group, in the order the report lists them.
    pub const ALL: [SenderGroup; 6] = [
        Self::Ministry,
        Self::Province,
        Self::Department,
        Self::District,
        Self::Commune,
        Self::Other,
    ];

    /// The Vietnamese heading.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Ministry => "Bộ, ngành",
            Self::Province => "Tỉnh, thành phố",
            Self::Department => "Sở, ban, ngành",
            Self::District => "Huyện, thị xã, thành phố",
            Self::Commune => "Xã, phường, thị trấn",
            Self::Other => "Khác",
        }
    }

    /// Classifies a sender from its code (if any), the directory's group of that code (if
    /// listed) and its name.
    pub fn classify(code: Option<&str>, directory_group: Option<&str>, name: &str) -> Self {
        let code = code.and_then(|c| AgencyCode::parse(c).ok());
        if let Some(c) = code.as_ref().filter(|c| c.level() == 1) {
            return match directory_group.map(fold).as_deref() {
                Some("bo/nganh") => Self::Ministry,
                Some("tinh/thanh pho") => Self::Province,
                _ => match c.as_str().chars().rev().nth(2) {
                    Some('H') => Self::Province,
                    Some('G' | 'A') => Self::Ministry,
                    _ => Self::Other,
                },
            };
        }
        let n = fold(name);
        let local = |kinds: &[&str]| {
            ["ubnd ", "uy ban nhan dan "].iter().any(|p| {
                kinds
                    .iter()
                    .any(|k| n.starts_with(&format!("{p}{k} ")) || n.contains(&format!(" {p}{k} ")))
            })
        };
        if local(&["xa", "phuong", "thi tran"]) {
            Self::Commune
        } else if local(&["huyen", "quan", "thi xa", "thanh pho"]) {
            Self::District
        } else if code.is_some() || n.starts_with("so ") || n.starts_with("ban ") {
            Self::Department
        } else {
            Self::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SenderGroup::{self, *};

    fn c(code: Option<&str>, grp: Option<&str>, name: &str) -> SenderGroup {
        SenderGroup::classify(code, grp, name)
    }

    #[test]
    fn level_one_agencies_follow_the_directory_then_the_letter() {
        assert_eq!(
            c(Some("000.00.00.G01"), Some("bộ/ngành"), "Bộ Công An"),
            Ministry
        );
        assert_eq!(
            c(
                Some("000.00.00.H34"),
                Some("tỉnh/thành phố"),
                "UBND tỉnh Kon Tum"
            ),
            Province
        );
        assert_eq!(c(Some("000.00.00.H99"), None, "UBND thành phố X"), Province);
        assert_eq!(c(Some("000.00.00.G99"), None, "Bộ mới"), Ministry);
    }

    #[test]
    fn lower_units_are_placed_by_name() {
        assert_eq!(c(Some("000.00.20.H34"), None, "Sở Nội vụ"), Department);
        assert_eq!(
            c(Some("000.00.31.H34"), None, "UBND huyện Đắk Hà"),
            District
        );
        assert_eq!(
            c(
                Some("000.00.32.H34"),
                None,
                "Ủy ban nhân dân thành phố Kon Tum"
            ),
            District
        );
        assert_eq!(c(Some("000.01.31.H34"), None, "UBND xã Đắk Mar"), Commune);
        assert_eq!(
            c(Some("000.02.31.H34"), None, "UBND thị trấn Đắk Hà"),
            Commune
        );
        assert_eq!(c(None, None, "Văn phòng UBND phường Quyết Thắng"), Commune);
        assert_eq!(c(None, None, "Sở Tài chính"), Department);
        assert_eq!(c(None, None, "Công ty TNHH An Bình"), Other);
    }
}
