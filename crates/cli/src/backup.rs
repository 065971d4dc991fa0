//! `vanthu backup` and `vanthu restore` (vanthu_core::backup): one checksummed file holding
//! the register, the attachments and the unit's settings, taken while the app keeps running;
//! restored only into an empty data directory and only if every checksum and the audit
//! chain verify.
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use vanthu_core::backup::{self, Manifest};
use vanthu_core::backup_schedule::{self, BackupSchedule};

use crate::GlobalOpts;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCmd>,
    /// The backup file to write (replaced if it exists).
    #[arg(short = 'o', long, conflicts_with_all = ["folder", "due"])]
    pub output: Option<PathBuf>,
    /// Write `vanthu-<date>-<time>.vtbak` into this folder instead (scheduled backups).
    #[arg(long)]
    pub folder: Option<PathBuf>,
    /// With --folder: how many backups to keep there (the oldest are deleted).
    #[arg(long, default_value_t = 7, requires = "folder")]
    pub keep: usize,
    /// Back up by the saved schedule (`vanthu backup schedule`), only if one is due: for the
    /// system's task scheduler on a machine where the app is not left running.
    #[arg(long, conflicts_with = "folder")]
    pub due: bool,
}

#[derive(Subcommand, Debug)]
pub enum BackupCmd {
    /// Lịch sao lưu / show or change the scheduled backups (the app's Cài đặt edits the same).
    Schedule(ScheduleArgs),
}

#[derive(Args, Debug)]
pub struct ScheduleArgs {
    /// The folder backups go to (another disk or a network share).
    #[arg(long, conflicts_with = "off")]
    pub folder: Option<PathBuf>,
    /// Hours between two backups.
    #[arg(long)]
    pub every_hours: Option<u32>,
    /// How many backups to keep in the folder.
    #[arg(long)]
    pub keep: Option<usize>,
    /// Stop the scheduled backups (the backups already made stay).
    #[arg(long)]
    pub off: bool,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    /// Only check the file (every checksum) without restoring.
    #[arg(long)]
    pub check: bool,
}

pub fn run_backup(a: BackupArgs, g: &GlobalOpts) -> Result<()> {
    if let Some(BackupCmd::Schedule(s)) = a.command {
        return run_schedule(s, g);
    }
    let reg = crate::registry::open(g)?;
    let (summary, removed) = match (a.output, a.folder, a.due) {
        (Some(out), None, false) => (backup::create_backup(&reg, &out)?, Vec::new()),
        (None, Some(folder), false) => backup::backup_into_folder(&reg, &folder, a.keep)?,
        (None, None, true) => {
            let schedule = BackupSchedule::load(&crate::data_dir(g))?;
            if schedule.folder.is_none() {
                bail!("chưa đặt lịch sao lưu (vanthu backup schedule --folder THƯ_MỤC) / no backup schedule");
            }
            match schedule.run_if_due(&reg, chrono::Local::now())? {
                Some(done) => done,
                None => {
                    if g.json {
                        return crate::registry::print_json(&serde_json::json!({ "path": null }));
                    }
                    println!("Chưa đến lịch sao lưu / no backup due");
                    return Ok(());
                }
            }
        }
        _ => bail!("cần -o TỆP, --folder THƯ_MỤC hoặc --due / need -o FILE, --folder DIR or --due"),
    };
    if g.json {
        return crate::registry::print_json(&serde_json::json!({
            "path": summary.path, "size": summary.size, "manifest": summary.manifest,
            "removed": removed,
        }));
    }
    println!(
        "Đã sao lưu {} văn bản, {} tệp đính kèm vào {} ({} byte) / backup written",
        summary.manifest.documents,
        summary.blobs(),
        summary.path.display(),
        summary.size
    );
    for r in removed {
        println!("Đã xóa bản sao lưu cũ {} / old backup removed", r.display());
    }
    Ok(())
}

fn run_schedule(a: ScheduleArgs, g: &GlobalOpts) -> Result<()> {
    let dir = crate::data_dir(g);
    let mut s = BackupSchedule::load(&dir)?;
    let changed = a.folder.is_some() || a.off || a.every_hours.is_some() || a.keep.is_some();
    if a.off {
        s.folder = None;
    }
    if let Some(f) = a.folder {
        s.folder = Some(f);
    }
    if let Some(h) = a.every_hours {
        s.every_hours = h;
    }
    if let Some(k) = a.keep {
        s.keep = k;
    }
    if changed {
        s.save(&dir)?;
    }
    let backups = match &s.folder {
        Some(f) => backup_schedule::list_backups(f)?,
        None => Vec::new(),
    };
    let next = s.next_due(&backups);
    if g.json {
        return crate::registry::print_json(&serde_json::json!({
            "folder": s.folder, "every_hours": s.every_hours, "keep": s.keep,
            "next_due": next.map(|t| t.to_rfc3339()),
            "backups": backups.iter().map(|b| serde_json::json!({
                "path": b.path, "size": b.size, "taken_at": b.taken_at.to_rfc3339(),
            })).collect::<Vec<_>>(),
        }));
    }
    match &s.folder {
        None => println!("Chưa đặt lịch sao lưu / no backup schedule"),
        Some(f) => {
            println!(
                "Sao lưu vào {} mỗi {} giờ, giữ {} bản / every {} h, keep {}",
                f.display(),
                s.every_hours,
                s.keep,
                s.every_hours,
                s.keep
            );
            match next {
                Some(t) if t > chrono::Local::now() => {
                    println!("  Lần tới: {}", t.format("%d/%m/%Y %H:%M"))
                }
                _ => println!("  Lần tới: ngay lần chạy sau / due now"),
            }
            for b in &backups {
                println!(
                    "  {}  {} byte  {}",
                    b.taken_at.format("%d/%m/%Y %H:%M"),
                    b.size,
                    b.path.display()
                );
            }
        }
    }
    Ok(())
}

pub fn run_restore(a: RestoreArgs, g: &GlobalOpts) -> Result<()> {
    if a.check {
        let m = backup::verify_backup(&a.file)?;
        return report(g, &m, "Tệp sao lưu nguyên vẹn / backup verified", None);
    }
    let dir = crate::data_dir(g);
    let r = backup::restore_backup(&a.file, &dir)?;
    report(
        g,
        &r.manifest,
        &format!("Đã khôi phục vào {} / restored", dir.display()),
        Some(r.audit_rows),
    )
}

fn report(g: &GlobalOpts, m: &Manifest, headline: &str, audit_rows: Option<u64>) -> Result<()> {
    if g.json {
        return crate::registry::print_json(&serde_json::json!({
            "manifest": m, "audit_rows_verified": audit_rows,
        }));
    }
    println!("{headline}");
    if let Some((code, name)) = &m.unit {
        println!("  Đơn vị: {name} ({code})");
    }
    let taken = chrono::DateTime::parse_from_rfc3339(&m.created_at)
        .map(|t| t.format("%d/%m/%Y %H:%M:%S").to_string())
        .unwrap_or_else(|_| m.created_at.clone());
    println!("  Thời điểm sao lưu: {taken}");
    println!(
        "  Văn bản: {}; tệp: {}; nhật ký: {} dòng",
        m.documents,
        m.files.len(),
        m.audit_rows
    );
    Ok(())
}
