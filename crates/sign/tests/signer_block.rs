//! The leader's automatic placement follows the ND30 signer block found by text, on PDFs
//! drawn by reportlab (tests/fixtures/signer_block.py) with an embedded Vietnamese font.
use std::path::{Path, PathBuf};
use std::process::Command;

use vanthu_sign::signer_block::find_signer_block;
use vanthu_sign::{plan_placement, Role};

const A4: [f64; 4] = [0.0, 0.0, 595.2755905511812, 841.8897637795277];

fn python() -> PathBuf {
    let venv = std::env::var_os("VANTHU_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/vanthu/venv")
        });
    let py = venv.join("bin/python");
    assert!(
        py.is_file(),
        "{} missing: run scripts/setup (reportlab)",
        py.display()
    );
    py
}

fn pdfium() {
    if let Err(e) = vanthu_pdf::library_path() {
        panic!("pdfium is needed (source scripts/lib.sh for VANTHU_PDFIUM): {e}");
    }
}

struct Page {
    path: PathBuf,
    /// baselines of the title and of the name, and the block's column centre
    layout: Option<(f64, f64, f64)>,
    _dir: tempfile::TempDir,
}

fn make(top: Option<f64>) -> Page {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("last-page.pdf");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signer_block.py");
    let arg = top.map_or("none".to_string(), |t| t.to_string());
    let out = Command::new(python())
        .arg(&script)
        .arg(&path)
        .arg(arg)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let layout = v.get("title").map(|t| {
        (
            t.as_f64().unwrap(),
            v["name"].as_f64().unwrap(),
            v["center"].as_f64().unwrap(),
        )
    });
    Page {
        path,
        layout,
        _dir: dir,
    }
}

fn assert_in_block(r: [f64; 4], (title, name, cx): (f64, f64, f64)) {
    let [x, y, w, h] = r;
    // below the title's baseline, above the name's cap height (12 pt font)
    assert!(y + h <= title, "top {} above the title {title}", y + h);
    assert!(y >= name + 9.0, "bottom {y} in the name line {name}");
    assert!(h >= 24.0, "height {h}");
    assert!(
        x >= A4[2] / 2.0 - 1.0 && x + w <= A4[2],
        "x {x}..{} not in the right half",
        x + w
    );
    assert!(
        ((x + w / 2.0) - cx).abs() < 3.0,
        "not centred on the column: {} vs {cx}",
        x + w / 2.0
    );
}

#[test]
fn finds_the_block_at_two_positions() {
    pdfium();
    for top in [300.0, 520.0] {
        let page = make(Some(top));
        let r = find_signer_block(&page.path, 0, &A4).expect("signer block");
        assert_in_block(r, page.layout.unwrap());
    }
}

#[test]
fn no_block_is_none_and_placement_falls_back() {
    pdfium();
    let page = make(None);
    assert_eq!(find_signer_block(&page.path, 0, &A4), None);
    let p = plan_placement(&page.path, Role::Leader, None, None).unwrap();
    assert!(!p.reserved_field);
    // the geometric fallback: right side, a fifth of the page up
    assert!((p.rect[1] - A4[3] * 0.2).abs() < 0.5, "{:?}", p.rect);
}

#[test]
fn plan_placement_follows_the_block() {
    pdfium();
    let mut bottoms = Vec::new();
    for top in [300.0, 520.0] {
        let page = make(Some(top));
        let p = plan_placement(&page.path, Role::Leader, None, None).unwrap();
        assert_eq!(p.page, 1);
        assert_in_block(p.rect, page.layout.unwrap());
        bottoms.push(p.rect[1]);
    }
    assert!((bottoms[1] - bottoms[0] - 220.0).abs() < 1.0, "{bottoms:?}");
}
