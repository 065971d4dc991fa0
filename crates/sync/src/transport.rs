//! How the engine talks to a hub. `HubTransport` is the seam for other exchanges: the HTTP
//! client below speaks to the vanthu reference hub (docs/hub-api.md); a VDXP/LGSP adapter
//! implements the same trait (docs/sync.md).
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// Why a hub request failed, and whether retrying can help.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The hub cannot be reached (connection refused/reset, DNS, timeout): retry later.
    #[error("không kết nối được trục / hub unreachable: {0}")]
    Offline(String),
    /// The hub answered but failed (5xx, cut body): retry with the same ids.
    #[error("trục gặp lỗi tạm thời / transient hub error: {0}")]
    Transient(String),
    /// The connection settings are unusable (a CA file that cannot be read): fix them.
    #[error("cấu hình kết nối trục sai / bad hub connection settings: {0}")]
    Config(String),
    /// The hub refused the request for good (4xx): retrying will not help.
    #[error("trục từ chối / hub refused ({status} {code}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Error code in the hub's answer.
        code: String,
        /// Error message in the hub's answer.
        message: String,
    },
}

impl TransportError {
    /// False for a refusal or bad settings, which retrying will not fix.
    pub fn is_retryable(&self) -> bool {
        !matches!(
            self,
            TransportError::Rejected { .. } | TransportError::Config(_)
        )
    }
}

/// What an outgoing package is, from the hub's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// A new document package.
    Send,
    /// Recalls (thu hồi) an earlier document.
    Recall,
    /// Updates an earlier document.
    Update,
    /// Replaces an earlier document.
    Replace,
    /// A status package about `related`.
    Status,
}

impl Operation {
    /// The wire name of the operation.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Send => "send",
            Operation::Recall => "recall",
            Operation::Update => "update",
            Operation::Replace => "replace",
            Operation::Status => "status",
        }
    }
    /// Reads a wire name; `None` when unknown.
    pub fn parse(s: &str) -> Option<Operation> {
        Some(match s {
            "send" => Operation::Send,
            "recall" => Operation::Recall,
            "update" => Operation::Update,
            "replace" => Operation::Replace,
            "status" => Operation::Status,
            _ => return None,
        })
    }
}

/// A package to upload: its hub metadata (the body travels beside it).
#[derive(Debug, Clone)]
pub struct OutgoingPackage {
    /// Hub message id; uploads are idempotent by it.
    pub message_id: String,
    /// What the package does.
    pub op: Operation,
    /// Message id of the package a status, recall, update or replacement concerns.
    pub related: Option<String>,
    /// Status code, for a status package.
    pub status_code: Option<String>,
    /// Agency codes to deliver to.
    pub recipients: Vec<String>,
    /// The edXML `DocumentId`, when known.
    pub document_id: Option<String>,
    /// SHA-256 (hex) of the body, checked by the hub.
    pub sha256: String,
}

/// A delivery waiting on the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteItem {
    /// Position in the hub's inbox, for paging.
    pub seq: i64,
    /// Hub message id.
    pub message_id: String,
    /// The account the hub authenticated: the sender a receiver trusts.
    pub sender: String,
    /// The hub says that account is a relay (may forward packages of other agencies).
    #[serde(default)]
    pub relay: bool,
    /// `edoc` for a document package, `status` for a status.
    pub kind: String,
    /// The edXML business of a document (`new`, ...).
    pub business: String,
    /// Message id of the package a status or follow-up concerns.
    pub related: Option<String>,
    /// Status code, for a status package.
    pub status_code: Option<String>,
    /// The edXML `DocumentId`, when known.
    pub document_id: Option<String>,
    /// SHA-256 (hex) of the body.
    pub sha256: String,
    /// Body size in bytes.
    pub size: u64,
}

/// Where a download's bytes go: a partial file (resumable across runs) or memory.
pub trait FetchSink: std::io::Write + std::io::Seek + Send {
    /// Drops everything written so far (the hub ignored the range and sends from 0).
    fn clear(&mut self) -> std::io::Result<()>;
}

impl FetchSink for std::fs::File {
    fn clear(&mut self) -> std::io::Result<()> {
        use std::io::Seek;
        self.set_len(0)?;
        self.seek(std::io::SeekFrom::Start(0)).map(|_| ())
    }
}

impl FetchSink for std::io::Cursor<Vec<u8>> {
    fn clear(&mut self) -> std::io::Result<()> {
        self.get_mut().clear();
        self.set_position(0);
        Ok(())
    }
}

/// What the engine needs of a hub: probe, upload, inbox, download, acknowledge.
pub trait HubTransport: Send + Sync + 'static {
    /// Cheap reachability probe.
    fn ping(&self) -> impl Future<Output = Result<(), TransportError>> + Send;
    /// Uploads a package; must be idempotent by `pkg.message_id`.
    fn send(
        &self,
        pkg: &OutgoingPackage,
        body: bytes::Bytes,
    ) -> impl Future<Output = Result<(), TransportError>> + Send;
    /// Pending deliveries, oldest first, with seq > `after`.
    fn pending(
        &self,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RemoteItem>, TransportError>> + Send;
    /// Appends the package bytes from `offset` on to `out` (whose length is `offset`), as
    /// they arrive: a cut connection leaves the bytes received so far, and the next call
    /// resumes from there. If the hub ignores the range, `out` is rewritten from 0.
    fn fetch(
        &self,
        message_id: &str,
        offset: u64,
        out: &mut dyn FetchSink,
    ) -> impl Future<Output = Result<(), TransportError>> + Send;
    /// Confirms receipt; the delivery leaves the queue. Idempotent.
    fn ack(&self, message_id: &str) -> impl Future<Output = Result<(), TransportError>> + Send;
    /// Confirms receipt of several deliveries; returns the ids the hub does not know as ours.
    /// Exchanges without a batch call keep the default: one `ack` after the other.
    fn ack_many(
        &self,
        message_ids: &[String],
    ) -> impl Future<Output = Result<Vec<String>, TransportError>> + Send {
        ack_each(self, message_ids, 1)
    }
    /// Reserves a block of register numbers of our unit for this desktop (docs/sync.md,
    /// "Numbering while offline"); must be idempotent by `req.request_id`. Exchanges that
    /// have no such service keep the default: the desktop then numbers provisionally until
    /// blocks are configured another way.
    fn reserve_block(
        &self,
        req: &vanthu_registry::BlockRequest,
    ) -> impl Future<Output = Result<BlockGrant, TransportError>> + Send {
        let _ = req;
        async {
            Err(TransportError::Rejected {
                status: 501,
                code: "unsupported".into(),
                message: "Trục không cấp khối số / the exchange does not reserve number blocks"
                    .into(),
            })
        }
    }
}

/// One `ack` per id, `in_flight` at a time: what an exchange without a batch call gets, and
/// the HTTP transport's fallback for a hub without `POST /v1/acks`. Returns the ids the
/// hub does not know as ours (404).
pub(crate) async fn ack_each<T: HubTransport + ?Sized>(
    t: &T,
    ids: &[String],
    in_flight: usize,
) -> Result<Vec<String>, TransportError> {
    let mut unknown = Vec::new();
    for chunk in ids.chunks(in_flight.max(1)) {
        let results = futures_util::future::join_all(chunk.iter().map(|id| t.ack(id))).await;
        for (id, r) in chunk.iter().zip(results) {
            match r {
                Ok(()) => {}
                Err(TransportError::Rejected { status: 404, .. }) => unknown.push(id.clone()),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(unknown)
}

/// The numbers `[start, start + size)` a hub reserved for one block request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockGrant {
    /// First number of the block.
    pub start: u32,
    /// How many numbers.
    pub size: u32,
}

/// How the HTTP client connects; `HttpTransport::from_settings` fills it from the
/// desktop's sync settings.
#[derive(Debug, Clone)]
pub struct TransportOptions {
    /// Longest time without progress (a piece of the upload taken by the connection, a
    /// piece of the answer received) before a request is abandoned as offline. There is no
    /// total timeout: a 60 MB package may take as long as the line needs.
    pub idle_timeout: Duration,
    /// Establishing the connection, TLS handshake included.
    pub connect_timeout: Duration,
    /// Extra trust anchors (PEM, one or more certificates) for a hub whose certificate
    /// comes from a private PKI; the usual web roots stay trusted too.
    pub ca_file: Option<PathBuf>,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            idle_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            ca_file: None,
        }
    }
}

/// Why `https://` matters: over plain HTTP the agency secret (Basic auth) and every
/// package cross the network in clear text. Plain HTTP is for a hub on the same machine.
/// Returns the warning to show for `url`, if any.
pub fn plain_http_warning(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    if u.scheme() != "http" {
        return None;
    }
    let host = u.host_str()?.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!loopback).then(|| {
        format!(
            "Kết nối trục {url} không mã hóa (http://): khóa bí mật và văn bản đi qua mạng dạng rõ; hãy dùng https:// / plain HTTP to a non-loopback hub sends the secret and packages in clear text; use https://"
        )
    })
}

/// The vanthu hub over HTTP(S) (reqwest, rustls).
#[derive(Clone)]
pub struct HttpTransport {
    http: reqwest::Client,
    base: String,
    agency: String,
    secret: String,
    idle: Duration,
    /// Set once the hub answered that it has no `POST /v1/acks`.
    no_batch_ack: Arc<AtomicBool>,
}

impl HttpTransport {
    /// An HTTP(S) transport with default options.
    pub fn new(base: &str, agency: &str, secret: &str) -> Result<HttpTransport, TransportError> {
        HttpTransport::with_options(base, agency, secret, &TransportOptions::default())
    }

    /// The transport for a desktop's settings (hub URL, login, CA file).
    pub fn from_settings(
        settings: &crate::settings::Settings,
        secret: &str,
    ) -> Result<HttpTransport, TransportError> {
        let opts = TransportOptions {
            ca_file: settings.ca_file.clone(),
            ..TransportOptions::default()
        };
        HttpTransport::with_options(&settings.hub_url, &settings.agency, secret, &opts)
    }

    /// An HTTP(S) transport with explicit connection options.
    pub fn with_options(
        base: &str,
        agency: &str,
        secret: &str,
        opts: &TransportOptions,
    ) -> Result<HttpTransport, TransportError> {
        let http = http_client(base, opts, reqwest::Client::builder())?;
        Ok(HttpTransport {
            http,
            base: base.trim_end_matches('/').to_owned(),
            agency: agency.to_owned(),
            secret: secret.to_owned(),
            idle: opts.idle_timeout,
            no_batch_ack: Arc::new(AtomicBool::new(false)),
        })
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.agency, Some(&self.secret))
    }

    /// How long `progress` may stand still. Once a whole upload is handed over, the OS may
    /// still be sending what it buffered (megabytes, on a fast local link feeding a slow
    /// one) before the hub can answer, so the answer gets four idle periods; a line that
    /// stops meanwhile is caught by TCP_USER_TIMEOUT (set to the idle timeout).
    fn allowance(&self, progress: &Progress) -> Duration {
        if progress.handed_over.load(Ordering::Relaxed) {
            self.idle * 4
        } else {
            self.idle
        }
    }

    /// Runs one exchange, abandoning it when `progress` has not moved for the idle timeout.
    async fn guarded<T>(
        &self,
        progress: &Progress,
        fut: impl Future<Output = Result<T, TransportError>>,
    ) -> Result<T, TransportError> {
        tokio::pin!(fut);
        loop {
            let deadline = progress.last() + self.allowance(progress);
            tokio::select! {
                r = &mut fut => return r,
                _ = tokio::time::sleep_until(deadline) => {
                    if progress.last() + self.allowance(progress) <= Instant::now() {
                        return Err(TransportError::Offline(format!(
                            "quá {} giây không có dữ liệu / no progress for {} s",
                            self.idle.as_secs_f32(),
                            self.idle.as_secs_f32()
                        )));
                    }
                }
            }
        }
    }
}

/// The HTTP client both transports use for `url`: rustls, the connect timeout, keep-alive,
/// the private CA of the settings; `builder` carries what one transport adds.
pub(crate) fn http_client(
    url: &str,
    opts: &TransportOptions,
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::Client, TransportError> {
    if let Some(w) = plain_http_warning(url) {
        tracing::warn!("{w}");
    }
    let mut builder = builder
        .use_rustls_tls()
        .connect_timeout(opts.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        // A dead peer on a quiet connection is noticed by the OS too, not only by an idle
        // guard.
        .tcp_keepalive(Duration::from_secs(30));
    // Sent data the line does not acknowledge for that long closes the connection: what
    // catches a line that stops while the OS is still draining an upload it buffered.
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    {
        builder = builder.tcp_user_timeout(opts.idle_timeout);
    }
    if let Some(path) = &opts.ca_file {
        for cert in load_ca_file(path)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| TransportError::Config(e.to_string()))
}

/// Reads a PEM file of one or more CA certificates.
pub fn load_ca_file(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, TransportError> {
    let bad = |why: String| {
        TransportError::Config(format!(
            "tệp CA {} không dùng được / unusable CA file: {why}",
            path.display()
        ))
    };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("không có chứng thư PEM nào / no PEM certificate".into()));
    }
    Ok(certs)
}

/// When the exchange last moved, shared between the request body, the reader and the guard.
#[derive(Clone)]
struct Progress {
    start: Instant,
    /// Milliseconds after `start`.
    last_ms: Arc<AtomicU64>,
    /// The whole upload body has been taken by the connection.
    handed_over: Arc<AtomicBool>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            start: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
            handed_over: Arc::new(AtomicBool::new(false)),
        }
    }
    fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last_ms.fetch_max(ms, Ordering::Relaxed);
    }
    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
}

/// An upload handed to the connection in pieces; each piece taken counts as progress.
/// The exact size is announced, so the request carries a Content-Length.
struct UploadBody {
    data: bytes::Bytes,
    progress: Progress,
}

impl http_body::Body for UploadBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        const PIECE: usize = 64 << 10;
        if self.data.is_empty() {
            return Poll::Ready(None);
        }
        let n = self.data.len().min(PIECE);
        let piece = self.data.split_to(n);
        self.progress.touch();
        if self.data.is_empty() {
            self.progress.handed_over.store(true, Ordering::Relaxed);
        }
        Poll::Ready(Some(Ok(http_body::Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.data.len() as u64)
    }
}

pub(crate) fn net_err(e: reqwest::Error) -> TransportError {
    if let Some(why) = tls_trust_failure(&e) {
        return TransportError::Offline(format!(
            "chứng thư TLS của trục không được tin cậy ({why}); nếu trục dùng CA riêng, chạy `vanthu sync setup --ca-file` / the hub's TLS certificate is not trusted; give a private CA with --ca-file"
        ));
    }
    if e.is_connect() || e.is_timeout() {
        TransportError::Offline(e.to_string())
    } else {
        TransportError::Transient(e.to_string())
    }
}

/// The certificate problem behind a failed connection, if that is what it was. (An
/// `io::Error`'s `source()` skips the error it wraps, hence the `get_ref`.)
fn tls_trust_failure(e: &reqwest::Error) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return matches!(r, rustls::Error::InvalidCertificate(_)).then(|| r.to_string());
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(r) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return matches!(r, rustls::Error::InvalidCertificate(_)).then(|| r.to_string());
            }
        }
        cur = err.source();
    }
    // Some layers box the error in ways `downcast_ref` cannot see through; their Debug
    // output still names it.
    let debug = format!("{e:?}");
    debug
        .find("InvalidCertificate(")
        .map(|i| debug[i..].split(')').next().unwrap_or("").to_owned() + ")")
}

async fn check(resp: reqwest::Response) -> Result<reqwest::Response, TransportError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let code = status.as_u16();
    let text = resp.text().await.unwrap_or_default();
    let (err_code, message) = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .map(|v| {
            (
                v["error"].as_str().unwrap_or("").to_owned(),
                v["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .unwrap_or_else(|| (String::new(), text.clone()));
    if status.is_server_error() || code == 408 || code == 429 {
        Err(TransportError::Transient(format!("HTTP {code}: {message}")))
    } else {
        Err(TransportError::Rejected {
            status: code,
            code: err_code,
            message,
        })
    }
}

/// Reads a whole (small) answer body, each piece counting as progress.
async fn read_all(
    resp: reqwest::Response,
    progress: &Progress,
) -> Result<bytes::Bytes, TransportError> {
    let mut resp = resp;
    let mut buf = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(net_err)? {
        progress.touch();
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

fn encode_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_graphic() && b != b'%' || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

impl HubTransport for HttpTransport {
    async fn ping(&self) -> Result<(), TransportError> {
        let resp = self
            .http
            .get(format!("{}/v1/health", self.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .map_err(net_err)?;
        check(resp).await.map(|_| ())
    }

    async fn send(&self, pkg: &OutgoingPackage, body: bytes::Bytes) -> Result<(), TransportError> {
        let path = match pkg.op {
            Operation::Send => "/v1/messages".to_owned(),
            Operation::Status => format!("/v1/messages/{}/statuses", related(pkg)?),
            op => format!("/v1/messages/{}/{}", related(pkg)?, op.as_str()),
        };
        let mut req = self
            .req(reqwest::Method::POST, &path)
            .header("X-Message-Id", &pkg.message_id)
            .header("X-Content-Sha256", &pkg.sha256)
            .header("X-Secrecy", content_secrecy(&body));
        if !pkg.recipients.is_empty() {
            req = req.header("X-Recipients", pkg.recipients.join(","));
        }
        if let Some(code) = &pkg.status_code {
            req = req.header("X-Status-Code", code);
        }
        if let Some(d) = &pkg.document_id {
            req = req.header("X-Document-Id", encode_header(d));
        }
        let progress = Progress::new();
        let upload = UploadBody {
            data: body,
            progress: progress.clone(),
        };
        self.guarded(&progress, async {
            let resp = req
                .body(reqwest::Body::wrap(upload))
                .send()
                .await
                .map_err(net_err)?;
            progress.touch();
            // Read the body so a connection cut after the headers is seen as a failure.
            read_all(check(resp).await?, &progress).await?;
            Ok(())
        })
        .await
    }

    async fn pending(&self, after: i64, limit: u32) -> Result<Vec<RemoteItem>, TransportError> {
        let progress = Progress::new();
        let body = self
            .guarded(&progress, async {
                let resp = self
                    .req(
                        reqwest::Method::GET,
                        &format!("/v1/inbox?after={after}&limit={limit}"),
                    )
                    .send()
                    .await
                    .map_err(net_err)?;
                read_all(check(resp).await?, &progress).await
            })
            .await?;
        let items: Items<RemoteItem> = serde_json::from_slice(&body)
            .map_err(|e| TransportError::Transient(format!("bad inbox JSON: {e}")))?;
        Ok(items.items)
    }

    async fn fetch(
        &self,
        message_id: &str,
        offset: u64,
        out: &mut dyn FetchSink,
    ) -> Result<(), TransportError> {
        use std::io::SeekFrom;
        let io_err = |e: std::io::Error| TransportError::Transient(format!("local write: {e}"));
        let mut req = self.req(
            reqwest::Method::GET,
            &format!("/v1/messages/{message_id}/content"),
        );
        if offset > 0 {
            req = req.header("Range", format!("bytes={offset}-"));
        }
        let progress = Progress::new();
        self.guarded(&progress, async {
            let mut resp = check(req.send().await.map_err(net_err)?).await?;
            progress.touch();
            if resp.status().as_u16() == 206 {
                let cr = resp
                    .headers()
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let (start, _) = parse_content_range(cr).ok_or_else(|| {
                    TransportError::Transient(format!("bad Content-Range {cr:?}"))
                })?;
                if start != offset {
                    return Err(TransportError::Transient(format!(
                        "asked for bytes {offset}-, got {cr}"
                    )));
                }
                out.seek(SeekFrom::Start(offset)).map_err(io_err)?;
            } else {
                out.clear().map_err(io_err)?;
                out.seek(SeekFrom::Start(0)).map_err(io_err)?;
            }
            // Each piece lands in `out` as it arrives, so an abandoned transfer resumes
            // from what was received.
            while let Some(chunk) = resp.chunk().await.map_err(net_err)? {
                progress.touch();
                out.write_all(&chunk).map_err(io_err)?;
            }
            Ok(())
        })
        .await
    }

    async fn ack(&self, message_id: &str) -> Result<(), TransportError> {
        let progress = Progress::new();
        self.guarded(&progress, async {
            let resp = self
                .req(
                    reqwest::Method::POST,
                    &format!("/v1/messages/{message_id}/ack"),
                )
                .send()
                .await
                .map_err(net_err)?;
            check(resp).await.map(|_| ())
        })
        .await
    }

    async fn ack_many(&self, message_ids: &[String]) -> Result<Vec<String>, TransportError> {
        #[derive(Serialize)]
        struct Batch<'a> {
            ids: &'a [String],
        }
        #[derive(Deserialize)]
        struct Answer {
            unknown: Vec<String>,
        }
        let mut unknown = Vec::new();
        // The hub takes at most 1000 ids per request (docs/hub-api.md).
        for chunk in message_ids.chunks(1000) {
            if self.no_batch_ack.load(Ordering::Relaxed) {
                unknown.extend(ack_each(self, chunk, 8).await?);
                continue;
            }
            let progress = Progress::new();
            let answer = self
                .guarded(&progress, async {
                    let resp = self
                        .req(reqwest::Method::POST, "/v1/acks")
                        .json(&Batch { ids: chunk })
                        .send()
                        .await
                        .map_err(net_err)?;
                    read_all(check(resp).await?, &progress).await
                })
                .await;
            match answer {
                Ok(body) => {
                    let a: Answer = serde_json::from_slice(&body).map_err(|e| {
                        TransportError::Transient(format!("bad acknowledgement JSON: {e}"))
                    })?;
                    unknown.extend(a.unknown);
                }
                // A hub from before the batch call: acknowledge one by one from now on.
                Err(TransportError::Rejected {
                    status: 404 | 405, ..
                }) => {
                    tracing::info!(
                        "the hub has no batch acknowledgement; acknowledging one by one"
                    );
                    self.no_batch_ack.store(true, Ordering::Relaxed);
                    unknown.extend(ack_each(self, chunk, 8).await?);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(unknown)
    }

    async fn reserve_block(
        &self,
        req: &vanthu_registry::BlockRequest,
    ) -> Result<BlockGrant, TransportError> {
        let progress = Progress::new();
        let body = self
            .guarded(&progress, async {
                let resp = self
                    .req(reqwest::Method::POST, "/v1/numbering/blocks")
                    .json(req)
                    .send()
                    .await
                    .map_err(net_err)?;
                read_all(check(resp).await?, &progress).await
            })
            .await?;
        #[derive(Deserialize)]
        struct Answer {
            block: BlockGrant,
        }
        let a: Answer = serde_json::from_slice(&body)
            .map_err(|e| TransportError::Transient(format!("bad block JSON: {e}")))?;
        Ok(a.block)
    }
}

/// The `X-Secrecy` a package really has: read from its header (vanthu_edxml::facts), not
/// assumed. The engine refuses secret packages before they are queued, so this is "thuong"
/// unless something slipped past it; then the hub refuses the upload (422) instead of
/// trusting a flag. A header that cannot be checked is declared "mat": it must not travel.
pub(crate) fn content_secrecy(body: &[u8]) -> &'static str {
    match vanthu_edxml::header_facts(body) {
        Ok(Some(f)) => match f.secrecy {
            None | Some(vanthu_domain::Secrecy::Normal) => "thuong",
            Some(vanthu_domain::Secrecy::Confidential) => "mat",
            Some(vanthu_domain::Secrecy::Secret) => "toi-mat",
            Some(vanthu_domain::Secrecy::TopSecret) => "tuyet-mat",
        },
        Ok(None) => "thuong",
        Err(_) => "mat",
    }
}

fn related(pkg: &OutgoingPackage) -> Result<&str, TransportError> {
    pkg.related
        .as_deref()
        .ok_or_else(|| TransportError::Rejected {
            status: 400,
            code: "bad_request".into(),
            message: format!("{} without the related message id", pkg.op.as_str()),
        })
}

/// `bytes a-b/total` → (a, total).
fn parse_content_range(v: &str) -> Option<(u64, u64)> {
    let rest = v.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (a, _) = range.split_once('-')?;
    Some((a.parse().ok()?, total.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range("bytes 10-99/100"), Some((10, 100)));
        assert_eq!(parse_content_range("bytes */100"), None);
    }

    #[test]
    fn plain_http_is_flagged_off_loopback_only() {
        for quiet in [
            "http://127.0.0.1:8640",
            "http://localhost:8640/",
            "http://[::1]:8640",
            "https://hub.example.gov.vn",
            "https://10.0.0.5:8640",
        ] {
            assert_eq!(plain_http_warning(quiet), None, "{quiet}");
        }
        for loud in ["http://10.0.0.5:8640", "http://hub.example.gov.vn"] {
            assert!(plain_http_warning(loud).is_some(), "{loud}");
        }
    }

    #[test]
    fn a_bad_ca_file_is_a_settings_error() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ca.pem");
        std::fs::write(&f, "not a certificate").unwrap();
        let opts = TransportOptions {
            ca_file: Some(f),
            ..TransportOptions::default()
        };
        let err = HttpTransport::with_options("https://127.0.0.1:1", "A", "s", &opts)
            .err()
            .unwrap();
        assert!(matches!(err, TransportError::Config(_)), "{err}");
        assert!(!err.is_retryable());
    }

    #[test]
    fn header_encoding() {
        assert_eq!(encode_header("412/VPCP-TTĐT"), "412/VPCP-TT%C4%90T");
        assert_eq!(encode_header("a%b"), "a%25b");
    }
}
