//! Deterministic writer: always the QCVN namespace, the SDK element order and date forms.
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::dates::{format_date, format_timestamp};
use crate::error::{Error, Result};
use crate::model::*;
use crate::text::is_xml_char;
use crate::QCVN_NS;
pub use vanthu_domain::Secrecy;

/// Content of an attachment to write.
pub enum AttachmentData<'a> {
    /// Read from this file while writing.
    Path(PathBuf),
    /// Already in memory.
    Bytes(&'a [u8]),
}

/// One attachment to put in a package: its metadata and content.
pub struct OutAttachment<'a> {
    /// Content id, name, type and description to write.
    pub meta: AttachmentMeta,
    /// Where the content comes from.
    pub data: AttachmentData<'a>,
}

struct X<W: Write> {
    w: W,
    depth: usize,
}

/// Escapes text content; characters XML 1.0 cannot carry are dropped (the reader's
/// normalisation drops them too), CR is written as a reference so it survives parsing.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

impl<W: Write> X<W> {
    fn indent(&mut self) -> io::Result<()> {
        self.w.write_all(b"\n")?;
        for _ in 0..self.depth {
            self.w.write_all(b" ")?;
        }
        Ok(())
    }

    fn open(&mut self, name: &str) -> io::Result<()> {
        self.indent()?;
        write!(self.w, "<edXML:{name}>")?;
        self.depth += 1;
        Ok(())
    }

    fn open_attrs(&mut self, name: &str, attrs: &str) -> io::Result<()> {
        self.indent()?;
        write!(self.w, "<edXML:{name} {attrs}>")?;
        self.depth += 1;
        Ok(())
    }

    fn close(&mut self, name: &str) -> io::Result<()> {
        self.depth -= 1;
        self.indent()?;
        write!(self.w, "</edXML:{name}>")
    }

    fn leaf(&mut self, name: &str, value: Option<&str>) -> io::Result<()> {
        self.indent()?;
        match value {
            Some(v) if !v.is_empty() => {
                let mut s = String::with_capacity(v.len() + 8);
                escape(v, &mut s);
                write!(self.w, "<edXML:{name}>{s}</edXML:{name}>")
            }
            _ => write!(self.w, "<edXML:{name}/>"),
        }
    }

    fn leaf_num<T: ToString>(&mut self, name: &str, v: Option<T>) -> io::Result<()> {
        self.leaf(name, v.map(|v| v.to_string()).as_deref())
    }

    fn org(&mut self, name: &str, o: &Organization) -> io::Result<()> {
        self.open(name)?;
        self.leaf("OrganId", o.organ_id.as_deref())?;
        self.leaf("OrganizationInCharge", o.organ_in_charge.as_deref())?;
        self.leaf("OrganName", o.organ_name.as_deref())?;
        self.leaf("OrganAdd", o.organ_add.as_deref())?;
        self.leaf("Email", o.email.as_deref())?;
        self.leaf("Telephone", o.telephone.as_deref())?;
        self.leaf("Fax", o.fax.as_deref())?;
        self.leaf("Website", o.website.as_deref())?;
        self.close(name)
    }

    /// `StaffInfo` in the official library's order (Department, Staff, Email, Mobile).
    fn staff(&mut self, s: &StaffInfo) -> io::Result<()> {
        self.open("StaffInfo")?;
        self.leaf("Department", s.department.as_deref())?;
        self.leaf("Staff", s.staff.as_deref())?;
        self.leaf("Email", s.email.as_deref())?;
        self.leaf("Mobile", s.mobile.as_deref())?;
        self.close("StaffInfo")
    }

    /// `ResponseFor` in the official library's order (OrganId, Code, DocumentId,
    /// PromulgationDate).
    fn response_for(&mut self, r: &ResponseFor) -> io::Result<()> {
        self.open("ResponseFor")?;
        self.leaf("OrganId", r.organ_id.as_deref())?;
        self.leaf("Code", r.code.as_deref())?;
        self.leaf("DocumentId", r.document_id.as_deref())?;
        self.leaf(
            "PromulgationDate",
            r.promulgation_date.map(format_date).as_deref(),
        )?;
        self.close("ResponseFor")
    }

    /// A leaf only when there is a value: the official `StatusXmlBuilder` leaves absent
    /// fields out rather than writing them empty.
    fn leaf_some(&mut self, name: &str, value: Option<&str>) -> io::Result<()> {
        match value {
            Some(v) if !v.is_empty() => self.leaf(name, Some(v)),
            _ => Ok(()),
        }
    }

    /// The root also binds the `edXML` prefix because `AttachmentEncoded` sits outside the
    /// envelope that the SDK declares it on.
    fn prologue(&mut self) -> io::Result<()> {
        write!(
            self.w,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML xmlns=\"{QCVN_NS}\" xmlns:edXML=\"{QCVN_NS}\">"
        )?;
        self.depth = 1;
        self.open_attrs("edXMLEnvelope", &format!("xmlns:edXML=\"{QCVN_NS}\""))?;
        self.open("edXMLHeader")
    }
}

fn check_sender(from: &Organization, what: &str) -> Result<()> {
    if from.organ_id.is_none() {
        return Err(Error::Invalid(format!(
            "thiếu mã đơn vị gửi / missing sender code ({what}/From/OrganId)"
        )));
    }
    Ok(())
}

/// Writes a document package. Attachments are base64-encoded from their source in chunks, so
/// memory stays bounded whatever their size.
pub fn write_package<W: Write>(
    out: W,
    header: &Header,
    attachments: &mut [OutAttachment<'_>],
    secrecy: Secrecy,
) -> Result<()> {
    // Nothing secret travels on the exchange axis (edxml.md §2.1): refused here even if an
    // upper layer forgot to check.
    if !secrecy.may_send_over_hub() {
        return Err(Error::SecretRefused(secrecy.label_vi().to_string()));
    }
    check_sender(&header.from, "MessageHeader")?;
    if header.code.number.is_none() && header.code.notation.is_none() {
        return Err(Error::Invalid(
            "thiếu số, ký hiệu văn bản / missing document code (Code)".into(),
        ));
    }
    let mut x = X { w: out, depth: 0 };
    x.prologue()?;
    let h = header;
    x.open("MessageHeader")?;
    x.org("From", &h.from)?;
    for t in &h.to {
        x.org("To", t)?;
    }
    x.leaf("DocumentId", h.document_id.as_deref())?;
    x.open("Code")?;
    x.leaf("CodeNumber", h.code.number.as_deref())?;
    x.leaf("CodeNotation", h.code.notation.as_deref())?;
    x.close("Code")?;
    x.open("PromulgationInfo")?;
    x.leaf("Place", h.promulgation.place.as_deref())?;
    x.leaf(
        "PromulgationDate",
        h.promulgation.date.map(format_date).as_deref(),
    )?;
    x.close("PromulgationInfo")?;
    x.open("DocumentType")?;
    x.leaf_num("Type", h.document_type.type_code)?;
    if h.document_type.type_detail.is_some() {
        x.leaf_num("TypeDetail", h.document_type.type_detail)?;
    }
    x.leaf("TypeName", h.document_type.type_name.as_deref())?;
    x.close("DocumentType")?;
    x.leaf("Subject", h.subject.as_deref())?;
    if h.content.is_some() {
        x.leaf("Content", h.content.as_deref())?;
    }
    x.open("SignerInfo")?;
    x.leaf("Competence", h.signer.competence.as_deref())?;
    x.leaf("Position", h.signer.position.as_deref())?;
    x.leaf("FullName", h.signer.full_name.as_deref())?;
    x.close("SignerInfo")?;
    if let Some(d) = h.due_date {
        x.leaf("DueDate", Some(&format_date(d)))?;
    }
    if !h.to_places.is_empty() {
        x.open("ToPlaces")?;
        for p in &h.to_places {
            x.leaf("Place", Some(p))?;
        }
        x.close("ToPlaces")?;
    }
    if let Some(o) = &h.other_info {
        x.open("OtherInfo")?;
        x.leaf_num("Priority", o.priority)?;
        x.leaf("SphereOfPromulgation", o.sphere_of_promulgation.as_deref())?;
        x.leaf("TyperNotation", o.typer_notation.as_deref())?;
        x.leaf_num("PromulgationAmount", o.promulgation_amount)?;
        x.leaf_num("PageAmount", o.page_amount)?;
        if let Some(d) = o.direction {
            x.leaf("Direction", Some(if d { "true" } else { "false" }))?;
        }
        if o.appendixes.is_empty() {
            x.leaf("Appendixes", None)?;
        } else {
            x.open("Appendixes")?;
            for a in &o.appendixes {
                x.leaf("Appendix", Some(a))?;
            }
            x.close("Appendixes")?;
        }
        x.close("OtherInfo")?;
    }
    for r in &h.response_for {
        x.response_for(r)?;
    }
    if let Some(s) = h.steering_type {
        x.leaf_num("SteeringType", Some(s))?;
    }
    x.close("MessageHeader")?;
    x.open("TraceHeaderList")?;
    for t in &h.trace {
        x.open("TraceHeader")?;
        x.leaf("OrganId", t.organ_id.as_deref())?;
        x.leaf(
            "Timestamp",
            t.timestamp.as_ref().map(format_timestamp).as_deref(),
        )?;
        x.close("TraceHeader")?;
    }
    if let Some(b) = &h.business {
        x.open("Bussiness")?;
        x.leaf("DocumentId", b.document_id.as_deref())?;
        x.leaf_num("BussinessDocType", b.doc_type)?;
        x.leaf("BussinessDocReason", b.reason.as_deref())?;
        x.leaf_num("Paper", b.paper)?;
        if let Some(s) = &b.staff {
            x.staff(s)?;
        }
        if b.document_info.is_some() || b.document_receiver.is_some() || !b.receivers.is_empty() {
            x.open("BussinessDocumentInfo")?;
            x.leaf_num("DocumentInfo", b.document_info)?;
            x.leaf_num("DocumentReceiver", b.document_receiver)?;
            x.open("ReceiverList")?;
            for r in &b.receivers {
                x.open("Receiver")?;
                x.leaf_num("ReceiverType", r.receiver_type)?;
                x.leaf("OrganId", r.organ_id.as_deref())?;
                x.close("Receiver")?;
            }
            x.close("ReceiverList")?;
            x.close("BussinessDocumentInfo")?;
        }
        if !b.replacements.is_empty() {
            x.open("ReplacementInfoList")?;
            for r in &b.replacements {
                x.open("ReplacementInfo")?;
                x.leaf("DocumentId", r.document_id.as_deref())?;
                x.open("OrganIdList")?;
                for o in &r.organ_ids {
                    x.leaf("OrganId", Some(o))?;
                }
                x.close("OrganIdList")?;
                x.close("ReplacementInfo")?;
            }
            x.close("ReplacementInfoList")?;
        }
        x.close("Bussiness")?;
    }
    x.close("TraceHeaderList")?;
    x.close("edXMLHeader")?;
    x.open("edXMLBody")?;
    x.open_attrs("edXMLManifest", "version=\"1.0\"")?;
    let ids: Vec<String> = attachments
        .iter()
        .enumerate()
        .map(|(i, a)| {
            a.meta
                .content_id
                .clone()
                .unwrap_or_else(|| format!("att-{}", i + 1))
        })
        .collect();
    for (a, id) in attachments.iter().zip(&ids) {
        x.open("Reference")?;
        x.leaf("ContentId", Some(&format!("cid:{id}")))?;
        x.leaf("ContentType", a.meta.content_type.as_deref())?;
        x.leaf("Description", a.meta.description.as_deref())?;
        x.leaf("AttachmentName", a.meta.name.as_deref())?;
        x.close("Reference")?;
    }
    x.close("edXMLManifest")?;
    x.close("edXMLBody")?;
    x.close("edXMLEnvelope")?;
    if !attachments.is_empty() {
        x.open("AttachmentEncoded")?;
        for (a, id) in attachments.iter_mut().zip(&ids) {
            x.open("Attachment")?;
            x.leaf("ContentId", Some(&format!("cid:{id}")))?;
            x.leaf("AttachmentName", a.meta.name.as_deref())?;
            x.leaf("Description", a.meta.description.as_deref())?;
            x.leaf("ContentType", a.meta.content_type.as_deref())?;
            x.indent()?;
            x.w.write_all(b"<edXML:ContentTransferEncoded>")?;
            match &a.data {
                AttachmentData::Bytes(b) => encode_stream(&mut &b[..], &mut x.w)?,
                AttachmentData::Path(p) => encode_stream(&mut File::open(p)?, &mut x.w)?,
            }
            x.w.write_all(b"</edXML:ContentTransferEncoded>")?;
            x.close("Attachment")?;
        }
        x.close("AttachmentEncoded")?;
    }
    x.w.write_all(b"\n</edXML>\n")?;
    x.w.flush()?;
    Ok(())
}

fn encode_stream<R: Read, W: Write>(input: &mut R, out: &mut W) -> io::Result<()> {
    // A multiple of 3 so that chunks encode without padding except at the very end.
    let mut buf = vec![0u8; 3 * 16 * 1024];
    let mut enc = Vec::with_capacity(buf.len() / 3 * 4 + 4);
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match input.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if filled == 0 {
            return Ok(());
        }
        enc.clear();
        base64::engine::general_purpose::STANDARD.encode_slice_vec(&buf[..filled], &mut enc);
        out.write_all(&enc)?;
        if filled < buf.len() {
            return Ok(());
        }
    }
}

trait EncodeVec {
    fn encode_slice_vec(&self, input: &[u8], out: &mut Vec<u8>);
}

impl<E: Engine> EncodeVec for E {
    fn encode_slice_vec(&self, input: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(start + input.len().div_ceil(3) * 4, 0);
        let n = self
            .encode_slice(input, &mut out[start..])
            .expect("buffer sized for the encoding");
        out.truncate(start + n);
    }
}

/// Writes a status message as the official library (`StatusXmlBuilder` of EdXML102) does
/// (edxml.md §6, verified against it): the header is `edXML:MessageHeader` with From,
/// ResponseFor, StaffInfo, StatusCode, Description, Timestamp in that order, absent fields
/// left out, and the `edXML` prefix bound on the envelope only.
pub fn write_status<W: Write>(out: W, status: &StatusMessage) -> Result<()> {
    check_sender(&status.from, "MessageHeader")?;
    let code = status.status_code.trim();
    if code.is_empty() {
        return Err(Error::Invalid(
            "thiếu mã trạng thái / missing status code".into(),
        ));
    }
    let mut x = X { w: out, depth: 0 };
    write!(
        x.w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML xmlns=\"{QCVN_NS}\">"
    )?;
    x.depth = 1;
    x.open_attrs("edXMLEnvelope", &format!("xmlns:edXML=\"{QCVN_NS}\""))?;
    x.open("edXMLHeader")?;
    x.open("MessageHeader")?;
    let o = &status.from;
    x.open("From")?;
    x.leaf_some("OrganId", o.organ_id.as_deref())?;
    x.leaf_some("OrganizationInCharge", o.organ_in_charge.as_deref())?;
    x.leaf_some("OrganName", o.organ_name.as_deref())?;
    x.leaf_some("OrganAdd", o.organ_add.as_deref())?;
    x.leaf_some("Email", o.email.as_deref())?;
    x.leaf_some("Telephone", o.telephone.as_deref())?;
    x.leaf_some("Fax", o.fax.as_deref())?;
    x.leaf_some("Website", o.website.as_deref())?;
    x.close("From")?;
    let r = &status.response_for;
    if !r.is_empty() {
        x.open("ResponseFor")?;
        x.leaf_some("OrganId", r.organ_id.as_deref())?;
        x.leaf_some("Code", r.code.as_deref())?;
        x.leaf_some("DocumentId", r.document_id.as_deref())?;
        x.leaf_some(
            "PromulgationDate",
            r.promulgation_date.map(format_date).as_deref(),
        )?;
        x.close("ResponseFor")?;
    }
    if let Some(s) = status.staff.as_ref().filter(|s| !s.is_empty()) {
        x.open("StaffInfo")?;
        x.leaf_some("Department", s.department.as_deref())?;
        x.leaf_some("Staff", s.staff.as_deref())?;
        x.leaf_some("Email", s.email.as_deref())?;
        x.leaf_some("Mobile", s.mobile.as_deref())?;
        x.close("StaffInfo")?;
    }
    x.leaf("StatusCode", Some(code))?;
    x.leaf_some("Description", status.description.as_deref())?;
    x.leaf_some(
        "Timestamp",
        status.timestamp.as_ref().map(format_timestamp).as_deref(),
    )?;
    x.close("MessageHeader")?;
    x.close("edXMLHeader")?;
    x.close("edXMLEnvelope")?;
    x.w.write_all(b"\n</edXML>\n")?;
    x.w.flush()?;
    Ok(())
}

/// Writes `path` atomically: a temporary file in the same directory, fsync, rename. On error
/// nothing is left behind and an existing file is untouched.
pub fn write_file_atomic<F>(path: &Path, f: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> Result<()>,
{
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".vanthu-tmp-")
        .tempfile_in(&dir)?;
    {
        let mut w = BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        f(&mut w)?;
        w.flush()?;
    }
    #[cfg(unix)]
    {
        // tempfile creates 0600; a package or status file is an ordinary document.
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| Error::Io(e.error))?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
