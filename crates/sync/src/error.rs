//! The error of the steps that carry packages between the engine's queues and the register
//! (bridge, desks, dispatch). In a module of its own so those steps can share it without
//! depending on one another.
use crate::state::StateError;

/// What moving a package between the queues and the register can fail at.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error(transparent)]
    Registry(#[from] vanthu_registry::Error),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("lỗi tệp / file error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Edxml(#[from] vanthu_edxml::Error),
}
