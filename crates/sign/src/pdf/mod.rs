//! Minimal PDF reading and incremental-update writing, enough for signatures.
pub mod doc;
pub mod object;
pub mod write;
