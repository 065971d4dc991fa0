//! Printable registers (NĐ 30/2020 Phụ lục IV; ../shared/spec/registers.md §1–§3): the
//! incoming and outgoing register books of one year and series, with their cover page and
//! the ten columns of the decree's forms, and the processing slip (phiếu giải quyết văn bản
//! đến) of one incoming document. Each is a [`Document`], so it prints as PDF (cover, page
//! numbers, embedded font) or XLSX/CSV like the reports.
use vanthu_domain::{IncomingState, OutgoingState};
use vanthu_registry::{DocumentRecord, Register, Registry, Series};

use super::table::{Cell, CoverLine, Document, Table};
use super::ReportError;

/// Which book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookRequest {
    /// Incoming or outgoing.
    pub register: Register,
    /// The numbering year.
    pub year: i32,
    /// The ordinary series or the secret one (mật documents have their own book).
    pub series: Series,
}

fn date(d: Option<chrono::NaiveDate>) -> Cell {
    d.map_or(Cell::Empty, Cell::Date)
}

fn opt(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, Cell::from)
}

/// Tên loại và trích yếu nội dung, as one cell.
fn type_and_subject(d: &DocumentRecord) -> Cell {
    Cell::Text(format!("{}: {}", d.doc_type, d.subject))
}

fn number_label(d: &DocumentRecord, series: Series) -> Cell {
    let n = d.arrival_number.or(d.number);
    match (n, series) {
        (Some(n), Series::Secret) => Cell::Text(format!("M{n}")),
        (Some(n), Series::Normal) => Cell::Int(i64::from(n)),
        (None, _) => Cell::Empty,
    }
}

/// The register book of a year: a cover page, then every numbered document in number order.
pub fn register_book(reg: &Registry, req: BookRequest) -> Result<Document, ReportError> {
    let ids = reg.book_ids(req.register, req.series, req.year)?;
    let mut docs = Vec::with_capacity(ids.len());
    for id in ids {
        docs.push(reg.get(id)?);
    }
    let (unit_code, unit_name) = reg.own_unit()?.unwrap_or_default();
    let incoming = req.register == Register::Incoming;
    let table = if incoming {
        let mut t = Table::new(
            "Sổ đăng ký văn bản đến",
            &[
                "Ngày đến",
                "Số đến",
                "Tác giả",
                "Số, ký hiệu văn bản",
                "Ngày tháng văn bản",
                "Tên loại và trích yếu nội dung",
                "Đơn vị hoặc người nhận",
                "Ngày chuyển",
                "Ký nhận",
                "Ghi chú",
            ],
        );
        for d in &docs {
            t.push(vec![
                date(d.arrival_date),
                number_label(d, req.series),
                opt(&d.sender),
                d.notation.as_str().into(),
                date(d.document_date),
                type_and_subject(d),
                opt(&d.handler),
                date(d.passed_on_date),
                Cell::Empty,
                opt(&d.notes),
            ]);
        }
        t
    } else {
        let mut t = Table::new(
            "Sổ đăng ký văn bản đi",
            &[
                "Số, ký hiệu văn bản",
                "Ngày tháng văn bản",
                "Tên loại và trích yếu nội dung",
                "Người ký",
                "Nơi nhận văn bản",
                "Đơn vị, người nhận bản lưu",
                "Số lượng bản",
                "Ngày chuyển",
                "Ký nhận",
                "Ghi chú",
            ],
        );
        for d in &docs {
            let recipients: Vec<&str> = d.recipients.iter().map(|r| r.name.as_str()).collect();
            // An electronic sending is acknowledged by the hub and the recipients' statuses,
            // not by a signature in the book.
            let electronic = matches!(
                d.outgoing_state(),
                Some(
                    OutgoingState::Sent
                        | OutgoingState::RecallPending
                        | OutgoingState::Recalled
                        | OutgoingState::RecallRefused
                        | OutgoingState::UpdatePending
                        | OutgoingState::ReplacePending
                )
            );
            t.push(vec![
                d.notation.as_str().into(),
                date(d.document_date),
                type_and_subject(d),
                opt(&d.signer),
                recipients.join("; ").into(),
                opt(&d.archive_copy_holder),
                d.copies.map_or(Cell::Empty, |c| Cell::Int(i64::from(c))),
                date(d.dispatched_date),
                if electronic {
                    "Gửi điện tử qua trục".into()
                } else {
                    Cell::Empty
                },
                opt(&d.notes),
            ]);
        }
        t
    };

    let what = if incoming { "ĐẾN" } else { "ĐI" };
    let secret = if req.series == Series::Secret {
        " (VĂN BẢN MẬT)"
    } else {
        ""
    };
    let first = docs.first().and_then(|d| d.arrival_number.or(d.number));
    let last = docs.last().and_then(|d| d.arrival_number.or(d.number));
    let dates: Vec<chrono::NaiveDate> = docs
        .iter()
        .filter_map(|d| {
            if incoming {
                d.arrival_date
            } else {
                d.document_date
            }
        })
        .collect();
    let fmt = |d: Option<&chrono::NaiveDate>| {
        d.map_or("…".to_owned(), |d| d.format("%d/%m/%Y").to_string())
    };
    let line = |text: String, size: f32| CoverLine { text, size };
    let cover = vec![
        line(unit_name.to_uppercase(), 13.0),
        line(format!("Mã định danh: {unit_code}"), 10.0),
        line(String::new(), 30.0),
        line(format!("SỔ ĐĂNG KÝ VĂN BẢN {what}{secret}"), 22.0),
        line(String::new(), 12.0),
        line(format!("Năm {}", req.year), 16.0),
        line(String::new(), 20.0),
        line(
            format!(
                "Từ ngày {} đến ngày {}",
                fmt(dates.iter().min()),
                fmt(dates.iter().max())
            ),
            12.0,
        ),
        line(
            match (first, last) {
                (Some(a), Some(b)) => format!("Từ số {a} đến số {b}"),
                _ => "Sổ chưa có văn bản".to_owned(),
            },
            12.0,
        ),
        line("Quyển số: 01".to_owned(), 12.0),
    ];
    Ok(Document {
        title: format!("SỔ ĐĂNG KÝ VĂN BẢN {what}{secret} NĂM {}", req.year),
        subtitle: vec![format!("Đơn vị: {unit_name} ({unit_code})")],
        tables: vec![table],
        cover,
        portrait: false,
    })
}

/// Phiếu giải quyết văn bản đến of one incoming document: the document, then the three
/// parts of the form, with what the register already knows (the leader's assignment and its
/// note, the deadline, the handler's steps) and room for the rest.
pub fn processing_slip(reg: &Registry, id: i64) -> Result<Document, ReportError> {
    let d = reg.get(id)?;
    if d.register != Register::Incoming {
        return Err(ReportError::Registry(vanthu_registry::Error::InvalidState(
            format!("văn bản {id} không phải văn bản đến / document {id} is not incoming"),
        )));
    }
    let events = reg.status_events(id)?;
    let (unit_code, unit_name) = reg.own_unit()?.unwrap_or_default();
    let day = |at: &str| {
        at.get(..10)
            .and_then(|s| s.parse::<chrono::NaiveDate>().ok())
            .map_or(Cell::Empty, Cell::Date)
    };
    let mut info = Table::new("Văn bản", &["Mục", "Nội dung"]);
    for (k, v) in [
        ("Số đến", number_label(&d, d.series)),
        ("Ngày đến", date(d.arrival_date)),
        ("Tác giả", opt(&d.sender)),
        ("Số, ký hiệu", d.notation.as_str().into()),
        ("Ngày tháng văn bản", date(d.document_date)),
        ("Tên loại và trích yếu nội dung", type_and_subject(&d)),
        ("Độ khẩn", d.urgency.label_vi().into()),
        ("Hạn giải quyết", date(d.deadline)),
    ] {
        info.push(vec![k.into(), v]);
    }
    let step = |to: IncomingState| {
        events
            .iter()
            .filter(|e| e.to_state == vanthu_domain::DocumentState::Incoming(to))
            .collect::<Vec<_>>()
    };
    let mut leader = Table::new(
        "1. Ý kiến của lãnh đạo cơ quan",
        &[
            "Ngày",
            "Người cho ý kiến",
            "Ý kiến chỉ đạo, đơn vị/người chủ trì, phối hợp, thời hạn",
        ],
    );
    for e in step(IncomingState::Assigned) {
        let mut text = e.note.clone().unwrap_or_default();
        if let Some(h) = &d.handler {
            if !text.contains(h.as_str()) {
                text = format!("{text}{}Giao: {h}", if text.is_empty() { "" } else { ". " });
            }
        }
        if let Some(deadline) = d.deadline {
            text.push_str(&format!(". Hạn: {}", deadline.format("%d/%m/%Y")));
        }
        leader.push(vec![day(&e.at), e.user.as_str().into(), text.into()]);
    }
    if leader.rows.is_empty() {
        leader.push(vec![Cell::Empty, Cell::Empty, "\n\n\n".into()]);
    }
    let mut unit_lead = Table::new(
        "2. Ý kiến của lãnh đạo đơn vị",
        &[
            "Ngày",
            "Người cho ý kiến",
            "Ý kiến, người được giao, thời hạn",
        ],
    );
    unit_lead.push(vec![Cell::Empty, Cell::Empty, "\n\n\n".into()]);
    let mut handler = Table::new(
        "3. Ý kiến đề xuất của người giải quyết",
        &["Ngày", "Người giải quyết", "Ý kiến đề xuất, tiến độ"],
    );
    for e in step(IncomingState::InProgress)
        .into_iter()
        .chain(step(IncomingState::Completed))
    {
        let text = match (&e.to_state, &e.note) {
            (_, Some(n)) if !n.trim().is_empty() => n.clone(),
            (vanthu_domain::DocumentState::Incoming(IncomingState::Completed), _) => {
                "Đã hoàn thành".to_owned()
            }
            _ => "Đang xử lý".to_owned(),
        };
        handler.push(vec![day(&e.at), e.user.as_str().into(), text.into()]);
    }
    if handler.rows.is_empty() {
        handler.push(vec![Cell::Empty, Cell::Empty, "\n\n\n".into()]);
    }
    Ok(Document {
        title: "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN".into(),
        subtitle: vec![format!("{unit_name} ({unit_code})")],
        tables: vec![info, leader, unit_lead, handler],
        cover: Vec::new(),
        portrait: true,
    })
}
