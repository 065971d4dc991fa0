//! Register commands: init, agency, incoming, outgoing, show, list, search, audit, export.
//! Each area is one file; this one holds the command tree and shared output helpers.
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;
use vanthu_registry::{Register, Registry, SearchQuery};

use crate::GlobalOpts;

mod agency;
mod audit;
mod bench_reports;
mod dev;
mod docs;
mod export;
mod handling;
mod incoming;
mod outgoing;
mod people;
mod unit;

// Parsed once per process; boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Khởi tạo dữ liệu cho đơn vị / initialise the data directory for a unit.
    Init {
        /// Mã định danh của đơn vị (e.g. 000.00.00.H34).
        #[arg(long)]
        agency_code: String,
        /// Tên đơn vị.
        #[arg(long)]
        agency_name: String,
    },
    /// Danh mục cơ quan / agency directory.
    #[command(subcommand)]
    Agency(agency::AgencyCommand),
    /// Sổ văn bản đến / incoming register.
    #[command(subcommand)]
    Incoming(incoming::IncomingCommand),
    /// Sổ văn bản đi / outgoing register.
    #[command(subcommand)]
    Outgoing(outgoing::OutgoingCommand),
    /// Xem một văn bản / show one document.
    Show { id: i64 },
    /// Liệt kê văn bản / list documents, newest first.
    List {
        #[command(flatten)]
        filters: Filters,
    },
    /// Tìm kiếm toàn văn / full-text search (accents and case ignored).
    Search {
        query: String,
        #[command(flatten)]
        filters: Filters,
    },
    /// Nhật ký kiểm tra / audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Cán bộ, phòng ban, vai trò / the unit's people and roles; sign this desktop in.
    #[command(subcommand)]
    People(people::PeopleCommand),
    /// Phân công và xử lý / assignment, progress notes, reply drafts, extensions.
    #[command(subcommand)]
    Handling(handling::HandlingCommand),
    /// Đơn vị: ảnh con dấu / the unit's seal image.
    #[command(subcommand)]
    Unit(unit::UnitCommand),
    /// Xuất dữ liệu / export.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Developer tools (demo data, stress tests).
    #[command(subcommand, hide = true)]
    Dev(dev::DevCommand),
}

/// Filters shared by `list` and `search`.
#[derive(Args, Debug, Clone, Default)]
pub struct Filters {
    /// incoming | outgoing
    #[arg(long)]
    pub register: Option<String>,
    #[arg(long)]
    pub year: Option<i32>,
    /// Loại văn bản (name or abbreviation).
    #[arg(long = "type")]
    pub doc_type: Option<String>,
    /// Cơ quan gửi (code or exact name).
    #[arg(long)]
    pub sender: Option<String>,
    /// Trạng thái (registered, assigned, issued…).
    #[arg(long)]
    pub status: Option<String>,
    /// Độ khẩn.
    #[arg(long)]
    pub urgency: Option<String>,
    /// Độ mật.
    #[arg(long)]
    pub secrecy: Option<String>,
    /// Đơn vị, người xử lý (documents whose handler contains this text).
    #[arg(long)]
    pub handler: Option<String>,
    /// From date (YYYY-MM-DD or dd/mm/yyyy), inclusive.
    #[arg(long)]
    pub from_date: Option<String>,
    /// To date, inclusive.
    #[arg(long)]
    pub to_date: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// next_cursor of the previous page.
    #[arg(long)]
    pub cursor: Option<String>,
}

impl Filters {
    fn to_query(&self, text: &str) -> Result<SearchQuery> {
        Ok(SearchQuery {
            text: text.to_string(),
            register: self
                .register
                .as_deref()
                .map(str::parse::<Register>)
                .transpose()?,
            year: self.year,
            doc_type: self.doc_type.clone(),
            sender: self.sender.clone(),
            state: self.status.clone(),
            urgency: self.urgency.as_deref().map(str::parse).transpose()?,
            secrecy: self.secrecy.as_deref().map(str::parse).transpose()?,
            handler: self.handler.clone(),
            date_from: self.from_date.as_deref().map(parse_date).transpose()?,
            date_to: self.to_date.as_deref().map(parse_date).transpose()?,
            limit: self.limit,
            cursor: self.cursor.clone(),
            sort: None,
        })
    }
}

pub fn run(cmd: RegistryCommand, global: &GlobalOpts) -> Result<()> {
    match cmd {
        RegistryCommand::Init {
            agency_code,
            agency_name,
        } => agency::init(global, &agency_code, &agency_name),
        RegistryCommand::Agency(c) => agency::run(c, global),
        RegistryCommand::Incoming(c) => incoming::run(c, global),
        RegistryCommand::Outgoing(c) => outgoing::run(c, global),
        RegistryCommand::Show { id } => docs::show(global, id),
        RegistryCommand::List { filters } => docs::search(global, "", &filters),
        RegistryCommand::Search { query, filters } => docs::search(global, &query, &filters),
        RegistryCommand::Audit(c) => audit::run(c, global),
        RegistryCommand::People(c) => people::run(c, global),
        RegistryCommand::Handling(c) => handling::run(c, global),
        RegistryCommand::Unit(c) => unit::run(c, global),
        RegistryCommand::Export(c) => export::run(c, global),
        RegistryCommand::Dev(c) => dev::run(c, global),
    }
}

/// Opens the unit's existing register (every command but `init` needs one).
pub(crate) fn open(global: &GlobalOpts) -> Result<Registry> {
    Ok(Registry::open_existing(crate::data_dir(global))?)
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    Ok(vanthu_registry::csvio::parse_date(s)?)
}

pub(crate) fn vi_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".into())
}

pub(crate) fn print_json<T: Serialize>(v: &T) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(v).context("serialising JSON")?
    );
    Ok(())
}

/// Cuts `s` to `n` characters for table columns.
pub(crate) fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
