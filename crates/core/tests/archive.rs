//! Archive packages (docs/archive.md): chosen records with gaps in their numbers, one signed
//! on SoftHSM2, exported, verified, restored into an empty register under the same numbers
//! with the same bytes; a register in use, another unit's register, a damaged package and a
//! package whose checksums were forged around a changed signed PDF are all refused.
mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Mutex;

use vanthu_core::archive::{
    export_package, import_package, verify_package, ArchiveError, FileInfo,
};
use vanthu_domain::Secrecy;
use vanthu_registry::{NewAgency, NewIncoming, NewOutgoing, Registry};
use vanthu_sign::testing;

const A: &str = "000.00.00.H34";
const HUYEN: &str = "000.00.31.H34";

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn file() -> FileInfo {
    FileInfo {
        notation: "01.VP".into(),
        title: "Hồ sơ thử nộp lưu".into(),
        maintenance: "Vĩnh viễn".into(),
        rights: "Công khai".into(),
        ..Default::default()
    }
}

/// A unit with four incoming documents (the second left out of the package, the fourth in
/// the secret series) and one signed, issued outgoing document. Returns the ids to archive.
fn unit_with_records(dir: &Path) -> Vec<i64> {
    let mut reg = Registry::open(dir).unwrap();
    reg.init_unit(A, "UBND tỉnh Kon Tum").unwrap();
    reg.add_agency(NewAgency {
        code: HUYEN.into(),
        name: "UBND huyện Đắk Hà".into(),
        ..Default::default()
    })
    .unwrap();
    let mut ids = Vec::new();
    for i in 1..=4 {
        let rec = reg
            .register_incoming(NewIncoming {
                sender: HUYEN.into(),
                notation: format!("{i}/UBND-VP"),
                document_date: day("2025-03-01"),
                arrival_date: Some(day("2025-03-02")),
                doc_type: "Công văn".into(),
                subject: format!("Về việc số {i}"),
                secrecy: if i == 3 {
                    Secrecy::Confidential
                } else {
                    Secrecy::Normal
                },
                files: vec![testing::corpus("minimal.pdf")],
                ..Default::default()
            })
            .unwrap();
        if i != 2 {
            ids.push(rec.id);
        }
    }
    let out = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Về việc nộp lưu hồ sơ".into(),
            signer: Some("Nguyễn Văn An".into()),
            recipients: vec![HUYEN.into(), "Lưu: VT".into()],
            files: vec![testing::corpus("minimal.pdf")],
            ..Default::default()
        })
        .unwrap()
        .id;
    let reg = Mutex::new(reg);
    common::sign_as_leader(&reg, out);
    let mut reg = reg.into_inner().unwrap();
    // Two outgoing numbers used before this one: the package's outgoing number is 3.
    for n in 0..2 {
        let d = reg
            .create_outgoing(NewOutgoing {
                notation: "UBND-VP".into(),
                doc_type: "Công văn".into(),
                subject: format!("Văn bản khác {n}"),
                ..Default::default()
            })
            .unwrap()
            .id;
        reg.issue_outgoing(d, day("2025-04-01")).unwrap();
    }
    reg.issue_outgoing(out, day("2025-04-02")).unwrap();
    ids.push(out);
    ids
}

/// Rewrites a package with `change` applied to its entries (name → bytes).
fn rewrite(src: &Path, dst: &Path, change: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().to_owned();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        zout.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&change(&name, data)).unwrap();
    }
    zout.finish().unwrap();
}

fn sha(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[test]
fn a_package_restores_the_same_records_under_the_same_numbers() {
    let src = tempfile::tempdir().unwrap();
    let ids = unit_with_records(src.path());
    let reg = Registry::open(src.path()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let pkg = work.path().join("ho-so.vtarc");
    let trust = testing::trust_store();
    let s = export_package(&reg, &ids, &file(), &trust, &pkg).unwrap();
    assert_eq!(s.file_code, "000.00.00.H34.2025.01.VP");
    // The outgoing document carries its draft and the signed PDF.
    assert_eq!((s.documents, s.files), (4, 5));
    assert_eq!(s.signatures_valid, 1);

    let v = verify_package(&pkg, &trust).unwrap();
    assert!(v.ok(), "{:?}", v.problems);
    assert_eq!(v.signatures, 1);

    // The metadata of NĐ 30 / TT 02/2019.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&pkg).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("van-ban.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert_eq!(xml.matches("<IncomingDocument>").count(), 3);
    assert!(xml.contains("<ArrivalNumber>3</ArrivalNumber>"), "{xml}");
    assert!(
        xml.contains("<CodeNumber>03</CodeNumber>\n    <CodeNotation>UBND-VP</CodeNotation>"),
        "{xml}"
    );
    assert!(xml.contains("<OrganName>UBND huyện Đắk Hà</OrganName>"));
    assert!(xml.contains("<PageAmount>1</PageAmount>"));
    let mut file_xml = String::new();
    zip.by_name("ho-so.xml")
        .unwrap()
        .read_to_string(&mut file_xml)
        .unwrap();
    assert!(
        file_xml.contains("<DocTotal>4</DocTotal>")
            && file_xml.contains("<FileNotation>01.VP</FileNotation>")
    );

    // Restored into an empty data directory: the unit is set up from the package, every
    // record keeps its number and its files' bytes.
    let dst = tempfile::tempdir().unwrap();
    let mut fresh = Registry::open(dst.path()).unwrap();
    let imported = import_package(&mut fresh, &pkg, &trust).unwrap();
    assert_eq!(imported.ids.len(), 4);
    assert_eq!(fresh.own_unit().unwrap().unwrap().0, A);
    for (old, new) in ids.iter().zip(&imported.ids) {
        let (a, b) = (reg.get(*old).unwrap(), fresh.get(*new).unwrap());
        assert_eq!(
            (a.register, a.series, a.number, a.year),
            (b.register, b.series, b.number, b.year),
            "{}",
            a.notation
        );
        assert_eq!(
            (&a.notation, &a.subject, &a.sender),
            (&b.notation, &b.subject, &b.sender)
        );
        let hashes = |r: &vanthu_registry::DocumentRecord| {
            r.attachments
                .iter()
                .map(|x| x.sha256.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(hashes(&a), hashes(&b));
    }
    let restored_out = fresh.get(*imported.ids.last().unwrap()).unwrap();
    assert_eq!(restored_out.number, Some(3));
    assert_eq!(restored_out.recipients.len(), 2);
    assert!(fresh.audit_verify().unwrap().ok);

    // Not into a register in use, and not into another unit's.
    let err = import_package(&mut fresh, &pkg, &trust).unwrap_err();
    assert!(matches!(err, ArchiveError::Registry(_)), "{err}");
    assert_eq!(fresh.count(None).unwrap(), 4);
    let other = tempfile::tempdir().unwrap();
    let mut other_reg = Registry::open(other.path()).unwrap();
    other_reg
        .init_unit("000.00.00.H35", "UBND tỉnh Lai Châu")
        .unwrap();
    assert!(matches!(
        import_package(&mut other_reg, &pkg, &trust),
        Err(ArchiveError::OtherUnit(..))
    ));
}

#[test]
fn damaged_or_forged_packages_are_refused_and_import_nothing() {
    let src = tempfile::tempdir().unwrap();
    let ids = unit_with_records(src.path());
    let reg = Registry::open(src.path()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let pkg = work.path().join("ho-so.vtarc");
    let trust = testing::trust_store();
    export_package(&reg, &ids, &file(), &trust, &pkg).unwrap();

    // A byte of a file changed: its checksum no longer matches.
    let damaged = work.path().join("damaged.vtarc");
    rewrite(&pkg, &damaged, |name, mut data| {
        if name.starts_with("tep/001/") {
            data[20] ^= 1;
        }
        data
    });
    let v = verify_package(&damaged, &trust).unwrap();
    assert!(
        v.problems.iter().any(|p| p.contains("tep/001/")),
        "{:?}",
        v.problems
    );

    // The signed PDF changed and every checksum forged to match: the signature says so.
    let signed_path = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&pkg).unwrap()).unwrap();
        let mut m = String::new();
        zip.by_name("records.json")
            .unwrap()
            .read_to_string(&mut m)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&m).unwrap();
        // The outgoing document's file with a valid signature (its draft has none).
        let files = v["documents"][3]["files"].as_array().unwrap().clone();
        let signed = files
            .iter()
            .find(|f| {
                f["signatures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["valid"] == true)
            })
            .expect("the signed PDF");
        signed["path"].as_str().unwrap().to_owned()
    };
    let forged = work.path().join("forged.vtarc");
    let tampered = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&pkg).unwrap()).unwrap();
        let mut data = Vec::new();
        zip.by_name(&signed_path)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        // Inside the first signed byte range: the original page content.
        let at = data.windows(6).position(|w| w == b"stream").unwrap() + 10;
        data[at] ^= 0x20;
        data
    };
    let (old_sha, new_sha) = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&pkg).unwrap()).unwrap();
        let mut data = Vec::new();
        zip.by_name(&signed_path)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        (sha(&data), sha(&tampered))
    };
    let records_sha = std::cell::RefCell::new((String::new(), String::new()));
    let staged = work.path().join("staged.vtarc");
    rewrite(&pkg, &staged, |name, data| {
        if name == signed_path {
            tampered.clone()
        } else if name == "records.json" {
            let fixed = String::from_utf8(data.clone())
                .unwrap()
                .replace(&old_sha, &new_sha);
            *records_sha.borrow_mut() = (sha(&data), sha(fixed.as_bytes()));
            fixed.into_bytes()
        } else {
            data
        }
    });
    let (old_rec, new_rec) = records_sha.borrow().clone();
    rewrite(&staged, &forged, |name, data| {
        if name == "manifest.json" {
            let text = String::from_utf8(data).unwrap();
            let text = text.replace(&old_sha, &new_sha).replace(&old_rec, &new_rec);
            // Sizes are unchanged: one byte flipped in place.
            text.into_bytes()
        } else {
            data
        }
    });
    let v = verify_package(&forged, &trust).unwrap();
    assert!(
        v.problems.len() == 1 && v.problems[0].contains("không còn hợp lệ"),
        "{:?}",
        v.problems
    );

    for bad in [&damaged, &forged] {
        let dst = tempfile::tempdir().unwrap();
        let mut fresh = Registry::open(dst.path()).unwrap();
        let err = import_package(&mut fresh, bad, &trust).unwrap_err();
        assert!(matches!(err, ArchiveError::Failed(_)), "{err}");
        assert_eq!(fresh.count(None).unwrap(), 0);
        assert!(
            fresh.own_unit().unwrap().is_none(),
            "nothing written, not even the unit"
        );
    }
}
