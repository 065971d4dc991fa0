//! The `vanthu` command: every capability of the product, scriptable and testable headless.
//! Each area lives in its own module with a clap `Subcommand`/`Args` type and a `run` function;
//! this file only wires them together.
use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod archive;
mod backup;
mod edxml;
mod hub;
mod pdf;
mod registry;
mod report;
mod scan;
mod sign;
mod sync;
mod sync_alerts;

/// `vanthu --version`: the release, the commit it was built from and the build date
/// (crates/cli/build.rs), what a clerk reads out when reporting a problem.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("VANTHU_COMMIT"),
    ", build ",
    env!("VANTHU_BUILD_DATE"),
    ")"
);

/// vanthu: sổ văn bản đến/đi, trao đổi edXML, xem và ký số PDF.
#[derive(Parser)]
#[command(name = "vanthu", version = VERSION, about)]
struct Cli {
    #[command(flatten)]
    global: GlobalOpts,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand understands.
#[derive(clap::Args, Debug, Clone)]
pub struct GlobalOpts {
    /// Data directory (database, attachment store). Default: the OS data dir.
    #[arg(long, global = true, env = "VANTHU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of text (read commands).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Print the resolved data directory.
    DataDir,
    #[command(flatten)]
    Registry(Box<registry::RegistryCommand>),
    /// Trục trao đổi văn bản / the reference hub server.
    #[command(subcommand)]
    Hub(hub::HubCmd),
    /// Đồng bộ với trục / sync with the hub (--once, --daemon, setup, send, status, list).
    Sync(sync::SyncArgs),
    /// Gói tin edXML / edXML packages and status messages (QCVN 102:2016).
    #[command(subcommand)]
    Edxml(Box<edxml::EdxmlCmd>),
    /// Xem, hiển thị và trích văn bản PDF / inspect, render and extract text from PDFs.
    #[command(subcommand)]
    Pdf(pdf::PdfCommand),
    /// PKCS#11 tokens (USB tokens, SoftHSM).
    #[command(subcommand)]
    Token(sign::TokenCmd),
    /// Sign a PDF (PAdES, incremental update) with a token.
    Sign(Box<sign::SignArgs>),
    /// Verify every signature of a PDF.
    Verify(sign::VerifyArgs),
    /// Chờ ký: list the outgoing drafts waiting for a signature, or sign them with one PIN.
    SignQueue(Box<sign::SignQueueArgs>),
    /// Bản quét chờ vào sổ / scan drafts taken in from the scan folder.
    #[command(subcommand)]
    Scan(scan::ScanCmd),
    /// Sao lưu / back up the register, attachments and settings into one file.
    Backup(backup::BackupArgs),
    /// Báo cáo / reports: issuing, statuses (phản hồi trạng thái), processing (giải quyết).
    Report(report::ReportArgs),
    /// Nộp lưu / archive packages: export, verify, import (NĐ 30, TT 02/2019 metadata).
    #[command(subcommand)]
    Archive(archive::ArchiveCmd),
    /// In sổ đăng ký văn bản đến/đi của một năm / print a register book (PDF with a cover, XLSX).
    RegisterBook(report::BookArgs),
    /// In phiếu giải quyết văn bản đến / print the processing slip of an incoming document.
    ProcessingSlip(report::SlipArgs),
    /// Khôi phục / restore a backup into an empty data directory (or --check it).
    Restore(backup::RestoreArgs),
}

fn main() {
    restore_default_sigpipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::DataDir => {
            println!("{}", data_dir(&cli.global).display());
            Ok(())
        }
        Command::Hub(cmd) => hub::run(cmd, &cli.global),
        Command::Sync(args) => sync::run(args, &cli.global),
        Command::Edxml(cmd) => edxml::run(*cmd, &cli.global),
        Command::Registry(cmd) => registry::run(*cmd, &cli.global),
        Command::Pdf(cmd) => pdf::run(cmd, &cli.global),
        Command::Token(c) => sign::run_token(c, &cli.global),
        Command::Sign(a) => sign::run_sign(*a, &cli.global),
        Command::Verify(a) => sign::run_verify(a, &cli.global),
        Command::SignQueue(a) => sign::run_sign_queue(*a, &cli.global),
        Command::Scan(c) => scan::run(c, &cli.global),
        Command::Backup(a) => backup::run_backup(a, &cli.global),
        Command::Restore(a) => backup::run_restore(a, &cli.global),
        Command::Report(a) => report::run(a, &cli.global),
        Command::Archive(c) => archive::run(c, &cli.global),
        Command::RegisterBook(a) => report::run_book(a, &cli.global),
        Command::ProcessingSlip(a) => report::run_slip(a, &cli.global),
    };
    if let Err(err) = result {
        eprintln!("lỗi / error: {err:#}");
        std::process::exit(1);
    }
}

/// Resolves when the process is asked to stop: Ctrl-C, or SIGTERM from a service manager on
/// Unix, or the console window closing on Windows (which has no SIGTERM).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    let mut other = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    #[cfg(windows)]
    let mut other = tokio::signal::windows::ctrl_close().expect("console close handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = other.recv() => {},
    }
}

/// The data directory: `--data-dir`, else `$VANTHU_DATA_DIR`, else the OS data dir
/// ([`vanthu_domain::paths::default_data_dir`], shared with the desktop app).
pub fn data_dir(global: &GlobalOpts) -> PathBuf {
    global
        .data_dir
        .clone()
        .unwrap_or_else(vanthu_domain::paths::default_data_dir)
}

/// `vanthu list | head` must end quietly when the reader goes away, as other command-line
/// tools do; Rust ignores SIGPIPE, so every `println!` after that would panic instead.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; only resets a signal disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
