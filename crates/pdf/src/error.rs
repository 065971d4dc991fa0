use thiserror::Error;

/// Everything that can go wrong while opening, rendering or reading a PDF.
///
/// Messages are one line, Vietnamese first then English, so the CLI and the app can show them
/// as they are. Page numbers in messages are 1-based (what a person sees); indices in the API
/// are 0-based.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PdfError {
    #[error(
        "Không tìm thấy thư viện pdfium / pdfium library not found (tried: {tried}); \
         run scripts/setup or set VANTHU_PDFIUM to the path of libpdfium"
    )]
    LibraryMissing { tried: String },
    #[error("Không nạp được thư viện pdfium / cannot load pdfium library {path}: {reason}")]
    LibraryLoad { path: String, reason: String },
    #[error("Không đọc được tệp / cannot read file {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("Tệp không phải PDF / not a PDF file")]
    NotPdf,
    #[error("Tệp PDF bị hỏng hoặc không đầy đủ / PDF is damaged or truncated")]
    Damaged,
    #[error(
        "Tệp PDF được bảo vệ bằng mật khẩu, hãy nhập mật khẩu / PDF is password-protected: \
         a password is required"
    )]
    PasswordRequired,
    #[error("Mật khẩu PDF không đúng / wrong PDF password")]
    WrongPassword,
    #[error("Tệp PDF dùng cơ chế bảo mật không hỗ trợ / unsupported PDF security handler")]
    UnsupportedSecurity,
    #[error("Tệp PDF không có trang nào / PDF has no pages")]
    NoPages,
    #[error(
        "Không có trang {page} (tài liệu có {count} trang) / page {page} out of range \
         (document has {count} pages)",
        page = index + 1
    )]
    PageOutOfRange { index: u32, count: u32 },
    #[error(
        "Trang {page} quá lớn để hiển thị ({width}×{height} điểm ảnh) / page {page} too large \
         to render ({width}×{height} px, limit {limit} px)",
        page = index + 1
    )]
    PageTooLarge {
        index: u32,
        width: u64,
        height: u64,
        limit: u64,
    },
    #[error("Kích thước hiển thị không hợp lệ / invalid render size: {0}")]
    InvalidSize(String),
    #[error(
        "Trang {page} hiển thị quá lâu (quá {ms} ms) / page {page} took too long to render \
         (over {ms} ms)",
        page = index + 1
    )]
    Timeout { index: u32, ms: u64 },
    #[error("Yêu cầu hiển thị trang đã bị hủy / render request cancelled")]
    Cancelled,
    #[error("Lỗi pdfium / pdfium error: {0}")]
    Pdfium(String),
    #[error("Không mã hóa được ảnh / image encoding failed: {0}")]
    Encode(String),
    #[error("Luồng hiển thị PDF đã dừng / PDF render worker stopped")]
    WorkerGone,
}

pub type Result<T, E = PdfError> = std::result::Result<T, E>;
