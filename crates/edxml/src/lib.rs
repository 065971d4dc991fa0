//! vanthu-edxml: see docs/architecture.md.
