//! The HTTP API (docs/hub-api.md, docs/hub-openapi.json).
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::auth;
use crate::limits::{AuthLimiter, AuthLimits};
use crate::model::{
    now_ms, BlockRequest, Business, DeclaredSecrecy, InboxItem, Kind, MessageInfo, NewMessage,
    NumberBlock, PutOutcome, StatusEntry,
};
use crate::store::{HubStore, StoreError};

/// Default size cap for one package (the national axis refuses far smaller ones; 64 MiB
/// leaves room for scanned attachments while bounding the hub's memory per request).
pub const DEFAULT_MAX_PACKAGE_BYTES: u64 = 64 << 20;
/// Cap for a status package: an edXML status carries no attachment.
pub const MAX_STATUS_BYTES: u64 = 1 << 20;
/// Cap for the JSON body of a number-block request.
pub const MAX_BLOCK_REQUEST_BYTES: u64 = 16 << 10;

/// How the hub serves: size caps, timeouts, connection limit, login throttling and TLS.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest package body accepted (413 above it).
    pub max_package_bytes: u64,
    /// A request's headers (and, over HTTPS, the TLS handshake) must arrive within this.
    pub header_timeout: Duration,
    /// Longest pause between two pieces of a request body: an idle timeout, not a total
    /// one, so a 60 MB package still uploads over a slow line (408 when exceeded).
    pub body_idle_timeout: Duration,
    /// Connections served at once; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// Slowing down repeated authentication failures from one address.
    pub auth_limits: AuthLimits,
    /// Serve HTTPS with this configuration (`tls::server_config`); plain HTTP otherwise,
    /// which is for loopback only (docs/hub-api.md).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// How far a VXP request's signed timestamp may lie in the past (docs/national-axis.md):
    /// the official SDK signs the time its service object was made, not each request.
    pub vxp_window: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_package_bytes: DEFAULT_MAX_PACKAGE_BYTES,
            header_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            auth_limits: AuthLimits::default(),
            tls: None,
            vxp_window: crate::vxp::DEFAULT_WINDOW,
        }
    }
}

pub(crate) struct AppState<S> {
    pub(crate) store: S,
    pub(crate) cfg: Config,
}

pub(crate) type St<S> = State<Arc<AppState<S>>>;

/// Every route of the API: the OpenAPI test walks this list.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/v1/health"),
    ("GET", "/v1/me"),
    ("POST", "/v1/messages"),
    ("GET", "/v1/messages/{id}"),
    ("GET", "/v1/messages/{id}/content"),
    ("POST", "/v1/messages/{id}/ack"),
    ("POST", "/v1/acks"),
    ("POST", "/v1/messages/{id}/statuses"),
    ("GET", "/v1/messages/{id}/statuses"),
    ("POST", "/v1/messages/{id}/recall"),
    ("POST", "/v1/messages/{id}/update"),
    ("POST", "/v1/messages/{id}/replace"),
    ("GET", "/v1/inbox"),
    ("GET", "/v1/sent"),
    ("POST", "/v1/numbering/blocks"),
    ("GET", "/v1/numbering/blocks"),
];

/// The API over `store`, with the authentication throttle and the size caps of `cfg`.
pub fn router<S: HubStore>(store: S, cfg: Config) -> Router {
    let limiter = Arc::new(AuthLimiter::new(cfg.auth_limits.clone()));
    let state = Arc::new(AppState { store, cfg });
    let router = Router::new()
        .route("/v1/health", get(health))
        .route("/v1/me", get(me::<S>))
        .route("/v1/messages", post(send_new::<S>))
        .route("/v1/messages/{id}", get(get_message::<S>))
        .route("/v1/messages/{id}/content", get(get_content::<S>))
        .route("/v1/messages/{id}/ack", post(ack::<S>))
        .route("/v1/acks", post(ack_batch::<S>))
        .route(
            "/v1/messages/{id}/statuses",
            post(send_status::<S>).get(list_statuses::<S>),
        )
        .route("/v1/messages/{id}/recall", post(recall::<S>))
        .route("/v1/messages/{id}/update", post(update::<S>))
        .route("/v1/messages/{id}/replace", post(replace::<S>))
        .route("/v1/inbox", get(inbox::<S>))
        .route("/v1/sent", get(sent::<S>))
        .route(
            "/v1/numbering/blocks",
            post(reserve_block::<S>).get(list_blocks::<S>),
        )
        // The official VXP SDK's API over the same store (docs/national-axis.md).
        .nest("/vxp", crate::vxp::routes::<S>())
        // Handlers read their body themselves, after authentication and with their own cap
        // (read_limited); no extractor buffers a body before that.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state);
    let router = match crate::faults::Faults::from_env() {
        Some(f) => {
            tracing::warn!("fault injection enabled: {f:?}");
            router.layer(axum::middleware::from_fn(move |req, next| {
                crate::faults::inject(f.clone(), req, next)
            }))
        }
        None => router,
    };
    router.layer(axum::middleware::from_fn(move |req, next| {
        crate::limits::guard(limiter.clone(), req, next)
    }))
}

/// Serves until `shutdown` resolves, then lets requests in flight finish (30 s at most).
/// Over HTTPS when `cfg.tls` is set.
pub async fn serve<S: HubStore>(
    listener: tokio::net::TcpListener,
    store: S,
    cfg: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(store, cfg.clone());
    let tls = cfg.tls.clone().map(tokio_rustls::TlsAcceptor::from);
    let permits = Arc::new(tokio::sync::Semaphore::new(cfg.max_connections.max(1)));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut conns = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let (tcp, peer) = tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        while conns.try_join_next().is_some() {}
        let (app, tls, stop, header_timeout) = (
            app.clone(),
            tls.clone(),
            stop_rx.clone(),
            cfg.header_timeout,
        );
        conns.spawn(async move {
            let _permit = permit;
            let _ = tcp.set_nodelay(true);
            match tls {
                None => serve_connection(tcp, peer, app, header_timeout, stop).await,
                Some(acceptor) => {
                    match tokio::time::timeout(header_timeout, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => {
                            serve_connection(stream, peer, app, header_timeout, stop).await
                        }
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(Duration::from_secs(30), async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("{} connection(s) still open at shutdown", conns.len());
    }
    Ok(())
}

/// One HTTP/1.1 connection: the peer address goes into each request (the authentication
/// limiter counts per address); headers must arrive within `header_timeout`.
async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    header_timeout: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let mut app = app.clone();
        async move { tower_service::Service::call(&mut app, req).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout);
    let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(io), svc);
    tokio::pin!(conn);
    let result = tokio::select! {
        r = conn.as_mut() => r,
        // The guard `wait_for` returns is not Send: drop it inside.
        _ = async { let _ = stop.wait_for(|s| *s).await; } => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!("connection from {peer}: {e}");
    }
}

// ---------------------------------------------------------------- errors

/// JSON error body: `{"error": "<code>", "message": "<vi> / <en>"}`.
#[derive(Debug)]
pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// The JSON of an error answer, as clients parse it.
#[derive(Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable machine code (`unauthorized`, `conflict`, …).
    pub error: String,
    /// One line, Vietnamese then English.
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Không tìm thấy gói tin / message not found",
        )
    }
    fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Đơn vị không có quyền với gói tin này / agency may not access this message",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(ErrorBody {
                error: self.code.to_owned(),
                message: self.message,
            }),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"vanthu-hub\""),
            );
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::UnknownRecipient(code) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_recipient",
                format!("Đơn vị nhận {code} chưa đăng ký trên trục / unknown recipient agency {code}"),
            ),
            StoreError::Conflict(id) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("Mã gói tin {id} đã dùng cho gói tin khác / message id {id} already used for a different package"),
            ),
            StoreError::AgencyExists(code) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("Đơn vị {code} đã tồn tại / agency {code} already exists"),
            ),
            other => {
                tracing::error!("store error: {other}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Lỗi lưu trữ của trục / hub storage error",
                )
            }
        }
    }
}

type ApiResult<T> = Result<T, ApiError>;

// ---------------------------------------------------------------- helpers

/// Who is calling: a unit's own account, or one desktop of a unit (Basic user `UNIT/DESKTOP`,
/// docs/sync.md "Several desktops of one unit").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The agency code of the unit.
    pub unit: String,
    /// The desktop's name when a desktop logged in, `None` for the unit's own account.
    pub desktop: Option<String>,
    /// The văn thư's desktop: reads the unit's deliveries and speaks for the unit outside.
    pub receiving: bool,
    /// The unit's account is a relay (`AgencyRecord::relay`): may upload packages whose
    /// `From/OrganId` names another agency.
    pub relay: bool,
}

impl Principal {
    /// `UNIT` or `UNIT/DESKTOP`.
    pub fn login(&self) -> String {
        match &self.desktop {
            Some(d) => format!("{}/{d}", self.unit),
            None => self.unit.clone(),
        }
    }
    /// Sends, receives and answers for the unit toward other agencies.
    pub fn acts_for_unit(&self) -> bool {
        self.desktop.is_none() || self.receiving
    }
    /// The delivery addresses whose queue this caller reads (the unit's, its own, or both).
    pub fn mailboxes(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(2);
        if self.acts_for_unit() {
            out.push(self.unit.clone());
        }
        if self.desktop.is_some() {
            out.push(self.login());
        }
        out
    }
    /// Whether `who` (a sender or recipient of a message) is this caller.
    pub fn is(&self, who: &str) -> bool {
        if self.acts_for_unit() && who == self.unit {
            return true;
        }
        match (&self.desktop, who.split_once('/')) {
            (Some(d), Some((u, wd))) => u == self.unit && wd == d,
            _ => false,
        }
    }
}

/// Whether a hub address is a desktop (`UNIT/DESKTOP`): internal to a unit.
pub fn is_desktop_address(who: &str) -> bool {
    who.contains('/')
}

/// Checks who may address whom and returns the identity the message is sent under: internal
/// messages (every recipient `UNIT/DESKTOP`) go from a desktop to desktops of its own unit
/// and never leave it; external ones go out under the unit, from the unit's account or its
/// receiving desktop. One message is never both.
fn sender_for(me: &Principal, recipients: &[String]) -> ApiResult<String> {
    let internal = recipients.iter().filter(|r| is_desktop_address(r)).count();
    if internal == 0 {
        if !me.acts_for_unit() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Máy trạm này chỉ gửi trong nội bộ đơn vị (UNIT/MÁY); văn bản ra ngoài do máy văn thư gửi / this desktop may only send inside its unit; the receiving desktop sends outside",
            ));
        }
        return Ok(me.unit.clone());
    }
    if internal != recipients.len() {
        return Err(ApiError::bad(
            "Không gộp người nhận nội bộ (UNIT/MÁY) với đơn vị ngoài trong một gói tin / internal (UNIT/DESKTOP) and external recipients cannot share a message",
        ));
    }
    if me.desktop.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Gói tin nội bộ phải gửi từ một máy trạm (UNIT/MÁY) / internal messages are sent by a desktop account (UNIT/DESKTOP)",
        ));
    }
    for r in recipients {
        let (unit, desktop) = r.split_once('/').unwrap_or_default();
        if unit != me.unit || !auth::valid_desktop_name(desktop) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("Chỉ gửi nội bộ tới máy trạm của đơn vị mình: {r} / a desktop may only address desktops of its own unit: {r}"),
            ));
        }
    }
    Ok(me.login())
}

async fn authenticate<S: HubStore>(
    state: &AppState<S>,
    headers: &HeaderMap,
) -> ApiResult<Principal> {
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sai mã đơn vị hoặc khóa bí mật / invalid agency credentials",
        )
    };
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let (code, secret) = auth::parse_basic(value).ok_or_else(unauthorized)?;
    if let Some((unit, desktop)) = code.split_once('/') {
        let rec = state
            .store
            .desktop(unit, desktop)
            .await?
            .ok_or_else(unauthorized)?;
        if !auth::verify_desktop(&rec, &secret) {
            return Err(unauthorized());
        }
        return Ok(Principal {
            unit: rec.unit,
            desktop: Some(rec.desktop),
            receiving: rec.receiving,
            relay: false,
        });
    }
    let rec = state.store.agency(&code).await?.ok_or_else(unauthorized)?;
    if !auth::verify(&rec, &secret) {
        return Err(unauthorized());
    }
    Ok(Principal {
        unit: code,
        desktop: None,
        receiving: false,
        relay: rec.relay,
    })
}

fn header_text(headers: &HeaderMap, name: &str) -> ApiResult<Option<String>> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => {
            let raw = std::str::from_utf8(v.as_bytes()).map_err(|_| {
                ApiError::bad(format!(
                    "Tiêu đề {name} không hợp lệ / invalid {name} header"
                ))
            })?;
            let decoded = percent_decode(raw).ok_or_else(|| {
                ApiError::bad(format!(
                    "Tiêu đề {name} không hợp lệ / invalid {name} header"
                ))
            })?;
            let t = decoded.trim();
            Ok(if t.is_empty() {
                None
            } else {
                Some(t.to_owned())
            })
        }
    }
}

/// Headers are ASCII on the wire; clients percent-encode UTF-8 values (document ids carry
/// Vietnamese notations such as `VPCP-TTĐT`).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
}

fn message_id_header(headers: &HeaderMap) -> ApiResult<String> {
    let id = header_text(headers, "x-message-id")?
        .ok_or_else(|| ApiError::bad("Thiếu tiêu đề X-Message-Id / missing X-Message-Id header"))?;
    if !valid_id(&id) {
        return Err(ApiError::bad(
            "X-Message-Id phải gồm 1–128 ký tự [A-Za-z0-9._:-] / X-Message-Id must be 1-128 chars of [A-Za-z0-9._:-]",
        ));
    }
    Ok(id)
}

fn recipients_header(headers: &HeaderMap) -> ApiResult<Vec<String>> {
    let Some(list) = header_text(headers, "x-recipients")? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<String> = Vec::new();
    for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if code.len() > 64 || !code.bytes().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::bad(format!(
                "Mã đơn vị nhận không hợp lệ: {code} / invalid recipient code: {code}"
            )));
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    Ok(out)
}

/// Refuses a package declared mật or above before its body is even read. Several
/// `X-Secrecy` headers are all checked: one secret declaration is enough to refuse.
fn check_secrecy(headers: &HeaderMap) -> ApiResult<()> {
    let mut seen = false;
    let mut secret = false;
    for v in headers.get_all("x-secrecy") {
        let declared = std::str::from_utf8(v.as_bytes())
            .ok()
            .and_then(percent_decode)
            .unwrap_or_default();
        let s = DeclaredSecrecy::parse(&declared).ok_or_else(|| {
            ApiError::bad(format!(
                "Độ mật không hợp lệ: {declared} / invalid X-Secrecy: {declared}"
            ))
        })?;
        seen = true;
        secret |= !s.may_send_over_hub();
    }
    if !seen {
        return Err(ApiError::bad(
            "Thiếu tiêu đề X-Secrecy (độ mật) / missing X-Secrecy header",
        ));
    }
    if secret {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "secret_refused",
            "Văn bản mật, tối mật, tuyệt mật không được gửi qua trục / documents marked mật or above cannot be sent over the hub",
        ));
    }
    Ok(())
}

/// Checks what the document package itself says (vanthu_edxml::facts, a bounded scan of the
/// header that resolves no DTD or entity): a header marked mật or above is refused whatever
/// `X-Secrecy` declared, and a package going out under a unit (`sender` without `/`) must
/// name that unit in `From/OrganId` unless the account is a relay. Bodies that are not XML
/// (a desktop's internal JSON package) say nothing here.
pub(crate) fn check_content(me: &Principal, sender: &str, body: &[u8]) -> ApiResult<()> {
    let facts = match vanthu_edxml::header_facts(body) {
        Ok(Some(f)) => f,
        Ok(None) => return Ok(()),
        Err(e) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreadable_header",
                e.to_string(),
            ))
        }
    };
    if facts.is_secret() {
        tracing::warn!(
            sender,
            marking = facts.secrecy_source.as_deref().unwrap_or_default(),
            "refused a package marked secret in its header"
        );
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "secret_refused",
            format!(
                "Gói tin ghi độ mật ({}): văn bản mật, tối mật, tuyệt mật không được gửi qua trục / the package is marked secret in its header and cannot be sent over the hub",
                facts.secrecy_source.as_deref().unwrap_or_default()
            ),
        ));
    }
    if let Some(from) = &facts.from_organ_id {
        if !is_desktop_address(sender) && from != sender && !me.relay {
            tracing::warn!(sender, from, "refused a package naming another sender");
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "sender_mismatch",
                format!(
                    "Nơi gửi trong gói tin ({from}) không khớp tài khoản trục ({sender}) / From/OrganId {from} does not match the authenticated agency {sender}"
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a request body of at most `max` bytes. Called by handlers only after the caller
/// is authenticated and the request's headers are checked, so an anonymous or refused
/// request never has its body read. A declared `Content-Length` over the cap is refused
/// before reading anything; a body that grows past it (chunked) is cut there. A pause of
/// more than `idle` between two pieces answers 408.
pub(crate) async fn read_limited(
    body: Body,
    headers: &HeaderMap,
    max: u64,
    idle: Duration,
) -> ApiResult<Bytes> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("Nội dung vượt quá {max} byte / body larger than {max} bytes"),
        )
    };
    let timed_out = || {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "Quá {} giây không nhận thêm dữ liệu / no data for {} s",
                idle.as_secs(),
                idle.as_secs()
            ),
        )
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > max {
            // A client that asked `Expect: 100-continue` has not sent the body and waits
            // for this answer; others are already sending, so let them finish (bounded)
            // to read it rather than see their upload cut.
            let waits = headers
                .get(header::EXPECT)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
            if !waits {
                drain(body, idle).await;
            }
            return Err(too_large());
        }
    }
    let mut body = body;
    let mut buf = bytes::BytesMut::new();
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => return Err(timed_out()),
            Ok(None) => break,
            Ok(Some(f)) => f,
        };
        let frame = frame.map_err(|e| {
            ApiError::bad(format!(
                "Không đọc được nội dung gói tin / cannot read body: {e}"
            ))
        })?;
        if let Ok(data) = frame.into_data() {
            if (buf.len() + data.len()) as u64 > max {
                drain(body, idle).await;
                return Err(too_large());
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

/// A package body: capped, not empty, and matching its declared SHA-256.
async fn read_body(
    body: Body,
    headers: &HeaderMap,
    max: u64,
    idle: Duration,
) -> ApiResult<(Bytes, String)> {
    let bytes = read_limited(body, headers, max, idle).await?;
    if bytes.is_empty() {
        return Err(ApiError::bad("Gói tin rỗng / empty package"));
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    if let Some(declared) = header_text(headers, "x-content-sha256")? {
        if !declared.eq_ignore_ascii_case(&sha) {
            return Err(ApiError::bad(
                "Gói tin bị hỏng khi truyền (sai SHA-256) / package corrupted in transit (SHA-256 mismatch)",
            ));
        }
    }
    Ok((bytes, sha))
}

/// Reads and discards what an authenticated client is still sending (up to a bound, and
/// while it keeps sending), so it can read the 413 instead of seeing its upload cut; past
/// the bound the connection is simply closed.
async fn drain(mut body: Body, idle: Duration) {
    const DRAIN_LIMIT: usize = 16 << 20;
    let mut seen = 0usize;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(idle, body.frame()).await {
        if let Ok(d) = frame.into_data() {
            seen += d.len();
            if seen > DRAIN_LIMIT {
                break;
            }
        }
    }
}

/// The answer to an upload.
#[derive(Serialize, Deserialize)]
pub struct PutResponse {
    /// True when the same package had been uploaded before.
    pub replayed: bool,
    /// The message as stored.
    pub message: MessageInfo,
}

fn put_response(outcome: PutOutcome) -> Response {
    match outcome {
        PutOutcome::Created(m) => (
            StatusCode::CREATED,
            Json(PutResponse {
                replayed: false,
                message: m,
            }),
        )
            .into_response(),
        PutOutcome::Replayed(m) => (
            StatusCode::OK,
            Json(PutResponse {
                replayed: true,
                message: m,
            }),
        )
            .into_response(),
    }
}

// ---------------------------------------------------------------- handlers

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "ok": true }))
}

async fn me<S: HubStore>(
    State(st): St<S>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let me = authenticate(&st, &headers).await?;
    let rec = st
        .store
        .agency(&me.unit)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(serde_json::json!({
        "code": rec.code, "name": rec.name, "desktop": me.desktop,
        "receiving": me.acts_for_unit(),
    })))
}

async fn send_new<S: HubStore>(
    State(st): St<S>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let me = authenticate(&st, &headers).await?;
    let message_id = message_id_header(&headers)?;
    check_secrecy(&headers)?;
    let recipients = recipients_header(&headers)?;
    if recipients.is_empty() {
        return Err(ApiError::bad(
            "Thiếu đơn vị nhận (X-Recipients) / no recipients (X-Recipients)",
        ));
    }
    let sender = sender_for(&me, &recipients)?;
    let document_id = header_text(&headers, "x-document-id")?;
    let (bytes, sha) = read_body(
        body,
        &headers,
        st.cfg.max_package_bytes,
        st.cfg.body_idle_timeout,
    )
    .await?;
    check_content(&me, &sender, &bytes)?;
    let msg = NewMessage {
        message_id,
        sender,
        kind: Kind::Edoc,
        business: Business::New,
        related: None,
        status_code: None,
        document_id,
        recipients,
        size: bytes.len() as u64,
        sha256: sha,
        created_at_ms: now_ms(),
    };
    Ok(put_response(st.store.put_message(msg, bytes).await?))
}

async fn send_operation<S: HubStore>(
    st: Arc<AppState<S>>,
    id: String,
    business: Business,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let me = authenticate(&st, &headers).await?;
    let message_id = message_id_header(&headers)?;
    check_secrecy(&headers)?;
    let original = st
        .store
        .message(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !me.is(&original.sender) || original.kind != Kind::Edoc {
        return Err(ApiError::forbidden());
    }
    let sender = original.sender.clone();
    // Recall goes to everyone who received the original; update may add recipients
    // (ReceiverType=1); replace may name its own list, defaulting to the original one.
    let mut recipients: Vec<String> = original
        .recipients
        .iter()
        .map(|d| d.agency.clone())
        .collect();
    let extra = recipients_header(&headers)?;
    // Added recipients follow the original's rule: an internal message stays internal.
    if !extra.is_empty() && sender_for(&me, &extra)? != sender {
        return Err(ApiError::bad(
            "Người nhận thêm phải cùng loại (nội bộ/ngoài) với gói tin gốc / added recipients must be internal or external like the original",
        ));
    }
    match business {
        Business::Replace if !extra.is_empty() => recipients = extra,
        Business::Update => {
            for c in extra {
                if !recipients.contains(&c) {
                    recipients.push(c);
                }
            }
        }
        _ => {}
    }
    let document_id = header_text(&headers, "x-document-id")?.or(original.document_id.clone());
    let (bytes, sha) = read_body(
        body,
        &headers,
        st.cfg.max_package_bytes,
        st.cfg.body_idle_timeout,
    )
    .await?;
    check_content(&me, &sender, &bytes)?;
    let msg = NewMessage {
        message_id,
        sender,
        kind: Kind::Edoc,
        business,
        related: Some(original.message_id),
        status_code: None,
        document_id,
        recipients,
        size: bytes.len() as u64,
        sha256: sha,
        created_at_ms: now_ms(),
    };
    Ok(put_response(st.store.put_message(msg, bytes).await?))
}

async fn recall<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    send_operation(st, id, Business::Revoke, headers, body).await
}
async fn update<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    send_operation(st, id, Business::Update, headers, body).await
}
async fn replace<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    send_operation(st, id, Business::Replace, headers, body).await
}

async fn send_status<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let me = authenticate(&st, &headers).await?;
    let message_id = message_id_header(&headers)?;
    let code = header_text(&headers, "x-status-code")?.ok_or_else(|| {
        ApiError::bad("Thiếu tiêu đề X-Status-Code / missing X-Status-Code header")
    })?;
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad(format!(
            "Mã trạng thái phải gồm 2 chữ số: {code} / status code must be two digits: {code}"
        )));
    }
    let original = st
        .store
        .message(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if original.kind != Kind::Edoc {
        return Err(ApiError::bad(
            "Chỉ phản hồi trạng thái cho gói tin văn bản / statuses answer document packages only",
        ));
    }
    // A recipient reports to the sender; the sender (status 13, recall) reports to every
    // recipient. The status goes out under the address the caller has on the message (the
    // unit, or its desktop for an internal message).
    let (from, recipients) = if let Some(d) = original.recipients.iter().find(|d| me.is(&d.agency))
    {
        (d.agency.clone(), vec![original.sender.clone()])
    } else if me.is(&original.sender) {
        (
            original.sender.clone(),
            original
                .recipients
                .iter()
                .map(|d| d.agency.clone())
                .collect(),
        )
    } else {
        return Err(ApiError::forbidden());
    };
    let (bytes, sha) = read_body(
        body,
        &headers,
        st.cfg.max_package_bytes.min(MAX_STATUS_BYTES),
        st.cfg.body_idle_timeout,
    )
    .await?;
    let msg = NewMessage {
        message_id,
        sender: from,
        kind: Kind::Status,
        business: Business::New,
        related: Some(original.message_id),
        status_code: Some(code),
        document_id: original.document_id,
        recipients,
        size: bytes.len() as u64,
        sha256: sha,
        created_at_ms: now_ms(),
    };
    Ok(put_response(st.store.put_message(msg, bytes).await?))
}

/// The statuses received for one of the caller's messages.
#[derive(Serialize, Deserialize)]
pub struct StatusList {
    /// In the order the hub accepted them.
    pub items: Vec<StatusEntry>,
}

async fn list_statuses<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<StatusList>> {
    let me = authenticate(&st, &headers).await?;
    let original = st
        .store
        .message(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut items = st.store.statuses(&id).await?;
    if !me.is(&original.sender) {
        // A recipient sees only the statuses it sent itself.
        if !original.recipients.iter().any(|d| me.is(&d.agency)) {
            return Err(ApiError::forbidden());
        }
        items.retain(|s| me.is(&s.from));
    }
    Ok(Json(StatusList { items }))
}

fn may_see(m: &MessageInfo, me: &Principal) -> bool {
    me.is(&m.sender) || m.recipients.iter().any(|d| me.is(&d.agency))
}

async fn get_message<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<MessageInfo>> {
    let me = authenticate(&st, &headers).await?;
    let m = st
        .store
        .message(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !may_see(&m, &me) {
        return Err(ApiError::not_found());
    }
    Ok(Json(m))
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` → (start, end inclusive). `None` = serve it all.
fn parse_range(value: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 || size == 0 {
            return Err(());
        }
        return Ok(Some((size.saturating_sub(n), size - 1)));
    }
    let start: u64 = a.parse().map_err(|_| ())?;
    if start >= size {
        return Err(());
    }
    let end = if b.is_empty() {
        size - 1
    } else {
        let e: u64 = b.parse().map_err(|_| ())?;
        if e < start {
            return Err(());
        }
        e.min(size - 1)
    };
    Ok(Some((start, end)))
}

async fn get_content<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let me = authenticate(&st, &headers).await?;
    let m = st
        .store
        .message(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !may_see(&m, &me) {
        return Err(ApiError::not_found());
    }
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(v) => match parse_range(v, m.size) {
            Ok(r) => r,
            Err(()) => {
                let mut resp = ApiError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "range_not_satisfiable",
                    "Khoảng byte không hợp lệ / range not satisfiable",
                )
                .into_response();
                resp.headers_mut().insert(
                    header::CONTENT_RANGE,
                    HeaderValue::from_str(&format!("bytes */{}", m.size)).expect("ascii"),
                );
                return Ok(resp);
            }
        },
    };
    let (start, end) = range.unwrap_or((0, m.size.saturating_sub(1)));
    let data = st
        .store
        .read_blob(&m.sha256, start, end + 1 - start)
        .await?;
    if let Some(d) = m.recipients.iter().find(|d| me.is(&d.agency)) {
        st.store.mark_fetched(&id, &d.agency, now_ms()).await?;
    }
    let mut resp = Response::new(Body::from(data));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{}\"", m.sha256)).expect("hex"),
    );
    h.insert(
        "x-content-sha256",
        HeaderValue::from_str(&m.sha256).expect("hex"),
    );
    if range.is_some() {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        resp.headers_mut().insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&format!("bytes {start}-{end}/{}", m.size)).expect("ascii"),
        );
    }
    Ok(resp)
}

async fn ack<S: HubStore>(
    State(st): St<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let me = authenticate(&st, &headers).await?;
    // A receiving desktop holds two queues (the unit's and its own): the delivery is in one.
    let mut result = Err(StoreError::NotFound);
    for mailbox in me.mailboxes() {
        result = st.store.ack(&id, &mailbox, now_ms()).await;
        if !matches!(result, Err(StoreError::NotFound)) {
            break;
        }
    }
    result?;
    Ok(StatusCode::NO_CONTENT)
}

/// Most message ids in one batch acknowledgement (an inbox page holds at most 1000).
pub const MAX_ACK_IDS: usize = 1000;
const MAX_ACK_REQUEST_BYTES: u64 = 256 * 1024;

/// A batch acknowledgement: what one `POST /v1/acks` confirms.
#[derive(Debug, Serialize, Deserialize)]
pub struct AckBatch {
    /// Message ids of deliveries the caller stored.
    pub ids: Vec<String>,
}

/// What a batch acknowledgement did.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct AckBatchResult {
    /// Ids now acknowledged (or acknowledged before).
    pub acked: Vec<String>,
    /// Ids that are no delivery of the caller.
    pub unknown: Vec<String>,
}

/// Authenticates the caller, then reads a JSON body of at most `max` bytes: read only after
/// authentication, so an anonymous caller learns nothing and costs nothing. `what` names the
/// body in the error, in Vietnamese and English.
async fn authenticated_json<S: HubStore, T: serde::de::DeserializeOwned>(
    st: &AppState<S>,
    headers: &HeaderMap,
    body: Body,
    max: u64,
    what: (&str, &str),
) -> ApiResult<(Principal, T)> {
    let me = authenticate(st, headers).await?;
    let body = read_limited(body, headers, max, st.cfg.body_idle_timeout).await?;
    let value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad(format!("{} không hợp lệ / invalid {}: {e}", what.0, what.1)))?;
    Ok((me, value))
}

/// Acknowledges many deliveries in one request and one transaction: on a line with latency
/// one round trip per inbox page instead of one per package (docs/hub-api.md).
async fn ack_batch<S: HubStore>(
    State(st): St<S>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<AckBatchResult>> {
    let (me, req): (_, AckBatch) = authenticated_json(
        &st,
        &headers,
        body,
        MAX_ACK_REQUEST_BYTES,
        ("Danh sách xác nhận", "acknowledgement list"),
    )
    .await?;
    if req.ids.len() > MAX_ACK_IDS {
        return Err(ApiError::bad(format!(
            "Tối đa {MAX_ACK_IDS} gói tin mỗi lần xác nhận / at most {MAX_ACK_IDS} ids per acknowledgement"
        )));
    }
    let now = now_ms();
    let mut result = AckBatchResult::default();
    let mut pending = req.ids;
    // A receiving desktop holds two queues (the unit's and its own): each delivery is in one.
    for mailbox in me.mailboxes() {
        if pending.is_empty() {
            break;
        }
        let hits = st.store.ack_many(pending.clone(), &mailbox, now).await?;
        let mut rest = Vec::new();
        for (id, hit) in pending.into_iter().zip(hits) {
            if hit {
                result.acked.push(id);
            } else {
                rest.push(id);
            }
        }
        pending = rest;
    }
    result.unknown = pending;
    Ok(Json(result))
}

/// Paging of a listing: `after` a cursor, at most `limit` items.
#[derive(Deserialize)]
pub struct Page {
    /// Only items whose cursor is greater (0 when absent).
    pub after: Option<i64>,
    /// Most items to return (the route clamps it).
    pub limit: Option<u32>,
}

/// The caller's pending deliveries.
#[derive(Serialize, Deserialize)]
pub struct InboxList {
    /// In delivery order.
    pub items: Vec<InboxItem>,
}

async fn inbox<S: HubStore>(
    State(st): St<S>,
    Query(p): Query<Page>,
    headers: HeaderMap,
) -> ApiResult<Json<InboxList>> {
    let me = authenticate(&st, &headers).await?;
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let mut mailboxes = me.mailboxes();
    let mut items = if mailboxes.len() == 1 {
        let mailbox = mailboxes.remove(0);
        st.store
            .inbox(&mailbox, p.after.unwrap_or(0), limit)
            .await?
    } else {
        st.store
            .inbox_for(mailboxes, p.after.unwrap_or(0), limit)
            .await?
    };
    // Tell the receiver which senders are relays: only their packages may name another
    // agency in From/OrganId (docs/hub-api.md). One look-up per distinct sender.
    let mut relays: std::collections::HashMap<String, bool> = Default::default();
    for item in &mut items {
        item.relay = match relays.get(&item.sender) {
            Some(r) => *r,
            None => {
                let r = st
                    .store
                    .agency(&item.sender)
                    .await?
                    .is_some_and(|a| a.relay);
                relays.insert(item.sender.clone(), r);
                r
            }
        };
    }
    Ok(Json(InboxList { items }))
}

/// One document the caller sent, with what its recipients answered.
#[derive(Serialize, Deserialize)]
pub struct SentItem {
    /// Where the next page starts.
    pub cursor: i64,
    /// The message and its deliveries.
    pub message: MessageInfo,
    /// The statuses received for it.
    pub statuses: Vec<StatusEntry>,
}

/// A page of the caller's sent documents.
#[derive(Serialize, Deserialize)]
pub struct SentList {
    /// Oldest first.
    pub items: Vec<SentItem>,
}

async fn sent<S: HubStore>(
    State(st): St<S>,
    Query(p): Query<Page>,
    headers: HeaderMap,
) -> ApiResult<Json<SentList>> {
    let me = authenticate(&st, &headers).await?;
    let limit = p.limit.unwrap_or(100).clamp(1, 500);
    let mut items = Vec::new();
    let sender = if me.acts_for_unit() {
        me.unit.clone()
    } else {
        me.login()
    };
    for (cursor, message) in st.store.sent(&sender, p.after.unwrap_or(0), limit).await? {
        let statuses = st.store.statuses(&message.message_id).await?;
        items.push(SentItem {
            cursor,
            message,
            statuses,
        });
    }
    Ok(Json(SentList { items }))
}

/// The answer to a block request.
#[derive(Serialize, Deserialize)]
pub struct BlockResponse {
    /// True when this request id had been answered before (the same block again).
    pub replayed: bool,
    /// The numbers reserved.
    pub block: NumberBlock,
}

/// Every block handed to the caller's unit.
#[derive(Serialize, Deserialize)]
pub struct BlockList {
    /// Oldest first.
    pub items: Vec<NumberBlock>,
}

/// Hands a desktop of the caller's unit the next block of register numbers. The body is
/// read only after authentication, with a small cap, so an anonymous caller learns nothing
/// and costs nothing.
async fn reserve_block<S: HubStore>(
    State(st): St<S>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let (me, req): (_, BlockRequest) = authenticated_json(
        &st,
        &headers,
        body,
        MAX_BLOCK_REQUEST_BYTES,
        ("Yêu cầu khối số", "block request"),
    )
    .await?;
    if let Some(reason) = req.invalid_reason() {
        return Err(ApiError::bad(reason));
    }
    let (block, replayed) = st
        .store
        .reserve_block(&me.unit, req, now_ms())
        .await
        .map_err(|e| match e {
            StoreError::Conflict(id) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("Mã yêu cầu {id} đã dùng cho khối số khác / request id {id} already used for a different block"),
            ),
            other => other.into(),
        })?;
    let status = if replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(BlockResponse { replayed, block })).into_response())
}

async fn list_blocks<S: HubStore>(
    State(st): St<S>,
    headers: HeaderMap,
) -> ApiResult<Json<BlockList>> {
    let me = authenticate(&st, &headers).await?;
    Ok(Json(BlockList {
        items: st.store.blocks(&me.unit).await?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=50-500", 100), Ok(Some((50, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=9-3", 100), Err(()));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
    }

    #[test]
    fn percent() {
        assert_eq!(
            percent_decode("VPCP-TT%C4%90T").as_deref(),
            Some("VPCP-TTĐT")
        );
        assert_eq!(percent_decode("%zz"), None);
    }
}
