//! vanthu-sync: the offline-first exchange engine (docs/sync.md). The app starts it at
//! launch; the CLI runs it as `vanthu sync --once` / `--daemon`.
pub mod addressing;
pub mod alerts;
pub mod bridge;
pub mod connection;
pub mod desks;
pub mod dispatch;
pub mod engine;
pub mod error;
pub mod numbering;
pub mod registry_store;
pub mod settings;
pub mod state;
pub mod status;
pub mod transport;
pub mod vxp;
pub mod vxp_ids;

pub use alerts::{AlertKind, RecipientStatus};
pub use connection::Connection;
pub use engine::{
    DaemonHooks, Engine, EngineConfig, Identity, SendRequest, SyncError, SyncEvent, SyncReport,
};
pub use numbering::{NumberingConfig, RefillReport, DEFAULT_BLOCK_SIZE};
pub use state::{OutboxState, QueueStore, SyncState};
pub use transport::{BlockGrant, HttpTransport, HubTransport, Operation, TransportError};
pub use vxp::VxpTransport;
