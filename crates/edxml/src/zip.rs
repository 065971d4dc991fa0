//! The .NET SDK zips each attachment before encoding it (edxml.md §4): unzip a single-entry
//! archive with zip-bomb guards. Entry names are only reported, never used as paths.
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// One file extracted from a zipped attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unzipped {
    /// Base name of the entry (directories stripped).
    pub entry_name: String,
    /// Uncompressed size in bytes.
    pub size: u64,
}

/// Guards against zip bombs.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    /// Maximum total uncompressed size in bytes.
    pub max_size: u64,
    /// Maximum uncompressed / compressed ratio.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_size: 2 << 30,
            max_ratio: 200,
        }
    }
}

/// Extracts the single entry of the archive at `zip_path` into `out`. `Ok(None)` when the file
/// is not a single-entry archive (it is then kept as it is).
pub fn unzip_single<W: Write>(
    zip_path: &Path,
    out: &mut W,
    limits: ZipLimits,
) -> Result<Option<Unzipped>> {
    let file = File::open(zip_path)?;
    let compressed_total = file.metadata()?.len();
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return Ok(None);
    };
    if archive.len() != 1 {
        return Ok(None);
    }
    let mut entry = archive
        .by_index(0)
        .map_err(|e| Error::Invalid(format!("tệp nén hỏng / broken zip: {e}")))?;
    if entry.is_dir() {
        return Ok(None);
    }
    let declared = entry.size();
    let compressed = entry.compressed_size().max(1).min(compressed_total.max(1));
    if declared > limits.max_size || declared / compressed > limits.max_ratio {
        return Err(Error::Limit {
            what: "kích thước giải nén / unzipped size",
            limit: limits
                .max_size
                .min(compressed.saturating_mul(limits.max_ratio)),
            line: 0,
        });
    }
    let name = entry
        .name()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .to_string();
    // The declared size may lie: cap what is actually inflated too.
    let cap = limits
        .max_size
        .min(compressed.saturating_mul(limits.max_ratio));
    let mut limited = (&mut entry).take(cap + 1);
    let size = io::copy(&mut limited, out)
        .map_err(|e| Error::Invalid(format!("tệp nén hỏng / broken zip: {e}")))?;
    if size > cap {
        return Err(Error::Limit {
            what: "kích thước giải nén / unzipped size",
            limit: cap,
            line: 0,
        });
    }
    Ok(Some(Unzipped {
        entry_name: name,
        size,
    }))
}

/// Puts a received attachment at `dest` as the sender meant it: the official Java library
/// and the .NET SDK zip attachments before encoding them (a `.txt` arrives as a one-entry
/// archive under its own name), so a single-entry archive whose name is not `.zip` is unzipped;
/// anything else, or an archive the guards refuse, is copied as received. Returns the entry
/// when it unzipped.
pub fn copy_unwrapped(src: &Path, dest: &Path, name: &str) -> Result<Option<Unzipped>> {
    let mut magic = [0u8; 4];
    let is_zip = File::open(src)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04";
    if is_zip && !name.to_ascii_lowercase().ends_with(".zip") {
        let mut out = File::create(dest)?;
        match unzip_single(src, &mut out, ZipLimits::default()) {
            Ok(Some(u)) => {
                out.sync_all()?;
                return Ok(Some(u));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("{name}: giữ nguyên tệp nén / kept zipped: {e}"),
        }
    }
    std::fs::copy(src, dest)?;
    Ok(None)
}
