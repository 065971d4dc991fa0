//! The sync engine's queues in the registry database (crates/registry/src/syncq.rs).
use sha2::{Digest, Sha256};
use vanthu_domain::{Actor, IncomingState};
use vanthu_registry::{
    LegacyQueues, NewIncoming, Registry, SyncDelivery, SyncOutboxRow, SyncPackage, SyncReceivedRow,
};

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn pkg(id: &str, body: &[u8]) -> SyncPackage {
    SyncPackage {
        message_id: id.into(),
        op: "send".into(),
        related: None,
        status_code: None,
        recipients: vec!["000.01.20.H34".into(), "000.02.20.H34".into()],
        document_id: Some(format!("doc-{id}")),
        sha256: sha(body),
    }
}

fn delivery(id: &str, body: &[u8]) -> SyncDelivery {
    SyncDelivery {
        message_id: id.into(),
        hub_seq: 1,
        sender: "000.00.00.H34".into(),
        kind: "edoc".into(),
        business: "new".into(),
        related: None,
        status_code: None,
        document_id: Some(format!("doc-{id}")),
        sha256: sha(body),
        relay: false,
    }
}

#[test]
fn outbox_keeps_order_bodies_and_ids_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    let new = reg
        .sync_enqueue(&[
            (pkg("m1", b"one"), b"one".as_slice()),
            (pkg("m2", b"two"), b"two".as_slice()),
        ])
        .unwrap();
    assert_eq!(new, vec![true, true]);
    // Re-queuing an id (a retried command, a replayed migration) changes nothing.
    assert_eq!(
        reg.sync_enqueue(&[(pkg("m1", b"one"), b"one".as_slice())])
            .unwrap(),
        vec![false]
    );
    assert_eq!(reg.sync_pending_count().unwrap(), 2);
    // The body is in the blob store, not in the database.
    assert!(reg.blobs().contains(&sha(b"two")));

    let (first, body) = reg.sync_next_pending(0).unwrap().unwrap();
    assert_eq!(
        (first.package.message_id.as_str(), body.as_slice()),
        ("m1", b"one".as_slice())
    );
    assert_eq!(first.package.recipients.len(), 2);
    let (second, _) = reg.sync_next_pending(first.seq).unwrap().unwrap();
    assert_eq!(second.package.message_id, "m2");
    assert!(reg.sync_next_pending(second.seq).unwrap().is_none());

    reg.sync_note_attempt(first.seq, "500").unwrap();
    reg.sync_mark_sent(&[first.seq]).unwrap();
    reg.sync_mark_failed(second.seq, "unknown recipient")
        .unwrap();
    assert_eq!(reg.sync_pending_count().unwrap(), 0);
    let rows = reg.sync_outbox().unwrap();
    let states: Vec<_> = rows
        .iter()
        .map(|r| (r.state.as_str(), r.attempts, r.last_error.as_deref()))
        .collect();
    assert_eq!(
        states,
        vec![("sent", 1, None), ("failed", 1, Some("unknown recipient"))]
    );
    assert!(rows[0].sent_ms.is_some());

    // A body that does not match its hash is refused before anything is queued.
    let mut bad = pkg("m3", b"three");
    bad.sha256 = sha(b"other");
    assert!(reg.sync_enqueue(&[(bad, b"three".as_slice())]).is_err());
    assert_eq!(reg.sync_outbox().unwrap().len(), 2);
}

#[test]
fn received_is_stored_once_with_its_follow_ups() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    let st = SyncPackage {
        op: "status".into(),
        related: Some("r1".into()),
        status_code: Some("01".into()),
        recipients: vec![],
        ..pkg("st01-r1", b"<status/>")
    };
    let batch = vec![(
        delivery("r1", b"package"),
        b"package".as_slice(),
        vec![(st.clone(), b"<status/>".as_slice())],
    )];
    assert_eq!(reg.sync_received_acked("r1").unwrap(), None);
    assert_eq!(reg.sync_store_received(&batch).unwrap(), vec![true]);
    assert_eq!(reg.sync_received_acked("r1").unwrap(), Some(false));
    // Seen again (the ack was lost): not stored twice, the 01 not queued twice.
    assert_eq!(reg.sync_store_received(&batch).unwrap(), vec![false]);
    assert_eq!(reg.sync_outbox().unwrap().len(), 1);
    assert_eq!(reg.sync_outbox().unwrap()[0].package, st);
    reg.sync_mark_acked(&["r1"]).unwrap();
    assert_eq!(reg.sync_received_acked("r1").unwrap(), Some(true));
    let rows = reg.sync_received().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].size, 7);
    assert_eq!(
        reg.sync_received_body("r1").unwrap().as_deref(),
        Some(b"package".as_slice())
    );
    assert_eq!(reg.sync_received_body("nope").unwrap(), None);

    reg.set_sync_meta("last_sync_ms", "1").unwrap();
    reg.set_sync_meta("last_sync_ms", "2").unwrap();
    assert_eq!(reg.sync_meta("last_sync_ms").unwrap().as_deref(), Some("2"));
    assert!(reg.insert_sync_meta("alert:x", "1").unwrap());
    assert!(!reg.insert_sync_meta("alert:x", "1").unwrap());
}

#[test]
fn a_registry_status_row_becomes_a_package_in_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.01.20.H34", "Sở Nội vụ").unwrap();
    let doc = reg
        .receive_incoming(NewIncoming {
            sender: "000.00.00.H34".into(),
            notation: "12/UBND-VP".into(),
            document_date: "2026-01-02".parse().unwrap(),
            doc_type: "Công văn".into(),
            subject: "Thử".into(),
            edxml_document_id: Some("000.00.00.H34,2026/01/02,12/UBND-VP".into()),
            ..Default::default()
        })
        .unwrap();
    reg.append_status_event(doc.id, IncomingState::Registered, Actor::Clerk, None)
        .unwrap();
    let row = reg.pending_outbox(10).unwrap().remove(0);
    let st = SyncPackage {
        op: "status".into(),
        status_code: Some("03".into()),
        recipients: vec![],
        ..pkg("st03-x", b"<03/>")
    };
    assert!(reg.sync_enqueue_for_outbox(row.id, &st, b"<03/>").unwrap());
    assert!(reg.pending_outbox(10).unwrap().is_empty());
    assert_eq!(reg.sync_pending_count().unwrap(), 1);
    // Handing the same row over again is a no-op.
    assert!(!reg.sync_enqueue_for_outbox(row.id, &st, b"<03/>").unwrap());
    assert_eq!(reg.sync_outbox().unwrap().len(), 1);
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn legacy_queues_import_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    // Something queued in the registry before the import keeps its place in front.
    reg.sync_enqueue(&[(pkg("early", b"e"), b"e".as_slice())])
        .unwrap();
    let outbox = |id: &str, state: &str, body: &'static [u8]| {
        (
            SyncOutboxRow {
                seq: 0,
                package: pkg(id, body),
                state: state.parse().unwrap(),
                attempts: 2,
                last_error: None,
                created_ms: 5,
                sent_ms: (state == "sent").then_some(6),
            },
            body.to_vec(),
        )
    };
    let legacy = LegacyQueues {
        outbox: vec![
            outbox("old-sent", "sent", b"a"),
            outbox("p1", "pending", b"b"),
            outbox("p2", "pending", b"c"),
        ],
        received: vec![
            (
                SyncReceivedRow {
                    local_seq: 0,
                    delivery: delivery("in-acked", b"x"),
                    size: 1,
                    received_ms: 7,
                    acked: true,
                },
                b"x".to_vec(),
            ),
            (
                SyncReceivedRow {
                    local_seq: 0,
                    delivery: delivery("in-unacked", b"y"),
                    size: 1,
                    received_ms: 8,
                    acked: false,
                },
                b"y".to_vec(),
            ),
        ],
        meta: vec![("last_sync_ms".into(), "42".into())],
    };
    let first = reg.sync_import_legacy(&legacy).unwrap();
    assert_eq!((first.outbox, first.received, first.meta), (3, 2, 1));
    let again = reg.sync_import_legacy(&legacy).unwrap();
    assert_eq!((again.outbox, again.received, again.meta), (0, 0, 0));

    let rows = reg.sync_outbox().unwrap();
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.package.message_id.as_str(), r.state.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("early", "pending"),
            ("old-sent", "sent"),
            ("p1", "pending"),
            ("p2", "pending")
        ]
    );
    assert_eq!(rows[1].sent_ms, Some(6));
    assert_eq!(reg.sync_pending_count().unwrap(), 3);
    let received: Vec<_> = reg
        .sync_received()
        .unwrap()
        .into_iter()
        .map(|r| (r.delivery.message_id, r.acked))
        .collect();
    assert_eq!(
        received,
        vec![
            ("in-acked".to_owned(), true),
            ("in-unacked".to_owned(), false)
        ]
    );
    assert_eq!(
        reg.sync_received_body("in-unacked").unwrap().as_deref(),
        Some(b"y".as_slice())
    );
    assert_eq!(
        reg.sync_meta("last_sync_ms").unwrap().as_deref(),
        Some("42")
    );
}
