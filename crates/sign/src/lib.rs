//! vanthu-sign: PKCS#11 tokens, PAdES signing as incremental updates, and verification.
//!
//! Library entry points for the app (e.g. the "Chờ ký" queue):
//! * [`token::list_tokens`], [`token::Module`] → [`token::TokenSession`] → [`token::TokenKey`]
//! * [`sign_pdf`]`(&SignRequest, &dyn Signer)` → [`SignOutcome`]
//! * [`verify_pdf`]`(path, &trust_anchors)` → [`VerifyReport`] (JSON, or `to_text()` in Vietnamese)
pub mod appearance;
pub mod cert;
pub mod cmsbuild;
mod diff;
pub mod module_scan;
pub mod pdf;
pub mod signer_block;
pub mod signpdf;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;
pub mod trust;
pub mod verify;

pub use cert::load_trust_anchors;
pub use signpdf::{
    plan_placement, sign_pdf, PlacementPreview, Role, SignOutcome, SignRequest, Signer,
};
pub use token::PinState;
pub use trust::TrustStore;
pub use verify::{verify_pdf, verify_pdf_with, SignatureReport, VerifyReport};

/// Errors while reading PDFs.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("không phải tệp PDF / not a PDF file")]
    NotPdf,
    #[error("tệp PDF được mã hóa, không ký được / encrypted PDF is not supported")]
    Encrypted,
    #[error("tệp PDF hỏng / corrupt PDF: {0}")]
    Corrupt(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("không phải tệp PDF / not a PDF file")]
    NotPdf,
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("không nạp được thư viện PKCS#11 {path} / cannot load PKCS#11 module: {reason}")]
    ModuleLoad { path: String, reason: String },
    #[error("không tìm thấy thư viện PKCS#11 nào; dùng --module / no PKCS#11 module found, use --module")]
    NoModule,
    #[error("không tìm thấy token {0:?} (đã rút ra?) / token not found (unplugged?)")]
    TokenNotFound(String),
    #[error("không tìm thấy khóa ký {0:?} có chứng thư trên token / no signing key with a certificate found")]
    KeyNotFound(String),
    #[error("sai mã PIN / wrong PIN: {0}")]
    WrongPin(PinState),
    #[error("token đã bị khóa do nhập sai PIN quá số lần; liên hệ đơn vị cấp để mở khóa / token locked (PIN)")]
    PinLocked,
    #[error("lỗi token / token error: {0}")]
    Token(String),
    #[error("lỗi tạo chữ ký CMS / CMS error: {0}")]
    Cms(String),
    #[error("lỗi máy chủ dấu thời gian / timestamp server error: {0}")]
    Tsa(String),
    #[error("ảnh chữ ký/con dấu không đọc được / bad image: {0}")]
    Image(String),
    #[error("phông chữ / font: {0}")]
    Font(String),
    #[error("chứng thư gốc không đọc được / bad trust anchor: {0}")]
    Trust(String),
    #[error("danh sách thu hồi (CRL) không đọc được / bad CRL: {0}")]
    Crl(String),
    #[error("yêu cầu không hợp lệ / bad request: {0}")]
    BadRequest(String),
}
