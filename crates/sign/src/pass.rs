//! The one pass over the input of a signing: the original bytes appended to the temporary
//! output while a second thread hashes the same mapped pages. It needs neither the token
//! nor the parsed document, so it runs in the background from [`InputPass::start`] while
//! the caller loads the PKCS#11 module, logs in and builds the update.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use crate::outfile::PendingFile;
use crate::SignError;

/// Bytes of the input hashed or written per call.
const CHUNK: usize = 1 << 20;

/// What the pass leaves: the temporary output holding the original bytes, and SHA-256
/// fed with exactly those bytes.
pub(crate) type PassResult = Result<(PendingFile, Sha256), SignError>;

/// A running pass. Dropping it before [`InputPass::join`] stops the pass and waits for it,
/// so its temporary file is removed before the caller goes on (or the process exits).
pub(crate) struct InputPass {
    handle: Option<JoinHandle<PassResult>>,
    cancel: Arc<AtomicBool>,
}

impl InputPass {
    /// Starts copying and hashing `map` into `out` on a background thread.
    pub(crate) fn start(map: Arc<memmap2::Mmap>, out: PendingFile) -> Result<Self, SignError> {
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancel);
        let handle = std::thread::Builder::new()
            .name("vanthu-sign-pass".into())
            .spawn(move || copy_and_hash(&map, out, &stop))
            .map_err(|e| SignError::Io("luồng sao chép / copy thread".into(), e))?;
        Ok(InputPass {
            handle: Some(handle),
            cancel,
        })
    }

    /// Waits for the pass to finish.
    pub(crate) fn join(mut self) -> PassResult {
        let handle = self.handle.take().expect("joined once");
        handle
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    }
}

impl Drop for InputPass {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.cancel.store(true, Ordering::Relaxed);
            let _ = h.join();
        }
    }
}

/// Appends `data` to `out` 1 MiB at a time while a second thread hashes the same mapped
/// pages: SHA-256 (CPU-bound, ~1.5 GB/s with SHA-NI) and the copy into the page cache
/// overlap on two cores and simply take turns on one. Both read the one mapping, so the
/// bytes hashed are the bytes written, unless another process rewrites the input
/// meanwhile (the accepted risk of mapping).
fn copy_and_hash(data: &[u8], mut out: PendingFile, cancel: &AtomicBool) -> PassResult {
    let cancelled = || cancel.load(Ordering::Relaxed);
    let h = std::thread::scope(|s| {
        let hasher = s.spawn(|| {
            let mut h = Sha256::new();
            for chunk in data.chunks(CHUNK) {
                if cancelled() {
                    break;
                }
                h.update(chunk);
            }
            h
        });
        let copied = data.chunks(CHUNK).try_for_each(|c| {
            if cancelled() {
                return Err(SignError::Io(
                    "sao chép / copy".into(),
                    std::io::Error::new(std::io::ErrorKind::Interrupted, "cancelled"),
                ));
            }
            out.append(c)
        });
        let h = hasher
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        copied.map(|()| h)
    })?;
    Ok((out, h))
}
