//! Certificate helpers: readable names, validity, key usage, trust anchor loading.
use std::path::Path;

use der::{Decode, DecodePem, Encode};
use serde::Serialize;
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::SignError;

/// Display facts of a certificate, for token listings and reports.
#[derive(Debug, Clone, Serialize)]
pub struct CertInfo {
    /// Full subject name with real Unicode text.
    pub subject: String,
    /// Subject CN: the name a clerk recognises.
    pub common_name: String,
    /// Full issuer name (the CA).
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity, as text.
    pub not_before: String,
    /// End of validity, as text.
    pub not_after: String,
    /// Key usages the certificate allows (e.g. digitalSignature, nonRepudiation).
    pub key_usage: Vec<String>,
}

fn attr_value_string(v: &der::Any) -> String {
    use der::asn1::{BmpString, Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    if let Ok(s) = v.decode_as::<Utf8StringRef<'_>>() {
        return s.as_str().to_string();
    }
    if let Ok(s) = v.decode_as::<PrintableStringRef<'_>>() {
        return s.as_str().to_string();
    }
    if let Ok(s) = v.decode_as::<Ia5StringRef<'_>>() {
        return s.as_str().to_string();
    }
    if let Ok(s) = v.decode_as::<TeletexStringRef<'_>>() {
        return s.as_str().to_string();
    }
    if let Ok(s) = v.decode_as::<BmpString>() {
        return s.to_string();
    }
    hex::encode(v.value())
}

fn short_name(oid: &der::asn1::ObjectIdentifier) -> String {
    const_oid::db::DB
        .by_oid(oid)
        .map(|s| match s {
            "cn" | "commonName" => "CN".to_string(),
            "c" | "countryName" => "C".to_string(),
            "o" | "organizationName" => "O".to_string(),
            "ou" | "organizationalUnitName" => "OU".to_string(),
            "l" | "localityName" => "L".to_string(),
            "st" | "stateOrProvinceName" => "ST".to_string(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| oid.to_string())
}

/// "CN=…, O=…, C=VN" with the real Unicode text (x509-cert's Display escapes it).
pub fn name_string(n: &Name) -> String {
    let mut parts = Vec::new();
    for rdn in n.0.iter().rev() {
        for atv in rdn.0.iter() {
            parts.push(format!(
                "{}={}",
                short_name(&atv.oid),
                attr_value_string(&atv.value)
            ));
        }
    }
    parts.join(", ")
}

/// The most specific CN of a name, or the whole name when there is no CN.
pub fn common_name(n: &Name) -> String {
    for rdn in n.0.iter().rev() {
        for atv in rdn.0.iter() {
            if atv.oid == const_oid::db::rfc4519::CN {
                return attr_value_string(&atv.value);
            }
        }
    }
    name_string(n)
}

/// The most specific O (organisation) of a name, if any.
pub fn organization(n: &Name) -> Option<String> {
    for rdn in n.0.iter().rev() {
        for atv in rdn.0.iter() {
            if atv.oid == const_oid::db::rfc4519::O {
                return Some(attr_value_string(&atv.value));
            }
        }
    }
    None
}

/// Extracts the display facts of a certificate.
pub fn cert_info(c: &Certificate) -> CertInfo {
    let tbs = &c.tbs_certificate;
    let mut key_usage = Vec::new();
    if let Ok(Some((_, ku))) = tbs.get::<KeyUsage>() {
        for (flag, name) in [
            (
                x509_cert::ext::pkix::KeyUsages::DigitalSignature,
                "digitalSignature",
            ),
            (
                x509_cert::ext::pkix::KeyUsages::NonRepudiation,
                "nonRepudiation",
            ),
            (
                x509_cert::ext::pkix::KeyUsages::KeyEncipherment,
                "keyEncipherment",
            ),
            (x509_cert::ext::pkix::KeyUsages::KeyCertSign, "keyCertSign"),
            (x509_cert::ext::pkix::KeyUsages::CRLSign, "cRLSign"),
        ] {
            if ku.0.contains(flag) {
                key_usage.push(name.to_string());
            }
        }
    }
    CertInfo {
        subject: name_string(&tbs.subject),
        common_name: common_name(&tbs.subject),
        issuer: name_string(&tbs.issuer),
        serial: hex::encode(tbs.serial_number.as_bytes()),
        not_before: tbs.validity.not_before.to_date_time().to_string(),
        not_after: tbs.validity.not_after.to_date_time().to_string(),
        key_usage,
    }
}

/// Loads trust anchors from PEM (one or many certificates) or DER files.
pub fn load_trust_anchors(paths: &[impl AsRef<Path>]) -> Result<Vec<Certificate>, SignError> {
    let mut out = Vec::new();
    for p in paths {
        let p = p.as_ref();
        let data = std::fs::read(p).map_err(|e| SignError::Io(p.display().to_string(), e))?;
        if data.starts_with(b"-----") || data.windows(11).any(|w| w == b"-----BEGIN ") {
            let certs = Certificate::load_pem_chain(&data)
                .map_err(|e| SignError::Trust(format!("{}: {e}", p.display())))?;
            out.extend(certs);
        } else {
            out.push(
                Certificate::from_der(&data)
                    .map_err(|e| SignError::Trust(format!("{}: {e}", p.display())))?,
            );
        }
    }
    Ok(out)
}

/// Parses a certificate given as DER or PEM (trust anchors, test fixtures).
pub fn cert_from_pem_or_der(data: &[u8]) -> Result<Certificate, SignError> {
    Certificate::from_der(data)
        .or_else(|_| Certificate::from_pem(data))
        .map_err(|e| SignError::Cms(e.to_string()))
}

/// DER encoding of a certificate (empty if it cannot be encoded).
pub fn to_der(c: &Certificate) -> Vec<u8> {
    c.to_der().unwrap_or_default()
}
