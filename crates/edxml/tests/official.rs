//! Packages written by the official edXML library (EdXML102-0.0.3.jar, `com.vnpt.xml.*`; the
//! files in tests/data/official were built with it by tests/interop/java/EdxmlInterop.java, next
//! to what that program says each must read as) and the two status header forms: the official
//! `edXML:MessageHeader` and the older `edXML:Status`. Status or document is told by content.
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use vanthu_edxml::*;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn expect(name: &str) -> Value {
    serde_json::from_reader(File::open(data(name)).unwrap()).unwrap()
}

/// `actual` has every field `expected` has, with the same value; empty text and null are the
/// same thing in edXML (the official builder leaves empty fields out).
fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    let blank = |v: &Value| v.is_null() || v.as_str() == Some("");
    match (expected, actual) {
        (e, a) if blank(e) => assert!(blank(a), "{path}: expected nothing, found {a}"),
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                assert_subset(v, a.get(k).unwrap_or(&Value::Null), &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: {a:?}");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                assert_subset(x, y, &format!("{path}[{i}]"));
            }
        }
        (e, a) => assert_eq!(e, a, "{path}"),
    }
}

#[test]
fn official_status_reads_with_every_field() {
    let s = read_status(
        File::open(data("official/status-04.edxml")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert!(s.report.warnings.is_empty(), "{:?}", s.report.warnings);
    assert_subset(
        &expect("official/status-04.expect.json"),
        &json::status(&s.status),
        "status",
    );
    // A status is not a document.
    let e = read_package(
        File::open(data("official/status-04.edxml")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::WrongKind { .. }), "{e}");
}

#[test]
fn official_documents_read_with_every_field_and_hash() {
    for kind in ["update", "replace"] {
        let tmp = tempfile::tempdir().unwrap();
        let opts = ReadOptions {
            attachment_dir: Some(tmp.path().to_path_buf()),
            ..Default::default()
        };
        let p = read_package(
            File::open(data(&format!("official/{kind}.edxml"))).unwrap(),
            &opts,
        )
        .unwrap();
        let mut got = json::inspect(&p);
        // The library zips some attachments (the .txt here) and names the archive after the
        // original: the hash that matters is the original's, after unwrapping.
        for (i, a) in p.attachments.iter().enumerate() {
            let f = a.file.as_ref().expect("content");
            let out = tmp.path().join(format!("plain-{i}"));
            let name = a.meta.name.clone().unwrap();
            zip::copy_unwrapped(f.path(), &out, &name).unwrap();
            let mut bytes = Vec::new();
            File::open(&out).unwrap().read_to_end(&mut bytes).unwrap();
            got["attachments"][i]["size"] = (bytes.len() as u64).into();
            got["attachments"][i]["sha256"] = hex::encode(Sha256::digest(&bytes)).into();
        }
        assert_subset(&expect(&format!("official/{kind}.expect.json")), &got, kind);
    }
}

/// The old header form (vanthu before it followed the official library, and some .NET
/// variants) still reads, and gives the same message as the official form.
#[test]
fn old_status_form_still_reads() {
    let st = StatusMessage {
        response_for: ResponseFor::for_document_id(
            Some("000.00.00.H34"),
            "000.00.00.H34,2024/03/05,412/UBND-HCTC",
        ),
        from: Organization {
            organ_id: Some("000.00.00.G22".into()),
            organ_name: Some("Văn phòng Chính phủ".into()),
            ..Default::default()
        },
        status_code: "05".into(),
        description: Some("Đang xử lý".into()),
        timestamp: dates::parse_timestamp("2024/03/06 09:02:45"),
        staff: None,
    };
    let mut official = Vec::new();
    write_status(&mut official, &st).unwrap();
    let official = String::from_utf8(official).unwrap();
    let old = official.replace("edXML:MessageHeader>", "edXML:Status>");
    assert_ne!(old, official);
    for body in [&official, &old] {
        let back = read_status(body.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(back.status, st, "{body}");
        assert!(
            back.report.warnings.is_empty(),
            "{:?}",
            back.report.warnings
        );
    }
    // The hand-written sample of the reference pack (old form) too.
    let s = read_status(
        File::open(data("status_04.edxml")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(s.status.status_code, "04");
}

/// A document's MessageHeader is a document even though the header has the same name as a
/// status's; a MessageHeader with a StatusCode and no Code is a status.
#[test]
fn kind_is_told_by_content() {
    let doc = std::fs::read(data("basic.edxml")).unwrap();
    assert!(matches!(
        read_message(&doc[..], &ReadOptions::default()).unwrap(),
        Message::Package(_)
    ));
    let e = read_status(&doc[..], &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::WrongKind { .. }), "{e}");
    let bare = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
        <MessageHeader><From><OrganId>000.00.00.G22</OrganId></From><StatusCode>3</StatusCode></MessageHeader>
        </edXMLHeader></edXMLEnvelope></edXML>"#;
    let s = read_status(bare.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(s.status.status_code, "03");
    // Missing pieces are named in the form that was read.
    let no_from = bare.replace("<From><OrganId>000.00.00.G22</OrganId></From>", "");
    let e = read_status(no_from.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("MessageHeader/From"), "{e}");
}

/// Elements of the status header, in document order, without whitespace.
fn elements(xml: &str) -> Vec<String> {
    xml.split('<')
        .filter(|t| !t.starts_with('/') && !t.starts_with('?'))
        .filter_map(|t| t.split(['>', ' ', '/']).next())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What `write_status` writes is what the official `StatusXmlBuilder` writes for the same
/// values: same elements, same order, same namespaces, same text (whitespace aside).
#[test]
fn writes_what_the_official_builder_writes() {
    let official = std::fs::read_to_string(data("official/status-04.edxml")).unwrap();
    let read = read_status(official.as_bytes(), &ReadOptions::default())
        .unwrap()
        .status;
    let mut ours = Vec::new();
    write_status(&mut ours, &read).unwrap();
    let ours = String::from_utf8(ours).unwrap();
    let squash = |s: &str| -> String {
        s.lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("")
            .replace("?><", "?>\n<")
    };
    assert_eq!(squash(&ours), squash(&official));
    assert_eq!(elements(&ours), elements(&official));
}

fn text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[a-zA-Z0-9 àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễđĐ&<>\"',./:-]{1,24}"
            .prop_map(|s| text::normalize_text(&s)),
    ]
}

proptest! {
    /// Any status round-trips through the writer (official form) and through the old form.
    #[test]
    fn status_round_trips_in_both_forms(
        from_id in "[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}",
        from_name in text(),
        email in text(),
        rf_organ in text(),
        rf_code in text(),
        rf_doc in text(),
        day in 1u32..28,
        code in prop_oneof![Just("01"), Just("02"), Just("03"), Just("04"), Just("05"), Just("06"), Just("13"), Just("15"), Just("16")],
        description in text(),
        secs in 0u32..86_400,
        staff in text(),
        mobile in text(),
    ) {
        let st = StatusMessage {
            response_for: ResponseFor {
                organ_id: rf_organ,
                code: rf_code.and_then(|c| text::normalize_notation(&c)),
                promulgation_date: chrono::NaiveDate::from_ymd_opt(2026, 2, day),
                document_id: rf_doc,
            },
            from: Organization {
                organ_id: Some(from_id),
                organ_name: from_name.clone(),
                organ_in_charge: from_name,
                email,
                ..Default::default()
            },
            status_code: code.to_string(),
            description,
            timestamp: dates::parse_timestamp(&format!(
                "2026/03/{:02} {:02}:{:02}:{:02}", day, secs / 3600, secs / 60 % 60, secs % 60
            )),
            staff: if staff.is_none() && mobile.is_none() {
                None
            } else {
                Some(StaffInfo { staff, mobile, ..Default::default() })
            },
        };
        let mut out = Vec::new();
        write_status(&mut out, &st).unwrap();
        let official = String::from_utf8(out).unwrap();
        prop_assert!(official.contains("<edXML:MessageHeader>"));
        let back = read_status(official.as_bytes(), &ReadOptions::default()).unwrap();
        prop_assert_eq!(&back.status, &st);
        let old = official.replace("edXML:MessageHeader>", "edXML:Status>");
        let back = read_status(old.as_bytes(), &ReadOptions::default()).unwrap();
        prop_assert_eq!(&back.status, &st);
    }
}
