//! A minimal edXML status package writer (edxml.md §6, §8), used until the edxml crate
//! provides the full writer. Text is XML-escaped; timestamps are UTC+7 without a zone, as
//! the SDK samples write them.
use chrono::{FixedOffset, TimeZone};

pub struct StatusInfo<'a> {
    pub response_for_organ: &'a str,
    pub response_for_document_id: &'a str,
    pub from_organ: &'a str,
    pub from_name: &'a str,
    pub code: &'a str,
    pub description: &'a str,
    pub timestamp_ms: i64,
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

pub fn edxml_timestamp(ms: i64) -> String {
    let tz = FixedOffset::east_opt(7 * 3600).expect("valid offset");
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y/%m/%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

pub fn status_package(s: &StatusInfo<'_>) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
   <edXML:Status>
    <edXML:ResponseFor>
     <edXML:OrganId>{rf_organ}</edXML:OrganId>
     <edXML:DocumentId>{rf_doc}</edXML:DocumentId>
    </edXML:ResponseFor>
    <edXML:From>
     <edXML:OrganId>{from}</edXML:OrganId>
     <edXML:OrganName>{name}</edXML:OrganName>
    </edXML:From>
    <edXML:StatusCode>{code}</edXML:StatusCode>
    <edXML:Description>{desc}</edXML:Description>
    <edXML:Timestamp>{ts}</edXML:Timestamp>
   </edXML:Status>
  </edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>
"#,
        rf_organ = escape(s.response_for_organ),
        rf_doc = escape(s.response_for_document_id),
        from = escape(s.from_organ),
        name = escape(s.from_name),
        code = escape(s.code),
        desc = escape(s.description),
        ts = edxml_timestamp(s.timestamp_ms),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_escaped_status() {
        let x = status_package(&StatusInfo {
            response_for_organ: "000.00.00.H34",
            response_for_document_id: "000.00.00.H34,2024/03/05,412/UBND-HCTC",
            from_organ: "000.00.00.G22",
            from_name: "Văn phòng <Chính phủ> & co",
            code: "04",
            description: "Phân công",
            timestamp_ms: 1_709_711_365_000, // 2024-03-06 07:49:25 UTC
        });
        assert!(x.contains("<edXML:StatusCode>04</edXML:StatusCode>"));
        assert!(x.contains("Văn phòng &lt;Chính phủ&gt; &amp; co"));
        assert!(x.contains("<edXML:Timestamp>2024/03/06 14:49:25</edXML:Timestamp>"));
    }
}
