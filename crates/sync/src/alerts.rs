//! Sender-side follow-up (issue 9, deliver 4): for every document this unit sent, each
//! recipient's latest status, and which recipients are overdue — nothing heard at all
//! ("chưa nhận") or only the automatic "01 đã đến" ("chưa tiếp nhận") once the configured
//! time since sending has passed.
//!
//! The computation is pure (`recipient_statuses` takes the clock as an argument) so it is
//! tested with explicit times; `SyncState::sent_documents` / `received_statuses` read its
//! inputs from the engine's queues, and the threshold lives in the state's `meta` table.
use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::addressing::is_internal;
use crate::state::{OutboxState, StateError, SyncState};
use crate::transport::Operation;

/// Hours after sending before a silent recipient raises an alert, unless configured.
pub const DEFAULT_OVERDUE_HOURS: u32 = 24;
/// The sync meta key of the overdue threshold (hours), shared with the reports.
pub const META_OVERDUE_HOURS: &str = "alert_overdue_hours";

/// A document package this unit has delivered to the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentDocument {
    /// Hub message id of the package.
    pub message_id: String,
    /// The edXML `DocumentId`, when the package has one.
    pub document_id: Option<String>,
    /// Agency codes the package was addressed to.
    pub recipients: Vec<String>,
    /// When the hub accepted it (ms since the epoch).
    pub sent_ms: i64,
}

/// A status package a recipient sent back about one of our messages, in hub order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNote {
    /// The hub message id of our document.
    pub related: String,
    /// The recipient agency that sent the status.
    pub from: String,
    /// Two-digit edXML status code (`01` đã đến, `03` đã tiếp nhận...).
    pub code: String,
    /// When the status arrived here (ms since the epoch).
    pub received_ms: i64,
}

/// Why a recipient of a sent document is overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// No status at all: the recipient has not fetched the package.
    NotReceived,
    /// Only "01 đã đến": fetched, but the clerk has neither accepted nor rejected it.
    NotAcknowledged,
}

impl AlertKind {
    /// The Vietnamese label the app shows for this alert.
    pub fn label_vi(self) -> &'static str {
        match self {
            AlertKind::NotReceived => "Chưa nhận",
            AlertKind::NotAcknowledged => "Chưa tiếp nhận",
        }
    }
}

/// Where one recipient stands with one sent document, for the tracking view and the alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientStatus {
    /// Hub message id of our document.
    pub message_id: String,
    /// The edXML `DocumentId` of our document, when it has one.
    pub document_id: Option<String>,
    /// Agency code of the recipient.
    pub recipient: String,
    /// When the hub accepted our document (ms since the epoch).
    pub sent_ms: i64,
    /// The last status code the recipient sent, in hub order.
    pub latest_code: Option<String>,
    /// Vietnamese label of `latest_code`.
    pub latest_label: Option<String>,
    /// When `latest_code` arrived (ms since the epoch).
    pub latest_ms: Option<i64>,
    /// Set when the recipient is past the threshold without receiving/acknowledging.
    pub alert: Option<AlertKind>,
}

impl RecipientStatus {
    /// Stable key of one (document, recipient) pair, e.g. to notify once per pair.
    pub fn key(&self) -> String {
        format!("{}|{}", self.message_id, self.recipient)
    }
}

fn label(code: &str) -> String {
    code.parse::<vanthu_domain::StatusCode>()
        .map(|c| c.label_vi().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

/// Each recipient's latest status per sent document, with the overdue alerts as of `now_ms`.
/// `statuses` must be in the order they were received (hub order); a later status replaces
/// an earlier one as "latest".
pub fn recipient_statuses(
    sent: &[SentDocument],
    statuses: &[StatusNote],
    now_ms: i64,
    overdue_after: Duration,
) -> Vec<RecipientStatus> {
    // (related, from) → (latest note, anything beyond 01 seen)
    let mut latest: HashMap<(&str, &str), (&StatusNote, bool)> = HashMap::new();
    for s in statuses {
        let answered = s.code != "01";
        latest
            .entry((s.related.as_str(), s.from.as_str()))
            .and_modify(|e| {
                e.0 = s;
                e.1 |= answered;
            })
            .or_insert((s, answered));
    }
    let limit = i64::try_from(overdue_after.as_millis()).unwrap_or(i64::MAX);
    let mut out = Vec::new();
    for doc in sent {
        for r in &doc.recipients {
            let seen = latest.get(&(doc.message_id.as_str(), r.as_str()));
            let late = now_ms.saturating_sub(doc.sent_ms) >= limit;
            let alert = match seen {
                _ if !late => None,
                None => Some(AlertKind::NotReceived),
                Some((_, false)) => Some(AlertKind::NotAcknowledged),
                Some((_, true)) => None,
            };
            out.push(RecipientStatus {
                message_id: doc.message_id.clone(),
                document_id: doc.document_id.clone(),
                recipient: r.clone(),
                sent_ms: doc.sent_ms,
                latest_code: seen.map(|(n, _)| n.code.clone()),
                latest_label: seen.map(|(n, _)| label(&n.code)),
                latest_ms: seen.map(|(n, _)| n.received_ms),
                alert,
            });
        }
    }
    out
}

/// Only the overdue pairs, oldest sending first.
pub fn overdue(all: Vec<RecipientStatus>) -> Vec<RecipientStatus> {
    let mut v: Vec<_> = all.into_iter().filter(|r| r.alert.is_some()).collect();
    v.sort_by(|a, b| {
        a.sent_ms
            .cmp(&b.sent_ms)
            .then_with(|| a.recipient.cmp(&b.recipient))
    });
    v
}

impl SyncState {
    /// Document packages (not statuses, not recalls) the hub has accepted from us, to other
    /// agencies. A submission to a desktop of this unit ("trình lãnh đạo") is not a sending:
    /// the leader's desktop has no clerk to acknowledge it, so it never raises an alert.
    pub fn sent_documents(&self) -> Result<Vec<SentDocument>, StateError> {
        Ok(self
            .outbox()?
            .into_iter()
            .filter(|o| o.package.op == Operation::Send && o.state == OutboxState::Sent)
            .filter_map(|o| {
                let recipients: Vec<String> = o
                    .package
                    .recipients
                    .into_iter()
                    .filter(|r| !is_internal(r))
                    .collect();
                (!recipients.is_empty()).then_some(())?;
                Some(SentDocument {
                    sent_ms: o.sent_ms?,
                    message_id: o.package.message_id,
                    document_id: o.package.document_id,
                    recipients,
                })
            })
            .collect())
    }

    /// Status packages received about our messages, in the order they arrived.
    pub fn received_statuses(&self) -> Result<Vec<StatusNote>, StateError> {
        Ok(self
            .received()?
            .into_iter()
            .filter(|r| r.kind == "status")
            .filter_map(|r| {
                Some(StatusNote {
                    related: r.related?,
                    code: r.status_code?,
                    from: r.sender,
                    received_ms: r.received_ms,
                })
            })
            .collect())
    }

    /// What the latest status `from` sent about our message `related` says besides its code
    /// (the reason of a 02 Từ chối, a 16's answer), read from the package.
    pub fn latest_status_note(
        &self,
        related: &str,
        from: &str,
    ) -> Result<Option<String>, StateError> {
        let latest = self.received()?.into_iter().rev().find(|r| {
            r.kind == "status" && r.related.as_deref() == Some(related) && r.sender == from
        });
        let Some(latest) = latest else {
            return Ok(None);
        };
        Ok(self
            .received_body(&latest.message_id)?
            .and_then(|b| crate::status::description_of(&b)))
    }

    /// Hours a recipient may stay silent before an alert: the stored setting, else the default.
    pub fn overdue_hours(&self) -> Result<u32, StateError> {
        Ok(self
            .meta(META_OVERDUE_HOURS)?
            .and_then(|v| v.parse().ok())
            .filter(|h| *h > 0)
            .unwrap_or(DEFAULT_OVERDUE_HOURS))
    }

    /// Stores the overdue threshold (at least one hour).
    pub fn set_overdue_hours(&self, hours: u32) -> Result<(), StateError> {
        self.set_meta(META_OVERDUE_HOURS, &hours.max(1).to_string())
    }

    /// Every recipient's status for every sent document, as of `now_ms`.
    pub fn recipient_statuses(&self, now_ms: i64) -> Result<Vec<RecipientStatus>, StateError> {
        let hours = self.overdue_hours()?;
        Ok(recipient_statuses(
            &self.sent_documents()?,
            &self.received_statuses()?,
            now_ms,
            Duration::from_secs(u64::from(hours) * 3600),
        ))
    }

    /// Records that `key` was notified; true the first time only.
    pub fn mark_alert_notified(&self, key: &str) -> Result<bool, StateError> {
        self.insert_meta(&format!("alert_notified:{key}"), "1")
    }

    /// The overdue (document, recipient) pairs not notified before, as of `now_ms`, each
    /// marked notified: what a daemon announces once, ever (`Engine::run_daemon`'s hook).
    pub fn newly_overdue(&self, now_ms: i64) -> Result<Vec<RecipientStatus>, StateError> {
        let mut out = Vec::new();
        for r in overdue(self.recipient_statuses(now_ms)?) {
            match self.mark_alert_notified(&r.key()) {
                Ok(true) => out.push(r),
                Ok(false) => {}
                // One row that cannot be recorded is not announced (it would repeat).
                Err(e) => tracing::warn!("cannot record a sync alert: {e}"),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    const DAY: Duration = Duration::from_secs(24 * 3600);

    fn doc(id: &str, to: &[&str], sent_ms: i64) -> SentDocument {
        SentDocument {
            message_id: id.into(),
            document_id: Some(format!("doc-{id}")),
            recipients: to.iter().map(|s| s.to_string()).collect(),
            sent_ms,
        }
    }

    fn st(related: &str, from: &str, code: &str, at: i64) -> StatusNote {
        StatusNote {
            related: related.into(),
            from: from.into(),
            code: code.into(),
            received_ms: at,
        }
    }

    fn find<'a>(v: &'a [RecipientStatus], m: &str, r: &str) -> &'a RecipientStatus {
        v.iter()
            .find(|x| x.message_id == m && x.recipient == r)
            .unwrap()
    }

    #[test]
    fn latest_status_per_recipient_follows_hub_order() {
        let sent = [doc("m1", &["B", "C"], 0)];
        let notes = [
            st("m1", "B", "01", H),
            st("m1", "C", "01", H),
            st("m1", "B", "03", 2 * H),
            st("m1", "B", "04", 3 * H),
            st("other", "B", "06", 4 * H),
        ];
        let v = recipient_statuses(&sent, &notes, 5 * H, DAY);
        assert_eq!(v.len(), 2);
        let b = find(&v, "m1", "B");
        assert_eq!(b.latest_code.as_deref(), Some("04"));
        assert_eq!(b.latest_label.as_deref(), Some("Phân công"));
        assert_eq!(b.latest_ms, Some(3 * H));
        let c = find(&v, "m1", "C");
        assert_eq!(c.latest_code.as_deref(), Some("01"));
        assert_eq!(c.latest_label.as_deref(), Some("Đã đến"));
        assert!(v.iter().all(|x| x.alert.is_none()), "not late yet: {v:?}");
    }

    #[test]
    fn silent_and_unacknowledged_recipients_alert_after_threshold() {
        let sent = [doc("m1", &["B", "C", "D", "E"], 10 * H)];
        let notes = [
            st("m1", "C", "01", 11 * H),
            st("m1", "D", "01", 11 * H),
            st("m1", "D", "03", 12 * H),
            st("m1", "E", "01", 11 * H),
            st("m1", "E", "02", 12 * H),
        ];
        // One millisecond before the threshold: nothing.
        let before = recipient_statuses(&sent, &notes, 34 * H - 1, DAY);
        assert!(overdue(before).is_empty());
        let at = recipient_statuses(&sent, &notes, 34 * H, DAY);
        assert_eq!(find(&at, "m1", "B").alert, Some(AlertKind::NotReceived));
        assert_eq!(find(&at, "m1", "C").alert, Some(AlertKind::NotAcknowledged));
        assert_eq!(find(&at, "m1", "D").alert, None);
        // A rejection is an answer: the sender knows, no alert.
        assert_eq!(find(&at, "m1", "E").alert, None);
        let late: Vec<_> = overdue(at).into_iter().map(|r| r.recipient).collect();
        assert_eq!(late, ["B", "C"]);
    }

    #[test]
    fn threshold_is_configurable_and_statuses_after_an_answer_keep_it_answered() {
        let sent = [doc("m1", &["B"], 0), doc("m2", &["B"], 5 * H)];
        // B accepted m1, then a later recall exchange ended with code 01 re-sent by mistake:
        // it has still answered.
        let notes = [
            st("m1", "B", "01", H),
            st("m1", "B", "03", H),
            st("m1", "B", "01", 2 * H),
        ];
        let two_hours = Duration::from_secs(2 * 3600);
        let v = recipient_statuses(&sent, &notes, 6 * H, two_hours);
        assert_eq!(find(&v, "m1", "B").alert, None);
        assert_eq!(find(&v, "m1", "B").latest_code.as_deref(), Some("01"));
        assert_eq!(find(&v, "m2", "B").alert, None, "m2 sent 1 h ago");
        let v = recipient_statuses(&sent, &notes, 7 * H, two_hours);
        assert_eq!(find(&v, "m2", "B").alert, Some(AlertKind::NotReceived));
    }

    #[test]
    fn overdue_is_sorted_by_sending_time() {
        let sent = [doc("late", &["B"], 5 * H), doc("early", &["C", "B"], H)];
        let v = overdue(recipient_statuses(&sent, &[], 100 * H, DAY));
        let keys: Vec<_> = v.iter().map(RecipientStatus::key).collect();
        assert_eq!(keys, ["early|B", "early|C", "late|B"]);
    }

    #[test]
    fn state_reads_sent_documents_statuses_and_settings() {
        use crate::state::ReceivedBatchItem;
        use crate::transport::{Operation, OutgoingPackage, RemoteItem};
        let dir = tempfile::tempdir().unwrap();
        let state = SyncState::open(dir.path()).unwrap();
        assert_eq!(state.overdue_hours().unwrap(), DEFAULT_OVERDUE_HOURS);
        state.set_overdue_hours(2).unwrap();
        assert_eq!(state.overdue_hours().unwrap(), 2);
        let pkg = |id: &str, op| OutgoingPackage {
            message_id: id.into(),
            op,
            related: None,
            status_code: None,
            recipients: vec!["B".into(), "C".into()],
            document_id: Some("D1".into()),
            sha256: "x".into(),
        };
        state.enqueue(&pkg("m1", Operation::Send), b"a").unwrap();
        let submission = OutgoingPackage {
            recipients: vec!["A/LD".into()],
            ..pkg("sub-1", Operation::Send)
        };
        state.enqueue(&submission, b"s").unwrap();
        state.enqueue(&pkg("m2", Operation::Send), b"b").unwrap();
        state.enqueue(&pkg("r1", Operation::Recall), b"c").unwrap();
        // The hub accepts m1 and the submission; m2 and the recall stay pending.
        let mut after = 0;
        let mut accepted = Vec::new();
        while let Some((seq, p, _)) = state.next_pending(after).unwrap() {
            after = seq;
            if p.message_id == "m1" || p.message_id == "sub-1" {
                accepted.push(seq);
            }
        }
        assert_eq!(accepted.len(), 2);
        for seq in accepted {
            state.mark_sent(&[seq]).unwrap();
        }
        let sent = state.sent_documents().unwrap();
        assert_eq!(
            sent.len(),
            1,
            "only the sent document package, not the submission to A/LD: {sent:?}"
        );
        assert_eq!(sent[0].message_id, "m1");
        assert_eq!(sent[0].recipients, ["B", "C"]);
        let item: ReceivedBatchItem = (
            RemoteItem {
                seq: 1,
                message_id: "st01-B-m1".into(),
                sender: "B".into(),
                relay: false,
                kind: "status".into(),
                business: "new".into(),
                related: Some("m1".into()),
                status_code: Some("01".into()),
                document_id: Some("D1".into()),
                sha256: "y".into(),
                size: 1,
            },
            b"s".to_vec(),
            Vec::new(),
        );
        state.store_received(&[item]).unwrap();
        let notes = state.received_statuses().unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(
            (notes[0].from.as_str(), notes[0].code.as_str()),
            ("B", "01")
        );
        // Far in the future both recipients are late; B only unacknowledged.
        let v = state.recipient_statuses(sent[0].sent_ms + 3 * H).unwrap();
        assert_eq!(find(&v, "m1", "B").alert, Some(AlertKind::NotAcknowledged));
        assert_eq!(find(&v, "m1", "C").alert, Some(AlertKind::NotReceived));
        assert!(state.mark_alert_notified("m1|C").unwrap());
        assert!(!state.mark_alert_notified("m1|C").unwrap());
    }
}
