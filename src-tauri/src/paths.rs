//! Where the app keeps its data. Shared with the `vanthu` CLI so both see the same register.
use std::path::PathBuf;

/// `$VANTHU_DATA_DIR`, else the OS data dir: `$XDG_DATA_HOME/vanthu` or
/// `~/.local/share/vanthu` on Linux, `%LOCALAPPDATA%\vanthu` on Windows (the same resolution
/// as `vanthu --data-dir`, [`vanthu_domain::paths::data_dir_for`]).
pub fn data_dir() -> PathBuf {
    vanthu_domain::paths::default_data_dir()
}
