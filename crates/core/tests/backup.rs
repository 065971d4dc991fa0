//! Backup and restore (vanthu_core::backup): a backup taken while another writer keeps
//! registering restores to a register holding every document committed before it began,
//! with a verifying audit chain; damaged files and non-empty targets are refused.
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

use vanthu_core::backup::{self, BackupError};
use vanthu_registry::{NewIncoming, Registry};

fn incoming(i: u32, file: Option<&Path>) -> NewIncoming {
    NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: format!("{i}/VPCP-KSTT"),
        document_date: "2026-11-02".parse().unwrap(),
        doc_type: "Công văn".into(),
        subject: format!("Đôn đốc gửi, nhận văn bản điện tử lần {i}"),
        files: file.map(|f| vec![f.to_path_buf()]).unwrap_or_default(),
        ..Default::default()
    }
}

fn unit(dir: &Path) -> Registry {
    let mut reg = Registry::open(dir).unwrap();
    reg.init_unit("000.00.00.H34", "Sở Thông tin và Truyền thông")
        .unwrap();
    reg
}

#[test]
fn backup_restores_documents_attachments_and_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut reg = unit(&data);
    let pdf = tmp.path().join("cong-van.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n% n\xe1\xbb\x99i dung\n%%EOF\n").unwrap();
    let a = reg.register_incoming(incoming(1, Some(&pdf))).unwrap();
    let b = reg.register_incoming(incoming(2, None)).unwrap();
    std::fs::write(
        data.join("sync-settings.json"),
        br#"{"hub":"https://127.0.0.1"}"#,
    )
    .unwrap();
    std::fs::write(data.join("hub-secret"), b"never in a backup").unwrap();

    let file = tmp.path().join("out").join("b.vtbak");
    let s = backup::create_backup(&reg, &file).unwrap();
    assert_eq!(s.manifest.documents, 2);
    assert_eq!(s.blobs(), 1);
    assert_eq!(s.manifest.unit.as_ref().unwrap().0, "000.00.00.H34");
    assert!(!s.manifest.files.iter().any(|f| f.path == "hub-secret"));
    // The scratch folder beside the output is gone.
    let left: Vec<_> = std::fs::read_dir(file.parent().unwrap()).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(backup::verify_backup(&file).unwrap(), s.manifest);

    let restored = tmp.path().join("restored");
    let r = backup::restore_backup(&file, &restored).unwrap();
    assert!(r.audit_rows > 0);
    let copy = Registry::open_existing(&restored).unwrap();
    assert!(copy.audit_verify().unwrap().ok);
    assert_eq!(copy.get(b.id).unwrap().subject, b.subject);
    let got = copy.get(a.id).unwrap();
    assert_eq!(
        std::fs::read(copy.attachment_path(&got.attachments[0])).unwrap(),
        std::fs::read(&pdf).unwrap()
    );
    assert_eq!(
        std::fs::read(restored.join("sync-settings.json")).unwrap(),
        br#"{"hub":"https://127.0.0.1"}"#
    );
    assert!(!restored.join("hub-secret").exists());
}

#[test]
fn restore_refuses_a_non_empty_directory_and_a_damaged_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut reg = unit(&data);
    let pdf = tmp.path().join("x.pdf");
    std::fs::write(&pdf, vec![b'x'; 100_000]).unwrap();
    reg.register_incoming(incoming(1, Some(&pdf))).unwrap();
    let file = tmp.path().join("b.vtbak");
    backup::create_backup(&reg, &file).unwrap();

    // Over existing data: refused, the data untouched.
    let err = backup::restore_backup(&file, &data).unwrap_err();
    assert!(matches!(err, BackupError::NotEmpty(_)), "{err}");
    assert_eq!(
        Registry::open_existing(&data).unwrap().count(None).unwrap(),
        1
    );

    // One byte of the stored attachment changed: refused, nothing left behind.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes
        .windows(1000)
        .position(|w| w.iter().all(|&c| c == b'x'))
        .unwrap();
    bytes[at + 10] = b'y';
    let bad = tmp.path().join("bad.vtbak");
    std::fs::write(&bad, &bytes).unwrap();
    assert!(matches!(
        backup::verify_backup(&bad).unwrap_err(),
        BackupError::Checksum(_)
    ));
    let target = tmp.path().join("new");
    let err = backup::restore_backup(&bad, &target).unwrap_err();
    assert!(matches!(err, BackupError::Checksum(_)), "{err}");
    assert!(!target.exists());
    let stray: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".vanthu-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");

    // Not a backup at all.
    let junk = tmp.path().join("junk.vtbak");
    std::fs::write(&junk, b"PK not really").unwrap();
    assert!(matches!(
        backup::restore_backup(&junk, &target).unwrap_err(),
        BackupError::NotABackup(_)
    ));
}

#[test]
fn backup_while_another_writer_registers_holds_everything_committed_before() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let reg = unit(&data);
    let pdf = tmp.path().join("p.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%%EOF\n").unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let writer = {
        let (data, pdf, stop) = (data.clone(), pdf.clone(), stop.clone());
        std::thread::spawn(move || {
            // Its own connection, as another process (the app) would have.
            let mut w = Registry::open_existing(&data).unwrap();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let file = (i % 3 == 0).then_some(pdf.as_path());
                let rec = w.register_incoming(incoming(i, file)).unwrap();
                tx.send(rec.id).unwrap();
            }
            i
        })
    };
    // Let the writer get going, then take the backup while it keeps registering.
    let mut before: Vec<i64> = Vec::new();
    while before.len() < 30 {
        before.push(rx.recv().unwrap());
    }
    before.extend(rx.try_iter());
    let file = tmp.path().join("b.vtbak");
    let s = backup::create_backup(&reg, &file).unwrap();
    let mut during = 0;
    while during < 5 {
        rx.recv().unwrap();
        during += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let total = writer.join().unwrap();
    assert!(s.manifest.documents as usize >= before.len());
    assert!(
        (total as u64) > s.manifest.documents,
        "the writer went on after the snapshot"
    );

    let restored = tmp.path().join("restored");
    backup::restore_backup(&file, &restored).unwrap();
    let copy = Registry::open_existing(&restored).unwrap();
    assert!(copy.audit_verify().unwrap().ok);
    for id in &before {
        let rec = copy.get(*id).unwrap();
        for a in &rec.attachments {
            assert!(copy.attachment_path(a).is_file(), "attachment of {id}");
        }
    }
    assert_eq!(copy.count(None).unwrap(), s.manifest.documents);
}

#[test]
fn a_folder_keeps_only_the_newest_backups() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = unit(&tmp.path().join("data"));
    let folder = tmp.path().join("backups");
    let mut made = Vec::new();
    for _ in 0..3 {
        let (s, _) = backup::backup_into_folder(&reg, &folder, 2).unwrap();
        made.push(s.path);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut left: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    left.sort();
    assert_eq!(left, made[1..].to_vec());
}

#[test]
fn a_schedule_backs_up_once_per_interval() {
    use vanthu_core::backup_schedule::{list_backups, BackupSchedule};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let reg = unit(&data);
    let off = BackupSchedule::default();
    assert!(off
        .run_if_due(&reg, chrono::Local::now())
        .unwrap()
        .is_none());

    let schedule = BackupSchedule {
        folder: Some(tmp.path().join("share").join("vanthu")),
        every_hours: 6,
        keep: 3,
    };
    schedule.save(&data).unwrap();
    let now = chrono::Local::now();
    let (first, _) = schedule
        .run_if_due(&reg, now)
        .unwrap()
        .expect("due at once");
    assert!(!schedule.is_due(now).unwrap());
    assert!(schedule.run_if_due(&reg, now).unwrap().is_none());
    let backups = list_backups(schedule.folder.as_deref().unwrap()).unwrap();
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].path, first.path);
    // Six hours on, the next one is due.
    let later = backups[0].taken_at + chrono::Duration::hours(6);
    assert!(schedule.run_if_due(&reg, later).unwrap().is_some());
    assert_eq!(
        list_backups(schedule.folder.as_deref().unwrap())
            .unwrap()
            .len(),
        2
    );
    // The schedule travels with the backup.
    let restored = tmp.path().join("restored");
    backup::restore_backup(&first.path, &restored).unwrap();
    assert_eq!(BackupSchedule::load(&restored).unwrap(), schedule);
}
