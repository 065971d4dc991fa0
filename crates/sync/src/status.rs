//! The status packages the engine and the bridge send (01 on arrival; 02–06, 15, 16 from the
//! registry's transitions): written by `vanthu_edxml::write_status`, in the form the official
//! edXML library writes and reads (docs/national-axis.md). Timestamps are the time of the
//! transition, written in Vietnam time without a zone as the library does.
use chrono::{DateTime, FixedOffset, TimeZone};
use vanthu_edxml as ed;

/// What a status package says, and about which document.
pub struct StatusInfo<'a> {
    /// The document's sender (`ResponseFor/OrganId`).
    pub response_for_organ: &'a str,
    /// The document's edXML `DocumentId` (or, lacking one, the hub message id).
    pub response_for_document_id: &'a str,
    /// Agency code of the unit reporting the status.
    pub from_organ: &'a str,
    /// Name of the unit reporting the status.
    pub from_name: &'a str,
    /// Two-digit status code (`01`..`06`, `15`, `16`).
    pub code: &'a str,
    /// Free-text explanation of the status.
    pub description: &'a str,
    /// When the transition happened.
    pub timestamp: DateTime<FixedOffset>,
    /// The person whose action the status reports (`StaffInfo/Staff`), when known.
    pub staff: Option<&'a str>,
}

/// `ms` since the epoch in Vietnam time.
pub fn vn_time(ms: i64) -> DateTime<FixedOffset> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("valid offset");
    tz.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| tz.timestamp_opt(0, 0).single().expect("epoch"))
}

/// The status message `s` describes.
pub fn status_message(s: &StatusInfo<'_>) -> ed::StatusMessage {
    let name = ed::text::normalize_text(s.from_name);
    ed::StatusMessage {
        response_for: ed::ResponseFor::for_document_id(
            Some(s.response_for_organ),
            s.response_for_document_id,
        ),
        from: ed::Organization {
            organ_id: ed::text::normalize_text(s.from_organ),
            organ_in_charge: name.clone(),
            organ_name: name,
            ..Default::default()
        },
        status_code: s.code.trim().to_owned(),
        description: ed::text::normalize_text(s.description),
        timestamp: Some(s.timestamp),
        staff: s
            .staff
            .and_then(ed::text::normalize_text)
            .map(|staff| ed::StaffInfo {
                staff: Some(staff),
                ..Default::default()
            }),
    }
}

/// The status package's bytes.
pub fn status_package(s: &StatusInfo<'_>) -> Result<Vec<u8>, ed::Error> {
    let mut out = Vec::with_capacity(1024);
    ed::write_status(&mut out, &status_message(s))?;
    Ok(out)
}

/// The status code a received status package carries, read from its content (either header
/// form); `None` when the body is not a status package.
pub fn code_of(body: &[u8]) -> Option<String> {
    match ed::read_message(body, &ed::ReadOptions::default()) {
        Ok(ed::Message::Status(s)) => Some(s.status.status_code),
        _ => None,
    }
}

/// The description a received status package carries (the reason of a 02, the answer to a
/// recall); `None` when there is none or the body is not a status package.
pub fn description_of(body: &[u8]) -> Option<String> {
    match ed::read_message(body, &ed::ReadOptions::default()) {
        Ok(ed::Message::Status(s)) => s.status.description.filter(|d| !d.trim().is_empty()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(ts: DateTime<FixedOffset>) -> StatusInfo<'static> {
        StatusInfo {
            response_for_organ: "000.00.00.H34",
            response_for_document_id: "000.00.00.H34,2024/03/05,412/UBND-HCTC",
            from_organ: "000.00.00.G22",
            from_name: "Văn phòng <Chính phủ> & co",
            code: "04",
            description: "Phân công",
            timestamp: ts,
            staff: Some("Phạm Minh Châu"),
        }
    }

    #[test]
    fn writes_the_official_header_and_reads_back() {
        let body = status_package(&info(vn_time(1_709_711_365_000))).unwrap(); // 07:49:25 UTC
        let x = String::from_utf8(body.clone()).unwrap();
        assert!(x.contains("<edXML:MessageHeader>"), "{x}");
        assert!(!x.contains("<edXML:Status>"), "{x}");
        assert!(x.contains("Văn phòng &lt;Chính phủ&gt; &amp; co"));
        assert!(x.contains("<edXML:Timestamp>2024/03/06 14:49:25</edXML:Timestamp>"));
        let st = ed::read_status(&body[..], &ed::ReadOptions::default())
            .unwrap()
            .status;
        assert_eq!(st.status_code, "04");
        assert_eq!(st.response_for.organ_id.as_deref(), Some("000.00.00.H34"));
        assert_eq!(st.response_for.code.as_deref(), Some("412/UBND-HCTC"));
        assert_eq!(
            st.response_for.promulgation_date,
            chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
        );
        assert_eq!(
            st.staff.and_then(|s| s.staff).as_deref(),
            Some("Phạm Minh Châu")
        );
        assert_eq!(code_of(&body).as_deref(), Some("04"));
    }

    /// What vanthu queued before (the `edXML:Status` template), after the rewrite of registry
    /// migration 11 / the file queue's upgrade, reads as the message the writer now makes.
    #[test]
    fn upgraded_old_bodies_read_like_new_ones() {
        let i = info(vn_time(1_709_711_365_000));
        let old = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
   <edXML:Status>
    <edXML:ResponseFor>
     <edXML:OrganId>{}</edXML:OrganId>
     <edXML:DocumentId>{}</edXML:DocumentId>
    </edXML:ResponseFor>
    <edXML:From>
     <edXML:OrganId>{}</edXML:OrganId>
     <edXML:OrganName>Văn phòng &lt;Chính phủ&gt; &amp; co</edXML:OrganName>
    </edXML:From>
    <edXML:StatusCode>{}</edXML:StatusCode>
    <edXML:Description>{}</edXML:Description>
    <edXML:Timestamp>2024/03/06 14:49:25</edXML:Timestamp>
   </edXML:Status>
  </edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>
"#,
            i.response_for_organ, i.response_for_document_id, i.from_organ, i.code, i.description
        );
        let new = vanthu_registry::upgrade_status_body(old.as_bytes()).unwrap();
        let read = ed::read_status(&new[..], &ed::ReadOptions::default()).unwrap();
        assert!(
            read.report.warnings.is_empty(),
            "{:?}",
            read.report.warnings
        );
        let mut want = status_message(&i);
        want.staff = None;
        assert_eq!(read.status, want);
    }

    #[test]
    fn code_of_reads_the_old_form_and_refuses_documents() {
        let old = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
            <Status><From><OrganId>000.00.00.G22</OrganId></From><StatusCode>03</StatusCode></Status>
            </edXMLHeader></edXMLEnvelope></edXML>"#;
        assert_eq!(code_of(old.as_bytes()).as_deref(), Some("03"));
        let doc = include_bytes!("../../edxml/tests/data/basic.edxml");
        assert_eq!(code_of(doc), None);
    }
}
