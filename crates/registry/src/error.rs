use std::path::{Path, PathBuf};

/// Everything the registry can refuse or fail at. Messages are one line, Vietnamese then
/// English, so the CLI and the app can show them as they are.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database was written by a newer vanthu; opening it could lose data.
    #[error("cơ sở dữ liệu được tạo bởi phiên bản vanthu mới hơn (lược đồ {found}, bản này hỗ trợ {supported}) / database created by a newer vanthu (schema {found}, this build supports up to {supported})")]
    NewerSchema {
        /// The schema version found in the database.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The file is a SQLite database but not a vanthu register.
    #[error("không phải cơ sở dữ liệu vanthu / not a vanthu database: {0}")]
    NotVanthu(PathBuf),
    /// The data directory has no register yet.
    #[error("chưa có sổ văn bản trong {0} / no register in this data directory: run `vanthu init` first")]
    NoRegister(PathBuf),
    /// The unit lists its people and this desktop is signed in as no one.
    #[error("máy này chưa đăng nhập cán bộ: đơn vị đã khai báo cán bộ nên mỗi việc cần người làm (Cài đặt → Cán bộ, hoặc `vanthu people sign-in`) / this desktop is not signed in as a person of the unit")]
    NotSignedIn,
    /// The signed-in person's roles do not allow the action.
    #[error("{person} không có quyền {duty} (việc của {roles}) / {person} may not do this: it needs the role {roles}")]
    NotPermitted {
        /// Who tried.
        person: String,
        /// What they tried, in Vietnamese.
        duty: &'static str,
        /// The roles that may, in Vietnamese.
        roles: String,
    },
    /// The register exists but the unit (its own agency) was never set.
    #[error("đơn vị chưa được khởi tạo / unit not initialised: run `vanthu init` first")]
    NotInitialised,
    /// `init` on a data directory that already belongs to this unit code.
    #[error(
        "dữ liệu đã được khởi tạo cho đơn vị {0} / data directory already initialised for {0}"
    )]
    AlreadyInitialised(String),
    /// A code or name that is not in the agency directory.
    #[error("cơ quan không có trong danh mục / unknown agency: {0}")]
    UnknownAgency(String),
    /// Adding an agency whose code is already in the directory.
    #[error("mã định danh đã tồn tại / agency code already exists: {0}")]
    DuplicateAgency(String),
    /// A malformed agency code (mã định danh).
    #[error(transparent)]
    AgencyCode(#[from] vanthu_domain::AgencyCodeError),
    /// A malformed document notation (số, ký hiệu).
    #[error(transparent)]
    Notation(#[from] vanthu_domain::DocumentNumberError),
    /// An unknown urgency or secrecy level.
    #[error(transparent)]
    Level(#[from] vanthu_domain::LevelParseError),
    /// A state change the document's workflow does not allow.
    #[error(transparent)]
    Transition(#[from] vanthu_domain::TransitionError),
    /// A document type that is not in the list of types (loại văn bản).
    #[error("loại văn bản không xác định / unknown document type: {0:?}")]
    UnknownType(String),
    /// No document with this register id.
    #[error("không có văn bản số {0} / no such document: {0}")]
    NotFound(i64),
    /// Input the register refuses, with the reason.
    #[error("dữ liệu không hợp lệ / invalid input: {0}")]
    Invalid(String),
    /// A signature or seal image that is not a fitting PNG (`sign_images::check_png`).
    #[error("ảnh chữ ký/con dấu không dùng được / unusable signature or seal image: {0}")]
    InvalidImage(String),
    /// An operation the document's current state does not allow, with the reason.
    #[error("không thực hiện được ở trạng thái hiện tại / not allowed in the current state: {0}")]
    InvalidState(String),
    /// A recall/update/replace whose hub-authenticated sender is not the document's sender.
    #[error("chỉ đơn vị gửi mới được thu hồi, cập nhật, thay thế văn bản: văn bản {document} của {owner}, đề nghị từ {from} / only a document's sender may recall, update or replace it: document {document} is from {owner}, the request from {from}")]
    ForeignSender {
        /// The register id of the document.
        document: i64,
        /// The agency code of the document's sender.
        owner: String,
        /// The agency code the request came from.
        from: String,
    },
    /// A secret document queued for the hub (secret ones travel on paper only).
    #[error("văn bản mật không được gửi qua trục / secret documents are never sent over the hub")]
    SecretNotSendable,
    /// A page cursor that this register did not hand out or that no longer decodes.
    #[error("con trỏ trang không hợp lệ / invalid page cursor")]
    BadCursor,
    /// A CSV row that cannot be imported.
    #[error("dòng {line} / line {line}: {message}")]
    ImportRow {
        /// The 1-based line of the CSV file.
        line: u64,
        /// What is wrong with that row.
        message: String,
    },
    /// A file that cannot be read, with its path.
    #[error("không đọc được tệp / cannot read file {path}: {source}")]
    File {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// Reading or writing the data directory (attachment store, temp files) failed.
    #[error("lỗi đọc ghi dữ liệu / storage I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The SQLite database failed or refused a statement.
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A CSV file could not be parsed or written.
    #[error("lỗi tệp CSV / CSV error: {0}")]
    Csv(#[from] csv::Error),
}

/// The registry's result, failing with [`Error`] unless said otherwise.
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
