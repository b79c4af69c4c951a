//! Chat Completions chunks → Responses events: [`ChatToResponses`].
//!
//! A gateway that speaks the Responses API to its client (Codex CLI, the OpenAI SDKs) and Chat
//! Completions to its upstream feeds each upstream chunk to a [`ChatToResponses`] and sends the
//! Responses events it returns at once. The converter drives an
//! [`openai_wire_emit::ResponseWriter`], so the event sequence is correct by construction
//! (sequence numbers, indices, part events, done events in `output_index` order, a terminal
//! event carrying the full response and full usage).
//!
//! # Mapping
//!
//! | Chat (choice 0) | Responses |
//! | --- | --- |
//! | `delta.reasoning_content`, `delta.reasoning`, Mistral `thinking` parts, text of `reasoning_details` (when no other reasoning text), `<think>…</think>` at the start of `content` (when asked) | a `reasoning` item: `reasoning_text` deltas ([`ReasoningOutput::Text`]) or summary deltas ([`ReasoningOutput::Summary`]); with [`ReasoningMode::carry`], the whole reasoning sealed in `encrypted_content` ([`crate::envelope`]) |
//! | `delta.content` (string, or Mistral `text` parts) | a `message` item, `output_text` deltas |
//! | `delta.refusal` | the message's `refusal` part |
//! | `delta.tool_calls[]` | one `function_call` item per call (grouped by `id`, else by `index`), `function_call_arguments` deltas; a `custom_tool_call` item (with its `namespace`, if any) when the tool-name map says the function wraps a custom tool, or when the call is streamed as a custom tool call (`custom.name`, `custom.input` in pieces: `custom_tool_call_input` deltas as they come); a client-executed `tool_search_call` item (arguments parsed, no delta events) when it stands for `tool_search` |
//! | `delta.function_call` (legacy) | a `function_call` item |
//! | `usage` (wherever it comes; the last one wins) | the terminal event's `usage`: `input_tokens` = `prompt_tokens`, `output_tokens` = `completion_tokens`, `cached_tokens`, `reasoning_tokens` (0 when absent), `total_tokens` = input + output |
//! | `finish_reason` `stop`, `tool_calls`, `function_call` (or none, before `[DONE]`) | `response.completed` |
//! | `finish_reason` `length` | `response.incomplete`, reason `max_output_tokens` |
//! | `finish_reason` `content_filter` | `response.incomplete`, reason `content_filter` |
//! | `finish_reason` `error`, `insufficient_system_resource` (DeepSeek) | `response.failed` (`server_error`, `server_is_overloaded`) |
//! | an `error` event | `response.failed` with OpenAI's code ([`crate::upstream_error`]) |
//! | the stream cut off ([`StreamEnd::Cut`], or [`StreamEnd::Eof`] before any `finish_reason`) | `response.failed` (`server_error`), never `completed` |
//!
//! Deltas are read by [`openai_wire_fold::chat_delta`] (the reader `ChatFold` and `openai-wire
//! inspect` use too): which field reasoning came in, Mistral's content parts, and which call each
//! tool-call fragment belongs to ([`ToolCallGroups`]; the converter closes the calls when other
//! output comes after them, so a later fragment without an id starts a new call).
//!
//! Items open when their first piece arrives and are finished when the stream moves on to
//! another kind of output (reasoning → message → tool calls) or when `finish_reason` arrives, so
//! a client sees `response.output_item.done` as early as the upstream allows. Tool calls stay
//! open until `finish_reason` (or other output), because parallel calls may interleave.
//!
//! Only choice 0 is converted (a Responses response has one output); other choices of an
//! `n > 1` stream are ignored.
//!
//! What waits: a `<think>` tag cut by a chunk boundary (at most 7 bytes); a tool call whose name
//! has not arrived yet (until it does, bounded by [`StreamOptions::max_pending_arguments`]); a
//! custom tool call's input, which is unwrapped from the function's JSON arguments when the call
//! ends; a tool-call fragment that repeats the arguments so far, while adding it up and reading
//! it as a replacement are both still possible JSON; content deltas that repeat the whole text
//! so far, growing, until the stream is known cumulative or not (see [`super::cumulative`]:
//! an ordinary stream is never rewritten, and a call never ends with arguments that are not
//! JSON when a cumulative reading of them is).
//!
//! # Example
//!
//! ```
//! use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
//! use openai_wire_emit::SequentialIds;
//! use openai_wire_events::{ChatCompletionStreamEvent, Response, StreamEvent};
//!
//! let mut converter = ChatToResponses::new(Response::default(), SequentialIds::default(), StreamOptions::default());
//! let mut events = converter.start()?;
//! for json in [
//!     r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]}"#,
//!     r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"#,
//! ] {
//!     let event = ChatCompletionStreamEvent::from_json(json)?;
//!     events.extend(converter.push_event(&event)?);
//! }
//! events.extend(converter.finish(StreamEnd::DoneMarker));
//! assert_eq!(events.last().map(|e| e.wire_type()), Some("response.completed"));
//! assert_eq!(converter.response().usage.map(|u| u.total_tokens), Some(6));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openai_wire_emit::{EmitError, IdSource, ItemHandle, ItemKind, ResponseWriter};
use openai_wire_events::{
    ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionStreamEvent, CompletionUsage,
    Response, ResponseIncompleteDetailsReason, ResponseStreamEvent, ResponseUsage,
    ResponseUsageInputTokensDetails, ResponseUsageOutputTokensDetails,
};
use openai_wire_fold::chat_delta::{
    DeltaPiece, ReasoningSource, ToolCallFragment, ToolCallGroups, completion_as_chunk, read_pieces,
};
use serde_json::Value;

pub mod server_tools;

pub use server_tools::{RoundEnd, ServerToolCall};

use super::cumulative::{ArgumentReader, ContentReader, has_other_output};
use crate::envelope::{EnvelopeKey, ReasoningCarry, ReasoningField, seal};
use crate::quirks::{Quirk, Quirks};
use crate::request::{ToolKind, ToolNames};
use crate::think::{ThinkPiece, ThinkSplitter};
use crate::upstream_error::{OpenAiErrorCode, UpstreamError, from_stream_error};

/// What a conversion call can fail with. It only happens when the converter itself misuses the
/// writer (a bug): the stream is then best ended with [`ChatToResponses::fail`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The Responses writer refused a call.
    #[error("the Responses writer refused a call: {0}")]
    Emit(#[from] EmitError),
}

/// How the upstream stream ended, as the transport saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEnd {
    /// `data: [DONE]` arrived: the upstream said the stream is over.
    DoneMarker,
    /// The connection closed cleanly without `[DONE]`. A proper end when a `finish_reason`
    /// arrived (or [`Quirk::MissingFinishReason`] is set); otherwise a cut-off stream.
    Eof,
    /// The stream broke off (connection reset, timeout, decode failure): always `failed`.
    Cut,
}

/// Where reasoning text goes in the Responses stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReasoningOutput {
    /// The reasoning item's `content` (`response.reasoning_text.delta`), as OpenAI's
    /// open-weight models stream raw reasoning.
    #[default]
    Text,
    /// The reasoning item's summary (`response.reasoning_summary_text.delta`), which clients
    /// such as Codex show as the model's thinking.
    Summary,
    /// Not shown: the reasoning item has no text (only `encrypted_content` when carrying), and
    /// without carrying no reasoning item is made at all.
    Hidden,
}

/// What to do with the upstream's reasoning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReasoningMode {
    /// Where the text goes.
    pub output: ReasoningOutput,
    /// Whether to seal the reasoning into the item's `encrypted_content` (with
    /// [`StreamOptions::envelope_key`]), so that a stateless client brings it back on the next
    /// turn for providers that want it (DeepSeek thinking mode, Kimi, GLM).
    pub carry: bool,
}

/// Conversion options. `Default` converts OpenAI-conformant streams with reasoning shown as
/// reasoning text, no carrying, no `<think>` parsing, no tool-name map.
#[derive(Debug, Clone, Default)]
pub struct StreamOptions {
    /// The provider's quirks (see [`crate::quirks`]); only the opt-in ones change anything.
    pub quirks: Quirks,
    /// What to do with reasoning.
    pub reasoning: ReasoningMode,
    /// The key that seals carried reasoning ([`EnvelopeKey::default`] when `None`).
    pub envelope_key: Option<EnvelopeKey>,
    /// How Chat function names map back to custom and namespace tools (the map the request
    /// conversion made; `None` takes every function name as it is).
    pub tool_names: Option<ToolNames>,
    /// Arguments of a tool call held back while its name is unknown, at most (bytes); past
    /// this the call is opened with the name it has. 0 means 1 MiB.
    pub max_pending_arguments: usize,
}

const DEFAULT_MAX_PENDING: usize = 1 << 20;

/// One tool call of choice 0.
#[derive(Debug, Default)]
struct Call {
    id: String,
    name: String,
    /// The arguments that may go out (read by `reader`, so de-duplicated for cumulative
    /// providers).
    arguments: String,
    /// Reads the fragments, ordinary or cumulative.
    reader: ArgumentReader,
    /// How many bytes of `arguments` were pushed to the item.
    pushed: usize,
    handle: Option<ItemHandle>,
    custom: bool,
    /// Streamed as a custom tool call (`custom` fragments): its arguments are the input, free
    /// text, pushed as it comes (not JSON to unwrap or to read cumulatively).
    native_custom: bool,
    /// A client `tool_search` call: its arguments go into a `tool_search_call` item.
    search: bool,
    /// A call of a tool the server runs (`web_search`): a `web_search_call` item that stays
    /// open until the caller reports the search ([`server_tools`]).
    server: bool,
    /// The server has reported this call's outcome.
    server_done: bool,
    finished: bool,
}

/// The reasoning item being written.
#[derive(Debug)]
struct Reasoning {
    handle: ItemHandle,
    field: ReasoningField,
    text: String,
    details: Vec<Value>,
}

/// Converts one Chat Completions stream into one Responses stream. See the [module
/// docs](self) for the mapping.
#[derive(Debug)]
pub struct ChatToResponses<I: IdSource> {
    writer: ResponseWriter<I>,
    options: StreamOptions,
    think: Option<ThinkSplitter>,
    message: Option<ItemHandle>,
    reasoning: Option<Reasoning>,
    /// Which call each tool-call fragment belongs to; `calls` holds one `Call` per group.
    groups: ToolCallGroups,
    calls: Vec<Call>,
    /// Whether tool-call fragments are cumulative (set, or detected).
    cumulative: bool,
    /// Reads content deltas, ordinary or cumulative.
    content: ContentReader,
    detected: Quirks,
    finish_reason: Option<String>,
    usage: Option<CompletionUsage>,
    /// The usage of the earlier upstream rounds of this response ([`server_tools`]).
    rounds_usage: Option<ResponseUsage>,
    /// What this round said, kept when a server tool may need it sent back ([`server_tools`]).
    round: Option<server_tools::RoundText>,
    ended: bool,
}

impl<I: IdSource> ChatToResponses<I> {
    /// A converter for one response. `template` holds what the response echoes from the
    /// request (`model`, `instructions`, `tools`, …; see [`ResponseWriter::new`]); ids and
    /// timestamps come from `ids`.
    pub fn new(template: Response, ids: I, options: StreamOptions) -> Self {
        let think_tags = options.quirks.contains(Quirk::ThinkTagsInContent);
        let cumulative = options.quirks.contains(Quirk::CumulativeToolArguments);
        let content = ContentReader::new(options.quirks.contains(Quirk::CumulativeContent));
        let round = server_tools::RoundText::wanted(&options);
        ChatToResponses {
            writer: ResponseWriter::new(template, ids),
            think: think_tags.then(ThinkSplitter::new),
            options,
            message: None,
            reasoning: None,
            groups: ToolCallGroups::default(),
            calls: Vec::new(),
            cumulative,
            content,
            detected: Quirks::none(),
            finish_reason: None,
            usage: None,
            rounds_usage: None,
            round,
            ended: false,
        }
    }

    /// Starts the response: `response.created` and `response.in_progress`, to send before the
    /// upstream answers. Calling it again returns nothing; pushing a chunk first starts too.
    pub fn start(&mut self) -> Result<Vec<ResponseStreamEvent>, ConvertError> {
        if self.writer.next_sequence_number() > 0 || self.ended {
            return Ok(Vec::new());
        }
        Ok(self.writer.start()?)
    }

    /// The response id (`resp_…`).
    pub fn response_id(&self) -> &str {
        self.writer.response_id()
    }

    /// The quirks seen so far in the stream's chunks ([`Quirks::detect_from_chunk`]), plus
    /// [`Quirk::CumulativeToolArguments`] and [`Quirk::CumulativeContent`] once detected.
    pub fn detected_quirks(&self) -> Quirks {
        self.detected
    }

    /// Whether the response has ended (a terminal event was returned).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Converts any Chat stream event: a chunk as [`push_chunk`](Self::push_chunk); an
    /// `error` event ends the response as `failed` with the error's code; a whole
    /// `chat.completion` (a server that ignored `stream`) is converted as one chunk; unknown
    /// events change nothing.
    pub fn push_event(
        &mut self,
        event: &ChatCompletionStreamEvent,
    ) -> Result<Vec<ResponseStreamEvent>, ConvertError> {
        match event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => self.push_chunk(chunk),
            ChatCompletionStreamEvent::Error(error) => {
                let mut events = self.start()?;
                events.extend(self.fail(from_stream_error(error)));
                Ok(events)
            }
            ChatCompletionStreamEvent::ChatCompletion(completion) => {
                self.push_chunk(&completion_as_chunk(completion))
            }
            // Perplexity ends with `"object": "chat.completion.done"`: a chunk by its shape
            // (choices with deltas, the finish_reason, the usage) under an unknown name.
            ChatCompletionStreamEvent::Unknown(unknown) if unknown.raw.get("choices").is_some() => {
                match serde_json::from_value::<ChatCompletionChunk>(unknown.raw.clone()) {
                    Ok(chunk) => self.push_chunk(&chunk),
                    Err(_) => Ok(Vec::new()),
                }
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Converts one chunk: returns the Responses events it implies, at once.
    pub fn push_chunk(
        &mut self,
        chunk: &ChatCompletionChunk,
    ) -> Result<Vec<ResponseStreamEvent>, ConvertError> {
        if self.ended {
            return Ok(Vec::new());
        }
        let mut events = self.start()?;
        self.detected = self.detected.union(Quirks::detect_from_chunk(chunk));
        if chunk.usage.is_some() {
            self.usage.clone_from(&chunk.usage);
        }
        for choice in chunk.choices.iter().filter(|c| c.index == 0) {
            self.push_choice(choice, &mut events)?;
        }
        Ok(events)
    }

    /// Ends the response as `failed` with `error` (an HTTP error from the upstream, a mid-stream
    /// error, a transport failure). Open items are finished as `incomplete`. Nothing after the
    /// response has ended.
    pub fn fail(&mut self, error: UpstreamError) -> Vec<ResponseStreamEvent> {
        if self.ended {
            return Vec::new();
        }
        let mut events = self.start().unwrap_or_default();
        // Whatever was held back still belongs to the (failed) output; open items end
        // `incomplete`.
        if let Err(error) = self.drain(&mut events).and_then(|()| self.seal_reasoning()) {
            return self.fail_hard(events, &error);
        }
        self.ended = true;
        match self.writer.fail(error.to_response_error()) {
            Ok(more) => events.extend(more),
            Err(error) => events.extend(self.fail_fallback(&error)),
        }
        events
    }

    /// Ends the response for how the upstream stream ended: `completed` (or `incomplete` /
    /// `failed` per `finish_reason`) after `[DONE]` or a clean end after `finish_reason`;
    /// `failed` for a stream cut off. Never `completed` for a cut stream.
    pub fn finish(&mut self, ended: StreamEnd) -> Vec<ResponseStreamEvent> {
        if self.ended {
            return Vec::new();
        }
        let proper = match ended {
            StreamEnd::DoneMarker => true,
            StreamEnd::Eof => {
                self.finish_reason.is_some()
                    || self.options.quirks.contains(Quirk::MissingFinishReason)
            }
            StreamEnd::Cut => false,
        };
        if !proper {
            let detail = match ended {
                StreamEnd::Cut => "the connection broke off",
                _ => "the connection closed before any finish_reason or [DONE]",
            };
            return self.fail(UpstreamError::stream_cut(detail));
        }
        let mut events = self.start().unwrap_or_default();
        if let Err(error) = self
            .flush(&mut events)
            .and_then(|()| self.fail_unreported_server_calls(&mut events))
        {
            return self.fail_hard(events, &error);
        }
        let usage = self.response_usage();
        let reason = self.finish_reason.clone().unwrap_or_default();
        self.ended = true;
        let result = match classify_finish(&reason) {
            Finish::Completed => self.writer.complete(usage),
            Finish::Incomplete(reason) => self.writer.incomplete(reason, usage),
            Finish::Failed(code, message) => self
                .writer
                .fail(UpstreamError::new(code, message).to_response_error()),
        };
        match result {
            Ok(more) => events.extend(more),
            Err(error) => events.extend(self.fail_fallback(&error)),
        }
        events
    }

    /// Ends the response where it stands as `incomplete`, reason `max_output_tokens`, as if
    /// the upstream had stopped with `finish_reason: "length"`: for a caller that bounds the
    /// size of a response (OpenAI ends a response whose output reached its limit this way).
    /// Open items are finished; nothing after the response has ended.
    pub fn truncate(&mut self) -> Vec<ResponseStreamEvent> {
        if self.ended {
            return Vec::new();
        }
        self.finish_reason = Some("length".into());
        self.finish(StreamEnd::DoneMarker)
    }

    /// A `response.in_progress` event carrying the response as it stands, for a gateway to
    /// send while the upstream is silent; `None` before the start and after the end. It takes
    /// the next `sequence_number` from the writer (see [`ResponseWriter::in_progress`]), so a
    /// stream with heartbeats is as conformant as one without. An SSE comment
    /// (`: keep-alive`) is the quieter choice.
    pub fn heartbeat(&mut self) -> Option<ResponseStreamEvent> {
        if self.ended || self.writer.next_sequence_number() == 0 {
            return None;
        }
        self.writer.in_progress().ok()
    }

    /// The response as it stands: after the end, exactly what the terminal event carried (for
    /// the store).
    pub fn response(&self) -> Response {
        self.writer.response()
    }

    /// The usage so far, in Responses terms (zeros when the upstream sent none).
    pub fn response_usage(&self) -> ResponseUsage {
        let current = map_usage(self.usage.as_ref());
        match &self.rounds_usage {
            Some(earlier) => server_tools::add_usage(earlier, &current),
            None => current,
        }
    }

    fn push_choice(
        &mut self,
        choice: &ChatCompletionChunkChoice,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        if has_other_output(choice) {
            self.release_content(events)?;
        }
        read_pieces(choice, |piece| self.push_piece(piece, events))
    }

    /// One piece of choice 0's delta ([`openai_wire_fold::chat_delta`]).
    fn push_piece(
        &mut self,
        piece: DeltaPiece<'_>,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        match piece {
            DeltaPiece::Reasoning { source, text } => {
                let field = match source {
                    ReasoningSource::ReasoningContent => ReasoningField::ReasoningContent,
                    _ => ReasoningField::Reasoning,
                };
                self.reasoning_delta(field, &text, events)
            }
            DeltaPiece::ReasoningDetails(details) => self.reasoning_details(details, events),
            // The content string goes through the cumulative reader (which may hold it back);
            // Mistral's text parts are additions.
            DeltaPiece::Text { text, part: false } => {
                let (text, detected) = self.content.push(text);
                if detected {
                    self.detected.insert(Quirk::CumulativeContent);
                }
                self.content_delta(&text, events)
            }
            DeltaPiece::Text { text, part: true } => {
                let text = self.content.push_plain(text);
                self.content_delta(&text, events)
            }
            DeltaPiece::Refusal(refusal) => {
                if !refusal.is_empty() {
                    let message = self.ensure_message(events)?;
                    events.extend(self.writer.push_refusal(message, refusal)?);
                }
                Ok(())
            }
            DeltaPiece::FunctionCall(fragment) | DeltaPiece::ToolCall(fragment) => {
                self.tool_call_fragment(fragment, events)
            }
            DeltaPiece::Finish(reason) => {
                self.finish_reason = Some(reason.to_owned());
                self.flush(events)
            }
        }
    }

    /// OpenRouter's `reasoning_details`, kept with the reasoning item (opened for them if
    /// needed) to carry them back.
    fn reasoning_details(
        &mut self,
        details: &[Value],
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        if self.reasoning.is_none() && !details.is_empty() {
            self.open_reasoning(ReasoningField::Reasoning, events)?;
        }
        if let Some(reasoning) = &mut self.reasoning {
            reasoning.details.extend(details.iter().cloned());
        }
        Ok(())
    }

    /// Content deltas the cumulative reader held back, as ordinary text.
    fn release_content(
        &mut self,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        let held = self.content.release();
        self.content_delta(&held, events)
    }

    /// Content text, through the `<think>` splitter when it is on.
    fn content_delta(
        &mut self,
        text: &str,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        if text.is_empty() {
            return Ok(());
        }
        let Some(splitter) = &mut self.think else {
            return self.text_delta(text, events);
        };
        for piece in splitter.push(text) {
            self.think_piece(piece, events)?;
        }
        Ok(())
    }

    fn think_piece(
        &mut self,
        piece: ThinkPiece,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        match piece {
            ThinkPiece::Reasoning(text) => {
                self.reasoning_delta(ReasoningField::ReasoningContent, &text, events)
            }
            ThinkPiece::Content(text) => self.text_delta(&text, events),
        }
    }

    fn text_delta(
        &mut self,
        text: &str,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        if text.is_empty() {
            return Ok(());
        }
        if let Some(round) = &mut self.round {
            round.text.push_str(text);
        }
        let message = self.ensure_message(events)?;
        events.extend(self.writer.push_text(message, text)?);
        Ok(())
    }

    /// The open message, opened now (after finishing reasoning and tool calls) if needed.
    fn ensure_message(
        &mut self,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<ItemHandle, ConvertError> {
        if let Some(message) = self.message {
            return Ok(message);
        }
        self.finish_reasoning(events)?;
        self.finish_calls(events)?;
        let (message, opened) = self.writer.open_message()?;
        events.extend(opened);
        self.message = Some(message);
        Ok(message)
    }

    fn reasoning_delta(
        &mut self,
        field: ReasoningField,
        text: &str,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        if text.is_empty() {
            return Ok(());
        }
        if let Some(round) = &mut self.round {
            round.reasoning(field).push_str(text);
        }
        let mode = self.options.reasoning;
        if mode.output == ReasoningOutput::Hidden && !mode.carry {
            return Ok(());
        }
        if self.reasoning.is_none() {
            self.open_reasoning(field, events)?;
        }
        let Some(reasoning) = &mut self.reasoning else {
            return Ok(());
        };
        if mode.carry {
            reasoning.text.push_str(text);
        }
        let handle = reasoning.handle;
        match mode.output {
            ReasoningOutput::Text => events.extend(self.writer.push_reasoning_text(handle, text)?),
            ReasoningOutput::Summary => {
                events.extend(self.writer.push_reasoning_summary(handle, text)?)
            }
            ReasoningOutput::Hidden => {}
        }
        Ok(())
    }

    fn open_reasoning(
        &mut self,
        field: ReasoningField,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        self.finish_message(events)?;
        self.finish_calls(events)?;
        let (handle, opened) = self.writer.open_reasoning()?;
        events.extend(opened);
        self.reasoning = Some(Reasoning {
            handle,
            field,
            text: String::new(),
            details: Vec::new(),
        });
        Ok(())
    }

    fn finish_reasoning(
        &mut self,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        let Some(handle) = self.reasoning.as_ref().map(|r| r.handle) else {
            return Ok(());
        };
        self.seal_reasoning()?;
        self.reasoning = None;
        events.extend(self.writer.finish_item(handle)?);
        Ok(())
    }

    /// Seals the open reasoning into its `encrypted_content` when carrying.
    fn seal_reasoning(&mut self) -> Result<(), ConvertError> {
        let Some(reasoning) = &self.reasoning else {
            return Ok(());
        };
        if self.options.reasoning.carry {
            let carry = ReasoningCarry {
                field: reasoning.field,
                text: reasoning.text.clone(),
                details: (!reasoning.details.is_empty())
                    .then(|| Value::Array(reasoning.details.clone())),
            };
            let sealed = match &self.options.envelope_key {
                Some(key) => seal(&carry, key),
                None => seal(&carry, &EnvelopeKey::default()),
            };
            self.writer
                .set_encrypted_content(reasoning.handle, sealed)?;
        }
        Ok(())
    }

    fn finish_message(
        &mut self,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        if let Some(message) = self.message.take() {
            events.extend(self.writer.finish_item(message)?);
        }
        Ok(())
    }

    fn tool_call_fragment(
        &mut self,
        fragment: ToolCallFragment<'_>,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        self.finish_message(events)?;
        self.finish_reasoning(events)?;
        let grouped = self.groups.push(fragment);
        if grouped.started {
            self.calls.push(Call::default());
        }
        let limit = match self.options.max_pending_arguments {
            0 => DEFAULT_MAX_PENDING,
            n => n,
        };
        let position = grouped.key;
        let Some(call) = self.calls.get_mut(position) else {
            return Ok(());
        };
        if let Some(id) = grouped.id {
            // A server call without an upstream id got one of ours when it opened.
            if call.id.is_empty() {
                call.id = id.to_owned();
            }
        }
        if let Some(name) = grouped.name {
            // Once the item is open, its name is the one it opened with.
            if call.name.is_empty() || call.handle.is_none() {
                call.name.push_str(name);
            }
        }
        call.native_custom |= grouped.custom;
        if let (Some(input), true) = (grouped.arguments, call.native_custom) {
            call.arguments.push_str(input);
        } else if let Some(arguments) = grouped.arguments {
            let (added, detected) = call.reader.push(arguments, self.cumulative);
            if detected {
                self.cumulative = true;
                self.detected.insert(Quirk::CumulativeToolArguments);
            }
            call.arguments.push_str(&added);
        }
        let ready = !call.name.is_empty() && (!call.arguments.is_empty() || call.handle.is_some())
            || call.arguments.len() > limit;
        if ready {
            self.stream_call(position, events)?;
        }
        Ok(())
    }

    /// Opens the call's item if needed and pushes the arguments not pushed yet (custom tool
    /// input waits for the end of the call).
    fn stream_call(
        &mut self,
        position: usize,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        let mapped = match self.calls.get(position) {
            Some(call) if call.handle.is_none() => self
                .options
                .tool_names
                .as_ref()
                .and_then(|map| map.original(&call.name))
                .cloned(),
            _ => None,
        };
        let Some(call) = self.calls.get_mut(position) else {
            return Ok(());
        };
        if call.handle.is_none() {
            let call_id = (!call.id.is_empty()).then(|| call.id.clone());
            let (handle, opened) = match &mapped {
                Some(tool) if tool.kind == ToolKind::Custom => {
                    call.custom = true;
                    match &tool.namespace {
                        Some(namespace) => self.writer.open_namespaced_custom_tool_call(
                            namespace.clone(),
                            tool.name.clone(),
                            call_id,
                        )?,
                        None => self
                            .writer
                            .open_custom_tool_call(tool.name.clone(), call_id)?,
                    }
                }
                Some(tool) if tool.kind == ToolKind::ToolSearch => {
                    call.search = true;
                    self.writer.open_tool_search_call(call_id)?
                }
                Some(tool) if tool.kind == ToolKind::WebSearch => {
                    call.server = true;
                    self.writer.open_web_search_call()?
                }
                // A function of a `namespace` tool goes back with its namespace and its own
                // name, as OpenAI sends it (Codex dispatches on both).
                Some(tool) => match &tool.namespace {
                    Some(namespace) => self.writer.open_namespaced_function_call(
                        namespace.clone(),
                        tool.name.clone(),
                        call_id,
                    )?,
                    None => self.writer.open_function_call(tool.name.clone(), call_id)?,
                },
                None if call.native_custom => {
                    call.custom = true;
                    self.writer
                        .open_custom_tool_call(call.name.clone(), call_id)?
                }
                None => self.writer.open_function_call(call.name.clone(), call_id)?,
            };
            events.extend(opened);
            call.handle = Some(handle);
            // A server call's id is the gateway's to send back with its result; the upstream
            // may have sent none.
            if call.server && call.id.is_empty() {
                call.id = format!("call_ws{}", handle.output_index());
            }
        }
        if let (true, Some(handle)) = (call.native_custom, call.handle) {
            if call.pushed < call.arguments.len() {
                let delta = &call.arguments[call.pushed..];
                events.extend(self.writer.push_custom_input(handle, delta)?);
                call.pushed = call.arguments.len();
            }
            return Ok(());
        }
        if call.custom || call.server {
            return Ok(());
        }
        if let Some(handle) = call.handle {
            if call.pushed < call.arguments.len() {
                let delta = &call.arguments[call.pushed..];
                if call.search {
                    self.writer.push_tool_search_arguments(handle, delta)?;
                } else {
                    events.extend(self.writer.push_arguments(handle, delta)?);
                }
                call.pushed = call.arguments.len();
            }
        }
        Ok(())
    }

    /// Opens what is still unopened, pushes what is left and finishes every open tool call.
    fn finish_calls(&mut self, events: &mut Vec<ResponseStreamEvent>) -> Result<(), ConvertError> {
        self.drain_calls(events)?;
        self.groups.close();
        for call in &mut self.calls {
            if call.finished {
                continue;
            }
            call.finished = true;
            // A server tool's item stays open until its outcome is reported.
            if let (Some(handle), false) = (call.handle, call.server) {
                events.extend(self.writer.finish_item(handle)?);
            }
        }
        Ok(())
    }

    /// Opens every unfinished call still unopened and pushes what it holds (a custom tool's
    /// whole input), without finishing it.
    fn drain_calls(&mut self, events: &mut Vec<ResponseStreamEvent>) -> Result<(), ConvertError> {
        for position in 0..self.calls.len() {
            if self.calls[position].finished {
                continue;
            }
            let replacement = self.settle_arguments(position);
            self.stream_call(position, events)?;
            if let Some(replacement) = replacement {
                self.replace_arguments(position, replacement)?;
            }
            let call = &mut self.calls[position];
            if let (true, Some(handle)) = (call.custom, call.handle) {
                if call.pushed < call.arguments.len() {
                    let input = custom_input(&call.arguments);
                    events.extend(self.writer.push_custom_input(handle, &input)?);
                    call.pushed = call.arguments.len();
                }
            }
        }
        Ok(())
    }

    /// Ends a call's reading: what the reader held goes to the arguments; returns the arguments
    /// that replace them, if any ([`ArgumentReader::finish`]).
    fn settle_arguments(&mut self, position: usize) -> Option<String> {
        let call = self.calls.get_mut(position)?;
        let settled = call.reader.finish();
        call.arguments.push_str(&settled.added);
        if settled.detected {
            self.cumulative = true;
            self.detected.insert(Quirk::CumulativeToolArguments);
        }
        settled.replacement
    }

    /// Replaces an opened call's arguments: a function call's item and done event carry the
    /// replacement (its deltas went out already); a custom tool's input is pushed from it next.
    fn replace_arguments(
        &mut self,
        position: usize,
        replacement: String,
    ) -> Result<(), ConvertError> {
        let Some(call) = self.calls.get_mut(position) else {
            return Ok(());
        };
        match call.handle {
            Some(handle) if handle.kind() == ItemKind::FunctionCall => {
                self.writer.replace_arguments(handle, &replacement)?;
                call.pushed = replacement.len();
            }
            _ if call.custom => {}
            _ => call.pushed = replacement.len(),
        }
        call.arguments = replacement;
        Ok(())
    }

    /// Everything held back comes out, without finishing any item.
    fn drain(&mut self, events: &mut Vec<ResponseStreamEvent>) -> Result<(), ConvertError> {
        self.release_content(events)?;
        if let Some(splitter) = &mut self.think {
            for piece in splitter.finish() {
                self.think_piece(piece, events)?;
            }
        }
        self.drain_calls(events)
    }

    /// Everything held back comes out and every open item is finished.
    fn flush(&mut self, events: &mut Vec<ResponseStreamEvent>) -> Result<(), ConvertError> {
        self.drain(events)?;
        self.finish_reasoning(events)?;
        self.finish_message(events)?;
        self.finish_calls(events)?;
        Ok(())
    }

    /// The writer refused a flush: end the response as failed all the same.
    fn fail_hard(
        &mut self,
        mut events: Vec<ResponseStreamEvent>,
        error: &ConvertError,
    ) -> Vec<ResponseStreamEvent> {
        self.ended = true;
        let error = UpstreamError::new(
            OpenAiErrorCode::ServerError,
            format!("The gateway could not convert the upstream stream: {error}"),
        );
        if let Ok(more) = self.writer.fail(error.to_response_error()) {
            events.extend(more);
        }
        events
    }

    fn fail_fallback(&mut self, error: &EmitError) -> Vec<ResponseStreamEvent> {
        self.ended = true;
        let error = UpstreamError::new(
            OpenAiErrorCode::ServerError,
            format!("The gateway could not end the response: {error}"),
        );
        self.writer
            .fail(error.to_response_error())
            .unwrap_or_default()
    }
}

enum Finish {
    Completed,
    Incomplete(ResponseIncompleteDetailsReason),
    Failed(OpenAiErrorCode, String),
}

/// What a `finish_reason` means for the response.
fn classify_finish(reason: &str) -> Finish {
    match reason {
        "length" | "max_tokens" | "model_length" => {
            Finish::Incomplete(ResponseIncompleteDetailsReason::MaxOutputTokens)
        }
        "content_filter" | "safety" | "recitation" | "prohibited_content" => {
            Finish::Incomplete(ResponseIncompleteDetailsReason::ContentFilter)
        }
        "error" => Finish::Failed(
            OpenAiErrorCode::ServerError,
            "The upstream model stopped with finish_reason \"error\".".to_owned(),
        ),
        "insufficient_system_resource" => Finish::Failed(
            OpenAiErrorCode::ServerIsOverloaded,
            "The upstream interrupted the response: insufficient system resource.".to_owned(),
        ),
        _ => Finish::Completed,
    }
}

/// Chat usage → Responses usage: every field present, zeros when unknown, totals that add up.
///
/// Two provider habits are straightened out so that the details never exceed their totals:
/// xAI counts `reasoning_tokens` outside `completion_tokens` (its `total_tokens` is prompt +
/// completion + reasoning), so the reasoning is added to `output_tokens` when the total says so
/// or when the reasoning alone exceeds the completion; Grok on Azure reports more
/// `cached_tokens` than `prompt_tokens`, so cached tokens are capped at the input.
pub(crate) fn map_usage(usage: Option<&CompletionUsage>) -> ResponseUsage {
    let Some(usage) = usage else {
        return ResponseUsage::default();
    };
    let input = usage.prompt_tokens.max(0);
    let completion = usage.completion_tokens.max(0);
    let reasoning_reported = usage
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens)
        .unwrap_or(0)
        .max(0);
    let reasoning_outside = reasoning_reported > 0
        && (reasoning_reported > completion
            || usage.total_tokens
                == input
                    .saturating_add(completion)
                    .saturating_add(reasoning_reported));
    let output = if reasoning_outside {
        completion.saturating_add(reasoning_reported)
    } else {
        completion
    };
    let cached = usage
        .prompt_tokens_details
        .as_ref()
        .and_then(|d| d.cached_tokens)
        .unwrap_or(0)
        .clamp(0, input);
    let reasoning = usage
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens)
        .unwrap_or(0)
        .clamp(0, output);
    ResponseUsage {
        input_tokens: input,
        input_tokens_details: ResponseUsageInputTokensDetails {
            cached_tokens: cached,
            ..Default::default()
        },
        output_tokens: output,
        output_tokens_details: ResponseUsageOutputTokensDetails {
            reasoning_tokens: reasoning,
        },
        total_tokens: input.saturating_add(output),
        compute_units: usage.compute_units,
    }
}

/// A custom tool's input from the wrapping function's arguments: `{"input": "…"}` → `…`; any
/// other single string field; otherwise the arguments as they are.
fn custom_input(arguments: &str) -> String {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(arguments) {
        if let Some(Value::String(input)) = map.get("input") {
            return input.clone();
        }
        if map.len() == 1 {
            if let Some(Value::String(input)) = map.values().next() {
                return input.clone();
            }
        }
    }
    arguments.to_owned()
}
