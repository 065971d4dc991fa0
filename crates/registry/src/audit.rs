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
    let canonical = serde_json::json!([seq, at, user, action, entity, entity_id, detail]);
    let mut h = Sha256::new();
    // A malformed stored prev_hash is hashed as text so the mismatch still shows.
    match hex::decode(prev_hash) {
        Ok(b) => h.update(b),
        Err(_) => h.update(prev_hash.as_bytes()),
    }
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
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
    let last: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let detail = serde_json::to_string(detail).expect("audit detail serialises");
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
