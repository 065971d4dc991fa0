//! The one mapping from a received edXML package to an incoming record (`NewIncoming`), used
//! by the file import (`vanthu incoming import`, [`crate::import`]) and the hub receive
//! ([`crate::receive`]). Both ways a package arrives read the same header fields the same way;
//! they differ only in who the sender is (the header's From for a file, the authenticated hub
//! account for the hub) and in what a missing date or subject does ([`Missing`]).
use std::path::{Path, PathBuf};

use vanthu_domain::{DocumentNumber, DocumentType, Secrecy, Urgency};
use vanthu_edxml::{Header, Package};
use vanthu_registry::{NewIncoming, Registry};

/// Why a package cannot become a record.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The package lacks something the register requires.
    #[error("không vào sổ được / cannot register: {0}")]
    Incomplete(String),
    /// The register refused the record or its attachments.
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    /// An attachment could not be written to the attachment store.
    #[error("lỗi đọc/ghi tệp / I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// An attachment could not be unpacked.
    #[error(transparent)]
    Edxml(#[from] vanthu_edxml::Error),
}

/// Who the record is entered under.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The sender's agency code.
    pub sender: &'a str,
    /// A relay account that forwarded the package for `sender` (hub only).
    pub via: Option<&'a str>,
}

/// What a missing promulgation date or subject does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// A file the clerk chose: refused, the sender can be asked for a complete one.
    Refuse,
    /// A package the hub delivered and already acknowledged: entered anyway (today's date,
    /// "(không có trích yếu)") so the clerk sees it rather than an error in the inbox.
    Fill,
}

/// A package as a record to enter, with what the clerk should know about it.
#[derive(Debug)]
pub struct Mapped {
    /// The record to enter, filled from the package header.
    pub new: NewIncoming,
    /// `false`: the sender was not in the agency directory and has been learnt from the
    /// package (source "hub") for the clerk to check.
    pub sender_known: bool,
    /// What the clerk should check (missing or doubtful fields filled in).
    pub warnings: Vec<String>,
    /// Attachments that could not be decoded (not stored), with the reason; also in the notes.
    pub broken: Vec<String>,
}

/// The incoming record `pkg` describes. Attachments are copied (unzipped when the sender's
/// library zipped them) under `dir`, one folder each so every file keeps its own name; the
/// sender is learnt into the agency directory when unknown.
pub fn incoming_from_package(
    reg: &mut Registry,
    pkg: &Package,
    origin: Origin<'_>,
    dir: &Path,
    missing: Missing,
) -> Result<Mapped, MapError> {
    let h = &pkg.header;
    let mut warnings = pkg.report.warnings.clone();
    let mut notes = Vec::new();
    let notation = notation(h, &mut warnings, &mut notes)?;
    let document_date = match (document_date(h), missing) {
        (Some(d), _) => d,
        (None, Missing::Fill) => chrono::Local::now().date_naive(),
        (None, Missing::Refuse) => {
            return Err(MapError::Incomplete(
                "thiếu ngày ban hành / missing PromulgationInfo/PromulgationDate".into(),
            ))
        }
    };
    let subject = match (first_text([&h.subject, &h.content]), missing) {
        (Some(s), _) => s,
        (None, Missing::Fill) => "(không có trích yếu)".to_owned(),
        (None, Missing::Refuse) => {
            return Err(MapError::Incomplete(
                "thiếu trích yếu / missing Subject".into(),
            ))
        }
    };
    let sender_known = learn_sender(reg, h, origin.sender, &mut warnings)?;
    let via = origin.via.map(|gw| match reg.resolve_agency(gw) {
        Ok(a) => a.name,
        Err(_) => gw.to_owned(),
    });
    let doc_type = doc_type(h, &notation, &mut warnings);
    let (files, broken) = attachments(pkg, dir)?;
    if !broken.is_empty() {
        notes.push(format!(
            "Tệp đính kèm hỏng khi nhận / broken attachments: {}",
            broken.join("; ")
        ));
    }
    let new = NewIncoming {
        sender: origin.sender.to_owned(),
        notation: notation.to_string(),
        document_date,
        doc_type,
        subject,
        signer: h.signer.full_name.clone(),
        urgency: h
            .other_info
            .as_ref()
            .and_then(|o| o.priority)
            .map(Urgency::from_edxml_priority)
            .unwrap_or(Urgency::Normal),
        // Packages marked mật never travel (vanthu_edxml refuses to write them, the hub and
        // the engine refuse them by content).
        secrecy: Secrecy::Normal,
        deadline: h.due_date,
        notes: (!notes.is_empty()).then(|| notes.join("\n")),
        files,
        body_text: h.content.clone(),
        edxml_document_id: h.document_id.clone(),
        via,
        ..Default::default()
    };
    Ok(Mapped {
        new,
        sender_known,
        warnings,
        broken,
    })
}

/// Số, ký hiệu. Real senders put letters in CodeNumber (`74fass22`): the ký hiệu alone is kept
/// then (`/NOTATION` is the domain's form for a lost number) and the number as sent goes to
/// the notes.
fn notation(
    h: &Header,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<DocumentNumber, MapError> {
    let raw = match (&h.code.number, &h.code.notation) {
        (Some(n), Some(t)) => format!("{n}/{t}"),
        (Some(n), None) => n.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => {
            return Err(MapError::Incomplete(
                "gói tin không có số, ký hiệu / no number or notation".into(),
            ))
        }
    };
    let e = match DocumentNumber::parse(&raw) {
        Ok(n) => return Ok(n),
        Err(e) => e,
    };
    let alone = h
        .code
        .notation
        .as_deref()
        .and_then(|t| DocumentNumber::parse(&format!("/{t}")).ok());
    match alone {
        Some(n) => {
            warnings.push(format!(
                "số văn bản không hợp lệ, chỉ giữ ký hiệu / invalid number {raw:?}, kept the notation {n}"
            ));
            notes.push(format!("Số, ký hiệu trong gói tin / as sent: {raw}"));
            Ok(n)
        }
        None => Err(MapError::Incomplete(format!(
            "số, ký hiệu không hợp lệ / invalid document number {raw:?}: {e}"
        ))),
    }
}

/// The document date, falling back on the `DocumentId` of the government SDK form
/// (`<sender>,<yyyy/MM/dd>,<number>/<notation>`).
fn document_date(h: &Header) -> Option<chrono::NaiveDate> {
    h.promulgation.date.or_else(|| {
        let id = h.document_id.as_deref()?;
        let mut parts = id.split(',');
        parts.next()?;
        vanthu_edxml::dates::parse_date(parts.next()?)
    })
}

fn first_text<const N: usize>(candidates: [&Option<String>; N]) -> Option<String> {
    candidates
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .cloned()
}

/// The sender in the agency directory: known, or learnt from the package and flagged. The
/// header's names describe the header's From, so they are used only when that is the sender.
fn learn_sender(
    reg: &mut Registry,
    h: &Header,
    sender: &str,
    warnings: &mut Vec<String>,
) -> Result<bool, MapError> {
    match reg.resolve_agency(sender) {
        Ok(_) => Ok(true),
        Err(vanthu_registry::Error::UnknownAgency(_)) => {
            let name = Some(&h.from)
                .filter(|f| f.organ_id.as_deref() == Some(sender))
                .and_then(|f| first_text([&f.organ_name, &f.organ_in_charge]))
                .unwrap_or_else(|| sender.to_owned());
            reg.learn_agency(sender, &name)?;
            warnings.push(format!(
                "đơn vị gửi chưa có trong danh mục, đã thêm để kiểm tra / unknown sender {sender} added for review"
            ));
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Tên loại: TypeName when it is a known type; a notation without a type abbreviation is a
/// công văn by convention (NĐ 30/2020).
fn doc_type(h: &Header, notation: &DocumentNumber, warnings: &mut Vec<String>) -> String {
    match h.document_type.type_name.as_deref() {
        Some(t) if DocumentType::resolve(t).is_some() => t.to_string(),
        other => {
            let chosen = notation
                .type_abbreviation()
                .and_then(DocumentType::by_abbreviation)
                .map(|t| t.name.to_string())
                .unwrap_or_else(|| "Công văn".to_string());
            warnings.push(format!(
                "tên loại không xác định {other:?}, dùng / unknown document type, using {chosen:?}"
            ));
            chosen
        }
    }
}

/// Usable attachments copied under `dir` with their own (portable) names; broken ones
/// reported, not stored.
fn attachments(pkg: &Package, dir: &Path) -> Result<(Vec<PathBuf>, Vec<String>), MapError> {
    let mut files = Vec::new();
    let mut broken = Vec::new();
    for (i, a) in pkg.attachments.iter().enumerate() {
        let name = attachment_name(a.meta.name.as_deref(), i);
        match (&a.broken, &a.file) {
            (None, Some(f)) => {
                let folder = dir.join(i.to_string());
                std::fs::create_dir_all(&folder)?;
                let target = folder.join(&name);
                // Zipped by the sender's library: the register keeps the original file.
                vanthu_edxml::zip::copy_unwrapped(f.path(), &target, &name)?;
                files.push(target);
            }
            (why, _) => broken.push(format!(
                "{name}: {}",
                why.clone()
                    .unwrap_or_else(|| "không có nội dung / no content".into())
            )),
        }
    }
    Ok((files, broken))
}

/// An attachment's name as a file name Linux and Windows accept
/// ([`vanthu_domain::paths::portable_file_name`]), `dinh-kem-N` when nothing usable remains.
pub fn attachment_name(raw: Option<&str>, index: usize) -> String {
    raw.and_then(vanthu_domain::paths::portable_file_name)
        .unwrap_or_else(|| format!("dinh-kem-{}", index + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_are_portable_and_never_empty() {
        assert_eq!(attachment_name(Some("../../etc/x.pdf"), 0), "x.pdf");
        assert_eq!(attachment_name(Some("a:b?.pdf"), 0), "ab.pdf");
        assert_eq!(attachment_name(Some("..."), 2), "dinh-kem-3");
        assert_eq!(attachment_name(None, 0), "dinh-kem-1");
        assert_eq!(attachment_name(Some("CON.pdf"), 0), "_CON.pdf");
    }
}
