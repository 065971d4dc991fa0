//! `vanthu incoming register|import-csv|status|stamp`.
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use vanthu_domain::{Actor, IncomingState};
use vanthu_registry::NewIncoming;

use super::{docs, open, parse_date, print_json};
use crate::GlobalOpts;

// Parsed once per process; boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum IncomingCommand {
    /// Vào sổ văn bản đến / register an incoming document.
    Register {
        /// Cơ quan ban hành: mã định danh (also pre-2019 codes) or exact name.
        #[arg(long = "from")]
        sender: String,
        /// Số, ký hiệu, e.g. 986/UBND-HCTC.
        #[arg(long)]
        notation: String,
        /// Ngày tháng văn bản (YYYY-MM-DD or dd/mm/yyyy).
        #[arg(long)]
        date: String,
        /// Tên loại văn bản (name or abbreviation: "Công văn", QĐ).
        #[arg(long = "type")]
        doc_type: String,
        /// Trích yếu nội dung.
        #[arg(long)]
        subject: String,
        /// Độ khẩn: thường, khẩn, thượng khẩn, hỏa tốc.
        #[arg(long)]
        urgency: Option<String>,
        /// Độ mật: thường, mật, tối mật, tuyệt mật (numbered in a separate series).
        #[arg(long)]
        secrecy: Option<String>,
        /// Hạn giải quyết.
        #[arg(long)]
        deadline: Option<String>,
        /// Người ký.
        #[arg(long)]
        signer: Option<String>,
        /// Đơn vị hoặc người nhận.
        #[arg(long)]
        handler: Option<String>,
        /// Ghi chú.
        #[arg(long)]
        notes: Option<String>,
        /// Ngày đến (default: today).
        #[arg(long)]
        arrival_date: Option<String>,
        /// Tệp PDF đính kèm (repeatable).
        #[arg(long = "file")]
        files: Vec<PathBuf>,
    },
    /// Nhập sổ văn bản đến từ CSV / import an incoming register from CSV (all rows or none).
    ImportCsv { file: PathBuf },
    /// Nhận gói tin edXML / enter a received edXML package (state đã đến, queues status 01).
    Import { file: PathBuf },
    /// Chuyển trạng thái xử lý / move a document through processing.
    Status {
        id: i64,
        /// registered, assigned, in_progress, completed, rejected, revoked…
        #[arg(long)]
        to: String,
        /// Who acts: clerk, leader, handler, system.
        #[arg(long = "as", default_value = "clerk")]
        actor: String,
        #[arg(long)]
        note: Option<String>,
        /// Đơn vị hoặc người nhận (recorded with today's date as ngày chuyển).
        #[arg(long)]
        handler: Option<String>,
    },
    /// Đóng dấu đến / apply the arrival stamp (a visible organisation signature with the
    /// unit's seal key) to a registered document's newest PDF; the stamped copy becomes
    /// its newest attachment "<name> (dấu đến).pdf".
    Stamp {
        id: i64,
        /// PKCS#11 module (default: $VANTHU_PKCS11_MODULE or the built-in list).
        #[arg(long)]
        module: Option<PathBuf>,
        #[arg(long)]
        token_label: Option<String>,
        /// The seal key's label on the token (default: the first key with a certificate).
        #[arg(long)]
        key_label: Option<String>,
        /// File whose first line is the PIN (default: $VANTHU_PIN, else asked).
        #[arg(long)]
        pin_file: Option<PathBuf>,
        /// Trust anchor for the verification of the stamped file; repeatable.
        #[arg(long)]
        trust: Vec<PathBuf>,
    },
}

/// Refuses anything that is not a readable PDF before a single byte is stored.
pub(crate) fn check_pdf(path: &Path) -> Result<()> {
    let mut head = [0u8; 5];
    let mut f = std::fs::File::open(path).with_context(|| {
        format!(
            "không đọc được tệp PDF / cannot read PDF {}",
            path.display()
        )
    })?;
    let n = f.read(&mut head).with_context(|| {
        format!(
            "không đọc được tệp PDF / cannot read PDF {}",
            path.display()
        )
    })?;
    if &head[..n] != b"%PDF-" {
        bail!("không phải tệp PDF / not a PDF file: {}", path.display());
    }
    Ok(())
}

fn parse_actor(s: &str) -> Result<Actor> {
    Ok(match vanthu_domain::text::fold(s).as_str() {
        "clerk" | "van thu" => Actor::Clerk,
        "leader" | "lanh dao" => Actor::Leader,
        "handler" | "chuyen vien" => Actor::Handler,
        "system" | "he thong" => Actor::System,
        _ => bail!("vai trò không hợp lệ / unknown actor {s:?} (clerk|leader|handler|system)"),
    })
}

pub fn run(cmd: IncomingCommand, global: &GlobalOpts) -> Result<()> {
    match cmd {
        IncomingCommand::Register {
            sender,
            notation,
            date,
            doc_type,
            subject,
            urgency,
            secrecy,
            deadline,
            signer,
            handler,
            notes,
            arrival_date,
            files,
        } => {
            for f in &files {
                check_pdf(f)?;
            }
            let new = NewIncoming {
                sender,
                notation,
                document_date: parse_date(&date)?,
                arrival_date: arrival_date.as_deref().map(parse_date).transpose()?,
                doc_type,
                subject,
                signer,
                urgency: urgency.as_deref().unwrap_or("").parse()?,
                secrecy: secrecy.as_deref().unwrap_or("").parse()?,
                deadline: deadline.as_deref().map(parse_date).transpose()?,
                handler,
                notes,
                files,
                ..Default::default()
            };
            let mut reg = open(global)?;
            let rec = reg.register_incoming(new)?;
            vanthu_core::index::index_document_text_logged(&mut reg, rec.id);
            if global.json {
                return print_json(&rec);
            }
            println!(
                "Đã vào sổ văn bản đến: số đến {}{} năm {} (id {})",
                rec.arrival_number.unwrap_or_default(),
                if rec.secrecy.is_secret() {
                    " (sổ mật)"
                } else {
                    ""
                },
                rec.year.unwrap_or_default(),
                rec.id
            );
            docs::print_record(&rec);
            Ok(())
        }
        IncomingCommand::Import { file } => crate::edxml::import(&file, global),
        IncomingCommand::Stamp {
            id,
            module,
            token_label,
            key_label,
            pin_file,
            trust,
        } => {
            // Refusals that need no token come before the PIN is asked for.
            let reg = open(global)?;
            reg.require(vanthu_domain::roles::Duty::SealAsOrganisation)?;
            reg.arrival_stamp_item(id)?;
            let trust = crate::sign::trust_store(global, &trust, &[])?;
            let (module, _) = crate::sign::load_module(module.as_deref(), token_label.as_deref())?;
            let pin = crate::sign::read_pin_from(pin_file.as_deref())?;
            let reg = std::sync::Mutex::new(reg);
            let out = vanthu_core::arrival_stamp::stamp_arrival(
                &reg,
                &module,
                &trust,
                id,
                vanthu_core::arrival_stamp::StampKey {
                    key_label: key_label.as_deref(),
                    token_label: token_label.as_deref(),
                },
                pin,
            )?;
            if global.json {
                return print_json(&out);
            }
            let verdict = match &out.verification {
                Ok(rep) if rep.signatures.iter().all(|s| s.intact && s.valid) => format!(
                    "{} chữ ký, đều nguyên vẹn và hợp lệ / all {} signatures intact and valid",
                    rep.signatures.len(),
                    rep.signatures.len()
                ),
                Ok(_) => "có chữ ký có vấn đề / some signature has problems".to_string(),
                Err(e) => e.clone(),
            };
            println!(
                "Đã đóng dấu đến văn bản {id} (số đến {}): {} — ký bởi {} lúc {}",
                out.document.number_label().unwrap_or_default(),
                out.attachment.file_name,
                out.signer,
                out.signing_time
            );
            if let Some([x, y, w, h]) = out.rect {
                println!(
                    "Vị trí trên trang 1 / on page 1: x={x:.1} y={y:.1} rộng {w:.1} cao {h:.1} pt"
                );
            }
            println!("Kiểm tra / verification: {verdict}");
            Ok(())
        }
        IncomingCommand::ImportCsv { file } => {
            let mut reg = open(global)?;
            let summary = reg.import_incoming_csv(&file)?;
            if global.json {
                return print_json(&summary);
            }
            println!(
                "Đã nhập {} văn bản đến từ {}",
                summary.imported,
                file.display()
            );
            Ok(())
        }
        IncomingCommand::Status {
            id,
            to,
            actor,
            note,
            handler,
        } => {
            let to: IncomingState = to
                .parse()
                .map_err(|e: String| anyhow::anyhow!("trạng thái không hợp lệ / {e}"))?;
            if handler.as_deref().is_some_and(|h| h.trim().is_empty()) {
                bail!("người nhận trống / empty --handler");
            }
            let mut reg = open(global)?;
            let ev = reg.append_status_event(id, to, parse_actor(&actor)?, note.as_deref())?;
            if let Some(h) = handler {
                reg.set_handler(id, &h, vanthu_registry::today())?;
            }
            if global.json {
                return print_json(&ev);
            }
            println!(
                "Văn bản {id}: {} → {}{}",
                ev.from_state.map_or("—", |s| s.as_str()),
                ev.to_state,
                if ev.codes.is_empty() {
                    String::new()
                } else {
                    format!(" (trạng thái edXML {})", ev.codes.join(", "))
                }
            );
            Ok(())
        }
    }
}
