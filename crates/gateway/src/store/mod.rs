//! Where responses live: the [`Store`] trait and its backends ([`MemoryStore`], [`SqlStore`] on
//! SQLite or PostgreSQL through the same migrations).
//!
//! A stored response is the `Response` object (as JSON; `in_progress` while it streams, then
//! the final one), the input items of its turn, and, when the response was streamed, its
//! stream events in order (for `GET /v1/responses/{id}?stream=true`). The history a `previous_response_id` stands for is
//! rebuilt by walking the chain ([`history`]).
//!
//! **Owners.** Each response records the client key that made it, as a keyed hash
//! ([`StoredResponse::owner`]; never the key itself). Every read path (retrieve, replay, input
//! items, delete, [`history`]) treats a response of another owner as unknown. A gateway without
//! client keys stores and reads with no owner.
//!
//! **Interrupted responses.** A response is stored `in_progress` while it streams, with the
//! store instance writing it. Each instance keeps a lease (its last heartbeat, renewed by
//! [`Store::recover_interrupted`] and by every `in_progress` write); an `in_progress` response
//! whose writer's lease has expired was cut by a crash, and `recover_interrupted` marks it
//! `failed` ([`mark_interrupted`]). Several gateways sharing PostgreSQL never fail each other's
//! live streams. A SQLite file belongs to one process: a gateway starting on it fails every
//! response another instance left `in_progress` at once, leases or not
//! ([`Store::recover_interrupted_at_start`]).
//!
//! **The secret.** [`Store::secret`] is generated randomly on first use and kept (the
//! `gateway_settings` table), so that every instance on one store and every restart agree on
//! the envelope key and the owner hashes derived from it.

mod memory;
mod sql;

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::Value;

pub use memory::MemoryStore;
pub use sql::SqlStore;

use crate::config::StoreConfig;

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value is not the JSON it should be.
    #[error("corrupt stored value for {id}: {source}")]
    Corrupt {
        /// The response id.
        id: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The store's directory could not be created.
    #[error("cannot create {path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No default data directory is known on this system.
    #[error("no user data directory on this system: give --store a path")]
    NoDataDir,
    /// The response a `previous_response_id` names is still streaming: its output is not known
    /// yet.
    #[error("response {0} is still in progress")]
    InProgress(String),
    /// A `previous_response_id` chain is longer than [`MAX_CHAIN`] or loops.
    #[error("the previous_response_id chain from {0} is too long or loops")]
    ChainTooLong(String),
}

/// One stored response.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    /// `resp_…`.
    pub id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The response this one continued.
    pub previous_response_id: Option<String>,
    /// The final `Response` object, as JSON.
    pub response: Value,
    /// The input items of this turn (not those of earlier turns), each with an `id`.
    pub input_items: Vec<Value>,
    /// The client key that made it, as a keyed hash (hex HMAC-SHA256); `None` on a gateway
    /// without client keys.
    pub owner: Option<String>,
}

impl StoredResponse {
    /// The `output` array of the stored response.
    pub fn output(&self) -> Vec<Value> {
        self.response["output"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Whether a caller with `owner` may see this response: the owners are the same (both
    /// `None` on a gateway without client keys). Anyone else is answered as if it did not exist.
    pub fn is_visible_to(&self, owner: Option<&str>) -> bool {
        self.owner.as_deref() == owner
    }

    /// Whether the stored response is still streaming.
    pub fn is_in_progress(&self) -> bool {
        self.response["status"] == "in_progress"
    }
}

/// The error an interrupted response is failed with (`error.message`; `code` is
/// `server_error`).
pub const INTERRUPTED_MESSAGE: &str = "The gateway stopped while this response was streaming \
     (a crash or a kill); the response was never finished.";

/// Marks an `in_progress` response (JSON) `failed` with [`INTERRUPTED_MESSAGE`]; `false` (and
/// unchanged) when it is not in progress.
pub fn mark_interrupted(response: &mut Value) -> bool {
    if response["status"] != "in_progress" {
        return false;
    }
    response["status"] = Value::from("failed");
    response["error"] = serde_json::json!({
        "code": "server_error",
        "message": INTERRUPTED_MESSAGE,
    });
    true
}

/// A new random secret: 32 bytes from the operating system's generator (through UUID v4, 244
/// random bits), hex.
pub(crate) fn random_secret() -> String {
    let mut hex = String::with_capacity(64);
    for _ in 0..2 {
        for byte in uuid::Uuid::new_v4().into_bytes() {
            hex.push_str(&format!("{byte:02x}"));
        }
    }
    hex
}

/// Unix seconds now.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A place to keep responses. Implementations must be safe to share between requests.
pub trait Store: Send + Sync + 'static {
    /// Saves a response, replacing one with the same id; `events` are its stream events as
    /// JSON text, in order (`None` when not streamed or too large to keep).
    fn put(
        &self,
        record: StoredResponse,
        events: Option<Vec<String>>,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// A response by id.
    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredResponse>, StoreError>>;

    /// The stream events of a response after position `starting_after` (all when `None`);
    /// `None` when the response is unknown or was stored without events.
    fn events<'a>(
        &'a self,
        id: &'a str,
        starting_after: Option<i64>,
    ) -> BoxFuture<'a, Result<Option<Vec<String>>, StoreError>>;

    /// Deletes a response and its events; whether it existed.
    fn delete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Deletes every response created before `before` (Unix seconds), with its events; how
    /// many went. A chain that loses its older links starts after them ([`history`]).
    fn purge_created_before(&self, before: i64) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// Whether the backend answers (for `/health`).
    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The store's secret (text, at least 32 random bytes' worth): generated on first call and
    /// kept, so that every gateway on this store, and every restart, gets the same one. The
    /// gateway derives its envelope key and its owner hashes from it.
    ///
    /// `None` (the default) when the store keeps none: the gateway then uses a random secret
    /// of its own for its lifetime.
    fn secret(&self) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        Box::pin(async { Ok(None) })
    }

    /// Renews this store instance's lease at `now` (Unix seconds), then marks `failed`
    /// ([`mark_interrupted`]) every `in_progress` response written by another instance whose
    /// lease was last renewed before `now - lease` (or is unknown); how many.
    ///
    /// The default does nothing: a store only this process writes has no other instance.
    fn recover_interrupted(&self, now: i64, lease: i64) -> BoxFuture<'_, Result<u64, StoreError>> {
        let _ = (now, lease);
        Box::pin(async { Ok(0) })
    }

    /// [`recover_interrupted`](Store::recover_interrupted) for a gateway starting on this
    /// store, before it accepts requests. A store that one process owns (SQLite) fails every
    /// other instance's `in_progress` responses at once, whatever their leases: a restart
    /// within [`LEASE`](crate::LEASE) of a crash must not leave them `in_progress` until the
    /// lease runs out. A shared store (PostgreSQL) respects the leases, as
    /// `recover_interrupted` does; that is the default.
    fn recover_interrupted_at_start(
        &self,
        now: i64,
        lease: i64,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.recover_interrupted(now, lease)
    }
}

/// The longest `previous_response_id` chain [`history`] follows.
pub const MAX_CHAIN: usize = 10_000;

/// The conversation a `previous_response_id` stands for: for each response of the chain, oldest
/// first, its input items then its output items. `Ok(None)` when `id` is unknown or belongs to
/// another owner than `owner` ([`StoredResponse::is_visible_to`]); [`StoreError::InProgress`]
/// when `id` is a response that is still streaming. An older link of another owner ends the
/// chain as a deleted one does.
pub async fn history(
    store: &dyn Store,
    id: &str,
    owner: Option<&str>,
) -> Result<Option<Vec<Value>>, StoreError> {
    let mut chain = Vec::new();
    let mut next = Some(id.to_owned());
    while let Some(current) = next {
        if chain.len() >= MAX_CHAIN {
            return Err(StoreError::ChainTooLong(id.to_owned()));
        }
        let record = store
            .get(&current)
            .await?
            .filter(|record| record.is_visible_to(owner));
        let Some(record) = record else {
            if chain.is_empty() {
                return Ok(None);
            }
            // An older link was deleted: the history starts after it.
            break;
        };
        if chain.is_empty() && record.response["status"] == "in_progress" {
            return Err(StoreError::InProgress(current));
        }
        next = record.previous_response_id.clone();
        chain.push(record);
    }
    let mut items = Vec::new();
    for record in chain.iter().rev() {
        items.extend(record.input_items.iter().cloned());
        items.extend(record.output());
    }
    Ok(Some(items))
}

/// Opens the store a configuration names (creating the SQLite file and running migrations).
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match config {
        StoreConfig::Memory => Arc::new(MemoryStore::new()),
        StoreConfig::SqliteDefault => {
            let path = StoreConfig::default_sqlite_path().ok_or(StoreError::NoDataDir)?;
            Arc::new(SqlStore::sqlite(&path).await?)
        }
        StoreConfig::Sqlite(path) => Arc::new(SqlStore::sqlite(path).await?),
        StoreConfig::Postgres(url) => Arc::new(SqlStore::postgres(url).await?),
    })
}
