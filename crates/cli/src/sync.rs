//! `vanthu sync …`: configure the hub connection, queue packages, run the engine.
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use vanthu_sync::settings::Settings;
use vanthu_sync::{
    Connection, Engine, EngineConfig, Identity, Operation, SendRequest, SyncEvent, SyncState,
};

use crate::GlobalOpts;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    cmd: Option<SyncCmd>,
    /// Một lượt đồng bộ rồi thoát / one round, then exit.
    #[arg(long)]
    once: bool,
    /// Chạy nền, đồng bộ định kỳ / keep syncing periodically.
    #[arg(long, conflicts_with = "once")]
    daemon: bool,
    /// Seconds between rounds in daemon mode.
    #[arg(long, default_value_t = 30)]
    interval: u64,
    /// Stop the daemon after this many rounds (scripts, tests).
    #[arg(long)]
    max_rounds: Option<u64>,
}

#[derive(Subcommand, Debug)]
enum SyncCmd {
    /// Cấu hình trục / set hub URL and agency credentials (secret read from stdin).
    Setup {
        #[arg(long)]
        hub: String,
        #[arg(long)]
        agency: String,
        #[arg(long, default_value = "")]
        name: String,
        /// Read the secret from this file instead of stdin.
        #[arg(long)]
        secret_file: Option<PathBuf>,
        /// CA certificate(s), PEM, that issued an https:// hub's certificate (private PKI).
        #[arg(long)]
        ca_file: Option<PathBuf>,
        /// Trục VXP / connect to a national axis's VXP API (as the official SDK does) with
        /// this systemId: --hub is then its endpoint (https://…/vxp), --agency the unit's
        /// code, and the secret the one the axis's operator issued for the systemId.
        #[arg(long, value_name = "SYSTEM_ID")]
        vxp_system_id: Option<String>,
    },
    /// Xếp gói tin vào hàng đợi gửi / queue edXML files for sending (one message each).
    Send {
        files: Vec<PathBuf>,
        /// Recipient agency codes, comma-separated.
        #[arg(long, value_delimiter = ',')]
        to: Vec<String>,
        /// Độ mật: thường | mật | tối mật | tuyệt mật (only thường is sent).
        #[arg(long, default_value = "thường")]
        secrecy: String,
        /// recall | update | replace an earlier message (--related).
        #[arg(long, default_value = "send")]
        op: String,
        #[arg(long)]
        related: Option<String>,
        #[arg(long)]
        document_id: Option<String>,
    },
    /// Xếp phản hồi trạng thái / queue status CODE for received messages.
    Status {
        #[arg(long)]
        code: String,
        #[arg(long, default_value = "")]
        description: String,
        message_ids: Vec<String>,
    },
    /// Liệt kê hàng đợi / list outbox, received packages and statuses.
    List,
    /// Trình lãnh đạo / submit a registered incoming document (to assign) or an outgoing
    /// draft with a PDF (trình ký, to sign) to a desktop of this unit (UNIT/DESKTOP, e.g. the
    /// leader's); it travels at the next `sync --once`, the assignment or the signed PDF
    /// comes back the same way.
    Submit {
        /// Id of the incoming document or outgoing draft (vanthu list).
        id: i64,
        /// The leader's desktop, UNIT/DESKTOP (vanthu hub add-desktop).
        #[arg(long)]
        to: String,
        /// Ý kiến của văn thư ("Kính trình …").
        #[arg(long)]
        note: Option<String>,
    },
    /// Trả lại, chưa ký / on the leader's desktop: return a draft submitted for signature
    /// (trình ký) unsigned, with a note; it reaches the clerk's desktop at the next sync, and
    /// the clerk may submit it again.
    Return {
        /// Id of the submitted draft on this desktop (vanthu sign-queue).
        id: i64,
        /// Lý do trả lại / what the clerk should change.
        #[arg(long)]
        note: String,
    },
    /// Cấp số theo khối khi nhiều máy dùng chung sổ / number from hub blocks (several
    /// desktops of one unit): `--desktop VT1` turns it on, `--standalone` off; without
    /// options shows the blocks held and the documents still on a provisional number.
    Numbering {
        /// Mã máy (1–16 chữ cái/chữ số), appears in provisional numbers "T-<desktop>-n".
        #[arg(long, conflicts_with = "standalone")]
        desktop: Option<String>,
        /// Back to the local gapless counter (one desktop per unit).
        #[arg(long)]
        standalone: bool,
        /// Khóa sổ năm / close YEAR's numbering (year-end): no more numbers of that year,
        /// the unused numbers of this desktop's blocks become void (listed, audited).
        #[arg(long, value_name = "YEAR")]
        close_year: Option<i32>,
    },
    /// Cảnh báo phía gửi / recipients that have not received or acknowledged what we sent.
    Alerts {
        /// Every recipient's latest status, not only the overdue ones.
        #[arg(long)]
        all: bool,
        /// Set (and keep) the hours after sending before a recipient is overdue.
        #[arg(long)]
        after_hours: Option<u32>,
    },
}

fn open_state(global: &GlobalOpts) -> anyhow::Result<(PathBuf, SyncState)> {
    let dir = crate::data_dir(global);
    let state = SyncState::open(&dir).with_context(|| {
        format!(
            "Không mở được dữ liệu đồng bộ / cannot open sync state in {}",
            dir.display()
        )
    })?;
    Ok((dir, state))
}

fn engine(global: &GlobalOpts) -> anyhow::Result<Engine<Connection>> {
    let (dir, state) = open_state(global)?;
    let settings = Settings::load(&dir)?;
    let secret = settings.secret(&dir)?;
    let transport = Connection::from_settings(&settings, &secret, &dir)?;
    let (agency, name) = (settings.unit().to_owned(), settings.agency_name.clone());
    // When this data directory holds the unit's registers, received packages become incoming
    // documents and the registry's status codes go out with each round.
    let hook: vanthu_sync::engine::RoundHook = Arc::new(move |state: &SyncState| {
        if !dir.join(vanthu_registry::DB_FILE).exists() {
            return Ok(());
        }
        let mut reg = vanthu_registry::Registry::open(&dir).map_err(|e| e.to_string())?;
        // Trình lãnh đạo between desktops of the unit too (docs/sync.md).
        vanthu_core::round::registry_round(&mut reg, state, &agency, &name)?;
        Ok(())
    });
    Ok(Engine::new(
        transport,
        state,
        Identity {
            agency: settings.unit().to_owned(),
            agency_name: settings.agency_name.clone(),
        },
        EngineConfig::default(),
    )
    .with_round_hook(hook)
    // A no-op unless the registry is in block mode (`vanthu sync numbering --desktop …`).
    .with_numbering(vanthu_sync::NumberingConfig {
        data_dir: crate::data_dir(global),
        block_size: vanthu_sync::DEFAULT_BLOCK_SIZE,
    }))
}

/// Terminal progress: one rewritten line on a TTY ("Đang đồng bộ 3/10"), plain lines otherwise.
fn progress_sink(json: bool) -> vanthu_sync::engine::EventSink {
    let tty = std::io::stderr().is_terminal();
    Arc::new(move |e: SyncEvent| {
        let mut err = std::io::stderr().lock();
        if json {
            let _ = writeln!(err, "{}", serde_json::to_string(&e).unwrap_or_default());
            return;
        }
        match e {
            SyncEvent::Progress { done, total } => {
                if tty {
                    let _ = write!(err, "\r\x1b[2KĐang đồng bộ {done}/{total}");
                } else if done == total || done % 50 == 0 {
                    let _ = writeln!(err, "Đang đồng bộ {done}/{total}");
                }
            }
            SyncEvent::Offline { reason } => {
                let _ = writeln!(
                    err,
                    "{}Ngoại tuyến / offline: {reason}",
                    if tty { "\r\x1b[2K" } else { "" }
                );
            }
            SyncEvent::Rejected { message_id, reason } => {
                let _ = writeln!(
                    err,
                    "{}Trục từ chối {message_id}: {reason}",
                    if tty { "\r\x1b[2K" } else { "" }
                );
            }
            SyncEvent::Finished { report } => {
                let _ = writeln!(
                    err,
                    "{}Đã đồng bộ: gửi {}, nhận {}, bị từ chối {}, còn chờ gửi {}",
                    if tty { "\r\x1b[2K" } else { "" },
                    report.sent,
                    report.received,
                    report.rejected,
                    report.pending_outbox
                );
            }
            _ => {}
        }
    })
}

pub fn run(args: SyncArgs, global: &GlobalOpts) -> anyhow::Result<()> {
    match args.cmd {
        Some(SyncCmd::Setup {
            hub,
            agency,
            name,
            secret_file,
            ca_file,
            vxp_system_id,
        }) => {
            let dir = crate::data_dir(global);
            anyhow::ensure!(
                hub.starts_with("https://") || hub.starts_with("http://"),
                "Địa chỉ trục phải bắt đầu bằng https:// hoặc http:// / the hub URL must start with https:// or http://: {hub}"
            );
            // Checked now rather than at the first sync; kept as an absolute path.
            let ca_file = match ca_file {
                Some(p) => {
                    let p = std::path::absolute(&p)?;
                    vanthu_sync::transport::load_ca_file(&p)?;
                    Some(p)
                }
                None => None,
            };
            if let Some(w) = vanthu_sync::transport::plain_http_warning(&hub) {
                eprintln!("{w}");
            }
            let secret = match secret_file {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("cannot read {}", p.display()))?,
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s)?;
                    s
                }
            };
            let secret = secret.trim();
            anyhow::ensure!(!secret.is_empty(), "Khóa bí mật rỗng / empty secret");
            // The unit's code or UNIT/DESKTOP (or a unit and a VXP systemId), checked as the
            // app's settings check it.
            let id = vanthu_sync::settings::Identity::parse(&agency, vxp_system_id.as_deref())?;
            let (store, why) = Settings::store_secret(&dir, &id.secret_account(), secret)?;
            Settings {
                hub_url: hub,
                agency: id.agency,
                agency_name: name,
                secret_store: store,
                ca_file,
                protocol: id.protocol,
                vxp_system_id: id.vxp_system_id,
            }
            .save(&dir)?;
            match why {
                None => println!("Đã lưu khóa bí mật vào keyring / secret stored in the OS keyring"),
                Some(why) => println!(
                    "Không dùng được keyring ({why}); khóa bí mật lưu trong tệp {} (quyền 0600) / no keyring, secret stored in a 0600 file",
                    dir.join("hub-secret").display()
                ),
            }
            Ok(())
        }
        Some(SyncCmd::Send {
            files,
            to,
            secrecy,
            op,
            related,
            document_id,
        }) => {
            let (dir, state) = open_state(global)?;
            let settings = Settings::load(&dir)?;
            let op = Operation::parse(&op)
                .filter(|o| *o != Operation::Status)
                .ok_or_else(|| {
                    anyhow::anyhow!("--op phải là send|recall|update|replace / bad --op {op}")
                })?;
            let engine = Engine::new(
                NoTransport,
                state,
                Identity {
                    agency: settings.unit().to_owned(),
                    agency_name: settings.agency_name.clone(),
                },
                EngineConfig::default(),
            );
            anyhow::ensure!(!files.is_empty(), "Chưa chỉ định tệp / no files given");
            let mut reqs = Vec::with_capacity(files.len());
            for f in &files {
                let body = std::fs::read(f)
                    .with_context(|| format!("Không đọc được tệp / cannot read {}", f.display()))?;
                reqs.push(SendRequest {
                    message_id: None,
                    op,
                    related: related.clone(),
                    recipients: to.clone(),
                    document_id: document_id.clone(),
                    secrecy: secrecy.clone(),
                    body,
                });
            }
            // One durable transaction for the lot: all files are queued, or none.
            let ids = engine.queue_many(reqs)?;
            for (id, f) in ids.iter().zip(&files) {
                println!("{id}\t{}", f.display());
            }
            Ok(())
        }
        Some(SyncCmd::Status {
            code,
            description,
            message_ids,
        }) => {
            let (dir, state) = open_state(global)?;
            let settings = Settings::load(&dir)?;
            anyhow::ensure!(
                code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()),
                "Mã trạng thái phải gồm 2 chữ số / status code must be two digits"
            );
            let engine = Engine::new(
                NoTransport,
                state,
                Identity {
                    agency: settings.unit().to_owned(),
                    agency_name: settings.agency_name.clone(),
                },
                EngineConfig::default(),
            );
            for id in message_ids {
                let sid = engine.queue_status(&id, &code, &description)?;
                println!("{sid}");
            }
            Ok(())
        }
        Some(SyncCmd::Submit { id, to, note }) => {
            let dir = crate::data_dir(global);
            let mut reg = vanthu_registry::Registry::open_existing(&dir)?;
            let sub = reg.submit_document(id, &to, note.as_deref())?;
            if global.json {
                println!("{}", serde_json::to_string(&sub)?);
            } else {
                println!(
                    "Đã xếp trình văn bản {} tới {} (gói tin {}); gửi ở lần đồng bộ tới / queued, sent at the next sync",
                    sub.document_id, sub.to_desktop, sub.message_id
                );
            }
            Ok(())
        }
        Some(SyncCmd::Return { id, note }) => {
            let dir = crate::data_dir(global);
            let mut reg = vanthu_registry::Registry::open_existing(&dir)?;
            let rec = reg.return_submission(id, &note)?;
            if global.json {
                println!("{}", serde_json::to_string(&rec)?);
            } else {
                println!(
                    "Đã trả lại văn bản {} (chưa ký); gửi ở lần đồng bộ tới / returned unsigned, sent at the next sync",
                    rec.id
                );
            }
            Ok(())
        }
        Some(SyncCmd::List) => {
            let (dir, state) = open_state(global)?;
            let outbox = state.outbox()?;
            let received = state.received()?;
            // Packages the register refused (a From that is not the hub account, a revision
            // of another agency's document) or could not read, with the reason.
            let refused = if state.kind() == "registry" {
                vanthu_registry::Registry::open(&dir)?.failed_inbox(100)?
            } else {
                Vec::new()
            };
            if global.json {
                println!(
                    "{}",
                    serde_json::json!({ "store": state.kind(), "outbox": outbox, "received": received,
                        "refused": refused, "last_sync_ms": state.meta("last_sync_ms")? })
                );
            } else {
                println!(
                    "Hàng đợi trong {} / queues in {}",
                    if state.kind() == "registry" {
                        "sổ văn bản (vanthu.db)"
                    } else {
                        "sync.sqlite"
                    },
                    if state.kind() == "registry" {
                        "the register"
                    } else {
                        "sync.sqlite"
                    }
                );
                println!("Hàng đợi gửi / outbox:");
                for o in outbox {
                    println!(
                        "  {}\t{}\t{}\t{}",
                        o.package.message_id,
                        o.package.op.as_str(),
                        o.state,
                        o.last_error.unwrap_or_default()
                    );
                }
                println!("Đã nhận / received:");
                for r in received {
                    println!(
                        "  {}\t{}\t{}\t{}",
                        r.message_id,
                        r.kind,
                        r.sender,
                        r.status_code.unwrap_or_default()
                    );
                }
                if !refused.is_empty() {
                    println!("Gói tin không vào sổ / packages not registered:");
                    for r in &refused {
                        println!(
                            "  {}\t{}\t{}",
                            r.package_id,
                            r.sender_code.as_deref().unwrap_or_default(),
                            r.error.as_deref().unwrap_or_default()
                        );
                    }
                }
            }
            Ok(())
        }
        Some(SyncCmd::Numbering {
            desktop,
            standalone,
            close_year,
        }) => {
            let dir = crate::data_dir(global);
            let mut reg = vanthu_registry::Registry::open_existing(&dir)?;
            if standalone {
                reg.set_numbering_desktop(None)?;
            } else if let Some(d) = desktop.as_deref() {
                reg.set_numbering_desktop(Some(d))?;
            }
            if let Some(year) = close_year {
                let c = reg.close_numbering_year(year)?;
                if !global.json {
                    println!(
                        "Đã khóa sổ năm {year}: {} dải số bỏ trống / {year} closed, {} void ranges",
                        c.voided.len(),
                        c.voided.len()
                    );
                }
            }
            let desktop = reg.numbering_desktop()?;
            let blocks = reg.number_blocks()?;
            let provisional = reg.provisional_documents()?;
            let voided = reg.voided_numbers()?;
            if global.json {
                println!(
                    "{}",
                    serde_json::json!({ "desktop": desktop, "blocks": blocks,
                        "provisional": provisional, "voided": voided })
                );
            } else {
                match &desktop {
                    None => println!("Cấp số tại máy (một máy) / standalone numbering"),
                    Some(d) => println!("Cấp số theo khối, máy {d} / block numbering, desktop {d}"),
                }
                for b in &blocks {
                    println!(
                        "  {} {} {}: {}–{} (còn {})",
                        b.register,
                        b.series,
                        b.year,
                        b.start,
                        b.start + b.size - 1,
                        b.remaining
                    );
                }
                for p in &provisional {
                    println!("  Số tạm {} (văn bản {})", p.provisional, p.document_id);
                }
                for v in &voided {
                    println!(
                        "  Bỏ trống / void {} {} {}: {}–{}",
                        v.register, v.series, v.year, v.first, v.last
                    );
                }
            }
            Ok(())
        }
        Some(SyncCmd::Alerts { all, after_hours }) => {
            let (_, state) = open_state(global)?;
            crate::sync_alerts::run(&state, all, after_hours, global.json)
        }
        None => {
            anyhow::ensure!(
                args.once || args.daemon,
                "Dùng --once hoặc --daemon / use --once or --daemon (or a subcommand)"
            );
            let engine = engine(global)?.on_event(progress_sink(global.json));
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            rt.block_on(async {
                if args.once {
                    let report = engine.sync_once().await?;
                    if global.json {
                        println!("{}", serde_json::to_string(&report)?);
                    }
                    anyhow::Ok(())
                } else {
                    let wake = Arc::new(tokio::sync::Notify::new());
                    engine
                        .run_daemon(
                            Duration::from_secs(args.interval.max(1)),
                            wake,
                            args.max_rounds,
                            // Ctrl-C or SIGTERM (service managers) end the daemon
                            // between rounds.
                            crate::shutdown_signal(),
                            // Overdue recipients stay for `vanthu sync alerts` and the app's
                            // notifications: nothing is announced (or marked) here.
                            vanthu_sync::DaemonHooks::default(),
                        )
                        .await;
                    Ok(())
                }
            })
        }
    }
}

/// Queuing never touches the network; this transport makes that explicit.
struct NoTransport;

impl vanthu_sync::HubTransport for NoTransport {
    async fn ping(&self) -> Result<(), vanthu_sync::TransportError> {
        Err(vanthu_sync::TransportError::Offline("queue-only".into()))
    }
    async fn send(
        &self,
        _: &vanthu_sync::transport::OutgoingPackage,
        _: bytes::Bytes,
    ) -> Result<(), vanthu_sync::TransportError> {
        Err(vanthu_sync::TransportError::Offline("queue-only".into()))
    }
    async fn pending(
        &self,
        _: i64,
        _: u32,
    ) -> Result<Vec<vanthu_sync::transport::RemoteItem>, vanthu_sync::TransportError> {
        Err(vanthu_sync::TransportError::Offline("queue-only".into()))
    }
    async fn fetch(
        &self,
        _: &str,
        _: u64,
        _: &mut dyn vanthu_sync::transport::FetchSink,
    ) -> Result<(), vanthu_sync::TransportError> {
        Err(vanthu_sync::TransportError::Offline("queue-only".into()))
    }
    async fn ack(&self, _: &str) -> Result<(), vanthu_sync::TransportError> {
        Err(vanthu_sync::TransportError::Offline("queue-only".into()))
    }
}
