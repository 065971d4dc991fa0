//! Status packages queued before vanthu wrote the official header (docs/national-axis.md).
//!
//! Until then the sync engine wrote a status with its header named `edXML:Status` (an
//! inference of the reference pack, since corrected): the official edXML library
//! (`StatusXmlParser` of EdXML102) finds no header in it, so a peer running it would drop the
//! status. Packages still waiting in a queue are rewritten into the official form
//! (`edXML:MessageHeader`: From, ResponseFor, StatusCode, Description, Timestamp) before they
//! leave. The old bodies came from one fixed template, so the rewrite is textual and copies
//! the already-escaped values as they are (no XML parser is needed, and this crate cannot use
//! vanthu-edxml, which depends on it).
use rusqlite::{params, Transaction};

use crate::{BlobStore, Result};

const OLD_OPEN: &str = "<edXML:Status>";
const OLD_CLOSE: &str = "</edXML:Status>";
const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

/// The text of `<edXML:name>…</edXML:name>` inside `s` (still escaped), `None` when absent or
/// empty.
fn leaf<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<edXML:{name}>");
    let close = format!("</edXML:{name}>");
    let start = s.find(&open)? + open.len();
    let end = start + s[start..].find(&close)?;
    Some(s[start..end].trim()).filter(|v| !v.is_empty())
}

fn section<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<edXML:{name}>");
    let close = format!("</edXML:{name}>");
    let start = s.find(&open)? + open.len();
    let end = start + s[start..].find(&close)?;
    Some(&s[start..end])
}

/// `yyyy/MM/dd` with plausible digits.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'/'
        && b[7] == b'/'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The official form of an old-format status body; `None` when `body` is not one (already
/// official, a document, anything else), so the caller leaves it untouched.
pub fn upgrade_status_body(body: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(body).ok()?;
    if s.contains("<edXML:MessageHeader>") {
        return None;
    }
    let start = s.find(OLD_OPEN)? + OLD_OPEN.len();
    let end = start + s[start..].find(OLD_CLOSE)?;
    let status = &s[start..end];
    let code = leaf(status, "StatusCode")?;
    let from = section(status, "From")?;
    let from_id = leaf(from, "OrganId")?;
    let from_name = leaf(from, "OrganName");
    let rf = section(status, "ResponseFor").unwrap_or("");
    let rf_organ = leaf(rf, "OrganId");
    let rf_doc = leaf(rf, "DocumentId");
    // A DocumentId in the government form `<OrganId>,<yyyy/MM/dd>,<số/ký hiệu>` also gives
    // the Code and PromulgationDate the official library writes in ResponseFor.
    let (rf_code, rf_date) =
        match rf_doc.map(|d| d.splitn(3, ',').map(str::trim).collect::<Vec<_>>()) {
            Some(parts) => match parts[..] {
                [_, date, code] if is_date(date) && !code.is_empty() => (Some(code), Some(date)),
                _ => (None, None),
            },
            None => (None, None),
        };
    let mut x = String::with_capacity(body.len() + 256);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!("<edXML xmlns=\"{NS}\">\n"));
    x.push_str(&format!(" <edXML:edXMLEnvelope xmlns:edXML=\"{NS}\">\n"));
    x.push_str("  <edXML:edXMLHeader>\n   <edXML:MessageHeader>\n    <edXML:From>\n");
    let mut put = |indent: &str, name: &str, v: Option<&str>| {
        if let Some(v) = v {
            x.push_str(&format!("{indent}<edXML:{name}>{v}</edXML:{name}>\n"));
        }
    };
    put("     ", "OrganId", Some(from_id));
    put("     ", "OrganizationInCharge", from_name);
    put("     ", "OrganName", from_name);
    x.push_str("    </edXML:From>\n");
    if rf_organ.is_some() || rf_doc.is_some() {
        x.push_str("    <edXML:ResponseFor>\n");
        let mut put = |name: &str, v: Option<&str>| {
            if let Some(v) = v {
                x.push_str(&format!("     <edXML:{name}>{v}</edXML:{name}>\n"));
            }
        };
        put("OrganId", rf_organ);
        put("Code", rf_code);
        put("DocumentId", rf_doc);
        put("PromulgationDate", rf_date);
        x.push_str("    </edXML:ResponseFor>\n");
    }
    let mut put = |name: &str, v: Option<&str>| {
        if let Some(v) = v {
            x.push_str(&format!("    <edXML:{name}>{v}</edXML:{name}>\n"));
        }
    };
    put("StatusCode", Some(code));
    put("Description", leaf(status, "Description"));
    put("Timestamp", leaf(status, "Timestamp"));
    x.push_str(
        "   </edXML:MessageHeader>\n  </edXML:edXMLHeader>\n </edXML:edXMLEnvelope>\n</edXML>\n",
    );
    Some(x.into_bytes())
}

/// Migration 11: rewrites the status packages in `sync_outbox` that were never handed to the
/// hub (pending, no attempt yet). One already tried may be on the hub under its message id, and
/// a different body under the same id would be refused as a conflict: those stay as they are.
/// New bodies go into the blob store before the rows naming them change, so a row never
/// points at a missing body; the old blobs are left in place (content-addressed, harmless).
pub(crate) fn migrate_v11(tx: &Transaction<'_>) -> Result<()> {
    let rows: Vec<(i64, String)> = tx
        .prepare(
            "SELECT seq, sha256 FROM sync_outbox
             WHERE op = 'status' AND state = 'pending' AND attempts = 0 ORDER BY seq",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Ok(());
    }
    let Some(db) = tx.path().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let Some(dir) = std::path::Path::new(db).parent() else {
        return Ok(());
    };
    let blobs = BlobStore::open(dir.join("blobs"))?;
    let mut upgraded = 0;
    for (seq, sha) in rows {
        if !blobs.contains(&sha) {
            continue;
        }
        let Some(new) = upgrade_status_body(&blobs.read(&sha)?) else {
            continue;
        };
        let stored = blobs.put_bytes(&new)?;
        tx.execute(
            "UPDATE sync_outbox SET sha256 = ?1, size = ?2 WHERE seq = ?3",
            params![stored.sha256, stored.size as i64, seq],
        )?;
        upgraded += 1;
    }
    tracing::info!(
        upgraded,
        "status packages rewritten in the official edXML form"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exactly what vanthu ≤ this migration queued (crates/sync/src/status.rs then).
    pub(crate) const OLD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
   <edXML:Status>
    <edXML:ResponseFor>
     <edXML:OrganId>000.00.00.H34</edXML:OrganId>
     <edXML:DocumentId>000.00.00.H34,2024/03/05,412/UBND-HCTC</edXML:DocumentId>
    </edXML:ResponseFor>
    <edXML:From>
     <edXML:OrganId>000.00.00.G22</edXML:OrganId>
     <edXML:OrganName>Văn phòng &lt;Chính phủ&gt; &amp; co</edXML:OrganName>
    </edXML:From>
    <edXML:StatusCode>04</edXML:StatusCode>
    <edXML:Description>Phân công</edXML:Description>
    <edXML:Timestamp>2024/03/06 14:49:25</edXML:Timestamp>
   </edXML:Status>
  </edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>
"#;

    #[test]
    fn rewrites_the_old_template() {
        let new = String::from_utf8(upgrade_status_body(OLD.as_bytes()).unwrap()).unwrap();
        assert!(!new.contains("<edXML:Status>"));
        let header = section(&new, "MessageHeader").unwrap();
        let from = section(header, "From").unwrap();
        assert_eq!(leaf(from, "OrganId"), Some("000.00.00.G22"));
        assert_eq!(
            leaf(from, "OrganName"),
            Some("Văn phòng &lt;Chính phủ&gt; &amp; co")
        );
        let rf = section(header, "ResponseFor").unwrap();
        assert_eq!(leaf(rf, "Code"), Some("412/UBND-HCTC"));
        assert_eq!(leaf(rf, "PromulgationDate"), Some("2024/03/05"));
        assert_eq!(leaf(header, "StatusCode"), Some("04"));
        assert_eq!(leaf(header, "Timestamp"), Some("2024/03/06 14:49:25"));
        // In the official order.
        let pos = |n: &str| new.find(&format!("<edXML:{n}>")).unwrap();
        assert!(pos("From") < pos("ResponseFor"));
        assert!(pos("ResponseFor") < pos("StatusCode"));
        assert!(pos("StatusCode") < pos("Description"));
        assert!(pos("Description") < pos("Timestamp"));
    }

    #[test]
    fn leaves_other_bodies_alone() {
        assert_eq!(upgrade_status_body(b"{\"json\": true}"), None);
        let official = OLD.replace("edXML:Status>", "edXML:MessageHeader>");
        assert_eq!(upgrade_status_body(official.as_bytes()), None);
        // An id not in the government form is carried without Code/date.
        let other = OLD.replace("000.00.00.H34,2024/03/05,412/UBND-HCTC", "msg-17");
        let new = String::from_utf8(upgrade_status_body(other.as_bytes()).unwrap()).unwrap();
        assert!(new.contains("<edXML:DocumentId>msg-17</edXML:DocumentId>"));
        assert!(!new.contains("<edXML:Code>"));
    }
}
