//! Visible signature appearances (Nghị định 30/2020, Phụ lục I): the leader's signature
//! image with the signer's name, the organisation's red seal, and the text stamp on
//! attachments/copies. Vietnamese text uses an embedded TrueType subset with ToUnicode.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::pdf::object::{fmt_real, Dict, Obj};
use crate::pdf::write::NewObjects;
use crate::SignError;

/// A decoded PNG ready to embed as a PDF image XObject.
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Colour samples, 8 bits each (RGB, or one gray channel when `gray`).
    pub rgb: Vec<u8>,
    /// Alpha channel, embedded as the soft mask; `None` when the PNG is opaque.
    pub alpha: Option<Vec<u8>>,
    /// True when `rgb` holds one gray sample per pixel instead of three.
    pub gray: bool,
}

/// Reads a signature or seal PNG for the visible appearance.
pub fn load_png(path: &Path) -> Result<Image, SignError> {
    let file =
        std::fs::File::open(path).map_err(|e| SignError::Io(path.display().to_string(), e))?;
    let mut dec = png::Decoder::new(std::io::BufReader::new(file));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let bad = |e: png::DecodingError| SignError::Image(format!("{}: {e}", path.display()));
    let mut reader = dec.read_info().map_err(bad)?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).map_err(bad)?;
    buf.truncate(info.buffer_size());
    let (w, h) = (info.width, info.height);
    let px = (w as usize) * (h as usize);
    let (rgb, alpha, gray) = match info.color_type {
        png::ColorType::Rgb => (buf, None, false),
        png::ColorType::Rgba => {
            let mut rgb = Vec::with_capacity(px * 3);
            let mut a = Vec::with_capacity(px);
            for p in buf.chunks_exact(4) {
                rgb.extend_from_slice(&p[..3]);
                a.push(p[3]);
            }
            (rgb, Some(a), false)
        }
        png::ColorType::Grayscale => (buf, None, true),
        png::ColorType::GrayscaleAlpha => {
            let mut g = Vec::with_capacity(px);
            let mut a = Vec::with_capacity(px);
            for p in buf.chunks_exact(2) {
                g.push(p[0]);
                a.push(p[1]);
            }
            (g, Some(a), true)
        }
        png::ColorType::Indexed => return Err(SignError::Image("indexed PNG not expanded".into())),
    };
    Ok(Image {
        width: w,
        height: h,
        rgb,
        alpha,
        gray,
    })
}

fn flate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = z.write_all(data);
    z.finish().unwrap_or_default()
}

fn image_xobject(img: &Image, objs: &mut NewObjects) -> Obj {
    let smask = img.alpha.as_ref().map(|a| {
        objs.add(Obj::Stream(
            Dict::new()
                .with("Type", Obj::name("XObject"))
                .with("Subtype", Obj::name("Image"))
                .with("Width", Obj::Int(img.width as i64))
                .with("Height", Obj::Int(img.height as i64))
                .with("ColorSpace", Obj::name("DeviceGray"))
                .with("BitsPerComponent", Obj::Int(8))
                .with("Filter", Obj::name("FlateDecode")),
            flate(a),
        ))
    });
    let mut d = Dict::new()
        .with("Type", Obj::name("XObject"))
        .with("Subtype", Obj::name("Image"))
        .with("Width", Obj::Int(img.width as i64))
        .with("Height", Obj::Int(img.height as i64))
        .with(
            "ColorSpace",
            Obj::name(if img.gray { "DeviceGray" } else { "DeviceRGB" }),
        )
        .with("BitsPerComponent", Obj::Int(8))
        .with("Filter", Obj::name("FlateDecode"));
    if let Some(s) = smask {
        d.set("SMask", s);
    }
    objs.add(Obj::Stream(d, flate(&img.rgb)))
}

/// Which embedded font family a text in an appearance uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FontStyle {
    /// Sans-serif, for names and times under a signature or seal.
    Sans,
    /// Times-like, for the attachment stamp.
    Serif,
}

fn font_candidates(style: FontStyle) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(dir) = std::env::var_os("VANTHU_FONT_DIR") {
        let d = PathBuf::from(dir);
        v.push(d.join(match style {
            FontStyle::Sans => "DejaVuSans.ttf",
            FontStyle::Serif => "DejaVuSerif.ttf",
        }));
    }
    match style {
        FontStyle::Serif => {
            v.push("C:\\Windows\\Fonts\\times.ttf".into());
            v.push("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf".into());
            v.push("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf".into());
        }
        FontStyle::Sans => {
            v.push("C:\\Windows\\Fonts\\arial.ttf".into());
            v.push("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf".into());
        }
    }
    v.push("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf".into());
    v
}

/// A TrueType font being used by one appearance; glyphs are collected while laying out
/// text and the subset is embedded at the end.
pub struct Font {
    data: Vec<u8>,
    units_per_em: f64,
    remap: subsetter::GlyphRemapper,
    used: BTreeMap<u16, (u16, char, u16)>, // new gid -> (old gid, char, advance)
}

impl Font {
    /// Finds and parses a system font of the given style for subsetting into the PDF.
    pub fn load(style: FontStyle) -> Result<Font, SignError> {
        for p in font_candidates(style) {
            if let Ok(data) = std::fs::read(&p) {
                if let Ok(face) = ttf_parser::Face::parse(&data, 0) {
                    let units_per_em = face.units_per_em() as f64;
                    let mut remap = subsetter::GlyphRemapper::new();
                    remap.remap(0);
                    return Ok(Font {
                        data,
                        units_per_em,
                        remap,
                        used: BTreeMap::new(),
                    });
                }
            }
        }
        Err(SignError::Font(
            "không tìm thấy phông chữ (cài fonts-dejavu-core hoặc đặt VANTHU_FONT_DIR) / no font found".into(),
        ))
    }

    /// Width in text-space units of `s` at size 1.
    pub fn width(&self, s: &str) -> f64 {
        let Ok(face) = ttf_parser::Face::parse(&self.data, 0) else {
            return 0.0;
        };
        s.chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(0) as f64
                    / self.units_per_em
            })
            .sum()
    }

    /// Hex string of 2-byte codes (= new glyph ids) for `s`.
    fn encode(&mut self, s: &str) -> String {
        let Ok(face) = ttf_parser::Face::parse(&self.data, 0) else {
            return String::new();
        };
        let mut out = String::new();
        for c in s.chars() {
            let Some(g) = face.glyph_index(c) else {
                continue;
            };
            let adv = face.glyph_hor_advance(g).unwrap_or(0);
            let new = self.remap.remap(g.0);
            self.used.entry(new).or_insert((g.0, c, adv));
            out.push_str(&format!("{new:04X}"));
        }
        out
    }

    fn embed(&self, objs: &mut NewObjects) -> Result<Obj, SignError> {
        let subset = subsetter::subset(&self.data, 0, &self.remap)
            .map_err(|e| SignError::Font(format!("font subset: {e:?}")))?;
        let face =
            ttf_parser::Face::parse(&self.data, 0).map_err(|e| SignError::Font(e.to_string()))?;
        let scale = 1000.0 / self.units_per_em;
        let bbox = face.global_bounding_box();
        let file = objs.add(Obj::Stream(
            Dict::new()
                .with("Length1", Obj::Int(subset.len() as i64))
                .with("Filter", Obj::name("FlateDecode")),
            flate(&subset),
        ));
        let base = "VTHSUB+VanthuFont";
        let descriptor = objs.add(Obj::Dict(
            Dict::new()
                .with("Type", Obj::name("FontDescriptor"))
                .with("FontName", Obj::name(base))
                .with("Flags", Obj::Int(32))
                .with(
                    "FontBBox",
                    Obj::Array(
                        [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max]
                            .iter()
                            .map(|v| Obj::Int((*v as f64 * scale) as i64))
                            .collect(),
                    ),
                )
                .with("ItalicAngle", Obj::Int(0))
                .with("Ascent", Obj::Int((face.ascender() as f64 * scale) as i64))
                .with(
                    "Descent",
                    Obj::Int((face.descender() as f64 * scale) as i64),
                )
                .with(
                    "CapHeight",
                    Obj::Int((face.capital_height().unwrap_or(700) as f64 * scale) as i64),
                )
                .with("StemV", Obj::Int(80))
                .with("FontFile2", file),
        ));
        let mut widths = Vec::new();
        for (new, (_, _, adv)) in &self.used {
            widths.push(Obj::Int(*new as i64));
            widths.push(Obj::Array(vec![Obj::Int(
                (*adv as f64 * scale).round() as i64
            )]));
        }
        let cid = objs.add(Obj::Dict(
            Dict::new()
                .with("Type", Obj::name("Font"))
                .with("Subtype", Obj::name("CIDFontType2"))
                .with("BaseFont", Obj::name(base))
                .with(
                    "CIDSystemInfo",
                    Obj::Dict(
                        Dict::new()
                            .with("Registry", Obj::string("Adobe"))
                            .with("Ordering", Obj::string("Identity"))
                            .with("Supplement", Obj::Int(0)),
                    ),
                )
                .with("FontDescriptor", descriptor)
                .with("W", Obj::Array(widths))
                .with("CIDToGIDMap", Obj::name("Identity")),
        ));
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<_> = self.used.iter().collect();
        for chunk in entries.chunks(100) {
            cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (new, (_, c, _)) in chunk {
                let mut u = [0u16; 2];
                let units: String = c
                    .encode_utf16(&mut u)
                    .iter()
                    .map(|x| format!("{x:04X}"))
                    .collect();
                cmap.push_str(&format!("<{new:04X}> <{units}>\n"));
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        let to_unicode = objs.add(Obj::Stream(Dict::new(), cmap.into_bytes()));
        Ok(objs.add(Obj::Dict(
            Dict::new()
                .with("Type", Obj::name("Font"))
                .with("Subtype", Obj::name("Type0"))
                .with("BaseFont", Obj::name(base))
                .with("Encoding", Obj::name("Identity-H"))
                .with("DescendantFonts", Obj::Array(vec![cid]))
                .with("ToUnicode", to_unicode),
        )))
    }
}

/// What a visible signature shows, per signing role.
pub enum AppearanceSpec<'a> {
    /// Leader: signature image (blue, transparent) and the signer's name under it.
    Leader {
        /// Signature image, if the signer has one.
        image: Option<&'a Image>,
        /// Signer's name shown under the image.
        name: String,
    },
    /// Organisation: red seal image, agency name and time in small text under it.
    Organization {
        /// Seal image, if the agency has one.
        seal: Option<&'a Image>,
        /// Agency name shown under the seal.
        name: String,
        /// Signing time shown as text.
        time: String,
    },
    /// Arrival stamp (dấu "ĐẾN"): a red box with the agency's name, "ĐẾN", the register's
    /// fields and the signing time, in the Times-like font (see [`crate::arrival`]).
    Arrival {
        /// The stamp's fields.
        stamp: &'a crate::arrival::ArrivalStamp,
        /// Signing time (ISO 8601), the organisation signature's time.
        time: String,
    },
    /// Attachment/copy: text only, black, Times-like 10 pt.
    Stamp {
        /// Stamp text, one entry per line.
        lines: Vec<String>,
    },
}

/// Size the stamp needs for its lines (10 pt text, 2 pt padding).
pub fn stamp_size(lines: &[String]) -> Result<(f64, f64), SignError> {
    let font = Font::load(FontStyle::Serif)?;
    let w = lines
        .iter()
        .map(|l| font.width(l) * 10.0)
        .fold(0.0, f64::max);
    Ok((w + 4.0, lines.len() as f64 * 12.0 + 4.0))
}

/// Builds the form XObject (normal appearance) of size `w`×`h`.
pub fn build(
    spec: &AppearanceSpec<'_>,
    w: f64,
    h: f64,
    rotate: i64,
    objs: &mut NewObjects,
) -> Result<Obj, SignError> {
    let mut content = String::new();
    let mut xobjects = Dict::new();
    let mut put_image = |img: &Image,
                         x: f64,
                         y: f64,
                         bw: f64,
                         bh: f64,
                         content: &mut String,
                         objs: &mut NewObjects| {
        let ratio = (bw / img.width as f64).min(bh / img.height as f64);
        let (iw, ih) = (img.width as f64 * ratio, img.height as f64 * ratio);
        let (ix, iy) = (x + (bw - iw) / 2.0, y + (bh - ih) / 2.0);
        let name = format!("Im{}", xobjects.0.len() + 1);
        xobjects.set(&name, image_xobject(img, objs));
        content.push_str(&format!(
            "q {} 0 0 {} {} {} cm /{name} Do Q\n",
            fmt_real(iw),
            fmt_real(ih),
            fmt_real(ix),
            fmt_real(iy)
        ));
    };
    let text_line = |font: &mut Font, s: &str, size: f64, x: f64, y: f64, content: &mut String| {
        let hexs = font.encode(s);
        content.push_str(&format!(
            "BT /F1 {} Tf {} {} Td <{hexs}> Tj ET\n",
            fmt_real(size),
            fmt_real(x),
            fmt_real(y)
        ));
    };
    // Largest size ≤ `max` at which `s` fits `avail` width.
    let fit = |font: &Font, s: &str, max: f64, avail: f64| -> f64 {
        let w1 = font.width(s);
        if w1 <= 0.0 {
            max
        } else {
            (avail / w1).min(max).max(4.0)
        }
    };
    let font: Font = match spec {
        AppearanceSpec::Leader { image, name } => {
            let mut f = Font::load(FontStyle::Sans)?;
            let size = fit(&f, name, 9.0, w - 4.0);
            let text_h = size + 4.0;
            if let Some(img) = image {
                put_image(
                    img,
                    0.0,
                    text_h,
                    w,
                    (h - text_h).max(1.0),
                    &mut content,
                    objs,
                );
            }
            content.push_str("0 0 0.55 rg\n");
            let tw = f.width(name) * size;
            let y = if image.is_some() {
                2.0
            } else {
                (h - size) / 2.0
            };
            text_line(
                &mut f,
                name,
                size,
                ((w - tw) / 2.0).max(1.0),
                y,
                &mut content,
            );
            f
        }
        AppearanceSpec::Organization { seal, name, time } => {
            let mut f = Font::load(FontStyle::Sans)?;
            let size = fit(&f, name, 6.0, w - 2.0).min(fit(&f, time, 6.0, w - 2.0));
            let text_h = 2.0 * (size + 1.5) + 1.0;
            if let Some(img) = seal {
                put_image(
                    img,
                    0.0,
                    text_h,
                    w,
                    (h - text_h).max(1.0),
                    &mut content,
                    objs,
                );
            }
            content.push_str("0 0 0 rg\n");
            for (i, line) in [name, time].iter().enumerate() {
                let tw = f.width(line) * size;
                let y = 1.0 + (1 - i) as f64 * (size + 1.5);
                text_line(
                    &mut f,
                    line,
                    size,
                    ((w - tw) / 2.0).max(0.5),
                    y,
                    &mut content,
                );
            }
            f
        }
        AppearanceSpec::Arrival { stamp, time } => {
            let mut f = Font::load(FontStyle::Serif)?;
            arrival_content(&mut f, stamp, time, w, h, &mut content, &text_line, &fit);
            f
        }
        AppearanceSpec::Stamp { lines } => {
            let mut f = Font::load(FontStyle::Serif)?;
            content.push_str("0 0 0 rg\n");
            for (i, line) in lines.iter().enumerate() {
                let y = h - 2.0 - 10.0 - i as f64 * 12.0 + 2.0;
                text_line(&mut f, line, 10.0, 2.0, y, &mut content);
            }
            f
        }
    };
    let mut resources = Dict::new();
    if !xobjects.0.is_empty() {
        resources.set("XObject", Obj::Dict(xobjects));
    }
    let fref = font.embed(objs)?;
    resources.set("Font", Obj::Dict(Dict::new().with("F1", fref)));
    // Counter the page's display rotation so the appearance reads upright.
    let matrix: [i64; 4] = match rotate {
        90 => [0, 1, -1, 0],
        180 => [-1, 0, 0, -1],
        270 => [0, -1, 1, 0],
        _ => [1, 0, 0, 1],
    };
    let mut mat: Vec<Obj> = matrix.iter().map(|v| Obj::Int(*v)).collect();
    mat.extend([Obj::Int(0), Obj::Int(0)]);
    Ok(objs.add(Obj::Stream(
        Dict::new()
            .with("Type", Obj::name("XObject"))
            .with("Subtype", Obj::name("Form"))
            .with("Matrix", Obj::Array(mat))
            .with(
                "BBox",
                Obj::Array(vec![Obj::Int(0), Obj::Int(0), Obj::Real(w), Obj::Real(h)]),
            )
            .with("Resources", Obj::Dict(resources)),
        content.into_bytes(),
    )))
}

/// Draws one line of text: font, text, size, x, y, into the content stream.
type TextLine<'a> = dyn Fn(&mut Font, &str, f64, f64, f64, &mut String) + 'a;

/// The arrival stamp's drawing in a `w`×`h` box: a red frame, the agency's name in
/// capitals (on two lines when one would need type under 60 % of the line size), "ĐẾN"
/// larger, the fields left-aligned and the signing time smaller. Sizes follow the box's
/// height so a stamp shrunk to fit a narrow margin keeps its proportions.
#[allow(clippy::too_many_arguments)]
fn arrival_content(
    f: &mut Font,
    stamp: &crate::arrival::ArrivalStamp,
    time: &str,
    w: f64,
    h: f64,
    content: &mut String,
    text_line: &TextLine<'_>,
    fit: &dyn Fn(&Font, &str, f64, f64) -> f64,
) {
    // Line slots: agency (one or two), ĐẾN (1.3), four fields, the time, padding.
    let agency = vanthu_domain::text::nfc(&stamp.agency.trim().to_uppercase());
    let pad = (h / 9.2 * 0.5).max(2.0);
    let avail = w - 2.0 * pad;
    let two = agency.contains(' ') && fit(f, &agency, h / 9.2 * 0.8, avail) < h / 9.2 * 0.48;
    let unit = h / if two { 10.2 } else { 9.2 };
    let stroke = (unit * 0.1).max(0.6);
    content.push_str(&format!(
        "0.8 0 0 RG {} w {} {} {} {} re S\n0.8 0 0 rg\n",
        fmt_real(stroke),
        fmt_real(stroke / 2.0),
        fmt_real(stroke / 2.0),
        fmt_real(w - stroke),
        fmt_real(h - stroke)
    ));
    let mut y = h - pad;
    let centred = |f: &mut Font, s: &str, size: f64, y: f64, content: &mut String| {
        let tw = f.width(s) * size;
        text_line(f, s, size, ((w - tw) / 2.0).max(pad), y, content);
    };
    let full = unit * 0.8;
    let agency_lines = if two {
        split_middle(&agency)
    } else {
        vec![agency.clone()]
    };
    let size = agency_lines
        .iter()
        .map(|l| fit(f, l, full, avail))
        .fold(full, f64::min);
    for l in &agency_lines {
        y -= size;
        centred(f, l, size, y, content);
        y -= size * 0.25;
    }
    y -= unit * 1.3;
    centred(f, "ĐẾN", unit * 1.2, y, content);
    y -= unit * 0.3;
    let lines = stamp.field_lines(time);
    let (fields, time_line) = lines.split_at(lines.len() - 1);
    for l in fields {
        let size = fit(f, l, unit * 0.8, avail);
        y -= unit;
        text_line(f, l, size, pad, y, content);
    }
    let size = fit(f, &time_line[0], unit * 0.65, avail);
    text_line(f, &time_line[0], size, pad, pad * 0.8, content);
}

/// Splits `s` at the space nearest its middle.
fn split_middle(s: &str) -> Vec<String> {
    let mid = s.chars().count() / 2;
    let best = s
        .char_indices()
        .filter(|(_, c)| *c == ' ')
        .min_by_key(|(i, _)| (s[..*i].chars().count() as i64 - mid as i64).abs())
        .map(|(i, _)| i);
    match best {
        Some(i) => vec![s[..i].trim().to_string(), s[i..].trim().to_string()],
        None => vec![s.to_string()],
    }
}
