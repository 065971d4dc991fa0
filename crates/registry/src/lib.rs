//! vanthu-registry: see docs/architecture.md.
