//! What a desktop announces with a desktop notification (issue 21, item 7): a new incoming
//! document (to the văn thư), a draft waiting for a signature (to the lãnh đạo), work assigned
//! to the signed-in person (to the chuyên viên), and a deadline within a day (to whoever holds
//! the document's work). Each is announced once to each person (`Registry::mark_announced`; a
//! deadline once a day, or with the notice that names the document anyway), and what existed
//! at a person's first look at this desktop is taken as known (it is on their start page), so a
//! register of hundreds of documents does not greet its clerk with hundreds of notifications.
use chrono::NaiveDate;
use vanthu_domain::{Actor, IncomingState};
use vanthu_registry::{Registry, Result};

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// A document arrived and waits to be registered.
    NewIncoming,
    /// A draft waits for the leader's signature.
    ToSign,
    /// A document was assigned to the signed-in person.
    AssignedToMe,
    /// A document's deadline is today or tomorrow.
    DueSoon,
}

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What it is about.
    pub kind: NoticeKind,
    /// The documents it names (one, or a batch summed up in one notice).
    pub documents: Vec<i64>,
    /// The notification's title.
    pub title: String,
    /// Its text.
    pub body: String,
}

/// More of one kind than this become one notice ("Có 12 văn bản đến mới").
const GROUP_ABOVE: usize = 3;
const BASELINE_KEY: &str = "baseline";

/// The notices this desktop has not given yet, as of `today`; each is marked given.
pub fn pending_notices(reg: &mut Registry, today: NaiveDate) -> Result<Vec<Notice>> {
    let roles = match reg.signed_in()? {
        Some(p) => p.roles,
        None if reg.people()?.is_empty() => vec![Actor::Clerk, Actor::Leader, Actor::Handler],
        None => Vec::new(),
    };
    let signed_in = reg.signed_in()?;
    let me = signed_in.as_ref().map(|p| p.full_name.clone());
    // Each person at a shared desktop hears of their own work.
    let who = signed_in.map_or("desk".to_owned(), |p| format!("p{}", p.id));
    let mut candidates: Vec<(NoticeKind, i64, String)> = Vec::new();
    let in_state = |reg: &Registry, s: IncomingState| -> Result<Vec<i64>> {
        let mut stmt = reg.connection().prepare(
            "SELECT id FROM documents WHERE register = 'incoming' AND state = ?1 ORDER BY id",
        )?;
        let ids = stmt.query_map([s.as_str()], |r| r.get::<_, i64>(0))?;
        Ok(ids.collect::<vanthu_registry::rusqlite::Result<_>>()?)
    };
    if roles.contains(&Actor::Clerk) {
        for id in in_state(reg, IncomingState::Arrived)? {
            candidates.push((NoticeKind::NewIncoming, id, format!("new:{id}")));
        }
    }
    if roles.contains(&Actor::Leader) {
        for item in reg.signing_queue()? {
            let id = item.document.id;
            candidates.push((NoticeKind::ToSign, id, format!("sign:{id}")));
        }
    }
    if roles.contains(&Actor::Handler) {
        if let Some(name) = &me {
            for id in in_state(reg, IncomingState::Assigned)? {
                if reg.get(id)?.handler.as_deref() == Some(name.as_str()) {
                    candidates.push((NoticeKind::AssignedToMe, id, format!("assigned:{id}")));
                }
            }
        }
    }
    let board = reg.dashboard(today, 1)?;
    for id in board.due_soon {
        let mine = &board.mine;
        if mine.contains(&id) {
            candidates.push((NoticeKind::DueSoon, id, format!("due:{id}:{today}")));
        }
    }
    // A person's first look here: what is there is on their start page already.
    let first_time = reg.mark_announced(&format!("{who}:{BASELINE_KEY}"))?;
    let mut fresh: Vec<(NoticeKind, i64)> = Vec::new();
    for (kind, id, key) in candidates {
        let new = reg.mark_announced(&format!("{who}:{key}"))?;
        // A document announced now for another reason already shows its deadline.
        let told = kind == NoticeKind::DueSoon && fresh.iter().any(|(_, d)| *d == id);
        if new && !first_time && !told {
            fresh.push((kind, id));
        }
    }
    let mut out = Vec::new();
    for kind in [
        NoticeKind::NewIncoming,
        NoticeKind::ToSign,
        NoticeKind::AssignedToMe,
        NoticeKind::DueSoon,
    ] {
        let ids: Vec<i64> = fresh
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        if ids.len() > GROUP_ABOVE {
            out.push(Notice {
                kind,
                title: title(kind).to_owned(),
                body: format!("Có {} {}", ids.len(), plural(kind)),
                documents: ids,
            });
            continue;
        }
        for id in ids {
            let d = reg.get(id)?;
            let when = d
                .deadline
                .map(|x| format!(" — hạn {}", x.format("%d/%m/%Y")))
                .unwrap_or_default();
            out.push(Notice {
                kind,
                title: title(kind).to_owned(),
                body: format!("{}: {}{when}", d.notation, d.subject),
                documents: vec![id],
            });
        }
    }
    Ok(out)
}

fn title(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::NewIncoming => "Văn bản đến mới",
        NoticeKind::ToSign => "Văn bản chờ ký",
        NoticeKind::AssignedToMe => "Việc được giao",
        NoticeKind::DueSoon => "Sắp đến hạn xử lý",
    }
}

fn plural(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::NewIncoming => "văn bản đến mới chờ vào sổ",
        NoticeKind::ToSign => "văn bản chờ ký",
        NoticeKind::AssignedToMe => "văn bản được giao xử lý",
        NoticeKind::DueSoon => "văn bản đến hạn xử lý trong hôm nay hoặc ngày mai",
    }
}
