//! Recall, update and replace received through the real hub act on the receiver's records
//! visibly and never delete anything (docs/sync.md, "Recall, update, replace received from a
//! sender"; statuses.md §3).
mod common;

use std::time::Duration;

use vanthu_domain::{Actor, IncomingState};
use vanthu_registry::IncomingAction;
use vanthu_registry::Registry;
use vanthu_sync::{Operation, SendRequest};

const A: &str = "000.00.00.H34";
const B: &str = "000.01.20.H34";
const BASIC: &str = include_str!("../../edxml/tests/data/basic.edxml");
const ORIGINAL_ID: &str = "000.00.00.H34,2024/03/05,412/UBND-HCTC";

/// The sample package with its own DocumentId, subject and business type.
fn package(doc_id: &str, subject: &str, business: u8, reason: &str) -> Vec<u8> {
    BASIC
        .replacen(ORIGINAL_ID, doc_id, 1)
        .replacen(
            "V/v báo cáo tình hình gửi, nhận văn bản điện tử quý I",
            subject,
            1,
        )
        .replacen(
            "<edXML:BussinessDocType>0</edXML:BussinessDocType>",
            &format!("<edXML:BussinessDocType>{business}</edXML:BussinessDocType>"),
            1,
        )
        .replacen("Văn bản mới", reason, 1)
        .into_bytes()
}

fn doc_id(n: u32) -> String {
    format!("000.00.00.H34,2024/03/05,{n}/UBND-HCTC")
}

fn send(op: Operation, related: Option<String>, body: Vec<u8>, document_id: String) -> SendRequest {
    SendRequest {
        message_id: None,
        op,
        related,
        recipients: if op == Operation::Send {
            vec![B.into()]
        } else {
            Vec::new()
        },
        document_id: Some(document_id),
        secrecy: "thường".into(),
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recall_update_replace_act_visibly_on_the_record() {
    tokio::time::timeout(Duration::from_secs(120), scenario())
        .await
        .expect("bounded");
}

async fn scenario() {
    let hub = common::start_hub(&[A, B]).await;
    let a_dir = tempfile::tempdir().unwrap();
    let a = hub.engine(A, "UBND Tỉnh Kon Tum", a_dir.path());
    let b_dir = tempfile::tempdir().unwrap();
    let b_path = b_dir.path().to_path_buf();
    {
        let mut reg = Registry::open(&b_path).unwrap();
        reg.init_unit(B, "Sở Nội vụ").unwrap();
    }
    let b = hub.registry_engine(B, "Sở Nội vụ", &b_path);

    // Four documents from A to B.
    let mut msg = Vec::new();
    for n in 1..=4 {
        let body = package(&doc_id(n), &format!("Văn bản gốc số {n}"), 0, "Văn bản mới");
        msg.push(
            a.queue(send(Operation::Send, None, body, doc_id(n)))
                .unwrap(),
        );
    }
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    let ids: Vec<i64> = {
        let mut reg = Registry::open(&b_path).unwrap();
        let ids: Vec<i64> = (1..=4)
            .map(|n| {
                reg.find_incoming_by_edxml_id(A, &doc_id(n))
                    .unwrap()
                    .expect("imported")
                    .id
            })
            .collect();
        // The clerk registers 2 and 4; 1 and 3 are still waiting.
        for id in [ids[1], ids[3]] {
            reg.append_status_event(id, IncomingState::Registered, Actor::Clerk, None)
                .unwrap();
        }
        ids
    };

    // A recalls 1 and 2, updates 3, replaces 4 by a new document.
    a.queue(send(
        Operation::Recall,
        Some(msg[0].clone()),
        package(&doc_id(1), "Văn bản gốc số 1", 1, "Ban hành nhầm"),
        doc_id(1),
    ))
    .unwrap();
    a.queue(send(
        Operation::Recall,
        Some(msg[1].clone()),
        package(&doc_id(2), "Văn bản gốc số 2", 1, "Sai thẩm quyền"),
        doc_id(2),
    ))
    .unwrap();
    a.queue(send(
        Operation::Update,
        Some(msg[2].clone()),
        package(&doc_id(3), "Văn bản số 3 (đính chính)", 2, "Sửa trích yếu"),
        doc_id(3),
    ))
    .unwrap();
    a.queue(send(
        Operation::Replace,
        Some(msg[3].clone()),
        package(&doc_id(44), "Văn bản thay thế số 4", 3, "Thay văn bản 4"),
        doc_id(44),
    ))
    .unwrap();
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    // Delivered again (a second round) changes nothing.
    b.sync_once().await.unwrap();

    let mut reg = Registry::open(&b_path).unwrap();
    // Nothing deleted: the 4 originals and the 2 new versions.
    assert_eq!(reg.count(None).unwrap(), 6);
    assert!(reg.pending_inbox(100).unwrap().is_empty());

    // 1: not registered → recalled by the system, reason in its history.
    let d1 = reg.get(ids[0]).unwrap();
    assert_eq!(d1.state.as_str(), "revoked");
    assert_eq!(d1.state_label, "Đã thu hồi");
    let ev = reg.status_events(ids[0]).unwrap();
    let last = ev.last().unwrap();
    assert_eq!(last.to_state.as_str(), "revoked");
    assert_eq!(
        last.note.as_deref(),
        Some("Bên gửi thu hồi văn bản: Ban hành nhầm")
    );

    // 2: registered → still registered, the request shown for the clerk's decision.
    let d2 = reg.get(ids[1]).unwrap();
    assert_eq!(d2.state.as_str(), "registered");
    assert_eq!(d2.pending_action.as_deref(), Some("recall"));
    assert_eq!(
        d2.pending_note.as_deref(),
        Some("Bên gửi thu hồi văn bản: Sai thẩm quyền")
    );
    // The list shows it too.
    let hits = reg
        .search(&vanthu_registry::SearchQuery::default())
        .unwrap()
        .hits;
    let hit = hits.iter().find(|h| h.id == ids[1]).unwrap();
    assert_eq!(hit.pending_action.as_deref(), Some("recall"));
    let hit = hits.iter().find(|h| h.id == ids[0]).unwrap();
    assert_eq!(hit.state_label, "Đã thu hồi");

    // 3: not registered → the update is a new version, the old one superseded; both kept.
    let d3 = reg.get(ids[2]).unwrap();
    assert_eq!(d3.state.as_str(), "superseded");
    let v3 = reg
        .get(d3.superseded_by_id.expect("linked to the new version"))
        .unwrap();
    assert_eq!(v3.supersedes_id, Some(ids[2]));
    assert_eq!(v3.subject, "Văn bản số 3 (đính chính)");
    assert_eq!(v3.state.as_str(), "arrived");

    // 4: registered → the replacement is stored and linked, the old one awaits the clerk.
    let d4 = reg.get(ids[3]).unwrap();
    assert_eq!(d4.state.as_str(), "registered");
    assert_eq!(d4.pending_action.as_deref(), Some("replace"));
    let v4 = reg.get(d4.superseded_by_id.unwrap()).unwrap();
    assert_eq!(v4.edxml_document_id.as_deref(), Some(doc_id(44).as_str()));

    // The clerk refuses the recall of 2 and accepts the replacement of 4.
    // The answer to the request comes first among the actions offered.
    let offered: Vec<_> = reg
        .offered_actions(ids[1])
        .unwrap()
        .into_iter()
        .map(|o| (o.action, o.label))
        .collect();
    assert_eq!(
        offered[..2],
        [
            (IncomingAction::AcceptRequest, "Đồng ý thu hồi".to_owned()),
            (IncomingAction::RefuseRequest, "Từ chối đề nghị".to_owned())
        ]
    );
    // A refusal needs its reason; an empty one changes nothing.
    assert!(reg
        .take_action(ids[1], IncomingAction::RefuseRequest, Some("  "), None)
        .is_err());
    assert_eq!(
        reg.get(ids[1]).unwrap().pending_action.as_deref(),
        Some("recall")
    );
    reg.refuse_pending_action(ids[1], "Văn bản đã được xử lý")
        .unwrap();
    let accepted = reg
        .accept_pending_action(ids[3], Some("Đồng ý thay thế"))
        .unwrap();
    assert_eq!(accepted.to_state.as_str(), "superseded");
    // Nothing pending any more: a second decision is refused.
    assert!(reg.accept_pending_action(ids[3], None).is_err());
    assert!(reg.accept_pending_action(ids[1], None).is_err());
    assert_eq!(reg.get(ids[1]).unwrap().pending_action, None);
    let d4 = reg.get(ids[3]).unwrap();
    assert_eq!((d4.state.as_str(), d4.pending_action), ("superseded", None));
    let actions: Vec<String> = reg
        .audit_entries(None, None, 10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for want in [
        "incoming.sender_action",
        "incoming.sender_request",
        "incoming.sender_request_refused",
    ] {
        assert!(actions.iter().any(|a| a == want), "audit has {want}");
    }
    drop(reg);

    // A learns what B did: 15 for 1, 3 and 4; 16 for 2.
    b.sync_once().await.unwrap();
    a.sync_once().await.unwrap();
    let statuses: Vec<(String, String)> = a
        .state()
        .received()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "status")
        .map(|r| (r.related.unwrap(), r.status_code.unwrap()))
        .collect();
    let codes_for = |m: &str| -> Vec<&str> {
        statuses
            .iter()
            .filter(|(r, _)| r == m)
            .map(|(_, c)| c.as_str())
            .collect()
    };
    assert_eq!(codes_for(&msg[0]), vec!["01", "15"]);
    assert_eq!(codes_for(&msg[1]), vec!["01", "03", "16"]);
    assert_eq!(codes_for(&msg[2]), vec!["01", "15"]);
    assert_eq!(codes_for(&msg[3]), vec!["01", "03", "15"]);
}
