//! Hub URL and identity in `<data dir>/sync-settings.json`; the agency secret in the OS
//! keyring (Secret Service on Linux, the Credential Manager on Windows, via the keyring crate). Where no keyring service runs
//! (headless servers, CI, minimal desktops) the secret falls back to
//! `<data dir>/hub-secret`, created with mode 0600, and the CLI says so.
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const KEYRING_SERVICE: &str = "vanthu-hub";
/// Forces the file store (tests, or users who prefer it).
pub const ENV_SECRET_STORE: &str = "VANTHU_SECRET_STORE";
/// Supplies the secret directly (scripts); never written anywhere.
pub const ENV_SECRET: &str = "VANTHU_HUB_SECRET";

/// Why the sync settings or the hub secret cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// No settings file yet.
    #[error("Chưa cấu hình đồng bộ (chạy `vanthu sync setup`) / sync not configured (run `vanthu sync setup`)")]
    NotConfigured,
    /// The secret is in neither the keyring nor the fallback file.
    #[error("Không tìm thấy khóa bí mật của đơn vị / agency secret not found ({0})")]
    NoSecret(String),
    /// The settings file cannot be parsed.
    #[error("Tệp cấu hình hỏng / corrupt settings file: {0}")]
    Corrupt(String),
    /// The settings or secret file could not be read or written.
    #[error("lỗi tệp / file error: {0}")]
    Io(#[from] std::io::Error),
    /// The login is neither a unit code nor `UNIT/DESKTOP`.
    #[error("Tên đăng nhập trục không hợp lệ / invalid hub login: {0}")]
    BadLogin(String),
}

/// Checks a hub login as typed in a settings form and returns it normalised: the unit's
/// code (`000.03.20.H34`) or `UNIT/DESKTOP` for one desktop of a unit (`000.03.20.H34/LD`,
/// the desktop 1–16 ASCII letters or digits, the rule of `vanthu hub add-desktop`).
pub fn parse_login(text: &str) -> Result<String, SettingsError> {
    let text = text.trim();
    let (unit, desktop) = match text.split_once('/') {
        Some((u, d)) => (u.trim(), Some(d.trim())),
        None => (text, None),
    };
    let unit = vanthu_domain::AgencyCode::parse(unit)
        .map_err(|e| SettingsError::BadLogin(format!("{text}: {e}")))?;
    match desktop {
        None => Ok(unit.as_str().to_owned()),
        Some(d)
            if (1..=16).contains(&d.len()) && d.bytes().all(|c| c.is_ascii_alphanumeric()) =>
        {
            Ok(format!("{}/{d}", unit.as_str()))
        }
        Some(d) => Err(SettingsError::BadLogin(format!(
            "{text}: mã máy phải gồm 1–16 chữ cái/chữ số / the desktop must be 1-16 letters or digits: {d:?}"
        ))),
    }
}

/// Who this desktop is on the hub, as a settings form gives it: the login and, for a VXP
/// axis, the systemId. Checked by [`Identity::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The unit's code, or `UNIT/DESKTOP` on a vanthu hub.
    pub agency: String,
    /// The API of the hub.
    pub protocol: Protocol,
    /// The systemId, for [`Protocol::Vxp`].
    pub vxp_system_id: Option<String>,
}

impl Identity {
    /// Checks a login and an optional systemId (empty = the vanthu hub). A VXP axis knows
    /// units, not desktops, so its login is the unit's code alone.
    pub fn parse(login: &str, vxp_system_id: Option<&str>) -> Result<Identity, SettingsError> {
        let agency = parse_login(login)?;
        let Some(id) = vxp_system_id.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Identity {
                agency,
                protocol: Protocol::Vanthu,
                vxp_system_id: None,
            });
        };
        if agency.contains('/') {
            return Err(SettingsError::BadLogin(format!(
                "{agency}: trục VXP nối theo đơn vị, không theo máy; hãy nhập mã đơn vị / a VXP axis connects a unit: give the unit's code"
            )));
        }
        if id.len() > 128 || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(SettingsError::BadLogin(format!(
                "systemId phải gồm 1–128 ký tự ASCII nhìn thấy / systemId must be 1-128 visible ASCII characters: {id:?}"
            )));
        }
        Ok(Identity {
            agency,
            protocol: Protocol::Vxp,
            vxp_system_id: Some(id.to_owned()),
        })
    }

    /// The keyring account of its secret.
    pub fn secret_account(&self) -> String {
        match &self.vxp_system_id {
            Some(id) => Settings::vxp_account(id),
            None => self.agency.clone(),
        }
    }
}

/// Where the hub secret is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretStore {
    /// The OS keyring.
    Keyring,
    /// A file readable only by the user, when no keyring works.
    File,
}

/// Which API the hub speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// The vanthu hub's `/v1` (docs/hub-api.md): everything, between desktops of a unit too.
    #[default]
    Vanthu,
    /// The national axis's VXP API, as the official SDK speaks it (docs/national-axis.md §3):
    /// edXML packages and statuses between units.
    Vxp,
}

/// How this desktop reaches the hub, saved in the data directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Base URL of the hub.
    pub hub_url: String,
    /// The hub login: unit code, or `UNIT/DESKTOP`.
    pub agency: String,
    /// The unit's name, written in the statuses it sends.
    #[serde(default)]
    pub agency_name: String,
    /// Where the secret was stored.
    pub secret_store: SecretStore,
    /// Extra CA certificates (PEM) trusted for an `https://` hub on a private PKI
    /// (`vanthu sync setup --ca-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// The API of `hub_url` (settings from before VXP are `/v1`).
    #[serde(default)]
    pub protocol: Protocol,
    /// The systemId the axis's operator issued, for [`Protocol::Vxp`]; `agency` is then the
    /// unit's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vxp_system_id: Option<String>,
}

impl Settings {
    /// The keyring account of a VXP systemId's secret.
    pub fn vxp_account(system_id: &str) -> String {
        format!("vxp:{}", system_id.trim())
    }

    /// The keyring account the secret is kept under: the hub login, or the VXP systemId.
    pub fn secret_account(&self) -> String {
        self.identity().secret_account()
    }

    /// Who this desktop is on the hub.
    pub fn identity(&self) -> Identity {
        Identity {
            agency: self.agency.clone(),
            protocol: self.protocol,
            vxp_system_id: match self.protocol {
                Protocol::Vxp => self.vxp_system_id.clone(),
                Protocol::Vanthu => None,
            },
        }
    }

    /// The unit this desktop speaks for: `agency` is the hub login, either the unit's code or
    /// `UNIT/DESKTOP` for one desktop of a unit (docs/sync.md, "Several desktops of one
    /// unit"); statuses and their message ids always carry the unit.
    pub fn unit(&self) -> &str {
        self.agency
            .split_once('/')
            .map_or(self.agency.as_str(), |(u, _)| u)
    }
}

fn settings_path(data_dir: &Path) -> PathBuf {
    data_dir.join("sync-settings.json")
}

fn secret_path(data_dir: &Path) -> PathBuf {
    data_dir.join("hub-secret")
}

/// temp → fsync → rename, with the given mode from the start (Unix; on Windows the file
/// inherits the ACL of the per-user data directory under %LOCALAPPDATA%).
fn write_atomic(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("f"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = options.open(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    drop(f);
    vanthu_domain::paths::replace_file(&tmp, path)?;
    vanthu_domain::paths::sync_dir(dir)?;
    Ok(())
}

impl Settings {
    /// Reads the settings of `data_dir`; [`SettingsError::NotConfigured`] when there are none.
    pub fn load(data_dir: &Path) -> Result<Settings, SettingsError> {
        let text = match std::fs::read_to_string(settings_path(data_dir)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SettingsError::NotConfigured)
            }
            Err(e) => return Err(e.into()),
        };
        serde_json::from_str(&text).map_err(|e| SettingsError::Corrupt(e.to_string()))
    }

    /// Writes the settings of `data_dir` atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let json = serde_json::to_vec_pretty(self).expect("settings serialize");
        write_atomic(&settings_path(data_dir), &json, 0o644)?;
        Ok(())
    }

    /// Stores the secret of keyring `account` ([`Settings::secret_account`]), preferring
    /// the keyring. Returns where it went and, for the file fallback, why the keyring was
    /// not used.
    pub fn store_secret(
        data_dir: &Path,
        account: &str,
        secret: &str,
    ) -> Result<(SecretStore, Option<String>), SettingsError> {
        let forced_file = std::env::var(ENV_SECRET_STORE).is_ok_and(|v| v == "file");
        let why = if forced_file {
            format!("{ENV_SECRET_STORE}=file")
        } else {
            match keyring::Entry::new(KEYRING_SERVICE, account)
                .and_then(|e| e.set_password(secret).map(|_| e))
                .and_then(|e| e.get_password())
            {
                Ok(back) if back == secret => {
                    let _ = std::fs::remove_file(secret_path(data_dir));
                    return Ok((SecretStore::Keyring, None));
                }
                Ok(_) => "keyring returned a different value".to_owned(),
                Err(e) => e.to_string(),
            }
        };
        write_atomic(&secret_path(data_dir), secret.as_bytes(), 0o600)?;
        Ok((SecretStore::File, Some(why)))
    }

    /// The hub secret: from the environment, else from where it was stored.
    pub fn secret(&self, data_dir: &Path) -> Result<String, SettingsError> {
        if let Ok(s) = std::env::var(ENV_SECRET) {
            return Ok(s);
        }
        match self.secret_store {
            SecretStore::File => std::fs::read_to_string(secret_path(data_dir))
                .map(|s| s.trim().to_owned())
                .map_err(|e| {
                    SettingsError::NoSecret(format!("{}: {e}", secret_path(data_dir).display()))
                }),
            SecretStore::Keyring => keyring::Entry::new(KEYRING_SERVICE, &self.secret_account())
                .and_then(|e| e.get_password())
                .map_err(|e| SettingsError::NoSecret(format!("keyring: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_is_a_unit_code_or_unit_slash_desktop() {
        assert_eq!(parse_login(" 000.03.20.H34 ").unwrap(), "000.03.20.H34");
        assert_eq!(parse_login("000.03.20.H34/LD").unwrap(), "000.03.20.H34/LD");
        assert_eq!(
            parse_login("000.03.20.H34 / VT1").unwrap(),
            "000.03.20.H34/VT1"
        );
        for bad in [
            "",
            "abc",
            "000.03.20.H34/",
            "000.03.20.H34/L-D",
            "x/LD",
            "000.03.20.H34/A/B",
        ] {
            assert!(
                matches!(parse_login(bad), Err(SettingsError::BadLogin(_))),
                "{bad:?} accepted"
            );
        }
        let long = format!("000.03.20.H34/{}", "A".repeat(17));
        assert!(parse_login(&long).is_err());
    }

    #[test]
    fn a_vxp_identity_is_a_unit_with_a_system_id() {
        let v1 = Identity::parse("000.03.20.H34/LD", Some("  ")).unwrap();
        assert_eq!(
            (v1.protocol, v1.secret_account()),
            (Protocol::Vanthu, "000.03.20.H34/LD".into())
        );
        let vxp = Identity::parse(" 000.03.20.H34 ", Some(" sys-1 ")).unwrap();
        assert_eq!(vxp.protocol, Protocol::Vxp);
        assert_eq!(vxp.vxp_system_id.as_deref(), Some("sys-1"));
        assert_eq!(vxp.secret_account(), "vxp:sys-1");
        for (login, id) in [
            ("000.03.20.H34/LD", "sys-1"),
            ("000.03.20.H34", "sys 1"),
            ("000.03.20.H34", "hệ-thống"),
        ] {
            assert!(Identity::parse(login, Some(id)).is_err(), "{login} {id}");
        }
    }

    #[test]
    fn file_fallback_is_private() {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var(ENV_SECRET_STORE, "file");
        let (store, why) = Settings::store_secret(dir.path(), "A", "s3cret").unwrap();
        assert_eq!(store, SecretStore::File);
        assert!(why.is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("hub-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let s = Settings {
            hub_url: "http://127.0.0.1:1".into(),
            agency: "A".into(),
            agency_name: "Sở Nội vụ".into(),
            secret_store: store,
            ca_file: Some(dir.path().join("hub-ca.pem")),
            protocol: Protocol::Vanthu,
            vxp_system_id: None,
        };
        s.save(dir.path()).unwrap();
        let back = Settings::load(dir.path()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.secret(dir.path()).unwrap(), "s3cret");
        assert_eq!(back.secret_account(), "A");
        // Settings written before VXP existed read as /v1.
        let old: Settings =
            serde_json::from_str(r#"{"hub_url":"http://h","agency":"A","secret_store":"file"}"#)
                .unwrap();
        assert_eq!(old.protocol, Protocol::Vanthu);
        let vxp = Settings {
            protocol: Protocol::Vxp,
            vxp_system_id: Some("sys-1".into()),
            ..s
        };
        assert_eq!(vxp.secret_account(), "vxp:sys-1");
        vxp.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), vxp);
        assert!(matches!(
            Settings::load(&dir.path().join("none")),
            Err(SettingsError::NotConfigured)
        ));
    }
}
