//! PAdES signing as an append-only incremental update.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use sha2::Digest;
use x509_cert::Certificate;

use crate::appearance::{self, AppearanceSpec, Image};
use crate::outfile::PendingFile;
use crate::pass::InputPass;
use crate::pdf::doc::Doc;
use crate::pdf::object::{decode_text, text_string, Dict, Obj};
use crate::pdf::write::{write_update, NewObjects};
use crate::token::KeyAlg;
use crate::{cmsbuild, SignError};

/// Kind of signature, which decides the appearance and default page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Leader's (cá nhân) signature: signature image and name.
    #[default]
    Leader,
    /// Organisation's seal signature: seal, agency name and time.
    Organization,
    /// Attachment/copy stamp: text only, on the first page.
    Attachment,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "leader" => Ok(Role::Leader),
            "organization" | "organisation" => Ok(Role::Organization),
            "attachment" | "copy" => Ok(Role::Attachment),
            _ => Err(format!("unknown role {s} (leader|organization|attachment)")),
        }
    }
}

/// What to sign and how it looks; the key comes separately (see [`Signer`]).
#[derive(Debug, Clone, Default)]
pub struct SignRequest {
    /// PDF to sign.
    pub input: PathBuf,
    /// Where the signed PDF is written.
    pub output: PathBuf,
    /// Kind of signature.
    pub role: Role,
    /// Signature image (leader) — PNG with transparency.
    pub image: Option<PathBuf>,
    /// Seal image (organisation) — PNG with transparency.
    pub seal: Option<PathBuf>,
    /// 1-based page; default: last page (leader/organisation), first page (attachment).
    pub page: Option<u32>,
    /// x, y, width, height in PDF points from the page's lower-left corner.
    pub rect: Option<[f64; 4]>,
    /// Số, ký hiệu of the main document (attachment stamp).
    pub notation: Option<String>,
    /// /Reason of the signature.
    pub reason: Option<String>,
    /// /Location of the signature.
    pub location: Option<String>,
    /// RFC 3161 timestamp server URL; no timestamp when `None`.
    pub tsa_url: Option<String>,
    /// Claimed signing time; default now in Vietnam time (UTC+07:00).
    pub time: Option<DateTime<FixedOffset>>,
    /// Make no visible appearance at all.
    pub invisible: bool,
    /// The arrival stamp (dấu "ĐẾN") as the appearance of an organisation signature; it
    /// goes on page 1 by default, in the top margin or the free area nearest the top-right
    /// ([`crate::arrival::place`]). Only with [`Role::Organization`].
    pub arrival: Option<crate::arrival::ArrivalStamp>,
}

/// A signing key with its certificate (a token key, or anything else that can sign).
pub trait Signer {
    /// The signer's certificate.
    fn certificate(&self) -> &Certificate;
    /// DER of the signer's certificate.
    fn certificate_der(&self) -> Vec<u8>;
    /// Key algorithm, for the CMS signature algorithm.
    fn algorithm(&self) -> KeyAlg;
    /// Signs the DER of the signed attributes (the implementation hashes with SHA-256).
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError>;
    /// Extra certificates to embed (intermediates).
    fn chain(&self) -> Vec<Certificate> {
        Vec::new()
    }
}

impl Signer for crate::token::TokenKey<'_> {
    fn certificate(&self) -> &Certificate {
        &self.cert
    }
    fn certificate_der(&self) -> Vec<u8> {
        self.cert_der.clone()
    }
    fn algorithm(&self) -> KeyAlg {
        self.alg
    }
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        crate::token::TokenKey::sign(self, data)
    }
}

/// What a signing produced, reported to the CLI and app.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignOutcome {
    /// Path of the signed PDF.
    pub output: PathBuf,
    /// Name of the new signature field.
    pub field: String,
    /// Signer's common name.
    pub signer: String,
    /// Signing time as recorded.
    pub signing_time: String,
    /// 1-based page of the appearance.
    pub page: u32,
    /// Appearance rectangle; `None` for an invisible signature.
    pub rect: Option<[f64; 4]>,
    /// Whether an RFC 3161 timestamp was embedded.
    pub timestamped: bool,
    /// SHA-256 (hex) of the whole signed file, computed while it was written: a store can
    /// adopt the file under this hash without reading it again.
    pub sha256: String,
    /// Size of the signed file in bytes.
    pub size: u64,
}

/// Current time in Vietnam (UTC+07:00), the default signing time.
pub fn vietnam_now() -> DateTime<FixedOffset> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("valid offset");
    chrono::Utc::now().with_timezone(&tz)
}

fn pdf_date(t: &DateTime<FixedOffset>) -> String {
    let off = t.offset().local_minus_utc();
    let sign = if off < 0 { '-' } else { '+' };
    let off = off.abs();
    format!(
        "D:{}{sign}{:02}'{:02}'",
        t.format("%Y%m%d%H%M%S"),
        off / 3600,
        (off % 3600) / 60
    )
}

/// Room for the CMS: certificates of a few KB plus an RFC 3161 token with its own chain.
fn contents_capacity(signer: &dyn Signer, with_tsa: bool) -> usize {
    let certs: usize = signer.certificate_der().len()
        + signer
            .chain()
            .iter()
            .map(|c| crate::cert::to_der(c).len())
            .sum::<usize>();
    certs + 4096 + if with_tsa { 12288 } else { 0 }
}

/// The page's visible box (CropBox, else MediaBox, else A4) and its rotation in quarter turns
/// as degrees (0, 90, 180, 270); signing and the placement preview must agree on both.
fn page_geometry(doc: &Doc<'_>, page_ref: (u32, u16)) -> Result<([f64; 4], i64), SignError> {
    let media = doc
        .page_attr(page_ref, "CropBox")?
        .and_then(|o| rect_of(Some(&o)))
        .or_else(|| {
            doc.page_attr(page_ref, "MediaBox")
                .ok()
                .flatten()
                .and_then(|o| rect_of(Some(&o)))
        })
        .unwrap_or([0.0, 0.0, 595.0, 842.0]);
    let rot = doc
        .page_attr(page_ref, "Rotate")?
        .and_then(|o| o.as_int())
        .unwrap_or(0)
        .rem_euclid(360)
        / 90
        * 90;
    Ok((media, rot))
}

fn rect_of(o: Option<&Obj>) -> Option<[f64; 4]> {
    let a = o?.as_array()?;
    if a.len() != 4 {
        return None;
    }
    let v: Vec<f64> = a.iter().filter_map(Obj::as_f64).collect();
    if v.len() != 4 {
        return None;
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

/// Signs `req.input` into `req.output`. The output is the input's bytes followed by one
/// incremental update; it is written to a temporary file and renamed into place only
/// when complete, so a failure leaves no output. The input is read once, hashed and
/// copied in the same pass, and the output is never read back.
pub fn sign_pdf(req: &SignRequest, signer: &dyn Signer) -> Result<SignOutcome, SignError> {
    prepare_sign(req.clone())?.sign(signer)
}

/// A signing whose pass over the input is under way; see [`prepare_sign`].
pub struct PreparedSign {
    req: SignRequest,
    map: Arc<memmap2::Mmap>,
    pass: InputPass,
}

/// Checks that `req.input` is a PDF and starts the pass over it in the background:
/// the original bytes copied into a temporary file next to `req.output` and hashed.
/// That needs no token, so a caller can load the PKCS#11 module and log in meanwhile and
/// then finish with [`PreparedSign::sign`]. Dropping the result instead stops the pass
/// and removes the temporary file.
pub fn prepare_sign(req: SignRequest) -> Result<PreparedSign, SignError> {
    let file = std::fs::File::open(&req.input)
        .map_err(|e| SignError::Io(req.input.display().to_string(), e))?;
    let len = file
        .metadata()
        .map_err(|e| SignError::Io(req.input.display().to_string(), e))?
        .len();
    if len == 0 {
        return Err(SignError::NotPdf);
    }
    // SAFETY: read-only map of a file we do not modify; a concurrent truncation by another
    // process could fault, which is the accepted risk of mapping.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .map_err(|e| SignError::Io(req.input.display().to_string(), e))?;
    // A file that is no PDF is refused before any output is started.
    Doc::open(&map)?;
    let map = Arc::new(map);
    let out = PendingFile::create(&req.output)?;
    let pass = InputPass::start(Arc::clone(&map), out)?;
    Ok(PreparedSign { req, map, pass })
}

impl PreparedSign {
    /// Signs with `signer` and writes the output, as [`sign_pdf`] does.
    pub fn sign(self, signer: &dyn Signer) -> Result<SignOutcome, SignError> {
        let PreparedSign { req, map, pass } = self;
        sign_mapped(&req, signer, &map, pass)
    }
}

fn sign_mapped(
    req: &SignRequest,
    signer: &dyn Signer,
    data: &[u8],
    pass: InputPass,
) -> Result<SignOutcome, SignError> {
    let doc = Doc::open(data)?;
    if req.arrival.is_some() && (req.role != Role::Organization || req.invisible) {
        return Err(SignError::BadRequest(
            "dấu đến là chữ ký hiện của cơ quan / the arrival stamp is a visible organisation signature".into(),
        ));
    }
    let time = req.time.unwrap_or_else(vietnam_now);
    let signer_name = crate::cert::common_name(&signer.certificate().tbs_certificate.subject);
    let org_name = crate::cert::organization(&signer.certificate().tbs_certificate.subject)
        .unwrap_or_else(|| signer_name.clone());

    let pages = doc.pages()?;
    // A reserved, still empty signature field (the drafting unit's signer block) is where
    // the leader signs when no rectangle is given.
    let reserved = if req.rect.is_none() && !req.invisible && req.role == Role::Leader {
        find_reserved_field(&doc, &pages, req.page)
    } else {
        None
    };
    let page_no = match req.page {
        Some(0) => return Err(SignError::BadRequest("page numbers start at 1".into())),
        Some(n) if n as usize > pages.len() => {
            return Err(SignError::BadRequest(format!(
                "trang {n} không tồn tại (tệp có {} trang) / no page {n}",
                pages.len()
            )))
        }
        Some(n) => n,
        None if reserved.is_some() => reserved
            .as_ref()
            .map(|r| r.page_idx as u32 + 1)
            .unwrap_or(1),
        None if req.role == Role::Attachment || req.arrival.is_some() => 1,
        None => pages.len() as u32,
    };
    let page_ref = pages[page_no as usize - 1];
    let mut page_dict = doc.resolve_dict(&Obj::Ref(page_ref.0, page_ref.1))?;
    let (media, rot) = page_geometry(&doc, page_ref)?;

    if docmdp_forbids_changes(&doc) {
        return Err(SignError::BadRequest(
            "tài liệu đã được chứng thực không cho phép thay đổi (DocMDP P=1) / certified document forbids changes".into(),
        ));
    }
    let mut objs = NewObjects::new(doc.size());
    let mut catalog = doc.catalog()?;
    let root_ref = doc.root_ref()?;

    // AcroForm: inline in the catalog, indirect, or absent.
    let (acro_ref, mut acro) = match catalog.get("AcroForm") {
        Some(Obj::Ref(n, g)) => (Some((*n, *g)), doc.resolve_dict(&Obj::Ref(*n, *g))?),
        Some(Obj::Dict(d)) => (None, d.clone()),
        _ => (None, Dict::new()),
    };
    let (fields_ref, mut fields) = match acro.get("Fields") {
        Some(Obj::Ref(n, _)) => (
            Some(*n),
            doc.get(*n)?.as_array().cloned().unwrap_or_default(),
        ),
        Some(Obj::Array(a)) => (None, a.clone()),
        _ => (None, Vec::new()),
    };
    let existing_names = field_names(&doc, &fields);
    let mut n = 1;
    while existing_names.contains(&format!("Signature{n}")) {
        n += 1;
    }
    let field_name = match &reserved {
        Some(r) => r.name.clone(),
        None => format!("Signature{n}"),
    };

    // Placement.
    let time_iso = time.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    // Placement is worked out as the page is displayed (rotation applied) and mapped back
    // to the page's own coordinates for the widget.
    let existing_widgets: Vec<[f64; 4]> = signature_widgets_on_page(&doc, &page_dict)
        .into_iter()
        .map(|c| {
            let [x, y, w, h] = to_visual(rot, &media, [c[0], c[1], c[2] - c[0], c[3] - c[1]]);
            [x, y, x + w, y + h]
        })
        .collect();
    let visual_media = if rot == 0 {
        media
    } else {
        let [vw, vh] = if rot % 180 == 90 {
            [media[3] - media[1], media[2] - media[0]]
        } else {
            [media[2] - media[0], media[3] - media[1]]
        };
        [0.0, 0.0, vw, vh]
    };
    let rect = if req.invisible {
        None
    } else {
        Some(match (req.rect, reserved.as_ref().map(|r| r.rect)) {
            (Some([x, y, w, h]), _) => {
                if w <= 0.0 || h <= 0.0 {
                    return Err(SignError::BadRequest(
                        "rect width/height must be > 0".into(),
                    ));
                }
                to_user(rot, &media, [x, y, w, h])
            }
            (None, Some(r)) => r,
            (None, None) => match leader_block(
                &req.input,
                req.role,
                page_no,
                rot,
                &media,
                &existing_widgets,
            ) {
                Some(r) => r,
                None => to_user(
                    rot,
                    &media,
                    text_aware_rect(
                        req,
                        TextAware {
                            page_no,
                            rot,
                            media: &media,
                            visual_media: &visual_media,
                            existing: &existing_widgets,
                        },
                        &stamp_lines(req, &org_name, &time_iso),
                    )?,
                ),
            },
        })
    };

    let load = |p: &Option<PathBuf>| -> Result<Option<Image>, SignError> {
        p.as_deref().map(appearance::load_png).transpose()
    };
    let image = load(&req.image)?;
    let seal = load(&req.seal)?;
    // A stamp without the unit's name prints the seal certificate's organisation.
    let arrival_with_agency;
    let ap = match rect {
        None => None,
        Some([_, _, uw, uh]) => {
            let (w, h) = if rot % 180 == 90 { (uh, uw) } else { (uw, uh) };
            let spec = match req.role {
                Role::Leader => AppearanceSpec::Leader {
                    image: image.as_ref(),
                    name: signer_name.clone(),
                },
                Role::Organization => match &req.arrival {
                    Some(stamp) if stamp.agency.trim().is_empty() => {
                        arrival_with_agency = crate::arrival::ArrivalStamp {
                            agency: org_name.clone(),
                            ..stamp.clone()
                        };
                        AppearanceSpec::Arrival {
                            stamp: &arrival_with_agency,
                            time: time_iso.clone(),
                        }
                    }
                    Some(stamp) => AppearanceSpec::Arrival {
                        stamp,
                        time: time_iso.clone(),
                    },
                    None => AppearanceSpec::Organization {
                        seal: seal.as_ref().or(image.as_ref()),
                        name: org_name.clone(),
                        time: time_iso.clone(),
                    },
                },
                Role::Attachment => AppearanceSpec::Stamp {
                    lines: stamp_lines(req, &org_name, &time_iso),
                },
            };
            Some(appearance::build(&spec, w, h, rot, &mut objs)?)
        }
    };

    // Signature value dictionary (placeholders filled in by write_update).
    let mut sig = Dict::new()
        .with("Type", Obj::name("Sig"))
        .with("Filter", Obj::name("Adobe.PPKLite"))
        .with("SubFilter", Obj::name("ETSI.CAdES.detached"))
        .with("M", Obj::string(&pdf_date(&time)))
        .with("Name", text_string(&signer_name));
    if let Some(r) = &req.reason {
        sig.set("Reason", text_string(r));
    }
    if let Some(l) = &req.location {
        sig.set("Location", text_string(l));
    }
    let sig_num = objs.reserve();
    objs.put(sig_num, Obj::Dict(sig));

    let widget_rect = match rect {
        Some([x, y, w, h]) => vec![
            Obj::Real(x),
            Obj::Real(y),
            Obj::Real(x + w),
            Obj::Real(y + h),
        ],
        None => vec![Obj::Int(0); 4],
    };
    if let Some(r) = reserved {
        // Fill the reserved field in place: only its /V and appearance change.
        let mut field = r.dict;
        field.set("V", Obj::Ref(sig_num, 0));
        field.set("P", Obj::Ref(page_ref.0, page_ref.1));
        if let Some(ap) = ap {
            field.set("AP", Obj::Dict(Dict::new().with("N", ap)));
        }
        objs.put(r.num, Obj::Dict(field));
        acro.set("SigFlags", Obj::Int(3));
        match acro_ref {
            Some((an, _)) => objs.put(an, Obj::Dict(acro)),
            None => {
                catalog.set("AcroForm", Obj::Dict(acro));
                objs.put(root_ref.0, Obj::Dict(catalog));
            }
        }
        let _ = (&mut page_dict, &mut fields, fields_ref);
        return finish(FinishArgs {
            req,
            signer,
            data,
            pass,
            doc: &doc,
            objs,
            sig_num,
            page_no,
            rect,
            field_name,
            signer_name,
            time_iso,
        });
    }
    let mut widget = Dict::new()
        .with("Type", Obj::name("Annot"))
        .with("Subtype", Obj::name("Widget"))
        .with("FT", Obj::name("Sig"))
        .with("T", text_string(&field_name))
        .with("V", Obj::Ref(sig_num, 0))
        .with("F", Obj::Int(132))
        .with("P", Obj::Ref(page_ref.0, page_ref.1))
        .with("Rect", Obj::Array(widget_rect));
    if let Some(ap) = ap {
        widget.set("AP", Obj::Dict(Dict::new().with("N", ap)));
    }
    let widget_ref = objs.add(Obj::Dict(widget));

    // Page /Annots.
    match page_dict.get("Annots").cloned() {
        Some(Obj::Ref(an, _)) => {
            let mut arr = doc.get(an)?.as_array().cloned().unwrap_or_default();
            arr.push(widget_ref.clone());
            objs.put(an, Obj::Array(arr));
        }
        Some(Obj::Array(mut arr)) => {
            arr.push(widget_ref.clone());
            page_dict.set("Annots", Obj::Array(arr));
            objs.put(page_ref.0, Obj::Dict(page_dict));
        }
        _ => {
            page_dict.set("Annots", Obj::Array(vec![widget_ref.clone()]));
            objs.put(page_ref.0, Obj::Dict(page_dict));
        }
    }

    // AcroForm /Fields and /SigFlags (SignaturesExist | AppendOnly).
    fields.push(widget_ref);
    if let Some(fr) = fields_ref {
        objs.put(fr, Obj::Array(fields));
    } else {
        acro.set("Fields", Obj::Array(fields));
    }
    acro.set("SigFlags", Obj::Int(3));
    match acro_ref {
        Some((an, _)) => objs.put(an, Obj::Dict(acro)),
        None => {
            let r = objs.add(Obj::Dict(acro));
            catalog.set("AcroForm", r);
            objs.put(root_ref.0, Obj::Dict(catalog));
        }
    }

    finish(FinishArgs {
        req,
        signer,
        data,
        pass,
        doc: &doc,
        objs,
        sig_num,
        page_no,
        rect,
        field_name,
        signer_name,
        time_iso,
    })
}

struct FinishArgs<'a, 'd> {
    req: &'a SignRequest,
    signer: &'a dyn Signer,
    data: &'a [u8],
    pass: InputPass,
    doc: &'a Doc<'d>,
    objs: NewObjects,
    sig_num: u32,
    page_no: u32,
    rect: Option<[f64; 4]>,
    field_name: String,
    signer_name: String,
    time_iso: String,
}

/// Writes the file with the update, hashes it on the way, signs on the token and fills
/// /Contents in place.
fn finish(a: FinishArgs<'_, '_>) -> Result<SignOutcome, SignError> {
    let FinishArgs {
        req,
        signer,
        data,
        pass,
        doc,
        mut objs,
        sig_num,
        page_no,
        rect,
        field_name,
        signer_name,
        time_iso,
    } = a;
    // An object we rewrote might have lived in an object stream; the update's xref
    // entry supersedes that, which is exactly what incremental updates are for.
    let capacity = contents_capacity(signer, req.tsa_url.is_some());
    let use_stream = doc.sections[0].is_stream;
    let needs_nl = !matches!(data.last(), Some(b'\n') | Some(b'\r'));
    let (mut update, ph) = write_update(
        data.len(),
        needs_nl,
        &mut objs,
        &doc.trailer,
        doc.startxref,
        use_stream,
        Some(sig_num),
        capacity,
    );
    let ph = ph.expect("signature placeholder written");
    let base = data.len();
    let (cs, ce) = ph.contents;
    let total = base + update.len();
    let br = format!("[0 {} {} {}]", base + cs, base + ce, total - (base + ce));
    let slot = &mut update[ph.byte_range.0..ph.byte_range.1];
    if br.len() > slot.len() {
        return Err(SignError::Cms(
            "file too large for byte range placeholder".into(),
        ));
    }
    slot.fill(b' ');
    slot[..br.len()].copy_from_slice(br.as_bytes());

    // The pass over the original bytes (started in prepare_sign) ends here; the update
    // follows with its /Contents placeholder, which is outside the signed ranges. Only the
    // signature is written later, in place: nothing is read back.
    let (mut out, mut h) = pass.join()?;
    // The file's own hash goes on from the original bytes; the update joins it once its
    // signature is in place.
    let mut file_hash = h.clone();
    h.update(&update[..cs]);
    h.update(&update[ce..]);
    out.append(&update)?;
    let digest = h.finalize();

    let cert_der = signer.certificate_der();
    let attrs = cmsbuild::signed_attributes(&digest, &cert_der)?;
    let to_sign = cmsbuild::signed_attrs_der(&attrs)?;
    let signature = signer.sign(&to_sign)?;
    // Self-check instead of re-reading the file: the signed attributes carry the digest
    // of exactly the bytes written, so a signature that verifies under the certificate's
    // key here is one a verifier will accept; a token whose key does not match the
    // certificate it presents fails now rather than in the recipient's hands.
    if !crate::verify::signature_matches(
        signer.certificate(),
        &cmsbuild::signature_alg(signer.algorithm()).oid,
        &to_sign,
        &signature,
    ) {
        return Err(SignError::Token(
            "chữ ký do token tạo không khớp với chứng thư số / the signature does not verify under the token's certificate".into(),
        ));
    }
    let tst = match &req.tsa_url {
        Some(url) => Some(cmsbuild::fetch_timestamp(url, &signature)?),
        None => None,
    };
    let timestamped = tst.is_some();
    let cms = cmsbuild::assemble(
        signer.certificate(),
        &signer.chain(),
        signer.algorithm(),
        attrs,
        signature,
        tst,
    )?;
    if cms.len() > capacity {
        return Err(SignError::Cms(format!(
            "signature ({} bytes) larger than reserved space ({capacity})",
            cms.len()
        )));
    }
    let hexsig = hex::encode_upper(&cms);
    out.patch((base + cs + 1) as u64, hexsig.as_bytes())?;
    update[cs + 1..cs + 1 + hexsig.len()].copy_from_slice(hexsig.as_bytes());
    file_hash.update(&update);
    out.commit()?;
    Ok(SignOutcome {
        output: req.output.clone(),
        field: field_name,
        signer: signer_name,
        signing_time: time_iso,
        page: page_no,
        rect,
        timestamped,
        sha256: hex::encode(file_hash.finalize()),
        size: total as u64,
    })
}

struct Reserved {
    num: u32,
    dict: Dict,
    name: String,
    page_idx: usize,
    rect: [f64; 4],
}

/// The first empty signature field that is its own widget with a real rectangle on a
/// known page (optionally the requested page).
fn find_reserved_field(
    doc: &Doc<'_>,
    pages: &[(u32, u16)],
    want_page: Option<u32>,
) -> Option<Reserved> {
    let cat = doc.catalog().ok()?;
    let acro = doc.resolve_dict(cat.get("AcroForm")?).ok()?;
    let fields = doc.resolve(acro.get("Fields")?).ok()?.as_array()?.clone();
    for f in fields {
        let Some((num, _)) = f.as_ref() else { continue };
        let Ok(d) = doc.resolve_dict(&f) else {
            continue;
        };
        if !d.name_is("FT", "Sig") || d.get("V").is_some() || d.get("Kids").is_some() {
            continue;
        }
        let Some(r) = rect_of(d.get("Rect")) else {
            continue;
        };
        if r[2] - r[0] < 10.0 || r[3] - r[1] < 10.0 {
            continue;
        }
        let page_idx = d
            .get("P")
            .and_then(Obj::as_ref)
            .and_then(|p| pages.iter().position(|x| x.0 == p.0))
            .or_else(|| {
                pages.iter().position(|p| {
                    doc.resolve_dict(&Obj::Ref(p.0, p.1))
                        .ok()
                        .and_then(|pd| pd.get("Annots").and_then(|a| doc.resolve(a).ok()))
                        .and_then(|a| a.as_array().cloned())
                        .is_some_and(|a| a.iter().any(|x| x.as_ref().map(|x| x.0) == Some(num)))
                })
            })?;
        if want_page.is_some_and(|w| w as usize != page_idx + 1) {
            continue;
        }
        let name = match d.get("T") {
            Some(Obj::Str(t)) => decode_text(t),
            _ => continue,
        };
        return Some(Reserved {
            num,
            dict: d,
            name,
            page_idx,
            rect: [r[0], r[1], r[2] - r[0], r[3] - r[1]],
        });
    }
    None
}

/// Visual (as displayed, /Rotate applied, origin at the displayed lower-left) rectangle
/// → rectangle in the page's user space. Unrotated pages use user space directly.
fn to_user(rot: i64, m: &[f64; 4], [x, y, w, h]: [f64; 4]) -> [f64; 4] {
    let [x0, y0, x1, y1] = *m;
    match rot {
        90 => [x1 - y - h, y0 + x, h, w],
        180 => [x1 - x - w, y1 - y - h, w, h],
        270 => [x0 + y, y1 - x - w, h, w],
        _ => [x, y, w, h],
    }
}

/// Inverse of [`to_user`].
fn to_visual(rot: i64, m: &[f64; 4], [x, y, w, h]: [f64; 4]) -> [f64; 4] {
    let [x0, y0, x1, y1] = *m;
    match rot {
        90 => [y - y0, x1 - x - w, h, w],
        180 => [x1 - x - w, y1 - y - h, w, h],
        270 => [y1 - y - h, x - x0, h, w],
        _ => [x, y, w, h],
    }
}

/// A certification signature with DocMDP P=1 forbids any later change, signatures included.
fn docmdp_forbids_changes(doc: &Doc<'_>) -> bool {
    let Ok(cat) = doc.catalog() else { return false };
    let Some(perms) = cat.get("Perms").and_then(|p| doc.resolve_dict(p).ok()) else {
        return false;
    };
    let Some(sig) = perms.get("DocMDP").and_then(|s| doc.resolve_dict(s).ok()) else {
        return false;
    };
    let refs = sig
        .get("Reference")
        .and_then(|r| doc.resolve(r).ok())
        .and_then(|r| r.as_array().cloned())
        .unwrap_or_default();
    refs.iter().any(|r| {
        doc.resolve_dict(r)
            .ok()
            .and_then(|d| {
                d.get("TransformParams")
                    .and_then(|t| doc.resolve_dict(t).ok())
            })
            .and_then(|t| t.get("P").and_then(Obj::as_int))
            == Some(1)
    })
}

fn stamp_lines(req: &SignRequest, org: &str, time_iso: &str) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(n) = &req.notation {
        v.push(format!("Số: {n}"));
    }
    v.push(org.to_string());
    v.push(time_iso.to_string());
    v
}

fn auto_rect(
    req: &SignRequest,
    media: &[f64; 4],
    existing: &[[f64; 4]],
    stamp: &[String],
) -> Result<[f64; 4], SignError> {
    let [x0, y0, x1, y1] = *media;
    let (pw, ph) = (x1 - x0, y1 - y0);
    match req.role {
        Role::Attachment => {
            let (w, h) = appearance::stamp_size(stamp)?;
            let w = w.min(pw - 20.0).max(40.0);
            Ok([x1 - w - 14.0, y1 - h - 14.0, w, h])
        }
        Role::Organization => {
            // Overlap the left third of the leader's signature if there is one on the page.
            if let Some(l) = existing.last() {
                let (lw, lh) = (l[2] - l[0], l[3] - l[1]);
                let s = (lh * 1.4).clamp(60.0, 140.0);
                let cx = l[0] + lw / 6.0;
                let cy = l[1] + lh / 2.0;
                return Ok([cx - s / 2.0 - s / 6.0, cy - s / 2.0, s, s]);
            }
            let s = 110.0f64.min(pw / 3.0).min(ph / 3.0);
            Ok([x1 - s - 0.2 * pw, y0 + ph * 0.25, s, s])
        }
        Role::Leader => {
            let w = 170.0f64.min(pw * 0.4);
            let h = 70.0f64.min(ph * 0.3);
            Ok([x1 - w - pw * 0.08, y0 + (ph * 0.2).max(h * 0.2), w, h])
        }
    }
}

/// The page a text-aware placement looks at.
struct TextAware<'a> {
    page_no: u32,
    rot: i64,
    /// The page's box in user space.
    media: &'a [f64; 4],
    /// The page's box as displayed.
    visual_media: &'a [f64; 4],
    /// Signatures already on the page, as displayed (`[x0, y0, x1, y1]`).
    existing: &'a [[f64; 4]],
}

/// The automatic placement when no signer block decides it, as displayed: the arrival
/// stamp in the top margin ([`crate::arrival::place`]), the organisation signature off the
/// text ([`crate::free_space::organization_box`]), else the geometric [`auto_rect`].
/// The text runs are read through pdfium in user space and mapped to the page as
/// displayed. An arrival stamp needs them (it is refused rather than placed blind); an
/// organisation signature keeps the geometric box when they cannot be read.
fn text_aware_rect(
    req: &SignRequest,
    page: TextAware<'_>,
    stamp: &[String],
) -> Result<[f64; 4], SignError> {
    let text = || {
        crate::free_space::text_boxes(&req.input, page.page_no - 1).map(|boxes| {
            boxes
                .into_iter()
                .map(|b| {
                    let [x, y, w, h] =
                        to_visual(page.rot, page.media, [b[0], b[1], b[2] - b[0], b[3] - b[1]]);
                    [x, y, x + w, y + h]
                })
                .collect::<Vec<_>>()
        })
    };
    if req.arrival.is_some() {
        let text = text().ok_or_else(|| {
            SignError::NoFreeSpace(
                "không đọc được chữ trên trang 1 (thiếu pdfium?) nên không biết chỗ trống để đóng dấu đến / cannot read the text of page 1 (pdfium missing?) to place the arrival stamp".into(),
            )
        })?;
        return crate::arrival::place(&text, page.existing, page.visual_media);
    }
    let wanted = auto_rect(req, page.visual_media, page.existing, stamp)?;
    match (req.role, text()) {
        (Role::Organization, Some(text)) => {
            crate::free_space::organization_box(&text, page.visual_media, wanted)
        }
        _ => Ok(wanted),
    }
}

/// The leader's automatic placement from the document's own signer block (see
/// [`crate::signer_block`]), when one is found on an unrotated page and no signature is
/// there yet; `None` sends the caller to [`auto_rect`]. Detection never fails a signing.
fn leader_block(
    input: &Path,
    role: Role,
    page_no: u32,
    rot: i64,
    media: &[f64; 4],
    existing: &[[f64; 4]],
) -> Option<[f64; 4]> {
    if role != Role::Leader {
        return None;
    }
    if rot != 0 {
        // The block's rectangle would need the page's rotation applied; the geometric
        // placement already handles rotated pages.
        tracing::debug!("signer block: page {page_no} is rotated, using the fixed placement");
        return None;
    }
    let r = crate::signer_block::find_signer_block(input, page_no - 1, media)?;
    let taken = existing
        .iter()
        .any(|e| r[0] < e[2] && e[0] < r[0] + r[2] && r[1] < e[3] && e[1] < r[1] + r[3]);
    if taken {
        tracing::debug!("signer block: a signature is already there, using the fixed placement");
        return None;
    }
    Some(r)
}

fn field_names(doc: &Doc<'_>, fields: &[Obj]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(Obj, usize)> = fields.iter().map(|f| (f.clone(), 0)).collect();
    while let Some((f, depth)) = stack.pop() {
        if depth > 32 {
            continue;
        }
        let Ok(d) = doc.resolve_dict(&f) else {
            continue;
        };
        if let Some(Obj::Str(t)) = d.get("T") {
            out.push(decode_text(t));
        }
        if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k).ok()) {
            for k in kids.as_array().into_iter().flatten() {
                stack.push((k.clone(), depth + 1));
            }
        }
    }
    out
}

fn signature_widgets_on_page(doc: &Doc<'_>, page: &Dict) -> Vec<[f64; 4]> {
    let Some(annots) = page.get("Annots").and_then(|a| doc.resolve(a).ok()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in annots.as_array().into_iter().flatten() {
        let Ok(d) = doc.resolve_dict(a) else { continue };
        let is_sig = d.name_is("FT", "Sig")
            || d.get("Parent")
                .and_then(|p| doc.resolve_dict(p).ok())
                .is_some_and(|p| p.name_is("FT", "Sig"));
        if is_sig && d.get("V").is_some() {
            if let Some(r) = rect_of(d.get("Rect")) {
                if r[2] - r[0] > 1.0 {
                    out.push(r);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_mapping_round_trips_and_stays_on_page() {
        let m = [10.0, 20.0, 610.0, 820.0];
        let r = [30.0, 40.0, 100.0, 50.0];
        for rot in [0, 90, 180, 270] {
            let u = to_user(rot, &m, r);
            assert_eq!(to_visual(rot, &m, u), r, "rot {rot}");
            if rot != 0 {
                assert!(
                    u[0] >= m[0] && u[1] >= m[1] && u[0] + u[2] <= m[2] && u[1] + u[3] <= m[3],
                    "rot {rot}: {u:?}"
                );
            }
        }
        // Rotate 90: the displayed lower-left corner is the user-space lower-right corner.
        assert_eq!(
            to_user(90, &m, [0.0, 0.0, 1.0, 1.0]),
            [609.0, 20.0, 1.0, 1.0]
        );
    }
}

/// Where a signature would go, as displayed: for the app's preview before signing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlacementPreview {
    /// 1-based page number.
    pub page: u32,
    /// Number of pages in the document.
    pub page_count: u32,
    /// Displayed page size in points (rotation applied).
    pub page_width: f64,
    /// Displayed page height in points.
    pub page_height: f64,
    /// x, y, width, height in points from the displayed page's lower-left corner.
    pub rect: [f64; 4],
    /// True when the rectangle is an empty signature field reserved in the document.
    pub reserved_field: bool,
    /// The displayed page's lower-left corner in the coordinates [`SignRequest::rect`]
    /// takes: add it to `rect` to sign exactly there.
    pub origin: [f64; 2],
}

impl PlacementPreview {
    /// `rect` in the coordinates of [`SignRequest::rect`].
    pub fn request_rect(&self) -> [f64; 4] {
        let [x, y, w, h] = self.rect;
        [x + self.origin[0], y + self.origin[1], w, h]
    }
}

/// Works out the placement [`sign_pdf`] would use for `role` (with `page`/`rect` as in
/// [`SignRequest`], `rect` relative to the displayed page's lower-left corner), without
/// signing. Attachment stamps are sized for a typical stamp text.
pub fn plan_placement(
    input: &Path,
    role: Role,
    page: Option<u32>,
    rect: Option<[f64; 4]>,
) -> Result<PlacementPreview, SignError> {
    let data = std::fs::read(input).map_err(|e| SignError::Io(input.display().to_string(), e))?;
    let doc = Doc::open(&data)?;
    let pages = doc.pages()?;
    if pages.is_empty() {
        return Err(SignError::BadRequest(
            "tệp PDF không có trang / no pages".into(),
        ));
    }
    let reserved = if rect.is_none() && role == Role::Leader {
        find_reserved_field(&doc, &pages, page)
    } else {
        None
    };
    let page_no = match page {
        Some(n) if n == 0 || n as usize > pages.len() => {
            return Err(SignError::BadRequest(format!(
                "trang {n} không tồn tại (tệp có {} trang) / no page {n}",
                pages.len()
            )))
        }
        Some(n) => n,
        None => match &reserved {
            Some(r) => r.page_idx as u32 + 1,
            None if role == Role::Attachment => 1,
            None => pages.len() as u32,
        },
    };
    let page_ref = pages[page_no as usize - 1];
    let page_dict = doc.resolve_dict(&Obj::Ref(page_ref.0, page_ref.1))?;
    let (media, rot) = page_geometry(&doc, page_ref)?;
    // Visual coordinates of an unrotated page keep the MediaBox origin; rotated pages
    // start at 0,0 (see to_visual). The preview is relative to the displayed corner.
    let visual_media = if rot == 0 {
        media
    } else {
        let [vw, vh] = if rot % 180 == 90 {
            [media[3] - media[1], media[2] - media[0]]
        } else {
            [media[2] - media[0], media[3] - media[1]]
        };
        [0.0, 0.0, vw, vh]
    };
    let [ox, oy] = [visual_media[0], visual_media[1]];
    let existing: Vec<[f64; 4]> = signature_widgets_on_page(&doc, &page_dict)
        .into_iter()
        .map(|c| {
            let [x, y, w, h] = to_visual(rot, &media, [c[0], c[1], c[2] - c[0], c[3] - c[1]]);
            [x, y, x + w, y + h]
        })
        .collect();
    let visual = match (rect, &reserved) {
        (Some([x, y, w, h]), _) => {
            if w <= 0.0 || h <= 0.0 {
                return Err(SignError::BadRequest(
                    "rect width/height must be > 0".into(),
                ));
            }
            [x + ox, y + oy, w, h]
        }
        (None, Some(r)) => to_visual(rot, &media, r.rect),
        (None, None) => {
            let req = SignRequest {
                role,
                ..Default::default()
            };
            let stamp = [
                "Số: 000/XX-XXXX".to_string(),
                "Ủy ban nhân dân tỉnh".to_string(),
                "2000-01-01T00:00:00+07:00".to_string(),
            ];
            match leader_block(input, role, page_no, rot, &media, &existing) {
                Some(r) => r,
                None => text_aware_rect(
                    &req,
                    TextAware {
                        page_no,
                        rot,
                        media: &media,
                        visual_media: &visual_media,
                        existing: &existing,
                    },
                    &stamp,
                )?,
            }
        }
    };
    Ok(PlacementPreview {
        page: page_no,
        page_count: pages.len() as u32,
        page_width: visual_media[2] - visual_media[0],
        page_height: visual_media[3] - visual_media[1],
        rect: [visual[0] - ox, visual[1] - oy, visual[2], visual[3]],
        reserved_field: reserved.is_some(),
        origin: [ox, oy],
    })
}
