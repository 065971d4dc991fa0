//! The "done when" scenario of issue 9, on loopback with real processes: agency A sends 200
//! packages to B and C while sync clients are killed -9 at random moments (≥ 50 kills), the
//! hub injects 500s, cut connections and stalls (VANTHU_HUB_FAULTS) and is itself killed and
//! restarted. In the end B and C hold exactly the 200 packages, once each, and A holds every
//! recipient's statuses 01, 03, 04 in that order. Every loop is bounded in count and time.
//! The same scenario runs with every desktop on the hub's VXP API (the national axis's,
//! docs/national-axis.md §3) instead of `/v1`.
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_vanthu");
const A: &str = "000.00.00.H34";
const B: &str = "000.01.20.H34";
const C: &str = "000.02.20.H34";
const PACKAGES: usize = 200;
const MIN_KILLS: u32 = 60;
const FAULTS: &str = "error=0.04,after=0.04,drop=0.04,stall=0.01,stall_ms=1500";

/// xorshift: reproducible from the printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

struct Hub {
    child: Option<Child>,
    port: u16,
    db: PathBuf,
    log: PathBuf,
}

impl Hub {
    fn start(&mut self, faults: bool) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut cmd = Command::new(BIN);
        cmd.args(["hub", "serve", "--listen"])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--db")
            .arg(&self.db)
            .stdout(Stdio::piped())
            .stderr(log);
        if faults {
            cmd.env("VANTHU_HUB_FAULTS", FAULTS);
        } else {
            cmd.env_remove("VANTHU_HUB_FAULTS");
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut child = cmd.spawn().unwrap();
            let mut line = String::new();
            let ok = BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .is_ok()
                && line.contains("listening");
            if ok {
                self.child = Some(child);
                return;
            }
            // The port may still be held by the killed predecessor for a moment.
            let _ = child.kill();
            let _ = child.wait();
            assert!(Instant::now() < deadline, "hub did not restart");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

fn vanthu(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("VANTHU_SECRET_STORE", "file")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vanthu {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn list(dir: &Path) -> Value {
    let out = vanthu(dir, &["--json", "sync", "list"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `sync --once` for each client, killing it -9 after a random delay if still running.
fn chaos_round(rng: &mut Rng, dirs: &[&Path], kills: &mut u32, max_delay_ms: u64) {
    for dir in dirs {
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir)
            .args(["sync", "--once"])
            .env("VANTHU_SECRET_STORE", "file")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let delay = Duration::from_millis(rng.range(5, max_delay_ms));
        let start = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if start.elapsed() >= delay {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                *kills += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

fn received_edocs(v: &Value) -> Vec<(String, String)> {
    v["received"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "edoc")
        .map(|r| {
            (
                r["message_id"].as_str().unwrap().to_owned(),
                r["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn outbox_settled(v: &Value) -> bool {
    v["outbox"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["state"] == "sent")
}

/// How the desktops reach the hub.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Api {
    /// The vanthu hub's `/v1`.
    V1,
    /// The hub's `/vxp`, as a unit on the national axis (`sync setup --vxp-system-id`).
    Vxp,
}

/// The scenario with each desktop's queues in its register (`vanthu init` first):
/// the registry implementation the app and `vanthu sync` use wherever a register exists.
#[test]
fn two_hundred_packages_survive_kills_faults_and_restarts() {
    chaos(true, Api::V1);
}

/// The same with register-less data directories (the file implementation, `sync.sqlite`:
/// relays, `vanthu sync send` of files). Run with `--ignored`; CI runs the registry variant.
#[test]
#[ignore = "the file implementation's chaos run; CI time goes to the registry variant"]
fn two_hundred_packages_survive_kills_faults_and_restarts_without_registers() {
    chaos(false, Api::V1);
}

/// The scenario over the VXP transport: real edXML packages (the axis relates statuses by
/// the `DocumentId` inside them), the axis's own `DocId`s on the receiving side, A's statuses
/// related back to A's own message ids by the transport. File queues, so the statuses are
/// exactly the ones the scenario queues.
#[test]
fn two_hundred_packages_survive_kills_faults_and_restarts_over_vxp() {
    chaos(false, Api::Vxp);
}

/// A real edXML package from A to B and C, about 1–40 KB, with its own `DocumentId`.
fn edxml_package(i: usize, size: usize, rng: &mut Rng) -> Vec<u8> {
    use vanthu_edxml::{
        AttachmentData, AttachmentMeta, DocCode, Header, Organization, OutAttachment,
    };
    let org = |code: &str| Organization {
        organ_id: Some(code.into()),
        organ_name: Some("Đơn vị".into()),
        ..Default::default()
    };
    let h = Header {
        from: org(A),
        to: vec![org(B), org(C)],
        document_id: Some(format!("{A},2026/12/07,{}/UBND-VP", i + 1)),
        code: DocCode {
            number: Some((i + 1).to_string()),
            notation: Some("UBND-VP".into()),
        },
        subject: Some(format!("Văn bản số {i}")),
        ..Default::default()
    };
    let mut data = Vec::with_capacity(size);
    while data.len() < size {
        data.extend_from_slice(&rng.next().to_le_bytes());
    }
    let mut atts = [OutAttachment {
        meta: AttachmentMeta {
            name: Some(format!("phu-luc-{i}.bin")),
            ..Default::default()
        },
        data: AttachmentData::Bytes(&data),
    }];
    let mut out = Vec::new();
    vanthu_edxml::write_package(&mut out, &h, &mut atts, vanthu_domain::Secrecy::Normal).unwrap();
    out
}

fn chaos(registers: bool, api: Api) {
    let seed = std::env::var("VANTHU_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("chaos seed: {seed} (VANTHU_CHAOS_SEED to replay)");
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(600);
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = Hub {
        child: None,
        port: free_port(),
        db: tmp.path().join("hub.sqlite"),
        log: tmp.path().join("hub.log"),
    };
    let url = format!("http://127.0.0.1:{}", hub.port);
    let db = hub.db.display().to_string();
    let (da, db_, dc) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for (code, name, dir) in [
        (A, "UBND Tỉnh Kon Tum", &da),
        (B, "Sở Nội vụ", &db_),
        (C, "Sở Tài chính", &dc),
    ] {
        let out = Command::new(BIN)
            .args([
                "--json",
                "hub",
                "add-agency",
                code,
                "--name",
                name,
                "--db",
                &db,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        if registers {
            vanthu(dir, &["init", "--agency-code", code, "--agency-name", name]);
        }
        let secret_file = tmp.path().join(format!("{code}.secret"));
        let mut setup = vec!["sync", "setup", "--agency", code, "--name", name];
        let endpoint = format!("{url}/vxp");
        let system_id = format!("sys-{code}");
        match api {
            Api::V1 => {
                std::fs::write(&secret_file, v["secret"].as_str().unwrap()).unwrap();
                setup.extend(["--hub", &url]);
            }
            Api::Vxp => {
                let out = Command::new(BIN)
                    .args([
                        "--json",
                        "hub",
                        "add-vxp-system",
                        code,
                        "--system-id",
                        &system_id,
                    ])
                    .args(["--db", &db])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                std::fs::write(&secret_file, v["secret"].as_str().unwrap()).unwrap();
                setup.extend(["--hub", &endpoint, "--vxp-system-id", &system_id]);
            }
        }
        setup.extend(["--secret-file", secret_file.to_str().unwrap()]);
        vanthu(dir, &setup);
    }

    // 200 packages of varied sizes (1–40 KB), so downloads are cut mid-body too.
    let pkg_dir = tmp.path().join("pkgs");
    std::fs::create_dir_all(&pkg_dir).unwrap();
    let mut files = Vec::new();
    for i in 0..PACKAGES {
        let size = rng.range(1_000, 40_000) as usize;
        let body = match api {
            Api::V1 => {
                let mut body = format!("<edXML><Subject>Văn bản số {i}</Subject><Data>");
                while body.len() < size {
                    body.push_str(&format!("{:016x}", rng.next()));
                }
                body.push_str("</Data></edXML>");
                body.into_bytes()
            }
            Api::Vxp => edxml_package(i, size * 3 / 4, &mut rng),
        };
        let f = pkg_dir.join(format!("{i:03}.edxml"));
        std::fs::write(&f, body).unwrap();
        files.push(f.display().to_string());
    }
    let mut args = vec!["sync", "send", "--to", "000.01.20.H34,000.02.20.H34"];
    args.extend(files.iter().map(String::as_str));
    vanthu(&da, &args);
    let sent: BTreeMap<String, String> = list(&da)["outbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["package"]["message_id"].as_str().unwrap().to_owned(),
                o["package"]["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(sent.len(), PACKAGES);
    let store = if registers { "registry" } else { "file" };
    for d in [&da, &db_, &dc] {
        assert_eq!(list(d)["store"], store, "queues of {}", d.display());
    }

    hub.start(true);
    let dirs = [da.as_path(), db_.as_path(), dc.as_path()];
    let mut kills = 0u32;
    let mut hub_restarts = 0u32;

    // Phase 1: transfer under fire.
    for round in 0..400 {
        assert!(Instant::now() < deadline, "chaos phase 1 timed out");
        chaos_round(&mut rng, &dirs, &mut kills, 700);
        if round % 12 == 11 {
            hub.kill();
            hub.start(true);
            hub_restarts += 1;
        }
        if kills >= MIN_KILLS / 2 && round >= 20 {
            break;
        }
    }

    // Let B and C finish receiving (faults still on, no kills), bounded.
    for _ in 0..60 {
        assert!(Instant::now() < deadline, "phase 1 convergence timed out");
        for d in &dirs {
            let _ = Command::new(BIN)
                .arg("--data-dir")
                .arg(d)
                .args(["sync", "--once"])
                .env("VANTHU_SECRET_STORE", "file")
                .stderr(Stdio::null())
                .status();
        }
        if received_edocs(&list(&db_)).len() == PACKAGES
            && received_edocs(&list(&dc)).len() == PACKAGES
        {
            break;
        }
    }

    // Phase 2: B and C register (03) and assign (04) every document; more kills meanwhile.
    for d in [&db_, &dc] {
        let ids: Vec<String> = received_edocs(&list(d))
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids.len(), PACKAGES);
        for code in ["03", "04"] {
            let mut args = vec!["sync", "status", "--code", code];
            args.extend(ids.iter().map(String::as_str));
            vanthu(d, &args);
        }
    }
    for round in 0..400 {
        assert!(Instant::now() < deadline, "chaos phase 2 timed out");
        chaos_round(&mut rng, &dirs, &mut kills, 700);
        if round % 12 == 5 {
            hub.kill();
            hub.start(true);
            hub_restarts += 1;
        }
        if kills >= MIN_KILLS && round >= 20 {
            break;
        }
    }
    assert!(kills >= MIN_KILLS, "only {kills} kills");
    assert!(hub_restarts >= 2);

    // Final convergence on a healthy hub.
    hub.kill();
    hub.start(false);
    let mut converged = false;
    for _ in 0..30 {
        assert!(Instant::now() < deadline, "final convergence timed out");
        for d in &dirs {
            vanthu(d, &["sync", "--once"]);
        }
        let (la, lb, lc) = (list(&da), list(&db_), list(&dc));
        let statuses = la["received"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "status")
            .count();
        if outbox_settled(&la)
            && outbox_settled(&lb)
            && outbox_settled(&lc)
            && statuses == PACKAGES * 2 * 3
        {
            converged = true;
            break;
        }
    }
    assert!(converged, "did not converge");

    // B and C: exactly the 200 packages, each once, byte-identical. On `/v1` under A's
    // message ids; the VXP axis names each delivery by its own DocId.
    for d in [&db_, &dc] {
        let got = received_edocs(&list(d));
        assert_eq!(got.len(), PACKAGES, "duplicates or losses");
        let ids: BTreeSet<_> = got.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(ids.len(), PACKAGES, "duplicate message ids");
        match api {
            Api::V1 => {
                let got: BTreeMap<String, String> = got.into_iter().collect();
                assert_eq!(got, sent);
            }
            Api::Vxp => {
                let got: BTreeSet<&String> = got.iter().map(|(_, sha)| sha).collect();
                let want: BTreeSet<&String> = sent.values().collect();
                assert_eq!(got, want, "the bytes A sent, each once");
            }
        }
    }
    // A: per (document, recipient) the statuses 01, 03, 04, once each, in that order.
    let la = list(&da);
    let mut per: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in la["received"].as_array().unwrap() {
        assert_eq!(r["kind"], "status");
        per.entry((
            r["related"]
                .as_str()
                .unwrap_or_else(|| panic!("a status related to nothing: {r}"))
                .to_owned(),
            r["sender"].as_str().unwrap().to_owned(),
        ))
        .or_default()
        .push(r["status_code"].as_str().unwrap().to_owned());
    }
    assert_eq!(per.len(), PACKAGES * 2);
    for ((doc, from), codes) in &per {
        assert!(sent.contains_key(doc), "status for unknown document {doc}");
        assert!(from == B || from == C);
        assert_eq!(codes, &["01", "03", "04"], "{doc} from {from}");
    }
    if registers {
        // Everything went through the registers: no sync.sqlite was ever created.
        for d in [&da, &db_, &dc] {
            assert!(!d.join("sync.sqlite").exists());
            assert_eq!(list(d)["store"], "registry");
        }
    }
    eprintln!("kills: {kills}, hub restarts: {hub_restarts} ({store} queues, {api:?})");
}
