//! UTF-16 input (with a byte-order mark) transcoded to UTF-8 on the fly, so the reader honours a
//! declared UTF-16 encoding (edxml.md §9 case 7) without buffering the file.
use std::io::{self, Read};

pub struct Utf16ToUtf8<R> {
    inner: R,
    big_endian: bool,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    pending_high: Option<u16>,
    eof: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    /// `inner` must be positioned after the byte-order mark.
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16ToUtf8 {
            inner,
            big_endian,
            raw: Vec::with_capacity(64 * 1024),
            out: Vec::with_capacity(96 * 1024),
            pos: 0,
            pending_high: None,
            eof: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        let mut buf = [0u8; 32 * 1024];
        while self.out.is_empty() && !self.eof {
            let n = self.inner.read(&mut buf)?;
            if n == 0 {
                self.eof = true;
                if !self.raw.is_empty() || self.pending_high.is_some() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "UTF-16 bị cụt / truncated UTF-16",
                    ));
                }
                break;
            }
            self.raw.extend_from_slice(&buf[..n]);
            let whole = self.raw.len() / 2 * 2;
            for pair in self.raw[..whole].chunks_exact(2) {
                let u = if self.big_endian {
                    u16::from_be_bytes([pair[0], pair[1]])
                } else {
                    u16::from_le_bytes([pair[0], pair[1]])
                };
                let c = match (self.pending_high.take(), u) {
                    (None, 0xD800..=0xDBFF) => {
                        self.pending_high = Some(u);
                        continue;
                    }
                    (Some(h), 0xDC00..=0xDFFF) => char::from_u32(
                        0x10000 + (((h as u32) - 0xD800) << 10) + (u as u32 - 0xDC00),
                    ),
                    (None, 0xDC00..=0xDFFF) | (Some(_), _) => None,
                    (None, u) => char::from_u32(u as u32),
                };
                let c = c.ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        "UTF-16 không hợp lệ / invalid UTF-16 surrogate",
                    )
                })?;
                let mut tmp = [0u8; 4];
                self.out
                    .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
            self.raw.drain(..whole);
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.out.len() {
            self.refill()?;
        }
        let n = (self.out.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
