//! The background sync engine: pushes the outbox, pulls the hub queue, queues automatic
//! statuses. Each step is idempotent: uploads carry a stable message id, downloads resume
//! from the partial file, a stored package is acknowledged only after its transaction
//! committed, and re-seeing an already stored package just re-acknowledges it.
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::addressing::status_message_id;
use crate::state::{now_ms, ReceivedBatchItem, StateError, SyncState};
use crate::status::{status_package, vn_time, StatusInfo};
use crate::transport::{HubTransport, Operation, OutgoingPackage, RemoteItem, TransportError};

/// Why the engine refused a document or could not finish a round.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The declared secrecy is mật or above.
    #[error("Văn bản mật, tối mật, tuyệt mật không được gửi qua trục / documents marked mật or above are never sent over the hub")]
    SecretRefused,
    /// The declared secrecy is not a known độ mật.
    #[error("Độ mật không hợp lệ: {0} / invalid secrecy: {0}")]
    BadSecrecy(String),
    /// The package itself is marked mật or above (vanthu_edxml::facts), whatever the
    /// declared secrecy said.
    #[error("Gói tin ghi độ mật ({0}): văn bản mật, tối mật, tuyệt mật không được gửi qua trục / the package is marked secret in its header ({0}) and is never sent over the hub")]
    SecretContent(String),
    /// The package header could not be checked (a DTD, malformed, or a header past the bound).
    #[error("Không kiểm tra được độ mật của gói tin / cannot check the package's secrecy: {0}")]
    Unreadable(String),
    /// A document must name at least one recipient.
    #[error("Chưa có đơn vị nhận / no recipients")]
    NoRecipients,
    /// No received document package has this message id.
    #[error("Không tìm thấy gói tin đã nhận {0} / no received message {0}")]
    UnknownReceived(String),
    /// The hub could not be reached at the start of the round.
    #[error("Đang ngoại tuyến / offline: {0}")]
    Offline(String),
    /// Talking to the hub failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The local queues could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// A package body file could not be read or written.
    #[error("lỗi tệp / file error: {0}")]
    Io(#[from] std::io::Error),
    /// A status package could not be written.
    #[error(transparent)]
    Edxml(#[from] vanthu_edxml::Error),
}

/// What the engine reports while it works (the app shows "Đang đồng bộ 3/10", an offline
/// badge and the last sync time from these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    /// The hub answered the round's probe.
    Online,
    /// The hub could not be reached; the round stops.
    Offline {
        /// Why, as the transport said it.
        reason: String,
    },
    /// Packages handled so far this round, uploads and downloads together.
    Progress {
        /// Packages handled.
        done: u64,
        /// Packages known to handle this round (grows as the inbox is read).
        total: u64,
    },
    /// The hub accepted a package.
    Sent {
        /// Hub message id of the package.
        message_id: String,
    },
    /// A new package was downloaded.
    Received {
        /// Hub message id of the package.
        message_id: String,
        /// `edoc` or `status`.
        kind: String,
    },
    /// The hub refused a package for good.
    Rejected {
        /// Hub message id of the package.
        message_id: String,
        /// The hub's message.
        reason: String,
    },
    /// The round ended.
    Finished {
        /// What the round did.
        report: SyncReport,
    },
}

/// Totals of one sync round, as shown after "Đồng bộ xong".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Packages the hub accepted this round.
    pub sent: u64,
    /// New packages downloaded this round.
    pub received: u64,
    /// Packages the hub refused for good this round.
    pub rejected: u64,
    /// Packages still queued when the round ended.
    pub pending_outbox: u64,
    /// When the round ended (ms since the epoch).
    pub finished_at_ms: i64,
}

/// Retry, paging and concurrency knobs of the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Tries per request before the round gives up (the daemon then backs off).
    pub max_attempts: u32,
    /// First retry delay; doubled on each attempt.
    pub base_backoff: Duration,
    /// Upper bound of one retry delay.
    pub max_backoff: Duration,
    /// Deliveries asked of the hub per inbox page.
    pub page_size: u32,
    /// Bound on inbox pages per round, so one round always ends.
    pub max_pages: u32,
    /// Uploads in flight at once (packages about distinct documents).
    pub upload_window: usize,
    /// Downloads in flight at once; together they hold at most [`FETCH_GROUP_BYTES`].
    pub fetch_window: usize,
}

/// Packages up to this size are downloaded into memory rather than a resumable partial file.
pub const IN_MEMORY_FETCH: u64 = 1 << 20;

/// Bytes of the packages downloaded together (a larger package is fetched on its own), so
/// memory stays bounded whatever the packages' sizes.
pub const FETCH_GROUP_BYTES: u64 = 8 << 20;

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_attempts: 6,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            page_size: 100,
            max_pages: 1000,
            upload_window: 32,
            fetch_window: 32,
        }
    }
}

/// Exponential backoff with jitter: a random delay in [d/2, d], d = min(cap, base·2^attempt).
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(20)).min(cap);
    let half = exp / 2;
    half + exp.mul_f64(rand::random::<f64>() * 0.5)
}

/// Who we are, for the status packages we emit.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Our agency code (`OrganId` of the statuses).
    pub agency: String,
    /// Our agency name (`OrganName` of the statuses).
    pub agency_name: String,
}

/// Receives the engine's progress events (the app forwards them to the UI).
pub type EventSink = Arc<dyn Fn(SyncEvent) + Send + Sync>;

/// Work done around the network steps of each round, on the engine's state: the app and CLI
/// use it to move packages between the engine's queues and the registry (see `bridge`).
/// Called before the first push and again after the pull, so statuses queued by the import
/// leave in the same round.
pub type RoundHook = Arc<dyn Fn(&SyncState) -> Result<(), String> + Send + Sync>;

/// Called after every daemon round with the engine's state and the round's outcome.
pub type AfterRound = Arc<dyn Fn(&SyncState, Result<&SyncReport, &SyncError>) + Send + Sync>;

/// Called with the newly overdue recipients and the overdue threshold in hours.
pub type OverdueNotice = Arc<dyn Fn(Vec<crate::RecipientStatus>, u32) + Send + Sync>;

/// What a host of [`Engine::run_daemon`] hears after each round: the app turns these into its
/// status snapshot event and desktop notifications; the CLI daemon needs none of them.
#[derive(Clone, Default)]
pub struct DaemonHooks {
    /// After every round, good or failed, before the wait.
    pub after_round: Option<AfterRound>,
    /// After a good round, the recipients newly overdue (each (document, recipient) once,
    /// ever: they are marked notified in the state) and the overdue threshold in hours.
    /// Without this hook nothing is marked, so a host that announces them later still can.
    pub overdue: Option<OverdueNotice>,
}

/// Pushes the queued packages to the hub and pulls the deliveries waiting there, one round at a time.
pub struct Engine<T: HubTransport> {
    transport: T,
    state: SyncState,
    me: Identity,
    cfg: EngineConfig,
    events: EventSink,
    hook: Option<RoundHook>,
    numbering: Option<NumberingConfig>,
}

/// A document to queue for sending.
#[derive(Debug, Clone)]
pub struct SendRequest {
    /// Hub message id to use; `None`: a new one is generated.
    pub message_id: Option<String>,
    /// What the package does (send, recall, update, replace).
    pub op: Operation,
    /// Message id of the earlier package a recall, update or replacement concerns.
    pub related: Option<String>,
    /// Agency codes to deliver to.
    pub recipients: Vec<String>,
    /// The edXML `DocumentId`, for tracking replies to it.
    pub document_id: Option<String>,
    /// Độ mật as the user set it (Vietnamese label or English/ASCII form).
    pub secrecy: String,
    /// The edXML package to send.
    pub body: Vec<u8>,
}

/// What the package says of itself: refused when its header is marked mật or above, or
/// cannot be checked, whatever the declared secrecy (docs/sync.md, "Who may say what").
pub fn check_content_secrecy(body: &[u8]) -> Result<(), SyncError> {
    match vanthu_edxml::header_facts(body) {
        Ok(Some(f)) if f.is_secret() => Err(SyncError::SecretContent(
            f.secrecy_source.unwrap_or_default(),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(SyncError::Unreadable(e.to_string())),
    }
}

/// Only "thường" may travel; everything else, or anything unreadable, is refused.
pub fn check_secrecy(label: &str) -> Result<(), SyncError> {
    let s: vanthu_domain::Secrecy = label
        .parse()
        .map_err(|_| SyncError::BadSecrecy(label.to_owned()))?;
    if s.may_send_over_hub() {
        Ok(())
    } else {
        Err(SyncError::SecretRefused)
    }
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Where the registry lives and how many numbers to ask the hub for at a time
/// (docs/sync.md, "Numbering while offline"; the refill itself is numbering.rs).
#[derive(Debug, Clone)]
pub struct NumberingConfig {
    /// The data directory holding the registry (`vanthu.db`).
    pub data_dir: PathBuf,
    /// Numbers per block; a new block is reserved when fewer than a quarter remain.
    pub block_size: u32,
}

impl<T: HubTransport> Engine<T> {
    /// An engine on this transport and state, with no event sink, hook or numbering.
    pub fn new(transport: T, state: SyncState, me: Identity, cfg: EngineConfig) -> Engine<T> {
        Engine {
            transport,
            state,
            me,
            cfg,
            events: Arc::new(|_| {}),
            hook: None,
            numbering: None,
        }
    }

    /// Keeps the registry in `cfg.data_dir` supplied with number blocks from the hub each
    /// round (see crate::numbering).
    pub fn with_numbering(mut self, cfg: NumberingConfig) -> Self {
        self.numbering = Some(cfg);
        self
    }

    pub(crate) fn numbering_config(&self) -> Option<&NumberingConfig> {
        self.numbering.as_ref()
    }

    pub(crate) fn transport(&self) -> &T {
        &self.transport
    }

    /// Runs `hook` around the network steps of each round (see [`RoundHook`]).
    pub fn with_round_hook(mut self, hook: RoundHook) -> Self {
        self.hook = Some(hook);
        self
    }

    fn run_hook(&self) {
        if let Some(h) = &self.hook {
            if let Err(e) = h(&self.state) {
                tracing::warn!("sync round hook failed: {e}");
            }
        }
    }

    /// Sends progress events to `sink` instead of dropping them.
    pub fn on_event(mut self, sink: EventSink) -> Self {
        self.events = sink;
        self
    }

    /// The queues the engine works on.
    pub fn state(&self) -> &SyncState {
        &self.state
    }

    fn emit(&self, e: SyncEvent) {
        (self.events)(e)
    }

    /// Queues a document (or a recall/update/replace of one). Refuses secret documents.
    pub fn queue(&self, req: SendRequest) -> Result<String, SyncError> {
        Ok(self.queue_many(vec![req])?.remove(0))
    }

    /// Queues several documents in one durable transaction; all or none (a secret one
    /// refuses the whole batch before anything is written).
    pub fn queue_many(&self, reqs: Vec<SendRequest>) -> Result<Vec<String>, SyncError> {
        let mut items = Vec::with_capacity(reqs.len());
        for req in reqs {
            check_secrecy(&req.secrecy)?;
            check_content_secrecy(&req.body)?;
            if req.recipients.is_empty() && req.op == Operation::Send {
                return Err(SyncError::NoRecipients);
            }
            let message_id = req
                .message_id
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let pkg = OutgoingPackage {
                message_id,
                op: req.op,
                related: req.related,
                status_code: None,
                recipients: req.recipients,
                document_id: req.document_id,
                sha256: sha_hex(&req.body),
            };
            items.push((pkg, req.body));
        }
        self.state.enqueue_many(&items)?;
        Ok(items.into_iter().map(|(p, _)| p.message_id).collect())
    }

    /// Queues status `code` about a received document, addressed to its sender.
    pub fn queue_status(
        &self,
        received_message_id: &str,
        code: &str,
        description: &str,
    ) -> Result<String, SyncError> {
        let item = self
            .state
            .received()?
            .into_iter()
            .find(|r| r.message_id == received_message_id && r.kind == "edoc")
            .ok_or_else(|| SyncError::UnknownReceived(received_message_id.to_owned()))?;
        let (pkg, body) = self.status_for(
            &item.message_id,
            &item.sender,
            item.document_id.as_deref(),
            code,
            description,
        )?;
        self.state.enqueue(&pkg, &body)?;
        Ok(pkg.message_id)
    }

    fn status_for(
        &self,
        message_id: &str,
        sender: &str,
        document_id: Option<&str>,
        code: &str,
        description: &str,
    ) -> Result<(OutgoingPackage, Vec<u8>), SyncError> {
        let body = status_package(&StatusInfo {
            response_for_organ: sender,
            response_for_document_id: document_id.unwrap_or(message_id),
            from_organ: &self.me.agency,
            from_name: &self.me.agency_name,
            code,
            description,
            timestamp: vn_time(now_ms()),
            staff: None,
        })?;
        let pkg = OutgoingPackage {
            message_id: status_message_id(message_id, code, &self.me.agency),
            op: Operation::Status,
            related: Some(message_id.to_owned()),
            status_code: Some(code.to_owned()),
            recipients: Vec::new(),
            document_id: document_id.map(str::to_owned),
            sha256: sha_hex(&body),
        };
        Ok((pkg, body))
    }

    pub(crate) async fn retry<R, F, Fut>(&self, mut f: F) -> Result<R, TransportError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<R, TransportError>>,
    {
        let mut attempt = 0;
        loop {
            match f().await {
                Ok(r) => return Ok(r),
                Err(e) if e.is_retryable() && attempt + 1 < self.cfg.max_attempts => {
                    tracing::debug!("retrying after: {e}");
                    tokio::time::sleep(backoff(
                        attempt,
                        self.cfg.base_backoff,
                        self.cfg.max_backoff,
                    ))
                    .await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One full round: probe, push, pull, push the statuses the pull queued.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        if let Err(e) = self.retry(|| self.transport.ping()).await {
            self.emit(SyncEvent::Offline {
                reason: e.to_string(),
            });
            return Err(SyncError::Offline(e.to_string()));
        }
        self.emit(SyncEvent::Online);
        let mut report = SyncReport::default();
        let mut progress = (0u64, self.state.pending_outbox_count()?);
        self.run_hook();
        progress.1 = self.state.pending_outbox_count()?;
        let result = async {
            // Blocks first: provisional numbers resolve before anything else happens.
            self.refill_numbering().await?;
            self.push(&mut report, &mut progress).await?;
            self.pull(&mut report, &mut progress).await?;
            self.run_hook();
            progress.1 += self.state.pending_outbox_count()?;
            self.push(&mut report, &mut progress).await
        }
        .await;
        if let Err(e) = result {
            if let SyncError::Transport(TransportError::Offline(reason)) = &e {
                self.emit(SyncEvent::Offline {
                    reason: reason.clone(),
                });
            }
            return Err(e);
        }
        report.pending_outbox = self.state.pending_outbox_count()?;
        report.finished_at_ms = now_ms();
        self.state
            .set_meta("last_sync_ms", &report.finished_at_ms.to_string())?;
        self.emit(SyncEvent::Finished {
            report: report.clone(),
        });
        Ok(report)
    }

    async fn push(
        &self,
        report: &mut SyncReport,
        progress: &mut (u64, u64),
    ) -> Result<(), SyncError> {
        // Up to `upload_window` packages in flight, taken in queue order. Two packages about
        // the same document (e.g. its 03 and 04) are never in one window, and a window ends
        // before the next starts, so a recipient still sees 01 before 03 before 04. A window
        // that meets a transient failure ends the round; the next round starts again from the
        // oldest unsent package.
        let mut after = 0;
        loop {
            let mut window = Vec::new();
            let mut docs = std::collections::HashSet::new();
            let mut cursor = after;
            while window.len() < self.cfg.upload_window.max(1) {
                let Some((seq, pkg, body)) = self.state.next_pending(cursor)? else {
                    break;
                };
                let doc = pkg
                    .related
                    .clone()
                    .unwrap_or_else(|| pkg.message_id.clone());
                if !docs.insert(doc) {
                    break;
                }
                cursor = seq;
                window.push((seq, pkg, bytes::Bytes::from(body)));
            }
            if window.is_empty() {
                return Ok(());
            }
            let results =
                futures_util::future::join_all(window.iter().map(|(_, pkg, body)| {
                    self.retry(move || self.transport.send(pkg, body.clone()))
                }))
                .await;
            let mut failure = None;
            // The window's accepted packages are marked in one transaction, before any event
            // says they were sent.
            let accepted: Vec<i64> = window
                .iter()
                .zip(&results)
                .filter(|(_, r)| r.is_ok())
                .map(|((seq, _, _), _)| *seq)
                .collect();
            self.state.mark_sent(&accepted)?;
            for ((seq, pkg, _), result) in window.iter().zip(results) {
                match result {
                    Ok(()) => {
                        report.sent += 1;
                        self.emit(SyncEvent::Sent {
                            message_id: pkg.message_id.clone(),
                        });
                    }
                    Err(TransportError::Rejected { message, .. }) => {
                        self.state.mark_failed(*seq, &message)?;
                        report.rejected += 1;
                        self.emit(SyncEvent::Rejected {
                            message_id: pkg.message_id.clone(),
                            reason: message,
                        });
                    }
                    Err(e) => {
                        self.state.note_attempt(*seq, &e.to_string())?;
                        failure.get_or_insert(e);
                        continue;
                    }
                }
                progress.0 += 1;
                self.emit(SyncEvent::Progress {
                    done: progress.0,
                    total: progress.1.max(progress.0),
                });
            }
            if let Some(e) = failure {
                return Err(e.into());
            }
            after = cursor;
        }
    }

    async fn pull(
        &self,
        report: &mut SyncReport,
        progress: &mut (u64, u64),
    ) -> Result<(), SyncError> {
        // Packages are downloaded a few at a time (one round trip for the group, not one
        // each), stored in batches (one durable commit per batch, not per package), then
        // acknowledged with one request per batch; a batch is bounded in bytes so memory
        // stays flat. Order is kept: a group's packages are stored in the hub's order.
        const BATCH_BYTES: usize = 8 << 20;
        let mut after = 0;
        for _ in 0..self.cfg.max_pages {
            let items = self
                .retry(|| self.transport.pending(after, self.cfg.page_size))
                .await?;
            if items.is_empty() {
                break;
            }
            progress.1 += items.len() as u64;
            after = items.last().map_or(after, |i| i.seq);
            let mut stored_before = Vec::new();
            let mut fresh = Vec::new();
            for item in items {
                if self.state.has_received(&item.message_id)?.is_some() {
                    // Stored earlier, but the hub never saw our ack (or we never saw its answer).
                    stored_before.push(item.message_id);
                } else {
                    fresh.push(item);
                }
            }
            self.acknowledge(&stored_before, progress).await?;
            let mut batch: Vec<ReceivedBatchItem> = Vec::new();
            let mut batch_bytes = 0;
            for group in fetch_groups(fresh, self.cfg.fetch_window) {
                let bodies =
                    futures_util::future::join_all(group.iter().map(|item| self.download(item)))
                        .await;
                for (item, body) in group.into_iter().zip(bodies) {
                    let body = match body {
                        Ok(b) => b,
                        Err(e) => {
                            // Keep what is already downloaded before giving up the round.
                            self.store_and_ack(std::mem::take(&mut batch), report, progress)
                                .await?;
                            return Err(e);
                        }
                    };
                    let entry = self.received_entry(item, body)?;
                    batch_bytes += entry.1.len();
                    batch.push(entry);
                    if batch_bytes >= BATCH_BYTES {
                        self.store_and_ack(std::mem::take(&mut batch), report, progress)
                            .await?;
                        batch_bytes = 0;
                    }
                }
            }
            self.store_and_ack(batch, report, progress).await?;
        }
        Ok(())
    }

    /// A downloaded package as it is stored: a status from another system gets the code its
    /// package says, and a new document from another unit its "01 Đã đến" to queue.
    fn received_entry(
        &self,
        mut item: RemoteItem,
        body: Vec<u8>,
    ) -> Result<ReceivedBatchItem, SyncError> {
        // A status from another system: its code is what the package says (both header
        // forms), whatever the transport's metadata carried; an internal status (JSON
        // between desktops of one unit) keeps the hub's code.
        if item.kind == "status" && !crate::addressing::is_internal(&item.sender) {
            if let Some(code) = crate::status::code_of(&body) {
                if item.status_code.as_deref() != Some(code.as_str()) {
                    if let Some(hub) = &item.status_code {
                        tracing::warn!(message = %item.message_id, hub = %hub, package = %code,
                            "status code differs between the hub and the package; the package wins");
                    }
                    item.status_code = Some(code);
                }
            }
        }
        // An internal package (another desktop of our unit) gets no "đã đến".
        let follow_ups = if item.kind == "edoc"
            && item.business == "new"
            && !crate::addressing::is_internal(&item.sender)
        {
            vec![self.status_for(
                &item.message_id,
                &item.sender,
                item.document_id.as_deref(),
                "01",
                "Đã đến",
            )?]
        } else {
            Vec::new()
        };
        Ok((item, body, follow_ups))
    }

    /// Tells the hub these packages are stored (one request per batch), then records that.
    /// An id the hub does not know as ours is logged and left: it is no longer pending there.
    async fn acknowledge(
        &self,
        ids: &[String],
        progress: &mut (u64, u64),
    ) -> Result<(), SyncError> {
        if ids.is_empty() {
            return Ok(());
        }
        let unknown = self.retry(|| self.transport.ack_many(ids)).await?;
        for id in &unknown {
            tracing::warn!(message = %id, "the hub does not know this delivery as ours; not acknowledged");
        }
        let acked: Vec<String> = ids
            .iter()
            .filter(|id| !unknown.contains(id))
            .cloned()
            .collect();
        self.state.mark_acked(&acked)?;
        progress.0 += ids.len() as u64;
        self.emit(SyncEvent::Progress {
            done: progress.0,
            total: progress.1.max(progress.0),
        });
        Ok(())
    }

    /// Store (one transaction, with the queued "01"s) → acknowledge the batch.
    async fn store_and_ack(
        &self,
        batch: Vec<ReceivedBatchItem>,
        report: &mut SyncReport,
        progress: &mut (u64, u64),
    ) -> Result<(), SyncError> {
        if batch.is_empty() {
            return Ok(());
        }
        let new = self.state.store_received(&batch)?;
        for ((item, _, _), is_new) in batch.iter().zip(new) {
            let _ = std::fs::remove_file(self.state.partial_path(&item.message_id));
            if is_new {
                report.received += 1;
            }
            self.emit(SyncEvent::Received {
                message_id: item.message_id.clone(),
                kind: item.kind.clone(),
            });
        }
        let ids: Vec<String> = batch.into_iter().map(|(i, _, _)| i.message_id).collect();
        self.acknowledge(&ids, progress).await
    }

    async fn download(&self, item: &RemoteItem) -> Result<Vec<u8>, SyncError> {
        let path = self.state.partial_path(&item.message_id);
        // A small package is fetched into memory: a partial file costs each package a file
        // created and deleted (the filesystem's inode allocator was the top kernel cost of a
        // 10 000-package round). Cut off mid-way it resumes within the round and restarts from
        // 0 in the next one, which at this size costs little.
        if item.size > 0 && item.size <= IN_MEMORY_FETCH && !path.exists() {
            let mut buf = std::io::Cursor::new(Vec::with_capacity(item.size as usize));
            return self.fetch_into(item, &mut buf).await;
        }
        // No fsync: the SHA-256 check catches a partial file a power cut damaged.
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        self.fetch_into(item, &mut file).await
    }

    /// Fetches `item` into `part`, resuming from what it already holds after each failed
    /// attempt (whatever arrived stays), until the bytes match the hub's SHA-256.
    async fn fetch_into(
        &self,
        item: &RemoteItem,
        part: &mut dyn Partial,
    ) -> Result<Vec<u8>, SyncError> {
        let mut attempt = 0;
        loop {
            let have = part.have()?;
            if have < item.size || item.size == 0 {
                if let Err(e) = self.transport.fetch(&item.message_id, have, part).await {
                    if e.is_retryable() && attempt + 1 < self.cfg.max_attempts {
                        tokio::time::sleep(backoff(
                            attempt,
                            self.cfg.base_backoff,
                            self.cfg.max_backoff,
                        ))
                        .await;
                        attempt += 1;
                        continue;
                    }
                    return Err(e.into());
                }
            }
            if part.have()? >= item.size {
                let buf = part.contents()?;
                if sha_hex(&buf) == item.sha256 {
                    return Ok(buf);
                }
                // Complete but wrong (a stale or corrupt partial file): start over.
                part.clear()?;
            }
            attempt += 1;
            if attempt >= self.cfg.max_attempts {
                return Err(TransportError::Transient(format!(
                    "SHA-256 mismatch for {}",
                    item.message_id
                ))
                .into());
            }
        }
    }

    /// Runs rounds until `shutdown` resolves (or `max_rounds` when given, for tests): after a
    /// good round waits `interval` (or a wake-up), after a failed one backs off with jitter.
    /// The one daemon loop of the CLI (`vanthu sync --daemon`) and the app; `hooks` carry what
    /// each host does between rounds.
    pub async fn run_daemon(
        &self,
        interval: Duration,
        wake: Arc<tokio::sync::Notify>,
        max_rounds: Option<u64>,
        shutdown: impl std::future::Future<Output = ()>,
        hooks: DaemonHooks,
    ) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        let mut rounds = 0u64;
        loop {
            let outcome = self.sync_once().await;
            let delay = match &outcome {
                Ok(_) => {
                    failures = 0;
                    if let Some(announce) = &hooks.overdue {
                        self.announce_overdue(announce);
                    }
                    interval
                }
                Err(e) => {
                    tracing::warn!("sync round failed: {e}");
                    failures += 1;
                    backoff(
                        failures,
                        self.cfg.base_backoff.max(Duration::from_millis(500)),
                        self.cfg.max_backoff,
                    )
                }
            };
            if let Some(after) = &hooks.after_round {
                after(&self.state, outcome.as_ref());
            }
            rounds += 1;
            if max_rounds.is_some_and(|m| rounds >= m) {
                return;
            }
            tokio::select! {
                _ = &mut shutdown => return,
                _ = wake.notified() => {},
                _ = tokio::time::sleep(delay) => {},
            }
        }
    }

    fn announce_overdue(&self, announce: &OverdueNotice) {
        match self.state.newly_overdue(now_ms()) {
            Ok(rows) if rows.is_empty() => {}
            Ok(rows) => announce(rows, self.state.overdue_hours().unwrap_or(24)),
            Err(e) => tracing::warn!("cannot compute sync alerts: {e}"),
        }
    }
}

/// Where a download accumulates between attempts: a partial file or memory.
trait Partial: crate::transport::FetchSink {
    /// Bytes held so far.
    fn have(&mut self) -> std::io::Result<u64>;
    /// Everything held (called once the download is complete).
    fn contents(&mut self) -> std::io::Result<Vec<u8>>;
}

impl Partial for std::fs::File {
    fn have(&mut self) -> std::io::Result<u64> {
        Ok(self.metadata()?.len())
    }
    fn contents(&mut self) -> std::io::Result<Vec<u8>> {
        use std::io::Seek;
        let mut buf = Vec::new();
        self.seek(std::io::SeekFrom::Start(0))?;
        self.read_to_end(&mut buf)?;
        Ok(buf)
    }
}

impl Partial for std::io::Cursor<Vec<u8>> {
    fn have(&mut self) -> std::io::Result<u64> {
        Ok(self.get_ref().len() as u64)
    }
    fn contents(&mut self) -> std::io::Result<Vec<u8>> {
        self.set_position(0);
        Ok(std::mem::take(self.get_mut()))
    }
}

/// Splits an inbox page into groups downloaded together: at most `window` packages and
/// [`FETCH_GROUP_BYTES`] per group, a larger package alone; the page's order is kept.
fn fetch_groups(items: Vec<RemoteItem>, window: usize) -> Vec<Vec<RemoteItem>> {
    let mut groups: Vec<Vec<RemoteItem>> = Vec::new();
    let mut bytes = 0u64;
    for item in items {
        let fits = groups.last().is_some_and(|g| {
            g.len() < window.max(1) && bytes.saturating_add(item.size) <= FETCH_GROUP_BYTES
        });
        if fits {
            bytes += item.size;
            groups.last_mut().expect("checked").push(item);
        } else {
            bytes = item.size;
            groups.push(vec![item]);
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrecy_gate() {
        assert!(check_secrecy("thường").is_ok());
        assert!(check_secrecy("normal").is_ok());
        for s in ["mật", "Tối mật", "tuyệt mật", "secret", "3"] {
            assert!(
                matches!(check_secrecy(s), Err(SyncError::SecretRefused)),
                "{s}"
            );
        }
        assert!(matches!(
            check_secrecy("hmm"),
            Err(SyncError::BadSecrecy(_))
        ));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for attempt in 0..30 {
            let d = backoff(attempt, base, cap);
            let full = base.saturating_mul(1 << attempt.min(20)).min(cap);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn status_ids_are_stable_and_valid() {
        let a = status_message_id(
            "7f3c2a10-5b1e-4c47-9d2e-0a1b2c3d4e5f",
            "01",
            "000.01.20.H34",
        );
        assert_eq!(
            a,
            status_message_id(
                "7f3c2a10-5b1e-4c47-9d2e-0a1b2c3d4e5f",
                "01",
                "000.01.20.H34"
            )
        );
        assert_ne!(
            a,
            status_message_id(
                "7f3c2a10-5b1e-4c47-9d2e-0a1b2c3d4e5f",
                "03",
                "000.01.20.H34"
            )
        );
        let long = status_message_id(&"x".repeat(200), "01", "A");
        assert!(long.len() <= 128);
    }
}
