//! The gateway's own tools inside one response: web search, for a Chat upstream.
//!
//! A Chat provider cannot run OpenAI's hosted `web_search` tool. With a search backend
//! configured, the request converter offers the model a `web_search` function; this module
//! runs what the model asks for. [`with_server_tools`] wraps the upstream's stream: it passes
//! every chunk on, and reads the round as it goes ([`ChatFold`], the one Chat-delta reader).
//! When the round ends with calls of `web_search`:
//!
//! 1. each search runs on the backend, between a [`ServerStep::Searching`] and a
//!    [`ServerStep::Searched`] (the client sees `response.web_search_call.searching`, then
//!    `completed` and the item);
//! 2. if the model called only server tools, the assistant message and one `tool` message per
//!    search (the results, numbered) are appended to the Chat request, which is sent again
//!    ([`ServerStep::NextRound`]), and the new round's chunks continue the same response;
//! 3. otherwise (client tool calls beside them, or no `finish_reason: "tool_calls"`) the
//!    response ends as the round did.
//!
//! The loop is bounded: past the backend's `max_searches` in one response, a search is not run
//! and the model is told to answer with what it has; one round more than that ends the
//! response.

use std::sync::Arc;

use futures_util::StreamExt;
use openai_wire_convert::envelope::ReasoningField;
use openai_wire_convert::request::{ToolKind, ToolNames};
use openai_wire_decode::Format;
use openai_wire_emit::WebSearchOutcome;
use openai_wire_events::{ChatCompletion, ChatCompletionStreamEvent};
use openai_wire_fold::ChatFold;
use serde_json::{Value, json};

use super::UpstreamItems;
use crate::pump::{Limits, Upstream, after_send};
use crate::search::{WebSearch, results_text};
use crate::state::{AppState, Routed};
use crate::upstream;

/// A step of the gateway's own tools, pushed to the conversion between upstream chunks.
#[derive(Debug)]
pub(crate) enum ServerStep {
    /// A web search starts.
    Searching {
        /// The model's call id.
        call_id: String,
        /// What it searches for.
        query: String,
    },
    /// A web search is over.
    Searched {
        /// The model's call id.
        call_id: String,
        /// Its result, as the item shows it.
        outcome: WebSearchOutcome,
    },
    /// The results went back to the upstream; its next round follows.
    NextRound,
}

/// What the loop needs besides the first round's stream.
pub(crate) struct ServerTools {
    pub(crate) state: Arc<AppState>,
    pub(crate) routed: Routed,
    /// The Chat request of the first round (its messages grow each round).
    pub(crate) body: Value,
    /// The function names sent, to tell the gateway's tools from the client's.
    pub(crate) names: ToolNames,
    pub(crate) search: Arc<WebSearch>,
    /// The field reasoning goes back in, if the provider wants it back.
    pub(crate) reasoning_field: Option<ReasoningField>,
    /// With no field: send reasoning back in the field the upstream streamed it in.
    pub(crate) reasoning_as_streamed: bool,
    /// Whether the client asked for `web_search_call.action.sources`.
    pub(crate) sources: bool,
}

/// One round's end: how it ended, and what the model said.
struct Round {
    end: Upstream<ChatCompletionStreamEvent>,
    completion: ChatCompletion,
}

/// The upstream's rounds as one stream, with the gateway's searches between them.
pub(crate) fn with_server_tools(
    first: UpstreamItems<ChatCompletionStreamEvent>,
    tools: ServerTools,
) -> impl futures_util::Stream<Item = Upstream<ChatCompletionStreamEvent>> + Send + 'static {
    async_stream::stream! {
        let mut tools = tools;
        let mut round_stream = first;
        let mut searches = 0usize;
        let mut rounds = 0usize;
        loop {
            rounds += 1;
            let mut fold = ChatFold::new();
            let mut end = None;
            while let Some(item) = round_stream.next().await {
                match item {
                    Upstream::Event(chunk) => {
                        fold.push_event(&chunk);
                        yield Upstream::Event(chunk);
                    }
                    Upstream::Done | Upstream::End => {
                        end = Some(item);
                        break;
                    }
                    Upstream::Answered => yield Upstream::Answered,
                    // A failure ends the response.
                    other => {
                        yield other;
                        return;
                    }
                }
            }
            fold.finish();
            let round = Round {
                end: end.unwrap_or(Upstream::End),
                completion: fold.completion(),
            };
            let calls = server_calls(&round.completion, &tools.names);
            if calls.is_empty() {
                yield round.end;
                return;
            }
            let mut results = Vec::new();
            for (call_id, query) in &calls {
                yield Upstream::Server(ServerStep::Searching {
                    call_id: call_id.clone(),
                    query: query.clone(),
                });
                let (text, outcome) = if searches < tools.search.max_searches() {
                    searches += 1;
                    run_search(&tools.search, query, tools.sources).await
                } else {
                    (limit_reached(tools.search.max_searches()), failed())
                };
                yield Upstream::Server(ServerStep::Searched { call_id: call_id.clone(), outcome });
                results.push(json!({"role": "tool", "tool_call_id": call_id, "content": text}));
            }
            let only_server = round_awaits_results(&round.completion, calls.len());
            if !only_server || rounds > tools.search.max_searches() {
                yield round.end;
                return;
            }
            append_round(&mut tools, &round.completion, results);
            yield Upstream::Server(ServerStep::NextRound);
            round_stream = next_round(&tools);
        }
    }
}

/// The calls of the gateway's `web_search` in a round: (call id, query).
fn server_calls(completion: &ChatCompletion, names: &ToolNames) -> Vec<(String, String)> {
    let Some(choice) = completion.choices.first() else {
        return Vec::new();
    };
    choice
        .message
        .tool_calls
        .iter()
        .flatten()
        .filter_map(|call| {
            let value = serde_json::to_value(call).ok()?;
            let name = value["function"]["name"].as_str()?;
            let kind = names.original(name).map(|tool| tool.kind);
            (kind == Some(ToolKind::WebSearch)).then(|| {
                let arguments = value["function"]["arguments"].as_str().unwrap_or("{}");
                let query = serde_json::from_str::<Value>(arguments)
                    .ok()
                    .and_then(|a| a["query"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                (value["id"].as_str().unwrap_or_default().to_owned(), query)
            })
        })
        .collect()
}

/// Whether the round ended waiting for tool results, all of them the gateway's.
fn round_awaits_results(completion: &ChatCompletion, server_calls: usize) -> bool {
    let Some(choice) = completion.choices.first() else {
        return false;
    };
    let finish = serde_json::to_value(&choice.finish_reason).unwrap_or_default();
    let all_calls = choice.message.tool_calls.as_ref().map_or(0, Vec::len);
    finish == "tool_calls" && all_calls == server_calls
}

/// Runs one search: the text for the model and the item's outcome.
async fn run_search(search: &WebSearch, query: &str, sources: bool) -> (String, WebSearchOutcome) {
    match search.search(query).await {
        Ok(hits) => {
            let urls = hits.iter().map(|hit| hit.url.clone()).collect();
            let outcome = WebSearchOutcome {
                sources: sources.then_some(urls),
                failed: false,
            };
            (results_text(query, &hits), outcome)
        }
        Err(error) => {
            tracing::warn!(%error, "web search failed");
            (
                format!("The web search failed ({error}). Answer without it, and say so."),
                failed(),
            )
        }
    }
}

fn failed() -> WebSearchOutcome {
    WebSearchOutcome {
        sources: None,
        failed: true,
    }
}

fn limit_reached(max: usize) -> String {
    format!(
        "The search limit of this response ({max} searches) is reached: answer with the results \
         you have."
    )
}

/// Appends the round's assistant message and the search results to the Chat request.
fn append_round(tools: &mut ServerTools, completion: &ChatCompletion, results: Vec<Value>) {
    let Some(choice) = completion.choices.first() else {
        return;
    };
    let message = serde_json::to_value(&choice.message).unwrap_or_default();
    let mut assistant = json!({
        "role": "assistant",
        "content": message["content"].clone(),
        "tool_calls": message["tool_calls"].clone(),
    });
    let streamed = [ReasoningField::ReasoningContent, ReasoningField::Reasoning]
        .into_iter()
        .find(|field| message[field.as_str()].is_string());
    let field = match (tools.reasoning_field, streamed) {
        (Some(field), _) => Some(field),
        (None, streamed) if tools.reasoning_as_streamed => streamed,
        (None, _) => None,
    };
    if let Some(field) = field {
        let text = streamed
            .and_then(|s| message[s.as_str()].as_str())
            .unwrap_or_default();
        assistant[field.as_str()] = Value::from(text);
    }
    if let Some(messages) = tools.body["messages"].as_array_mut() {
        messages.push(assistant);
        messages.extend(results);
    }
}

/// Sends the grown request: the next round's stream.
fn next_round(tools: &ServerTools) -> UpstreamItems<ChatCompletionStreamEvent> {
    let (state, routed) = (tools.state.clone(), tools.routed.clone());
    let body = serde_json::to_vec(&tools.body).unwrap_or_default();
    let max_bytes = Limits::of(&state.config).max_bytes;
    let send = async move { upstream::send(&state, &routed, "chat/completions", body).await };
    Box::pin(after_send::<ChatCompletionStreamEvent, _>(
        send,
        Format::Sse,
        max_bytes,
    ))
}
