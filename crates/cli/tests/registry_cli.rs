//! The `vanthu` binary's register commands, run as a clerk's scripts would run them.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_vanthu");

fn vanthu(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("VANTHU_USER", "test-clerk")
        .output()
        .expect("run vanthu")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = vanthu(dir, args);
    assert!(
        out.status.success(),
        "vanthu {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &a)).expect("JSON output")
}

/// Exit ≠ 0 with exactly one line on stderr; returns that line.
fn fails(dir: &Path, args: &[&str]) -> String {
    let out = vanthu(dir, args);
    assert!(
        !out.status.success(),
        "vanthu {args:?} unexpectedly succeeded"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    err
}

fn init() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &[
            "init",
            "--agency-code",
            "000.00.00.H34",
            "--agency-name",
            "UBND tỉnh Kon Tum",
        ],
    );
    dir
}

fn count(dir: &Path) -> usize {
    let conn = rusqlite::Connection::open(dir.join("vanthu.db")).unwrap();
    conn.query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

fn register_args<'a>(notation: &'a str, subject: &'a str) -> Vec<&'a str> {
    vec![
        "incoming",
        "register",
        "--from",
        "000.00.00.G22",
        "--notation",
        notation,
        "--date",
        "2024-03-01",
        "--arrival-date",
        "2024-03-02",
        "--type",
        "Công văn",
        "--subject",
        subject,
    ]
}

#[test]
fn json_contract_of_register_and_search() {
    let dir = init();
    let mut args = vec!["--json"];
    args.extend(register_args(
        "2887/VPCP-KSTT",
        "Đôn đốc gửi, nhận văn bản điện tử",
    ));
    args.extend(["--urgency", "hỏa tốc", "--signer", "Mai Tiến Dũng"]);
    let rec: Value = serde_json::from_str(&ok(dir.path(), &args)).unwrap();
    assert!(rec["id"].as_i64().unwrap() > 0);
    assert_eq!(rec["arrival_number"], 1);
    assert_eq!(rec["urgency"], "flash");
    assert_eq!(rec["arrival_date"], "2024-03-02");

    let page = json(dir.path(), &["search", "VAN BAN DIEN TU"]);
    let hit = &page["hits"][0];
    for key in [
        "id",
        "register",
        "arrival_number",
        "notation",
        "subject",
        "sender",
        "date",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    assert_eq!(hit["id"], rec["id"]);
    assert_eq!(hit["register"], "incoming");
    assert_eq!(hit["sender"], "Văn phòng Chính phủ");
    assert_eq!(hit["date"], "2024-03-01");
    assert!(page.get("next_cursor").is_some());
    let none = json(dir.path(), &["search", "không có gì như vậy"]);
    assert_eq!(none["hits"].as_array().unwrap().len(), 0);

    let shown = json(dir.path(), &["show", &rec["id"].to_string()]);
    assert_eq!(shown["notation"], "2887/VPCP-KSTT");
    assert_eq!(shown["status_events"][0]["to_state"], "registered");
    assert_eq!(shown["status_events"][0]["user"], "test-clerk");
    let list = json(dir.path(), &["list", "--register", "incoming"]);
    assert_eq!(list["hits"].as_array().unwrap().len(), 1);
    let agency = json(dir.path(), &["agency", "show", "01.01.G22"]);
    assert_eq!(agency["code"], "000.00.00.G22");
    let verify = json(dir.path(), &["audit", "verify"]);
    assert_eq!(verify["ok"], true);
}

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let dir = init();
    ok(dir.path(), &register_args("1/UBND-VP", "một"));
    let before = count(dir.path());

    let mut a = register_args("2/UBND-VP", "x");
    a[3] = "000.00.00.G98";
    assert!(fails(dir.path(), &a).contains("unknown agency"));
    let a = register_args("UBND VP", "x");
    assert!(fails(dir.path(), &a).contains("malformed document number"));
    let mut a = register_args("2/UBND-VP", "x");
    a.extend(["--file", "/nonexistent/cv.pdf"]);
    assert!(fails(dir.path(), &a).contains("cannot read PDF"));
    let not_pdf = dir.path().join("note.txt");
    std::fs::write(&not_pdf, "hello").unwrap();
    let mut a = register_args("2/UBND-VP", "x");
    a.extend(["--file", not_pdf.to_str().unwrap()]);
    assert!(fails(dir.path(), &a).contains("not a PDF"));
    let mut a = register_args("2/UBND-VP", "x");
    a[7] = "31/02/2024";
    assert!(fails(dir.path(), &a).contains("invalid date"));
    assert_eq!(count(dir.path()), before);

    // An uninitialised directory.
    let empty = tempfile::tempdir().unwrap();
    assert!(fails(empty.path(), &["list"]).contains("vanthu init"));

    // A database from a newer vanthu.
    let conn = rusqlite::Connection::open(dir.path().join("vanthu.db")).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    assert!(fails(dir.path(), &["list"]).contains("newer vanthu"));
    assert!(fails(dir.path(), &register_args("3/UBND-VP", "x")).contains("newer vanthu"));
}

#[test]
fn two_processes_allocate_distinct_consecutive_numbers() {
    let dir = init();
    let spawn = || {
        Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["dev", "stress-register", "--count", "1000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn();
    let b = spawn();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for o in [&a, &b] {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Each process saw its own numbers strictly increasing…
    let mut all: Vec<u64> = Vec::new();
    for o in [&a, &b] {
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let nums: Vec<u64> = v["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(nums.len(), 1000);
        assert!(nums.windows(2).all(|w| w[0] < w[1]));
        all.extend(nums);
    }
    // …and together they are exactly 1..=2000, as the database also says.
    all.sort_unstable();
    assert_eq!(all, (1..=2000).collect::<Vec<u64>>());
    let conn = rusqlite::Connection::open(dir.path().join("vanthu.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT number FROM documents WHERE register = 'incoming' ORDER BY number")
        .unwrap();
    let db: Vec<u64> = stmt
        .query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|n| n.unwrap() as u64)
        .collect();
    assert_eq!(db, (1..=2000).collect::<Vec<u64>>());
    ok(dir.path(), &["audit", "verify"]);
}

fn write_csv(path: &Path, rows: usize, first: usize, with_files: bool) {
    let mut s = String::from("arrival_date,sender,notation,date,type,subject,files\n");
    for i in first..first + rows {
        let file = if with_files {
            let name = format!("f{i}.pdf");
            let mut body = format!("%PDF-1.4\n% document {i}\n").into_bytes();
            body.resize(64 * 1024, b'x');
            std::fs::write(path.parent().unwrap().join(&name), body).unwrap();
            name
        } else {
            String::new()
        };
        s.push_str(&format!(
            "2024-01-02,000.00.00.G22,{i}/VPCP-KSTT,2024-01-01,Công văn,Văn bản nhập số {i},{file}\n"
        ));
    }
    std::fs::write(path, s).unwrap();
}

fn stray_temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("blobs"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(".tmp-")
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Starts an import and kills it with SIGKILL once `ready` says it is under way.
fn kill_import_midway(dir: &Path, csv: &Path, ready: impl Fn() -> bool) -> bool {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(["incoming", "import-csv"])
        .arg(csv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            // Finished before we could interrupt it: the caller checks the full result.
            assert!(status.success());
            return false;
        }
        if ready() {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn kill_9_during_bulk_import_loses_nothing_committed() {
    let dir = init();
    let work = tempfile::tempdir().unwrap();
    let first = work.path().join("first.csv");
    write_csv(&first, 50, 1, false);
    ok(
        dir.path(),
        &["incoming", "import-csv", first.to_str().unwrap()],
    );
    let committed = ok(dir.path(), &["export", "csv"]);
    assert_eq!(committed.lines().count(), 51);

    // 1: killed while storing attachments (before the transaction).
    let with_files = work.path().join("files.csv");
    write_csv(&with_files, 400, 51, true);
    let blobs = dir.path().join("blobs");
    let interrupted = kill_import_midway(dir.path(), &with_files, || {
        std::fs::read_dir(&blobs).map(|rd| rd.count()).unwrap_or(0) > 20
    });
    // 2: killed inside the database transaction.
    let big = work.path().join("big.csv");
    write_csv(&big, 60_000, 1000, false);
    let wal = dir.path().join("vanthu.db-wal");
    let interrupted_tx = kill_import_midway(dir.path(), &big, || {
        std::fs::metadata(&wal)
            .map(|m| m.len() > 4_000_000)
            .unwrap_or(false)
    });

    eprintln!(
        "interrupted while storing files: {interrupted}, inside the transaction: {interrupted_tx}"
    );
    // Both imports are far longer than the polling interval; at least one must have been cut.
    assert!(interrupted || interrupted_tx, "no import was interrupted");
    // The next start: committed entries intact, chain intact, no temp files.
    let out = vanthu(dir.path(), &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stray_temp_files(dir.path()).is_empty());
    let n = count(dir.path());
    let mut expected = 50;
    if !interrupted {
        expected += 400;
    }
    if !interrupted_tx {
        expected += 60_000;
    }
    assert_eq!(n, expected, "interrupted: {interrupted}/{interrupted_tx}");
    let after = ok(dir.path(), &["export", "csv"]);
    assert!(after.starts_with(&committed), "committed rows changed");
    // Numbering continues without a gap after the aborted imports.
    let next = json(dir.path(), &register_args("9/UBND-VP", "sau khi khôi phục"));
    assert_eq!(
        next["arrival_number"].as_u64().unwrap() as usize,
        expected + 1
    );
}

#[test]
fn hand_edited_audit_row_is_reported() {
    let dir = init();
    for i in 1..=3 {
        ok(dir.path(), &register_args(&format!("{i}/UBND-VP"), "việc"));
    }
    ok(dir.path(), &["audit", "verify"]);
    let conn = rusqlite::Connection::open(dir.path().join("vanthu.db")).unwrap();
    assert!(conn
        .execute("UPDATE audit_log SET user = 'kẻ gian' WHERE seq = 3", [])
        .is_err());
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET user = 'kẻ gian' WHERE seq = 3;",
    )
    .unwrap();
    drop(conn);
    let err = fails(dir.path(), &["audit", "verify"]);
    assert!(err.contains("row 3"), "{err}");
}

#[test]
fn csv_import_reports_the_bad_line_and_commits_nothing() {
    let dir = init();
    let work = tempfile::tempdir().unwrap();
    let csv = work.path().join("den.csv");
    std::fs::write(
        &csv,
        "Ngày đến,Tác giả,\"Số, ký hiệu văn bản\",Ngày tháng văn bản,Tên loại văn bản,Trích yếu nội dung\n\
         02/01/2024,Văn phòng Chính phủ,1/VPCP-KSTT,01/01/2024,Công văn,một\n\
         02/01/2024,000.00.00.G22,VPCP-KSTT,01/01/2024,Công văn,hai\n",
    )
    .unwrap();
    let err = fails(
        dir.path(),
        &["incoming", "import-csv", csv.to_str().unwrap()],
    );
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(count(dir.path()), 0);
    std::fs::write(
        &csv,
        "Ngày đến,Tác giả,\"Số, ký hiệu văn bản\",Ngày tháng văn bản,Tên loại văn bản,Trích yếu nội dung\n\
         02/01/2024,Văn phòng Chính phủ,1/VPCP-KSTT,01/01/2024,Công văn,một\n",
    )
    .unwrap();
    ok(
        dir.path(),
        &["incoming", "import-csv", csv.to_str().unwrap()],
    );
    assert_eq!(count(dir.path()), 1);
    let exported = ok(dir.path(), &["export", "csv"]);
    assert!(exported.contains("02/01/2024,1,Văn phòng Chính phủ,000.00.00.G22,01/VPCP-KSTT"));
}

#[test]
fn outgoing_create_and_issue() {
    let dir = init();
    let draft = json(
        dir.path(),
        &[
            "outgoing",
            "create",
            "--notation",
            "QĐ-UBND",
            "--type",
            "QĐ",
            "--subject",
            "Quyết định thành lập Tổ công tác",
            "--to",
            "000.00.00.G09",
            "--to",
            "Lưu: VT",
        ],
    );
    assert!(draft["number"].is_null());
    let id = draft["id"].to_string();
    let issued = json(
        dir.path(),
        &["outgoing", "issue", &id, "--date", "05/01/2025"],
    );
    assert_eq!(issued["notation"], "01/QĐ-UBND");
    assert_eq!(issued["document_date"], "2025-01-05");
    assert!(fails(dir.path(), &["outgoing", "issue", &id]).contains("already issued"));
    let hits = json(
        dir.path(),
        &["search", "to cong tac", "--register", "outgoing"],
    );
    assert_eq!(hits["hits"][0]["notation"], "01/QĐ-UBND");
}

/// Scan drafts are rows of the register: an older app's `scan-drafts.json` is moved in once,
/// `vanthu scan list` shows them, `vanthu scan discard` drops one (audited).
#[test]
fn scan_drafts_of_the_app_are_visible_and_discardable_from_the_cli() {
    let dir = init();
    assert_eq!(json(dir.path(), &["scan", "list"]), serde_json::json!([]));
    // The app of an earlier version kept the drafts' content in the attachment store and the
    // list in a JSON file; a registered document puts the same content in the store.
    let pdf = dir.path().join("scan.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 scan of a letter").unwrap();
    let mut args = register_args("12/UBND-VP", "Bản quét");
    args.extend(["--file", pdf.to_str().unwrap()]);
    ok(dir.path(), &args);
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(&pdf).unwrap()))
    };
    let list = serde_json::json!({"next_id": 3, "drafts": [
        {"id": 2, "file_name": "Công văn 7.pdf", "sha256": sha, "size": 25,
         "received_at": "2026-12-01T08:00:00+07:00", "text": "UBND TỈNH KON TUM\nSố: 7"},
        {"id": 3, "file_name": "mất.pdf", "sha256": "00".repeat(32), "size": 1,
         "received_at": "2026-12-01T08:01:00+07:00", "text": null}
    ]});
    let json_path = dir.path().join("scan-drafts.json");
    std::fs::write(&json_path, list.to_string()).unwrap();

    let drafts = json(dir.path(), &["scan", "list"]);
    let drafts = drafts.as_array().unwrap();
    // The draft whose content is missing cannot be registered and is not carried over.
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(drafts[0]["file_name"], "Công văn 7.pdf");
    assert_eq!(drafts[0]["sha256"], sha.as_str());
    assert!(!json_path.exists());
    assert!(dir.path().join("scan-drafts.json.migrated").exists());
    let text = ok(dir.path(), &["scan", "list"]);
    assert!(
        text.contains("Công văn 7.pdf") && text.contains("UBND TỈNH KON TUM"),
        "{text}"
    );

    let id = drafts[0]["id"].to_string();
    ok(dir.path(), &["scan", "discard", &id]);
    assert_eq!(json(dir.path(), &["scan", "list"]), serde_json::json!([]));
    let err = fails(dir.path(), &["scan", "discard", &id]);
    assert!(err.contains("không có bản quét"), "{err}");
    let verify = json(dir.path(), &["audit", "verify"]);
    assert_eq!(verify["ok"], true);
}

/// People and roles from the CLI (issue 21): a chuyên viên signed in at this desktop cannot
/// issue a number, the refusal says who and why, the văn thư can, and the audit log names her.
#[test]
fn people_and_roles_are_enforced_for_cli_scripts_too() {
    let dir = init();
    ok(dir.path(), &["people", "add-department", "Văn phòng"]);
    let an = json(
        dir.path(),
        &[
            "people",
            "add",
            "--name",
            "Nguyễn Thị An",
            "--department",
            "Văn phòng",
            "--role",
            "văn-thư",
        ],
    );
    let binh = json(
        dir.path(),
        &[
            "people",
            "add",
            "--name",
            "Trần Thị Bình",
            "--role",
            "chuyên viên",
        ],
    );
    let list = json(dir.path(), &["people", "list"]);
    assert_eq!(list["people"].as_array().unwrap().len(), 2);
    assert_eq!(
        list["signed_in"]["id"], an["id"],
        "the first person is this desk"
    );
    let draft = json(
        dir.path(),
        &[
            "outgoing",
            "create",
            "--notation",
            "UBND-VP",
            "--type",
            "Công văn",
            "--subject",
            "Báo cáo",
        ],
    );
    let id = draft["id"].to_string();
    ok(dir.path(), &["people", "sign-in", &binh["id"].to_string()]);
    let err = fails(
        dir.path(),
        &["outgoing", "issue", &id, "--date", "07/12/2026"],
    );
    assert!(
        err.contains("Trần Thị Bình không có quyền cấp số văn bản"),
        "{err}"
    );
    ok(dir.path(), &["people", "sign-in", &an["id"].to_string()]);
    let issued = json(
        dir.path(),
        &["outgoing", "issue", &id, "--date", "07/12/2026"],
    );
    assert_eq!(issued["number"], 1);
    let log = json(dir.path(), &["audit", "log", "--limit", "1"]);
    assert_eq!(log[0]["user"], "Nguyễn Thị An");
}

/// `vanthu handling`: the leader assigns with chủ trì, phối hợp, deadline and instruction; a
/// chuyên viên cannot; the handler's notes, reply draft and extension request are recorded
/// (the reply draft as an outgoing draft), and the leader's decision moves the deadline.
#[test]
fn handling_from_the_cli() {
    let dir = init();
    let an = json(
        dir.path(),
        &[
            "people",
            "add",
            "--name",
            "Nguyễn Thị An",
            "--role",
            "văn-thư",
        ],
    );
    let binh = json(
        dir.path(),
        &[
            "people",
            "add",
            "--name",
            "Trần Thị Bình",
            "--role",
            "chuyên viên",
            "--desktop",
            "000.00.00.H34/CV",
        ],
    );
    assert_eq!(binh["desktop"], "000.00.00.H34/CV");
    let cuong = json(
        dir.path(),
        &[
            "people",
            "add",
            "--name",
            "Lê Văn Cường",
            "--role",
            "lãnh đạo",
        ],
    );
    let rec = json(
        dir.path(),
        &register_args("12/UBND-VP", "Về việc rà soát biên chế"),
    );
    let id = rec["id"].to_string();
    ok(dir.path(), &["people", "sign-in", &binh["id"].to_string()]);
    let err = fails(
        dir.path(),
        &["handling", "assign", &id, "--lead", "Trần Thị Bình"],
    );
    assert!(err.contains("không có quyền phân công"), "{err}");
    ok(dir.path(), &["people", "sign-in", &cuong["id"].to_string()]);
    let h = json(
        dir.path(),
        &[
            "handling",
            "assign",
            &id,
            "--lead",
            "Trần Thị Bình",
            "--support",
            "Phòng Tổ chức",
            "--deadline",
            "31/12/2099",
            "--instruction",
            "Tham mưu trả lời",
        ],
    );
    assert_eq!(h["assignments"][0]["assignee"], "Trần Thị Bình");
    assert_eq!(h["assignments"][1]["role"], "support");
    assert_eq!(h["assignments"][0]["deadline"], "2099-12-31");
    ok(dir.path(), &["people", "sign-in", &binh["id"].to_string()]);
    ok(
        dir.path(),
        &["handling", "note", &id, "--text", "Đã tổng hợp số liệu"],
    );
    let draft = dir.path().join("Trả lời.docx");
    std::fs::write(&draft, b"PK\x03\x04 tra loi").unwrap();
    let h = json(
        dir.path(),
        &["handling", "reply", &id, draft.to_str().unwrap()],
    );
    let reply = h["notes"][1]["reply_document_id"].as_i64().unwrap();
    let shown = json(dir.path(), &["show", &reply.to_string()]);
    assert_eq!(shown["register"], "outgoing");
    let h = json(
        dir.path(),
        &[
            "handling",
            "extend",
            &id,
            "--until",
            "15/01/2100",
            "--reason",
            "Chờ số liệu",
        ],
    );
    assert_eq!(h["pending_extension"]["deadline"], "2100-01-15");
    let err = fails(dir.path(), &["handling", "decide", &id, "--grant"]);
    assert!(err.contains("không có quyền phân công"), "{err}");
    ok(dir.path(), &["people", "sign-in", &cuong["id"].to_string()]);
    let h = json(dir.path(), &["handling", "decide", &id, "--grant"]);
    assert!(h["pending_extension"].is_null());
    let shown = json(dir.path(), &["show", &id]);
    assert_eq!(shown["deadline"], "2100-01-15");
    let _ = an;
    let text = ok(dir.path(), &["handling", "show", &id]);
    assert!(text.contains("Chủ trì: Trần Thị Bình"), "{text}");
    assert!(text.contains("extension_granted"), "{text}");
}

/// Signature and seal images from the CLI (issue 21, item 6): the văn thư sets the seal and
/// a leader's signature from PNG files the register checks; a file that is not a PNG is
/// refused in one clear line.
#[test]
fn seal_and_signature_images_are_set_from_png_files() {
    let dir = init();
    let images = tempfile::tempdir().unwrap();
    let st = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sign/make-images.py"))
        .arg(images.path())
        .status()
        .unwrap();
    assert!(st.success());
    let seal = images.path().join("seal.png");
    let sig = images.path().join("signature.png");
    let clerk = json(
        dir.path(),
        &[
            "people",
            "add",
            "--name",
            "Trần Thị Bình",
            "--role",
            "văn-thư",
        ],
    );
    let leader = json(
        dir.path(),
        &[
            "people",
            "add",
            "--name",
            "Nguyễn Văn An",
            "--role",
            "lãnh-đạo",
        ],
    );
    let leader_id = leader["id"].to_string();
    assert!(json(dir.path(), &["unit", "seal"])["image"].is_null());
    let set = json(dir.path(), &["unit", "set-seal", seal.to_str().unwrap()]);
    assert_eq!(set["image"]["width"], 200);
    assert_eq!(
        std::fs::read(set["path"].as_str().unwrap()).unwrap(),
        std::fs::read(&seal).unwrap()
    );
    let set = json(
        dir.path(),
        &["people", "set-signature", &leader_id, sig.to_str().unwrap()],
    );
    assert_eq!(
        (
            set["image"]["width"].as_u64(),
            set["image"]["height"].as_u64()
        ),
        (Some(300), Some(120))
    );

    let not_png = images.path().join("chu-ky.png");
    std::fs::write(&not_png, b"%PDF-1.7 not an image").unwrap();
    let err = fails(
        dir.path(),
        &[
            "people",
            "set-signature",
            &leader_id,
            not_png.to_str().unwrap(),
        ],
    );
    assert!(err.contains("không phải tệp PNG"), "{err}");
    // A clerk cannot have a signature image: only leaders sign as leaders.
    let err = fails(
        dir.path(),
        &[
            "people",
            "set-signature",
            &clerk["id"].to_string(),
            sig.to_str().unwrap(),
        ],
    );
    assert!(err.contains("không phải lãnh đạo"), "{err}");
    ok(dir.path(), &["unit", "set-seal", "--remove"]);
    assert!(json(dir.path(), &["unit", "seal"])["image"].is_null());
}
