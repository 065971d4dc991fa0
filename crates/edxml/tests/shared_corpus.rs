//! The three third-party SDK samples in $VANTHU_SHARED/corpus/edxml-sdk (never copied here).
use std::fs::File;
use std::path::PathBuf;

use vanthu_edxml::*;

fn corpus() -> Option<PathBuf> {
    let base = std::env::var_os("VANTHU_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = base.join("corpus/edxml-sdk");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} missing, shared corpus tests skipped",
            dir.display()
        );
        None
    }
}

fn open(name: &str) -> Option<File> {
    corpus().map(|d| File::open(d.join(name)).unwrap())
}

#[test]
fn edoc_new_reads_with_zipped_attachment() {
    let Some(f) = open("edoc_new.edxml") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let opts = ReadOptions {
        attachment_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let p = read_package(f, &opts).unwrap();
    assert_eq!(p.header.from.organ_id.as_deref(), Some("000.00.00.A80"));
    assert_eq!(p.header.code.notation.as_deref(), Some("VPCP-TTĐT"));
    assert_eq!(p.header.to.len(), 1);
    assert_eq!(p.attachments.len(), 1);
    let a = &p.attachments[0];
    assert_eq!(a.meta.content_id.as_deref(), Some("209"));
    assert_eq!(a.size, 270_823);
    assert_eq!(
        a.sha256.as_deref(),
        Some("7ab7c43a02a3cf2cedd14ebf2545a37e7a1307e0091b4ba94c2ef1e842a763aa")
    );
    assert!(a.is_zip, "the SDK zips attachments");
    // The zip holds an .edxml: unzip it and read it as a package too.
    let mut inner = Vec::new();
    let u = zip::unzip_single(
        a.file.as_ref().unwrap().path(),
        &mut inner,
        Default::default(),
    )
    .unwrap()
    .unwrap();
    assert!(u.entry_name.ends_with(".edxml"), "{}", u.entry_name);
    assert_eq!(u.size, inner.len() as u64);
    let nested = read_message(&inner[..], &ReadOptions::default());
    assert!(nested.is_ok(), "{:?}", nested.err());
    assert!(p.report.signature.is_some());
}

#[test]
fn dc0b_reads_three_recipients_and_business() {
    let Some(f) = open("dc0bdef0-c7a3-4aaf-b717-777303442973.edxml") else {
        return;
    };
    let p = read_package(f, &ReadOptions::default()).unwrap();
    let h = &p.header;
    assert_eq!(h.to.len(), 3);
    assert_eq!(
        h.document_id.as_deref(),
        Some("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
    );
    assert_eq!(h.business.as_ref().unwrap().doc_type, Some(0));
    assert_eq!(h.trace.len(), 1);
    assert_eq!(h.other_info.as_ref().unwrap().direction, Some(false));
    assert!(p.attachments[0].broken.is_none());
    let j = json::inspect(&p);
    assert_eq!(j["to"][2]["organ_id"], "000.00.00.G17");
}

#[test]
fn edoc_is_malformed_with_line_number() {
    let Some(f) = open("edoc.edxml") else {
        return;
    };
    let e = read_message(f, &ReadOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Malformed { line: 74, .. }), "{msg}");
    assert!(msg.contains("opened at line 7"), "{msg}");
    assert!(!msg.contains('\n'));
}
