//! Token presence polling for the "Chờ ký" screen on a real SoftHSM2 token
//! (tests/fixtures/sign). Batch signing itself is tested in crates/sign/tests/queue.rs.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use vanthu_app::signing::SigningState;
use vanthu_sign::token::Module;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn module_path() -> PathBuf {
    std::env::var_os("VANTHU_PKCS11_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/lib/softhsm/libsofthsm2.so".into())
}

/// A fresh token per test would need a module reload; PKCS#11 is process-global, so the
/// tests share one token dir and run one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn make_token(dir: &Path, label: &str) {
    let st = std::process::Command::new("bash")
        .arg(repo().join("tests/fixtures/sign/make-token.sh"))
        .arg(dir)
        .env("VANTHU_TEST_TOKEN_LABEL", label)
        .status()
        .expect("run make-token.sh");
    assert!(st.success(), "token fixture failed");
}

fn token_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        make_token(&dir, "vanthu-test");
        std::env::set_var("SOFTHSM2_CONF", dir.join("softhsm2.conf"));
        dir
    })
}

/// One module handle for the whole binary: dropping a second handle on the same library
/// would finalise PKCS#11 for the first one too.
fn shared_module() -> Arc<Module> {
    static M: OnceLock<Arc<Module>> = OnceLock::new();
    token_dir();
    M.get_or_init(|| Arc::new(Module::load(&module_path()).unwrap()))
        .clone()
}

#[test]
fn token_status_lists_the_certificates_and_reports_changes_once() {
    let _g = serial();
    token_dir();
    std::env::set_var("VANTHU_PKCS11_MODULE", module_path());
    let data = tempfile::tempdir().unwrap();
    let st = SigningState::with_module(data.path(), shared_module());
    let first = st.poll_change().expect("first poll reports the state");
    assert!(first.problem.is_none(), "{first:?}");
    let tok = first
        .tokens
        .iter()
        .find(|t| t.label == "vanthu-test")
        .unwrap();
    let holders: Vec<&str> = tok.certificates.iter().map(|c| c.holder.as_str()).collect();
    assert!(holders.contains(&"Nguyễn Văn An"), "{holders:?}");
    assert!(st.poll_change().is_none(), "no change, no event");
}
