//! The engine over the national axis's own API (VXP, what the official SDKVXP 2.0.1 client
//! speaks; docs/national-axis.md §3): a unit connects to a real axis, or to a vanthu hub's
//! `/vxp`, with the endpoint, systemId and secret the axis's operator issued.
//!
//! The API gives less than the vanthu hub's `/v1`, and this transport fills the gaps so the
//! engine's rules hold unchanged (exactly once, order, statuses):
//! * each request is signed as the SDK signs it (`vanthu_domain::vxp`), with a fresh
//!   timestamp, so the axis's replay window never closes on a long-running desktop;
//! * a listed delivery is downloaded once, when first listed: its package says what the
//!   listing does not (document or status, business, `DocumentId`, the message it concerns),
//!   and it gets the next local sequence number ([`VxpIds`]); `fetch` then reads the cache;
//! * what we send is remembered by our message id with the `DocId` the axis gave it, so a
//!   package is not sent twice, and a status about it is related to our message id again.
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::transport::{
    content_secrecy, http_client, net_err, FetchSink, HubTransport, Operation, OutgoingPackage,
    RemoteItem, TransportError, TransportOptions,
};
use crate::vxp_ids::VxpIds;
use vanthu_domain::vxp::{format_timestamp, sdk_file_hash, sign};

/// The axis's connection for one unit.
pub struct VxpTransport {
    http: reqwest::Client,
    endpoint: String,
    system_id: String,
    secret: String,
    unit: String,
    ids: Arc<VxpIds>,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn refused(status: u16, code: &str, message: impl Into<String>) -> TransportError {
    TransportError::Rejected {
        status,
        code: code.into(),
        message: message.into(),
    }
}

fn text_field(answer: Option<&Value>, name: &str) -> String {
    answer
        .and_then(|a| a[name].as_str())
        .unwrap_or("")
        .to_owned()
}

/// The edXML `BussinessDocType` as the engine names it (the hub's `/v1` names).
fn business_name(doc_type: Option<u8>) -> &'static str {
    match doc_type {
        Some(1) => "revoke",
        Some(2) => "update",
        Some(3) => "replace",
        _ => "new",
    }
}

impl VxpTransport {
    /// A transport to `endpoint` (the SDK's `service.endpoint`, e.g. `https://axis/vxp`) for
    /// the unit `unit`, its state kept in `data_dir`.
    pub fn new(
        endpoint: &str,
        system_id: &str,
        secret: &str,
        unit: &str,
        data_dir: &Path,
        opts: &TransportOptions,
    ) -> Result<VxpTransport, TransportError> {
        // No total timeout (a large package takes what the line needs); a read that stalls
        // for the idle timeout abandons the request.
        let http = http_client(
            endpoint,
            opts,
            reqwest::Client::builder().read_timeout(opts.idle_timeout),
        )?;
        if system_id.trim().is_empty() {
            return Err(TransportError::Config(
                "thiếu systemId của trục / missing VXP systemId".into(),
            ));
        }
        Ok(VxpTransport {
            http,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            system_id: system_id.trim().to_owned(),
            secret: secret.to_owned(),
            unit: unit.to_owned(),
            ids: Arc::new(VxpIds::open(data_dir)?),
        })
    }

    /// One signed call. Parameters travel as `XroadVnpt-<name>` headers, all of them signed
    /// (with the systemId and a fresh timestamp), as the SDK sends them; the answer is the
    /// SDK's JSON, `status: OK` or a refusal.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        params: &[(&str, &str)],
        body: Option<bytes::Bytes>,
    ) -> Result<Value, TransportError> {
        let timestamp = format_timestamp(now_ms());
        let mut all: Vec<(&str, &str)> =
            vec![("timestamp", &timestamp), ("systemid", &self.system_id)];
        all.extend_from_slice(params);
        let fields: serde_json::Map<String, Value> = all
            .iter()
            .map(|(k, v)| (format!("XroadVnpt-{k}"), Value::String((*v).to_owned())))
            .collect();
        let names: Vec<&String> = fields.keys().collect();
        let names = names
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let signed = Value::Object(fields.clone()).to_string();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.endpoint))
            .header("XroadVnpt-sign-header", &signed)
            .header("XroadVnpt-sign-header-key", names)
            .header(
                "XroadVnpt-hash-header",
                sign(&self.secret, signed.as_bytes()),
            );
        for (k, v) in &all {
            req = req.header(format!("XroadVnpt-{k}"), *v);
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(b);
        }
        let resp = req.send().await.map_err(net_err)?;
        let status = resp.status();
        let text = resp.bytes().await.map_err(net_err)?;
        let answer: Option<Value> = serde_json::from_slice(&text).ok();
        if !status.is_success() {
            let message = match text_field(answer.as_ref(), "ErrorDesc") {
                d if d.is_empty() => String::from_utf8_lossy(&text).into_owned(),
                d => d,
            };
            let code = status.as_u16();
            if status.is_server_error() || code == 408 || code == 429 {
                return Err(TransportError::Transient(format!("HTTP {code}: {message}")));
            }
            return Err(refused(
                code,
                &text_field(answer.as_ref(), "error"),
                message,
            ));
        }
        let Some(answer) = answer else {
            return Err(TransportError::Transient(format!(
                "{path}: câu trả lời không phải JSON / not JSON"
            )));
        };
        if !answer["status"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("OK"))
        {
            // A refusal inside a 200 (how an axis may answer): its ErrorCode when it is an
            // HTTP status, a plain refusal otherwise.
            let code = text_field(Some(&answer), "ErrorCode");
            let status = code.parse::<u16>().ok().filter(|c| (400..600).contains(c));
            return Err(refused(
                status.unwrap_or(422),
                &code,
                text_field(Some(&answer), "ErrorDesc"),
            ));
        }
        Ok(answer)
    }

    async fn get_edoc(&self, doc_id: &str) -> Result<Vec<u8>, TransportError> {
        let answer = self
            .call(
                reqwest::Method::POST,
                "/getEdoc",
                &[("docId", doc_id), ("Content-Type", "application/json")],
                None,
            )
            .await?;
        let data = answer["data"].as_str().ok_or_else(|| {
            TransportError::Transient(format!("getEdoc {doc_id}: không có dữ liệu / no data"))
        })?;
        base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| TransportError::Transient(format!("getEdoc {doc_id}: base64: {e}")))
    }

    /// What a received package says about itself, where the listing is silent. The kind
    /// comes from the content (a status is a header with a status code), not from the list
    /// it was in; the sender is always the listing's, the account the axis authenticated.
    fn describe(
        &self,
        doc_id: String,
        sender: String,
        listed_kind: &str,
        body: &[u8],
    ) -> Result<RemoteItem, TransportError> {
        use sha2::Digest;
        let mut item = RemoteItem {
            seq: 0,
            message_id: doc_id,
            sender,
            relay: false,
            kind: listed_kind.to_owned(),
            business: "new".into(),
            related: None,
            status_code: None,
            document_id: None,
            sha256: hex::encode(sha2::Sha256::digest(body)),
            size: body.len() as u64,
        };
        match vanthu_edxml::read_message(body, &vanthu_edxml::ReadOptions::default()) {
            Ok(vanthu_edxml::Message::Package(p)) => {
                let business = p.header.business.as_ref();
                item.kind = "edoc".into();
                item.business = business_name(business.and_then(|b| b.doc_type)).into();
                item.document_id = p.header.document_id.clone();
                if item.business != "new" {
                    let of = business
                        .and_then(|b| b.document_id.clone())
                        .or_else(|| p.header.document_id.clone());
                    if let Some(of) = of {
                        item.related = self.ids.their_document(&item.sender, &of)?;
                    }
                }
            }
            Ok(vanthu_edxml::Message::Status(s)) => {
                let rf = &s.status.response_for;
                item.kind = "status".into();
                item.status_code = Some(s.status.status_code.clone());
                item.document_id = rf.document_id.clone();
                if let Some(doc) = rf.document_id.as_deref() {
                    item.related = if rf.organ_id.as_deref().map(str::trim) == Some(&self.unit) {
                        // About a document we sent.
                        self.ids.our_document(doc)?
                    } else {
                        // The sender about a document it sent us (a recall's outcome).
                        self.ids.their_document(&item.sender, doc)?
                    };
                }
            }
            // Stored as it came: the import reports what is wrong with it.
            Err(e) => tracing::warn!(message = %item.message_id, "unreadable VXP package: {e}"),
        }
        Ok(item)
    }

    async fn listed(&self, kind: &str) -> Result<Vec<(String, String)>, TransportError> {
        let answer = self
            .call(
                reqwest::Method::POST,
                "/getReceivedEdocList",
                &[
                    ("servicetype", "eDoc"),
                    ("messagetype", kind),
                    ("Content-Type", "application/json"),
                ],
                None,
            )
            .await?;
        let Some(data) = answer["data"].as_array() else {
            return Ok(Vec::new());
        };
        Ok(data
            .iter()
            .filter_map(|e| {
                let id = e["docId"].as_str().or_else(|| e["id"].as_str())?;
                Some((id.to_owned(), e["from"].as_str().unwrap_or("").to_owned()))
            })
            .collect())
    }
}

impl HubTransport for VxpTransport {
    async fn ping(&self) -> Result<(), TransportError> {
        tokio::time::timeout(
            Duration::from_secs(10),
            self.call(
                reqwest::Method::GET,
                "/countReceiveEdoc",
                &[("Content-Type", "application/json")],
                None,
            ),
        )
        .await
        .map_err(|_| TransportError::Offline("trục không trả lời / no answer".into()))?
        .map(|_| ())
    }

    async fn send(&self, pkg: &OutgoingPackage, body: bytes::Bytes) -> Result<(), TransportError> {
        if self.ids.sent_doc_id(&pkg.message_id)?.is_some() {
            // Accepted before; the answer reached us but the engine's mark did not.
            return Ok(());
        }
        if pkg.recipients.iter().any(|r| r.contains('/')) {
            return Err(refused(
                400,
                "internal",
                "Gói tin giữa các máy của đơn vị chỉ đi qua trục vanthu (/v1) / packages between desktops of a unit need a vanthu hub",
            ));
        }
        let Ok(Some(facts)) = vanthu_edxml::header_facts(&body) else {
            return Err(refused(
                400,
                "not_edxml",
                "Trục VXP chỉ nhận gói edXML / the VXP axis carries edXML packages only",
            ));
        };
        if content_secrecy(&body) != "thuong" {
            return Err(refused(
                422,
                "secret",
                "Văn bản mật không được gửi qua trục / secret documents never travel over the axis",
            ));
        }
        let kind = if pkg.op == Operation::Status {
            "status"
        } else {
            "edoc"
        };
        let hash = sdk_file_hash(&body);
        let answer = self
            .call(
                reqwest::Method::POST,
                "/sendEdoc",
                &[
                    ("from", &self.unit),
                    ("servicetype", "eDoc"),
                    ("messagetype", kind),
                    ("Content-Type", "application/octet-stream"),
                    ("hash-file", &hash),
                ],
                Some(body),
            )
            .await?;
        let doc_id = answer["DocId"].as_str().ok_or_else(|| {
            TransportError::Transient("sendEdoc: không có DocId / no DocId".into())
        })?;
        // The axis relates answers by the DocumentId inside the package, so that is the one
        // remembered (a file queued without --document-id still has it).
        let document_id = facts.document_id.or_else(|| pkg.document_id.clone());
        self.ids.record_sent(
            &pkg.message_id,
            doc_id,
            kind,
            document_id.as_deref(),
            now_ms(),
        )
    }

    async fn pending(&self, after: i64, limit: u32) -> Result<Vec<RemoteItem>, TransportError> {
        // Documents before statuses, each in the axis's order: a status about a document
        // listed in the same round is stored after it.
        let mut listed: Vec<(String, String, &str)> = Vec::new();
        for kind in ["edoc", "status"] {
            for (id, from) in self.listed(kind).await? {
                listed.push((id, from, kind));
            }
        }
        let limit = limit as usize;
        let mut out = Vec::new();
        for (doc_id, from, kind) in listed {
            let item = match self.ids.seen(&doc_id)? {
                Some(item) => item,
                // New deliveries get numbers above every earlier one: once a page is full
                // the rest wait for the next page.
                None if out.len() >= limit => continue,
                None => {
                    let body = self.get_edoc(&doc_id).await?;
                    let item = self.describe(doc_id, from, kind, &body)?;
                    self.ids.record_seen(item, &body)?
                }
            };
            if item.seq > after {
                out.push(item);
            }
        }
        out.sort_by_key(|i| i.seq);
        out.truncate(limit);
        Ok(out)
    }

    async fn fetch(
        &self,
        message_id: &str,
        _offset: u64,
        out: &mut dyn FetchSink,
    ) -> Result<(), TransportError> {
        // The API has no ranges: the whole package, from the cache when it is there.
        let body = match self.ids.cached(message_id)? {
            Some(b) => b,
            None => self.get_edoc(message_id).await?,
        };
        let io = |e: std::io::Error| TransportError::Transient(format!("local write: {e}"));
        out.clear().map_err(io)?;
        out.write_all(&body).map_err(io)
    }

    async fn ack(&self, message_id: &str) -> Result<(), TransportError> {
        self.call(
            reqwest::Method::POST,
            "/updateStatus",
            &[
                ("docId", message_id),
                ("status", "done"),
                ("Content-Type", "application/json"),
            ],
            None,
        )
        .await?;
        self.ids.forget_body(message_id);
        Ok(())
    }

    async fn ack_many(&self, message_ids: &[String]) -> Result<Vec<String>, TransportError> {
        // No batch call in the API: a few at a time.
        crate::transport::ack_each(self, message_ids, 8).await
    }
}
