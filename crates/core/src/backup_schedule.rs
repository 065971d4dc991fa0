//! Scheduled backups with retention: where, how often, how many to keep
//! (`backup-settings.json` in the data directory, so the app's Cài đặt and
//! `vanthu backup schedule` edit the same file), and whether one is due.
//!
//! The time of the last backup is read from the names of the backup files themselves
//! (`vanthu-YYYYmmdd-HHMMSS-mmm.vtbak`), not kept in a separate state file: a backup
//! deleted or copied away by hand is then seen as it is, and a crash between writing the
//! backup and recording it cannot happen.
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Local, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};
use vanthu_registry::Registry;

use crate::backup::{self, BackupError, BackupSummary, EXTENSION};

/// The schedule's file in the data directory.
pub const SETTINGS_FILE: &str = "backup-settings.json";
/// The most backups a folder keeps (about a year of daily backups).
pub const MAX_KEEP: usize = 400;
/// The longest interval, 30 days.
pub const MAX_EVERY_HOURS: u32 = 24 * 30;

/// Where and how often the unit's data is backed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupSchedule {
    /// The folder the backups go to (another disk or a network share); None: no schedule.
    pub folder: Option<PathBuf>,
    /// Hours between two backups.
    pub every_hours: u32,
    /// How many backups the folder keeps; the oldest beyond that are deleted.
    pub keep: usize,
}

impl Default for BackupSchedule {
    fn default() -> Self {
        BackupSchedule {
            folder: None,
            every_hours: 24,
            keep: 7,
        }
    }
}

/// A schedule that cannot be kept.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The interval is outside 1 hour … 30 days.
    #[error("chu kỳ sao lưu phải từ 1 đến {MAX_EVERY_HOURS} giờ / the interval must be 1–{MAX_EVERY_HOURS} hours")]
    Interval,
    /// The number to keep is outside 1 … MAX_KEEP.
    #[error("số bản giữ lại phải từ 1 đến {MAX_KEEP} / keep must be 1–{MAX_KEEP}")]
    Keep,
    /// The folder is not absolute.
    #[error("thư mục sao lưu phải là đường dẫn đầy đủ: {0} / the backup folder must be an absolute path")]
    Relative(PathBuf),
    /// The folder lies inside the data directory: a lost disk would take both.
    #[error("thư mục sao lưu không được nằm trong thư mục dữ liệu: {0} / the backup folder must not be inside the data directory")]
    InsideData(PathBuf),
    /// The settings file could not be read or written.
    #[error("không đọc ghi được {path} / cannot read or write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The settings file is not valid JSON.
    #[error("tệp {path} bị hỏng / {path} is corrupt: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The backup itself failed.
    #[error(transparent)]
    Backup(#[from] BackupError),
}

/// One backup file found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBackup {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// When it was taken (from its name).
    pub taken_at: DateTime<Local>,
}

impl BackupSchedule {
    /// The schedule of `data_dir` (the default, without a folder, if none was saved).
    pub fn load(data_dir: &Path) -> Result<Self, ScheduleError> {
        let path = data_dir.join(SETTINGS_FILE);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| ScheduleError::Corrupt {
                path: path.clone(),
                source,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ScheduleError::Io { path, source }),
        }
    }

    /// Checks the schedule against `data_dir`, then saves it (temp name, fsync, rename).
    pub fn save(&self, data_dir: &Path) -> Result<(), ScheduleError> {
        self.check(data_dir)?;
        let path = data_dir.join(SETTINGS_FILE);
        let io_err = |source| ScheduleError::Io {
            path: path.clone(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(data_dir).map_err(io_err)?;
        let json = serde_json::to_vec_pretty(self).expect("schedule serialises");
        tmp.write_all(&json).map_err(io_err)?;
        tmp.as_file().sync_all().map_err(io_err)?;
        tmp.persist(&path).map_err(|e| io_err(e.error))?;
        Ok(())
    }

    /// Whether the schedule can be kept for a unit whose data lives in `data_dir`.
    pub fn check(&self, data_dir: &Path) -> Result<(), ScheduleError> {
        if !(1..=MAX_EVERY_HOURS).contains(&self.every_hours) {
            return Err(ScheduleError::Interval);
        }
        if !(1..=MAX_KEEP).contains(&self.keep) {
            return Err(ScheduleError::Keep);
        }
        if let Some(folder) = &self.folder {
            if !folder.is_absolute() {
                return Err(ScheduleError::Relative(folder.clone()));
            }
            let data = fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
            let target = existing_prefix(folder);
            if target.starts_with(&data) {
                return Err(ScheduleError::InsideData(folder.clone()));
            }
        }
        Ok(())
    }

    /// When the next backup is due, given the backups already in the folder: at once if
    /// there is none. None when no folder is set.
    pub fn next_due(&self, backups: &[StoredBackup]) -> Option<DateTime<Local>> {
        self.folder.as_ref()?;
        let last = backups.iter().map(|b| b.taken_at).max();
        Some(match last {
            Some(t) => t + Duration::hours(i64::from(self.every_hours)),
            None => Local
                .timestamp_opt(0, 0)
                .earliest()
                .expect("the epoch exists"),
        })
    }

    /// Takes a backup if one is due at `now`; returns it and the old backups deleted.
    pub fn run_if_due(
        &self,
        reg: &Registry,
        now: DateTime<Local>,
    ) -> Result<Option<(BackupSummary, Vec<PathBuf>)>, ScheduleError> {
        if self.is_due(now)? {
            self.run_now(reg)
        } else {
            Ok(None)
        }
    }

    /// Whether a backup is due at `now` (reads the folder's listing only, so a caller can
    /// ask before opening the register).
    pub fn is_due(&self, now: DateTime<Local>) -> Result<bool, ScheduleError> {
        let Some(folder) = &self.folder else {
            return Ok(false);
        };
        Ok(self
            .next_due(&list_backups(folder)?)
            .is_some_and(|due| due <= now))
    }

    /// Takes a backup into the folder now ("Sao lưu ngay"), keeping the newest `keep`;
    /// None when no folder is set.
    pub fn run_now(
        &self,
        reg: &Registry,
    ) -> Result<Option<(BackupSummary, Vec<PathBuf>)>, ScheduleError> {
        let Some(folder) = &self.folder else {
            return Ok(None);
        };
        fs::create_dir_all(folder).map_err(|source| ScheduleError::Io {
            path: folder.clone(),
            source,
        })?;
        Ok(Some(backup::backup_into_folder(reg, folder, self.keep)?))
    }
}

/// The backups vanthu wrote into `folder`, newest first. A missing folder has none.
pub fn list_backups(folder: &Path) -> Result<Vec<StoredBackup>, ScheduleError> {
    let entries = match fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ScheduleError::Io {
                path: folder.to_path_buf(),
                source,
            })
        }
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(taken_at) = taken_at(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_file() {
            found.push(StoredBackup {
                path: entry.path(),
                size: meta.len(),
                taken_at,
            });
        }
    }
    found.sort_by_key(|b| std::cmp::Reverse(b.taken_at));
    Ok(found)
}

/// The time in a backup's name `vanthu-YYYYmmdd-HHMMSS-mmm.vtbak`, local time.
fn taken_at(name: &str) -> Option<DateTime<Local>> {
    let stamp = name
        .strip_prefix("vanthu-")?
        .strip_suffix(&format!(".{EXTENSION}"))?;
    let naive = NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S-%3f").ok()?;
    Local.from_local_datetime(&naive).earliest()
}

/// The deepest existing ancestor of `p`, resolved, with the rest appended: a folder that
/// does not exist yet is still compared through its real parent (symlinks included).
fn existing_prefix(p: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = p;
    loop {
        if let Ok(real) = fs::canonicalize(cur) {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                cur = parent;
            }
            _ => return p.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Local> {
        Local
            .with_ymd_and_hms(y, mo, d, h, 0, 0)
            .earliest()
            .unwrap()
    }

    #[test]
    fn backup_names_give_their_time() {
        let t = taken_at("vanthu-20261207-143005-120.vtbak").unwrap();
        assert_eq!(
            t.format("%d/%m/%Y %H:%M:%S").to_string(),
            "07/12/2026 14:30:05"
        );
        assert!(taken_at("vanthu-20261207-143005-120.zip").is_none());
        assert!(taken_at("other-20261207-143005-120.vtbak").is_none());
        assert!(taken_at("vanthu-2026-12-07.vtbak").is_none());
    }

    #[test]
    fn due_after_the_interval_from_the_newest_backup() {
        let s = BackupSchedule {
            folder: Some(PathBuf::from("/backups")),
            every_hours: 24,
            keep: 3,
        };
        assert!(
            s.next_due(&[]).unwrap() <= at(2000, 1, 1, 0),
            "none yet: due now"
        );
        let b = |t| StoredBackup {
            path: PathBuf::new(),
            size: 0,
            taken_at: t,
        };
        let backups = [b(at(2026, 12, 5, 8)), b(at(2026, 12, 6, 8))];
        assert_eq!(s.next_due(&backups), Some(at(2026, 12, 7, 8)));
        let off = BackupSchedule::default();
        assert_eq!(off.next_due(&backups), None);
    }

    #[test]
    fn a_schedule_is_checked_before_it_is_saved() {
        let data = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let mut s = BackupSchedule {
            folder: Some(elsewhere.path().join("new")),
            ..Default::default()
        };
        s.save(data.path()).unwrap();
        assert_eq!(BackupSchedule::load(data.path()).unwrap(), s);

        s.folder = Some(data.path().join("backups"));
        assert!(matches!(
            s.save(data.path()),
            Err(ScheduleError::InsideData(_))
        ));
        s.folder = Some(PathBuf::from("relative/dir"));
        assert!(matches!(
            s.check(data.path()),
            Err(ScheduleError::Relative(_))
        ));
        s.folder = None;
        s.every_hours = 0;
        assert!(matches!(s.check(data.path()), Err(ScheduleError::Interval)));
        s.every_hours = 24;
        s.keep = 0;
        assert!(matches!(s.check(data.path()), Err(ScheduleError::Keep)));
        // Nothing invalid was written.
        assert_eq!(
            BackupSchedule::load(data.path()).unwrap().folder,
            Some(elsewhere.path().join("new"))
        );
    }
}
