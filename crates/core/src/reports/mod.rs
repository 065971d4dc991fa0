//! Reports computed offline from the register (../shared/spec/reports.md §1–§3, docs/reports.md):
//! [`issuing`] (Phụ lục III items 1.10–1.11), [`statuses`] (status feedback per counterpart,
//! as VPCP grades it, and the same for our own answers) and [`processing`] (what arrived and
//! how it was handled). Each report is a plain struct (the JSON contract) and turns into
//! [`table::Table`]s, which [`export`] writes as text, CSV, XLSX or PDF.
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use vanthu_domain::text::fold;

pub mod books;
pub mod charts;
pub mod export;
pub mod issuing;
mod pdf;
pub mod processing;
pub mod statuses;
pub mod survey;
pub mod table;

pub use vanthu_registry::FactWindow;

/// What went wrong computing or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The register could not be read.
    #[error("{0}")]
    Registry(#[from] vanthu_registry::Error),
    /// The period ends before it starts.
    #[error("kỳ báo cáo không hợp lệ: {from} sau {to} / the period ends before it starts")]
    Period {
        /// First day asked for.
        from: NaiveDate,
        /// Last day asked for.
        to: NaiveDate,
    },
    /// The output file could not be written.
    #[error("không ghi được báo cáo {path} / cannot write the report {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The spreadsheet writer failed.
    #[error("không tạo được tệp Excel / cannot build the XLSX file: {0}")]
    Xlsx(String),
    /// The PDF writer failed (e.g. no font with Vietnamese glyphs).
    #[error("không tạo được tệp PDF / cannot build the PDF file: {0}")]
    Pdf(String),
}

/// Period and department a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportScope {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// One department only: matched against the outgoing documents' drafting unit and the
    /// incoming documents' handler, ignoring case and diacritics.
    pub department: Option<String>,
}

impl ReportScope {
    /// A scope; without dates, from 1 January of `today`'s year to `today` (reports.md).
    pub fn new(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        department: Option<String>,
        today: NaiveDate,
    ) -> Result<Self, ReportError> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
        if from > to {
            return Err(ReportError::Period { from, to });
        }
        let department = department
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        Ok(ReportScope {
            from,
            to,
            department,
        })
    }

    /// The period as the register's fact window.
    pub fn window(&self) -> FactWindow {
        FactWindow::days(self.from, self.to)
    }

    /// Whether a document's department (drafting unit or handler) is in scope.
    pub fn has_department(&self, value: Option<&str>) -> bool {
        match &self.department {
            None => true,
            Some(want) => value.is_some_and(|v| fold(v.trim()) == fold(want)),
        }
    }

    /// Months in the period, partial months as the fraction of their days covered
    /// (reports.md §1, inferred): 1 Jan – 15 Feb 2026 is 1 + 15/28.
    pub fn months(&self) -> f64 {
        let mut total = 0.0;
        let mut first = self.from;
        while first <= self.to {
            let next = month_start(first.year(), first.month())
                .and_then(|m| m.checked_add_months(chrono::Months::new(1)));
            let Some(next) = next else { break };
            let last = (next - chrono::Days::new(1)).min(self.to);
            let in_month =
                (next - month_start(first.year(), first.month()).unwrap_or(first)).num_days();
            total += ((last - first).num_days() + 1) as f64 / in_month as f64;
            first = next;
        }
        total
    }

    /// The months of the period, first to last, as `YYYY-MM`.
    pub fn month_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut m = month_start(self.from.year(), self.from.month());
        while let Some(d) = m.filter(|d| *d <= self.to) {
            out.push(month_key(d));
            m = d.checked_add_months(chrono::Months::new(1));
        }
        out
    }
}

fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The three reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Issuing statistics (reports.md §1).
    Issuing,
    /// Status feedback per counterpart (§2).
    Statuses,
    /// Processing statistics (§3).
    Processing,
    /// The survey form of seed 000 Phụ lục III, filled in from §1 and §2.
    Survey,
}

/// A computed report: its JSON (the keys of reports.md) and its printable tables.
#[derive(Debug, Clone)]
pub struct Built {
    /// The report struct as JSON.
    pub json: serde_json::Value,
    /// The same as titled tables.
    pub document: table::Document,
    /// What the Báo cáo page draws.
    pub charts: Vec<charts::Chart>,
}

/// Hours a recipient may stay silent before it counts as not received: the sync alert
/// setting of this desktop (`vanthu sync alerts --hours`), else the default.
pub fn threshold_hours(reg: &vanthu_registry::Registry) -> Result<u32, ReportError> {
    Ok(reg
        .sync_meta(vanthu_sync::alerts::META_OVERDUE_HOURS)?
        .and_then(|v| v.parse().ok())
        .filter(|h| *h > 0)
        .unwrap_or(vanthu_sync::alerts::DEFAULT_OVERDUE_HOURS))
}

/// Computes one report over the register as of `now_ms`; `trust` decides which signatures
/// count (issuing only).
pub fn build(
    reg: &vanthu_registry::Registry,
    kind: ReportKind,
    scope: &ReportScope,
    trust: &vanthu_sign::TrustStore,
    now_ms: i64,
) -> Result<Built, ReportError> {
    let (unit_code, unit_name) = reg.own_unit()?.unwrap_or_default();
    let unit = format!("{unit_name} ({unit_code})");
    // The reports hold only strings, integers and finite numbers: serialising cannot fail.
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_default();
    let built = match kind {
        ReportKind::Issuing => {
            let r = issuing::issuing_report(reg, scope, trust)?;
            Built {
                json: json(serde_json::to_value(&r)),
                document: r.document(&unit),
                charts: r.charts(),
            }
        }
        ReportKind::Statuses => {
            let r = statuses::statuses_report(reg, scope, threshold_hours(reg)?, now_ms)?;
            Built {
                json: json(serde_json::to_value(&r)),
                document: r.document(&unit),
                charts: r.charts(),
            }
        }
        ReportKind::Processing => {
            let r = processing::processing_report(reg, scope)?;
            Built {
                json: json(serde_json::to_value(&r)),
                document: r.document(&unit),
                charts: r.charts(),
            }
        }
        ReportKind::Survey => {
            let i = issuing::issuing_report(reg, scope, trust)?;
            let s = statuses::statuses_report(reg, scope, threshold_hours(reg)?, now_ms)?;
            let form = survey::survey_form((&unit_name, &unit_code), &i, &s);
            Built {
                json: json(serde_json::to_value(&form)),
                document: form.document(&unit),
                charts: Vec::new(),
            }
        }
    };
    Ok(built)
}

/// `YYYY-MM` of a day.
pub fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The local day of a time in ms since the epoch.
pub fn day_of_ms(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono::Local).date_naive())
}

/// Median and 90th percentile (nearest rank) of some durations; `None` without values.
pub fn median_p90(values: &mut [f64]) -> (Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None);
    }
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let i = (p * values.len() as f64).ceil() as usize;
        values[i.clamp(1, values.len()) - 1]
    };
    (Some(rank(0.5)), Some(rank(0.9)))
}

/// Rounds to two decimals, as the figures are shown.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn partial_months_count_as_fractions() {
        let s = ReportScope::new(
            Some(d("2026-01-01")),
            Some(d("2026-02-14")),
            None,
            d("2026-12-01"),
        )
        .unwrap();
        assert!((s.months() - 1.5).abs() < 1e-9, "{}", s.months());
        let s = ReportScope::new(
            Some(d("2026-01-01")),
            Some(d("2026-12-31")),
            None,
            d("2026-12-01"),
        )
        .unwrap();
        assert!((s.months() - 12.0).abs() < 1e-9);
        assert_eq!(s.month_keys().len(), 12);
        let s = ReportScope::new(
            Some(d("2025-12-31")),
            Some(d("2026-01-01")),
            None,
            d("2026-12-01"),
        )
        .unwrap();
        assert!((s.months() - 2.0 / 31.0).abs() < 1e-9);
        assert_eq!(s.month_keys(), vec!["2025-12", "2026-01"]);
    }

    #[test]
    fn the_default_period_is_the_year_so_far_and_a_reversed_one_is_refused() {
        let s = ReportScope::new(None, None, Some("  ".into()), d("2026-05-10")).unwrap();
        assert_eq!(
            (s.from, s.to, s.department),
            (d("2026-01-01"), d("2026-05-10"), None)
        );
        assert!(matches!(
            ReportScope::new(
                Some(d("2026-05-11")),
                Some(d("2026-05-10")),
                None,
                d("2026-05-10")
            ),
            Err(ReportError::Period { .. })
        ));
    }

    #[test]
    fn departments_match_without_case_or_diacritics() {
        let s =
            ReportScope::new(None, None, Some("Phòng Tổng hợp".into()), d("2026-05-10")).unwrap();
        assert!(s.has_department(Some("phong tong hop ")));
        assert!(!s.has_department(Some("Phòng Hành chính")));
        assert!(!s.has_department(None));
    }

    #[test]
    fn median_and_p90_use_the_nearest_rank() {
        let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(median_p90(&mut v), (Some(5.0), Some(9.0)));
        assert_eq!(median_p90(&mut [3.0]), (Some(3.0), Some(3.0)));
        assert_eq!(median_p90(&mut []), (None, None));
    }
}
