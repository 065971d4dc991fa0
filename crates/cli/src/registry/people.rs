//! `vanthu people …`: the unit's departments and people with their roles, and who this
//! desktop is signed in as (the registry enforces the roles, `vanthu_registry::people`).
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

use vanthu_registry::{NewPerson, Person, SignImage};

use super::{open, print_json};
use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum PeopleCommand {
    /// Danh sách cán bộ / list the unit's people and who this desktop is signed in as.
    List,
    /// Thêm cán bộ / add a person (the first must be a văn thư or a lãnh đạo).
    Add {
        /// Họ và tên.
        #[arg(long)]
        name: String,
        /// Chức vụ.
        #[arg(long)]
        position: Option<String>,
        /// Phòng ban (add it first with add-department).
        #[arg(long)]
        department: Option<String>,
        /// Vai trò: văn-thư | lãnh-đạo | chuyên-viên (clerk | leader | handler), repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Máy làm việc (UNIT/DESKTOP), when not this one: assigned work goes there.
        #[arg(long)]
        desktop: Option<String>,
    },
    /// Sửa cán bộ / change a person's details and roles, or mark them as having left.
    Update {
        id: i64,
        #[arg(long)]
        name: String,
        #[arg(long)]
        position: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        desktop: Option<String>,
        /// Đã nghỉ / no longer works here (kept for the record, cannot sign in).
        #[arg(long)]
        inactive: bool,
    },
    /// Thêm phòng ban / add a department.
    AddDepartment { name: String },
    /// Danh sách phòng ban / list the departments.
    Departments,
    /// Đăng nhập máy này với tư cách cán bộ ID / sign this desktop in as a person.
    SignIn { id: i64 },
    /// Đăng xuất / sign this desktop out.
    SignOut,
    /// Đặt ảnh chữ ký của lãnh đạo / set a leader's signature image (PNG, transparent
    /// background): the văn thư for anyone, a leader for themself.
    SetSignature {
        /// The person's id (see `people list`).
        id: i64,
        /// The PNG file; leave out with --remove.
        #[arg(required_unless_present = "remove")]
        png: Option<PathBuf>,
        /// Xóa ảnh chữ ký / remove the image.
        #[arg(long, conflicts_with = "png")]
        remove: bool,
    },
}

/// Prints a signature or seal image as set (or that none is).
pub(super) fn show_image(
    reg: &vanthu_registry::Registry,
    what: &str,
    img: Option<&SignImage>,
    json: bool,
) -> Result<()> {
    if json {
        let path = img.map(|i| reg.sign_image_path(i));
        return print_json(&serde_json::json!({ "image": img, "path": path }));
    }
    match img {
        Some(i) => println!(
            "{what}: {}×{} điểm ảnh, {} byte, sha256 {} / set",
            i.width, i.height, i.size, i.sha256
        ),
        None => println!("{what}: chưa có / none"),
    }
    Ok(())
}

fn roles_vi(p: &Person) -> String {
    p.roles
        .iter()
        .map(|r| r.label_vi())
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(p: &Person) {
    println!(
        "{:>4}  {:<28} {:<20} {:<24} {}{}{}",
        p.id,
        p.full_name,
        p.position.as_deref().unwrap_or(""),
        p.department.as_deref().unwrap_or(""),
        roles_vi(p),
        p.desktop
            .as_deref()
            .map(|d| format!(" — máy {d}"))
            .unwrap_or_default(),
        if p.active { "" } else { " (đã nghỉ)" }
    );
}

pub fn run(cmd: PeopleCommand, global: &GlobalOpts) -> Result<()> {
    let mut reg = open(global)?;
    let person = |name: String, position, department, roles, desktop| NewPerson {
        full_name: name,
        position,
        department,
        roles,
        desktop,
    };
    match cmd {
        PeopleCommand::List => {
            let people = reg.people()?;
            let me = reg.signed_in()?;
            if global.json {
                return print_json(&serde_json::json!({ "people": people, "signed_in": me }));
            }
            for p in &people {
                show(p);
            }
            match me {
                Some(p) => println!(
                    "Máy này đăng nhập: {} / signed in as #{}",
                    p.full_name, p.id
                ),
                None => println!("Máy này chưa đăng nhập cán bộ / not signed in"),
            }
        }
        PeopleCommand::Add {
            name,
            position,
            department,
            roles,
            desktop,
        } => {
            let p = reg.add_person(&person(name, position, department, roles, desktop))?;
            if global.json {
                return print_json(&p);
            }
            show(&p);
        }
        PeopleCommand::Update {
            id,
            name,
            position,
            department,
            roles,
            desktop,
            inactive,
        } => {
            let p = reg.update_person(
                id,
                &person(name, position, department, roles, desktop),
                !inactive,
            )?;
            if global.json {
                return print_json(&p);
            }
            show(&p);
        }
        PeopleCommand::AddDepartment { name } => {
            let d = reg.add_department(&name)?;
            if global.json {
                return print_json(&d);
            }
            println!("{:>4}  {}", d.id, d.name);
        }
        PeopleCommand::Departments => {
            let ds = reg.departments()?;
            if global.json {
                return print_json(&ds);
            }
            for d in &ds {
                println!("{:>4}  {}", d.id, d.name);
            }
        }
        PeopleCommand::SignIn { id } => {
            let p = reg.sign_in(Some(id))?;
            if global.json {
                return print_json(&p);
            }
            if let Some(p) = p {
                println!(
                    "Đã đăng nhập: {} ({}) / signed in",
                    p.full_name,
                    roles_vi(&p)
                );
            }
        }
        PeopleCommand::SignOut => {
            reg.sign_in(None)?;
            println!("Đã đăng xuất / signed out");
        }
        PeopleCommand::SetSignature { id, png, remove } => {
            let img = reg.set_signature_image(id, png.as_deref().filter(|_| !remove))?;
            show_image(&reg, "Ảnh chữ ký", img.as_ref(), global.json)?;
        }
    }
    Ok(())
}
