//! The PDF reader on the signing corpus and on mangled input (no token needed).
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use vanthu_sign::pdf::doc::Doc;
use vanthu_sign::PdfError;

fn corpus_dir() -> PathBuf {
    std::env::var_os("VANTHU_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("corpus/pdf-sign")
}

fn good_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus present (set VANTHU_SHARED)")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_file_opens_with_pages() {
    let files = good_files();
    assert!(files.len() >= 10);
    for p in files {
        let data = std::fs::read(&p).unwrap();
        let doc = Doc::open(&data).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let pages = doc.pages().unwrap();
        let want = if p.ends_with("minimal-two-pages.pdf") {
            2
        } else {
            1
        };
        assert_eq!(pages.len(), want, "{}", p.display());
    }
}

#[test]
fn existing_signatures_in_corpus_verify() {
    let rep = vanthu_sign::verify_pdf(
        &corpus_dir().join("minimal-signed-twice-second-created.pdf"),
        &[],
    )
    .unwrap();
    assert_eq!(rep.signatures.len(), 2);
    for s in &rep.signatures {
        assert!(s.intact && s.valid, "{s:?}");
        assert!(!s.trusted, "no anchors given, nothing is trusted");
        assert!(s.timestamp_time.is_some());
    }
    assert!(rep.signatures[1].covers_whole_document);
    assert!(!rep.modified_after_last_signature);
}

#[test]
fn bad_files_are_classified() {
    let bad = corpus_dir().join("bad");
    let r = |n: &str| Doc::open(&std::fs::read(bad.join(n)).unwrap()).err();
    assert!(matches!(r("minimal-aes256.pdf"), Some(PdfError::Encrypted)));
    assert!(matches!(r("not-a-pdf.pdf"), Some(PdfError::NotPdf)));
    assert!(matches!(r("truncated.pdf"), Some(PdfError::Corrupt(_))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Mangled files never panic the reader or the verifier.
    #[test]
    fn mangled_corpus_never_panics(idx in 0usize..11, cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let files = good_files();
        let mut data = std::fs::read(&files[idx % files.len()]).unwrap();
        for (i, b) in cuts {
            let at = i.index(data.len());
            data[at] = b;
        }
        if let Ok(doc) = Doc::open(&data) {
            let _ = doc.pages();
        }
        let _ = vanthu_sign::verify::verify_bytes(&data, &[]);
    }
}
