//! The in-app PDF viewer's back end.
//!
//! Pages reach the webview as images through the asynchronous `vanthu-pdf` URI scheme, so
//! rendered pixels never travel over IPC as base64. The UI builds the URLs with
//! `convertFileSrc("<sha256>/<page>.png", "vanthu-pdf")` plus `?width=<px>&rotate=<deg>`
//! (the contract is in docs/app.md; the signing preview relies on it too).
//!
//! The open documents and the cancellable renders live in `vanthu_pdf::page_server`; when the
//! UI reports which pages are on screen (`viewer_visible`), the requests for pages scrolled
//! past are cancelled and the render worker skips them. This module only maps the URI
//! scheme and the commands onto it.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::http::{header, Request, Response, StatusCode, Uri};
use tauri::{AppHandle, Manager, Runtime, State, UriSchemeContext, UriSchemeResponder};
use vanthu_pdf::page_server::{parse_page_path, PageServer, Refusal, RefusalKind};

use crate::commands::CommandError;
use crate::AppState;

/// The URI scheme the page images are served on.
pub const SCHEME: &str = "vanthu-pdf";
/// Find stops after this many hits.
const MAX_HITS: usize = 2000;

type Res<T> = Result<T, CommandError>;

/// Managed state: the page server (open documents, renders in flight; crates/pdf).
#[derive(Default)]
pub struct Viewer(PageServer);

/// Where the blob store keeps the file of a hash.
fn blob_path(state: &AppState) -> impl FnOnce(&str) -> PathBuf + '_ {
    move |sha256| {
        let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
        reg.blobs().path_of(sha256)
    }
}

fn status(kind: RefusalKind) -> StatusCode {
    match kind {
        RefusalKind::BadRequest => StatusCode::BAD_REQUEST,
        RefusalKind::NotFound => StatusCode::NOT_FOUND,
        RefusalKind::Cancelled => StatusCode::CONFLICT,
        RefusalKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
        RefusalKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        RefusalKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        RefusalKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn refusal_response(r: &Refusal) -> Response<Vec<u8>> {
    Response::builder()
        .status(status(r.kind))
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        // A cancelled or failed page must be fetched again when it scrolls back in.
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .body(r.reason.clone().into_bytes())
        .unwrap_or_default()
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

/// `<scheme>://localhost/<sha256>%2F<page>.<ext>?width=W&rotate=R` (Linux, macOS) or
/// `http://vanthu-pdf.localhost/...` (Windows).
fn serve_uri<R: Runtime>(app: &AppHandle<R>, uri: &Uri, responder: UriSchemeResponder) {
    let req = match parse_page_path(uri.path(), uri.query()) {
        Ok(r) => r,
        Err(r) => return responder.respond(refusal_response(&r)),
    };
    let (Some(viewer), Some(state)) = (app.try_state::<Viewer>(), app.try_state::<AppState>())
    else {
        return responder.respond(refusal_response(&Refusal::new(
            RefusalKind::Unavailable,
            "Ứng dụng chưa sẵn sàng / app not ready",
        )));
    };
    viewer.0.serve(&req, blob_path(&state), move |result| match result {
        Ok(page) => responder.respond(image_response(page)),
        Err(refusal) => {
            if refusal.kind != RefusalKind::Cancelled {
                tracing::warn!(kind = ?refusal.kind, reason = %refusal.reason, "page not served");
            }
            responder.respond(refusal_response(&refusal))
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
        let paths = match vanthu_core::index::pdf_attachments(&lock(), id) {
            Ok(p) if !p.is_empty() => p,
            Ok(_) => return,
            Err(err) => return tracing::warn!(%err, id, "PDF text not indexed"),
        };
        let text = vanthu_core::index::extract_all(&paths);
        let merged = vanthu_core::index::merge_text(&mut lock(), id, &text);
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
    r.into()
}

/// Opens a stored attachment (by sha256) for viewing: page count and page sizes.
#[tauri::command(async)]
#[specta::specta]
pub fn viewer_open(
    viewer: State<'_, Viewer>,
    state: State<'_, AppState>,
    sha256: String,
) -> Res<PdfInfo> {
    let doc = viewer
        .0
        .document(&sha256, blob_path(&state))
        .map_err(refusal)?;
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
    let doc = viewer
        .0
        .document(&sha256, blob_path(&state))
        .map_err(refusal)?;
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
    viewer.0.keep_only(&sha256, first, last) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_kind_has_its_http_status() {
        assert_eq!(status(RefusalKind::BadRequest), StatusCode::BAD_REQUEST);
        assert_eq!(status(RefusalKind::Cancelled), StatusCode::CONFLICT);
        let r = refusal_response(&Refusal::new(RefusalKind::NotFound, "không có / none"));
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(r.body(), "không có / none".as_bytes());
    }
}
