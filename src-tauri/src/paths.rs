//! Where the app keeps its data. Shared with the `vanthu` CLI so both see the same register.
use std::path::PathBuf;

/// `$VANTHU_DATA_DIR`, else `$XDG_DATA_HOME/vanthu`, else `~/.local/share/vanthu`
/// (the same resolution as `vanthu --data-dir`).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VANTHU_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("vanthu")
}
