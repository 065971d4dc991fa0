//! Serving page images to a viewer: the page request a URL names, the few documents kept
//! open (an LRU of `Arc<Document>`) and the renders in flight, each with a `CancelToken` so
//! pages scrolled past are dropped before pdfium spends time on them. Independent of any UI
//! toolkit: the desktop shell (src-tauri/src/viewer.rs) maps requests from its URI scheme
//! here and a [`Refusal`] to an HTTP status.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use percent_encoding::percent_decode_str;

use crate::{CancelToken, Document, ImageFormat, PdfError, RenderOptions, RenderedPage, Rotation};

/// Documents kept open (a leader flips between the main document and its appendices).
const MAX_OPEN: usize = 4;
/// Largest pixel width a page may be requested at (400 % of A3 on a HiDPI screen fits).
pub const MAX_WIDTH: u32 = 8192;

/// One page image request.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    /// The document, by the SHA-256 of its bytes in the blob store.
    pub sha256: String,
    /// 0-based page index.
    pub page: u32,
    /// The image format to encode the page in.
    pub format: ImageFormat,
    /// Pixel width wanted (at most `MAX_WIDTH`); the height follows the page.
    pub width: u32,
    /// Rotation on top of the page's own.
    pub rotation: Rotation,
}

/// What kind of refusal: the shell turns it into a protocol status (HTTP for a URI scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The request is malformed (bad page, width or format).
    BadRequest,
    /// No such document in the store, or no such page.
    NotFound,
    /// Cancelled: the page left the screen before it was rendered.
    Cancelled,
    /// The page took longer than the time guard.
    Timeout,
    /// Not a usable PDF (damaged, encrypted, no pages, page too large).
    Unprocessable,
    /// The renderer cannot run (pdfium missing, the worker stopped).
    Unavailable,
    /// Anything else; the reason says what.
    Internal,
}

/// Why a page was not served, with a one-line bilingual reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// Which protocol status to answer with.
    pub kind: RefusalKind,
    /// Vietnamese / English, for the log and the viewer.
    pub reason: String,
}

impl Refusal {
    /// A refusal of `kind` with `reason`.
    pub fn new(kind: RefusalKind, reason: impl Into<String>) -> Self {
        Refusal {
            kind,
            reason: reason.into(),
        }
    }

    fn bad(reason: impl Into<String>) -> Self {
        Self::new(RefusalKind::BadRequest, reason)
    }
}

impl From<&PdfError> for Refusal {
    fn from(e: &PdfError) -> Self {
        let kind = match e {
            PdfError::PageOutOfRange { .. } => RefusalKind::NotFound,
            PdfError::InvalidSize(_) => RefusalKind::BadRequest,
            PdfError::Cancelled => RefusalKind::Cancelled,
            PdfError::Timeout { .. } => RefusalKind::Timeout,
            PdfError::NotPdf
            | PdfError::Damaged
            | PdfError::PasswordRequired
            | PdfError::WrongPassword
            | PdfError::UnsupportedSecurity
            | PdfError::NoPages
            | PdfError::PageTooLarge { .. } => RefusalKind::Unprocessable,
            _ => RefusalKind::Internal,
        };
        Refusal::new(kind, e.to_string())
    }
}

/// A lowercase hex SHA-256: the blob store's name for a stored file.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parses the path and query of a page URL, `/<sha256>%2F<page>.<ext>` and
/// `width=W&rotate=R`. The webview's `convertFileSrc` percent-encodes the slash; a plain slash
/// is accepted too. Unknown query keys (e.g. a cache buster) are ignored.
pub fn parse_page_path(path: &str, query: Option<&str>) -> Result<PageRequest, Refusal> {
    let raw = path.trim_start_matches('/');
    let path = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Refusal::bad("Đường dẫn không hợp lệ / invalid path encoding"))?;
    let (sha256, file) = path.split_once('/').ok_or_else(|| {
        Refusal::bad(format!(
            "Đường dẫn phải là <sha256>/<trang>.png / path must be <sha256>/<page>.png: {path}"
        ))
    })?;
    if !is_sha256(sha256) {
        return Err(Refusal::bad(format!(
            "Mã tệp không hợp lệ / not a sha256: {sha256}"
        )));
    }
    let (page, ext) = file.rsplit_once('.').ok_or_else(|| {
        Refusal::bad(format!(
            "Thiếu định dạng ảnh / missing image extension: {file}"
        ))
    })?;
    let format = match ext.to_ascii_lowercase().as_str() {
        "png" => ImageFormat::Png,
        "webp" => ImageFormat::Webp,
        "jpg" | "jpeg" => ImageFormat::Jpeg,
        _ => {
            return Err(Refusal::bad(format!(
                "Định dạng ảnh không hỗ trợ / unsupported image format: {ext} (png, webp, jpg)"
            )))
        }
    };
    let page: u32 = page.parse().map_err(|_| {
        Refusal::bad(format!(
            "Số trang không hợp lệ / invalid page index: {page}"
        ))
    })?;
    let mut width = None;
    let mut rotation = Rotation::None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "width" => {
                let w: u32 = value
                    .parse()
                    .ok()
                    .filter(|w| (1..=MAX_WIDTH).contains(w))
                    .ok_or_else(|| {
                        Refusal::bad(format!(
                            "Chiều rộng không hợp lệ / width must be 1..={MAX_WIDTH}: {value}"
                        ))
                    })?;
                width = Some(w);
            }
            "rotate" => {
                rotation = value
                    .parse()
                    .ok()
                    .and_then(Rotation::from_degrees)
                    .ok_or_else(|| {
                        Refusal::bad(format!(
                            "Góc xoay không hợp lệ / rotate must be 0, 90, 180 or 270: {value}"
                        ))
                    })?;
            }
            _ => {}
        }
    }
    let width = width.ok_or_else(|| Refusal::bad("Thiếu chiều rộng / missing ?width=<pixels>"))?;
    Ok(PageRequest {
        sha256: sha256.to_owned(),
        page,
        format,
        width,
        rotation,
    })
}

struct Pending {
    id: u64,
    page: u32,
    token: CancelToken,
}

#[derive(Default)]
struct Inner {
    /// Most recently used last.
    open: Vec<(String, Arc<Document>)>,
    pending: HashMap<String, Vec<Pending>>,
    next_id: u64,
}

/// The open documents and the page requests in flight.
#[derive(Default)]
pub struct PageServer {
    inner: Arc<Mutex<Inner>>,
    /// Serialises opening, so two page requests arriving together open a file once. Separate
    /// from `inner`: render callbacks take `inner`, and they must never wait on an open.
    opening: Mutex<()>,
}

impl PageServer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cached(&self, sha256: &str) -> Option<Arc<Document>> {
        let mut inner = self.lock();
        let pos = inner.open.iter().position(|(s, _)| s == sha256)?;
        let entry = inner.open.remove(pos);
        let doc = Arc::clone(&entry.1);
        inner.open.push(entry);
        Some(doc)
    }

    /// The open document for a stored file (by content hash), opening it if needed;
    /// `path_of` says where the file of a hash is stored.
    pub fn document(
        &self,
        sha256: &str,
        path_of: impl FnOnce(&str) -> PathBuf,
    ) -> Result<Arc<Document>, Refusal> {
        if !is_sha256(sha256) {
            return Err(Refusal::bad(format!(
                "Mã tệp không hợp lệ / not a sha256: {sha256}"
            )));
        }
        if let Some(doc) = self.cached(sha256) {
            return Ok(doc);
        }
        let _opening = self.opening.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(doc) = self.cached(sha256) {
            return Ok(doc);
        }
        let path = path_of(sha256);
        if !path.is_file() {
            return Err(Refusal::new(
                RefusalKind::NotFound,
                format!("Không có tệp đính kèm này / no stored attachment {sha256}"),
            ));
        }
        let doc = Arc::new(Document::open(&path).map_err(|e| Refusal::from(&e))?);
        let mut inner = self.lock();
        inner.open.push((sha256.to_owned(), Arc::clone(&doc)));
        while inner.open.len() > MAX_OPEN {
            let (old, _) = inner.open.remove(0);
            // Its queued pages are of no use any more; the document closes once the last
            // request holding it is answered.
            if let Some(list) = inner.pending.remove(&old) {
                list.iter().for_each(|p| p.token.cancel());
            }
        }
        Ok(doc)
    }

    fn track(&self, sha256: &str, page: u32, token: CancelToken) -> u64 {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        inner
            .pending
            .entry(sha256.to_owned())
            .or_default()
            .push(Pending { id, page, token });
        id
    }

    fn untrack(inner: &Mutex<Inner>, sha256: &str, id: u64) {
        let mut inner = inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(list) = inner.pending.get_mut(sha256) {
            list.retain(|p| p.id != id);
            if list.is_empty() {
                inner.pending.remove(sha256);
            }
        }
    }

    /// Cancels the queued requests for pages outside `first..=last`; returns how many.
    pub fn keep_only(&self, sha256: &str, first: u32, last: u32) -> usize {
        let inner = self.lock();
        inner.pending.get(sha256).map_or(0, |list| {
            list.iter()
                .filter(|p| (p.page < first || p.page > last) && !p.token.is_cancelled())
                .inspect(|p| p.token.cancel())
                .count()
        })
    }

    /// Queues the page render; `respond` is called exactly once with the image or a refusal.
    pub fn serve(
        &self,
        req: &PageRequest,
        path_of: impl FnOnce(&str) -> PathBuf,
        respond: impl FnOnce(Result<RenderedPage, Refusal>) + Send + 'static,
    ) {
        let answer = Answer(Some(respond));
        let doc = match self.document(&req.sha256, path_of) {
            Ok(d) => d,
            Err(r) => return answer.send(Err(r)),
        };
        if req.page >= doc.page_count() {
            let e = PdfError::PageOutOfRange {
                index: req.page,
                count: doc.page_count(),
            };
            return answer.send(Err(Refusal::from(&e)));
        }
        let token = CancelToken::new();
        let id = self.track(&req.sha256, req.page, token.clone());
        let inner = Arc::clone(&self.inner);
        let sha = req.sha256.clone();
        let opts = RenderOptions::width(req.width)
            .format(req.format)
            .rotation(req.rotation);
        // The callback keeps the document alive until the page is answered, even if the LRU
        // dropped it meanwhile.
        let keep = Arc::clone(&doc);
        // If the worker is gone the closure is dropped unanswered; `Answer`'s Drop replies.
        let _ = doc.submit_render(req.page, opts, Some(token), move |result| {
            drop(keep);
            PageServer::untrack(&inner, &sha, id);
            answer.send(result.map_err(|e| Refusal::from(&e)));
        });
    }
}

/// Calls its function once: with the result, or with an internal refusal if dropped
/// unanswered (a page request must never leave the viewer waiting).
struct Answer<F: FnOnce(Result<RenderedPage, Refusal>)>(Option<F>);

impl<F: FnOnce(Result<RenderedPage, Refusal>)> Answer<F> {
    fn send(mut self, result: Result<RenderedPage, Refusal>) {
        if let Some(f) = self.0.take() {
            f(result);
        }
    }
}

impl<F: FnOnce(Result<RenderedPage, Refusal>)> Drop for Answer<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f(Err(Refusal::from(&PdfError::WorkerGone)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /// What the shell hands over from a URL: its path and query.
    fn parse(url: &str) -> Result<PageRequest, Refusal> {
        let rest = url.split_once("://").unwrap().1;
        let path = &rest[rest.find('/').unwrap()..];
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        parse_page_path(path, query)
    }

    #[test]
    fn parses_what_convert_file_src_builds() {
        let r = parse(&format!(
            "vanthu-pdf://localhost/{SHA}%2F2.png?width=1200&rotate=90"
        ))
        .unwrap();
        assert_eq!(
            r,
            PageRequest {
                sha256: SHA.into(),
                page: 2,
                format: ImageFormat::Png,
                width: 1200,
                rotation: Rotation::Cw90,
            }
        );
        let win = parse(&format!(
            "http://vanthu-pdf.localhost/{SHA}%2F0.jpg?width=300&v=2"
        ))
        .unwrap();
        assert_eq!((win.page, win.format), (0, ImageFormat::Jpeg));
        assert_eq!(win.rotation, Rotation::None);
        let plain = parse(&format!("vanthu-pdf://localhost/{SHA}/7.webp?width=10")).unwrap();
        assert_eq!((plain.page, plain.format), (7, ImageFormat::Webp));
    }

    #[test]
    fn bad_urls_are_refused_with_400_and_a_reason() {
        for url in [
            format!("vanthu-pdf://localhost/{SHA}%2F0.png"),
            format!("vanthu-pdf://localhost/{SHA}%2F0.png?width=0"),
            format!("vanthu-pdf://localhost/{SHA}%2F0.png?width=99999"),
            format!("vanthu-pdf://localhost/{SHA}%2F0.png?width=abc"),
            format!("vanthu-pdf://localhost/{SHA}%2F0.png?width=100&rotate=45"),
            format!("vanthu-pdf://localhost/{SHA}%2F0.gif?width=100"),
            format!("vanthu-pdf://localhost/{SHA}%2F-1.png?width=100"),
            format!("vanthu-pdf://localhost/{SHA}%2Fone.png?width=100"),
            format!("vanthu-pdf://localhost/{SHA}?width=100"),
            "vanthu-pdf://localhost/..%2F..%2Fetc%2F0.png?width=100".to_string(),
            format!("vanthu-pdf://localhost/{}%2F0.png?width=100", &SHA[..63]),
            format!(
                "vanthu-pdf://localhost/{}%2F0.png?width=100",
                SHA.to_uppercase()
            ),
        ] {
            let r = parse(&url).expect_err(&url);
            assert_eq!(r.kind, RefusalKind::BadRequest, "{url}");
            assert!(r.reason.contains(" / "), "{}", r.reason);
        }
    }

    #[test]
    fn pdf_errors_map_to_kinds() {
        assert_eq!(
            Refusal::from(&PdfError::PageOutOfRange { index: 9, count: 2 }).kind,
            RefusalKind::NotFound
        );
        assert_eq!(
            Refusal::from(&PdfError::Cancelled).kind,
            RefusalKind::Cancelled
        );
        assert_eq!(
            Refusal::from(&PdfError::NotPdf).kind,
            RefusalKind::Unprocessable
        );
    }

    #[test]
    fn a_missing_file_is_not_found_and_nothing_stays_open() {
        let server = PageServer::default();
        let dir = std::env::temp_dir();
        let r = server
            .document(SHA, |s| dir.join(format!("vanthu-no-such-{s}")))
            .err()
            .unwrap();
        assert_eq!(r.kind, RefusalKind::NotFound);
        assert!(server.lock().open.is_empty());
        let bad = server.document("nope", |_| unreachable!()).err().unwrap();
        assert_eq!(bad.kind, RefusalKind::BadRequest);
    }
}
