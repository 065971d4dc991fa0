//! The header bell's list (src/notices.rs): what each notice opens, newest first, and only
//! the latest ones kept.
use vanthu_app::notices::RecentNotices;
use vanthu_core::notices::{Notice, NoticeKind};

fn notice(kind: NoticeKind, docs: &[i64], title: &str) -> Notice {
    Notice {
        kind,
        documents: docs.to_vec(),
        title: title.into(),
        body: format!("{title} — nội dung"),
    }
}

#[test]
fn the_bell_lists_notices_newest_first_with_where_they_lead() {
    let n = RecentNotices::default();
    let at = chrono::Local::now();
    let first = n.record(
        &notice(NoticeKind::NewIncoming, &[4], "Văn bản đến mới"),
        at,
    );
    let second = n.record(
        &notice(NoticeKind::ToSign, &[9, 10], "Có 2 dự thảo chờ ký"),
        at,
    );
    assert!(second.seq > first.seq);
    let list = n.list();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].title, "Có 2 dự thảo chờ ký");
    assert_eq!(list[0].section, "signing");
    assert_eq!(list[0].document_ids, [9, 10]);
    assert_eq!(list[1].kind, "new_incoming");
    assert_eq!(list[1].section, "incoming");
    assert_eq!(list[1].at, at.format("%d/%m/%Y %H:%M").to_string());
    for i in 0..40 {
        n.record(&notice(NoticeKind::DueSoon, &[i], &format!("Hạn {i}")), at);
    }
    let list = n.list();
    assert_eq!(list.len(), 30, "only the latest are kept");
    assert_eq!(list[0].title, "Hạn 39");
    assert_eq!(list[29].title, "Hạn 10");
}
