//! SQLite and PostgreSQL, through the same portable migrations (`crates/gateway/migrations`).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use futures_util::future::BoxFuture;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{QueryBuilder, Row};

use super::{Store, StoreError, StoredResponse};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Renews an instance's lease: `$1` its id, `$2` now.
const RENEW_LEASE: &str = "INSERT INTO gateway_instances (id, heartbeat_at) VALUES ($1, $2) \
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at";

/// Writes a response's row, replacing the one it may have.
const UPSERT_RESPONSE: &str = "INSERT INTO responses \
     (id, created_at, previous_response_id, response, input_items, has_events, owner, writer) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, \
     previous_response_id = excluded.previous_response_id, response = excluded.response, \
     input_items = excluded.input_items, has_events = excluded.has_events, \
     owner = excluded.owner, writer = excluded.writer";

/// A row of `responses` as read: created_at, previous_response_id, response, input_items, owner.
type Fetched = (i64, Option<String>, String, String, Option<String>);

/// Events are inserted this many rows per statement.
const EVENTS_PER_INSERT: usize = 200;

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever pool this is: the SQL is the same for both
/// (`$N` placeholders work in SQLite too).
macro_rules! with_pool {
    ($self:expr, $pool:ident, $db:ident => $body:expr) => {
        match &$self.pool {
            Pool::Sqlite($pool) => {
                #[allow(unused)]
                type $db = sqlx::Sqlite;
                $body
            }
            Pool::Postgres($pool) => {
                #[allow(unused)]
                type $db = sqlx::Postgres;
                $body
            }
        }
    };
}

/// A store in SQLite (embedded, WAL mode) or PostgreSQL (shared by several gateways).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: Pool,
    /// This instance's id (random per opening): the writer of its `in_progress` responses and
    /// the holder of its lease in `gateway_instances`.
    instance: String,
    /// When this instance last renewed its lease (Unix seconds; 0: not yet).
    lease_renewed_at: Arc<AtomicI64>,
}

impl SqlStore {
    /// Opens (creating it and its directory if needed) a SQLite database at `path`, in WAL mode,
    /// and runs the migrations.
    pub async fn sqlite(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        // An embedded database's connections do not go stale as a server's can, so the pool
        // does not ping one before handing it out (a round trip to its worker thread per use).
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqlStore {
            pool: Pool::Sqlite(pool),
            instance: uuid::Uuid::new_v4().to_string(),
            lease_renewed_at: Arc::default(),
        })
    }

    /// Connects to PostgreSQL at `url` and runs the migrations (safe to run from several
    /// gateways at once: sqlx takes an advisory lock).
    pub async fn postgres(url: &str) -> Result<Self, StoreError> {
        // Accept `postgres://…` and `postgresql://…` alike.
        let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqlStore {
            pool: Pool::Postgres(pool),
            instance: uuid::Uuid::new_v4().to_string(),
            lease_renewed_at: Arc::default(),
        })
    }

    /// Which database this is: `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// The journal mode SQLite reports (`"wal"`), for tests; `None` on PostgreSQL.
    pub async fn sqlite_journal_mode(&self) -> Result<Option<String>, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let row = sqlx::query("PRAGMA journal_mode").fetch_one(pool).await?;
                Ok(Some(row.try_get::<String, _>(0)?))
            }
            Pool::Postgres(_) => Ok(None),
        }
    }

    /// This instance's id: each opening of a store is one instance, with its own lease
    /// ([`Store::recover_interrupted`]).
    pub fn instance_id(&self) -> &str {
        &self.instance
    }

    /// Closes the pool.
    pub async fn close(&self) {
        with_pool!(self, pool, _Db => pool.close().await)
    }

    /// Whether an `in_progress` write should renew the lease first: when it was last renewed
    /// [`RENEW_LEASE_EVERY`](crate::RENEW_LEASE_EVERY) ago or more (so at least three quarters
    /// of [`LEASE`](crate::LEASE) is left when the write lands), or "later" than `now` (the
    /// clock went back, or a caller passed another time).
    fn lease_renewal_due(&self, now: i64) -> bool {
        let every = i64::try_from(crate::RENEW_LEASE_EVERY.as_secs()).unwrap_or(i64::MAX);
        let since = now.saturating_sub(self.lease_renewed_at.load(Ordering::Relaxed));
        !(0..every).contains(&since)
    }

    /// Writes `record` and, when given, its events (replacing those it had). A response's
    /// first write (`in_progress`, no events, the lease fresh) is a single statement; any
    /// other is one transaction.
    async fn put_impl(
        &self,
        record: StoredResponse,
        events: Option<Vec<String>>,
    ) -> Result<(), StoreError> {
        let response = record.response.to_string();
        let in_progress = record.is_in_progress();
        let input_items = serde_json::Value::Array(record.input_items).to_string();
        let has_events = i64::from(events.is_some());
        let writer = in_progress.then(|| self.instance.clone());
        let now = super::unix_now();
        let renew = in_progress && self.lease_renewal_due(now);
        with_pool!(self, pool, Db => {
            let upsert = sqlx::query(UPSERT_RESPONSE)
                .bind(&record.id)
                .bind(record.created_at)
                .bind(&record.previous_response_id)
                .bind(&response)
                .bind(&input_items)
                .bind(has_events)
                .bind(&record.owner)
                .bind(&writer);
            if in_progress && events.is_none() && !renew {
                upsert.execute(pool).await?;
                return Ok(());
            }
            let mut tx = pool.begin().await?;
            if renew {
                // The writer of a response in progress is alive now.
                sqlx::query(RENEW_LEASE)
                    .bind(&self.instance)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            upsert.execute(&mut *tx).await?;
            sqlx::query("DELETE FROM response_events WHERE response_id = $1")
                .bind(&record.id)
                .execute(&mut *tx)
                .await?;
            if let Some(events) = &events {
                for (chunk_index, chunk) in events.chunks(EVENTS_PER_INSERT).enumerate() {
                    let base = (chunk_index * EVENTS_PER_INSERT) as i64;
                    let mut builder: QueryBuilder<'_, Db> =
                        QueryBuilder::new("INSERT INTO response_events (response_id, seq, event) ");
                    builder.push_values(chunk.iter().enumerate(), |mut row, (i, event)| {
                        row.push_bind(&record.id)
                            .push_bind(base + i as i64)
                            .push_bind(event);
                    });
                    builder.build().execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        if renew {
            self.lease_renewed_at.store(now, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn get_impl(&self, id: &str) -> Result<Option<StoredResponse>, StoreError> {
        let row = with_pool!(self, pool, _Db => {
            sqlx::query(
                "SELECT created_at, previous_response_id, response, input_items, owner FROM responses WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<Fetched, sqlx::Error> {
                Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?))
            })
            .transpose()?
        });
        let Some((created_at, previous_response_id, response, input_items, owner)) = row else {
            return Ok(None);
        };
        let corrupt = |source| StoreError::Corrupt {
            id: id.to_owned(),
            source,
        };
        let response = serde_json::from_str(&response).map_err(corrupt)?;
        let input_items = serde_json::from_str(&input_items).map_err(corrupt)?;
        Ok(Some(StoredResponse {
            id: id.to_owned(),
            created_at,
            previous_response_id,
            response,
            input_items,
            owner,
        }))
    }

    async fn events_impl(
        &self,
        id: &str,
        starting_after: Option<i64>,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let after = starting_after.unwrap_or(-1);
        with_pool!(self, pool, _Db => {
            let has: Option<i64> = sqlx::query_scalar("SELECT has_events FROM responses WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
            if has != Some(1) {
                return Ok(None);
            }
            let events: Vec<String> = sqlx::query_scalar(
                "SELECT event FROM response_events WHERE response_id = $1 AND seq > $2 ORDER BY seq",
            )
            .bind(id)
            .bind(after)
            .fetch_all(pool)
            .await?;
            Ok(Some(events))
        })
    }

    async fn delete_impl(&self, id: &str) -> Result<bool, StoreError> {
        with_pool!(self, pool, _Db => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM response_events WHERE response_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query("DELETE FROM responses WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    async fn purge_impl(&self, before: i64) -> Result<u64, StoreError> {
        with_pool!(self, pool, _Db => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "DELETE FROM response_events WHERE response_id IN \
                 (SELECT id FROM responses WHERE created_at < $1)",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?;
            let done = sqlx::query("DELETE FROM responses WHERE created_at < $1")
                .bind(before)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected())
        })
    }

    async fn secret_impl(&self) -> Result<Option<String>, StoreError> {
        with_pool!(self, pool, _Db => {
            // The first instance to get here wins; everyone reads the winner's.
            sqlx::query(
                "INSERT INTO gateway_settings (name, value) VALUES ('secret', $1) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(super::random_secret())
            .execute(pool)
            .await?;
            let secret: String =
                sqlx::query_scalar("SELECT value FROM gateway_settings WHERE name = 'secret'")
                    .fetch_one(pool)
                    .await?;
            Ok(Some(secret))
        })
    }

    /// `every_other`: fail every other instance's responses in progress, whatever their
    /// leases (a gateway starting on a SQLite file, which one process owns).
    async fn recover_impl(
        &self,
        now: i64,
        lease: i64,
        every_other: bool,
    ) -> Result<u64, StoreError> {
        // No lease is renewed at or after `i64::MAX`.
        let cutoff = if every_other {
            i64::MAX
        } else {
            now.saturating_sub(lease)
        };
        let stale: Vec<(String, String, String)> = with_pool!(self, pool, _Db => {
            sqlx::query(
                "SELECT id, response, writer FROM responses \
                 WHERE writer IS NOT NULL AND writer <> $1 AND writer NOT IN \
                 (SELECT id FROM gateway_instances WHERE heartbeat_at >= $2)",
            )
            .bind(&self.instance)
            .bind(cutoff)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()?
        });
        let mut failed = 0;
        for (id, response, writer) in stale {
            let mut value: serde_json::Value =
                serde_json::from_str(&response).map_err(|source| StoreError::Corrupt {
                    id: id.clone(),
                    source,
                })?;
            let interrupted = super::mark_interrupted(&mut value);
            // Only if the writer has not finished it meanwhile (a final write clears `writer`).
            let done = with_pool!(self, pool, _Db => {
                sqlx::query(
                    "UPDATE responses SET response = $1, writer = NULL WHERE id = $2 AND writer = $3",
                )
                .bind(value.to_string())
                .bind(&id)
                .bind(&writer)
                .execute(pool)
                .await?
                .rows_affected()
            });
            if interrupted && done > 0 {
                tracing::warn!(response_id = %id, "a response left in progress by a stopped gateway is marked failed");
                failed += 1;
            }
        }
        with_pool!(self, pool, _Db => {
            sqlx::query(RENEW_LEASE)
                .bind(&self.instance)
                .bind(now)
                .execute(pool)
                .await?;
            self.lease_renewed_at.store(now, Ordering::Relaxed);
            // Forget instances gone for a day.
            sqlx::query("DELETE FROM gateway_instances WHERE heartbeat_at < $1")
                .bind(now.saturating_sub(86_400))
                .execute(pool)
                .await?;
        });
        Ok(failed)
    }

    async fn ping_impl(&self) -> Result<(), StoreError> {
        with_pool!(self, pool, _Db => {
            sqlx::query("SELECT 1").execute(pool).await?;
            Ok(())
        })
    }
}

impl Store for SqlStore {
    fn put(
        &self,
        record: StoredResponse,
        events: Option<Vec<String>>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(self.put_impl(record, events))
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredResponse>, StoreError>> {
        Box::pin(self.get_impl(id))
    }

    fn events<'a>(
        &'a self,
        id: &'a str,
        starting_after: Option<i64>,
    ) -> BoxFuture<'a, Result<Option<Vec<String>>, StoreError>> {
        Box::pin(self.events_impl(id, starting_after))
    }

    fn delete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(self.delete_impl(id))
    }

    fn purge_created_before(&self, before: i64) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(self.purge_impl(before))
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(self.ping_impl())
    }

    fn secret(&self) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        Box::pin(self.secret_impl())
    }

    fn recover_interrupted(&self, now: i64, lease: i64) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(self.recover_impl(now, lease, false))
    }

    /// On SQLite, every other instance's responses in progress (one process owns the file:
    /// the others have stopped); on PostgreSQL, those whose writer's lease has run out.
    fn recover_interrupted_at_start(
        &self,
        now: i64,
        lease: i64,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        let every_other = matches!(self.pool, Pool::Sqlite(_));
        Box::pin(self.recover_impl(now, lease, every_other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_in_progress_renews_the_lease_only_when_it_is_due() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::sqlite(&dir.path().join("lease.db"))
            .await
            .unwrap();
        let now = 1_765_000_000;
        assert!(store.lease_renewal_due(now), "never renewed");
        let mut record = StoredResponse {
            id: "resp_lease".into(),
            created_at: now,
            previous_response_id: None,
            response: serde_json::json!({"id": "resp_lease", "status": "in_progress"}),
            input_items: Vec::new(),
            owner: None,
        };
        assert!(record.is_in_progress());
        store.put_impl(record.clone(), None).await.unwrap();
        let renewed = store.lease_renewed_at.load(Ordering::Relaxed);
        assert!(renewed > 0, "the first write renewed it");
        assert!(!store.lease_renewal_due(renewed + 14));
        assert!(store.lease_renewal_due(renewed + 15));
        assert!(store.lease_renewal_due(renewed - 1), "the clock went back");
        // A write in progress with a fresh lease (renewed 5 s ago) does not renew it; the record
        // is replaced.
        let fresh = crate::store::unix_now() - 5;
        store.lease_renewed_at.store(fresh, Ordering::Relaxed);
        record.response["output"] = serde_json::json!([]);
        store.put_impl(record, None).await.unwrap();
        assert_eq!(store.lease_renewed_at.load(Ordering::Relaxed), fresh);
        let got = store.get_impl("resp_lease").await.unwrap().unwrap();
        assert_eq!(got.response["output"], serde_json::json!([]));
    }
}
