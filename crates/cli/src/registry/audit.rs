//! `vanthu audit verify|log`.
use anyhow::{bail, Result};
use clap::Subcommand;

use super::{cut, open, print_json};
use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Kiểm tra chuỗi băm của nhật ký / verify the hash chain (exit 1 if broken).
    Verify,
    /// Xem nhật ký / show recent entries, newest first.
    Log {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Only entries about this document id.
        #[arg(long)]
        document: Option<i64>,
    },
}

pub fn run(cmd: AuditCommand, global: &GlobalOpts) -> Result<()> {
    let reg = open(global)?;
    match cmd {
        AuditCommand::Verify => {
            let report = reg.audit_verify()?;
            if global.json {
                print_json(&report)?;
            } else if report.ok {
                println!(
                    "Nhật ký toàn vẹn / audit log intact: {} dòng, băm cuối {}",
                    report.rows,
                    &report.last_hash[..16]
                );
            }
            if !report.ok {
                bail!(
                    "nhật ký bị sửa đổi tại dòng {} / audit log broken at row {}: {}",
                    report.first_broken_seq.unwrap_or_default(),
                    report.first_broken_seq.unwrap_or_default(),
                    report.reason.unwrap_or_default()
                );
            }
            Ok(())
        }
        AuditCommand::Log { limit, document } => {
            let id = document.map(|d| d.to_string());
            let entries = reg.audit_entries(document.map(|_| "document"), id.as_deref(), limit)?;
            if global.json {
                return print_json(&entries);
            }
            for e in &entries {
                println!(
                    "{:>6}  {}  {:<12} {:<18} {}#{}  {}",
                    e.seq,
                    &e.at[..19.min(e.at.len())],
                    cut(&e.user, 12),
                    e.action,
                    e.entity,
                    e.entity_id.clone().unwrap_or_default(),
                    cut(&e.detail.to_string(), 60)
                );
            }
            Ok(())
        }
    }
}
