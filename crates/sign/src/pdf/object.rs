//! PDF objects: a small lexer/parser over a byte slice and a serializer.
//! Only what signing and verification need; streams keep their position in the file so
//! large content is never copied.
use std::fmt::Write as _;

use crate::PdfError;

/// A PDF object as parsed or to be written.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Integer (object numbers, offsets, lengths).
    Int(i64),
    /// Real number (coordinates, sizes).
    Real(f64),
    /// String, decoded bytes.
    Str(Vec<u8>),
    /// Name, decoded bytes without the slash.
    Name(Vec<u8>),
    /// `[ … ]` of objects.
    Array(Vec<Obj>),
    /// `<< … >>` without stream data.
    Dict(Dict),
    /// Dictionary plus the raw (still encoded) data.
    Stream(Dict, Vec<u8>),
    /// Indirect reference: object number and generation.
    Ref(u32, u16),
}

/// A PDF dictionary, keeping the file's key order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict(pub Vec<(Vec<u8>, Obj)>);

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Self {
        Dict(Vec::new())
    }
    /// Value under a key (without the slash).
    pub fn get(&self, key: &str) -> Option<&Obj> {
        self.0
            .iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v)
    }
    /// Sets a key, replacing any existing value.
    pub fn set(&mut self, key: &str, value: Obj) {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            slot.1 = value;
        } else {
            self.0.push((key.as_bytes().to_vec(), value));
        }
    }
    /// Drops a key if present.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key.as_bytes());
    }
    /// Sets a key, builder style.
    pub fn with(mut self, key: &str, value: Obj) -> Self {
        self.set(key, value);
        self
    }
    /// True when the key holds the given name.
    pub fn name_is(&self, key: &str, name: &str) -> bool {
        matches!(self.get(key), Some(Obj::Name(n)) if n == name.as_bytes())
    }
}

impl Obj {
    /// A name object from text.
    pub fn name(s: &str) -> Obj {
        Obj::Name(s.as_bytes().to_vec())
    }
    /// A string object from text.
    pub fn string(s: &str) -> Obj {
        Obj::Str(s.as_bytes().to_vec())
    }
    /// Integer value (reals truncated).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            Obj::Real(r) => Some(*r as i64),
            _ => None,
        }
    }
    /// Numeric value as f64.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Obj::Int(i) => Some(*i as f64),
            Obj::Real(r) => Some(*r),
            _ => None,
        }
    }
    /// Dictionary of a dictionary or stream.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) | Obj::Stream(d, _) => Some(d),
            _ => None,
        }
    }
    /// Items of an array.
    pub fn as_array(&self) -> Option<&Vec<Obj>> {
        match self {
            Obj::Array(a) => Some(a),
            _ => None,
        }
    }
    /// Object number and generation of a reference.
    pub fn as_ref(&self) -> Option<(u32, u16)> {
        match self {
            Obj::Ref(n, g) => Some((*n, *g)),
            _ => None,
        }
    }
    /// Bytes of a name.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// PDF whitespace (NUL included).
pub fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | 0x0c | 0)
}
fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}
fn is_regular(c: u8) -> bool {
    !is_ws(c) && !is_delim(c)
}

/// A cursor over PDF bytes.
pub struct Lexer<'a> {
    /// The bytes being read.
    pub data: &'a [u8],
    /// Current byte offset.
    pub pos: usize,
}

fn err(msg: &str, pos: usize) -> PdfError {
    PdfError::Corrupt(format!("{msg} at byte {pos}"))
}

/// Nesting limit so hostile files cannot overflow the stack.
const MAX_DEPTH: usize = 64;

impl<'a> Lexer<'a> {
    /// A cursor at `pos`.
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Lexer { data, pos }
    }

    /// Skips whitespace and comments.
    pub fn skip_ws(&mut self) {
        while self.pos < self.data.len() {
            let c = self.data[self.pos];
            if is_ws(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self.pos < self.data.len() && !matches!(self.data[self.pos], b'\n' | b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// True when the keyword is next (whole token); does not consume it.
    pub fn peek_keyword(&mut self, kw: &[u8]) -> bool {
        self.skip_ws();
        let end = self.pos + kw.len();
        end <= self.data.len()
            && &self.data[self.pos..end] == kw
            && (end == self.data.len() || !is_regular(self.data[end]))
    }

    /// Consumes the keyword or fails.
    pub fn expect_keyword(&mut self, kw: &[u8]) -> Result<(), PdfError> {
        if self.peek_keyword(kw) {
            self.pos += kw.len();
            Ok(())
        } else {
            Err(err(
                &format!("expected '{}'", String::from_utf8_lossy(kw)),
                self.pos,
            ))
        }
    }

    /// Reads an unsigned integer token if one is next; leaves the cursor unchanged otherwise.
    pub fn read_uint(&mut self) -> Option<u64> {
        self.skip_ws();
        let start = self.pos;
        let mut p = self.pos;
        while p < self.data.len() && self.data[p].is_ascii_digit() {
            p += 1;
        }
        if p == start || (p < self.data.len() && is_regular(self.data[p])) {
            return None;
        }
        let v = std::str::from_utf8(&self.data[start..p])
            .ok()?
            .parse()
            .ok()?;
        self.pos = p;
        Some(v)
    }

    /// Parses the next object (nesting limited).
    pub fn parse(&mut self) -> Result<Obj, PdfError> {
        self.parse_depth(0)
    }

    fn parse_depth(&mut self, depth: usize) -> Result<Obj, PdfError> {
        if depth > MAX_DEPTH {
            return Err(err("nesting too deep", self.pos));
        }
        self.skip_ws();
        let Some(&c) = self.data.get(self.pos) else {
            return Err(err("unexpected end of data", self.pos));
        };
        match c {
            b'/' => {
                self.pos += 1;
                Ok(Obj::Name(self.read_name_body()))
            }
            b'(' => self.parse_literal_string(),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut dict = Dict::new();
                loop {
                    self.skip_ws();
                    match self.data.get(self.pos) {
                        Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                            self.pos += 2;
                            break;
                        }
                        Some(b'/') => {
                            self.pos += 1;
                            let key = self.read_name_body();
                            let value = self.parse_depth(depth + 1)?;
                            if value != Obj::Null {
                                dict.0.push((key, value));
                            }
                        }
                        _ => return Err(err("bad dictionary", self.pos)),
                    }
                }
                Ok(Obj::Dict(dict))
            }
            b'<' => {
                self.pos += 1;
                let start = self.pos;
                while self.pos < self.data.len() && self.data[self.pos] != b'>' {
                    self.pos += 1;
                }
                if self.pos >= self.data.len() {
                    return Err(err("unterminated hex string", start));
                }
                let s = decode_hex(&self.data[start..self.pos]);
                self.pos += 1;
                Ok(Obj::Str(s))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.data.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        None => return Err(err("unterminated array", self.pos)),
                        _ => items.push(self.parse_depth(depth + 1)?),
                    }
                }
                Ok(Obj::Array(items))
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                let save = self.pos;
                if let Some(n) = self.read_uint() {
                    // "n g R"
                    let after_first = self.pos;
                    if let Some(g) = self.read_uint() {
                        if self.peek_keyword(b"R") {
                            self.pos += 1;
                            return Ok(Obj::Ref(n as u32, g as u16));
                        }
                    }
                    self.pos = after_first;
                    return Ok(Obj::Int(n as i64));
                }
                self.pos = save;
                let start = self.pos;
                while self.pos < self.data.len() && is_regular(self.data[self.pos]) {
                    self.pos += 1;
                }
                let tok = std::str::from_utf8(&self.data[start..self.pos]).unwrap_or("");
                if let Ok(i) = tok.parse::<i64>() {
                    Ok(Obj::Int(i))
                } else if let Ok(r) = tok.parse::<f64>() {
                    Ok(Obj::Real(r))
                } else if tok.starts_with('-') || tok.starts_with('+') || tok.starts_with('.') {
                    // Malformed numbers like "--5" occur in the wild; read as zero like readers do.
                    Ok(Obj::Int(0))
                } else {
                    Err(err("bad number", start))
                }
            }
            _ => {
                let start = self.pos;
                while self.pos < self.data.len() && is_regular(self.data[self.pos]) {
                    self.pos += 1;
                }
                match &self.data[start..self.pos] {
                    b"true" => Ok(Obj::Bool(true)),
                    b"false" => Ok(Obj::Bool(false)),
                    b"null" => Ok(Obj::Null),
                    _ => Err(err("unexpected token", start)),
                }
            }
        }
    }

    fn read_name_body(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.pos < self.data.len() && is_regular(self.data[self.pos]) {
            let c = self.data[self.pos];
            if c == b'#' && self.pos + 2 < self.data.len() + 1 {
                if let Some(h) = self
                    .data
                    .get(self.pos + 1..self.pos + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(h);
                    self.pos += 3;
                    continue;
                }
            }
            out.push(c);
            self.pos += 1;
        }
        out
    }

    fn parse_literal_string(&mut self) -> Result<Obj, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1;
        while self.pos < self.data.len() {
            let c = self.data[self.pos];
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(Obj::Str(out));
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.data.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        Err(err("unterminated string", start))
    }
}

/// Decodes hex-string digits, ignoring non-hex bytes; an odd last digit is padded with 0.
pub fn decode_hex(src: &[u8]) -> Vec<u8> {
    let digits: Vec<u8> = src
        .iter()
        .filter_map(|&c| (c as char).to_digit(16).map(|d| d as u8))
        .collect();
    digits
        .chunks(2)
        .map(|p| (p[0] << 4) | p.get(1).copied().unwrap_or(0))
        .collect()
}

/// Serializes an object (streams included) in a form every reader accepts.
pub fn write_obj(out: &mut Vec<u8>, obj: &Obj) {
    match obj {
        Obj::Null => out.extend_from_slice(b"null"),
        Obj::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Obj::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Obj::Real(r) => out.extend_from_slice(fmt_real_exact(*r).as_bytes()),
        Obj::Str(s) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(s).as_bytes());
            out.push(b'>');
        }
        Obj::Name(n) => write_name(out, n),
        Obj::Array(items) => {
            out.push(b'[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_obj(out, it);
            }
            out.push(b']');
        }
        Obj::Dict(d) => write_dict(out, d),
        Obj::Stream(d, data) => {
            let mut d = d.clone();
            d.set("Length", Obj::Int(data.len() as i64));
            write_dict(out, &d);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream");
        }
        Obj::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
    }
}

/// Writes a name with `#xx` escapes for irregular bytes.
pub fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &c in n {
        if c.is_ascii_graphic() && is_regular(c) && c != b'#' {
            out.push(c);
        } else {
            out.extend_from_slice(format!("#{c:02X}").as_bytes());
        }
    }
}

fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        write_name(out, k);
        out.push(b' ');
        write_obj(out, v);
    }
    out.extend_from_slice(b">>");
}

/// Formats a real compactly (no exponent), as PDF requires.
pub fn fmt_real(r: f64) -> String {
    if r.fract() == 0.0 && r.abs() < 1e15 {
        return format!("{}", r as i64);
    }
    let mut s = String::new();
    let _ = write!(s, "{r:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A real written back into an object: the short form of [`fmt_real`] when it reads back as
/// the same number, else every digit needed to. An object of the original file rewritten by
/// an incremental update (a page getting /Annots) must keep its numbers: a MediaBox of
/// `595.303937007874` (LibreOffice) rounded to `595.3039` is a changed page to a verifier's
/// difference analysis, and the sender's signature would no longer permit the update.
pub fn fmt_real_exact(r: f64) -> String {
    let short = fmt_real(r);
    if short.parse::<f64>().ok() == Some(r) || !r.is_finite() {
        short
    } else {
        // Display of f64 is the shortest string that parses back exactly, never exponential.
        format!("{r}")
    }
}

/// A PDF text string: PDFDocEncoding-compatible ASCII stays as is, anything else UTF-16BE.
pub fn text_string(s: &str) -> Obj {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Obj::Str(s.as_bytes().to_vec())
    } else {
        let mut v = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_be_bytes());
        }
        Obj::Str(v)
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding≈Latin-1).
pub fn decode_text(b: &[u8]) -> String {
    if b.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = b[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if b.starts_with(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(&b[3..]).into_owned()
    } else {
        b.iter().map(|&c| c as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Obj {
        Lexer::new(s.as_bytes(), 0).parse().unwrap()
    }

    #[test]
    fn parses_basic_objects() {
        assert_eq!(p("12 0 R"), Obj::Ref(12, 0));
        assert_eq!(p("12 0"), Obj::Int(12));
        assert_eq!(p("-3.5"), Obj::Real(-3.5));
        // Reals of the original file survive a rewrite digit for digit.
        for lexeme in [
            "595.303937007874",
            "841.889763779528",
            "0.1",
            "-12.5",
            "1e-7",
        ] {
            let v: f64 = lexeme.parse().unwrap();
            assert_eq!(fmt_real_exact(v).parse::<f64>().unwrap(), v, "{lexeme}");
        }
        assert_eq!(fmt_real_exact(595.303937007874), "595.303937007874");
        assert_eq!(fmt_real_exact(12.5), "12.5");
        assert_eq!(p("(a\\(b\\)c\\101)"), Obj::Str(b"a(b)cA".to_vec()));
        assert_eq!(p("<48 65 6>"), Obj::Str(b"He`".to_vec()));
        assert_eq!(p("/A#20B"), Obj::Name(b"A B".to_vec()));
        let d = p("<< /Type /Page /Kids [1 0 R 2 0 R] /N null >>");
        let d = d.as_dict().unwrap();
        assert!(d.name_is("Type", "Page"));
        assert_eq!(d.get("Kids").unwrap().as_array().unwrap().len(), 2);
        assert!(d.get("N").is_none());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(10_000);
        assert!(Lexer::new(s.as_bytes(), 0).parse().is_err());
    }

    fn arb_obj() -> impl Strategy<Value = Obj> {
        let leaf = prop_oneof![
            Just(Obj::Bool(true)),
            any::<i32>().prop_map(|i| Obj::Int(i as i64)),
            proptest::collection::vec(any::<u8>(), 0..20).prop_map(Obj::Str),
            proptest::collection::vec(1u8..=255, 1..10).prop_map(Obj::Name),
            (1u32..1000, 0u16..3).prop_map(|(n, g)| Obj::Ref(n, g)),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Obj::Array),
                proptest::collection::vec(("[a-zA-Z]{1,6}", inner), 0..5).prop_map(|kv| {
                    let mut d = Dict::new();
                    for (k, v) in kv {
                        d.set(&k, v);
                    }
                    Obj::Dict(d)
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn serialize_then_parse_round_trips(o in arb_obj()) {
            let mut buf = Vec::new();
            write_obj(&mut buf, &o);
            let back = Lexer::new(&buf, 0).parse().unwrap();
            prop_assert_eq!(back, o);
        }

        #[test]
        fn parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Lexer::new(&data, 0).parse();
        }
    }
}
