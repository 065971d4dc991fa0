//! The data carried by edXML packages and status messages (edxml.md §2, §3, §6).
//! Every text field is in the canonical form of [`crate::text::normalize_text`]; absent and
//! empty are the same (`None`).
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// `From`, `To` and the status `From`: an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Organization {
    pub organ_id: Option<String>,
    /// `OrganizationInCharge` (also read as `OrganInCharge`): a name in practice.
    pub organ_in_charge: Option<String>,
    pub organ_name: Option<String>,
    pub organ_add: Option<String>,
    pub email: Option<String>,
    pub telephone: Option<String>,
    pub fax: Option<String>,
    pub website: Option<String>,
}

/// `Code`: số (`CodeNumber`, kept as text: real senders put letters in it) and ký hiệu.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocCode {
    pub number: Option<String>,
    pub notation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Promulgation {
    pub place: Option<String>,
    pub date: Option<NaiveDate>,
}

/// `DocumentType`: `TypeName` is authoritative, `Type` is an unreliable numeric code.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentKind {
    pub type_code: Option<u32>,
    pub type_detail: Option<u32>,
    pub type_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Signer {
    pub competence: Option<String>,
    pub position: Option<String>,
    pub full_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OtherInfo {
    /// 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
    pub priority: Option<u8>,
    pub sphere_of_promulgation: Option<String>,
    pub typer_notation: Option<String>,
    pub promulgation_amount: Option<u32>,
    pub page_amount: Option<u32>,
    pub direction: Option<bool>,
    pub appendixes: Vec<String>,
}

/// `ResponseFor`: in a document package, the document(s) answered; in a status message, the
/// document the status is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResponseFor {
    pub organ_id: Option<String>,
    /// `number/notation` as one string.
    pub code: Option<String>,
    pub promulgation_date: Option<NaiveDate>,
    pub document_id: Option<String>,
}

impl ResponseFor {
    /// The `ResponseFor` of a status about the document with this `DocumentId`, sent by
    /// `sender`: when the id has the government SDK form `<OrganId>,<yyyy/MM/dd>,<số/ký
    /// hiệu>` the code and date come from it (a status names the document by all four fields,
    /// as the official library writes them); any other id is carried as it is.
    pub fn for_document_id(sender: Option<&str>, document_id: &str) -> ResponseFor {
        let mut rf = ResponseFor {
            organ_id: sender.and_then(crate::text::normalize_text),
            document_id: crate::text::normalize_text(document_id),
            ..ResponseFor::default()
        };
        let parts: Vec<&str> = document_id.splitn(3, ',').map(str::trim).collect();
        if let [organ, date, code] = parts[..] {
            if let Some(d) = crate::dates::parse_date(date) {
                if !code.is_empty() {
                    rf.promulgation_date = Some(d);
                    rf.code = crate::text::normalize_notation(code);
                    if rf.organ_id.is_none() {
                        rf.organ_id = crate::text::normalize_text(organ);
                    }
                }
            }
        }
        rf
    }

    pub fn is_empty(&self) -> bool {
        self.organ_id.is_none()
            && self.code.is_none()
            && self.promulgation_date.is_none()
            && self.document_id.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TraceHeader {
    pub organ_id: Option<String>,
    pub timestamp: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StaffInfo {
    pub department: Option<String>,
    pub staff: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
}

impl StaffInfo {
    pub fn is_empty(&self) -> bool {
        self.department.is_none()
            && self.staff.is_none()
            && self.mobile.is_none()
            && self.email.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Receiver {
    /// 0 = removed from recipients, 1 = added.
    pub receiver_type: Option<u8>,
    pub organ_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Replacement {
    pub document_id: Option<String>,
    pub organ_ids: Vec<String>,
}

/// `Bussiness` (sic): what the package does to a document (new / revoke / update / replace).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Business {
    pub document_id: Option<String>,
    /// 0 new, 1 revoke, 2 update, 3 replace.
    pub doc_type: Option<u8>,
    pub reason: Option<String>,
    pub paper: Option<u8>,
    pub staff: Option<StaffInfo>,
    pub document_info: Option<u8>,
    pub document_receiver: Option<u8>,
    pub receivers: Vec<Receiver>,
    pub replacements: Vec<Replacement>,
}

/// `MessageHeader` plus the `TraceHeaderList` of a document package.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Header {
    pub from: Organization,
    pub to: Vec<Organization>,
    pub document_id: Option<String>,
    pub code: DocCode,
    pub promulgation: Promulgation,
    pub document_type: DocumentKind,
    pub subject: Option<String>,
    pub content: Option<String>,
    pub signer: Signer,
    pub due_date: Option<NaiveDate>,
    pub to_places: Vec<String>,
    pub other_info: Option<OtherInfo>,
    pub steering_type: Option<u8>,
    pub response_for: Vec<ResponseFor>,
    pub trace: Vec<TraceHeader>,
    pub business: Option<Business>,
}

/// Manifest `Reference` / `Attachment` metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// Without the `cid:` prefix.
    pub content_id: Option<String>,
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub description: Option<String>,
}

/// A status message (edxml.md §6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusMessage {
    pub response_for: ResponseFor,
    pub from: Organization,
    /// Two-digit code, kept verbatim ("01".."06", "13", "15", "16", or anything a sender uses).
    pub status_code: String,
    pub description: Option<String>,
    pub timestamp: Option<DateTime<FixedOffset>>,
    pub staff: Option<StaffInfo>,
}

/// The `ResponseFor` of a status answering the package with this header (statuses.md §1.3:
/// copied verbatim from the received package).
pub fn response_for_package(h: &Header) -> ResponseFor {
    let code = match (&h.code.number, &h.code.notation) {
        (Some(n), Some(t)) => Some(format!("{n}/{t}")),
        (n, t) => n.clone().or_else(|| t.clone()),
    };
    ResponseFor {
        organ_id: h.from.organ_id.clone(),
        code,
        promulgation_date: h.promulgation.date,
        document_id: h.document_id.clone(),
    }
}
