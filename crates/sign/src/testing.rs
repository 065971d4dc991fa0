//! A real PKCS#11 token for tests (feature `testing`): SoftHSM2 initialised once per test
//! binary by tests/fixtures/sign/make-token.sh (leader and organisation keys, a root CA),
//! shared by the sign crate's tests and the app's. PKCS#11 is process-global state, so
//! tests hold [`serial`] while they use the token and share one [`module`] handle: dropping
//! a second handle on the same library would finalise it for the first.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::token::Module;

/// The fixture token's label and user PIN.
pub const TOKEN_LABEL: &str = "vanthu-test";
/// User PIN of the fixture token.
pub const PIN: &str = "1234";

/// The repository root (this crate lives in crates/sign).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A PDF of the shared corpus (`$VANTHU_SHARED/corpus/pdf-sign`, default `../shared`).
pub fn corpus(name: &str) -> PathBuf {
    std::env::var_os("VANTHU_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"))
        .join("corpus/pdf-sign")
        .join(name)
}

/// `$VANTHU_PKCS11_MODULE`, else Debian's SoftHSM2 library.
pub fn module_path() -> PathBuf {
    std::env::var_os("VANTHU_PKCS11_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/lib/softhsm/libsofthsm2.so".into())
}

/// Held while a test uses the token; the token exists once this returns.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    token_dir();
    guard
}

/// The token directory (keys, certificates, `softhsm2.conf`), made on first use;
/// `SOFTHSM2_CONF` points at it from then on.
pub fn token_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let st = std::process::Command::new("bash")
            .arg(repo().join("tests/fixtures/sign/make-token.sh"))
            .arg(&dir)
            .env("VANTHU_TEST_TOKEN_LABEL", TOKEN_LABEL)
            .status()
            .expect("run make-token.sh");
        assert!(st.success(), "token fixture failed");
        std::env::set_var("SOFTHSM2_CONF", dir.join("softhsm2.conf"));
        dir
    })
}

/// The one module handle of this process, on the fixture token.
pub fn module() -> Arc<Module> {
    static M: OnceLock<Arc<Module>> = OnceLock::new();
    token_dir();
    M.get_or_init(|| Arc::new(Module::load(&module_path()).expect("load the PKCS#11 module")))
        .clone()
}

/// The fixture's root CA, as trust anchors for verification.
pub fn trust_anchors() -> Vec<x509_cert::Certificate> {
    crate::load_trust_anchors(&[token_dir().join("root.pem")]).expect("fixture root CA")
}

/// The fixture's root CA as a trust store without CRLs.
pub fn trust_store() -> crate::TrustStore {
    crate::TrustStore::from_anchors(trust_anchors())
}
