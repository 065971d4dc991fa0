//! The engine over the VXP transport (the national axis's API, docs/national-axis.md §3),
//! through a real vanthu hub's `/vxp` on loopback: a unit on VXP and a unit on `/v1`
//! exchange documents, the automatic 01s, statuses and a recall, each once and related to the
//! right message; nothing is sent twice; refusals are local and final.
mod common;

use std::path::Path;

use common::fast;
use vanthu_edxml::{
    write_package, Business, DocCode, DocumentKind, Header, Organization, Promulgation,
};
use vanthu_hub::store::VxpSystemRecord;
use vanthu_hub::HubStore;
use vanthu_sync::transport::{OutgoingPackage, TransportOptions};
use vanthu_sync::{
    Engine, EngineConfig, HttpTransport, HubTransport, Identity, Operation, SendRequest, SyncState,
    TransportError, VxpTransport,
};

/// On VXP.
const A: &str = "000.00.00.H34";
/// On `/v1`.
const B: &str = "000.01.20.H34";
const SYSTEM: &str = "sys-a";
const VXP_SECRET: &str = "vxp-secret-of-a";

struct Hub {
    url: String,
    b_secret: String,
    _dir: tempfile::TempDir,
}

async fn hub() -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let store = vanthu_hub::sqlite::SqliteStore::open(&dir.path().join("hub.sqlite")).unwrap();
    let mut b_secret = String::new();
    for code in [A, B] {
        let (rec, secret) = vanthu_hub::auth::new_agency(code, "Đơn vị");
        store.add_agency(rec).await.unwrap();
        if code == B {
            b_secret = secret;
        }
    }
    store
        .add_vxp_system(VxpSystemRecord {
            system_id: SYSTEM.into(),
            agency: A.into(),
            secret: VXP_SECRET.into(),
        })
        .await
        .unwrap();
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
        b_secret,
        _dir: dir,
    }
}

fn vxp(hub: &Hub, dir: &Path, secret: &str) -> VxpTransport {
    VxpTransport::new(
        &format!("{}/vxp", hub.url),
        SYSTEM,
        secret,
        A,
        dir,
        &TransportOptions::default(),
    )
    .unwrap()
}

fn engine<T: HubTransport>(t: T, code: &str, dir: &Path) -> Engine<T> {
    Engine::new(
        t,
        SyncState::open(dir).unwrap(),
        Identity {
            agency: code.into(),
            agency_name: "Đơn vị".into(),
        },
        EngineConfig { ..fast() },
    )
}

/// A real edXML package from `from` to `to`, with `DocumentId` `doc_id`; `business` 1–3
/// makes it a recall/update/replacement of that document.
fn package(from: &str, to: &str, number: &str, doc_id: &str, business: Option<u8>) -> Vec<u8> {
    let org = |code: &str| Organization {
        organ_id: Some(code.into()),
        organ_name: Some("Đơn vị".into()),
        ..Default::default()
    };
    let h = Header {
        from: org(from),
        to: vec![org(to)],
        document_id: Some(doc_id.into()),
        code: DocCode {
            number: Some(number.into()),
            notation: Some("UBND-VP".into()),
        },
        promulgation: Promulgation {
            place: None,
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 7),
        },
        document_type: DocumentKind {
            type_name: Some("Công văn".into()),
            ..Default::default()
        },
        subject: Some(format!("V/v thử liên thông số {number}")),
        business: business.map(|t| Business {
            document_id: Some(doc_id.into()),
            doc_type: Some(t),
            reason: Some("Gửi nhầm".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut out = Vec::new();
    write_package(&mut out, &h, &mut [], vanthu_domain::Secrecy::Normal).unwrap();
    out
}

fn send(
    op: Operation,
    related: Option<String>,
    to: &str,
    doc_id: &str,
    body: Vec<u8>,
) -> SendRequest {
    SendRequest {
        message_id: None,
        op,
        related,
        recipients: vec![to.to_owned()],
        document_id: Some(doc_id.to_owned()),
        secrecy: "thường".into(),
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vxp_unit_and_a_hub_unit_exchange_documents_statuses_and_a_recall() {
    let hub = hub().await;
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = engine(vxp(&hub, da.path(), VXP_SECRET), A, da.path());
    let b = engine(
        HttpTransport::new(&hub.url, B, &hub.b_secret).unwrap(),
        B,
        db.path(),
    );

    // A → B over VXP; B's 01 comes back related to A's own message id.
    let d1 = format!("{A},2026/12/07,15/UBND-VP");
    let body = package(A, B, "15", &d1, None);
    // Queued without its DocumentId, as `vanthu sync send FILE` does: the transport reads it
    // from the package, which is what the axis relates the answers by.
    let mut req = send(Operation::Send, None, B, &d1, body.clone());
    req.document_id = None;
    let m1 = a.queue(req).unwrap();
    assert_eq!(a.sync_once().await.unwrap().sent, 1);
    let r = b.sync_once().await.unwrap();
    assert_eq!((r.received, r.sent), (1, 1));
    let got = b.state().received().unwrap();
    assert_eq!(
        got[0].sender, A,
        "the sender is the authenticated systemId's agency"
    );
    assert_eq!(
        b.state()
            .received_body(&got[0].message_id)
            .unwrap()
            .unwrap(),
        body
    );
    let r = a.sync_once().await.unwrap();
    assert_eq!(r.received, 1);
    let st = &a.state().received().unwrap()[0];
    assert_eq!(
        (
            st.kind.as_str(),
            st.status_code.as_deref(),
            st.related.as_deref()
        ),
        ("status", Some("01"), Some(m1.as_str()))
    );
    assert_eq!(st.sender, B);

    // B → A over /v1; A stores it once and answers 01 over VXP, which reaches B related
    // to B's message id.
    let d2 = format!("{B},2026/12/07,7/SNV-VP");
    let body2 = package(B, A, "7", &d2, None);
    let m2 = b
        .queue(send(Operation::Send, None, A, &d2, body2.clone()))
        .unwrap();
    b.sync_once().await.unwrap();
    let r = a.sync_once().await.unwrap();
    assert_eq!((r.received, r.sent), (1, 1), "the document in, its 01 out");
    let doc = a
        .state()
        .received()
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "edoc")
        .unwrap();
    assert_eq!((doc.sender.as_str(), doc.business.as_str()), (B, "new"));
    assert_eq!(doc.document_id.as_deref(), Some(d2.as_str()));
    assert_eq!(
        a.state().received_body(&doc.message_id).unwrap().unwrap(),
        body2
    );
    b.sync_once().await.unwrap();
    let back: Vec<_> = b
        .state()
        .received()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "status")
        .collect();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].related.as_deref(), Some(m2.as_str()));
    assert_eq!(back[0].status_code.as_deref(), Some("01"));

    // A's clerk answers 03 about it; B sees it after the 01.
    a.queue_status(&doc.message_id, "03", "Đã tiếp nhận")
        .unwrap();
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    let codes: Vec<_> = b
        .state()
        .received()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "status" && r.related.as_deref() == Some(m2.as_str()))
        .map(|r| r.status_code.unwrap())
        .collect();
    assert_eq!(codes, ["01", "03"]);
    // What the latest status says besides its code reaches the sender (a 02's reason).
    assert_eq!(
        b.state().latest_status_note(&m2, A).unwrap().as_deref(),
        Some("Đã tiếp nhận")
    );
    a.queue_status(&doc.message_id, "02", "Không đúng thẩm quyền giải quyết")
        .unwrap();
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    assert_eq!(
        b.state().latest_status_note(&m2, A).unwrap().as_deref(),
        Some("Không đúng thẩm quyền giải quyết")
    );
    assert_eq!(b.state().latest_status_note(&m2, B).unwrap(), None);

    // B recalls it: A receives the recall related to the document it holds, no 01 for it.
    let recall = package(B, A, "7", &d2, Some(1));
    b.queue(send(Operation::Recall, Some(m2.clone()), A, &d2, recall))
        .unwrap();
    b.sync_once().await.unwrap();
    let r = a.sync_once().await.unwrap();
    assert_eq!((r.received, r.sent), (1, 0));
    let rec = a
        .state()
        .received()
        .unwrap()
        .into_iter()
        .find(|r| r.business == "revoke")
        .unwrap();
    assert_eq!(rec.related.as_deref(), Some(doc.message_id.as_str()));

    // Quiet rounds duplicate nothing, on either side.
    let before = (
        a.state().received().unwrap().len(),
        b.state().received().unwrap().len(),
    );
    for _ in 0..2 {
        let (ra, rb) = (a.sync_once().await.unwrap(), b.sync_once().await.unwrap());
        assert_eq!((ra.received, ra.sent, rb.received, rb.sent), (0, 0, 0, 0));
    }
    assert_eq!(
        before,
        (
            a.state().received().unwrap().len(),
            b.state().received().unwrap().len()
        )
    );
}

#[tokio::test]
async fn a_package_is_sent_once_even_when_sent_again() {
    let hub = hub().await;
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let t = vxp(&hub, da.path(), VXP_SECRET);
    let d = format!("{A},2026/12/07,16/UBND-VP");
    let body = bytes::Bytes::from(package(A, B, "16", &d, None));
    let pkg = OutgoingPackage {
        message_id: "local-1".into(),
        op: Operation::Send,
        related: None,
        status_code: None,
        recipients: vec![B.into()],
        document_id: Some(d.clone()),
        sha256: String::new(),
    };
    // The engine's mark lost after the axis accepted it: the same package again.
    t.send(&pkg, body.clone()).await.unwrap();
    t.send(&pkg, body.clone()).await.unwrap();
    // Even a desktop that lost its id map (restored from an old backup) resends the same
    // bytes under the same DocId on a vanthu hub.
    let other = tempfile::tempdir().unwrap();
    vxp(&hub, other.path(), VXP_SECRET)
        .send(&pkg, body)
        .await
        .unwrap();
    let b = engine(
        HttpTransport::new(&hub.url, B, &hub.b_secret).unwrap(),
        B,
        db.path(),
    );
    assert_eq!(b.sync_once().await.unwrap().received, 1);
}

#[tokio::test]
async fn refusals_are_final_and_local_where_they_can_be() {
    let hub = hub().await;
    let dir = tempfile::tempdir().unwrap();
    let t = vxp(&hub, dir.path(), VXP_SECRET);
    let pkg = |id: &str, to: &str| OutgoingPackage {
        message_id: id.into(),
        op: Operation::Send,
        related: None,
        status_code: None,
        recipients: vec![to.into()],
        document_id: None,
        sha256: String::new(),
    };
    let d = format!("{A},2026/12/07,17/UBND-VP");
    let good = bytes::Bytes::from(package(A, B, "17", &d, None));
    // Between desktops of a unit: /v1 only.
    let e = t
        .send(&pkg("x1", &format!("{A}/LD")), good.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(e, TransportError::Rejected { status: 400, .. }),
        "{e}"
    );
    // Not edXML (an internal JSON package).
    let e = t
        .send(
            &pkg("x2", B),
            bytes::Bytes::from_static(b"{\"kind\":\"submit\"}"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, TransportError::Rejected { status: 400, .. }),
        "{e}"
    );
    // Marked mật in its header: never leaves, whatever the engine let through.
    let secret = String::from_utf8(good.to_vec()).unwrap().replacen(
        "<edXML:Subject>",
        "<edXML:Secrecy>Mật</edXML:Secrecy><edXML:Subject>",
        1,
    );
    let e = t
        .send(&pkg("x3", B), bytes::Bytes::from(secret))
        .await
        .unwrap_err();
    assert!(
        matches!(e, TransportError::Rejected { status: 422, .. }),
        "{e}"
    );
    assert!(
        e.to_string().contains("never travel"),
        "refused here, not by the axis: {e}"
    );
    assert!(!e.is_retryable());
    // A package in another agency's name: the axis refuses it.
    let e = t
        .send(
            &pkg("x4", B),
            bytes::Bytes::from(package(B, A, "9", "x", None)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, TransportError::Rejected { status: 422, .. }),
        "{e}"
    );
    // A wrong secret: refused, not retried.
    let wrong = vxp(&hub, dir.path(), "not-the-secret");
    let e = wrong.ping().await.unwrap_err();
    assert!(
        matches!(e, TransportError::Rejected { status: 401, .. }),
        "{e}"
    );
    assert!(!e.is_retryable());
    t.ping().await.unwrap();
    // Nothing above was recorded as sent.
    let ok = t.send(&pkg("x5", B), good).await;
    assert!(ok.is_ok());
}

#[tokio::test]
async fn an_unreachable_axis_is_offline() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = VxpTransport::new(
        &format!("http://127.0.0.1:{port}/vxp"),
        SYSTEM,
        VXP_SECRET,
        A,
        dir.path(),
        &TransportOptions::default(),
    )
    .unwrap();
    let e = t.ping().await.unwrap_err();
    assert!(matches!(e, TransportError::Offline(_)), "{e}");
}
