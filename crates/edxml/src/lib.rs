//! vanthu-edxml: QCVN 102:2016 edXML packages and status messages.
//!
//! * [`read_message`] / [`read_package`] / [`read_status`]: a streaming, tolerant reader
//!   (see docs/edxml.md for the tolerance rules and limits). Attachments are base64-decoded
//!   straight into temporary files while hashed; memory stays bounded.
//! * [`write_package`] / [`write_status`]: a deterministic writer that always emits the QCVN
//!   namespace and refuses secret documents.
//! * [`json`]: the JSON contract of the CLI.
mod b64;
pub mod dates;
mod dom;
mod error;
pub mod facts;
pub mod json;
pub mod model;
mod read;
mod source;
pub mod text;
mod utf16;
mod write;
pub mod zip;

pub use dom::{Limits, ReadOptions};
pub use error::{Error, Result};
pub use facts::{header_facts, FactsError, HeaderFacts};
pub use model::*;
pub use read::{
    read_message, read_package, read_status, strip_cid, ExtraElement, Message, Package,
    ReadAttachment, ReadReport, SignatureInfo, StatusReport, ALTERNATIVE_NAMESPACES,
};
pub use write::{
    write_file_atomic, write_package, write_status, AttachmentData, OutAttachment, Secrecy,
};

/// The namespace of QCVN 102:2016 edXML.
pub const QCVN_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
