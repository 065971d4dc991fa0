//! The vocabulary every store module shares: which register and number series a row belongs
//! to, and its `state` column read as the domain's enums. It sits below every other module so
//! the search index, the event log and the numbering can name a register without depending
//! on the documents module that writes them.
use rusqlite::Row;
use serde::{Deserialize, Serialize};
use vanthu_domain::{DocumentState, IncomingState, OutgoingState, Secrecy};

use crate::{Error, Result};

/// The two registers of a unit (sổ văn bản): what it received and what it issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    /// Sổ văn bản đến.
    Incoming,
    /// Sổ văn bản đi.
    Outgoing,
}

impl Register {
    /// The name stored in the database and used in CSV files and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
        }
    }
    /// The register's Vietnamese name, as shown to the clerk.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Incoming => "Văn bản đến",
            Self::Outgoing => "Văn bản đi",
        }
    }
}

impl std::str::FromStr for Register {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match vanthu_domain::text::fold(s.trim()).as_str() {
            "incoming" | "in" | "den" | "van ban den" => Ok(Self::Incoming),
            "outgoing" | "out" | "di" | "van ban di" => Ok(Self::Outgoing),
            _ => Err(Error::invalid(format!(
                "sổ không hợp lệ / unknown register {s:?} (incoming|outgoing)"
            ))),
        }
    }
}

/// Numbering series inside a register: state secrets (mật and above) are numbered apart
/// (docs/decisions.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Series {
    /// Documents that are not state secrets.
    Normal,
    /// State secrets (mật, tối mật, tuyệt mật), numbered apart.
    Secret,
}

impl Series {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Secret => "secret",
        }
    }
    /// The series a document of secrecy `s` is numbered in.
    pub fn for_secrecy(s: Secrecy) -> Self {
        if s.is_secret() {
            Self::Secret
        } else {
            Self::Normal
        }
    }
}

/// Reads the `state` column at `idx` as the domain's state. A name neither register knows is
/// a conversion error of that column (shown as a database error), never a string that
/// silently matches no rule.
pub(crate) fn state_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<DocumentState> {
    let name: String = r.get(idx)?;
    name.parse().map_err(|e: vanthu_domain::UnknownState| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// [`state_at`] for a column that must hold an outgoing state.
pub(crate) fn outgoing_state_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<OutgoingState> {
    match state_at(r, idx)? {
        DocumentState::Outgoing(s) => Ok(s),
        DocumentState::Incoming(s) => Err(wrong_register(idx, s.as_str())),
    }
}

/// [`state_at`] for a column that must hold an incoming state.
pub(crate) fn incoming_state_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<IncomingState> {
    match state_at(r, idx)? {
        DocumentState::Incoming(s) => Ok(s),
        DocumentState::Outgoing(s) => Err(wrong_register(idx, s.as_str())),
    }
}

fn wrong_register(idx: usize, name: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        Box::new(vanthu_domain::UnknownState(name.to_string())),
    )
}

pub(crate) fn state_str<T: Serialize>(s: T) -> String {
    match serde_json::to_value(s) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}
