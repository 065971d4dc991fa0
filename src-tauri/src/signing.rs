//! The leader's "Chờ ký" queue: PKCS#11 token handling (module choice, presence polling),
//! batch signing with one PIN entry, and the verification report of every signed file;
//! the văn thư's arrival stamp (dấu đến) on a registered incoming document, on the same
//! token handling.
//!
//! The PIN arrives from the UI once per batch, is moved into zeroizing memory at once,
//! used for one login and dropped (zeroized) before the first document is signed. It is
//! never logged, stored, or put in an error message.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use vanthu_core::sign_queue::{sign_queue, Batch, BatchError, DocumentResult};
use vanthu_registry::SigningQueueItem;
use vanthu_sign::token::{candidate_modules, Module, TokenEntry};
use vanthu_sign::{plan_placement, Role, SignError};
use zeroize::Zeroizing;

use crate::error::vietnamese;

use crate::commands::CommandError;
use crate::store::{self, StoreError};
use crate::AppState;

const POLL_EVERY: Duration = Duration::from_secs(2);

type Res<T> = Result<T, CommandError>;

// ---------------------------------------------------------------------------------------
// Settings

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SigningSettings {
    /// The PKCS#11 library of the leader's token; None = the first known one found.
    pub pkcs11_module: Option<PathBuf>,
}

impl SigningSettings {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("signing-settings.json")
    }
}

/// `$VANTHU_PKCS11_MODULE` (tests, support), else the configured path, else the first
/// module of the built-in table present on this machine.
pub fn resolve_module(settings: &SigningSettings) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VANTHU_PKCS11_MODULE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = &settings.pkcs11_module {
        return Some(p.clone());
    }
    candidate_modules(None).into_iter().next()
}

/// Folder whose certificates (PEM or DER) are the trust anchors of the verification and
/// whose CRLs (.crl, or PEM "X509 CRL") are checked.
pub fn trust_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("trust")
}

/// Anchors and CRLs of the trust folder (the same files `vanthu verify` reads).
pub(crate) fn trust_anchors(data_dir: &Path) -> vanthu_sign::TrustStore {
    // Unreadable files are logged by load_dir and skipped.
    vanthu_sign::TrustStore::load_dir(&trust_dir(data_dir)).0
}

// ---------------------------------------------------------------------------------------
// Token state

/// The loaded PKCS#11 module. One instance per process: PKCS#11 initialisation is
/// process-wide, and finalising a second handle would log the first one out.
pub struct SigningState {
    data_dir: PathBuf,
    module: Mutex<Option<Arc<Module>>>,
    last: Mutex<Option<TokenStatus>>,
    /// Set once the presence poll runs (see [`init`]).
    polling: std::sync::Once,
}

impl SigningState {
    pub fn new(data_dir: &Path) -> Self {
        SigningState {
            data_dir: data_dir.to_path_buf(),
            module: Mutex::new(None),
            last: Mutex::new(None),
            polling: std::sync::Once::new(),
        }
    }

    /// With a module already loaded (PKCS#11 is process-wide: a second handle on the same
    /// library would finalise the first one when dropped).
    pub fn with_module(data_dir: &Path, module: Arc<Module>) -> Self {
        let s = Self::new(data_dir);
        *s.module.lock().unwrap_or_else(|e| e.into_inner()) = Some(module);
        s
    }

    fn settings(&self) -> Result<SigningSettings, StoreError> {
        store::read_json(&SigningSettings::path(&self.data_dir))
    }

    /// The module to use, loading it on first use (or after the setting changed).
    fn module(&self) -> Result<Arc<Module>, SignError> {
        let path =
            resolve_module(&self.settings().unwrap_or_default()).ok_or(SignError::NoModule)?;
        let mut slot = self.module.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = slot.as_ref().filter(|m| m.path == path) {
            return Ok(m.clone());
        }
        *slot = None;
        let m = Arc::new(Module::load(&path)?);
        *slot = Some(m.clone());
        Ok(m)
    }

    /// What is plugged in now.
    pub fn status(&self) -> TokenStatus {
        let module = resolve_module(&self.settings().unwrap_or_default());
        let mut st = TokenStatus {
            module: module.as_ref().map(|p| p.display().to_string()),
            tokens: Vec::new(),
            problem: None,
        };
        match self.module().and_then(|m| m.list()) {
            Ok(tokens) => st.tokens = tokens.iter().map(TokenDto::from).collect(),
            Err(e) => st.problem = Some(vietnamese(&e.to_string())),
        }
        st
    }

    /// Polls the token list; Some when it differs from the previous poll.
    pub fn poll_change(&self) -> Option<TokenStatus> {
        let now = self.status();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let changed = last.as_ref().map(TokenStatus::presence) != Some(now.presence());
        *last = Some(now.clone());
        changed.then_some(now)
    }
}

/// Registers the signing state. The token library is loaded, and the presence poll started,
/// only when the UI first asks for the token status (the Chờ ký page): a clerk who never
/// signs never loads a PKCS#11 module, and start-up does not wait for one.
pub fn init(app: &AppHandle, data_dir: &Path) {
    app.manage(Arc::new(SigningState::new(data_dir)));
}

/// Starts, once, the background presence poll (every ~2 s) that sends [`crate::events::TokenChanged`].
fn start_polling(app: &AppHandle, state: &Arc<SigningState>) {
    state.polling.call_once(|| spawn_poll(app, state.clone()));
}

fn spawn_poll(app: &AppHandle, state: Arc<SigningState>) {
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("token-poll".into())
        .spawn(move || loop {
            if let Some(st) = state.poll_change() {
                tracing::info!(
                    tokens = st.tokens.len(),
                    problem = st.problem.as_deref().unwrap_or(""),
                    "token presence changed"
                );
                crate::events::send(&handle, crate::events::TokenChanged(st));
            }
            std::thread::sleep(POLL_EVERY);
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "token presence is not polled");
    }
}

// ---------------------------------------------------------------------------------------
// DTOs

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatus {
    /// The PKCS#11 library in use (None: none configured or found).
    pub module: Option<String>,
    pub tokens: Vec<TokenDto>,
    /// Why the module could not be used, one line.
    pub problem: Option<String>,
}

impl TokenStatus {
    fn presence(&self) -> (Vec<(String, String, usize)>, Option<String>) {
        (
            self.tokens
                .iter()
                .map(|t| (t.slot.clone(), t.label.clone(), t.certificates.len()))
                .collect(),
            self.problem.clone(),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenDto {
    /// Slot id (a string: PKCS#11 slot ids can exceed the webview's integers).
    pub slot: String,
    pub label: String,
    pub manufacturer: String,
    pub serial: String,
    pub pin_count_low: bool,
    pub pin_final_try: bool,
    pub pin_locked: bool,
    pub certificates: Vec<CertDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertDto {
    /// Label of the certificate (and of its key) on the token.
    pub label: String,
    /// The holder (CN).
    pub holder: String,
    pub subject: String,
    pub issuer: String,
    pub valid_from: String,
    pub valid_to: String,
    pub key_usage: Vec<String>,
}

impl From<&TokenEntry> for TokenDto {
    fn from(t: &TokenEntry) -> Self {
        TokenDto {
            slot: t.slot.to_string(),
            label: t.label.clone(),
            manufacturer: t.manufacturer.clone(),
            serial: t.serial.clone(),
            pin_count_low: t.pin_count_low,
            pin_final_try: t.pin_final_try,
            pin_locked: t.pin_locked,
            certificates: t
                .certificates
                .iter()
                .map(|c| CertDto {
                    label: c.label.clone(),
                    holder: c.info.common_name.clone(),
                    subject: c.info.subject.clone(),
                    issuer: c.info.issuer.clone(),
                    valid_from: c.info.not_before.clone(),
                    valid_to: c.info.not_after.clone(),
                    key_usage: c.info.key_usage.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SigningQueueRow {
    pub id: u32,
    /// Số, ký hiệu (a draft has only its ký hiệu: "/UBND-VP").
    pub notation: String,
    pub doc_type: String,
    pub subject: String,
    pub drafted_by: Option<String>,
    /// yyyy-mm-dd, when the draft was entered.
    pub drafted_on: String,
    pub state: String,
    pub state_label: String,
    pub pdf_sha256: String,
    pub pdf_name: String,
    /// On the leader's desktop: the clerk's desktop (`UNIT/DESKTOP`) that submitted this
    /// draft ("trình ký"); it may be returned unsigned ("Trả lại").
    pub mirror_origin: Option<String>,
}

impl From<&SigningQueueItem> for SigningQueueRow {
    fn from(i: &SigningQueueItem) -> Self {
        let d = &i.document;
        SigningQueueRow {
            id: u32::try_from(d.id).unwrap_or(u32::MAX),
            notation: d.notation.clone(),
            doc_type: d.doc_type.clone(),
            subject: d.subject.clone(),
            drafted_by: i.drafted_by.clone(),
            drafted_on: d.created_at.get(..10).unwrap_or(&d.created_at).to_string(),
            state: d.state.as_str().to_owned(),
            state_label: d.state_label.clone(),
            pdf_sha256: i.pdf.sha256.clone(),
            pdf_name: i.pdf.file_name.clone(),
            mirror_origin: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SignRole {
    Leader,
    Organization,
}

impl From<SignRole> for Role {
    fn from(r: SignRole) -> Role {
        match r {
            SignRole::Leader => Role::Leader,
            SignRole::Organization => Role::Organization,
        }
    }
}

/// x, y, width, height in PDF points from the displayed page's lower-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RectDto {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Where to sign: automatic (None: a reserved field, else the last page) or a rectangle
/// on a 1-based page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlacementInput {
    pub page: Option<u32>,
    pub rect: Option<RectDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlacementPreviewDto {
    /// 1-based.
    pub page: u32,
    pub page_count: u32,
    pub page_width: f64,
    pub page_height: f64,
    pub rect: RectDto,
    pub reserved_field: bool,
    /// The PDF the page images come from.
    pub pdf_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignProgress {
    /// 0-based position in the batch of the document being signed now.
    pub index: u32,
    pub total: u32,
    pub id: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignatureDto {
    pub field: String,
    pub signer: String,
    pub signing_time: Option<String>,
    pub timestamp_time: Option<String>,
    pub intact: bool,
    pub valid: bool,
    pub trusted: bool,
    pub covers_whole_document: bool,
    pub level: String,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DocSignResult {
    pub id: u32,
    pub notation: String,
    pub subject: String,
    /// The signed file is stored and the document is now "Đã ký".
    pub signed: bool,
    /// Why it was not signed (None when signed).
    pub error: Option<String>,
    pub signatures: Vec<SignatureDto>,
    pub modified_after_last_signature: bool,
    /// The verifier's Vietnamese report.
    pub report_text: String,
    pub signed_sha256: Option<String>,
}

fn signature_dto(s: &vanthu_sign::SignatureReport) -> SignatureDto {
    SignatureDto {
        field: s.field.clone(),
        signer: s.signer.clone(),
        signing_time: s.signing_time.clone(),
        timestamp_time: s.timestamp_time.clone(),
        intact: s.intact,
        valid: s.valid,
        trusted: s.trusted,
        covers_whole_document: s.covers_whole_document,
        level: s.level.clone(),
        problems: s.details.problems.iter().map(|p| vietnamese(p)).collect(),
    }
}

impl From<&DocumentResult> for DocSignResult {
    fn from(r: &DocumentResult) -> Self {
        let mut out = DocSignResult {
            id: u32::try_from(r.id).unwrap_or(u32::MAX),
            notation: r.notation.clone(),
            subject: r.subject.clone(),
            signed: r.outcome.is_ok(),
            error: r.outcome.as_ref().err().map(|e| vietnamese(e)),
            signatures: Vec::new(),
            modified_after_last_signature: false,
            report_text: String::new(),
            signed_sha256: None,
        };
        if let Ok(signed) = &r.outcome {
            out.signed_sha256 = Some(signed.sha256.clone());
            match &signed.verification {
                Ok(rep) => {
                    out.report_text = rep.to_text();
                    out.modified_after_last_signature = rep.modified_after_last_signature;
                    out.signatures = rep.signatures.iter().map(signature_dto).collect();
                }
                Err(e) => out.report_text = vietnamese(e),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Commands

fn signing(app: &AppHandle) -> Arc<SigningState> {
    app.state::<Arc<SigningState>>().inner().clone()
}

/// Outgoing drafts with a PDF, waiting for the leader's signature.
#[tauri::command(async)]
#[specta::specta]
pub fn signing_queue(state: State<'_, AppState>) -> Res<Vec<SigningQueueRow>> {
    let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
    reg.signing_queue()?
        .iter()
        .map(|item| {
            let mut row = SigningQueueRow::from(item);
            row.mirror_origin = reg.mirror_info(item.document.id)?.map(|m| m.origin);
            Ok(row)
        })
        .collect()
}

/// Tokens plugged in now, with their certificates.
#[tauri::command(async)]
#[specta::specta]
pub fn token_status(app: AppHandle) -> TokenStatus {
    let state = signing(&app);
    start_polling(&app, &state);
    state.status()
}

/// Where the signature will go on the document's PDF.
#[tauri::command(async)]
#[specta::specta]
pub fn preview_placement(
    state: State<'_, AppState>,
    id: u32,
    role: SignRole,
    placement: PlacementInput,
) -> Res<PlacementPreviewDto> {
    let (pdf, sha) = {
        let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
        let item = reg.signing_item(id.into())?;
        (reg.attachment_path(&item.pdf), item.pdf.sha256)
    };
    let p = plan_placement(
        &pdf,
        role.into(),
        placement.page,
        placement.rect.map(|r| [r.x, r.y, r.width, r.height]),
    )?;
    Ok(PlacementPreviewDto {
        page: p.page,
        page_count: p.page_count,
        page_width: p.page_width,
        page_height: p.page_height,
        rect: RectDto {
            x: p.rect[0],
            y: p.rect[1],
            width: p.rect[2],
            height: p.rect[3],
        },
        reserved_field: p.reserved_field,
        pdf_sha256: sha,
    })
}

/// Signs the documents with one PIN entry; returns each document's verification at once.
#[tauri::command]
#[specta::specta]
pub async fn sign_documents(
    app: AppHandle,
    ids: Vec<u32>,
    pin: String,
    role: SignRole,
    placement: PlacementInput,
    key_label: Option<String>,
) -> Res<Vec<DocSignResult>> {
    let pin = Zeroizing::new(pin);
    let worker = app.clone();
    let out = tauri::async_runtime::spawn_blocking(move || {
        let st = worker.state::<AppState>();
        let signing = signing(&worker);
        let module = signing.module()?;
        let trust = trust_anchors(&st.data_dir);
        let ids: Vec<i64> = ids.iter().map(|i| i64::from(*i)).collect();
        let emitter = worker.clone();
        let results = sign_queue(
            &st.registry,
            &module,
            &trust,
            &Batch {
                ids: &ids,
                role: role.into(),
                page: placement.page,
                rect: placement.rect.map(|r| [r.x, r.y, r.width, r.height]),
                key_label: key_label.as_deref(),
                token_label: None,
            },
            pin,
            move |index, total, id| {
                crate::events::send(
                    &emitter,
                    crate::events::SigningProgress(SignProgress {
                        index: index as u32,
                        total: total as u32,
                        id: id as u32,
                    }),
                );
            },
        )?;
        Ok::<_, BatchError>(results.iter().map(DocSignResult::from).collect())
    })
    .await
    .map_err(|e| CommandError::internal(format!("lỗi nội bộ / internal error: {e}")))?;
    // The queue changed; the presence poll then also sees a token state change (PIN flags).
    Ok(out?)
}

/// What "Đóng dấu đến" did: the document afterwards and the stamped file's verification.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ArrivalStampResult {
    pub detail: crate::dto::IncomingDetail,
    /// The stamped copy's file name ("… (dấu đến).pdf").
    pub file_name: String,
    pub signer: String,
    pub signing_time: String,
    /// Every signature of the stamped file (the sender's and the stamp) intact and valid.
    pub all_valid: bool,
    pub signatures: Vec<SignatureDto>,
    /// The verifier's Vietnamese report.
    pub report_text: String,
}

/// Applies the unit's arrival stamp to a registered incoming document with the token's
/// seal key (one PIN entry); the rules are in `vanthu_core::arrival_stamp`.
#[tauri::command]
#[specta::specta]
pub async fn stamp_arrival(
    app: AppHandle,
    document_id: u32,
    pin: String,
    key_label: Option<String>,
) -> Res<ArrivalStampResult> {
    let pin = Zeroizing::new(pin);
    let worker = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let st = worker.state::<AppState>();
        let module = signing(&worker).module()?;
        let trust = trust_anchors(&st.data_dir);
        let out = vanthu_core::arrival_stamp::stamp_arrival(
            &st.registry,
            &module,
            &trust,
            document_id.into(),
            vanthu_core::arrival_stamp::StampKey {
                key_label: key_label.as_deref(),
                token_label: None,
            },
            pin,
        )?;
        let mut detail: crate::dto::IncomingDetail = (&out.document).into();
        {
            let reg = st.registry.lock().unwrap_or_else(|e| e.into_inner());
            crate::desks::fill_mirrors(&reg, std::slice::from_mut(&mut detail.row))?;
            detail.history = reg
                .status_events(document_id.into())?
                .iter()
                .map(Into::into)
                .collect();
            detail.offers_arrival_stamp =
                crate::commands::offers_arrival_stamp(&reg, document_id.into());
        }
        let (signatures, report_text, all_valid) = match &out.verification {
            Ok(rep) => (
                rep.signatures.iter().map(signature_dto).collect(),
                rep.to_text(),
                rep.signatures.iter().all(|s| s.intact && s.valid),
            ),
            Err(e) => (Vec::new(), vietnamese(e), false),
        };
        Ok::<_, CommandError>(ArrivalStampResult {
            detail,
            file_name: out.attachment.file_name,
            signer: out.signer,
            signing_time: out.signing_time,
            all_valid,
            signatures,
            report_text,
        })
    })
    .await
    .map_err(|e| CommandError::internal(format!("lỗi nội bộ / internal error: {e}")))?
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_signing_settings(app: AppHandle) -> Res<SigningSettingsDto> {
    let s = signing(&app);
    let settings = s.settings()?;
    Ok(SigningSettingsDto {
        pkcs11_module: settings.pkcs11_module.map(|p| p.display().to_string()),
        effective_module: resolve_module(&s.settings().unwrap_or_default())
            .map(|p| p.display().to_string()),
        known_modules: candidate_modules(None)
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        env_override: std::env::var_os("VANTHU_PKCS11_MODULE").is_some_and(|v| !v.is_empty()),
    })
}

/// Sets (or clears, with None) the token's PKCS#11 library; it must load.
#[tauri::command(async)]
#[specta::specta]
pub fn set_token_module(app: AppHandle, path: Option<String>) -> Res<SigningSettingsDto> {
    let s = signing(&app);
    let path = path
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    if let Some(p) = &path {
        if !p.is_file() {
            return Err(CommandError::not_found(format!(
                "không thấy thư viện PKCS#11 {} / PKCS#11 module not found",
                p.display()
            )));
        }
    }
    store::write_json(
        &SigningSettings::path(&s.data_dir),
        &SigningSettings {
            pkcs11_module: path,
        },
    )?;
    get_signing_settings(app)
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SigningSettingsDto {
    /// The configured path (None: automatic).
    pub pkcs11_module: Option<String>,
    /// The library actually used.
    pub effective_module: Option<String>,
    /// Libraries of the built-in table present on this machine.
    pub known_modules: Vec<String>,
    /// `VANTHU_PKCS11_MODULE` is set and wins over the setting.
    pub env_override: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_choice_prefers_the_environment_then_the_setting() {
        let s = SigningSettings {
            pkcs11_module: Some("/opt/token/libp11.so".into()),
        };
        match std::env::var_os("VANTHU_PKCS11_MODULE").filter(|v| !v.is_empty()) {
            Some(env) => assert_eq!(resolve_module(&s), Some(PathBuf::from(env))),
            None => assert_eq!(resolve_module(&s), Some("/opt/token/libp11.so".into())),
        }
    }
}
