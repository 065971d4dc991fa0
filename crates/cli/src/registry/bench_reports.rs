//! `vanthu dev bench-reports`: the monthly reports (vanthu_core::reports) against the raw SQL
//! aggregate of the same figures on the same connection (the peer), for bench/reports.
use std::time::Instant;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use vanthu_core::reports::{self, ReportKind, ReportScope};

use super::dev::{percentile, thread_cpu_ms};
use super::{open, print_json};
use crate::GlobalOpts;

/// The peers: one SQL statement each computing the report's own figures for the period.
const ISSUING_PEER: &str = "SELECT count(*),
        sum(EXISTS (SELECT 1 FROM sync_outbox o WHERE o.message_id = 'out-' || ?3 || '-' || d.id
                    AND o.op = 'send' AND o.state = 'sent'))
   FROM documents d
  WHERE d.register = 'outgoing' AND d.sort_date BETWEEN ?1 AND ?2 AND d.number IS NOT NULL";
const PROCESSING_PEER: &str = "SELECT substr(d.sort_date, 1, 7), d.doc_type, ifnull(d.handler, ''),
        d.state, a.grp, count(*),
        sum(c.done IS NOT NULL AND d.deadline IS NOT NULL AND substr(c.done, 1, 10) > d.deadline),
        sum(julianday(substr(c.done, 1, 10)) - julianday(d.sort_date))
   FROM (SELECT d.*, (SELECT min(e.at) FROM status_events e
                       WHERE e.document_id = d.id AND e.to_state = 'completed') AS done
           FROM documents d
          WHERE d.register = 'incoming' AND d.sort_date BETWEEN ?1 AND ?2 AND d.mirror_of IS NULL) c
   JOIN documents d ON d.id = c.id
   LEFT JOIN agencies a ON a.code = d.sender_code
  GROUP BY 1, 2, 3, 4, 5";
const STATUSES_PEER: &str =
    "SELECT r.sender, r.status_code, count(*), min(r.received_ms - o.sent_ms)
   FROM sync_outbox o JOIN sync_received r ON r.related = o.message_id
  WHERE o.state = 'sent' AND o.op = 'send' AND o.sent_ms >= ?1 AND o.sent_ms < ?2
    AND r.kind = 'status'
  GROUP BY 1, 2";

pub fn bench_reports(global: &GlobalOpts, runs: usize, month: &str) -> Result<()> {
    let reg = open(global)?;
    let first: NaiveDate = format!("{month}-01").parse()?;
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    let scope = ReportScope::new(Some(first), Some(last), None, last)?;
    let trust = vanthu_sign::TrustStore::default();
    let unit = reg.own_unit()?.map(|(c, _)| c).unwrap_or_default();
    let conn = reg.connection();
    let (from, to) = (first.to_string(), last.to_string());
    let (from_ms, end_ms) = (scope.window().from_ms, scope.window().end_ms);
    let mut out = Vec::new();
    for (name, kind) in [
        ("issuing", ReportKind::Issuing),
        ("statuses", ReportKind::Statuses),
        ("processing", ReportKind::Processing),
    ] {
        let peer = |conn: &vanthu_registry::rusqlite::Connection| -> Result<usize> {
            Ok(match kind {
                ReportKind::Issuing => {
                    let mut s = conn.prepare_cached(ISSUING_PEER)?;
                    let rows: Vec<(i64, Option<i64>)> = s
                        .query_map((&from, &to, &unit), |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?;
                    rows.len()
                }
                ReportKind::Processing => {
                    let mut s = conn.prepare_cached(PROCESSING_PEER)?;
                    let rows: Vec<(String, i64)> = s
                        .query_map((&from, &to), |r| Ok((r.get(0)?, r.get(5)?)))?
                        .collect::<Result<_, _>>()?;
                    rows.len()
                }
                _ => {
                    let mut s = conn.prepare_cached(STATUSES_PEER)?;
                    let rows: Vec<i64> = s
                        .query_map([from_ms, end_ms], |r| r.get(2))?
                        .collect::<Result<_, _>>()?;
                    rows.len()
                }
            })
        };
        // Warm-up for both sides (page cache, statement cache).
        let built = reports::build(&reg, kind, &scope, &trust, 0)?;
        peer(conn)?;
        let (mut ours, mut theirs, mut cpu_ours, mut cpu_theirs) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            for side in [run % 2, 1 - run % 2] {
                let (t, c) = (Instant::now(), thread_cpu_ms());
                if side == 0 {
                    std::hint::black_box(reports::build(&reg, kind, &scope, &trust, 0)?);
                    ours.push(t.elapsed().as_secs_f64() * 1000.0);
                    cpu_ours.push(thread_cpu_ms() - c);
                } else {
                    std::hint::black_box(peer(conn)?);
                    theirs.push(t.elapsed().as_secs_f64() * 1000.0);
                    cpu_theirs.push(thread_cpu_ms() - c);
                }
            }
        }
        for v in [&mut ours, &mut theirs, &mut cpu_ours, &mut cpu_theirs] {
            v.sort_by(f64::total_cmp);
        }
        let (o50, p50) = (percentile(&ours, 50.0), percentile(&theirs, 50.0));
        out.push(serde_json::json!({
            "report": name,
            "figure": built.json.get("received_total").or(built.json.get("issued_total")),
            "ours_p50_ms": o50, "ours_max_ms": ours.last(),
            "peer_p50_ms": p50, "ratio_p50": o50 / p50,
            "cpu_ours_p50_ms": percentile(&cpu_ours, 50.0),
            "cpu_peer_p50_ms": percentile(&cpu_theirs, 50.0),
        }));
    }
    print_json(&serde_json::json!({
        "documents": reg.count(None)?,
        "month": month,
        "year": first.year(),
        "runs": runs,
        "reports": out,
    }))
}
