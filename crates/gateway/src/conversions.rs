//! The [`Conversion`]s the gateway pumps: a Chat upstream's stream as Responses events
//! ([`ChatUpstream`]), a Responses upstream's stream relayed to a Responses client
//! ([`ResponsesRelay`]), and a Responses upstream's stream as Chat chunks ([`ChatOverResponses`]).
//! Each is the converter of `openai-wire-convert` plus what the gateway counts and logs.

use std::sync::Arc;
use std::time::Duration;

use openai_wire_convert::repair::ResponsesRepair;
use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd};
use openai_wire_convert::stream::responses_to_chat::ResponsesToChat;
use openai_wire_convert::upstream_error::{OpenAiErrorCode, UpstreamError};
use openai_wire_emit::RandomIds;
use openai_wire_events::{
    ChatCompletionStreamEvent, Response as ResponseObject, ResponseStreamEvent,
};

use crate::error::ApiError;
use crate::pump::{Conversion, Limit, Upstream};
use crate::telemetry;
use crate::turn::server_tools::{RoundSlot, ServerStep};

/// An HTTP error the upstream answered before its stream, as the error that ends the stream.
fn refused(error: &ApiError) -> UpstreamError {
    let code = error.code().unwrap_or("server_error").to_owned();
    UpstreamError::new(OpenAiErrorCode::Other(code), error.error.message.clone())
}

/// The error that ends a stream silent past the idle timeout.
fn idle_error(idle: Duration) -> UpstreamError {
    UpstreamError::new(
        OpenAiErrorCode::Other("upstream_timeout".into()),
        format!(
            "The upstream sent nothing for {} s; the request was abandoned.",
            idle.as_secs_f64()
        ),
    )
}

/// The error that ends a stream whose read timed out (the HTTP client's read timeout, the
/// provider's `idle_timeout_secs`): a timeout says it is one, as [`idle_error`] does.
fn read_timeout_error() -> UpstreamError {
    UpstreamError::new(
        OpenAiErrorCode::Other("upstream_timeout".into()),
        "The upstream sent nothing for longer than the provider's idle timeout \
         (idle_timeout_secs); the request was abandoned."
            .to_owned(),
    )
}

/// Counts and logs a reached bound.
fn note_limit(provider: &str, limit: Limit) {
    let code = match limit {
        Limit::Bytes(_) => "max_response_bytes",
        Limit::Duration(_) => "max_response_secs",
    };
    telemetry::upstream_error(provider, code);
    tracing::warn!(provider = %provider, ?limit, "the response reached a gateway limit");
}

/// A Chat Completions upstream's stream, converted into Responses events.
pub(crate) struct ChatUpstream {
    pub(crate) converter: ChatToResponses<RandomIds>,
    pub(crate) provider: String,
    /// Where the round's end is reported when the gateway runs tools between rounds.
    pub(crate) round_slot: Option<Arc<RoundSlot>>,
}

impl ChatUpstream {
    fn fail(&mut self, message: String) -> Vec<ResponseStreamEvent> {
        self.converter
            .fail(UpstreamError::new(OpenAiErrorCode::ServerError, message))
    }

    /// A step of the gateway's own tools ([`crate::turn::server_tools`]).
    fn server_step(&mut self, step: ServerStep) -> Vec<ResponseStreamEvent> {
        let result = match step {
            ServerStep::Searching { call_id, query } => {
                self.converter.web_search_started(&call_id, &query)
            }
            ServerStep::Searched { call_id, outcome } => {
                self.converter.web_search_finished(&call_id, outcome)
            }
            ServerStep::RoundEnded => {
                if let Some(slot) = &self.round_slot {
                    let report = self
                        .converter
                        .round_end(slot.reasoning_field, slot.reasoning_as_streamed);
                    if let Ok(mut held) = slot.report.lock() {
                        *held = Some(report);
                    }
                }
                Ok(Vec::new())
            }
            ServerStep::NextRound => {
                self.converter.next_round();
                Ok(Vec::new())
            }
        };
        result.unwrap_or_else(|error| self.fail(error.to_string()))
    }
}

impl Conversion for ChatUpstream {
    type In = ChatCompletionStreamEvent;
    type Out = ResponseStreamEvent;

    fn start(&mut self) -> Vec<ResponseStreamEvent> {
        match self.converter.start() {
            Ok(events) => events,
            Err(error) => self.fail(error.to_string()),
        }
    }

    fn push(&mut self, item: Upstream<ChatCompletionStreamEvent>) -> Vec<ResponseStreamEvent> {
        let provider = &self.provider;
        let events = match item {
            Upstream::Event(event) => match self.converter.push_event(&event) {
                Ok(events) => events,
                Err(error) => self.fail(error.to_string()),
            },
            Upstream::Done => self.converter.finish(StreamEnd::DoneMarker),
            Upstream::End => self.converter.finish(StreamEnd::Eof),
            Upstream::Malformed(error) => {
                telemetry::upstream_error(provider, "malformed_chunk");
                tracing::warn!(provider = %provider, %error, "the upstream sent a malformed chunk");
                self.fail(format!("The upstream sent a malformed chunk: {error}"))
            }
            Upstream::Broken { message, timeout } => {
                let code = if timeout {
                    "idle_timeout"
                } else {
                    "stream_cut"
                };
                telemetry::upstream_error(provider, code);
                tracing::warn!(provider = %provider, error = %message, "the upstream stream broke off");
                if timeout {
                    self.converter.fail(read_timeout_error())
                } else {
                    self.converter.finish(StreamEnd::Cut)
                }
            }
            Upstream::Answered => Vec::new(),
            Upstream::Server(step) => self.server_step(step),
            Upstream::Refused(error) => self.converter.fail(refused(&error)),
            Upstream::Limit(limit) => {
                note_limit(provider, limit);
                match limit {
                    // OpenAI's end for a response whose output reached its length limit.
                    Limit::Bytes(_) => self.converter.truncate(),
                    Limit::Duration(_) => self.converter.fail(UpstreamError::new(
                        OpenAiErrorCode::Other("upstream_timeout".into()),
                        limit.message(),
                    )),
                }
            }
        };
        if events
            .iter()
            .any(|e| matches!(e, ResponseStreamEvent::ResponseFailed(_)))
        {
            telemetry::upstream_error(&self.provider, "response_failed");
        }
        events
    }

    fn heartbeat(&mut self) -> Option<ResponseStreamEvent> {
        self.converter.heartbeat()
    }

    fn idle(&mut self, idle: Duration) -> Vec<ResponseStreamEvent> {
        telemetry::upstream_error(&self.provider, "idle_timeout");
        telemetry::upstream_error(&self.provider, "response_failed");
        tracing::warn!(provider = %self.provider, "upstream silent past the idle timeout");
        self.converter.fail(idle_error(idle))
    }

    fn is_finished(&self) -> bool {
        self.converter.is_ended()
    }
}

/// A Responses upstream's stream, relayed to a Responses client through the repairer
/// ([`ResponsesRepair`]): a correct stream passes as it is, renumbered from 0 so that the
/// stream stays gapless and with its response completed (a field the upstream left out echoes
/// the request, or takes OpenAI's default); a broken one is made correct (missing done events,
/// id drift, housekeeping events, sparse lifecycle objects, usage totals), each kind of repair
/// logged once per response at `debug`; a stream that ends without a terminal event ends
/// `failed`, never silently, its open items finished `incomplete`.
pub(crate) struct ResponsesRelay {
    pub(crate) provider: String,
    repair: ResponsesRepair<RandomIds>,
    finished: bool,
}

impl ResponsesRelay {
    /// A relay for one response from `provider`, for a request whose template is `template`.
    pub(crate) fn new(provider: String, template: &ResponseObject) -> Self {
        ResponsesRelay {
            provider,
            repair: ResponsesRepair::new(template.clone(), RandomIds::new()),
            finished: false,
        }
    }

    /// The events to send for one upstream event (or one the relay ends the stream with).
    fn relay(&mut self, event: ResponseStreamEvent) -> Vec<ResponseStreamEvent> {
        let events = self.repair.push(event);
        if self.repair.is_ended() && !self.finished {
            self.finished = true;
            self.log_repairs();
        }
        events.into_iter().map(redacted).collect()
    }

    /// One `debug` line per kind of repair the stream needed.
    fn log_repairs(&self) {
        for (repair, count) in self.repair.repairs() {
            tracing::debug!(
                provider = %self.provider,
                ?repair,
                count,
                rules = ?repair.rules(),
                "repaired the upstream's stream: {}",
                repair.describe()
            );
        }
    }

    /// Ends the stream as `failed` (`server_error`, `message`).
    fn fail(&mut self, message: String) -> Vec<ResponseStreamEvent> {
        self.fail_with(UpstreamError::new(OpenAiErrorCode::ServerError, message))
    }

    /// Ends the stream as `failed` with `error`: the response as it stands, its open items
    /// finished. A client that saw nothing yet gets `response.created` first, so the stream
    /// stays well formed.
    fn fail_with(&mut self, error: UpstreamError) -> Vec<ResponseStreamEvent> {
        telemetry::upstream_error(&self.provider, "response_failed");
        let mut response = self.repair.response();
        response.status = Some(openai_wire_events::ResponseStatus::Failed);
        response.error = Some(error.to_response_error());
        let failed = openai_wire_events::ResponseFailedEvent {
            response,
            ..Default::default()
        };
        self.relay(ResponseStreamEvent::ResponseFailed(Box::new(failed)))
    }

    /// Ends the stream as `incomplete` (`max_output_tokens`): the size bound was reached.
    fn truncate(&mut self) -> Vec<ResponseStreamEvent> {
        let mut response = self.repair.response();
        response.status = Some(openai_wire_events::ResponseStatus::Incomplete);
        response.incomplete_details = Some(openai_wire_events::ResponseIncompleteDetails {
            reason: Some(openai_wire_events::ResponseIncompleteDetailsReason::MaxOutputTokens),
        });
        let incomplete = openai_wire_events::ResponseIncompleteEvent {
            response,
            ..Default::default()
        };
        self.relay(ResponseStreamEvent::ResponseIncomplete(Box::new(
            incomplete,
        )))
    }
}

impl Conversion for ResponsesRelay {
    type In = ResponseStreamEvent;
    type Out = ResponseStreamEvent;

    fn start(&mut self) -> Vec<ResponseStreamEvent> {
        Vec::new()
    }

    fn push(&mut self, item: Upstream<ResponseStreamEvent>) -> Vec<ResponseStreamEvent> {
        match item {
            Upstream::Event(event) => self.relay(event),
            Upstream::Done | Upstream::End => {
                self.fail("The upstream stream ended before the response was finished.".into())
            }
            Upstream::Malformed(error) => {
                telemetry::upstream_error(&self.provider, "malformed_event");
                self.fail(format!("The upstream sent a malformed event: {error}"))
            }
            Upstream::Broken { timeout: true, .. } => {
                telemetry::upstream_error(&self.provider, "idle_timeout");
                self.fail_with(read_timeout_error())
            }
            Upstream::Broken { message, .. } => {
                telemetry::upstream_error(&self.provider, "stream_cut");
                self.fail(format!("The upstream stream broke off: {message}"))
            }
            // A Responses upstream runs its own tools.
            Upstream::Answered | Upstream::Server(_) => Vec::new(),
            Upstream::Refused(error) => self.fail_with(refused(&error)),
            Upstream::Limit(limit) => {
                note_limit(&self.provider, limit);
                match limit {
                    Limit::Bytes(_) => self.truncate(),
                    Limit::Duration(_) => self.fail_with(UpstreamError::new(
                        OpenAiErrorCode::Other("upstream_timeout".into()),
                        limit.message(),
                    )),
                }
            }
        }
    }

    fn heartbeat(&mut self) -> Option<ResponseStreamEvent> {
        None
    }

    fn idle(&mut self, idle: Duration) -> Vec<ResponseStreamEvent> {
        telemetry::upstream_error(&self.provider, "idle_timeout");
        self.fail_with(idle_error(idle))
    }

    fn is_finished(&self) -> bool {
        self.finished
    }
}

/// An event with the error messages it carries redacted (`response.failed`'s
/// `response.error.message`, an `error` event's message in either shape): a provider may echo
/// a key in them. (Through JSON: the typed events have no common setter; only these two event
/// types take this path.)
fn redacted(event: ResponseStreamEvent) -> ResponseStreamEvent {
    if !matches!(
        event,
        ResponseStreamEvent::Error(_) | ResponseStreamEvent::ResponseFailed(_)
    ) {
        return event;
    }
    let Ok(mut json) = serde_json::to_value(&event) else {
        return event;
    };
    redact_errors(&mut json);
    serde_json::from_value(json).unwrap_or(event)
}

/// Redacts the error messages an upstream event carries (`response.failed`'s
/// `response.error.message`, an `error` event's message in either shape): a provider may echo
/// a key in them.
fn redact_errors(json: &mut serde_json::Value) {
    for pointer in ["/response/error/message", "/message", "/error/message"] {
        if let Some(serde_json::Value::String(message)) = json.pointer_mut(pointer) {
            *message = openai_wire_convert::upstream_error::redact(message);
        }
    }
}

/// A Responses upstream's stream, converted into Chat chunks for a Chat client. Nothing goes
/// out before the first chunk: a failure before it stays with the converter, for an HTTP error.
/// It does not go through the repairer: the Chat conversion reads deltas and call fragments, and
/// gives the same completion for each kind of broken stream as for its repair (tested in
/// `openai-wire-convert`'s `tests/repair.rs`).
pub(crate) struct ChatOverResponses {
    pub(crate) converter: ResponsesToChat<RandomIds>,
    pub(crate) provider: String,
}

impl ChatOverResponses {
    fn end(&mut self, proper: bool) -> Vec<ChatCompletionStreamEvent> {
        match self.converter.finish(proper) {
            Ok(chunks) => self.started(chunks),
            Err(_) => Vec::new(),
        }
    }

    fn started(&self, chunks: Vec<ChatCompletionStreamEvent>) -> Vec<ChatCompletionStreamEvent> {
        if self.converter.started() {
            chunks
        } else {
            Vec::new()
        }
    }
}

impl Conversion for ChatOverResponses {
    type In = ResponseStreamEvent;
    type Out = ChatCompletionStreamEvent;

    fn start(&mut self) -> Vec<ChatCompletionStreamEvent> {
        Vec::new()
    }

    fn push(&mut self, item: Upstream<ResponseStreamEvent>) -> Vec<ChatCompletionStreamEvent> {
        let provider = self.provider.clone();
        let chunks = match item {
            Upstream::Event(event) => match self.converter.push(&event) {
                Ok(chunks) => self.started(chunks),
                Err(error) => {
                    tracing::error!(provider = %provider, %error, "cannot convert the upstream stream");
                    self.end(false)
                }
            },
            Upstream::Done | Upstream::End => self.end(true),
            Upstream::Malformed(error) => {
                telemetry::upstream_error(&provider, "malformed_event");
                tracing::warn!(provider = %provider, %error, "the upstream sent a malformed event");
                self.end(false)
            }
            Upstream::Broken { message, timeout } => {
                let code = if timeout {
                    "idle_timeout"
                } else {
                    "stream_cut"
                };
                telemetry::upstream_error(&provider, code);
                tracing::warn!(provider = %provider, error = %message, "the upstream stream broke off");
                self.end(false)
            }
            Upstream::Answered | Upstream::Server(_) => Vec::new(),
            // Not sent by the Chat answer, which awaits the upstream's headers itself.
            Upstream::Refused(_) => self.end(false),
            Upstream::Limit(limit) => {
                note_limit(&provider, limit);
                self.end(false)
            }
        };
        if self.converter.outcome().is_finished()
            && let Some(error) = self.converter.error()
        {
            let code = error.error.code.as_deref().unwrap_or("response_failed");
            telemetry::upstream_error(&provider, code);
        }
        chunks
    }

    fn heartbeat(&mut self) -> Option<ChatCompletionStreamEvent> {
        None
    }

    fn idle(&mut self, _idle: Duration) -> Vec<ChatCompletionStreamEvent> {
        telemetry::upstream_error(&self.provider, "idle_timeout");
        self.end(false)
    }

    fn is_finished(&self) -> bool {
        self.converter.outcome().is_finished()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openai_wire_events::StreamEvent;

    fn event(json: &str) -> Upstream<ResponseStreamEvent> {
        Upstream::Event(ResponseStreamEvent::from_json(json).unwrap())
    }

    #[test]
    fn a_relayed_stream_is_renumbered_completed_and_its_errors_redacted() {
        let template: ResponseObject =
            serde_json::from_value(serde_json::json!({"model": "m", "temperature": 0.3})).unwrap();
        let mut relay = ResponsesRelay::new("upstream".into(), &template);
        let mut out = relay.push(event(
            r#"{"type":"response.created","sequence_number":7,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"m","output":[]}}"#,
        ));
        out.extend(relay.push(event(
            r#"{"type":"response.failed","sequence_number":9,"response":{"id":"resp_1","object":"response","created_at":1,"status":"failed","model":"m","output":[],"error":{"code":"server_error","message":"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"}}}"#,
        )));
        assert!(relay.is_finished());
        let json: Vec<serde_json::Value> = out
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect();
        assert_eq!(json[0]["sequence_number"], 0);
        assert_eq!(json[1]["sequence_number"], 1);
        // A field the upstream left out echoes the request.
        assert_eq!(json[0]["response"]["temperature"], 0.3);
        let message = json[1]["response"]["error"]["message"].as_str().unwrap();
        assert!(!message.contains("sk-proj"), "{message}");
        assert!(message.contains("[redacted]"), "{message}");
    }

    #[test]
    fn a_relayed_stream_cut_before_its_end_fails() {
        let template = ResponseObject::default();
        let mut relay = ResponsesRelay::new("upstream".into(), &template);
        relay.push(event(
            r#"{"type":"response.created","response":{"id":"resp_2","object":"response","created_at":1,"status":"in_progress","model":"m","output":[]}}"#,
        ));
        let out = relay.push(Upstream::End);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].wire_type(), "response.failed");
        assert!(relay.is_finished());
    }

    #[test]
    fn a_relayed_stream_cut_in_an_item_finishes_it_incomplete_before_failing() {
        let mut relay = ResponsesRelay::new("upstream".into(), &ResponseObject::default());
        let mut out = Vec::new();
        for json in [
            r#"{"type":"response.created","response":{"id":"resp_3","object":"response","created_at":1,"status":"in_progress","model":"m","output":[]}}"#,
            r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}"#,
            r#"{"type":"response.content_part.added","item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}"#,
            r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Half an ans"}"#,
        ] {
            out.extend(relay.push(event(json)));
        }
        out.extend(relay.push(Upstream::Broken {
            message: "reset".into(),
            timeout: false,
        }));
        let types: Vec<&str> = out.iter().map(|e| e.wire_type()).collect();
        assert_eq!(
            types[4..],
            [
                "response.output_text.done",
                "response.content_part.done",
                "response.output_item.done",
                "response.failed",
            ]
        );
        let failed = serde_json::to_value(&out[7]).unwrap();
        assert_eq!(failed["sequence_number"], 7);
        assert_eq!(failed["response"]["id"], "resp_3");
        let item = &failed["response"]["output"][0];
        assert_eq!(item["status"], "incomplete");
        assert_eq!(item["content"][0]["text"], "Half an ans");
    }
}
