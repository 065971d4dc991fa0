//! From the element tree to packages and status messages: tolerant where real senders differ,
//! strict where it matters (edxml.md §9).
use std::collections::BTreeSet;
use std::io::Read;
use std::str::FromStr;

use tempfile::NamedTempFile;

use crate::dates::{parse_date, parse_timestamp};
use crate::dom::{self, Dom, ReadOptions};
use crate::error::{Error, Result};
use crate::model::*;
use crate::text::{normalize_notation, normalize_text};
use crate::QCVN_NS;

/// Namespaces that real systems use instead of the QCVN one (edxml.md §1): accepted with a
/// warning.
pub const ALTERNATIVE_NAMESPACES: &[&str] = &[
    "http://www.e-doc.vn/Schema/",
    "http://www.e-doc.vn/Schema",
    "http://www.go.vn/eDoc",
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
];
const QUIET_NAMESPACES: &[&str] = &[
    QCVN_NS,
    "http://www.w3.org/2000/09/xmldsig#",
    "http://www.w3.org/1999/xlink",
];

/// An element the reader does not know: kept (path, line, text) and reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExtraElement {
    /// Slash-separated path of the element from the root.
    pub path: String,
    /// Line of the element in the input.
    pub line: u64,
    /// Its text content, when any.
    pub text: Option<String>,
}

/// Package-level XML-DSig signature, as found (not verified: the legally relevant signatures
/// are the PAdES ones inside the PDF).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignatureInfo {
    /// Namespace of the `Signature` element, as found.
    pub namespace: Option<String>,
    /// Line of the `Signature` element.
    pub line: u64,
}

/// What the reader tolerated.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReadReport {
    /// Things that were tolerated but deserve a look, one line each.
    pub warnings: Vec<String>,
    /// Unknown elements kept as they were.
    pub extras: Vec<ExtraElement>,
    /// Some elements had no namespace at all (matched on local names only).
    pub lenient: bool,
    /// The package-level XML-DSig signature, when present.
    pub signature: Option<SignatureInfo>,
}

/// One attachment of a read package.
#[derive(Debug)]
pub struct ReadAttachment {
    /// Metadata from the manifest or the `Attachment` element.
    pub meta: AttachmentMeta,
    /// Decoded size in bytes (0 when missing or broken before any byte).
    pub size: u64,
    /// SHA-256 (hex) of the decoded content; `None` when there was no content.
    pub sha256: Option<String>,
    /// Why the content is unusable (bad base64, no content for a manifest entry...).
    pub broken: Option<String>,
    /// The decoded content starts with the zip magic (the .NET SDK zips attachments).
    pub is_zip: bool,
    /// Listed in the manifest (`false`: an orphan `Attachment`).
    pub in_manifest: bool,
    /// Decoded content, when the read was given an attachment directory.
    pub file: Option<NamedTempFile>,
}

/// A document package as read: header, attachments and what was tolerated.
#[derive(Debug)]
pub struct Package {
    /// `MessageHeader` and trace.
    pub header: Header,
    /// Attachments, in manifest order then orphans.
    pub attachments: Vec<ReadAttachment>,
    /// What the reader tolerated.
    pub report: ReadReport,
}

/// A status message as read, with what was tolerated.
#[derive(Debug)]
pub struct StatusReport {
    /// The status itself.
    pub status: StatusMessage,
    /// What the reader tolerated.
    pub report: ReadReport,
}

/// What a file turned out to be: a document package or a status message.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// A document package.
    Package(Package),
    /// A status message.
    Status(StatusReport),
}

/// Reads a package or a status message.
pub fn read_message<R: Read>(input: R, opts: &ReadOptions) -> Result<Message> {
    let dom = dom::parse(input, opts)?;
    Mapper::new(dom).message()
}

/// Reads a document package (a status message is an error).
pub fn read_package<R: Read>(input: R, opts: &ReadOptions) -> Result<Package> {
    match read_message(input, opts)? {
        Message::Package(p) => Ok(p),
        Message::Status(_) => Err(Error::WrongKind {
            expected: "package",
            found: "status",
        }),
    }
}

/// Reads a status message (a document package is an error).
pub fn read_status<R: Read>(input: R, opts: &ReadOptions) -> Result<StatusReport> {
    match read_message(input, opts)? {
        Message::Status(s) => Ok(s),
        Message::Package(_) => Err(Error::WrongKind {
            expected: "status",
            found: "package",
        }),
    }
}

struct Mapper {
    dom: Dom,
    report: ReadReport,
}

const ORG_FIELDS: &[&str] = &[
    "OrganId",
    "OrganizationInCharge",
    "OrganInCharge",
    "OrganName",
    "OrganAdd",
    "Email",
    "Telephone",
    "Fax",
    "Website",
];
const STAFF_FIELDS: &[&str] = &["Department", "Staff", "Mobile", "Email"];
const RESPONSE_FIELDS: &[&str] = &["OrganId", "Code", "PromulgationDate", "DocumentId"];
const META_FIELDS: &[&str] = &[
    "ContentId",
    "ContentType",
    "Description",
    "AttachmentName",
    CONTENT,
];
const CONTENT: &str = "ContentTransferEncoded";

impl Mapper {
    fn new(dom: Dom) -> Self {
        Mapper {
            dom,
            report: ReadReport::default(),
        }
    }

    fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        tracing::warn!("{w}");
        self.report.warnings.push(w);
    }

    fn line(&self, id: usize) -> u64 {
        self.dom.nodes[id].line
    }

    fn local(&self, id: usize) -> &str {
        &self.dom.nodes[id].local
    }

    fn children(&self, id: usize) -> Vec<usize> {
        self.dom.nodes[id].children.clone()
    }

    fn child(&self, id: usize, names: &[&str]) -> Option<usize> {
        self.dom.nodes[id]
            .children
            .iter()
            .copied()
            .find(|&c| names.contains(&self.local(c)))
    }

    fn children_named(&self, id: usize, names: &[&str]) -> Vec<usize> {
        self.dom.nodes[id]
            .children
            .iter()
            .copied()
            .filter(|&c| names.contains(&self.local(c)))
            .collect()
    }

    fn text_of(&self, id: usize) -> Option<String> {
        normalize_text(&self.dom.nodes[id].text)
    }

    fn text(&self, id: usize, names: &[&str]) -> Option<String> {
        self.child(id, names).and_then(|c| self.text_of(c))
    }

    fn path(&self, id: usize, parent_path: &str) -> String {
        format!("{parent_path}/{}", self.local(id))
    }

    /// Reports children of `id` whose names are not in `known`.
    fn extras(&mut self, id: usize, path: &str, known: &[&str]) {
        for c in self.children(id) {
            if known.contains(&self.local(c)) {
                continue;
            }
            let extra = ExtraElement {
                path: self.path(c, path),
                line: self.line(c),
                text: self.text_of(c),
            };
            self.warn(format!(
                "phần tử không xác định / unknown element {} (dòng / line {})",
                extra.path, extra.line
            ));
            self.report.extras.push(extra);
        }
    }

    fn int<T: FromStr + Default>(&mut self, id: usize, names: &[&str]) -> Option<T> {
        let c = self.child(id, names)?;
        let raw = self.text_of(c)?;
        if let Ok(v) = raw.parse::<T>() {
            return Some(v);
        }
        let digits: String = raw.chars().take_while(|c| c.is_ascii_digit()).collect();
        let v = digits.parse::<T>().unwrap_or_default();
        let line = self.line(c);
        self.warn(format!(
            "giá trị số không hợp lệ / not a number in {} (dòng / line {line}): {raw:?}",
            self.local(c)
        ));
        Some(v)
    }

    fn date(&mut self, id: usize, names: &[&str]) -> Option<chrono::NaiveDate> {
        let c = self.child(id, names)?;
        let raw = self.text_of(c)?;
        let d = parse_date(&raw);
        if d.is_none() {
            let line = self.line(c);
            self.warn(format!(
                "ngày không hợp lệ / invalid date in {} (dòng / line {line}): {raw:?}",
                self.local(c)
            ));
        }
        d
    }

    fn timestamp(
        &mut self,
        id: usize,
        names: &[&str],
    ) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let c = self.child(id, names)?;
        let raw = self.text_of(c)?;
        let t = parse_timestamp(&raw);
        if t.is_none() {
            let line = self.line(c);
            self.warn(format!(
                "thời điểm không hợp lệ / invalid timestamp in {} (dòng / line {line}): {raw:?}",
                self.local(c)
            ));
        }
        t
    }

    fn check_namespaces(&mut self) {
        let mut seen = BTreeSet::new();
        let mut lenient = false;
        for n in &self.dom.nodes {
            match &n.ns {
                None => lenient = true,
                Some(uri) if QUIET_NAMESPACES.contains(&uri.as_str()) => {}
                Some(uri) => {
                    seen.insert(uri.clone());
                }
            }
        }
        self.report.lenient = lenient;
        if lenient {
            self.warn("phần tử không có namespace, đọc theo tên / elements without namespace, matched on local names");
        }
        for uri in seen {
            if ALTERNATIVE_NAMESPACES.contains(&uri.as_str()) {
                self.warn(format!(
                    "namespace thay thế được chấp nhận / alternative namespace accepted: {uri}"
                ));
            } else {
                self.warn(format!("namespace lạ / unknown namespace: {uri}"));
            }
        }
    }

    fn message(mut self) -> Result<Message> {
        self.check_namespaces();
        let root = 0;
        let header = self.dom.first_descendant(root, "MessageHeader");
        if let Some(sig) = ["Signature", "DigitalSignature"]
            .iter()
            .find_map(|n| self.dom.first_descendant(root, n))
        {
            self.report.signature = Some(SignatureInfo {
                namespace: self.dom.nodes[sig].ns.clone(),
                line: self.line(sig),
            });
        }
        // What the package is, is told by its content, not by the header's name (edxml.md §6):
        // the official library writes a status under `MessageHeader` too, and older vanthu and
        // some .NET variants under `Status`. A header with a `StatusCode` and no `Code` is a
        // status; anything else under `MessageHeader` is a document.
        let status = match header {
            Some(h) if self.is_status_header(h) => Some(h),
            Some(_) => None,
            None => self.find_status(root),
        };
        match (header, status) {
            (_, Some(s)) => {
                let status = self.status(s)?;
                self.structure_extras(root);
                Ok(Message::Status(StatusReport {
                    status,
                    report: self.report,
                }))
            }
            (Some(h), None) => {
                let header = self.header(h)?;
                let attachments = self.attachments(root);
                self.structure_extras(root);
                Ok(Message::Package(Package {
                    header,
                    attachments,
                    report: self.report,
                }))
            }
            (None, None) => Err(Error::NotEdxml(format!(
                "phần tử gốc <{}> không chứa MessageHeader hay Status / root <{}> holds neither MessageHeader nor Status",
                self.local(root),
                self.local(root)
            ))),
        }
    }

    /// A header carrying a status: `StatusCode` present, no document `Code`.
    fn is_status_header(&self, h: usize) -> bool {
        self.child(h, &["StatusCode"]).is_some() && self.child(h, &["Code"]).is_none()
    }

    fn find_status(&self, root: usize) -> Option<usize> {
        let mut todo = vec![root];
        while let Some(id) = todo.pop() {
            if self.local(id) == "Status" && self.child(id, &["StatusCode"]).is_some() {
                return Some(id);
            }
            todo.extend(self.dom.nodes[id].children.iter().rev());
        }
        None
    }

    /// Unknown elements in the envelope skeleton (outside the header blocks).
    fn structure_extras(&mut self, root: usize) {
        let root_path = format!("/{}", self.local(root));
        self.extras(
            root,
            &root_path,
            &[
                "edXMLEnvelope",
                "AttachmentEncoded",
                "Envelope",
                "Header",
                "Body",
            ],
        );
        for env in self.children_named(root, &["edXMLEnvelope", "Envelope"]) {
            let p = self.path(env, &root_path);
            self.extras(env, &p, &["edXMLHeader", "edXMLBody", "Header", "Body"]);
            for h in self.children_named(env, &["edXMLHeader", "Header"]) {
                let hp = self.path(h, &p);
                self.extras(
                    h,
                    &hp,
                    &[
                        "MessageHeader",
                        "TraceHeaderList",
                        "Signature",
                        "DigitalSignature",
                        "Status",
                        "edXMLHeader",
                    ],
                );
            }
        }
    }

    fn organization(&mut self, id: usize, path: &str) -> Organization {
        // An SDK test file nests `From` in `From`: take the innermost one that has an OrganId.
        let mut id = id;
        let name = self.local(id).to_string();
        while let Some(inner) = self.child(id, &[name.as_str()]) {
            if self.child(id, &["OrganId"]).is_some() && self.text(id, &["OrganId"]).is_some() {
                break;
            }
            self.warn(format!(
                "phần tử {name} lồng trong {name} (dòng / line {}) / nested {name}",
                self.line(inner)
            ));
            id = inner;
        }
        let mut known = ORG_FIELDS.to_vec();
        known.push(name.as_str());
        self.extras(id, path, &known);
        Organization {
            organ_id: self.text(id, &["OrganId"]),
            organ_in_charge: self.text(id, &["OrganizationInCharge", "OrganInCharge"]),
            organ_name: self.text(id, &["OrganName"]),
            organ_add: self.text(id, &["OrganAdd"]),
            email: self.text(id, &["Email"]),
            telephone: self.text(id, &["Telephone"]),
            fax: self.text(id, &["Fax"]),
            website: self.text(id, &["Website"]),
        }
    }

    fn staff(&mut self, id: usize, path: &str) -> StaffInfo {
        self.extras(id, path, STAFF_FIELDS);
        StaffInfo {
            department: self.text(id, &["Department"]),
            staff: self.text(id, &["Staff"]),
            mobile: self.text(id, &["Mobile"]),
            email: self.text(id, &["Email"]),
        }
    }

    fn response_for(&mut self, id: usize, path: &str) -> ResponseFor {
        self.extras(id, path, RESPONSE_FIELDS);
        let code = self.child(id, &["Code"]).and_then(|c| {
            // Some writers split the code like the header's `Code`.
            let number = self.text(c, &["CodeNumber"]);
            let notation = self.text(c, &["CodeNotation"]);
            match (number, notation) {
                (None, None) => self.text_of(c),
                (Some(n), Some(t)) => Some(format!("{n}/{t}")),
                (n, t) => n.or(t),
            }
        });
        ResponseFor {
            organ_id: self.text(id, &["OrganId"]),
            code: code.and_then(|c| normalize_notation(&c)),
            promulgation_date: self.date(id, &["PromulgationDate"]),
            document_id: self.text(id, &["DocumentId"]),
        }
    }

    fn header(&mut self, h: usize) -> Result<Header> {
        let hp = "MessageHeader";
        self.extras(
            h,
            hp,
            &[
                "From",
                "To",
                "DocumentId",
                "Code",
                "PromulgationInfo",
                "DocumentType",
                "Subject",
                "Content",
                "SignerInfo",
                "DueDate",
                "ToPlaces",
                "OtherInfo",
                "ResponseFor",
                "SteeringType",
            ],
        );
        let Some(from_id) = self.child(h, &["From"]) else {
            return Err(Error::Missing {
                what_vi: "đơn vị gửi",
                what_en: "sender",
                element: "MessageHeader/From".into(),
                line: self.line(h),
            });
        };
        let from = self.organization(from_id, "MessageHeader/From");
        if from.organ_id.is_none() {
            return Err(Error::Missing {
                what_vi: "mã định danh đơn vị gửi",
                what_en: "sender code",
                element: "MessageHeader/From/OrganId".into(),
                line: self.line(from_id),
            });
        }
        let Some(code_id) = self.child(h, &["Code"]) else {
            return Err(Error::Missing {
                what_vi: "số, ký hiệu văn bản",
                what_en: "document code",
                element: "MessageHeader/Code".into(),
                line: self.line(h),
            });
        };
        self.extras(
            code_id,
            "MessageHeader/Code",
            &["CodeNumber", "CodeNotation"],
        );
        let code = DocCode {
            number: self.text(code_id, &["CodeNumber"]),
            notation: self
                .text(code_id, &["CodeNotation"])
                .and_then(|n| normalize_notation(&n)),
        };
        if code.number.is_none() && code.notation.is_none() {
            return Err(Error::Missing {
                what_vi: "số, ký hiệu văn bản",
                what_en: "document code",
                element: "MessageHeader/Code/CodeNotation".into(),
                line: self.line(code_id),
            });
        }
        let mut to = Vec::new();
        for t in self.children_named(h, &["To"]) {
            to.push(self.organization(t, "MessageHeader/To"));
        }
        let promulgation = match self.child(h, &["PromulgationInfo"]) {
            Some(p) => {
                self.extras(
                    p,
                    "MessageHeader/PromulgationInfo",
                    &["Place", "PromulgationDate"],
                );
                Promulgation {
                    place: self.text(p, &["Place"]),
                    date: self.date(p, &["PromulgationDate"]),
                }
            }
            None => Promulgation::default(),
        };
        let document_type = match self.child(h, &["DocumentType"]) {
            Some(d) => {
                self.extras(
                    d,
                    "MessageHeader/DocumentType",
                    &["Type", "TypeDetail", "TypeName"],
                );
                DocumentKind {
                    type_code: self.int(d, &["Type"]),
                    type_detail: self.int(d, &["TypeDetail"]),
                    type_name: self.text(d, &["TypeName"]),
                }
            }
            None => DocumentKind::default(),
        };
        let signer = match self.child(h, &["SignerInfo"]) {
            Some(s) => {
                self.extras(
                    s,
                    "MessageHeader/SignerInfo",
                    &["Competence", "Position", "FullName"],
                );
                Signer {
                    competence: self.text(s, &["Competence"]),
                    position: self.text(s, &["Position"]),
                    full_name: self.text(s, &["FullName"]),
                }
            }
            None => Signer::default(),
        };
        let to_places = match self.child(h, &["ToPlaces"]) {
            Some(tp) => {
                self.extras(tp, "MessageHeader/ToPlaces", &["Place"]);
                self.children_named(tp, &["Place"])
                    .into_iter()
                    .filter_map(|p| self.text_of(p))
                    .collect()
            }
            None => Vec::new(),
        };
        let other_info = self.child(h, &["OtherInfo"]).map(|o| self.other_info(o));
        let mut response_for = Vec::new();
        for r in self.children_named(h, &["ResponseFor"]) {
            let rf = self.response_for(r, "MessageHeader/ResponseFor");
            // The SDK leaves an all-empty placeholder: ignore it.
            if !rf.is_empty() {
                response_for.push(rf);
            }
        }
        let document_id = self.text(h, &["DocumentId"]);
        if document_id.is_none() {
            self.warn("thiếu DocumentId / missing DocumentId");
        }
        let (trace, business) = self.trace();
        Ok(Header {
            from,
            to,
            document_id,
            code,
            promulgation,
            document_type,
            subject: self.text(h, &["Subject"]),
            content: self.text(h, &["Content"]),
            signer,
            due_date: self.date(h, &["DueDate"]),
            to_places,
            other_info,
            steering_type: self.int(h, &["SteeringType"]),
            response_for,
            trace,
            business,
        })
    }

    fn other_info(&mut self, o: usize) -> OtherInfo {
        let p = "MessageHeader/OtherInfo";
        self.extras(
            o,
            p,
            &[
                "Priority",
                "SphereOfPromulgation",
                "TyperNotation",
                "PromulgationAmount",
                "PageAmount",
                "Direction",
                "Appendixes",
            ],
        );
        let direction = self.text(o, &["Direction"]).map(|d| {
            let d = d.to_ascii_lowercase();
            d == "true" || d == "1"
        });
        let appendixes = match self.child(o, &["Appendixes"]) {
            Some(a) => {
                self.extras(a, "MessageHeader/OtherInfo/Appendixes", &["Appendix"]);
                self.children_named(a, &["Appendix"])
                    .into_iter()
                    .filter_map(|x| self.text_of(x))
                    .collect()
            }
            None => Vec::new(),
        };
        OtherInfo {
            priority: self.int(o, &["Priority"]),
            sphere_of_promulgation: self.text(o, &["SphereOfPromulgation"]),
            typer_notation: self.text(o, &["TyperNotation"]),
            promulgation_amount: self.int(o, &["PromulgationAmount"]),
            page_amount: self.int(o, &["PageAmount"]),
            direction,
            appendixes,
        }
    }

    fn trace(&mut self) -> (Vec<TraceHeader>, Option<Business>) {
        let list = self.dom.first_descendant(0, "TraceHeaderList");
        let mut trace = Vec::new();
        if let Some(l) = list {
            let p = "TraceHeaderList";
            self.extras(l, p, &["TraceHeader", "Bussiness", "Business"]);
            for t in self.children_named(l, &["TraceHeader"]) {
                self.extras(t, "TraceHeaderList/TraceHeader", &["OrganId", "Timestamp"]);
                trace.push(TraceHeader {
                    organ_id: self.text(t, &["OrganId"]),
                    timestamp: self.timestamp(t, &["Timestamp"]),
                });
            }
        }
        let business = list
            .and_then(|l| self.child(l, &["Bussiness", "Business"]))
            .or_else(|| self.dom.first_descendant(0, "Bussiness"))
            .or_else(|| self.dom.first_descendant(0, "Business"));
        (trace, business.map(|b| self.business(b)))
    }

    fn business(&mut self, b: usize) -> Business {
        let p = "TraceHeaderList/Bussiness";
        self.extras(
            b,
            p,
            &[
                "DocumentId",
                "BussinessDocType",
                "BusinessDocType",
                "BussinessDocReason",
                "BusinessDocReason",
                "Paper",
                "StaffInfo",
                "BussinessDocumentInfo",
                "BusinessDocumentInfo",
                "ReplacementInfoList",
            ],
        );
        let staff = self
            .child(b, &["StaffInfo"])
            .map(|s| self.staff(s, "TraceHeaderList/Bussiness/StaffInfo"));
        let mut out = Business {
            document_id: self.text(b, &["DocumentId"]),
            doc_type: self.int(b, &["BussinessDocType", "BusinessDocType"]),
            reason: self.text(b, &["BussinessDocReason", "BusinessDocReason"]),
            paper: self.int(b, &["Paper"]),
            staff,
            ..Business::default()
        };
        if let Some(info) = self.child(b, &["BussinessDocumentInfo", "BusinessDocumentInfo"]) {
            self.extras(
                info,
                "TraceHeaderList/Bussiness/BussinessDocumentInfo",
                &["DocumentInfo", "DocumentReceiver", "ReceiverList"],
            );
            out.document_info = self.int(info, &["DocumentInfo"]);
            out.document_receiver = self.int(info, &["DocumentReceiver"]);
            if let Some(list) = self.child(info, &["ReceiverList"]) {
                for r in self.children_named(list, &["Receiver"]) {
                    out.receivers.push(Receiver {
                        receiver_type: self.int(r, &["ReceiverType"]),
                        organ_id: self.text(r, &["OrganId"]),
                    });
                }
            }
        }
        if let Some(list) = self.child(b, &["ReplacementInfoList"]) {
            for r in self.children_named(list, &["ReplacementInfo"]) {
                let organ_ids = match self.child(r, &["OrganIdList"]) {
                    Some(l) => self
                        .children_named(l, &["OrganId"])
                        .into_iter()
                        .filter_map(|o| self.text_of(o))
                        .collect(),
                    None => Vec::new(),
                };
                out.replacements.push(Replacement {
                    document_id: self.text(r, &["DocumentId"]),
                    organ_ids,
                });
            }
        }
        out
    }

    fn meta(&mut self, id: usize, path: &str) -> AttachmentMeta {
        self.extras(id, path, META_FIELDS);
        AttachmentMeta {
            content_id: self
                .text(id, &["ContentId"])
                .and_then(|c| normalize_text(&strip_cid(&c))),
            name: self.text(id, &["AttachmentName"]),
            content_type: self.text(id, &["ContentType"]),
            description: self.text(id, &["Description"]),
        }
    }

    fn attachments(&mut self, root: usize) -> Vec<ReadAttachment> {
        let mut manifest = Vec::new();
        if let Some(m) = self.dom.first_descendant(root, "edXMLManifest") {
            self.extras(m, "edXMLManifest", &["Reference"]);
            for r in self.children_named(m, &["Reference"]) {
                manifest.push(self.meta(r, "edXMLManifest/Reference"));
            }
        }
        // (meta, content index) of every inline attachment, in document order.
        let mut inline: Vec<(AttachmentMeta, Option<usize>, u64)> = Vec::new();
        let mut todo = vec![root];
        let mut encoded = Vec::new();
        while let Some(id) = todo.pop() {
            if self.local(id) == "AttachmentEncoded" {
                encoded.push(id);
                continue;
            }
            todo.extend(self.dom.nodes[id].children.iter().rev());
        }
        for e in encoded {
            self.extras(e, "AttachmentEncoded", &["Attachment"]);
            for a in self.children_named(e, &["Attachment"]) {
                let meta = self.meta(a, "AttachmentEncoded/Attachment");
                let content = self
                    .child(a, &[CONTENT])
                    .and_then(|c| self.dom.nodes[c].content);
                inline.push((meta, content, self.line(a)));
            }
        }
        let mut used = vec![false; inline.len()];
        let mut out = Vec::new();
        for m in manifest {
            let found = (0..inline.len())
                .find(|&i| {
                    !used[i] && m.content_id.is_some() && inline[i].0.content_id == m.content_id
                })
                .or_else(|| {
                    (0..inline.len())
                        .find(|&i| !used[i] && m.name.is_some() && inline[i].0.name == m.name)
                });
            match found {
                Some(i) => {
                    used[i] = true;
                    let inl = inline[i].0.clone();
                    let meta = AttachmentMeta {
                        content_id: m.content_id.or(inl.content_id),
                        name: m.name.or(inl.name),
                        content_type: m.content_type.or(inl.content_type),
                        description: m.description.or(inl.description),
                    };
                    out.push(self.attachment(meta, inline[i].1, true));
                }
                None => {
                    self.warn(format!(
                        "tệp trong danh mục không có nội dung / manifest entry without content: {}",
                        m.name.as_deref().or(m.content_id.as_deref()).unwrap_or("?")
                    ));
                    out.push(ReadAttachment {
                        meta: m,
                        size: 0,
                        sha256: None,
                        broken: Some(
                            "không có nội dung trong gói / no content in the package".into(),
                        ),
                        is_zip: false,
                        in_manifest: true,
                        file: None,
                    });
                }
            }
        }
        for (i, (meta, content, line)) in inline.into_iter().enumerate() {
            if used[i] {
                continue;
            }
            self.warn(format!(
                "tệp đính kèm không có trong danh mục / attachment not in the manifest (dòng / line {line}): {}",
                meta.name.as_deref().unwrap_or("?")
            ));
            out.push(self.attachment(meta, content, false));
        }
        out
    }

    fn attachment(
        &mut self,
        meta: AttachmentMeta,
        content: Option<usize>,
        in_manifest: bool,
    ) -> ReadAttachment {
        match content {
            Some(c) => {
                let decoded = self.dom.contents[c].decoded.clone();
                let file = self.dom.contents[c].file.take();
                if let Some(why) = &decoded.broken {
                    self.warn(format!(
                        "tệp đính kèm hỏng / broken attachment {}: {why}",
                        meta.name.as_deref().unwrap_or("?")
                    ));
                }
                ReadAttachment {
                    meta,
                    size: decoded.size,
                    sha256: Some(decoded.sha256),
                    is_zip: decoded.broken.is_none() && decoded.magic.starts_with(b"PK\x03\x04"),
                    broken: decoded.broken,
                    in_manifest,
                    file,
                }
            }
            None => ReadAttachment {
                meta,
                size: 0,
                sha256: None,
                broken: Some("không có nội dung / no ContentTransferEncoded".into()),
                is_zip: false,
                in_manifest,
                file: None,
            },
        }
    }

    fn status(&mut self, s: usize) -> Result<StatusMessage> {
        // `MessageHeader` (official form) or `Status` (older form): errors name the one read.
        let p = self.local(s).to_string();
        self.extras(
            s,
            &p,
            &[
                "ResponseFor",
                "From",
                "StatusCode",
                "Description",
                "Timestamp",
                "StaffInfo",
            ],
        );
        let Some(from_id) = self.child(s, &["From"]) else {
            return Err(Error::Missing {
                what_vi: "đơn vị gửi trạng thái",
                what_en: "status sender",
                element: format!("{p}/From"),
                line: self.line(s),
            });
        };
        let from = self.organization(from_id, &format!("{p}/From"));
        if from.organ_id.is_none() {
            return Err(Error::Missing {
                what_vi: "mã định danh đơn vị gửi",
                what_en: "sender code",
                element: format!("{p}/From/OrganId"),
                line: self.line(from_id),
            });
        }
        let code_id = self
            .child(s, &["StatusCode"])
            .expect("a status header has a StatusCode");
        let Some(mut code) = self.text_of(code_id) else {
            return Err(Error::Missing {
                what_vi: "mã trạng thái",
                what_en: "status code",
                element: format!("{p}/StatusCode"),
                line: self.line(code_id),
            });
        };
        if code.len() == 1 && code.as_bytes()[0].is_ascii_digit() {
            self.warn(format!(
                "mã trạng thái một chữ số / one-digit status code {code}"
            ));
            code = format!("0{code}");
        }
        let response_for = match self.child(s, &["ResponseFor"]) {
            Some(r) => self.response_for(r, &format!("{p}/ResponseFor")),
            None => {
                self.warn("thiếu ResponseFor / missing ResponseFor");
                ResponseFor::default()
            }
        };
        let staff = self
            .child(s, &["StaffInfo"])
            .map(|st| self.staff(st, &format!("{p}/StaffInfo")));
        Ok(StatusMessage {
            response_for,
            from,
            status_code: code,
            description: self.text(s, &["Description"]),
            timestamp: self.timestamp(s, &["Timestamp"]),
            staff,
        })
    }
}

/// `cid:209` and `209` name the same attachment.
pub fn strip_cid(s: &str) -> String {
    let t = s.trim();
    let t = t
        .strip_prefix('<')
        .and_then(|x| x.strip_suffix('>'))
        .unwrap_or(t);
    match t.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("cid:") => t[4..].to_string(),
        _ => t.to_string(),
    }
}
