//! Restoring archived records (vanthu_core::archive, docs/archive.md) into an empty register,
//! with the numbers they had. An archive package holds chosen records, so its numbers have
//! gaps; the register's counters are moved up to just below each record's number before it
//! is entered, which only an empty register allows (a register in use must stay gapless).
//! Everything happens in one transaction: a bad record leaves the register empty.
use chrono::Datelike;
use rusqlite::{params, Transaction};
use vanthu_domain::text::nfc;

use crate::documents::{insert_incoming, insert_outgoing, validate_incoming, validate_outgoing};
use crate::{agencies, audit, Error, NewIncoming, NewOutgoing, Register, Registry, Result, Series};

/// One record of an archive package, with the number it had in its register.
#[derive(Debug, Clone)]
pub enum ArchivedRecord {
    /// An incoming document; `arrival_date` and `expected_number` must be set (its số đến).
    Incoming(NewIncoming),
    /// An issued outgoing document; `issue_date` must be set and `notation` carry the
    /// full number (`12/QĐ-UBND`).
    Outgoing(NewOutgoing),
}

impl ArchivedRecord {
    /// Register, series, year and number the record is restored under.
    fn slot(&self) -> Result<(Register, Series, i32, u32)> {
        let missing = || {
            Error::invalid(
                "bản ghi lưu trữ thiếu số hoặc ngày / an archived record lacks its number or date",
            )
        };
        match self {
            ArchivedRecord::Incoming(n) => Ok((
                Register::Incoming,
                Series::for_secrecy(n.secrecy),
                n.arrival_date.ok_or_else(missing)?.year(),
                n.expected_number.ok_or_else(missing)?,
            )),
            ArchivedRecord::Outgoing(n) => {
                let number = n
                    .notation
                    .split_once('/')
                    .and_then(|(num, _)| num.trim().parse().ok())
                    .ok_or_else(missing)?;
                Ok((
                    Register::Outgoing,
                    Series::for_secrecy(n.secrecy),
                    n.issue_date.ok_or_else(missing)?.year(),
                    number,
                ))
            }
        }
    }
}

/// Moves the counter of a register key so that the next number handed out is `number`;
/// never backwards (a number already used stays used, and the insert then fails).
fn counter_before(
    tx: &Transaction<'_>,
    (register, series, year, number): (Register, Series, i32, u32),
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO counters (register, series, year, last_number) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (register, series, year) DO UPDATE SET last_number = excluded.last_number
         WHERE last_number < excluded.last_number",
    )?
    .execute(params![
        register.as_str(),
        series.as_str(),
        year,
        i64::from(number) - 1
    ])?;
    Ok(())
}

impl Registry {
    /// Enters archived records into this register, which must hold no document yet, each
    /// under its own number; returns their new ids in the given order. Agencies the records
    /// name by code must be in the directory first.
    pub fn restore_archived(&mut self, records: Vec<ArchivedRecord>) -> Result<Vec<i64>> {
        let mut slots = Vec::with_capacity(records.len());
        for r in &records {
            slots.push(r.slot()?);
            match r {
                ArchivedRecord::Incoming(n) => drop(validate_incoming(n)?),
                ArchivedRecord::Outgoing(n) => drop(validate_outgoing(n)?),
            }
        }
        let files = records
            .iter()
            .map(|r| match r {
                ArchivedRecord::Incoming(n) => self.prepare_files(&n.files),
                ArchivedRecord::Outgoing(n) => self.prepare_files(&n.files),
            })
            .collect::<Result<Vec<_>>>()?;
        self.write(|tx, ctx| {
            let present: i64 = tx.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
            if present > 0 {
                return Err(Error::InvalidState(format!(
                    "sổ đã có {present} văn bản: chỉ nhập gói lưu trữ vào sổ trống / the register already holds {present} documents"
                )));
            }
            let mut ids = Vec::with_capacity(records.len());
            for ((r, slot), f) in records.iter().zip(&slots).zip(&files) {
                counter_before(tx, *slot)?;
                let id = match r {
                    ArchivedRecord::Incoming(n) => {
                        let v = validate_incoming(n)?;
                        let sender = agencies::resolve(tx, &nfc(n.sender.trim()))?;
                        insert_incoming(tx, ctx, &v, &sender, f, true)?
                    }
                    ArchivedRecord::Outgoing(n) => {
                        insert_outgoing(tx, ctx, &validate_outgoing(n)?, f)?
                    }
                };
                ids.push(id);
            }
            audit::append(
                tx,
                ctx,
                "archive.restore",
                "register",
                None,
                &serde_json::json!({ "documents": ids.len() }),
            )?;
            Ok(ids)
        })
    }
}
