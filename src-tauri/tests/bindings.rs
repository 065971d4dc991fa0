//! The checked-in ui/src/bindings.ts must match what the Rust commands generate.
//! Regenerate with `VANTHU_UPDATE_BINDINGS=1 cargo test -p vanthu-app --test bindings`.
use std::path::PathBuf;

#[test]
fn typescript_bindings_are_up_to_date() {
    let checked_in = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    vanthu_app::export_bindings(&fresh).unwrap();
    let fresh_text = std::fs::read_to_string(&fresh).unwrap();
    if std::env::var_os("VANTHU_UPDATE_BINDINGS").is_some() {
        std::fs::write(&checked_in, &fresh_text).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
    assert!(
        current == fresh_text,
        "ui/src/bindings.ts is stale: run VANTHU_UPDATE_BINDINGS=1 cargo test -p vanthu-app --test bindings"
    );
}
