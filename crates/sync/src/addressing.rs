//! How the engine names things on the hub: internal desktop addresses and the deterministic
//! ids of status packages. Below every other module: the engine, the bridge and the desk
//! exchange all use it.
use sha2::{Digest, Sha256};

/// Whether a hub sender/recipient is a desktop of a unit (`UNIT/DESKTOP`): an internal
/// message, which never becomes an incoming document and never gets an automatic "01".
pub fn is_internal(address: &str) -> bool {
    address.contains('/')
}

/// The id of the status package `code` that `agency` sends about `message_id`: deterministic,
/// so queuing it twice can never produce two packages.
pub fn status_message_id(message_id: &str, code: &str, agency: &str) -> String {
    let id = format!("st{code}-{agency}-{message_id}");
    if id.len() <= 128 {
        id
    } else {
        format!(
            "st{code}-{}",
            &hex::encode(Sha256::digest(id.as_bytes()))[..40]
        )
    }
}
