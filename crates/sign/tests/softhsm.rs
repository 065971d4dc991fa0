//! Signing on a real SoftHSM2 token built by tests/fixtures/sign/make-token.sh, verified by
//! our verifier (pyHanko/pdfsig cross-checks live in scripts/test.d/40-sign.sh).
use std::path::PathBuf;

use vanthu_sign::pdf::doc::Doc;
use vanthu_sign::testing::{self, corpus, module_path, repo, serial};
use vanthu_sign::token::Module;
use vanthu_sign::{sign_pdf, verify_pdf, PdfError, Role, SignError, SignRequest};
use zeroize::Zeroizing;

fn sign_with(key_label: &str, req: &SignRequest) -> Result<vanthu_sign::SignOutcome, SignError> {
    let m = Module::load(&module_path())?;
    let slot = m.find_slot(Some("vanthu-test"))?;
    let s = m.login(slot, &Zeroizing::new("1234".to_string()))?;
    let k = s.key(Some(key_label))?;
    sign_pdf(req, &k)
}

fn req(input: PathBuf, output: PathBuf) -> SignRequest {
    SignRequest {
        input,
        output,
        ..Default::default()
    }
}

#[test]
fn signs_classic_and_xref_stream_files_with_rsa_and_ecdsa() {
    let _g = serial();
    let out = tempfile::tempdir().unwrap();
    for (file, key) in [
        ("minimal.pdf", "leader-rsa"),
        ("minimal-xref.pdf", "leader-ec"),
        ("uncompressed-objstream-sample.pdf", "org-rsa"),
        ("minimal-with-field.pdf", "org-ec"),
    ] {
        let input = corpus(file);
        let output = out.path().join(format!("{file}-{key}.pdf"));
        let o = sign_with(key, &req(input.clone(), output.clone())).unwrap();
        // A reserved empty signature field is filled; otherwise a new field is added.
        let want = if file == "minimal-with-field.pdf" {
            "Sig1"
        } else {
            "Signature1"
        };
        assert_eq!(o.field, want, "{file}");
        let orig = std::fs::read(&input).unwrap();
        let signed = std::fs::read(&output).unwrap();
        // The hash reported is the file's, though the file was never read back.
        use sha2::Digest;
        assert_eq!(
            o.sha256,
            hex::encode(sha2::Sha256::digest(&signed)),
            "{file}"
        );
        assert_eq!(o.size, signed.len() as u64, "{file}");
        assert_eq!(
            &signed[..orig.len()],
            &orig[..],
            "{file}: original bytes changed"
        );
        let rep = verify_pdf(&output, &testing::trust_anchors()).unwrap();
        let s = rep.signatures.last().unwrap();
        assert!(
            s.intact && s.valid && s.trusted && s.covers_whole_document,
            "{file}: {s:?}"
        );
        assert_eq!(s.level, "B-B");
        assert!(!rep.modified_after_last_signature);
        // An xref-stream original gets an xref-stream update.
        let orig_doc = Doc::open(&orig).unwrap();
        let new_doc = Doc::open(&signed).unwrap();
        assert_eq!(
            new_doc.sections[0].is_stream, orig_doc.sections[0].is_stream,
            "{file}"
        );
    }
}

#[test]
fn leader_then_organization_both_valid_and_seal_overlaps_left_third() {
    let _g = serial();
    let out = tempfile::tempdir().unwrap();
    let l = out.path().join("l.pdf");
    let lo = out.path().join("lo.pdf");
    let mut r1 = req(corpus("minimal-two-pages.pdf"), l.clone());
    r1.rect = Some([100.0, 20.0, 150.0, 60.0]);
    let o1 = sign_with("leader-rsa", &r1).unwrap();
    assert_eq!(o1.page, 2, "leader signs the last page by default");
    let mut r2 = req(l, lo.clone());
    r2.role = Role::Organization;
    let o2 = sign_with("org-rsa", &r2).unwrap();
    let [lx, _, lw, _] = o1.rect.unwrap();
    let [sx, _, sw, _] = o2.rect.unwrap();
    // The seal covers the leader image's left edge and reaches into, not past, its left third region.
    assert!(
        sx < lx && sx + sw > lx && sx + sw <= lx + lw / 3.0 + sw / 2.0,
        "{:?} {:?}",
        o1.rect,
        o2.rect
    );
    let rep = verify_pdf(&lo, &testing::trust_anchors()).unwrap();
    assert_eq!(rep.signatures.len(), 2);
    assert!(rep
        .signatures
        .iter()
        .all(|s| s.intact && s.valid && s.trusted));
    assert!(!rep.signatures[0].covers_whole_document);
    assert!(rep.signatures[1].covers_whole_document);
    assert!(!rep.modified_after_last_signature);
}

#[test]
fn leader_fills_reserved_fields_in_order() {
    let _g = serial();
    let out = tempfile::tempdir().unwrap();
    let a = out.path().join("a.pdf");
    let b = out.path().join("b.pdf");
    let o1 = sign_with(
        "leader-rsa",
        &req(corpus("minimal-two-fields.pdf"), a.clone()),
    )
    .unwrap();
    let o2 = sign_with("leader-ec", &req(a, b.clone())).unwrap();
    assert_eq!((o1.field.as_str(), o2.field.as_str()), ("Sig1", "Sig2"));
    // Sig1's widget rectangle in the corpus file is [10 10 290 70].
    assert_eq!(o1.rect, Some([10.0, 10.0, 280.0, 60.0]));
    let rep = verify_pdf(&b, &testing::trust_anchors()).unwrap();
    let fields: Vec<_> = rep.signatures.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, ["Sig1", "Sig2"]);
    assert!(rep
        .signatures
        .iter()
        .all(|s| s.intact && s.valid && s.trusted));
    assert!(!rep.modified_after_last_signature);
}

#[test]
fn flipped_byte_is_not_intact() {
    let _g = serial();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("s.pdf");
    sign_with("leader-rsa", &req(corpus("minimal.pdf"), o.clone())).unwrap();
    let mut data = std::fs::read(&o).unwrap();
    let i = data.windows(5).position(|w| w == b"Hello").unwrap();
    data[i] ^= 1;
    let flipped = out.path().join("f.pdf");
    std::fs::write(&flipped, &data).unwrap();
    let rep = verify_pdf(&flipped, &testing::trust_anchors()).unwrap();
    assert!(!rep.signatures[0].intact);
    assert!(!rep.signatures[0].valid);
}

#[test]
fn untrusted_without_anchors_but_valid() {
    let _g = serial();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("s.pdf");
    sign_with("leader-ec", &req(corpus("minimal.pdf"), o.clone())).unwrap();
    let rep = verify_pdf(&o, &[]).unwrap();
    assert!(rep.signatures[0].valid);
    assert!(!rep.signatures[0].trusted);
}

#[test]
fn wrong_pin_is_reported_with_retry_state() {
    let _g = serial();
    let m = Module::load(&module_path()).unwrap();
    let slot = m.find_slot(Some("vanthu-test")).unwrap();
    match m.login(slot, &Zeroizing::new("999999".to_string())) {
        Err(SignError::WrongPin(state)) => {
            assert!(state.to_string().contains("tries"), "{state}");
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("wrong PIN accepted"),
    }
}

#[test]
fn unknown_token_label_is_not_found() {
    let _g = serial();
    let m = Module::load(&module_path()).unwrap();
    assert!(matches!(
        m.find_slot(Some("no-such-token")),
        Err(SignError::TokenNotFound(_))
    ));
}

#[test]
fn bad_input_gives_clear_error_and_no_output() {
    let _g = serial();
    let out = tempfile::tempdir().unwrap();
    for (name, want) in [
        ("bad/minimal-aes256.pdf", "encrypted"),
        ("bad/not-a-pdf.pdf", "not a PDF"),
        ("bad/truncated.pdf", "corrupt"),
    ] {
        let o = out.path().join("o.pdf");
        let err = sign_with("leader-rsa", &req(corpus(name), o.clone())).unwrap_err();
        assert!(err.to_string().contains(want), "{name}: {err}");
        assert!(!o.exists(), "{name}: output written");
        assert_eq!(
            std::fs::read_dir(out.path()).unwrap().count(),
            0,
            "{name}: temporary file left"
        );
        assert!(verify_pdf(&corpus(name), &[]).is_err());
    }
    assert!(matches!(
        Doc::open(&std::fs::read(corpus("bad/minimal-aes256.pdf")).unwrap()).err(),
        Some(PdfError::Encrypted)
    ));
}

#[test]
fn token_listing_shows_certificates() {
    let _g = serial();
    let m = Module::load(&module_path()).unwrap();
    let tokens = m.list().unwrap();
    let t = tokens.iter().find(|t| t.label == "vanthu-test").unwrap();
    assert_eq!(t.certificates.len(), 4);
    let leader = t
        .certificates
        .iter()
        .find(|c| c.label == "leader-rsa")
        .unwrap();
    assert_eq!(leader.info.common_name, "Nguyễn Văn An");
    assert!(leader
        .info
        .key_usage
        .contains(&"nonRepudiation".to_string()));
    assert!(leader.info.issuer.contains("vanthu Test Root CA"));
}

#[test]
fn planned_placement_is_where_the_signature_lands() {
    let _g = serial();
    let out = tempfile::tempdir().unwrap();
    // Automatic (last page), a reserved field, and an organisation seal after a leader.
    let two = corpus("minimal-two-pages.pdf");
    let p = vanthu_sign::plan_placement(&two, Role::Leader, None, None).unwrap();
    assert_eq!((p.page, p.page_count, p.reserved_field), (2, 2, false));
    let l = out.path().join("l.pdf");
    let o = sign_with("leader-rsa", &req(two.clone(), l.clone())).unwrap();
    assert_eq!(o.page, p.page);
    assert_eq!(o.rect, Some(p.request_rect()));
    let r = [0.0, 0.0, p.page_width, p.page_height];
    let [x, y, w, h] = p.rect;
    assert!(
        x >= r[0] && y >= r[1] && x + w <= r[2] && y + h <= r[3],
        "{p:?}"
    );

    let seal = vanthu_sign::plan_placement(&l, Role::Organization, None, None).unwrap();
    let mut r2 = req(l, out.path().join("lo.pdf"));
    r2.role = Role::Organization;
    let o2 = sign_with("org-rsa", &r2).unwrap();
    assert_eq!(o2.rect, Some(seal.request_rect()));

    let fields = corpus("minimal-two-fields.pdf");
    let p = vanthu_sign::plan_placement(&fields, Role::Leader, None, None).unwrap();
    assert!(p.reserved_field);
    assert_eq!(p.rect, [10.0, 10.0, 280.0, 60.0]);

    let given =
        vanthu_sign::plan_placement(&two, Role::Leader, Some(1), Some([50.0, 60.0, 100.0, 40.0]))
            .unwrap();
    assert_eq!((given.page, given.rect), (1, [50.0, 60.0, 100.0, 40.0]));
    let mut r3 = req(two.clone(), out.path().join("r.pdf"));
    r3.page = Some(1);
    r3.rect = Some(given.request_rect());
    let o3 = sign_with("leader-rsa", &r3).unwrap();
    assert_eq!((o3.page, o3.rect), (1, Some(given.request_rect())));
    assert!(vanthu_sign::plan_placement(&two, Role::Leader, Some(3), None).is_err());
}

#[test]
fn leader_signs_in_the_signer_block_and_seal_follows() {
    let _g = serial();
    assert!(
        vanthu_pdf::library_path().is_ok(),
        "pdfium is needed (VANTHU_PDFIUM)"
    );
    let out = tempfile::tempdir().unwrap();
    let input = out.path().join("nd30.pdf");
    let venv = std::env::var_os("VANTHU_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/vanthu/venv")
        });
    let made = std::process::Command::new(venv.join("bin/python"))
        .arg(repo().join("crates/sign/tests/fixtures/signer_block.py"))
        .arg(&input)
        .arg("400")
        .output()
        .expect("run signer_block.py");
    assert!(made.status.success());
    // title baseline 370, name baseline 280 (see the script)
    let plan = vanthu_sign::plan_placement(&input, Role::Leader, None, None).unwrap();
    let l = out.path().join("l.pdf");
    let o = sign_with("leader-rsa", &req(input, l.clone())).unwrap();
    assert_eq!(o.rect, Some(plan.request_rect()));
    let [lx, ly, lw, lh] = o.rect.unwrap();
    assert!(ly >= 289.0 && ly + lh <= 370.0, "{:?}", o.rect);
    let mut r2 = req(l, out.path().join("lo.pdf"));
    r2.role = Role::Organization;
    let o2 = sign_with("org-rsa", &r2).unwrap();
    let [sx, _, sw, _] = o2.rect.unwrap();
    assert!(sx < lx && sx + sw > lx && sx + sw <= lx + lw / 3.0 + sw / 2.0);
    let rep = verify_pdf(&out.path().join("lo.pdf"), &testing::trust_anchors()).unwrap();
    assert!(rep.signatures.iter().all(|s| s.intact && s.valid));
}

#[test]
fn a_prepared_signing_dropped_unsigned_leaves_nothing_and_a_signed_one_only_the_output() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("o.pdf");
    // Dropped while (or after) the pass copies the input into the temporary file: the
    // caller gave up, e.g. the token was not found.
    drop(vanthu_sign::prepare_sign(req(corpus("minimal.pdf"), o.clone())).unwrap());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let prepared = vanthu_sign::prepare_sign(req(corpus("minimal.pdf"), o.clone())).unwrap();
    let m = Module::load(&module_path()).unwrap();
    let slot = m.find_slot(Some("vanthu-test")).unwrap();
    let s = m.login(slot, &Zeroizing::new("1234".to_string())).unwrap();
    let k = s.key(Some("leader-rsa")).unwrap();
    prepared.sign(&k).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("o.pdf")]);
    let rep = verify_pdf(&o, &testing::trust_anchors()).unwrap();
    assert!(
        rep.signatures[0].intact && rep.signatures[0].valid,
        "{rep:?}"
    );
    // The original bytes are the signed file's prefix, unchanged.
    let original = std::fs::read(corpus("minimal.pdf")).unwrap();
    assert!(std::fs::read(&o).unwrap().starts_with(&original));
}
