//! Processing statistics (reports.md §3): what arrived (by month, sender group, type), what
//! was refused and why, and how the handlers kept their deadlines (hạn xử lý). The handler
//! column is the department until units have people and departments (issue 21).
use std::collections::BTreeMap;

use serde::Serialize;
use vanthu_domain::{IncomingState, SenderGroup};
use vanthu_registry::Registry;

use super::issuing::month_label;
use super::table::{Document, Table};
use super::{median_p90, month_key, round2, ReportError, ReportScope};

/// A label and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// What is counted (a month `YYYY-MM`, a group, a type, a reason).
    pub key: String,
    /// How many.
    pub count: u64,
}

/// Deadlines and response times of one handler (or of everyone).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct HandlingRow {
    /// The handler (người/đơn vị xử lý); "Chưa giao" when none.
    pub handler: String,
    /// Documents registered.
    pub received: u64,
    /// Open and not past the deadline.
    pub in_progress: u64,
    /// Completed by the deadline (or without one).
    pub completed_on_time: u64,
    /// Completed after the deadline.
    pub completed_late: u64,
    /// Open and past the deadline as of the period's end.
    pub overdue_open: u64,
    /// Days from arrival to completion: median.
    pub response_days_median: Option<f64>,
    /// Days from arrival to completion: 90th percentile.
    pub response_days_p90: Option<f64>,
}

/// Business operations (recall, update, replace), received and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct OperationCount {
    /// Asked of us by senders.
    pub received: u64,
    /// Asked by us of our recipients.
    pub sent: u64,
}

/// The processing report; its JSON keys are those of reports.md §3.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessingReport {
    /// Period and department.
    pub scope: ReportScope,
    /// Incoming documents registered in the period.
    pub received_total: u64,
    /// Per month (every month of the period).
    pub received_by_month: Vec<Count>,
    /// Per sender group (Bộ, ngành; Tỉnh; Sở, ban, ngành; Huyện; Xã; Khác).
    pub received_by_sender_group: Vec<Count>,
    /// Per document type, most first.
    pub received_by_type: Vec<Count>,
    /// Incoming refused (02).
    pub rejected_total: u64,
    /// Their reasons, most first.
    pub rejected_reasons: Vec<Count>,
    /// The totals of `by_handler`.
    #[serde(flatten)]
    pub totals: HandlingRow,
    /// Per handler.
    pub by_handler: Vec<HandlingRow>,
    /// Recalls.
    pub revoked: OperationCount,
    /// Updates.
    pub updated: OperationCount,
    /// Replacements.
    pub replaced: OperationCount,
}

const NO_HANDLER: &str = "Chưa giao";

/// Computes the processing report.
pub fn processing_report(
    reg: &Registry,
    scope: &ReportScope,
) -> Result<ProcessingReport, ReportError> {
    let w = scope.window();
    let facts: Vec<_> = reg
        .incoming_facts(&w)?
        .into_iter()
        .filter(|f| scope.has_department(f.handler.as_deref()))
        .collect();
    let mut by_month: BTreeMap<String, u64> =
        scope.month_keys().into_iter().map(|m| (m, 0)).collect();
    let mut by_group: BTreeMap<SenderGroup, u64> = BTreeMap::new();
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut handlers: BTreeMap<String, (HandlingRow, Vec<f64>)> = BTreeMap::new();
    let mut rejected_total = 0;
    for f in &facts {
        match f.state {
            // Not in the register yet.
            IncomingState::Received | IncomingState::Arrived => continue,
            IncomingState::Rejected => {
                rejected_total += 1;
                let reason = f
                    .rejected_reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .unwrap_or("Không ghi lý do");
                *reasons.entry(reason.to_owned()).or_default() += 1;
                continue;
            }
            _ => {}
        }
        *by_month.entry(month_key(f.arrival_date)).or_default() += 1;
        let group = SenderGroup::classify(
            f.sender_code.as_deref(),
            f.sender_group.as_deref(),
            f.sender_name.as_deref().unwrap_or_default(),
        );
        *by_group.entry(group).or_default() += 1;
        *by_type.entry(f.doc_type.clone()).or_default() += 1;

        let handler = f
            .handler
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or(NO_HANDLER);
        let (row, days) = handlers.entry(handler.to_owned()).or_default();
        row.received += 1;
        let late = |day: chrono::NaiveDate| f.deadline.is_some_and(|d| day > d);
        match (f.state, f.completed_on) {
            (IncomingState::Completed, Some(done)) => {
                if late(done) {
                    row.completed_late += 1;
                } else {
                    row.completed_on_time += 1;
                }
                days.push((done - f.arrival_date).num_days().max(0) as f64);
            }
            // Recalled or replaced by the sender: nothing left to handle.
            (IncomingState::Revoked | IncomingState::Superseded, _) => {}
            _ if late(scope.to) => row.overdue_open += 1,
            _ => row.in_progress += 1,
        }
    }

    let mut totals = HandlingRow {
        handler: "Tổng".into(),
        ..Default::default()
    };
    let mut all_days = Vec::new();
    let by_handler: Vec<HandlingRow> = handlers
        .into_iter()
        .map(|(handler, (mut row, mut days))| {
            totals.received += row.received;
            totals.in_progress += row.in_progress;
            totals.completed_on_time += row.completed_on_time;
            totals.completed_late += row.completed_late;
            totals.overdue_open += row.overdue_open;
            all_days.extend_from_slice(&days);
            let (m, p) = median_p90(&mut days);
            row.handler = handler;
            row.response_days_median = m.map(round2);
            row.response_days_p90 = p.map(round2);
            row
        })
        .collect();
    let (m, p) = median_p90(&mut all_days);
    totals.response_days_median = m.map(round2);
    totals.response_days_p90 = p.map(round2);

    let mut ops: BTreeMap<&str, OperationCount> = BTreeMap::new();
    for f in reg.exchange_facts(&w)? {
        if !scope.has_department(f.department.as_deref()) {
            continue;
        }
        let key = match f.business.as_str() {
            "recall" => "recall",
            "update" => "update",
            "replace" => "replace",
            _ => continue,
        };
        let e = ops.entry(key).or_default();
        if f.sent {
            e.sent += 1;
        } else {
            e.received += 1;
        }
    }
    let counts = |m: BTreeMap<String, u64>| -> Vec<Count> {
        let mut v: Vec<Count> = m
            .into_iter()
            .map(|(key, count)| Count { key, count })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        v
    };
    Ok(ProcessingReport {
        scope: scope.clone(),
        received_total: totals.received,
        received_by_month: by_month
            .into_iter()
            .map(|(key, count)| Count { key, count })
            .collect(),
        received_by_sender_group: SenderGroup::ALL
            .iter()
            .map(|g| Count {
                key: g.label_vi().to_owned(),
                count: by_group.get(g).copied().unwrap_or(0),
            })
            .collect(),
        received_by_type: counts(by_type),
        rejected_total,
        rejected_reasons: counts(reasons),
        totals,
        by_handler,
        revoked: ops.remove("recall").unwrap_or_default(),
        updated: ops.remove("update").unwrap_or_default(),
        replaced: ops.remove("replace").unwrap_or_default(),
    })
}

fn count_table(
    title: &str,
    heading: &str,
    rows: &[Count],
    label: impl Fn(&str) -> String,
) -> Table {
    let mut t = Table::new(title, &[heading, "Số văn bản"]);
    for c in rows {
        t.push(vec![label(&c.key).into(), c.count.into()]);
    }
    t
}

impl ProcessingReport {
    /// The report as printed tables.
    pub fn document(&self, unit: &str) -> Document {
        let mut handling = Table::new(
            "Tình hình giải quyết theo người xử lý",
            &[
                "Người/đơn vị xử lý",
                "Đã vào sổ",
                "Đang xử lý",
                "Hoàn thành đúng hạn",
                "Hoàn thành quá hạn",
                "Quá hạn chưa xong",
                "Số ngày giải quyết (trung vị)",
                "Số ngày giải quyết (p90)",
            ],
        );
        for r in self.by_handler.iter().chain(std::iter::once(&self.totals)) {
            handling.push(vec![
                r.handler.as_str().into(),
                r.received.into(),
                r.in_progress.into(),
                r.completed_on_time.into(),
                r.completed_late.into(),
                r.overdue_open.into(),
                r.response_days_median.into(),
                r.response_days_p90.into(),
            ]);
        }
        let mut ops = Table::new("Thu hồi, cập nhật, thay thế", &["Nghiệp vụ", "Nhận", "Gửi"]);
        for (label, c) in [
            ("Thu hồi", &self.revoked),
            ("Cập nhật", &self.updated),
            ("Thay thế", &self.replaced),
        ] {
            ops.push(vec![label.into(), c.received.into(), c.sent.into()]);
        }
        let mut rejected = count_table(
            "Văn bản từ chối tiếp nhận",
            "Lý do",
            &self.rejected_reasons,
            str::to_owned,
        );
        rejected.push(vec!["Tổng".into(), self.rejected_total.into()]);
        Document {
            title: "BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT VĂN BẢN ĐẾN".into(),
            subtitle: super::export::subtitle(unit, &self.scope),
            tables: vec![
                count_table(
                    "Văn bản đến theo tháng",
                    "Tháng",
                    &self.received_by_month,
                    month_label,
                ),
                count_table(
                    "Theo nhóm cơ quan gửi",
                    "Nhóm",
                    &self.received_by_sender_group,
                    str::to_owned,
                ),
                count_table(
                    "Theo loại văn bản",
                    "Loại văn bản",
                    &self.received_by_type,
                    str::to_owned,
                ),
                handling,
                rejected,
                ops,
            ],
            ..Default::default()
        }
    }
}
