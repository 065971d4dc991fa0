//! Who may say what (docs/sync.md): each attack of issue 15 items 1–3 against the real hub on
//! loopback and a real register — a forged From, a foreign recall, a pre-claimed DocumentId,
//! a mật package sent with a thường flag — fails with a clear message and writes nothing to
//! the register or the hub; a relay account forwards for others and the register names both.
mod common;

use std::time::Duration;

use vanthu_registry::Registry;
use vanthu_sync::state::ReceivedBatchItem;
use vanthu_sync::transport::{OutgoingPackage, RemoteItem};
use vanthu_sync::{HubTransport, Operation, SendRequest, SyncError, SyncState};

const A: &str = "000.00.00.H34"; // the genuine sender
const B: &str = "000.01.20.H34"; // the receiver
const C: &str = "000.02.20.H34"; // another agency with a hub account: the attacker
const G: &str = "000.00.00.G22"; // the province's gateway, a relay account
const BASIC: &str = include_str!("../../edxml/tests/data/basic.edxml");
const SAMPLE_ID: &str = "000.00.00.H34,2024/03/05,412/UBND-HCTC";
const FROM_A: &str = "<edXML:OrganId>000.00.00.H34</edXML:OrganId>";

/// The sample package, written by `from`, with `doc_id` and BussinessDocType `business`.
fn package(from: &str, doc_id: &str, business: u8) -> Vec<u8> {
    BASIC
        .replacen(FROM_A, &format!("<edXML:OrganId>{from}</edXML:OrganId>"), 1)
        .replacen(SAMPLE_ID, doc_id, 1)
        .replacen(
            "<edXML:BussinessDocType>0</edXML:BussinessDocType>",
            &format!("<edXML:BussinessDocType>{business}</edXML:BussinessDocType>"),
            1,
        )
        .into_bytes()
}

fn to_b(op: Operation, related: Option<String>, body: Vec<u8>) -> SendRequest {
    SendRequest {
        message_id: None,
        op,
        related,
        recipients: if op == Operation::Send {
            vec![B.into()]
        } else {
            Vec::new()
        },
        document_id: None,
        secrecy: "thường".into(),
        body,
    }
}

fn bounded<F: std::future::Future>(f: F) -> tokio::time::Timeout<F> {
    tokio::time::timeout(Duration::from_secs(120), f)
}

struct World {
    hub: common::LoopbackHub,
    b_dir: tempfile::TempDir,
    dirs: Vec<tempfile::TempDir>,
}

impl World {
    async fn new() -> World {
        let hub = common::start_hub_with_relays(&[A, B, C, G], &[G]).await;
        let b_dir = tempfile::tempdir().unwrap();
        Registry::open(b_dir.path())
            .unwrap()
            .init_unit(B, "Sở Nội vụ")
            .unwrap();
        World {
            hub,
            b_dir,
            dirs: Vec::new(),
        }
    }
    fn engine(&mut self, code: &str) -> vanthu_sync::Engine<vanthu_sync::HttpTransport> {
        let dir = tempfile::tempdir().unwrap();
        let e = self.hub.engine(code, code, dir.path());
        self.dirs.push(dir);
        e
    }
    fn b(&self) -> vanthu_sync::Engine<vanthu_sync::HttpTransport> {
        self.hub.registry_engine(B, "Sở Nội vụ", self.b_dir.path())
    }
    fn reg(&self) -> Registry {
        Registry::open(self.b_dir.path()).unwrap()
    }
}

/// The outbox entry of `id` after a round: its state and error.
fn outbox(e: &vanthu_sync::Engine<vanthu_sync::HttpTransport>, id: &str) -> (String, String) {
    let o = e
        .state()
        .outbox()
        .unwrap()
        .into_iter()
        .find(|o| o.package.message_id == id)
        .expect("queued");
    (
        o.state.as_str().to_owned(),
        o.last_error.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_from_is_refused_by_the_hub() {
    bounded(async {
        let mut w = World::new().await;
        let c = w.engine(C);
        let id = c
            .queue(to_b(Operation::Send, None, package(A, SAMPLE_ID, 0)))
            .unwrap();
        c.sync_once().await.unwrap();
        let (state, err) = outbox(&c, &id);
        assert_eq!(state, "failed", "{err}");
        assert!(
            err.contains("không khớp tài khoản trục") && err.contains(A) && err.contains(C),
            "clear message: {err}"
        );
        // Nothing reached B.
        let b = w.b();
        b.sync_once().await.unwrap();
        assert!(b.state().received().unwrap().is_empty());
        assert_eq!(w.reg().count(None).unwrap(), 0);
    })
    .await
    .expect("bounded");
}

/// Defence in depth: a package with a forged From that reached the register anyway (another
/// exchange, a hub from before this check) never becomes a document of the agency it names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_from_past_the_hub_is_refused_into_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit(B, "Sở Nội vụ").unwrap();
    let state = SyncState::open(dir.path()).unwrap();
    let deliver = |id: &str, sender: &str, relay: bool, body: Vec<u8>| {
        let item: ReceivedBatchItem = (
            RemoteItem {
                seq: 1,
                message_id: id.into(),
                sender: sender.into(),
                relay,
                kind: "edoc".into(),
                business: "new".into(),
                related: None,
                status_code: None,
                document_id: None,
                sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
                size: body.len() as u64,
            },
            body,
            Vec::new(),
        );
        state.store_received(&[item]).unwrap();
    };
    deliver("forged-1", C, false, package(A, SAMPLE_ID, 0));
    let report = vanthu_core::receive::import_received(&mut reg, &state).unwrap();
    assert_eq!((report.imported, report.refused), (0, 1), "{report:?}");

    // Entered under the account the hub authenticated, refused, with the reason.
    assert_eq!(reg.count(None).unwrap(), 1);
    assert!(reg
        .find_incoming_by_edxml_id(A, SAMPLE_ID)
        .unwrap()
        .is_none());
    let doc = reg
        .find_incoming_by_edxml_id(C, SAMPLE_ID)
        .unwrap()
        .unwrap();
    assert_eq!(doc.state.as_str(), "rejected");
    assert_eq!(doc.sender_code.as_deref(), Some(C));
    // Not even the claimed agency's name: C is known by its code only.
    assert_eq!(doc.sender.as_deref(), Some(C));
    assert!(doc
        .notes
        .as_deref()
        .unwrap()
        .contains("nơi gửi không khớp tài khoản trục"));
    // 02 goes back to the authenticated account, not to the agency it named.
    let out = reg.pending_outbox(100).unwrap();
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].recipient_code.as_deref(), Some(C));
    assert_eq!(out[0].payload["status_code"], "02");
    assert_eq!(out[0].payload["note"], "nơi gửi không khớp tài khoản trục");
    let audit = reg.audit_entries(None, None, 50).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "incoming.refused_on_arrival"
            && e.detail["detail"]["claimed_sender"] == A
            && e.detail["detail"]["hub_sender"] == C));

    // The genuine package is not shadowed by the forged one's DocumentId.
    deliver("genuine-1", A, false, package(A, SAMPLE_ID, 0));
    let report = vanthu_core::receive::import_received(&mut reg, &state).unwrap();
    assert_eq!((report.imported, report.refused), (1, 0), "{report:?}");
    let doc = reg
        .find_incoming_by_edxml_id(A, SAMPLE_ID)
        .unwrap()
        .unwrap();
    assert_eq!(doc.state.as_str(), "arrived");
    // A relay may name another sender: through G, a package written by A is A's, via G.
    deliver(
        "relayed-1",
        G,
        true,
        package(A, &format!("{A},2024/03/05,9/UBND-HCTC"), 0),
    );
    vanthu_core::receive::import_received(&mut reg, &state).unwrap();
    let doc = reg
        .find_incoming_by_edxml_id(A, &format!("{A},2024/03/05,9/UBND-HCTC"))
        .unwrap()
        .unwrap();
    assert!(doc.sender.unwrap().contains(" (qua "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_forwards_for_others_and_the_register_names_both() {
    bounded(async {
        let mut w = World::new().await;
        let g = w.engine(G);
        let id = g
            .queue(to_b(Operation::Send, None, package(A, SAMPLE_ID, 0)))
            .unwrap();
        g.sync_once().await.unwrap();
        assert_eq!(outbox(&g, &id).0, "sent");
        w.b().sync_once().await.unwrap();
        let reg = w.reg();
        let doc = reg
            .find_incoming_by_edxml_id(A, SAMPLE_ID)
            .unwrap()
            .unwrap();
        assert_eq!(doc.sender_code.as_deref(), Some(A));
        let name = doc.sender.unwrap();
        // Both: the agency that wrote it (from the directory) and the gateway.
        assert_eq!(name, "UBND Tỉnh KonTum (qua Văn phòng Chính phủ)");
    })
    .await
    .expect("bounded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_recall_changes_nothing() {
    bounded(async {
        let mut w = World::new().await;
        let a = w.engine(A);
        let c = w.engine(C);
        let b = w.b();
        let original = a
            .queue(to_b(Operation::Send, None, package(A, SAMPLE_ID, 0)))
            .unwrap();
        a.sync_once().await.unwrap();
        b.sync_once().await.unwrap();
        let doc = w
            .reg()
            .find_incoming_by_edxml_id(A, SAMPLE_ID)
            .unwrap()
            .unwrap();
        assert_eq!(doc.state.as_str(), "arrived");

        // C recalls A's message through the hub operation: the hub forbids it.
        let op = c
            .queue(to_b(
                Operation::Recall,
                Some(original.clone()),
                package(C, SAMPLE_ID, 1),
            ))
            .unwrap();
        // C sends, as a new message in its own name, a recall and an update naming A's
        // DocumentId.
        let recall = c
            .queue(to_b(Operation::Send, None, package(C, SAMPLE_ID, 1)))
            .unwrap();
        let update = c
            .queue(to_b(Operation::Send, None, package(C, SAMPLE_ID, 2)))
            .unwrap();
        c.sync_once().await.unwrap();
        let (state, err) = outbox(&c, &op);
        assert_eq!(state, "failed");
        assert!(err.contains("không có quyền"), "{err}");
        assert_eq!(outbox(&c, &recall).0, "sent");
        assert_eq!(outbox(&c, &update).0, "sent");
        b.sync_once().await.unwrap();

        let reg = w.reg();
        let after = reg.get(doc.id).unwrap();
        assert_eq!(after.state.as_str(), "arrived", "the recall did not act");
        assert_eq!(after.pending_action, None);
        assert_eq!(
            after.updated_at, doc.updated_at,
            "nothing written to the document"
        );
        assert_eq!(reg.count(None).unwrap(), 1, "the update added no version");
        let refused = reg.failed_inbox(10).unwrap();
        assert_eq!(refused.len(), 2, "{refused:?}");
        for r in &refused {
            assert_eq!(r.sender_code.as_deref(), Some(C));
            assert!(
                r.error
                    .as_deref()
                    .unwrap()
                    .contains("không tìm thấy văn bản gốc của"),
                "{r:?}"
            );
        }
        let audit = reg.audit_entries(Some("inbox"), None, 50).unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "inbox.refused").count(),
            2
        );
    })
    .await
    .expect("bounded");
}

/// The registry refuses a revision from anyone but the document's sender even when the
/// caller found the document (by a hub `related` id), and writes nothing.
#[test]
fn the_registry_refuses_a_revision_from_another_sender() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit(B, "Sở Nội vụ").unwrap();
    reg.learn_agency(A, "UBND Tỉnh Kon Tum").unwrap();
    let doc = reg
        .receive_incoming(vanthu_registry::NewIncoming {
            sender: A.into(),
            notation: "412/UBND-HCTC".into(),
            document_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(),
            doc_type: "Công văn".into(),
            subject: "Báo cáo".into(),
            edxml_document_id: Some(SAMPLE_ID.into()),
            ..Default::default()
        })
        .unwrap();
    let audit_before = reg.audit_entries(None, None, 1000).unwrap().len();
    let err = reg
        .apply_received_recall(doc.id, C, Some("giả mạo"))
        .unwrap_err();
    assert!(
        matches!(err, vanthu_registry::Error::ForeignSender { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("chỉ đơn vị gửi"), "{err}");
    let after = reg.get(doc.id).unwrap();
    assert_eq!(
        (after.state.as_str(), after.pending_action),
        ("arrived", None)
    );
    assert_eq!(
        reg.audit_entries(None, None, 1000).unwrap().len(),
        audit_before
    );
    // The real sender may.
    reg.apply_received_recall(doc.id, A, Some("Ban hành nhầm"))
        .unwrap();
    assert_eq!(reg.get(doc.id).unwrap().state.as_str(), "revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preclaimed_document_id_does_not_shadow_the_genuine_package() {
    bounded(async {
        let mut w = World::new().await;
        let a = w.engine(A);
        let c = w.engine(C);
        let b = w.b();
        // C writes A's next DocumentId into a package of its own, before A sends it.
        let future_id = format!("{A},2024/03/05,77/UBND-HCTC");
        c.queue(to_b(Operation::Send, None, package(C, &future_id, 0)))
            .unwrap();
        c.sync_once().await.unwrap();
        b.sync_once().await.unwrap();
        // A's genuine package with that DocumentId arrives afterwards.
        let genuine = a
            .queue(to_b(Operation::Send, None, package(A, &future_id, 0)))
            .unwrap();
        a.sync_once().await.unwrap();
        b.sync_once().await.unwrap();
        let reg = w.reg();
        assert_eq!(reg.count(None).unwrap(), 2);
        let mine = reg
            .find_incoming_by_edxml_id(A, &future_id)
            .unwrap()
            .unwrap();
        let theirs = reg
            .find_incoming_by_edxml_id(C, &future_id)
            .unwrap()
            .unwrap();
        assert_ne!(mine.id, theirs.id, "A's package is its own document");
        assert_eq!(mine.sender_code.as_deref(), Some(A));
        drop(reg);
        // A's recall of it acts on A's document, not on C's.
        a.queue(to_b(
            Operation::Recall,
            Some(genuine),
            package(A, &future_id, 1),
        ))
        .unwrap();
        a.sync_once().await.unwrap();
        b.sync_once().await.unwrap();
        let reg = w.reg();
        assert_eq!(reg.get(mine.id).unwrap().state.as_str(), "revoked");
        assert_eq!(reg.get(theirs.id).unwrap().state.as_str(), "arrived");
    })
    .await
    .expect("bounded");
}

/// The sample package marked mật the way other systems do: in phạm vi lưu hành.
fn secret_package() -> Vec<u8> {
    String::from_utf8(package(A, SAMPLE_ID, 0))
        .unwrap()
        .replacen("Liên thông văn bản quốc gia", "Mật - Lưu hành nội bộ", 1)
        .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_package_is_refused_whatever_the_flag() {
    bounded(async {
        let mut w = World::new().await;
        let a = w.engine(A);
        // The engine reads the package: never queued.
        let err = a
            .queue(to_b(Operation::Send, None, secret_package()))
            .unwrap_err();
        assert!(matches!(err, SyncError::SecretContent(_)), "{err}");
        assert!(err.to_string().contains("Mật - Lưu hành nội bộ"), "{err}");
        assert!(a.state().outbox().unwrap().is_empty());

        // The transport declares what the package says (X-Secrecy: mat): the hub refuses.
        let t = vanthu_sync::HttpTransport::new(&w.hub.url, A, &w.hub.secrets[A]).unwrap();
        let body = secret_package();
        let pkg = OutgoingPackage {
            message_id: "secret-1".into(),
            op: Operation::Send,
            related: None,
            status_code: None,
            recipients: vec![B.into()],
            document_id: None,
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
        };
        let err = t.send(&pkg, body.clone().into()).await.unwrap_err();
        assert!(
            matches!(&err, vanthu_sync::TransportError::Rejected { status: 422, code, .. } if code == "secret_refused"),
            "{err}"
        );

        // A client that lies (X-Secrecy: thuong) is refused on the content.
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/messages", w.hub.url))
            .basic_auth(A, Some(&w.hub.secrets[A]))
            .header("X-Message-Id", "secret-2")
            .header("X-Recipients", B)
            .header("X-Secrecy", "thuong")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 422);
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(v["error"], "secret_refused");
        assert!(v["message"].as_str().unwrap().contains("độ mật"), "{v}");

        // Nothing stored on the hub for B.
        let b = w.b();
        b.sync_once().await.unwrap();
        assert!(b.state().received().unwrap().is_empty());
        assert_eq!(w.reg().count(None).unwrap(), 0);
    })
    .await
    .expect("bounded");
}
