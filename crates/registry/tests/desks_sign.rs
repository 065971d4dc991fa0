//! Trình ký between two desktops of one unit (docs/sync.md, "Several desktops of one
//! unit"): the clerk's outgoing draft goes to the leader's desktop as a mirror in the signing
//! queue; the leader's signature comes back and signs the clerk's draft; a Số tạm resolved on
//! the clerk's desktop reaches the mirror of an incoming document. The hub is left out here
//! (crates/sync/tests/desks.rs runs the same through a real one): packages are handed over
//! as the sync bridge would.
use chrono::NaiveDate;
use vanthu_domain::Secrecy;
use vanthu_registry::desks::{DeskLabel, DeskSigned, SubmissionPackage};
use vanthu_registry::{Error, NewIncoming, NewOutgoing, Register, Registry, SignedFile};

const UNIT: &str = "000.01.20.H34";
const VT: &str = "000.01.20.H34/VT";
const LD: &str = "000.01.20.H34/LD";

fn desktop(user: &str) -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.set_user(user);
    reg.init_unit(UNIT, "Sở Nội vụ").unwrap();
    (dir, reg)
}

fn draft(reg: &mut Registry, src: &std::path::Path, subject: &str, secrecy: Secrecy) -> i64 {
    let pdf = src.join("Tờ trình.pdf");
    std::fs::write(&pdf, format!("%PDF-1.7\n% {subject}\n")).unwrap();
    reg.create_outgoing(NewOutgoing {
        notation: "SNV-VP".into(),
        doc_type: "Tờ trình".into(),
        subject: subject.into(),
        signer: Some("Nguyễn Văn An".into()),
        recipients: vec!["000.00.00.H34".into(), "Lưu: VT".into()],
        secrecy,
        files: vec![pdf],
        ..Default::default()
    })
    .unwrap()
    .id
}

fn info() -> SignedFile {
    SignedFile {
        role: "leader".into(),
        signer: "Nguyễn Văn An".into(),
        field: "Signature1".into(),
        signing_time: "2026-03-02T09:00:00+07:00".into(),
    }
}

fn rows(reg: &Registry, table: &str) -> i64 {
    reg.connection()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// What a failed or repeated step must leave exactly as it was.
fn snapshot(reg: &Registry, id: i64) -> (String, usize, i64, i64, i64, i64) {
    let d = reg.get(id).unwrap();
    (
        d.state.as_str().to_owned(),
        d.attachments.len(),
        rows(reg, "audit_log"),
        rows(reg, "inbox"),
        rows(reg, "outbox"),
        rows(reg, "submissions"),
    )
}

/// Clerk drafts and submits; the leader's desktop holds the mirror in its signing queue and
/// signs it; the signed copy's package. Returns (clerk, leader, draft id, mirror id, package).
struct Round {
    _dirs: (tempfile::TempDir, tempfile::TempDir, tempfile::TempDir),
    clerk: Registry,
    leader: Registry,
    doc: i64,
    mirror: i64,
    signed_bytes: Vec<u8>,
    package: DeskSigned,
}

fn round() -> Round {
    let (d1, mut clerk) = desktop("văn thư Lan");
    let (d2, mut leader) = desktop("giám đốc An");
    let src = tempfile::tempdir().unwrap();
    let doc = draft(
        &mut clerk,
        src.path(),
        "Về việc tuyển dụng công chức",
        Secrecy::Normal,
    );
    let sub = clerk
        .submit_document(doc, LD, Some("Kính trình đồng chí Giám đốc ký"))
        .unwrap();
    let pkg = clerk.submission_package(&sub).unwrap();
    let mirror = leader
        .receive_submission(&sub.message_id, VT, &pkg)
        .unwrap();
    let q = leader.signing_queue().unwrap();
    assert_eq!(q.len(), 1);
    let signed = src.path().join("signed.pdf");
    let signed_bytes = b"%PDF-1.7\n% signed by the leader\n".to_vec();
    std::fs::write(&signed, &signed_bytes).unwrap();
    leader
        .record_signed(mirror, &signed, "Tờ trình (đã ký).pdf", &info())
        .unwrap();
    let item = leader
        .pending_outbox(100)
        .unwrap()
        .into_iter()
        .find(|i| i.kind == "desk_signed")
        .expect("a desk_signed row");
    let package = leader.desk_signed_package(&item).unwrap();
    Round {
        _dirs: (d1, d2, src),
        clerk,
        leader,
        doc,
        mirror,
        signed_bytes,
        package,
    }
}

#[test]
fn an_outgoing_draft_is_submitted_with_its_pdf_and_fields() {
    let (_d, mut clerk) = desktop("văn thư Lan");
    let src = tempfile::tempdir().unwrap();
    let doc = draft(&mut clerk, src.path(), "Về việc A", Secrecy::Normal);
    let sub = clerk.submit_document(doc, LD, Some("Kính trình")).unwrap();
    assert_eq!(clerk.submit_document(doc, LD, None).unwrap(), sub);
    assert_eq!(clerk.submissions(Some(doc)).unwrap().len(), 1);
    let ev = clerk.status_events(doc).unwrap();
    assert_eq!(
        ev.last().unwrap().note.as_deref(),
        Some("Trình ký lãnh đạo (000.01.20.H34/LD): Kính trình")
    );
    assert_eq!(
        clerk.get(doc).unwrap().state.as_str(),
        "draft",
        "submitting signs nothing"
    );
    let pkg = clerk.submission_package(&sub).unwrap();
    assert_eq!(pkg.register, Register::Outgoing);
    assert_eq!(pkg.code_notation.as_deref(), Some("SNV-VP"));
    assert_eq!(pkg.recipients.len(), 2);
    assert_eq!(pkg.files.len(), 1);
    // Through JSON, as it travels.
    let back: SubmissionPackage =
        serde_json::from_slice(&serde_json::to_vec(&pkg).unwrap()).unwrap();
    assert_eq!(back, pkg);
    // A package of the previous version (no "register") is an incoming submission.
    let mut old = serde_json::to_value(&pkg).unwrap();
    old.as_object_mut().unwrap().remove("register");
    let old: SubmissionPackage = serde_json::from_value(old).unwrap();
    assert_eq!(old.register, Register::Incoming);
    assert!(clerk.audit_verify().unwrap().ok);
}

#[test]
fn secret_unfinished_or_issued_drafts_are_refused_with_nothing_written() {
    let (_d, mut clerk) = desktop("văn thư Lan");
    let src = tempfile::tempdir().unwrap();
    let secret = draft(&mut clerk, src.path(), "Văn bản mật", Secrecy::Confidential);
    let before = snapshot(&clerk, secret);
    assert!(matches!(
        clerk.submit_document(secret, LD, None),
        Err(Error::SecretNotSendable)
    ));
    assert_eq!(snapshot(&clerk, secret), before);

    let bare = clerk
        .create_outgoing(NewOutgoing {
            notation: "SNV-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Chưa có tệp".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let before = snapshot(&clerk, bare);
    assert!(matches!(
        clerk.submit_document(bare, LD, None),
        Err(Error::InvalidState(m)) if m.contains("PDF")
    ));
    assert_eq!(snapshot(&clerk, bare), before);

    let issued = draft(&mut clerk, src.path(), "Đã cấp số", Secrecy::Normal);
    clerk
        .issue_outgoing(issued, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
        .unwrap();
    let before = snapshot(&clerk, issued);
    assert!(matches!(
        clerk.submit_document(issued, LD, None),
        Err(Error::InvalidState(_))
    ));
    assert_eq!(snapshot(&clerk, issued), before);
}

#[test]
fn the_mirror_waits_in_the_leaders_signing_queue_and_is_never_numbered() {
    let (_d1, mut clerk) = desktop("văn thư Lan");
    let (_d2, mut leader) = desktop("giám đốc An");
    let src = tempfile::tempdir().unwrap();
    let doc = draft(&mut clerk, src.path(), "Về việc B", Secrecy::Normal);
    let sub = clerk.submit_document(doc, LD, Some("Kính trình")).unwrap();
    let pkg = clerk.submission_package(&sub).unwrap();
    let m = leader
        .receive_submission(&sub.message_id, VT, &pkg)
        .unwrap();
    let audit = rows(&leader, "audit_log");
    // The same package again: the same record, nothing written.
    assert_eq!(
        leader
            .receive_submission(&sub.message_id, VT, &pkg)
            .unwrap(),
        m
    );
    assert_eq!(rows(&leader, "audit_log"), audit);
    let rec = leader.get(m).unwrap();
    assert_eq!(rec.register, Register::Outgoing);
    assert_eq!((rec.state.as_str(), rec.number), ("draft", None));
    assert_eq!(rec.subject, "Về việc B");
    assert_eq!(rec.notation, "/SNV-VP");
    assert_eq!(rec.recipients.len(), 2);
    assert_eq!(rec.attachments.len(), 1);
    let clerk_pdf = &clerk.get(doc).unwrap().attachments[0];
    assert_eq!(rec.attachments[0].sha256, clerk_pdf.sha256);
    let q = leader.signing_queue().unwrap();
    assert_eq!(
        q.iter().map(|i| i.document.id).collect::<Vec<_>>(),
        [m],
        "the mirror is in Chờ ký"
    );
    let mi = leader.mirror_info(m).unwrap().unwrap();
    assert_eq!((mi.origin.as_str(), mi.origin_document_id), (VT, doc));
    assert!(leader
        .status_events(m)
        .unwrap()
        .iter()
        .any(|e| e.note.as_deref() == Some("Văn thư trình ký (000.01.20.H34/VT): Kính trình")));
    // Only the clerk's desktop numbers and sends it.
    let before = snapshot(&leader, m);
    assert!(matches!(
        leader.issue_outgoing(m, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()),
        Err(Error::InvalidState(_))
    ));
    assert!(leader
        .set_outgoing_state(m, vanthu_domain::OutgoingState::Signed, None)
        .is_err());
    assert_eq!(snapshot(&leader, m), before);
    assert!(leader.audit_verify().unwrap().ok);
}

#[test]
fn signing_the_mirror_queues_the_signed_copy_in_the_same_transaction() {
    let r = round();
    let rec = r.leader.get(r.mirror).unwrap();
    assert_eq!(rec.state.as_str(), "signed");
    let signed = rec.attachments.last().unwrap();
    let rows: Vec<_> = r
        .leader
        .pending_outbox(100)
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == "desk_signed")
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].document_id, Some(r.mirror));
    assert_eq!(rows[0].recipient_code.as_deref(), Some(VT));
    let p = &r.package;
    assert_eq!(p.file_name, "Tờ trình (đã ký).pdf");
    assert_eq!(p.sha256, signed.sha256);
    assert_eq!(p.signed_from_sha256, rec.attachments[0].sha256);
    assert_eq!(p.origin_document_id, r.doc);
    use base64::Engine as _;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&p.data_base64)
            .unwrap(),
        r.signed_bytes
    );

    // A failed signing (the token gave no PDF) queues nothing.
    let (_d1, mut clerk) = desktop("văn thư Lan");
    let (_d2, mut leader) = desktop("giám đốc An");
    let src = tempfile::tempdir().unwrap();
    let doc = draft(&mut clerk, src.path(), "Về việc C", Secrecy::Normal);
    let sub = clerk.submit_document(doc, LD, None).unwrap();
    let m = leader
        .receive_submission(
            &sub.message_id,
            VT,
            &clerk.submission_package(&sub).unwrap(),
        )
        .unwrap();
    let not_pdf = src.path().join("x.pdf");
    std::fs::write(&not_pdf, "not a pdf").unwrap();
    let before = snapshot(&leader, m);
    assert!(leader.record_signed(m, &not_pdf, "x.pdf", &info()).is_err());
    assert_eq!(snapshot(&leader, m), before);
}

#[test]
fn the_clerks_draft_is_signed_once_with_the_leaders_bytes() {
    let mut r = round();
    let audit = rows(&r.clerk, "audit_log");
    assert!(r
        .clerk
        .apply_desk_signed("st06-ds1-x", LD, &r.package)
        .unwrap());
    let rec = r.clerk.get(r.doc).unwrap();
    assert_eq!(rec.state.as_str(), "signed");
    assert_eq!(rec.attachments.len(), 2, "the unsigned draft is kept");
    let last = rec.attachments.last().unwrap();
    assert_eq!(last.file_name, "Tờ trình (đã ký).pdf");
    assert_eq!(
        std::fs::read(r.clerk.attachment_path(last)).unwrap(),
        r.signed_bytes
    );
    let ev = r.clerk.status_events(r.doc).unwrap();
    let signed: Vec<_> = ev
        .iter()
        .filter(|e| e.to_state.as_str() == "signed")
        .collect();
    assert_eq!(signed.len(), 1);
    assert_eq!(
        signed[0].note.as_deref(),
        Some("Lãnh đạo đã ký trên máy 000.01.20.H34/LD (Nguyễn Văn An)")
    );
    assert!(r.clerk.submissions(Some(r.doc)).unwrap()[0]
        .answered_at
        .is_some());
    // attachment.add + outgoing.sign + outgoing.desk_signed
    assert_eq!(rows(&r.clerk, "audit_log"), audit + 3);
    assert!(r.clerk.audit_verify().unwrap().ok);
    // The same package again changes nothing.
    let before = snapshot(&r.clerk, r.doc);
    assert!(!r
        .clerk
        .apply_desk_signed("st06-ds1-x", LD, &r.package)
        .unwrap());
    assert_eq!(snapshot(&r.clerk, r.doc), before);
    // Now the clerk issues and may send it.
    let issued = r
        .clerk
        .issue_outgoing(r.doc, NaiveDate::from_ymd_opt(2026, 3, 3).unwrap())
        .unwrap();
    assert_eq!((issued.state.as_str(), issued.number), ("issued", Some(1)));
}

#[test]
fn bad_or_foreign_signed_copies_change_nothing() {
    let mut r = round();
    let before = snapshot(&r.clerk, r.doc);
    let mut bad = r.package.clone();
    bad.sha256 = "0".repeat(64);
    assert!(matches!(
        r.clerk.apply_desk_signed("p1", LD, &bad),
        Err(Error::Invalid(_))
    ));
    let mut not_pdf = r.package.clone();
    use base64::Engine as _;
    not_pdf.data_base64 = base64::engine::general_purpose::STANDARD.encode(b"<html>");
    not_pdf.sha256 = hex_sha(b"<html>");
    assert!(r.clerk.apply_desk_signed("p2", LD, &not_pdf).is_err());
    assert!(matches!(
        r.clerk
            .apply_desk_signed("p3", "000.01.20.H34/KT", &r.package),
        Err(Error::Invalid(_))
    ));
    let mut unknown = r.package.clone();
    unknown.submission_message_id = "sub-x-1-LD".into();
    assert!(matches!(
        r.clerk.apply_desk_signed("p4", LD, &unknown),
        Err(Error::Invalid(_))
    ));
    assert_eq!(snapshot(&r.clerk, r.doc), before);
    // None of them is burnt: the genuine package still applies.
    assert!(r.clerk.apply_desk_signed("p5", LD, &r.package).unwrap());
}

fn hex_sha(b: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(b))
}

#[test]
fn a_draft_changed_meanwhile_refuses_the_signed_copy_and_says_so_once() {
    let mut r = round();
    // The clerk attached a corrected PDF after submitting: the leader signed the old one.
    let src = tempfile::tempdir().unwrap();
    let v2 = src.path().join("Tờ trình v2.pdf");
    std::fs::write(&v2, "%PDF-1.7\n% corrected\n").unwrap();
    r.clerk.add_attachment(r.doc, &v2).unwrap();
    let (state, atts, audit, inbox, outbox, subs) = snapshot(&r.clerk, r.doc);
    assert!(matches!(
        r.clerk.apply_desk_signed("p1", LD, &r.package),
        Err(Error::InvalidState(_))
    ));
    let rec = r.clerk.get(r.doc).unwrap();
    assert_eq!(
        (rec.state.as_str(), rec.attachments.len()),
        (state.as_str(), atts)
    );
    assert_eq!(rows(&r.clerk, "outbox"), outbox);
    assert_eq!(rows(&r.clerk, "submissions"), subs);
    assert!(r.clerk.submissions(Some(r.doc)).unwrap()[0]
        .answered_at
        .is_none());
    // The refusal is kept: one inbox row with the error, one audit entry.
    assert_eq!(rows(&r.clerk, "inbox"), inbox + 1);
    assert_eq!(rows(&r.clerk, "audit_log"), audit + 1);
    let err: Option<String> = r
        .clerk
        .connection()
        .query_row("SELECT error FROM inbox WHERE package_id = 'p1'", [], |x| {
            x.get(0)
        })
        .unwrap();
    assert!(err.unwrap().contains("PDF"));
    assert!(!r.clerk.apply_desk_signed("p1", LD, &r.package).unwrap());
    assert_eq!(rows(&r.clerk, "audit_log"), audit + 1);
    assert!(r.clerk.audit_verify().unwrap().ok);

    // No longer a draft (issued on paper meanwhile): refused too.
    let mut r = round();
    r.clerk
        .issue_outgoing(r.doc, NaiveDate::from_ymd_opt(2026, 3, 3).unwrap())
        .unwrap();
    assert!(matches!(
        r.clerk.apply_desk_signed("p1", LD, &r.package),
        Err(Error::InvalidState(_))
    ));
    let rec = r.clerk.get(r.doc).unwrap();
    assert_eq!((rec.state.as_str(), rec.attachments.len()), ("issued", 1));
    let _ = &r.leader;
}

#[test]
fn a_resolved_so_tam_reaches_the_mirror_once() {
    let (_d1, mut clerk) = desktop("văn thư Lan");
    let (_d2, mut leader) = desktop("giám đốc An");
    clerk.set_numbering_desktop(Some("VT")).unwrap();
    let doc = clerk
        .register_incoming(NewIncoming {
            sender: "000.00.00.G22".into(),
            notation: "12/VPCP-KSTT".into(),
            document_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            arrival_date: Some(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()),
            doc_type: "Công văn".into(),
            subject: "Về việc D".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(doc.number_label().as_deref(), Some("Số tạm T-VT-1"));
    let sub = clerk.submit_document(doc.id, LD, None).unwrap();
    let m = leader
        .receive_submission(
            &sub.message_id,
            VT,
            &clerk.submission_package(&sub).unwrap(),
        )
        .unwrap();
    assert_eq!(
        leader
            .mirror_info(m)
            .unwrap()
            .unwrap()
            .number_label
            .as_deref(),
        Some("Số tạm T-VT-1")
    );
    assert!(clerk
        .pending_outbox(100)
        .unwrap()
        .iter()
        .all(|i| i.kind != "desk_label"));
    // A block arrives: the document gets 41, and its label is queued for the leader.
    let req = clerk
        .prepare_block_requests(2026, 20)
        .unwrap()
        .into_iter()
        .find(|r| r.register == "incoming" && r.series == "normal")
        .unwrap();
    clerk
        .add_number_block(&req.request_id, 41, req.size)
        .unwrap();
    assert_eq!(clerk.get(doc.id).unwrap().number, Some(41));
    let labels: Vec<_> = clerk
        .pending_outbox(100)
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == "desk_label")
        .collect();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].recipient_code.as_deref(), Some(LD));
    let pkg: DeskLabel = clerk.desk_label_package(&labels[0]).unwrap();
    assert_eq!(pkg.number_label, "41");
    assert_eq!(pkg.provisional.as_deref(), Some("T-VT-1"));
    // The same block again resolves nothing more and queues nothing more.
    clerk
        .add_number_block(&req.request_id, 41, req.size)
        .unwrap();
    assert_eq!(
        clerk
            .pending_outbox(100)
            .unwrap()
            .iter()
            .filter(|i| i.kind == "desk_label")
            .count(),
        1
    );

    // From another desktop: refused, nothing written.
    let before = snapshot(&leader, m);
    assert!(leader
        .apply_desk_label("l1", "000.01.20.H34/KT", &pkg)
        .is_err());
    assert_eq!(snapshot(&leader, m), before);
    assert!(leader.apply_desk_label("l1", VT, &pkg).unwrap());
    let mi = leader.mirror_info(m).unwrap().unwrap();
    assert_eq!(mi.number_label.as_deref(), Some("41"));
    assert_eq!(
        leader.get(m).unwrap().number,
        None,
        "still no number of its own"
    );
    assert!(leader
        .status_events(m)
        .unwrap()
        .iter()
        .any(|e| e.note.as_deref() == Some("Văn thư cấp số đến 41 (thay Số tạm T-VT-1)")));
    let before = snapshot(&leader, m);
    assert!(!leader.apply_desk_label("l1", VT, &pkg).unwrap());
    assert_eq!(snapshot(&leader, m), before);
    assert!(leader.audit_verify().unwrap().ok);
    assert!(clerk.audit_verify().unwrap().ok);
}

#[test]
fn the_leader_returns_a_draft_and_the_clerk_submits_it_again() {
    let (_d1, mut clerk) = desktop("văn thư Lan");
    let (_d2, mut leader) = desktop("giám đốc An");
    let src = tempfile::tempdir().unwrap();
    let doc = draft(&mut clerk, src.path(), "Về việc E", Secrecy::Normal);
    let sub = clerk.submit_document(doc, LD, None).unwrap();
    let pkg1 = clerk.submission_package(&sub).unwrap();
    let m = leader
        .receive_submission(&sub.message_id, VT, &pkg1)
        .unwrap();

    // Refusals write nothing: no note, not a mirror.
    let before = snapshot(&leader, m);
    assert!(matches!(
        leader.return_submission(m, "  "),
        Err(Error::Invalid(_))
    ));
    let own = draft(
        &mut leader,
        src.path(),
        "Dự thảo của lãnh đạo",
        Secrecy::Normal,
    );
    let before_own = snapshot(&leader, own);
    assert!(matches!(
        leader.return_submission(own, "Sửa"),
        Err(Error::InvalidState(_))
    ));
    assert_eq!(snapshot(&leader, own), before_own);
    let before = (
        before.0,
        before.1,
        before.2 + 2,
        before.3,
        before.4,
        before.5,
    ); // own draft: create + attachment
    assert_eq!(snapshot(&leader, m), before);

    let note = "Đề nghị bổ sung căn cứ pháp lý";
    leader.return_submission(m, note).unwrap();
    assert!(leader.mirror_returned_at(m).unwrap().is_some());
    assert_eq!(
        leader
            .signing_queue()
            .unwrap()
            .iter()
            .map(|i| i.document.id)
            .collect::<Vec<_>>(),
        [own],
        "the returned mirror left Chờ ký"
    );
    assert!(matches!(
        leader.return_submission(m, note),
        Err(Error::InvalidState(_))
    ));
    // A returned mirror cannot be signed.
    let signed = src.path().join("s.pdf");
    std::fs::write(&signed, "%PDF-1.7\n% signed\n").unwrap();
    let before = snapshot(&leader, m);
    assert!(leader.record_signed(m, &signed, "s.pdf", &info()).is_err());
    assert_eq!(snapshot(&leader, m), before);
    let row = leader
        .pending_outbox(100)
        .unwrap()
        .into_iter()
        .find(|i| i.kind == "desk_returned")
        .unwrap();
    let ret = leader.desk_returned_package(&row).unwrap();
    assert_eq!(ret.note, note);

    // The clerk's desktop: a history entry, the draft as it was, the submission returned.
    assert!(matches!(
        clerk.apply_desk_returned("r1", "000.01.20.H34/KT", &ret),
        Err(Error::Invalid(_))
    ));
    assert!(clerk.apply_desk_returned("r1", LD, &ret).unwrap());
    let rec = clerk.get(doc).unwrap();
    assert_eq!(rec.state.as_str(), "draft");
    assert!(clerk
        .status_events(doc)
        .unwrap()
        .iter()
        .any(|e| e.note.as_deref()
            == Some("Lãnh đạo trả lại (máy 000.01.20.H34/LD): Đề nghị bổ sung căn cứ pháp lý")));
    assert!(clerk.submissions(Some(doc)).unwrap()[0]
        .returned_at
        .is_some());
    let before = snapshot(&clerk, doc);
    assert!(!clerk.apply_desk_returned("r1", LD, &ret).unwrap());
    assert_eq!(snapshot(&clerk, doc), before);

    // Corrected and submitted again: a new message id, the same submission row.
    let v2 = src.path().join("Tờ trình v2.pdf");
    std::fs::write(&v2, "%PDF-1.7\n% bổ sung căn cứ\n").unwrap();
    let v2 = clerk.add_attachment(doc, &v2).unwrap();
    let again = clerk.submit_document(doc, LD, Some("Đã bổ sung")).unwrap();
    assert_eq!(again.id, sub.id);
    assert_eq!(again.message_id, format!("{}-r2", sub.message_id));
    assert!(again.queued_at.is_none() && again.returned_at.is_none());
    assert_eq!(clerk.submit_document(doc, LD, None).unwrap(), again);
    let pkg2 = clerk.submission_package(&again).unwrap();

    // The leader's desktop: the same mirror, back in Chờ ký with the corrected PDF.
    assert_eq!(
        leader
            .receive_submission(&again.message_id, VT, &pkg2)
            .unwrap(),
        m
    );
    assert!(leader.mirror_returned_at(m).unwrap().is_none());
    let q = leader.signing_queue().unwrap();
    let item = q
        .iter()
        .find(|i| i.document.id == m)
        .expect("back in Chờ ký");
    assert_eq!(item.pdf.sha256, v2.sha256);
    let before = snapshot(&leader, m);
    // Either package seen again: nothing more.
    assert_eq!(
        leader
            .receive_submission(&sub.message_id, VT, &pkg1)
            .unwrap(),
        m
    );
    assert_eq!(
        leader
            .receive_submission(&again.message_id, VT, &pkg2)
            .unwrap(),
        m
    );
    assert_eq!(snapshot(&leader, m), before);

    // Signed now: the clerk's corrected draft is signed.
    leader
        .record_signed(m, &signed, "Tờ trình v2 (đã ký).pdf", &info())
        .unwrap();
    let row = leader
        .pending_outbox(100)
        .unwrap()
        .into_iter()
        .find(|i| i.kind == "desk_signed")
        .unwrap();
    let p = leader.desk_signed_package(&row).unwrap();
    assert_eq!(p.submission_message_id, again.message_id);
    assert!(clerk.apply_desk_signed("s1", LD, &p).unwrap());
    assert_eq!(clerk.get(doc).unwrap().state.as_str(), "signed");
    assert!(clerk.audit_verify().unwrap().ok);
    assert!(leader.audit_verify().unwrap().ok);
}
