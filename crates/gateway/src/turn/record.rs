//! Keeping a `store: true` response in the store for its whole life: [`Recorder`].

use std::sync::Arc;

use openai_wire_events::{
    Response as ResponseObject, ResponseStatus, ResponseStreamEvent, StreamEvent,
};
use openai_wire_fold::ResponseFold;
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::store::{Store, StoredResponse};
use crate::telemetry;

/// What a response needs to be stored.
struct Pending {
    store: Arc<dyn Store>,
    previous: Option<String>,
    input_items: Vec<Value>,
    /// The hash of the client key that made it ([`crate::state::Owner`]).
    owner: Option<String>,
}

impl Pending {
    /// The stored form of `response`, or `None` (logged) when it cannot be encoded.
    fn record(&self, response: &ResponseObject) -> Option<StoredResponse> {
        let response = match serde_json::to_value(response) {
            Ok(value) => value,
            Err(error) => {
                tracing::error!(%error, "cannot encode the response for the store");
                return None;
            }
        };
        Some(StoredResponse {
            id: response["id"].as_str().unwrap_or_default().to_owned(),
            created_at: response["created_at"].as_f64().unwrap_or_default() as i64,
            previous_response_id: self.previous.clone(),
            response,
            input_items: self.input_items.clone(),
            owner: self.owner.clone(),
        })
    }

    /// Writes `record` in its own task (a client that goes away does not cut the write in
    /// half). Failures are logged and counted, never returned: the client's answer does not
    /// depend on the store. A final record that cannot be written (too big for the store, a
    /// store error) is written again as `failed`, without its output and events, saying why:
    /// it never stays `in_progress`.
    fn spawn_write(
        &self,
        record: StoredResponse,
        events: Option<Vec<String>>,
        after: Option<JoinHandle<()>>,
    ) -> JoinHandle<()> {
        let store = self.store.clone();
        tokio::spawn(async move {
            // Writes of one response land in order: the final record replaces the first.
            if let Some(earlier) = after {
                let _ = earlier.await;
            }
            let id = record.id.clone();
            let fallback = (!record.is_in_progress()).then(|| unstored(&record));
            match store.put(record, events).await {
                Ok(()) => tracing::debug!(response_id = %id, "stored"),
                Err(error) => {
                    telemetry::store_error("put");
                    tracing::error!(response_id = %id, %error, "the response could not be stored");
                    if let Some(mut fallback) = fallback {
                        fallback.response["error"]["message"] =
                            Value::from(format!("The response could not be stored: {error}"));
                        if let Err(error) = store.put(fallback, None).await {
                            telemetry::store_error("put");
                            tracing::error!(response_id = %id, %error, "not even as failed");
                        }
                    }
                }
            }
        })
    }
}

/// `record` as `failed`, without its output (what is stored when `record` itself cannot be);
/// `error.message` is filled in with the store's error.
fn unstored(record: &StoredResponse) -> StoredResponse {
    let mut response = serde_json::json!({});
    for field in [
        "id",
        "object",
        "created_at",
        "model",
        "previous_response_id",
    ] {
        if let Some(value) = record.response.get(field) {
            response[field] = value.clone();
        }
    }
    response["status"] = Value::from("failed");
    response["output"] = Value::Array(Vec::new());
    response["error"] = serde_json::json!({"code": "server_error", "message": ""});
    StoredResponse {
        response,
        input_items: Vec::new(),
        ..record.clone()
    }
}

/// How long [`Recorder::first_written`] waits for the `in_progress` write.
const FIRST_WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Keeps a `store: true` response in the store for its whole life:
/// - `in_progress` as soon as `response.created` is ready, written before it goes out (waiting
///   at most [`FIRST_WRITE_WAIT`]), so `GET /v1/responses/{id}` finds it while it streams and
///   after a crash;
/// - the final response (with its events, for replay) when the stream ends;
/// - `cancelled`, with the output produced so far, when the client goes away first (dropping
///   the recorder; the upstream request is cancelled with the stream).
///
/// The response as it stands is folded from the events that went out, so the recorder works
/// the same for every source of events. Memory: the fold holds the output once (terminal
/// events are not folded: the final record is the response they carry), the replay events at
/// most `max_replay` bytes, and a write briefly one JSON copy of the record; the pump bounds
/// the output (`max_response_bytes`), so a record costs at most a few times that bound.
pub(crate) struct Recorder {
    /// `None` once the final record is written.
    pending: Option<Pending>,
    fold: ResponseFold,
    /// The `in_progress` write, which the final one waits for (`None` once it has landed).
    first_write: Option<JoinHandle<()>>,
    /// Whether the `in_progress` write was started.
    first_started: bool,
    /// Whether [`first_written`](Self::first_written) has waited for it.
    first_waited: bool,
    /// The stream's events as JSON, for replay (`None`: not kept, or too long to keep).
    replay: Option<Vec<String>>,
    replay_bytes: usize,
    max_replay: usize,
}

impl Recorder {
    /// A recorder for one response of `store`; `keep_events` keeps its events for replay, up
    /// to `max_replay` bytes.
    pub(crate) fn new(
        store: Arc<dyn Store>,
        previous: Option<String>,
        input_items: Vec<Value>,
        keep_events: bool,
        max_replay: usize,
    ) -> Self {
        Recorder {
            pending: Some(Pending {
                store,
                previous,
                input_items,
                owner: None,
            }),
            fold: ResponseFold::new(),
            first_write: None,
            first_started: false,
            first_waited: false,
            replay: keep_events.then(Vec::new),
            replay_bytes: 0,
            max_replay,
        }
    }

    /// Records the response as `owner`'s ([`crate::state::Owner`]): only that client key can
    /// read or continue it.
    pub(crate) fn owned_by(mut self, owner: Option<String>) -> Self {
        if let Some(pending) = self.pending.as_mut() {
            pending.owner = owner;
        }
        self
    }

    /// Notes events that went to the client: the first ones store the response `in_progress`.
    pub(crate) fn sent(&mut self, events: &[ResponseStreamEvent]) {
        for event in events {
            // The final record is the terminal event's response ([`finish`](Self::finish)):
            // folding it too would keep the output twice.
            if !event.is_terminal() {
                self.fold.push(event);
            }
        }
        if !self.first_started
            && let Some(pending) = &self.pending
            && events
                .iter()
                .any(|e| matches!(e, ResponseStreamEvent::ResponseCreated(_)))
            && let Some(record) = pending.record(self.fold.response())
        {
            self.first_write = Some(pending.spawn_write(record, None, None));
            self.first_started = true;
        }
        self.keep_for_replay(events);
    }

    /// Waits (once, at most [`FIRST_WRITE_WAIT`]) for the `in_progress` write that
    /// [`sent`](Self::sent) started: the events are sent to the client after it, so that a
    /// client that saw `response.created` finds the response stored even if the gateway is
    /// killed the next moment. A store slower than that does not hold the stream up longer;
    /// the final write still waits for the first.
    pub(crate) async fn first_written(&mut self) {
        if self.first_waited {
            return;
        }
        let Some(write) = self.first_write.as_mut() else {
            return;
        };
        self.first_waited = true;
        if tokio::time::timeout(FIRST_WRITE_WAIT, write).await.is_ok() {
            self.first_write = None;
        }
    }

    fn keep_for_replay(&mut self, events: &[ResponseStreamEvent]) {
        let Some(kept) = self.replay.as_mut() else {
            return;
        };
        for event in events {
            match serde_json::to_string(event) {
                Ok(json) => {
                    self.replay_bytes += json.len();
                    kept.push(json);
                }
                Err(_) => self.replay_bytes = usize::MAX,
            }
        }
        if self.replay_bytes > self.max_replay {
            tracing::warn!("stream longer than max_replay_bytes: stored without its events");
            self.replay = None;
        }
    }

    /// Stores the final response and waits for the write.
    pub(crate) async fn finish(mut self, response: &ResponseObject) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        // The fold is not needed any more: free it before the record's JSON is made.
        self.fold = ResponseFold::new();
        let Some(record) = pending.record(response) else {
            return;
        };
        let write = pending.spawn_write(record, self.replay.take(), self.first_write.take());
        let _ = write.await;
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let fold = std::mem::take(&mut self.fold);
        let mut response = fold.response().clone();
        drop(fold);
        response.status = Some(ResponseStatus::Cancelled);
        tracing::info!(response_id = %response.id, "the client went away: stored as cancelled");
        if tokio::runtime::Handle::try_current().is_ok()
            && let Some(record) = pending.record(&response)
        {
            pending.spawn_write(record, None, self.first_write.take());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MemoryStore, StoreError};
    use futures_util::future::BoxFuture;

    /// A store that refuses records bigger than `max` bytes of response JSON, as SQLite
    /// refuses a value past its length limit.
    struct Small {
        inner: MemoryStore,
        max: usize,
    }

    impl Store for Small {
        fn put(
            &self,
            record: StoredResponse,
            events: Option<Vec<String>>,
        ) -> BoxFuture<'_, Result<(), StoreError>> {
            if record.response.to_string().len() > self.max {
                return Box::pin(async {
                    Err(StoreError::Database(sqlx::Error::Protocol(
                        "string or blob too big".into(),
                    )))
                });
            }
            self.inner.put(record, events)
        }
        fn get<'a>(
            &'a self,
            id: &'a str,
        ) -> BoxFuture<'a, Result<Option<StoredResponse>, StoreError>> {
            self.inner.get(id)
        }
        fn events<'a>(
            &'a self,
            id: &'a str,
            starting_after: Option<i64>,
        ) -> BoxFuture<'a, Result<Option<Vec<String>>, StoreError>> {
            self.inner.events(id, starting_after)
        }
        fn delete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
            self.inner.delete(id)
        }
        fn purge_created_before(&self, before: i64) -> BoxFuture<'_, Result<u64, StoreError>> {
            self.inner.purge_created_before(before)
        }
        fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
            self.inner.ping()
        }
    }

    #[tokio::test]
    async fn a_final_record_too_big_for_the_store_is_stored_failed_not_in_progress() {
        let store: Arc<dyn Store> = Arc::new(Small {
            inner: MemoryStore::new(),
            max: 4096,
        });
        let mut recorder = Recorder::new(store.clone(), None, Vec::new(), false, 1 << 20);
        let mut response = ResponseObject {
            id: "resp_big".into(),
            status: Some(ResponseStatus::InProgress),
            ..Default::default()
        };
        let created = openai_wire_events::ResponseCreatedEvent {
            response: response.clone(),
            ..Default::default()
        };
        recorder.sent(&[ResponseStreamEvent::ResponseCreated(Box::new(created))]);
        response.status = Some(ResponseStatus::Completed);
        let text = serde_json::json!({
            "type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": "x".repeat(10_000), "annotations": []}],
        });
        response.output = vec![serde_json::from_value(text).unwrap()];
        recorder.finish(&response).await;
        let stored = store.get("resp_big").await.unwrap().unwrap();
        assert_eq!(stored.response["status"], "failed");
        let message = stored.response["error"]["message"].as_str().unwrap();
        assert!(message.contains("could not be stored"), "{message}");
        assert!(message.contains("too big"), "{message}");
    }
}
