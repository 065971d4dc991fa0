//! Scan drafts in the register: a real PDF taken in with its first-page text, registered
//! under the scanner's file name, the draft gone once the document committed.
mod common;

use chrono::NaiveDate;
use common::*;
use vanthu_core::scan;
use vanthu_registry::{NewIncoming, Registry};

#[test]
fn a_scan_is_taken_in_and_registered_under_its_own_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let dropped = dir.path().join("Công văn đến 12.pdf");
    std::fs::copy(corpus().join("four-pages.pdf"), &dropped).unwrap();

    let text = scan::first_page_text(&dropped);
    let page1 = text.clone().expect("the corpus PDF has a text layer");
    let d = scan::take_in(&mut reg, &dropped, text).unwrap();
    assert_eq!(d.file_name, "Công văn đến 12.pdf");
    assert_eq!(d.size, std::fs::metadata(&dropped).unwrap().len());
    // The original may go now: the register has the content.
    std::fs::remove_file(&dropped).unwrap();
    assert_eq!(reg.scan_drafts().unwrap(), vec![d.clone()]);

    let rec = scan::register(
        &mut reg,
        d.id,
        NewIncoming {
            sender: "000.00.00.G22".into(),
            notation: "12/VPCP-KSTT".into(),
            document_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            doc_type: "Công văn".into(),
            subject: "Bản quét".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(rec.attachments.len(), 1);
    assert_eq!(rec.attachments[0].file_name, "Công văn đến 12.pdf");
    assert_eq!(rec.attachments[0].sha256, d.sha256);
    assert!(reg.scan_drafts().unwrap().is_empty());
    let body: Option<String> = reg
        .connection()
        .query_row(
            "SELECT body_text FROM documents WHERE id = ?1",
            [rec.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(body.as_deref(), Some(page1.as_str()));
    // Registered once: the draft cannot be registered or discarded again.
    assert!(matches!(
        scan::register(&mut reg, d.id, NewIncoming::default()),
        Err(scan::ScanDraftError::NoDraft(_))
    ));
    assert!(matches!(
        scan::discard(&mut reg, d.id),
        Err(scan::ScanDraftError::NoDraft(_))
    ));
}

#[test]
fn the_apps_json_list_moves_in_once_and_a_corrupt_one_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    assert_eq!(scan::migrate_json_drafts(&mut reg).unwrap(), 0);
    let json = dir.path().join(scan::JSON_DRAFTS);
    std::fs::write(&json, b"{not json").unwrap();
    let err = scan::migrate_json_drafts(&mut reg).unwrap_err();
    assert!(err.to_string().contains("bị hỏng"), "{err}");
    assert_eq!(std::fs::read(&json).unwrap(), b"{not json");

    let blob = reg.blobs().put_bytes(b"%PDF-1.4 old scan").unwrap();
    let list = serde_json::json!({"next_id": 1, "drafts": [{"id": 1, "file_name": "cũ.pdf",
        "sha256": blob.sha256, "size": 17, "received_at": "2026-01-02T03:04:05+07:00",
        "text": "Kính gửi"}]});
    std::fs::write(&json, list.to_string()).unwrap();
    assert_eq!(scan::migrate_json_drafts(&mut reg).unwrap(), 1);
    // A crash before the rename: the same file again moves nothing twice.
    std::fs::rename(json.with_extension("json.migrated"), &json).unwrap();
    assert_eq!(scan::migrate_json_drafts(&mut reg).unwrap(), 0);
    let drafts = reg.scan_drafts().unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].text.as_deref(), Some("Kính gửi"));
}
