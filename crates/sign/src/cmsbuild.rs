//! CMS SignedData for PAdES (ETSI.CAdES.detached): signed attributes contentType,
//! messageDigest and signingCertificateV2. No signingTime: PAdES B-B puts the claimed
//! time in the signature dictionary's /M instead (EN 319 142-1, 5.4.2).
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use crate::token::KeyAlg;
use crate::SignError;

fn cms_err(e: impl std::fmt::Display) -> SignError {
    SignError::Cms(e.to_string())
}

/// id-aa-signingCertificateV2 (ESS), the signed attribute binding the signer's certificate.
pub const OID_SIGNING_CERT_V2: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-timeStampToken, the unsigned attribute carrying the RFC 3161 timestamp.
pub const OID_TIMESTAMP_TOKEN: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-ct-TSTInfo, the content type of a timestamp token.
pub const OID_TST_INFO: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: None,
    }
}

fn attr(oid: der::asn1::ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(cms_err)?;
    Ok(Attribute { oid, values })
}

/// The signed attributes for a document digest.
pub fn signed_attributes(
    doc_digest: &[u8],
    cert_der: &[u8],
) -> Result<SetOfVec<Attribute>, SignError> {
    let mut set = SetOfVec::new();
    set.insert(attr(
        rfc5911::ID_CONTENT_TYPE,
        Any::encode_from(&rfc5911::ID_DATA).map_err(cms_err)?,
    )?)
    .map_err(cms_err)?;
    set.insert(attr(
        rfc5911::ID_MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(doc_digest).map_err(cms_err)?).map_err(cms_err)?,
    )?)
    .map_err(cms_err)?;
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
    // ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING } (hashAlgorithm defaults to SHA-256)
    let cert_hash = Sha256::digest(cert_der);
    let ess = der_seq(&der_seq(&der_tlv(0x04, &cert_hash)));
    let ess_cert = der_seq(&ess);
    set.insert(attr(
        OID_SIGNING_CERT_V2,
        Any::from_der(&ess_cert).map_err(cms_err)?,
    )?)
    .map_err(cms_err)?;
    Ok(set)
}

/// Hand-encodes one DER TLV (definite length) for structures built by hand.
pub fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Wraps content in a DER SEQUENCE.
pub fn der_seq(content: &[u8]) -> Vec<u8> {
    der_tlv(0x30, content)
}

/// DER of the signed attributes as signed (a SET OF, tag 0x31).
pub fn signed_attrs_der(attrs: &SetOfVec<Attribute>) -> Result<Vec<u8>, SignError> {
    attrs.to_der().map_err(cms_err)
}

/// The CMS signature algorithm identifier for a key algorithm.
pub fn signature_alg(alg: KeyAlg) -> AlgorithmIdentifierOwned {
    match alg {
        KeyAlg::Rsa => AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        KeyAlg::EcdsaP256 | KeyAlg::EcdsaP384 => AlgorithmIdentifierOwned {
            oid: rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        },
    }
}

/// Assembles the final ContentInfo(SignedData) DER.
pub fn assemble(
    cert: &Certificate,
    chain: &[Certificate],
    alg: KeyAlg,
    attrs: SetOfVec<Attribute>,
    signature: Vec<u8>,
    timestamp_token: Option<Vec<u8>>,
) -> Result<Vec<u8>, SignError> {
    let unsigned_attrs = match timestamp_token {
        Some(tst) => {
            let mut set = SetOfVec::new();
            set.insert(attr(
                OID_TIMESTAMP_TOKEN,
                Any::from_der(&tst).map_err(cms_err)?,
            )?)
            .map_err(cms_err)?;
            Some(set)
        }
        None => None,
    };
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(attrs),
        signature_algorithm: signature_alg(alg),
        signature: OctetString::new(signature).map_err(cms_err)?,
        unsigned_attrs,
    };
    let mut certs = SetOfVec::new();
    certs
        .insert(CertificateChoices::Certificate(cert.clone()))
        .map_err(cms_err)?;
    for c in chain {
        if c != cert {
            let _ = certs.insert(CertificateChoices::Certificate(c.clone()));
        }
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256_alg()).map_err(cms_err)?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer).map_err(cms_err)?;
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    let ci = ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(cms_err)?,
    };
    ci.to_der().map_err(cms_err)
}

/// RFC 3161: asks the TSA for a token over SHA-256(`signature`).
pub fn fetch_timestamp(url: &str, signature: &[u8]) -> Result<Vec<u8>, SignError> {
    let digest = Sha256::digest(signature);
    let nonce: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    let alg = der_seq(
        &[
            der_tlv(0x06, &hex::decode("608648016503040201").unwrap_or_default()),
            vec![0x05, 0x00],
        ]
        .concat(),
    );
    let imprint = der_seq(&[alg, der_tlv(0x04, &digest)].concat());
    let mut nonce_bytes = nonce.to_be_bytes().to_vec();
    while nonce_bytes.len() > 1 && nonce_bytes[0] == 0 {
        nonce_bytes.remove(0);
    }
    if nonce_bytes[0] & 0x80 != 0 {
        nonce_bytes.insert(0, 0);
    }
    let req = der_seq(
        &[
            der_tlv(0x02, &[1]),
            imprint,
            der_tlv(0x02, &nonce_bytes),
            vec![0x01, 0x01, 0xff],
        ]
        .concat(),
    );
    let resp = ureq::post(url)
        .set("Content-Type", "application/timestamp-query")
        .timeout(std::time::Duration::from_secs(30))
        .send_bytes(&req)
        .map_err(|e| SignError::Tsa(format!("{url}: {e}")))?;
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader().take_limit(4 << 20), &mut body)
        .map_err(|e| SignError::Tsa(e.to_string()))?;
    let parsed =
        TimeStampResp::from_der(&body).map_err(|e| SignError::Tsa(format!("bad response: {e}")))?;
    let status = parsed.status.status;
    if status > 1 {
        return Err(SignError::Tsa(format!(
            "TSA từ chối / TSA refused (status {status})"
        )));
    }
    let token = parsed
        .time_stamp_token
        .ok_or_else(|| SignError::Tsa("no token in response".into()))?;
    let token_der = token.to_der().map_err(cms_err)?;
    // The token must be over our signature; a TSA answering for something else is useless.
    let info = crate::verify::tst_info(&token_der)?;
    if info.imprint[..] != digest[..] {
        return Err(SignError::Tsa("message imprint mismatch".into()));
    }
    Ok(token_der)
}

trait TakeLimit: std::io::Read + Sized {
    fn take_limit(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl<R: std::io::Read> TakeLimit for R {}

#[derive(der::Sequence)]
struct PkiStatusInfo {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Any>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

#[derive(der::Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    #[asn1(optional = "true")]
    time_stamp_token: Option<ContentInfo>,
}
