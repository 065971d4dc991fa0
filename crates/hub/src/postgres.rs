//! PostgreSQL backend (sqlx, postgres + tokio only) for a province-wide hub. Several hub
//! processes may share one database: all state is in tables, blobs included, and every
//! operation is one transaction.
use bytes::Bytes;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::Row;

use crate::model::{
    BlockRequest, Business, Delivery, InboxItem, Kind, MessageInfo, NewMessage, NumberBlock,
    PutOutcome, StatusEntry,
};
use crate::sqlite::replay_or_conflict;
use crate::store::{
    AgencyRecord, DesktopRecord, HubStore, StoreError, StoreResult, VxpSystemRecord,
};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS agencies (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        salt TEXT NOT NULL,
        secret_hash TEXT NOT NULL)",
    // The relay attribute (docs/hub-api.md), off for agencies created before it existed.
    "ALTER TABLE agencies ADD COLUMN IF NOT EXISTS relay BOOLEAN NOT NULL DEFAULT FALSE",
    "CREATE TABLE IF NOT EXISTS desktops (
        unit TEXT NOT NULL REFERENCES agencies(code),
        desktop TEXT NOT NULL,
        salt TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        receiving BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (unit, desktop))",
    "CREATE TABLE IF NOT EXISTS blobs (
        sha256 TEXT PRIMARY KEY,
        data BYTEA NOT NULL)",
    "CREATE TABLE IF NOT EXISTS messages (
        ord BIGSERIAL PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        sender TEXT NOT NULL,
        kind TEXT NOT NULL,
        business BIGINT NOT NULL,
        related TEXT,
        status_code TEXT,
        document_id TEXT,
        sha256 TEXT NOT NULL REFERENCES blobs(sha256),
        size BIGINT NOT NULL,
        created_at_ms BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS messages_related ON messages(related)",
    "CREATE INDEX IF NOT EXISTS messages_sender ON messages(sender, kind, ord)",
    "CREATE INDEX IF NOT EXISTS messages_document ON messages(sender, document_id)",
    // VXP credentials (docs/national-axis.md): HMAC needs the secret itself.
    "CREATE TABLE IF NOT EXISTS vxp_systems (
        system_id TEXT PRIMARY KEY,
        agency TEXT NOT NULL REFERENCES agencies(code),
        secret TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS deliveries (
        seq BIGSERIAL PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(message_id),
        recipient TEXT NOT NULL,
        fetched_at_ms BIGINT,
        acked_at_ms BIGINT,
        UNIQUE (message_id, recipient))",
    "CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(recipient, acked_at_ms, seq)",
    "CREATE TABLE IF NOT EXISTS number_counters (
        agency TEXT NOT NULL,
        register TEXT NOT NULL,
        series TEXT NOT NULL,
        year INTEGER NOT NULL,
        next_number BIGINT NOT NULL,
        PRIMARY KEY (agency, register, series, year))",
    "CREATE TABLE IF NOT EXISTS number_blocks (
        id BIGSERIAL PRIMARY KEY,
        agency TEXT NOT NULL,
        request_id TEXT NOT NULL,
        desktop TEXT NOT NULL,
        register TEXT NOT NULL,
        series TEXT NOT NULL,
        year INTEGER NOT NULL,
        start BIGINT NOT NULL,
        size BIGINT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        UNIQUE (agency, request_id))",
];

/// Arbitrary key for the advisory lock that serialises schema creation between processes.
const SCHEMA_LOCK: i64 = 0x7661_6e74_6875;

/// The store in PostgreSQL: every method one transaction, so hub processes can share it.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects and creates the schema if needed (under an advisory lock, so concurrent starts
    /// agree).
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SCHEMA_LOCK)
            .execute(&mut *tx)
            .await?;
        for stmt in SCHEMA {
            sqlx::query(stmt).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(PgStore { pool })
    }
}

fn agency_row(r: &PgRow) -> AgencyRecord {
    AgencyRecord {
        code: r.get(0),
        name: r.get(1),
        salt: r.get(2),
        secret_hash: r.get(3),
        relay: r.get(4),
    }
}

fn desktop_row(r: &PgRow) -> DesktopRecord {
    DesktopRecord {
        unit: r.get(0),
        desktop: r.get(1),
        salt: r.get(2),
        secret_hash: r.get(3),
        receiving: r.get(4),
    }
}

fn inbox_row(r: &PgRow) -> InboxItem {
    InboxItem {
        seq: r.get(0),
        message_id: r.get(1),
        sender: r.get(2),
        relay: false,
        kind: Kind::parse(&r.get::<String, _>(3)).unwrap_or(Kind::Edoc),
        business: Business::from_code(r.get(4)).unwrap_or(Business::New),
        related: r.get(5),
        status_code: r.get(6),
        document_id: r.get(7),
        sha256: r.get(8),
        size: r.get::<i64, _>(9) as u64,
        created_at_ms: r.get(10),
    }
}

async fn load_message(conn: &mut PgConnection, id: &str) -> StoreResult<Option<MessageInfo>> {
    let row = sqlx::query(
        "SELECT message_id, sender, kind, business, related, status_code, document_id, sha256, size, created_at_ms
         FROM messages WHERE message_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let recipients = sqlx::query(
        "SELECT recipient, seq, fetched_at_ms, acked_at_ms FROM deliveries WHERE message_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|d| Delivery {
        agency: d.get(0),
        seq: d.get(1),
        fetched_at_ms: d.get(2),
        acked_at_ms: d.get(3),
    })
    .collect();
    let kind: String = r.get(2);
    let business: i64 = r.get(3);
    Ok(Some(MessageInfo {
        message_id: r.get(0),
        sender: r.get(1),
        kind: Kind::parse(&kind).ok_or_else(|| StoreError::Backend(format!("bad kind {kind}")))?,
        business: Business::from_code(business)
            .ok_or_else(|| StoreError::Backend(format!("bad business {business}")))?,
        related: r.get(4),
        status_code: r.get(5),
        document_id: r.get(6),
        sha256: r.get(7),
        size: r.get::<i64, _>(8) as u64,
        created_at_ms: r.get(9),
        recipients,
    }))
}

impl HubStore for PgStore {
    async fn add_vxp_system(&self, rec: VxpSystemRecord) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let known = sqlx::query("SELECT 1 FROM agencies WHERE code = $1")
            .bind(&rec.agency)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !known {
            return Err(StoreError::UnknownAgency(rec.agency));
        }
        let n = sqlx::query(
            "INSERT INTO vxp_systems (system_id, agency, secret) VALUES ($1, $2, $3) ON CONFLICT (system_id) DO NOTHING",
        )
        .bind(&rec.system_id)
        .bind(&rec.agency)
        .bind(&rec.secret)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::AgencyExists(rec.system_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn vxp_system(&self, system_id: &str) -> StoreResult<Option<VxpSystemRecord>> {
        Ok(
            sqlx::query("SELECT system_id, agency, secret FROM vxp_systems WHERE system_id = $1")
                .bind(system_id)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| VxpSystemRecord {
                    system_id: r.get(0),
                    agency: r.get(1),
                    secret: r.get(2),
                }),
        )
    }

    async fn find_document(&self, sender: &str, document_id: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query(
            "SELECT message_id FROM messages WHERE sender = $1 AND document_id = $2 AND kind = 'edoc' ORDER BY ord DESC LIMIT 1",
        )
        .bind(sender)
        .bind(document_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| r.get(0)))
    }

    async fn add_agency(&self, rec: AgencyRecord) -> StoreResult<()> {
        let n = sqlx::query(
            "INSERT INTO agencies (code, name, salt, secret_hash, relay) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING",
        )
        .bind(&rec.code)
        .bind(&rec.name)
        .bind(&rec.salt)
        .bind(&rec.secret_hash)
        .bind(rec.relay)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::AgencyExists(rec.code));
        }
        Ok(())
    }

    async fn agency(&self, code: &str) -> StoreResult<Option<AgencyRecord>> {
        Ok(
            sqlx::query(
                "SELECT code, name, salt, secret_hash, relay FROM agencies WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(agency_row),
        )
    }

    async fn list_agencies(&self) -> StoreResult<Vec<AgencyRecord>> {
        Ok(
            sqlx::query("SELECT code, name, salt, secret_hash, relay FROM agencies ORDER BY code")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(agency_row)
                .collect(),
        )
    }

    async fn set_relay(&self, code: &str, relay: bool) -> StoreResult<()> {
        let n = sqlx::query("UPDATE agencies SET relay = $2 WHERE code = $1")
            .bind(code)
            .bind(relay)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::UnknownAgency(code.to_owned()));
        }
        Ok(())
    }

    async fn add_desktop(&self, rec: DesktopRecord) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        // Locks the unit's row: two processes adding receiving desktops of one unit at once
        // serialise, so at most one stays receiving.
        let unit = sqlx::query("SELECT 1 FROM agencies WHERE code = $1 FOR UPDATE")
            .bind(&rec.unit)
            .fetch_optional(&mut *tx)
            .await?;
        if unit.is_none() {
            return Err(StoreError::UnknownAgency(rec.unit));
        }
        if rec.receiving {
            sqlx::query("UPDATE desktops SET receiving = FALSE WHERE unit = $1")
                .bind(&rec.unit)
                .execute(&mut *tx)
                .await?;
        }
        let n = sqlx::query(
            "INSERT INTO desktops (unit, desktop, salt, secret_hash, receiving) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (unit, desktop) DO NOTHING",
        )
        .bind(&rec.unit)
        .bind(&rec.desktop)
        .bind(&rec.salt)
        .bind(&rec.secret_hash)
        .bind(rec.receiving)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::DesktopExists(rec.login()));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn desktop(&self, unit: &str, desktop: &str) -> StoreResult<Option<DesktopRecord>> {
        Ok(sqlx::query(
            "SELECT unit, desktop, salt, secret_hash, receiving FROM desktops WHERE unit = $1 AND desktop = $2",
        )
        .bind(unit)
        .bind(desktop)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(desktop_row))
    }

    async fn list_desktops(&self, unit: &str) -> StoreResult<Vec<DesktopRecord>> {
        Ok(sqlx::query(
            "SELECT unit, desktop, salt, secret_hash, receiving FROM desktops WHERE unit = $1 ORDER BY desktop",
        )
        .bind(unit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(desktop_row)
        .collect())
    }

    async fn put_message(&self, msg: NewMessage, body: Bytes) -> StoreResult<PutOutcome> {
        if let Some(existing) =
            load_message(&mut *self.pool.acquire().await?, &msg.message_id).await?
        {
            return replay_or_conflict(existing, &msg);
        }
        let mut tx = self.pool.begin().await?;
        for r in &msg.recipients {
            // `UNIT/DESKTOP` is a desktop of a unit (internal message), anything else an agency.
            let known = match r.split_once('/') {
                Some((unit, desktop)) => {
                    sqlx::query("SELECT 1 FROM desktops WHERE unit = $1 AND desktop = $2")
                        .bind(unit)
                        .bind(desktop)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => {
                    sqlx::query("SELECT 1 FROM agencies WHERE code = $1")
                        .bind(r)
                        .fetch_optional(&mut *tx)
                        .await?
                }
            };
            if known.is_none() {
                return Err(StoreError::UnknownRecipient(r.clone()));
            }
        }
        sqlx::query(
            "INSERT INTO blobs (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&msg.sha256)
        .bind(body.as_ref())
        .execute(&mut *tx)
        .await?;
        // A concurrent upload of the same id by another hub process: ON CONFLICT waits for
        // the other transaction, then we compare with what it stored.
        let inserted = sqlx::query(
            "INSERT INTO messages (message_id, sender, kind, business, related, status_code, document_id, sha256, size, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(&msg.message_id)
        .bind(&msg.sender)
        .bind(msg.kind.as_str())
        .bind(msg.business.code())
        .bind(&msg.related)
        .bind(&msg.status_code)
        .bind(&msg.document_id)
        .bind(&msg.sha256)
        .bind(msg.size as i64)
        .bind(msg.created_at_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            tx.rollback().await?;
            let existing = load_message(&mut *self.pool.acquire().await?, &msg.message_id)
                .await?
                .ok_or(StoreError::NotFound)?;
            return replay_or_conflict(existing, &msg);
        }
        for r in &msg.recipients {
            sqlx::query(
                "INSERT INTO deliveries (message_id, recipient) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(&msg.message_id)
            .bind(r)
            .execute(&mut *tx)
            .await?;
        }
        let info = load_message(&mut tx, &msg.message_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(PutOutcome::Created(info))
    }

    async fn message(&self, id: &str) -> StoreResult<Option<MessageInfo>> {
        load_message(&mut *self.pool.acquire().await?, id).await
    }

    async fn inbox(&self, agency: &str, after: i64, limit: u32) -> StoreResult<Vec<InboxItem>> {
        let rows = sqlx::query(
            "SELECT d.seq, m.message_id, m.sender, m.kind, m.business, m.related, m.status_code, m.document_id, m.sha256, m.size, m.created_at_ms
             FROM deliveries d JOIN messages m ON m.message_id = d.message_id
             WHERE d.recipient = $1 AND d.acked_at_ms IS NULL AND d.seq > $2
             ORDER BY d.seq LIMIT $3",
        )
        .bind(agency)
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(inbox_row).collect())
    }

    async fn inbox_for(
        &self,
        recipients: Vec<String>,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<InboxItem>> {
        let rows = sqlx::query(
            "SELECT d.seq, m.message_id, m.sender, m.kind, m.business, m.related, m.status_code, m.document_id, m.sha256, m.size, m.created_at_ms
             FROM deliveries d JOIN messages m ON m.message_id = d.message_id
             WHERE d.recipient = ANY($1) AND d.acked_at_ms IS NULL AND d.seq > $2
             ORDER BY d.seq LIMIT $3",
        )
        .bind(&recipients)
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(inbox_row).collect())
    }

    async fn read_blob(&self, sha256: &str, offset: u64, len: u64) -> StoreResult<Bytes> {
        // substring() on bytea is 1-based; reading only the range keeps Range requests cheap.
        let start = i32::try_from(offset + 1).map_err(|_| StoreError::NotFound)?;
        let len = i32::try_from(len).unwrap_or(i32::MAX);
        let row = sqlx::query("SELECT substring(data FROM $2 FOR $3) FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .bind(start)
            .bind(len)
            .fetch_optional(&self.pool)
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        Ok(Bytes::from(row.get::<Vec<u8>, _>(0)))
    }

    async fn mark_fetched(&self, id: &str, agency: &str, at_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET fetched_at_ms = $3 WHERE message_id = $1 AND recipient = $2 AND fetched_at_ms IS NULL",
        )
        .bind(id)
        .bind(agency)
        .bind(at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn ack(&self, id: &str, agency: &str, at_ms: i64) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE deliveries SET acked_at_ms = COALESCE(acked_at_ms, $3), fetched_at_ms = COALESCE(fetched_at_ms, $3)
             WHERE message_id = $1 AND recipient = $2",
        )
        .bind(id)
        .bind(agency)
        .bind(at_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn ack_many(&self, ids: Vec<String>, agency: &str, at_ms: i64) -> StoreResult<Vec<bool>> {
        let hit: Vec<String> = sqlx::query_scalar(
            "UPDATE deliveries SET acked_at_ms = COALESCE(acked_at_ms, $3), fetched_at_ms = COALESCE(fetched_at_ms, $3)
             WHERE message_id = ANY($1) AND recipient = $2 RETURNING message_id",
        )
        .bind(&ids)
        .bind(agency)
        .bind(at_ms)
        .fetch_all(&self.pool)
        .await?;
        let hit: std::collections::HashSet<String> = hit.into_iter().collect();
        Ok(ids.iter().map(|id| hit.contains(id)).collect())
    }

    async fn statuses(&self, id: &str) -> StoreResult<Vec<StatusEntry>> {
        let rows = sqlx::query(
            "SELECT d.seq, m.message_id, m.sender, m.status_code, m.created_at_ms
             FROM messages m JOIN deliveries d ON d.message_id = m.message_id
             WHERE m.kind = 'status' AND m.related = $1 ORDER BY d.seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| StatusEntry {
                seq: r.get(0),
                status_message_id: r.get(1),
                from: r.get(2),
                status_code: r.get::<Option<String>, _>(3).unwrap_or_default(),
                created_at_ms: r.get(4),
            })
            .collect())
    }

    async fn sent(
        &self,
        sender: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, MessageInfo)>> {
        let ids = sqlx::query(
            "SELECT ord, message_id FROM messages WHERE sender = $1 AND kind = 'edoc' AND ord > $2 ORDER BY ord LIMIT $3",
        )
        .bind(sender)
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for r in ids {
            let id: String = r.get(1);
            if let Some(m) = load_message(&mut *self.pool.acquire().await?, &id).await? {
                out.push((r.get(0), m));
            }
        }
        Ok(out)
    }

    async fn reserve_block(
        &self,
        agency: &str,
        req: BlockRequest,
        at_ms: i64,
    ) -> StoreResult<(NumberBlock, bool)> {
        if let Some(b) = pg_block(&self.pool, agency, &req.request_id).await? {
            return replayed_block(b, &req);
        }
        let mut tx = self.pool.begin().await?;
        // The upsert locks the counter row until commit, so concurrent reservations of one
        // key (from any hub process) are serialised and get disjoint ranges.
        let size = i64::from(req.size);
        let start: i64 = sqlx::query_scalar(
            "INSERT INTO number_counters (agency, register, series, year, next_number)
             VALUES ($1, $2, $3, $4, 1 + $5)
             ON CONFLICT (agency, register, series, year)
             DO UPDATE SET next_number = number_counters.next_number + $5
             RETURNING next_number - $5",
        )
        .bind(agency)
        .bind(&req.register)
        .bind(&req.series)
        .bind(req.year)
        .bind(size)
        .fetch_one(&mut *tx)
        .await?;
        // A concurrent retry of the same request id from another process: ON CONFLICT waits
        // for it; then our transaction (and its counter bump) is rolled back and theirs wins.
        let inserted = sqlx::query(
            "INSERT INTO number_blocks (agency, request_id, desktop, register, series, year, start, size, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (agency, request_id) DO NOTHING",
        )
        .bind(agency)
        .bind(&req.request_id)
        .bind(&req.desktop)
        .bind(&req.register)
        .bind(&req.series)
        .bind(req.year)
        .bind(start)
        .bind(size)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            tx.rollback().await?;
            let b = pg_block(&self.pool, agency, &req.request_id)
                .await?
                .ok_or(StoreError::NotFound)?;
            return replayed_block(b, &req);
        }
        tx.commit().await?;
        Ok((
            NumberBlock {
                agency: agency.to_owned(),
                request_id: req.request_id,
                desktop: req.desktop,
                register: req.register,
                series: req.series,
                year: req.year,
                start,
                size: req.size,
                created_at_ms: at_ms,
            },
            false,
        ))
    }

    async fn blocks(&self, agency: &str) -> StoreResult<Vec<NumberBlock>> {
        Ok(sqlx::query(&format!(
            "SELECT {PG_BLOCK_COLUMNS} FROM number_blocks WHERE agency = $1 ORDER BY id"
        ))
        .bind(agency)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(pg_block_row)
        .collect())
    }
}

const PG_BLOCK_COLUMNS: &str =
    "agency, request_id, desktop, register, series, year, start, size, created_at_ms";

fn pg_block_row(r: &PgRow) -> NumberBlock {
    NumberBlock {
        agency: r.get(0),
        request_id: r.get(1),
        desktop: r.get(2),
        register: r.get(3),
        series: r.get(4),
        year: r.get(5),
        start: r.get(6),
        size: r.get::<i64, _>(7) as u32,
        created_at_ms: r.get(8),
    }
}

async fn pg_block(
    pool: &PgPool,
    agency: &str,
    request_id: &str,
) -> StoreResult<Option<NumberBlock>> {
    Ok(sqlx::query(&format!(
        "SELECT {PG_BLOCK_COLUMNS} FROM number_blocks WHERE agency = $1 AND request_id = $2"
    ))
    .bind(agency)
    .bind(request_id)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(pg_block_row))
}

fn replayed_block(b: NumberBlock, req: &BlockRequest) -> StoreResult<(NumberBlock, bool)> {
    if b.answers(req) {
        Ok((b, true))
    } else {
        Err(StoreError::Conflict(req.request_id.clone()))
    }
}
