//! Post-signing changes and certificate rules, on files signed with the SoftHSM2 fixture
//! token: each tampered file is built here as an appended incremental update, the way an
//! attacker would (the pyHanko cross-check of the same cases is scripts/test.d/41-sign-tamper.sh).
use std::path::{Path, PathBuf};

use der::{DecodePem, Encode};
use vanthu_sign::pdf::doc::Doc;
use vanthu_sign::pdf::object::{write_obj, Dict, Obj};
use vanthu_sign::signpdf::Signer;
use vanthu_sign::testing::{self, corpus, serial, token_dir};
use vanthu_sign::token::KeyAlg;
use vanthu_sign::{sign_pdf, verify_pdf, SignError, SignRequest, TrustStore, VerifyReport};
use x509_cert::Certificate;
use zeroize::Zeroizing;

fn sign_file(input: &Path, output: &Path, key_label: &str) {
    let m = testing::module();
    let slot = m.find_slot(Some(testing::TOKEN_LABEL)).unwrap();
    let s = m
        .login(slot, &Zeroizing::new(testing::PIN.to_string()))
        .unwrap();
    let k = s.key(Some(key_label)).unwrap();
    sign_pdf(&req(input, output), &k).unwrap();
}

fn req(input: &Path, output: &Path) -> SignRequest {
    SignRequest {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        ..Default::default()
    }
}

/// A signed copy of minimal.pdf (leader-rsa) in `dir`.
fn signed(dir: &Path) -> PathBuf {
    let out = dir.join("signed.pdf");
    sign_file(&corpus("minimal.pdf"), &out, "leader-rsa");
    out
}

/// Appends an incremental update (classic xref table) with `objs`; `root` replaces the
/// trailer's /Root when given.
fn append(data: &[u8], objs: &[(u32, Obj)], root: Option<u32>) -> Vec<u8> {
    let doc = Doc::open(data).unwrap();
    let mut out = data.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (n, o) in objs {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        write_obj(&mut out, o);
        out.extend_from_slice(b"\nendobj\n");
    }
    offsets.sort();
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    for (n, off) in &offsets {
        out.extend_from_slice(format!("{n} 1\n{off:010} 00000 n\r\n").as_bytes());
    }
    let size = objs
        .iter()
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(0)
        .max(doc.size());
    let root = root.unwrap_or(doc.root_ref().unwrap().0);
    let mut trailer = Dict::new()
        .with("Size", Obj::Int(size.into()))
        .with("Root", Obj::Ref(root, 0))
        .with("Prev", Obj::Int(doc.startxref as i64));
    if let Some(i) = doc.trailer.get("Info") {
        trailer.set("Info", i.clone());
    }
    out.extend_from_slice(b"trailer\n");
    write_obj(&mut out, &Obj::Dict(trailer));
    out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

fn stream(dict: Dict, data: &[u8]) -> Obj {
    Obj::Stream(dict, data.to_vec())
}

fn verify(data: &[u8], trust: &TrustStore) -> VerifyReport {
    vanthu_sign::verify::verify_bytes_with(data, trust).unwrap()
}

fn anchors() -> TrustStore {
    testing::trust_store()
}

/// The signature itself stays intact and valid; only the later update is the problem.
fn assert_tampered(rep: &VerifyReport, what: &str, needle: &str) {
    assert!(rep.modified_after_last_signature, "{what}: {rep:#?}");
    let s = &rep.signatures[0];
    assert!(s.intact && s.valid, "{what}: {s:?}");
    assert!(s.modified_after && !s.covers_whole_document, "{what}");
    let text = rep.to_text();
    assert!(text.contains("không bao phủ toàn bộ tệp"), "{what}: {text}");
    assert!(text.contains(needle), "{what}: {needle:?} not in {text}");
    assert!(
        text.contains("Sửa đổi sau chữ ký cuối: CÓ"),
        "{what}: {text}"
    );
}

struct Parts {
    data: Vec<u8>,
    root: u32,
    page: u32,
    page_dict: Dict,
    next: u32,
}

fn parts(path: &Path) -> Parts {
    let data = std::fs::read(path).unwrap();
    let (root, next, page, page_dict) = {
        let doc = Doc::open(&data).unwrap();
        let page = doc.pages().unwrap()[0].0;
        let page_dict = doc.resolve_dict(&Obj::Ref(page, 0)).unwrap();
        (doc.root_ref().unwrap().0, doc.size(), page, page_dict)
    };
    Parts {
        data,
        root,
        page,
        page_dict,
        next,
    }
}

#[test]
fn a_new_catalog_with_another_page_tree_is_caught() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = parts(&signed(dir.path()));
    let doc = Doc::open(&p.data).unwrap();
    let cat = doc.catalog().unwrap();
    let (content, page, pages, root) = (p.next, p.next + 1, p.next + 2, p.next + 3);
    // Nothing of the old page is kept, not even the signature's widget.
    let mut new_page = p.page_dict.clone();
    new_page.set("Contents", Obj::Ref(content, 0));
    new_page.set("Parent", Obj::Ref(pages, 0));
    new_page.remove("Annots");
    // The catalog keeps /AcroForm, so the signature field is still there.
    let new_cat = cat.clone().with("Pages", Obj::Ref(pages, 0));
    let tampered = append(
        &p.data,
        &[
            (
                content,
                stream(Dict::new(), b"BT /F1 24 Tf 72 700 Td (FORGED) Tj ET"),
            ),
            (page, Obj::Dict(new_page.clone())),
            (
                pages,
                Obj::Dict(
                    Dict::new()
                        .with("Type", Obj::name("Pages"))
                        .with("Kids", Obj::Array(vec![Obj::Ref(page, 0)]))
                        .with("Count", Obj::Int(1)),
                ),
            ),
            (root, Obj::Dict(new_cat.clone())),
        ],
        Some(root),
    );
    let rep = verify(&tampered, &anchors());
    assert_eq!(
        rep.signatures.len(),
        1,
        "the signature field survives the swap"
    );
    assert_tampered(&rep, "catalog swap", "/Root");

    // The same page tree, written over the old catalog's own object number.
    let in_place = append(
        &p.data,
        &[
            (
                content,
                stream(Dict::new(), b"BT /F1 24 Tf 72 700 Td (FORGED) Tj ET"),
            ),
            (page, Obj::Dict(new_page)),
            (
                pages,
                Obj::Dict(
                    Dict::new()
                        .with("Type", Obj::name("Pages"))
                        .with("Kids", Obj::Array(vec![Obj::Ref(page, 0)]))
                        .with("Count", Obj::Int(1)),
                ),
            ),
            (p.root, Obj::Dict(new_cat)),
        ],
        None,
    );
    assert_tampered(&verify(&in_place, &anchors()), "catalog rewritten", "/Root");
}

#[test]
fn an_annotation_covering_the_page_is_caught() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = parts(&signed(dir.path()));
    let doc = Doc::open(&p.data).unwrap();
    let mut annots = p
        .page_dict
        .get("Annots")
        .and_then(|a| doc.resolve(a).ok())
        .and_then(|a| a.as_array().cloned())
        .unwrap_or_default();
    let (ap, annot) = (p.next, p.next + 1);
    let cover = |subtype: &str| {
        Dict::new()
            .with("Type", Obj::name("Annot"))
            .with("Subtype", Obj::name(subtype))
            .with(
                "Rect",
                Obj::Array(vec![Obj::Int(0), Obj::Int(0), Obj::Int(612), Obj::Int(792)]),
            )
            .with("F", Obj::Int(4))
            .with("AP", Obj::Dict(Dict::new().with("N", Obj::Ref(ap, 0))))
    };
    let ap_stream = stream(
        Dict::new()
            .with("Type", Obj::name("XObject"))
            .with("Subtype", Obj::name("Form"))
            .with(
                "BBox",
                Obj::Array(vec![Obj::Int(0), Obj::Int(0), Obj::Int(612), Obj::Int(792)]),
            ),
        b"1 1 1 rg 0 0 612 792 re f",
    );
    annots.push(Obj::Ref(annot, 0));
    // A plain annotation, and one dressed up as a widget that belongs to no signature field.
    for subtype in ["Square", "Widget"] {
        let mut page = p.page_dict.clone();
        page.set("Annots", Obj::Array(annots.clone()));
        let tampered = append(
            &p.data,
            &[
                (ap, ap_stream.clone()),
                (annot, Obj::Dict(cover(subtype))),
                (p.page, Obj::Dict(page)),
            ],
            None,
        );
        assert_tampered(
            &verify(&tampered, &anchors()),
            subtype,
            &format!("thêm chú thích {subtype}"),
        );
    }
}

#[test]
fn a_changed_content_stream_is_caught() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = parts(&signed(dir.path()));
    let content = p.page_dict.get("Contents").and_then(Obj::as_ref).unwrap().0;
    // Overwritten in place, and the page pointed at a new stream.
    let in_place = append(
        &p.data,
        &[(
            content,
            stream(Dict::new(), b"BT /F1 18 Tf 72 700 Td (Changed text) Tj ET"),
        )],
        None,
    );
    assert_tampered(
        &verify(&in_place, &anchors()),
        "content overwritten",
        &format!("đối tượng {content}"),
    );
    let mut page = p.page_dict.clone();
    page.set("Contents", Obj::Ref(p.next, 0));
    let repointed = append(
        &p.data,
        &[
            (
                p.next,
                stream(Dict::new(), b"BT /F1 18 Tf 72 700 Td (Changed text) Tj ET"),
            ),
            (p.page, Obj::Dict(page)),
        ],
        None,
    );
    assert_tampered(
        &verify(&repointed, &anchors()),
        "new /Contents",
        "/Contents",
    );
    // Resources are part of what a page shows too.
    let mut page = p.page_dict.clone();
    page.set("Resources", Obj::Dict(Dict::new()));
    let no_fonts = append(&p.data, &[(p.page, Obj::Dict(page))], None);
    assert_tampered(&verify(&no_fonts, &anchors()), "resources", "/Resources");
}

#[test]
fn a_second_signature_and_a_dss_update_are_permitted() {
    let _g = serial();
    bad_certs();
    let dir = tempfile::tempdir().unwrap();
    let first = signed(dir.path());
    let second = dir.path().join("second.pdf");
    sign_file(&first, &second, "org-ec");
    let rep = verify_pdf(&second, &testing::trust_anchors()).unwrap();
    assert!(!rep.modified_after_last_signature, "{rep:#?}");
    assert_eq!(rep.signatures.len(), 2);
    for s in &rep.signatures {
        assert!(
            s.intact && s.valid && s.trusted && !s.modified_after,
            "{s:?}"
        );
    }
    assert!(rep.signatures[0].details.problems.is_empty());
    assert!(rep.signatures[0].details.notes[0]
        .starts_with("không bao phủ toàn bộ tệp: sau khi ký chỉ có thay đổi được phép"));

    // DSS: the signer's certificate and an empty CRL, as an LTV update would add them.
    let p = parts(&second);
    let doc = Doc::open(&p.data).unwrap();
    let cat = doc.catalog().unwrap();
    let cert_der = std::fs::read(token_dir().join("leader-rsa.der")).unwrap();
    let crl_der = std::fs::read(token_dir().join("empty.crl")).unwrap();
    let (c, r, dss) = (p.next, p.next + 1, p.next + 2);
    let dss_update = append(
        &p.data,
        &[
            (c, stream(Dict::new(), &cert_der)),
            (r, stream(Dict::new(), &crl_der)),
            (
                dss,
                Obj::Dict(
                    Dict::new()
                        .with("Type", Obj::name("DSS"))
                        .with("Certs", Obj::Array(vec![Obj::Ref(c, 0)]))
                        .with("CRLs", Obj::Array(vec![Obj::Ref(r, 0)])),
                ),
            ),
            (p.root, Obj::Dict(cat.with("DSS", Obj::Ref(dss, 0)))),
        ],
        None,
    );
    let rep = verify(&dss_update, &anchors());
    assert!(!rep.modified_after_last_signature, "{rep:#?}");
    assert!(rep.signatures.iter().all(|s| s.valid && !s.modified_after));

    // A tampering update after both signatures breaks both; one between them breaks the
    // first only, and the report still says the document changed.
    let p2 = parts(&second);
    let content = p2
        .page_dict
        .get("Contents")
        .and_then(Obj::as_ref)
        .unwrap()
        .0;
    let forged = stream(Dict::new(), b"BT /F1 18 Tf 72 700 Td (Changed) Tj ET");
    let after_both = append(&p2.data, &[(content, forged.clone())], None);
    let rep = verify(&after_both, &anchors());
    assert!(rep.signatures.iter().all(|s| s.modified_after), "{rep:#?}");
    let p1 = parts(&first);
    let between_path = dir.path().join("between.pdf");
    std::fs::write(&between_path, append(&p1.data, &[(content, forged)], None)).unwrap();
    let resigned = dir.path().join("resigned.pdf");
    sign_file(&between_path, &resigned, "org-ec");
    let rep = verify_pdf(&resigned, &testing::trust_anchors()).unwrap();
    assert!(rep.modified_after_last_signature);
    assert!(rep.signatures[0].modified_after && !rep.signatures[1].modified_after);
}

#[test]
fn info_dictionary_updates_are_permitted_but_freeing_objects_is_not() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = parts(&signed(dir.path()));
    let info = p.next;
    let mut with_info = append(
        &p.data,
        &[(
            info,
            Obj::Dict(Dict::new().with("Title", Obj::string("Updated title"))),
        )],
        None,
    );
    // Point the trailer at it (append copies the old /Info, which minimal.pdf lacks).
    let at = with_info.windows(5).rposition(|w| w == b"/Root").unwrap();
    with_info.splice(at..at, format!("/Info {info} 0 R ").into_bytes());
    let rep = verify(&with_info, &anchors());
    assert!(!rep.modified_after_last_signature, "{rep:#?}");

    // An xref section that frees the page's content stream.
    let content = p.page_dict.get("Contents").and_then(Obj::as_ref).unwrap().0;
    let doc = Doc::open(&p.data).unwrap();
    let mut freed = p.data.clone();
    let xref = freed.len();
    freed.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\n{content} 1\n0000000000 00001 f\r\ntrailer\n<< /Size {} /Root {} 0 R /Prev {} >>\nstartxref\n{xref}\n%%EOF\n",
            doc.size(),
            p.root,
            doc.startxref
        )
        .as_bytes(),
    );
    assert_tampered(&verify(&freed, &anchors()), "freed", "bị xóa");
}

/// The key on the token, presented with another certificate (and chain): the key stays
/// real, only what the signature claims about it changes.
struct Presenting<'a, 'b> {
    key: &'a vanthu_sign::token::TokenKey<'b>,
    cert: Certificate,
    chain: Vec<Certificate>,
}

impl Signer for Presenting<'_, '_> {
    fn certificate(&self) -> &Certificate {
        &self.cert
    }
    fn certificate_der(&self) -> Vec<u8> {
        self.cert.to_der().unwrap()
    }
    fn algorithm(&self) -> KeyAlg {
        Signer::algorithm(self.key)
    }
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        Signer::sign(self.key, data)
    }
    fn chain(&self) -> Vec<Certificate> {
        self.chain.clone()
    }
}

fn pem(name: &str) -> Certificate {
    Certificate::from_pem(std::fs::read(token_dir().join(name)).unwrap()).unwrap()
}

fn bad_certs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let st = std::process::Command::new("bash")
            .arg(testing::repo().join("tests/fixtures/sign/make-bad-certs.sh"))
            .arg(token_dir())
            .status()
            .unwrap();
        assert!(st.success());
    });
}

fn sign_presenting(key_label: &str, cert: &str, chain: &[&str], out: &Path) -> VerifyReport {
    let m = testing::module();
    let slot = m.find_slot(Some(testing::TOKEN_LABEL)).unwrap();
    let s = m
        .login(slot, &Zeroizing::new(testing::PIN.to_string()))
        .unwrap();
    let k = s.key(Some(key_label)).unwrap();
    let signer = Presenting {
        key: &k,
        cert: pem(cert),
        chain: chain.iter().map(|c| pem(c)).collect(),
    };
    sign_pdf(&req(&corpus("minimal.pdf"), out), &signer).unwrap();
    verify_pdf(out, &testing::trust_anchors()).unwrap()
}

#[test]
fn an_issuer_that_is_no_ca_breaks_the_chain() {
    let _g = serial();
    bad_certs();
    let dir = tempfile::tempdir().unwrap();
    let rep = sign_presenting(
        "org-rsa",
        "nonca-issued.pem",
        &["leader-rsa.pem"],
        &dir.path().join("nonca.pdf"),
    );
    let s = &rep.signatures[0];
    assert!(s.intact && s.valid && !s.trusted, "{s:?}");
    assert!(
        s.details
            .problems
            .iter()
            .any(|p| p.contains("không phải CA")),
        "{:?}",
        s.details.problems
    );
}

#[test]
fn a_signer_certificate_without_signing_key_usage_is_not_trusted() {
    let _g = serial();
    bad_certs();
    let dir = tempfile::tempdir().unwrap();
    let rep = sign_presenting("leader-rsa", "no-ku.pem", &[], &dir.path().join("noku.pdf"));
    let s = &rep.signatures[0];
    assert!(s.intact && s.valid && !s.trusted, "{s:?}");
    assert!(s.details.problems.iter().any(|p| p.contains("keyUsage")));
    // The same key with its proper certificate is trusted: the key usage made the difference.
    let ok = sign_presenting(
        "leader-rsa",
        "leader-rsa.pem",
        &[],
        &dir.path().join("ok.pdf"),
    );
    assert!(ok.signatures[0].trusted, "{:?}", ok.signatures[0]);
}

#[test]
fn a_crl_of_the_issuer_revokes_the_signer() {
    let _g = serial();
    bad_certs();
    let dir = tempfile::tempdir().unwrap();
    let file = signed(dir.path());
    let mut store = anchors();
    store
        .add_crl_file(&token_dir().join("revoke-leader-rsa.crl"))
        .unwrap();
    let rep = vanthu_sign::verify_pdf_with(&file, &store).unwrap();
    let s = &rep.signatures[0];
    assert!(s.intact && !s.valid && !s.trusted, "{s:?}");
    assert!(s.details.problems.iter().any(|p| p.contains("thu hồi")));
    assert!(rep.to_text().contains("Chữ ký hợp lệ: KHÔNG"));

    // A CRL under the root's name but signed by another key, and the root's empty CRL:
    // neither revokes anything.
    for crl in ["forged-revoke-leader-rsa.crl", "empty.crl"] {
        let mut store = anchors();
        store.add_crl_file(&token_dir().join(crl)).unwrap();
        let s = &vanthu_sign::verify_pdf_with(&file, &store)
            .unwrap()
            .signatures[0];
        assert!(s.valid && s.trusted, "{crl}: {s:?}");
    }

    // The trust folder: the root certificate and the CRL (PEM) side by side.
    let trust = dir.path().join("trust");
    std::fs::create_dir(&trust).unwrap();
    std::fs::copy(token_dir().join("root.pem"), trust.join("root.pem")).unwrap();
    std::fs::copy(
        token_dir().join("revoke-leader-rsa.pem"),
        trust.join("revoke-leader-rsa.pem"),
    )
    .unwrap();
    let (store, warnings) = TrustStore::load_dir(&trust);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!((store.anchors.len(), store.crls.len()), (1, 1));
    let s = &vanthu_sign::verify_pdf_with(&file, &store)
        .unwrap()
        .signatures[0];
    assert!(!s.valid && !s.trusted);
}

#[test]
fn a_key_presented_with_another_keys_certificate_is_refused_and_nothing_is_written() {
    let _g = serial();
    let m = testing::module();
    let slot = m.find_slot(Some(testing::TOKEN_LABEL)).unwrap();
    let s = m
        .login(slot, &Zeroizing::new(testing::PIN.to_string()))
        .unwrap();
    let k = s.key(Some("org-rsa")).unwrap();
    let signer = Presenting {
        key: &k,
        cert: pem("leader-rsa.pem"),
        chain: Vec::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    // An earlier file under the output name must survive the failed signing untouched.
    std::fs::write(&out, b"earlier").unwrap();
    let err = sign_pdf(&req(&corpus("minimal.pdf"), &out), &signer).unwrap_err();
    assert!(
        matches!(&err, SignError::Token(m) if m.contains("không khớp")),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"earlier");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("out.pdf")],
        "no temporary left"
    );
}
