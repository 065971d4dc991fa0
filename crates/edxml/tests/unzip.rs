//! Attachments zipped by the .NET SDK: single entry unzipped, bombs and odd archives refused.
use std::io::Write;

use vanthu_edxml::zip::{unzip_single, ZipLimits};
use vanthu_edxml::Error;

fn make_zip(entries: &[(&str, Vec<u8>)]) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    let mut z = zip::ZipWriter::new(f.reopen().unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
    f
}

#[test]
fn single_entry_unzipped_and_path_stripped() {
    let z = make_zip(&[("../../etc/van-ban.pdf", b"%PDF-1.7 noi dung".to_vec())]);
    let mut out = Vec::new();
    let u = unzip_single(z.path(), &mut out, ZipLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(u.entry_name, "van-ban.pdf");
    assert_eq!(out, b"%PDF-1.7 noi dung");
}

#[test]
fn several_entries_or_not_a_zip_are_kept_as_is() {
    let z = make_zip(&[("a.txt", b"a".to_vec()), ("b.txt", b"b".to_vec())]);
    assert_eq!(
        unzip_single(z.path(), &mut Vec::new(), ZipLimits::default()).unwrap(),
        None
    );
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(b"PK\x03\x04 not really").unwrap();
    assert_eq!(
        unzip_single(f.path(), &mut Vec::new(), ZipLimits::default()).unwrap(),
        None
    );
}

#[test]
fn zip_bomb_refused() {
    let z = make_zip(&[("bomb.bin", vec![0u8; 20 << 20])]);
    let mut out = Vec::new();
    let e = unzip_single(z.path(), &mut out, ZipLimits::default()).unwrap_err();
    assert!(matches!(e, Error::Limit { .. }), "{e}");
    let limits = ZipLimits {
        max_size: 1 << 20,
        max_ratio: u64::MAX,
    };
    let e = unzip_single(z.path(), &mut Vec::new(), limits).unwrap_err();
    assert!(matches!(e, Error::Limit { .. }), "{e}");
}
