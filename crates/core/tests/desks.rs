//! Trình ký between two desktops of one unit through a real hub on loopback (docs/sync.md,
//! "Several desktops of one unit"): the clerk's outgoing draft reaches the leader's signing
//! queue; the leader signs it; the clerk's desktop receives the signed PDF byte for byte and
//! its draft is signed, once, however many rounds run. A Số tạm resolved on the clerk's
//! desktop after the submission reaches the leader's mirror.
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use vanthu_hub::HubStore;
use vanthu_registry::{NewIncoming, NewOutgoing, Registry, SignedFile};
use vanthu_sync::{Engine, EngineConfig, HttpTransport, Identity, NumberingConfig, SyncState};

const UNIT: &str = "000.01.20.H34";
const VT: &str = "000.01.20.H34/VT";
const LD: &str = "000.01.20.H34/LD";

struct UnitHub {
    url: String,
    vt: String,
    ld: String,
    _dir: tempfile::TempDir,
}

async fn start_unit_hub() -> UnitHub {
    let dir = tempfile::tempdir().unwrap();
    let store = vanthu_hub::sqlite::SqliteStore::open(&dir.path().join("hub.sqlite")).unwrap();
    let (unit, _) = vanthu_hub::auth::new_agency(UNIT, "Sở Nội vụ");
    store.add_agency(unit).await.unwrap();
    let (vt, vt_secret) = vanthu_hub::auth::new_desktop(UNIT, "VT", true);
    store.add_desktop(vt).await.unwrap();
    let (ld, ld_secret) = vanthu_hub::auth::new_desktop(UNIT, "LD", false);
    store.add_desktop(ld).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vanthu_hub::serve(
        listener,
        store,
        Default::default(),
        std::future::pending(),
    ));
    UnitHub {
        url,
        vt: vt_secret,
        ld: ld_secret,
        _dir: dir,
    }
}

/// A desktop's engine whose rounds do what `vanthu sync --once` does around them.
fn engine(
    url: &str,
    login: &str,
    secret: &str,
    dir: &Path,
    numbering: bool,
) -> Engine<HttpTransport> {
    let hook_dir = dir.to_path_buf();
    let e = Engine::new(
        HttpTransport::new(url, login, secret).unwrap(),
        SyncState::open(dir).unwrap(),
        Identity {
            agency: UNIT.into(),
            agency_name: "Sở Nội vụ".into(),
        },
        EngineConfig {
            base_backoff: Duration::from_millis(5),
            ..EngineConfig::default()
        },
    )
    .with_round_hook(Arc::new(move |state| {
        let mut reg = Registry::open(&hook_dir).map_err(|e| e.to_string())?;
        vanthu_core::round::registry_round(&mut reg, state, UNIT, "Sở Nội vụ")?;
        Ok(())
    }));
    if numbering {
        e.with_numbering(NumberingConfig {
            data_dir: dir.to_path_buf(),
            block_size: 20,
        })
    } else {
        e
    }
}

fn open(dir: &Path, user: &str) -> Registry {
    let mut reg = Registry::open(dir).unwrap();
    reg.set_user(user);
    reg
}

fn init(dir: &Path, user: &str) {
    open(dir, user).init_unit(UNIT, "Sở Nội vụ").unwrap();
}

fn audit_rows(dir: &Path) -> u64 {
    Registry::open(dir).unwrap().audit_verify().unwrap().rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leaders_signature_comes_back_to_the_clerks_draft_once() {
    tokio::time::timeout(Duration::from_secs(120), signing_round())
        .await
        .expect("scenario bounded");
}

async fn signing_round() {
    let hub = start_unit_hub().await;
    let (vt_dir, ld_dir, src) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    init(vt_dir.path(), "văn thư Lan");
    init(ld_dir.path(), "giám đốc An");
    let draft_pdf = src.path().join("Tờ trình tuyển dụng.pdf");
    std::fs::write(&draft_pdf, "%PDF-1.7\n% dự thảo tờ trình\n").unwrap();
    let doc = {
        let mut clerk = open(vt_dir.path(), "văn thư Lan");
        let doc = clerk
            .create_outgoing(NewOutgoing {
                notation: "TTr-SNV".into(),
                doc_type: "Tờ trình".into(),
                subject: "Tờ trình về việc tuyển dụng công chức".into(),
                recipients: vec!["000.00.00.H34".into()],
                files: vec![draft_pdf],
                ..Default::default()
            })
            .unwrap()
            .id;
        clerk
            .submit_document(doc, LD, Some("Kính trình đồng chí Giám đốc ký"))
            .unwrap();
        doc
    };
    let vt = engine(&hub.url, VT, &hub.vt, vt_dir.path(), false);
    let ld = engine(&hub.url, LD, &hub.ld, ld_dir.path(), false);
    vt.sync_once().await.unwrap();
    ld.sync_once().await.unwrap();
    ld.sync_once().await.unwrap();

    // The leader's desktop: one mirror, in Chờ ký.
    let (mirror, pdf) = {
        let leader = open(ld_dir.path(), "giám đốc An");
        let q = leader.signing_queue().unwrap();
        assert_eq!(q.len(), 1, "one mirror in the signing queue");
        let m = &q[0];
        assert_eq!(m.document.subject, "Tờ trình về việc tuyển dụng công chức");
        assert_eq!(
            leader.mirror_info(m.document.id).unwrap().unwrap().origin,
            VT
        );
        (m.document.id, m.pdf.clone())
    };
    // The leader signs (the token's output stands in as bytes appended to the draft).
    let signed_bytes = {
        let mut leader = open(ld_dir.path(), "giám đốc An");
        let mut bytes = std::fs::read(leader.attachment_path(&pdf)).unwrap();
        bytes.extend_from_slice("% chữ ký số của lãnh đạo\n%%EOF\n".as_bytes());
        let signed = src.path().join("signed.pdf");
        std::fs::write(&signed, &bytes).unwrap();
        leader
            .record_signed(
                mirror,
                &signed,
                "Tờ trình tuyển dụng (đã ký).pdf",
                &SignedFile {
                    role: "leader".into(),
                    signer: "Nguyễn Văn An".into(),
                    field: "Signature1".into(),
                    signing_time: "2026-03-02T09:00:00+07:00".into(),
                },
            )
            .unwrap();
        bytes
    };
    ld.sync_once().await.unwrap();
    vt.sync_once().await.unwrap();

    let check = |label: &str| {
        let clerk = open(vt_dir.path(), "văn thư Lan");
        let rec = clerk.get(doc).unwrap();
        assert_eq!(rec.state.as_str(), "signed", "{label}");
        let signed: Vec<_> = rec
            .attachments
            .iter()
            .filter(|a| a.file_name == "Tờ trình tuyển dụng (đã ký).pdf")
            .collect();
        assert_eq!(signed.len(), 1, "{label}: the signed copy once");
        assert_eq!(
            std::fs::read(clerk.attachment_path(signed[0])).unwrap(),
            signed_bytes,
            "{label}: identical bytes"
        );
        assert_eq!(rec.attachments.len(), 2, "{label}");
        let events = clerk.status_events(doc).unwrap();
        let to_signed: Vec<_> = events
            .iter()
            .filter(|e| e.to_state.as_str() == "signed")
            .collect();
        assert_eq!(to_signed.len(), 1, "{label}");
        assert!(to_signed[0]
            .note
            .as_deref()
            .unwrap()
            .starts_with("Lãnh đạo đã ký trên máy 000.01.20.H34/LD"));
        assert!(clerk.audit_verify().unwrap().ok);
    };
    check("first round");
    let audit = audit_rows(vt_dir.path());
    // Rounds again on both sides: nothing applies twice.
    vt.sync_once().await.unwrap();
    ld.sync_once().await.unwrap();
    vt.sync_once().await.unwrap();
    check("after more rounds");
    assert_eq!(audit_rows(vt_dir.path()), audit);
    assert_eq!(
        open(ld_dir.path(), "giám đốc An")
            .signing_queue()
            .unwrap()
            .len(),
        0
    );
    // The clerk's desktop numbers it.
    let issued = open(vt_dir.path(), "văn thư Lan")
        .issue_outgoing(doc, chrono::Local::now().date_naive())
        .unwrap();
    assert_eq!(issued.state.as_str(), "issued");
    assert!(issued.number.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_so_tam_reaches_the_leaders_mirror() {
    tokio::time::timeout(Duration::from_secs(120), label_round())
        .await
        .expect("scenario bounded");
}

async fn label_round() {
    let hub = start_unit_hub().await;
    let (vt_dir, ld_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    init(vt_dir.path(), "văn thư Lan");
    init(ld_dir.path(), "giám đốc An");
    let today = chrono::Local::now().date_naive();
    let doc = {
        let mut clerk = open(vt_dir.path(), "văn thư Lan");
        // Block mode, no block yet (offline): the document gets a Số tạm.
        clerk.set_numbering_desktop(Some("VT")).unwrap();
        let rec = clerk
            .register_incoming(NewIncoming {
                sender: "000.00.00.G22".into(),
                notation: "15/VPCP-KSTT".into(),
                document_date: NaiveDate::from_ymd_opt(today.year(), 1, 2).unwrap(),
                arrival_date: Some(today),
                doc_type: "Công văn".into(),
                subject: "Về việc báo cáo biên chế".into(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(rec.number_label().as_deref(), Some("Số tạm T-VT-1"));
        clerk.submit_document(rec.id, LD, None).unwrap();
        rec.id
    };
    // Without blocks the submission travels with its Số tạm.
    let vt = engine(&hub.url, VT, &hub.vt, vt_dir.path(), false);
    let ld = engine(&hub.url, LD, &hub.ld, ld_dir.path(), false);
    vt.sync_once().await.unwrap();
    ld.sync_once().await.unwrap();
    let mirror = {
        let leader = open(ld_dir.path(), "giám đốc An");
        let hits: Vec<i64> = leader
            .connection()
            .prepare("SELECT id FROM documents")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(hits.len(), 1);
        let m = hits[0];
        assert_eq!(
            leader
                .mirror_info(m)
                .unwrap()
                .unwrap()
                .number_label
                .as_deref(),
            Some("Số tạm T-VT-1")
        );
        m
    };
    // Now the clerk's desktop gets its block: the Số tạm resolves and the label follows.
    let vt = engine(&hub.url, VT, &hub.vt, vt_dir.path(), true);
    vt.sync_once().await.unwrap();
    let number = open(vt_dir.path(), "văn thư Lan")
        .get(doc)
        .unwrap()
        .number
        .expect("resolved");
    ld.sync_once().await.unwrap();
    ld.sync_once().await.unwrap();
    let leader = open(ld_dir.path(), "giám đốc An");
    let mi = leader.mirror_info(mirror).unwrap().unwrap();
    assert_eq!(mi.number_label, Some(number.to_string()));
    assert_eq!(leader.get(mirror).unwrap().number, None);
    let relabels = leader
        .status_events(mirror)
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.note
                .as_deref()
                .is_some_and(|n| n.starts_with("Văn thư cấp số đến"))
        })
        .count();
    assert_eq!(relabels, 1, "the label applied once");
    assert!(leader.audit_verify().unwrap().ok);
}
