//! Shared domain types (no I/O). Being written; see docs/architecture.md.
