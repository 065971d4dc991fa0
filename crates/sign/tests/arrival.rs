//! The arrival stamp and the organisation signature on real documents: a LibreOffice-made
//! công văn (tests/fixtures/cong_van_lo.py) and the shared corpus, signed on the SoftHSM2
//! fixture token, checked by pyHanko and poppler's pdfsig besides our own verifier, and
//! the visible boxes checked against the page's text runs read through pdfium.
use std::path::{Path, PathBuf};
use std::process::Command;

use vanthu_sign::free_space::{is_free, text_boxes, PAD};
use vanthu_sign::testing::{self, corpus, module, serial, token_dir, PIN, TOKEN_LABEL};
use vanthu_sign::{sign_pdf, verify_pdf, ArrivalStamp, Role, SignError, SignOutcome, SignRequest};
use zeroize::Zeroizing;

fn venv_bin(name: &str) -> PathBuf {
    let venv = std::env::var_os("VANTHU_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/vanthu/venv")
        });
    let p = venv.join("bin").join(name);
    assert!(p.is_file(), "{} missing: run scripts/setup", p.display());
    p
}

fn pdfium() {
    if let Err(e) = vanthu_pdf::library_path() {
        panic!("pdfium is needed (source scripts/lib.sh for VANTHU_PDFIUM): {e}");
    }
}

fn sign_with(key_label: &str, req: &SignRequest) -> Result<SignOutcome, SignError> {
    let m = module();
    let slot = m.find_slot(Some(TOKEN_LABEL))?;
    let s = m.login(slot, &Zeroizing::new(PIN.to_string()))?;
    let k = s.key(Some(key_label))?;
    sign_pdf(req, &k)
}

/// The one-page LibreOffice công văn, made fresh in `dir`.
fn cong_van(dir: &Path) -> PathBuf {
    let out = dir.join("cong-van-lo.pdf");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cong_van_lo.py");
    let st = Command::new("python3")
        .arg(script)
        .arg(&out)
        .status()
        .expect("python3");
    assert!(st.success(), "cong_van_lo.py failed (soffice installed?)");
    out
}

fn stamp() -> ArrivalStamp {
    ArrivalStamp {
        agency: "Sở Thông tin và Truyền thông tỉnh Thử Nghiệm".into(),
        number: "M12".into(),
        date: "05/11/2025".into(),
        handler: Some("Phòng Bưu chính".into()),
        file_notation: None,
    }
}

fn arrival_req(input: PathBuf, output: PathBuf) -> SignRequest {
    SignRequest {
        input,
        output,
        role: Role::Organization,
        arrival: Some(stamp()),
        ..Default::default()
    }
}

/// pyHanko's verdict lines (`field:signer:INTACT:TRUSTED,…`), one per signature; it exits
/// non-zero when any signature is untrusted, so the lines are what is judged.
fn pyhanko_validate(file: &Path) -> Vec<String> {
    let out = Command::new(venv_bin("pyhanko"))
        .args(["sign", "validate", "--trust"])
        .arg(token_dir().join("root.pem"))
        .arg("--trust-replace")
        .arg(file)
        .output()
        .expect("pyhanko");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// pdfsig's count of cryptographically valid signatures, and its whole report.
fn pdfsig_valid(file: &Path) -> (usize, String) {
    let out = Command::new("pdfsig").arg(file).output().expect("pdfsig");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (
        text.matches("Signature Validation: Signature is Valid")
            .count(),
        text,
    )
}

fn pdftotext(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn organization_signature_without_seal_stays_off_the_typed_name_of_a_libreoffice_cong_van() {
    pdfium();
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let cv = cong_van(dir.path());
    let text = text_boxes(&cv, 0).expect("text runs");
    let l = dir.path().join("l.pdf");
    let lo = dir.path().join("lo.pdf");
    let leader = sign_with(
        "leader-rsa",
        &SignRequest {
            input: cv.clone(),
            output: l.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let lr = leader.rect.unwrap();
    // The fixture reproduces the report: the geometric rule's seal box (1.4 × the leader's
    // height, over its left third) lands on the title and the typed name.
    let s = (lr[3] * 1.4).clamp(60.0, 140.0);
    let (cx, cy) = (lr[0] + lr[2] / 6.0, lr[1] + lr[3] / 2.0);
    let rule = [cx - s / 2.0 - s / 6.0, cy - s / 2.0, s, s];
    assert!(
        !is_free(&rule, &text, PAD),
        "the fixture no longer has text under the rule's box {rule:?}"
    );
    let org = sign_with(
        "org-rsa",
        &SignRequest {
            input: l,
            output: lo.clone(),
            role: Role::Organization,
            ..Default::default()
        },
    )
    .unwrap();
    let r = org.rect.unwrap();
    assert!(is_free(&r, &text, PAD), "seal box {r:?} covers text");
    // Still the signer block's: near the leader's signature.
    let (ox, oy) = (r[0] + r[2] / 2.0, r[1] + r[3] / 2.0);
    assert!(
        (ox - (lr[0] + lr[2] / 2.0)).abs() < 200.0 && (oy - cy).abs() < 120.0,
        "{r:?} far from the leader's {lr:?}"
    );
    let rep = verify_pdf(&lo, &testing::trust_anchors()).unwrap();
    assert_eq!(rep.signatures.len(), 2);
    assert!(rep
        .signatures
        .iter()
        .all(|s| s.intact && s.valid && s.trusted));
    assert!(!rep.modified_after_last_signature);
    assert_eq!(pdfsig_valid(&lo).0, 2, "{}", pdfsig_valid(&lo).1);
}

#[test]
fn arrival_stamp_keeps_a_senders_pyhanko_signature_intact_and_covers_no_text() {
    pdfium();
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let cv = cong_van(dir.path());
    // The sender's PAdES signature, made by pyHanko with the fixture's leader key.
    let sent = dir.path().join("sent.pdf");
    let tok = token_dir();
    let st = Command::new(venv_bin("pyhanko"))
        .args([
            "sign",
            "addsig",
            "--use-pades",
            "--field",
            "SenderSig",
            "pemder",
            "--key",
        ])
        .arg(tok.join("leader-ec.key"))
        .arg("--cert")
        .arg(tok.join("leader-ec.pem"))
        .arg("--no-pass")
        .arg(&cv)
        .arg(&sent)
        .status()
        .expect("pyhanko addsig");
    assert!(st.success());
    let text = text_boxes(&sent, 0).expect("text runs");
    assert!(text.len() > 10, "{text:?}");

    let stamped = dir.path().join("stamped.pdf");
    let out = sign_with("org-rsa", &arrival_req(sent.clone(), stamped.clone())).unwrap();
    assert_eq!(out.page, 1);
    let r = out.rect.unwrap();
    assert!(is_free(&r, &text, PAD), "stamp {r:?} covers text");
    // Upper half, right side: where a văn thư stamps.
    assert!(
        r[1] + r[3] > 841.0 / 2.0 && r[0] + r[2] > 595.0 / 2.0,
        "{r:?}"
    );
    // The original bytes are the stamped file's first revision.
    let (a, b) = (
        std::fs::read(&sent).unwrap(),
        std::fs::read(&stamped).unwrap(),
    );
    assert_eq!(&b[..a.len()], &a[..]);

    let rep = verify_pdf(&stamped, &testing::trust_anchors()).unwrap();
    assert_eq!(rep.signatures.len(), 2);
    let (sender, ours) = (&rep.signatures[0], &rep.signatures[1]);
    assert!(
        sender.intact && sender.valid && sender.trusted,
        "{sender:?}"
    );
    assert!(!sender.modified_after, "{:?}", sender.details.changes_after);
    assert!(ours.intact && ours.valid && ours.trusted && ours.covers_whole_document);
    assert!(!rep.modified_after_last_signature);

    let lines = pyhanko_validate(&stamped);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.contains(":INTACT:TRUSTED")),
        "pyHanko: {lines:?}"
    );
    let (valid, report) = pdfsig_valid(&stamped);
    assert_eq!(valid, 2, "{report}");

    let shown = pdftotext(&stamped);
    for want in [
        "ĐẾN",
        "Số: M12",
        "Ngày: 05/11/2025",
        "Chuyển: Phòng Bưu chính",
    ] {
        assert!(
            shown.contains(want),
            "{want:?} not in the page text:\n{shown}"
        );
    }
}

#[test]
fn arrival_stamp_on_a_corpus_file_signed_twice_by_others() {
    pdfium();
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let input = corpus("minimal-signed-twice-second-created.pdf");
    let before = verify_pdf(&input, &testing::trust_anchors()).unwrap();
    let stamped = dir.path().join("stamped.pdf");
    let out = sign_with("org-ec", &arrival_req(input.clone(), stamped.clone())).unwrap();
    let text = text_boxes(&input, 0).expect("text runs");
    let r = out.rect.unwrap();
    assert!(is_free(&r, &text, PAD), "stamp {r:?} covers text");
    let rep = verify_pdf(&stamped, &testing::trust_anchors()).unwrap();
    assert_eq!(rep.signatures.len(), before.signatures.len() + 1);
    for (was, now) in before.signatures.iter().zip(&rep.signatures) {
        assert_eq!(
            (was.intact, was.valid),
            (now.intact, now.valid),
            "{}",
            now.field
        );
        assert!(now.intact && !now.modified_after, "{now:?}");
    }
    assert!(rep.signatures.last().unwrap().trusted);
    let lines = pyhanko_validate(&stamped);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l.contains(":INTACT:")), "{lines:?}");
    assert!(lines[2].contains(":INTACT:TRUSTED"), "{lines:?}");
    assert_eq!(pdfsig_valid(&stamped).0, 3, "{}", pdfsig_valid(&stamped).1);
}

#[test]
fn arrival_stamp_needs_an_organisation_signature() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.pdf");
    let mut req = arrival_req(corpus("minimal.pdf"), out.clone());
    req.role = Role::Leader;
    let e = sign_with("leader-rsa", &req).unwrap_err();
    assert!(matches!(e, SignError::BadRequest(_)), "{e}");
    assert!(!out.exists());
}
