//! The render worker: one thread owns pdfium (which is not thread-safe) and every open document.
//! Requests arrive over a channel and run in order; render requests whose cancel token fired or
//! whose document generation moved on are answered `Cancelled` without touching pdfium.
//! Rendered pixels go to a small pool of encoder threads, so PNG/WebP/JPEG encoding of page N
//! overlaps with rendering page N+1 (the encoder is the larger half of the work at 150 DPI).
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::thread;
use std::time::{Duration, Instant};

use pdfium_render::prelude::*;
use tracing::{debug, warn};
use unicode_normalization::UnicodeNormalization;
use vanthu_domain::text::fold;

use crate::encode::encode;
use crate::error::{PdfError, Result};
use crate::types::*;

pub(crate) type Reply<T> = Box<dyn FnOnce(Result<T>) + Send>;
pub(crate) type DocId = u64;

pub(crate) enum Source {
    Path(std::path::PathBuf),
    Bytes(Vec<u8>),
}

pub(crate) struct RenderJob {
    pub doc: DocId,
    pub index: u32,
    pub opts: RenderOptions,
    pub generation: u64,
    pub current_generation: Arc<AtomicU64>,
    pub token: Option<CancelToken>,
    /// Unique per process; lets the watchdog tell which job is inside pdfium.
    pub id: u64,
    pub reply: Arc<OnceReply>,
}

static NEXT_JOB: AtomicU64 = AtomicU64::new(1);

pub(crate) fn next_job_id() -> u64 {
    NEXT_JOB.fetch_add(1, Ordering::Relaxed)
}

impl RenderJob {
    fn is_stale(&self) -> bool {
        self.token.as_ref().is_some_and(CancelToken::is_cancelled)
            || self.generation < self.current_generation.load(Ordering::Acquire)
    }

    /// Answers the job without rendering if nobody needs the page any more: already answered
    /// (timed out by the watchdog) or cancelled. Returns true when it did.
    fn settle_early(&self) -> bool {
        if self.reply.is_answered() {
            return true;
        }
        if self.is_stale() {
            self.reply.answer(Err(PdfError::Cancelled));
            return true;
        }
        false
    }

    fn timeout_error(&self) -> PdfError {
        timeout_error(self.index, self.opts.timeout)
    }
}

fn timeout_error(index: u32, timeout: Duration) -> PdfError {
    PdfError::Timeout {
        index,
        ms: timeout.as_millis().try_into().unwrap_or(u64::MAX),
    }
}

/// A render's reply, answered once by whoever comes first: the worker (the page, or an error)
/// or the watchdog (`Timeout`). pdfium cannot be interrupted, so the watchdog is what
/// guarantees that a caller does not wait on a page stuck inside it.
pub(crate) struct OnceReply(Mutex<Option<Reply<RenderedPage>>>);

impl OnceReply {
    pub(crate) fn new(reply: Reply<RenderedPage>) -> Arc<OnceReply> {
        Arc::new(OnceReply(Mutex::new(Some(reply))))
    }

    /// Delivers `result` unless the reply was already given; returns whether it was delivered.
    pub(crate) fn answer(&self, result: Result<RenderedPage>) -> bool {
        let reply = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        match reply {
            Some(f) => {
                f(result);
                true
            }
            None => false,
        }
    }

    fn is_answered(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).is_none()
    }
}

/// What the watchdog is told: a render was queued (`started: None`) or the worker has just
/// handed it to pdfium (`started: Some(deadline)`).
pub(crate) struct Watch {
    pub id: u64,
    pub index: u32,
    pub timeout: Duration,
    pub started: Option<Instant>,
    pub reply: Weak<OnceReply>,
}

/// How often the watchdog looks whether a stuck page came back from pdfium.
const STUCK_POLL: Duration = Duration::from_millis(50);

/// The time guard. A page still inside pdfium at its deadline is answered `Timeout`; the
/// worker is then stuck behind it, so every queued render (and every new one, until pdfium
/// returns) is answered `Timeout` as well instead of waiting an unknown time. Once pdfium
/// returns the worker carries on and later requests are served normally. Holds only weak
/// references, so answered jobs are forgotten as soon as the worker drops them.
fn watchdog(rx: Receiver<Watch>, busy: Arc<AtomicU64>) {
    let mut jobs: HashMap<u64, Watch> = HashMap::new();
    let mut stuck: Option<u64> = None;
    loop {
        let now = Instant::now();
        if stuck.is_some_and(|id| busy.load(Ordering::Acquire) != id) {
            debug!("render worker recovered from a slow page");
            stuck = None;
        }
        jobs.retain(|&id, w| {
            let Some(reply) = w.reply.upgrade() else {
                return false;
            };
            if reply.is_answered() {
                return false;
            }
            let expired = w.started.is_some_and(|deadline| deadline <= now);
            if !expired && stuck.is_none() {
                return true;
            }
            if expired && busy.load(Ordering::Acquire) == id {
                warn!(page = w.index + 1, timeout = ?w.timeout, "page stuck in pdfium, answered timeout");
                stuck = Some(id);
            }
            reply.answer(Err(timeout_error(w.index, w.timeout)));
            false
        });
        if stuck.is_some() {
            // Queued jobs met before the stuck one in this pass were kept; go round again.
            jobs.retain(|_, w| {
                if let Some(reply) = w.reply.upgrade() {
                    reply.answer(Err(timeout_error(w.index, w.timeout)));
                }
                false
            });
        }
        let next = jobs.values().filter_map(|w| w.started).min();
        let wait = match (stuck, next) {
            (Some(_), _) => Some(STUCK_POLL),
            (None, Some(at)) => Some(at.saturating_duration_since(Instant::now())),
            (None, None) => None,
        };
        let received = match wait {
            Some(d) => rx.recv_timeout(d),
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(w) => {
                jobs.insert(w.id, w);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

pub(crate) enum Job {
    Open {
        source: Source,
        password: Option<String>,
        reply: Reply<(DocId, DocumentInfo)>,
    },
    Close(DocId),
    Render(RenderJob),
    Text {
        doc: DocId,
        index: Option<u32>,
        reply: Reply<Vec<String>>,
    },
    SignatureFields {
        doc: DocId,
        reply: Reply<Vec<SignatureField>>,
    },
    Signatures {
        doc: DocId,
        reply: Reply<Vec<SignatureInfo>>,
    },
    TextRuns {
        doc: DocId,
        index: u32,
        reply: Reply<Vec<TextRun>>,
    },
    Find {
        doc: DocId,
        query: String,
        max_hits: usize,
        reply: Reply<Vec<FindHit>>,
    },
}

struct EncodeJob {
    rgba: Vec<u8>,
    width: u32,
    height: u32,
    job: RenderJob,
}

pub(crate) struct Engine {
    tx: mpsc::Sender<Job>,
    watch: mpsc::Sender<Watch>,
    pub(crate) library: String,
}

static ENGINE: OnceLock<Result<Engine>> = OnceLock::new();

/// The process-wide engine, started on first use. pdfium's bindings are global to the process,
/// so there is exactly one worker; a failure to find the library is remembered and returned to
/// every caller.
pub(crate) fn engine() -> Result<&'static Engine> {
    ENGINE
        .get_or_init(Engine::start)
        .as_ref()
        .map_err(Clone::clone)
}

impl Engine {
    fn start() -> Result<Engine> {
        let (tx, rx) = mpsc::channel::<Job>();
        let (init_tx, init_rx) = mpsc::channel::<Result<String>>();
        let (watch, watch_rx) = mpsc::channel::<Watch>();
        let busy = Arc::new(AtomicU64::new(0));
        let worker_watch = watch.clone();
        let worker_busy = Arc::clone(&busy);
        thread::Builder::new()
            .name("pdfium-render".into())
            .spawn(move || {
                let (bindings, library) = match crate::library::bind() {
                    Ok(b) => b,
                    Err(e) => {
                        let _ = init_tx.send(Err(e));
                        return;
                    }
                };
                // Leaked on purpose: the bindings are a process-wide singleton in pdfium-render,
                // and documents borrow the Pdfium value for as long as the worker lives.
                let pdfium: &'static Pdfium = Box::leak(Box::new(Pdfium::new(bindings)));
                let _ = init_tx.send(Ok(library));
                Worker::new(pdfium, worker_watch, worker_busy).run(rx);
            })
            .map_err(|e| PdfError::Pdfium(format!("cannot start render thread: {e}")))?;
        let library = init_rx.recv().map_err(|_| PdfError::WorkerGone)??;
        debug!(%library, "pdfium bound");
        thread::Builder::new()
            .name("pdfium-watchdog".into())
            .spawn(move || watchdog(watch_rx, busy))
            .map_err(|e| PdfError::Pdfium(format!("cannot start watchdog thread: {e}")))?;
        Ok(Engine { tx, watch, library })
    }

    pub(crate) fn send(&self, job: Job) -> Result<()> {
        self.tx.send(job).map_err(|_| PdfError::WorkerGone)
    }

    /// Queues a render and puts it under the watchdog.
    pub(crate) fn send_render(&self, job: RenderJob) -> Result<()> {
        let watch = Watch {
            id: job.id,
            index: job.index,
            timeout: job.opts.timeout,
            started: None,
            reply: Arc::downgrade(&job.reply),
        };
        // Registered before queueing, so the watchdog knows the job before its start.
        let _ = self.watch.send(watch);
        self.send(Job::Render(job))
    }

    /// Sends a job and blocks until its reply arrives.
    pub(crate) fn call<T: Send + 'static>(&self, make: impl FnOnce(Reply<T>) -> Job) -> Result<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(make(Box::new(move |r| {
            let _ = tx.send(r);
        })))?;
        rx.recv().map_err(|_| PdfError::WorkerGone)?
    }
}

struct Worker {
    pdfium: &'static Pdfium,
    docs: HashMap<DocId, PdfDocument<'static>>,
    next_id: DocId,
    encoders: SyncSender<EncodeJob>,
    watch: mpsc::Sender<Watch>,
    /// The id of the render job inside pdfium right now (0: none), for the watchdog.
    busy: Arc<AtomicU64>,
}

impl Worker {
    fn new(pdfium: &'static Pdfium, watch: mpsc::Sender<Watch>, busy: Arc<AtomicU64>) -> Worker {
        let threads = thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
        // Bounded: when encoders fall behind, the renderer waits instead of piling up
        // full-page RGBA buffers (each tens of MB at high DPI).
        let (tx, rx) = mpsc::sync_channel::<EncodeJob>(threads);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            let _ = thread::Builder::new()
                .name(format!("pdf-encode-{i}"))
                .spawn(move || encoder_loop(rx));
        }
        Worker {
            pdfium,
            docs: HashMap::new(),
            next_id: 1,
            encoders: tx,
            watch,
            busy,
        }
    }

    fn run(mut self, rx: Receiver<Job>) {
        while let Ok(job) = rx.recv() {
            match job {
                Job::Open {
                    source,
                    password,
                    reply,
                } => reply(self.open(source, password.as_deref())),
                Job::Close(id) => {
                    self.docs.remove(&id);
                }
                Job::Render(job) => self.render(job),
                Job::Text { doc, index, reply } => reply(self.text(doc, index)),
                Job::SignatureFields { doc, reply } => reply(self.signature_fields(doc)),
                Job::Signatures { doc, reply } => reply(self.signatures(doc)),
                Job::Find {
                    doc,
                    query,
                    max_hits,
                    reply,
                } => reply(self.find(doc, &query, max_hits)),
                Job::TextRuns { doc, index, reply } => reply(self.text_runs(doc, index)),
            }
        }
    }

    fn open(&mut self, source: Source, password: Option<&str>) -> Result<(DocId, DocumentInfo)> {
        let loaded = match source {
            Source::Path(path) => {
                let bytes = std::fs::read(&path).map_err(|e| PdfError::Io {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                self.open_bytes(bytes, password)
            }
            Source::Bytes(bytes) => self.open_bytes(bytes, password),
        }?;
        let info = document_info(&loaded)?;
        let id = self.next_id;
        self.next_id += 1;
        self.docs.insert(id, loaded);
        Ok((id, info))
    }

    fn open_bytes(&self, bytes: Vec<u8>, password: Option<&str>) -> Result<PdfDocument<'static>> {
        // pdfium reports "format error" both for non-PDFs and for damaged PDFs; the header
        // tells them apart (readers accept it anywhere in the first 1024 bytes).
        let head = &bytes[..bytes.len().min(1024)];
        if !head.windows(5).any(|w| w == b"%PDF-") {
            return Err(PdfError::NotPdf);
        }
        self.pdfium
            .load_pdf_from_byte_vec(bytes, password)
            .map_err(|e| match e {
                PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
                    if password.is_some() {
                        PdfError::WrongPassword
                    } else {
                        PdfError::PasswordRequired
                    }
                }
                PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => {
                    PdfError::UnsupportedSecurity
                }
                PdfiumError::PdfiumLibraryInternalError(
                    PdfiumInternalError::FormatError | PdfiumInternalError::FileError,
                ) => PdfError::Damaged,
                other => PdfError::Pdfium(format!("{other:?}")),
            })
    }

    fn doc(&self, id: DocId) -> Result<&PdfDocument<'static>> {
        self.docs.get(&id).ok_or(PdfError::WorkerGone)
    }

    fn page(&self, id: DocId, index: u32) -> Result<PdfPage<'static>> {
        let doc = self.doc(id)?;
        let count = doc.pages().len() as u32;
        if index >= count {
            return Err(PdfError::PageOutOfRange { index, count });
        }
        doc.pages()
            .get(index as PdfPageIndex)
            .map_err(|e| PdfError::Pdfium(format!("page {}: {e:?}", index + 1)))
    }

    fn render(&mut self, job: RenderJob) {
        if job.settle_early() {
            return;
        }
        let started = Instant::now();
        let deadline = started.checked_add(job.opts.timeout);
        self.busy.store(job.id, Ordering::Release);
        let _ = self.watch.send(Watch {
            id: job.id,
            index: job.index,
            timeout: job.opts.timeout,
            started: deadline,
            reply: Arc::downgrade(&job.reply),
        });
        let pixels = self.render_pixels(&job);
        self.busy.store(0, Ordering::Release);
        if deadline.is_some_and(|d| Instant::now() >= d) {
            // Too slow even if it came back: the caller asked not to wait this long.
            job.reply.answer(Err(job.timeout_error()));
            return;
        }
        match pixels {
            Ok((rgba, width, height)) => {
                let enc = EncodeJob {
                    rgba,
                    width,
                    height,
                    job,
                };
                if let Err(mpsc::SendError(enc)) = self.encoders.send(enc) {
                    enc.job.reply.answer(Err(PdfError::WorkerGone));
                }
            }
            Err(e) => {
                job.reply.answer(Err(e));
            }
        }
    }

    fn render_pixels(&self, job: &RenderJob) -> Result<(Vec<u8>, u32, u32)> {
        let page = self.page(job.doc, job.index)?;
        let (w_pt, h_pt) = (page.width().value, page.height().value);
        let (width, height) = target_pixels(job.index, w_pt, h_pt, &job.opts)?;
        // pdfium draws unrotated and the buffer is turned afterwards: pdfium-render's matrix
        // path (used when form fields are left out) neither swaps the bitmap axes for 90°
        // nor scales a fixed-size bitmap, so one code path for both cases is the safe choice.
        let (uw, uh) = if job.opts.rotation.swaps_axes() {
            (height, width)
        } else {
            (width, height)
        };
        let config = PdfRenderConfig::new()
            .render_annotations(job.opts.annotations)
            .set_clear_color(PdfColor::WHITE)
            // RGBA straight from pdfium saves a channel swap pass over every pixel.
            .set_reverse_byte_order(true);
        let config = if job.opts.annotations {
            config
                .set_fixed_size(uw as Pixels, uh as Pixels)
                .render_form_data(true)
        } else {
            config
                .scale_page_width_by_factor(uw as f32 / w_pt)
                .scale_page_height_by_factor(uh as f32 / h_pt)
                .render_form_data(false)
        };
        let bitmap = page
            .render_with_config(&config)
            .map_err(|e| PdfError::Pdfium(format!("render page {}: {e:?}", job.index + 1)))?;
        let (bw, bh) = (bitmap.width() as u32, bitmap.height() as u32);
        let mut raw = bitmap.as_raw_bytes();
        drop(bitmap);
        let row = bw as usize * 4;
        let stride = raw.len() / bh.max(1) as usize;
        if stride != row {
            raw = raw
                .chunks_exact(stride)
                .flat_map(|r| r[..row].iter().copied())
                .collect();
        }
        if job.opts.rotation == Rotation::None {
            return Ok((raw, bw, bh));
        }
        let img = image::RgbaImage::from_raw(bw, bh, raw)
            .ok_or_else(|| PdfError::Pdfium("bitmap size mismatch".into()))?;
        let turned = match job.opts.rotation {
            Rotation::Cw90 => image::imageops::rotate90(&img),
            Rotation::Cw180 => image::imageops::rotate180(&img),
            Rotation::Cw270 => image::imageops::rotate270(&img),
            Rotation::None => img,
        };
        let (tw, th) = turned.dimensions();
        Ok((turned.into_raw(), tw, th))
    }

    fn text(&self, id: DocId, index: Option<u32>) -> Result<Vec<String>> {
        let doc = self.doc(id)?;
        let count = doc.pages().len() as u32;
        let range = match index {
            Some(i) if i >= count => return Err(PdfError::PageOutOfRange { index: i, count }),
            Some(i) => i..i + 1,
            None => 0..count,
        };
        range
            .map(|i| {
                let page = self.page(id, i)?;
                let text = page
                    .text()
                    .map_err(|e| PdfError::Pdfium(format!("text of page {}: {e:?}", i + 1)))?;
                Ok(clean_text(&text.all()))
            })
            .collect()
    }

    fn text_runs(&self, id: DocId, index: u32) -> Result<Vec<TextRun>> {
        let count = self.doc(id)?.pages().len() as u32;
        if index >= count {
            return Err(PdfError::PageOutOfRange { index, count });
        }
        let page = self.page(id, index)?;
        let text = page
            .text()
            .map_err(|e| PdfError::Pdfium(format!("text of page {}: {e:?}", index + 1)))?;
        let mut out = Vec::new();
        for seg in text.segments().iter() {
            let t = seg.text().nfc().collect::<String>();
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            let b = seg.bounds();
            out.push(TextRun {
                text: t.to_owned(),
                rect: [
                    b.left().value,
                    b.bottom().value,
                    b.right().value,
                    b.top().value,
                ],
            });
        }
        Ok(out)
    }

    fn signature_fields(&self, id: DocId) -> Result<Vec<SignatureField>> {
        let doc = self.doc(id)?;
        let mut out = Vec::new();
        for i in 0..doc.pages().len() as u32 {
            let page = self.page(id, i)?;
            for annot in page.annotations().iter() {
                let Some(field) = annot.as_form_field() else {
                    continue;
                };
                if field.field_type() != PdfFormFieldType::Signature {
                    continue;
                }
                let rect = annot.bounds().unwrap_or(PdfRect::ZERO);
                out.push(SignatureField {
                    name: field.name(),
                    page: i,
                    rect: [
                        rect.left().value,
                        rect.bottom().value,
                        rect.right().value,
                        rect.top().value,
                    ],
                });
            }
        }
        Ok(out)
    }

    fn signatures(&self, id: DocId) -> Result<Vec<SignatureInfo>> {
        let doc = self.doc(id)?;
        Ok(doc
            .signatures()
            .iter()
            .filter(|s| !s.bytes().is_empty())
            .map(|s| SignatureInfo {
                reason: s.reason(),
                signing_time: s.signing_date(),
                contents_len: s.bytes().len(),
            })
            .collect())
    }
}

impl Worker {
    /// Diacritic- and case-insensitive search (the registry's `fold`): "quyet dinh" finds
    /// "QUYẾT ĐỊNH". Matching runs on folded characters that remember which pdfium character
    /// they came from, so the hit's boxes are those of the original glyphs.
    fn find(&self, id: DocId, query: &str, max_hits: usize) -> Result<Vec<FindHit>> {
        let needle: Vec<char> = collapse_spaces(&fold(query)).chars().collect();
        if needle.is_empty() {
            return Ok(Vec::new());
        }
        let count = self.doc(id)?.pages().len() as u32;
        let mut hits = Vec::new();
        for index in 0..count {
            let page = self.page(id, index)?;
            let text = page
                .text()
                .map_err(|e| PdfError::Pdfium(format!("text of page {}: {e:?}", index + 1)))?;
            let chars = text.chars();
            let mut folded: Vec<char> = Vec::new();
            let mut origin: Vec<PdfPageTextCharIndex> = Vec::new();
            for ch in chars.iter() {
                let Some(c) = ch.unicode_char() else { continue };
                if c.is_whitespace() || c.is_control() {
                    if folded.last().is_some_and(|l| *l != ' ') {
                        folded.push(' ');
                        origin.push(ch.index());
                    }
                    continue;
                }
                for f in fold(c.encode_utf8(&mut [0; 4])).chars() {
                    folded.push(f);
                    origin.push(ch.index());
                }
            }
            // page.width()/height() are the displayed size (/Rotate applied)
            let (w_pt, h_pt) = (page.width().value, page.height().value);
            // A virtual device at 10 px per point: FPDF_PageToDevice returns whole pixels.
            let device = PdfRenderConfig::new().set_fixed_size(
                (w_pt * 10.0).round() as Pixels,
                (h_pt * 10.0).round() as Pixels,
            );
            let mut start = 0;
            while start + needle.len() <= folded.len() {
                if folded[start..start + needle.len()] != needle[..] {
                    start += 1;
                    continue;
                }
                let mut boxes: Vec<[f32; 4]> = Vec::new();
                let mut last = None;
                for &ci in &origin[start..start + needle.len()] {
                    if last == Some(ci) {
                        continue;
                    }
                    last = Some(ci);
                    let Ok(ch) = chars.get(ci) else { continue };
                    let Ok(b) = ch.loose_bounds() else { continue };
                    if b.width().value <= 0.0 || b.height().value <= 0.0 {
                        continue;
                    }
                    let corner = |x: PdfPoints, y: PdfPoints| {
                        page.points_to_pixels(x, y, &device)
                            .map(|(px, py)| (px as f32 / 10.0, py as f32 / 10.0))
                    };
                    let (Ok(a), Ok(c)) = (corner(b.left(), b.top()), corner(b.right(), b.bottom()))
                    else {
                        continue;
                    };
                    // clamped to the page: loose glyph boxes may poke past its edge
                    let (x0, y0) = (a.0.min(c.0).max(0.0), a.1.min(c.1).max(0.0));
                    let (x1, y1) = (a.0.max(c.0).min(w_pt), a.1.max(c.1).min(h_pt));
                    if x1 <= x0 || y1 <= y0 {
                        continue;
                    }
                    let r = [x0, y0, x1 - x0, y1 - y0];
                    match boxes.last_mut() {
                        // same line (horizontal or vertical writing): the boxes overlap by
                        // more than half across the writing direction
                        Some(prev)
                            if overlap(prev[1], prev[3], r[1], r[3]) > 0.5 * r[3].min(prev[3])
                                || overlap(prev[0], prev[2], r[0], r[2])
                                    > 0.5 * r[2].min(prev[2]) =>
                        {
                            let x0 = prev[0].min(r[0]);
                            let y0 = prev[1].min(r[1]);
                            let x1 = (prev[0] + prev[2]).max(r[0] + r[2]);
                            let y1 = (prev[1] + prev[3]).max(r[1] + r[3]);
                            *prev = [x0, y0, x1 - x0, y1 - y0];
                        }
                        _ => boxes.push(r),
                    }
                }
                hits.push(FindHit {
                    page: index,
                    rects: boxes,
                });
                if hits.len() >= max_hits {
                    return Ok(hits);
                }
                start += needle.len();
            }
        }
        Ok(hits)
    }
}

fn overlap(a0: f32, ah: f32, b0: f32, bh: f32) -> f32 {
    ((a0 + ah).min(b0 + bh) - a0.max(b0)).max(0.0)
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn document_info(doc: &PdfDocument<'static>) -> Result<DocumentInfo> {
    let pages = doc.pages().len() as u32;
    if pages == 0 {
        return Err(PdfError::NoPages);
    }
    let encrypted = !matches!(
        doc.permissions().security_handler_revision(),
        Ok(PdfSecurityHandlerRevision::Unprotected)
    );
    // FPDF_GetPageSizeByIndexF reads the page dictionary without parsing content (and applies
    // /Rotate), so a 500-page document reports its sizes without loading 500 pages.
    let mut page_sizes = Vec::with_capacity(pages as usize);
    for i in 0..pages {
        let rect = doc
            .pages()
            .page_size(i as PdfPageIndex)
            .map_err(|e| PdfError::Pdfium(format!("size of page {}: {e:?}", i + 1)))?;
        page_sizes.push(PageSize {
            width: rect.width().value,
            height: rect.height().value,
        });
    }
    Ok(DocumentInfo {
        pages,
        encrypted,
        // pdfium lists every /FT /Sig field, signed or not; a signature is one with contents.
        signatures: doc
            .signatures()
            .iter()
            .filter(|s| !s.bytes().is_empty())
            .count() as u32,
        page_sizes,
    })
}

/// pdfium separates lines with CRLF and may emit decomposed Vietnamese marks; callers get
/// `\n` line breaks and NFC text so that search and comparisons work on what a person typed.
fn clean_text(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text: String = unified
        .chars()
        .filter(|c| *c != '\u{0}' && *c != '\u{FFFE}')
        .collect();
    text.nfc().collect()
}

pub(crate) fn target_pixels(
    index: u32,
    w_pt: f32,
    h_pt: f32,
    opts: &RenderOptions,
) -> Result<(u32, u32)> {
    if !(w_pt.is_finite() && h_pt.is_finite() && w_pt > 0.0 && h_pt > 0.0) {
        return Err(PdfError::InvalidSize(format!(
            "page {} has no usable size ({w_pt}×{h_pt} pt)",
            index + 1
        )));
    }
    let (w, h) = if opts.rotation.swaps_axes() {
        (h_pt as f64, w_pt as f64)
    } else {
        (w_pt as f64, h_pt as f64)
    };
    let scale = match opts.size {
        RenderSize::Dpi(dpi) if dpi.is_finite() && dpi > 0.0 => dpi as f64 / 72.0,
        RenderSize::Width(px) if px > 0 => px as f64 / w,
        RenderSize::Fit(px) if px > 0 => (px as f64 / w).min(px as f64 / h),
        other => return Err(PdfError::InvalidSize(format!("{other:?}"))),
    };
    let width = (w * scale).round().max(1.0);
    let height = (h * scale).round().max(1.0);
    // pdfium bitmaps are addressed with signed 32-bit strides; keep well inside that too.
    let limit = opts.max_pixels;
    if width * height > limit as f64 || width > 32_767.0 || height > 32_767.0 {
        return Err(PdfError::PageTooLarge {
            index,
            width: width as u64,
            height: height as u64,
            limit,
        });
    }
    Ok((width as u32, height as u32))
}

fn encoder_loop(rx: Arc<Mutex<Receiver<EncodeJob>>>) {
    loop {
        let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(EncodeJob {
            rgba,
            width,
            height,
            job,
        }) = next
        else {
            return;
        };
        if job.settle_early() {
            continue;
        }
        let result = encode(&rgba, width, height, job.opts.format, job.opts.quality);
        drop(rgba);
        let delivered = match result {
            Ok(bytes) => job.reply.answer(Ok(RenderedPage {
                index: job.index,
                width,
                height,
                format: job.opts.format,
                bytes,
            })),
            Err(e) => {
                warn!(error = %e, "page encoding failed");
                job.reply.answer(Err(e))
            }
        };
        if !delivered {
            debug!(
                page = job.index + 1,
                "page finished after its caller timed out"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pixel_sizes_follow_dpi_width_fit_and_rotation() {
        let a4 = (595.276, 841.89);
        let px = |opts: RenderOptions| target_pixels(0, a4.0, a4.1, &opts);
        assert_eq!(px(RenderOptions::dpi(72.0)), Ok((595, 842)));
        assert_eq!(px(RenderOptions::dpi(150.0)), Ok((1240, 1754)));
        assert_eq!(px(RenderOptions::width(1000)), Ok((1000, 1414)));
        assert_eq!(
            px(RenderOptions::width(1000).rotation(Rotation::Cw90)),
            Ok((1000, 707))
        );
        assert_eq!(
            px(RenderOptions {
                size: RenderSize::Fit(200),
                ..Default::default()
            }),
            Ok((141, 200))
        );
        assert!(matches!(
            px(RenderOptions::dpi(1200.0)),
            Err(PdfError::PageTooLarge { .. })
        ));
        assert!(matches!(
            px(RenderOptions::dpi(f32::NAN)),
            Err(PdfError::InvalidSize(_))
        ));
        assert!(matches!(
            target_pixels(0, 0.0, 10.0, &RenderOptions::default()),
            Err(PdfError::InvalidSize(_))
        ));
    }

    #[test]
    fn text_is_nfc_with_unix_line_breaks() {
        // "Quyết" with a decomposed tone mark, CRLF from pdfium
        assert_eq!(
            clean_text("Quye\u{302}\u{301}t\r\nđịnh\u{0}"),
            "Quyết\nđịnh"
        );
    }

    proptest! {
        #[test]
        fn pixel_size_never_exceeds_the_guard(
            w in 0.01f32..1e6, h in 0.01f32..1e6, dpi in 1.0f32..2400.0, rot in 0i32..4,
        ) {
            let opts = RenderOptions::dpi(dpi).rotation(Rotation::from_degrees(rot * 90).unwrap());
            if let Ok((pw, ph)) = target_pixels(3, w, h, &opts) {
                prop_assert!(pw >= 1 && ph >= 1);
                prop_assert!(pw as u64 * ph as u64 <= DEFAULT_MAX_PIXELS);
                prop_assert!(pw <= 32_767 && ph <= 32_767);
            }
        }
    }
}
