//! `vanthu edxml ...`: inspect, extract, pack edXML packages; read and write status messages.
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use sha2::{Digest, Sha256};
use vanthu_edxml as ed;

use crate::GlobalOpts;

#[derive(Subcommand, Debug)]
pub enum EdxmlCmd {
    /// Đọc gói tin văn bản / read a document package (header, attachments with SHA-256).
    Inspect { file: PathBuf },
    /// Giải nén tệp đính kèm / write the attachments (and header.json) into a directory.
    Extract {
        file: PathBuf,
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
        /// Keep attachments zipped by the sender as they are.
        #[arg(long)]
        no_unzip: bool,
    },
    /// Đóng gói / build a document package from flags (or a header JSON) and attachment files.
    Pack(PackArgs),
    /// Đọc gói tin trạng thái / read a status message.
    Status { file: PathBuf },
    /// Tạo gói tin trạng thái / write a status message.
    StatusNew(StatusNewArgs),
}

#[derive(clap::Args, Debug)]
pub struct PackArgs {
    /// Build from this document of the outgoing register (header and attachments; the flags
    /// below override it).
    #[arg(long)]
    record: Option<i64>,
    /// Header in the JSON shape printed by `inspect --json` (flags below override it).
    #[arg(long)]
    header_json: Option<PathBuf>,
    #[arg(long)]
    from_id: Option<String>,
    #[arg(long)]
    from_name: Option<String>,
    /// Recipient organisation code (repeatable).
    #[arg(long = "to-id")]
    to_ids: Vec<String>,
    #[arg(long)]
    document_id: Option<String>,
    #[arg(long)]
    number: Option<String>,
    #[arg(long)]
    notation: Option<String>,
    #[arg(long)]
    place: Option<String>,
    /// Promulgation date (YYYY-MM-DD or dd/mm/yyyy).
    #[arg(long)]
    date: Option<String>,
    #[arg(long)]
    type_name: Option<String>,
    #[arg(long)]
    subject: Option<String>,
    #[arg(long)]
    signer: Option<String>,
    #[arg(long)]
    signer_position: Option<String>,
    #[arg(long)]
    competence: Option<String>,
    #[arg(long)]
    due_date: Option<String>,
    /// Độ khẩn 0..4.
    #[arg(long)]
    priority: Option<u8>,
    /// Độ mật (thường, mật, tối mật, tuyệt mật): anything but thường is refused.
    #[arg(long, default_value = "thường")]
    secrecy: String,
    /// Attachment file (repeatable).
    #[arg(long = "attach")]
    attachments: Vec<PathBuf>,
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct StatusNewArgs {
    /// The package the status answers (ResponseFor is copied from it).
    #[arg(long)]
    reply_to: Option<PathBuf>,
    /// Status code (01..06, 13, 15, 16).
    #[arg(long)]
    code: String,
    #[arg(long)]
    from_id: String,
    #[arg(long)]
    from_name: Option<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    department: Option<String>,
    #[arg(long)]
    staff: Option<String>,
    #[arg(long)]
    mobile: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// Time of the transition (default: now).
    #[arg(long)]
    timestamp: Option<String>,
    /// ResponseFor fields when there is no --reply-to.
    #[arg(long)]
    rf_organ_id: Option<String>,
    #[arg(long)]
    rf_code: Option<String>,
    #[arg(long)]
    rf_date: Option<String>,
    #[arg(long)]
    rf_document_id: Option<String>,
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
}

pub fn run(cmd: EdxmlCmd, g: &GlobalOpts) -> Result<()> {
    match cmd {
        EdxmlCmd::Inspect { file } => inspect(&file, g),
        EdxmlCmd::Extract {
            file,
            out,
            no_unzip,
        } => extract(&file, &out, !no_unzip, g),
        EdxmlCmd::Pack(a) => pack(a, g),
        EdxmlCmd::Status { file } => status(&file, g),
        EdxmlCmd::StatusNew(a) => status_new(a, g),
    }
}

fn open(file: &Path) -> Result<BufReader<File>> {
    let f = File::open(file)
        .with_context(|| format!("không mở được tệp / cannot open {}", file.display()))?;
    Ok(BufReader::with_capacity(64 * 1024, f))
}

fn print_warnings(report: &ed::ReadReport) {
    for w in &report.warnings {
        eprintln!("cảnh báo / warning: {w}");
    }
}

fn read_pkg(file: &Path, dir: Option<PathBuf>) -> Result<ed::Package> {
    let opts = ed::ReadOptions {
        attachment_dir: dir,
        ..Default::default()
    };
    let p = ed::read_package(open(file)?, &opts).with_context(|| format!("{}", file.display()))?;
    print_warnings(&p.report);
    Ok(p)
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("—")
}

fn inspect(file: &Path, g: &GlobalOpts) -> Result<()> {
    let p = read_pkg(file, None)?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&ed::json::inspect(&p))?);
        return Ok(());
    }
    let h = &p.header;
    println!("Mã văn bản (DocumentId): {}", opt(&h.document_id));
    println!(
        "Nơi gửi: {} ({})",
        opt(&h.from.organ_name),
        opt(&h.from.organ_id)
    );
    for t in &h.to {
        println!("Nơi nhận: {} ({})", opt(&t.organ_name), opt(&t.organ_id));
    }
    println!(
        "Số, ký hiệu: {}/{}",
        opt(&h.code.number),
        opt(&h.code.notation)
    );
    println!(
        "Ngày ban hành: {}",
        h.promulgation
            .date
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| "—".into())
    );
    println!("Loại văn bản: {}", opt(&h.document_type.type_name));
    println!("Trích yếu: {}", opt(&h.subject));
    println!("Người ký: {}", opt(&h.signer.full_name));
    for a in &p.attachments {
        match &a.broken {
            None => println!(
                "Tệp đính kèm: {} ({} byte, sha256 {})",
                opt(&a.meta.name),
                a.size,
                a.sha256.as_deref().unwrap_or("—")
            ),
            Some(why) => println!("Tệp đính kèm HỎNG: {} — {why}", opt(&a.meta.name)),
        }
    }
    Ok(())
}

/// A file name safe to create inside the output directory on Linux and Windows
/// ([`vanthu_domain::paths::portable_file_name`]), never `header.json`, unique without case
/// (NTFS compares names that way).
fn safe_name(raw: Option<&str>, index: usize, taken: &mut BTreeSet<String>) -> String {
    use vanthu_domain::paths::{file_name_key, portable_file_name};
    let base = raw
        .and_then(portable_file_name)
        .unwrap_or_else(|| format!("dinh-kem-{}", index + 1));
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&file_name_key(&name)) || file_name_key(&name) == "header.json" {
        let (stem, ext) = match base.rfind('.') {
            Some(i) if i > 0 => (&base[..i], &base[i..]),
            _ => (base.as_str(), ""),
        };
        name = format!("{stem} ({n}){ext}");
        n += 1;
    }
    taken.insert(file_name_key(&name));
    name
}

fn extract(file: &Path, out: &Path, unzip: bool, g: &GlobalOpts) -> Result<()> {
    fs::create_dir_all(out)
        .with_context(|| format!("không tạo được thư mục / cannot create {}", out.display()))?;
    let p = read_pkg(file, Some(out.to_path_buf()))?;
    let mut taken = BTreeSet::new();
    let mut written = Vec::new();
    let mut header = ed::json::inspect(&p);
    for (i, a) in p.attachments.into_iter().enumerate() {
        let name = safe_name(a.meta.name.as_deref(), i, &mut taken);
        let Some(tmp) = a.file else {
            eprintln!(
                "cảnh báo / warning: bỏ qua tệp hỏng / skipped broken attachment {name}: {}",
                a.broken.as_deref().unwrap_or("?")
            );
            header["attachments"][i]["file"] = serde_json::Value::Null;
            continue;
        };
        if let Some(why) = &a.broken {
            eprintln!(
                "cảnh báo / warning: bỏ qua tệp hỏng / skipped broken attachment {name}: {why}"
            );
            header["attachments"][i]["file"] = serde_json::Value::Null;
            continue;
        }
        let target = out.join(&name);
        let mut final_path = target.clone();
        let mut unzipped_entry = None;
        if unzip && a.is_zip && !name.to_ascii_lowercase().ends_with(".zip") {
            let mut inner = tempfile::Builder::new()
                .prefix(".edxml-unzip-")
                .tempfile_in(out)?;
            // A refused archive (zip bomb, corrupt) is kept as received, with a warning.
            let unzipped =
                match ed::zip::unzip_single(tmp.path(), inner.as_file_mut(), Default::default()) {
                    Ok(u) => u,
                    Err(e) => {
                        eprintln!(
                            "cảnh báo / warning: {name}: giữ nguyên tệp nén / kept zipped: {e}"
                        );
                        None
                    }
                };
            if let Some(u) = unzipped {
                // The SDK names the zipped attachment after the original; when the entry has
                // another extension (an .edxml inside a ".doc"), keep the entry's extension.
                let ext_of = |s: &str| s.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                let final_name =
                    if ext_of(&u.entry_name).is_some() && ext_of(&u.entry_name) != ext_of(&name) {
                        taken.remove(&vanthu_domain::paths::file_name_key(&name));
                        safe_name(Some(&u.entry_name), i, &mut taken)
                    } else {
                        name.clone()
                    };
                final_path = out.join(&final_name);
                inner.as_file().sync_all()?;
                inner.persist(&final_path).map_err(|e| e.error)?;
                unzipped_entry = Some(u.entry_name);
            }
        }
        if unzipped_entry.is_none() {
            tmp.as_file().sync_all()?;
            tmp.persist(&target).map_err(|e| e.error)?;
        }
        header["attachments"][i]["file"] =
            serde_json::Value::String(final_path.file_name().unwrap().to_string_lossy().into());
        header["attachments"][i]["unzipped_from"] = unzipped_entry.into();
        written.push(final_path);
    }
    ed::write_file_atomic(&out.join("header.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &header).map_err(io::Error::other)?;
        Ok(())
    })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&header)?);
    } else {
        for w in written {
            println!("{}", w.display());
        }
    }
    Ok(())
}

fn status(file: &Path, g: &GlobalOpts) -> Result<()> {
    let s = ed::read_status(open(file)?, &ed::ReadOptions::default())
        .with_context(|| format!("{}", file.display()))?;
    print_warnings(&s.report);
    if g.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&ed::json::status(&s.status))?
        );
        return Ok(());
    }
    let st = &s.status;
    println!("Mã trạng thái: {}", st.status_code);
    println!("Mô tả: {}", opt(&st.description));
    println!(
        "Đơn vị: {} ({})",
        opt(&st.from.organ_name),
        opt(&st.from.organ_id)
    );
    println!(
        "Văn bản: {} ({})",
        opt(&st.response_for.code),
        opt(&st.response_for.document_id)
    );
    if let Some(t) = &st.timestamp {
        println!("Thời điểm: {}", t.format("%d/%m/%Y %H:%M:%S"));
    }
    Ok(())
}

fn parse_date_arg(s: &str) -> Result<chrono::NaiveDate> {
    ed::dates::parse_date(s).with_context(|| format!("ngày không hợp lệ / invalid date: {s}"))
}

fn parse_secrecy(s: &str) -> Result<ed::Secrecy> {
    s.parse::<ed::Secrecy>()
        .map_err(|e| anyhow::anyhow!("độ mật không hợp lệ / invalid secrecy {s:?}: {e}"))
}

fn text(s: &Option<String>) -> Option<String> {
    s.as_deref().and_then(ed::text::normalize_text)
}

fn header_from_json(v: &serde_json::Value) -> Result<ed::Header> {
    let s = |v: &serde_json::Value| v.as_str().and_then(ed::text::normalize_text);
    let d = |v: &serde_json::Value| v.as_str().and_then(ed::dates::parse_date);
    let org = |o: &serde_json::Value| ed::Organization {
        organ_id: s(&o["organ_id"]),
        organ_in_charge: s(&o["organ_in_charge"]),
        organ_name: s(&o["organ_name"]),
        organ_add: s(&o["organ_add"]),
        email: s(&o["email"]),
        telephone: s(&o["telephone"]),
        fax: s(&o["fax"]),
        website: s(&o["website"]),
    };
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(s).collect())
            .unwrap_or_default()
    };
    let int = |v: &serde_json::Value| v.as_u64();
    Ok(ed::Header {
        from: org(&v["from"]),
        to: v["to"]
            .as_array()
            .map(|a| a.iter().map(org).collect())
            .unwrap_or_default(),
        document_id: s(&v["document_id"]),
        code: ed::DocCode {
            number: s(&v["code"]["number"]),
            notation: s(&v["code"]["notation"]),
        },
        promulgation: ed::Promulgation {
            place: s(&v["promulgation"]["place"]),
            date: d(&v["promulgation"]["date"]),
        },
        document_type: ed::DocumentKind {
            type_code: int(&v["document_type"]["type"]).map(|x| x as u32),
            type_detail: None,
            type_name: s(&v["document_type"]["type_name"]),
        },
        subject: s(&v["subject"]),
        content: s(&v["content"]),
        signer: ed::Signer {
            competence: s(&v["signer"]["competence"]),
            position: s(&v["signer"]["position"]),
            full_name: s(&v["signer"]["full_name"]),
        },
        due_date: d(&v["due_date"]),
        to_places: strings(&v["to_places"]),
        other_info: v["other_info"].as_object().map(|_| {
            let o = &v["other_info"];
            ed::OtherInfo {
                priority: int(&o["priority"]).map(|x| x as u8),
                sphere_of_promulgation: s(&o["sphere_of_promulgation"]),
                typer_notation: s(&o["typer_notation"]),
                promulgation_amount: int(&o["promulgation_amount"]).map(|x| x as u32),
                page_amount: int(&o["page_amount"]).map(|x| x as u32),
                direction: None,
                appendixes: strings(&o["appendixes"]),
            }
        }),
        steering_type: int(&v["steering_type"]).map(|x| x as u8),
        response_for: v["response_for"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| ed::ResponseFor {
                        organ_id: s(&r["organ_id"]),
                        code: s(&r["code"]),
                        promulgation_date: d(&r["promulgation_date"]),
                        document_id: s(&r["document_id"]),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        trace: Vec::new(),
        business: None,
    })
}

fn pack(a: PackArgs, g: &GlobalOpts) -> Result<()> {
    let mut secrecy = parse_secrecy(&a.secrecy)?;
    let mut atts = Vec::new();
    let mut h = match (&a.record, &a.header_json) {
        (Some(id), _) => {
            let reg = crate::registry::open(g)?;
            let p = vanthu_core::import::package_from_record(&reg, *id)?;
            if p.secrecy.is_secret() {
                secrecy = p.secrecy;
            }
            atts = p.attachments;
            p.header
        }
        (None, Some(p)) => {
            let v: serde_json::Value = serde_json::from_reader(open(p)?)
                .with_context(|| format!("JSON không hợp lệ / invalid JSON: {}", p.display()))?;
            header_from_json(&v)?
        }
        (None, None) => ed::Header::default(),
    };
    if let Some(v) = text(&a.from_id) {
        h.from.organ_id = Some(v);
    }
    if let Some(v) = text(&a.from_name) {
        h.from.organ_name = Some(v.clone());
        h.from.organ_in_charge.get_or_insert(v);
    }
    for id in &a.to_ids {
        h.to.push(ed::Organization {
            organ_id: ed::text::normalize_text(id),
            ..Default::default()
        });
    }
    if let Some(v) = text(&a.number) {
        h.code.number = Some(v);
    }
    if let Some(v) = text(&a.notation) {
        h.code.notation = ed::text::normalize_notation(&v);
    }
    if let Some(v) = text(&a.place) {
        h.promulgation.place = Some(v);
    }
    if let Some(v) = &a.date {
        h.promulgation.date = Some(parse_date_arg(v)?);
    }
    if let Some(v) = text(&a.type_name) {
        h.document_type.type_name = Some(v);
    }
    if let Some(v) = text(&a.subject) {
        h.subject = Some(v);
    }
    if let Some(v) = text(&a.signer) {
        h.signer.full_name = Some(v);
    }
    if let Some(v) = text(&a.signer_position) {
        h.signer.position = Some(v);
    }
    if let Some(v) = text(&a.competence) {
        h.signer.competence = Some(v);
    }
    if let Some(v) = &a.due_date {
        h.due_date = Some(parse_date_arg(v)?);
    }
    if let Some(p) = a.priority {
        h.other_info.get_or_insert_with(Default::default).priority = Some(p);
    }
    if h.document_id.is_none() {
        // The government SDK form: <sender>,<yyyy/MM/dd>,<number>/<notation>.
        if let (Some(from), Some(date)) = (&h.from.organ_id, h.promulgation.date) {
            h.document_id = Some(format!(
                "{from},{},{}/{}",
                ed::dates::format_date(date),
                h.code.number.as_deref().unwrap_or(""),
                h.code.notation.as_deref().unwrap_or("")
            ));
        }
    }
    if h.trace.is_empty() {
        h.trace.push(ed::TraceHeader {
            organ_id: h.from.organ_id.clone(),
            timestamp: Some(ed::dates::now_vn()),
        });
    }
    if h.business.is_none() {
        h.business = Some(ed::Business {
            doc_type: Some(0),
            reason: Some("Văn bản điện tử mới".into()),
            paper: Some(0),
            ..Default::default()
        });
    }
    for p in &a.attachments {
        let mut hasher = Sha256::new();
        io::copy(&mut open(p)?, &mut hasher)?;
        let digest = hex::encode(hasher.finalize());
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        atts.push(ed::OutAttachment {
            meta: ed::AttachmentMeta {
                content_id: Some(digest[..32].to_string()),
                content_type: Some(content_type(&name).into()),
                description: ed::text::normalize_text(&name),
                name: ed::text::normalize_text(&name),
            },
            data: ed::AttachmentData::Path(p.clone()),
        });
    }
    ed::write_file_atomic(&a.out, |w| ed::write_package(w, &h, &mut atts, secrecy))?;
    println!("{}", a.out.display());
    Ok(())
}

fn content_type(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    match ext {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        "xml" | "edxml" => "application/xml",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

fn status_new(a: StatusNewArgs, _g: &GlobalOpts) -> Result<()> {
    let mut rf = ed::ResponseFor {
        organ_id: text(&a.rf_organ_id),
        code: text(&a.rf_code),
        promulgation_date: a.rf_date.as_deref().map(parse_date_arg).transpose()?,
        document_id: text(&a.rf_document_id),
    };
    if let Some(pkg) = &a.reply_to {
        let p = read_pkg(pkg, None)?;
        rf = ed::response_for_package(&p.header);
    }
    let timestamp = match &a.timestamp {
        Some(t) => ed::dates::parse_timestamp(t)
            .with_context(|| format!("thời điểm không hợp lệ / invalid timestamp: {t}"))?,
        None => ed::dates::now_vn(),
    };
    let staff = ed::StaffInfo {
        department: text(&a.department),
        staff: text(&a.staff),
        mobile: text(&a.mobile),
        email: text(&a.email),
    };
    let st = ed::StatusMessage {
        response_for: rf,
        from: ed::Organization {
            organ_id: ed::text::normalize_text(&a.from_id),
            organ_name: text(&a.from_name),
            organ_in_charge: text(&a.from_name),
            ..Default::default()
        },
        status_code: a.code.trim().to_string(),
        description: text(&a.description),
        timestamp: Some(timestamp),
        staff: Some(staff),
    };
    ed::write_file_atomic(&a.out, |w| ed::write_status(w, &st))?;
    println!("{}", a.out.display());
    Ok(())
}

/// `vanthu incoming import FILE.edxml`.
pub fn import(file: &Path, g: &GlobalOpts) -> Result<()> {
    let mut reg = crate::registry::open(g)?;
    let out = vanthu_core::import::import_package(&mut reg, file)
        .with_context(|| format!("{}", file.display()))?;
    for w in &out.warnings {
        eprintln!("cảnh báo / warning: {w}");
    }
    if g.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "Đã nhận văn bản {} của {} (id {}), trạng thái: {}; đã xếp hàng trạng thái {} gửi đơn vị gửi",
        out.record.notation,
        out.record.sender.as_deref().unwrap_or(&out.sender_code),
        out.record.id,
        out.record.state_label,
        out.queued_status
    );
    if !out.sender_known {
        println!(
            "Lưu ý: đơn vị gửi {} chưa có trong danh mục",
            out.sender_code
        );
    }
    for b in &out.broken_attachments {
        println!("Tệp đính kèm hỏng (không lưu): {b}");
    }
    Ok(())
}
