//! HTTPS for the hub: a certificate chain and its private key in PEM files (what a private
//! PKI or an ACME client hands out), served with rustls and the ring crypto provider.
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why the hub cannot serve HTTPS with the given files.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate file is missing or holds no usable certificate.
    #[error("Không đọc được chứng thư TLS / cannot read the TLS certificate {path}: {reason}")]
    Cert {
        /// The certificate file.
        path: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The key file is missing or holds no usable private key.
    #[error("Không đọc được khóa TLS / cannot read the TLS private key {path}: {reason}")]
    Key {
        /// The key file.
        path: String,
        /// What was wrong with it.
        reason: String,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("Chứng thư và khóa TLS không dùng được / unusable TLS certificate and key: {0}")]
    Config(String),
}

/// The provider is named explicitly rather than taken from the process default, so the
/// hub works whichever rustls crypto features other crates in the build switch on.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Builds the server side from `cert` (the leaf first, then intermediates) and `key`
/// (PKCS#8, PKCS#1 or SEC1).
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let cert_err = |reason: String| TlsError::Cert {
        path: cert.display().to_string(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if chain.is_empty() {
        return Err(cert_err(
            "không có khối CERTIFICATE nào / no CERTIFICATE block".into(),
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    // HTTP/1.1 only, like the plain listener.
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}
