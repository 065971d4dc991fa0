//! Scan drafts: PDFs a scanner dropped in the scan folder, taken into the attachment store and
//! waiting for the clerk to register them (or discard them). They live in the register
//! (migration 13) so the CLI sees what the app took in (`vanthu scan list`); the workflow
//! (first-page text, registering one, the one-time move of the app's old JSON list) is in
//! `vanthu_core::scan`.
use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use crate::{audit, Registry, Result};

/// One scan waiting to be registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanDraft {
    /// Row id of the draft, used to register or discard it.
    pub id: i64,
    /// The name the scanner gave the file (NFC), kept for the attachment.
    pub file_name: String,
    /// The content in the attachment store.
    pub sha256: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// When the file was taken in, RFC 3339.
    pub received_at: String,
    /// Text of the first page (prefills the subject; indexed once registered).
    pub text: Option<String>,
}

/// A draft as an older store recorded it (the app's JSON list), content already stored.
#[derive(Debug, Clone)]
pub struct KnownScanDraft {
    /// The name the scanner gave the file.
    pub file_name: String,
    /// The content in the attachment store.
    pub sha256: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// When the file was taken in, RFC 3339.
    pub received_at: String,
    /// Text of the first page, if the old list had it.
    pub text: Option<String>,
}

/// Migration 13.
pub(crate) fn migrate_v13(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE TABLE scan_drafts (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    text        TEXT
) STRICT;
"#,
    )?;
    Ok(())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ScanDraft> {
    Ok(ScanDraft {
        id: r.get(0)?,
        file_name: r.get(1)?,
        sha256: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        received_at: r.get(4)?,
        text: r.get(5)?,
    })
}

const COLUMNS: &str = "id, file_name, sha256, size, received_at, text";

fn insert(tx: &Transaction<'_>, d: &KnownScanDraft) -> Result<i64> {
    tx.execute(
        "INSERT INTO scan_drafts (file_name, sha256, size, received_at, text)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![d.file_name, d.sha256, d.size as i64, d.received_at, d.text],
    )?;
    Ok(tx.last_insert_rowid())
}

impl Registry {
    /// Stores `file`'s content (durably, before the row commits) and records the draft under
    /// `file_name`. Only after this returns Ok may the caller delete the original.
    pub fn add_scan_draft(
        &mut self,
        file: &Path,
        file_name: &str,
        text: Option<String>,
    ) -> Result<ScanDraft> {
        let blob = self.blobs().put_file(file)?;
        let draft = KnownScanDraft {
            file_name: vanthu_domain::text::nfc(file_name),
            sha256: blob.sha256,
            size: blob.size,
            received_at: chrono::Local::now().to_rfc3339(),
            text,
        };
        let id = self.write(|tx, ctx| {
            let id = insert(tx, &draft)?;
            audit::append(
                tx,
                ctx,
                "scan.add",
                "scan_draft",
                Some(&id.to_string()),
                &serde_json::json!({"file_name": draft.file_name, "sha256": draft.sha256}),
            )?;
            Ok(id)
        })?;
        Ok(self.scan_draft(id)?.expect("draft just written"))
    }

    /// Every draft, oldest first.
    pub fn scan_drafts(&self) -> Result<Vec<ScanDraft>> {
        let mut stmt = self
            .connection()
            .prepare(&format!("SELECT {COLUMNS} FROM scan_drafts ORDER BY id"))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The draft `id`; `None` once it was registered or discarded.
    pub fn scan_draft(&self, id: i64) -> Result<Option<ScanDraft>> {
        Ok(self
            .connection()
            .query_row(
                &format!("SELECT {COLUMNS} FROM scan_drafts WHERE id = ?1"),
                [id],
                row,
            )
            .optional()?)
    }

    /// Removes draft `id` (discarded, or registered: `registered` names the document).
    /// False when there was no such draft. The content stays in the attachment store.
    pub fn remove_scan_draft(&mut self, id: i64, registered: Option<i64>) -> Result<bool> {
        self.write(|tx, ctx| {
            let gone = tx.execute("DELETE FROM scan_drafts WHERE id = ?1", [id])? == 1;
            if gone {
                audit::append(
                    tx,
                    ctx,
                    if registered.is_some() {
                        "scan.register"
                    } else {
                        "scan.discard"
                    },
                    "scan_draft",
                    Some(&id.to_string()),
                    &serde_json::json!({ "document": registered }),
                )?;
            }
            Ok(gone)
        })
    }

    /// Records drafts an older store kept (their content already in the attachment store),
    /// once per `source`: a second call with the same source adds nothing and returns 0.
    pub fn import_scan_drafts(&mut self, source: &str, drafts: &[KnownScanDraft]) -> Result<usize> {
        let key = format!("scan_drafts_imported:{source}");
        self.write(|tx, ctx| {
            let done: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = ?1", [&key], |r| {
                    r.get(0)
                })
                .optional()?;
            if done.is_some() {
                return Ok(0);
            }
            for d in drafts {
                insert(tx, d)?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![key, ctx.now],
            )?;
            audit::append(
                tx,
                ctx,
                "scan.import",
                "scan_draft",
                None,
                &serde_json::json!({ "source": source, "count": drafts.len() }),
            )?;
            Ok(drafts.len())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_kept_listed_removed_and_imported_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut reg = Registry::open(dir.path()).unwrap();
        let scan = dir.path().join("in.pdf");
        std::fs::write(&scan, b"%PDF-1.4 scan").unwrap();
        let d = reg
            .add_scan_draft(&scan, "Công văn 12.pdf", Some("UBND".into()))
            .unwrap();
        assert_eq!((d.file_name.as_str(), d.size), ("Công văn 12.pdf", 13));
        assert_eq!(
            std::fs::read(reg.blobs().path_of(&d.sha256)).unwrap(),
            b"%PDF-1.4 scan"
        );
        let reg2 = Registry::open(dir.path()).unwrap();
        assert_eq!(reg2.scan_drafts().unwrap(), vec![d.clone()]);
        drop(reg2);

        let old = KnownScanDraft {
            file_name: "cũ.pdf".into(),
            sha256: d.sha256.clone(),
            size: 13,
            received_at: "2026-01-02T03:04:05+07:00".into(),
            text: None,
        };
        assert_eq!(
            reg.import_scan_drafts("json", std::slice::from_ref(&old))
                .unwrap(),
            1
        );
        assert_eq!(reg.import_scan_drafts("json", &[old]).unwrap(), 0);
        let all = reg.scan_drafts().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].file_name, "cũ.pdf");

        assert!(reg.remove_scan_draft(d.id, None).unwrap());
        assert!(!reg.remove_scan_draft(d.id, None).unwrap());
        assert_eq!(reg.scan_draft(d.id).unwrap(), None);
        let mut entries = reg.audit_entries(Some("scan_draft"), None, 100).unwrap();
        entries.sort_by_key(|e| e.seq);
        let actions: Vec<String> = entries.into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["scan.add", "scan.import", "scan.discard"]);
    }
}
