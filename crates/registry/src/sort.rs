//! Sorted listings: the register ordered by one column (số đến, ngày đến, số/ký hiệu, cơ quan
//! ban hành, trích yếu, hạn xử lý, trạng thái), paged with a keyset cursor on (sort key, id)
//! so page N costs the same as page 1. Each key is a list of non-NULL SQL expressions that
//! matches an index `(register, key…, id)` (migrations v6 and v7), so the first page of a
//! 1M-row register reads ~limit rows instead of sorting the register.
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A column the document lists can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Số đến: register year, then number (numbers restart every year).
    ArrivalNumber,
    /// Ngày đến (the register date: ngày ban hành for outgoing).
    ArrivalDate,
    /// Số, ký hiệu as written.
    Notation,
    /// Cơ quan ban hành (incoming: the sender's name).
    Sender,
    /// Trích yếu.
    Subject,
    /// Hạn xử lý; documents without a deadline come after all dated ones.
    Deadline,
    /// Trạng thái (processing state code).
    State,
}

impl SortKey {
    /// Every key, in the order the UI offers them.
    pub const ALL: [SortKey; 7] = [
        SortKey::ArrivalNumber,
        SortKey::ArrivalDate,
        SortKey::Notation,
        SortKey::Sender,
        SortKey::Subject,
        SortKey::Deadline,
        SortKey::State,
    ];

    /// The key's name in the query (CLI, app, saved sorts).
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::ArrivalNumber => "arrival_number",
            SortKey::ArrivalDate => "arrival_date",
            SortKey::Notation => "notation",
            SortKey::Sender => "sender",
            SortKey::Subject => "subject",
            SortKey::Deadline => "deadline",
            SortKey::State => "state",
        }
    }

    /// The ordering expressions, never NULL (row-value keyset comparisons skip NULLs). They
    /// must stay textually identical to the index expressions of `schema::v6_sort_indexes`
    /// and `schema::v7_subject_index`.
    pub(crate) fn exprs(self) -> &'static [&'static str] {
        match self {
            SortKey::ArrivalNumber => &["ifnull(d.year, 0)", "ifnull(d.number, 0)"],
            SortKey::ArrivalDate => &["d.sort_date"],
            SortKey::Notation => &["d.notation"],
            SortKey::Sender => &["ifnull(d.sender_name, '')"],
            SortKey::Subject => &["d.subject"],
            SortKey::Deadline => &["ifnull(d.deadline, '9999-12-31')"],
            SortKey::State => &["d.state"],
        }
    }
}

/// A listing order: one key, ascending or descending; ties broken by id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sort {
    /// The column to order by.
    pub key: SortKey,
    /// Largest first when true.
    pub descending: bool,
}

impl Sort {
    /// Ordered by `key`, smallest first.
    pub fn asc(key: SortKey) -> Self {
        Sort {
            key,
            descending: false,
        }
    }
    /// Ordered by `key`, largest first.
    pub fn desc(key: SortKey) -> Self {
        Sort {
            key,
            descending: true,
        }
    }

    /// `ORDER BY` clause.
    pub(crate) fn order_by(self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        self.key
            .exprs()
            .iter()
            .chain(std::iter::once(&"d.id"))
            .map(|e| format!("{e} {dir}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The keyset condition for rows after `cursor`; `first_param` is the number of the
    /// first `?N` placeholder it may use. Returns the SQL and the values to bind.
    pub(crate) fn after(
        self,
        cursor: &SortCursor,
        first_param: usize,
    ) -> Result<(String, Vec<Value>)> {
        if cursor.key != self.key
            || cursor.descending != self.descending
            || cursor.values.len() != self.key.exprs().len()
        {
            return Err(Error::BadCursor);
        }
        let mut values: Vec<Value> = cursor.values.iter().map(CursorValue::to_sql).collect();
        values.push(Value::Integer(cursor.id));
        let lhs: Vec<&str> = self
            .key
            .exprs()
            .iter()
            .copied()
            .chain(std::iter::once("d.id"))
            .collect();
        let rhs: Vec<String> = (0..values.len())
            .map(|i| format!("?{}", first_param + i))
            .collect();
        let op = if self.descending { "<" } else { ">" };
        Ok((
            format!("({}) {op} ({})", lhs.join(", "), rhs.join(", ")),
            values,
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum CursorValue {
    Int(i64),
    Text(String),
}

impl CursorValue {
    pub(crate) fn from_sql(v: Value) -> Result<Self> {
        match v {
            Value::Integer(i) => Ok(CursorValue::Int(i)),
            Value::Text(s) => Ok(CursorValue::Text(s)),
            _ => Err(Error::BadCursor),
        }
    }
    fn to_sql(&self) -> Value {
        match self {
            CursorValue::Int(i) => Value::Integer(*i),
            CursorValue::Text(s) => Value::Text(s.clone()),
        }
    }
}

/// The last row of a sorted page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SortCursor {
    #[serde(rename = "k")]
    pub key: SortKey,
    #[serde(rename = "d")]
    pub descending: bool,
    #[serde(rename = "v")]
    pub values: Vec<CursorValue>,
    pub id: i64,
}

impl SortCursor {
    pub(crate) fn encode(&self) -> String {
        hex::encode(format!(
            "s:{}",
            serde_json::to_string(self).expect("a cursor serializes")
        ))
    }

    /// `None` when `s` is not a sorted-listing cursor at all.
    pub(crate) fn decode(s: &str) -> Option<Result<Self>> {
        let raw = String::from_utf8(hex::decode(s).ok()?).ok()?;
        let json = raw.strip_prefix("s:")?;
        Some(serde_json::from_str(json).map_err(|_| Error::BadCursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_must_match_the_sort() {
        let c = SortCursor {
            key: SortKey::ArrivalNumber,
            descending: true,
            values: vec![CursorValue::Int(2026), CursorValue::Int(15)],
            id: 9,
        };
        let back = SortCursor::decode(&c.encode()).unwrap().unwrap();
        assert_eq!(back, c);
        assert!(Sort::desc(SortKey::ArrivalNumber).after(&back, 3).is_ok());
        assert!(Sort::asc(SortKey::ArrivalNumber).after(&back, 3).is_err());
        assert!(Sort::desc(SortKey::Notation).after(&back, 3).is_err());
        let (sql, vals) = Sort::desc(SortKey::ArrivalNumber).after(&back, 3).unwrap();
        assert_eq!(
            sql,
            "(ifnull(d.year, 0), ifnull(d.number, 0), d.id) < (?3, ?4, ?5)"
        );
        assert_eq!(vals.len(), 3);
        assert!(SortCursor::decode(&hex::encode("d:2024-01-01:3")).is_none());
        assert!(matches!(
            SortCursor::decode(&hex::encode("s:{nope")),
            Some(Err(Error::BadCursor))
        ));
    }
}
