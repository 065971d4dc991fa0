//! What a desktop may do next with an outgoing document (văn bản đi), decided here so the
//! UI only shows what it is offered, as `processing::offered_actions` does for incoming ones.
//!
//! The rules are the same the actions themselves enforce (`dispatch::queue_dispatch`,
//! `events::issue_outgoing`, `desks::submit_for_signing`); this module only says in advance
//! which of them would be refused, so a clerk is never offered a button that must fail.
use serde::Serialize;
use vanthu_domain::{OutgoingState, Secrecy};

use crate::DocumentRecord;

/// Where an outgoing document stands between the desktops of one unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeskPosition {
    /// This is the leader's copy of a clerk's draft: signed here, numbered and sent there.
    pub mirror: bool,
    /// A trình ký is waiting on the leader's desktop (neither signed nor returned yet).
    pub awaiting_leader: bool,
}

/// The actions offered on an outgoing document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutgoingOffer {
    /// "Cấp số": give it its number and date (a draft, or signed).
    pub issue: bool,
    /// "Gửi qua trục": send the issued document to its coded recipients.
    pub send: bool,
    /// "Trình ký": send the draft with its PDF to the leader's desktop.
    pub submit_for_signing: bool,
    /// The number shown is a Số tạm, waiting for the hub's block.
    pub provisional_number: bool,
    /// "Thu hồi": recall a document the hub delivered (again, after a refusal).
    pub recall: bool,
    /// "Cập nhật" / "Thay thế": send the recipients its corrected version.
    pub revise: bool,
}

/// What `rec` offers at `desk`.
pub fn offered_outgoing(rec: &DocumentRecord, desk: DeskPosition) -> OutgoingOffer {
    let state = rec.outgoing_state();
    let has_pdf = rec
        .attachments
        .iter()
        .any(|a| a.media_type == "application/pdf");
    let hub_recipients = rec.recipients.iter().any(|r| r.agency_code.is_some());
    // Secret documents never travel over the hub, not even to a desktop of the unit.
    let over_hub = rec.secrecy == Secrecy::Normal;
    let own = !desk.mirror;
    OutgoingOffer {
        issue: own && matches!(state, Some(OutgoingState::Draft | OutgoingState::Signed)),
        send: own
            && state == Some(OutgoingState::Issued)
            && over_hub
            && !rec.is_provisional()
            && hub_recipients,
        submit_for_signing: own
            && state == Some(OutgoingState::Draft)
            && has_pdf
            && over_hub
            && !desk.awaiting_leader,
        provisional_number: rec.is_provisional(),
        recall: own
            && matches!(
                state,
                Some(OutgoingState::Sent | OutgoingState::RecallRefused)
            ),
        revise: own && state == Some(OutgoingState::Sent),
    }
}
