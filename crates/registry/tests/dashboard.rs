//! The start page's numbers (issue 21, item 3): Việc của tôi by role and by name, Sắp đến hạn
//! and Quá hạn among the documents still open.
use chrono::{Days, NaiveDate};
use vanthu_domain::{Actor, IncomingState, ProcessingStep};
use vanthu_registry::{NewIncoming, NewPerson, Registry};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

fn incoming(n: u32, deadline: Option<NaiveDate>) -> NewIncoming {
    NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: format!("{n}/VPCP-HC"),
        document_date: today() - Days::new(10),
        arrival_date: Some(today() - Days::new(5)),
        doc_type: "Công văn".into(),
        subject: format!("Văn bản {n}"),
        deadline,
        ..Default::default()
    }
}

#[test]
fn the_numbers_follow_deadlines_roles_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let late = reg
        .register_incoming(incoming(1, Some(today() - Days::new(1))))
        .unwrap()
        .id;
    let soon = reg
        .register_incoming(incoming(2, Some(today() + Days::new(2))))
        .unwrap()
        .id;
    let later = reg
        .register_incoming(incoming(3, Some(today() + Days::new(10))))
        .unwrap()
        .id;
    let due_today = reg
        .register_incoming(incoming(4, Some(today())))
        .unwrap()
        .id;
    let arrived = reg.receive_incoming(incoming(5, None)).unwrap().id;

    let d = reg.dashboard(today(), 3).unwrap();
    assert_eq!(d.overdue, [late]);
    assert_eq!(d.due_soon, [due_today, soon], "by deadline");
    // One desk does everything: every open document is its work.
    let mut all = d.mine.clone();
    all.sort();
    assert_eq!(all, [late, soon, later, due_today, arrived]);

    // People listed: each sees their part.
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
    assert_eq!(
        reg.dashboard(today(), 3).unwrap().mine,
        [arrived],
        "the clerk's"
    );
    reg.sign_in(Some(leader.id)).unwrap();
    assert_eq!(
        reg.dashboard(today(), 3).unwrap().mine,
        [late, due_today, soon, later],
        "the leader's, to assign"
    );
    let assign = ProcessingStep {
        to: IncomingState::Assigned,
        actor: Actor::Leader,
    };
    reg.process_incoming(soon, assign, Some("Chủ trì"), Some("Trần Thị Bình"))
        .unwrap();
    reg.process_incoming(later, assign, Some("Phối hợp"), Some("Phòng Kinh tế"))
        .unwrap();
    reg.sign_in(Some(handler.id)).unwrap();
    assert_eq!(
        reg.dashboard(today(), 3).unwrap().mine,
        [soon],
        "hers by name"
    );
    // Completed work leaves every number.
    for to in [IncomingState::InProgress, IncomingState::Completed] {
        reg.append_status_event(soon, to, Actor::Handler, None)
            .unwrap();
    }
    let d = reg.dashboard(today(), 3).unwrap();
    assert!(d.mine.is_empty());
    assert_eq!(d.due_soon, [due_today]);
    // Signed out while people are listed: nothing is anyone's here.
    reg.sign_in(None).unwrap();
    assert!(reg.dashboard(today(), 3).unwrap().mine.is_empty());
    let _ = clerk;
}
