//! `vanthu show`, `vanthu list`, `vanthu search`.
use anyhow::Result;
use vanthu_registry::{DocumentRecord, Register};

use super::{cut, open, print_json, vi_date, Filters};
use crate::GlobalOpts;

pub(crate) fn print_record(r: &DocumentRecord) {
    let line = |label: &str, value: &str| {
        if !value.is_empty() {
            println!("  {label:<22} {value}");
        }
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    line("Sổ", r.register.label_vi());
    match r.register {
        Register::Incoming => {
            let number = r
                .arrival_number
                .map(|n| {
                    format!(
                        "{n}{}",
                        if r.secrecy.is_secret() {
                            " (sổ mật)"
                        } else {
                            ""
                        }
                    )
                })
                .unwrap_or_else(|| "chưa vào sổ".into());
            line("Số đến", &number);
            line("Ngày đến", &vi_date(r.arrival_date));
            line(
                "Tác giả",
                &format!("{} ({})", opt(&r.sender), opt(&r.sender_code)),
            );
        }
        Register::Outgoing => {
            let recipients = r
                .recipients
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            line("Nơi nhận", &recipients);
            line(
                "Số lượng bản",
                &r.copies.map(|c| c.to_string()).unwrap_or_default(),
            );
            line("Đơn vị soạn thảo", &opt(&r.drafting_unit));
            line("Bản lưu", &opt(&r.archive_copy_holder));
        }
    }
    line("Số, ký hiệu", &r.notation);
    line("Ngày tháng văn bản", &vi_date(r.document_date));
    line("Tên loại", &r.doc_type);
    line("Trích yếu", &r.subject);
    line("Người ký", &opt(&r.signer));
    line("Độ khẩn", r.urgency.label_vi());
    line("Độ mật", r.secrecy.label_vi());
    if r.deadline.is_some() {
        line("Hạn giải quyết", &vi_date(r.deadline));
    }
    line("Đơn vị/người nhận", &opt(&r.handler));
    if r.passed_on_date.is_some() {
        line("Ngày chuyển", &vi_date(r.passed_on_date));
    }
    line("Ghi chú", &opt(&r.notes));
    line("Trạng thái", &r.state_label);
    for a in &r.attachments {
        line(
            "Tệp đính kèm",
            &format!(
                "{} ({} byte, sha256 {})",
                a.file_name,
                a.size,
                &a.sha256[..16]
            ),
        );
    }
}

pub fn show(global: &GlobalOpts, id: i64) -> Result<()> {
    let reg = open(global)?;
    let rec = reg.get(id)?;
    let events = reg.status_events(id)?;
    if global.json {
        let mut v = serde_json::to_value(&rec)?;
        v["status_events"] = serde_json::to_value(&events)?;
        v["mirror"] = serde_json::to_value(reg.mirror_info(id)?)?;
        return print_json(&v);
    }
    println!("Văn bản id {}", rec.id);
    print_record(&rec);
    if let Some(m) = reg.mirror_info(id)? {
        if rec.register == vanthu_registry::Register::Outgoing {
            println!(
                "  Bản trình ký từ máy {} (văn bản {} ở đó){}",
                m.origin,
                m.origin_document_id,
                if reg.mirror_returned_at(id)?.is_some() {
                    ", đã trả lại"
                } else {
                    ""
                }
            );
        } else {
            println!(
                "  Bản trình từ máy {} (văn bản {} ở đó), số đến {}",
                m.origin,
                m.origin_document_id,
                m.number_label.as_deref().unwrap_or("—")
            );
        }
    }
    println!("  Lịch sử xử lý:");
    for e in &events {
        println!(
            "    {}  {:<14} {} → {}{}{}",
            &e.at[..19.min(e.at.len())],
            cut(&e.user, 14),
            e.from_state.map_or("—", |s| s.as_str()),
            e.to_state,
            if e.codes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", e.codes.join(","))
            },
            e.note
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

pub fn search(global: &GlobalOpts, text: &str, filters: &Filters) -> Result<()> {
    let reg = open(global)?;
    let q = filters.to_query(text)?;
    let page = reg.search(&q)?;
    if global.json {
        return print_json(&page);
    }
    if page.hits.is_empty() {
        println!("Không tìm thấy văn bản nào / no documents found");
        return Ok(());
    }
    println!(
        "{:>7}  {:<4} {:>6}  {:<10}  {:<20}  {:<28}  Trích yếu",
        "id", "Sổ", "Số", "Ngày", "Số, ký hiệu", "Tác giả / nơi nhận"
    );
    for h in &page.hits {
        let number = h.number_label();
        let date = match h.register {
            Register::Incoming => h.arrival_date,
            Register::Outgoing => h.date,
        };
        println!(
            "{:>7}  {:<4} {:>6}  {:<10}  {:<20}  {:<28}  {}",
            h.id,
            if h.register == Register::Incoming {
                "đến"
            } else {
                "đi"
            },
            number,
            vi_date(date),
            cut(&h.notation, 20),
            cut(h.sender.as_deref().unwrap_or(""), 28),
            cut(&h.subject, 60)
        );
    }
    if let Some(c) = &page.next_cursor {
        println!("(còn nữa / more: --cursor {c})");
    }
    Ok(())
}
