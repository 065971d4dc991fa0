//! The append-only, hash-chained audit log.
//!
//! Row `n` stores `hash = sha256(prev_hash || canonical(row))` where `prev_hash` is row
//! `n-1`'s hash (32 zero bytes for the first row) and `canonical(row)` is the compact JSON
//! array `[seq, at, user, action, entity, entity_id, detail]` with `detail` as stored.
//! Triggers refuse UPDATE and DELETE; someone who drops them and edits a row by hand still
//! breaks the chain, which [`Registry::audit_verify`] reports.
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Registry, Result, WriteCtx};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row of the hash-chained audit log: who did what to which entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it was written (RFC 3339).
    pub at: String,
    /// The registry user who did it.
    pub user: String,
    /// What was done, such as `document.create` or `outbox.sent`.
    pub action: String,
    /// The kind of thing acted on (`document`, `agency`, `outbox`, …).
    pub entity: String,
    /// Which one, when the action is about a single row.
    pub entity_id: Option<String>,
    /// The action's details, as hashed.
    pub detail: serde_json::Value,
    /// SHA-256 of this row chained to the previous row's hash.
    pub hash: String,
}

/// Outcome of [`Registry::audit_verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// How many rows were checked.
    pub rows: u64,
    /// Whether every row matched the chain.
    pub ok: bool,
    /// The first row whose content or link does not match the chain.
    pub first_broken_seq: Option<i64>,
    /// Why the first broken row does not match.
    pub reason: Option<String>,
    /// The hash of the last row checked, to compare with a copy kept elsewhere.
    pub last_hash: String,
}

#[allow(clippy::too_many_arguments)]
fn row_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    user: &str,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: &str,
) -> String {
    // A tuple serialises as the same compact JSON array as `json!([…])`, without building a
    // `Value` first.
    let canonical = serde_json::to_string(&(seq, at, user, action, entity, entity_id, detail))
        .expect("audit row serialises");
    let mut h = Sha256::new();
    // A malformed stored prev_hash is hashed as text so the mismatch still shows.
    let mut raw = [0u8; 32];
    match hex::decode_to_slice(prev_hash, &mut raw) {
        Ok(()) => h.update(raw),
        Err(_) => h.update(prev_hash.as_bytes()),
    }
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// One audit row computed ahead of its insert (bulk imports: the chain is hashed on a helper
/// thread while the register rows are written, then the rows are inserted in order).
pub(crate) struct PendingEntry {
    seq: i64,
    action: &'static str,
    entity: &'static str,
    entity_id: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

/// The tail of the chain inside a write transaction, extended in memory.
pub(crate) struct Chain {
    /// The `(seq, hash)` the chain had when it was read; [`Chain::insert`] checks it still has.
    start: (i64, String),
    seq: i64,
    prev: String,
}

impl Chain {
    /// Reads the current tail (call under the transaction's write lock).
    pub(crate) fn read(tx: &Transaction<'_>) -> Result<Self> {
        let (seq, prev) = tail(tx)?;
        Ok(Chain {
            start: (seq, prev.clone()),
            seq,
            prev,
        })
    }

    /// The next entry of the chain, hashed (not yet written).
    pub(crate) fn next(
        &mut self,
        ctx_now: &str,
        user: &str,
        action: &'static str,
        entity: &'static str,
        entity_id: String,
        detail: String,
    ) -> PendingEntry {
        self.seq += 1;
        let hash = row_hash(
            &self.prev,
            self.seq,
            ctx_now,
            user,
            action,
            entity,
            Some(&entity_id),
            &detail,
        );
        let prev_hash = std::mem::replace(&mut self.prev, hash.clone());
        PendingEntry {
            seq: self.seq,
            action,
            entity,
            entity_id,
            detail,
            prev_hash,
            hash,
        }
    }

    /// Writes entries made by [`Chain::next`] (in order) after checking that nothing else was
    /// appended since [`Chain::read`].
    pub(crate) fn insert(
        &self,
        tx: &Transaction<'_>,
        ctx: &WriteCtx<'_>,
        entries: impl IntoIterator<Item = PendingEntry>,
    ) -> Result<()> {
        if tail(tx)? != self.start {
            return Err(crate::Error::InvalidState(
                "nhật ký thay đổi trong khi nhập / the audit log moved during the import".into(),
            ));
        }
        let mut stmt = tx.prepare_cached(
            "INSERT INTO audit_log (seq, at, user, action, entity, entity_id, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for e in entries {
            stmt.execute(params![
                e.seq,
                ctx.now,
                ctx.user,
                e.action,
                e.entity,
                e.entity_id,
                e.detail,
                e.prev_hash,
                e.hash
            ])?;
        }
        Ok(())
    }
}

/// The last row's `(seq, hash)`, `(0, GENESIS)` for an empty log.
fn tail(tx: &Transaction<'_>) -> Result<(i64, String)> {
    let last: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(last.unwrap_or_else(|| (0, GENESIS.to_string())))
}

/// Appends one entry inside the caller's transaction.
pub(crate) fn append(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: &impl Serialize,
) -> Result<()> {
    let detail = serde_json::to_string(detail).expect("audit detail serialises");
    append_raw(tx, ctx, action, entity, entity_id, detail)
}

/// [`append`] with the detail already serialised.
pub(crate) fn append_raw(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: String,
) -> Result<()> {
    let (last, prev) = tail(tx)?;
    let seq = last + 1;
    let hash = row_hash(
        &prev, seq, &ctx.now, ctx.user, action, entity, entity_id, &detail,
    );
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, user, action, entity, entity_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq, ctx.now, ctx.user, action, entity, entity_id, detail, prev, hash
    ])?;
    Ok(())
}

impl Registry {
    /// Walks the whole chain and reports the first row that does not match.
    pub fn audit_verify(&self) -> Result<AuditReport> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, user, action, entity, entity_id, detail, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut expected_prev = GENESIS.to_string();
        let mut expected_seq = 1i64;
        let mut count = 0u64;
        let broken = |seq: i64, reason: String, count: u64, last: String| AuditReport {
            rows: count,
            ok: false,
            first_broken_seq: Some(seq),
            reason: Some(reason),
            last_hash: last,
        };
        while let Some(r) = rows.next()? {
            count += 1;
            let seq: i64 = r.get(0)?;
            let at: String = r.get(1)?;
            let user: String = r.get(2)?;
            let action: String = r.get(3)?;
            let entity: String = r.get(4)?;
            let entity_id: Option<String> = r.get(5)?;
            let detail: String = r.get(6)?;
            let prev: String = r.get(7)?;
            let hash: String = r.get(8)?;
            if seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    format!("row {expected_seq} is missing (next row is {seq})"),
                    count,
                    expected_prev,
                ));
            }
            if prev != expected_prev {
                return Ok(broken(
                    seq,
                    "prev_hash does not link to the previous row".into(),
                    count,
                    expected_prev,
                ));
            }
            let computed = row_hash(
                &prev,
                seq,
                &at,
                &user,
                &action,
                &entity,
                entity_id.as_deref(),
                &detail,
            );
            if computed != hash {
                return Ok(broken(
                    seq,
                    "content does not match its hash (row edited)".into(),
                    count,
                    expected_prev,
                ));
            }
            expected_prev = hash;
            expected_seq += 1;
        }
        Ok(AuditReport {
            rows: count,
            ok: true,
            first_broken_seq: None,
            reason: None,
            last_hash: expected_prev,
        })
    }

    /// Audit entries, newest first; `entity_id` narrows to one record.
    pub fn audit_entries(
        &self,
        entity: Option<&str>,
        entity_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, user, action, entity, entity_id, detail, hash FROM audit_log
             WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)
             ORDER BY seq DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![entity, entity_id, limit as i64], |r| {
            let detail: String = r.get(6)?;
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                user: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                hash: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_is_the_json_array_of_the_row() {
        // Rows written before the hashing stopped building a `serde_json::Value` must verify.
        let detail = r#"{"subject":"Về việc \"A\"","n":1}"#;
        for entity_id in [Some("42"), None] {
            let canonical =
                serde_json::json!([7, "t", "u", "a", "e", entity_id, detail]).to_string();
            let mut h = Sha256::new();
            h.update(hex::decode(GENESIS).unwrap());
            h.update(canonical.as_bytes());
            assert_eq!(
                row_hash(GENESIS, 7, "t", "u", "a", "e", entity_id, detail),
                hex::encode(h.finalize())
            );
        }
    }

    #[test]
    fn hash_depends_on_every_field_and_the_link() {
        let base = row_hash(GENESIS, 1, "t", "u", "a", "e", Some("1"), "{}");
        assert_eq!(base.len(), 64);
        let variants = [
            row_hash(GENESIS, 2, "t", "u", "a", "e", Some("1"), "{}"),
            row_hash(GENESIS, 1, "t2", "u", "a", "e", Some("1"), "{}"),
            row_hash(GENESIS, 1, "t", "u2", "a", "e", Some("1"), "{}"),
            row_hash(GENESIS, 1, "t", "u", "a2", "e", Some("1"), "{}"),
            row_hash(GENESIS, 1, "t", "u", "a", "e2", Some("1"), "{}"),
            row_hash(GENESIS, 1, "t", "u", "a", "e", None, "{}"),
            row_hash(GENESIS, 1, "t", "u", "a", "e", Some("1"), "{ }"),
            row_hash(&base, 1, "t", "u", "a", "e", Some("1"), "{}"),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }
}
