//! Helpers of the bulk imports (csvio.rs): per-row work spread over the machine's cores, and
//! the register's listing indexes rebuilt once instead of updated row by row.
//!
//! Both keep an import what it was: one transaction, all rows or none. Dropping and
//! re-creating the indexes happens inside the import's transaction, so another connection
//! sees either the old register with its indexes or the new one with its indexes; a rollback
//! (a bad row, a crash) restores the dropped indexes with everything else.
use rusqlite::Transaction;

use crate::Result;

/// Maps `f` over `items` on up to `threads` scoped threads, in order; the error of the
/// first item (in item order) that fails, as a sequential map would return it.
pub(crate) fn par_map<T: Sync, U: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> Result<U> + Sync,
) -> Result<Vec<U>> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 || items.len() < 1024 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let parts: Vec<Result<Vec<U>>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Result<Vec<U>>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// Threads for the per-row work of a bulk import (the SQLite writer is one more).
pub(crate) fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4)
}

/// Rows below which an import keeps the indexes: rebuilding them costs a scan and a sort of
/// the whole table, which only pays off for many rows.
const DEFER_MIN_ROWS: usize = 10_000;

/// The `documents` indexes dropped for a bulk import, re-created by [`DeferredIndexes::restore`]
/// from their own `CREATE INDEX` statements.
///
/// Only plain (non-unique, non-partial) indexes are deferred: the unique ones keep rejecting a
/// duplicate at the row that makes it (with its line number), and the partial ones cost
/// nothing for rows outside them.
pub(crate) struct DeferredIndexes {
    sql: Vec<String>,
}

impl DeferredIndexes {
    /// Drops the plain indexes of `documents` when `rows` new rows are many, in absolute terms
    /// and against the register's size (re-creating an index sorts every row, old and new;
    /// measured in bench/RESULTS.md "CSV import, session 9": updating an index row by row
    /// costs about twice as much per row as re-creating it).
    pub(crate) fn maybe_drop(tx: &Transaction<'_>, rows: usize) -> Result<Option<Self>> {
        if rows < DEFER_MIN_ROWS {
            return Ok(None);
        }
        let existing: i64 = tx.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
        if existing as usize > rows {
            return Ok(None);
        }
        let indexes: Vec<(String, String)> = tx
            .prepare(
                "SELECT l.name, s.sql FROM pragma_index_list('documents') AS l
                 JOIN sqlite_schema AS s ON s.type = 'index' AND s.name = l.name
                 WHERE l.origin = 'c' AND l.\"unique\" = 0 AND l.partial = 0 AND s.sql IS NOT NULL
                 ORDER BY l.name",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(Some(DeferredIndexes {
            sql: indexes.into_iter().map(|(_, sql)| sql).collect(),
        }))
    }

    /// Re-creates the dropped indexes (inside the same transaction). SQLite sorts each index's
    /// keys with a helper thread meanwhile.
    pub(crate) fn restore(self, tx: &Transaction<'_>) -> Result<()> {
        let threads: i64 = tx.pragma_query_value(None, "threads", |r| r.get(0))?;
        tx.pragma_update(None, "threads", worker_threads() as i64)?;
        let created = self.sql.iter().try_for_each(|sql| tx.execute_batch(sql));
        tx.pragma_update(None, "threads", threads)?;
        created?;
        Ok(())
    }
}
