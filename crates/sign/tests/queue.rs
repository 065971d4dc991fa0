//! Signing the "Chờ ký" queue on a real SoftHSM2 token (tests/fixtures/sign): one login
//! for several documents, wrong PIN, a bad document in the middle, documents not waiting.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use vanthu_registry::{NewOutgoing, Registry};
use vanthu_sign::queue::{sign_queue, Batch, DocumentResult};
use vanthu_sign::token::Module;
use vanthu_sign::Role;
use zeroize::Zeroizing;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus(name: &str) -> PathBuf {
    std::env::var_os("VANTHU_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"))
        .join("corpus/pdf-sign")
        .join(name)
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

fn module() -> &'static Module {
    static M: OnceLock<Arc<Module>> = OnceLock::new();
    M.get_or_init(shared_module)
}

fn register_with(files: &[&str]) -> (tempfile::TempDir, Mutex<Registry>, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let ids = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            reg.create_outgoing(NewOutgoing {
                notation: "UBND-VP".into(),
                doc_type: "Công văn".into(),
                subject: format!("Văn bản thử {i}"),
                files: vec![corpus(f)],
                ..Default::default()
            })
            .unwrap()
            .id
        })
        .collect();
    (dir, Mutex::new(reg), ids)
}

fn root() -> Vec<x509_cert::Certificate> {
    vanthu_sign::load_trust_anchors(&[token_dir().join("root.pem")]).unwrap()
}

fn signed(r: &DocumentResult) -> &vanthu_sign::queue::SignedDocument {
    r.outcome
        .as_ref()
        .unwrap_or_else(|e| panic!("{} not signed: {e}", r.id))
}

fn report(r: &DocumentResult) -> &vanthu_sign::VerifyReport {
    signed(r).verification.as_ref().unwrap()
}

#[test]
fn one_pin_signs_a_batch_and_each_result_is_verified() {
    let _g = serial();
    let (_d, reg, ids) = register_with(&["minimal.pdf", "minimal-two-pages.pdf"]);
    let mut seen = Vec::new();
    let out = sign_queue(
        &reg,
        module(),
        &root(),
        &Batch {
            ids: &ids,
            role: Role::Leader,
            key_label: Some("leader-rsa"),
            token_label: Some("vanthu-test"),
            ..Default::default()
        },
        Zeroizing::new("1234".into()),
        |i, n, id| seen.push((i, n, id)),
    )
    .unwrap();
    assert_eq!(seen, [(0, 2, ids[0]), (1, 2, ids[1])]);
    assert_eq!(out.len(), 2);
    let reg = reg.lock().unwrap();
    for (r, id) in out.iter().zip(&ids) {
        let rep = report(r);
        assert_eq!(rep.signatures.len(), 1);
        let s = &rep.signatures[0];
        assert!(
            s.intact && s.valid && s.trusted && s.covers_whole_document,
            "{s:?}"
        );
        assert_eq!(s.signer, "Nguyễn Văn An");
        assert!(
            rep.to_text().contains("Chữ ký hợp lệ: có"),
            "{}",
            rep.to_text()
        );
        let rec = reg.get(*id).unwrap();
        assert_eq!(rec.state, "signed");
        let stored = rec.attachments.last().unwrap();
        assert_eq!(stored.sha256, signed(r).sha256);
        assert!(stored.file_name.ends_with("(đã ký).pdf"));
        // The original draft PDF is still the first attachment, untouched.
        let original = std::fs::read(reg.attachment_path(&rec.attachments[0])).unwrap();
        let signed = std::fs::read(reg.attachment_path(stored)).unwrap();
        assert!(signed.starts_with(&original) && signed.len() > original.len());
    }
    assert!(reg.signing_queue().unwrap().is_empty());
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn wrong_pin_changes_nothing_and_says_so_in_vietnamese() {
    let _g = serial();
    let (_d, reg, ids) = register_with(&["minimal.pdf"]);
    let err = sign_queue(
        &reg,
        module(),
        &root(),
        &Batch {
            ids: &ids,
            role: Role::Leader,
            key_label: None,
            token_label: Some("vanthu-test"),
            ..Default::default()
        },
        Zeroizing::new("9999".into()),
        |_, _, _| panic!("nothing is signed with a wrong PIN"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("sai mã PIN"), "{err}");
    assert!(err.contains("lần thử"), "{err}");
    assert!(!err.contains("9999"), "the PIN never appears in a message");
    let reg = reg.lock().unwrap();
    assert_eq!(reg.get(ids[0]).unwrap().state, "draft");
    assert_eq!(reg.signing_queue().unwrap().len(), 1);
}

#[test]
fn a_bad_document_fails_alone_and_a_rectangle_is_honoured() {
    let _g = serial();
    let (_d, reg, ids) = register_with(&[
        "minimal.pdf",
        "bad/minimal-aes256.pdf",
        "minimal-two-pages.pdf",
    ]);
    let out = sign_queue(
        &reg,
        module(),
        &root(),
        &Batch {
            ids: &ids,
            role: Role::Leader,
            page: Some(1),
            rect: Some([40.0, 50.0, 150.0, 60.0]),
            key_label: Some("leader-ec"),
            token_label: None,
        },
        Zeroizing::new("1234".into()),
        |_, _, _| {},
    )
    .unwrap();
    assert!(out[0].outcome.is_ok() && out[2].outcome.is_ok(), "{out:?}");
    let why = out[1].outcome.as_ref().unwrap_err();
    assert!(why.contains("mã hóa"), "{why}");
    let reg = reg.lock().unwrap();
    assert_eq!(reg.get(ids[1]).unwrap().state, "draft");
    assert_eq!(reg.get(ids[1]).unwrap().attachments.len(), 1);
    assert_eq!(report(&out[2]).signatures[0].signer, "Trần Thị Bình");
}

#[test]
fn documents_not_waiting_are_refused_before_login() {
    let _g = serial();
    let (_d, reg, ids) = register_with(&["minimal.pdf"]);
    reg.lock()
        .unwrap()
        .issue_outgoing(ids[0], "2024-05-02".parse().unwrap())
        .unwrap();
    let err = sign_queue(
        &reg,
        module(),
        &root(),
        &Batch {
            ids: &ids,
            role: Role::Leader,
            key_label: None,
            token_label: None,
            ..Default::default()
        },
        Zeroizing::new("1234".into()),
        |_, _, _| panic!("nothing to sign"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("không chờ ký"), "{err}");
}
