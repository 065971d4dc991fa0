//! Shared by the vanthu-core integration tests: where the PDF corpus and the generated PDF
//! fixtures are.
#![allow(dead_code)] // each test binary uses its own subset

mod hub;
#[allow(unused_imports)] // the PDF-only test binaries do not start a hub
pub use hub::*;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

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

fn venv_python() -> PathBuf {
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
            .prefix("vanthu-core-fixtures")
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

/// Signs the PDF of outgoing draft `id` as the leader on the SoftHSM2 test token (one
/// document through the Chờ ký batch), as a leader does before the draft is issued.
pub fn sign_as_leader(reg: &std::sync::Mutex<vanthu_registry::Registry>, id: i64) {
    use std::sync::Arc;
    static MODULE: OnceLock<Arc<vanthu_sign::token::Module>> = OnceLock::new();
    let module = MODULE.get_or_init(vanthu_sign::testing::module);
    let _g = vanthu_sign::testing::serial();
    let out = vanthu_core::sign_queue::sign_queue(
        reg,
        module,
        &vanthu_sign::testing::trust_store(),
        &vanthu_core::sign_queue::Batch {
            ids: &[id],
            role: vanthu_sign::Role::Leader,
            key_label: Some("leader-rsa"),
            token_label: Some("vanthu-test"),
            ..Default::default()
        },
        zeroize::Zeroizing::new("1234".into()),
        |_, _, _| {},
    )
    .unwrap();
    assert!(
        out[0].outcome.is_ok(),
        "{:?}",
        out[0].outcome.as_ref().err()
    );
}
