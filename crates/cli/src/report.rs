//! `vanthu report issuing|statuses|processing|survey` (vanthu_core::reports, docs/reports.md): the
//! reports of shared/spec/reports.md §1–§3, computed offline from the register for a period
//! and optionally one department, printed or written as JSON, CSV, XLSX or PDF.
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use vanthu_core::reports::{self, export, ReportKind, ReportScope};

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
    if matches!(format, OutFormat::Xlsx | OutFormat::Pdf) && a.output.is_none() {
        bail!("định dạng này cần tệp ra (-o TỆP) / this format needs an output file (-o FILE)");
    }
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
    let bytes = match format {
        OutFormat::Table => export::to_text(&built.document).into_bytes(),
        OutFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&built.json)?;
            v.push(b'\n');
            v
        }
        OutFormat::Csv => export::to_csv(&built.document)?,
        OutFormat::Xlsx => export::to_xlsx(&built.document)?,
        OutFormat::Pdf => export::to_pdf(&built.document)?,
    };
    match a.output {
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
