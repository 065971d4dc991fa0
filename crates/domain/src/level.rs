//! Độ khẩn (urgency) and độ mật (secrecy), shared/spec/registers.md §4.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// A độ khẩn or độ mật the tables do not know; the message lists the accepted values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("giá trị không hợp lệ / invalid {kind} {value:?}; expected one of: {expected}")]
pub struct LevelParseError {
    kind: &'static str,
    value: String,
    expected: &'static str,
}

/// Độ khẩn of a document (NĐ 30/2020): how fast it must be handled.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Thường: no urgency mark.
    #[default]
    Normal,
    /// Khẩn.
    Urgent,
    /// Thượng khẩn.
    VeryUrgent,
    /// Hỏa tốc.
    Flash,
}

impl Urgency {
    /// Every level, least urgent first (the order of the pickers).
    pub const ALL: [Urgency; 4] = [Self::Normal, Self::Urgent, Self::VeryUrgent, Self::Flash];

    /// The level as the register and the pickers name it (Thường, Khẩn, Thượng khẩn, Hỏa tốc).
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Normal => "Thường",
            Self::Urgent => "Khẩn",
            Self::VeryUrgent => "Thượng khẩn",
            Self::Flash => "Hỏa tốc",
        }
    }

    /// The stored name (`normal`, `urgent`, `very_urgent`, `flash`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Urgent => "urgent",
            Self::VeryUrgent => "very_urgent",
            Self::Flash => "flash",
        }
    }

    /// The edXML `OtherInfo/Priority` value.
    pub fn edxml_priority(self) -> u8 {
        self as u8
    }

    /// From edXML `Priority`; the legacy `4` (hỏa tốc hẹn giờ) is hỏa tốc, unknown values normal.
    pub fn from_edxml_priority(p: u8) -> Self {
        match p {
            1 => Self::Urgent,
            2 => Self::VeryUrgent,
            3 | 4 => Self::Flash,
            _ => Self::Normal,
        }
    }
}

impl FromStr for Urgency {
    type Err = LevelParseError;
    /// Accepts the English key, the Vietnamese label with or without diacritics, or the
    /// edXML priority digit.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let f = fold(s.trim()).replace(['_', '-'], " ");
        Ok(match f.as_str() {
            "normal" | "thuong" | "0" | "" => Self::Normal,
            "urgent" | "khan" | "1" => Self::Urgent,
            "very urgent" | "thuong khan" | "2" => Self::VeryUrgent,
            "flash" | "hoa toc" | "3" | "4" | "hoa toc hen gio" => Self::Flash,
            _ => {
                return Err(LevelParseError {
                    kind: "urgency",
                    value: s.to_string(),
                    expected: "thường, khẩn, thượng khẩn, hỏa tốc",
                })
            }
        })
    }
}

impl fmt::Display for Urgency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_vi())
    }
}

/// Độ mật of a document: anything above Normal is never sent over the hub.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Secrecy {
    /// Thường: not classified.
    #[default]
    Normal,
    /// Mật.
    Confidential,
    /// Tối mật.
    Secret,
    /// Tuyệt mật.
    TopSecret,
}

impl Secrecy {
    /// Every level, least secret first (the order of the pickers).
    pub const ALL: [Secrecy; 4] = [
        Self::Normal,
        Self::Confidential,
        Self::Secret,
        Self::TopSecret,
    ];

    /// The level as the register and the pickers name it (Thường, Mật, Tối mật, Tuyệt mật).
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Normal => "Thường",
            Self::Confidential => "Mật",
            Self::Secret => "Tối mật",
            Self::TopSecret => "Tuyệt mật",
        }
    }

    /// The stored name (`normal`, `confidential`, `secret`, `top_secret`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Confidential => "confidential",
            Self::Secret => "secret",
            Self::TopSecret => "top_secret",
        }
    }

    /// Mật, tối mật and tuyệt mật are state secrets.
    pub fn is_secret(self) -> bool {
        self != Self::Normal
    }

    /// State secrets never travel over the axis or a hub (seeds 000 and 002: "trừ văn bản mật").
    pub fn may_send_over_hub(self) -> bool {
        !self.is_secret()
    }
}

impl FromStr for Secrecy {
    type Err = LevelParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let f = fold(s.trim()).replace(['_', '-'], " ");
        Ok(match f.as_str() {
            "normal" | "none" | "thuong" | "0" | "" => Self::Normal,
            "confidential" | "mat" | "1" => Self::Confidential,
            "secret" | "toi mat" | "2" => Self::Secret,
            "top secret" | "tuyet mat" | "3" => Self::TopSecret,
            _ => {
                return Err(LevelParseError {
                    kind: "secrecy",
                    value: s.to_string(),
                    expected: "thường, mật, tối mật, tuyệt mật",
                })
            }
        })
    }
}

impl fmt::Display for Secrecy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_vi())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgency_parses_labels_keys_and_priorities() {
        for u in Urgency::ALL {
            assert_eq!(u.label_vi().parse::<Urgency>().unwrap(), u);
            assert_eq!(u.as_str().parse::<Urgency>().unwrap(), u);
            assert_eq!(Urgency::from_edxml_priority(u.edxml_priority()), u);
            assert_eq!(serde_json::to_value(u).unwrap(), u.as_str());
        }
        assert_eq!("HOẢ TỐC".parse::<Urgency>().unwrap(), Urgency::Flash);
        assert_eq!(
            "thuong khan".parse::<Urgency>().unwrap(),
            Urgency::VeryUrgent
        );
        assert_eq!(Urgency::from_edxml_priority(4), Urgency::Flash);
        assert!("rất khẩn".parse::<Urgency>().is_err());
    }

    #[test]
    fn secrecy_rules() {
        for s in Secrecy::ALL {
            assert_eq!(s.label_vi().parse::<Secrecy>().unwrap(), s);
            assert_eq!(s.as_str().parse::<Secrecy>().unwrap(), s);
            assert_eq!(s.may_send_over_hub(), s == Secrecy::Normal);
        }
        assert_eq!("TỐI MẬT".parse::<Secrecy>().unwrap(), Secrecy::Secret);
        assert!("bí mật".parse::<Secrecy>().is_err());
    }
}
