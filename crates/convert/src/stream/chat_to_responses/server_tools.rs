//! Tools the server runs inside one response: the gateway's web search.
//!
//! When a Chat model calls a function that stands for a server tool ([`ToolKind::WebSearch`]),
//! the converter opens a `web_search_call` item (`response.web_search_call.in_progress`) and
//! keeps it open when the upstream's round ends. The caller then runs the tool and reports it
//! ([`ChatToResponses::web_search_started`], [`ChatToResponses::web_search_finished`]), sends
//! the results back to the upstream in a new request, calls [`ChatToResponses::next_round`],
//! and pushes the new stream's chunks into the same converter: the client sees one response,
//! its usage the sum of the rounds'. A call never reported is finished `failed` at the end.
//!
//! ```
//! use openai_wire_convert::request::{ChatRequestOptions, responses_to_chat};
//! use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
//! use openai_wire_emit::{SequentialIds, WebSearchOutcome};
//! use openai_wire_events::{ChatCompletionStreamEvent, Response, StreamEvent};
//! use serde_json::json;
//!
//! let request = json!({"model": "m", "input": "news?", "tools": [{"type": "web_search"}]});
//! let options = ChatRequestOptions { web_search: true, ..ChatRequestOptions::default() };
//! let chat = responses_to_chat(&request, &[], &options)?;
//! let stream = StreamOptions { tool_names: Some(chat.tool_names), ..StreamOptions::default() };
//! let mut converter = ChatToResponses::new(Response::default(), SequentialIds::default(), stream);
//! let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
//!     let chunk = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
//!         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
//!     ChatCompletionStreamEvent::from_json(&chunk.to_string())
//! };
//! converter.push_event(&chunk(json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
//!     "function": {"name": "web_search", "arguments": "{\"query\":\"rust\"}"}}]}), json!(null))?)?;
//! converter.push_event(&chunk(json!({}), json!("tool_calls"))?)?;
//! let calls = converter.pending_server_calls();
//! assert_eq!(calls[0].arguments, r#"{"query":"rust"}"#);
//! converter.web_search_started("call_1", "rust")?;
//! converter.web_search_finished("call_1", WebSearchOutcome::default())?;
//! converter.next_round();
//! converter.push_event(&chunk(json!({"content": "Rust is a language."}), json!("stop"))?)?;
//! let events = converter.finish(StreamEnd::DoneMarker);
//! assert_eq!(events.last().map(|e| e.wire_type()), Some("response.completed"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openai_wire_emit::{IdSource, WebSearchOutcome};
use openai_wire_events::{
    ResponseStreamEvent, ResponseUsage, ResponseUsageInputTokensDetails,
    ResponseUsageOutputTokensDetails,
};
use serde_json::{Value, json};

use super::{ChatToResponses, ConvertError, StreamOptions};
use crate::envelope::ReasoningField;
use crate::request::ToolKind;
use crate::think::ThinkSplitter;

/// What a round said, kept to send it back to the upstream with the server tools' results.
#[derive(Debug, Default)]
pub(crate) struct RoundText {
    /// The text, as read (cumulative providers de-duplicated).
    pub(crate) text: String,
    /// The reasoning, and the field it came in.
    reasoning: Option<(ReasoningField, String)>,
}

impl RoundText {
    /// Kept only when the tool names include a server tool.
    pub(crate) fn wanted(options: &StreamOptions) -> Option<Self> {
        let names = options.tool_names.as_ref()?;
        names
            .iter()
            .any(|(_, tool)| tool.kind == ToolKind::WebSearch)
            .then(RoundText::default)
    }

    /// The reasoning text to append to (the first field seen is kept).
    pub(crate) fn reasoning(&mut self, field: ReasoningField) -> &mut String {
        &mut self
            .reasoning
            .get_or_insert_with(|| (field, String::new()))
            .1
    }
}

/// How a round ended, for the caller of the server tools ([`ChatToResponses::round_end`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RoundEnd {
    /// The server-tool calls waiting for their outcome.
    pub server_calls: Vec<ServerToolCall>,
    /// Whether the model waits for tool results, all of them the server's: the caller may
    /// send them and start a next round.
    pub awaits_server_results: bool,
    /// The round as the assistant message of the next Chat request: its text, every tool
    /// call (the names the upstream used, the arguments as read) and, when `reasoning_field`
    /// (or, with `as_streamed`, the field it came in) says so, its reasoning.
    pub assistant_message: Value,
}

/// A call of a tool the server runs, waiting for its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerToolCall {
    /// The call's id (the upstream's, or one the converter made).
    pub call_id: String,
    /// Which tool.
    pub kind: ToolKind,
    /// The arguments the model wrote (JSON text).
    pub arguments: String,
}

impl<I: IdSource> ChatToResponses<I> {
    /// The server-tool calls of this round whose outcome is not reported yet.
    pub fn pending_server_calls(&self) -> Vec<ServerToolCall> {
        self.calls
            .iter()
            .filter(|call| call.server && !call.server_done)
            .map(|call| ServerToolCall {
                call_id: call.id.clone(),
                kind: ToolKind::WebSearch,
                arguments: call.arguments.clone(),
            })
            .collect()
    }

    /// Whether this round ended with tool calls that are all server tools: the model waits for
    /// their results, which the caller gives it in a next round.
    pub fn round_awaits_server_tools(&self) -> bool {
        self.finish_reason.as_deref() == Some("tool_calls")
            && !self.calls.is_empty()
            && self.calls.iter().all(|call| call.server)
    }

    /// How this round ended: its pending server calls, whether the model waits for their
    /// results, and what it said, as the assistant message to send back with them. Reasoning
    /// goes in `reasoning_field` when given, else (with `as_streamed`) in the field it came in.
    pub fn round_end(
        &self,
        reasoning_field: Option<ReasoningField>,
        as_streamed: bool,
    ) -> RoundEnd {
        let round = self.round.as_ref();
        let text = round.map(|r| r.text.as_str()).unwrap_or_default();
        let tool_calls: Vec<Value> = self
            .calls
            .iter()
            .map(|call| {
                json!({"id": call.id, "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments}})
            })
            .collect();
        let mut message = json!({
            "role": "assistant",
            "content": if text.is_empty() { Value::Null } else { Value::from(text) },
            "tool_calls": tool_calls,
        });
        let streamed = round.and_then(|r| r.reasoning.as_ref());
        let field = match (reasoning_field, streamed) {
            (Some(field), _) => Some(field),
            (None, Some((field, _))) if as_streamed => Some(*field),
            _ => None,
        };
        if let Some(field) = field {
            let text = streamed.map(|(_, text)| text.as_str()).unwrap_or_default();
            message[field.as_str()] = Value::from(text);
        }
        RoundEnd {
            server_calls: self.pending_server_calls(),
            awaits_server_results: self.round_awaits_server_tools(),
            assistant_message: message,
        }
    }

    /// The web search of call `call_id` starts: `response.web_search_call.searching`.
    pub fn web_search_started(
        &mut self,
        call_id: &str,
        query: &str,
    ) -> Result<Vec<ResponseStreamEvent>, ConvertError> {
        let Some(handle) = self.server_handle(call_id) else {
            return Ok(Vec::new());
        };
        Ok(self.writer.web_search_searching(handle, query)?)
    }

    /// The web search of call `call_id` is over: `response.web_search_call.completed` and the
    /// item's `response.output_item.done`.
    pub fn web_search_finished(
        &mut self,
        call_id: &str,
        outcome: WebSearchOutcome,
    ) -> Result<Vec<ResponseStreamEvent>, ConvertError> {
        let Some(handle) = self.server_handle(call_id) else {
            return Ok(Vec::new());
        };
        if let Some(call) = self.calls.iter_mut().find(|c| c.server && c.id == call_id) {
            call.server_done = true;
        }
        Ok(self.writer.finish_web_search_call(handle, outcome)?)
    }

    /// Starts the next upstream round of the same response: this round's usage is kept (the
    /// response's is the sum), and the next chunks are read as a new stream.
    pub fn next_round(&mut self) {
        let round = super::map_usage(self.usage.take().as_ref());
        self.rounds_usage = Some(match &self.rounds_usage {
            Some(earlier) => add_usage(earlier, &round),
            None => round,
        });
        self.calls.clear();
        self.groups.clear();
        if let Some(round) = &mut self.round {
            *round = RoundText::default();
        }
        self.finish_reason = None;
        self.message = None;
        self.reasoning = None;
        if self.think.is_some() {
            self.think = Some(ThinkSplitter::new());
        }
    }

    /// Finishes, as `failed`, the server-tool calls whose outcome was never reported.
    pub(super) fn fail_unreported_server_calls(
        &mut self,
        events: &mut Vec<ResponseStreamEvent>,
    ) -> Result<(), ConvertError> {
        for call in self.pending_server_calls() {
            let failed = WebSearchOutcome {
                sources: None,
                failed: true,
            };
            events.extend(self.web_search_finished(&call.call_id, failed)?);
        }
        Ok(())
    }

    fn server_handle(&self, call_id: &str) -> Option<openai_wire_emit::ItemHandle> {
        self.calls
            .iter()
            .find(|call| call.server && !call.server_done && call.id == call_id)
            .and_then(|call| call.handle)
    }
}

/// The sum of two usages (every field).
pub(super) fn add_usage(a: &ResponseUsage, b: &ResponseUsage) -> ResponseUsage {
    ResponseUsage {
        input_tokens: a.input_tokens + b.input_tokens,
        input_tokens_details: ResponseUsageInputTokensDetails {
            cached_tokens: a.input_tokens_details.cached_tokens
                + b.input_tokens_details.cached_tokens,
            cache_write_tokens: a.input_tokens_details.cache_write_tokens
                + b.input_tokens_details.cache_write_tokens,
        },
        output_tokens: a.output_tokens + b.output_tokens,
        output_tokens_details: ResponseUsageOutputTokensDetails {
            reasoning_tokens: a.output_tokens_details.reasoning_tokens
                + b.output_tokens_details.reasoning_tokens,
        },
        total_tokens: a.total_tokens + b.total_tokens,
        compute_units: match (a.compute_units, b.compute_units) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        },
    }
}
