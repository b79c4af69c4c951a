//! `POST /v1/responses` and the stored-response endpoints (`GET`, `DELETE`, `input_items`,
//! replay).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use openai_wire_convert::request::responses_to_chat;
use openai_wire_convert::stream::chat_to_responses::{
    ChatToResponses, ReasoningMode, ReasoningOutput, StreamEnd, StreamOptions,
};
use openai_wire_convert::upstream_error::{OpenAiErrorCode, UpstreamError};
use openai_wire_decode::{DecodeStream, Decoder, Format, OwnedItem, StreamError};
use openai_wire_emit::{RandomIds, write_response_sse};
use openai_wire_events::{
    ChatCompletionStreamEvent, Response as ResponseObject, ResponseStatus, ResponseStreamEvent,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::error::ApiError;
use crate::server::{AppState, ForcedProvider};
use crate::store::{self, StoredResponse};
use crate::telemetry::{self, StreamGuard};
use crate::upstream::{self, SendError};

/// The largest single upstream event accepted (memory per stream stays bounded).
const MAX_UPSTREAM_EVENT: usize = 4 << 20;

/// Fields of the request the response object echoes.
const ECHOED: &[&str] = &[
    "instructions",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "temperature",
    "top_p",
    "metadata",
    "previous_response_id",
    "max_output_tokens",
    "reasoning",
    "text",
    "truncation",
    "user",
    "store",
    "prompt_cache_key",
    "safety_identifier",
    "service_tier",
];

/// One step of a converted stream.
enum Step {
    /// Events with sequence numbers (heartbeats included), to send and to keep for replay.
    Events(Vec<ResponseStreamEvent>),
    /// The stream has ended; the final response.
    Done(Box<ResponseObject>),
}

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    forced: Option<axum::Extension<ForcedProvider>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let answer = match create_inner(state, forced.map(|f| f.0), headers, body, started).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    if answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        != Some("text/event-stream")
    {
        telemetry::request_done("responses", answer.status().as_u16(), started);
    } else {
        metrics::counter!(telemetry::REQUESTS, "endpoint" => "responses", "status" => "200")
            .increment(1);
    }
    answer
}

async fn create_inner(
    state: Arc<AppState>,
    forced: Option<ForcedProvider>,
    headers: HeaderMap,
    body: Bytes,
    started: Instant,
) -> Result<Response, ApiError> {
    let mut request: Value = serde_json::from_slice(&body).map_err(|error| {
        ApiError::invalid_request(None, format!("The request body is not valid JSON: {error}"))
    })?;
    if !request.is_object() {
        return Err(ApiError::invalid_request(
            None,
            "The request body must be a JSON object.",
        ));
    }
    let model = match request.get("model") {
        Some(Value::String(model)) if !model.is_empty() => model.clone(),
        _ => {
            return Err(ApiError::invalid_request(
                Some("model"),
                "Missing required parameter: 'model'.",
            ));
        }
    };
    let streaming = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let store = request
        .get("store")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let previous = request
        .get("previous_response_id")
        .and_then(Value::as_str)
        .map(str::to_owned);

    let (provider_name, provider) = state.route(forced.as_ref(), &headers, &model)?;
    let provider_name = provider_name.to_owned();
    let provider = provider.clone();
    if provider.api == crate::config::UpstreamApi::Responses {
        return forward_responses(&state, &provider_name, &provider, request).await;
    }

    // This turn's input, as items with ids (what `input_items` lists).
    let input_items = normalize_input(request.get("input"));
    // Earlier turns, from the store.
    let mut conversation = Vec::new();
    if let Some(id) = &previous {
        match store::history(state.store.as_ref(), id).await {
            Ok(Some(items)) => conversation = items,
            Ok(None) => {
                let mut error = ApiError::invalid_request(
                    Some("previous_response_id"),
                    format!("Previous response with id '{id}' not found."),
                );
                error.status = StatusCode::NOT_FOUND;
                return Err(error);
            }
            Err(store::StoreError::InProgress(id)) => {
                return Err(ApiError::invalid_request(
                    Some("previous_response_id"),
                    format!(
                        "Previous response with id '{id}' is still in progress; wait for it to finish."
                    ),
                ));
            }
            Err(error) => {
                telemetry::store_error("history");
                tracing::error!(%error, "cannot read the previous response");
                return Err(ApiError::internal("The response store failed."));
            }
        }
    }
    conversation.extend(input_items.iter().cloned());
    request["input"] = Value::Array(conversation);

    let options = upstream::chat_options(&state, &provider_name, &provider, &model);
    let chat = responses_to_chat(&request, &[], &options)
        .map_err(|error| ApiError::from_body(error.status(), error.to_openai_error()))?;
    for warning in &chat.warnings {
        tracing::debug!(%warning, "request conversion");
    }
    let upstream_body = serde_json::to_vec(&chat.body).map_err(|error| {
        ApiError::internal(format!("cannot encode the upstream request: {error}"))
    })?;
    let upstream = upstream::send(
        &state,
        &provider_name,
        &provider,
        "chat/completions",
        upstream_body,
    )
    .await
    .map_err(|error| error.to_api_error())?;
    telemetry::first_byte("responses", started);

    let stream_options = StreamOptions {
        quirks: provider.stream_quirks(&provider_name),
        reasoning: ReasoningMode {
            output: ReasoningOutput::Summary,
            carry: chat.include_encrypted_reasoning && options.reasoning_round_trip.is_some(),
        },
        envelope_key: Some(state.envelope_key.clone()),
        tool_names: Some(chat.tool_names.clone()),
        think_tags: false,
        max_pending_arguments: 0,
    };
    let converter: SharedConverter = Arc::new(Mutex::new(ChatToResponses::new(
        template(&request, &model),
        RandomIds::new(),
        stream_options,
    )));
    let tick = match state.config.heartbeat {
        d if d.is_zero() => provider.idle_timeout(),
        d => d.min(provider.idle_timeout()),
    };
    let steps = drive(
        converter.clone(),
        upstream,
        tick,
        !state.config.heartbeat.is_zero(),
        provider.idle_timeout(),
        provider_name.clone(),
    );
    let recorder = store.then(|| Recorder {
        pending: Some(Pending {
            state: state.clone(),
            previous,
            input_items,
        }),
        converter,
        first_write: None,
        replay: streaming.then(Vec::new),
        replay_bytes: 0,
        max_replay: state.config.max_replay_bytes,
    });
    if streaming {
        Ok(sse_answer(steps, recorder, started))
    } else {
        whole_answer(steps, recorder).await
    }
}

/// The stream converter, shared by the conversion loop and the [`Recorder`], which needs the
/// response as it stands when a client goes away mid-stream.
type SharedConverter = Arc<Mutex<ChatToResponses<RandomIds>>>;

/// The converter, locked for one synchronous call (never held across an `.await`).
fn lock(converter: &SharedConverter) -> MutexGuard<'_, ChatToResponses<RandomIds>> {
    converter.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a response needs to be stored.
struct Pending {
    state: Arc<AppState>,
    previous: Option<String>,
    input_items: Vec<Value>,
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
        })
    }

    /// Writes `record` in its own task (a client that goes away does not cut the write in
    /// half). Failures are logged and counted, never returned: the client's answer does not
    /// depend on the store.
    fn spawn_write(
        &self,
        record: StoredResponse,
        events: Option<Vec<String>>,
        after: Option<JoinHandle<()>>,
    ) -> JoinHandle<()> {
        let store = self.state.store.clone();
        tokio::spawn(async move {
            // Writes of one response land in order: the final record replaces the first.
            if let Some(earlier) = after {
                let _ = earlier.await;
            }
            let id = record.id.clone();
            match store.put(record, events).await {
                Ok(()) => tracing::debug!(response_id = %id, "stored"),
                Err(error) => {
                    telemetry::store_error("put");
                    tracing::error!(response_id = %id, %error, "the response could not be stored");
                }
            }
        })
    }
}

/// Keeps a `store: true` response in the store for its whole life:
/// - `in_progress` as soon as `response.created` goes out, so `GET /v1/responses/{id}` finds it
///   while it streams;
/// - the final response (with its events, for replay) when the stream ends;
/// - `cancelled`, with the output produced so far, when the client goes away first (dropping
///   the recorder; the upstream request is cancelled with the stream).
struct Recorder {
    /// `None` once the final record is written.
    pending: Option<Pending>,
    converter: SharedConverter,
    /// The `in_progress` write, which the final one waits for.
    first_write: Option<JoinHandle<()>>,
    /// The stream's events as JSON, for replay (`None`: not streamed, or too long to keep).
    replay: Option<Vec<String>>,
    replay_bytes: usize,
    max_replay: usize,
}

impl Recorder {
    /// Notes events that went to the client: the first ones store the response `in_progress`.
    fn sent(&mut self, events: &[ResponseStreamEvent]) {
        if self.first_write.is_none()
            && let Some(pending) = &self.pending
            && events
                .iter()
                .any(|e| matches!(e, ResponseStreamEvent::ResponseCreated(_)))
            && let Some(record) = pending.record(&lock(&self.converter).response())
        {
            self.first_write = Some(pending.spawn_write(record, None, None));
        }
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
    async fn finish(mut self, response: &ResponseObject) {
        let Some(pending) = self.pending.take() else {
            return;
        };
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
        let mut response = lock(&self.converter).response();
        response.status = Some(ResponseStatus::Cancelled);
        tracing::info!(response_id = %response.id, "the client went away: stored as cancelled");
        if tokio::runtime::Handle::try_current().is_ok()
            && let Some(record) = pending.record(&response)
        {
            pending.spawn_write(record, None, self.first_write.take());
        }
    }
}

/// The conversion loop: upstream chunks in, Responses events out, with heartbeats while the
/// upstream is silent and a `failed` response when it stays silent past `idle`, breaks off or
/// sends something unreadable. Dropping the stream drops the upstream connection.
fn drive(
    converter: SharedConverter,
    upstream: reqwest::Response,
    tick: Duration,
    heartbeats: bool,
    idle: Duration,
    provider: String,
) -> impl Stream<Item = Step> + Send {
    async_stream::stream! {
        let started = lock(&converter).start();
        match started {
            Ok(events) => yield Step::Events(events),
            Err(error) => {
                let events = lock(&converter).fail(UpstreamError::new(OpenAiErrorCode::ServerError, error.to_string()));
                yield Step::Events(events);
            }
        }
        let decoder = Decoder::<ChatCompletionStreamEvent>::with_max_event_size(Format::Sse, MAX_UPSTREAM_EVENT);
        let mut items = DecodeStream::with_decoder(upstream.bytes_stream(), decoder);
        let mut last_byte = Instant::now();
        while !lock(&converter).is_ended() {
            let next = match tokio::time::timeout(tick, items.next()).await {
                Ok(next) => next,
                Err(_) => {
                    if last_byte.elapsed() >= idle {
                        telemetry::upstream_error(&provider, "idle_timeout");
                        tracing::warn!(provider = %provider, "upstream silent past the idle timeout");
                        let events = lock(&converter).fail(UpstreamError::new(
                            OpenAiErrorCode::ServerError,
                            format!("The upstream sent nothing for {} s; the request was abandoned.", idle.as_secs_f64()),
                        ));
                        yield Step::Events(events);
                        break;
                    }
                    let beat = if heartbeats { lock(&converter).heartbeat() } else { None };
                    if let Some(beat) = beat {
                        yield Step::Events(vec![beat]);
                    }
                    continue;
                }
            };
            last_byte = Instant::now();
            let events = {
                let mut converter = lock(&converter);
                match next {
                    None => converter.finish(StreamEnd::Eof),
                    Some(Ok(OwnedItem::Event(decoded))) => match converter.push_event(&decoded.event) {
                        Ok(events) => events,
                        Err(error) => converter.fail(UpstreamError::new(OpenAiErrorCode::ServerError, error.to_string())),
                    },
                    Some(Ok(OwnedItem::Done(_))) => converter.finish(StreamEnd::DoneMarker),
                    Some(Ok(OwnedItem::Comment(_))) => continue,
                    Some(Err(StreamError::Decode(error))) => {
                        telemetry::upstream_error(&provider, "malformed_chunk");
                        tracing::warn!(provider = %provider, %error, "the upstream sent a malformed chunk");
                        converter.fail(UpstreamError::new(
                            OpenAiErrorCode::ServerError,
                            format!("The upstream sent a malformed chunk: {error}"),
                        ))
                    }
                    Some(Err(StreamError::Transport(error))) => {
                        telemetry::upstream_error(&provider, if error.is_timeout() { "idle_timeout" } else { "stream_cut" });
                        tracing::warn!(provider = %provider, %error, "the upstream stream broke off");
                        converter.finish(StreamEnd::Cut)
                    }
                }
            };
            if events.iter().any(|e| matches!(e, ResponseStreamEvent::ResponseFailed(_))) {
                telemetry::upstream_error(&provider, "response_failed");
            }
            yield Step::Events(events);
        }
        let response = lock(&converter).response();
        yield Step::Done(Box::new(response));
    }
}

fn sse_answer(
    steps: impl Stream<Item = Step> + Send + 'static,
    recorder: Option<Recorder>,
    started: Instant,
) -> Response {
    let body = async_stream::stream! {
        let _guard = StreamGuard::new("responses", started);
        let mut steps = std::pin::pin!(steps);
        // Dropped with the body when the client goes away: the response is then stored as
        // cancelled.
        let mut recorder = recorder;
        while let Some(step) = steps.next().await {
            let events = match step {
                Step::Events(events) => events,
                Step::Done(response) => {
                    if let Some(recorder) = recorder.take() {
                        recorder.finish(&response).await;
                    }
                    break;
                }
            };
            let mut out = Vec::new();
            if let Err(error) = write_response_sse(&mut out, &events) {
                tracing::error!(%error, "cannot encode an event");
                continue;
            }
            if let Some(recorder) = recorder.as_mut() {
                recorder.sent(&events);
            }
            yield Ok::<_, std::convert::Infallible>(Bytes::from(out));
        }
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(Body::from_stream(body))
        .unwrap_or_else(|_| ApiError::internal("cannot build the response").into_response())
}

async fn whole_answer(
    steps: impl Stream<Item = Step> + Send + 'static,
    mut recorder: Option<Recorder>,
) -> Result<Response, ApiError> {
    let mut steps = std::pin::pin!(steps);
    let mut last = None;
    while let Some(step) = steps.next().await {
        match step {
            Step::Events(events) => {
                if let Some(recorder) = recorder.as_mut() {
                    recorder.sent(&events);
                }
            }
            Step::Done(response) => last = Some(response),
        }
    }
    let Some(response) = last else {
        return Err(ApiError::internal(
            "the conversion ended without a response",
        ));
    };
    if let Some(recorder) = recorder {
        recorder.finish(&response).await;
    }
    let value = serde_json::to_value(&*response)
        .map_err(|error| ApiError::internal(format!("cannot encode the response: {error}")))?;
    if value["status"] == "failed" {
        let code = value["error"]["code"]
            .as_str()
            .unwrap_or("server_error")
            .to_owned();
        let message = value["error"]["message"]
            .as_str()
            .unwrap_or("The upstream failed.")
            .to_owned();
        let status = match code.as_str() {
            "rate_limit_exceeded" | "insufficient_quota" => StatusCode::TOO_MANY_REQUESTS,
            "context_length_exceeded" | "invalid_prompt" | "invalid_request_error" => {
                StatusCode::BAD_REQUEST
            }
            "server_is_overloaded" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let kind = if status.is_server_error() {
            "server_error"
        } else {
            "invalid_request_error"
        };
        return Err(ApiError::new(status, kind, Some(&code), message));
    }
    Ok(axum::Json(value).into_response())
}

/// A Responses upstream: the request goes as it is (model mapped), the answer comes back as it
/// is. Nothing is stored by the gateway: the upstream keeps its own state.
async fn forward_responses(
    state: &AppState,
    name: &str,
    provider: &crate::config::ProviderConfig,
    mut request: Value,
) -> Result<Response, ApiError> {
    if let Some(model) = request.get("model").and_then(Value::as_str) {
        request["model"] = Value::from(provider.upstream_model(model));
    }
    let body = serde_json::to_vec(&request)
        .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
    let upstream = upstream::send(state, name, provider, "responses", body)
        .await
        .map_err(|error: SendError| error.to_api_error())?;
    Ok(crate::chat::relay(upstream))
}

/// The request's `input` as a list of items, each with an `id` (a string input becomes one
/// user message).
fn normalize_input(input: Option<&Value>) -> Vec<Value> {
    let mut ids = RandomIds::new();
    let mut items = match input {
        Some(Value::String(text)) => vec![json!({
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        })],
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    for item in &mut items {
        if let Some(object) = item.as_object_mut() {
            if !object.contains_key("type") && object.contains_key("role") {
                object.insert("type".into(), Value::from("message"));
            }
            if !object.get("id").is_some_and(Value::is_string) {
                use openai_wire_emit::IdSource;
                object.insert("id".into(), Value::from(ids.id("msg_")));
            }
        }
    }
    items
}

/// The response template: what the response echoes from the request.
fn template(request: &Value, model: &str) -> ResponseObject {
    let mut object = serde_json::Map::new();
    for field in ECHOED {
        if let Some(value) = request.get(*field).filter(|v| !v.is_null()) {
            object.insert((*field).to_owned(), value.clone());
        }
    }
    object.insert("model".into(), Value::from(model));
    match serde_json::from_value::<ResponseObject>(Value::Object(object)) {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(%error, "echoed fields not readable; echoing the model only");
            serde_json::from_value(json!({"model": model})).unwrap_or_default()
        }
    }
}

pub(crate) async fn retrieve(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<RetrieveQuery>,
) -> Response {
    if query.stream.unwrap_or(false) {
        return replay(&state, &id, query.starting_after).await;
    }
    match state.store.get(&id).await {
        Ok(Some(record)) => axum::Json(record.response).into_response(),
        Ok(None) => ApiError::response_not_found(&id).into_response(),
        Err(error) => store_failure("get", &error),
    }
}

/// `GET /v1/responses/{id}` query parameters.
#[derive(Debug, Deserialize)]
pub(crate) struct RetrieveQuery {
    stream: Option<bool>,
    starting_after: Option<i64>,
}

async fn replay(state: &AppState, id: &str, starting_after: Option<i64>) -> Response {
    match state.store.events(id, starting_after).await {
        Ok(Some(events)) => {
            let mut out = Vec::new();
            for json in events {
                let kind = serde_json::from_str::<Value>(&json)
                    .ok()
                    .and_then(|v| v["type"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                out.extend_from_slice(format!("event: {kind}\ndata: {json}\n\n").as_bytes());
            }
            (
                [(header::CONTENT_TYPE, "text/event-stream")],
                out,
            )
                .into_response()
        }
        Ok(None) => match state.store.get(id).await {
            Ok(Some(_)) => ApiError::invalid_request(
                Some("stream"),
                format!("Response '{id}' was not streamed or its events were not kept; it cannot be replayed."),
            )
            .into_response(),
            Ok(None) => ApiError::response_not_found(id).into_response(),
            Err(error) => store_failure("get", &error),
        },
        Err(error) => store_failure("events", &error),
    }
}

pub(crate) async fn delete(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match state.store.delete(&id).await {
        Ok(true) => axum::Json(json!({"id": id, "object": "response.deleted", "deleted": true}))
            .into_response(),
        Ok(false) => ApiError::response_not_found(&id).into_response(),
        Err(error) => store_failure("delete", &error),
    }
}

/// `GET /v1/responses/{id}/input_items` query parameters.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<usize>,
    order: Option<String>,
    after: Option<String>,
}

pub(crate) async fn input_items(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let record = match state.store.get(&id).await {
        Ok(Some(record)) => record,
        Ok(None) => return ApiError::response_not_found(&id).into_response(),
        Err(error) => return store_failure("get", &error),
    };
    let mut items = record.input_items;
    match query.order.as_deref() {
        None | Some("desc") => items.reverse(),
        Some("asc") => {}
        Some(other) => {
            return ApiError::invalid_request(
                Some("order"),
                format!("order must be asc or desc, got '{other}'"),
            )
            .into_response();
        }
    }
    if let Some(after) = &query.after {
        match items
            .iter()
            .position(|item| item["id"].as_str() == Some(after))
        {
            Some(at) => {
                items.drain(..=at);
            }
            None => items.clear(),
        }
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let has_more = items.len() > limit;
    items.truncate(limit);
    let first = items
        .first()
        .and_then(|i| i["id"].as_str())
        .map(str::to_owned);
    let last = items
        .last()
        .and_then(|i| i["id"].as_str())
        .map(str::to_owned);
    axum::Json(json!({
        "object": "list",
        "data": items,
        "first_id": first,
        "last_id": last,
        "has_more": has_more,
    }))
    .into_response()
}

fn store_failure(operation: &'static str, error: &crate::store::StoreError) -> Response {
    telemetry::store_error(operation);
    tracing::error!(%error, operation, "store failure");
    ApiError::internal("The response store failed.").into_response()
}
