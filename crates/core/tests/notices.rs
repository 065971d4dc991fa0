//! Desktop notifications (issue 21, item 7): what a desktop announces, to whom, once; what
//! existed before the first announcement is taken as known; many at once become one.
use chrono::{Days, NaiveDate};
use vanthu_core::notices::{pending_notices, NoticeKind};
use vanthu_domain::{Actor, IncomingState, ProcessingStep};
use vanthu_registry::{NewIncoming, NewPerson, Registry};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

fn arrived(reg: &mut Registry, n: u32, deadline: Option<NaiveDate>) -> i64 {
    reg.receive_incoming(NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: format!("{n}/VPCP-HC"),
        document_date: today() - Days::new(3),
        arrival_date: Some(today()),
        doc_type: "Công văn".into(),
        subject: format!("Văn bản {n}"),
        deadline,
        ..Default::default()
    })
    .unwrap()
    .id
}

#[test]
fn each_person_hears_of_their_work_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let person = |name: &str, role: &str| NewPerson {
        full_name: name.into(),
        roles: vec![role.into()],
        ..Default::default()
    };
    let clerk = reg.add_person(&person("Nguyễn Thị An", "văn thư")).unwrap();
    let leader = reg.add_person(&person("Lê Văn Cường", "lãnh đạo")).unwrap();
    let handler = reg
        .add_person(&person("Trần Thị Bình", "chuyên viên"))
        .unwrap();
    // What is there at a person's first look is known already (it is on the start page).
    for n in 1..=5 {
        arrived(&mut reg, n, None);
    }
    assert!(pending_notices(&mut reg, today()).unwrap().is_empty());
    reg.sign_in(Some(handler.id)).unwrap();
    assert!(pending_notices(&mut reg, today()).unwrap().is_empty());
    reg.sign_in(Some(clerk.id)).unwrap();

    // The clerk hears of a new arrival, once (its deadline in the same notice).
    let doc = arrived(&mut reg, 6, Some(today() + Days::new(1)));
    let n = pending_notices(&mut reg, today()).unwrap();
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].kind, NoticeKind::NewIncoming);
    assert_eq!(n[0].documents, [doc]);
    assert_eq!(n[0].body, "06/VPCP-HC: Văn bản 6 — hạn 08/12/2026");
    assert!(pending_notices(&mut reg, today()).unwrap().is_empty());

    // Registered and assigned: the chuyên viên hears of her work.
    reg.append_status_event(doc, IncomingState::Registered, Actor::Clerk, None)
        .unwrap();
    reg.sign_in(Some(leader.id)).unwrap();
    reg.process_incoming(
        doc,
        ProcessingStep {
            to: IncomingState::Assigned,
            actor: Actor::Leader,
        },
        Some("Chủ trì"),
        Some("Trần Thị Bình"),
    )
    .unwrap();
    reg.sign_in(Some(handler.id)).unwrap();
    let kinds: Vec<NoticeKind> = pending_notices(&mut reg, today())
        .unwrap()
        .iter()
        .map(|n| n.kind)
        .collect();
    // The assignment names the deadline; no second notice about the same document.
    assert_eq!(kinds, [NoticeKind::AssignedToMe]);
    assert!(pending_notices(&mut reg, today()).unwrap().is_empty());
    // The next day the deadline is announced again; the assignment is not.
    let kinds: Vec<NoticeKind> = pending_notices(&mut reg, today() + Days::new(1))
        .unwrap()
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(kinds, [NoticeKind::DueSoon]);

    // Many arrivals at once are one notice, and only the clerk hears of them.
    for n in 10..15 {
        arrived(&mut reg, n, None);
    }
    assert!(
        pending_notices(&mut reg, today()).unwrap().is_empty(),
        "not hers"
    );
    reg.sign_in(Some(clerk.id)).unwrap();
    let n = pending_notices(&mut reg, today()).unwrap();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].body, "Có 5 văn bản đến mới chờ vào sổ");
    assert_eq!(n[0].documents.len(), 5);
}
