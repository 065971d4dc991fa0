//! PKCS#11 tokens through cryptoki: module discovery, token and certificate listing,
//! login with PIN feedback, and signing on the token (keys never leave it).
use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
pub use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::{Decode, Encode};
use serde::Serialize;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use crate::cert::{cert_info, CertInfo};
use crate::SignError;

/// Usual PKCS#11 module file names of tokens used in Việt Nam, plus SoftHSM2.
/// `verified` = exercised by this project's tests (only SoftHSM2 here); see docs/tokens.md.
pub struct KnownModule {
    /// Vendor name shown to the clerk.
    pub vendor: &'static str,
    /// Where the vendor's installer puts the library.
    pub path: &'static str,
    /// Whether this project's tests exercise the module.
    pub verified: bool,
}

/// Paths probed, in order, when neither --module nor `$VANTHU_PKCS11_MODULE` names a module.
pub const KNOWN_MODULES: &[KnownModule] = &[
    KnownModule {
        vendor: "SoftHSM2",
        path: "/usr/lib/softhsm/libsofthsm2.so",
        verified: true,
    },
    KnownModule {
        vendor: "SoftHSM2",
        path: "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        verified: true,
    },
    KnownModule {
        vendor: "SoftHSM2",
        path: "/usr/local/lib/softhsm/libsofthsm2.so",
        verified: true,
    },
    KnownModule {
        vendor: "SoftHSM2",
        path: "C:\\SoftHSM2\\lib\\softhsm2-x64.dll",
        verified: false,
    },
    // Ban Cơ yếu Chính phủ (VGCA) tokens are Feitian/ePass-based or SafeNet-based.
    KnownModule {
        vendor: "Ban Cơ yếu (VGCA)",
        path: "C:\\Windows\\System32\\vgca_csp11.dll",
        verified: false,
    },
    KnownModule {
        vendor: "Ban Cơ yếu (VGCA)",
        path: "/usr/lib/libvgca_pkcs11.so",
        verified: false,
    },
    KnownModule {
        vendor: "Viettel-CA",
        path: "C:\\Windows\\System32\\viettel-ca_v6.dll",
        verified: false,
    },
    KnownModule {
        vendor: "Viettel-CA",
        path: "C:\\Windows\\System32\\viettel-ca.dll",
        verified: false,
    },
    KnownModule {
        vendor: "VNPT-CA",
        path: "C:\\Windows\\System32\\vnpt-ca_csp11.dll",
        verified: false,
    },
    KnownModule {
        vendor: "VNPT-CA",
        path: "C:\\Windows\\System32\\vnptca_p11_v6.dll",
        verified: false,
    },
    KnownModule {
        vendor: "BkavCA",
        path: "C:\\Windows\\System32\\BkavCA.dll",
        verified: false,
    },
    KnownModule {
        vendor: "BkavCA",
        path: "C:\\Windows\\System32\\bkavcsp11.dll",
        verified: false,
    },
    KnownModule {
        vendor: "FPT-CA",
        path: "C:\\Windows\\System32\\fpt-ca.dll",
        verified: false,
    },
    KnownModule {
        vendor: "FPT-CA",
        path: "C:\\Windows\\System32\\fptca_csp11.dll",
        verified: false,
    },
    KnownModule {
        vendor: "SafeNet eToken",
        path: "C:\\Windows\\System32\\eTPKCS11.dll",
        verified: false,
    },
    KnownModule {
        vendor: "SafeNet eToken",
        path: "/usr/lib/libeTPkcs11.so",
        verified: false,
    },
    KnownModule {
        vendor: "SafeNet eToken",
        path: "/usr/lib/libeToken.so",
        verified: false,
    },
    KnownModule {
        vendor: "Feitian ePass2003",
        path: "C:\\Windows\\System32\\eps2003csp11.dll",
        verified: false,
    },
    KnownModule {
        vendor: "Feitian ePass2003",
        path: "/usr/lib/libcastle.so.1.0.0",
        verified: false,
    },
    KnownModule {
        vendor: "OpenSC (ePass2003 and others)",
        path: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        verified: false,
    },
];

/// Module candidates: `explicit`, else `$VANTHU_PKCS11_MODULE`, else every known path present
/// (on Windows also the System32/Program Files scan of [`crate::module_scan`]).
pub fn candidate_modules(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(p) = explicit {
        return vec![p.to_path_buf()];
    }
    if let Some(p) = std::env::var_os("VANTHU_PKCS11_MODULE") {
        return vec![PathBuf::from(p)];
    }
    let mut out: Vec<PathBuf> = Vec::new();
    for m in KNOWN_MODULES {
        let p = PathBuf::from(m.path);
        if p.exists() {
            // Several paths can be the same library (symlinks); load it once.
            let canon = std::fs::canonicalize(&p).unwrap_or(p.clone());
            if !out
                .iter()
                .any(|o| std::fs::canonicalize(o).unwrap_or(o.clone()) == canon)
            {
                out.push(p);
            }
        }
    }
    // Windows: every known driver module in System32 / Program Files (docs/tokens.md).
    #[cfg(windows)]
    for p in crate::module_scan::scan_windows() {
        if !out
            .iter()
            .any(|o| o.as_os_str().eq_ignore_ascii_case(p.as_os_str()))
        {
            out.push(p);
        }
    }
    out
}

/// A certificate on a token, as listed for the clerk to choose from.
#[derive(Debug, Clone, Serialize)]
pub struct TokenCert {
    /// CKA_LABEL of the certificate object.
    pub label: String,
    /// CKA_ID, hex.
    pub id: String,
    /// Subject, issuer, validity and key usages (flattened into the JSON).
    #[serde(flatten)]
    pub info: CertInfo,
}

/// A token present in a slot, with its PIN state and certificates.
#[derive(Debug, Clone, Serialize)]
pub struct TokenEntry {
    /// Path of the PKCS#11 module that sees the token.
    pub module: String,
    /// Slot id holding the token.
    pub slot: u64,
    /// Token label.
    pub label: String,
    /// Token manufacturer.
    pub manufacturer: String,
    /// Token model.
    pub model: String,
    /// Token serial number.
    pub serial: String,
    /// The token needs a PIN before signing.
    pub login_required: bool,
    /// Some wrong PINs have been entered.
    pub pin_count_low: bool,
    /// One more wrong PIN locks the token.
    pub pin_final_try: bool,
    /// The user PIN is locked.
    pub pin_locked: bool,
    /// Certificates on the token.
    pub certificates: Vec<TokenCert>,
}

/// A loaded PKCS#11 module (a vendor's driver library).
pub struct Module {
    /// File the module was loaded from.
    pub path: PathBuf,
    ctx: Pkcs11,
}

fn ck(e: CkError) -> SignError {
    match e {
        // The token went away between listing and signing (pulled out mid-session).
        CkError::Pkcs11(
            RvError::TokenNotPresent
            | RvError::DeviceRemoved
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::SlotIdInvalid,
            _,
        ) => SignError::TokenNotFound(String::new()),
        CkError::Pkcs11(RvError::UserNotLoggedIn, _) => {
            SignError::Token("phiên đăng nhập token đã hết / token session logged out".into())
        }
        e => SignError::Token(e.to_string()),
    }
}

impl Module {
    /// Loads and initialises a PKCS#11 module file.
    pub fn load(path: &Path) -> Result<Module, SignError> {
        let ctx = Pkcs11::new(path).map_err(|e| SignError::ModuleLoad {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        match ctx.initialize(CInitializeArgs::OsThreads) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(ck(e)),
        }
        Ok(Module {
            path: path.to_path_buf(),
            ctx,
        })
    }

    /// Slots that currently hold a token.
    pub fn slots(&self) -> Result<Vec<Slot>, SignError> {
        self.ctx.get_slots_with_token().map_err(ck)
    }

    /// Lists the tokens present with their certificates.
    pub fn list(&self) -> Result<Vec<TokenEntry>, SignError> {
        let mut out = Vec::new();
        for slot in self.slots()? {
            let Ok(ti) = self.ctx.get_token_info(slot) else {
                continue;
            };
            if !ti.token_initialized() {
                continue;
            }
            let mut certificates = Vec::new();
            if let Ok(session) = self.ctx.open_ro_session(slot) {
                for (label, id, der) in find_certs(&session).unwrap_or_default() {
                    if let Ok(info) = Certificate::from_der(&der).map(|c| cert_info(&c)) {
                        certificates.push(TokenCert {
                            label,
                            id: hex::encode(id),
                            info,
                        });
                    }
                }
            }
            // PKCS#11 lists objects in no fixed order; callers (the CLI's JSON, the app's
            // picker and its default) must see the same order on every call.
            certificates.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.id.cmp(&b.id)));
            out.push(TokenEntry {
                module: self.path.display().to_string(),
                slot: slot.id(),
                label: ti.label().trim().to_string(),
                manufacturer: ti.manufacturer_id().trim().to_string(),
                model: ti.model().trim().to_string(),
                serial: ti.serial_number().trim().to_string(),
                login_required: ti.login_required(),
                pin_count_low: ti.user_pin_count_low(),
                pin_final_try: ti.user_pin_final_try(),
                pin_locked: ti.user_pin_locked(),
                certificates,
            });
        }
        Ok(out)
    }

    /// Finds the token (by label, else the first one with a certificate).
    pub fn find_slot(&self, token_label: Option<&str>) -> Result<Slot, SignError> {
        let slots = self.slots()?;
        for slot in &slots {
            let Ok(ti) = self.ctx.get_token_info(*slot) else {
                continue;
            };
            if !ti.token_initialized() {
                continue;
            }
            match token_label {
                Some(l) if ti.label().trim() == l => return Ok(*slot),
                Some(_) => {}
                None => return Ok(*slot),
            }
        }
        Err(SignError::TokenNotFound(
            token_label.unwrap_or("").to_string(),
        ))
    }

    /// Opens a session on the token and logs in; PIN problems become clear errors with
    /// the retry state the token reports.
    pub fn login(&self, slot: Slot, pin: &Zeroizing<String>) -> Result<TokenSession, SignError> {
        let session = self
            .ctx
            .open_rw_session(slot)
            .or_else(|_| self.ctx.open_ro_session(slot))
            .map_err(|e| match e {
                CkError::Pkcs11(
                    RvError::TokenNotPresent | RvError::DeviceRemoved | RvError::SlotIdInvalid,
                    _,
                ) => SignError::TokenNotFound(String::new()),
                e => ck(e),
            })?;
        let auth = AuthPin::new(pin.as_str().into());
        match session.login(UserType::User, Some(&auth)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                let ti = self.ctx.get_token_info(slot).ok();
                let state = match &ti {
                    Some(t) if t.user_pin_locked() => PinState::Locked,
                    Some(t) if t.user_pin_final_try() => PinState::FinalTry,
                    Some(t) if t.user_pin_count_low() => PinState::CountLow,
                    _ => PinState::Unknown,
                };
                if state == PinState::Locked {
                    return Err(SignError::PinLocked);
                }
                return Err(SignError::WrongPin(state));
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => return Err(SignError::PinLocked),
            Err(CkError::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _)) => {
                return Err(SignError::WrongPin(PinState::Unknown))
            }
            Err(CkError::Pkcs11(RvError::TokenNotPresent | RvError::DeviceRemoved, _)) => {
                return Err(SignError::TokenNotFound(String::new()))
            }
            Err(e) => return Err(ck(e)),
        }
        Ok(TokenSession { session })
    }
}

/// How close the user PIN is to being locked, as the token reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinState {
    /// The token reports no warning.
    Unknown,
    /// Some wrong PINs have been entered.
    CountLow,
    /// One more wrong PIN locks the token.
    FinalTry,
    /// The PIN is locked.
    Locked,
}

impl std::fmt::Display for PinState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PinState::Unknown => "token không báo số lần thử còn lại / the token does not report remaining tries",
            PinState::CountLow => "còn ít lần thử / few tries left",
            PinState::FinalTry => "chỉ còn MỘT lần thử, sai nữa token sẽ bị khóa / ONE try left before the token locks",
            PinState::Locked => "token đã bị khóa / token locked",
        })
    }
}

/// (label, CKA_ID, DER) of each certificate object.
type CertObjects = Vec<(String, Vec<u8>, Vec<u8>)>;

fn find_certs(session: &Session) -> Result<CertObjects, CkError> {
    let handles = session.find_objects(&[
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ])?;
    let mut out = Vec::new();
    for h in handles {
        let attrs = session.get_attributes(
            h,
            &[
                AttributeType::Label,
                AttributeType::Id,
                AttributeType::Value,
            ],
        )?;
        let (mut label, mut id, mut value) = (String::new(), Vec::new(), Vec::new());
        for a in attrs {
            match a {
                Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                Attribute::Id(i) => id = i,
                Attribute::Value(v) => value = v,
                _ => {}
            }
        }
        if !value.is_empty() {
            out.push((label, id, value));
        }
    }
    Ok(out)
}

/// A logged-in session on a token.
pub struct TokenSession {
    session: Session,
}

/// Key algorithm of a token key; picks the signature mechanism and CMS algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlg {
    /// RSA, signed as SHA-256 with PKCS#1 v1.5 padding.
    Rsa,
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
}

/// A private key on a token with its certificate: what a signature needs.
pub struct TokenKey<'s> {
    session: &'s TokenSession,
    handle: ObjectHandle,
    /// Algorithm of the private key.
    pub alg: KeyAlg,
    /// CKA_LABEL of the key.
    pub label: String,
    /// DER of the matching certificate.
    pub cert_der: Vec<u8>,
    /// The matching certificate, parsed.
    pub cert: Certificate,
}

impl TokenSession {
    /// The signing key: by label if given, else the first private key whose certificate
    /// is on the token (matched by CKA_ID).
    pub fn key(&self, key_label: Option<&str>) -> Result<TokenKey<'_>, SignError> {
        let certs = find_certs(&self.session).map_err(ck)?;
        let keys = self
            .session
            .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
            .map_err(ck)?;
        for h in keys {
            let attrs = self
                .session
                .get_attributes(
                    h,
                    &[
                        AttributeType::Label,
                        AttributeType::Id,
                        AttributeType::KeyType,
                        AttributeType::EcParams,
                    ],
                )
                .map_err(ck)?;
            let (mut label, mut id, mut kt, mut ec_params) =
                (String::new(), Vec::new(), None, Vec::new());
            for a in attrs {
                match a {
                    Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                    Attribute::Id(i) => id = i,
                    Attribute::KeyType(k) => kt = Some(k),
                    Attribute::EcParams(p) => ec_params = p,
                    _ => {}
                }
            }
            if let Some(want) = key_label {
                if label != want {
                    continue;
                }
            }
            let Some(cert_der) = certs
                .iter()
                .find(|(cl, cid, _)| {
                    (!id.is_empty() && *cid == id) || (id.is_empty() && *cl == label)
                })
                .map(|(_, _, d)| d.clone())
            else {
                continue;
            };
            let alg = match kt {
                Some(KeyType::RSA) => KeyAlg::Rsa,
                Some(KeyType::EC) => {
                    // OIDs of P-256 / P-384 in DER.
                    if ec_params == hex::decode("06082a8648ce3d030107").unwrap_or_default() {
                        KeyAlg::EcdsaP256
                    } else if ec_params == hex::decode("06052b81040022").unwrap_or_default() {
                        KeyAlg::EcdsaP384
                    } else {
                        return Err(SignError::Token(
                            "đường cong EC không hỗ trợ / unsupported EC curve".into(),
                        ));
                    }
                }
                _ => continue,
            };
            let cert = Certificate::from_der(&cert_der)
                .map_err(|e| SignError::Token(format!("bad certificate on token: {e}")))?;
            return Ok(TokenKey {
                session: self,
                handle: h,
                alg,
                label,
                cert_der,
                cert,
            });
        }
        Err(SignError::KeyNotFound(key_label.unwrap_or("").to_string()))
    }
}

impl TokenKey<'_> {
    /// Signs `data` (the DER of the signed attributes); returns the CMS signature value
    /// (PKCS#1 v1.5 for RSA, DER `Ecdsa-Sig-Value` for ECDSA).
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        use sha2::Digest;
        let s = &self.session.session;
        match self.alg {
            KeyAlg::Rsa => s
                .sign(&Mechanism::Sha256RsaPkcs, self.handle, data)
                .map_err(ck),
            KeyAlg::EcdsaP256 | KeyAlg::EcdsaP384 => {
                let digest = sha2::Sha256::digest(data);
                let raw = s
                    .sign(&Mechanism::Ecdsa, self.handle, &digest)
                    .map_err(ck)?;
                ecdsa_raw_to_der(&raw)
            }
        }
    }

    /// DER of the key's certificate, re-encoded.
    pub fn cert_der(&self) -> Result<Vec<u8>, SignError> {
        self.cert
            .to_der()
            .map_err(|e| SignError::Cms(e.to_string()))
    }
}

/// PKCS#11 returns ECDSA signatures as r||s; CMS wants SEQUENCE { INTEGER r, INTEGER s }.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, SignError> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(SignError::Token("bad ECDSA signature length".into()));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let r = der::asn1::UintRef::new(r).map_err(|e| SignError::Cms(e.to_string()))?;
    let s = der::asn1::UintRef::new(s).map_err(|e| SignError::Cms(e.to_string()))?;
    let seq = EcdsaSig { r, s };
    seq.to_der().map_err(|e| SignError::Cms(e.to_string()))
}

#[derive(der::Sequence)]
struct EcdsaSig<'a> {
    r: der::asn1::UintRef<'a>,
    s: der::asn1::UintRef<'a>,
}

/// Lists tokens over every candidate module; modules that fail to load are reported in
/// the second list instead of aborting the listing.
pub fn list_tokens(module: Option<&Path>) -> (Vec<TokenEntry>, Vec<String>) {
    let mut tokens = Vec::new();
    let mut problems = Vec::new();
    for m in candidate_modules(module) {
        match Module::load(&m).and_then(|md| md.list()) {
            Ok(t) => tokens.extend(t),
            Err(e) => problems.push(format!("{}: {e}", m.display())),
        }
    }
    (tokens, problems)
}

/// Token presence snapshots for plug/unplug detection: the app calls `poll` every second
/// or so; PKCS#11 slot events are not reliable across vendors, polling is.
pub struct TokenWatcher {
    module: Module,
    last: Vec<(u64, String)>,
}

/// A token change in the watched module's slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenEvent {
    /// A token appeared in a slot.
    Inserted {
        /// Slot id.
        slot: u64,
        /// Token label.
        label: String,
    },
    /// A token left its slot (unplugged).
    Removed {
        /// Slot id.
        slot: u64,
        /// Token label.
        label: String,
    },
}

impl TokenWatcher {
    /// Watches a module; the first poll reports every token present as inserted.
    pub fn new(module: Module) -> Self {
        TokenWatcher {
            module,
            last: Vec::new(),
        }
    }
    /// Compares the slots with the last poll and reports what was inserted or removed.
    pub fn poll(&mut self) -> Vec<TokenEvent> {
        let now: Vec<(u64, String)> = self
            .module
            .slots()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| {
                let ti = self.module.ctx.get_token_info(s).ok()?;
                Some((s.id(), ti.label().trim().to_string()))
            })
            .collect();
        let mut ev = Vec::new();
        for t in &now {
            if !self.last.contains(t) {
                ev.push(TokenEvent::Inserted {
                    slot: t.0,
                    label: t.1.clone(),
                });
            }
        }
        for t in &self.last {
            if !now.contains(t) {
                ev.push(TokenEvent::Removed {
                    slot: t.0,
                    label: t.1.clone(),
                });
            }
        }
        self.last = now;
        ev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_raw_signature_becomes_der_integers() {
        // r has its high bit set (needs a 0x00 pad), s has leading zeros (must be trimmed).
        let mut raw = vec![0x80; 32];
        raw.extend(std::iter::repeat_n(0u8, 31));
        raw.push(0x05);
        let der = ecdsa_raw_to_der(&raw).unwrap();
        let mut want = vec![0x30, 2 + 33 + 3, 0x02, 33, 0x00];
        want.extend([0x80; 32]);
        want.extend([0x02, 1, 0x05]);
        assert_eq!(der, want);
        assert!(p256::ecdsa::Signature::from_der(&der).is_ok());
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_err());
    }

    #[test]
    fn known_modules_table_has_the_usual_vendors() {
        for v in [
            "VGCA",
            "Viettel-CA",
            "VNPT-CA",
            "BkavCA",
            "FPT-CA",
            "SafeNet",
            "ePass2003",
            "SoftHSM2",
        ] {
            assert!(KNOWN_MODULES.iter().any(|m| m.vendor.contains(v)), "{v}");
        }
        assert!(KNOWN_MODULES
            .iter()
            .filter(|m| m.verified)
            .all(|m| m.vendor == "SoftHSM2"));
    }
}
