//! The scan folder: a scanner drops PDFs into a directory; each one that has stopped
//! growing is handed to `ingest` (which copies it into the attachment store and records a
//! draft), and only after `ingest` succeeded is it removed from the folder.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use notify::{RecursiveMode, Watcher};

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("Thư mục quét không tồn tại / scan folder does not exist: {0}")]
    Missing(PathBuf),
    #[error("Không theo dõi được thư mục quét / cannot watch scan folder: {0}")]
    Watch(#[from] notify::Error),
}

/// What a file looked like the last time the folder was listed.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    len: u64,
    modified: Option<SystemTime>,
    /// When this exact (len, modified) was first observed.
    since: Instant,
    /// ingest failed for this version of the file; retried only once it changes.
    failed: bool,
}

/// Decides which files are ready: a PDF whose size and mtime have not changed for `settle`.
/// Kept apart from the watcher thread so it can be tested with a fake clock.
#[derive(Debug)]
pub struct Stabilizer {
    settle: Duration,
    seen: HashMap<PathBuf, Seen>,
}

impl Stabilizer {
    pub fn new(settle: Duration) -> Self {
        Self {
            settle,
            seen: HashMap::new(),
        }
    }

    /// Lists `dir` and returns the PDFs that are stable at `now`.
    pub fn poll(&mut self, dir: &Path, now: Instant) -> Vec<PathBuf> {
        let mut present = Vec::new();
        let mut ready = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return ready;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !is_pdf_name(&path) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            present.push(path.clone());
            let (len, modified) = (meta.len(), meta.modified().ok());
            let seen = self.seen.entry(path.clone()).or_insert(Seen {
                len,
                modified,
                since: now,
                failed: false,
            });
            if seen.len != len || seen.modified != modified {
                *seen = Seen {
                    len,
                    modified,
                    since: now,
                    failed: false,
                };
                continue;
            }
            if !seen.failed && len > 0 && now.duration_since(seen.since) >= self.settle {
                ready.push(path);
            }
        }
        self.seen.retain(|p, _| present.contains(p));
        ready.sort();
        ready
    }

    /// Marks a file whose ingest failed so it is not retried until it changes.
    pub fn mark_failed(&mut self, path: &Path) {
        if let Some(seen) = self.seen.get_mut(path) {
            seen.failed = true;
        }
    }

    pub fn forget(&mut self, path: &Path) {
        self.seen.remove(path);
    }
}

fn is_pdf_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
        // Scanners and copy tools write to hidden temp names first.
        && !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.starts_with('~'))
}

/// One pass: hands every stable file to `ingest`; removes it from the folder only when
/// `ingest` returned Ok. Returns how many files were taken in.
pub fn process_ready<F>(stab: &mut Stabilizer, dir: &Path, now: Instant, ingest: &mut F) -> usize
where
    F: FnMut(&Path) -> Result<(), String>,
{
    let mut taken = 0;
    for path in stab.poll(dir, now) {
        match ingest(&path) {
            Ok(()) => {
                if let Err(err) = std::fs::remove_file(&path) {
                    tracing::warn!(file = %path.display(), %err, "stored scan but could not remove it from the folder");
                }
                stab.forget(&path);
                taken += 1;
            }
            Err(err) => {
                tracing::warn!(file = %path.display(), %err, "scan not taken in");
                stab.mark_failed(&path);
            }
        }
    }
    taken
}

/// A running watcher; stops when dropped.
pub struct ScanWatcher {
    dir: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _watcher: notify::RecommendedWatcher,
}

impl ScanWatcher {
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for ScanWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Watches `dir`. notify events only wake the loop early; a periodic re-listing catches
/// missed events and lets the settle time elapse. `on_taken` runs after each batch.
pub fn watch<F, G>(
    dir: PathBuf,
    settle: Duration,
    mut ingest: F,
    mut on_taken: G,
) -> Result<ScanWatcher, ScanError>
where
    F: FnMut(&Path) -> Result<(), String> + Send + 'static,
    G: FnMut(usize) + Send + 'static,
{
    if !dir.is_dir() {
        return Err(ScanError::Missing(dir));
    }
    let (tx, rx) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |_res: notify::Result<notify::Event>| {
        let _ = tx.send(());
    })?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = stop.clone();
        let dir = dir.clone();
        let tick = (settle / 2).clamp(Duration::from_millis(100), Duration::from_secs(1));
        std::thread::Builder::new()
            .name("scan-folder".into())
            .spawn(move || {
                let mut stab = Stabilizer::new(settle);
                while !stop.load(Ordering::SeqCst) {
                    let taken = process_ready(&mut stab, &dir, Instant::now(), &mut ingest);
                    if taken > 0 {
                        on_taken(taken);
                    }
                    let _ = rx.recv_timeout(tick);
                }
            })
            .expect("spawn scan-folder thread")
    };
    tracing::info!(dir = %dir.display(), "watching scan folder");
    Ok(ScanWatcher {
        dir,
        stop,
        thread: Some(thread),
        _watcher: watcher,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const SETTLE: Duration = Duration::from_secs(2);

    #[test]
    fn a_growing_file_is_not_ready_until_it_stops_changing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scan001.pdf");
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"%PDF-1.7\n").unwrap();
        let mut stab = Stabilizer::new(SETTLE);
        let t0 = Instant::now();
        assert!(stab.poll(dir.path(), t0).is_empty());
        // The scanner is still writing: the size changes, so the clock restarts.
        f.write_all(b"more bytes").unwrap();
        f.flush().unwrap();
        assert!(stab.poll(dir.path(), t0 + SETTLE).is_empty());
        assert!(stab.poll(dir.path(), t0 + SETTLE + SETTLE / 2).is_empty());
        assert_eq!(stab.poll(dir.path(), t0 + SETTLE * 2), vec![path]);
    }

    #[test]
    fn only_visible_non_empty_pdfs_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.PDF", "b.txt", ".c.pdf", "~d.pdf", "empty.pdf"] {
            let body: &[u8] = if name == "empty.pdf" {
                b""
            } else {
                b"%PDF-1.4"
            };
            std::fs::write(dir.path().join(name), body).unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.pdf")).unwrap();
        let mut stab = Stabilizer::new(SETTLE);
        let t0 = Instant::now();
        stab.poll(dir.path(), t0);
        assert_eq!(
            stab.poll(dir.path(), t0 + SETTLE),
            vec![dir.path().join("a.PDF")]
        );
    }

    #[test]
    fn the_file_stays_in_the_folder_when_ingest_fails_and_leaves_when_it_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pdf");
        std::fs::write(&path, b"%PDF-1.4 body").unwrap();
        let mut stab = Stabilizer::new(SETTLE);
        let t0 = Instant::now();
        stab.poll(dir.path(), t0);
        let mut calls = 0;
        let mut failing = |_: &Path| {
            calls += 1;
            Err("disk full".to_string())
        };
        assert_eq!(
            process_ready(&mut stab, dir.path(), t0 + SETTLE, &mut failing),
            0
        );
        assert!(path.exists());
        // Not retried while unchanged.
        assert_eq!(
            process_ready(&mut stab, dir.path(), t0 + SETTLE * 3, &mut failing),
            0
        );
        assert_eq!(calls, 1);
        // Rewritten (e.g. rescanned): tried again after settling, and removed on success.
        std::fs::write(&path, b"%PDF-1.4 rescanned body").unwrap();
        let mut stored = Vec::new();
        let mut ok = |p: &Path| {
            stored.push(std::fs::read(p).unwrap());
            Ok(())
        };
        assert_eq!(
            process_ready(&mut stab, dir.path(), t0 + SETTLE * 4, &mut ok),
            0
        );
        assert_eq!(
            process_ready(&mut stab, dir.path(), t0 + SETTLE * 5, &mut ok),
            1
        );
        assert_eq!(stored, vec![b"%PDF-1.4 rescanned body".to_vec()]);
        assert!(!path.exists());
    }

    #[test]
    fn the_watcher_takes_in_a_dropped_file() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = mpsc::channel();
        let _w = watch(
            dir.path().to_path_buf(),
            Duration::from_millis(200),
            move |p: &Path| {
                tx.send(std::fs::read(p).unwrap()).unwrap();
                Ok(())
            },
            |_| {},
        )
        .unwrap();
        let path = dir.path().join("drop.pdf");
        std::fs::write(&path, b"%PDF-1.4 dropped").unwrap();
        let got = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(got, b"%PDF-1.4 dropped");
        // Removal follows the successful ingest; wait for it without asserting a time.
        for _ in 0..300 {
            if !path.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(!path.exists());
    }

    #[test]
    fn watching_a_missing_folder_is_a_clear_error() {
        let err = watch(
            PathBuf::from("/nonexistent/vanthu-scan"),
            SETTLE,
            |_: &Path| Ok(()),
            |_| {},
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("Thư mục quét không tồn tại"));
    }
}
