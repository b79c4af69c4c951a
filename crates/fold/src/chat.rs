//! Chat Completions chunks folded into a [`ChatCompletion`].

use openai_wire_events::{
    ChatCompletion, ChatCompletionChoice, ChatCompletionChoiceFinishReason,
    ChatCompletionChoiceLogprobs, ChatCompletionChunk, ChatCompletionChunkChoice,
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCall2,
    ChatCompletionMessageToolCallChunk, ChatCompletionMessageToolCallFunction,
    ChatCompletionObject, ChatCompletionResponseMessage, ChatCompletionResponseMessageFunctionCall,
    ChatCompletionStreamEvent, ChatCompletionStreamResponseDeltaContent as DeltaContent,
    CompletionUsage, ErrorResponse, ServiceTier2,
};
use serde_json::Value;

use crate::slots::{Slots, wire_index};
use crate::{ToolCall, ToolCallKind};

/// What one chunk changed. A chunk can carry several (one per choice with `n > 1`; content and
/// reasoning together), so [`ChatFold::push`] returns a `Vec` (empty, and not allocated, for
/// chunks that change nothing a caller reacts to).
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
    /// Provider reasoning arrived (`reasoning_content`, `reasoning`, or a Mistral thinking
    /// block).
    ReasoningDelta {
        /// The choice's `index`.
        choice: u64,
        /// The new text.
        delta: String,
    },
    /// A tool call is complete: the next call of the same choice started, the choice got its
    /// `finish_reason`, or [`ChatFold::finish`] was called. Reported once per call.
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

/// One tool call being assembled.
#[derive(Debug, Clone, Default)]
struct CallState {
    /// The chunk's `index` (0 when the provider sent none).
    index: i64,
    id: String,
    name: String,
    arguments: String,
    reported: bool,
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
/// - Tool calls: a fragment with an `id` not seen before starts a new call; a fragment with a
///   known `id` extends that call; a fragment without `id` extends the latest call with the same
///   `index`, or starts one. So providers that send no `index` (Mistral: every call reads as
///   index 0, each with its own id) and providers that send each call whole in one chunk get
///   one call per id. `arguments` are concatenated (providers that repeat the arguments
///   cumulatively are not detected).
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

    /// Folds any Chat stream event: chunks as [`push`](Self::push); an error event is kept
    /// ([`error`](Self::error)); a whole `chat.completion` object and unknown events change
    /// nothing.
    pub fn push_event(&mut self, event: &ChatCompletionStreamEvent) -> Vec<ChatUpdate> {
        match event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => self.push(chunk),
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
            report_calls(index, &mut choice.calls, usize::MAX, &mut updates);
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
        let delta = &chunk.delta;
        match &delta.content {
            Some(DeltaContent::Text(text)) => {
                append(&mut choice.content, text);
                if !text.is_empty() {
                    updates.push(ChatUpdate::TextDelta {
                        choice: index,
                        delta: text.clone(),
                    });
                }
            }
            Some(DeltaContent::List(parts)) => {
                for part in parts {
                    content_part(index, choice, part, updates);
                }
            }
            _ => {}
        }
        if let Some(refusal) = &delta.refusal {
            append(&mut choice.refusal, refusal);
            if !refusal.is_empty() {
                updates.push(ChatUpdate::RefusalDelta {
                    choice: index,
                    delta: refusal.clone(),
                });
            }
        }
        for (field, text) in [
            (&mut choice.reasoning_content, &delta.reasoning_content),
            (&mut choice.reasoning, &delta.reasoning),
        ] {
            if let Some(text) = text {
                append(field, text);
                if !text.is_empty() {
                    updates.push(ChatUpdate::ReasoningDelta {
                        choice: index,
                        delta: text.clone(),
                    });
                }
            }
        }
        if let Some(details) = &delta.reasoning_details {
            choice
                .reasoning_details
                .get_or_insert_with(Vec::new)
                .extend(details.iter().cloned());
        }
        if let Some(call) = &delta.function_call {
            let fc = choice.function_call.get_or_insert_with(Default::default);
            if let Some(name) = &call.name {
                fc.name.push_str(name);
            }
            if let Some(arguments) = &call.arguments {
                fc.arguments.push_str(arguments);
            }
        }
        for fragment in delta.tool_calls.iter().flatten() {
            tool_call_fragment(index, choice, fragment, updates);
        }
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
        if let Some(reason) = &chunk.finish_reason {
            let reason = ChatCompletionChoiceFinishReason::from(reason.as_str());
            report_calls(index, &mut choice.calls, usize::MAX, updates);
            choice.finish_reason = Some(reason.clone());
            updates.push(ChatUpdate::Finished {
                choice: index,
                finish_reason: reason,
            });
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
                    tool_calls: (!c.calls.is_empty()).then(|| {
                        c.calls
                            .iter()
                            .map(|call| {
                                ChatCompletionMessageToolCall2::Function(
                                    ChatCompletionMessageToolCall {
                                        id: call.id.clone(),
                                        function: ChatCompletionMessageToolCallFunction {
                                            name: call.name.clone(),
                                            arguments: call.arguments.clone(),
                                        },
                                    },
                                )
                            })
                            .collect()
                    }),
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

/// One part of a `content` array (Mistral): `text` parts are content, `thinking` parts are
/// reasoning (kept in `reasoning`).
fn content_part(index: u64, choice: &mut ChoiceState, part: &Value, updates: &mut Vec<ChatUpdate>) {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => {
            if let Some(text) = part.get("text").and_then(Value::as_str) {
                append(&mut choice.content, text);
                if !text.is_empty() {
                    updates.push(ChatUpdate::TextDelta {
                        choice: index,
                        delta: text.to_owned(),
                    });
                }
            }
        }
        Some("thinking") => {
            let mut text = String::new();
            match part.get("thinking") {
                Some(Value::String(s)) => text.push_str(s),
                Some(Value::Array(parts)) => {
                    for p in parts {
                        if let Some(t) = p.get("text").and_then(Value::as_str) {
                            text.push_str(t);
                        }
                    }
                }
                _ => {}
            }
            append(&mut choice.reasoning, &text);
            if !text.is_empty() {
                updates.push(ChatUpdate::ReasoningDelta {
                    choice: index,
                    delta: text,
                });
            }
        }
        _ => {}
    }
}

/// Reports the calls before position `until` (all when `usize::MAX`) not reported yet.
fn report_calls(choice: u64, calls: &mut [CallState], until: usize, updates: &mut Vec<ChatUpdate>) {
    for (position, call) in calls.iter_mut().enumerate().take(until) {
        if !call.reported {
            call.reported = true;
            updates.push(ChatUpdate::ToolCallDone {
                choice,
                call: ToolCall {
                    kind: ToolCallKind::Function,
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

fn tool_call_fragment(
    choice_index: u64,
    choice: &mut ChoiceState,
    fragment: &ChatCompletionMessageToolCallChunk,
    updates: &mut Vec<ChatUpdate>,
) {
    let id = fragment.id.as_deref().unwrap_or("");
    let existing = if id.is_empty() {
        // Without an index (Mistral), a fragment without an id continues the latest call.
        choice
            .calls
            .iter()
            .rposition(|c| fragment.index.is_none_or(|i| c.index == i))
    } else {
        choice.calls.iter().position(|c| c.id == id).or_else(|| {
            // The first fragment of a call may come without its id (some providers send the
            // id a chunk later): adopt it when the latest call of this index has none.
            choice
                .calls
                .iter()
                .rposition(|c| fragment.index.is_some_and(|i| c.index == i))
                .filter(|&p| choice.calls[p].id.is_empty())
        })
    };
    let pos = match existing {
        Some(pos) => pos,
        None => {
            // A new call: the calls before it are complete.
            report_calls(choice_index, &mut choice.calls, usize::MAX, updates);
            let next = i64::try_from(choice.calls.len()).unwrap_or(i64::MAX);
            choice.calls.push(CallState {
                index: fragment.index.unwrap_or(next),
                ..Default::default()
            });
            choice.calls.len() - 1
        }
    };
    let Some(call) = choice.calls.get_mut(pos) else {
        return;
    };
    if call.id.is_empty() {
        call.id = id.to_owned();
    }
    if let Some(function) = &fragment.function {
        if let Some(name) = &function.name {
            // Names come whole; a provider that repeats the name on every fragment must not
            // get it repeated.
            if call.name.is_empty() {
                call.name.clone_from(name);
            } else if !name.is_empty() && *name != call.name {
                call.name.push_str(name);
            }
        }
        if let Some(arguments) = &function.arguments {
            call.arguments.push_str(arguments);
        }
    }
}
