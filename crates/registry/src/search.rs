//! Full-text search (FTS5) over folded text, with filters and keyset pagination.
//!
//! Indexed columns: notation, subject, sender (incoming: the issuing agency; outgoing: the
//! recipients), signer, body (document text). Both the indexed text and the query pass
//! through [`vanthu_domain::text::fold`] (NFC/NFD-blind, lower case, no diacritics, đ → d), so
//! "quyet dinh", "QUYẾT ĐỊNH" and a decomposed "Quyết định" are the same query. Results are
//! ranked in windows of recent matches: the newest [`RECENT_WINDOW`] matches by `vanthu_rank`
//! (rank.rs: bm25 without IDF; column weights notation 8, subject 4, sender 2, signer 2, body 1),
//! then the next older window, so a search costs about the same in a register of 10k or 1M
//! documents (docs/decisions.md).
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use vanthu_domain::text::fold;
use vanthu_domain::{DocumentState, DocumentType, Secrecy, Urgency};

use crate::register::{incoming_state_at, outgoing_state_at, Register};
use crate::sort::{CursorValue, Sort, SortCursor};
use crate::{agencies, Error, Registry, Result, WriteCtx};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 1000;
/// Matches ranked together: a search ranks the newest this-many matches (`vanthu_rank`), then the next
/// older ones (docs/decisions.md, "What ranked means").
pub const RECENT_WINDOW: usize = 1000;

/// A search or listing. Empty `text` lists documents newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Words to find, accent- and case-insensitive; empty lists newest first.
    pub text: String,
    /// Only this register; `None` = both.
    pub register: Option<Register>,
    /// Register year (of the arrival date, or of the issue date).
    pub year: Option<i32>,
    /// Type name or abbreviation.
    pub doc_type: Option<String>,
    /// Issuing agency: code, transitional code or exact name.
    pub sender: Option<String>,
    /// Processing state (`registered`, `assigned`, `issued`…).
    pub state: Option<String>,
    /// Only documents of this urgency (độ khẩn).
    pub urgency: Option<Urgency>,
    /// Only documents of this secrecy (độ mật).
    pub secrecy: Option<Secrecy>,
    /// Handler (đơn vị, người xử lý): documents whose handler contains this text.
    #[serde(default)]
    pub handler: Option<String>,
    /// Inclusive range on the register date (ngày đến, or ngày ban hành).
    pub date_from: Option<NaiveDate>,
    /// End of the range, inclusive.
    pub date_to: Option<NaiveDate>,
    /// Page size; 0 means [`DEFAULT_LIMIT`].
    pub limit: usize,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Order by a column instead of newest first (with text: instead of by relevance).
    #[serde(default)]
    pub sort: Option<Sort>,
}

impl SearchQuery {
    /// A first-page search for `text` with no filter.
    pub fn text(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            ..Default::default()
        }
    }
}

/// One document of a search page, with what the result list shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The register id of the document.
    pub id: i64,
    /// The register it is in.
    pub register: Register,
    /// Số đến (incoming only).
    pub arrival_number: Option<u32>,
    /// Register number (số đến or số văn bản đi).
    pub number: Option<u32>,
    /// The register year the number belongs to.
    pub year: Option<i32>,
    /// Số, ký hiệu of the document.
    pub notation: String,
    /// Trích yếu: what the document is about.
    pub subject: String,
    /// Issuing agency name (incoming).
    pub sender: Option<String>,
    /// Agency code of the issuing agency (incoming).
    pub sender_code: Option<String>,
    /// Ngày tháng văn bản.
    pub date: Option<NaiveDate>,
    /// Ngày đến (incoming only).
    pub arrival_date: Option<NaiveDate>,
    /// Name of the document type (loại văn bản).
    pub doc_type: String,
    /// Who signed the document.
    pub signer: Option<String>,
    /// Độ khẩn.
    pub urgency: Urgency,
    /// Độ mật.
    pub secrecy: Secrecy,
    /// Where the document is in its processing.
    pub state: DocumentState,
    /// The state's Vietnamese label, as shown in the list.
    pub state_label: String,
    /// The register date the listing order uses (ngày đến, or ngày ban hành).
    #[serde(skip)]
    pub sort_date: String,
    /// Số tạm while the document waits for its final number (docs/sync.md).
    pub provisional_number: Option<String>,
    /// A recall/update/replace from the sender awaiting the clerk (docs/sync.md).
    pub pending_action: Option<String>,
    /// Hạn xử lý.
    pub deadline: Option<NaiveDate>,
}

impl SearchHit {
    /// The register number as a clerk reads it: "M11" in the secret series (its own
    /// numbering, NĐ 30), "Số tạm T-VT1-3" while a provisional number waits, "—" without one.
    pub fn number_label(&self) -> String {
        match (
            self.number,
            self.secrecy.is_secret(),
            &self.provisional_number,
        ) {
            (Some(n), true, _) => format!("M{n}"),
            (Some(n), false, _) => n.to_string(),
            (None, _, Some(p)) => format!("Số tạm {p}"),
            (None, _, None) => "—".into(),
        }
    }
}

fn map_hit(r: &rusqlite::Row<'_>) -> Result<SearchHit> {
    let register = if r.get::<_, String>(1)? == "outgoing" {
        Register::Outgoing
    } else {
        Register::Incoming
    };
    let number: Option<u32> = r.get(2)?;
    let state = match register {
        Register::Incoming => DocumentState::Incoming(incoming_state_at(r, 14)?),
        Register::Outgoing => DocumentState::Outgoing(outgoing_state_at(r, 14)?),
    };
    Ok(SearchHit {
        id: r.get(0)?,
        register,
        arrival_number: (register == Register::Incoming).then_some(number).flatten(),
        number,
        year: r.get(3)?,
        notation: r.get(4)?,
        subject: r.get(5)?,
        sender: r.get(6)?,
        sender_code: r.get(7)?,
        date: date(r.get(8)?),
        arrival_date: date(r.get(9)?),
        doc_type: r.get(10)?,
        signer: r.get(11)?,
        urgency: r.get::<_, String>(12)?.parse().unwrap_or_default(),
        secrecy: r.get::<_, String>(13)?.parse().unwrap_or_default(),
        state_label: state.label_vi().to_string(),
        state,
        sort_date: r.get(15)?,
        provisional_number: r.get(16)?,
        pending_action: r.get(17)?,
        deadline: date(r.get(18)?),
    })
}

fn page(mut hits: Vec<SearchHit>, limit: usize) -> SearchPage {
    let more = hits.len() > limit;
    hits.truncate(limit);
    let next_cursor = if more {
        hits.last()
            .map(|h| encode_cursor(&Cursor::Date(h.sort_date.clone(), h.id)))
    } else {
        None
    };
    SearchPage { hits, next_cursor }
}

/// One page of a search or listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    /// The documents of the page, in the query's order.
    pub hits: Vec<SearchHit>,
    /// Pass back as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// One document's folded index entry.
pub(crate) struct FtsRow {
    id: i64,
    fields: [String; 5],
}

impl FtsRow {
    fn new(
        id: i64,
        notation: &str,
        subject: &str,
        sender: Option<&str>,
        signer: Option<&str>,
        body: Option<&str>,
    ) -> Self {
        FtsRow {
            id,
            fields: [
                fold(notation),
                fold(subject),
                sender.map(fold).unwrap_or_default(),
                signer.map(fold).unwrap_or_default(),
                body.map(fold).unwrap_or_default(),
            ],
        }
    }
}

/// Queues a document for the index; [`flush_index`] writes the queue just before the
/// transaction commits. Writing FTS5 rows in one run matters: FTS5 flushes its in-memory
/// segment at every statement savepoint, so rows interleaved with the other inserts of a bulk
/// import would each become a tiny segment (measured: 5× slower imports).
pub(crate) fn index_row(
    ctx: &WriteCtx<'_>,
    id: i64,
    notation: &str,
    subject: &str,
    sender: Option<&str>,
    signer: Option<&str>,
    body: Option<&str>,
) {
    ctx.fts_pending
        .borrow_mut()
        .push(FtsRow::new(id, notation, subject, sender, signer, body));
}

/// Replaces a document's index entry (queued like [`index_row`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn reindex_row(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    notation: &str,
    subject: &str,
    sender: Option<&str>,
    signer: Option<&str>,
    body: Option<&str>,
) -> Result<()> {
    {
        let mut pending = ctx.fts_pending.borrow_mut();
        // Usually the row was queued last (create-and-issue); avoid a scan then.
        if pending.last().is_some_and(|r| r.id == id) {
            pending.pop();
        } else {
            pending.retain(|r| r.id != id);
        }
    }
    tx.prepare_cached("DELETE FROM doc_fts WHERE rowid = ?1")?
        .execute([id])?;
    index_row(ctx, id, notation, subject, sender, signer, body);
    Ok(())
}

/// Writes queued index entries (called by `Registry::write` before commit, and by the
/// migration that back-fills the index).
pub(crate) fn flush_index(tx: &Transaction<'_>, rows: Vec<FtsRow>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO doc_fts (rowid, notation, subject, sender, signer, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for r in rows {
        let [a, b, c, d, e] = &r.fields;
        stmt.execute(params![r.id, a, b, c, d, e])?;
    }
    Ok(())
}

/// FTS5's in-memory segment size while a bulk import writes its rows (FTS5's default is
/// 1 MiB): fewer, larger level-0 segments leave FTS5 less merging to do (measured on a
/// 1M-row import, bench/RESULTS.md "CSV import, session 9": the index flush went from 6.7 s to
/// 3.9 s).
const BULK_HASHSIZE: i64 = 64 * 1024 * 1024;
const DEFAULT_HASHSIZE: i64 = 1024 * 1024;

/// Rows from which [`flush_index_bulk`] raises the segment size.
const BULK_ROWS: usize = 10_000;

/// [`flush_index`] for many rows: FTS5 keeps up to [`BULK_HASHSIZE`] of pending terms in
/// memory meanwhile, then gets its previous setting back (in the same transaction).
pub(crate) fn flush_index_bulk(tx: &Transaction<'_>, rows: Vec<FtsRow>) -> Result<()> {
    if rows.len() < BULK_ROWS {
        return flush_index(tx, rows);
    }
    let previous: Option<i64> = tx
        .query_row(
            "SELECT v FROM doc_fts_config WHERE k = 'hashsize'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let set = |n: i64| {
        tx.execute(
            "INSERT INTO doc_fts (doc_fts, rank) VALUES ('hashsize', ?1)",
            [n],
        )
    };
    set(BULK_HASHSIZE)?;
    flush_index(tx, rows)?;
    set(previous.unwrap_or(DEFAULT_HASHSIZE))?;
    Ok(())
}

/// Index entry for the schema back-fill.
pub(crate) fn fts_row(
    id: i64,
    notation: &str,
    subject: &str,
    sender: Option<&str>,
    signer: Option<&str>,
    body: Option<&str>,
) -> FtsRow {
    FtsRow::new(id, notation, subject, sender, signer, body)
}

/// The FTS5 MATCH expression for user text: every word must occur (AND), each word quoted
/// so FTS5 syntax characters in user input are inert. A trailing `*` makes the last word a
/// prefix. `None` when the text has no word at all.
pub fn match_expression(text: &str) -> Option<String> {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let prefix = text.trim_end().ends_with('*');
    let last = words.len() - 1;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if prefix && i == last {
                    format!("\"{w}\"*")
                } else {
                    format!("\"{w}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

enum Cursor {
    /// Ranking window (`floor ..= ceil` in rowid, `ceil` absent for the newest window), then
    /// score and id of the last row of a search page.
    Score {
        ceil: Option<i64>,
        floor: i64,
        score: f64,
        id: i64,
    },
    /// Register date and id of the last row of a listing.
    Date(String, i64),
}

fn encode_cursor(c: &Cursor) -> String {
    let raw = match c {
        Cursor::Score {
            ceil,
            floor,
            score,
            id,
        } => format!(
            "w:{}:{floor}:{:016x}:{id}",
            ceil.map(|c| c.to_string()).unwrap_or_default(),
            score.to_bits()
        ),
        Cursor::Date(d, id) => format!("d:{d}:{id}"),
    };
    hex::encode(raw)
}

fn decode_cursor(s: &str) -> Result<Cursor> {
    let raw = String::from_utf8(hex::decode(s).map_err(|_| Error::BadCursor)?)
        .map_err(|_| Error::BadCursor)?;
    if let Some(rest) = raw.strip_prefix("w:") {
        let parts: Vec<&str> = rest.split(':').collect();
        let [ceil, floor, score, id] = parts[..] else {
            return Err(Error::BadCursor);
        };
        let ceil = match ceil {
            "" => None,
            c => Some(c.parse().map_err(|_| Error::BadCursor)?),
        };
        return Ok(Cursor::Score {
            ceil,
            floor: floor.parse().map_err(|_| Error::BadCursor)?,
            score: f64::from_bits(u64::from_str_radix(score, 16).map_err(|_| Error::BadCursor)?),
            id: id.parse().map_err(|_| Error::BadCursor)?,
        });
    }
    let mut parts = raw.splitn(3, ':');
    let (kind, a, b) = (parts.next(), parts.next(), parts.next());
    let id: i64 = b.and_then(|b| b.parse().ok()).ok_or(Error::BadCursor)?;
    match (kind, a) {
        (Some("d"), Some(a)) => Ok(Cursor::Date(a.to_string(), id)),
        _ => Err(Error::BadCursor),
    }
}

/// How many columns [`HIT_COLUMNS`] selects; the rank or the sort keys follow them (after a
/// NULL placeholder for the rank in sorted listings).
const HIT_COLUMN_COUNT: usize = 19;

const HIT_COLUMNS: &str = "d.id, d.register, d.number, d.year, d.notation, d.subject, d.sender_name, d.sender_code, d.document_date, d.arrival_date, d.doc_type, d.signer, d.urgency, d.secrecy, d.state, d.sort_date, d.provisional_number, d.pending_action, d.deadline";

fn sorted_sql(sort: Sort, from: &str, cond: &[String], limit_param: usize) -> String {
    format!(
        "SELECT {HIT_COLUMNS}, NULL, {} FROM {from} WHERE {} ORDER BY {} LIMIT ?{limit_param}",
        sort.key.exprs().join(", "),
        if cond.is_empty() {
            "1".to_string()
        } else {
            cond.join(" AND ")
        },
        sort.order_by(),
    )
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

impl Registry {
    /// Searches (or, with empty text, lists) the registers. See the module docs.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchPage> {
        let limit = match q.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let mut sql_where: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        fn arg(v: Value, args: &mut Vec<Value>) -> String {
            args.push(v);
            format!("?{}", args.len())
        }
        let matcher = match_expression(&q.text);
        if let Some(m) = &matcher {
            let p = arg(Value::Text(m.clone()), &mut args);
            sql_where.push(format!("doc_fts MATCH {p}"));
        }
        if let Some(r) = q.register {
            let p = arg(Value::Text(r.as_str().into()), &mut args);
            sql_where.push(format!("d.register = {p}"));
        }
        if let Some(y) = q.year {
            let p = arg(Value::Integer(y.into()), &mut args);
            sql_where.push(format!("d.year = {p}"));
        }
        if let Some(t) = q.doc_type.as_deref().filter(|t| !t.trim().is_empty()) {
            let ty = DocumentType::resolve(t).ok_or_else(|| Error::UnknownType(t.to_string()))?;
            let p = arg(Value::Text(ty.name.clone()), &mut args);
            sql_where.push(format!("d.doc_type = {p}"));
        }
        if let Some(s) = q.sender.as_deref().filter(|s| !s.trim().is_empty()) {
            let a = agencies::resolve(&self.conn, s)?;
            let p = arg(Value::Text(a.code), &mut args);
            sql_where.push(format!("d.sender_code = {p}"));
        }
        if let Some(s) = q.state.as_deref().filter(|s| !s.trim().is_empty()) {
            let p = arg(Value::Text(s.trim().to_string()), &mut args);
            sql_where.push(format!("d.state = {p}"));
        }
        if let Some(u) = q.urgency {
            let p = arg(Value::Text(u.as_str().into()), &mut args);
            sql_where.push(format!("d.urgency = {p}"));
        }
        if let Some(s) = q.secrecy {
            let p = arg(Value::Text(s.as_str().into()), &mut args);
            sql_where.push(format!("d.secrecy = {p}"));
        }
        if let Some(h) = q
            .handler
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            let p = arg(Value::Text(vanthu_domain::text::nfc(h)), &mut args);
            sql_where.push(format!("instr(d.handler, {p}) > 0"));
        }
        if let Some(d) = q.date_from {
            let p = arg(Value::Text(d.to_string()), &mut args);
            sql_where.push(format!("d.sort_date >= {p}"));
        }
        if let Some(d) = q.date_to {
            let p = arg(Value::Text(d.to_string()), &mut args);
            sql_where.push(format!("d.sort_date <= {p}"));
        }
        if let Some(sort) = q.sort {
            let from = if matcher.is_some() {
                "doc_fts f JOIN documents d ON d.id = f.rowid"
            } else {
                "documents d"
            };
            return self.sorted(sort, from, sql_where, args, q.cursor.as_deref(), limit);
        }
        let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
        let w = |sql_where: &[String]| {
            if sql_where.is_empty() {
                "1".to_string()
            } else {
                sql_where.join(" AND ")
            }
        };
        if matcher.is_none() {
            if let Some(c) = cursor {
                let Cursor::Date(s, id) = c else {
                    return Err(Error::BadCursor);
                };
                let ps = arg(Value::Text(s), &mut args);
                let pi = arg(Value::Integer(id), &mut args);
                sql_where.push(format!(
                    "(d.sort_date < {ps} OR (d.sort_date = {ps} AND d.id < {pi}))"
                ));
            }
            let pl = arg(Value::Integer(limit as i64 + 1), &mut args);
            let sql = format!(
                "SELECT {HIT_COLUMNS}, NULL FROM documents d WHERE {}
                 ORDER BY d.sort_date DESC, d.id DESC LIMIT {pl}",
                w(&sql_where)
            );
            let hits = self.hits(&sql, &args)?;
            return Ok(page(hits, limit));
        }
        // Ranked search over windows of recent matches (see the module docs): the newest
        // `search_window` matches, best `vanthu_rank` first; when a window is used up, the next older
        // window. The cursor carries the window, so later pages rank the same set.
        let (mut ceil, mut floor, mut after) = match cursor {
            Some(Cursor::Score {
                ceil,
                floor,
                score,
                id,
            }) => (ceil, Some(floor), Some((score, id))),
            Some(Cursor::Date(..)) => return Err(Error::BadCursor),
            None => (None, None, None),
        };
        if floor.is_none() {
            floor = self.window_floor(&sql_where, &args, ceil)?;
        }
        let mut hits: Vec<SearchHit> = Vec::with_capacity(limit + 1);
        let mut last = None;
        while let Some(lo) = floor {
            let mut a = args.clone();
            let mut cond = sql_where.clone();
            let p = arg(Value::Integer(lo), &mut a);
            cond.push(format!("f.rowid >= {p}"));
            if let Some(hi) = ceil {
                let p = arg(Value::Integer(hi), &mut a);
                cond.push(format!("f.rowid <= {p}"));
            }
            // A first page has a known row count; a later one reads the window up to the cursor.
            let want = if after.is_none() {
                (limit + 1 - hits.len()) as i64
            } else {
                -1
            };
            let pl = arg(Value::Integer(want), &mut a);
            // The rank function in ORDER BY (rather than FTS5's `rank` sorter) scores only the
            // window's rows;
            // newer first among equal scores makes the order total, so the cursor is a plain
            // keyset (score, id).
            let sql = format!(
                "SELECT {HIT_COLUMNS}, vanthu_rank(doc_fts) AS score
                   FROM doc_fts f JOIN documents d ON d.id = f.rowid
                  WHERE {} ORDER BY score, d.id DESC LIMIT {pl}",
                cond.join(" AND ")
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(params_from_iter(a.iter()))?;
            while let Some(r) = rows.next()? {
                let score: f64 = r.get(HIT_COLUMN_COUNT)?;
                if let Some((s, last_id)) = after {
                    let id: i64 = r.get(0)?;
                    if score < s || (score == s && id >= last_id) {
                        continue;
                    }
                }
                hits.push(map_hit(r)?);
                if hits.len() > limit {
                    break;
                }
                last = Some((ceil, lo, score));
            }
            if hits.len() > limit {
                break;
            }
            // This window is used up: continue with the older matches.
            after = None;
            ceil = Some(lo - 1);
            floor = self.window_floor(&sql_where, &args, ceil)?;
        }
        let more = hits.len() > limit;
        hits.truncate(limit);
        let next_cursor = match (more, last, hits.last()) {
            (true, Some((ceil, floor, score)), Some(h)) => Some(encode_cursor(&Cursor::Score {
                ceil,
                floor,
                score,
                id: h.id,
            })),
            _ => None,
        };
        Ok(SearchPage { hits, next_cursor })
    }

    /// The lowest rowid of the `search_window` newest matches at or below `ceil`; `None` when
    /// nothing matches there. FTS5 delivers matches in rowid order, so this reads only the window.
    fn window_floor(
        &self,
        sql_where: &[String],
        args: &[Value],
        ceil: Option<i64>,
    ) -> Result<Option<i64>> {
        let mut a = args.to_vec();
        let mut cond = sql_where.to_vec();
        if let Some(hi) = ceil {
            a.push(Value::Integer(hi));
            cond.push(format!("f.rowid <= ?{}", a.len()));
        }
        a.push(Value::Integer(self.search_window as i64));
        let pk = a.len();
        // Join the documents only when a filter needs them.
        let join = if cond.iter().any(|c| c.contains("d.")) {
            "JOIN documents d ON d.id = f.rowid"
        } else {
            ""
        };
        let sql = format!(
            "SELECT min(id) FROM (SELECT f.rowid AS id FROM doc_fts f {join}
             WHERE {} ORDER BY f.rowid DESC LIMIT ?{pk})",
            cond.join(" AND ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_row(params_from_iter(a.iter()), |r| r.get(0))?)
    }

    /// A page in a column order (see sort.rs), keyset-paged on (key, id).
    fn sorted(
        &self,
        sort: Sort,
        from: &str,
        mut cond: Vec<String>,
        mut args: Vec<Value>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<SearchPage> {
        if let Some(c) = cursor {
            let c = SortCursor::decode(c).ok_or(Error::BadCursor)??;
            let (sql, values) = sort.after(&c, args.len() + 1)?;
            cond.push(sql);
            args.extend(values);
        }
        args.push(Value::Integer(limit as i64 + 1));
        let keys = sort.key.exprs();
        let sql = sorted_sql(sort, from, &cond, args.len());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut hits = Vec::with_capacity(limit + 1);
        let mut last_key = Vec::new();
        while let Some(r) = rows.next()? {
            hits.push(map_hit(r)?);
            if hits.len() == limit {
                last_key = (0..keys.len())
                    .map(|i| CursorValue::from_sql(r.get::<_, Value>(HIT_COLUMN_COUNT + 1 + i)?))
                    .collect::<Result<_>>()?;
            }
        }
        let more = hits.len() > limit;
        hits.truncate(limit);
        let next_cursor = match hits.last() {
            Some(h) if more => Some(
                SortCursor {
                    key: sort.key,
                    descending: sort.descending,
                    values: last_key,
                    id: h.id,
                }
                .encode(),
            ),
            _ => None,
        };
        Ok(SearchPage { hits, next_cursor })
    }

    /// The query plan of the first page of a sorted listing of `register` (tests: the fast
    /// orders must read an index instead of sorting the register).
    #[doc(hidden)]
    pub fn explain_sorted(&self, register: Register, sort: Sort) -> Result<String> {
        let sql = sorted_sql(sort, "documents d", &["d.register = ?1".to_string()], 2);
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt.query_map(params![register.as_str(), 51], |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("; "))
    }

    /// Shrinks the ranking window (tests: windows of a few documents instead of thousands).
    #[doc(hidden)]
    pub fn set_search_window(&mut self, n: usize) {
        self.search_window = n.max(1);
    }

    fn hits(&self, sql: &str, args: &[Value]) -> Result<Vec<SearchHit>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut hits = Vec::new();
        while let Some(r) = rows.next()? {
            hits.push(map_hit(r)?);
        }
        Ok(hits)
    }

    /// The text a document is searched by besides its register fields (its PDFs' text), as
    /// stored; `None` when it has none.
    pub fn body_text(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT body_text FROM documents WHERE id = ?1")?
            .query_row([id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// A listing: the same as a search without text.
    pub fn list(&self, q: &SearchQuery) -> Result<SearchPage> {
        let mut q = q.clone();
        q.text.clear();
        self.search(&q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expression_folds_and_quotes() {
        assert_eq!(
            match_expression("QUYẾT ĐỊNH").as_deref(),
            Some("\"quyet\" \"dinh\"")
        );
        assert_eq!(
            match_expression("quyet dinh").as_deref(),
            Some("\"quyet\" \"dinh\"")
        );
        assert_eq!(
            match_expression("986/UBND-HCTC").as_deref(),
            Some("\"986\" \"ubnd\" \"hctc\"")
        );
        assert_eq!(
            match_expression("đề án*").as_deref(),
            Some("\"de\" \"an\"*")
        );
        assert_eq!(match_expression("\"(*) - :").as_deref(), None);
        assert_eq!(
            match_expression("a NEAR b").as_deref(),
            Some("\"a\" \"near\" \"b\"")
        );
    }

    #[test]
    fn cursor_round_trips() {
        for ceil in [None, Some(99)] {
            let c = encode_cursor(&Cursor::Score {
                ceil,
                floor: 7,
                score: -3.25,
                id: 42,
            });
            assert!(matches!(decode_cursor(&c).unwrap(),
                Cursor::Score { ceil: c, floor: 7, score, id: 42 } if score == -3.25 && c == ceil));
        }
        let c = encode_cursor(&Cursor::Date("2024-01-02".into(), 7));
        assert!(matches!(decode_cursor(&c).unwrap(), Cursor::Date(d, 7) if d == "2024-01-02"));
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor(&hex::encode("x:1:2")).is_err());
    }
}

#[cfg(test)]
mod hit_columns_tests {
    use super::*;

    #[test]
    fn the_column_count_matches_the_column_list() {
        assert_eq!(HIT_COLUMNS.split(',').count(), HIT_COLUMN_COUNT);
    }
}
