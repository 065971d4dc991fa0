//! Cross-reference handling: classic tables, xref streams, hybrid files, object streams,
//! and the chain of incremental updates (each `startxref` section is one revision).
use std::collections::HashMap;
use std::io::Read;

use super::object::{Dict, Lexer, Obj};
use crate::PdfError;

/// Where an object lives, per the cross-reference data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum XrefEntry {
    /// Free (deleted) object number.
    Free,
    /// Uncompressed object at this byte offset.
    InFile(usize),
    /// Object inside an object stream: (stream number, index).
    InStream(u32, u32),
}

/// One cross-reference section as found in the file.
#[derive(Debug, Clone)]
pub struct Section {
    /// Byte offset of the section.
    pub offset: usize,
    /// Entries of the section, by object number.
    pub entries: Vec<(u32, XrefEntry)>,
    /// The section's trailer (or xref stream dictionary).
    pub trailer: Dict,
    /// True for an xref stream.
    pub is_stream: bool,
}

/// Decoded objects of one object stream.
type ObjStm = std::rc::Rc<Vec<(u32, Obj)>>;

/// A parsed PDF: the merged cross-reference view over all revisions.
pub struct Doc<'a> {
    /// The whole file.
    pub data: &'a [u8],
    /// Merged view (newest wins).
    pub xref: HashMap<u32, XrefEntry>,
    /// Trailer of the newest section.
    pub trailer: Dict,
    /// Newest first.
    pub sections: Vec<Section>,
    /// Offset of the newest section.
    pub startxref: usize,
    objstm_cache: std::cell::RefCell<HashMap<u32, ObjStm>>,
}

fn corrupt(msg: impl Into<String>) -> PdfError {
    PdfError::Corrupt(msg.into())
}

/// Finds the last `startxref` value in the file.
pub fn find_startxref(data: &[u8]) -> Result<(usize, usize), PdfError> {
    let tail_start = data.len().saturating_sub(2048);
    let tail = &data[tail_start..];
    let pos = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| corrupt("no startxref"))?;
    let mut lx = Lexer::new(data, tail_start + pos + 9);
    let off = lx.read_uint().ok_or_else(|| corrupt("bad startxref"))? as usize;
    Ok((off, tail_start + pos))
}

impl<'a> Doc<'a> {
    /// Parses the cross-reference chain; refuses non-PDF and encrypted files.
    pub fn open(data: &'a [u8]) -> Result<Doc<'a>, PdfError> {
        if !data.starts_with(b"%PDF-") {
            let head = &data[..data.len().min(1024)];
            if !head.windows(5).any(|w| w == b"%PDF-") {
                return Err(PdfError::NotPdf);
            }
        }
        let (startxref, _) = find_startxref(data)?;
        let mut doc = Doc {
            data,
            xref: HashMap::new(),
            trailer: Dict::new(),
            sections: Vec::new(),
            startxref,
            objstm_cache: Default::default(),
        };
        let mut next = Some(startxref);
        let mut seen = std::collections::HashSet::new();
        while let Some(off) = next {
            if !seen.insert(off) || off >= data.len() {
                if doc.sections.is_empty() {
                    return Err(corrupt("startxref points outside the file"));
                }
                break;
            }
            let section = doc.read_section(off)?;
            next = section
                .trailer
                .get("Prev")
                .and_then(Obj::as_int)
                .map(|p| p as usize);
            // Hybrid file: the table's trailer points at a supplementary xref stream whose
            // entries rank just below the table's own.
            if let Some(stm) = section.trailer.get("XRefStm").and_then(Obj::as_int) {
                if let Ok(extra) = doc.read_section(stm as usize) {
                    let mut s = section.clone();
                    for e in extra.entries {
                        if !s.entries.iter().any(|(n, _)| *n == e.0) {
                            s.entries.push(e);
                        }
                    }
                    doc.push_section(s);
                    continue;
                }
            }
            doc.push_section(section);
        }
        doc.trailer = doc.sections[0].trailer.clone();
        if doc.trailer.get("Encrypt").is_some() {
            return Err(PdfError::Encrypted);
        }
        if doc.trailer.get("Root").is_none() {
            return Err(corrupt("trailer has no /Root"));
        }
        Ok(doc)
    }

    fn push_section(&mut self, s: Section) {
        for (n, e) in &s.entries {
            self.xref.entry(*n).or_insert(*e);
        }
        self.sections.push(s);
    }

    fn read_section(&self, off: usize) -> Result<Section, PdfError> {
        let mut lx = Lexer::new(self.data, off);
        if lx.peek_keyword(b"xref") {
            lx.pos += 4;
            let mut entries = Vec::new();
            loop {
                lx.skip_ws();
                if lx.peek_keyword(b"trailer") {
                    lx.pos += 7;
                    break;
                }
                let start = lx
                    .read_uint()
                    .ok_or_else(|| corrupt("bad xref subsection"))?;
                let count = lx
                    .read_uint()
                    .ok_or_else(|| corrupt("bad xref subsection"))?;
                if count > 10_000_000 {
                    return Err(corrupt("xref subsection too large"));
                }
                for i in 0..count {
                    let o = lx.read_uint().ok_or_else(|| corrupt("bad xref entry"))?;
                    let _gen = lx.read_uint().ok_or_else(|| corrupt("bad xref entry"))?;
                    lx.skip_ws();
                    let kind = *self
                        .data
                        .get(lx.pos)
                        .ok_or_else(|| corrupt("bad xref entry"))?;
                    lx.pos += 1;
                    let e = match kind {
                        b'n' => XrefEntry::InFile(o as usize),
                        b'f' => XrefEntry::Free,
                        _ => return Err(corrupt("bad xref entry type")),
                    };
                    entries.push(((start + i) as u32, e));
                }
            }
            let trailer = match lx.parse()? {
                Obj::Dict(d) => d,
                _ => return Err(corrupt("trailer is not a dictionary")),
            };
            Ok(Section {
                offset: off,
                entries,
                trailer,
                is_stream: false,
            })
        } else {
            let (_, obj) = self.parse_indirect_at(off)?;
            let Obj::Stream(dict, raw) = obj else {
                return Err(corrupt("startxref does not point at an xref section"));
            };
            if !dict.name_is("Type", "XRef") {
                return Err(corrupt("startxref does not point at an xref stream"));
            }
            let data = decode_stream(&dict, &raw)?;
            let w: Vec<usize> = dict
                .get("W")
                .and_then(Obj::as_array)
                .ok_or_else(|| corrupt("xref stream without /W"))?
                .iter()
                .map(|o| o.as_int().unwrap_or(0).clamp(0, 8) as usize)
                .collect();
            if w.len() != 3 {
                return Err(corrupt("bad /W"));
            }
            let size = dict.get("Size").and_then(Obj::as_int).unwrap_or(0);
            let index: Vec<i64> = match dict.get("Index").and_then(Obj::as_array) {
                Some(a) => a.iter().filter_map(Obj::as_int).collect(),
                None => vec![0, size],
            };
            let row = w.iter().sum::<usize>();
            if row == 0 {
                return Err(corrupt("bad /W"));
            }
            let mut rows = data.chunks_exact(row);
            let mut entries = Vec::new();
            for pair in index.chunks(2) {
                let (start, count) = (pair[0], *pair.get(1).unwrap_or(&0));
                for i in 0..count {
                    let Some(r) = rows.next() else { break };
                    let field = |k: usize| -> u64 {
                        let s: usize = w[..k].iter().sum();
                        r[s..s + w[k]]
                            .iter()
                            .fold(0u64, |acc, &b| (acc << 8) | b as u64)
                    };
                    let t = if w[0] == 0 { 1 } else { field(0) };
                    let e = match t {
                        0 => XrefEntry::Free,
                        1 => XrefEntry::InFile(field(1) as usize),
                        2 => XrefEntry::InStream(field(1) as u32, field(2) as u32),
                        _ => continue,
                    };
                    entries.push(((start + i) as u32, e));
                }
            }
            Ok(Section {
                offset: off,
                entries,
                trailer: dict,
                is_stream: true,
            })
        }
    }

    /// Parses `n g obj ... endobj` at `off`; streams get their raw data copied.
    pub fn parse_indirect_at(&self, off: usize) -> Result<((u32, u16), Obj), PdfError> {
        let mut lx = Lexer::new(self.data, off);
        let n = lx
            .read_uint()
            .ok_or_else(|| corrupt(format!("no object at {off}")))?;
        let g = lx
            .read_uint()
            .ok_or_else(|| corrupt(format!("no object at {off}")))?;
        lx.expect_keyword(b"obj")?;
        let obj = lx.parse()?;
        if let Obj::Dict(d) = &obj {
            if lx.peek_keyword(b"stream") {
                lx.pos += 6;
                if self.data.get(lx.pos) == Some(&b'\r') {
                    lx.pos += 1;
                }
                if self.data.get(lx.pos) == Some(&b'\n') {
                    lx.pos += 1;
                }
                let start = lx.pos;
                let declared = match d.get("Length") {
                    Some(Obj::Int(l)) => Some(*l as usize),
                    Some(Obj::Ref(rn, _)) if *rn as u64 != n => self
                        .get(*rn)
                        .ok()
                        .and_then(|o| o.as_int())
                        .map(|l| l as usize),
                    _ => None,
                };
                let len = match declared {
                    Some(l)
                        if start + l <= self.data.len()
                            && Lexer::new(self.data, start + l).peek_keyword(b"endstream") =>
                    {
                        l
                    }
                    _ => {
                        // Wrong /Length is common; fall back to searching for endstream.
                        let rel = self.data[start..]
                            .windows(9)
                            .position(|w| w == b"endstream")
                            .ok_or_else(|| corrupt("stream without endstream"))?;
                        let mut end = start + rel;
                        while end > start && matches!(self.data[end - 1], b'\n' | b'\r') {
                            end -= 1;
                        }
                        end - start
                    }
                };
                let raw = self.data[start..start + len].to_vec();
                return Ok(((n as u32, g as u16), Obj::Stream(d.clone(), raw)));
            }
        }
        Ok(((n as u32, g as u16), obj))
    }

    /// The object with number `n` in the newest revision.
    pub fn get(&self, n: u32) -> Result<Obj, PdfError> {
        match self.xref.get(&n) {
            None | Some(XrefEntry::Free) => Ok(Obj::Null),
            Some(XrefEntry::InFile(off)) => {
                let ((got, _), obj) = self.parse_indirect_at(*off)?;
                if got != n {
                    return Err(corrupt(format!(
                        "xref for object {n} points at object {got}"
                    )));
                }
                Ok(obj)
            }
            Some(XrefEntry::InStream(stm, idx)) => self.get_from_objstm(*stm, *idx, n),
        }
    }

    fn get_from_objstm(&self, stm: u32, idx: u32, n: u32) -> Result<Obj, PdfError> {
        let cached = self.objstm_cache.borrow().get(&stm).cloned();
        let objs = match cached {
            Some(o) => o,
            None => {
                let Some(XrefEntry::InFile(off)) = self.xref.get(&stm) else {
                    return Err(corrupt(format!("object stream {stm} missing")));
                };
                let (_, obj) = self.parse_indirect_at(*off)?;
                let Obj::Stream(d, raw) = obj else {
                    return Err(corrupt("object stream is not a stream"));
                };
                let data = decode_stream(&d, &raw)?;
                let count = d.get("N").and_then(Obj::as_int).unwrap_or(0) as usize;
                let first = d.get("First").and_then(Obj::as_int).unwrap_or(0) as usize;
                let mut lx = Lexer::new(&data, 0);
                let mut heads = Vec::new();
                for _ in 0..count {
                    let (Some(on), Some(oo)) = (lx.read_uint(), lx.read_uint()) else {
                        break;
                    };
                    heads.push((on as u32, oo as usize));
                }
                let mut objs = Vec::new();
                for (on, oo) in heads {
                    let mut lx = Lexer::new(&data, first + oo);
                    if let Ok(o) = lx.parse() {
                        objs.push((on, o));
                    }
                }
                let rc = std::rc::Rc::new(objs);
                self.objstm_cache.borrow_mut().insert(stm, rc.clone());
                rc
            }
        };
        objs.get(idx as usize)
            .filter(|(on, _)| *on == n)
            .or_else(|| objs.iter().find(|(on, _)| *on == n))
            .map(|(_, o)| o.clone())
            .ok_or_else(|| corrupt(format!("object {n} not in object stream {stm}")))
    }

    /// Follows a reference to its object; other objects are returned as is.
    pub fn resolve(&self, o: &Obj) -> Result<Obj, PdfError> {
        match o {
            Obj::Ref(n, _) => self.get(*n),
            other => Ok(other.clone()),
        }
    }

    /// Resolves an object that must be a dictionary (or a stream's dictionary).
    pub fn resolve_dict(&self, o: &Obj) -> Result<Dict, PdfError> {
        match self.resolve(o)? {
            Obj::Dict(d) | Obj::Stream(d, _) => Ok(d),
            _ => Err(corrupt("expected a dictionary")),
        }
    }

    /// Object number and generation of the document catalog.
    pub fn root_ref(&self) -> Result<(u32, u16), PdfError> {
        self.trailer
            .get("Root")
            .and_then(Obj::as_ref)
            .ok_or_else(|| corrupt("/Root is not a reference"))
    }

    /// The document catalog dictionary.
    pub fn catalog(&self) -> Result<Dict, PdfError> {
        self.resolve_dict(&Obj::Ref(self.root_ref()?.0, 0))
    }

    /// Highest object number in use + 1 (the next free number for an update).
    pub fn size(&self) -> u32 {
        let from_trailer = self
            .trailer
            .get("Size")
            .and_then(Obj::as_int)
            .unwrap_or(0)
            .max(0) as u32;
        let from_xref = self.xref.keys().max().map(|m| m + 1).unwrap_or(1);
        from_trailer.max(from_xref)
    }

    /// Page object references in document order.
    pub fn pages(&self) -> Result<Vec<(u32, u16)>, PdfError> {
        let cat = self.catalog()?;
        let root = cat
            .get("Pages")
            .and_then(Obj::as_ref)
            .ok_or_else(|| corrupt("catalog has no /Pages"))?;
        let mut out = Vec::new();
        let mut stack = vec![(root, 0usize)];
        let mut visited = std::collections::HashSet::new();
        while let Some((r, depth)) = stack.pop() {
            if depth > 64 || !visited.insert(r.0) {
                continue;
            }
            let d = self.resolve_dict(&Obj::Ref(r.0, r.1))?;
            if let Some(kids) = d.get("Kids") {
                let kids = self.resolve(kids)?;
                for k in kids.as_array().into_iter().flatten().rev() {
                    if let Some(kr) = k.as_ref() {
                        stack.push((kr, depth + 1));
                    }
                }
            } else {
                out.push(r);
            }
        }
        if out.is_empty() {
            return Err(corrupt("document has no pages"));
        }
        Ok(out)
    }

    /// An inherited page attribute (MediaBox, Rotate...).
    pub fn page_attr(&self, page: (u32, u16), key: &str) -> Result<Option<Obj>, PdfError> {
        let mut cur = Some(page);
        let mut guard = 0;
        while let Some(r) = cur {
            guard += 1;
            if guard > 64 {
                break;
            }
            let d = self.resolve_dict(&Obj::Ref(r.0, r.1))?;
            if let Some(v) = d.get(key) {
                return Ok(Some(self.resolve(v)?));
            }
            cur = d.get("Parent").and_then(Obj::as_ref);
        }
        Ok(None)
    }
}

/// Applies the stream's filters (FlateDecode with PNG/TIFF predictors only; that is all
/// xref and object streams use in practice).
pub fn decode_stream(d: &Dict, raw: &[u8]) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<Vec<u8>> = match d.get("Filter") {
        None => vec![],
        Some(Obj::Name(n)) => vec![n.clone()],
        Some(Obj::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().map(<[u8]>::to_vec))
            .collect(),
        Some(_) => return Err(corrupt("bad /Filter")),
    };
    let parms = match d.get("DecodeParms") {
        Some(Obj::Dict(p)) => Some(p.clone()),
        Some(Obj::Array(a)) => a.first().and_then(|o| o.as_dict().cloned()),
        _ => None,
    };
    let mut data = raw.to_vec();
    for f in filters {
        match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let mut out = Vec::new();
                let mut z = flate2::read::ZlibDecoder::new(&data[..]);
                if z.read_to_end(&mut out).is_err() && out.is_empty() {
                    return Err(corrupt("bad Flate data"));
                }
                data = out;
                if let Some(p) = &parms {
                    data = unpredict(p, data)?;
                }
            }
            other => {
                return Err(corrupt(format!(
                    "unsupported filter {}",
                    String::from_utf8_lossy(other)
                )))
            }
        }
    }
    Ok(data)
}

fn unpredict(p: &Dict, data: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    let pred = p.get("Predictor").and_then(Obj::as_int).unwrap_or(1);
    if pred < 10 {
        return Ok(data);
    }
    let cols = p.get("Columns").and_then(Obj::as_int).unwrap_or(1).max(1) as usize;
    let colors = p.get("Colors").and_then(Obj::as_int).unwrap_or(1).max(1) as usize;
    let bpc = p
        .get("BitsPerComponent")
        .and_then(Obj::as_int)
        .unwrap_or(8)
        .max(1) as usize;
    let bpp = (colors * bpc).div_ceil(8).max(1);
    let row = (cols * colors * bpc).div_ceil(8);
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        if chunk.len() < row + 1 {
            break;
        }
        let ft = chunk[0];
        let mut cur = chunk[1..].to_vec();
        for i in 0..row {
            let a = if i >= bpp { cur[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = match ft {
                0 => cur[i],
                1 => cur[i].wrapping_add(a),
                2 => cur[i].wrapping_add(b),
                3 => cur[i].wrapping_add(((a as u16 + b as u16) / 2) as u8),
                4 => {
                    let pa = (b as i16 - c as i16).abs();
                    let pb = (a as i16 - c as i16).abs();
                    let pc = (a as i16 + b as i16 - 2 * c as i16).abs();
                    let pr = if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    };
                    cur[i].wrapping_add(pr)
                }
                _ => return Err(corrupt("bad PNG predictor")),
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}
