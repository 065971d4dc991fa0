//! The one shape every report is printed from: titled tables of typed cells, so the text,
//! CSV, XLSX and PDF writers know numbers from dates from text (reports.md §6: numbers as
//! numbers, dates as dates).
use chrono::NaiveDate;

/// One value of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Int(i64),
    /// A measured value (a ratio, hours, days), shown with two decimals.
    Num(f64),
    /// A day.
    Date(NaiveDate),
    /// Nothing to show (no value measured).
    Empty,
}

impl Cell {
    /// The value as printed in text and CSV (dates dd/mm/yyyy).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => format!("{x:.2}"),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Self {
        x.map_or(Cell::Empty, Cell::Num)
    }
}

/// A titled table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Vietnamese title (also the sheet name in XLSX, shortened).
    pub title: String,
    /// Vietnamese column headings.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these headings.
    pub fn new(title: &str, columns: &[&str]) -> Table {
        Table {
            title: title.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.title);
        self.rows.push(row);
    }
}

/// One line of a cover page (empty text for a blank line).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverLine {
    /// The text, centred.
    pub text: String,
    /// Font size in points.
    pub size: f32,
}

/// A whole report ready to print: its heading lines and its tables.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The report's title, e.g. "BÁO CÁO TÌNH HÌNH PHÁT HÀNH VĂN BẢN".
    pub title: String,
    /// Lines under the title: unit, period, department.
    pub subtitle: Vec<String>,
    /// The tables, in order.
    pub tables: Vec<Table>,
    /// A cover page before everything (the register books); empty for none.
    pub cover: Vec<CoverLine>,
    /// A4 portrait instead of landscape (the processing slip).
    pub portrait: bool,
}
