//! Incremental, tolerant base64 decoding of attachment content straight into a sink while the
//! SHA-256 is computed (edxml.md §9 cases 8, 9): whitespace ignored, missing padding accepted,
//! anything else marks the attachment broken without failing the package.
use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

const INVALID: u8 = 0xFF;
const SKIP: u8 = 0xFE;
const PAD: u8 = 0xFD;

static TABLE: [u8; 256] = build_table();

const fn build_table() -> [u8; 256] {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    // URL-safe alphabet seen from some Java encoders.
    t[b'-' as usize] = 62;
    t[b'_' as usize] = 63;
    t[b' ' as usize] = SKIP;
    t[b'\t' as usize] = SKIP;
    t[b'\n' as usize] = SKIP;
    t[b'\r' as usize] = SKIP;
    t[b'=' as usize] = PAD;
    t
}

/// What came out of one attachment's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub size: u64,
    pub sha256: String,
    /// Why the content could not be decoded; `None` when it is fine.
    pub broken: Option<String>,
    /// First bytes of the decoded content (to sniff zip archives).
    pub magic: Vec<u8>,
    /// The decoded size went over the cap.
    pub too_large: bool,
}

pub struct Base64Sink<W: Write> {
    out: W,
    hasher: Sha256,
    acc: u32,
    n: u8,
    padded: bool,
    size: u64,
    max_size: u64,
    broken: Option<String>,
    pending: Vec<u8>,
    magic: Vec<u8>,
    too_large: bool,
}

const FLUSH_AT: usize = 256 * 1024;

impl<W: Write> Base64Sink<W> {
    pub fn new(out: W, max_size: u64) -> Self {
        Base64Sink {
            out,
            hasher: Sha256::new(),
            acc: 0,
            n: 0,
            padded: false,
            size: 0,
            max_size,
            broken: None,
            pending: Vec::with_capacity(FLUSH_AT + 4),
            magic: Vec::new(),
            too_large: false,
        }
    }

    pub fn mark_broken(&mut self, why: impl Into<String>) {
        if self.broken.is_none() {
            self.broken = Some(why.into());
        }
    }

    /// Feeds base64 text. I/O errors of the sink are real errors; bad input only marks broken.
    pub fn feed(&mut self, input: &[u8]) -> io::Result<()> {
        if self.broken.is_some() {
            return Ok(());
        }
        let mut i = 0;
        while i < input.len() {
            // Fastest path: a run of standard-alphabet characters decoded in bulk.
            if self.n == 0 && !self.padded && input.len() - i >= 64 {
                let run = input[i..]
                    .iter()
                    .position(|&b| TABLE[b as usize] >= 64)
                    .unwrap_or(input.len() - i);
                let bulk = run / 4 * 4;
                if bulk >= 64 {
                    let start = self.pending.len();
                    self.pending.resize(start + bulk / 4 * 3, 0);
                    match STANDARD_NO_PAD
                        .decode_slice_unchecked(&input[i..i + bulk], &mut self.pending[start..])
                    {
                        Ok(n) => {
                            self.pending.truncate(start + n);
                            i += bulk;
                            if self.pending.len() >= FLUSH_AT {
                                self.flush_pending()?;
                                if self.broken.is_some() {
                                    return Ok(());
                                }
                            }
                            continue;
                        }
                        // URL-safe characters: the table-driven path below handles them.
                        Err(_) => self.pending.truncate(start),
                    }
                }
            }
            // Fast path: whole quads of alphabet characters.
            if self.n == 0 && !self.padded && i + 4 <= input.len() {
                let (a, b, c, d) = (
                    TABLE[input[i] as usize],
                    TABLE[input[i + 1] as usize],
                    TABLE[input[i + 2] as usize],
                    TABLE[input[i + 3] as usize],
                );
                if (a | b | c | d) < 64 {
                    let v = (a as u32) << 18 | (b as u32) << 12 | (c as u32) << 6 | d as u32;
                    self.pending
                        .extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
                    i += 4;
                    if self.pending.len() >= FLUSH_AT {
                        self.flush_pending()?;
                        if self.broken.is_some() {
                            return Ok(());
                        }
                    }
                    continue;
                }
            }
            let v = TABLE[input[i] as usize];
            i += 1;
            match v {
                SKIP => {}
                PAD => {
                    if self.n < 2 {
                        self.mark_broken("dấu '=' sai vị trí / misplaced base64 padding");
                        return Ok(());
                    }
                    self.padded = true;
                }
                INVALID => {
                    let shown = input[i - 1];
                    self.mark_broken(format!(
                        "nội dung base64 có ký tự không hợp lệ / invalid base64 character {:?}",
                        shown as char
                    ));
                    return Ok(());
                }
                _ => {
                    if self.padded {
                        self.mark_broken("dữ liệu sau dấu '=' / data after base64 padding");
                        return Ok(());
                    }
                    self.acc = (self.acc << 6) | v as u32;
                    self.n += 1;
                    if self.n == 4 {
                        let a = self.acc;
                        self.pending
                            .extend_from_slice(&[(a >> 16) as u8, (a >> 8) as u8, a as u8]);
                        self.acc = 0;
                        self.n = 0;
                    }
                }
            }
            if self.pending.len() >= FLUSH_AT {
                self.flush_pending()?;
            }
        }
        Ok(())
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.size += self.pending.len() as u64;
        if self.size > self.max_size {
            self.too_large = true;
            self.mark_broken("tệp đính kèm quá lớn / attachment too large");
            self.pending.clear();
            return Ok(());
        }
        if self.magic.len() < 8 {
            let take = (8 - self.magic.len()).min(self.pending.len());
            self.magic.extend_from_slice(&self.pending[..take]);
        }
        self.hasher.update(&self.pending);
        self.out.write_all(&self.pending)?;
        self.pending.clear();
        Ok(())
    }

    /// Finishes decoding (the leftover of a quad without padding is accepted).
    pub fn finish(mut self) -> io::Result<(Decoded, W)> {
        if self.broken.is_none() {
            match self.n {
                0 => {}
                1 => self.mark_broken("base64 bị cụt / truncated base64"),
                2 => {
                    let a = self.acc << 12;
                    self.pending.push((a >> 16) as u8);
                }
                _ => {
                    let a = self.acc << 6;
                    self.pending
                        .extend_from_slice(&[(a >> 16) as u8, (a >> 8) as u8]);
                }
            }
        }
        if self.broken.is_none() {
            self.flush_pending()?;
        }
        self.out.flush()?;
        let sha256 = hex::encode(self.hasher.finalize());
        Ok((
            Decoded {
                size: self.size,
                sha256,
                broken: self.broken,
                magic: self.magic,
                too_large: self.too_large,
            },
            self.out,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn decode_all(chunks: &[&[u8]]) -> (Decoded, Vec<u8>) {
        let mut s = Base64Sink::new(Vec::new(), u64::MAX);
        for c in chunks {
            s.feed(c).unwrap();
        }
        s.finish().unwrap()
    }

    #[test]
    fn decodes_with_whitespace_and_split_chunks() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let enc = base64::engine::general_purpose::STANDARD.encode(&data);
        let wrapped: Vec<u8> = enc
            .as_bytes()
            .chunks(76)
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect();
        let (a, b) = wrapped.split_at(1001);
        let (d, out) = decode_all(&[a, b]);
        assert_eq!(out, data);
        assert_eq!(d.broken, None);
        assert_eq!(d.size, data.len() as u64);
        assert_eq!(d.sha256, hex::encode(Sha256::digest(&data)));
    }

    #[test]
    fn url_safe_alphabet_in_long_runs() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 13 % 256) as u8).collect();
        let enc = base64::engine::general_purpose::URL_SAFE.encode(&data);
        assert!(enc.contains('-') || enc.contains('_'));
        let (d, out) = decode_all(&[enc.as_bytes()]);
        assert_eq!(d.broken, None);
        assert_eq!(out, data);
    }

    #[test]
    fn missing_padding_accepted() {
        let (d, out) = decode_all(&[b"aGVsbG8"]);
        assert_eq!(out, b"hello");
        assert!(d.broken.is_none());
    }

    #[test]
    fn placeholder_is_broken() {
        let (d, _) = decode_all(&[b"${__StringFromFile(test.txt,,,)}"]);
        assert!(d.broken.unwrap().contains("invalid base64"));
    }

    #[test]
    fn truncated_is_broken() {
        let (d, _) = decode_all(&[b"aGVsbG8hx"]);
        assert!(d.broken.is_some());
    }

    #[test]
    fn size_cap() {
        let mut s = Base64Sink::new(Vec::new(), 10);
        let enc = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 100_000]);
        s.feed(enc.as_bytes()).unwrap();
        let (d, out) = s.finish().unwrap();
        assert!(d.too_large);
        assert!(d.broken.is_some());
        assert!(out.len() <= 10);
    }
}
