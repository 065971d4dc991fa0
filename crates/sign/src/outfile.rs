//! The signed file's single trip to disk: a temporary file next to the target, appended
//! front to back, patched in place once the signature is known, fsync'ed once and renamed
//! over the target, then the directory fsync'ed so the rename itself is durable.
//!
//! Dropping a [`PendingFile`] without [`PendingFile::commit`] removes the temporary file:
//! a failed signing leaves neither a partial output nor a stray temporary.
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::SignError;

/// Dirty bytes after which writeback of what was appended so far is started (Linux).
/// Without it the kernel holds a 50 MB file in the page cache until the final fsync,
/// which then writes all of it while the process waits; started early, the disk works
/// while the rest of the file is hashed and the token signs.
const WRITEBACK_STEP: u64 = 8 << 20;

/// A temporary file in the target's directory, becoming the target on [`commit`].
///
/// [`commit`]: PendingFile::commit
pub struct PendingFile {
    tmp: NamedTempFile,
    path: PathBuf,
    /// Bytes appended so far.
    len: u64,
    /// Bytes whose writeback has been started.
    kicked: u64,
}

impl PendingFile {
    /// Creates the temporary file in the directory of `path`.
    pub fn create(path: &Path) -> Result<Self, SignError> {
        let tmp = tempfile::Builder::new()
            .prefix(".vanthu-sign-")
            .suffix(".tmp")
            .tempfile_in(dir_of(path))
            .map_err(|e| io_err(path, e))?;
        Ok(PendingFile {
            tmp,
            path: path.to_path_buf(),
            len: 0,
            kicked: 0,
        })
    }

    /// Appends `bytes` at the end.
    pub fn append(&mut self, bytes: &[u8]) -> Result<(), SignError> {
        self.tmp
            .as_file_mut()
            .write_all(bytes)
            .map_err(|e| io_err(&self.path, e))?;
        self.len += bytes.len() as u64;
        if self.len - self.kicked >= WRITEBACK_STEP {
            start_writeback(self.tmp.as_file(), self.kicked, self.len - self.kicked);
            self.kicked = self.len;
        }
        Ok(())
    }

    /// Overwrites bytes already appended, at `offset` (the /Contents placeholder).
    pub fn patch(&mut self, offset: u64, bytes: &[u8]) -> Result<(), SignError> {
        if offset + bytes.len() as u64 > self.len {
            return Err(io_err(
                &self.path,
                std::io::Error::other("patch beyond the end of the written file"),
            ));
        }
        write_at(self.tmp.as_file(), offset, bytes).map_err(|e| io_err(&self.path, e))
    }

    /// Makes the file the target: permissions, one fsync, rename, fsync of the directory.
    pub fn commit(self) -> Result<(), SignError> {
        let PendingFile { tmp, path, .. } = self;
        #[cfg(unix)]
        {
            // tempfile creates 0600; a signed document should get the usual permissions.
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.as_file().sync_all().map_err(|e| io_err(&path, e))?;
        tmp.persist(&path).map_err(|e| io_err(&path, e.error))?;
        // The rename is only durable once the directory entry is.
        vanthu_domain::paths::sync_dir(dir_of(&path)).map_err(|e| io_err(&path, e))
    }
}

fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn io_err(path: &Path, e: std::io::Error) -> SignError {
    SignError::Io(path.display().to_string(), e)
}

#[cfg(unix)]
fn write_at(f: &std::fs::File, offset: u64, bytes: &[u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, bytes, offset)
}

#[cfg(windows)]
fn write_at(f: &std::fs::File, mut offset: u64, mut bytes: &[u8]) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        let n = f.seek_write(bytes, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Asks the kernel to start writing `len` bytes at `offset` to disk now, without waiting
/// for them: no durability (that is the final fsync's job), only an earlier start.
#[cfg(target_os = "linux")]
fn start_writeback(f: &std::fs::File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open descriptor; the call only reads its arguments. A failure
    // (an old kernel, a filesystem without support) leaves all the work to the fsync.
    let _ = unsafe {
        libc::sync_file_range(
            f.as_raw_fd(),
            offset as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        )
    };
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_f: &std::fs::File, _offset: u64, _len: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_writes_the_patched_bytes_under_the_target_name() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.pdf");
        let mut f = PendingFile::create(&target).unwrap();
        f.append(b"%PDF-1.7 ").unwrap();
        // Large enough to cross the writeback step.
        f.append(&vec![b'x'; (WRITEBACK_STEP + 10) as usize])
            .unwrap();
        f.append(b" <0000>").unwrap();
        let at = 9 + WRITEBACK_STEP + 10 + 2;
        f.patch(at, b"AB").unwrap();
        f.commit().unwrap();
        let got = std::fs::read(&target).unwrap();
        assert_eq!(got.len() as u64, at + 4 + 1);
        assert!(got.starts_with(b"%PDF-1.7 x"));
        assert!(got.ends_with(b" <AB00>"));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }

    #[test]
    fn dropping_without_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.pdf");
        let mut f = PendingFile::create(&target).unwrap();
        f.append(b"%PDF-1.7 partial").unwrap();
        drop(f);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_patch_past_the_end_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = PendingFile::create(&dir.path().join("out.pdf")).unwrap();
        f.append(b"abc").unwrap();
        assert!(f.patch(2, b"xy").is_err());
        f.patch(1, b"xy").unwrap();
    }
}
