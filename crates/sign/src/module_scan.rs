//! Finding an installed token driver's PKCS#11 module on Windows without asking the clerk.
//!
//! The Vietnamese CAs' token drivers (most are Feitian/SecureMetric rebrands) copy their
//! PKCS#11 module into `%SystemRoot%\System32` under a vendor-specific name that changes with
//! each driver generation (`vnptca_p11_v6.dll` … `vnptca_p11_v10.dll`); a few vendors install
//! under Program Files. [`WINDOWS_MODULE_NAMES`] lists the names and where each comes from
//! (docs/tokens.md); [`present_modules`] is the pure matching step, tested on Linux;
//! [`scan_windows`] feeds it the real directories. The clerk can still choose the file.
use std::path::{Path, PathBuf};

/// A module file name a vendor's driver installs into System32.
pub struct WindowsModuleName {
    /// Vendor name shown to the clerk.
    pub vendor: &'static str,
    /// File name under System32.
    pub file: &'static str,
}

const fn m(vendor: &'static str, file: &'static str) -> WindowsModuleName {
    WindowsModuleName { vendor, file }
}

/// Newest driver generation first within a vendor: when several are installed the newest
/// usually matches the token in use. None of these is verified on a real token here.
pub const WINDOWS_MODULE_NAMES: &[WindowsModuleName] = &[
    m("VNPT-CA", "vnptca_p11_v10.dll"),
    m("VNPT-CA", "vnptca_p11_v9.dll"),
    m("VNPT-CA", "vnptca_p11_v8.dll"),
    m("VNPT-CA", "vnptca_p11_v7.dll"),
    m("VNPT-CA", "vnptca_p11_v6.dll"),
    m("VNPT-CA", "vnpt-ca_cl_v1.dll"),
    m("VNPT-CA", "vnpt-ca_v34.dll"),
    m("VNPT-CA", "vnpt-ca_csp11.dll"),
    m("Viettel-CA", "viettel-ca_v6.dll"),
    m("Viettel-CA", "viettel-ca_v5.dll"),
    m("Viettel-CA", "viettel-ca_v4.dll"),
    m("Viettel-CA", "viettel-ca_v3.dll"),
    m("Viettel-CA", "viettel-ca_v2.dll"),
    m("Viettel-CA", "viettel-ca_v1.dll"),
    m("Viettel-CA", "viettel-ca.dll"),
    m("FPT-CA", "fptca_v6.dll"),
    m("FPT-CA", "fptca_v5.dll"),
    m("FPT-CA", "fptca_v4.dll"),
    m("FPT-CA", "fptca_v3.dll"),
    m("FPT-CA", "fpt-ca-stx.dll"),
    m("FPT-CA", "fpt-ca.dll"),
    m("BKAV-CA", "BkavCAv2S.dll"),
    m("BKAV-CA", "BkavCA.dll"),
    m("BKAV-CA (SecureMetric)", "st3csp11.dll"),
    m("Ban Cơ yếu (VGCA)", "vgca_csp11.dll"),
    m("Nacencomm CA2", "ncca_csp11_v1.dll"),
    m("Nacencomm CA2", "CA2_csp11.dll"),
    m("Nacencomm CA2", "CA2_v34.dll"),
    m("Safe-CA", "Safe-ca_v2.dll"),
    m("Safe-CA", "safe-ca.dll"),
    m("Vina-CA (SmartSign)", "Vina-CAv5.dll"),
    m("Vina-CA (SmartSign)", "Vina-CAv4.dll"),
    m("Vina-CA (SmartSign)", "Vina-CAv3.dll"),
    m("Vina-CA (SmartSign)", "Vina-CA.dll"),
    m("Newtel-CA", "newca_v4.dll"),
    m("SafeNet eToken", "eTPKCS11.dll"),
    m("Feitian ePass2003", "eps2003csp11.dll"),
    m("Feitian ePass3003", "ShuttleCsp11_3003.dll"),
];

/// Modules installed under `%ProgramFiles%` (relative to it).
pub const PROGRAM_FILES_MODULES: &[(&str, &str)] = &[
    ("OpenSC", r"OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll"),
    ("Yubico", r"Yubico\Yubico PIV Tool\bin\libykcs11.dll"),
    ("SoftHSM2", r"SoftHSM2\lib\softhsm2-x64.dll"),
];

/// The known modules present in `listing` (the file names of one directory, as the OS spells
/// them), in [`WINDOWS_MODULE_NAMES`] order, joined to `dir`. Windows compares names without
/// case, so `VNPTCA_P11_V8.DLL` is the VNPT-CA module too.
pub fn present_modules(dir: &Path, listing: &[String]) -> Vec<(&'static str, PathBuf)> {
    WINDOWS_MODULE_NAMES
        .iter()
        .filter_map(|known| {
            listing
                .iter()
                .find(|name| name.eq_ignore_ascii_case(known.file))
                .map(|name| (known.vendor, dir.join(name)))
        })
        .collect()
}

/// System32 and Program Files searched for token modules (64-bit only: vanthu is a 64-bit
/// process and cannot load the 32-bit copies in SysWOW64).
#[cfg(windows)]
pub fn scan_windows() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = std::env::var_os("SystemRoot").unwrap_or_else(|| r"C:\Windows".into());
    let system32 = PathBuf::from(root).join("System32");
    let listing: Vec<String> = std::fs::read_dir(&system32)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.to_ascii_lowercase().ends_with(".dll"))
                .collect()
        })
        .unwrap_or_default();
    out.extend(
        present_modules(&system32, &listing)
            .into_iter()
            .map(|(_, p)| p),
    );
    if let Some(pf) = std::env::var_os("ProgramW6432").or_else(|| std::env::var_os("ProgramFiles"))
    {
        for (_, rel) in PROGRAM_FILES_MODULES {
            let p = PathBuf::from(&pf).join(rel);
            if p.is_file() {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_known_modules_without_case_in_table_order() {
        let dir = Path::new("/win/System32");
        let listing = names(&[
            "kernel32.dll",
            "VIETTEL-CA_V6.DLL",
            "vnptca_p11_v6.dll",
            "vnptca_p11_v8.dll",
            "msvcp140.dll",
            "eTPKCS11.dll",
        ]);
        let found = present_modules(dir, &listing);
        let got: Vec<(&str, String)> = found
            .iter()
            .map(|(v, p)| (*v, p.file_name().unwrap().to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("VNPT-CA", "vnptca_p11_v8.dll".to_owned()),
                ("VNPT-CA", "vnptca_p11_v6.dll".to_owned()),
                ("Viettel-CA", "VIETTEL-CA_V6.DLL".to_owned()),
                ("SafeNet eToken", "eTPKCS11.dll".to_owned()),
            ]
        );
        // the path keeps the OS's spelling of the name
        assert_eq!(found[2].1, dir.join("VIETTEL-CA_V6.DLL"));
    }

    #[test]
    fn ignores_lookalikes_and_empty_directories() {
        let dir = Path::new("C:/x");
        assert!(present_modules(dir, &[]).is_empty());
        let listing = names(&["vnptca_p11_v8.dll.bak", "old_viettel-ca.dll", "fpt-ca"]);
        assert!(present_modules(dir, &listing).is_empty());
    }

    #[test]
    fn table_has_the_cas_and_vendors_docs_list() {
        for v in [
            "VNPT-CA",
            "Viettel-CA",
            "FPT-CA",
            "BKAV-CA",
            "Ban Cơ yếu",
            "SafeNet",
            "ePass2003",
        ] {
            assert!(
                WINDOWS_MODULE_NAMES.iter().any(|m| m.vendor.contains(v)),
                "{v}"
            );
        }
        for m in WINDOWS_MODULE_NAMES {
            assert!(m.file.to_ascii_lowercase().ends_with(".dll"), "{}", m.file);
            assert!(!m.file.contains(['\\', '/']), "{}", m.file);
        }
    }
}
