//! Writing a report [`Document`] as text, CSV, XLSX or PDF (reports.md §6). Files are written
//! under a temporary name beside the destination and renamed over it, so a failed export
//! never leaves half a file where the clerk expects the report.
use std::io::Write;
use std::path::{Path, PathBuf};

use super::table::{Cell, Document};
use super::{ReportError, ReportScope};

/// The output formats of `vanthu report … --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// The report struct as JSON (the keys of reports.md).
    Json,
    /// Every table one after the other, UTF-8 with a byte-order mark (Excel reads it so).
    Csv,
    /// One worksheet per table, numbers as numbers and dates as dates.
    Xlsx,
    /// A4 landscape, Vietnamese headings, an embedded font, page numbers.
    Pdf,
}

/// The lines under a report's title: unit, period, department.
pub fn subtitle(unit: &str, scope: &ReportScope) -> Vec<String> {
    let mut v = vec![
        format!("Đơn vị: {unit}"),
        format!(
            "Từ ngày {} đến ngày {}",
            scope.from.format("%d/%m/%Y"),
            scope.to.format("%d/%m/%Y")
        ),
    ];
    if let Some(d) = &scope.department {
        v.push(format!("Đơn vị/người xử lý: {d}"));
    }
    v
}

/// Aligned text, for a terminal.
pub fn to_text(doc: &Document) -> String {
    let mut out = format!("{}\n", doc.title);
    for s in &doc.subtitle {
        out.push_str(s);
        out.push('\n');
    }
    for t in &doc.tables {
        out.push_str(&format!("\n{}\n", t.title));
        let cells: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::display).collect())
            .collect();
        let width = |i: usize| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([t.columns[i].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..t.columns.len()).map(width).collect();
        let line = |vals: &[String]| {
            let parts: Vec<String> = vals
                .iter()
                .zip(&widths)
                .map(|(v, w)| format!("{v}{}", " ".repeat(w - v.chars().count())))
                .collect();
            format!("{}\n", parts.join(" | ").trim_end())
        };
        out.push_str(&line(&t.columns));
        out.push_str(&format!(
            "{}\n",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("-+-")
        ));
        if cells.is_empty() {
            out.push_str("(không có số liệu)\n");
        }
        for r in &cells {
            out.push_str(&line(r));
        }
    }
    out
}

/// CSV bytes: each table as its title row, its heading row and its rows, a blank line
/// between tables.
pub fn to_csv(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let err = |e: csv::Error| ReportError::Write {
        path: "csv".into(),
        source: std::io::Error::other(e.to_string()),
    };
    w.write_record([doc.title.as_str()]).map_err(err)?;
    for s in &doc.subtitle {
        w.write_record([s.as_str()]).map_err(err)?;
    }
    for t in &doc.tables {
        w.write_record([""]).map_err(err)?;
        w.write_record([t.title.as_str()]).map_err(err)?;
        w.write_record(&t.columns).map_err(err)?;
        for r in &t.rows {
            w.write_record(r.iter().map(csv_value)).map_err(err)?;
        }
    }
    w.into_inner().map_err(|e| ReportError::Write {
        path: "csv".into(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// Numbers in CSV keep a dot and no rounding a spreadsheet cannot undo.
fn csv_value(c: &Cell) -> String {
    match c {
        Cell::Num(x) => format!("{x}"),
        other => other.display(),
    }
}

/// XLSX bytes: one worksheet per table.
pub fn to_xlsx(doc: &Document) -> Result<Vec<u8>, ReportError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| ReportError::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    let date = XFormat::new().set_num_format("dd/mm/yyyy");
    let num = XFormat::new().set_num_format("0.00");
    let mut used = Vec::new();
    for t in &doc.tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.title, &mut used)).map_err(x)?;
        ws.write_string_with_format(0, 0, &doc.title, &bold)
            .map_err(x)?;
        let mut row = 1u32;
        for s in &doc.subtitle {
            ws.write_string(row, 0, s).map_err(x)?;
            row += 1;
        }
        ws.write_string_with_format(row, 0, &t.title, &bold)
            .map_err(x)?;
        row += 1;
        for (c, h) in t.columns.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, h, &bold)
                .map_err(x)?;
            ws.set_column_width(c as u16, (h.chars().count() as f64).clamp(10.0, 40.0))
                .map_err(x)?;
        }
        for r in &t.rows {
            row += 1;
            for (c, cell) in r.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => ws.write_string(row, c, s).map(|_| ()),
                    Cell::Int(n) => ws.write_number(row, c, *n as f64).map(|_| ()),
                    Cell::Num(v) => ws.write_number_with_format(row, c, *v, &num).map(|_| ()),
                    Cell::Date(d) => {
                        use chrono::Datelike;
                        let dt = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )
                        .map_err(x)?;
                        ws.write_datetime_with_format(row, c, &dt, &date)
                            .map(|_| ())
                    }
                    Cell::Empty => Ok(()),
                }
                .map_err(x)?;
            }
        }
    }
    wb.save_to_buffer().map_err(x)
}

/// An Excel sheet name: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let base: String = clean.chars().take(28).collect::<String>().trim().to_owned();
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.to_lowercase() == name.to_lowercase()) {
        name = format!("{base} {n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    let (_, tmp_path) = tmp.keep().map_err(|e| err(e.error))?;
    vanthu_domain::paths::replace_file(&tmp_path, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp_path);
        err(e)
    })
}

pub use super::pdf::to_pdf;

#[cfg(test)]
mod tests {
    use super::super::table::Table;
    use super::*;

    fn doc() -> Document {
        let mut t = Table::new("Theo loại văn bản", &["Loại", "Số", "Tỷ lệ", "Ngày"]);
        t.push(vec![
            "Công văn".into(),
            Cell::Int(12),
            Cell::Num(0.5),
            Cell::Date("2026-03-09".parse().unwrap()),
        ]);
        Document {
            title: "BÁO CÁO".into(),
            subtitle: vec!["Đơn vị: UBND tỉnh Kon Tum".into()],
            tables: vec![t],
            ..Default::default()
        }
    }

    #[test]
    fn text_and_csv_show_dates_the_vietnamese_way() {
        let text = to_text(&doc());
        assert!(
            text.contains("Công văn | 12 | 0.50  | 09/03/2026"),
            "{text}"
        );
        let csv = String::from_utf8(to_csv(&doc()).unwrap()).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        assert!(
            csv.contains("Loại,Số,Tỷ lệ,Ngày\nCông văn,12,0.5,09/03/2026\n"),
            "{csv}"
        );
    }

    #[test]
    fn xlsx_is_a_zip_with_one_sheet_per_table() {
        let bytes = to_xlsx(&doc()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        // 12 is a number cell, the date an Excel serial (46090 = 09/03/2026) with a style.
        assert!(sheet.contains("<v>12</v>"), "{sheet}");
        assert!(sheet.contains("<v>46090</v>"), "{sheet}");
    }

    #[test]
    fn sheet_names_fit_excel_rules() {
        let mut used = Vec::new();
        let a = sheet_name("Tình hình giải quyết theo người xử lý: tổng/hợp", &mut used);
        let b = sheet_name("Tình hình giải quyết theo người xử lý: tổng/hợp", &mut used);
        assert!(a.chars().count() <= 31 && b.chars().count() <= 31);
        assert!(!a.contains(':') && !a.contains('/'));
        assert_ne!(a, b);
    }

    #[test]
    fn a_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(&p, "old").unwrap();
        write_file(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
