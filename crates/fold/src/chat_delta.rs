//! One reader of Chat Completions chunk deltas: what a choice's `delta` says, as typed pieces,
//! and which tool call each tool-call fragment belongs to.
//!
//! Every reader of Chat streams needs the same two things, and providers differ on both:
//!
//! - **Where the text is.** The answer is in `content`, a string, or (Mistral) an array of parts
//!   whose `text` parts are the answer and whose `thinking` parts are reasoning. Reasoning comes in
//!   `reasoning_content` (DeepSeek, Qwen, GLM, Kimi, xAI, vLLM), in `reasoning` (Groq, Ollama,
//!   OpenRouter, newer vLLM), or as `reasoning_details` entries (OpenRouter, which sends the same
//!   text in `reasoning` beside them). [`pieces`] gives each in one [`DeltaPiece`], reasoning with
//!   the field it came in ([`ReasoningSource`]), in the order a reader acts on them: reasoning,
//!   then the answer, the refusal, the tool calls and the finish reason.
//! - **Which call a fragment continues.** [`ToolCallGroups`] groups fragments into calls: by
//!   `id`, else the latest call with the same `index` (any call when the provider sends no
//!   `index`, as Mistral does), so providers that send each call whole in one chunk, with or
//!   without an index, get one call per id; a call whose first fragment came without its id
//!   takes the id when it arrives; a name is taken once, and a name that arrives in pieces or
//!   late (Mistral relaying GLM) is added, never repeated.
//!
//! `openai_wire_fold::ChatFold` (the final object), `openai-wire-convert`'s Chat → Responses
//! stream converter (and its quirk detection and cumulative-content reader) and
//! `openai-wire inspect` all read deltas through this module. What they do
//! with the pieces differs (the converter also reads `<think>` tags in the content and arguments
//! that repeat themselves, cumulatively), but what the wire says is read here once.
//!
//! # Example
//!
//! ```
//! use openai_wire_events::{ChatCompletionStreamEvent, StreamEvent};
//! use openai_wire_fold::chat_delta::{DeltaPiece, ReasoningSource, ToolCallGroups, pieces};
//!
//! let chunks = [
//!     r#"{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"Paris, then."}}]}"#,
//!     r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_A","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]}}]}"#,
//!     r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_B","function":{"name":"time","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#,
//! ];
//! let mut groups = ToolCallGroups::default();
//! let (mut reasoning, mut calls, mut finish) = (String::new(), Vec::new(), None);
//! for json in chunks {
//!     let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = ChatCompletionStreamEvent::from_json(json)? else { unreachable!() };
//!     for piece in pieces(&chunk.choices[0]) {
//!         match piece {
//!             DeltaPiece::Reasoning { source: ReasoningSource::ReasoningContent, text } => reasoning.push_str(&text),
//!             DeltaPiece::ToolCall(fragment) => {
//!                 let call = groups.push(fragment);
//!                 if call.started { calls.push((String::new(), String::new())); }
//!                 calls[call.key].0.push_str(call.name.unwrap_or_default());
//!                 calls[call.key].1.push_str(call.arguments.unwrap_or_default());
//!             }
//!             DeltaPiece::Finish(reason) => finish = Some(reason.to_owned()),
//!             _ => {}
//!         }
//!     }
//! }
//! assert_eq!(reasoning, "Paris, then.");
//! // No `index`: the two calls are told apart by their ids.
//! assert_eq!(calls, [("weather".into(), r#"{"city":"Paris"}"#.into()), ("time".into(), "{}".into())]);
//! assert_eq!(groups.id(1), Some("call_B"));
//! assert_eq!(finish.as_deref(), Some("tool_calls"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use openai_wire_events::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionMessageToolCall2,
    ChatCompletionMessageToolCallChunk, ChatCompletionMessageToolCallChunkCustom,
    ChatCompletionMessageToolCallChunkFunction, ChatCompletionStreamResponseDelta,
    ChatCompletionStreamResponseDeltaContent as DeltaContent,
    ChatCompletionStreamResponseDeltaFunctionCall,
};
use serde_json::Value;

/// The field a piece of reasoning came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningSource {
    /// `delta.reasoning_content` (DeepSeek, Qwen, GLM, Kimi, xAI, vLLM, …).
    ReasoningContent,
    /// `delta.reasoning` (Groq, Ollama, OpenRouter, newer vLLM, …).
    Reasoning,
    /// The readable text of `delta.reasoning_details` entries (OpenRouter): given only when the
    /// delta has no reasoning text in `reasoning_content` or `reasoning`, since OpenRouter sends
    /// the same text there too.
    Details,
    /// A `thinking` part of a `content` array (Mistral's Magistral models).
    ThinkingPart,
}

/// One thing a choice's delta says. [`pieces`] gives them in the order a reader acts on them.
///
/// Text pieces are given as sent, empty ones included (a `"content": ""` still says the
/// message has content); a reader that streams them skips the empty ones.
#[derive(Debug, Clone, PartialEq)]
pub enum DeltaPiece<'a> {
    /// Reasoning text.
    Reasoning {
        /// The field it came in.
        source: ReasoningSource,
        /// The text (copied only when it had to be put together, from `reasoning_details` or
        /// a `thinking` part made of several texts).
        text: Cow<'a, str>,
    },
    /// `delta.reasoning_details` as sent (OpenRouter), to keep or send back; its readable text,
    /// if any, came just before as a [`DeltaPiece::Reasoning`] with [`ReasoningSource::Details`].
    ReasoningDetails(&'a [Value]),
    /// Answer text.
    Text {
        /// The text.
        text: &'a str,
        /// Whether it came as a `text` part of a `content` array (Mistral) rather than as the
        /// `content` string.
        part: bool,
    },
    /// Refusal text (`delta.refusal`).
    Refusal(&'a str),
    /// The deprecated single `delta.function_call`, as a fragment of a call at `index` 0
    /// without an id.
    FunctionCall(ToolCallFragment<'a>),
    /// A fragment of `delta.tool_calls`; [`ToolCallGroups::push`] says which call it belongs to.
    ToolCall(ToolCallFragment<'a>),
    /// The choice's `finish_reason`: always the last piece.
    Finish(&'a str),
}

/// A tool-call fragment's fields, as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ToolCallFragment<'a> {
    /// `index`, which some providers omit.
    pub index: Option<i64>,
    /// `id`, usually only on a call's first fragment.
    pub id: Option<&'a str>,
    /// `function.name`, usually only on a call's first fragment.
    pub name: Option<&'a str>,
    /// `function.arguments`: the next piece of the arguments (of a custom tool call,
    /// `custom.input`: the next piece of its input).
    pub arguments: Option<&'a str>,
    /// Whether the fragment is of a custom tool call (`custom` in place of `function`): its
    /// `name` and `arguments` are `custom.name` and `custom.input`, free text.
    pub custom: bool,
}

impl<'a> From<&'a ChatCompletionMessageToolCallChunk> for ToolCallFragment<'a> {
    fn from(chunk: &'a ChatCompletionMessageToolCallChunk) -> Self {
        if let (None, Some(custom)) = (&chunk.function, &chunk.custom) {
            return ToolCallFragment {
                index: chunk.index,
                id: chunk.id.as_deref(),
                name: custom.name.as_deref(),
                arguments: custom.input.as_deref(),
                custom: true,
            };
        }
        let function = chunk.function.as_ref();
        ToolCallFragment {
            index: chunk.index,
            id: chunk.id.as_deref(),
            name: function.and_then(|f| f.name.as_deref()),
            arguments: function.and_then(|f| f.arguments.as_deref()),
            custom: false,
        }
    }
}

/// Reads one choice of a chunk: calls `visit` with each piece, in order: reasoning
/// (`reasoning_content`, `reasoning`, the text of `reasoning_details` when neither has text,
/// the details themselves), the content (the string, or each `text` and `thinking` part of an
/// array), the refusal, the legacy `function_call`, each tool-call fragment, and the finish
/// reason. Stops at the first error `visit` returns, and returns it.
///
/// This is the reader's hot path (the gateway's converter calls it once per upstream chunk):
/// it allocates nothing unless a piece has to be put together. [`pieces`] collects the same
/// pieces into a `Vec`.
pub fn read_pieces<'a, E>(
    choice: &'a ChatCompletionChunkChoice,
    mut visit: impl FnMut(DeltaPiece<'a>) -> Result<(), E>,
) -> Result<(), E> {
    let delta = &choice.delta;
    for (source, text) in [
        (ReasoningSource::ReasoningContent, &delta.reasoning_content),
        (ReasoningSource::Reasoning, &delta.reasoning),
    ] {
        if let Some(text) = text {
            visit(DeltaPiece::Reasoning {
                source,
                text: Cow::Borrowed(text),
            })?;
        }
    }
    if let Some(details) = &delta.reasoning_details {
        let has_reasoning_text = [&delta.reasoning_content, &delta.reasoning]
            .into_iter()
            .any(|text| text.as_deref().is_some_and(|text| !text.is_empty()));
        if !has_reasoning_text {
            let text = details_text(details);
            if !text.is_empty() {
                visit(DeltaPiece::Reasoning {
                    source: ReasoningSource::Details,
                    text: Cow::Owned(text),
                })?;
            }
        }
        visit(DeltaPiece::ReasoningDetails(details))?;
    }
    match &delta.content {
        Some(DeltaContent::Text(text)) => visit(DeltaPiece::Text { text, part: false })?,
        Some(DeltaContent::List(parts)) => {
            for piece in parts.iter().filter_map(content_part) {
                visit(piece)?;
            }
        }
        _ => {}
    }
    if let Some(refusal) = &delta.refusal {
        visit(DeltaPiece::Refusal(refusal))?;
    }
    if let Some(call) = &delta.function_call {
        visit(DeltaPiece::FunctionCall(ToolCallFragment {
            index: Some(0),
            id: None,
            name: call.name.as_deref(),
            arguments: call.arguments.as_deref(),
            custom: false,
        }))?;
    }
    for chunk in delta.tool_calls.iter().flatten() {
        visit(DeltaPiece::ToolCall(chunk.into()))?;
    }
    if let Some(reason) = &choice.finish_reason {
        visit(DeltaPiece::Finish(reason.as_str()))?;
    }
    Ok(())
}

/// The pieces of one choice of a chunk, in the order [`read_pieces`] gives them.
pub fn pieces(choice: &ChatCompletionChunkChoice) -> Vec<DeltaPiece<'_>> {
    let mut pieces = Vec::new();
    let _ = read_pieces(choice, |piece| {
        pieces.push(piece);
        Ok::<(), std::convert::Infallible>(())
    });
    pieces
}

/// One part of a `content` array (Mistral): `text` parts are the answer, `thinking` parts
/// reasoning (a string, or an array of `{"type": "text", "text": …}`); other parts say nothing.
fn content_part(part: &Value) -> Option<DeltaPiece<'_>> {
    match part.get("type").and_then(Value::as_str)? {
        "text" => part
            .get("text")
            .and_then(Value::as_str)
            .map(|text| DeltaPiece::Text { text, part: true }),
        "thinking" => {
            let text = match part.get("thinking") {
                Some(Value::String(text)) => Cow::Borrowed(text.as_str()),
                Some(Value::Array(parts)) => Cow::Owned(
                    parts
                        .iter()
                        .filter_map(|p| p.get("text").and_then(Value::as_str))
                        .collect(),
                ),
                _ => Cow::Borrowed(""),
            };
            Some(DeltaPiece::Reasoning {
                source: ReasoningSource::ThinkingPart,
                text,
            })
        }
        _ => None,
    }
}

/// The readable text of `reasoning_details` entries: `text` (`reasoning.text`), else `summary`
/// (`reasoning.summary`); encrypted entries have none.
pub fn details_text(details: &[Value]) -> String {
    details
        .iter()
        .filter_map(|d| {
            d.get("text")
                .or_else(|| d.get("summary"))
                .and_then(Value::as_str)
        })
        .collect()
}

/// The tool calls of one choice, as far as grouping goes: which call each fragment belongs to.
///
/// A fragment with an `id` not seen before starts a call, unless the latest call with its
/// `index` has no id yet (its first fragment came without one): that call takes the id. A
/// fragment with a known `id` continues that call. A fragment without an `id` continues the
/// latest open call with its `index` (any open call when it has no `index`), or starts one.
/// Calls stay open until [`close`](Self::close).
///
/// Keys are positions: the first call is 0, the next 1, and so on, so a reader keeps its own
/// per-call state in a `Vec` that grows when [`GroupedFragment::started`] says so.
#[derive(Debug, Clone, Default)]
pub struct ToolCallGroups {
    calls: Vec<Group>,
}

/// What grouping knows of one call.
#[derive(Debug, Clone, Default)]
struct Group {
    /// The fragments' `index`, or the call's position when the provider sent none.
    index: i64,
    id: String,
    name: String,
    closed: bool,
}

/// A fragment, placed in its call ([`ToolCallGroups::push`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupedFragment<'a> {
    /// The call: its position among the choice's calls.
    pub key: usize,
    /// Whether this fragment started the call.
    pub started: bool,
    /// The call's id, when this fragment gave it (a call takes its first non-empty id).
    pub id: Option<&'a str>,
    /// What this fragment adds to the call's name: all of it for the first name, a piece for
    /// a name that comes in pieces, `None` for a name repeated as it is.
    pub name: Option<&'a str>,
    /// The fragment's arguments, as sent: they add to the call's (unless the provider repeats
    /// them cumulatively, which the converter tells apart).
    pub arguments: Option<&'a str>,
    /// Whether the fragment is of a custom tool call ([`ToolCallFragment::custom`]).
    pub custom: bool,
}

impl ToolCallGroups {
    /// Places one fragment in its call, starting one if needed.
    pub fn push<'a>(&mut self, fragment: ToolCallFragment<'a>) -> GroupedFragment<'a> {
        let id = fragment.id.unwrap_or("");
        let same_index = |call: &Group| fragment.index.is_none_or(|i| call.index == i);
        let existing = if id.is_empty() {
            self.calls.iter().rposition(|c| !c.closed && same_index(c))
        } else {
            self.calls.iter().position(|c| c.id == id).or_else(|| {
                // The first fragment of a call may come without its id (some providers send
                // the id a chunk later): adopt it when the latest call of this index has none.
                self.calls
                    .iter()
                    .rposition(|c| fragment.index.is_some_and(|i| c.index == i))
                    .filter(|&p| self.calls[p].id.is_empty())
            })
        };
        let (key, started) = match existing {
            Some(key) => (key, false),
            None => {
                let next = i64::try_from(self.calls.len()).unwrap_or(i64::MAX);
                self.calls.push(Group {
                    index: fragment.index.unwrap_or(next),
                    ..Group::default()
                });
                (self.calls.len() - 1, true)
            }
        };
        let call = &mut self.calls[key];
        let id = (call.id.is_empty() && !id.is_empty()).then(|| {
            call.id = id.to_owned();
            id
        });
        // Names come whole; a provider that repeats the name on every fragment must not get it
        // repeated, and one that sends it in pieces (or late) gets it added.
        let name = fragment.name.filter(|name| {
            let new = !name.is_empty() && *name != call.name;
            if new {
                call.name.push_str(name);
            }
            new
        });
        GroupedFragment {
            key,
            started,
            id,
            name,
            arguments: fragment.arguments,
            custom: fragment.custom,
        }
    }

    /// Every call so far is complete: a fragment without an `id` no longer continues one (the
    /// converter closes the calls when other output comes between them).
    pub fn close(&mut self) {
        for call in &mut self.calls {
            call.closed = true;
        }
    }

    /// Forgets every call (a new stream, or a new round of the same response).
    pub fn clear(&mut self) {
        self.calls.clear();
    }

    /// How many calls there are.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether there are no calls.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The id of call `key`, once it has one.
    pub fn id(&self, key: usize) -> Option<&str> {
        self.calls
            .get(key)
            .map(|c| c.id.as_str())
            .filter(|id| !id.is_empty())
    }

    /// The name of call `key` so far.
    pub fn name(&self, key: usize) -> Option<&str> {
        self.calls.get(key).map(|c| c.name.as_str())
    }
}

/// A whole `chat.completion` (from a server that ignored `stream`) as the one chunk that says
/// the same: each choice's message as its delta, function and custom tool calls as whole
/// fragments, the finish reasons and the usage.
pub fn completion_as_chunk(completion: &ChatCompletion) -> ChatCompletionChunk {
    let choices = completion
        .choices
        .iter()
        .map(|choice| {
            let message = &choice.message;
            let tool_calls = message.tool_calls.as_ref().map(|calls| {
                calls
                    .iter()
                    .enumerate()
                    .filter_map(|(position, call)| match call {
                        ChatCompletionMessageToolCall2::Function(call) => {
                            Some(ChatCompletionMessageToolCallChunk {
                                index: i64::try_from(position).ok(),
                                id: Some(call.id.clone()),
                                function: Some(ChatCompletionMessageToolCallChunkFunction {
                                    name: Some(call.function.name.clone()),
                                    arguments: Some(call.function.arguments.clone()),
                                }),
                                custom: None,
                            })
                        }
                        ChatCompletionMessageToolCall2::Custom(call) => {
                            Some(ChatCompletionMessageToolCallChunk {
                                index: i64::try_from(position).ok(),
                                id: Some(call.id.clone()),
                                function: None,
                                custom: Some(ChatCompletionMessageToolCallChunkCustom {
                                    name: Some(call.custom.name.clone()),
                                    input: Some(call.custom.input.clone()),
                                }),
                            })
                        }
                        ChatCompletionMessageToolCall2::Unknown(_) => None,
                    })
                    .collect()
            });
            let function_call = message.function_call.as_ref().map(|call| {
                ChatCompletionStreamResponseDeltaFunctionCall {
                    name: Some(call.name.clone()),
                    arguments: Some(call.arguments.clone()),
                }
            });
            ChatCompletionChunkChoice {
                index: choice.index,
                finish_reason: choice.finish_reason.as_ref().map(|r| r.as_str().into()),
                delta: ChatCompletionStreamResponseDelta {
                    content: message.content.clone().map(DeltaContent::Text),
                    refusal: message.refusal.clone(),
                    reasoning_content: message.reasoning_content.clone(),
                    reasoning: message.reasoning.clone(),
                    reasoning_details: message.reasoning_details.clone(),
                    function_call,
                    tool_calls,
                    ..Default::default()
                },
                ..Default::default()
            }
        })
        .collect();
    ChatCompletionChunk {
        id: completion.id.clone(),
        created: completion.created,
        model: completion.model.clone(),
        system_fingerprint: completion.system_fingerprint.clone(),
        service_tier: completion.service_tier.clone(),
        choices,
        usage: completion.usage.clone(),
        ..Default::default()
    }
}
