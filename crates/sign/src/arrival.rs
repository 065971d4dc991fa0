//! The arrival stamp (dấu "ĐẾN", Nghị định 30/2020 Phụ lục IV) as a visible organisation
//! signature: what it shows and where it goes on the first page.
//!
//! On paper the văn thư stamps a 50 × 35 mm box at the top of the first page with the
//! agency's name, "ĐẾN", Số, Ngày, Chuyển and Số và ký hiệu hồ sơ. Here the box is the
//! appearance of a signature made with the unit's seal key, added as an incremental update
//! so the sender's signatures stay intact, and it must not cover the document's text:
//! the top margin first, else the free area nearest the top-right corner in the upper
//! half of the page, shrunk down to 60 % if need be, else a refusal.
use crate::free_space::{inner, nearest_free, PAD};
use crate::SignError;

/// Paper size of the stamp: 50 mm wide, 35 mm high, in points.
pub const SIZE: (f64, f64) = (50.0 * 72.0 / 25.4, 35.0 * 72.0 / 25.4);
/// Scales tried, largest first; below 60 % the 7 pt text would be under 5 pt.
const SCALES: [f64; 4] = [1.0, 0.85, 0.7, 0.6];

/// What the arrival stamp shows besides the signing time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArrivalStamp {
    /// Tên cơ quan: the receiving unit's name (printed in capitals).
    pub agency: String,
    /// Số đến as the register shows it ("12", "M3" in the secret series).
    pub number: String,
    /// Ngày đến, dd/mm/yyyy.
    pub date: String,
    /// Chuyển: the unit or person it was passed to, if known.
    pub handler: Option<String>,
    /// Số và ký hiệu hồ sơ, if the document is filed already.
    pub file_notation: Option<String>,
}

/// A blank to fill in by hand, as on the paper stamp.
const BLANK: &str = "……………";

impl ArrivalStamp {
    /// The field lines under "ĐẾN", then the signing time (ISO 8601, as the organisation
    /// signature's text gives it).
    pub fn field_lines(&self, time_iso: &str) -> Vec<String> {
        let or_blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(BLANK)
                .to_string()
        };
        vec![
            format!("Số: {}", self.number),
            format!("Ngày: {}", self.date),
            format!("Chuyển: {}", or_blank(&self.handler)),
            format!("Số và ký hiệu hồ sơ: {}", or_blank(&self.file_notation)),
            format!("Ký số: {time_iso}"),
        ]
    }
}

/// Where the stamp goes on a page whose displayed box is `media` (`[x0, y0, x1, y1]`),
/// given the boxes of its text runs and of the signatures already on it (both
/// `[x0, y0, x1, y1]`, as displayed): `[x, y, w, h]`.
///
/// 1. Above every text run (the top margin), at the right, as large as fits.
/// 2. Else the free box nearest the top-right corner whose top is in the upper half.
/// 3. Else [`SignError::NoFreeSpace`]: covering the document's text is never an option.
pub fn place(
    text: &[[f64; 4]],
    signatures: &[[f64; 4]],
    media: &[f64; 4],
) -> Result<[f64; 4], SignError> {
    let area = inner(media);
    let obstacles: Vec<[f64; 4]> = text.iter().chain(signatures).copied().collect();
    let corner = (area[2], area[3]);
    let cost = |r: &[f64; 4]| {
        let (dx, dy) = (corner.0 - (r[0] + r[2]), corner.1 - (r[1] + r[3]));
        dx * dx + dy * dy
    };
    let top_of_text = text.iter().map(|t| t[3]).fold(f64::MIN, f64::max);
    let margin = [area[0], area[1].max(top_of_text + PAD), area[2], area[3]];
    for scale in SCALES {
        let (w, h) = (SIZE.0 * scale, SIZE.1 * scale);
        if let Some(r) = nearest_free(&obstacles, &margin, w, h, PAD, cost) {
            return Ok(r);
        }
    }
    let mid = (area[1] + area[3]) / 2.0;
    for scale in SCALES {
        let (w, h) = (SIZE.0 * scale, SIZE.1 * scale);
        let upper = [area[0], (mid - h).max(area[1]), area[2], area[3]];
        if let Some(r) = nearest_free(&obstacles, &upper, w, h, PAD, cost) {
            tracing::debug!(placed = ?r, "arrival stamp: no room in the top margin");
            return Ok(r);
        }
    }
    Err(SignError::NoFreeSpace(
        "không còn chỗ trống ở nửa trên trang 1 để đóng dấu đến mà không che chữ / no free space for the arrival stamp on the upper half of page 1".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::free_space::is_free;

    const A4: [f64; 4] = [0.0, 0.0, 595.0, 842.0];

    #[test]
    fn blanks_for_unknown_fields_and_the_time_last() {
        let s = ArrivalStamp {
            agency: "Sở Nội vụ".into(),
            number: "M3".into(),
            date: "05/03/2025".into(),
            handler: None,
            file_notation: Some("  ".into()),
        };
        let l = s.field_lines("2025-03-05T15:20:11+07:00");
        assert_eq!(l[0], "Số: M3");
        assert_eq!(l[1], "Ngày: 05/03/2025");
        assert_eq!(l[2], format!("Chuyển: {BLANK}"));
        assert_eq!(l[3], format!("Số và ký hiệu hồ sơ: {BLANK}"));
        assert!(l[4].ends_with("2025-03-05T15:20:11+07:00"));
    }

    #[test]
    fn full_size_in_a_wide_top_margin_at_the_right() {
        // Text starts 140 pt below the top: the paper size fits above it.
        let text = vec![[60.0, 680.0, 540.0, 700.0], [60.0, 100.0, 540.0, 660.0]];
        let r = place(&text, &[], &A4).unwrap();
        assert!((r[2] - SIZE.0).abs() < 1e-6 && (r[3] - SIZE.1).abs() < 1e-6);
        assert!(r[1] >= 700.0 + PAD, "{r:?}");
        assert!(r[0] + r[2] > 580.0, "not at the right: {r:?}");
    }

    #[test]
    fn shrinks_to_a_narrow_top_margin() {
        // 72 pt from the top edge to the first line: 60–70 % of the paper size.
        let text = vec![[60.0, 760.0, 540.0, 770.0], [60.0, 100.0, 540.0, 740.0]];
        let r = place(&text, &[], &A4).unwrap();
        assert!(r[3] < SIZE.1 && r[1] >= 770.0 + PAD, "{r:?}");
        assert!(is_free(&r, &text, PAD));
    }

    #[test]
    fn without_a_top_margin_the_free_area_nearest_the_top_right() {
        // A header to the top edge; the right half is free from 600 to 760 only.
        let text = vec![
            [20.0, 770.0, 575.0, 834.0],
            [20.0, 600.0, 280.0, 770.0],
            [20.0, 20.0, 575.0, 590.0],
        ];
        let r = place(&text, &[], &A4).unwrap();
        assert!(is_free(&r, &text, PAD), "{r:?}");
        assert!(r[1] >= 590.0 && r[1] + r[3] <= 770.0, "{r:?}");
        assert!(r[0] + r[2] > 570.0, "{r:?}");
    }

    #[test]
    fn avoids_a_signature_already_in_the_margin() {
        let text = vec![[60.0, 100.0, 540.0, 660.0]];
        let sig = [440.0, 700.0, 587.0, 834.0];
        let r = place(&text, &[sig], &A4).unwrap();
        assert!(is_free(&r, &[sig], PAD), "{r:?}");
    }

    #[test]
    fn a_page_full_of_text_is_refused() {
        let lines: Vec<[f64; 4]> = (0..70)
            .map(|i| [10.0, 12.0 * i as f64, 585.0, 12.0 * i as f64 + 11.0])
            .collect();
        assert!(matches!(
            place(&lines, &[], &A4),
            Err(SignError::NoFreeSpace(_))
        ));
    }
}
