//! The detail pane's handling commands (src/processing.rs) on one desk: Phân công with chủ
//! trì, phối hợp, deadline and instruction; progress, a reply draft that becomes an outgoing
//! draft, an extension request and the leader's decision, each shown in the view.
use chrono::Days;
use vanthu_app::processing::{add_note_in, assign_in, handling_of, AssignForm};
use vanthu_registry::{NewIncoming, Registry};

#[test]
fn one_desk_assigns_handles_and_extends() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.01.20.H34", "Sở Nội vụ").unwrap();
    let today = vanthu_registry::today();
    let doc = reg
        .register_incoming(NewIncoming {
            sender: "000.00.00.H34".into(),
            notation: "12/UBND-VP".into(),
            document_date: today,
            doc_type: "Công văn".into(),
            subject: "Về việc rà soát biên chế".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let deadline = today.checked_add_days(Days::new(5)).unwrap();
    let bad = AssignForm {
        lead: "Trần Thị Bình".into(),
        supporters: vec![],
        deadline: Some("05/12/2026".into()),
        instruction: None,
    };
    assert!(assign_in(&mut reg, doc, &bad).is_err(), "dates are ISO");
    assign_in(
        &mut reg,
        doc,
        &AssignForm {
            lead: "Trần Thị Bình".into(),
            supporters: vec!["Phòng Tổ chức".into()],
            deadline: Some(deadline.to_string()),
            instruction: Some("Tham mưu trả lời".into()),
        },
    )
    .unwrap();
    let v = handling_of(&reg, doc).unwrap();
    assert_eq!(v.assignments.len(), 2);
    assert_eq!(v.assignments[0].role, "lead");
    assert_eq!(
        v.assignments[0].deadline.as_deref(),
        Some(deadline.format("%d/%m/%Y").to_string().as_str())
    );
    assert!(v.may_note);
    assert!(!v.may_decide);

    let empty = add_note_in(&mut reg, doc, "note", Some("  ".into()), None, None);
    assert!(empty.is_err(), "a note needs text");
    add_note_in(
        &mut reg,
        doc,
        "note",
        Some("Đang tổng hợp".into()),
        None,
        None,
    )
    .unwrap();
    // A reply draft becomes an outgoing draft: a legacy .doc or a renamed file is refused.
    let legacy = dir.path().join("Tra loi.doc");
    std::fs::write(&legacy, b"\xd0\xcf\x11\xe0").unwrap();
    let fake = dir.path().join("Tra loi.pdf");
    std::fs::write(&fake, b"not a pdf").unwrap();
    for bad in [&legacy, &fake] {
        let r = add_note_in(
            &mut reg,
            doc,
            "reply_draft",
            None,
            None,
            Some(bad.display().to_string()),
        );
        assert!(r.is_err(), "{}", bad.display());
    }
    let docx = dir.path().join("Tra loi.odt");
    std::fs::write(&docx, b"PK\x03\x04 odt").unwrap();
    let v = add_note_in(
        &mut reg,
        doc,
        "reply_draft",
        None,
        None,
        Some(docx.display().to_string()),
    )
    .unwrap();
    let reply = v.notes[1].reply_document_id.expect("an outgoing draft");
    assert_eq!(v.notes[1].label, "Dự thảo trả lời");
    assert_eq!(
        reg.get(reply.into()).unwrap().recipients[0]
            .agency_code
            .as_deref(),
        Some("000.00.00.H34")
    );
    let later = today.checked_add_days(Days::new(15)).unwrap();
    let v = add_note_in(
        &mut reg,
        doc,
        "extension_request",
        Some("Chờ ý kiến các huyện".into()),
        Some(later.to_string()),
        None,
    )
    .unwrap();
    assert!(v.pending_extension.is_some());
    assert!(v.may_decide, "one desk: the leader decides here");
    reg.decide_extension(doc, false, Some("Không gia hạn"))
        .unwrap();
    let v = handling_of(&reg, doc).unwrap();
    assert!(v.pending_extension.is_none());
    assert_eq!(v.notes.last().unwrap().label, "Không đồng ý gia hạn");
    assert_eq!(reg.get(doc).unwrap().deadline, Some(deadline));
}
