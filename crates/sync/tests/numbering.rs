//! Two desktops of one unit number documents offline and then sync through a real hub on
//! loopback (docs/sync.md, "Numbering while offline"): blocks from the hub, provisional
//! numbers once the blocks run out, final numbers from the next blocks — and never one final
//! number on two documents.
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use vanthu_hub::HubStore;
use vanthu_registry::{NewIncoming, Registry};
use vanthu_sync::{
    Engine, EngineConfig, HttpTransport, Identity, NumberingConfig, SyncError, SyncState,
};

const UNIT: &str = "000.01.20.H34";
const BLOCK: u32 = 4;
const PER_DESKTOP: usize = 9;

struct Hub {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

async fn serve(db: &Path, addr: &str) -> Hub {
    let store = vanthu_hub::sqlite::SqliteStore::open(db).unwrap();
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        vanthu_hub::serve(listener, store, Default::default(), async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Hub {
        addr,
        stop: Some(tx),
        task,
    }
}

impl Hub {
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap();
    }
}

fn desktop(dir: &Path, name: &str, url: &str, secret: &str) -> Engine<HttpTransport> {
    let mut reg = Registry::open(dir).unwrap();
    reg.set_user(format!("văn thư {name}"));
    reg.init_unit(UNIT, "Sở Nội vụ").unwrap();
    reg.set_numbering_desktop(Some(name)).unwrap();
    Engine::new(
        HttpTransport::new(url, UNIT, secret).unwrap(),
        SyncState::open(dir).unwrap(),
        Identity {
            agency: UNIT.into(),
            agency_name: "Sở Nội vụ".into(),
        },
        EngineConfig {
            base_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(50),
            max_attempts: 3,
            ..EngineConfig::default()
        },
    )
    .with_numbering(NumberingConfig {
        data_dir: dir.to_path_buf(),
        block_size: BLOCK,
    })
}

fn register_many(dir: PathBuf, name: &'static str) -> Vec<i64> {
    let mut reg = Registry::open(&dir).unwrap();
    reg.set_user(format!("văn thư {name}"));
    let today = chrono::Local::now().date_naive();
    (0..PER_DESKTOP)
        .map(|i| {
            reg.register_incoming(NewIncoming {
                sender: "000.00.00.G22".into(),
                notation: format!("{}/VPCP-KSTT", i + 1),
                document_date: NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap(),
                arrival_date: Some(today),
                doc_type: "Công văn".into(),
                subject: format!("Văn bản {i} vào sổ tại máy {name}"),
                ..Default::default()
            })
            .unwrap()
            .id
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desktops_offline_then_sync_never_duplicate_a_number() {
    tokio::time::timeout(Duration::from_secs(120), scenario())
        .await
        .expect("scenario bounded");
}

async fn scenario() {
    let hub_dir = tempfile::tempdir().unwrap();
    let db = hub_dir.path().join("hub.sqlite");
    let secret = {
        let store = vanthu_hub::sqlite::SqliteStore::open(&db).unwrap();
        let (rec, secret) = vanthu_hub::auth::new_agency(UNIT, "Sở Nội vụ");
        store.add_agency(rec).await.unwrap();
        secret
    };
    let hub = serve(&db, "127.0.0.1:0").await;
    let addr = hub.addr;
    let url = format!("http://{addr}");
    let (da, db_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = desktop(da.path(), "A", &url, &secret);
    let b = desktop(db_dir.path(), "B", &url, &secret);

    // Online: each desktop gets its first blocks.
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();

    // The line goes down.
    hub.stop().await;
    assert!(matches!(a.sync_once().await, Err(SyncError::Offline(_))));

    // Both clerks register at the same time, well past their blocks.
    let (pa, pb) = (da.path().to_path_buf(), db_dir.path().to_path_buf());
    let (ids_a, ids_b) = tokio::join!(
        tokio::task::spawn_blocking(move || register_many(pa, "A")),
        tokio::task::spawn_blocking(move || register_many(pb, "B")),
    );
    let (ids_a, ids_b) = (ids_a.unwrap(), ids_b.unwrap());
    for (dir, name) in [(da.path(), "A"), (db_dir.path(), "B")] {
        let reg = Registry::open(dir).unwrap();
        let provisional = reg.provisional_documents().unwrap();
        // BLOCK numbers from the first block, the rest provisional "T-<desktop>-n".
        assert_eq!(
            provisional.len(),
            PER_DESKTOP - BLOCK as usize,
            "desktop {name}"
        );
        for (i, p) in provisional.iter().enumerate() {
            assert_eq!(p.provisional, format!("T-{name}-{}", i + 1));
            let rec = reg.get(p.document_id).unwrap();
            assert_eq!(rec.number, None);
            assert_eq!(
                rec.number_label(),
                Some(format!("Số tạm T-{name}-{}", i + 1))
            );
        }
    }
    // Still offline: syncing changes nothing.
    assert!(matches!(b.sync_once().await, Err(SyncError::Offline(_))));

    // The line comes back (same address); both desktops sync at once.
    let hub = serve(&db, &addr.to_string()).await;
    let (ra, rb) = tokio::join!(a.sync_once(), b.sync_once());
    ra.unwrap();
    rb.unwrap();

    let mut seen = HashSet::new();
    for (dir, ids) in [(da.path(), &ids_a), (db_dir.path(), &ids_b)] {
        let reg = Registry::open(dir).unwrap();
        assert!(reg.provisional_documents().unwrap().is_empty());
        for id in ids {
            let rec = reg.get(*id).unwrap();
            let n = rec.number.expect("every document ends with a final number");
            assert!(seen.insert(n), "number {n} given twice");
        }
        let resolutions = reg
            .audit_entries(None, None, 10_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "numbering.resolve")
            .count();
        assert_eq!(resolutions, PER_DESKTOP - BLOCK as usize);
        assert!(reg.audit_verify().unwrap().ok);
    }
    assert_eq!(seen.len(), 2 * PER_DESKTOP);

    // A later sync with nothing waiting changes nothing and gives no number twice.
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    hub.stop().await;
}
