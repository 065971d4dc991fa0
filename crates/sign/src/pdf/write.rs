//! Serialization of an incremental update: changed and new objects, then a classic xref
//! table or an xref stream (matching what the original's newest section uses).
use super::object::{write_obj, Dict, Obj};

/// Objects to append: new numbers are handed out from the document's /Size.
pub struct NewObjects {
    /// Next object number to hand out.
    pub next: u32,
    /// Objects to write, with their numbers.
    pub objs: Vec<(u32, Obj)>,
}

impl NewObjects {
    /// Starts handing out numbers at `first_free`.
    pub fn new(first_free: u32) -> Self {
        NewObjects {
            next: first_free,
            objs: Vec::new(),
        }
    }
    /// Takes the next object number without an object yet.
    pub fn reserve(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        n
    }
    /// Adds an object under a new number and returns a reference to it.
    pub fn add(&mut self, obj: Obj) -> Obj {
        let n = self.reserve();
        self.objs.push((n, obj));
        Obj::Ref(n, 0)
    }
    /// Sets (or replaces) the object under a given number.
    pub fn put(&mut self, n: u32, obj: Obj) {
        self.objs.retain(|(m, _)| *m != n);
        self.objs.push((n, obj));
    }
}

/// Where the signature placeholders landed inside the update bytes.
pub struct Placeholders {
    /// Start and end of the /ByteRange placeholder.
    pub byte_range: (usize, usize),
    /// Start and end of the /Contents hex placeholder.
    pub contents: (usize, usize),
}

/// /ByteRange written before the offsets are known, patched in place afterwards.
pub const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// Writes the update that follows the original `base_len` bytes. `sig_obj` is the number
/// of the signature dictionary whose /ByteRange and /Contents are placeholders
/// (`contents_len` bytes of zeros).
#[allow(clippy::too_many_arguments)]
pub fn write_update(
    base_len: usize,
    needs_newline: bool,
    objs: &mut NewObjects,
    trailer_in: &Dict,
    prev_startxref: usize,
    use_xref_stream: bool,
    sig_obj: Option<u32>,
    contents_len: usize,
) -> (Vec<u8>, Option<Placeholders>) {
    let mut out = Vec::new();
    if needs_newline {
        out.push(b'\n');
    }
    let mut offsets: Vec<(u32, usize)> = Vec::new();
    let mut placeholders = None;
    let mut items = std::mem::take(&mut objs.objs);
    items.sort_by_key(|(n, _)| *n);
    for (n, obj) in &items {
        offsets.push((*n, base_len + out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        if Some(*n) == sig_obj {
            let Obj::Dict(d) = obj else {
                unreachable!("signature value is a dictionary")
            };
            out.extend_from_slice(b"<<");
            for (k, v) in &d.0 {
                if k == b"ByteRange" || k == b"Contents" {
                    continue;
                }
                super::object::write_name(&mut out, k);
                out.push(b' ');
                write_obj(&mut out, v);
            }
            out.extend_from_slice(b"/ByteRange ");
            let br = out.len();
            out.extend_from_slice(BYTE_RANGE_PLACEHOLDER.as_bytes());
            out.extend_from_slice(b"/Contents ");
            let cs = out.len();
            out.push(b'<');
            out.resize(out.len() + contents_len * 2, b'0');
            out.push(b'>');
            let ce = out.len();
            out.extend_from_slice(b">>");
            placeholders = Some(Placeholders {
                byte_range: (br, br + BYTE_RANGE_PLACEHOLDER.len()),
                contents: (cs, ce),
            });
        } else {
            write_obj(&mut out, obj);
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let mut trailer = Dict::new();
    for key in ["Root", "Info", "ID"] {
        if let Some(v) = trailer_in.get(key) {
            trailer.set(key, v.clone());
        }
    }
    if let Some(Obj::Array(id)) = trailer_in.get("ID") {
        if let Some(first) = id.first() {
            let seed = format!("{base_len}-{:?}", std::time::SystemTime::now());
            let second = sha2::Digest::finalize(sha2::Digest::chain_update(
                sha2::Sha256::default(),
                seed.as_bytes(),
            ));
            trailer.set(
                "ID",
                Obj::Array(vec![first.clone(), Obj::Str(second[..16].to_vec())]),
            );
        }
    }
    trailer.set("Prev", Obj::Int(prev_startxref as i64));
    if use_xref_stream {
        let xref_num = objs.reserve();
        let xref_off = base_len + out.len();
        offsets.push((xref_num, xref_off));
        offsets.sort_by_key(|(n, _)| *n);
        let mut index = Vec::new();
        let mut data = Vec::new();
        for run in runs(&offsets) {
            index.push(Obj::Int(run[0].0 as i64));
            index.push(Obj::Int(run.len() as i64));
            for (_, off) in run {
                data.push(1u8);
                data.extend_from_slice(&(*off as u64).to_be_bytes()[3..]);
                data.extend_from_slice(&[0, 0]);
            }
        }
        trailer.set("Type", Obj::name("XRef"));
        trailer.set("Size", Obj::Int(objs.next as i64));
        trailer.set("W", Obj::Array(vec![Obj::Int(1), Obj::Int(5), Obj::Int(2)]));
        trailer.set("Index", Obj::Array(index));
        out.extend_from_slice(format!("{xref_num} 0 obj\n").as_bytes());
        write_obj(&mut out, &Obj::Stream(trailer, data));
        out.extend_from_slice(b"\nendobj\n");
        out.extend_from_slice(format!("startxref\n{xref_off}\n%%EOF\n").as_bytes());
    } else {
        let xref_off = base_len + out.len();
        offsets.sort_by_key(|(n, _)| *n);
        out.extend_from_slice(b"xref\n");
        for run in runs(&offsets) {
            out.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
            for (_, off) in run {
                out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
            }
        }
        trailer.set("Size", Obj::Int(objs.next as i64));
        out.extend_from_slice(b"trailer\n");
        write_obj(&mut out, &Obj::Dict(trailer));
        out.extend_from_slice(format!("\nstartxref\n{xref_off}\n%%EOF\n").as_bytes());
    }
    (out, placeholders)
}

fn runs(sorted: &[(u32, usize)]) -> Vec<&[(u32, usize)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=sorted.len() {
        if i == sorted.len() || sorted[i].0 != sorted[i - 1].0 + 1 {
            out.push(&sorted[start..i]);
            start = i;
        }
    }
    out
}
