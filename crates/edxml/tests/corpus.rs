//! The hand-written corpus in tests/data: one file per edge case of shared/spec/edxml.md §9.
use std::fs::File;
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use vanthu_edxml::*;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read(name: &str) -> Result<Message> {
    read_message(File::open(data(name)).unwrap(), &ReadOptions::default())
}

fn pkg(name: &str) -> Package {
    match read(name).unwrap_or_else(|e| panic!("{name}: {e}")) {
        Message::Package(p) => p,
        Message::Status(_) => panic!("{name}: status"),
    }
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn basic_package_all_fields() {
    let p = pkg("basic.edxml");
    let h = &p.header;
    assert_eq!(h.from.organ_id.as_deref(), Some("000.00.00.H34"));
    assert_eq!(h.from.organ_in_charge.as_deref(), Some("UBND Tỉnh Kon Tum"));
    assert_eq!(h.from.fax, None, "empty element is null");
    assert_eq!(h.from.website, None, "self-closing element is null");
    assert_eq!(h.to.len(), 2);
    assert_eq!(h.to[1].organ_name.as_deref(), Some("UBND Tỉnh Nghệ An"));
    assert_eq!(
        h.document_id.as_deref(),
        Some("000.00.00.H34,2024/03/05,412/UBND-HCTC")
    );
    assert_eq!(h.code.number.as_deref(), Some("412"));
    assert_eq!(h.code.notation.as_deref(), Some("UBND-HCTC"));
    assert_eq!(h.promulgation.date, Some(date(2024, 3, 5)));
    assert_eq!(h.promulgation.place.as_deref(), Some("Kon Tum"));
    assert_eq!(h.document_type.type_code, Some(1));
    assert_eq!(h.document_type.type_name.as_deref(), Some("Công văn"));
    assert_eq!(
        h.content.as_deref(),
        Some("Báo cáo số liệu & tình hình <quý I>.")
    );
    assert_eq!(h.signer.competence.as_deref(), Some("KT. CHỦ TỊCH"));
    assert_eq!(h.due_date, Some(date(2024, 3, 15)));
    assert_eq!(h.to_places, vec!["Văn phòng Chính phủ", "Lưu: VT, HCTC"]);
    let o = h.other_info.as_ref().unwrap();
    assert_eq!(o.priority, Some(1));
    assert_eq!(o.page_amount, Some(2));
    assert_eq!(o.appendixes, vec!["Phụ lục I", "Phụ lục II"]);
    assert_eq!(h.steering_type, Some(0));
    assert_eq!(h.response_for.len(), 1);
    assert_eq!(h.response_for[0].code.as_deref(), Some("2887/VPCP-KSTT"));
    assert_eq!(h.trace.len(), 1);
    assert_eq!(
        dates::iso_timestamp(h.trace[0].timestamp.as_ref().unwrap()),
        "2024-03-05T15:20:11+07:00"
    );
    let b = h.business.as_ref().unwrap();
    assert_eq!(b.doc_type, Some(0));
    assert_eq!(
        b.staff.as_ref().unwrap().email.as_deref(),
        Some("binhlt@example.gov.vn")
    );
    assert_eq!(p.attachments.len(), 2);
    let pdf = b"%PDF-1.7\n%\xc7\xec\x8f\xa2\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n";
    assert_eq!(
        p.attachments[0].meta.name.as_deref(),
        Some("412-UBND-HCTC.signed.pdf")
    );
    assert_eq!(
        p.attachments[0].meta.content_id.as_deref(),
        Some("7f3c2a10")
    );
    assert_eq!(p.attachments[0].size, pdf.len() as u64);
    assert_eq!(p.attachments[0].sha256.as_deref(), Some(sha(pdf).as_str()));
    let note = "Ghi chú: văn bản đã được ký số.\n".as_bytes();
    assert_eq!(p.attachments[1].sha256.as_deref(), Some(sha(note).as_str()));
    assert!(p
        .attachments
        .iter()
        .all(|a| a.broken.is_none() && a.in_manifest));
    assert!(p.report.warnings.is_empty(), "{:?}", p.report.warnings);
    assert!(!p.report.lenient);
}

#[test]
fn attachments_are_written_to_temp_files_in_the_given_dir() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReadOptions {
        attachment_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let p = read_package(File::open(data("basic.edxml")).unwrap(), &opts).unwrap();
    let f = p.attachments[1].file.as_ref().unwrap();
    assert!(f.path().starts_with(dir.path()));
    assert_eq!(
        std::fs::read_to_string(f.path()).unwrap(),
        "Ghi chú: văn bản đã được ký số.\n"
    );
}

#[test]
fn prefix_bom_cdata_nfd_eth_crlf() {
    let p = pkg("prefix_ns2_bom_cdata_nfd.edxml");
    let h = &p.header;
    assert_eq!(h.from.organ_id.as_deref(), Some("000.00.00.H41"), "trimmed");
    assert_eq!(
        h.from.organ_name.as_deref(),
        Some("UBND Tỉnh Nghệ An <Văn thư> & Lưu trữ"),
        "CDATA taken as text, not decoded again"
    );
    assert_eq!(h.code.notation.as_deref(), Some("VPCP-TT\u{0110}T"));
    assert_eq!(h.subject.as_deref(), Some("V/v tăng cường quản lý"));
    assert_eq!(h.signer.full_name.as_deref(), Some("Nguyễn Văn A"));
    assert_eq!(h.content.as_deref(), Some("dòng 1\ndòng 2\rgiữ CR"));
    assert_eq!(h.promulgation.date, Some(date(2024, 5, 6)));
    assert_eq!(h.document_type.type_code, None);
    assert!(!p.report.lenient);
}

#[test]
fn no_namespace_is_lenient() {
    let p = pkg("no_namespace.edxml");
    assert!(p.report.lenient);
    assert_eq!(p.header.from.organ_id.as_deref(), Some("000.00.00.H14"));
}

#[test]
fn alternative_namespace_accepted_with_warning() {
    let p = pkg("alt_namespace.edxml");
    assert_eq!(p.header.code.notation.as_deref(), Some("STTTT-VP"));
    assert!(p
        .report
        .warnings
        .iter()
        .any(|w| w.contains("alternative namespace") && w.contains("e-doc.vn")));
}

#[test]
fn lenient_fields() {
    let p = pkg("lenient_fields.edxml");
    let h = &p.header;
    // Nested From: the innermost with an OrganId; OrganInCharge spelling.
    assert_eq!(h.from.organ_id.as_deref(), Some("777.77.04.D77"));
    assert_eq!(
        h.from.organ_in_charge.as_deref(),
        Some("Văn phòng Chính phủ")
    );
    assert_eq!(h.code.number.as_deref(), Some("3232sss"));
    assert_eq!(h.promulgation.date, Some(date(2019, 1, 17)));
    assert_eq!(h.due_date, None);
    assert_eq!(h.document_type.type_code, Some(0), "garbage integer → 0");
    let o = h.other_info.as_ref().unwrap();
    assert_eq!(o.priority, None, "blank integer → null");
    assert_eq!(o.page_amount, Some(22));
    assert_eq!(o.promulgation_amount, Some(0));
    assert_eq!(o.direction, Some(false));
    assert!(h.response_for.is_empty(), "empty placeholder ignored");
    assert_eq!(h.steering_type, Some(2));
    assert_eq!(
        h.document_id.as_deref(),
        Some("9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"),
        "order does not matter"
    );
    assert_eq!(h.content, None);
    assert!(h.to.is_empty());
    let b = h.business.as_ref().unwrap();
    assert_eq!(b.doc_type, Some(1), "Business spelling accepted");
    assert_eq!(b.reason.as_deref(), Some("Thu hồi văn bản"));
    assert_eq!(h.trace.len(), 2);
    assert_eq!(
        dates::iso_timestamp(h.trace[0].timestamp.as_ref().unwrap()),
        "2018-06-20T16:35:56+07:00"
    );
    assert_eq!(
        dates::format_timestamp(h.trace[1].timestamp.as_ref().unwrap()),
        "2018/06/20 17:00:00"
    );
    let extras: Vec<_> = p.report.extras.iter().map(|e| e.path.as_str()).collect();
    assert!(
        extras.contains(&"MessageHeader/ExtraVendorField"),
        "{extras:?}"
    );
    assert!(
        extras.contains(&"MessageHeader/OtherInfo/SecretLevel"),
        "{extras:?}"
    );
    let extra = p
        .report
        .extras
        .iter()
        .find(|e| e.path.ends_with("ExtraVendorField"))
        .unwrap();
    assert_eq!(extra.text.as_deref(), Some("giá trị riêng"));
    assert_eq!(extra.line, 33);
    for needle in ["not a number", "invalid date", "nested From"] {
        assert!(
            p.report.warnings.iter().any(|w| w.contains(needle)),
            "{needle}: {:?}",
            p.report.warnings
        );
    }
}

#[test]
fn tricky_attachments() {
    let p = pkg("attachments_tricky.edxml");
    let a = &p.attachments;
    assert_eq!(a.len(), 5, "{a:#?}");
    // Whitespace, character references, missing padding, cid prefix mismatch.
    assert_eq!(a[0].meta.name.as_deref(), Some("khong-dau-bang.txt"));
    assert_eq!(
        a[0].meta.content_type.as_deref(),
        Some("text/plain"),
        "from Attachment"
    );
    assert_eq!(a[0].sha256.as_deref(), Some(sha(b"hello world").as_str()));
    assert!(a[0].broken.is_none());
    // Test-tool placeholder instead of base64: broken, package still read.
    assert!(a[1].broken.as_deref().unwrap().contains("invalid base64"));
    // CDATA + comment inside content.
    assert_eq!(
        a[2].sha256.as_deref(),
        Some(sha("CDATA tồt này".as_bytes()).as_str())
    );
    // Manifest entry without content.
    assert_eq!(a[3].meta.name.as_deref(), Some("khong-co-noi-dung.pdf"));
    assert!(a[3].broken.is_some());
    assert_eq!(a[3].sha256, None);
    // Orphan attachment kept and reported.
    assert!(!a[4].in_manifest);
    assert_eq!(
        a[4].sha256.as_deref(),
        Some(sha("mo côi".as_bytes()).as_str())
    );
    assert!(p
        .report
        .warnings
        .iter()
        .any(|w| w.contains("not in the manifest")));
    assert!(p
        .report
        .warnings
        .iter()
        .any(|w| w.contains("broken attachment")));
}

#[test]
fn status_message() {
    let Message::Status(s) = read("status_04.edxml").unwrap() else {
        panic!("not a status")
    };
    let st = &s.status;
    assert_eq!(st.status_code, "04");
    assert_eq!(st.from.organ_id.as_deref(), Some("000.00.00.G22"));
    assert_eq!(st.from.email, None);
    assert_eq!(st.response_for.code.as_deref(), Some("412/UBND-HCTC"));
    assert_eq!(st.response_for.promulgation_date, Some(date(2024, 3, 5)));
    assert_eq!(
        dates::iso_timestamp(st.timestamp.as_ref().unwrap()),
        "2019-04-26T08:15:00+07:00"
    );
    assert_eq!(
        st.staff.as_ref().unwrap().staff.as_deref(),
        Some("Phạm Minh Châu")
    );
    let j = json::status(st);
    assert_eq!(j["status_code"], "04");
    assert_eq!(j["timestamp"], "2019-04-26T08:15:00+07:00");
    assert_eq!(j["response_for"]["promulgation_date"], "2024-03-05");
    assert_eq!(j["staff"]["mobile"], "84910000000");
    assert!(j["from"]["fax"].is_null());
}

#[test]
fn soap_wrapped_status() {
    let s = read_status(
        File::open(data("status_soap.edxml")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(s.status.status_code, "01", "one-digit code padded");
    assert_eq!(
        s.status.response_for.promulgation_date,
        Some(date(2015, 9, 30))
    );
    assert_eq!(s.status.staff, None);
    assert!(s
        .report
        .warnings
        .iter()
        .any(|w| w.contains("schemas.xmlsoap.org")));
}

#[test]
fn wrong_kind_is_an_error() {
    let e = read_package(
        File::open(data("status_04.edxml")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::WrongKind { .. }));
    let e = read_status(
        File::open(data("basic.edxml")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::WrongKind { .. }));
}

fn err(name: &str) -> Error {
    match read(name) {
        Ok(_) => panic!("{name} was accepted"),
        Err(e) => e,
    }
}

#[test]
fn missing_sender_code_names_element_and_line() {
    let e = err("missing_sender_code.edxml");
    let msg = e.to_string();
    assert!(
        matches!(&e, Error::Missing { element, line: 6, .. } if element == "MessageHeader/From/OrganId"),
        "{msg}"
    );
    assert!(
        msg.contains("sender code") && msg.contains("line 6"),
        "{msg}"
    );
}

#[test]
fn missing_document_code() {
    let e = err("missing_code.edxml");
    assert!(
        matches!(&e, Error::Missing { element, line: 5, .. } if element == "MessageHeader/Code"),
        "{e}"
    );
    let e = err("empty_code.edxml");
    assert!(
        matches!(&e, Error::Missing { element, line: 7, .. } if element.starts_with("MessageHeader/Code/")),
        "{e}"
    );
    let e = err("status_missing_code.edxml");
    assert!(
        matches!(&e, Error::Missing { element, .. } if element == "Status/StatusCode"),
        "{e}"
    );
}

#[test]
fn doctype_refused() {
    for f in ["xxe.edxml", "billion_laughs.edxml"] {
        let e = err(f);
        assert!(matches!(e, Error::Doctype { line: 2 }), "{f}: {e}");
    }
}

#[test]
fn undefined_entity_refused_not_expanded() {
    let e = err("undefined_entity.edxml");
    assert!(
        matches!(&e, Error::Malformed { line: 6, message } if message.contains("lol9")),
        "{e}"
    );
}

#[test]
fn unclosed_element_names_line() {
    let e = err("unclosed.edxml");
    let msg = e.to_string();
    assert!(matches!(e, Error::Malformed { line: 14, .. }), "{msg}");
    assert!(msg.contains("opened at line 6"), "{msg}");
    let e = err("truncated.edxml");
    assert!(matches!(e, Error::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("never closed"), "{e}");
}

#[test]
fn other_encodings_refused() {
    assert!(matches!(err("latin1.edxml"), Error::Encoding(n) if n == "iso-8859-1"));
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><edXML/>".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let e = read_message(&utf16[..], &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Encoding(_)), "{e}");
}

#[test]
fn not_edxml() {
    assert!(matches!(err("not_edxml.xml"), Error::NotEdxml(_)));
    let e = read_message(&b""[..], &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::NotEdxml(_)), "{e}");
}

#[test]
fn inspect_json_contract() {
    let p = pkg("basic.edxml");
    let j = json::inspect(&p);
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    let mut expected = vec![
        "document_id",
        "from",
        "to",
        "code",
        "promulgation",
        "document_type",
        "subject",
        "content",
        "signer",
        "due_date",
        "steering_type",
        "to_places",
        "other_info",
        "response_for",
        "business",
        "trace",
        "attachments",
    ];
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, expected);
    let org_keys: Vec<&str> = j["from"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(org_keys.len(), 8);
    for k in [
        "organ_id",
        "organ_name",
        "organ_in_charge",
        "organ_add",
        "email",
        "telephone",
        "fax",
        "website",
    ] {
        assert!(org_keys.contains(&k), "{k}");
    }
    assert!(j["from"]["fax"].is_null());
    assert_eq!(j["code"]["number"], "412");
    assert_eq!(j["promulgation"]["date"], "2024-03-05");
    assert_eq!(j["document_type"]["type"], 1);
    assert_eq!(j["due_date"], "2024-03-15");
    assert_eq!(j["other_info"]["appendixes"][1], "Phụ lục II");
    assert_eq!(j["response_for"][0]["promulgation_date"], "2024-02-01");
    assert_eq!(j["trace"][0]["timestamp"], "2024-03-05T15:20:11+07:00");
    assert_eq!(j["attachments"][0]["size"], 54);
    assert_eq!(j["attachments"][0]["content_type"], "application/pdf");
    assert!(j["attachments"][0]["broken"].is_null());
    let lenient = json::inspect(&pkg("lenient_fields.edxml"));
    assert!(lenient["due_date"].is_null());
    assert!(lenient["content"].is_null());
    assert!(lenient["business"]["staff"].is_null());
}
