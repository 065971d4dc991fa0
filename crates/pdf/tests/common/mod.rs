//! Shared helpers of the vanthu-pdf integration tests: where the corpus and the generated
//! fixtures are, and an independent reference renderer (poppler's pdftoppm) to compare against.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use image::RgbImage;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `$VANTHU_SHARED/corpus/pdf-render` (VANTHU_SHARED defaults to `<repo>/../shared`).
pub fn corpus() -> PathBuf {
    let shared = std::env::var_os("VANTHU_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"));
    let dir = shared.join("corpus/pdf-render");
    assert!(
        dir.is_dir(),
        "corpus not found at {} (set VANTHU_SHARED)",
        dir.display()
    );
    dir
}

pub fn venv_python() -> PathBuf {
    let venv = std::env::var_os("VANTHU_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/vanthu/venv")
        });
    let py = venv.join("bin/python");
    assert!(
        py.is_file(),
        "{} missing: run scripts/setup (reportlab, pikepdf)",
        py.display()
    );
    py
}

/// Runs tests/fixtures/pdf/make_fixtures.py once per test binary; returns its output folder.
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("vanthu-pdf-fixtures")
            .tempdir()
            .expect("tempdir")
            .keep();
        let status = Command::new(venv_python())
            .arg(repo_root().join("tests/fixtures/pdf/make_fixtures.py"))
            .arg(&dir)
            .status()
            .expect("run make_fixtures.py");
        assert!(status.success(), "make_fixtures.py failed");
        dir
    })
}

pub fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("manifest json")
}

/// Page `index` (0-based) rendered by poppler at `dpi`.
pub fn pdftoppm(pdf: &Path, index: u32, dpi: u32) -> RgbImage {
    let out = tempfile::tempdir().expect("tempdir");
    let prefix = out.path().join("ref");
    let page = (index + 1).to_string();
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-f",
            &page,
            "-l",
            &page,
            "-png",
            "-singlefile",
        ])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (apt poppler-utils) must be installed");
    assert!(status.success(), "pdftoppm failed on {}", pdf.display());
    image::open(prefix.with_extension("png"))
        .expect("decode pdftoppm output")
        .to_rgb8()
}

#[derive(Debug, Clone, Copy)]
pub struct Diff {
    /// Mean absolute difference per channel, 0–255, over the whole page.
    pub mean_abs: f64,
    /// Of the pixels that carry ink in either render (some channel < 160), the share whose
    /// channels differ by more than 64. Measured on 2×2-averaged images so that anti-aliasing
    /// and half-pixel placement differences between renderers do not count. Unlike a share of
    /// all pixels, this does not shrink on mostly white pages: a different page scores high.
    pub ink_mismatch: f64,
}

/// 2×2 block average of the common top-left area of two images of (nearly) the same size.
fn halve(img: &RgbImage, w: u32, h: u32) -> Vec<[f32; 3]> {
    let (hw, hh) = (w / 2, h / 2);
    let raw = img.as_raw();
    let stride = img.width() as usize * 3;
    let mut out = Vec::with_capacity((hw * hh) as usize);
    for y in 0..hh as usize {
        for x in 0..hw as usize {
            let mut acc = [0f32; 3];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let o = (2 * y + dy) * stride + (2 * x + dx) * 3;
                for c in 0..3 {
                    acc[c] += raw[o + c] as f32;
                }
            }
            out.push(acc.map(|v| v / 4.0));
        }
    }
    out
}

/// Compares two renders of the same page. Sizes may differ by a pixel of rounding; the common
/// top-left area is compared.
pub fn diff(a: &RgbImage, b: &RgbImage) -> Diff {
    let w = a.width().min(b.width());
    let h = a.height().min(b.height());
    let (a, b) = (halve(a, w, h), halve(b, w, h));
    let mut sum = 0f64;
    let (mut ink, mut mismatch) = (0usize, 0usize);
    for (p, q) in a.iter().zip(&b) {
        let mut max = 0f32;
        for c in 0..3 {
            let d = (p[c] - q[c]).abs();
            sum += d as f64;
            max = max.max(d);
        }
        let inked = |px: &[f32; 3]| px.iter().any(|v| *v < 160.0);
        if inked(p) || inked(q) {
            ink += 1;
            if max > 64.0 {
                mismatch += 1;
            }
        }
    }
    Diff {
        mean_abs: sum / (a.len().max(1) as f64 * 3.0),
        ink_mismatch: mismatch as f64 / ink.max(1) as f64,
    }
}
