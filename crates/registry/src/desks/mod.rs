//! Several desktops of one unit (docs/sync.md, "Several desktops of one unit"): the clerk's
//! desktop submits ("trình lãnh đạo") a registered incoming document to the leader's desktop;
//! the leader's desktop keeps it as a *mirror* record (never numbered: the số đến travels with
//! it) and the leader's assignment on the mirror goes back as an answer the clerk's desktop
//! applies with the normal transition, so the external sender gets its 04 as usual.
//!
//! The registry only keeps the bookkeeping (`submissions`, mirror columns, outbox rows of
//! kind `desk_answer`); the sync bridge turns them into internal hub packages.
//!
//! By concern: `wire` holds the package formats, `outbox` what this desktop queues for the
//! others (a primitive the numbering and the transitions call), `submit` the trình and the
//! return, `receive` what arrives from the other desktops.

pub(crate) mod outbox;
mod receive;
mod submit;
pub(crate) mod wire;

pub use wire::{
    AssignmentRow, DeskAnswer, DeskHandling, DeskLabel, DeskReturned, DeskSigned,
    HandlingAssignment, HandlingKind, HandlingNote, HandlingRole, MirrorInfo, Submission,
    SubmissionPackage, SubmittedFile, ANSWER_FORMAT, HANDLING_FORMAT, LABEL_FORMAT,
    RETURNED_FORMAT, SIGNED_FORMAT, SUBMISSION_FORMAT,
};
