//! Shared domain types of vanthu. No I/O (but for the two file-replace helpers in [`paths`]):
//! every other crate builds on these.
//!
//! * [`AgencyCode`] — agency identifiers of Thông tư 10/2016/TT-BTTTT (`000.00.00.H34`).
//! * [`DocumentNumber`] — số và ký hiệu (`986/UBND-HCTC`, `12/2020/NĐ-CP`).
//! * [`DocumentType`] — the document types of Nghị định 30/2020 with their abbreviations.
//! * [`Urgency`], [`Secrecy`] — độ khẩn, độ mật.
//! * [`IncomingState`], [`OutgoingState`], [`StatusCode`], [`transition`] — the processing state
//!   machine and the edXML status feedback it emits (shared/spec/statuses.md).
//! * [`paths`] — attachment names safe on Windows and Linux, the default data directory.
//! * [`roles`] — the duties a person's roles (văn thư, lãnh đạo, chuyên viên) allow.
//! * [`text`] — Unicode NFC and the search folding used for diacritic-insensitive search.
//! * [`vxp`] — the VXP API's request signature, file hash and timestamp (hub and client).

mod agency;
mod doc_type;
mod level;
mod number;
pub mod paths;
pub mod roles;
pub mod sender_group;
mod status;
pub mod text;
pub mod vxp;

pub use agency::{AgencyCode, AgencyCodeError};
pub use doc_type::DocumentType;
pub use level::{LevelParseError, Secrecy, Urgency};
pub use number::{DocumentNumber, DocumentNumberError};
pub use sender_group::SenderGroup;
pub use status::{
    processing_steps, recipient_state, refuse_request, transition, Actor, DocumentState,
    IncomingState, OutgoingState, ProcessingStep, RecipientState, StatusCode, TransitionError,
    UnknownState,
};
