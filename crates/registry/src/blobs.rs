//! Content-addressed attachment store: `<root>/<first two hex digits>/<sha256>`.
//!
//! A file is copied to `<root>/.tmp-<pid>-<n>` while it is hashed, fsynced, renamed to its
//! final name (atomic on one filesystem) and the directory fsynced. The temp file is held
//! under an exclusive lock while being written, so the start-up sweep can tell a crashed
//! writer's leftovers (lock free) from another live process's work in progress (locked).
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::{Error, Result};

const TEMP_PREFIX: &str = ".tmp-";

/// The content-addressed attachment store: files named by their SHA-256, written once.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// What `put` stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
    /// False when identical content was already stored (deduplicated).
    pub newly_written: bool,
}

/// A file its writer already made durable, with the hash and size it computed while
/// writing it: what [`BlobStore::adopt`] takes over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// SHA-256 (lowercase hex) of the file's content.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl BlobStore {
    /// Opens the store at `root`, creating the folder if needed.
    pub fn open(root: PathBuf) -> Result<Self> {
        fs::create_dir_all(&root).map_err(|e| Error::file(&root, e))?;
        Ok(BlobStore { root })
    }

    /// The folder holding the blobs.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with this hash lives (whether or not it exists).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("xx");
        self.root.join(prefix).join(sha256)
    }

    /// Whether a blob with this hash is stored.
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// The whole content of the blob with this hash.
    pub fn read(&self, sha256: &str) -> Result<Vec<u8>> {
        let p = self.path_of(sha256);
        fs::read(&p).map_err(|e| Error::file(&p, e))
    }

    /// The first bytes of a blob (to sniff its media type).
    pub fn read_head(&self, sha256: &str) -> Result<Vec<u8>> {
        let p = self.path_of(sha256);
        let mut f = File::open(&p).map_err(|e| Error::file(&p, e))?;
        let mut buf = [0u8; 16];
        let mut n = 0;
        while n < buf.len() {
            match f.read(&mut buf[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(buf[..n].to_vec())
    }

    /// Stores the content of the file at `path`.
    pub fn put_file(&self, path: &Path) -> Result<StoredBlob> {
        let f = File::open(path).map_err(|e| Error::file(path, e))?;
        self.put_reader(f).map_err(|e| match e {
            Error::Io(io) => Error::file(path, io),
            other => other,
        })
    }

    /// Stores `bytes`, deduplicated by their hash.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<StoredBlob> {
        self.put_reader(bytes)
    }

    /// Takes over the file at `path`, already durable (written, flushed and renamed by its
    /// writer) and hashing to `written.sha256`, by renaming it into the store: no copy and
    /// no second read. `path` should be on the store's filesystem; elsewhere it is copied
    /// (and hashed) as [`BlobStore::put_file`] does. An identical blob already stored wins
    /// and `path` is removed.
    pub fn adopt(&self, path: &Path, written: &Written) -> Result<StoredBlob> {
        let sha = &written.sha256;
        if sha.len() != 64 || !sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(Error::invalid(format!(
                "mã băm không hợp lệ / invalid SHA-256 {sha:?}"
            )));
        }
        let len = fs::metadata(path).map_err(|e| Error::file(path, e))?.len();
        if len != written.size {
            return Err(Error::invalid(format!(
                "tệp {} có {len} byte, không phải {} / the file changed after it was written",
                path.display(),
                written.size
            )));
        }
        let dest = self.path_of(sha);
        if dest.is_file() {
            let _ = fs::remove_file(path);
            return Ok(StoredBlob {
                sha256: sha.clone(),
                size: len,
                newly_written: false,
            });
        }
        let dir = dest.parent().expect("blob path has a parent");
        fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
        match fs::rename(path, &dest) {
            Ok(()) => {
                sync_dir(dir)?;
                sync_dir(&self.root)?;
                Ok(StoredBlob {
                    sha256: sha.clone(),
                    size: len,
                    newly_written: true,
                })
            }
            // Another filesystem: copy it like any other file, then drop the original.
            Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
                let stored = self.put_file(path)?;
                let _ = fs::remove_file(path);
                Ok(stored)
            }
            Err(e) => Err(Error::file(path, e)),
        }
    }

    /// Stores several contents, each as durably as [`BlobStore::put_bytes`] does, with far
    /// fewer waits for the disk: every temp file is written first and its writeback started,
    /// then they are flushed (the first flush commits the filesystem journal for all of
    /// them), renamed, and each directory flushed once. What a batch of received packages
    /// uses: one journal commit per batch instead of three flushes per package.
    pub fn put_many(&self, contents: &[&[u8]]) -> Result<Vec<StoredBlob>> {
        struct Temp {
            path: PathBuf,
            file: File,
            dest: PathBuf,
        }
        let mut out = Vec::with_capacity(contents.len());
        let mut temps: Vec<Temp> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let result = (|| -> Result<()> {
            for bytes in contents {
                let sha256 = hex::encode(Sha256::digest(bytes));
                let dest = self.path_of(&sha256);
                let fresh = seen.insert(sha256.clone()) && !dest.is_file();
                out.push(StoredBlob {
                    sha256,
                    size: bytes.len() as u64,
                    newly_written: fresh,
                });
                if !fresh {
                    continue;
                }
                let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
                let path = self
                    .root
                    .join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()));
                let file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)?;
                file.lock()?;
                // Recorded before the write, so a failed write is cleaned up too.
                temps.push(Temp { path, file, dest });
                let t = temps.last_mut().expect("just pushed");
                t.file.write_all(bytes)?;
                start_writeback(&t.file);
            }
            for t in &temps {
                t.file.sync_all()?;
            }
            let mut dirs = std::collections::BTreeSet::new();
            for t in &temps {
                let dir = t.dest.parent().expect("blob path has a parent");
                if dirs.insert(dir.to_path_buf()) {
                    fs::create_dir_all(dir)?;
                }
                fs::rename(&t.path, &t.dest)?;
            }
            if !dirs.is_empty() {
                sync_dirs(&self.root, &dirs)?;
            }
            Ok(())
        })();
        for t in temps {
            drop(t.file);
            // After a successful rename the temp path no longer exists; otherwise clean up.
            let _ = fs::remove_file(&t.path);
        }
        result.map(|()| out)
    }

    fn put_reader(&self, mut src: impl Read) -> Result<StoredBlob> {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp_path = self
            .root
            .join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()));
        let mut tmp = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp_path)?;
        tmp.lock()?;
        let result = (|| -> Result<StoredBlob> {
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let k = match src.read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e.into()),
                };
                hasher.update(&buf[..k]);
                tmp.write_all(&buf[..k])?;
                size += k as u64;
            }
            let sha256 = hex::encode(hasher.finalize());
            let dest = self.path_of(&sha256);
            if dest.is_file() {
                return Ok(StoredBlob {
                    sha256,
                    size,
                    newly_written: false,
                });
            }
            tmp.sync_all()?;
            let dir = dest.parent().expect("blob path has a parent");
            fs::create_dir_all(dir)?;
            fs::rename(&tmp_path, &dest)?;
            sync_dir(dir)?;
            sync_dir(&self.root)?;
            Ok(StoredBlob {
                sha256,
                size,
                newly_written: true,
            })
        })();
        drop(tmp);
        // After a successful rename the temp path no longer exists; otherwise clean up.
        let _ = fs::remove_file(&tmp_path);
        result
    }

    /// Removes temp files whose writer is gone (crash, kill -9). Returns how many.
    pub fn sweep_temp_files(&self) -> Result<usize> {
        let mut removed = 0;
        let entries = match fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(Error::file(&self.root, e)),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            if !name.to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let path = entry.path();
            let Ok(f) = OpenOptions::new().write(true).open(&path) else {
                continue;
            };
            // A live writer holds the lock; a dead one's lock died with it.
            if f.try_lock().is_ok() {
                fs::remove_file(&path)?;
                removed += 1;
                tracing::info!(path = %path.display(), "removed stray temp file");
            }
        }
        if removed > 0 {
            sync_dir(&self.root)?;
        }
        Ok(removed)
    }

    /// Temp files currently present (for tests and diagnostics).
    pub fn temp_files(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                out.push(entry.path());
            }
        }
        Ok(out)
    }
}

/// Asks the kernel to start writing the file out now, without waiting: the later flush then
/// finds the data on its way (no durability on its own).
#[cfg(target_os = "linux")]
fn start_writeback(f: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open descriptor; the call only reads its arguments. A failure (an old
    // kernel, a filesystem without support) leaves all the work to the flush.
    let _ = unsafe { libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_f: &File) {}

/// Makes the new names in `dirs` (and the root holding them) durable. A few directories are
/// flushed one by one. For more, on Linux, one `syncfs` commits the filesystem once for all
/// of them, where a flush per directory waits for the disk once per directory (a batch
/// touches up to 256); it also flushes other programs' pending writes, which is why a small
/// batch does not use it.
fn sync_dirs(root: &Path, dirs: &std::collections::BTreeSet<PathBuf>) -> io::Result<()> {
    const FLUSH_EACH_UP_TO: usize = 4;
    if dirs.len() > FLUSH_EACH_UP_TO && syncfs(root)? {
        return Ok(());
    }
    for dir in dirs {
        sync_dir(dir)?;
    }
    sync_dir(root)
}

/// One `syncfs` of the filesystem holding `root`; false where there is none.
#[cfg(target_os = "linux")]
fn syncfs(root: &Path) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    let f = File::open(root)?;
    // SAFETY: a valid open descriptor for the duration of the call.
    if unsafe { libc::syncfs(f.as_raw_fd()) } == 0 {
        Ok(true)
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn syncfs(_root: &Path) -> io::Result<bool> {
    Ok(false)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_deduplicates_and_sweeps() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs")).unwrap();
        let a = store.put_bytes(b"%PDF-1.7 hello").unwrap();
        assert!(a.newly_written);
        assert_eq!(
            a.sha256,
            hex::encode(Sha256::digest(b"%PDF-1.7 hello".as_slice()))
        );
        assert_eq!(store.read(&a.sha256).unwrap(), b"%PDF-1.7 hello");
        let b = store.put_bytes(b"%PDF-1.7 hello").unwrap();
        assert_eq!(b.sha256, a.sha256);
        assert!(!b.newly_written);
        assert!(store.temp_files().unwrap().is_empty());

        // A crashed writer's leftover (unlocked) is swept; a live one's (locked) is kept.
        let stale = store.root().join(".tmp-999999-1");
        fs::write(&stale, b"partial").unwrap();
        let live_path = store.root().join(".tmp-1-1");
        let live = File::create(&live_path).unwrap();
        live.lock().unwrap();
        assert_eq!(store.sweep_temp_files().unwrap(), 1);
        assert!(!stale.exists());
        assert!(live_path.exists());
        drop(live);
        assert_eq!(store.sweep_temp_files().unwrap(), 1);
        assert!(store.temp_files().unwrap().is_empty());
    }

    #[test]
    fn adopt_moves_a_written_file_in_without_copying() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs")).unwrap();
        let written = |b: &[u8]| Written {
            sha256: hex::encode(Sha256::digest(b)),
            size: b.len() as u64,
        };
        let scratch = dir.path().join("signed.pdf");
        fs::write(&scratch, b"%PDF-1.7 signed").unwrap();
        let got = store.adopt(&scratch, &written(b"%PDF-1.7 signed")).unwrap();
        assert!(got.newly_written);
        assert!(!scratch.exists(), "moved, not copied");
        assert_eq!(store.read(&got.sha256).unwrap(), b"%PDF-1.7 signed");
        // The same content again: the stored blob wins, the new file is dropped.
        fs::write(&scratch, b"%PDF-1.7 signed").unwrap();
        let again = store.adopt(&scratch, &written(b"%PDF-1.7 signed")).unwrap();
        assert!(!again.newly_written && !scratch.exists());
        // A size that does not match, or a hash that is no hash, is refused; the file stays.
        fs::write(&scratch, b"%PDF-1.7 other").unwrap();
        let mut w = written(b"%PDF-1.7 other");
        w.size += 1;
        assert!(store.adopt(&scratch, &w).is_err());
        let bad = Written {
            sha256: "../../etc/passwd".into(),
            size: 14,
        };
        assert!(store.adopt(&scratch, &bad).is_err());
        assert!(scratch.exists());
        assert!(store.temp_files().unwrap().is_empty());
    }

    #[test]
    fn put_many_stores_each_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs")).unwrap();
        let before = store.put_bytes(b"already here").unwrap();
        let contents: Vec<&[u8]> = vec![b"one", b"already here", b"two", b"one", b""];
        let got = store.put_many(&contents).unwrap();
        assert_eq!(got.len(), contents.len());
        for (c, g) in contents.iter().zip(&got) {
            assert_eq!(g.sha256, hex::encode(Sha256::digest(c)));
            assert_eq!(g.size, c.len() as u64);
            assert_eq!(store.read(&g.sha256).unwrap(), *c);
        }
        assert_eq!(
            got.iter().map(|g| g.newly_written).collect::<Vec<_>>(),
            [true, false, true, false, true]
        );
        assert_eq!(got[1].sha256, before.sha256);
        assert!(store.temp_files().unwrap().is_empty());
        assert!(store.put_many(&[]).unwrap().is_empty());
    }
}
