//! `vanthu export csv`.
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use vanthu_registry::Register;

use super::open;
use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Xuất sổ ra CSV (UTF-8, tiêu đề cột tiếng Việt) / export a register as CSV.
    Csv {
        /// incoming | outgoing
        #[arg(long, default_value = "incoming")]
        register: String,
        #[arg(long)]
        year: Option<i32>,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Start with a UTF-8 byte-order mark (for Excel).
        #[arg(long)]
        bom: bool,
    },
}

pub fn run(cmd: ExportCommand, global: &GlobalOpts) -> Result<()> {
    let ExportCommand::Csv {
        register,
        year,
        output,
        bom,
    } = cmd;
    let register: Register = register.parse()?;
    let reg = open(global)?;
    let mut buf = Vec::new();
    if bom {
        buf.extend_from_slice("\u{feff}".as_bytes());
    }
    let rows = reg.export_csv(register, year, &mut buf)?;
    match output {
        None => std::io::stdout().write_all(&buf)?,
        Some(path) => {
            write_atomically(&path, &buf)
                .with_context(|| format!("không ghi được tệp / cannot write {}", path.display()))?;
            eprintln!("Đã xuất {rows} dòng vào {}", path.display());
        }
    }
    Ok(())
}

/// temp file in the same directory, fsync, rename: a reader never sees half a file.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        vanthu_domain::paths::replace_file(&tmp, path)?;
        vanthu_domain::paths::sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
