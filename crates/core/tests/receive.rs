//! Automatic status feedback through the registry (statuses.md §2): a package received from
//! the hub becomes an incoming document; the clerk's registration and the leader's assignment
//! queue 03 and 04, which reach the sender after 01, in order.
mod common;

use vanthu_domain::{Actor, IncomingState};
use vanthu_registry::Registry;
use vanthu_sync::{Operation, SendRequest};

const A: &str = "000.00.00.H34"; // the sender named in the package
const B: &str = "000.01.20.H34";
const PACKAGE: &[u8] = include_bytes!("../../edxml/tests/data/basic.edxml");

const EDXML_ID: &str = "000.00.00.H34,2024/03/05,412/UBND-HCTC";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_transitions_become_statuses_in_order() {
    statuses_reach_the_sender(PACKAGE.to_vec(), Some(EDXML_ID)).await;
}

/// `vanthu sync send FILE` without `--document-id`: the hub knows no DocumentId, the
/// recipient finds the package its document came from through the registry inbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_come_back_when_the_sender_gave_no_document_id() {
    statuses_reach_the_sender(PACKAGE.to_vec(), None).await;
}

/// A package whose header has no DocumentId at all: the recipient finds the package its
/// document came from through the registry inbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_come_back_for_a_package_without_document_id() {
    let text = std::str::from_utf8(PACKAGE).unwrap();
    let start = text.find("<edXML:DocumentId>").unwrap();
    let end = text.find("</edXML:DocumentId>").unwrap() + "</edXML:DocumentId>".len();
    let stripped = format!("{}{}", &text[..start], &text[end..]);
    assert!(!stripped.contains(EDXML_ID));
    statuses_reach_the_sender(stripped.into_bytes(), None).await;
}

async fn statuses_reach_the_sender(body: Vec<u8>, hub_document_id: Option<&str>) {
    let has_edxml_id = std::str::from_utf8(&body).unwrap().contains(EDXML_ID);
    let hub = common::start_hub(&[A, B]).await;

    let a_dir = tempfile::tempdir().unwrap();
    let a = hub.engine(A, "UBND Tỉnh Kon Tum", a_dir.path());
    let b_dir = tempfile::tempdir().unwrap();
    let b_path = b_dir.path().to_path_buf();
    Registry::open(&b_path).unwrap();
    let b = hub.registry_engine(B, "Sở Nội vụ", &b_path);

    let id = a
        .queue(SendRequest {
            message_id: None,
            op: Operation::Send,
            related: None,
            recipients: vec![B.into()],
            document_id: hub_document_id.map(str::to_owned),
            secrecy: "thường".into(),
            body,
        })
        .unwrap();
    a.sync_once().await.unwrap();
    // B's registers are not initialised yet: the package waits in the queue, not lost.
    b.sync_once().await.unwrap();
    assert_eq!(Registry::open(&b_path).unwrap().count(None).unwrap(), 0);
    Registry::open(&b_path)
        .unwrap()
        .init_unit(B, "Sở Nội vụ")
        .unwrap();
    b.sync_once().await.unwrap();

    // The package is now an incoming document, state "arrived", with its edXML id if the
    // package had one.
    let doc = {
        let reg = Registry::open(&b_path).unwrap();
        let doc_id = reg.document_for_package(&id).unwrap().expect("imported");
        let doc = reg.get(doc_id).unwrap();
        assert_eq!(doc.sender_code.as_deref(), Some(A));
        assert_eq!(
            doc.edxml_document_id.as_deref(),
            has_edxml_id.then_some(EDXML_ID)
        );
        doc
    };
    // Importing again (next round) does not duplicate it.
    b.sync_once().await.unwrap();
    {
        let mut reg = Registry::open(&b_path).unwrap();
        assert_eq!(reg.count(None).unwrap(), 1);
        reg.append_status_event(doc.id, IncomingState::Registered, Actor::Clerk, None)
            .unwrap();
        reg.append_status_event(
            doc.id,
            IncomingState::Assigned,
            Actor::Leader,
            Some("Phòng Tổng hợp"),
        )
        .unwrap();
    }
    b.sync_once().await.unwrap();
    a.sync_once().await.unwrap();
    let codes: Vec<(String, String)> = a
        .state()
        .received()
        .unwrap()
        .into_iter()
        .map(|r| (r.related.unwrap(), r.status_code.unwrap()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (id.clone(), "01".to_owned()),
            (id.clone(), "03".to_owned()),
            (id.clone(), "04".to_owned())
        ]
    );
    // Nothing left to send, nothing sent twice.
    b.sync_once().await.unwrap();
    a.sync_once().await.unwrap();
    assert_eq!(a.state().received().unwrap().len(), 3);
}
