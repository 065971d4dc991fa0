//! "Gửi qua trục" from the register: an issued outgoing document becomes an edXML package,
//! reaches the recipient through a real hub as an incoming document with its PDF, the
//! sender's record moves to Đã gửi, and the recipient's 01 comes back. Refusals (secret,
//! not issued, Số tạm, no coded recipient) write nothing.
mod common;

use std::path::{Path, PathBuf};

use vanthu_domain::{OutgoingState, Secrecy};
use vanthu_registry::{Error, NewAgency, NewOutgoing, Registry};

const A: &str = "000.00.00.H34";
const B: &str = "000.01.20.H34";

fn corpus_pdf() -> PathBuf {
    std::env::var_os("VANTHU_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("corpus/pdf-sign/minimal.pdf")
}

fn unit(dir: &Path, code: &str, name: &str) -> Registry {
    let mut reg = Registry::open(dir).unwrap();
    reg.init_unit(code, name).unwrap();
    reg
}

fn draft(reg: &mut Registry, secrecy: Secrecy, to: &[&str]) -> i64 {
    reg.create_outgoing(NewOutgoing {
        notation: "UBND-VP".into(),
        doc_type: "Công văn".into(),
        subject: "Về việc triển khai gửi nhận văn bản điện tử".into(),
        signer: Some("Nguyễn Văn An".into()),
        recipients: to.iter().map(|s| s.to_string()).collect(),
        secrecy,
        files: vec![corpus_pdf()],
        ..Default::default()
    })
    .unwrap()
    .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_document_reaches_the_recipient_once_and_becomes_sent() {
    let hub = common::start_hub(&[A, B]).await;

    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let mut a_reg = unit(a_dir.path(), A, "UBND Tỉnh Kon Tum");
    a_reg
        .add_agency(NewAgency {
            code: B.into(),
            name: "Sở Nội vụ".into(),
            ..Default::default()
        })
        .unwrap();
    drop(unit(b_dir.path(), B, "Sở Nội vụ"));
    let id = draft(&mut a_reg, Secrecy::Normal, &[B, "Lưu: VT, HCTC"]);

    // Not issued yet: refused, nothing queued.
    let err = a_reg.queue_dispatch(id).unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err}");
    assert!(a_reg.dispatch_of(id).unwrap().is_none());

    let issued = a_reg
        .issue_outgoing(id, "2026-11-20".parse().unwrap())
        .unwrap();
    let d = a_reg.queue_dispatch(id).unwrap();
    assert_eq!(
        d.recipients,
        vec![B.to_string()],
        "the paper recipient stays off the hub"
    );
    assert_eq!(
        a_reg.get(id).unwrap().outgoing_state(),
        Some(OutgoingState::Ready)
    );
    // Asking twice changes nothing.
    assert_eq!(a_reg.queue_dispatch(id).unwrap(), d);
    assert_eq!(a_reg.pending_dispatches(10).unwrap().len(), 1);
    drop(a_reg);

    let a = hub.registry_engine(A, "UBND Tỉnh Kon Tum", a_dir.path());
    let b = hub.registry_engine(B, "Sở Nội vụ", b_dir.path());
    a.sync_once().await.unwrap();
    {
        let reg = Registry::open(a_dir.path()).unwrap();
        let rec = reg.get(id).unwrap();
        assert_eq!(
            rec.outgoing_state(),
            Some(OutgoingState::Sent),
            "the hub accepted it in this round"
        );
        assert!(rec.dispatched_date.is_some());
        assert!(reg.pending_dispatches(10).unwrap().is_empty());
    }
    b.sync_once().await.unwrap();
    let got = {
        let reg = Registry::open(b_dir.path()).unwrap();
        assert_eq!(reg.count(None).unwrap(), 1);
        let doc = reg
            .find_incoming_by_edxml_id(A, &format!("{A},2026/11/20,{}", issued.notation))
            .unwrap()
            .expect("received as an incoming document");
        assert_eq!(doc.notation, issued.notation);
        assert_eq!(doc.subject, issued.subject);
        assert_eq!(doc.sender_code.as_deref(), Some(A));
        assert_eq!(doc.signer.as_deref(), Some("Nguyễn Văn An"));
        let pdf = doc
            .attachments
            .iter()
            .find(|a| a.media_type == "application/pdf")
            .expect("the PDF travelled");
        assert_eq!(
            std::fs::read(reg.attachment_path(pdf)).unwrap(),
            std::fs::read(corpus_pdf()).unwrap()
        );
        doc
    };
    a.sync_once().await.unwrap();
    let statuses: Vec<(String, String)> = a
        .state()
        .received()
        .unwrap()
        .into_iter()
        .filter_map(|r| Some((r.related?, r.status_code?)))
        .collect();
    assert_eq!(statuses, vec![(d.message_id.clone(), "01".to_string())]);
    // More rounds send nothing again and receive nothing twice.
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    assert_eq!(
        Registry::open(b_dir.path()).unwrap().count(None).unwrap(),
        1
    );
    assert_eq!(a.state().outbox().unwrap().len(), 1);
    assert!(got.id > 0);
}

#[test]
fn secret_provisional_and_uncoded_documents_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = unit(dir.path(), A, "UBND Tỉnh Kon Tum");
    reg.add_agency(NewAgency {
        code: B.into(),
        name: "Sở Nội vụ".into(),
        ..Default::default()
    })
    .unwrap();
    let date = "2026-11-20".parse().unwrap();

    let secret = draft(&mut reg, Secrecy::Confidential, &[B]);
    reg.issue_outgoing(secret, date).unwrap();
    assert!(matches!(
        reg.queue_dispatch(secret),
        Err(Error::SecretNotSendable)
    ));

    let paper = draft(&mut reg, Secrecy::Normal, &["Lưu: VT"]);
    reg.issue_outgoing(paper, date).unwrap();
    let err = reg.queue_dispatch(paper).unwrap_err().to_string();
    assert!(err.contains("mã định danh"), "{err}");

    // Block numbering with no block held: the document is issued on a Số tạm.
    reg.set_numbering_desktop(Some("VT1")).unwrap();
    let provisional = draft(&mut reg, Secrecy::Normal, &[B]);
    let rec = reg.issue_outgoing(provisional, date).unwrap();
    assert!(rec.is_provisional(), "{rec:?}");
    let err = reg.queue_dispatch(provisional).unwrap_err().to_string();
    assert!(err.contains("Số tạm"), "{err}");

    for id in [secret, paper, provisional] {
        assert_eq!(
            reg.get(id).unwrap().outgoing_state(),
            Some(OutgoingState::Issued)
        );
        assert!(reg.dispatch_of(id).unwrap().is_none());
    }
    assert!(reg.pending_dispatches(10).unwrap().is_empty());
    assert!(reg.audit_verify().unwrap().ok);
}

/// Thu hồi from the sender's side (issue 21, item 5): the văn thư recalls a delivered
/// document with a reason; the recipient's register shows the request, its văn thư accepts
/// (15), and the sender's record becomes Đã thu hồi while the recipient's shows revoked. A
/// refusal (16) makes it Bị từ chối thu hồi, and it may be asked again. A chuyên viên may not
/// recall.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recall_reaches_the_recipient_and_its_answer_comes_back() {
    use vanthu_domain::IncomingState;
    use vanthu_registry::{IncomingAction, NewPerson};
    let hub = common::start_hub(&[A, B]).await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a_reg = unit(a_dir.path(), A, "UBND Tỉnh Kon Tum");
    a_reg
        .add_agency(NewAgency {
            code: B.into(),
            name: "Sở Nội vụ".into(),
            ..Default::default()
        })
        .unwrap();
    let person = |name: &str, role: &str| NewPerson {
        full_name: name.into(),
        roles: vec![role.into()],
        ..Default::default()
    };
    a_reg
        .add_person(&person("Nguyễn Thị An", "văn thư"))
        .unwrap();
    let handler = a_reg
        .add_person(&person("Trần Thị Bình", "chuyên viên"))
        .unwrap();
    drop(unit(b_dir.path(), B, "Sở Nội vụ"));
    let mut ids = Vec::new();
    for _ in 0..2 {
        let id = draft(&mut a_reg, Secrecy::Normal, &[B]);
        a_reg
            .issue_outgoing(id, "2026-12-07".parse().unwrap())
            .unwrap();
        a_reg.queue_dispatch(id).unwrap();
        ids.push(id);
    }
    let (accepted, refused) = (ids[0], ids[1]);
    // Not delivered yet: nothing to recall.
    let e = a_reg.recall_outgoing(accepted, "Gửi nhầm").unwrap_err();
    assert!(matches!(e, Error::InvalidState(_)), "{e}");
    drop(a_reg);
    let a = hub.registry_engine(A, "UBND Tỉnh Kon Tum", a_dir.path());
    let b = hub.registry_engine(B, "Sở Nội vụ", b_dir.path());
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    // B's clerk registers both: from then on a recall is a request she answers (an arrived
    // document not yet registered is revoked at once, with 15).
    {
        let mut b_reg = Registry::open(b_dir.path()).unwrap();
        for h in b_reg.list(&Default::default()).unwrap().hits {
            b_reg
                .append_status_event(
                    h.id,
                    IncomingState::Registered,
                    vanthu_domain::Actor::Clerk,
                    None,
                )
                .unwrap();
        }
    }
    b.sync_once().await.unwrap();

    let mut a_reg = Registry::open(a_dir.path()).unwrap();
    assert!(
        a_reg.recall_outgoing(accepted, "  ").is_err(),
        "a reason is needed"
    );
    a_reg.sign_in(Some(handler.id)).unwrap();
    let e = a_reg.recall_outgoing(accepted, "Gửi nhầm").unwrap_err();
    assert!(matches!(e, Error::NotPermitted { .. }), "{e}");
    a_reg.sign_in(Some(1)).unwrap();
    for id in [accepted, refused] {
        let r = a_reg.recall_outgoing(id, "Gửi nhầm nơi nhận").unwrap();
        assert_eq!(r.recipients, [B]);
        assert_eq!(
            a_reg.get(id).unwrap().outgoing_state(),
            Some(OutgoingState::RecallPending)
        );
    }
    drop(a_reg);
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();

    // B's clerk sees the two requests; accepts one, refuses the other.
    let mut b_reg = Registry::open(b_dir.path()).unwrap();
    let inbox = b_reg.list(&Default::default()).unwrap().hits;
    assert_eq!(inbox.len(), 2);
    let mut b_ids: Vec<i64> = inbox.iter().map(|h| h.id).collect();
    b_ids.sort();
    for id in &b_ids {
        assert_eq!(
            b_reg.get(*id).unwrap().pending_action.as_deref(),
            Some("recall")
        );
    }
    b_reg
        .take_action(b_ids[0], IncomingAction::AcceptRequest, None, None)
        .unwrap();
    b_reg
        .take_action(
            b_ids[1],
            IncomingAction::RefuseRequest,
            Some("Đã phân công xử lý"),
            None,
        )
        .unwrap();
    assert_eq!(
        b_reg.get(b_ids[0]).unwrap().incoming_state(),
        Some(IncomingState::Revoked)
    );
    drop(b_reg);
    b.sync_once().await.unwrap();
    a.sync_once().await.unwrap();
    let mut a_reg = Registry::open(a_dir.path()).unwrap();
    let state = |reg: &Registry, id| reg.get(id).unwrap().outgoing_state();
    assert_eq!(state(&a_reg, accepted), Some(OutgoingState::Recalled));
    assert_eq!(state(&a_reg, refused), Some(OutgoingState::RecallRefused));
    // Asked again after the refusal: waiting again, on the new answer only.
    a_reg
        .recall_outgoing(refused, "Đề nghị thu hồi lần hai")
        .unwrap();
    assert_eq!(
        a_reg.settle_recalls().unwrap(),
        0,
        "the old 16 does not count"
    );
    assert_eq!(state(&a_reg, refused), Some(OutgoingState::RecallPending));
    assert!(a_reg.audit_verify().unwrap().ok);
}

/// A minimal but real Word document (an OOXML zip of several parts), written by Python's
/// zipfile, so the receiving side's unzipping of SDK-zipped attachments must leave it whole.
fn soft_copy(dir: &Path) -> PathBuf {
    let path = dir.join("Dự thảo công văn.docx");
    let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Về việc triển khai gửi nhận văn bản điện tử</w:t></w:r></w:p></w:body></w:document>')
"#;
    let st = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .status()
        .expect("python3");
    assert!(st.success());
    path
}

/// Bản mềm (issue 21, item 6; 986/UBND-HCTC): an outgoing document's .docx travels over the
/// hub beside the signed PDF, after it, and arrives as an attachment of the incoming
/// document, byte for byte; the unsigned draft PDF stays home. A legacy .doc is refused when
/// the draft is made, with nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_soft_copy_travels_beside_the_signed_pdf() {
    let hub = common::start_hub(&[A, B]).await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let files = tempfile::tempdir().unwrap();
    let docx = soft_copy(files.path());
    let mut a_reg = unit(a_dir.path(), A, "UBND Tỉnh Kon Tum");
    a_reg
        .add_agency(NewAgency {
            code: B.into(),
            name: "Sở Nội vụ".into(),
            ..Default::default()
        })
        .unwrap();
    drop(unit(b_dir.path(), B, "Sở Nội vụ"));
    let new = |files: Vec<PathBuf>| NewOutgoing {
        notation: "UBND-VP".into(),
        doc_type: "Công văn".into(),
        subject: "Về việc triển khai gửi nhận văn bản điện tử".into(),
        signer: Some("Nguyễn Văn An".into()),
        recipients: vec![B.into()],
        files,
        ..Default::default()
    };

    let doc = files.path().join("Dự thảo.doc");
    std::fs::write(&doc, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1legacy").unwrap();
    let err = a_reg
        .create_outgoing(new(vec![corpus_pdf(), doc]))
        .unwrap_err();
    assert!(err.to_string().contains("hãy lưu lại thành .docx"), "{err}");
    assert_eq!(a_reg.count(None).unwrap(), 0, "nothing stored");

    // The soft copy first, the draft PDF after: the package still leads with the PDF.
    let id = a_reg
        .create_outgoing(new(vec![docx.clone(), corpus_pdf()]))
        .unwrap()
        .id;
    let a_reg = std::sync::Mutex::new(a_reg);
    common::sign_as_leader(&a_reg, id);
    let mut a_reg = a_reg.into_inner().unwrap();
    a_reg
        .issue_outgoing(id, "2026-11-20".parse().unwrap())
        .unwrap();
    let signed = {
        let rec = a_reg.get(id).unwrap();
        assert_eq!(rec.attachments.len(), 3, "docx, draft PDF, signed PDF");
        std::fs::read(a_reg.attachment_path(rec.attachments.last().unwrap())).unwrap()
    };
    a_reg.queue_dispatch(id).unwrap();
    drop(a_reg);

    let a = hub.registry_engine(A, "UBND Tỉnh Kon Tum", a_dir.path());
    let b = hub.registry_engine(B, "Sở Nội vụ", b_dir.path());
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    let reg = Registry::open(b_dir.path()).unwrap();
    assert_eq!(reg.count(None).unwrap(), 1);
    let got = reg
        .search(&vanthu_registry::SearchQuery {
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    let doc = reg.get(got.hits[0].id).unwrap();
    let names: Vec<(&str, &str)> = doc
        .attachments
        .iter()
        .map(|a| (a.file_name.as_str(), a.media_type.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("minimal (đã ký).pdf", "application/pdf"),
            (
                "Dự thảo công văn.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
        ],
        "the signed PDF first, the soft copy beside it, the draft PDF stayed home"
    );
    assert_eq!(
        std::fs::read(reg.attachment_path(&doc.attachments[0])).unwrap(),
        signed
    );
    assert_eq!(
        std::fs::read(reg.attachment_path(&doc.attachments[1])).unwrap(),
        std::fs::read(&docx).unwrap()
    );
}

/// Cập nhật from the sender's side (issue 21, item 5): the văn thư sends the recipients the
/// corrected document with a reason and the corrected PDF; the recipient's register shows the
/// request on the registered record, its văn thư accepts (15), the new version is there with
/// the corrected PDF, and the sender's record is Đã gửi again with the answer in its history.
/// An update is refused on a document still waiting for its recall.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_reaches_the_recipient_and_its_answer_comes_back() {
    use vanthu_domain::IncomingState;
    use vanthu_registry::{IncomingAction, SenderRevision};
    let hub = common::start_hub(&[A, B]).await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a_reg = unit(a_dir.path(), A, "UBND Tỉnh Kon Tum");
    a_reg
        .add_agency(NewAgency {
            code: B.into(),
            name: "Sở Nội vụ".into(),
            ..Default::default()
        })
        .unwrap();
    drop(unit(b_dir.path(), B, "Sở Nội vụ"));
    let id = draft(&mut a_reg, Secrecy::Normal, &[B]);
    a_reg
        .issue_outgoing(id, "2026-12-07".parse().unwrap())
        .unwrap();
    a_reg.queue_dispatch(id).unwrap();
    drop(a_reg);
    let a = hub.registry_engine(A, "UBND Tỉnh Kon Tum", a_dir.path());
    let b = hub.registry_engine(B, "Sở Nội vụ", b_dir.path());
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    let b_original = {
        let mut b_reg = Registry::open(b_dir.path()).unwrap();
        let hits = b_reg.list(&Default::default()).unwrap().hits;
        assert_eq!(hits.len(), 1);
        b_reg
            .append_status_event(
                hits[0].id,
                IncomingState::Registered,
                vanthu_domain::Actor::Clerk,
                None,
            )
            .unwrap();
        hits[0].id
    };
    b.sync_once().await.unwrap();
    a.sync_once().await.unwrap();

    let corrected = a_dir.path().join("Công văn (sửa ngày).pdf");
    let mut bytes = std::fs::read(corpus_pdf()).unwrap();
    bytes.extend_from_slice(b"\n% corrected\n");
    std::fs::write(&corrected, &bytes).unwrap();
    let mut a_reg = Registry::open(a_dir.path()).unwrap();
    assert!(
        a_reg
            .revise_outgoing(
                id,
                SenderRevision::Update,
                " ",
                std::slice::from_ref(&corrected)
            )
            .is_err(),
        "a reason is needed"
    );
    assert_eq!(
        a_reg.get(id).unwrap().attachments.len(),
        1,
        "a refusal stores no file"
    );
    let r = a_reg
        .revise_outgoing(
            id,
            SenderRevision::Update,
            "Sửa ngày hiệu lực",
            &[corrected],
        )
        .unwrap();
    assert_eq!(r.recipients, [B]);
    assert_eq!(
        a_reg.get(id).unwrap().outgoing_state(),
        Some(OutgoingState::UpdatePending)
    );
    let e = a_reg
        .revise_outgoing(id, SenderRevision::Replace, "Lần hai", &[])
        .unwrap_err();
    assert!(matches!(e, Error::InvalidState(_)), "{e}");
    drop(a_reg);
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();

    let mut b_reg = Registry::open(b_dir.path()).unwrap();
    assert_eq!(
        b_reg.get(b_original).unwrap().pending_action.as_deref(),
        Some("update")
    );
    b_reg
        .take_action(b_original, IncomingAction::AcceptRequest, None, None)
        .unwrap();
    let newer = b_reg
        .get(b_original)
        .unwrap()
        .superseded_by_id
        .expect("the update is a new version");
    let files = b_reg.get(newer).unwrap().attachments;
    assert!(
        files.iter().any(|f| f.size as usize == bytes.len()),
        "the corrected PDF travelled: {files:?}"
    );
    drop(b_reg);
    b.sync_once().await.unwrap();
    a.sync_once().await.unwrap();
    let a_reg = Registry::open(a_dir.path()).unwrap();
    let rec = a_reg.get(id).unwrap();
    assert_eq!(rec.outgoing_state(), Some(OutgoingState::Sent));
    let history = a_reg.status_events(id).unwrap();
    assert!(
        history.iter().any(|h| h
            .note
            .as_deref()
            .is_some_and(|n| n.contains("Sở Nội vụ đồng ý cập nhật (15)"))),
        "{history:?}"
    );
    assert!(a_reg.audit_verify().unwrap().ok);
}
