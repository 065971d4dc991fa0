//! Renders PDFs from different producers and compares them with poppler (pdftoppm) renders.
mod common;

use std::path::PathBuf;

use common::*;
use vanthu_pdf::*;

const DPI: u32 = 100;
/// Tolerances measured on the corpus (worst same-page case: an OCR sandwich scan at
/// mean 10.9 / ink mismatch 0.32); a different page or a page without its form fields scores
/// above 0.6, see `comparison_detects_wrong_page_and_missing_form_fields`.
const MAX_MEAN_ABS: f64 = 14.0;
const MAX_INK_MISMATCH: f64 = 0.42;

fn decode(p: &RenderedPage) -> image::RgbImage {
    image::load_from_memory(&p.bytes).expect("decode").to_rgb8()
}

fn render(doc: &Document, index: u32, opts: RenderOptions) -> image::RgbImage {
    decode(&doc.render(index, opts).expect("render"))
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("corpus")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "corpus looks incomplete: {files:?}");
    files
}

#[test]
fn renders_match_poppler_across_producers() {
    let manifest = manifest();
    let mut files = corpus_files();
    for producer in [
        "reportlab",
        "libreoffice",
        "pikepdf-objstm",
        "qpdf-linearized",
        "scanned",
    ] {
        let name = manifest[producer]
            .as_str()
            .unwrap_or_else(|| panic!("fixture of producer {producer} missing: {manifest}"));
        files.push(fixtures().join(name));
    }
    let mut failures = Vec::new();
    for file in &files {
        let doc = Document::open(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for index in 0..doc.page_count().min(2) {
            let ours = render(&doc, index, RenderOptions::dpi(DPI as f32));
            let reference = pdftoppm(file, index, DPI);
            let (dw, dh) = (
                ours.width().abs_diff(reference.width()),
                ours.height().abs_diff(reference.height()),
            );
            let d = diff(&ours, &reference);
            let name = file.file_name().unwrap().to_string_lossy();
            eprintln!("{name:28} page {index}: {d:?}");
            if dw > 1 || dh > 1 || d.mean_abs > MAX_MEAN_ABS || d.ink_mismatch > MAX_INK_MISMATCH {
                failures.push(format!(
                    "{name} page {index}: ours {:?} poppler {:?} {d:?}",
                    ours.dimensions(),
                    reference.dimensions()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "renders differ from poppler:\n{}",
        failures.join("\n")
    );
}

#[test]
fn comparison_detects_wrong_page_and_missing_form_fields() {
    let four = corpus().join("four-pages.pdf");
    let doc = Document::open(&four).unwrap();
    let d = diff(
        &render(&doc, 1, RenderOptions::dpi(DPI as f32)),
        &pdftoppm(&four, 0, DPI),
    );
    assert!(
        d.ink_mismatch > MAX_INK_MISMATCH,
        "page 2 passed as page 1: {d:?}"
    );

    let forms = corpus().join("form-fields.pdf");
    let doc = Document::open(&forms).unwrap();
    let reference = pdftoppm(&forms, 0, DPI);
    let with = diff(&render(&doc, 0, RenderOptions::dpi(DPI as f32)), &reference);
    let without = diff(
        &render(
            &doc,
            0,
            RenderOptions {
                annotations: false,
                ..RenderOptions::dpi(DPI as f32)
            },
        ),
        &reference,
    );
    assert!(with.ink_mismatch <= MAX_INK_MISMATCH, "{with:?}");
    assert!(
        without.ink_mismatch > MAX_INK_MISMATCH,
        "form fields not drawn? {without:?}"
    );
}

#[test]
fn sizes_formats_rotation_and_thumbnails() {
    let file = corpus().join("rotated-90-barcode.pdf");
    let doc = Document::open(&file).unwrap();
    // the page has /Rotate 90 on a 300×144 pt box: displayed as 144×300
    let size = doc.page_size(0).unwrap();
    assert_eq!((size.width.round(), size.height.round()), (144.0, 300.0));

    let by_width = doc.render(0, RenderOptions::width(288)).unwrap();
    assert_eq!((by_width.width, by_width.height), (288, 600));
    assert_eq!(decode(&by_width).dimensions(), (288, 600));

    for format in [ImageFormat::Png, ImageFormat::Webp, ImageFormat::Jpeg] {
        let page = doc
            .render(0, RenderOptions::dpi(72.0).format(format))
            .unwrap();
        let guessed = image::guess_format(&page.bytes).unwrap();
        let expected = match format {
            ImageFormat::Png => image::ImageFormat::Png,
            ImageFormat::Webp => image::ImageFormat::WebP,
            ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        };
        assert_eq!(guessed, expected);
        assert_eq!(decode(&page).dimensions(), (144, 300));
    }

    // the viewer's rotate button: our 90° turn equals poppler's render turned by 90°
    let turned = render(
        &doc,
        0,
        RenderOptions::dpi(DPI as f32).rotation(Rotation::Cw90),
    );
    let reference = image::imageops::rotate90(&pdftoppm(&file, 0, DPI));
    assert_eq!(turned.dimensions(), reference.dimensions());
    let d = diff(&turned, &reference);
    assert!(d.ink_mismatch <= MAX_INK_MISMATCH, "{d:?}");
    let unturned = diff(&render(&doc, 0, RenderOptions::dpi(DPI as f32)), &reference);
    assert!(unturned.ink_mismatch > d.ink_mismatch);

    let a4 = Document::open(corpus().join("four-pages.pdf")).unwrap();
    let thumb = a4.thumbnail(0, 128, ImageFormat::Jpeg).unwrap();
    assert_eq!(thumb.height, 128, "letter portrait fits by height");
    assert!(thumb.width < 128 && thumb.width > 90);
    assert_eq!(decode(&thumb).dimensions(), (thumb.width, thumb.height));
}
