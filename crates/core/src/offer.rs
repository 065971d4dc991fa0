//! What a desktop may do next with a document, decided below the UI so that it only shows
//! what it is offered: on an incoming document the processing steps
//! (`vanthu_registry::processing`, through `Registry::offered_actions`) and "Trình lãnh đạo"
//! ([`offers_submit_to_leader`]); on an outgoing one Cấp số, Gửi qua trục and Trình ký
//! ([`offered_outgoing`], which needs nothing but the register and so stays in
//! `vanthu_registry::outgoing_offer`; docs/decisions.md).
use vanthu_domain::{DocumentState, IncomingState, Secrecy};
use vanthu_registry::{Register, Registry};

pub use vanthu_registry::outgoing_offer::{offered_outgoing, DeskPosition, OutgoingOffer};

/// "Trình lãnh đạo" from the clerk's desktop: the unit's own incoming documents once
/// registered and not yet assigned, never mật or above (they never travel over the hub, even
/// inside the unit), never a mirror (the leader's copy of a submission). The same rule
/// `Registry::submit_document` enforces, said in advance.
pub fn offers_submit_to_leader(reg: &Registry, id: i64) -> vanthu_registry::Result<bool> {
    let rec = reg.get(id)?;
    if rec.register != Register::Incoming || rec.secrecy != Secrecy::Normal {
        return Ok(false);
    }
    if rec.state != DocumentState::Incoming(IncomingState::Registered) {
        return Ok(false);
    }
    Ok(reg.mirror_info(id)?.is_none())
}
