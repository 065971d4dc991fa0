//! Streaming pass over the XML: builds a small element tree of everything except attachment
//! content, which is base64-decoded on the fly into temporary files (or only hashed).
//!
//! quick-xml parses the markup; text, CDATA, comments and entity references are consumed here
//! directly from the [`Source`], so that no text run is ever buffered whole: attachment content
//! goes chunk by chunk into the decoder, other text is capped by [`Limits`].
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use tempfile::NamedTempFile;

use crate::b64::{Base64Sink, Decoded};
use crate::error::{Error, Result};
use crate::source::Source;

/// Resource limits of the reader. Every limit gives a clear error naming it.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum element nesting.
    pub max_depth: usize,
    /// Maximum size of the text of one element other than attachment content.
    pub max_text: usize,
    /// Maximum size of all non-attachment text together.
    pub max_total_text: usize,
    /// Maximum number of elements (attachment content excluded).
    pub max_elements: usize,
    /// Maximum number of attachments.
    pub max_attachments: usize,
    /// Maximum decoded size of one attachment.
    pub max_attachment_size: u64,
    /// Maximum size of one tag, comment or processing instruction.
    pub max_markup: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_text: 1 << 20,
            max_total_text: 16 << 20,
            max_elements: 100_000,
            max_attachments: 500,
            max_attachment_size: 4 << 30,
            max_markup: 1 << 20,
        }
    }
}

/// Options of one read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Size and count limits the reader enforces.
    pub limits: Limits,
    /// Where decoded attachments are written (as temporary files). `None`: only size and
    /// SHA-256 are computed and the content is discarded.
    pub attachment_dir: Option<PathBuf>,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub local: String,
    pub ns: Option<String>,
    pub line: u64,
    pub text: String,
    pub children: Vec<usize>,
    /// Index into [`Dom::contents`] for `ContentTransferEncoded` elements.
    pub content: Option<usize>,
}

pub(crate) struct Content {
    pub decoded: Decoded,
    pub file: Option<NamedTempFile>,
}

pub(crate) struct Dom {
    pub nodes: Vec<Node>,
    pub contents: Vec<Content>,
}

enum Out {
    Discard(io::Sink),
    File(BufWriter<NamedTempFile>),
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::Discard(s) => s.write(buf),
            Out::File(f) => f.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Out::Discard(_) => Ok(()),
            Out::File(f) => f.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Discard(_) => Ok(()),
            Out::File(f) => f.flush(),
        }
    }
}

struct Frame {
    node: usize,
    qname: Vec<u8>,
    ns_pushed: usize,
    text: Vec<u8>,
    cr: bool,
    content: Option<Base64Sink<Out>>,
}

struct Parser<'o> {
    opts: &'o ReadOptions,
    nodes: Vec<Node>,
    contents: Vec<Content>,
    stack: Vec<Frame>,
    ns: Vec<(Option<Vec<u8>>, String)>,
    total_text: usize,
    root_done: bool,
}

const CONTENT_ELEMENT: &str = "ContentTransferEncoded";

pub(crate) fn parse<R: Read>(mut input: R, opts: &ReadOptions) -> Result<Dom> {
    let mut bom = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match input.read(&mut bom[got..])? {
            0 => break,
            n => got += n,
        }
    }
    match &bom[..got] {
        [0xFF, 0xFE] => parse_source(
            Source::new(crate::utf16::Utf16ToUtf8::new(input, false)),
            opts,
            true,
        ),
        [0xFE, 0xFF] => parse_source(
            Source::new(crate::utf16::Utf16ToUtf8::new(input, true)),
            opts,
            true,
        ),
        head => parse_source(
            Source::new(io::Cursor::new(head.to_vec()).chain(input)),
            opts,
            false,
        ),
    }
}

fn parse_source<R: Read>(mut src: Source<R>, opts: &ReadOptions, utf16: bool) -> Result<Dom> {
    let head = src.peek(4)?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        src.advance(3);
    }
    let mut xml = Reader::from_reader(src);
    {
        let c = xml.config_mut();
        c.check_end_names = false;
        c.expand_empty_elements = false;
        c.trim_text(false);
    }
    let mut p = Parser {
        opts,
        nodes: Vec::new(),
        contents: Vec::new(),
        stack: Vec::new(),
        ns: Vec::new(),
        total_text: 0,
        root_done: false,
    };
    let mut buf = Vec::new();
    loop {
        p.pump_text(xml.get_mut())?;
        let line = xml.get_ref().line();
        xml.get_mut().arm_budget(opts.limits.max_markup);
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let src = xml.get_ref();
                if src.over_budget {
                    return Err(Error::Limit {
                        what: "kích thước thẻ / markup size",
                        limit: opts.limits.max_markup,
                        line,
                    });
                }
                return Err(Error::Malformed {
                    line: src.line(),
                    message: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(e) => p.open(&e, line, false)?,
            Event::Empty(e) => p.open(&e, line, true)?,
            Event::End(e) => p.close(e.name().as_ref(), line)?,
            Event::Decl(d) => {
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|e| Error::Malformed {
                        line,
                        message: e.to_string(),
                    })?;
                    let name = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    let utf16_ok =
                        utf16 && matches!(name.as_str(), "utf-16" | "utf-16le" | "utf-16be");
                    if !utf16_ok
                        && !matches!(name.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii")
                    {
                        return Err(Error::Encoding(name));
                    }
                }
            }
            Event::DocType(_) => return Err(Error::Doctype { line }),
            Event::PI(_) | Event::Comment(_) => {}
            Event::CData(c) => {
                let bytes = c.into_inner().into_owned();
                p.deliver(&bytes, line, false)?;
            }
            Event::Text(t) => {
                let bytes = t.into_inner().into_owned();
                p.deliver(&bytes, line, true)?;
            }
            Event::GeneralRef(_) => {
                return Err(Error::Malformed {
                    line,
                    message: "unexpected entity reference".into(),
                })
            }
            Event::Eof => break,
        }
    }
    if let Some(top) = p.stack.last() {
        let n = &p.nodes[top.node];
        return Err(Error::Malformed {
            line: n.line,
            message: format!(
                "phần tử <{}> không được đóng (hết tệp) / element <{}> is never closed (end of file)",
                String::from_utf8_lossy(&top.qname),
                String::from_utf8_lossy(&top.qname)
            ),
        });
    }
    if p.nodes.is_empty() {
        return Err(Error::NotEdxml("tệp rỗng / empty document".into()));
    }
    Ok(Dom {
        nodes: p.nodes,
        contents: p.contents,
    })
}

fn malformed(line: u64, message: impl Into<String>) -> Error {
    Error::Malformed {
        line,
        message: message.into(),
    }
}

impl Parser<'_> {
    fn open(&mut self, e: &BytesStart<'_>, line: u64, empty: bool) -> Result<()> {
        let limits = &self.opts.limits;
        if self.root_done {
            return Err(malformed(
                line,
                "nhiều phần tử gốc / more than one root element",
            ));
        }
        if self.stack.len() >= limits.max_depth {
            return Err(Error::Limit {
                what: "độ sâu phần tử / element depth",
                limit: limits.max_depth as u64,
                line,
            });
        }
        if self.nodes.len() >= limits.max_elements {
            return Err(Error::Limit {
                what: "số phần tử / number of elements",
                limit: limits.max_elements as u64,
                line,
            });
        }
        let mut pushed = 0;
        for attr in e.attributes() {
            let attr = attr.map_err(|err| malformed(line, err.to_string()))?;
            let key = attr.key.as_ref();
            let prefix = if key == b"xmlns" {
                None
            } else if let Some(p) = key.strip_prefix(b"xmlns:") {
                Some(p.to_vec())
            } else {
                continue;
            };
            let uri = attr
                .unescape_value()
                .map_err(|err| malformed(line, err.to_string()))?
                .trim()
                .to_string();
            self.ns.push((prefix, uri));
            pushed += 1;
        }
        let name = e.name();
        let prefix = name.prefix().map(|p| p.as_ref().to_vec());
        let ns = self
            .ns
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, uri)| uri.clone())
            .filter(|uri| !uri.is_empty());
        let local = std::str::from_utf8(e.local_name().as_ref())
            .map_err(|_| {
                malformed(
                    line,
                    "tên phần tử không phải UTF-8 / element name is not UTF-8",
                )
            })?
            .to_string();
        let is_content = local == CONTENT_ELEMENT;
        let id = self.nodes.len();
        if let Some(parent) = self.stack.last_mut() {
            if let Some(sink) = parent.content.as_mut() {
                // Markup inside base64 content: the content is unusable, the package is not.
                sink.mark_broken("phần tử lạ trong nội dung / element inside content");
            }
            let parent_node = parent.node;
            self.nodes[parent_node].children.push(id);
        }
        self.nodes.push(Node {
            local,
            ns,
            line,
            text: String::new(),
            children: Vec::new(),
            content: None,
        });
        let content = if is_content {
            if self.contents.len() >= limits.max_attachments {
                return Err(Error::Limit {
                    what: "số tệp đính kèm / number of attachments",
                    limit: limits.max_attachments as u64,
                    line,
                });
            }
            let out = match &self.opts.attachment_dir {
                Some(dir) => Out::File(BufWriter::with_capacity(
                    64 * 1024,
                    tempfile::Builder::new()
                        .prefix(".edxml-att-")
                        .tempfile_in(dir)?,
                )),
                None => Out::Discard(io::sink()),
            };
            Some(Base64Sink::new(out, limits.max_attachment_size))
        } else {
            None
        };
        let frame = Frame {
            node: id,
            qname: name.as_ref().to_vec(),
            ns_pushed: pushed,
            text: Vec::new(),
            cr: false,
            content,
        };
        if empty {
            self.finish(frame, line)
        } else {
            self.stack.push(frame);
            Ok(())
        }
    }

    fn close(&mut self, qname: &[u8], line: u64) -> Result<()> {
        let Some(frame) = self.stack.pop() else {
            return Err(malformed(
                line,
                format!(
                    "thẻ đóng </{0}> thừa / unexpected closing tag </{0}>",
                    String::from_utf8_lossy(qname)
                ),
            ));
        };
        if frame.qname != qname {
            let open = String::from_utf8_lossy(&frame.qname).into_owned();
            let opened_at = self.nodes[frame.node].line;
            return Err(malformed(
                line,
                format!(
                    "thẻ đóng </{0}> không khớp với <{1}> mở ở dòng {2} (chưa đóng) / closing tag </{0}> does not match <{1}> opened at line {2} (never closed)",
                    String::from_utf8_lossy(qname),
                    open,
                    opened_at
                ),
            ));
        }
        self.finish(frame, line)
    }

    fn finish(&mut self, frame: Frame, line: u64) -> Result<()> {
        let node = frame.node;
        if let Some(sink) = frame.content {
            let (decoded, out) = sink.finish()?;
            if decoded.too_large {
                return Err(Error::Limit {
                    what: "kích thước tệp đính kèm / attachment size",
                    limit: self.opts.limits.max_attachment_size,
                    line,
                });
            }
            let file = match out {
                Out::File(w) => Some(w.into_inner().map_err(|e| e.into_error())?),
                Out::Discard(_) => None,
            };
            self.nodes[node].content = Some(self.contents.len());
            self.contents.push(Content { decoded, file });
        } else {
            let text = String::from_utf8(frame.text).map_err(|_| {
                malformed(
                    self.nodes[node].line,
                    "văn bản không phải UTF-8 hợp lệ / text is not valid UTF-8",
                )
            })?;
            self.nodes[node].text = text;
        }
        self.ns.truncate(self.ns.len() - frame.ns_pushed);
        if self.stack.is_empty() {
            self.root_done = true;
        }
        Ok(())
    }

    /// Delivers character data to the open element (raw text gets XML end-of-line handling).
    fn deliver(&mut self, bytes: &[u8], line: u64, raw: bool) -> Result<()> {
        let limits = &self.opts.limits;
        let Some(frame) = self.stack.last_mut() else {
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                return Ok(());
            }
            return Err(malformed(
                line,
                "văn bản nằm ngoài phần tử gốc / text outside the root element",
            ));
        };
        if let Some(sink) = frame.content.as_mut() {
            sink.feed(bytes)?;
            return Ok(());
        }
        if frame.text.len() + bytes.len() > limits.max_text {
            return Err(Error::Limit {
                what: "độ dài văn bản của một phần tử / text size of one element",
                limit: limits.max_text as u64,
                line,
            });
        }
        self.total_text += bytes.len();
        if self.total_text > limits.max_total_text {
            return Err(Error::Limit {
                what: "tổng độ dài văn bản / total text size",
                limit: limits.max_total_text as u64,
                line,
            });
        }
        if !raw {
            frame.cr = false;
            frame.text.extend_from_slice(bytes);
            return Ok(());
        }
        for &b in bytes {
            match b {
                b'\r' => {
                    frame.text.push(b'\n');
                    frame.cr = true;
                }
                b'\n' if frame.cr => frame.cr = false,
                _ => {
                    frame.cr = false;
                    frame.text.push(b);
                }
            }
        }
        Ok(())
    }

    /// Consumes character data, CDATA sections, comments and entity references up to the next
    /// tag, processing instruction or end of input; refuses DOCTYPE.
    fn pump_text<R: Read>(&mut self, src: &mut Source<R>) -> Result<()> {
        loop {
            let line = src.line();
            let chunk = src.chunk()?;
            if chunk.is_empty() {
                return Ok(());
            }
            let stop = chunk
                .iter()
                .position(|&b| b == b'<' || b == b'&')
                .unwrap_or(chunk.len());
            if stop > 0 {
                self.deliver(&chunk[..stop], line, true)?;
                src.advance(stop);
                continue;
            }
            if chunk[0] == b'&' {
                self.entity(src, line)?;
                continue;
            }
            let head = src.peek(9)?;
            if head.starts_with(b"<![CDATA[") {
                src.advance(9);
                self.until(src, b"]]>", line, true, "CDATA")?;
            } else if head.starts_with(b"<!--") {
                src.advance(4);
                self.until(src, b"-->", line, false, "comment")?;
            } else if head.starts_with(b"<!") {
                return Err(Error::Doctype { line });
            } else {
                return Ok(());
            }
        }
    }

    fn until<R: Read>(
        &mut self,
        src: &mut Source<R>,
        end: &[u8; 3],
        start_line: u64,
        keep: bool,
        what: &str,
    ) -> Result<()> {
        let mut spent = 0u64;
        loop {
            let line = src.line();
            let buf = src.peek(3)?;
            if buf.len() < 3 {
                return Err(malformed(
                    start_line,
                    format!("{what} không được đóng / unclosed {what}"),
                ));
            }
            let found = buf.windows(3).position(|w| w == end);
            let n = found.unwrap_or(buf.len() - 2);
            if keep {
                self.deliver(&buf[..n], line, true)?;
            } else {
                spent += n as u64;
                if spent > self.opts.limits.max_markup {
                    return Err(Error::Limit {
                        what: "kích thước chú thích / comment size",
                        limit: self.opts.limits.max_markup,
                        line: start_line,
                    });
                }
            }
            match found {
                Some(i) => {
                    src.advance(i + 3);
                    return Ok(());
                }
                None => src.advance(n),
            }
        }
    }

    fn entity<R: Read>(&mut self, src: &mut Source<R>, line: u64) -> Result<()> {
        let head = src.peek(16)?;
        let Some(semi) = head.iter().position(|&b| b == b';') else {
            return Err(malformed(line, "ký tự '&' không hợp lệ / bare '&' in text"));
        };
        let name = &head[1..semi];
        let c: char = match name {
            b"lt" => '<',
            b"gt" => '>',
            b"amp" => '&',
            b"quot" => '"',
            b"apos" => '\'',
            _ if name.first() == Some(&b'#') => {
                let digits = std::str::from_utf8(&name[1..]).unwrap_or("");
                let value = if let Some(hex) = digits.strip_prefix(['x', 'X']) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    digits.parse::<u32>().ok()
                };
                value.and_then(char::from_u32).ok_or_else(|| {
                    malformed(
                        line,
                        format!(
                            "tham chiếu ký tự sai / bad character reference &{};",
                            String::from_utf8_lossy(name)
                        ),
                    )
                })?
            }
            _ => {
                // No DTD is ever read, so any other entity is undefined (and never expanded).
                return Err(malformed(
                    line,
                    format!(
                        "thực thể không xác định / undefined entity &{};",
                        String::from_utf8_lossy(name)
                    ),
                ));
            }
        };
        src.advance(semi + 1);
        let mut tmp = [0u8; 4];
        self.deliver(c.encode_utf8(&mut tmp).as_bytes(), line, false)
    }
}

impl Dom {
    pub fn first_descendant(&self, from: usize, local: &str) -> Option<usize> {
        let mut todo = vec![from];
        while let Some(id) = todo.pop() {
            if id != from && self.nodes[id].local == local {
                return Some(id);
            }
            todo.extend(self.nodes[id].children.iter().rev());
        }
        None
    }
}
