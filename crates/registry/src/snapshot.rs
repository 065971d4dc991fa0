//! A consistent copy of the database while other connections keep writing, for backups.
//!
//! `VACUUM INTO` reads the whole database inside one read transaction, so the copy holds
//! exactly what was committed when it began: in WAL mode writers are not blocked and their
//! later commits are simply not in it. Attachments are not copied here: blobs are written
//! before the row that names them commits and are never deleted, so every blob the copy
//! refers to is in the store whenever the caller copies it afterwards (crates/core backup).
use std::path::Path;

use crate::{Error, Registry, Result};

impl Registry {
    /// Writes a consistent, compacted copy of the database to `dest`, which must not exist.
    pub fn snapshot_database(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(Error::file(
                dest,
                std::io::Error::new(std::io::ErrorKind::AlreadyExists, "already exists"),
            ));
        }
        let dest_str = dest.to_str().ok_or_else(|| {
            Error::file(
                dest,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8"),
            )
        })?;
        self.conn.execute("VACUUM INTO ?1", [dest_str])?;
        Ok(())
    }

    /// Every attachment hash the database refers to (documents' files, scan drafts,
    /// signature and seal images).
    pub fn referenced_blobs(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT sha256 FROM attachments UNION SELECT sha256 FROM scan_drafts
             UNION SELECT sha256 FROM sign_images ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::{NewIncoming, Registry};

    #[test]
    fn snapshot_holds_what_was_committed_and_opens() {
        let dir = tempfile::tempdir().unwrap();
        let mut reg = Registry::open(dir.path().join("a")).unwrap();
        reg.init_unit("000.00.00.H34", "Sở Thử nghiệm").unwrap();
        let rec = reg
            .register_incoming(NewIncoming {
                sender: "000.00.00.G22".into(),
                notation: "2887/VPCP-KSTT".into(),
                document_date: "2019-04-01".parse().unwrap(),
                doc_type: "Công văn".into(),
                subject: "Đôn đốc gửi, nhận văn bản điện tử".into(),
                ..Default::default()
            })
            .unwrap();
        let copy_dir = dir.path().join("b");
        std::fs::create_dir_all(&copy_dir).unwrap();
        reg.snapshot_database(&copy_dir.join(crate::DB_FILE))
            .unwrap();
        assert!(reg
            .snapshot_database(&copy_dir.join(crate::DB_FILE))
            .is_err());
        let copy = Registry::open_existing(&copy_dir).unwrap();
        assert_eq!(copy.get(rec.id).unwrap().subject, rec.subject);
        assert!(copy.audit_verify().unwrap().ok);
    }
}
