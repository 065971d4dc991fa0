//! The data carried by edXML packages and status messages (edxml.md §2, §3, §6).
//! Every text field is in the canonical form of [`crate::text::normalize_text`]; absent and
//! empty are the same (`None`).
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// `From`, `To` and the status `From`: an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Organization {
    /// `OrganId`: the agency code (`000.00.00.H34` form, not validated here).
    pub organ_id: Option<String>,
    /// `OrganizationInCharge` (also read as `OrganInCharge`): a name in practice.
    pub organ_in_charge: Option<String>,
    /// `OrganName`: full name of the organisation.
    pub organ_name: Option<String>,
    /// `OrganAdd`: postal address.
    pub organ_add: Option<String>,
    /// Contact e-mail address.
    pub email: Option<String>,
    /// Contact telephone number.
    pub telephone: Option<String>,
    /// Contact fax number.
    pub fax: Option<String>,
    /// Organisation website.
    pub website: Option<String>,
}

/// `Code`: số (`CodeNumber`, kept as text: real senders put letters in it) and ký hiệu.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocCode {
    /// `CodeNumber`: số of the document.
    pub number: Option<String>,
    /// `CodeNotation`: ký hiệu of the document.
    pub notation: Option<String>,
}

/// `Promulgation`: where and when the document was issued.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Promulgation {
    /// `PlaceOfPromulgation`: địa danh.
    pub place: Option<String>,
    /// `PromulgationDate`: ngày ban hành.
    pub date: Option<NaiveDate>,
}

/// `DocumentType`: `TypeName` is authoritative, `Type` is an unreliable numeric code.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentKind {
    /// `Type`: numeric type code, unreliable across senders.
    pub type_code: Option<u32>,
    /// `TypeDetail`: numeric sub-type code.
    pub type_detail: Option<u32>,
    /// `TypeName`: tên loại văn bản, the authoritative kind.
    pub type_name: Option<String>,
}

/// `SignerInfo`: who signed the document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Signer {
    /// `Competence`: thẩm quyền (e.g. TM., KT., TL.).
    pub competence: Option<String>,
    /// `Position`: chức vụ of the signer.
    pub position: Option<String>,
    /// `FullName` of the signer.
    pub full_name: Option<String>,
}

/// `OtherInfo`: priority, scope, copies and other optional document facts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OtherInfo {
    /// 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
    pub priority: Option<u8>,
    /// `SphereOfPromulgation`: phạm vi ban hành.
    pub sphere_of_promulgation: Option<String>,
    /// `TyperNotation`: ký hiệu người đánh máy.
    pub typer_notation: Option<String>,
    /// `PromulgationAmount`: số bản phát hành.
    pub promulgation_amount: Option<u32>,
    /// `PageAmount`: number of pages.
    pub page_amount: Option<u32>,
    /// `Direction` flag of the standard (read from `true`/`1`), written only when present.
    pub direction: Option<bool>,
    /// `Appendixes`: names of the phụ lục.
    pub appendixes: Vec<String>,
}

/// `ResponseFor`: in a document package, the document(s) answered; in a status message, the
/// document the status is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResponseFor {
    /// `OrganId` of the agency that issued the referenced document.
    pub organ_id: Option<String>,
    /// `number/notation` as one string.
    pub code: Option<String>,
    /// Promulgation date of the referenced document.
    pub promulgation_date: Option<NaiveDate>,
    /// `DocumentId` of the referenced document, when the sender gave it.
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

    /// True when no field identifies a document (the element can be omitted).
    pub fn is_empty(&self) -> bool {
        self.organ_id.is_none()
            && self.code.is_none()
            && self.promulgation_date.is_none()
            && self.document_id.is_none()
    }
}

/// One `TraceHeader`: an agency the package passed through, and when.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TraceHeader {
    /// Agency code of the hop.
    pub organ_id: Option<String>,
    /// When the hop handled the package.
    pub timestamp: Option<DateTime<FixedOffset>>,
}

/// `StaffInfo`: the clerk or unit to contact about a document or status.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StaffInfo {
    /// Department (phòng, ban) of the contact.
    pub department: Option<String>,
    /// Name of the contact person.
    pub staff: Option<String>,
    /// Mobile phone of the contact.
    pub mobile: Option<String>,
    /// E-mail of the contact.
    pub email: Option<String>,
}

impl StaffInfo {
    /// True when no contact field is set (the element can be omitted).
    pub fn is_empty(&self) -> bool {
        self.department.is_none()
            && self.staff.is_none()
            && self.mobile.is_none()
            && self.email.is_none()
    }
}

/// A `ReceiverList` entry of an update: an agency added to or removed from the recipients.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Receiver {
    /// 0 = removed from recipients, 1 = added.
    pub receiver_type: Option<u8>,
    /// Agency code of the recipient.
    pub organ_id: Option<String>,
}

/// A `ReplacementInfo` entry: the document replaced and the agencies it was sent to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Replacement {
    /// `DocumentId` of the replaced document.
    pub document_id: Option<String>,
    /// Agency codes that received the replaced document.
    pub organ_ids: Vec<String>,
}

/// `Bussiness` (sic): what the package does to a document (new / revoke / update / replace).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Business {
    /// `DocumentId` of the document the business applies to.
    pub document_id: Option<String>,
    /// 0 new, 1 revoke, 2 update, 3 replace.
    pub doc_type: Option<u8>,
    /// Why the document is revoked, updated or replaced.
    pub reason: Option<String>,
    /// `Paper`: whether a paper copy is also sent, kept as the number sent.
    pub paper: Option<u8>,
    /// Who to contact about this business.
    pub staff: Option<StaffInfo>,
    /// `DocumentInfo` flag of an update (the document's information changed), kept as sent.
    pub document_info: Option<u8>,
    /// `DocumentReceiver` flag of an update (the recipient list changed), kept as sent.
    pub document_receiver: Option<u8>,
    /// Recipients added or removed by an update.
    pub receivers: Vec<Receiver>,
    /// Documents replaced by this one.
    pub replacements: Vec<Replacement>,
}

/// `MessageHeader` plus the `TraceHeaderList` of a document package.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Header {
    /// The sending organisation.
    pub from: Organization,
    /// The recipient organisations.
    pub to: Vec<Organization>,
    /// `DocumentId`: the sender's identifier of the document.
    pub document_id: Option<String>,
    /// Số and ký hiệu.
    pub code: DocCode,
    /// Place and date of issue.
    pub promulgation: Promulgation,
    /// Tên loại and type codes.
    pub document_type: DocumentKind,
    /// `Subject`: trích yếu.
    pub subject: Option<String>,
    /// `Content`: body text, when the sender puts it in the header.
    pub content: Option<String>,
    /// Who signed the document.
    pub signer: Signer,
    /// `DueDate`: hạn xử lý.
    pub due_date: Option<NaiveDate>,
    /// `ToPlaces`: nơi nhận as printed on the document.
    pub to_places: Vec<String>,
    /// Priority, scope and other optional facts.
    pub other_info: Option<OtherInfo>,
    /// `SteeringType`: chỉ đạo điều hành code, kept as the number sent.
    pub steering_type: Option<u8>,
    /// Documents this one answers.
    pub response_for: Vec<ResponseFor>,
    /// Agencies the package passed through.
    pub trace: Vec<TraceHeader>,
    /// What the package does to a document (new, revoke, update, replace).
    pub business: Option<Business>,
}

/// Manifest `Reference` / `Attachment` metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// Without the `cid:` prefix.
    pub content_id: Option<String>,
    /// File name as the sender gave it.
    pub name: Option<String>,
    /// MIME type as the sender gave it.
    pub content_type: Option<String>,
    /// Free-text description of the attachment.
    pub description: Option<String>,
}

/// A status message (edxml.md §6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusMessage {
    /// The document the status is about.
    pub response_for: ResponseFor,
    /// The organisation reporting the status.
    pub from: Organization,
    /// Two-digit code, kept verbatim ("01".."06", "13", "15", "16", or anything a sender uses).
    pub status_code: String,
    /// Free-text explanation of the status.
    pub description: Option<String>,
    /// When the status was reached.
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// Who to contact about the status.
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
