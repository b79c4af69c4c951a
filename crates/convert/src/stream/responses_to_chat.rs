//! Responses API events → Chat Completions chunks: [`ResponsesToChat`], for Chat clients in
//! front of a Responses-only model (the gateway's `POST /v1/chat/completions` for a Responses
//! upstream), and [`response_to_chat_completion`] for the same answer without streaming.
//!
//! The converter is a sans-IO state machine: [`push`](ResponsesToChat::push) each upstream
//! event as it arrives and send the chunks it returns at once; call
//! [`finish`](ResponsesToChat::finish) when the upstream stream ends; end the SSE body with
//! `data: [DONE]` only when [`outcome`](ResponsesToChat::outcome) says
//! [`sends_done`](Outcome::sends_done). Chunks are written by
//! [`ChatChunkWriter`], so they always form a correct Chat
//! stream: one `id`, `created` and `model`, the role on the first chunk, tool calls with their
//! `index` and, on their first chunk, `id` and `function.name`.
//!
//! # The mapping
//!
//! | Responses event | Chat chunk |
//! | --- | --- |
//! | `response.created`, `.in_progress`, `.queued` | nothing (the upstream `model` and `service_tier` are kept for the chunks) |
//! | `response.output_text.delta` | `delta.content` |
//! | `response.refusal.delta` | `delta.refusal` |
//! | `response.reasoning_summary_text.delta`, `response.reasoning_text.delta` | `delta.reasoning_content` ([`ReasoningMode::ReasoningContent`]), parts separated by a blank line (`"\n\n"`); nothing with [`ReasoningMode::Drop`] |
//! | `response.output_item.added` of a `function_call` | a tool call chunk: next `index`, `id` = `call_id`, `function.name`, `arguments: ""` |
//! | `response.function_call_arguments.delta` | `tool_calls[].function.arguments` |
//! | `response.output_item.added` of a `custom_tool_call` | a function tool call chunk, as above |
//! | `response.custom_tool_call_input.delta` | its arguments: with [`CustomToolCallMode::InputObject`] the JSON text `{"input":"…"}`, streamed (`{"input":"` on the first chunk, the escaped input, `"}` at the end); with [`CustomToolCallMode::RawInput`] the input as is |
//! | `*.done`, `response.content_part.done`, `response.output_item.done` | whatever the deltas did not carry yet (some servers send arguments only in `*.done`); nothing when the deltas already said it all |
//! | `response.completed` | `finish_reason: "tool_calls"` when the response made function or custom tool calls, `"stop"` otherwise; then, with `include_usage`, the usage chunk (`choices: []`) |
//! | `response.incomplete` | `finish_reason` from `incomplete_details.reason`: `max_output_tokens` → `"length"`, `content_filter` → `"content_filter"`, anything else → `"length"`; then the usage chunk |
//! | `response.failed` | an error event `{"error":{…}}` (no `finish_reason`, no usage, no `[DONE]`) |
//! | `error` | the same; a `response.failed` after it adds nothing |
//! | hosted and client-side tool items (`web_search_call`, `file_search_call`, `code_interpreter_call`, `image_generation_call`, `mcp_*`, `computer_call`, `local_shell_call`, `shell_call`, `apply_patch_call`, `tool_search_*`, …), annotations, logprobs, audio, unknown events | nothing: Chat has no equivalent (documented loss, never an error) |
//! | the end of the upstream stream without a terminal event ([`finish`](ResponsesToChat::finish)) | an error event with code `stream_truncated` (no `finish_reason`, no `[DONE]`) |
//!
//! Usage: `input_tokens` → `prompt_tokens`, `output_tokens` → `completion_tokens`,
//! `total_tokens` → `total_tokens` (prompt + completion when the upstream left it out),
//! `input_tokens_details.cached_tokens` →
//! `prompt_tokens_details.cached_tokens`, `output_tokens_details.reasoning_tokens` →
//! `completion_tokens_details.reasoning_tokens`. The usage chunk is sent only when the upstream
//! reported usage: zeros would be a lie.
//!
//! Message text of every `output_text` part of every message item is concatenated, without
//! separators, into the one `content` (what the SDKs call `output_text`). A response has one
//! output, so the chat stream has one choice (`index` 0).
//!
//! # What a Chat client gets when the upstream fails
//!
//! A failure is never reported as a success. `response.failed`, an `error` event and an
//! upstream stream cut off before its terminal event all give one chunk-stream
//! [`ChatCompletionStreamEvent::Error`] (`data: {"error":{"message":…,"type":…,"code":…}}`,
//! as OpenAI sends mid-stream errors) and nothing after it: no `finish_reason`, and
//! [`Outcome::sends_done`] is false, so the body ends without `data: [DONE]`. A client that
//! follows the protocol sees an error, not a short answer. [`ResponsesToChat::error`] gives the
//! same error with an HTTP status, for a gateway that has sent nothing yet
//! ([`ResponsesToChat::started`] is false) and can still answer with an HTTP error instead.
//!
//! # Example
//!
//! ```
//! use openai_wire_convert::stream::responses_to_chat::{Outcome, ResponsesToChat, ResponsesToChatOptions};
//! use openai_wire_emit::{SequentialIds, write_chat_done, write_chat_sse};
//! use openai_wire_events::{ResponseStreamEvent, StreamEvent};
//!
//! let upstream = [
//!     r#"{"type":"response.created","response":{"id":"resp_1","model":"gpt-4o-mini","status":"in_progress","output":[]}}"#,
//!     r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}}"#,
//!     r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}"#,
//!     r#"{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[],"usage":{"input_tokens":5,"output_tokens":1,"total_tokens":6}}}"#,
//! ];
//! let options = ResponsesToChatOptions::default().with_usage(true);
//! let mut convert = ResponsesToChat::new(options, SequentialIds::default());
//! let mut body = Vec::new();
//! for json in upstream {
//!     let chunks = convert.push(&ResponseStreamEvent::from_json(json)?)?;
//!     write_chat_sse(&mut body, &chunks)?;
//! }
//! write_chat_sse(&mut body, &convert.finish(true)?)?;
//! assert_eq!(convert.outcome(), Outcome::Completed);
//! if convert.outcome().sends_done() {
//!     write_chat_done(&mut body);
//! }
//! let body = String::from_utf8(body)?;
//! assert!(body.contains(r#""delta":{"content":"Hi","role":"assistant"}"#));
//! assert!(body.contains(r#""finish_reason":"stop""#));
//! assert!(body.contains(r#""prompt_tokens":5"#));
//! assert!(body.ends_with("data: [DONE]\n\n"));
//! assert_eq!(convert.completion().choices[0].message.content.as_deref(), Some("Hi"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use openai_wire_emit::{ChatChunkWriter, ChatOptions, EmitError, IdSource, ToolCallHandle};
use openai_wire_events::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionChunkChoiceFinishReason,
    ChatCompletionChunkObject, ChatCompletionStreamEvent, CompletionUsage,
    CompletionUsageCompletionTokensDetails, CompletionUsagePromptTokensDetails, Error,
    ErrorResponse, OutputContent, OutputItem, OutputMessageContent, Response, ResponseErrorEvent,
    ResponseIncompleteDetailsReason, ResponseStatus, ResponseStreamEvent, ResponseUsage,
    ServiceTier2,
};

/// How reasoning (summaries and reasoning text) reaches the Chat client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReasoningMode {
    /// As `delta.reasoning_content` (the field DeepSeek, Qwen, GLM, Kimi and vLLM use, which
    /// most Chat clients read); parts are separated by a blank line.
    #[default]
    ReasoningContent,
    /// Not at all (OpenAI's own Chat API streams no reasoning).
    Drop,
}

/// How a Responses custom (freeform) tool call reaches the Chat client, whose streamed tool
/// calls are function calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomToolCallMode {
    /// A function call whose `arguments` is the JSON object `{"input":"<the input>"}`: valid
    /// JSON, what a client that declared the tool as a function with one string parameter
    /// `input` expects.
    #[default]
    InputObject,
    /// A function call whose `arguments` is the input text as is (not JSON in general).
    RawInput,
}

/// What a [`ResponsesToChat`] needs to know from the Chat request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponsesToChatOptions {
    /// The `model` every chunk carries; `None` takes the upstream's (from `response.created`).
    pub model: Option<String>,
    /// The request's `stream_options.include_usage`: end with a usage chunk (`choices: []`)
    /// when the upstream reported usage.
    pub include_usage: bool,
    /// How reasoning is exposed.
    pub reasoning: ReasoningMode,
    /// How custom tool calls are exposed.
    pub custom_tool_calls: CustomToolCallMode,
}

impl ResponsesToChatOptions {
    /// Sets the `model` the chunks carry.
    #[must_use]
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Sets `stream_options.include_usage`.
    #[must_use]
    pub fn with_usage(mut self, include_usage: bool) -> Self {
        self.include_usage = include_usage;
        self
    }

    /// Sets how reasoning is exposed.
    #[must_use]
    pub fn with_reasoning(mut self, reasoning: ReasoningMode) -> Self {
        self.reasoning = reasoning;
        self
    }

    /// Sets how custom tool calls are exposed.
    #[must_use]
    pub fn with_custom_tool_calls(mut self, mode: CustomToolCallMode) -> Self {
        self.custom_tool_calls = mode;
        self
    }
}

/// An upstream failure as a Chat client sees it: OpenAI's error object, and the HTTP status a
/// gateway answers with when it has not started the body yet.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatError {
    /// The HTTP status: 400 for a request the upstream refused, 429 for rate limits and
    /// quota, 502 for a truncated or unfinished upstream response, 500 otherwise.
    pub status: u16,
    /// The error object (`message`, `type`, `code`, `param`).
    pub error: Error,
}

impl ChatError {
    /// The error body, `{"error":{…}}`.
    pub fn body(&self) -> ErrorResponse {
        ErrorResponse {
            error: self.error.clone(),
        }
    }

    /// The error as a chat stream event (written as `data: {"error":{…}}`).
    pub fn to_event(&self) -> ChatCompletionStreamEvent {
        ChatCompletionStreamEvent::Error(self.body())
    }

    /// An error from an upstream error code (`server_error`, `rate_limit_exceeded`,
    /// `context_length_exceeded`, …); `kind` is the upstream's error `type`, when it gave one.
    fn from_code(
        code: Option<&str>,
        message: &str,
        param: Option<&str>,
        kind: Option<&str>,
    ) -> Self {
        let code = code.filter(|c| !c.is_empty());
        let status = crate::error_codes::status_of(code.unwrap_or("server_error"));
        let kind = match kind.filter(|k| !k.is_empty()) {
            Some(kind) => kind.to_owned(),
            None => crate::error_codes::type_of(code.unwrap_or("server_error")).to_owned(),
        };
        // The upstream's words, without anything key-like in them.
        let message = if message.is_empty() {
            "the upstream response failed".to_owned()
        } else {
            crate::upstream_error::redact(message)
        };
        ChatError {
            status,
            error: Error {
                code: code.map(str::to_owned),
                message,
                param: param.map(str::to_owned),
                r#type: kind,
            },
        }
    }

    /// The error for a Responses `error` event.
    fn from_error_event(event: &ResponseErrorEvent) -> Self {
        ChatError::from_code(
            event.error_code(),
            event.error_message(),
            event.error_param(),
            event.error.as_ref().map(|e| e.r#type.as_str()),
        )
    }

    /// The error for a failed (or otherwise unfinished) response.
    fn from_response(response: &Response) -> Self {
        match &response.error {
            Some(error) => {
                ChatError::from_code(Some(error.code.as_str()), &error.message, None, None)
            }
            None => {
                let status = response
                    .status
                    .as_ref()
                    .map_or("unknown", ResponseStatus::as_str);
                let mut error = ChatError::from_code(
                    None,
                    &format!("the upstream response ended with status `{status}`"),
                    None,
                    None,
                );
                if status != "failed" {
                    error.status = 502;
                }
                error
            }
        }
    }

    /// The error for an upstream stream that ended before its terminal event.
    fn truncated(ended_properly: bool) -> Self {
        let how = if ended_properly {
            "the upstream stream ended without response.completed, response.incomplete or \
             response.failed"
        } else {
            "the upstream stream was cut off before its terminal event"
        };
        ChatError {
            status: 502,
            error: Error {
                code: Some("stream_truncated".to_owned()),
                message: format!("{how}: the answer is incomplete"),
                param: None,
                r#type: "server_error".to_owned(),
            },
        }
    }
}

impl fmt::Display for ChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.error.message, self.error.r#type)?;
        if let Some(code) = &self.error.code {
            write!(f, ", code {code}")?;
        }
        write!(f, ", HTTP {})", self.status)
    }
}

/// What went wrong converting Responses to Chat.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponsesToChatError {
    /// The upstream response did not succeed (failed, cancelled or unfinished): there is no
    /// chat completion to give, only this error ([`response_to_chat_completion`]).
    #[error("the upstream response did not succeed: {0}")]
    Upstream(Box<ChatError>),
    /// The chunk writer refused a call. The converter never makes such calls; this is here so
    /// that a bug shows as an error, not as a wrong stream or a panic.
    #[error("cannot write the chat chunks: {0}")]
    Emit(#[from] EmitError),
}

/// How far the converted stream has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No terminal event yet.
    Streaming,
    /// `response.completed`: the choice finished with `stop` or `tool_calls`.
    Completed,
    /// `response.incomplete`: the choice finished with `length` or `content_filter`.
    Incomplete,
    /// `response.failed` or an `error` event: the stream ended with an error event.
    Failed,
    /// The upstream ended without a terminal event: the stream ended with an error event.
    Truncated,
}

impl Outcome {
    /// Whether the chat stream ends with `data: [DONE]`: only after a finish reason, never
    /// after an error.
    pub fn sends_done(self) -> bool {
        matches!(self, Outcome::Completed | Outcome::Incomplete)
    }

    /// Whether the stream is over (anything but [`Outcome::Streaming`]).
    pub fn is_finished(self) -> bool {
        self != Outcome::Streaming
    }
}

/// Which part of a reasoning item a text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ReasoningKey {
    Summary(i64),
    Text(i64),
}

/// A function or custom tool call being converted.
#[derive(Debug, Default)]
struct CallState {
    custom: bool,
    name: String,
    call_id: String,
    handle: Option<ToolCallHandle>,
    /// The arguments (or custom input) received so far, as the upstream sent them.
    value: String,
    /// How many bytes of `value` went out.
    sent: usize,
    /// Whether the opening `{"input":"` of a custom call's wrapper went out.
    wrapper_opened: bool,
    /// Whether the closing `"}` of the wrapper went out.
    closed: bool,
}

/// What the converter keeps of one output item.
#[derive(Debug)]
enum ItemState {
    Message {
        /// Text sent, by `content_index`.
        text: BTreeMap<i64, String>,
        /// Refusal sent, by `content_index`.
        refusal: BTreeMap<i64, String>,
    },
    Reasoning {
        /// Reasoning sent, by part.
        parts: BTreeMap<ReasoningKey, String>,
    },
    Call(CallState),
    /// An item Chat has no equivalent for.
    Other,
}

impl ItemState {
    fn message() -> Self {
        ItemState::Message {
            text: BTreeMap::new(),
            refusal: BTreeMap::new(),
        }
    }

    fn reasoning() -> Self {
        ItemState::Reasoning {
            parts: BTreeMap::new(),
        }
    }
}

/// Converts a Responses API event stream into Chat Completions chunks, as the events arrive.
///
/// See the [module documentation](self) for the mapping. Events after the end of the stream
/// (a terminal event, an `error`, [`finish`](Self::finish)) are ignored: a `response.failed`
/// that follows an `error` event adds nothing.
#[derive(Debug)]
pub struct ResponsesToChat<I> {
    options: ResponsesToChatOptions,
    /// The id source until the writer is made (on the first chunk, once the model is known).
    ids: Option<I>,
    writer: Option<ChatChunkWriter<I>>,
    upstream_model: Option<String>,
    service_tier: Option<ServiceTier2>,
    items: BTreeMap<i64, ItemState>,
    /// Whether some reasoning went out (the next part starts with a blank line).
    reasoning_sent: bool,
    tool_calls: usize,
    usage: Option<CompletionUsage>,
    outcome: Outcome,
    error: Option<ChatError>,
}

impl<I: IdSource> ResponsesToChat<I> {
    /// A converter for one response; the chat completion's `id` (`chatcmpl-…`), `created` and
    /// the ids of tool calls without a `call_id` come from `ids`.
    pub fn new(options: ResponsesToChatOptions, ids: I) -> Self {
        ResponsesToChat {
            options,
            ids: Some(ids),
            writer: None,
            upstream_model: None,
            service_tier: None,
            items: BTreeMap::new(),
            reasoning_sent: false,
            tool_calls: 0,
            usage: None,
            outcome: Outcome::Streaming,
            error: None,
        }
    }

    /// Converts one upstream event into the chunks it implies (often none, often one).
    ///
    /// Errors only on a bug in the converter ([`ResponsesToChatError::Emit`]); upstream
    /// failures are chunks (an error event), not errors.
    pub fn push(
        &mut self,
        event: &ResponseStreamEvent,
    ) -> Result<Vec<ChatCompletionStreamEvent>, ResponsesToChatError> {
        use ResponseStreamEvent as E;
        let mut out = Vec::new();
        if self.outcome.is_finished() {
            return Ok(out);
        }
        match event {
            E::ResponseCreated(e) => self.adopt(&e.response),
            E::ResponseInProgress(e) => self.adopt(&e.response),
            E::ResponseQueued(e) => self.adopt(&e.response),
            E::ResponseOutputItemAdded(e) => self.item_added(e.output_index, &e.item, &mut out)?,
            E::ResponseOutputItemDone(e) => self.item_done(e.output_index, &e.item, &mut out)?,
            E::ResponseContentPartDone(e) => match &e.part {
                OutputContent::OutputText(part) => {
                    self.text(
                        e.output_index,
                        e.content_index,
                        Text::Full(&part.text),
                        &mut out,
                    )?;
                }
                OutputContent::Refusal(part) => {
                    let text = Text::Full(&part.refusal);
                    self.refusal(e.output_index, e.content_index, text, &mut out)?;
                }
                OutputContent::ReasoningText(part) => {
                    let key = ReasoningKey::Text(e.content_index);
                    self.reasoning(e.output_index, key, Text::Full(&part.text), &mut out)?;
                }
                OutputContent::Unknown(_) => {}
            },
            E::ResponseOutputTextDelta(e) => {
                self.text(
                    e.output_index,
                    e.content_index,
                    Text::Delta(&e.delta),
                    &mut out,
                )?;
            }
            E::ResponseOutputTextDone(e) => {
                self.text(
                    e.output_index,
                    e.content_index,
                    Text::Full(&e.text),
                    &mut out,
                )?;
            }
            E::ResponseRefusalDelta(e) => {
                self.refusal(
                    e.output_index,
                    e.content_index,
                    Text::Delta(&e.delta),
                    &mut out,
                )?;
            }
            E::ResponseRefusalDone(e) => {
                self.refusal(
                    e.output_index,
                    e.content_index,
                    Text::Full(&e.refusal),
                    &mut out,
                )?;
            }
            E::ResponseReasoningSummaryTextDelta(e) => {
                let key = ReasoningKey::Summary(e.summary_index);
                self.reasoning(e.output_index, key, Text::Delta(&e.delta), &mut out)?;
            }
            E::ResponseReasoningSummaryTextDone(e) => {
                let key = ReasoningKey::Summary(e.summary_index);
                self.reasoning(e.output_index, key, Text::Full(&e.text), &mut out)?;
            }
            E::ResponseReasoningSummaryPartDone(e) => {
                let key = ReasoningKey::Summary(e.summary_index);
                self.reasoning(e.output_index, key, Text::Full(&e.part.text), &mut out)?;
            }
            E::ResponseReasoningTextDelta(e) => {
                let key = ReasoningKey::Text(e.content_index);
                self.reasoning(e.output_index, key, Text::Delta(&e.delta), &mut out)?;
            }
            E::ResponseReasoningTextDone(e) => {
                let key = ReasoningKey::Text(e.content_index);
                self.reasoning(e.output_index, key, Text::Full(&e.text), &mut out)?;
            }
            E::ResponseFunctionCallArgumentsDelta(e) => {
                let call = CallUpdate::new(false, Text::Delta(&e.delta));
                self.call(e.output_index, call, &mut out)?;
            }
            E::ResponseFunctionCallArgumentsDone(e) => {
                let mut call = CallUpdate::new(false, Text::Full(&e.arguments));
                call.name = Some(&e.name);
                self.call(e.output_index, call, &mut out)?;
            }
            E::ResponseCustomToolCallInputDelta(e) => {
                let call = CallUpdate::new(true, Text::Delta(&e.delta));
                self.call(e.output_index, call, &mut out)?;
            }
            E::ResponseCustomToolCallInputDone(e) => {
                let mut call = CallUpdate::new(true, Text::Full(&e.input));
                call.close = true;
                self.call(e.output_index, call, &mut out)?;
            }
            E::ResponseCompleted(e) => self.terminal(&e.response, Outcome::Completed, &mut out)?,
            E::ResponseIncomplete(e) => {
                self.terminal(&e.response, Outcome::Incomplete, &mut out)?;
            }
            E::ResponseFailed(e) => self.terminal(&e.response, Outcome::Failed, &mut out)?,
            E::Error(e) => self.fail(ChatError::from_error_event(e), Outcome::Failed, &mut out),
            // Content parts opening, annotations, hosted tool progress, audio, MCP, shell
            // output, injections and unknown events have no Chat equivalent.
            _ => {}
        }
        Ok(out)
    }

    /// Ends the conversion when the upstream stream ends. After a terminal event this gives
    /// nothing. Without one, the stream was cut off (`ended_properly` false: the connection or
    /// the body broke off) or closed early (`ended_properly` true: for instance a `[DONE]`
    /// without `response.completed`); either way the answer is not known to be complete, so
    /// this gives an error event ([`Outcome::Truncated`], no `[DONE]`).
    pub fn finish(
        &mut self,
        ended_properly: bool,
    ) -> Result<Vec<ChatCompletionStreamEvent>, ResponsesToChatError> {
        let mut out = Vec::new();
        if !self.outcome.is_finished() {
            self.fail(
                ChatError::truncated(ended_properly),
                Outcome::Truncated,
                &mut out,
            );
        }
        Ok(out)
    }

    /// How far the stream has got; [`Outcome::sends_done`] says whether to end the body with
    /// `data: [DONE]`.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The error the stream ended with (failed, `error` event, truncated), if it did.
    pub fn error(&self) -> Option<&ChatError> {
        self.error.as_ref()
    }

    /// Whether a chunk went out already. While it has not, a gateway can still answer an
    /// [`error`](Self::error) with an HTTP error status instead of an error event.
    pub fn started(&self) -> bool {
        self.writer.is_some()
    }

    /// The chat completion as the chunks so far describe it (what folding them gives), with
    /// the upstream's usage whenever it reported one, `include_usage` or not.
    pub fn completion(&self) -> ChatCompletion {
        let mut completion = match &self.writer {
            Some(writer) => writer.completion(),
            None => ChatCompletion {
                model: self.model(),
                ..ChatCompletion::default()
            },
        };
        completion.usage.clone_from(&self.usage);
        completion
    }

    /// The model the chunks carry.
    fn model(&self) -> String {
        self.options
            .model
            .clone()
            .or_else(|| self.upstream_model.clone())
            .unwrap_or_default()
    }

    /// Keeps what the chunks echo from a lifecycle event's response.
    fn adopt(&mut self, response: &Response) {
        if let Some(model) = response.model.as_ref().and_then(model_name) {
            self.upstream_model = Some(model);
        }
        if let Some(tier) = &response.service_tier {
            self.service_tier = Some(ServiceTier2::from(tier.as_str()));
        }
    }

    /// The writer, made on first use.
    fn writer(&mut self) -> Result<&mut ChatChunkWriter<I>, ResponsesToChatError> {
        if self.writer.is_none()
            && let Some(ids) = self.ids.take()
        {
            let options = ChatOptions {
                model: self.model(),
                n: 1,
                include_usage: false,
                system_fingerprint: None,
                service_tier: self.service_tier.clone(),
            };
            self.writer = Some(ChatChunkWriter::new(options, ids));
        }
        self.writer
            .as_mut()
            .ok_or(ResponsesToChatError::Emit(EmitError::NotStarted))
    }

    fn item_added(
        &mut self,
        output_index: i64,
        item: &OutputItem,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) -> Result<(), ResponsesToChatError> {
        match item {
            OutputItem::FunctionCall(call) => {
                let mut update = CallUpdate::new(false, Text::Full(&call.arguments));
                update.name = Some(&call.name);
                update.call_id = Some(&call.call_id);
                self.call(output_index, update, out)
            }
            OutputItem::CustomToolCall(call) => {
                let mut update = CallUpdate::new(true, Text::Full(&call.input));
                update.name = Some(&call.name);
                update.call_id = Some(&call.call_id);
                self.call(output_index, update, out)
            }
            // Text in an added item (not seen in practice) is caught up when the item is done.
            OutputItem::Message(_) => {
                self.items
                    .entry(output_index)
                    .or_insert_with(ItemState::message);
                Ok(())
            }
            OutputItem::Reasoning(_) => {
                self.items
                    .entry(output_index)
                    .or_insert_with(ItemState::reasoning);
                Ok(())
            }
            _ => {
                self.items.entry(output_index).or_insert(ItemState::Other);
                Ok(())
            }
        }
    }

    fn item_done(
        &mut self,
        output_index: i64,
        item: &OutputItem,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) -> Result<(), ResponsesToChatError> {
        match item {
            OutputItem::Message(message) => {
                // The done item lists its parts in order; the deltas named them by wire
                // `content_index`, which some servers do not start at 0 (Bedrock starts at 1).
                let known = match self.items.get(&output_index) {
                    Some(ItemState::Message { text, refusal }) => {
                        let mut keys: Vec<i64> =
                            text.keys().chain(refusal.keys()).copied().collect();
                        keys.sort_unstable();
                        keys.dedup();
                        keys
                    }
                    _ => Vec::new(),
                };
                for (position, part) in message.content.iter().enumerate() {
                    let content_index = wire_key(&known, position);
                    match part {
                        OutputMessageContent::OutputText(part) => {
                            self.text(output_index, content_index, Text::Full(&part.text), out)?;
                        }
                        OutputMessageContent::Refusal(part) => {
                            let text = Text::Full(&part.refusal);
                            self.refusal(output_index, content_index, text, out)?;
                        }
                        OutputMessageContent::Unknown(_) => {}
                    }
                }
                Ok(())
            }
            OutputItem::Reasoning(reasoning) => {
                let streamed: Vec<ReasoningKey> = match self.items.get(&output_index) {
                    Some(ItemState::Reasoning { parts }) => parts.keys().copied().collect(),
                    _ => Vec::new(),
                };
                let summary_keys: Vec<i64> = streamed
                    .iter()
                    .filter_map(|k| match k {
                        ReasoningKey::Summary(i) => Some(*i),
                        ReasoningKey::Text(_) => None,
                    })
                    .collect();
                let text_keys: Vec<i64> = streamed
                    .iter()
                    .filter_map(|k| match k {
                        ReasoningKey::Text(i) => Some(*i),
                        ReasoningKey::Summary(_) => None,
                    })
                    .collect();
                let summary = reasoning
                    .summary
                    .iter()
                    .enumerate()
                    .map(|(position, part)| {
                        let key = ReasoningKey::Summary(wire_key(&summary_keys, position));
                        (key, part.text.as_str())
                    });
                let text =
                    reasoning
                        .content
                        .iter()
                        .flatten()
                        .enumerate()
                        .map(|(position, part)| {
                            let key = ReasoningKey::Text(wire_key(&text_keys, position));
                            (key, part.text.as_str())
                        });
                let parts: Vec<(ReasoningKey, &str)> = summary.chain(text).collect();
                // Catch up the kinds of parts that streamed; when none did, the summary, or
                // the reasoning text when there is no summary (never both: they say the same).
                let streamed_summary = streamed
                    .iter()
                    .any(|k| matches!(k, ReasoningKey::Summary(_)));
                let streamed_text = streamed.iter().any(|k| matches!(k, ReasoningKey::Text(_)));
                let has_summary = reasoning.summary.iter().any(|p| !p.text.is_empty());
                let (summary, text) = if streamed.is_empty() {
                    (has_summary, !has_summary)
                } else {
                    (streamed_summary, streamed_text)
                };
                for (key, part) in parts {
                    let wanted = match key {
                        ReasoningKey::Summary(_) => summary,
                        ReasoningKey::Text(_) => text,
                    };
                    if wanted {
                        self.reasoning(output_index, key, Text::Full(part), out)?;
                    }
                }
                Ok(())
            }
            OutputItem::FunctionCall(call) => {
                let mut update = CallUpdate::new(false, Text::Full(&call.arguments));
                update.name = Some(&call.name);
                update.call_id = Some(&call.call_id);
                self.call(output_index, update, out)
            }
            OutputItem::CustomToolCall(call) => {
                let mut update = CallUpdate::new(true, Text::Full(&call.input));
                update.name = Some(&call.name);
                update.call_id = Some(&call.call_id);
                update.close = true;
                self.call(output_index, update, out)
            }
            _ => {
                self.items.entry(output_index).or_insert(ItemState::Other);
                Ok(())
            }
        }
    }

    fn text(
        &mut self,
        output_index: i64,
        content_index: i64,
        text: Text<'_>,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) -> Result<(), ResponsesToChatError> {
        let item = self
            .items
            .entry(output_index)
            .or_insert_with(ItemState::message);
        let ItemState::Message { text: sent, .. } = item else {
            return Ok(());
        };
        let Some(piece) = text.advance(sent.entry(content_index).or_default()) else {
            return Ok(());
        };
        let chunks = self.writer()?.push_content(0, &piece)?;
        out.extend(chunks);
        Ok(())
    }

    fn refusal(
        &mut self,
        output_index: i64,
        content_index: i64,
        text: Text<'_>,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) -> Result<(), ResponsesToChatError> {
        let item = self
            .items
            .entry(output_index)
            .or_insert_with(ItemState::message);
        let ItemState::Message { refusal: sent, .. } = item else {
            return Ok(());
        };
        let Some(piece) = text.advance(sent.entry(content_index).or_default()) else {
            return Ok(());
        };
        let chunks = self.writer()?.push_refusal(0, &piece)?;
        out.extend(chunks);
        Ok(())
    }

    fn reasoning(
        &mut self,
        output_index: i64,
        key: ReasoningKey,
        text: Text<'_>,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) -> Result<(), ResponsesToChatError> {
        if self.options.reasoning == ReasoningMode::Drop {
            return Ok(());
        }
        let item = self
            .items
            .entry(output_index)
            .or_insert_with(ItemState::reasoning);
        let ItemState::Reasoning { parts } = item else {
            return Ok(());
        };
        let sent = parts.entry(key).or_default();
        let first = sent.is_empty();
        let Some(piece) = text.advance(sent) else {
            return Ok(());
        };
        let piece = if first && self.reasoning_sent {
            format!("\n\n{piece}")
        } else {
            piece
        };
        self.reasoning_sent = true;
        let chunks = self.writer()?.push_reasoning(0, &piece)?;
        out.extend(chunks);
        Ok(())
    }

    /// Applies what an event says about a tool call: opens it once its name is known, and
    /// sends the arguments not sent yet.
    fn call(
        &mut self,
        output_index: i64,
        update: CallUpdate<'_>,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) -> Result<(), ResponsesToChatError> {
        let wrap = self.options.custom_tool_calls == CustomToolCallMode::InputObject;
        let item = self.items.entry(output_index).or_insert_with(|| {
            ItemState::Call(CallState {
                custom: update.custom,
                ..CallState::default()
            })
        });
        let ItemState::Call(call) = item else {
            return Ok(());
        };
        if call.custom != update.custom {
            return Ok(());
        }
        if let Some(name) = update.name.filter(|n| !n.is_empty())
            && call.name.is_empty()
        {
            name.clone_into(&mut call.name);
        }
        if let Some(call_id) = update.call_id.filter(|c| !c.is_empty())
            && call.call_id.is_empty()
        {
            call_id.clone_into(&mut call.call_id);
        }
        // `value` only grows, by what `advance` gives; what goes out is read from it below.
        let _ = update.text.advance(&mut call.value);
        let open = call.handle.is_none() && !call.name.is_empty();
        let opening = open.then(|| {
            let call_id = (!call.call_id.is_empty()).then(|| call.call_id.clone());
            (call.name.clone(), call_id)
        });
        if let Some((name, call_id)) = opening {
            let (handle, chunks) = self.writer()?.open_tool_call(0, name, call_id)?;
            out.extend(chunks);
            self.tool_calls += 1;
            if let Some(ItemState::Call(call)) = self.items.get_mut(&output_index) {
                call.handle = Some(handle);
            }
        }
        let (Some(ItemState::Call(call)), Some(writer)) =
            (self.items.get_mut(&output_index), self.writer.as_mut())
        else {
            return Ok(());
        };
        let wrapped = call.custom && wrap;
        send_arguments(writer, call, wrapped, update.close, out)
    }

    /// Finishes the stream from a terminal event's response.
    fn terminal(
        &mut self,
        response: &Response,
        outcome: Outcome,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) -> Result<(), ResponsesToChatError> {
        self.adopt(response);
        let status = response.status.as_ref();
        let failed = outcome == Outcome::Failed
            || matches!(status, Some(ResponseStatus::Failed))
            || (outcome == Outcome::Completed
                && response
                    .error
                    .as_ref()
                    .is_some_and(|e| !e.message.is_empty() || !e.code.as_str().is_empty()));
        if failed {
            self.fail(ChatError::from_response(response), Outcome::Failed, out);
            return Ok(());
        }
        if matches!(
            status,
            Some(ResponseStatus::Cancelled | ResponseStatus::InProgress | ResponseStatus::Queued)
        ) {
            self.fail(ChatError::from_response(response), Outcome::Failed, out);
            return Ok(());
        }
        let incomplete =
            outcome == Outcome::Incomplete || matches!(status, Some(ResponseStatus::Incomplete));
        // Close `{"input":"…` wrappers that never got their done event.
        let wrap = self.options.custom_tool_calls == CustomToolCallMode::InputObject;
        if let Some(writer) = self.writer.as_mut() {
            for item in self.items.values_mut() {
                if let ItemState::Call(call) = item
                    && call.handle.is_some()
                {
                    send_arguments(writer, call, call.custom && wrap, true, out)?;
                }
            }
        }
        let reason = if incomplete {
            match response
                .incomplete_details
                .as_ref()
                .and_then(|d| d.reason.as_ref())
            {
                Some(ResponseIncompleteDetailsReason::ContentFilter) => {
                    ChatCompletionChunkChoiceFinishReason::ContentFilter
                }
                _ => ChatCompletionChunkChoiceFinishReason::Length,
            }
        } else if self.tool_calls > 0 {
            ChatCompletionChunkChoiceFinishReason::ToolCalls
        } else {
            ChatCompletionChunkChoiceFinishReason::Stop
        };
        self.usage = response.usage.as_ref().map(chat_usage);
        let include_usage = self.options.include_usage;
        let usage = self.usage.clone();
        let writer = self.writer()?;
        out.extend(writer.finish(0, reason)?);
        out.extend(writer.end(None)?);
        if let (true, Some(usage)) = (include_usage, usage) {
            let completion = writer.completion();
            let chunk = ChatCompletionChunk {
                id: completion.id,
                choices: Vec::new(),
                created: completion.created,
                model: completion.model,
                service_tier: completion.service_tier,
                system_fingerprint: completion.system_fingerprint,
                object: ChatCompletionChunkObject::ChatCompletionChunk,
                usage: Some(usage),
                ..ChatCompletionChunk::default()
            };
            out.push(ChatCompletionStreamEvent::ChatCompletionChunk(Box::new(
                chunk,
            )));
        }
        self.outcome = if incomplete {
            Outcome::Incomplete
        } else {
            Outcome::Completed
        };
        Ok(())
    }

    /// Ends the stream with an error event.
    fn fail(
        &mut self,
        error: ChatError,
        outcome: Outcome,
        out: &mut Vec<ChatCompletionStreamEvent>,
    ) {
        out.push(error.to_event());
        self.error = Some(error);
        self.outcome = outcome;
    }
}

/// Sends the part of a call's arguments not sent yet (with the `{"input":"` … `"}` wrapper of a
/// wrapped custom call), and the wrapper's end when `close`.
fn send_arguments<I: IdSource>(
    writer: &mut ChatChunkWriter<I>,
    call: &mut CallState,
    wrapped: bool,
    close: bool,
    out: &mut Vec<ChatCompletionStreamEvent>,
) -> Result<(), ResponsesToChatError> {
    let Some(handle) = call.handle else {
        return Ok(());
    };
    if call.closed {
        return Ok(());
    }
    let fresh = call.value.get(call.sent..).unwrap_or_default();
    let mut piece = String::new();
    if wrapped {
        if !call.wrapper_opened {
            piece.push_str("{\"input\":\"");
            call.wrapper_opened = true;
        }
        piece.push_str(&json_escape(fresh));
        if close {
            piece.push_str("\"}");
            call.closed = true;
        }
    } else {
        piece.push_str(fresh);
    }
    call.sent = call.value.len();
    if !piece.is_empty() {
        out.extend(writer.push_tool_arguments(handle, &piece)?);
    }
    Ok(())
}

/// The wire index of the part at `position` of a done item, given the sorted wire indices the
/// deltas used: the same position among them, or past the last of them.
fn wire_key(known: &[i64], position: usize) -> i64 {
    match known.get(position) {
        Some(key) => *key,
        None => {
            let next = known.last().map_or(0, |last| last.saturating_add(1));
            let beyond = i64::try_from(position - known.len()).unwrap_or(i64::MAX);
            next.saturating_add(beyond)
        }
    }
}

/// `text` as the inside of a JSON string (no quotes).
fn json_escape(text: &str) -> String {
    let quoted = serde_json::Value::String(text.to_owned()).to_string();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_owned()
}

/// What one event says about a tool call.
struct CallUpdate<'a> {
    custom: bool,
    name: Option<&'a str>,
    call_id: Option<&'a str>,
    text: Text<'a>,
    /// The value is complete (a custom call's wrapper can close).
    close: bool,
}

impl<'a> CallUpdate<'a> {
    fn new(custom: bool, text: Text<'a>) -> Self {
        CallUpdate {
            custom,
            name: None,
            call_id: None,
            text,
            close: false,
        }
    }
}

/// Text an event carries: a delta to append, or the full value so far (a `*.done` event, a
/// done item), of which only what was not sent yet goes out.
#[derive(Debug, Clone, Copy)]
enum Text<'a> {
    Delta(&'a str),
    Full(&'a str),
}

impl Text<'_> {
    /// Records the text as sent and gives the piece to send, if any. A full value that does
    /// not extend what was sent (the server contradicts its own deltas) sends nothing: chunks
    /// cannot be taken back.
    fn advance(self, sent: &mut String) -> Option<String> {
        let piece = match self {
            Text::Delta(delta) => delta,
            Text::Full(full) => full.strip_prefix(sent.as_str())?,
        };
        if piece.is_empty() {
            return None;
        }
        sent.push_str(piece);
        Some(piece.to_owned())
    }
}

/// The model's name as a string.
fn model_name(model: &openai_wire_events::ModelIdsResponses) -> Option<String> {
    Some(model.as_str())
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

/// Responses usage as Chat usage.
fn chat_usage(usage: &ResponseUsage) -> CompletionUsage {
    CompletionUsage {
        completion_tokens: usage.output_tokens,
        prompt_tokens: usage.input_tokens,
        // Chat's total is prompt + completion by definition; a Responses usage without
        // `total_tokens` (read as 0) gets that sum rather than a 0 that contradicts it.
        total_tokens: if usage.total_tokens == 0 {
            usage.input_tokens.saturating_add(usage.output_tokens)
        } else {
            usage.total_tokens
        },
        completion_tokens_details: Some(CompletionUsageCompletionTokensDetails {
            reasoning_tokens: Some(usage.output_tokens_details.reasoning_tokens),
            ..CompletionUsageCompletionTokensDetails::default()
        }),
        prompt_tokens_details: Some(CompletionUsagePromptTokensDetails {
            cached_tokens: Some(usage.input_tokens_details.cached_tokens),
            ..CompletionUsagePromptTokensDetails::default()
        }),
        compute_units: usage.compute_units,
    }
}

/// Ids for [`response_to_chat_completion`]: the completion id and time from the response.
struct ResponseIds {
    completion_id: Option<String>,
    created: i64,
    issued: u64,
}

impl IdSource for ResponseIds {
    fn id(&mut self, prefix: &str) -> String {
        if prefix == "chatcmpl-"
            && let Some(id) = self.completion_id.take()
        {
            return id;
        }
        self.issued += 1;
        format!("{prefix}{:04}", self.issued)
    }

    fn now(&mut self) -> i64 {
        self.created
    }
}

/// A whole (non-streaming) Responses [`Response`] as a Chat [`ChatCompletion`]: the gateway's
/// non-streaming `POST /v1/chat/completions` for a Responses upstream.
///
/// The mapping is the streaming one's (see the [module documentation](self)), with `usage`
/// always set when the response has one. The completion's `id` is `chatcmpl-` followed by the
/// response id without its `resp_` prefix, and `created` is the response's `created_at`.
///
/// A response that did not succeed (`failed`, an `error`, `cancelled`, or not finished:
/// `in_progress`, `queued`) is a [`ResponsesToChatError::Upstream`] error carrying the Chat
/// error and its HTTP status, never a completion.
///
/// ```
/// use openai_wire_convert::stream::responses_to_chat::{response_to_chat_completion, ResponsesToChatOptions};
/// use openai_wire_events::Response;
///
/// let response: Response = serde_json::from_str(r#"{"id":"resp_7","status":"completed","created_at":1700000000,
///     "model":"gpt-4o-mini","output":[{"type":"function_call","id":"fc_1","call_id":"call_1",
///     "name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}]}"#)?;
/// let completion = response_to_chat_completion(&response, &ResponsesToChatOptions::default())?;
/// assert_eq!(completion.id, "chatcmpl-7");
/// assert_eq!(completion.model, "gpt-4o-mini");
/// let choice = &completion.choices[0];
/// assert_eq!(choice.finish_reason.as_ref().map(|r| r.as_str()), Some("tool_calls"));
/// assert_eq!(choice.message.tool_calls.as_ref().map(Vec::len), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn response_to_chat_completion(
    response: &Response,
    options: &ResponsesToChatOptions,
) -> Result<ChatCompletion, ResponsesToChatError> {
    let id = response.id.strip_prefix("resp_").unwrap_or(&response.id);
    let ids = ResponseIds {
        completion_id: (!id.is_empty()).then(|| format!("chatcmpl-{id}")),
        created: float_seconds(response.created_at),
        issued: 0,
    };
    let mut convert = ResponsesToChat::new(options.clone(), ids);
    convert.adopt(response);
    let mut out = Vec::new();
    for (output_index, item) in (0_i64..).zip(&response.output) {
        convert.item_added(output_index, item, &mut out)?;
        convert.item_done(output_index, item, &mut out)?;
    }
    let outcome = match response.status {
        Some(ResponseStatus::Incomplete) => Outcome::Incomplete,
        Some(ResponseStatus::Failed) => Outcome::Failed,
        _ => Outcome::Completed,
    };
    convert.terminal(response, outcome, &mut out)?;
    if let Some(error) = convert.error.take() {
        return Err(ResponsesToChatError::Upstream(Box::new(error)));
    }
    Ok(convert.completion())
}

/// Seconds as a whole number, saturating (and 0 for what is not a number).
fn float_seconds(seconds: f64) -> i64 {
    if seconds.is_nan() {
        0
    } else {
        // `as` saturates at the bounds of i64.
        seconds as i64
    }
}
