//! CSV export of the registers and bulk import (migrating a unit's Excel/CSV registers).
//!
//! The export writes the register's Vietnamese column headings (NĐ 30/2020 Phụ lục IV, plus
//! the columns vanthu adds); the import accepts those headings or the English keys
//! (`arrival_date, sender, notation, date, type, subject, signer, urgency, secrecy, deadline,
//! notes`, …). An import is one transaction: the first bad row aborts it with its line
//! number and nothing of the file is committed.
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use vanthu_domain::text::{fold, nfc};

use crate::documents::{
    incoming_audit_detail, incoming_fts_row, incoming_sender_name, insert_incoming,
    insert_incoming_row, insert_outgoing, require_unit, validate_incoming, validate_outgoing,
    InsertedIncoming, NewIncoming, NewOutgoing, Register, Series, ValidIncoming,
};
use crate::numbering::BulkNumbers;
use crate::{agencies, audit, bulk, search, Agency, Error, Registry, Result};

/// Column keys and their Vietnamese headings, in export order.
pub const INCOMING_COLUMNS: &[(&str, &str)] = &[
    ("arrival_date", "Ngày đến"),
    ("arrival_number", "Số đến"),
    ("sender", "Tác giả"),
    ("sender_code", "Mã định danh cơ quan gửi"),
    ("notation", "Số, ký hiệu văn bản"),
    ("date", "Ngày tháng văn bản"),
    ("type", "Tên loại văn bản"),
    ("subject", "Trích yếu nội dung"),
    ("signer", "Người ký"),
    ("urgency", "Độ khẩn"),
    ("secrecy", "Độ mật"),
    ("deadline", "Hạn giải quyết"),
    ("handler", "Đơn vị hoặc người nhận"),
    ("notes", "Ghi chú"),
];

/// Column keys and Vietnamese headings of the outgoing register, in export order.
pub const OUTGOING_COLUMNS: &[(&str, &str)] = &[
    ("notation", "Số, ký hiệu văn bản"),
    ("date", "Ngày tháng văn bản"),
    ("type", "Tên loại văn bản"),
    ("subject", "Trích yếu nội dung"),
    ("signer", "Người ký"),
    ("recipients", "Nơi nhận văn bản"),
    ("archive_copy_holder", "Đơn vị, người nhận bản lưu"),
    ("copies", "Số lượng bản"),
    ("drafting_unit", "Đơn vị soạn thảo"),
    ("urgency", "Độ khẩn"),
    ("secrecy", "Độ mật"),
    ("deadline", "Hạn trả lời"),
    ("notes", "Ghi chú"),
];

/// Extra keys accepted on import only: attachment paths (relative to the CSV file),
/// separated by `;`.
const FILE_KEYS: &[(&str, &str)] = &[("files", "Tệp đính kèm")];

/// What a CSV import entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// The register the rows went into.
    pub register: Register,
    /// How many documents were entered.
    pub imported: u64,
    /// Their register ids, in file order.
    pub ids: Vec<i64>,
}

/// Dates as a clerk writes them: `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`) or ISO.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    for fmt in ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Ok(d);
        }
    }
    Err(Error::invalid(format!(
        "ngày không hợp lệ / invalid date {s:?} (dd/mm/yyyy or yyyy-mm-dd)"
    )))
}

fn vi_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn header_map(headers: &csv::StringRecord, columns: &[(&str, &str)]) -> Result<Vec<&'static str>> {
    let mut keys = Vec::new();
    for h in headers {
        let h = nfc(h.trim().trim_start_matches('\u{feff}'));
        let f = fold(&h);
        let key = columns
            .iter()
            .chain(FILE_KEYS)
            .chain(&[("sender", "Nơi gửi"), ("sender", "Cơ quan ban hành")])
            .find(|(k, vi)| *k == h || fold(vi) == f || fold(k) == f)
            .map(|(k, _)| *k);
        match key {
            Some(k) => keys.push(static_key(k)),
            None if h.is_empty() => keys.push(""),
            None => {
                return Err(Error::ImportRow {
                    line: 1,
                    message: format!("cột không xác định / unknown column {h:?}"),
                })
            }
        }
    }
    Ok(keys)
}

fn static_key(k: &str) -> &'static str {
    INCOMING_COLUMNS
        .iter()
        .chain(OUTGOING_COLUMNS)
        .chain(FILE_KEYS)
        .find(|(key, _)| *key == k)
        .map(|(key, _)| *key)
        .unwrap_or("")
}

struct Row {
    fields: HashMap<&'static str, String>,
}

impl Row {
    fn get(&self, k: &str) -> Option<&str> {
        self.fields
            .get(k)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
    fn required(&self, k: &str) -> Result<&str> {
        self.get(k)
            .ok_or_else(|| Error::invalid(format!("thiếu {k} / missing {k}")))
    }
    fn date(&self, k: &str) -> Result<Option<NaiveDate>> {
        self.get(k).map(parse_date).transpose()
    }
    fn files(&self, base: &Path) -> Vec<PathBuf> {
        self.get("files")
            .map(|s| {
                s.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|p| base.join(p))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The records of a CSV file with their line numbers (blank rows skipped) and the column
/// keys of its header.
type Records = (Vec<&'static str>, Vec<(u64, csv::StringRecord)>);

fn read_records(input: impl Read, columns: &[(&str, &str)]) -> Result<Records> {
    let (keys, mut rdr) = open_reader(input, columns)?;
    let mut records = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(&mut rdr, &mut rec)? {
        records.push((line, std::mem::take(&mut rec)));
    }
    Ok((keys, records))
}

/// A CSV reader past the header, and the column keys of the header.
fn open_reader<R: Read>(
    input: R,
    columns: &[(&str, &str)],
) -> Result<(Vec<&'static str>, csv::Reader<R>)> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = rdr.headers().map_err(|e| row_err(1, e.into()))?.clone();
    let keys = header_map(&headers, columns)?;
    Ok((keys, rdr))
}

/// Reads the next record that is not blank into `rec`; its line, `None` at the end.
fn next_record<R: Read>(
    rdr: &mut csv::Reader<R>,
    rec: &mut csv::StringRecord,
) -> Result<Option<u64>> {
    loop {
        let more = rdr.read_record(rec).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            row_err(line, e.into())
        })?;
        if !more {
            return Ok(None);
        }
        if !rec.iter().all(|f| f.trim().is_empty()) {
            return Ok(Some(rec.position().map(|p| p.line()).unwrap_or(0)));
        }
    }
}

fn to_row(keys: &[&'static str], rec: &csv::StringRecord) -> Row {
    let fields = keys
        .iter()
        .zip(rec.iter())
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (*k, nfc(v)))
        .collect();
    Row { fields }
}

/// The rows of a CSV file as `T`s (converted on the machine's cores), with their lines.
fn read_items<T: Send>(
    input: impl Read,
    columns: &[(&str, &str)],
    convert: impl Fn(&Row) -> Result<T> + Sync,
) -> Result<Vec<(u64, T)>> {
    let (keys, records) = read_records(input, columns)?;
    bulk::par_map(&records, bulk::worker_threads(), |(line, rec)| {
        let row = to_row(&keys, rec);
        Ok((*line, convert(&row).map_err(|e| row_err(*line, e))?))
    })
}

fn row_err(line: u64, e: Error) -> Error {
    match e {
        Error::ImportRow { .. } => e,
        other => Error::ImportRow {
            line,
            message: other.to_string(),
        },
    }
}

fn incoming_from_row(row: &Row, base: &Path) -> Result<NewIncoming> {
    Ok(NewIncoming {
        sender: row
            .get("sender_code")
            .or_else(|| row.get("sender"))
            .ok_or_else(|| Error::invalid("thiếu tác giả / missing sender"))?
            .to_string(),
        notation: row.required("notation")?.to_string(),
        document_date: row
            .date("date")?
            .ok_or_else(|| Error::invalid("thiếu ngày văn bản / missing date"))?,
        arrival_date: row.date("arrival_date")?,
        doc_type: row.required("type")?.to_string(),
        subject: row.required("subject")?.to_string(),
        signer: row.get("signer").map(str::to_string),
        urgency: row.get("urgency").unwrap_or("").parse()?,
        secrecy: row.get("secrecy").unwrap_or("").parse()?,
        deadline: row.date("deadline")?,
        handler: row.get("handler").map(str::to_string),
        notes: row.get("notes").map(str::to_string),
        files: row.files(base),
        expected_number: row
            .get("arrival_number")
            .map(|n| {
                n.parse::<u32>().map_err(|_| {
                    Error::invalid(format!(
                        "số đến không hợp lệ / invalid arrival number {n:?}"
                    ))
                })
            })
            .transpose()?,
        ..Default::default()
    })
}

fn outgoing_from_row(row: &Row, base: &Path) -> Result<NewOutgoing> {
    Ok(NewOutgoing {
        notation: row.required("notation")?.to_string(),
        issue_date: Some(
            row.date("date")?
                .ok_or_else(|| Error::invalid("thiếu ngày văn bản / missing date"))?,
        ),
        doc_type: row.required("type")?.to_string(),
        subject: row.required("subject")?.to_string(),
        signer: row.get("signer").map(str::to_string),
        recipients: row
            .get("recipients")
            .map(|s| s.split([';', '\n']).map(|r| r.trim().to_string()).collect())
            .unwrap_or_default(),
        archive_copy_holder: row.get("archive_copy_holder").map(str::to_string),
        copies: row
            .get("copies")
            .map(|n| {
                n.parse::<u32>().map_err(|_| {
                    Error::invalid(format!("số lượng bản không hợp lệ / invalid copies {n:?}"))
                })
            })
            .transpose()?,
        drafting_unit: row.get("drafting_unit").map(str::to_string),
        urgency: row.get("urgency").unwrap_or("").parse()?,
        secrecy: row.get("secrecy").unwrap_or("").parse()?,
        deadline: row.date("deadline")?,
        notes: row.get("notes").map(str::to_string),
        files: row.files(base),
        ..Default::default()
    })
}

fn open_csv(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, e))?;
    let bytes = bytes
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(&bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        return Err(Error::ImportRow {
            line,
            message: "tệp không phải UTF-8 / file is not UTF-8 (save it as CSV UTF-8)".into(),
        });
    }
    Ok(bytes)
}

/// Rows passed between the threads of a bulk import at a time.
const BATCH: usize = 512;

/// Validated rows (with their line numbers) as a bulk import's producer hands them over; an
/// error (already tagged with its line) ends the import.
type RowBatch = Result<Vec<(u64, ValidIncoming)>>;

/// The transaction of a bulk incoming import without attachments, on three threads:
///
/// * `produce` (its own thread) sends the validated rows, in order — for a CSV file it parses
///   and validates them while the register is written;
/// * this thread writes each row's `documents` row (number, status event), then re-creates
///   the indexes dropped for the import, then writes the search-index rows and the audit
///   entries, each in one run;
/// * a helper thread folds each written row's search text and hashes its audit entry (in
///   register order, so the chain reads as if written row by row), overlapping the writes
///   and the index rebuild.
///
/// One audit entry per document, as for a document registered alone. The first bad row (in
/// file order) aborts the import with its line number; the caller's transaction then rolls
/// everything back, dropped indexes included.
fn import_incoming_rows(
    tx: &rusqlite::Transaction<'_>,
    ctx: &crate::WriteCtx<'_>,
    expected_rows: usize,
    produce: impl FnOnce(&SyncSender<RowBatch>) + Send,
) -> Result<Vec<i64>> {
    require_unit(tx)?;
    let deferred = bulk::DeferredIndexes::maybe_drop(tx, expected_rows)?;
    let chain = audit::Chain::read(tx)?;
    let mut numbers = BulkNumbers::default();
    let (now, user) = (ctx.now.as_str(), ctx.user);
    let (ids, chain, fts, entries) = std::thread::scope(|s| {
        let (rows_send, rows) = std::sync::mpsc::sync_channel::<RowBatch>(16);
        s.spawn(move || produce(&rows_send));
        let (written_send, written_rows) = std::sync::mpsc::sync_channel::<
            Vec<(ValidIncoming, InsertedIncoming, Arc<Agency>)>,
        >(64);
        let helper = s.spawn(move || {
            let mut chain = chain;
            let mut fts = Vec::with_capacity(expected_rows);
            let mut entries = Vec::with_capacity(expected_rows);
            for batch in written_rows {
                for (v, row, sender) in batch {
                    let name = incoming_sender_name(&v, &sender);
                    fts.push(incoming_fts_row(&v, &name, row.id));
                    let detail = incoming_audit_detail(&v, &sender, &name, &row);
                    entries.push(chain.next(
                        now,
                        user,
                        row.action(),
                        "document",
                        row.id.to_string(),
                        detail,
                    ));
                }
            }
            (chain, fts, entries)
        });
        let written = (|| -> Result<Vec<i64>> {
            let mut cache: HashMap<String, Arc<Agency>> = HashMap::new();
            let mut ids = Vec::with_capacity(expected_rows);
            for batch in rows.iter() {
                let batch = batch?;
                let mut out = Vec::with_capacity(batch.len());
                for (line, v) in batch {
                    let (row, sender) = (|| -> Result<_> {
                        let sender = match cache.get(&v.sender) {
                            Some(a) => a.clone(),
                            None => {
                                let a = Arc::new(agencies::resolve(tx, &v.sender)?);
                                cache.insert(v.sender.clone(), a.clone());
                                a
                            }
                        };
                        let year = v.arrival_date().year();
                        let series = Series::for_secrecy(v.secrecy());
                        let a = numbers.allocate(tx, Register::Incoming, series, year)?;
                        let row = insert_incoming_row(tx, ctx, &v, &sender, Some((year, a)))?;
                        Ok((row, sender))
                    })()
                    .map_err(|e| row_err(line, e))?;
                    ids.push(row.id);
                    out.push((v, row, sender));
                }
                if written_send.send(out).is_err() {
                    break; // the helper panicked: its join below says why
                }
            }
            Ok(ids)
        })();
        // A producer still sending (after an error) stops once its receiver is gone; the
        // helper's loop ends with its sender.
        drop(rows);
        drop(written_send);
        let restored = match (&written, deferred) {
            (Ok(_), Some(d)) => d.restore(tx),
            _ => Ok(()),
        };
        let done = helper
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        let ids = written?;
        restored?;
        Ok::<_, Error>((ids, done.0, done.1, done.2))
    })?;
    numbers.finish(tx)?;
    search::flush_index_bulk(tx, fts)?;
    chain.insert(tx, ctx, entries)?;
    Ok(ids)
}

impl Registry {
    /// Imports an incoming-register CSV file; all rows or none.
    pub fn import_incoming_csv(&mut self, path: &Path) -> Result<ImportSummary> {
        let bytes = open_csv(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let (keys, mut rdr) = open_reader(bytes.as_slice(), INCOMING_COLUMNS)?;
        if keys.contains(&"files") {
            // Attachments are stored before the transaction: every row first.
            let mut records = Vec::new();
            let mut rec = csv::StringRecord::new();
            while let Some(line) = next_record(&mut rdr, &mut rec)? {
                records.push((line, std::mem::take(&mut rec)));
            }
            let items = bulk::par_map(&records, bulk::worker_threads(), |(line, rec)| {
                let n = incoming_from_row(&to_row(&keys, rec), base);
                Ok((*line, n.map_err(|e| row_err(*line, e))?))
            })?;
            return self.import_incoming(items);
        }
        // No attachments: rows are read, parsed and validated while the register is written.
        // Lines bound the rows (a quoted field may hold a line break; blank lines are skipped).
        let lines = bytes.iter().filter(|b| **b == b'\n').count();
        let ids = self.write(|tx, ctx| {
            import_incoming_rows(tx, ctx, lines, move |send| {
                let mut batch = Vec::with_capacity(BATCH);
                let mut rec = csv::StringRecord::new();
                loop {
                    let row = next_record(&mut rdr, &mut rec).and_then(|line| {
                        line.map(|line| {
                            incoming_from_row(&to_row(&keys, &rec), base)
                                .and_then(|n| validate_incoming(&n))
                                .map(|v| (line, v))
                                .map_err(|e| row_err(line, e))
                        })
                        .transpose()
                    });
                    match row {
                        Ok(Some(row)) => batch.push(row),
                        Ok(None) => {
                            let _ = send.send(Ok(batch));
                            return;
                        }
                        Err(e) => {
                            // The rows before the bad one first: one of them may fail earlier.
                            if send.send(Ok(std::mem::take(&mut batch))).is_ok() {
                                let _ = send.send(Err(e));
                            }
                            return;
                        }
                    }
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if send.send(Ok(full)).is_err() {
                            return;
                        }
                    }
                }
            })
        })?;
        Ok(ImportSummary {
            register: Register::Incoming,
            imported: ids.len() as u64,
            ids,
        })
    }

    /// Imports an outgoing-register CSV file (rows are issued documents); all rows or none.
    pub fn import_outgoing_csv(&mut self, path: &Path) -> Result<ImportSummary> {
        let bytes = open_csv(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let items = read_items(bytes.as_slice(), OUTGOING_COLUMNS, |r| {
            outgoing_from_row(r, base)
        })?;
        self.import_outgoing(items)
    }

    /// Registers many incoming documents in one transaction (numbered in the given order).
    /// Each item carries the line number its errors are reported with.
    pub fn import_incoming(&mut self, items: Vec<(u64, NewIncoming)>) -> Result<ImportSummary> {
        let valid = bulk::par_map(&items, bulk::worker_threads(), |(line, n)| {
            validate_incoming(n).map_err(|e| row_err(*line, e))
        })?;
        // Every file is checked before any is stored, then stored before the transaction.
        for (line, n) in &items {
            for f in &n.files {
                std::fs::metadata(f).map_err(|e| row_err(*line, Error::file(f, e)))?;
            }
        }
        let files = items
            .iter()
            .map(|(line, n)| self.prepare_files(&n.files).map_err(|e| row_err(*line, e)))
            .collect::<Result<Vec<_>>>()?;
        let lines: Vec<u64> = items.iter().map(|(line, _)| *line).collect();
        drop(items);
        let ids = if files.iter().all(Vec::is_empty) {
            let mut rows = lines.iter().copied().zip(valid);
            self.write(|tx, ctx| {
                import_incoming_rows(tx, ctx, lines.len(), move |send| loop {
                    let batch: Vec<_> = rows.by_ref().take(BATCH).collect();
                    if batch.is_empty() || send.send(Ok(batch)).is_err() {
                        return;
                    }
                })
            })?
        } else {
            // Attachments add audit entries of their own between the rows': row by row.
            self.write(|tx, ctx| {
                let mut cache: HashMap<String, Agency> = HashMap::new();
                let mut ids = Vec::with_capacity(valid.len());
                for ((line, v), f) in lines.iter().zip(&valid).zip(&files) {
                    let sender = match cache.get(&v.sender) {
                        Some(a) => a.clone(),
                        None => {
                            let a =
                                agencies::resolve(tx, &v.sender).map_err(|e| row_err(*line, e))?;
                            cache.insert(v.sender.clone(), a.clone());
                            a
                        }
                    };
                    let id = insert_incoming(tx, ctx, v, &sender, f, true)
                        .map_err(|e| row_err(*line, e))?;
                    ids.push(id);
                }
                Ok(ids)
            })?
        };
        Ok(ImportSummary {
            register: Register::Incoming,
            imported: ids.len() as u64,
            ids,
        })
    }

    /// Creates (and, with an issue date, issues) many outgoing documents in one transaction.
    pub fn import_outgoing(&mut self, items: Vec<(u64, NewOutgoing)>) -> Result<ImportSummary> {
        let valid = items
            .iter()
            .map(|(line, n)| validate_outgoing(n).map_err(|e| row_err(*line, e)))
            .collect::<Result<Vec<_>>>()?;
        for (line, n) in &items {
            for f in &n.files {
                std::fs::metadata(f).map_err(|e| row_err(*line, Error::file(f, e)))?;
            }
        }
        let files = items
            .iter()
            .map(|(line, n)| self.prepare_files(&n.files).map_err(|e| row_err(*line, e)))
            .collect::<Result<Vec<_>>>()?;
        let ids = self.write(|tx, ctx| {
            let mut ids = Vec::with_capacity(valid.len());
            for (((line, _), v), f) in items.iter().zip(&valid).zip(&files) {
                ids.push(insert_outgoing(tx, ctx, v, f).map_err(|e| row_err(*line, e))?);
            }
            Ok(ids)
        })?;
        Ok(ImportSummary {
            register: Register::Outgoing,
            imported: ids.len() as u64,
            ids,
        })
    }

    /// Writes a register as CSV with Vietnamese headings (numbered entries, in register
    /// order: year, series, number). Returns the number of rows.
    pub fn export_csv(
        &self,
        register: Register,
        year: Option<i32>,
        out: impl Write,
    ) -> Result<u64> {
        let mut w = csv::Writer::from_writer(out);
        let columns = match register {
            Register::Incoming => INCOMING_COLUMNS,
            Register::Outgoing => OUTGOING_COLUMNS,
        };
        w.write_record(columns.iter().map(|(_, vi)| *vi))?;
        let mut stmt = self.conn.prepare(
            "SELECT id FROM documents WHERE register = ?1 AND number IS NOT NULL
             AND (?2 IS NULL OR year = ?2) ORDER BY year, series, number",
        )?;
        let ids: Vec<i64> = stmt
            .query_map(rusqlite::params![register.as_str(), year], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in &ids {
            let d = self.get(*id)?;
            let opt = |s: &Option<String>| s.clone().unwrap_or_default();
            let record: Vec<String> = columns
                .iter()
                .map(|(k, _)| match *k {
                    "arrival_date" => vi_date(d.arrival_date),
                    "arrival_number" => d.number.map(|n| n.to_string()).unwrap_or_default(),
                    "sender" => opt(&d.sender),
                    "sender_code" => opt(&d.sender_code),
                    "notation" => d.notation.clone(),
                    "date" => vi_date(d.document_date),
                    "type" => d.doc_type.clone(),
                    "subject" => d.subject.clone(),
                    "signer" => opt(&d.signer),
                    "urgency" => d.urgency.label_vi().to_string(),
                    "secrecy" => d.secrecy.label_vi().to_string(),
                    "deadline" => vi_date(d.deadline),
                    "handler" => opt(&d.handler),
                    "notes" => opt(&d.notes),
                    "recipients" => d
                        .recipients
                        .iter()
                        .map(|r| r.agency_code.clone().unwrap_or_else(|| r.name.clone()))
                        .collect::<Vec<_>>()
                        .join("; "),
                    "archive_copy_holder" => opt(&d.archive_copy_holder),
                    "copies" => d.copies.map(|n| n.to_string()).unwrap_or_default(),
                    "drafting_unit" => opt(&d.drafting_unit),
                    _ => String::new(),
                })
                .collect();
            w.write_record(&record)?;
        }
        w.flush()?;
        Ok(ids.len() as u64)
    }
}
