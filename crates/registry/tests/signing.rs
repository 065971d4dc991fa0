//! The signing queue: which outgoing documents wait for a signature, and recording one.
use vanthu_registry::{Error, NewOutgoing, Registry, SignedFile};

fn fresh() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.set_user("chuyên viên B");
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    (dir, reg)
}

fn draft(reg: &mut Registry, dir: &std::path::Path, subject: &str, file: Option<&str>) -> i64 {
    let mut files = Vec::new();
    if let Some(name) = file {
        let p = dir.join(name);
        std::fs::write(&p, format!("%PDF-1.7\n% {subject}\n")).unwrap();
        files.push(p);
    }
    reg.create_outgoing(NewOutgoing {
        notation: "UBND-VP".into(),
        doc_type: "Công văn".into(),
        subject: subject.into(),
        files,
        ..Default::default()
    })
    .unwrap()
    .id
}

#[test]
fn queue_lists_drafts_with_a_pdf_and_signing_moves_them_out() {
    let (dir, mut reg) = fresh();
    let src = tempfile::tempdir().unwrap();
    let a = draft(&mut reg, src.path(), "Về việc A", Some("a.pdf"));
    let _no_pdf = draft(&mut reg, src.path(), "Về việc không có tệp", None);
    let txt = src.path().join("ghi chú.txt");
    std::fs::write(&txt, "not a pdf").unwrap();
    let with_txt = draft(&mut reg, src.path(), "Về việc chỉ có txt", None);
    reg.add_attachment(with_txt, &txt).unwrap();
    let b = draft(&mut reg, src.path(), "Về việc B", Some("b.pdf"));
    let issued = draft(&mut reg, src.path(), "Đã cấp số", Some("c.pdf"));
    reg.issue_outgoing(issued, "2024-05-02".parse().unwrap())
        .unwrap();

    let q = reg.signing_queue().unwrap();
    let ids: Vec<i64> = q.iter().map(|i| i.document.id).collect();
    // Issued without a signature made here (an imported register): not waiting for a seal.
    assert_eq!(ids, [a, b]);
    assert_eq!(q[0].pdf.file_name, "a.pdf");
    assert_eq!(q[0].drafted_by.as_deref(), Some("chuyên viên B"));

    let signed = src.path().join("a-signed.pdf");
    std::fs::write(&signed, "%PDF-1.7\n% signed\n").unwrap();
    reg.set_user("lãnh đạo C");
    let audit_before = reg.audit_verify().unwrap().rows;
    let rec = reg
        .record_signed(
            a,
            &signed,
            "a (đã ký).pdf",
            &SignedFile {
                role: "leader".into(),
                signer: "Nguyễn Văn An".into(),
                field: "Signature1".into(),
                signing_time: "2024-05-01T09:00:00+07:00".into(),
            },
        )
        .unwrap();
    assert_eq!(rec.state.as_str(), "signed");
    assert_eq!(rec.state_label, "Đã ký");
    assert_eq!(rec.attachments.len(), 2, "the unsigned draft PDF is kept");
    let last = rec.attachments.last().unwrap();
    assert_eq!(last.file_name, "a (đã ký).pdf");
    assert_eq!(
        std::fs::read(reg.attachment_path(last)).unwrap(),
        b"%PDF-1.7\n% signed\n"
    );
    let report = reg.audit_verify().unwrap();
    assert!(report.ok, "{report:?}");
    // attachment.add + outgoing.sign
    assert_eq!(report.rows, audit_before + 2);
    let ids: Vec<i64> = reg
        .signing_queue()
        .unwrap()
        .iter()
        .map(|i| i.document.id)
        .collect();
    assert_eq!(ids, [b]);
    // A signed document can be numbered (vào sổ) afterwards.
    let rec = reg
        .issue_outgoing(a, "2024-05-02".parse().unwrap())
        .unwrap();
    assert_eq!(rec.state.as_str(), "issued");
    // Then it waits for the seal; a leader's signature is refused on it.
    let queued = |reg: &Registry| -> Vec<i64> {
        reg.signing_queue()
            .unwrap()
            .iter()
            .map(|i| i.document.id)
            .collect()
    };
    // Signed here, then numbered: it waits for the văn thư's seal (NĐ 30).
    assert_eq!(queued(&reg), [a, b]);
    let leader = SignedFile {
        role: "leader".into(),
        signer: "Nguyễn Văn An".into(),
        field: "Signature2".into(),
        signing_time: "2024-05-02T09:00:00+07:00".into(),
    };
    let err = reg
        .record_signed(a, &signed, "a (đã ký).pdf", &leader)
        .unwrap_err();
    assert!(err.to_string().contains("chỉ còn đóng dấu"), "{err}");
    let sealed = src.path().join("a-sealed.pdf");
    std::fs::write(&sealed, "%PDF-1.7\n% sealed\n").unwrap();
    let rec = reg
        .record_signed(
            a,
            &sealed,
            "a (đã ký).pdf",
            &SignedFile {
                role: "organization".into(),
                signer: "Sở Nội vụ".into(),
                field: "Signature2".into(),
                signing_time: "2024-05-02T09:05:00+07:00".into(),
            },
        )
        .unwrap();
    assert_eq!(
        rec.state.as_str(),
        "issued",
        "the seal keeps the number and the state"
    );
    assert_eq!(rec.attachments.len(), 3);
    let events = reg.status_events(a).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.note.as_deref()
                == Some("Văn thư đóng dấu (chữ ký số của cơ quan: Sở Nội vụ)")),
        "{events:?}"
    );
    assert_eq!(queued(&reg), [b], "sealed: out of the queue");
    let _ = dir;
}

#[test]
fn refuses_what_is_not_waiting_and_non_pdf_output() {
    let (_dir, mut reg) = fresh();
    let src = tempfile::tempdir().unwrap();
    let a = draft(&mut reg, src.path(), "Về việc A", Some("a.pdf"));
    let none = draft(&mut reg, src.path(), "Không tệp", None);
    let junk = src.path().join("x.pdf");
    std::fs::write(&junk, "not a pdf at all").unwrap();
    let info = SignedFile::default();
    let err = reg.record_signed(a, &junk, "x.pdf", &info).unwrap_err();
    assert!(err.to_string().contains("không phải PDF"), "{err}");
    assert_eq!(reg.get(a).unwrap().state.as_str(), "draft");
    assert_eq!(reg.get(a).unwrap().attachments.len(), 1);
    let pdf = src.path().join("ok.pdf");
    std::fs::write(&pdf, "%PDF-1.4\n").unwrap();
    assert!(matches!(
        reg.record_signed(none, &pdf, "ok.pdf", &info),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        reg.record_signed(9999, &pdf, "ok.pdf", &info),
        Err(Error::NotFound(9999))
    ));
    let issued = draft(&mut reg, src.path(), "Đã cấp số", Some("c.pdf"));
    reg.issue_outgoing(issued, "2024-05-02".parse().unwrap())
        .unwrap();
    let err = reg
        .record_signed(issued, &pdf, "ok.pdf", &info)
        .unwrap_err();
    assert!(err.to_string().contains("không chờ ký"), "{err}");
    assert!(err.to_string().contains("chỉ còn đóng dấu"), "{err}");
}
