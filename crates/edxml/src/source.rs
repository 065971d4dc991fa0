//! The byte source under quick-xml: a buffered reader that counts lines, can peek a few bytes
//! across buffer boundaries, and caps how much one markup event may consume (so a giant tag or
//! comment cannot make quick-xml buffer the whole file).
use std::io::{self, BufRead, Read};

const BUF_SIZE: usize = 64 * 1024;

pub struct Source<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    eof: bool,
    /// Newlines consumed so far.
    newlines: u64,
    /// Bytes consumed since the last [`Source::arm_budget`].
    spent: u64,
    budget: u64,
    pub(crate) over_budget: bool,
}

impl<R: Read> Source<R> {
    pub fn new(inner: R) -> Self {
        Source {
            inner,
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            pos: 0,
            end: 0,
            eof: false,
            newlines: 0,
            spent: 0,
            budget: u64::MAX,
            over_budget: false,
        }
    }

    /// 1-based line of the next unconsumed byte.
    pub fn line(&self) -> u64 {
        self.newlines + 1
    }

    pub fn arm_budget(&mut self, budget: u64) {
        self.spent = 0;
        self.budget = budget;
        self.over_budget = false;
    }

    /// Makes at least `n` bytes available (fewer only at end of input) and returns them.
    pub fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        debug_assert!(n <= BUF_SIZE);
        while self.end - self.pos < n && !self.eof {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.end, 0);
                self.end -= self.pos;
                self.pos = 0;
            }
            let read = loop {
                match self.inner.read(&mut self.buf[self.end..]) {
                    Ok(r) => break r,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if read == 0 {
                self.eof = true;
            }
            self.end += read;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    /// Current buffered bytes, refilling when empty; empty slice means end of input.
    pub fn chunk(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
            self.peek(1)?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    pub fn advance(&mut self, n: usize) {
        let n = n.min(self.end - self.pos);
        let consumed = &self.buf[self.pos..self.pos + n];
        self.newlines += consumed.iter().filter(|&&b| b == b'\n').count() as u64;
        self.pos += n;
        self.spent += n as u64;
    }
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Source<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.spent > self.budget {
            self.over_budget = true;
            return Err(io::Error::other("markup too large"));
        }
        self.chunk()
    }

    fn consume(&mut self, amt: usize) {
        self.advance(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_across_refills_and_counts_lines() {
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| if i % 100 == 99 { b'\n' } else { b'a' })
            .collect();
        let mut s = Source::new(&data[..]);
        let mut total = 0;
        loop {
            let c = s.chunk().unwrap().len();
            if c == 0 {
                break;
            }
            let step = c.min(BUF_SIZE - 3);
            s.advance(step);
            total += step;
            assert!(s.peek(9).unwrap().len() >= 9.min(data.len() - total));
        }
        assert_eq!(total, data.len());
        assert_eq!(s.line(), 2001);
    }
}
