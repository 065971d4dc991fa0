//! What the Báo cáo page draws for each report: the Rust side picks the figures and their
//! series, the UI only renders bars (the UI holds no rule about which figure matters).
use serde::Serialize;

use super::issuing::{month_label, IssuingReport, SignedRatio};
use super::processing::ProcessingReport;
use super::statuses::StatusesReport;

/// One bar chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// Vietnamese title.
    pub title: String,
    /// The name of each value of a point (the legend), in order.
    pub series: Vec<String>,
    /// One bar (group) per point.
    pub points: Vec<ChartPoint>,
    /// Whether the values of a point stack into one bar.
    pub stacked: bool,
}

/// One labelled group of values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartPoint {
    /// Label under the bar (a month, an agency, a handler).
    pub label: String,
    /// One value per series.
    pub values: Vec<f64>,
}

fn counts(title: &str, points: impl Iterator<Item = (String, u64)>) -> Chart {
    Chart {
        title: title.into(),
        series: vec!["Số văn bản".into()],
        points: points
            .map(|(label, n)| ChartPoint {
                label,
                values: vec![n as f64],
            })
            .collect(),
        stacked: false,
    }
}

fn signed(title: &str, r: &SignedRatio) -> Chart {
    Chart {
        title: title.into(),
        series: vec!["Có ký số".into(), "Không có ký số hợp lệ".into()],
        points: r
            .months
            .iter()
            .map(|m| ChartPoint {
                label: month_label(&m.month),
                values: vec![m.signed as f64, (m.total - m.signed) as f64],
            })
            .collect(),
        stacked: true,
    }
}

impl IssuingReport {
    /// Signed and unsigned electronic documents per month, inside and outside the unit.
    pub fn charts(&self) -> Vec<Chart> {
        vec![
            signed(
                "Văn bản điện tử trao đổi trong nội bộ",
                &self.signed_ratio_internal,
            ),
            signed(
                "Văn bản điện tử trao đổi với cơ quan khác",
                &self.signed_ratio_external,
            ),
        ]
    }
}

impl StatusesReport {
    /// Statuses returned per counterpart, out of six.
    pub fn charts(&self) -> Vec<Chart> {
        vec![Chart {
            title: "Số trạng thái cơ quan nhận đã phản hồi (tối đa 6)".into(),
            series: vec!["Số trạng thái".into()],
            points: self
                .counterparts
                .iter()
                .filter(|c| c.documents_sent > 0)
                .map(|c| ChartPoint {
                    label: c.agency_name.clone(),
                    values: vec![f64::from(c.statuses_returned)],
                })
                .collect(),
            stacked: false,
        }]
    }
}

impl ProcessingReport {
    /// Arrivals per month and per sender group, and how each handler kept deadlines.
    pub fn charts(&self) -> Vec<Chart> {
        let handling = Chart {
            title: "Tình hình giải quyết theo người xử lý".into(),
            series: vec![
                "Hoàn thành đúng hạn".into(),
                "Hoàn thành quá hạn".into(),
                "Quá hạn chưa xong".into(),
                "Đang xử lý".into(),
            ],
            points: self
                .by_handler
                .iter()
                .map(|r| ChartPoint {
                    label: r.handler.clone(),
                    values: [
                        r.completed_on_time,
                        r.completed_late,
                        r.overdue_open,
                        r.in_progress,
                    ]
                    .iter()
                    .map(|n| *n as f64)
                    .collect(),
                })
                .collect(),
            stacked: true,
        };
        vec![
            counts(
                "Văn bản đến theo tháng",
                self.received_by_month
                    .iter()
                    .map(|c| (month_label(&c.key), c.count)),
            ),
            counts(
                "Văn bản đến theo nhóm cơ quan gửi",
                self.received_by_sender_group
                    .iter()
                    .map(|c| (c.key.clone(), c.count)),
            ),
            handling,
        ]
    }
}
