//! The unit's people: departments (phòng ban), people with their position and roles (văn
//! thư, lãnh đạo, chuyên viên; several per person), the person this desktop is signed in as,
//! and the check every guarded action makes ([`Registry::require`], the duties of
//! `vanthu_domain::roles`). The check lives here, under every caller (the app, the CLI, the
//! workflows of vanthu-core), so a hidden button is never the only thing in the way.
//!
//! A unit that has not listed anyone yet is a single desk: nothing is checked until the first
//! person is added. From then on a guarded action needs a signed-in person holding the role,
//! and the audit log names that person.
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use vanthu_domain::roles::{parse_role, role_name, Duty};
use vanthu_domain::text::nfc;
use vanthu_domain::Actor;

use crate::{audit, Error, Registry, Result};

/// Where the signed-in person's id is kept (`meta`): a data directory is one desktop.
const SIGNED_IN_KEY: &str = "desktop_person";

pub(crate) fn migrate_v15(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE TABLE departments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    full_name     TEXT NOT NULL,
    position      TEXT,
    department_id INTEGER REFERENCES departments (id),
    -- stored role names, comma-separated: clerk, leader, handler
    roles         TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
"#,
    )?;
    Ok(())
}

/// A department of the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    /// Row id.
    pub id: i64,
    /// Its name ("Phòng Tổ chức cán bộ").
    pub name: String,
}

/// A person of the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Row id.
    pub id: i64,
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ ("Phó Giám đốc").
    pub position: Option<String>,
    /// The department, by id and name.
    pub department_id: Option<i64>,
    /// The department's name.
    pub department: Option<String>,
    /// Văn thư, lãnh đạo, chuyên viên (at least one).
    pub roles: Vec<Actor>,
    /// False once the person has left: kept for the record, cannot sign in.
    pub active: bool,
    /// The desktop (`UNIT/DESKTOP` hub account) where the person works, when it is not the
    /// register's own: work assigned to them goes there (docs/sync.md).
    pub desktop: Option<String>,
}

impl Person {
    /// How the audit log and the statuses name the person ("Nguyễn Văn An").
    pub fn audit_name(&self) -> String {
        self.full_name.clone()
    }
}

/// A person as a form gives them.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    pub position: Option<String>,
    /// The department's name; it must exist.
    pub department: Option<String>,
    /// Role names (`văn thư`, `leader`, …), at least one.
    pub roles: Vec<String>,
    /// The desktop where the person works (`UNIT/DESKTOP`), if another one.
    pub desktop: Option<String>,
}

struct CheckedPerson {
    full_name: String,
    position: Option<String>,
    department: Option<String>,
    roles: String,
    desktop: Option<String>,
}

fn check_person(new: &NewPerson) -> Result<CheckedPerson> {
    let full_name = nfc(new.full_name.trim());
    if full_name.is_empty() {
        return Err(Error::invalid("chưa nhập họ và tên / the name is empty"));
    }
    let mut roles: Vec<Actor> = Vec::new();
    for r in &new.roles {
        let role = parse_role(r).ok_or_else(|| {
            Error::invalid(format!(
                "vai trò phải là văn thư, lãnh đạo hoặc chuyên viên: {r} / unknown role: {r}"
            ))
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(Error::invalid(
            "cán bộ cần ít nhất một vai trò / a person needs at least one role",
        ));
    }
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(|v| nfc(v.trim()))
            .filter(|v| !v.is_empty())
    };
    let desktop = clean(&new.desktop);
    if let Some(d) = &desktop {
        let ok = d.split_once('/').is_some_and(|(unit, desk)| {
            !unit.is_empty()
                && (1..=16).contains(&desk.len())
                && desk.bytes().all(|c| c.is_ascii_alphanumeric())
        });
        if !ok {
            return Err(Error::invalid(format!(
                "máy làm việc phải có dạng MÃ-ĐƠN-VỊ/MÁY (1–16 chữ cái/chữ số): {d} / the desktop must be UNIT/DESKTOP"
            )));
        }
    }
    Ok(CheckedPerson {
        full_name,
        position: clean(&new.position),
        department: clean(&new.department),
        desktop,
        roles: roles
            .iter()
            .map(|r| role_name(*r))
            .collect::<Vec<_>>()
            .join(","),
    })
}

fn department_id(tx: &Transaction<'_>, name: Option<&str>) -> Result<Option<i64>> {
    let Some(name) = name else {
        return Ok(None);
    };
    tx.query_row("SELECT id FROM departments WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()?
    .map(Some)
    .ok_or_else(|| {
        Error::invalid(format!(
            "chưa có phòng ban {name} / no department named {name}"
        ))
    })
}

const PERSON_COLS: &str =
    "p.id, p.full_name, p.position, p.department_id, d.name, p.roles, p.active, p.desktop";

fn person_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    let roles: String = r.get(5)?;
    Ok(Person {
        id: r.get(0)?,
        full_name: r.get(1)?,
        position: r.get(2)?,
        department_id: r.get(3)?,
        department: r.get(4)?,
        roles: roles.split(',').filter_map(parse_role).collect(),
        active: r.get::<_, i64>(6)? != 0,
        desktop: r.get(7)?,
    })
}

pub(crate) fn load_person(conn: &rusqlite::Connection, id: i64) -> Result<Option<Person>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PERSON_COLS} FROM people p LEFT JOIN departments d ON d.id = p.department_id
             WHERE p.id = ?1"
        ))?
        .query_row([id], person_row)
        .optional()?)
}

/// The person this desktop is signed in as, when still active.
pub(crate) fn signed_in(conn: &rusqlite::Connection) -> Result<Option<Person>> {
    let id: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([SIGNED_IN_KEY], |r| r.get(0))
        .optional()?;
    let Some(id) = id.and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(None);
    };
    Ok(load_person(conn, id)?.filter(|p| p.active))
}

impl Registry {
    /// Records that this desktop announced `key` (a desktop notification); true the first
    /// time only. Per desktop, like the signed-in person; not a change to the register, so
    /// not audited.
    pub fn mark_announced(&mut self, key: &str) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, '1')",
            [format!("announced:{key}")],
        )?;
        Ok(n == 1)
    }

    /// Refuses `duty` unless this desktop's person holds a role for it; allows everything
    /// while the unit lists no one (a single desk).
    pub fn require(&self, duty: Duty) -> Result<()> {
        let listed: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM people")?
            .query_row([], |r| r.get(0))?;
        if listed == 0 {
            return Ok(());
        }
        let Some(person) = signed_in(&self.conn)? else {
            return Err(Error::NotSignedIn);
        };
        if duty.allowed(&person.roles) {
            return Ok(());
        }
        Err(Error::NotPermitted {
            person: person.full_name,
            duty: duty.label_vi(),
            roles: duty
                .roles()
                .iter()
                .map(|r| r.label_vi().to_lowercase())
                .collect::<Vec<_>>()
                .join(" hoặc "),
        })
    }

    /// The person this desktop is signed in as.
    pub fn signed_in(&self) -> Result<Option<Person>> {
        signed_in(&self.conn)
    }

    /// Signs this desktop in as `person` (or out, `None`); the audit log names them from now
    /// on. An inactive person cannot sign in.
    pub fn sign_in(&mut self, person: Option<i64>) -> Result<Option<Person>> {
        let found = match person {
            Some(id) => {
                let p = load_person(&self.conn, id)?.ok_or(Error::NotFound(id))?;
                if !p.active {
                    return Err(Error::invalid(format!(
                        "{} đã nghỉ, không đăng nhập được / {} is no longer active",
                        p.full_name, p.full_name
                    )));
                }
                Some(p)
            }
            None => None,
        };
        self.write(|tx, ctx| {
            match &found {
                Some(p) => {
                    tx.execute(
                        "INSERT INTO meta (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        params![SIGNED_IN_KEY, p.id.to_string()],
                    )?;
                }
                None => {
                    tx.execute("DELETE FROM meta WHERE key = ?1", [SIGNED_IN_KEY])?;
                }
            }
            audit::append(
                tx,
                ctx,
                "people.sign_in",
                "person",
                found.as_ref().map(|p| p.id.to_string()).as_deref(),
                &serde_json::json!({ "full_name": found.as_ref().map(|p| &p.full_name) }),
            )
        })?;
        if let Some(p) = &found {
            self.set_user(p.audit_name());
        }
        Ok(found)
    }

    /// Adds a department.
    pub fn add_department(&mut self, name: &str) -> Result<Department> {
        self.require(Duty::ManagePeople)?;
        let name = nfc(name.trim());
        if name.is_empty() {
            return Err(Error::invalid(
                "chưa nhập tên phòng ban / the name is empty",
            ));
        }
        let id = self.write(|tx, ctx| {
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM departments WHERE name = ?1", [&name], |r| {
                    r.get(0)
                })
                .optional()?;
            if exists.is_some() {
                return Err(Error::invalid(format!(
                    "đã có phòng ban {name} / department {name} exists"
                )));
            }
            tx.execute(
                "INSERT INTO departments (name, created_at) VALUES (?1, ?2)",
                params![name, ctx.now],
            )?;
            let id = tx.last_insert_rowid();
            audit::append(
                tx,
                ctx,
                "people.department_add",
                "department",
                Some(&id.to_string()),
                &serde_json::json!({ "name": name }),
            )?;
            Ok(id)
        })?;
        Ok(Department { id, name })
    }

    /// The departments, by name.
    pub fn departments(&self) -> Result<Vec<Department>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name FROM departments ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(Department {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a person. The first person added must be able to add the others (a văn thư or a
    /// lãnh đạo), or the unit would lock itself out, and this desktop is signed in as them.
    pub fn add_person(&mut self, new: &NewPerson) -> Result<Person> {
        self.require(Duty::ManagePeople)?;
        let p = check_person(new)?;
        let id = self.write(|tx, ctx| {
            let listed: i64 = tx.query_row("SELECT count(*) FROM people", [], |r| r.get(0))?;
            let roles: Vec<Actor> = p.roles.split(',').filter_map(parse_role).collect();
            if listed == 0 && !Duty::ManagePeople.allowed(&roles) {
                return Err(Error::invalid(
                    "cán bộ đầu tiên phải là văn thư hoặc lãnh đạo (người khai báo các cán bộ khác) / the first person must be a clerk or a leader",
                ));
            }
            let dept = department_id(tx, p.department.as_deref())?;
            tx.execute(
                "INSERT INTO people (full_name, position, department_id, roles, desktop, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?6, ?5, ?5)",
                params![p.full_name, p.position, dept, p.roles, ctx.now, p.desktop],
            )?;
            let id = tx.last_insert_rowid();
            audit::append(
                tx,
                ctx,
                "people.add",
                "person",
                Some(&id.to_string()),
                &serde_json::json!({ "full_name": p.full_name, "position": p.position,
                    "department": p.department, "roles": p.roles, "desktop": p.desktop }),
            )?;
            if listed == 0 {
                // Whoever lists the unit's people starts with themself, at this desk: from
                // now on every action needs a signed-in person.
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![SIGNED_IN_KEY, id.to_string()],
                )?;
            }
            Ok((id, listed == 0))
        })?;
        let (id, first) = id;
        let person = load_person(&self.conn, id)?.ok_or(Error::NotFound(id))?;
        if first {
            self.set_user(person.audit_name());
        }
        Ok(person)
    }

    /// Changes a person's name, position, department, roles, or marks them as having left
    /// (`active` false). Whoever manages people cannot take that right from the last person
    /// who has it.
    pub fn update_person(&mut self, id: i64, new: &NewPerson, active: bool) -> Result<Person> {
        self.require(Duty::ManagePeople)?;
        let p = check_person(new)?;
        self.write(|tx, ctx| {
            let dept = department_id(tx, p.department.as_deref())?;
            let n = tx.execute(
                "UPDATE people SET full_name = ?2, position = ?3, department_id = ?4, roles = ?5,
                        active = ?6, updated_at = ?7, desktop = ?8 WHERE id = ?1",
                params![id, p.full_name, p.position, dept, p.roles, active as i64, ctx.now, p.desktop],
            )?;
            if n == 0 {
                return Err(Error::NotFound(id));
            }
            let managers = tx
                .prepare("SELECT roles FROM people WHERE active = 1")?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .iter()
                .filter(|roles| {
                    let roles: Vec<Actor> = roles.split(',').filter_map(parse_role).collect();
                    Duty::ManagePeople.allowed(&roles)
                })
                .count();
            if managers == 0 {
                return Err(Error::invalid(
                    "phải còn ít nhất một văn thư hoặc lãnh đạo đang làm việc / at least one active clerk or leader must remain",
                ));
            }
            audit::append(
                tx,
                ctx,
                "people.update",
                "person",
                Some(&id.to_string()),
                &serde_json::json!({ "full_name": p.full_name, "position": p.position,
                    "department": p.department, "roles": p.roles, "active": active,
                    "desktop": p.desktop }),
            )
        })?;
        let person = load_person(&self.conn, id)?.ok_or(Error::NotFound(id))?;
        if self.signed_in()?.is_some_and(|s| s.id == id) {
            self.set_user(person.audit_name());
        }
        Ok(person)
    }

    /// Everyone, the active first, by department and name.
    pub fn people(&self) -> Result<Vec<Person>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PERSON_COLS} FROM people p LEFT JOIN departments d ON d.id = p.department_id
             ORDER BY p.active DESC, d.name, p.full_name"
        ))?;
        let rows = stmt.query_map([], person_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
