//! `vanthu handling …`: phân công with chủ trì, phối hợp, deadline and instruction, and the
//! handler's part afterwards — progress notes, a reply draft, an extension request — with
//! the leader's decision (the rules and where each note travels: `vanthu_registry::handling`).
use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use vanthu_registry::desks::{HandlingKind, HandlingRole};
use vanthu_registry::{Assignment, Handling, NewHandlingNote};

use super::{open, parse_date, print_json, vi_date};
use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum HandlingCommand {
    /// Xem phân công và tiến độ / show the assignment, notes and requests of a document.
    Show { id: i64 },
    /// Phân công / assign (as lãnh đạo): chủ trì, phối hợp, hạn xử lý, ý kiến chỉ đạo.
    Assign {
        id: i64,
        /// Chủ trì (person or department).
        #[arg(long)]
        lead: String,
        /// Phối hợp, repeatable.
        #[arg(long = "support")]
        supporters: Vec<String>,
        /// Hạn xử lý (dd/mm/yyyy or yyyy-mm-dd).
        #[arg(long)]
        deadline: Option<String>,
        /// Ý kiến chỉ đạo.
        #[arg(long)]
        instruction: Option<String>,
    },
    /// Ghi tiến độ / write a progress note.
    Note {
        id: i64,
        #[arg(long)]
        text: String,
    },
    /// Gửi dự thảo trả lời / send a reply draft (.docx, .odt or .pdf).
    Reply {
        id: i64,
        file: PathBuf,
        #[arg(long)]
        note: Option<String>,
    },
    /// Xin gia hạn / ask the leader for a later deadline, with the reason.
    Extend {
        id: i64,
        #[arg(long)]
        until: String,
        #[arg(long)]
        reason: String,
    },
    /// Quyết định gia hạn / grant or refuse the pending extension request (as lãnh đạo).
    Decide {
        id: i64,
        /// Đồng ý (otherwise: không đồng ý).
        #[arg(long)]
        grant: bool,
        #[arg(long)]
        note: Option<String>,
    },
}

fn show(h: &Handling) {
    if let Some(role) = h.role {
        println!("Bản giao xử lý ({})", role.label_vi());
    }
    for a in &h.assignments {
        println!(
            "{}: {}{}{}",
            if a.role == HandlingRole::Lead {
                "Chủ trì"
            } else {
                "Phối hợp"
            },
            a.assignee,
            a.deadline
                .map(|d| format!(", hạn {}", vi_date(Some(d))))
                .unwrap_or_default(),
            a.instruction
                .as_deref()
                .map(|i| format!(" — {i} ({})", a.assigned_by))
                .unwrap_or_default()
        );
    }
    for n in &h.notes {
        println!(
            "{}  {:<18} {}{}{}{}",
            n.created_at,
            n.kind.as_str(),
            n.author,
            n.deadline
                .map(|d| format!(" → {}", vi_date(Some(d))))
                .unwrap_or_default(),
            n.body
                .as_deref()
                .map(|b| format!(": {b}"))
                .unwrap_or_default(),
            n.reply_document_id
                .map(|r| format!(" (dự thảo văn bản đi #{r})"))
                .unwrap_or_default()
        );
    }
    if let Some(p) = &h.pending_extension {
        println!(
            "Chờ lãnh đạo quyết định: xin gia hạn đến {}",
            vi_date(p.deadline)
        );
    }
}

pub fn run(cmd: HandlingCommand, global: &GlobalOpts) -> Result<()> {
    let mut reg = open(global)?;
    let note = |kind, body: Option<String>, deadline, file| NewHandlingNote {
        kind: Some(kind),
        body,
        deadline,
        file,
    };
    let id = match cmd {
        HandlingCommand::Show { id } => id,
        HandlingCommand::Assign {
            id,
            lead,
            supporters,
            deadline,
            instruction,
        } => {
            reg.assign(
                id,
                &Assignment {
                    lead,
                    supporters,
                    deadline: deadline.as_deref().map(parse_date).transpose()?,
                    instruction,
                },
            )?;
            id
        }
        HandlingCommand::Note { id, text } => {
            reg.add_handling_note(id, &note(HandlingKind::Note, Some(text), None, None))?;
            id
        }
        HandlingCommand::Reply { id, file, note: n } => {
            reg.add_handling_note(id, &note(HandlingKind::ReplyDraft, n, None, Some(file)))?;
            id
        }
        HandlingCommand::Extend { id, until, reason } => {
            let until = parse_date(&until)?;
            reg.add_handling_note(
                id,
                &note(
                    HandlingKind::ExtensionRequest,
                    Some(reason),
                    Some(until),
                    None,
                ),
            )?;
            id
        }
        HandlingCommand::Decide { id, grant, note } => {
            reg.decide_extension(id, grant, note.as_deref())?;
            id
        }
    };
    let h = reg.handling(id)?;
    if global.json {
        return print_json(&h);
    }
    show(&h);
    Ok(())
}
