//! `vanthu init` and `vanthu agency list|show|add`.
use anyhow::Result;
use clap::Subcommand;
use vanthu_registry::{Agency, NewAgency, Registry};

use super::{cut, open, print_json};
use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum AgencyCommand {
    /// Liệt kê cơ quan / list agencies.
    List {
        /// Only those whose name or code contains this text (accents ignored).
        #[arg(long)]
        search: Option<String>,
    },
    /// Xem một cơ quan / show one agency (permanent or transitional code, or exact name).
    Show { code: String },
    /// Thêm đơn vị cấp dưới / add a lower-level unit.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// Parent agency (default: the nearest known parent of the code).
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
}

pub fn init(global: &GlobalOpts, code: &str, name: &str) -> Result<()> {
    let dir = crate::data_dir(global);
    let mut reg = Registry::open(&dir)?;
    let agency = reg.init_unit(code, name)?;
    let (code, name) = reg.own_unit()?.unwrap_or_default();
    if global.json {
        print_json(&serde_json::json!({
            "data_dir": dir, "unit_code": code, "unit_name": name, "agency": agency,
        }))
    } else {
        println!(
            "Đã khởi tạo dữ liệu cho {name} ({code}) tại {}",
            dir.display()
        );
        Ok(())
    }
}

fn print_agency(a: &Agency) {
    println!("Mã định danh:   {}", a.code);
    println!("Tên:            {}", a.name);
    if let Some(t) = &a.transitional_code {
        println!("Mã chuyển tiếp: {t}");
    }
    if let Some(p) = &a.parent_code {
        println!("Cơ quan cấp trên: {p}");
    }
    if let Some(k) = &a.kind {
        println!("Loại:           {k}");
    }
    if let Some(n) = &a.note {
        println!("Ghi chú:        {n}");
    }
}

pub fn run(cmd: AgencyCommand, global: &GlobalOpts) -> Result<()> {
    match cmd {
        AgencyCommand::List { search } => {
            let reg = open(global)?;
            let list = match search {
                Some(s) => reg.find_agencies(&s)?,
                None => reg.agencies()?,
            };
            if global.json {
                return print_json(&list);
            }
            for a in &list {
                println!("{:<15} {}", a.code, cut(&a.name, 70));
            }
            println!("({} cơ quan)", list.len());
            Ok(())
        }
        AgencyCommand::Show { code } => {
            let reg = open(global)?;
            let a = reg.resolve_agency(&code)?;
            if global.json {
                return print_json(&a);
            }
            print_agency(&a);
            Ok(())
        }
        AgencyCommand::Add {
            code,
            name,
            parent,
            note,
        } => {
            let mut reg = open(global)?;
            let a = reg.add_agency(NewAgency {
                code,
                name,
                parent_code: parent,
                note,
            })?;
            if global.json {
                return print_json(&a);
            }
            println!("Đã thêm cơ quan {} — {}", a.code, a.name);
            Ok(())
        }
    }
}
