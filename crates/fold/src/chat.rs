//! Chat Completions chunks folded into a [`ChatCompletion`].

use std::convert::Infallible;

use openai_wire_events::{
    ChatCompletion, ChatCompletionChoice, ChatCompletionChoiceFinishReason,
    ChatCompletionChoiceLogprobs, ChatCompletionChunk, ChatCompletionChunkChoice,
    ChatCompletionMessageCustomToolCall, ChatCompletionMessageCustomToolCallCustom,
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCall2,
    ChatCompletionMessageToolCallFunction, ChatCompletionObject, ChatCompletionResponseMessage,
    ChatCompletionResponseMessageFunctionCall, ChatCompletionStreamEvent, CompletionUsage,
    ErrorResponse, ServiceTier2,
};
use serde_json::Value;

use crate::chat_delta::{
    DeltaPiece, ReasoningSource, ToolCallFragment, ToolCallGroups, completion_as_chunk, read_pieces,
};
use crate::slots::{Slots, wire_index};
use crate::{ToolCall, ToolCallKind};

/// What one chunk changed. A chunk can carry several (one per choice with `n > 1`; content and
/// reasoning together, reasoning first, in the order [`crate::chat_delta`] reads them), so
/// [`ChatFold::push`] returns a `Vec` (empty, and not allocated, for chunks that change nothing
/// a caller reacts to).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatUpdate {
    /// Content text arrived for a choice.
    TextDelta {
        /// The choice's `index`.
        choice: u64,
        /// The new text.
        delta: String,
    },
    /// Refusal text arrived for a choice.
    RefusalDelta {
        /// The choice's `index`.
        choice: u64,
        /// The new text.
        delta: String,
    },
    /// Provider reasoning arrived (`reasoning_content`, `reasoning`, a Mistral thinking
    /// block, or the text of `reasoning_details` when the delta had no other reasoning text;
    /// see [`crate::chat_delta`]).
    ReasoningDelta {
        /// The choice's `index`.
        choice: u64,
        /// The new text.
        delta: String,
    },
    /// A tool call is complete: the next call of the same choice started, the choice got its
    /// `finish_reason`, or [`ChatFold::finish`] was called. Reported once per call. The
    /// deprecated `function_call` is reported too (index 0, no `call_id`) when its choice ends.
    ToolCallDone {
        /// The choice's `index`.
        choice: u64,
        /// The call; `index` is its position among the choice's tool calls.
        call: ToolCall,
    },
    /// A choice got its `finish_reason`.
    Finished {
        /// The choice's `index`.
        choice: u64,
        /// Why the choice ended.
        finish_reason: ChatCompletionChoiceFinishReason,
    },
}

/// One tool call being assembled (which call a fragment belongs to is the business of
/// [`ToolCallGroups`]).
#[derive(Debug, Clone, Default)]
struct CallState {
    id: String,
    name: String,
    /// The arguments (a custom tool call's input).
    arguments: String,
    /// Whether it is a custom tool call (`custom` fragments).
    custom: bool,
    reported: bool,
}

impl CallState {
    /// The call as a whole completion's message lists it.
    fn whole(&self) -> ChatCompletionMessageToolCall2 {
        if self.custom {
            return ChatCompletionMessageToolCall2::Custom(ChatCompletionMessageCustomToolCall {
                id: self.id.clone(),
                custom: ChatCompletionMessageCustomToolCallCustom {
                    name: self.name.clone(),
                    input: self.arguments.clone(),
                },
            });
        }
        ChatCompletionMessageToolCall2::Function(ChatCompletionMessageToolCall {
            id: self.id.clone(),
            function: ChatCompletionMessageToolCallFunction {
                name: self.name.clone(),
                arguments: self.arguments.clone(),
            },
        })
    }
}

/// One choice being assembled.
#[derive(Debug, Clone, Default)]
struct ChoiceState {
    content: Option<String>,
    refusal: Option<String>,
    reasoning_content: Option<String>,
    reasoning: Option<String>,
    reasoning_details: Option<Vec<Value>>,
    function_call: Option<ChatCompletionResponseMessageFunctionCall>,
    function_call_reported: bool,
    groups: ToolCallGroups,
    calls: Vec<CallState>,
    finish_reason: Option<ChatCompletionChoiceFinishReason>,
    logprobs: Option<ChatCompletionChoiceLogprobs>,
}

/// Folds Chat Completions chunks into the [`ChatCompletion`] the same request without
/// `stream` would have returned.
///
/// - Choices are grouped by `index` (`n > 1`), kept in index order; indices are never used to
///   size anything.
/// - Per choice: `content` and `refusal` are concatenated, logprobs appended; `content` sent as
///   an array of parts (Mistral) contributes its `text` parts to the content and its `thinking`
///   parts to `reasoning`. Provider reasoning is kept where it came: `reasoning_content`
///   (DeepSeek, Qwen, GLM, xAI, …) in the message's `reasoning_content`, `reasoning` (Groq,
///   Ollama, OpenRouter, …) in `reasoning`, and `reasoning_details` appended as sent.
/// - Deltas are read by [`crate::chat_delta`], as the Chat → Responses converter reads them.
/// - Tool calls are grouped by [`ToolCallGroups`]: a fragment with an `id` not seen before
///   starts a new call; a fragment with a known `id` extends that call; a fragment without `id`
///   extends the latest call with the same `index`, or starts one. So providers that send no
///   `index` (Mistral: every call reads as index 0, each with its own id) and providers that
///   send each call whole in one chunk get one call per id. `arguments` are concatenated
///   (providers that repeat the arguments cumulatively are not detected).
/// - `usage` is taken from wherever it arrives, the last one sent winning (last chunk with
///   choices, its own chunk, or every chunk).
/// - `id`, `model`, `created`, `system_fingerprint`, `service_tier`: the first non-empty value.
///
/// # Example
///
/// ```
/// use openai_wire_events::{ChatCompletionStreamEvent, StreamEvent};
/// use openai_wire_fold::{ChatFold, ChatUpdate};
///
/// let chunks = [
///     r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
///     r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
/// ];
/// let mut fold = ChatFold::new();
/// for json in chunks {
///     let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = ChatCompletionStreamEvent::from_json(json)? else { unreachable!() };
///     for update in fold.push(&chunk) {
///         if let ChatUpdate::TextDelta { delta, .. } = update { print!("{delta}"); }
///     }
/// }
/// let completion = fold.completion();
/// assert_eq!(completion.choices[0].message.content.as_deref(), Some("Hello"));
/// assert_eq!(fold.final_text(), "Hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChatFold {
    id: String,
    created: i64,
    model: String,
    system_fingerprint: Option<String>,
    service_tier: Option<ServiceTier2>,
    usage: Option<CompletionUsage>,
    slots: Slots,
    choices: Vec<ChoiceState>,
    error: Option<ErrorResponse>,
}

impl ChatFold {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one chunk and says what it changed.
    pub fn push(&mut self, chunk: &ChatCompletionChunk) -> Vec<ChatUpdate> {
        if self.id.is_empty() {
            self.id.clone_from(&chunk.id);
        }
        if self.model.is_empty() {
            self.model.clone_from(&chunk.model);
        }
        if self.created == 0 {
            self.created = chunk.created;
        }
        if self.system_fingerprint.is_none() {
            self.system_fingerprint
                .clone_from(&chunk.system_fingerprint);
        }
        if self.service_tier.is_none() {
            self.service_tier.clone_from(&chunk.service_tier);
        }
        if chunk.usage.is_some() {
            self.usage.clone_from(&chunk.usage);
        }
        let mut updates = Vec::new();
        for choice in &chunk.choices {
            self.push_choice(choice, &mut updates);
        }
        updates
    }

    /// Folds any Chat stream event: chunks as [`push`](Self::push); a whole `chat.completion`
    /// object (a server that ignored `stream`) as the one chunk that says the same
    /// ([`completion_as_chunk`]); an error event is kept ([`error`](Self::error)); unknown
    /// events change nothing.
    pub fn push_event(&mut self, event: &ChatCompletionStreamEvent) -> Vec<ChatUpdate> {
        match event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => self.push(chunk),
            ChatCompletionStreamEvent::ChatCompletion(completion) => {
                self.push(&completion_as_chunk(completion))
            }
            ChatCompletionStreamEvent::Error(error) => {
                self.error = Some(error.clone());
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Reports every tool call not reported yet as done: call at the end of a stream whose
    /// choices never got a `finish_reason`.
    pub fn finish(&mut self) -> Vec<ChatUpdate> {
        let mut updates = Vec::new();
        for (pos, choice) in self.choices.iter_mut().enumerate() {
            let index = self.slots.key(pos).unwrap_or(0);
            choice.report_calls(index, &mut updates);
        }
        updates
    }

    fn push_choice(&mut self, chunk: &ChatCompletionChunkChoice, updates: &mut Vec<ChatUpdate>) {
        let Some(index) = wire_index(chunk.index) else {
            return;
        };
        let pos = self
            .slots
            .find_or_insert(&mut self.choices, index, ChoiceState::default);
        let Some(choice) = self.choices.get_mut(pos) else {
            return;
        };
        let _ = read_pieces(chunk, |piece| {
            choice.push_piece(index, piece, updates);
            Ok::<(), Infallible>(())
        });
        if let Some(logprobs) = &chunk.logprobs {
            let all = choice.logprobs.get_or_insert_with(Default::default);
            if let Some(content) = &logprobs.content {
                all.content
                    .get_or_insert_with(Vec::new)
                    .extend(content.iter().cloned());
            }
            if let Some(refusal) = &logprobs.refusal {
                all.refusal
                    .get_or_insert_with(Vec::new)
                    .extend(refusal.iter().cloned());
            }
        }
    }

    /// The completion as the chunks so far describe it: `object` is `chat.completion`, each
    /// choice's `message` has its content, refusal, tool calls and provider reasoning.
    pub fn completion(&self) -> ChatCompletion {
        let choices = self
            .choices
            .iter()
            .enumerate()
            .map(|(pos, c)| ChatCompletionChoice {
                finish_reason: c.finish_reason.clone(),
                index: self
                    .slots
                    .key(pos)
                    .and_then(|k| i64::try_from(k).ok())
                    .unwrap_or_default(),
                message: ChatCompletionResponseMessage {
                    content: c.content.clone(),
                    refusal: c.refusal.clone(),
                    tool_calls: (!c.calls.is_empty())
                        .then(|| c.calls.iter().map(CallState::whole).collect()),
                    function_call: c.function_call.clone(),
                    reasoning_content: c.reasoning_content.clone(),
                    reasoning: c.reasoning.clone(),
                    reasoning_details: c.reasoning_details.clone(),
                    ..Default::default()
                },
                logprobs: c.logprobs.clone(),
            })
            .collect();
        ChatCompletion {
            id: self.id.clone(),
            choices,
            created: self.created,
            model: self.model.clone(),
            service_tier: self.service_tier.clone(),
            system_fingerprint: self.system_fingerprint.clone(),
            object: ChatCompletionObject::ChatCompletion,
            usage: self.usage.clone(),
            ..Default::default()
        }
    }

    /// The content of the first choice (the lowest `index`), empty when it has none.
    pub fn final_text(&self) -> String {
        self.choices
            .first()
            .and_then(|c| c.content.clone())
            .unwrap_or_default()
    }

    /// The usage, from whichever chunk carried it last.
    pub fn usage(&self) -> Option<&CompletionUsage> {
        self.usage.as_ref()
    }

    /// The error event, if the stream carried one (see [`push_event`](Self::push_event)).
    pub fn error(&self) -> Option<&ErrorResponse> {
        self.error.as_ref()
    }
}

/// Folds a whole Chat stream (chunks and other events) into its [`ChatCompletion`].
///
/// ```
/// use openai_wire_events::{ChatCompletionStreamEvent, StreamEvent};
///
/// let events = [
///     r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"add","arguments":""}}]}}]}"#,
///     r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}]}"#,
/// ]
/// .map(|json| ChatCompletionStreamEvent::from_json(json).unwrap());
/// let completion = openai_wire_fold::fold_chat(events);
/// let calls = completion.choices[0].message.tool_calls.as_ref().unwrap();
/// assert_eq!(calls.len(), 1);
/// ```
pub fn fold_chat(events: impl IntoIterator<Item = ChatCompletionStreamEvent>) -> ChatCompletion {
    let mut fold = ChatFold::new();
    for event in events {
        fold.push_event(&event);
    }
    fold.completion()
}

fn append(field: &mut Option<String>, text: &str) {
    field.get_or_insert_with(String::new).push_str(text);
}

/// Reports the calls not reported yet.
fn report_calls(choice: u64, calls: &mut [CallState], updates: &mut Vec<ChatUpdate>) {
    for (position, call) in calls.iter_mut().enumerate() {
        if !call.reported {
            call.reported = true;
            updates.push(ChatUpdate::ToolCallDone {
                choice,
                call: ToolCall {
                    kind: if call.custom {
                        ToolCallKind::Custom
                    } else {
                        ToolCallKind::Function
                    },
                    index: position as u64,
                    item_id: None,
                    call_id: call.id.clone(),
                    name: call.name.clone(),
                    arguments: call.arguments.clone(),
                },
            });
        }
    }
}

impl ChoiceState {
    /// Folds one piece of the choice's delta.
    fn push_piece(&mut self, choice: u64, piece: DeltaPiece<'_>, updates: &mut Vec<ChatUpdate>) {
        let text_update = |text: &str, update: fn(u64, String) -> ChatUpdate| {
            (!text.is_empty()).then(|| update(choice, text.to_owned()))
        };
        let update = match piece {
            DeltaPiece::Reasoning { source, text } => {
                match source {
                    ReasoningSource::ReasoningContent => append(&mut self.reasoning_content, &text),
                    ReasoningSource::Reasoning | ReasoningSource::ThinkingPart => {
                        append(&mut self.reasoning, &text)
                    }
                    // Kept as sent, below.
                    ReasoningSource::Details => {}
                }
                text_update(&text, |choice, delta| ChatUpdate::ReasoningDelta {
                    choice,
                    delta,
                })
            }
            DeltaPiece::ReasoningDetails(details) => {
                self.reasoning_details
                    .get_or_insert_with(Vec::new)
                    .extend(details.iter().cloned());
                None
            }
            DeltaPiece::Text { text, .. } => {
                append(&mut self.content, text);
                text_update(text, |choice, delta| ChatUpdate::TextDelta {
                    choice,
                    delta,
                })
            }
            DeltaPiece::Refusal(text) => {
                append(&mut self.refusal, text);
                text_update(text, |choice, delta| ChatUpdate::RefusalDelta {
                    choice,
                    delta,
                })
            }
            DeltaPiece::FunctionCall(fragment) => {
                let call = self.function_call.get_or_insert_with(Default::default);
                call.name.push_str(fragment.name.unwrap_or_default());
                call.arguments
                    .push_str(fragment.arguments.unwrap_or_default());
                None
            }
            DeltaPiece::ToolCall(fragment) => {
                self.tool_call_fragment(choice, fragment, updates);
                None
            }
            DeltaPiece::Finish(reason) => {
                let reason = ChatCompletionChoiceFinishReason::from(reason);
                self.report_calls(choice, updates);
                self.finish_reason = Some(reason.clone());
                Some(ChatUpdate::Finished {
                    choice,
                    finish_reason: reason,
                })
            }
        };
        updates.extend(update);
    }

    /// One tool-call fragment: a new call makes the calls before it complete.
    fn tool_call_fragment(
        &mut self,
        choice: u64,
        fragment: ToolCallFragment<'_>,
        updates: &mut Vec<ChatUpdate>,
    ) {
        let grouped = self.groups.push(fragment);
        if grouped.started {
            self.report_calls(choice, updates);
            self.calls.push(CallState::default());
        }
        let Some(call) = self.calls.get_mut(grouped.key) else {
            return;
        };
        if let Some(id) = grouped.id {
            call.id = id.to_owned();
        }
        call.name.push_str(grouped.name.unwrap_or_default());
        call.arguments
            .push_str(grouped.arguments.unwrap_or_default());
        call.custom |= grouped.custom;
    }

    /// Reports every call not reported yet as done (the legacy `function_call` too).
    fn report_calls(&mut self, choice: u64, updates: &mut Vec<ChatUpdate>) {
        report_calls(choice, &mut self.calls, updates);
        if let (Some(call), false) = (&self.function_call, self.function_call_reported) {
            self.function_call_reported = true;
            updates.push(ChatUpdate::ToolCallDone {
                choice,
                call: ToolCall {
                    kind: ToolCallKind::Function,
                    index: 0,
                    item_id: None,
                    call_id: String::new(),
                    name: call.name.clone(),
                    arguments: call.arguments.clone(),
                },
            });
        }
    }
}
