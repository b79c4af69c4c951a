//! Fold OpenAI stream events into the final object: a Responses API [`Response`], a Chat
//! Completions [`ChatCompletion`], a Realtime conversation, an Assistants run.
//!
//! Every OpenAI API that streams sends small events; what a client wants in the end is the
//! object the same request would have returned without streaming. A fold is a sans-IO state
//! machine: push each decoded event into it (from `openai-wire-decode`, or anything else that
//! gives the typed events of `openai-wire-events`) and read the object at any time.
//!
//! | protocol | fold | pushes | gives |
//! | --- | --- | --- | --- |
//! | Responses | [`ResponseFold`] | `&ResponseStreamEvent` | [`Response`], differences from `response.completed` |
//! | Chat Completions | [`ChatFold`] | `&ChatCompletionChunk` | [`ChatCompletion`] (`object: "chat.completion"`) |
//! | Realtime | [`RealtimeFold`] | `&RealtimeServerEvent` | the conversation's items, each response's output, differences from `response.done` |
//! | Assistants | [`AssistantsFold`] | `&AssistantStreamEvent` | the run, its steps and its messages |
//!
//! [`chat_delta`] reads a Chat chunk's delta into typed pieces (text, reasoning with the field it
//! came in, tool-call fragments grouped into calls): [`ChatFold`] reads deltas with it, and so do
//! `openai-wire-convert`'s stream converter and `openai-wire inspect`.
//!
//! Each `push` also returns what the event changed ([`ResponseUpdate`], [`ChatUpdate`],
//! [`RealtimeUpdate`], [`AssistantsUpdate`]): text deltas, reasoning deltas and finished tool
//! calls, for callers that react while the stream goes. `final_text()` gives the answer's text.
//!
//! Servers send a text twice, as deltas and whole (a `.done` event, the done item, the final
//! object), and not always the same: some send only the whole text, some trim their deltas, some
//! put the final text at other indexes or under other ids. `push_updates` ([`ResponseFold`],
//! [`RealtimeFold`], [`AssistantsFold`]) returns every update of an event: the deltas, and the
//! text that no delta gave (`UnstreamedText`), so that a caller that prints the updates prints
//! every text once, neither twice nor never; and every call once, also the ones only the final
//! object finished. `unfinished_calls()` gives the calls a cut-off stream left open.
//! `openai-wire inspect` renders these updates.
//!
//! The folds never fail and never panic: an event that cannot apply (a negative index, a delta
//! for an item of another type) changes nothing, and indices from the wire are never used to
//! size anything (an `output_index` of 4 000 000 000 costs one element, not gigabytes). Whether
//! a stream is *correct* is the conformance checker's business; a fold only reports where its
//! result and the server's final object differ ([`Difference`]).
//!
//! # Example
//!
//! ```
//! use openai_wire_decode::{Decoder, Format, Item};
//! use openai_wire_events::ResponseStreamEvent;
//! use openai_wire_fold::{ResponseFold, ResponseUpdate};
//!
//! let sse = concat!(
//!     "event: response.created\n",
//!     "data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"output\":[]}}\n\n",
//!     "event: response.output_item.added\n",
//!     "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"\"}}\n\n",
//!     "event: response.function_call_arguments.delta\n",
//!     "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":0,\"delta\":\"{\\\"city\\\":\\\"Paris\\\"}\"}\n\n",
//!     "event: response.output_item.done\n",
//!     "data: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\",\"status\":\"completed\"}}\n\n",
//!     "event: response.completed\n",
//!     "data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"output\":[{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\",\"status\":\"completed\"}],\"usage\":{\"input_tokens\":10,\"output_tokens\":5,\"total_tokens\":15}}}\n\n",
//! );
//! let mut decoder = Decoder::<ResponseStreamEvent>::new(Format::Sse);
//! decoder.feed(sse.as_bytes());
//! decoder.finish();
//! let mut fold = ResponseFold::new();
//! let mut calls = Vec::new();
//! while let Some(item) = decoder.next_item() {
//!     if let Item::Event(decoded) = item? {
//!         if let Some(ResponseUpdate::ToolCallDone(call)) = fold.push(&decoded.event) {
//!             calls.push(call);
//!         }
//!     }
//! }
//! assert_eq!(calls.len(), 1);
//! assert_eq!((calls[0].name.as_str(), calls[0].arguments.as_str()), ("get_weather", r#"{"city":"Paris"}"#));
//! assert!(fold.differences().is_empty()); // the fold agrees with response.completed
//! assert_eq!(fold.response().usage.as_ref().map(|u| u.total_tokens), Some(15));
//! let response = fold.into_response(); // response.completed's object
//! assert_eq!(response.id, "resp_1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! One per protocol, all on by default: `responses`, `chat`, `realtime`, `assistants`.

// With only some protocols on, some shared helpers have no user.
#[cfg_attr(
    not(all(feature = "responses", feature = "chat", feature = "realtime")),
    allow(dead_code)
)]
mod diff;
#[cfg(any(feature = "responses", feature = "realtime", feature = "assistants"))]
mod shown;
#[cfg_attr(
    not(all(feature = "responses", feature = "chat", feature = "realtime")),
    allow(dead_code)
)]
mod slots;

pub mod dispositions;

#[cfg(feature = "assistants")]
mod assistants;
#[cfg(feature = "chat")]
mod chat;
#[cfg(feature = "chat")]
pub mod chat_delta;
#[cfg(feature = "realtime")]
mod realtime;
#[cfg(feature = "responses")]
mod responses;

pub use diff::Difference;

#[cfg(feature = "assistants")]
pub use assistants::{AssistantsFold, AssistantsUpdate, MessagePart, fold_assistants};
#[cfg(feature = "chat")]
pub use chat::{ChatFold, ChatUpdate, fold_chat};
#[cfg(feature = "realtime")]
pub use realtime::{
    FoldedResponse, RealtimeFold, RealtimeItem, RealtimePart, RealtimeUpdate, fold_realtime,
};
#[cfg(feature = "responses")]
pub use responses::{
    ReasoningPart, ResponseFold, ResponseUpdate, TextPart, fold_responses, output_text,
};

#[cfg(feature = "chat")]
#[doc(no_inline)]
pub use openai_wire_events::ChatCompletion;
#[cfg(feature = "responses")]
#[doc(no_inline)]
pub use openai_wire_events::Response;

/// A finished tool call, as the conveniences report it ([`ResponseUpdate::ToolCallDone`],
/// [`ChatUpdate::ToolCallDone`], [`RealtimeUpdate::ToolCallDone`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// A function call or a custom (freeform) tool call.
    pub kind: ToolCallKind,
    /// Where the call sits: its `output_index` (Responses, Realtime) or its position among the
    /// choice's tool calls (Chat).
    pub index: u64,
    /// The output item's `id` (Responses, Realtime), when there is one.
    pub item_id: Option<String>,
    /// The id to answer the call with (`call_id`; Chat's tool call `id`).
    pub call_id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments (a function call's JSON text) or the input (a custom tool call's text).
    pub arguments: String,
}

/// What kind of tool a [`ToolCall`] calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolCallKind {
    /// A function tool: `arguments` is JSON text.
    Function,
    /// A custom (freeform) tool: `arguments` is the tool's `input`, any text.
    Custom,
}
