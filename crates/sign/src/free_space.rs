//! Free space on a page: where a visible signature can go without covering a text run.
//!
//! Nghị định 30 puts the seal over the left third of the leader's signature and the arrival
//! stamp ("ĐẾN") in the top margin of the first page; on real documents those spots are
//! not always empty (a LibreOffice công văn prints the signer's typed name right under a
//! short gap, a header fills the top margin). A signature whose text lands on the
//! document's text makes both unreadable, so the text-aware placements here search for a
//! box that touches no text run, nearest to where the rule wants it.
//!
//! Coordinates are the page as displayed (rotation applied): `[x0, y0, x1, y1]` for
//! obstacles and areas, `[x, y, w, h]` for the boxes placed.
use std::path::Path;

use crate::SignError;

/// Clearance kept between a placed box and any text run, in points.
pub const PAD: f64 = 2.0;
/// Clearance kept from the page's edges, in points.
pub const EDGE: f64 = 8.0;
/// Grid step of the search, in points: fine enough for the gaps between lines of 12 pt
/// text, coarse enough that a page is searched in a few milliseconds.
const STEP: f64 = 2.0;

/// The boxes (`[x0, y0, x1, y1]`, user space) of the non-blank text runs on page
/// `page_index` (0-based) of `pdf`, read through pdfium. `None` when pdfium is not
/// available or the page cannot be read: then nothing is known about the text.
pub fn text_boxes(pdf: &Path, page_index: u32) -> Option<Vec<[f64; 4]>> {
    let doc = match vanthu_pdf::Document::open(pdf) {
        Ok(d) => d,
        Err(e) => {
            tracing::debug!("free space: cannot open {} with pdfium: {e}", pdf.display());
            return None;
        }
    };
    let runs = match doc.text_runs(page_index) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!("free space: no text for page {}: {e}", page_index + 1);
            return None;
        }
    };
    Some(
        runs.iter()
            .filter(|r| !r.text.trim().is_empty())
            .map(|r| r.rect.map(f64::from))
            .filter(|r| r[2] > r[0] && r[3] > r[1])
            .collect(),
    )
}

/// True when the box `[x, y, w, h]` comes within `pad` of the obstacle `[x0, y0, x1, y1]`.
pub fn touches(r: &[f64; 4], o: &[f64; 4], pad: f64) -> bool {
    let [x, y, w, h] = *r;
    x < o[2] + pad && o[0] - pad < x + w && y < o[3] + pad && o[1] - pad < y + h
}

/// True when the box `[x, y, w, h]` keeps `pad` clear of every obstacle.
pub fn is_free(r: &[f64; 4], obstacles: &[[f64; 4]], pad: f64) -> bool {
    !obstacles.iter().any(|o| touches(r, o, pad))
}

/// The `w`×`h` box inside `area` (`[x0, y0, x1, y1]`) that keeps `pad` clear of every
/// obstacle and has the lowest `cost` (e.g. the distance to where the rule wants it), on
/// a grid of [`STEP`] points anchored at the area's top-right corner. `None` when no such
/// box exists.
pub fn nearest_free(
    obstacles: &[[f64; 4]],
    area: &[f64; 4],
    w: f64,
    h: f64,
    pad: f64,
    cost: impl Fn(&[f64; 4]) -> f64,
) -> Option<[f64; 4]> {
    let [ax0, ay0, ax1, ay1] = *area;
    if w <= 0.0 || h <= 0.0 || ax1 - ax0 < w || ay1 - ay0 < h {
        return None;
    }
    let mut best: Option<([f64; 4], f64)> = None;
    let mut y = ay1 - h;
    while y >= ay0 - 1e-9 {
        // Only the obstacles on this band of rows can block a box at this height.
        let row: Vec<&[f64; 4]> = obstacles
            .iter()
            .filter(|o| y < o[3] + pad && o[1] - pad < y + h)
            .collect();
        let mut x = ax1 - w;
        while x >= ax0 - 1e-9 {
            let r = [x, y, w, h];
            if let Some(o) = row.iter().find(|o| touches(&r, o, pad)) {
                // Jump left past the obstacle instead of stepping through it.
                let next = o[0] - pad - w - 1e-6;
                x = next.min(x - STEP);
                continue;
            }
            let c = cost(&r);
            if best.as_ref().is_none_or(|(_, bc)| c < *bc) {
                best = Some((r, c));
            }
            x -= STEP;
        }
        y -= STEP;
    }
    best.map(|(r, _)| r)
}

/// The page's area where boxes may go: `media` less [`EDGE`] on every side.
pub fn inner(media: &[f64; 4]) -> [f64; 4] {
    [
        media[0] + EDGE,
        media[1] + EDGE,
        media[2] - EDGE,
        media[3] - EDGE,
    ]
}

/// The organisation signature's box: `wanted` (the geometric rule's box, over the left
/// third of the leader's signature) when it touches no text; else the box nearest to it,
/// of the same size or down to 55 % of it, that touches none. With no text known the
/// rule's box stands. [`SignError::NoFreeSpace`] when the page has no room at all.
pub fn organization_box(
    text: &[[f64; 4]],
    media: &[f64; 4],
    wanted: [f64; 4],
) -> Result<[f64; 4], SignError> {
    if text.is_empty() || is_free(&wanted, text, PAD) {
        return Ok(wanted);
    }
    let [wx, wy, ww, wh] = wanted;
    let (cx, cy) = (wx + ww / 2.0, wy + wh / 2.0);
    for scale in [1.0, 0.85, 0.7, 0.55] {
        let (w, h) = (ww * scale, wh * scale);
        let found = nearest_free(text, &inner(media), w, h, PAD, |r| {
            let (dx, dy) = (r[0] + r[2] / 2.0 - cx, r[1] + r[3] / 2.0 - cy);
            dx * dx + dy * dy
        });
        // A box far from the signer block is no organisation signature of that block:
        // only a shrunken one nearby is taken before a full-size one elsewhere.
        if let Some(r) = found {
            let (dx, dy) = (r[0] + r[2] / 2.0 - cx, r[1] + r[3] / 2.0 - cy);
            if (dx * dx + dy * dy).sqrt() <= 1.5 * ww.max(wh) || scale <= 0.55 {
                tracing::debug!(?wanted, placed = ?r, "organisation signature moved off the text");
                return Ok(r);
            }
        }
    }
    Err(SignError::NoFreeSpace(
        "không còn chỗ trống gần khối chữ ký để đặt chữ ký của cơ quan mà không che chữ / no free space near the signer block".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A4: [f64; 4] = [0.0, 0.0, 595.0, 842.0];

    #[test]
    fn nearest_free_avoids_every_obstacle_and_prefers_the_cost() {
        let text = vec![[100.0, 700.0, 500.0, 712.0], [300.0, 500.0, 560.0, 600.0]];
        let r = nearest_free(&text, &inner(&A4), 100.0, 60.0, PAD, |r| {
            let (dx, dy) = (r[0] + r[2] - 587.0, r[1] + r[3] - 834.0);
            dx * dx + dy * dy
        })
        .expect("room");
        assert!(is_free(&r, &text, PAD));
        // The top-right corner is free, so that is where the box goes.
        assert!((r[0] + r[2] - 587.0).abs() <= STEP && (r[1] + r[3] - 834.0).abs() <= STEP);
    }

    #[test]
    fn a_full_page_has_no_room() {
        let lines: Vec<[f64; 4]> = (0..70)
            .map(|i| [10.0, 12.0 * i as f64, 585.0, 12.0 * i as f64 + 11.0])
            .collect();
        assert_eq!(
            nearest_free(&lines, &inner(&A4), 60.0, 40.0, PAD, |_| 0.0),
            None
        );
    }

    #[test]
    fn organization_box_keeps_a_free_rule_box_and_moves_one_over_text() {
        let title = [380.0, 276.0, 490.0, 288.0];
        let name = [385.0, 180.0, 485.0, 192.0];
        let text = vec![title, name];
        let free = [360.0, 200.0, 70.0, 70.0];
        assert_eq!(organization_box(&text, &A4, free).unwrap(), free);
        // 98 pt over a 84 pt gap: the rule's box covers the typed name.
        let over = [350.0, 186.0, 98.0, 98.0];
        assert!(!is_free(&over, &text, PAD));
        let r = organization_box(&text, &A4, over).unwrap();
        assert!(is_free(&r, &text, PAD), "{r:?}");
        let (cx, cy) = (r[0] + r[2] / 2.0, r[1] + r[3] / 2.0);
        assert!(
            (cx - 399.0).abs() < 150.0 && (cy - 235.0).abs() < 150.0,
            "{r:?}"
        );
    }
}
