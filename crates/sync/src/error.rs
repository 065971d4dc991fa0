//! The error of the steps that carry packages between the engine's queues and the register
//! (bridge, desks, dispatch). In a module of its own so those steps can share it without
//! depending on one another.
use crate::state::StateError;

/// What moving a package between the queues and the register can fail at.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The register refused the change.
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    /// The engine's queues could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// A package file could not be read or written.
    #[error("lỗi tệp / file error: {0}")]
    Io(#[from] std::io::Error),
    /// A package could not be read or a status written.
    #[error(transparent)]
    Edxml(#[from] vanthu_edxml::Error),
}
