//! Errors of the edXML reader and writer. Every message is one line, Vietnamese then English,
//! because the CLI prints them verbatim to clerks and to scripts.
use std::io;

/// Everything the edXML reader and writer can refuse, one bilingual line each.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not well-formed XML (unclosed element, bad tag, invalid UTF-8...).
    #[error("XML không hợp lệ ở dòng {line} / malformed XML at line {line}: {message}")]
    Malformed {
        /// Line where the parser gave up.
        line: u64,
        /// The parser's description of the fault.
        message: String,
    },

    /// DOCTYPE / entity declarations are refused (XXE and entity-expansion defence).
    #[error("gói tin chứa khai báo DOCTYPE/ENTITY ở dòng {line}, bị từ chối / DOCTYPE or entity declaration refused at line {line}")]
    Doctype {
        /// Line of the declaration.
        line: u64,
    },

    /// A mandatory element is missing or empty.
    #[error(
        "thiếu {what_vi} / missing {what_en}: phần tử / element {element} (dòng / line {line})"
    )]
    Missing {
        /// What is missing, in Vietnamese (for clerks).
        what_vi: &'static str,
        /// What is missing, in English.
        what_en: &'static str,
        /// Path of the missing element.
        element: String,
        /// Line where the element was expected.
        line: u64,
    },

    /// A configured limit was exceeded.
    #[error("vượt giới hạn {what} ({limit}) ở dòng {line} / limit exceeded: {what} > {limit} at line {line}")]
    Limit {
        /// Name of the limit exceeded.
        what: &'static str,
        /// The configured limit.
        limit: u64,
        /// Line where it was exceeded.
        line: u64,
    },

    /// The file is XML but not an edXML package or status message.
    #[error("không phải gói tin edXML / not an edXML message: {0}")]
    NotEdxml(String),

    /// A package was expected and a status message found, or the reverse.
    #[error("sai loại gói tin / wrong message kind: expected {expected}, found {found}")]
    WrongKind {
        /// The kind the caller asked for.
        expected: &'static str,
        /// The kind the input actually is.
        found: &'static str,
    },

    /// Unsupported character encoding.
    #[error("bảng mã không được hỗ trợ / unsupported encoding: {0}")]
    Encoding(String),

    /// The writer refuses a secret document (no độ mật on the exchange axis).
    #[error(
        "văn bản mật không được gửi qua trục liên thông / secret document refused: secrecy {0}"
    )]
    SecretRefused(String),

    /// The writer was given data it cannot put in a package.
    #[error("dữ liệu không hợp lệ / invalid data: {0}")]
    Invalid(String),

    /// Reading the input or writing an attachment or temporary file failed.
    #[error("lỗi đọc/ghi tệp / I/O error: {0}")]
    Io(#[from] io::Error),
}

/// Result of the edXML reader and writer.
pub type Result<T, E = Error> = std::result::Result<T, E>;
