//! People and roles (issue 21, item 1): who may register, issue, send, sign and assign is
//! checked by the registry itself, whatever the caller; the audit log names the person.
use chrono::NaiveDate;
use vanthu_domain::{Actor, IncomingState, ProcessingStep};
use vanthu_registry::{Error, NewIncoming, NewOutgoing, NewPerson, Registry, SignedFile};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn fresh() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    (dir, reg)
}

fn person(name: &str, dept: Option<&str>, roles: &[&str]) -> NewPerson {
    NewPerson {
        full_name: name.into(),
        position: Some("Chuyên viên".into()),
        department: dept.map(String::from),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        desktop: None,
    }
}

fn draft(reg: &mut Registry) -> i64 {
    reg.create_outgoing(NewOutgoing {
        notation: "UBND-VP".into(),
        doc_type: "Công văn".into(),
        subject: "V/v báo cáo".into(),
        recipients: vec!["000.00.00.G22".into()],
        ..Default::default()
    })
    .unwrap()
    .id
}

fn incoming() -> NewIncoming {
    NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: "986/VPCP-HC".into(),
        document_date: d("2026-12-01"),
        arrival_date: Some(d("2026-12-07")),
        doc_type: "Công văn".into(),
        subject: "V/v kiểm tra".into(),
        ..Default::default()
    }
}

fn refused(e: Error, who: &str, what: &str) {
    match &e {
        Error::NotPermitted { person, duty, .. } => {
            assert_eq!(person, who);
            assert_eq!(*duty, what);
        }
        other => panic!("expected a refusal of {what}, got {other}"),
    }
    assert!(e.to_string().contains("không có quyền"), "{e}");
}

#[test]
fn a_single_desk_may_do_everything_until_people_are_listed() {
    let (_dir, mut reg) = fresh();
    assert!(reg.people().unwrap().is_empty());
    let id = draft(&mut reg);
    assert_eq!(
        reg.issue_outgoing(id, d("2026-12-07")).unwrap().number,
        Some(1)
    );
    reg.register_incoming(incoming()).unwrap();
}

#[test]
fn a_handler_cannot_issue_register_send_or_sign_and_nothing_is_written() {
    let (_dir, mut reg) = fresh();
    reg.add_department("Văn phòng").unwrap();
    reg.add_department("Phòng Kinh tế").unwrap();
    // The first person must be able to list the others.
    let e = reg
        .add_person(&person("Trần Thị Bình", None, &["chuyên viên"]))
        .unwrap_err();
    assert!(e.to_string().contains("cán bộ đầu tiên"), "{e}");
    let clerk = reg
        .add_person(&person("Nguyễn Thị An", Some("Văn phòng"), &["văn thư"]))
        .unwrap();
    // Whoever lists the people is the first of them, at this desk.
    assert_eq!(reg.signed_in().unwrap().unwrap().id, clerk.id);
    assert_eq!(reg.user(), "Nguyễn Thị An");
    let handler = reg
        .add_person(&person(
            "Trần Thị Bình",
            Some("Phòng Kinh tế"),
            &["chuyên viên"],
        ))
        .unwrap();
    assert_eq!(handler.department.as_deref(), Some("Phòng Kinh tế"));
    assert_eq!(handler.roles, [Actor::Handler]);
    let e = reg
        .add_person(&person(
            "Lê Văn Cường",
            Some("Phòng Nội chính"),
            &["lãnh đạo"],
        ))
        .unwrap_err();
    assert!(e.to_string().contains("chưa có phòng ban"), "{e}");

    // Now that people are listed, an action needs someone signed in.
    reg.sign_in(None).unwrap();
    let e = reg.register_incoming(incoming()).unwrap_err();
    assert!(matches!(e, Error::NotSignedIn), "{e}");

    reg.sign_in(Some(clerk.id)).unwrap();
    let id = draft(&mut reg);
    reg.sign_in(Some(handler.id)).unwrap();
    let audit_before = reg.audit_entries(None, None, 1000).unwrap().len();
    refused(
        reg.issue_outgoing(id, d("2026-12-07")).unwrap_err(),
        "Trần Thị Bình",
        "cấp số văn bản",
    );
    assert_eq!(reg.get(id).unwrap().number, None, "no number was taken");
    refused(
        reg.create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Cấp số ngay".into(),
            issue_date: Some(d("2026-12-07")),
            ..Default::default()
        })
        .unwrap_err(),
        "Trần Thị Bình",
        "cấp số văn bản",
    );
    refused(
        reg.register_incoming(incoming()).unwrap_err(),
        "Trần Thị Bình",
        "vào sổ văn bản đến",
    );
    refused(
        reg.queue_dispatch(id).unwrap_err(),
        "Trần Thị Bình",
        "gửi văn bản qua trục",
    );
    let pdf = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pdf.path(), b"%PDF-1.7\n").unwrap();
    let signed = |role: &str| SignedFile {
        role: role.into(),
        signer: "Trần Thị Bình".into(),
        field: "Sig1".into(),
        signing_time: "2026-12-07T09:00:00+07:00".into(),
    };
    refused(
        reg.record_signed(id, pdf.path(), "ky.pdf", &signed("leader"))
            .unwrap_err(),
        "Trần Thị Bình",
        "ký số với tư cách lãnh đạo",
    );
    refused(
        reg.close_numbering_year(2025).unwrap_err(),
        "Trần Thị Bình",
        "khóa sổ cuối năm",
    );
    refused(
        reg.add_person(&person("X", None, &["văn thư"]))
            .unwrap_err(),
        "Trần Thị Bình",
        "khai báo cán bộ",
    );
    assert_eq!(
        reg.audit_entries(None, None, 1000).unwrap().len(),
        audit_before,
        "a refusal writes nothing"
    );

    // The clerk may; the audit entry names her.
    reg.sign_in(Some(clerk.id)).unwrap();
    let issued = reg.issue_outgoing(id, d("2026-12-07")).unwrap();
    assert_eq!(issued.number, Some(1));
    let last = &reg.audit_entries(None, None, 1).unwrap()[0];
    assert_eq!(last.user, "Nguyễn Thị An");
    refused(
        reg.record_signed(id, pdf.path(), "ky.pdf", &signed("leader"))
            .unwrap_err(),
        "Nguyễn Thị An",
        "ký số với tư cách lãnh đạo",
    );
}

#[test]
fn processing_steps_belong_to_their_roles() {
    let (_dir, mut reg) = fresh();
    let clerk = reg
        .add_person(&person("Nguyễn Thị An", None, &["văn thư"]))
        .unwrap();
    let leader = reg
        .add_person(&person("Lê Văn Cường", None, &["lãnh đạo"]))
        .unwrap();
    let both = reg
        .add_person(&person("Phạm Văn Dũng", None, &["chuyên viên", "văn thư"]))
        .unwrap();
    reg.sign_in(Some(clerk.id)).unwrap();
    let doc = reg.register_incoming(incoming()).unwrap().id;
    let assign = ProcessingStep {
        to: IncomingState::Assigned,
        actor: Actor::Leader,
    };
    refused(
        reg.process_incoming(
            doc,
            assign,
            Some("Giao phòng Kinh tế"),
            Some("Phạm Văn Dũng"),
        )
        .unwrap_err(),
        "Nguyễn Thị An",
        "phân công xử lý",
    );
    refused(
        reg.append_status_event(doc, IncomingState::Assigned, Actor::Leader, None)
            .unwrap_err(),
        "Nguyễn Thị An",
        "phân công xử lý",
    );
    reg.sign_in(Some(leader.id)).unwrap();
    reg.process_incoming(
        doc,
        assign,
        Some("Giao phòng Kinh tế"),
        Some("Phạm Văn Dũng"),
    )
    .unwrap();
    assert_eq!(reg.get(doc).unwrap().state.as_str(), "assigned");
    // Several roles: the person may do what either allows.
    reg.sign_in(Some(both.id)).unwrap();
    reg.append_status_event(doc, IncomingState::InProgress, Actor::Handler, None)
        .unwrap();
    reg.register_incoming(incoming()).unwrap();
}

#[test]
fn sign_in_survives_reopening_and_leaving_ends_it() {
    let (dir, mut reg) = fresh();
    let clerk = reg
        .add_person(&person("Nguyễn Thị An", None, &["văn thư"]))
        .unwrap();
    let leader = reg
        .add_person(&person("Lê Văn Cường", None, &["lãnh đạo"]))
        .unwrap();
    reg.sign_in(Some(clerk.id)).unwrap();
    drop(reg);
    let mut reg = Registry::open(dir.path()).unwrap();
    assert_eq!(reg.user(), "Nguyễn Thị An");
    assert_eq!(reg.signed_in().unwrap().unwrap().id, clerk.id);
    // The last person who may manage people cannot be removed from that.
    let e = reg
        .update_person(
            leader.id,
            &person("Lê Văn Cường", None, &["lãnh đạo"]),
            false,
        )
        .unwrap();
    assert!(!e.active);
    let e = reg
        .update_person(
            clerk.id,
            &person("Nguyễn Thị An", None, &["chuyên viên"]),
            true,
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("ít nhất một văn thư hoặc lãnh đạo"),
        "{e}"
    );
    // A person who left cannot sign in, and a desktop signed in as them is signed in as no one.
    let e = reg.sign_in(Some(leader.id)).unwrap_err();
    assert!(e.to_string().contains("đã nghỉ"), "{e}");
    reg.update_person(
        leader.id,
        &person("Lê Văn Cường", None, &["lãnh đạo"]),
        true,
    )
    .unwrap();
    reg.sign_in(Some(leader.id)).unwrap();
    reg.update_person(
        leader.id,
        &person("Lê Văn Cường", None, &["lãnh đạo"]),
        false,
    )
    .unwrap();
    assert!(matches!(
        reg.register_incoming(incoming()).unwrap_err(),
        Error::NotSignedIn
    ));
    assert!(reg.audit_verify().unwrap().ok);
}
