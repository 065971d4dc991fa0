//! Archive packages (nộp lưu; ../shared/spec/registers.md §6, docs/archive.md): chosen
//! records of the register as one zip file for the agency archive, with
//! * `ho-so.xml`, the file (hồ sơ) metadata of NĐ 30 Phụ lục VI / TT 02/2019;
//! * `van-ban.xml`, the metadata of every document (16 fields outgoing, 18 incoming);
//! * `tep/NNN/…`, every attachment as stored, signed PDFs untouched;
//! * `kiem-tra-chu-ky/NNN-k.txt`, the signature validation report of each PDF at export;
//! * `records.json`, what `import` needs to enter the records again;
//! * `manifest.json`, the SHA-256 and size of every other entry.
//!
//! `verify_package` re-checks every checksum and every signature; `import_package` restores
//! the records, with their numbers, into an empty register after a successful verification.
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vanthu_domain::paths::portable_file_name;
use vanthu_domain::{Secrecy, Urgency};
use vanthu_registry::{
    ArchivedRecord, DocumentRecord, NewAgency, NewIncoming, NewOutgoing, Register, Registry,
};
use vanthu_sign::verify::verify_bytes_with;
use vanthu_sign::TrustStore;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// `format` of an archive manifest.
pub const FORMAT: &str = "vanthu-archive";
/// The version this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// File name extension of archive packages.
pub const EXTENSION: &str = "vtarc";
const MANIFEST: &str = "manifest.json";
const RECORDS: &str = "records.json";
/// At most this many bytes of one entry are read back (a damaged or hostile zip).
const MAX_ENTRY: u64 = 4 << 30;

/// What went wrong with an archive package.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The register could not be read or written.
    #[error("{0}")]
    Registry(#[from] vanthu_registry::Error),
    /// A file could not be read or written.
    #[error("không đọc ghi được {path} / cannot read or write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a package this version reads, or damaged beyond reading.
    #[error("gói lưu trữ không hợp lệ / not a valid archive package: {0}")]
    Invalid(String),
    /// The request names nothing to archive or something that cannot be archived.
    #[error("{0}")]
    Request(String),
    /// Verification found problems; nothing was imported.
    #[error("gói lưu trữ không toàn vẹn, không nhập / the package failed verification: {0}")]
    Failed(String),
    /// The package belongs to another unit than the register's.
    #[error("gói lưu trữ của đơn vị {0}, sổ này của đơn vị {1} / the package is unit {0}'s, the register unit {1}'s")]
    OtherUnit(String, String),
}

type Result<T> = std::result::Result<T, ArchiveError>;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn bad(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Invalid(e.to_string())
}

/// The file (hồ sơ) an export makes.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct FileInfo {
    /// Số và ký hiệu hồ sơ (`01.TCCB`).
    pub notation: String,
    /// Tiêu đề hồ sơ.
    pub title: String,
    /// Thời hạn bảo quản (`Vĩnh viễn`, `10 năm`).
    pub maintenance: String,
    /// Chế độ sử dụng (`Công khai`, `Hạn chế`).
    pub rights: String,
    /// Người lập hồ sơ.
    pub creator: Option<String>,
    /// Ghi chú.
    pub description: Option<String>,
}

/// One entry of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the package.
    pub path: String,
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// The unit's code (`OrganId`).
    pub organ_id: String,
    /// The unit's name.
    pub organ_name: String,
    /// Mã hồ sơ: `OrganId.Year.Notation`.
    pub file_code: String,
    /// When the package was made (RFC 3339).
    pub created_at: String,
    /// Records in the package.
    pub documents: u64,
    /// Every other entry.
    pub entries: Vec<Entry>,
}

/// One signature as validated at export.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignatureAtExport {
    /// Field name.
    pub field: String,
    /// Signer's name.
    pub signer: String,
    /// The signed bytes were unchanged and the signature valid at export.
    pub valid: bool,
}

/// One attachment of a record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedFile {
    /// Path inside the package.
    pub path: String,
    /// The file's name in the register.
    pub file_name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Signatures found at export (PDFs).
    pub signatures: Vec<SignatureAtExport>,
}

/// One record as `records.json` keeps it: what the register needs to enter it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedDocument {
    /// Số thứ tự văn bản trong hồ sơ.
    pub ordinal: u32,
    /// `incoming` | `outgoing`.
    pub register: String,
    /// Số đến / số văn bản đi.
    pub number: u32,
    /// Full notation (`12/UBND-VP`).
    pub notation: String,
    /// Sender code or name (incoming).
    pub sender: Option<String>,
    /// Ngày văn bản.
    pub document_date: Option<NaiveDate>,
    /// Ngày đến (incoming).
    pub arrival_date: Option<NaiveDate>,
    /// Loại văn bản.
    pub doc_type: String,
    /// Trích yếu.
    pub subject: String,
    /// Người ký.
    pub signer: Option<String>,
    /// Độ khẩn (`normal`, `urgent`…).
    pub urgency: String,
    /// Độ mật.
    pub secrecy: String,
    /// Hạn.
    pub deadline: Option<NaiveDate>,
    /// Người xử lý (incoming).
    pub handler: Option<String>,
    /// Ghi chú.
    pub notes: Option<String>,
    /// Nơi nhận (outgoing): codes where known, else the text.
    pub recipients: Vec<String>,
    /// Số lượng bản (outgoing).
    pub copies: Option<u32>,
    /// Bản lưu (outgoing).
    pub archive_copy_holder: Option<String>,
    /// Đơn vị soạn thảo (outgoing).
    pub drafting_unit: Option<String>,
    /// Its files.
    pub files: Vec<ArchivedFile>,
}

/// `records.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Records {
    /// The file (hồ sơ).
    pub file: FileInfo,
    /// Agencies the records name by code, with their names (for a register that lacks them).
    pub agencies: BTreeMap<String, String>,
    /// The records, in their order in the file.
    pub documents: Vec<ArchivedDocument>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    /// The package.
    pub path: String,
    /// Mã hồ sơ.
    pub file_code: String,
    /// Records.
    pub documents: u64,
    /// Attachments.
    pub files: u64,
    /// Signatures that validated at export.
    pub signatures_valid: u64,
}

fn sha_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot carry are dropped rather than written broken.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

struct Xml(String);

impl Xml {
    fn el(&mut self, indent: usize, name: &str, value: impl AsRef<str>) {
        self.0.push_str(&format!(
            "{}<{name}>{}</{name}>\n",
            "  ".repeat(indent),
            xml_escape(value.as_ref())
        ));
    }
    fn open(&mut self, indent: usize, name: &str) {
        self.0
            .push_str(&format!("{}<{name}>\n", "  ".repeat(indent)));
    }
    fn close(&mut self, indent: usize, name: &str) {
        self.0
            .push_str(&format!("{}</{name}>\n", "  ".repeat(indent)));
    }
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// Number of pages of a PDF, when it parses.
fn page_count(data: &[u8]) -> Option<usize> {
    vanthu_sign::pdf::doc::Doc::open(data)
        .ok()?
        .pages()
        .ok()
        .map(|p| p.len())
}

struct Exported {
    record: DocumentRecord,
    doc: ArchivedDocument,
    pages: Option<usize>,
}

/// Writes the records `ids` (in that order) as one archive package at `out`.
pub fn export_package(
    reg: &Registry,
    ids: &[i64],
    file: &FileInfo,
    trust: &TrustStore,
    out: &Path,
) -> Result<ExportSummary> {
    if ids.is_empty() {
        return Err(ArchiveError::Request(
            "chưa chọn văn bản nào để nộp lưu / no document chosen".into(),
        ));
    }
    if file.notation.trim().is_empty() || file.title.trim().is_empty() {
        return Err(ArchiveError::Request(
            "hồ sơ cần số, ký hiệu và tiêu đề / the file needs a notation and a title".into(),
        ));
    }
    let (organ_id, organ_name) = reg.own_unit()?.ok_or_else(|| {
        ArchiveError::Request("chưa khai báo đơn vị / the unit is not set up".into())
    })?;
    let mut records = Vec::new();
    for id in ids {
        let r = reg.get(*id)?;
        if reg.mirror_info(*id)?.is_some() || r.number.is_none() && r.arrival_number.is_none() {
            return Err(ArchiveError::Request(format!(
                "văn bản {id} chưa có số trong sổ, không nộp lưu được / document {id} has no register number"
            )));
        }
        records.push(r);
    }
    let year = records
        .iter()
        .filter_map(|r| r.year)
        .min()
        .unwrap_or_else(|| chrono::Datelike::year(&chrono::Local::now().date_naive()));
    let file_code = format!("{organ_id}.{year}.{}", file.notation.trim());

    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    let mut zip = ZipWriter::new(tmp.reopen().map_err(io_err(out))?);
    let mut entries = Vec::new();
    let mut add = |zip: &mut ZipWriter<File>, path: String, data: &[u8]| -> Result<()> {
        let compress = !path.ends_with(".pdf");
        let opts = SimpleFileOptions::default()
            .compression_method(if compress {
                CompressionMethod::Deflated
            } else {
                CompressionMethod::Stored
            })
            .large_file(data.len() as u64 > u32::MAX as u64);
        zip.start_file(path.as_str(), opts).map_err(bad)?;
        zip.write_all(data).map_err(io_err(out))?;
        entries.push(Entry {
            sha256: sha_hex(data),
            size: data.len() as u64,
            path,
        });
        Ok(())
    };

    let mut agencies = BTreeMap::new();
    let mut exported = Vec::new();
    let mut signatures_valid = 0;
    let mut file_count = 0;
    for (i, r) in records.into_iter().enumerate() {
        let ordinal = i as u32 + 1;
        if let Some(code) = &r.sender_code {
            agencies.insert(code.clone(), r.sender.clone().unwrap_or_default());
        }
        for rc in &r.recipients {
            if let Some(code) = &rc.agency_code {
                agencies.insert(code.clone(), rc.name.clone());
            }
        }
        let mut files = Vec::new();
        let mut pages = None;
        for (k, a) in r.attachments.iter().enumerate() {
            let path = reg.attachment_path(a);
            let data = fs::read(&path).map_err(io_err(&path))?;
            if sha_hex(&data) != a.sha256 {
                return Err(ArchiveError::Failed(format!(
                    "tệp {} của văn bản {} đã bị thay đổi trong kho / attachment changed in the store",
                    a.file_name, r.id
                )));
            }
            let name = portable_file_name(&a.file_name).unwrap_or_else(|| format!("tep-{}", k + 1));
            let inner = format!("tep/{ordinal:03}/{}-{name}", k + 1);
            let mut signatures = Vec::new();
            if a.media_type == "application/pdf" {
                pages = pages.or_else(|| page_count(&data));
                if let Ok(report) = verify_bytes_with(&data, trust) {
                    if !report.signatures.is_empty() {
                        let text = report.to_text();
                        add(
                            &mut zip,
                            format!("kiem-tra-chu-ky/{ordinal:03}-{}.txt", k + 1),
                            text.as_bytes(),
                        )?;
                    }
                    for s in &report.signatures {
                        let valid = s.intact && s.valid && !s.modified_after;
                        signatures_valid += u64::from(valid);
                        signatures.push(SignatureAtExport {
                            field: s.field.clone(),
                            signer: s.signer.clone(),
                            valid,
                        });
                    }
                }
            }
            add(&mut zip, inner.clone(), &data)?;
            file_count += 1;
            files.push(ArchivedFile {
                path: inner,
                file_name: a.file_name.clone(),
                sha256: a.sha256.clone(),
                signatures,
            });
        }
        let incoming = r.register == Register::Incoming;
        let doc = ArchivedDocument {
            ordinal,
            register: r.register.as_str().into(),
            number: r.arrival_number.or(r.number).unwrap_or_default(),
            notation: r.notation.clone(),
            sender: if incoming {
                r.sender_code.clone().or_else(|| r.sender.clone())
            } else {
                None
            },
            document_date: r.document_date,
            arrival_date: r.arrival_date,
            doc_type: r.doc_type.clone(),
            subject: r.subject.clone(),
            signer: r.signer.clone(),
            urgency: r.urgency.as_str().into(),
            secrecy: r.secrecy.as_str().into(),
            deadline: r.deadline,
            handler: r.handler.clone(),
            notes: r.notes.clone(),
            recipients: r
                .recipients
                .iter()
                .map(|rc| rc.agency_code.clone().unwrap_or_else(|| rc.name.clone()))
                .collect(),
            copies: r.copies,
            archive_copy_holder: r.archive_copy_holder.clone(),
            drafting_unit: r.drafting_unit.clone(),
            files,
        };
        exported.push(Exported {
            record: r,
            doc,
            pages,
        });
    }

    let records_json = Records {
        file: file.clone(),
        agencies,
        documents: exported.iter().map(|e| e.doc.clone()).collect(),
    };
    add(
        &mut zip,
        "ho-so.xml".into(),
        file_xml(&organ_id, year, file, &exported).as_bytes(),
    )?;
    add(
        &mut zip,
        "van-ban.xml".into(),
        documents_xml(&organ_id, &organ_name, year, file, &exported).as_bytes(),
    )?;
    add(
        &mut zip,
        RECORDS.into(),
        &serde_json::to_vec_pretty(&records_json).map_err(bad)?,
    )?;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        organ_id,
        organ_name,
        file_code: file_code.clone(),
        created_at: chrono::Local::now().to_rfc3339(),
        documents: exported.len() as u64,
        entries,
    };
    zip.start_file(MANIFEST, SimpleFileOptions::default())
        .map_err(bad)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest).map_err(bad)?)
        .map_err(io_err(out))?;
    let f = zip.finish().map_err(bad)?;
    f.sync_all().map_err(io_err(out))?;
    let (_, tmp_path) = tmp.keep().map_err(|e| io_err(out)(e.error))?;
    vanthu_domain::paths::replace_file(&tmp_path, out).map_err(|e| {
        let _ = fs::remove_file(&tmp_path);
        io_err(out)(e)
    })?;
    Ok(ExportSummary {
        path: out.display().to_string(),
        file_code,
        documents: manifest.documents,
        files: file_count,
        signatures_valid,
    })
}

/// `ho-so.xml`: the 11 fields of a file (registers.md §6.2).
fn file_xml(organ_id: &str, year: i32, file: &FileInfo, docs: &[Exported]) -> String {
    let mut x = Xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".into());
    x.open(0, "File");
    x.open(1, "FileCode");
    x.el(2, "OrganId", organ_id);
    x.el(2, "FileCatalog", year.to_string());
    x.el(2, "FileNotation", file.notation.trim());
    x.close(1, "FileCode");
    x.el(1, "Title", &file.title);
    x.el(1, "Maintenance", &file.maintenance);
    x.el(1, "Rights", &file.rights);
    x.el(1, "Creator", file.creator.as_deref().unwrap_or_default());
    x.el(1, "Language", "Tiếng Việt");
    let dates: Vec<NaiveDate> = docs.iter().filter_map(|d| d.record.document_date).collect();
    x.el(1, "StartDate", date_text(dates.iter().min().copied()));
    x.el(1, "EndDate", date_text(dates.iter().max().copied()));
    x.el(1, "DocTotal", docs.len().to_string());
    x.el(
        1,
        "PageTotal",
        docs.iter()
            .filter_map(|d| d.pages)
            .sum::<usize>()
            .to_string(),
    );
    x.el(
        1,
        "Description",
        file.description.as_deref().unwrap_or_default(),
    );
    x.close(0, "File");
    x.0
}

/// `van-ban.xml`: 16 fields per outgoing document, 18 per incoming (registers.md §6.2).
fn documents_xml(
    organ_id: &str,
    organ_name: &str,
    year: i32,
    file: &FileInfo,
    docs: &[Exported],
) -> String {
    let mut x = Xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".into());
    x.open(0, "Documents");
    for e in docs {
        let r = &e.record;
        let incoming = r.register == Register::Incoming;
        x.open(
            1,
            if incoming {
                "IncomingDocument"
            } else {
                "OutgoingDocument"
            },
        );
        x.open(2, "FileCode");
        x.el(3, "OrganId", organ_id);
        x.el(3, "FileCatalog", year.to_string());
        x.el(3, "FileNotation", file.notation.trim());
        x.close(2, "FileCode");
        x.el(2, "DocOrdinal", e.doc.ordinal.to_string());
        x.el(2, "TypeName", &r.doc_type);
        let (number, notation) = r
            .notation
            .split_once('/')
            .map(|(n, rest)| (n.to_owned(), rest.to_owned()))
            .unwrap_or_else(|| (e.doc.number.to_string(), r.notation.clone()));
        x.el(2, "CodeNumber", number);
        x.el(2, "CodeNotation", notation);
        x.el(2, "IssuedDate", date_text(r.document_date));
        x.el(
            2,
            "OrganName",
            if incoming {
                r.sender.as_deref().unwrap_or_default()
            } else {
                organ_name
            },
        );
        x.el(2, "Subject", &r.subject);
        x.el(2, "Language", "Tiếng Việt");
        x.el(
            2,
            "PageAmount",
            e.pages.map(|p| p.to_string()).unwrap_or_default(),
        );
        x.el(2, "Description", r.notes.as_deref().unwrap_or_default());
        x.open(2, "SignerInfo");
        x.el(3, "Position", "");
        x.el(3, "FullName", r.signer.as_deref().unwrap_or_default());
        x.close(2, "SignerInfo");
        for rc in &r.recipients {
            x.open(2, "To");
            x.el(3, "OrganId", rc.agency_code.as_deref().unwrap_or_default());
            x.el(3, "OrganName", &rc.name);
            x.close(2, "To");
        }
        x.el(2, "Priority", r.urgency.edxml_priority().to_string());
        x.el(
            2,
            "IssuedAmount",
            r.copies.map(|c| c.to_string()).unwrap_or_default(),
        );
        x.el(2, "DueDate", date_text(r.deadline));
        if incoming {
            x.el(2, "ArrivalDate", date_text(r.arrival_date));
            x.el(2, "ArrivalNumber", e.doc.number.to_string());
            x.el(2, "ToPlaces", r.handler.as_deref().unwrap_or_default());
            x.el(2, "TraceHeaderList", "");
        }
        x.open(2, "Attachments");
        for f in &e.doc.files {
            x.0.push_str(&format!(
                "      <Attachment path=\"{}\" sha256=\"{}\">{}</Attachment>\n",
                xml_escape(&f.path),
                f.sha256,
                xml_escape(&f.file_name)
            ));
        }
        x.close(2, "Attachments");
        x.close(
            1,
            if incoming {
                "IncomingDocument"
            } else {
                "OutgoingDocument"
            },
        );
    }
    x.close(0, "Documents");
    x.0
}

/// What a verification found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifySummary {
    /// Mã hồ sơ.
    pub file_code: String,
    /// The unit the package belongs to.
    pub organ_id: String,
    /// Records.
    pub documents: u64,
    /// Entries whose checksum was checked.
    pub entries: u64,
    /// Signatures checked again.
    pub signatures: u64,
    /// Everything wrong (empty when the package is intact).
    pub problems: Vec<String>,
}

impl VerifySummary {
    /// No problem found.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// SHA-256 and size of an entry, reading at most `declared + 1` bytes of it.
fn hash_entry<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
    declared: u64,
) -> Result<(String, u64)> {
    let f = zip.by_name(name).map_err(bad)?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut f.take(declared.saturating_add(1)), &mut hasher).map_err(bad)?;
    Ok((hex::encode(hasher.finalize()), size))
}

fn read_entry<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str) -> Result<Vec<u8>> {
    let f = zip
        .by_name(name)
        .map_err(|_| bad(format!("thiếu {name} / {name} missing")))?;
    let mut data = Vec::new();
    f.take(MAX_ENTRY).read_to_end(&mut data).map_err(bad)?;
    Ok(data)
}

fn open(path: &Path) -> Result<ZipArchive<BufReader<File>>> {
    let f = File::open(path).map_err(io_err(path))?;
    ZipArchive::new(BufReader::new(f)).map_err(bad)
}

fn read_manifest<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<Manifest> {
    let m: Manifest = serde_json::from_slice(&read_entry(zip, MANIFEST)?).map_err(bad)?;
    if m.format != FORMAT || m.version != FORMAT_VERSION {
        return Err(bad(format!(
            "định dạng {} phiên bản {} / format {} version {}",
            m.format, m.version, m.format, m.version
        )));
    }
    Ok(m)
}

/// Re-checks a package: every entry against the manifest (nothing missing, nothing extra,
/// every checksum), the records against the files, and every signature that was valid at
/// export is still intact and valid.
pub fn verify_package(path: &Path, trust: &TrustStore) -> Result<VerifySummary> {
    let mut zip = open(path)?;
    let manifest = read_manifest(&mut zip)?;
    let mut s = VerifySummary {
        file_code: manifest.file_code.clone(),
        organ_id: manifest.organ_id.clone(),
        documents: manifest.documents,
        ..Default::default()
    };
    let listed: BTreeMap<&str, &Entry> = manifest
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    for i in 0..zip.len() {
        let name = zip.by_index(i).map_err(bad)?.name().to_owned();
        if name != MANIFEST && !listed.contains_key(name.as_str()) {
            s.problems
                .push(format!("tệp lạ trong gói / unlisted entry: {name}"));
        }
    }
    // Every entry is hashed as it streams, at most one byte past its declared size; only
    // records.json and, one at a time below, the signed PDFs are held in memory.
    let mut intact: BTreeMap<&str, &str> = BTreeMap::new();
    for e in &manifest.entries {
        match hash_entry(&mut zip, &e.path, e.size) {
            Ok((sha, size)) if size == e.size && sha == e.sha256 => {
                s.entries += 1;
                intact.insert(e.path.as_str(), e.sha256.as_str());
            }
            Ok(_) => s
                .problems
                .push(format!("sai mã kiểm tra / checksum mismatch: {}", e.path)),
            Err(_) => s
                .problems
                .push(format!("thiếu tệp / missing entry: {}", e.path)),
        }
    }
    if !intact.contains_key(RECORDS) {
        s.problems.push(format!("thiếu / missing: {RECORDS}"));
        return Ok(s);
    }
    let records: Records = serde_json::from_slice(&read_entry(&mut zip, RECORDS)?).map_err(bad)?;
    if records.documents.len() as u64 != manifest.documents {
        s.problems.push(format!(
            "số văn bản {} khác bản kê {} / record count differs from the manifest",
            records.documents.len(),
            manifest.documents
        ));
    }
    for d in &records.documents {
        for f in &d.files {
            let Some(sha) = intact.get(f.path.as_str()) else {
                s.problems
                    .push(format!("thiếu tệp / missing file: {}", f.path));
                continue;
            };
            if *sha != f.sha256 {
                s.problems.push(format!(
                    "tệp khác bản ghi / file differs from its record: {}",
                    f.path
                ));
            }
            if f.signatures.is_empty() {
                continue;
            }
            let data = read_entry(&mut zip, &f.path)?;
            let now = verify_bytes_with(&data, trust)
                .map(|r| r.signatures)
                .unwrap_or_default();
            for before in &f.signatures {
                s.signatures += 1;
                let still = now
                    .iter()
                    .any(|n| n.field == before.field && n.intact && n.valid && !n.modified_after);
                if before.valid && !still {
                    s.problems.push(format!(
                        "chữ ký {} ({}) trong {} không còn hợp lệ / signature no longer valid",
                        before.field, before.signer, f.path
                    ));
                }
            }
        }
    }
    Ok(s)
}

/// What an import entered.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// Mã hồ sơ.
    pub file_code: String,
    /// New ids, in the file's order.
    pub ids: Vec<i64>,
}

fn level<T: std::str::FromStr + Default>(s: &str) -> T {
    s.parse().unwrap_or_default()
}

/// Restores the records of a verified package into `reg`, which must hold no document. A
/// register without a unit is set up as the package's unit; another unit's is refused.
pub fn import_package(
    reg: &mut Registry,
    path: &Path,
    trust: &TrustStore,
) -> Result<ImportSummary> {
    let summary = verify_package(path, trust)?;
    if !summary.ok() {
        return Err(ArchiveError::Failed(summary.problems.join("; ")));
    }
    let mut zip = open(path)?;
    let manifest = read_manifest(&mut zip)?;
    match reg.own_unit()? {
        Some((code, _)) if code != manifest.organ_id => {
            return Err(ArchiveError::OtherUnit(manifest.organ_id, code))
        }
        Some(_) => {}
        None => {
            reg.init_unit(&manifest.organ_id, &manifest.organ_name)?;
        }
    }
    let records: Records = serde_json::from_slice(&read_entry(&mut zip, RECORDS)?).map_err(bad)?;
    for (code, name) in &records.agencies {
        if reg.agency_names(std::slice::from_ref(code))?.is_empty() {
            reg.add_agency(NewAgency {
                code: code.clone(),
                name: name.clone(),
                ..Default::default()
            })?;
        }
    }
    // The files go back under their own names, each record's in its own folder.
    let scratch = tempfile::tempdir().map_err(io_err(path))?;
    let mut items = Vec::new();
    for d in &records.documents {
        let mut files = Vec::new();
        for (k, f) in d.files.iter().enumerate() {
            let name = portable_file_name(&f.file_name).unwrap_or_else(|| format!("tep-{}", k + 1));
            let dir: PathBuf = scratch.path().join(format!("{}-{k}", d.ordinal));
            fs::create_dir_all(&dir).map_err(io_err(&dir))?;
            let p = dir.join(name);
            fs::write(&p, read_entry(&mut zip, &f.path)?).map_err(io_err(&p))?;
            files.push(p);
        }
        let item = if d.register == Register::Incoming.as_str() {
            ArchivedRecord::Incoming(NewIncoming {
                sender: d.sender.clone().unwrap_or_default(),
                notation: d.notation.clone(),
                document_date: d.document_date.ok_or_else(|| bad("thiếu ngày văn bản"))?,
                arrival_date: d.arrival_date,
                doc_type: d.doc_type.clone(),
                subject: d.subject.clone(),
                signer: d.signer.clone(),
                urgency: level::<Urgency>(&d.urgency),
                secrecy: level::<Secrecy>(&d.secrecy),
                deadline: d.deadline,
                handler: d.handler.clone(),
                notes: d.notes.clone(),
                files,
                expected_number: Some(d.number),
                ..Default::default()
            })
        } else {
            ArchivedRecord::Outgoing(NewOutgoing {
                notation: d.notation.clone(),
                doc_type: d.doc_type.clone(),
                subject: d.subject.clone(),
                signer: d.signer.clone(),
                recipients: d.recipients.clone(),
                copies: d.copies,
                archive_copy_holder: d.archive_copy_holder.clone(),
                drafting_unit: d.drafting_unit.clone(),
                urgency: level::<Urgency>(&d.urgency),
                secrecy: level::<Secrecy>(&d.secrecy),
                deadline: d.deadline,
                notes: d.notes.clone(),
                files,
                issue_date: d.document_date,
                ..Default::default()
            })
        };
        let secret = level::<Secrecy>(&d.secrecy).is_secret();
        let day = if d.register == Register::Incoming.as_str() {
            d.arrival_date
        } else {
            d.document_date
        };
        let year = day.map(|d| chrono::Datelike::year(&d)).unwrap_or_default();
        items.push(((d.register.clone(), secret, year, d.number), item));
    }
    // Numbers go up within each register, series and year, whatever the file's own order.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|i| items[*i].0.clone());
    let sorted: Vec<ArchivedRecord> = order.iter().map(|i| items[*i].1.clone()).collect();
    let new_ids = reg.restore_archived(sorted)?;
    let mut ids = vec![0; items.len()];
    for (pos, i) in order.into_iter().enumerate() {
        ids[i] = new_ids[pos];
    }
    Ok(ImportSummary {
        file_code: manifest.file_code,
        ids,
    })
}
