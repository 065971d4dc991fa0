//! `vanthu outgoing create|issue|send|recall|update|replace|import-csv`.
use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use vanthu_registry::{NewOutgoing, SenderRevision};

use super::incoming::check_pdf;
use super::{docs, open, parse_date, print_json};
use crate::GlobalOpts;

// Parsed once per process; boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum OutgoingCommand {
    /// Tạo văn bản đi (dự thảo) / create an outgoing document (a draft unless --issue-date).
    Create {
        /// Ký hiệu, e.g. QĐ-UBND or UBND-VP (the number is given at issue).
        #[arg(long)]
        notation: String,
        #[arg(long = "type")]
        doc_type: String,
        #[arg(long)]
        subject: String,
        #[arg(long)]
        signer: Option<String>,
        /// Nơi nhận: agency code or name (repeatable).
        #[arg(long = "to")]
        recipients: Vec<String>,
        /// Số lượng bản.
        #[arg(long)]
        copies: Option<u32>,
        /// Đơn vị soạn thảo.
        #[arg(long)]
        drafting_unit: Option<String>,
        /// Đơn vị, người nhận bản lưu.
        #[arg(long)]
        archive_copy_holder: Option<String>,
        #[arg(long)]
        urgency: Option<String>,
        #[arg(long)]
        secrecy: Option<String>,
        #[arg(long)]
        deadline: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// Cấp số ngay với ngày ban hành này / issue at once with this date.
        #[arg(long)]
        issue_date: Option<String>,
        #[arg(long = "file")]
        files: Vec<PathBuf>,
    },
    /// Gửi qua trục / send an issued document to its recipients over the hub: queued now,
    /// packaged and sent by the next `vanthu sync` round (never for mật or above, nor on a Số tạm).
    Send { id: i64 },
    /// Cấp số, ngày ban hành / issue (number and date) a draft.
    Issue {
        id: i64,
        /// Ngày ban hành (default: today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Nhập sổ văn bản đi từ CSV / import an outgoing register from CSV (all rows or none).
    ImportCsv { file: PathBuf },
    /// Thu hồi / recall a document sent over the hub, with a reason: the recall travels at
    /// the next `vanthu sync`, and the recipients' answers (15 đồng ý / 16 từ chối) move it
    /// to Đã thu hồi or Bị từ chối thu hồi.
    Recall {
        id: i64,
        /// Lý do thu hồi.
        #[arg(long)]
        reason: String,
    },
    /// Cập nhật / send the recipients the corrected document (same number), with a reason;
    /// `--file` attaches the corrected PDF or soft copy first.
    Update {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long = "file")]
        files: Vec<PathBuf>,
    },
    /// Thay thế / send the recipients a replacement of the document, with a reason; `--file`
    /// attaches the new version first.
    Replace {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long = "file")]
        files: Vec<PathBuf>,
    },
}

pub fn run(cmd: OutgoingCommand, global: &GlobalOpts) -> Result<()> {
    match cmd {
        OutgoingCommand::Create {
            notation,
            doc_type,
            subject,
            signer,
            recipients,
            copies,
            drafting_unit,
            archive_copy_holder,
            urgency,
            secrecy,
            deadline,
            notes,
            issue_date,
            files,
        } => {
            for f in &files {
                check_pdf(f)?;
            }
            let new = NewOutgoing {
                notation,
                doc_type,
                subject,
                signer,
                recipients,
                copies,
                archive_copy_holder,
                drafting_unit,
                urgency: urgency.as_deref().unwrap_or("").parse()?,
                secrecy: secrecy.as_deref().unwrap_or("").parse()?,
                deadline: deadline.as_deref().map(parse_date).transpose()?,
                notes,
                files,
                issue_date: issue_date.as_deref().map(parse_date).transpose()?,
                ..Default::default()
            };
            let mut reg = open(global)?;
            let rec = reg.create_outgoing(new)?;
            if global.json {
                return print_json(&rec);
            }
            match rec.number {
                Some(n) => println!(
                    "Đã cấp số văn bản đi: {} (số {n}, id {})",
                    rec.notation, rec.id
                ),
                None => println!("Đã tạo dự thảo văn bản đi (id {})", rec.id),
            }
            docs::print_record(&rec);
            Ok(())
        }
        OutgoingCommand::Issue { id, date } => {
            let date = match date {
                Some(d) => parse_date(&d)?,
                None => vanthu_registry::today(),
            };
            let mut reg = open(global)?;
            let rec = reg.issue_outgoing(id, date)?;
            if global.json {
                return print_json(&rec);
            }
            println!(
                "Đã cấp số văn bản đi: {} ngày {} (id {})",
                rec.notation,
                super::vi_date(rec.document_date),
                rec.id
            );
            Ok(())
        }
        OutgoingCommand::Send { id } => {
            let mut reg = open(global)?;
            let d = reg.queue_dispatch(id)?;
            if global.json {
                return print_json(&d);
            }
            println!(
                "Đã xếp gửi qua trục văn bản {id} tới {} (mã gói tin {}); gửi ở lần đồng bộ tới",
                d.recipients.join(", "),
                d.message_id
            );
            Ok(())
        }
        OutgoingCommand::Recall { id, reason } => {
            revise(global, id, SenderRevision::Recall, &reason, &[])
        }
        OutgoingCommand::Update { id, reason, files } => {
            revise(global, id, SenderRevision::Update, &reason, &files)
        }
        OutgoingCommand::Replace { id, reason, files } => {
            revise(global, id, SenderRevision::Replace, &reason, &files)
        }
        OutgoingCommand::ImportCsv { file } => {
            let mut reg = open(global)?;
            let summary = reg.import_outgoing_csv(&file)?;
            if global.json {
                return print_json(&summary);
            }
            println!(
                "Đã nhập {} văn bản đi từ {}",
                summary.imported,
                file.display()
            );
            Ok(())
        }
    }
}

/// Thu hồi, cập nhật or thay thế a sent document: queued now, sent at the next sync round.
fn revise(
    global: &GlobalOpts,
    id: i64,
    revision: SenderRevision,
    reason: &str,
    files: &[PathBuf],
) -> Result<()> {
    let mut reg = open(global)?;
    let r = reg.revise_outgoing(id, revision, reason, files)?;
    if global.json {
        return print_json(&r);
    }
    println!(
        "Đã xếp {} văn bản {id} tới {} (mã gói tin {}); gửi ở lần đồng bộ tới",
        revision.label_vi().to_lowercase(),
        r.recipients.join(", "),
        r.message_id
    );
    Ok(())
}
