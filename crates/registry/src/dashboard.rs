//! The start page's numbers (issue 21, item 3): the incoming documents waiting on the person
//! at this desktop ("Việc của tôi"), those whose deadline is near ("Sắp đến hạn") or past
//! ("Quá hạn"). The outgoing side (Chờ ký, Chưa phản hồi) comes from the signing queue and
//! the sync queues, which have their own queries.
//!
//! What is "mine" follows the roles (`vanthu_domain::roles`): a văn thư's work is what
//! arrived and waits to be registered, a lãnh đạo's what is registered and waits to be
//! assigned, a chuyên viên's what is assigned to them (by name) and not yet completed. A desk
//! with no people listed does all three.
use chrono::NaiveDate;
use serde::Serialize;
use vanthu_domain::{Actor, IncomingState};

use crate::{Registry, Result};

/// Incoming states still in someone's hands.
const OPEN: [IncomingState; 4] = [
    IncomingState::Arrived,
    IncomingState::Registered,
    IncomingState::Assigned,
    IncomingState::InProgress,
];

/// Document ids behind each number of the start page, oldest deadline first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    /// Việc của tôi.
    pub mine: Vec<i64>,
    /// Sắp đến hạn: a deadline from today to `today + soon_days`.
    pub due_soon: Vec<i64>,
    /// Quá hạn: a deadline before today, still open.
    pub overdue: Vec<i64>,
}

impl Registry {
    /// The start page's incoming numbers as of `today`.
    pub fn dashboard(&self, today: NaiveDate, soon_days: u32) -> Result<Dashboard> {
        let open: Vec<String> = OPEN.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let open = open.join(",");
        let ids = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<Vec<i64>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map(params, |r| r.get::<_, i64>(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let by_deadline = "ORDER BY ifnull(deadline, '9999-12-31'), id";
        let today_s = today.to_string();
        let soon = (today + chrono::Days::new(soon_days.into())).to_string();
        let due_soon = ids(
            &format!(
                "SELECT id FROM documents WHERE register = 'incoming' AND state IN ({open})
                   AND deadline >= ?1 AND deadline <= ?2 {by_deadline}"
            ),
            &[&today_s, &soon],
        )?;
        let overdue = ids(
            &format!(
                "SELECT id FROM documents WHERE register = 'incoming' AND state IN ({open})
                   AND deadline < ?1 {by_deadline}"
            ),
            &[&today_s],
        )?;
        let (roles, name) = match self.signed_in()? {
            Some(p) => (p.roles, Some(p.full_name)),
            None if self.people()?.is_empty() => {
                (vec![Actor::Clerk, Actor::Leader, Actor::Handler], None)
            }
            // People are listed but nobody is signed in here: nothing is anyone's yet.
            None => (Vec::new(), None),
        };
        let mut mine = Vec::new();
        let state_is = |s: IncomingState| format!("'{}'", s.as_str());
        if roles.contains(&Actor::Clerk) {
            mine.extend(ids(
                &format!(
                    "SELECT id FROM documents WHERE register = 'incoming' AND state = {} {by_deadline}",
                    state_is(IncomingState::Arrived)
                ),
                &[],
            )?);
        }
        if roles.contains(&Actor::Leader) {
            mine.extend(ids(
                &format!(
                    "SELECT id FROM documents WHERE register = 'incoming' AND state = {} {by_deadline}",
                    state_is(IncomingState::Registered)
                ),
                &[],
            )?);
        }
        if roles.contains(&Actor::Handler) {
            let assigned = format!(
                "SELECT id FROM documents WHERE register = 'incoming' AND state IN ({}, {})",
                state_is(IncomingState::Assigned),
                state_is(IncomingState::InProgress)
            );
            mine.extend(match &name {
                Some(n) => ids(&format!("{assigned} AND handler = ?1 {by_deadline}"), &[n])?,
                None => ids(&format!("{assigned} {by_deadline}"), &[])?,
            });
        }
        Ok(Dashboard {
            mine,
            due_soon,
            overdue,
        })
    }
}
