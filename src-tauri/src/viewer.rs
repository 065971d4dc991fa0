//! The in-app PDF viewer's back end.
//!
//! Pages reach the webview as images through the asynchronous `vanthu-pdf` URI scheme, so
//! rendered pixels never travel over IPC as base64. The UI builds the URLs with
//! `convertFileSrc("<sha256>/<page>.png", "vanthu-pdf")` plus `?width=<px>&rotate=<deg>`
//! (the contract is in docs/app.md; the signing preview relies on it too).
//!
//! Opened documents stay in a small LRU of `Arc<Document>`. Each page request carries a
//! `CancelToken`; when the UI reports which pages are on screen (`viewer_visible`), the
//! requests for pages scrolled past are cancelled and the render worker skips them.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::http::{header, Request, Response, StatusCode, Uri};
use tauri::{AppHandle, Manager, Runtime, State, UriSchemeContext, UriSchemeResponder};
use vanthu_pdf::{CancelToken, Document, ImageFormat, PdfError, RenderOptions, Rotation};

use crate::commands::CommandError;
use crate::AppState;

/// The URI scheme the page images are served on.
pub const SCHEME: &str = "vanthu-pdf";
/// Documents kept open (a leader flips between the main document and its appendices).
const MAX_OPEN: usize = 4;
/// Largest pixel width a page may be requested at (400 % of A3 on a HiDPI screen fits).
pub const MAX_WIDTH: u32 = 8192;
/// Find stops after this many hits.
const MAX_HITS: usize = 2000;

type Res<T> = Result<T, CommandError>;

/// One page image request, parsed from a `vanthu-pdf` URL.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub sha256: String,
    /// 0-based page index.
    pub page: u32,
    pub format: ImageFormat,
    pub width: u32,
    pub rotation: Rotation,
}

/// Why a request was refused: an HTTP status and a one-line reason (sent as text/plain).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub status: StatusCode,
    pub reason: String,
}

impl Refusal {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Refusal {
            status,
            reason: reason.into(),
        }
    }

    fn bad(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    fn response(&self) -> Response<Vec<u8>> {
        Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            // A cancelled or failed page must be fetched again when it scrolls back in.
            .header(header::CACHE_CONTROL, "no-store")
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .body(self.reason.clone().into_bytes())
            .unwrap_or_default()
    }
}

impl From<&PdfError> for Refusal {
    fn from(e: &PdfError) -> Self {
        let status = match e {
            PdfError::PageOutOfRange { .. } => StatusCode::NOT_FOUND,
            PdfError::InvalidSize(_) => StatusCode::BAD_REQUEST,
            PdfError::Cancelled => StatusCode::CONFLICT,
            PdfError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            PdfError::NotPdf
            | PdfError::Damaged
            | PdfError::PasswordRequired
            | PdfError::WrongPassword
            | PdfError::UnsupportedSecurity
            | PdfError::NoPages
            | PdfError::PageTooLarge { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Refusal::new(status, e.to_string())
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parses `<scheme>://localhost/<sha256>%2F<page>.<ext>?width=W&rotate=R` (Linux, macOS) or
/// `http://vanthu-pdf.localhost/...` (Windows). `convertFileSrc` percent-encodes the slash;
/// a plain slash is accepted too. Unknown query keys (e.g. a cache buster) are ignored.
pub fn parse_page_url(uri: &Uri) -> Result<PageRequest, Refusal> {
    let raw = uri.path().trim_start_matches('/');
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
    for pair in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
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

/// Managed state: the open documents and the page requests in flight.
#[derive(Default)]
pub struct Viewer {
    inner: Arc<Mutex<Inner>>,
    /// Serialises opening, so two page requests arriving together open a file once. Separate
    /// from `inner`: render callbacks take `inner`, and they must never wait on an open.
    opening: Mutex<()>,
}

impl Viewer {
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

    /// The open document for a stored attachment (by content hash), opening it if needed.
    pub fn document(&self, state: &AppState, sha256: &str) -> Result<Arc<Document>, Refusal> {
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
        let path = {
            let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
            reg.blobs().path_of(sha256)
        };
        if !path.is_file() {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
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
        state: &AppState,
        req: &PageRequest,
        respond: impl FnOnce(Result<vanthu_pdf::RenderedPage, Refusal>) + Send + 'static,
    ) {
        let answer = Answer(Some(respond));
        let doc = match self.document(state, &req.sha256) {
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
            Viewer::untrack(&inner, &sha, id);
            answer.send(result.map_err(|e| Refusal::from(&e)));
        });
    }
}

/// Calls its function once: with the result, or with a 500 if dropped unanswered (a page
/// request must never leave the webview waiting).
struct Answer<F: FnOnce(Result<vanthu_pdf::RenderedPage, Refusal>)>(Option<F>);

impl<F: FnOnce(Result<vanthu_pdf::RenderedPage, Refusal>)> Answer<F> {
    fn send(mut self, result: Result<vanthu_pdf::RenderedPage, Refusal>) {
        if let Some(f) = self.0.take() {
            f(result);
        }
    }
}

impl<F: FnOnce(Result<vanthu_pdf::RenderedPage, Refusal>)> Drop for Answer<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f(Err(Refusal::from(&PdfError::WorkerGone)));
        }
    }
}

fn image_response(page: vanthu_pdf::RenderedPage) -> Response<Vec<u8>> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, page.format.mime_type())
        // The URL names the content (hash, page, size, rotation), so it never changes.
        .header(header::CACHE_CONTROL, "private, max-age=86400, immutable")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header("X-Page-Width", page.width.to_string())
        .header("X-Page-Height", page.height.to_string())
        .body(page.bytes)
        .unwrap_or_default()
}

/// The `vanthu-pdf` protocol handler (registered in `lib.rs`).
pub fn protocol<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let uri = request.uri().clone();
    // Opening a file blocks on the render worker; keep that off the webview's thread.
    tauri::async_runtime::spawn_blocking(move || serve_uri(&app, &uri, responder));
}

fn serve_uri<R: Runtime>(app: &AppHandle<R>, uri: &Uri, responder: UriSchemeResponder) {
    let req = match parse_page_url(uri) {
        Ok(r) => r,
        Err(r) => return responder.respond(r.response()),
    };
    let (Some(viewer), Some(state)) = (app.try_state::<Viewer>(), app.try_state::<AppState>())
    else {
        return responder.respond(
            Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Ứng dụng chưa sẵn sàng / app not ready",
            )
            .response(),
        );
    };
    viewer.serve(&state, &req, move |result| match result {
        Ok(page) => responder.respond(image_response(page)),
        Err(refusal) => {
            if refusal.status != StatusCode::CONFLICT {
                tracing::warn!(status = %refusal.status, reason = %refusal.reason, "page not served");
            }
            responder.respond(refusal.response())
        }
    });
}

/// Indexes the text of a just-registered document's PDFs for search, off the caller's thread
/// and without holding the register while pdfium reads (a 500-page PDF takes a while).
/// Failures are logged; the registration already committed.
pub fn index_text_in_background<R: Runtime>(app: &AppHandle<R>, id: i64) {
    let app = app.clone();
    std::thread::spawn(move || {
        let Some(state) = app.try_state::<AppState>() else {
            return;
        };
        let lock = || state.registry.lock().unwrap_or_else(|e| e.into_inner());
        let paths = match vanthu_pdf::index::pdf_attachments(&lock(), id) {
            Ok(p) if !p.is_empty() => p,
            Ok(_) => return,
            Err(err) => return tracing::warn!(%err, id, "PDF text not indexed"),
        };
        let text = vanthu_pdf::index::extract_all(&paths);
        let merged = vanthu_pdf::index::merge_text(&mut lock(), id, &text);
        match merged {
            Ok(added) => tracing::debug!(id, added, "PDF text indexed"),
            Err(err) => tracing::warn!(%err, id, "PDF text not indexed"),
        }
    });
}

// ---- commands -------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PdfPageSize {
    /// Points (1/72 inch), as displayed.
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PdfInfo {
    pub sha256: String,
    pub pages: u32,
    pub encrypted: bool,
    pub signatures: u32,
    pub page_sizes: Vec<PdfPageSize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PdfRect {
    /// Points from the top-left corner of the page as displayed (before the viewer's rotation).
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PdfFindHit {
    /// 0-based page index.
    pub page: u32,
    pub rects: Vec<PdfRect>,
}

fn refusal(r: Refusal) -> CommandError {
    CommandError(r.reason)
}

/// Opens a stored attachment (by sha256) for viewing: page count and page sizes.
#[tauri::command(async)]
#[specta::specta]
pub fn viewer_open(
    viewer: State<'_, Viewer>,
    state: State<'_, AppState>,
    sha256: String,
) -> Res<PdfInfo> {
    let doc = viewer.document(&state, &sha256).map_err(refusal)?;
    let info = doc.info();
    Ok(PdfInfo {
        sha256,
        pages: info.pages,
        encrypted: info.encrypted,
        signatures: info.signatures,
        page_sizes: info
            .page_sizes
            .iter()
            .map(|s| PdfPageSize {
                width: s.width.into(),
                height: s.height.into(),
            })
            .collect(),
    })
}

/// Finds text (case- and diacritic-insensitive) with the boxes to highlight.
#[tauri::command(async)]
#[specta::specta]
pub fn viewer_find(
    viewer: State<'_, Viewer>,
    state: State<'_, AppState>,
    sha256: String,
    query: String,
) -> Res<Vec<PdfFindHit>> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc = viewer.document(&state, &sha256).map_err(refusal)?;
    Ok(doc
        .find(query.trim(), MAX_HITS)?
        .into_iter()
        .map(|h| PdfFindHit {
            page: h.page,
            rects: h
                .rects
                .iter()
                .map(|r| PdfRect {
                    x: r[0].into(),
                    y: r[1].into(),
                    width: r[2].into(),
                    height: r[3].into(),
                })
                .collect(),
        })
        .collect())
}

/// The pages now on screen (0-based, inclusive): queued renders of other pages are dropped.
#[tauri::command]
#[specta::specta]
pub fn viewer_visible(viewer: State<'_, Viewer>, sha256: String, first: u32, last: u32) -> u32 {
    viewer.keep_only(&sha256, first, last) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn parse(url: &str) -> Result<PageRequest, Refusal> {
        parse_page_url(&url.parse::<Uri>().unwrap())
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
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}");
            assert!(r.reason.contains(" / "), "{}", r.reason);
        }
    }

    #[test]
    fn pdf_errors_map_to_statuses() {
        assert_eq!(
            Refusal::from(&PdfError::PageOutOfRange { index: 9, count: 2 }).status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            Refusal::from(&PdfError::Cancelled).status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            Refusal::from(&PdfError::NotPdf).status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
