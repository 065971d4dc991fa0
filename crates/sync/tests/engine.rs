//! The engine against a real hub on loopback (served in-process over a SQLite store).
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use vanthu_sync::transport::{OutgoingPackage, RemoteItem};
use vanthu_sync::{
    Engine, EngineConfig, HttpTransport, HubTransport, Identity, Operation, SendRequest, SyncError,
    SyncEvent, SyncState, TransportError,
};

const A: &str = "000.00.00.H34";
const B: &str = "000.01.20.H34";

async fn start_hub() -> common::LoopbackHub {
    common::start_hub(&[A, B]).await
}

fn fast() -> EngineConfig {
    EngineConfig {
        max_attempts: 3,
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        ..EngineConfig::default()
    }
}

/// Records the offsets the engine asks for, delegating to the HTTP transport.
#[derive(Clone)]
struct Recording {
    inner: HttpTransport,
    fetch_offsets: Arc<Mutex<Vec<u64>>>,
    /// Size of each batch acknowledgement.
    ack_batches: Arc<Mutex<Vec<usize>>>,
}

impl HubTransport for Recording {
    async fn ping(&self) -> Result<(), TransportError> {
        self.inner.ping().await
    }
    async fn send(&self, p: &OutgoingPackage, b: bytes::Bytes) -> Result<(), TransportError> {
        self.inner.send(p, b).await
    }
    async fn pending(&self, after: i64, limit: u32) -> Result<Vec<RemoteItem>, TransportError> {
        self.inner.pending(after, limit).await
    }
    async fn fetch(
        &self,
        id: &str,
        offset: u64,
        out: &mut dyn vanthu_sync::transport::FetchSink,
    ) -> Result<(), TransportError> {
        self.fetch_offsets.lock().unwrap().push(offset);
        self.inner.fetch(id, offset, out).await
    }
    async fn ack(&self, id: &str) -> Result<(), TransportError> {
        self.inner.ack(id).await
    }
    async fn ack_many(&self, ids: &[String]) -> Result<Vec<String>, TransportError> {
        self.ack_batches.lock().unwrap().push(ids.len());
        self.inner.ack_many(ids).await
    }
}

struct Client {
    engine: Engine<Recording>,
    events: Arc<Mutex<Vec<SyncEvent>>>,
    offsets: Arc<Mutex<Vec<u64>>>,
    ack_batches: Arc<Mutex<Vec<usize>>>,
    _dir: tempfile::TempDir,
}

/// A's queues are the register-less file implementation, B's are in its register (a data
/// directory with `vanthu.db`), so every scenario runs through both implementations.
fn client(url: &str, code: &str, secret: &str) -> Client {
    let dir = tempfile::tempdir().unwrap();
    if code == B {
        vanthu_registry::Registry::open(dir.path()).unwrap();
    }
    let state = SyncState::open(dir.path()).unwrap();
    assert_eq!(state.kind(), if code == B { "registry" } else { "file" });
    let offsets = Arc::new(Mutex::new(Vec::new()));
    let ack_batches = Arc::new(Mutex::new(Vec::new()));
    let transport = Recording {
        inner: HttpTransport::new(url, code, secret).unwrap(),
        fetch_offsets: offsets.clone(),
        ack_batches: ack_batches.clone(),
    };
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let engine = Engine::new(
        transport,
        state,
        Identity {
            agency: code.to_owned(),
            agency_name: "Đơn vị".to_owned(),
        },
        fast(),
    )
    .on_event(Arc::new(move |e| sink.lock().unwrap().push(e)));
    Client {
        engine,
        events,
        offsets,
        ack_batches,
        _dir: dir,
    }
}

fn doc(n: usize) -> Vec<u8> {
    let mut s = String::from("<edXML><Subject>Báo cáo</Subject>");
    for i in 0..n {
        s.push_str(&format!("<P>{i:08}</P>"));
    }
    s.push_str("</edXML>");
    s.into_bytes()
}

fn send_req(body: Vec<u8>, secrecy: &str) -> SendRequest {
    SendRequest {
        message_id: None,
        op: Operation::Send,
        related: None,
        recipients: vec![B.to_owned()],
        document_id: Some("000.00.00.H34,2024/03/05,412/UBND-HCTC".to_owned()),
        secrecy: secrecy.to_owned(),
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_with_automatic_arrival_status_and_progress() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    let b = client(&hub.url, B, &hub.secrets[B]);
    let body = doc(500);
    let id = a.engine.queue(send_req(body.clone(), "thường")).unwrap();
    let r = a.engine.sync_once().await.unwrap();
    assert_eq!((r.sent, r.pending_outbox), (1, 0));
    let r = b.engine.sync_once().await.unwrap();
    assert_eq!(r.received, 1);
    assert_eq!(r.sent, 1, "the 01 status goes out in the same round");
    let got = b.engine.state().received().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message_id, id);
    assert_eq!(b.engine.state().received_body(&id).unwrap().unwrap(), body);
    // A learns "01 đã đến" from B.
    let r = a.engine.sync_once().await.unwrap();
    assert_eq!(r.received, 1);
    let st = a.engine.state().received().unwrap();
    assert_eq!(st[0].kind, "status");
    assert_eq!(st[0].status_code.as_deref(), Some("01"));
    assert_eq!(st[0].related.as_deref(), Some(id.as_str()));
    assert_eq!(st[0].sender, B);
    // A second round has nothing to do and duplicates nothing.
    let r = b.engine.sync_once().await.unwrap();
    assert_eq!((r.received, r.sent), (0, 0));
    assert_eq!(b.engine.state().received().unwrap().len(), 1);
    // Progress events counted up to their total, and the round finished.
    let ev = b.events.lock().unwrap().clone();
    assert!(ev.contains(&SyncEvent::Online));
    let progress: Vec<(u64, u64)> = ev
        .iter()
        .filter_map(|e| match e {
            SyncEvent::Progress { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert!(!progress.is_empty());
    assert!(progress.iter().all(|(d, t)| d <= t));
    assert!(progress.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(ev.iter().any(|e| matches!(e, SyncEvent::Finished { .. })));
}

#[tokio::test]
async fn secret_documents_never_enter_the_outbox() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    for s in ["mật", "Tối mật", "tuyệt mật"] {
        let err = a.engine.queue(send_req(doc(1), s)).unwrap_err();
        assert!(matches!(err, SyncError::SecretRefused), "{s}");
        assert!(err.to_string().contains("mật"));
    }
    assert!(a.engine.state().outbox().unwrap().is_empty());
}

#[tokio::test]
async fn offline_is_detected_and_nothing_is_lost() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let a = client(&format!("http://127.0.0.1:{port}"), A, "x");
    a.engine.queue(send_req(doc(3), "thường")).unwrap();
    let err = a.engine.sync_once().await.unwrap_err();
    assert!(matches!(err, SyncError::Offline(_)), "{err}");
    assert!(a
        .events
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, SyncEvent::Offline { .. })));
    assert_eq!(a.engine.state().pending_outbox_count().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_resume_from_the_partial_file() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    let b = client(&hub.url, B, &hub.secrets[B]);
    let body = doc(5000);
    let id = a.engine.queue(send_req(body.clone(), "thường")).unwrap();
    a.engine.sync_once().await.unwrap();
    // As if a previous run was killed after receiving the first 1000 bytes.
    let partial = b.engine.state().partial_path(&id);
    std::fs::write(&partial, &body[..1000]).unwrap();
    b.engine.sync_once().await.unwrap();
    assert_eq!(*b.offsets.lock().unwrap(), vec![1000]);
    assert_eq!(b.engine.state().received_body(&id).unwrap().unwrap(), body);
    assert!(!partial.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_partial_file_is_discarded() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    let b = client(&hub.url, B, &hub.secrets[B]);
    let body = doc(300);
    let id = a.engine.queue(send_req(body.clone(), "thường")).unwrap();
    a.engine.sync_once().await.unwrap();
    std::fs::write(b.engine.state().partial_path(&id), vec![b'x'; body.len()]).unwrap();
    b.engine.sync_once().await.unwrap();
    assert_eq!(*b.offsets.lock().unwrap(), vec![0]);
    assert_eq!(b.engine.state().received_body(&id).unwrap().unwrap(), body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_whose_answer_was_lost_is_not_duplicated() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    let b = client(&hub.url, B, &hub.secrets[B]);
    let id = a.engine.queue(send_req(doc(10), "thường")).unwrap();
    // The hub got it, but A crashed before recording that: the outbox still says pending.
    let (_, pkg, body) = a.engine.state().next_pending(0).unwrap().unwrap();
    HttpTransport::new(&hub.url, A, &hub.secrets[A])
        .unwrap()
        .send(&pkg, body.into())
        .await
        .unwrap();
    let r = a.engine.sync_once().await.unwrap();
    assert_eq!(r.sent, 1);
    b.engine.sync_once().await.unwrap();
    let got = b.engine.state().received().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message_id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_package_is_marked_failed_and_the_queue_moves_on() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    let mut bad = send_req(doc(2), "thường");
    bad.recipients = vec!["999.99.99.Z99".to_owned()];
    a.engine.queue(bad).unwrap();
    a.engine.queue(send_req(doc(2), "thường")).unwrap();
    let r = a.engine.sync_once().await.unwrap();
    assert_eq!((r.sent, r.rejected), (1, 1));
    let ob = a.engine.state().outbox().unwrap();
    assert_eq!(ob[0].state.as_str(), "failed");
    assert!(ob[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("999.99.99.Z99"));
    assert_eq!(ob[1].state.as_str(), "sent");
}

/// The one daemon loop (`vanthu sync --daemon` and the app): its hooks hear every round, and a
/// recipient that stays silent past the threshold is announced once, however many rounds run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_reports_each_round_and_announces_an_overdue_recipient_once() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    a.engine.queue(send_req(doc(2), "thường")).unwrap();
    a.engine.state().set_overdue_hours(1).unwrap();
    let rounds = Arc::new(Mutex::new(Vec::<bool>::new()));
    let announced = Arc::new(Mutex::new(Vec::<(String, u32)>::new()));
    let hooks = |rounds: &Arc<Mutex<Vec<bool>>>, announced: &Arc<Mutex<Vec<(String, u32)>>>| {
        let (r, o) = (rounds.clone(), announced.clone());
        vanthu_sync::DaemonHooks {
            after_round: Some(Arc::new(move |_: &SyncState, outcome| {
                r.lock().unwrap().push(outcome.is_ok())
            })),
            overdue: Some(Arc::new(move |rows, hours| {
                let mut o = o.lock().unwrap();
                o.extend(rows.into_iter().map(|r| (r.recipient, hours)));
            })),
        }
    };
    let run = |max| {
        a.engine.run_daemon(
            Duration::from_millis(1),
            Arc::new(tokio::sync::Notify::new()),
            Some(max),
            std::future::pending(),
            hooks(&rounds, &announced),
        )
    };
    // Sent just now: B has not answered, but nothing is overdue yet.
    run(1).await;
    assert_eq!(*rounds.lock().unwrap(), vec![true]);
    assert!(announced.lock().unwrap().is_empty());

    // Two hours later (the sending time moved back in A's queue file), still no 01 from B.
    let conn = vanthu_registry::rusqlite::Connection::open(
        a._dir.path().join(vanthu_sync::state::FILE_STATE),
    )
    .unwrap();
    conn.execute("UPDATE outbox SET sent_ms = sent_ms - 2 * 3600 * 1000", [])
        .unwrap();
    run(3).await;
    assert_eq!(*rounds.lock().unwrap(), vec![true; 4]);
    assert_eq!(*announced.lock().unwrap(), vec![(B.to_owned(), 1)]);
}

/// A page of many packages: downloaded a group at a time, stored in the hub's order,
/// acknowledged with one request per stored batch; nothing is left pending or duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_packages_arrive_in_order_with_batched_acknowledgements() {
    let hub = start_hub().await;
    let a = client(&hub.url, A, &hub.secrets[A]);
    let b = client(&hub.url, B, &hub.secrets[B]);
    let ids: Vec<String> = (0..40)
        .map(|i| a.engine.queue(send_req(doc(i + 1), "thường")).unwrap())
        .collect();
    assert_eq!(a.engine.sync_once().await.unwrap().sent, 40);
    // Uploads in flight together reach the hub in any order; B must keep the hub's.
    let hub_order: Vec<String> = HttpTransport::new(&hub.url, B, &hub.secrets[B])
        .unwrap()
        .pending(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.message_id)
        .collect();
    let mut sorted = hub_order.clone();
    sorted.sort();
    let mut queued = ids.clone();
    queued.sort();
    assert_eq!(sorted, queued);
    let r = b.engine.sync_once().await.unwrap();
    assert_eq!(
        (r.received, r.sent),
        (40, 40),
        "40 documents in, 40 statuses 01 out"
    );
    let got: Vec<String> = b
        .engine
        .state()
        .received()
        .unwrap()
        .into_iter()
        .map(|r| {
            assert!(r.acked, "{} not marked acknowledged", r.message_id);
            r.message_id
        })
        .collect();
    assert_eq!(got, hub_order, "stored in the hub's order");
    assert_eq!(*b.ack_batches.lock().unwrap(), vec![40]);
    // The hub holds nothing more for B: a second round fetches nothing.
    let r = b.engine.sync_once().await.unwrap();
    assert_eq!((r.received, r.sent), (0, 0));
    assert_eq!(b.ack_batches.lock().unwrap().len(), 1);
}

/// A hub without `POST /v1/acks` (an older one): the transport falls back to one
/// acknowledgement per package, and stops asking for the batch call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_fall_back_to_one_per_package_on_an_older_hub() {
    use axum::routing::post;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let batch_calls = Arc::new(Mutex::new(0usize));
    let (a2, b2) = (acked.clone(), batch_calls.clone());
    let app = axum::Router::new()
        .route(
            "/v1/messages/{id}/ack",
            post(
                move |axum::extract::Path(id): axum::extract::Path<String>| {
                    let acked = a2.clone();
                    async move {
                        if id == "not-ours" {
                            return axum::http::StatusCode::NOT_FOUND;
                        }
                        acked.lock().unwrap().push(id);
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        )
        .fallback(move || {
            *b2.lock().unwrap() += 1;
            async { axum::http::StatusCode::NOT_FOUND }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let t = HttpTransport::new(&url, A, "secret").unwrap();
    let ids: Vec<String> = ["m-1", "not-ours", "m-2"].map(String::from).to_vec();
    assert_eq!(t.ack_many(&ids).await.unwrap(), vec!["not-ours".to_owned()]);
    // The per-package acknowledgements go out together, so they arrive in any order.
    acked.lock().unwrap().sort();
    assert_eq!(*acked.lock().unwrap(), ["m-1", "m-2"]);
    assert_eq!(*batch_calls.lock().unwrap(), 1);
    t.ack_many(&["m-3".to_owned()]).await.unwrap();
    assert_eq!(*acked.lock().unwrap(), ["m-1", "m-2", "m-3"]);
    assert_eq!(
        *batch_calls.lock().unwrap(),
        1,
        "the batch call is not tried again"
    );
}
