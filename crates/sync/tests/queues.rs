//! Where the engine's queues live: in the register when the data directory has one, and an
//! existing `sync.sqlite` is moved into it once, without losing or duplicating anything.
use sha2::{Digest, Sha256};
use vanthu_registry::Registry;
use vanthu_sync::transport::{Operation, OutgoingPackage, RemoteItem};
use vanthu_sync::SyncState;

fn pkg(id: &str, body: &[u8]) -> OutgoingPackage {
    OutgoingPackage {
        message_id: id.into(),
        op: Operation::Send,
        related: None,
        status_code: None,
        recipients: vec!["000.01.20.H34".into()],
        document_id: Some(format!("doc-{id}")),
        sha256: hex::encode(Sha256::digest(body)),
    }
}

fn item(id: &str, body: &[u8]) -> RemoteItem {
    RemoteItem {
        seq: 1,
        message_id: id.into(),
        sender: "000.00.00.H34".into(),
        relay: false,
        kind: "edoc".into(),
        business: "new".into(),
        related: None,
        status_code: None,
        document_id: Some(format!("doc-{id}")),
        sha256: hex::encode(Sha256::digest(body)),
        size: body.len() as u64,
    }
}

type Snapshot = (
    Vec<(String, String, Option<String>)>,
    Vec<(String, bool, Vec<u8>)>,
    Option<String>,
);

fn snapshot(s: &SyncState) -> Snapshot {
    let outbox = s
        .outbox()
        .unwrap()
        .into_iter()
        .map(|o| {
            (
                o.package.message_id,
                o.state.as_str().to_owned(),
                o.last_error,
            )
        })
        .collect();
    let received = s
        .received()
        .unwrap()
        .into_iter()
        .map(|r| {
            let body = s.received_body(&r.message_id).unwrap().unwrap();
            (r.message_id, r.acked, body)
        })
        .collect();
    (outbox, received, s.meta("last_sync_ms").unwrap())
}

/// A file state with history: one package sent, one refused, two pending (bodies 40 KB), one
/// received and acknowledged, one received but not yet acknowledged (its "01" queued).
fn legacy_state(dir: &std::path::Path) -> Snapshot {
    let s = SyncState::open(dir).unwrap();
    assert_eq!(s.kind(), "file");
    let big = vec![b'x'; 40_000];
    s.enqueue_many(&[
        (pkg("sent", b"s"), b"s".to_vec()),
        (pkg("refused", b"r"), b"r".to_vec()),
        (pkg("p1", &big), big.clone()),
        (pkg("p2", b"p2"), b"p2".to_vec()),
    ])
    .unwrap();
    s.mark_sent(&[1]).unwrap();
    s.mark_failed(2, "unknown recipient").unwrap();
    let st01 = OutgoingPackage {
        op: Operation::Status,
        related: Some("in2".into()),
        status_code: Some("01".into()),
        recipients: vec![],
        ..pkg("st01-in2", b"<01/>")
    };
    s.store_received(&[
        (item("in1", b"one"), b"one".to_vec(), vec![]),
        (
            item("in2", b"two"),
            b"two".to_vec(),
            vec![(st01, b"<01/>".to_vec())],
        ),
    ])
    .unwrap();
    s.mark_acked(&["in1".to_owned()]).unwrap();
    s.set_meta("last_sync_ms", "1234").unwrap();
    snapshot(&s)
}

#[test]
fn an_existing_sync_sqlite_moves_into_the_register_once() {
    let dir = tempfile::tempdir().unwrap();
    let before = legacy_state(dir.path());
    assert_eq!(before.0.len(), 5);

    // `vanthu init` on that data directory: from now on the register holds the queues.
    Registry::open(dir.path()).unwrap();
    let s = SyncState::open(dir.path()).unwrap();
    assert_eq!(s.kind(), "registry");
    assert_eq!(snapshot(&s), before);
    assert_eq!(s.pending_outbox_count().unwrap(), 3);
    let (_, next, body) = s.next_pending(0).unwrap().unwrap();
    assert_eq!((next.message_id.as_str(), body.len()), ("p1", 40_000));
    // The old file is kept under another name, not deleted.
    assert!(!dir.path().join("sync.sqlite").exists());
    assert!(dir.path().join("sync.sqlite.migrated").is_file());
    drop(s);

    // Opening again changes nothing.
    let s = SyncState::open(dir.path()).unwrap();
    assert_eq!(snapshot(&s), before);
    drop(s);

    // A crash after the rows were copied but before the rename: the file is still there
    // next time, and the copy is repeated without duplicating anything.
    std::fs::copy(
        dir.path().join("sync.sqlite.migrated"),
        dir.path().join("sync.sqlite"),
    )
    .unwrap();
    let s = SyncState::open(dir.path()).unwrap();
    assert_eq!(snapshot(&s), before);
    assert!(!dir.path().join("sync.sqlite").exists());
    assert!(dir.path().join("sync.sqlite.migrated").is_file());
    let reg = Registry::open(dir.path()).unwrap();
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn work_after_the_move_continues_where_the_file_left_off() {
    let dir = tempfile::tempdir().unwrap();
    legacy_state(dir.path());
    Registry::open(dir.path()).unwrap();
    let s = SyncState::open(dir.path()).unwrap();
    // The unacknowledged package is seen again at the hub: known, so only acknowledged.
    assert_eq!(s.has_received("in2").unwrap(), Some(false));
    assert_eq!(
        s.store_received(&[(item("in2", b"two"), b"two".to_vec(), vec![])])
            .unwrap(),
        vec![false]
    );
    s.mark_acked(&["in2".to_owned()]).unwrap();
    assert_eq!(s.has_received("in2").unwrap(), Some(true));
    // New packages queue behind the moved ones; a moved id is not queued twice.
    assert_eq!(
        s.enqueue_many(&[
            (pkg("p2", b"p2"), b"p2".to_vec()),
            (pkg("p3", b"p3"), b"p3".to_vec())
        ])
        .unwrap(),
        vec![false, true]
    );
    let pending: Vec<String> = s
        .outbox()
        .unwrap()
        .into_iter()
        .filter(|o| o.state.as_str() == "pending")
        .map(|o| o.package.message_id)
        .collect();
    assert_eq!(pending, vec!["p1", "p2", "st01-in2", "p3"]);
}

#[test]
fn register_less_data_dirs_keep_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = SyncState::open(dir.path()).unwrap();
    assert_eq!(s.kind(), "file");
    s.enqueue(&pkg("m", b"m"), b"m").unwrap();
    assert!(dir.path().join("sync.sqlite").is_file());
    assert!(!dir.path().join("vanthu.db").exists());
}
