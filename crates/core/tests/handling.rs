//! Handling between desktops (issue 21, item 2) through a real hub on loopback: UBND Tỉnh
//! sends Sở Nội vụ a document; the Sở's văn thư registers it and submits it to the leader's
//! desktop; the leader assigns it (chủ trì at a third desktop, phối hợp, deadline,
//! instruction); the chủ trì's desktop receives its copy, starts, writes progress, sends a
//! reply draft and asks for more time; the leader grants it; the chủ trì completes; and the
//! sender sees 04, 05 and 06 for its document. Steps that are not the chủ trì's, or that
//! come from the wrong desktop, change nothing.
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chrono::Days;
use vanthu_domain::{Actor, IncomingState, ProcessingStep};
use vanthu_hub::HubStore;
use vanthu_registry::desks::{DeskHandling, HandlingKind, HandlingRole, HANDLING_FORMAT};
use vanthu_registry::{Assignment, NewAgency, NewHandlingNote, NewOutgoing, NewPerson, Registry};
use vanthu_sync::{Engine, HttpTransport, Identity, SyncState};

const A: &str = "000.00.00.H34";
const U: &str = "000.01.20.H34";
const VT: &str = "000.01.20.H34/VT";
const LD: &str = "000.01.20.H34/LD";
const CV: &str = "000.01.20.H34/CV";
const U_NAME: &str = "Sở Nội vụ";

struct Hub {
    url: String,
    a: String,
    desks: Vec<(String, String)>,
    _dir: tempfile::TempDir,
}

async fn start() -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let store = vanthu_hub::sqlite::SqliteStore::open(&dir.path().join("hub.sqlite")).unwrap();
    let (a, a_secret) = vanthu_hub::auth::new_agency(A, "UBND Tỉnh Kon Tum");
    store.add_agency(a).await.unwrap();
    let (u, _) = vanthu_hub::auth::new_agency(U, U_NAME);
    store.add_agency(u).await.unwrap();
    let mut desks = Vec::new();
    for (desk, receiving) in [("VT", true), ("LD", false), ("CV", false)] {
        let (rec, secret) = vanthu_hub::auth::new_desktop(U, desk, receiving);
        store.add_desktop(rec).await.unwrap();
        desks.push((format!("{U}/{desk}"), secret));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vanthu_hub::serve(
        listener,
        store,
        Default::default(),
        std::future::pending(),
    ));
    Hub {
        url,
        a: a_secret,
        desks,
        _dir: dir,
    }
}

fn with_register(
    e: Engine<HttpTransport>,
    dir: &Path,
    code: &str,
    name: &str,
) -> Engine<HttpTransport> {
    let (hook_dir, code, name) = (dir.to_path_buf(), code.to_owned(), name.to_owned());
    e.with_round_hook(Arc::new(move |state| {
        let mut reg = Registry::open(&hook_dir).map_err(|e| e.to_string())?;
        vanthu_core::round::registry_round(&mut reg, state, &code, &name)?;
        Ok(())
    }))
}

impl Hub {
    fn desk(&self, login: &str, dir: &Path) -> Engine<HttpTransport> {
        let secret = &self.desks.iter().find(|(l, _)| l == login).unwrap().1;
        let e = Engine::new(
            HttpTransport::new(&self.url, login, secret).unwrap(),
            SyncState::open(dir).unwrap(),
            Identity {
                agency: U.into(),
                agency_name: U_NAME.into(),
            },
            common::fast(),
        );
        with_register(e, dir, U, U_NAME)
    }

    fn sender(&self, dir: &Path) -> Engine<HttpTransport> {
        let e = Engine::new(
            HttpTransport::new(&self.url, A, &self.a).unwrap(),
            SyncState::open(dir).unwrap(),
            Identity {
                agency: A.into(),
                agency_name: "UBND Tỉnh Kon Tum".into(),
            },
            common::fast(),
        );
        with_register(e, dir, A, "UBND Tỉnh Kon Tum")
    }
}

fn corpus_pdf() -> PathBuf {
    common::corpus().join("../pdf-sign/minimal.pdf")
}

fn unit(dir: &Path, code: &str, name: &str) -> Registry {
    let mut reg = Registry::open(dir).unwrap();
    reg.init_unit(code, name).unwrap();
    reg
}

fn person(name: &str, role: &str, desktop: Option<&str>) -> NewPerson {
    NewPerson {
        full_name: name.into(),
        roles: vec![role.into()],
        desktop: desktop.map(str::to_owned),
        ..Default::default()
    }
}

fn only_document(reg: &Registry) -> i64 {
    let hits = reg.list(&Default::default()).unwrap().hits;
    assert_eq!(hits.len(), 1, "{hits:?}");
    hits[0].id
}

fn state(reg: &Registry, id: i64) -> Option<IncomingState> {
    reg.get(id).unwrap().incoming_state()
}

/// One sync round of each engine, in order.
async fn rounds(engines: &[&Engine<HttpTransport>]) {
    for e in engines {
        e.sync_once().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assignment_is_handled_at_the_handlers_desktop_and_the_sender_sees_06() {
    tokio::time::timeout(Duration::from_secs(180), scenario())
        .await
        .expect("scenario bounded");
}

async fn scenario() {
    let hub = start().await;
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a_dir, vt_dir, ld_dir, cv_dir) = (
        dirs[0].path(),
        dirs[1].path(),
        dirs[2].path(),
        dirs[3].path(),
    );
    let today = vanthu_registry::today();
    let deadline = today.checked_add_days(Days::new(10)).unwrap();
    let extended = today.checked_add_days(Days::new(20)).unwrap();

    // UBND Tỉnh sends the Sở a document.
    let sent = {
        let mut a_reg = unit(a_dir, A, "UBND Tỉnh Kon Tum");
        a_reg
            .add_agency(NewAgency {
                code: U.into(),
                name: U_NAME.into(),
                ..Default::default()
            })
            .unwrap();
        let id = a_reg
            .create_outgoing(NewOutgoing {
                notation: "UBND-VP".into(),
                doc_type: "Công văn".into(),
                subject: "Về việc rà soát biên chế năm 2027".into(),
                signer: Some("Nguyễn Văn An".into()),
                recipients: vec![U.into()],
                files: vec![corpus_pdf()],
                ..Default::default()
            })
            .unwrap()
            .id;
        a_reg.issue_outgoing(id, today).unwrap();
        a_reg.queue_dispatch(id).unwrap();
        id
    };
    // The Sở's three desktops; its people, listed at the văn thư's desktop.
    {
        let mut vt_reg = unit(vt_dir, U, U_NAME);
        vt_reg
            .add_person(&person("Nguyễn Thị Lan", "văn thư", None))
            .unwrap();
        vt_reg
            .add_person(&person("Lê Văn Cường", "lãnh đạo", Some(LD)))
            .unwrap();
        vt_reg
            .add_person(&person("Trần Thị Bình", "chuyên viên", Some(CV)))
            .unwrap();
        vt_reg
            .add_person(&person("Phạm Văn Dũng", "chuyên viên", None))
            .unwrap();
        assert!(
            vt_reg
                .add_person(&person("Hồ Văn Em", "chuyên viên", Some("khong-hop-le")))
                .is_err(),
            "a desktop is UNIT/DESKTOP"
        );
    }
    drop(unit(ld_dir, U, U_NAME));
    drop(unit(cv_dir, U, U_NAME));
    let a = hub.sender(a_dir);
    let vt = hub.desk(VT, vt_dir);
    let ld = hub.desk(LD, ld_dir);
    let cv = hub.desk(CV, cv_dir);

    a.sync_once().await.unwrap();
    vt.sync_once().await.unwrap();
    let doc = {
        let mut vt_reg = Registry::open(vt_dir).unwrap();
        let doc = only_document(&vt_reg);
        vt_reg
            .append_status_event(doc, IncomingState::Registered, Actor::Clerk, None)
            .unwrap();
        vt_reg
            .submit_document(doc, LD, Some("Kính trình đồng chí Giám đốc"))
            .unwrap();
        doc
    };
    rounds(&[&vt, &ld]).await;

    // The leader assigns on the mirror: chủ trì at the CV desktop, phối hợp without one.
    let ld_doc = {
        let mut ld_reg = Registry::open(ld_dir).unwrap();
        ld_reg.set_user("Lê Văn Cường");
        let m = only_document(&ld_reg);
        assert_eq!(state(&ld_reg, m), Some(IncomingState::Registered));
        ld_reg
            .assign(
                m,
                &Assignment {
                    lead: "Trần Thị Bình".into(),
                    supporters: vec!["Phạm Văn Dũng".into(), " Trần Thị Bình ".into()],
                    deadline: Some(deadline),
                    instruction: Some("Giao chị Bình chủ trì tham mưu báo cáo".into()),
                },
            )
            .unwrap();
        let h = ld_reg.handling(m).unwrap();
        assert_eq!(
            h.assignments
                .iter()
                .map(|a| (a.assignee.as_str(), a.role))
                .collect::<Vec<_>>(),
            [
                ("Trần Thị Bình", HandlingRole::Lead),
                ("Phạm Văn Dũng", HandlingRole::Support)
            ],
            "the chủ trì is not also phối hợp"
        );
        m
    };
    rounds(&[&ld, &vt, &cv]).await;
    {
        let vt_reg = Registry::open(vt_dir).unwrap();
        let rec = vt_reg.get(doc).unwrap();
        assert_eq!(rec.incoming_state(), Some(IncomingState::Assigned));
        assert_eq!(rec.handler.as_deref(), Some("Trần Thị Bình"));
        assert_eq!(rec.deadline, Some(deadline));
        let h = vt_reg.handling(doc).unwrap();
        assert_eq!(h.assignments.len(), 2);
        assert_eq!(h.assignments[1].assignee, "Phạm Văn Dũng");
        let subs = vt_reg.submissions(Some(doc)).unwrap();
        assert_eq!(
            subs.iter()
                .map(|s| (s.to_desktop.as_str(), s.assignment_id.is_some()))
                .collect::<Vec<_>>(),
            [(LD, false), (CV, true)],
            "one copy, to the chủ trì's desktop; the phối hợp has none"
        );
    }
    let copy = {
        let mut cv_reg = Registry::open(cv_dir).unwrap();
        cv_reg.set_user("Trần Thị Bình");
        let c = only_document(&cv_reg);
        let rec = cv_reg.get(c).unwrap();
        assert_eq!(rec.incoming_state(), Some(IncomingState::Assigned));
        assert_eq!(rec.deadline, Some(deadline));
        assert_eq!(rec.handler.as_deref(), Some("Trần Thị Bình"));
        assert_eq!(cv_reg.handling_role(c).unwrap(), Some(HandlingRole::Lead));
        assert!(rec
            .attachments
            .iter()
            .any(|f| f.media_type == "application/pdf"));
        let offered: Vec<_> = cv_reg
            .offered_actions(c)
            .unwrap()
            .into_iter()
            .map(|o| o.label)
            .collect();
        assert_eq!(offered, ["Bắt đầu xử lý", "Hoàn thành"]);
        // The copy is the chủ trì's to handle, not to assign again.
        assert!(cv_reg
            .assign(
                c,
                &Assignment {
                    lead: "Ai khác".into(),
                    ..Default::default()
                }
            )
            .is_err());
        cv_reg
            .process_incoming(
                c,
                ProcessingStep {
                    to: IncomingState::InProgress,
                    actor: Actor::Handler,
                },
                None,
                None,
            )
            .unwrap();
        cv_reg
            .add_handling_note(
                c,
                &NewHandlingNote {
                    kind: Some(HandlingKind::Note),
                    body: Some("Đã lấy số liệu của các phòng".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let docx = cv_dir.join("Dự thảo trả lời.docx");
        std::fs::write(&docx, b"PK\x03\x04 du thao tra loi").unwrap();
        cv_reg
            .add_handling_note(
                c,
                &NewHandlingNote {
                    kind: Some(HandlingKind::ReplyDraft),
                    body: Some("Kính trình dự thảo".into()),
                    file: Some(docx),
                    ..Default::default()
                },
            )
            .unwrap();
        // A request needs a later date and a reason.
        assert!(cv_reg
            .add_handling_note(
                c,
                &NewHandlingNote {
                    kind: Some(HandlingKind::ExtensionRequest),
                    body: Some("Chờ số liệu".into()),
                    deadline: Some(deadline),
                    ..Default::default()
                },
            )
            .is_err());
        cv_reg
            .add_handling_note(
                c,
                &NewHandlingNote {
                    kind: Some(HandlingKind::ExtensionRequest),
                    body: Some("Chờ số liệu của các huyện".into()),
                    deadline: Some(extended),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(
            cv_reg.decide_extension(c, true, None).is_err(),
            "the handler does not grant their own request"
        );
        c
    };
    rounds(&[&cv, &vt, &ld]).await;
    {
        let vt_reg = Registry::open(vt_dir).unwrap();
        assert_eq!(state(&vt_reg, doc), Some(IncomingState::InProgress));
        let h = vt_reg.handling(doc).unwrap();
        let kinds: Vec<_> = h.notes.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            [
                HandlingKind::Note,
                HandlingKind::Note,
                HandlingKind::ReplyDraft,
                HandlingKind::ExtensionRequest
            ]
        );
        assert!(h
            .notes
            .iter()
            .all(|n| n.from_desktop.as_deref() == Some(CV)));
        let reply = h.notes[2]
            .reply_document_id
            .expect("a reply draft becomes a draft");
        let r = vt_reg.get(reply).unwrap();
        assert_eq!(r.register, vanthu_registry::Register::Outgoing);
        assert_eq!(
            r.recipients.first().and_then(|x| x.agency_code.as_deref()),
            Some(A)
        );
        assert_eq!(r.attachments.len(), 1);
        assert_eq!(r.attachments[0].file_name, "Dự thảo trả lời.docx");
        assert!(h.pending_extension.is_some());
        assert!(!h.may_decide || vt_reg.signed_in().unwrap().is_some());
    }
    {
        let mut ld_reg = Registry::open(ld_dir).unwrap();
        assert_eq!(
            state(&ld_reg, ld_doc),
            Some(IncomingState::InProgress),
            "the leader's mirror follows the chủ trì's step"
        );
        let h = ld_reg.handling(ld_doc).unwrap();
        let pending = h
            .pending_extension
            .clone()
            .expect("the request reached the leader");
        assert_eq!(pending.deadline, Some(extended));
        assert_eq!(pending.author, "Trần Thị Bình");
        assert!(h.may_decide);
        ld_reg
            .decide_extension(ld_doc, true, Some("Đồng ý, khẩn trương hoàn thành"))
            .unwrap();
        assert_eq!(ld_reg.get(ld_doc).unwrap().deadline, Some(extended));
        assert!(ld_reg.handling(ld_doc).unwrap().pending_extension.is_none());
    }
    rounds(&[&ld, &vt, &cv]).await;
    {
        let vt_reg = Registry::open(vt_dir).unwrap();
        assert_eq!(vt_reg.get(doc).unwrap().deadline, Some(extended));
        assert!(vt_reg.handling(doc).unwrap().pending_extension.is_none());
    }
    {
        let mut cv_reg = Registry::open(cv_dir).unwrap();
        assert_eq!(cv_reg.get(copy).unwrap().deadline, Some(extended));
        let h = cv_reg.handling(copy).unwrap();
        assert_eq!(h.notes.last().unwrap().kind, HandlingKind::ExtensionGranted);
        assert!(h.pending_extension.is_none());
        cv_reg
            .process_incoming(
                copy,
                ProcessingStep {
                    to: IncomingState::Completed,
                    actor: Actor::Handler,
                },
                Some("Đã trình dự thảo trả lời"),
                None,
            )
            .unwrap();
    }
    rounds(&[&cv, &vt, &ld, &vt, &a]).await;
    let vt_reg = Registry::open(vt_dir).unwrap();
    assert_eq!(state(&vt_reg, doc), Some(IncomingState::Completed));
    assert!(vt_reg.audit_verify().unwrap().ok);
    let ld_reg = Registry::open(ld_dir).unwrap();
    assert_eq!(state(&ld_reg, ld_doc), Some(IncomingState::Completed));
    // The sender saw every step: 04 (assigned), 05 (in progress), 06 (completed).
    let a_state = SyncState::open(a_dir).unwrap();
    let statuses = a_state.recipient_statuses(i64::MAX / 2).unwrap();
    let mine: Vec<_> = statuses.iter().filter(|s| s.recipient == U).collect();
    assert_eq!(mine.len(), 1, "{statuses:?}");
    assert_eq!(mine[0].latest_code.as_deref(), Some("06"));
    let codes: Vec<String> = a_state
        .received_statuses()
        .unwrap()
        .into_iter()
        .map(|s| s.code)
        .collect();
    for code in ["01", "03", "04", "05", "06"] {
        assert!(codes.iter().any(|c| c == code), "{code} missing: {codes:?}");
    }
    let _ = sent;
}

/// A handling event is accepted only from the desktop the submission joins, and only of
/// the kinds that desktop may send: a forged decision from the handler's desktop, or a
/// note from a desktop that holds no copy, changes nothing.
#[test]
fn handling_events_from_the_wrong_desktop_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = unit(dir.path(), U, U_NAME);
    reg.add_person(&person("Nguyễn Thị Lan", "văn thư", None))
        .unwrap();
    reg.add_person(&person("Trần Thị Bình", "chuyên viên", Some(CV)))
        .unwrap();
    reg.add_person(&person("Lê Văn Cường", "lãnh đạo", None))
        .unwrap();
    let pdf = corpus_pdf();
    let doc = reg
        .register_incoming(vanthu_registry::NewIncoming {
            sender: A.into(),
            notation: "12/UBND-VP".into(),
            document_date: vanthu_registry::today(),
            doc_type: "Công văn".into(),
            subject: "Về việc rà soát biên chế".into(),
            files: vec![pdf],
            ..Default::default()
        })
        .unwrap()
        .id;
    reg.sign_in(Some(3)).unwrap();
    reg.assign(
        doc,
        &Assignment {
            lead: "Trần Thị Bình".into(),
            deadline: Some(vanthu_registry::today()),
            ..Default::default()
        },
    )
    .unwrap();
    let sub = reg
        .submissions(Some(doc))
        .unwrap()
        .into_iter()
        .find(|s| s.to_desktop == CV)
        .expect("a copy for the chủ trì's desktop");
    let event = |kind, deadline| DeskHandling {
        format: HANDLING_FORMAT.into(),
        submission_message_id: sub.message_id.clone(),
        kind,
        body: Some("Đồng ý".into()),
        deadline,
        file: None,
        to_state: None,
        author: "Trần Thị Bình".into(),
        at: "2026-12-07T08:00:00+07:00".into(),
    };
    let later = vanthu_registry::today().checked_add_days(Days::new(30));
    // The handler's desktop may not grant itself more time.
    assert!(reg
        .apply_desk_handling("p1", CV, &event(HandlingKind::ExtensionGranted, later))
        .is_err());
    // Another desktop holds no copy.
    assert!(reg
        .apply_desk_handling("p2", LD, &event(HandlingKind::Note, None))
        .is_err());
    assert_eq!(
        reg.get(doc).unwrap().deadline,
        Some(vanthu_registry::today())
    );
    assert!(reg.handling(doc).unwrap().notes.is_empty());
    // The real one, once however often it arrives.
    assert!(reg
        .apply_desk_handling("p3", CV, &event(HandlingKind::Note, None))
        .unwrap());
    assert!(!reg
        .apply_desk_handling("p3", CV, &event(HandlingKind::Note, None))
        .unwrap());
    assert_eq!(reg.handling(doc).unwrap().notes.len(), 1);
    // A reply draft becomes an outgoing draft here: only a real .docx/.odt or a PDF, and no
    // other note carries a file.
    let file = |name: &str, bytes: &[u8]| vanthu_registry::desks::SubmittedFile {
        file_name: name.into(),
        media_type: "application/octet-stream".into(),
        sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
        data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    };
    let with_file = |kind, f| DeskHandling {
        file: Some(f),
        ..event(kind, None)
    };
    let drafts = reg.list(&Default::default()).unwrap().hits.len();
    for (id, pkg) in [
        (
            "p4",
            with_file(HandlingKind::ReplyDraft, file("tra-loi.exe", b"MZ\x90\x00")),
        ),
        (
            "p5",
            with_file(HandlingKind::ReplyDraft, file("tra-loi.docx", b"%PDF-1.7")),
        ),
        (
            "p6",
            with_file(
                HandlingKind::ReplyDraft,
                file("tra-loi.doc", b"\xd0\xcf\x11\xe0"),
            ),
        ),
        (
            "p7",
            with_file(HandlingKind::Note, file("ghi-chu.pdf", b"%PDF-1.7\n")),
        ),
    ] {
        assert!(reg.apply_desk_handling(id, CV, &pkg).is_err(), "{id}");
    }
    assert_eq!(reg.handling(doc).unwrap().notes.len(), 1);
    assert_eq!(reg.list(&Default::default()).unwrap().hits.len(), drafts);
    // A chuyên viên signed in here cannot assign.
    reg.sign_in(Some(2)).unwrap();
    let e = reg
        .assign(
            doc,
            &Assignment {
                lead: "Trần Thị Bình".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        matches!(e, vanthu_registry::Error::NotPermitted { .. }),
        "{e}"
    );
}
