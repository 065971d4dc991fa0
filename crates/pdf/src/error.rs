use thiserror::Error;

/// Everything that can go wrong while opening, rendering or reading a PDF.
///
/// Messages are one line, Vietnamese first then English, so the CLI and the app can show them
/// as they are. Page numbers in messages are 1-based (what a person sees); indices in the API
/// are 0-based.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PdfError {
    /// libpdfium was found nowhere: run scripts/setup or set `VANTHU_PDFIUM`.
    #[error(
        "Không tìm thấy thư viện pdfium / pdfium library not found (tried: {tried}); \
         run scripts/setup or set VANTHU_PDFIUM to the path of libpdfium"
    )]
    LibraryMissing {
        /// The places looked in.
        tried: String,
    },
    /// A libpdfium was found but could not be loaded.
    #[error("Không nạp được thư viện pdfium / cannot load pdfium library {path}: {reason}")]
    LibraryLoad {
        /// The library file.
        path: String,
        /// The loader's message.
        reason: String,
    },
    /// The file could not be read.
    #[error("Không đọc được tệp / cannot read file {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The system's message.
        reason: String,
    },
    /// The bytes are not a PDF.
    #[error("Tệp không phải PDF / not a PDF file")]
    NotPdf,
    /// pdfium could not parse the file (damaged or cut short).
    #[error("Tệp PDF bị hỏng hoặc không đầy đủ / PDF is damaged or truncated")]
    Damaged,
    /// The file is encrypted with a user password: ask for it.
    #[error(
        "Tệp PDF được bảo vệ bằng mật khẩu, hãy nhập mật khẩu / PDF is password-protected: \
         a password is required"
    )]
    PasswordRequired,
    /// The password given does not open the file.
    #[error("Mật khẩu PDF không đúng / wrong PDF password")]
    WrongPassword,
    /// An encryption scheme pdfium does not implement.
    #[error("Tệp PDF dùng cơ chế bảo mật không hỗ trợ / unsupported PDF security handler")]
    UnsupportedSecurity,
    /// The document has no page to show.
    #[error("Tệp PDF không có trang nào / PDF has no pages")]
    NoPages,
    /// A page index past the last page.
    #[error(
        "Không có trang {page} (tài liệu có {count} trang) / page {page} out of range \
         (document has {count} pages)",
        page = index + 1
    )]
    PageOutOfRange {
        /// The 0-based index asked for.
        index: u32,
        /// How many pages the document has.
        count: u32,
    },
    /// The requested size needs more pixels than the size guard allows.
    #[error(
        "Trang {page} quá lớn để hiển thị ({width}×{height} điểm ảnh) / page {page} too large \
         to render ({width}×{height} px, limit {limit} px)",
        page = index + 1
    )]
    PageTooLarge {
        /// The 0-based page index.
        index: u32,
        /// The width the request would need, in pixels.
        width: u64,
        /// The height the request would need, in pixels.
        height: u64,
        /// The pixel limit (`RenderOptions::max_pixels`).
        limit: u64,
    },
    /// A render size that is zero, negative or not a number, or a page without a usable size.
    #[error("Kích thước hiển thị không hợp lệ / invalid render size: {0}")]
    InvalidSize(String),
    /// The page was not rendered within the time guard.
    #[error(
        "Trang {page} hiển thị quá lâu (quá {ms} ms) / page {page} took too long to render \
         (over {ms} ms)",
        page = index + 1
    )]
    Timeout {
        /// The 0-based page index.
        index: u32,
        /// The time guard, in ms.
        ms: u64,
    },
    /// The request was cancelled (its `CancelToken`) before it was rendered.
    #[error("Yêu cầu hiển thị trang đã bị hủy / render request cancelled")]
    Cancelled,
    /// Any other pdfium failure, with its message.
    #[error("Lỗi pdfium / pdfium error: {0}")]
    Pdfium(String),
    /// The rendered bitmap could not be encoded as the image format asked for.
    #[error("Không mã hóa được ảnh / image encoding failed: {0}")]
    Encode(String),
    /// The render thread is gone, so no answer will come.
    #[error("Luồng hiển thị PDF đã dừng / PDF render worker stopped")]
    WorkerGone,
}

/// The result of a PDF operation.
pub type Result<T, E = PdfError> = std::result::Result<T, E>;
