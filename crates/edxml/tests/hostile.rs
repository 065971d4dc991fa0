//! Hostile and oversized inputs: every limit gives its own clear error, memory stays bounded.
use std::io::{self, Read};

use vanthu_edxml::*;

fn read_with(input: impl Read, limits: Limits) -> Result<Message> {
    read_message(
        input,
        &ReadOptions {
            limits,
            ..Default::default()
        },
    )
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader>
<From><OrganId>000.00.00.H34</OrganId></From><Code><CodeNotation>UBND</CodeNotation></Code>"#;
const TAIL: &str = "</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>";

fn limit_what(e: Error) -> &'static str {
    match e {
        Error::Limit { what, .. } => what,
        other => panic!("expected a limit error, got {other}"),
    }
}

#[test]
fn deep_nesting() {
    let mut s = String::from(HEAD);
    for _ in 0..10_000 {
        s.push_str("<a>");
    }
    let e = read_with(s.as_bytes(), Limits::default()).unwrap_err();
    assert!(limit_what(e).contains("depth"));
}

/// A reader producing `n` bytes of `fill` between a prefix and a suffix, without allocating them.
struct Gen {
    parts: Vec<(Vec<u8>, u64)>,
    idx: usize,
    done: u64,
}

impl Gen {
    fn new(parts: Vec<(Vec<u8>, u64)>) -> Self {
        Gen {
            parts,
            idx: 0,
            done: 0,
        }
    }
}

impl Read for Gen {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.idx < self.parts.len() {
            let (pat, reps) = &self.parts[self.idx];
            let total = pat.len() as u64 * reps;
            if self.done < total {
                let mut n = 0;
                while n < out.len() && self.done < total {
                    out[n] = pat[(self.done % pat.len() as u64) as usize];
                    n += 1;
                    self.done += 1;
                }
                return Ok(n);
            }
            self.idx += 1;
            self.done = 0;
        }
        Ok(0)
    }
}

#[test]
fn huge_text_in_a_field() {
    let g = Gen::new(vec![
        (format!("{HEAD}<Subject>").into_bytes(), 1),
        (b"a".to_vec(), 200 << 20),
        (format!("</Subject>{TAIL}").into_bytes(), 1),
    ]);
    let e = read_with(g, Limits::default()).unwrap_err();
    assert!(limit_what(e).contains("text size of one element"));
}

#[test]
fn many_text_fields_hit_total_limit() {
    let limits = Limits {
        max_total_text: 1 << 20,
        ..Default::default()
    };
    let field = format!("<Place>{}</Place>", "x".repeat(1000));
    let g = Gen::new(vec![
        (format!("{HEAD}<ToPlaces>").into_bytes(), 1),
        (field.into_bytes(), 2000),
        (format!("</ToPlaces>{TAIL}").into_bytes(), 1),
    ]);
    assert!(limit_what(read_with(g, limits).unwrap_err()).contains("total text"));
}

#[test]
fn too_many_elements() {
    let limits = Limits {
        max_elements: 1000,
        ..Default::default()
    };
    let g = Gen::new(vec![
        (HEAD.as_bytes().to_vec(), 1),
        (b"<x/>".to_vec(), 5000),
        (TAIL.as_bytes().to_vec(), 1),
    ]);
    assert!(limit_what(read_with(g, limits).unwrap_err()).contains("number of elements"));
}

#[test]
fn huge_tag_and_huge_comment() {
    let g = Gen::new(vec![
        (format!("{HEAD}<Subject a=\"").into_bytes(), 1),
        (b"b".to_vec(), 50 << 20),
        (format!("\"/>{TAIL}").into_bytes(), 1),
    ]);
    assert!(limit_what(read_with(g, Limits::default()).unwrap_err()).contains("markup"));
    let g = Gen::new(vec![
        (format!("{HEAD}<!--").into_bytes(), 1),
        (b"c".to_vec(), 50 << 20),
        (format!("-->{TAIL}").into_bytes(), 1),
    ]);
    assert!(limit_what(read_with(g, Limits::default()).unwrap_err()).contains("comment"));
}

fn attachments(n: u64, each: u64) -> Gen {
    let env_end = "</MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded>";
    let mut parts = vec![(format!("{HEAD}{env_end}").into_bytes(), 1)];
    for i in 0..n {
        parts.push((
            format!("<Attachment><ContentId>{i}</ContentId><ContentTransferEncoded>").into_bytes(),
            1,
        ));
        parts.push((b"QUJD".to_vec(), each / 3));
        parts.push((b"</ContentTransferEncoded></Attachment>".to_vec(), 1));
    }
    parts.push((b"</AttachmentEncoded></edXML>".to_vec(), 1));
    Gen::new(parts)
}

#[test]
fn too_many_attachments() {
    let limits = Limits {
        max_attachments: 10,
        ..Default::default()
    };
    let e = read_with(attachments(11, 3), limits).unwrap_err();
    assert!(limit_what(e).contains("number of attachments"));
}

#[test]
fn attachment_size_cap() {
    let limits = Limits {
        max_attachment_size: 1 << 20,
        ..Default::default()
    };
    let e = read_with(attachments(1, 3 << 20), limits).unwrap_err();
    assert!(limit_what(e).contains("attachment size"));
}

#[test]
fn large_attachments_stream_through() {
    // 3 × 9 MB decoded: far more than any text limit, read without holding it.
    let Message::Package(p) = read_with(attachments(3, 9 << 20), Limits::default()).unwrap() else {
        panic!()
    };
    assert_eq!(p.attachments.len(), 3);
    for a in &p.attachments {
        assert_eq!(a.size, 9 << 20);
        assert!(a.broken.is_none());
    }
    assert_eq!(p.attachments[0].sha256, p.attachments[2].sha256);
}

#[test]
fn markup_inside_content_marks_broken() {
    let s = format!(
        "{HEAD}</MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment>\
         <ContentTransferEncoded>QUJD<b>x</b>QUJD</ContentTransferEncoded></Attachment>\
         </AttachmentEncoded></edXML>"
    );
    let Message::Package(p) = read_with(s.as_bytes(), Limits::default()).unwrap() else {
        panic!()
    };
    assert!(p.attachments[0].broken.is_some());
}

#[test]
fn second_root_and_text_outside_root() {
    let s = format!("{HEAD}{TAIL}<edXML/>");
    assert!(matches!(
        read_with(s.as_bytes(), Limits::default()),
        Err(Error::Malformed { .. })
    ));
    let s = format!("{HEAD}{TAIL}garbage");
    assert!(matches!(
        read_with(s.as_bytes(), Limits::default()),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn invalid_utf8_in_text() {
    let mut s = format!("{HEAD}<Subject>").into_bytes();
    s.extend_from_slice(b"\xff\xfe");
    s.extend_from_slice(format!("</Subject>{TAIL}").as_bytes());
    let e = read_with(&s[..], Limits::default()).unwrap_err();
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn bad_character_reference() {
    let s = format!("{HEAD}<Subject>&#xFFFFFFFF;</Subject>{TAIL}");
    assert!(matches!(
        read_with(s.as_bytes(), Limits::default()),
        Err(Error::Malformed { .. })
    ));
    let s = format!("{HEAD}<Subject>a & b</Subject>{TAIL}");
    assert!(matches!(
        read_with(s.as_bytes(), Limits::default()),
        Err(Error::Malformed { .. })
    ));
}
