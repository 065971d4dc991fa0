//! Logs go to a daily-rotated file in the app's log dir so a clerk's support request can
//! attach them; stderr gets a copy only when RUST_LOG asks for it.
use std::path::Path;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// How many daily files are kept; older ones are deleted by the appender.
const KEEP_FILES: usize = 14;

pub fn init(log_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(log_dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("vanthu")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(log_dir)?;
    let filter = EnvFilter::try_from_env("VANTHU_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let file_layer = fmt::layer().with_ansi(false).with_writer(appender);
    let stderr_layer = std::env::var_os("RUST_LOG")
        .is_some()
        .then(|| fmt::layer().with_writer(std::io::stderr));
    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()?;
    Ok(())
}
