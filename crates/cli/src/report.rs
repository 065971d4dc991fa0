//! `vanthu report issuing|statuses|processing|survey` (vanthu_core::reports, docs/reports.md): the
//! reports of shared/spec/reports.md §1–§3, computed offline from the register for a period
//! and optionally one department, printed or written as JSON, CSV, XLSX or PDF.
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use vanthu_core::reports::books::{self, BookRequest};
use vanthu_core::reports::table::Document;
use vanthu_core::reports::{self, export, ReportKind, ReportScope};
use vanthu_registry::{Register, Series};

use crate::GlobalOpts;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Which report: issuing (phát hành), statuses (phản hồi trạng thái), processing (giải quyết),
    /// survey (Phụ lục III of 2887/VPCP-KSTT, pre-filled).
    #[arg(value_enum)]
    pub kind: Kind,
    /// First day (dd/mm/yyyy or yyyy-mm-dd); default 1 January of the current year.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included; default today.
    #[arg(long)]
    pub to: Option<String>,
    /// Only one department: outgoing documents by drafting unit, incoming by handler.
    #[arg(long)]
    pub department: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Write to this file (required for xlsx and pdf).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Extra trust anchors (PEM/DER) for deciding which signatures count (issuing).
    #[arg(long = "trust-anchor")]
    pub trust_anchors: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Kind {
    Issuing,
    Statuses,
    Processing,
    /// Phụ lục III of Công văn 2887/VPCP-KSTT, filled in from issuing and statuses.
    Survey,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Table,
    Json,
    Csv,
    Xlsx,
    Pdf,
}

pub fn run(a: ReportArgs, g: &GlobalOpts) -> Result<()> {
    let format = if g.json { OutFormat::Json } else { a.format };
    let date = |s: &Option<String>| s.as_deref().map(crate::registry::parse_date).transpose();
    let scope = ReportScope::new(
        date(&a.from)?,
        date(&a.to)?,
        a.department,
        chrono::Local::now().date_naive(),
    )?;
    let reg = crate::registry::open(g)?;
    let trust = crate::sign::trust_store(g, &a.trust_anchors, &[])?;
    let kind = match a.kind {
        Kind::Issuing => ReportKind::Issuing,
        Kind::Statuses => ReportKind::Statuses,
        Kind::Processing => ReportKind::Processing,
        Kind::Survey => ReportKind::Survey,
    };
    let built = reports::build(
        &reg,
        kind,
        &scope,
        &trust,
        chrono::Utc::now().timestamp_millis(),
    )?;
    let json = if format == OutFormat::Json {
        let mut v = serde_json::to_vec_pretty(&built.json)?;
        v.push(b'\n');
        Some(v)
    } else {
        None
    };
    write(&built.document, format, json, a.output)
}

/// Writes a printable document in `format` to `output` (through a temporary file) or stdout.
fn write(
    doc: &Document,
    format: OutFormat,
    json: Option<Vec<u8>>,
    output: Option<PathBuf>,
) -> Result<()> {
    if matches!(format, OutFormat::Xlsx | OutFormat::Pdf) && output.is_none() {
        bail!("định dạng này cần tệp ra (-o TỆP) / this format needs an output file (-o FILE)");
    }
    let bytes = match (format, json) {
        (OutFormat::Json, Some(v)) => v,
        (OutFormat::Json, None) => {
            bail!("không có dạng JSON cho bản in này / no JSON for this printout")
        }
        (OutFormat::Table, _) => export::to_text(doc).into_bytes(),
        (OutFormat::Csv, _) => export::to_csv(doc)?,
        (OutFormat::Xlsx, _) => export::to_xlsx(doc)?,
        (OutFormat::Pdf, _) => export::to_pdf(doc)?,
    };
    match output {
        Some(path) => {
            export::write_file(&path, &bytes)?;
            eprintln!("đã ghi / written: {}", path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct BookArgs {
    /// incoming (sổ đăng ký văn bản đến) or outgoing (văn bản đi).
    #[arg(value_enum)]
    pub register: BookRegister,
    /// The numbering year; default the current one.
    #[arg(long)]
    pub year: Option<i32>,
    /// The book of the secret series (văn bản mật).
    #[arg(long)]
    pub secret: bool,
    /// Output format (pdf: A4 landscape with a cover page).
    #[arg(long, value_enum, default_value_t = OutFormat::Pdf)]
    pub format: OutFormat,
    /// The file to write (required for pdf and xlsx).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BookRegister {
    Incoming,
    Outgoing,
}

/// `vanthu register-book`: the register book of a year, NĐ 30 Phụ lục IV.
pub fn run_book(a: BookArgs, g: &GlobalOpts) -> Result<()> {
    use chrono::Datelike;
    let reg = crate::registry::open(g)?;
    let doc = books::register_book(
        &reg,
        BookRequest {
            register: match a.register {
                BookRegister::Incoming => Register::Incoming,
                BookRegister::Outgoing => Register::Outgoing,
            },
            year: a.year.unwrap_or_else(|| chrono::Local::now().year()),
            series: if a.secret {
                Series::Secret
            } else {
                Series::Normal
            },
        },
    )?;
    write(&doc, a.format, None, a.output)
}

#[derive(Args, Debug)]
pub struct SlipArgs {
    /// The incoming document's id.
    pub id: i64,
    /// Output format (pdf: A4 portrait).
    #[arg(long, value_enum, default_value_t = OutFormat::Pdf)]
    pub format: OutFormat,
    /// The file to write (required for pdf and xlsx).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

/// `vanthu processing-slip`: phiếu giải quyết văn bản đến of one document.
pub fn run_slip(a: SlipArgs, g: &GlobalOpts) -> Result<()> {
    let reg = crate::registry::open(g)?;
    let doc = books::processing_slip(&reg, a.id)?;
    write(&doc, a.format, None, a.output)
}
