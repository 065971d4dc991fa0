// Build facts for `vanthu --version` and the app's About: the commit and the build date.
// Included by the build scripts of crates/cli and src-tauri (`include!`), so both report
// the same thing. Sets VANTHU_COMMIT (short hash, "+dirty" never: that would rerun the
// script on every edit) and VANTHU_BUILD_DATE (UTC, YYYY-MM-DD; $SOURCE_DATE_EPOCH when set,
// for reproducible release builds). Outside a git checkout (a source tarball) the commit is
// $VANTHU_COMMIT or "unknown".
fn emit_build_info() {
    use std::process::Command;
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let commit = std::env::var("VANTHU_COMMIT")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| git(&["rev-parse", "--short=10", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    // Rerun when HEAD moves: HEAD itself (checkout) and the branch it points at (commit).
    for path in [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["symbolic-ref", "-q", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r])),
        git(&["rev-parse", "--git-path", "packed-refs"]),
    ]
    .into_iter()
    .flatten()
    {
        let p = std::path::Path::new(&path);
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap().join(p)
        };
        if abs.exists() {
            println!("cargo:rerun-if-changed={}", abs.display());
        }
    }
    println!("cargo:rerun-if-env-changed=VANTHU_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=VANTHU_COMMIT={commit}");
    println!("cargo:rustc-env=VANTHU_BUILD_DATE={}", civil_date(secs));
}

/// Days since 1970-01-01 → proleptic Gregorian Y-M-D (Howard Hinnant's civil_from_days),
/// so the build script needs no date crate.
fn civil_date(secs: u64) -> String {
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
