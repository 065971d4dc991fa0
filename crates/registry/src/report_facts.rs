//! The rows the reports are computed from (vanthu_core::reports, ../shared/spec/reports.md):
//! read-only queries over the register and the sync queues, for a window of time. No figure
//! is computed here; the facts keep their raw times so the reports can count by month, by
//! counterpart and by department the way the spec defines.
use chrono::NaiveDate;
use rusqlite::{params, Row};
use serde::{Deserialize, Serialize};
use vanthu_domain::IncomingState;

use crate::register::state_at;
use crate::{Register, Registry, Result, Series};

/// A period of whole days, both ends included, and the same period in Unix milliseconds
/// (local midnight to local midnight) for the sync queues, which keep epoch times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactWindow {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// `from` at 00:00 local time, in ms since the epoch.
    pub from_ms: i64,
    /// The day after `to` at 00:00 local time, in ms since the epoch (excluded).
    pub end_ms: i64,
}

// Both registers keep the day a report counts by in `sort_date` (the arrival day of an
// incoming document, the issue day of a numbered outgoing one), indexed with the register
// (documents_by_date): a month of a 1M register reads only that month's rows.

/// An outgoing document numbered in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedFact {
    /// Register id.
    pub id: i64,
    /// Ngày ban hành.
    pub issued_date: NaiveDate,
    /// Đơn vị soạn thảo.
    pub drafting_unit: Option<String>,
    /// The hub accepted its package (sent electronically; vanthu always writes `Paper = 0`).
    pub sent_electronically: bool,
    /// The newest PDF attachment (the signed one once it was signed).
    pub pdf_sha256: Option<String>,
}

/// One document package exchanged with another agency over the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeFact {
    /// True for a package we sent, false for one we received.
    pub sent: bool,
    /// Hub message id.
    pub message_id: String,
    /// For a sent package its recipients, for a received one its (hub-authenticated) sender;
    /// desktops of our own unit are left out.
    pub counterparts: Vec<String>,
    /// When the hub accepted it (sent) or it arrived here (received), ms since the epoch.
    pub at_ms: i64,
    /// The register record it belongs to, once there is one.
    pub document_id: Option<i64>,
    /// Đơn vị soạn thảo (sent) or người/đơn vị xử lý (received).
    pub department: Option<String>,
    /// The newest PDF attachment of that record.
    pub pdf_sha256: Option<String>,
    /// new | recall | update | replace.
    pub business: String,
}

/// One status package, either direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusFact {
    /// The hub message id of the document the status is about.
    pub related: String,
    /// Who sent the status (received) or to whom (sent).
    pub counterpart: String,
    /// Two-digit edXML status code.
    pub code: String,
    /// When it arrived (received) or the hub accepted it (sent), ms since the epoch.
    pub at_ms: i64,
}

/// An incoming document that arrived in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingFact {
    /// Register id.
    pub id: i64,
    /// Ngày đến.
    pub arrival_date: NaiveDate,
    /// Sender agency code, when known.
    pub sender_code: Option<String>,
    /// Sender name as registered.
    pub sender_name: Option<String>,
    /// The directory's group of the sender (`bộ/ngành`, `tỉnh/thành phố`, …), when listed.
    pub sender_group: Option<String>,
    /// Loại văn bản.
    pub doc_type: String,
    /// Current state.
    pub state: IncomingState,
    /// Hạn xử lý.
    pub deadline: Option<NaiveDate>,
    /// Người/đơn vị xử lý.
    pub handler: Option<String>,
    /// The day it reached Hoàn thành (the first time), local date.
    pub completed_on: Option<NaiveDate>,
    /// The reason given when it was refused (02).
    pub rejected_reason: Option<String>,
}

impl FactWindow {
    /// The window of whole local days `from..=to`.
    pub fn days(from: NaiveDate, to: NaiveDate) -> FactWindow {
        let ms = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
                .map(|t| t.timestamp_millis())
                .unwrap_or(0)
        };
        FactWindow {
            from,
            to,
            from_ms: ms(from),
            end_ms: ms(to.succ_opt().unwrap_or(to)),
        }
    }
}

fn date_of(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.get(..10).and_then(|d| d.parse().ok()))
}

fn split_codes(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|s| !s.is_empty() && !s.contains('/'))
        .map(str::to_owned)
        .collect()
}

const NEWEST_PDF: &str = "(SELECT a.sha256 FROM attachments a WHERE a.document_id = d.id
     AND a.media_type = 'application/pdf' ORDER BY a.id DESC LIMIT 1)";

impl Registry {
    /// Outgoing documents numbered (ban hành) in the window, paper and electronic.
    pub fn issued_facts(&self, w: &FactWindow) -> Result<Vec<IssuedFact>> {
        let unit = self.own_unit()?.map(|(code, _)| code).unwrap_or_default();
        let sql = format!(
            "SELECT d.id, d.document_date, d.drafting_unit,
                    EXISTS (SELECT 1 FROM sync_outbox o WHERE o.message_id = 'out-' || ?3 || '-' || d.id
                            AND o.op = 'send' AND o.state = 'sent'),
                    {NEWEST_PDF}
             FROM documents d
             WHERE d.register = 'outgoing' AND d.sort_date BETWEEN ?1 AND ?2
               AND d.number IS NOT NULL AND d.document_date BETWEEN ?1 AND ?2
             ORDER BY d.sort_date, d.id"
        );
        let rows = self
            .conn
            .prepare(&sql)?
            .query_map(params![w.from.to_string(), w.to.to_string(), unit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, date, unit, sent, pdf)| {
                Some(IssuedFact {
                    id,
                    issued_date: date_of(date)?,
                    drafting_unit: unit,
                    sent_electronically: sent,
                    pdf_sha256: pdf,
                })
            })
            .collect())
    }

    /// Document packages exchanged with other agencies in the window, both directions.
    pub fn exchange_facts(&self, w: &FactWindow) -> Result<Vec<ExchangeFact>> {
        let unit = self.own_unit()?.map(|(code, _)| code).unwrap_or_default();
        let sent_sql = format!(
            "SELECT o.message_id, o.recipients, o.sent_ms, d.id, d.drafting_unit, {NEWEST_PDF}, o.op
             FROM sync_outbox o
             LEFT JOIN documents d ON d.register = 'outgoing'
                  AND o.message_id = 'out-' || ?3 || '-' || d.id
                  AND d.id = CAST(substr(o.message_id, length(?3) + 6) AS INTEGER)
             WHERE o.state = 'sent' AND o.sent_ms >= ?1 AND o.sent_ms < ?2
               AND o.op IN ('send', 'recall', 'update', 'replace')
             ORDER BY o.seq"
        );
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare(&sent_sql)?;
        let rows = stmt.query_map(params![w.from_ms, w.end_ms, unit], |r| {
            Ok(ExchangeFact {
                sent: true,
                message_id: r.get(0)?,
                counterparts: split_codes(&r.get::<_, String>(1)?),
                at_ms: r.get(2)?,
                document_id: r.get(3)?,
                department: r.get(4)?,
                pdf_sha256: r.get(5)?,
                business: match r.get::<_, String>(6)?.as_str() {
                    "send" => "new".to_owned(),
                    op => op.to_owned(),
                },
            })
        })?;
        for f in rows {
            let f = f?;
            if !f.counterparts.is_empty() {
                out.push(f);
            }
        }
        let received_sql = format!(
            "SELECT s.message_id, s.sender, s.received_ms, d.id, d.handler, {NEWEST_PDF}, s.business
             FROM sync_received s
             LEFT JOIN inbox i ON i.package_id = s.message_id
             LEFT JOIN documents d ON d.id = i.document_id
             WHERE s.kind = 'edoc' AND s.received_ms >= ?1 AND s.received_ms < ?2
               AND instr(s.sender, '/') = 0
             ORDER BY s.local_seq"
        );
        let mut stmt = self.conn.prepare(&received_sql)?;
        let rows = stmt.query_map(params![w.from_ms, w.end_ms], |r| {
            Ok(ExchangeFact {
                sent: false,
                message_id: r.get(0)?,
                counterparts: vec![r.get(1)?],
                at_ms: r.get(2)?,
                document_id: r.get(3)?,
                department: r.get(4)?,
                pdf_sha256: r.get(5)?,
                business: r.get(6)?,
            })
        })?;
        for f in rows {
            out.push(f?);
        }
        Ok(out)
    }

    /// Status packages other agencies returned about the documents we sent in the window,
    /// whenever they arrived (a status may come after the window ends), in arrival order.
    pub fn received_status_facts(&self, w: &FactWindow) -> Result<Vec<StatusFact>> {
        self.status_rows(
            "SELECT r.related, r.sender, r.status_code, r.received_ms
             FROM sync_outbox o JOIN sync_received r ON r.related = o.message_id
             WHERE o.state = 'sent' AND o.sent_ms >= ?1 AND o.sent_ms < ?2 AND o.op = 'send'
               AND r.kind = 'status' AND r.status_code IS NOT NULL AND instr(r.sender, '/') = 0
             ORDER BY r.local_seq",
            w,
        )
    }

    /// Status packages this unit sent about the documents it received in the window (the
    /// received packages of the window first: CROSS JOIN keeps SQLite from starting at every
    /// sent package instead). A
    /// status goes to the sender of the package it answers (the hub routes it so), which is
    /// the counterpart.
    pub fn sent_status_facts(&self, w: &FactWindow) -> Result<Vec<StatusFact>> {
        self.status_rows(
            "SELECT o.related, r.sender, o.status_code, o.sent_ms
             FROM sync_received r CROSS JOIN sync_outbox o ON o.related = r.message_id
             WHERE r.kind = 'edoc' AND r.received_ms >= ?1 AND r.received_ms < ?2
               AND o.op = 'status' AND o.state = 'sent' AND o.status_code IS NOT NULL
               AND instr(r.sender, '/') = 0
             ORDER BY o.seq",
            w,
        )
    }

    fn status_rows(&self, sql: &str, w: &FactWindow) -> Result<Vec<StatusFact>> {
        let rows = self
            .conn
            .prepare(sql)?
            .query_map([w.from_ms, w.end_ms], |r| {
                Ok(StatusFact {
                    related: r.get(0)?,
                    counterpart: r.get(1)?,
                    code: r.get(2)?,
                    at_ms: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Incoming documents that arrived in the window (by their arrival day), whatever their
    /// state; desk mirrors are not the unit's register.
    pub fn incoming_facts(&self, w: &FactWindow) -> Result<Vec<IncomingFact>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.sort_date, d.sender_code,
                    d.sender_name, a.grp, d.doc_type, d.state, d.deadline, d.handler,
                    (SELECT min(e.at) FROM status_events e
                      WHERE e.document_id = d.id AND e.to_state = 'completed'),
                    (SELECT e.note FROM status_events e
                      WHERE e.document_id = d.id AND e.to_state = 'rejected'
                      ORDER BY e.id DESC LIMIT 1)
             FROM documents d LEFT JOIN agencies a ON a.code = d.sender_code
             WHERE d.register = 'incoming' AND d.sort_date BETWEEN ?1 AND ?2
               AND d.mirror_of IS NULL
             ORDER BY d.sort_date, d.id",
        )?;
        let rows = stmt.query_map(params![w.from.to_string(), w.to.to_string()], |r| {
            incoming_fact(r)
        })?;
        let mut out = Vec::new();
        for f in rows {
            if let Some(f) = f? {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// The numbered documents of one register book (register, series, year), in number
    /// order; desk mirrors (copies on a leader's desktop) are not the unit's register.
    pub fn book_ids(&self, register: Register, series: Series, year: i32) -> Result<Vec<i64>> {
        let ids = self
            .conn
            .prepare(
                "SELECT id FROM documents
                 WHERE register = ?1 AND series = ?2 AND year = ?3 AND number IS NOT NULL
                   AND mirror_of IS NULL
                 ORDER BY number",
            )?
            .query_map(params![register.as_str(), series.as_str(), year], |r| {
                r.get(0)
            })?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    /// Names of agencies in the directory, for the codes given (unknown codes are left out).
    pub fn agency_names(&self, codes: &[String]) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM agencies WHERE code = ?1")?;
        let mut out = Vec::new();
        for c in codes {
            let mut rows = stmt.query([c])?;
            if let Some(r) = rows.next()? {
                out.push((c.clone(), r.get(0)?));
            }
        }
        Ok(out)
    }
}

fn incoming_fact(r: &Row<'_>) -> rusqlite::Result<Option<IncomingFact>> {
    let state = match state_at(r, 6)? {
        vanthu_domain::DocumentState::Incoming(s) => s,
        vanthu_domain::DocumentState::Outgoing(_) => return Ok(None),
    };
    let Some(arrival_date) = date_of(r.get(1)?) else {
        return Ok(None);
    };
    Ok(Some(IncomingFact {
        id: r.get(0)?,
        arrival_date,
        sender_code: r.get(2)?,
        sender_name: r.get(3)?,
        sender_group: r.get(4)?,
        doc_type: r.get(5)?,
        state,
        deadline: date_of(r.get(7)?),
        handler: r.get(8)?,
        completed_on: date_of(r.get(9)?),
        rejected_reason: r.get(10)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_covers_whole_local_days() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let w = FactWindow::days(d("2026-03-01"), d("2026-03-31"));
        assert_eq!(w.end_ms - w.from_ms, 31 * 24 * 3_600_000);
        let first = chrono::DateTime::from_timestamp_millis(w.from_ms).unwrap();
        assert_eq!(
            first.with_timezone(&chrono::Local).date_naive(),
            d("2026-03-01")
        );
    }

    #[test]
    fn internal_addresses_are_not_counterparts() {
        assert_eq!(
            split_codes("000.01.20.H34,000.00.00.H34/LD1,,000.00.00.G01"),
            vec!["000.01.20.H34".to_string(), "000.00.00.G01".to_string()]
        );
    }
}
