//! The start page's numbers (src/dashboard.rs) on a real register: each number with its
//! documents, Chờ ký from the signing queue.
use chrono::{Days, NaiveDate};
use vanthu_app::dashboard::dashboard_of;
use vanthu_registry::{NewIncoming, NewOutgoing, Registry};

#[test]
fn each_number_lists_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let late = reg
        .register_incoming(NewIncoming {
            sender: "000.00.00.G22".into(),
            notation: "12/VPCP-KSTT".into(),
            document_date: today - Days::new(9),
            arrival_date: Some(today - Days::new(8)),
            doc_type: "Công văn".into(),
            subject: "Báo cáo tình hình".into(),
            deadline: Some(today - Days::new(1)),
            ..Default::default()
        })
        .unwrap();
    let pdf = dir.path().join("du-thao.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%%EOF\n").unwrap();
    reg.create_outgoing(NewOutgoing {
        notation: "UBND-VP".into(),
        doc_type: "Công văn".into(),
        subject: "Dự thảo chờ ký".into(),
        files: vec![pdf],
        ..Default::default()
    })
    .unwrap();
    let v = dashboard_of(&reg, today).unwrap();
    assert_eq!(v.overdue, 1);
    assert_eq!(v.overdue_rows[0].id as i64, late.id);
    assert_eq!(v.overdue_rows[0].subject, "Báo cáo tình hình");
    assert_eq!(v.due_soon, 0);
    assert_eq!(v.mine, 1, "one desk: the overdue document is its work too");
    assert_eq!(v.to_sign, 1);
}
