//! The incoming and outgoing registers (NĐ 30/2020 Phụ lục IV; shared/spec/registers.md).
//!
//! Both registers live in one `documents` table (views `incoming_register` and
//! `outgoing_register` show each with its own columns) so that search, attachments, events
//! and the audit log address every document by one id.
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use vanthu_domain::roles::Duty;
use vanthu_domain::text::nfc;
use vanthu_domain::{
    AgencyCode, DocumentNumber, DocumentState, DocumentType, IncomingState, OutgoingState, Secrecy,
    Urgency,
};

use crate::blobs::StoredBlob;
use crate::register::{incoming_state_at, outgoing_state_at, state_at};
pub use crate::register::{Register, Series};
use crate::{agencies, audit, numbering, search, Error, Registry, Result, WriteCtx};

/// A document to enter in the incoming register.
#[derive(Debug, Clone, Default)]
pub struct NewIncoming {
    /// Issuing agency: permanent or transitional code, or its exact name.
    pub sender: String,
    /// Số, ký hiệu as printed, e.g. `986/UBND-HCTC`.
    pub notation: String,
    /// Ngày tháng văn bản: the date printed on the document.
    pub document_date: NaiveDate,
    /// Ngày đến; today when `None`. Its year selects the numbering year.
    pub arrival_date: Option<NaiveDate>,
    /// Type name or abbreviation (`Công văn`, `QĐ`).
    pub doc_type: String,
    /// Trích yếu: what the document is about.
    pub subject: String,
    /// Người ký: who signed it, as printed.
    pub signer: Option<String>,
    /// Độ khẩn.
    pub urgency: Urgency,
    /// Độ mật; a secret document is numbered in the secret series.
    pub secrecy: Secrecy,
    /// Hạn giải quyết.
    pub deadline: Option<NaiveDate>,
    /// Đơn vị hoặc người nhận.
    pub handler: Option<String>,
    /// Ghi chú: a free note of the clerk.
    pub notes: Option<String>,
    /// Files to attach (stored in the content-addressed store).
    pub files: Vec<PathBuf>,
    /// Extracted text of the document, indexed for search.
    pub body_text: Option<String>,
    /// edXML `DocumentId` when the document came through the hub.
    pub edxml_document_id: Option<String>,
    /// When migrating an old register: the số đến it had; must be the next number.
    pub expected_number: Option<u32>,
    /// The relay (a hub account allowed to forward for others) the document came through:
    /// the register shows the sender "qua <via>" (docs/sync.md, "Who may say what").
    pub via: Option<String>,
}

/// A document to enter in the outgoing register.
#[derive(Debug, Clone, Default)]
pub struct NewOutgoing {
    /// Ký hiệu (`QĐ-UBND`, `UBND-VP`, `2024/QĐ-UBND`), or a full number (`12/QĐ-UBND`) when
    /// migrating an old register, in which case the number must be the next one.
    pub notation: String,
    /// Type name or abbreviation (`Công văn`, `QĐ`).
    pub doc_type: String,
    /// Trích yếu: what the document is about.
    pub subject: String,
    /// Người ký: who signs it.
    pub signer: Option<String>,
    /// Nơi nhận: agency codes or names; text that is neither (`Lưu: VT`) is kept as is.
    pub recipients: Vec<String>,
    /// Số lượng bản: how many copies are issued.
    pub copies: Option<u32>,
    /// Đơn vị, người nhận bản lưu: who keeps the archive copy.
    pub archive_copy_holder: Option<String>,
    /// Đơn vị soạn thảo: the unit that drafted it.
    pub drafting_unit: Option<String>,
    /// Độ khẩn.
    pub urgency: Urgency,
    /// Độ mật; a secret document is numbered in the secret series and never sent over the hub.
    pub secrecy: Secrecy,
    /// Hạn trả lời: when the recipients must answer.
    pub deadline: Option<NaiveDate>,
    /// Ghi chú: a free note of the clerk.
    pub notes: Option<String>,
    /// Files to attach (stored in the content-addressed store).
    pub files: Vec<PathBuf>,
    /// Extracted text of the document, indexed for search.
    pub body_text: Option<String>,
    /// Issue (number and date) at once; `None` creates a draft.
    pub issue_date: Option<NaiveDate>,
}

/// One line of an outgoing document's nơi nhận.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The agency code when the line names a known agency (it can then be sent over the hub).
    pub agency_code: Option<String>,
    /// The line as shown: the agency's name, or the text as written (`Lưu: VT`).
    pub name: String,
}

/// A file attached to a document, its content in the attachment store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    /// Row id of the attachment.
    pub id: i64,
    /// The register id of the document it belongs to.
    pub document_id: i64,
    /// The content's hash, its name in the attachment store.
    pub sha256: String,
    /// The file's name, as the clerk or the sender gave it.
    pub file_name: String,
    /// Size in bytes.
    pub size: u64,
    /// The media type, from the content and the file name (`application/pdf`, …).
    pub media_type: String,
    /// When it was attached (RFC 3339).
    pub added_at: String,
}

/// One register entry, as stored. `arrival_number` is the số đến of an incoming document;
/// `number` is the register number of either register (equal to `arrival_number` for
/// incoming documents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// The register id, stable for the document's life.
    pub id: i64,
    /// The register the document is in.
    pub register: Register,
    /// The numbering series (secret documents are numbered apart).
    pub series: Series,
    /// The register year its number belongs to.
    pub year: Option<i32>,
    /// Register number; `None` for a draft or a document waiting for its final number.
    pub number: Option<u32>,
    /// Số đến (incoming only).
    pub arrival_number: Option<u32>,
    /// Ngày đến (incoming only).
    pub arrival_date: Option<NaiveDate>,
    /// Agency code of the issuing agency (incoming).
    pub sender_code: Option<String>,
    /// Name of the issuing agency (incoming).
    pub sender: Option<String>,
    /// Số, ký hiệu as printed.
    pub notation: String,
    /// Ngày tháng văn bản (for outgoing: the issue date, once issued).
    pub document_date: Option<NaiveDate>,
    /// Name of the document type (loại văn bản).
    pub doc_type: String,
    /// The type's abbreviation used in notations (`QĐ`), when it has one.
    pub type_abbreviation: Option<String>,
    /// Trích yếu: what the document is about.
    pub subject: String,
    /// Người ký.
    pub signer: Option<String>,
    /// Độ khẩn.
    pub urgency: Urgency,
    /// Độ mật.
    pub secrecy: Secrecy,
    /// Hạn giải quyết (incoming) or hạn trả lời (outgoing).
    pub deadline: Option<NaiveDate>,
    /// Đơn vị hoặc người nhận: who handles an incoming document.
    pub handler: Option<String>,
    /// When the document was passed on to its handler.
    pub passed_on_date: Option<NaiveDate>,
    /// Ghi chú: a free note of the clerk.
    pub notes: Option<String>,
    /// Nơi nhận of an outgoing document, in the order written.
    pub recipients: Vec<Recipient>,
    /// Số lượng bản (outgoing).
    pub copies: Option<u32>,
    /// Đơn vị, người nhận bản lưu (outgoing).
    pub archive_copy_holder: Option<String>,
    /// Đơn vị soạn thảo (outgoing).
    pub drafting_unit: Option<String>,
    /// When an outgoing document was sent to its recipients.
    pub dispatched_date: Option<NaiveDate>,
    /// Parsed from the stored name when the row is read: a name that is not a state of the
    /// row's register fails the read instead of silently matching nothing.
    pub state: DocumentState,
    /// The state's Vietnamese label, as shown to the clerk.
    pub state_label: String,
    /// edXML `DocumentId` of the package the document travels in.
    pub edxml_document_id: Option<String>,
    /// The attached files, oldest first.
    pub attachments: Vec<AttachmentInfo>,
    /// When the record was entered (RFC 3339).
    pub created_at: String,
    /// When the record last changed (RFC 3339).
    pub updated_at: String,
    /// Số tạm ("T-<desktop>-<n>") given offline when this desktop's number blocks ran out;
    /// kept after `number` is assigned at the next sync (docs/sync.md).
    pub provisional_number: Option<String>,
    /// For a version received as an update/replace: the document it supersedes.
    pub supersedes_id: Option<i64>,
    /// The newer version that supersedes this one, if any.
    pub superseded_by_id: Option<i64>,
    /// A recall/update/replace the sender asked for that waits for the clerk's decision
    /// (`recall` | `update` | `replace`), with the sender's reason in `pending_note`.
    pub pending_action: Option<String>,
    /// The sender's reason for `pending_action`.
    pub pending_note: Option<String>,
}

impl DocumentRecord {
    /// The state as the domain's enum, for an outgoing document (None on an incoming one).
    pub fn outgoing_state(&self) -> Option<OutgoingState> {
        self.state.outgoing()
    }

    /// The state as the domain's enum, for an incoming document (None on an outgoing one).
    pub fn incoming_state(&self) -> Option<IncomingState> {
        self.state.incoming()
    }

    /// Whether the document still waits for its final number.
    pub fn is_provisional(&self) -> bool {
        self.number.is_none() && self.provisional_number.is_some()
    }

    /// The number as the clerk should see it: the final number ("M11" in the secret series,
    /// which has its own numbering, NĐ 30), or "Số tạm T-…".
    pub fn number_label(&self) -> Option<String> {
        match (self.number, &self.provisional_number) {
            (Some(n), _) if self.series == Series::Secret => Some(format!("M{n}")),
            (Some(n), _) => Some(n.to_string()),
            (None, Some(p)) => Some(format!("Số tạm {p}")),
            (None, None) => None,
        }
    }
}

/// A record of the incoming register (sổ văn bản đến).
pub type IncomingRecord = DocumentRecord;
/// A record of the outgoing register (sổ văn bản đi).
pub type OutgoingRecord = DocumentRecord;

/// Filters of [`Registry::list`]; the same as a search without text.
pub type ListQuery = crate::SearchQuery;

pub(crate) const DOC_COLUMNS: &str = "id, register, series, year, number, arrival_date, sender_code, sender_name, notation, document_date, doc_type, type_abbr, subject, signer, urgency, secrecy, deadline, handler, passed_on_date, notes, copies, archive_copy_holder, drafting_unit, dispatched_date, state, edxml_document_id, created_at, updated_at, provisional_number, supersedes_id, (SELECT max(s.id) FROM documents s WHERE s.supersedes_id = documents.id), pending_action, pending_note";

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<DocumentRecord> {
    let register = if r.get::<_, String>(1)? == "outgoing" {
        Register::Outgoing
    } else {
        Register::Incoming
    };
    let number: Option<u32> = r.get(4)?;
    let state = match register {
        Register::Incoming => DocumentState::Incoming(incoming_state_at(r, 24)?),
        Register::Outgoing => DocumentState::Outgoing(outgoing_state_at(r, 24)?),
    };
    Ok(DocumentRecord {
        id: r.get(0)?,
        register,
        series: if r.get::<_, String>(2)? == "secret" {
            Series::Secret
        } else {
            Series::Normal
        },
        year: r.get(3)?,
        number,
        arrival_number: if register == Register::Incoming {
            number
        } else {
            None
        },
        arrival_date: parse_date(r.get(5)?),
        sender_code: r.get(6)?,
        sender: r.get(7)?,
        notation: r.get(8)?,
        document_date: parse_date(r.get(9)?),
        doc_type: r.get(10)?,
        type_abbreviation: r.get(11)?,
        subject: r.get(12)?,
        signer: r.get(13)?,
        urgency: r.get::<_, String>(14)?.parse().unwrap_or_default(),
        secrecy: r.get::<_, String>(15)?.parse().unwrap_or_default(),
        deadline: parse_date(r.get(16)?),
        handler: r.get(17)?,
        passed_on_date: parse_date(r.get(18)?),
        notes: r.get(19)?,
        recipients: Vec::new(),
        copies: r.get(20)?,
        archive_copy_holder: r.get(21)?,
        drafting_unit: r.get(22)?,
        dispatched_date: parse_date(r.get(23)?),
        state_label: state.label_vi().to_string(),
        state,
        edxml_document_id: r.get(25)?,
        attachments: Vec::new(),
        created_at: r.get(26)?,
        updated_at: r.get(27)?,
        provisional_number: r.get(28)?,
        supersedes_id: r.get(29)?,
        superseded_by_id: r.get(30)?,
        pending_action: r.get(31)?,
        pending_note: r.get(32)?,
    })
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(|s| nfc(s.trim()))
        .filter(|s| !s.is_empty())
}

fn resolve_type(text: &str) -> Result<&'static DocumentType> {
    thread_local! {
        // Resolution folds every type name; bulk imports ask for the same few types.
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, &'static DocumentType>> =
            Default::default();
    }
    if let Some(t) = CACHE.with(|c| c.borrow().get(text).copied()) {
        return Ok(t);
    }
    let t = DocumentType::resolve(text).ok_or_else(|| Error::UnknownType(text.to_string()))?;
    CACHE.with(|c| c.borrow_mut().insert(text.to_string(), t));
    Ok(t)
}

/// A file to attach, read and stored before the transaction starts.
pub(crate) struct PreparedFile {
    pub blob: StoredBlob,
    pub file_name: String,
    pub media_type: String,
}

pub(crate) fn media_type(path: &Path, head: &[u8]) -> &'static str {
    if head.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("xml") | Some("edxml") => "application/xml",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("ods") => "application/vnd.oasis.opendocument.spreadsheet",
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}

/// The files of an outgoing document: a soft copy must be a real .docx/.odt/.xlsx/.ods and
/// the other editable formats are refused (`soft_copy.rs`); checked before anything is stored.
pub(crate) fn check_outgoing_files(files: &[PathBuf]) -> Result<()> {
    for f in files {
        let mut head = Vec::with_capacity(4);
        std::fs::File::open(f)
            .and_then(|file| {
                std::io::Read::read_to_end(&mut std::io::Read::take(file, 4), &mut head)
            })
            .map_err(|e| Error::file(f, e))?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        crate::soft_copy::check_outgoing_file(&name, &head)?;
    }
    Ok(())
}

impl Registry {
    pub(crate) fn prepare_files(&self, files: &[PathBuf]) -> Result<Vec<PreparedFile>> {
        // Check every file first: a missing second file must not leave the first stored
        // for nothing.
        for f in files {
            std::fs::metadata(f).map_err(|e| Error::file(f, e))?;
        }
        files
            .iter()
            .map(|f| {
                let blob = self.blobs.put_file(f)?;
                let head = self.blobs.read_head(&blob.sha256)?;
                Ok(PreparedFile {
                    media_type: media_type(f, &head).to_string(),
                    file_name: f
                        .file_name()
                        .map(|n| nfc(&n.to_string_lossy()))
                        .unwrap_or_else(|| "file".into()),
                    blob,
                })
            })
            .collect()
    }
}

pub(crate) fn insert_attachment(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    doc_id: i64,
    f: &PreparedFile,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO attachments (document_id, sha256, file_name, size, media_type, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        doc_id,
        f.blob.sha256,
        f.file_name,
        f.blob.size as i64,
        f.media_type,
        ctx.now
    ])?;
    let id = tx.last_insert_rowid();
    audit::append(
        tx,
        ctx,
        "attachment.add",
        "document",
        Some(&doc_id.to_string()),
        &serde_json::json!({
            "attachment_id": id, "sha256": f.blob.sha256, "file_name": f.file_name,
            "size": f.blob.size, "media_type": f.media_type,
        }),
    )?;
    Ok(id)
}

pub(crate) fn require_unit(tx: &Transaction<'_>) -> Result<()> {
    let ok: bool = tx
        .prepare_cached("SELECT count(*) > 0 FROM meta WHERE key = 'unit_code'")?
        .query_row([], |r| r.get(0))?;
    if ok {
        Ok(())
    } else {
        Err(Error::NotInitialised)
    }
}

/// An incoming document checked and normalised, ready to insert.
pub(crate) struct ValidIncoming {
    notation: String,
    document_date: NaiveDate,
    arrival_date: NaiveDate,
    doc_type: &'static DocumentType,
    subject: String,
    signer: Option<String>,
    urgency: Urgency,
    secrecy: Secrecy,
    deadline: Option<NaiveDate>,
    handler: Option<String>,
    notes: Option<String>,
    pub(crate) sender: String,
    body_text: Option<String>,
    edxml_document_id: Option<String>,
    expected_number: Option<u32>,
    via: Option<String>,
}

impl ValidIncoming {
    /// Ngày đến (the year of its number).
    pub(crate) fn arrival_date(&self) -> NaiveDate {
        self.arrival_date
    }
    /// Độ mật (the series of its number).
    pub(crate) fn secrecy(&self) -> Secrecy {
        self.secrecy
    }
}

pub(crate) fn validate_incoming(new: &NewIncoming) -> Result<ValidIncoming> {
    let number = DocumentNumber::parse(&new.notation)?;
    let subject = nfc(new.subject.trim());
    if subject.is_empty() {
        return Err(Error::invalid("trích yếu trống / empty subject"));
    }
    if new.sender.trim().is_empty() {
        return Err(Error::UnknownAgency(String::new()));
    }
    Ok(ValidIncoming {
        notation: number.to_string(),
        document_date: new.document_date,
        arrival_date: new.arrival_date.unwrap_or_else(crate::today),
        doc_type: resolve_type(&new.doc_type)?,
        subject,
        signer: clean(&new.signer),
        urgency: new.urgency,
        secrecy: new.secrecy,
        deadline: new.deadline,
        handler: clean(&new.handler),
        notes: clean(&new.notes),
        sender: new.sender.clone(),
        body_text: clean(&new.body_text),
        edxml_document_id: clean(&new.edxml_document_id),
        expected_number: new.expected_number,
        via: clean(&new.via),
    })
}

/// What the audit log records about a registration (serialised straight to JSON: bulk
/// imports write one per row).
#[derive(Serialize)]
struct IncomingAudit<'a> {
    register: &'a str,
    series: &'a str,
    year: Option<i32>,
    number: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provisional_number: Option<&'a str>,
    arrival_date: &'a str,
    sender_code: &'a str,
    sender_name: &'a str,
    notation: &'a str,
    document_date: NaiveDate,
    doc_type: &'a str,
    subject: &'a str,
    signer: Option<&'a str>,
    urgency: &'a str,
    secrecy: &'a str,
    deadline: Option<NaiveDate>,
    handler: Option<&'a str>,
    notes: Option<&'a str>,
    state: &'a str,
    edxml_document_id: Option<&'a str>,
}

/// Inserts one incoming document. `register_now` numbers it (state `registered`);
/// otherwise it waits for the clerk in state `arrived` (received from the hub).
pub(crate) fn insert_incoming(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    v: &ValidIncoming,
    sender: &agencies::Agency,
    files: &[PreparedFile],
    register_now: bool,
) -> Result<i64> {
    require_unit(tx)?;
    let numbered = if register_now {
        let year = v.arrival_date.year();
        let series = Series::for_secrecy(v.secrecy);
        Some((
            year,
            numbering::allocate(tx, Register::Incoming, series, year)?,
        ))
    } else {
        None
    };
    let row = insert_incoming_row(tx, ctx, v, sender, numbered)?;
    let sender_name = incoming_sender_name(v, sender);
    search::index_row(
        ctx,
        row.id,
        &v.notation,
        &v.subject,
        Some(&sender_name),
        v.signer.as_deref(),
        v.body_text.as_deref(),
    );
    audit::append_raw(
        tx,
        ctx,
        row.action(),
        "document",
        Some(&row.id.to_string()),
        incoming_audit_detail(v, sender, &sender_name, &row),
    )?;
    for f in files {
        insert_attachment(tx, ctx, row.id, f)?;
    }
    Ok(row.id)
}

/// What the register gave an incoming document when it was inserted.
pub(crate) struct InsertedIncoming {
    pub(crate) id: i64,
    year: Option<i32>,
    number: Option<u32>,
    provisional: Option<String>,
    state: IncomingState,
}

impl InsertedIncoming {
    /// The audit action of the insert.
    pub(crate) fn action(&self) -> &'static str {
        if self.year.is_some() {
            "incoming.register"
        } else {
            "incoming.receive"
        }
    }
}

/// The sender as the register names it: through a relay, both the agency that wrote it and
/// the gateway.
pub(crate) fn incoming_sender_name<'a>(
    v: &ValidIncoming,
    sender: &'a agencies::Agency,
) -> std::borrow::Cow<'a, str> {
    match &v.via {
        Some(via) => format!("{} (qua {via})", sender.name).into(),
        None => sender.name.as_str().into(),
    }
}

/// The incoming document's `documents` row and its first status event (no search-index row,
/// no audit entry: the caller writes those). `numbered` is the year and the number allocated
/// for it; `None` leaves it unnumbered (state `arrived`).
pub(crate) fn insert_incoming_row(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    v: &ValidIncoming,
    sender: &agencies::Agency,
    numbered: Option<(i32, numbering::Allocation)>,
) -> Result<InsertedIncoming> {
    let series = Series::for_secrecy(v.secrecy);
    let (year, number, provisional, state) = match numbered {
        Some((year, a)) => {
            if let Some(expected) = v.expected_number {
                if a.final_number() != Some(expected) {
                    let n = a
                        .final_number()
                        .map_or_else(|| "số tạm".to_owned(), |n| n.to_string());
                    return Err(Error::invalid(format!(
                        "số đến {expected} không liền mạch, số tiếp theo là {n} / arrival number {expected} is not the next number {n}"
                    )));
                }
            }
            (
                Some(year),
                a.final_number(),
                a.provisional().map(str::to_owned),
                IncomingState::Registered,
            )
        }
        None => (None, None, None, IncomingState::Arrived),
    };
    let arrival = v.arrival_date.to_string();
    let sender_name = incoming_sender_name(v, sender);
    tx.prepare_cached(
        "INSERT INTO documents (register, series, year, number, arrival_date, sender_code, sender_name,
            notation, document_date, doc_type, type_abbr, subject, signer, urgency, secrecy, deadline,
            handler, notes, state, edxml_document_id, body_text, sort_date, created_at, updated_at)
         VALUES ('incoming', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
            ?17, ?18, ?19, ?20, ?4, ?21, ?21)",
    )?
    .execute(params![
        series.as_str(),
        year,
        number,
        arrival,
        sender.code,
        sender_name,
        v.notation,
        v.document_date.to_string(),
        v.doc_type.name,
        v.doc_type.abbreviation,
        v.subject,
        v.signer,
        v.urgency.as_str(),
        v.secrecy.as_str(),
        v.deadline.map(|d| d.to_string()),
        v.handler,
        v.notes,
        state.as_str(),
        v.edxml_document_id,
        v.body_text,
        ctx.now,
    ])?;
    let id = tx.last_insert_rowid();
    if let Some(p) = &provisional {
        tx.prepare_cached("UPDATE documents SET provisional_number = ?2 WHERE id = ?1")?
            .execute(params![id, p])?;
    }
    crate::events::insert_event(tx, ctx, id, None, None, state.into(), &[], None)?;
    Ok(InsertedIncoming {
        id,
        year,
        number,
        provisional,
        state,
    })
}

/// The audit detail (JSON) of an inserted incoming document.
pub(crate) fn incoming_audit_detail(
    v: &ValidIncoming,
    sender: &agencies::Agency,
    sender_name: &str,
    row: &InsertedIncoming,
) -> String {
    let arrival = v.arrival_date.to_string();
    serde_json::to_string(&IncomingAudit {
        register: "incoming",
        series: Series::for_secrecy(v.secrecy).as_str(),
        year: row.year,
        number: row.number,
        provisional_number: row.provisional.as_deref(),
        arrival_date: &arrival,
        sender_code: &sender.code,
        sender_name,
        notation: &v.notation,
        document_date: v.document_date,
        doc_type: &v.doc_type.name,
        subject: &v.subject,
        signer: v.signer.as_deref(),
        urgency: v.urgency.as_str(),
        secrecy: v.secrecy.as_str(),
        deadline: v.deadline,
        handler: v.handler.as_deref(),
        notes: v.notes.as_deref(),
        state: row.state.as_str(),
        edxml_document_id: v.edxml_document_id.as_deref(),
    })
    .expect("audit detail serialises")
}

/// The search-index row of an incoming document (folded here, written by the caller).
pub(crate) fn incoming_fts_row(v: &ValidIncoming, sender_name: &str, id: i64) -> search::FtsRow {
    search::fts_row(
        id,
        &v.notation,
        &v.subject,
        Some(sender_name),
        v.signer.as_deref(),
        v.body_text.as_deref(),
    )
}

/// An outgoing document checked and normalised.
pub(crate) struct ValidOutgoing {
    /// Everything after the number: `QĐ-UBND` or `2024/QĐ-UBND`.
    code_notation: String,
    expected_number: Option<u32>,
    doc_type: &'static DocumentType,
    subject: String,
    signer: Option<String>,
    recipients: Vec<String>,
    copies: Option<u32>,
    archive_copy_holder: Option<String>,
    drafting_unit: Option<String>,
    urgency: Urgency,
    secrecy: Secrecy,
    deadline: Option<NaiveDate>,
    notes: Option<String>,
    body_text: Option<String>,
    issue_date: Option<NaiveDate>,
}

pub(crate) fn validate_outgoing(new: &NewOutgoing) -> Result<ValidOutgoing> {
    let text = nfc(new.notation.trim());
    let parsed = if text.contains('/') {
        DocumentNumber::parse(&text)?
    } else {
        DocumentNumber::from_parts(None, &text)?
    };
    let code_notation = match parsed.year {
        Some(y) => format!("{y}/{}", parsed.notation),
        None => parsed.notation.clone(),
    };
    let subject = nfc(new.subject.trim());
    if subject.is_empty() {
        return Err(Error::invalid("trích yếu trống / empty subject"));
    }
    if parsed.number.is_some() && new.issue_date.is_none() {
        return Err(Error::invalid(
            "số văn bản chỉ được cấp khi phát hành / a number is given only with an issue date",
        ));
    }
    Ok(ValidOutgoing {
        code_notation,
        expected_number: parsed.number,
        doc_type: resolve_type(&new.doc_type)?,
        subject,
        signer: clean(&new.signer),
        recipients: new
            .recipients
            .iter()
            .map(|r| nfc(r.trim()))
            .filter(|r| !r.is_empty())
            .collect(),
        copies: new.copies,
        archive_copy_holder: clean(&new.archive_copy_holder),
        drafting_unit: clean(&new.drafting_unit),
        urgency: new.urgency,
        secrecy: new.secrecy,
        deadline: new.deadline,
        notes: clean(&new.notes),
        body_text: clean(&new.body_text),
        issue_date: new.issue_date,
    })
}

fn resolve_recipient(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, text: &str) -> Result<Recipient> {
    if let Some(r) = ctx.recipient_cache.borrow().get(text) {
        return Ok(r.clone());
    }
    let r = resolve_recipient_uncached(tx, text)?;
    ctx.recipient_cache
        .borrow_mut()
        .insert(text.to_string(), r.clone());
    Ok(r)
}

fn resolve_recipient_uncached(tx: &Transaction<'_>, text: &str) -> Result<Recipient> {
    match agencies::resolve(tx, text) {
        Ok(a) => Ok(Recipient {
            agency_code: Some(a.code),
            name: a.name,
        }),
        Err(Error::UnknownAgency(_)) if AgencyCode::parse(text).is_err() => Ok(Recipient {
            agency_code: None,
            name: text.to_string(),
        }),
        Err(e) => Err(e),
    }
}

pub(crate) fn insert_outgoing(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    v: &ValidOutgoing,
    files: &[PreparedFile],
) -> Result<i64> {
    require_unit(tx)?;
    let series = Series::for_secrecy(v.secrecy);
    let recipients: Vec<Recipient> = v
        .recipients
        .iter()
        .map(|r| resolve_recipient(tx, ctx, r))
        .collect::<Result<_>>()?;
    let draft_notation = format!("/{}", v.code_notation);
    let sort_date = crate::today().to_string();
    tx.prepare_cached(
        "INSERT INTO documents (register, series, notation, code_notation, doc_type, type_abbr,
            subject, signer, urgency, secrecy, deadline, notes, copies, archive_copy_holder,
            drafting_unit, state, body_text, sort_date, created_at, updated_at)
         VALUES ('outgoing', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?18,
            ?15, ?16, ?17, ?17)",
    )?
    .execute(params![
        series.as_str(),
        draft_notation,
        v.code_notation,
        v.doc_type.name,
        v.doc_type.abbreviation,
        v.subject,
        v.signer,
        v.urgency.as_str(),
        v.secrecy.as_str(),
        v.deadline.map(|d| d.to_string()),
        v.notes,
        v.copies,
        v.archive_copy_holder,
        v.drafting_unit,
        v.body_text,
        sort_date,
        ctx.now,
        OutgoingState::Draft.as_str(),
    ])?;
    let id = tx.last_insert_rowid();
    for (i, r) in recipients.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO recipients (document_id, position, agency_code, name) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, i as i64, r.agency_code, r.name])?;
    }
    let recipient_text = recipients
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    search::index_row(
        ctx,
        id,
        &draft_notation,
        &v.subject,
        Some(&recipient_text),
        v.signer.as_deref(),
        v.body_text.as_deref(),
    );
    crate::events::insert_event(
        tx,
        ctx,
        id,
        None,
        None,
        OutgoingState::Draft.into(),
        &[],
        None,
    )?;
    audit::append(
        tx,
        ctx,
        "outgoing.create",
        "document",
        Some(&id.to_string()),
        &serde_json::json!({
            "register": "outgoing", "series": series.as_str(), "code_notation": v.code_notation,
            "doc_type": v.doc_type.name, "subject": v.subject, "signer": v.signer,
            "recipients": recipients, "copies": v.copies,
            "archive_copy_holder": v.archive_copy_holder, "drafting_unit": v.drafting_unit,
            "urgency": v.urgency.as_str(), "secrecy": v.secrecy.as_str(),
            "deadline": v.deadline.map(|d| d.to_string()), "notes": v.notes,
        }),
    )?;
    for f in files {
        insert_attachment(tx, ctx, id, f)?;
    }
    if let Some(date) = v.issue_date {
        issue_in_tx(tx, ctx, id, date, v.expected_number)?;
    }
    Ok(id)
}

/// Numbers and dates an outgoing draft (vào sổ văn bản đi).
pub(crate) fn issue_in_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    date: NaiveDate,
    expected_number: Option<u32>,
) -> Result<Option<u32>> {
    let row: Option<(String, DocumentState, String, Option<String>, String, bool)> = tx
        .prepare_cached(
            "SELECT register, state, series, code_notation, subject, mirror_of IS NOT NULL
             FROM documents WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                state_at(r, 1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let Some((register, state, series, code_notation, subject, mirror)) = row else {
        return Err(Error::NotFound(id));
    };
    if register != "outgoing" {
        return Err(Error::InvalidState(format!(
            "văn bản {id} không thuộc sổ văn bản đi / document {id} is not outgoing"
        )));
    }
    // The leader's copy of a clerk's draft (desks.rs): the clerk's desktop numbers and sends
    // the original once the signed copy is back.
    if mirror {
        return Err(Error::InvalidState(format!(
            "văn bản {id} là bản trình ký từ máy văn thư, văn thư cấp số / document {id} is a copy submitted for signature: the clerk's desktop issues it"
        )));
    }
    // A paper original signed by hand never passes through `signed` in the system.
    if !matches!(
        state,
        DocumentState::Outgoing(OutgoingState::Draft | OutgoingState::Signed)
    ) {
        return Err(Error::InvalidState(format!(
            "văn bản {id} đã được cấp số / document {id} is already issued ({state})"
        )));
    }
    let series = if series == "secret" {
        Series::Secret
    } else {
        Series::Normal
    };
    let a = numbering::allocate(tx, Register::Outgoing, series, date.year())?;
    if let Some(expected) = expected_number {
        if a.final_number() != Some(expected) {
            let n = a
                .final_number()
                .map_or_else(|| "số tạm".to_owned(), |n| n.to_string());
            return Err(Error::invalid(format!(
                "số {expected} không liền mạch, số tiếp theo là {n} / number {expected} is not the next number {n}"
            )));
        }
    }
    let code_notation = code_notation.unwrap_or_default();
    // A provisional number stands in the notation until the final one replaces it
    // (numbering::resolve_key rewrites the notation then).
    let notation = match &a {
        numbering::Allocation::Final(n) => {
            DocumentNumber::parse(&format!("{n}/{code_notation}"))?.to_string()
        }
        numbering::Allocation::Provisional(p) => format!("{p}/{code_notation}"),
    };
    let n = a.final_number();
    tx.prepare_cached(
        "UPDATE documents SET year = ?2, number = ?3, notation = ?4, document_date = ?5,
            sort_date = ?5, state = ?8, updated_at = ?6, provisional_number = ?7 WHERE id = ?1",
    )?
    .execute(params![
        id,
        date.year(),
        n,
        notation,
        date.to_string(),
        ctx.now,
        a.provisional(),
        OutgoingState::Issued.as_str()
    ])?;
    let (recipients, signer, body): (Option<String>, Option<String>, Option<String>) = tx
        .prepare_cached(
            "SELECT (SELECT group_concat(name, '; ') FROM recipients WHERE document_id = ?1),
                    signer, body_text FROM documents WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
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
    crate::events::insert_event(
        tx,
        ctx,
        id,
        None,
        Some(state),
        OutgoingState::Issued.into(),
        &[],
        None,
    )?;
    audit::append(
        tx,
        ctx,
        "outgoing.issue",
        "document",
        Some(&id.to_string()),
        &serde_json::json!({"number": n, "provisional_number": a.provisional(),
            "year": date.year(), "notation": notation,
            "issued_date": date.to_string(), "from_state": state}),
    )?;
    Ok(n)
}

impl Registry {
    /// Enters a document in the incoming register and gives it the next số đến of the
    /// arrival year (in the secret series for mật and above).
    pub fn register_incoming(&mut self, new: NewIncoming) -> Result<IncomingRecord> {
        self.require(Duty::RegisterIncoming)?;
        let v = validate_incoming(&new)?;
        let files = self.prepare_files(&new.files)?;
        let id = self.write(|tx, ctx| {
            let sender = agencies::resolve(tx, &v.sender)?;
            insert_incoming(tx, ctx, &v, &sender, &files, true)
        })?;
        self.get(id)
    }

    /// Stores a document received from the hub, not yet numbered (state `arrived`); the
    /// clerk registers it with [`Registry::append_status_event`] to `registered`.
    pub fn receive_incoming(&mut self, new: NewIncoming) -> Result<IncomingRecord> {
        let v = validate_incoming(&new)?;
        let files = self.prepare_files(&new.files)?;
        let id = self.write(|tx, ctx| {
            let sender = agencies::resolve(tx, &v.sender)?;
            insert_incoming(tx, ctx, &v, &sender, &files, false)
        })?;
        self.get(id)
    }

    /// [`Registry::receive_incoming`] for a hub package recorded in the registry inbox: the
    /// document and the inbox row's "processed" mark commit together, so a crash can neither
    /// lose the package nor import it twice (a package without an edXML DocumentId has
    /// nothing else to be recognised by).
    pub fn receive_incoming_from_inbox(
        &mut self,
        inbox_id: i64,
        new: NewIncoming,
    ) -> Result<IncomingRecord> {
        let v = validate_incoming(&new)?;
        let files = self.prepare_files(&new.files)?;
        let id = self.write(|tx, ctx| {
            ensure_inbox_unprocessed(tx, inbox_id)?;
            let sender = agencies::resolve(tx, &v.sender)?;
            let id = insert_incoming(tx, ctx, &v, &sender, &files, false)?;
            crate::events::mark_inbox_processed_tx(tx, ctx, inbox_id, Some(id), None)?;
            Ok(id)
        })?;
        self.get(id)
    }

    /// A hub package refused on arrival (its `From/OrganId` names another agency than the
    /// account the hub authenticated): entered under the authenticated sender — never under
    /// the agency it claims — directly in state `rejected` with `reason`, status 02 queued
    /// back to the authenticated sender, and the inbox row marked processed, in one
    /// transaction. The clerk finds it in the register among the refused documents.
    pub fn receive_refused_from_inbox(
        &mut self,
        inbox_id: i64,
        new: NewIncoming,
        reason: &str,
        detail: &serde_json::Value,
    ) -> Result<IncomingRecord> {
        let v = validate_incoming(&new)?;
        let files = self.prepare_files(&new.files)?;
        let id = self.write(|tx, ctx| {
            ensure_inbox_unprocessed(tx, inbox_id)?;
            let sender = agencies::resolve(tx, &v.sender)?;
            let id = insert_incoming(tx, ctx, &v, &sender, &files, false)?;
            crate::events::mark_inbox_processed_tx(tx, ctx, inbox_id, Some(id), None)?;
            let codes = [vanthu_domain::StatusCode::Rejected];
            tx.execute(
                "UPDATE documents SET state = ?3, updated_at = ?2 WHERE id = ?1",
                params![id, ctx.now, IncomingState::Rejected.as_str()],
            )?;
            crate::events::insert_event(
                tx,
                ctx,
                id,
                Some(vanthu_domain::Actor::System),
                Some(IncomingState::Arrived.into()),
                IncomingState::Rejected.into(),
                &codes,
                Some(reason),
            )?;
            audit::append(
                tx,
                ctx,
                "incoming.refused_on_arrival",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({"reason": reason, "detail": detail}),
            )?;
            if v.secrecy == Secrecy::Normal {
                for c in codes {
                    crate::events::enqueue(
                        tx,
                        ctx,
                        "status",
                        Some(id),
                        Some(&sender.code),
                        &serde_json::json!({
                            "edxml_document_id": v.edxml_document_id, "status_code": c.code(),
                            "description": c.label_vi(), "note": reason,
                            "timestamp": ctx.now, "staff": ctx.user,
                        }),
                    )?;
                }
            }
            Ok(id)
        })?;
        self.get(id)
    }

    /// Creates an outgoing document: a draft, or issued at once when `issue_date` is set.
    pub fn create_outgoing(&mut self, new: NewOutgoing) -> Result<OutgoingRecord> {
        if new.issue_date.is_some() {
            self.require(Duty::IssueNumber)?;
        }
        let v = validate_outgoing(&new)?;
        check_outgoing_files(&new.files)?;
        let files = self.prepare_files(&new.files)?;
        let id = self.write(|tx, ctx| insert_outgoing(tx, ctx, &v, &files))?;
        self.get(id)
    }

    /// Gives an outgoing draft the next number of `date`'s year (vào sổ, cấp số).
    pub fn issue_outgoing(&mut self, id: i64, date: NaiveDate) -> Result<OutgoingRecord> {
        self.require(Duty::IssueNumber)?;
        self.write(|tx, ctx| issue_in_tx(tx, ctx, id, date, None))?;
        self.get(id)
    }

    /// One document with its recipients and attachments.
    pub fn get(&self, id: i64) -> Result<DocumentRecord> {
        let mut rec = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DOC_COLUMNS} FROM documents WHERE id = ?1"
            ))?
            .query_row([id], record_from_row)
            .optional()?
            .ok_or(Error::NotFound(id))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT agency_code, name FROM recipients WHERE document_id = ?1 ORDER BY position",
        )?;
        rec.recipients = stmt
            .query_map([id], |r| {
                Ok(Recipient {
                    agency_code: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        rec.attachments = self.attachments(id)?;
        Ok(rec)
    }

    /// Our own (outgoing) document with this edXML `DocumentId`, if any. Received documents
    /// are looked up per sender ([`Registry::find_incoming_by_edxml_id`]): a `DocumentId` is
    /// only what its sender wrote, and another agency may write the same one.
    pub fn find_by_edxml_id(&self, document_id: &str) -> Result<Option<DocumentRecord>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM documents WHERE register = 'outgoing' AND edxml_document_id = ?1
                 ORDER BY id LIMIT 1",
                [document_id],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|id| self.get(id)).transpose()
    }

    /// The incoming document `sender` sent with this edXML `DocumentId`, if any. Scoped to the
    /// sender so that nobody can pre-claim another agency's future `DocumentId` and make its
    /// genuine package look like a duplicate (docs/sync.md, "Who may say what").
    pub fn find_incoming_by_edxml_id(
        &self,
        sender: &str,
        document_id: &str,
    ) -> Result<Option<DocumentRecord>> {
        let id: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT id FROM documents WHERE register = 'incoming' AND sender_code = ?1
                   AND edxml_document_id = ?2 ORDER BY id LIMIT 1",
            )?
            .query_row(params![sender, document_id], |r| r.get(0))
            .optional()?;
        id.map(|id| self.get(id)).transpose()
    }

    /// A document's attachments, oldest first.
    pub fn attachments(&self, document_id: i64) -> Result<Vec<AttachmentInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, document_id, sha256, file_name, size, media_type, added_at
             FROM attachments WHERE document_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([document_id], |r| {
            Ok(AttachmentInfo {
                id: r.get(0)?,
                document_id: r.get(1)?,
                sha256: r.get(2)?,
                file_name: r.get(3)?,
                size: r.get::<_, i64>(4)? as u64,
                media_type: r.get(5)?,
                added_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Attaches a file to a document (stored once per content).
    pub fn add_attachment(&mut self, document_id: i64, path: &Path) -> Result<AttachmentInfo> {
        if self.get(document_id)?.register == Register::Outgoing {
            check_outgoing_files(&[path.to_path_buf()])?;
        }
        let files = self.prepare_files(&[path.to_path_buf()])?;
        let id = self.write(|tx, ctx| insert_attachment(tx, ctx, document_id, &files[0]))?;
        self.attachments(document_id)?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(Error::NotFound(id))
    }

    /// Attaches in-memory content (a received package's file, a signed PDF).
    pub fn add_attachment_bytes(
        &mut self,
        document_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<AttachmentInfo> {
        if self.get(document_id)?.register == Register::Outgoing {
            crate::soft_copy::check_outgoing_file(file_name, bytes)?;
        }
        let blob = self.blobs.put_bytes(bytes)?;
        let f = PreparedFile {
            media_type: media_type(Path::new(file_name), bytes).to_string(),
            file_name: nfc(file_name),
            blob,
        };
        let id = self.write(|tx, ctx| insert_attachment(tx, ctx, document_id, &f))?;
        self.attachments(document_id)?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(Error::NotFound(id))
    }

    /// Where an attachment's content is on disk.
    pub fn attachment_path(&self, a: &AttachmentInfo) -> PathBuf {
        self.blobs.path_of(&a.sha256)
    }

    /// Sets the document text used by full-text search (e.g. extracted from its PDF).
    pub fn set_document_text(&mut self, id: i64, text: &str) -> Result<()> {
        let rec = self.get(id)?;
        let text = nfc(text);
        let sender = match rec.register {
            Register::Incoming => rec.sender.clone(),
            Register::Outgoing => Some(
                rec.recipients
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        self.write(|tx, ctx| {
            tx.execute(
                "UPDATE documents SET body_text = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, text, ctx.now],
            )?;
            search::reindex_row(
                tx,
                ctx,
                id,
                &rec.notation,
                &rec.subject,
                sender.as_deref(),
                rec.signer.as_deref(),
                Some(&text),
            )?;
            audit::append(
                tx,
                ctx,
                "document.set_text",
                "document",
                Some(&id.to_string()),
                &serde_json::json!({"chars": text.chars().count()}),
            )
        })
    }

    /// Records who an incoming document was passed to (Đơn vị hoặc người nhận, Ngày chuyển).
    pub fn set_handler(&mut self, id: i64, handler: &str, passed_on: NaiveDate) -> Result<()> {
        let handler = nfc(handler.trim());
        if handler.is_empty() {
            return Err(Error::invalid("người nhận trống / empty handler"));
        }
        self.write(|tx, ctx| set_handler_tx(tx, ctx, id, &handler, passed_on))
    }

    /// The next number a register would hand out (for display; allocation is separate).
    /// In block mode with this desktop's blocks used up it is 0: the next document would get
    /// a provisional number ("Số tạm", docs/sync.md).
    pub fn next_number(&self, register: Register, series: Series, year: i32) -> Result<u32> {
        numbering::peek(&self.conn, register, series, year)
    }

    /// Number of documents in a register.
    pub fn count(&self, register: Option<Register>) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM documents WHERE ?1 IS NULL OR register = ?1",
            [register.map(|r| r.as_str())],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

/// [`Registry::set_handler`] inside the caller's transaction (`handler` already trimmed, NFC).
pub(crate) fn set_handler_tx(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: i64,
    handler: &str,
    passed_on: NaiveDate,
) -> Result<()> {
    let n = tx.execute(
        "UPDATE documents SET handler = ?2, passed_on_date = ?3, updated_at = ?4
         WHERE id = ?1 AND register = 'incoming'",
        params![id, handler, passed_on.to_string(), ctx.now],
    )?;
    if n == 0 {
        return Err(Error::NotFound(id));
    }
    audit::append(
        tx,
        ctx,
        "incoming.handler",
        "document",
        Some(&id.to_string()),
        &serde_json::json!({"handler": handler, "passed_on_date": passed_on.to_string()}),
    )
}

/// Refuses an inbox row already turned into a document, so a retried round imports nothing
/// twice (a package without an edXML DocumentId has nothing else to be recognised by).
fn ensure_inbox_unprocessed(tx: &rusqlite::Transaction<'_>, inbox_id: i64) -> Result<()> {
    let pending: Option<Option<i64>> = tx
        .query_row(
            "SELECT document_id FROM inbox WHERE id = ?1 AND processed_at IS NULL",
            [inbox_id],
            |r| r.get(0),
        )
        .optional()?;
    match pending {
        Some(None) => Ok(()),
        _ => Err(Error::InvalidState(format!(
            "gói tin {inbox_id} đã được xử lý / inbox item {inbox_id} is already processed"
        ))),
    }
}
