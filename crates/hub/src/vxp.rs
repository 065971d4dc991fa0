//! The national axis's own API (VXP, the HTTP API of the official SDKVXP 2.0.1 client) over
//! the same store as `/v1` (docs/national-axis.md, "The VXP protocol"), so an unmodified
//! official client can send to a vanthu agency, list and fetch what it received, update the
//! transport status, list what it sent and list agencies. Mounted under `/vxp`: the SDK's
//! `service.endpoint` is `https://<hub>/vxp`.
//!
//! What the SDK sends (read from its classes): every request carries its parameters as
//! headers `XroadVnpt-<name>: <value>` (`systemid`, `timestamp`, `servicetype`, `messagetype`,
//! `docId`, `status`, `hash-file`, `Content-Type`, …), the list of names in
//! `XroadVnpt-sign-header-key`, a JSON object of all of them in `XroadVnpt-sign-header`, and
//! `XroadVnpt-hash-header` = hex(HMAC-SHA256(secret, sign-header)). The path and the body are
//! not signed; `sendEdoc` binds its body through the signed `hash-file`.
//!
//! Rules kept from `/v1`: bodies are read only after the signature checks out, with the same
//! caps and idle timeout (413, 408); a failed signature answers 401 and counts toward the
//! per-address lockout (429); the sender of a package is the agency of the authenticated
//! systemId, and the package's `From/OrganId` must name it (docs/security.md).
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use chrono::{FixedOffset, TimeZone};
use sha2::{Digest, Sha256};

use crate::model::{now_ms, Business, Kind, MessageInfo, NewMessage, PutOutcome};
use crate::server::{check_content, read_limited, ApiError, AppState, Principal, St};
use crate::store::{HubStore, StoreError};

/// The header carrying the HMAC (its presence makes a request count as a login attempt).
pub const HASH_HEADER: &str = "xroadvnpt-hash-header";
const SIGN_HEADER: &str = "xroadvnpt-sign-header";
const PREFIX: &str = "xroadvnpt-";

/// Default replay window: a signed timestamp older than this is refused. The official SDK
/// stamps its service object once, when it is made, so a client must make a fresh one at
/// least this often (the harness makes one per exchange).
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How far a client's clock may be ahead of the hub's.
const MAX_SKEW_MS: i64 = 5 * 60 * 1000;
/// Entries one listing returns at most (the SDK has no paging; the rest come once these are
/// marked done).
const LIST_LIMIT: u32 = 1000;

/// Vietnam's offset: the SDK formats its timestamp in the JVM's zone without saying which,
/// as edXML dates are; a correctly configured peer runs at +07:00.
fn vn() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

pub(crate) fn routes<S: HubStore>() -> Router<Arc<AppState<S>>> {
    Router::new()
        .route("/sendEdoc", post(send_edoc::<S>))
        .route("/getReceivedEdocList", post(received_list::<S>))
        .route("/getEdoc", post(get_edoc::<S>))
        .route("/updateStatus", post(update_status::<S>))
        .route("/getSentEdocList", post(sent_list::<S>))
        .route(
            "/countReceiveEdoc",
            get(count_edoc::<S>).post(count_edoc::<S>),
        )
        .route(
            "/countReceiveStatus",
            get(count_status::<S>).post(count_status::<S>),
        )
        .route("/getAgenciesList", post(agencies::<S>))
        .route("/registerAgency", post(unsupported::<S>))
        .route("/deleteAgency", post(unsupported::<S>))
}

// ---------------------------------------------------------------- answers

/// An answer in the SDK's shape: `status`, `ErrorCode` ("0" = success), `ErrorDesc`, plus
/// the call's own fields. Non-ASCII characters are written as `\u` escapes: the SDK reads
/// the `sendEdoc` answer as US-ASCII.
fn answer(http: StatusCode, mut body: serde_json::Map<String, serde_json::Value>) -> Response {
    let text = serde_json::Value::Object(std::mem::take(&mut body)).to_string();
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    let mut resp = (http, ascii).into_response();
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn ok(fields: serde_json::Value) -> Response {
    let mut body = serde_json::Map::new();
    body.insert("status".into(), "OK".into());
    body.insert("ErrorCode".into(), "0".into());
    body.insert("ErrorDesc".into(), "Thành công / success".into());
    if let serde_json::Value::Object(m) = fields {
        body.extend(m);
    }
    answer(StatusCode::OK, body)
}

/// A refusal: the HTTP status of the `/v1` API, the SDK's `FAIL` shape.
#[derive(Debug)]
pub struct VxpError(ApiError);

impl IntoResponse for VxpError {
    fn into_response(self) -> Response {
        let mut body = serde_json::Map::new();
        body.insert("status".into(), "FAIL".into());
        body.insert(
            "ErrorCode".into(),
            self.0.status.as_u16().to_string().into(),
        );
        body.insert("ErrorDesc".into(), self.0.message.into());
        body.insert("error".into(), self.0.code.into());
        answer(self.0.status, body)
    }
}

impl From<ApiError> for VxpError {
    fn from(e: ApiError) -> VxpError {
        VxpError(e)
    }
}

impl From<StoreError> for VxpError {
    fn from(e: StoreError) -> VxpError {
        VxpError(e.into())
    }
}

type VxpResult<T> = Result<T, VxpError>;

fn bad(message: impl Into<String>) -> VxpError {
    VxpError(ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        message,
    ))
}

fn unauthorized(why: &str) -> VxpError {
    tracing::debug!("VXP request refused: {why}");
    VxpError(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Sai systemId, chữ ký hoặc thời điểm ký / invalid systemId, signature or timestamp",
    ))
}

fn not_found() -> VxpError {
    VxpError(ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không tìm thấy gói tin / message not found",
    ))
}

// ---------------------------------------------------------------- signature

/// The request's signed parameters, by lower-case name without the `XroadVnpt-` prefix.
#[derive(Debug, Clone, Default)]
pub struct Signed(HashMap<String, String>);

impl Signed {
    /// A signed parameter's value (case-insensitive name); empty counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

pub use vanthu_domain::vxp::{format_timestamp, parse_timestamp, sdk_file_hash, sign};

/// Checks the signature and the timestamp; returns the caller (the agency of the systemId)
/// and its signed parameters. Every signed value must also be the header actually sent.
async fn authenticate<S: HubStore>(
    st: &AppState<S>,
    headers: &HeaderMap,
) -> VxpResult<(Principal, Signed)> {
    let raw_sign = headers
        .get(SIGN_HEADER)
        .ok_or_else(|| unauthorized("no sign header"))?
        .as_bytes();
    let hash = headers
        .get(HASH_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("no hash header"))?;
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(raw_sign).map_err(|_| unauthorized("sign header not JSON"))?;
    let mut signed = HashMap::new();
    for (name, value) in fields {
        let Some(value) = value.as_str() else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        let Some(short) = lower.strip_prefix(PREFIX) else {
            return Err(unauthorized("signed name without prefix"));
        };
        // What the handler reads is the signed value; the header sent must say the same.
        let sent = headers.get(lower.as_str()).map(|v| v.as_bytes());
        if sent != Some(value.as_bytes()) {
            return Err(unauthorized("a signed value differs from its header"));
        }
        signed.insert(short.to_owned(), value.to_owned());
    }
    let signed = Signed(signed);
    let system_id = signed
        .get("systemid")
        .ok_or_else(|| unauthorized("no systemid"))?;
    let Some(system) = st.store.vxp_system(system_id).await? else {
        return Err(unauthorized("unknown systemid"));
    };
    if !vanthu_domain::vxp::verify(&system.secret, raw_sign, hash) {
        return Err(unauthorized("HMAC mismatch"));
    }
    let at = signed
        .get("timestamp")
        .and_then(parse_timestamp)
        .ok_or_else(|| unauthorized("no or malformed timestamp"))?;
    let now = now_ms();
    if at > now + MAX_SKEW_MS || now - at > st.cfg.vxp_window.as_millis() as i64 {
        return Err(unauthorized("timestamp outside the replay window"));
    }
    let agency = st
        .store
        .agency(&system.agency)
        .await?
        .ok_or_else(|| unauthorized("agency of the systemid is gone"))?;
    Ok((
        Principal {
            unit: agency.code,
            desktop: None,
            receiving: false,
            relay: agency.relay,
        },
        signed,
    ))
}

// ---------------------------------------------------------------- sendEdoc

/// `/sendEdoc`: the body is the edXML file (the SDK's "multipart" writes the bytes alone
/// and a CRLF). Document or status is told by content; recipients are the package's
/// `To/OrganId` (a status goes to the other side of the document it answers). The hub's
/// message id (the answer's `DocId`) is derived from the sender and the content, so a
/// client that resends after a lost answer gets the same id and nothing twice.
async fn send_edoc<S: HubStore>(
    State(st): St<S>,
    headers: HeaderMap,
    body: Body,
) -> VxpResult<Response> {
    let (me, signed) = authenticate(&st, &headers).await?;
    let declared = signed
        .get("hash-file")
        .ok_or_else(|| bad("Thiếu hash-file / missing hash-file"))?
        .to_ascii_lowercase();
    let raw = read_limited(
        body,
        &headers,
        st.cfg.max_package_bytes + 2,
        st.cfg.body_idle_timeout,
    )
    .await?;
    let bytes = match raw.strip_suffix(b"\r\n") {
        Some(b) if sdk_file_hash(b) == declared => raw.slice(..b.len()),
        _ if sdk_file_hash(&raw) == declared => raw,
        _ => {
            return Err(bad(
                "Gói tin bị hỏng khi truyền (sai hash-file) / package corrupted in transit (hash-file mismatch)",
            ))
        }
    };
    if bytes.is_empty() {
        return Err(bad("Gói tin rỗng / empty package"));
    }
    check_content(&me, &me.unit, &bytes)?;
    let parsed = {
        let b = bytes.clone();
        tokio::task::spawn_blocking(move || {
            vanthu_edxml::read_message(&b[..], &vanthu_edxml::ReadOptions::default())
        })
        .await
        .map_err(|e| bad(format!("internal: {e}")))?
    };
    let message = parsed.map_err(|e| {
        VxpError(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_package",
            format!("Không đọc được gói edXML / unreadable edXML package: {e}"),
        ))
    })?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let message_id = format!(
        "vxp-{}",
        &hex::encode(Sha256::digest(format!("{}:{sha}", me.unit)))[..40]
    );
    let msg = match message {
        vanthu_edxml::Message::Package(p) => {
            let mut recipients: Vec<String> = Vec::new();
            for org in &p.header.to {
                if let Some(code) = org.organ_id.as_deref().map(str::trim) {
                    if code.is_empty() {
                        continue;
                    }
                    if code.contains('/') || code.len() > 64 || !code.is_ascii() {
                        return Err(bad(format!(
                            "Mã đơn vị nhận không hợp lệ: {code} / invalid recipient code: {code}"
                        )));
                    }
                    if !recipients.iter().any(|r| r == code) {
                        recipients.push(code.to_owned());
                    }
                }
            }
            if recipients.is_empty() {
                return Err(bad(
                    "Gói tin không có nơi nhận (To/OrganId) / the package names no recipient (To/OrganId)",
                ));
            }
            let business = p
                .header
                .business
                .as_ref()
                .and_then(|b| b.doc_type)
                .and_then(|c| Business::from_code(c as i64))
                .unwrap_or(Business::New);
            let document_id = p.header.document_id.clone();
            // A revision names its original by DocumentId; the hub relates it when it has
            // it (receivers look the DocumentId up themselves otherwise).
            let related = match (business, &document_id) {
                (Business::New, _) | (_, None) => None,
                (_, Some(d)) => {
                    let of = p
                        .header
                        .business
                        .as_ref()
                        .and_then(|b| b.document_id.clone())
                        .unwrap_or_else(|| d.clone());
                    st.store.find_document(&me.unit, &of).await?
                }
            };
            NewMessage {
                message_id,
                sender: me.unit.clone(),
                kind: Kind::Edoc,
                business,
                related,
                status_code: None,
                document_id,
                recipients,
                size: bytes.len() as u64,
                sha256: sha,
                created_at_ms: now_ms(),
            }
        }
        vanthu_edxml::Message::Status(s) => {
            if bytes.len() as u64 > crate::server::MAX_STATUS_BYTES {
                return Err(VxpError(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "Gói trạng thái quá lớn / status package too large",
                )));
            }
            let rf = &s.status.response_for;
            let (Some(organ), Some(doc)) = (rf.organ_id.as_deref(), rf.document_id.as_deref())
            else {
                return Err(bad(
                    "Trạng thái thiếu ResponseFor/OrganId hoặc DocumentId / status without ResponseFor OrganId or DocumentId",
                ));
            };
            let id = st
                .store
                .find_document(organ.trim(), doc.trim())
                .await?
                .ok_or_else(not_found)?;
            let original = st.store.message(&id).await?.ok_or_else(not_found)?;
            let recipients = status_recipients(&me, &original)?;
            NewMessage {
                message_id,
                sender: me.unit.clone(),
                kind: Kind::Status,
                business: Business::New,
                related: Some(original.message_id),
                status_code: Some(s.status.status_code.clone()),
                document_id: original.document_id,
                recipients,
                size: bytes.len() as u64,
                sha256: sha,
                created_at_ms: now_ms(),
            }
        }
    };
    let info = match st.store.put_message(msg, bytes).await? {
        PutOutcome::Created(m) | PutOutcome::Replayed(m) => m,
    };
    Ok(ok(serde_json::json!({ "DocId": info.message_id })))
}

/// A recipient answers the sender; the sender (a recall's 13/15/16) tells every recipient.
fn status_recipients(me: &Principal, original: &MessageInfo) -> VxpResult<Vec<String>> {
    if original.recipients.iter().any(|d| d.agency == me.unit) {
        Ok(vec![original.sender.clone()])
    } else if original.sender == me.unit {
        Ok(original
            .recipients
            .iter()
            .map(|d| d.agency.clone())
            .collect())
    } else {
        Err(VxpError(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Đơn vị không có quyền với gói tin này / agency may not access this message",
        )))
    }
}

// ---------------------------------------------------------------- receiving

fn vn_time(ms: i64) -> String {
    vn().timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Which kind a listing asks for: the signed `messagetype` (`edoc`, the default, or
/// `status`).
fn listed_kind(signed: &Signed) -> VxpResult<Kind> {
    match signed.get("messagetype").map(str::to_ascii_lowercase) {
        None => Ok(Kind::Edoc),
        Some(t) => Kind::parse(&t).ok_or_else(|| {
            bad(format!(
                "messagetype phải là edoc hoặc status: {t} / messagetype must be edoc or status"
            ))
        }),
    }
}

/// `/getReceivedEdocList`: the caller's pending deliveries of the asked kind.
async fn received_list<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    let (me, signed) = authenticate(&st, &headers).await?;
    let kind = listed_kind(&signed)?;
    let items = st.store.inbox(&me.unit, 0, LIST_LIMIT).await?;
    let data: Vec<_> = items
        .into_iter()
        .filter(|i| i.kind == kind)
        .map(|i| {
            serde_json::json!({
                "docId": i.message_id,
                "serviceType": "eDoc",
                "messageType": i.kind.as_str(),
                "created_time": vn_time(i.created_at_ms),
                "updated_time": vn_time(i.created_at_ms),
                "from": i.sender,
                "to": me.unit,
                "status": "initial",
                "status_desc": i.status_code.unwrap_or_default(),
            })
        })
        .collect();
    Ok(ok(serde_json::json!({ "data": data })))
}

async fn count<S: HubStore>(
    st: &AppState<S>,
    headers: &HeaderMap,
    kind: Kind,
) -> VxpResult<Response> {
    let (me, _) = authenticate(st, headers).await?;
    let n = st
        .store
        .inbox(&me.unit, 0, LIST_LIMIT)
        .await?
        .iter()
        .filter(|i| i.kind == kind)
        .count();
    Ok(ok(serde_json::json!({ "count": n })))
}

async fn count_edoc<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    count(&st, &headers, Kind::Edoc).await
}

async fn count_status<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    count(&st, &headers, Kind::Status).await
}

/// `/getEdoc`: the package `docId` in base64; only for a recipient (or its sender).
async fn get_edoc<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    let (me, signed) = authenticate(&st, &headers).await?;
    let id = signed
        .get("docid")
        .ok_or_else(|| bad("Thiếu docId / missing docId"))?;
    let m = st.store.message(id).await?.ok_or_else(not_found)?;
    let recipient = m.recipients.iter().any(|d| d.agency == me.unit);
    if !recipient && m.sender != me.unit {
        return Err(not_found());
    }
    let data = st.store.read_blob(&m.sha256, 0, m.size).await?;
    if recipient {
        st.store.mark_fetched(id, &me.unit, now_ms()).await?;
    }
    Ok(ok(serde_json::json!({
        "data": base64::engine::general_purpose::STANDARD.encode(&data),
    })))
}

/// `/updateStatus`: the receiver's transport status of `docId`. `done` acknowledges the
/// delivery (it leaves the list); `processing` records the fetch; `fail` and `initial`
/// leave it pending, so it is offered again.
async fn update_status<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    let (me, signed) = authenticate(&st, &headers).await?;
    let id = signed
        .get("docid")
        .ok_or_else(|| bad("Thiếu docId / missing docId"))?;
    let status = signed
        .get("status")
        .ok_or_else(|| bad("Thiếu status / missing status"))?
        .to_ascii_lowercase();
    if !matches!(status.as_str(), "initial" | "processing" | "done" | "fail") {
        return Err(bad(format!(
            "status phải là initial, processing, done hoặc fail: {status} / status must be initial, processing, done or fail"
        )));
    }
    // Only a recipient reports transport status, and an outsider learns nothing (404).
    let m = st.store.message(id).await?.ok_or_else(not_found)?;
    if !m.recipients.iter().any(|d| d.agency == me.unit) {
        return Err(not_found());
    }
    match status.as_str() {
        "done" => st.store.ack(id, &me.unit, now_ms()).await?,
        "processing" => st.store.mark_fetched(id, &me.unit, now_ms()).await?,
        _ => tracing::info!(message = id, agency = %me.unit, status, "VXP transport status"),
    }
    Ok(ok(serde_json::json!({})))
}

/// `/getSentEdocList`: one entry per (document sent, recipient) with its transport state.
async fn sent_list<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    let (me, _) = authenticate(&st, &headers).await?;
    let mut data = Vec::new();
    for (_, m) in st.store.sent(&me.unit, 0, LIST_LIMIT).await? {
        for d in &m.recipients {
            let receive = if d.acked_at_ms.is_some() {
                "done"
            } else if d.fetched_at_ms.is_some() {
                "processing"
            } else {
                "initial"
            };
            data.push(serde_json::json!({
                "serviceType": "eDoc",
                "messageType": m.kind.as_str(),
                "senderDocId": m.message_id,
                "receiverDocId": m.message_id,
                "fromCode": m.sender,
                "toCode": d.agency,
                "notation": m.document_id.clone().unwrap_or_default(),
                "title": m.document_id.clone().unwrap_or_default(),
                "sentTime": vn_time(m.created_at_ms),
                "receivedTime": d.acked_at_ms.or(d.fetched_at_ms).map(vn_time).unwrap_or_default(),
                "sendStatus": "done",
                "sendStatusDesc": "",
                "receiveStatus": receive,
                "receiveStatusDesc": "",
            }));
        }
    }
    Ok(ok(serde_json::json!({ "data": data })))
}

/// `/getAgenciesList`: the agencies registered on this hub.
async fn agencies<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    authenticate(&st, &headers).await?;
    let data: Vec<_> = st
        .store
        .list_agencies()
        .await?
        .into_iter()
        .map(|a| {
            serde_json::json!({ "id": a.code, "pid": "", "code": a.code, "name": a.name, "mail": "" })
        })
        .collect();
    Ok(ok(serde_json::json!({ "data": data })))
}

/// Agencies are registered by the hub's operator (`vanthu hub add-agency`), not by clients.
async fn unsupported<S: HubStore>(State(st): St<S>, headers: HeaderMap) -> VxpResult<Response> {
    authenticate(&st, &headers).await?;
    Err(VxpError(ApiError::new(
        StatusCode::FORBIDDEN,
        "unsupported",
        "Đơn vị do người quản trị trục đăng ký (vanthu hub add-agency) / agencies are registered by the hub operator",
    )))
}
