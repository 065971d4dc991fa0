//! vanthu-hub: see docs/architecture.md.
