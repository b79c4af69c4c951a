//! `POST /v1/chat/completions`: forwarded as it is to Chat upstreams (model mapped), converted
//! for Responses-only upstreams.
//!
//! For a Responses upstream the Chat request becomes a Responses request
//! ([`openai_wire_convert::request::chat_to_responses()`]) and the answer comes back as Chat:
//!
//! - streaming: each upstream event goes through a [`ResponsesToChat`] and its chunks go out at
//!   once; the body ends with `data: [DONE]` only when the response finished
//!   ([`Outcome::sends_done`](openai_wire_convert::stream::responses_to_chat::Outcome::sends_done)), with an error event otherwise. An upstream that fails before
//!   anything was sent gets an HTTP error instead (OpenAI's error shape and status). While the
//!   upstream is silent for longer than the configured heartbeat, the client gets an SSE comment
//!   (`: keep-alive`), which Chat readers skip.
//! - not streaming: the upstream's JSON response becomes a `chat.completion`
//!   ([`response_to_chat_completion`]); a failed response becomes an HTTP error. An upstream
//!   that streams anyway is folded through the same converter.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use openai_wire_convert::request::{ResponsesRequestOptions, chat_to_responses};
use openai_wire_convert::stream::responses_to_chat::{
    ChatError, Outcome, ResponsesToChat, ResponsesToChatOptions, response_to_chat_completion,
};
use openai_wire_decode::Format;
use openai_wire_emit::{RandomIds, write_chat_done, write_chat_sse};
use openai_wire_events::{Response as ResponseObject, ResponseStreamEvent};
use serde_json::Value;

use crate::config::UpstreamApi;
use crate::conversions::ChatOverResponses;
use crate::error::ApiError;
use crate::http::{SSE_KEEP_ALIVE, sse_response};
use crate::pump::{Limit, Limits, PumpStep, decode_upstream, pump};
use crate::state::{AppState, RouteHints, Routed};
use crate::telemetry::{self, StreamGuard, StreamOutcome};
use crate::upstream;

/// `POST /v1/chat/completions`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    hints: RouteHints,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let answer = match create_inner(&state, &hints, &body, started).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    // A stream is counted when it ends, by how it ended (`StreamGuard::counted`).
    let streamed = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !streamed {
        metrics::counter!(telemetry::REQUESTS, "endpoint" => "chat", "status" => answer.status().as_u16().to_string())
            .increment(1);
    }
    answer
}

async fn create_inner(
    state: &AppState,
    hints: &RouteHints,
    body: &Bytes,
    started: Instant,
) -> Result<Response, ApiError> {
    let mut request: Value = serde_json::from_slice(body).map_err(|error| {
        ApiError::invalid_request(None, format!("The request body is not valid JSON: {error}"))
    })?;
    let Some(model) = request
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Err(ApiError::invalid_request(
            Some("model"),
            "Missing required parameter: 'model'.",
        ));
    };
    let routed = state.route(hints, &model)?;
    if routed.provider.api == UpstreamApi::Responses {
        return via_responses(state, &routed, &request, &model, started).await;
    }
    request["model"] = Value::from(routed.provider.upstream_model(&model));
    let body = serde_json::to_vec(&request)
        .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
    let upstream = upstream::send(state, &routed, "chat/completions", body)
        .await
        .map_err(|error| error.to_api_error())?;
    telemetry::first_byte("chat", started);
    let is_sse = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !is_sse {
        return Ok(upstream::relay(upstream));
    }
    let limits = Limits::of(&state.config);
    Ok(sse_response(watched(
        upstream,
        &routed.name,
        limits,
        started,
    )))
}

/// A Chat upstream's SSE body passed through unchanged, watched as it passes
/// ([`ChatStreamWatch`]): a stream that breaks off, or ends before `[DONE]` or a
/// `finish_reason`, or outgrows the response bounds ([`Limits`]), ends with an error chunk
/// (`data: {"error": {…}}`, as OpenAI sends a mid-stream error) and counts as failed.
fn watched(
    upstream: reqwest::Response,
    provider: &str,
    limits: Limits,
    started: Instant,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send + 'static {
    let provider = provider.to_owned();
    let deadline =
        (!limits.max_duration.is_zero()).then(|| tokio::time::Instant::now() + limits.max_duration);
    async_stream::stream! {
        let mut guard = StreamGuard::counted("chat", started);
        let mut watch = ChatStreamWatch::default();
        let mut body = std::pin::pin!(upstream.bytes_stream());
        let failure = loop {
            let next = match deadline {
                Some(at) => match tokio::time::timeout_at(at, body.next()).await {
                    Ok(next) => next,
                    Err(_) => break Some(("upstream_timeout", Limit::Duration(limits.max_duration).message())),
                },
                None => body.next().await,
            };
            match next {
                Some(Ok(bytes)) => {
                    watch.feed(&bytes);
                    yield Ok(bytes);
                    if limits.max_bytes > 0 && watch.bytes > limits.max_bytes {
                        break Some(("server_error", Limit::Bytes(limits.max_bytes).message()));
                    }
                }
                Some(Err(error)) => {
                    let code = if error.is_timeout() { "upstream_timeout" } else { "server_error" };
                    break Some((code, format!("The upstream stream broke off: {error}")));
                }
                None if watch.finished() => break None,
                None => break Some((
                    "server_error",
                    "The upstream stream ended before the response was finished \
                     (no finish_reason or [DONE])."
                        .to_owned(),
                )),
            }
        };
        match failure {
            None if watch.errored => guard.finish(StreamOutcome::failed(None)),
            None => guard.finish(StreamOutcome::Completed),
            Some((code, message)) => {
                telemetry::upstream_error(&provider, if code == "upstream_timeout" { code } else { "stream_cut" });
                tracing::warn!(provider = %provider, %message, "the Chat pass-through stream failed");
                guard.finish(StreamOutcome::failed(Some(code)));
                let mut out = Vec::new();
                if watch.partial_line() {
                    // End the upstream's half-sent line, so the error chunk is an event of
                    // its own.
                    out.extend_from_slice(b"\n\n");
                }
                let error = serde_json::json!({"error": {
                    "message": message,
                    "type": openai_wire_convert::error_codes::type_of(code),
                    "param": null,
                    "code": code,
                }});
                out.extend_from_slice(format!("data: {error}\n\n").as_bytes());
                yield Ok(Bytes::from(out));
            }
        }
    }
}

/// What a Chat SSE stream has said so far, read cheaply as it passes: its `data:` lines are
/// scanned for `[DONE]`, a non-null `finish_reason` and an `error` object; nothing is decoded
/// and the bytes are not changed.
#[derive(Debug, Default)]
struct ChatStreamWatch {
    /// Bytes seen.
    bytes: usize,
    /// The current line, until its end (at most [`MAX_WATCHED_LINE`] bytes are kept).
    line: Vec<u8>,
    /// Whether the current line is longer than what is kept.
    line_cut: bool,
    done: bool,
    finish_reason: bool,
    errored: bool,
}

/// The longest line prefix kept for the watch (a `finish_reason` is in a chunk's last bytes,
/// but chunks that end a choice are small).
const MAX_WATCHED_LINE: usize = 64 << 10;

impl ChatStreamWatch {
    fn feed(&mut self, mut bytes: &[u8]) {
        self.bytes += bytes.len();
        while let Some(end) = memchr::memchr(b'\n', bytes) {
            self.keep(&bytes[..end]);
            self.line_done();
            bytes = &bytes[end + 1..];
        }
        self.keep(bytes);
    }

    /// Adds `part` to the current line, up to [`MAX_WATCHED_LINE`] bytes.
    fn keep(&mut self, part: &[u8]) {
        let room = MAX_WATCHED_LINE - self.line.len();
        if part.len() > room {
            self.line.extend_from_slice(&part[..room]);
            self.line_cut = true;
        } else {
            self.line.extend_from_slice(part);
        }
    }

    fn line_done(&mut self) {
        let cut = std::mem::replace(&mut self.line_cut, false);
        let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
        if let Some(data) = line.strip_prefix(b"data:") {
            let data = data.trim_ascii();
            if data == b"[DONE]" {
                self.done = true;
            } else if !cut && data.starts_with(b"{\"error\"") {
                self.errored = true;
            } else if !cut && has_finish_reason(data) {
                self.finish_reason = true;
            }
        }
        // The line's buffer is kept for the next one.
        self.line.clear();
    }

    /// Whether the stream ended properly: `[DONE]`, or a `finish_reason` (some providers close
    /// without `[DONE]`), or an error event the upstream sent itself.
    fn finished(&self) -> bool {
        self.done || self.finish_reason || self.errored
    }

    /// Whether the stream stopped in the middle of a line.
    fn partial_line(&self) -> bool {
        !self.line.is_empty() || self.line_cut
    }
}

/// Whether a chunk's JSON has a `"finish_reason"` that is not `null`.
fn has_finish_reason(data: &[u8]) -> bool {
    const KEY: &[u8] = b"\"finish_reason\"";
    let mut rest = data;
    while let Some(at) = memchr::memmem::find(rest, KEY) {
        rest = &rest[at + KEY.len()..];
        let value = rest.trim_ascii_start();
        let value = value.strip_prefix(b":").unwrap_or(value).trim_ascii_start();
        if !value.starts_with(b"null") {
            return true;
        }
    }
    false
}

/// A Chat request for a Responses upstream: converted there, and the answer converted back.
async fn via_responses(
    state: &AppState,
    routed: &Routed,
    request: &Value,
    model: &str,
    started: Instant,
) -> Result<Response, ApiError> {
    let flag = |pointer: &str| request.pointer(pointer).and_then(Value::as_bool);
    let streaming = flag("/stream").unwrap_or(false);
    let include_usage = flag("/stream_options/include_usage").unwrap_or(false);
    let options = ResponsesRequestOptions {
        model: Some(routed.provider.upstream_model(model).to_owned()),
        store: Some(false),
    };
    let upstream_request = chat_to_responses(request, &options)
        .map_err(|error| ApiError::from_request_error(&error))?;
    let body = serde_json::to_vec(&upstream_request)
        .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
    let upstream = upstream::send(state, routed, "responses", body)
        .await
        .map_err(|error| error.to_api_error())?;
    telemetry::first_byte("chat", started);
    // The chunks carry the model the client asked for, as a Chat upstream's would.
    let convert_options = ResponsesToChatOptions::default()
        .with_model(model)
        .with_usage(include_usage);
    let is_sse = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !streaming && !is_sse {
        return whole_completion(&routed.name, upstream, &convert_options).await;
    }
    let conversion = ChatOverResponses {
        converter: ResponsesToChat::new(convert_options, RandomIds::new()),
        provider: routed.name.clone(),
    };
    let limits = Limits::of(&state.config);
    let steps = pump(
        conversion,
        decode_upstream::<ResponseStreamEvent>(upstream, Format::Sse, limits.max_bytes),
        Some(state.config.heartbeat),
        routed.provider.idle_timeout(),
        limits,
    );
    let mut steps = Box::pin(steps);
    if !streaming {
        // An upstream that streamed anyway: fold its events.
        return match last_step(&mut steps).await {
            Some(converter) => match converter.converter.error() {
                Some(error) => Err(chat_error(error)),
                None => Ok(axum::Json(converter.converter.completion()).into_response()),
            },
            None => Err(ApiError::internal("the conversion ended without an answer")),
        };
    }
    let first = first_step(&mut steps).await?;
    Ok(sse_response(chat_sse(first, steps, started)))
}

/// The first step with something to send. The answer is held until then, so that a failure
/// before the first chunk is an HTTP error.
async fn first_step(
    steps: &mut (impl Stream<Item = PumpStep<ChatOverResponses>> + Unpin),
) -> Result<Option<PumpStep<ChatOverResponses>>, ApiError> {
    loop {
        match steps.next().await {
            Some(PumpStep::Out(out)) if out.is_empty() => continue,
            Some(PumpStep::KeepAlive) => continue,
            Some(PumpStep::Finished(conversion)) => {
                if !conversion.converter.started()
                    && let Some(error) = conversion.converter.error()
                {
                    return Err(chat_error(error));
                }
                return Ok(Some(PumpStep::Finished(conversion)));
            }
            step => return Ok(step),
        }
    }
}

/// The last step's conversion, once the stream is over.
async fn last_step(
    steps: &mut (impl Stream<Item = PumpStep<ChatOverResponses>> + Unpin),
) -> Option<Box<ChatOverResponses>> {
    let mut last = None;
    while let Some(step) = steps.next().await {
        if let PumpStep::Finished(conversion) = step {
            last = Some(conversion);
        }
    }
    last
}

/// The Chat SSE body: the chunks, a comment while the upstream is silent, and `data: [DONE]`
/// only when the response finished.
fn chat_sse(
    first: Option<PumpStep<ChatOverResponses>>,
    mut steps: impl Stream<Item = PumpStep<ChatOverResponses>> + Send + Unpin + 'static,
    started: Instant,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send + 'static {
    async_stream::stream! {
        let mut guard = StreamGuard::counted("chat", started);
        let mut pending = first;
        loop {
            let step = match pending.take() {
                Some(step) => step,
                None => match steps.next().await {
                    Some(step) => step,
                    None => break,
                },
            };
            let mut out = Vec::new();
            let end = match step {
                PumpStep::Out(chunks) => {
                    if let Err(error) = write_chat_sse(&mut out, &chunks) {
                        tracing::error!(%error, "cannot encode a chat chunk");
                    }
                    false
                }
                // Chat Completions has no heartbeat event: an SSE comment keeps the connection
                // (and proxies that time out idle ones) alive.
                PumpStep::KeepAlive => {
                    out.extend_from_slice(SSE_KEEP_ALIVE);
                    false
                }
                PumpStep::Finished(conversion) => {
                    let outcome = conversion.converter.outcome();
                    if outcome.sends_done() {
                        write_chat_done(&mut out);
                    }
                    guard.finish(match outcome {
                        Outcome::Completed => StreamOutcome::Completed,
                        Outcome::Incomplete => StreamOutcome::Incomplete,
                        _ => StreamOutcome::failed(
                            conversion.converter.error().and_then(|e| e.error.code.as_deref()),
                        ),
                    });
                    true
                }
            };
            if !out.is_empty() {
                yield Ok(Bytes::from(out));
            }
            if end {
                break;
            }
        }
    }
}

/// A non-streaming upstream answer (a Responses `response` object) as a `chat.completion`.
async fn whole_completion(
    provider: &str,
    upstream: reqwest::Response,
    options: &ResponsesToChatOptions,
) -> Result<Response, ApiError> {
    let bytes = upstream.bytes().await.map_err(|error| {
        telemetry::upstream_error(provider, "stream_cut");
        ApiError::bad_gateway(format!("The upstream answer broke off: {error}"))
    })?;
    let response: ResponseObject = serde_json::from_slice(&bytes).map_err(|error| {
        telemetry::upstream_error(provider, "malformed_response");
        ApiError::bad_gateway(format!("The upstream sent an unreadable response: {error}"))
    })?;
    match response_to_chat_completion(&response, options) {
        Ok(completion) => Ok(axum::Json(completion).into_response()),
        Err(openai_wire_convert::stream::responses_to_chat::ResponsesToChatError::Upstream(
            error,
        )) => {
            telemetry::upstream_error(
                provider,
                error.error.code.as_deref().unwrap_or("response_failed"),
            );
            Err(chat_error(&error))
        }
        Err(error) => Err(ApiError::internal(format!(
            "cannot convert the upstream response: {error}"
        ))),
    }
}

/// A Chat error as an HTTP answer.
fn chat_error(error: &ChatError) -> ApiError {
    ApiError::with_status(error.status, error.error.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(pieces: &[&str]) -> ChatStreamWatch {
        let mut watch = ChatStreamWatch::default();
        for piece in pieces {
            watch.feed(piece.as_bytes());
        }
        watch
    }

    #[test]
    fn the_watch_sees_done_and_finish_reasons_across_reads() {
        let chunk =
            r#"data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}"#;
        let last = r#"data: {"choices":[{"index":0,"delta":{},"finish_reason": "stop"}]}"#;
        assert!(!watch(&[chunk, "\n\n"]).finished());
        let (a, b) = last.split_at(40);
        let seen = watch(&[chunk, "\n\n", a, b, "\n\n"]);
        assert!(seen.finish_reason && !seen.done && seen.finished());
        let seen = watch(&[chunk, "\n\ndata: [DO", "NE]\r\n\r\n"]);
        assert!(seen.done && !seen.partial_line());
        let seen = watch(&[chunk, "\n\n", r#"data: {"error":{"message":"x"}}"#, "\n\n"]);
        assert!(seen.errored && seen.finished());
        assert!(watch(&["data: {\"choices\":"]).partial_line());
    }

    #[test]
    fn a_line_past_the_kept_length_is_not_read_for_a_finish_reason() {
        let padding = "x".repeat(MAX_WATCHED_LINE);
        let long = format!(r#"data: {{"p":"{padding}","finish_reason":"stop"}}"#);
        let (a, b) = long.split_at(MAX_WATCHED_LINE - 3);
        let seen = watch(&[a, b, "\n\n"]);
        assert!(!seen.finished() && !seen.partial_line(), "cut, so not read");
        assert!(watch(&[a, b]).partial_line());
        // The next line is read whole again.
        let last = r#"data: {"choices":[{"finish_reason":"length"}]}"#;
        assert!(watch(&[a, b, "\n\n", last, "\n"]).finish_reason);
        assert_eq!(watch(&[a, b, "\n"]).bytes, long.len() + 1);
    }
}
