//! Small JSON files the app keeps next to the register: its settings and the list of
//! scan-folder drafts. Written to a temp name, fsynced and renamed, so a crash leaves
//! either the old or the new content.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use vanthu_registry::BlobStore;

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
    #[error("không có bản quét số {0} / no scan draft {0}")]
    NoDraft(u32),
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

/// A scanned PDF taken into the attachment store, waiting for the clerk to register it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DraftEntry {
    pub id: u32,
    pub file_name: String,
    pub sha256: String,
    pub size: u64,
    pub received_at: String,
    /// First-page text; filled once the PDF crate is wired in (see [`first_page_text`]).
    pub text: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct DraftFile {
    next_id: u32,
    drafts: Vec<DraftEntry>,
}

/// Text of a scan's first page, used to prefill the subject and indexed for search. None for
/// a scan without a text layer; a file pdfium cannot read is logged, never an error (the draft
/// is still taken in).
pub fn first_page_text(pdf: &Path) -> Option<String> {
    match vanthu_pdf::Document::open(pdf).and_then(|d| d.page_text(0)) {
        Ok(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        Err(err) => {
            tracing::warn!(%err, file = %pdf.display(), "no first-page text for the scan");
            None
        }
    }
}

pub struct DraftStore {
    path: PathBuf,
    staging: PathBuf,
    lock: Mutex<()>,
}

impl DraftStore {
    pub fn open(data_dir: &Path) -> Self {
        DraftStore {
            path: data_dir.join("scan-drafts.json"),
            staging: data_dir.join("scan-staging"),
            lock: Mutex::new(()),
        }
    }

    pub fn list(&self) -> Result<Vec<DraftEntry>, StoreError> {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        Ok(read_json::<DraftFile>(&self.path)?.drafts)
    }

    pub fn get(&self, id: u32) -> Result<DraftEntry, StoreError> {
        self.list()?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(StoreError::NoDraft(id))
    }

    /// Stores the file's content (durably) and records the draft. Only after this returns
    /// Ok may the caller delete the original.
    pub fn add(&self, blobs: &BlobStore, file: &Path) -> Result<DraftEntry, StoreError> {
        let blob = blobs.put_file(file)?;
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: DraftFile = read_json(&self.path)?;
        all.next_id += 1;
        let entry = DraftEntry {
            id: all.next_id,
            file_name: file
                .file_name()
                .map(|n| vanthu_domain::text::nfc(&n.to_string_lossy()))
                .unwrap_or_else(|| "scan.pdf".into()),
            sha256: blob.sha256,
            size: blob.size,
            received_at: chrono::Local::now().to_rfc3339(),
            text: first_page_text(file),
        };
        all.drafts.push(entry.clone());
        write_json(&self.path, &all)?;
        Ok(entry)
    }

    pub fn remove(&self, id: u32) -> Result<(), StoreError> {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: DraftFile = read_json(&self.path)?;
        let before = all.drafts.len();
        all.drafts.retain(|d| d.id != id);
        if all.drafts.len() == before {
            return Err(StoreError::NoDraft(id));
        }
        write_json(&self.path, &all)
    }

    /// Puts the draft's content under its original file name (a hard link into the
    /// store when possible), so the register records that name for the attachment.
    pub fn stage(&self, blobs: &BlobStore, d: &DraftEntry) -> Result<Staged, StoreError> {
        let dir = self.staging.join(d.id.to_string());
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(&d.file_name);
        let _ = std::fs::remove_file(&path);
        let src = blobs.path_of(&d.sha256);
        if std::fs::hard_link(&src, &path).is_err() {
            std::fs::copy(&src, &path).map_err(io(&path))?;
        }
        Ok(Staged { dir, path })
    }
}

/// A draft's file under its own name; removed when dropped.
pub struct Staged {
    dir: PathBuf,
    pub path: PathBuf,
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_survive_a_reopen_and_keep_their_content() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(dir.path().join("blobs")).unwrap();
        let scan = dir.path().join("Công văn 12.pdf");
        std::fs::write(&scan, b"%PDF-1.4 scan").unwrap();
        let store = DraftStore::open(dir.path());
        let d = store.add(&blobs, &scan).unwrap();
        assert_eq!(d.file_name, "Công văn 12.pdf");
        assert_eq!(d.size, 13);
        let store = DraftStore::open(dir.path());
        assert_eq!(store.list().unwrap(), vec![d.clone()]);
        let staged = store.stage(&blobs, &d).unwrap();
        assert_eq!(staged.path.file_name().unwrap(), "Công văn 12.pdf");
        assert_eq!(std::fs::read(&staged.path).unwrap(), b"%PDF-1.4 scan");
        let staged_dir = staged.path.parent().unwrap().to_path_buf();
        drop(staged);
        assert!(!staged_dir.exists());
        store.remove(d.id).unwrap();
        assert!(store.list().unwrap().is_empty());
        assert!(matches!(store.remove(d.id), Err(StoreError::NoDraft(_))));
    }

    #[test]
    fn a_corrupt_draft_list_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("scan-drafts.json"), b"{not json").unwrap();
        let store = DraftStore::open(dir.path());
        let err = store.list().unwrap_err();
        assert!(err.to_string().contains("bị hỏng"), "{err}");
        let blobs = BlobStore::open(dir.path().join("blobs")).unwrap();
        let scan = dir.path().join("a.pdf");
        std::fs::write(&scan, b"%PDF-1.4").unwrap();
        assert!(store.add(&blobs, &scan).is_err());
        assert_eq!(
            std::fs::read(dir.path().join("scan-drafts.json")).unwrap(),
            b"{not json"
        );
    }

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
