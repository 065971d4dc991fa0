//! vanthu-pdf: reading and rendering PDFs with pdfium (through pdfium-render).
//!
//! pdfium is not thread-safe and its bindings are process-wide, so one worker thread owns the
//! library and every open document; [`Document`] is a cheap handle that sends requests there.
//! Rendering is asynchronous ([`Document::submit_render`]) with cancellation of stale requests
//! (a [`CancelToken`] per request, or [`Document::cancel_pending`] for everything queued before),
//! which is what a scrolling viewer needs; the blocking calls are built on the same queue.
//!
//! See docs/pdf.md for where libpdfium comes from and how it is found.
mod encode;
mod error;
pub mod index;
mod library;
pub mod page_server;
mod types;
mod worker;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

pub use error::{PdfError, Result};
pub use library::{add_library_dir, library_file_name};
pub use types::*;

use worker::{engine, next_job_id, DocId, Job, OnceReply, RenderJob, Source};

/// The path of the pdfium library in use, binding it if that has not happened yet.
pub fn library_path() -> Result<String> {
    Ok(engine()?.library.clone())
}

/// An open PDF. Dropping it closes the document in the worker.
#[derive(Debug)]
pub struct Document {
    id: DocId,
    info: DocumentInfo,
    generation: Arc<AtomicU64>,
}

impl Document {
    /// Opens a PDF file. A password-protected file fails with [`PdfError::PasswordRequired`];
    /// open it again with [`Document::open_with_password`].
    pub fn open(path: impl AsRef<Path>) -> Result<Document> {
        Self::open_source(Source::Path(path.as_ref().to_path_buf()), None)
    }

    /// Opens a password-protected PDF (a wrong one fails with `WrongPassword`).
    pub fn open_with_password(path: impl AsRef<Path>, password: &str) -> Result<Document> {
        Self::open_source(
            Source::Path(path.as_ref().to_path_buf()),
            Some(password.to_owned()),
        )
    }

    /// Opens a PDF held in memory (an attachment read from the blob store), with its password if
    /// any.
    pub fn from_bytes(bytes: Vec<u8>, password: Option<&str>) -> Result<Document> {
        Self::open_source(Source::Bytes(bytes), password.map(str::to_owned))
    }

    fn open_source(source: Source, password: Option<String>) -> Result<Document> {
        let (id, info) = engine()?.call(|reply| Job::Open {
            source,
            password,
            reply,
        })?;
        Ok(Document {
            id,
            info,
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// What was learned when the document was opened: pages, sizes, signatures.
    pub fn info(&self) -> &DocumentInfo {
        &self.info
    }

    /// Number of pages.
    pub fn page_count(&self) -> u32 {
        self.info.pages
    }

    /// Size of a page in points, as displayed.
    pub fn page_size(&self, index: u32) -> Result<PageSize> {
        self.info
            .page_sizes
            .get(index as usize)
            .copied()
            .ok_or(PdfError::PageOutOfRange {
                index,
                count: self.info.pages,
            })
    }

    /// Queues a render; `on_done` runs on a worker thread with the result (keep it short: hand
    /// the bytes to a channel or a response object). Returns at once.
    ///
    /// The request is answered [`PdfError::Cancelled`] without rendering if `token` is cancelled,
    /// or [`Document::cancel_pending`] is called, before the worker reaches it, and
    /// [`PdfError::Timeout`] when rendering the page takes longer than `opts.timeout` (the
    /// caller is answered at the deadline even if pdfium has not returned; requests queued
    /// behind such a page are answered `Timeout` too). `on_done` is called exactly once.
    pub fn submit_render(
        &self,
        index: u32,
        opts: RenderOptions,
        token: Option<CancelToken>,
        on_done: impl FnOnce(Result<RenderedPage>) + Send + 'static,
    ) -> Result<()> {
        if index >= self.info.pages {
            return Err(PdfError::PageOutOfRange {
                index,
                count: self.info.pages,
            });
        }
        engine()?.send_render(RenderJob {
            doc: self.id,
            index,
            opts,
            generation: self.generation.load(Ordering::Acquire),
            current_generation: Arc::clone(&self.generation),
            token,
            id: next_job_id(),
            reply: OnceReply::new(Box::new(on_done)),
        })
    }

    /// Like [`Document::submit_render`], with the result delivered to a [`RenderTicket`].
    pub fn request_render(
        &self,
        index: u32,
        opts: RenderOptions,
        token: Option<CancelToken>,
    ) -> Result<RenderTicket> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.submit_render(index, opts, token, move |r| {
            let _ = tx.send(r);
        })?;
        Ok(RenderTicket(rx))
    }

    /// Cancels every render request of this document queued so far (the viewer jumped or zoomed).
    /// Requests submitted afterwards are unaffected.
    pub fn cancel_pending(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Renders one page (0-based index) and waits for it.
    pub fn render(&self, index: u32, opts: RenderOptions) -> Result<RenderedPage> {
        self.request_render(index, opts, None)?.wait()
    }

    /// A thumbnail that fits in a `max_side`×`max_side` box.
    pub fn thumbnail(
        &self,
        index: u32,
        max_side: u32,
        format: ImageFormat,
    ) -> Result<RenderedPage> {
        self.render(
            index,
            RenderOptions {
                size: RenderSize::Fit(max_side),
                format,
                quality: 80,
                ..RenderOptions::default()
            },
        )
    }

    /// Text of one page (NFC, `\n` line breaks).
    pub fn page_text(&self, index: u32) -> Result<String> {
        let id = self.id;
        let mut pages = engine()?.call(|reply| Job::Text {
            doc: id,
            index: Some(index),
            reply,
        })?;
        Ok(pages.pop().unwrap_or_default())
    }

    /// Text of every page, in page order.
    pub fn text(&self) -> Result<Vec<String>> {
        let id = self.id;
        engine()?.call(|reply| Job::Text {
            doc: id,
            index: None,
            reply,
        })
    }

    /// The text runs of one page (0-based) with their boxes in user space, in pdfium's
    /// reading order.
    pub fn text_runs(&self, index: u32) -> Result<Vec<TextRun>> {
        let id = self.id;
        engine()?.call(|reply| Job::TextRuns {
            doc: id,
            index,
            reply,
        })
    }

    /// Signature form fields (signed or not) on every page.
    pub fn signature_fields(&self) -> Result<Vec<SignatureField>> {
        let id = self.id;
        engine()?.call(|reply| Job::SignatureFields { doc: id, reply })
    }

    /// Finds `query` in the document ignoring case and Vietnamese diacritics, with the boxes to
    /// highlight; stops after `max_hits`.
    pub fn find(&self, query: &str, max_hits: usize) -> Result<Vec<FindHit>> {
        let id = self.id;
        let query = query.to_owned();
        engine()?.call(|reply| Job::Find {
            doc: id,
            query,
            max_hits,
            reply,
        })
    }

    /// The signatures (signed fields) of the document.
    pub fn signatures(&self) -> Result<Vec<SignatureInfo>> {
        let id = self.id;
        engine()?.call(|reply| Job::Signatures { doc: id, reply })
    }
}

impl Drop for Document {
    fn drop(&mut self) {
        if let Ok(engine) = engine() {
            let _ = engine.send(Job::Close(self.id));
        }
    }
}

/// The pending result of [`Document::request_render`].
#[derive(Debug)]
pub struct RenderTicket(mpsc::Receiver<Result<RenderedPage>>);

impl RenderTicket {
    /// Blocks until the page is rendered (or refused).
    pub fn wait(self) -> Result<RenderedPage> {
        self.0.recv().map_err(|_| PdfError::WorkerGone)?
    }

    /// `None` while the page is still queued or rendering.
    pub fn try_get(&self) -> Option<Result<RenderedPage>> {
        match self.0.try_recv() {
            Ok(r) => Some(r),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(PdfError::WorkerGone)),
        }
    }

    /// Waits at most `timeout`; `None` if the page is still queued or rendering then.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Result<RenderedPage>> {
        match self.0.recv_timeout(timeout) {
            Ok(r) => Some(r),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => Some(Err(PdfError::WorkerGone)),
        }
    }
}

/// Text of every page of a PDF file (NFC), for the registry's full-text search.
pub fn extract_text(path: impl AsRef<Path>) -> Result<Vec<String>> {
    Document::open(path)?.text()
}
