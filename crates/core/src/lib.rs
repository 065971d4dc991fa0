//! vanthu-core: the workflows that join the leaf crates (register, edXML, PDF, signing, sync),
//! usable without Tauri. The CLI and the desktop shell both call these; the leaf crates know
//! nothing of each other's data (docs/architecture.md, "Dependencies between crates").
//!
//! * [`index`]: a document's PDF text into the register's search.
//! * [`sign_queue`]: signing a batch of the "Chờ ký" queue with one PIN.
//! * [`incoming`]: the one mapping of a received edXML package to an incoming record, used
//!   by [`import`] (a package file) and [`receive`] (packages the hub delivered).
//! * [`offer`]: what a desktop may do next on a document (the UI only shows the offer).
//! * [`round`]: the register's part of each sync round.
//! * [`scan`]: scan drafts, from the scan folder to the incoming register.
//! * [`reports`]: issuing, status-feedback and processing reports, as tables, CSV, XLSX, PDF.
//! * [`archive`]: archive packages (nộp lưu) with the NĐ 30 / TT 02/2019 metadata: export,
//!   verify, import into an empty register.
//! * [`backup`]: backup and restore of a data directory; [`backup_schedule`]: scheduled
//!   backups with retention.
pub mod archive;
pub mod arrival_stamp;
pub mod backup;
pub mod backup_schedule;
pub mod import;
pub mod incoming;
pub mod index;
pub mod notices;
pub mod offer;
pub mod receive;
pub mod reports;
pub mod round;
pub mod scan;
pub mod sign_queue;
