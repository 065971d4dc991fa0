//! Small JSON files the app keeps next to the register: its settings (the scan drafts are in
//! the register, `vanthu_core::scan`). Written to a temp name, fsynced and renamed, so a
//! crash leaves either the old or the new content.
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("không đọc ghi được {path} / cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("tệp {path} bị hỏng / {path} is corrupt: {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub fn read_json<T: DeserializeOwned + Default>(path: &Path) -> Result<T, StoreError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
            path: path.to_path_buf(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(io(path)(e)),
    }
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(path))?;
    let bytes = serde_json::to_vec_pretty(value).expect("settings serialise");
    tmp.write_all(&bytes).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AppSettings {
    pub scan_folder: Option<PathBuf>,
}

impl AppSettings {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("app-settings.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = AppSettings::path(dir.path());
        assert_eq!(
            read_json::<AppSettings>(&path).unwrap(),
            AppSettings::default()
        );
        let s = AppSettings {
            scan_folder: Some(dir.path().join("scans")),
        };
        write_json(&path, &s).unwrap();
        assert_eq!(read_json::<AppSettings>(&path).unwrap(), s);
    }
}
