//! The survey form of seed 000 (Công văn 2887/VPCP-KSTT, Phụ lục III) filled in from the
//! register (reports.md §6): the figures of items 1.10 and 1.11 from the issuing report, the
//! status feedback of item 1.8 from the statuses report, and what vanthu itself does (TT
//! 10/2016 codes, automatic statuses, tracking). Questions about the unit's organisation
//! (contact person, LGSP, regulations issued) stay for the clerk to answer.
use serde::Serialize;

use super::issuing::IssuingReport;
use super::statuses::StatusesReport;
use super::table::{Document, Table};
use super::ReportScope;

/// Answer left for the unit.
pub const TO_FILL: &str = "(đơn vị điền)";

/// One item of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyItem {
    /// The item's number in the form (`1.10`, `1.11.b`…).
    pub item: String,
    /// The question, shortened from the form.
    pub question: String,
    /// The answer ([`TO_FILL`] where the register cannot know it).
    pub answer: String,
    /// True when the answer comes from the register.
    pub computed: bool,
}

/// The form, pre-filled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyForm {
    /// Period the figures cover ("từ đầu năm đến nay" by default).
    pub scope: ReportScope,
    /// Its items, in the form's order.
    pub items: Vec<SurveyItem>,
}

fn per_month(n: u64, months: f64) -> String {
    if months > 0.0 {
        format!("{:.1}", n as f64 / months)
    } else {
        "0".into()
    }
}

/// Fills the form for the unit `unit` (name and code) from the two reports of one scope.
pub fn survey_form(
    unit: (&str, &str),
    issuing: &IssuingReport,
    statuses: &StatusesReport,
) -> SurveyForm {
    let (name, code) = unit;
    let mut items = Vec::new();
    let mut add = |item: &str, question: &str, answer: String, computed: bool| {
        items.push(SurveyItem {
            item: item.into(),
            question: question.into(),
            answer,
            computed,
        })
    };
    add("1", "Tên cơ quan cung cấp thông tin", name.to_owned(), true);
    add(
        "2",
        "Đầu mối liên hệ: họ và tên, đơn vị, chức vụ, điện thoại, thư điện tử",
        TO_FILL.into(),
        false,
    );
    add(
        "1.1",
        "Hiện trạng triển khai hệ thống quản lý văn bản điều hành",
        TO_FILL.into(),
        false,
    );
    add(
        "1.3",
        "Hệ thống đã cập nhật mã định danh của các cơ quan nhà nước (Thông tư 10/2016/TT-BTTTT)",
        format!("Đã cập nhật (mã định danh của cơ quan: {code})"),
        true,
    );
    let own = &statuses.own;
    add(
        "1.8.a",
        "Phản hồi tình trạng xử lý văn bản điện tử theo Quyết định 28/2018/QĐ-TTg",
        format!(
            "Có đầy đủ thông tin; hệ thống tự động cập nhật. Trong kỳ đã phản hồi {}/6 trạng thái ({})",
            own.statuses_returned, own.note
        ),
        true,
    );
    add(
        "1.8.b",
        "Theo dõi luồng xử lý của từng văn bản",
        "Cho phép theo dõi, thống kê".into(),
        true,
    );
    let exchanged = own.sent == super::statuses::PASSED || own.received == super::statuses::PASSED;
    add(
        "1.8.c",
        "Gửi, nhận văn bản với đơn vị trực thuộc và cơ quan khác qua hệ thống",
        if exchanged {
            "Có".into()
        } else {
            "Có (chưa phát sinh trong kỳ)".into()
        },
        true,
    );
    let m = issuing.months;
    add(
        "1.10",
        "Tổng số văn bản phát hành (giấy và điện tử) trung bình",
        format!(
            "{} văn bản/tháng ({} văn bản trong {:.2} tháng)",
            per_month(issuing.issued_total, m),
            issuing.issued_total,
            m
        ),
        true,
    );
    add(
        "1.10",
        "Tổng số văn bản phát hành điện tử (không kèm văn bản giấy) trung bình",
        format!(
            "{} văn bản/tháng ({} văn bản)",
            per_month(issuing.issued_electronic_only, m),
            issuing.issued_electronic_only
        ),
        true,
    );
    add(
        "1.11.a",
        "Chứng thư số đã dùng để ký văn bản của cơ quan (đơn vị và cá nhân)",
        format!("{} chứng thư số", issuing.certificates),
        true,
    );
    for (question, r) in [
        (
            "Văn bản điện tử có chữ ký số trong nội bộ cơ quan (có ký số/tổng số/tháng)",
            &issuing.signed_ratio_internal,
        ),
        (
            "Văn bản điện tử có chữ ký số với cơ quan bên ngoài (có ký số/tổng số/tháng)",
            &issuing.signed_ratio_external,
        ),
    ] {
        add(
            "1.11.b",
            question,
            format!("{}/{}/tháng", per_month(r.signed, m), per_month(r.total, m)),
            true,
        );
    }
    for (item, question) in [
        (
            "1.1",
            "Hiện trạng triển khai hệ thống quản lý văn bản điều hành",
        ),
        (
            "1.12",
            "Tổng hợp tình hình gửi, nhận văn bản điện tử của các đơn vị trực thuộc",
        ),
        (
            "2.1",
            "Triển khai nền tảng chia sẻ, tích hợp dùng chung (LGSP)",
        ),
        (
            "2.2",
            "Giải pháp kết nối với Trục liên thông văn bản quốc gia",
        ),
    ] {
        add(item, question, TO_FILL.into(), false);
    }
    SurveyForm {
        scope: issuing.scope.clone(),
        items,
    }
}

impl SurveyForm {
    /// The form as a printable document.
    pub fn document(&self, unit: &str) -> Document {
        let mut t = Table::new("Thông tin cung cấp", &["Mục", "Nội dung", "Trả lời"]);
        for i in &self.items {
            t.push(vec![
                i.item.as_str().into(),
                i.question.as_str().into(),
                i.answer.as_str().into(),
            ]);
        }
        Document {
            title: "PHỤ LỤC III — THÔNG TIN TÌNH HÌNH TRIỂN KHAI GỬI, NHẬN VĂN BẢN ĐIỆN TỬ".into(),
            subtitle: {
                let mut s = vec![
                    "(Theo biểu mẫu kèm Công văn số 2887/VPCP-KSTT của Văn phòng Chính phủ)"
                        .to_owned(),
                ];
                s.extend(super::export::subtitle(unit, &self.scope));
                s
            },
            tables: vec![t],
            ..Default::default()
        }
    }
}
