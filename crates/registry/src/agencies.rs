//! The agency directory: the 95 level-1 agencies of Công văn 1597/VPCP-KSTT Phụ lục III
//! (data/agencies.csv) plus the lower-level units a unit adds itself or learns from the hub.
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use vanthu_domain::text::{fold, nfc};
use vanthu_domain::AgencyCode;

use crate::{audit, Error, Registry, Result};

const SEED_CSV: &str = include_str!("../../../data/agencies.csv");

/// Where an agency directory entry came from, which decides whether the unit may edit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencySource {
    /// From data/agencies.csv.
    Seed,
    /// Added by the unit.
    User,
    /// Learnt from a received package.
    Hub,
}

impl AgencySource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Seed => "seed",
            Self::User => "user",
            Self::Hub => "hub",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "seed" => Self::Seed,
            "hub" => Self::Hub,
            _ => Self::User,
        }
    }
}

/// An agency of the directory (danh mục cơ quan): who a document can come from or go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// The agency code (mã định danh), the key used in edXML packages.
    pub code: String,
    /// The agency's full name as shown to the clerk and written on documents.
    pub name: String,
    /// The directory group it is listed under (ministries, provinces, …), for browsing.
    pub group: Option<String>,
    /// The kind of agency, as given by the seed list.
    pub kind: Option<String>,
    /// The agency it belongs to, if that is in the directory.
    pub parent_code: Option<String>,
    /// The pre-2019 code still found in old packages; it resolves to `code`.
    pub transitional_code: Option<String>,
    /// Where the entry came from.
    pub source: AgencySource,
    /// A free note by the unit.
    pub note: Option<String>,
}

/// A unit to add below a known agency (a sở, a huyện, a phòng).
#[derive(Debug, Clone, Default)]
pub struct NewAgency {
    /// The new unit's agency code (mã định danh).
    pub code: String,
    /// The new unit's full name.
    pub name: String,
    /// Defaults to the code's parent when that is in the directory.
    pub parent_code: Option<String>,
    /// A free note by the unit.
    pub note: Option<String>,
}

const COLUMNS: &str = "code, name, grp, kind, parent_code, transitional_code, source, note";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Agency> {
    Ok(Agency {
        code: r.get(0)?,
        name: r.get(1)?,
        group: r.get(2)?,
        kind: r.get(3)?,
        parent_code: r.get(4)?,
        transitional_code: r.get(5)?,
        source: AgencySource::parse(&r.get::<_, String>(6)?),
        note: r.get(7)?,
    })
}

/// Loads data/agencies.csv into a fresh database (migration 1).
pub(crate) fn seed(tx: &Transaction<'_>) -> Result<()> {
    let mut reader = csv::Reader::from_reader(SEED_CSV.as_bytes());
    let mut insert = tx.prepare(
        "INSERT INTO agencies (code, name, grp, kind, parent_code, transitional_code, source, note, created_at)
         VALUES (?1, ?2, ?3, ?4, NULL, ?5, 'seed', ?6, ?7)",
    )?;
    let now = crate::now_string();
    for rec in reader.records() {
        let rec = rec?;
        let get = |i: usize| rec.get(i).map(str::trim).filter(|s| !s.is_empty()).map(nfc);
        let code = AgencyCode::parse(&get(0).unwrap_or_default())?;
        let transitional = get(6).filter(|t| t != code.as_str());
        insert.execute(params![
            code.as_str(),
            get(1).unwrap_or_default(),
            get(2),
            get(3),
            transitional,
            get(7),
            now
        ])?;
    }
    Ok(())
}

/// Finds an agency by permanent code, transitional code, or exact name (case-insensitive).
pub(crate) fn resolve(conn: &rusqlite::Connection, text: &str) -> Result<Agency> {
    let t = nfc(text.trim());
    if t.is_empty() {
        return Err(Error::UnknownAgency(text.to_string()));
    }
    let by_code = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM agencies WHERE code = ?1 OR transitional_code = ?1 ORDER BY code = ?1 DESC LIMIT 1"))?
        .query_row([t.to_ascii_uppercase()], from_row)
        .optional()?;
    if let Some(a) = by_code {
        return Ok(a);
    }
    // Names are few (hundreds); a scan with Unicode-aware lower-casing beats a collation.
    let wanted = t.to_lowercase();
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM agencies"))?;
    let all = stmt.query_map([], from_row)?;
    for a in all {
        let a = a?;
        if a.name.to_lowercase() == wanted {
            return Ok(a);
        }
    }
    Err(Error::UnknownAgency(text.to_string()))
}

impl Registry {
    /// The directory grouped as an outgoing document's recipients are chosen ("Các sở, ban,
    /// ngành", "UBND các huyện", …; `vanthu_domain::SenderGroup`), each group by name; the unit
    /// itself and agencies the rules cannot place are left out.
    pub fn recipient_groups(&self) -> Result<Vec<(vanthu_domain::SenderGroup, Vec<Agency>)>> {
        use vanthu_domain::SenderGroup;
        let own = self.own_unit()?.map(|(code, _)| code);
        let mut groups: std::collections::BTreeMap<SenderGroup, Vec<Agency>> = Default::default();
        for a in self.agencies()? {
            if own.as_deref() == Some(a.code.as_str()) {
                continue;
            }
            let g = SenderGroup::classify(Some(&a.code), a.group.as_deref(), &a.name);
            if g != SenderGroup::Other {
                groups.entry(g).or_default().push(a);
            }
        }
        Ok(groups
            .into_iter()
            .map(|(g, mut members)| {
                members.sort_by_key(|a| vanthu_domain::text::fold(&a.name));
                (g, members)
            })
            .collect())
    }

    /// The whole agency directory, for the pickers and the directory screen.
    pub fn agencies(&self) -> Result<Vec<Agency>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM agencies ORDER BY code"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Agencies whose name or code contains `text` (diacritic-insensitive).
    pub fn find_agencies(&self, text: &str) -> Result<Vec<Agency>> {
        let wanted = fold(text.trim());
        Ok(self
            .agencies()?
            .into_iter()
            .filter(|a| {
                fold(&a.name).contains(&wanted)
                    || a.code.to_lowercase().contains(&wanted)
                    || a.transitional_code
                        .as_deref()
                        .is_some_and(|c| c.to_lowercase().contains(&wanted))
            })
            .collect())
    }

    /// Resolves a code (permanent or transitional) or exact name to an agency.
    pub fn resolve_agency(&self, text: &str) -> Result<Agency> {
        resolve(&self.conn, text)
    }

    /// Adds a lower-level unit. The code must be well-formed and new.
    pub fn add_agency(&mut self, new: NewAgency) -> Result<Agency> {
        self.add_agency_from(new, AgencySource::User)
    }

    pub(crate) fn add_agency_from(
        &mut self,
        new: NewAgency,
        source: AgencySource,
    ) -> Result<Agency> {
        let code = AgencyCode::parse(&new.code)?;
        let name = nfc(new.name.trim());
        if name.is_empty() {
            return Err(Error::invalid("tên cơ quan trống / empty agency name"));
        }
        self.write(|tx, ctx| {
            let exists: bool = tx.query_row(
                "SELECT count(*) > 0 FROM agencies WHERE code = ?1",
                [code.as_str()],
                |r| r.get(0),
            )?;
            if exists {
                return Err(Error::DuplicateAgency(code.to_string()));
            }
            let parent = match new.parent_code.as_deref() {
                Some(p) => Some(resolve(tx, p)?.code),
                None => {
                    let mut found = None;
                    let mut cur = code.parent();
                    while let Some(p) = cur {
                        if resolve(tx, p.as_str()).is_ok() {
                            found = Some(p.to_string());
                            break;
                        }
                        cur = p.parent();
                    }
                    found
                }
            };
            tx.execute(
                "INSERT INTO agencies (code, name, parent_code, source, note, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    code.as_str(),
                    name,
                    parent,
                    source.as_str(),
                    new.note,
                    ctx.now
                ],
            )?;
            let agency = tx.query_row(
                &format!("SELECT {COLUMNS} FROM agencies WHERE code = ?1"),
                [code.as_str()],
                from_row,
            )?;
            audit::append(
                tx,
                ctx,
                "agency.add",
                "agency",
                Some(code.as_str()),
                &serde_json::to_value(&agency).expect("agency serialises"),
            )?;
            Ok(agency)
        })
    }

    /// Learns an agency named in a received package: returns the known entry, or adds it
    /// (source `hub`) when the code is well-formed and new. Names are never invented.
    pub fn learn_agency(&mut self, code: &str, name: &str) -> Result<Agency> {
        match self.resolve_agency(code) {
            Ok(a) => Ok(a),
            Err(Error::UnknownAgency(_)) => self.add_agency_from(
                NewAgency {
                    code: code.to_string(),
                    name: name.to_string(),
                    ..Default::default()
                },
                AgencySource::Hub,
            ),
            Err(e) => Err(e),
        }
    }

    /// Records the unit this data directory belongs to. Idempotent for the same code.
    pub fn init_unit(&mut self, code: &str, name: &str) -> Result<Agency> {
        let code = AgencyCode::parse(code)?;
        if let Some((own, _)) = self.own_unit()? {
            if own == code.as_str() {
                return self.resolve_agency(code.as_str());
            }
            return Err(Error::AlreadyInitialised(own));
        }
        if self.resolve_agency(code.as_str()).is_err() {
            self.add_agency(NewAgency {
                code: code.to_string(),
                name: name.to_string(),
                ..Default::default()
            })?;
        }
        let name = nfc(name.trim());
        self.write(|tx, ctx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('unit_code', ?1), ('unit_name', ?2)",
                params![code.as_str(), name],
            )?;
            audit::append(
                tx,
                ctx,
                "unit.init",
                "meta",
                Some(code.as_str()),
                &serde_json::json!({"unit_code": code.as_str(), "unit_name": name}),
            )?;
            Ok(())
        })?;
        self.resolve_agency(code.as_str())
    }

    /// The unit (code, name) given to `init_unit`, if any.
    pub fn own_unit(&self) -> Result<Option<(String, String)>> {
        let code: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'unit_code'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let name: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'unit_name'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(code.map(|c| (c, name.unwrap_or_default())))
    }
}
