//! Import of a received package file into the incoming register (`vanthu incoming import`):
//! the record is created in state "đã đến" with its attachments (the one mapping of
//! [`crate::incoming`]), the sender is resolved in the agency directory (an unknown code is
//! learnt and flagged, never dropped), status `01` is queued in the outbox for the sender,
//! and a package already imported is refused naming the record. Also the opposite way: the
//! package for an outgoing record ([`package_from_record`], `vanthu edxml pack --record`).
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::Serialize;
use vanthu_domain::{DocumentNumber, StatusCode};
use vanthu_edxml::dates::{iso_date, iso_timestamp};
use vanthu_edxml::{self as edxml, read_package, ReadOptions, ResponseFor};
use vanthu_registry::{IncomingRecord, Registry};

use crate::incoming::{incoming_from_package, MapError, Missing, Origin};

/// Why an edXML package file could not be imported into the incoming register.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The package could not be read or an attachment could not be unpacked.
    #[error(transparent)]
    Edxml(#[from] edxml::Error),
    /// The register refused the record or its attachments.
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    /// The package was imported before.
    #[error("gói tin đã được nhập: trùng với văn bản id {id} ({reason}) / duplicate package: already imported as record {id} ({reason})")]
    Duplicate {
        /// The register id of the record the package was imported as.
        id: i64,
        /// What matched (same package id, same sender and notation, …).
        reason: String,
    },
    /// The package lacks something the register requires.
    #[error("không vào sổ được / cannot register: {0}")]
    Incomplete(String),
    /// The package or an attachment could not be read from or written to disk.
    #[error("lỗi đọc/ghi tệp / I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<MapError> for ImportError {
    fn from(e: MapError) -> Self {
        match e {
            MapError::Incomplete(why) => ImportError::Incomplete(why),
            MapError::Registry(e) => ImportError::Registry(e),
            MapError::Io(e) => ImportError::Io(e),
            MapError::Edxml(e) => ImportError::Edxml(e),
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct ImportOutcome {
    /// The incoming record as entered in the register.
    pub record: IncomingRecord,
    /// The sender's agency code, as read from the package.
    pub sender_code: String,
    /// `false`: the sender was not in the agency directory and has been added from the
    /// package (source "hub") for the clerk to check.
    pub sender_known: bool,
    /// The status queued for the sender ("01") and its outbox row.
    pub queued_status: String,
    /// The outbox row that carries the status to the sender.
    pub outbox_id: i64,
    /// How many attachments were stored with the record.
    pub attachments_stored: usize,
    /// Attachments that could not be decoded (not stored), with the reason.
    pub broken_attachments: Vec<String>,
    /// What the clerk should check (missing or doubtful fields filled in).
    pub warnings: Vec<String>,
}

fn sql_date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Imports the package at `path` into `reg`, then indexes its PDF text for search.
pub fn import_package(reg: &mut Registry, path: &Path) -> Result<ImportOutcome, ImportError> {
    // Decoded attachments go to a temporary directory on the register's file system.
    let tmp = tempfile::Builder::new()
        .prefix(".edxml-import-")
        .tempdir_in(reg.data_dir())?;
    let opts = ReadOptions {
        attachment_dir: Some(tmp.path().to_path_buf()),
        ..Default::default()
    };
    let pkg = read_package(BufReader::new(File::open(path)?), &opts)?;
    let h = &pkg.header;
    // The reader requires From/OrganId; a file names its own sender.
    let sender_code = h
        .from
        .organ_id
        .clone()
        .expect("reader requires From/OrganId");

    // Duplicates: the same DocumentId from the same sender (another agency may write any
    // DocumentId it likes; it must not shadow this sender's). Checked before anything is
    // learnt or copied.
    if let Some(id) = &h.document_id {
        if let Some(rec) = reg.find_incoming_by_edxml_id(&sender_code, id)? {
            return Err(ImportError::Duplicate {
                id: rec.id,
                reason: format!("DocumentId {id}"),
            });
        }
    }
    let files = tmp.path().join("files");
    let mapped = incoming_from_package(
        reg,
        &pkg,
        Origin {
            sender: &sender_code,
            via: None,
        },
        &files,
        Missing::Refuse,
    )?;
    // Or the same sender + number + date.
    let new = &mapped.new;
    if let Some(id) = same_number(reg, &sender_code, &new.notation, new.document_date)? {
        return Err(ImportError::Duplicate {
            id,
            reason: format!(
                "{sender_code}, {}, {}",
                new.notation,
                new.document_date.format("%d/%m/%Y")
            ),
        });
    }
    let attachments_stored = new.files.len();
    let record = reg.receive_incoming(mapped.new)?;

    // "Đã đến" (01) goes back to the sender automatically (statuses.md §2).
    let rf = edxml::response_for_package(h);
    let arrived = StatusCode::Arrived;
    let now = edxml::dates::now_vn();
    let outbox_id = reg.enqueue_outbox(
        "status",
        Some(record.id),
        Some(&sender_code),
        &serde_json::json!({
            "edxml_document_id": h.document_id,
            "status_code": arrived.code(),
            "description": arrived.label_vi(),
            "note": null,
            "timestamp": iso_timestamp(&now),
            "staff": reg.user(),
            "response_for": response_for_json(&rf),
        }),
    )?;
    crate::index::index_document_text_logged(reg, record.id);
    Ok(ImportOutcome {
        record,
        sender_code,
        sender_known: mapped.sender_known,
        queued_status: arrived.code().to_string(),
        outbox_id,
        attachments_stored,
        broken_attachments: mapped.broken,
        warnings: mapped.warnings,
    })
}

/// An incoming record of `sender` with this number and date.
fn same_number(
    reg: &Registry,
    sender: &str,
    notation: &str,
    date: chrono::NaiveDate,
) -> Result<Option<i64>, vanthu_registry::Error> {
    use vanthu_registry::rusqlite::OptionalExtension;
    Ok(reg
        .connection()
        .query_row(
            "SELECT id FROM documents WHERE register = 'incoming' AND sender_code = ?1
             AND notation = ?2 AND document_date = ?3 ORDER BY id LIMIT 1",
            vanthu_registry::rusqlite::params![sender, notation, sql_date(date)],
            |r| r.get(0),
        )
        .optional()?)
}

fn response_for_json(r: &ResponseFor) -> serde_json::Value {
    serde_json::json!({
        "organ_id": r.organ_id,
        "code": r.code,
        "promulgation_date": r.promulgation_date.map(iso_date),
        "document_id": r.document_id,
    })
}

/// A package built from an outgoing register record: the header from the record and the unit,
/// the attachments from the attachment store, and the record's secrecy (the writer refuses a
/// secret one).
pub struct RecordPackage {
    /// The edXML header: sender, recipients, notation, subject, dates.
    pub header: edxml::Header,
    /// The stored files to attach, in their register order.
    pub attachments: Vec<edxml::OutAttachment<'static>>,
    /// The record's secrecy, which the writer checks before building the package.
    pub secrecy: vanthu_domain::Secrecy,
}

/// Builds the package for sending document `id` of the register.
pub fn package_from_record(reg: &Registry, id: i64) -> Result<RecordPackage, ImportError> {
    let rec = reg.get(id)?;
    let (unit_code, unit_name) = reg.own_unit()?.ok_or_else(|| {
        ImportError::Incomplete("dữ liệu chưa khởi tạo đơn vị / no unit (vanthu init)".into())
    })?;
    let number = DocumentNumber::parse(&rec.notation)
        .map_err(|e| ImportError::Incomplete(format!("số, ký hiệu / document number: {e}")))?;
    let code_number = match (number.number, number.year) {
        (Some(n), Some(y)) => Some(format!("{n}/{y}")),
        (Some(n), None) => Some(n.to_string()),
        _ => None,
    };
    let date = rec.document_date.ok_or_else(|| {
        ImportError::Incomplete("văn bản chưa có ngày ban hành / document not issued".into())
    })?;
    let mut to = Vec::new();
    let mut to_places = Vec::new();
    for r in &rec.recipients {
        if let Some(code) = &r.agency_code {
            to.push(edxml::Organization {
                organ_id: Some(code.clone()),
                organ_name: Some(r.name.clone()),
                organ_in_charge: Some(r.name.clone()),
                ..Default::default()
            });
        }
        to_places.push(r.name.clone());
    }
    let header = edxml::Header {
        from: edxml::Organization {
            organ_id: Some(unit_code.clone()),
            organ_in_charge: Some(unit_name.clone()),
            organ_name: Some(unit_name),
            ..Default::default()
        },
        to,
        // The government SDK form: <sender>,<yyyy/MM/dd>,<number>/<notation>.
        document_id: Some(format!(
            "{unit_code},{},{}/{}",
            edxml::dates::format_date(date),
            code_number.as_deref().unwrap_or(""),
            number.notation
        )),
        code: edxml::DocCode {
            number: code_number.clone(),
            notation: Some(number.notation.clone()),
        },
        promulgation: edxml::Promulgation {
            place: None,
            date: Some(date),
        },
        document_type: edxml::DocumentKind {
            type_name: Some(rec.doc_type.clone()),
            ..Default::default()
        },
        subject: Some(rec.subject.clone()),
        signer: edxml::Signer {
            full_name: rec.signer.clone(),
            ..Default::default()
        },
        due_date: rec.deadline,
        to_places,
        other_info: Some(edxml::OtherInfo {
            priority: Some(rec.urgency.edxml_priority()),
            promulgation_amount: rec.copies,
            ..Default::default()
        }),
        trace: vec![edxml::TraceHeader {
            organ_id: Some(unit_code),
            timestamp: Some(edxml::dates::now_vn()),
        }],
        business: Some(edxml::Business {
            doc_type: Some(0),
            reason: Some("Văn bản điện tử mới".into()),
            paper: Some(0),
            ..Default::default()
        }),
        ..Default::default()
    };
    let attachments = rec
        .attachments
        .iter()
        .map(|a| edxml::OutAttachment {
            meta: edxml::AttachmentMeta {
                content_id: Some(a.sha256[..32].to_string()),
                name: Some(a.file_name.clone()),
                content_type: Some(a.media_type.clone()),
                description: Some(a.file_name.clone()),
            },
            data: edxml::AttachmentData::Path(reg.attachment_path(a)),
        })
        .collect();
    Ok(RecordPackage {
        header,
        attachments,
        secrecy: rec.secrecy,
    })
}
