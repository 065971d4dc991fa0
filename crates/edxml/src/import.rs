//! Import of a received package into the incoming register (feature `registry`): the record
//! is created in state "đã đến" with its attachments, the sender is resolved in the agency
//! directory (an unknown code is learnt and flagged, never dropped), status `01` is queued in
//! the outbox for the sender, and a package already imported is refused naming the record.
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Serialize;
use vanthu_domain::{DocumentNumber, DocumentType, StatusCode, Urgency};
use vanthu_registry::{IncomingRecord, NewIncoming, Registry};

use crate::dates::{iso_date, iso_timestamp};
use crate::{read_package, ReadOptions, ResponseFor};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Edxml(#[from] crate::Error),
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    /// The package was imported before.
    #[error("gói tin đã được nhập: trùng với văn bản id {id} ({reason}) / duplicate package: already imported as record {id} ({reason})")]
    Duplicate { id: i64, reason: String },
    /// The package lacks something the register requires.
    #[error("không vào sổ được / cannot register: {0}")]
    Incomplete(String),
    #[error("lỗi đọc/ghi tệp / I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct ImportOutcome {
    pub record: IncomingRecord,
    pub sender_code: String,
    /// `false`: the sender was not in the agency directory and has been added from the
    /// package (source "hub") for the clerk to check.
    pub sender_known: bool,
    /// The status queued for the sender ("01") and its outbox row.
    pub queued_status: String,
    pub outbox_id: i64,
    pub attachments_stored: usize,
    /// Attachments that could not be decoded (not stored), with the reason.
    pub broken_attachments: Vec<String>,
    pub warnings: Vec<String>,
}

fn sql_date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The document date, falling back on the `DocumentId` of the government SDK form
/// (`<sender>,<yyyy/MM/dd>,<number>/<notation>`).
fn document_date(h: &crate::Header) -> Option<chrono::NaiveDate> {
    h.promulgation.date.or_else(|| {
        let id = h.document_id.as_deref()?;
        let mut parts = id.split(',');
        parts.next()?;
        crate::dates::parse_date(parts.next()?)
    })
}

/// Imports the package at `path` into `reg`.
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
    let mut warnings = pkg.report.warnings.clone();

    let sender_code = h
        .from
        .organ_id
        .clone()
        .expect("reader requires From/OrganId");
    let raw_notation = match (&h.code.number, &h.code.notation) {
        (Some(n), Some(t)) => format!("{n}/{t}"),
        (n, t) => n.clone().or_else(|| t.clone()).unwrap_or_default(),
    };
    // Real senders put letters in CodeNumber (`74fass22`): keep the ký hiệu alone then, and the
    // number as sent in the notes.
    let mut notes = Vec::new();
    let notation = match DocumentNumber::parse(&raw_notation) {
        Ok(n) => n,
        Err(e) => {
            // `/NOTATION` is the domain's form for a lost number.
            let alone = h
                .code
                .notation
                .as_deref()
                .and_then(|t| DocumentNumber::parse(&format!("/{t}")).ok());
            match alone {
                Some(n) => {
                    warnings.push(format!(
                        "số văn bản không hợp lệ, chỉ giữ ký hiệu / invalid number {raw_notation:?}, kept the notation {n}"
                    ));
                    notes.push(format!(
                        "Số, ký hiệu trong gói tin / as sent: {raw_notation}"
                    ));
                    n
                }
                None => {
                    return Err(ImportError::Incomplete(format!(
                        "số, ký hiệu không hợp lệ / invalid document number {raw_notation:?}: {e}"
                    )))
                }
            }
        }
    };
    let date = document_date(h).ok_or_else(|| {
        ImportError::Incomplete(
            "thiếu ngày ban hành / missing PromulgationInfo/PromulgationDate".into(),
        )
    })?;

    // Duplicates: the same DocumentId from the same sender (another agency may write any
    // DocumentId it likes; it must not shadow this sender's), or the same sender + number +
    // date.
    if let Some(id) = &h.document_id {
        if let Some(rec) = reg.find_incoming_by_edxml_id(&sender_code, id)? {
            return Err(ImportError::Duplicate {
                id: rec.id,
                reason: format!("DocumentId {id}"),
            });
        }
    }
    let same: Option<i64> = {
        let conn = reg.connection();
        let mut stmt = conn
            .prepare(
                "SELECT id FROM documents WHERE register = 'incoming' AND sender_code = ?1
                 AND notation = ?2 AND document_date = ?3 ORDER BY id LIMIT 1",
            )
            .map_err(vanthu_registry::Error::from)?;
        let mut rows = stmt
            .query(vanthu_registry::rusqlite::params![
                sender_code,
                notation.to_string(),
                sql_date(date)
            ])
            .map_err(vanthu_registry::Error::from)?;
        match rows.next().map_err(vanthu_registry::Error::from)? {
            Some(r) => Some(r.get(0).map_err(vanthu_registry::Error::from)?),
            None => None,
        }
    };
    if let Some(id) = same {
        return Err(ImportError::Duplicate {
            id,
            reason: format!("{sender_code}, {notation}, {}", date.format("%d/%m/%Y")),
        });
    }

    // Sender: known, or learnt from the package and flagged.
    let sender_known = match reg.resolve_agency(&sender_code) {
        Ok(_) => true,
        Err(vanthu_registry::Error::UnknownAgency(_)) => {
            let name = h
                .from
                .organ_name
                .clone()
                .or_else(|| h.from.organ_in_charge.clone())
                .unwrap_or_else(|| sender_code.clone());
            reg.learn_agency(&sender_code, &name)?;
            warnings.push(format!(
                "đơn vị gửi chưa có trong danh mục, đã thêm để kiểm tra / unknown sender {sender_code} added for review"
            ));
            false
        }
        Err(e) => return Err(e.into()),
    };

    // Tên loại: TypeName when it is a known type; a notation without a type abbreviation is a
    // công văn by convention (NĐ 30/2020).
    let doc_type = match h.document_type.type_name.as_deref() {
        Some(t) if DocumentType::resolve(t).is_some() => t.to_string(),
        other => {
            let by_abbr = notation
                .type_abbreviation()
                .and_then(DocumentType::by_abbreviation)
                .map(|t| t.name.to_string());
            let chosen = by_abbr.unwrap_or_else(|| "Công văn".to_string());
            warnings.push(format!(
                "tên loại không xác định {other:?}, dùng / unknown document type, using {chosen:?}"
            ));
            chosen
        }
    };
    let subject = h
        .subject
        .clone()
        .or_else(|| h.content.clone())
        .ok_or_else(|| ImportError::Incomplete("thiếu trích yếu / missing Subject".into()))?;

    // Attachments: usable ones are renamed to their names (the register keeps file names);
    // broken ones are reported, not stored.
    let mut files: Vec<PathBuf> = Vec::new();
    let mut broken = Vec::new();
    for (i, a) in pkg.attachments.into_iter().enumerate() {
        let name = safe_file_name(a.meta.name.as_deref(), i);
        match (a.broken, a.file) {
            (None, Some(f)) => {
                let dir = tmp.path().join(format!("{i}"));
                std::fs::create_dir(&dir)?;
                let target = dir.join(&name);
                // Zipped by the sender's library: the register keeps the original file.
                crate::zip::copy_unwrapped(f.path(), &target, &name)?;
                files.push(target);
            }
            (why, _) => broken.push(format!(
                "{name}: {}",
                why.unwrap_or_else(|| "không có nội dung / no content".into())
            )),
        }
    }
    let attachments_stored = files.len();
    if !broken.is_empty() {
        notes.push(format!(
            "Tệp đính kèm hỏng khi nhận / broken attachments: {}",
            broken.join("; ")
        ));
    }

    let record = reg.receive_incoming(NewIncoming {
        sender: sender_code.clone(),
        notation: notation.to_string(),
        document_date: date,
        doc_type,
        subject,
        signer: h.signer.full_name.clone(),
        urgency: h
            .other_info
            .as_ref()
            .and_then(|o| o.priority)
            .map(Urgency::from_edxml_priority)
            .unwrap_or(Urgency::Normal),
        deadline: h.due_date,
        notes: (!notes.is_empty()).then(|| notes.join("\n")),
        files,
        edxml_document_id: h.document_id.clone(),
        ..Default::default()
    })?;

    // "Đã đến" (01) goes back to the sender automatically (statuses.md §2).
    let rf = crate::response_for_package(h);
    let arrived = StatusCode::Arrived;
    let now = crate::dates::now_vn();
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
    Ok(ImportOutcome {
        record,
        sender_code,
        sender_known,
        queued_status: arrived.code().to_string(),
        outbox_id,
        attachments_stored,
        broken_attachments: broken,
        warnings,
    })
}

fn response_for_json(r: &ResponseFor) -> serde_json::Value {
    serde_json::json!({
        "organ_id": r.organ_id,
        "code": r.code,
        "promulgation_date": r.promulgation_date.map(iso_date),
        "document_id": r.document_id,
    })
}

/// Base name only, no control or reserved characters, never empty or hidden.
pub fn safe_file_name(raw: Option<&str>, index: usize) -> String {
    let base: String = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    let base = base.trim().trim_start_matches('.').to_string();
    if base.is_empty() {
        format!("dinh-kem-{}", index + 1)
    } else {
        base
    }
}

/// A package built from an outgoing register record: the header from the record and the unit,
/// the attachments from the attachment store, and the record's secrecy (the writer refuses a
/// secret one).
pub struct RecordPackage {
    pub header: crate::Header,
    pub attachments: Vec<crate::OutAttachment<'static>>,
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
            to.push(crate::Organization {
                organ_id: Some(code.clone()),
                organ_name: Some(r.name.clone()),
                organ_in_charge: Some(r.name.clone()),
                ..Default::default()
            });
        }
        to_places.push(r.name.clone());
    }
    let header = crate::Header {
        from: crate::Organization {
            organ_id: Some(unit_code.clone()),
            organ_in_charge: Some(unit_name.clone()),
            organ_name: Some(unit_name),
            ..Default::default()
        },
        to,
        // The government SDK form: <sender>,<yyyy/MM/dd>,<number>/<notation>.
        document_id: Some(format!(
            "{unit_code},{},{}/{}",
            crate::dates::format_date(date),
            code_number.as_deref().unwrap_or(""),
            number.notation
        )),
        code: crate::DocCode {
            number: code_number.clone(),
            notation: Some(number.notation.clone()),
        },
        promulgation: crate::Promulgation {
            place: None,
            date: Some(date),
        },
        document_type: crate::DocumentKind {
            type_name: Some(rec.doc_type.clone()),
            ..Default::default()
        },
        subject: Some(rec.subject.clone()),
        signer: crate::Signer {
            full_name: rec.signer.clone(),
            ..Default::default()
        },
        due_date: rec.deadline,
        to_places,
        other_info: Some(crate::OtherInfo {
            priority: Some(rec.urgency.edxml_priority()),
            promulgation_amount: rec.copies,
            ..Default::default()
        }),
        trace: vec![crate::TraceHeader {
            organ_id: Some(unit_code),
            timestamp: Some(crate::dates::now_vn()),
        }],
        business: Some(crate::Business {
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
        .map(|a| crate::OutAttachment {
            meta: crate::AttachmentMeta {
                content_id: Some(a.sha256[..32].to_string()),
                name: Some(a.file_name.clone()),
                content_type: Some(a.media_type.clone()),
                description: Some(a.file_name.clone()),
            },
            data: crate::AttachmentData::Path(reg.attachment_path(a)),
        })
        .collect();
    Ok(RecordPackage {
        header,
        attachments,
        secrecy: rec.secrecy,
    })
}
