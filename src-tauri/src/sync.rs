//! The sync engine inside the app (docs/sync.md, docs/app.md). At launch, when the data dir
//! holds hub settings (the ones `vanthu sync setup` writes), a background task runs rounds
//! with backoff; its events become one `sync-status` snapshot the header indicator shows.
//! The loop is the engine's own daemon (`Engine::run_daemon`); each round's register work is
//! `vanthu_core::round` (received packages into the register, its status codes out). After
//! each good round each newly overdue recipient raises one desktop notification.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_notification::NotificationExt;
use vanthu_sync::alerts::overdue;
use vanthu_sync::engine::{EventSink, RoundHook};
use vanthu_sync::settings::Settings;
use vanthu_sync::{
    Connection, DaemonHooks, Engine, EngineConfig, Identity, RecipientStatus, SyncEvent, SyncState,
};

use crate::commands::CommandError;
use crate::AppState;

/// Time between rounds after a good one ("Đồng bộ ngay" wakes the engine earlier).
const INTERVAL: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub configured: bool,
    pub hub_url: Option<String>,
    pub agency: Option<String>,
    pub agency_name: Option<String>,
    /// The systemId when the hub is a VXP axis.
    pub vxp_system_id: Option<String>,
    /// None until the first probe of the hub.
    pub online: Option<bool>,
    /// A round is in progress.
    pub running: bool,
    pub done: u32,
    pub total: u32,
    /// Milliseconds since the epoch (f64: the webview has no i64).
    pub last_sync_ms: Option<f64>,
    pub last_error: Option<String>,
    pub pending_out: u32,
    /// Received packages not yet in the register.
    pub pending_in: u32,
    pub alerts: u32,
    pub overdue_hours: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncAlert {
    pub message_id: String,
    pub document_id: Option<String>,
    pub recipient: String,
    pub recipient_name: Option<String>,
    pub sent_ms: f64,
    pub latest_code: Option<String>,
    pub latest_label: Option<String>,
    /// When the latest status arrived (ms since the epoch).
    pub latest_ms: Option<f64>,
    /// What the latest status says besides its code (the reason of a 02 Từ chối); only in a
    /// document's recipient list.
    pub latest_note: Option<String>,
    /// "Chưa nhận" | "Chưa tiếp nhận" (empty: not overdue)
    pub alert: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncSetup {
    pub hub_url: String,
    pub agency: String,
    pub agency_name: String,
    /// Empty keeps the stored secret (same agency only).
    pub secret: String,
    pub overdue_hours: u32,
    /// The systemId on a national axis's VXP API; empty or absent = a vanthu hub.
    #[serde(default)]
    pub vxp_system_id: Option<String>,
}

struct Running {
    handle: tauri::async_runtime::JoinHandle<()>,
    wake: Arc<tokio::sync::Notify>,
}

/// Managed state: the running engine (if configured) and the last snapshot.
pub struct SyncService {
    data_dir: PathBuf,
    state: SyncState,
    snapshot: Arc<Mutex<SyncStatus>>,
    running: Mutex<Option<Running>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_ms() -> i64 {
    vanthu_sync::state::now_ms()
}

impl SyncService {
    pub fn open(data_dir: &Path) -> anyhow::Result<SyncService> {
        // The app always has a register (opened before this), so the queues live in it and a
        // registry status row becomes its package in one transaction (docs/sync.md).
        let state = SyncState::open_registry(data_dir)?;
        let snapshot = SyncStatus {
            last_sync_ms: state
                .meta("last_sync_ms")?
                .and_then(|v| v.parse::<i64>().ok())
                .map(|v| v as f64),
            ..Default::default()
        };
        Ok(SyncService {
            data_dir: data_dir.to_path_buf(),
            state,
            snapshot: Arc::new(Mutex::new(snapshot)),
            running: Mutex::new(None),
        })
    }

    /// The snapshot with fresh counts from the queues.
    pub fn status(&self, app: &AppHandle) -> SyncStatus {
        refresh_counts(app, &self.state, &self.snapshot);
        lock(&self.snapshot).clone()
    }

    pub fn alerts(
        &self,
        app: &AppHandle,
    ) -> Result<Vec<SyncAlert>, vanthu_sync::state::StateError> {
        let rows = overdue(self.state.recipient_statuses(now_ms())?);
        Ok(to_alert_rows(app, rows))
    }

    /// Every recipient of one sent message with its latest status, overdue or not.
    /// Every recipient of one sent message with its latest status, overdue or not, and what
    /// that status says besides its code (a refusal's reason).
    pub fn recipients_of(
        &self,
        app: &AppHandle,
        message_id: &str,
    ) -> Result<Vec<SyncAlert>, vanthu_sync::state::StateError> {
        let rows = self
            .state
            .recipient_statuses(now_ms())?
            .into_iter()
            .filter(|r| r.message_id == message_id)
            .collect();
        let mut rows = to_alert_rows(app, rows);
        for r in &mut rows {
            let note = self.state.latest_status_note(message_id, &r.recipient)?;
            // "Đã đến" under "01 Đã đến" says nothing new.
            r.latest_note = note.filter(|n| {
                r.latest_label
                    .as_deref()
                    .is_none_or(|l| !l.eq_ignore_ascii_case(n.trim()))
            });
        }
        Ok(rows)
    }

    /// Starts (or restarts, after new settings) the engine when settings exist.
    pub fn start(&self, app: &AppHandle) {
        let mut slot = lock(&self.running);
        if let Some(old) = slot.take() {
            // Aborting mid-round is like a killed client: every step is idempotent.
            old.handle.abort();
        }
        let settings = match Settings::load(&self.data_dir) {
            Ok(s) => s,
            Err(vanthu_sync::settings::SettingsError::NotConfigured) => {
                let mut s = lock(&self.snapshot);
                *s = SyncStatus {
                    last_sync_ms: s.last_sync_ms,
                    ..Default::default()
                };
                return;
            }
            Err(e) => {
                self.fail(app, e.to_string());
                return;
            }
        };
        {
            let mut s = lock(&self.snapshot);
            s.configured = true;
            s.hub_url = Some(settings.hub_url.clone());
            s.agency = Some(settings.agency.clone());
            s.agency_name = Some(settings.agency_name.clone());
            s.vxp_system_id = settings.identity().vxp_system_id;
            s.online = None;
            s.running = false;
            s.last_error = None;
        }
        let engine = match self.engine(app, &settings) {
            Ok(e) => e,
            Err(e) => {
                self.fail(app, e);
                return;
            }
        };
        let wake = Arc::new(tokio::sync::Notify::new());
        let handle = tauri::async_runtime::spawn(daemon(
            app.clone(),
            engine,
            self.snapshot.clone(),
            wake.clone(),
        ));
        *slot = Some(Running { handle, wake });
    }

    fn fail(&self, app: &AppHandle, error: String) {
        tracing::warn!("sync not started: {error}");
        lock(&self.snapshot).last_error = Some(error);
        emit_status(app, &self.snapshot);
    }

    fn engine(&self, app: &AppHandle, settings: &Settings) -> Result<Engine<Connection>, String> {
        let secret = settings.secret(&self.data_dir).map_err(|e| e.to_string())?;
        let transport = Connection::from_settings(settings, &secret, &self.data_dir)
            .map_err(|e| e.to_string())?;
        let (agency, name) = (settings.unit().to_owned(), settings.agency_name.clone());
        let handle = app.clone();
        let hook: RoundHook = Arc::new(move |state: &SyncState| {
            let app_state = handle.state::<AppState>();
            let mut reg = lock(&app_state.registry);
            // Received documents; a new mirror (leader), an answer, a signed copy or a return
            // applied (clerk).
            let changes = vanthu_core::round::registry_round(&mut reg, state, &agency, &name)?;
            drop(reg);
            if changes.any() {
                crate::events::send(&handle, crate::events::IncomingChanged);
            }
            Ok(())
        });
        Ok(Engine::new(
            transport,
            self.state.clone(),
            Identity {
                agency: settings.unit().to_owned(),
                agency_name: settings.agency_name.clone(),
            },
            EngineConfig::default(),
        )
        .with_round_hook(hook)
        // A no-op unless the registry is in block mode (several desktops of one unit).
        .with_numbering(vanthu_sync::NumberingConfig {
            data_dir: self.data_dir.clone(),
            block_size: vanthu_sync::DEFAULT_BLOCK_SIZE,
        })
        .on_event(event_sink(app.clone(), self.snapshot.clone())))
    }

    /// Where a package of the outbox stands; `None` when never queued.
    pub fn outbox_state(&self, message_id: &str) -> Option<vanthu_sync::OutboxState> {
        self.state.outbox_state(message_id).ok().flatten()
    }

    pub fn wake(&self) -> bool {
        match &*lock(&self.running) {
            Some(r) => {
                r.wake.notify_one();
                true
            }
            None => false,
        }
    }

    /// Saves new hub settings (secret to the OS keyring, file fallback) and restarts.
    pub fn setup(&self, app: &AppHandle, req: SyncSetup) -> Result<SyncStatus, CommandError> {
        let hub = req.hub_url.trim().trim_end_matches('/').to_owned();
        if !(hub.starts_with("http://") || hub.starts_with("https://")) {
            return Err(CommandError::invalid(format!(
                "Địa chỉ trục phải bắt đầu bằng http:// hoặc https:// / hub URL must start with http(s)://: {hub}"
            )));
        }
        // The unit's code, or UNIT/DESKTOP for one desktop of a unit (docs/sync.md); with a
        // systemId, a unit on a VXP axis (docs/national-axis.md).
        let id = vanthu_sync::settings::Identity::parse(&req.agency, req.vxp_system_id.as_deref())?;
        let secret = req.secret.trim();
        let store = if secret.is_empty() {
            match Settings::load(&self.data_dir) {
                Ok(old) if old.identity() == id => old.secret_store,
                _ => {
                    return Err(CommandError::invalid(
                        "Chưa nhập khóa bí mật / secret required",
                    ))
                }
            }
        } else {
            let (store, why) =
                Settings::store_secret(&self.data_dir, &id.secret_account(), secret)?;
            if let Some(why) = why {
                tracing::warn!("no keyring ({why}); hub secret kept in a 0600 file");
            }
            store
        };
        // The app's form has no CA file field; one set with `vanthu sync setup --ca-file`
        // stays.
        let ca_file = Settings::load(&self.data_dir).ok().and_then(|s| s.ca_file);
        Settings {
            hub_url: hub,
            agency: id.agency,
            agency_name: req.agency_name.trim().to_owned(),
            secret_store: store,
            ca_file,
            protocol: id.protocol,
            vxp_system_id: id.vxp_system_id,
        }
        .save(&self.data_dir)?;
        self.state
            .set_overdue_hours(req.overdue_hours.max(1))
            .map_err(|e| CommandError::Io {
                message: crate::error::vietnamese(&e.to_string()),
            })?;
        self.start(app);
        Ok(self.status(app))
    }
}

fn to_alert_rows(app: &AppHandle, rows: Vec<RecipientStatus>) -> Vec<SyncAlert> {
    let names = agency_names(app);
    rows.into_iter()
        .map(|r| SyncAlert {
            recipient_name: names
                .iter()
                .find(|(c, _)| *c == r.recipient)
                .map(|(_, n)| n.clone()),
            message_id: r.message_id,
            document_id: r.document_id,
            recipient: r.recipient,
            sent_ms: r.sent_ms as f64,
            latest_code: r.latest_code,
            latest_label: r.latest_label,
            latest_ms: r.latest_ms.map(|m| m as f64),
            latest_note: None,
            alert: r.alert.map(|a| a.label_vi()).unwrap_or_default().to_owned(),
        })
        .collect()
}

fn agency_names(app: &AppHandle) -> Vec<(String, String)> {
    let app_state = app.state::<AppState>();
    let reg = lock(&app_state.registry);
    reg.agencies()
        .map(|v| v.into_iter().map(|a| (a.code, a.name)).collect())
        .unwrap_or_default()
}

fn refresh_counts(app: &AppHandle, state: &SyncState, snapshot: &Mutex<SyncStatus>) {
    let pending_out = state.pending_outbox_count().unwrap_or(0);
    let pending_in = {
        let app_state = app.state::<AppState>();
        let reg = lock(&app_state.registry);
        reg.pending_inbox(10_000).map(|v| v.len()).unwrap_or(0)
    };
    let hours = state.overdue_hours().unwrap_or(24);
    let alerts = state
        .recipient_statuses(now_ms())
        .map(|v| overdue(v).len())
        .unwrap_or(0);
    let mut s = lock(snapshot);
    s.pending_out = pending_out.min(u32::MAX as u64) as u32;
    s.pending_in = pending_in.min(u32::MAX as usize) as u32;
    s.alerts = alerts.min(u32::MAX as usize) as u32;
    s.overdue_hours = hours;
}

fn emit_status(app: &AppHandle, snapshot: &Mutex<SyncStatus>) {
    let s = lock(snapshot).clone();
    crate::events::send(app, crate::events::SyncStatusChanged(s));
}

fn event_sink(app: AppHandle, snapshot: Arc<Mutex<SyncStatus>>) -> EventSink {
    let last_progress = Mutex::new(Instant::now() - Duration::from_secs(1));
    Arc::new(move |e: SyncEvent| {
        {
            let mut s = lock(&snapshot);
            match &e {
                SyncEvent::Online => {
                    s.online = Some(true);
                    s.running = true;
                    s.done = 0;
                    s.total = 0;
                }
                SyncEvent::Offline { reason } => {
                    s.online = Some(false);
                    s.running = false;
                    s.last_error = Some(reason.clone());
                }
                SyncEvent::Progress { done, total } => {
                    s.done = (*done).min(u32::MAX as u64) as u32;
                    s.total = (*total).min(u32::MAX as u64) as u32;
                    // A round of thousands of packages must not flood the webview.
                    let mut last = lock(&last_progress);
                    if done != total && last.elapsed() < Duration::from_millis(150) {
                        return;
                    }
                    *last = Instant::now();
                }
                SyncEvent::Finished { report } => {
                    s.running = false;
                    s.last_sync_ms = Some(report.finished_at_ms as f64);
                    s.last_error = None;
                    s.pending_out = report.pending_outbox.min(u32::MAX as u64) as u32;
                }
                SyncEvent::Rejected { message_id, reason } => {
                    tracing::warn!(%message_id, %reason, "hub refused a package");
                    return;
                }
                // Per-package events: the progress counts already cover them.
                _ => return,
            }
        }
        emit_status(&app, &snapshot);
    })
}

/// The engine's daemon loop (`Engine::run_daemon`, the same as `vanthu sync --daemon`) until
/// the task is aborted, with the app's hooks: each round refreshes and emits the status
/// snapshot, each newly overdue recipient raises one desktop notification.
async fn daemon(
    app: AppHandle,
    engine: Engine<Connection>,
    snapshot: Arc<Mutex<SyncStatus>>,
    wake: Arc<tokio::sync::Notify>,
) {
    let (round_app, overdue_app) = (app.clone(), app);
    let hooks = DaemonHooks {
        after_round: Some(Arc::new(move |state: &SyncState, outcome| {
            if let Err(e) = outcome {
                let mut s = lock(&snapshot);
                s.running = false;
                s.last_error = Some(e.to_string());
            }
            refresh_counts(&round_app, state, &snapshot);
            emit_status(&round_app, &snapshot);
            announce(&round_app);
        })),
        overdue: Some(Arc::new(move |rows, hours| {
            notify_overdue(&overdue_app, rows, hours)
        })),
    };
    engine
        .run_daemon(INTERVAL, wake, None, std::future::pending(), hooks)
        .await;
}

/// Desktop notifications of what this desktop's person has not heard of yet: new incoming
/// documents, drafts to sign, work assigned, deadlines within a day (`vanthu_core::notices`).
/// Also called at start-up, so work that came while the app was closed is announced.
pub fn announce(app: &AppHandle) {
    let notices = {
        let app_state = app.state::<AppState>();
        let mut reg = lock(&app_state.registry);
        vanthu_core::notices::pending_notices(&mut reg, chrono::Local::now().date_naive())
    };
    let notices = match notices {
        Ok(n) => n,
        Err(err) => {
            tracing::warn!(%err, "notices not computed");
            return;
        }
    };
    for n in notices {
        let view = app
            .state::<crate::notices::RecentNotices>()
            .record(&n, chrono::Local::now());
        crate::events::send(app, crate::events::NoticeGiven(view));
        if let Err(err) = app
            .notification()
            .builder()
            .title(&n.title)
            .body(&n.body)
            .show()
        {
            // No notification daemon (headless session): the start page's numbers still show it.
            tracing::warn!(%err, "desktop notification not shown");
        }
    }
}

/// One desktop notification per newly overdue (document, recipient).
fn notify_overdue(app: &AppHandle, rows: Vec<RecipientStatus>, hours: u32) {
    let names = agency_names(app);
    for r in rows {
        let who = names
            .iter()
            .find(|(c, _)| *c == r.recipient)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| r.recipient.clone());
        let what = r.alert.map(|a| a.label_vi()).unwrap_or_default();
        let body = format!(
            "{who}: {what} văn bản {} sau {hours} giờ",
            r.document_id.as_deref().unwrap_or(&r.message_id)
        );
        if let Err(err) = app
            .notification()
            .builder()
            .title("Cảnh báo liên thông")
            .body(body)
            .show()
        {
            // No notification daemon (headless session): the in-app list still shows it.
            tracing::warn!(%err, "desktop notification not shown");
        }
    }
}

pub fn init(app: &AppHandle, data_dir: &Path) -> anyhow::Result<()> {
    let svc = SyncService::open(data_dir)?;
    svc.start(app);
    app.manage(svc);
    announce(app);
    Ok(())
}

type Res<T> = Result<T, CommandError>;

#[tauri::command(async)]
#[specta::specta]
pub fn sync_status(app: AppHandle, svc: State<'_, SyncService>) -> SyncStatus {
    svc.status(&app)
}

/// "Đồng bộ ngay": wakes the engine for a round now.
#[tauri::command]
#[specta::specta]
pub fn sync_now(svc: State<'_, SyncService>) -> Res<()> {
    if svc.wake() {
        Ok(())
    } else {
        Err(CommandError::not_configured(
            "Chưa cấu hình trục liên thông (Cài đặt) / sync not configured".to_owned(),
        ))
    }
}

#[tauri::command(async)]
#[specta::specta]
pub fn sync_setup(
    app: AppHandle,
    svc: State<'_, SyncService>,
    setup: SyncSetup,
) -> Res<SyncStatus> {
    svc.setup(&app, setup)
}

#[tauri::command(async)]
#[specta::specta]
pub fn sync_alerts(app: AppHandle, svc: State<'_, SyncService>) -> Res<Vec<SyncAlert>> {
    Ok(svc.alerts(&app)?)
}
