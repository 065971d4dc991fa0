//! Shared by the sync tests that run through a real hub on loopback: the hub with its
//! agencies and engines on it (engines whose rounds also work on a register are in
//! vanthu-core's tests).
#![allow(dead_code)] // each test binary uses its own subset
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use vanthu_hub::HubStore;
use vanthu_sync::{Engine, EngineConfig, HttpTransport, Identity, SyncState};

/// A SQLite hub serving on 127.0.0.1 until the test's runtime ends.
pub struct LoopbackHub {
    pub url: String,
    /// Secret of each agency code.
    pub secrets: BTreeMap<String, String>,
    _dir: tempfile::TempDir,
}

pub async fn start_hub(codes: &[&str]) -> LoopbackHub {
    start_hub_with_relays(codes, &[]).await
}

/// [`start_hub`] where the accounts in `relays` are relays (forward for other agencies).
pub async fn start_hub_with_relays(codes: &[&str], relays: &[&str]) -> LoopbackHub {
    let dir = tempfile::tempdir().unwrap();
    let store = vanthu_hub::sqlite::SqliteStore::open(&dir.path().join("hub.sqlite")).unwrap();
    let mut secrets = BTreeMap::new();
    for code in codes {
        let (rec, secret) = vanthu_hub::auth::new_agency(code, "Đơn vị");
        store.add_agency(rec).await.unwrap();
        secrets.insert(code.to_string(), secret);
    }
    for code in relays {
        store.set_relay(code, true).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vanthu_hub::serve(
        listener,
        store,
        Default::default(),
        std::future::pending(),
    ));
    LoopbackHub {
        url,
        secrets,
        _dir: dir,
    }
}

/// Retries fast: the tests run many rounds against a local hub.
pub fn fast() -> EngineConfig {
    EngineConfig {
        base_backoff: Duration::from_millis(5),
        ..EngineConfig::default()
    }
}

impl LoopbackHub {
    /// An engine for `code` on `dir`, with no register work around its rounds.
    pub fn engine(&self, code: &str, name: &str, dir: &Path) -> Engine<HttpTransport> {
        Engine::new(
            HttpTransport::new(&self.url, code, &self.secrets[code]).unwrap(),
            SyncState::open(dir).unwrap(),
            Identity {
                agency: code.into(),
                agency_name: name.into(),
            },
            fast(),
        )
    }
}
