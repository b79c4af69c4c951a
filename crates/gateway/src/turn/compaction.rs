//! Compaction through the turn, so that every transport (HTTP SSE, HTTP JSON, WebSocket) gets
//! it: a `compaction_trigger` last input item ([`Turn::start`] branches here), and
//! `POST /v1/responses/compact` ([`Turn::compact`]).
//!
//! For a Chat provider the gateway writes the summary itself, with one non-streaming summary
//! request ([`openai_wire_convert::compaction::summary_request`], prompt from
//! `ProviderConfig::compaction_prompt`), and seals it into the compaction item with the
//! envelope key; a later request's `compaction` item is restored by the request converter. A
//! Responses upstream compacts on its own: the trigger goes through the relay unchanged and the
//! compact endpoint is forwarded to its `/responses/compact`.

use std::time::Instant;

use openai_wire_convert::compaction::{
    self, Compaction, SummaryOptions, compaction_events, compaction_item, kept_user_messages,
    summary_from_chat_completion, summary_request,
};
use openai_wire_emit::{IdSource, RandomIds};
use openai_wire_events::{OutputItem, ResponseUsage};
use serde_json::{Value, json};

use super::{Conversation, Turn, TurnOutcome, TurnStep, TurnSteps};
use crate::config::UpstreamApi;
use crate::error::ApiError;
use crate::telemetry;
use crate::upstream;

/// The largest answer read from a summary or compact request.
const MAX_ANSWER_BYTES: usize = 16 << 20;

/// Whether `item` is a `compaction_trigger`.
fn is_trigger(item: &Value) -> bool {
    item.get("type").and_then(Value::as_str) == Some("compaction_trigger")
}

impl Turn {
    /// Whether this turn asks for a compaction the gateway must write itself: a Chat upstream
    /// and a last input item `compaction_trigger`.
    pub(super) fn is_chat_compaction(&self) -> bool {
        self.routed.provider.api == UpstreamApi::Chat
            && self.request.input_items.last().is_some_and(is_trigger)
    }

    /// The conversation to summarize: the history and the input, without triggers.
    fn to_summarize(&self) -> Vec<Value> {
        let mut items = self.conversation_input();
        items.retain(|item| !is_trigger(item));
        items
    }

    /// A trigger turn for a Chat upstream: one `compaction` output item, in the lifecycle
    /// events of a normal response (stored like one when `store` is true).
    pub(super) async fn start_compaction(self, started: Instant) -> Result<TurnSteps, ApiError> {
        let items = self.to_summarize();
        let (item, usage) = self.summarize(&items).await?;
        telemetry::first_byte("responses", started);
        let (events, response) = compaction_events(
            self.request.template(),
            RandomIds::new(),
            item.clone(),
            usage,
        )
        .map_err(|error| ApiError::internal(format!("cannot write the events: {error}")))?;
        // What the compaction stands for, for a transport that continues the conversation.
        let mut kept = kept_user_messages(&items);
        kept.extend(serde_json::to_value(&item).ok());
        let conversation = Conversation {
            response_id: response.id.clone(),
            items: kept,
        };
        let recorder = self.recorder();
        Ok(Box::pin(async_stream::stream! {
            if let Some(mut recorder) = recorder {
                recorder.sent(&events);
                recorder.finish(&response).await;
            }
            yield TurnStep::Events(events);
            yield TurnStep::Finished(Box::new(TurnOutcome { response, conversation }));
        }))
    }

    /// `POST /v1/responses/compact`: `{id, object: "response.compaction", created_at, output:
    /// [...kept user messages..., compaction], usage}`. A Responses upstream answers itself.
    pub(crate) async fn compact(self) -> Result<Value, ApiError> {
        if self.routed.provider.api == UpstreamApi::Responses {
            return self.forward_compact().await;
        }
        let items = self.to_summarize();
        let (item, usage) = self.summarize(&items).await?;
        let mut ids = RandomIds::new();
        let mut output = kept_user_messages(&items);
        output.extend(serde_json::to_value(&item).ok());
        Ok(json!({
            "id": ids.id("cmp_"),
            "object": "response.compaction",
            "created_at": ids.now(),
            "output": output,
            "usage": usage,
        }))
    }

    /// Asks the Chat upstream for a summary of `items` and seals it into a compaction item.
    async fn summarize(&self, items: &[Value]) -> Result<(OutputItem, ResponseUsage), ApiError> {
        let (state, routed) = (&self.state, &self.routed);
        let options = SummaryOptions {
            model: routed.provider.upstream_model(&self.request.model),
            prompt: routed.provider.compaction_prompt.as_deref(),
            key: &state.envelope_key,
        };
        let body = summary_request(items, options).map_err(|e| ApiError::from_request_error(&e))?;
        let answer = upstream::send(state, routed, "chat/completions", body.to_string().into())
            .await
            .map_err(|error| error.to_api_error())?;
        let bytes = upstream::read_limited(answer, MAX_ANSWER_BYTES).await;
        let (summary, usage) = serde_json::from_slice::<Value>(&bytes)
            .map_err(|error| error.to_string())
            .and_then(|answer| summary_from_chat_completion(&answer))
            .map_err(|error| {
                ApiError::bad_gateway(format!("The provider did not write a summary: {error}"))
            })?;
        let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let sealed = compaction::seal(
            &Compaction {
                summary,
                items: count,
            },
            &state.envelope_key,
        );
        Ok((compaction_item(RandomIds::new().id("cmpi_"), sealed), usage))
    }

    /// The compact request, forwarded to a Responses upstream's `/responses/compact`.
    async fn forward_compact(self) -> Result<Value, ApiError> {
        let mut body = self.request.body.clone();
        let model = self.routed.provider.upstream_model(&self.request.model);
        body.insert("model".into(), Value::from(model));
        let body = Value::Object(body).to_string().into_bytes();
        let answer = upstream::send(&self.state, &self.routed, "responses/compact", body)
            .await
            .map_err(|error| error.to_api_error())?;
        let bytes = upstream::read_limited(answer, MAX_ANSWER_BYTES).await;
        serde_json::from_slice(&bytes).map_err(|error| {
            ApiError::bad_gateway(format!("The upstream's compaction is not JSON: {error}"))
        })
    }
}
