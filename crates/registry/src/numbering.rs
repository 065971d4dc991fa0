//! Register numbering: one gapless series per (register, series, year).
//!
//! **Standalone desktop** (no desktop id configured): the counter row is bumped in the same
//! `BEGIN IMMEDIATE` transaction that inserts the numbered document: a rollback returns the
//! number, a commit makes both durable together, and the write lock serialises allocators
//! across processes. Numbers restart at 1 for each year because the year is part of the key.
//!
//! **Several desktops of one unit** (a desktop id is set, docs/sync.md "Numbering while
//! offline"): numbers come from blocks `[start, start + size)` that the unit's hub reserved
//! for this desktop; blocks of one key never overlap across desktops, so no two desktops can
//! give the same number. When the blocks are used up (offline), the document gets a
//! provisional number `T-<desktop>-<n>` (shown as "Số tạm") and no final number; the next
//! block that arrives gives the provisional documents their final numbers, oldest first, each
//! with an audit entry.
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::register::{Register, Series};
use crate::{audit, search, Error, Registry, Result, WriteCtx};

const DESKTOP_KEY: &str = "numbering.desktop";
const INSTALL_KEY: &str = "numbering.install_id";
const PROVISIONAL_KEY: &str = "numbering.provisional_last";
/// `numbering.closed.<year>` = when the year's numbering was closed (year-end).
const CLOSED_PREFIX: &str = "numbering.closed.";

/// Largest block the hub hands out in one request (see vanthu-hub's `MAX_BLOCK_SIZE`).
pub const MAX_BLOCK_SIZE: u32 = 1000;

/// What a document got: its final number, or a provisional one to be replaced later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Allocation {
    Final(u32),
    Provisional(String),
}

impl Allocation {
    pub(crate) fn final_number(&self) -> Option<u32> {
        match self {
            Allocation::Final(n) => Some(*n),
            Allocation::Provisional(_) => None,
        }
    }
    pub(crate) fn provisional(&self) -> Option<&str> {
        match self {
            Allocation::Final(_) => None,
            Allocation::Provisional(p) => Some(p),
        }
    }
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

fn closed_key(year: i32) -> String {
    format!("{CLOSED_PREFIX}{year}")
}

/// Hands out the next number. Call only inside the transaction that stores it.
pub(crate) fn allocate(
    tx: &Transaction<'_>,
    register: Register,
    series: Series,
    year: i32,
) -> Result<Allocation> {
    if meta(tx, &closed_key(year))?.is_some() {
        return Err(Error::InvalidState(format!(
            "sổ năm {year} đã khóa, không cấp thêm số / the {year} registers are closed"
        )));
    }
    let Some(desktop) = meta(tx, DESKTOP_KEY)? else {
        return Ok(Allocation::Final(allocate_counter(
            tx, register, series, year,
        )?));
    };
    if let Some(n) = take_from_block(tx, register.as_str(), series.as_str(), year)? {
        return Ok(Allocation::Final(n));
    }
    let last: u64 = meta(tx, PROVISIONAL_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    set_meta(tx, PROVISIONAL_KEY, &(last + 1).to_string())?;
    Ok(Allocation::Provisional(format!("T-{desktop}-{}", last + 1)))
}

/// Numbers for the rows of one bulk import, inside its transaction: what [`allocate`] gives,
/// one row after another, without its per-row lookups. A year's closure and the desktop mode
/// are read once per import (nothing else can change them while the transaction holds the
/// write lock); a standalone desktop's counters are kept in memory and written back by
/// [`BulkNumbers::finish`] in the same transaction, so the series stays gapless and a rollback
/// still returns every number.
#[derive(Default)]
pub(crate) struct BulkNumbers {
    desktop: Option<bool>,
    open_years: std::collections::HashSet<i32>,
    counters: std::collections::HashMap<(Register, Series, i32), u32>,
}

impl BulkNumbers {
    /// The next number of the key, as [`allocate`] would hand it out.
    pub(crate) fn allocate(
        &mut self,
        tx: &Transaction<'_>,
        register: Register,
        series: Series,
        year: i32,
    ) -> Result<Allocation> {
        let desktop = match self.desktop {
            Some(d) => d,
            None => *self.desktop.insert(meta(tx, DESKTOP_KEY)?.is_some()),
        };
        if desktop {
            // Blocks and provisional numbers: the general path, row by row.
            return allocate(tx, register, series, year);
        }
        if !self.open_years.contains(&year) {
            if meta(tx, &closed_key(year))?.is_some() {
                return allocate(tx, register, series, year);
            }
            self.open_years.insert(year);
        }
        let n = match self.counters.entry((register, series, year)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let last: Option<i64> = tx
                    .prepare_cached(
                        "SELECT last_number FROM counters
                         WHERE register = ?1 AND series = ?2 AND year = ?3",
                    )?
                    .query_row(params![register.as_str(), series.as_str(), year], |r| {
                        r.get(0)
                    })
                    .optional()?;
                e.insert(last.unwrap_or(0) as u32)
            }
        };
        *n += 1;
        Ok(Allocation::Final(*n))
    }

    /// Writes the counters back (call before the transaction commits).
    pub(crate) fn finish(self, tx: &Transaction<'_>) -> Result<()> {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO counters (register, series, year, last_number) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (register, series, year) DO UPDATE SET last_number = excluded.last_number",
        )?;
        for ((register, series, year), n) in self.counters {
            stmt.execute(params![register.as_str(), series.as_str(), year, n])?;
        }
        Ok(())
    }
}

fn allocate_counter(
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

/// The lowest unused number of this desktop's blocks for the key, marked used.
fn take_from_block(
    tx: &Transaction<'_>,
    register: &str,
    series: &str,
    year: i32,
) -> Result<Option<u32>> {
    let row: Option<(i64, i64)> = tx
        .prepare_cached(
            "SELECT id, next FROM number_blocks
             WHERE register = ?1 AND series = ?2 AND year = ?3 AND next < start + size
             ORDER BY start LIMIT 1",
        )?
        .query_row(params![register, series, year], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((id, next)) = row else {
        return Ok(None);
    };
    tx.prepare_cached("UPDATE number_blocks SET next = next + 1 WHERE id = ?1")?
        .execute([id])?;
    Ok(Some(next as u32))
}

/// The number the next allocation would return (no side effect). With blocks configured and
/// used up, 0: the next document would get a provisional number.
pub(crate) fn peek(
    conn: &rusqlite::Connection,
    register: Register,
    series: Series,
    year: i32,
) -> Result<u32> {
    if meta(conn, DESKTOP_KEY)?.is_some() {
        let next: Option<i64> = conn
            .prepare_cached(
                "SELECT next FROM number_blocks
                 WHERE register = ?1 AND series = ?2 AND year = ?3 AND next < start + size
                 ORDER BY start LIMIT 1",
            )?
            .query_row(params![register.as_str(), series.as_str(), year], |r| {
                r.get(0)
            })
            .optional()?;
        return Ok(next.unwrap_or(0) as u32);
    }
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

/// A block request to send to the hub (persisted before it is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRequest {
    /// Id of the request, kept when a pending request is sent again so a retry is the same request.
    pub request_id: String,
    /// The desktop asking, which the hub records as the block's holder.
    pub desktop: String,
    /// The register the numbers are for (`incoming`/`outgoing`).
    pub register: String,
    /// The numbering series in that register (`normal`/`secret`).
    pub series: String,
    /// The year the numbers belong to (numbering restarts each year).
    pub year: i32,
    /// How many numbers to reserve.
    pub size: u32,
}

/// One reserved block as held by this desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberBlockInfo {
    /// The register the block numbers.
    pub register: String,
    /// The numbering series of the block.
    pub series: String,
    /// The year of the block.
    pub year: i32,
    /// The block's first number.
    pub start: u32,
    /// How many numbers the block holds.
    pub size: u32,
    /// Numbers of the block not used yet.
    pub remaining: u32,
    /// The request the hub granted the block for.
    pub request_id: String,
}

/// A provisional number replaced by a final one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedNumber {
    /// The register id of the document.
    pub document_id: i64,
    /// The provisional number it carried until now.
    pub provisional: String,
    /// Its final number in the register.
    pub number: u32,
}

/// A document still waiting for its final number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionalDocument {
    /// The register id of the document.
    pub document_id: i64,
    /// The register it waits for a number in.
    pub register: String,
    /// The numbering series it waits in.
    pub series: String,
    /// The year it will be numbered in.
    pub year: i32,
    /// The provisional number it carries meanwhile.
    pub provisional: String,
}

/// Numbers of a block this desktop will never use: left over when the year was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidedNumbers {
    /// The register of the voided numbers.
    pub register: String,
    /// The numbering series of the voided numbers.
    pub series: String,
    /// The closed year they belonged to.
    pub year: i32,
    /// The first voided number.
    pub first: u32,
    /// The last voided number (inclusive).
    pub last: u32,
}

/// What closing a year did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearClosure {
    /// The year that was closed.
    pub year: i32,
    /// When it was closed (RFC 3339).
    pub closed_at: String,
    /// The unused numbers of this desktop's blocks (empty for a standalone desktop, whose
    /// counter has no gaps).
    pub voided: Vec<VoidedNumbers>,
}

fn valid_desktop(d: &str) -> bool {
    !d.is_empty() && d.len() <= 16 && d.bytes().all(|c| c.is_ascii_alphanumeric())
}

const KEYS: [(&str, &str); 4] = [
    ("incoming", "normal"),
    ("outgoing", "normal"),
    ("incoming", "secret"),
    ("outgoing", "secret"),
];

/// id, provisional number, code notation, subject, signer, body text, recipients.
type PendingRow = (
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Gives unresolved provisional documents of the key their final numbers, oldest first,
/// as long as the blocks last.
fn resolve_key(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    register: &str,
    series: &str,
    year: i32,
) -> Result<Vec<ResolvedNumber>> {
    let pending: Vec<PendingRow> = tx
        .prepare_cached(
            "SELECT d.id, d.provisional_number, d.code_notation, d.subject, d.signer, d.body_text,
                    (SELECT group_concat(name, '; ') FROM recipients WHERE document_id = d.id)
             FROM documents d
             WHERE d.register = ?1 AND d.series = ?2 AND d.year = ?3
               AND d.provisional_number IS NOT NULL AND d.number IS NULL
             ORDER BY d.id",
        )?
        .query_map(params![register, series, year], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (id, provisional, code_notation, subject, signer, body, recipients) in pending {
        let Some(n) = take_from_block(tx, register, series, year)? else {
            break;
        };
        if register == "outgoing" {
            let code_notation = code_notation.unwrap_or_default();
            let notation =
                vanthu_domain::DocumentNumber::parse(&format!("{n}/{code_notation}"))?.to_string();
            tx.execute(
                "UPDATE documents SET number = ?2, notation = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, n, notation, ctx.now],
            )?;
            search::reindex_row(
                tx,
                ctx,
                id,
                &notation,
                &subject,
                recipients.as_deref(),
                signer.as_deref(),
                body.as_deref(),
            )?;
        } else {
            tx.execute(
                "UPDATE documents SET number = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, n, ctx.now],
            )?;
            // Mirrors on the leader's desktop still show the Số tạm they were submitted with.
            crate::desks::outbox::queue_labels(tx, ctx, id, Some(&provisional), n)?;
        }
        audit::append(
            tx,
            ctx,
            "numbering.resolve",
            "document",
            Some(&id.to_string()),
            &serde_json::json!({
                "register": register, "series": series, "year": year,
                "provisional": provisional, "number": n,
            }),
        )?;
        out.push(ResolvedNumber {
            document_id: id,
            provisional,
            number: n,
        });
    }
    Ok(out)
}

/// The unused remainder of each block of `year` (void once the year is closed: nothing
/// allocates from a closed year).
fn voided_in(conn: &Connection, year: i32) -> Result<Vec<VoidedNumbers>> {
    let mut stmt = conn.prepare_cached(
        "SELECT register, series, next, start + size - 1 FROM number_blocks
         WHERE year = ?1 AND next < start + size ORDER BY register, series, start",
    )?;
    let rows = stmt
        .query_map([year], |r| {
            Ok(VoidedNumbers {
                register: r.get(0)?,
                series: r.get(1)?,
                year,
                first: r.get(2)?,
                last: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

impl Registry {
    /// Turns block numbering on (`Some(desktop)`, 1–16 letters/digits, e.g. "VT1") or back
    /// to the standalone counter (`None`). The desktop id appears in provisional numbers.
    pub fn set_numbering_desktop(&mut self, desktop: Option<&str>) -> Result<()> {
        if let Some(d) = desktop {
            if !valid_desktop(d) {
                return Err(Error::invalid(format!(
                    "mã máy phải gồm 1–16 chữ cái/chữ số: {d} / desktop id must be 1-16 letters or digits: {d}"
                )));
            }
        }
        self.write(|tx, ctx| {
            match desktop {
                Some(d) => {
                    set_meta(tx, DESKTOP_KEY, d)?;
                    if meta(tx, INSTALL_KEY)?.is_none() {
                        // Distinguishes this database's requests from those of a reinstalled
                        // desktop reusing the same desktop id.
                        let mut h = Sha256::new();
                        h.update(ctx.now.as_bytes());
                        h.update(std::process::id().to_le_bytes());
                        h.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
                        set_meta(tx, INSTALL_KEY, &hex::encode(h.finalize())[..12])?;
                    }
                }
                None => {
                    tx.execute("DELETE FROM meta WHERE key = ?1", [DESKTOP_KEY])?;
                }
            }
            audit::append(
                tx,
                ctx,
                "numbering.desktop",
                "meta",
                None,
                &serde_json::json!({ "desktop": desktop }),
            )
        })
    }

    /// The desktop id when block numbering is on.
    pub fn numbering_desktop(&self) -> Result<Option<String>> {
        meta(&self.conn, DESKTOP_KEY)
    }

    /// The block requests to send now: unanswered ones first (same ids, so the hub replays
    /// them), then a new one for every key of `year` whose blocks are below a quarter of
    /// `block_size`, and for every key with documents waiting on a provisional number.
    /// Empty when block numbering is off.
    pub fn prepare_block_requests(
        &mut self,
        year: i32,
        block_size: u32,
    ) -> Result<Vec<BlockRequest>> {
        let Some(desktop) = self.numbering_desktop()? else {
            return Ok(Vec::new());
        };
        let block_size = block_size.clamp(1, MAX_BLOCK_SIZE);
        let low_water = (block_size / 4).max(1);
        self.write(|tx, ctx| {
            let install = meta(tx, INSTALL_KEY)?.unwrap_or_else(|| "0".into());
            let mut keys: Vec<(String, String, i32)> = KEYS
                .iter()
                .map(|(r, s)| (r.to_string(), s.to_string(), year))
                .collect();
            let extra: Vec<(String, String, i32)> = tx
                .prepare(
                    "SELECT DISTINCT register, series, year FROM documents
                     WHERE provisional_number IS NOT NULL AND number IS NULL ORDER BY year, register, series",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for k in extra {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            let mut out = Vec::new();
            for (register, series, year) in keys {
                let pending: Option<(String, u32)> = tx
                    .query_row(
                        "SELECT request_id, size FROM number_block_requests
                         WHERE register = ?1 AND series = ?2 AND year = ?3 AND fulfilled_at IS NULL
                         ORDER BY created_at LIMIT 1",
                        params![register, series, year],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((request_id, size)) = pending {
                    out.push(BlockRequest {
                        request_id,
                        desktop: desktop.clone(),
                        register,
                        series,
                        year,
                        size,
                    });
                    continue;
                }
                if meta(tx, &closed_key(year))?.is_some() {
                    // Year closed: a request sent before is still answered above (its block
                    // arrives void), no new one.
                    continue;
                }
                let (remaining, waiting): (i64, i64) = tx.query_row(
                    "SELECT
                        (SELECT coalesce(sum(start + size - next), 0) FROM number_blocks
                          WHERE register = ?1 AND series = ?2 AND year = ?3),
                        (SELECT count(*) FROM documents
                          WHERE register = ?1 AND series = ?2 AND year = ?3
                            AND provisional_number IS NOT NULL AND number IS NULL)",
                    params![register, series, year],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                if waiting == 0 && remaining >= i64::from(low_water) {
                    continue;
                }
                let size = (waiting as u64 + u64::from(low_water))
                    .max(u64::from(block_size))
                    .min(u64::from(MAX_BLOCK_SIZE)) as u32;
                let seq: i64 = tx.query_row(
                    "SELECT count(*) + 1 FROM number_block_requests",
                    [],
                    |r| r.get(0),
                )?;
                let request_id = format!("{desktop}-{install}-{seq}");
                tx.execute(
                    "INSERT INTO number_block_requests (request_id, register, series, year, size, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![request_id, register, series, year, size, ctx.now],
                )?;
                out.push(BlockRequest {
                    request_id,
                    desktop: desktop.clone(),
                    register,
                    series,
                    year,
                    size,
                });
            }
            Ok(out)
        })
    }

    /// Stores the block the hub reserved for `request_id` and gives waiting provisional
    /// documents of that key their final numbers. Idempotent: the same block twice is
    /// stored once.
    pub fn add_number_block(
        &mut self,
        request_id: &str,
        start: u32,
        size: u32,
    ) -> Result<Vec<ResolvedNumber>> {
        if start == 0 || size == 0 || size > MAX_BLOCK_SIZE {
            return Err(Error::invalid(format!(
                "khối số không hợp lệ: {start}+{size} / invalid block {start}+{size}"
            )));
        }
        self.write(|tx, ctx| {
            let req: Option<(String, String, i32, u32)> = tx
                .query_row(
                    "SELECT register, series, year, size FROM number_block_requests WHERE request_id = ?1",
                    [request_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((register, series, year, asked)) = req else {
                return Err(Error::invalid(format!(
                    "không có yêu cầu khối số {request_id} / no block request {request_id}"
                )));
            };
            if asked != size {
                return Err(Error::invalid(format!(
                    "khối số {request_id} có cỡ {size}, yêu cầu {asked} / block {request_id} has size {size}, asked {asked}"
                )));
            }
            let inserted = tx.execute(
                "INSERT INTO number_blocks (register, series, year, start, size, next, request_id, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?6, ?7) ON CONFLICT (request_id) DO NOTHING",
                params![register, series, year, start, size, request_id, ctx.now],
            )?;
            if inserted == 1 {
                // A block overlapping one already held means the hub lost its counter (e.g.
                // restored from an old backup): refuse it rather than reuse a number.
                let overlap: i64 = tx.query_row(
                    "SELECT count(*) FROM number_blocks
                     WHERE register = ?1 AND series = ?2 AND year = ?3 AND request_id != ?4
                       AND start < ?5 + ?6 AND ?5 < start + size",
                    params![register, series, year, request_id, start, size],
                    |r| r.get(0),
                )?;
                if overlap > 0 {
                    return Err(Error::invalid(format!(
                        "khối số {start}–{} trùng khối đã có / block {start}-{} overlaps a block already held",
                        start + size - 1,
                        start + size - 1
                    )));
                }
                tx.execute(
                    "UPDATE number_block_requests SET fulfilled_at = ?2 WHERE request_id = ?1",
                    params![request_id, ctx.now],
                )?;
                audit::append(
                    tx,
                    ctx,
                    "numbering.block",
                    "number_block",
                    Some(request_id),
                    &serde_json::json!({
                        "register": register, "series": series, "year": year,
                        "start": start, "size": size,
                    }),
                )?;
            }
            resolve_key(tx, ctx, &register, &series, year)
        })
    }

    /// Blocks held by this desktop, oldest first.
    pub fn number_blocks(&self) -> Result<Vec<NumberBlockInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT register, series, year, start, size, start + size - next, request_id
             FROM number_blocks ORDER BY year, register, series, start",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(NumberBlockInfo {
                    register: r.get(0)?,
                    series: r.get(1)?,
                    year: r.get(2)?,
                    start: r.get(3)?,
                    size: r.get(4)?,
                    remaining: r.get(5)?,
                    request_id: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Year-end (registers.md §6: "close numbering"): no number of `year` is handed out any
    /// more, and the numbers left in this desktop's blocks of that year are void — listed
    /// with an audit entry each, so the printed register accounts for every number. Refused
    /// while a document of the year still waits on a provisional number (sync first). A
    /// second call changes nothing and returns the same closure. A block of a closed year
    /// that arrives later (an answer to a request sent before) is void as a whole. A year
    /// after the current one is refused.
    pub fn close_numbering_year(&mut self, year: i32) -> Result<YearClosure> {
        self.require(vanthu_domain::roles::Duty::CloseYear)?;
        self.write(|tx, ctx| {
            if let Some(at) = meta(tx, &closed_key(year))? {
                return Ok(YearClosure {
                    year,
                    closed_at: at,
                    voided: voided_in(tx, year)?,
                });
            }
            // A year that has not begun cannot be closed: closing cannot be undone, and a
            // mistyped year would stop the whole next year's numbering.
            let this_year: i32 = ctx.now.get(..4).and_then(|y| y.parse().ok()).unwrap_or(i32::MAX);
            if year > this_year {
                return Err(Error::InvalidState(format!(
                    "năm {year} chưa đến: chỉ khóa sổ năm đã qua hoặc năm nay / {year} has not begun: only a past year or this year can be closed"
                )));
            }
            let waiting: i64 = tx.query_row(
                "SELECT count(*) FROM documents
                 WHERE year = ?1 AND provisional_number IS NOT NULL AND number IS NULL",
                [year],
                |r| r.get(0),
            )?;
            if waiting > 0 {
                return Err(Error::InvalidState(format!(
                    "còn {waiting} văn bản năm {year} mang số tạm: đồng bộ với trục trước khi khóa sổ / {waiting} documents of {year} still have a provisional number: sync before closing"
                )));
            }
            set_meta(tx, &closed_key(year), &ctx.now)?;
            let voided = voided_in(tx, year)?;
            for v in &voided {
                audit::append(
                    tx,
                    ctx,
                    "numbering.void",
                    "number_block",
                    None,
                    &serde_json::to_value(v).expect("serialises"),
                )?;
            }
            audit::append(
                tx,
                ctx,
                "numbering.close_year",
                "meta",
                Some(&year.to_string()),
                &serde_json::json!({ "year": year, "voided_ranges": voided.len() }),
            )?;
            Ok(YearClosure {
                year,
                closed_at: ctx.now.clone(),
                voided,
            })
        })
    }

    /// When `year`'s numbering was closed, if it was.
    pub fn numbering_closed_at(&self, year: i32) -> Result<Option<String>> {
        meta(&self.conn, &closed_key(year))
    }

    /// The void numbers of every closed year, by year and key.
    pub fn voided_numbers(&self) -> Result<Vec<VoidedNumbers>> {
        let years: Vec<i32> = self
            .conn
            .prepare_cached("SELECT substr(key, ?1) FROM meta WHERE key LIKE ?2 ORDER BY key")?
            .query_map(
                params![CLOSED_PREFIX.len() as i64 + 1, format!("{CLOSED_PREFIX}%")],
                |r| r.get::<_, String>(0),
            )?
            .filter_map(|y| y.ok()?.parse().ok())
            .collect();
        let mut out = Vec::new();
        for y in years {
            out.extend(voided_in(&self.conn, y)?);
        }
        Ok(out)
    }

    /// Documents still carrying only a provisional number, oldest first.
    pub fn provisional_documents(&self) -> Result<Vec<ProvisionalDocument>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, register, series, year, provisional_number FROM documents
             WHERE provisional_number IS NOT NULL AND number IS NULL ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ProvisionalDocument {
                    document_id: r.get(0)?,
                    register: r.get(1)?,
                    series: r.get(2)?,
                    year: r.get(3)?,
                    provisional: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
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
                let n = allocate(&tx, o.register, o.series, o.year).unwrap().final_number().unwrap();
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
