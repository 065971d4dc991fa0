//! Automatic status feedback through the registry (statuses.md §2): a package received from
//! the hub becomes an incoming document; the clerk's registration and the leader's assignment
//! queue 03 and 04, which reach the sender after 01, in order.
use std::sync::Arc;
use std::time::Duration;

use vanthu_domain::{Actor, IncomingState};
use vanthu_hub::HubStore;
use vanthu_registry::Registry;
use vanthu_sync::{
    Engine, EngineConfig, HttpTransport, Identity, Operation, SendRequest, SyncState,
};

const A: &str = "000.00.00.H34"; // the sender named in the package
const B: &str = "000.01.20.H34";
const PACKAGE: &[u8] = include_bytes!("../../edxml/tests/data/basic.edxml");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_transitions_become_statuses_in_order() {
    let hub_dir = tempfile::tempdir().unwrap();
    let store = vanthu_hub::sqlite::SqliteStore::open(&hub_dir.path().join("hub.sqlite")).unwrap();
    let mut secrets = std::collections::BTreeMap::new();
    for code in [A, B] {
        let (rec, secret) = vanthu_hub::auth::new_agency(code, "Đơn vị");
        store.add_agency(rec).await.unwrap();
        secrets.insert(code, secret);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vanthu_hub::serve(
        listener,
        store,
        Default::default(),
        std::future::pending(),
    ));

    let cfg = || EngineConfig {
        base_backoff: Duration::from_millis(5),
        ..EngineConfig::default()
    };
    let a_dir = tempfile::tempdir().unwrap();
    let a = Engine::new(
        HttpTransport::new(&url, A, &secrets[A]).unwrap(),
        SyncState::open(a_dir.path()).unwrap(),
        Identity {
            agency: A.into(),
            agency_name: "UBND Tỉnh Kon Tum".into(),
        },
        cfg(),
    );
    let b_dir = tempfile::tempdir().unwrap();
    let b_path = b_dir.path().to_path_buf();
    Registry::open(&b_path).unwrap();
    let hook_dir = b_path.clone();
    let b = Engine::new(
        HttpTransport::new(&url, B, &secrets[B]).unwrap(),
        SyncState::open(&b_path).unwrap(),
        Identity {
            agency: B.into(),
            agency_name: "Sở Nội vụ".into(),
        },
        cfg(),
    )
    .with_round_hook(Arc::new(move |state| {
        let mut reg = Registry::open(&hook_dir).map_err(|e| e.to_string())?;
        vanthu_sync::bridge::import_received(&mut reg, state).map_err(|e| e.to_string())?;
        vanthu_sync::bridge::queue_registry_statuses(&mut reg, state, B, "Sở Nội vụ")
            .map_err(|e| e.to_string())?;
        Ok(())
    }));

    let id = a
        .queue(SendRequest {
            message_id: None,
            op: Operation::Send,
            related: None,
            recipients: vec![B.into()],
            document_id: Some("000.00.00.H34,2024/03/05,412/UBND-HCTC".into()),
            secrecy: "thường".into(),
            body: PACKAGE.to_vec(),
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

    // The package is now an incoming document, state "arrived", with its edXML id.
    let doc = {
        let reg = Registry::open(&b_path).unwrap();
        let doc = reg
            .find_by_edxml_id("000.00.00.H34,2024/03/05,412/UBND-HCTC")
            .unwrap()
            .expect("imported");
        assert_eq!(doc.sender_code.as_deref(), Some(A));
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
