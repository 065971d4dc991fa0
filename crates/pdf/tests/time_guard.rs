//! The per-page time guard. In its own test binary (its own process, its own render
//! worker): a page over its time makes the worker answer every queued request `Timeout`,
//! which would disturb the other tests sharing a worker.
mod common;

use std::time::Duration;

use common::*;
use vanthu_pdf::*;

#[test]
fn a_render_past_its_time_guard_answers_timeout_and_the_worker_stays_usable() {
    let doc = Document::open(corpus().join("four-pages.pdf")).unwrap();
    // No time at all: whatever pdfium does, the page is late.
    assert_eq!(
        doc.render(1, RenderOptions::dpi(72.0).timeout(Duration::ZERO))
            .err(),
        Some(PdfError::Timeout { index: 1, ms: 0 })
    );
    let msg = PdfError::Timeout { index: 1, ms: 0 }.to_string();
    assert!(msg.contains("Trang 2") && msg.contains("page 2"), "{msg}");

    // A slow page (A4 at 600 DPI, ~35 megapixels) allowed 1 ms, with pages queued behind it:
    // its caller gets Timeout instead of waiting for pdfium, and so do the queued requests
    // (the worker is busy with the slow page for far longer than 1 ms).
    let slow = doc
        .request_render(
            0,
            RenderOptions::dpi(600.0)
                .format(ImageFormat::Jpeg)
                .timeout(Duration::from_millis(1)),
            None,
        )
        .unwrap();
    let behind: Vec<_> = (1..4)
        .map(|i| {
            doc.request_render(i, RenderOptions::dpi(72.0), None)
                .unwrap()
        })
        .collect();
    assert_eq!(
        slow.wait().err(),
        Some(PdfError::Timeout { index: 0, ms: 1 })
    );
    for (i, t) in behind.into_iter().enumerate() {
        match t.wait() {
            Err(PdfError::Timeout { .. }) | Ok(_) => {}
            other => panic!("queued page {i}: {other:?}"),
        }
    }
    // Once pdfium returns (some time after the caller gave up), the worker serves requests
    // normally again.
    assert_eq!(recovered(&doc).width, 612);

    every_submitted_render_is_answered_exactly_once(&doc);
}

/// Renders page 4 at 72 DPI, retrying while the worker is still busy with a late page
/// (bounded: a minute at most).
fn recovered(doc: &Document) -> RenderedPage {
    let mut last = None;
    for _ in 0..600 {
        match doc.render(3, RenderOptions::dpi(72.0)) {
            Ok(page) => return page,
            Err(e @ PdfError::Timeout { .. }) => last = Some(e),
            Err(e) => panic!("{e}"),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("worker did not recover: {last:?}");
}

// Part of the test above: both run in one test so they do not disturb each other.
fn every_submitted_render_is_answered_exactly_once(doc: &Document) {
    let (tx, rx) = std::sync::mpsc::channel();
    for i in 0..8u32 {
        let tx = tx.clone();
        let timeout = if i % 2 == 0 {
            Duration::ZERO
        } else {
            DEFAULT_RENDER_TIMEOUT
        };
        doc.submit_render(
            i % 4,
            RenderOptions::dpi(50.0).timeout(timeout),
            None,
            move |r| tx.send((i, r.is_ok())).unwrap(),
        )
        .unwrap();
    }
    drop(tx);
    let mut got: Vec<_> = rx.iter().collect();
    got.sort();
    let ids: Vec<u32> = got.iter().map(|(i, _)| *i).collect();
    assert_eq!(ids, (0..8).collect::<Vec<_>>(), "one answer per request");
    // A zero budget is always late; the others may be answered Timeout too, being queued
    // behind a page that was over its time.
    assert!(got.iter().filter(|(i, _)| i % 2 == 0).all(|(_, ok)| !ok));
    recovered(doc);
}
