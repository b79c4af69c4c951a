//! The in-memory store (tests, `--store memory`).

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use super::{Store, StoreError, StoredResponse};

/// A stored response with its events, if kept.
type Entry = (StoredResponse, Option<Vec<String>>);

/// Responses kept in a map, lost on exit.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<HashMap<String, Entry>>,
    /// [`Store::secret`], made on first use.
    secret: std::sync::OnceLock<String>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
        // A panic elsewhere while holding the lock leaves the map as it was: keep using it.
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

impl Store for MemoryStore {
    fn put(
        &self,
        record: StoredResponse,
        events: Option<Vec<String>>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.with(|map| map.insert(record.id.clone(), (record, events)));
        Box::pin(async { Ok(()) })
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredResponse>, StoreError>> {
        let found = self.with(|map| map.get(id).map(|(record, _)| record.clone()));
        Box::pin(async move { Ok(found) })
    }

    fn events<'a>(
        &'a self,
        id: &'a str,
        starting_after: Option<i64>,
    ) -> BoxFuture<'a, Result<Option<Vec<String>>, StoreError>> {
        let found = self.with(|map| {
            map.get(id)
                .and_then(|(_, events)| events.as_ref())
                .map(|events| {
                    let skip = starting_after
                        .map_or(0, |n| usize::try_from(n.saturating_add(1)).unwrap_or(0));
                    events.iter().skip(skip).cloned().collect()
                })
        });
        Box::pin(async move { Ok(found) })
    }

    fn delete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        let existed = self.with(|map| map.remove(id).is_some());
        Box::pin(async move { Ok(existed) })
    }

    fn purge_created_before(&self, before: i64) -> BoxFuture<'_, Result<u64, StoreError>> {
        let purged = self.with(|map| {
            let count = map.len();
            map.retain(|_, (record, _)| record.created_at >= before);
            (count - map.len()) as u64
        });
        Box::pin(async move { Ok(purged) })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }

    /// Random, made on first use and kept as long as the store: gateways sharing this store
    /// agree; a restart (a new store) makes a new one.
    fn secret(&self) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        let secret = self.secret.get_or_init(super::random_secret).clone();
        Box::pin(async move { Ok(Some(secret)) })
    }

    /// None: every response in a memory store was written by this live process (a crash
    /// loses the store with its writer).
    fn recover_interrupted(
        &self,
        _now: i64,
        _lease: i64,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(async { Ok(0) })
    }
}
