//! vanthu-pdf: see docs/architecture.md.
