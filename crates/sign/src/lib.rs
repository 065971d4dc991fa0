//! vanthu-sign: see docs/architecture.md.
