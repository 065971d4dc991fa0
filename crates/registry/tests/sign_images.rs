//! Signature and seal images (issue 21, item 6): only a fitting PNG is kept, the văn thư sets
//! the seal and anyone's signature, a leader their own, a chuyên viên nothing; backups carry
//! the images (`referenced_blobs`).
use std::path::{Path, PathBuf};

use vanthu_registry::{check_png, Error, NewPerson, Registry};

fn fresh() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path().join("data")).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    (dir, reg)
}

fn person(name: &str, roles: &[&str]) -> NewPerson {
    NewPerson {
        full_name: name.into(),
        position: None,
        department: None,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        desktop: None,
    }
}

/// A PNG of `w`×`h` with the given colour type; `alpha` is every pixel's alpha (when the
/// type has one).
fn png_bytes(w: u32, h: u32, color: png::ColorType, alpha: u8) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().unwrap();
        let px: &[u8] = match color {
            png::ColorType::Rgba => &[20, 40, 200, alpha],
            png::ColorType::Rgb => &[20, 40, 200],
            png::ColorType::GrayscaleAlpha => &[0, alpha],
            _ => unreachable!(),
        };
        let data: Vec<u8> = px
            .iter()
            .copied()
            .cycle()
            .take(px.len() * (w * h) as usize)
            .collect();
        wr.write_image_data(&data).unwrap();
    }
    out
}

fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn invalid_image(e: Error, needle: &str) {
    assert!(matches!(e, Error::InvalidImage(_)), "{e}");
    assert!(e.to_string().contains(needle), "{e}");
}

#[test]
fn only_a_decodable_transparent_png_of_sensible_size_is_accepted() {
    let ok = png_bytes(300, 120, png::ColorType::Rgba, 0);
    assert_eq!(check_png(&ok).unwrap().width, 300);
    assert_eq!(
        check_png(&png_bytes(64, 64, png::ColorType::GrayscaleAlpha, 10))
            .unwrap()
            .height,
        64
    );
    invalid_image(check_png(b"GIF89a...").unwrap_err(), "không phải tệp PNG");
    // Cut short: the header reads, the pixels do not.
    invalid_image(check_png(&ok[..ok.len() - 20]).unwrap_err(), "tệp PNG hỏng");
    invalid_image(
        check_png(&png_bytes(300, 120, png::ColorType::Rgb, 0)).unwrap_err(),
        "nền trong suốt",
    );
    invalid_image(
        check_png(&png_bytes(300, 120, png::ColorType::Rgba, 255)).unwrap_err(),
        "không có điểm ảnh trong suốt",
    );
    invalid_image(
        check_png(&png_bytes(20, 120, png::ColorType::Rgba, 0)).unwrap_err(),
        "20×120",
    );
    invalid_image(
        check_png(&png_bytes(4001, 40, png::ColorType::Rgba, 0)).unwrap_err(),
        "4001×40",
    );
    let mut huge = ok.clone();
    huge.resize(3 * 1024 * 1024, 0);
    invalid_image(check_png(&huge).unwrap_err(), "lớn quá");
}

#[test]
fn the_clerk_sets_the_seal_and_a_leader_only_their_own_signature() {
    let (dir, mut reg) = fresh();
    let sig = file(
        dir.path(),
        "chu-ky.png",
        &png_bytes(300, 120, png::ColorType::Rgba, 0),
    );
    let seal = file(
        dir.path(),
        "con-dau.png",
        &png_bytes(200, 200, png::ColorType::Rgba, 0),
    );
    let opaque = file(
        dir.path(),
        "opaque.png",
        &png_bytes(200, 200, png::ColorType::Rgb, 0),
    );

    // A single desk (no people listed) may set the seal.
    let s = reg.set_seal_image(Some(&seal)).unwrap().unwrap();
    assert_eq!((s.width, s.height), (200, 200));
    assert_eq!(
        std::fs::read(reg.sign_image_path(&s)).unwrap(),
        std::fs::read(&seal).unwrap()
    );

    let clerk = reg
        .add_person(&person("Trần Thị Bình", &["văn thư"]))
        .unwrap();
    let an = reg
        .add_person(&person("Nguyễn Văn An", &["lãnh đạo"]))
        .unwrap();
    let cuong = reg
        .add_person(&person("Lê Văn Cường", &["lãnh đạo"]))
        .unwrap();
    let dung = reg
        .add_person(&person("Phạm Thị Dung", &["chuyên viên"]))
        .unwrap();

    // The clerk sets a leader's signature; a refused PNG changes nothing.
    let e = reg.set_signature_image(an.id, Some(&opaque)).unwrap_err();
    invalid_image(e, "nền trong suốt");
    assert!(reg.signature_image(an.id).unwrap().is_none());
    let img = reg.set_signature_image(an.id, Some(&sig)).unwrap().unwrap();
    assert_eq!((img.width, img.height), (300, 120));
    assert_eq!(reg.signature_image(an.id).unwrap(), Some(img.clone()));
    // Nobody else signs as a leader, so nobody else has a signature.
    let e = reg.set_signature_image(dung.id, Some(&sig)).unwrap_err();
    assert!(e.to_string().contains("không phải lãnh đạo"), "{e}");
    assert!(reg.signature_image(clerk.id).unwrap().is_none());

    // A leader sets their own signature, not another's, and not the seal.
    reg.sign_in(Some(cuong.id)).unwrap();
    assert!(reg.own_signature_image().unwrap().is_none());
    reg.set_signature_image(cuong.id, Some(&sig)).unwrap();
    assert!(reg.own_signature_image().unwrap().is_some());
    let e = reg.set_signature_image(an.id, None).unwrap_err();
    assert!(matches!(e, Error::NotPermitted { .. }), "{e}");
    assert!(reg.signature_image(an.id).unwrap().is_some());
    let e = reg.set_seal_image(None).unwrap_err();
    assert!(matches!(e, Error::NotPermitted { .. }), "{e}");

    // A chuyên viên sets nothing.
    reg.sign_in(Some(dung.id)).unwrap();
    let e = reg.set_seal_image(Some(&seal)).unwrap_err();
    assert!(matches!(e, Error::NotPermitted { .. }), "{e}");

    // The clerk removes a signature; the seal stays.
    reg.sign_in(Some(clerk.id)).unwrap();
    assert!(reg.set_signature_image(an.id, None).unwrap().is_none());
    assert!(reg.signature_image(an.id).unwrap().is_none());
    assert!(reg.seal_image().unwrap().is_some());

    // Backups copy what the database names: the seal and Cường's signature are among it.
    let blobs = reg.referenced_blobs().unwrap();
    assert!(blobs.contains(&reg.seal_image().unwrap().unwrap().sha256));
    assert!(blobs.contains(&reg.signature_image(cuong.id).unwrap().unwrap().sha256));

    let log = reg.audit_entries(None, None, 200).unwrap();
    assert!(log.iter().any(|e| e.action == "unit.seal_image"));
    assert!(log.iter().any(|e| e.action == "people.signature_image"
        && e.entity_id.as_deref() == Some(&an.id.to_string())));
    assert!(reg.audit_verify().unwrap().ok);
}
