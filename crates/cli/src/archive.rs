//! `vanthu archive export|verify|import` (vanthu_core::archive, docs/archive.md): records of
//! the register as one package for the agency archive (nộp lưu), with the NĐ 30 / TT 02/2019
//! metadata, the signed files and their validation, checksums; re-checked and restored.
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use vanthu_core::archive::{self, FileInfo};
use vanthu_registry::{Register, Registry, Series};

use crate::report::BookRegister;
use crate::GlobalOpts;

#[derive(Subcommand, Debug)]
pub enum ArchiveCmd {
    /// Đóng gói hồ sơ nộp lưu / write chosen records as an archive package.
    Export(ExportArgs),
    /// Kiểm tra gói lưu trữ / re-check every checksum and signature of a package.
    Verify(VerifyArgs),
    /// Nhập gói lưu trữ vào sổ trống / restore a package's records into an empty register.
    Import(VerifyArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Register ids of the records, in their order in the file (e.g. 3,7,12).
    #[arg(long, value_delimiter = ',', conflicts_with = "register")]
    pub ids: Vec<i64>,
    /// Or every numbered record of one register book…
    #[arg(long, value_enum, requires = "year")]
    pub register: Option<BookRegister>,
    /// …of this year…
    #[arg(long)]
    pub year: Option<i32>,
    /// …in the secret series.
    #[arg(long)]
    pub secret: bool,
    /// Số và ký hiệu hồ sơ (e.g. 01.TCCB).
    #[arg(long)]
    pub notation: String,
    /// Tiêu đề hồ sơ.
    #[arg(long)]
    pub title: String,
    /// Thời hạn bảo quản.
    #[arg(long, default_value = "Vĩnh viễn")]
    pub maintenance: String,
    /// Chế độ sử dụng.
    #[arg(long, default_value = "Công khai")]
    pub rights: String,
    /// Người lập hồ sơ.
    #[arg(long)]
    pub creator: Option<String>,
    /// Ghi chú.
    #[arg(long)]
    pub description: Option<String>,
    /// The package to write.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    /// Extra trust anchors for the validation reports.
    #[arg(long = "trust-anchor")]
    pub trust_anchors: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The package.
    pub file: PathBuf,
    /// Extra trust anchors.
    #[arg(long = "trust-anchor")]
    pub trust_anchors: Vec<PathBuf>,
}

pub fn run(cmd: ArchiveCmd, g: &GlobalOpts) -> Result<()> {
    match cmd {
        ArchiveCmd::Export(a) => {
            let reg = crate::registry::open(g)?;
            let ids = match (a.register, a.year) {
                (Some(r), Some(year)) => reg.book_ids(
                    match r {
                        BookRegister::Incoming => Register::Incoming,
                        BookRegister::Outgoing => Register::Outgoing,
                    },
                    if a.secret {
                        Series::Secret
                    } else {
                        Series::Normal
                    },
                    year,
                )?,
                _ => a.ids,
            };
            let trust = crate::sign::trust_store(g, &a.trust_anchors, &[])?;
            let file = FileInfo {
                notation: a.notation,
                title: a.title,
                maintenance: a.maintenance,
                rights: a.rights,
                creator: a.creator,
                description: a.description,
            };
            let s = archive::export_package(&reg, &ids, &file, &trust, &a.output)?;
            if g.json {
                return crate::registry::print_json(&s);
            }
            println!(
                "Đã đóng gói hồ sơ {}: {} văn bản, {} tệp, {} chữ ký hợp lệ → {}",
                s.file_code, s.documents, s.files, s.signatures_valid, s.path
            );
            Ok(())
        }
        ArchiveCmd::Verify(a) => {
            let trust = crate::sign::trust_store(g, &a.trust_anchors, &[])?;
            let s = archive::verify_package(&a.file, &trust)?;
            if g.json {
                crate::registry::print_json(&s)?;
            } else {
                println!(
                    "Hồ sơ {} ({}): {} văn bản, {} tệp đúng mã kiểm tra, {} chữ ký đã kiểm tra",
                    s.file_code, s.organ_id, s.documents, s.entries, s.signatures
                );
                for p in &s.problems {
                    println!("  Lỗi: {p}");
                }
            }
            if !s.ok() {
                bail!("gói lưu trữ không toàn vẹn / the package failed verification");
            }
            println!("Gói lưu trữ toàn vẹn.");
            Ok(())
        }
        ArchiveCmd::Import(a) => {
            let trust = crate::sign::trust_store(g, &a.trust_anchors, &[])?;
            let mut reg = Registry::open(crate::data_dir(g))?;
            let s = archive::import_package(&mut reg, &a.file, &trust)?;
            if g.json {
                return crate::registry::print_json(&s);
            }
            println!("Đã nhập hồ sơ {}: {} văn bản.", s.file_code, s.ids.len());
            Ok(())
        }
    }
}
