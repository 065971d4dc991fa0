//! Processing states and the edXML status feedback they emit (shared/spec/statuses.md §1–4).
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Status codes carried by edXML status packages (`StatusCode`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum StatusCode {
    /// 01 Đã đến: taken into the receiving system.
    Arrived,
    /// 02 Từ chối: the receiving clerk refused it (reason mandatory).
    Rejected,
    /// 03 Đã tiếp nhận: registered and submitted to the leader.
    Accepted,
    /// 04 Phân công: the leader assigned it.
    Assigned,
    /// 05 Đang xử lý: the handler started on it.
    InProgress,
    /// 06 Hoàn thành.
    Completed,
    /// 13 Thu hồi: the sender recalls a delivered document.
    RecallRequest,
    /// 15 Đồng ý thu hồi / cập nhật (`14` is accepted on input as a synonym).
    RecallAccepted,
    /// 16 Từ chối thu hồi / cập nhật (reason mandatory).
    RecallRefused,
    /// Any other code (07–12 are undocumented): stored and shown raw, changes no state.
    Other(String),
}

impl StatusCode {
    /// The two-digit code as sent in `StatusCode` (or the raw text of an unknown code).
    pub fn code(&self) -> &str {
        match self {
            Self::Arrived => "01",
            Self::Rejected => "02",
            Self::Accepted => "03",
            Self::Assigned => "04",
            Self::InProgress => "05",
            Self::Completed => "06",
            Self::RecallRequest => "13",
            Self::RecallAccepted => "15",
            Self::RecallRefused => "16",
            Self::Other(c) => c,
        }
    }

    /// The status as the clerk reads it in the history and the recipient list.
    pub fn label_vi(&self) -> &str {
        match self {
            Self::Arrived => "Đã đến",
            Self::Rejected => "Từ chối",
            Self::Accepted => "Đã tiếp nhận",
            Self::Assigned => "Phân công",
            Self::InProgress => "Đang xử lý",
            Self::Completed => "Hoàn thành",
            Self::RecallRequest => "Thu hồi",
            Self::RecallAccepted => "Đồng ý thu hồi/cập nhật",
            Self::RecallRefused => "Từ chối thu hồi/cập nhật",
            Self::Other(_) => "Trạng thái khác",
        }
    }

    /// Rank among the forward statuses (01 < 03 < 04 < 05 < 06); `None` for side states.
    pub fn forward_rank(&self) -> Option<u8> {
        match self {
            Self::Arrived => Some(1),
            Self::Accepted => Some(2),
            Self::Assigned => Some(3),
            Self::InProgress => Some(4),
            Self::Completed => Some(5),
            _ => None,
        }
    }
}

impl FromStr for StatusCode {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "01" | "1" => Self::Arrived,
            "02" | "2" => Self::Rejected,
            "03" | "3" => Self::Accepted,
            "04" | "4" => Self::Assigned,
            "05" | "5" => Self::InProgress,
            "06" | "6" => Self::Completed,
            "13" => Self::RecallRequest,
            "14" | "15" => Self::RecallAccepted,
            "16" => Self::RecallRefused,
            other => Self::Other(other.to_string()),
        })
    }
}

impl From<String> for StatusCode {
    fn from(s: String) -> Self {
        match s.parse() {
            Ok(c) => c,
            Err(never) => match never {},
        }
    }
}

impl From<StatusCode> for String {
    fn from(c: StatusCode) -> String {
        c.code().to_string()
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who causes a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The desktop itself (arrival of a hub package, a sender's recall acting automatically).
    System,
    /// Văn thư.
    Clerk,
    /// Lãnh đạo.
    Leader,
    /// Chuyên viên xử lý.
    Handler,
}

impl Actor {
    /// Every role, in the order the history filter lists them.
    pub const ALL: [Actor; 4] = [Self::System, Self::Clerk, Self::Leader, Self::Handler];

    /// The role as the history shows it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::System => "Hệ thống",
            Self::Clerk => "Văn thư",
            Self::Leader => "Lãnh đạo",
            Self::Handler => "Chuyên viên",
        }
    }
}

/// State of an incoming document on the receiver side (statuses.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingState {
    /// Mới nhận: the package is in the inbox, not yet checked in.
    Received,
    /// Đã đến (01 sent): waiting for the clerk to enter it in the register.
    Arrived,
    /// Đã vào sổ (03): numbered and waiting for the leader.
    Registered,
    /// Đã phân công (04): the leader named a handler.
    Assigned,
    /// Đang xử lý (05).
    InProgress,
    /// Hoàn thành (06).
    Completed,
    /// Từ chối (02): refused by the clerk, kept for the record.
    Rejected,
    /// Đã thu hồi: the sender recalled it and the recall was accepted.
    Revoked,
    /// Bị thay thế: a newer version from the sender replaces it.
    Superseded,
}

impl IncomingState {
    /// Every state, in the order of the processing flow.
    pub const ALL: [IncomingState; 9] = [
        Self::Received,
        Self::Arrived,
        Self::Registered,
        Self::Assigned,
        Self::InProgress,
        Self::Completed,
        Self::Rejected,
        Self::Revoked,
        Self::Superseded,
    ];

    /// The name stored in the register's `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Arrived => "arrived",
            Self::Registered => "registered",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
            Self::Revoked => "revoked",
            Self::Superseded => "superseded",
        }
    }

    /// The state as the clerk reads it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Received => "Mới nhận",
            Self::Arrived => "Chờ vào sổ",
            Self::Registered => "Đã vào sổ",
            Self::Assigned => "Đã phân công",
            Self::InProgress => "Đang xử lý",
            Self::Completed => "Hoàn thành",
            Self::Rejected => "Đã từ chối",
            Self::Revoked => "Đã thu hồi",
            Self::Superseded => "Bị thay thế",
        }
    }

    /// Revoked and superseded documents are frozen: kept for audit, never edited.
    pub fn is_frozen(self) -> bool {
        matches!(self, Self::Revoked | Self::Superseded)
    }
}

impl FromStr for IncomingState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown incoming state {s:?}"))
    }
}

/// Why a transition of an incoming document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The state machine has no such move for this role (statuses.md §4.1).
    #[error(
        "không được chuyển trạng thái / transition not allowed: {from:?} → {to:?} by {actor:?}"
    )]
    NotAllowed {
        /// The state the document is in.
        from: IncomingState,
        /// The state asked for.
        to: IncomingState,
        /// Who asked.
        actor: Actor,
    },
    /// A sender's recall/update/replace cannot be refused once the document is closed.
    #[error("không thể từ chối yêu cầu khi văn bản ở trạng thái {0:?} / no request can be refused in this state")]
    CannotRefuse(IncomingState),
}

/// Validates a transition of an incoming document and returns the status packages it emits,
/// in order. Skipped steps still emit every intermediate code (statuses.md §2 rule 1): a
/// leader who assigns a document that was never registered emits `03` then `04`.
pub fn transition(
    from: IncomingState,
    to: IncomingState,
    actor: Actor,
) -> Result<Vec<StatusCode>, TransitionError> {
    use Actor::*;
    use IncomingState::*;
    use StatusCode as C;
    let emits = match (from, to, actor) {
        (Received, Arrived, System) => vec![C::Arrived],
        (Arrived, Registered, Clerk) => vec![C::Accepted],
        (Arrived, Rejected, Clerk) => vec![C::Rejected],
        (Registered, Assigned, Leader) => vec![C::Assigned],
        (Registered, Arrived, Leader) => vec![],
        (Arrived, Assigned, Leader) => vec![C::Accepted, C::Assigned],
        (Assigned, InProgress, Handler) => vec![C::InProgress],
        (Assigned, Assigned, Leader) => vec![C::Assigned],
        (Assigned, Completed, Handler) => vec![C::InProgress, C::Completed],
        (InProgress, Completed, Handler) => vec![C::Completed],
        (InProgress, Assigned, Leader) => vec![C::Assigned],
        // A recall of a document nobody has registered yet is accepted by the system.
        (Received | Arrived, Revoked, System) => vec![C::RecallAccepted],
        (Arrived | Registered | Assigned | InProgress | Completed, Revoked, Clerk) => {
            vec![C::RecallAccepted]
        }
        (Arrived | Registered | Assigned | InProgress | Completed, Superseded, Clerk) => {
            vec![C::RecallAccepted]
        }
        _ => return Err(TransitionError::NotAllowed { from, to, actor }),
    };
    Ok(emits)
}

/// A step a person can take on an incoming document from the desktop ("Vào sổ", "Từ chối",
/// "Phân công", "Bắt đầu xử lý", "Hoàn thành"); what the system does (arrival) and the
/// decisions on a sender's recall/replace (its own flow) are not steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProcessingStep {
    /// The state the step leads to.
    pub to: IncomingState,
    /// The role that may take it.
    pub actor: Actor,
}

impl ProcessingStep {
    /// The step as a button label (Vào sổ, Từ chối, Phân công, …).
    pub fn label_vi(self) -> &'static str {
        use IncomingState::*;
        match (self.to, self.actor) {
            (Registered, _) => "Vào sổ",
            (Rejected, _) => "Từ chối",
            (Assigned, _) => "Phân công",
            (InProgress, _) => "Bắt đầu xử lý",
            (Completed, _) => "Hoàn thành",
            (other, _) => other.label_vi(),
        }
    }

    /// A rejection says why (statuses.md: 02 carries the reason).
    pub fn needs_reason(self) -> bool {
        self.to == IncomingState::Rejected
    }

    /// An assignment names who handles the document (sổ đến column 7).
    pub fn needs_handler(self) -> bool {
        self.to == IncomingState::Assigned
    }
}

/// The steps a person may take from `from`, in the order a desktop offers them: those of
/// [`transition`] with a clerk, leader or handler as the actor, into a working state.
pub fn processing_steps(from: IncomingState) -> Vec<ProcessingStep> {
    use IncomingState::*;
    const CANDIDATES: [(IncomingState, Actor); 5] = [
        (Registered, Actor::Clerk),
        (Rejected, Actor::Clerk),
        (Assigned, Actor::Leader),
        (InProgress, Actor::Handler),
        (Completed, Actor::Handler),
    ];
    CANDIDATES
        .into_iter()
        .filter(|&(to, actor)| transition(from, to, actor).is_ok())
        .map(|(to, actor)| ProcessingStep { to, actor })
        .collect()
}

/// The clerk refuses a recall/update/replace request: the state stays, `16` is emitted.
pub fn refuse_request(state: IncomingState) -> Result<StatusCode, TransitionError> {
    match state {
        IncomingState::Rejected | IncomingState::Revoked | IncomingState::Superseded => {
            Err(TransitionError::CannotRefuse(state))
        }
        _ => Ok(StatusCode::RecallRefused),
    }
}

/// State of an outgoing document on the sender side (statuses.md §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutgoingState {
    /// Dự thảo: being written, no number.
    Draft,
    /// Đã ký: signed, waiting for its number.
    Signed,
    /// Đã cấp số: numbered (ban hành), not yet sent.
    Issued,
    /// Sẵn sàng gửi: queued for the hub.
    Ready,
    /// Đã gửi: the hub accepted the package.
    Sent,
    /// A recall was sent; waiting for the recipients' answers.
    RecallPending,
    /// Every recipient accepted the recall.
    Recalled,
    /// A recipient refused the recall (it may be asked again).
    RecallRefused,
    /// An update was sent; waiting for the recipients.
    UpdatePending,
    /// A replacement was sent; waiting for the recipients.
    ReplacePending,
}

impl OutgoingState {
    /// Every state, in the order a document normally passes through them.
    pub const ALL: [OutgoingState; 10] = [
        Self::Draft,
        Self::Signed,
        Self::Issued,
        Self::Ready,
        Self::Sent,
        Self::RecallPending,
        Self::Recalled,
        Self::RecallRefused,
        Self::UpdatePending,
        Self::ReplacePending,
    ];

    /// The name stored in the register's `state` column (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Signed => "signed",
            Self::Issued => "issued",
            Self::Ready => "ready",
            Self::Sent => "sent",
            Self::RecallPending => "recall_pending",
            Self::Recalled => "recalled",
            Self::RecallRefused => "recall_refused",
            Self::UpdatePending => "update_pending",
            Self::ReplacePending => "replace_pending",
        }
    }

    /// The state as the clerk reads it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Draft => "Dự thảo",
            Self::Signed => "Đã ký",
            Self::Issued => "Đã cấp số",
            Self::Ready => "Sẵn sàng gửi",
            Self::Sent => "Đã gửi",
            Self::RecallPending => "Chờ thu hồi",
            Self::Recalled => "Đã thu hồi",
            Self::RecallRefused => "Bị từ chối thu hồi",
            Self::UpdatePending => "Chờ cập nhật",
            Self::ReplacePending => "Chờ thay thế",
        }
    }

    /// Whether the sender side may move from `self` to `to`.
    pub fn can_move_to(self, to: OutgoingState) -> bool {
        use OutgoingState::*;
        matches!(
            (self, to),
            (Draft, Signed)
                | (Signed, Issued)
                | (Issued, Ready)
                | (Ready, Sent)
                | (Sent, RecallPending | UpdatePending | ReplacePending)
                | (RecallPending, Recalled | RecallRefused)
                | (RecallRefused, RecallPending)
                | (UpdatePending | ReplacePending, Sent)
        )
    }
}

impl FromStr for OutgoingState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown outgoing state {s:?}"))
    }
}

/// The state of a register entry of either register. The two registers' state names never
/// overlap, so the stored string alone says which one it is; it is serialised as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentState {
    /// A state of the incoming register (sổ văn bản đến).
    Incoming(IncomingState),
    /// A state of the outgoing register (sổ văn bản đi).
    Outgoing(OutgoingState),
}

impl DocumentState {
    /// The name stored in the register's `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incoming(s) => s.as_str(),
            Self::Outgoing(s) => s.as_str(),
        }
    }

    /// The state as the clerk reads it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Incoming(s) => s.label_vi(),
            Self::Outgoing(s) => s.label_vi(),
        }
    }

    /// The incoming state, or `None` for an outgoing document.
    pub fn incoming(self) -> Option<IncomingState> {
        match self {
            Self::Incoming(s) => Some(s),
            Self::Outgoing(_) => None,
        }
    }

    /// The outgoing state, or `None` for an incoming document.
    pub fn outgoing(self) -> Option<OutgoingState> {
        match self {
            Self::Outgoing(s) => Some(s),
            Self::Incoming(_) => None,
        }
    }
}

/// A state name that is neither an incoming nor an outgoing state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trạng thái văn bản không xác định / unknown document state: {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for DocumentState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(st) = s.parse::<IncomingState>() {
            return Ok(Self::Incoming(st));
        }
        s.parse::<OutgoingState>()
            .map(Self::Outgoing)
            .map_err(|_| UnknownState(s.to_string()))
    }
}

impl fmt::Display for DocumentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<IncomingState> for DocumentState {
    fn from(s: IncomingState) -> Self {
        Self::Incoming(s)
    }
}

impl From<OutgoingState> for DocumentState {
    fn from(s: OutgoingState) -> Self {
        Self::Outgoing(s)
    }
}

impl Serialize for DocumentState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DocumentState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What the sender knows about one recipient of a sent document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientState {
    /// The package left; nothing heard back yet.
    Sent,
    /// 01 Đã đến.
    Delivered,
    /// 03 Đã tiếp nhận.
    Accepted,
    /// 04 Phân công.
    Assigned,
    /// 05 Đang xử lý.
    Processing,
    /// 06 Hoàn thành.
    Done,
    /// 02 Từ chối.
    Rejected,
    /// 15 Đồng ý thu hồi: the recall was accepted.
    Recalled,
}

impl RecipientState {
    /// The state as the recipient list shows it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Sent => "Đã gửi",
            Self::Delivered => "Đã đến",
            Self::Accepted => "Đã tiếp nhận",
            Self::Assigned => "Đã phân công",
            Self::Processing => "Đang xử lý",
            Self::Done => "Hoàn thành",
            Self::Rejected => "Từ chối",
            Self::Recalled => "Đã thu hồi",
        }
    }
}

/// The displayed state of one recipient from every status it returned, in whatever order
/// they arrived: the highest forward code wins; an accepted recall ends it; a rejection
/// stands unless the recipient later accepted.
pub fn recipient_state(received: &[StatusCode]) -> RecipientState {
    if received.contains(&StatusCode::RecallAccepted) {
        return RecipientState::Recalled;
    }
    let best = received.iter().filter_map(StatusCode::forward_rank).max();
    if received.contains(&StatusCode::Rejected) && best.unwrap_or(0) <= 1 {
        return RecipientState::Rejected;
    }
    match best {
        None => RecipientState::Sent,
        Some(1) => RecipientState::Delivered,
        Some(2) => RecipientState::Accepted,
        Some(3) => RecipientState::Assigned,
        Some(4) => RecipientState::Processing,
        Some(_) => RecipientState::Done,
    }
}

#[cfg(test)]
mod tests {

    /// The stored names are the serde names (old rows were written through serde), and a
    /// name of either register parses back to its own register's state.
    #[test]
    fn document_state_names_round_trip_and_unknown_names_are_refused() {
        for st in OutgoingState::ALL {
            let serde_name = serde_json::to_value(st).unwrap();
            assert_eq!(serde_name.as_str(), Some(st.as_str()));
            assert_eq!(st.as_str().parse(), Ok(DocumentState::Outgoing(st)));
        }
        for st in IncomingState::ALL {
            let serde_name = serde_json::to_value(st).unwrap();
            assert_eq!(serde_name.as_str(), Some(st.as_str()));
            assert_eq!(st.as_str().parse(), Ok(DocumentState::Incoming(st)));
        }
        assert_eq!(
            "Draft".parse::<DocumentState>(),
            Err(UnknownState("Draft".into()))
        );
        let json = serde_json::to_string(&DocumentState::Outgoing(OutgoingState::RecallPending));
        assert_eq!(json.unwrap(), "\"recall_pending\"");
        assert!(serde_json::from_str::<DocumentState>("\"nháp\"").is_err());
    }

    #[test]
    fn processing_steps_follow_the_state_machine() {
        use IncomingState::*;
        let steps = |from| -> Vec<(IncomingState, Actor)> {
            processing_steps(from)
                .into_iter()
                .map(|s| (s.to, s.actor))
                .collect()
        };
        assert_eq!(
            steps(Arrived),
            [
                (Registered, Actor::Clerk),
                (Rejected, Actor::Clerk),
                (Assigned, Actor::Leader)
            ]
        );
        assert_eq!(steps(Registered), [(Assigned, Actor::Leader)]);
        assert_eq!(
            steps(Assigned),
            [
                (Assigned, Actor::Leader),
                (InProgress, Actor::Handler),
                (Completed, Actor::Handler)
            ]
        );
        assert_eq!(
            steps(InProgress),
            [(Assigned, Actor::Leader), (Completed, Actor::Handler)]
        );
        for done in [Received, Completed, Rejected, Revoked, Superseded] {
            assert!(steps(done).is_empty(), "{done:?}");
        }
        // Every offered step is one the machine accepts, and emits at least one status.
        for from in IncomingState::ALL {
            for s in processing_steps(from) {
                assert!(!transition(from, s.to, s.actor).unwrap().is_empty());
            }
        }
        let reject = ProcessingStep {
            to: Rejected,
            actor: Actor::Clerk,
        };
        assert!(reject.needs_reason() && !reject.needs_handler());
        assert_eq!(reject.label_vi(), "Từ chối");
    }

    use super::*;
    use Actor::*;
    use IncomingState::*;

    /// The allowed transitions, written out from statuses.md §4.1 independently of the
    /// `match` above, with the codes each emits.
    fn expected() -> Vec<(IncomingState, IncomingState, Actor, Vec<&'static str>)> {
        let mut v = vec![
            (Received, Arrived, System, vec!["01"]),
            (Arrived, Registered, Clerk, vec!["03"]),
            (Arrived, Rejected, Clerk, vec!["02"]),
            (Registered, Assigned, Leader, vec!["04"]),
            (Registered, Arrived, Leader, vec![]),
            (Arrived, Assigned, Leader, vec!["03", "04"]),
            (Assigned, InProgress, Handler, vec!["05"]),
            (Assigned, Assigned, Leader, vec!["04"]),
            (Assigned, Completed, Handler, vec!["05", "06"]),
            (InProgress, Completed, Handler, vec!["06"]),
            (InProgress, Assigned, Leader, vec!["04"]),
            (Received, Revoked, System, vec!["15"]),
            (Arrived, Revoked, System, vec!["15"]),
        ];
        for s in [Arrived, Registered, Assigned, InProgress, Completed] {
            v.push((s, Revoked, Clerk, vec!["15"]));
            v.push((s, Superseded, Clerk, vec!["15"]));
        }
        v
    }

    #[test]
    fn transition_table_is_exactly_the_spec() {
        let expected = expected();
        let mut allowed = 0;
        for from in IncomingState::ALL {
            for to in IncomingState::ALL {
                for actor in Actor::ALL {
                    let got = transition(from, to, actor);
                    match expected
                        .iter()
                        .find(|e| (e.0, e.1, e.2) == (from, to, actor))
                    {
                        Some((.., codes)) => {
                            let got: Vec<String> = got
                                .expect("allowed")
                                .iter()
                                .map(|c| c.code().to_string())
                                .collect();
                            assert_eq!(got, *codes, "{from:?}→{to:?} by {actor:?}");
                            allowed += 1;
                        }
                        None => assert_eq!(
                            got,
                            Err(TransitionError::NotAllowed { from, to, actor }),
                            "{from:?}→{to:?} by {actor:?} should be refused"
                        ),
                    }
                }
            }
        }
        assert_eq!(allowed, expected.len());
    }

    #[test]
    fn nothing_leaves_a_frozen_or_rejected_state() {
        for from in [Rejected, Revoked, Superseded] {
            for to in IncomingState::ALL {
                for actor in Actor::ALL {
                    assert!(transition(from, to, actor).is_err());
                }
            }
            assert!(refuse_request(from).is_err());
        }
        assert_eq!(refuse_request(Completed), Ok(StatusCode::RecallRefused));
    }

    #[test]
    fn status_codes_parse_and_serialize() {
        for code in ["01", "02", "03", "04", "05", "06", "13", "15", "16", "09"] {
            let c: StatusCode = code.parse().unwrap();
            assert_eq!(c.code(), code);
            assert_eq!(serde_json::to_value(&c).unwrap(), code);
        }
        assert_eq!(
            "14".parse::<StatusCode>().unwrap(),
            StatusCode::RecallAccepted
        );
        assert_eq!(
            "09".parse::<StatusCode>().unwrap(),
            StatusCode::Other("09".into())
        );
    }

    #[test]
    fn recipient_state_takes_the_highest_forward_code() {
        use StatusCode as C;
        assert_eq!(recipient_state(&[]), RecipientState::Sent);
        assert_eq!(
            recipient_state(&[C::Assigned, C::Arrived, C::Accepted]),
            RecipientState::Assigned
        );
        assert_eq!(
            recipient_state(&[C::Arrived, C::Rejected]),
            RecipientState::Rejected
        );
        assert_eq!(
            recipient_state(&[C::Arrived, C::Completed, C::InProgress]),
            RecipientState::Done
        );
        assert_eq!(
            recipient_state(&[C::Arrived, C::RecallAccepted]),
            RecipientState::Recalled
        );
        assert_eq!(
            recipient_state(&[C::Other("09".into())]),
            RecipientState::Sent
        );
    }

    #[test]
    fn outgoing_flow() {
        use OutgoingState::*;
        let path = [Draft, Signed, Issued, Ready, Sent, RecallPending, Recalled];
        for w in path.windows(2) {
            assert!(w[0].can_move_to(w[1]), "{:?}→{:?}", w[0], w[1]);
        }
        assert!(!Draft.can_move_to(Sent));
        assert!(!Recalled.can_move_to(Sent));
    }
}
