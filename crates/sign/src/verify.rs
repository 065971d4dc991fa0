//! Verification of every signature in a PDF: integrity, CMS validity, chain to the user's
//! trust anchors, claimed and timestamped time, PAdES level, and what changed afterwards.
use std::collections::HashSet;
use std::path::Path;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use serde::Serialize;
use sha2::Digest;
use x509_cert::Certificate;

use crate::cmsbuild::{OID_SIGNING_CERT_V2, OID_TIMESTAMP_TOKEN, OID_TST_INFO};
use crate::pdf::doc::Doc;
use crate::pdf::object::{decode_text, Dict, Obj};
use crate::trust::TrustStore;
use crate::SignError;

/// One signature's result; the JSON shape is the CLI contract.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// Name of the signature field.
    pub field: String,
    /// Signer's common name from the certificate.
    pub signer: String,
    /// Signing time claimed in the signature, if any.
    pub signing_time: Option<String>,
    /// Time from an embedded RFC 3161 timestamp, if any.
    pub timestamp_time: Option<String>,
    /// The signed byte ranges still hash to the signed digest.
    pub intact: bool,
    /// The cryptographic signature verifies with the signer's key.
    pub valid: bool,
    /// The signer's certificate chains to a trust anchor and is not revoked.
    pub trusted: bool,
    /// The byte range covers the whole file (nothing appended after signing).
    pub covers_whole_document: bool,
    /// Changes after this signature that it does not permit (what a reader sees changed).
    pub modified_after: bool,
    /// Conformance level reached (e.g. PAdES B-B, B-T).
    pub level: String,
    /// Facts for the human-readable report only.
    #[serde(skip)]
    pub details: Details,
}

/// Extra facts for the human-readable report (not part of the JSON contract).
#[derive(Debug, Clone, Default)]
pub struct Details {
    /// The field's /SubFilter (e.g. ETSI.CAdES.detached).
    pub sub_filter: String,
    /// Digest algorithm of the signature.
    pub digest_algorithm: String,
    /// Full subject name of the signer's certificate.
    pub signer_subject: String,
    /// Full issuer name of the signer's certificate.
    pub issuer: String,
    /// End offset of the revision this signature covers.
    pub revision_end: usize,
    /// Disallowed changes made after this signature (object numbers with a reason).
    pub changes_after: Vec<String>,
    /// Everything wrong, Vietnamese first (the app lists these as problems).
    pub problems: Vec<String>,
    /// Facts that are not problems (e.g. permitted updates after this signature).
    pub notes: Vec<String>,
    /// The signature uses a hash too weak to trust (e.g. SHA-1).
    pub weak_hash: bool,
}

/// The result of verifying a PDF: one report per signature, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Per-signature results.
    pub signatures: Vec<SignatureReport>,
    /// True when an update after a signature changes what a reader sees (any signature's
    /// `modified_after`): the displayed document is not the one that was signed.
    pub modified_after_last_signature: bool,
}

impl VerifyReport {
    /// Vietnamese, human-readable.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        if self.signatures.is_empty() {
            s.push_str("Tệp không có chữ ký số.\n");
        }
        let yn = |b: bool| if b { "có" } else { "KHÔNG" };
        for (i, sig) in self.signatures.iter().enumerate() {
            s.push_str(&format!("Chữ ký {} — trường {}\n", i + 1, sig.field));
            s.push_str(&format!("  Người ký: {}\n", sig.signer));
            if !sig.details.issuer.is_empty() {
                s.push_str(&format!("  Cấp bởi: {}\n", sig.details.issuer));
            }
            s.push_str(&format!(
                "  Thời gian ký (khai báo): {}\n",
                sig.signing_time.as_deref().unwrap_or("không có")
            ));
            s.push_str(&format!(
                "  Dấu thời gian: {}\n",
                sig.timestamp_time.as_deref().unwrap_or("không có")
            ));
            s.push_str(&format!("  Toàn vẹn: {}\n", yn(sig.intact)));
            s.push_str(&format!("  Chữ ký hợp lệ: {}\n", yn(sig.valid)));
            s.push_str(&format!(
                "  Tin cậy (chuỗi tới gốc đã nhập): {}\n",
                yn(sig.trusted)
            ));
            s.push_str(&format!(
                "  Phủ toàn bộ tệp: {}\n",
                yn(sig.covers_whole_document)
            ));
            s.push_str(&format!("  Mức: {}\n", sig.level));
            if sig.details.weak_hash {
                s.push_str("  Cảnh báo: thuật toán băm yếu (SHA-1)\n");
            }
            for p in &sig.details.problems {
                s.push_str(&format!("  Vấn đề: {p}\n"));
            }
            for n in &sig.details.notes {
                s.push_str(&format!("  Ghi chú: {n}\n"));
            }
        }
        s.push_str(&format!(
            "Sửa đổi sau chữ ký cuối: {}\n",
            if self.modified_after_last_signature {
                "CÓ"
            } else {
                "không"
            }
        ));
        s
    }
}

/// Verifies every signature of the PDF at `path` against `trust` anchors (no CRLs).
/// Errors only for unreadable input; invalid signatures are reported, not errors.
pub fn verify_pdf(path: &Path, trust: &[Certificate]) -> Result<VerifyReport, SignError> {
    verify_pdf_with(path, &TrustStore::from_anchors(trust.to_vec()))
}

/// Verifies every signature of the PDF at `path` against anchors and CRLs.
pub fn verify_pdf_with(path: &Path, trust: &TrustStore) -> Result<VerifyReport, SignError> {
    let file =
        std::fs::File::open(path).map_err(|e| SignError::Io(path.display().to_string(), e))?;
    // SAFETY: read-only map; see sign_pdf.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .map_err(|e| SignError::Io(path.display().to_string(), e))?;
    verify_bytes_with(&map, trust)
}

struct FoundSig {
    field: String,
    sig: Dict,
    /// DocMDP level of the field's /Lock dictionary.
    lock_p: Option<i64>,
}

/// Verifies PDF bytes against trust anchors only (no CRLs).
pub fn verify_bytes(data: &[u8], trust: &[Certificate]) -> Result<VerifyReport, SignError> {
    verify_bytes_with(data, &TrustStore::from_anchors(trust.to_vec()))
}

/// Verifies PDF bytes against a full trust store (anchors and CRLs).
pub fn verify_bytes_with(data: &[u8], trust: &TrustStore) -> Result<VerifyReport, SignError> {
    if data.is_empty() {
        return Err(SignError::NotPdf);
    }
    let doc = Doc::open(data)?;
    let cat = doc.catalog()?;
    let mut found = Vec::new();
    if let Some(acro) = cat.get("AcroForm").and_then(|a| doc.resolve_dict(a).ok()) {
        let fields = acro
            .get("Fields")
            .and_then(|f| doc.resolve(f).ok())
            .and_then(|f| f.as_array().cloned())
            .unwrap_or_default();
        let mut stack: Vec<(Obj, String, bool, usize)> = fields
            .into_iter()
            .rev()
            .map(|f| (f, String::new(), false, 0))
            .collect();
        let mut seen = HashSet::new();
        while let Some((f, prefix, parent_sig, depth)) = stack.pop() {
            if depth > 32 {
                continue;
            }
            if let Obj::Ref(n, _) = f {
                if !seen.insert(n) {
                    continue;
                }
            }
            let Ok(d) = doc.resolve_dict(&f) else {
                continue;
            };
            let part = d.get("T").and_then(|t| match t {
                Obj::Str(s) => Some(decode_text(s)),
                _ => None,
            });
            let name = match (&part, prefix.is_empty()) {
                (Some(p), true) => p.clone(),
                (Some(p), false) => format!("{prefix}.{p}"),
                (None, _) => prefix.clone(),
            };
            let is_sig = d.name_is("FT", "Sig") || (parent_sig && d.get("FT").is_none());
            if is_sig {
                if let Some(v) = d.get("V") {
                    if let Ok(sig) = doc.resolve_dict(v) {
                        let lock_p = d
                            .get("Lock")
                            .and_then(|l| doc.resolve_dict(l).ok())
                            .and_then(|l| l.get("P").and_then(Obj::as_int));
                        found.push(FoundSig {
                            field: name.clone(),
                            sig,
                            lock_p,
                        });
                    }
                }
            }
            if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k).ok()) {
                for k in kids.as_array().into_iter().flatten().rev() {
                    stack.push((k.clone(), name.clone(), is_sig, depth + 1));
                }
            }
        }
    }
    let has_dss = cat.get("DSS").is_some();
    let mut reports: Vec<(usize, SignatureReport)> = found
        .iter()
        .enumerate()
        .map(|(i, f)| (i, verify_one(data, f, trust, has_dss)))
        .collect();
    reports.sort_by_key(|(_, r)| r.details.revision_end);
    let (order, mut reports): (Vec<usize>, Vec<SignatureReport>) = reports.into_iter().unzip();

    // What changed after each signature, as the difference analysis sees it.
    let mut any_bad = false;
    for (rep, f) in reports.iter_mut().zip(&order) {
        let end = rep.details.revision_end;
        if end == 0 || end > data.len() {
            continue;
        }
        let f = &found[*f];
        let docmdp = crate::diff::docmdp_of_sig(&doc, &f.sig)
            .or(f.lock_p.map(|p| p.clamp(1, 3)))
            .or_else(|| {
                Doc::open(&data[..end])
                    .ok()
                    .and_then(|old| crate::diff::certification_level(&old))
            });
        let analysis = crate::diff::analyse(data, &doc, end, docmdp);
        rep.modified_after = !analysis.problems.is_empty();
        any_bad |= rep.modified_after;
        // A later signature or DSS update is how a document with two signatures looks
        // (leader, then the seal): a note. Anything else after it is a problem.
        if !rep.covers_whole_document {
            if rep.modified_after {
                rep.details.problems.push("không bao phủ toàn bộ tệp: sau khi ký, tệp bị sửa làm thay đổi nội dung hiển thị / does not cover the whole file: changed after signing".into());
            } else {
                rep.details.notes.push("không bao phủ toàn bộ tệp: sau khi ký chỉ có thay đổi được phép (ký thêm, dấu thời gian, DSS, điền biểu mẫu) / does not cover the whole file: only permitted changes follow".into());
            }
        }
        for p in &analysis.problems {
            rep.details
                .problems
                .push(format!("sửa đổi sau khi ký / changed after signing: {p}"));
        }
        rep.details.changes_after = analysis.problems;
    }
    Ok(VerifyReport {
        modified_after_last_signature: any_bad,
        signatures: reports,
    })
}

fn verify_one(data: &[u8], f: &FoundSig, trust: &TrustStore, has_dss: bool) -> SignatureReport {
    let mut details = Details::default();
    let sub_filter = f
        .sig
        .get("SubFilter")
        .and_then(Obj::as_name)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    details.sub_filter = sub_filter.clone();
    let claimed = f.sig.get("M").and_then(|m| match m {
        Obj::Str(s) => parse_pdf_date(&decode_text(s)),
        _ => None,
    });
    let name_in_dict = f.sig.get("Name").and_then(|m| match m {
        Obj::Str(s) => Some(decode_text(s)),
        _ => None,
    });
    let mut rep = SignatureReport {
        field: f.field.clone(),
        signer: name_in_dict.unwrap_or_default(),
        signing_time: claimed.clone(),
        timestamp_time: None,
        intact: false,
        valid: false,
        trusted: false,
        covers_whole_document: false,
        modified_after: false,
        level: "none".into(),
        details,
    };
    let br: Vec<i64> = f
        .sig
        .get("ByteRange")
        .and_then(Obj::as_array)
        .map(|a| a.iter().filter_map(Obj::as_int).collect())
        .unwrap_or_default();
    let contents = match f.sig.get("Contents") {
        Some(Obj::Str(s)) => s.clone(),
        _ => Vec::new(),
    };
    // Structural integrity: two ranges, starting at 0, the gap is exactly the /Contents
    // hex string, nothing beyond the file.
    let structural = br.len() == 4
        && br.iter().all(|v| *v >= 0)
        && br[0] == 0
        && br[1] > 0
        && br[2] > br[1]
        && (br[2] + br[3]) as usize <= data.len()
        && data.get(br[1] as usize) == Some(&b'<')
        && data.get(br[2] as usize - 1) == Some(&b'>')
        && {
            let gap = &data[br[1] as usize + 1..br[2] as usize - 1];
            gap.iter()
                .all(|c| c.is_ascii_hexdigit() || crate::pdf::object::is_ws(*c))
                && crate::pdf::object::decode_hex(gap).starts_with(&contents)
        };
    if !structural {
        rep.details
            .problems
            .push("ByteRange không hợp lệ / bad ByteRange".into());
        return rep;
    }
    let end = (br[2] + br[3]) as usize;
    rep.details.revision_end = end;
    rep.covers_whole_document = end == data.len();
    let ranges = [(0usize, br[1] as usize), (br[2] as usize, end)];

    // CMS.
    let ci = match ContentInfo::from_der(trim_der(&contents)) {
        Ok(ci) => ci,
        Err(e) => {
            rep.details
                .problems
                .push(format!("CMS không đọc được / unreadable CMS: {e}"));
            return rep;
        }
    };
    let sd = match ci.content.decode_as::<SignedData>() {
        Ok(sd) => sd,
        Err(e) => {
            rep.details.problems.push(format!("CMS: {e}"));
            return rep;
        }
    };
    let certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|cs| {
            cs.0.iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(si) = sd.signer_infos.0.iter().next() else {
        rep.details.problems.push("no SignerInfo".into());
        return rep;
    };
    let signer_cert = find_signer_cert(si, &certs);
    if let Some(c) = &signer_cert {
        rep.signer = crate::cert::common_name(&c.tbs_certificate.subject);
        rep.details.signer_subject = crate::cert::name_string(&c.tbs_certificate.subject);
        rep.details.issuer = crate::cert::name_string(&c.tbs_certificate.issuer);
    }
    let dig_oid = si.digest_alg.oid;
    rep.details.digest_algorithm = const_oid::db::DB
        .by_oid(&dig_oid)
        .unwrap_or("?")
        .to_string();
    rep.details.weak_hash = dig_oid == rfc5912::ID_SHA_1;
    let Some(doc_digest) = hash_ranges(dig_oid, data, &ranges) else {
        rep.details
            .problems
            .push(format!("unsupported digest {dig_oid}"));
        return rep;
    };

    // Digest check: messageDigest attribute (or for legacy no-attrs, the signature itself).
    let attrs = si.signed_attrs.as_ref();
    let md = attrs
        .and_then(|a| a.iter().find(|x| x.oid == rfc5911::ID_MESSAGE_DIGEST))
        .and_then(|x| x.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok());
    rep.intact = match &md {
        Some(md) => md.as_bytes() == doc_digest.as_slice(),
        None => false,
    };
    if !rep.intact {
        rep.details
            .problems
            .push("nội dung đã bị thay đổi (băm không khớp) / digest mismatch".into());
    }

    // Signature over the signed attributes.
    let mut crypto_ok = false;
    if let (Some(cert), Some(a)) = (&signer_cert, attrs) {
        if let Ok(signed) = a.to_der() {
            crypto_ok = verify_signature(
                cert,
                &si.signature_algorithm.oid,
                dig_oid,
                &signed,
                si.signature.as_bytes(),
            );
            if !crypto_ok {
                rep.details
                    .problems
                    .push("chữ ký mật mã không đúng / signature does not verify".into());
            }
        }
        // signingCertificateV2 must name the signer's certificate when present.
        if let Some(scv2) = a
            .iter()
            .find(|x| x.oid == OID_SIGNING_CERT_V2)
            .and_then(|x| x.values.iter().next())
        {
            let cert_hash = sha2::Sha256::digest(cert.to_der().unwrap_or_default());
            let raw = scv2.to_der().unwrap_or_default();
            if !raw.windows(32).any(|w| w == &cert_hash[..]) && !scv2_uses_other_hash(&raw) {
                crypto_ok = false;
                rep.details
                    .problems
                    .push("signingCertificateV2 không khớp / mismatch".into());
            }
        }
    } else if signer_cert.is_none() {
        rep.details
            .problems
            .push("không có chứng thư người ký / signer certificate missing".into());
    }
    rep.valid = crypto_ok && rep.intact;

    // Timestamp (signature timestamp, unsigned attribute). Its time counts for the
    // certificate checks only when the TSA chains to a trust anchor; /M is the signer's
    // own claim and never does.
    let mut ts_time = None;
    let mut trusted_ts: Option<i64> = None;
    if let Some(tst) = si
        .unsigned_attrs
        .as_ref()
        .and_then(|u| u.iter().find(|x| x.oid == OID_TIMESTAMP_TOKEN))
        .and_then(|x| x.values.iter().next())
    {
        match tst
            .to_der()
            .map_err(|e| SignError::Cms(e.to_string()))
            .and_then(|d| tst_info(&d).map(|i| (i, d)))
        {
            Ok((info, token_der)) => {
                let expect = hash_ranges_bytes(info.hash_oid, si.signature.as_bytes());
                match verify_token_signature(&token_der) {
                    Err(p) => rep.details.problems.push(format!(
                        "dấu thời gian không hợp lệ / bad timestamp token: {p}"
                    )),
                    Ok(_) if expect.as_deref() != Some(info.imprint.as_slice()) => {
                        rep.details.problems.push(
                            "dấu thời gian không khớp chữ ký / timestamp imprint mismatch".into(),
                        )
                    }
                    Ok((tsa, pool)) => {
                        ts_time = Some(info.gen_time.clone());
                        let at = chrono::DateTime::parse_from_rfc3339(&info.gen_time)
                            .map(|t| t.timestamp())
                            .ok();
                        match at.map(|at| (at, build_path(&tsa, &pool, trust, at))) {
                            Some((at, Ok(path))) => match check_revocation(&path, trust, at) {
                                None => trusted_ts = Some(at),
                                Some(p) => rep.details.problems.push(format!(
                                    "dấu thời gian không tin cậy / timestamp not trusted: {p}"
                                )),
                            },
                            Some((_, Err(p))) => rep.details.problems.push(format!(
                                "dấu thời gian không tin cậy / timestamp not trusted: {p}"
                            )),
                            None => {}
                        }
                    }
                }
            }
            Err(e) => rep.details.problems.push(format!("timestamp: {e}")),
        }
    }
    rep.timestamp_time = ts_time.clone();

    // Chain to trust anchors; validity and revocation at the trusted timestamp, else now.
    if let Some(cert) = &signer_cert {
        let at = trusted_ts.unwrap_or_else(|| chrono::Utc::now().timestamp());
        let mut chain_ok = true;
        if !crate::trust::signer_key_usage_ok(cert) {
            chain_ok = false;
            rep.details.problems.push(
                "chứng thư người ký không được phép ký số (keyUsage thiếu digitalSignature/nonRepudiation) / signer certificate not for signing".into(),
            );
        }
        match build_path(cert, &certs, trust, at) {
            Ok(path) => {
                if let Some(p) = check_revocation(&path, trust, at) {
                    chain_ok = false;
                    // A revoked signer's signature is not valid, whatever the crypto says.
                    rep.valid = false;
                    rep.details.problems.push(p);
                }
            }
            Err(p) => {
                chain_ok = false;
                let p = if trusted_ts.is_none() && !trust.anchors.is_empty() {
                    format!("{p} (không có dấu thời gian tin cậy: xét tại thời điểm hiện tại / no trusted timestamp: judged now)")
                } else {
                    p
                };
                rep.details.problems.push(p);
            }
        }
        rep.trusted = rep.valid && chain_ok;
    }
    let pades = sub_filter == "ETSI.CAdES.detached";
    rep.level = if !pades {
        "CMS".into()
    } else if ts_time.is_some() && has_dss {
        "B-LT".into()
    } else if ts_time.is_some() {
        "B-T".into()
    } else {
        "B-B".into()
    };
    rep
}

fn scv2_uses_other_hash(raw: &[u8]) -> bool {
    // A non-default hashAlgorithm (SHA-384/512) is legitimate; we only check SHA-256 ones.
    let sha384 = hex::decode("0609608648016503040202").unwrap_or_default();
    let sha512 = hex::decode("0609608648016503040203").unwrap_or_default();
    raw.windows(sha384.len())
        .any(|w| w == sha384 || w == sha512)
}

/// /Contents is zero-padded; cut to the outer DER length.
fn trim_der(b: &[u8]) -> &[u8] {
    if b.len() < 2 || b[0] != 0x30 {
        return b;
    }
    let (len, hdr) = if b[1] < 0x80 {
        (b[1] as usize, 2)
    } else {
        let n = (b[1] & 0x7f) as usize;
        if n == 0 || n > 4 || b.len() < 2 + n {
            return b;
        }
        (
            b[2..2 + n]
                .iter()
                .fold(0usize, |a, x| (a << 8) | *x as usize),
            2 + n,
        )
    };
    &b[..(hdr + len).min(b.len())]
}

fn find_signer_cert(si: &SignerInfo, certs: &[Certificate]) -> Option<Certificate> {
    match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => certs
            .iter()
            .find(|c| {
                c.tbs_certificate.serial_number == ias.serial_number
                    && c.tbs_certificate.issuer == ias.issuer
            })
            .cloned(),
        SignerIdentifier::SubjectKeyIdentifier(ski) => certs
            .iter()
            .find(|c| {
                c.tbs_certificate
                    .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                    .ok()
                    .flatten()
                    .is_some_and(|(_, k)| k.0.as_bytes() == ski.0.as_bytes())
            })
            .cloned(),
    }
}

fn hash_ranges(oid: ObjectIdentifier, data: &[u8], ranges: &[(usize, usize)]) -> Option<Vec<u8>> {
    fn run<D: Digest>(data: &[u8], ranges: &[(usize, usize)]) -> Vec<u8> {
        let mut h = D::new();
        for (a, b) in ranges {
            for chunk in data[*a..*b].chunks(1 << 20) {
                h.update(chunk);
            }
        }
        h.finalize().to_vec()
    }
    Some(match oid {
        o if o == rfc5912::ID_SHA_256 => run::<sha2::Sha256>(data, ranges),
        o if o == rfc5912::ID_SHA_384 => run::<sha2::Sha384>(data, ranges),
        o if o == rfc5912::ID_SHA_512 => run::<sha2::Sha512>(data, ranges),
        o if o == rfc5912::ID_SHA_1 => run::<sha1::Sha1>(data, ranges),
        _ => return None,
    })
}

fn hash_ranges_bytes(oid: ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    hash_ranges(oid, data, &[(0, data.len())])
}

/// Whether `sig`, made with `sig_alg` over the signed attributes `msg` (SHA-256), verifies
/// under `cert`'s public key: the signer's self-check after signing on the token.
pub(crate) fn signature_matches(
    cert: &Certificate,
    sig_alg: &ObjectIdentifier,
    msg: &[u8],
    sig: &[u8],
) -> bool {
    verify_signature(cert, sig_alg, rfc5912::ID_SHA_256, msg, sig)
}

/// Verifies `sig` by `cert`'s public key over `msg` (hashed with `dig`).
fn verify_signature(
    cert: &Certificate,
    sig_alg: &ObjectIdentifier,
    dig: ObjectIdentifier,
    msg: &[u8],
    sig: &[u8],
) -> bool {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key_oid = spki.algorithm.oid;
    let key_bytes = spki.subject_public_key.raw_bytes();
    // Hash from the signature algorithm when it names one (sha256WithRSAEncryption...).
    let dig = match *sig_alg {
        o if o == rfc5912::SHA_256_WITH_RSA_ENCRYPTION || o == rfc5912::ECDSA_WITH_SHA_256 => {
            rfc5912::ID_SHA_256
        }
        o if o == rfc5912::SHA_384_WITH_RSA_ENCRYPTION || o == rfc5912::ECDSA_WITH_SHA_384 => {
            rfc5912::ID_SHA_384
        }
        o if o == rfc5912::SHA_512_WITH_RSA_ENCRYPTION || o == rfc5912::ECDSA_WITH_SHA_512 => {
            rfc5912::ID_SHA_512
        }
        o if o == rfc5912::SHA_1_WITH_RSA_ENCRYPTION
            || o == ObjectIdentifier::new_unwrap("1.2.840.10045.4.1") =>
        {
            rfc5912::ID_SHA_1
        }
        _ => dig,
    };
    let Some(hashed) = hash_ranges_bytes(dig, msg) else {
        return false;
    };
    if key_oid == rfc5912::RSA_ENCRYPTION {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let Ok(pk) = rsa::RsaPublicKey::from_pkcs1_der(key_bytes) else {
            return false;
        };
        let scheme = match dig {
            o if o == rfc5912::ID_SHA_256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            o if o == rfc5912::ID_SHA_384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            o if o == rfc5912::ID_SHA_512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            o if o == rfc5912::ID_SHA_1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            _ => return false,
        };
        if *sig_alg == rfc5912::ID_RSASSA_PSS {
            // PSS with the usual parameters (hash = MGF hash, salt = hash length).
            let pss = match dig {
                o if o == rfc5912::ID_SHA_256 => rsa::Pss::new::<sha2::Sha256>(),
                o if o == rfc5912::ID_SHA_384 => rsa::Pss::new::<sha2::Sha384>(),
                o if o == rfc5912::ID_SHA_512 => rsa::Pss::new::<sha2::Sha512>(),
                _ => return false,
            };
            return pk.verify(pss, &hashed, sig).is_ok();
        }
        pk.verify(scheme, &hashed, sig).is_ok()
    } else if key_oid == rfc5912::ID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        match curve {
            Some(c) if c == rfc5912::SECP_256_R_1 => {
                let (Ok(vk), Ok(s)) = (
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes),
                    p256::ecdsa::Signature::from_der(sig),
                ) else {
                    return false;
                };
                vk.verify_prehash(&hashed, &s).is_ok()
            }
            Some(c) if c == rfc5912::SECP_384_R_1 => {
                let (Ok(vk), Ok(s)) = (
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes),
                    p384::ecdsa::Signature::from_der(sig),
                ) else {
                    return false;
                };
                vk.verify_prehash(&hashed, &s).is_ok()
            }
            _ => false,
        }
    } else {
        false
    }
}

fn cert_valid_at(c: &Certificate, at: i64) -> bool {
    let v = &c.tbs_certificate.validity;
    let nb = v.not_before.to_unix_duration().as_secs() as i64;
    let na = v.not_after.to_unix_duration().as_secs() as i64;
    nb <= at && at <= na
}

fn cert_signed_by(child: &Certificate, issuer: &Certificate) -> bool {
    if child.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = child.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = child.signature.as_bytes() else {
        return false;
    };
    verify_signature(
        issuer,
        &child.signature_algorithm.oid,
        rfc5912::ID_SHA_256,
        &tbs,
        sig,
    )
}

/// Builds the path from `cert` to a trust anchor (leaf first, the anchor last; a leaf that
/// is itself an anchor is a path of one). Every certificate but the anchor must be valid
/// at `at`; every issuer must be a CA allowed to sign certificates that deep.
fn build_path(
    cert: &Certificate,
    pool: &[Certificate],
    trust: &TrustStore,
    at: i64,
) -> Result<Vec<Certificate>, String> {
    let anchors = &trust.anchors;
    if anchors.is_empty() {
        return Err("chưa nhập chứng thư gốc tin cậy / no trust anchors given".into());
    }
    let mut path = vec![cert.clone()];
    for _ in 0..8 {
        let cur = path.last().expect("non-empty").clone();
        if anchors.iter().any(|t| t == &cur) {
            return Ok(path);
        }
        if !cert_valid_at(&cur, at) {
            return Err(format!(
                "chứng thư hết hạn hoặc chưa hiệu lực tại thời điểm xét / certificate not valid at validation time: {}",
                crate::cert::common_name(&cur.tbs_certificate.subject)
            ));
        }
        let issuer = anchors
            .iter()
            .find(|t| cert_signed_by(&cur, t))
            .map(|t| (t, true))
            .or_else(|| {
                pool.iter()
                    .find(|p| !path.contains(p) && cert_signed_by(&cur, p))
                    .map(|p| (p, false))
            });
        let Some((issuer, is_anchor)) = issuer else {
            break;
        };
        if let Some(why) = crate::trust::not_a_ca(issuer) {
            return Err(format!(
                "bên cấp \"{}\" không phải CA ({why}) / issuer is not a CA",
                crate::cert::common_name(&issuer.tbs_certificate.subject)
            ));
        }
        // CAs between this issuer and the leaf (the leaf itself does not count).
        let below = path.len() - 1;
        if crate::trust::path_len_limit(issuer).is_some_and(|l| usize::from(l) < below) {
            return Err(format!(
                "vượt giới hạn độ dài chuỗi (pathLenConstraint) của \"{}\" / path too long",
                crate::cert::common_name(&issuer.tbs_certificate.subject)
            ));
        }
        path.push(issuer.clone());
        if is_anchor {
            return Ok(path);
        }
    }
    Err("không xây được chuỗi tới gốc tin cậy / no chain to a trust anchor".into())
}

/// Looks every certificate of `path` up on the CRLs of its issuer; `Some` names the first
/// one revoked at or before `at`.
fn check_revocation(path: &[Certificate], trust: &TrustStore, at: i64) -> Option<String> {
    for pair in path.windows(2) {
        let (cert, issuer) = (&pair[0], &pair[1]);
        let verify = |c: &Certificate, alg: &ObjectIdentifier, msg: &[u8], sig: &[u8]| {
            verify_signature(c, alg, rfc5912::ID_SHA_256, msg, sig)
        };
        if let Some(r) = crate::trust::revocation(trust, cert, issuer, verify) {
            if r.at <= at {
                let when = chrono::DateTime::from_timestamp(r.at, 0)
                    .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default();
                return Some(format!(
                    "chứng thư \"{}\" đã bị thu hồi lúc {when} (CRL của {}) — chữ ký không hợp lệ / certificate revoked",
                    crate::cert::common_name(&cert.tbs_certificate.subject),
                    r.crl_issuer
                ));
            }
        }
    }
    None
}

/// Checks the TSA's own CMS signature over the TSTInfo (digest and signature); returns the
/// TSA's certificate and the certificates the token carries.
fn verify_token_signature(token_der: &[u8]) -> Result<(Certificate, Vec<Certificate>), String> {
    let ci = ContentInfo::from_der(token_der).map_err(|e| e.to_string())?;
    let sd = ci
        .content
        .decode_as::<SignedData>()
        .map_err(|e| e.to_string())?;
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("no TSTInfo")?
        .decode_as::<OctetString>()
        .map_err(|e| e.to_string())?;
    let certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|cs| {
            cs.0.iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let si = sd.signer_infos.0.iter().next().ok_or("no SignerInfo")?;
    let cert = find_signer_cert(si, &certs).ok_or("TSA certificate missing")?;
    let attrs = si.signed_attrs.as_ref().ok_or("no signed attributes")?;
    let md = attrs
        .iter()
        .find(|x| x.oid == rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|x| x.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("no messageDigest")?;
    if hash_ranges_bytes(si.digest_alg.oid, econtent.as_bytes()).as_deref() != Some(md.as_bytes()) {
        return Err("TSTInfo digest mismatch".into());
    }
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    if !verify_signature(
        &cert,
        &si.signature_algorithm.oid,
        si.digest_alg.oid,
        &signed,
        si.signature.as_bytes(),
    ) {
        return Err("TSA signature does not verify".into());
    }
    Ok((cert, certs))
}

/// The facts of an RFC 3161 timestamp token a verification needs.
pub struct TstInfo {
    /// genTime of the timestamp, as text.
    pub gen_time: String,
    /// Hash algorithm of the message imprint.
    pub hash_oid: ObjectIdentifier,
    /// Hashed message imprint (must equal the hash of the signature value).
    pub imprint: Vec<u8>,
}

#[derive(der::Sequence)]
struct MessageImprint {
    hash_algorithm: spki::AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(der::Sequence)]
struct TstInfoAsn {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: der::asn1::Int,
    gen_time: GeneralizedTime,
}

/// Parses an RFC 3161 token (ContentInfo/SignedData with TSTInfo); trailing optional
/// TSTInfo fields are ignored.
pub fn tst_info(token_der: &[u8]) -> Result<TstInfo, SignError> {
    let e = |x: der::Error| SignError::Cms(format!("timestamp token: {x}"));
    let ci = ContentInfo::from_der(token_der).map_err(e)?;
    let sd = ci.content.decode_as::<SignedData>().map_err(e)?;
    if sd.encap_content_info.econtent_type != OID_TST_INFO {
        return Err(SignError::Cms("timestamp token without TSTInfo".into()));
    }
    let content = sd
        .encap_content_info
        .econtent
        .ok_or_else(|| SignError::Cms("empty TSTInfo".into()))?;
    let octets = content.decode_as::<OctetString>().map_err(e)?;
    let info = decode_tst_prefix(octets.as_bytes()).map_err(e)?;
    let t = info.gen_time.to_date_time();
    let gen = chrono::DateTime::from_timestamp(t.unix_duration().as_secs() as i64, 0)
        .map(|d| {
            d.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        })
        .unwrap_or_default();
    Ok(TstInfo {
        gen_time: gen,
        hash_oid: info.message_imprint.hash_algorithm.oid,
        imprint: info.message_imprint.hashed_message.as_bytes().to_vec(),
    })
}

fn decode_tst_prefix(b: &[u8]) -> der::Result<TstInfoAsn> {
    use der::{Reader, SliceReader};
    let mut r = SliceReader::new(b)?;
    r.sequence(|r| {
        let version = r.decode()?;
        let policy = r.decode()?;
        let message_imprint = r.decode()?;
        let serial_number = r.decode()?;
        // GeneralizedTime may carry fractional seconds, which der rejects; parse by hand.
        let raw: der::Any = r.decode()?;
        let gen_time = parse_generalized_time(raw.value())
            .ok_or_else(|| der::Error::from(der::ErrorKind::DateTime))?;
        // Skip accuracy, ordering, nonce, tsa, extensions.
        while !r.is_finished() {
            let _: der::Any = r.decode()?;
        }
        Ok(TstInfoAsn {
            version,
            policy,
            message_imprint,
            serial_number,
            gen_time,
        })
    })
}

fn parse_generalized_time(v: &[u8]) -> Option<GeneralizedTime> {
    let s = std::str::from_utf8(v).ok()?;
    let digits = s.get(0..14)?;
    let n = |a: usize, b: usize| digits.get(a..b)?.parse::<u32>().ok();
    let dt = chrono::NaiveDate::from_ymd_opt(n(0, 4)? as i32, n(4, 6)?, n(6, 8)?)?.and_hms_opt(
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    )?;
    let secs = dt.and_utc().timestamp();
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs.max(0) as u64)).ok()
}

/// PDF date "D:YYYYMMDDHHmmSS+07'00'" → RFC 3339.
pub fn parse_pdf_date(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches("D:");
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let get =
        |a: usize, b: usize, d: u32| digits.get(a..b).and_then(|x| x.parse().ok()).unwrap_or(d);
    let (y, mo, d, h, mi, se) = (
        get(0, 4, 0) as i32,
        get(4, 6, 1),
        get(6, 8, 1),
        get(8, 10, 0),
        get(10, 12, 0),
        get(12, 14, 0),
    );
    let rest = &s[digits.len()..];
    let off = match rest.chars().next() {
        Some(c @ ('+' | '-')) => {
            let nums: Vec<i32> = rest[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|x| !x.is_empty())
                .filter_map(|x| x.parse().ok())
                .collect();
            let secs =
                nums.first().copied().unwrap_or(0) * 3600 + nums.get(1).copied().unwrap_or(0) * 60;
            if c == '-' {
                -secs
            } else {
                secs
            }
        }
        _ => 0,
    };
    let tz = chrono::FixedOffset::east_opt(off)?;
    let dt = chrono::NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, se)?;
    Some(
        dt.and_local_timezone(tz)
            .single()?
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    )
}
