//! Báo cáo: the reports of `vanthu_core::reports` for the page (tables as display text, the
//! charts the core picked) and their export to CSV, XLSX or PDF in the user's Documents
//! folder. The figures and what to chart are decided in the core; this maps them.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use vanthu_core::reports::books::{self, BookRequest};
use vanthu_core::reports::table::Document;
use vanthu_core::reports::{self, export, table::Cell, Built, ReportKind, ReportScope};
use vanthu_registry::{Register, Series};

use crate::commands::opt_date;
use crate::error::CommandError;
use crate::AppState;

type Res<T> = Result<T, CommandError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ReportType {
    Issuing,
    Statuses,
    Processing,
    /// Phụ lục III of 2887/VPCP-KSTT, pre-filled.
    Survey,
}

impl ReportType {
    fn kind(self) -> ReportKind {
        match self {
            ReportType::Issuing => ReportKind::Issuing,
            ReportType::Statuses => ReportKind::Statuses,
            ReportType::Processing => ReportKind::Processing,
            ReportType::Survey => ReportKind::Survey,
        }
    }

    /// The file name stem of an export (ASCII, so every file system takes it).
    fn stem(self) -> &'static str {
        match self {
            ReportType::Issuing => "bao-cao-phat-hanh",
            ReportType::Statuses => "bao-cao-phan-hoi-trang-thai",
            ReportType::Processing => "bao-cao-giai-quyet",
            ReportType::Survey => "phu-luc-III",
        }
    }
}

/// The filters of the page; empty dates mean the year so far.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportForm {
    pub kind: ReportType,
    /// yyyy-mm-dd.
    pub from: Option<String>,
    pub to: Option<String>,
    pub department: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportTable {
    pub title: String,
    pub columns: Vec<String>,
    /// Display text (dates dd/mm/yyyy, ratios with two decimals).
    pub rows: Vec<Vec<String>>,
    /// Per column: right-aligned figures.
    pub numeric: Vec<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportChart {
    pub title: String,
    pub series: Vec<String>,
    pub points: Vec<ReportPoint>,
    pub stacked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ReportPoint {
    pub label: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub title: String,
    pub subtitle: Vec<String>,
    pub tables: Vec<ReportTable>,
    pub charts: Vec<ReportChart>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Pdf,
}

impl From<reports::ReportError> for CommandError {
    fn from(err: reports::ReportError) -> Self {
        use reports::ReportError as E;
        match err {
            E::Registry(e) => e.into(),
            E::Write { .. } => CommandError::Io {
                message: crate::error::vietnamese(&err.to_string()),
            },
            E::Period { .. } => CommandError::invalid(err.to_string()),
            E::Xlsx(_) | E::Pdf(_) => CommandError::internal(err.to_string()),
        }
    }
}

fn build(state: &AppState, form: &ReportForm) -> Res<(Built, ReportScope)> {
    let scope = ReportScope::new(
        opt_date("Từ ngày", form.from.clone())?,
        opt_date("Đến ngày", form.to.clone())?,
        form.department.clone(),
        chrono::Local::now().date_naive(),
    )?;
    let trust = crate::signing::trust_anchors(&state.data_dir);
    let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
    let built = reports::build(
        &reg,
        form.kind.kind(),
        &scope,
        &trust,
        chrono::Utc::now().timestamp_millis(),
    )?;
    Ok((built, scope))
}

#[tauri::command(async)]
#[specta::specta]
pub fn report_view(state: State<'_, AppState>, form: ReportForm) -> Res<ReportView> {
    let (built, _) = build(&state, &form)?;
    let doc = built.document;
    Ok(ReportView {
        title: doc.title,
        subtitle: doc.subtitle,
        tables: doc
            .tables
            .into_iter()
            .map(|t| ReportTable {
                numeric: (0..t.columns.len())
                    .map(|i| {
                        !t.rows.is_empty()
                            && t.rows.iter().all(|r| {
                                matches!(r.get(i), Some(Cell::Int(_) | Cell::Num(_) | Cell::Empty))
                            })
                    })
                    .collect(),
                rows: t
                    .rows
                    .iter()
                    .map(|r| r.iter().map(Cell::display).collect())
                    .collect(),
                title: t.title,
                columns: t.columns,
            })
            .collect(),
        charts: built
            .charts
            .into_iter()
            .map(|c| ReportChart {
                title: c.title,
                series: c.series,
                points: c
                    .points
                    .into_iter()
                    .map(|p| ReportPoint {
                        label: p.label,
                        values: p.values,
                    })
                    .collect(),
                stacked: c.stacked,
            })
            .collect(),
    })
}

/// Where exports go: the user's Documents folder, else the data directory.
fn export_dir(app: &AppHandle, state: &AppState) -> PathBuf {
    app.path()
        .document_dir()
        .ok()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| state.data_dir.join("exports"))
}

/// Writes a printable document into the Documents folder as `<stem>.<ext>`; returns the path.
fn save(
    app: &AppHandle,
    state: &AppState,
    doc: &Document,
    format: ExportFormat,
    stem: &str,
) -> Res<String> {
    let (bytes, ext) = match format {
        ExportFormat::Csv => (export::to_csv(doc)?, "csv"),
        ExportFormat::Xlsx => (export::to_xlsx(doc)?, "xlsx"),
        ExportFormat::Pdf => (export::to_pdf(doc)?, "pdf"),
    };
    let dir = export_dir(app, state);
    std::fs::create_dir_all(&dir).map_err(|e| CommandError::Io {
        message: format!("không tạo được thư mục {}: {e}", dir.display()),
    })?;
    let path = dir.join(format!("{stem}.{ext}"));
    export::write_file(&path, &bytes)?;
    Ok(path.display().to_string())
}

/// Writes the report as a file in the Documents folder; returns its path.
#[tauri::command(async)]
#[specta::specta]
pub fn export_report(
    app: AppHandle,
    state: State<'_, AppState>,
    form: ReportForm,
    format: ExportFormat,
) -> Res<String> {
    let (built, scope) = build(&state, &form)?;
    // The name from the parsed period, never from the webview's text.
    let name = format!("{}-{}-{}", form.kind.stem(), scope.from, scope.to);
    save(&app, &state, &built.document, format, &name)
}

/// Which register book to print.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BookForm {
    /// true: sổ văn bản đến; false: sổ văn bản đi.
    pub incoming: bool,
    pub year: i32,
    /// The book of the secret series.
    pub secret: bool,
}

/// The register book of a year (NĐ 30 form, cover page) into the Documents folder.
#[tauri::command(async)]
#[specta::specta]
pub fn export_register_book(
    app: AppHandle,
    state: State<'_, AppState>,
    form: BookForm,
    format: ExportFormat,
) -> Res<String> {
    let req = BookRequest {
        register: if form.incoming {
            Register::Incoming
        } else {
            Register::Outgoing
        },
        year: form.year,
        series: if form.secret {
            Series::Secret
        } else {
            Series::Normal
        },
    };
    let doc = {
        let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
        books::register_book(&reg, req)?
    };
    let stem = format!(
        "so-van-ban-{}{}-{}",
        if form.incoming { "den" } else { "di" },
        if form.secret { "-mat" } else { "" },
        form.year
    );
    save(&app, &state, &doc, format, &stem)
}

/// Phiếu giải quyết văn bản đến of one document, as a PDF in the Documents folder.
#[tauri::command(async)]
#[specta::specta]
pub fn export_processing_slip(app: AppHandle, state: State<'_, AppState>, id: u32) -> Res<String> {
    let doc = {
        let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
        books::processing_slip(&reg, i64::from(id))?
    };
    save(
        &app,
        &state,
        &doc,
        ExportFormat::Pdf,
        &format!("phieu-giai-quyet-{id}"),
    )
}
