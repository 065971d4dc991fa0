//! Finding the signer block of a Nghị định 30/2020 document (Phụ lục I, ô 7a–7c) by its
//! text, so the leader's signature lands in the blank space between the title and the
//! printed name instead of at a fixed spot.
//!
//! The block sits in the right half of the page below the body: authority line(s)
//! ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Q. GIÁM ĐỐC", "TL. …", "TUQ. …"), the title
//! ("PHÓ CHỦ TỊCH"), blank space, then the signer's name. "Nơi nhận:" sits at the left on
//! the same rows, which is why only text whose centre is in the right half is considered.
use std::path::Path;

use vanthu_domain::text::fold;
use vanthu_pdf::TextRun;

/// Authority prefixes (folded): tập thể, ký thay, quyền, thừa lệnh, thừa ủy quyền.
const AUTHORITY: &[&str] = &["tm.", "kt.", "q.", "tl.", "tuq."];

/// Titles (folded) a signer block line may start with.
const TITLES: &[&str] = &[
    "chu tich",
    "pho chu tich",
    "giam doc",
    "pho giam doc",
    "tong giam doc",
    "pho tong giam doc",
    "truong ban",
    "pho truong ban",
    "truong phong",
    "pho truong phong",
    "bo truong",
    "thu truong",
    "chanh van phong",
    "pho chanh van phong",
    "chanh thanh tra",
    "pho chanh thanh tra",
    "chanh an",
    "pho chanh an",
    "vien truong",
    "pho vien truong",
    "hieu truong",
    "pho hieu truong",
    "cuc truong",
    "pho cuc truong",
    "vu truong",
    "pho vu truong",
    "bi thu",
    "pho bi thu",
    "thu tuong",
    "pho thu tuong",
];

/// Largest signature box the block gets, in points (the geometric fallback's size).
const MAX_W: f64 = 170.0;
const MAX_H: f64 = 70.0;
/// Below this much blank space there is no room for a legible signature.
const MIN_H: f64 = 24.0;

#[derive(Debug, Clone)]
struct Line {
    text: String,
    /// left, bottom, right, top in user space
    rect: [f64; 4],
}

impl Line {
    fn height(&self) -> f64 {
        self.rect[3] - self.rect[1]
    }
    fn center_x(&self) -> f64 {
        (self.rect[0] + self.rect[2]) / 2.0
    }
}

/// Where the leader's signature goes on page `page_index` (0-based) of `pdf`, whose visible
/// box (left, bottom, right, top) is `media`: x, y, width, height in PDF user space.
/// `None` when pdfium is unavailable, the page cannot be read, or no signer block is
/// found; callers then use their geometric placement.
pub fn find_signer_block(pdf: &Path, page_index: u32, media: &[f64; 4]) -> Option<[f64; 4]> {
    let doc = match vanthu_pdf::Document::open(pdf) {
        Ok(d) => d,
        Err(e) => {
            tracing::debug!(
                "signer block: cannot open {} with pdfium: {e}",
                pdf.display()
            );
            return None;
        }
    };
    let runs = match doc.text_runs(page_index) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!("signer block: no text for page {}: {e}", page_index + 1);
            return None;
        }
    };
    let found = locate(&runs, media);
    tracing::debug!(
        "signer block on page {} of {}: {found:?}",
        page_index + 1,
        pdf.display()
    );
    found
}

/// The layout analysis behind [`find_signer_block`], on the text runs of one page whose
/// box (left, bottom, right, top) is `media`.
pub fn locate(runs: &[TextRun], media: &[f64; 4]) -> Option<[f64; 4]> {
    let [px0, py0, px1, py1] = *media;
    let (pw, ph) = (px1 - px0, py1 - py0);
    if pw <= 0.0 || ph <= 0.0 {
        return None;
    }
    let mid = px0 + pw / 2.0;
    let lines = right_half_lines(runs, mid);

    // The lowest heading that has a name below it wins: a title quoted in the body above
    // the block must not be taken for it.
    let mut best = None;
    for start in 0..lines.len() {
        if !is_heading(&lines[start].text) {
            continue;
        }
        // Authority and title lines follow each other closely.
        let mut last = start;
        while last + 1 < lines.len() {
            let (cur, next) = (&lines[last], &lines[last + 1]);
            let gap = cur.rect[1] - next.rect[3];
            if gap < 1.2 * cur.height().max(next.height()) && is_upper(&next.text) {
                last += 1;
            } else {
                break;
            }
        }
        let heading = &lines[start..=last];
        let title = &lines[last];
        let left = heading.iter().map(|l| l.rect[0]).fold(f64::MAX, f64::min);
        let right = heading.iter().map(|l| l.rect[2]).fold(f64::MIN, f64::max);
        let cx = (left + right) / 2.0;
        // The name is the next line of the column after blank space; an instruction in
        // parentheses ("(Ký, đóng dấu)") may sit in that space.
        let Some(name) = lines[last + 1..]
            .iter()
            .filter(|l| !l.text.starts_with('('))
            .find(|l| (l.center_x() - cx).abs() < pw * 0.15)
        else {
            continue;
        };
        let top = title.rect[1];
        let bottom = name.rect[3];
        let gap = top - bottom;
        if gap < 2.0 * title.height() || gap < MIN_H || gap > ph * 0.35 {
            continue;
        }
        best = Some((cx, bottom, top));
    }
    let (cx, bottom, top) = best?;
    let w = MAX_W.min(pw * 0.4);
    let h = MAX_H.min(top - bottom - 4.0);
    let x = (cx - w / 2.0).clamp(px0, px1 - w);
    let y = bottom + (top - bottom - h) / 2.0;
    Some([x, y, w, h])
}

/// Runs whose centre is right of `mid`, merged into lines, top to bottom.
fn right_half_lines(runs: &[TextRun], mid: f64) -> Vec<Line> {
    let mut parts: Vec<Line> = runs
        .iter()
        .map(|r| Line {
            text: r.text.trim().to_owned(),
            rect: r.rect.map(f64::from),
        })
        .filter(|l| !l.text.is_empty() && l.height() > 0.0 && l.center_x() > mid)
        .collect();
    parts.sort_by(|a, b| {
        b.rect[3]
            .total_cmp(&a.rect[3])
            .then(a.rect[0].total_cmp(&b.rect[0]))
    });
    let mut lines: Vec<Line> = Vec::new();
    for p in parts {
        match lines.last_mut() {
            Some(l) if vertical_overlap(&l.rect, &p.rect) > 0.5 * l.height().min(p.height()) => {
                l.text.push(' ');
                l.text.push_str(&p.text);
                l.rect = [
                    l.rect[0].min(p.rect[0]),
                    l.rect[1].min(p.rect[1]),
                    l.rect[2].max(p.rect[2]),
                    l.rect[3].max(p.rect[3]),
                ];
            }
            _ => lines.push(p),
        }
    }
    lines
}

fn vertical_overlap(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    (a[3].min(b[3]) - a[1].max(b[1])).max(0.0)
}

fn is_upper(text: &str) -> bool {
    text.chars().any(char::is_alphabetic) && text.to_uppercase() == text
}

/// An authority or title line: upper case (as ND30 prints them) and starting with one of
/// the known prefixes.
fn is_heading(text: &str) -> bool {
    if !is_upper(text) {
        return false;
    }
    let f = fold(text);
    let f = f.trim();
    AUTHORITY
        .iter()
        .any(|p| f.starts_with(p) && f.len() > p.len())
        || TITLES.iter().any(|t| {
            f.strip_prefix(t)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, x: f32, y: f32, w: f32) -> TextRun {
        TextRun {
            text: text.into(),
            rect: [x, y, x + w, y + 10.0],
        }
    }

    const A4: [f64; 4] = [0.0, 0.0, 595.0, 842.0];

    #[test]
    fn headings() {
        assert!(is_heading("TM. ỦY BAN NHÂN DÂN"));
        assert!(is_heading("KT. CHỦ TỊCH"));
        assert!(is_heading("PHÓ CHỦ TỊCH"));
        assert!(is_heading("GIÁM ĐỐC"));
        assert!(!is_heading("Chủ tịch"));
        assert!(!is_heading("TRƯỜNG HỢP ĐẶC BIỆT"));
        assert!(!is_heading("Q."));
        assert!(!is_heading("Nơi nhận:"));
    }

    #[test]
    fn block_between_title_and_name_ignoring_left_column() {
        let runs = vec![
            run("Nơi nhận:", 70.0, 300.0, 50.0),
            run("TM. ỦY BAN NHÂN DÂN", 360.0, 300.0, 150.0),
            run("- Như trên;", 70.0, 288.0, 60.0),
            run("KT. CHỦ TỊCH", 390.0, 288.0, 90.0),
            run("PHÓ CHỦ TỊCH", 388.0, 276.0, 94.0),
            run("- Lưu: VT.", 70.0, 264.0, 60.0),
            run("Nguyễn Văn An", 385.0, 180.0, 100.0),
        ];
        let [x, y, w, h] = locate(&runs, &A4).expect("block");
        assert!(y >= 190.0 && y + h <= 276.0, "{y} {h}");
        assert!(x >= 297.5 && x + w <= 595.0);
        assert!(((x + w / 2.0) - 435.0).abs() < 1.0);
    }

    #[test]
    fn parenthesised_hint_in_the_gap_is_skipped() {
        let runs = vec![
            run("GIÁM ĐỐC", 400.0, 400.0, 60.0),
            run("(Ký, đóng dấu)", 395.0, 385.0, 70.0),
            run("Trần Thị Bình", 390.0, 300.0, 80.0),
        ];
        let [_, y, _, h] = locate(&runs, &A4).expect("block");
        assert!(y >= 310.0 && y + h <= 400.0);
    }

    #[test]
    fn no_block() {
        let runs = vec![
            run("QUYẾT ĐỊNH", 250.0, 700.0, 90.0),
            run(
                "Điều 1. Chủ tịch Ủy ban nhân dân quyết định",
                70.0,
                600.0,
                400.0,
            ),
            run("GIÁM ĐỐC", 400.0, 400.0, 60.0),
        ];
        assert_eq!(locate(&runs, &A4), None);
        assert_eq!(locate(&[], &A4), None);
    }
}
