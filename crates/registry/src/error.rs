use std::path::{Path, PathBuf};

/// Everything the registry can refuse or fail at. Messages are one line, Vietnamese then
/// English, so the CLI and the app can show them as they are.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cơ sở dữ liệu được tạo bởi phiên bản vanthu mới hơn (lược đồ {found}, bản này hỗ trợ {supported}) / database created by a newer vanthu (schema {found}, this build supports up to {supported})")]
    NewerSchema { found: i64, supported: i64 },
    #[error("không phải cơ sở dữ liệu vanthu / not a vanthu database: {0}")]
    NotVanthu(PathBuf),
    #[error("chưa có sổ văn bản trong {0} / no register in this data directory: run `vanthu init` first")]
    NoRegister(PathBuf),
    #[error("đơn vị chưa được khởi tạo / unit not initialised: run `vanthu init` first")]
    NotInitialised,
    #[error(
        "dữ liệu đã được khởi tạo cho đơn vị {0} / data directory already initialised for {0}"
    )]
    AlreadyInitialised(String),
    #[error("cơ quan không có trong danh mục / unknown agency: {0}")]
    UnknownAgency(String),
    #[error("mã định danh đã tồn tại / agency code already exists: {0}")]
    DuplicateAgency(String),
    #[error(transparent)]
    AgencyCode(#[from] vanthu_domain::AgencyCodeError),
    #[error(transparent)]
    Notation(#[from] vanthu_domain::DocumentNumberError),
    #[error(transparent)]
    Level(#[from] vanthu_domain::LevelParseError),
    #[error(transparent)]
    Transition(#[from] vanthu_domain::TransitionError),
    #[error("loại văn bản không xác định / unknown document type: {0:?}")]
    UnknownType(String),
    #[error("không có văn bản số {0} / no such document: {0}")]
    NotFound(i64),
    #[error("dữ liệu không hợp lệ / invalid input: {0}")]
    Invalid(String),
    #[error("không thực hiện được ở trạng thái hiện tại / not allowed in the current state: {0}")]
    InvalidState(String),
    /// A recall/update/replace whose hub-authenticated sender is not the document's sender.
    #[error("chỉ đơn vị gửi mới được thu hồi, cập nhật, thay thế văn bản: văn bản {document} của {owner}, đề nghị từ {from} / only a document's sender may recall, update or replace it: document {document} is from {owner}, the request from {from}")]
    ForeignSender {
        document: i64,
        owner: String,
        from: String,
    },
    #[error("văn bản mật không được gửi qua trục / secret documents are never sent over the hub")]
    SecretNotSendable,
    #[error("con trỏ trang không hợp lệ / invalid page cursor")]
    BadCursor,
    #[error("dòng {line} / line {line}: {message}")]
    ImportRow { line: u64, message: String },
    #[error("không đọc được tệp / cannot read file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("lỗi đọc ghi dữ liệu / storage I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("lỗi tệp CSV / CSV error: {0}")]
    Csv(#[from] csv::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn file(path: &Path, source: std::io::Error) -> Self {
        Error::File {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}
