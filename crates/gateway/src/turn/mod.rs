//! One turn of the Responses API, independent of the transport that carries it.
//!
//! A [`TurnRequest`] (validated) goes in; [`Turn::prepare`] chooses the provider and resolves
//! the history that `previous_response_id` stands for; [`Turn::start`] sends the upstream
//! request and returns the turn's [`TurnStep`]s: the events, heartbeats the conversion has no
//! event for, and at the end the [`TurnOutcome`] (the final response and the whole
//! conversation). A `store: true` turn is recorded on the way ([`record::Recorder`]).
//!
//! The answers are thin shells over it: HTTP SSE and HTTP JSON (`crate::http::responses`),
//! and WebSocket mode; compaction ([`compaction`]) is a branch of the turn, so every transport
//! has it.

pub(crate) mod compaction;
pub(crate) mod record;
pub(crate) mod request;
pub(crate) mod server_tools;

use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use futures_util::{Stream, StreamExt};
use openai_wire_convert::request::{
    ChatRequest, ChatRequestOptions, ToolKind, is_web_search_tool, responses_to_chat,
    web_search_offered,
};
use openai_wire_convert::stream::chat_to_responses::{
    ChatToResponses, ReasoningMode, ReasoningOutput, StreamOptions,
};
use openai_wire_decode::Format;
use openai_wire_emit::RandomIds;
use openai_wire_events::{
    ChatCompletionStreamEvent, Response as ResponseObject, ResponseStatus, ResponseStreamEvent,
    StreamEvent,
};
use serde_json::Value;

pub(crate) use request::TurnRequest;

use crate::config::UpstreamApi;
use crate::conversions::{ChatUpstream, ResponsesRelay};
use crate::error::ApiError;
use crate::pump::{Conversion, Limits, PumpStep, Upstream, after_send, decode_upstream, pump};
use crate::state::{AppState, RouteHints, Routed};
use crate::store;
use crate::telemetry;
use crate::upstream;
use record::Recorder;

/// A conversation as a transport may keep it between turns: the last response's id and every
/// item up to and including its output.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conversation {
    /// The response that ends it.
    pub(crate) response_id: String,
    /// Every item, oldest first: inputs and outputs of each turn.
    pub(crate) items: Vec<Value>,
}

/// One step of a turn.
pub(crate) enum TurnStep {
    /// Events for the client, with sequence numbers.
    Events(Vec<ResponseStreamEvent>),
    /// The upstream is silent and the conversion has no heartbeat event: the transport's own
    /// keep-alive is due.
    KeepAlive,
    /// The turn is over.
    Finished(Box<TurnOutcome>),
}

/// How a turn ended.
#[derive(Debug, Clone)]
pub(crate) struct TurnOutcome {
    /// The final response (`completed`, `incomplete` or `failed`).
    pub(crate) response: ResponseObject,
    /// The conversation it ends (what WebSocket mode keeps for the next turn).
    pub(crate) conversation: Conversation,
}

/// The steps of a started turn.
pub(crate) type TurnSteps = Pin<Box<dyn Stream<Item = TurnStep> + Send>>;

/// An upstream's answer as a stream of items.
type UpstreamItems<E> = Pin<Box<dyn Stream<Item = Upstream<E>> + Send>>;

/// A turn, ready to start: the request, its provider and its history.
pub(crate) struct Turn {
    state: Arc<AppState>,
    /// The request.
    pub(crate) request: TurnRequest,
    routed: Routed,
    /// The conversation before this turn's input.
    history: Vec<Value>,
    /// Whether the history came from the transport's memory rather than the upstream's.
    history_is_local: bool,
    /// Whose request it is: the owner its stored response gets.
    owner: Option<String>,
}

impl Turn {
    /// Routes `request` and resolves the history its `previous_response_id` names: from
    /// `cached` (a transport's memory) when the id is the one it holds, else from the store
    /// (Chat upstreams; a Responses upstream keeps its own).
    pub(crate) async fn prepare(
        state: &Arc<AppState>,
        request: TurnRequest,
        hints: &RouteHints,
        cached: Option<&Conversation>,
    ) -> Result<Turn, ApiError> {
        let routed = state.route(hints, &request.model)?;
        let mut history = Vec::new();
        let mut history_is_local = false;
        if let Some(id) = &request.previous_response_id {
            if let Some(cached) = cached.filter(|c| &c.response_id == id) {
                history = cached.items.clone();
                history_is_local = true;
            } else if routed.provider.api == UpstreamApi::Chat {
                history = stored_history(state, id, hints.owner.as_deref()).await?;
            }
        }
        // The whole conversation is known unless a Responses upstream keeps the history.
        let known = request.previous_response_id.is_none()
            || history_is_local
            || routed.provider.api == UpstreamApi::Chat;
        if known {
            check_tool_outputs(&history, &request.input_items)?;
        }
        Ok(Turn {
            state: state.clone(),
            request,
            routed,
            history,
            history_is_local,
            owner: hints.owner.0.clone(),
        })
    }

    /// Sends the upstream request. An upstream that refuses it, or cannot be reached, is an
    /// error here (before any event); after that every failure is a `response.failed` event.
    ///
    /// A Chat turn whose last input item is `compaction_trigger` is answered by the gateway's
    /// own compaction ([`compaction`]): one `compaction` output item.
    pub(crate) async fn start(self, started: Instant) -> Result<TurnSteps, ApiError> {
        if self.is_chat_compaction() {
            return self.start_compaction(started).await;
        }
        match self.routed.provider.api {
            UpstreamApi::Chat => self.start_chat(started).await,
            UpstreamApi::Responses => self.start_relay(started).await,
        }
    }

    /// What the gateway cannot do for this request, for the client to see (the HTTP answer's
    /// `openai-wire-warning` header): a hosted `web_search` tool sent to a Chat provider with
    /// no search backend configured (and no web search of its own, `native_web_search`) is
    /// dropped.
    pub(crate) fn warnings(&self) -> Vec<String> {
        if self.routed.provider.api != UpstreamApi::Chat {
            return Vec::new();
        }
        let asks_web_search = self
            .request
            .body
            .get("tools")
            .and_then(Value::as_array)
            .is_some_and(|tools| {
                tools.iter().any(|tool| {
                    tool.get("type")
                        .and_then(Value::as_str)
                        .is_some_and(is_web_search_tool)
                })
            });
        let options = upstream::chat_options(&self.state, &self.routed, &self.request.model);
        if asks_web_search && !web_search_offered(&options) {
            return vec![
                "web_search dropped: this gateway has no search backend ([web_search] in its \
                 configuration), so the model cannot search the web"
                    .to_owned(),
            ];
        }
        Vec::new()
    }

    /// The whole input: the history, then this turn's items.
    fn conversation_input(&self) -> Vec<Value> {
        let mut items = self.history.clone();
        items.extend(self.request.input_items.iter().cloned());
        items
    }

    async fn start_chat(self, started: Instant) -> Result<TurnSteps, ApiError> {
        let state = &self.state;
        let (routed, request) = (&self.routed, &self.request);
        let input = self.conversation_input();
        let mut body = Value::Object(request.body.clone());
        body["input"] = Value::Array(input.clone());
        let options = upstream::chat_options(state, routed, &request.model);
        let chat = responses_to_chat(&body, &[], &options)
            .map_err(|error| ApiError::from_request_error(&error))?;
        for warning in &chat.warnings {
            tracing::debug!(%warning, "request conversion");
        }
        let upstream_body = serde_json::to_vec(&chat.body).map_err(|error| {
            ApiError::internal(format!("cannot encode the upstream request: {error}"))
        })?;
        let upstream = self
            .upstream::<ChatCompletionStreamEvent>("chat/completions", upstream_body, started)
            .await?;
        let (upstream, round_slot) = self.with_server_tools(upstream, &chat, &options);
        let (routed, request) = (&self.routed, &self.request);
        let stream_options = StreamOptions {
            quirks: routed.provider.stream_quirks(&routed.name),
            reasoning: ReasoningMode {
                output: ReasoningOutput::Summary,
                carry: chat.include_encrypted_reasoning
                    && (options.reasoning_round_trip.is_some() || options.reasoning_as_streamed),
            },
            envelope_key: Some(state.envelope_key.clone()),
            tool_names: Some(chat.tool_names.clone()),
            max_pending_arguments: 0,
        };
        let conversion = ChatUpstream {
            converter: ChatToResponses::new(request.template(), RandomIds::new(), stream_options),
            provider: routed.name.clone(),
            round_slot,
        };
        let recorder = self.recorder();
        Ok(self.record(conversion, upstream, recorder, input))
    }

    async fn start_relay(self, started: Instant) -> Result<TurnSteps, ApiError> {
        let (routed, request) = (&self.routed, &self.request);
        let mut body = request.body.clone();
        body.insert(
            "model".into(),
            Value::from(routed.provider.upstream_model(&request.model)),
        );
        body.insert("stream".into(), Value::Bool(true));
        let input = self.conversation_input();
        if self.history_is_local {
            // The upstream never saw the response the transport continues: send it all.
            body.insert("input".into(), Value::Array(input.clone()));
            body.remove("previous_response_id");
        }
        let body = serde_json::to_vec(&body)
            .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
        let upstream = self
            .upstream::<ResponseStreamEvent>("responses", body, started)
            .await?;
        let conversion = ResponsesRelay::new(self.routed.name.clone(), &self.request.template());
        // A Responses upstream keeps its own state: nothing is stored here.
        Ok(self.record(conversion, upstream, None, input))
    }

    /// The upstream's answer to `body` as a stream of items. A streaming turn (HTTP SSE,
    /// WebSocket mode) opens at once: the request is sent inside the stream ([`after_send`]),
    /// so the client gets `response.created` and heartbeats while the upstream's headers are
    /// awaited, and an upstream error becomes `response.failed` with its code. A non-streaming
    /// turn awaits the headers here, so that an upstream error is the client's HTTP error.
    async fn upstream<E>(
        &self,
        path: &'static str,
        body: Vec<u8>,
        started: Instant,
    ) -> Result<UpstreamItems<E>, ApiError>
    where
        E: StreamEvent + Send + 'static,
    {
        let max_bytes = Limits::of(&self.state.config).max_bytes;
        if self.request.stream {
            let (state, routed) = (self.state.clone(), self.routed.clone());
            let send = async move {
                let answer = upstream::send(&state, &routed, path, body).await;
                if answer.is_ok() {
                    telemetry::first_byte("responses", started);
                }
                answer
            };
            return Ok(Box::pin(after_send::<E, _>(send, Format::Sse, max_bytes)));
        }
        let answer = upstream::send(&self.state, &self.routed, path, body)
            .await
            .map_err(|error| error.to_api_error())?;
        telemetry::first_byte("responses", started);
        Ok(Box::pin(decode_upstream::<E>(
            answer,
            Format::Sse,
            max_bytes,
        )))
    }

    /// The upstream's stream with the gateway's own tools run between its rounds
    /// ([`server_tools`]), when the request offers one (a web search backend is configured and
    /// the client sent the `web_search` tool).
    fn with_server_tools(
        &self,
        upstream: UpstreamItems<ChatCompletionStreamEvent>,
        chat: &ChatRequest,
        options: &ChatRequestOptions,
    ) -> (
        UpstreamItems<ChatCompletionStreamEvent>,
        Option<Arc<server_tools::RoundSlot>>,
    ) {
        let offered = chat
            .tool_names
            .iter()
            .any(|(_, tool)| tool.kind == ToolKind::WebSearch);
        let Some(search) = self.state.web_search.clone().filter(|_| offered) else {
            return (upstream, None);
        };
        let sources = self
            .request
            .body
            .get("include")
            .and_then(Value::as_array)
            .is_some_and(|include| {
                include
                    .iter()
                    .any(|v| v == "web_search_call.action.sources")
            });
        let slot = Arc::new(server_tools::RoundSlot {
            report: std::sync::Mutex::new(None),
            reasoning_field: options.reasoning_round_trip,
            reasoning_as_streamed: options.reasoning_as_streamed,
        });
        let tools = server_tools::ServerTools {
            state: self.state.clone(),
            routed: self.routed.clone(),
            body: chat.body.clone(),
            search,
            slot: slot.clone(),
            sources,
        };
        (
            Box::pin(server_tools::with_server_tools(upstream, tools)),
            Some(slot),
        )
    }

    /// The recorder of a `store: true` turn.
    fn recorder(&self) -> Option<Recorder> {
        let request = &self.request;
        request.store.then(|| {
            Recorder::new(
                self.state.store.clone(),
                request.previous_response_id.clone(),
                request.input_items.clone(),
                request.stream,
                self.state.config.max_replay_bytes,
            )
            .owned_by(self.owner.clone())
        })
    }

    /// Pumps `conversion` over `upstream`, recording what goes out.
    fn record<C, S>(
        self,
        conversion: C,
        upstream: S,
        recorder: Option<Recorder>,
        input: Vec<Value>,
    ) -> TurnSteps
    where
        C: Conversion<Out = ResponseStreamEvent> + Send + 'static,
        C::In: Send,
        S: Stream<Item = Upstream<C::In>> + Send + 'static,
    {
        let provider = &self.routed.provider;
        let heartbeat = Some(self.state.config.heartbeat);
        let limits = Limits::of(&self.state.config);
        let steps = pump(
            conversion,
            upstream,
            heartbeat,
            provider.idle_timeout(),
            limits,
        );
        Box::pin(recorded(steps, recorder, input))
    }
}

/// The steps of a pumped turn, with every event noted by the recorder and the outcome at the
/// end.
///
/// Memory (issue 15): the pumped steps (3 KiB), the recorder (3 KiB) and the last lifecycle
/// response (1.4 KiB) live behind pointers, and the recorder's final write is boxed when it
/// starts. A generator keeps a value it is given twice (as captured, and as the local it is
/// moved to) and reserves room for every future it awaits, so held inline they made this
/// stream's own state 24.7 KB for every stream, `store: false` included; it is now 288 bytes.
fn recorded<C>(
    steps: impl Stream<Item = PumpStep<C>> + Send + 'static,
    recorder: Option<Recorder>,
    input: Vec<Value>,
) -> impl Stream<Item = TurnStep> + Send
where
    C: Conversion<Out = ResponseStreamEvent> + Send + 'static,
{
    let mut steps = Box::pin(steps);
    // Dropped with the stream when the client goes away: the response is then stored as
    // cancelled.
    let mut recorder = recorder.map(Box::new);
    async_stream::stream! {
        let mut last: Option<Box<ResponseObject>> = None;
        while let Some(step) = steps.next().await {
            match step {
                PumpStep::Out(events) => {
                    for event in &events {
                        if let Some(response) = lifecycle_response(event) {
                            last = Some(Box::new(response.clone()));
                        }
                    }
                    if let Some(recorder) = recorder.as_mut() {
                        recorder.sent(&events);
                        // `response.created` goes out once it is stored `in_progress`.
                        recorder.first_written().await;
                    }
                    yield TurnStep::Events(events);
                }
                PumpStep::KeepAlive => yield TurnStep::KeepAlive,
                PumpStep::Finished(_) => break,
            }
        }
        let mut response = last.unwrap_or_default();
        if !is_final(&response) {
            response.status = Some(ResponseStatus::Failed);
        }
        if let Some(recorder) = recorder.take() {
            Box::pin((*recorder).finish(&response)).await;
        }
        let mut items = input;
        items.extend(response.output.iter().filter_map(|item| serde_json::to_value(item).ok()));
        let conversation = Conversation { response_id: response.id.clone(), items };
        yield TurnStep::Finished(Box::new(TurnOutcome { response: *response, conversation }));
    }
}

/// The response a lifecycle event carries.
fn lifecycle_response(event: &ResponseStreamEvent) -> Option<&ResponseObject> {
    use ResponseStreamEvent as E;
    match event {
        E::ResponseCreated(e) => Some(&e.response),
        E::ResponseInProgress(e) => Some(&e.response),
        E::ResponseQueued(e) => Some(&e.response),
        E::ResponseCompleted(e) => Some(&e.response),
        E::ResponseFailed(e) => Some(&e.response),
        E::ResponseIncomplete(e) => Some(&e.response),
        _ => None,
    }
}

fn is_final(response: &ResponseObject) -> bool {
    matches!(
        response.status,
        Some(ResponseStatus::Completed | ResponseStatus::Failed | ResponseStatus::Incomplete)
    )
}

/// Refuses a `function_call_output` (or `custom_tool_call_output`) whose `call_id` names no
/// call of the conversation, as OpenAI does (400, `input`). Conversations that refer to items
/// the gateway cannot see (`item_reference`, compaction items) are not checked.
fn check_tool_outputs(history: &[Value], input: &[Value]) -> Result<(), ApiError> {
    fn kind(item: &Value) -> &str {
        item.get("type").and_then(Value::as_str).unwrap_or_default()
    }
    let items = || history.iter().chain(input);
    if items().any(|item| {
        matches!(
            kind(item),
            "item_reference" | "compaction" | "compaction_summary"
        )
    }) {
        return Ok(());
    }
    let calls: std::collections::HashSet<&str> = items()
        .filter(|item| matches!(kind(item), "function_call" | "custom_tool_call"))
        .filter_map(|item| item.get("call_id").and_then(Value::as_str))
        .collect();
    for item in input {
        let what = match kind(item) {
            "function_call_output" => "function call output",
            "custom_tool_call_output" => "custom tool call output",
            _ => continue,
        };
        let call_id = item
            .get("call_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !calls.contains(call_id) {
            return Err(ApiError::invalid_request(
                Some("input"),
                format!("No tool call found for {what} with call_id {call_id}."),
            ));
        }
    }
    Ok(())
}

/// The conversation a stored `previous_response_id` stands for.
/// A response of another owner is unknown (as OpenAI answers for another project's).
async fn stored_history(
    state: &AppState,
    id: &str,
    owner: Option<&str>,
) -> Result<Vec<Value>, ApiError> {
    match store::history(state.store.as_ref(), id, owner).await {
        Ok(Some(items)) => Ok(items),
        Ok(None) => Err(ApiError::previous_response_not_found(id)),
        Err(store::StoreError::InProgress(id)) => Err(ApiError::invalid_request(
            Some("previous_response_id"),
            format!(
                "Previous response with id '{id}' is still in progress; wait for it to finish."
            ),
        )),
        Err(error) => {
            telemetry::store_error("history");
            tracing::error!(%error, "cannot read the previous response");
            Err(ApiError::internal("The response store failed."))
        }
    }
}

/// The turn core without sockets: a recorded Chat stream fed as upstream items through the
/// conversion, the pump and the recorder.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::pump::Upstream;
    use crate::store::MemoryStore;
    use openai_wire_decode::{Decoder, Item};

    /// A DeepSeek tool-call recording (`tests/fixtures/README.md`).
    const RECORDED: &str = include_str!("../../tests/fixtures/codex_exec_command.turn1.sse");

    fn upstream_items(sse: &str) -> Vec<Upstream<ChatCompletionStreamEvent>> {
        let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(Format::Sse);
        decoder.feed(sse.as_bytes());
        decoder.finish();
        let mut items = Vec::new();
        while let Some(item) = decoder.next_item() {
            items.push(match item.unwrap() {
                Item::Event(decoded) => Upstream::Event(decoded.event),
                Item::Done(_) => Upstream::Done,
                Item::Comment(_) => continue,
            });
        }
        items
    }

    fn request() -> TurnRequest {
        TurnRequest::from_value(serde_json::json!({
            "model": "gpt-5.5", "input": "run echo hello", "temperature": 0.4,
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn a_recorded_stream_becomes_events_an_outcome_and_a_stored_record() {
        let request = request();
        let store: Arc<dyn crate::store::Store> = Arc::new(MemoryStore::new());
        let recorder = Recorder::new(
            store.clone(),
            None,
            request.input_items.clone(),
            true,
            1 << 20,
        );
        let conversion = ChatUpstream {
            converter: ChatToResponses::new(
                request.template(),
                RandomIds::new(),
                StreamOptions::default(),
            ),
            provider: "recorded".into(),
            round_slot: None,
        };
        let upstream = futures_util::stream::iter(upstream_items(RECORDED));
        let steps = pump(
            conversion,
            upstream,
            None,
            std::time::Duration::from_secs(5),
            Limits::default(),
        );
        let mut steps = Box::pin(recorded(steps, Some(recorder), request.input_items.clone()));
        let (mut events, mut outcome) = (Vec::new(), None);
        while let Some(step) = steps.next().await {
            match step {
                TurnStep::Events(more) => events.extend(more),
                TurnStep::KeepAlive => panic!("no heartbeat was due"),
                TurnStep::Finished(finished) => outcome = Some(finished),
            }
        }
        let outcome = outcome.expect("the turn ends with its outcome");
        assert_eq!(
            events.first().map(|e| e.wire_type()),
            Some("response.created")
        );
        assert_eq!(
            events.last().map(|e| e.wire_type()),
            Some("response.completed")
        );
        assert_eq!(outcome.response.status, Some(ResponseStatus::Completed));
        assert_eq!(outcome.response.temperature, Some(0.4));
        // The conversation is the input, then the output (the recorded tool call).
        let items = &outcome.conversation.items;
        assert_eq!(items.len(), 1 + outcome.response.output.len());
        assert_eq!(items[0]["type"], "message");
        assert_eq!(items.last().unwrap()["type"], "function_call");
        assert_eq!(items.last().unwrap()["name"], "exec_command");
        // The recorder stored the final response with its events, for replay.
        let stored = store.get(&outcome.response.id).await.unwrap().unwrap();
        assert_eq!(stored.response["status"], "completed");
        let replay = store
            .events(&outcome.response.id, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(replay.len(), events.len());
    }

    #[tokio::test]
    async fn a_stream_cut_before_its_end_is_a_failed_outcome() {
        let request = request();
        let conversion = ChatUpstream {
            converter: ChatToResponses::new(
                request.template(),
                RandomIds::new(),
                StreamOptions::default(),
            ),
            provider: "recorded".into(),
            round_slot: None,
        };
        let mut items = upstream_items(RECORDED);
        items.truncate(3);
        items.push(Upstream::Broken {
            message: "connection reset".into(),
            timeout: false,
        });
        let steps = pump(
            conversion,
            futures_util::stream::iter(items),
            None,
            std::time::Duration::from_secs(5),
            Limits::default(),
        );
        let mut steps = Box::pin(recorded(steps, None, request.input_items.clone()));
        let mut last = None;
        while let Some(step) = steps.next().await {
            if let TurnStep::Finished(outcome) = step {
                last = Some(outcome);
            }
        }
        let outcome = last.unwrap();
        assert_eq!(outcome.response.status, Some(ResponseStatus::Failed));
        assert!(outcome.response.error.is_some());
    }
}
