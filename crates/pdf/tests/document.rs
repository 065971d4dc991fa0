//! Opening, text, signatures, bad input and the render queue.
mod common;

use std::time::Duration;

use common::*;
use proptest::prelude::*;
use unicode_normalization::is_nfc;
use vanthu_pdf::*;

fn expected_text() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("expected-text.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn lines(page: &str) -> Vec<String> {
    page.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn vietnamese_text_is_exact_nfc_for_every_producer() {
    let expected = expected_text();
    let pages: Vec<Vec<String>> = serde_json::from_value(expected["pages"].clone()).unwrap();
    for name in [
        "reportlab-vi.pdf",
        "pikepdf-objstm.pdf",
        "qpdf-linearized.pdf",
    ] {
        let text = extract_text(fixtures().join(name)).unwrap();
        assert_eq!(text.len(), pages.len(), "{name}");
        for (got, want) in text.iter().zip(&pages) {
            assert!(is_nfc(got), "{name}: not NFC: {got:?}");
            assert_eq!(&lines(got), want, "{name}");
        }
    }
    let doc = Document::open(fixtures().join("reportlab-vi.pdf")).unwrap();
    assert_eq!(lines(&doc.page_text(2).unwrap()), pages[2]);

    // LibreOffice lays the text out itself; every line must still come back exactly.
    let lo = extract_text(fixtures().join("libreoffice.pdf"))
        .unwrap()
        .join("\n");
    assert!(is_nfc(&lo));
    for line in pages[0].iter().chain(&pages[1]) {
        assert!(
            lo.contains(line.as_str()),
            "libreoffice text lacks {line:?}:\n{lo}"
        );
    }
}

#[test]
fn bad_inputs_give_typed_errors() {
    let bad = corpus().join("bad");
    let cases = [
        ("not-a-pdf.pdf", PdfError::NotPdf),
        ("zero-bytes.pdf", PdfError::NotPdf),
        ("truncated-half.pdf", PdfError::Damaged),
        ("encrypted-user-password.pdf", PdfError::PasswordRequired),
        ("zero-pages.pdf", PdfError::NoPages),
    ];
    for (name, want) in cases {
        let got = Document::open(bad.join(name)).err();
        assert_eq!(got, Some(want), "{name}");
    }
    assert!(matches!(
        Document::open(bad.join("does-not-exist.pdf")),
        Err(PdfError::Io { .. })
    ));
    assert_eq!(
        Document::from_bytes(b"%PDF-1.7\n1 0 obj garbage".to_vec(), None).err(),
        Some(PdfError::Damaged)
    );
    assert_eq!(
        Document::from_bytes(b"<html>".to_vec(), None).err(),
        Some(PdfError::NotPdf)
    );
}

#[test]
fn passwords() {
    let password = expected_text()["password"].as_str().unwrap().to_owned();
    let file = fixtures().join("password.pdf");
    assert_eq!(
        Document::open(&file).err(),
        Some(PdfError::PasswordRequired)
    );
    assert_eq!(
        Document::open_with_password(&file, "sai").err(),
        Some(PdfError::WrongPassword)
    );
    let doc = Document::open_with_password(&file, &password).unwrap();
    assert!(doc.info().encrypted);
    assert_eq!(doc.page_count(), 3);
    assert!(doc
        .page_text(0)
        .unwrap()
        .contains("Độc lập - Tự do - Hạnh phúc"));

    let owner_only = Document::open(fixtures().join("owner-only.pdf")).unwrap();
    assert!(owner_only.info().encrypted);
    assert!(
        !Document::open(fixtures().join("reportlab-vi.pdf"))
            .unwrap()
            .info()
            .encrypted
    );
}

#[test]
fn huge_page_box_is_refused_but_thumbnails_work() {
    let doc = Document::open(fixtures().join("huge-page.pdf")).unwrap();
    match doc.render(0, RenderOptions::dpi(150.0)) {
        Err(PdfError::PageTooLarge { index: 0, .. }) => {}
        other => panic!("expected PageTooLarge, got {other:?}"),
    }
    let thumb = doc.thumbnail(0, 200, ImageFormat::Png).unwrap();
    assert_eq!((thumb.width, thumb.height), (200, 200));
    assert_eq!(
        doc.render(5, RenderOptions::default()).err(),
        Some(PdfError::PageOutOfRange { index: 5, count: 1 })
    );
    assert!(matches!(
        doc.render(0, RenderOptions::dpi(0.0)),
        Err(PdfError::InvalidSize(_))
    ));
}

#[test]
fn signatures_and_signature_fields() {
    let doc = Document::open(fixtures().join("signature-field.pdf")).unwrap();
    assert_eq!(doc.info().signatures, 0, "the field is not signed");
    let fields = doc.signature_fields().unwrap();
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].name.as_deref(), Some("LanhDao_Ky"));
    assert_eq!(fields[0].page, 2);
    assert_eq!(fields[0].rect, [350.0, 80.0, 550.0, 160.0]);

    // an unsigned signature field is a field, not a signature
    let unsigned = Document::open(corpus().join("acroform-checkboxes.pdf")).unwrap();
    assert_eq!(unsigned.info().signatures, 0);
    assert_eq!(unsigned.signature_fields().unwrap().len(), 1);

    let signed_twice = corpus().join("../pdf-sign/minimal-signed-twice-second-created.pdf");
    let signed = Document::open(signed_twice).unwrap();
    assert_eq!(signed.info().signatures, 2);
    let sigs = signed.signatures().unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(sigs.iter().all(|s| s.contents_len > 0));
    assert!(Document::open(fixtures().join("reportlab-vi.pdf"))
        .unwrap()
        .signature_fields()
        .unwrap()
        .is_empty());
}

#[test]
fn stale_render_requests_are_cancelled() {
    let doc = Document::open(corpus().join("four-pages.pdf")).unwrap();
    let token = CancelToken::new();
    token.cancel();
    let ticket = doc
        .request_render(0, RenderOptions::dpi(72.0), Some(token))
        .unwrap();
    assert_eq!(ticket.wait().err(), Some(PdfError::Cancelled));

    // A scroll past many pages: everything queued before cancel_pending() is dropped, the
    // request made afterwards is served.
    let queued: Vec<_> = (0..24)
        .map(|i| {
            doc.request_render(i % 4, RenderOptions::dpi(200.0), None)
                .unwrap()
        })
        .collect();
    doc.cancel_pending();
    let current = doc
        .request_render(3, RenderOptions::dpi(72.0), None)
        .unwrap();
    let page = current.wait().unwrap();
    assert_eq!(page.index, 3);
    let results: Vec<_> = queued.into_iter().map(|t| t.wait()).collect();
    let cancelled = results
        .iter()
        .filter(|r| matches!(r, Err(PdfError::Cancelled)))
        .count();
    // Whatever the worker reached before cancel_pending() may still complete; on a loaded
    // machine that can be a few pages, never most of them.
    assert!(
        cancelled >= 12,
        "only {cancelled} of 24 stale requests cancelled"
    );
    assert!(results
        .iter()
        .all(|r| r.is_ok() || matches!(r, Err(PdfError::Cancelled))));

    // a per-request token cancels just that request
    let keep = doc
        .request_render(0, RenderOptions::dpi(72.0), None)
        .unwrap();
    let token = CancelToken::new();
    let drop_me = doc
        .request_render(1, RenderOptions::dpi(72.0), Some(token.clone()))
        .unwrap();
    token.cancel();
    assert!(keep.wait().is_ok());
    let r = drop_me
        .wait_timeout(Duration::from_secs(60))
        .expect("answered");
    assert!(r.is_ok() || r == Err(PdfError::Cancelled));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Any prefix or corruption of a real PDF opens or fails with a typed error — never a crash.
    #[test]
    fn damaged_pdfs_never_crash(cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..8)) {
        static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let bytes = BYTES.get_or_init(|| std::fs::read(corpus().join("two-pages-outlines.pdf")).unwrap());
        let mut data = bytes[..((bytes.len() as f64 * cut) as usize)].to_vec();
        let n = data.len();
        for (at, b) in flips {
            if n > 0 { data[((n as f64 * at) as usize).min(n - 1)] = b; }
        }
        match Document::from_bytes(data, None) {
            Ok(doc) => {
                prop_assert!(doc.page_count() > 0);
                match doc.render(0, RenderOptions::dpi(36.0)) {
                    Ok(p) => prop_assert!(p.width > 0),
                    Err(e) => prop_assert!(!matches!(e, PdfError::WorkerGone), "{e}"),
                }
                let _ = doc.text();
            }
            Err(e) => prop_assert!(matches!(e, PdfError::NotPdf | PdfError::Damaged | PdfError::NoPages), "{e}"),
        }
    }
}

/// Word boxes from poppler's `pdftotext -bbox` (top-left origin, points): an independent check.
fn poppler_word_boxes(pdf: &std::path::Path, page: u32) -> Vec<(String, [f32; 4])> {
    let out = std::process::Command::new("pdftotext")
        .args([
            "-bbox",
            "-f",
            &(page + 1).to_string(),
            "-l",
            &(page + 1).to_string(),
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |line: &str, name: &str| -> f32 {
        let at = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[at..at + line[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let word = l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()].to_owned();
            let (x0, y0) = (attr(l, "xMin"), attr(l, "yMin"));
            let (x1, y1) = (attr(l, "xMax"), attr(l, "yMax"));
            (word, [x0, y0, x1 - x0, y1 - y0])
        })
        .collect()
}

#[test]
fn find_ignores_diacritics_and_returns_highlight_boxes() {
    let file = fixtures().join("reportlab-vi.pdf");
    let doc = Document::open(&file).unwrap();
    let hits = doc.find("quyet dinh", 10).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].page, 0);
    assert_eq!(hits[0].rects.len(), 1);
    let ours = hits[0].rects[0];
    let words = poppler_word_boxes(&file, 0);
    let quyet = words
        .iter()
        .find(|(w, _)| w == "QUYẾT")
        .expect("poppler word")
        .1;
    let dinh = words
        .iter()
        .find(|(w, _)| w == "ĐỊNH")
        .expect("poppler word")
        .1;
    let want = [quyet[0], quyet[1], dinh[0] + dinh[2] - quyet[0], quyet[3]];
    for (o, w) in ours.iter().zip(want) {
        assert!((o - w).abs() < 4.0, "ours {ours:?} poppler {want:?}");
    }

    // exact spelling, upper case and a phrase spanning pages' words all work; absent words don't
    assert_eq!(doc.find("Nguyễn Thị Hường", 10).unwrap().len(), 1);
    assert_eq!(doc.find("NGUYEN THI HUONG", 10).unwrap()[0].page, 2);
    assert!(doc.find("không có trong văn bản", 10).unwrap().is_empty());
    assert!(doc.find("   ", 10).unwrap().is_empty());
    let many = doc.find("a", 3).unwrap();
    assert_eq!(many.len(), 3, "max_hits caps the result");

    // on a page with /Rotate 90 the boxes are in displayed coordinates: vertical text is tall
    let rotated = Document::open(corpus().join("rotated-90-barcode.pdf")).unwrap();
    let hello = rotated.find("hello", 10).unwrap();
    assert_eq!(hello.len(), 1);
    let [x, y, w, h] = hello[0].rects[0];
    assert!(h > 2.0 * w, "{:?}", hello[0]);
    assert!(x >= 0.0 && x + w <= 144.0 && y >= 0.0 && y + h <= 300.0);
}

#[test]
fn document_handles_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Document>();
    assert_send_sync::<CancelToken>();
    let doc = std::sync::Arc::new(Document::open(corpus().join("four-pages.pdf")).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let doc = std::sync::Arc::clone(&doc);
            std::thread::spawn(move || doc.render(i, RenderOptions::dpi(50.0)).unwrap().index)
        })
        .collect();
    let mut pages: Vec<u32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    pages.sort();
    assert_eq!(pages, vec![0, 1, 2, 3]);
}

#[test]
fn text_runs_have_user_space_boxes_matching_poppler() {
    let file = fixtures().join("reportlab-vi.pdf");
    let doc = Document::open(&file).unwrap();
    let runs = doc.text_runs(0).unwrap();
    let run = runs
        .iter()
        .find(|r| r.text.contains("QUYẾT ĐỊNH"))
        .unwrap_or_else(|| panic!("no run with the title: {runs:?}"));
    let words = poppler_word_boxes(&file, 0);
    let quyet = words
        .iter()
        .find(|(w, _)| w == "QUYẾT")
        .expect("poppler word")
        .1;
    let height = doc.page_size(0).unwrap().height;
    // poppler: top-left origin; ours: user space, bottom-left origin
    let [l, _b, _r, t] = run.rect;
    assert!((l - quyet[0]).abs() < 4.0, "{:?} {quyet:?}", run.rect);
    assert!(
        ((height - t) - quyet[1]).abs() < 4.0,
        "{:?} {quyet:?}",
        run.rect
    );
    assert!(doc.text_runs(99).is_err());
}
