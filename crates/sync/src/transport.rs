//! How the engine talks to a hub. `HubTransport` is the seam for other exchanges: the HTTP
//! client below speaks to the vanthu reference hub (docs/hub-api.md); a VDXP/LGSP adapter
//! implements the same trait (docs/sync.md).
use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The hub cannot be reached (connection refused/reset, DNS, timeout): retry later.
    #[error("không kết nối được trục / hub unreachable: {0}")]
    Offline(String),
    /// The hub answered but failed (5xx, cut body): retry with the same ids.
    #[error("trục gặp lỗi tạm thời / transient hub error: {0}")]
    Transient(String),
    /// The hub refused the request for good (4xx): retrying will not help.
    #[error("trục từ chối / hub refused ({status} {code}): {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
}

impl TransportError {
    pub fn is_retryable(&self) -> bool {
        !matches!(self, TransportError::Rejected { .. })
    }
}

/// What an outgoing package is, from the hub's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// A new document package.
    Send,
    Recall,
    Update,
    Replace,
    /// A status package about `related`.
    Status,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Send => "send",
            Operation::Recall => "recall",
            Operation::Update => "update",
            Operation::Replace => "replace",
            Operation::Status => "status",
        }
    }
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

#[derive(Debug, Clone)]
pub struct OutgoingPackage {
    pub message_id: String,
    pub op: Operation,
    pub related: Option<String>,
    pub status_code: Option<String>,
    pub recipients: Vec<String>,
    pub document_id: Option<String>,
    pub sha256: String,
}

/// A delivery waiting on the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteItem {
    pub seq: i64,
    pub message_id: String,
    /// The account the hub authenticated: the sender a receiver trusts.
    pub sender: String,
    /// The hub says that account is a relay (may forward packages of other agencies).
    #[serde(default)]
    pub relay: bool,
    pub kind: String,
    pub business: String,
    pub related: Option<String>,
    pub status_code: Option<String>,
    pub document_id: Option<String>,
    pub sha256: String,
    pub size: u64,
}

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
        out: &mut std::fs::File,
    ) -> impl Future<Output = Result<(), TransportError>> + Send;
    /// Confirms receipt; the delivery leaves the queue. Idempotent.
    fn ack(&self, message_id: &str) -> impl Future<Output = Result<(), TransportError>> + Send;
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

/// The numbers `[start, start + size)` a hub reserved for one block request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockGrant {
    pub start: u32,
    pub size: u32,
}

/// The vanthu hub over HTTP (reqwest, rustls).
#[derive(Clone)]
pub struct HttpTransport {
    http: reqwest::Client,
    base: String,
    agency: String,
    secret: String,
}

impl HttpTransport {
    pub fn new(base: &str, agency: &str, secret: &str) -> Result<HttpTransport, TransportError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| TransportError::Offline(e.to_string()))?;
        Ok(HttpTransport {
            http,
            base: base.trim_end_matches('/').to_owned(),
            agency: agency.to_owned(),
            secret: secret.to_owned(),
        })
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.agency, Some(&self.secret))
    }
}

fn net_err(e: reqwest::Error) -> TransportError {
    if e.is_connect() || e.is_timeout() {
        TransportError::Offline(e.to_string())
    } else {
        TransportError::Transient(e.to_string())
    }
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
        let resp = req.body(body).send().await.map_err(net_err)?;
        let resp = check(resp).await?;
        // Read the body so a connection cut after the headers is seen as a failure.
        resp.bytes().await.map_err(net_err)?;
        Ok(())
    }

    async fn pending(&self, after: i64, limit: u32) -> Result<Vec<RemoteItem>, TransportError> {
        let resp = self
            .req(
                reqwest::Method::GET,
                &format!("/v1/inbox?after={after}&limit={limit}"),
            )
            .send()
            .await
            .map_err(net_err)?;
        let body = check(resp).await?.bytes().await.map_err(net_err)?;
        let items: Items<RemoteItem> = serde_json::from_slice(&body)
            .map_err(|e| TransportError::Transient(format!("bad inbox JSON: {e}")))?;
        Ok(items.items)
    }

    async fn fetch(
        &self,
        message_id: &str,
        offset: u64,
        out: &mut std::fs::File,
    ) -> Result<(), TransportError> {
        use std::io::{Seek, SeekFrom, Write};
        let io_err = |e: std::io::Error| TransportError::Transient(format!("local write: {e}"));
        let mut req = self.req(
            reqwest::Method::GET,
            &format!("/v1/messages/{message_id}/content"),
        );
        if offset > 0 {
            req = req.header("Range", format!("bytes={offset}-"));
        }
        let mut resp = check(req.send().await.map_err(net_err)?).await?;
        if resp.status().as_u16() == 206 {
            let cr = resp
                .headers()
                .get("content-range")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let (start, _) = parse_content_range(cr)
                .ok_or_else(|| TransportError::Transient(format!("bad Content-Range {cr:?}")))?;
            if start != offset {
                return Err(TransportError::Transient(format!(
                    "asked for bytes {offset}-, got {cr}"
                )));
            }
            out.seek(SeekFrom::Start(offset)).map_err(io_err)?;
        } else {
            out.set_len(0).map_err(io_err)?;
            out.seek(SeekFrom::Start(0)).map_err(io_err)?;
        }
        while let Some(chunk) = resp.chunk().await.map_err(net_err)? {
            out.write_all(&chunk).map_err(io_err)?;
        }
        Ok(())
    }

    async fn ack(&self, message_id: &str) -> Result<(), TransportError> {
        let resp = self
            .req(
                reqwest::Method::POST,
                &format!("/v1/messages/{message_id}/ack"),
            )
            .send()
            .await
            .map_err(net_err)?;
        check(resp).await.map(|_| ())
    }

    async fn reserve_block(
        &self,
        req: &vanthu_registry::BlockRequest,
    ) -> Result<BlockGrant, TransportError> {
        let resp = self
            .req(reqwest::Method::POST, "/v1/numbering/blocks")
            .json(req)
            .send()
            .await
            .map_err(net_err)?;
        let body = check(resp).await?.bytes().await.map_err(net_err)?;
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
fn content_secrecy(body: &[u8]) -> &'static str {
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
    fn header_encoding() {
        assert_eq!(encode_header("412/VPCP-TTĐT"), "412/VPCP-TT%C4%90T");
        assert_eq!(encode_header("a%b"), "a%25b");
    }
}
