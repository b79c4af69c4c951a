//! The gateway's own tools inside one response: web search, for a Chat upstream.
//!
//! A Chat provider cannot run OpenAI's hosted `web_search` tool. With a search backend
//! configured, the request converter offers the model a `web_search` function; this module
//! runs what the model asks for. [`with_server_tools`] wraps the upstream's stream and passes
//! every chunk on. When a round ends it asks the conversion how ([`ServerStep::RoundEnded`]:
//! the stream converter, the one reader of Chat deltas, answers with a [`RoundEnd`] in a shared
//! [`RoundSlot`]; the pump pushes each item before it polls for the next, so the answer is
//! there when the stream resumes). When the round ended with calls of `web_search`:
//!
//! 1. each search runs on the backend, between a [`ServerStep::Searching`] and a
//!    [`ServerStep::Searched`] (the client sees `response.web_search_call.searching`, then
//!    `completed` and the item);
//! 2. if the model called only server tools, the assistant message and one `tool` message per
//!    search (the results, numbered) are appended to the Chat request, which is sent again
//!    ([`ServerStep::NextRound`]), and the new round's chunks continue the same response;
//! 3. otherwise (client tool calls beside them, or no `finish_reason: "tool_calls"`) the
//!    response ends as the round did. The searches of such a round still run and show, but the
//!    model does not see their results: the client's next request carries the
//!    `web_search_call` items without them, and they are dropped on the way to the upstream.
//!
//! The loop is bounded: past the backend's `max_searches` in one response, a search is not run
//! and the model is told to answer with what it has; one round more than that ends the
//! response.

use std::sync::Arc;

use std::sync::Mutex;

use futures_util::StreamExt;
use openai_wire_convert::envelope::ReasoningField;
use openai_wire_convert::stream::chat_to_responses::{RoundEnd, ServerToolCall};
use openai_wire_decode::Format;
use openai_wire_emit::WebSearchOutcome;
use openai_wire_events::ChatCompletionStreamEvent;
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
    /// The upstream's round is over: the conversion reports how it ended in the [`RoundSlot`].
    RoundEnded,
    /// The results went back to the upstream; its next round follows.
    NextRound,
}

/// Where the conversion reports how a round ended ([`ServerStep::RoundEnded`]), with what it
/// needs to say it.
#[derive(Debug, Default)]
pub(crate) struct RoundSlot {
    /// The report, taken by the loop.
    pub(crate) report: Mutex<Option<RoundEnd>>,
    /// The field reasoning goes back in, if the provider wants it back.
    pub(crate) reasoning_field: Option<ReasoningField>,
    /// With no field: send reasoning back in the field the upstream streamed it in.
    pub(crate) reasoning_as_streamed: bool,
}

/// What the loop needs besides the first round's stream.
pub(crate) struct ServerTools {
    pub(crate) state: Arc<AppState>,
    pub(crate) routed: Routed,
    /// The Chat request of the first round (its messages grow each round).
    pub(crate) body: Value,
    pub(crate) search: Arc<WebSearch>,
    /// Where the conversion reports each round's end.
    pub(crate) slot: Arc<RoundSlot>,
    /// Whether the client asked for `web_search_call.action.sources`.
    pub(crate) sources: bool,
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
            let mut end = Upstream::End;
            while let Some(item) = round_stream.next().await {
                match item {
                    Upstream::Done | Upstream::End => {
                        end = item;
                        break;
                    }
                    Upstream::Event(_) | Upstream::Answered => yield item,
                    // A failure ends the response.
                    other => {
                        yield other;
                        return;
                    }
                }
            }
            yield Upstream::Server(ServerStep::RoundEnded);
            let report = tools.slot.report.lock().ok().and_then(|mut slot| slot.take());
            let Some(report) = report.filter(|r| !r.server_calls.is_empty()) else {
                yield end;
                return;
            };
            let mut results = Vec::new();
            for call in &report.server_calls {
                let query = query_of(call);
                yield Upstream::Server(ServerStep::Searching {
                    call_id: call.call_id.clone(),
                    query: query.clone(),
                });
                let (text, outcome) = if searches < tools.search.max_searches() {
                    searches += 1;
                    run_search(&tools.search, &query, tools.sources).await
                } else {
                    (limit_reached(tools.search.max_searches()), failed())
                };
                yield Upstream::Server(ServerStep::Searched {
                    call_id: call.call_id.clone(),
                    outcome,
                });
                results.push(json!({"role": "tool", "tool_call_id": call.call_id, "content": text}));
            }
            if !report.awaits_server_results || rounds > tools.search.max_searches() {
                yield end;
                return;
            }
            if let Some(messages) = tools.body["messages"].as_array_mut() {
                messages.push(report.assistant_message);
                messages.extend(results);
            }
            yield Upstream::Server(ServerStep::NextRound);
            round_stream = next_round(&tools);
        }
    }
}

/// The query a `web_search` call asks for (`{"query": "…"}`), or "" when it has none.
fn query_of(call: &ServerToolCall) -> String {
    serde_json::from_str::<Value>(&call.arguments)
        .ok()
        .and_then(|arguments| arguments["query"].as_str().map(str::to_owned))
        .unwrap_or_default()
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
