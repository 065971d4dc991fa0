//! vanthu-sign: PKCS#11 tokens, PAdES signing as incremental updates, and verification.
//!
//! Library entry points for the app (e.g. the "Chờ ký" queue):
//! * [`token::list_tokens`], [`token::Module`] → [`token::TokenSession`] → [`token::TokenKey`]
//! * [`sign_pdf`]`(&SignRequest, &dyn Signer)` → [`SignOutcome`]
//! * [`verify_pdf`]`(path, &trust_anchors)` → [`VerifyReport`] (JSON, or `to_text()` in Vietnamese)
pub mod appearance;
pub mod arrival;
pub mod cert;
pub mod cmsbuild;
mod diff;
pub mod free_space;
pub mod module_scan;
mod outfile;
mod pass;
pub mod pdf;
pub mod signer_block;
pub mod signpdf;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;
pub mod trust;
pub mod verify;

pub use arrival::ArrivalStamp;
pub use cert::load_trust_anchors;
pub use signpdf::{
    plan_placement, prepare_sign, sign_pdf, PlacementPreview, PreparedSign, Role, SignOutcome,
    SignRequest, Signer,
};
pub use token::PinState;
pub use trust::TrustStore;
pub use verify::{verify_pdf, verify_pdf_with, SignatureReport, VerifyReport};

/// Errors while reading PDFs.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The bytes are not a PDF file.
    #[error("không phải tệp PDF / not a PDF file")]
    NotPdf,
    /// The PDF is encrypted; signing and verifying it is not supported.
    #[error("tệp PDF được mã hóa, không ký được / encrypted PDF is not supported")]
    Encrypted,
    /// The PDF structure cannot be parsed (what went wrong is in the text).
    #[error("tệp PDF hỏng / corrupt PDF: {0}")]
    Corrupt(String),
}

/// Errors while signing, verifying or talking to a token; messages are Vietnamese first.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The PDF could not be read.
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// The input is not a PDF file.
    #[error("không phải tệp PDF / not a PDF file")]
    NotPdf,
    /// A file could not be read or written (the path, and the I/O error).
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// The PKCS#11 module file could not be loaded.
    #[error("không nạp được thư viện PKCS#11 {path} / cannot load PKCS#11 module: {reason}")]
    ModuleLoad {
        /// Module file that was tried.
        path: String,
        /// Why the loader refused it.
        reason: String,
    },
    /// No PKCS#11 module was given and none of the known ones is installed.
    #[error("không tìm thấy thư viện PKCS#11 nào; dùng --module / no PKCS#11 module found, use --module")]
    NoModule,
    /// The named token is absent (possibly unplugged mid-session).
    #[error("không tìm thấy token {0:?} (đã rút ra?) / token not found (unplugged?)")]
    TokenNotFound(String),
    /// The token holds no private key with a matching certificate.
    #[error("không tìm thấy khóa ký {0:?} có chứng thư trên token / no signing key with a certificate found")]
    KeyNotFound(String),
    /// The token rejected the PIN; the state says how many tries remain.
    #[error("sai mã PIN / wrong PIN: {0}")]
    WrongPin(PinState),
    /// The token refuses logins after too many wrong PINs; the issuer must unlock it.
    #[error("token đã bị khóa do nhập sai PIN quá số lần; liên hệ đơn vị cấp để mở khóa / token locked (PIN)")]
    PinLocked,
    /// Any other PKCS#11 failure.
    #[error("lỗi token / token error: {0}")]
    Token(String),
    /// Building or parsing the CMS signature failed.
    #[error("lỗi tạo chữ ký CMS / CMS error: {0}")]
    Cms(String),
    /// The timestamp server could not be reached or answered badly.
    #[error("lỗi máy chủ dấu thời gian / timestamp server error: {0}")]
    Tsa(String),
    /// The signature or seal image cannot be used.
    #[error("ảnh chữ ký/con dấu không đọc được / bad image: {0}")]
    Image(String),
    /// No usable font for the appearance text.
    #[error("phông chữ / font: {0}")]
    Font(String),
    /// A trust anchor certificate cannot be read.
    #[error("chứng thư gốc không đọc được / bad trust anchor: {0}")]
    Trust(String),
    /// A certificate revocation list cannot be read.
    #[error("danh sách thu hồi (CRL) không đọc được / bad CRL: {0}")]
    Crl(String),
    /// No place on the page takes the appearance without covering the document's text.
    #[error("{0}")]
    NoFreeSpace(String),
    /// The request itself is invalid (e.g. a page or rectangle out of range).
    #[error("yêu cầu không hợp lệ / bad request: {0}")]
    BadRequest(String),
}
