//! Backup and restore of a unit's data directory (11796/VPCP-KSTT: backup and contingency).
//!
//! A backup is one zip file: `vanthu.db`, a consistent snapshot of the register taken while
//! other processes keep writing ([`Registry::snapshot_database`]); `blobs/…`, the attachment
//! store; the unit's settings files and trust anchors; and `manifest.json`, the SHA-256 and
//! size of every other entry. Secrets (the hub secret, PINs) live in the OS keyring and are
//! never in a backup: after a restore the hub connection asks for its secret again.
//!
//! A restore goes only into an empty or missing data directory: everything is extracted to
//! a scratch folder beside it, every checksum compared with the manifest, the register
//! opened and its audit chain verified, and only then is the folder renamed into place, so
//! a bad backup leaves nothing behind. Entry names are checked against the manifest's
//! allowed shapes before anything is written (no `..`, no absolute paths).
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vanthu_domain::paths::{self, portable_file_name};
use vanthu_registry::{Registry, DB_FILE};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// `format` of the manifest.
pub const FORMAT: &str = "vanthu-backup";
/// `version` of the manifest this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// File name extension of backups written into a folder.
pub const EXTENSION: &str = "vtbak";
const MANIFEST: &str = "manifest.json";
/// Small per-unit files of the data directory that a restored unit needs. Not `hub-secret`
/// (a secret) nor `sync-partial` (downloads in progress).
const SETTINGS_FILES: &[&str] = &[
    "app-settings.json",
    "signing-settings.json",
    "sync-settings.json",
    crate::backup_schedule::SETTINGS_FILE,
];
const TRUST_DIR: &str = "trust";
const BLOB_DIR: &str = "blobs";

/// What went wrong in a backup or a restore.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The register could not be read or the restored one opened.
    #[error("{0}")]
    Registry(#[from] vanthu_registry::Error),
    /// A file could not be read or written.
    #[error("không đọc ghi được {path} / cannot read or write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The zip container is damaged or not a zip.
    #[error("tệp sao lưu hỏng / damaged backup file: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The file is not a vanthu backup, or one of a newer format.
    #[error("không phải tệp sao lưu vanthu / not a vanthu backup: {0}")]
    NotABackup(String),
    /// An entry's content does not match the manifest.
    #[error("tệp sao lưu hỏng: {0} sai mã kiểm tra / damaged backup: checksum mismatch for {0}")]
    Checksum(String),
    /// The attachment store lacks a file the register refers to.
    #[error("kho tệp đính kèm thiếu tệp {0} mà sổ có ghi / the attachment store lacks {0}")]
    MissingBlob(String),
    /// A restore over existing data is refused.
    #[error("thư mục dữ liệu {0} đã có dữ liệu, không khôi phục đè lên / data directory {0} is not empty")]
    NotEmpty(PathBuf),
    /// The restored register's audit chain does not verify.
    #[error(
        "nhật ký của sổ khôi phục không toàn vẹn / the restored audit log does not verify: {0}"
    )]
    AuditBroken(String),
}

type Result<T> = std::result::Result<T, BackupError>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a backup holds, written as `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub version: u32,
    /// When the snapshot was taken (RFC 3339, local time with offset).
    pub created_at: String,
    /// The vanthu version that wrote it.
    pub vanthu_version: String,
    /// The unit's agency code and name (None before `vanthu init`).
    pub unit: Option<(String, String)>,
    /// Documents in both registers at the snapshot.
    pub documents: u64,
    /// Rows of the audit log at the snapshot and the hash of the last one.
    pub audit_rows: u64,
    /// Hash of the last audit row, to compare with a copy kept elsewhere.
    pub audit_last_hash: String,
    /// Every other entry of the zip.
    pub files: Vec<ManifestFile>,
}

/// One entry of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path inside the zip and inside the data directory, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 (hex) of the content.
    pub sha256: String,
}

/// What [`create_backup`] wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    /// The backup file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its manifest.
    pub manifest: Manifest,
}

impl BackupSummary {
    /// Attachment files in the backup.
    pub fn blobs(&self) -> usize {
        self.manifest
            .files
            .iter()
            .filter(|f| f.path.starts_with("blobs/"))
            .count()
    }
}

/// Writes a backup of `reg`'s data directory to `out` (replaced atomically if it exists).
/// Consistent while other processes keep registering: the register is the snapshot of the
/// moment the backup begins.
pub fn create_backup(reg: &Registry, out: &Path) -> Result<BackupSummary> {
    let parent = parent_of(out);
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let scratch = tempfile::Builder::new()
        .prefix(".vanthu-backup-")
        .tempdir_in(&parent)
        .map_err(io_err(&parent))?;
    let snapshot = scratch.path().join(DB_FILE);
    reg.snapshot_database(&snapshot)?;
    let created_at = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let (unit, documents, audit, referenced) = {
        let snap = Registry::open_existing(scratch.path())?;
        (
            snap.own_unit()?,
            snap.count(None)?,
            snap.audit_verify()?,
            snap.referenced_blobs()?,
        )
    };
    if !audit.ok {
        tracing::warn!(reason = ?audit.reason, "backing up a register whose audit log does not verify");
    }

    let tmp_out = scratch.path().join("backup.zip.part");
    let file = File::create(&tmp_out).map_err(io_err(&tmp_out))?;
    let mut zip = ZipWriter::new(io::BufWriter::new(file));
    let mut files = Vec::new();
    files.push(add_file(&mut zip, &snapshot, DB_FILE, true)?);
    let data_dir = reg.data_dir();
    for name in SETTINGS_FILES {
        let p = data_dir.join(name);
        if p.is_file() {
            files.push(add_file(&mut zip, &p, name, true)?);
        }
    }
    let trust = data_dir.join(TRUST_DIR);
    if trust.is_dir() {
        for entry in sorted_entries(&trust)? {
            if entry.is_file() {
                let name = format!("{TRUST_DIR}/{}", file_name(&entry));
                files.push(add_file(&mut zip, &entry, &name, true)?);
            }
        }
    }
    let mut stored = std::collections::BTreeSet::new();
    let root = reg.blobs().root();
    for shard in sorted_entries(root)? {
        if !shard.is_dir() {
            continue;
        }
        for blob in sorted_entries(&shard)? {
            let name = file_name(&blob);
            if !is_sha256(&name) || !blob.is_file() {
                continue; // a writer's temp file, not a blob
            }
            let path = format!("{BLOB_DIR}/{}/{name}", file_name(&shard));
            // PDFs and scans are compressed already: store them as they are.
            let f = add_file(&mut zip, &blob, &path, false)?;
            if f.sha256 != name {
                return Err(BackupError::Checksum(path));
            }
            stored.insert(name);
            files.push(f);
        }
    }
    if let Some(missing) = referenced.iter().find(|s| !stored.contains(*s)) {
        return Err(BackupError::MissingBlob(missing.clone()));
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        created_at,
        vanthu_version: env!("CARGO_PKG_VERSION").into(),
        unit,
        documents,
        audit_rows: audit.rows,
        audit_last_hash: audit.last_hash,
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    zip.start_file(MANIFEST, options(true, json.len() as u64))?;
    zip.write_all(&json).map_err(io_err(&tmp_out))?;
    let file = zip
        .finish()?
        .into_inner()
        .map_err(|e| io_err(&tmp_out)(e.into_error()))?;
    file.sync_all().map_err(io_err(&tmp_out))?;
    let size = file.metadata().map_err(io_err(&tmp_out))?.len();
    drop(file);
    paths::replace_file(&tmp_out, out).map_err(io_err(out))?;
    sync_dir(&parent);
    tracing::info!(path = %out.display(), size, documents, "backup written");
    Ok(BackupSummary {
        path: out.to_path_buf(),
        size,
        manifest,
    })
}

/// Writes a backup named for the unit and the time into `folder`, then deletes the oldest
/// backups there beyond `keep` (scheduled backups with retention). Returns the new backup
/// and the files removed.
pub fn backup_into_folder(
    reg: &Registry,
    folder: &Path,
    keep: usize,
) -> Result<(BackupSummary, Vec<PathBuf>)> {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S-%3f");
    let summary = create_backup(reg, &folder.join(format!("vanthu-{stamp}.{EXTENSION}")))?;
    let mut ours: Vec<PathBuf> = sorted_entries(folder)?
        .into_iter()
        .filter(|p| {
            let n = file_name(p);
            n.starts_with("vanthu-") && n.ends_with(&format!(".{EXTENSION}"))
        })
        .collect();
    // The names sort by time; the newest are last.
    let mut removed = Vec::new();
    let excess = ours.len().saturating_sub(keep.max(1));
    for old in ours.drain(..excess) {
        if old != summary.path {
            fs::remove_file(&old).map_err(io_err(&old))?;
            removed.push(old);
        }
    }
    Ok((summary, removed))
}

/// Re-reads a backup and checks every entry against its manifest.
pub fn verify_backup(path: &Path) -> Result<Manifest> {
    let mut zip = open_zip(path)?;
    let manifest = read_manifest(&mut zip)?;
    for f in &manifest.files {
        let mut entry = zip.by_name(&f.path)?;
        let (size, sha) = hash_reader(&mut entry, io::sink(), f.size, &f.path)?;
        if size != f.size || sha != f.sha256 {
            return Err(BackupError::Checksum(f.path.clone()));
        }
    }
    Ok(manifest)
}

/// What [`restore_backup`] put back.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    /// The manifest of the backup restored.
    pub manifest: Manifest,
    /// Audit rows verified in the restored register.
    pub audit_rows: u64,
}

/// Restores a backup into `data_dir`, which must be missing or empty.
pub fn restore_backup(backup: &Path, data_dir: &Path) -> Result<RestoreSummary> {
    if data_dir.exists() {
        let mut entries = fs::read_dir(data_dir).map_err(io_err(data_dir))?;
        if entries.next().is_some() {
            return Err(BackupError::NotEmpty(data_dir.to_path_buf()));
        }
    }
    let mut zip = open_zip(backup)?;
    let manifest = read_manifest(&mut zip)?;
    let parent = parent_of(data_dir);
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let scratch = tempfile::Builder::new()
        .prefix(".vanthu-restore-")
        .tempdir_in(&parent)
        .map_err(io_err(&parent))?;
    for f in &manifest.files {
        let dest = scratch.path().join(&f.path);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let out = File::create(&dest).map_err(io_err(&dest))?;
        let mut entry = zip.by_name(&f.path)?;
        let (size, sha) = hash_reader(&mut entry, &out, f.size, &f.path)?;
        if size != f.size || sha != f.sha256 {
            return Err(BackupError::Checksum(f.path.clone()));
        }
        out.sync_all().map_err(io_err(&dest))?;
    }
    let audit_rows = {
        let reg = Registry::open_existing(scratch.path())?;
        let audit = reg.audit_verify()?;
        if !audit.ok {
            return Err(BackupError::AuditBroken(audit.reason.unwrap_or_default()));
        }
        if reg.count(None)? != manifest.documents {
            return Err(BackupError::Checksum(DB_FILE.into()));
        }
        audit.rows
    };
    if data_dir.exists() {
        fs::remove_dir(data_dir).map_err(io_err(data_dir))?;
    }
    let staged = scratch.keep();
    if let Err(e) = fs::rename(&staged, data_dir) {
        let _ = fs::remove_dir_all(&staged);
        return Err(io_err(data_dir)(e));
    }
    sync_dir(&parent);
    tracing::info!(data_dir = %data_dir.display(), documents = manifest.documents, "backup restored");
    Ok(RestoreSummary {
        manifest,
        audit_rows,
    })
}

fn open_zip(path: &Path) -> Result<ZipArchive<BufReader<File>>> {
    let f = File::open(path).map_err(io_err(path))?;
    ZipArchive::new(BufReader::new(f)).map_err(|e| BackupError::NotABackup(e.to_string()))
}

const MAX_MANIFEST: u64 = 256 << 20;

fn read_manifest<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<Manifest> {
    let mut json = Vec::new();
    {
        let entry = zip
            .by_name(MANIFEST)
            .map_err(|_| BackupError::NotABackup(format!("no {MANIFEST}")))?;
        entry
            .take(MAX_MANIFEST)
            .read_to_end(&mut json)
            .map_err(|e| BackupError::NotABackup(e.to_string()))?;
    }
    let m: Manifest =
        serde_json::from_slice(&json).map_err(|e| BackupError::NotABackup(e.to_string()))?;
    if m.format != FORMAT || m.version > FORMAT_VERSION {
        return Err(BackupError::NotABackup(format!(
            "{} version {}",
            m.format, m.version
        )));
    }
    if let Some(bad) = m.files.iter().find(|f| !allowed_path(&f.path)) {
        return Err(BackupError::NotABackup(format!(
            "unexpected entry {:?}",
            bad.path
        )));
    }
    if !m.files.iter().any(|f| f.path == DB_FILE) {
        return Err(BackupError::NotABackup(format!("no {DB_FILE}")));
    }
    Ok(m)
}

/// The only shapes a restore writes: the database, a blob named by its hash, a settings
/// file, a trust anchor. Anything else (`..`, absolute paths, other names) is refused.
fn allowed_path(p: &str) -> bool {
    let parts: Vec<&str> = p.split('/').collect();
    // A trust anchor's name must already be what the project would write on Linux and
    // Windows alike (no separators, dots at the edges, device names such as CON).
    let plain = |s: &str| portable_file_name(s).as_deref() == Some(s);
    match parts.as_slice() {
        [name] => *name == DB_FILE || SETTINGS_FILES.contains(name),
        [dir, name] => *dir == TRUST_DIR && plain(name),
        [dir, shard, name] => *dir == BLOB_DIR && is_sha256(name) && name.get(..2) == Some(*shard),
        _ => false,
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn options(compress: bool, size: u64) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(if compress {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        })
        .large_file(size >= u64::from(u32::MAX))
}

fn add_file<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    src: &Path,
    name: &str,
    compress: bool,
) -> Result<ManifestFile> {
    let f = File::open(src).map_err(io_err(src))?;
    let len = f.metadata().map_err(io_err(src))?.len();
    zip.start_file(name, options(compress, len))?;
    let (size, sha256) = hash_reader(&mut BufReader::new(f), &mut *zip, u64::MAX, name)?;
    Ok(ManifestFile {
        path: name.to_owned(),
        size,
        sha256,
    })
}

/// Copies `r` to `w`, hashing; more than `limit` bytes is a damaged entry (a zip bomb
/// cannot fill the disk past what the manifest announced).
fn hash_reader(
    r: &mut impl Read,
    mut w: impl Write,
    limit: u64,
    name: &str,
) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut buf).map_err(|e| {
            // The zip reader checks each entry's CRC-32 at its end: damage, not an I/O fault.
            if e.kind() == io::ErrorKind::InvalidData {
                BackupError::Checksum(name.to_owned())
            } else {
                BackupError::Io {
                    path: name.into(),
                    source: e,
                }
            }
        })?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limit {
            return Err(BackupError::Checksum(name.to_owned()));
        }
        hasher.update(&buf[..n]);
        w.write_all(&buf[..n]).map_err(|e| BackupError::Io {
            path: name.into(),
            source: e,
        })?;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    for e in fs::read_dir(dir).map_err(io_err(dir))? {
        v.push(e.map_err(io_err(dir))?.path());
    }
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes a rename durable; best effort: the file itself was fsynced before the rename.
fn sync_dir(dir: &Path) {
    if let Err(err) = paths::sync_dir(dir) {
        tracing::warn!(%err, dir = %dir.display(), "cannot fsync the directory");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_entry_shapes_are_restored() {
        let sha = "ab".to_owned() + &"0".repeat(62);
        assert!(allowed_path(DB_FILE));
        assert!(allowed_path("sync-settings.json"));
        assert!(allowed_path("trust/vgca.pem"));
        assert!(allowed_path(&format!("blobs/ab/{sha}")));
        assert!(!allowed_path(&format!("blobs/cd/{sha}")));
        assert!(!allowed_path("../vanthu.db"));
        assert!(!allowed_path("trust/../../etc/passwd"));
        assert!(!allowed_path("/etc/passwd"));
        assert!(!allowed_path("trust/.hidden"));
        assert!(!allowed_path("trust/CON"));
        assert!(!allowed_path("trust/ca.pem."));
        assert!(!allowed_path("trust/a:b.pem"));
        assert!(!allowed_path("hub-secret"));
        assert!(!allowed_path("blobs/ab/xyz"));
    }
}
