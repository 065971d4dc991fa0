//! Signing the "Chờ ký" queue on a real SoftHSM2 token (tests/fixtures/sign): one login
//! for several documents, wrong PIN, a bad document in the middle, documents not waiting.
use std::sync::{Arc, Mutex, OnceLock};

use vanthu_core::sign_queue::{sign_queue, Batch, DocumentResult};
use vanthu_registry::{NewOutgoing, Registry};
use vanthu_sign::testing::{self, corpus, serial};
use vanthu_sign::token::Module;
use vanthu_sign::Role;
use zeroize::Zeroizing;

fn module() -> &'static Module {
    static M: OnceLock<Arc<Module>> = OnceLock::new();
    M.get_or_init(testing::module)
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

fn signed(r: &DocumentResult) -> &vanthu_core::sign_queue::SignedDocument {
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
        &testing::trust_store(),
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
        assert_eq!(rec.state.as_str(), "signed");
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
        &testing::trust_store(),
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
    assert_eq!(reg.get(ids[0]).unwrap().state.as_str(), "draft");
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
        &testing::trust_store(),
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
    assert_eq!(reg.get(ids[1]).unwrap().state.as_str(), "draft");
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
        &testing::trust_store(),
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

/// The fixture's signature (300×120, blue) and seal (200×200, red) PNGs, made by
/// tests/fixtures/sign/make-images.py.
fn fixture_images(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let st = std::process::Command::new("python3")
        .arg(testing::repo().join("tests/fixtures/sign/make-images.py"))
        .arg(dir)
        .status()
        .expect("run make-images.py");
    assert!(st.success());
    (dir.join("signature.png"), dir.join("seal.png"))
}

/// Each signature of `pdf` as pyHanko validates it, with the images its appearance draws
/// (tests/fixtures/sign/appearance-images.py).
fn pyhanko_signatures(pdf: &std::path::Path) -> Vec<serde_json::Value> {
    let venv = std::env::var_os("VANTHU_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/vanthu/venv")
        });
    let out = std::process::Command::new(venv.join("bin/python"))
        .arg(testing::repo().join("tests/fixtures/sign/appearance-images.py"))
        .arg(pdf)
        .arg(testing::token_dir().join("root.pem"))
        .output()
        .expect("run appearance-images.py (pyHanko in the test venv, scripts/setup)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_leaders_signature_image_and_the_units_seal_are_drawn_and_pyhanko_validates_them() {
    let _g = serial();
    let (dir, reg, ids) = register_with(&["minimal.pdf"]);
    let (sig_png, seal_png) = fixture_images(dir.path());
    let (clerk, leader) = {
        let mut reg = reg.lock().unwrap();
        let person = |name: &str, role: &str| vanthu_registry::NewPerson {
            full_name: name.into(),
            roles: vec![role.into()],
            ..Default::default()
        };
        let clerk = reg.add_person(&person("Trần Thị Bình", "văn thư")).unwrap();
        let leader = reg
            .add_person(&person("Nguyễn Văn An", "lãnh đạo"))
            .unwrap();
        reg.set_seal_image(Some(&seal_png)).unwrap();
        // The leader sets their own signature from their desktop.
        reg.sign_in(Some(leader.id)).unwrap();
        reg.set_signature_image(leader.id, Some(&sig_png)).unwrap();
        (clerk, leader)
    };
    let sign = |role: Role, key: &str| {
        let out = sign_queue(
            &reg,
            module(),
            &testing::trust_store(),
            &Batch {
                ids: &ids,
                role,
                key_label: Some(key),
                token_label: Some("vanthu-test"),
                ..Default::default()
            },
            Zeroizing::new("1234".into()),
            |_, _, _| {},
        )
        .unwrap();
        signed(&out[0]).sha256.clone()
    };
    sign(Role::Leader, "leader-rsa");
    reg.lock().unwrap().sign_in(Some(clerk.id)).unwrap();
    let sha = sign(Role::Organization, "org-rsa");

    let path = {
        let reg = reg.lock().unwrap();
        let rec = reg.get(ids[0]).unwrap();
        let last = rec.attachments.last().unwrap();
        assert_eq!(last.sha256, sha);
        assert!(reg.signature_image(leader.id).unwrap().is_some());
        reg.attachment_path(last)
    };
    let sigs = pyhanko_signatures(&path);
    assert_eq!(sigs.len(), 2, "{sigs:?}");
    for s in &sigs {
        assert_eq!(
            (&s["intact"], &s["valid"], &s["trusted"]),
            (&true.into(), &true.into(), &true.into()),
            "{s}"
        );
    }
    // The leader's appearance draws the 300×120 signature with its transparency as a soft
    // mask; the organisation's the 200×200 seal, not the signature.
    assert_eq!(
        sigs[0]["images"],
        serde_json::json!([[300, 120, true]]),
        "{sigs:?}"
    );
    assert_eq!(
        sigs[1]["images"],
        serde_json::json!([[200, 200, true]]),
        "{sigs:?}"
    );
}

#[test]
fn without_images_the_appearance_has_none() {
    let _g = serial();
    let (_d, reg, ids) = register_with(&["minimal.pdf"]);
    let out = sign_queue(
        &reg,
        module(),
        &testing::trust_store(),
        &Batch {
            ids: &ids,
            role: Role::Leader,
            key_label: Some("leader-rsa"),
            token_label: Some("vanthu-test"),
            ..Default::default()
        },
        Zeroizing::new("1234".into()),
        |_, _, _| {},
    )
    .unwrap();
    signed(&out[0]);
    let path = {
        let reg = reg.lock().unwrap();
        let rec = reg.get(ids[0]).unwrap();
        reg.attachment_path(rec.attachments.last().unwrap())
    };
    let sigs = pyhanko_signatures(&path);
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0]["images"], serde_json::json!([]), "{sigs:?}");
    assert_eq!(sigs[0]["trusted"], true);
}
