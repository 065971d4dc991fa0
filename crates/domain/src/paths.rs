//! File names and the data directory, the same on every OS the product runs on.
//!
//! Attachment names come from other agencies' edXML packages and from clerks' drag-and-drop,
//! so they are untrusted text that must become a file name on Linux and on Windows (NTFS,
//! the system most clerks use). Both rules are pure functions so they are tested on Linux too.
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use crate::text::nfc;

/// Longest name [`portable_file_name`] returns, in UTF-16 code units (what NTFS counts).
/// NTFS allows 255 per component, but Explorer and many Windows programs still fail on full
/// paths longer than 260 (MAX_PATH); a short name leaves room for the data or output
/// directory in front of it. (The Rust standard library itself adds the `\\?\` prefix to
/// long absolute paths, so our own file operations do not need MAX_PATH.)
pub const MAX_FILE_NAME_UTF16: usize = 120;

/// Longest extension kept whole when a name is shortened (`.pdf`, `.docx`, `.edxml`).
const MAX_EXTENSION_UTF16: usize = 16;

/// Names Windows reserves for devices, in every directory and with any extension
/// (`nul.txt` is the NUL device too). Superscript-digit COM/LPT names are reserved as well.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4",
    "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3",
    "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// The base name of `raw` made safe to create on Linux and Windows, or `None` when nothing
/// usable remains (the caller then picks a fallback such as `dinh-kem-1`).
///
/// * only the last path component is kept (`/` and `\` both separate), so a name can never
///   climb out of the directory it is written to;
/// * NFC (a name typed on a Mac arrives decomposed);
/// * control characters and `< > : " | ? *` (refused by NTFS) are dropped;
/// * leading dots (`..`, hidden files) and trailing dots and spaces (Windows silently strips
///   them, so `a.pdf.` and `a.pdf` would collide) are trimmed;
/// * a Windows device name (`CON`, `nul.txt`, `COM1.pdf`…) gets a leading `_`;
/// * at most [`MAX_FILE_NAME_UTF16`] UTF-16 units, the extension kept.
pub fn portable_file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    // Normalised after the filtering: removing a character can bring two combining marks
    // together, which NFC then reorders, so normalising first would not be idempotent.
    let filtered: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect();
    let cleaned = nfc(&filtered);
    let mut name = trim_edges(&cleaned).to_owned();
    if name.is_empty() {
        return None;
    }
    if is_reserved(&name) {
        name.insert(0, '_');
    }
    let name = shorten(&name, MAX_FILE_NAME_UTF16);
    let name = trim_edges(&name);
    (!name.is_empty()).then(|| name.to_owned())
}

/// The key two names collide under on the file systems we write to: NTFS compares names
/// without case, so `Báo cáo.PDF` and `báo cáo.pdf` are one file there.
pub fn file_name_key(name: &str) -> String {
    nfc(name).to_lowercase()
}

/// Whitespace and leading dots off the front, dots and whitespace off the end.
fn trim_edges(s: &str) -> &str {
    s.trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
}

/// `CON`, `con.txt`, `Com1 .pdf`: the part before the first dot, without trailing spaces,
/// is a device name.
fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").trim_end();
    let stem = stem.to_uppercase();
    RESERVED.contains(&stem.as_str())
}

/// Cuts `name` to `max` UTF-16 units, keeping a short extension whole.
fn shorten(name: &str, max: usize) -> String {
    let units = |s: &str| s.encode_utf16().count();
    if units(name) <= max {
        return name.to_owned();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && units(&name[i..]) <= MAX_EXTENSION_UTF16 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let budget = max - units(ext);
    let mut used = 0;
    let mut cut = String::new();
    for c in stem.chars() {
        used += c.len_utf16();
        if used > budget {
            break;
        }
        cut.push(c);
    }
    let mut out = trim_edges(&cut).to_owned();
    out.push_str(ext);
    out
}

/// The operating system whose conventions [`data_dir_for`] follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Windows: `%LOCALAPPDATA%`, else `%APPDATA%`.
    Windows,
    /// Everything else: `$XDG_DATA_HOME`, else `~/.local/share`.
    Unix,
}

impl Os {
    /// The OS this program was built for.
    pub const fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else {
            Os::Unix
        }
    }
}

/// Where the register lives unless `--data-dir`/`$VANTHU_DATA_DIR` say otherwise, shared by
/// the `vanthu` CLI and the desktop app so both open the same register.
///
/// * Unix: `$XDG_DATA_HOME/vanthu`, else `~/.local/share/vanthu`.
/// * Windows: `%LOCALAPPDATA%\vanthu`, else `%APPDATA%\vanthu`, else
///   `%USERPROFILE%\AppData\Local\vanthu`. Local, not Roaming: the register (database and
///   attachments, gigabytes after a few years) belongs to one desktop — its hub identity and
///   number blocks must not follow a roaming profile to a second machine (docs/decisions.md).
///
/// `env` looks a variable up (the real environment in [`default_data_dir`], a table in tests).
pub fn data_dir_for(os: Os, env: impl Fn(&str) -> Option<OsString>) -> PathBuf {
    let var = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("VANTHU_DATA_DIR") {
        return dir;
    }
    let base = match os {
        Os::Unix => var("XDG_DATA_HOME").or_else(|| var("HOME").map(|h| h.join(".local/share"))),
        Os::Windows => var("LOCALAPPDATA")
            .or_else(|| var("APPDATA"))
            .or_else(|| var("USERPROFILE").map(|h| h.join("AppData").join("Local"))),
    };
    base.unwrap_or_else(|| PathBuf::from(".")).join("vanthu")
}

/// [`data_dir_for`] on this OS with the process environment.
pub fn default_data_dir() -> PathBuf {
    data_dir_for(Os::current(), |k| std::env::var_os(k))
}

/// Moves the finished temporary file `tmp` over `dest` (the last step of temp → fsync →
/// rename). On Windows the rename replaces `dest` even while another handle has it open
/// (the standard library opens files with FILE_SHARE_DELETE and renames with POSIX
/// semantics where NTFS offers them), but a virus scanner or indexer that opened `dest`
/// without sharing makes it fail with "access denied" for a moment: retried for up to ~2 s,
/// the way Git for Windows and npm handle it.
pub fn replace_file(tmp: &Path, dest: &Path) -> io::Result<()> {
    let mut attempt = 0;
    loop {
        match std::fs::rename(tmp, dest) {
            Err(e)
                if cfg!(windows) && e.kind() == io::ErrorKind::PermissionDenied && attempt < 20 =>
            {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

/// Makes a rename in `dir` durable. On Unix the directory is fsynced; Windows cannot open a
/// directory as a file (and NTFS journals the rename itself), so there it does nothing.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Option<String> {
        portable_file_name(s)
    }

    #[test]
    fn keeps_ordinary_vietnamese_names() {
        assert_eq!(p("Quyết định 12.pdf").as_deref(), Some("Quyết định 12.pdf"));
        // decomposed input (macOS) comes out NFC
        let nfd = "Quye\u{0302}\u{0301}t.pdf";
        assert_eq!(p(nfd).as_deref(), Some("Quyết.pdf"));
    }

    #[test]
    fn keeps_only_the_last_component() {
        assert_eq!(p("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            p(r"C:\Users\a\Báo cáo.docx").as_deref(),
            Some("Báo cáo.docx")
        );
        assert_eq!(p(".."), None);
        assert_eq!(p("dir/"), None);
        assert_eq!(p(""), None);
    }

    #[test]
    fn drops_characters_ntfs_refuses() {
        assert_eq!(p("a<b>c:d\"e|f?g*h.pdf").as_deref(), Some("abcdefgh.pdf"));
        assert_eq!(p("tab\there\u{7}.pdf").as_deref(), Some("tabhere.pdf"));
        assert_eq!(p("???"), None);
    }

    #[test]
    fn trims_dots_and_spaces_windows_would_strip() {
        assert_eq!(p("báo cáo.pdf. . ").as_deref(), Some("báo cáo.pdf"));
        assert_eq!(p("  .hidden.pdf").as_deref(), Some("hidden.pdf"));
        assert_eq!(p(" ... "), None);
    }

    #[test]
    fn prefixes_windows_device_names() {
        for raw in [
            "CON",
            "con",
            "nul.txt",
            "Com1.pdf",
            "LPT9.tar.gz",
            "aux .docx",
            "COM¹.pdf",
        ] {
            let got = p(raw).unwrap();
            assert!(got.starts_with('_'), "{raw} → {got}");
            assert_eq!(&got[1..], raw.trim_end_matches(' '), "{raw}");
        }
        // only the exact device names: these are ordinary files
        for raw in [
            "CONSOLE.pdf",
            "com10.pdf",
            "nul_.txt",
            "Công văn.pdf",
            "LPT.pdf",
        ] {
            assert_eq!(p(raw).as_deref(), Some(raw));
        }
    }

    #[test]
    fn shortens_long_names_keeping_the_extension() {
        let long = format!("{}.pdf", "Tờ trình ".repeat(40));
        let got = p(&long).unwrap();
        assert!(got.encode_utf16().count() <= MAX_FILE_NAME_UTF16);
        assert!(got.ends_with(".pdf"), "{got}");
        assert!(got.starts_with("Tờ trình Tờ trình"), "{got}");
        assert!(!got.trim_end_matches(".pdf").ends_with(' '), "{got}");
        // a very long "extension" is not kept whole
        let weird = format!("a.{}", "x".repeat(300));
        assert_eq!(
            p(&weird).unwrap().encode_utf16().count(),
            MAX_FILE_NAME_UTF16
        );
        // astral characters count two units and are never split
        let emoji = "📄".repeat(100);
        let got = p(&emoji).unwrap();
        assert_eq!(got.encode_utf16().count(), MAX_FILE_NAME_UTF16);
        assert_eq!(got.chars().count(), MAX_FILE_NAME_UTF16 / 2);
    }

    #[test]
    fn names_collide_without_case() {
        assert_eq!(file_name_key("Báo Cáo.PDF"), file_name_key("báo cáo.pdf"));
        assert_ne!(file_name_key("a.pdf"), file_name_key("b.pdf"));
    }

    #[test]
    fn data_dir_per_os() {
        fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        }
        let win = [
            ("LOCALAPPDATA", r"C:\Users\vt\AppData\Local"),
            ("APPDATA", r"C:\Users\vt\AppData\Roaming"),
            ("USERPROFILE", r"C:\Users\vt"),
        ];
        assert_eq!(
            data_dir_for(Os::Windows, env(&win[..])),
            PathBuf::from(r"C:\Users\vt\AppData\Local").join("vanthu")
        );
        assert_eq!(
            data_dir_for(Os::Windows, env(&win[1..])),
            PathBuf::from(r"C:\Users\vt\AppData\Roaming").join("vanthu")
        );
        assert_eq!(
            data_dir_for(Os::Windows, env(&win[2..])),
            PathBuf::from(r"C:\Users\vt")
                .join("AppData")
                .join("Local")
                .join("vanthu")
        );
        assert_eq!(
            data_dir_for(
                Os::Unix,
                env(&[("HOME", "/home/vt"), ("LOCALAPPDATA", "x")])
            ),
            PathBuf::from("/home/vt/.local/share/vanthu")
        );
        assert_eq!(
            data_dir_for(
                Os::Unix,
                env(&[("HOME", "/home/vt"), ("XDG_DATA_HOME", "/d")])
            ),
            PathBuf::from("/d/vanthu")
        );
        // the override wins everywhere; an empty override is ignored
        for os in [Os::Unix, Os::Windows] {
            assert_eq!(
                data_dir_for(os, env(&[("VANTHU_DATA_DIR", "/x"), ("HOME", "/h")])),
                PathBuf::from("/x")
            );
            assert_eq!(
                data_dir_for(
                    os,
                    env(&[
                        ("VANTHU_DATA_DIR", ""),
                        ("XDG_DATA_HOME", "/d"),
                        ("LOCALAPPDATA", "/d")
                    ])
                ),
                PathBuf::from("/d/vanthu")
            );
        }
    }

    #[test]
    fn replaces_a_file_another_handle_has_open() {
        use std::io::{Read, Write};
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sync-settings.json");
        std::fs::write(&dest, b"old").unwrap();
        let mut reader = std::fs::File::open(&dest).unwrap();
        let tmp = dir.path().join(".sync-settings.json.tmp");
        let mut f = std::fs::File::create(&tmp).unwrap();
        f.write_all(b"new").unwrap();
        f.sync_all().unwrap();
        drop(f);
        replace_file(&tmp, &dest).unwrap();
        sync_dir(dir.path()).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert!(!tmp.exists());
        // the old handle still reads the old content
        let mut old = String::new();
        reader.read_to_string(&mut old).unwrap();
        assert_eq!(old, "old");
    }

    /// The case proptest found: the `*` between two combining marks of different classes
    /// goes, the marks meet, and NFC puts them in canonical order. A second pass must not
    /// change the name again.
    #[test]
    fn removing_a_character_between_combining_marks_is_stable() {
        let once = portable_file_name("\u{1e01b}*\u{1193d}").unwrap();
        assert_eq!(portable_file_name(&once), Some(once.clone()));
    }

    proptest! {
        /// Whatever arrives, the result is one component Windows accepts.
        #[test]
        fn always_a_safe_component(raw in "\\PC{0,300}|[ -~\\x00-\\x1f¹²³]{0,40}") {
            if let Some(n) = portable_file_name(&raw) {
                prop_assert!(!n.is_empty());
                prop_assert!(n.encode_utf16().count() <= MAX_FILE_NAME_UTF16);
                prop_assert!(!n.contains(['/', '\\', '<', '>', ':', '"', '|', '?', '*']));
                prop_assert!(!n.chars().any(char::is_control));
                prop_assert!(!n.starts_with('.') && !n.ends_with('.') && !n.ends_with(' '));
                prop_assert!(!is_reserved(&n));
                prop_assert_eq!(portable_file_name(&n), Some(n.clone()));
            }
        }
    }
}
