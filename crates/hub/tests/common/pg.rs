//! A throwaway PostgreSQL cluster for tests: initdb + postgres from the apt package, in a
//! temporary directory, on a free loopback port. PostgreSQL refuses to run as root, so when
//! the tests run as root the server runs as `nobody` (via runuser). A watchdog shell loop
//! stops the server when the test process exits, because statics never run Drop.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct PgCluster {
    pub port: u16,
    _dir: tempfile::TempDir,
}

fn pg_bin_dir() -> PathBuf {
    if let Ok(d) = std::env::var("VANTHU_PG_BIN") {
        return PathBuf::from(d);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(
            "PostgreSQL is not installed (apt package `postgresql`, see scripts/apt-packages.txt)",
        )
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no PostgreSQL initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    // SAFETY-free check: /proc/self/status holds the effective uid.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

fn as_pg_user(cmd: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--", "sh", "-c", cmd]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", cmd]);
        c
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn q(p: &Path) -> String {
    format!("'{}'", p.display())
}

impl PgCluster {
    fn start() -> PgCluster {
        let bin = pg_bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("vanthu-pg-")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        if is_root() {
            let st = Command::new("chown")
                .args(["-R", "nobody", &dir.path().display().to_string()])
                .status()
                .unwrap();
            assert!(st.success(), "chown of the PostgreSQL test dir failed");
        }
        let out = as_pg_user(&format!(
            "{} -D {} -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8",
            q(&bin.join("initdb")),
            q(&data)
        ))
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let parent = std::process::id();
        // The server runs in the background; the loop stops it once the test process is gone.
        let script = format!(
            "{pg} -D {data} -p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 > {log} 2>&1 & \
             pid=$!; while [ -d /proc/{parent} ] && kill -0 $pid 2>/dev/null; do sleep 1; done; kill -INT $pid 2>/dev/null; wait $pid; rm -rf {dir}",
            pg = q(&bin.join("postgres")),
            data = q(&data),
            sock = q(dir.path()),
            log = q(&dir.path().join("pg.log")),
            dir = q(dir.path()),
        );
        // Deliberately not waited on: the watchdog outlives this function and stops itself.
        #[allow(clippy::zombie_processes)]
        let _watchdog = as_pg_user(&script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = Command::new(bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
                .stdout(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(dir.path().join("pg.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        PgCluster { port, _dir: dir }
    }

    /// The shared cluster of this test binary, started on first use.
    pub fn get() -> &'static PgCluster {
        static CLUSTER: OnceLock<PgCluster> = OnceLock::new();
        CLUSTER.get_or_init(PgCluster::start)
    }

    /// A fresh database for one test; returns its URL.
    pub fn fresh_db(&self) -> String {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let bin = pg_bin_dir();
        let out = Command::new(bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-c",
                &format!("CREATE DATABASE {name}"),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "createdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}
