//! `import_package`: a received package becomes an incoming record in state "đã đến" with its
//! attachments, status 01 is queued for the sender, duplicates are refused naming the record.
use std::path::{Path, PathBuf};

use vanthu_core::import::{import_package, ImportError};
use vanthu_edxml::*;
use vanthu_registry::Registry;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../edxml/tests/data")
        .join(name)
}

fn registry() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.G22", "Văn phòng Chính phủ")
        .unwrap();
    (dir, reg)
}

fn outbox_count(reg: &Registry) -> usize {
    reg.pending_outbox(1000).unwrap().len()
}

fn header(from: &str, number: &str, doc_id: Option<&str>) -> Header {
    Header {
        from: Organization {
            organ_id: Some(from.into()),
            organ_name: Some("Đơn vị thử nghiệm".into()),
            ..Default::default()
        },
        document_id: doc_id.map(String::from),
        code: DocCode {
            number: Some(number.into()),
            notation: Some("UBND-VP".into()),
        },
        promulgation: Promulgation {
            place: None,
            date: chrono::NaiveDate::from_ymd_opt(2024, 6, 1),
        },
        document_type: DocumentKind {
            type_name: Some("Quyết định".into()),
            ..Default::default()
        },
        subject: Some("V/v thử nghiệm nhận gói tin".into()),
        ..Default::default()
    }
}

fn write_pkg(dir: &Path, name: &str, h: &Header, atts: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join(name);
    let mut out: Vec<OutAttachment> = atts
        .iter()
        .map(|(n, b)| OutAttachment {
            meta: AttachmentMeta {
                content_id: Some(n.replace('.', "-")),
                name: Some(n.to_string()),
                content_type: None,
                description: None,
            },
            data: AttachmentData::Bytes(b),
        })
        .collect();
    write_file_atomic(&path, |w| write_package(w, h, &mut out, Secrecy::Normal)).unwrap();
    path
}

#[test]
fn import_creates_arrived_record_with_attachments_and_queues_01() {
    let (_d, mut reg) = registry();
    let out = import_package(&mut reg, &data("basic.edxml")).unwrap();
    let rec = &out.record;
    assert_eq!(rec.state.as_str(), "arrived");
    assert_eq!(rec.sender_code.as_deref(), Some("000.00.00.H34"));
    assert_eq!(rec.notation, "412/UBND-HCTC");
    assert_eq!(
        rec.document_date,
        chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
    );
    assert_eq!(rec.deadline, chrono::NaiveDate::from_ymd_opt(2024, 3, 15));
    assert_eq!(
        rec.edxml_document_id.as_deref(),
        Some("000.00.00.H34,2024/03/05,412/UBND-HCTC")
    );
    assert_eq!(rec.urgency, vanthu_domain::Urgency::Urgent);
    let names: Vec<&str> = rec
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    assert_eq!(names, vec!["412-UBND-HCTC.signed.pdf", "ghi-chu.txt"]);
    let stored = std::fs::read(reg.attachment_path(&rec.attachments[1])).unwrap();
    assert_eq!(stored, "Ghi chú: văn bản đã được ký số.\n".as_bytes());
    assert!(out.sender_known);
    let outbox = reg.pending_outbox(10).unwrap();
    assert_eq!(outbox.len(), 1);
    let item = &outbox[0];
    assert_eq!(item.kind, "status");
    assert_eq!(item.document_id, Some(rec.id));
    assert_eq!(item.recipient_code.as_deref(), Some("000.00.00.H34"));
    assert_eq!(item.payload["status_code"], "01");
    assert_eq!(item.payload["response_for"]["code"], "412/UBND-HCTC");
    assert_eq!(
        item.payload["response_for"]["promulgation_date"],
        "2024-03-05"
    );
    assert_eq!(out.outbox_id, item.id);
}

#[test]
fn duplicate_document_id_refused_naming_the_record() {
    let (_d, mut reg) = registry();
    let first = import_package(&mut reg, &data("basic.edxml")).unwrap();
    let e = import_package(&mut reg, &data("basic.edxml")).unwrap_err();
    match &e {
        ImportError::Duplicate { id, reason } => {
            assert_eq!(*id, first.record.id);
            assert!(reason.contains("412/UBND-HCTC"), "{reason}");
        }
        other => panic!("{other}"),
    }
    assert!(e
        .to_string()
        .contains(&format!("record {}", first.record.id)));
    assert_eq!(reg.count(None).unwrap(), 1);
    assert_eq!(outbox_count(&reg), 1);
}

#[test]
fn duplicate_sender_number_date_refused() {
    let (d, mut reg) = registry();
    let a = write_pkg(
        d.path(),
        "a.edxml",
        &header("000.00.00.H34", "77", Some("uuid-a")),
        &[],
    );
    let b = write_pkg(
        d.path(),
        "b.edxml",
        &header("000.00.00.H34", "77", Some("uuid-b")),
        &[],
    );
    let first = import_package(&mut reg, &a).unwrap();
    let e = import_package(&mut reg, &b).unwrap_err();
    assert!(
        matches!(&e, ImportError::Duplicate { id, reason } if *id == first.record.id && reason.contains("77/UBND-VP")),
        "{e}"
    );
    // Another number from the same sender is a different document.
    let c = write_pkg(
        d.path(),
        "c.edxml",
        &header("000.00.00.H34", "78", None),
        &[],
    );
    import_package(&mut reg, &c).unwrap();
    assert_eq!(reg.count(None).unwrap(), 2);
}

#[test]
fn unknown_sender_is_flagged_not_dropped() {
    let (d, mut reg) = registry();
    let code = "000.00.00.H99";
    assert!(
        reg.resolve_agency(code).is_err(),
        "test needs an unknown code"
    );
    let p = write_pkg(d.path(), "u.edxml", &header(code, "5", None), &[]);
    let out = import_package(&mut reg, &p).unwrap();
    assert!(!out.sender_known);
    assert_eq!(out.record.sender_code.as_deref(), Some(code));
    assert!(out.warnings.iter().any(|w| w.contains("unknown sender")));
    let agency = reg.resolve_agency(code).unwrap();
    assert_eq!(agency.name, "Đơn vị thử nghiệm");
    assert_eq!(outbox_count(&reg), 1);
}

#[test]
fn broken_attachment_reported_not_stored() {
    let (d, mut reg) = registry();
    let good = write_pkg(
        d.path(),
        "g.edxml",
        &header("000.00.00.H34", "9", None),
        &[("a.pdf", b"%PDF-1.7 a"), ("b.txt", b"b")],
    );
    // Break the second attachment's base64.
    let text = std::fs::read_to_string(&good)
        .unwrap()
        .replacen("Yg==", "Y$==", 1);
    std::fs::write(&good, text).unwrap();
    let out = import_package(&mut reg, &good).unwrap();
    assert_eq!(out.attachments_stored, 1);
    assert_eq!(out.broken_attachments.len(), 1);
    assert!(out.broken_attachments[0].starts_with("b.txt"));
    assert!(out.record.notes.as_deref().unwrap().contains("b.txt"));
    assert_eq!(out.record.attachments.len(), 1);
}

#[test]
fn malformed_package_changes_nothing() {
    let (d, mut reg) = registry();
    let e = import_package(&mut reg, &data("unclosed.edxml")).unwrap_err();
    assert!(
        matches!(e, ImportError::Edxml(Error::Malformed { .. })),
        "{e}"
    );
    assert_eq!(reg.count(None).unwrap(), 0);
    assert_eq!(outbox_count(&reg), 0);
    // No decoded files left behind in the data directory.
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".edxml-import-")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn package_from_an_outgoing_record_round_trips_and_secret_is_refused() {
    use vanthu_core::import::package_from_record;
    use vanthu_registry::NewOutgoing;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let pdf = dir.path().join("qd.pdf");
    std::fs::write(&pdf, b"%PDF-1.7 quyet dinh").unwrap();
    let rec = reg
        .create_outgoing(NewOutgoing {
            notation: "QĐ-UBND".into(),
            doc_type: "Quyết định".into(),
            subject: "Về việc thử gửi".into(),
            signer: Some("Trần Văn An".into()),
            recipients: vec!["000.00.00.G22".into(), "Lưu: VT".into()],
            issue_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 5),
            files: vec![pdf],
            ..Default::default()
        })
        .unwrap();
    let mut p = package_from_record(&reg, rec.id).unwrap();
    assert_eq!(p.header.code.notation.as_deref(), Some("QĐ-UBND"));
    assert_eq!(p.header.to.len(), 1);
    assert_eq!(p.header.to_places, vec!["Văn phòng Chính phủ", "Lưu: VT"]);
    let mut out = Vec::new();
    write_package(&mut out, &p.header, &mut p.attachments, p.secrecy).unwrap();
    let back = read_package(&out[..], &ReadOptions::default()).unwrap();
    assert_eq!(back.header, p.header);
    assert_eq!(
        back.header.document_id.as_deref(),
        Some("000.00.00.H34,2024/03/05,1/QĐ-UBND")
    );
    assert_eq!(back.attachments[0].size, 19);

    let secret = reg
        .create_outgoing(NewOutgoing {
            notation: "QĐ-UBND".into(),
            doc_type: "Quyết định".into(),
            subject: "Mật".into(),
            secrecy: vanthu_domain::Secrecy::Secret,
            issue_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 6),
            ..Default::default()
        })
        .unwrap();
    let mut p = package_from_record(&reg, secret.id).unwrap();
    let e = write_package(Vec::new(), &p.header, &mut p.attachments, p.secrecy).unwrap_err();
    assert!(matches!(e, Error::SecretRefused(_)));
}
