//! vanthu-sync: see docs/architecture.md.
