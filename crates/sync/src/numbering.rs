//! Keeps this desktop supplied with register numbers (docs/sync.md, "Numbering while
//! offline"). Each round, when the registry is in block mode (a desktop id is set), the engine
//! asks the hub for a block for every key of the year that runs low and for every key with
//! documents waiting on a provisional number, then hands the block to the registry, which
//! gives the waiting documents their final numbers.
//!
//! Crash safety: the registry writes a block request before it is sent and reuses it until
//! answered; the hub answers a repeated request id with the same block; the registry stores a
//! block once per request id. So a crash or lost answer at any point never burns a block nor
//! applies one twice.

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use vanthu_registry::{Registry, DB_FILE};

use crate::engine::{Engine, SyncError};
use crate::transport::{HubTransport, TransportError};

/// Numbers asked for per block when nothing else is configured.
pub const DEFAULT_BLOCK_SIZE: u32 = 20;

pub use crate::engine::NumberingConfig;

/// What one refill of the number blocks did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefillReport {
    /// Number blocks obtained from the hub.
    pub blocks: u64,
    /// Provisional numbers replaced by final ones.
    pub resolved: u64,
}

fn registry(cfg: &NumberingConfig) -> Option<Registry> {
    if !cfg.data_dir.join(DB_FILE).exists() {
        return None;
    }
    match Registry::open_existing(&cfg.data_dir) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!("numbering: cannot open the registry: {e}");
            None
        }
    }
}

impl<T: HubTransport> Engine<T> {
    /// One refill pass. Network failures end the round like any other step; a registry
    /// problem is logged and leaves numbering as it was (documents stay provisional).
    pub async fn refill_numbering(&self) -> Result<RefillReport, SyncError> {
        let mut report = RefillReport::default();
        let Some(cfg) = self.numbering_config() else {
            return Ok(report);
        };
        let year = chrono::Local::now().year();
        let requests =
            match registry(cfg).map(|mut r| r.prepare_block_requests(year, cfg.block_size)) {
                None => return Ok(report),
                Some(Ok(r)) => r,
                Some(Err(e)) => {
                    tracing::warn!("numbering: cannot prepare block requests: {e}");
                    return Ok(report);
                }
            };
        for req in requests {
            let grant = match self.retry(|| self.transport().reserve_block(&req)).await {
                Ok(g) => g,
                Err(TransportError::Rejected { message, .. }) => {
                    tracing::warn!("numbering: hub refused block {}: {message}", req.request_id);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let Some(mut reg) = registry(cfg) else {
                return Ok(report);
            };
            match reg.add_number_block(&req.request_id, grant.start, grant.size) {
                Ok(resolved) => {
                    report.blocks += 1;
                    report.resolved += resolved.len() as u64;
                    for r in resolved {
                        tracing::info!(
                            "numbering: {} → {} (document {})",
                            r.provisional,
                            r.number,
                            r.document_id
                        );
                    }
                }
                Err(e) => tracing::error!("numbering: block {} refused: {e}", req.request_id),
            }
        }
        Ok(report)
    }
}
