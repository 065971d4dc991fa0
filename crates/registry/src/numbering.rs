//! Register numbering: one gapless series per (register, series, year).
//!
//! The counter row is bumped in the same `BEGIN IMMEDIATE` transaction that inserts the
//! numbered document: a rollback returns the number, a commit makes both durable together,
//! and the write lock serialises allocators across processes. Numbers restart at 1 for each
//! year because the year is part of the key.
use rusqlite::{params, Transaction};

use crate::documents::{Register, Series};
use crate::Result;

/// Hands out the next number. Call only inside the transaction that stores it.
pub(crate) fn allocate(
    tx: &Transaction<'_>,
    register: Register,
    series: Series,
    year: i32,
) -> Result<u32> {
    let n: i64 = tx
        .prepare_cached(
            "INSERT INTO counters (register, series, year, last_number) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (register, series, year) DO UPDATE SET last_number = last_number + 1
             RETURNING last_number",
        )?
        .query_row(params![register.as_str(), series.as_str(), year], |r| {
            r.get(0)
        })?;
    Ok(n as u32)
}

/// The number the next allocation would return (no side effect).
pub(crate) fn peek(
    conn: &rusqlite::Connection,
    register: Register,
    series: Series,
    year: i32,
) -> Result<u32> {
    let last: i64 = conn
        .prepare_cached(
            "SELECT coalesce(max(last_number), 0) FROM counters
             WHERE register = ?1 AND series = ?2 AND year = ?3",
        )?
        .query_row(params![register.as_str(), series.as_str(), year], |r| {
            r.get(0)
        })?;
    Ok(last as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rusqlite::{Connection, TransactionBehavior};
    use std::collections::HashMap;

    #[derive(Debug, Clone)]
    struct Op {
        register: Register,
        series: Series,
        year: i32,
        commit: bool,
    }

    fn op() -> impl Strategy<Value = Op> {
        (
            prop::bool::ANY,
            prop::bool::ANY,
            2019i32..2023,
            prop::bool::weighted(0.8),
        )
            .prop_map(|(inc, secret, year, commit)| Op {
                register: if inc {
                    Register::Incoming
                } else {
                    Register::Outgoing
                },
                series: if secret {
                    Series::Secret
                } else {
                    Series::Normal
                },
                year,
                commit,
            })
    }

    proptest! {
        /// Against a model: committed allocations of each key are exactly 1..=n in order,
        /// rolled-back ones leave no gap.
        #[test]
        fn allocation_is_gapless_per_key(ops in prop::collection::vec(op(), 1..120)) {
            let mut conn = Connection::open_in_memory().unwrap();
            crate::schema::migrate(&conn).unwrap();
            let mut model: HashMap<(Register, Series, i32), u32> = HashMap::new();
            for o in &ops {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
                let key = (o.register, o.series, o.year);
                let expected = model.get(&key).copied().unwrap_or(0) + 1;
                prop_assert_eq!(peek(&tx, o.register, o.series, o.year).unwrap(), expected);
                let n = allocate(&tx, o.register, o.series, o.year).unwrap();
                prop_assert_eq!(n, expected);
                if o.commit {
                    tx.commit().unwrap();
                    model.insert(key, n);
                } else {
                    tx.rollback().unwrap();
                }
            }
            for ((r, s, y), last) in model {
                prop_assert_eq!(peek(&conn, r, s, y).unwrap(), last + 1);
            }
        }
    }
}
