//! Difference analysis: what the incremental updates after a signature changed, and whether
//! a signature permits it. Modelled on pyHanko's `diff_analysis` (a whitelist): every
//! object an update overwrites must be explained by one rule, otherwise the change is
//! disallowed. New objects need no rule of their own: they only become visible through an
//! overwritten object (or a new catalog), and those are checked.
//!
//! Permitted after a signature (like pyHanko's default policy):
//! * catalog changes in /AcroForm, /DSS, /Extensions, /Metadata, /MarkInfo, /Version only,
//!   even when the trailer points at a new catalog object;
//! * DSS/VRI, the document information dictionary, XMP metadata (outside what pages use);
//! * new signature fields (and document timestamps) at the top of the form, their widget
//!   on a page's /Annots and their appearance;
//! * filling an empty signature field, and filling other form fields (/V, /AS, /AP) when
//!   no DocMDP level forbids it.
//!
//! Everything else — a page tree node, a page's /Contents or /Resources, any object a page
//! draws, an annotation other than a signature widget, a freed object — is disallowed.
//! Each update is compared with the signed revision separately, as pyHanko does, so an
//! intermediate update cannot hide behind a later one.
use std::collections::{HashMap, HashSet};

use crate::pdf::doc::{Doc, XrefEntry};
use crate::pdf::object::{Dict, Obj};

/// How far the permitted changes go (pyHanko's ModificationLevel, without ANNOTATIONS:
/// its default policy has no rule for annotations either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Signature maintenance: DSS, metadata, invisible fields and document timestamps.
    Lta,
    /// Signing (visible fields) and form filling.
    FormFilling,
}

#[derive(Debug)]
pub(crate) struct Analysis {
    pub level: Option<Level>,
    /// Disallowed changes, one Vietnamese/English line each; empty = all permitted.
    pub problems: Vec<String>,
}

const ROOT_EXEMPT: &[&str] = &[
    "AcroForm",
    "DSS",
    "Extensions",
    "Metadata",
    "MarkInfo",
    "Version",
];
/// /SigFlags is added with the first signature and harmless afterwards.
const ACROFORM_EXEMPT: &[&str] = &["Fields", "DR", "DA", "Q", "NeedAppearances", "SigFlags"];
/// Keys a form field (or its widget) may change when its value is filled.
const VALUE_UPDATE_KEYS: &[&str] = &["Ff", "Type", "AP", "AS", "V", "F", "DA", "Q"];

/// The byte offset just past each revision's `%%EOF` that starts at or after `from`,
/// in file order, from the sections of `doc` (the whole file).
pub(crate) fn revision_ends(data: &[u8], doc: &Doc<'_>, from: usize) -> Vec<usize> {
    let mut offs: Vec<usize> = doc
        .sections
        .iter()
        .map(|s| s.offset)
        .filter(|o| *o >= from)
        .collect();
    offs.sort_unstable();
    offs.dedup();
    let mut ends = Vec::new();
    for o in offs {
        let Some(rel) = data[o..].windows(5).position(|w| w == b"%%EOF") else {
            ends.push(data.len());
            continue;
        };
        let mut e = o + rel + 5;
        while e < data.len() && matches!(data[e], b'\r' | b'\n') {
            e += 1;
        }
        if ends.last() != Some(&e) {
            ends.push(e);
        }
    }
    ends
}

/// The DocMDP permission (1..=3) recorded in a signature dictionary's /Reference.
pub(crate) fn docmdp_of_sig(doc: &Doc<'_>, sig: &Dict) -> Option<i64> {
    let refs = sig.get("Reference").and_then(|r| doc.resolve(r).ok())?;
    for r in refs.as_array()? {
        let Ok(d) = doc.resolve_dict(r) else { continue };
        if d.name_is("TransformMethod", "DocMDP") {
            let p = d
                .get("TransformParams")
                .and_then(|t| doc.resolve_dict(t).ok())
                .and_then(|t| t.get("P").and_then(Obj::as_int))
                .unwrap_or(2);
            return Some(p.clamp(1, 3));
        }
    }
    None
}

/// The certification signature's DocMDP level in `doc` (catalog /Perms /DocMDP).
pub(crate) fn certification_level(doc: &Doc<'_>) -> Option<i64> {
    let cat = doc.catalog().ok()?;
    let perms = doc.resolve_dict(cat.get("Perms")?).ok()?;
    let sig = doc.resolve_dict(perms.get("DocMDP")?).ok()?;
    docmdp_of_sig(doc, &sig)
}

/// Analyses every update in `data[signed_end..]` against the revision `data[..signed_end]`.
pub(crate) fn analyse(
    data: &[u8],
    doc: &Doc<'_>,
    signed_end: usize,
    docmdp: Option<i64>,
) -> Analysis {
    let mut out = Analysis {
        level: None,
        problems: Vec::new(),
    };
    if signed_end >= data.len() {
        return out;
    }
    let Ok(old) = Doc::open(&data[..signed_end]) else {
        out.problems
            .push("không đọc được phiên bản đã ký / cannot read the signed revision".into());
        return out;
    };
    let ends = revision_ends(data, doc, signed_end);
    if ends.is_empty() {
        // Bytes after the signed revision that are no update: a reader ignores them,
        // unless they are more than padding.
        if !data[signed_end..]
            .iter()
            .all(|b| crate::pdf::object::is_ws(*b))
        {
            out.problems.push(
                "có dữ liệu lạ sau phần đã ký / unknown data after the signed revision".into(),
            );
        }
        return out;
    }
    let old_info = OldInfo::new(&old);
    let mut start = signed_end;
    for end in ends {
        let Ok(new) = Doc::open(&data[..end]) else {
            out.problems
                .push("không đọc được bản cập nhật / cannot read an update".into());
            start = end;
            continue;
        };
        let entries: Vec<(u32, XrefEntry)> = doc
            .sections
            .iter()
            .filter(|s| s.offset >= start && s.offset < end)
            .flat_map(|s| s.entries.iter().copied())
            .collect();
        let (level, problems) = revision(&old, &old_info, &new, &entries, docmdp);
        out.level = out.level.max(level);
        for p in problems {
            if !out.problems.contains(&p) {
                out.problems.push(p);
            }
        }
        start = end;
    }
    if let Some(p) = docmdp {
        let allowed = if p <= 1 {
            Level::Lta
        } else {
            Level::FormFilling
        };
        if out.level.is_some_and(|l| l > allowed) {
            out.problems.push(format!(
                "chữ ký chứng thực (DocMDP P={p}) không cho phép ký thêm hay điền biểu mẫu / certification (DocMDP P={p}) forbids signing and form filling"
            ));
        }
    }
    out
}

/// Facts about the signed revision, shared by every update's analysis.
struct OldInfo {
    root: u32,
    catalog: Dict,
    acroform_ref: Option<u32>,
    fields_ref: Option<u32>,
    /// Top-level /Fields entries.
    top_fields: Vec<Obj>,
    /// Every field and widget node of the form, with whether it is a signature field
    /// (own or inherited /FT /Sig) and whether it already has a value.
    fields: HashMap<u32, (bool, bool)>,
    /// Page tree nodes: true for leaves (/Page).
    pages: HashMap<u32, bool>,
    /// Indirect /Annots arrays of pages → the page.
    annots_arrays: HashMap<u32, u32>,
    info_ref: Option<u32>,
    metadata_ref: Option<u32>,
    dss_refs: HashSet<u32>,
    /// Objects reachable from the catalog except through /DSS and /Metadata (lazy: only
    /// needed when an update overwrites a DSS, metadata or information object).
    visible: std::cell::OnceCell<HashSet<u32>>,
}

impl OldInfo {
    fn new(old: &Doc<'_>) -> OldInfo {
        let root = old.root_ref().map(|r| r.0).unwrap_or(0);
        let catalog = old.catalog().unwrap_or_default();
        let acroform_ref = catalog.get("AcroForm").and_then(Obj::as_ref).map(|r| r.0);
        let acro = catalog
            .get("AcroForm")
            .and_then(|a| old.resolve_dict(a).ok())
            .unwrap_or_default();
        let fields_ref = acro.get("Fields").and_then(Obj::as_ref).map(|r| r.0);
        let top_fields = acro
            .get("Fields")
            .and_then(|f| old.resolve(f).ok())
            .and_then(|f| f.as_array().cloned())
            .unwrap_or_default();
        let fields = field_nodes(old, &top_fields);
        let mut pages = HashMap::new();
        let mut annots_arrays = HashMap::new();
        if let Some(root_pages) = catalog.get("Pages").and_then(Obj::as_ref) {
            let mut stack = vec![(root_pages.0, 0usize)];
            while let Some((n, depth)) = stack.pop() {
                if depth > 64 || pages.contains_key(&n) {
                    continue;
                }
                let Ok(d) = old.resolve_dict(&Obj::Ref(n, 0)) else {
                    continue;
                };
                let kids = d.get("Kids").and_then(|k| old.resolve(k).ok());
                pages.insert(n, kids.is_none());
                if let Some(a) = d.get("Annots").and_then(Obj::as_ref) {
                    annots_arrays.insert(a.0, n);
                }
                for k in kids.iter().filter_map(Obj::as_array).flatten() {
                    if let Some(r) = k.as_ref() {
                        stack.push((r.0, depth + 1));
                    }
                }
            }
        }
        let info_ref = old.trailer.get("Info").and_then(Obj::as_ref).map(|r| r.0);
        let metadata_ref = catalog.get("Metadata").and_then(Obj::as_ref).map(|r| r.0);
        let mut dss_refs = HashSet::new();
        if let Some(d) = catalog.get("DSS") {
            reach(old, d, &mut dss_refs, &HashSet::new(), usize::MAX);
        }
        OldInfo {
            root,
            catalog,
            acroform_ref,
            fields_ref,
            top_fields,
            fields,
            pages,
            annots_arrays,
            info_ref,
            metadata_ref,
            dss_refs,
            visible: Default::default(),
        }
    }

    fn visible(&self, old: &Doc<'_>) -> &HashSet<u32> {
        self.visible.get_or_init(|| {
            let mut seen = HashSet::new();
            seen.insert(self.root);
            let skip: HashSet<u32> = self
                .dss_refs
                .iter()
                .copied()
                .chain(self.metadata_ref)
                .collect();
            for (k, v) in &self.catalog.0 {
                if k == b"DSS" || k == b"Metadata" {
                    continue;
                }
                reach(old, v, &mut seen, &skip, 2_000_000);
            }
            seen
        })
    }
}

/// Object numbers reachable from `o` (not entering `skip`), up to `limit` objects.
fn reach(doc: &Doc<'_>, o: &Obj, seen: &mut HashSet<u32>, skip: &HashSet<u32>, limit: usize) {
    let mut stack = vec![o.clone()];
    while let Some(o) = stack.pop() {
        match o {
            Obj::Ref(n, _) => {
                if skip.contains(&n) || seen.len() >= limit || !seen.insert(n) {
                    continue;
                }
                if let Ok(v) = doc.get(n) {
                    stack.push(v);
                }
            }
            Obj::Array(a) => stack.extend(a),
            Obj::Dict(d) | Obj::Stream(d, _) => stack.extend(d.0.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

fn field_nodes(doc: &Doc<'_>, top: &[Obj]) -> HashMap<u32, (bool, bool)> {
    let mut out = HashMap::new();
    // (node, inherited signature type, inherited value, depth): a widget kid of a signed
    // field is as frozen as the field itself.
    let mut stack: Vec<(Obj, bool, bool, usize)> =
        top.iter().map(|f| (f.clone(), false, false, 0)).collect();
    while let Some((f, parent_sig, parent_value, depth)) = stack.pop() {
        let Some((n, _)) = f.as_ref() else { continue };
        if depth > 32 || out.contains_key(&n) {
            continue;
        }
        let Ok(d) = doc.resolve_dict(&f) else {
            continue;
        };
        let is_sig = d.name_is("FT", "Sig") || (parent_sig && d.get("FT").is_none());
        let has_value = d.get("V").is_some() || (parent_value && d.get("T").is_none());
        out.insert(n, (is_sig, has_value));
        if let Some(kids) = d.get("Kids").and_then(|k| doc.resolve(k).ok()) {
            for k in kids.as_array().into_iter().flatten() {
                stack.push((k.clone(), is_sig, has_value, depth + 1));
            }
        }
    }
    out
}

fn key_str(k: &[u8]) -> String {
    String::from_utf8_lossy(k).into_owned()
}

/// Keys whose values differ between `a` and `b`, ignoring `exempt`.
fn differing_keys(a: &Dict, b: &Dict, exempt: &[&str]) -> Vec<String> {
    let mut keys: Vec<&Vec<u8>> = a.0.iter().map(|(k, _)| k).collect();
    for (k, _) in &b.0 {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .filter(|k| !exempt.iter().any(|e| e.as_bytes() == k.as_slice()))
        .filter(|k| {
            let find = |d: &Dict| d.0.iter().find(|(kk, _)| kk == *k).map(|p| p.1.clone());
            find(a) != find(b)
        })
        .map(|k| key_str(k))
        .collect()
}

fn type_of(o: &Obj) -> String {
    o.as_dict()
        .and_then(|d| d.get("Type").or_else(|| d.get("Subtype")))
        .and_then(Obj::as_name)
        .map(key_str)
        .unwrap_or_else(|| "object".into())
}

fn is_new(old: &Doc<'_>, n: u32) -> bool {
    !matches!(
        old.xref.get(&n),
        Some(XrefEntry::InFile(_) | XrefEntry::InStream(..))
    )
}

fn array_of(doc: &Doc<'_>, o: Option<&Obj>) -> Vec<Obj> {
    o.and_then(|x| doc.resolve(x).ok())
        .and_then(|x| x.as_array().cloned())
        .unwrap_or_default()
}

fn visible_rect(d: &Dict) -> bool {
    let r: Vec<f64> = d
        .get("Rect")
        .and_then(Obj::as_array)
        .map(|a| a.iter().filter_map(Obj::as_f64).collect())
        .unwrap_or_default();
    r.len() == 4 && ((r[2] - r[0]) * (r[3] - r[1])).abs() > 0.0
}

/// Why the new /DSS is not an acceptable DSS update, if it is not.
fn dss_shape(old: &Doc<'_>, old_cat: &Dict, new: &Doc<'_>, new_cat: &Dict) -> Option<String> {
    let bad = |what: String| Some(format!("DSS không hợp lệ / malformed DSS: {what}"));
    let Some(d) = new_cat.get("DSS") else {
        return bad("bị xóa / removed".into());
    };
    let Ok(dss) = new.resolve_dict(d) else {
        return bad("không phải từ điển / not a dictionary".into());
    };
    let dss_keys = ["Type", "VRI", "Certs", "CRLs", "OCSPs"];
    if let Some((k, _)) = dss
        .0
        .iter()
        .find(|(k, _)| !dss_keys.contains(&key_str(k).as_str()))
    {
        return bad(format!("khóa lạ /{}", key_str(k)));
    }
    let old_vri = old_cat
        .get("DSS")
        .and_then(|d| old.resolve_dict(d).ok())
        .and_then(|d| d.get("VRI").and_then(|v| old.resolve_dict(v).ok()))
        .unwrap_or_default();
    let new_vri = dss
        .get("VRI")
        .and_then(|v| new.resolve_dict(v).ok())
        .unwrap_or_default();
    for (k, v) in &old_vri.0 {
        if new_vri.0.iter().find(|(kk, _)| kk == k).map(|p| &p.1) != Some(v) {
            return bad(format!("VRI /{} bị sửa hoặc xóa", key_str(k)));
        }
    }
    let vri_keys = ["Type", "TU", "TS", "Cert", "CRL", "OCSP"];
    for (k, v) in new_vri
        .0
        .iter()
        .filter(|(k, _)| old_vri.get(&key_str(k)).is_none())
    {
        let hex40 = k.len() == 40
            && k.iter()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
        if !hex40 {
            return bad(format!("khóa VRI /{}", key_str(k)));
        }
        let Ok(entry) = new.resolve_dict(v) else {
            return bad("VRI không phải từ điển".into());
        };
        if let Some((k, _)) = entry
            .0
            .iter()
            .find(|(k, _)| !vri_keys.contains(&key_str(k).as_str()))
        {
            return bad(format!("khóa lạ trong VRI /{}", key_str(k)));
        }
    }
    None
}

fn revision(
    old: &Doc<'_>,
    oi: &OldInfo,
    new: &Doc<'_>,
    entries: &[(u32, XrefEntry)],
    docmdp: Option<i64>,
) -> (Option<Level>, Vec<String>) {
    let mut problems = Vec::new();
    let mut level = Some(Level::Lta);
    let bump = |level: &mut Option<Level>, l: Level| *level = (*level).max(Some(l));

    // 1. The catalog, wherever the trailer now points.
    let new_root = new.root_ref().map(|r| r.0).unwrap_or(0);
    let new_cat = new.catalog().unwrap_or_default();
    let diff = differing_keys(&oi.catalog, &new_cat, ROOT_EXEMPT);
    if !diff.is_empty() {
        let what = if new_root != oi.root {
            "danh mục tài liệu (/Root) bị thay bằng đối tượng khác"
        } else {
            "danh mục tài liệu (/Root) bị sửa"
        };
        problems.push(format!(
            "{what}: /{} / document catalog replaced or changed",
            diff.join(", /")
        ));
    }

    // 1b. A changed DSS must still be a DSS (its shape as PAdES defines it, as pyHanko's
    // DSSCompareRule checks); what it lists is validation material, not content.
    let resolved = |doc: &Doc<'_>, cat: &Dict| cat.get("DSS").and_then(|d| doc.resolve(d).ok());
    if resolved(old, &oi.catalog) != resolved(new, &new_cat) {
        if let Some(p) = dss_shape(old, &oi.catalog, new, &new_cat) {
            problems.push(p);
        }
    }

    // 2. The form: old fields stay, new top-level fields are signature fields.
    let new_acro = new_cat
        .get("AcroForm")
        .and_then(|a| new.resolve_dict(a).ok());
    let old_acro = oi
        .catalog
        .get("AcroForm")
        .and_then(|a| old.resolve_dict(a).ok());
    let mut new_sig_fields: HashSet<u32> = HashSet::new();
    match (&old_acro, &new_acro) {
        (Some(_), None) => problems.push("biểu mẫu (AcroForm) bị xóa / form removed".into()),
        (o, Some(n)) => {
            let empty = Dict::new();
            let diff = differing_keys(o.as_ref().unwrap_or(&empty), n, ACROFORM_EXEMPT);
            if !diff.is_empty() {
                problems.push(format!(
                    "biểu mẫu (AcroForm) bị sửa: /{} / form dictionary changed",
                    diff.join(", /")
                ));
            }
            let new_fields = array_of(new, n.get("Fields"));
            for f in &oi.top_fields {
                if !new_fields.contains(f) {
                    problems.push(format!(
                        "trường biểu mẫu bị xóa / form field removed: {}",
                        f.as_ref().map(|r| r.0).unwrap_or(0)
                    ));
                }
            }
            for f in new_fields.iter().filter(|f| !oi.top_fields.contains(f)) {
                let num = f.as_ref().map(|r| r.0);
                let d = new.resolve_dict(f).unwrap_or_default();
                match num {
                    Some(num) if is_new(old, num) && d.name_is("FT", "Sig") => {
                        new_sig_fields.insert(num);
                        // Kids of a new field are its widgets.
                        for k in array_of(new, d.get("Kids")) {
                            if let Some(r) = k.as_ref() {
                                new_sig_fields.insert(r.0);
                            }
                        }
                        let sig_value = d.get("V").and_then(|v| new.resolve_dict(v).ok());
                        let timestamp =
                            sig_value.is_some_and(|v| v.name_is("Type", "DocTimeStamp"));
                        let visible = visible_rect(&d)
                            || array_of(new, d.get("Kids"))
                                .iter()
                                .any(|k| new.resolve_dict(k).is_ok_and(|k| visible_rect(&k)));
                        if visible || !timestamp {
                            bump(&mut level, Level::FormFilling);
                        }
                        if visible && docmdp.is_some() {
                            problems.push(
                                "thêm chữ ký hiển thị sau chữ ký chứng thực / visible signature added after certification".into(),
                            );
                        }
                    }
                    _ => problems.push(format!(
                        "thêm trường biểu mẫu không phải chữ ký ({}) / non-signature form field added",
                        d.get("T")
                            .and_then(|t| match t {
                                Obj::Str(s) => Some(crate::pdf::object::decode_text(s)),
                                _ => None,
                            })
                            .unwrap_or_else(|| num.unwrap_or(0).to_string())
                    )),
                }
            }
        }
        (None, None) => {}
    }

    // 3. Pages: only /Annots may change, and only by adding widgets of new signature fields.
    let mut pages_checked = HashSet::new();
    let mut check_page = |page: u32, problems: &mut Vec<String>, level: &mut Option<Level>| {
        if !pages_checked.insert(page) {
            return;
        }
        let before = old.resolve_dict(&Obj::Ref(page, 0)).unwrap_or_default();
        let after = new.resolve_dict(&Obj::Ref(page, 0)).unwrap_or_default();
        let diff = differing_keys(&before, &after, &["Annots"]);
        if !diff.is_empty() {
            problems.push(format!(
                "trang (đối tượng {page}) bị sửa: /{} / page changed",
                diff.join(", /")
            ));
        }
        let a = array_of(old, before.get("Annots"));
        let b = array_of(new, after.get("Annots"));
        if a.iter().any(|x| !b.contains(x)) {
            problems.push(format!(
                "chú thích bị xóa khỏi trang (đối tượng {page}) / annotation removed"
            ));
        }
        for x in b.iter().filter(|x| !a.contains(x)) {
            let d = new.resolve_dict(x).unwrap_or_default();
            let num = x.as_ref().map(|r| r.0);
            // A widget of a signature field added in this update (merged with its field,
            // or a kid of it); anything else drawn on the page is an overlay.
            let own_field = num.is_some_and(|n| is_new(old, n) && new_sig_fields.contains(&n));
            let parent_field = d
                .get("Parent")
                .and_then(Obj::as_ref)
                .is_some_and(|p| new_sig_fields.contains(&p.0));
            let sig_widget = d.name_is("Subtype", "Widget") && (own_field || parent_field);
            if sig_widget {
                if visible_rect(&d) {
                    *level = (*level).max(Some(Level::FormFilling));
                }
            } else {
                problems.push(format!(
                    "thêm chú thích {} lên trang (đối tượng {page}), có thể che nội dung / annotation added over the page",
                    d.get("Subtype")
                        .and_then(Obj::as_name)
                        .map(key_str)
                        .unwrap_or_else(|| "?".into())
                ));
            }
        }
    };

    // 4. Every overwritten object must be explained.
    for (n, e) in entries {
        let n = *n;
        if n == 0 || is_new(old, n) {
            continue;
        }
        if *e == XrefEntry::Free {
            problems.push(format!("đối tượng {n} bị xóa / object {n} freed"));
            continue;
        }
        let before = old.get(n).unwrap_or(Obj::Null);
        let after = new.get(n).unwrap_or(Obj::Null);
        if before == after {
            continue;
        }
        if n == oi.root || Some(n) == oi.acroform_ref {
            continue; // compared above
        }
        if Some(n) == oi.fields_ref {
            continue; // compared above, as the form's /Fields
        }
        if let Some(leaf) = oi.pages.get(&n) {
            if *leaf {
                check_page(n, &mut problems, &mut level);
            } else {
                problems.push(format!(
                    "cây trang (đối tượng {n}) bị sửa / page tree node {n} changed"
                ));
            }
            continue;
        }
        if let Some(page) = oi.annots_arrays.get(&n) {
            check_page(*page, &mut problems, &mut level);
            continue;
        }
        if let Some((is_sig, had_value)) = oi.fields.get(&n) {
            let (Obj::Dict(b), Obj::Dict(a)) = (&before, &after) else {
                problems.push(format!(
                    "trường biểu mẫu {n} bị sửa / form field {n} changed"
                ));
                continue;
            };
            let mut allowed: Vec<&str> = VALUE_UPDATE_KEYS.to_vec();
            if *is_sig {
                // Filling an empty signature field: its value, appearance and page.
                allowed.push("P");
                if *had_value {
                    allowed.clear();
                }
            }
            let diff = differing_keys(b, a, &allowed);
            if !diff.is_empty() {
                problems.push(format!(
                    "trường biểu mẫu (đối tượng {n}) bị sửa: /{} / form field changed",
                    diff.join(", /")
                ));
            } else {
                bump(&mut level, Level::FormFilling);
            }
            continue;
        }
        let hidden = || !oi.visible(old).contains(&n);
        if (Some(n) == oi.info_ref || Some(n) == oi.metadata_ref || oi.dss_refs.contains(&n))
            && hidden()
        {
            continue;
        }
        problems.push(format!(
            "đối tượng {n} ({}) bị sửa / object {n} modified",
            type_of(&after)
        ));
    }
    (if problems.is_empty() { level } else { None }, problems)
}
