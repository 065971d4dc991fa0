//! The register's part of a sync round: what the engine's round hook does on a data
//! directory with a register, the same for `vanthu sync`, the app and the tests.
use vanthu_registry::Registry;
use vanthu_sync::SyncState;

/// What a round changed in the register (the app refreshes its lists when anything did).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundChanges {
    /// Received packages entered (or refused) as incoming documents.
    pub imported: u64,
    /// Submissions, answers, signed copies or returns applied between desktops.
    pub desks: u64,
    /// Outgoing documents moved on: accepted by the hub (Đã gửi), or settled by the
    /// recipients' answers to a recall, update or replacement.
    pub outgoing: u64,
}

impl RoundChanges {
    /// Anything a desktop's lists should show.
    pub fn any(&self) -> bool {
        self.imported > 0 || self.desks > 0 || self.outgoing > 0
    }
}

/// Received packages become incoming documents ([`crate::receive`]), the register's queued
/// statuses and dispatches go to the engine's outbox (`vanthu_sync::bridge`), and trình lãnh
/// đạo / trình ký move between the desktops of the unit (`vanthu_sync::desks`).
pub fn registry_round(
    reg: &mut Registry,
    state: &SyncState,
    agency: &str,
    agency_name: &str,
) -> Result<RoundChanges, String> {
    let received = crate::receive::import_received(reg, state).map_err(|e| e.to_string())?;
    // Counted here (the bridge would do it too, silently): Đã gửi must reach an open list.
    let dispatched =
        vanthu_sync::dispatch::reflect_dispatched(reg, state).map_err(|e| e.to_string())?;
    vanthu_sync::bridge::queue_registry_statuses(reg, state, agency, agency_name)
        .map_err(|e| e.to_string())?;
    let desks = vanthu_sync::desks::run_all(reg, state).map_err(|e| e.to_string())?;
    // The recipients' answers to our recalls (15/16) move the recalled documents on.
    let settled = reg.settle_recalls().map_err(|e| e.to_string())?;
    Ok(RoundChanges {
        imported: received.imported + received.refused,
        desks,
        outgoing: dispatched + settled,
    })
}
