//! What verification trusts: anchors (root certificates the user imported) and certificate
//! revocation lists. Both come from the data directory's `trust/` folder (the app and the
//! CLI read the same place) and from explicit files (`vanthu verify --trust/--crl`).
//!
//! Path building lives here too because the rules are about trust, not about PDF: every
//! issuer on a path must be a CA (basicConstraints CA:true, keyCertSign when keyUsage is
//! present, pathLenConstraint honoured), and a certificate listed on a CRL signed by its
//! issuer is revoked.
use std::path::{Path, PathBuf};

use der::Decode;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::Certificate;

use crate::SignError;

/// Anchors and CRLs for one verification.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// Trusted root (and intermediate) certificates.
    pub anchors: Vec<Certificate>,
    /// Revocation lists used to check the chain.
    pub crls: Vec<CertificateList>,
}

impl TrustStore {
    /// A store with anchors only (no CRLs).
    pub fn from_anchors(anchors: Vec<Certificate>) -> Self {
        TrustStore {
            anchors,
            crls: Vec::new(),
        }
    }

    /// Reads every certificate (`.pem .der .crt .cer`) and CRL (`.crl`, or a PEM holding
    /// `X509 CRL` blocks) in `dir`. A missing folder is an empty store; an unreadable file
    /// is skipped and named in the returned warnings (one bad file must not hide the rest).
    pub fn load_dir(dir: &Path) -> (TrustStore, Vec<String>) {
        let mut store = TrustStore::default();
        let mut warnings = Vec::new();
        let Ok(rd) = std::fs::read_dir(dir) else {
            return (store, warnings);
        };
        let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let ext = f
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase());
            let res = match ext.as_deref() {
                Some("crl") => store.add_crl_file(&f),
                Some("pem") => {
                    // A PEM file may carry certificates, CRLs or both.
                    let data =
                        std::fs::read(&f).map_err(|e| SignError::Io(f.display().to_string(), e));
                    data.and_then(|d| {
                        let has_crl = contains(&d, b"-----BEGIN X509 CRL-----");
                        let has_cert = contains(&d, b"-----BEGIN CERTIFICATE-----");
                        if has_crl {
                            store.crls.extend(parse_crls(&d, &f)?);
                        }
                        if has_cert || !has_crl {
                            store
                                .anchors
                                .extend(crate::load_trust_anchors(std::slice::from_ref(&f))?);
                        }
                        Ok(())
                    })
                }
                Some("der" | "crt" | "cer") => crate::load_trust_anchors(std::slice::from_ref(&f))
                    .map(|c| store.anchors.extend(c)),
                _ => Ok(()),
            };
            if let Err(e) = res {
                tracing::warn!(file = %f.display(), %e, "trust file skipped");
                warnings.push(e.to_string());
            }
        }
        (store, warnings)
    }

    /// Adds the CRLs of one file (DER, or PEM with one or more `X509 CRL` blocks).
    pub fn add_crl_file(&mut self, path: &Path) -> Result<(), SignError> {
        let data = std::fs::read(path).map_err(|e| SignError::Io(path.display().to_string(), e))?;
        self.crls.extend(parse_crls(&data, path)?);
        Ok(())
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn parse_crls(data: &[u8], path: &Path) -> Result<Vec<CertificateList>, SignError> {
    let bad = |e: String| SignError::Crl(format!("{}: {e}", path.display()));
    if !contains(data, b"-----BEGIN X509 CRL-----") {
        return CertificateList::from_der(data)
            .map(|c| vec![c])
            .map_err(|e| bad(e.to_string()));
    }
    let text = std::str::from_utf8(data).map_err(|e| bad(e.to_string()))?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN X509 CRL-----") {
        let tail = &rest[start..];
        let end_marker = "-----END X509 CRL-----";
        let Some(end) = tail.find(end_marker) else {
            return Err(bad("unterminated PEM block".into()));
        };
        let block = &tail[..end + end_marker.len()];
        // x509-cert has no PEM label for CRLs: unwrap the base64 by hand.
        let (_, der) = der::pem::decode_vec(block.as_bytes()).map_err(|e| bad(e.to_string()))?;
        out.push(CertificateList::from_der(&der).map_err(|e| bad(e.to_string()))?);
        rest = &tail[end + end_marker.len()..];
    }
    Ok(out)
}

fn ext<T>(c: &Certificate) -> Option<T>
where
    T: for<'a> Decode<'a> + const_oid::AssociatedOid,
{
    c.tbs_certificate.get::<T>().ok().flatten().map(|(_, v)| v)
}

/// Why `issuer` may not sign certificates, if it may not.
pub fn not_a_ca(issuer: &Certificate) -> Option<&'static str> {
    match ext::<BasicConstraints>(issuer) {
        Some(bc) if bc.ca => {}
        _ => return Some("không có basicConstraints CA:TRUE"),
    }
    if let Some(ku) = ext::<KeyUsage>(issuer) {
        if !ku.0.contains(KeyUsages::KeyCertSign) {
            return Some("keyUsage không có keyCertSign");
        }
    }
    None
}

/// The signer's certificate must allow signing documents: digitalSignature or
/// nonRepudiation when keyUsage is present (RFC 5280: no keyUsage means no restriction).
pub fn signer_key_usage_ok(c: &Certificate) -> bool {
    match ext::<KeyUsage>(c) {
        Some(ku) => {
            ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation)
        }
        None => true,
    }
}

/// The basicConstraints pathLenConstraint of a CA certificate, if set.
pub fn path_len_limit(c: &Certificate) -> Option<u8> {
    ext::<BasicConstraints>(c).and_then(|bc| bc.path_len_constraint)
}

/// A revocation found on a CRL: when, and by whose CRL.
#[derive(Debug, Clone)]
pub struct Revocation {
    /// Unix seconds.
    pub at: i64,
    /// Issuer name of the CRL that lists the revocation.
    pub crl_issuer: String,
}

/// Looks `cert` up on the CRLs signed by `issuer`. A CRL whose signature does not verify
/// with the issuer's key (or whose issuer lacks cRLSign) is ignored: anyone can write a
/// file with the issuer's name in it.
pub fn revocation(
    store: &TrustStore,
    cert: &Certificate,
    issuer: &Certificate,
    verify: impl Fn(&Certificate, &der::asn1::ObjectIdentifier, &[u8], &[u8]) -> bool,
) -> Option<Revocation> {
    use der::Encode;
    if let Some(ku) = ext::<KeyUsage>(issuer) {
        if !ku.0.contains(KeyUsages::CRLSign) {
            return None;
        }
    }
    for crl in &store.crls {
        let tbs = &crl.tbs_cert_list;
        if tbs.issuer != cert.tbs_certificate.issuer || tbs.issuer != issuer.tbs_certificate.subject
        {
            continue;
        }
        let (Ok(signed), Some(sig)) = (tbs.to_der(), crl.signature.as_bytes()) else {
            continue;
        };
        if !verify(issuer, &crl.signature_algorithm.oid, &signed, sig) {
            tracing::warn!(
                issuer = %crate::cert::name_string(&tbs.issuer),
                "CRL signature does not verify; ignored"
            );
            continue;
        }
        for r in tbs.revoked_certificates.iter().flatten() {
            if r.serial_number == cert.tbs_certificate.serial_number {
                return Some(Revocation {
                    at: r.revocation_date.to_unix_duration().as_secs() as i64,
                    crl_issuer: crate::cert::common_name(&tbs.issuer),
                });
            }
        }
    }
    None
}
