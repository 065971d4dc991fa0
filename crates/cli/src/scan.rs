//! `vanthu scan`: the scan drafts the app's scan-folder watcher took in (vanthu_core::scan),
//! listed and discarded from the command line too. Listing also moves an older app's
//! `scan-drafts.json` into the register, once, like the app does at start.
use anyhow::Result;
use clap::Subcommand;

use crate::GlobalOpts;

#[derive(Subcommand, Debug)]
pub enum ScanCmd {
    /// Chờ vào sổ: scans waiting to be registered (oldest first).
    List,
    /// Drop a scan draft (a blank page, a duplicate scan).
    Discard {
        /// The draft's number (`vanthu scan list`).
        id: i64,
    },
}

pub fn run(cmd: ScanCmd, g: &GlobalOpts) -> Result<()> {
    let mut reg = crate::registry::open(g)?;
    match cmd {
        ScanCmd::List => {
            vanthu_core::scan::migrate_json_drafts(&mut reg)?;
            let drafts = reg.scan_drafts()?;
            if g.json {
                return crate::registry::print_json(&drafts);
            }
            if drafts.is_empty() {
                println!("Không có bản quét chờ vào sổ / no scan drafts");
            }
            for d in drafts {
                let first_line = d
                    .text
                    .as_deref()
                    .and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()))
                    .unwrap_or("");
                println!(
                    "{}\t{}\t{} byte\t{}\t{}",
                    d.id, d.file_name, d.size, d.received_at, first_line
                );
            }
            Ok(())
        }
        ScanCmd::Discard { id } => {
            vanthu_core::scan::discard(&mut reg, id)?;
            println!("Đã bỏ bản quét {id} / scan draft {id} discarded");
            Ok(())
        }
    }
}
