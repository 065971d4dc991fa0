//! What a relay point needs to know about a package without reading it: the sending
//! organisation (`From/OrganId`) and any secrecy marking in the header. Used where a package
//! passes through rather than arrives: the hub, before it stores an upload, and the engine and
//! the transport, before a raw file is queued or sent (docs/sync.md, "Who may say what").
//!
//! QCVN 102:2016 has no độ mật element (edxml.md §2.1): secret documents must not travel at
//! all. A package may still carry a marking put there by another system or by hand, and such a
//! marking must stop it, whatever the transport's `X-Secrecy` header says. Recognised:
//! * any header element named like a secrecy level (`Secrecy`, `SecrecyLevel`,
//!   `SecurityLevel`, `SecretLevel`, `Confidentiality`, `DoMat`), any case, any namespace
//!   (not SOAP's `Security`, which holds credentials); a value that is not a known level counts as mật
//!   (fail closed);
//! * `OtherInfo/SphereOfPromulgation` (phạm vi lưu hành) when one of its parts
//!   (separated by `,;/()-`) is a level: `Mật`, `Tối mật`, `Tuyệt mật` or `Độ mật: …`.
//!
//! The scan is bounded and resolves nothing: it reads at most [`MAX_SCAN`] bytes, stops at the
//! end of the header (the body and the attachments are never looked at), refuses a DTD, and
//! reads entity references only as the five predefined ones and character references.
use quick_xml::events::Event;
use quick_xml::Reader;
use vanthu_domain::Secrecy;

/// How much of a package the scan reads at most. Headers are a few kilobytes; a header that
/// does not end within this is refused rather than half-checked.
pub const MAX_SCAN: usize = 4 << 20;

/// What the header of a package says about its sender and secrecy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderFacts {
    /// `From/OrganId` of the package (or of the status message).
    pub from_organ_id: Option<String>,
    /// `MessageHeader/DocumentId` of a document package: what a VXP axis relates statuses
    /// and revisions by.
    pub document_id: Option<String>,
    /// The highest secrecy level marked anywhere in the header (`None`: no marking).
    pub secrecy: Option<Secrecy>,
    /// Where the marking was found (`MessageHeader/OtherInfo/SphereOfPromulgation = Mật`).
    pub secrecy_source: Option<String>,
}

impl HeaderFacts {
    /// True when the header marks the package mật or above.
    pub fn is_secret(&self) -> bool {
        self.secrecy.is_some_and(|s| !s.may_send_over_hub())
    }
}

/// Why a body could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    /// The header part is too large to inspect.
    #[error("phần đầu gói tin vượt quá 4 MiB, không kiểm tra được / package header larger than 4 MiB, cannot be checked")]
    TooLarge,
    /// The body declares a DTD.
    #[error("gói tin có DTD (không được phép) / package has a DTD (not allowed)")]
    Doctype,
    #[error(
        "gói tin XML hỏng, không kiểm tra được / malformed XML package, cannot be checked: {0}"
    )]
    /// The XML is broken (parser message).
    Malformed(String),
}

const SECRECY_NAMES: &[&str] = &[
    "secrecy",
    "secrecylevel",
    "securitylevel",
    "secretlevel",
    "confidentiality",
    "domat",
];

/// Elements after which nothing of the header follows.
const BODY_NAMES: &[&str] = &["edXMLBody", "Body", "AttachmentEncoded"];
const HEADER_NAMES: &[&str] = &["MessageHeader", "Header", "edXMLHeader", "Status"];

/// Scans `body`. `Ok(None)`: not XML at all (an internal JSON package, for instance), nothing
/// to say. UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark.
pub fn header_facts(body: &[u8]) -> Result<Option<HeaderFacts>, FactsError> {
    let truncated = body.len() > MAX_SCAN;
    let head = &body[..body.len().min(MAX_SCAN)];
    let result = match head {
        [0xFF, 0xFE, rest @ ..] => scan(std::io::BufReader::new(crate::utf16::Utf16ToUtf8::new(
            rest, false,
        ))),
        [0xFE, 0xFF, rest @ ..] => scan(std::io::BufReader::new(crate::utf16::Utf16ToUtf8::new(
            rest, true,
        ))),
        _ => {
            let rest = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
            let first = rest.iter().find(|b| !b.is_ascii_whitespace());
            if first != Some(&b'<') {
                return Ok(None);
            }
            scan(rest)
        }
    };
    match result {
        Ok(Scan::Done(f)) => Ok(Some(f)),
        // The input ran out before the header ended: the whole body when it was shorter
        // than the bound (a document without our header: nothing marked), the bound otherwise.
        Ok(Scan::Eof(_)) | Err(FactsError::Malformed(_)) if truncated => Err(FactsError::TooLarge),
        Ok(Scan::Eof(f)) => Ok(Some(f)),
        Err(e) => Err(e),
    }
}

enum Scan {
    /// The header ended (or the body began).
    Done(HeaderFacts),
    /// End of input first.
    Eof(HeaderFacts),
}

fn local(name: &[u8]) -> String {
    let n = match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(n).into_owned()
}

fn scan<R: std::io::BufRead>(input: R) -> Result<Scan, FactsError> {
    let mut xml = Reader::from_reader(input);
    xml.config_mut().check_end_names = false;
    let mut facts = HeaderFacts::default();
    let mut stack: Vec<String> = Vec::new();
    // Text of the element being read, when it is one we look at.
    let mut text: Option<String> = None;
    let mut buf = Vec::new();
    let malformed = |e: quick_xml::Error| FactsError::Malformed(e.to_string());
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(malformed)? {
            Event::DocType(_) => return Err(FactsError::Doctype),
            Event::Start(e) => {
                let name = local(e.name().as_ref());
                if BODY_NAMES.contains(&name.as_str()) {
                    return Ok(Scan::Done(facts));
                }
                stack.push(name);
                text = wanted(&stack, &facts).then(String::new);
            }
            Event::Empty(e) => {
                let name = local(e.name().as_ref());
                if BODY_NAMES.contains(&name.as_str()) {
                    return Ok(Scan::Done(facts));
                }
            }
            Event::Text(t) => {
                if let Some(s) = text.as_mut() {
                    s.push_str(&String::from_utf8_lossy(&t.into_inner()));
                }
            }
            Event::CData(c) => {
                if let Some(s) = text.as_mut() {
                    s.push_str(&String::from_utf8_lossy(&c.into_inner()));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(s) = text.as_mut() {
                    // Character references and the five predefined entities only: nothing is
                    // ever resolved from a DTD (there is none: refused above).
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        s.push(c);
                    } else {
                        match &*r {
                            b"amp" => s.push('&'),
                            b"lt" => s.push('<'),
                            b"gt" => s.push('>'),
                            b"quot" => s.push('"'),
                            b"apos" => s.push('\''),
                            _ => {}
                        }
                    }
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    continue;
                };
                if let Some(t) = text.take() {
                    record(&mut facts, &stack, &name, &t);
                }
                if HEADER_NAMES.contains(&name.as_str()) {
                    return Ok(Scan::Done(facts));
                }
            }
            Event::Eof => return Ok(Scan::Eof(facts)),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

/// Whether the text of the element on top of `stack` matters.
fn wanted(stack: &[String], facts: &HeaderFacts) -> bool {
    let Some(name) = stack.last() else {
        return false;
    };
    let parent = stack.len().checked_sub(2).map(|i| stack[i].as_str());
    (name == "OrganId" && parent == Some("From") && facts.from_organ_id.is_none())
        || (name == "DocumentId" && parent == Some("MessageHeader") && facts.document_id.is_none())
        || (name == "SphereOfPromulgation" && parent == Some("OtherInfo"))
        || SECRECY_NAMES.contains(&name.to_ascii_lowercase().as_str())
}

fn record(facts: &mut HeaderFacts, parents: &[String], name: &str, text: &str) {
    let text = crate::text::normalize_text(text).unwrap_or_default();
    let parent = parents.last().map(String::as_str);
    if name == "OrganId" && parent == Some("From") {
        if facts.from_organ_id.is_none() && !text.is_empty() {
            facts.from_organ_id = Some(text);
        }
        return;
    }
    if name == "DocumentId" && parent == Some("MessageHeader") {
        if facts.document_id.is_none() && !text.is_empty() {
            facts.document_id = Some(text);
        }
        return;
    }
    let level = if name == "SphereOfPromulgation" {
        sphere_level(&text)
    } else if text.is_empty() {
        None
    } else {
        // Anything but a known level counts as mật: an unreadable marking is not "thường".
        Some(text.parse::<Secrecy>().unwrap_or(Secrecy::Confidential))
    };
    let Some(level) = level.filter(|l| l.is_secret()) else {
        return;
    };
    if facts.secrecy.is_none_or(|s| rank(level) > rank(s)) {
        facts.secrecy = Some(level);
        let mut path = parents.join("/");
        path.push('/');
        path.push_str(name);
        facts.secrecy_source = Some(format!("{path} = {text}"));
    }
}

fn rank(s: Secrecy) -> u8 {
    match s {
        Secrecy::Normal => 0,
        Secrecy::Confidential => 1,
        Secrecy::Secret => 2,
        Secrecy::TopSecret => 3,
    }
}

/// A secrecy level named by one part of a phạm vi lưu hành (`Mật`, `Tối mật - Lưu hành nội
/// bộ`, `Độ mật: Mật`); ordinary scopes (`Lưu hành nội bộ`) and words that merely contain
/// "mật" (`bảo vệ bí mật`) are not.
fn sphere_level(text: &str) -> Option<Secrecy> {
    text.split([',', ';', '/', '(', ')', '-', '–'])
        .filter_map(|part| {
            let p = part.trim();
            let p = p
                .split_once(':')
                .filter(|(k, _)| vanthu_domain::text::nfc(k.trim()).to_lowercase() == "độ mật")
                .map(|(_, v)| v.trim())
                .unwrap_or(p);
            let folded = vanthu_domain::text::nfc(p).to_lowercase();
            matches!(folded.as_str(), "mật" | "tối mật" | "tuyệt mật")
                .then(|| p.parse::<Secrecy>().ok())
                .flatten()
        })
        .max_by_key(|s| rank(*s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(header_extra: &str, other_info: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXMLHeader><MessageHeader>
  <From><OrganId>000.01.20.H34</OrganId><OrganName>Sở Nội vụ</OrganName></From>
  <To><OrganId>000.00.00.H34</OrganId></To>
  <ResponseFor><OrganId>000.99.99.Z99</OrganId><DocumentId>other</DocumentId></ResponseFor>
  <DocumentId>000.01.20.H34,2026/12/07,7/SNV-VP</DocumentId>
  <Subject>V/v bảo vệ bí mật nhà nước</Subject>
  <OtherInfo><Priority>0</Priority>{other_info}</OtherInfo>{header_extra}
 </MessageHeader></edXMLHeader>
 <edXMLBody><SecurityLevel>3</SecurityLevel></edXMLBody>
</edXMLEnvelope>"#
        )
        .into_bytes()
    }

    #[test]
    fn plain_package() {
        let f = header_facts(&pkg(
            "",
            "<SphereOfPromulgation>Lưu hành nội bộ</SphereOfPromulgation>",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(f.from_organ_id.as_deref(), Some("000.01.20.H34"));
        // The package's own DocumentId, not the one it answers.
        assert_eq!(
            f.document_id.as_deref(),
            Some("000.01.20.H34,2026/12/07,7/SNV-VP")
        );
        assert_eq!(f.secrecy, None, "{f:?}");
        assert!(!f.is_secret());
    }

    #[test]
    fn markings() {
        let f = header_facts(&pkg(
            "",
            "<SphereOfPromulgation>Mật - Lưu hành nội bộ</SphereOfPromulgation>",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(f.secrecy, Some(Secrecy::Confidential));
        assert!(f.secrecy_source.unwrap().contains("SphereOfPromulgation"));
        let f = header_facts(&pkg(
            "<vx:SecurityLevel xmlns:vx=\"urn:x\">Tuyệt mật</vx:SecurityLevel>",
            "",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(f.secrecy, Some(Secrecy::TopSecret));
        // An unknown value fails closed; thường does not mark anything.
        let f = header_facts(&pkg("<DoMat>B</DoMat>", "")).unwrap().unwrap();
        assert_eq!(f.secrecy, Some(Secrecy::Confidential));
        let f = header_facts(&pkg("<Secrecy>thường</Secrecy>", ""))
            .unwrap()
            .unwrap();
        assert_eq!(f.secrecy, None);
        let f = header_facts(&pkg(
            "",
            "<SphereOfPromulgation>Độ mật: Tối mật</SphereOfPromulgation>",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(f.secrecy, Some(Secrecy::Secret));
    }

    #[test]
    fn utf16_and_not_xml() {
        let text = String::from_utf8(pkg("<Secrecy>mật</Secrecy>", "")).unwrap();
        let mut le = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let f = header_facts(&le).unwrap().unwrap();
        assert_eq!(f.secrecy, Some(Secrecy::Confidential));
        assert_eq!(f.from_organ_id.as_deref(), Some("000.01.20.H34"));
        assert_eq!(header_facts(b"{\"kind\":\"submission\"}").unwrap(), None);
    }

    #[test]
    fn hostile_inputs_are_bounded() {
        let dtd = b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"Mat\">]><x><Secrecy>&e;</Secrecy></x>";
        assert_eq!(header_facts(dtd), Err(FactsError::Doctype));
        // A header that never ends within the bound is refused, not half-checked.
        let mut big = b"<edXMLEnvelope><edXMLHeader><MessageHeader><Subject>".to_vec();
        big.resize(MAX_SCAN + 10, b'a');
        assert_eq!(header_facts(&big), Err(FactsError::TooLarge));
        // A marking in the body is not the header's (the scan stops at the body).
        let f = header_facts(&pkg("", "")).unwrap().unwrap();
        assert_eq!(f.secrecy, None);
        // Entity references are read as the predefined ones only.
        let f = header_facts(b"<x><From><OrganId>A&amp;B&#x41;&unknown;</OrganId></From></x>")
            .unwrap()
            .unwrap();
        assert_eq!(f.from_organ_id.as_deref(), Some("A&BA"));
    }
}
