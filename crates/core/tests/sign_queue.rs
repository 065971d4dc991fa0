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
