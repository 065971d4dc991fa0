//! PDF text reaches the register's full-text search.
mod common;

use chrono::NaiveDate;
use common::*;
use vanthu_core::index::{index_document_text, index_document_text_logged};
use vanthu_registry::{NewIncoming, Registry, SearchQuery};

fn register(reg: &mut Registry, notation: &str, files: Vec<std::path::PathBuf>) -> i64 {
    reg.register_incoming(NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: notation.into(),
        document_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        doc_type: "Công văn".into(),
        subject: "Đôn đốc gửi, nhận văn bản điện tử".into(),
        files,
        ..Default::default()
    })
    .unwrap()
    .id
}

fn found(reg: &Registry, text: &str) -> Vec<i64> {
    reg.search(&SearchQuery::text(text))
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn a_word_from_the_pdf_body_finds_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let id = register(
        &mut reg,
        "1/VPCP-KSTT",
        vec![corpus().join("four-pages.pdf")],
    );
    // "Third" only appears on page 3 of the PDF, nowhere in the register fields.
    assert!(found(&reg, "third").is_empty());
    assert!(index_document_text(&mut reg, id).unwrap());
    assert_eq!(found(&reg, "third"), vec![id]);
    // Indexing again adds nothing; the register fields still match too.
    assert!(!index_document_text(&mut reg, id).unwrap());
    assert_eq!(found(&reg, "don doc"), vec![id]);

    // Vietnamese body text, searched without diacritics.
    let vi = register(
        &mut reg,
        "2/VPCP-KSTT",
        vec![fixtures().join("reportlab-vi.pdf")],
    );
    index_document_text_logged(&mut reg, vi);
    let text = std::fs::read_to_string(fixtures().join("expected-text.json")).unwrap();
    assert!(text.contains("tỉnh Hà Giang"), "fixture changed");
    assert_eq!(found(&reg, "tinh ha giang"), vec![vi]);
}

#[test]
fn a_pdf_without_usable_text_never_fails_the_registration() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let damaged = dir.path().join("damaged.pdf");
    let bytes = std::fs::read(corpus().join("four-pages.pdf")).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    let id = register(
        &mut reg,
        "3/VPCP-KSTT",
        vec![damaged, fixtures().join("password.pdf")],
    );
    // Nothing readable: no error, nothing indexed, the document is still there.
    assert!(!index_document_text(&mut reg, id).unwrap());
    index_document_text_logged(&mut reg, id);
    assert_eq!(found(&reg, "don doc"), vec![id]);
}
