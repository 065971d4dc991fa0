//! The one error type that crosses the IPC boundary.
//!
//! Each crate's error keeps its kind here, so the UI switches on `kind` and never reads the
//! message to decide anything. Crate errors are one bilingual line, "Vietnamese / English";
//! `message` carries the Vietnamese half only ([`vietnamese`]), shown as is, and the whole
//! line goes to the log. A crate error reaches a command through the `From` impls below,
//! which are the only place that maps crate variants to kinds.
use serde::Serialize;
use specta::Type;
use vanthu_sign::{PinState, SignError};

/// How many PIN tries the token reports left (PKCS#11 gives flags, not a count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum PinTries {
    /// The token does not say.
    Unknown,
    /// CKF_USER_PIN_COUNT_LOW.
    Low,
    /// CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the token.
    Final,
}

/// An error of a command, by kind, with the message the user sees.
#[derive(Debug, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CommandError {
    /// Sai mã PIN.
    WrongPin { message: String, tries: PinTries },
    /// Token đã bị khóa.
    PinLocked { message: String },
    /// No token inserted (or pulled out), or no PKCS#11 library found.
    NoToken { message: String },
    /// The action is not allowed in the document's current state.
    InvalidState { message: String },
    /// The document, attachment or record asked for does not exist.
    NotFound { message: String },
    /// The user's input is refused (a field, a date, a choice).
    Invalid { message: String },
    /// Not configured yet (sync, unit).
    NotConfigured { message: String },
    /// Reading or writing a file or the database failed.
    Io { message: String },
    /// The network or the hub failed.
    Network { message: String },
    /// Anything else: a bug or an unexpected failure.
    Internal { message: String },
}

impl CommandError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError::Invalid {
            message: vietnamese(&message.into()),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        CommandError::Internal {
            message: vietnamese(&message.into()),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        CommandError::NotFound {
            message: vietnamese(&message.into()),
        }
    }

    pub fn not_configured(message: impl Into<String>) -> Self {
        CommandError::NotConfigured {
            message: vietnamese(&message.into()),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CommandError::WrongPin { message, .. }
            | CommandError::PinLocked { message }
            | CommandError::NoToken { message }
            | CommandError::InvalidState { message }
            | CommandError::NotFound { message }
            | CommandError::Invalid { message }
            | CommandError::NotConfigured { message }
            | CommandError::Io { message }
            | CommandError::Network { message }
            | CommandError::Internal { message } => message,
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl From<vanthu_registry::Error> for CommandError {
    fn from(err: vanthu_registry::Error) -> Self {
        use vanthu_registry::Error as E;
        let message = logged(&err);
        match err {
            E::NotFound(_) | E::UnknownAgency(_) => CommandError::NotFound { message },
            E::InvalidState(_)
            | E::Transition(_)
            | E::SecretNotSendable
            | E::NotSignedIn
            | E::NotPermitted { .. } => CommandError::InvalidState { message },
            E::NoRegister(_) | E::NotInitialised => CommandError::NotConfigured { message },
            E::Io(_) | E::File { .. } | E::Sql(_) | E::NewerSchema { .. } | E::NotVanthu(_) => {
                CommandError::Io { message }
            }
            _ => CommandError::Invalid { message },
        }
    }
}

impl From<SignError> for CommandError {
    fn from(err: SignError) -> Self {
        let message = logged(&err);
        match err {
            SignError::WrongPin(state) => CommandError::WrongPin {
                message,
                tries: match state {
                    PinState::CountLow => PinTries::Low,
                    PinState::FinalTry => PinTries::Final,
                    PinState::Unknown | PinState::Locked => PinTries::Unknown,
                },
            },
            SignError::PinLocked => CommandError::PinLocked { message },
            SignError::TokenNotFound(_) | SignError::NoModule | SignError::ModuleLoad { .. } => {
                CommandError::NoToken { message }
            }
            SignError::KeyNotFound(_) => CommandError::NotFound { message },
            SignError::Io(..) => CommandError::Io { message },
            SignError::Pdf(_)
            | SignError::NotPdf
            | SignError::Image(_)
            | SignError::Font(_)
            | SignError::Trust(_)
            | SignError::Crl(_)
            | SignError::NoFreeSpace(_)
            | SignError::BadRequest(_) => CommandError::Invalid { message },
            SignError::Tsa(_) => CommandError::Network { message },
            SignError::Token(_) | SignError::Cms(_) => CommandError::Internal { message },
        }
    }
}

impl From<vanthu_core::sign_queue::BatchError> for CommandError {
    fn from(err: vanthu_core::sign_queue::BatchError) -> Self {
        use vanthu_core::sign_queue::BatchError as E;
        match err {
            E::Sign(e) => e.into(),
            E::Registry(e) => e.into(),
            E::Empty => CommandError::invalid(E::Empty.to_string()),
            e @ E::Scratch(_) => CommandError::Io {
                message: logged(&e),
            },
        }
    }
}

impl From<vanthu_core::arrival_stamp::StampError> for CommandError {
    fn from(err: vanthu_core::arrival_stamp::StampError) -> Self {
        use vanthu_core::arrival_stamp::StampError as E;
        match err {
            E::Sign(e) => e.into(),
            E::Registry(e) => e.into(),
            e @ E::Scratch(_) => CommandError::Io {
                message: logged(&e),
            },
        }
    }
}

impl From<vanthu_pdf::PdfError> for CommandError {
    fn from(err: vanthu_pdf::PdfError) -> Self {
        use vanthu_pdf::PdfError as E;
        let message = logged(&err);
        match err {
            E::Io { .. } => CommandError::Io { message },
            E::LibraryMissing { .. } | E::LibraryLoad { .. } => CommandError::Internal { message },
            _ => CommandError::Invalid { message },
        }
    }
}

impl From<vanthu_pdf::page_server::Refusal> for CommandError {
    fn from(r: vanthu_pdf::page_server::Refusal) -> Self {
        use vanthu_pdf::page_server::RefusalKind as K;
        let message = vietnamese(&r.reason);
        match r.kind {
            K::NotFound => CommandError::NotFound { message },
            K::BadRequest | K::Unprocessable => CommandError::Invalid { message },
            K::Cancelled | K::Timeout | K::Unavailable | K::Internal => {
                CommandError::Internal { message }
            }
        }
    }
}

impl From<vanthu_sync::settings::SettingsError> for CommandError {
    fn from(err: vanthu_sync::settings::SettingsError) -> Self {
        use vanthu_sync::settings::SettingsError as E;
        let message = logged(&err);
        match err {
            E::NotConfigured | E::NoSecret(_) => CommandError::NotConfigured { message },
            E::Io(_) | E::Corrupt(_) => CommandError::Io { message },
            E::BadLogin(_) => CommandError::Invalid { message },
        }
    }
}

impl From<vanthu_core::backup::BackupError> for CommandError {
    fn from(err: vanthu_core::backup::BackupError) -> Self {
        use vanthu_core::backup::BackupError as E;
        match err {
            E::Registry(e) => e.into(),
            E::Io { .. } => CommandError::Io {
                message: logged(&err),
            },
            E::NotEmpty(_) => CommandError::InvalidState {
                message: logged(&err),
            },
            _ => CommandError::Invalid {
                message: logged(&err),
            },
        }
    }
}

impl From<vanthu_core::backup_schedule::ScheduleError> for CommandError {
    fn from(err: vanthu_core::backup_schedule::ScheduleError) -> Self {
        use vanthu_core::backup_schedule::ScheduleError as E;
        match err {
            E::Backup(e) => e.into(),
            E::Io { .. } | E::Corrupt { .. } => CommandError::Io {
                message: logged(&err),
            },
            _ => CommandError::Invalid {
                message: logged(&err),
            },
        }
    }
}

impl From<vanthu_sync::SyncError> for CommandError {
    fn from(err: vanthu_sync::SyncError) -> Self {
        use vanthu_sync::SyncError as E;
        let message = logged(&err);
        match err {
            E::Offline(_) | E::Transport(_) => CommandError::Network { message },
            E::SecretRefused => CommandError::InvalidState { message },
            E::UnknownReceived(_) => CommandError::NotFound { message },
            E::BadSecrecy(_) | E::NoRecipients => CommandError::Invalid { message },
            _ => CommandError::Internal { message },
        }
    }
}

impl From<crate::store::StoreError> for CommandError {
    fn from(err: crate::store::StoreError) -> Self {
        use crate::store::StoreError as E;
        let message = logged(&err);
        match err {
            E::Registry(e) => e.into(),
            E::Io { .. } | E::Corrupt { .. } => CommandError::Io { message },
        }
    }
}

impl From<vanthu_core::scan::ScanDraftError> for CommandError {
    fn from(err: vanthu_core::scan::ScanDraftError) -> Self {
        use vanthu_core::scan::ScanDraftError as E;
        let message = logged(&err);
        match err {
            E::NoDraft(_) => CommandError::NotFound { message },
            E::Registry(e) => e.into(),
            E::Io(_) | E::CorruptList { .. } => CommandError::Io { message },
        }
    }
}

impl From<crate::SettingsError> for CommandError {
    fn from(err: crate::SettingsError) -> Self {
        use crate::SettingsError as E;
        match err {
            E::Store(e) => e.into(),
            E::Registry(e) => e.into(),
            e @ E::Scan(_) => CommandError::invalid(e.to_string()),
        }
    }
}

impl From<vanthu_sync::state::StateError> for CommandError {
    fn from(err: vanthu_sync::state::StateError) -> Self {
        use vanthu_sync::state::StateError as E;
        match err {
            E::Registry(e) => e.into(),
            e => CommandError::Io {
                message: logged(&e),
            },
        }
    }
}

impl From<std::io::Error> for CommandError {
    fn from(err: std::io::Error) -> Self {
        CommandError::Io {
            message: logged(&format!("lỗi đọc ghi tệp / I/O error: {err}")),
        }
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(err: anyhow::Error) -> Self {
        CommandError::internal(logged(&format!("{err:#}")))
    }
}

impl From<tauri::Error> for CommandError {
    fn from(err: tauri::Error) -> Self {
        CommandError::internal(logged(&format!("lỗi nội bộ / internal error: {err}")))
    }
}

/// What the user reads of a crate's one-line "Vietnamese / English" message: the Vietnamese
/// half, followed by the detail the English half carries after its first ": " (a path, a
/// line number, a nested error, itself reduced the same way), since many messages name
/// the value only there ("cơ quan không có trong danh mục / unknown agency: X"); a
/// Vietnamese half with its own ": " already says it. The split is on " / " with spaces, which the crates use only as the language separator ("số/ký
/// hiệu", dates and paths have no spaced slash). A line without one is returned whole.
pub fn vietnamese(line: &str) -> String {
    let Some((vi, en)) = line.split_once(" / ") else {
        return line.trim().to_owned();
    };
    match en.split_once(": ") {
        Some((_, detail)) if !vi.contains(": ") && !detail.trim().is_empty() => {
            format!("{}: {}", vi.trim(), vietnamese(detail))
        }
        _ => vi.trim().to_owned(),
    }
}

/// Logs a crate error's whole line (both languages, for support) and returns what the
/// user sees.
fn logged(err: &impl std::fmt::Display) -> String {
    let line = err.to_string();
    tracing::debug!(error = %line, "command error");
    vietnamese(&line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_is_the_vietnamese_half() {
        assert_eq!(
            vietnamese("token đã bị khóa / token locked (PIN)"),
            "token đã bị khóa"
        );
        assert_eq!(
            vietnamese("số/ký hiệu 12/UBND trống"),
            "số/ký hiệu 12/UBND trống"
        );
        // The value named only in the English half is kept, nested messages reduced too.
        assert_eq!(
            vietnamese("cơ quan không có trong danh mục / unknown agency: 000.00.00.H99"),
            "cơ quan không có trong danh mục: 000.00.00.H99"
        );
        assert_eq!(
            vietnamese("không vào sổ được / cannot register: thiếu trích yếu / no subject"),
            "không vào sổ được: thiếu trích yếu"
        );
        assert_eq!(
            vietnamese("chưa ký: token đã bị rút ra / not signed: token removed (CKR_X)"),
            "chưa ký: token đã bị rút ra"
        );
        let e: CommandError = vanthu_registry::Error::NotFound(7).into();
        assert!(!e.message().contains(" / "), "{}", e.message());
        assert!(!e.message().is_empty());
    }

    #[test]
    fn wrong_pin_keeps_its_kind_and_tries() {
        let e: CommandError = SignError::WrongPin(PinState::FinalTry).into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "wrongPin");
        assert_eq!(json["tries"], "final");
        assert!(json["message"].as_str().unwrap().starts_with("sai mã PIN"));
    }

    #[test]
    fn registry_kinds() {
        let e: CommandError = vanthu_registry::Error::NotFound(7).into();
        assert!(matches!(e, CommandError::NotFound { .. }));
        let e: CommandError = vanthu_registry::Error::InvalidState("x".into()).into();
        assert!(matches!(e, CommandError::InvalidState { .. }));
        let e: CommandError = vanthu_registry::Error::SecretNotSendable.into();
        assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "invalidState");
    }

    #[test]
    fn missing_token_is_no_token() {
        let e: CommandError = SignError::TokenNotFound("VGCA".into()).into();
        assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "noToken");
    }
}
