//! A report as a PDF: A4 landscape, Vietnamese headings in an embedded TrueType font with
//! full Vietnamese coverage (DejaVu Sans; Arial on Windows), tables with ruled cells that
//! wrap long text, headings repeated on every page, "Trang i/n" at the foot. The layout is
//! computed first (pages of text and rules), then drawn, so the page count is known.
use printpdf::{IndirectFontRef, Line, Mm, PdfDocument, PdfLayerReference, Point};

use super::table::{Cell, Document, Table};
use super::ReportError;

const A4_LONG: f32 = 297.0;
const A4_SHORT: f32 = 210.0;
const MARGIN: f32 = 15.0;
const PAD: f32 = 1.2;
const BODY_PT: f32 = 8.5;
const MM_PER_PT: f32 = 0.352_778;

/// Where the report font is looked for: `VANTHU_FONT_DIR`, then the system's fonts.
fn font_candidates() -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    if let Some(dir) = std::env::var_os("VANTHU_FONT_DIR") {
        v.push(std::path::PathBuf::from(dir).join("DejaVuSans.ttf"));
    }
    #[cfg(windows)]
    v.push(
        std::path::PathBuf::from(
            std::env::var_os("WINDIR").unwrap_or_else(|| "C:\\Windows".into()),
        )
        .join("Fonts")
        .join("arial.ttf"),
    );
    #[cfg(not(windows))]
    v.push("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf".into());
    v
}

/// A font that has every letter of Vietnamese: the report would otherwise print holes.
fn load_font() -> Result<Vec<u8>, ReportError> {
    for p in font_candidates() {
        let Ok(data) = std::fs::read(&p) else {
            continue;
        };
        let covers = ttf_parser::Face::parse(&data, 0).is_ok_and(|f| {
            "ẮẰẲẴẶắằẳẵặƯươỨừỹĐđ"
                .chars()
                .all(|c| f.glyph_index(c).is_some())
        });
        if covers {
            return Ok(data);
        }
    }
    Err(ReportError::Pdf(
        "không tìm thấy phông chữ tiếng Việt (cài fonts-dejavu-core hoặc đặt VANTHU_FONT_DIR) / no font with Vietnamese glyphs".into(),
    ))
}

struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
    per_em: f32,
}

impl Metrics<'_> {
    /// Width of `s` in mm at `pt`.
    fn width(&self, s: &str, pt: f32) -> f32 {
        let units: f32 = s
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .unwrap_or(0) as f32
            })
            .sum();
        units / self.per_em * pt * MM_PER_PT
    }

    /// `s` broken into lines no wider than `max` mm; a word too long is broken by letters.
    fn wrap(&self, s: &str, pt: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in s.split('\n') {
            let mut cur = String::new();
            for word in para.split_whitespace() {
                let candidate = if cur.is_empty() {
                    word.to_owned()
                } else {
                    format!("{cur} {word}")
                };
                if self.width(&candidate, pt) <= max {
                    cur = candidate;
                    continue;
                }
                if !cur.is_empty() {
                    lines.push(std::mem::take(&mut cur));
                }
                for c in word.chars() {
                    cur.push(c);
                    if self.width(&cur, pt) > max && cur.chars().count() > 1 {
                        let last = cur.pop().unwrap_or(c);
                        lines.push(std::mem::take(&mut cur));
                        cur.push(last);
                    }
                }
            }
            lines.push(cur);
        }
        lines
    }
}

/// Column widths for a table `width` wide: narrow columns keep their natural width and the
/// widest ones share what is left (one cap for all, found by bisection), so dates and numbers
/// never wrap while a long subject does. With `fill`, the last column takes any room left.
fn fit_widths(natural: &[f32], width: f32, fill: bool) -> Vec<f32> {
    let total: f32 = natural.iter().sum();
    let mut widths = if total <= width {
        natural.to_vec()
    } else {
        let used = |cap: f32| natural.iter().map(|n| n.min(cap)).sum::<f32>();
        let (mut lo, mut hi) = (0.0f32, natural.iter().copied().fold(0.0, f32::max));
        for _ in 0..40 {
            let mid = (lo + hi) / 2.0;
            if used(mid) > width {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let capped: Vec<f32> = natural.iter().map(|n| n.min(lo)).collect();
        // Columns too many for the page even at the cap: shrink all alike.
        let sum: f32 = capped.iter().sum();
        capped.iter().map(|w| w * width / sum.max(width)).collect()
    };
    if fill {
        let sum: f32 = widths.iter().sum();
        if let Some(last) = widths.last_mut() {
            *last += (width - sum).max(0.0);
        }
    }
    widths
}

fn line_h(pt: f32) -> f32 {
    pt * MM_PER_PT * 1.3
}

/// What is drawn on a page, in mm from the bottom left.
enum Op {
    Text {
        x: f32,
        y: f32,
        pt: f32,
        text: String,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
}

struct Layout<'a> {
    m: &'a Metrics<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
    page_w: f32,
    page_h: f32,
    /// Tables take the page's whole width (forms to fill in by hand).
    fill: bool,
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.page_h - MARGIN;
    }

    fn fits(&self, h: f32) -> bool {
        self.y - h >= MARGIN + 6.0
    }

    fn centered(&mut self, text: &str, pt: f32) {
        for l in self.m.wrap(text, pt, self.page_w - 2.0 * MARGIN) {
            let x = (self.page_w - self.m.width(&l, pt)) / 2.0;
            self.y -= line_h(pt);
            let y = self.y;
            self.page().push(Op::Text { x, y, pt, text: l });
        }
    }

    fn table(&mut self, t: &Table) {
        let width = self.page_w - 2.0 * MARGIN;
        let columns = t.columns.len().max(1);
        // Natural widths (the widest cell, capped), scaled down to the page; when even that
        // is too wide, headings wrap rather than squeezing the figures.
        let natural_at = |head_share: f32| -> Vec<f32> {
            (0..columns)
                .map(|i| {
                    let head = t
                        .columns
                        .get(i)
                        .map_or(0.0, |h| self.m.width(h, BODY_PT) * head_share);
                    let body = t
                        .rows
                        .iter()
                        .map(|r| {
                            r.get(i)
                                .map_or(0.0, |c| self.m.width(&c.display(), BODY_PT))
                        })
                        .fold(0.0f32, f32::max);
                    (head.max(body) + 2.0 * PAD).clamp(12.0, 90.0)
                })
                .collect()
        };
        let mut natural = natural_at(1.0);
        if natural.iter().sum::<f32>() > width {
            natural = natural_at(0.5);
        }
        let widths = fit_widths(&natural, width, self.fill);
        let title_h = line_h(10.5) + 2.0;
        let head = self.row_layout(&t.columns, &widths);
        if !self.fits(title_h + head.0 + line_h(BODY_PT) + 2.0 * PAD) {
            self.new_page();
        }
        self.y -= title_h;
        let y = self.y + 1.0;
        let title = t.title.clone();
        self.page().push(Op::Text {
            x: MARGIN,
            y,
            pt: 10.5,
            text: title,
        });
        self.draw_row(&head, &widths);
        if t.rows.is_empty() {
            let empty = self.row_layout(&["(không có số liệu)".to_owned()], &[width]);
            self.draw_row(&empty, &[width]);
        }
        for r in &t.rows {
            let cells: Vec<String> = r.iter().map(Cell::display).collect();
            let row = self.row_layout(&cells, &widths);
            if !self.fits(row.0) {
                self.new_page();
                self.draw_row(&head, &widths);
            }
            self.draw_row(&row, &widths);
        }
        self.y -= 4.0;
    }

    fn row_layout(&self, cells: &[String], widths: &[f32]) -> (f32, Vec<Vec<String>>) {
        let lines: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| self.m.wrap(c, BODY_PT, w - 2.0 * PAD))
            .collect();
        let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (n as f32 * line_h(BODY_PT) + 2.0 * PAD, lines)
    }

    fn draw_row(&mut self, row: &(f32, Vec<Vec<String>>), widths: &[f32]) {
        let (h, lines) = row;
        let top = self.y;
        let bottom = top - h;
        let right = MARGIN + widths.iter().sum::<f32>();
        let mut ops = vec![
            Op::Rule {
                x1: MARGIN,
                y1: top,
                x2: right,
                y2: top,
            },
            Op::Rule {
                x1: MARGIN,
                y1: bottom,
                x2: right,
                y2: bottom,
            },
        ];
        let mut x = MARGIN;
        for (w, cell) in widths.iter().zip(lines) {
            ops.push(Op::Rule {
                x1: x,
                y1: top,
                x2: x,
                y2: bottom,
            });
            for (i, l) in cell.iter().enumerate() {
                let y = top - PAD - (i as f32 + 1.0) * line_h(BODY_PT) + 0.8;
                ops.push(Op::Text {
                    x: x + PAD,
                    y,
                    pt: BODY_PT,
                    text: l.clone(),
                });
            }
            x += w;
        }
        ops.push(Op::Rule {
            x1: right,
            y1: top,
            x2: right,
            y2: bottom,
        });
        self.page().extend(ops);
        self.y = bottom;
    }
}

/// The report as PDF bytes.
pub fn to_pdf(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let font_data = load_font()?;
    let face =
        ttf_parser::Face::parse(&font_data, 0).map_err(|e| ReportError::Pdf(e.to_string()))?;
    let m = Metrics {
        per_em: f32::from(face.units_per_em()),
        face,
    };
    let (page_w, page_h) = if doc.portrait {
        (A4_SHORT, A4_LONG)
    } else {
        (A4_LONG, A4_SHORT)
    };
    let mut layout = Layout {
        m: &m,
        pages: Vec::new(),
        y: page_h - MARGIN,
        page_w,
        page_h,
        fill: doc.portrait,
    };
    if !doc.cover.is_empty() {
        // The cover: its lines centred from a quarter of the way down, alone on the page.
        layout.y = page_h * 0.78;
        for line in &doc.cover {
            if line.text.is_empty() {
                layout.y -= line_h(line.size);
            } else {
                layout.centered(&line.text, line.size);
            }
        }
        layout.new_page();
    }
    layout.centered(&doc.title, 14.0);
    layout.y -= 1.0;
    for s in &doc.subtitle {
        layout.centered(s, 10.0);
    }
    layout.y -= 4.0;
    for t in &doc.tables {
        layout.table(t);
    }

    let pdf_err = |e: printpdf::Error| ReportError::Pdf(e.to_string());
    let (pdf, first_page, first_layer) = PdfDocument::new(&doc.title, Mm(page_w), Mm(page_h), "1");
    let font = pdf
        .add_external_font(std::io::Cursor::new(&font_data))
        .map_err(pdf_err)?;
    let covered = usize::from(!doc.cover.is_empty());
    let total = layout.pages.len() - covered;
    for (i, ops) in layout.pages.iter().enumerate() {
        let layer = if i == 0 {
            pdf.get_page(first_page).get_layer(first_layer)
        } else {
            let (p, l) = pdf.add_page(Mm(page_w), Mm(page_h), "1");
            pdf.get_page(p).get_layer(l)
        };
        draw(&layer, &font, ops);
        if i >= covered {
            let foot = format!("Trang {}/{}", i + 1 - covered, total);
            let x = (page_w - m.width(&foot, 8.0)) / 2.0;
            layer.use_text(foot, 8.0, Mm(x), Mm(8.0), &font);
        }
    }
    pdf.save_to_bytes().map_err(pdf_err)
}

fn draw(layer: &PdfLayerReference, font: &IndirectFontRef, ops: &[Op]) {
    layer.set_outline_thickness(0.3);
    for op in ops {
        match op {
            Op::Text { x, y, pt, text } => layer.use_text(text.clone(), *pt, Mm(*x), Mm(*y), font),
            Op::Rule { x1, y1, x2, y2 } => layer.add_line(Line {
                points: vec![
                    (Point::new(Mm(*x1), Mm(*y1)), false),
                    (Point::new(Mm(*x2), Mm(*y2)), false),
                ],
                is_closed: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fit_widths;

    #[test]
    fn narrow_columns_keep_their_width_and_wide_ones_share_the_rest() {
        let w = fit_widths(&[20.0, 15.0, 90.0, 90.0, 90.0], 200.0, false);
        assert_eq!(&w[..2], &[20.0, 15.0]);
        assert!((w.iter().sum::<f32>() - 200.0).abs() < 0.01, "{w:?}");
        assert!((w[2] - w[4]).abs() < 0.01);
        assert_eq!(fit_widths(&[20.0, 30.0], 200.0, false), vec![20.0, 30.0]);
        assert_eq!(fit_widths(&[20.0, 30.0], 200.0, true), vec![20.0, 180.0]);
    }
}
