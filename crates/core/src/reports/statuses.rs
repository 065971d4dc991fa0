//! Status-feedback completeness (reports.md §2; seed 004 Phụ lục I/II columns 7–10): for
//! every counterpart, whether we sent to it and received from it in the period, how many of
//! the six statuses 01–06 it returned on our documents, in the seed's wording, and how long
//! it took; then the same for our own answers, which says whether this unit would pass the
//! Government Office's check.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use vanthu_registry::{ExchangeFact, Registry, StatusFact};

use super::table::{Cell, Document, Table};
use super::{median_p90, round2, ReportError, ReportScope};

/// Column 7/8 value when the condition holds.
pub const PASSED: &str = "ĐẠT";
/// Column 7 when nothing was sent.
pub const NOT_SENT: &str = "Chưa gửi";
/// Column 8 when nothing was received.
pub const NOT_RECEIVED: &str = "Chưa nhận";

/// Column 10: the seed's wording for a number of statuses returned.
pub fn note_for(statuses_returned: u8) -> &'static str {
    match statuses_returned {
        0 => "Chưa phản hồi trạng thái",
        1..=5 => "Phản hồi chưa đủ trạng thái",
        _ => "Phản hồi tương đối đủ trạng thái",
    }
}

const FORWARD: [&str; 6] = ["01", "02", "03", "04", "05", "06"];

/// The statuses report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusesReport {
    /// Period and department.
    pub scope: ReportScope,
    /// Hours after sending before a recipient without a 01 counts as not received (the
    /// sync alert threshold).
    pub threshold_hours: u32,
    /// One row per counterpart we exchanged with in the period.
    pub counterparts: Vec<CounterpartRow>,
    /// One row per agency that sent us documents: the statuses we returned to it.
    pub own_answers: Vec<AnswerRow>,
    /// This unit's own row as the Government Office would compute it.
    pub own: SelfCheck,
}

/// One counterpart (seed 004 columns 7–10 and the times of reports.md §2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterpartRow {
    /// Mã định danh.
    pub agency_code: String,
    /// Name from the directory (the code when unlisted).
    pub agency_name: String,
    /// Column 7: "ĐẠT" / "Chưa gửi".
    pub sent: &'static str,
    /// Column 8: "ĐẠT" / "Chưa nhận".
    pub received: &'static str,
    /// Column 9: distinct statuses 01–06 it returned on documents we sent in the period.
    pub statuses_returned: u8,
    /// Those codes.
    pub codes_returned: Vec<String>,
    /// Column 10, the seed's wording.
    pub note: &'static str,
    /// Document packages we sent it.
    pub documents_sent: u64,
    /// Document packages it sent us.
    pub documents_received: u64,
    /// Hours from our sending to its 01: median and 90th percentile.
    pub hours_to_01_median: Option<f64>,
    /// See `hours_to_01_median`.
    pub hours_to_01_p90: Option<f64>,
    /// Hours to its 03 (registered).
    pub hours_to_03_median: Option<f64>,
    /// See `hours_to_03_median`.
    pub hours_to_03_p90: Option<f64>,
    /// Hours to its 06 (completed).
    pub hours_to_06_median: Option<f64>,
    /// See `hours_to_06_median`.
    pub hours_to_06_p90: Option<f64>,
    /// Our documents it has not confirmed (no 01) after the threshold.
    pub without_01_after_threshold: u64,
}

/// The statuses we returned to one sender.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerRow {
    /// The sender's code.
    pub agency_code: String,
    /// Its name.
    pub agency_name: String,
    /// Documents it sent us in the period.
    pub documents_received: u64,
    /// Distinct statuses 01–06 we returned on them.
    pub statuses_returned: u8,
    /// Those codes.
    pub codes_returned: Vec<String>,
    /// The seed's wording.
    pub note: &'static str,
}

/// This unit's row in the Government Office's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelfCheck {
    /// Column 7.
    pub sent: &'static str,
    /// Column 8.
    pub received: &'static str,
    /// Column 9: distinct statuses 01–06 we returned to anyone in the period.
    pub statuses_returned: u8,
    /// Those codes.
    pub codes_returned: Vec<String>,
    /// Column 10.
    pub note: &'static str,
    /// Sent, received and all six statuses returned.
    pub passes: bool,
}

fn distinct_forward<'a>(codes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let set: BTreeSet<&str> = codes.filter(|c| FORWARD.contains(c)).collect();
    set.into_iter().map(str::to_owned).collect()
}

#[derive(Default)]
struct Tally {
    documents_sent: u64,
    documents_received: u64,
    codes: BTreeSet<String>,
    hours: [Vec<f64>; 3],
    without_01: u64,
}

/// Computes the statuses report as of `now_ms` (for the threshold).
pub fn statuses_report(
    reg: &Registry,
    scope: &ReportScope,
    threshold_hours: u32,
    now_ms: i64,
) -> Result<StatusesReport, ReportError> {
    let w = scope.window();
    let exchanged: Vec<ExchangeFact> = reg
        .exchange_facts(&w)?
        .into_iter()
        .filter(|f| scope.has_department(f.department.as_deref()))
        .collect();
    let received_statuses = reg.received_status_facts(&w)?;
    let sent_statuses = reg.sent_status_facts(&w)?;

    // (our message, recipient) → the statuses it returned, in arrival order.
    let mut answers: HashMap<(&str, &str), Vec<&StatusFact>> = HashMap::new();
    for s in &received_statuses {
        answers
            .entry((s.related.as_str(), s.counterpart.as_str()))
            .or_default()
            .push(s);
    }
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    let threshold_ms = i64::from(threshold_hours) * 3_600_000;
    for f in &exchanged {
        for c in &f.counterparts {
            let t = tally.entry(c.clone()).or_default();
            if !f.sent {
                t.documents_received += 1;
                continue;
            }
            t.documents_sent += 1;
            if f.business != "new" {
                continue;
            }
            let got = answers
                .get(&(f.message_id.as_str(), c.as_str()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            t.codes
                .extend(distinct_forward(got.iter().map(|s| s.code.as_str())));
            for (slot, code) in ["01", "03", "06"].iter().enumerate() {
                if let Some(s) = got.iter().find(|s| s.code == *code) {
                    t.hours[slot].push((s.at_ms - f.at_ms).max(0) as f64 / 3_600_000.0);
                }
            }
            let heard = got.iter().any(|s| s.code == "01");
            if !heard && now_ms.saturating_sub(f.at_ms) >= threshold_ms {
                t.without_01 += 1;
            }
        }
    }

    // Our answers: statuses we sent about documents we received in the period.
    let received_docs: HashMap<&str, &str> = exchanged
        .iter()
        .filter(|f| !f.sent && f.business == "new")
        .filter_map(|f| Some((f.message_id.as_str(), f.counterparts.first()?.as_str())))
        .collect();
    let mut ours: BTreeMap<&str, (u64, Vec<&str>)> = BTreeMap::new();
    for sender in received_docs.values() {
        ours.entry(sender).or_default().0 += 1;
    }
    for s in &sent_statuses {
        if let Some(sender) = received_docs.get(s.related.as_str()) {
            ours.entry(sender).or_default().1.push(&s.code);
        }
    }

    let mut codes: Vec<String> = tally.keys().cloned().collect();
    codes.extend(ours.keys().map(|c| (*c).to_owned()));
    let names: HashMap<String, String> = reg.agency_names(&codes)?.into_iter().collect();
    let name_of = |c: &str| names.get(c).cloned().unwrap_or_else(|| c.to_owned());

    let counterparts = tally
        .into_iter()
        .map(|(code, mut t)| {
            let n = t.codes.len() as u8;
            let [h01, h03, h06] = &mut t.hours;
            let (m01, p01) = median_p90(h01);
            let (m03, p03) = median_p90(h03);
            let (m06, p06) = median_p90(h06);
            let r = |x: Option<f64>| x.map(round2);
            CounterpartRow {
                agency_name: name_of(&code),
                agency_code: code,
                sent: if t.documents_sent > 0 {
                    PASSED
                } else {
                    NOT_SENT
                },
                received: if t.documents_received > 0 {
                    PASSED
                } else {
                    NOT_RECEIVED
                },
                statuses_returned: n,
                codes_returned: t.codes.into_iter().collect(),
                note: note_for(n),
                documents_sent: t.documents_sent,
                documents_received: t.documents_received,
                hours_to_01_median: r(m01),
                hours_to_01_p90: r(p01),
                hours_to_03_median: r(m03),
                hours_to_03_p90: r(p03),
                hours_to_06_median: r(m06),
                hours_to_06_p90: r(p06),
                without_01_after_threshold: t.without_01,
            }
        })
        .collect();
    let own_answers: Vec<AnswerRow> = ours
        .iter()
        .map(|(code, (docs, codes))| {
            let codes = distinct_forward(codes.iter().copied());
            let n = codes.len() as u8;
            AnswerRow {
                agency_code: (*code).to_owned(),
                agency_name: name_of(code),
                documents_received: *docs,
                statuses_returned: n,
                codes_returned: codes,
                note: note_for(n),
            }
        })
        .collect();
    let all_codes = distinct_forward(
        own_answers
            .iter()
            .flat_map(|a| a.codes_returned.iter().map(String::as_str)),
    );
    let any_sent = exchanged.iter().any(|f| f.sent);
    let any_received = exchanged.iter().any(|f| !f.sent);
    let n = all_codes.len() as u8;
    Ok(StatusesReport {
        scope: scope.clone(),
        threshold_hours,
        counterparts,
        own_answers,
        own: SelfCheck {
            sent: if any_sent { PASSED } else { NOT_SENT },
            received: if any_received { PASSED } else { NOT_RECEIVED },
            statuses_returned: n,
            codes_returned: all_codes,
            note: note_for(n),
            passes: any_sent && any_received && n == 6,
        },
    })
}

impl StatusesReport {
    /// The report as printed tables.
    pub fn document(&self, unit: &str) -> Document {
        let mut rows = Table::new(
            "Phản hồi trạng thái của cơ quan nhận",
            &[
                "Mã định danh",
                "Cơ quan",
                "Gửi",
                "Nhận",
                "Số trạng thái đã phản hồi",
                "Ghi chú",
                "VB đã gửi",
                "VB đã nhận",
                "Giờ đến 01 (trung vị)",
                "Giờ đến 01 (p90)",
                "Giờ đến 03 (trung vị)",
                "Giờ đến 06 (trung vị)",
                "Chưa có 01 quá hạn",
            ],
        );
        for c in &self.counterparts {
            rows.push(vec![
                c.agency_code.as_str().into(),
                c.agency_name.as_str().into(),
                c.sent.into(),
                c.received.into(),
                u64::from(c.statuses_returned).into(),
                c.note.into(),
                c.documents_sent.into(),
                c.documents_received.into(),
                c.hours_to_01_median.into(),
                c.hours_to_01_p90.into(),
                c.hours_to_03_median.into(),
                c.hours_to_06_median.into(),
                c.without_01_after_threshold.into(),
            ]);
        }
        let mut answers = Table::new(
            "Trạng thái đơn vị đã phản hồi",
            &[
                "Mã định danh",
                "Cơ quan gửi",
                "VB đã nhận",
                "Số trạng thái đã phản hồi",
                "Các mã",
                "Ghi chú",
            ],
        );
        for a in &self.own_answers {
            answers.push(vec![
                a.agency_code.as_str().into(),
                a.agency_name.as_str().into(),
                a.documents_received.into(),
                u64::from(a.statuses_returned).into(),
                a.codes_returned.join(", ").into(),
                a.note.into(),
            ]);
        }
        let mut own = Table::new(
            "Tự đánh giá theo tiêu chí của Văn phòng Chính phủ",
            &[
                "Gửi",
                "Nhận",
                "Số trạng thái đã phản hồi",
                "Ghi chú",
                "Kết quả",
            ],
        );
        own.push(vec![
            self.own.sent.into(),
            self.own.received.into(),
            u64::from(self.own.statuses_returned).into(),
            self.own.note.into(),
            Cell::from(if self.own.passes {
                "Đạt"
            } else {
                "Chưa đạt"
            }),
        ]);
        Document {
            title: "BÁO CÁO PHẢN HỒI TRẠNG THÁI VĂN BẢN ĐIỆN TỬ".into(),
            subtitle: super::export::subtitle(unit, &self.scope),
            tables: vec![rows, answers, own],
            ..Default::default()
        }
    }
}
