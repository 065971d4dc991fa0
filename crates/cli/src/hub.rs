//! `vanthu hub …`: run the reference hub and manage its agencies.
use std::net::SocketAddr;

use anyhow::Context;
use clap::Subcommand;
use vanthu_hub::{AnyStore, HubStore};

use crate::GlobalOpts;

#[derive(Subcommand, Debug)]
pub enum HubCmd {
    /// Chạy máy chủ trục / run the hub server.
    Serve {
        /// Address to listen on (port 0 = any free port; the chosen address is printed).
        #[arg(long, default_value = "127.0.0.1:8640")]
        listen: SocketAddr,
        /// SQLite file, or postgres://user@host:port/db for a shared PostgreSQL.
        #[arg(long, env = "VANTHU_HUB_DB")]
        db: String,
        /// Largest package accepted, in bytes (larger ones get 413).
        #[arg(long, default_value_t = vanthu_hub::server::DEFAULT_MAX_PACKAGE_BYTES)]
        max_package_bytes: u64,
        /// Serve HTTPS with this certificate chain (PEM, the hub's certificate first).
        /// Without it the hub speaks plain HTTP, which is for loopback only.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// VXP API: how old (seconds) a request's signed timestamp may be
        /// (docs/national-axis.md).
        #[arg(long, default_value_t = vanthu_hub::vxp::DEFAULT_WINDOW.as_secs())]
        vxp_window_secs: u64,
    },
    /// Cấp systemId + khóa bí mật VXP cho đơn vị, in một lần / give an agency VXP credentials
    /// (systemId and secret for the official SDK, docs/national-axis.md), print them once.
    AddVxpSystem {
        /// Agency code, already added with add-agency.
        agency: String,
        /// The systemId (default: the agency code).
        #[arg(long)]
        system_id: Option<String>,
        #[arg(long, env = "VANTHU_HUB_DB")]
        db: String,
    },
    /// Đăng ký đơn vị và in khóa bí mật một lần / register an agency, print its secret once.
    AddAgency {
        /// Agency code (mã định danh), e.g. 000.00.00.H34.
        code: String,
        #[arg(long)]
        name: String,
        /// Cổng chuyển tiếp / a relay: may forward packages written by other agencies (their
        /// From/OrganId); receivers show them "qua <this agency>". Off by default.
        #[arg(long)]
        relay: bool,
        #[arg(long, env = "VANTHU_HUB_DB")]
        db: String,
    },
    /// Bật/tắt cổng chuyển tiếp / turn an agency's relay attribute on (or off with --off).
    SetRelay {
        code: String,
        /// Turn it off: the agency may again only send packages in its own name.
        #[arg(long)]
        off: bool,
        #[arg(long, env = "VANTHU_HUB_DB")]
        db: String,
    },
    /// Thêm máy trạm của đơn vị, in khóa bí mật một lần / add a desktop of a unit (Basic
    /// user UNIT/DESKTOP), print its secret once (docs/sync.md, "Several desktops of one unit").
    AddDesktop {
        /// Agency code of the unit, already added with add-agency.
        unit: String,
        /// Desktop name, 1–16 letters/digits (e.g. VT, LD); use the numbering desktop id.
        desktop: String,
        /// Máy văn thư: receives the unit's deliveries and answers for the unit (one per
        /// unit; taking it moves it from another desktop).
        #[arg(long)]
        receiving: bool,
        #[arg(long, env = "VANTHU_HUB_DB")]
        db: String,
    },
    /// Liệt kê máy trạm của đơn vị / list a unit's desktops.
    ListDesktops {
        unit: String,
        #[arg(long, env = "VANTHU_HUB_DB")]
        db: String,
    },
    /// Liệt kê đơn vị / list registered agencies.
    ListAgencies {
        #[arg(long, env = "VANTHU_HUB_DB")]
        db: String,
    },
}

pub fn run(cmd: HubCmd, global: &GlobalOpts) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(run_async(cmd, global))
}

async fn open(db: &str) -> anyhow::Result<AnyStore> {
    AnyStore::open(db).await.with_context(|| {
        format!("Không mở được cơ sở dữ liệu trục / cannot open hub database {db}")
    })
}

async fn run_async(cmd: HubCmd, global: &GlobalOpts) -> anyhow::Result<()> {
    match cmd {
        HubCmd::Serve {
            listen,
            db,
            max_package_bytes,
            tls_cert,
            tls_key,
            vxp_window_secs,
        } => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| "info".into()),
                )
                .with_writer(std::io::stderr)
                .try_init();
            let tls = match (&tls_cert, &tls_key) {
                (Some(cert), Some(key)) => Some(vanthu_hub::tls::server_config(cert, key)?),
                _ => None,
            };
            let store = open(&db).await?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("Không mở được cổng / cannot listen on {listen}"))?;
            let addr = listener.local_addr()?;
            let scheme = if tls.is_some() { "https" } else { "http" };
            if tls.is_none() && !addr.ip().is_loopback() {
                // Secrets and packages would cross the network in clear text.
                tracing::warn!(
                    "Trục chạy HTTP không mã hóa trên {addr}: ngoài máy này hãy dùng --tls-cert/--tls-key / plain HTTP on {addr}: use --tls-cert/--tls-key for anything but loopback"
                );
            }
            println!("Trục đang chạy tại / hub listening on {scheme}://{addr}");
            use std::io::Write;
            std::io::stdout().flush()?;
            let shutdown = crate::shutdown_signal();
            let cfg = vanthu_hub::Config {
                max_package_bytes,
                tls,
                vxp_window: std::time::Duration::from_secs(vxp_window_secs),
                ..Default::default()
            };
            vanthu_hub::serve(listener, store, cfg, shutdown).await?;
            Ok(())
        }
        HubCmd::AddAgency {
            code,
            name,
            relay,
            db,
        } => {
            let store = open(&db).await?;
            let (mut rec, secret) = vanthu_hub::auth::new_agency(code.trim(), name.trim());
            rec.relay = relay;
            store.add_agency(rec).await.map_err(|e| match e {
                vanthu_hub::StoreError::AgencyExists(c) => {
                    anyhow::anyhow!("Đơn vị {c} đã tồn tại / agency {c} already exists")
                }
                other => other.into(),
            })?;
            if global.json {
                println!(
                    "{}",
                    serde_json::json!({ "code": code.trim(), "name": name.trim(), "relay": relay, "secret": secret })
                );
            } else {
                println!("Mã đơn vị / agency: {}", code.trim());
                if relay {
                    println!("Cổng chuyển tiếp (gửi thay đơn vị khác) / relay (forwards for other agencies)");
                }
                println!("Khóa bí mật (chỉ hiện một lần) / secret (shown once): {secret}");
            }
            Ok(())
        }
        HubCmd::AddDesktop {
            unit,
            desktop,
            receiving,
            db,
        } => {
            let (unit, desktop) = (unit.trim(), desktop.trim());
            anyhow::ensure!(
                vanthu_hub::auth::valid_desktop_name(desktop),
                "Tên máy trạm phải gồm 1–16 chữ cái/chữ số / desktop name must be 1-16 letters or digits: {desktop:?}"
            );
            let store = open(&db).await?;
            let (rec, secret) = vanthu_hub::auth::new_desktop(unit, desktop, receiving);
            let login = rec.login();
            store.add_desktop(rec).await.map_err(|e| match e {
                vanthu_hub::StoreError::DesktopExists(l) => {
                    anyhow::anyhow!("Máy trạm {l} đã tồn tại / desktop {l} already exists")
                }
                vanthu_hub::StoreError::UnknownAgency(u) => anyhow::anyhow!(
                    "Đơn vị {u} chưa đăng ký trên trục (hub add-agency) / unknown unit {u}"
                ),
                other => other.into(),
            })?;
            if global.json {
                println!(
                    "{}",
                    serde_json::json!({ "login": login, "unit": unit, "desktop": desktop,
                        "receiving": receiving, "secret": secret })
                );
            } else {
                println!("Máy trạm / desktop: {login}");
                if receiving {
                    println!(
                        "Máy văn thư: nhận văn bản gửi đến đơn vị / receiving desktop of the unit"
                    );
                }
                println!("Khóa bí mật (chỉ hiện một lần) / secret (shown once): {secret}");
            }
            Ok(())
        }
        HubCmd::AddVxpSystem {
            agency,
            system_id,
            db,
        } => {
            let agency = agency.trim().to_owned();
            let system_id = system_id
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|| agency.clone());
            anyhow::ensure!(
                !system_id.is_empty()
                    && system_id.len() <= 128
                    && system_id.bytes().all(|b| b.is_ascii_graphic()),
                "systemId phải gồm 1–128 ký tự ASCII nhìn thấy / systemId must be 1-128 visible ASCII characters"
            );
            let store = open(&db).await?;
            let secret = vanthu_hub::auth::generate_secret();
            store
                .add_vxp_system(vanthu_hub::store::VxpSystemRecord {
                    system_id: system_id.clone(),
                    agency: agency.clone(),
                    secret: secret.clone(),
                })
                .await
                .map_err(|e| match e {
                    vanthu_hub::StoreError::UnknownAgency(u) => anyhow::anyhow!(
                        "Đơn vị {u} chưa đăng ký trên trục (hub add-agency) / unknown agency {u}"
                    ),
                    vanthu_hub::StoreError::AgencyExists(s) => {
                        anyhow::anyhow!("systemId {s} đã tồn tại / systemId {s} already exists")
                    }
                    other => other.into(),
                })?;
            if global.json {
                println!(
                    "{}",
                    serde_json::json!({ "agency": agency, "system_id": system_id, "secret": secret })
                );
            } else {
                println!("Đơn vị / agency: {agency}");
                println!("systemId: {system_id}");
                println!("Khóa bí mật VXP (chỉ hiện một lần) / VXP secret (shown once): {secret}");
            }
            Ok(())
        }
        HubCmd::SetRelay { code, off, db } => {
            let store = open(&db).await?;
            let code = code.trim();
            store.set_relay(code, !off).await.map_err(|e| match e {
                vanthu_hub::StoreError::UnknownAgency(u) => anyhow::anyhow!(
                    "Đơn vị {u} chưa đăng ký trên trục (hub add-agency) / unknown agency {u}"
                ),
                other => other.into(),
            })?;
            if off {
                println!("{code}: không còn là cổng chuyển tiếp / no longer a relay");
            } else {
                println!("{code}: cổng chuyển tiếp / relay");
            }
            Ok(())
        }
        HubCmd::ListDesktops { unit, db } => {
            let store = open(&db).await?;
            let list = store.list_desktops(unit.trim()).await?;
            if global.json {
                let v: Vec<_> = list
                    .iter()
                    .map(|d| serde_json::json!({ "login": d.login(), "desktop": d.desktop, "receiving": d.receiving }))
                    .collect();
                println!("{}", serde_json::Value::Array(v));
            } else {
                for d in list {
                    println!(
                        "{}{}",
                        d.login(),
                        if d.receiving {
                            "\tmáy văn thư / receiving"
                        } else {
                            ""
                        }
                    );
                }
            }
            Ok(())
        }
        HubCmd::ListAgencies { db } => {
            let store = open(&db).await?;
            let list = store.list_agencies().await?;
            if global.json {
                let v: Vec<_> = list
                    .iter()
                    .map(
                        |a| serde_json::json!({ "code": a.code, "name": a.name, "relay": a.relay }),
                    )
                    .collect();
                println!("{}", serde_json::Value::Array(v));
            } else {
                for a in list {
                    let relay = if a.relay {
                        "\tcổng chuyển tiếp / relay"
                    } else {
                        ""
                    };
                    println!("{}\t{}{relay}", a.code, a.name);
                }
            }
            Ok(())
        }
    }
}
